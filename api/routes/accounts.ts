import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { verifyCase } from '../../audit';
import { readStream } from '../../db/event-store';
import { setPasswordHash } from '../../db/credentials';
import { addGrant, createAccount, linkExternalIdentity, withReason, accountStreamId } from '../../domain/accounts';
import type { AccountCommand } from '../../domain/accounts';
import type { TransactionSql } from '../../db';
import {
  accountSchema,
  getAccount,
  listAccounts,
  seesAccount,
  type AccountView,
} from '../../read-models/accounts/queries';
import { accountCommandId, accountIdFor, derivedId, executeAccountCommand } from '../accounts';
import type { AppDeps } from '../app';
import { actorOf, principalOf, requireCaller, type Principal } from '../auth';
import { fingerprintOf, Idempotency } from '../idempotency';
import { hashPassword } from '../passwords';
import { commonProblems, HttpProblem, queryProblems } from '../problems';
import { idempotencyHeaders } from '../schemas';
import { verificationSchema } from './audit';

/*
 * Accounts and their grants (tài khoản, phân quyền), for admins within their jurisdiction; their history and chain
 * for auditors. Every change takes an Idempotency-Key and a reason, and is an event of the account's stream.
 */

export const passwordSchema = z
  .string()
  .min(12, 'ít nhất 12 ký tự / at least 12 characters')
  .max(256, 'tối đa 256 ký tự / at most 256 characters');

const accountParams = z.strictObject({ accountId: z.string().regex(/^A[0-9a-f]{32}$/, 'an account id, A + 32 hex') });
const grantParams = accountParams.extend({ grantId: z.string().regex(/^G[0-9a-f]{16}$/, 'a grant id, G + 16 hex') });
const linkParams = accountParams.extend({ linkId: z.string().regex(/^L[0-9a-f]{16}$/, 'a link id, L + 16 hex') });

type AlsoWrite = (tx: TransactionSql) => Promise<void>;

export const accountEventSchema = z
  .object({
    streamPosition: z.number().int(),
    type: z.string(),
    data: z.unknown(),
    at: z.string(),
    by: z.object({ userId: z.string(), role: z.string(), office: z.string() }),
    hash: z.string(),
    prevHash: z.string(),
  })
  .meta({ id: 'AccountEvent' });

const notFound = (accountId: string) =>
  new HttpProblem(404, 'Not Found', { detail: `Không có tài khoản ${accountId}. / No account ${accountId}.` });

/** Who audits accounts: admins and auditors, each within their jurisdiction. */
const AUDITING = new Set(['admin', 'auditor']);

export const accountRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);
    const idempotency = new Idempotency(deps.sql);

    async function visibleAccount(user: Principal, accountId: string): Promise<AccountView> {
      const account = await getAccount(deps.sql, accountId);
      if (!account || !seesAccount(user, account)) throw notFound(accountId);
      return account;
    }

    /** A command on an account once per (caller, Idempotency-Key); the decider's refusal is the key's answer. */
    async function once(
      user: Principal,
      key: string,
      route: string,
      accountId: string,
      body: unknown,
      command: (commandId: string) => AccountCommand,
      o: {
        status?: number;
        isNew?: boolean;
        alsoWrite?: Parameters<typeof executeAccountCommand>[1]['alsoWrite'];
      } = {},
    ) {
      const actor = actorOf(user);
      const commandId = accountCommandId(actor, key);
      return idempotency.once<AccountView>({
        user,
        key,
        fingerprint: fingerprintOf(route, accountId, body),
        target: accountId,
        admit: async () => {
          if (!o.isNew) await visibleAccount(user, accountId);
        },
        checkReplay: async (id) => void (await visibleAccount(user, id)),
        run: async () => ({
          status: o.status ?? 200,
          body: await executeAccountCommand(deps.sql, {
            actor,
            accountId,
            commandId,
            command: command(commandId),
            ...(o.alsoWrite ? { alsoWrite: o.alsoWrite } : {}),
          }),
        }),
        definitive: (problem) => problem.extra.code !== undefined && problem.status !== 404,
      });
    }

    const createBody = createAccount.extend({ password: passwordSchema.optional() });
    app.post(
      '/accounts',
      {
        schema: {
          summary: 'Create an account (tạo tài khoản) in the admin’s jurisdiction, optionally with a first password',
          tags: ['accounts'],
          security: [{ bearer: [] }, { session: [] }],
          headers: idempotencyHeaders,
          body: createBody,
          response: { 201: accountSchema, ...commonProblems },
        },
      },
      async (req, reply) => {
        const user = principalOf(req);
        const { password, ...data } = req.body;
        const accountId = accountIdFor(data.username);
        const hash = password ? await hashPassword(password) : null;
        const answer = await once(
          user,
          req.headers['idempotency-key'],
          'POST /accounts',
          accountId,
          // The password itself is never kept with the key's answer, only whether one was given.
          { ...data, password: password !== undefined },
          () => ({ type: 'CreateAccount', data: { ...data, initialPassword: hash !== null } }),
          { status: 201, isNew: true, ...(hash ? { alsoWrite: (tx) => setPasswordHash(tx, accountId, hash) } : {}) },
        );
        return reply
          .code(201)
          .header('location', `/accounts/${accountId}`)
          .header('idempotent-replayed', String(answer.replayed))
          .send(answer.body);
      },
    );

    app.get(
      '/accounts',
      {
        schema: {
          summary: 'Accounts within the caller’s jurisdiction (admins and auditors), by username',
          tags: ['accounts'],
          security: [{ bearer: [] }, { session: [] }],
          querystring: z.strictObject({
            limit: z.coerce.number().int().min(1).max(500).default(100),
            after: z.string().max(64).optional(),
          }),
          response: { 200: z.object({ items: z.array(accountSchema) }), ...queryProblems },
        },
      },
      async (req) => {
        const user = principalOf(req);
        if (!AUDITING.has(user.role)) return { items: [] };
        return { items: await listAccounts(deps.sql, user, { limit: req.query.limit, after: req.query.after }) };
      },
    );

    app.get(
      '/accounts/:accountId',
      {
        schema: {
          summary: 'An account and its grants (ended ones too)',
          tags: ['accounts'],
          security: [{ bearer: [] }, { session: [] }],
          params: accountParams,
          response: { 200: accountSchema, ...queryProblems },
        },
      },
      async (req) => visibleAccount(principalOf(req), req.params.accountId),
    );

    const commandRoute = <B extends z.ZodType>(
      path: string,
      summary: string,
      params: z.ZodObject,
      body: B,
      command: (p: Record<string, string>, b: z.infer<B>, commandId: string) => AccountCommand,
      o: {
        alsoWrite?: (b: z.infer<B>, p: Record<string, string>) => Promise<AlsoWrite>;
        after?: (accountId: string) => Promise<void>;
      } = {},
    ) =>
      app.post(
        path,
        {
          schema: {
            summary,
            tags: ['accounts'],
            security: [{ bearer: [] }, { session: [] }],
            headers: idempotencyHeaders,
            params,
            body,
            response: { 200: accountSchema, ...commonProblems },
          },
        },
        async (req, reply) => {
          const user = principalOf(req);
          const p = req.params as Record<string, string>;
          const b = req.body as z.infer<B>;
          const alsoWrite = o.alsoWrite ? await o.alsoWrite(b, p) : undefined;
          const stored = b && typeof b === 'object' && 'password' in b ? { ...b, password: true } : b;
          const answer = await once(
            user,
            req.headers['idempotency-key'],
            `POST ${path}`,
            p.accountId!,
            stored,
            (id) => command(p, b, id),
            alsoWrite ? { alsoWrite } : {},
          );
          await o.after?.(p.accountId!);
          return reply.header('idempotent-replayed', String(answer.replayed)).send(answer.body);
        },
      );

    commandRoute(
      '/accounts/:accountId/grants',
      'Grant a role in a jurisdiction (cấp quyền), for a period; only inside the admin’s own jurisdiction',
      accountParams,
      addGrant,
      (_p, b, id) => ({ type: 'AddGrant', data: { ...b, grantId: derivedId('G', id) } }),
    );
    commandRoute(
      '/accounts/:accountId/grants/:grantId/end',
      'End a grant (thu hồi quyền); it stays in the history and explains the actions taken under it',
      grantParams,
      withReason,
      (p, b) => ({ type: 'EndGrant', data: { ...b, grantId: p.grantId! } }),
      { after: (accountId) => deps.onAccountChanged?.(accountId) ?? Promise.resolve() },
    );
    commandRoute(
      '/accounts/:accountId/disable',
      'Disable an account (khoá tài khoản): all its sessions and machine tokens end at once',
      accountParams,
      withReason,
      (_p, b) => ({ type: 'DisableAccount', data: b }),
      { after: (accountId) => deps.onAccountChanged?.(accountId) ?? Promise.resolve() },
    );
    commandRoute(
      '/accounts/:accountId/enable',
      'Enable a disabled account (mở khoá tài khoản)',
      accountParams,
      withReason,
      (_p, b) => ({ type: 'EnableAccount', data: b }),
    );
    const resetBody = withReason.extend({ password: passwordSchema });
    commandRoute(
      '/accounts/:accountId/password',
      'Reset an account’s password (đặt lại mật khẩu), by an admin of its jurisdiction',
      accountParams,
      resetBody,
      (_p, b) => ({ type: 'SetPassword', data: { reason: b.reason } }),
      {
        alsoWrite: async (b, p) => {
          const hash = await hashPassword(b.password);
          return (tx: TransactionSql) => setPasswordHash(tx, p.accountId!, hash);
        },
        after: (accountId) => deps.onAccountChanged?.(accountId) ?? Promise.resolve(),
      },
    );
    commandRoute(
      '/accounts/:accountId/external-identities',
      'Link a single sign-on identity (OIDC issuer and subject) to an account',
      accountParams,
      linkExternalIdentity,
      (_p, b) => ({ type: 'LinkExternalIdentity', data: b }),
    );
    commandRoute(
      '/accounts/:accountId/subject-links/:linkId/confirm',
      'Confirm that a person acts for a subject (xác nhận người đại diện chủ thể): the office of its commune or province',
      linkParams,
      withReason,
      (p, b, id) => ({ type: 'ConfirmSubjectLink', data: { ...b, linkId: p.linkId!, grantId: derivedId('G', id) } }),
    );

    /** An account an auditing role may audit, or 404 (also outside their jurisdiction). */
    async function auditable(user: Principal, accountId: string) {
      if (!AUDITING.has(user.role)) throw notFound(accountId);
      return visibleAccount(user, accountId);
    }

    app.get(
      '/accounts/:accountId/history',
      {
        schema: {
          summary: 'Every change to an account: who granted what to whom, when and why (auditors, admins)',
          tags: ['accounts', 'audit'],
          security: [{ bearer: [] }, { session: [] }],
          params: accountParams,
          response: {
            200: z.object({ accountId: z.string(), version: z.number().int(), events: z.array(accountEventSchema) }),
            ...queryProblems,
          },
        },
      },
      async (req) => {
        await auditable(principalOf(req), req.params.accountId);
        const events = await readStream(deps.sql, accountStreamId(req.params.accountId));
        return {
          accountId: req.params.accountId,
          version: events.length,
          events: events.map((e) => ({
            streamPosition: e.streamPosition,
            type: e.type,
            data: e.data,
            at: e.occurredAt,
            by: e.actor,
            hash: e.hash,
            prevHash: e.prevHash,
          })),
        };
      },
    );

    app.get(
      '/accounts/:accountId/verification',
      {
        schema: {
          summary:
            'Recompute an account stream’s hash chain and compare it with the last checkpoint and the read model',
          tags: ['accounts', 'audit'],
          security: [{ bearer: [] }, { session: [] }],
          params: accountParams,
          response: { 200: verificationSchema, ...queryProblems },
        },
      },
      async (req) => {
        await auditable(principalOf(req), req.params.accountId);
        return verifyCase(
          deps.sql,
          accountStreamId(req.params.accountId),
          deps.auditSigningKey ? { publicKey: deps.auditSigningKey } : {},
        );
      },
    );
  };
