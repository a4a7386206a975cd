import { describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, nextDeadline, summarize } from '../../../domain';
import { given } from './given';
import {
  COMMUNE,
  PROVINCE,
  SUBJECT,
  cmd,
  communeOfficer,
  meta,
  ministry,
  provincialOffice,
  storyTo,
  storyToMinistry,
  subject,
} from './fixtures';

describe('idea and business plan', () => {
  it('registers an idea with the rule-set in force and its places', () => {
    given([])
      .when(cmd.registerIdea(), meta('2026-06-01', subject))
      .then([
        {
          type: 'IdeaRegistered',
          data: {
            productId: 'P-TRA-SHAN',
            subjectId: SUBJECT,
            subjectName: 'HTX Chè Shan Tuyết',
            productName: 'Chè Shan Tuyết',
            productSetCode: 'tea',
            places: { provinceCode: PROVINCE, communeCode: COMMUNE, districtCode: null },
            ideaSummary: 'Trà shan tuyết cổ thụ',
            registeredOn: '2026-06-01',
            ruleSetId: 'QD26_2026',
          },
        },
      ]);
  });

  it('lets a commune officer register on behalf of the subject, but not another commune', () => {
    given([]).when(cmd.registerIdea(), meta('2026-06-01', communeOfficer)).thenTypes(['IdeaRegistered']);
    given([])
      .when(cmd.registerIdea({ communeCode: '00099' }), meta('2026-06-01', communeOfficer))
      .thenRejects('forbidden');
  });

  it('uses the local date in Vietnam: 18:00 UTC on 31 May is 1 June', () => {
    const [event] = given([])
      .when(cmd.registerIdea(), { now: '2026-05-31T18:00:00.000Z', actor: subject })
      .thenTypes(['IdeaRegistered']);
    expect(event?.type === 'IdeaRegistered' && event.data.registeredOn).toBe('2026-06-01');
  });

  it('a returned idea is revised and registered again', () => {
    const s = storyTo('idea_registered');
    s.run(cmd.returnIdea(), '2026-06-02', communeOfficer);
    expect(s.state.status).toBe('idea_returned');
    s.run(cmd.reviseIdea(), '2026-06-05', subject);
    expect(s.state.status).toBe('idea_registered');
  });

  it('a returned plan goes back to the accepted idea with the reason', () => {
    const s = storyTo('plan_submitted');
    s.run(cmd.returnPlan(), '2026-06-04', communeOfficer);
    expect(s.state.status).toBe('idea_accepted');
    expect(s.state.status !== 'none' && s.state.lastReturnReason).toBe('Thiếu phương án tiêu thụ');
  });
});

describe('first evaluation to a certificate', () => {
  it('reaches 4★ with a 36-month certificate and a re-rating window', () => {
    const s = storyTo('recognised');
    given(s.events)
      .when(cmd.issue('GCN-2026-01'), meta('2026-11-21', provincialOffice))
      .then([
        {
          type: 'CertificateIssued',
          data: {
            certificateNumber: 'GCN-2026-01',
            star: 4,
            level: 'province',
            issuedOn: '2026-11-21',
            expiresOn: '2029-11-21',
            termNo: 1,
            ruleSetId: 'QD26_2026',
            reRatingWindow: { opens: '2029-05-25', closes: '2029-07-24' },
            replaces: null,
          },
        },
      ]);
  });

  it('reaches 3★ on a score in [50, 70)', () => {
    const s = storyTo('certified', { score: 69.99, star: 3 });
    const summary = summarize(s.state);
    expect(summary).toMatchObject({
      stage: 'certified',
      star: 3,
      certificateExpiry: '2029-11-21',
      termNo: 1,
      cycleNo: 1,
    });
  });

  it('joins round 2 when forwarded in August: decided by 29/12', () => {
    const s = storyTo('under_review');
    const e = s.state.status === 'under_review' ? s.state.evaluation : null;
    expect(e?.round).toEqual({ round: 2, year: 2026, cutOff: '2026-10-30', decideBy: '2026-12-29', label: null });
    expect(e?.decisionDue).toBe('2026-12-29');
  });

  it('records the council result with its band', () => {
    const s = storyTo('under_review');
    given(s.events)
      .when(cmd.council(75.5, 4), meta('2026-11-12', provincialOffice))
      .then([
        {
          type: 'CouncilResultRecorded',
          data: {
            averageScore: 75.5,
            star: 4,
            knockOut: null,
            sheetCode: '11',
            memberCount: 9,
            lowered: null,
            bandStar: 4,
            potentialFiveStar: false,
            recordedOn: '2026-11-12',
          },
        },
      ]);
  });

  it('rejects a star above the band of the score', () => {
    const s = storyTo('under_review');
    given(s.events)
      .when(cmd.council(69.5, 4), meta('2026-11-12', provincialOffice))
      .thenRejects('star_above_band', /69.5 earns at most 3★/);
  });

  it('accepts a star lowered below the band by a starred minimum', () => {
    const s = storyTo('under_review');
    const command = {
      type: 'RecordCouncilResult',
      data: {
        averageScore: 78,
        star: 3,
        knockOut: null,
        sheetCode: '11',
        memberCount: 9,
        lowered: { from: 4, reason: 'Chưa có mã truy xuất điện tử (****)' },
      },
    } as const;
    const state = given(s.events).when(command, meta('2026-11-12', provincialOffice)).thenState();
    expect(state.status).toBe('council_scored');
  });

  it('ends without a certificate under 50 points', () => {
    const s = storyTo('under_review');
    given(s.events)
      .when(cmd.council(45, 2), meta('2026-11-12', provincialOffice))
      .thenTypes(['CouncilResultRecorded', 'EvaluationClosed']);
    const state = given(s.events).when(cmd.council(45, 2), meta('2026-11-12', provincialOffice)).thenState();
    expect(summarize(state)).toMatchObject({ stage: 'not_recognised', lastOutcome: 'below_three_stars', star: null });
  });

  it('a province cannot decide more stars than the council gave', () => {
    const s = storyTo('council_scored', { score: 62, star: 3 });
    given(s.events).when(cmd.decide(4), meta('2026-11-20', provincialOffice)).thenRejects('star_above_band');
  });

  it('only the province of the case decides and issues 3★/4★', () => {
    const s = storyTo('council_scored');
    given(s.events)
      .when(cmd.decide(4), meta('2026-11-20', { ...provincialOffice, office: '79' }))
      .thenRejects('forbidden');
    given(s.events).when(cmd.decide(4), meta('2026-11-20', ministry)).thenRejects('forbidden');
  });
});

describe('knock-out', () => {
  it('rejects the dossier outright whatever the score, and a new dossier may follow', () => {
    const s = storyTo('under_review');
    const state = given(s.events)
      .when(
        cmd.council(80, 4, { ground: 'imported-or-unknown-raw-materials', reason: 'Nguyên liệu không rõ nguồn gốc' }),
        meta('2026-11-12', provincialOffice),
      )
      .thenState();
    expect(summarize(state)).toMatchObject({ stage: 'not_recognised', lastOutcome: 'knocked_out' });
    s.run(cmd.council(80, 4, { ground: 'forged-dossier', reason: 'Giả mạo' }), '2026-11-12', provincialOffice);
    expect(s.events.at(-1)).toEqual({
      type: 'DossierRejected',
      data: { ground: 'forged-dossier', reason: 'Giả mạo', rejectedOn: '2026-11-12', by: 'province' },
    });
    const next = given(s.events).when(cmd.submitDossier(), meta('2027-03-02', subject)).thenTypes(['DossierSubmitted']);
    expect(next[0]?.type === 'DossierSubmitted' && next[0].data.cycleNo).toBe(2);
  });
});

describe('potential 5★', () => {
  it('is sent to the Ministry into the central round decided before 30/03', () => {
    const s = storyTo('under_review');
    s.run(cmd.council(93, 5), '2026-11-12', provincialOffice);
    expect(s.state.status === 'council_scored' && s.state.evaluation.council?.potentialFiveStar).toBe(true);
    given(s.events).when(cmd.decide(5), meta('2026-11-20', provincialOffice)).thenRejects('star_not_allowed');
    given(s.events)
      .when(cmd.sendToMinistry(), meta('2026-11-25', provincialOffice))
      .then([
        {
          type: 'SentToMinistry',
          data: {
            letterRef: 'CV-UBND-5',
            approvalDecisionRef: 'QD-PD-5',
            sentOn: '2026-11-25',
            cutOff: '2027-01-30',
            decideBy: '2027-03-29',
          },
        },
      ]);
  });

  it('a 4★ result is not sent to the Ministry', () => {
    const s = storyTo('council_scored');
    given(s.events).when(cmd.sendToMinistry(), meta('2026-11-25', provincialOffice)).thenRejects('star_not_allowed');
  });

  it('becomes 5★ by the Minister, with a certificate the Ministry issues', () => {
    const s = storyToMinistry();
    s.run(cmd.centralCouncil(92, 5), '2027-03-10', ministry);
    given(s.events).when(cmd.decide(5), meta('2027-03-15', provincialOffice)).thenRejects('forbidden');
    s.run(cmd.decide(5), '2027-03-15', ministry);
    given(s.events).when(cmd.issue('GCN-5S-1'), meta('2027-03-20', provincialOffice)).thenRejects('forbidden');
    s.run(cmd.issue('GCN-5S-1'), '2027-03-20', ministry);
    expect(summarize(s.state)).toMatchObject({
      stage: 'certified',
      star: 5,
      certificateLevel: 'ministry',
      certificateExpiry: '2030-03-20',
    });
  });

  it('falls back to 4★ by the province when the central council scores under 90', () => {
    const s = storyToMinistry();
    s.run(cmd.centralCouncil(86, 4), '2027-03-10', ministry);
    expect(s.state.status).toBe('central_scored');
    given(s.events).when(cmd.decide(4), meta('2027-03-15', ministry)).thenRejects('forbidden');
    given(s.events).when(cmd.decide(5), meta('2027-03-15', ministry)).thenRejects('star_above_band');
    s.run(cmd.decide(4), '2027-03-15', provincialOffice);
    s.run(cmd.issue('GCN-4S-9'), '2027-03-16', provincialOffice);
    expect(summarize(s.state)).toMatchObject({ star: 4, certificateLevel: 'province' });
  });

  it('the central round deadline replaces the provincial one', () => {
    const s = storyToMinistry();
    expect(nextDeadline(s.state)).toEqual({
      kind: 'decision',
      due: '2027-03-29T16:59:59.999Z',
      command: { type: 'MarkDecisionOverdue', data: {} },
    });
    const [event] = s.elapse();
    expect(event).toEqual({ type: 'DecisionOverdue', data: { due: '2027-03-29' } });
    expect(summarize(s.state).overdue).toBe(true);
    expect(nextDeadline(s.state)).toBeNull();
  });

  it('the central advisory team records its site visit while the dossier is at the Ministry', () => {
    const s = storyToMinistry();
    given(s.events).when(cmd.siteVisit('2027-02-01'), meta('2027-02-02', ministry)).thenTypes(['SiteVisitRecorded']);
    given(s.events).when(cmd.siteVisit('2027-02-01'), meta('2027-02-02', provincialOffice)).thenRejects('forbidden');
  });
});

describe('returned dossier', () => {
  const returned = () => {
    const s = storyTo('dossier_submitted');
    s.run(cmd.returnDossier('2026-08-20'), '2026-08-05', communeOfficer);
    return s;
  };

  it('restarts the commune check from the completed dossier', () => {
    const s = returned();
    expect(s.state.status).toBe('dossier_returned');
    given(s.events)
      .when(cmd.completeDossier(), meta('2026-08-14', subject))
      .then([
        {
          type: 'DossierCompleted',
          data: { dossierRef: 'HS-2', note: null, completedOn: '2026-08-14', communeDue: '2026-09-08' },
        },
      ]);
  });

  it('refuses completion after the date given', () => {
    given(returned().events).when(cmd.completeDossier(), meta('2026-08-21', subject)).thenRejects('deadline_passed');
  });

  it('lapses when the completion date passes', () => {
    const s = returned();
    expect(nextDeadline(s.state)).toMatchObject({ kind: 'dossier_completion', due: '2026-08-20T16:59:59.999Z' });
    given(s.events)
      .when(cmd.system('LapseDossier'), { now: '2026-08-20T16:00:00.000Z', actor: SYSTEM_ACTOR })
      .thenRejects('not_due');
    s.elapse();
    expect(summarize(s.state)).toMatchObject({ stage: 'not_recognised', lastOutcome: 'lapsed' });
  });

  it('a dossier returned by the province goes back to the province when completed', () => {
    const s = storyTo('under_review');
    s.run(cmd.returnDossier('2026-09-30'), '2026-09-01', provincialOffice);
    s.run(cmd.completeDossier(), '2026-09-10', subject);
    expect(s.state.status).toBe('under_review');
  });

  it('a commune cannot return a dossier the province holds', () => {
    const s = storyTo('forwarded');
    given(s.events).when(cmd.returnDossier('2026-09-30'), meta('2026-08-12', communeOfficer)).thenRejects('forbidden');
  });
});

describe('advisory review', () => {
  it('asks for evidence, receives it, and logs site visits and lab tests', () => {
    const s = storyTo('under_review');
    s.run(cmd.requestEvidence('2026-09-15'), '2026-09-01', provincialOffice);
    expect(nextDeadline(s.state)).toMatchObject({ kind: 'evidence', due: '2026-09-15T16:59:59.999Z' });
    s.run(cmd.submitEvidence(), '2026-09-10', subject);
    s.run(cmd.siteVisit('2026-09-20'), '2026-09-21', provincialOffice);
    s.run(cmd.labTest('2026-09-25'), '2026-09-28', provincialOffice);
    expect(s.state.status === 'under_review' && s.state.evaluation.review.map((r) => r.kind)).toEqual([
      'evidence_requested',
      'evidence_submitted',
      'site_visit',
      'lab_test',
    ]);
  });

  it('proceeds without the evidence once its date passes', () => {
    const s = storyTo('under_review');
    s.run(cmd.requestEvidence('2026-09-15'), '2026-09-01', provincialOffice);
    given(s.events).when(cmd.submitEvidence(), meta('2026-09-16', subject)).thenRejects('deadline_passed');
    expect(s.elapse()).toEqual([{ type: 'EvidenceOverdue', data: { dueDate: '2026-09-15' } }]);
    expect(s.state.status).toBe('under_review');
  });

  it('no council result while evidence is outstanding', () => {
    const s = storyTo('under_review');
    s.run(cmd.requestEvidence('2026-09-15'), '2026-09-01', provincialOffice);
    given(s.events).when(cmd.council(75, 4), meta('2026-09-05', provincialOffice)).thenRejects('illegal_in_stage');
  });

  it('rejects an evidence due date in the past and a visit in the future', () => {
    const s = storyTo('under_review');
    given(s.events)
      .when(cmd.requestEvidence('2026-08-30'), meta('2026-09-01', provincialOffice))
      .thenRejects('invalid');
    given(s.events).when(cmd.siteVisit('2026-09-20'), meta('2026-09-01', provincialOffice)).thenRejects('invalid');
  });
});

describe('withdrawal', () => {
  it('withdraws a first evaluation for good', () => {
    const s = storyTo('under_review');
    s.run(cmd.withdraw(), '2026-09-01', subject);
    expect(summarize(s.state)).toMatchObject({ stage: 'withdrawn', lastOutcome: 'withdrawn' });
    expect(nextDeadline(s.state)).toBeNull();
  });

  it('only by the subject', () => {
    const s = storyTo('under_review');
    given(s.events).when(cmd.withdraw(), meta('2026-09-01', provincialOffice)).thenRejects('forbidden');
  });
});
