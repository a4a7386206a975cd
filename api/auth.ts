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

const ISSUER = 'ocop-cycle';

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

export async function signToken(secret: string, principal: Principal, expiresIn = '8h'): Promise<string> {
  return new SignJWT({ role: principal.role, jurisdiction: principal.jurisdiction, name: principal.name })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(principal.sub)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

export async function verifyAuthorization(secret: string, header: string | undefined): Promise<Principal> {
  if (!header) throw new AuthenticationError('missing Authorization: Bearer <token>');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new AuthenticationError('Authorization must be "Bearer <token>"');
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(match[1], new TextEncoder().encode(secret), {
      issuer: ISSUER,
      algorithms: ['HS256'],
    }));
  } catch (err) {
    throw new AuthenticationError(`invalid token: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = principalSchema.safeParse(payload);
  if (!parsed.success) {
    const claims = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
    throw new AuthenticationError(`token lacks a valid role or jurisdiction (${claims})`);
  }
  return parsed.data;
}

/** The request's authenticated caller; throws AuthenticationError (401) when the token is missing or invalid. */
export function principalOf(req: { principal: Principal | null; authError: AuthenticationError | null }): Principal {
  if (req.principal) return req.principal;
  throw req.authError ?? new AuthenticationError('missing Authorization: Bearer <token>');
}

/** A hook for route plugins whose every route needs a caller: 401 comes before any validation of the request. */
export async function requireCaller(req: {
  principal: Principal | null;
  authError: AuthenticationError | null;
}): Promise<void> {
  principalOf(req);
}
