import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

/*
 * Password hashing with Argon2id, Node 24's own (`crypto.argon2`, no native package). Parameters are OWASP's first
 * recommendation for Argon2id: 19 MiB of memory, 2 passes, 1 lane, a 16-byte random salt and a 32-byte tag
 * (about 30–60 ms on one core here). They are stored with each hash as a PHC string, so they can be raised later and
 * old hashes still verify.
 */

const argon2Async = promisify(argon2);

export const ARGON2_PARAMETERS = { memory: 19_456, passes: 2, parallelism: 1, tagLength: 32, saltLength: 16 } as const;

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

async function derive(
  password: string,
  salt: Buffer,
  p: { memory: number; passes: number; parallelism: number; tagLength: number },
) {
  return argon2Async('argon2id', {
    message: Buffer.from(password.normalize('NFC'), 'utf8'),
    nonce: salt,
    memory: p.memory,
    passes: p.passes,
    parallelism: p.parallelism,
    tagLength: p.tagLength,
  });
}

/** `$argon2id$v=19$m=…,t=…,p=…$<salt>$<tag>` of a password. */
export async function hashPassword(password: string): Promise<string> {
  const p = ARGON2_PARAMETERS;
  const salt = randomBytes(p.saltLength);
  const tag = await derive(password, salt, p);
  return `$argon2id$v=19$m=${p.memory},t=${p.passes},p=${p.parallelism}$${b64(salt)}$${b64(tag)}`;
}

/** Whether a password matches a stored PHC string (false for a string that is none). Constant-time comparison. */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(phc);
  if (!m) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  const tag = await derive(password, Buffer.from(m[4]!, 'base64'), {
    memory: Number(m[1]),
    passes: Number(m[2]),
    parallelism: Number(m[3]),
    tagLength: expected.length,
  });
  return tag.length === expected.length && timingSafeEqual(tag, expected);
}

/** A hash to verify against when there is no account, so an unknown username costs as much as a wrong password. */
let decoy: Promise<string> | null = null;
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword(randomBytes(16).toString('hex')));

/** A password for a first admin or a reset: 20 characters from a 56-letter alphabet without look-alikes. */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(40);
  let out = '';
  for (const b of bytes) {
    if (b < 224) out += alphabet[b % alphabet.length];
    if (out.length === 20) break;
  }
  return out.length === 20 ? out : generatePassword();
}
