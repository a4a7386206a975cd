import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken, type UserRole } from '../../api/auth';
import { COMMAND_EXAMPLES } from '../../api/examples';
import { kebabOf, type CaseCommandType } from '../../api/routes/commands';
import { createLogger } from '../../config/logger';
import { addDays, addMonths, localDate } from '../../domain';
import { createTestAccount } from '../support/accounts';
import { startHarnessOnOwnDatabase, type Harness } from './harness';
import { buildWeb, checkPage, launchChromium, signInThroughPage } from './web-support';

// The provincial office's day in the browser (issue 18): the board by stage with counts the API agrees with and
// filters kept in the URL, certificates expiring within 30/90/180 days, the figures with a chart whose numbers open
// the cases, and the search that ignores diacritics. A database of its own: the counts are only what it recorded.
const PROVINCE = '22'; // Tỉnh Quảng Ninh
const COMMUNE = '06658';
const OTHER_COMMUNE = '06661';
const SUBJECT = 'HTX-WEB-QN';
const secret = 'web-province-secret-web-province-0001';

let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let web: Awaited<ReturnType<typeof buildWeb>>;
let browser: Browser;
let page: Page;
let base = '';
let teaId = '';
let n = 0;
const key = () => `web-prov-${(n += 1)}`;
const token = (role: UserRole, jurisdiction: string, sub = `wp-${role}`) =>
  signToken(secret, { sub, role, jurisdiction });
const today = () => localDate(new Date().toISOString());

async function post(url: string, as: string, payload: object, status = 200) {
  const res = await app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${as}`, 'idempotency-key': key() },
    payload,
  });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(status);
  return res.json<{ productId: string }>();
}

/** A case registered and driven through these commands. */
async function caseThrough(productName: string, commune: string, steps: [CaseCommandType, string][]) {
  const subject = await token('subject', SUBJECT, SUBJECT);
  const { productId } = await post(
    '/products',
    subject,
    {
      subjectId: SUBJECT,
      subjectName: 'HTX chè Tân Cương',
      productName,
      productSetCode: 'tea',
      provinceCode: PROVINCE,
      communeCode: commune,
    },
    201,
  );
  for (const [type, as] of steps) await post(`/products/${productId}/${kebabOf(type)}`, as, COMMAND_EXAMPLES[type]);
  return productId;
}

beforeAll(async () => {
  h = await startHarnessOnOwnDatabase('web-province');
  web = await buildWeb();
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
    webDir: web.dir,
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  const commune = await token('commune_officer', COMMUNE);
  const other = await token('commune_officer', OTHER_COMMUNE);
  const subject = await token('subject', SUBJECT, SUBJECT);
  const toDossier: [CaseCommandType, string][] = [
    ['AcceptIdea', commune],
    ['SubmitBusinessPlan', subject],
    ['ApproveBusinessPlan', commune],
    ['SubmitDossier', subject],
  ];
  teaId = await caseThrough('Chè Tân Cương', COMMUNE, toDossier);
  await caseThrough('Chè búp Quảng Ninh', COMMUNE, []);
  await caseThrough('Trà hoa vàng Ba Chẽ', OTHER_COMMUNE, [['AcceptIdea', other]]);
  // Two certificates imported from paper: one expires in 20 days, one in 120.
  const office = await token('provincial_office', PROVINCE);
  for (const [i, days] of [20, 120].entries()) {
    const expiresOn = addDays(today(), days);
    await post(
      '/products/import',
      office,
      {
        productId: `PAPER-QN-${i + 1}`,
        subjectId: SUBJECT,
        subjectName: 'HTX chè Tân Cương',
        productName: `Chè đặc sản ${i + 1}`,
        productSetCode: 'tea',
        provinceCode: PROVINCE,
        communeCode: COMMUNE,
        ruleSetId: 'QD148_2023',
        certificate: {
          number: `GCN-QN-${i + 1}`,
          star: 4,
          level: 'province',
          issuedOn: addMonths(expiresOn, -36),
          expiresOn,
        },
      },
      201,
    );
  }
  const account = await createTestAccount(h.sql, {
    username: 'web-province-office',
    grants: [{ role: 'provincial_office', jurisdiction: PROVINCE }],
  });
  browser = await launchChromium();
  // bypassCSP: the application's CSP admits its own scripts only, and axe is injected inline.
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'vi-VN',
    bypassCSP: true,
  });
  page = await context.newPage();
  await signInThroughPage(page, base, account.username, account.password);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  web?.remove();
  await h?.stop();
});

/** A page of a browser context of its own, signed in as a new account with one grant; closed after `use`. */
async function asAccount(username: string, role: UserRole, jurisdiction: string, use: (p: Page) => Promise<void>) {
  const account = await createTestAccount(h.sql, { username, grants: [{ role, jurisdiction }] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  try {
    const other = await context.newPage();
    await signInThroughPage(other, base, account.username, account.password);
    await use(other);
  } finally {
    await context.close();
  }
}

/** What the API itself lists in a stage, page by page. */
async function listedInStage(stage: string): Promise<number> {
  const office = await token('provincial_office', PROVINCE);
  let count = 0;
  let cursor: string | null = null;
  do {
    const res: { json<T>(): T } = await app.inject({
      method: 'GET',
      url: `/products?stage=${stage}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      headers: { authorization: `Bearer ${office}` },
    });
    const body: { items: unknown[]; nextCursor: string | null } = res.json();
    count += body.items.length;
    cursor = body.nextCursor;
  } while (cursor);
  return count;
}

describe('the application served by the product', () => {
  it('at /app: hashed assets cached for a year, index.html never, every /app path the application', async () => {
    const root = await app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/app/');
    const index = await app.inject({ method: 'GET', url: '/app/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['content-type']).toContain('text/html');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    const script = /src="(\/app\/assets\/[\w.-]+\.js)"/.exec(index.body)?.[1];
    expect(script, index.body).toBeDefined();
    const asset = await app.inject({ method: 'GET', url: script! });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toContain('javascript');
    const deep = await app.inject({ method: 'GET', url: '/app/board?stage=certified' });
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toBe(index.body);
    expect((await app.inject({ method: 'GET', url: '/app/assets/none-1234.js' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/app/..%2f..%2fpackage.json' })).body).toBe(index.body);
  });
});

describe('the provincial office in the browser', () => {
  it('shows the user, the role and the province by name, and only the office’s pages', async () => {
    const who = page.getByTestId('who');
    await expect.poll(() => who.innerText()).toContain('Tỉnh Quảng Ninh');
    expect(await who.innerText()).toContain('Cơ quan thường trực cấp tỉnh');
    const nav = page.getByRole('navigation', { name: 'Điều hướng chính' });
    expect(await nav.getByRole('link').allInnerTexts()).toEqual([
      'Việc cần làm',
      'Bảng theo dõi',
      'Giấy chứng nhận sắp hết hạn',
      'Số liệu thống kê',
    ]);
  });

  it('the board counts cases by stage as the API lists them, and its filters live in the URL', async () => {
    await page
      .getByRole('navigation', { name: 'Điều hướng chính' })
      .getByRole('link', { name: 'Bảng theo dõi' })
      .click();
    const counts = page.getByTestId('stage-counts');
    await counts.waitFor();
    for (const stage of ['dossier_submitted', 'idea_registered', 'idea_accepted', 'certified']) {
      const shown = await counts.locator(`[data-stage="${stage}"] .count`).getAttribute('data-count');
      expect(Number(shown), stage).toBe(await listedInStage(stage));
    }
    expect(await counts.locator('[data-stage="certified"] .count').getAttribute('data-count')).toBe('2');
    await page.getByLabel('Xã, phường').selectOption(OTHER_COMMUNE);
    await page.getByRole('button', { name: 'Áp dụng' }).click();
    await page.waitForURL(/commune=06661/);
    await expect.poll(() => counts.locator('[data-stage="total"] .count').getAttribute('data-count')).toBe('1');
    expect(await page.locator('table').innerText()).toContain('Trà hoa vàng Ba Chẽ');
    // The URL alone shows the same board: reload it.
    await page.reload();
    await expect
      .poll(() => page.getByTestId('stage-counts').locator('[data-stage="total"] .count').getAttribute('data-count'))
      .toBe('1');
    expect(await page.getByLabel('Xã, phường').inputValue()).toBe(OTHER_COMMUNE);
    await checkPage(page, 'board');
  });

  it('lists the certificates expiring within 30, 90 and 180 days', async () => {
    await page.goto(`${base}/app/certificates?within=30`);
    await page.locator('table').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody').innerText()).toContain('GCN-QN-1');
    await page.getByRole('link', { name: '180 ngày' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2);
    expect(await page.locator('tbody').innerText()).toContain(addDays(today(), 120).split('-').reverse().join('/'));
    await checkPage(page, 'certificates');
  });

  it('shows the figures as a table and a chart whose numbers open the cases', async () => {
    await page.goto(`${base}/app/figures?by=status`);
    const chart = page.getByRole('list', { name: 'Biểu đồ' });
    await chart.waitFor();
    const link = chart.getByRole('link', { name: /Đã cấp giấy chứng nhận: 2/ });
    await link.click();
    await page.waitForURL(/\/app\/board\?stage=certified/);
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2);
    await page.goto(`${base}/app/figures?by=star`);
    await page.getByRole('table').waitFor();
    await checkPage(page, 'figures');
  });

  it('finds “Chè Tân Cương” from the search box without diacritics', async () => {
    await page.getByRole('searchbox').fill('che tan cuong');
    await page.getByRole('button', { name: 'Tìm kiếm' }).click();
    const hits = page.getByTestId('hits');
    await hits.waitFor();
    expect(await hits.innerText()).toContain('Chè Tân Cương');
    await checkPage(page, 'search');
    await hits.getByRole('link', { name: 'Chè Tân Cương', exact: true }).click();
    await expect.poll(() => page.getByTestId('stage').innerText()).toBe('Đã nộp hồ sơ');
    // A provincial office takes no commune action on it.
    expect(await page.getByText('Bạn không có thao tác nào ở giai đoạn này.').count()).toBe(1);
    await checkPage(page, 'case-province');
  });

  it('an auditor reads a case’s timeline: when, what, who, role, office by name, rule-set, content', async () => {
    await asAccount('web-province-auditor', 'auditor', PROVINCE, async (other) => {
      await other.goto(`${base}/app/cases/${teaId}`);
      await other.getByRole('link', { name: 'Dòng thời gian của hồ sơ' }).click();
      const rows = other.getByTestId('timeline').locator('tbody tr');
      await expect.poll(() => rows.count()).toBe(5);
      const history = await app.inject({
        method: 'GET',
        url: `/products/${teaId}/history`,
        headers: { authorization: `Bearer ${await token('auditor', PROVINCE)}` },
      });
      const types = history.json<{ items: { type: string }[] }>().items.map((e) => e.type);
      expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-type')))).toEqual(types);
      const accepted = await rows.nth(1).innerText();
      expect(accepted).toContain('chấp thuận ý tưởng');
      expect(accepted).toContain('Cán bộ cấp xã');
      expect(accepted).toContain('Phường Cao Xanh');
      expect(accepted).toMatch(/\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
      expect(accepted).toContain('QĐ');
      await checkPage(other, 'timeline');
    });
  });

  it('a subject sees its products, each one’s stage and what to do next', async () => {
    await asAccount('web-province-subject', 'subject', SUBJECT, async (other) => {
      await other.waitForURL(/\/app\/mine$/);
      const table = other.locator('table');
      await expect.poll(() => table.innerText()).toContain('Trà hoa vàng Ba Chẽ');
      const text = await table.innerText();
      expect(text).toContain('Chè Tân Cương');
      expect(text).toContain('Nộp phương án sản xuất kinh doanh'); // the accepted idea's next step
      await checkPage(other, 'mine');
    });
  });

  it('switches to English and signs out', async () => {
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.getByRole('heading', { name: 'Đăng nhập' }).waitFor();
    await checkPage(page, 'sign-in');
  });
});
