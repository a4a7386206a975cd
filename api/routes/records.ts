import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { STAGES } from '../../domain';
import type { AppDeps } from '../app';
import { principalOf, requireCaller } from '../auth';
import { listAnswer } from '../paging';
import { HttpProblem, queryProblems } from '../problems';
import { listCertificates } from '../../read-models/certificates/queries';
import { CERTIFICATE_STATUSES } from '../../read-models/certificates/row';
import { certificateViewSchema } from '../../read-models/certificates/view';
import {
  statistics,
  statisticsSchema,
  STATISTICS_DIMENSIONS,
  STATISTICS_UNITS,
} from '../../read-models/counts/queries';
import { caseFilterQuery, commaList, pageQuery } from '../schemas';

const { province, commune, star, productSet, year, expiringBefore } = caseFilterQuery;
const certificatesQuery = z.strictObject({
  province,
  commune,
  star,
  productSet,
  /** Year of issue. */
  year,
  expiringBefore,
  /** One status or several, comma-separated; default `valid`. */
  status: commaList(CERTIFICATE_STATUSES).optional(),
  ...pageQuery,
});
const statisticsQuery = z.strictObject({
  /** Count cases (status = stage) or certificates (status = valid, expired, revoked, replaced). */
  kind: z.enum(['case', 'certificate']).default('case'),
  groupBy: z.enum(STATISTICS_DIMENSIONS).default('province'),
  /**
   * `current` (default): the units since 01/07/2025, a case not yet re-homed counted under its successor; `former`:
   * the places each case was first recorded at (old province, district and commune for cases from before 2025).
   */
  units: z.enum(STATISTICS_UNITS).default('current'),
  province,
  /** Only with units=former: an old district (cấp huyện, until 30/06/2025). */
  district: z.string().trim().min(1).max(64).optional(),
  commune,
  productSet,
  /** Stages or certificate statuses, comma-separated. */
  status: commaList([...STAGES, ...CERTIFICATE_STATUSES]).optional(),
  star: z.coerce.number().int().min(0).max(5).optional(),
  /** Year registered (cases) or issued (certificates). */
  year,
});

/** Certificates and statistics, from the read models, within the caller's jurisdiction. */
export const recordRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);

    app.get(
      '/certificates',
      {
        schema: {
          summary: 'OCOP certificates (giấy chứng nhận sản phẩm OCOP) of the cases in the caller’s jurisdiction',
          description: 'By default those in force (`status=valid`); every certificate a case has held is kept.',
          tags: ['records'],
          security: [{ bearer: [] }],
          querystring: certificatesQuery,
          response: {
            200: z.object({ items: z.array(certificateViewSchema), nextCursor: z.string().nullable() }),
            ...queryProblems,
          },
        },
      },
      async (req) => {
        const user = principalOf(req);
        return listAnswer(req.query, (filters, page) => listCertificates(deps.sql, user, filters, page));
      },
    );

    app.get(
      '/statistics',
      {
        schema: {
          summary: 'Case or certificate counts (thống kê) in the caller’s jurisdiction, grouped by one dimension',
          description:
            'Cases count under their stage, with star = the certificate in force (0: none) and year = year registered; ' +
            'certificates under their status, with year = year issued. `units=current` counts by the units since ' +
            '01/07/2025, `units=former` by the places each case was first recorded at (with `groupBy=district` for ' +
            'the years before 2025).',
          tags: ['records'],
          security: [{ bearer: [] }],
          querystring: statisticsQuery,
          response: { 200: statisticsSchema, ...queryProblems },
        },
      },
      async (req) => {
        const user = principalOf(req);
        const { kind, groupBy, units, ...filters } = req.query;
        if (units === 'current' && (groupBy === 'district' || filters.district)) {
          throw new HttpProblem(400, 'Bad Request', {
            detail:
              'units: cấp huyện không còn từ 01/07/2025, thống kê theo huyện dùng units=former. — units: districts ' +
              'were abolished on 01/07/2025; group or filter by district with units=former.',
            errors: [
              {
                field: 'querystring.units',
                message: 'thống kê theo huyện cần units=former',
                messageEn: 'districts need units=former',
              },
            ],
          });
        }
        return statistics(deps.sql, user, kind, groupBy, filters, { units });
      },
    );
  };
