/**
 * Scale-out, proved here (issue 21): one Temporal dev server, one PostgreSQL database, one Redis, and the product as
 * separate processes of its entry point: `--role migrate` once, then two workers, two senders and two APIs, the APIs
 * sharing one rate limit through Redis (a key prefix of this run's own, removed afterwards). Clients drive full cycles
 * through both APIs at once; mid-way one worker and one API die with kill -9, and a client whose API died sends the
 * command again, with the same Idempotency-Key, to the other. Then every acknowledged command is recorded exactly
 * once, every case reaches its end, every chain verifies, and every e-mail notice reaches the (real) SMTP server
 * exactly once, whichever sender sent it.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyAll } from '../../audit';
import { CYCLE_EVENTS, COMMUNE, PROVINCE } from '../../bench/path';
import { connectRedis } from '../../cli/roles';
import { connect, createDatabase, dropDatabase, type Sql } from '../../db';
import { messageIdOf, seedRecipients } from '../../notifications';
import { freePort, startDevServer, type RunningDevServer } from '../../temporal/dev-server';
import { startMailSink, type MailSink } from '../integration/notification-servers';
import { cycleProblems, HttpCycles } from '../support/http-cycle';
import { cleanUpProducts, launchRole, waitReady, type RunningProduct } from '../support/product';
import { adminUrl, log, sleep } from './harness';

const CASES = 24;
const CONCURRENCY = 6;
const MAIL_FROM = 'OCOP <thongbao@scale-out.invalid>';

const suffix = randomBytes(4).toString('hex');
const folder = mkdtempSync(join(tmpdir(), 'ocop-scale-out-'));
const owner = Object.assign(new URL(adminUrl()), { pathname: `/ocop_scale_out_${suffix}` });
const login = `ocop_scale_login_${suffix}`;
const appUrl = Object.assign(new URL(owner), { username: login, password: randomBytes(12).toString('hex') });
const redisPrefix = `ocop-scale-out-${suffix}:`;
const secret = randomBytes(24).toString('hex');
const auditKey = generateKeyPairSync('ed25519');

let temporal: RunningDevServer | null = null;
let mail: MailSink | null = null;
let redis: Redis | null = null;
let ownerSql: Sql | null = null;
let env: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  const keyFile = join(folder, 'audit.pem');
  writeFileSync(keyFile, auditKey.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  [temporal, mail, redis] = await Promise.all([
    freePort().then((port) => startDevServer({ port, logFile: join(folder, 'temporal.log') })),
    startMailSink(),
    connectRedis('redis://127.0.0.1:6379/0'),
    createDatabase(owner.toString()),
  ]);
  env = {
    ...process.env,
    DATABASE_URL: appUrl.toString(),
    DATABASE_OWNER_URL: '',
    DATABASE_POOL_SIZE: '4',
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: `scale-out-${suffix}`,
    AUTH_JWT_SECRET: secret,
    AUDIT_SIGNING_KEY_FILE: keyFile,
    OCOP_DATA_DIR: join(folder, 'data'),
    REDIS_URL: 'redis://127.0.0.1:6379/0',
    REDIS_KEY_PREFIX: redisPrefix,
    API_RATE_LIMIT_PER_MINUTE: '100000',
    SMTP_URL: `smtp://127.0.0.1:${mail.port}`,
    MAIL_FROM,
    WEBHOOK_SECRET: '',
    NOTIFY_POLL_SECONDS: '1',
    LOG_LEVEL: 'warn',
  };
}, 240_000);

afterAll(async () => {
  cleanUpProducts();
  await ownerSql?.end();
  if (redis) {
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
  await mail?.close();
  await temporal?.stop();
  await dropDatabase(owner.toString());
  const admin = connect(adminUrl(), { max: 1, asAppRole: false });
  await admin.unsafe(`DROP ROLE IF EXISTS "${login}"`);
  await admin.end();
  rmSync(folder, { recursive: true, force: true });
});

it('two workers, two senders, two APIs: kill -9 of a worker and an API loses, duplicates and resends nothing', async () => {
  const migrate = launchRole('migrate', { ...env, DATABASE_OWNER_URL: owner.toString() });
  expect(await migrate.exit, migrate.output()).toBe(0);
  ownerSql = connect(owner.toString(), { max: 2, asAppRole: false });
  // Every audience of the cycle's notices has an e-mail address: the commune, the province and each subject.
  await seedRecipients(ownerSql, [
    { audience: 'commune', audienceCode: COMMUNE, channel: 'email', address: 'ubnd@commune.invalid' },
    { audience: 'province', audienceCode: PROVINCE, channel: 'email', address: 'ocop@province.invalid' },
    ...Array.from({ length: CASES }, (_, n) => ({
      audience: 'subject' as const,
      audienceCode: `HTX-SCALE-${n}`,
      channel: 'email' as const,
      address: `htx-${n}@subject.invalid`,
    })),
  ]);

  const ports = await Promise.all(Array.from({ length: 6 }, () => freePort()));
  const started = (['worker', 'worker', 'sender', 'sender', 'api', 'api'] as const).map((role, i) =>
    launchRole(role, { ...env, API_PORT: String(ports[i]) }),
  );
  const [worker1, worker2, sender1, sender2, api1, api2] = started as [RunningProduct, ...RunningProduct[]] &
    RunningProduct[];
  await Promise.all(started.map((p) => waitReady(p)));
  log('2 workers, 2 senders, 2 APIs ready');
  const apis = [ports[4], ports[5]].map((port) => `http://127.0.0.1:${port}`);

  const cycles = new HttpCycles({ apis, secret });
  const opened = await cycles.openTodaysRound();
  expect(opened.status, await opened.clone().text()).toBe(201);
  const load = cycles.run({ prefix: 'SCALE', cases: CASES, concurrency: CONCURRENCY });

  while (cycles.counts.acked < 80 && cycles.failures.length === 0) await sleep(200);
  log(`kill -9 of a worker (${worker1.process.pid}) and an API (${api1!.process.pid}) after ${cycles.counts.acked}`);
  worker1.process.kill('SIGKILL');
  api1!.process.kill('SIGKILL');
  await Promise.all([worker1.exit, api1!.exit]);

  await load;
  const { counts } = cycles;
  log(
    `${counts.acked} answered, ${counts.retries} retries (${counts.serverErrors} 5xx, ${counts.timeouts} time-outs, ` +
      `${counts.networkErrors} connection errors)`,
  );
  expect(counts.refused).toEqual([]);
  expect(cycles.failures).toEqual([]);
  expect(cycles.productIds).toHaveLength(CASES);
  expect(counts.acked).toBe(CASES * CYCLE_EVENTS);
  expect(counts.networkErrors + counts.timeouts).toBeGreaterThan(0); // the API's death was felt
  expect(await cycleProblems(ownerSql, cycles)).toEqual([]);

  // The audit's own verification of every stream (checkpoints included: both workers signed theirs).
  const verified = await verifyAll(ownerSql, { publicKey: auditKey.publicKey });
  expect(verified.problems).toEqual([]);

  // Every e-mail row is sent once, by one of the two senders, and reached the SMTP server once.
  const deadline = Date.now() + 120_000;
  const emailRows = () =>
    ownerSql!<{ outbox_key: string; status: string }[]>`
      SELECT outbox_key, status FROM notification_outbox WHERE channel = 'email'`;
  let rows = await emailRows();
  while (rows.some((r) => r.status !== 'sent') && Date.now() < deadline) {
    await sleep(500);
    rows = await emailRows();
  }
  expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
  expect(rows.length).toBeGreaterThanOrEqual(CASES * 5); // received, waiting, evidence, decided, issued
  const received = mail!.received.map((m) => m.mail.messageId);
  expect(received).toHaveLength(rows.length);
  expect(new Set(received).size).toBe(received.length);
  expect(new Set(received)).toEqual(new Set(rows.map((r) => messageIdOf(r.outbox_key, MAIL_FROM))));

  for (const p of [worker2, sender1, sender2, api2]) p!.process.kill('SIGTERM');
  expect(await Promise.all([worker2, sender1, sender2, api2].map((p) => p!.exit))).toEqual([0, 0, 0, 0]);
});
