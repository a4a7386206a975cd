import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken, type UserRole } from '../../api/auth';
import { createLogger } from '../../config/logger';
import { ruleSetInForce } from '../../domain';
import { startHarnessOnOwnDatabase, type Harness } from './harness';

/**
 * Plans (issue 19) as a provincial office keeps them: adopted for a year with its targets, revised with the earlier
 * version kept, read only within the jurisdiction, and progress against them from the certificates recorded: each
 * target with the percentage, the year-end sentence and the communes still without a product.
 */
const secret = 'plans-secret-plans-secret-plans-000001';
let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let keys = 0;
const token = (role: UserRole, jurisdiction: string, sub = `pl-${role}-${jurisdiction}`) =>
  signToken(secret, { sub, role, jurisdiction });
const get = async (url: string, as: Promise<string>) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await as}` } });

async function importCase(productId: string, province: string, commune: string, star: number, issuedOn: string) {
  const res = await app.inject({
    method: 'POST',
    url: '/products/import',
    headers: {
      authorization: `Bearer ${await token('admin', 'VN')}`,
      'idempotency-key': `plans-import-${(keys += 1)}`,
    },
    payload: {
      productId,
      subjectId: `HTX-${productId}`,
      subjectName: 'HTX Hoàng Bình',
      productName: 'Chè Tân Cương',
      productSetCode: 'tea',
      provinceCode: province,
      communeCode: commune,
      ruleSetId: ruleSetInForce(issuedOn).id,
      certificate: {
        number: `GCN-${productId}`,
        star,
        level: star === 5 ? 'ministry' : 'province',
        issuedOn,
        expiresOn: `${Number(issuedOn.slice(0, 4)) + 3}${issuedOn.slice(4)}`,
      },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
}

beforeAll(async () => {
  h = await startHarnessOnOwnDatabase('api-plans');
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
  });
  // Thái Nguyên (19) in 2026: a 4★ and a 3★ in Phường Phan Đình Phùng (05503), a 3★ in 01840; one from 2025.
  await importCase('19-05503-001-2026', '19', '05503', 4, '2026-03-01');
  await importCase('19-05503-002-2026', '19', '05503', 3, '2026-05-01');
  await importCase('19-01840-003-2026', '19', '01840', 3, '2026-09-01');
  await importCase('19-01840-004-2025', '19', '01840', 3, '2025-09-01');
}, 120_000);
afterAll(async () => {
  await app?.close();
  await h?.stop();
});

let n = 0;
const send = async (
  method: 'POST' | 'PUT',
  url: string,
  as: Promise<string>,
  payload: object,
  key = `plans-key-${(n += 1)}`,
) => app.inject({ method, url, headers: { authorization: `Bearer ${await as}`, 'idempotency-key': key }, payload });
const PLAN = {
  level: 'province',
  jurisdiction: '19',
  period: { from: 2026, to: 2026 },
  targets: { recognisedNew: 4, byStar: { 4: 1, 3: 3 }, communesCovered: 3 },
};
const PLAN_ID = 'plan:province:19:2026-2026';
const office = () => token('provincial_office', '19');

describe('plans', () => {
  it('adopts a plan once per key, refuses a second adoption and keeps each revision in the history', async () => {
    const adopted = await send('POST', '/plans', office(), PLAN, 'adopt-2026');
    expect(adopted.statusCode, adopted.body).toBe(201);
    expect(adopted.headers.location).toBe(`/plans/${encodeURIComponent(PLAN_ID)}`);
    const replay = await send('POST', '/plans', office(), PLAN, 'adopt-2026');
    expect(replay.statusCode).toBe(201);
    expect(replay.json().versions).toHaveLength(1);
    const reused = await send('POST', '/plans', office(), { ...PLAN, targets: { recognisedNew: 9 } }, 'adopt-2026');
    expect(reused.statusCode).toBe(422);
    const again = await send('POST', '/plans', office(), PLAN);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('plan_exists');

    const revised = await send('PUT', `/plans/${encodeURIComponent(PLAN_ID)}`, office(), {
      ...PLAN,
      targets: { ...PLAN.targets, recognisedNew: 3 },
      reason: 'Điều chỉnh theo Nghị quyết HĐND tỉnh',
    });
    expect(revised.statusCode, revised.body).toBe(200);
    const read = await get(`/plans/${encodeURIComponent(PLAN_ID)}`, office());
    expect(read.statusCode).toBe(200);
    const state = read.json<{ current: { targets: { recognisedNew: number } }; versions: { kind: string }[] }>();
    expect(state.current.targets.recognisedNew).toBe(3);
    expect(state.versions.map((v) => v.kind)).toEqual(['adopted', 'revised']);
    const history = await h.sql<{ type: string }[]>`
      SELECT type FROM events WHERE stream_id = ${PLAN_ID} ORDER BY stream_position`;
    expect(history.map((e) => e.type)).toEqual(['PlanAdopted', 'PlanRevised']);
  });

  it('reports progress: each target with its percentage, the year-end sentence and the communes without a product', async () => {
    const res = await get(`/plans/${encodeURIComponent(PLAN_ID)}/progress`, token('ministry', 'MINISTRY'));
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json<{
      lines: { measure: string; target: number; actual: number; percent: number | null }[];
      sentence: string;
      communesWithoutProduct: { code: string; name: string }[];
    }>();
    const line = (m: string) => p.lines.find((l) => l.measure === m);
    expect(line('recognisedNew')).toMatchObject({ target: 3, actual: 3, percent: 100 });
    expect(line('byStar.4')).toMatchObject({ target: 1, actual: 1, percent: 100 });
    expect(line('byStar.3')).toMatchObject({ target: 3, actual: 2, percent: 67 });
    expect(line('communesCovered')).toMatchObject({ target: 3, actual: 2, percent: 67 });
    expect(p.sentence).toBe(
      'Năm 2026 công nhận 3 sản phẩm, 1 sản phẩm 4 sao và 2 sản phẩm 3 sao, đạt 100% so với kế hoạch',
    );
    const uncovered = p.communesWithoutProduct.map((c) => c.code);
    expect(uncovered).not.toContain('05503');
    expect(uncovered).not.toContain('01840');
    expect(uncovered.length).toBeGreaterThan(50);
    expect(p.communesWithoutProduct[0]!.name).toMatch(/^(Xã|Phường) /);
  });

  it('exports progress as CSV and as an Excel workbook, in Vietnamese', async () => {
    const url = `/plans/${encodeURIComponent(PLAN_ID)}/progress`;
    const csv = await get(`${url}?format=csv`, office());
    expect(csv.statusCode, csv.body).toBe(200);
    const lines = csv.rawPayload.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('Chỉ tiêu,Kế hoạch,Thực hiện,Tỷ lệ (%)');
    expect(lines).toContain('Sản phẩm 4 sao được công nhận mới,1,1,100');
    const xlsx = await get(`${url}?format=xlsx`, office());
    expect(xlsx.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const rows = book
      .getWorksheet('Tiến độ kế hoạch')!
      .getSheetValues()
      .slice(1)
      .map((r) => (r as unknown[]).slice(1));
    expect(rows[0]).toEqual(['Chỉ tiêu', 'Kế hoạch', 'Thực hiện', 'Tỷ lệ (%)']);
    expect(rows).toContainEqual(['Sản phẩm 3 sao được công nhận mới', 3, 2, 67]);
  });

  it('keeps to the jurisdiction: another province cannot adopt here nor read the plan; a commune reads no province plan', async () => {
    const other = token('provincial_office', '01');
    expect((await send('POST', '/plans', other, { ...PLAN, period: { from: 2027, to: 2027 } })).statusCode).toBe(403);
    expect((await get(`/plans/${encodeURIComponent(PLAN_ID)}`, other)).statusCode).toBe(404);
    expect(
      (await get(`/plans/${encodeURIComponent(PLAN_ID)}/progress`, token('commune_officer', '05503'))).statusCode,
    ).toBe(404);
    const commune = await send('POST', '/plans', token('commune_officer', '05503'), {
      level: 'commune',
      jurisdiction: '05503',
      period: { from: 2026, to: 2026 },
      targets: { recognisedNew: 1 },
    });
    expect(commune.statusCode, commune.body).toBe(201);

    const ids = async (as: Promise<string>, query = '') => {
      const res = await get(`/plans${query}`, as);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ items: { planId: string }[] }>().items.map((p) => p.planId);
    };
    expect(await ids(office())).toEqual(['plan:commune:05503:2026-2026', PLAN_ID]);
    expect(await ids(office(), '?level=province&year=2026')).toEqual([PLAN_ID]);
    expect(await ids(office(), '?year=2027')).toEqual([]);
    expect(await ids(token('commune_officer', '05503'))).toEqual(['plan:commune:05503:2026-2026']);
    expect(await ids(other)).toEqual([]);
  });

  it('refuses a plan the law or the map does not allow, naming the field', async () => {
    const district = await send('POST', '/plans', token('admin', 'VN'), {
      ...PLAN,
      level: 'district',
      jurisdiction: '164',
    });
    expect(district.statusCode, district.body).toBe(422);
    expect(district.json().errors.map((e: { field: string }) => e.field)).toContain('body.level');
    const unknown = await send('POST', '/plans', token('admin', 'VN'), { ...PLAN, jurisdiction: '99' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors.map((e: { field: string }) => e.field)).toContain('body.jurisdiction');
    const empty = await send('POST', '/plans', office(), { ...PLAN, period: { from: 2028, to: 2028 }, targets: {} });
    expect(empty.statusCode).toBe(422);
    expect(empty.json().errors.map((e: { field: string }) => e.field)).toContain('body.targets');
    const before = await h.sql`SELECT 1 FROM events WHERE stream_id LIKE 'plan:%:2028-2028'`;
    expect(before).toHaveLength(0);
  });

  // Last, and in Hà Nội (01), so the Thái Nguyên figures above are not touched.
  it('counts the shares of cooperatives and SMEs among the subjects of 3★+ products, from the facts their records state', async () => {
    const facts = [
      { legalForm: 'cooperative' },
      { legalForm: 'cooperative' },
      { legalForm: 'company', sme: true },
      { legalForm: 'household' },
    ];
    for (const [i, subjectFacts] of facts.entries()) {
      const res = await app.inject({
        method: 'POST',
        url: '/products/import',
        headers: { authorization: `Bearer ${await token('admin', 'VN')}`, 'idempotency-key': `plans-share-${i}` },
        payload: {
          productId: `01-00004-00${i + 5}-2026`,
          subjectId: `HTX-SHARE-${i}`,
          subjectName: 'Chủ thể OCOP Ba Đình',
          productName: 'Bánh cốm',
          productSetCode: 'tea',
          provinceCode: '01',
          communeCode: '00004',
          ruleSetId: ruleSetInForce('2026-04-01').id,
          certificate: {
            number: `GCN-SHARE-${i}`,
            star: 3,
            level: 'province',
            issuedOn: '2026-04-01',
            expiresOn: '2029-04-01',
          },
          subjectFacts,
        },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const hanoi = () => token('provincial_office', '01');
    const plan = { level: 'province', jurisdiction: '01', period: { from: 2026, to: 2026 } };
    const adopted = await send('POST', '/plans', hanoi(), { ...plan, targets: { cooperativeShare: 40, smeShare: 50 } });
    expect(adopted.statusCode, adopted.body).toBe(201);
    const res = await get(`/plans/${encodeURIComponent('plan:province:01:2026-2026')}/progress`, hanoi());
    const lines = res.json<{ lines: { measure: string; target: number; actual: number; percent: number }[] }>().lines;
    // 2 of 4 subjects are cooperatives (50% of a 40% target: 125%), 1 of 4 an SME (25% of 50%: 50%).
    expect(lines).toEqual([
      expect.objectContaining({ measure: 'cooperativeShare', target: 40, actual: 50, percent: 125 }),
      expect.objectContaining({ measure: 'smeShare', target: 50, actual: 25, percent: 50 }),
    ]);
    const over = await send('POST', '/plans', hanoi(), {
      ...plan,
      period: { from: 2027, to: 2027 },
      targets: { smeShare: 120 },
    });
    expect(over.statusCode).toBe(400);
    expect(over.body).toContain('smeShare');
  });
});
