/**
 * Vietnam time and working days.
 *
 * Instants are ISO-8601 UTC strings (`2026-05-22T03:00:00.000Z`); local dates are `YYYY-MM-DD` in Vietnam's time,
 * UTC+7 all year (no daylight saving). We add 7 hours ourselves instead of asking the ICU time-zone database,
 * so the result is the same on every machine and inside Temporal's deterministic workflow sandbox.
 *
 * Day counting follows Civil Code 2015 art. 147(2): "khi thời hạn được xác định bằng ngày, tuần, tháng, năm thì
 * ngày đầu tiên của thời hạn không được tính mà tính từ ngày tiếp theo liền kề ngày được xác định" — a period in
 * days starts the day after the event. So "15 working days from receipt" (QĐ 26/2026 art. 7.2) ends on the 15th
 * working day after the day of receipt.
 */
import holidayData from './holidays.json';

export const VN_OFFSET_MINUTES = 420;

const DAY_MS = 86_400_000;
const OFFSET_MS = VN_OFFSET_MINUTES * 60_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** An instant must say which zone it is in; a bare local time would depend on the machine. */
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Thrown when a string is not a valid `YYYY-MM-DD` local date or a zoned ISO-8601 instant. */
export class InvalidDateError extends Error {
  public readonly value: string;
  public readonly expected: 'local date' | 'instant';
  constructor(value: string, expected: 'local date' | 'instant') {
    super(`Invalid ${expected}: ${JSON.stringify(value)}`);
    this.name = 'InvalidDateError';
    this.value = value;
    this.expected = expected;
  }
}

/** Thrown when a date falls in a year the holiday data does not cover: we never count days without a calendar. */
export class CalendarRangeError extends Error {
  public readonly year: number;
  constructor(year: number) {
    super(
      `No public-holiday data for ${year} (covered: ${FIRST_CALENDAR_YEAR}–${LAST_CALENDAR_YEAR}); ` +
        'extend scripts/build-holidays.ts and regenerate domain/calendar/holidays.json',
    );
    this.name = 'CalendarRangeError';
    this.year = year;
  }
}

export type HolidayKind = 'statutory' | 'substitute' | 'tet';

/** A public holiday (ngày nghỉ lễ, tết) or a substitute day off (nghỉ bù). */
export interface Holiday {
  readonly date: string;
  readonly name_vi: string;
  readonly name_en: string;
  readonly kind: HolidayKind;
  /** Present when the entry is computed or assumed rather than announced. */
  readonly note?: string;
}

const HOLIDAYS_BY_YEAR: ReadonlyMap<number, readonly Holiday[]> = new Map(
  Object.entries(holidayData.years).map(([year, list]) => [Number(year), list as Holiday[]]),
);
const HOLIDAY_DATES: ReadonlySet<string> = new Set(
  [...HOLIDAYS_BY_YEAR.values()].flatMap((list) => list.map((h) => h.date)),
);
export const FIRST_CALENDAR_YEAR = Math.min(...HOLIDAYS_BY_YEAR.keys());
export const LAST_CALENDAR_YEAR = Math.max(...HOLIDAYS_BY_YEAR.keys());

/** Day number (days since 1970-01-01) of a local date, validating it. */
function dayNumber(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new InvalidDateError(date, 'local date');
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(ms).toISOString().slice(0, 10) !== date) throw new InvalidDateError(date, 'local date');
  return ms / DAY_MS;
}

function fromDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function instantMs(instant: string): number {
  const ms = INSTANT_RE.test(instant) ? Date.parse(instant) : NaN;
  if (Number.isNaN(ms)) throw new InvalidDateError(instant, 'instant');
  return ms;
}

/** Throws `InvalidDateError` unless `date` is a real `YYYY-MM-DD` date. */
export function assertLocalDate(date: string): void {
  dayNumber(date);
}

/** The Vietnamese calendar date of an instant. */
export function localDate(instant: string): string {
  return new Date(instantMs(instant) + OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant of 00:00:00.000 Vietnam time on `date`. */
export function startOfLocalDay(date: string): string {
  return new Date(dayNumber(date) * DAY_MS - OFFSET_MS).toISOString();
}

/** The instant of 23:59:59.999 Vietnam time on `date`: the last moment a deadline "by `date`" is met. */
export function endOfLocalDay(date: string): string {
  return new Date((dayNumber(date) + 1) * DAY_MS - OFFSET_MS - 1).toISOString();
}

/** `date` plus `n` calendar days (`n` may be negative). */
export function addDays(date: string, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`addDays: n must be an integer, got ${n}`);
  return fromDayNumber(dayNumber(date) + n);
}

/**
 * `date` plus `n` calendar months; a day that does not exist in the target month clamps to its last day
 * (2024-01-31 + 1 month = 2024-02-29), as Civil Code 2015 art. 148(1)(c) ends a period in months.
 */
export function addMonths(date: string, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`addMonths: n must be an integer, got ${n}`);
  dayNumber(date);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + n;
  const year = Math.floor(index / 12);
  const month = index - year * 12; // 0-based
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return fromDayNumber(Date.UTC(year, month, Math.min(d, lastDay)) / DAY_MS);
}

/** Calendar days from `a` to `b` (`b − a`; negative when `b` is earlier). */
export function daysBetween(a: string, b: string): number {
  return dayNumber(b) - dayNumber(a);
}

/** ISO weekday of a local date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const wd = new Date(dayNumber(date) * DAY_MS).getUTCDay();
  return wd === 0 ? 7 : wd;
}

function yearOf(date: string): number {
  dayNumber(date);
  return Number(date.slice(0, 4));
}

/**
 * The public holidays and substitute days off of a year, in date order.
 * @throws CalendarRangeError for a year outside the data.
 */
export function holidaysOf(year: number): readonly Holiday[] {
  const list = HOLIDAYS_BY_YEAR.get(year);
  if (!list) throw new CalendarRangeError(year);
  return list;
}

/**
 * Whether `date` is a public holiday or a substitute day off.
 * @throws CalendarRangeError for a date outside the holiday data.
 */
export function isPublicHoliday(date: string): boolean {
  holidaysOf(yearOf(date));
  return HOLIDAY_DATES.has(date);
}

/**
 * Whether state offices work on `date`: Monday to Friday and not a public holiday or substitute day off.
 * Saturdays repaid for a swapped day (hoán đổi) are not modelled and never count.
 */
export function isWorkingDay(date: string): boolean {
  return isoWeekday(date) <= 5 && !isPublicHoliday(date);
}

/**
 * The local date of the `n`-th working day after `fromDate`. The day of the event itself (e.g. the day a dossier
 * is received) is not counted (Civil Code 2015 art. 147(2)), whether or not it is a working day: from a Friday,
 * 1 working day is the next Monday. `n = 0` returns `fromDate`; a negative `n` counts backwards.
 */
export function addWorkingDays(fromDate: string, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`addWorkingDays: n must be an integer, got ${n}`);
  const step = n < 0 ? -1 : 1;
  let day = dayNumber(fromDate);
  for (let left = Math.abs(n); left > 0;) {
    day += step;
    if (isWorkingDay(fromDayNumber(day))) left--;
  }
  return fromDayNumber(day);
}

/**
 * Working days in the half-open range (`fromDate`, `toDate`]: the inverse of `addWorkingDays`, so
 * `workingDaysBetween(d, addWorkingDays(d, n)) === n` for `n >= 0`. When `toDate` is before `fromDate` the result
 * is minus the count over (`toDate`, `fromDate`].
 */
export function workingDaysBetween(fromDate: string, toDate: string): number {
  const a = dayNumber(fromDate);
  const b = dayNumber(toDate);
  if (b < a) return -workingDaysBetween(toDate, fromDate);
  let count = 0;
  for (let day = a + 1; day <= b; day++) if (isWorkingDay(fromDayNumber(day))) count++;
  return count;
}

/**
 * The earlier of two optional local dates (`2026-05-22`) or instants (ISO 8601), `a` on a tie; null when both are.
 * Both of one kind: dates compare as the instants they start, instants as instants whatever their offset.
 */
export function earliest(a: string | null, b: string | null): string | null {
  if (a == null) return b;
  if (b == null) return a;
  return Date.parse(a) <= Date.parse(b) ? a : b;
}
