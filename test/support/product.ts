/**
 * The whole product as a user starts it (`npm start`'s scripts/start.mjs, or the compiled dist/start.js), in a child
 * process with its own empty data folder and free ports, for tests that start, use, kill and stop it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signToken } from '../../api/auth';
import { freePort } from '../../temporal/dev-server';

export const productRoot = join(import.meta.dirname, '..', '..');

export interface ProductSetup {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  api: string;
  /** HS256 key the product accepts tokens of (AUTH_JWT_SECRET). */
  secret: string;
}

export interface RunningProduct {
  process: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

const children: ChildProcess[] = [];
const folders: string[] = [];

/** A new, empty data folder and free ports; the folder is removed by `cleanUpProducts`. */
export async function productSetup(): Promise<ProductSetup> {
  const parent = mkdtempSync(join(tmpdir(), 'ocop-start-'));
  chmodSync(parent, 0o755); // a folder like a checkout, that the embedded PostgreSQL's postgres user may enter
  folders.push(parent);
  // Not created yet: the product makes its data folder itself, as `.data` on a fresh clone.
  const dataDir = join(parent, 'data');
  const [api, temporal, ui, pg] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const secret = randomBytes(24).toString('hex');
  return {
    dataDir,
    secret,
    api: `http://127.0.0.1:${api}`,
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
  };
}

/** Runs `script` (scripts/start.mjs or dist/start.js) with the setup's folder and ports. */
export function launchProduct(script: string, setup: ProductSetup, env: NodeJS.ProcessEnv = {}): RunningProduct {
  const child = spawn(process.execPath, [script], {
    cwd: productRoot,
    env: { ...setup.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return tracked(child);
}

/**
 * One process of some roles (`--role api`, `worker`, `sender`, `migrate`) of the product's entry point, from the
 * sources, with `env` as its whole environment; killed by `cleanUpProducts` if still running.
 */
export function launchRole(role: string, env: NodeJS.ProcessEnv): RunningProduct {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/start.ts', '--role', role], {
    cwd: productRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return tracked(child);
}

function tracked(child: ChildProcess): RunningProduct {
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, output: () => output, exit };
}

/** Resolves when the product printed its banner; throws with its output if it exits first or takes too long. */
export async function waitReady(product: RunningProduct, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!product.output().includes('Ctrl-C stops everything')) {
    if (product.process.exitCode !== null) throw new Error(`the product exited early:\n${product.output()}`);
    if (Date.now() > deadline) throw new Error(`the product was not ready in time:\n${product.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Processes whose command line or environment names the folder: the product's node, PostgreSQL, Temporal. */
export function processesOf(dir: string): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  for (const name of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (command.includes(dir) || environ.includes(dir)) found.push({ pid, command: command.slice(0, 160) });
    } catch {
      // ended while we looked
    }
  }
  return found;
}

/** Waits until no process names the folder; returns those still there after `timeoutMs`. */
export async function noProcessLeft(dir: string, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let left = processesOf(dir);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    left = processesOf(dir);
  }
  return left.map((p) => `${p.pid} ${p.command}`);
}

/** The superuser URL of the product's embedded PostgreSQL (its password is kept beside the data). */
export function embeddedDatabaseUrl(setup: ProductSetup): string {
  const password = readFileSync(join(setup.dataDir, 'postgres', 'password'), 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${setup.env.EMBEDDED_PG_PORT}/ocop`;
}

/** For afterAll: kills what the tests started and left running, and removes their folders. */
export function cleanUpProducts(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of folders.splice(0)) {
    for (const { pid } of processesOf(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Registers one tea product at Tân Cương (05443) as its commune officer, over HTTP; the answer as fetch gives it. */
export async function registerOverHttp(api: string, secret: string, idempotencyKey: string): Promise<Response> {
  const token = await signToken(secret, { sub: 'officer-1', role: 'commune_officer', jurisdiction: '05443' });
  return fetch(`${api}/products`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'idempotency-key': idempotencyKey,
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
}
