import { basename } from 'node:path';
import type { Command } from 'commander';
import { migrate } from '../../db';
import { backupDatabase, PgToolsMissingError, restoreDatabase } from '../../db/backup';
import { CliError, config, databaseUrl, ExitCode, out } from './shared';

/** A missing pg_dump / pg_restore is the operator's to install: a usage error saying how. */
const toolsMissing = (err: unknown): never => {
  if (err instanceof PgToolsMissingError) throw new CliError(err.message, ExitCode.Usage);
  throw err;
};

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database schema');
  db.command('migrate')
    .description(
      'apply the SQL migrations in db/migrations as the database owner (DATABASE_OWNER_URL, else DATABASE_URL); ' +
        "with both set, DATABASE_URL's user is made the application's login role",
    )
    .action(async () => {
      const cfg = config();
      const app = databaseUrl(cfg);
      const owner = cfg.DATABASE_OWNER_URL ?? app;
      const applied = await migrate(owner, { appUrl: owner === app ? undefined : app });
      out(applied.length ? `applied ${applied.map((f) => basename(f)).join(', ')}` : 'database schema is up to date');
    });

  db.command('backup')
    .description(
      'dump the whole database (as DATABASE_OWNER_URL, else DATABASE_URL) with pg_dump in its custom format; ' +
        'restore it with `db restore`, then check it with `audit verify`',
    )
    .requiredOption('--file <path>', 'the dump to write')
    .action(async (o: { file: string }) => {
      const cfg = config();
      const url = cfg.DATABASE_OWNER_URL ?? databaseUrl(cfg);
      const done = await backupDatabase(url, o.file, { binDir: cfg.PG_BIN_DIR }).catch(toolsMissing);
      out(`backed up to ${done.file} (${done.bytes} bytes, ${done.tool})`);
    });
  db.command('restore')
    .description(
      'restore a `db backup` dump into a new (or empty) database, in one transaction; then run `audit verify` and ' +
        '`projections rebuild` against it',
    )
    .requiredOption('--file <path>', 'the dump to read')
    .requiredOption('--into <url>', "the new database's URL, as a user that may create it (its owner)")
    .action(async (o: { file: string; into: string }) => {
      const done = await restoreDatabase(o.file, o.into, { binDir: config().PG_BIN_DIR }).catch(toolsMissing);
      out(`restored ${o.file} into ${new URL(o.into).pathname.slice(1)} (${done.tool})`);
    });
}
