import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Sql } from '../db';
import { findSession, insertSession, revokeSession, touchSession, type StoredSession } from '../db/sessions';
import { grantsInForce, type Grant } from '../domain/accounts';
import { getAccount, type AccountView } from '../read-models/accounts/queries';
import { AuthenticationError, type Principal } from './auth';

/*
 * Browser sessions: an opaque 256-bit id in the `ocop_session` cookie (Secure; HttpOnly; SameSite=Lax), stored
 * server-side as its SHA-256 with the grant the person acts under, a CSRF token, an idle and an absolute time-out.
 * Every request re-reads the session and the account: a revoked session, a disabled account or an ended grant stops
 * working at once, not when a token expires.
 */

export const SESSION_COOKIE = 'ocop_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface SessionPolicy {
  /** Minutes without a request after which a session ends. @default 30 */
  idleMinutes?: number;
  /** Hours after sign-in at which a session ends, however active. @default 12 */
  maxHours?: number;
  /** Whether the cookie carries `Secure` (browsers accept it on http://localhost too). @default true */
  secureCookie?: boolean;
}

const hashOf = (sessionId: string) => createHash('sha256').update(sessionId).digest('hex');

export interface OpenedSession {
  sessionId: string;
  csrfToken: string;
  expiresAt: string;
}

/** Opens a session for an account under one of its grants in force (the first one when none is named). */
export async function openSession(
  sql: Sql,
  o: { accountId: string; grantId?: string | null; mfa: boolean; policy?: SessionPolicy; now?: Date },
): Promise<OpenedSession> {
  const now = o.now ?? new Date();
  const sessionId = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + (o.policy?.maxHours ?? 12) * 3600_000);
  await insertSession(sql, {
    idHash: hashOf(sessionId),
    accountId: o.accountId,
    grantId: o.grantId ?? null,
    csrfToken,
    mfa: o.mfa,
    createdAt: now,
    expiresAt,
  });
  return { sessionId, csrfToken, expiresAt: expiresAt.toISOString() };
}

/** The Set-Cookie value of a session (or of its removal, with `maxAgeSeconds` 0). */
export function sessionCookie(sessionId: string, o: { secure: boolean; maxAgeSeconds: number }): string {
  return [
    `${SESSION_COOKIE}=${sessionId}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    ...(o.secure ? ['Secure'] : []),
    `Max-Age=${Math.max(0, Math.floor(o.maxAgeSeconds))}`,
  ].join('; ');
}

/** The session id a Cookie header carries, if any. */
export function sessionIdOf(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) {
      const id = value.join('=');
      return /^[\w-]{20,100}$/.test(id) ? id : null;
    }
  }
  return null;
}

/** A session found by its cookie, with the account and the grant it acts under. */
export interface ActiveSession {
  idHash: string;
  stored: StoredSession;
  account: AccountView;
  /** The grant in force the session acts under, or null (none left, or an admin grant awaiting a second factor). */
  grant: Grant | null;
  grants: Grant[];
  /** Why the session cannot act (no grant, second factor needed), in Vietnamese and English. */
  cannotAct: string | null;
  principal: Principal | null;
}

const ended = (vi: string, en: string) => new AuthenticationError(`${vi} / ${en}`);

/**
 * The open session a cookie names, or AuthenticationError (401): unknown, revoked, idle too long, past its absolute
 * time-out, or its account disabled. Marks it seen (once a minute at most, so reads do not all write).
 */
export async function activeSession(
  sql: Sql,
  sessionId: string,
  policy: SessionPolicy = {},
  now = new Date(),
): Promise<ActiveSession> {
  const idHash = hashOf(sessionId);
  const stored = await findSession(sql, idHash);
  if (!stored) throw ended('Phiên đăng nhập không tồn tại; hãy đăng nhập lại.', 'No such session; sign in again.');
  if (stored.revokedAt) throw ended('Phiên đăng nhập đã bị thu hồi.', 'The session was revoked.');
  if (stored.expiresAt <= now) throw ended('Phiên đăng nhập đã hết hạn.', 'The session has expired.');
  const idleMs = (policy.idleMinutes ?? 30) * 60_000;
  if (stored.lastSeenAt.getTime() + idleMs <= now.getTime()) {
    await revokeSession(sql, idHash, 'idle');
    throw ended('Phiên đăng nhập hết hạn do không hoạt động.', 'The session ended after inactivity.');
  }
  const account = await getAccount(sql, stored.accountId);
  if (!account || account.status !== 'active') {
    throw ended('Tài khoản đã bị khoá.', 'The account is disabled.');
  }
  if (now.getTime() - stored.lastSeenAt.getTime() > 60_000) await touchSession(sql, idHash, now);
  const grants = grantsInForce(account, now.toISOString());
  const chosen = grants.find((g) => g.grantId === stored.grantId) ?? null;
  let cannotAct: string | null = null;
  if (!chosen) {
    cannotAct =
      'Phiên đăng nhập không còn quyền nào có hiệu lực; hãy chọn quyền khác. / The session holds no grant in force; choose another.';
  } else if (chosen.role === 'admin' && !stored.mfa) {
    cannotAct =
      'Quyền quản trị cần xác thực hai lớp (TOTP): đăng ký tại POST /auth/totp/enrol và xác nhận tại POST /auth/totp/confirm. / An admin grant needs a second factor (TOTP): enrol at POST /auth/totp/enrol and confirm at POST /auth/totp/confirm.';
  }
  return {
    idHash,
    stored,
    account,
    grant: chosen,
    grants,
    cannotAct,
    principal:
      chosen && cannotAct === null
        ? { sub: account.accountId, role: chosen.role, jurisdiction: chosen.jurisdiction, name: account.name }
        : null,
  };
}

/** Whether a request's x-csrf-token header is its session's token (constant-time). */
export function csrfMatches(session: StoredSession, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const a = Buffer.from(header);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}
