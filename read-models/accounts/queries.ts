import { z } from 'zod';
import type { Sql } from '../../db';
import { contains, NATIONWIDE, type Account, type MachineToken } from '../../domain/accounts';
import { communesOfProvince, provincesServedBy } from '../../domain/places';
import { USER_ROLES } from '../../domain';
import type { Viewer } from '../scope';
import { accountOfRow, machineTokenOfRow, type StoredAccountRow, type StoredMachineTokenRow } from './model';

/* The accounts as the API shows them (never a secret), who sees them, and the look-ups of sign-in. */

export const grantSchema = z
  .object({
    grantId: z.string(),
    role: z.enum(USER_ROLES),
    jurisdiction: z.string(),
    validFrom: z.string(),
    validUntil: z.string().nullable(),
    endedAt: z.string().nullable(),
    grantedBy: z.string(),
    reason: z.string(),
  })
  .meta({ id: 'Grant' });

export const accountSchema = z
  .object({
    accountId: z.string(),
    username: z.string(),
    name: z.string(),
    kind: z.enum(['person', 'machine']),
    homeJurisdiction: z.string(),
    status: z.enum(['active', 'disabled']),
    createdAt: z.string(),
    grants: z.array(grantSchema),
    subjectLinks: z.array(
      z.object({
        linkId: z.string(),
        subjectId: z.string(),
        subjectName: z.string(),
        communeCode: z.string(),
        registration: z.string().nullable(),
        status: z.enum(['requested', 'confirmed']),
        requestedAt: z.string(),
        confirmedAt: z.string().nullable(),
        confirmedBy: z.string().nullable(),
      }),
    ),
    passwordSetAt: z.string().nullable(),
    totpEnrolled: z.boolean(),
    externalIdentities: z.array(z.object({ issuer: z.string(), subject: z.string() })),
    version: z.number().int(),
  })
  .meta({ id: 'Account' });
export type AccountView = z.infer<typeof accountSchema>;

/** Admins and auditors see the accounts whose home, or one of whose grants, lies in their jurisdiction. */
export function seesAccount(user: Viewer, a: Pick<Account, 'homeJurisdiction' | 'grants' | 'accountId'>): boolean {
  if (user.sub === a.accountId) return true;
  if (user.role !== 'admin' && user.role !== 'auditor') return false;
  return (
    contains(user.jurisdiction, a.homeJurisdiction) || a.grants.some((g) => contains(user.jurisdiction, g.jurisdiction))
  );
}

async function withIdentities(sql: Sql, row: StoredAccountRow | undefined): Promise<AccountView | null> {
  if (!row) return null;
  const ids = await sql<{ issuer: string; subject: string }[]>`
    SELECT issuer, subject FROM account_identities WHERE account_id = ${row.account_id} ORDER BY issuer, subject`;
  return accountOfRow(row, [...ids]);
}

export async function getAccount(sql: Sql, accountId: string): Promise<AccountView | null> {
  const [row] = await sql<StoredAccountRow[]>`SELECT * FROM accounts WHERE account_id = ${accountId}`;
  return withIdentities(sql, row);
}

export async function findAccountByUsername(sql: Sql, username: string): Promise<AccountView | null> {
  const [row] = await sql<StoredAccountRow[]>`SELECT * FROM accounts WHERE username = ${username.toLowerCase()}`;
  return withIdentities(sql, row);
}

/** The account a single sign-on identity (OIDC issuer and subject) is linked to, or null. */
export async function findAccountByExternalIdentity(
  sql: Sql,
  issuer: string,
  subject: string,
): Promise<AccountView | null> {
  const [row] = await sql<StoredAccountRow[]>`
    SELECT a.* FROM accounts a JOIN account_identities i USING (account_id)
    WHERE i.issuer = ${issuer} AND i.subject = ${subject}`;
  return withIdentities(sql, row);
}

export async function countAccounts(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: string }[]>`SELECT count(*) AS n FROM accounts`;
  return Number(row?.n ?? 0);
}

/** The jurisdictions whose accounts an admin or auditor of `jurisdiction` lists: it and what lies inside. */
function jurisdictionsWithin(jurisdiction: string): string[] {
  const provinces = provincesServedBy(jurisdiction);
  const communes = provinces.flatMap((p) => {
    try {
      return communesOfProvince(p).map((c) => c.code);
    } catch {
      return [];
    }
  });
  return [jurisdiction, ...provinces, ...communes];
}

/** The accounts the user manages or audits, by username, a page at a time (after `after`). */
export async function listAccounts(
  sql: Sql,
  user: Viewer,
  page: { limit: number; after?: string | undefined },
): Promise<AccountView[]> {
  if (user.role !== 'admin' && user.role !== 'auditor') return [];
  const all = user.jurisdiction === NATIONWIDE;
  const within = all ? [] : jurisdictionsWithin(user.jurisdiction);
  const rows = await sql<StoredAccountRow[]>`
    SELECT * FROM accounts
    WHERE (${all} OR home_jurisdiction IN ${sql(within.length ? within : [''])}
      OR EXISTS (SELECT 1 FROM jsonb_array_elements(grants) g WHERE g->>'jurisdiction' IN ${sql(within.length ? within : [''])}))
      AND (${page.after ?? null}::text IS NULL OR username > ${page.after ?? null})
    ORDER BY username LIMIT ${page.limit}`;
  return Promise.all(rows.map((r) => withIdentities(sql, r) as Promise<AccountView>));
}

/** A machine token's record (never the token) with its account's id, or null. */
export async function findMachineToken(sql: Sql, jti: string): Promise<(MachineToken & { accountId: string }) | null> {
  const [row] = await sql<StoredMachineTokenRow[]>`SELECT * FROM machine_tokens WHERE jti = ${jti}`;
  return row ? { ...machineTokenOfRow(row), accountId: row.account_id } : null;
}

/** The machine tokens issued to an account, newest first. */
export async function listMachineTokens(sql: Sql, accountId: string): Promise<MachineToken[]> {
  const rows = await sql<StoredMachineTokenRow[]>`
    SELECT * FROM machine_tokens WHERE account_id = ${accountId} ORDER BY issued_at DESC, jti`;
  return rows.map(machineTokenOfRow);
}
