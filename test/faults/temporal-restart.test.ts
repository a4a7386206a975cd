import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  checkInvariants,
  driveLoad,
  log,
  startFaultEnv,
  SupervisedWorker,
  waitForAcks,
  type FaultEnv,
} from './harness';

// The Temporal dev server (persistent SQLite file) is stopped and started again, twice, under load.
const RESTARTS = 2;
let env: FaultEnv;
let worker: SupervisedWorker;

beforeAll(async () => {
  env = await startFaultEnv();
  worker = new SupervisedWorker(env);
  await worker.start();
});
afterAll(async () => {
  await worker?.stop();
  await env?.stop();
});

it('loses and duplicates nothing when the Temporal server restarts under load', async () => {
  let loading = true;
  const acked = new Set<string>();
  const load = driveLoad(env, {
    acked,
    concurrency: 16,
    maxCases: 400,
    keepGoing: () => loading,
    deadlineMs: 480_000,
    prefix: `TMP-${Date.now().toString(36)}`,
  });
  for (let r = 1; r <= RESTARTS; r++) {
    await waitForAcks(acked, acked.size + 100);
    log(`restarting Temporal ${r}/${RESTARTS} after ${acked.size} acknowledged commands`);
    await env.restartTemporal(3_000);
    log('Temporal is back');
  }
  await waitForAcks(acked, acked.size + 100);
  loading = false;
  const result = await load;
  log(
    `load done: ${result.productIds.length} cases, ${result.acked.size} acked, ${result.retries} retries, ` +
      `${worker.starts} worker starts`,
  );
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
