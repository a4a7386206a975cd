import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken, type UserRole } from '../../api/auth';
import { createLogger } from '../../config/logger';
import { startHarnessOnOwnDatabase, type Harness } from './harness';

// Figures (issue 19): counts by two dimensions with names, certificates in force on a day, jurisdiction, CSV.
const secret = 'reports-secret-reports-secret-rep-0001';
let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let keys = 0;
const token = (role: UserRole, jurisdiction: string, sub = `rp-${role}-${jurisdiction}`) =>
  signToken(secret, { sub, role, jurisdiction });
const get = async (url: string, as: Promise<string>) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await as}` } });

async function importCase(
  productId: string,
  province: string,
  commune: string,
  star: number,
  issuedOn: string,
  more: object = {},
) {
  const res = await app.inject({
    method: 'POST',
    url: '/products/import',
    headers: { authorization: `Bearer ${await token('admin', 'VN')}`, 'idempotency-key': `reports-${(keys += 1)}` },
    payload: {
      productId,
      subjectId: `HTX-${productId}`,
      subjectName: 'HTX Hoàng Bình',
      productName: 'Chè Tân Cương',
      productSetCode: 'tea',
      provinceCode: province,
      communeCode: commune,
      ruleSetId: 'QD148_1489_2025',
      certificate: {
        number: `GCN-${productId}`,
        star,
        level: star === 5 ? 'ministry' : 'province',
        issuedOn,
        expiresOn: `${Number(issuedOn.slice(0, 4)) + 3}${issuedOn.slice(4)}`,
      },
      ...more,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
}

beforeAll(async () => {
  h = await startHarnessOnOwnDatabase('api-reports');
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
  });
  await importCase('RP-1', '19', '05503', 4, '2025-09-01', {
    subjectFacts: { legalForm: 'cooperative', salesChannels: ['supermarket'], valueChainLinked: true },
  });
  await importCase('RP-2', '19', '05503', 3, '2025-10-01', { subjectFacts: { legalForm: 'company', sme: true } });
  await importCase('RP-3', '19', '01840', 3, '2026-02-01');
  await importCase('RP-4', '01', '00004', 5, '2025-09-01');
}, 120_000);
afterAll(async () => {
  await app?.close();
  await h?.stop();
});

interface Figures {
  by: string[];
  rows: { keys: (string | null)[]; names: (string | null)[]; count: number }[];
}

describe('GET /reports/figures', () => {
  it('counts by commune and star, with names, in the caller’s jurisdiction', async () => {
    const res = await get('/reports/figures?by=commune&by2=star', token('provincial_office', '19'));
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<Figures>();
    expect(body.rows.map((r) => [...r.names, r.count]).sort()).toEqual(
      [
        ['Phường Đức Xuân', '3 sao', 1],
        ['Xã Tân Cương', '3 sao', 1],
        ['Xã Tân Cương', '4 sao', 1],
      ].sort(),
    );
    const all = (await get('/reports/figures?by=province', token('admin', 'VN'))).json<Figures>();
    expect(all.rows).toEqual([
      { keys: ['19'], names: ['Tỉnh Thái Nguyên'], count: 3 },
      { keys: ['01'], names: ['Thành phố Hà Nội'], count: 1 },
    ]);
  });

  it('counts only certificates in force on a day', async () => {
    const res = await get('/reports/figures?by=star&inForceOn=2025-12-31', token('provincial_office', '19'));
    expect(
      res
        .json<Figures>()
        .rows.map((r) => [r.names[0], r.count])
        .sort(),
    ).toEqual([
      ['3 sao', 1],
      ['4 sao', 1],
    ]);
  });

  it('exports CSV in UTF-8 with a BOM and Vietnamese headings', async () => {
    const res = await get('/reports/figures?by=commune&format=csv', token('provincial_office', '19'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const text = res.rawPayload.toString('utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('Xã/phường,Số sản phẩm');
    expect(lines.slice(1)).toEqual(['Xã Tân Cương,2', 'Phường Đức Xuân,1']);
  });

  it('exports an Excel workbook with Vietnamese headings and names', async () => {
    const res = await get('/reports/figures?by=commune&by2=star&format=xlsx', token('provincial_office', '19'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Số liệu OCOP')!;
    const values = sheet
      .getSheetValues()
      .slice(1)
      .map((r) => (r as unknown[]).slice(1));
    expect(values[0]).toEqual(['Xã/phường', 'Hạng sao', 'Số sản phẩm']);
    expect(values.slice(1)).toEqual(
      expect.arrayContaining([
        ['Xã Tân Cương', '4 sao', 1],
        ['Phường Đức Xuân', '3 sao', 1],
      ]),
    );
  });

  it('refuses the same dimension twice and an unknown one, naming the field', async () => {
    const same = await get('/reports/figures?by=star&by2=star', token('admin', 'VN'));
    expect(same.statusCode).toBe(400);
    expect(same.body).toContain('querystring.by2');
    expect((await get('/reports/figures?by=colour', token('admin', 'VN'))).statusCode).toBe(400);
  });

  it('counts by the subjects’ legal form as their records state it, and shows it on the case', async () => {
    const res = await get('/reports/figures?by=legalForm', token('provincial_office', '19'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<Figures>().rows.map((r) => [r.names[0], r.count])).toEqual(
      expect.arrayContaining([
        ['Hợp tác xã', 1],
        ['Doanh nghiệp', 1],
        [null, 1],
      ]),
    );
    const detail = await get('/products/RP-1', token('provincial_office', '19'));
    expect(detail.json()).toMatchObject({ subjectFacts: { legalForm: 'cooperative', valueChainLinked: true } });
    // A household cannot be an SME: refused naming the field, nothing recorded.
    const refused = await app.inject({
      method: 'POST',
      url: '/products/import',
      headers: { authorization: `Bearer ${await token('admin', 'VN')}`, 'idempotency-key': 'reports-sme-household' },
      payload: {
        productId: 'RP-9',
        subjectId: 'HTX-RP-9',
        subjectName: 'Hộ Nguyễn Văn A',
        productName: 'Chè Tân Cương',
        productSetCode: 'tea',
        provinceCode: '19',
        communeCode: '05503',
        ruleSetId: 'QD148_1489_2025',
        certificate: {
          number: 'GCN-RP-9',
          star: 3,
          level: 'province',
          issuedOn: '2025-09-01',
          expiresOn: '2028-09-01',
        },
        subjectFacts: { legalForm: 'household', sme: true },
      },
    });
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.body).toContain('body.subjectFacts.sme');
    expect((await get('/products/RP-9', token('admin', 'VN'))).statusCode).toBe(404);
  });

  // Last: it adds a case re-homed from Hà Giang (02, district 024) to Tuyên Quang (08), which the counts above omit.
  it('counts by today’s units or by the former ones (units=former), district included', async () => {
    const admin = await token('admin', 'VN');
    const imported = await app.inject({
      method: 'POST',
      url: '/products/import',
      headers: { authorization: `Bearer ${admin}`, 'idempotency-key': 'reports-ha-giang' },
      payload: {
        productId: 'RP-HG',
        subjectId: 'HTX-RP-HG',
        subjectName: 'HTX chè Hà Giang',
        productName: 'Chè Shan tuyết Hà Giang',
        productSetCode: 'tea',
        provinceCode: '02',
        districtCode: '024',
        communeCode: '00697',
        ruleSetId: 'QD148_2023',
        certificate: {
          number: 'GCN-RP-HG',
          star: 4,
          level: 'province',
          issuedOn: '2023-10-02',
          expiresOn: '2026-10-02',
        },
      },
    });
    expect(imported.statusCode, imported.body).toBe(201);
    const moved = await app.inject({
      method: 'POST',
      url: '/products/RP-HG/update-places',
      headers: {
        authorization: `Bearer ${await token('provincial_office', '08')}`,
        'idempotency-key': 'reports-hg-move',
      },
      payload: { provinceCode: '08', communeCode: '00691', reason: 'Sắp xếp đơn vị hành chính 2025' },
    });
    expect(moved.statusCode, moved.body).toBe(200);

    const pairs = async (url: string) =>
      (await get(url, Promise.resolve(admin))).json<Figures>().rows.map((r) => [r.keys[0], r.count]);
    expect(await pairs('/reports/figures?by=province')).toContainEqual(['08', 1]);
    expect(await pairs('/reports/figures?by=province')).not.toContainEqual(['02', 1]);
    expect(await pairs('/reports/figures?by=province&units=former')).toContainEqual(['02', 1]);
    expect(await pairs('/reports/figures?by=commune&units=former')).toContainEqual(['00697', 1]);
    // Re-homed, the case names no district today; its district is the former one either way.
    expect(await pairs('/reports/figures?by=district')).toContainEqual(['024', 1]);
    expect(await pairs('/reports/figures?by=district&units=former')).toContainEqual(['024', 1]);
    const named = (await get('/reports/figures?by=province&units=former', Promise.resolve(admin))).json<Figures>();
    expect(named.rows.find((r) => r.keys[0] === '02')?.names[0]).toMatch(/Hà Giang/);
  });
});
