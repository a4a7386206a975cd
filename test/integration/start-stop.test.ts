/**
 * `npm start` as a user runs it, and the compiled product as production runs it: each starts from an empty data
 * folder, answers /health and a registration, and stops on SIGINT or SIGTERM within a bounded time leaving no
 * process behind. Also: a second start on the same folder is refused without touching the first; a start killed
 * with -9 leaves servers that the next start stops before starting its own; a launcher killed with -9 takes the
 * product down with it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../api/auth';
import { freePort } from '../../temporal/dev-server';

const root = join(import.meta.dirname, '..', '..');
const secret = randomBytes(24).toString('hex');
const started: ChildProcess[] = [];
const folders: string[] = [];

interface Product {
  process: ChildProcess;
  output: () => string;
  api: string;
  dataDir: string;
  exit: Promise<number | null>;
}

async function productEnv(dataDir: string) {
  const [api, temporal, ui, pg] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  return {
    env: {
      ...process.env,
      OCOP_DATA_DIR: dataDir,
      API_PORT: String(api),
      TEMPORAL_DEV_PORT: String(temporal),
      TEMPORAL_UI_PORT: String(ui),
      EMBEDDED_PG_PORT: String(pg),
      AUTH_JWT_SECRET: secret,
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      LOG_LEVEL: 'warn',
    },
    api: `http://127.0.0.1:${api}`,
  };
}

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ocop-start-'));
  chmodSync(dir, 0o755); // the embedded PostgreSQL runs as the postgres user when the tests run as root
  folders.push(dir);
  return dir;
}

function launch(command: string, args: string[], dataDir: string, env: NodeJS.ProcessEnv, api: string): Product {
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, output: () => output, api, dataDir, exit };
}

async function ready(product: Product, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!product.output().includes('Ctrl-C stops everything')) {
    if (product.process.exitCode !== null) throw new Error(`the product exited early:\n${product.output()}`);
    if (Date.now() > deadline) throw new Error(`the product was not ready in time:\n${product.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Processes whose command line or environment names the folder: the product's node, PostgreSQL, Temporal. */
function processesOf(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (cmdline.includes(dir) || environ.includes(dir)) found.push(`${pid} ${cmdline.slice(0, 120)}`);
    } catch {
      // ended while we looked
    }
  }
  return found;
}

async function noProcessLeft(dir: string, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let left = processesOf(dir);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    left = processesOf(dir);
  }
  return left;
}

async function useIt(product: Product): Promise<void> {
  const health = await fetch(`${product.api}/health`);
  expect(health.status).toBe(200);
  const token = await signToken(secret, { sub: 'officer-1', role: 'commune_officer', jurisdiction: '05443' });
  const registered = await fetch(`${product.api}/products`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'idempotency-key': `start-stop-${randomBytes(4).toString('hex')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      subjectId: 'HTX-TC',
      subjectName: 'HTX chè Tân Cương',
      productName: 'Chè búp Tân Cương',
      productSetCode: 'tea',
      provinceCode: '19',
      communeCode: '05443',
    }),
  });
  expect(registered.status, await registered.clone().text()).toBe(201);
}

afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of folders) {
    // A failed test may have left servers: stop them through the product's own recovery, then remove the folder.
    for (const line of processesOf(dir)) {
      try {
        process.kill(Number(line.split(' ')[0]), 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('npm start (scripts/start.mjs, from the sources)', () => {
  it('starts on an empty folder, refuses a second start, and stops everything on SIGINT', async () => {
    const dataDir = newDataDir();
    const { env, api } = await productEnv(dataDir);
    const product = launch(process.execPath, ['scripts/start.mjs'], dataDir, env, api);
    await ready(product);
    await useIt(product);

    const second = launch(process.execPath, ['scripts/start.mjs'], dataDir, (await productEnv(dataDir)).env, api);
    expect(await second.exit).toBe(2);
    expect(second.output()).toContain('already running');
    expect((await fetch(`${api}/health`)).status).toBe(200);

    product.process.kill('SIGINT');
    expect(await product.exit).toBe(0);
    expect(product.output()).toContain('stopped');
    expect(await noProcessLeft(dataDir)).toEqual([]);
  });

  it('stops the product when its launcher is killed with -9', async () => {
    const dataDir = newDataDir();
    const { env, api } = await productEnv(dataDir);
    const product = launch(process.execPath, ['scripts/start.mjs'], dataDir, env, api);
    await ready(product);
    product.process.kill('SIGKILL');
    expect(await noProcessLeft(dataDir, 60_000)).toEqual([]);
  });
});

describe('the compiled product (npm run build, node dist/start.js)', () => {
  beforeAll(() => {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
  }, 300_000);

  it('runs from dist/ with the prebuilt workflow bundle, recovers from kill -9, and stops on SIGTERM', async () => {
    const dataDir = newDataDir();
    const { env, api } = await productEnv(dataDir);
    const first = launch(process.execPath, ['dist/start.js'], dataDir, env, api);
    await ready(first);
    await useIt(first);

    // Killed outright: its PostgreSQL and Temporal server stay behind, holding their ports.
    first.process.kill('SIGKILL');
    await first.exit;
    expect(processesOf(dataDir).length).toBeGreaterThan(0);

    const second = launch(process.execPath, ['dist/start.js'], dataDir, env, api);
    await ready(second);
    expect(second.output()).toContain('an earlier start left running');
    await useIt(second);

    second.process.kill('SIGTERM');
    expect(await second.exit).toBe(0);
    expect(await noProcessLeft(dataDir)).toEqual([]);
  });
});
