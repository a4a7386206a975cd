import type postgres from 'postgres';
import type { Sql } from './index';

/*
 * The storage of idempotency keys (table api_idempotency, migrations 004 and 007): one row per (caller, key), holding
 * the first request's fingerprint, the claim of the request running it, and once definitive its answer. The API's
 * protocol over it is api/idempotency.ts.
 */

/** A caller's Idempotency-Key: what one row of api_idempotency is kept under. */
export interface CallerKey {
  userId: string;
  key: string;
}

/** What is kept under a (caller, Idempotency-Key): the first request's fingerprint and, once definitive, its answer. */
export interface StoredAnswer {
  requestHash: string;
  productId: string;
  /** Null while the request that claimed the key is still running (see migration 007). */
  status: number | null;
  response: unknown;
  /** The pending claim, if any: who holds it, and whether it may be taken over (released, or older than the lease). */
  claim: { id: string; takeable: boolean } | null;
}

export async function findAnswer(
  sql: Sql,
  { userId, key }: CallerKey,
  leaseSeconds = 30,
): Promise<StoredAnswer | null> {
  const [row] = await sql<
    {
      request_hash: string;
      product_id: string;
      status: number | null;
      response: unknown;
      claim_id: string | null;
      takeable: boolean | null;
    }[]
  >`
    SELECT request_hash, product_id, status, response, claim_id,
           claimed_at < now() - make_interval(secs => ${leaseSeconds}) AS takeable
    FROM api_idempotency
    WHERE user_id = ${userId} AND idempotency_key = ${key}`;
  if (!row) return null;
  return {
    requestHash: row.request_hash,
    productId: row.product_id,
    status: row.status,
    response: row.response,
    claim: row.status === null ? { id: row.claim_id ?? '', takeable: row.takeable ?? true } : null,
  };
}

/**
 * Claims a key for one request: the row holds the request's fingerprint and no answer yet. Returns the claim id, or
 * null when another request holds the key (read it again to learn whether it is the same request).
 */
export async function claimKey(
  sql: Sql,
  { userId, key }: CallerKey,
  request: { requestHash: string; productId: string },
) {
  return claimIdOf(
    await sql<{ claim_id: string }[]>`
    INSERT INTO api_idempotency (user_id, idempotency_key, request_hash, product_id, claim_id, claimed_at)
    VALUES (${userId}, ${key}, ${request.requestHash}, ${request.productId}, gen_random_uuid(), now())
    ON CONFLICT (user_id, idempotency_key) DO NOTHING
    RETURNING claim_id`,
  );
}

/**
 * Takes over a pending claim that its request released or left behind (older than the lease), for the same request
 * only; null when another request took it first, completed it, or renewed it.
 */
export async function takeOverClaim(
  sql: Sql,
  { userId, key }: CallerKey,
  from: { claimId: string; requestHash: string },
  leaseSeconds = 30,
) {
  return claimIdOf(
    await sql<{ claim_id: string }[]>`
    UPDATE api_idempotency SET claim_id = gen_random_uuid(), claimed_at = now()
    WHERE user_id = ${userId} AND idempotency_key = ${key} AND status IS NULL
      AND request_hash = ${from.requestHash} AND claim_id = ${from.claimId}
      AND claimed_at < now() - make_interval(secs => ${leaseSeconds})
    RETURNING claim_id`,
  );
}

/** The claim id a claim's statement returned, or null when it claimed nothing. */
const claimIdOf = (rows: readonly { claim_id: string }[]): string | null => rows[0]?.claim_id ?? null;

/**
 * Completes a pending claim with the definitive answer. The first answer stays: returns false when the key was already
 * answered (by a request that took the claim over, with the same command's result).
 */
export async function completeClaim(
  sql: Sql,
  { userId, key }: CallerKey,
  answer: { status: number; response: unknown },
): Promise<boolean> {
  const rows = await sql`
    UPDATE api_idempotency SET status = ${answer.status}, response = ${sql.json(answer.response as postgres.JSONValue)}
    WHERE user_id = ${userId} AND idempotency_key = ${key} AND status IS NULL
    RETURNING 1`;
  return rows.length > 0;
}

/** Releases a claim whose request ended without a definitive answer, so that a retry of it need not wait the lease. */
export async function releaseClaim(sql: Sql, { userId, key }: CallerKey, claimId: string): Promise<void> {
  await sql`
    UPDATE api_idempotency SET claimed_at = '-infinity'
    WHERE user_id = ${userId} AND idempotency_key = ${key} AND status IS NULL AND claim_id = ${claimId}`;
}
