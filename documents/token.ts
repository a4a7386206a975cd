import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/**
 * The compact signed token a certificate's QR code carries: a JWS in compact serialisation (RFC 7515) with
 * `alg: EdDSA` (Ed25519) and the signing key's `kid`, so any JOSE library verifies it offline with the keys that
 * GET /public/keys publishes. Short claim names keep the QR code small.
 */
export const documentClaimsSchema = z.strictObject({
  /** Certificate number (số giấy chứng nhận). */
  n: z.string().min(1).max(64),
  /** Product id (the case). */
  p: z.string().min(1).max(128),
  /** Star (hạng sao), 3 to 5. */
  s: z.number().int().min(3).max(5),
  /** Issued on, YYYY-MM-DD. */
  i: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** Expires on, YYYY-MM-DD. */
  e: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** SHA-256 (hex) of the document's content. */
  h: z.string().regex(/^[0-9a-f]{64}$/),
});
export type DocumentClaims = z.infer<typeof documentClaimsSchema>;

const headerSchema = z.strictObject({
  alg: z.literal('EdDSA'),
  kid: z.string().min(1).max(64),
  typ: z.string().optional(),
});

/** The signing key and every public key a token may be verified with (the current one and rotated ones). */
export interface DocumentKeys {
  signing: KeyObject;
  kid: string;
  /** kid → public key; holds the current key's public half too. */
  verifiers: ReadonlyMap<string, KeyObject>;
}

/** A key's id: the first 16 characters of the base64url SHA-256 of its raw 32-byte public key. */
export function kidOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const x = pub.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error('not an Ed25519 key');
  return createHash('sha256').update(Buffer.from(x, 'base64url')).digest('base64url').slice(0, 16);
}

/** The keys to publish: the signing key's public half and each previous public key, by kid. */
export function documentKeys(signing: KeyObject, previous: readonly KeyObject[] = []): DocumentKeys {
  if (signing.asymmetricKeyType !== 'ed25519') throw new Error('the document signing key must be Ed25519');
  const verifiers = new Map<string, KeyObject>();
  for (const k of previous) {
    if (k.asymmetricKeyType !== 'ed25519') throw new Error('a previous document key is not Ed25519');
    verifiers.set(kidOf(k), k);
  }
  const kid = kidOf(signing);
  verifiers.set(kid, createPublicKey(signing));
  return { signing, kid, verifiers };
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');

export function signDocumentToken(keys: Pick<DocumentKeys, 'signing' | 'kid'>, claims: DocumentClaims): string {
  const input = `${b64(JSON.stringify({ alg: 'EdDSA', kid: keys.kid }))}.${b64(JSON.stringify(documentClaimsSchema.parse(claims)))}`;
  return `${input}.${b64(sign(null, Buffer.from(input), keys.signing))}`;
}

/** Why a token is not genuine. */
export type TokenFault = 'malformed' | 'unknown_key' | 'bad_signature';

export type TokenCheck = { ok: true; claims: DocumentClaims; kid: string } | { ok: false; fault: TokenFault };

/** Checks a token's form and Ed25519 signature against the given public keys; never throws on bad input. */
export function verifyDocumentToken(token: string, keys: ReadonlyMap<string, KeyObject>): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) return { ok: false, fault: 'malformed' };
  const [h, p, s] = parts as [string, string, string];
  const json = (part: string): unknown => {
    try {
      return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
  };
  const header = headerSchema.safeParse(json(h));
  if (!header.success) return { ok: false, fault: 'malformed' };
  const key = keys.get(header.data.kid);
  if (!key) return { ok: false, fault: 'unknown_key' };
  const signature = Buffer.from(s, 'base64url');
  if (signature.length !== 64 || !verify(null, Buffer.from(`${h}.${p}`), key, signature)) {
    return { ok: false, fault: 'bad_signature' };
  }
  const claims = documentClaimsSchema.safeParse(json(p));
  if (!claims.success) return { ok: false, fault: 'malformed' };
  return { ok: true, claims: claims.data, kid: header.data.kid };
}

/** The public keys as a JWK Set (RFC 7517), for GET /public/keys. */
export function publicJwks(keys: ReadonlyMap<string, KeyObject>) {
  return {
    keys: [...keys].map(([kid, key]) => {
      const { x } = key.export({ format: 'jwk' });
      return { kty: 'OKP' as const, crv: 'Ed25519' as const, alg: 'EdDSA' as const, use: 'sig' as const, kid, x: x! };
    }),
  };
}
