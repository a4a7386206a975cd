import { randomBytes } from 'node:crypto';
import proto from '@temporalio/proto';
import type { ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  addWorkingDays,
  endOfLocalDay,
  localDate,
  startOfLocalDay,
  ruleSetInForce,
  type Actor,
  type CaseState,
} from '../../domain';
import { DEFAULT_OFFSETS, type Audience, type NoticeKind } from '../../domain/notifications';
import {
  inboxOf as audienceInbox,
  listDeadLetters,
  listInbox,
  messageIdOf,
  outboxKeyOf,
  seedRecipients,
  verifyWebhookSignature,
  type InboxItem,
  type Language,
  type OutboxRow,
  type RecipientInput,
  type WebhookPayload,
} from '../../notifications';
import { cmd } from '../unit/case/fixtures';
import { CaseDriver } from './case-driver';
import { startMailSink, startWebhookSink, type MailSink, type WebhookSink } from './notification-servers';
import { startTimeSkipping, type TimeSkippingHarness } from './timeskip';

// A certificate's whole life on the time-skipping server, told to real receivers: an SMTP server, an HTTP webhook
// receiver and the in-app inbox. The server's clock is global to this file and only moves forward, so each test
// drives its own product with its own subject, commune and province codes, and the tests run in order.

const MAIL_FROM = 'OCOP Tuyên Quang <thongbao@ocop.example.vn>';
const SECRET = 'timeskip-webhook-secret-0123456789';
const MINUTE = 60_000;

let h: TimeSkippingHarness;
let mail: MailSink;
let hooks: WebhookSink;

/** The test's stand-in for a worker killed between sending and recording: decides per row, after it went out. */
let killAfterSend: ((row: OutboxRow) => boolean) | null = null;
const kills: { channel: string; noticeKey: string; outboxKey: string }[] = [];

beforeAll(async () => {
  mail = await startMailSink();
  hooks = await startWebhookSink();
  h = await startTimeSkipping('notify-timeskip', {
    notifications: {
      delivery: {
        mailer: nodemailer.createTransport({ host: '127.0.0.1', port: mail.port, secure: false, ignoreTLS: true }),
        mailFrom: MAIL_FROM,
        webhookSecret: SECRET,
        maxAttempts: 6,
        // The sender runs on the real clock, not the skipped one: a stopped sender's row counts as abandoned at its
        // first sweep 3 s later (the lease must outlast a send, or a row in flight would be taken for abandoned), and
        // a failed row is tried again a second later.
        leaseSeconds: 3,
        retryBaseSeconds: 1,
        webhookTimeoutMs: 5_000,
        fetch: globalThis.fetch,
        faults: {
          afterSend(row) {
            if (killAfterSend?.(row)) {
              kills.push({ channel: row.channel, noticeKey: row.noticeKey, outboxKey: row.outboxKey });
              throw new Error('worker killed between sending and recording');
            }
          },
        },
      },
      offsets: DEFAULT_OFFSETS,
      sender: { concurrency: 4, pollMs: 200 },
    },
  });
});

afterAll(async () => {
  await h?.stop();
  await hooks?.close();
  await mail?.close();
});

// ------------------------------------------------------------------------------------------------ helpers

interface Parties {
  productId: string;
  subjectId: string;
  communeCode: string;
  provinceCode: string;
  subject: Actor;
  commune: Actor;
  province: Actor;
  /** Every recipient seeded, by audience. */
  recipients: Record<Audience, { channel: 'email' | 'webhook' | 'inbox'; address: string; language: Language }[]>;
}

/** Provinces and communes no other test file uses, one per product of this file. */
const PLACES: readonly [string, string][] = [
  ['44', '18859'],
  ['46', '19753'],
  ['48', '20194'],
  ['51', '21025'],
];
let placesUsed = 0;

/** A product with codes of its own and, for each audience, an e-mail, a webhook and an inbox in mixed languages. */
async function parties(name: string): Promise<Parties> {
  const t = `${name}-${randomBytes(3).toString('hex')}`;
  const subjectId = `HTX-${t}`;
  // Real places (they are checked), a province of its own per product so that no other test's recipients share it.
  const [provinceCode, communeCode] = PLACES[placesUsed++ % PLACES.length]!;
  const hook = (who: string) => `${hooks.url}/${who}-${t}`;
  const recipients: Parties['recipients'] = {
    subject: [
      { channel: 'email', address: `chu-the-${t}@htx.example.vn`, language: 'vi' },
      { channel: 'email', address: `advisor-${t}@example.com`, language: 'en' },
      { channel: 'webhook', address: hook('subject'), language: 'en' },
      { channel: 'inbox', address: `user-subject-${t}`, language: 'vi' },
    ],
    commune: [
      { channel: 'email', address: `ocop-${t}@xa.example.vn`, language: 'en' },
      { channel: 'webhook', address: hook('commune'), language: 'vi' },
      { channel: 'inbox', address: `user-commune-${t}`, language: 'en' },
    ],
    province: [
      { channel: 'email', address: `ocop-${t}@tinh.example.vn`, language: 'vi' },
      { channel: 'webhook', address: hook('province'), language: 'en' },
      { channel: 'inbox', address: `user-province-${t}`, language: 'vi' },
    ],
    ministry: [
      { channel: 'email', address: `ocop-${t}@mae.example.vn`, language: 'en' },
      { channel: 'webhook', address: hook('ministry'), language: 'vi' },
      { channel: 'inbox', address: `user-ministry-${t}`, language: 'en' },
    ],
  };
  const code: Record<Audience, string> = {
    subject: subjectId,
    commune: communeCode,
    province: provinceCode,
    // The Ministry is one audience for every product: a recipient of our own would also get other files' notices.
    ministry: `MINISTRY-${t}`,
  };
  // The inbox needs no entry: each audience's own inbox gets its notices, written in Vietnamese first.
  for (const audience of Object.keys(recipients) as Audience[]) {
    recipients[audience] = recipients[audience].map((r) =>
      r.channel === 'inbox' ? { ...r, address: audienceInbox(audience, code[audience]), language: 'vi' } : r,
    );
  }
  const entries: RecipientInput[] = (Object.keys(recipients) as Audience[]).flatMap((audience) =>
    recipients[audience].flatMap((r) =>
      r.channel === 'inbox' ? [] : [{ audience, audienceCode: code[audience], ...r, channel: r.channel }],
    ),
  );
  await seedRecipients(h.sql, entries);
  return {
    productId: `P-${t}`,
    subjectId,
    communeCode,
    provinceCode,
    subject: { userId: `user-subject-${t}`, role: 'subject', office: subjectId },
    commune: { userId: `user-commune-${t}`, role: 'commune_officer', office: communeCode },
    province: { userId: `user-province-${t}`, role: 'provincial_office', office: provinceCode },
    recipients,
  };
}

async function now(): Promise<number> {
  return h.env.currentTimeMs();
}

/** Skips the server's clock to `instant` (every timer on the way fires, and the activities they start run). */
async function sleepTo(instant: string | number) {
  const target = typeof instant === 'number' ? instant : Date.parse(instant);
  const current = await now();
  if (target > current) await h.env.sleep(target - current);
}

interface DbOutboxRow {
  notice_key: string;
  kind: string;
  channel: string;
  recipient: string;
  language: string;
  status: string;
  attempts: number;
  last_error: string | null;
  due_at: string;
  outbox_key: string;
}

async function outboxOf(productId: string): Promise<DbOutboxRow[]> {
  return h.sql<DbOutboxRow[]>`
    SELECT notice_key, kind, channel, recipient, language, status, attempts, last_error,
           notice->>'dueAt' AS due_at, trim(outbox_key) AS outbox_key
    FROM notification_outbox WHERE product_id = ${productId} ORDER BY id`;
}

/**
 * Waits (in real time: the sender runs on the worker) until every row of these notices is settled, and there are
 * `rows` of them. Delivery of notices caused by commands runs behind the command's answer, so it may lag.
 */
async function settled(productId: string, keys: readonly string[], rows: number): Promise<DbOutboxRow[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const mine = (await outboxOf(productId)).filter((r) => keys.includes(r.notice_key));
    if (mine.length >= rows && mine.every((r) => !['pending', 'sending'].includes(r.status))) return mine;
    if (Date.now() > deadline) {
      throw new Error(`not delivered in time: ${JSON.stringify(mine.map((r) => [r.kind, r.channel, r.status]))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function certificateOf(state: CaseState) {
  if (state.status === 'none' || !state.certificate) throw new Error(`no certificate in ${state.status}`);
  return state.certificate;
}

function evaluationOf(state: CaseState) {
  if (state.status === 'none' || !('evaluation' in state) || !state.evaluation) {
    throw new Error(`no evaluation in ${state.status}`);
  }
  return state.evaluation;
}

const EN_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
/** A date as each language writes it: 15/06/2029, 15 June 2029. */
function written(date: string, language: Language): string {
  const [y, m, d] = date.split('-') as [string, string, string];
  return language === 'vi' ? `${d}/${m}/${y}` : `${Number(d)} ${EN_MONTHS[Number(m) - 1]} ${y}`;
}

/** 08:00 in Vietnam (the default reminder hour) on `date`. */
function reminderInstant(date: string): string {
  return new Date(Date.parse(startOfLocalDay(date)) + DEFAULT_OFFSETS.reminderLocalHour * 3_600_000).toISOString();
}

const FALLBACK_HEADING: Record<Language, string> = { vi: '--- English ---', en: '--- Tiếng Việt ---' };
const other = (language: Language): Language => (language === 'vi' ? 'en' : 'vi');

/** One notice the path implies: who gets it, when it is due, and the date it must name. */
interface Expected {
  kind: NoticeKind;
  audience: Audience;
  key: string;
  dueAt: string;
  /** The date the message refers to; `inTitle` when the title names it. */
  date: { fact: string; value: string; inTitle: boolean };
}

/**
 * Asserts that each expected notice reached every recipient of its audience exactly once per channel, in the
 * recipient's language with the other one below it, at the right address, naming the right date; that the
 * receivers got nothing else for this product; and that the outbox rows carry the notice's key and due instant.
 */
async function expectDeliveredOnce(p: Parties, expected: readonly Expected[], mails: ParsedMailFor[]) {
  const keys = expected.map((e) => e.key);
  expect(new Set(keys).size).toBe(keys.length);
  const rowsPer = (e: Expected) => p.recipients[e.audience].length;
  const rows = await settled(
    p.productId,
    keys,
    expected.reduce((n, e) => n + rowsPer(e), 0),
  );

  // The outbox: one row per (notice, channel, recipient), sent, keyed by the deadline, due when it should be.
  const all = await outboxOf(p.productId);
  expect([...new Set(all.map((r) => r.notice_key))].sort()).toEqual([...keys].sort());
  for (const e of expected) {
    const mine = rows.filter((r) => r.notice_key === e.key);
    expect(mine.map((r) => [r.channel, r.recipient, r.language]).sort()).toEqual(
      p.recipients[e.audience].map((r) => [r.channel, r.address, r.language]).sort(),
    );
    for (const r of mine) {
      expect(r, `${e.kind} ${r.channel} ${r.recipient}`).toMatchObject({ kind: e.kind, due_at: e.dueAt });
    }
  }

  // E-mail, as the SMTP server received it: identified by X-OCOP-Notice / Message-ID (the outbox key).
  const emailRecipients = expected.flatMap((e) =>
    p.recipients[e.audience].filter((r) => r.channel === 'email').map((r) => ({ e, r })),
  );
  expect(mails).toHaveLength(emailRecipients.length);
  for (const { e, r } of emailRecipients) {
    const outboxKey = outboxKeyOf(e.key, 'email', r.address);
    const copies = mails.filter((m) => m.mail.headers.get('x-ocop-notice') === outboxKey);
    expect(copies, `${e.kind} to ${r.address}`).toHaveLength(1);
    const { rcptTo, mail: m } = copies[0]!;
    expect(rcptTo).toEqual([r.address]);
    expect(m.to).toMatchObject({ value: [{ address: r.address }] });
    expect(m.messageId).toBe(messageIdOf(outboxKey, MAIL_FROM));
    expect(m.headers.get('content-language')).toBe(r.language);
    expectWords(e, r.language, m.subject ?? '', m.text ?? '');
    expect(m.html).toContain(`<section lang="${r.language}">`);
    expect(m.html).toContain(`<section lang="${other(r.language)}">`);
  }

  // Webhooks, as the receiver got them: signed, once per Idempotency-Key, at the audience's URL.
  const hookRecipients = expected.flatMap((e) =>
    p.recipients[e.audience].filter((r) => r.channel === 'webhook').map((r) => ({ e, r })),
  );
  const requests = hooksFor(p);
  for (const { e, r } of hookRecipients) {
    const outboxKey = outboxKeyOf(e.key, 'webhook', r.address);
    const copies = requests.filter((q) => q.headers['idempotency-key'] === outboxKey);
    expect(copies, `${e.kind} to ${r.address}`).toHaveLength(1);
    expect(hooks.processed.has(outboxKey)).toBe(true);
    for (const q of copies) {
      expect(`${new URL(hooks.url).origin}${q.path}`).toBe(r.address);
      expect(verifyWebhookSignature(SECRET, q.body, q.headers['x-ocop-signature'] as string)).toBe(true);
      const body = JSON.parse(q.body) as WebhookPayload;
      expect(body).toMatchObject({
        id: outboxKey,
        key: e.key,
        kind: e.kind,
        productId: p.productId,
        audience: e.audience,
        dueAt: e.dueAt,
        language: r.language,
      });
      expect(body.facts[e.date.fact]).toBe(e.date.value);
      expectWords(e, r.language, body.title, body.text);
    }
  }

  // The inbox: one message per user and notice.
  for (const e of expected) {
    for (const r of p.recipients[e.audience].filter((x) => x.channel === 'inbox')) {
      const items = (await inboxOf(r.address, p.productId)).filter((i) => i.noticeKey === e.key);
      expect(items, `${e.kind} in the inbox of ${r.address}`).toHaveLength(1);
      const item = items[0]!;
      expect(item).toMatchObject({ kind: e.kind, language: r.language });
      expect(new Date(item.dueAt).toISOString()).toBe(e.dueAt);
      expectWords(e, r.language, item.title, item.body);
    }
  }
  const inboxTotal = (
    await Promise.all(
      (Object.keys(p.recipients) as Audience[]).flatMap((a) =>
        p.recipients[a].filter((r) => r.channel === 'inbox').map((r) => inboxOf(r.address, p.productId)),
      ),
    )
  ).flat().length;
  expect(inboxTotal).toBe(
    expected.reduce((n, e) => n + p.recipients[e.audience].filter((r) => r.channel === 'inbox').length, 0),
  );
}

/** The title in the recipient's language, naming the date; the other language below the heading, naming it too. */
function expectWords(e: Expected, language: Language, title: string, text: string) {
  const mine = written(e.date.value, language);
  const theirs = written(e.date.value, other(language));
  if (e.date.inTitle) expect(title, `${e.kind} title`).toContain(mine);
  expect(text.startsWith(title)).toBe(true);
  const heading = text.indexOf(FALLBACK_HEADING[language]);
  expect(heading, `${e.kind}: fallback heading`).toBeGreaterThan(0);
  const first = text.indexOf(mine);
  expect(first, `${e.kind}: ${mine} in ${language}`).toBeGreaterThanOrEqual(0);
  expect(first).toBeLessThan(heading);
  expect(text.indexOf(theirs, heading), `${e.kind}: ${theirs} in the fallback`).toBeGreaterThan(heading);
  expect(text).toContain(e.key);
}

type ParsedMailFor = { rcptTo: string[]; mail: ParsedMail };

function mailsFor(p: Parties): ParsedMailFor[] {
  const addresses = new Set(Object.values(p.recipients).flatMap((rs) => rs.map((r) => r.address)));
  return mail.received.filter((m) => m.rcptTo.some((a) => addresses.has(a)));
}

function hooksFor(p: Parties) {
  const urls = new Set(Object.values(p.recipients).flatMap((rs) => rs.map((r) => r.address)));
  return hooks.requests.filter((q) => urls.has(`${new URL(hooks.url).origin}${q.path}`));
}

async function inboxOf(user: string, productId: string): Promise<InboxItem[]> {
  return (await listInbox(h.sql, user, { limit: 200 })).items.filter((i) => i.productId === productId);
}

/** Asserts a reminder is not out a minute before its instant and is out (once) a minute after. */
async function remindsAt(p: Parties, key: string, instant: string) {
  await sleepTo(Date.parse(instant) - MINUTE);
  expect(
    (await outboxOf(p.productId)).filter((r) => r.notice_key === key),
    `${key} before ${instant}`,
  ).toEqual([]);
  await sleepTo(Date.parse(instant) + MINUTE);
  await settled(p.productId, [key], 1);
}

// ------------------------------------------------------------------------------------------------ the tests

describe('notifications over a certificate’s life, on the time-skipping server', () => {
  it('tells every party each notice once, on its date, in its language, from idea to expiry 36 months later', async () => {
    const p = await parties('life');
    const d = new CaseDriver(h.env.client, h.taskQueue, p.productId);
    const expected: Expected[] = [];
    const key = (kind: NoticeKind, ...parts: (string | number)[]) => [p.productId, kind, ...parts].join(':');
    const eventAt = async (type: string) => {
      const found = (await d.events(h.sql)).filter((e) => e.type === type);
      expect(found, type).toHaveLength(1);
      return found[0]!.occurredAt;
    };

    // Idea → plan → dossier at the commune: the commune is told it has 15 working days.
    const place = {
      productId: p.productId,
      subjectId: p.subjectId,
      communeCode: p.communeCode,
      provinceCode: p.provinceCode,
    };
    await d.start(p.subject, cmd.registerIdea(place));
    await d.send(p.commune, cmd.acceptIdea());
    await d.send(p.subject, cmd.submitPlan());
    await d.send(p.commune, cmd.approvePlan());
    const submitted = await d.send(p.subject, cmd.submitDossier());
    const filed = evaluationOf(submitted.state);
    const communeDue = filed.communeDue!;
    expect(communeDue).toBe(addWorkingDays(filed.receivedOn, 15));
    expected.push({
      kind: 'dossier_received',
      audience: 'commune',
      key: key('dossier_received', filed.receivedOn, communeDue),
      dueAt: await eventAt('DossierSubmitted'),
      date: { fact: 'communeDue', value: communeDue, inTitle: true },
    });
    await settled(p.productId, [expected[0]!.key], 3);

    // Three working days before the commune's deadline (holidays skipped), at 08:00: the reminder.
    const communeReminderOn = addWorkingDays(communeDue, -DEFAULT_OFFSETS.communeReminderWorkingDaysLeft);
    const communeReminder: Expected = {
      kind: 'commune_check_reminder',
      audience: 'commune',
      key: key('commune_check_reminder', communeDue),
      dueAt: reminderInstant(communeReminderOn),
      date: { fact: 'communeDue', value: communeDue, inTitle: false },
    };
    expected.push(communeReminder);
    await remindsAt(p, communeReminder.key, communeReminder.dueAt);

    // Assessed and forwarded before the deadline: the province is told a dossier waits; a round fixes the decision.
    await d.send(p.commune, cmd.assess());
    const forwarded = await d.send(p.commune, cmd.forward());
    const forwardedOn = evaluationOf(forwarded.state).forwardedOn!;
    expected.push({
      kind: 'dossier_waiting',
      audience: 'province',
      key: key('dossier_waiting', forwardedOn),
      dueAt: await eventAt('DossierForwarded'),
      date: { fact: 'since', value: forwardedOn, inTitle: false },
    });
    const assigned = await d.send(p.province, cmd.assignRound());
    const decisionDue = evaluationOf(assigned.state).decisionDue!;
    expect(decisionDue > localDate(new Date(await now()).toISOString())).toBe(true);

    // Seven days before the round's decision date, at 08:00: the province is reminded.
    const decisionReminder: Expected = {
      kind: 'decision_due_soon',
      audience: 'province',
      key: key('decision_due_soon', decisionDue),
      dueAt: reminderInstant(addDays(decisionDue, -DEFAULT_OFFSETS.decisionReminderDays)),
      date: { fact: 'decisionDue', value: decisionDue, inTitle: true },
    };
    expected.push(decisionReminder);
    await remindsAt(p, decisionReminder.key, decisionReminder.dueAt);

    // The council scores, the province decides and issues the certificate: two notices to the subject.
    await d.send(p.province, cmd.council(80, 4));
    const decided = await d.send(p.province, cmd.decide(4));
    const decidedOn = evaluationOf(decided.state).decision!.decidedOn;
    expected.push({
      kind: 'recognition_decided',
      audience: 'subject',
      key: key('recognition_decided', decidedOn, 4),
      dueAt: await eventAt('RecognitionDecided'),
      date: { fact: 'decidedOn', value: decidedOn, inTitle: false },
    });
    const issued = await d.send(p.province, cmd.issue(`GCN-${p.productId}`));
    const cert = certificateOf(issued.state);
    const window = cert.reRatingWindow!;
    expect(cert.expiresOn).toBe(addMonths(cert.issuedOn, 36));
    expect(window.opens).toBe(addDays(cert.expiresOn, -180));
    expect(window.closes).toBe(addDays(cert.expiresOn, -120));
    expected.push({
      kind: 'certificate_issued',
      audience: 'subject',
      key: key('certificate_issued', cert.issuedOn, 't1'),
      dueAt: await eventAt('CertificateIssued'),
      date: { fact: 'expiresOn', value: cert.expiresOn, inTitle: false },
    });
    await settled(
      p.productId,
      expected.map((e) => e.key),
      expected.reduce((n, e) => n + p.recipients[e.audience].length, 0),
    );

    // 36 months: the window opens at 00:00 of T−180, "closes soon" at 08:00 of T−130, closes at the end of T−120,
    // "expires in 30 days" at 08:00 of T−30, and the certificate expires at the end of its last day.
    const opened: Expected = {
      kind: 're_rating_window_opened',
      audience: 'subject',
      key: key('re_rating_window_opened', window.opens),
      dueAt: startOfLocalDay(window.opens),
      date: { fact: 'closes', value: window.closes, inTitle: false },
    };
    const closingSoon: Expected = {
      kind: 're_rating_window_closing_soon',
      audience: 'subject',
      key: key('re_rating_window_closing_soon', window.closes),
      dueAt: reminderInstant(addDays(cert.expiresOn, -DEFAULT_OFFSETS.reRatingClosingSoonDaysBeforeExpiry)),
      date: { fact: 'closes', value: window.closes, inTitle: true },
    };
    const closed: Expected = {
      kind: 're_rating_window_closed',
      audience: 'subject',
      key: key('re_rating_window_closed', window.closes),
      dueAt: endOfLocalDay(window.closes),
      date: { fact: 'closes', value: window.closes, inTitle: false },
    };
    const expiring: Expected = {
      kind: 'certificate_expiring_soon',
      audience: 'subject',
      key: key('certificate_expiring_soon', cert.expiresOn),
      dueAt: reminderInstant(addDays(cert.expiresOn, -DEFAULT_OFFSETS.expiryReminderDays)),
      date: { fact: 'expiresOn', value: cert.expiresOn, inTitle: true },
    };
    const expired: Expected = {
      kind: 'certificate_expired',
      audience: 'subject',
      key: key('certificate_expired', cert.expiresOn),
      dueAt: endOfLocalDay(cert.expiresOn),
      date: { fact: 'endedOn', value: cert.expiresOn, inTitle: false },
    };
    for (const step of [opened, closingSoon, closed, expiring, expired]) {
      expected.push(step);
      await remindsAt(p, step.key, step.dueAt);
    }
    expect(await eventAt('ReRatingWindowOpened')).toBe(opened.dueAt);
    expect(await eventAt('ReRatingWindowClosed')).toBe(closed.dueAt);
    expect(await eventAt('CertificateExpired')).toBe(expired.dueAt);
    expect((await d.state()).status).toBe('expired');

    // A month more: nothing else is sent, nothing twice.
    await h.env.sleep(31 * 86_400_000);
    await expectDeliveredOnce(p, expected, mailsFor(p));
    const sent = await outboxOf(p.productId);
    expect(sent.filter((r) => r.status !== 'sent' || r.attempts !== 1)).toEqual([]);
    // The Ministry has nothing to do with a 4★ product: its recipients got nothing.
    for (const r of p.recipients.ministry) expect(sent.some((x) => x.recipient === r.address)).toBe(false);
    // 11 notices: 7 to the subject (4 recipients), 2 to the commune and 2 to the province (3 recipients each).
    expect(expected).toHaveLength(11);
    expect(mailsFor(p)).toHaveLength(7 * 2 + 2 + 2);
    expect(hooksFor(p)).toHaveLength(7 + 2 + 2);
    expect(sent).toHaveLength(7 * 4 + 2 * 3 + 2 * 3);
    expect(kills).toEqual([]);
  });

  it('a worker killed between sending and recording: the retry sends no duplicate, and says what it cannot know', async () => {
    const parts = await parties('kill');
    const today = localDate(new Date(await now()).toISOString());
    // Issued about 36 months before, under the rule-set then in force (an import must follow it): expires in ~45 days.
    const issuedOn = addMonths(addDays(today, 45), -36);
    const expiresOn = addMonths(issuedOn, 36);
    // Under QĐ 26/2026 an imported product keeps its code (T)-(X)-(STT)-year as its id.
    const p = ruleSetInForce(issuedOn).productNumbering
      ? { ...parts, productId: `${parts.provinceCode}-${parts.communeCode}-1-${issuedOn.slice(0, 4)}` }
      : parts;
    const d = new CaseDriver(h.env.client, h.taskQueue, p.productId);
    const template = cmd.importProduct({
      star: 4,
      level: 'province',
      issuedOn,
      expiresOn,
      ruleSetId: ruleSetInForce(issuedOn).id,
    });
    const imported = await d.start(p.province, {
      ...template,
      data: {
        ...(template.data as object),
        productId: p.productId,
        subjectId: p.subjectId,
        provinceCode: p.provinceCode,
        communeCode: p.communeCode,
      },
    } as never);
    expect(imported.state.status).toBe('certified');
    // The import catches up with a re-rating window that closed before it: history, not news (neither open nor
    // closed is announced); the reminder of the expiry still to come is.
    await h.env.sleep(MINUTE);
    const caughtUp = (await outboxOf(p.productId)).map((r) => r.kind);
    expect(caughtUp).not.toContain('re_rating_window_closed');
    expect(caughtUp).not.toContain('re_rating_window_opened');
    const key = `${p.productId}:certificate_expiring_soon:${expiresOn}`;
    const dueAt = reminderInstant(addDays(expiresOn, -30));
    const subjectMail = p.recipients.subject.filter((r) => r.channel === 'email');
    const subjectHook = p.recipients.subject.find((r) => r.channel === 'webhook')!;
    const subjectInbox = p.recipients.subject.find((r) => r.channel === 'inbox')!;

    // Kill once after each channel delivered the reminder: the first e-mail, the webhook and the inbox write.
    const toKill = new Set(['email', 'webhook', 'inbox']);
    killAfterSend = (row) => row.noticeKey === key && toKill.delete(row.channel);
    try {
      await sleepTo(Date.parse(dueAt) - MINUTE);
      expect((await outboxOf(p.productId)).filter((r) => r.notice_key === key)).toEqual([]);
      await sleepTo(Date.parse(dueAt) + 30 * MINUTE);
      const rows = await settled(p.productId, [key], 4);
      expect(kills.map((k) => k.channel).sort()).toEqual(['email', 'inbox', 'webhook']);
      const killedMail = kills.find((k) => k.channel === 'email')!;

      // E-mail: the copy that went out before the kill is not sent again. Each address got exactly one.
      // Copies are recognised by Message-ID (the outbox key), the same on every attempt.
      const received = mailsFor(p);
      for (const r of subjectMail) {
        const outboxKey = outboxKeyOf(key, 'email', r.address);
        const copies = received.filter((m) => m.mail.messageId === messageIdOf(outboxKey, MAIL_FROM));
        expect(copies, r.address).toHaveLength(1);
        expect(copies[0]!.rcptTo).toEqual([r.address]);
        expect(copies[0]!.mail.subject).toContain(written(expiresOn, r.language));
      }
      // … and the row of the killed one says so, as the design promises: unconfirmed, not sent, not silent.
      const byKey = new Map(rows.map((r) => [r.outbox_key, r]));
      expect(byKey.get(killedMail.outboxKey)).toMatchObject({
        channel: 'email',
        status: 'unconfirmed',
        attempts: 1,
        last_error: 'the sender stopped between sending and recording it; not re-sent to avoid a duplicate',
      });
      const dead = (await listDeadLetters(h.sql, { limit: 500 })).filter((r) => r.noticeKey === key);
      expect(dead.map((r) => [r.outboxKey, r.status])).toEqual([[killedMail.outboxKey, 'unconfirmed']]);
      const otherMail = subjectMail.find((r) => outboxKeyOf(key, 'email', r.address) !== killedMail.outboxKey)!;
      expect(byKey.get(outboxKeyOf(key, 'email', otherMail.address))).toMatchObject({ status: 'sent', attempts: 1 });

      // Webhook: sent again under the same Idempotency-Key; the receiver processed it once.
      const hookKey = outboxKeyOf(key, 'webhook', subjectHook.address);
      const attempts = hooksFor(p).filter((q) => q.headers['idempotency-key'] === hookKey);
      expect(attempts).toHaveLength(2);
      expect(attempts.map((q) => (JSON.parse(q.body) as WebhookPayload).key)).toEqual([key, key]);
      expect(hooks.processed.has(hookKey)).toBe(true);
      expect(byKey.get(hookKey)).toMatchObject({ status: 'sent', attempts: 2 });

      // Inbox: the message and its mark commit together, so the killed write left nothing and the retry wrote one.
      const inbox = (await inboxOf(subjectInbox.address, p.productId)).filter((i) => i.noticeKey === key);
      expect(inbox).toHaveLength(1);
      expect(byKey.get(outboxKeyOf(key, 'inbox', subjectInbox.address))).toMatchObject({ status: 'sent', attempts: 2 });

      // The workflow only wrote the reminder's rows (a local activity); the worker's sender delivered them, so no
      // delivery activity was scheduled, and the kills cost the workflow nothing.
      const history = (await h.env.client.workflow.getHandle(d.workflowId).fetchHistory()).events ?? [];
      const { EventType } = proto.temporal.api.enums.v1;
      const scheduled = history
        .filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
      expect(scheduled).toEqual([]);
      const failedTasks = history.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
      expect(failedTasks).toEqual([]);
    } finally {
      killAfterSend = null;
    }
  });
});
