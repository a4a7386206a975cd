import { describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, nextDeadline, pendingDeadlines, summarize } from '../../../domain';
import type { DomainEvent } from '../../../domain';
import { given } from './given';
import {
  Story,
  cmd,
  communeOfficer,
  meta,
  ministry,
  provincialOffice,
  storyTo,
  storyToMinistry,
  subject,
} from './fixtures';

/** 4★ certificate GCN-1 issued 2026-11-21, valid through 2029-11-21; re-rating window 2029-05-25 … 2029-07-24. */
const certified = () => storyTo('certified');

function reRateThrough(s: Story, filedOn: string, decidedOn: string, star: 3 | 4 = 4) {
  s.run(cmd.submitDossier('re_rating'), filedOn, subject);
  s.run(cmd.assess(), filedOn, communeOfficer);
  s.run(cmd.forward(), filedOn, communeOfficer);
  s.run(cmd.assignRound(), filedOn, provincialOffice);
  const council = cmd.council(star === 4 ? 80 : 60, star);
  s.run({ ...council, data: { ...council.data, writtenOpinion: true } }, decidedOn, provincialOffice);
  s.run(cmd.decide(star), decidedOn, provincialOffice);
}

describe('re-rating window and expiry deadlines', () => {
  it('opens at T−180, closes after T−120, expires after the last valid day', () => {
    const s = certified();
    expect(pendingDeadlines(s.state).map((d) => [d.kind, d.due])).toEqual([
      ['re_rating_window_opens', '2029-05-24T17:00:00.000Z'],
      ['certificate_expiry', '2029-11-21T16:59:59.999Z'],
    ]);
    expect(s.elapse()).toEqual([{ type: 'ReRatingWindowOpened', data: { opens: '2029-05-25', closes: '2029-07-24' } }]);
    expect(nextDeadline(s.state)).toMatchObject({ kind: 're_rating_window_closes', due: '2029-07-24T16:59:59.999Z' });
    expect(s.elapse()).toEqual([{ type: 'ReRatingWindowClosed', data: { closes: '2029-07-24' } }]);
    expect(summarize(s.state).reRatingWindow).toBe('closed');
    expect(s.elapse()).toEqual([
      {
        type: 'CertificateExpired',
        data: { certificateNumber: 'GCN-1', expiresOn: '2029-11-21', endedOn: '2029-11-21', reason: 'term_ended' },
      },
    ]);
    expect(summarize(s.state)).toMatchObject({ stage: 'expired', star: null, certificateNumber: null });
    expect(nextDeadline(s.state)).toBeNull();
  });

  it('never runs a deadline command early', () => {
    const s = certified();
    given(s.events)
      .when(cmd.system('OpenReRatingWindow'), { now: '2029-05-24T16:59:59.999Z', actor: SYSTEM_ACTOR })
      .thenRejects('not_due');
    given(s.events)
      .when(cmd.system('ExpireCertificate'), { now: '2029-11-21T16:59:59.998Z', actor: SYSTEM_ACTOR })
      .thenRejects('not_due');
  });

  it('deadline commands belong to the system and user commands do not', () => {
    const s = certified();
    given(s.events)
      .when(cmd.system('ExpireCertificate'), meta('2030-01-01', provincialOffice))
      .thenRejects('forbidden');
    given(s.events).when(cmd.submitDossier('upgrade'), meta('2027-01-01', SYSTEM_ACTOR)).thenRejects('forbidden');
  });
});

describe('re-rating', () => {
  it('is refused before the window opens', () => {
    given(certified().events)
      .when(cmd.submitDossier('re_rating'), meta('2029-05-24', subject))
      .thenRejects('not_yet_open', /2029-05-25/);
  });

  it('on time: 45-day limit, written opinion, new certificate for a new term', () => {
    const s = certified();
    s.elapse();
    const [filed] = s.run(cmd.submitDossier('re_rating'), '2029-06-01', subject);
    expect(filed).toMatchObject({ type: 'DossierSubmitted', data: { kind: 're_rating', late: false, cycleNo: 2 } });
    // While a re-rating runs the window deadlines are moot; the expiry still stands.
    expect(pendingDeadlines(s.state).map((d) => d.kind)).toEqual(['commune_check', 'certificate_expiry']);
    s.run(cmd.assess(), '2029-06-05', communeOfficer);
    s.run(cmd.forward(), '2029-06-06', communeOfficer);
    expect(s.state.status === 'forwarded' && s.state.evaluation.decisionDue).toBe('2029-07-21');
    s.run(cmd.assignRound(), '2029-06-07', provincialOffice);
    // Round 2 of 2029 would allow until 29/12; the 45 days are shorter.
    expect(s.state.status === 'under_review' && s.state.evaluation.decisionDue).toBe('2029-07-21');
    s.run(cmd.council(81, 4), '2029-07-01', provincialOffice);
    s.run(cmd.decide(4), '2029-07-02', provincialOffice);
    const [issued] = s.run(cmd.issue('GCN-2'), '2029-07-03', provincialOffice);
    expect(issued).toEqual({
      type: 'CertificateIssued',
      data: {
        certificateNumber: 'GCN-2',
        star: 4,
        level: 'province',
        issuedOn: '2029-07-03',
        expiresOn: '2032-07-03',
        termNo: 2,
        ruleSetId: 'QD26_2026',
        reRatingWindow: { opens: '2032-01-05', closes: '2032-03-05' },
        replaces: 'GCN-1',
      },
    });
    expect(summarize(s.state)).toMatchObject({ stage: 'certified', termNo: 2, cycleNo: 2, reRatingWindow: 'pending' });
  });

  it('after the window closed is refused, naming the window (art. 7.6a; art. 12.3 does not cover it)', () => {
    const s = certified();
    s.elapse();
    s.elapse();
    const refused = given(s.events)
      .when(cmd.submitDossier('re_rating'), meta('2029-09-03', subject))
      .thenRejects('deadline_passed', /25\/05\/2029 to 24\/07\/2029/);
    expect(refused.message).toMatch(/expires on 21\/11\/2029/);
    // The last day of the window is still inside it.
    given(s.events)
      .when(cmd.submitDossier('re_rating'), { now: '2029-07-24T16:59:59.000Z', actor: subject })
      .thenTypes(['DossierSubmitted']);
  });

  it('filed in time but undecided at expiry: the certificate expires on its date, the re-rating goes on', () => {
    const s = certified();
    s.elapse();
    s.run(cmd.submitDossier('re_rating'), '2029-07-20', subject);
    s.run(cmd.assess(), '2029-07-21', communeOfficer);
    s.run(cmd.forward(), '2029-07-22', communeOfficer);
    s.run(cmd.assignRound(), '2029-07-23', provincialOffice);
    s.elapse(); // the 45-day decision limit
    expect(s.elapse()).toEqual([
      {
        type: 'CertificateExpired',
        data: { certificateNumber: 'GCN-1', expiresOn: '2029-11-21', endedOn: '2029-11-21', reason: 'term_ended' },
      },
    ]);
    expect(summarize(s.state)).toMatchObject({ stage: 'under_review', star: null, certificateExtendedUntil: null });
  });

  it('the legacy readings (runs before law-readings-v1) still accept it late and extend the certificate', () => {
    const s = certified();
    s.elapse();
    s.elapse();
    const [filed] = given(s.events)
      .when(cmd.submitDossier('re_rating'), { ...meta('2029-09-03', subject), legacyReadings: true })
      .thenTypes(['DossierSubmitted']);
    expect(filed).toMatchObject({ data: { late: true } });
  });
});

describe('re-rating under art. 12.3 (a certificate whose window QĐ 26/2026 made impossible to meet)', () => {
  const imported = () => {
    const s = new Story();
    s.run(cmd.importEntitled(), '2026-06-01', provincialOffice);
    return s;
  };

  it('has no window of its own, files late until expiry, and is extended at most 180 days past expiry', () => {
    const s = imported();
    expect(summarize(s.state).reRatingWindow).toBeNull();
    const [filed] = s.run(cmd.submitDossier('re_rating'), '2026-09-01', subject);
    expect(filed).toMatchObject({ type: 'DossierSubmitted', data: { kind: 're_rating', late: true } });
    s.run(cmd.assess(), '2026-09-02', communeOfficer);
    s.run(cmd.forward(), '2026-09-03', communeOfficer);
    s.run(cmd.assignRound(), '2026-09-04', provincialOffice);
    s.elapse(); // the 45-day decision limit
    expect(s.elapse()).toEqual([
      {
        type: 'CertificateExtended',
        data: { certificateNumber: 'GCN-148-4', expiresOn: '2026-11-17', extendedUntil: '2027-05-16' },
      },
    ]);
    expect(summarize(s.state)).toMatchObject({
      stage: 'under_review',
      star: 4,
      certificateExtendedUntil: '2027-05-16',
    });
    expect(nextDeadline(s.state)).toMatchObject({ kind: 'extension_end', due: '2027-05-16T16:59:59.999Z' });
    s.run(cmd.council(72, 4), '2026-12-01', provincialOffice);
    s.run(cmd.decide(4), '2026-12-02', provincialOffice);
    s.run(cmd.issue('GCN-2'), '2026-12-03', provincialOffice);
    expect(summarize(s.state)).toMatchObject({
      stage: 'certified',
      certificateNumber: 'GCN-2',
      certificateExtendedUntil: null,
    });
  });

  it('the extension ends on its own last day even if nothing is decided', () => {
    const s = imported();
    s.run(cmd.submitDossier('re_rating'), '2026-09-01', subject);
    s.run(cmd.assess(), '2026-09-02', communeOfficer);
    s.run(cmd.forward(), '2026-09-03', communeOfficer);
    s.run(cmd.assignRound(), '2026-09-04', provincialOffice);
    s.elapse(); // decision overdue
    s.elapse(); // extended
    expect(s.elapse()).toEqual([
      {
        type: 'CertificateExpired',
        data: {
          certificateNumber: 'GCN-148-4',
          expiresOn: '2026-11-17',
          endedOn: '2027-05-16',
          reason: 'extension_ended',
        },
      },
    ]);
    expect(summarize(s.state)).toMatchObject({ stage: 'under_review', star: null });
  });

  it('a failed re-rating under extension ends the certificate at once', () => {
    const s = imported();
    s.run(cmd.submitDossier('re_rating'), '2026-09-01', subject);
    s.run(cmd.assess(), '2026-09-02', communeOfficer);
    s.run(cmd.forward(), '2026-09-03', communeOfficer);
    s.run(cmd.assignRound(), '2026-09-04', provincialOffice);
    s.elapse();
    s.elapse();
    const events = s.run(cmd.council(40, 2), '2026-12-01', provincialOffice);
    expect(events.map((e) => e.type)).toEqual(['CouncilResultRecorded', 'CertificateExpired', 'EvaluationClosed']);
    expect(summarize(s.state)).toMatchObject({ stage: 'expired', lastOutcome: 'not_re_recognised' });
  });

  it('is reachable by importing the re-rating dossier filed on paper, even after the certificate expired', () => {
    const s = new Story();
    const events = s.run(
      cmd.importEntitled({ filedOn: '2026-10-01', forwardedOn: '2026-10-10' }),
      '2026-12-01',
      provincialOffice,
    );
    expect(events.map((e) => e.type)).toEqual(['CertifiedProductImported', 'DossierSubmitted', 'DossierForwarded']);
    expect(events[1]).toMatchObject({
      data: { kind: 're_rating', late: true, filedOn: '2026-10-01', communeDue: null },
    });
    expect(events[2]).toMatchObject({ data: { forwardedOn: '2026-10-10', decisionDue: '2026-11-24' } });
    expect(s.state.status).toBe('forwarded');
    // Caught up: the decision limit (24/11) and the expiry (17/11) had passed; the certificate is extended.
    expect(s.elapse()).toEqual([
      {
        type: 'CertificateExtended',
        data: { certificateNumber: 'GCN-148-4', expiresOn: '2026-11-17', extendedUntil: '2027-05-16' },
      },
    ]);
    expect(summarize(s.state)).toMatchObject({ star: 4, certificateExtendedUntil: '2027-05-16' });
  });

  it('an import of a re-rating filed after a window art. 12.3 does not cover is refused, naming the window', () => {
    // Issued 2024-01-10 (QĐ 148/2023), valid through 2027-01-10: window 14/07/2026 … 12/09/2026, all after 22/05/2026.
    const base = cmd.importEntitled({ filedOn: '2026-10-01', forwardedOn: '2026-10-10' });
    const data = base.data as Record<string, unknown>;
    const late = {
      ...base,
      data: {
        ...data,
        certificate: {
          number: 'GCN-148-5',
          star: 4,
          level: 'province',
          issuedOn: '2024-01-10',
          expiresOn: '2027-01-10',
        },
      },
    } as typeof base;
    given([])
      .when(late, meta('2026-12-01', provincialOffice))
      .thenRejects('deadline_passed', /14\/07\/2026 to 12\/09\/2026/);
  });
});

describe('re-rating, continued', () => {
  it('a failed re-rating before expiry leaves the certificate to run its term', () => {
    const s = certified();
    s.elapse();
    reRateThrough(s, '2029-06-01', '2029-07-01', 3);
    expect(s.state.status).toBe('recognised');
    const t = certified();
    t.elapse();
    t.run(cmd.submitDossier('re_rating'), '2029-06-01', subject);
    t.run(cmd.assess(), '2029-06-01', communeOfficer);
    t.run(cmd.forward(), '2029-06-01', communeOfficer);
    t.run(cmd.assignRound(), '2029-06-01', provincialOffice);
    t.run(cmd.council(48, 2), '2029-07-01', provincialOffice);
    expect(summarize(t.state)).toMatchObject({ stage: 'certified', star: 4, lastOutcome: 'not_re_recognised' });
  });
});

describe('upgrade', () => {
  const threeStar = () => storyTo('certified', { score: 65, star: 3 });

  it('from 3★ to 4★ with a new certificate', () => {
    const s = threeStar();
    const [filed] = s.run(cmd.submitDossier('upgrade'), '2027-02-01', subject);
    expect(filed).toMatchObject({ data: { kind: 'upgrade', cycleNo: 2, late: false } });
    s.run(cmd.assess(), '2027-02-02', communeOfficer);
    s.run(cmd.forward(), '2027-02-03', communeOfficer);
    s.run(cmd.assignRound(), '2027-02-04', provincialOffice);
    expect(s.state.status === 'under_review' && s.state.evaluation.round?.decideBy).toBe('2027-06-29');
    s.run(cmd.council(78, 4), '2027-06-01', provincialOffice);
    given(s.events).when(cmd.decide(3), meta('2027-06-02', provincialOffice)).thenRejects('star_not_allowed');
    s.run(cmd.decide(4), '2027-06-02', provincialOffice);
    s.run(cmd.issue('GCN-UP'), '2027-06-03', provincialOffice);
    expect(summarize(s.state)).toMatchObject({ star: 4, termNo: 2, certificateExpiry: '2030-06-03' });
  });

  it('that scores no higher closes and keeps the certificate', () => {
    const s = threeStar();
    s.run(cmd.submitDossier('upgrade'), '2027-02-01', subject);
    s.run(cmd.assess(), '2027-02-02', communeOfficer);
    s.run(cmd.forward(), '2027-02-03', communeOfficer);
    s.run(cmd.assignRound(), '2027-02-04', provincialOffice);
    const events = s.run(cmd.council(66, 3), '2027-06-01', provincialOffice);
    expect(events[1]).toEqual({
      type: 'EvaluationClosed',
      data: { outcome: 'not_upgraded', star: 3, closedOn: '2027-06-01' },
    });
    expect(summarize(s.state)).toMatchObject({ stage: 'certified', star: 3, certificateNumber: 'GCN-1' });
  });

  it('withdrawn, the product keeps its certificate', () => {
    const s = threeStar();
    s.run(cmd.submitDossier('upgrade'), '2027-02-01', subject);
    s.run(cmd.withdraw(), '2027-02-05', subject);
    expect(summarize(s.state)).toMatchObject({ stage: 'certified', star: 3, lastOutcome: 'withdrawn' });
  });

  it('is not open to 5★ products, nor to uncertified ones', () => {
    const s = storyToMinistry();
    s.run(cmd.centralCouncil(92, 5), '2027-03-10', ministry);
    s.run(cmd.decide(5), '2027-03-15', ministry);
    s.run(cmd.issue('GCN-5'), '2027-03-20', ministry);
    given(s.events).when(cmd.submitDossier('upgrade'), meta('2027-06-01', subject)).thenRejects('star_not_allowed');
    given(storyTo('plan_approved').events)
      .when(cmd.submitDossier('upgrade'), meta('2026-08-01', subject))
      .thenRejects('invalid');
    given(threeStar().events).when(cmd.submitDossier('first'), meta('2027-02-01', subject)).thenRejects('invalid');
  });
});

describe('revocation (Art. 8)', () => {
  it.each(['a', 'b', 'c', 'd', 'dd', 'e'] as const)('on ground (%s) by the provincial chair', (ground) => {
    const s = certified();
    s.run(cmd.proposeRevocation('2027-03-01', ground), '2027-03-02', provincialOffice);
    given(s.events)
      .when(cmd.revoke('2027-03-01', ground), meta('2027-03-10', provincialOffice))
      .then([
        {
          type: 'CertificateRevoked',
          data: {
            certificateNumber: 'GCN-1',
            ground,
            concludedOn: '2027-03-01',
            decisionNumber: 'QD-TH-1',
            reason: 'Theo kết luận',
            revokedOn: '2027-03-10',
            level: 'province',
            late: false,
          },
        },
      ]);
  });

  it('is refused without a proposal: art. 8.3 has no direct revocation', () => {
    given(certified().events)
      .when(cmd.revoke('2027-03-01', 'a'), meta('2027-03-10', provincialOffice))
      .thenRejects('proposal_required', /art\. 8\.3/);
  });

  it('is refused on another ground than the proposal’s, or citing another conclusion', () => {
    const s = certified();
    s.run(cmd.proposeRevocation('2027-03-01', 'c'), '2027-03-02', provincialOffice);
    given(s.events)
      .when(cmd.revoke('2027-03-01', 'a'), meta('2027-03-10', provincialOffice))
      .thenRejects('invalid', /^ground: the pending proposal is on ground \(c\)/);
    given(s.events)
      .when(cmd.revoke('2027-02-20', 'c'), meta('2027-03-10', provincialOffice))
      .thenRejects('invalid', /^concludedOn: .*01\/03\/2027/);
    // Legacy runs decided as they were recorded.
    given(s.events)
      .when(cmd.revoke('2027-03-01', 'a'), { ...meta('2027-03-10', provincialOffice), legacyReadings: true })
      .thenTypes(['CertificateRevoked']);
  });

  it('flags a decision later than 15 days after the conclusion', () => {
    const p = certified();
    p.run(cmd.proposeRevocation('2027-03-01'), '2027-03-02', provincialOffice);
    const [event] = given(p.events)
      .when(cmd.revoke('2027-03-01'), meta('2027-03-17', provincialOffice))
      .thenTypes(['CertificateRevoked']);
    expect(event?.type === 'CertificateRevoked' && event.data.late).toBe(true);
  });

  it('a proposal opens a 15-day timer, then is decided or dismissed', () => {
    const s = certified();
    s.run(cmd.proposeRevocation('2027-03-01', 'c'), '2027-03-02', provincialOffice);
    expect(nextDeadline(s.state)).toMatchObject({ kind: 'revocation_decision', due: '2027-03-16T16:59:59.999Z' });
    given(s.events)
      .when(cmd.proposeRevocation('2027-03-01'), meta('2027-03-03', provincialOffice))
      .thenRejects('invalid');
    expect(s.elapse()).toEqual([{ type: 'RevocationOverdue', data: { decideBy: '2027-03-16' } }]);
    expect(summarize(s.state)).toMatchObject({ revocationPending: true, overdue: true });
    s.run(cmd.dismissRevocation(), '2027-03-20', provincialOffice);
    expect(summarize(s.state)).toMatchObject({ stage: 'certified', revocationPending: false });
  });

  it('a 5★ certificate is revoked by the Minister only', () => {
    const s = storyToMinistry();
    s.run(cmd.centralCouncil(92, 5), '2027-03-10', ministry);
    s.run(cmd.decide(5), '2027-03-15', ministry);
    s.run(cmd.issue('GCN-5'), '2027-03-20', ministry);
    s.run(cmd.proposeRevocation('2027-04-01', 'd'), '2027-04-01', ministry);
    given(s.events).when(cmd.revoke('2027-04-01', 'd'), meta('2027-04-02', provincialOffice)).thenRejects('forbidden');
    const [event] = given(s.events)
      .when(cmd.revoke('2027-04-01', 'd'), meta('2027-04-02', ministry))
      .thenTypes(['CertificateRevoked']);
    expect(event).toMatchObject({ data: { level: 'ministry', ground: 'd' } });
  });

  it('revoking during a re-rating ends the re-rating too', () => {
    const s = certified();
    s.elapse();
    s.run(cmd.submitDossier('re_rating'), '2029-06-01', subject);
    s.run(cmd.proposeRevocation('2029-06-02', 'a'), '2029-06-02', provincialOffice);
    s.run(cmd.revoke('2029-06-02', 'a'), '2029-06-03', provincialOffice);
    expect(summarize(s.state)).toMatchObject({ stage: 'revoked', evaluationKind: null, lastOutcome: 'revoked' });
    expect(nextDeadline(s.state)).toBeNull();
  });

  it('cannot cite a conclusion from the future', () => {
    given(certified().events)
      .when(cmd.revoke('2027-03-20'), meta('2027-03-10', provincialOffice))
      .thenRejects('invalid');
  });
});

describe('after the certificate', () => {
  it('an expired or revoked product can start again with a first evaluation', () => {
    for (const stage of ['expired', 'revoked'] as const) {
      const s = certified();
      if (stage === 'expired') s.runAt(cmd.system('ExpireCertificate'), '2029-11-21T17:00:00.000Z', SYSTEM_ACTOR);
      else {
        s.run(cmd.proposeRevocation('2027-03-01'), '2027-03-02', provincialOffice);
        s.run(cmd.revoke('2027-03-01'), '2027-03-05', provincialOffice);
      }
      const events: DomainEvent[] = given(s.events)
        .when(cmd.submitDossier('first'), meta('2030-02-03', subject))
        .thenTypes(['DossierSubmitted']);
      expect(events[0]).toMatchObject({ data: { kind: 'first', cycleNo: 2 } });
      given(s.events).when(cmd.submitDossier('re_rating'), meta('2030-02-03', subject)).thenRejects('invalid');
    }
  });
});
