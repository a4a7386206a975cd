/**
 * `npm start` as a user runs it, and the compiled product as production runs it: each starts from an empty data
 * folder, answers /health and a registration, and stops on SIGINT or SIGTERM within a bounded time leaving no
 * process behind. Also: a second start on the same folder is refused without touching the first; a start killed
 * with -9 leaves servers that the next start stops before starting its own; a launcher killed with -9 takes the
 * product down with it.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanUpProducts,
  launchProduct,
  noProcessLeft,
  processesOf,
  productRoot,
  productSetup,
  registerOverHttp,
  waitReady,
  type ProductSetup,
} from '../support/product';

afterAll(cleanUpProducts);

async function useIt(setup: ProductSetup): Promise<void> {
  const health = await fetch(`${setup.api}/health`);
  expect(health.status).toBe(200);
  const registered = await registerOverHttp(setup.api, setup.secret, `start-stop-${randomBytes(4).toString('hex')}`);
  expect(registered.status, await registered.clone().text()).toBe(201);
}

describe('npm start (scripts/start.mjs, from the sources)', () => {
  it('starts on an empty folder, refuses a second start, and stops everything on SIGINT', async () => {
    const setup = await productSetup();
    const product = launchProduct('scripts/start.mjs', setup);
    await waitReady(product);
    await useIt(setup);
    // The banner names where the application's URL is, never a password (the superuser's nor the application's).
    for (const file of ['password', 'app-password']) {
      const secret = readFileSync(join(setup.dataDir, 'postgres', file), 'utf8').trim();
      expect(secret.length).toBeGreaterThan(10);
      expect(product.output()).not.toContain(secret);
    }
    expect(product.output()).toContain(`export DATABASE_URL="$(cat ${join(setup.dataDir, 'database-url')})"`);

    const other = await productSetup();
    const second = launchProduct(
      'scripts/start.mjs',
      { ...other, dataDir: setup.dataDir },
      {
        OCOP_DATA_DIR: setup.dataDir,
      },
    );
    expect(await second.exit).toBe(2);
    expect(second.output()).toContain('already running');
    expect((await fetch(`${setup.api}/health`)).status).toBe(200);

    product.process.kill('SIGINT');
    expect(await product.exit).toBe(0);
    expect(product.output()).toContain('[ocop-cycle] stopped');
    expect(await noProcessLeft(setup.dataDir)).toEqual([]);
  });

  it('stops the product when its launcher is killed with -9', async () => {
    const setup = await productSetup();
    const product = launchProduct('scripts/start.mjs', setup);
    await waitReady(product);
    product.process.kill('SIGKILL');
    expect(await noProcessLeft(setup.dataDir, 60_000)).toEqual([]);
  });
});

describe('the compiled product (npm run build, node dist/start.js)', () => {
  beforeAll(() => {
    execFileSync('npm', ['run', 'build'], { cwd: productRoot, stdio: 'pipe' });
  }, 300_000);

  it('runs from dist/ with the prebuilt workflow bundle, recovers from kill -9, and stops on SIGTERM', async () => {
    const setup = await productSetup();
    const first = launchProduct('dist/start.js', setup);
    await waitReady(first);
    await useIt(setup);
    // A fresh installation creates its first admin and prints the password once; it signs in with it.
    const password = /mật khẩu \/ password\s+(\S+)/.exec(first.output())?.[1];
    expect(password, first.output()).toMatch(/^[A-Za-z0-9]{20}$/);
    const login = await fetch(`${setup.api}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(login.status, await login.clone().text()).toBe(200);
    expect(await login.json()).toMatchObject({ grant: { role: 'admin', jurisdiction: 'VN' }, mfa: false });

    // Killed outright: its PostgreSQL and Temporal server stay behind, holding their ports.
    first.process.kill('SIGKILL');
    await first.exit;
    expect(processesOf(setup.dataDir).length).toBeGreaterThan(0);

    const second = launchProduct('dist/start.js', setup);
    await waitReady(second);
    expect(second.output()).toContain('an earlier start left running');
    expect(second.output()).not.toContain('first admin');
    expect(second.output()).not.toContain(password);
    await useIt(setup);

    second.process.kill('SIGTERM');
    expect(await second.exit).toBe(0);
    expect(await noProcessLeft(setup.dataDir)).toEqual([]);
  });
});
