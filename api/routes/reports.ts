import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, requireCaller } from '../auth';
import type { AppDeps } from '../app';
import { HttpProblem, queryProblems } from '../problems';
import { localDateSchema } from '../../domain';
import { DIMENSIONS, figures, figuresCsv, figuresTable } from '../../read-models/reports/figures';
import { tableXlsx, XLSX_TYPE } from '../../reports/xlsx';
import { withTableExports } from '../schemas';

const figuresQuery = z.strictObject({
  by: z.enum(DIMENSIONS),
  by2: z.enum(DIMENSIONS).optional(),
  province: z
    .string()
    .regex(/^\d{2}$/)
    .optional(),
  /** Only products whose certificate was valid on this day. */
  inForceOn: localDateSchema.refine((d) => d >= '2000-01-01', 'a day from 2000').optional(),
  /** Place dimensions by today's units (after the 2025 merger) or by the units first recorded. */
  units: z.enum(['current', 'former']).default('current'),
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
});

/** Reports (báo cáo): figures by one or two dimensions, as JSON or CSV. */
export const reportRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);
    app.get(
      '/reports/figures',
      {
        schema: {
          summary: 'Figures by one or two dimensions (số liệu tổng hợp)',
          description:
            'Products in the caller’s jurisdiction counted by `by` and optionally `by2` (a different dimension), ' +
            'with names, not codes. `inForceOn`: only certificates valid that day. `units=former`: province, district ' +
            'and commune as the case was first recorded (the units before 01/07/2025), not today’s. `format=csv`: UTF-8 with BOM, ' +
            'Vietnamese headings; `format=xlsx`: an Excel workbook with the same table.',
          tags: ['reports'],
          security: [{ bearer: [] }],
          querystring: figuresQuery,
          response: {
            200: withTableExports(
              z.object({
                by: z.array(z.enum(DIMENSIONS)),
                rows: z.array(
                  z.object({
                    keys: z.array(z.string().nullable()),
                    names: z.array(z.string().nullable()),
                    count: z.number().int(),
                  }),
                ),
              }),
            ),
            ...queryProblems,
          },
        },
      },
      async (req, reply) => {
        const user = principalOf(req);
        const q = req.query;
        if (q.by2 !== undefined && q.by2 === q.by) {
          throw new HttpProblem(400, 'Bad Request', {
            detail: 'querystring.by2: phải khác by. — must differ from by',
            errors: [{ field: 'querystring.by2', message: 'phải khác by', messageEn: 'must differ from by' }],
          });
        }
        const by = q.by2 ? [q.by, q.by2] : [q.by];
        const rows = await figures(deps.sql, user, by, {
          province: q.province,
          inForceOn: q.inForceOn,
          units: q.units,
        });
        if (q.format === 'xlsx' || (req.headers.accept ?? '').includes(XLSX_TYPE)) {
          const book = await tableXlsx({
            sheet: 'Số liệu OCOP',
            title: 'Số liệu sản phẩm OCOP',
            ...figuresTable(by, rows),
          });
          return reply
            .header('content-type', XLSX_TYPE)
            .header('content-disposition', 'attachment; filename="so-lieu-ocop.xlsx"')
            .send(book as never);
        }
        const wantsCsv = q.format === 'csv' || (req.headers.accept ?? '').includes('text/csv');
        if (wantsCsv) {
          return reply
            .header('content-type', 'text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="so-lieu-ocop.csv"')
            .serializer((payload: unknown) => String(payload))
            .send(figuresCsv(by, rows));
        }
        return { by, rows };
      },
    );
  };
