import type { Command } from 'commander';
import { rebuildProjections } from '../../db/projections';
import { out, parsePositiveInt, printJson, progress, withDatabase } from './shared';

export function registerProjectionCommands(program: Command): void {
  const projections = program.command('projections').description('read models (cases, certificates, counts)');
  projections
    .command('rebuild')
    .description('replay the whole event store into fresh read models, in one transaction')
    .option('--batch-size <n>', 'events read per query', parsePositiveInt, 5000)
    .option('--json', 'print the result as JSON')
    .action(async (options: { batchSize: number; json?: boolean }) => {
      await withDatabase(async (sql) => {
        const bar = progress('rebuild', 'events');
        const result = await rebuildProjections(sql, {
          batchSize: options.batchSize,
          onProgress: (p) => bar.update(p.events, p.totalEvents),
        });
        bar.finish();
        if (options.json) return printJson(result);
        out(
          `rebuilt ${result.cases} cases, ${result.certificates} certificates and ${result.countRows} count rows ` +
            `from ${result.events} events in ${result.seconds.toFixed(1)} s (${result.eventsPerSecond} events/s)`,
        );
        if (result.skippedStreams > 0) out(`skipped ${result.skippedStreams} streams that are not product cases`);
      });
    });
}
