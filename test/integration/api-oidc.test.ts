/**
 * Single sign-on through a real OpenID Connect provider (`oidc-provider`, started here on a loopback port): the
 * browser goes to the provider and back, the callback opens the same session cookie as POST /auth/login for the
 * account linked to the identity (issuer, subject), and that session acts. A state used twice, altered, expired or
 * brought back by another browser, an identity linked to no account (even with a linked account's e-mail), a
 * disabled account, an absolute returnTo and an unknown provider are each refused and open no session.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken } from '../../api/auth';
import { OidcSignIn } from '../../api/oidc';
import { createLogger } from '../../config/logger';
import { consumePendingLogin, insertPendingLogin } from '../../db/oidc-logins';
import { createTestAccount } from '../support/accounts';
import { followToCallback, startOidcProvider, type TestOidcProvider } from '../support/oidc-provider';
import { startHarness, type Harness } from './harness';

const secret = 'oidc-secret-oidc-secret-oidc-secret-0123';
const PUBLIC_URL = 'https://ocop.test';
const COMMUNE = '05443';
let h: Harness;
let op: TestOidcProvider;
let app: Awaited<ReturnType<typeof buildApp>>;
const providerSetting = () => ({
  id: 'test',
  name: 'Cổng đăng nhập thử nghiệm',
  issuer: op.issuer,
  clientId: op.clientId,
  clientSecret: op.clientSecret,
  scopes: ['profile', 'email'],
});
const run = Date.now().toString(36);
let n = 0;

beforeAll(async () => {
  op = await startOidcProvider({ redirectUris: [`${PUBLIC_URL}/auth/oidc/test/callback`] });
  h = await startHarness('api-oidc');
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
    rateLimit: 100_000,
    loginRateLimit: 100_000,
    oidc: new OidcSignIn({
      publicUrl: PUBLIC_URL,
      providers: [providerSetting()],
    }),
  });
});
afterAll(async () => {
  await app?.close();
  await h?.stop();
  await op?.close();
});

const adminToken = () => signToken(secret, { sub: 'oidc-admin-vn', role: 'admin', jurisdiction: 'VN' });
async function adminPost(url: string, payload: object) {
  const res = await app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${await adminToken()}`, 'idempotency-key': `oidc-adm-${run}-${(n += 1)}` },
    payload,
  });
  if (res.statusCode >= 300) throw new Error(`${url} answered ${res.statusCode}: ${res.body}`);
  return res;
}

/** A person account linked to a provider user of its own (subject), who signs in next at the provider. */
async function linkedPerson(
  label: string,
  o: { role?: 'commune_officer' | 'admin'; amr?: string[]; email?: string } = {},
) {
  const account = await createTestAccount(h.sql, {
    username: `${label}-${run}`,
    grants: [{ role: o.role ?? 'commune_officer', jurisdiction: o.role === 'admin' ? 'VN' : COMMUNE }],
  });
  const sub = `sub-${label}-${run}`;
  op.users.set(sub, { sub, name: `Người ${label}`, email: o.email ?? `${label}-${run}@example.vn`, amr: o.amr });
  await adminPost(`/accounts/${account.accountId}/external-identities`, {
    issuer: op.issuer,
    subject: sub,
    reason: 'liên kết đăng nhập một lần / single sign-on linked',
  });
  op.signInAs(sub);
  return { account, sub };
}

const browserCookieOf = (setCookie: unknown) => String(setCookie).split(';')[0]!;
const setCookies = (headers: Record<string, unknown>): string[] => {
  const v = headers['set-cookie'];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((c) => `${c as string}`);
};

/** GET /auth/oidc/test/login, then the provider's pages as a browser: the callback URL and the browser's cookie. */
async function toCallback(returnTo?: string, through = app) {
  const login = await through.inject({
    method: 'GET',
    url: `/auth/oidc/test/login${returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`,
  });
  expect(login.statusCode, login.body).toBe(302);
  const location = new URL(String(login.headers.location));
  const callback = await followToCallback(location.href, `${PUBLIC_URL}/auth/oidc/test/callback`);
  return { login, location, callback, cookie: browserCookieOf(login.headers['set-cookie']) };
}

const callbackRequest = (callback: URL, cookie: string | null, path = callback.pathname) =>
  app.inject({
    method: 'GET',
    url: `${path}${callback.search}`,
    headers: cookie === null ? {} : { cookie },
  });

const sessionCookieIn = (headers: Record<string, unknown>) =>
  setCookies(headers)
    .find((c) => c.startsWith('ocop_session=') && !c.startsWith('ocop_session=;'))
    ?.split(';')[0];

describe('single sign-on through a real OpenID Connect provider', () => {
  it('lists the providers by id and Vietnamese name, no token needed', async () => {
    const res = await app.inject({ method: 'GET', url: '/auth/oidc/providers' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ providers: [{ id: 'test', name: 'Cổng đăng nhập thử nghiệm' }] });
  });

  it('signs in with code + PKCE + state + nonce, opens a session that reads and writes in its jurisdiction', async () => {
    const { account } = await linkedPerson('officer');
    const { login, location, callback, cookie } = await toCallback('/products?mine=1');
    expect(location.origin).toBe(op.issuer);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/auth/oidc/test/callback`);
    expect(location.searchParams.get('state')).toMatch(/^[\w-]{40,}$/);
    expect(location.searchParams.get('nonce')).toMatch(/^[\w-]{40,}$/);
    expect(location.searchParams.get('scope')).toBe('openid profile email');
    expect(String(login.headers['set-cookie'])).toMatch(
      /^ocop_oidc_login=[\w-]{40,}; Path=\/auth\/oidc; HttpOnly; SameSite=Lax; Secure; Max-Age=600$/,
    );
    expect(callback.searchParams.get('code')).toBeTruthy();

    const done = await callbackRequest(callback, cookie);
    expect(done.statusCode, done.body).toBe(302);
    expect(done.headers.location).toBe('/products?mine=1');
    const session = sessionCookieIn(done.headers);
    expect(setCookies(done.headers).find((c) => c.startsWith('ocop_session='))).toMatch(
      /; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=\d+$/,
    );
    expect(session).toBeDefined();

    const me = await app.inject({ method: 'GET', url: '/auth/session', headers: { cookie: session! } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      account: { accountId: account.accountId, username: account.username },
      grant: { role: 'commune_officer', jurisdiction: COMMUNE },
      mfa: false,
      cannotAct: null,
    });
    const csrf = me.json().csrfToken as string;
    const registered = await app.inject({
      method: 'POST',
      url: '/products',
      headers: { cookie: session!, 'x-csrf-token': csrf, 'idempotency-key': `oidc-reg-${run}` },
      payload: {
        subjectId: `HTX-OIDC-${run}`,
        subjectName: 'HTX chè Tân Cương',
        productName: 'Chè búp Tân Cương',
        productSetCode: 'tea',
        provinceCode: '19',
        communeCode: COMMUNE,
      },
    });
    expect(registered.statusCode, registered.body).toBe(201);
    const productId = registered.json().productId as string;
    const read = await app.inject({ method: 'GET', url: `/products/${productId}`, headers: { cookie: session! } });
    expect(read.statusCode).toBe(200);
    const events = await h.sql<{ actor_user: string }[]>`
      SELECT actor_user FROM events WHERE stream_id = ${productId} ORDER BY stream_position LIMIT 1`;
    expect(events[0]?.actor_user).toBe(account.accountId);
  });

  it('refuses a callback replayed, and a tampered state, without opening a session', async () => {
    await linkedPerson('replay');
    const { callback, cookie } = await toCallback();

    const tampered = new URL(callback);
    const state = tampered.searchParams.get('state')!;
    tampered.searchParams.set('state', `${state.slice(0, -2)}${state.endsWith('AA') ? 'BB' : 'AA'}`);
    const altered = await callbackRequest(tampered, cookie);
    expect(altered.statusCode).toBe(400);
    expect(altered.json()).toMatchObject({ code: 'oidc_state_invalid' });
    expect(altered.json().detail).toMatch(/^Phiên đăng nhập một lần không hợp lệ.* \/ The single sign-on state/);
    expect(sessionCookieIn(altered.headers)).toBeUndefined();

    // The real state still works once (the tampered one consumed nothing) ...
    const first = await callbackRequest(callback, cookie);
    expect(first.statusCode, first.body).toBe(302);
    expect(first.headers.location).toBe('/');
    // ... and only once.
    const again = await callbackRequest(callback, cookie);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 'oidc_state_invalid' });
    expect(sessionCookieIn(again.headers)).toBeUndefined();
  });

  it('refuses a callback brought back by another browser (no login cookie), and one past its ten minutes', async () => {
    await linkedPerson('browser');
    const other = await toCallback();
    const res = await callbackRequest(other.callback, null);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'oidc_browser_mismatch' });
    expect(sessionCookieIn(res.headers)).toBeUndefined();

    await linkedPerson('late');
    const late = await toCallback();
    const stateHash = createHash('sha256').update(late.callback.searchParams.get('state')!).digest('hex');
    await h.sql`UPDATE oidc_logins SET expires_at = now() - interval '1 second' WHERE state_hash = ${stateHash}`;
    const expired = await callbackRequest(late.callback, late.cookie);
    expect(expired.statusCode).toBe(400);
    expect(expired.json()).toMatchObject({ code: 'oidc_login_expired' });
    expect(sessionCookieIn(expired.headers)).toBeUndefined();
  });

  it('refuses an identity linked to no account, even one with a linked account’s e-mail', async () => {
    const email = `shared-${run}@example.vn`;
    await linkedPerson('linked-mail', { email });
    const stranger = `sub-stranger-${run}`;
    op.users.set(stranger, { sub: stranger, name: 'Người lạ', email });
    op.signInAs(stranger);
    const { callback, cookie } = await toCallback();
    const res = await callbackRequest(callback, cookie);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'oidc_identity_unlinked' });
    expect(res.json().detail).toMatch(/chưa được liên kết .* \/ This single sign-on identity is linked to no account/);
    expect(sessionCookieIn(res.headers)).toBeUndefined();
  });

  it('refuses a disabled account', async () => {
    const { account } = await linkedPerson('disabled');
    await adminPost(`/accounts/${account.accountId}/disable`, { reason: 'nghỉ việc / left the office' });
    const { callback, cookie } = await toCallback();
    const res = await callbackRequest(callback, cookie);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'account_disabled' });
    expect(sessionCookieIn(res.headers)).toBeUndefined();
  });

  it('answers the provider’s refusal (the person cancelled) as 401, with no session', async () => {
    op.signInAs('no-such-user');
    const { callback, cookie } = await toCallback();
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const res = await callbackRequest(callback, cookie);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'oidc_provider_refused' });
    expect(sessionCookieIn(res.headers)).toBeUndefined();
  });

  it('counts an admin grant’s second factor only when the provider reports one (amr mfa)', async () => {
    await linkedPerson('admin-pwd', { role: 'admin', amr: ['pwd'] });
    const one = await toCallback();
    const single = await callbackRequest(one.callback, one.cookie);
    expect(single.statusCode, single.body).toBe(302);
    const weak = await app.inject({
      method: 'GET',
      url: '/auth/session',
      headers: { cookie: sessionCookieIn(single.headers)! },
    });
    expect(weak.json()).toMatchObject({ mfa: false, grant: { role: 'admin' } });
    expect(weak.json().cannotAct).toMatch(/xác thực hai lớp/);
    const listWeak = await app.inject({
      method: 'GET',
      url: '/accounts',
      headers: { cookie: sessionCookieIn(single.headers)! },
    });
    expect(listWeak.statusCode).toBe(401);

    await linkedPerson('admin-mfa', { role: 'admin', amr: ['pwd', 'otp', 'mfa'] });
    const two = await toCallback();
    const multi = await callbackRequest(two.callback, two.cookie);
    expect(multi.statusCode, multi.body).toBe(302);
    const strong = await app.inject({
      method: 'GET',
      url: '/auth/session',
      headers: { cookie: sessionCookieIn(multi.headers)! },
    });
    expect(strong.json()).toMatchObject({ mfa: true, cannotAct: null, grant: { role: 'admin' } });
    const list = await app.inject({
      method: 'GET',
      url: '/accounts',
      headers: { cookie: sessionCookieIn(multi.headers)! },
    });
    expect(list.statusCode).toBe(200);
  });

  it('refuses a returnTo that leaves the site (open redirect), before going to the provider', async () => {
    for (const returnTo of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
      'evil.example',
      '/\r\nSet-Cookie: x=1',
    ]) {
      const res = await app.inject({
        method: 'GET',
        url: `/auth/oidc/test/login?returnTo=${encodeURIComponent(returnTo)}`,
      });
      expect(res.statusCode, returnTo).toBe(400);
      expect(res.json().errors?.[0]?.field, returnTo).toBe('querystring.returnTo');
      expect(res.headers.location, returnTo).toBeUndefined();
      expect(res.headers['set-cookie'], returnTo).toBeUndefined();
    }
  });

  it('refuses an ID token whose signature the provider’s published keys (JWKS) do not verify', async () => {
    await linkedPerson('forged');
    op.publishOtherKeys(true);
    // An instance that has not fetched the provider's keys yet (each keeps them once fetched).
    const fresh = await buildApp({
      sql: h.sql,
      temporal: h.client,
      taskQueue: h.taskQueue,
      log: createLogger('silent'),
      oidc: new OidcSignIn({ publicUrl: PUBLIC_URL, providers: [providerSetting()] }),
    });
    try {
      const { callback, cookie } = await toCallback(undefined, fresh);
      const res = await fresh.inject({
        method: 'GET',
        url: `${callback.pathname}${callback.search}`,
        headers: { cookie },
      });
      expect(res.statusCode, res.body).toBe(401);
      expect(res.json()).toMatchObject({ code: 'oidc_token_invalid' });
      expect(sessionCookieIn(res.headers)).toBeUndefined();
    } finally {
      op.publishOtherKeys(false);
      await fresh.close();
    }
    // The same person, the keys published as they are, signs in.
    op.signInAs(`sub-forged-${run}`);
    const { callback, cookie } = await toCallback();
    expect((await callbackRequest(callback, cookie)).statusCode).toBe(302);
  });

  it('lets the application role record a pending login, consume it once and clear old ones (migration 014)', async () => {
    const stateHash = createHash('sha256').update(`grant-check-${run}`).digest('hex');
    await h.sql.begin(async (tx) => {
      await tx`SET LOCAL ROLE ocop_app`;
      const now = new Date();
      await insertPendingLogin(tx, {
        stateHash,
        browserKeyHash: stateHash,
        providerId: 'test',
        nonce: 'n',
        codeVerifier: 'v',
        returnTo: '/',
        createdAt: now,
        expiresAt: new Date(now.getTime() + 60_000),
      });
      expect(await consumePendingLogin(tx, stateHash, now)).toMatchObject({ providerId: 'test', returnTo: '/' });
      expect(await consumePendingLogin(tx, stateHash, now)).toBeNull();
    });
  });

  it('answers 404 for an unknown provider, at login and at the callback', async () => {
    for (const url of ['/auth/oidc/nope/login', '/auth/oidc/nope/callback?code=x&state=y']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ code: 'oidc_provider_unknown' });
    }
  });
});
