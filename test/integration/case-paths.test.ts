import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDate, type CaseState } from '../../domain';
import { verifyChain } from '../../db/event-store';
import { cmd, communeOfficer, ministry, provincialOffice, subject } from '../unit/case/fixtures';
import { CaseDriver } from './case-driver';
import { startTimeSkipping, type TimeSkippingHarness } from './timeskip';

// Every path of a case through the real workflow on the time-skipping server, recorded in the real PostgreSQL.
// The server's clock starts at today and only moves forward: waits are env.sleep, which fires every timer on the way.

let h: TimeSkippingHarness;
let n = 0;
const DAY = 86_400_000;

beforeAll(async () => {
  h = await startTimeSkipping('paths');
});
afterAll(async () => {
  await h?.stop();
});

function driver(): CaseDriver {
  n += 1;
  return new CaseDriver(h.env.client, h.taskQueue, `PATH-${Date.now().toString(36)}-${n}`);
}

async function today(): Promise<string> {
  return localDate(new Date(await h.env.currentTimeMs()).toISOString());
}

/** Sleeps until noon (Vietnam) of a local date. */
async function sleepUntil(date: string) {
  const target = Date.parse(`${date}T12:00:00+07:00`);
  const now = await h.env.currentTimeMs();
  if (target > now) await h.env.sleep(target - now);
}

async function toCouncil(d: CaseDriver, kind: 'first' | 'upgrade' | 're_rating' = 'first') {
  if (kind === 'first') {
    await d.start(subject, cmd.registerIdea({ productId: d.productId }));
    await d.send(communeOfficer, cmd.acceptIdea());
    await d.send(subject, cmd.submitPlan());
    await d.send(communeOfficer, cmd.approvePlan());
  }
  await d.send(subject, cmd.submitDossier(kind));
  await d.send(communeOfficer, cmd.assess());
  await d.send(communeOfficer, cmd.forward());
  await d.send(provincialOffice, cmd.assignRound());
}

async function certify(d: CaseDriver, star: 3 | 4, kind: 'first' | 'upgrade' | 're_rating' = 'first', no = 'GCN-1') {
  await toCouncil(d, kind);
  await d.send(provincialOffice, cmd.council(star === 4 ? 80 : 60, star));
  await d.send(provincialOffice, cmd.decide(star));
  return d.send(provincialOffice, cmd.issue(`${no}-${d.productId}`));
}

function certificateOf(state: CaseState) {
  if (state.status === 'none' || !state.certificate) throw new Error(`no certificate in ${state.status}`);
  return state.certificate;
}

/** Event counts of every run of a case, following continue-as-new from the first run. */
async function runLengths(d: CaseDriver): Promise<number[]> {
  const described = await h.env.client.workflow.getHandle(d.workflowId).describe();
  let runId: string | null | undefined = described.raw.workflowExecutionInfo?.firstRunId;
  const lengths: number[] = [];
  while (runId) {
    const history = await h.env.client.workflow.getHandle(d.workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    lengths.push(events.length);
    const last = events[events.length - 1];
    runId =
      last?.eventType === proto.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
        ? last.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId
        : null;
  }
  return lengths;
}

const types = async (d: CaseDriver) => (await d.events(h.sql)).map((e) => e.type);

describe('case paths on the time-skipping server', () => {
  it('decides a dossier filed under QĐ 148 before 22/05/2026 by its own rules, after QĐ 26/2026 took effect', async () => {
    const d = driver();
    const imported = await d.start(provincialOffice, {
      ...cmd.importDossier('2026-04-02', '2026-04-20'),
      data: { ...cmd.importDossier('2026-04-02', '2026-04-20').data, productId: d.productId },
    } as never);
    expect(imported.state.status).toBe('forwarded');
    expect(imported.events[0]).toMatchObject({ type: 'DossierInProgressImported', ruleSetId: 'QD148_1489_2025' });
    // The transitional 60 days (from 22/05/2026) ran out before the migration: the case says so at once.
    await h.env.sleep(DAY);
    expect(await types(d)).toContain('DecisionOverdue');
    await d.send(provincialOffice, cmd.assignRound(addDays(await today(), 30)));
    await d.send(provincialOffice, cmd.council(72, 4));
    await d.send(provincialOffice, cmd.decide(4));
    const issued = await d.send(provincialOffice, cmd.issue(`GCN-148-${d.productId}`));
    expect(certificateOf(issued.state)).toMatchObject({ star: 4, level: 'province', ruleSetId: 'QD148_1489_2025' });
    const recorded = await d.events(h.sql);
    expect(recorded.every((e) => e.ruleSetId === 'QD148_1489_2025')).toBe(true);
  });

  // First: the server's clock is global and the later tests move it years ahead.
  it('keeps a district-issued 3★ certificate (QĐ 148/2023) valid after the 2025 reform, until its expiry', async () => {
    const d = driver();
    const imported = await d.start(
      provincialOffice,
      cmd.importProduct({
        star: 3,
        level: 'district',
        issuedOn: '2024-12-02',
        expiresOn: '2027-12-02',
        ruleSetId: 'QD148_2023',
      }),
    );
    expect(imported.state.status).toBe('certified');
    expect(certificateOf(imported.state)).toMatchObject({ level: 'district', star: 3, ruleSetId: 'QD148_2023' });
    await sleepUntil('2027-12-01');
    expect((await d.state()).status).toBe('certified');
    await sleepUntil('2027-12-04');
    const expired = (await d.events(h.sql)).find((e) => e.type === 'CertificateExpired');
    expect(expired && localDate(expired.occurredAt)).toBe('2027-12-02');
  });
  // The knock-outs of QĐ 26/2026 (domain README): forged dossier, food-safety certificate missing, all raw materials
  // imported or of unknown origin, a copy of another producer's product.
  it.each([
    ['forged-dossier', 'Hồ sơ giả mạo'],
    ['mandatory-licence', 'Thiếu giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm'],
    ['imported-or-unknown-raw-materials', 'Nguyên liệu nhập khẩu, không rõ nguồn gốc'],
    ['copy-of-another-product', 'Sao chép sản phẩm của chủ thể khác'],
  ])('rejects a dossier on the knock-out ground %s', async (ground, reason) => {
    const d = driver();
    await toCouncil(d);
    const result = await d.send(provincialOffice, cmd.council(82, 4, { ground, reason }));
    expect(result.events.map((e) => e.type)).toContain('DossierRejected');
    expect(result.events.find((e) => e.type === 'DossierRejected')?.data).toMatchObject({ ground, reason });
    expect(result.state.status).toBe('not_recognised');
  });

  it('closes a first evaluation below 3★ without a certificate', async () => {
    const d = driver();
    await toCouncil(d);
    const result = await d.send(provincialOffice, cmd.council(45, 2));
    expect(result.state.status).toBe('not_recognised');
    expect(result.state.status !== 'none' && result.state.certificate).toBeNull();
  });

  it('returns a dossier for completion, takes it back, and lapses one left incomplete', async () => {
    const completed = driver();
    await completed.start(subject, cmd.registerIdea({ productId: completed.productId }));
    await completed.send(communeOfficer, cmd.acceptIdea());
    await completed.send(subject, cmd.submitPlan());
    await completed.send(communeOfficer, cmd.approvePlan());
    await completed.send(subject, cmd.submitDossier());
    const completeBy = addDays(await today(), 10);
    await completed.send(communeOfficer, cmd.returnDossier(completeBy));
    const back = await completed.send(subject, cmd.completeDossier());
    expect(back.state.status).toBe('dossier_submitted');

    const lapsed = driver();
    await lapsed.start(subject, cmd.registerIdea({ productId: lapsed.productId }));
    await lapsed.send(communeOfficer, cmd.acceptIdea());
    await lapsed.send(subject, cmd.submitPlan());
    await lapsed.send(communeOfficer, cmd.approvePlan());
    await lapsed.send(subject, cmd.submitDossier());
    await lapsed.send(communeOfficer, cmd.returnDossier(addDays(await today(), 10)));
    await h.env.sleep(12 * DAY);
    const lapse = (await lapsed.events(h.sql)).find((e) => e.type === 'DossierLapsed');
    expect(lapse && localDate(lapse.occurredAt)).toBe(completeBy);
  });

  it('falls back to 4★ by the province when the central council scores under 90', async () => {
    const d = driver();
    await toCouncil(d);
    await d.send(provincialOffice, cmd.council(91, 5));
    await d.send(provincialOffice, cmd.sendToMinistry());
    await d.send(ministry, cmd.centralCouncil(86, 4));
    await d.send(provincialOffice, cmd.decide(4));
    const issued = await d.send(provincialOffice, cmd.issue(`GCN-4-${d.productId}`));
    expect(certificateOf(issued.state)).toMatchObject({ star: 4, level: 'province' });
  });

  it('re-rates on time in the window: a new 36-month term in a new run, every run under 2,000 events', async () => {
    const d = driver();
    const first = await certify(d, 4);
    const cert = certificateOf(first.state);
    expect(cert.reRatingWindow).not.toBeNull();
    await sleepUntil(addDays(cert.reRatingWindow!.opens, 1));
    expect(await types(d)).toContain('ReRatingWindowOpened');
    const renewed = await certify(d, 4, 're_rating', 'GCN-2');
    const second = certificateOf(renewed.state);
    expect(second).toMatchObject({ termNo: 2, star: 4 });
    expect(second.expiresOn > cert.expiresOn).toBe(true);
    // Let the second term run out too: five years of one case.
    await sleepUntil(addDays(second.expiresOn, 2));
    const all = await types(d);
    expect(all.filter((t) => t === 'CertificateIssued')).toHaveLength(2);
    expect(all.at(-1)).toBe('CertificateExpired');
    expect(verifyChain(await d.events(h.sql))).toBeNull();
    const lengths = await runLengths(d);
    expect(lengths.length).toBeGreaterThanOrEqual(3);
    for (const length of lengths) expect(length).toBeLessThan(2_000);
  });

  it('refuses a re-rating after the window closed (art. 7.6a), and the certificate expires on its own date', async () => {
    const d = driver();
    const first = await certify(d, 3);
    const cert = certificateOf(first.state);
    const w = cert.reRatingWindow!;
    await sleepUntil(addDays(w.closes, 3));
    expect(await types(d)).toEqual(expect.arrayContaining(['ReRatingWindowOpened', 'ReRatingWindowClosed']));
    const vn = (date: string) => date.split('-').reverse().join('/');
    await expect(d.send(subject, cmd.submitDossier('re_rating'))).rejects.toThrow(
      `ran from ${vn(w.opens)} to ${vn(w.closes)}`,
    );
    await sleepUntil(addDays(cert.expiresOn, 5));
    const expired = (await d.events(h.sql)).find((e) => e.type === 'CertificateExpired');
    expect(expired?.data).toMatchObject({ endedOn: cert.expiresOn, reason: 'term_ended' });
    expect(await types(d)).not.toContain('CertificateExtended');
    // Only the first evaluation's dossier: the late one left nothing behind.
    expect((await types(d)).filter((t) => t === 'DossierSubmitted')).toHaveLength(1);
  });

  it('upgrades a 3★ product to 4★ in a later round', async () => {
    const d = driver();
    await certify(d, 3);
    await h.env.sleep(60 * DAY);
    const upgraded = await certify(d, 4, 'upgrade', 'GCN-U');
    expect(certificateOf(upgraded.state)).toMatchObject({ star: 4, termNo: 2 });
  });

  it('revokes a certificate after a proposal whose 15 days ran out', async () => {
    const d = driver();
    await certify(d, 4);
    const concludedOn = await today();
    await d.send(provincialOffice, cmd.proposeRevocation(concludedOn, 'c'));
    await h.env.sleep(20 * DAY);
    const overdue = (await d.events(h.sql)).find((e) => e.type === 'RevocationOverdue');
    expect(overdue && localDate(overdue.occurredAt)).toBe(addDays(concludedOn, 15));
    const revoked = await d.send(provincialOffice, cmd.revoke(concludedOn, 'c'));
    expect(revoked.state.status).toBe('revoked');
    expect(revoked.events[0]).toMatchObject({ type: 'CertificateRevoked', data: { ground: 'c', late: true } });
  });
});
