/**
 * Built-in accounts for tests that sign in as a person does: an account created by the system with a password and
 * grants (as `npm start` creates its first admin), then POST /auth/login and the session cookie with its CSRF token.
 */
import { randomBytes } from 'node:crypto';
import type { Sql } from '../../db';
import { setPasswordHash } from '../../db/credentials';
import type { UserRole } from '../../domain';
import { accountIdFor, derivedId, executeAccountCommand } from '../../api/accounts';
import { hashPassword } from '../../api/passwords';

const SYSTEM = { userId: 'test-setup', role: 'system', office: 'VN' } as const;

export interface TestAccount {
  accountId: string;
  username: string;
  password: string;
  grantIds: string[];
}

/**
 * An active account with one grant per (role, jurisdiction): a person's with a password, or (`kind: 'machine'`) a
 * program's, which signs in with no password but acts through machine tokens issued under its grants.
 */
export async function createTestAccount(
  sql: Sql,
  o: {
    username: string;
    grants: { role: UserRole; jurisdiction: string }[];
    home?: string;
    password?: string;
    kind?: 'person' | 'machine';
  },
): Promise<TestAccount> {
  const machine = o.kind === 'machine';
  const accountId = accountIdFor(o.username);
  const password = o.password ?? `pw-${randomBytes(12).toString('hex')}`;
  const hash = await hashPassword(password);
  await executeAccountCommand(sql, {
    actor: SYSTEM,
    accountId,
    commandId: `create-${accountId}`,
    command: {
      type: 'CreateAccount',
      data: {
        username: o.username,
        name: `Người thử ${o.username}`,
        homeJurisdiction: o.home ?? o.grants[0]?.jurisdiction ?? 'VN',
        reason: 'tài khoản thử nghiệm / test account',
        ...(machine ? { kind: 'machine' as const } : { initialPassword: true }),
      },
    },
    alsoWrite: async (tx) => {
      if (!machine) await setPasswordHash(tx, accountId, hash);
    },
  });
  const grantIds: string[] = [];
  for (const [i, g] of o.grants.entries()) {
    const commandId = `grant-${accountId}-${i}`;
    const grantId = derivedId('G', commandId);
    await executeAccountCommand(sql, {
      actor: SYSTEM,
      accountId,
      commandId,
      command: { type: 'AddGrant', data: { ...g, grantId, reason: 'quyền thử nghiệm / test grant' } },
    });
    grantIds.push(grantId);
  }
  return { accountId, username: o.username, password, grantIds };
}

/** The cookie and CSRF token of a session, as a browser would hold them. */
export interface SessionCredentials {
  cookie: string;
  csrfToken: string;
  setCookie: string;
}

/** Anything that answers HTTP like Fastify's inject. */
interface Injector {
  inject(o: { method: 'POST'; url: string; payload: object }): PromiseLike<{
    statusCode: number;
    headers: Record<string, unknown>;
    json(): unknown;
    body: string;
  }>;
}

export async function signIn(
  app: Injector,
  o: { username: string; password: string; totp?: string; grantId?: string },
): Promise<SessionCredentials> {
  const res = await app.inject({ method: 'POST', url: '/auth/login', payload: o });
  if (res.statusCode !== 200) throw new Error(`sign-in of ${o.username} answered ${res.statusCode}: ${res.body}`);
  const setCookie = String(res.headers['set-cookie']);
  const cookie = setCookie.split(';')[0]!;
  return { cookie, setCookie, csrfToken: (res.json() as { csrfToken: string }).csrfToken };
}

/** Headers of a request made with a session: the cookie, and for a write its CSRF token. */
export const sessionHeaders = (s: SessionCredentials, write = false): Record<string, string> => ({
  cookie: s.cookie,
  ...(write ? { 'x-csrf-token': s.csrfToken } : {}),
});
