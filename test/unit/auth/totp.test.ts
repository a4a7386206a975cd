import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, matchTotp, otpauthUri, totpCode, totpStep } from '../../../api/totp';

// RFC 6238, appendix B: the SHA-1 key "12345678901234567890"; its 8-digit codes end in the 6 digits apps show.
const RFC_KEY = base32Encode(Buffer.from('12345678901234567890'));
const VECTORS: [number, string][] = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
  [20000000000, '353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('the code at %i s is %s', (seconds, code) => {
    expect(totpCode(RFC_KEY, totpStep(seconds * 1000))).toBe(code);
  });

  it('accepts a code one step either side of the clock, and nothing further or malformed', () => {
    const at = 1111111109 * 1000;
    const step = totpStep(at);
    expect(matchTotp(RFC_KEY, totpCode(RFC_KEY, step - 1), at)).toBe(step - 1);
    expect(matchTotp(RFC_KEY, totpCode(RFC_KEY, step + 1), at)).toBe(step + 1);
    expect(matchTotp(RFC_KEY, totpCode(RFC_KEY, step + 2), at)).toBeNull();
    expect(matchTotp(RFC_KEY, '12345', at)).toBeNull();
    expect(matchTotp(RFC_KEY, '12345a', at)).toBeNull();
  });

  it('base32 round-trips and the otpauth URI names the account and the issuer', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255, 7]);
    expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
    expect(otpauthUri('ABC', 'nguyen.van.a')).toBe(
      'otpauth://totp/OCOP%3Anguyen.van.a?secret=ABC&issuer=OCOP&algorithm=SHA1&digits=6&period=30',
    );
  });
});
