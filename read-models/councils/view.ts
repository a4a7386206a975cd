import { z } from 'zod';
import type { Sql } from '../../db';
import { readStream } from '../../db/event-store';
import { councilSeatSchema, type CouncilSeat } from '../../domain/council';
import { councilResult, getSheet, type CouncilOutcome } from '../../domain/scoring';
import type { CaseWhereabouts, Viewer } from '../scope';
import { COUNCIL_EVENT_TYPES, isOwnSheet, seesOpenCouncilScores } from './confidentiality';

/*
 * The online council of a case's current (or last) evaluation: who sits on it, who has scored, and the result on the
 * real score sheet with its per-criterion breakdown and why a star was lowered. Derived from the case's council
 * events as they are stored, read from the event store when asked.
 */

export const councilSchema = z.object({
  productId: z.string(),
  sheetCode: z.string(),
  members: z.array(councilSeatSchema),
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
export type CouncilView = z.infer<typeof councilSchema>;

/**
 * The council as `user` may see it (the caller has checked they see the case), or null when none was convened.
 * While the council scores, a member's total is shown to that member and to the offices only.
 */
export async function councilOf(
  sql: Sql,
  user: Viewer,
  c: { productId: string } & Pick<CaseWhereabouts, 'provinceCode'>,
): Promise<CouncilView | null> {
  const { productId } = c;
  const rows = await readStream(sql, productId, { types: COUNCIL_EVENT_TYPES });
  const start = rows.map((r) => r.type).lastIndexOf('CouncilConvened');
  if (start < 0) return null;
  const convened = rows[start]!.data as {
    sheetCode: string;
    members: CouncilSeat[];
    quorum: number;
  };
  const latest = new Map<string, { total: number; selections: never[]; at: string }>();
  let recorded = false;
  for (const row of rows.slice(start + 1)) {
    if (row.type === 'CouncilResultRecorded') recorded = true;
    if (row.type !== 'CouncilScoresSubmitted') continue;
    const d = row.data as { memberId: string; total: number; selections: never[] };
    latest.set(d.memberId, { total: d.total, selections: d.selections, at: row.occurredAt });
  }
  // Council confidentiality (confidentiality.ts): while scoring, each sheet is its member's and the offices' only.
  const allShown = recorded || seesOpenCouncilScores(user, c);
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
      submittedAt: x.at,
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
}
