/**
 * The benchmarks' own servers: a Temporal dev server (in memory, or a SQLite file) on a free port, a fresh
 * PostgreSQL database (created on BENCH_DATABASE_ADMIN_URL's server, migrated, dropped at the end), the case and
 * baseline workflow bundles built once, a client, and workers in child processes (bench/worker-process.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { connect, createDatabase, dropDatabase, migrate, type Sql } from '../db';
import { freePort, startDevServer, type RunningDevServer } from '../temporal/dev-server';
import { bundleWorkflows } from '../worker';
import type { WorkerMessage, WorkerProcessConfig, WorkerTuning } from './worker-process';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const started = performance.now();

/** One progress line on stderr, with the time since the run began. */
export function progress(message: string): void {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
}

export const adminUrl = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Bundles the baseline workflows (bench/baseline-workflows.ts), apart from the product's bundle. */
export async function bundleBaselines(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./baseline-workflows.ts'),
    logger: {
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (m: string) => console.error(m),
      log: () => undefined,
    },
  });
  return code;
}

export interface WorkerHandle {
  child: ChildProcess;
  /** Highest RSS reported so far, in bytes. */
  peakRss(): number;
  /** Latest RSS reported, in bytes. */
  lastRss(): number;
  /** SIGTERM, drain, wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL, wait for exit. */
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

/** Starts bench/worker-process.ts as a child process and waits until it polls. */
export async function spawnWorker(config: WorkerProcessConfig): Promise<WorkerHandle> {
  const child = fork(join(here, 'worker-process.ts'), [JSON.stringify(config)], {
    execArgv: [
      '--import',
      'tsx',
      ...(config.tuning?.maxOldSpaceMiB ? [`--max-old-space-size=${config.tuning.maxOldSpaceMiB}`] : []),
      // BENCH_WORKER_CPU_PROF=<dir>: a V8 CPU profile of each worker process, written when it exits.
      ...(process.env.BENCH_WORKER_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_WORKER_CPU_PROF}`]
        : []),
    ],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let peak = 0;
  let last = 0;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker did not start within 120 s')), 120_000);
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve();
      } else if (m.type === 'rss') {
        last = m.rss;
        peak = Math.max(peak, m.rss);
      } else if (m.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`worker failed to start: ${m.message}`));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it was ready`));
    });
  });
  const isAlive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    peakRss: () => peak,
    lastRss: () => last,
    exited,
    async stop() {
      if (!isAlive()) return;
      const force = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(force);
    },
    async kill() {
      if (!isAlive()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface BenchEnv {
  dir: string;
  temporal: RunningDevServer;
  address: string;
  databaseUrl: string;
  /** Application-role pool (what the worker uses). */
  sql: Sql;
  /** Owner pool, for scratch tables and counts. */
  ownerSql: Sql;
  client: Client;
  caseBundlePath: string;
  baselineBundlePath: string;
  worker(kind: 'case' | 'baseline', tuning?: WorkerTuning, extra?: Partial<WorkerProcessConfig>): Promise<WorkerHandle>;
  taskQueue(name: string): string;
  stop(): Promise<void>;
}

export async function startBenchEnv(options: { keepDatabase?: boolean } = {}): Promise<BenchEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'ocop-bench-'));
  const db = new URL(adminUrl);
  db.pathname = `/ocop_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const databaseUrl = db.toString();
  progress('starting Temporal dev server, creating the database, bundling workflows');
  const [temporal, , caseBundle, baselineBundle] = await Promise.all([
    freePort().then((port) => startDevServer({ port, logFile: join(dir, 'temporal.log') })),
    createDatabase(databaseUrl).then(() => migrate(databaseUrl)),
    bundleWorkflows(),
    bundleBaselines(),
  ]);
  const caseBundlePath = join(dir, 'workflows.js');
  const baselineBundlePath = join(dir, 'baseline-workflows.js');
  writeFileSync(caseBundlePath, caseBundle.code);
  writeFileSync(baselineBundlePath, baselineBundle);
  const ownerSql = connect(databaseUrl, { max: 4, asAppRole: false });
  await ownerSql`CREATE TABLE IF NOT EXISTS bench_baseline (id text PRIMARY KEY, data jsonb NOT NULL)`;
  await ownerSql`GRANT SELECT, INSERT ON bench_baseline TO ocop_app`;
  const sql = connect(databaseUrl, { max: 10 });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: 'default' });
  const workers = new Set<WorkerHandle>();
  progress(`ready: Temporal ${temporal.address}, database ${db.pathname.slice(1)}`);
  return {
    dir,
    temporal,
    address: temporal.address,
    databaseUrl,
    sql,
    ownerSql,
    client,
    caseBundlePath,
    baselineBundlePath,
    taskQueue: (name) => `bench-${name}-${randomBytes(3).toString('hex')}`,
    async worker(kind, tuning, extra) {
      const handle = await spawnWorker({
        kind,
        address: temporal.address,
        taskQueue: extra?.taskQueue ?? 'unset',
        databaseUrl,
        bundlePath: kind === 'case' ? caseBundlePath : baselineBundlePath,
        ...(tuning ? { tuning } : {}),
        ...extra,
      });
      workers.add(handle);
      void handle.exited.then(() => workers.delete(handle));
      return handle;
    },
    async stop() {
      await Promise.all([...workers].map((w) => w.stop()));
      await connection.close();
      await sql.end({ timeout: 5 });
      await ownerSql.end({ timeout: 5 });
      await temporal.stop();
      if (!options.keepDatabase) await dropDatabase(databaseUrl);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<void>,
) {
  let next = 0;
  const runners = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      await task(items[i]!, i);
    }
  });
  await Promise.all(runners);
}

/** Percentile (nearest rank) of a sorted array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
