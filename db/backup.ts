/**
 * Backup and restore of the product's database with PostgreSQL's own tools (README, "Runbook"): `pg_dump` in its
 * custom format, and `pg_restore` into a fresh database in one transaction. A pg_dump refuses a server newer than
 * itself, so the tools are looked for at least as new as the server: PG_BIN_DIR, the pinned ones
 * (`node scripts/install-pg-client.mjs`, into .tools/), the machine's /usr/lib/postgresql/<n>/bin, the PATH.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { productRoot } from '../config/paths';
import { createDatabase, ensureAppRole } from './index';

const run = promisify(execFile);

/** Thrown when no pg_dump / pg_restore at least as new as the server is found. */
export class PgToolsMissingError extends Error {
  constructor(
    public readonly tool: string,
    public readonly serverMajor: number,
    public readonly tried: string[],
  ) {
    super(
      `no ${tool} of PostgreSQL ${serverMajor} or newer (tried ${tried.join(', ') || 'nothing'}): run ` +
        '`node scripts/install-pg-client.mjs`, or set PG_BIN_DIR to the bin folder of PostgreSQL ' +
        `${serverMajor}'s client tools`,
    );
    this.name = 'PgToolsMissingError';
  }
}

/** The server's major version (18 for 18.4). */
export async function serverMajor(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await sql<{ v: string }[]>`SELECT current_setting('server_version_num') AS v`;
    return Math.floor(Number(row!.v) / 10_000);
  } finally {
    await sql.end();
  }
}

/** Where the tools are looked for. @default none: the pinned ones, the machine's, the PATH */
export interface PgToolsOptions {
  /** PG_BIN_DIR: a bin folder tried first. */
  binDir?: string;
}

function candidateDirs(options: PgToolsOptions): string[] {
  const dirs: string[] = [];
  if (options.binDir) dirs.push(options.binDir);
  const pinned = join(productRoot, '.tools', 'postgresql-client');
  const newestFirst = (names: string[]) => names.sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
  if (existsSync(pinned)) {
    for (const v of newestFirst(readdirSync(pinned)))
      dirs.push(join(pinned, v, 'embedded_postgres', 'pginstall', 'bin'));
  }
  if (existsSync('/usr/lib/postgresql')) {
    for (const v of newestFirst(readdirSync('/usr/lib/postgresql'))) dirs.push(join('/usr/lib/postgresql', v, 'bin'));
  }
  return dirs;
}

/** The path of `tool` (pg_dump, pg_restore) of PostgreSQL `major` or newer. */
export async function pgTool(
  tool: 'pg_dump' | 'pg_restore',
  major: number,
  options: PgToolsOptions = {},
): Promise<string> {
  const tried: string[] = [];
  for (const path of [...candidateDirs(options).map((d) => join(d, tool)), tool]) {
    if (path !== tool && !existsSync(path)) continue;
    try {
      const { stdout } = await run(path, ['--version']);
      const found = Number(/(\d+)(?:\.\d+)?/.exec(stdout)?.[1]);
      tried.push(`${path} (${found})`);
      if (found >= major) return path;
    } catch {
      // not on the PATH
    }
  }
  throw new PgToolsMissingError(tool, major, tried);
}

/** libpq's environment for a URL, so that its password is never on a command line. */
function libpqEnv(url: string): { env: NodeJS.ProcessEnv; database: string } {
  const u = new URL(url);
  return {
    database: decodeURIComponent(u.pathname.slice(1)) || 'postgres',
    env: {
      ...process.env,
      PGHOST: u.hostname,
      PGPORT: u.port || '5432',
      PGUSER: decodeURIComponent(u.username),
      PGPASSWORD: decodeURIComponent(u.password),
      ...(u.searchParams.get('sslmode') ? { PGSSLMODE: u.searchParams.get('sslmode')! } : {}),
    },
  };
}

export interface BackupResult {
  file: string;
  bytes: number;
  /** The pg_dump that made it. */
  tool: string;
}

/** Dumps the whole database at `url` (its owner's URL) into `file`, in pg_dump's custom format. */
export async function backupDatabase(url: string, file: string, options: PgToolsOptions = {}): Promise<BackupResult> {
  const tool = await pgTool('pg_dump', await serverMajor(url), options);
  const { env, database } = libpqEnv(url);
  await run(tool, ['--format=custom', '--file', file, '--dbname', database], { env, maxBuffer: 16 << 20 });
  return { file, bytes: statSync(file).size, tool };
}

/**
 * Restores a dump into the database at `url`, which must be new or empty: created if missing, the application role
 * made first (its grants are in the dump), then everything in one transaction, owned by the restoring user. The
 * application's login role is the cluster's: `ocop db migrate` with DATABASE_OWNER_URL makes it on a new server.
 */
export async function restoreDatabase(
  file: string,
  url: string,
  options: PgToolsOptions = {},
): Promise<{ tool: string }> {
  const server = Object.assign(new URL(url), { pathname: '/postgres' }).toString();
  const tool = await pgTool('pg_restore', await serverMajor(server), options);
  await createDatabase(url);
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await ensureAppRole(sql);
  } finally {
    await sql.end();
  }
  const { env, database } = libpqEnv(url);
  await run(tool, ['--single-transaction', '--exit-on-error', '--no-owner', '--dbname', database, file], {
    env,
    maxBuffer: 16 << 20,
  });
  return { tool };
}
