import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken } from '../../api/auth';
import { verifyBundleBytes } from '../../audit';
import { createLogger } from '../../config/logger';
import { startHarness, type Harness } from './harness';

// The auditor's features over HTTP (issue 4): state as of an instant, chain verification naming the first altered
// event, and a signed export that verifies offline.
const PROVINCE = '33';
const COMMUNE = '11953';
const SUBJECT = 'HTX-AUDIT-API';
const secret = 'audit-api-secret-audit-api-secret-0001';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');

let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let productId = '';
const tokens: Record<string, string> = {};
const times: string[] = [];

beforeAll(async () => {
  h = await startHarness('api-audit');
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
    auditSigningKey: privateKey,
  });
  tokens.subject = await signToken(secret, { sub: SUBJECT, role: 'subject', jurisdiction: SUBJECT });
  tokens.commune = await signToken(secret, { sub: 'aa-commune', role: 'commune_officer', jurisdiction: COMMUNE });
  tokens.auditor = await signToken(secret, { sub: 'aa-auditor', role: 'auditor', jurisdiction: PROVINCE });
  tokens.outsider = await signToken(secret, { sub: 'aa-outsider', role: 'auditor', jurisdiction: '34' });
  const created = await app.inject({
    method: 'POST',
    url: '/products',
    headers: { authorization: `Bearer ${tokens.subject}`, 'idempotency-key': `audit-api-${Date.now()}-1` },
    payload: {
      subjectId: SUBJECT,
      subjectName: 'HTX kiểm toán',
      productName: 'Nước mắm',
      productSetCode: 'sauces-fish-sauce',
      provinceCode: PROVINCE,
      communeCode: COMMUNE,
    },
  });
  productId = created.json<{ productId: string }>().productId;
  times.push(new Date().toISOString());
  await new Promise((r) => setTimeout(r, 20));
  const accepted = await app.inject({
    method: 'POST',
    url: `/products/${productId}/accept-idea`,
    headers: { authorization: `Bearer ${tokens.commune}`, 'idempotency-key': `audit-api-${Date.now()}-2` },
    payload: {},
  });
  expect(accepted.statusCode, accepted.body).toBe(200);
});
afterAll(async () => {
  await app?.close();
  await h?.stop();
});

const get = (url: string, token: string) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

describe('audit over HTTP', () => {
  it('gives the state as of an instant between two commands', async () => {
    const res = await get(`/products/${productId}/state?at=${encodeURIComponent(times[0]!)}`, tokens.auditor!);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ version: 1, state: { status: 'idea_registered' } });
    const now = await get(
      `/products/${productId}/state?at=${encodeURIComponent(new Date().toISOString())}`,
      tokens.auditor!,
    );
    expect(now.json()).toMatchObject({ version: 2, state: { status: 'idea_accepted' } });
  });

  it('exports a signed bundle that verifies offline with the public key', async () => {
    const res = await get(`/products/${productId}/export`, tokens.auditor!);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    const verified = verifyBundleBytes(Buffer.from(res.body), { publicKey });
    expect(verified).toMatchObject({ ok: true, productId, events: 2 });
    expect(res.body).toContain('"IdeaAccepted"');
    const altered = Buffer.from(res.body.replace('"IdeaAccepted"', '"IdeaAcceptex"'));
    expect(verifyBundleBytes(altered, { publicKey }).ok).toBe(false);
  });

  it('verifies the chain, then names the event a superuser altered', async () => {
    const intact = await get(`/products/${productId}/verification`, tokens.auditor!);
    expect(intact.json()).toMatchObject({ ok: true, events: 2, firstBreak: null });
    await h.ownerSql.begin(async (tx) => {
      await tx`SET LOCAL session_replication_role = replica`;
      await tx`UPDATE events SET data = jsonb_set(data, '{note}', '"sửa trái phép"')
               WHERE stream_id = ${productId} AND stream_position = 2`;
    });
    const broken = await get(`/products/${productId}/verification`, tokens.auditor!);
    expect(broken.json()).toMatchObject({ ok: false, firstBreak: { streamPosition: 2, reason: 'hash_mismatch' } });
  });

  it('hides the case from an auditor of another province and refuses a subject', async () => {
    expect((await get(`/products/${productId}/verification`, tokens.outsider!)).statusCode).toBe(404);
    expect((await get(`/products/${productId}/verification`, tokens.subject!)).statusCode).toBe(403);
  });
});
