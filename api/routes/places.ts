import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { actorOf, principalOf, requireCaller } from '../auth';
import { CommandGateway } from '../commands';
import { commonProblems } from '../problems';
import { rehomeCases } from '../rehoming';

const code = z.string().trim().min(1).max(64);
const placesSchema = z.object({
  provinceCode: z.string(),
  communeCode: z.string(),
  districtCode: z.string().nullable(),
});
const placeCodeSchema = z.object({ provinceCode: z.string(), communeCode: z.string() });

const rehomingBody = z.strictObject({
  /** Report what would be done without doing it; the default. Send `false` to move the cases. */
  dryRun: z.boolean().default(true),
  /** Only the cases of this old province (e.g. `02`, Hà Giang). */
  province: code.optional(),
  /** Recorded on each move; by default the 2025 arrangement and its resolution. */
  reason: z.string().trim().min(1).max(2000).optional(),
});

const rehomingReport = z.object({
  dryRun: z.boolean(),
  found: z.number().int(),
  moves: z.array(
    z.object({
      productId: z.string(),
      from: placesSchema,
      to: placeCodeSchema,
      status: z.enum(['planned', 'moved', 'failed']),
      error: z.string().optional(),
    }),
  ),
  toDecide: z.array(z.object({ productId: z.string(), from: placesSchema, candidates: z.array(placeCodeSchema) })),
  unknown: z.array(z.object({ productId: z.string(), from: placesSchema })),
});

/** The 2025 reform of administrative units, applied to the cases. */
export const placeRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);
    const gateway = new CommandGateway(deps.temporal.workflow, deps.taskQueue);

    app.post(
      '/places/rehoming',
      {
        schema: {
          summary:
            'Re-home every case of the units abolished on 01/07/2025 to their successors (sắp xếp lại địa bàn theo đơn vị hành chính mới)',
          description:
            'A dry run by default: lists each case at old places with the place the official mapping moves it to, ' +
            'the cases of old communes split between several new ones (to decide with `update-places`, one of the ' +
            'candidates) and places that match no old unit. With `dryRun: false`, moves each case with one ' +
            '`UpdatePlaces` (the old places stay in its history). Idempotent: a case already moved is not found ' +
            'again, and a retried move is the same command. An administrator re-homes every case, a provincial ' +
            'office those of its province and of the provinces it absorbed.',
          tags: ['administration'],
          security: [{ bearer: [] }],
          body: rehomingBody,
          response: { 200: rehomingReport, ...commonProblems },
        },
      },
      async (req) => {
        const user = principalOf(req);
        return rehomeCases(deps.sql, gateway, {
          actor: actorOf(user),
          dryRun: req.body.dryRun,
          province: req.body.province,
          reason: req.body.reason,
          onProgress: (p) =>
            req.log.info({ productId: p.productId, done: p.done, total: p.total, status: p.status }, 'rehoming'),
        });
      },
    );
  };
