/**
 * Poison commands amid load (issue 15, finding 1): while full product cycles keep arriving, some cases get a
 * command whose actor holds what the records cannot store (a NUL, a lone surrogate), sent straight to Temporal as
 * something below the API could. Each poison fails at once, as a non-retryable UnrecordableCommand; the case it was
 * sent to then runs its whole cycle; nothing acknowledged is lost or duplicated, every chain verifies and every
 * other case is unaffected.
 */
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCase } from '../../bench/driver';
import { communeOfficer, cycleSteps } from '../../bench/path';
import { connect } from '../../db';
import { caseWorkflowId, commandUpdate } from '../../workflows/messages';
import {
  checkInvariants,
  driveLoad,
  log,
  startFaultEnv,
  SupervisedWorker,
  waitForAcks,
  type FaultEnv,
} from './harness';

const POISONED = 12;
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

/** Registers the case, sends it a poison command, then runs the rest of its cycle. */
async function poisonedCase(productId: string, poison: string, acked: Set<string>, retryUntil: number) {
  const steps = cycleSteps(productId);
  const options = { retryUntil, onAck: (id: string) => acked.add(id) };
  await runCase(env.client, env.taskQueue, productId, steps.slice(0, 1), options);
  const started = Date.now();
  const outcome = await env.client.workflow
    .getHandle(caseWorkflowId(productId))
    .executeUpdate(commandUpdate, {
      args: [
        {
          commandId: `poison/${productId}`,
          actor: { ...communeOfficer, userId: `u-commune${poison}` },
          command: { type: 'AcceptIdea', data: {} },
        },
      ],
      updateId: `poison/${productId}`,
    })
    .then(
      () => 'accepted',
      (err: unknown) =>
        err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure
          ? `${err.cause.type ?? '?'} nonRetryable=${String(err.cause.nonRetryable)}`
          : `other: ${String(err)}`,
    );
  const ms = Date.now() - started;
  // The same Update ids as the load's own cases, so the registration is not sent twice.
  await runCase(env.client, env.taskQueue, productId, steps, options);
  return { outcome, ms };
}

it(`poison commands to ${POISONED} cases amid load fail fast and harm nothing`, async () => {
  const stamp = Date.now().toString(36);
  const acked = new Set<string>();
  const load = driveLoad(env, {
    acked,
    concurrency: 8,
    maxCases: 40,
    keepGoing: () => true,
    deadlineMs: 480_000,
    prefix: `LOAD-${stamp}`,
  });
  await waitForAcks(acked, 40);
  const retryUntil = Date.now() + 300_000;
  const poisonIds = Array.from({ length: POISONED }, (_, i) => `POISON-${stamp}-${i}`);
  const poisons = ['\u0000', '\ud800', 'x\u0000y', '\udc00'];
  const poisoned = await Promise.all(
    poisonIds.map((id, i) => poisonedCase(id, poisons[i % poisons.length]!, acked, retryUntil)),
  );
  const result = await load;
  log(`load done: ${result.productIds.length} cases, ${result.acked.size} acked, ${result.retries} retries`);
  log(`poisons: ${poisoned.map((p) => `${p.outcome} in ${p.ms} ms`).join('; ')}`);

  for (const p of poisoned) {
    expect(p.outcome).toBe('UnrecordableCommand nonRetryable=true');
    expect(p.ms).toBeLessThan(30_000);
  }
  const check = await checkInvariants(env.databaseUrl, { ...result, productIds: [...result.productIds, ...poisonIds] });
  log(`checked ${check.cases} cases, ${check.events} events`);
  expect(result.failures).toEqual([]);
  expect(check.lostCommands).toEqual([]);
  expect(check.duplicateCommands).toEqual([]);
  expect(check.wrongEventCounts).toEqual([]);
  expect(check.brokenChains).toEqual([]);
  expect(check.wrongEndStage).toEqual([]);
  expect(check.duplicateNotifications).toBe(0);
  expect(acked.size).toBe(check.events);

  const sql = connect(env.databaseUrl, { max: 1, asAppRole: false });
  try {
    const [leaked] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM events WHERE command_id LIKE 'poison/%' OR actor_user <> 'u-commune'
        AND actor_role = 'commune_officer'`;
    expect(leaked?.n).toBe(0);
  } finally {
    await sql.end();
  }
});
