import { createHash } from 'node:crypto';
import type { Sql } from '../db';
import { canonicalJson } from '../db/canonical';
import type { Principal } from './auth';
import { HttpProblem, type Problem } from './problems';
import { claimKey, completeClaim, findAnswer, releaseClaim, takeOverClaim } from '../db/idempotency';

/*
 * Idempotency per (caller, Idempotency-Key), for every route that changes something (see migration 007). The key is
 * claimed before the request runs, with the request's fingerprint; of concurrent requests with one key exactly one
 * runs, the same request waits for its answer, and another request (another body, route or target) is 422.
 */

/**
 * A request's fingerprint: its route, its target (empty when the key itself names it) and its body in the event
 * store's canonical JSON, so the same body always has the same fingerprint.
 */
export function fingerprintOf(route: string, target: string, body: unknown): string {
  return createHash('sha256')
    .update(canonicalJson([route, target, body]))
    .digest('hex');
}

export interface IdempotentRequest<T> {
  user: Principal;
  key: string;
  /** From `fingerprintOf`. */
  fingerprint: string;
  /** What the request acts on (a product or round id), kept with the answer to check access on a replay. */
  target: string;
  /** Checks before the key is claimed (404, 403, 412 …); their refusals are not the key's answer. */
  admit(): Promise<void>;
  /** Checks that the caller may still be given a stored answer about this target (throws 404 otherwise). */
  checkReplay(target: string): Promise<void>;
  /** Runs the request under the claim; its answer, or a problem. */
  run(): Promise<{ status: number; body: T }>;
  /** Whether a problem `run` threw is the request's definitive answer (kept under the key) or may be retried. */
  definitive(problem: HttpProblem): boolean;
}

export interface IdempotentAnswer<T> {
  status: number;
  body: T;
  /** The answer was stored by an earlier request with the same key. */
  replayed: boolean;
}

export interface IdempotencyOptions {
  /** How long a pending claim may stay unanswered before a retry of the same request takes it over. */
  claimLeaseSeconds?: number;
  /** How often a request waiting for a concurrent duplicate's answer looks for it. */
  claimPollMs?: number;
}

export const keyReused = () =>
  new HttpProblem(422, 'Unprocessable Content', {
    code: 'idempotency_key_reused',
    detail: 'This Idempotency-Key was already used for a different request; use a new key for a new command.',
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A failure that is not the request's answer (an outage, a case not found): the claim on the key is released. */
class Unanswered extends Error {
  constructor(override readonly cause: unknown) {
    super('no definitive answer');
  }
}

export class Idempotency {
  private readonly leaseSeconds: number;
  private readonly pollMs: number;

  constructor(
    private readonly sql: Sql,
    options: IdempotencyOptions = {},
  ) {
    this.leaseSeconds = options.claimLeaseSeconds ?? 30;
    this.pollMs = options.claimPollMs ?? 50;
  }

  /** Runs the request once under its key, or answers with what the key already answered. */
  async once<T>(r: IdempotentRequest<T>): Promise<IdempotentAnswer<T>> {
    const { sub } = r.user;
    for (;;) {
      const stored = await findAnswer(this.sql, { userId: sub, key: r.key }, this.leaseSeconds);
      if (stored && stored.requestHash !== r.fingerprint) throw keyReused();
      if (stored && stored.status !== null) return this.replay(r, stored.productId, stored.status, stored.response);
      if (stored?.claim && !stored.claim.takeable) {
        // The same request is running now (a concurrent retry): wait for its answer.
        await sleep(this.pollMs);
        continue;
      }
      // A new request, or a retry of one that died or gave up before its answer: check access before claiming.
      await r.admit();
      const claimId = stored?.claim
        ? await takeOverClaim(
            this.sql,
            { userId: sub, key: r.key },
            { claimId: stored.claim.id, requestHash: r.fingerprint },
            this.leaseSeconds,
          )
        : await claimKey(this.sql, { userId: sub, key: r.key }, { requestHash: r.fingerprint, productId: r.target });
      if (claimId === null) continue; // another request claimed the key first: read what it is
      return this.run(r, claimId);
    }
  }

  /** A stored answer, after the caller's current access to its target is checked again. */
  private async replay<T>(r: IdempotentRequest<T>, target: string, status: number, response: unknown) {
    await r.checkReplay(target);
    if (status >= 400) {
      const p = response as Problem;
      throw new HttpProblem(status, p.title, {
        ...(p.detail ? { detail: p.detail } : {}),
        ...(p.code ? { code: p.code } : {}),
        ...(p.stage ? { stage: p.stage } : {}),
        ...(p.errors ? { errors: p.errors } : {}),
      });
    }
    return { status, body: response as T, replayed: true };
  }

  /** Runs the request under a claim held on its key, and completes the claim with the definitive answer. */
  private async run<T>(r: IdempotentRequest<T>, claimId: string): Promise<IdempotentAnswer<T>> {
    const { sub } = r.user;
    /** The first definitive answer under the key: this one, or that of a request that took the claim over. */
    const complete = async (status: number, response: unknown) => {
      if (await completeClaim(this.sql, { userId: sub, key: r.key }, { status, response })) return null;
      const first = await findAnswer(this.sql, { userId: sub, key: r.key }, this.leaseSeconds);
      return first && first.status !== null ? this.replay(r, first.productId, first.status, first.response) : null;
    };
    try {
      let answer: { status: number; body: T };
      try {
        answer = await r.run();
      } catch (err) {
        if (!(err instanceof HttpProblem && r.definitive(err))) throw new Unanswered(err);
        const first = await complete(err.status, { title: err.title, status: err.status, ...err.extra });
        if (first) return first;
        throw err;
      }
      const first = await complete(answer.status, answer.body);
      return first ?? { ...answer, replayed: false };
    } catch (err) {
      if (!(err instanceof Unanswered)) throw err;
      // No definitive answer: free the key for a retry of this same request now rather than after the lease.
      await releaseClaim(this.sql, { userId: sub, key: r.key }, claimId).catch(() => undefined);
      throw err.cause;
    }
  }
}
