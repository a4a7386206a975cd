import { createHmac, randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createNotificationActivities } from '../../activities/notifications';
import { connect, type Sql } from '../../db';
import { record } from '../../domain';
import { DEFAULT_OFFSETS, noticesForEvents, scheduledReminders, type Notice } from '../../domain/notifications';
import {
  inboxOf,
  listDeadLetters,
  listInbox,
  markRead,
  messageIdOf,
  outboxKeyOf,
  outboxRowsOf,
  seedRecipients,
  SenderStopped,
  type DeliveryOptions,
} from '../../notifications';
import { at, cmd, communeOfficer, provincialOffice, Story, storyTo } from '../unit/case/fixtures';
import { startMailSink, startWebhookSink, type MailSink, type WebhookSink } from './notification-servers';

const MAIL_FROM = 'OCOP Hà Nội <thongbao@ocop.example.vn>';
const SECRET = 'webhook-secret-for-tests-0123456789';

// ------------------------------------------------------------------------------------------------ fixtures

/** Real notices from the domain, moved to a product and subject of their own so tests never share a key. */
function own(notice: Notice, tag: string): Notice {
  return {
    ...notice,
    key: notice.key.replace(notice.productId, `${notice.productId}-${tag}`),
    productId: `${notice.productId}-${tag}`,
    audienceCode: `${notice.audienceCode}-${tag}`,
  };
}

/** The 30-day expiry reminder of a certificate expiring 2029-06-15 (due 2029-05-16). */
function expiryReminder(tag: string): Notice {
  const s = new Story();
  s.run(
    cmd.importProduct({
      star: 4,
      level: 'province',
      issuedOn: '2026-06-15',
      expiresOn: '2029-06-15',
      ruleSetId: 'QD26_2026',
    }),
    '2026-06-20',
    provincialOffice,
  );
  const found = scheduledReminders(s.state, DEFAULT_OFFSETS).find((r) => r.kind === 'certificate_expiring_soon');
  if (!found) throw new Error('no expiry reminder');
  return own(found, tag);
}

/** "Dossier returned", with a reason that would break HTML if it were not escaped. */
function returnedNotice(tag: string): Notice {
  const s = storyTo('dossier_submitted');
  const before = s.state;
  const command = cmd.returnDossier('2026-08-20');
  const produced = s.run(
    { ...command, data: { ...command.data, reason: 'Thiếu <b>phiếu kiểm nghiệm</b> & nhãn' } } as typeof command,
    '2026-08-05',
    communeOfficer,
  );
  const [notice] = noticesForEvents(before, record(before, produced, at('2026-08-05')).recorded, s.state);
  if (!notice) throw new Error('no notice');
  return own(notice, tag);
}

interface LogLine {
  level: number;
  msg: string;
  noticeKey?: string;
}

let sql: Sql;
let ownerSql: Sql;
let mail: MailSink;
let hooks: WebhookSink;
let logLines: LogLine[];
const log = pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line) as LogLine) });

function activities(options: Partial<DeliveryOptions> = {}, db: Sql = sql) {
  return createNotificationActivities({
    sql: db,
    log,
    offsets: DEFAULT_OFFSETS,
    delivery: {
      mailer: mail.transport(),
      mailFrom: MAIL_FROM,
      webhookSecret: SECRET,
      maxAttempts: 8,
      leaseSeconds: 300,
      webhookTimeoutMs: 5_000,
      fetch: globalThis.fetch,
      retryBaseSeconds: 30,
      ...options,
    },
  });
}

const tag = () => randomBytes(4).toString('hex');

beforeAll(async () => {
  // A database no worker's notification sender claims rows from: these tests deliver by hand.
  sql = connect(inject('senderlessDatabaseUrl'), { max: 3 });
  ownerSql = connect(inject('senderlessDatabaseUrl'), { max: 1, asAppRole: false });
  mail = await startMailSink();
  hooks = await startWebhookSink();
});

afterAll(async () => {
  await mail.close();
  await hooks.close();
  await sql.end();
  await ownerSql.end();
});

beforeEach(() => {
  logLines = [];
  mail.received.length = 0;
  hooks.requests.length = 0;
  hooks.processed.clear();
  hooks.respondWith([]);
  hooks.alwaysRespond(null);
});

function mailFor(address: string) {
  return mail.received.filter((m) => m.rcptTo.includes(address));
}

async function expectPending(run: Promise<unknown>) {
  const err: unknown = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect((err as ApplicationFailure).type).toBe('NotificationsPending');
  expect((err as ApplicationFailure).nonRetryable).toBe(false);
}

// ------------------------------------------------------------------------------------------------ the tests

describe('deliverNotices: every channel, once', () => {
  it('sends each notice once per recipient, in the recipient language with the other below, text and HTML', async () => {
    const t = tag();
    const reminder = expiryReminder(t);
    const returned = returnedNotice(t);
    expect(reminder.audienceCode).toBe(returned.audienceCode);
    const vi = `chu-the-${t}@htx.example.vn`;
    const en = `advisor-${t}@example.com`;
    // The inbox needs no entry: the subject's own inbox gets every notice.
    const inboxUser = inboxOf('subject', reminder.audienceCode);
    await seedRecipients(sql, [
      { audience: 'subject', audienceCode: reminder.audienceCode, channel: 'email', address: vi },
      { audience: 'subject', audienceCode: reminder.audienceCode, channel: 'email', address: en, language: 'en' },
      { audience: 'subject', audienceCode: reminder.audienceCode, channel: 'webhook', address: hooks.url },
    ]);
    const act = activities();

    const first = await act.deliverNotices([reminder, returned]);
    expect(first).toMatchObject({ delivered: 8, counts: { sent: 8, pending: 0, dead: 0 } });
    // A retried or replayed activity: nothing goes out again.
    const again = await act.deliverNotices([reminder, returned]);
    expect(again).toMatchObject({ delivered: 0, counts: { sent: 8 } });

    expect(mail.received).toHaveLength(4);
    const [viReminder, viReturned] = [...mailFor(vi)].sort((a, b) =>
      (a.mail.subject ?? '').localeCompare(b.mail.subject ?? ''),
    );
    expect(mailFor(vi)).toHaveLength(2);
    expect(mailFor(en)).toHaveLength(2);

    const viMail = viReminder!.mail;
    expect(viMail.subject).toBe('Giấy chứng nhận OCOP của sản phẩm Chè Shan Tuyết hết hạn ngày 15/06/2029');
    expect(viMail.headers.get('content-language')).toBe('vi');
    expect(viMail.to).toMatchObject({ value: [{ address: vi }] });
    expect(viMail.from).toMatchObject({ value: [{ address: 'thongbao@ocop.example.vn' }] });
    expect(viMail.messageId).toBe(messageIdOf(outboxKeyOf(reminder.key, 'email', vi), MAIL_FROM));
    expect(viMail.text).toContain('còn 30 ngày hiệu lực, đến hết ngày 15/06/2029');
    expect(viMail.text).toContain('--- English ---');
    expect(viMail.text).toContain('valid for 30 more days, through 15 June 2029');
    expect(viMail.text!.indexOf('15/06/2029')).toBeLessThan(viMail.text!.indexOf('15 June 2029'));
    expect(viMail.html).toContain('<section lang="vi">');
    expect(viMail.html).toContain('<section lang="en">');

    const enMail = mailFor(en).find((m) => m.mail.subject?.includes('expires'))!.mail;
    expect(enMail.subject).toBe('The OCOP certificate of Chè Shan Tuyết expires on 15 June 2029');
    expect(enMail.headers.get('content-language')).toBe('en');
    expect(enMail.text!.indexOf('15 June 2029')).toBeLessThan(enMail.text!.indexOf('15/06/2029'));

    const returnedMail = viReturned!.mail;
    expect(returnedMail.subject).toBe('Hồ sơ sản phẩm Chè Shan Tuyết cần hoàn thiện trước ngày 20/08/2026');
    expect(returnedMail.text).toContain('Lý do: Thiếu <b>phiếu kiểm nghiệm</b> & nhãn');
    expect(returnedMail.html).toContain('Thiếu &lt;b&gt;phiếu kiểm nghiệm&lt;/b&gt; &amp; nhãn');
    expect(returnedMail.html).not.toContain('<b>phiếu');

    // Webhook: one request per notice, signed over the exact body, the outbox key as Idempotency-Key.
    expect(hooks.requests).toHaveLength(2);
    for (const r of hooks.requests) {
      const expected = `sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`;
      expect(r.headers['x-ocop-signature']).toBe(expected);
      const body = JSON.parse(r.body) as { id: string; key: string; timestamp: number; language: string };
      expect(r.headers['idempotency-key']).toBe(body.id);
      expect(body.id).toBe(outboxKeyOf(body.key, 'webhook', hooks.url));
      expect(r.headers['x-ocop-timestamp']).toBe(String(body.timestamp));
      expect(body.language).toBe('vi');
    }
    const hookBodies = hooks.requests.map((r) => JSON.parse(r.body) as { key: string; dueAt: string; facts: object });
    expect(hookBodies.find((b) => b.key === reminder.key)).toMatchObject({
      dueAt: '2029-05-16T01:00:00.000Z',
      facts: { expiresOn: '2029-06-15', productName: 'Chè Shan Tuyết' },
    });

    // Inbox: both notices, once, for that user only; readable and markable.
    const page = await listInbox(sql, inboxUser);
    expect(page.items.map((i) => i.noticeKey).sort()).toEqual([reminder.key, returned.key].sort());
    expect(page.unread).toBe(2);
    expect((await listInbox(sql, inboxOf('subject', `someone-else-${t}`))).items).toEqual([]);
    expect(await markRead(sql, inboxOf('subject', `someone-else-${t}`), [page.items[0]!.id])).toBe(0);
    expect(await markRead(sql, inboxUser, [page.items[0]!.id])).toBe(1);
    const unread = await listInbox(sql, inboxUser, { unreadOnly: true });
    expect(unread.items.map((i) => i.id)).toEqual([page.items[1]!.id]);
    const paged = await listInbox(sql, inboxUser, { limit: 1 });
    expect(paged.items).toHaveLength(1);
    const next = await listInbox(sql, inboxUser, { limit: 1, cursor: paged.nextCursor });
    expect(next.items).toHaveLength(1);
    expect(next.nextCursor).toBeNull();
    expect(next.items[0]!.id).not.toBe(paged.items[0]!.id);
  });

  it('retries a failing receiver on the next attempt and sends nothing twice', async () => {
    const t = tag();
    const notice = expiryReminder(t);
    const address = `retry-${t}@htx.example.vn`;
    await seedRecipients(sql, [
      { audience: 'subject', audienceCode: notice.audienceCode, channel: 'email', address },
      { audience: 'subject', audienceCode: notice.audienceCode, channel: 'webhook', address: hooks.url },
    ]);
    const act = activities();
    mail.failNext(1);
    hooks.respondWith([503, 503]);

    await expectPending(act.deliverNotices([notice]));
    expect(mail.received).toHaveLength(0);
    await expectPending(act.deliverNotices([notice]));
    expect(mailFor(address)).toHaveLength(1);
    expect(await act.deliverNotices([notice])).toMatchObject({ delivered: 1, counts: { sent: 3 } });

    expect(mailFor(address)).toHaveLength(1);
    expect(hooks.requests).toHaveLength(3);
    expect(new Set(hooks.requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(hooks.processed.size).toBe(1);
    const rows = await outboxRowsOf(sql, notice.key);
    expect(rows.map((r) => [r.channel, r.status, r.attempts])).toEqual([
      ['email', 'sent', 2],
      ['inbox', 'sent', 1],
      ['webhook', 'sent', 3],
    ]);
    expect(logLines.filter((l) => l.msg === 'notification attempt failed; will retry')).toHaveLength(3);
  });

  it('dead-letters after the last attempt, visibly, and never silently drops a notice nobody can receive', async () => {
    const t = tag();
    const notice = expiryReminder(t);
    await seedRecipients(sql, [
      { audience: 'subject', audienceCode: notice.audienceCode, channel: 'webhook', address: hooks.url },
    ]);
    hooks.alwaysRespond(500);
    const act = activities({ maxAttempts: 3 });

    await expectPending(act.deliverNotices([notice]));
    await expectPending(act.deliverNotices([notice]));
    expect(await act.deliverNotices([notice])).toMatchObject({ delivered: 0, counts: { dead: 1, pending: 0 } });
    expect(await act.deliverNotices([notice])).toMatchObject({ delivered: 0, counts: { dead: 1 } });
    expect(hooks.requests).toHaveLength(3);

    const dead = (await listDeadLetters(sql)).find((r) => r.noticeKey === notice.key);
    expect(dead).toMatchObject({ status: 'dead', attempts: 3, channel: 'webhook', lastError: 'webhook: HTTP 500' });
    expect(logLines.filter((l) => l.level === 50 && l.msg === 'notification dead after its last attempt')).toHaveLength(
      1,
    );

    // A notice whose audience has no configured recipient is no dead letter: it is in the audience's own inbox.
    const orphan = { ...expiryReminder(`${t}-orphan`) };
    expect(await act.deliverNotices([orphan])).toMatchObject({ counts: { sent: 1, dead: 0 } });
    expect((await listDeadLetters(sql)).find((r) => r.noticeKey === orphan.key)).toBeUndefined();
    expect((await listInbox(sql, inboxOf('subject', orphan.audienceCode))).items.map((i) => i.noticeKey)).toEqual([
      orphan.key,
    ]);
  });
});

describe('deliverNotices: killed between sending and recording', () => {
  it('e-mail: the copy already sent is not sent again; the row says unconfirmed', async () => {
    const t = tag();
    const notice = expiryReminder(t);
    const address = `killed-${t}@htx.example.vn`;
    await seedRecipients(sql, [{ audience: 'subject', audienceCode: notice.audienceCode, channel: 'email', address }]);
    // The lease is 0 seconds so the second run sees the first sender as gone at once.
    const crashing = activities({
      leaseSeconds: 0,
      faults: {
        afterSend: (row) => {
          if (row.channel === 'email') throw new Error('worker killed');
        },
      },
    });
    await expect(crashing.deliverNotices([notice])).rejects.toBeInstanceOf(SenderStopped);
    expect(mailFor(address)).toHaveLength(1);
    expect((await outboxRowsOf(sql, notice.key))[0]).toMatchObject({ status: 'sending', attempts: 1 });

    const restarted = activities({ leaseSeconds: 0 });
    expect(await restarted.deliverNotices([notice])).toMatchObject({ delivered: 0, counts: { unconfirmed: 1 } });
    expect(await restarted.deliverNotices([notice])).toMatchObject({ delivered: 0, counts: { unconfirmed: 1 } });
    expect(mailFor(address)).toHaveLength(1);
    expect((await listDeadLetters(sql)).find((r) => r.noticeKey === notice.key)).toMatchObject({
      status: 'unconfirmed',
    });
    expect(logLines.some((l) => l.level === 50 && l.noticeKey === notice.key)).toBe(true);
  });

  it('webhook: sent again under the same Idempotency-Key, so the receiver processes it once', async () => {
    const t = tag();
    const notice = expiryReminder(t);
    await seedRecipients(sql, [
      { audience: 'subject', audienceCode: notice.audienceCode, channel: 'webhook', address: hooks.url },
    ]);
    const crashing = activities({
      leaseSeconds: 0,
      faults: {
        afterSend: (row) => {
          if (row.channel === 'webhook') throw new Error('worker killed');
        },
      },
    });
    await expect(crashing.deliverNotices([notice])).rejects.toBeInstanceOf(SenderStopped);
    // The webhook and the subject's inbox.
    expect(await activities({ leaseSeconds: 0 }).deliverNotices([notice])).toMatchObject({ counts: { sent: 2 } });
    expect(hooks.requests).toHaveLength(2);
    expect(hooks.requests[0]!.headers['idempotency-key']).toBe(hooks.requests[1]!.headers['idempotency-key']);
    expect(hooks.processed.size).toBe(1);
  });

  it('inbox: message and mark commit together, so a crash leaves neither and the retry writes one', async () => {
    const t = tag();
    const notice = expiryReminder(t);
    const user = inboxOf('subject', notice.audienceCode);
    const crashing = activities({
      faults: {
        afterSend: () => {
          throw new Error('worker killed');
        },
      },
    });
    await expectPending(crashing.deliverNotices([notice]));
    expect((await listInbox(sql, user)).items).toEqual([]);
    await activities().deliverNotices([notice]);
    await activities().deliverNotices([notice]);
    expect((await listInbox(sql, user)).items.map((i) => i.noticeKey)).toEqual([notice.key]);
  });

  it('a connection dropped after sending: the mark is retried on a new connection, nothing is sent twice', async () => {
    const t = tag();
    const notice = expiryReminder(t);
    const address = `dropped-${t}@htx.example.vn`;
    await seedRecipients(sql, [{ audience: 'subject', audienceCode: notice.audienceCode, channel: 'email', address }]);
    const single = connect(inject('senderlessDatabaseUrl'), { max: 1 });
    try {
      let dropped = 0;
      const act = activities(
        {
          faults: {
            afterSend: async (sent) => {
              if (sent.channel !== 'email') return;
              const [row] = await single<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
              const [killed] = await ownerSql<{ ok: boolean }[]>`SELECT pg_terminate_backend(${row!.pid}) AS ok`;
              if (killed?.ok) dropped++;
            },
          },
        },
        single,
      );
      // The e-mail and the subject's inbox.
      expect(await act.deliverNotices([notice])).toMatchObject({ delivered: 2, counts: { sent: 2 } });
      expect(dropped).toBe(1);
      expect(mailFor(address)).toHaveLength(1);
      expect(await act.deliverNotices([notice])).toMatchObject({ delivered: 0 });
      expect(mailFor(address)).toHaveLength(1);
    } finally {
      await single.end();
    }
  });
});
