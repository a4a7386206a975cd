/**
 * `npm run ocop -- <command>`: the operator's and auditor's command line. Exit codes: 0 ok, 1 a check failed,
 * 2 usage or configuration error, 3 could not complete (see cli/README.md).
 */
import { Command, CommanderError } from 'commander';
import { registerAuditCommands } from './commands/audit';
import { registerDbCommands } from './commands/db';
import { registerImportCommands } from './commands/import';
import { registerKeyCommands } from './commands/keys';
import { registerNotificationCommands } from './commands/notifications';
import { registerPlaceCommands } from './commands/places';
import { registerProjectionCommands } from './commands/projections';
import { registerScheduleCommands } from './commands/schedules';
import { CliError, ExitCode } from './commands/shared';

const program = new Command('ocop')
  .description(
    'ocop-cycle: database, audit, read-model, notification, place, signing-key, schedule and import commands',
  )
  .exitOverride()
  .showHelpAfterError();
registerDbCommands(program);
registerAuditCommands(program);
registerProjectionCommands(program);
registerNotificationCommands(program);
registerPlaceCommands(program);
registerKeyCommands(program);
registerScheduleCommands(program);
registerImportCommands(program);

async function main(): Promise<number> {
  try {
    await program.parseAsync(process.argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    if (err instanceof CliError) {
      process.stderr.write(`ocop: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`ocop: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return ExitCode.Error;
  }
}

const code = await main();
// Exit once what was written reached the pipe: a piped stdout is written asynchronously, and process.exit would cut
// a long answer (a --json list) short.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
