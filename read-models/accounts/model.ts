import {
  ACCOUNT_STREAM_PREFIX,
  accountIdOfStream,
  evolveAccount,
  noAccount,
  type Account,
  type AccountEvent,
  type AccountState,
  type MachineToken,
} from '../../domain/accounts';
import type { Sql, TransactionSql } from '../../db';
import type { ProjectedEvent, ReadModel } from '../read-model';

/*
 * The read model of the accounts: one `accounts` row per account stream (`account/<id>`), the domain's own fold, one
 * `account_identities` row per single sign-on identity linked to it, and one `machine_tokens` row per machine token
 * issued to it (never the token itself).
 */

export interface AccountFold {
  streamId: string;
  version: number;
  account: AccountState;
}

/** A row of `accounts` as read (PostgreSQL answers instants as dates). */
export interface StoredAccountRow {
  account_id: string;
  username: string;
  name: string;
  kind: Account['kind'];
  home_jurisdiction: string;
  status: Account['status'];
  created_at: Date;
  grants: Account['grants'];
  subject_links: Account['subjectLinks'];
  password_set_at: Date | null;
  totp_enrolled: boolean;
  version: number;
}

const hasAccount = (f: AccountFold): f is AccountFold & { account: Account } => f.account.status !== 'none';

/** A row of `machine_tokens` as read. */
export interface StoredMachineTokenRow {
  jti: string;
  account_id: string;
  grant_id: string;
  kid: string;
  label: string;
  issued_at: Date;
  expires_at: Date;
  issued_by: string;
  revoked_at: Date | null;
  revoked_by: string | null;
  revoked_why: string | null;
}

export const machineTokenOfRow = (r: StoredMachineTokenRow): MachineToken => ({
  jti: r.jti,
  grantId: r.grant_id,
  kid: r.kid,
  label: r.label,
  issuedAt: r.issued_at.toISOString(),
  expiresAt: r.expires_at.toISOString(),
  issuedBy: r.issued_by,
  revokedAt: r.revoked_at?.toISOString() ?? null,
  revokedBy: r.revoked_by,
  revokedWhy: r.revoked_why,
});

/** An account as its row holds it; its machine tokens are in their own table (`machineTokenOfRow`). */
export function accountOfRow(
  r: StoredAccountRow,
  identities: Account['externalIdentities'] = [],
): Omit<Account, 'machineTokens'> & {
  version: number;
} {
  return {
    accountId: r.account_id,
    username: r.username,
    name: r.name,
    kind: r.kind,
    homeJurisdiction: r.home_jurisdiction,
    status: r.status,
    createdAt: r.created_at.toISOString(),
    grants: r.grants,
    subjectLinks: r.subject_links,
    passwordSetAt: r.password_set_at?.toISOString() ?? null,
    totpEnrolled: r.totp_enrolled,
    externalIdentities: identities,
    version: r.version,
  };
}

async function upsertAccounts(tx: TransactionSql, folds: readonly AccountFold[]): Promise<void> {
  const written = folds.filter(hasAccount);
  if (written.length === 0) return;
  const rows = written.map(({ account: a, version }) => ({
    account_id: a.accountId,
    username: a.username,
    name: a.name,
    kind: a.kind,
    home_jurisdiction: a.homeJurisdiction,
    status: a.status,
    created_at: a.createdAt,
    grants: tx.json(a.grants as never),
    subject_links: tx.json(a.subjectLinks as never),
    password_set_at: a.passwordSetAt,
    totp_enrolled: a.totpEnrolled,
    version,
  }));
  await tx`
    INSERT INTO accounts ${tx(rows)}
    ON CONFLICT (account_id) DO UPDATE SET name = excluded.name, status = excluded.status, grants = excluded.grants,
      subject_links = excluded.subject_links, password_set_at = excluded.password_set_at,
      totp_enrolled = excluded.totp_enrolled, version = excluded.version`;
  const identities = written.flatMap(({ account: a }) =>
    a.externalIdentities.map((x) => ({ issuer: x.issuer, subject: x.subject, account_id: a.accountId })),
  );
  if (identities.length > 0) {
    await tx`INSERT INTO account_identities ${tx(identities)} ON CONFLICT (issuer, subject) DO NOTHING`;
  }
  const tokens = written.flatMap(({ account: a }) =>
    a.machineTokens.map((t) => ({
      jti: t.jti,
      account_id: a.accountId,
      grant_id: t.grantId,
      kid: t.kid,
      label: t.label,
      issued_at: t.issuedAt,
      expires_at: t.expiresAt,
      issued_by: t.issuedBy,
      revoked_at: t.revokedAt,
      revoked_by: t.revokedBy,
      revoked_why: t.revokedWhy,
    })),
  );
  if (tokens.length > 0) {
    await tx`
      INSERT INTO machine_tokens ${tx(tokens)}
      ON CONFLICT (jti) DO UPDATE SET revoked_at = excluded.revoked_at, revoked_by = excluded.revoked_by,
        revoked_why = excluded.revoked_why`;
  }
}

export const accountsModel: ReadModel<AccountFold> = {
  name: 'accounts',
  tables: ['machine_tokens', 'account_identities', 'accounts'],
  owns: (streamId) => streamId.startsWith(ACCOUNT_STREAM_PREFIX),
  empty: (streamId) => ({ streamId, version: 0, account: noAccount(accountIdOfStream(streamId)) }),
  apply: (f, event: ProjectedEvent) => ({
    streamId: f.streamId,
    version: event.streamPosition,
    account: evolveAccount(f.account, { type: event.type, data: event.data } as AccountEvent, event.occurredAt),
  }),
  hasRows: hasAccount,
  async load(tx, streamId) {
    const accountId = accountIdOfStream(streamId);
    const [row] = await tx<StoredAccountRow[]>`SELECT * FROM accounts WHERE account_id = ${accountId}`;
    if (!row) return null;
    const ids = await tx<{ issuer: string; subject: string }[]>`
      SELECT issuer, subject FROM account_identities WHERE account_id = ${accountId} ORDER BY issuer, subject`;
    const tokens = await tx<StoredMachineTokenRow[]>`
      SELECT * FROM machine_tokens WHERE account_id = ${accountId} ORDER BY issued_at, jti`;
    const { version, ...account } = accountOfRow(row, [...ids]);
    return { streamId, version, account: { ...account, machineTokens: tokens.map(machineTokenOfRow) } };
  },
  write: (tx, _before, after) => upsertAccounts(tx, [after]),
  writeAll: upsertAccounts,
  async version(sql: Sql | TransactionSql, streamId) {
    const [row] = await sql<{ version: number }[]>`
      SELECT version FROM accounts WHERE account_id = ${accountIdOfStream(streamId)}`;
    return row?.version ?? null;
  },
  async versions(sql) {
    const rows = await sql<{ id: string; version: number }[]>`SELECT account_id AS id, version FROM accounts`;
    return rows.map((r) => [`${ACCOUNT_STREAM_PREFIX}${r.id}`, r.version] as const);
  },
};
