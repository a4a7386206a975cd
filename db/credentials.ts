import type { Sql, TransactionSql } from './index';

/*
 * The secrets of built-in sign-in (table account_credentials, migration 011) and the log of sign-in attempts that
 * the lock-out counts (login_attempts). Secrets are never events: the account's stream records only that they changed.
 */

export async function setPasswordHash(tx: TransactionSql | Sql, accountId: string, hash: string): Promise<void> {
  await tx`
    INSERT INTO account_credentials (account_id, password_hash) VALUES (${accountId}, ${hash})
    ON CONFLICT (account_id) DO UPDATE SET password_hash = excluded.password_hash`;
}

export interface Credentials {
  passwordHash: string | null;
  totpSecret: string | null;
  totpPendingSecret: string | null;
  totpLastStep: number | null;
}

export async function credentialsOf(sql: Sql | TransactionSql, accountId: string): Promise<Credentials | null> {
  const [row] = await sql<
    {
      password_hash: string | null;
      totp_secret: string | null;
      totp_pending_secret: string | null;
      totp_last_step: string | null;
    }[]
  >`SELECT password_hash, totp_secret, totp_pending_secret, totp_last_step FROM account_credentials WHERE account_id = ${accountId}`;
  if (!row) return null;
  return {
    passwordHash: row.password_hash,
    totpSecret: row.totp_secret,
    totpPendingSecret: row.totp_pending_secret,
    totpLastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
  };
}

/** Keeps a TOTP key offered to the person until they confirm it with a first code. */
export async function setPendingTotp(sql: Sql, accountId: string, secret: string): Promise<void> {
  await sql`
    INSERT INTO account_credentials (account_id, totp_pending_secret) VALUES (${accountId}, ${secret})
    ON CONFLICT (account_id) DO UPDATE SET totp_pending_secret = excluded.totp_pending_secret`;
}

/** The pending key becomes the account's second factor (inside the TotpEnrolled append). */
export async function confirmTotp(tx: TransactionSql, accountId: string, step: number): Promise<void> {
  await tx`
    UPDATE account_credentials SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_last_step = ${step}
    WHERE account_id = ${accountId}`;
}

/** Records a TOTP step as used; false when it (or a later one) was used already: each code works once. */
export async function useTotpStep(sql: Sql, accountId: string, step: number): Promise<boolean> {
  const rows = await sql`
    UPDATE account_credentials SET totp_last_step = ${step}
    WHERE account_id = ${accountId} AND (totp_last_step IS NULL OR totp_last_step < ${step})
    RETURNING 1`;
  return rows.length > 0;
}

export type LoginOutcome = 'ok' | 'failed' | 'locked';

export async function recordLoginAttempt(sql: Sql, username: string, outcome: LoginOutcome, ip: string | null) {
  await sql`INSERT INTO login_attempts (username, outcome, ip) VALUES (${username}, ${outcome}, ${ip})`;
}

/**
 * Failed attempts for a username within the window and since its last success, and the instant of the latest: what
 * the lock-out is decided on.
 */
export async function recentFailures(
  sql: Sql,
  username: string,
  windowSeconds: number,
): Promise<{ failures: number; latest: Date | null }> {
  const [row] = await sql<{ failures: string; latest: Date | null }[]>`
    SELECT count(*) AS failures, max(at) AS latest FROM login_attempts
    WHERE username = ${username} AND outcome = 'failed' AND at > now() - make_interval(secs => ${windowSeconds})
      AND at > coalesce((SELECT max(at) FROM login_attempts WHERE username = ${username} AND outcome = 'ok'), '-infinity')`;
  return { failures: Number(row?.failures ?? 0), latest: row?.latest ?? null };
}
