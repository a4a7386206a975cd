import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';
import type { OidcProviderSetting } from '../config';
import type { Sql } from '../db';
import { consumePendingLogin, insertPendingLogin } from '../db/oidc-logins';
import { HttpProblem, problemTitle } from './problems';

/*
 * Single sign-on (đăng nhập một lần) through any standard OpenID Connect provider: the authorisation code flow with
 * PKCE (S256), state and nonce, the provider found by discovery from its issuer URL (openid-client). The ID token's
 * signature is checked against the provider's JWKS (openid-client's non-repudiation checks: without them it trusts
 * TLS alone for a token from the token endpoint), with its issuer, audience, expiry and nonce.
 *
 * What was sent is kept server-side as a pending login (oidc_logins), found by the state's SHA-256 and consumed once;
 * the browser that began it holds a key in a short cookie, so a callback URL taken elsewhere signs no one in. The
 * identity that comes back is the stable (issuer, subject): never the e-mail.
 */

/** How long a sign-in begun at a provider may take to come back. */
export const OIDC_LOGIN_MINUTES = 10;
/** The cookie binding a pending login to the browser that began it; only the OIDC paths see it. */
export const OIDC_BROWSER_COOKIE = 'ocop_oidc_login';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const refused = (status: number, code: string, vi: string, en: string, headers: Record<string, string> = {}) =>
  new HttpProblem(status, problemTitle(status, 'en'), { code, detail: `${vi} / ${en}` }, headers);

const stateInvalid = () =>
  refused(
    400,
    'oidc_state_invalid',
    'Phiên đăng nhập một lần không hợp lệ, đã dùng hoặc bị sửa; hãy đăng nhập lại từ đầu.',
    'The single sign-on state is unknown, used already or altered; start signing in again.',
  );

/**
 * A path on this site: one `/` first (not `//host`, not `/\host`, which browsers read as another host), no
 * backslash, no control character (browsers drop tabs and newlines, which would join `/` and `/host`). So the
 * OpenAPI document states the rule too.
 */
// eslint-disable-next-line no-control-regex -- control characters are what the pattern refuses
export const SAFE_RETURN_TO = /^\/(?![/\\])[^\\\x00-\x1f\x7f]*$/;

/** Whether `returnTo` is a path on this site; anything else would be an open redirect. */
export function isSafeReturnTo(returnTo: string): boolean {
  if (!SAFE_RETURN_TO.test(returnTo)) return false;
  const base = 'https://ocop.invalid';
  return new URL(returnTo, base).origin === base;
}

/** Who signed in at the provider, as its ID token says. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  /** The provider says the person passed more than one factor (`amr` holds `mfa`, RFC 8176). */
  mfa: boolean;
  returnTo: string;
}

export interface OidcSignInOptions {
  providers: readonly OidcProviderSetting[];
  /** The product's external base URL, without a trailing slash. */
  publicUrl: string;
  /** Milliseconds a request to a provider may take. @default 10000 */
  timeoutMs?: number;
}

/** The configured providers, their discovered metadata (fetched once, again after a failure), and the flow. */
export class OidcSignIn {
  readonly #providers: Map<string, OidcProviderSetting>;
  readonly #configurations = new Map<string, Promise<client.Configuration>>();

  constructor(private readonly options: OidcSignInOptions) {
    this.#providers = new Map(options.providers.map((p) => [p.id, p]));
  }

  /** The providers a sign-in page offers: id and Vietnamese name. */
  list(): { id: string; name: string }[] {
    return [...this.#providers.values()].map((p) => ({ id: p.id, name: p.name }));
  }

  /** Where the provider sends the browser back: registered with the provider as the client's redirect URI. */
  redirectUri(providerId: string): string {
    return `${this.options.publicUrl}/auth/oidc/${providerId}/callback`;
  }

  #provider(providerId: string): OidcProviderSetting {
    const p = this.#providers.get(providerId);
    if (!p) {
      throw refused(
        404,
        'oidc_provider_unknown',
        `Không có nhà cung cấp đăng nhập một lần "${providerId}".`,
        `No single sign-on provider "${providerId}".`,
      );
    }
    return p;
  }

  async #configuration(p: OidcProviderSetting): Promise<client.Configuration> {
    let found = this.#configurations.get(p.id);
    if (!found) {
      const insecure = new URL(p.issuer).protocol === 'http:';
      found = client.discovery(
        new URL(p.issuer),
        p.clientId,
        { client_secret: p.clientSecret },
        client.ClientSecretBasic(p.clientSecret),
        {
          timeout: (this.options.timeoutMs ?? 10_000) / 1000,
          execute: [client.enableNonRepudiationChecks, ...(insecure ? [client.allowInsecureRequests] : [])],
        },
      );
      this.#configurations.set(p.id, found);
      // A provider down now may answer later: a failed discovery is tried again by the next sign-in.
      found.catch(() => this.#configurations.delete(p.id));
    }
    try {
      return await found;
    } catch (err) {
      throw unreachable(p, err);
    }
  }

  /**
   * Begins a sign-in: records the pending login and answers the provider's authorisation URL, and the key the
   * browser must bring back (its cookie).
   */
  async begin(
    sql: Sql,
    providerId: string,
    returnTo: string,
    now = new Date(),
  ): Promise<{ authorizationUrl: URL; browserKey: string }> {
    const p = this.#provider(providerId);
    const config = await this.#configuration(p);
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const browserKey = randomBytes(32).toString('base64url');
    await insertPendingLogin(sql, {
      stateHash: sha256(state),
      browserKeyHash: sha256(browserKey),
      providerId,
      nonce,
      codeVerifier,
      returnTo,
      createdAt: now,
      expiresAt: new Date(now.getTime() + OIDC_LOGIN_MINUTES * 60_000),
    });
    const scopes = new Set(['openid', ...(p.scopes ?? [])]);
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri(providerId),
      response_type: 'code',
      scope: [...scopes].join(' '),
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { authorizationUrl, browserKey };
  }

  /**
   * Completes a sign-in from the provider's answer (the callback's query string): the pending login is consumed, the
   * code exchanged with the PKCE verifier, the ID token checked (signature by the JWKS, issuer, audience, expiry,
   * nonce). Throws a 4xx HttpProblem for any answer that does not hold, 503 when the provider cannot be reached.
   */
  async complete(
    sql: Sql,
    providerId: string,
    query: string,
    browserKey: string | null,
    now = new Date(),
  ): Promise<OidcIdentity> {
    const p = this.#provider(providerId);
    const params = new URLSearchParams(query);
    const state = params.get('state');
    if (!state) throw stateInvalid();
    const pending = await consumePendingLogin(sql, sha256(state), now);
    if (!pending || pending.providerId !== providerId) throw stateInvalid();
    if (pending.expiresAt <= now) {
      throw refused(
        400,
        'oidc_login_expired',
        `Quá ${OIDC_LOGIN_MINUTES} phút kể từ khi bắt đầu đăng nhập; hãy đăng nhập lại.`,
        `More than ${OIDC_LOGIN_MINUTES} minutes since signing in began; sign in again.`,
      );
    }
    if (browserKey === null || !sameText(sha256(browserKey), pending.browserKeyHash)) {
      throw refused(
        400,
        'oidc_browser_mismatch',
        'Việc đăng nhập được bắt đầu ở trình duyệt khác (thiếu cookie ocop_oidc_login); hãy đăng nhập lại.',
        'Signing in was begun in another browser (no ocop_oidc_login cookie); sign in again.',
      );
    }
    const config = await this.#configuration(p);
    const callbackUrl = new URL(this.redirectUri(providerId));
    callbackUrl.search = params.toString();
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (err) {
      throw answerRefused(p, err);
    }
    if (!claims) throw answerRefused(p, new Error('no ID token'));
    const amr: unknown = claims.amr;
    return {
      issuer: claims.iss,
      subject: claims.sub,
      mfa: Array.isArray(amr) && amr.includes('mfa'),
      returnTo: pending.returnTo,
    };
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** fetch's own failure (no connection, a time-out): the network, not the provider's answer. */
function isNetworkFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return true;
  return err instanceof TypeError && !('code' in err);
}

function unreachable(p: OidcProviderSetting, err: unknown): HttpProblem {
  return refused(
    503,
    'oidc_provider_unreachable',
    `Không kết nối được nhà cung cấp đăng nhập ${p.name}; thử lại sau.`,
    `The sign-in provider ${p.id} cannot be reached (${err instanceof Error ? err.message : 'error'}); retry later.`,
    { 'retry-after': '30' },
  );
}

/** The provider's answer refused: its own error (the person cancelled, …), or a code or ID token that did not hold. */
function answerRefused(p: OidcProviderSetting, err: unknown): HttpProblem {
  if (err instanceof client.AuthorizationResponseError) {
    return refused(
      401,
      'oidc_provider_refused',
      `Nhà cung cấp ${p.name} không xác nhận việc đăng nhập (${err.error}).`,
      `The provider ${p.id} did not confirm the sign-in (${err.error}${err.error_description ? `: ${err.error_description}` : ''}).`,
    );
  }
  if (isNetworkFailure(err)) return unreachable(p, err);
  return refused(
    401,
    'oidc_token_invalid',
    `Không xác minh được kết quả đăng nhập từ ${p.name}; hãy đăng nhập lại.`,
    `The sign-in answer of ${p.id} does not hold (${err instanceof Error ? err.message : 'invalid'}); sign in again.`,
  );
}
