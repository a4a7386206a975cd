import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDatabase } from '../../db';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../db/embedded';
import { freePort } from '../../temporal/dev-server';
import {
  checkInvariants,
  driveLoad,
  log,
  sleep,
  startFaultEnv,
  SupervisedWorker,
  waitForAcks,
  type FaultEnv,
} from './harness';
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

// A private PostgreSQL (npm-shipped binaries, never the machine's server) is stopped for 30 s under load.
const OUTAGE_MS = 30_000;
let env: FaultEnv;
let worker: SupervisedWorker;
let pg: EmbeddedDatabase;
let pgDir: string;
let pgPort: number;

beforeAll(async () => {
  pgDir = mkdtempSync(join(tmpdir(), 'ocop-faults-pg-'));
  chmodSync(pgDir, 0o755);
  pgPort = await freePort();
  pg = await startEmbeddedPostgres({ dir: join(pgDir, 'pg'), port: pgPort });
  await createDatabase(pg.url);
  env = await startFaultEnv({ databaseUrl: pg.url });
  worker = new SupervisedWorker(env);
  await worker.start();
});
afterAll(async () => {
  await worker?.stop();
  await env?.stop();
  await pg?.stop().catch(() => undefined);
  if (pgDir) rmSync(pgDir, { recursive: true, force: true });
});

it('loses and duplicates nothing when PostgreSQL is down for 30 s under load', async () => {
  let loading = true;
  const acked = new Set<string>();
  const load = driveLoad(env, {
    acked,
    concurrency: 16,
    maxCases: 400,
    keepGoing: () => loading,
    deadlineMs: 480_000,
    prefix: `PG-${Date.now().toString(36)}`,
  });
  // Under load: a few cycles' worth of commands acknowledged, every runner busy.
  await waitForAcks(acked, 100);
  log(`stopping PostgreSQL after ${acked.size} acknowledged commands`);
  await pg.stop();
  await sleep(OUTAGE_MS);
  pg = await startEmbeddedPostgres({ dir: join(pgDir, 'pg'), port: pgPort });
  log('PostgreSQL is back');
  const before = acked.size;
  await waitForAcks(acked, before + 100);
  loading = false;
  const result = await load;
  log(`load done: ${result.productIds.length} cases, ${result.acked.size} acked, ${result.retries} retries`);
  const check = await checkInvariants(env.databaseUrl, result);
  expect(result.failures).toEqual([]);
  expect(check.lostCommands).toEqual([]);
  expect(check.duplicateCommands).toEqual([]);
  expect(check.wrongEventCounts).toEqual([]);
  expect(check.brokenChains).toEqual([]);
  expect(check.wrongEndStage).toEqual([]);
  expect(check.duplicateNotifications).toBe(0);
  expect(result.acked.size).toBe(check.events);
});
