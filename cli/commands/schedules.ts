import { ScheduleNotFoundError, type Client, type ScheduleDescription } from '@temporalio/client';
import type { Command } from 'commander';
import { assertLocalDate, endOfLocalDay, startOfLocalDay } from '../../domain/calendar';
import { SCHEDULE_PREFIX, scheduleDefinitions } from '../../temporal/schedules';
import { CliError, ExitCode, out, printJson, vietnamTime, withTemporal } from './shared';
import type { Config } from '../../config';

/*
 * `ocop schedules`: the Temporal Schedules of the yearly programme (one per province) and of the daily open data
 * (temporal/schedules.ts). Output in Vietnamese first, then English; `--json` keeps ISO-8601 UTC.
 */

interface Listed {
  scheduleId: string;
  description: string | null;
  paused: boolean;
  note: string | null;
  nextActionTimes: string[];
  lastActionAt: string | null;
  actions: number;
}

function listed(scheduleId: string, d: ScheduleDescription): Listed {
  const memo = (d.action as { memo?: Record<string, unknown> }).memo;
  const recent = d.info.recentActions.at(-1);
  return {
    scheduleId,
    description: typeof memo?.description === 'string' ? memo.description : null,
    paused: d.state.paused,
    note: d.state.note ?? null,
    nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    lastActionAt: recent ? recent.takenAt.toISOString() : null,
    actions: d.info.numActionsTaken,
  };
}

async function describe(client: Client, scheduleId: string): Promise<ScheduleDescription> {
  try {
    return await client.schedule.getHandle(scheduleId).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError)
      throw new CliError(`không có lịch / no schedule ${scheduleId} (ocop schedules list)`, ExitCode.Failed);
    throw err;
  }
}

/** Ours: those the configuration defines, and any other `ocop-` Schedule the server holds. */
async function scheduleIds(client: Client, cfg: Config): Promise<string[]> {
  const ids = new Set(
    scheduleDefinitions({ taskQueue: cfg.TEMPORAL_TASK_QUEUE, provinces: cfg.PROGRAMME_PROVINCES }).map(
      (d) => d.scheduleId,
    ),
  );
  for await (const s of client.schedule.list()) if (s.scheduleId.startsWith(SCHEDULE_PREFIX)) ids.add(s.scheduleId);
  return [...ids].sort();
}

/** `dd/MM/yyyy` as people write a date, to `YYYY-MM-DD`; a usage error otherwise. */
export function parseVietnameseDate(value: string, option: string): string {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value);
  const iso = m ? `${m[3]}-${m[2]}-${m[1]}` : '';
  try {
    assertLocalDate(iso);
  } catch {
    throw new CliError(
      `${option}: ngày phải có dạng dd/MM/yyyy / must be a date as dd/MM/yyyy, got ${value}`,
      ExitCode.Usage,
    );
  }
  return iso;
}

export function registerScheduleCommands(program: Command): void {
  const schedules = program
    .command('schedules')
    .description('lịch Temporal: chương trình hằng năm, dữ liệu mở / Temporal Schedules: yearly programme, open data');
  schedules
    .command('list')
    .description('mọi lịch với trạng thái và lần chạy tới / every schedule with its state and next run')
    .option('--json', 'print the schedules as JSON')
    .action(async (options: { json?: boolean }) => {
      await withTemporal(async (client, cfg) => {
        const found: Listed[] = [];
        for (const id of await scheduleIds(client, cfg)) {
          try {
            found.push(listed(id, await client.schedule.getHandle(id).describe()));
          } catch (err) {
            if (!(err instanceof ScheduleNotFoundError)) throw err;
          }
        }
        if (options.json) return printJson(found);
        if (found.length === 0) {
          out('Chưa có lịch nào; worker tạo chúng khi khởi động. / No schedule yet; a worker creates them at start.');
          return;
        }
        out('lịch / schedule\ttrạng thái / state\tlần tới / next\tlần gần nhất / last\tmô tả / description');
        for (const s of found) {
          const state = s.paused ? `tạm dừng / paused${s.note ? ` (${s.note})` : ''}` : 'đang chạy / active';
          const next = s.nextActionTimes[0] ? vietnamTime(s.nextActionTimes[0]) : '-';
          const last = s.lastActionAt ? vietnamTime(s.lastActionAt) : '-';
          out(`${s.scheduleId}\t${state}\t${next}\t${last}\t${s.description ?? '-'}`);
        }
      });
    });
  const pausing = [
    {
      verb: 'pause',
      description: 'tạm dừng một lịch / pause a schedule',
      note: 'tạm dừng bằng ocop schedules pause',
      done: 'Đã tạm dừng lịch / paused schedule',
    },
    {
      verb: 'unpause',
      description: 'chạy lại một lịch đã tạm dừng / unpause a schedule',
      note: 'chạy lại bằng ocop schedules unpause',
      done: 'Đã chạy lại lịch / unpaused schedule',
    },
  ] as const;
  for (const p of pausing) {
    schedules
      .command(`${p.verb} <id>`)
      .description(p.description)
      .option('--note <text>', 'ghi chú, lý do / note, why')
      .action(async (id: string, options: { note?: string }) => {
        await withTemporal(async (client) => {
          await describe(client, id);
          const handle = client.schedule.getHandle(id);
          await (p.verb === 'pause' ? handle.pause(options.note ?? p.note) : handle.unpause(options.note ?? p.note));
          out(`${p.done} ${id}`);
        });
      });
  }
  schedules
    .command('trigger <id>')
    .description('chạy lịch ngay một lần / run the schedule’s action once, now')
    .action(async (id: string) => {
      await withTemporal(async (client) => {
        await describe(client, id);
        await client.schedule.getHandle(id).trigger('SKIP');
        out(`Đã chạy lịch / triggered schedule ${id} (${vietnamTime(new Date())})`);
      });
    });
  schedules
    .command('backfill <id>')
    .description('chạy bù các lần của lịch trong một khoảng ngày / run the schedule’s actions of a past period')
    .requiredOption('--from <dd/MM/yyyy>', 'ngày đầu / first day (Vietnam time)')
    .requiredOption('--to <dd/MM/yyyy>', 'ngày cuối / last day (Vietnam time)')
    .action(async (id: string, options: { from: string; to: string }) => {
      const from = parseVietnameseDate(options.from, '--from');
      const to = parseVietnameseDate(options.to, '--to');
      if (to < from) throw new CliError('--to: trước --from / before --from', ExitCode.Usage);
      await withTemporal(async (client) => {
        await describe(client, id);
        await client.schedule.getHandle(id).backfill({
          start: new Date(startOfLocalDay(from)),
          end: new Date(endOfLocalDay(to)),
          // A year already run is not run twice anyway: the programme's id is its province and year.
          overlap: 'ALLOW_ALL',
        });
        out(`Đã chạy bù lịch / backfilled schedule ${id}: ${options.from} – ${options.to}`);
      });
    });
}
