/**
 * What one process of the product needs around its roles (README, "Process roles"): which settings a process of
 * some roles must be given, the shared Redis, and the health endpoint of a process that serves no API.
 */
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { PROCESS_ROLES, type Config, type ProcessRole } from '../config';
import { ping, type Sql } from '../db';

/**
 * What a process of some roles needs that only the whole product may make for itself: the servers (an embedded
 * PostgreSQL and a Temporal dev server are one machine's), and the keys every instance must share (a key generated
 * per process would make one API's tokens invalid at the next, and checkpoints unverifiable).
 */
export function roleRefusal(config: Config): string | null {
  const roles = config.OCOP_ROLE;
  if (roles.length === PROCESS_ROLES.length) return null;
  const named = `OCOP_ROLE=${roles.join(',')}`;
  const missing: string[] = [];
  if (!config.DATABASE_URL) missing.push('DATABASE_URL');
  if (!config.TEMPORAL_ADDRESS && roles.some((r) => r !== 'sender')) missing.push('TEMPORAL_ADDRESS');
  if (!config.AUTH_JWT_SECRET && roles.includes('api')) missing.push('AUTH_JWT_SECRET');
  if (!config.AUDIT_SIGNING_KEY_FILE && (roles.includes('api') || roles.includes('worker'))) {
    missing.push('AUDIT_SIGNING_KEY_FILE');
  }
  if (missing.length === 0) return null;
  return `${named} runs beside other processes, so it starts no server and generates no key of its own: set ${missing.join(', ')}.`;
}

/**
 * Redis for what the API instances share (the rate limit's counts). Commands fail at once while Redis is away
 * instead of queueing behind the request (the rate limit then lets requests through), and ioredis reconnects.
 */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await redis.connect();
  return redis;
}

/**
 * GET /health of a worker or sender process (its container's health check, the same probe as the API's): 200 while
 * it runs and PostgreSQL answers, 503 otherwise. Every other path is 404.
 */
export async function serveProcessHealth(options: {
  host: string;
  port: number;
  roles: ProcessRole[];
  sql: Sql;
  running: () => boolean;
}): Promise<{ close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/health') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Không có đường dẫn. / Not found.\n');
      return;
    }
    const probe = Promise.race([
      ping(options.sql).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3_000).unref()),
    ]).catch(() => false);
    void probe.then((postgres) => {
      const ok = postgres && options.running();
      res
        .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: ok ? 'ok' : 'degraded', roles: options.roles, postgres: { ok: postgres } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
