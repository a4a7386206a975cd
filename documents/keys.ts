import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentKeys, type DocumentKeys } from './token';

export interface DocumentKeySettings {
  DOCUMENT_SIGNING_KEY?: string | undefined;
  DOCUMENT_SIGNING_KEY_FILE?: string | undefined;
  DOCUMENT_PREVIOUS_PUBLIC_KEYS_FILE?: string | undefined;
  OCOP_DATA_DIR: string;
  NODE_ENV?: string | undefined;
}

/** Thrown in production when no document signing key is configured. */
export class MissingDocumentKeyError extends Error {
  constructor() {
    super(
      'Chế độ production cần khoá ký văn bản DOCUMENT_SIGNING_KEY hoặc DOCUMENT_SIGNING_KEY_FILE. / Production needs ' +
        'a document signing key: DOCUMENT_SIGNING_KEY or DOCUMENT_SIGNING_KEY_FILE.',
    );
    this.name = 'MissingDocumentKeyError';
  }
}

/**
 * The Ed25519 key that signs certificates' QR tokens: DOCUMENT_SIGNING_KEY (PKCS8 PEM) or the file
 * DOCUMENT_SIGNING_KEY_FILE names; in development, one generated at first use and kept under OCOP_DATA_DIR (as the
 * audit signing key). Production refuses a missing key. DOCUMENT_PREVIOUS_PUBLIC_KEYS_FILE holds the public PEM
 * blocks of rotated keys: tokens they signed still verify.
 */
export function loadDocumentKeys(config: DocumentKeySettings): DocumentKeys {
  let pem: string;
  if (config.DOCUMENT_SIGNING_KEY) pem = config.DOCUMENT_SIGNING_KEY;
  else if (config.DOCUMENT_SIGNING_KEY_FILE) pem = readFileSync(config.DOCUMENT_SIGNING_KEY_FILE, 'utf8');
  else if (config.NODE_ENV === 'production') throw new MissingDocumentKeyError();
  else {
    const file = join(config.OCOP_DATA_DIR, 'dev-document-signing-key.pem');
    if (!existsSync(file)) {
      mkdirSync(config.OCOP_DATA_DIR, { recursive: true });
      const { privateKey } = generateKeyPairSync('ed25519');
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    }
    pem = readFileSync(file, 'utf8');
  }
  const previous: KeyObject[] = [];
  if (config.DOCUMENT_PREVIOUS_PUBLIC_KEYS_FILE) {
    const text = readFileSync(config.DOCUMENT_PREVIOUS_PUBLIC_KEYS_FILE, 'utf8');
    for (const block of text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? []) {
      previous.push(createPublicKey(block));
    }
  }
  return documentKeys(createPrivateKey(pem), previous);
}
