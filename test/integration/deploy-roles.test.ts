/**
 * What running the product as several processes rests on (README, "Process roles"): the application's login role
 * holds only its grants and cannot become anyone else; API instances share one rate limit through Redis (the Redis
 * of this machine, 127.0.0.1:6379, under a key prefix of this run's own, removed afterwards); and an API instance
 * serves its Prometheus metrics.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { buildApp } from '../../api/app';
import { connectRedis } from '../../cli/roles';
import { createLogger } from '../../config/logger';
import { connect, ensureLoginRole, LoginRoleError, type Sql } from '../../db';

const databaseUrl = inject('databaseUrl');
let owner: Sql;

beforeAll(() => {
  owner = connect(databaseUrl, { max: 4, asAppRole: false });
});
afterAll(async () => {
  await owner.end();
});

describe('the application login role', () => {
  const name = `ocop_login_test_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const appUrl = Object.assign(new URL(databaseUrl), { username: name, password }).toString();
  let app: Sql;
  /** The same login without the connection's SET ROLE ocop_app: what `SET ROLE NONE` leaves. */
  let bare: Sql;

  beforeAll(async () => {
    // Four migrators at once, as several databases of one cluster migrating together: every one succeeds.
    const migrators = Array.from({ length: 4 }, () => connect(databaseUrl, { max: 1, asAppRole: false }));
    try {
      expect(await Promise.all(migrators.map((m) => ensureLoginRole(m, appUrl)))).toEqual(Array(4).fill(name));
    } finally {
      await Promise.all(migrators.map((m) => m.end()));
    }
    app = connect(appUrl, { max: 1 });
    bare = connect(appUrl, { max: 1, asAppRole: false });
  });
  afterAll(async () => {
    await app?.end();
    await bare?.end();
    await owner.unsafe(`DROP ROLE IF EXISTS "${name}"`);
  });

  it('logs in with its own password, owns nothing and is no superuser, even after SET ROLE NONE', async () => {
    await app.begin(async (tx) => {
      await tx`SET LOCAL ROLE NONE`;
      const [me] = await tx<{ user: string; super: boolean }[]>`
        SELECT current_user AS user, rolsuper AS super FROM pg_roles WHERE rolname = current_user`;
      expect(me).toEqual({ user: name, super: false });
    });
    const [owned] = await owner<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = ${name})`;
    expect(owned?.n).toBe(0);
  });

  it('cannot SET ROLE to the superuser that migrated', async () => {
    const [who] = await owner<{ user: string }[]>`SELECT current_user AS user`;
    await expect(app.unsafe(`SET ROLE "${who!.user}"`)).rejects.toMatchObject({ code: '42501' });
  });

  it('reads and appends, but cannot UPDATE, DELETE or TRUNCATE events, nor disable their triggers', async () => {
    await app`SELECT count(*) FROM events`;
    for (const statement of [
      'UPDATE events SET type = type',
      'DELETE FROM events',
      'TRUNCATE events',
      'ALTER TABLE events DISABLE TRIGGER events_no_update_delete',
    ]) {
      await expect(app.unsafe(statement), statement).rejects.toMatchObject({ code: '42501' });
      await expect(bare.unsafe(statement), statement).rejects.toMatchObject({ code: '42501' });
    }
  });

  it('refuses to make a superuser the login role rather than demote it', async () => {
    const superName = `ocop_super_test_${randomBytes(4).toString('hex')}`;
    await owner.unsafe(`CREATE ROLE "${superName}" SUPERUSER LOGIN`);
    try {
      const url = Object.assign(new URL(databaseUrl), { username: superName, password: 'x' }).toString();
      await expect(ensureLoginRole(owner, url)).rejects.toBeInstanceOf(LoginRoleError);
      const [still] = await owner<
        { super: boolean }[]
      >`SELECT rolsuper AS super FROM pg_roles WHERE rolname = ${superName}`;
      expect(still?.super).toBe(true);
    } finally {
      await owner.unsafe(`DROP ROLE "${superName}"`);
    }
  });
});

describe('API instances', () => {
  const prefix = `ocop-test-${randomBytes(4).toString('hex')}:`;
  let redis: Redis;
  let connection: Connection;
  let apps: Awaited<ReturnType<typeof buildApp>>[] = [];

  beforeAll(async () => {
    redis = await connectRedis('redis://127.0.0.1:6379/0');
    connection = await Connection.connect({ address: inject('temporalAddress') });
    const temporal = new Client({ connection, namespace: 'default' });
    apps = await Promise.all(
      [1, 2].map(() =>
        buildApp({
          sql: connect(databaseUrl, { max: 1 }),
          temporal,
          taskQueue: 'unused',
          jwtSecret: randomBytes(32).toString('hex'),
          log: createLogger('silent'),
          rateLimit: 3,
          redis,
          redisKeyPrefix: prefix,
        }),
      ),
    );
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await connection.close();
  });

  it('share one rate limit through Redis: the fourth request, on either instance, is 429', async () => {
    const [a, b] = apps as [(typeof apps)[0], (typeof apps)[0]];
    const get = (app: typeof a) => app.inject({ method: 'GET', url: '/product-sets' });
    expect((await get(a)).statusCode).toBe(200);
    expect((await get(b)).statusCode).toBe(200);
    expect((await get(a)).statusCode).toBe(200);
    const refused = await get(b);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect((await redis.keys(`${prefix}*`)).length).toBeGreaterThan(0);
  });

  it('serve Prometheus metrics per route pattern and status, outside the rate limit', async () => {
    const [a] = apps as [(typeof apps)[0]];
    await a.inject({ method: 'GET', url: '/products/P0000/history' });
    const res = await a.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/ocop_http_requests_total\{method="GET",route="\/product-sets",status="200"\} 2/);
    // The limit was spent on both instances together, so this instance's next request was refused.
    expect(res.body).toMatch(
      /ocop_http_requests_total\{method="GET",route="\/products\/:productId\/history",status="429"\} 1/,
    );
    expect(res.body).toMatch(
      /ocop_http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/product-sets"/,
    );
    expect(res.body).not.toMatch(/P0000/);
  });
});
