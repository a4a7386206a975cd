import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken, type UserRole } from '../../api/auth';
import { COMMAND_EXAMPLES } from '../../api/examples';
import { kebabOf, type CaseCommandType } from '../../api/routes/commands';
import { createLogger } from '../../config/logger';
import { addDays, addMonths, localDate, ruleSetInForce } from '../../domain';
import { allCriteria, getSheet } from '../../domain/scoring';
import { openTodaysRound } from '../support/rounds';
import { startHarness, type Harness } from './harness';

// Issue 14, "The law", through the HTTP API as an office and a subject use it: the re-rating window and art. 12.3,
// revocation on a proposal, imports that follow the rule-set of their issue date, an expiry caught up late, and one
// rounding rule for every council average.
const PROVINCE = '40';
const COMMUNE = '16681';
const SUBJECT = 'HTX-LAW';
const SHEET = 'tea';
const secret = 'law-secret-law-secret-law-secret-0123456';
const run = Date.now().toString(36);

let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let keys = 0;
const tokens: Record<'subject' | 'commune' | 'province', string> = { subject: '', commune: '', province: '' };
const token = (role: UserRole, jurisdiction: string, sub = `law-${role}-${jurisdiction}`) =>
  signToken(secret, { sub, role, jurisdiction });

beforeAll(async () => {
  h = await startHarness('api-law');
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
  await openTodaysRound(app, tokens.province, PROVINCE);
});
afterAll(async () => {
  await app?.close();
  await h?.stop();
});

function post(url: string, as: string, payload: object) {
  return app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${as}`, 'idempotency-key': `law-${run}-${(keys += 1)}` },
    payload,
  });
}

function get(url: string, as: string) {
  return app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${as}` } });
}

const today = () => localDate(new Date().toISOString());
/** dd/MM/yyyy, as the refusals print dates. */
const vn = (date: string) => date.split('-').reverse().join('/');

interface Certificate {
  number: string;
  star: 3 | 4 | 5;
  level: 'district' | 'province' | 'ministry';
  issuedOn: string;
  expiresOn: string;
}

function importBody(productId: string, ruleSetId: string, certificate: Certificate, extra: object = {}) {
  return {
    productId,
    subjectId: SUBJECT,
    subjectName: 'HTX chè Thanh Chương',
    productName: 'Chè xanh Thanh Chương',
    productSetCode: SHEET,
    provinceCode: PROVINCE,
    communeCode: COMMUNE,
    ruleSetId,
    certificate,
    source: 'sổ theo dõi giấy',
    ...extra,
  };
}

/** A 4★ certificate issued under the rule-set then in force, expiring `daysAhead` days from today. */
function certificateExpiringIn(daysAhead: number, number: string) {
  const issuedOn = addDays(addMonths(today(), -36), daysAhead);
  const certificate: Certificate = { number, star: 4, level: 'province', issuedOn, expiresOn: addMonths(issuedOn, 36) };
  return { ruleSetId: ruleSetInForce(issuedOn).id, certificate };
}

async function importCase(productId: string, ruleSetId: string, certificate: Certificate, extra: object = {}) {
  const res = await post('/products/import', tokens.province, importBody(productId, ruleSetId, certificate, extra));
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ productId: string; version: number }>();
}

async function history(productId: string) {
  const res = await get(`/products/${productId}/history?limit=500`, tokens.province);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ items: { type: string; data: Record<string, unknown> }[] }>().items;
}

/** Waits until the case's history holds an event of `type` (the workflow catches up after answering the import). */
async function eventually(productId: string, type: string) {
  for (let i = 0; i < 100; i++) {
    const found = (await history(productId)).find((e) => e.type === type);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${productId}: no ${type} in its history`);
}

async function certificateRow(number: string, status: string) {
  const res = await get(`/certificates?province=${PROVINCE}&status=${status}&limit=200`, tokens.province);
  expect(res.statusCode, res.body).toBe(200);
  return res
    .json<{
      items: {
        certificateNumber: string;
        expiresOn: string;
        extendedUntil: string | null;
        endedOn: string | null;
        status: string;
      }[];
    }>()
    .items.find((c) => c.certificateNumber === number);
}

async function outboxKinds(productId: string) {
  const rows = await h.sql<{ kind: string; status: string }[]>`
    SELECT kind, status FROM notification_outbox WHERE product_id = ${productId}`;
  return rows;
}

describe('re-rating window (QĐ 26/2026 art. 7.6a) and its transitional extension (art. 12.3)', () => {
  it('refuses a re-rating filed after the window closed with 409 naming the window, and changes nothing', async () => {
    const { ruleSetId, certificate } = certificateExpiringIn(60, `GCN-LATE-${run}`);
    const productId = `LAW-LATE-${run}`;
    await importCase(productId, ruleSetId, certificate);
    await eventually(productId, 'ReRatingWindowClosed');
    const before = await get(`/products/${productId}`, tokens.subject);
    const opens = addDays(certificate.expiresOn, -180);
    const closes = addDays(certificate.expiresOn, -120);

    const res = await post(`/products/${productId}/submit-dossier`, tokens.subject, {
      kind: 're_rating',
      dossierRef: 'HS-DGL-TRE',
    });
    expect(res.statusCode, res.body).toBe(409);
    const problem = res.json<{ code: string; detail: string }>();
    expect(problem.code).toBe('deadline_passed');
    expect(problem.detail).toContain(`ran from ${vn(opens)} to ${vn(closes)}`);
    expect(problem.detail).toContain(`expires on ${vn(certificate.expiresOn)}`);
    const after = await get(`/products/${productId}`, tokens.subject);
    expect(after.json()).toMatchObject({ stage: 'certified', version: before.json<{ version: number }>().version });
  });

  it('imports a re-rating dossier filed on paper for a certificate art. 12.3 covers, and shows it extended', async () => {
    // Valid through 17/11/2026: its window (21/05 … 20/07/2026) opened the day before QĐ 26/2026 took effect.
    const productId = `LAW-EXT-${run}`;
    const number = `GCN-EXT-${run}`;
    await importCase(
      productId,
      'QD148_2023',
      { number, star: 4, level: 'province', issuedOn: '2023-11-17', expiresOn: '2026-11-17' },
      { reRatingDossier: { dossierRef: 'HS-DGL-GIAY', filedOn: '2026-10-01', forwardedOn: '2026-10-10' } },
    );
    const extended = await eventually(productId, 'CertificateExtended');
    expect(extended.data).toMatchObject({ expiresOn: '2026-11-17', extendedUntil: '2027-05-16' });
    const events = await history(productId);
    expect(events.find((e) => e.type === 'DossierSubmitted')?.data).toMatchObject({
      kind: 're_rating',
      filedOn: '2026-10-01',
      late: true,
    });
    expect(events.map((e) => e.type)).not.toContain('CertificateExpired');
    // The certificate as the registry shows it: still valid, its term run out, extended at most 180 days.
    expect(await certificateRow(number, 'valid')).toMatchObject({
      expiresOn: '2026-11-17',
      extendedUntil: '2027-05-16',
      status: 'valid',
    });
    const detail = await get(`/products/${productId}`, tokens.subject);
    expect(detail.json()).toMatchObject({ stage: 'forwarded', star: 4 });
    expect(detail.json<{ deadlines: { kind: string; date: string }[] }>().deadlines).toContainEqual(
      expect.objectContaining({ kind: 'extension_end', date: '2027-05-16' }),
    );
  });

  it('refuses to import a paper re-rating filed after a window art. 12.3 does not cover', async () => {
    // Valid through 10/01/2027: its window 14/07 … 12/09/2026 lay wholly under QĐ 26/2026.
    const productId = `LAW-EXT-NO-${run}`;
    const res = await post(
      '/products/import',
      tokens.province,
      importBody(
        productId,
        'QD148_2023',
        { number: `GCN-NO-${run}`, star: 4, level: 'province', issuedOn: '2024-01-10', expiresOn: '2027-01-10' },
        { reRatingDossier: { dossierRef: 'HS-DGL-GIAY', filedOn: '2026-10-01', forwardedOn: '2026-10-10' } },
      ),
    );
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json<{ code: string; detail: string }>()).toMatchObject({ code: 'deadline_passed' });
    expect(res.json<{ detail: string }>().detail).toContain('ran from 14/07/2026 to 12/09/2026');
    expect((await get(`/products/${productId}`, tokens.province)).statusCode).toBe(404);
  });
});

describe('revocation (QĐ 26/2026 art. 8.3): decided on the office’s proposal, on its ground', () => {
  it('refuses a revocation without a proposal (409) and one on another ground (422 naming it)', async () => {
    const { ruleSetId, certificate } = certificateExpiringIn(400, `GCN-TH-${run}`);
    const productId = `LAW-REVOKE-${run}`;
    await importCase(productId, ruleSetId, certificate);
    const concludedOn = today();
    const decision = (ground: string) => ({
      ground,
      concludedOn,
      decisionNumber: 'QD-TH-14',
      reason: 'Theo kết luận của cơ quan có thẩm quyền',
    });

    const direct = await post(`/products/${productId}/revoke-certificate`, tokens.province, decision('a'));
    expect(direct.statusCode, direct.body).toBe(409);
    expect(direct.json()).toMatchObject({ code: 'proposal_required' });
    expect(direct.json<{ detail: string }>().detail).toContain('art. 8.3');

    const proposed = await post(`/products/${productId}/propose-revocation`, tokens.province, {
      ground: 'c',
      concludedOn,
      finding: 'Kết luận thanh tra: vi phạm quy định về an toàn thực phẩm',
    });
    expect(proposed.statusCode, proposed.body).toBe(200);

    const other = await post(`/products/${productId}/revoke-certificate`, tokens.province, decision('a'));
    expect(other.statusCode, other.body).toBe(422);
    expect(other.json<{ detail: string }>().detail).toMatch(/^\S.* \/ ground: the pending proposal is on ground \(c\)/);
    expect((await get(`/products/${productId}`, tokens.province)).json()).toMatchObject({ stage: 'certified' });

    const revoked = await post(`/products/${productId}/revoke-certificate`, tokens.province, decision('c'));
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json<{ events: { type: string; data: { ground: string } }[] }>().events[0]).toMatchObject({
      type: 'CertificateRevoked',
      data: { ground: 'c' },
    });
  });
});

describe('imports follow the rule-set in force on the issue date', () => {
  it('refuses a 48-month validity, a QĐ 148 3★ recognised by the province, a QĐ 26 product unnumbered: 422 naming the clause', async () => {
    const longer = await post(
      '/products/import',
      tokens.province,
      importBody(`LAW-48M-${run}`, 'QD148_2023', {
        number: `GCN-48-${run}`,
        star: 4,
        level: 'province',
        issuedOn: '2024-09-10',
        expiresOn: '2028-09-10',
      }),
    );
    expect(longer.statusCode, longer.body).toBe(422);
    expect(longer.json<{ detail: string }>().detail).toMatch(
      /^\S.* \/ certificate\.expiresOn: QĐ 148\/QĐ-TTg \(2023\): 36 months from issue.*10\/09\/2027, not 10\/09\/2028/,
    );

    const byProvince = await post(
      '/products/import',
      tokens.province,
      importBody(`LAW-3P-${run}`, 'QD148_2023', {
        number: `GCN-3P-${run}`,
        star: 3,
        level: 'province',
        issuedOn: '2024-09-10',
        expiresOn: '2027-09-10',
      }),
    );
    expect(byProvince.statusCode, byProvince.body).toBe(422);
    expect(byProvince.json<{ detail: string }>().detail).toMatch(
      /^\S.* \/ certificate\.level: QĐ 148\/QĐ-TTg \(2023\): the district People’s Committee recognises 3★/,
    );
    // Certified under QĐ 26/2026: the product code is (T)-(X)-(STT)-year (Annex II), the id an import keeps.
    const qd26: Certificate = {
      number: `GCN-26-${run}`,
      star: 4,
      level: 'province',
      issuedOn: '2026-06-15',
      expiresOn: '2029-06-15',
    };
    const unnumbered = await post('/products/import', tokens.province, importBody(`LAW-26-${run}`, 'QD26_2026', qd26));
    expect(unnumbered.statusCode, unnumbered.body).toBe(422);
    expect(unnumbered.json<{ detail: string }>().detail).toMatch(/^\S.* \/ productId: QĐ 26\/2026 Annex II/);
    await importCase(`${PROVINCE}-${COMMUNE}-${Date.now()}-2026`, 'QD26_2026', qd26);
    for (const id of [`LAW-48M-${run}`, `LAW-3P-${run}`, `LAW-26-${run}`]) {
      expect((await get(`/products/${id}`, tokens.province)).statusCode).toBe(404);
    }
  });
});

describe('an expiry caught up late keeps its real date', () => {
  it('records the certificate ended on its own expiry date, as history, without a notice or a dead letter', async () => {
    const productId = `LAW-OLD-${run}`;
    const number = `GCN-OLD-${run}`;
    await importCase(productId, 'QD1048_2019', {
      number,
      star: 4,
      level: 'province',
      issuedOn: '2020-03-02',
      expiresOn: '2023-03-02',
    });
    const expired = await eventually(productId, 'CertificateExpired');
    expect(expired.data).toMatchObject({ expiresOn: '2023-03-02', endedOn: '2023-03-02', reason: 'term_ended' });
    expect(await certificateRow(number, 'expired')).toMatchObject({ status: 'expired', endedOn: '2023-03-02' });
    expect((await get(`/products/${productId}`, tokens.subject)).json()).toMatchObject({ stage: 'expired' });
    expect(await outboxKinds(productId)).toEqual([]);
  });
});

describe('one rounding rule for every council average', () => {
  it('truncates the part averages and criterion means to 2 decimals as it does the total', async () => {
    const created = await post('/products', tokens.subject, {
      subjectId: SUBJECT,
      subjectName: 'HTX chè Thanh Chương',
      productName: `Chè búp ${run}`,
      productSetCode: SHEET,
      provinceCode: PROVINCE,
      communeCode: COMMUNE,
    });
    expect(created.statusCode, created.body).toBe(201);
    const productId = created.json<{ productId: string }>().productId;
    const steps: [CaseCommandType, string][] = [
      ['AcceptIdea', tokens.commune],
      ['SubmitBusinessPlan', tokens.subject],
      ['ApproveBusinessPlan', tokens.commune],
      ['SubmitDossier', tokens.subject],
      ['AssessDossierAtCommune', tokens.commune],
      ['ForwardDossierToProvince', tokens.commune],
      ['AssignToProvincialRound', tokens.province],
    ];
    for (const [type, as] of steps) {
      const res = await post(`/products/${productId}/${kebabOf(type)}`, as, COMMAND_EXAMPLES[type]);
      expect(res.statusCode, `${type}: ${res.body}`).toBe(200);
    }
    const members = ['law-chair', 'law-m1', 'law-m2'];
    const convened = await post(`/products/${productId}/convene-council`, tokens.province, {
      sheetCode: SHEET,
      members: members.map((memberId, i) => ({ memberId, role: i === 0 ? 'chair' : 'member' })),
    });
    expect(convened.statusCode, convened.body).toBe(200);

    // Every criterion at its best; one member ticks one point less on a Part A criterion: A's mean is max − 1/3.
    const sheet = getSheet(SHEET);
    const best = allCriteria(sheet).map((c) => ({
      criterionId: c.id,
      optionId: [...c.options].sort((a, b) => b.points - a.points)[0]!.id,
    }));
    const partA = sheet.parts.find((p) => p.id === 'A')!;
    const lowered = partA.sections
      .flatMap((s) => s.criteria)
      .flatMap((c) => {
        const top = Math.max(...c.options.map((o) => o.points));
        const below = c.options.find((o) => o.points === top - 1);
        return below ? [{ criterionId: c.id, optionId: below.id, top }] : [];
      })[0]!;
    const oneLess = best.map((s) => (s.criterionId === lowered.criterionId ? { ...s, optionId: lowered.optionId } : s));
    for (const [i, memberId] of members.entries()) {
      const as = await token('council_member', PROVINCE, memberId);
      const res = await post(`/products/${productId}/submit-council-scores`, as, {
        selections: i === 2 ? oneLess : best,
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const council = await get(`/products/${productId}/council`, tokens.province);
    expect(council.statusCode, council.body).toBe(200);
    const result = council.json<{
      result: {
        partAverages: Record<string, number>;
        breakdown: { criterionId: string; averagePoints: number }[];
      };
    }>().result;
    // (3 × best − 1) / 3 = best − 0.333…: truncated best − 0.34, where rounding would show best − 0.33.
    const bestA = partA.sections
      .flatMap((s) => s.criteria)
      .reduce((t, c) => t + Math.max(...c.options.map((o) => o.points)), 0);
    expect(result.partAverages.A).toBeCloseTo(bestA - 0.34, 6);
    expect(result.breakdown.find((b) => b.criterionId === lowered.criterionId)?.averagePoints).toBeCloseTo(
      lowered.top - 0.34,
      6,
    );
  });
});
