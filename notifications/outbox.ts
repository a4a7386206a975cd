import type { PendingQuery, Row } from 'postgres';
import type { Sql, TransactionSql } from '../db';
import type { Notice } from '../domain/notifications';
import type { Language } from './templates';

/*
 * The outbox: one row per (notice key, channel, recipient). The unique key makes enqueueing idempotent; the status
 * makes sending so: a row is claimed (pending → sending, with a lease), sent, then marked sent. See README.
 */

export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'unconfirmed', 'dead'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
export type OutboxChannel = 'email' | 'webhook' | 'inbox' | 'none';

export interface OutboxRow {
  id: number;
  outboxKey: string;
  noticeKey: string;
  channel: OutboxChannel;
  recipient: string;
  language: Language;
  notice: Notice;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  updatedAt: string;
}

export interface NewOutboxRow {
  outboxKey: string;
  notice: Notice;
  channel: OutboxChannel;
  recipient: string;
  language: Language;
  /** `dead` with an error for a notice nobody can receive, so it shows among the dead letters. */
  status?: 'pending' | 'dead';
  lastError?: string | null;
}

interface DbRow {
  id: string;
  outbox_key: string;
  notice_key: string;
  channel: OutboxChannel;
  recipient: string;
  language: Language;
  notice: Notice;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
  updated_at: Date;
}

function toRow(r: DbRow): OutboxRow {
  return {
    id: Number(r.id),
    outboxKey: r.outbox_key.trim(),
    noticeKey: r.notice_key,
    channel: r.channel,
    recipient: r.recipient,
    language: r.language,
    notice: r.notice,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    sentAt: r.sent_at ? r.sent_at.toISOString() : null,
    updatedAt: r.updated_at.toISOString(),
  };
}

/**
 * Inserts the rows that do not exist yet, on a connection or inside the caller's transaction (the append of the
 * events that caused the notices). @returns the rows this call created.
 */
export async function enqueue(sql: Sql | TransactionSql, rows: readonly NewOutboxRow[]): Promise<OutboxRow[]> {
  if (rows.length === 0) return [];
  const values = rows.map((r) => ({
    outbox_key: r.outboxKey,
    notice_key: r.notice.key,
    channel: r.channel,
    recipient: r.recipient,
    language: r.language,
    kind: r.notice.kind,
    product_id: r.notice.productId,
    audience: r.notice.audience,
    audience_code: r.notice.audienceCode,
    notice: sql.json(r.notice as unknown as Parameters<Sql['json']>[0]),
    status: r.status ?? 'pending',
    last_error: r.lastError ?? null,
  }));
  const created = await sql<DbRow[]>`
    INSERT INTO notification_outbox ${sql(values)}
    ON CONFLICT (notice_key, channel, recipient) DO NOTHING
    RETURNING *`;
  return created.map(toRow);
}

/**
 * Rows whose sender's lease ran out while `sending`: the sender died somewhere between claiming and marking, so
 * whether the recipient got the message is unknown. E-mail cannot be taken back or deduplicated by the SMTP
 * server, so it becomes `unconfirmed` and is not sent again; webhook and inbox rows go back to `pending` (the
 * receiver deduplicates on `Idempotency-Key`; the inbox on its unique key), or `dead` when out of attempts.
 * `noticeKeys` null: every such row (the sender's sweep).
 */
export async function recoverStale(
  sql: Sql,
  noticeKeys: readonly string[] | null,
  maxAttempts: number,
): Promise<OutboxRow[]> {
  const rows = await sql<DbRow[]>`
    UPDATE notification_outbox SET
      status = CASE WHEN channel = 'email' THEN 'unconfirmed'
                    WHEN attempts >= ${maxAttempts} THEN 'dead' ELSE 'pending' END,
      last_error = CASE WHEN channel = 'email'
        THEN 'the sender stopped between sending and recording it; not re-sent to avoid a duplicate'
        ELSE coalesce(last_error, 'the sender stopped before recording the result') END,
      claimed_until = NULL,
      updated_at = now()
    WHERE status = 'sending' AND claimed_until < now()
      AND (${noticeKeys === null}::boolean OR notice_key = ANY(${(noticeKeys ?? []) as string[]}))
    RETURNING *`;
  return rows.map(toRow);
}

/** Claims one pending row of these notices not in `skip`: pending → sending, one more attempt, a lease. */
export async function claimNext(
  sql: Sql,
  noticeKeys: readonly string[],
  skip: readonly number[],
  leaseSeconds: number,
): Promise<OutboxRow | null> {
  return claimOne(
    sql,
    leaseSeconds,
    sql`SELECT id FROM notification_outbox
        WHERE notice_key = ANY(${noticeKeys as string[]}) AND status = 'pending'
          AND NOT (id = ANY(${skip.map(String)}::bigint[]))
        ORDER BY id LIMIT 1
        FOR UPDATE SKIP LOCKED`,
  );
}

/**
 * Claims the oldest due row of any notice on one of `channels` (the sender's loop, which leaves rows of a channel it
 * cannot send to a sender that can): pending → sending, as `claimNext`.
 */
export async function claimDue(
  sql: Sql,
  leaseSeconds: number,
  channels: readonly OutboxChannel[],
): Promise<OutboxRow | null> {
  return claimOne(
    sql,
    leaseSeconds,
    sql`SELECT id FROM notification_outbox
        WHERE status = 'pending' AND next_attempt_at <= now() AND channel = ANY(${channels as string[]})
        ORDER BY next_attempt_at, id LIMIT 1
        FOR UPDATE SKIP LOCKED`,
  );
}

/** Claims the row `pick` selects (locked, skipping rows others hold): sending, one more attempt, a lease. */
async function claimOne(sql: Sql, leaseSeconds: number, pick: PendingQuery<Row[]>): Promise<OutboxRow | null> {
  const [row] = await sql<DbRow[]>`
    UPDATE notification_outbox SET
      status = 'sending',
      attempts = attempts + 1,
      claimed_until = now() + make_interval(secs => ${leaseSeconds}),
      updated_at = now()
    WHERE id = (${pick})
    RETURNING *`;
  return row ? toRow(row) : null;
}

/** Records a delivery. Unconditional: whatever a concurrent recovery concluded, the message did go out. */
export async function markSent(sql: Sql, id: number): Promise<void> {
  await sql`
    UPDATE notification_outbox SET status = 'sent', sent_at = now(), claimed_until = NULL, updated_at = now()
    WHERE id = ${id}`;
}

/** How long a failed row waits before its next attempt: `baseSeconds`, doubling per attempt, at most 30 minutes. */
export interface RetryBackoff {
  baseSeconds: number;
  maxSeconds: number;
}

/** Records a failed attempt: back to pending (due after the backoff), or dead once `maxAttempts` are spent. */
export async function markFailed(
  sql: Sql,
  id: number,
  error: string,
  maxAttempts: number,
  backoff: RetryBackoff,
): Promise<OutboxStatus> {
  const [row] = await sql<{ status: OutboxStatus }[]>`
    UPDATE notification_outbox SET
      status = CASE WHEN attempts >= ${maxAttempts} THEN 'dead' ELSE 'pending' END,
      last_error = ${error.slice(0, 2000)},
      claimed_until = NULL,
      next_attempt_at = now() + make_interval(secs => least(
        ${backoff.baseSeconds}::float8 * power(2, greatest(attempts - 1, 0)), ${backoff.maxSeconds}::float8)),
      updated_at = now()
    WHERE id = ${id} AND status = 'sending'
    RETURNING status`;
  return row?.status ?? 'sending';
}

/** Counts by status of these notices' rows. */
export async function statusCounts(sql: Sql, noticeKeys: readonly string[]): Promise<Record<OutboxStatus, number>> {
  const rows = await sql<{ status: OutboxStatus; n: string }[]>`
    SELECT status, count(*) AS n FROM notification_outbox
    WHERE notice_key = ANY(${noticeKeys as string[]}) GROUP BY status`;
  const counts: Record<OutboxStatus, number> = { pending: 0, sending: 0, sent: 0, unconfirmed: 0, dead: 0 };
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}

/** The dead letters, newest first: rows that are `dead` (attempts spent, or no recipient) or `unconfirmed`. */
export async function listDeadLetters(sql: Sql, options: { limit?: number } = {}): Promise<OutboxRow[]> {
  const rows = await sql<DbRow[]>`
    SELECT * FROM notification_outbox WHERE status IN ('dead', 'unconfirmed')
    ORDER BY updated_at DESC, id DESC LIMIT ${options.limit ?? 100}`;
  return rows.map(toRow);
}

/** The outbox rows of one notice, by channel and recipient. */
export async function outboxRowsOf(sql: Sql, noticeKey: string): Promise<OutboxRow[]> {
  const rows = await sql<DbRow[]>`
    SELECT * FROM notification_outbox WHERE notice_key = ${noticeKey} ORDER BY channel, recipient`;
  return rows.map(toRow);
}

/**
 * An operator's decision to try dead or unconfirmed rows again (e.g. after fixing an address): back to pending
 * with a fresh attempt count, due now. A running worker's sender sends them (and `ocop notifications requeue` at once).
 * @returns how many rows were requeued.
 */
export async function requeue(sql: Sql, outboxKeys: readonly string[]): Promise<number> {
  const rows = await sql`
    UPDATE notification_outbox SET status = 'pending', attempts = 0, claimed_until = NULL, next_attempt_at = now(),
      updated_at = now()
    WHERE outbox_key = ANY(${outboxKeys as string[]}) AND status IN ('dead', 'unconfirmed') AND channel <> 'none'
    RETURNING id`;
  return rows.length;
}
