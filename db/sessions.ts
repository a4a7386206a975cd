import type { Sql } from './index';

/*
 * Browser sessions (table sessions, migration 011) and the sign-in attempts the lock-out counts (login_attempts).
 * A session is found by the SHA-256 of its cookie's id; the id itself is never stored.
 */

export interface StoredSession {
  idHash: string;
  accountId: string;
  grantId: string | null;
  csrfToken: string;
  mfa: boolean;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

interface SessionRow {
  id_hash: string;
  account_id: string;
  grant_id: string | null;
  csrf_token: string;
  mfa: boolean;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

const ofRow = (r: SessionRow): StoredSession => ({
  idHash: r.id_hash,
  accountId: r.account_id,
  grantId: r.grant_id,
  csrfToken: r.csrf_token,
  mfa: r.mfa,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
});

export async function insertSession(
  sql: Sql,
  s: Omit<StoredSession, 'revokedAt' | 'lastSeenAt'> & { lastSeenAt?: Date },
): Promise<void> {
  await sql`
    INSERT INTO sessions (id_hash, account_id, grant_id, csrf_token, mfa, created_at, last_seen_at, expires_at)
    VALUES (${s.idHash}, ${s.accountId}, ${s.grantId}, ${s.csrfToken}, ${s.mfa}, ${s.createdAt},
            ${s.lastSeenAt ?? s.createdAt}, ${s.expiresAt})`;
}

export async function findSession(sql: Sql, idHash: string): Promise<StoredSession | null> {
  const [row] = await sql<SessionRow[]>`SELECT * FROM sessions WHERE id_hash = ${idHash}`;
  return row ? ofRow(row) : null;
}

/** Marks the session seen now (its idle time-out starts again), only if it is still open. */
export async function touchSession(sql: Sql, idHash: string, at: Date): Promise<void> {
  await sql`UPDATE sessions SET last_seen_at = ${at} WHERE id_hash = ${idHash} AND revoked_at IS NULL`;
}

export async function setSessionGrant(sql: Sql, idHash: string, grantId: string): Promise<void> {
  await sql`UPDATE sessions SET grant_id = ${grantId} WHERE id_hash = ${idHash}`;
}

export async function markSessionMfa(sql: Sql, idHash: string): Promise<void> {
  await sql`UPDATE sessions SET mfa = true WHERE id_hash = ${idHash}`;
}

export async function revokeSession(sql: Sql, idHash: string, why: string): Promise<void> {
  await sql`UPDATE sessions SET revoked_at = now(), revoked_why = ${why} WHERE id_hash = ${idHash} AND revoked_at IS NULL`;
}

/** Ends every open session of an account (but `except`, the caller's own, when it changed its own password). */
export async function revokeSessionsOf(sql: Sql, accountId: string, why: string, except?: string): Promise<number> {
  const rows = await sql`
    UPDATE sessions SET revoked_at = now(), revoked_why = ${why}
    WHERE account_id = ${accountId} AND revoked_at IS NULL AND id_hash <> ${except ?? ''}
    RETURNING 1`;
  return rows.length;
}

/**
 * Counts a sign-in attempt before its password is checked, so attempts made at once cannot slip past the lock-out:
 * it is recorded as failed and becomes `ok` (or `locked`) once decided. Returns its id.
 */
export async function recordAttempt(sql: Sql, username: string, ip: string | undefined): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO login_attempts (username, outcome, ip) VALUES (${username}, 'failed', ${ip ?? null}) RETURNING id`;
  return row!.id;
}

export async function settleAttempt(sql: Sql, id: string, outcome: 'ok' | 'locked' | 'second_factor'): Promise<void> {
  await sql`UPDATE login_attempts SET outcome = ${outcome} WHERE id = ${id}`;
}

/**
 * The failed attempts on a username inside the window, since its last success and since `since` (a password reset
 * lifts a lock), oldest first.
 */
export async function recentFailures(
  sql: Sql,
  username: string,
  windowStart: Date,
  since: Date | null,
): Promise<Date[]> {
  const rows = await sql<{ at: Date }[]>`
    SELECT at FROM login_attempts
    WHERE username = ${username} AND outcome = 'failed' AND at > ${windowStart}
      AND at > coalesce((SELECT max(at) FROM login_attempts WHERE username = ${username} AND outcome = 'ok'), '-infinity')
      AND at > ${since ?? new Date(0)}
    ORDER BY at`;
  return rows.map((r) => r.at);
}
