import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { confirmTotp, credentialsOf, setPasswordHash, setPendingTotp, useTotpStep } from '../../db/credentials';
import {
  markSessionMfa,
  recentFailures,
  recordAttempt,
  revokeSession,
  revokeSessionsOf,
  setSessionGrant,
  settleAttempt,
} from '../../db/sessions';
import { administers, grantsInForce } from '../../domain/accounts';
import { findAccountByUsername, getAccount, grantSchema, seesAccount } from '../../read-models/accounts/queries';
import { executeAccountCommand } from '../accounts';
import type { AppDeps } from '../app';
import { AuthenticationError, principalOf } from '../auth';
import { decoyHash, hashPassword, verifyPassword } from '../passwords';
import { HttpProblem, problemSchema, problemTitle } from '../problems';
import {
  activeSession,
  openSession,
  sessionCookie,
  sessionIdOf,
  type ActiveSession,
  type SessionPolicy,
} from '../sessions';
import { matchTotp, newTotpSecret, otpauthUri, totpStep } from '../totp';
import { passwordSchema } from './accounts';

/*
 * Built-in sign-in (đăng nhập) for installations without a single sign-on provider: a username and an Argon2id
 * password, a TOTP code when the account has one (admins must), then a session cookie. Failed attempts lock the
 * username for a while; each answer says why in Vietnamese first.
 */

/** Failed attempts on one username within LOCK_WINDOW before it is locked for the rest of the window. */
export const LOCK_AFTER_FAILURES = 5;
export const LOCK_WINDOW_MINUTES = 15;

const sessionViewSchema = z
  .object({
    account: z.object({ accountId: z.string(), username: z.string(), name: z.string(), kind: z.string() }),
    grant: grantSchema.nullable(),
    grants: z.array(grantSchema),
    mfa: z.boolean(),
    totpEnrolled: z.boolean(),
    /** Why the session cannot act yet (a second factor needed, no grant left), or null. */
    cannotAct: z.string().nullable(),
    /** Send it as the x-csrf-token header on every write made with the session cookie. */
    csrfToken: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'Session' });
type SessionView = z.infer<typeof sessionViewSchema>;

const viewOf = (s: ActiveSession): SessionView => ({
  account: {
    accountId: s.account.accountId,
    username: s.account.username,
    name: s.account.name,
    kind: s.account.kind,
  },
  grant: s.grant,
  grants: s.grants,
  mfa: s.stored.mfa,
  totpEnrolled: s.account.totpEnrolled,
  cannotAct: s.cannotAct,
  csrfToken: s.stored.csrfToken,
  expiresAt: s.stored.expiresAt.toISOString(),
});

const problems = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, problemSchema]));

const refused = (status: number, code: string, vi: string, en: string, headers: Record<string, string> = {}) =>
  new HttpProblem(status, problemTitle(status, 'en'), { code, detail: `${vi} / ${en}` }, headers);

const WRONG = () =>
  refused(
    401,
    'invalid_credentials',
    'Tên đăng nhập hoặc mật khẩu không đúng.',
    'The username or the password is wrong.',
  );

const loginBody = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
  /** The 6-digit code of the authenticator app, when the account has a second factor. */
  totp: z
    .string()
    .regex(/^\d{6}$/, '6 chữ số / 6 digits')
    .optional(),
  /** The grant to act under; the first in force when absent. */
  grantId: z
    .string()
    .regex(/^G[0-9a-f]{16}$/)
    .optional(),
});

export const authRoutes =
  (deps: AppDeps & { sessionPolicy?: SessionPolicy; loginRateLimit?: number }): FastifyPluginAsyncZod =>
  async (app) => {
    const policy = deps.sessionPolicy ?? {};
    const secure = policy.secureCookie ?? true;

    const setCookie = (reply: FastifyReply, sessionId: string, expiresAt: string) =>
      reply.header(
        'set-cookie',
        sessionCookie(sessionId, { secure, maxAgeSeconds: (Date.parse(expiresAt) - Date.now()) / 1000 }),
      );

    /** The request's session, or 401. */
    function sessionOf(req: FastifyRequest): ActiveSession {
      if (req.session) return req.session;
      throw (
        req.authError ??
        new AuthenticationError(
          'Chưa đăng nhập (thiếu cookie phiên ocop_session). / Not signed in (no session cookie).',
        )
      );
    }

    app.post(
      '/auth/login',
      {
        config: { rateLimit: { max: deps.loginRateLimit ?? 30, timeWindow: 60_000 } },
        schema: {
          summary: 'Sign in with a built-in account (đăng nhập): a session cookie and its CSRF token',
          description:
            `Sets the \`ocop_session\` cookie (Secure; HttpOnly; SameSite=Lax). ${LOCK_AFTER_FAILURES} failed ` +
            `attempts on a username within ${LOCK_WINDOW_MINUTES} minutes lock it (423, Retry-After) for the rest ` +
            'of the window; an admin’s password reset lifts the lock. An account with a second factor needs `totp` ' +
            '(401 `totp_required` without it).',
          tags: ['sign-in'],
          body: loginBody,
          response: { 200: sessionViewSchema, ...problems(400, 401, 403, 423, 429, 500) },
        },
      },
      async (req, reply) => {
        const { username, password, totp, grantId } = req.body;
        const name = username.toLowerCase();
        const attempt = await recordAttempt(deps.sql, name, req.ip);
        const account = await findAccountByUsername(deps.sql, name);
        const now = new Date();
        const failures = await recentFailures(
          deps.sql,
          name,
          new Date(now.getTime() - LOCK_WINDOW_MINUTES * 60_000),
          account?.passwordSetAt ? new Date(account.passwordSetAt) : null,
        );
        // This attempt is among the failures until it succeeds: more than the limit means the limit was reached.
        if (failures.length > LOCK_AFTER_FAILURES) {
          await settleAttempt(deps.sql, attempt, 'locked');
          const oldest = failures[failures.length - 1 - LOCK_AFTER_FAILURES]!;
          const retry = Math.max(
            1,
            Math.ceil((oldest.getTime() + LOCK_WINDOW_MINUTES * 60_000 - now.getTime()) / 1000),
          );
          throw refused(
            423,
            'account_locked',
            `Tài khoản tạm khoá sau ${LOCK_AFTER_FAILURES} lần đăng nhập sai; thử lại sau ${Math.ceil(retry / 60)} phút hoặc nhờ quản trị viên đặt lại mật khẩu.`,
            `Locked after ${LOCK_AFTER_FAILURES} failed sign-ins; retry in ${Math.ceil(retry / 60)} min or ask an admin to reset the password.`,
            { 'retry-after': String(retry) },
          );
        }
        const credentials = account ? await credentialsOf(deps.sql, account.accountId) : null;
        const ok = await verifyPassword(password, credentials?.passwordHash ?? (await decoyHash()));
        if (!account || !credentials?.passwordHash || !ok || account.kind !== 'person') throw WRONG();
        if (account.totpEnrolled) {
          if (totp === undefined) {
            await settleAttempt(deps.sql, attempt, 'second_factor');
            throw refused(
              401,
              'totp_required',
              'Nhập mã xác thực 6 chữ số từ ứng dụng xác thực (trường totp).',
              'Enter the 6-digit code of your authenticator app (field totp).',
            );
          }
          const step = credentials.totpSecret ? matchTotp(credentials.totpSecret, totp) : null;
          if (step === null || !(await useTotpStep(deps.sql, account.accountId, step))) {
            throw refused(
              401,
              'totp_invalid',
              'Mã xác thực không đúng hoặc đã dùng.',
              'The authenticator code is wrong or was used already.',
            );
          }
        }
        await settleAttempt(deps.sql, attempt, 'ok');
        if (account.status !== 'active') {
          throw refused(403, 'account_disabled', 'Tài khoản đã bị khoá.', 'The account is disabled.');
        }
        const grants = grantsInForce(account, now.toISOString());
        if (grants.length === 0) {
          throw refused(
            403,
            'no_grant',
            'Tài khoản chưa có quyền nào có hiệu lực; liên hệ quản trị viên.',
            'The account holds no grant in force; ask an admin.',
          );
        }
        if (grantId !== undefined && !grants.some((g) => g.grantId === grantId)) {
          throw new HttpProblem(422, 'Unprocessable Content', {
            code: 'grant_not_held',
            detail: 'Tài khoản không giữ quyền này. / The account holds no such grant in force.',
            errors: [{ field: 'body.grantId', message: 'không giữ quyền này / no such grant in force' }],
          });
        }
        const chosen = grantId ?? (grants.find((g) => g.role !== 'admin') ?? grants[0]!).grantId;
        const opened = await openSession(deps.sql, {
          accountId: account.accountId,
          grantId: chosen,
          mfa: account.totpEnrolled,
          policy,
        });
        setCookie(reply, opened.sessionId, opened.expiresAt);
        req.log.info({ accountId: account.accountId }, 'signed in');
        return viewOf(await activeSession(deps.sql, opened.sessionId, policy));
      },
    );

    app.get(
      '/auth/session',
      {
        schema: {
          summary: 'The caller’s session: account, the grant acted under, the grants to switch to, the CSRF token',
          tags: ['sign-in'],
          security: [{ session: [] }],
          response: { 200: sessionViewSchema, ...problems(401, 429, 500) },
        },
      },
      async (req) => viewOf(sessionOf(req)),
    );

    app.post(
      '/auth/logout',
      {
        schema: {
          summary: 'Sign out (đăng xuất): the session ends at once and its cookie is removed',
          tags: ['sign-in'],
          security: [{ session: [] }],
          response: { 204: z.null(), ...problems(401, 403, 429, 500) },
        },
      },
      async (req, reply) => {
        const s = sessionOf(req);
        await revokeSession(deps.sql, s.idHash, 'signed out');
        return reply
          .header('set-cookie', sessionCookie('', { secure, maxAgeSeconds: 0 }))
          .code(204)
          .send(null);
      },
    );

    app.post(
      '/auth/session/grant',
      {
        schema: {
          summary: 'Act under another of the account’s grants in force (đổi vai trò)',
          tags: ['sign-in'],
          security: [{ session: [] }],
          body: z.strictObject({ grantId: z.string().regex(/^G[0-9a-f]{16}$/, 'a grant id, G + 16 hex') }),
          response: { 200: sessionViewSchema, ...problems(400, 401, 403, 422, 429, 500) },
        },
      },
      async (req) => {
        const s = sessionOf(req);
        if (!s.grants.some((g) => g.grantId === req.body.grantId)) {
          throw new HttpProblem(422, 'Unprocessable Content', {
            code: 'grant_not_held',
            detail: 'Tài khoản không giữ quyền này. / The account holds no such grant in force.',
            errors: [{ field: 'body.grantId', message: 'không giữ quyền này / no such grant in force' }],
          });
        }
        await setSessionGrant(deps.sql, s.idHash, req.body.grantId);
        return viewOf(await activeSession(deps.sql, sessionIdOf(req.headers.cookie)!, policy));
      },
    );

    app.post(
      '/auth/totp/enrol',
      {
        schema: {
          summary: 'Start a second factor (xác thực hai lớp): a TOTP key for an authenticator app, confirmed next',
          tags: ['sign-in'],
          security: [{ session: [] }],
          response: {
            200: z.object({ secret: z.string(), otpauthUri: z.string() }).meta({ id: 'TotpEnrolment' }),
            ...problems(401, 403, 409, 429, 500),
          },
        },
      },
      async (req) => {
        const s = sessionOf(req);
        if (s.account.totpEnrolled) {
          throw refused(
            409,
            'totp_enrolled',
            'Tài khoản đã có xác thực hai lớp.',
            'A second factor is enrolled already.',
          );
        }
        const secret = newTotpSecret();
        await setPendingTotp(deps.sql, s.account.accountId, secret);
        return { secret, otpauthUri: otpauthUri(secret, s.account.username) };
      },
    );

    app.post(
      '/auth/totp/confirm',
      {
        schema: {
          summary: 'Confirm the second factor with a first code: recorded on the account, the session passes it',
          tags: ['sign-in'],
          security: [{ session: [] }],
          body: z.strictObject({ code: z.string().regex(/^\d{6}$/, '6 chữ số / 6 digits') }),
          response: { 200: sessionViewSchema, ...problems(400, 401, 403, 409, 422, 429, 500) },
        },
      },
      async (req) => {
        const s = sessionOf(req);
        const credentials = await credentialsOf(deps.sql, s.account.accountId);
        const pending = credentials?.totpPendingSecret;
        if (!pending) {
          throw refused(
            409,
            'totp_not_started',
            'Chưa bắt đầu đăng ký: gọi POST /auth/totp/enrol trước.',
            'No enrolment started: call POST /auth/totp/enrol first.',
          );
        }
        const step = matchTotp(pending, req.body.code);
        if (step === null) {
          throw new HttpProblem(422, 'Unprocessable Content', {
            code: 'totp_invalid',
            detail: 'Mã xác thực không đúng. / The code is wrong.',
            errors: [{ field: 'body.code', message: 'mã không đúng / wrong code' }],
          });
        }
        await executeAccountCommand(deps.sql, {
          actor: { userId: s.account.accountId, role: s.grant?.role ?? 'subject', office: s.grant?.jurisdiction ?? '' },
          accountId: s.account.accountId,
          commandId: `totp-${s.account.accountId}-${totpStep(Date.now())}`,
          command: { type: 'EnrolTotp', data: { reason: 'Tự đăng ký xác thực hai lớp / second factor enrolled' } },
          alsoWrite: (tx) => confirmTotp(tx, s.account.accountId, step),
        });
        await markSessionMfa(deps.sql, s.idHash);
        return viewOf(await activeSession(deps.sql, sessionIdOf(req.headers.cookie)!, policy));
      },
    );

    app.post(
      '/auth/password',
      {
        schema: {
          summary: 'Change one’s own password (đổi mật khẩu); every other session of the account ends',
          tags: ['sign-in'],
          security: [{ session: [] }],
          body: z.strictObject({ currentPassword: z.string().min(1).max(256), newPassword: passwordSchema }),
          response: { 204: z.null(), ...problems(400, 401, 403, 422, 429, 500) },
        },
      },
      async (req, reply) => {
        const s = sessionOf(req);
        const credentials = await credentialsOf(deps.sql, s.account.accountId);
        if (!credentials?.passwordHash || !(await verifyPassword(req.body.currentPassword, credentials.passwordHash))) {
          throw new HttpProblem(422, 'Unprocessable Content', {
            code: 'password_wrong',
            detail: 'Mật khẩu hiện tại không đúng. / The current password is wrong.',
            errors: [{ field: 'body.currentPassword', message: 'không đúng / wrong' }],
          });
        }
        const hash = await hashPassword(req.body.newPassword);
        await executeAccountCommand(deps.sql, {
          actor: { userId: s.account.accountId, role: s.grant?.role ?? 'subject', office: s.grant?.jurisdiction ?? '' },
          accountId: s.account.accountId,
          commandId: `password-${s.account.accountId}-${Date.now()}`,
          command: { type: 'SetPassword', data: { reason: 'Tự đổi mật khẩu / changed by the person' } },
          alsoWrite: (tx) => setPasswordHash(tx, s.account.accountId, hash),
        });
        await revokeSessionsOf(deps.sql, s.account.accountId, 'password changed', s.idHash);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/accounts/:accountId/sessions/revoke',
      {
        schema: {
          summary: 'End every session of an account at once (thu hồi phiên), by an admin of its jurisdiction',
          tags: ['accounts'],
          security: [{ bearer: [] }, { session: [] }],
          params: z.strictObject({ accountId: z.string().regex(/^A[0-9a-f]{32}$/, 'an account id, A + 32 hex') }),
          body: z.strictObject({ reason: z.string().trim().min(3).max(500) }),
          response: {
            200: z.object({ revoked: z.number().int() }).meta({ id: 'SessionsRevoked' }),
            ...problems(400, 401, 403, 404, 429, 500),
          },
        },
      },
      async (req) => {
        const user = principalOf(req);
        const account = await getAccount(deps.sql, req.params.accountId);
        // As for every account route: 404 for an account the caller does not see, 403 for one they see but do not
        // manage.
        if (!account || !seesAccount(user, account)) {
          throw refused(
            404,
            'not_found',
            `Không có tài khoản ${req.params.accountId} trong địa bàn quản lý.`,
            `No account ${req.params.accountId} within the caller's jurisdiction.`,
          );
        }
        if (!administers({ role: user.role, office: user.jurisdiction }, account.homeJurisdiction)) {
          throw refused(
            403,
            'forbidden',
            `Chỉ quản trị viên của ${account.homeJurisdiction} (hoặc cấp trên) thu hồi phiên của tài khoản này.`,
            `Only an admin of ${account.homeJurisdiction} (or above) revokes this account's sessions.`,
          );
        }
        const revoked = await revokeSessionsOf(
          deps.sql,
          account.accountId,
          `revoked by ${user.sub}: ${req.body.reason}`,
        );
        req.log.info({ accountId: account.accountId, revoked, by: user.sub }, 'sessions revoked');
        return { revoked };
      },
    );
  };
