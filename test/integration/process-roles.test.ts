/**
 * The product as separate processes, as docker-compose.yml runs it: `--role migrate` once (as the owner, creating
 * the application's login role), then one api, one worker and one sender process, each logging in as that role.
 * A registration through the API is recorded by the worker; each process answers /health; SIGTERM stops each one.
 * (The scale-out test with several of each and kill -9 is another file's.)
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, dropDatabase } from '../../db';
import { freePort } from '../../temporal/dev-server';
import { cleanUpProducts, launchRole, registerOverHttp, waitReady } from '../support/product';

const folder = mkdtempSync(join(tmpdir(), 'ocop-roles-'));
const suffix = randomBytes(4).toString('hex');
const owner = Object.assign(new URL(inject('adminUrl')), { pathname: `/ocop_roles_${suffix}` });
const login = `ocop_roles_login_${suffix}`;
const app = Object.assign(new URL(owner), { username: login, password: randomBytes(12).toString('hex') });
const secret = randomBytes(24).toString('hex');
const keyFile = join(folder, 'audit.pem');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: app.toString(),
  DATABASE_OWNER_URL: '',
  TEMPORAL_ADDRESS: inject('temporalAddress'),
  TEMPORAL_TASK_QUEUE: `roles-${suffix}`,
  AUTH_JWT_SECRET: secret,
  AUDIT_SIGNING_KEY_FILE: keyFile,
  OCOP_DATA_DIR: join(folder, 'data'),
  LOG_LEVEL: 'warn',
  SMTP_URL: '',
  WEBHOOK_SECRET: '',
};

const start = (role: string, extra: NodeJS.ProcessEnv = {}) => launchRole(role, { ...env, ...extra });

beforeAll(() => {
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
});

afterAll(async () => {
  cleanUpProducts();
  await dropDatabase(owner.toString());
  const admin = connect(inject('adminUrl'), { max: 1, asAppRole: false });
  await admin.unsafe(`DROP ROLE IF EXISTS "${login}"`);
  await admin.end();
  rmSync(folder, { recursive: true, force: true });
});

describe('process roles', () => {
  it('a process of one role refuses to start without what it cannot make for itself', async () => {
    const api = start('api', { AUTH_JWT_SECRET: '' });
    expect(await api.exit).toBe(2);
    expect(api.output()).toContain('set AUTH_JWT_SECRET');
  });

  it('migrate once as the owner, then api, worker and sender as the login role: a registration is recorded', async () => {
    const migrate = start('migrate', { DATABASE_OWNER_URL: owner.toString() });
    expect(await migrate.exit, migrate.output()).toBe(0);
    expect(migrate.output()).toContain('applied migrations 001.do.event-store.sql');
    expect(migrate.output()).not.toContain(app.password);

    const [apiPort, workerPort, senderPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const api = start('api', { API_PORT: String(apiPort) });
    const worker = start('worker', { API_PORT: String(workerPort) });
    const sender = start('sender', { API_PORT: String(senderPort) });
    await Promise.all([api, worker, sender].map((p) => waitReady(p)));

    for (const [port, roles] of [
      [workerPort, ['worker']],
      [senderPort, ['sender']],
    ] as const) {
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', roles });
    }
    expect((await fetch(`http://127.0.0.1:${apiPort}/health`)).status).toBe(200);

    const registered = await registerOverHttp(`http://127.0.0.1:${apiPort}`, secret, `roles-${suffix}`);
    expect(registered.status, await registered.clone().text()).toBe(201);
    const metrics = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
    expect(metrics).toMatch(/ocop_http_requests_total\{method="POST",route="\/products",status="201"\} 1/);

    // The events were appended by the worker as the login role, which the owner sees.
    const ownerSql = connect(owner.toString(), { max: 1, asAppRole: false });
    try {
      const [row] = await ownerSql<{ n: number }[]>`SELECT count(*)::int AS n FROM events`;
      expect(row?.n).toBeGreaterThan(0);
    } finally {
      await ownerSql.end();
    }

    for (const p of [api, worker, sender]) p.process.kill('SIGTERM');
    expect(await Promise.all([api.exit, worker.exit, sender.exit])).toEqual([0, 0, 0]);
  });
});
