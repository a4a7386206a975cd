import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  addWorkingDays,
  CalendarRangeError,
  daysBetween,
  earliest,
  endOfLocalDay,
  holidaysOf,
  InvalidDateError,
  isPublicHoliday,
  isWorkingDay,
  localDate,
  startOfLocalDay,
  VN_OFFSET_MINUTES,
  workingDaysBetween,
} from '../../../domain/calendar';

describe('Vietnam local time (UTC+7)', () => {
  it('has a fixed +7h offset', () => {
    expect(VN_OFFSET_MINUTES).toBe(420);
  });

  it('puts an instant just before and at 17:00 UTC on either side of local midnight', () => {
    expect(localDate('2026-05-21T16:59:59.999Z')).toBe('2026-05-21');
    expect(localDate('2026-05-21T17:00:00.000Z')).toBe('2026-05-22');
    expect(localDate('2026-12-31T18:30:00Z')).toBe('2027-01-01');
    expect(localDate('2026-05-22T00:30:00+07:00')).toBe('2026-05-22');
  });

  it('gives the first and last instant of a local day', () => {
    expect(startOfLocalDay('2026-05-22')).toBe('2026-05-21T17:00:00.000Z');
    expect(endOfLocalDay('2026-05-22')).toBe('2026-05-22T16:59:59.999Z');
    expect(localDate(startOfLocalDay('2026-01-01'))).toBe('2026-01-01');
    expect(localDate(endOfLocalDay('2026-01-01'))).toBe('2026-01-01');
  });

  it('rejects malformed dates and instants without a zone', () => {
    expect(() => localDate('2026-05-22T03:00:00')).toThrow(InvalidDateError);
    expect(() => localDate('yesterday')).toThrow(InvalidDateError);
    expect(() => addDays('2026-02-30', 1)).toThrow(InvalidDateError);
    expect(() => addDays('2026-5-1', 1)).toThrow(InvalidDateError);
  });
});

describe('calendar-day arithmetic', () => {
  it('adds and subtracts days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(daysBetween('2026-05-22', '2026-07-21')).toBe(60);
    expect(daysBetween('2026-07-21', '2026-05-22')).toBe(-60);
  });

  it('clamps to the end of a shorter month', () => {
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28');
    expect(addMonths('2024-03-31', -1)).toBe('2024-02-29');
    expect(addMonths('2026-08-31', 1)).toBe('2026-09-30');
    expect(addMonths('2024-02-29', 36)).toBe('2027-02-28');
    expect(addMonths('2026-05-22', 36)).toBe('2029-05-22');
    expect(addMonths('2025-01-15', -1)).toBe('2024-12-15');
    expect(addMonths('2024-12-15', 1)).toBe('2025-01-15');
  });
});

describe('public holidays', () => {
  it('knows Tết 2026 (announced break 14–22/02, five weekdays 16–20/02)', () => {
    for (const d of ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20']) {
      expect(isPublicHoliday(d)).toBe(true);
      expect(isWorkingDay(d)).toBe(false);
    }
    expect(isWorkingDay('2026-02-13')).toBe(true);
    expect(isWorkingDay('2026-02-23')).toBe(true);
  });

  it('gives a substitute day when a holiday falls on a weekend', () => {
    // Hùng Kings' day 2026 (10/3 lunar) is Sunday 26/04 → Monday 27/04 off.
    expect(holidaysOf(2026).find((h) => h.date === '2026-04-26')?.kind).toBe('statutory');
    expect(holidaysOf(2026).find((h) => h.date === '2026-04-27')?.kind).toBe('substitute');
    // 30/04 and 01/05/2022 were Saturday and Sunday → 02/05 and 03/05 off.
    expect(isWorkingDay('2022-05-02')).toBe(false);
    expect(isWorkingDay('2022-05-03')).toBe(false);
    expect(isWorkingDay('2022-05-04')).toBe(true);
  });

  it('gives National Day two days from 2021 and one before', () => {
    expect(holidaysOf(2020).filter((h) => h.date.startsWith('2020-09'))).toHaveLength(1);
    expect(isPublicHoliday('2025-09-01')).toBe(true);
    expect(isPublicHoliday('2025-09-02')).toBe(true);
    expect(isPublicHoliday('2024-09-03')).toBe(true);
  });

  it('has weekends that are never working days but are not holidays', () => {
    expect(isWorkingDay('2026-05-23')).toBe(false);
    expect(isPublicHoliday('2026-05-23')).toBe(false);
  });

  it('refuses to answer outside the data', () => {
    expect(() => holidaysOf(2018)).toThrow(CalendarRangeError);
    expect(() => holidaysOf(2051)).toThrow(/2019–2050/);
    expect(() => isWorkingDay('2051-01-02')).toThrow(CalendarRangeError);
    expect(() => addWorkingDays('2050-12-28', 10)).toThrow(CalendarRangeError);
  });
});

describe('working days (the day of receipt is not counted)', () => {
  it('from a Friday, 1 working day is the next Monday', () => {
    expect(addWorkingDays('2026-05-22', 1)).toBe('2026-05-25');
    expect(addWorkingDays('2026-05-23', 1)).toBe('2026-05-25'); // received on a Saturday
    expect(addWorkingDays('2026-05-22', 0)).toBe('2026-05-22');
  });

  it('15 working days from Friday 22/05/2026 is Friday 12/06/2026', () => {
    expect(addWorkingDays('2026-05-22', 15)).toBe('2026-06-12');
  });

  it('15 working days from Monday 15/06/2026 is Monday 06/07/2026', () => {
    expect(addWorkingDays('2026-06-15', 15)).toBe('2026-07-06');
  });

  it('skips Tết 2026: 15 working days from Friday 13/02 is Friday 13/03', () => {
    expect(addWorkingDays('2026-02-13', 1)).toBe('2026-02-23');
    expect(addWorkingDays('2026-02-13', 15)).toBe('2026-03-13');
    expect(workingDaysBetween('2026-02-13', '2026-02-23')).toBe(1);
  });

  it('skips Hùng Kings (substitute 27/04), 30/04 and 01/05/2026: from 22/04, 15 working days is 18/05', () => {
    expect(addWorkingDays('2026-04-22', 2)).toBe('2026-04-24');
    expect(addWorkingDays('2026-04-22', 3)).toBe('2026-04-28');
    expect(addWorkingDays('2026-04-22', 5)).toBe('2026-05-04');
    expect(addWorkingDays('2026-04-22', 15)).toBe('2026-05-18');
  });

  it('skips 01–02/09/2025: from Friday 29/08, 1 working day is 03/09 and 15 is 23/09', () => {
    expect(addWorkingDays('2025-08-29', 1)).toBe('2025-09-03');
    expect(addWorkingDays('2025-08-29', 15)).toBe('2025-09-23');
    expect(isPublicHoliday('2026-09-02')).toBe(true);
  });

  it('skips New Year 2027 across the year end', () => {
    expect(addWorkingDays('2026-12-31', 1)).toBe('2027-01-04');
  });

  it('counts backwards for negative n', () => {
    expect(addWorkingDays('2026-02-23', -1)).toBe('2026-02-13');
    expect(addWorkingDays('2026-05-25', -1)).toBe('2026-05-22');
  });

  it('workingDaysBetween counts the half-open range (from, to]', () => {
    expect(workingDaysBetween('2026-05-22', '2026-06-12')).toBe(15);
    expect(workingDaysBetween('2026-05-22', '2026-05-22')).toBe(0);
    expect(workingDaysBetween('2026-06-12', '2026-05-22')).toBe(-15);
  });

  it('workingDaysBetween inverts addWorkingDays (property)', () => {
    const start = Date.UTC(2019, 0, 1);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6000 }), fc.integer({ min: 0, max: 60 }), (offset, n) => {
        const from = new Date(start + offset * 86_400_000).toISOString().slice(0, 10);
        const to = addWorkingDays(from, n);
        expect(workingDaysBetween(from, to)).toBe(n);
        if (n > 0) expect(isWorkingDay(to)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('earliest', () => {
  it('takes the earlier date or instant, the first on a tie, and the one given when the other is not', () => {
    expect(earliest('2026-05-22', '2026-11-30')).toBe('2026-05-22');
    expect(earliest('2027-01-02', '2026-12-31')).toBe('2026-12-31');
    // Instants compare as instants: 08:00 in Hà Nội is 01:00 UTC, before 02:00 UTC.
    expect(earliest('2026-12-06T02:00:00.000Z', '2026-12-06T08:00:00+07:00')).toBe('2026-12-06T08:00:00+07:00');
    expect(earliest('2026-12-06T02:00:00.000Z', '2026-12-06T02:00:00.000Z')).toBe('2026-12-06T02:00:00.000Z');
    expect(earliest(null, '2026-05-22')).toBe('2026-05-22');
    expect(earliest('2026-05-22', null)).toBe('2026-05-22');
    expect(earliest(null, null)).toBeNull();
  });
});
