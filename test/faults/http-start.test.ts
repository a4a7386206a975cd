/**
 * The product as users run it and meet it: `npm start` (scripts/start.mjs) on a data folder of its own, driven over
 * HTTP by clients that retry with the same Idempotency-Key after an error, a 5xx or a time-out, as the API asks them
 * to. Mid-way the whole start process (launcher and product, both with kill -9) dies; its PostgreSQL and Temporal
 * server are left behind; `npm start` is run again and must recover them. Every case must then reach its end with
 * each command recorded once, every chain verifying, and no notice sent twice.
 */
import { afterAll, expect, it } from 'vitest';
import { CYCLE_EVENTS } from '../../bench/path';
import { connect } from '../../db';
import {
  cleanUpProducts,
  embeddedDatabaseUrl,
  launchProduct,
  noProcessLeft,
  processesOf,
  productSetup,
  waitReady,
  type RunningProduct,
} from '../support/product';
import { cycleProblems, HttpCycles } from '../support/http-cycle';
import { log, sleep } from './harness';

afterAll(cleanUpProducts);

const CASES = 40;
const CONCURRENCY = 8;
/** A client gives up on one attempt after this long, and retries with the same key. */
const ATTEMPT_TIMEOUT_MS = 20_000;

it('loses and duplicates nothing over HTTP when the whole npm start is killed with -9 and started again', async () => {
  const setup = await productSetup();
  let product: RunningProduct = launchProduct('scripts/start.mjs', setup);
  await waitReady(product);
  log(`npm start ready at ${setup.api}`);

  const cycles = new HttpCycles({ apis: [setup.api], secret: setup.secret, attemptTimeoutMs: ATTEMPT_TIMEOUT_MS });
  const { counts, productIds, failures } = cycles;
  const opened = await cycles.openTodaysRound();
  expect(opened.status, await opened.clone().text()).toBe(201);
  const load = cycles.run({ prefix: 'HTTP', cases: CASES, concurrency: CONCURRENCY });

  // Under load, the launcher and the product both die at once: nothing of theirs gets to stop anything.
  while (counts.acked < 60 && failures.length === 0) await sleep(200);
  const productPid = processesOf(setup.dataDir).find((p) => p.command.includes('cli/start.ts'))?.pid;
  expect(productPid).toBeDefined();
  log(`kill -9 of npm start (launcher ${product.process.pid}, product ${productPid}) after ${counts.acked} answers`);
  product.process.kill('SIGKILL');
  process.kill(productPid!, 'SIGKILL');
  await product.exit;
  await sleep(3_000);
  product = launchProduct('scripts/start.mjs', setup);
  await waitReady(product);
  log('npm start ready again');

  await load;
  log(
    `${counts.acked} answered, ${counts.retries} retries (${counts.serverErrors} 5xx, ${counts.timeouts} time-outs, ` +
      `${counts.networkErrors} connection errors)`,
  );
  expect(counts.refused).toEqual([]);
  expect(failures).toEqual([]);
  expect(productIds).toHaveLength(CASES);
  expect(counts.acked).toBe(CASES * CYCLE_EVENTS);
  expect(counts.networkErrors + counts.serverErrors + counts.timeouts).toBeGreaterThan(0); // the kill was felt

  const sql = connect(embeddedDatabaseUrl(setup), { max: 2, asAppRole: false });
  try {
    expect(await cycleProblems(sql, cycles)).toEqual([]);
  } finally {
    await sql.end();
  }

  product.process.kill('SIGINT');
  expect(await product.exit).toBe(0);
  expect(await noProcessLeft(setup.dataDir)).toEqual([]);
});
