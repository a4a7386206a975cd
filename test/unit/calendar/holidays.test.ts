import { describe, expect, it } from 'vitest';
import { hungKingsDay, lunarNewYear } from '../../../domain/calendar/lunar';
import data from '../../../domain/calendar/holidays.json';
import { buildHolidayData } from '../../../scripts/build-holidays';

describe('lunar calendar (UTC+7)', () => {
  it('places Tết on the published dates 2019–2035', () => {
    const expected: Record<number, string> = {
      2019: '2019-02-05',
      2020: '2020-01-25',
      2021: '2021-02-12',
      2022: '2022-02-01',
      2023: '2023-01-22',
      2024: '2024-02-10',
      2025: '2025-01-29',
      2026: '2026-02-17',
      2027: '2027-02-06',
      2028: '2028-01-26',
      2029: '2029-02-13',
      // Not 02-03: the new moon is at ~23:07 in Vietnam on 2 February (00:07 on the 3rd in China, UTC+8).
      2030: '2030-02-02',
      2031: '2031-01-23',
      2032: '2032-02-11',
      2033: '2033-01-31',
      2034: '2034-02-19',
      2035: '2035-02-08',
    };
    for (const [year, date] of Object.entries(expected)) expect(lunarNewYear(Number(year))).toBe(date);
  });

  it('places the Hùng Kings’ day (10/3 lunar) on the observed dates 2019–2026', () => {
    expect([2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026].map(hungKingsDay)).toEqual([
      '2019-04-14',
      '2020-04-02',
      '2021-04-21',
      '2022-04-10',
      '2023-04-29',
      '2024-04-18',
      '2025-04-07',
      '2026-04-26',
    ]);
  });

  it('the 2007 Tết differs from China (Vietnam 17/02, China 18/02)', () => {
    expect(lunarNewYear(2007)).toBe('2007-02-17');
  });
});

describe('holidays.json', () => {
  it('is exactly what scripts/build-holidays.ts generates', () => {
    expect(data).toEqual(JSON.parse(JSON.stringify(buildHolidayData())));
  });

  it('covers 2019–2050 with the statutory count of days per year', () => {
    for (let y = 2019; y <= 2050; y++) {
      const list = data.years[String(y) as keyof typeof data.years];
      const own = list.filter((h) => h.kind !== 'substitute');
      // 1/1 + Tết 5 + Hùng + 30/4 + 1/5 + 2/9 (+1 from 2021) = 10, then 11.
      expect(own).toHaveLength(y >= 2021 ? 11 : 10);
      expect(list.filter((h) => h.kind === 'tet')).toHaveLength(5);
      expect(new Set(list.map((h) => h.date)).size).toBe(list.length);
    }
  });

  it('puts every substitute day on a weekday', () => {
    for (const list of Object.values(data.years))
      for (const h of list.filter((x) => x.kind === 'substitute'))
        expect([1, 2, 3, 4, 5]).toContain(new Date(`${h.date}T00:00:00Z`).getUTCDay());
  });
});
