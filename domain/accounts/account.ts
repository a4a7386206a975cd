import type { UserRole } from '../case/actors';

/*
 * An account (tài khoản): a person or a machine client, and the grants it holds, each a role in one jurisdiction for
 * a period. Each account is a stream of the event store, `account/<accountId>`, hash-chained like a case; every
 * change carries who (the event's actor), when (its instant) and why (`reason`). Secrets (the password hash, the
 * TOTP key) are never events: they live in `account_credentials`, and the events say only that they changed.
 */

export const ACCOUNT_STREAM_PREFIX = 'account/';
export const accountStreamId = (accountId: string): string => `${ACCOUNT_STREAM_PREFIX}${accountId}`;
export const accountIdOfStream = (streamId: string): string => streamId.slice(ACCOUNT_STREAM_PREFIX.length);

export type AccountKind = 'person' | 'machine';

/** A role × jurisdiction held for a period. A grant that ended stays in the account, so it explains past actions. */
export interface Grant {
  grantId: string;
  role: UserRole;
  jurisdiction: string;
  validFrom: string;
  validUntil: string | null;
  /** When it was ended before its term; null while it runs. */
  endedAt: string | null;
  grantedBy: string;
  reason: string;
}

/** A person's request to act for a subject (cooperative, company, household), confirmed by the commune's office. */
export interface SubjectLink {
  linkId: string;
  subjectId: string;
  subjectName: string;
  communeCode: string;
  registration: string | null;
  status: 'requested' | 'confirmed';
  requestedAt: string;
  confirmedAt: string | null;
  confirmedBy: string | null;
}

/**
 * A token issued to a machine account under one of its grants (mã truy cập cho máy). The token itself is never
 * recorded, only its id (`jti`), the key that signed it and its term; it acts only while its grant is in force.
 */
export interface MachineToken {
  jti: string;
  grantId: string;
  /** The signing key's id (the token's `kid` header). */
  kid: string;
  label: string;
  issuedAt: string;
  expiresAt: string;
  issuedBy: string;
  revokedAt: string | null;
  revokedBy: string | null;
  revokedWhy: string | null;
}

export interface ExternalIdentity {
  issuer: string;
  subject: string;
}

export interface Account {
  accountId: string;
  username: string;
  name: string;
  kind: AccountKind;
  /** The jurisdiction whose admins manage the account (create, disable, reset). */
  homeJurisdiction: string;
  status: 'active' | 'disabled';
  createdAt: string;
  grants: Grant[];
  passwordSetAt: string | null;
  totpEnrolled: boolean;
  externalIdentities: ExternalIdentity[];
  subjectLinks: SubjectLink[];
  /** Every machine token issued to the account, revoked and expired ones too. */
  machineTokens: MachineToken[];
}

export type AccountState = { status: 'none'; accountId: string } | Account;
export const noAccount = (accountId: string): AccountState => ({ status: 'none', accountId });

export type AccountEvent =
  | {
      type: 'AccountCreated';
      data: {
        accountId: string;
        username: string;
        name: string;
        kind: AccountKind;
        homeJurisdiction: string;
        reason: string;
      };
    }
  | {
      type: 'GrantAdded';
      data: Omit<Grant, 'endedAt'>;
    }
  | { type: 'GrantEnded'; data: { grantId: string; reason: string } }
  | { type: 'AccountDisabled'; data: { reason: string } }
  | { type: 'AccountEnabled'; data: { reason: string } }
  | { type: 'PasswordSet'; data: { by: 'admin' | 'self' | 'system'; reason: string } }
  | { type: 'TotpEnrolled'; data: { reason: string } }
  | { type: 'ExternalIdentityLinked'; data: ExternalIdentity & { reason: string } }
  | {
      type: 'SubjectLinkRequested';
      data: Pick<SubjectLink, 'linkId' | 'subjectId' | 'subjectName' | 'communeCode' | 'registration'> & {
        reason: string;
      };
    }
  | { type: 'SubjectLinkConfirmed'; data: { linkId: string; confirmedBy: string; reason: string } }
  | {
      type: 'MachineTokenIssued';
      data: Pick<MachineToken, 'jti' | 'grantId' | 'kid' | 'label' | 'issuedAt' | 'expiresAt' | 'issuedBy'>;
    }
  | { type: 'MachineTokenRevoked'; data: { jti: string; revokedBy: string; reason: string } };
export type AccountEventType = AccountEvent['type'];

/** Pure: the account after one more of its events, recorded at `occurredAt`. */
export function evolveAccount(state: AccountState, event: AccountEvent, occurredAt: string): AccountState {
  if (event.type === 'AccountCreated') {
    const { reason: _reason, ...d } = event.data;
    return {
      ...d,
      status: 'active',
      createdAt: occurredAt,
      grants: [],
      passwordSetAt: null,
      totpEnrolled: false,
      externalIdentities: [],
      subjectLinks: [],
      machineTokens: [],
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'GrantAdded':
      return { ...state, grants: [...state.grants, { ...event.data, endedAt: null }] };
    case 'GrantEnded':
      return {
        ...state,
        grants: state.grants.map((g) => (g.grantId === event.data.grantId ? { ...g, endedAt: occurredAt } : g)),
      };
    case 'AccountDisabled':
      return { ...state, status: 'disabled' };
    case 'AccountEnabled':
      return { ...state, status: 'active' };
    case 'PasswordSet':
      return { ...state, passwordSetAt: occurredAt };
    case 'TotpEnrolled':
      return { ...state, totpEnrolled: true };
    case 'ExternalIdentityLinked':
      return {
        ...state,
        externalIdentities: [...state.externalIdentities, { issuer: event.data.issuer, subject: event.data.subject }],
      };
    case 'SubjectLinkRequested': {
      const { reason: _reason, ...d } = event.data;
      return {
        ...state,
        subjectLinks: [
          ...state.subjectLinks,
          { ...d, status: 'requested', requestedAt: occurredAt, confirmedAt: null, confirmedBy: null },
        ],
      };
    }
    case 'SubjectLinkConfirmed':
      return {
        ...state,
        subjectLinks: state.subjectLinks.map((l) =>
          l.linkId === event.data.linkId
            ? { ...l, status: 'confirmed', confirmedAt: occurredAt, confirmedBy: event.data.confirmedBy }
            : l,
        ),
      };
    case 'MachineTokenIssued':
      return {
        ...state,
        machineTokens: [...state.machineTokens, { ...event.data, revokedAt: null, revokedBy: null, revokedWhy: null }],
      };
    case 'MachineTokenRevoked':
      return {
        ...state,
        machineTokens: state.machineTokens.map((t) =>
          t.jti === event.data.jti
            ? { ...t, revokedAt: occurredAt, revokedBy: event.data.revokedBy, revokedWhy: event.data.reason }
            : t,
        ),
      };
  }
}

/** Whether a grant is in force at `now`: begun, not past its term, not ended. */
export const grantInForce = (g: Grant, now: string): boolean =>
  g.endedAt === null && g.validFrom <= now && (g.validUntil === null || g.validUntil > now);

/** The grants an account may act under now: none while it is disabled. */
export const grantsInForce = (a: Pick<Account, 'status' | 'grants'>, now: string): Grant[] =>
  a.status === 'active' ? a.grants.filter((g) => grantInForce(g, now)) : [];
