import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of one API instance at GET /metrics: requests and their latency per route, method and status
 * (errors are the 4xx and 5xx statuses), and the Node.js process's own (event loop lag, heap, GC). Each app has its
 * own registry, so several apps in one process (tests) do not share counts. The route is the pattern
 * (`/products/:productId`), never the path, so the number of series stays bounded; a request no route matched
 * counts as `unmatched`. Not in the OpenAPI document: an operator's endpoint, which the load balancer should not
 * expose (README, "Deployment").
 */
export interface ApiMetrics {
  registry: Registry;
  /** The onResponse hook that counts and times each answer. */
  observe: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

export function apiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ocop_api_' });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'ocop_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'ocop_http_request_duration_seconds',
    help: 'Time from the request to its answer, by method, route pattern and status.',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    registry,
    observe: async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched';
      if (route === '/metrics') return;
      const labels = { method: req.method, route, status: String(reply.statusCode) };
      requests.inc(labels);
      duration.observe(labels, reply.elapsedTime / 1000);
    },
  };
}
