import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './index';

/**
 * The key that signs bearer tokens: AUTH_JWT_SECRET when set; otherwise, for a local installation, one generated
 * at first start and kept under OCOP_DATA_DIR, so tokens from `npm run dev-token` stay valid across restarts.
 */
export function jwtSecret(config: Config): string {
  if (config.AUTH_JWT_SECRET) return config.AUTH_JWT_SECRET;
  const file = join(config.OCOP_DATA_DIR, 'dev-jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(config.OCOP_DATA_DIR, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

/**
 * The Ed25519 key that signs audit export bundles: the PEM file named by AUDIT_SIGNING_KEY_FILE when set; otherwise,
 * for a local installation, one generated at first use and kept under OCOP_DATA_DIR. Auditors verify bundles with
 * the public half, which every bundle carries with its fingerprint.
 */
export function auditSigningKey(config: Config): KeyObject {
  const file = config.AUDIT_SIGNING_KEY_FILE ?? join(config.OCOP_DATA_DIR, 'dev-audit-signing-key.pem');
  if (!config.AUDIT_SIGNING_KEY_FILE && !existsSync(file)) {
    mkdirSync(config.OCOP_DATA_DIR, { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  const key = createPrivateKey(readFileSync(file, 'utf8'));
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(
      `AUDIT_SIGNING_KEY_FILE ${file} holds a ${key.asymmetricKeyType ?? 'non-asymmetric'} key, not Ed25519`,
    );
  }
  return key;
}
