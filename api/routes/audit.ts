import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bundleSchema, CaseNotFoundError, caseStateAsOf, exportCase, serializeBundle, verifyCase } from '../../audit';
import type { AppDeps } from '../app';
import { visibleCase } from '../access';
import { principalOf, requireCaller, type Principal } from '../auth';
import { HttpProblem, problemSchema, queryProblems } from '../problems';
import { productParams } from '../schemas';

/** Roles that may audit the cases they can see: they read and verify; they change nothing. */
const AUDITORS: ReadonlySet<Principal['role']> = new Set(['auditor', 'admin', 'ministry', 'provincial_office']);

export const verificationSchema = z.object({
  productId: z.string(),
  events: z.number().int(),
  headHash: z.string().nullable(),
  ok: z.boolean(),
  /** The first event whose stored hash or link does not recompute; null when the chain is intact. */
  firstBreak: z
    .object({
      streamId: z.string(),
      streamPosition: z.number().int(),
      eventId: z.string(),
      reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'position_gap']),
    })
    .nullable(),
  missingTail: z
    .object({
      from: z.number().int(),
      to: z.number().int(),
      detectedBy: z.array(z.enum(['checkpoint', 'read_model'])),
    })
    .nullable()
    .describe('Events deleted from the end of the stream, named by the last checkpoint or the read model'),
  checkpoint: z
    .object({
      seq: z.number().int(),
      takenAt: z.string(),
      streamPosition: z.number().int(),
      hash: z.string(),
      valid: z.boolean().describe('The checkpoint verifies: signature by the audit key, hash, root, link'),
      holds: z.boolean().describe('The stream still holds the checkpointed head'),
    })
    .nullable()
    .describe('The stream’s head in the last signed checkpoint; null when no checkpoint covers it yet'),
  readModelVersion: z.number().int().nullable(),
  problems: z.array(z.string()).describe('Every finding, in words; empty when ok'),
});

export const asOfSchema = z.object({
  productId: z.string(),
  at: z.string(),
  version: z.number().int(),
  lastEventAt: z.string().nullable(),
  state: z.looseObject({ status: z.string() }),
  summary: z.looseObject({ stage: z.string() }),
  chain: verificationSchema.describe('The verification of the stream this state was replayed from'),
});

/** The bundle as the document shows it: its canonical JSON and a newline; a later format may add members. */
export const exportBundleSchema = bundleSchema.loose();

/** The auditor's endpoints: a case's state as of an instant, its chain verified, and its signed export bundle. */
export const auditRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);

    /** A case the caller may audit, or 404 (also outside their jurisdiction), or 403 for a role that does not audit. */
    async function auditable(user: Principal, productId: string): Promise<void> {
      await visibleCase(deps.sql, user, productId);
      if (!AUDITORS.has(user.role)) {
        throw new HttpProblem(403, 'Forbidden', { code: 'forbidden', detail: `a ${user.role} does not audit cases` });
      }
    }

    /** Checkpoints must be signed by the audit key when this server has it. */
    const trustedKey = () => (deps.auditSigningKey ? { publicKey: deps.auditSigningKey } : {});

    /** A case whose read model exists but whose stream lost every event: nothing to serve, and it says why. */
    async function noEventsLeft(productId: string, err: unknown): Promise<never> {
      if (!(err instanceof CaseNotFoundError)) throw err;
      const chain = await verifyCase(deps.sql, productId, trustedKey());
      throw new HttpProblem(409, 'Conflict', {
        code: 'chain_broken',
        detail:
          `chuỗi sự kiện của hồ sơ ${productId} không còn sự kiện nào / the case's stream holds no events: ` +
          chain.problems.join('; '),
      });
    }

    app.get(
      '/products/:productId/state',
      {
        schema: {
          summary: 'A case’s state as of an instant: its events up to then replayed through the domain’s evolve',
          tags: ['audit'],
          security: [{ bearer: [] }],
          params: productParams,
          querystring: z.strictObject({ at: z.iso.datetime({ offset: true }) }),
          response: { 200: asOfSchema, ...queryProblems, 409: problemSchema },
        },
      },
      async (req) => {
        await auditable(principalOf(req), req.params.productId);
        const [asOf, chain] = await Promise.all([
          caseStateAsOf(deps.sql, req.params.productId, req.query.at).catch((err: unknown) =>
            noEventsLeft(req.params.productId, err),
          ),
          verifyCase(deps.sql, req.params.productId, trustedKey()),
        ]);
        return { ...asOf, state: { ...asOf.state }, summary: { ...asOf.summary }, chain };
      },
    );

    app.get(
      '/products/:productId/verification',
      {
        schema: {
          summary: 'Recompute a case’s hash chain and compare it with the last signed checkpoint and the read model',
          description:
            'Names the first altered event, and events deleted from the end of the stream ("missing tail"), found ' +
            'through the stream’s head in the last signed checkpoint or the read model’s version.',
          tags: ['audit'],
          security: [{ bearer: [] }],
          params: productParams,
          response: { 200: verificationSchema, ...queryProblems },
        },
      },
      async (req) => {
        await auditable(principalOf(req), req.params.productId);
        return verifyCase(deps.sql, req.params.productId, trustedKey());
      },
    );

    app.get(
      '/products/:productId/export',
      {
        schema: {
          summary: 'A signed bundle of the case’s events and the Temporal history of all its runs, verifiable offline',
          description:
            'Verify it with `npm run ocop -- audit import-verify <file> [--public-key <pem>]`. The bundle’s `chain` ' +
            'member says whether the stream verified when it was exported (`ok: false` with its problems, e.g. a ' +
            'missing tail); its `checkpoint` member is the last signed checkpoint with the inclusion proof of this ' +
            'stream’s head, so a truncated bundle is detected offline.',
          tags: ['audit'],
          security: [{ bearer: [] }],
          params: productParams,
          response: { 200: exportBundleSchema, ...queryProblems, 409: problemSchema },
        },
      },
      async (req, reply) => {
        await auditable(principalOf(req), req.params.productId);
        if (!deps.auditSigningKey) {
          throw new HttpProblem(503, 'Service Unavailable', { detail: 'no audit signing key is configured' });
        }
        const bundle = await exportCase({
          sql: deps.sql,
          client: deps.temporal,
          productId: req.params.productId,
          signingKey: deps.auditSigningKey,
        }).catch((err: unknown) => noEventsLeft(req.params.productId, err));
        return reply
          .type('application/json')
          .header('content-disposition', `attachment; filename="ocop-${req.params.productId}.bundle.json"`)
          .serializer((payload: unknown) => serializeBundle(payload as typeof bundle))
          .send(bundle);
      },
    );
  };
