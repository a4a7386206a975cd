import type { Sql } from './index';

/*
 * The Ed25519 keys that sign machine tokens (table signing_keys, migrations 011 and 013). One key is current (it
 * signs new tokens; a unique index allows no second); every unretired key verifies, so a rotation never cuts off a
 * token already handed out. Changes of the current key take one advisory lock, so concurrent starts and rotations
 * run one after the other.
 */

export interface StoredSigningKey {
  kid: string;
  privatePem: string;
  publicJwk: Record<string, unknown>;
  current: boolean;
  createdAt: Date;
  retiredAt: Date | null;
}

interface KeyRow {
  kid: string;
  private_pem: string;
  public_jwk: Record<string, unknown>;
  current: boolean;
  created_at: Date;
  retired_at: Date | null;
}

const ofRow = (r: KeyRow): StoredSigningKey => ({
  kid: r.kid,
  privatePem: r.private_pem,
  publicJwk: r.public_jwk,
  current: r.current,
  createdAt: r.created_at,
  retiredAt: r.retired_at,
});

export interface NewSigningKey {
  kid: string;
  privatePem: string;
  publicJwk: Record<string, unknown>;
}

/** Every key, newest first. */
export async function listSigningKeys(sql: Sql): Promise<StoredSigningKey[]> {
  const rows = await sql<KeyRow[]>`SELECT * FROM signing_keys ORDER BY created_at DESC, kid`;
  return rows.map(ofRow);
}

/** The key that signs new tokens, or null (a fresh installation before its first start). */
export async function currentSigningKey(sql: Sql): Promise<StoredSigningKey | null> {
  const [row] = await sql<KeyRow[]>`SELECT * FROM signing_keys WHERE current`;
  return row ? ofRow(row) : null;
}

/** An unretired key with its private half (to sign again what it signed), or null. */
export async function unretiredKey(sql: Sql, kid: string): Promise<StoredSigningKey | null> {
  const [row] = await sql<KeyRow[]>`SELECT * FROM signing_keys WHERE kid = ${kid} AND retired_at IS NULL`;
  return row ? ofRow(row) : null;
}

/** The public JWK of an unretired key, or null (unknown or retired: its tokens are refused). */
export async function verifyingKey(sql: Sql, kid: string): Promise<Record<string, unknown> | null> {
  const [row] = await sql<{ public_jwk: Record<string, unknown> }[]>`
    SELECT public_jwk FROM signing_keys WHERE kid = ${kid} AND retired_at IS NULL`;
  return row?.public_jwk ?? null;
}

/** The public JWKs of every unretired key, the current one first. */
export async function publishedKeys(sql: Sql): Promise<Record<string, unknown>[]> {
  const rows = await sql<{ public_jwk: Record<string, unknown> }[]>`
    SELECT public_jwk FROM signing_keys WHERE retired_at IS NULL ORDER BY current DESC, created_at DESC, kid`;
  return rows.map((r) => r.public_jwk);
}

const LOCK = 'ocop-cycle signing keys';

/**
 * Makes `make()` the current key unless one is current already (a first start, idempotent: concurrent callers wait
 * on the lock and find the first one's key). Returns the current key and whether it was created now.
 */
export async function ensureCurrentKey(
  sql: Sql,
  make: () => Promise<NewSigningKey>,
): Promise<{ key: StoredSigningKey; created: boolean }> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext(${LOCK}))`;
    const [existing] = await tx<KeyRow[]>`SELECT * FROM signing_keys WHERE current`;
    if (existing) return { key: ofRow(existing), created: false };
    const k = await make();
    const [row] = await tx<KeyRow[]>`
      INSERT INTO signing_keys (kid, private_pem, public_jwk, current)
      VALUES (${k.kid}, ${k.privatePem}, ${tx.json(k.publicJwk as never)}, true)
      RETURNING *`;
    return { key: ofRow(row!), created: true };
  });
}

/** Makes a new key current; the one it replaces still verifies until it is retired. */
export async function rotateSigningKey(sql: Sql, k: NewSigningKey): Promise<StoredSigningKey> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext(${LOCK}))`;
    await tx`UPDATE signing_keys SET current = false WHERE current`;
    const [row] = await tx<KeyRow[]>`
      INSERT INTO signing_keys (kid, private_pem, public_jwk, current)
      VALUES (${k.kid}, ${k.privatePem}, ${tx.json(k.publicJwk as never)}, true)
      RETURNING *`;
    return ofRow(row!);
  });
}

export type RetireOutcome = 'retired' | 'unknown' | 'current' | 'already_retired';

/** Retires a key: its tokens stop verifying at once. The current key cannot be retired (rotate first). */
export async function retireSigningKey(sql: Sql, kid: string): Promise<RetireOutcome> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext(${LOCK}))`;
    const [row] = await tx<KeyRow[]>`SELECT * FROM signing_keys WHERE kid = ${kid}`;
    if (!row) return 'unknown';
    if (row.current) return 'current';
    if (row.retired_at) return 'already_retired';
    await tx`UPDATE signing_keys SET retired_at = now() WHERE kid = ${kid}`;
    return 'retired';
  });
}
