/**
 * Support of the browser tests of the web application (test/integration/web-*.test.ts): the application built by
 * Vite into a folder of the test's own, Debian's Chromium through playwright-core, sign-in through the real sign-in
 * page, axe-core's WCAG 2.2 AA check of every page, and a screenshot of every page under test-artifacts/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { productRoot } from '../../config/paths';

const require = createRequire(import.meta.url);
const axe = require('axe-core') as { source: string };

export const ARTIFACTS = join(productRoot, 'test-artifacts', 'web');

/** The web application built into a temporary folder (removed by `remove`), so tests never share a build. */
export async function buildWeb(): Promise<{ dir: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'ocop-web-'));
  const { build } = await import('vite');
  // Vitest runs with NODE_ENV=test, which Vite would follow into a development build of React: build as npm does.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(productRoot, 'web', 'vite.config.ts'), logLevel: 'warn', build: { outDir: dir } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
}

/** Signs in through the sign-in page, as a person does, and waits for the shell. */
export async function signInThroughPage(page: Page, base: string, username: string, password: string) {
  await page.goto(`${base}/app/`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByRole('button', { name: 'Đăng xuất' }).waitFor();
}

/** axe-core's WCAG 2.0/2.1/2.2 A and AA rules on the page as shown: no violation. */
export async function expectAccessible(page: Page, name: string) {
  await page.addScriptTag({ content: axe.source });
  const result = await page.evaluate(async () => {
    const w = globalThis as unknown as { axe: { run(o: object): Promise<{ violations: unknown[] }> } };
    return w.axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
  });
  const violations = result.violations as { id: string; help: string; nodes: { target: unknown }[] }[];
  expect(
    violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')})`),
    `axe on ${name}`,
  ).toEqual([]);
}

/** A full-page screenshot at test-artifacts/web/<name>.png, on a laptop's width and on a phone's. */
export async function screenshot(page: Page, name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(ARTIFACTS, `${name}-phone.png`), fullPage: true });
  if (size) await page.setViewportSize(size);
}

/** The page is accessible and pictured, on a laptop and a phone. */
export async function checkPage(page: Page, name: string) {
  await expectAccessible(page, name);
  await screenshot(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await expectAccessible(page, `${name} (phone)`);
  await page.setViewportSize({ width: 1280, height: 900 });
}
