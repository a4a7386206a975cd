/**
 * Machine tokens, as an integration uses them: an admin who manages a machine account issues a token under one of
 * its grants (shown once), the machine reads and writes within the grant and nowhere else, and a revocation, a
 * disabled account, an ended grant or a retired key stop it at once. Keys rotate without cutting off tokens already
 * handed out; forged and over-long tokens are refused; every issue and revocation is in the account's audit trail.
 * The file works on a database of its own, so its signing keys are its own.
 */
import { execFile } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, SignJWT, base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { accountIdFor, derivedId, executeAccountCommand } from '../../api/accounts';
import { buildApp } from '../../api/app';
import { COMMAND_EXAMPLES } from '../../api/examples';
import { AUDIENCE, ISSUER, signToken, type Principal } from '../../api/auth';
import { ensureSigningKey, GRANT_CLAIM, rotateKeys } from '../../api/machine-tokens';
import { createLogger } from '../../config/logger';
import { createDatabase, dropDatabase, migrate } from '../../db';
import { listSigningKeys, retireSigningKey } from '../../db/signing-keys';
import type { UserRole } from '../../domain';
import { rebuildReadModels } from '../../read-models/registry';
import { startHarness, type Harness } from './harness';

const secret = 'machine-tokens-secret-machine-tokens-01';
const run = Date.now().toString(36);
let n = 0;
let h: Harness;
let databaseUrl: string;
let app: Awaited<ReturnType<typeof buildApp>>;
/** The same installation in production mode: no dev tokens. */
let prod: Awaited<ReturnType<typeof buildApp>>;

const COMMUNE = '05443'; // Thái Nguyên
const OTHER_COMMUNE = '01840';
const SYSTEM = { userId: 'test-setup', role: 'system', office: 'VN' } as const;
const ADMIN: Principal = { sub: 'mt-admin-vn', role: 'admin', jurisdiction: 'VN' };
const AUDITOR: Principal = { sub: 'mt-auditor-vn', role: 'auditor', jurisdiction: 'VN' };

beforeAll(async () => {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_machine_tokens_${run}`;
  databaseUrl = url.toString();
  await createDatabase(databaseUrl);
  await migrate(databaseUrl);
  h = await startHarness('api-machine-tokens', { databaseUrl });
  const deps = {
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    log: createLogger('silent'),
    rateLimit: 100_000,
  };
  app = await buildApp({ ...deps, jwtSecret: secret });
  prod = await buildApp({ ...deps, jwtSecret: undefined });
});
afterAll(async () => {
  await app?.close();
  await prod?.close();
  await h?.stop();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const devToken = (p: Principal) => signToken(secret, p);
const key = () => `mt-${run}-${(n += 1)}`;

/** A machine account with one grant per (role, jurisdiction), created as `npm start` creates the first admin. */
async function createMachine(label: string, grants: { role: UserRole; jurisdiction: string }[], home?: string) {
  const username = `${label}-${run}`;
  const accountId = accountIdFor(username);
  await executeAccountCommand(h.sql, {
    actor: SYSTEM,
    accountId,
    commandId: `create-${accountId}`,
    command: {
      type: 'CreateAccount',
      data: {
        username,
        name: `Máy ${label}`,
        homeJurisdiction: home ?? grants[0]!.jurisdiction,
        kind: 'machine',
        reason: 'máy thử nghiệm / test machine',
      },
    },
  });
  const grantIds: string[] = [];
  for (const [i, g] of grants.entries()) {
    const commandId = `grant-${accountId}-${i}`;
    const grantId = derivedId('G', commandId);
    await executeAccountCommand(h.sql, {
      actor: SYSTEM,
      accountId,
      commandId,
      command: { type: 'AddGrant', data: { ...g, grantId, reason: 'quyền thử nghiệm / test grant' } },
    });
    grantIds.push(grantId);
  }
  return { accountId, grantIds };
}

async function post(url: string, as: Principal, payload: object, idempotencyKey = key()) {
  return app.inject({
    method: 'POST',
    url,
    headers: { ...bearer(await devToken(as)), 'idempotency-key': idempotencyKey },
    payload,
  });
}

async function issue(accountId: string, grantId: string, o: { lifetimeSeconds?: number; as?: Principal } = {}) {
  const res = await post(`/accounts/${accountId}/machine-tokens`, o.as ?? ADMIN, {
    grantId,
    label: 'hệ thống một cửa tỉnh / provincial one-stop system',
    ...(o.lifetimeSeconds !== undefined ? { lifetimeSeconds: o.lifetimeSeconds } : {}),
  });
  return res;
}

async function issued(accountId: string, grantId: string, lifetimeSeconds?: number) {
  const res = await issue(accountId, grantId, lifetimeSeconds !== undefined ? { lifetimeSeconds } : {});
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ token: string; jti: string; kid: string; expiresAt: string; issuedAt: string }>();
}

const registration = () => ({
  subjectId: `HTX-MT-${run}-${(n += 1)}`,
  subjectName: 'HTX chè Tân Cương',
  productName: 'Chè búp Tân Cương',
  productSetCode: 'tea',
  provinceCode: '19',
  communeCode: COMMUNE,
});
const inbox = (a: typeof app, token: string) => a.inject({ method: 'GET', url: '/inbox', headers: bearer(token) });

describe('signing keys', () => {
  it('a fresh installation creates one current key, however many starts race for it', async () => {
    expect(await listSigningKeys(h.sql)).toEqual([]);
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => ensureSigningKey(h.sql)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.key.kid)).size).toBe(1);
    const keys = await listSigningKeys(h.sql);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ current: true, retiredAt: null });
    // The database itself holds no second current key.
    await expect(
      h.ownerSql`INSERT INTO signing_keys (kid, private_pem, public_jwk, current) VALUES ('x', 'x', '{}', true)`,
    ).rejects.toThrow(/signing_keys_one_current/);
  });

  it('the JWKS is public, cacheable for a short while and lists public halves only', async () => {
    const res = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const { keys } = res.json<{ keys: Record<string, string>[] }>();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
  });
});

describe('machine tokens', () => {
  it('an admin issues a token under a grant; the machine reads and writes within it, 404 outside', async () => {
    const m = await createMachine('one-stop', [{ role: 'commune_officer', jurisdiction: COMMUNE }]);
    const t = await issued(m.accountId, m.grantIds[0]!);
    const header = decodeProtectedHeader(t.token);
    const claims = decodeJwt(t.token);
    expect(header).toMatchObject({ alg: 'EdDSA', kid: t.kid });
    expect(claims).toMatchObject({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: m.accountId,
      jti: t.jti,
      [GRANT_CLAIM]: m.grantIds[0],
    });
    expect(claims.exp! - claims.iat!).toBe(30 * 86400);
    expect(new Date(claims.exp! * 1000).toISOString()).toBe(t.expiresAt);

    expect((await inbox(app, t.token)).statusCode).toBe(200);
    const created = await app.inject({
      method: 'POST',
      url: '/products',
      headers: { ...bearer(t.token), 'idempotency-key': key() },
      payload: registration(),
    });
    expect(created.statusCode, created.body).toBe(201);
    const productId = created.json().productId as string;
    const read = await app.inject({ method: 'GET', url: `/products/${productId}`, headers: bearer(t.token) });
    expect(read.statusCode).toBe(200);
    const [first] = await h.sql<{ actor_user: string; actor_role: string; actor_office: string }[]>`
      SELECT actor_user, actor_role, actor_office FROM events WHERE stream_id = ${productId}
      ORDER BY stream_position LIMIT 1`;
    expect(first).toMatchObject({ actor_user: m.accountId, actor_role: 'commune_officer', actor_office: COMMUNE });

    // A case of another commune is not there for it.
    const elsewhere = await app.inject({
      method: 'POST',
      url: '/products',
      headers: {
        ...bearer(await devToken({ sub: `mt-officer-${run}`, role: 'commune_officer', jurisdiction: OTHER_COMMUNE })),
        'idempotency-key': key(),
      },
      payload: { ...registration(), communeCode: OTHER_COMMUNE },
    });
    expect(elsewhere.statusCode, elsewhere.body).toBe(201);
    const other = elsewhere.json().productId as string;
    const hidden = await app.inject({ method: 'GET', url: `/products/${other}`, headers: bearer(t.token) });
    expect(hidden.statusCode).toBe(404);
    const act = await app.inject({
      method: 'POST',
      url: `/products/${other}/accept-idea`,
      headers: { ...bearer(t.token), 'idempotency-key': key() },
      payload: COMMAND_EXAMPLES.AcceptIdea,
    });
    expect(act.statusCode).toBe(404);
    // And a token works in production mode too, where dev tokens do not.
    expect((await inbox(prod, t.token)).statusCode).toBe(200);
  });

  it('the list never shows a token; a replay of the issue answers the same token; bounds are kept', async () => {
    const m = await createMachine('listed', [{ role: 'provincial_office', jurisdiction: '19' }]);
    const k = key();
    const body = { grantId: m.grantIds[0]!, label: 'báo cáo tỉnh', lifetimeSeconds: 3600 };
    const first = await post(`/accounts/${m.accountId}/machine-tokens`, ADMIN, body, k);
    const again = await post(`/accounts/${m.accountId}/machine-tokens`, ADMIN, body, k);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().token).toBe(first.json().token);
    const token = first.json().token as string;

    const list = await app.inject({
      method: 'GET',
      url: `/accounts/${m.accountId}/machine-tokens`,
      headers: bearer(await devToken(ADMIN)),
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(1);
    expect(list.json().items[0]).toMatchObject({ jti: first.json().jti, status: 'active', label: 'báo cáo tỉnh' });
    expect(list.json().items[0]).not.toHaveProperty('token');
    expect(list.body).not.toContain(token.split('.')[2]);
    const stored = await h.ownerSql`SELECT * FROM api_idempotency`;
    expect(JSON.stringify(stored)).not.toContain(token.split('.')[2]);

    const tooLong = await issue(m.accountId, m.grantIds[0]!, { lifetimeSeconds: 91 * 86400 });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().errors[0].field).toBe('body.lifetimeSeconds');
    const person = accountIdFor(`mt-person-${run}`);
    await executeAccountCommand(h.sql, {
      actor: SYSTEM,
      accountId: person,
      commandId: `create-${person}`,
      command: {
        type: 'CreateAccount',
        data: { username: `mt-person-${run}`, name: 'Người', homeJurisdiction: '19', reason: 'thử nghiệm' },
      },
    });
    const toPerson = await issue(person, m.grantIds[0]!);
    expect(toPerson.statusCode).toBe(422);
  });

  it('answers 404 outside the admin’s jurisdiction, 403 to one who sees the account but does not manage it', async () => {
    const m = await createMachine('province-home', [{ role: 'commune_officer', jurisdiction: COMMUNE }], '19');
    const outsider = await issue(m.accountId, m.grantIds[0]!, {
      as: { sub: `mt-admin-01-${run}`, role: 'admin', jurisdiction: '01' },
    });
    expect(outsider.statusCode).toBe(404);
    const communeAdmin: Principal = { sub: `mt-admin-c-${run}`, role: 'admin', jurisdiction: COMMUNE };
    const seen = await issue(m.accountId, m.grantIds[0]!, { as: communeAdmin });
    expect(seen.statusCode).toBe(403);
    const list = await app.inject({
      method: 'GET',
      url: `/accounts/${m.accountId}/machine-tokens`,
      headers: bearer(await devToken(communeAdmin)),
    });
    expect(list.statusCode).toBe(403);
    expect(list.json().detail).toMatch(/^Chỉ quản trị viên của 19/);
    const provincial = await issue(m.accountId, m.grantIds[0]!, {
      as: { sub: `mt-admin-19-${run}`, role: 'admin', jurisdiction: '19' },
    });
    expect(provincial.statusCode).toBe(201);
  });

  it('a revoked token, a disabled account and an ended grant answer 401 on the next request', async () => {
    const m = await createMachine('stopped', [
      { role: 'commune_officer', jurisdiction: COMMUNE },
      { role: 'commune_officer', jurisdiction: OTHER_COMMUNE },
    ]);
    const revoked = await issued(m.accountId, m.grantIds[0]!);
    const ended = await issued(m.accountId, m.grantIds[1]!);
    const kept = await issued(m.accountId, m.grantIds[0]!);
    expect((await inbox(app, revoked.token)).statusCode).toBe(200);

    const url = `/accounts/${m.accountId}/machine-tokens/${revoked.jti}/revoke`;
    const done = await post(url, ADMIN, { reason: 'máy bị thay thế' });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ status: 'revoked', revokedBy: ADMIN.sub, revokedWhy: 'máy bị thay thế' });
    const refused = await inbox(app, revoked.token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().detail).toMatch(/^Mã truy cập đã bị thu hồi/);
    expect((await post(url, ADMIN, { reason: 'lần nữa' })).statusCode).toBe(409);

    const end = await post(`/accounts/${m.accountId}/grants/${m.grantIds[1]}/end`, ADMIN, { reason: 'hết hợp đồng' });
    expect(end.statusCode).toBe(200);
    const endedAnswer = await inbox(app, ended.token);
    expect(endedAnswer.statusCode).toBe(401);
    expect(endedAnswer.json().detail).toMatch(/^Quyền mà mã truy cập dựa vào không còn hiệu lực/);
    expect((await inbox(app, kept.token)).statusCode).toBe(200);

    const disable = await post(`/accounts/${m.accountId}/disable`, ADMIN, { reason: 'máy bị lộ khoá' });
    expect(disable.statusCode).toBe(200);
    const disabled = await inbox(app, kept.token);
    expect(disabled.statusCode).toBe(401);
    expect(disabled.json().detail).toMatch(/^Tài khoản đã bị khoá/);
    expect((await post(`/accounts/${m.accountId}/enable`, ADMIN, { reason: 'đã xử lý' })).statusCode).toBe(200);
    expect((await inbox(app, kept.token)).statusCode).toBe(200);
  });

  it('rotation: old tokens verify until their key is retired; new ones carry the new kid', async () => {
    const m = await createMachine('rotated', [{ role: 'commune_officer', jurisdiction: COMMUNE }]);
    const old = await issued(m.accountId, m.grantIds[0]!);
    const rotated = await rotateKeys(h.sql);
    expect(rotated.kid).not.toBe(old.kid);
    expect((await inbox(app, old.token)).statusCode).toBe(200);
    const fresh = await issued(m.accountId, m.grantIds[0]!);
    expect(fresh.kid).toBe(rotated.kid);
    expect(decodeProtectedHeader(fresh.token).kid).toBe(rotated.kid);
    const jwks = async () =>
      (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' }))
        .json<{ keys: { kid: string }[] }>()
        .keys.map((k) => k.kid);
    expect(await jwks()).toEqual([rotated.kid, old.kid]);

    expect(await retireSigningKey(h.sql, rotated.kid)).toBe('current');
    expect(await retireSigningKey(h.sql, old.kid)).toBe('retired');
    const refused = await inbox(app, old.token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().detail).toMatch(/khoá không tồn tại hoặc đã ngừng dùng/);
    expect(await jwks()).toEqual([rotated.kid]);
    expect((await inbox(app, fresh.token)).statusCode).toBe(200);
  });

  it('refuses a forged token: alg none, HS256 keyed with the public key, another key under a real kid', async () => {
    const m = await createMachine('forged', [{ role: 'commune_officer', jurisdiction: COMMUNE }]);
    const real = await issued(m.accountId, m.grantIds[0]!);
    const [, payload] = real.token.split('.');
    const enc = (o: object) => base64url.encode(JSON.stringify(o));
    const none = `${enc({ alg: 'none', kid: real.kid, typ: 'JWT' })}.${payload}.`;
    const jwk = (await listSigningKeys(h.sql)).find((k) => k.kid === real.kid)!.publicJwk;
    const claims = decodeJwt(real.token);
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: real.kid })
      .sign(new TextEncoder().encode(JSON.stringify(jwk)));
    const hsX = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: real.kid })
      .sign(base64url.decode(String(jwk.x)));
    const { privateKey } = await import('node:crypto').then((c) => c.generateKeyPairSync('ed25519'));
    const otherKey = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: real.kid }).sign(privateKey);
    for (const forged of [none, hs, hsX, otherKey]) {
      expect((await inbox(app, forged)).statusCode).toBe(401);
      expect((await inbox(prod, forged)).statusCode).toBe(401);
    }
    // A dev token is refused in production mode, whatever it claims.
    const dev = await devToken({ sub: m.accountId, role: 'commune_officer', jurisdiction: COMMUNE });
    expect((await inbox(app, dev)).statusCode).toBe(200);
    const prodDev = await inbox(prod, dev);
    expect(prodDev.statusCode).toBe(401);
    expect(prodDev.json().detail).toMatch(/dev tokens are off/);
    expect((await inbox(app, real.token)).statusCode).toBe(200);
  });

  it('refuses a token whose lifetime exceeds the policy, even signed by a current key', async () => {
    const m = await createMachine('too-long', [{ role: 'commune_officer', jurisdiction: COMMUNE }]);
    const real = await issued(m.accountId, m.grantIds[0]!);
    const current = (await listSigningKeys(h.sql)).find((k) => k.current)!;
    const claims = decodeJwt(real.token);
    const long = await new SignJWT({ ...claims, exp: claims.iat! + 91 * 86400 })
      .setProtectedHeader({ alg: 'EdDSA', kid: current.kid })
      .sign(createPrivateKey(current.privatePem));
    const res = await inbox(app, long);
    expect(res.statusCode).toBe(401);
    expect(res.json().detail).toMatch(/^Mã truy cập có thời hạn quá 7776000 giây/);
    // A record's term is the token's: the same claims with another exp are not the token issued.
    const shorter = await new SignJWT({ ...claims, exp: claims.exp! - 60 })
      .setProtectedHeader({ alg: 'EdDSA', kid: current.kid })
      .sign(createPrivateKey(current.privatePem));
    expect((await inbox(app, shorter)).statusCode).toBe(401);
    // An installation with a shorter policy refuses a token longer than it.
    const strict = await buildApp({
      sql: h.sql,
      temporal: h.client,
      taskQueue: h.taskQueue,
      log: createLogger('silent'),
      machineTokenPolicy: { maxLifetimeSeconds: 86400 },
    });
    try {
      expect((await inbox(strict, real.token)).statusCode).toBe(401);
    } finally {
      await strict.close();
    }
  });

  it('every issue and revocation is an event of the account’s hash-chained stream, read by auditors', async () => {
    const m = await createMachine('audited', [{ role: 'commune_officer', jurisdiction: COMMUNE }]);
    const t = await issued(m.accountId, m.grantIds[0]!);
    await post(`/accounts/${m.accountId}/machine-tokens/${t.jti}/revoke`, ADMIN, { reason: 'kiểm tra kiểm toán' });
    const history = await app.inject({
      method: 'GET',
      url: `/accounts/${m.accountId}/history`,
      headers: bearer(await devToken(AUDITOR)),
    });
    expect(history.statusCode).toBe(200);
    const events = history.json().events as { type: string; data: Record<string, unknown>; by: { userId: string } }[];
    const issuedEvent = events.find((e) => e.type === 'MachineTokenIssued');
    const revokedEvent = events.find((e) => e.type === 'MachineTokenRevoked');
    expect(issuedEvent).toMatchObject({
      data: { jti: t.jti, grantId: m.grantIds[0], kid: t.kid, expiresAt: t.expiresAt, issuedBy: ADMIN.sub },
      by: { userId: ADMIN.sub },
    });
    expect(revokedEvent).toMatchObject({ data: { jti: t.jti, reason: 'kiểm tra kiểm toán' } });
    expect(history.body).not.toContain(t.token.split('.')[2]);
    const verification = await app.inject({
      method: 'GET',
      url: `/accounts/${m.accountId}/verification`,
      headers: bearer(await devToken(AUDITOR)),
    });
    expect(verification.statusCode).toBe(200);
    expect(verification.json()).toMatchObject({ ok: true });
    // An auditor lists the tokens too, and the list says which was revoked.
    const list = await app.inject({
      method: 'GET',
      url: `/accounts/${m.accountId}/machine-tokens`,
      headers: bearer(await devToken(AUDITOR)),
    });
    expect(list.json().items).toEqual([expect.objectContaining({ jti: t.jti, status: 'revoked' })]);
  });

  it('ocop keys lists, rotates and retires keys, in Vietnamese first, dates in Vietnam time', async () => {
    const m = await createMachine('cli', [{ role: 'commune_officer', jurisdiction: COMMUNE }]);
    const before = await issued(m.accountId, m.grantIds[0]!);
    const list = await ocop(['keys', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(`${before.kid}\t`);
    expect(list.stdout).toMatch(
      new RegExp(`${before.kid}\\t\\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2}\\t-\\tđang ký / current`),
    );

    const rotated = await ocop(['keys', 'rotate', '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const fresh = JSON.parse(rotated.stdout) as { kid: string; current: boolean; previous: string };
    expect(fresh).toMatchObject({ current: true, previous: before.kid });
    expect((await inbox(app, before.token)).statusCode).toBe(200);
    expect((await issued(m.accountId, m.grantIds[0]!)).kid).toBe(fresh.kid);

    const current = await ocop(['keys', 'retire', fresh.kid]);
    expect(current.code).toBe(1);
    expect(current.stderr).toMatch(/đang ký; chạy `ocop keys rotate` trước/);
    expect((await ocop(['keys', 'retire', 'no-such-kid'])).code).toBe(1);
    const retired = await ocop(['keys', 'retire', before.kid]);
    expect(retired.code, retired.stderr).toBe(0);
    expect(retired.stdout).toMatch(/^Đã ngừng khoá/);
    expect((await inbox(app, before.token)).statusCode).toBe(401);
    const json = JSON.parse((await ocop(['keys', 'list', '--json'])).stdout) as { kid: string; retiredAt: string }[];
    expect(json.find((k) => k.kid === before.kid)?.retiredAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
  it('the read model rebuild restores every machine token row for row, from the account events', async () => {
    const rows = () => h.sql`SELECT * FROM machine_tokens ORDER BY jti`;
    const before = await rows();
    expect(before.length).toBeGreaterThan(5);
    expect(before.some((r) => r.revoked_at !== null)).toBe(true);
    const result = await rebuildReadModels(h.sql);
    expect(result.rows.machine_tokens).toBe(before.length);
    expect(await rows()).toEqual(before);
  });
});

function ocop(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/ocop.ts', ...args],
      {
        cwd: join(import.meta.dirname, '..', '..'),
        env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'error' },
        timeout: 90_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}
