import { describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, nextDeadline, summarize } from '../../../domain';
import { given } from './given';
import {
  COMMUNE,
  PROVINCE,
  Story,
  admin,
  cmd,
  communeOfficer,
  meta,
  otherProvince,
  provincialOffice,
  subject,
} from './fixtures';

/** A product whose plan was approved early in `year`, ready to file. */
function approvedIn(year: number): Story {
  const s = new Story();
  s.run(cmd.registerIdea(), `${year}-01-05`, subject);
  s.run(cmd.acceptIdea(), `${year}-01-06`, communeOfficer);
  s.run(cmd.submitPlan(), `${year}-01-07`, subject);
  s.run(cmd.approvePlan(), `${year}-01-08`, communeOfficer);
  return s;
}

describe('a case filed under QĐ 148 (+1489) before 22/05/2026 is decided under its own rules', () => {
  const filedBeforeQd26 = () => {
    const s = approvedIn(2026);
    s.run(cmd.submitDossier(), '2026-05-11', subject);
    s.run(cmd.assess(), '2026-05-15', communeOfficer);
    s.run(cmd.forward(), '2026-05-18', communeOfficer);
    return s;
  };

  it('keeps its rule-set and gets the Art. 12.2 limit of 60 days from 22/05/2026', () => {
    const s = filedBeforeQd26();
    expect(s.events.find((e) => e.type === 'DossierSubmitted')).toMatchObject({
      data: { ruleSetId: 'QD148_1489_2025', decisionDue: '2026-07-21' },
    });
    // No fixed round calendar under 148: the round is bounded by the transitional limit, not QĐ 26's 29/12.
    s.run(cmd.assignRound(), '2026-05-25', provincialOffice);
    expect(s.state.status === 'under_review' && s.state.evaluation.round).toEqual({
      round: null,
      year: 2026,
      cutOff: null,
      decideBy: '2026-07-21',
      label: null,
    });
    expect(summarize(s.state)).toMatchObject({ ruleSetId: 'QD148_1489_2025' });
  });

  it('is decided and certified under QĐ 148+1489 after QĐ 26/2026 took effect', () => {
    const s = filedBeforeQd26();
    s.run(cmd.assignRound(), '2026-05-25', provincialOffice);
    s.run(cmd.council(69.9, 3), '2026-06-10', provincialOffice);
    const [decided] = s.run(cmd.decide(3), '2026-06-15', provincialOffice);
    expect(decided).toMatchObject({ data: { star: 3, level: 'province', ruleSetId: 'QD148_1489_2025' } });
    const [issued] = s.run(cmd.issue('GCN-148'), '2026-06-16', provincialOffice);
    expect(issued).toMatchObject({
      data: {
        ruleSetId: 'QD148_1489_2025',
        expiresOn: '2029-06-16',
        // Its re-rating will be filed under QĐ 26/2026, which has the window.
        reRatingWindow: { opens: '2028-12-18', closes: '2029-02-16' },
      },
    });
  });

  it('is flagged overdue when the 60 days run out undecided', () => {
    const s = filedBeforeQd26();
    s.run(cmd.assignRound(), '2026-05-25', provincialOffice);
    expect(nextDeadline(s.state)).toMatchObject({ kind: 'decision', due: '2026-07-21T16:59:59.999Z' });
    expect(s.elapse()).toEqual([{ type: 'DecisionOverdue', data: { due: '2026-07-21' } }]);
  });

  it('the same dates under QĐ 26/2026 join round 2 instead', () => {
    const s = approvedIn(2026);
    s.run(cmd.submitDossier(), '2026-05-22', subject);
    s.run(cmd.assess(), '2026-05-25', communeOfficer);
    s.run(cmd.forward(), '2026-05-26', communeOfficer);
    s.run(cmd.assignRound(), '2026-05-27', provincialOffice);
    expect(summarize(s.state)).toMatchObject({ ruleSetId: 'QD26_2026' });
    expect(s.state.status === 'under_review' && s.state.evaluation.round?.decideBy).toBe('2026-12-29');
  });

  it('a QĐ 148/2023 3★ decided before the reform is a district recognition', () => {
    const s = approvedIn(2025);
    s.run(cmd.submitDossier(), '2025-03-03', subject);
    s.run(cmd.assess(), '2025-03-10', communeOfficer);
    s.run(cmd.forward(), '2025-03-11', communeOfficer);
    s.run(cmd.assignRound('2025-06-30'), '2025-03-12', provincialOffice);
    s.run(cmd.council(61, 3), '2025-05-20', provincialOffice);
    const [decided] = s.run(cmd.decide(3), '2025-05-21', provincialOffice);
    expect(decided).toMatchObject({ data: { level: 'district', ruleSetId: 'QD148_2023' } });
  });

  it('the same QĐ 148/2023 case decided after QĐ 1489 goes to the province', () => {
    const s = approvedIn(2025);
    s.run(cmd.submitDossier(), '2025-03-03', subject);
    s.run(cmd.assess(), '2025-03-10', communeOfficer);
    s.run(cmd.forward(), '2025-03-11', communeOfficer);
    s.run(cmd.assignRound('2025-12-20'), '2025-03-12', provincialOffice);
    s.run(cmd.council(61, 3), '2025-11-20', provincialOffice);
    const [decided] = s.run(cmd.decide(3), '2025-11-21', provincialOffice);
    expect(decided).toMatchObject({ data: { level: 'province', ruleSetId: 'QD148_1489_2025' } });
  });

  it('rejects a round decision date in the past', () => {
    const s = approvedIn(2025);
    s.run(cmd.submitDossier(), '2025-03-03', subject);
    s.run(cmd.assess(), '2025-03-10', communeOfficer);
    s.run(cmd.forward(), '2025-03-11', communeOfficer);
    given(s.events).when(cmd.assignRound('2025-03-01'), meta('2025-03-12', provincialOffice)).thenRejects('invalid');
  });
});

describe('a district-issued 3★ certificate (QĐ 148/2023) stays valid after the 2025 reform', () => {
  const district3 = cmd.importProduct({
    star: 3,
    level: 'district',
    issuedOn: '2024-09-10',
    expiresOn: '2027-09-10',
    ruleSetId: 'QD148_2023',
  });
  const imported = () => {
    const s = new Story();
    s.run(district3, '2025-06-01', admin);
    return s;
  };

  it('imports into the certified stage with its historical certificate', () => {
    const s = imported();
    expect(summarize(s.state)).toMatchObject({
      stage: 'certified',
      star: 3,
      certificateLevel: 'district',
      certificateNumber: 'GCN-HUYEN-88',
      certificateIssuedOn: '2024-09-10',
      certificateExpiry: '2027-09-10',
      ruleSetId: 'QD148_2023',
      termNo: 1,
      cycleNo: 0,
    });
  });

  it('is not expired by the reform: its next deadline is the QĐ 26 re-rating window in 2027', () => {
    const s = imported();
    given(s.events)
      .when(cmd.system('ExpireCertificate'), { now: '2025-07-01T03:00:00.000Z', actor: SYSTEM_ACTOR })
      .thenRejects('not_due');
    expect(nextDeadline(s.state)).toEqual({
      kind: 're_rating_window_opens',
      due: '2027-03-13T17:00:00.000Z',
      command: { type: 'OpenReRatingWindow', data: {} },
    });
  });

  it('is re-rated under QĐ 26/2026 and re-issued by the province', () => {
    const s = imported();
    s.elapse();
    const [filed] = s.run(cmd.submitDossier('re_rating'), '2027-04-01', subject);
    expect(filed).toMatchObject({ data: { ruleSetId: 'QD26_2026', late: false } });
    s.run(cmd.assess(), '2027-04-05', communeOfficer);
    s.run(cmd.forward(), '2027-04-06', communeOfficer);
    s.run(cmd.assignRound(), '2027-04-07', provincialOffice);
    s.run(cmd.council(64, 3), '2027-05-10', provincialOffice);
    s.run(cmd.decide(3), '2027-05-11', provincialOffice);
    s.run(cmd.issue('GCN-TINH-3'), '2027-05-12', provincialOffice);
    expect(summarize(s.state)).toMatchObject({
      star: 3,
      certificateLevel: 'province',
      termNo: 2,
      ruleSetId: 'QD26_2026',
    });
  });

  it('is revoked by the province now that the district is gone', () => {
    const s = imported();
    s.run(cmd.proposeRevocation('2025-10-01', 'dd'), '2025-10-02', provincialOffice);
    given(s.events)
      .when(cmd.revoke('2025-10-01', 'dd'), meta('2025-10-05', provincialOffice))
      .thenTypes(['CertificateRevoked']);
  });

  it('rejects imports that contradict the rule-set', () => {
    const bad = (certificate: Parameters<typeof cmd.importProduct>[0]) =>
      given([]).when(cmd.importProduct(certificate), meta('2025-06-01', admin)).thenRejects('invalid');
    bad({ star: 4, level: 'district', issuedOn: '2024-09-10', expiresOn: '2027-09-10', ruleSetId: 'QD148_2023' });
    bad({ star: 3, level: 'district', issuedOn: '2024-09-10', expiresOn: '2027-09-10', ruleSetId: 'QD148_1489_2025' });
    bad({ star: 3, level: 'district', issuedOn: '2024-09-10', expiresOn: '2024-09-01', ruleSetId: 'QD148_2023' });
    bad({ star: 5, level: 'province', issuedOn: '2024-09-10', expiresOn: '2027-09-10', ruleSetId: 'QD148_2023' });
    bad({ star: 3, level: 'district', issuedOn: '2025-07-10', expiresOn: '2028-07-10', ruleSetId: 'QD148_2023' });
  });

  it('follows the rule-set in force on the issue date: validity, recogniser per star, rule-set (422 naming the clause)', () => {
    const refused = (certificate: Parameters<typeof cmd.importProduct>[0]) =>
      given([]).when(cmd.importProduct(certificate), meta('2025-06-01', admin)).thenRejects('invalid').message;
    // 48 months instead of 36.
    expect(
      refused({ star: 3, level: 'district', issuedOn: '2024-09-10', expiresOn: '2028-09-10', ruleSetId: 'QD148_2023' }),
    ).toMatch(/^certificate\.expiresOn: QĐ 148\/QĐ-TTg \(2023\): 36 months from issue.*10\/09\/2027, not 10\/09\/2028/);
    // A 3★ under QĐ 148 was the district's, not the province's.
    expect(
      refused({ star: 3, level: 'province', issuedOn: '2024-09-10', expiresOn: '2027-09-10', ruleSetId: 'QD148_2023' }),
    ).toMatch(
      /^certificate\.level: QĐ 148\/QĐ-TTg \(2023\): the district People’s Committee recognises 3★.*not the province/,
    );
    // Issued after QĐ 1489 took effect: that rule-set, not the one named.
    expect(
      given([])
        .when(
          cmd.importProduct({
            star: 3,
            level: 'province',
            issuedOn: '2025-08-01',
            expiresOn: '2028-08-01',
            ruleSetId: 'QD148_2023',
          }),
          meta('2025-09-01', admin),
        )
        .thenRejects('invalid').message,
    ).toMatch(/^ruleSetId: .*QD148_1489_2025/);
    given([])
      .when(
        cmd.importProduct({
          star: 3,
          level: 'province',
          issuedOn: '2025-08-01',
          expiresOn: '2028-08-01',
          ruleSetId: 'QD148_1489_2025',
        }),
        meta('2025-09-01', admin),
      )
      .thenTypes(['CertifiedProductImported']);
    // Runs recorded before law-readings-v1 decide as they did.
    given([])
      .when(
        cmd.importProduct({
          star: 3,
          level: 'province',
          issuedOn: '2024-09-10',
          expiresOn: '2028-09-10',
          ruleSetId: 'QD148_2023',
        }),
        { ...meta('2025-06-01', admin), legacyReadings: true },
      )
      .thenTypes(['CertifiedProductImported']);
  });

  it('numbers a product certified under QĐ 26/2026 (T)-(X)-(STT)-year (Annex II), or refuses it naming the clause', () => {
    const qd26 = cmd.importProduct({
      star: 4,
      level: 'province',
      issuedOn: '2026-06-15',
      expiresOn: '2029-06-15',
      ruleSetId: 'QD26_2026',
    });
    given([]).when(qd26, meta('2026-07-01', admin)).thenTypes(['CertifiedProductImported']);
    for (const productId of ['P-TRA-SHAN', `${PROVINCE}-00007-7-2026`, `${PROVINCE}-${COMMUNE}-7-2027`]) {
      const renamed = { ...qd26, data: { ...(qd26.data as object), productId } } as typeof qd26;
      given([])
        .when(renamed, meta('2026-07-01', admin))
        .thenRejects(
          'invalid',
          /^productId: QĐ 26\/2026 Annex II, "Mã số sản phẩm": .*01-00004-<serial>-<year ≤ 2026>/,
        );
    }
  });

  it('only an administrator or the province itself imports', () => {
    given([]).when(district3, meta('2025-06-01', otherProvince)).thenRejects('forbidden');
    given([]).when(district3, meta('2025-06-01', provincialOffice)).thenTypes(['CertifiedProductImported']);
    given([]).when(district3, meta('2025-06-01', subject)).thenRejects('forbidden');
  });

  it('moves to its new commune after the merger and keeps the old places', () => {
    const s = imported();
    s.run(cmd.updatePlaces(), '2025-07-02', admin);
    expect(s.state.status !== 'none' && s.state.places).toEqual({
      provinceCode: PROVINCE,
      communeCode: COMMUNE,
      districtCode: null,
    });
    expect(s.state.status !== 'none' && s.state.formerPlaces).toEqual([
      { provinceCode: PROVINCE, communeCode: COMMUNE, districtCode: '001' },
    ]);
    given(s.events).when(cmd.updatePlaces(), meta('2025-07-03', admin)).thenRejects('invalid');
  });
});

describe('an old-rules re-rating (Art. 12.2b, 12.3)', () => {
  const expiringAugust2026 = () => {
    const s = new Story();
    s.run(
      cmd.importProduct({
        star: 4,
        level: 'province',
        issuedOn: '2023-08-01',
        expiresOn: '2026-08-01',
        ruleSetId: 'QD148_2023',
      }),
      '2026-01-05',
      admin,
    );
    return s;
  };

  it('has no T−180/T−120 window, files any time before expiry, and must finish within 30 days of 22/05/2026', () => {
    const s = expiringAugust2026();
    expect(summarize(s.state).reRatingWindow).toBeNull();
    const [filed] = s.run(cmd.submitDossier('re_rating'), '2026-05-11', subject);
    expect(filed).toMatchObject({
      data: { ruleSetId: 'QD148_1489_2025', late: false, decisionDue: '2026-06-21' },
    });
  });

  it('keeps the certificate valid past expiry while the re-rating is pending, at most 180 days', () => {
    const s = expiringAugust2026();
    s.run(cmd.submitDossier('re_rating'), '2026-05-11', subject);
    s.run(cmd.assess(), '2026-05-12', communeOfficer);
    s.run(cmd.forward(), '2026-05-13', communeOfficer);
    s.run(cmd.assignRound(), '2026-05-14', provincialOffice);
    s.elapse(); // 2026-06-21 decision overdue
    expect(s.elapse()).toEqual([
      {
        type: 'CertificateExtended',
        data: { certificateNumber: 'GCN-HUYEN-88', expiresOn: '2026-08-01', extendedUntil: '2027-01-28' },
      },
    ]);
  });
});
