import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { ping } from '../../db';

const component = z.object({ ok: z.boolean(), latencyMs: z.number().optional(), error: z.string().optional() });
export const healthSchema = z.object({ status: z.enum(['ok', 'degraded']), temporal: component, postgres: component });

/** GET /health: whether Temporal and PostgreSQL answer; 503 when either does not. */
export const healthRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/health',
      {
        // Probes from load balancers and monitors never use up the anonymous callers' rate limit, nor are refused.
        config: { rateLimit: false },
        schema: {
          summary: 'Whether Temporal and PostgreSQL are reachable',
          tags: ['operations'],
          response: { 200: healthSchema, 503: healthSchema },
        },
      },
      async (_req, reply) => {
        const [postgres, temporal] = await Promise.all([
          probe(() => ping(deps.sql)),
          probe(async () => {
            await deps.temporal.connection.workflowService.getSystemInfo({});
          }),
        ]);
        const ok = postgres.ok && temporal.ok;
        return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', postgres, temporal });
      },
    );
  };

async function probe(check: () => Promise<void>): Promise<z.infer<typeof component>> {
  const started = performance.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 3 s')), 3_000).unref()),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
