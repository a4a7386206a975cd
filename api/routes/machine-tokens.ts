import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { publishedKeys, unretiredKey } from '../../db/signing-keys';
import {
  administers,
  issueMachineToken,
  MACHINE_TOKEN_DEFAULT_SECONDS,
  MACHINE_TOKEN_MAX_SECONDS,
  MACHINE_TOKEN_MIN_SECONDS,
  withReason,
  type AccountCommand,
  type MachineToken,
} from '../../domain/accounts';
import { findMachineToken, getAccount, listMachineTokens, seesAccount } from '../../read-models/accounts/queries';
import { accountCommandId, executeAccountCommand } from '../accounts';
import type { AppDeps } from '../app';
import { actorOf, principalOf, requireCaller, type Principal } from '../auth';
import { fingerprintOf, Idempotency } from '../idempotency';
import { ensureSigningKey, signMachineToken } from '../machine-tokens';
import { commonProblems, HttpProblem, queryProblems } from '../problems';
import { idempotencyHeaders } from '../schemas';

/*
 * Machine tokens of an account (mã truy cập cho máy), for the admins who manage it: issued under one of its grants
 * for a bounded term, answered once (the token is never stored, only its jti), listed without their text, revoked
 * at once. Issuing and revoking are events of the account's stream, so auditors read who gave which machine what.
 * The public keys that verify them are at /.well-known/jwks.json.
 */

const accountParams = z.strictObject({ accountId: z.string().regex(/^A[0-9a-f]{32}$/, 'an account id, A + 32 hex') });
const tokenParams = accountParams.extend({ jti: z.string().regex(/^T[0-9a-f]{32}$/, 'a token id, T + 32 hex') });

export const machineTokenSchema = z
  .object({
    jti: z.string(),
    accountId: z.string(),
    grantId: z.string(),
    kid: z.string(),
    label: z.string(),
    issuedAt: z.string(),
    expiresAt: z.string(),
    issuedBy: z.string(),
    revokedAt: z.string().nullable(),
    revokedBy: z.string().nullable(),
    revokedWhy: z.string().nullable(),
    status: z.enum(['active', 'revoked', 'expired']),
  })
  .meta({ id: 'MachineToken' });
type MachineTokenView = z.infer<typeof machineTokenSchema>;

const issuedSchema = machineTokenSchema
  .extend({
    /** The bearer token: shown in this answer only. */
    token: z.string(),
    tokenType: z.literal('Bearer'),
  })
  .meta({ id: 'MachineTokenIssued' });

const jwkSchema = z.object({
  kty: z.string(),
  crv: z.string(),
  x: z.string(),
  kid: z.string(),
  alg: z.string(),
  use: z.string(),
});

const view = (accountId: string, t: MachineToken, now = new Date().toISOString()): MachineTokenView => ({
  ...t,
  accountId,
  status: t.revokedAt !== null ? 'revoked' : t.expiresAt <= now ? 'expired' : 'active',
});

/** A token's id from its issuing command's id: a retry names the same token. 128 bits. */
const tokenIdOf = (commandId: string) =>
  `T${createHash('sha256').update(`jti\u0000${commandId}`).digest('hex').slice(0, 32)}`;

const notFound = (accountId: string) =>
  new HttpProblem(404, 'Not Found', {
    code: 'not_found',
    detail: `Không có tài khoản ${accountId}. / No account ${accountId}.`,
  });

/** GET /.well-known/jwks.json: public, no token needed. */
export const jwksRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/.well-known/jwks.json',
      {
        schema: {
          summary: 'The public keys (JWKS) that verify machine tokens: every key not retired, the current one first',
          tags: ['auth'],
          response: { 200: z.object({ keys: z.array(jwkSchema) }).meta({ id: 'Jwks' }), 429: queryProblems[429] },
        },
      },
      async (_req, reply) => {
        const keys = await publishedKeys(deps.sql);
        // Short: a retired key leaves verifiers' caches within five minutes.
        return reply.header('cache-control', 'public, max-age=300').send({ keys: keys as z.infer<typeof jwkSchema>[] });
      },
    );
  };

export const machineTokenRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (scoped) => {
    scoped.addHook('preValidation', requireCaller);
    const idempotency = new Idempotency(deps.sql);
    const maxLifetime = deps.machineTokenPolicy?.maxLifetimeSeconds ?? MACHINE_TOKEN_MAX_SECONDS;

    async function visibleAccount(user: Principal, accountId: string) {
      const account = await getAccount(deps.sql, accountId);
      if (!account || !seesAccount(user, account)) throw notFound(accountId);
      return account;
    }

    /** A command on the account's tokens once per (caller, Idempotency-Key), as every account command. */
    async function once(
      user: Principal,
      key: string,
      route: string,
      accountId: string,
      body: unknown,
      command: (commandId: string) => AccountCommand,
      jtiOf: (commandId: string) => string,
    ) {
      const actor = actorOf(user);
      const commandId = accountCommandId(actor, key);
      return idempotency.once<MachineTokenView>({
        user,
        key,
        fingerprint: fingerprintOf(route, accountId, body),
        target: accountId,
        admit: async () => void (await visibleAccount(user, accountId)),
        checkReplay: async (id) => void (await visibleAccount(user, id)),
        run: async () => {
          await executeAccountCommand(deps.sql, { actor, accountId, commandId, command: command(commandId) });
          const record = await findMachineToken(deps.sql, jtiOf(commandId));
          if (!record || record.accountId !== accountId) throw new Error(`token ${jtiOf(commandId)} not recorded`);
          return { status: 200, body: view(accountId, record) };
        },
        definitive: (problem) => problem.extra.code !== undefined && problem.status !== 404,
      });
    }

    // The installation's bound (MACHINE_TOKEN_MAX_DAYS, at most the domain's 90 days) is the schema's own.
    const issueBody = issueMachineToken.extend({
      lifetimeSeconds: z
        .number()
        .int()
        .min(MACHINE_TOKEN_MIN_SECONDS)
        .max(maxLifetime)
        .optional()
        .describe(`seconds the token is valid; default 30 days (or the maximum when lower), at most ${maxLifetime}`),
    });
    scoped.post(
      '/accounts/:accountId/machine-tokens',
      {
        schema: {
          summary:
            'Issue a machine token (cấp mã truy cập cho máy) under one of a machine account’s grants; the token is shown once',
          tags: ['accounts'],
          security: [{ bearer: [] }, { session: [] }],
          headers: idempotencyHeaders,
          params: accountParams,
          body: issueBody,
          response: { 201: issuedSchema, ...commonProblems },
        },
      },
      async (req, reply) => {
        const user = principalOf(req);
        const { accountId } = req.params;
        const signing = (await ensureSigningKey(deps.sql)).key;
        const answer = await once(
          user,
          req.headers['idempotency-key'],
          'POST /accounts/:accountId/machine-tokens',
          accountId,
          req.body,
          (commandId) => ({
            type: 'IssueMachineToken',
            data: {
              ...req.body,
              lifetimeSeconds: req.body.lifetimeSeconds ?? Math.min(MACHINE_TOKEN_DEFAULT_SECONDS, maxLifetime),
              jti: tokenIdOf(commandId),
              kid: signing.kid,
            },
          }),
          tokenIdOf,
        );
        const record = answer.body;
        // The key that signed it, which may no longer be the current one when this is a replay.
        const key = record.kid === signing.kid ? signing : await unretiredKey(deps.sql, record.kid);
        if (!key) {
          throw new HttpProblem(409, 'Conflict', {
            code: 'signing_key_retired',
            detail:
              'Khoá đã ký mã này đã ngừng dùng; hãy cấp mã mới với Idempotency-Key mới. / The key that signed this token was retired; issue a new one with a new Idempotency-Key.',
          });
        }
        const token = await signMachineToken(key, accountId, record);
        req.log.info({ accountId, jti: record.jti, kid: key.kid, by: user.sub }, 'machine token issued');
        return reply
          .code(201)
          .header('idempotent-replayed', String(answer.replayed))
          .send({ ...record, token, tokenType: 'Bearer' as const });
      },
    );

    scoped.get(
      '/accounts/:accountId/machine-tokens',
      {
        schema: {
          summary:
            'The machine tokens of an account, newest first, without their text (admins who manage it, auditors)',
          tags: ['accounts'],
          security: [{ bearer: [] }, { session: [] }],
          params: accountParams,
          response: {
            200: z.object({ items: z.array(machineTokenSchema) }),
            403: commonProblems[403],
            ...queryProblems,
          },
        },
      },
      async (req) => {
        const user = principalOf(req);
        const account = await visibleAccount(user, req.params.accountId);
        const manages = administers({ role: user.role, office: user.jurisdiction }, account.homeJurisdiction);
        if (!manages && user.role !== 'auditor') {
          throw new HttpProblem(403, 'Forbidden', {
            code: 'forbidden',
            detail: `Chỉ quản trị viên của ${account.homeJurisdiction} (hoặc cấp trên) và kiểm toán viên xem mã của tài khoản này. / Only an admin of ${account.homeJurisdiction} (or above) and auditors list this account's tokens.`,
          });
        }
        const now = new Date().toISOString();
        const tokens = await listMachineTokens(deps.sql, account.accountId);
        return { items: tokens.map((t) => view(account.accountId, t, now)) };
      },
    );

    scoped.post(
      '/accounts/:accountId/machine-tokens/:jti/revoke',
      {
        schema: {
          summary: 'Revoke a machine token (thu hồi mã): the next request that carries it answers 401',
          tags: ['accounts'],
          security: [{ bearer: [] }, { session: [] }],
          headers: idempotencyHeaders,
          params: tokenParams,
          body: withReason,
          response: { 200: machineTokenSchema, ...commonProblems },
        },
      },
      async (req, reply) => {
        const user = principalOf(req);
        const { accountId, jti } = req.params;
        const answer = await once(
          user,
          req.headers['idempotency-key'],
          'POST /accounts/:accountId/machine-tokens/:jti/revoke',
          accountId,
          { jti, ...req.body },
          () => ({ type: 'RevokeMachineToken', data: { jti, reason: req.body.reason } }),
          () => jti,
        );
        req.log.info({ accountId, jti, by: user.sub }, 'machine token revoked');
        return reply.header('idempotent-replayed', String(answer.replayed)).send(answer.body);
      },
    );
  };
