import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken, type UserRole } from '../../api/auth';
import { createLogger } from '../../config/logger';
import { startHarnessOnOwnDatabase, type Harness } from './harness';

// Search (issue 18): diacritics and case do not matter, "đ" folds to "d", the caller's jurisdiction bounds what is
// found, results carry unit names, and the list pages like the others. Thái Nguyên (19): Xã Tân Cương (05503) and
// Phường Đức Xuân (01840); Hà Nội (01): Phường Ba Đình (00004).
const secret = 'search-secret-search-secret-search-0001';
let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let keys = 0;
const token = (role: UserRole, jurisdiction: string, sub = `se-${role}-${jurisdiction}`) =>
  signToken(secret, { sub, role, jurisdiction });
const get = async (url: string, as: Promise<string>) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await as}` } });

interface Hit {
  productId: string;
  productName: string;
  communeName: string;
  provinceName: string;
  certificateNumbers: string[];
  matched: string[];
}
const ids = (body: { items: Hit[] }) => body.items.map((i) => i.productId).sort();

async function importCase(
  productId: string,
  o: { product: string; subject: string; subjectId: string; province: string; commune: string; number: string },
) {
  const res = await app.inject({
    method: 'POST',
    url: '/products/import',
    headers: { authorization: `Bearer ${await token('admin', 'VN')}`, 'idempotency-key': `search-${(keys += 1)}` },
    payload: {
      productId,
      subjectId: o.subjectId,
      subjectName: o.subject,
      productName: o.product,
      productSetCode: 'tea',
      provinceCode: o.province,
      communeCode: o.commune,
      ruleSetId: 'QD148_1489_2025',
      certificate: { number: o.number, star: 4, level: 'province', issuedOn: '2025-09-01', expiresOn: '2028-09-01' },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
}

beforeAll(async () => {
  h = await startHarnessOnOwnDatabase('api-search');
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
  });
  await importCase('SE-TEA-1', {
    product: 'Chè Tân Cương đặc biệt',
    subject: 'HTX chè Hoàng Bình',
    subjectId: 'HTX-SE-1',
    province: '19',
    commune: '05503',
    number: 'TN-OCOP/2025-017',
  });
  await importCase('SE-TEA-2', {
    product: 'Trà búp',
    subject: 'Hộ kinh doanh Đỗ Đức',
    subjectId: 'HTX-SE-2',
    province: '19',
    commune: '01840',
    number: 'TN-OCOP/2025-018',
  });
  await importCase('SE-HN-1', {
    product: 'Chè sen Tây Hồ',
    subject: 'Cơ sở Đào Tân',
    subjectId: 'HTX-SE-3',
    province: '01',
    commune: '00004',
    number: 'HN-OCOP/2025-100',
  });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await h?.stop();
});

describe('GET /search', () => {
  const admin = () => token('admin', 'VN');

  it('finds a product whatever its diacritics and case, with unit names', async () => {
    const res = await get('/search?q=CHE%20tan%20cuong', admin());
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ items: Hit[]; nextCursor: string | null }>();
    expect(ids(body)).toEqual(['SE-TEA-1']);
    const [hit] = body.items;
    expect(hit).toMatchObject({
      productName: 'Chè Tân Cương đặc biệt',
      communeName: 'Xã Tân Cương',
      provinceName: 'Tỉnh Thái Nguyên',
      certificateNumbers: ['TN-OCOP/2025-017'],
    });
    expect(hit?.matched).toEqual(['product']);
    expect(body.nextCursor).toBeNull();
  });

  it('folds "đ" to "d", and finds subjects, certificate numbers and commune names', async () => {
    expect(ids((await get('/search?q=do%20duc', admin())).json())).toEqual(['SE-TEA-2']);
    expect(ids((await get('/search?q=dac%20biet', admin())).json())).toEqual(['SE-TEA-1']);
    expect(ids((await get('/search?q=ocop%2F2025-01', admin())).json())).toEqual(['SE-TEA-1', 'SE-TEA-2']);
    const byCommune = (await get('/search?q=phuong%20duc%20xuan', admin())).json<{ items: Hit[] }>();
    expect(ids(byCommune)).toEqual(['SE-TEA-2']);
    expect(byCommune.items[0]?.matched).toEqual(['commune']);
    expect(ids((await get('/search?q=che', admin())).json())).toEqual(['SE-HN-1', 'SE-TEA-1']);
    expect((await get('/search?q=100%25', admin())).json<{ items: Hit[] }>().items).toEqual([]);
  });

  it('keeps to the caller’s jurisdiction', async () => {
    expect(ids((await get('/search?q=che', token('provincial_office', '19'))).json())).toEqual(['SE-TEA-1']);
    expect(ids((await get('/search?q=ocop', token('commune_officer', '01840'))).json())).toEqual(['SE-TEA-2']);
    expect(ids((await get('/search?q=ocop', token('provincial_office', '01'))).json())).toEqual(['SE-HN-1']);
    expect(ids((await get('/search?q=ocop', token('subject', 'HTX-SE-3', 'person-of-htx-se-3'))).json())).toEqual([
      'SE-HN-1',
    ]);
  });

  it('pages like the other lists, and refuses an empty query naming the field', async () => {
    const first = (await get('/search?q=ocop&limit=2', admin())).json<{ items: Hit[]; nextCursor: string | null }>();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = (await get(`/search?q=ocop&limit=2&cursor=${first.nextCursor ?? ''}`, admin())).json<{
      items: Hit[];
      nextCursor: string | null;
    }>();
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...ids(first), ...ids(second)]).size).toBe(3);
    const empty = await get('/search?q=%20', admin());
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('querystring.q');
  });
});
