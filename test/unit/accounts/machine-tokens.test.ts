/**
 * The pure part of machine tokens: what the account decider records when an admin issues or revokes one (given the
 * account's events, when the command, then the events or the refusal), the fold of those events, and the lifetime
 * bound a machine token's time claims are checked against.
 */
import { describe, expect, it } from 'vitest';
import { AuthenticationError, checkTokenTimes } from '../../../api/auth';
import { DEFAULT_MACHINE_TOKEN_POLICY } from '../../../api/machine-tokens';
import { loadConfig, ConfigError } from '../../../config';
import type { Actor } from '../../../domain';
import {
  AccountError,
  decideAccount,
  evolveAccount,
  MACHINE_TOKEN_MAX_SECONDS,
  noAccount,
  type AccountCommand,
  type AccountEvent,
  type AccountState,
} from '../../../domain/accounts';

const NOW = '2026-12-07T10:00:00.250Z';
const ADMIN: Actor = { userId: 'admin-19', role: 'admin', office: '19' };
const GRANT = 'G0123456789abcdef';

function given(events: AccountEvent[]): AccountState {
  return events.reduce<AccountState>((s, e) => evolveAccount(s, e, '2026-12-01T00:00:00.000Z'), noAccount('A1'));
}
const created = (kind: 'person' | 'machine' = 'machine'): AccountEvent => ({
  type: 'AccountCreated',
  data: { accountId: 'A1', username: 'm1', name: 'Máy', homeJurisdiction: '19', kind, reason: 'thử' },
});
const granted = (jurisdiction = '05443', validUntil: string | null = null): AccountEvent => ({
  type: 'GrantAdded',
  data: {
    grantId: GRANT,
    role: 'commune_officer',
    jurisdiction,
    validFrom: '2026-12-01T00:00:00.000Z',
    validUntil,
    grantedBy: 'system',
    reason: 'thử',
  },
});
const issue = (data: Partial<{ lifetimeSeconds: number; grantId: string }> = {}): AccountCommand => ({
  type: 'IssueMachineToken',
  data: { grantId: GRANT, label: 'một cửa', jti: 'T1', kid: 'k1', ...data },
});
const when = (state: AccountState, command: AccountCommand, actor: Actor = ADMIN) =>
  decideAccount(command, state, { now: NOW, actor });
const refusal = (state: AccountState, command: AccountCommand, actor: Actor = ADMIN) => {
  try {
    when(state, command, actor);
  } catch (err) {
    if (err instanceof AccountError) return { code: err.code, field: err.field };
    throw err;
  }
  throw new Error('not refused');
};

describe('issuing a machine token', () => {
  it('records its grant, key and term in whole seconds, 30 days unless asked', () => {
    expect(when(given([created(), granted()]), issue())).toEqual([
      {
        type: 'MachineTokenIssued',
        data: {
          jti: 'T1',
          grantId: GRANT,
          kid: 'k1',
          label: 'một cửa',
          issuedAt: '2026-12-07T10:00:00.000Z',
          expiresAt: '2027-01-06T10:00:00.000Z',
          issuedBy: 'admin-19',
        },
      },
    ]);
    const [e] = when(given([created(), granted()]), issue({ lifetimeSeconds: 3600 }));
    expect(e?.type === 'MachineTokenIssued' && e.data.expiresAt).toBe('2026-12-07T11:00:00.000Z');
  });

  it('records nothing twice for the same jti', () => {
    const state = given([created(), granted(), ...when(given([created(), granted()]), issue())]);
    expect(when(state, issue())).toEqual([]);
  });

  it('refuses a person, a disabled account, an unknown or ended grant, a term out of bounds', () => {
    expect(refusal(given([created('person'), granted()]), issue())).toEqual({ code: 'invalid', field: undefined });
    const disabled: AccountEvent = { type: 'AccountDisabled', data: { reason: 'x' } };
    expect(refusal(given([created(), granted(), disabled]), issue()).code).toBe('conflict');
    expect(refusal(given([created(), granted()]), issue({ grantId: 'Gffffffffffffffff' }))).toEqual({
      code: 'not_found',
      field: 'grantId',
    });
    const ended: AccountEvent = { type: 'GrantEnded', data: { grantId: GRANT, reason: 'x' } };
    expect(refusal(given([created(), granted(), ended]), issue())).toEqual({ code: 'invalid', field: 'grantId' });
    expect(refusal(given([created(), granted('05443', '2026-12-02T00:00:00.000Z')]), issue()).field).toBe('grantId');
    for (const lifetimeSeconds of [299, MACHINE_TOKEN_MAX_SECONDS + 1]) {
      expect(refusal(given([created(), granted()]), issue({ lifetimeSeconds }))).toEqual({
        code: 'invalid',
        field: 'lifetimeSeconds',
      });
    }
  });

  it('is for an admin who manages the account and could have granted the grant', () => {
    const state = given([created(), granted()]);
    expect(refusal(state, issue(), { userId: 'a', role: 'admin', office: '01' }).code).toBe('forbidden');
    expect(refusal(state, issue(), { userId: 'o', role: 'provincial_office', office: '19' }).code).toBe('forbidden');
    // Manages the account (home 19) but not the grant's jurisdiction (the Ministry, nationwide admins' only).
    expect(refusal(given([created(), granted('MINISTRY')]), issue()).code).toBe('forbidden');
    expect(when(state, issue(), { userId: 'vn', role: 'admin', office: 'VN' })).toHaveLength(1);
  });
});

describe('revoking a machine token', () => {
  const withToken = () => {
    const base = [created(), granted()];
    return [...base, ...when(given(base), issue())];
  };
  const revoke: AccountCommand = { type: 'RevokeMachineToken', data: { jti: 'T1', reason: 'bị lộ' } };

  it('records who revoked it and why; the fold marks it revoked', () => {
    const events = when(given(withToken()), revoke);
    expect(events).toEqual([
      { type: 'MachineTokenRevoked', data: { jti: 'T1', revokedBy: 'admin-19', reason: 'bị lộ' } },
    ]);
    const state = given([...withToken(), ...events]);
    expect(state.status !== 'none' && state.machineTokens).toEqual([
      expect.objectContaining({ jti: 'T1', revokedBy: 'admin-19', revokedWhy: 'bị lộ', revokedAt: expect.any(String) }),
    ]);
    expect(refusal(state, revoke).code).toBe('conflict');
  });

  it('refuses an unknown token and an admin who does not manage the account', () => {
    expect(refusal(given(withToken()), { ...revoke, data: { jti: 'T2', reason: 'x y z' } })).toEqual({
      code: 'not_found',
      field: 'jti',
    });
    expect(refusal(given(withToken()), revoke, { userId: 'a', role: 'admin', office: '01' }).code).toBe('forbidden');
  });
});

describe('the lifetime of a machine token', () => {
  const at = Date.parse(NOW);
  const iat = Math.floor(at / 1000);
  it('is at most 90 days under the default machine policy, and every token must expire', () => {
    expect(() => checkTokenTimes({ iat, exp: iat + 90 * 86400 }, DEFAULT_MACHINE_TOKEN_POLICY, at)).not.toThrow();
    expect(() => checkTokenTimes({ iat, exp: iat + 90 * 86400 + 1 }, DEFAULT_MACHINE_TOKEN_POLICY, at)).toThrow(
      AuthenticationError,
    );
    expect(() => checkTokenTimes({ iat }, DEFAULT_MACHINE_TOKEN_POLICY, at)).toThrow(/exp/);
  });

  it('MACHINE_TOKEN_MAX_DAYS is 90 by default and cannot exceed it', () => {
    expect(loadConfig({}).MACHINE_TOKEN_MAX_DAYS).toBe(90);
    expect(loadConfig({ MACHINE_TOKEN_MAX_DAYS: '7' }).MACHINE_TOKEN_MAX_DAYS).toBe(7);
    expect(() => loadConfig({ MACHINE_TOKEN_MAX_DAYS: '365' })).toThrow(ConfigError);
  });
});
