import { randomBytes } from 'node:crypto';
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
