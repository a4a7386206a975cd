import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken } from '../../api/auth';
import { createLogger } from '../../config/logger';
import { readStream, verifyChain } from '../../db/event-store';
import { caseWorkflowId, snapshotQuery } from '../../workflows/messages';
import { startHarness, type Harness } from './harness';

// Real places from ../shared/data/admin-units (after the July 2025 reform): Thái Nguyên province (19), Tân Cương
// ward (05536... see test/fixtures); the codes only need to be consistent between token and body here.
const PROVINCE = '19';
const COMMUNE = '05443';
const secret = 'test-secret-test-secret-test-secret-0123';

let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let officer: string;
let otherCommune: string;

beforeAll(async () => {
  h = await startHarness('skeleton');
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
  });
  officer = await signToken(secret, { sub: 'officer-1', role: 'commune_officer', jurisdiction: COMMUNE });
  otherCommune = await signToken(secret, { sub: 'officer-2', role: 'commune_officer', jurisdiction: '99999' });
});
afterAll(async () => {
  await app?.close();
  await h?.stop();
});

const idea = {
  subjectId: 'HTX-TAN-CUONG',
  subjectName: 'Hợp tác xã chè Tân Cương',
  productName: 'Chè búp Tân Cương',
  productSetCode: 'tea',
  provinceCode: PROVINCE,
  communeCode: COMMUNE,
  ideaSummary: 'Chè búp sấy khô đóng hộp',
};

function register(key: string, body: unknown = idea, token = officer) {
  return app.inject({
    method: 'POST',
    url: '/products',
    headers: { authorization: `Bearer ${token}`, 'idempotency-key': key },
    payload: body as Record<string, unknown>,
  });
}

describe('walking skeleton: POST /products → workflow → event store → read model → GET', () => {
  it('registers an idea, records IdeaRegistered and serves the case from the read model', async () => {
    const res = await register('skeleton-key-0001');
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json<{ productId: string; stage: string; version: number }>();
    expect(created).toMatchObject({
      stage: 'idea_registered',
      version: 1,
      provinceCode: PROVINCE,
      communeCode: COMMUNE,
    });
    expect(res.headers.location).toBe(`/products/${created.productId}`);

    const events = await readStream(h.sql, created.productId);
    expect(events.map((e) => e.type)).toEqual(['IdeaRegistered']);
    expect(events[0]!.actor).toEqual({ userId: 'officer-1', role: 'commune_officer', office: COMMUNE });
    expect(verifyChain(events)).toBeNull();

    const got = await app.inject({
      method: 'GET',
      url: `/products/${created.productId}`,
      headers: { authorization: `Bearer ${officer}` },
    });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(created);

    const snapshot = await h.client.workflow.getHandle(caseWorkflowId(created.productId)).query(snapshotQuery);
    expect(snapshot.state.status).toBe('idea_registered');
  });

  it('returns the same product for a repeated Idempotency-Key, never a second one', async () => {
    const first = await register('skeleton-key-0002');
    const again = await register('skeleton-key-0002');
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    const productId = first.json<{ productId: string }>().productId;
    expect(await readStream(h.sql, productId)).toHaveLength(1);
    const rows = await h.sql`SELECT 1 FROM cases WHERE product_id = ${productId}`;
    expect(rows).toHaveLength(1);
  });

  it('answers a bad body with 400 naming each field, and records nothing', async () => {
    const before = await h.sql<{ count: string }[]>`SELECT count(*) FROM events`;
    const res = await register('skeleton-key-0003', { ...idea, productName: '', extra: 1, provinceCode: undefined });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const fields = res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.productName', 'body.provinceCode']));
    expect(fields).toContain('body.extra');
    const after = await h.sql<{ count: string }[]>`SELECT count(*) FROM events`;
    expect(after[0]!.count).toBe(before[0]!.count);
  });

  it('requires a token and an Idempotency-Key', async () => {
    const anonymous = await app.inject({
      method: 'POST',
      url: '/products',
      payload: idea,
      headers: { 'idempotency-key': 'k-000000001' },
    });
    expect(anonymous.statusCode).toBe(401);
    const noKey = await app.inject({
      method: 'POST',
      url: '/products',
      payload: idea,
      headers: { authorization: `Bearer ${officer}` },
    });
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json<{ errors: { field: string }[] }>().errors[0]!.field).toMatch(/idempotency-key/);
  });

  it('hides a case from an official of another commune (404, not 403)', async () => {
    const created = (await register('skeleton-key-0004')).json<{ productId: string }>();
    const res = await app.inject({
      method: 'GET',
      url: `/products/${created.productId}`,
      headers: { authorization: `Bearer ${otherCommune}` },
    });
    expect(res.statusCode).toBe(404);
  });

  it('lets operators find the case in Temporal by stage, province and commune', async () => {
    const created = (await register('skeleton-key-0005')).json<{ productId: string }>();
    const query =
      `WorkflowId = '${caseWorkflowId(created.productId)}' AND OcopStage = 'idea_registered' ` +
      `AND OcopProvince = '${PROVINCE}' AND OcopCommune = '${COMMUNE}'`;
    // Visibility is eventually consistent: poll briefly.
    let found: string[] = [];
    for (let i = 0; i < 50 && found.length === 0; i++) {
      found = [];
      for await (const w of h.client.workflow.list({ query })) found.push(w.workflowId);
      if (found.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(found).toEqual([caseWorkflowId(created.productId)]);
  });

  it('reports Temporal and PostgreSQL reachable on /health', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', temporal: { ok: true }, postgres: { ok: true } });
  });
});
