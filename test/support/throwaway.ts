/**
 * Throw-away servers for a test run. Every run works in a folder of its own under the system's temporary folder,
 * named `ocop-run-…` and holding the id of the process that owns it. A run that is killed before its teardown
 * (kill -9, a CI time-out) leaves that folder behind with whatever it started still running; the next run sweeps such
 * folders: it stops their PostgreSQL and Temporal server and removes them. Nothing else is ever touched: a folder
 * whose owner is alive belongs to a run going on beside this one.
 *
 * The PostgreSQL cluster is created from nothing (`initdb` with the npm-shipped binaries the product already uses for
 * `npm start`), so no role, database or file left by an earlier run, or by anything else on the machine, can hide a
 * missing step of the migrations.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, stopEmbeddedPostgresAt } from '../../db/embedded';
import { freePort, stopOrphanedDevServer } from '../../temporal/dev-server';
import { isAlive } from '../../config/processes';

const PREFIX = 'ocop-run-';
const OWNER = 'owner.pid';
/** Where a run's Temporal dev server writes its process id (see `DevServerOptions.pidFile`). */
export const TEMPORAL_PID_FILE = 'temporal.pid';
const CLUSTER = 'postgres';

export interface RunFolder {
  dir: string;
  /** Removes the folder; what runs from it must have been stopped first. */
  remove(): void;
}

/** A new run folder, after sweeping the folders of runs that died. Readable by the PostgreSQL service user. */
export async function createRunFolder(label: string): Promise<RunFolder> {
  await sweepOrphanedRuns();
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${label}-`));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, OWNER), `${process.pid}\n`);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Stops what runs whose owner died left running, and removes their folders. Returns the folders swept. */
export async function sweepOrphanedRuns(): Promise<string[]> {
  const swept: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, OWNER), 'utf8').trim());
    } catch {
      continue; // being created, or not ours
    }
    if (isAlive(owner)) continue;
    await stopOrphanedDevServer(join(dir, TEMPORAL_PID_FILE), dir).catch(() => null);
    if (existsSync(join(dir, CLUSTER))) await stopEmbeddedPostgresAt(join(dir, CLUSTER, 'data')).catch(() => false);
    rmSync(dir, { recursive: true, force: true });
    swept.push(dir);
  }
  return swept;
}

export interface ThrowawayCluster {
  /** URL of the cluster's `postgres` database, as its superuser; create test databases through it. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

/** A PostgreSQL cluster initialised for this run in `runDir`, listening on a free port of 127.0.0.1. */
export async function startThrowawayCluster(runDir: string): Promise<ThrowawayCluster> {
  const port = await freePort();
  const pg = await startEmbeddedPostgres({ dir: join(runDir, CLUSTER), port });
  const adminUrl = new URL(pg.url);
  adminUrl.pathname = '/postgres';
  return { adminUrl: adminUrl.toString(), port, stop: () => pg.stop() };
}
