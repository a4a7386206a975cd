import { describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, decide, record } from '../../../domain';
import { DEFAULT_OFFSETS, noticesForEvents, scheduledReminders } from '../../../domain/notifications';
import {
  COMMUNE,
  PROVINCE,
  SUBJECT,
  at,
  cmd,
  communeOfficer,
  provincialOffice,
  Story,
  storyTo,
  subject,
} from '../case/fixtures';
import { elapse, step } from './helpers';

const P = 'P-TRA-SHAN';

describe('notices caused by events', () => {
  it('tells the commune a dossier arrived and by when it must be checked', () => {
    const s = storyTo('plan_approved');
    const notices = step(s, cmd.submitDossier(), '2026-08-03', subject);
    expect(notices).toEqual([
      {
        key: `${P}:dossier_received:2026-08-03:2026-08-24`,
        kind: 'dossier_received',
        productId: P,
        audience: 'commune',
        audienceCode: COMMUNE,
        dueAt: at('2026-08-03'),
        staleAt: null,
        facts: expect.objectContaining({
          productName: 'Chè Shan Tuyết',
          receivedOn: '2026-08-03',
          communeDue: '2026-08-24',
          dossierKind: 'first',
        }) as Record<string, unknown>,
      },
    ]);
  });

  it('tells the subject what is missing and by when, and the commune again when it comes back', () => {
    const s = storyTo('dossier_submitted');
    const [returned] = step(s, cmd.returnDossier('2026-08-20'), '2026-08-05', communeOfficer);
    expect(returned).toMatchObject({
      key: `${P}:dossier_returned:2026-08-05:2026-08-20`,
      kind: 'dossier_returned',
      audience: 'subject',
      audienceCode: SUBJECT,
      facts: { missing: 'phiếu kiểm nghiệm', completeBy: '2026-08-20', reason: 'Thiếu phiếu kiểm nghiệm' },
    });
    const [back] = step(s, cmd.completeDossier(), '2026-08-10', subject);
    expect(back).toMatchObject({ kind: 'dossier_received', audience: 'commune', facts: { receivedOn: '2026-08-10' } });
  });

  it('tells the province a dossier waits, the subject the decision and the certificate', () => {
    const s = storyTo('commune_assessed');
    expect(step(s, cmd.forward(), '2026-08-11', communeOfficer)).toMatchObject([
      { kind: 'dossier_waiting', audience: 'province', audienceCode: PROVINCE },
    ]);
    expect(step(s, cmd.assignRound(), '2026-08-12', provincialOffice)).toEqual([]);
    expect(step(s, cmd.council(75.5, 4), '2026-11-12', provincialOffice)).toEqual([]);
    expect(step(s, cmd.decide(4), '2026-11-20', provincialOffice)).toMatchObject([
      {
        key: `${P}:recognition_decided:2026-11-20:4`,
        audience: 'subject',
        facts: { star: 4, decisionNumber: 'QD-4', decidedOn: '2026-11-20' },
      },
    ]);
    expect(step(s, cmd.issue(), '2026-11-21', provincialOffice)).toMatchObject([
      {
        key: `${P}:certificate_issued:2026-11-21:t1`,
        audience: 'subject',
        facts: { certificateNumber: 'GCN-1', expiresOn: '2029-11-21', windowOpens: '2029-05-25' },
      },
    ]);
  });

  it('tells the subject the window opened, closed, and the certificate expired', () => {
    const s = storyTo('certified');
    expect(elapse(s)).toMatchObject([
      {
        key: `${P}:re_rating_window_opened:2029-05-25`,
        audience: 'subject',
        dueAt: '2029-05-24T17:00:00.000Z',
        facts: { opens: '2029-05-25', closes: '2029-07-24', expiresOn: '2029-11-21' },
      },
    ]);
    expect(elapse(s)).toMatchObject([{ key: `${P}:re_rating_window_closed:2029-07-24`, audience: 'subject' }]);
    expect(elapse(s)).toMatchObject([
      { key: `${P}:certificate_expired:2029-11-21`, facts: { certificateNumber: 'GCN-1', reason: 'term_ended' } },
    ]);
  });

  it('makes deadlines that fell before an import history, not notices; its own events still tell', () => {
    // A certificate that expired in 2023, imported in 2026: window and expiry are caught up without a word.
    const s = new Story();
    const importNotices = step(
      s,
      cmd.importProduct({
        star: 4,
        level: 'province',
        issuedOn: '2020-03-02',
        expiresOn: '2023-03-02',
        ruleSetId: 'QD1048_2019',
      }),
      '2026-12-01',
      provincialOffice,
    );
    expect(importNotices).toEqual([]);
    const expired = elapse(s);
    expect(s.events.at(-1)).toMatchObject({ type: 'CertificateExpired', data: { endedOn: '2023-03-02' } });
    expect(expired).toEqual([]);
    // The readings before law-readings-v1 told the subject, dated the import.
    const before = new Story();
    before.run(
      cmd.importProduct({
        star: 4,
        level: 'province',
        issuedOn: '2020-03-02',
        expiresOn: '2023-03-02',
        ruleSetId: 'QD1048_2019',
      }),
      '2026-12-01',
      provincialOffice,
    );
    const prev = before.state;
    const events = decide({ type: 'ExpireCertificate', data: {} }, prev, {
      now: at('2026-12-01'),
      actor: SYSTEM_ACTOR,
      legacyReadings: true,
    });
    const { recorded, state } = record(prev, events, at('2026-12-01'));
    expect(noticesForEvents(prev, recorded, state, { pastAsHistory: false })).toMatchObject([
      { kind: 'certificate_expired', facts: { endedOn: '2026-12-01' } },
    ]);
  });

  it('tells a certificate art. 12.3 covers that a re-rating keeps it valid, and that it was extended', () => {
    const s = new Story();
    s.run(cmd.importEntitled(), '2026-06-01', provincialOffice);
    const reminder = scheduledReminders(s.state, DEFAULT_OFFSETS).find((r) => r.kind === 'certificate_expiring_soon');
    expect(reminder?.facts).toMatchObject({ expiresOn: '2026-11-17', extensionUntil: '2027-05-16' });
    step(s, cmd.submitDossier('re_rating'), '2026-09-01', subject);
    step(s, cmd.assess(), '2026-09-02', communeOfficer);
    step(s, cmd.forward(), '2026-09-03', communeOfficer);
    elapse(s); // decision overdue
    expect(elapse(s)).toMatchObject([
      {
        kind: 'certificate_extended',
        audience: 'subject',
        facts: { expiresOn: '2026-11-17', extendedUntil: '2027-05-16' },
      },
    ]);
    // A certificate with a window of its own is told it cannot file after the window, and no extension.
    const own = storyTo('certified');
    const ownReminder = scheduledReminders(own.state, DEFAULT_OFFSETS).find(
      (r) => r.kind === 'certificate_expiring_soon',
    );
    expect(ownReminder?.facts.extensionUntil).toBeNull();
  });

  it('tells the subject of a revocation and the deciders of an overdue one', () => {
    const revoked = storyTo('certified');
    step(revoked, cmd.proposeRevocation('2027-03-01'), '2027-03-02', provincialOffice);
    expect(step(revoked, cmd.revoke('2027-03-01'), '2027-03-05', provincialOffice)).toMatchObject([
      { kind: 'certificate_revoked', audience: 'subject', facts: { ground: 'b', revokedOn: '2027-03-05' } },
    ]);
    const late = storyTo('certified');
    expect(step(late, cmd.proposeRevocation('2027-03-01'), '2027-03-02', provincialOffice)).toEqual([]);
    expect(elapse(late)).toMatchObject([
      { key: `${P}:revocation_overdue:2027-03-16`, audience: 'province', audienceCode: PROVINCE },
    ]);
  });

  it('tells the Ministry of a potential 5★ and the subject of a result below 3★', () => {
    const s = storyTo('under_review');
    step(s, cmd.council(93, 5), '2026-11-12', provincialOffice);
    expect(step(s, cmd.sendToMinistry(), '2026-11-25', provincialOffice)).toMatchObject([
      {
        key: `${P}:potential_five_star_received:2026-11-25`,
        audience: 'ministry',
        audienceCode: 'MINISTRY',
        facts: { score: 93, sentOn: '2026-11-25' },
      },
    ]);
    const low = storyTo('under_review');
    expect(step(low, cmd.council(45, 2), '2026-11-12', provincialOffice)).toMatchObject([
      { kind: 'not_recognised', audience: 'subject', facts: { outcome: 'below_three_stars', star: 2 } },
    ]);
  });

  it('tells the commune its check is overdue', () => {
    const s = storyTo('dossier_submitted');
    expect(elapse(s)).toMatchObject([
      { key: `${P}:commune_check_overdue:2026-08-24`, audience: 'commune', audienceCode: COMMUNE },
    ]);
  });

  it('says nothing for steps nobody waits on', () => {
    const s = storyTo('idea_registered');
    expect(step(s, cmd.acceptIdea(), '2026-06-02', communeOfficer)).toEqual([]);
    expect(step(s, cmd.submitPlan(), '2026-06-03', subject)).toEqual([]);
  });

  it('gives the same keys when the same events are replayed', () => {
    const s = storyTo('recognised');
    const before = s.state;
    const produced = s.run(cmd.issue(), '2026-11-21', provincialOffice);
    const once = noticesForEvents(before, record(before, produced, at('2026-11-21')).recorded, s.state);
    const again = noticesForEvents(before, record(before, produced, at('2026-11-21')).recorded, s.state);
    expect(again).toEqual(once);
    expect(once).toHaveLength(1);
  });
});
