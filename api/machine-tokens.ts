import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  exportJWK,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWK,
} from 'jose';
import type { Sql } from '../db';
import {
  ensureCurrentKey,
  rotateSigningKey,
  verifyingKey,
  type NewSigningKey,
  type StoredSigningKey,
} from '../db/signing-keys';
import { grantsInForce, MACHINE_TOKEN_MAX_SECONDS, type MachineToken } from '../domain/accounts';
import { findMachineToken, getAccount } from '../read-models/accounts/queries';
import { AUDIENCE, AuthenticationError, checkTokenTimes, ISSUER, type Principal, type TokenPolicy } from './auth';

/*
 * Machine tokens (mã truy cập cho máy): JWTs signed with Ed25519 (EdDSA) by a key of the signing_keys table, each
 * naming its account (`sub`), its id (`jti`) and the grant it acts under (`grant_id`). The signature and the time
 * claims are checked first; then every request reads the token's record and its account, so a revoked token, a
 * disabled account or an ended grant stops it at once. The principal is the grant's role and jurisdiction: the token
 * itself carries neither, so nothing in it can widen what it may do.
 */

/** The algorithm of machine tokens; any other (HS256, none …) is a dev token or nothing. */
export const MACHINE_TOKEN_ALG = 'EdDSA';
/** The claim naming the grant a machine token acts under. */
export const GRANT_CLAIM = 'grant_id';

/** The policy machine tokens are checked against: up to 90 days (the longest the issuing route grants). */
export const DEFAULT_MACHINE_TOKEN_POLICY: TokenPolicy = { maxLifetimeSeconds: MACHINE_TOKEN_MAX_SECONDS };

/** A fresh Ed25519 key; its id is the RFC 7638 thumbprint of its public JWK. */
export async function newSigningKey(): Promise<NewSigningKey> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return {
    kid,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicJwk: { ...jwk, kid, alg: MACHINE_TOKEN_ALG, use: 'sig' },
  };
}

/** The current signing key, created on a fresh installation (idempotent, safe from concurrent starts). */
export async function ensureSigningKey(sql: Sql): Promise<{ key: StoredSigningKey; created: boolean }> {
  return ensureCurrentKey(sql, newSigningKey);
}

/** A new current key; tokens signed by the previous one verify until it is retired. */
export async function rotateKeys(sql: Sql): Promise<StoredSigningKey> {
  return rotateSigningKey(sql, await newSigningKey());
}

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * The token of a recorded machine token, signed by its key. Ed25519 signatures are deterministic, so signing the
 * same record again gives the same token (a replay of the issuing request answers what the first answered).
 */
export async function signMachineToken(
  key: Pick<StoredSigningKey, 'kid' | 'privatePem'>,
  accountId: string,
  token: Pick<MachineToken, 'jti' | 'grantId' | 'issuedAt' | 'expiresAt'>,
): Promise<string> {
  return new SignJWT({ [GRANT_CLAIM]: token.grantId })
    .setProtectedHeader({ alg: MACHINE_TOKEN_ALG, kid: key.kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(accountId)
    .setJti(token.jti)
    .setIssuedAt(seconds(token.issuedAt))
    .setExpirationTime(seconds(token.expiresAt))
    .sign(createPrivateKey(key.privatePem));
}

/** The `alg` of a token's protected header, or null when it has none readable. */
export function algorithmOf(token: string): string | null {
  try {
    const { alg } = decodeProtectedHeader(token);
    return typeof alg === 'string' ? alg : null;
  } catch {
    return null;
  }
}

const refused = (vi: string, en: string) => new AuthenticationError(`${vi} / ${en}`);

/** Public keys as imported, by kid: a key never changes under its kid (its thumbprint), so they may be kept. */
const imported = new Map<string, Awaited<ReturnType<typeof importJWK>>>();

async function publicKeyOf(sql: Sql, kid: string) {
  // Read every time: a retired key stops verifying at once, on every API instance.
  const jwk = await verifyingKey(sql, kid);
  if (!jwk) {
    throw refused(
      'Mã truy cập được ký bằng khoá không tồn tại hoặc đã ngừng dùng.',
      `The token's signing key (kid ${kid}) is unknown or retired.`,
    );
  }
  let key = imported.get(kid);
  if (!key) {
    key = await importJWK(jwk as JWK, MACHINE_TOKEN_ALG);
    imported.set(kid, key);
  }
  return key;
}

/**
 * The principal of a machine token, or AuthenticationError (401): signature by an unretired key, iss, aud, the time
 * claims under `policy`, then its record (known, not revoked, of this account and grant) and its account (active,
 * the grant in force).
 */
export async function verifyMachineToken(
  sql: Sql,
  token: string,
  policy: TokenPolicy = DEFAULT_MACHINE_TOKEN_POLICY,
  now = new Date(),
): Promise<Principal> {
  let kid: unknown;
  try {
    ({ kid } = decodeProtectedHeader(token));
  } catch {
    kid = undefined;
  }
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > 128) {
    throw refused('Mã truy cập cho máy thiếu kid.', 'A machine token must name its key (kid).');
  }
  const key = await publicKeyOf(sql, kid);
  let payload: { iat?: number; exp?: number; sub?: string; jti?: string; [GRANT_CLAIM]?: unknown };
  try {
    ({ payload } = await jwtVerify(token, key, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: [MACHINE_TOKEN_ALG],
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      clockTolerance: policy.clockSkewSeconds ?? 60,
      currentDate: now,
    }));
  } catch (err) {
    throw refused('Mã truy cập không hợp lệ.', `Invalid token: ${err instanceof Error ? err.message : String(err)}`);
  }
  checkTokenTimes(payload, { ...DEFAULT_MACHINE_TOKEN_POLICY, ...policy }, now.getTime());
  const record = await findMachineToken(sql, String(payload.jti));
  if (
    !record ||
    record.accountId !== payload.sub ||
    record.grantId !== payload[GRANT_CLAIM] ||
    record.kid !== kid ||
    seconds(record.expiresAt) !== payload.exp
  ) {
    throw refused('Mã truy cập cho máy không được cấp ở đây.', 'No such machine token was issued here.');
  }
  if (record.revokedAt !== null) throw refused('Mã truy cập đã bị thu hồi.', 'The token was revoked.');
  const account = await getAccount(sql, record.accountId);
  if (!account || account.status !== 'active') throw refused('Tài khoản đã bị khoá.', 'The account is disabled.');
  const grant = grantsInForce(account, now.toISOString()).find((g) => g.grantId === record.grantId);
  if (!grant) {
    throw refused(
      'Quyền mà mã truy cập dựa vào không còn hiệu lực.',
      'The grant the token acts under is no longer in force.',
    );
  }
  return { sub: account.accountId, role: grant.role, jurisdiction: grant.jurisdiction, name: account.name };
}
