import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../../config';
import { Client, Connection } from '@temporalio/client';
import { connect, type Sql } from '../../db';

/** Exit codes scripts can rely on (documented in cli/README.md). */
export const ExitCode = {
  /** Everything checked out. */
  Ok: 0,
  /** The check ran and found a problem: a broken chain, a bad bundle, a determinism violation. */
  Failed: 1,
  /** Bad arguments or configuration: nothing was checked. */
  Usage: 2,
  /** The command could not complete: database or Temporal unreachable, an unexpected error. */
  Error: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Thrown by a command to stop with a message and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function config(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, ExitCode.Usage);
    throw err;
  }
}

/** DATABASE_URL, or a message that says how to get one. */
export function databaseUrl(cfg: Config): string {
  if (cfg.DATABASE_URL) return cfg.DATABASE_URL;
  const embedded = join(cfg.OCOP_DATA_DIR, 'postgres');
  const hint = existsSync(embedded)
    ? `An embedded database exists under ${embedded}: start it with \`npm start\` and set DATABASE_URL to the ` +
      'PostgreSQL URL it prints.'
    : 'Set it to the PostgreSQL URL of the ocop-cycle database, e.g. postgres://user:password@host:5432/ocop.';
  throw new CliError(`DATABASE_URL is not set. ${hint}`, ExitCode.Usage);
}

/** Runs `work` with a pool on the configured database, as the application role, and closes it afterwards. */
export async function withDatabase<T>(work: (sql: Sql, cfg: Config) => Promise<T>): Promise<T> {
  const cfg = config();
  const sql = connect(databaseUrl(cfg), { max: 2 });
  try {
    return await work(sql, cfg);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Runs `work` with a client of the configured Temporal (TEMPORAL_ADDRESS, or `npm start`'s dev server). */
export async function withTemporal<T>(work: (client: Client, cfg: Config) => Promise<T>): Promise<T> {
  const cfg = config();
  const address = cfg.TEMPORAL_ADDRESS ?? `127.0.0.1:${cfg.TEMPORAL_DEV_PORT}`;
  const connection = await Connection.connect({ address }).catch((err: unknown) => {
    throw new CliError(
      `không kết nối được Temporal / cannot reach Temporal at ${address}: ${String(err)}`,
      ExitCode.Error,
    );
  });
  try {
    return await work(new Client({ connection, namespace: cfg.TEMPORAL_NAMESPACE }), cfg);
  } finally {
    await connection.close();
  }
}

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`not a positive integer: ${value}`, ExitCode.Usage);
  return n;
}

export interface Progress {
  update(done: number, total: number): void;
  finish(): void;
}

/**
 * A progress bar on stderr when it is a terminal; otherwise a line every few seconds, so logs of a scheduled run
 * still show it moving. stdout stays clean for results.
 */
export function progress(label: string, unit: string): Progress {
  const started = performance.now();
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  let last = { done: 0, total: 0 };
  const line = (done: number, total: number) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const filled = Math.round(ratio * width);
    const bar = tty ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    // The time left at the rate so far, once there is a rate to go by.
    const left = done > 0 && total > done ? ((total - done) * seconds) / done : null;
    const eta = left === null ? '' : ` ETA ${formatDuration(left)}`;
    return `${label} ${bar}${(ratio * 100).toFixed(0)}% ${done}/${total} ${unit} ${rate}/s${eta}`;
  };
  return {
    update(done, total) {
      last = { done, total };
      const now = performance.now();
      if (tty) {
        if (now - lastLine < 100) return;
        lastLine = now;
        process.stderr.write(`\r${line(done, total)}`);
      } else if (now - lastLine >= 5000) {
        lastLine = now;
        process.stderr.write(`${line(done, total)}\n`);
      }
    },
    finish() {
      process.stderr.write(tty ? `\r${line(last.done, last.total)}\n` : `${line(last.done, last.total)}\n`);
    },
  };
}

/** `1h02m`, `3m05s`, `42s`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h${pad(m)}m`;
  if (m > 0) return `${m}m${pad(s % 60)}s`;
  return `${s}s`;
}

const VIETNAM_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** An instant as people in Vietnam read it: `dd/MM/yyyy HH:mm`, Asia/Ho_Chi_Minh. JSON output keeps ISO-8601 UTC. */
export function vietnamTime(instant: string | Date): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(date.getTime())) return String(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    VIETNAM_TIME.formatToParts(date).find((p) => p.type === type)!.value;
  return `${part('day')}/${part('month')}/${part('year')} ${part('hour')}:${part('minute')}`;
}
