import type { Transporter } from 'nodemailer';
import type { Logger } from '../config/logger';
import type { Sql, TransactionSql } from '../db';
import type { Notice } from '../domain/notifications';
import { outboxKeyOf, sendEmail, sendWebhook } from './channels';
import { inboxOf, putInInbox } from './inbox';
import {
  claimNext,
  enqueue,
  markFailed,
  markSent,
  recoverStale,
  statusCounts,
  type NewOutboxRow,
  type OutboxRow,
  type OutboxStatus,
} from './outbox';
import { recipientsFor, type Channel } from './recipients';
import { renderNotice } from './templates';

export interface DeliveryOptions {
  /** The SMTP transport; null when e-mail is off (SMTP_URL unset). */
  mailer: Transporter | null;
  /** The From of every e-mail; its domain also names the Message-ID. */
  mailFrom: string;
  /** Key of the webhook signature; null when webhooks are off (WEBHOOK_SECRET unset). */
  webhookSecret: string | null;
  /** Attempts per outbox row before it is dead. @default 8 */
  maxAttempts: number;
  /** How long a claimed row belongs to its sender; after it, the row counts as abandoned. @default 300 */
  leaseSeconds: number;
  /** @default 10000 */
  webhookTimeoutMs: number;
  /** @default globalThis.fetch */
  fetch: typeof fetch;
  /** The sender's wait before retrying a failed row; doubles per attempt up to 30 minutes. @default 30 */
  retryBaseSeconds: number;
  /** Test hooks that simulate a crash at the worst moment. */
  faults?: DeliveryFaults;
}

export interface DeliveryFaults {
  /**
   * Runs after a message went out and before it is recorded as sent. Throwing here is the process dying between
   * send and acknowledge: nothing after it runs, and the row stays `sending` until its lease runs out.
   */
  afterSend?(row: OutboxRow): void | Promise<void>;
}

/** What one delivery pass did, and what the notices' rows look like after it. */
export interface DeliveryReport {
  /** Rows this pass delivered. */
  delivered: number;
  /** Rows this pass tried and failed (they stay pending unless now dead). */
  failed: number;
  /** All rows of these notices by status, after the pass. */
  counts: Record<OutboxStatus, number>;
  /** Rows still to deliver (pending, or claimed by another sender): the caller should try again later. */
  open: number;
  /** The last error of each row still open, for the retry's message. */
  errors: string[];
}

const MARK_RETRY_DELAYS_MS = [100, 500, 2000];
/** The longest wait between two attempts of a row. */
export const RETRY_MAX_SECONDS = 1800;

/**
 * Delivers notices once each per recipient: enqueue an outbox row per (notice, channel, recipient), then claim,
 * send and mark each row not yet done. Safe to call again with the same notices at any time, and concurrently.
 */
export async function deliver(
  sql: Sql,
  log: Logger,
  options: DeliveryOptions,
  notices: readonly Notice[],
): Promise<DeliveryReport> {
  const keys = [...new Set(notices.map((n) => n.key))];
  const counts = (): Promise<Record<OutboxStatus, number>> => statusCounts(sql, keys);
  if (keys.length === 0) {
    return { delivered: 0, failed: 0, counts: await counts(), open: 0, errors: [] };
  }

  await enqueueNotices(sql, log, options, notices);
  await recoverAbandoned(sql, log, options, keys);

  let delivered = 0;
  let failed = 0;
  const tried: number[] = [];
  for (;;) {
    const row = await claimNext(sql, keys, tried, options.leaseSeconds);
    if (!row) break;
    tried.push(row.id);
    if (await attemptRow(sql, log, options, row)) delivered++;
    else failed++;
  }

  const after = await counts();
  const open = after.pending + after.sending;
  const errors =
    open === 0
      ? []
      : (
          await sql<{ e: string }[]>`
            SELECT coalesce(last_error, status) AS e FROM notification_outbox
            WHERE notice_key = ANY(${keys}) AND status IN ('pending', 'sending') ORDER BY id LIMIT 10`
        ).map((r) => r.e);
  return { delivered, failed, counts: after, open, errors };
}

/**
 * Rows whose sender stopped mid-send and whose lease ran out, settled as `recoverStale` says (of these notices, or
 * of all when `keys` is null), each logged. @returns how many.
 */
export async function recoverAbandoned(
  sql: Sql,
  log: Logger,
  options: DeliveryOptions,
  keys: readonly string[] | null,
): Promise<number> {
  const recovered = await recoverStale(sql, keys, options.maxAttempts);
  for (const row of recovered) {
    const fields = { noticeKey: row.noticeKey, channel: row.channel, outboxKey: row.outboxKey, status: row.status };
    if (row.status === 'pending') log.warn(fields, 'notification sender stopped mid-send; retrying');
    else log.error({ ...fields, err: row.lastError }, 'notification not confirmed or dead after a stopped sender');
  }
  return recovered.length;
}

/**
 * Sends one claimed row and records the outcome: sent, or failed (pending again after the backoff, or dead).
 * @returns whether it was delivered. A `SenderStopped` fault propagates: the row stays `sending` for its lease.
 */
export async function attemptRow(sql: Sql, log: Logger, options: DeliveryOptions, row: OutboxRow): Promise<boolean> {
  const fields = { noticeKey: row.noticeKey, channel: row.channel, outboxKey: row.outboxKey, attempt: row.attempts };
  try {
    await send(sql, options, row);
  } catch (err) {
    // Sent but not recorded: stop here, as a crashed process would; the lease decides what happens next.
    if (err instanceof SenderStopped) throw err;
    const message = err instanceof Error ? err.message : String(err);
    const status = await markFailed(sql, row.id, message, options.maxAttempts, {
      baseSeconds: options.retryBaseSeconds,
      maxSeconds: RETRY_MAX_SECONDS,
    });
    if (status === 'dead') log.error({ ...fields, err: message }, 'notification dead after its last attempt');
    else log.warn({ ...fields, err: message }, 'notification attempt failed; will retry');
    return false;
  }
  log.info(fields, 'notification delivered');
  return true;
}

/**
 * Enqueues an outbox row per (notice, enabled channel, recipient); idempotent. On a connection, or inside the
 * transaction that records the events the notices come from, so that both commit or neither does.
 */
export async function enqueueNotices(
  sql: Sql | TransactionSql,
  log: Logger,
  options: Pick<DeliveryOptions, 'mailer' | 'webhookSecret'>,
  notices: readonly Notice[],
): Promise<number> {
  let created = 0;
  for (const notice of notices) created += await enqueueNotice(sql, log, options, notice);
  return created;
}

/** The channels these options can deliver on: the inbox always, e-mail with a mailer, webhooks with a secret. */
export function enabledChannels(options: Pick<DeliveryOptions, 'mailer' | 'webhookSecret'>): Channel[] {
  return [
    'inbox',
    ...(options.mailer !== null ? (['email'] as const) : []),
    ...(options.webhookSecret !== null ? (['webhook'] as const) : []),
  ];
}

async function enqueueNotice(
  sql: Sql | TransactionSql,
  log: Logger,
  options: Pick<DeliveryOptions, 'mailer' | 'webhookSecret'>,
  notice: Notice,
): Promise<number> {
  const enabled = enabledChannels(options);
  const recipients = (await recipientsFor(sql, notice.audience, notice.audienceCode)).filter((r) =>
    enabled.includes(r.channel),
  );
  // Every notice reaches its audience's own inbox, configured or not, so a notice always has somewhere to go.
  const inbox = inboxOf(notice.audience, notice.audienceCode);
  const rows: NewOutboxRow[] = [
    { outboxKey: outboxKeyOf(notice.key, 'inbox', inbox), notice, channel: 'inbox', recipient: inbox, language: 'vi' },
    ...recipients.map((r) => ({
      outboxKey: outboxKeyOf(notice.key, r.channel, r.address),
      notice,
      channel: r.channel,
      recipient: r.address,
      language: r.language,
    })),
  ];
  const created = await enqueue(sql, rows);
  log.debug({ noticeKey: notice.key, rows: created.length }, 'notification enqueued');
  return created.filter((row) => row.status === 'pending').length;
}

async function send(sql: Sql, options: DeliveryOptions, row: OutboxRow): Promise<void> {
  const rendered = renderNotice(row.notice, row.language);
  if (row.channel === 'inbox') {
    // The message and its outbox mark commit together: the inbox is the one truly exactly-once channel.
    await sql.begin(async (tx) => {
      await putInInbox(tx, row.recipient, row.notice, rendered);
      await options.faults?.afterSend?.(row);
      await tx`UPDATE notification_outbox SET status = 'sent', sent_at = now(), claimed_until = NULL, updated_at = now()
               WHERE id = ${row.id}`;
    });
    return;
  }
  if (row.channel === 'email') {
    if (!options.mailer) throw new Error('e-mail is off (SMTP_URL unset)');
    await sendEmail(options.mailer, { outboxKey: row.outboxKey, to: row.recipient, from: options.mailFrom, rendered });
  } else if (row.channel === 'webhook') {
    if (!options.webhookSecret) throw new Error('webhooks are off (WEBHOOK_SECRET unset)');
    await sendWebhook({
      url: row.recipient,
      secret: options.webhookSecret,
      timeoutMs: options.webhookTimeoutMs,
      fetch: options.fetch,
      payload: {
        id: row.outboxKey,
        key: row.notice.key,
        kind: row.notice.kind,
        productId: row.notice.productId,
        audience: row.notice.audience,
        audienceCode: row.notice.audienceCode,
        dueAt: row.notice.dueAt,
        language: rendered.language,
        title: rendered.subject,
        text: rendered.text,
        facts: row.notice.facts,
        timestamp: Math.floor(Date.now() / 1000),
      },
    });
  } else {
    throw new Error(`nothing can be sent on channel ${row.channel}`);
  }
  // From here the message is out: a crash must not make it look unsent. A fault here propagates untouched.
  await afterSendOutsideCatch(options, row);
  await markSentPersistently(sql, row.id);
}

/** Wraps the fault hook so that the caller's catch (which records a *failed* send) never sees its error. */
async function afterSendOutsideCatch(options: DeliveryOptions, row: OutboxRow): Promise<void> {
  if (!options.faults?.afterSend) return;
  try {
    await options.faults.afterSend(row);
  } catch (err) {
    throw new SenderStopped(err);
  }
}

/** The test's stand-in for a process that dies after sending: not a delivery failure, and never recorded as one. */
export class SenderStopped extends Error {
  constructor(cause: unknown) {
    super('the sender stopped between sending and recording', { cause });
    this.name = 'SenderStopped';
  }
}

/** Marks sent, retrying through a dropped connection: once a message is out, losing that fact costs a duplicate. */
async function markSentPersistently(sql: Sql, id: number): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await markSent(sql, id);
      return;
    } catch (err) {
      const delay = MARK_RETRY_DELAYS_MS[i];
      if (delay === undefined) throw new SenderStopped(err);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
