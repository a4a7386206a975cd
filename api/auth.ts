import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { USER_ROLES, type Actor } from '../domain';

/** The roles a bearer token may carry (never `system`, the workflow's own). */
export { USER_ROLES, type UserRole } from '../domain';
import { textFault } from '../domain/text';

/** A claim that becomes the actor of recorded events: nothing the records cannot hold or should not show. */
const claim = (max: number) =>
  z
    .string()
    .max(max)
    .superRefine((s, ctx) => {
      const fault = textFault(s);
      if (fault) ctx.addIssue({ code: 'custom', message: fault });
    });

export const principalSchema = z.object({
  sub: claim(128).min(1),
  role: z.enum(USER_ROLES),
  /** Commune or province GSO code, `MINISTRY`, or `VN` (nationwide, for auditors and admins). */
  jurisdiction: claim(64).min(1),
  name: claim(200).optional(),
});
export type Principal = z.infer<typeof principalSchema>;

/** The issuer every token names, dev tokens and machine tokens alike. */
export const ISSUER = 'ocop-cycle';
/** The audience every bearer token must name: tokens minted for another service are refused here. */
export const AUDIENCE = 'ocop-cycle-api';

/** Thrown when a request carries no valid bearer token; the API answers 401. */
export class AuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

export function actorOf(principal: Principal): Actor {
  return { userId: principal.sub, role: principal.role, office: principal.jurisdiction };
}

/** How long a token may live and how far its clock may be off: every token must carry `exp`, `iat` and `aud`. */
export interface TokenPolicy {
  /** The longest lifetime (`exp` − `iat`) accepted, in seconds. @default 86400 (24 h) */
  maxLifetimeSeconds?: number;
  /** How far `iat` may lie in the future, and `exp` in the past, in seconds. @default 60 */
  clockSkewSeconds?: number;
}

const DAY = 24 * 3600;

/**
 * The time claims of a verified token, checked against the policy: `iat` present and not ahead of the clock by more
 * than the skew, `exp` present and at most the maximum lifetime after `iat`. Throws AuthenticationError.
 */
export function checkTokenTimes(payload: { iat?: number; exp?: number }, policy: TokenPolicy = {}, now = Date.now()) {
  const skew = policy.clockSkewSeconds ?? 60;
  const max = policy.maxLifetimeSeconds ?? DAY;
  const seconds = Math.floor(now / 1000);
  if (typeof payload.exp !== 'number')
    throw new AuthenticationError(
      'Mã truy cập thiếu thời hạn (exp); mọi mã phải hết hạn. / Token has no exp (every token must expire).',
    );
  if (typeof payload.iat !== 'number')
    throw new AuthenticationError('Mã truy cập thiếu thời điểm cấp (iat). / Token has no iat.');
  if (payload.iat > seconds + skew)
    throw new AuthenticationError(
      'Thời điểm cấp (iat) của mã truy cập nằm ở tương lai. / Token iat lies in the future.',
    );
  if (payload.exp - payload.iat > max) {
    throw new AuthenticationError(
      `Mã truy cập có thời hạn quá ${max} giây. / Token lifetime exceeds ${max} s (exp − iat = ${payload.exp - payload.iat} s).`,
    );
  }
  if (payload.exp + skew < seconds) throw new AuthenticationError('Mã truy cập đã hết hạn. / Token has expired.');
}

/**
 * A development token (HS256, shared secret): accepted only when the server runs in development mode
 * (api/app.ts is given a `jwtSecret`). Tests sign with it.
 */
export async function signToken(
  secret: string,
  principal: Principal,
  expiresIn: string | number = '8h',
): Promise<string> {
  return new SignJWT({ role: principal.role, jurisdiction: principal.jurisdiction, name: principal.name })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(principal.sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/** The bearer token of an Authorization header, or AuthenticationError. */
export function bearerOf(header: string | undefined): string {
  if (!header)
    throw new AuthenticationError('Thiếu tiêu đề Authorization: Bearer <mã>. / Missing Authorization: Bearer <token>.');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1])
    throw new AuthenticationError(
      'Tiêu đề Authorization phải có dạng "Bearer <mã>". / Authorization must be "Bearer <token>".',
    );
  return match[1];
}

/** The principal a verified token's claims name, or AuthenticationError. */
export function principalOfClaims(payload: unknown): Principal {
  const parsed = principalSchema.safeParse(payload);
  if (!parsed.success) {
    const claims = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
    throw new AuthenticationError(
      `Mã truy cập thiếu vai trò hoặc địa bàn hợp lệ (${claims}). / Token lacks a valid role or jurisdiction (${claims}).`,
    );
  }
  return parsed.data;
}

export async function verifyAuthorization(
  secret: string,
  header: string | undefined,
  policy: TokenPolicy = {},
): Promise<Principal> {
  const token = bearerOf(header);
  let payload: { iat?: number; exp?: number };
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: policy.clockSkewSeconds ?? 60,
    }));
  } catch (err) {
    throw new AuthenticationError(
      `Mã truy cập không hợp lệ. / Invalid token: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  checkTokenTimes(payload, policy);
  return principalOfClaims(payload);
}

/** The request's authenticated caller; throws AuthenticationError (401) when the token is missing or invalid. */
export function principalOf(req: { principal: Principal | null; authError: AuthenticationError | null }): Principal {
  if (req.principal) return req.principal;
  throw (
    req.authError ??
    new AuthenticationError('Thiếu tiêu đề Authorization: Bearer <mã>. / Missing Authorization: Bearer <token>.')
  );
}

/** A hook for route plugins whose every route needs a caller: 401 comes before any validation of the request. */
export async function requireCaller(req: {
  principal: Principal | null;
  authError: AuthenticationError | null;
}): Promise<void> {
  principalOf(req);
}
