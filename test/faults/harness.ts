/**
 * What every fault test needs: its own Temporal dev server (a SQLite file, so it can be restarted), its own database,
 * the workflow bundle, a supervised worker in a child process (bench/worker-process.ts) that can be killed, and a
 * load driver sending full product cycles with retries under the same Update ids. The checks at the end are the
 * issue's: no acknowledged command lost, no duplicate event or notification, every chain verifies, every case ends
 * where it should.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { connect, createDatabase, dropDatabase, migrate, type Sql } from '../../db';
import { readStream, verifyChain } from '../../db/event-store';
import { startDevServer, type RunningDevServer } from '../../temporal/dev-server';
import { bundleWorkflows } from '../../worker';
import { runCase } from '../../bench/driver';
import { spawnWorker, type WorkerHandle } from '../../bench/env';
import { freePort } from '../../temporal/dev-server';
import { CYCLE_END, CYCLE_EVENTS, cycleSteps } from '../../bench/path';

/** The run's PostgreSQL server (test/faults/global-setup.ts): a cluster of its own unless TEST_DATABASE_ADMIN_URL. */
export const adminUrl = (): string => inject('faultsAdminUrl');

export function log(message: string): void {
  process.stderr.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FaultEnv {
  dir: string;
  port: number;
  dbFile: string;
  temporal: RunningDevServer;
  client: Client;
  databaseUrl: string;
  bundlePath: string;
  taskQueue: string;
  /** Restarts Temporal on the same port and SQLite file. */
  restartTemporal(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startFaultEnv(options: { databaseUrl?: string } = {}): Promise<FaultEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'ocop-faults-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const dbFile = join(dir, 'temporal', 'temporal.db');
  let databaseUrl = options.databaseUrl;
  const ownDatabase = !databaseUrl;
  if (!databaseUrl) {
    const url = new URL(adminUrl());
    url.pathname = `/ocop_faults_${Date.now()}_${randomBytes(3).toString('hex')}`;
    databaseUrl = url.toString();
  }
  const dbUrl = databaseUrl;
  const start = () => startDevServer({ port, dbFile, logFile: join(dir, 'temporal.log') });
  const [temporal, , bundle] = await Promise.all([
    start(),
    createDatabase(dbUrl).then(() => migrate(dbUrl)),
    bundleWorkflows(),
  ]);
  const bundlePath = join(dir, 'workflows.js');
  writeFileSync(bundlePath, bundle.code);
  const connection = await Connection.connect({ address: temporal.address });
  const env: FaultEnv = {
    dir,
    port,
    dbFile,
    temporal,
    client: new Client({ connection, namespace: 'default' }),
    databaseUrl: dbUrl,
    bundlePath,
    taskQueue: `faults-${randomBytes(3).toString('hex')}`,
    async restartTemporal(downMs = 2_000) {
      await env.temporal.stop();
      await sleep(downMs);
      env.temporal = await start();
    },
    async stop() {
      await connection.close();
      await env.temporal.stop();
      if (ownDatabase) await dropDatabase(dbUrl);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}

/** Keeps one worker process running: restarts it whenever it exits, until stopped. */
export class SupervisedWorker {
  current: WorkerHandle | null = null;
  starts = 0;
  private stopped = false;
  private loop: Promise<void> | null = null;

  constructor(private readonly env: FaultEnv) {}

  async start(): Promise<void> {
    this.current = await this.spawn();
    this.loop = (async () => {
      while (!this.stopped) {
        const handle = this.current;
        if (!handle) return;
        await handle.exited;
        if (this.stopped) return;
        for (;;) {
          try {
            this.current = await this.spawn();
            break;
          } catch (err) {
            log(`worker restart failed, retrying: ${String(err)}`);
            await sleep(1_000);
          }
        }
      }
    })();
  }

  private async spawn(): Promise<WorkerHandle> {
    this.starts += 1;
    return spawnWorker({
      kind: 'case',
      address: this.env.temporal.address,
      taskQueue: this.env.taskQueue,
      databaseUrl: this.env.databaseUrl,
      bundlePath: this.env.bundlePath,
      tuning: { poolSize: 5 },
    });
  }

  /** kill -9 the running worker; the supervisor starts another one. Resolves when the new one polls. */
  async killAndWaitForNext(): Promise<void> {
    const victim = this.current;
    if (!victim) return;
    await victim.kill();
    while (this.current === victim) await sleep(100);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.current?.stop();
    await this.loop;
  }
}

export interface LoadResult {
  productIds: string[];
  /** Command ids the client saw acknowledged (the Update completed with a result). */
  acked: Set<string>;
  retries: number;
  failures: string[];
}

/**
 * Sends full product cycles, `concurrency` at a time, until `keepGoing()` turns false (then finishes the cases it
 * started) or `maxCases` have been started. Every retry reuses the command's id as its Update id.
 */
export async function driveLoad(
  env: FaultEnv,
  options: {
    concurrency: number;
    maxCases: number;
    keepGoing: () => boolean;
    deadlineMs: number;
    prefix: string;
    /** Filled as commands are acknowledged, so a test can wait for the load to be under way. */
    acked?: Set<string>;
  },
): Promise<LoadResult> {
  const acked = options.acked ?? new Set<string>();
  const productIds: string[] = [];
  const failures: string[] = [];
  let retries = 0;
  const retryUntil = Date.now() + options.deadlineMs;
  let next = 0;
  const runner = async () => {
    while (options.keepGoing() && next < options.maxCases && Date.now() < retryUntil) {
      const productId = `${options.prefix}-${next++}`;
      productIds.push(productId);
      try {
        await runCase(env.client, env.taskQueue, productId, cycleSteps(productId), {
          retryUntil,
          onAck: (id) => acked.add(id),
          onRetry: () => {
            retries += 1;
          },
        });
      } catch (err) {
        failures.push(`${productId}: ${String(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, runner));
  return { productIds, acked, retries, failures };
}

/** Waits until `count` commands have been acknowledged (or `timeoutMs` passed). */
export async function waitForAcks(acked: Set<string>, count: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (acked.size < count && Date.now() < deadline) await sleep(250);
}

export interface CheckResult {
  cases: number;
  events: number;
  lostCommands: string[];
  duplicateCommands: string[];
  wrongEventCounts: string[];
  brokenChains: string[];
  wrongEndStage: string[];
  duplicateNotifications: number;
}

/** The invariants, checked against the event store and read models with the owner's connection. */
export async function checkInvariants(databaseUrl: string, load: LoadResult): Promise<CheckResult> {
  const sql: Sql = connect(databaseUrl, { max: 4, asAppRole: false });
  try {
    const rows = await sql<{ stream_id: string; command_id: string; n: number }[]>`
      SELECT stream_id, command_id, count(*)::int AS n FROM events
      WHERE stream_id = ANY(${load.productIds}) GROUP BY stream_id, command_id`;
    const perCommand = new Map(rows.map((r) => [r.command_id, r.n]));
    const lostCommands = [...load.acked].filter((id) => !perCommand.has(id));
    // Every command on the cycle's path records exactly one event: more is a duplicate.
    const duplicateCommands = rows.filter((r) => r.n !== 1).map((r) => `${r.command_id} ×${r.n}`);
    const wrongEventCounts: string[] = [];
    const brokenChains: string[] = [];
    let events = 0;
    for (const productId of load.productIds) {
      const stream = await readStream(sql, productId);
      events += stream.length;
      if (stream.length !== CYCLE_EVENTS) wrongEventCounts.push(`${productId}: ${stream.length}`);
      const broken = verifyChain(stream);
      if (broken) brokenChains.push(`${productId}: ${broken.reason} at ${broken.streamPosition}`);
    }
    const stages = await sql<{ product_id: string; stage: string }[]>`
      SELECT product_id, stage FROM cases WHERE product_id = ANY(${load.productIds})`;
    const stageOf = new Map(stages.map((r) => [r.product_id, r.stage]));
    const wrongEndStage = load.productIds
      .filter((id) => stageOf.get(id) !== CYCLE_END)
      .map((id) => `${id}: ${stageOf.get(id) ?? 'no case row'}`);
    const [dups] = await sql<{ n: number }[]>`
      SELECT (SELECT count(*) FROM inbox) - (SELECT count(*) FROM (SELECT DISTINCT user_id, notice_key FROM inbox) d)
           + (SELECT count(*) FROM notification_outbox)
           - (SELECT count(*) FROM (SELECT DISTINCT notice_key, channel, recipient FROM notification_outbox) o)
           AS n`;
    return {
      cases: load.productIds.length,
      events,
      lostCommands,
      duplicateCommands,
      wrongEventCounts,
      brokenChains,
      wrongEndStage,
      duplicateNotifications: Number(dups?.n ?? 0),
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
