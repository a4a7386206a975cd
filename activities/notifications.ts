import { ApplicationFailure } from '@temporalio/activity';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { loadConfig, type Config } from '../config';
import type { Logger } from '../config/logger';
import type { Sql } from '../db';
import { AUDIENCES, NOTICE_KINDS, type Notice, type NotificationOffsets } from '../domain/notifications';
import { deliver, type DeliveryOptions, type DeliveryReport } from '../notifications/deliver';

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

export interface NotificationDeps {
  sql: Sql;
  log: Logger;
  /** Overrides of what the configuration gives (tests pass their own mailer, limits and faults). */
  delivery?: Partial<DeliveryOptions>;
  offsets?: NotificationOffsets;
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
 * Activities that tell people: `deliverNotices` sends each notice once per recipient through the outbox, and
 * `notificationOffsets` hands the deployment's reminder offsets to the workflow (through history, so a replay
 * sees the values the run used).
 */
export function createNotificationActivities(deps: NotificationDeps) {
  const needsConfig = !deps.offsets || !deps.delivery?.mailFrom;
  const config = needsConfig ? loadConfig() : null;
  const options: DeliveryOptions = {
    ...(config ? deliveryOptionsFromConfig(config, deps.log) : defaults()),
    ...deps.delivery,
  };
  const offsets = deps.offsets ?? offsetsFromConfig(config ?? loadConfig());

  return {
    /**
     * Idempotent: enqueue, then send what is not yet sent. Throws a retryable failure while any row is still
     * pending, so the activity's retry policy is the backoff; a row is dead after `maxAttempts` and then no longer
     * holds the activity back.
     */
    async deliverNotices(raw: Notice[]): Promise<DeliverNoticesResult> {
      const parsed = deliverNoticesInput.safeParse(raw);
      if (!parsed.success) {
        throw ApplicationFailure.create({
          type: 'InvalidActivityInput',
          message: z.prettifyError(parsed.error),
          nonRetryable: true,
        });
      }
      const report = await deliver(deps.sql, deps.log, options, parsed.data);
      if (report.open > 0) {
        throw ApplicationFailure.create({
          type: 'NotificationsPending',
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
  };
}
