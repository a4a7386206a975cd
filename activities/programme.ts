import { z } from 'zod';
import type { Logger } from '../config/logger';
import type { Sql, TransactionSql } from '../db';
import { appendToStream, readStream, WrongExpectedVersionError } from '../db/event-store';
import { SYSTEM_ACTOR } from '../domain/case/actors';
import { localDate } from '../domain/calendar';
import { communesOfProvince, provinceOf } from '../domain/places';
import {
  calendarEvents,
  endOfProgrammeYear,
  idleCommuneNotice,
  programmeIdOf,
  REPORT_POINTS,
  reportNotice,
  reportSchedule,
  type ProgrammeEvent,
  type ProgrammeFigures,
} from '../domain/programme';
import { ruleSetInForce } from '../domain/rules';
import type { Notice } from '../domain/notifications';
import { planProgressOf, planIdOf } from '../api/plans';
import { figures } from '../read-models/reports/figures';
import { writeOpenData } from '../documents/open-data';
import { CaseFailureType, caseFailure } from '../temporal/failures';

/*
 * The activities of the yearly programme (workflows/programme.ts) and of the daily open data. Each appends one
 * command to the programme's stream under a fixed command id, so a retry (or a second run of the same year) records
 * nothing twice; the notices it causes are written to the outbox in the same transaction.
 */

export const programmeStepInput = z.object({
  provinceCode: z.string().regex(/^\d{2}$/),
  year: z.number().int().min(2019).max(2100),
  /** The workflow's clock when it asked: the instant the events are recorded at. */
  at: z.iso.datetime(),
});
export type ProgrammeStepInput = z.infer<typeof programmeStepInput>;
export const programmeReportInput = programmeStepInput.extend({ point: z.enum(REPORT_POINTS) });
export type ProgrammeReportInput = z.infer<typeof programmeReportInput>;

export interface ProgrammeStepResult {
  version: number;
  duplicate: boolean;
}

export interface ProgrammeDeps {
  sql: Sql;
  log: Logger;
  enqueueNotices: (tx: TransactionSql, notices: readonly Notice[]) => Promise<number>;
  wake?: () => void;
}

/** Stages of a case still on its way to a decision: an idea, a plan, a dossier, a round, the Ministry. */
const ENDED_STAGES = ['none', 'certified', 'not_recognised', 'expired', 'revoked', 'withdrawn'];

/** The system viewer the reports count as: every case, then filtered to the province. */
const SYSTEM_VIEWER = { sub: 'system:programme', role: 'admin' as const, jurisdiction: 'VN' };

function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw caseFailure(CaseFailureType.InvalidActivityInput, z.prettifyError(parsed.error));
  return parsed.data;
}

function provinceName(code: string): string {
  try {
    return provinceOf(code, 'current').name;
  } catch {
    throw caseFailure(CaseFailureType.InvalidActivityInput, `provinceCode: no current province ${code}`);
  }
}

/** The figures of a report: the same queries as GET /reports/figures and plan progress. */
export async function programmeFigures(
  sql: Sql,
  provinceCode: string,
  year: number,
  asOf: string,
): Promise<ProgrammeFigures> {
  const inForce = await figures(sql, SYSTEM_VIEWER, ['star'], { province: provinceCode, inForceOn: asOf });
  const byStatus = await figures(sql, SYSTEM_VIEWER, ['status'], { province: provinceCode });
  const inForceByStar = inForce
    .map((r) => ({ star: Number(r.keys[0]), count: r.count }))
    .sort((a, b) => b.star - a.star);
  const planId = planIdOf('province', provinceCode, { from: year, to: year });
  const progress = await planProgressOf(sql, planId);
  return {
    inForceByStar,
    inForceTotal: inForceByStar.reduce((n, r) => n + r.count, 0),
    byStatus: byStatus.map((r) => ({ status: r.keys[0] ?? '', count: r.count })),
    plan: progress && { planId, sentence: progress.sentence, lines: progress.lines },
  };
}

export function createProgrammeActivities(deps: ProgrammeDeps) {
  /** Appends one command to the programme's stream, once; `notices` go to the outbox in the same transaction. */
  async function record(
    input: ProgrammeStepInput,
    commandId: string,
    events: ProgrammeEvent[],
    ruleSetDate: string,
    notices: readonly Notice[] = [],
  ): Promise<ProgrammeStepResult> {
    const streamId = programmeIdOf(input.provinceCode, input.year);
    for (let attempt = 1; ; attempt += 1) {
      const version = (await readStream(deps.sql, streamId)).length;
      try {
        let enqueued = 0;
        const result = await appendToStream(
          deps.sql,
          {
            streamId,
            commandId,
            expectedVersion: version,
            actor: SYSTEM_ACTOR,
            occurredAt: input.at,
            ruleSetId: ruleSetInForce(ruleSetDate).id,
            events: events,
          },
          async (tx) => {
            if (notices.length > 0) enqueued = await deps.enqueueNotices(tx, notices);
          },
        );
        if (enqueued > 0) deps.wake?.();
        deps.log.info(
          { streamId, commandId, version: result.version, duplicate: result.duplicate },
          result.duplicate ? 'programme step already recorded' : 'programme step recorded',
        );
        return { version: result.version, duplicate: result.duplicate };
      } catch (err) {
        if (!(err instanceof WrongExpectedVersionError) || attempt >= 3) throw err;
      }
    }
  }

  return {
    /** Publishes the year's round calendar (the statutory cut-offs of the rule-set in force) as events. */
    async publishRoundCalendar(raw: ProgrammeStepInput): Promise<ProgrammeStepResult> {
      const input = parse(programmeStepInput, raw);
      const events = calendarEvents(input.provinceCode, provinceName(input.provinceCode), input.year);
      return record(input, 'calendar', events, `${input.year}-01-01`);
    },

    /**
     * Reminds each commune of the province with no case in the pipeline (an idea, a plan or a dossier in progress),
     * once a year: the list is recorded as an event and the notices are enqueued with it. Nothing after the year.
     */
    async remindIdleCommunes(raw: ProgrammeStepInput): Promise<ProgrammeStepResult & { reminded: number }> {
      const input = parse(programmeStepInput, raw);
      provinceName(input.provinceCode);
      if (input.at >= endOfProgrammeYear(input.year)) return { version: 0, duplicate: false, reminded: 0 };
      const busy = await deps.sql<{ commune_code: string }[]>`
        SELECT DISTINCT commune_code FROM cases
        WHERE province_code = ${input.provinceCode} AND stage <> ALL(${ENDED_STAGES})`;
      const busyCodes = new Set(busy.map((r) => r.commune_code));
      const communes = communesOfProvince(input.provinceCode, 'current')
        .filter((c) => !busyCodes.has(c.code))
        .map((c) => ({ code: c.code, name: c.name }));
      const notices = communes.map((commune) =>
        idleCommuneNotice({ provinceCode: input.provinceCode, year: input.year, commune, at: input.at }),
      );
      const event: ProgrammeEvent = {
        type: 'IdleCommunesReminded',
        data: { year: input.year, communes, on: localDate(input.at) },
      };
      const result = await record(input, 'reminders', [event], localDate(input.at), notices);
      return { ...result, reminded: communes.length };
    },

    /** Records the mid-year or year-end report as an event and sends it to the province's coordination office. */
    async recordProgrammeReport(raw: ProgrammeReportInput): Promise<ProgrammeStepResult & { total: number }> {
      const input = parse(programmeReportInput, raw);
      const name = provinceName(input.provinceCode);
      const { asOf } = reportSchedule(input.year).find((p) => p.point === input.point)!;
      const streamId = programmeIdOf(input.provinceCode, input.year);
      // A retry must record the figures it recorded first, not today's: the stored event wins.
      const stored = (await readStream(deps.sql, streamId)).find((e) => e.commandId === `report:${input.point}`);
      const figuresNow =
        (stored?.data as { figures?: ProgrammeFigures } | undefined)?.figures ??
        (await programmeFigures(deps.sql, input.provinceCode, input.year, asOf));
      const event: ProgrammeEvent = {
        type: 'ProgrammeReportRecorded',
        data: { year: input.year, point: input.point, asOf, figures: figuresNow },
      };
      const notice = reportNotice({
        provinceCode: input.provinceCode,
        provinceName: name,
        year: input.year,
        point: input.point,
        asOf,
        figures: figuresNow,
        at: input.at,
      });
      const result = await record(input, `report:${input.point}`, [event], asOf, [notice]);
      return { ...result, total: figuresNow.inForceTotal };
    },

    /** Writes the day's open-data files (documents/open-data.ts); idempotent: the same data gives the same files. */
    async writeOpenData(raw: { at: string }): Promise<{ files: number; rows: number }> {
      const { at } = parse(z.object({ at: z.iso.datetime() }), raw);
      return writeOpenData(deps.sql, at);
    },
  };
}
