import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken, type UserRole } from '../../api/auth';
import { COMMAND_EXAMPLES } from '../../api/examples';
import { statistics, STATISTICS_DIMENSIONS } from '../../read-models/counts/queries';
import { kebabOf, type CaseCommandType } from '../../api/routes/commands';
import { createLogger } from '../../config/logger';
import { openTodaysRound } from '../support/rounds';
import { startHarness, type Harness } from './harness';

// Codes only this file uses, so counts and lists are not disturbed by files running beside it.
const PROVINCE = '25';
const COMMUNE = '04792';
const SUBJECT = 'HTX-LIFECYCLE';
const secret = 'lifecycle-secret-lifecycle-secret-0123';

let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
const tokens: Record<string, string> = {};
let keys = 0;

async function token(role: UserRole, jurisdiction: string, sub = `lc-${role}-${jurisdiction}`): Promise<string> {
  return signToken(secret, { sub, role, jurisdiction });
}

beforeAll(async () => {
  h = await startHarness('api-lifecycle');
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
  });
  tokens.subject = await token('subject', SUBJECT, SUBJECT);
  tokens.commune = await token('commune_officer', COMMUNE);
  tokens.province = await token('provincial_office', PROVINCE);
  // Dossiers forwarded today join the round of the calendar the province has opened.
  await openTodaysRound(app, tokens.province, PROVINCE);
  tokens.auditor = await token('auditor', PROVINCE);
  tokens.otherCommune = await token('commune_officer', '04795');
  tokens.otherProvince = await token('provincial_office', '26');
});
afterAll(async () => {
  await app?.close();
  await h?.stop();
});

const idea = {
  subjectId: SUBJECT,
  subjectName: 'Hợp tác xã chè Tân Cương',
  productName: 'Chè búp Tân Cương',
  productSetCode: 'tea',
  provinceCode: PROVINCE,
  communeCode: COMMUNE,
  ideaSummary: 'Chè búp sấy khô đóng hộp',
};

interface Answer {
  case: { productId: string; stage: string; version: number; star: number | null; certificateNumber: string | null };
  events: { type: string }[];
}

function nextKey(): string {
  keys += 1;
  return `lifecycle-${Date.now()}-${keys}`;
}

async function register(as = tokens.subject!, body: object = idea) {
  const res = await app.inject({
    method: 'POST',
    url: '/products',
    headers: { authorization: `Bearer ${as}`, 'idempotency-key': nextKey() },
    payload: body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ productId: string; version: number }>().productId;
}

function send(
  productId: string,
  type: CaseCommandType,
  as: string,
  body: object = COMMAND_EXAMPLES[type],
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: 'POST',
    url: `/products/${productId}/${kebabOf(type)}`,
    headers: { authorization: `Bearer ${as}`, 'idempotency-key': nextKey(), ...headers },
    payload: body,
  });
}

async function step(productId: string, type: CaseCommandType, as: string, body?: object): Promise<Answer> {
  const res = await send(productId, type, as, body);
  expect(res.statusCode, `${type}: ${res.body}`).toBe(200);
  return res.json<Answer>();
}

function get(url: string, as: string) {
  return app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${as}` } });
}

describe('a product from idea to a 4★ certificate, over HTTP only', () => {
  let productId: string;

  it('walks every step with the right role’s token', async () => {
    productId = await register();
    const s = tokens.subject!;
    const c = tokens.commune!;
    const p = tokens.province!;
    const steps: [CaseCommandType, string, string, object?][] = [
      ['AcceptIdea', c, 'idea_accepted'],
      ['SubmitBusinessPlan', s, 'plan_submitted'],
      ['ApproveBusinessPlan', c, 'plan_approved'],
      ['SubmitDossier', s, 'dossier_submitted'],
      ['AssessDossierAtCommune', c, 'commune_assessed'],
      ['ForwardDossierToProvince', c, 'forwarded'],
      ['AssignToProvincialRound', p, 'under_review'],
      ['RecordCouncilResult', p, 'council_scored'],
      ['DecideRecognition', p, 'recognised'],
      ['IssueCertificate', p, 'certified', { certificateNumber: 'GCN-LC-0001' }],
    ];
    let version = 1;
    for (const [type, as, stage, body] of steps) {
      const answer = await step(productId, type, as, body);
      expect(answer.case.stage, type).toBe(stage);
      expect(answer.events.length, type).toBeGreaterThan(0);
      expect(answer.case.version).toBe(version + answer.events.length);
      version = answer.case.version;
    }

    const detail = await get(`/products/${productId}`, tokens.subject!);
    expect(detail.statusCode).toBe(200);
    expect(detail.headers.etag).toBe(`"${version}"`);
    const body = detail.json<{
      stage: string;
      star: number;
      certificateNumber: string;
      deadlines: { kind: string }[];
    }>();
    expect(body).toMatchObject({ stage: 'certified', star: 4, certificateNumber: 'GCN-LC-0001' });
    // A certificate brings its re-rating window and its expiry as deadlines.
    expect(body.deadlines.map((d) => d.kind)).toContain('re_rating_window_opens');
  });

  it('shows the history with who acted, oldest first', async () => {
    const res = await get(`/products/${productId}/history`, tokens.auditor!);
    expect(res.statusCode).toBe(200);
    const history = res.json<{ items: { position: number; type: string; actor: { role: string } }[] }>();
    expect(history.items[0]).toMatchObject({ position: 1, type: 'IdeaRegistered', actor: { role: 'subject' } });
    expect(history.items.map((e) => e.type)).toContain('CertificateIssued');
    expect(history.items.map((e) => e.position)).toEqual(history.items.map((_, i) => i + 1));
    const page = await get(`/products/${productId}/history?after=2&limit=3`, tokens.auditor!);
    expect(page.json<{ items: { position: number }[] }>().items.map((e) => e.position)).toEqual([3, 4, 5]);
  });

  it('lists it under its filters, and in certificates and statistics', async () => {
    const year = new Date().getUTCFullYear();
    const hit = await get(
      `/products?province=${PROVINCE}&stage=certified,recognised&star=4&productSet=tea&year=${year}&expiringBefore=2099-01-01`,
      tokens.province!,
    );
    expect(hit.statusCode, hit.body).toBe(200);
    expect(hit.json<{ items: { productId: string }[] }>().items.map((i) => i.productId)).toContain(productId);
    const miss = await get(`/products?star=5&province=${PROVINCE}`, tokens.province!);
    expect(miss.json<{ items: { productId: string }[] }>().items.map((i) => i.productId)).not.toContain(productId);

    const certificates = await get(`/certificates?star=4`, tokens.commune!);
    expect(certificates.statusCode).toBe(200);
    expect(certificates.json<{ items: { productId: string; certificateNumber: string }[] }>().items).toContainEqual(
      expect.objectContaining({ productId, certificateNumber: 'GCN-LC-0001' }),
    );
    const elsewhere = await get(`/certificates`, tokens.otherProvince!);
    expect(elsewhere.json<{ items: { productId: string }[] }>().items.map((i) => i.productId)).not.toContain(productId);

    const stats = await get(`/statistics?groupBy=star&province=${PROVINCE}`, tokens.province!);
    expect(stats.statusCode, stats.body).toBe(200);
    const groups = stats.json<{ groups: { key: string; count: number }[] }>().groups;
    expect(groups.find((g) => g.key === '4')?.count).toBeGreaterThanOrEqual(1);
    const byStatus = await get(`/statistics?kind=certificate&groupBy=status`, tokens.subject!);
    expect(byStatus.json()).toMatchObject({ kind: 'certificate', groups: [{ key: 'valid', count: 1 }], total: 1 });
  });

  it('counts the same from the counts read model as from the cases themselves', async () => {
    const user = { sub: 'lc-stats', role: 'provincial_office' as const, jurisdiction: PROVINCE };
    for (const kind of ['case', 'certificate'] as const) {
      for (const groupBy of STATISTICS_DIMENSIONS) {
        const fast = await statistics(h.sql, user, kind, groupBy, {}, { fromCounts: true });
        const slow = await statistics(h.sql, user, kind, groupBy, {}, { fromCounts: false });
        expect(fast, `${kind} by ${groupBy}`).toEqual(slow);
        expect(fast.total).toBeGreaterThan(0);
      }
    }
  });

  it('answers a step the stage does not allow with 409 and the stage, saying why in Vietnamese first', async () => {
    const res = await send(productId, 'AcceptIdea', tokens.commune!);
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 409, code: 'illegal_in_stage', stage: 'certified' });
    const { detail } = res.json<{ detail: string }>();
    expect(detail).toMatch(/^Lệnh này không áp dụng ở giai đoạn hiện tại của hồ sơ\. \/ \S/);
  });
});

describe('concurrency, idempotency and limits', () => {
  it('refuses a stale If-Match with 412 without sending the command, and accepts the current one', async () => {
    const productId = await register();
    const stale = await send(productId, 'AcceptIdea', tokens.commune!, {}, { 'if-match': '"7"' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ status: 412, code: 'stale_version' });
    const unchanged = await get(`/products/${productId}`, tokens.commune!);
    expect(unchanged.json<{ version: number; stage: string }>()).toMatchObject({
      version: 1,
      stage: 'idea_registered',
    });

    const fresh = await send(productId, 'AcceptIdea', tokens.commune!, {}, { 'if-match': unchanged.headers.etag! });
    expect(fresh.statusCode, fresh.body).toBe(200);
    expect(fresh.headers.etag).toBe('"2"');
  });

  it('returns the first answer for a repeated key and refuses the key for another body', async () => {
    const productId = await register();
    const headers = { authorization: `Bearer ${tokens.commune}`, 'idempotency-key': nextKey() };
    const url = `/products/${productId}/accept-idea`;
    const first = await app.inject({ method: 'POST', url, headers, payload: { note: 'một' } });
    const again = await app.inject({ method: 'POST', url, headers, payload: { note: 'một' } });
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    const events = await h.sql`SELECT 1 FROM events WHERE stream_id = ${productId}`;
    expect(events).toHaveLength(2);

    const reused = await app.inject({ method: 'POST', url, headers, payload: { note: 'hai' } });
    expect(reused.statusCode).toBe(422);
    expect(reused.json()).toMatchObject({ code: 'idempotency_key_reused' });
  });

  it('keeps a rejection as the key’s answer, and a new key gets a new decision', async () => {
    const productId = await register();
    const headers = { authorization: `Bearer ${tokens.subject}`, 'idempotency-key': nextKey() };
    const url = `/products/${productId}/accept-idea`;
    const denied = await app.inject({ method: 'POST', url, headers, payload: {} });
    expect(denied.statusCode).toBe(403);
    const again = await app.inject({ method: 'POST', url, headers, payload: {} });
    expect(again.statusCode).toBe(403);
    expect(again.json()).toMatchObject({ code: 'forbidden' });
  });

  it('refuses writes from auditors before they reach the workflow', async () => {
    const productId = await register();
    const res = await send(productId, 'AcceptIdea', tokens.auditor!, {});
    expect(res.statusCode).toBe(403);
    expect((await get(`/products/${productId}`, tokens.auditor!)).json()).toMatchObject({ version: 1 });
  });

  it('pages through a list with cursors, each case once, only within the jurisdiction', async () => {
    const ids = new Set<string>();
    const commune = '04828';
    const officer = await token('commune_officer', commune);
    for (let i = 0; i < 5; i += 1) ids.add(await register(officer, { ...idea, communeCode: commune }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/products?commune=${commune}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await get(url, officer);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json<{ items: { productId: string }[]; nextCursor: string | null }>();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.productId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...ids].sort());

    const other = await get(`/products?commune=${commune}`, tokens.otherCommune!);
    expect(other.json<{ items: unknown[] }>().items).toEqual([]);
    const bad = await get(`/products?cursor=not-a-cursor`, officer);
    expect(bad.statusCode).toBe(400);
    const unknown = await get(`/products?colour=red`, officer);
    expect(unknown.statusCode).toBe(400);
  });

  it('answers 401 for a missing or forged token before looking at the body', async () => {
    const none = await app.inject({ method: 'POST', url: '/products/x/accept-idea', payload: { junk: 1 } });
    expect(none.statusCode).toBe(401);
    const forged = await signToken('another-secret-another-secret-0000000', {
      sub: 'x',
      role: 'admin',
      jurisdiction: 'VN',
    });
    const res = await get('/products', forged);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ status: 401, type: expect.stringContaining('401') });
  });

  it('limits the rate per principal with 429, and bodies by size with 413', async () => {
    const limited = await buildApp({
      sql: h.sql,
      temporal: h.client,
      taskQueue: h.taskQueue,
      jwtSecret: secret,
      log: createLogger('silent'),
      rateLimit: 3,
      bodyLimit: 2048,
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        statuses.push(
          (await limited.inject({ method: 'GET', url: '/products', headers: auth(tokens.commune!) })).statusCode,
        );
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      const last = await limited.inject({
        method: 'GET',
        url: '/products',
        headers: { ...auth(tokens.commune!), 'accept-language': 'en' },
      });
      expect(last.json()).toMatchObject({ status: 429, title: 'Too Many Requests' });
      expect(last.headers['retry-after']).toBeDefined();
      // Another principal has its own budget.
      const other = await limited.inject({ method: 'GET', url: '/products', headers: auth(tokens.province!) });
      expect(other.statusCode).toBe(200);

      const big = await limited.inject({
        method: 'POST',
        url: '/products',
        headers: { ...auth(tokens.subject!), 'idempotency-key': nextKey() },
        payload: { ...idea, ideaSummary: 'x'.repeat(5000) },
      });
      expect(big.statusCode).toBe(413);
      expect(big.json()).toMatchObject({ status: 413 });
    } finally {
      await limited.close();
    }
  });
});

function auth(t: string) {
  return { authorization: `Bearer ${t}` };
}
