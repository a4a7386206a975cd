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

async function importCase(productId: string, province: string, commune: string, star: number, issuedOn: string) {
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
  await importCase('RP-1', '19', '05503', 4, '2025-09-01');
  await importCase('RP-2', '19', '05503', 3, '2025-10-01');
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
});
