import type { Sql, TransactionSql } from './index';

/*
 * Pending single sign-on logins (table oidc_logins, migration 014): what the callback needs to check the provider's
 * answer (state, nonce, PKCE verifier), found by the SHA-256 of the state and consumed once.
 */

export interface PendingLogin {
  stateHash: string;
  browserKeyHash: string;
  providerId: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  createdAt: Date;
  expiresAt: Date;
}

interface PendingLoginRow {
  state_hash: string;
  browser_key_hash: string;
  provider_id: string;
  nonce: string;
  code_verifier: string;
  return_to: string;
  created_at: Date;
  expires_at: Date;
}

/** Records a login begun now; drops those expired more than a day ago, so the table stays small. */
export async function insertPendingLogin(sql: Sql | TransactionSql, p: PendingLogin): Promise<void> {
  await sql`DELETE FROM oidc_logins WHERE expires_at < ${new Date(p.createdAt.getTime() - 86_400_000)}`;
  await sql`
    INSERT INTO oidc_logins
      (state_hash, browser_key_hash, provider_id, nonce, code_verifier, return_to, created_at, expires_at)
    VALUES (${p.stateHash}, ${p.browserKeyHash}, ${p.providerId}, ${p.nonce}, ${p.codeVerifier}, ${p.returnTo},
            ${p.createdAt}, ${p.expiresAt})`;
}

/**
 * The pending login of a state, marked consumed in the same statement, or null when there is none or it was
 * consumed already: of two callbacks with one state, only one gets it. Expiry is the caller's to check.
 */
export async function consumePendingLogin(
  sql: Sql | TransactionSql,
  stateHash: string,
  at: Date,
): Promise<PendingLogin | null> {
  const [r] = await sql<PendingLoginRow[]>`
    UPDATE oidc_logins SET consumed_at = ${at}
    WHERE state_hash = ${stateHash} AND consumed_at IS NULL
    RETURNING state_hash, browser_key_hash, provider_id, nonce, code_verifier, return_to, created_at, expires_at`;
  if (!r) return null;
  return {
    stateHash: r.state_hash,
    browserKeyHash: r.browser_key_hash,
    providerId: r.provider_id,
    nonce: r.nonce,
    codeVerifier: r.code_verifier,
    returnTo: r.return_to,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}
