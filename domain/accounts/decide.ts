import { z } from 'zod';
import { USER_ROLES, type Actor } from '../case/actors';
import { shared } from '../shared';
import { grantInForce, type AccountEvent, type AccountState, type Account } from './account';
import { administers, confirmsSubjectsOf, GRANTABLE, jurisdictionKind } from './jurisdiction';

/* The commands on an account and their pure decider: who may change what, and what each change records. */

/** The bounds of a machine token's lifetime: at least 5 minutes, at most 90 days; 30 days unless asked. */
export const MACHINE_TOKEN_MIN_SECONDS = 300;
export const MACHINE_TOKEN_MAX_SECONDS = 90 * 86400;
export const MACHINE_TOKEN_DEFAULT_SECONDS = 30 * 86400;

const schemas = shared('domain/accounts/commands', () => {
  const reason = z
    .string({ error: 'bắt buộc: lý do thay đổi / required: why the change is made' })
    .trim()
    .min(3)
    .max(500);
  const code = z
    .string()
    .min(1)
    .max(64)
    .regex(/^[\w.-]+$/, 'letters, digits, . _ - only');
  const instant = z.iso.datetime({ offset: true });
  const createAccount = z.strictObject({
    username: z
      .string()
      .min(3)
      .max(64)
      .regex(/^[a-z0-9][a-z0-9._-]*$/, 'chữ thường, số và . _ - / lowercase letters, digits, . _ - only'),
    name: z.string().trim().min(1).max(200),
    homeJurisdiction: code,
    kind: z.enum(['person', 'machine']).default('person'),
    reason,
  });
  const addGrant = z.strictObject({
    role: z.enum(USER_ROLES),
    jurisdiction: code,
    validFrom: instant.optional(),
    validUntil: instant.optional(),
    reason,
  });
  const withReason = z.strictObject({ reason });
  const linkExternalIdentity = z.strictObject({
    issuer: z.string().min(1).max(500),
    subject: z.string().min(1).max(255),
    reason,
  });
  const requestSubjectLink = z.strictObject({
    subjectId: code,
    subjectName: z.string().trim().min(1).max(300),
    communeCode: code,
    /** The subject's registration (business or cooperative registration number, household book …). */
    registration: z.string().trim().max(200).optional(),
    reason,
  });
  const issueMachineToken = z.strictObject({
    grantId: z.string().regex(/^G[0-9a-f]{16}$/, 'a grant id, G + 16 hex'),
    lifetimeSeconds: z.number().int().min(MACHINE_TOKEN_MIN_SECONDS).max(MACHINE_TOKEN_MAX_SECONDS).optional(),
    label: z.string().trim().min(1).max(200),
  });
  const accountCommandSchema = z.discriminatedUnion('type', [
    z.object({
      type: z.literal('CreateAccount'),
      data: createAccount.extend({ initialPassword: z.boolean().optional() }),
    }),
    z.object({ type: z.literal('AddGrant'), data: addGrant.extend({ grantId: z.string() }) }),
    z.object({ type: z.literal('EndGrant'), data: withReason.extend({ grantId: z.string() }) }),
    z.object({ type: z.literal('DisableAccount'), data: withReason }),
    z.object({ type: z.literal('EnableAccount'), data: withReason }),
    z.object({ type: z.literal('SetPassword'), data: withReason }),
    z.object({ type: z.literal('EnrolTotp'), data: withReason }),
    z.object({ type: z.literal('LinkExternalIdentity'), data: linkExternalIdentity }),
    z.object({ type: z.literal('RequestSubjectLink'), data: requestSubjectLink.extend({ linkId: z.string() }) }),
    z.object({
      type: z.literal('ConfirmSubjectLink'),
      data: withReason.extend({ linkId: z.string(), grantId: z.string() }),
    }),
    z.object({
      type: z.literal('IssueMachineToken'),
      data: issueMachineToken.extend({ jti: z.string(), kid: z.string() }),
    }),
    z.object({ type: z.literal('RevokeMachineToken'), data: withReason.extend({ jti: z.string() }) }),
  ]);
  return {
    createAccount,
    addGrant,
    withReason,
    linkExternalIdentity,
    requestSubjectLink,
    issueMachineToken,
    accountCommandSchema,
  };
});
export const {
  createAccount,
  addGrant,
  withReason,
  linkExternalIdentity,
  requestSubjectLink,
  issueMachineToken,
  accountCommandSchema,
} = schemas;
export type AccountCommand = z.input<typeof accountCommandSchema>;

export type AccountErrorCode = 'forbidden' | 'not_found' | 'conflict' | 'invalid';

/** A command the decider refuses: who may not (403), no such account (404), already so (409), bad data (422). */
export class AccountError extends Error {
  constructor(
    readonly code: AccountErrorCode,
    /** Vietnamese first, then English. */
    message: string,
    /** The field of the command at fault, if one is. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}

const forbid = (vi: string, en: string): never => {
  throw new AccountError('forbidden', `${vi} / ${en}`);
};

/** Whether the actor may manage the account: the system (bootstrap), or an admin whose jurisdiction holds its home. */
const manages = (actor: Actor, account: Account) =>
  actor.role === 'system' || administers(actor, account.homeJurisdiction);

const self = (actor: Actor, account: Account) => actor.userId === account.accountId;

function mustManage(actor: Actor, account: Account) {
  if (!manages(actor, account)) {
    forbid(
      `Chỉ quản trị viên của ${account.homeJurisdiction} (hoặc cấp trên) quản lý tài khoản này`,
      `only an admin of ${account.homeJurisdiction} (or above) manages this account`,
    );
  }
}

/** Whether a grant of `role` in `jurisdiction` is well formed (the role may be held there). */
function checkGrantable(role: (typeof USER_ROLES)[number], jurisdiction: string) {
  if (!GRANTABLE[role].includes(jurisdictionKind(jurisdiction))) {
    throw new AccountError(
      'invalid',
      `Vai trò ${role} không thể cấp ở ${jurisdiction} / role ${role} cannot be held in ${jurisdiction} ` +
        `(${GRANTABLE[role].join(', ')})`,
      'jurisdiction',
    );
  }
}

/**
 * What happens when a command meets an account: its events, or an AccountError. Pure: the clock and the actor come
 * in `meta`. The boundary: an admin manages the accounts whose home lies in their jurisdiction, and grants only
 * inside it (so never an admin above their own level); a person enrols their own second factor and asks for their
 * own links to subjects, which the subject's commune (or province) confirms.
 */
export function decideAccount(
  command: AccountCommand,
  state: AccountState,
  meta: { now: string; actor: Actor },
): AccountEvent[] {
  const { actor, now } = meta;
  if (command.type === 'CreateAccount') {
    const { initialPassword, ...d } = command.data;
    if (state.status !== 'none') {
      throw new AccountError(
        'conflict',
        `Tên đăng nhập ${d.username} đã có / username ${d.username} is taken`,
        'username',
      );
    }
    if (actor.role !== 'system' && !administers(actor, d.homeJurisdiction)) {
      forbid(
        `Quản trị viên ${actor.office} không tạo được tài khoản thuộc ${d.homeJurisdiction}`,
        `an admin of ${actor.office} cannot create accounts in ${d.homeJurisdiction}`,
      );
    }
    const created: AccountEvent = {
      type: 'AccountCreated',
      data: { accountId: state.accountId, ...d, kind: d.kind ?? 'person' },
    };
    if (!initialPassword) return [created];
    const by = actor.role === 'system' ? 'system' : 'admin';
    return [created, { type: 'PasswordSet', data: { by, reason: d.reason } }];
  }
  if (state.status === 'none') {
    throw new AccountError('not_found', `Không có tài khoản ${state.accountId} / no account ${state.accountId}`);
  }
  const account = state;
  switch (command.type) {
    case 'AddGrant': {
      const d = command.data;
      mustManage(actor, account);
      if (actor.role !== 'system' && !administers(actor, d.jurisdiction)) {
        forbid(
          `Quản trị viên ${actor.office} không cấp quyền ở ${d.jurisdiction}`,
          `an admin of ${actor.office} cannot grant in ${d.jurisdiction}`,
        );
      }
      checkGrantable(d.role, d.jurisdiction);
      if (account.kind === 'machine' && d.role === 'admin') {
        throw new AccountError('invalid', 'Máy không giữ quyền quản trị / a machine holds no admin grant', 'role');
      }
      const validFrom = d.validFrom ? new Date(d.validFrom).toISOString() : now;
      const validUntil = d.validUntil ? new Date(d.validUntil).toISOString() : null;
      if (validUntil !== null && validUntil <= validFrom) {
        throw new AccountError(
          'invalid',
          'validUntil phải sau validFrom / validUntil must follow validFrom',
          'validUntil',
        );
      }
      if (account.grants.some((g) => g.grantId === d.grantId)) return [];
      return [
        {
          type: 'GrantAdded',
          data: {
            grantId: d.grantId,
            role: d.role,
            jurisdiction: d.jurisdiction,
            validFrom,
            validUntil,
            grantedBy: actor.userId,
            reason: d.reason,
          },
        },
      ];
    }
    case 'EndGrant': {
      const grant = account.grants.find((g) => g.grantId === command.data.grantId);
      if (!grant) throw new AccountError('not_found', `Không có quyền ${command.data.grantId} / no grant`, 'grantId');
      if (actor.role !== 'system' && !self(actor, account) && !administers(actor, grant.jurisdiction)) {
        forbid(`Không kết thúc được quyền ở ${grant.jurisdiction}`, `cannot end a grant in ${grant.jurisdiction}`);
      }
      if (grant.endedAt !== null) throw new AccountError('conflict', 'Quyền đã kết thúc / the grant already ended');
      return [{ type: 'GrantEnded', data: { grantId: grant.grantId, reason: command.data.reason } }];
    }
    case 'DisableAccount':
      mustManage(actor, account);
      if (self(actor, account))
        forbid('Không tự khoá tài khoản của mình', 'an admin does not disable their own account');
      if (account.status === 'disabled') throw new AccountError('conflict', 'Tài khoản đã khoá / already disabled');
      return [{ type: 'AccountDisabled', data: { reason: command.data.reason } }];
    case 'EnableAccount':
      mustManage(actor, account);
      if (account.status === 'active') throw new AccountError('conflict', 'Tài khoản đang hoạt động / already active');
      return [{ type: 'AccountEnabled', data: { reason: command.data.reason } }];
    case 'SetPassword':
      if (!self(actor, account)) mustManage(actor, account);
      if (account.kind === 'machine') {
        throw new AccountError('invalid', 'Tài khoản máy không có mật khẩu / a machine account has no password');
      }
      return [
        {
          type: 'PasswordSet',
          data: {
            by: actor.role === 'system' ? 'system' : self(actor, account) ? 'self' : 'admin',
            reason: command.data.reason,
          },
        },
      ];
    case 'EnrolTotp':
      if (!self(actor, account) && actor.role !== 'system') {
        forbid('Chỉ chính chủ tài khoản đăng ký mã OTP', 'only the account’s own person enrols a second factor');
      }
      return [{ type: 'TotpEnrolled', data: { reason: command.data.reason } }];
    case 'LinkExternalIdentity': {
      const d = command.data;
      if (actor.role !== 'system') mustManage(actor, account);
      if (account.externalIdentities.some((x) => x.issuer === d.issuer && x.subject === d.subject)) return [];
      return [{ type: 'ExternalIdentityLinked', data: d }];
    }
    case 'RequestSubjectLink': {
      const d = command.data;
      if (!self(actor, account)) forbid('Chỉ chính chủ xin liên kết', 'only the person themselves asks for a link');
      if (jurisdictionKind(d.communeCode) !== 'commune') {
        throw new AccountError('invalid', `Không có xã ${d.communeCode} / no commune ${d.communeCode}`, 'communeCode');
      }
      if (jurisdictionKind(d.subjectId) !== 'subject') {
        throw new AccountError(
          'invalid',
          'Mã chủ thể trùng mã địa bàn / a subject id cannot be a place code',
          'subjectId',
        );
      }
      if (account.subjectLinks.some((l) => l.linkId === d.linkId)) return [];
      return [
        {
          type: 'SubjectLinkRequested',
          data: {
            linkId: d.linkId,
            subjectId: d.subjectId,
            subjectName: d.subjectName,
            communeCode: d.communeCode,
            registration: d.registration ?? null,
            reason: d.reason,
          },
        },
      ];
    }
    case 'ConfirmSubjectLink': {
      const link = account.subjectLinks.find((l) => l.linkId === command.data.linkId);
      if (!link) throw new AccountError('not_found', 'Không có yêu cầu liên kết này / no such link request', 'linkId');
      if (actor.role !== 'system' && !confirmsSubjectsOf(actor, link.communeCode)) {
        forbid(
          `Chỉ UBND xã ${link.communeCode} hoặc tỉnh của xã xác nhận`,
          `only the office of commune ${link.communeCode} or of its province confirms`,
        );
      }
      if (link.status === 'confirmed') throw new AccountError('conflict', 'Đã xác nhận / already confirmed');
      return [
        {
          type: 'SubjectLinkConfirmed',
          data: { linkId: link.linkId, confirmedBy: actor.userId, reason: command.data.reason },
        },
        {
          type: 'GrantAdded',
          data: {
            grantId: command.data.grantId,
            role: 'subject',
            jurisdiction: link.subjectId,
            validFrom: now,
            validUntil: null,
            grantedBy: actor.userId,
            reason: command.data.reason,
          },
        },
      ];
    }
    case 'IssueMachineToken': {
      const d = command.data;
      mustManage(actor, account);
      if (account.kind !== 'machine') {
        throw new AccountError(
          'invalid',
          'Chỉ tài khoản máy nhận mã truy cập cho máy; người dùng đăng nhập / only a machine account holds machine tokens; a person signs in',
        );
      }
      if (account.status !== 'active')
        throw new AccountError('conflict', 'Tài khoản đã khoá / the account is disabled');
      const grant = account.grants.find((g) => g.grantId === d.grantId);
      if (!grant) throw new AccountError('not_found', `Không có quyền ${d.grantId} / no grant ${d.grantId}`, 'grantId');
      if (!grantInForce(grant, now)) {
        throw new AccountError(
          'invalid',
          `Quyền ${d.grantId} không còn hiệu lực / grant ${d.grantId} is not in force`,
          'grantId',
        );
      }
      // A token acts under its grant: only an admin who could have granted it hands out a key to it.
      if (actor.role !== 'system' && !administers(actor, grant.jurisdiction)) {
        forbid(
          `Quản trị viên ${actor.office} không cấp mã cho quyền ở ${grant.jurisdiction}`,
          `an admin of ${actor.office} cannot issue a token for a grant in ${grant.jurisdiction}`,
        );
      }
      const lifetime = d.lifetimeSeconds ?? MACHINE_TOKEN_DEFAULT_SECONDS;
      if (lifetime < MACHINE_TOKEN_MIN_SECONDS || lifetime > MACHINE_TOKEN_MAX_SECONDS) {
        throw new AccountError(
          'invalid',
          `Thời hạn từ ${MACHINE_TOKEN_MIN_SECONDS} đến ${MACHINE_TOKEN_MAX_SECONDS} giây / lifetime between ` +
            `${MACHINE_TOKEN_MIN_SECONDS} and ${MACHINE_TOKEN_MAX_SECONDS} seconds`,
          'lifetimeSeconds',
        );
      }
      if (account.machineTokens.some((t) => t.jti === d.jti)) return [];
      // JWT times are whole seconds: the record says exactly what the token's iat and exp say.
      const issued = Math.floor(Date.parse(now) / 1000) * 1000;
      return [
        {
          type: 'MachineTokenIssued',
          data: {
            jti: d.jti,
            grantId: grant.grantId,
            kid: d.kid,
            label: d.label,
            issuedAt: new Date(issued).toISOString(),
            expiresAt: new Date(issued + lifetime * 1000).toISOString(),
            issuedBy: actor.userId,
          },
        },
      ];
    }
    case 'RevokeMachineToken': {
      const token = account.machineTokens.find((t) => t.jti === command.data.jti);
      if (!token) throw new AccountError('not_found', `Không có mã ${command.data.jti} / no token`, 'jti');
      if (!self(actor, account)) mustManage(actor, account);
      if (token.revokedAt !== null) throw new AccountError('conflict', 'Mã đã bị thu hồi / the token was revoked');
      return [
        {
          type: 'MachineTokenRevoked',
          data: { jti: token.jti, revokedBy: actor.userId, reason: command.data.reason },
        },
      ];
    }
  }
}
