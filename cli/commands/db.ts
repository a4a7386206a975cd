import { basename } from 'node:path';
import type { Command } from 'commander';
import { migrate } from '../../db';
import { config, databaseUrl, out } from './shared';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database schema');
  db.command('migrate')
    .description('apply the SQL migrations in db/migrations (as the database owner in DATABASE_URL)')
    .action(async () => {
      const applied = await migrate(databaseUrl(config()));
      out(applied.length ? `applied ${applied.map((f) => basename(f)).join(', ')}` : 'database schema is up to date');
    });
}
