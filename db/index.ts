import { join } from 'node:path';
import postgres from 'postgres';
import Postgrator from 'postgrator';
import { migrationsDir } from '../config/paths';

/** The one database access module: connections, migrations and database lifecycle. */
export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;

/** The role the application works as: SELECT and INSERT on the event store, nothing more (see migration 001). */
export const APP_ROLE = 'ocop_app';

export interface ConnectOptions {
  /** Pool size. @default 10 */
  max?: number;
  /** Work as the restricted application role. @default true */
  asAppRole?: boolean;
  /** postgres.js `onnotice`; silenced by default (migrations print NOTICEs). */
  onnotice?: (notice: postgres.Notice) => void;
}

export function connect(url: string, options: ConnectOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    onnotice: options.onnotice ?? (() => undefined),
    connection: options.asAppRole === false ? {} : { role: APP_ROLE },
    // Timestamps come back as JavaScript Dates; dates (no time) stay plain 'YYYY-MM-DD' strings.
    types: { date: { to: 1082, from: [1082], serialize: (x: string) => x, parse: (x: string) => x } },
  });
}

/** Answers once PostgreSQL has answered a query on this connection pool (the health check's probe). */
export async function ping(sql: Sql): Promise<void> {
  await sql`SELECT 1`;
}

/**
 * Applies the versioned SQL files in db/migrations. Callers migrating the same database wait on an advisory lock;
 * the cluster-wide application role is created first by `ensureAppRole`, which tolerates a concurrent creator
 * (advisory locks are per database, so two databases of one cluster migrating at once would both create it).
 */
export async function migrate(url: string): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await ensureAppRole(sql);
    const database = new URL(url).pathname.slice(1) || 'postgres';
    return await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtext('ocop-cycle migrations'))`;
      const postgrator = new Postgrator({
        migrationPattern: join(migrationsDir, '*.sql'),
        driver: 'pg',
        database,
        schemaTable: 'schemaversion',
        execQuery: async (query: string) => ({ rows: await tx.unsafe(query) }),
      });
      const applied = await postgrator.migrate();
      return applied.map((m) => m.filename);
    });
  } finally {
    await sql.end();
  }
}

/** SQLSTATEs of a concurrent creator winning the race: unique_violation on a catalog index, duplicate_object. */
const CONCURRENT_CREATE = new Set(['23505', '42710']);

/**
 * The application role and the migrating user's membership of it, which migration 001 expects. Roles are shared by
 * every database of a cluster, so another process may create them between our check and our insert: its commit
 * makes ours fail with a unique violation, and the next attempt finds the role.
 */
export async function ensureAppRole(sql: Sql): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await sql.unsafe(`DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
    CREATE ROLE ${APP_ROLE} NOLOGIN;
  END IF;
  IF NOT pg_has_role(current_user, '${APP_ROLE}', 'MEMBER') THEN
    EXECUTE format('GRANT ${APP_ROLE} TO %I', current_user);
  END IF;
END
$$`);
      return;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (!code || !CONCURRENT_CREATE.has(code) || attempt >= 5) throw err;
    }
  }
}

/** Creates a database if it does not exist, through a connection to the server's `postgres` database. */
export async function createDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => undefined });
  try {
    const [exists] = await sql`SELECT 1 FROM pg_database WHERE datname = ${name}`;
    if (!exists) {
      // Two replicas starting together may both find it missing: the loser's duplicate_database is success.
      await sql.unsafe(`CREATE DATABASE ${quoteIdent(name)}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04' && err.code !== '23505') throw err;
      });
    }
  } finally {
    await sql.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => undefined });
  try {
    await sql.unsafe(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  } finally {
    await sql.end();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
