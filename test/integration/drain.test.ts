/**
 * SIGTERM drains (README, "Stopping"): a process stops taking new work, finishes what it holds within
 * SHUTDOWN_GRACE_SECONDS, then exits 0. An API process answers a command it received before the signal, however long
 * its case takes, and refuses a request sent after; a worker finishes the append it is making; a sender process
 * finishes the e-mail it is sending and claims no notice queued after the signal. Each process runs the product's entry point with its role, on a database of
 * this file's own.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCase } from '../../bench/driver';
import { cycleSteps } from '../../bench/path';
import { connect, createDatabase, dropDatabase, migrate, type Sql } from '../../db';
import type { Notice } from '../../domain/notifications';
import { outboxKeyOf, seedRecipients } from '../../notifications';
import { enqueue } from '../../notifications/outbox';
import { freePort } from '../../temporal/dev-server';
import { cleanUpProducts, launchRole, registerOverHttp, waitReady, type RunningProduct } from '../support/product';
import { startMailSink, type MailSink } from './notification-servers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const suffix = randomBytes(4).toString('hex');
const folder = mkdtempSync(join(tmpdir(), 'ocop-drain-'));
const databaseUrl = Object.assign(new URL(inject('databaseUrl')), {
  pathname: `${new URL(inject('databaseUrl')).pathname}_drain_${suffix}`,
}).toString();
const secret = randomBytes(24).toString('hex');
let sql: Sql;
let mail: MailSink;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const keyFile = join(folder, 'audit.pem');
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  await createDatabase(databaseUrl);
  await migrate(databaseUrl);
  sql = connect(databaseUrl, { max: 2, asAppRole: false });
  mail = await startMailSink();
  env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    DATABASE_OWNER_URL: '',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `drain-${suffix}`,
    AUTH_JWT_SECRET: secret,
    AUDIT_SIGNING_KEY_FILE: keyFile,
    OCOP_DATA_DIR: join(folder, 'data'),
    SMTP_URL: `smtp://127.0.0.1:${mail.port}`,
    WEBHOOK_SECRET: '',
    NOTIFY_POLL_SECONDS: '1',
    SHUTDOWN_GRACE_SECONDS: '60',
    API_COMMAND_TIMEOUT_SECONDS: '120',
    LOG_LEVEL: 'warn',
  };
});

afterAll(async () => {
  cleanUpProducts();
  await mail?.close();
  await sql?.end();
  await dropDatabase(databaseUrl);
  rmSync(folder, { recursive: true, force: true });
});

async function launch(role: string): Promise<{ process: RunningProduct; url: string }> {
  const port = await freePort();
  const p = launchRole(role, { ...env, API_PORT: String(port) });
  await waitReady(p);
  return { process: p, url: `http://127.0.0.1:${port}` };
}

describe('SIGTERM', () => {
  it('an API answers the command it holds, refuses what comes after, then exits 0', async () => {
    const api = await launch('api');
    // No worker polls the task queue yet: the registration waits in Temporal, its request open.
    const inFlight = registerOverHttp(api.url, secret, `drain-${suffix}`);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const [claims] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM api_idempotency`;
      if (claims!.n > 0) break;
      await sleep(100);
    }
    api.process.process.kill('SIGTERM');
    await sleep(1_000);
    expect(api.process.process.exitCode).toBeNull(); // still draining
    const after = await fetch(`${api.url}/product-sets`).then(
      (res) => res.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(after);

    // The case's worker comes: the held request is answered, and only then does the API exit, with 0.
    const worker = await launch('worker');
    const answer = await inFlight;
    expect(answer.status, await answer.clone().text()).toBe(201);
    expect(await api.process.exit).toBe(0);
    worker.process.process.kill('SIGTERM');
    expect(await worker.process.exit).toBe(0);
  });

  it('a worker finishes the append in flight, then exits 0', async () => {
    const worker = await launch('worker');
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    let release = () => undefined as void;
    const lock = sql.begin(async (tx) => {
      // The append writes the cases read model in its transaction: it waits for this lock.
      await tx`LOCK TABLE cases IN EXCLUSIVE MODE`;
      await new Promise<void>((resolve) => (release = resolve));
    });
    try {
      const client = new Client({ connection, namespace: 'default' });
      const productId = `DRAIN-${suffix}`;
      const command = runCase(client, env.TEMPORAL_TASK_QUEUE!, productId, cycleSteps(productId).slice(0, 1));
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [waiting] = await sql<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%cases%'`;
        if (waiting!.n > 0 || Date.now() > deadline) break;
        await sleep(100);
      }
      worker.process.process.kill('SIGTERM');
      await sleep(2_000);
      expect(worker.process.process.exitCode).toBeNull(); // waiting for its append
      release();
      await lock;
      await command; // answered by the stopping worker
      expect(await worker.process.exit).toBe(0);
      const [events] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM events WHERE stream_id = ${productId}`;
      expect(events!.n).toBe(1);
    } finally {
      release();
      await lock.catch(() => undefined);
      await connection.close();
    }
  });

  it('a sender finishes the e-mail it is sending and claims nothing queued after, then exits 0', async () => {
    const subject = `HTX-drain-${suffix}`;
    const address = `drain-${suffix}@htx.example.vn`;
    await seedRecipients(sql, [{ audience: 'subject', audienceCode: subject, channel: 'email', address }]);
    const notice = (n: number): Notice => ({
      key: `P-drain-${suffix}:certificate_expiring_soon:2029-06-1${n}`,
      kind: 'certificate_expiring_soon',
      productId: `P-drain-${suffix}`,
      audience: 'subject',
      audienceCode: subject,
      dueAt: '2029-05-16T01:00:00.000Z',
      staleAt: null,
      facts: { certificateNumber: `GCN-drain-${n}`, expiresOn: '2029-06-15', star: 4 },
    });
    const row = (n: number) => ({
      outboxKey: outboxKeyOf(notice(n).key, 'email', address),
      notice: notice(n),
      channel: 'email' as const,
      recipient: address,
      language: 'vi' as const,
    });
    const held = mail.hold();
    await enqueue(sql, [row(1)]);
    const sender = await launch('sender');
    await held.arrived; // the first e-mail is being sent
    sender.process.process.kill('SIGTERM');
    await sleep(500);
    await enqueue(sql, [row(2)]);
    await sleep(3_000); // three of the sender's sweeps, had it not stopped taking rows
    expect(sender.process.process.exitCode).toBeNull();
    held.release();
    expect(await sender.process.exit).toBe(0);

    const rows = await sql<{ outbox_key: string; status: string }[]>`
      SELECT outbox_key, status FROM notification_outbox WHERE recipient = ${address} ORDER BY id`;
    expect(rows.map((r) => r.status)).toEqual(['sent', 'pending']);
    expect(mail.received.map((m) => m.rcptTo)).toEqual([[address]]);
  });
});
