import { createHash } from 'node:crypto';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
  type ScheduleOverlapPolicy,
} from '@temporalio/client';
import { provinceOf, provinces } from '../domain/places';

/*
 * The Temporal Schedules of the product, created idempotently when a worker starts: one yearly programme Schedule per
 * province (`ocop-programme-<province>`, each January) and the daily open-data export (`ocop-open-data-daily`).
 *
 * One Schedule per province rather than one that fans out: an operator pauses, triggers or backfills one province's
 * year (a province onboarding late, a year to re-run for one office) without touching the others, and a province's
 * failure stays its own. The Schedules are few (34) and each fires once a year.
 */

export const OPEN_DATA_SCHEDULE_ID = 'ocop-open-data-daily';
export const programmeScheduleId = (provinceCode: string) => `ocop-programme-${provinceCode}`;
/** What every Schedule of ours is named by: the CLI lists only these. */
export const SCHEDULE_PREFIX = 'ocop-';

/** The Vietnamese description each Schedule carries (shown by `ocop schedules list`). */
export interface ScheduleDefinition {
  scheduleId: string;
  /** Vietnamese, then English. */
  description: string;
  options: ScheduleOptions;
}

export interface ScheduleSettings {
  taskQueue: string;
  /** Provinces with a programme Schedule: `all` current provinces, or these codes. @default 'all' */
  provinces?: 'all' | readonly string[];
  /** Local hour (Vietnam) of the daily open-data export. @default 2 */
  openDataHour?: number;
}

const TIMEZONE = 'Asia/Ho_Chi_Minh';
const SKIP: ScheduleOverlapPolicy = 'SKIP';

/** Thrown for a province code in PROGRAMME_PROVINCES that names no current province. */
export class UnknownProvinceError extends Error {
  constructor(readonly provinceCode: string) {
    super(`PROGRAMME_PROVINCES: no current province ${provinceCode}`);
    this.name = 'UnknownProvinceError';
  }
}

/** Every Schedule the settings call for, as it should be on the server. */
export function scheduleDefinitions(s: ScheduleSettings): ScheduleDefinition[] {
  const codes =
    s.provinces === undefined || s.provinces === 'all' ? provinces('current').map((p) => p.code) : s.provinces;
  const programmes = codes.map((code): ScheduleDefinition => {
    let name: string;
    try {
      name = provinceOf(code, 'current').name;
    } catch {
      throw new UnknownProvinceError(code);
    }
    return {
      scheduleId: programmeScheduleId(code),
      description: `Chương trình OCOP hằng năm, ${name} / yearly OCOP programme, ${name}`,
      options: {
        scheduleId: programmeScheduleId(code),
        // 01/01 at 08:00, Vietnam time: the year's calendar, reminders, then the mid-year and year-end reports.
        spec: { calendars: [{ month: 'JANUARY', dayOfMonth: 1, hour: 8, minute: 0 }], timezone: TIMEZONE },
        action: {
          type: 'startWorkflow',
          workflowType: 'programmeYear',
          workflowId: `programme-year:${code}`,
          taskQueue: s.taskQueue,
          args: [{ provinceCode: code }],
        },
        // A server down on 1 January still starts the year when it is back within the month.
        policies: { overlap: SKIP, catchupWindow: '31 days', pauseOnFailure: false },
      },
    };
  });
  const openData: ScheduleDefinition = {
    scheduleId: OPEN_DATA_SCHEDULE_ID,
    description: 'Dữ liệu mở sản phẩm OCOP hằng ngày / daily open data of OCOP products',
    options: {
      scheduleId: OPEN_DATA_SCHEDULE_ID,
      spec: { calendars: [{ hour: s.openDataHour ?? 2, minute: 0 }], timezone: TIMEZONE },
      action: {
        type: 'startWorkflow',
        workflowType: 'openDataExport',
        workflowId: 'open-data-export',
        taskQueue: s.taskQueue,
        args: [],
      },
      policies: { overlap: SKIP, catchupWindow: '1 day', pauseOnFailure: false },
    },
  };
  return [...programmes, openData];
}

/** A digest of what we set, kept in the action's memo: an unchanged definition is left alone, a changed one updated. */
function fingerprint(d: ScheduleDefinition): string {
  const { spec, action, policies } = d.options;
  return createHash('sha256')
    .update(JSON.stringify({ spec, action, policies, description: d.description }))
    .digest('hex')
    .slice(0, 32);
}

function withMemo(d: ScheduleDefinition): ScheduleOptions {
  const action = d.options.action;
  return {
    ...d.options,
    action: { ...action, memo: { ocopSchedule: fingerprint(d), description: d.description } },
  };
}

export type EnsureOutcome = 'created' | 'updated' | 'unchanged';

/**
 * Creates each Schedule that is missing and updates one whose definition changed; an existing, unchanged one is not
 * touched (its pause, note and history stay). Safe to run from every worker at once: a create that loses the race
 * finds the Schedule the winner made.
 */
export async function ensureSchedules(
  client: Client,
  settings: ScheduleSettings,
): Promise<{ scheduleId: string; outcome: EnsureOutcome }[]> {
  const results: { scheduleId: string; outcome: EnsureOutcome }[] = [];
  for (const d of scheduleDefinitions(settings)) {
    results.push({ scheduleId: d.scheduleId, outcome: await ensureOne(client, d) });
  }
  return results;
}

async function ensureOne(client: Client, d: ScheduleDefinition): Promise<EnsureOutcome> {
  const handle = client.schedule.getHandle(d.scheduleId);
  let described: ScheduleDescription | null = null;
  try {
    described = await handle.describe();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
  const wanted = withMemo(d);
  if (described === null) {
    try {
      await client.schedule.create(wanted);
      return 'created';
    } catch (err) {
      // Another worker created it in between: judge that one as an existing Schedule.
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      described = await handle.describe();
    }
  }
  const memo = (described.action as { memo?: Record<string, unknown> }).memo;
  if (memo?.ocopSchedule === fingerprint(d)) return 'unchanged';
  await handle.update((previous) => ({
    spec: wanted.spec,
    action: wanted.action,
    policies: wanted.policies ?? {},
    // The operator's pause and note are theirs: an update of the definition keeps them.
    state: previous.state,
  }));
  return 'updated';
}
