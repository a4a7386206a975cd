import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, addMonths, localDate, ruleSetInForce } from '../../domain';
import { verifyChain } from '../../db/event-store';
import { COMMUNE, PROVINCE, cmd, communeOfficer, provincialOffice, subject, ministry } from '../unit/case/fixtures';
import { commandUpdate, type ProductCaseInput } from '../../workflows/messages';
import { CaseDriver } from './case-driver';
import { startTimeSkipping, type TimeSkippingHarness } from './timeskip';

// The whole lifecycle through the real workflow on the time-skipping server, recording into the real PostgreSQL.
// Time starts at the server's clock (today) and moves forward only, by env.sleep, firing every timer on the way.

let h: TimeSkippingHarness;
let n = 0;
const DAY = 86_400_000;

beforeAll(async () => {
  h = await startTimeSkipping('lifecycle');
});
afterAll(async () => {
  await h?.stop();
});

function driver(): CaseDriver {
  n += 1;
  return new CaseDriver(h.env.client, h.taskQueue, `TS-${Date.now().toString(36)}-${n}`);
}

async function toCertified(d: CaseDriver, score: number, star: 3 | 4) {
  await d.start(subject, cmd.registerIdea({ productId: d.productId }));
  await d.send(communeOfficer, cmd.acceptIdea());
  await d.send(subject, cmd.submitPlan());
  await d.send(communeOfficer, cmd.approvePlan());
  await d.send(subject, cmd.submitDossier());
  await d.send(communeOfficer, cmd.assess());
  await d.send(communeOfficer, cmd.forward());
  await d.send(provincialOffice, cmd.assignRound());
  await d.send(provincialOffice, cmd.council(score, star));
  await d.send(provincialOffice, cmd.decide(star));
  return d.send(provincialOffice, cmd.issue(`GCN-${d.productId}`));
}

describe('product case on the time-skipping server', () => {
  it('takes a first evaluation to a 4★ certificate valid 36 months, in a new run', async () => {
    const d = driver();
    const issued = await toCertified(d, 75.5, 4);
    expect(issued.state.status).toBe('certified');
    const events = await d.events(h.sql);
    expect(events.map((e) => e.type)).toContain('CertificateIssued');
    expect(verifyChain(events)).toBeNull();
    const cert = events.find((e) => e.type === 'CertificateIssued')!.data as {
      issuedOn: string;
      expiresOn: string;
      star: number;
    };
    expect(cert.star).toBe(4);
    const issuedOn = new Date(`${cert.issuedOn}T00:00:00Z`);
    const expected = new Date(issuedOn);
    expected.setUTCMonth(expected.getUTCMonth() + 36);
    expect(cert.expiresOn).toBe(expected.toISOString().slice(0, 10));
    // The certificate term starts a new run, carrying the state.
    await h.env.sleep(1_000);
    const snap = await d.snapshot();
    expect(snap.run).toBe(2);
    expect(snap.version).toBe(events.length);
  });

  it('opens and closes the re-rating window and expires the certificate when nobody files', async () => {
    const d = driver();
    await toCertified(d, 60, 3);
    await h.env.sleep(37 * 31 * DAY);
    const events = await d.events(h.sql);
    const types = events.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['ReRatingWindowOpened', 'ReRatingWindowClosed', 'CertificateExpired']),
    );
    const issued = events.find((e) => e.type === 'CertificateIssued')!.data as { expiresOn: string };
    const expired = events.find((e) => e.type === 'CertificateExpired')!;
    // It expires at the end of the last valid day, in Vietnam's time.
    expect(localDate(expired.occurredAt)).toBe(issued.expiresOn);
    expect((await d.state()).status).toBe('expired');
    expect(verifyChain(events)).toBeNull();
  });

  it('marks the commune check overdue after 15 working days', async () => {
    const d = driver();
    await d.start(subject, cmd.registerIdea({ productId: d.productId }));
    await d.send(communeOfficer, cmd.acceptIdea());
    await d.send(subject, cmd.submitPlan());
    await d.send(communeOfficer, cmd.approvePlan());
    const submitted = await d.send(subject, cmd.submitDossier());
    const due = (submitted.state as { evaluation: { communeDue: string } }).evaluation.communeDue;
    await h.env.sleep(40 * DAY);
    const overdue = (await d.events(h.sql)).find((e) => e.type === 'CommuneCheckOverdue');
    expect(overdue).toBeDefined();
    expect(localDate(overdue!.occurredAt)).toBe(due);
  });

  it('sends a potential 5★ to the Ministry and records the Minister’s 5★', async () => {
    const d = driver();
    await d.start(subject, cmd.registerIdea({ productId: d.productId }));
    for (const [actor, c] of [
      [communeOfficer, cmd.acceptIdea()],
      [subject, cmd.submitPlan()],
      [communeOfficer, cmd.approvePlan()],
      [subject, cmd.submitDossier()],
      [communeOfficer, cmd.assess()],
      [communeOfficer, cmd.forward()],
      [provincialOffice, cmd.assignRound()],
      [provincialOffice, cmd.council(93, 5)],
      [provincialOffice, cmd.sendToMinistry()],
      [ministry, cmd.centralCouncil(92, 5)],
      [ministry, cmd.decide(5)],
      [ministry, cmd.issue(`GCN-5-${d.productId}`)],
    ] as const) {
      await d.send(actor, c);
    }
    const state = await d.state();
    expect(state.status).toBe('certified');
    expect(state.status !== 'none' && state.certificate).toMatchObject({ star: 5, level: 'ministry' });
  });

  it('rejects an illegal command before it reaches history, with the stage', async () => {
    const d = driver();
    await d.start(subject, cmd.registerIdea({ productId: d.productId }));
    const failure: unknown = await d.send(provincialOffice, cmd.issue()).then(
      () => null,
      (err: unknown) => err,
    );
    expect((failure as { cause?: Error } | null)?.cause?.message).toMatch(/idea_registered/);
    expect((await d.events(h.sql)).map((e) => e.type)).toEqual(['IdeaRegistered']);
  });
});

describe('a late import catching up', () => {
  it('records the window it missed at once, in one run and one workflow task', async () => {
    // Expires in about 100 days: the re-rating window (T-180 to T-120) opened and closed before the migration. It was
    // issued 36 months before under the rule-set then in force, whose numbering a QĐ 26/2026 product code follows.
    const in100 = localDate(new Date((await h.env.currentTimeMs()) + 100 * DAY).toISOString());
    const issuedOn = addMonths(in100, -36);
    const expiresOn = addMonths(issuedOn, 36);
    const ruleSet = ruleSetInForce(issuedOn);
    n += 1;
    const d = new CaseDriver(
      h.env.client,
      h.taskQueue,
      ruleSet.productNumbering
        ? `${PROVINCE}-${COMMUNE}-${n}${Date.now() % 100_000}-${issuedOn.slice(0, 4)}`
        : `TS-${Date.now().toString(36)}-${n}`,
    );
    const command = cmd.importProduct({ star: 4, level: 'province', issuedOn, expiresOn, ruleSetId: ruleSet.id });
    const imported = await d.start(provincialOffice, {
      ...command,
      data: { ...command.data, productId: d.productId },
    } as never);
    expect(imported.state.status).toBe('certified');

    // No time passes: the events are there when the import is answered.
    const events = await d.events(h.sql);
    expect(events.map((e) => e.type)).toEqual([
      'CertifiedProductImported',
      'ReRatingWindowOpened',
      'ReRatingWindowClosed',
    ]);
    // The window's own dates are in its events; a case's events are never dated before its latest one (the import).
    const { opens, closes } = events[1]!.data as { opens: string; closes: string };
    expect(closes < localDate(events[0]!.occurredAt)).toBe(true);
    expect(opens < closes).toBe(true);
    expect((events[2]!.data as { closes: string }).closes).toBe(closes);
    const importedAt = Date.parse(events[0]!.occurredAt);
    for (const e of events.slice(1)) {
      expect(Date.parse(e.occurredAt)).toBeGreaterThanOrEqual(importedAt);
      expect(Date.parse(e.occurredAt) - importedAt).toBeLessThan(60_000);
    }
    expect(verifyChain(events)).toBeNull();

    // The import opened the term in the run's first command, so the run is that term's: no continue-as-new, and the
    // overdue deadlines were applied in the import's own workflow task, not one timer each.
    const snap = await d.snapshot();
    expect(snap).toMatchObject({ run: 1, version: 3 });
    const history = await h.env.client.workflow.getHandle(d.workflowId).fetchHistory();
    const { EventType } = proto.temporal.api.enums.v1;
    const count = (type: proto.temporal.api.enums.v1.EventType) =>
      (history.events ?? []).filter((e) => e.eventType === type).length;
    expect(count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)).toBe(1);
    expect(count(EventType.EVENT_TYPE_TIMER_FIRED)).toBe(0);
    expect(count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW)).toBe(0);

    // The reminder offsets came with the import's append, not from a local activity of their own.
    const activities = (history.events ?? [])
      .map((e) => e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data)
      .filter((data): data is Uint8Array => data instanceof Uint8Array)
      .map((data) => (JSON.parse(Buffer.from(data).toString()) as { activity_type?: string }).activity_type);
    expect(activities).toEqual(['recordEvents', 'recordEvents', 'recordEvents']);

    // Reminded 30 days before (the law's offsets, as the worker is configured), and expired on its day.
    await h.env.sleep(101 * DAY);
    const expired = (await d.events(h.sql)).find((e) => e.type === 'CertificateExpired');
    expect(expired && localDate(expired.occurredAt)).toBe(expiresOn);
    const reminders = await h.sql<{ notice: { dueAt: string } }[]>`
      SELECT notice FROM notification_outbox WHERE product_id = ${d.productId} AND kind = 'certificate_expiring_soon'`;
    expect(reminders.length).toBeGreaterThan(0);
    expect(new Set(reminders.map((r) => localDate(r.notice.dueAt)))).toEqual(new Set([addDays(expiresOn, -30)]));
  });
});

describe('optimistic concurrency', () => {
  it('refuses a command decided on an older version of the case, and records nothing', async () => {
    const d = driver();
    const registered = await d.start(subject, cmd.registerIdea({ productId: d.productId }));
    await d.send(communeOfficer, cmd.acceptIdea(), undefined, registered.version);
    const stale = await d.send(subject, cmd.submitPlan(), undefined, registered.version).then(
      () => null,
      (err: unknown) => err as Error,
    );
    expect(stale?.message).toMatch(/SubmitBusinessPlan: The case is at version 2, not 1/);
    expect((await d.events(h.sql)).map((e) => e.type)).toEqual(['IdeaRegistered', 'IdeaAccepted']);
    const current = await d.send(subject, cmd.submitPlan(), undefined, 2);
    expect(current.version).toBe(3);
  });
});

describe('commands across continue-as-new', () => {
  it('answers a retried command with its first result after the run continued as new', async () => {
    const d = driver();
    await d.start(subject, cmd.registerIdea({ productId: d.productId }));
    for (const [actor, c] of [
      [communeOfficer, cmd.acceptIdea()],
      [subject, cmd.submitPlan()],
      [communeOfficer, cmd.approvePlan()],
      [subject, cmd.submitDossier()],
      [communeOfficer, cmd.assess()],
      [communeOfficer, cmd.forward()],
      [provincialOffice, cmd.assignRound()],
      [provincialOffice, cmd.council(66, 3)],
      [provincialOffice, cmd.decide(3)],
    ] as const) {
      await d.send(actor, c);
    }
    const issue = cmd.issue(`GCN-${d.productId}`);
    const first = await d.send(provincialOffice, issue, `${d.productId}-issue`);
    await h.env.sleep(1_000);
    expect((await d.snapshot()).run).toBe(2);
    const retried = await d.send(provincialOffice, issue, `${d.productId}-issue`);
    expect(retried).toEqual(first);
    const issued = (await d.events(h.sql)).filter((e) => e.type === 'CertificateIssued');
    expect(issued).toHaveLength(1);
  });

  it('answers a command with its events and version only, also from the answers a new run keeps for retries', async () => {
    const d = driver();
    await toCertified(d, 75.5, 4);
    const id = `${d.productId}-issue-again`;
    const handle = h.env.client.workflow.getHandle(d.workflowId);
    // Certified: the next run holds the term. A command there, then its retry as the API sends it (no driver).
    await h.env.sleep(1_000);
    const propose = cmd.proposeRevocation(localDate(new Date(await h.env.currentTimeMs()).toISOString()));
    const first = await d.send(provincialOffice, propose, id);
    const raw = await handle.executeUpdate(commandUpdate, {
      args: [{ commandId: id, actor: provincialOffice, command: propose as never }],
      updateId: id,
    });
    expect(Object.keys(raw).sort()).toEqual(['events', 'productId', 'version']);
    expect(raw.version).toBe(first.version);
    expect(raw.events.map((e) => e.type)).toEqual(first.events.map((e) => e.type));
    // What the run handed over at continue-as-new: the remembered answers, none with a state.
    const events = (await handle.fetchHistory()).events ?? [];
    const started = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    const input = JSON.parse(Buffer.from(started!).toString('utf8')) as ProductCaseInput;
    expect(input.carried?.recent.length).toBeGreaterThan(0);
    for (const [, answer] of input.carried?.recent ?? []) expect(answer).not.toHaveProperty('state');
  });
});
