import type { Command } from 'commander';
import { READ_MODELS, rebuildReadModels } from '../../read-models/registry';
import { out, parsePositiveInt, printJson, progress, withDatabase } from './shared';

export function registerProjectionCommands(program: Command): void {
  const projections = program
    .command('projections')
    .description(`read models (${READ_MODELS.flatMap((m) => m.tables).join(', ')})`);
  projections
    .command('rebuild')
    .description('replay the whole event store into fresh read models, in one transaction')
    .option('--batch-size <n>', 'events read per query', parsePositiveInt, 5000)
    .option('--json', 'print the result as JSON')
    .action(async (options: { batchSize: number; json?: boolean }) => {
      await withDatabase(async (sql) => {
        const bar = progress('rebuild', 'events');
        const result = await rebuildReadModels(sql, {
          batchSize: options.batchSize,
          onProgress: (p) => bar.update(p.events, p.totalEvents),
        });
        bar.finish();
        if (options.json) return printJson(result);
        const rows = Object.entries(result.rows).map(([table, n]) => `${n} ${table}`);
        out(
          `rebuilt ${rows.join(', ')} (rows) from ${result.events} events of ${result.streams} streams in ` +
            `${result.seconds.toFixed(1)} s (${result.eventsPerSecond} events/s)`,
        );
        if (result.skippedStreams > 0) out(`skipped ${result.skippedStreams} streams that no read model holds`);
      });
    });
}
