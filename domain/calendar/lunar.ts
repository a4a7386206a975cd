/**
 * The Vietnamese lunisolar calendar (âm lịch), after Hồ Ngọc Đức's published algorithm
 * ("Thuật toán tính âm lịch", based on Jean Meeus, Astronomical Algorithms), computed for UTC+7.
 *
 * Vietnam and China use the same rules but different meridians, so Tết occasionally falls on a different day
 * from the Chinese New Year (1985, 2007); that is why the time zone is a parameter and we never reuse a
 * Chinese table. Pure arithmetic: deterministic, no Date, safe inside a Temporal workflow.
 *
 * Used by `scripts/build-holidays.ts` to place Tết and the Hùng Kings' day; the committed `holidays.json`
 * is what the calendar reads at run time.
 */

const VN_TIME_ZONE_HOURS = 7;
const PI = Math.PI;
const int = Math.floor;

/** Julian day number of a proleptic Gregorian date. */
export function jdFromDate(day: number, month: number, year: number): number {
  const a = int((14 - month) / 12);
  const y = year + 4800 - a;
  const m = month + 12 * a - 3;
  return day + int((153 * m + 2) / 5) + 365 * y + int(y / 4) - int(y / 100) + int(y / 400) - 32045;
}

/** Gregorian date of a Julian day number. */
export function jdToDate(jd: number): { day: number; month: number; year: number } {
  const a = jd + 32044;
  const b = int((4 * a + 3) / 146097);
  const c = a - int((b * 146097) / 4);
  const d = int((4 * c + 3) / 1461);
  const e = c - int((1461 * d) / 4);
  const m = int((5 * e + 2) / 153);
  return {
    day: e - int((153 * m + 2) / 5) + 1,
    month: m + 3 - 12 * int(m / 10),
    year: b * 100 + d - 4800 + int(m / 10),
  };
}

/** Local day (Julian day number) of the k-th new moon after 1900-01-01. */
function newMoonDay(k: number, tz: number): number {
  const T = k / 1236.85;
  const T2 = T * T;
  const T3 = T2 * T;
  const dr = PI / 180;
  let jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
  jd1 += 0.00033 * Math.sin((166.56 + 132.87 * T - 0.009173 * T2) * dr);
  const M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3;
  const Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3;
  const F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3;
  let c1 = (0.1734 - 0.000393 * T) * Math.sin(M * dr) + 0.0021 * Math.sin(2 * dr * M);
  c1 = c1 - 0.4068 * Math.sin(Mpr * dr) + 0.0161 * Math.sin(dr * 2 * Mpr);
  c1 = c1 - 0.0004 * Math.sin(dr * 3 * Mpr);
  c1 = c1 + 0.0104 * Math.sin(dr * 2 * F) - 0.0051 * Math.sin(dr * (M + Mpr));
  c1 = c1 - 0.0074 * Math.sin(dr * (M - Mpr)) + 0.0004 * Math.sin(dr * (2 * F + M));
  c1 = c1 - 0.0004 * Math.sin(dr * (2 * F - M)) - 0.0006 * Math.sin(dr * (2 * F + Mpr));
  c1 = c1 + 0.001 * Math.sin(dr * (2 * F - Mpr)) + 0.0005 * Math.sin(dr * (2 * Mpr + M));
  const deltaT =
    T < -11
      ? 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3
      : -0.000278 + 0.000265 * T + 0.000262 * T2;
  return int(jd1 + c1 - deltaT + 0.5 + tz / 24);
}

/** Sector (0..11, 30° each) of the sun's longitude at the start of a local day. */
function sunLongitudeSector(jdn: number, tz: number): number {
  const T = (jdn - 2451545.5 - tz / 24) / 36525;
  const T2 = T * T;
  const dr = PI / 180;
  const M = 357.5291 + 35999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2;
  const L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2;
  let DL = (1.9146 - 0.004817 * T - 0.000014 * T2) * Math.sin(dr * M);
  DL += (0.019993 - 0.000101 * T) * Math.sin(dr * 2 * M) + 0.00029 * Math.sin(dr * 3 * M);
  let L = (L0 + DL) * dr;
  L = L - PI * 2 * int(L / (PI * 2));
  return int((L / PI) * 6);
}

/** First day of the 11th lunar month (the one containing the winter solstice) of a solar year. */
function lunarMonth11(year: number, tz: number): number {
  const off = jdFromDate(31, 12, year) - 2415021;
  const k = int(off / 29.530588853);
  const nm = newMoonDay(k, tz);
  return sunLongitudeSector(nm, tz) >= 9 ? newMoonDay(k - 1, tz) : nm;
}

function leapMonthOffset(a11: number, tz: number): number {
  const k = int((a11 - 2415021.076998695) / 29.530588853 + 0.5);
  let i = 1;
  let arc = sunLongitudeSector(newMoonDay(k + i, tz), tz);
  let last: number;
  do {
    last = arc;
    i++;
    arc = sunLongitudeSector(newMoonDay(k + i, tz), tz);
  } while (arc !== last && i < 14);
  return i - 1;
}

/**
 * Gregorian `YYYY-MM-DD` of a lunar date. `leap` selects the intercalary month (tháng nhuận) of that number.
 * @throws RangeError when `leap` is set but the year has no such leap month.
 */
export function lunarToSolar(
  lunarDay: number,
  lunarMonth: number,
  lunarYear: number,
  leap = false,
  tz = VN_TIME_ZONE_HOURS,
): string {
  const [a11, b11] =
    lunarMonth < 11
      ? [lunarMonth11(lunarYear - 1, tz), lunarMonth11(lunarYear, tz)]
      : [lunarMonth11(lunarYear, tz), lunarMonth11(lunarYear + 1, tz)];
  const k = int(0.5 + (a11 - 2415021.076998695) / 29.530588853);
  let off = lunarMonth - 11;
  if (off < 0) off += 12;
  if (b11 - a11 > 365) {
    const leapOff = leapMonthOffset(a11, tz);
    let leapMonth = leapOff - 2;
    if (leapMonth < 0) leapMonth += 12;
    if (leap && lunarMonth !== leapMonth) {
      throw new RangeError(`Lunar year ${lunarYear} has no leap month ${lunarMonth}`);
    }
    if (leap || off >= leapOff) off += 1;
  } else if (leap) {
    throw new RangeError(`Lunar year ${lunarYear} has no leap month`);
  }
  const { day, month, year } = jdToDate(newMoonDay(k + off, tz) + lunarDay - 1);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Tết Nguyên đán: 1st day of the 1st lunar month of `year`, as a Gregorian date. */
export function lunarNewYear(year: number): string {
  return lunarToSolar(1, 1, year);
}

/** Giỗ Tổ Hùng Vương: 10th day of the 3rd lunar month (never a leap month: the holiday is the regular 3rd). */
export function hungKingsDay(year: number): string {
  return lunarToSolar(10, 3, year);
}
