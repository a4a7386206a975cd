import { afterAll, beforeAll, expect, it } from 'vitest';
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

// kill -9 the worker 20 times while full product cycles keep arriving; the supervisor starts a new worker each time.
const KILLS = 20;
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

it(`loses and duplicates nothing when the worker is killed ${KILLS} times under load`, async () => {
  let killing = true;
  const acked = new Set<string>();
  const load = driveLoad(env, {
    acked,
    concurrency: 16,
    maxCases: 400,
    keepGoing: () => killing,
    deadlineMs: 540_000,
    prefix: `KILL-${Date.now().toString(36)}`,
  });
  await waitForAcks(acked, 60);
  for (let k = 1; k <= KILLS; k++) {
    await sleep(1_000 + Math.floor(Math.random() * 2_000));
    await worker.killAndWaitForNext();
    log(`worker killed ${k}/${KILLS} (${acked.size} commands acknowledged so far)`);
  }
  killing = false;
  const result = await load;
  log(`load done: ${result.productIds.length} cases, ${result.acked.size} acked, ${result.retries} retries`);
  const check = await checkInvariants(env.databaseUrl, result);
  log(`checked ${check.cases} cases, ${check.events} events`);
  expect(result.failures).toEqual([]);
  expect(worker.starts).toBeGreaterThanOrEqual(KILLS + 1);
  expect(check.lostCommands).toEqual([]);
  expect(check.duplicateCommands).toEqual([]);
  expect(check.wrongEventCounts).toEqual([]);
  expect(check.brokenChains).toEqual([]);
  expect(check.wrongEndStage).toEqual([]);
  expect(check.duplicateNotifications).toBe(0);
  expect(result.acked.size).toBe(check.events);
});
