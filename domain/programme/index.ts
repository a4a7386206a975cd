/*
 * The yearly OCOP programme of a province (chương trình OCOP hằng năm, issue 19): pure, no I/O, so the programme
 * workflow can compute its dates in the sandbox. A programme is the stream `programme:<province>:<year>`; it
 * publishes the year's round calendar, reminds the communes with nothing in the pipeline, and records a mid-year and
 * a year-end report.
 */
import { addDays, localDate, startOfLocalDay } from '../calendar';
import { provincialRoundFor, ruleSetInForce, type RuleSetId } from '../rules';
import { NoticeKind, type Notice } from '../notifications/types';

/** The programme's stream and workflow id: a province code and a year, no person. */
export const programmeIdOf = (provinceCode: string, year: number): string => `programme:${provinceCode}:${year}`;

/** One statutory cut-off of the year: a provincial round (commune → province) or a central (5★) round. */
export interface CalendarEntry {
  level: 'provincial' | 'central';
  round: 1 | 2;
  /** Dossiers must be forwarded (provincial) or sent (central) strictly before this local date. */
  cutOff: string;
  /** The round is decided strictly before this local date. */
  decideBy: string;
  /** The last local day of decision: the day before `decideBy`. */
  lastDecisionDate: string;
  /** The rule-set in force on the cut-off day, whose art. 5 calendar the entry is. */
  ruleSetId: RuleSetId;
}

/**
 * The year's round calendar: every cut-off of a fixed calendar (QĐ 26/2026 art. 5) falling in `year`, each taken from
 * the rule-set in force on that day. A year under rules with no fixed calendar (before 22/05/2026) has entries only
 * from the day QĐ 26/2026 applies; 2025 and earlier have none (rounds were planned locally).
 */
export function yearCalendar(year: number): CalendarEntry[] {
  const entries: CalendarEntry[] = [];
  const seen = ruleSetInForce(`${year}-12-31`);
  for (const level of ['provincial', 'central'] as const) {
    for (const slot of seen.rounds?.[level] ?? []) {
      const cutOff = `${year}-${slot.cutOff}`;
      const inForce = ruleSetInForce(cutOff);
      const own = inForce.rounds?.[level].find((r) => r.round === slot.round);
      if (!own) continue;
      const decideBy = `${year}-${own.decideBy}`;
      entries.push({
        level,
        round: slot.round,
        cutOff,
        decideBy,
        lastDecisionDate: addDays(decideBy, -1),
        ruleSetId: inForce.id,
      });
    }
  }
  return entries.sort((a, b) => a.cutOff.localeCompare(b.cutOff) || a.level.localeCompare(b.level));
}

export const REPORT_POINTS = ['mid_year', 'year_end'] as const;
export type ReportPoint = (typeof REPORT_POINTS)[number];

/**
 * When each report is made: at the end of 30/06 and of 31/12 (Vietnam time), i.e. 00:00 of the next day, counting the
 * certificates in force on that day (`asOf`), as year-end reports do.
 */
export function reportSchedule(year: number): { point: ReportPoint; asOf: string; at: string }[] {
  return [
    { point: 'mid_year', asOf: `${year}-06-30`, at: startOfLocalDay(`${year}-07-01`) },
    { point: 'year_end', asOf: `${year}-12-31`, at: startOfLocalDay(`${year + 1}-01-01`) },
  ];
}

/** The instant the programme's year is over (00:00 on 01/01 of the next year): no reminder after it. */
export const endOfProgrammeYear = (year: number): string => startOfLocalDay(`${year + 1}-01-01`);

/** A report's figures, as GET /reports/figures and plan progress answer them. */
export interface ProgrammeFigures {
  /** Products whose certificate was in force on `asOf`, by star (GET /reports/figures?by=star&inForceOn=asOf). */
  inForceByStar: { star: number; count: number }[];
  inForceTotal: number;
  /** The province's cases by stage at the time of the report (GET /reports/figures?by=status). */
  byStatus: { status: string; count: number }[];
  /** The province's plan for the year, if one was adopted: its progress (GET /plans/:id/progress). */
  plan: {
    planId: string;
    sentence: string;
    lines: { measure: string; label: string; target: number; actual: number; percent: number | null }[];
  } | null;
}

/** The events of a programme's stream. */
export type ProgrammeEvent =
  | {
      type: 'ProgrammeOpened';
      data: { provinceCode: string; provinceName: string; year: number; ruleSetId: RuleSetId };
    }
  | { type: 'RoundCutOffPublished'; data: CalendarEntry & { year: number } }
  | {
      type: 'IdleCommunesReminded';
      data: { year: number; communes: { code: string; name: string }[]; on: string };
    }
  | {
      type: 'ProgrammeReportRecorded';
      data: { year: number; point: ReportPoint; asOf: string; figures: ProgrammeFigures };
    };

/** The calendar's events: the programme opened under the rule-set in force at its start, then each cut-off. */
export function calendarEvents(provinceCode: string, provinceName: string, year: number): ProgrammeEvent[] {
  return [
    {
      type: 'ProgrammeOpened',
      data: { provinceCode, provinceName, year, ruleSetId: ruleSetInForce(`${year}-01-01`).id },
    },
    ...yearCalendar(year).map((e) => ({ type: 'RoundCutOffPublished' as const, data: { ...e, year } })),
  ];
}

/**
 * The reminder to a commune with nothing in the pipeline: one per commune and year (its key), sent at once, naming the
 * next provincial round a dossier could still join.
 */
export function idleCommuneNotice(o: {
  provinceCode: string;
  year: number;
  commune: { code: string; name: string };
  at: string;
}): Notice {
  const programmeId = programmeIdOf(o.provinceCode, o.year);
  // The round a dossier forwarded today would join (this year's or the next year's first), where a calendar is fixed.
  const today = localDate(o.at);
  const rules = ruleSetInForce(today);
  const next = rules.rounds ? provincialRoundFor(today, rules) : null;
  return {
    key: `${programmeId}:${NoticeKind.ProgrammeIdleCommune}:${o.commune.code}`,
    kind: NoticeKind.ProgrammeIdleCommune,
    productId: programmeId,
    audience: 'commune',
    audienceCode: o.commune.code,
    dueAt: o.at,
    staleAt: endOfProgrammeYear(o.year),
    facts: {
      year: o.year,
      communeName: o.commune.name,
      nextCutOff: next?.cutOff ?? null,
      nextRound: next?.round ?? null,
      nextRoundYear: next?.year ?? null,
    },
  };
}

/** The report sent to the province's coordination office (văn phòng điều phối OCOP cấp tỉnh). */
export function reportNotice(o: {
  provinceCode: string;
  provinceName: string;
  year: number;
  point: ReportPoint;
  asOf: string;
  figures: ProgrammeFigures;
  at: string;
}): Notice {
  const programmeId = programmeIdOf(o.provinceCode, o.year);
  const star = (s: number) => o.figures.inForceByStar.find((r) => r.star === s)?.count ?? 0;
  return {
    key: `${programmeId}:${NoticeKind.ProgrammeReport}:${o.point}`,
    kind: NoticeKind.ProgrammeReport,
    productId: programmeId,
    audience: 'province',
    audienceCode: o.provinceCode,
    dueAt: o.at,
    staleAt: null,
    facts: {
      year: o.year,
      point: o.point,
      asOf: o.asOf,
      provinceName: o.provinceName,
      total: o.figures.inForceTotal,
      star5: star(5),
      star4: star(4),
      star3: star(3),
      planSentence: o.figures.plan?.sentence ?? null,
    },
  };
}
