/**
 * Full product cycles over HTTP, as a client of the API that retries as the API asks: after a connection error, a 5xx,
 * a 429 or a time-out it sends the same command again with the same Idempotency-Key, to the next API instance when
 * there are several (a load balancer taking a dead instance out), until it is answered with a success or a 4xx.
 */
import { randomBytes } from 'node:crypto';
import { signToken, type Principal } from '../../api/auth';
import { idempotentId } from '../../api/commands';
import { kebabOf } from '../../api/routes/commands';
import { CYCLE_END, CYCLE_EVENTS, cycleSteps, PROVINCE, provincialOffice, type Step } from '../../bench/path';
import type { Sql } from '../../db';
import { readStream, verifyChain } from '../../db/event-store';
import { todaysRound } from './rounds';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface HttpCounts {
  acked: number;
  retries: number;
  serverErrors: number;
  timeouts: number;
  networkErrors: number;
  /** Commands answered with a 4xx, which is final: none should be. */
  refused: string[];
}

export interface HttpCycleOptions {
  /** The API instances' base URLs; a client starts at one and moves to the next after a failed attempt. */
  apis: readonly string[];
  /** The HS256 key the API accepts tokens of (AUTH_JWT_SECRET). */
  secret: string;
  /** A client gives up on one attempt after this long, and retries with the same key. @default 20000 */
  attemptTimeoutMs?: number;
}

export class HttpCycles {
  readonly counts: HttpCounts = { acked: 0, retries: 0, serverErrors: 0, timeouts: 0, networkErrors: 0, refused: [] };
  /** The command ids of every acknowledged command (the API derives them from the caller and the key). */
  readonly ackedCommandIds: string[] = [];
  readonly productIds: string[] = [];
  readonly failures: string[] = [];
  private readonly tokens = new Map<string, string>();

  constructor(private readonly options: HttpCycleOptions) {}

  private async tokenOf(principal: Principal): Promise<string> {
    const key = `${principal.role}/${principal.jurisdiction}/${principal.sub}`;
    if (!this.tokens.has(key)) this.tokens.set(key, await signToken(this.options.secret, principal, '2h'));
    return this.tokens.get(key)!;
  }

  /** The province opens the round that today's dossiers join, as an office does before it assigns them. */
  async openTodaysRound(): Promise<Response> {
    const office = await this.tokenOf({
      sub: provincialOffice.userId,
      role: 'provincial_office',
      jurisdiction: PROVINCE,
    });
    return fetch(`${this.options.apis[0]}/rounds`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${office}`,
        'idempotency-key': 'open-round',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ ...todaysRound(), council: [{ memberId: 'http-chair', role: 'chair' }] }),
    });
  }

  /** One command, retried with its key until it is answered with a success or a 4xx (which is final). */
  private async send(step: Step, productId: string | null, key: string, start: number): Promise<{ productId: string }> {
    const { actor, command } = step;
    const role = actor.role as Principal['role'];
    // A subject signs in as itself: the API shows it the products whose subjectId is its sub.
    const sub = role === 'subject' ? actor.office : actor.userId;
    const token = await this.tokenOf({ sub, role, jurisdiction: actor.office });
    const path = command.type === 'RegisterIdea' ? '/products' : `/products/${productId}/${kebabOf(command.type)}`;
    const body =
      command.type === 'RegisterIdea'
        ? Object.fromEntries(Object.entries(command.data).filter(([field]) => field !== 'productId'))
        : command.data;
    const { apis, attemptTimeoutMs = 20_000 } = this.options;
    for (let attempt = 0, delay = 250; ; attempt++, delay = Math.min(delay * 2, 4_000)) {
      const api = apis[(start + attempt) % apis.length]!;
      try {
        const res = await fetch(`${api}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'idempotency-key': key, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(attemptTimeoutMs),
        });
        const answer = (await res.json().catch(() => ({}))) as { productId?: string };
        if (res.ok) {
          this.counts.acked += 1;
          this.ackedCommandIds.push(idempotentId('C', sub, key));
          return { productId: answer.productId ?? productId ?? '' };
        }
        if (res.status < 500 && res.status !== 429) {
          this.counts.refused.push(`${command.type} ${productId ?? ''}: ${res.status} ${JSON.stringify(answer)}`);
          throw new Error(`refused with ${res.status}`);
        }
        this.counts.serverErrors += 1;
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('refused')) throw err;
        if (err instanceof DOMException && err.name === 'TimeoutError') this.counts.timeouts += 1;
        else this.counts.networkErrors += 1;
      }
      this.counts.retries += 1;
      await sleep(delay);
    }
  }

  /**
   * Runs `cases` full cycles (labels `<prefix>-0` …), `concurrency` at a time; case n starts at API n mod the number
   * of APIs. Resolves when every cycle has ended or failed (failures are in `failures`).
   */
  async run(options: { prefix: string; cases: number; concurrency: number }): Promise<void> {
    let next = 0;
    const runner = async () => {
      while (next < options.cases) {
        const n = next++;
        const label = `${options.prefix}-${n}`;
        try {
          let productId: string | null = null;
          for (const [index, step] of cycleSteps(label).entries()) {
            const key = `${label}-${randomBytes(4).toString('hex')}-c${index}`;
            const answer = await this.send(step, productId, key, n);
            if (index === 0) this.productIds.push((productId = answer.productId));
          }
        } catch (err) {
          this.failures.push(`${label}: ${String(err)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, runner));
  }
}

/**
 * What the cycles must have left, read with the owner's connection: every case's stream of one cycle's events, each
 * acknowledged command recorded exactly once, every chain verifying, every case at the cycle's end, and no notice
 * twice in an inbox or the outbox. Returns what is wrong (empty when all holds).
 */
export async function cycleProblems(sql: Sql, cycles: HttpCycles): Promise<string[]> {
  const wrong: string[] = [];
  const { productIds } = cycles;
  const recorded = new Map<string, number>();
  for (const productId of productIds) {
    const stream = await readStream(sql, productId);
    if (stream.length !== CYCLE_EVENTS) wrong.push(`${productId}: ${stream.length} events`);
    for (const e of stream) recorded.set(e.commandId, (recorded.get(e.commandId) ?? 0) + 1);
    const broken = verifyChain(stream);
    if (broken) wrong.push(`${productId}: chain ${broken.reason} at ${broken.streamPosition}`);
  }
  for (const id of cycles.ackedCommandIds) {
    if (recorded.get(id) !== 1) wrong.push(`command ${id} recorded ${recorded.get(id) ?? 0} times`);
  }
  const stages = await sql<{ product_id: string; stage: string }[]>`
    SELECT product_id, stage FROM cases WHERE product_id = ANY(${productIds})`;
  if (stages.length !== productIds.length) wrong.push(`${stages.length} case rows for ${productIds.length} cases`);
  for (const { product_id, stage } of stages) if (stage !== CYCLE_END) wrong.push(`${product_id}: ${stage}`);
  const [duplicates] = await sql<{ n: number }[]>`
    SELECT (SELECT count(*) FROM inbox) - (SELECT count(*) FROM (SELECT DISTINCT user_id, notice_key FROM inbox) d)
      + (SELECT count(*) FROM notification_outbox)
      - (SELECT count(*) FROM (SELECT DISTINCT notice_key, channel, recipient FROM notification_outbox) o) AS n`;
  if (Number(duplicates?.n) !== 0) wrong.push(`${String(duplicates?.n)} notices twice`);
  return wrong;
}
