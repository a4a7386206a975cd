/**
 * B4 expiry wave: certificates that all expire on the same day, each case's "expires in 30 days" reminder to its
 * subject sent by e-mail through the real delivery path to an in-process SMTP server that counts messages by
 * Message-ID (the business key: the same on every attempt). The dev server runs in real time, so the wave is made
 * by importing every certificate 20 days before that common expiry day: the 30-day reminder is then overdue and
 * due at once (the late-reminder rule), so the whole wave is released together, as the timers of one morning would.
 */
import { randomBytes } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import { addDays, addMonths, localDate } from '../domain';
import { seedRecipients } from '../notifications';
import type { BenchEnv } from './env';
import { freePort } from '../temporal/dev-server';
import { pool, progress, round } from './env';
import { runCase } from './driver';
import { importStep } from './path';
import type { WorkerTuning } from './worker-process';

export interface B4Options {
  certificates: number;
  concurrency: number;
  /** Give up waiting for the wave to drain after this long. */
  drainTimeoutSeconds: number;
  tuning?: WorkerTuning;
}

export interface B4Result {
  certificates: number;
  expiresOn: string;
  importSeconds: number;
  drainSeconds: number;
  /** Every e-mail the SMTP server received (all kinds: the import's own notices too). */
  messages: number;
  distinctMessages: number;
  duplicates: number;
  remindersInOutbox: number;
  remindersSent: number;
  productsWithExactlyOneReminder: number;
  complete: boolean;
}

export async function runB4(env: BenchEnv, options: B4Options): Promise<B4Result> {
  const received = new Map<string, number>();
  let messages = 0;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 8_192) head += chunk.toString('utf8');
      });
      stream.on('end', () => {
        const id = /^message-id:\s*(\S+)/im.exec(head)?.[1] ?? `no-id-${messages}`;
        received.set(id, (received.get(id) ?? 0) + 1);
        messages += 1;
        callback();
      });
    },
  });
  const smtpPort = await freePort();
  await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
  const taskQueue = env.taskQueue('b4');
  const worker = await env.worker('case', options.tuning, { taskQueue, smtpPort });
  const subjectId = `HTX-B4-${randomBytes(2).toString('hex')}`;
  await seedRecipients(env.ownerSql, [
    { audience: 'subject', audienceCode: subjectId, channel: 'email', address: 'htx-b4@bench.invalid' },
  ]);
  const today = localDate(new Date().toISOString());
  // Issued 36 months before a date 20 days ahead: the wave expires then.
  const issuedOn = addMonths(addDays(today, 20), -36);
  const expiresOn = addMonths(issuedOn, 36);
  const prefix = `B4-${randomBytes(3).toString('hex')}`;
  const ids = Array.from({ length: options.certificates }, (_, i) => `${prefix}-${i}`);
  const t0 = performance.now();
  let imported = 0;
  const ticker = setInterval(
    () => progress(`B4: ${imported}/${options.certificates} imported, ${messages} e-mails received`),
    5_000,
  );
  try {
    await pool(ids, options.concurrency, async (id, i) => {
      const step = importStep(id, i, { issuedOn });
      const data = step.command.data as Record<string, unknown>;
      await runCase(env.client, taskQueue, id, [
        { ...step, command: { ...step.command, data: { ...data, subjectId } } as typeof step.command },
      ]);
      imported += 1;
    });
    const importSeconds = (performance.now() - t0) / 1000;
    const deadline = Date.now() + options.drainTimeoutSeconds * 1000;
    const sentReminders = async () => {
      const [row] = await env.ownerSql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM notification_outbox
        WHERE product_id LIKE ${`${prefix}-%`} AND kind = 'certificate_expiring_soon' AND channel = 'email'
          AND status = 'sent'`;
      return row?.n ?? 0;
    };
    while ((await sentReminders()) < options.certificates && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
    }
    const drainSeconds = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 3_000)); // late duplicates would show up here
    const [outbox] = await env.ownerSql<{ total: number; sent: number }[]>`
      SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'sent')::int AS sent
      FROM notification_outbox
      WHERE product_id LIKE ${`${prefix}-%`} AND kind = 'certificate_expiring_soon' AND channel = 'email'`;
    const perProduct = await env.ownerSql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM (
        SELECT product_id FROM notification_outbox
        WHERE product_id LIKE ${`${prefix}-%`} AND kind = 'certificate_expiring_soon' AND channel = 'email'
        GROUP BY product_id HAVING count(*) = 1) x`;
    const duplicates = [...received.values()].filter((n) => n > 1).reduce((a, n) => a + n - 1, 0);
    return {
      certificates: options.certificates,
      expiresOn,
      importSeconds: round(importSeconds),
      drainSeconds: round(drainSeconds),
      messages,
      distinctMessages: received.size,
      duplicates,
      remindersInOutbox: outbox?.total ?? 0,
      remindersSent: outbox?.sent ?? 0,
      productsWithExactlyOneReminder: perProduct[0]?.n ?? 0,
      complete: (outbox?.sent ?? 0) >= options.certificates,
    };
  } finally {
    clearInterval(ticker);
    await worker.stop();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  }
}
