import { z } from 'zod';
import type { Sql } from '../../db';
import { readStream } from '../../db/event-store';
import { COUNCIL_EVENT_TYPES, isOwnSheet, openCouncilSheets, seesOpenCouncilScores } from '../councils/confidentiality';
import type { CaseWhereabouts, Viewer } from '../scope';

/*
 * A case's history (lịch sử hồ sơ): its recorded events as they are stored, read from the event store page by page,
 * with the sheets of a council still scoring withheld from whoever may not read them yet.
 */

export const historySchema = z.object({
  productId: z.string(),
  items: z.array(
    z.object({
      position: z.number().int(),
      type: z.string(),
      data: z.unknown(),
      actor: z.object({ userId: z.string(), role: z.string(), office: z.string() }),
      commandId: z.string(),
      occurredAt: z.string(),
      recordedAt: z.string(),
      ruleSetId: z.string(),
    }),
  ),
  nextAfter: z.number().int().nullable(),
});
export type CaseHistoryPage = z.infer<typeof historySchema>;

/** One page of a case's events after a position, as `user` may read them; the caller has checked they see the case. */
export async function caseHistory(
  sql: Sql,
  user: Viewer,
  c: { productId: string } & Pick<CaseWhereabouts, 'provinceCode'>,
  page: { after: number; limit: number },
): Promise<CaseHistoryPage> {
  const events = await readStream(sql, c.productId, { from: page.after + 1, limit: page.limit + 1 });
  const shown = events.slice(0, page.limit);
  let items: CaseHistoryPage['items'] = shown.map((e) => ({
    position: e.streamPosition,
    type: e.type,
    data: e.data,
    actor: e.actor,
    commandId: e.commandId,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
    ruleSetId: e.ruleSetId,
  }));
  if (!seesOpenCouncilScores(user, c)) {
    // Council confidentiality: a sheet of a council still scoring shows who scored and when, not what.
    const confidential = openCouncilSheets(await readStream(sql, c.productId, { types: COUNCIL_EVENT_TYPES }));
    items = items.map((item) => {
      if (!confidential.has(item.position)) return item;
      const { memberId, submittedOn } = item.data as { memberId: string; submittedOn: string };
      return isOwnSheet(user, memberId) ? item : { ...item, data: { memberId, submittedOn, withheld: true } };
    });
  }
  const last = items.at(-1);
  return { productId: c.productId, items, nextAfter: events.length > page.limit && last ? last.position : null };
}
