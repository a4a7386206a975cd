import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from './index';

/**
 * The key that signs bearer tokens: AUTH_JWT_SECRET when set; otherwise, for a local installation, one generated
 * at first start and kept under OCOP_DATA_DIR, so tokens from `npm run dev-token` stay valid across restarts.
 */
export function jwtSecret(config: Config): string {
  if (config.AUTH_JWT_SECRET) return config.AUTH_JWT_SECRET;
  if (isProduction(config)) throw new ProductionConfigError(productionRefusals(config));
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
  if (!config.AUDIT_SIGNING_KEY_FILE && isProduction(config))
    throw new ProductionConfigError(productionRefusals(config));
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

/** Whether this installation runs in production mode (NODE_ENV=production). */
export const isProduction = (config: Config): boolean => config.NODE_ENV === 'production';

/** Whether HS256 dev tokens are accepted: in development unless AUTH_DEV_TOKENS=off. */
export const devTokensEnabled = (config: Config): boolean =>
  config.AUTH_DEV_TOKENS === 'on' || (config.AUTH_DEV_TOKENS === undefined && !isProduction(config));

/** Secrets that are published or were used as examples: never a production secret. */
const DEFAULT_SECRETS = new Set(['change-me', 'changeme', 'secret', 'development-secret', 'dev-secret']);

/**
 * What production mode refuses, one entry per variable, in Vietnamese and English: dev tokens, the dev JWT secret
 * generated under OCOP_DATA_DIR, a missing or default AUTH_JWT_SECRET, the generated audit signing key and a missing
 * document signing key.
 */
export function productionRefusals(config: Config): { variable: string; message: string }[] {
  if (!isProduction(config)) return [];
  const refusals: { variable: string; message: string }[] = [];
  const devSecretFile = join(config.OCOP_DATA_DIR, 'dev-jwt-secret');
  const devSecret = existsSync(devSecretFile) ? readFileSync(devSecretFile, 'utf8').trim() : null;
  if (config.AUTH_DEV_TOKENS === 'on') {
    refusals.push({
      variable: 'AUTH_DEV_TOKENS',
      message:
        'chế độ production không chấp nhận token thử nghiệm (dev token); bỏ AUTH_DEV_TOKENS=on. / production refuses ' +
        'dev tokens; remove AUTH_DEV_TOKENS=on.',
    });
  }
  if (!config.AUTH_JWT_SECRET) {
    refusals.push({
      variable: 'AUTH_JWT_SECRET',
      message:
        'chưa đặt; production không dùng khoá sinh tự động trong OCOP_DATA_DIR. Đặt một chuỗi ngẫu nhiên ≥ 32 ký tự. / ' +
        'not set; production never uses the key generated under OCOP_DATA_DIR. Set a random string of ≥ 32 characters.',
    });
  } else if (DEFAULT_SECRETS.has(config.AUTH_JWT_SECRET.toLowerCase()) || /^(.)\1+$/.test(config.AUTH_JWT_SECRET)) {
    refusals.push({
      variable: 'AUTH_JWT_SECRET',
      message: 'là giá trị mặc định/ví dụ, không phải bí mật. / is a default or example value, not a secret.',
    });
  } else if (config.AUTH_JWT_SECRET === devSecret) {
    refusals.push({
      variable: 'AUTH_JWT_SECRET',
      message: `trùng khoá thử nghiệm sinh tự động ở ${devSecretFile}. / equals the dev key generated at ${devSecretFile}.`,
    });
  }
  const generatedAuditKey = join(config.OCOP_DATA_DIR, 'dev-audit-signing-key.pem');
  if (!config.AUDIT_SIGNING_KEY_FILE || resolve(config.AUDIT_SIGNING_KEY_FILE) === resolve(generatedAuditKey)) {
    refusals.push({
      variable: 'AUDIT_SIGNING_KEY_FILE',
      message:
        'chưa đặt (hoặc là khoá sinh tự động trong OCOP_DATA_DIR); production cần khoá Ed25519 riêng (PEM). / not set ' +
        '(or the key generated under OCOP_DATA_DIR); production needs its own Ed25519 key (PEM).',
    });
  }
  if (!config.DOCUMENT_SIGNING_KEY && !config.DOCUMENT_SIGNING_KEY_FILE) {
    refusals.push({
      variable: 'DOCUMENT_SIGNING_KEY_FILE',
      message:
        'chưa đặt; production cần khoá Ed25519 riêng ký mã QR của giấy chứng nhận (DOCUMENT_SIGNING_KEY hoặc ' +
        'DOCUMENT_SIGNING_KEY_FILE). / not set; production needs its own Ed25519 key for certificates’ QR codes ' +
        '(DOCUMENT_SIGNING_KEY or DOCUMENT_SIGNING_KEY_FILE).',
    });
  }
  return refusals;
}

/** Thrown when production mode meets a development secret; names every variable. */
export class ProductionConfigError extends Error {
  constructor(readonly refusals: { variable: string; message: string }[]) {
    super(
      `Cấu hình không dùng được ở chế độ production / Configuration refused in production (NODE_ENV=production):\n` +
        refusals.map((r) => `  ${r.variable}: ${r.message}`).join('\n'),
    );
    this.name = 'ProductionConfigError';
  }
}

/** Throws ProductionConfigError when production mode meets a development secret. */
export function assertProductionReady(config: Config): void {
  const refusals = productionRefusals(config);
  if (refusals.length > 0) throw new ProductionConfigError(refusals);
}
