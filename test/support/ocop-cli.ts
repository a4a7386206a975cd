import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** What a run of the `ocop` CLI gave: its exit code and its two streams. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run ocop -- <args>` as an operator would, from the sources, with these settings over the environment. */
export function runOcop(args: string[], env: Record<string, string>, timeoutMs = 90_000): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/ocop.ts', ...args],
      {
        cwd: join(import.meta.dirname, '..', '..'),
        env: { ...process.env, LOG_LEVEL: 'error', ...env },
        timeout: timeoutMs,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}
