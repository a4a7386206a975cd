import { describe, expect, it } from 'vitest';
import {
  calendarEvents,
  idleCommuneNotice,
  programmeIdOf,
  reportSchedule,
  yearCalendar,
} from '../../../domain/programme';
import { renderNotice } from '../../../notifications/templates';

// The yearly programme's dates (issue 19): the statutory cut-offs of the rule-set in force on each, and the report
// points at the end of 30/06 and 31/12, Vietnam time.
describe('the yearly programme', () => {
  it('publishes every art. 5 cut-off of a year under QĐ 26/2026', () => {
    expect(yearCalendar(2027).map((e) => [e.level, e.round, e.cutOff, e.decideBy, e.lastDecisionDate])).toEqual([
      ['central', 2, '2027-01-30', '2027-03-30', '2027-03-29'],
      ['provincial', 1, '2027-04-30', '2027-06-30', '2027-06-29'],
      ['central', 1, '2027-07-30', '2027-09-30', '2027-09-29'],
      ['provincial', 2, '2027-10-30', '2027-12-30', '2027-12-29'],
    ]);
    expect(new Set(yearCalendar(2027).map((e) => e.ruleSetId))).toEqual(new Set(['QD26_2026']));
  });

  it('in 2026 only the cut-offs after QĐ 26/2026 took effect (22/05), and none in 2025', () => {
    expect(yearCalendar(2026).map((e) => e.cutOff)).toEqual(['2026-07-30', '2026-10-30']);
    expect(yearCalendar(2025)).toEqual([]);
    expect(calendarEvents('19', 'Tỉnh Thái Nguyên', 2025)).toEqual([
      {
        type: 'ProgrammeOpened',
        data: { provinceCode: '19', provinceName: 'Tỉnh Thái Nguyên', year: 2025, ruleSetId: 'QD148_2023' },
      },
    ]);
  });

  it('reports at 00:00 Vietnam time after 30/06 and 31/12', () => {
    expect(reportSchedule(2027)).toEqual([
      { point: 'mid_year', asOf: '2027-06-30', at: '2027-06-30T17:00:00.000Z' },
      { point: 'year_end', asOf: '2027-12-31', at: '2027-12-31T17:00:00.000Z' },
    ]);
  });

  it('names its stream and notices by province and year only, and tells the commune the next round', () => {
    expect(programmeIdOf('19', 2027)).toBe('programme:19:2027');
    const notice = idleCommuneNotice({
      provinceCode: '19',
      year: 2027,
      commune: { code: '05503', name: 'Phường Phan Đình Phùng' },
      at: '2027-05-02T01:00:00Z',
    });
    expect(notice).toMatchObject({
      key: 'programme:19:2027:programme_idle_commune:05503',
      audience: 'commune',
      audienceCode: '05503',
      facts: { nextCutOff: '2027-10-30', nextRound: 2, nextRoundYear: 2027 },
    });
    expect(renderNotice(notice, 'vi').text).toContain('trước ngày 30/10/2027 được đánh giá trong đợt 2 năm 2027');
  });
});
