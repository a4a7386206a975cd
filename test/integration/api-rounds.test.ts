import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken } from '../../api/auth';
import { COMMAND_EXAMPLES } from '../../api/examples';
import { kebabOf, type CaseCommandType } from '../../api/routes/commands';
import { createLogger } from '../../config/logger';
import { readStream, verifyChain } from '../../db/event-store';
import { localDate, provincialRoundFor, ruleSetById } from '../../domain';
import { startHarness, type Harness } from './harness';

// Provincial evaluation rounds (issue 5: open/close a round): opened with their council by the provincial office,
// listing the dossiers assigned to them, closed once; each round is a hash-chained stream like a case.
const PROVINCE = '37';
const COMMUNE = '13285';
const SUBJECT = 'HTX-ROUNDS';
const secret = 'rounds-secret-rounds-secret-rounds-0001';

let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let keys = 0;
const t: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness('api-rounds');
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
  });
  t.province = await signToken(secret, { sub: 'rd-province', role: 'provincial_office', jurisdiction: PROVINCE });
  t.other = await signToken(secret, { sub: 'rd-other', role: 'provincial_office', jurisdiction: '36' });
  t.commune = await signToken(secret, { sub: 'rd-commune', role: 'commune_officer', jurisdiction: COMMUNE });
  t.subject = await signToken(secret, { sub: SUBJECT, role: 'subject', jurisdiction: SUBJECT });
  t.council = await signToken(secret, { sub: 'rd-chair', role: 'council_member', jurisdiction: PROVINCE });
});
afterAll(async () => {
  await app?.close();
  await h?.stop();
});

const post = (url: string, token: string, payload: object, key = `rounds-${Date.now()}-${(keys += 1)}`) =>
  app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, 'idempotency-key': key }, payload });
const get = (url: string, token: string) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

/** A new dossier of the province, forwarded to it today. */
async function forwardedDossier(name: string): Promise<string> {
  const created = await post('/products', t.subject!, {
    subjectId: SUBJECT,
    subjectName: 'HTX đợt',
    productName: name,
    productSetCode: 'rice-cereals',
    provinceCode: PROVINCE,
    communeCode: COMMUNE,
  });
  expect(created.statusCode, created.body).toBe(201);
  const productId = created.json<{ productId: string }>().productId;
  const steps: [CaseCommandType, string][] = [
    ['AcceptIdea', t.commune!],
    ['SubmitBusinessPlan', t.subject!],
    ['ApproveBusinessPlan', t.commune!],
    ['SubmitDossier', t.subject!],
    ['AssessDossierAtCommune', t.commune!],
    ['ForwardDossierToProvince', t.commune!],
  ];
  for (const [type, token] of steps) {
    const res = await post(`/products/${productId}/${kebabOf(type)}`, token, COMMAND_EXAMPLES[type]);
    expect(res.statusCode, `${type}: ${res.body}`).toBe(200);
  }
  return productId;
}

const assign = (productId: string, body: object = {}) =>
  post(`/products/${productId}/assign-to-provincial-round`, t.province!, body);

describe('provincial rounds', () => {
  // A dossier forwarded today joins this round under QĐ 26/2026.
  const slot = provincialRoundFor(localDate(new Date().toISOString()), ruleSetById('QD26_2026'));
  const council = [
    { memberId: 'rd-chair', role: 'chair' },
    { memberId: 'rd-member', role: 'member' },
    { memberId: 'rd-secretary', role: 'secretary' },
  ];
  let roundId = '';

  let waiting = '';
  it('keeps a forwarded dossier out of a round the province has not opened', async () => {
    waiting = await forwardedDossier('Gạo chờ đợt');
    const refused = await assign(waiting);
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'round_not_found', stage: 'forwarded' });
    expect(refused.json<{ detail: string }>().detail).toMatch(/^Tỉnh chưa mở đợt đánh giá này\./);
    const other = await assign(waiting, { roundId: `round:36:${slot.year}:${slot.round}` });
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ code: 'round_of_other_province' });
  });

  it('opens a round with its council and the calendar’s dates; a retry returns it, a second opening conflicts', async () => {
    const key = `rounds-open-${Date.now()}`;
    const opened = await post('/rounds', t.province!, { year: slot.year, round: slot.round, council }, key);
    expect(opened.statusCode, opened.body).toBe(201);
    const round = opened.json<{ roundId: string; cutOff: string; decideBy: string; status: string }>();
    expect(round).toMatchObject({ cutOff: slot.cutOff, decideBy: slot.decideBy, status: 'open' });
    roundId = round.roundId;
    const retried = await post('/rounds', t.province!, { year: slot.year, round: slot.round, council }, key);
    expect(retried.statusCode).toBe(201);
    expect(retried.json()).toEqual(round);
    const again = await post('/rounds', t.province!, { year: slot.year, round: slot.round, council });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'round_already_open' });
    const bad = await post('/rounds', t.province!, { year: slot.year + 1, round: slot.round, council: [council[1]] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([
      {
        field: 'body.council',
        message: 'Hội đồng có đúng một Chủ tịch.',
        messageEn: 'A council has exactly one chair.',
      },
    ]);
    expect((await post('/rounds', t.commune!, { year: slot.year, round: 2, council })).statusCode).toBe(403);
  });

  it('takes the dossiers forwarded before its cut-off and lists them, to its province only', async () => {
    const productId = await forwardedDossier('Gạo');
    const res = await assign(productId, COMMAND_EXAMPLES.AssignToProvincialRound);
    expect(res.statusCode, res.body).toBe(200);
    const joined = await assign(waiting);
    expect(joined.statusCode, joined.body).toBe(200);
    expect(joined.json<{ events: { data: { roundId?: string } }[] }>().events[0]!.data.roundId).toBe(roundId);
    // Convened without members of its own, the dossier's council is its round's.
    const convened = await post(`/products/${productId}/convene-council`, t.province!, { sheetCode: 'rice-cereals' });
    expect(convened.statusCode, convened.body).toBe(200);
    const seated = await get(`/products/${productId}/council`, t.province!);
    expect(seated.json<{ members: unknown[] }>().members).toEqual(council);
    const detail = await get(`/rounds/${encodeURIComponent(roundId)}`, t.council!);
    expect(detail.statusCode, detail.body).toBe(200);
    const dossiers = detail.json<{ dossiers: { productId: string }[] }>().dossiers;
    expect(dossiers).toHaveLength(2);
    expect(dossiers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ productId, stage: 'under_review' }),
        expect.objectContaining({ productId: waiting, stage: 'under_review' }),
      ]),
    );
    expect((await get(`/rounds/${encodeURIComponent(roundId)}`, t.other!)).statusCode).toBe(404);
    const listed = await get(`/rounds?year=${slot.year}`, t.province!);
    expect(listed.json<{ items: { roundId: string }[] }>().items.map((r) => r.roundId)).toEqual([roundId]);
    expect((await get(`/rounds?year=${slot.year}`, t.other!)).json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('closes once, on a hash-chained stream of its own', async () => {
    const closed = await post(`/rounds/${encodeURIComponent(roundId)}/close`, t.province!, {});
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({ status: 'closed', version: 2 });
    const twice = await post(`/rounds/${encodeURIComponent(roundId)}/close`, t.province!, {});
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ code: 'round_closed' });
    const late = await assign(await forwardedDossier('Gạo sau đợt'));
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: 'round_closed' });
    const events = await readStream(h.sql, roundId);
    expect(events.map((e) => e.type)).toEqual(['RoundOpened', 'RoundClosed']);
    expect(events[0]!.actor).toEqual({ userId: 'rd-province', role: 'provincial_office', office: PROVINCE });
    expect(verifyChain(events)).toBeNull();
  });
});
