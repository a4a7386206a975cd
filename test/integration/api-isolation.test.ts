import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken, type UserRole } from '../../api/auth';
import { idempotentId, requestFingerprint } from '../../api/commands';
import { COMMAND_EXAMPLES } from '../../api/examples';
import { kebabOf, type CaseCommandType } from '../../api/routes/commands';
import { createLogger } from '../../config/logger';
import { allCriteria, getSheet } from '../../domain/scoring';
import { openTodaysRound } from '../support/rounds';
import { startHarness, type Harness } from './harness';

// Issue 15, findings 3, 4, 5 and 9 over HTTP: stream ids in separate namespaces and nothing told about cases outside
// the caller's jurisdiction; one command per (caller, Idempotency-Key) under concurrent retries; a stored answer only
// for a caller who may still see its case; council scores confidential while the council scores.
// Codes only this file uses, so lists and rounds are not disturbed by files running beside it.
const PROVINCE = '56';
const COMMUNE = '22333';
const OTHER = { province: '66', commune: '22015' };
const SUBJECT = 'HTX-ISOLATION';
const SHEET = 'honey-other-raw-foods';
const secret = 'isolation-secret-isolation-secret-0001';

let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let keys = 0;

const token = (role: UserRole, jurisdiction: string, sub: string) => signToken(secret, { sub, role, jurisdiction });
const nextKey = () => `isolation-${Date.now()}-${(keys += 1)}`;

beforeAll(async () => {
  h = await startHarness('api-isolation');
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
  });
});
afterAll(async () => {
  await app?.close();
  await h?.stop();
});

function post(url: string, as: string, payload: object, key = nextKey()) {
  return app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${as}`, 'idempotency-key': key },
    payload,
  });
}
const get = (url: string, as: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${as}` } });

const idea = {
  subjectId: SUBJECT,
  subjectName: 'HTX mật ong Tây Nguyên',
  productName: 'Mật ong hoa cà phê',
  productSetCode: SHEET,
  provinceCode: PROVINCE,
  communeCode: COMMUNE,
};

const certified = (productId: string, places = { provinceCode: PROVINCE, communeCode: COMMUNE }) => ({
  ...idea,
  ...places,
  productId,
  ruleSetId: 'QD148_2023',
  certificate: {
    number: `GCN-${productId}`,
    star: 4,
    level: 'province',
    issuedOn: '2025-03-01',
    expiresOn: '2028-03-01',
  },
});

/** Events recorded by the command a caller sent under a key, across every stream. */
async function eventsOfKey(sub: string, key: string) {
  return h.sql<{ stream_id: string; type: string; data: { productName?: string } }[]>`
    SELECT stream_id, type, data FROM events WHERE command_id = ${idempotentId('C', sub, key)}`;
}

describe('ids: one namespace per kind of stream, nothing told outside the jurisdiction', () => {
  it('refuses a product id that names a round’s stream, and the round can still be opened', async () => {
    const office = await token('provincial_office', PROVINCE, 'iso-office');
    const squatted = await post('/products/import', office, certified(`round:${PROVINCE}:2027:1`));
    expect(squatted.statusCode, squatted.body).toBe(400);
    expect(squatted.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain('body.productId');
    const reserved = await post('/products/import', office, certified(`P${'0a'.repeat(16)}`));
    expect(reserved.statusCode, reserved.body).toBe(400);

    const council = [
      { memberId: 'iso-chair', role: 'chair' },
      { memberId: 'iso-member', role: 'member' },
    ];
    const opened = await post('/rounds', office, { year: 2027, round: 1, council });
    expect(opened.statusCode, opened.body).toBe(201);
    expect(opened.json()).toMatchObject({ roundId: `round:${PROVINCE}:2027:1`, status: 'open' });
    const [stream] = await h.sql<{ types: string[] }[]>`
      SELECT array_agg(type ORDER BY stream_position) AS types FROM events WHERE stream_id = ${`round:${PROVINCE}:2027:1`}`;
    expect(stream!.types).toEqual(['RoundOpened']);
  });

  it('answers an import under another province’s product id with 404, never 409 with its stage', async () => {
    const productId = `ISO-LEGACY-${Date.now()}`;
    const theirs = await token('provincial_office', OTHER.province, 'iso-office-other');
    const first = await post(
      '/products/import',
      theirs,
      certified(productId, { provinceCode: OTHER.province, communeCode: OTHER.commune }),
    );
    expect(first.statusCode, first.body).toBe(201);
    const before = await h.sql`SELECT 1 FROM events WHERE stream_id = ${productId}`;

    const ours = await token('provincial_office', PROVINCE, 'iso-office');
    const probe = await post('/products/import', ours, certified(productId));
    expect(probe.statusCode, probe.body).toBe(404);
    expect(probe.json()).not.toHaveProperty('stage');
    expect(probe.body).not.toContain('certified');
    // As for a GET of it: the case is not there for this caller.
    expect((await get(`/products/${productId}`, ours)).statusCode).toBe(404);
    expect(await h.sql`SELECT 1 FROM events WHERE stream_id = ${productId}`).toHaveLength(before.length);

    // Its own province, which sees it, is told why: 409 with the stage.
    const again = await post(
      '/products/import',
      theirs,
      certified(productId, { provinceCode: OTHER.province, communeCode: OTHER.commune }),
    );
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json()).toHaveProperty('stage');
  });
});

describe('idempotency: one command per (caller, key), also under concurrent retries', () => {
  it('runs one of twenty concurrent requests with one key and four bodies: its duplicates get its answer, the rest 422', async () => {
    const subject = await token('subject', SUBJECT, SUBJECT);
    const key = nextKey();
    const bodies = Array.from({ length: 20 }, (_, i) => ({ ...idea, productName: `Mật ong lô ${i % 4}` }));
    const answers = await Promise.all(bodies.map((body) => post('/products', subject, body, key)));

    const ok = answers.flatMap((a, i) => (a.statusCode === 201 ? [{ a, body: bodies[i]! }] : []));
    const refused = answers.filter((a) => a.statusCode === 422);
    expect(
      answers.map((a) => a.statusCode).filter((s) => s !== 201 && s !== 422),
      answers.map((a) => a.body).join('\n'),
    ).toEqual([]);
    // The winner's four requests (one ran, three waited for its answer) and no other.
    const winner = ok[0]!.body.productName;
    expect(ok.map((o) => o.body.productName)).toEqual(Array(5).fill(winner));
    for (const o of ok) expect(o.a.json()).toEqual(ok[0]!.a.json());
    expect(refused).toHaveLength(15);
    for (const r of refused) expect(r.json()).toMatchObject({ code: 'idempotency_key_reused' });

    const recorded = await eventsOfKey(SUBJECT, key);
    expect(recorded.map((e) => e.type)).toEqual(['IdeaRegistered']);
    expect(recorded[0]!.data.productName).toBe(winner);
    expect(ok[0]!.a.json()).toMatchObject({ productName: winner, version: 1 });
  });

  it('runs a key sent to two products at once on one of them only; the other gets 422', async () => {
    const subject = await token('subject', SUBJECT, SUBJECT);
    const officer = await token('commune_officer', COMMUNE, 'iso-commune');
    const register = async () => {
      const res = await post('/products', subject, idea);
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ productId: string }>().productId;
    };
    for (let round = 0; round < 3; round += 1) {
      const products = [await register(), await register()];
      const key = nextKey();
      const answers = await Promise.all(
        products.map((id) => post(`/products/${id}/accept-idea`, officer, COMMAND_EXAMPLES.AcceptIdea, key)),
      );
      expect(answers.map((a) => a.statusCode).sort(), answers.map((a) => a.body).join('\n')).toEqual([200, 422]);
      const recorded = await eventsOfKey('iso-commune', key);
      expect(recorded.map((e) => e.type)).toEqual(['IdeaAccepted']);
      const ran = products[answers.findIndex((a) => a.statusCode === 200)];
      expect(recorded[0]!.stream_id).toBe(ran);
    }
  });

  it('lets a retry take over a claim its request left behind, for the same request only', async () => {
    const subject = await token('subject', SUBJECT, SUBJECT);
    const key = nextKey();
    const body = { ...idea, productName: 'Mật ong sau sự cố' };
    const productId = idempotentId('P', SUBJECT, key);
    const requestHash = requestFingerprint({ route: 'POST /products', start: true, productId, body });
    // The API process died after claiming the key, before the command's answer.
    await h.sql`
      INSERT INTO api_idempotency (user_id, idempotency_key, request_hash, product_id, claim_id, claimed_at)
      VALUES (${SUBJECT}, ${key}, ${requestHash}, ${productId}, gen_random_uuid(), now() - interval '1 hour')`;
    const other = await post('/products', subject, { ...body, productName: 'Khác' }, key);
    expect(other.statusCode, other.body).toBe(422);
    const retried = await post('/products', subject, body, key);
    expect(retried.statusCode, retried.body).toBe(201);
    expect(retried.json()).toMatchObject({ productId, productName: 'Mật ong sau sự cố' });
    const again = await post('/products', subject, body, key);
    expect(again.json()).toEqual(retried.json());
    expect((await eventsOfKey(SUBJECT, key)).map((e) => e.type)).toEqual(['IdeaRegistered']);
  });

  it('binds a key to one route and target across rounds and cases: another round, the close or a case command is 422', async () => {
    const office = await token('provincial_office', PROVINCE, 'iso-office');
    const council = [
      { memberId: 'iso-chair', role: 'chair' },
      { memberId: 'iso-member', role: 'member' },
    ];
    const key = nextKey();
    const opened = await post('/rounds', office, { year: 2028, round: 2, council }, key);
    expect(opened.statusCode, opened.body).toBe(201);
    const roundId = opened.json<{ roundId: string }>().roundId;

    const otherRound = await post('/rounds', office, { year: 2028, round: 1, council }, key);
    expect(otherRound.statusCode, otherRound.body).toBe(422);
    expect(otherRound.json()).toMatchObject({ code: 'idempotency_key_reused' });
    const close = await post(`/rounds/${encodeURIComponent(roundId)}/close`, office, {}, key);
    expect(close.statusCode, close.body).toBe(422);
    const rounds = await h.sql<{ round_id: string; status: string }[]>`
      SELECT round_id, status FROM rounds WHERE province_code = ${PROVINCE} AND year = 2028`;
    expect(rounds).toEqual([{ round_id: roundId, status: 'open' }]);

    // A key a case command used is refused by the rounds too.
    const subject = await token('subject', SUBJECT, SUBJECT);
    const caseKey = nextKey();
    expect((await post('/products', subject, idea, caseKey)).statusCode).toBe(201);
    const reused = await post('/rounds', subject, { year: 2028, round: 1, council }, caseKey);
    expect(reused.statusCode).toBe(403);
    const officeKey = nextKey();
    const imported = await post('/products/import', office, certified(`ISO-KEY-${Date.now()}`), officeKey);
    expect(imported.statusCode, imported.body).toBe(201);
    const sameKey = await post('/rounds', office, { year: 2028, round: 1, council }, officeKey);
    expect(sameKey.statusCode, sameKey.body).toBe(422);
    expect(await h.sql`SELECT 1 FROM rounds WHERE round_id = ${`round:${PROVINCE}:2028:1`}`).toHaveLength(0);
  });

  it('returns a stored answer only to a caller who may still see its case', async () => {
    const before = await token('commune_officer', COMMUNE, 'iso-moved');
    const key = nextKey();
    const created = await post('/products', before, idea, key);
    expect(created.statusCode, created.body).toBe(201);
    const productId = created.json<{ productId: string }>().productId;
    const acceptKey = nextKey();
    const url = `/products/${productId}/accept-idea`;
    expect((await post(url, before, COMMAND_EXAMPLES.AcceptIdea, acceptKey)).statusCode).toBe(200);
    expect((await post('/products', before, idea, key)).statusCode).toBe(201);

    // The same user, moved to another commune's office, replays both keys.
    const after = await token('commune_officer', OTHER.commune, 'iso-moved');
    expect((await get(`/products/${productId}`, after)).statusCode).toBe(404);
    const replayed = await post('/products', after, idea, key);
    expect(replayed.statusCode, replayed.body).toBe(404);
    expect(replayed.body).not.toContain(idea.productName);
    const command = await post(url, after, COMMAND_EXAMPLES.AcceptIdea, acceptKey);
    expect(command.statusCode, command.body).toBe(404);
    expect(command.body).not.toContain(idea.productName);
    // Moved back, the answer is theirs again.
    expect((await post('/products', before, idea, key)).statusCode).toBe(201);
  });
});

describe('council confidentiality', () => {
  /** Every criterion at the highest option. */
  const best = () =>
    allCriteria(getSheet(SHEET)).map((c) => ({ criterionId: c.id, optionId: c.options[c.options.length - 1]!.id }));

  it('shows a member’s scores to that member and the offices only, until the council closes', async () => {
    const subject = await token('subject', SUBJECT, SUBJECT);
    const commune = await token('commune_officer', COMMUNE, 'iso-commune');
    const office = await token('provincial_office', PROVINCE, 'iso-office');
    const auditor = await token('auditor', PROVINCE, 'iso-auditor');
    await openTodaysRound(app, office, PROVINCE);
    const chair = await token('council_member', PROVINCE, 'iso-chair');
    const member = await token('council_member', PROVINCE, 'iso-member');
    const secretary = await token('council_member', PROVINCE, 'iso-secretary');
    const created = await post('/products', subject, idea);
    expect(created.statusCode, created.body).toBe(201);
    const productId = created.json<{ productId: string }>().productId;
    const steps: [CaseCommandType, string][] = [
      ['AcceptIdea', commune],
      ['SubmitBusinessPlan', subject],
      ['ApproveBusinessPlan', commune],
      ['SubmitDossier', subject],
      ['AssessDossierAtCommune', commune],
      ['ForwardDossierToProvince', commune],
      ['AssignToProvincialRound', office],
    ];
    for (const [type, as] of steps) {
      const res = await post(`/products/${productId}/${kebabOf(type)}`, as, COMMAND_EXAMPLES[type]);
      expect(res.statusCode, `${type}: ${res.body}`).toBe(200);
    }
    const convened = await post(`/products/${productId}/convene-council`, office, {
      sheetCode: SHEET,
      members: [
        { memberId: 'iso-chair', role: 'chair' },
        { memberId: 'iso-member', role: 'member' },
        { memberId: 'iso-secretary', role: 'secretary' },
      ],
    });
    expect(convened.statusCode, convened.body).toBe(200);
    const first = await post(`/products/${productId}/submit-council-scores`, chair, { selections: best() });
    expect(first.statusCode, first.body).toBe(200);

    interface Council {
      status: string;
      submitted: { memberId: string; total: number | null }[];
      awaiting: string[];
      result: { breakdown: { choices: { memberId: string }[] }[] } | null;
    }
    const councilAs = async (as: string) => {
      const res = await get(`/products/${productId}/council`, as);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<Council>();
    };
    // The subject, the commune and the other members (the secretary too) see who scored and who is awaited, not what.
    for (const as of [subject, commune, member, secretary]) {
      const seen = await councilAs(as);
      expect(seen).toMatchObject({ status: 'scoring', awaiting: ['iso-member'], result: null });
      expect(seen.submitted).toEqual([expect.objectContaining({ memberId: 'iso-chair', total: null })]);
    }
    // The member who scored sees their own total; the offices see the sheets and the result so far.
    const own = await councilAs(chair);
    expect(own.submitted[0]!.total).toBe(100);
    expect(own.result).toBeNull();
    for (const as of [office, auditor]) {
      const seen = await councilAs(as);
      expect(seen.submitted[0]!.total).toBe(100);
      expect(seen.result?.breakdown[0]!.choices).toEqual([expect.objectContaining({ memberId: 'iso-chair' })]);
    }

    // The case's history withholds the sheet's scores the same way.
    const sheetIn = async (as: string) => {
      const res = await get(`/products/${productId}/history?limit=500`, as);
      expect(res.statusCode, res.body).toBe(200);
      const items = res.json<{ items: { type: string; data: Record<string, unknown> }[] }>().items;
      return items.find((e) => e.type === 'CouncilScoresSubmitted')!.data;
    };
    for (const as of [subject, commune, member]) {
      const data = await sheetIn(as);
      expect(data).toMatchObject({ memberId: 'iso-chair', withheld: true });
      expect(data).not.toHaveProperty('selections');
      expect(data).not.toHaveProperty('total');
    }
    for (const as of [chair, office, auditor]) expect(await sheetIn(as)).toMatchObject({ total: 100 });

    // The last sheet closes the council: its breakdown is shown to all who see the case, as before.
    const last = await post(`/products/${productId}/submit-council-scores`, member, { selections: best() });
    expect(last.statusCode, last.body).toBe(200);
    for (const as of [subject, member]) {
      const seen = await councilAs(as);
      expect(seen.status).toBe('recorded');
      expect(seen.submitted.map((s) => s.total)).toEqual([100, 100]);
      expect(seen.result?.breakdown[0]!.choices).toHaveLength(2);
      expect(await sheetIn(as)).toMatchObject({ total: 100 });
    }
  });
});
