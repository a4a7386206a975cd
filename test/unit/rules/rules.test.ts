import { describe, expect, it } from 'vitest';
import {
  allRuleSets,
  centralRoundFor,
  communeForwardDeadline,
  certificateExpiry,
  InvalidCaseDatesError,
  isCertificateValidOn,
  isInReRatingWindow,
  MAX_TRANSITIONAL_EXTENSION_DAYS,
  maxExtendedValidity,
  NoRuleSetInForceError,
  provincialRoundFor,
  reRatingDecisionDeadline,
  reRatingWindow,
  revocationDecisionDeadline,
  RuleNotDefinedError,
  ruleSetById,
  ruleSetForCase,
  ruleSetInForce,
  RuleSetId,
  starForScore,
  transitionalDecisionDeadline,
} from '../../../domain/rules';

const QD26 = ruleSetById(RuleSetId.QD26_2026);

describe('rule-set data', () => {
  it('has four rule-sets, each with parts summing to 100 and bands covering [0, 100]', () => {
    expect(allRuleSets().map((r) => r.id)).toEqual(['QD1048_2019', 'QD148_2023', 'QD148_1489_2025', 'QD26_2026']);
    for (const r of allRuleSets()) {
      expect(r.partMaxima.A + r.partMaxima.B + r.partMaxima.C).toBe(100);
      expect(r.starBands.map((b) => b.star)).toEqual([5, 4, 3, 2, 1]);
      expect(ruleSetById(r.id)).toBe(r);
      expect(r.notes.length).toBeGreaterThan(0);
    }
  });

  it('records the parts and recognisers of each decision', () => {
    expect(ruleSetById('QD1048_2019').partMaxima).toEqual({ A: 35, B: 25, C: 40 });
    expect(QD26.partMaxima).toEqual({ A: 40, B: 25, C: 35 });
    expect(ruleSetById('QD148_2023').recognisers).toEqual({ 3: 'district', 4: 'province', 5: 'ministry' });
    expect(ruleSetById('QD148_1489_2025').recognisers[3]).toBe('province');
    expect(QD26.title).toBe('QĐ 26/2026/QĐ-TTg');
    expect(QD26.reRatingDecisionDays).toBe(45);
    expect(QD26.communeCheckWorkingDays).toBe(15);
    expect(QD26.reRatingWindow).toEqual({
      openDaysBeforeExpiry: 180,
      closeDaysBeforeExpiry: 120,
      clause: 'QĐ 26/2026 art. 7.6a',
    });
    expect(MAX_TRANSITIONAL_EXTENSION_DAYS).toBe(180);
  });

  it('bands are half-open: 89.99 is 4★, 90 and 100 are 5★, 69.5 is 3★', () => {
    expect(starForScore(89.99, QD26)).toBe(4);
    expect(starForScore(90, QD26)).toBe(5);
    expect(starForScore(100, QD26)).toBe(5);
    expect(starForScore(70, QD26)).toBe(4);
    expect(starForScore(69.5, QD26)).toBe(3);
    expect(starForScore(29.99, QD26)).toBe(1);
    expect(starForScore(0, QD26)).toBe(1);
    expect(() => starForScore(100.01, QD26)).toThrow(RangeError);
    expect(() => starForScore(Number.NaN, QD26)).toThrow(RangeError);
  });
});

describe('which rule-set applies', () => {
  it('ruleSetInForce follows the effective dates', () => {
    expect(() => ruleSetInForce('2019-08-20')).toThrow(NoRuleSetInForceError);
    expect(ruleSetInForce('2019-08-21').id).toBe('QD1048_2019');
    expect(ruleSetInForce('2023-02-23').id).toBe('QD1048_2019');
    expect(ruleSetInForce('2023-02-24').id).toBe('QD148_2023');
    expect(ruleSetInForce('2025-07-05').id).toBe('QD148_2023');
    expect(ruleSetInForce('2025-07-06').id).toBe('QD148_1489_2025');
    expect(ruleSetInForce('2026-05-21').id).toBe('QD148_1489_2025');
    expect(ruleSetInForce('2026-05-22').id).toBe('QD26_2026');
  });

  it('a case filed before 22/05/2026 finishes under the old rules, even when decided later', () => {
    expect(ruleSetForCase({ filedOn: '2026-05-21' }).id).toBe('QD148_1489_2025');
    expect(ruleSetForCase({ filedOn: '2026-05-21', decidedOn: '2026-07-01' }).id).toBe('QD148_1489_2025');
    expect(ruleSetForCase({ filedOn: '2026-05-22' }).id).toBe('QD26_2026');
    expect(ruleSetForCase({ filedOn: '2026-05-22', decidedOn: '2026-06-20' }).id).toBe('QD26_2026');
  });

  it('a QĐ 148 case decided after the district level ended is decided under 148+1489', () => {
    expect(ruleSetForCase({ filedOn: '2025-05-10', decidedOn: '2025-06-20' }).id).toBe('QD148_2023');
    expect(ruleSetForCase({ filedOn: '2025-05-10', decidedOn: '2025-07-06' }).id).toBe('QD148_1489_2025');
    expect(ruleSetForCase({ filedOn: '2020-05-10', decidedOn: '2023-03-01' }).id).toBe('QD1048_2019');
  });

  it('rejects a decision before the filing', () => {
    expect(() => ruleSetForCase({ filedOn: '2026-06-01', decidedOn: '2026-05-31' })).toThrow(InvalidCaseDatesError);
  });

  it('gives old cases the transitional deadlines of art. 12.2', () => {
    const old = ruleSetForCase({ filedOn: '2026-04-01' });
    expect(old.decisionDeadlineDays).toEqual({ first: 60, reRating: 30 });
    expect(transitionalDecisionDeadline('first', old)).toBe('2026-07-21');
    expect(transitionalDecisionDeadline('upgrade', old)).toBe('2026-07-21');
    expect(transitionalDecisionDeadline('reRating', old)).toBe('2026-06-21');
    expect(transitionalDecisionDeadline('first', QD26)).toBeNull();
  });
});

describe('provincial rounds (art. 5.1: "trước ngày 30 tháng 4" is strict)', () => {
  it('29/04 → round 1 of the year, decided before 30/06', () => {
    expect(provincialRoundFor('2026-04-29', QD26)).toEqual({
      round: 1,
      year: 2026,
      cutOff: '2026-04-30',
      decideBy: '2026-06-30',
      lastDecisionDate: '2026-06-29',
    });
  });

  it('30/04 and 01/05 → round 2, decided before 30/12', () => {
    for (const d of ['2026-04-30', '2026-05-01']) {
      expect(provincialRoundFor(d, QD26)).toEqual({
        round: 2,
        year: 2026,
        cutOff: '2026-10-30',
        decideBy: '2026-12-30',
        lastDecisionDate: '2026-12-29',
      });
    }
  });

  it('29/10 → round 2; 30/10, 31/10 and 31/12 → round 1 of the next year', () => {
    expect(provincialRoundFor('2026-10-29', QD26).round).toBe(2);
    for (const d of ['2026-10-30', '2026-10-31', '2026-12-31']) {
      expect(provincialRoundFor(d, QD26)).toMatchObject({
        round: 1,
        year: 2027,
        cutOff: '2027-04-30',
        decideBy: '2027-06-30',
      });
    }
    expect(provincialRoundFor('2027-01-01', QD26)).toMatchObject({ round: 1, year: 2027 });
  });

  it('has no round calendar before QĐ 26/2026', () => {
    expect(() => provincialRoundFor('2025-04-01', ruleSetById('QD148_1489_2025'))).toThrow(RuleNotDefinedError);
    expect(() => centralRoundFor('2025-04-01', ruleSetById('QD148_2023'))).toThrow(RuleNotDefinedError);
  });
});

describe('central rounds (art. 5.2)', () => {
  it('sent before 30/07 → decided before 30/09', () => {
    expect(centralRoundFor('2026-07-29', QD26)).toEqual({
      round: 1,
      cutOff: '2026-07-30',
      decideBy: '2026-09-30',
      lastDecisionDate: '2026-09-29',
    });
  });

  it('sent on or after 30/07 → the round decided before 30/03 of the next year', () => {
    expect(centralRoundFor('2026-07-30', QD26)).toMatchObject({
      round: 2,
      cutOff: '2027-01-30',
      decideBy: '2027-03-30',
    });
    expect(centralRoundFor('2026-12-15', QD26)).toMatchObject({ round: 2, cutOff: '2027-01-30' });
  });

  it('sent in January before 30/01 → decided before 30/03 of that year; on 30/01 → before 30/09', () => {
    expect(centralRoundFor('2027-01-29', QD26)).toMatchObject({
      round: 2,
      cutOff: '2027-01-30',
      decideBy: '2027-03-30',
    });
    expect(centralRoundFor('2027-01-30', QD26)).toMatchObject({
      round: 1,
      cutOff: '2027-07-30',
      decideBy: '2027-09-30',
    });
  });
});

describe('certificates', () => {
  it('are valid for 36 months, through the corresponding day (Civil Code art. 147–148)', () => {
    expect(certificateExpiry('2026-06-15', QD26)).toBe('2029-06-15');
    expect(certificateExpiry('2024-02-29', QD26)).toBe('2027-02-28');
    expect(isCertificateValidOn('2026-06-15', '2029-06-15', QD26)).toBe(true);
    expect(isCertificateValidOn('2026-06-15', '2029-06-16', QD26)).toBe(false);
    expect(isCertificateValidOn('2026-06-15', '2026-06-14', QD26)).toBe(false);
  });

  it('re-rating window is T−180 … T−120, both ends inclusive', () => {
    expect(reRatingWindow('2029-06-15', QD26)).toEqual({ opens: '2028-12-17', closes: '2029-02-15' });
    expect(isInReRatingWindow('2028-12-16', '2029-06-15', QD26)).toBe(false);
    expect(isInReRatingWindow('2028-12-17', '2029-06-15', QD26)).toBe(true);
    expect(isInReRatingWindow('2029-02-15', '2029-06-15', QD26)).toBe(true);
    expect(isInReRatingWindow('2029-02-16', '2029-06-15', QD26)).toBe(false);
    expect(() => reRatingWindow('2026-01-01', ruleSetById('QD148_2023'))).toThrow(RuleNotDefinedError);
  });

  it('the commune forwards within 15 working days of receipt (Tết 2026 skipped)', () => {
    expect(communeForwardDeadline('2026-02-13', QD26)).toBe('2026-03-13');
  });

  it('deadlines for re-rating, revocation and the art. 12.3 extension', () => {
    expect(reRatingDecisionDeadline('2026-06-01', QD26)).toBe('2026-07-16');
    expect(revocationDecisionDeadline('2026-06-01', QD26)).toBe('2026-06-16');
    expect(maxExtendedValidity('2026-06-30')).toBe('2026-12-27');
  });
});
