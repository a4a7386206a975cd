import { join } from 'node:path';
import postgres from 'postgres';
import Postgrator from 'postgrator';
import { migrationsDir } from '../config/paths';

/** The one database access module: connections, migrations and database lifecycle. */
export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;

/** The role the application works as: SELECT and INSERT on the event store, nothing more (see migration 001). */
export const APP_ROLE = 'ocop_app';
/** The login role `npm start` gives the application on its embedded PostgreSQL (a member of APP_ROLE). */
export const EMBEDDED_APP_LOGIN = 'ocop_app_login';

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
export async function migrate(
  url: string,
  options: {
    /**
     * The application's own URL (DATABASE_URL) when it logs in as another user than the owner: that user is created
     * or updated as a login role holding only the application role's grants (`ensureLoginRole`).
     */
    appUrl?: string;
  } = {},
): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await ensureAppRole(sql);
    if (options.appUrl) await ensureLoginRole(sql, options.appUrl);
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
 * Runs a change of cluster-wide roles again when a concurrent migrator (of another database: advisory locks are per
 * database, so nothing serializes them) won a race on the same catalog row: its commit makes ours fail with a unique
 * violation or a duplicate object, or, for an ALTER ROLE of the same role, "tuple concurrently updated".
 */
async function retryingRoleRace(work: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await work();
      return;
    } catch (err) {
      const { code, message } = err as { code?: string; message?: string };
      const race = (code && CONCURRENT_CREATE.has(code)) || /tuple concurrently updated/.test(message ?? '');
      if (!race || attempt >= 5) throw err;
    }
  }
}

/** Thrown when DATABASE_URL's user cannot be made the application's least-privileged login role. */
export class LoginRoleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoginRoleError';
  }
}

/**
 * The application's login role, named by the user and password of its URL: created if missing, its password set,
 * no attribute beyond LOGIN, and a member of the application role, whose grants it inherits. It owns nothing, so it
 * can neither alter a table nor drop the triggers that keep events append-only, and its only role to SET is the
 * application role (`SET ROLE NONE` leaves it itself). A user that is a superuser, or owns anything in this
 * database, is refused rather than demoted. Returns the role's name, or null when the URL names the owner itself.
 */
export async function ensureLoginRole(owner: Sql, appUrl: string): Promise<string | null> {
  const url = new URL(appUrl);
  const name = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const [me] = await owner<{ user: string }[]>`SELECT current_user AS user`;
  if (!name || name === me?.user) return null;
  if (!password) throw new LoginRoleError(`DATABASE_URL names the user ${name} without a password`);
  const [existing] = await owner<{ super: boolean; owns: boolean }[]>`
    SELECT r.rolsuper AS super,
           EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid)
             OR EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspowner = r.oid)
             OR EXISTS (SELECT 1 FROM pg_proc p WHERE p.proowner = r.oid)
             OR EXISTS (SELECT 1 FROM pg_database d WHERE d.datdba = r.oid AND d.datname = current_database()) AS owns
      FROM pg_roles r WHERE r.rolname = ${name}`;
  if (existing?.super || existing?.owns) {
    throw new LoginRoleError(
      `DATABASE_URL's user ${name} is ${existing.super ? 'a superuser' : 'the owner of objects in this database'}; ` +
        'the application needs a login role of its own (another user name), which migrations create.',
    );
  }
  const ident = quoteIdent(name);
  await retryingRoleRace(() =>
    owner.unsafe(`DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${quoteLiteral(name)}) THEN
    CREATE ROLE ${ident} LOGIN;
  END IF;
END
$$`),
  );
  await retryingRoleRace(() =>
    owner.unsafe(
      `ALTER ROLE ${ident} WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS ` +
        `PASSWORD ${quoteLiteral(password)}`,
    ),
  );
  await retryingRoleRace(() => owner.unsafe(`GRANT ${APP_ROLE} TO ${ident}`));
  return name;
}

/**
 * The application role and the migrating user's membership of it, which migration 001 expects. Roles are shared by
 * every database of a cluster, so another process may create them between our check and our insert: its commit
 * makes ours fail with a unique violation, and the next attempt finds the role.
 */
export async function ensureAppRole(sql: Sql): Promise<void> {
  await retryingRoleRace(() =>
    sql.unsafe(`DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
    CREATE ROLE ${APP_ROLE} NOLOGIN;
  END IF;
  IF NOT pg_has_role(current_user, '${APP_ROLE}', 'MEMBER') THEN
    EXECUTE format('GRANT ${APP_ROLE} TO %I', current_user);
  END IF;
END
$$`),
  );
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

/** A string literal for DDL, which takes no parameters (standard_conforming_strings: backslashes are plain). */
function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
