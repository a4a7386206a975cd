import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { connect, type Sql } from '../../db';
import type { Notice } from '../../domain/notifications';
import {
  inboxOf,
  enqueueNotices,
  messageIdOf,
  outboxKeyOf,
  outboxRowsOf,
  NotificationSender,
  seedRecipients,
  type DeliveryOptions,
} from '../../notifications';
import { startMailSink, startWebhookSink, type MailSink, type WebhookSink } from './notification-servers';

// The delivering half of the transactional outbox: rows written with their events, sent by the worker's sender to a
// real SMTP server and a real HTTP receiver. These tests use the database no worker runs on, so every row here is
// sent by the senders these tests start, and by nothing else.

const MAIL_FROM = 'OCOP Huế <thongbao@ocop.example.vn>';
const SECRET = 'sender-webhook-secret-0123456789';

let sql: Sql;
let mail: MailSink;
let hooks: WebhookSink;
const log = pino({ level: 'silent' });
const senders: NotificationSender[] = [];

function options(extra: Partial<DeliveryOptions> = {}): DeliveryOptions {
  return {
    mailer: mail.transport(),
    mailFrom: MAIL_FROM,
    webhookSecret: SECRET,
    maxAttempts: 5,
    leaseSeconds: 300,
    webhookTimeoutMs: 5_000,
    fetch: globalThis.fetch,
    retryBaseSeconds: 2,
    ...extra,
  };
}

function startSender(extra: Partial<DeliveryOptions> = {}, concurrency = 4): NotificationSender {
  const sender = new NotificationSender(sql, log, options(extra), { concurrency, pollMs: 100 });
  senders.push(sender);
  sender.start();
  return sender;
}

/** A notice to a subject of its own, due now. */
function notice(tag: string, n = 0): Notice {
  return {
    key: `P-${tag}:certificate_expiring_soon:2029-06-${String(10 + n).padStart(2, '0')}`,
    kind: 'certificate_expiring_soon',
    productId: `P-${tag}`,
    audience: 'subject',
    audienceCode: `HTX-${tag}`,
    dueAt: '2029-05-16T01:00:00.000Z',
    staleAt: null,
    facts: { certificateNumber: `GCN-${tag}-${n}`, expiresOn: '2029-06-15', star: 4 },
  };
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const tag = () => randomBytes(4).toString('hex');

beforeAll(async () => {
  sql = connect(inject('senderlessDatabaseUrl'), { max: 6 });
  mail = await startMailSink();
  hooks = await startWebhookSink();
});

afterAll(async () => {
  await Promise.all(senders.map((s) => s.stop()));
  await mail.close();
  await hooks.close();
  await sql.end();
});

beforeEach(async () => {
  await Promise.all(senders.splice(0).map((s) => s.stop()));
  hooks.respondWith([]);
  hooks.alwaysRespond(null);
});

describe('the notification sender', () => {
  it('sends rows only once their transaction commits, each once, with two senders competing', async () => {
    const t = tag();
    const address = `sender-${t}@htx.example.vn`;
    await seedRecipients(sql, [{ audience: 'subject', audienceCode: `HTX-${t}`, channel: 'email', address }]);
    // Each notice also goes to the subject's own inbox, which needs no entry: 20 e-mails and 20 inbox messages.
    const notices = Array.from({ length: 20 }, (_, n) => notice(t, n));
    const a = startSender();
    const b = startSender();

    // Rolled back with the events it came with: nothing to send, nothing sent.
    await sql
      .begin(async (tx) => {
        await enqueueNotices(tx, log, options(), notices.slice(0, 5));
        throw new Error('the append failed');
      })
      .catch(() => undefined);
    // Committed: sent by whichever sender claims each row first.
    await sql.begin((tx) => enqueueNotices(tx, log, options(), notices));
    a.wake();
    b.wake();

    const rows = await until('every row sent', async () => {
      const all = (await Promise.all(notices.map((n) => outboxRowsOf(sql, n.key)))).flat();
      return all.length === 40 && all.every((r) => r.status === 'sent') && all;
    });
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
    const mine = mail.received.filter((m) => m.rcptTo.includes(address));
    expect(mine).toHaveLength(20);
    expect(new Set(mine.map((m) => m.mail.messageId))).toEqual(
      new Set(notices.map((n) => messageIdOf(outboxKeyOf(n.key, 'email', address), MAIL_FROM))),
    );
    // At least these 40: the senders also deliver due rows other files leave in this database.
    expect(a.stats.delivered + b.stats.delivered).toBeGreaterThanOrEqual(40);
    expect(a.stats.delivered).toBeGreaterThan(0);
    expect(b.stats.delivered).toBeGreaterThan(0);
  });

  it('waits before retrying a failed row, doubling the wait, and sends nothing twice', async () => {
    const t = tag();
    const url = `${hooks.url}/retry-${t}`;
    await seedRecipients(sql, [{ audience: 'subject', audienceCode: `HTX-${t}`, channel: 'webhook', address: url }]);
    hooks.respondWith([503, 503]);
    const sender = startSender();
    const n = notice(t);
    await enqueueNotices(sql, log, options(), [n]);
    sender.wake();

    const sent = await until('the webhook delivered', async () => {
      const row = (await outboxRowsOf(sql, n.key)).find((r) => r.channel === 'webhook');
      return row?.status === 'sent' && row;
    });
    expect(sent.attempts).toBe(3);
    const seen = hooks.requests.filter((r) => r.path.endsWith(`/retry-${t}`)).map((r) => r.receivedAt);
    expect(seen).toHaveLength(3);
    // 2 s after the first failure, 4 s after the second (the database's clock; a little slack for the poll).
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(1_900);
    expect(seen[2]! - seen[1]!).toBeGreaterThanOrEqual(3_900);
    expect(hooks.processed.has(outboxKeyOf(n.key, 'webhook', url))).toBe(true);
  }, 30_000);

  it('leaves rows of a channel it cannot send on to a sender that can', async () => {
    const t = tag();
    const address = `later-${t}@htx.example.vn`;
    await seedRecipients(sql, [{ audience: 'subject', audienceCode: `HTX-${t}`, channel: 'email', address }]);
    const n = notice(t);
    await enqueueNotices(sql, log, options(), [n]);
    const mailless = startSender({ mailer: null });
    mailless.wake();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await outboxRowsOf(sql, n.key)).map((r) => [r.channel, r.status, r.attempts])).toEqual([
      ['email', 'pending', 0],
      ['inbox', 'sent', 1],
    ]);

    const able = startSender();
    able.wake();
    await until('the e-mail sent', async () => (await outboxRowsOf(sql, n.key))[0]?.status === 'sent');
    expect(mail.received.filter((m) => m.rcptTo.includes(address))).toHaveLength(1);
    // Only the inbox message, which every sender can write.
    expect(mailless.stats.delivered).toBe(1);
  });

  it('settles a claim abandoned mid-send once its lease runs out: the e-mail is not sent again', async () => {
    const t = tag();
    const address = `crash-${t}@htx.example.vn`;
    const user = inboxOf('subject', `HTX-${t}`);
    await seedRecipients(sql, [{ audience: 'subject', audienceCode: `HTX-${t}`, channel: 'email', address }]);
    const n = notice(t);
    await enqueueNotices(sql, log, options(), [n]);
    // A sender that "dies" right after each send, before recording it, with a lease of one second. For the e-mail
    // that abandons the claim; the inbox write is rolled back with it, an ordinary failed attempt.
    const dying = startSender(
      {
        leaseSeconds: 1,
        faults: {
          afterSend() {
            throw new Error('killed');
          },
        },
      },
      1,
    );
    dying.wake();
    await until('both rows tried', async () => dying.stats.abandoned === 1 && dying.stats.failed === 1);
    await dying.stop();

    startSender({ leaseSeconds: 1 }).wake();
    const rows = await until('both rows settled', async () => {
      const all = await outboxRowsOf(sql, n.key);
      return all.every((r) => r.status !== 'sending' && r.status !== 'pending') && all;
    });
    const byChannel = Object.fromEntries(rows.map((r) => [r.channel, [r.status, r.attempts]]));
    // E-mail went out once and cannot be taken back: unconfirmed, not re-sent. The inbox write rolled back with the
    // kill, so the inbox row was sent again, and the inbox holds it once.
    expect(byChannel).toEqual({ email: ['unconfirmed', 1], inbox: ['sent', 2] });
    expect(mail.received.filter((m) => m.rcptTo.includes(address))).toHaveLength(1);
    const inbox = await sql`SELECT 1 FROM inbox WHERE user_id = ${user} AND notice_key = ${n.key}`;
    expect(inbox).toHaveLength(1);
  });

  it('stops when asked, finishing the row in hand', async () => {
    const sender = startSender();
    await sender.stop();
    const t = tag();
    const n = notice(t);
    await enqueueNotices(sql, log, options(), [n]);
    sender.wake();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await outboxRowsOf(sql, n.key))[0]?.status).toBe('pending');
  });
});
