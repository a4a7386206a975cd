import { defineSearchAttributeKey, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { proxyActivities, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { localDate } from '../domain/calendar';
import { endOfProgrammeYear, programmeIdOf, reportSchedule } from '../domain/programme';

/*
 * The yearly programme (issue 19) and the daily open data (issue 20), both started by Temporal Schedules
 * (temporal/schedules.ts). A province's Schedule starts `programmeYear` each January; it names the year from the
 * Schedule's own time and starts the programme of that province and year under the id `programme:<province>:<year>`,
 * at most once (a second trigger, or a backfill of a year already run, finds it and starts nothing).
 */

const activities = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  // A database outage delays a step, never loses it; the steps are idempotent (fixed command ids).
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Set by a Schedule on every workflow it starts: the nominal time of the action (a backfill's past time too). */
const ScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', 'DATETIME');

export interface ProgrammeYearInput {
  provinceCode: string;
}

export interface ProgrammeYearResult {
  year: number;
  workflowId: string;
  /** False when that year's programme had been started already. */
  started: boolean;
}

/** The Schedule's action: the programme of the province for the year (Vietnam time) of the scheduled instant. */
export async function programmeYear(input: ProgrammeYearInput): Promise<ProgrammeYearResult> {
  const info = workflowInfo();
  const scheduled = info.typedSearchAttributes.get(ScheduledStartTime) ?? info.startTime;
  const year = Number(localDate(scheduled.toISOString()).slice(0, 4));
  const workflowId = programmeIdOf(input.provinceCode, year);
  try {
    await startChild(programme, {
      workflowId,
      args: [{ provinceCode: input.provinceCode, year }],
      // The programme outlives this starter, and runs once per province and year whatever triggers it again.
      parentClosePolicy: 'ABANDON',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return { year, workflowId, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { year, workflowId, started: false };
    throw err;
  }
}

export interface ProgrammeInput {
  provinceCode: string;
  year: number;
}

export interface ProgrammeResult {
  reminded: number;
  reports: { point: string; total: number }[];
}

/**
 * A province's programme for a year: the round calendar, the reminders to idle communes (while the year lasts), then
 * a timer to the end of 30/06 and one to the end of 31/12 (Vietnam time), each followed by its report. A point already
 * past when the programme reaches it (a backfilled year) is reported at once.
 */
export async function programme(input: ProgrammeInput): Promise<ProgrammeResult> {
  const step = { provinceCode: input.provinceCode, year: input.year };
  const now = () => new Date().toISOString();
  await activities.publishRoundCalendar({ ...step, at: now() });
  const reminded =
    now() < endOfProgrammeYear(input.year) ? (await activities.remindIdleCommunes({ ...step, at: now() })).reminded : 0;
  const reports: ProgrammeResult['reports'] = [];
  for (const { point, at } of reportSchedule(input.year)) {
    const wait = Date.parse(at) - Date.now();
    if (wait > 0) await sleep(wait);
    const { total } = await activities.recordProgrammeReport({ ...step, point, at: now() });
    reports.push({ point, total });
  }
  return { reminded, reports };
}

/** The daily open-data export's action: writes the files of certified products as of today. */
export async function openDataExport(): Promise<{ files: number; rows: number }> {
  // The files say what is true when the export runs (a backfilled day too): the records keep no past states to export.
  return activities.writeOpenData({ at: new Date().toISOString() });
}
