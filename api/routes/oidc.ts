import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { grantsInForce } from '../../domain/accounts';
import { findAccountByExternalIdentity } from '../../read-models/accounts/queries';
import type { AppDeps } from '../app';
import { isSafeReturnTo, OIDC_BROWSER_COOKIE, SAFE_RETURN_TO, OIDC_LOGIN_MINUTES, type OidcSignIn } from '../oidc';
import { HttpProblem, problemSchema, problemTitle } from '../problems';
import { openSession, sessionCookie, type SessionPolicy } from '../sessions';

/*
 * Single sign-on routes (đăng nhập một lần): the providers a sign-in page offers, the redirect to one, and the
 * callback that opens the same browser session as POST /auth/login for the account linked to the identity the
 * provider vouches for (POST /accounts/:id/external-identities links it; the e-mail is never used to match).
 */

const problems = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, problemSchema]));

const refused = (status: number, code: string, vi: string, en: string) =>
  new HttpProblem(status, problemTitle(status, 'en'), { code, detail: `${vi} / ${en}` });

const providerParams = z.strictObject({
  provider: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a provider id: lowercase letters, digits and dashes'),
});

const redirect = z.null().describe('A redirect: the Location header says where.');

/** The browser cookie of a pending login: only the OIDC paths see it, and it lasts as long as the login may. */
const browserCookie = (value: string, secure: boolean, maxAgeSeconds: number) =>
  [
    `${OIDC_BROWSER_COOKIE}=${value}`,
    'Path=/auth/oidc',
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
    `Max-Age=${maxAgeSeconds}`,
  ].join('; ');

function browserKeyOf(cookieHeader: string | undefined): string | null {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === OIDC_BROWSER_COOKIE) {
      const key = value.join('=');
      return /^[\w-]{20,100}$/.test(key) ? key : null;
    }
  }
  return null;
}

export const oidcRoutes =
  (
    deps: AppDeps & { oidc?: OidcSignIn; sessionPolicy?: SessionPolicy; loginRateLimit?: number },
  ): FastifyPluginAsyncZod =>
  async (app) => {
    const policy = deps.sessionPolicy ?? {};
    const secure = policy.secureCookie ?? true;
    const rateLimit = { max: deps.loginRateLimit ?? 30, timeWindow: 60_000 };

    function signIn(): OidcSignIn {
      if (deps.oidc) return deps.oidc;
      throw refused(
        404,
        'oidc_provider_unknown',
        'Hệ thống không cấu hình nhà cung cấp đăng nhập một lần nào.',
        'No single sign-on provider is configured.',
      );
    }

    app.get(
      '/auth/oidc/providers',
      {
        schema: {
          summary: 'The single sign-on providers a sign-in page offers (đăng nhập một lần): id and Vietnamese name',
          tags: ['sign-in'],
          response: {
            200: z
              .object({ providers: z.array(z.object({ id: z.string(), name: z.string() })) })
              .meta({ id: 'OidcProviders' }),
            ...problems(429, 500),
          },
        },
      },
      async () => ({ providers: deps.oidc?.list() ?? [] }),
    );

    app.get(
      '/auth/oidc/:provider/login',
      {
        config: { rateLimit },
        schema: {
          summary: 'Begin signing in at a single sign-on provider: a redirect (302) to it',
          description:
            'Answers 302 to the provider’s authorisation endpoint (code flow, PKCE S256, state and nonce) and sets ' +
            `the short \`${OIDC_BROWSER_COOKIE}\` cookie that the callback needs; the sign-in must come back within ` +
            `${OIDC_LOGIN_MINUTES} minutes. \`returnTo\` is a path on this site (an absolute URL is refused).`,
          tags: ['sign-in'],
          params: providerParams,
          querystring: z.strictObject({
            /** Where the browser goes once signed in: a path on this site, `/` when absent. */
            returnTo: z
              .string()
              .max(512)
              .regex(SAFE_RETURN_TO, 'một đường dẫn trên trang này, bắt đầu bằng / / a path on this site, from /')
              .refine(isSafeReturnTo, 'một đường dẫn trên trang này / a path on this site')
              .optional(),
          }),
          response: { 302: redirect, ...problems(400, 404, 429, 500, 503) },
        },
      },
      async (req, reply) => {
        const { authorizationUrl, browserKey } = await signIn().begin(
          deps.sql,
          req.params.provider,
          req.query.returnTo ?? '/',
        );
        return reply
          .header('set-cookie', browserCookie(browserKey, secure, OIDC_LOGIN_MINUTES * 60))
          .header('cache-control', 'no-store')
          .redirect(authorizationUrl.href, 302);
      },
    );

    app.get(
      '/auth/oidc/:provider/callback',
      {
        config: { rateLimit },
        schema: {
          summary: 'Where the provider sends the browser back: opens a session cookie and redirects (302)',
          description:
            'Checks the provider’s answer (state used once, PKCE, the ID token’s signature by the provider’s JWKS, ' +
            'issuer, audience, expiry, nonce), finds the account linked to the identity (issuer, subject), sets the ' +
            '`ocop_session` cookie as POST /auth/login does and redirects to the login’s `returnTo`. A bad or used ' +
            'state answers 400; an identity linked to no account, a disabled account or one with no grant 403.',
          tags: ['sign-in'],
          params: providerParams,
          querystring: z.looseObject({
            code: z.string().max(2048).optional(),
            state: z.string().max(512).optional(),
            iss: z.string().max(2048).optional(),
            error: z.string().max(256).optional(),
            error_description: z.string().max(2048).optional(),
          }),
          response: { 302: redirect, ...problems(400, 401, 403, 404, 429, 500, 503) },
        },
      },
      async (req, reply) => {
        const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
        const identity = await signIn().complete(
          deps.sql,
          req.params.provider,
          query,
          browserKeyOf(req.headers.cookie),
        );
        const account = await findAccountByExternalIdentity(deps.sql, identity.issuer, identity.subject);
        if (!account || account.kind !== 'person') {
          req.log.info(
            { issuer: identity.issuer, subject: identity.subject },
            'single sign-on of an unlinked identity',
          );
          throw refused(
            403,
            'oidc_identity_unlinked',
            'Danh tính đăng nhập một lần này chưa được liên kết với tài khoản nào; nhờ quản trị viên liên kết.',
            'This single sign-on identity is linked to no account; ask an admin to link it.',
          );
        }
        if (account.status !== 'active') {
          throw refused(403, 'account_disabled', 'Tài khoản đã bị khoá.', 'The account is disabled.');
        }
        const now = new Date();
        const grants = grantsInForce(account, now.toISOString());
        if (grants.length === 0) {
          throw refused(
            403,
            'no_grant',
            'Tài khoản chưa có quyền nào có hiệu lực; liên hệ quản trị viên.',
            'The account holds no grant in force; ask an admin.',
          );
        }
        const chosen = grants.find((g) => g.role !== 'admin') ?? grants[0]!;
        const opened = await openSession(deps.sql, {
          accountId: account.accountId,
          grantId: chosen.grantId,
          // Only the provider's word counts as a second factor here: no TOTP code was asked.
          mfa: identity.mfa,
          policy,
          now,
        });
        req.log.info({ accountId: account.accountId, provider: req.params.provider }, 'signed in (single sign-on)');
        return reply
          .header('set-cookie', [
            sessionCookie(opened.sessionId, {
              secure,
              maxAgeSeconds: (Date.parse(opened.expiresAt) - now.getTime()) / 1000,
            }),
            browserCookie('', secure, 0),
          ])
          .header('cache-control', 'no-store')
          .redirect(identity.returnTo, 302);
      },
    );
  };
