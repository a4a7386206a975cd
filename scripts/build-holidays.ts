/**
 * Builds `domain/calendar/holidays.json`: Vietnam's public holidays (ngày nghỉ lễ, tết) 2019–2050.
 *
 *   npx tsx scripts/build-holidays.ts
 *
 * Rules (Labour Code 2019 art. 111(3) and 112(1); Labour Code 2012 art. 115 for 2019–2020):
 * - 1/1; Tết Nguyên đán 5 days; Hùng Kings' day (10/3 lunar); 30/4; 1/5; National Day 2/9, plus from 2021 one
 *   adjacent day (1/9 or 3/9).
 * - A holiday on a Saturday or Sunday gives a substitute day off (nghỉ bù) on the next working day.
 * - Tết: the Government announces the 5 days each year; where we have the announcement we use it, otherwise
 *   the last day of the lunar year plus the first 4 days of the new one.
 * Lunar dates come from `domain/calendar/lunar.ts` (astronomical, UTC+7). Swapped working days (hoán đổi ngày
 * làm việc, a weekday off paid back by a working Saturday) are NOT holidays and are not in the data.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hungKingsDay, lunarNewYear } from '../domain/calendar/lunar';

export type HolidayKind = 'statutory' | 'substitute' | 'tet';

export interface Holiday {
  date: string;
  name_vi: string;
  name_en: string;
  kind: HolidayKind;
  note?: string;
}

export interface HolidayData {
  source: string;
  generatedBy: string;
  notes: string[];
  years: Record<string, Holiday[]>;
}

export const FIRST_YEAR = 2019;
export const LAST_YEAR = 2050;

/**
 * Tết days off announced by the Government for each year (the weekdays of the announced break; the weekend
 * days inside it are rest days anyway). Written from memory of the Government Office / Ministry notices and
 * press reports of them: each carries a note so a reader can check it.
 */
const ANNOUNCED_TET: Record<number, { days: string[]; note: string }> = {
  2019: {
    days: ['2019-02-04', '2019-02-05', '2019-02-06', '2019-02-07', '2019-02-08'],
    note: 'announced break Sat 02/02–Sun 10/02/2019',
  },
  2020: {
    days: ['2020-01-23', '2020-01-24', '2020-01-27', '2020-01-28', '2020-01-29'],
    note: 'announced break Thu 23/01–Wed 29/01/2020 (29 Chạp–mùng 5); Tết fell on a Saturday',
  },
  2021: {
    days: ['2021-02-10', '2021-02-11', '2021-02-12', '2021-02-15', '2021-02-16'],
    note: 'announced break Wed 10/02–Tue 16/02/2021 (29 Chạp–mùng 5)',
  },
  2022: {
    days: ['2022-01-31', '2022-02-01', '2022-02-02', '2022-02-03', '2022-02-04'],
    note: 'announced break Sat 29/01–Sun 06/02/2022',
  },
  2023: {
    days: ['2023-01-20', '2023-01-23', '2023-01-24', '2023-01-25', '2023-01-26'],
    note: 'announced break Fri 20/01–Thu 26/01/2023; Tết fell on a Sunday',
  },
  2024: {
    days: ['2024-02-08', '2024-02-09', '2024-02-12', '2024-02-13', '2024-02-14'],
    note: 'announced break Thu 08/02–Wed 14/02/2024; Tết fell on a Saturday',
  },
  2025: {
    days: ['2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31'],
    note: 'announced break Sat 25/01–Sun 02/02/2025 (26 Chạp–mùng 5); the 5 weekdays 27–31/01 are the Tết days. From memory of the notice: verify',
  },
  2026: {
    days: ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'],
    note: 'announced break Sat 14/02–Sun 22/02/2026 (27 Chạp–mùng 6)',
  },
};

/** The day next to 2/9 announced each year (Labour Code 2019 art. 112(1)(đ), from 2021). */
const ANNOUNCED_NATIONAL_DAY_EXTRA: Record<number, string> = {
  2021: '2021-09-03',
  2022: '2022-09-01',
  2023: '2023-09-01',
  2024: '2024-09-03',
  2025: '2025-09-01',
};

const DAY_MS = 86_400_000;
const toDay = (date: string): number => Date.parse(`${date}T00:00:00.000Z`) / DAY_MS;
const fromDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
const weekday = (date: string): number => new Date(`${date}T00:00:00.000Z`).getUTCDay();
const isWeekend = (date: string): boolean => weekday(date) === 0 || weekday(date) === 6;
const shift = (date: string, n: number): string => fromDay(toDay(date) + n);

/**
 * The adjacent day for 2/9 in a year without an announcement: the one that joins the holiday to a weekend,
 * which is what every announcement 2021–2025 did; for a Wednesday there is no such day and 1/9 is assumed.
 */
function assumedNationalDayExtra(year: number): string {
  const d = `${year}-09-02`;
  const wd = weekday(d);
  return wd === 1 || wd === 4 || wd === 0 ? `${year}-09-03` : `${year}-09-01`;
}

export function buildYear(year: number): Holiday[] {
  const list: Holiday[] = [];
  const add = (date: string, name_vi: string, name_en: string, kind: HolidayKind, note?: string): void => {
    list.push(note === undefined ? { date, name_vi, name_en, kind } : { date, name_vi, name_en, kind, note });
  };

  add(`${year}-01-01`, 'Tết Dương lịch', "New Year's Day", 'statutory');

  const tet = lunarNewYear(year);
  const tetName = ['Tết Nguyên đán', 'Lunar New Year (Tết)'] as const;
  const announced = ANNOUNCED_TET[year];
  if (announced) {
    for (const d of announced.days) add(d, ...tetName, 'tet', announced.note);
  } else {
    const note = `computed: last day of the lunar year + mùng 1–4 (Tết = ${tet}); not yet announced`;
    for (let i = -1; i <= 3; i++) add(shift(tet, i), ...tetName, 'tet', note);
  }

  add(
    hungKingsDay(year),
    'Giỗ Tổ Hùng Vương (10/3 âm lịch)',
    "Hùng Kings' Commemoration Day (10th of the 3rd lunar month)",
    'statutory',
  );
  add(`${year}-04-30`, 'Ngày Chiến thắng (Giải phóng miền Nam, thống nhất đất nước)', 'Reunification Day', 'statutory');
  add(`${year}-05-01`, 'Ngày Quốc tế Lao động', 'International Labour Day', 'statutory');
  add(`${year}-09-02`, 'Quốc khánh', 'National Day', 'statutory');
  if (year >= 2021) {
    const extra = ANNOUNCED_NATIONAL_DAY_EXTRA[year];
    if (extra) add(extra, 'Quốc khánh (ngày liền kề)', 'National Day (adjacent day)', 'statutory');
    else
      add(
        assumedNationalDayExtra(year),
        'Quốc khánh (ngày liền kề)',
        'National Day (adjacent day)',
        'statutory',
        'assumed: the adjacent day (1/9 or 3/9) had not been announced; chosen to join a weekend (1/9 for a Wednesday)',
      );
  }

  list.sort((a, b) => a.date.localeCompare(b.date));

  // Labour Code 2019 art. 111(3): a holiday on a weekly rest day is made up on the next working day.
  // Announced Tết days are already placed on weekdays, so only rule-based dates can need a substitute.
  const taken = new Set(list.map((h) => h.date));
  const substitutes: Holiday[] = [];
  let cursor = '';
  for (const h of list) {
    if (!isWeekend(h.date)) continue;
    let d = h.date > cursor ? h.date : cursor;
    do d = shift(d, 1);
    while (isWeekend(d) || taken.has(d));
    taken.add(d);
    cursor = d;
    const note = h.kind === 'tet' && !announced ? 'computed by rule; not yet announced' : undefined;
    const sub: Holiday = {
      date: d,
      name_vi: `Nghỉ bù ${h.name_vi}`,
      name_en: `Substitute day off for ${h.name_en}`,
      kind: 'substitute',
    };
    substitutes.push(note === undefined ? sub : { ...sub, note });
  }
  return [...list, ...substitutes].sort((a, b) => a.date.localeCompare(b.date));
}

export function buildHolidayData(): HolidayData {
  const years: Record<string, Holiday[]> = {};
  for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) years[String(y)] = buildYear(y);
  return {
    source:
      'Labour Code 2019 (45/2019/QH14) art. 111(3) and 112(1); Labour Code 2012 art. 115 for 2019–2020; ' +
      'Tết and 2/9 placement from the Government announcements where noted; lunar dates computed for UTC+7',
    generatedBy: 'scripts/build-holidays.ts (do not edit by hand)',
    notes: [
      'Only public holidays and their substitute days off (nghỉ bù). Swapped working days (hoán đổi: a weekday off repaid by a working Saturday) are not included, so a repaid Saturday never counts as a working day.',
      'Tết 2030 is 2030-02-02 in Vietnam (the new moon falls at about 23:07 UTC+7 on 2 February); the Chinese calendar (UTC+8) has 3 February.',
      'Years after 2026 are computed by rule; the Government may place Tết and the 2/9 adjacent day differently when it announces them.',
      'A proposed new day off (Vietnam Culture Day, 24/11) was under discussion in 2026 and is not included: check before relying on November dates.',
    ],
    years,
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const out = resolve(dirname(fileURLToPath(import.meta.url)), '../domain/calendar/holidays.json');
  writeFileSync(out, `${JSON.stringify(buildHolidayData(), null, 2)}\n`);
  console.log(`wrote ${out}`);
}
