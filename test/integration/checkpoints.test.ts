import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken } from '../../api/auth';
import {
  CheckpointRefusedError,
  headsRoot,
  lastCheckpoint,
  serializeBundle,
  signBundle,
  signCheckpoint,
  takeCheckpoint,
  verifyAll,
  verifyBundleBytes,
  verifyCase,
  type AuditBundle,
} from '../../audit';
import { proofFor } from '../../audit/checkpoint';
import { createLogger } from '../../config/logger';
import { connect, createDatabase, dropDatabase, migrate } from '../../db';
import { appendToStream } from '../../db/event-store';
import { createCaseWorker } from '../../worker';
import { startHarness, type Harness } from './harness';
import { quietNotifications } from './quiet-notifications';

// Issue 15, finding 2: deleting the last events of a stream (as the database owner, behind the trigger) left a
// shorter chain that verified "ok". Signed checkpoints of every stream's head and the read model's version now name
// the missing tail, in verification, in the state and export answers, and offline in a bundle.
const PROVINCE = '31';
const COMMUNE = '11311';
const SUBJECT = `HTX-CKPT-${randomBytes(2).toString('hex')}`;
const secret = 'checkpoint-api-secret-checkpoint-0001';
const signing = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');
const rotated = generateKeyPairSync('ed25519');

let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let dir: string;
const tokens: Record<string, string> = {};
let keys = 0;

/**
 * A database of this file's own: checkpoints cover every stream of a database and are signed with this file's key,
 * so on the shared one every other file's verification (with its own audit key) would report them.
 */
const databaseUrl = (() => {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_checkpoints_${randomBytes(3).toString('hex')}`;
  return url.toString();
})();

beforeAll(async () => {
  await createDatabase(databaseUrl);
  await migrate(databaseUrl);
  h = await startHarness('checkpoints', { databaseUrl });
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
    auditSigningKey: signing.privateKey,
  });
  dir = mkdtempSync(join(tmpdir(), 'ocop-checkpoints-'));
  writeFileSync(join(dir, 'signing.pem'), signing.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'signing.pub.pem'), signing.publicKey.export({ type: 'spki', format: 'pem' }));
  tokens.subject = await signToken(secret, { sub: SUBJECT, role: 'subject', jurisdiction: SUBJECT });
  tokens.commune = await signToken(secret, { sub: 'ck-commune', role: 'commune_officer', jurisdiction: COMMUNE });
  tokens.auditor = await signToken(secret, { sub: 'ck-auditor', role: 'auditor', jurisdiction: PROVINCE });
});
afterAll(async () => {
  await app?.close();
  await h?.stop();
  await dropDatabase(databaseUrl);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function post(url: string, token: string, payload: object) {
  const res = await app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${token}`, 'idempotency-key': `ckpt-${Date.now()}-${keys++}` },
    payload,
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json<{ productId?: string }>();
}

/** A case registered and driven through `steps` commands over HTTP (1 to 4 events). */
async function caseWith(steps: number): Promise<string> {
  const { productId } = await post('/products', tokens.subject!, {
    subjectId: SUBJECT,
    subjectName: 'HTX kiểm chứng',
    productName: `Mật ong ${randomBytes(2).toString('hex')}`,
    productSetCode: 'sauces-fish-sauce',
    provinceCode: PROVINCE,
    communeCode: COMMUNE,
  });
  const id = productId!;
  const rest: [string, string, object][] = [
    ['accept-idea', tokens.commune!, {}],
    ['submit-business-plan', tokens.subject!, { planRef: 'PA-CK-01' }],
    ['approve-business-plan', tokens.commune!, {}],
  ];
  for (const [step, token, payload] of rest.slice(0, steps - 1)) await post(`/products/${id}/${step}`, token, payload);
  return id;
}

const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens.auditor}` } });

/** What an attacker with the owner's rights does: the trigger off, the stream's last events deleted. */
async function deleteTail(productId: string, from: number): Promise<void> {
  await h.ownerSql.begin(async (tx) => {
    await tx`SET LOCAL session_replication_role = replica`;
    await tx`DELETE FROM events WHERE stream_id = ${productId} AND stream_position >= ${from}`;
  });
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/ocop.ts', ...args],
      {
        cwd: join(import.meta.dirname, '..', '..'),
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          AUDIT_SIGNING_KEY_FILE: join(dir, 'signing.pem'),
          LOG_LEVEL: 'error',
          ...env,
        },
        timeout: 90_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let truncated = '';
let intact = '';
let goodBundle: AuditBundle;

describe('a stream whose last events were deleted', () => {
  it('is named by the read model even before any checkpoint covers it', async () => {
    const id = await caseWith(4);
    expect((await get(`/products/${id}/verification`)).json()).toMatchObject({ ok: true, events: 4 });
    await deleteTail(id, 3);

    const res = await get(`/products/${id}/verification`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ problems: string[] }>();
    expect(body).toMatchObject({
      ok: false,
      events: 2,
      firstBreak: null,
      readModelVersion: 4,
      missingTail: { from: 3, to: 4, detectedBy: ['read_model'] },
    });
    expect(body.problems[0]).toContain('missing tail: positions 3..4 absent');

    // The state answer says that what it replayed does not verify.
    const state = await get(`/products/${id}/state?at=${encodeURIComponent(new Date().toISOString())}`);
    expect(state.statusCode, state.body).toBe(200);
    expect(state.json()).toMatchObject({
      version: 2,
      chain: { ok: false, missingTail: { from: 3, to: 4 } },
    });

    const one = await cli(['audit', 'verify', '--case', id]);
    expect(one.code, one.stderr).toBe(1);
    expect(one.stdout).toContain(`BROKEN ${id}: missing tail: positions 3..4 absent`);

    // Every event gone: verification still answers from the read model; state and export refuse to serve nothing.
    const emptied = await caseWith(2);
    await deleteTail(emptied, 1);
    expect((await get(`/products/${emptied}/verification`)).json()).toMatchObject({
      ok: false,
      events: 0,
      missingTail: { from: 1, to: 2, detectedBy: ['read_model'] },
    });
    for (const url of [
      `/products/${emptied}/state?at=${encodeURIComponent(new Date().toISOString())}`,
      `/products/${emptied}/export`,
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(409);
      expect(res.json()).toMatchObject({
        code: 'chain_broken',
        detail: expect.stringContaining('positions 1..2 absent'),
      });
    }
  });

  it('is named by the last signed checkpoint even when the read model was rewritten to match', async () => {
    [truncated, intact] = await Promise.all([caseWith(4), caseWith(2)]);
    const taken = await cli(['audit', 'checkpoint']);
    expect(taken.code, taken.stdout + taken.stderr).toBe(0);
    expect(taken.stdout).toMatch(/^checkpoint \d+: \d+ streams/);
    const checkpoint = (await lastCheckpoint(h.sql))!;

    const before = await get(`/products/${truncated}/verification`);
    expect(before.json()).toMatchObject({
      ok: true,
      checkpoint: { seq: checkpoint.seq, streamPosition: 4, valid: true, holds: true },
    });
    const exported = await get(`/products/${truncated}/export`);
    goodBundle = JSON.parse(exported.body) as AuditBundle;
    expect(verifyBundleBytes(exported.body, { publicKey: signing.publicKey })).toMatchObject({
      ok: true,
      checkpoint: { seq: checkpoint.seq, streamPosition: 4 },
    });

    await deleteTail(truncated, 3);
    await h.ownerSql`UPDATE cases SET version = 2 WHERE product_id = ${truncated}`;

    const res = await get(`/products/${truncated}/verification`);
    const body = res.json<{ problems: string[] }>();
    expect(body).toMatchObject({
      ok: false,
      events: 2,
      firstBreak: null,
      readModelVersion: 2,
      missingTail: { from: 3, to: 4, detectedBy: ['checkpoint'] },
      checkpoint: { seq: checkpoint.seq, streamPosition: 4, valid: true, holds: false },
    });
    expect(body.problems[0]).toContain('missing tail: positions 3..4 absent');
    expect((await verifyCase(h.sql, intact)).ok).toBe(true);

    const all = await verifyAll(h.sql, { batchSize: 7, publicKey: signing.publicKey });
    expect(all.ok).toBe(false);
    expect(all.missing).toContainEqual({ streamId: truncated, from: 3, to: 4, detectedBy: ['checkpoint'] });
    expect(all.missing.map((m) => m.streamId)).not.toContain(intact);
    expect(all.checkpoint).toMatchObject({ seq: checkpoint.seq, ok: true });

    const cliAll = await cli(['audit', 'verify', '--batch-size', '5']);
    expect(cliAll.code).toBe(1);
    expect(cliAll.stdout).toContain(`BROKEN ${truncated}: missing tail: positions 3..4 absent (checkpoint)`);
    expect(cliAll.stdout).not.toContain(`BROKEN ${intact}`);
  });

  it('stays named after later checkpoints, which keep the checkpointed head of a stream that lost it', async () => {
    await caseWith(1); // a head changes, so a new checkpoint is taken
    const result = await takeCheckpoint(h.sql, signing.privateKey);
    expect(result.taken).toBe(true);
    expect(result.regressed).toContainEqual(
      expect.objectContaining({ streamId: truncated, missing: { from: 3, to: 4 } }),
    );
    const verified = await verifyCase(h.sql, truncated, { publicKey: signing.publicKey });
    expect(verified).toMatchObject({
      ok: false,
      missingTail: { from: 3, to: 4, detectedBy: ['checkpoint'] },
      checkpoint: { seq: result.checkpoint!.seq, streamPosition: 4, holds: false },
    });
  });

  it('is checkpointed by the worker when it starts and every AUDIT_CHECKPOINT_MINUTES', async () => {
    const before = (await lastCheckpoint(h.sql))!.seq;
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const worker = await createCaseWorker({
      connection,
      namespace: 'default',
      taskQueue: `checkpointer-${randomBytes(4).toString('hex')}`,
      sql: h.sql,
      log: createLogger('silent'),
      workflowBundle: { codePath: inject('workflowBundlePath') },
      notifications: quietNotifications,
      checkpoints: { signingKey: signing.privateKey, intervalMinutes: 0.005 },
    });
    const running = worker.run();
    const covered = async (productId: string, position: number) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const anchor = (await verifyCase(h.sql, productId)).checkpoint;
        if (anchor?.streamPosition === position) return anchor;
        if (Date.now() > deadline) throw new Error(`no checkpoint covered ${productId}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      const first = await covered(await caseWith(1), 1);
      expect(first.seq).toBeGreaterThan(before);
      const second = await covered(await caseWith(2), 2);
      expect(second).toMatchObject({ streamPosition: 2, holds: true, valid: true });
      expect(second.seq).toBeGreaterThan(first.seq);
      // Every checkpoint the worker took still keeps the truncated stream's head.
      expect((await verifyCase(h.sql, truncated)).missingTail).toMatchObject({ detectedBy: ['checkpoint'] });
    } finally {
      worker.shutdown();
      await running;
      await connection.close();
    }
  });

  it('is said in the export, and an offline import-verify of the bundle names the missing tail', async () => {
    const res = await get(`/products/${truncated}/export`);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    const bundle = JSON.parse(res.body) as AuditBundle;
    expect(bundle.chain).toMatchObject({ ok: false, missingTail: { from: 3, to: 4 } });
    expect(bundle.events).toHaveLength(2);
    expect(bundle.checkpoint).toMatchObject({ leaf: { streamId: truncated, streamPosition: 4 } });

    const offline = verifyBundleBytes(res.body, { publicKey: signing.publicKey });
    expect(offline.ok).toBe(false);
    expect(offline.failures).toContainEqual({
      check: 'tail',
      message: expect.stringContaining('missing tail: positions 3..4 absent') as string,
    });

    const file = join(dir, 'truncated.json');
    writeFileSync(file, res.body);
    const verified = await cli(['audit', 'import-verify', file, '--public-key', join(dir, 'signing.pub.pem')], {
      DATABASE_URL: '',
    });
    expect(verified.code, verified.stderr).toBe(1);
    expect(verified.stdout).toContain('FAILED tail: missing tail: positions 3..4 absent');

    const cliFile = join(dir, 'cli-truncated.json');
    const cliExport = await cli(['audit', 'export', '--case', truncated, '--out', cliFile]);
    expect(cliExport.code, cliExport.stderr).toBe(1);
    expect(cliExport.stdout).toContain(`BROKEN ${truncated}: missing tail: positions 3..4 absent`);
    const cliBundle = JSON.parse(readFileSync(cliFile, 'utf8')) as AuditBundle;
    expect(cliBundle.checkpoint).toMatchObject({ leaf: { streamId: truncated, streamPosition: 4 } });
    expect(cliBundle.chain).toMatchObject({ ok: false });

    const fine = await get(`/products/${intact}/export`);
    expect(verifyBundleBytes(fine.body, { publicKey: signing.publicKey })).toMatchObject({
      ok: true,
      checkpoint: { streamPosition: 2 },
    });
  });

  it('detects a bundle truncated by hand and re-signed, from the checkpoint proof it carries', async () => {
    expect(goodBundle.events).toHaveLength(4);
    const cut = structuredClone(goodBundle);
    cut.events = cut.events.slice(0, 2);
    cut.head = { version: 2, hash: cut.events[1]!.hash };
    const { signer: _s, signature: _sig, ...unsigned } = cut;
    const resigned = signBundle(unsigned, stranger.privateKey);
    const bytes = serializeBundle(resigned);

    const pinned = verifyBundleBytes(bytes, { publicKey: signing.publicKey });
    expect(pinned.failures.map((f) => f.check)).toEqual(['trusted_key', 'tail']);
    const unpinned = verifyBundleBytes(bytes);
    expect(unpinned.ok).toBe(false);
    expect(unpinned.failures.map((f) => f.check)).toEqual(['checkpoint', 'tail']);
    expect(unpinned.failures[1]!.message).toContain('missing tail: positions 3..4 absent');

    const file = join(dir, 'cut.json');
    writeFileSync(file, bytes);
    const offline = await cli(['audit', 'import-verify', file], { DATABASE_URL: '' });
    expect(offline.code).toBe(1);
    expect(offline.stdout).toContain('FAILED tail: missing tail: positions 3..4 absent');
  });

  it('refuses a forged checkpoint: offline in a bundle, and in the store', async () => {
    // The checkpoint's leaf moved to the truncated head, its signature kept: the proof no longer leads to the root.
    const cut = structuredClone(goodBundle);
    cut.events = cut.events.slice(0, 2);
    cut.head = { version: 2, hash: cut.events[1]!.hash };
    cut.checkpoint!.leaf = { streamId: truncated, streamPosition: 2, hash: cut.events[1]!.hash };
    const { signer: _s, signature: _sig, ...unsigned } = cut;
    const moved = verifyBundleBytes(serializeBundle(signBundle(unsigned, signing.privateKey)));
    expect(moved.failures).toEqual([
      { check: 'checkpoint', message: expect.stringContaining('does not lead to the signed root') as string },
    ]);
    // ... and with a root made to match, the signature of the checkpoint fails.
    const rooted = structuredClone(cut);
    const leaf = rooted.checkpoint!.leaf;
    const forged = proofFor(
      signCheckpoint({ ...pick(rooted.checkpoint!), streams: 1, root: headsRoot([leaf]) }, stranger.privateKey),
      [leaf],
      truncated,
    )!;
    rooted.checkpoint = { ...forged, signer: rooted.checkpoint!.signer, signature: rooted.checkpoint!.signature };
    const { signer: _s2, signature: _sig2, ...unsigned2 } = rooted;
    const resigned = verifyBundleBytes(serializeBundle(signBundle(unsigned2, signing.privateKey)));
    expect(resigned.ok).toBe(false);
    expect(resigned.failures.map((f) => f.message).join('\n')).toContain('the signature does not match its content');

    // In the store: the owner inserts a checkpoint signed with another key. On a database of its own, since the
    // store then takes no checkpoint until someone looks, and every verification of it fails.
    const url = new URL(inject('databaseUrl'));
    url.pathname = `${url.pathname}_forged_${randomBytes(3).toString('hex')}`;
    await createDatabase(url.toString());
    try {
      await migrate(url.toString());
      const sql = connect(url.toString(), { max: 2 });
      const owner = connect(url.toString(), { max: 1, asAppRole: false });
      try {
        const actor = { userId: 'u1', role: 'subject' as const, office: 'S1' };
        const occurredAt = new Date().toISOString();
        for (const [i, type] of ['A', 'B'].entries()) {
          await appendToStream(sql, {
            streamId: 'P-FORGED',
            commandId: `c${i}`,
            expectedVersion: i,
            actor,
            occurredAt,
            ruleSetId: 'QD26_2026',
            events: [{ type, data: {} }],
          });
        }
        const first = await takeCheckpoint(sql, signing.privateKey);
        expect(first).toMatchObject({ taken: true, checkpoint: { seq: 1, streams: 1 } });
        expect(await verifyCase(sql, 'P-FORGED', { publicKey: signing.publicKey })).toMatchObject({ ok: true });

        // A key rotation: the new key continues the chain only when told which key signed the last checkpoint.
        await appendToStream(sql, {
          streamId: 'P-FORGED',
          commandId: 'c2',
          expectedVersion: 2,
          actor,
          occurredAt,
          ruleSetId: 'QD26_2026',
          events: [{ type: 'C', data: {} }],
        });
        await expect(takeCheckpoint(sql, rotated.privateKey)).rejects.toThrow(CheckpointRefusedError);
        const second = await takeCheckpoint(sql, rotated.privateKey, { previousPublicKey: signing.publicKey });
        expect(second).toMatchObject({ taken: true, checkpoint: { seq: 2, prevHash: first.checkpoint!.hash } });
        expect(await verifyAll(sql, { publicKey: rotated.publicKey })).toMatchObject({ ok: true, checkpoints: 2 });

        const fake = signCheckpoint(
          {
            seq: 3,
            takenAt: new Date().toISOString(),
            streams: 0,
            root: headsRoot([]),
            prevHash: second.checkpoint!.hash,
          },
          stranger.privateKey,
        );
        await owner`INSERT INTO checkpoints ${owner({
          seq: fake.seq,
          taken_at: fake.takenAt,
          streams: fake.streams,
          root: fake.root,
          prev_hash: fake.prevHash,
          signer_public_key: fake.signer.publicKey,
          signer_fingerprint: fake.signer.fingerprint,
          signature: fake.signature,
          hash: fake.hash,
        })}`;
        const forgedStore = await verifyCase(sql, 'P-FORGED', { publicKey: rotated.publicKey });
        expect(forgedStore.ok).toBe(false);
        expect(forgedStore.problems.join('\n')).toContain('checkpoint 3: signed by');
        const all = await verifyAll(sql, { publicKey: rotated.publicKey });
        expect(all).toMatchObject({ ok: false, checkpoint: { seq: 3, ok: false } });
        await expect(takeCheckpoint(sql, rotated.privateKey)).rejects.toThrow(CheckpointRefusedError);
        const refused = await cli(['audit', 'checkpoint'], { DATABASE_URL: url.toString() });
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain('does not verify');
        const cliVerify = await cli(['audit', 'verify'], { DATABASE_URL: url.toString() });
        expect(cliVerify.code).toBe(1);
        expect(cliVerify.stdout).toContain('BROKEN checkpoint: checkpoint 3: signed by');
      } finally {
        await sql.end();
        await owner.end();
      }
    } finally {
      await dropDatabase(url.toString());
    }
  });
});

/** The members of a checkpoint that its signer chooses. */
function pick(cp: NonNullable<AuditBundle['checkpoint']>) {
  return { seq: cp.seq, takenAt: cp.takenAt, streams: cp.streams, root: cp.root, prevHash: cp.prevHash };
}

describe('the checkpoint tables', () => {
  it('are append-only, as the application role and as the owner', async () => {
    await expect(h.sql`UPDATE checkpoints SET streams = 0`).rejects.toThrow();
    await expect(h.sql`DELETE FROM checkpoint_heads`).rejects.toThrow();
    await expect(h.ownerSql`DELETE FROM checkpoints`).rejects.toThrow(/append-only/);
    await expect(h.ownerSql`UPDATE checkpoint_heads SET stream_position = 1`).rejects.toThrow(/append-only/);
    await expect(h.ownerSql`TRUNCATE checkpoint_heads`).rejects.toThrow(/append-only/);
  });
});
