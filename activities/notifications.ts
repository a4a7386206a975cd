import { ApplicationFailure } from '@temporalio/activity';
import { CaseFailureType, caseFailure } from '../temporal/failures';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { loadConfig, type Config } from '../config';
import type { Logger } from '../config/logger';
import type { Sql } from '../db';
import { AUDIENCES, NOTICE_KINDS, type Notice, type NotificationOffsets } from '../domain/notifications';
import { deliver, enqueueNotices, type DeliveryOptions, type DeliveryReport } from '../notifications/deliver';
import type { SenderSettings } from '../notifications/sender';

export const noticeSchema = z.object({
  key: z.string().min(1).max(500),
  kind: z.enum(NOTICE_KINDS as [Notice['kind'], ...Notice['kind'][]]),
  productId: z.string().min(1).max(64),
  audience: z.enum(AUDIENCES),
  audienceCode: z.string().min(1).max(64),
  dueAt: z.iso.datetime(),
  staleAt: z.iso.datetime().nullable(),
  facts: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
});
export const deliverNoticesInput = z.array(noticeSchema).max(500);

/** Checks an activity's notices; a malformed one fails the activity for good (retrying cannot fix it). */
function parseNotices(raw: unknown): Notice[] {
  const parsed = deliverNoticesInput.safeParse(raw);
  if (!parsed.success) {
    throw caseFailure(CaseFailureType.InvalidActivityInput, z.prettifyError(parsed.error));
  }
  return parsed.data;
}

export interface NotificationDeps {
  sql: Sql;
  log: Logger;
  /** Overrides of what the configuration gives (tests pass their own mailer, limits and faults). */
  delivery?: Partial<DeliveryOptions>;
  offsets?: NotificationOffsets;
  /** Overrides of the sender's settings (notifications/sender.ts). */
  sender?: Partial<SenderSettings>;
  /** Tells the worker's sender that rows were enqueued; without one they wait for its next sweep. */
  wake?: () => void;
}

/** The delivery options, reminder offsets and sender settings: the configuration's, overridden by `deps`. */
export interface NotificationSetup {
  delivery: DeliveryOptions;
  offsets: NotificationOffsets;
  sender: SenderSettings;
}

/** Reads the configuration only when `deps` leave something to it, and says once which channels are off. */
export function notificationSetup(deps: Omit<NotificationDeps, 'sql' | 'wake'>): NotificationSetup {
  const needsConfig = !deps.offsets || !deps.delivery?.mailFrom;
  const config = needsConfig ? loadConfig() : null;
  return {
    delivery: { ...(config ? deliveryOptionsFromConfig(config, deps.log) : defaults()), ...deps.delivery },
    offsets: deps.offsets ?? offsetsFromConfig(config ?? loadConfig()),
    sender: {
      concurrency: config?.NOTIFY_SENDER_CONCURRENCY ?? 4,
      pollMs: (config?.NOTIFY_POLL_SECONDS ?? 5) * 1000,
      ...deps.sender,
    },
  };
}

/** Delivery settings from the configuration; says once, at start, which channels are off. */
export function deliveryOptionsFromConfig(config: Config, log: Logger): DeliveryOptions {
  if (!config.SMTP_URL) log.warn('SMTP_URL is not set: notification e-mail is off');
  if (!config.WEBHOOK_SECRET) log.warn('WEBHOOK_SECRET is not set: notification webhooks are off');
  return {
    mailer: config.SMTP_URL ? nodemailer.createTransport(config.SMTP_URL) : null,
    mailFrom: config.MAIL_FROM,
    webhookSecret: config.WEBHOOK_SECRET ?? null,
    maxAttempts: config.NOTIFY_MAX_ATTEMPTS,
    leaseSeconds: config.NOTIFY_LEASE_SECONDS,
    webhookTimeoutMs: 10_000,
    fetch: globalThis.fetch,
    retryBaseSeconds: config.NOTIFY_RETRY_SECONDS,
  };
}

export function offsetsFromConfig(config: Config): NotificationOffsets {
  return {
    expiryReminderDays: config.NOTIFY_EXPIRY_REMINDER_DAYS,
    reRatingClosingSoonDaysBeforeExpiry: config.NOTIFY_RE_RATING_CLOSING_DAYS,
    communeReminderWorkingDaysLeft: config.NOTIFY_COMMUNE_REMINDER_WORKING_DAYS,
    roundCutOffReminderDays: config.NOTIFY_ROUND_CUT_OFF_DAYS,
    decisionReminderDays: config.NOTIFY_DECISION_REMINDER_DAYS,
    revocationReminderDays: config.NOTIFY_REVOCATION_REMINDER_DAYS,
    reminderLocalHour: config.NOTIFY_REMINDER_HOUR,
  };
}

export interface DeliverNoticesResult {
  delivered: number;
  counts: DeliveryReport['counts'];
}

/**
 * Activities that tell people: `enqueueNotices` writes each notice's outbox rows for the worker's sender to deliver,
 * and `notificationOffsets` hands the deployment's reminder offsets to the workflow (through history, so a replay
 * sees the values the run used). `deliverNotices`, which enqueues and sends in the activity itself, serves the runs
 * recorded before the outbox-v1 patch.
 */
export function createNotificationActivities(
  deps: NotificationDeps,
  setup: NotificationSetup = notificationSetup(deps),
) {
  const options = setup.delivery;
  const offsets = setup.offsets;

  return {
    /** Idempotent (one row per notice, channel and recipient); run as a local activity. */
    async enqueueNotices(raw: Notice[]): Promise<{ enqueued: number }> {
      const enqueued = await enqueueNotices(deps.sql, deps.log, options, parseNotices(raw));
      if (enqueued > 0) deps.wake?.();
      return { enqueued };
    },

    /**
     * Idempotent: enqueue, then send what is not yet sent. Throws a retryable failure while any row is still
     * pending, so the activity's retry policy is the backoff; a row is dead after `maxAttempts` and then no longer
     * holds the activity back.
     */
    async deliverNotices(raw: Notice[]): Promise<DeliverNoticesResult> {
      const report = await deliver(deps.sql, deps.log, options, parseNotices(raw));
      if (report.open > 0) {
        throw ApplicationFailure.create({
          type: CaseFailureType.NotificationsPending,
          message: `${report.open} notification deliveries still pending: ${report.errors.join('; ')}`,
          nonRetryable: false,
          details: [report.counts],
        });
      }
      return { delivered: report.delivered, counts: report.counts };
    },

    async notificationOffsets(): Promise<NotificationOffsets> {
      return offsets;
    },
  };
}

function defaults(): DeliveryOptions {
  return {
    mailer: null,
    mailFrom: 'OCOP <thongbao@ocop.invalid>',
    webhookSecret: null,
    maxAttempts: 8,
    leaseSeconds: 300,
    webhookTimeoutMs: 10_000,
    fetch: globalThis.fetch,
    retryBaseSeconds: 30,
  };
}
