import { z } from 'zod';
import type { Sql } from '../db';
import { appendToStream, WrongExpectedVersionError } from '../db/event-store';
import { canonicalJson } from '../db/canonical';
import { ROLES } from '../domain';
import { textIssues } from '../domain/text';
import { caseStateOf } from '../read-models/case-model';
import { projectAppend } from '../read-models/registry';
import type { Logger } from '../config/logger';
import type { Notice, NotificationOffsets } from '../domain/notifications';
import type { TransactionSql } from '../db';
import { noticeSchema } from './notifications';
import { CaseFailureType, caseFailure } from '../temporal/failures';

export const recordEventsInput = z.object({
  productId: z.string().min(1),
  commandId: z.string().min(1),
  expectedVersion: z.number().int().min(0),
  actor: z.object({ userId: z.string(), role: z.enum(ROLES), office: z.string() }),
  occurredAt: z.iso.datetime(),
  ruleSetId: z.string().min(1),
  events: z.array(z.object({ type: z.string().min(1), data: z.unknown() })).min(1),
  /**
   * The case state after the events, sent by runs started before lean-answer-v1 only, and compared with the state
   * the read models fold from the events (which they follow either way).
   */
  state: z.looseObject({ status: z.string() }).optional(),
  /** Notices the events cause: their outbox rows are written in the same transaction (runs from outbox-v1 on). */
  notices: z.array(noticeSchema).max(500).optional(),
  /** Also answer with the deployment's reminder offsets (a run's first append, from catch-up-v1 on). */
  withOffsets: z.literal(true).optional(),
});
export type RecordEventsInput = z.infer<typeof recordEventsInput>;

export interface RecordEventsResult {
  version: number;
  duplicate: boolean;
  /** The reminder offsets, when asked for with `withOffsets`. */
  offsets?: NotificationOffsets;
}

export interface RecordDeps {
  sql: Sql;
  log: Logger;
  /** Writes the outbox rows of notices inside the append's transaction. */
  enqueueNotices: (tx: TransactionSql, notices: readonly Notice[]) => Promise<number>;
  /** Tells the worker's notification sender that rows were committed. */
  wake?: () => void;
  /** The deployment's reminder offsets, handed to a run with its first append. */
  offsets: NotificationOffsets;
}

/** Activities that keep the records: the event store, the read models and the notification outbox, in one transaction. */
export function createRecordActivities(deps: RecordDeps) {
  return {
    async recordEvents(raw: RecordEventsInput): Promise<RecordEventsResult> {
      const parsed = recordEventsInput.safeParse(raw);
      if (!parsed.success) {
        throw caseFailure(CaseFailureType.InvalidActivityInput, z.prettifyError(parsed.error));
      }
      const input = parsed.data;
      // What storage cannot hold fails the command at once: retrying would only hold the case's turn for ever.
      const unstorable = textIssues(raw, { bidi: false, limit: 1 })[0];
      if (unstorable) {
        throw caseFailure(CaseFailureType.UnrecordableCommand, `${unstorable.path.join('.')}: ${unstorable.message}`);
      }
      const notices = (input.notices ?? []) as Notice[];
      let enqueued = 0;
      try {
        const result = await appendToStream(
          deps.sql,
          {
            streamId: input.productId,
            commandId: input.commandId,
            expectedVersion: input.expectedVersion,
            actor: input.actor,
            occurredAt: input.occurredAt,
            ruleSetId: input.ruleSetId,
            events: input.events,
          },
          async (tx, appended) => {
            // The read models are folded from the stored events; a run before lean-answer-v1 also sends its own
            // state, which must agree with them.
            const projected = caseStateOf(await projectAppend(tx, input.productId, appended));
            if (input.state && projected && canonicalJson(projected) !== canonicalJson(input.state)) {
              deps.log.error(
                { productId: input.productId, commandId: input.commandId },
                'workflow state differs from the state folded from its events; the read models follow the events',
              );
            }
            // The notices commit with their events, or neither does; the sender delivers them after the commit.
            if (notices.length > 0) enqueued = await deps.enqueueNotices(tx, notices);
          },
        );
        if (enqueued > 0) deps.wake?.();
        deps.log.info(
          {
            productId: input.productId,
            commandId: input.commandId,
            version: result.version,
            duplicate: result.duplicate,
          },
          result.duplicate ? 'events already recorded' : 'events recorded',
        );
        return {
          version: result.version,
          duplicate: result.duplicate,
          ...(input.withOffsets ? { offsets: deps.offsets } : {}),
        };
      } catch (err) {
        if (err instanceof WrongExpectedVersionError) {
          // Only the case's own workflow writes its stream, so this is a defect: stop retrying and say so.
          throw caseFailure(CaseFailureType.WrongExpectedVersion, err.message);
        }
        if (isPermanentDataError(err)) {
          // PostgreSQL refused the values themselves (a data exception, a constraint the command breaks): the same
          // command fails the same way on every retry, so it fails now and the workflow gives the case's turn back.
          // Outages, deadlocks and serialization failures stay retryable.
          deps.log.warn(
            { productId: input.productId, commandId: input.commandId, code: err.code, err },
            'the records refuse this command',
          );
          throw caseFailure(CaseFailureType.UnrecordableCommand, `PostgreSQL ${err.code}: ${err.message}`);
        }
        throw err;
      }
    },
  };
}

/**
 * A PostgreSQL error no retry can cure: SQLSTATE class 22 (data exception) or 23 (integrity constraint violation).
 * The append's own idempotency never raises one (a repeated command is found before the insert, under the stream's
 * lock), so a 23xxx here is a constraint the command's values break.
 */
export function isPermanentDataError(err: unknown): err is Error & { code: string } {
  const e = err as { name?: string; code?: unknown } | null;
  return (
    e?.name === 'PostgresError' && typeof e.code === 'string' && (e.code.startsWith('22') || e.code.startsWith('23'))
  );
}
