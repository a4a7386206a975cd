/**
 * The product as users run it and meet it: `npm start` (scripts/start.mjs) on a data folder of its own, driven over
 * HTTP by clients that retry with the same Idempotency-Key after an error, a 5xx or a time-out, as the API asks them
 * to. Mid-way the whole start process (launcher and product, both with kill -9) dies; its PostgreSQL and Temporal
 * server are left behind; `npm start` is run again and must recover them. Every case must then reach its end with
 * each command recorded once, every chain verifying, and no notice sent twice.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { signToken, type Principal } from '../../api/auth';
import { kebabOf } from '../../api/routes/commands';
import { CYCLE_END, CYCLE_EVENTS, cycleSteps, PROVINCE, provincialOffice, type Step } from '../../bench/path';
import { connect } from '../../db';
import { readStream, verifyChain } from '../../db/event-store';
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
import { todaysRound } from '../support/rounds';
import { log, sleep } from './harness';

afterAll(cleanUpProducts);

const CASES = 40;
const CONCURRENCY = 8;
/** A client gives up on one attempt after this long, and retries with the same key. */
const ATTEMPT_TIMEOUT_MS = 20_000;

interface Counts {
  acked: number;
  retries: number;
  serverErrors: number;
  timeouts: number;
  networkErrors: number;
  refused: string[];
}

it('loses and duplicates nothing over HTTP when the whole npm start is killed with -9 and started again', async () => {
  const setup = await productSetup();
  let product: RunningProduct = launchProduct('scripts/start.mjs', setup);
  await waitReady(product);
  log(`npm start ready at ${setup.api}`);

  const tokens = new Map<string, string>();
  const tokenOf = async (principal: Principal) => {
    const key = `${principal.role}/${principal.jurisdiction}`;
    if (!tokens.has(key)) tokens.set(key, await signToken(setup.secret, principal, '2h'));
    return tokens.get(key)!;
  };
  const counts: Counts = { acked: 0, retries: 0, serverErrors: 0, timeouts: 0, networkErrors: 0, refused: [] };

  // The province opens the round that today's dossiers join, as an office does before it assigns them.
  const office = await tokenOf({ sub: provincialOffice.userId, role: 'provincial_office', jurisdiction: PROVINCE });
  const opened = await fetch(`${setup.api}/rounds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${office}`, 'idempotency-key': 'open-round', 'content-type': 'application/json' },
    body: JSON.stringify({ ...todaysRound(), council: [{ memberId: 'http-chair', role: 'chair' }] }),
  });
  expect(opened.status, await opened.clone().text()).toBe(201);

  /** One command, retried with its key until it is answered with a success or a 4xx (which is final). */
  const send = async (step: Step, productId: string | null, key: string): Promise<{ productId: string }> => {
    const { actor, command } = step;
    const role = actor.role as Principal['role'];
    // A subject signs in as itself: the API shows it the products whose subjectId is its sub.
    const token = await tokenOf({
      sub: role === 'subject' ? actor.office : actor.userId,
      role,
      jurisdiction: actor.office,
    });
    const path = command.type === 'RegisterIdea' ? '/products' : `/products/${productId}/${kebabOf(command.type)}`;
    const body =
      command.type === 'RegisterIdea'
        ? Object.fromEntries(Object.entries(command.data).filter(([field]) => field !== 'productId'))
        : command.data;
    for (let delay = 250; ; delay = Math.min(delay * 2, 4_000)) {
      try {
        const res = await fetch(`${setup.api}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'idempotency-key': key, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        });
        const answer = (await res.json().catch(() => ({}))) as { productId?: string };
        if (res.ok) {
          counts.acked += 1;
          return { productId: answer.productId ?? productId ?? '' };
        }
        if (res.status < 500 && res.status !== 429) {
          counts.refused.push(`${command.type} ${productId ?? ''}: ${res.status} ${JSON.stringify(answer)}`);
          throw new Error(`refused with ${res.status}`);
        }
        counts.serverErrors += 1;
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('refused')) throw err;
        if (err instanceof DOMException && err.name === 'TimeoutError') counts.timeouts += 1;
        else counts.networkErrors += 1;
      }
      counts.retries += 1;
      await sleep(delay);
    }
  };

  const productIds: string[] = [];
  const failures: string[] = [];
  let next = 0;
  const runner = async () => {
    while (next < CASES) {
      const n = next++;
      const label = `HTTP-${n}`;
      try {
        let productId: string | null = null;
        for (const [index, step] of cycleSteps(label).entries()) {
          const answer = await send(step, productId, `${label}-${randomBytes(4).toString('hex')}-c${index}`);
          if (index === 0) productIds.push((productId = answer.productId));
        }
      } catch (err) {
        failures.push(`${label}: ${String(err)}`);
      }
    }
  };
  const load = Promise.all(Array.from({ length: CONCURRENCY }, runner));

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
    const wrong: string[] = [];
    for (const productId of productIds) {
      const stream = await readStream(sql, productId);
      if (stream.length !== CYCLE_EVENTS) wrong.push(`${productId}: ${stream.length} events`);
      if (new Set(stream.map((e) => e.commandId)).size !== stream.length) wrong.push(`${productId}: a command twice`);
      const broken = verifyChain(stream);
      if (broken) wrong.push(`${productId}: chain ${broken.reason} at ${broken.streamPosition}`);
    }
    const stages = await sql<{ product_id: string; stage: string }[]>`
      SELECT product_id, stage FROM cases WHERE product_id = ANY(${productIds})`;
    for (const { product_id, stage } of stages) if (stage !== CYCLE_END) wrong.push(`${product_id}: ${stage}`);
    expect(stages).toHaveLength(CASES);
    const [duplicates] = await sql<{ n: number }[]>`
      SELECT (SELECT count(*) FROM inbox) - (SELECT count(*) FROM (SELECT DISTINCT user_id, notice_key FROM inbox) d)
        + (SELECT count(*) FROM notification_outbox)
        - (SELECT count(*) FROM (SELECT DISTINCT notice_key, channel, recipient FROM notification_outbox) o) AS n`;
    expect(wrong).toEqual([]);
    expect(Number(duplicates?.n)).toBe(0);
  } finally {
    await sql.end();
  }

  product.process.kill('SIGINT');
  expect(await product.exit).toBe(0);
  expect(await noProcessLeft(setup.dataDir)).toEqual([]);
});
