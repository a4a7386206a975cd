import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken, type UserRole } from '../../api/auth';
import { COMMAND_EXAMPLES } from '../../api/examples';
import { kebabOf, type CaseCommandType } from '../../api/routes/commands';
import { createLogger } from '../../config/logger';
import { allCriteria, getSheet } from '../../domain/scoring';
import { openTodaysRound } from '../support/rounds';
import { startHarness, type Harness } from './harness';

// Issue 7 over HTTP: each council member scores the dossier on the real sheet with their own token, the last sheet
// makes the result final, and GET /products/:id/council explains it criterion by criterion.
const PROVINCE = '24';
const COMMUNE = '07210';
const SUBJECT = 'HTX-COUNCIL';
const SHEET = 'honey-other-raw-foods';
const secret = 'council-secret-council-secret-council-01';

let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let keys = 0;
const token = (role: UserRole, jurisdiction: string, sub: string) => signToken(secret, { sub, role, jurisdiction });

beforeAll(async () => {
  h = await startHarness('api-council');
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

async function post(url: string, as: string, payload: object) {
  return app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${as}`, 'idempotency-key': `council-${Date.now()}-${(keys += 1)}` },
    payload,
  });
}

/** Every criterion at the highest or the lowest option. */
function sheetAt(end: 'best' | 'worst') {
  return allCriteria(getSheet(SHEET)).map((c) => ({
    criterionId: c.id,
    optionId: (end === 'best' ? c.options[c.options.length - 1] : c.options[0])!.id,
  }));
}

describe('council scoring over HTTP', () => {
  it('collects each member’s sheet, finalises on the last, explains the result, and leads to a decision', async () => {
    const subject = await token('subject', SUBJECT, SUBJECT);
    const commune = await token('commune_officer', COMMUNE, 'cc-commune');
    const province = await token('provincial_office', PROVINCE, 'cc-province');
    await openTodaysRound(app, province, PROVINCE);
    const chair = await token('council_member', PROVINCE, 'cc-chair');
    const member = await token('council_member', PROVINCE, 'cc-member');
    const secretary = await token('council_member', PROVINCE, 'cc-secretary');
    const created = await post('/products', subject, {
      subjectId: SUBJECT,
      subjectName: 'HTX mật ong',
      productName: 'Mật ong hoa nhãn',
      productSetCode: SHEET,
      provinceCode: PROVINCE,
      communeCode: COMMUNE,
    });
    expect(created.statusCode, created.body).toBe(201);
    const productId = created.json<{ productId: string }>().productId;
    const steps: [CaseCommandType, string][] = [
      ['AcceptIdea', commune],
      ['SubmitBusinessPlan', subject],
      ['ApproveBusinessPlan', commune],
      ['SubmitDossier', subject],
      ['AssessDossierAtCommune', commune],
      ['ForwardDossierToProvince', commune],
      ['AssignToProvincialRound', province],
    ];
    for (const [type, as] of steps) {
      const res = await post(`/products/${productId}/${kebabOf(type)}`, as, COMMAND_EXAMPLES[type]);
      expect(res.statusCode, `${type}: ${res.body}`).toBe(200);
    }
    const convened = await post(`/products/${productId}/convene-council`, province, {
      sheetCode: SHEET,
      members: [
        { memberId: 'cc-chair', role: 'chair' },
        { memberId: 'cc-member', role: 'member' },
        { memberId: 'cc-secretary', role: 'secretary' },
      ],
    });
    expect(convened.statusCode, convened.body).toBe(200);

    const bySecretary = await post(`/products/${productId}/submit-council-scores`, secretary, {
      selections: sheetAt('best'),
    });
    expect(bySecretary.statusCode).toBe(403);

    const first = await post(`/products/${productId}/submit-council-scores`, chair, { selections: sheetAt('best') });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json<{ case: { stage: string } }>().case.stage).toBe('under_review');

    const halfway = await app.inject({
      method: 'GET',
      url: `/products/${productId}/council`,
      headers: { authorization: `Bearer ${province}` },
    });
    expect(halfway.json()).toMatchObject({ status: 'scoring', awaiting: ['cc-member'] });

    const last = await post(`/products/${productId}/submit-council-scores`, member, { selections: sheetAt('best') });
    expect(last.statusCode, last.body).toBe(200);
    const answer = last.json<{ case: { stage: string }; events: { type: string }[] }>();
    expect(answer.events.map((e) => e.type)).toEqual(['CouncilScoresSubmitted', 'CouncilResultRecorded']);
    expect(answer.case.stage).toBe('council_scored');

    const council = await app.inject({
      method: 'GET',
      url: `/products/${productId}/council`,
      headers: { authorization: `Bearer ${subject}` },
    });
    expect(council.statusCode, council.body).toBe(200);
    const body = council.json<{
      status: string;
      result: {
        averageScore: number;
        star: number;
        breakdown: { choices: unknown[]; maxPoints: number; averagePoints: number }[];
      };
    }>();
    expect(body.status).toBe('recorded');
    expect(body.result.breakdown).toHaveLength(allCriteria(getSheet(SHEET)).length);
    for (const b of body.result.breakdown) {
      expect(b.choices).toHaveLength(2);
      expect(b.averagePoints).toBe(b.maxPoints);
    }
    expect(body.result.averageScore).toBe(100);
    expect(body.result.star).toBe(5);

    // Another province's official cannot read it.
    const outsider = await token('provincial_office', '28', 'cc-outsider');
    const hidden = await app.inject({
      method: 'GET',
      url: `/products/${productId}/council`,
      headers: { authorization: `Bearer ${outsider}` },
    });
    expect(hidden.statusCode).toBe(404);
  });
});
