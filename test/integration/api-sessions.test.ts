/**
 * Built-in sign-in and browser sessions, as a person uses them: a password (and a TOTP code for an admin) opens a
 * session cookie; writes carry its CSRF token; a wrong password five times locks the username; signing out, an
 * admin's revocation, a disabled account or an ended grant stop the session at once; idle and absolute time-outs end
 * it; and every change to the account is an event auditors read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken } from '../../api/auth';
import { totpCode, totpStep } from '../../api/totp';
import { createLogger } from '../../config/logger';
import { createTestAccount, sessionHeaders, signIn, type SessionCredentials } from '../support/accounts';
import { startHarness, type Harness } from './harness';

const secret = 'sessions-secret-sessions-secret-0123456';
let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
const run = Date.now().toString(36);
let n = 0;
const user = (label: string) => `${label}-${run}`;

beforeAll(async () => {
  h = await startHarness('api-sessions');
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
    rateLimit: 100_000,
    loginRateLimit: 100_000,
  });
});
afterAll(async () => {
  await app?.close();
  await h?.stop();
});

const COMMUNE = '05443';
const registration = () => ({
  subjectId: `HTX-S-${run}-${(n += 1)}`,
  subjectName: 'HTX chè Tân Cương',
  productName: 'Chè búp Tân Cương',
  productSetCode: 'tea',
  provinceCode: '19',
  communeCode: COMMUNE,
});

async function register(s: SessionCredentials, o: { csrf?: boolean } = {}) {
  return app.inject({
    method: 'POST',
    url: '/products',
    headers: { ...sessionHeaders(s, o.csrf ?? true), 'idempotency-key': `sess-${run}-${(n += 1)}` },
    payload: registration(),
  });
}
const session = (s: SessionCredentials) =>
  app.inject({ method: 'GET', url: '/auth/session', headers: sessionHeaders(s) });
const login = (payload: object) => app.inject({ method: 'POST', url: '/auth/login', payload });
const adminToken = () => signToken(secret, { sub: 'sess-admin-vn', role: 'admin', jurisdiction: 'VN' });

async function adminPost(url: string, payload: object) {
  return app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${await adminToken()}`, 'idempotency-key': `sess-adm-${run}-${(n += 1)}` },
    payload,
  });
}

describe('built-in sign-in and sessions', () => {
  it('a password opens a Secure, HttpOnly, SameSite=Lax session that acts under its grant, writes need CSRF', async () => {
    const account = await createTestAccount(h.sql, {
      username: user('officer'),
      grants: [{ role: 'commune_officer', jurisdiction: COMMUNE }],
    });
    const s = await signIn(app, { username: account.username, password: account.password });
    expect(s.setCookie).toMatch(/^ocop_session=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=\d+$/);

    const me = await session(s);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      account: { accountId: account.accountId, username: account.username },
      grant: { role: 'commune_officer', jurisdiction: COMMUNE },
      mfa: false,
    });

    const refused = await register(s, { csrf: false });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'csrf_token_invalid' });
    expect(refused.json().detail).toMatch(/^Thiếu hoặc sai mã chống giả mạo/);

    const done = await register(s);
    expect(done.statusCode).toBe(201);
    const productId = done.json().productId as string;
    const read = await app.inject({ method: 'GET', url: `/products/${productId}`, headers: sessionHeaders(s) });
    expect(read.statusCode).toBe(200);
    // The case's event names the account as its actor: who did it is the person, not a shared token.
    const events = await h.sql<{ actor_user: string }[]>`
      SELECT actor_user FROM events WHERE stream_id = ${productId} ORDER BY stream_position LIMIT 1`;
    expect(events[0]?.actor_user).toBe(account.accountId);
  });

  it('a wrong password and an unknown username answer alike; five failures lock, a reset unlocks', async () => {
    const account = await createTestAccount(h.sql, {
      username: user('locked'),
      grants: [{ role: 'commune_officer', jurisdiction: COMMUNE }],
    });
    const unknown = await login({ username: user('nobody'), password: 'whatever-it-is' });
    const wrong = await login({ username: account.username, password: 'not-the-password' });
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json().detail).toBe(wrong.json().detail);
    expect(wrong.json().detail).toMatch(/^Tên đăng nhập hoặc mật khẩu không đúng/);

    for (let i = 0; i < 4; i += 1) {
      expect((await login({ username: account.username, password: `wrong-${i}` })).statusCode).toBe(401);
    }
    const locked = await login({ username: account.username, password: account.password });
    expect(locked.statusCode).toBe(423);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.json().detail).toMatch(/^Tài khoản tạm khoá sau 5 lần đăng nhập sai/);

    const reset = await adminPost(`/accounts/${account.accountId}/password`, {
      password: 'a-new-password-of-length',
      reason: 'người dùng quên mật khẩu',
    });
    expect(reset.statusCode).toBe(200);
    const again = await login({ username: account.username, password: 'a-new-password-of-length' });
    expect(again.statusCode).toBe(200);
  });

  it('signing out, an admin’s revocation, a disabled account and an ended grant stop a session at once', async () => {
    const account = await createTestAccount(h.sql, {
      username: user('revoked'),
      grants: [
        { role: 'commune_officer', jurisdiction: COMMUNE },
        { role: 'commune_officer', jurisdiction: '01840' },
      ],
    });
    const credentials = { username: account.username, password: account.password };

    const a = await signIn(app, credentials);
    const out = await app.inject({ method: 'POST', url: '/auth/logout', headers: sessionHeaders(a, true) });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
    expect((await session(a)).statusCode).toBe(401);

    const b = await signIn(app, credentials);
    const c = await signIn(app, credentials);
    // An auditor sees the account but does not manage it: 403; outside their province they do not see it: 404.
    for (const [jurisdiction, status] of [
      ['19', 403],
      ['33', 404],
    ] as const) {
      const auditor = await signToken(secret, { sub: `sess-auditor-${jurisdiction}`, role: 'auditor', jurisdiction });
      const refused = await app.inject({
        method: 'POST',
        url: `/accounts/${account.accountId}/sessions/revoke`,
        headers: { authorization: `Bearer ${auditor}` },
        payload: { reason: 'thử quyền' },
      });
      expect(refused.statusCode, refused.body).toBe(status);
    }
    expect((await session(b)).statusCode).toBe(200);
    const revoked = await adminPost(`/accounts/${account.accountId}/sessions/revoke`, { reason: 'máy bị mất' });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revoked).toBeGreaterThanOrEqual(2);
    for (const s of [b, c]) {
      const res = await register(s);
      expect(res.statusCode).toBe(401);
      expect(res.json().detail).toMatch(/^Phiên đăng nhập đã bị thu hồi/);
    }

    // An ended grant: the session acting under it cannot act; it switches to the other grant.
    const d = await signIn(app, { ...credentials, grantId: account.grantIds[0]! });
    const ended = await adminPost(`/accounts/${account.accountId}/grants/${account.grantIds[0]}/end`, {
      reason: 'chuyển công tác',
    });
    expect(ended.statusCode).toBe(200);
    // Ending a grant ends the account's sessions too; a new one acts under the grant left.
    expect((await register(d)).statusCode).toBe(401);
    const e = await signIn(app, credentials);
    expect((await session(e)).json().grant.jurisdiction).toBe('01840');

    const disabled = await adminPost(`/accounts/${account.accountId}/disable`, { reason: 'nghỉ việc' });
    expect(disabled.statusCode).toBe(200);
    expect((await session(e)).statusCode).toBe(401);
    const refused = await login(credentials);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('account_disabled');
  });

  it('an admin acts only after a second factor; a TOTP code works once; the account records it', async () => {
    const account = await createTestAccount(h.sql, {
      username: user('admin'),
      grants: [{ role: 'admin', jurisdiction: '19' }],
    });
    const credentials = { username: account.username, password: account.password };
    const s = await signIn(app, credentials);
    const list = await app.inject({ method: 'GET', url: '/accounts', headers: sessionHeaders(s) });
    expect(list.statusCode).toBe(401);
    expect(list.json().detail).toMatch(/^Quyền quản trị cần xác thực hai lớp/);

    const enrol = await app.inject({ method: 'POST', url: '/auth/totp/enrol', headers: sessionHeaders(s, true) });
    expect(enrol.statusCode).toBe(200);
    const { secret: key, otpauthUri } = enrol.json<{ secret: string; otpauthUri: string }>();
    expect(otpauthUri).toContain(`secret=${key}`);
    const wrong = await app.inject({
      method: 'POST',
      url: '/auth/totp/confirm',
      headers: sessionHeaders(s, true),
      payload: { code: totpCode(key, totpStep(Date.now()) + 5) },
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().errors[0].field).toBe('body.code');
    const confirmed = await app.inject({
      method: 'POST',
      url: '/auth/totp/confirm',
      headers: sessionHeaders(s, true),
      payload: { code: totpCode(key, totpStep(Date.now())) },
    });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json()).toMatchObject({ mfa: true, totpEnrolled: true, cannotAct: null });
    expect((await app.inject({ method: 'GET', url: '/accounts', headers: sessionHeaders(s) })).statusCode).toBe(200);

    const noCode = await login(credentials);
    expect(noCode.statusCode).toBe(401);
    expect(noCode.json().code).toBe('totp_required');
    // The code confirmed at enrolment is spent; the next step's code signs in, once.
    const next = totpCode(key, totpStep(Date.now()) + 1);
    expect((await login({ ...credentials, totp: next })).statusCode).toBe(200);
    const replay = await login({ ...credentials, totp: next });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('totp_invalid');

    const history = await app.inject({
      method: 'GET',
      url: `/accounts/${account.accountId}/history`,
      headers: { authorization: `Bearer ${await adminToken()}` },
    });
    expect(history.statusCode).toBe(200);
    const types = (history.json().events as { type: string; by: { userId: string } }[]).map((e) => [
      e.type,
      e.by.userId,
    ]);
    expect(types).toContainEqual(['TotpEnrolled', account.accountId]);
    expect(JSON.stringify(history.json())).not.toContain(key);
  });

  it('changing one’s own password ends the other sessions and is recorded as done by the person', async () => {
    const account = await createTestAccount(h.sql, {
      username: user('changer'),
      grants: [{ role: 'commune_officer', jurisdiction: COMMUNE }],
    });
    const credentials = { username: account.username, password: account.password };
    const here = await signIn(app, credentials);
    const there = await signIn(app, credentials);
    const change = (newPassword: string) =>
      app.inject({
        method: 'POST',
        url: '/auth/password',
        headers: sessionHeaders(here, true),
        payload: { currentPassword: account.password, newPassword },
      });
    const short = await change('short');
    expect(short.statusCode).toBe(400);
    expect(short.json().errors[0].field).toBe('body.newPassword');
    const changed = await change('my-own-new-password');
    expect(changed.statusCode).toBe(204);
    expect((await session(here)).statusCode).toBe(200);
    expect((await session(there)).statusCode).toBe(401);
    expect((await login(credentials)).statusCode).toBe(401);
    expect((await login({ ...credentials, password: 'my-own-new-password' })).statusCode).toBe(200);
    const history = await app.inject({
      method: 'GET',
      url: `/accounts/${account.accountId}/history`,
      headers: { authorization: `Bearer ${await adminToken()}` },
    });
    const sets = (history.json().events as { type: string; data: { by?: string }; by: { userId: string } }[]).filter(
      (e) => e.type === 'PasswordSet',
    );
    expect(sets.map((e) => [e.data.by, e.by.userId])).toContainEqual(['self', account.accountId]);
  });

  it('a session ends after its idle time-out and after its absolute time-out', async () => {
    const withPolicy = (sessionPolicy: { idleMinutes: number; maxHours: number }) =>
      buildApp({ sql: h.sql, temporal: h.client, taskQueue: h.taskQueue, log: createLogger('silent'), sessionPolicy });
    const short = await withPolicy({ idleMinutes: 0.02, maxHours: 1 });
    const absolute = await withPolicy({ idleMinutes: 30, maxHours: 0.0005 });
    try {
      const account = await createTestAccount(h.sql, {
        username: user('idle'),
        grants: [{ role: 'commune_officer', jurisdiction: COMMUNE }],
      });
      const credentials = { username: account.username, password: account.password };
      for (const [which, server] of [
        ['inactivity', short],
        ['expired', absolute],
      ] as const) {
        const s = await signIn(server, credentials);
        const get = () => server.inject({ method: 'GET', url: '/auth/session', headers: sessionHeaders(s) });
        expect((await get()).statusCode).toBe(200);
        await new Promise((r) => setTimeout(r, 2_500));
        const res = await get();
        expect(res.statusCode).toBe(401);
        expect(res.json().detail).toMatch(which === 'inactivity' ? /không hoạt động/ : /hết hạn/);
      }
    } finally {
      await short.close();
      await absolute.close();
    }
  });
});
