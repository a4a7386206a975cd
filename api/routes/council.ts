import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { councilResult, getSheet, type CouncilOutcome } from '../../domain/scoring';
import type { AppDeps } from '../app';
import { canSee, isOwnSheet, seesOpenCouncilScores } from '../access';
import { principalOf, requireCaller } from '../auth';
import { HttpProblem, queryProblems } from '../problems';
import { getCaseDetail } from '../queries';
import { productParams } from '../schemas';

interface CouncilEventRow {
  type: 'CouncilConvened' | 'CouncilScoresSubmitted' | 'CouncilResultRecorded';
  data: Record<string, unknown>;
  occurred_at: Date;
}

const member = z.object({ memberId: z.string(), role: z.enum(['chair', 'member', 'secretary']) });
export const councilSchema = z.object({
  productId: z.string(),
  sheetCode: z.string(),
  members: z.array(member),
  quorum: z.number().int(),
  /** `scoring` while sheets come in; `recorded` once the council's result is in the case's record. */
  status: z.enum(['scoring', 'recorded']),
  /** Sheets in. While scoring, `total` is null except for the caller's own sheet or an office's view. */
  submitted: z.array(z.object({ memberId: z.string(), total: z.number().nullable(), submittedAt: z.string() })),
  awaiting: z.array(z.string()),
  /**
   * The members' sheets so far, computed on the real score sheet; null before the first sheet, and while scoring for
   * everyone but the offices (the provincial office, the Ministry, administrators and auditors).
   */
  result: z
    .object({
      averageScore: z.number(),
      bandStar: z.number().int(),
      star: z.number().int(),
      /** Why the star is below the band: each starred minimum the members' average did not reach. */
      lowered: z
        .object({
          from: z.number().int(),
          to: z.number().int(),
          unmetMinimums: z.array(
            z.object({
              level: z.number().int(),
              criterionId: z.string(),
              criterionTitle: z.string(),
              requiredPoints: z.number(),
              averagePoints: z.number(),
            }),
          ),
        })
        .nullable(),
      partAverages: z.record(z.string(), z.number()),
      breakdown: z.array(
        z.object({
          partId: z.string(),
          criterionId: z.string(),
          title: z.string(),
          maxPoints: z.number(),
          averagePoints: z.number(),
          choices: z.array(
            z.object({ memberId: z.string(), optionId: z.string(), points: z.number(), note: z.string().nullable() }),
          ),
        }),
      ),
    })
    .nullable(),
});

/**
 * The online council of a case's current (or last) evaluation: who sits on it, who has scored, and the result on the
 * real score sheet with its per-criterion breakdown and why a star was lowered. Derived from the recorded events.
 */
export const councilRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);
    app.get(
      '/products/:productId/council',
      {
        schema: {
          summary: 'The council scoring a dossier (Hội đồng đánh giá): members, sheets in, per-criterion breakdown',
          description:
            'While the council scores, a member’s total is shown to that member and to the offices (the provincial ' +
            'office of the province, the Ministry, administrators, auditors) only, and the result so far to the ' +
            'offices only; once the result is recorded, the breakdown is shown to all who see the case.',
          tags: ['evaluation'],
          security: [{ bearer: [] }],
          params: productParams,
          response: { 200: councilSchema, ...queryProblems },
        },
      },
      async (req) => {
        const user = principalOf(req);
        const { productId } = req.params;
        const found = await getCaseDetail(deps.sql, productId);
        if (!found || !canSee(user, found))
          throw new HttpProblem(404, 'Not Found', { detail: `no product ${productId}` });
        const rows = await deps.sql<CouncilEventRow[]>`
          SELECT type, data, occurred_at FROM events
          WHERE stream_id = ${productId}
            AND type IN ('CouncilConvened', 'CouncilScoresSubmitted', 'CouncilResultRecorded')
          ORDER BY stream_position`;
        const start = rows.map((r) => r.type).lastIndexOf('CouncilConvened');
        if (start < 0) throw new HttpProblem(404, 'Not Found', { detail: `no council was convened for ${productId}` });
        const convened = rows[start]!.data as {
          sheetCode: string;
          members: z.infer<typeof member>[];
          quorum: number;
        };
        const latest = new Map<string, { total: number; selections: never[]; at: Date }>();
        let recorded = false;
        for (const row of rows.slice(start + 1)) {
          if (row.type === 'CouncilResultRecorded') recorded = true;
          if (row.type !== 'CouncilScoresSubmitted') continue;
          const d = row.data as { memberId: string; total: number; selections: never[] };
          latest.set(d.memberId, { total: d.total, selections: d.selections, at: row.occurred_at });
        }
        // Council confidentiality (api/access.ts): while scoring, each sheet is its member's and the offices' only.
        const allShown = recorded || seesOpenCouncilScores(user, found);
        const shown = (memberId: string) => allShown || isOwnSheet(user, memberId);
        const scoring = convened.members.filter((m) => m.role !== 'secretary').map((m) => m.memberId);
        const sheet = getSheet(convened.sheetCode);
        // Shown as if closed by the chair with whatever is in, so a partial council's averages can be read too.
        const outcome: CouncilOutcome | null =
          latest.size === 0 || !allShown
            ? null
            : councilResult(sheet, {
                members: convened.members,
                submissions: [...latest].map(([memberId, x]) => ({ memberId, selections: x.selections })),
                closedByChair: true,
                quorum: 1,
              });
        const final = outcome?.status === 'final' ? outcome : null;
        return {
          productId,
          sheetCode: convened.sheetCode,
          members: convened.members,
          quorum: convened.quorum,
          status: recorded ? ('recorded' as const) : ('scoring' as const),
          submitted: [...latest].map(([memberId, x]) => ({
            memberId,
            total: shown(memberId) ? x.total : null,
            submittedAt: x.at.toISOString(),
          })),
          awaiting: scoring.filter((id) => !latest.has(id)),
          result: final && {
            averageScore: final.averageScore,
            bandStar: final.bandStar,
            star: final.star,
            lowered: final.lowered && {
              from: final.lowered.from,
              to: final.lowered.to,
              unmetMinimums: final.lowered.unmetMinimums.map((m) => ({
                level: m.level,
                criterionId: m.criterionId,
                criterionTitle: m.criterionTitle,
                requiredPoints: m.requiredPoints,
                averagePoints: m.averagePoints,
              })),
            },
            partAverages: { ...final.partAverages },
            breakdown: final.breakdown.map((b) => ({
              partId: b.partId,
              criterionId: b.criterionId,
              title: b.title,
              maxPoints: b.maxPoints,
              averagePoints: b.averagePoints,
              choices: b.choices.map((c) => ({ ...c })),
            })),
          },
        };
      },
    );
  };
