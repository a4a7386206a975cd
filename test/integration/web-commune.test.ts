import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken, type UserRole } from '../../api/auth';
import { COMMAND_EXAMPLES } from '../../api/examples';
import { kebabOf, type CaseCommandType } from '../../api/routes/commands';
import { createLogger } from '../../config/logger';
import { localDate } from '../../domain';
import { createTestAccount } from '../support/accounts';
import { startTimeSkipping, type TimeSkippingHarness } from './timeskip';
import { buildWeb, checkPage, launchChromium, signInThroughPage } from './web-support';

// The commune officer's day in the browser (issue 18): the worklist, oldest time limit first, where the oldest
// overdue dossier is found, assessed on Form 03 and forwarded to the province; a refused action explains itself in
// Vietnamese; an idea is registered. Time-skipping Temporal: the 15-working-day commune check really runs out.
const PROVINCE = '20'; // Tỉnh Lạng Sơn
const COMMUNE = '05983'; // Phường Lương Văn Tri
const SUBJECT = 'HTX-WEB-LS';
const secret = 'web-commune-secret-web-commune-00001';
const DAY = 86_400_000;

let h: TimeSkippingHarness;
let app: Awaited<ReturnType<typeof buildApp>>;
let web: Awaited<ReturnType<typeof buildWeb>>;
let browser: Browser;
let page: Page;
let base = '';
let n = 0;
const run = Date.now().toString(36);
const key = () => `web-commune-${run}-${(n += 1)}`;
const token = (role: UserRole, jurisdiction: string, sub = `wc-${role}`) =>
  signToken(secret, { sub, role, jurisdiction });
const ids: Record<string, string> = {};

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

async function caseOf(productId: string) {
  const res = await app.inject({
    method: 'GET',
    url: `/products/${productId}`,
    headers: { authorization: `Bearer ${await token('commune_officer', COMMUNE)}` },
  });
  return res.json<{ stage: string; overdue: boolean }>();
}

/** A case of the commune registered, and driven to a submitted dossier unless `ideaOnly`. */
async function dossier(productName: string, ideaOnly = false) {
  const subject = await token('subject', SUBJECT, SUBJECT);
  const commune = await token('commune_officer', COMMUNE);
  const { productId } = await post(
    '/products',
    subject,
    {
      subjectId: SUBJECT,
      subjectName: 'HTX Nông sản Lạng Sơn',
      productName,
      productSetCode: 'tea',
      provinceCode: PROVINCE,
      communeCode: COMMUNE,
    },
    201,
  );
  if (ideaOnly) return productId;
  const steps: [CaseCommandType, string][] = [
    ['AcceptIdea', commune],
    ['SubmitBusinessPlan', subject],
    ['ApproveBusinessPlan', commune],
    ['SubmitDossier', subject],
  ];
  for (const [type, as] of steps) await post(`/products/${productId}/${kebabOf(type)}`, as, COMMAND_EXAMPLES[type]);
  return productId;
}

beforeAll(async () => {
  h = await startTimeSkipping('web-commune');
  web = await buildWeb();
  app = await buildApp({
    sql: h.sql,
    temporal: h.env.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
    webDir: web.dir,
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  ids.oldest = await dossier(`Hồi Lạng Sơn ${run}`);
  await h.env.sleep(3 * DAY);
  ids.older = await dossier(`Na Chi Lăng ${run}`);
  // Both commune checks (15 working days) run out.
  await h.env.sleep(30 * DAY);
  ids.fresh = await dossier(`Miến dong Bình Liêu ${run}`);
  ids.idea = await dossier(`Thạch đen Tràng Định ${run}`, true);
  for (let tries = 0; !(await caseOf(ids.older)).overdue; tries++) {
    if (tries > 60) throw new Error('the commune check of the older dossier never became overdue');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  expect((await caseOf(ids.oldest)).overdue).toBe(true);
  const account = await createTestAccount(h.sql, {
    username: `web-commune-${run}`,
    grants: [{ role: 'commune_officer', jurisdiction: COMMUNE }],
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
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  web?.remove();
  await h?.stop();
});

describe('the commune officer in the browser', () => {
  it('opens on the worklist, oldest time limit first, the overdue dossiers flagged', async () => {
    await page.waitForURL(/\/app\/worklist$/);
    const rows = page.locator('table.worklist tbody tr');
    await rows.first().waitFor();
    const order = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-product')));
    const ours = order.filter((id) => Object.values(ids).includes(id ?? ''));
    expect(ours).toEqual([ids.oldest, ids.older, ids.fresh, ids.idea]);
    const first = rows.first();
    expect(await first.innerText()).toContain('Quá hạn');
    expect(await first.innerText()).toContain('Phường Lương Văn Tri');
    expect(await rows.nth(2).innerText()).toMatch(/Còn \d+ ngày làm việc/);
    expect(await rows.nth(3).innerText()).toContain('Không có hạn');
    await checkPage(page, 'worklist');
  });

  it('finds the oldest overdue dossier, records Form 03 and forwards it, each step saying what changed', async () => {
    const first = page.locator('table.worklist tbody tr').first();
    await first.getByRole('link').click();
    await expect.poll(() => page.getByTestId('stage').innerText()).toBe('Đã nộp hồ sơ');
    await checkPage(page, 'case-commune');
    const form03 = page.getByRole('form', { name: 'Ghi kết quả đánh giá của xã (Mẫu số 03)' });
    await form03.getByLabel('Nguyên liệu địa phương').selectOption('meets');
    await form03.getByLabel('Lao động địa phương').selectOption('meets');
    await form03.getByLabel('Bản sắc địa phương').selectOption('partly');
    await form03.getByLabel('Nguồn gốc ý tưởng').selectOption('traditional');
    await form03.getByLabel('Số biên bản').fill('BB-03/2026');
    await form03.getByRole('button').click();
    const status = page.getByRole('status').filter({ hasText: 'Đã ghi nhận' });
    await expect.poll(() => status.innerText()).toContain('kết quả đánh giá của xã (Mẫu số 03)');
    expect(await status.innerText()).toContain('Giai đoạn hiện tại: Xã đã đánh giá');
    const forward = page.getByRole('form', { name: 'Gửi hồ sơ lên tỉnh' });
    await forward.getByLabel('Số văn bản đề nghị').fill('CV-15/UBND');
    await forward.getByLabel('Số mẫu sản phẩm').fill('3');
    await forward.getByRole('button').click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain('hồ sơ đã gửi lên tỉnh');
    expect(await page.getByTestId('stage').innerText()).toBe('Đã gửi lên tỉnh');
    expect((await caseOf(ids.oldest!)).stage).toBe('forwarded');
    // Forwarded, it leaves the commune's worklist.
    await page
      .getByRole('navigation', { name: 'Điều hướng chính' })
      .getByRole('link', { name: 'Việc cần làm' })
      .click();
    await page.locator('table.worklist tbody tr').first().waitFor();
    const order = await page
      .locator('table.worklist tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-product')));
    expect(order).not.toContain(ids.oldest);
  });

  it('a refused action says why in Vietnamese and changes nothing', async () => {
    await page.goto(`${base}/app/cases/${ids.older}`);
    const form03 = page.getByRole('form', { name: 'Ghi kết quả đánh giá của xã (Mẫu số 03)' });
    await form03.waitFor();
    for (const label of ['Nguyên liệu địa phương', 'Lao động địa phương', 'Bản sắc địa phương']) {
      await form03.getByLabel(label).selectOption('meets');
    }
    await form03.getByLabel('Nguồn gốc ý tưởng').selectOption('new');
    await form03.getByLabel('Số biên bản').fill('   ');
    await form03.getByRole('button').click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('Không thực hiện được');
    expect(await alert.innerText()).toContain('Số biên bản');
    expect((await caseOf(ids.older!)).stage).toBe('dossier_submitted');
    await checkPage(page, 'case-commune-refused');
  });

  it('returns a dossier for completion, with a date written dd/MM/yyyy', async () => {
    await page.goto(`${base}/app/cases/${ids.fresh}`);
    const back = page.getByRole('form', { name: 'Trả hồ sơ để hoàn thiện' });
    await back.getByLabel('Lý do').fill('Thiếu phiếu kiểm nghiệm');
    await back.getByLabel('Tài liệu còn thiếu (mỗi dòng một mục)').fill('Phiếu kiểm nghiệm\nNhãn sản phẩm');
    const by = localDate(new Date(Date.now() + 40 * DAY).toISOString());
    await back.getByLabel('Hoàn thiện trước ngày').fill(by.split('-').reverse().join('/'));
    await back.getByRole('button').click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain('hồ sơ trả lại để hoàn thiện');
    expect((await caseOf(ids.fresh!)).stage).toBe('dossier_returned');
  });

  it('registers an idea for a subject', async () => {
    await page
      .getByRole('navigation', { name: 'Điều hướng chính' })
      .getByRole('link', { name: 'Đăng ký ý tưởng' })
      .click();
    await page.getByLabel('Mã chủ thể').fill(SUBJECT);
    await page.getByLabel('Tên chủ thể').fill('HTX Nông sản Lạng Sơn');
    await page.getByLabel('Tên sản phẩm').fill(`Rượu Mẫu Sơn ${run}`);
    await expect.poll(() => page.getByLabel('Bộ sản phẩm').locator('option').count()).toBeGreaterThan(2);
    await page.getByLabel('Bộ sản phẩm').selectOption('tea');
    await checkPage(page, 'register');
    await page.getByRole('button', { name: 'Đăng ký ý tưởng' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain(`Đã đăng ký ý tưởng «Rượu Mẫu Sơn ${run}»`);
    await page.getByRole('link', { name: 'Mở' }).click();
    await expect.poll(() => page.getByTestId('stage').innerText()).toBe('Đã đăng ký ý tưởng');
  });
});
