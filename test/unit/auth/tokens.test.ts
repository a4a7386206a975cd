/**
 * Every bearer token carries exp, aud and a sane iat; HS256 dev tokens only in development mode; production refuses
 * dev tokens and generated or default secrets. The app is built with stand-ins for PostgreSQL and Temporal (as for
 * the OpenAPI document): a refused token is answered before any of them is touched.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../api/app';
import { AUDIENCE, signToken } from '../../../api/auth';
import { loadConfig } from '../../../config';
import { createLogger } from '../../../config/logger';
import { devTokensEnabled, productionRefusals } from '../../../config/secrets';
import type { Sql } from '../../../db';

const secret = 'unit-tokens-unit-tokens-unit-tokens-0123';
const YEAR = 365 * 86400;
let app: Awaited<ReturnType<typeof buildApp>>;
let devOff: Awaited<ReturnType<typeof buildApp>>;

const stand = {
  sql: (() => {
    throw new Error('no database in this test');
  }) as unknown as Sql,
  temporal: { workflow: {} } as unknown as Client,
  taskQueue: 'unit',
  log: createLogger('silent'),
};

beforeAll(async () => {
  app = await buildApp({ ...stand, jwtSecret: secret });
  devOff = await buildApp({ ...stand, jwtSecret: undefined });
});
afterAll(async () => {
  await app?.close();
  await devOff?.close();
});

const now = () => Math.floor(Date.now() / 1000);
/** A token signed with the right key, with the claims a caller chose. */
function forged(o: { exp?: number; iat?: number; aud?: string | null }) {
  let jwt = new SignJWT({ role: 'commune_officer', jurisdiction: '10507' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('tok-user')
    .setIssuer('ocop-cycle');
  if (o.aud !== null) jwt = jwt.setAudience(o.aud ?? AUDIENCE);
  if (o.iat !== undefined) jwt = jwt.setIssuedAt(o.iat);
  if (o.exp !== undefined) jwt = jwt.setExpirationTime(o.exp);
  return jwt.sign(new TextEncoder().encode(secret));
}

const ask = (a: typeof app, token: string) =>
  a.inject({ method: 'GET', url: '/inbox', headers: { authorization: `Bearer ${token}` } });

describe('bearer tokens', () => {
  it.each([
    ['no exp', { iat: now() }],
    ['a 100-year exp', { iat: now(), exp: now() + 100 * YEAR }],
    ['an iat a year ahead', { iat: now() + YEAR, exp: now() + YEAR + 3600 }],
    ['no iat', { exp: now() + 3600 }],
    ['no aud', { iat: now(), exp: now() + 3600, aud: null }],
    ['another audience', { iat: now(), exp: now() + 3600, aud: 'another-service' }],
    ['an exp past', { iat: now() - 7200, exp: now() - 3600 }],
  ])('a token with %s is refused with 401', async (_what, claims) => {
    const res = await ask(app, await forged(claims));
    expect(res.statusCode, res.body).toBe(401);
    expect(res.json<{ type: string }>().type).toMatch(/401/);
  });

  it('a token with exp, aud and iat in bounds is accepted', async () => {
    const res = await ask(app, await forged({ iat: now(), exp: now() + 3600 }));
    // Past authentication: the stand-in database is reached (500), not 401.
    expect(res.statusCode).not.toBe(401);
  });

  it('signToken makes such a token; a dev token is refused where dev tokens are off', async () => {
    const token = await signToken(secret, { sub: 'x', role: 'auditor', jurisdiction: 'VN' });
    expect((await ask(app, token)).statusCode).not.toBe(401);
    const res = await ask(devOff, token);
    expect(res.statusCode).toBe(401);
    expect(res.json<{ detail: string }>().detail).toMatch(/dev tokens are off/);
  });
});

describe('production mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocop-prod-'));
  const keyFile = join(dir, 'audit.pem');
  writeFileSync(keyFile, 'not read here');
  const good = {
    NODE_ENV: 'production',
    OCOP_DATA_DIR: dir,
    AUTH_JWT_SECRET: 'p'.repeat(20) + 'q'.repeat(20),
    AUDIT_SIGNING_KEY_FILE: keyFile,
    DOCUMENT_SIGNING_KEY_FILE: keyFile,
  };
  const variables = (env: Record<string, string>) => productionRefusals(loadConfig(env)).map((r) => r.variable);

  it('refuses a missing AUTH_JWT_SECRET, the generated audit key and no document key, naming each variable', () => {
    const refusals = productionRefusals(loadConfig({ NODE_ENV: 'production', OCOP_DATA_DIR: dir }));
    expect(refusals.map((r) => r.variable)).toEqual([
      'AUTH_JWT_SECRET',
      'AUDIT_SIGNING_KEY_FILE',
      'DOCUMENT_SIGNING_KEY_FILE',
    ]);
    for (const r of refusals) expect(r.message).toMatch(/ \/ /); // Vietnamese / English
  });

  it('refuses dev tokens, a default secret and the dev secret generated under OCOP_DATA_DIR', () => {
    expect(variables({ ...good, AUTH_DEV_TOKENS: 'on' })).toEqual(['AUTH_DEV_TOKENS']);
    expect(variables({ ...good, AUTH_JWT_SECRET: 'x'.repeat(40) })).toEqual(['AUTH_JWT_SECRET']);
    const generated = 'g'.repeat(10) + 'generated-dev-secret-0123456789';
    writeFileSync(join(dir, 'dev-jwt-secret'), generated);
    expect(variables({ ...good, AUTH_JWT_SECRET: generated })).toEqual(['AUTH_JWT_SECRET']);
    expect(variables({ ...good, AUDIT_SIGNING_KEY_FILE: join(dir, 'dev-audit-signing-key.pem') })).toEqual([
      'AUDIT_SIGNING_KEY_FILE',
    ]);
  });

  it('accepts its own secrets, and turns dev tokens off', () => {
    expect(variables(good)).toEqual([]);
    expect(devTokensEnabled(loadConfig(good))).toBe(false);
    expect(devTokensEnabled(loadConfig({}))).toBe(true);
    expect(devTokensEnabled(loadConfig({ AUTH_DEV_TOKENS: 'off' }))).toBe(false);
  });
});
