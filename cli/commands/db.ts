import { basename } from 'node:path';
import type { Command } from 'commander';
import { migrate } from '../../db';
import { config, databaseUrl, out } from './shared';

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
}
