import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { actorOf, principalOf, requireCaller } from '../auth';
import { CommandGateway } from '../commands';
import { commonProblems } from '../problems';
import { rehomeCases } from '../rehoming';
import { communesOfProvince, provinceOfCommune, provinces } from '../../domain/places';
import { communeName, provinceName } from '../../read-models/search/queries';

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

const unitSchema = z.object({ code: z.string(), name: z.string() });
const codesQuery = z.strictObject({
  /** Comma-separated codes of provinces (2 digits) or communes (5 digits), of either era. */
  codes: z
    .string()
    .max(2000)
    .regex(/^\d{2,5}(,\d{2,5}){0,199}$/, 'mã địa bàn cách nhau bởi dấu phẩy / comma-separated unit codes'),
});

/** A unit's name by its code (null when no province or commune of either era has it), and a commune's province. */
function unitOf(code: string): { code: string; name: string | null; provinceCode: string | null } {
  const name = code.length <= 2 ? provinceName(code) : communeName(code);
  if (name === code) return { code, name: null, provinceCode: null };
  if (code.length <= 2) return { code, name, provinceCode: code };
  let province: string | null = null;
  for (const era of ['current', 'legacy'] as const) {
    try {
      province = provinceOfCommune(code, era);
      break;
    } catch {
      /* the other era */
    }
  }
  return { code, name, provinceCode: province };
}

/** The 2025 reform of administrative units, applied to the cases; and the units' names, for the screens. */
export const placeRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);
    const gateway = new CommandGateway(deps.temporal.workflow, deps.taskQueue);

    app.get(
      '/places',
      {
        schema: {
          summary: 'The provinces of the current map and, with `province`, its communes (đơn vị hành chính)',
          tags: ['reference'],
          security: [{ bearer: [] }],
          querystring: z.strictObject({
            province: z
              .string()
              .regex(/^\d{2}$/, '2 chữ số / 2 digits')
              .optional(),
          }),
          response: {
            200: z.object({ provinces: z.array(unitSchema), communes: z.array(unitSchema) }).meta({ id: 'Places' }),
            ...commonProblems,
          },
        },
      },
      async (req) => {
        const all = provinces().map((p) => ({ code: p.code, name: p.name }));
        const province = req.query.province;
        const communes =
          province && all.some((p) => p.code === province)
            ? communesOfProvince(province).map((c) => ({ code: c.code, name: c.name }))
            : [];
        return { provinces: all, communes };
      },
    );

    app.get(
      '/places/names',
      {
        schema: {
          summary: 'The names of provinces and communes by their codes (tên địa bàn), of either era',
          description: 'A code that names no unit answers `name: null`; a commune’s answer names its province.',
          tags: ['reference'],
          security: [{ bearer: [] }],
          querystring: codesQuery,
          response: {
            200: z
              .object({
                names: z.array(
                  z.object({ code: z.string(), name: z.string().nullable(), provinceCode: z.string().nullable() }),
                ),
              })
              .meta({ id: 'PlaceNames' }),
            ...commonProblems,
          },
        },
      },
      async (req) => ({
        names: [...new Set(req.query.codes.split(','))].map(unitOf),
      }),
    );

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
