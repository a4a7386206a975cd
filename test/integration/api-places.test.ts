import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken, type UserRole } from '../../api/auth';
import { createLogger } from '../../config/logger';
import { startHarness, type Harness } from './harness';

// Places and product sets (issue 14), over HTTP and the `ocop` CLI only. Hà Giang (02) was merged into Tuyên Quang
// (08) on 01/07/2025. Codes only this file uses: the old province 02 and, in the new Tuyên Quang, the communes that
// succeed Hà Giang's.
const OLD = '02';
const NEW = '08';
const secret = 'places-secret-places-secret-places-0123';

let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let keys = 0;

const token = (role: UserRole, jurisdiction: string, sub = `pl-${role}-${jurisdiction}`) =>
  signToken(secret, { sub, role, jurisdiction });
const nextKey = () => `places-${Date.now()}-${(keys += 1)}`;

beforeAll(async () => {
  h = await startHarness('api-places');
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
    headers: { authorization: `Bearer ${as}`, 'idempotency-key': nextKey() },
    payload,
  });
}
const get = (url: string, as: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${as}` } });

interface Problem {
  status: number;
  code?: string;
  detail: string;
  errors?: { field: string; message: string; messageEn?: string }[];
}

const idea = {
  subjectId: 'HTX-PLACES',
  subjectName: 'HTX chè Shan tuyết Lũng Cú',
  productName: 'Chè Shan tuyết',
  productSetCode: 'tea',
  provinceCode: '19',
  communeCode: '05443',
};

/** A certificate issued by Hà Giang in 2023, imported with the places printed on it. */
async function importHaGiang(productId: string, communeCode: string, as?: string) {
  const res = await post('/products/import', as ?? (await token('admin', 'VN')), {
    productId,
    subjectId: `HTX-${productId}`,
    subjectName: 'HTX chè Hà Giang',
    productName: 'Chè Shan tuyết Hà Giang',
    productSetCode: 'tea',
    provinceCode: OLD,
    communeCode,
    districtCode: '024',
    ruleSetId: 'QD148_2023',
    certificate: {
      number: `GCN-${productId}`,
      star: 4,
      level: 'province',
      issuedOn: '2023-10-02',
      expiresOn: '2026-10-02',
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res;
}

function fieldsOf(res: { json: () => unknown }): string[] {
  return ((res.json() as Problem).errors ?? []).map((e) => e.field);
}

describe('places and product sets are checked (POST /products, imports)', () => {
  it('refuses province 99, a Hà Nội commune under another province, product sets foo and chè: 422 naming the field, in Vietnamese and English', async () => {
    const subject = await token('subject', idea.subjectId, idea.subjectId);
    const cases: [object, string][] = [
      [{ provinceCode: '99' }, 'body.provinceCode'],
      [{ communeCode: '00004' }, 'body.communeCode'], // Phường Ba Đình, Hà Nội, not Thái Nguyên
      [{ productSetCode: 'foo' }, 'body.productSetCode'],
      [{ productSetCode: 'chè' }, 'body.productSetCode'],
    ];
    for (const [over, field] of cases) {
      const res = await post('/products', subject, { ...idea, ...over });
      expect(res.statusCode, res.body).toBe(422);
      const problem = res.json<Problem>();
      expect(problem.errors?.map((e) => e.field)).toEqual([field]);
      expect(problem.errors?.[0]?.message).toMatch(/không|Mã/);
      expect(problem.errors?.[0]?.messageEn).toMatch(/not/);
    }
    // Nothing was recorded for this subject.
    const list = await get(`/products?limit=200`, subject);
    expect(list.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('refuses a new idea in December 2026 in a province abolished on 01/07/2025', async () => {
    const officer = await token('commune_officer', '00692');
    const res = await post('/products', officer, { ...idea, provinceCode: OLD, communeCode: '00692' });
    expect(res.statusCode, res.body).toBe(422);
    expect(fieldsOf(res)).toEqual(['body.provinceCode', 'body.communeCode']);
    expect(res.json<Problem>().detail).toMatch(/^provinceCode: Tỉnh 02 \(Tỉnh Hà Giang\) đã chấm dứt tồn tại/);
  });

  it('accepts an import naming the pre-2025 places printed on a 2023 certificate', async () => {
    const res = await importHaGiang(`HG-IMPORT-${Date.now()}`, '00692');
    expect(res.json()).toMatchObject({ provinceCode: OLD, communeCode: '00692' });
  });
});

describe('the 2025 reform, end to end', () => {
  const run = Date.now();
  const whole = `HG-WHOLE-${run}`; // Phường Ngọc Hà → Phường Hà Giang 2
  const split = `HG-SPLIT-${run}`; // Phường Quang Trung → Hà Giang 1 or Hà Giang 2
  const moved = `HG-MOVED-${run}`;

  beforeAll(async () => {
    await importHaGiang(whole, '00692');
    await importHaGiang(split, '00688');
    await importHaGiang(moved, '00697');
  });

  it('the successor province’s office sees the case and moves it, only to a successor unless it overrides with a reason', async () => {
    const newOffice = await token('provincial_office', NEW);
    expect((await get(`/products/${moved}`, newOffice)).statusCode).toBe(200);
    const body = { provinceCode: '01', communeCode: '00004', reason: 'Sắp xếp đơn vị hành chính 2025' };
    const hanoi = await post(`/products/${moved}/update-places`, newOffice, body);
    expect(hanoi.statusCode, hanoi.body).toBe(422);
    expect(fieldsOf(hanoi)).toEqual(['body.communeCode']);
    expect(hanoi.json<Problem>().errors?.[0]?.messageEn).toMatch(/does not succeed/);

    const ok = await post(`/products/${moved}/update-places`, newOffice, {
      ...body,
      provinceCode: NEW,
      communeCode: '00691',
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ case: { provinceCode: NEW, communeCode: '00691' } });
    // History keeps the old places.
    const history = await get(`/products/${moved}/history`, newOffice);
    const placed = history
      .json<{ items: { type: string; data: unknown }[] }>()
      .items.find((e) => e.type === 'PlacesUpdated');
    expect(placed?.data).toMatchObject({ previous: { provinceCode: OLD, communeCode: '00697', districtCode: '024' } });

    const override = await post(`/products/${moved}/update-places`, newOffice, {
      ...body,
      override: { reason: 'Cơ sở sản xuất đã chuyển về Hà Nội' },
    });
    expect(override.statusCode, override.body).toBe(200);
    expect(override.json()).toMatchObject({ case: { provinceCode: '01', communeCode: '00004' } });
  });

  it('re-homes every case of the abolished units with the CLI: dry run first, then apply, then nothing left; a split commune is listed', async () => {
    const dry = await ocop(['places', 'rehome', '--province', OLD]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^dry run: /);
    expect(dry.stdout).toContain(`planned\t${whole}\t02/024/00692 -> 08/00691`);
    expect(dry.stdout).toContain(`decide\t${split}\t02/024/00688 -> one of 08/00694, 08/00691`);
    const admin = await token('admin', 'VN');
    expect((await get(`/products/${whole}`, admin)).json()).toMatchObject({ provinceCode: OLD });

    const applied = await ocop(['places', 'rehome', '--province', OLD, '--apply']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain(`moved\t${whole}\t02/024/00692 -> 08/00691`);
    expect(applied.stderr).toMatch(new RegExp(`\\[\\d+/\\d+\\] ${whole} 02/024/00692 -> 08/00691 moved`));
    expect((await get(`/products/${whole}`, admin)).json()).toMatchObject({ provinceCode: NEW, communeCode: '00691' });

    const again = await ocop(['places', 'rehome', '--province', OLD, '--apply', '--json']);
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout) as { moves: unknown[]; toDecide: { productId: string }[] };
    expect(report.moves).toEqual([]);
    expect(report.toDecide.map((d) => d.productId)).toContain(split);
  });

  it('the same operation over HTTP: a dry run by default, for the successor office too', async () => {
    const newOffice = await token('provincial_office', NEW);
    const res = await app.inject({
      method: 'POST',
      url: '/places/rehoming',
      headers: { authorization: `Bearer ${newOffice}` },
      payload: {},
    });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json<{ dryRun: boolean; toDecide: { productId: string; candidates: unknown[] }[] }>();
    expect(report.dryRun).toBe(true);
    expect(report.toDecide.find((d) => d.productId === split)?.candidates).toEqual([
      { provinceCode: NEW, communeCode: '00694' },
      { provinceCode: NEW, communeCode: '00691' },
    ]);
    const commune = await token('commune_officer', '00691');
    const refused = await app.inject({
      method: 'POST',
      url: '/places/rehoming',
      headers: { authorization: `Bearer ${commune}` },
      payload: { dryRun: false },
    });
    expect(refused.statusCode).toBe(403);
  });

  it('counts by current units and by former ones, district included', async () => {
    const admin = await token('admin', 'VN');
    const current = await get(`/statistics?kind=certificate&groupBy=province&province=${NEW}`, admin);
    expect(current.statusCode, current.body).toBe(200);
    // The split case, not yet re-homed, counts under its successor province.
    const currentGroups = current.json<{ groups: { key: string; count: number }[] }>().groups;
    expect(currentGroups.map((g) => g.key)).toEqual([NEW]);
    const former = await get(
      `/statistics?kind=certificate&units=former&groupBy=district&province=${OLD}&year=2023`,
      admin,
    );
    expect(former.statusCode, former.body).toBe(200);
    expect(former.json()).toMatchObject({ units: 'former', groups: [{ key: '024' }] });
    expect(former.json<{ total: number }>().total).toBeGreaterThanOrEqual(2);
    const refused = await get(`/statistics?groupBy=district`, admin);
    expect(refused.statusCode).toBe(400);
  });
});

function ocop(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/ocop.ts', ...args],
      {
        cwd: join(import.meta.dirname, '..', '..'),
        env: {
          ...process.env,
          DATABASE_URL: inject('databaseUrl'),
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          LOG_LEVEL: 'error',
        },
        timeout: 120_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}
