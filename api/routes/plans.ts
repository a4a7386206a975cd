import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { principalOf, requireCaller, type Principal } from '../auth';
import { fingerprintOf, Idempotency } from '../idempotency';
import { listPlans, planIdOf, planProgress, recordPlan, visiblePlan, type PlanInput } from '../plans';
import { commonProblems, queryProblems } from '../problems';
import { idempotencyHeaders } from '../schemas';
import { csvOf, tableXlsx, XLSX_TYPE } from '../../reports/xlsx';

const count = z.number().int().min(0).max(1_000_000);
const targetsSchema = z.strictObject({
  recognisedNew: count.optional(),
  recognisedTotal: count.optional(),
  byStar: z.strictObject({ 3: count.optional(), 4: count.optional(), 5: count.optional() }).optional(),
  dossiersCentral: count.optional(),
  communesCovered: count.optional(),
  upgrades: count.optional(),
  renewals: count.optional(),
  /** Percent (0–100) of the subjects of 3★+ products that are cooperatives, and that are SMEs. */
  cooperativeShare: z.number().int().min(0).max(100).optional(),
  smeShare: z.number().int().min(0).max(100).optional(),
});
const periodSchema = z.strictObject({
  from: z.number().int().min(2018).max(2100),
  to: z.number().int().min(2018).max(2100),
});
const planBody = z.strictObject({
  level: z.enum(['province', 'commune', 'district']),
  /** The province's, commune's or (before 2025) district's code. */
  jurisdiction: z.string().regex(/^\d{2,5}$/, 'a unit code of 2 to 5 digits'),
  period: periodSchema,
  targets: targetsSchema,
  /** Why the plan is revised (kept in its history). */
  reason: z.string().trim().min(1).max(500).optional(),
});
const planSchema = z.object({
  planId: z.string(),
  level: z.enum(['province', 'commune', 'district']),
  jurisdiction: z.string(),
  period: z.object({ from: z.number(), to: z.number() }),
  targets: targetsSchema,
});
const planStateSchema = z.object({
  planId: z.string(),
  current: planSchema.nullable(),
  versions: z.array(
    z.object({
      plan: planSchema,
      by: z.string(),
      on: z.string(),
      kind: z.enum(['adopted', 'revised']),
      reason: z.string().optional(),
    }),
  ),
});
const planParams = z.strictObject({
  planId: z.string().regex(/^plan:(province|commune|district):\d{2,5}:\d{4}-\d{4}$/),
});

/** Plans (kế hoạch OCOP) of a province, commune or (before 2025) district, and progress against them. */
export const planRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);
    const idempotency = new Idempotency(deps.sql);
    type PlanAnswer = Awaited<ReturnType<typeof recordPlan>>['plan'];
    function once(user: Principal, key: string, route: string, input: PlanInput, revise?: string) {
      return idempotency.once<PlanAnswer>({
        user,
        key,
        fingerprint: fingerprintOf(route, revise ?? '', input),
        target: revise ?? planIdOf(input.level, input.jurisdiction, input.period),
        admit: async () => undefined,
        checkReplay: async (planId) => void (await visiblePlan(deps.sql, user, planId)),
        run: async () => {
          const { plan } = await recordPlan(deps.sql, { user, key, input, ...(revise ? { revise } : {}) });
          return { status: revise ? 200 : 201, body: plan };
        },
        definitive: () => true,
      });
    }

    app.post(
      '/plans',
      {
        schema: {
          summary: 'Adopt a plan (ban hành kế hoạch OCOP) of a unit for a year or a phase, with its targets',
          description:
            'By the unit’s office (a province’s for itself and its communes, a commune’s for itself) or an admin ' +
            'above it. One plan per unit and period: a change is a revision (PUT), which keeps this one in the history.',
          tags: ['plans'],
          security: [{ bearer: [] }],
          headers: idempotencyHeaders,
          body: planBody,
          response: { 201: planStateSchema, 200: planStateSchema, ...commonProblems },
        },
      },
      async (req, reply) => {
        const answer = await once(principalOf(req), req.headers['idempotency-key'], 'POST /plans', req.body);
        return reply
          .code(answer.status === 200 ? 200 : 201)
          .header('location', `/plans/${encodeURIComponent(answer.body.planId)}`)
          .send(answer.body);
      },
    );

    app.put(
      '/plans/:planId',
      {
        schema: {
          summary: 'Revise a plan (điều chỉnh kế hoạch): the earlier version stays in its history',
          tags: ['plans'],
          security: [{ bearer: [] }],
          headers: idempotencyHeaders,
          params: planParams,
          body: planBody,
          response: { 200: planStateSchema, ...commonProblems },
        },
      },
      async (req) => {
        const route = 'PUT /plans/:planId';
        return (await once(principalOf(req), req.headers['idempotency-key'], route, req.body, req.params.planId)).body;
      },
    );

    app.get(
      '/plans',
      {
        schema: {
          summary: 'The plans the caller may read (kế hoạch OCOP), of a level, unit or year if asked',
          tags: ['plans'],
          security: [{ bearer: [] }],
          querystring: z.strictObject({
            level: z.enum(['province', 'commune', 'district']).optional(),
            jurisdiction: z
              .string()
              .regex(/^\d{2,5}$/, 'a unit code of 2 to 5 digits')
              .optional(),
            /** Plans whose period holds this year. */
            year: z.coerce.number().int().min(2018).max(2100).optional(),
          }),
          response: { 200: z.object({ items: z.array(planStateSchema) }), ...queryProblems },
        },
      },
      async (req) => ({ items: await listPlans(deps.sql, principalOf(req), req.query) }),
    );

    app.get(
      '/plans/:planId',
      {
        schema: {
          summary: 'A plan and every earlier version of it',
          tags: ['plans'],
          security: [{ bearer: [] }],
          params: planParams,
          response: { 200: planStateSchema, ...queryProblems },
        },
      },
      async (req) => visiblePlan(deps.sql, principalOf(req), req.params.planId),
    );

    app.get(
      '/plans/:planId/progress',
      {
        schema: {
          summary: 'Progress of a plan (tiến độ thực hiện kế hoạch): actual against target, and the summary sentence',
          description:
            'Each target with what was achieved and the percentage; the sentence of a year-end report ("Năm 2026 ' +
            'công nhận 17 sản phẩm, …, đạt 113% so với kế hoạch"); the communes still without a 3★+ product in ' +
            'force at the period’s end; and the list of certificates behind the figures.',
          tags: ['plans'],
          security: [{ bearer: [] }],
          params: planParams,
          querystring: z.strictObject({
            /** `csv` (UTF-8 with BOM) or `xlsx`: the table of targets, actuals and percentages, in Vietnamese. */
            format: z.enum(['json', 'csv', 'xlsx']).default('json'),
          }),
          response: {
            200: z.object({
              planId: z.string(),
              period: z.object({ from: z.number(), to: z.number() }),
              lines: z.array(
                z.object({
                  measure: z.string(),
                  label: z.string(),
                  target: z.number(),
                  actual: z.number(),
                  percent: z.number().nullable(),
                }),
              ),
              sentence: z.string(),
              communesWithoutProduct: z.array(z.object({ code: z.string(), name: z.string() })),
              casesUrl: z.string(),
            }),
            ...queryProblems,
          },
        },
      },
      async (req, reply) => {
        const progress = await planProgress(deps.sql, principalOf(req), req.params.planId);
        if (req.query.format === 'json') return progress;
        const table = {
          head: ['Chỉ tiêu', 'Kế hoạch', 'Thực hiện', 'Tỷ lệ (%)'],
          rows: progress.lines.map((l) => [l.label, l.target, l.actual, l.percent]),
        };
        const name = `tien-do-${req.params.planId.replaceAll(':', '-')}`;
        if (req.query.format === 'xlsx') {
          const book = await tableXlsx({ sheet: 'Tiến độ kế hoạch', title: progress.sentence, ...table });
          return reply
            .header('content-type', XLSX_TYPE)
            .header('content-disposition', `attachment; filename="${name}.xlsx"`)
            .send(book as never);
        }
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}.csv"`)
          .serializer((payload: unknown) => String(payload))
          .send(csvOf(table.head, table.rows) as never);
      },
    );
  };
