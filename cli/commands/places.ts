import { Client, Connection } from '@temporalio/client';
import type { Command } from 'commander';
import { CommandGateway } from '../../api/commands';
import { rehomeCases, type RehomingReport } from '../../api/rehoming';
import { CliError, ExitCode, config, out, printJson, withDatabase } from './shared';

const where = (p: { provinceCode: string; communeCode: string; districtCode?: string | null }): string =>
  `${p.provinceCode}/${p.districtCode ? `${p.districtCode}/` : ''}${p.communeCode}`;

export function registerPlaceCommands(program: Command): void {
  const places = program.command('places').description('administrative units and the 2025 reform');
  places
    .command('rehome')
    .description(
      'move every case of the units abolished on 01/07/2025 to their successors by the official mapping; ' +
        'a dry run unless --apply; old communes split between several new ones are listed for a decision',
    )
    .option('--apply', 'move the cases (without it, only report what would be done)')
    .option('--province <code>', 'only the cases of this old province')
    .option('--reason <text>', 'the reason recorded on each move')
    .option('--json', 'print the report as JSON')
    .action(async (options: { apply?: boolean; province?: string; reason?: string; json?: boolean }) => {
      const cfg = config();
      const address = cfg.TEMPORAL_ADDRESS ?? `127.0.0.1:${cfg.TEMPORAL_DEV_PORT}`;
      const connection = await Connection.connect({ address }).catch((err: unknown) => {
        throw new CliError(`cannot reach Temporal at ${address}: ${String(err)}`, ExitCode.Error);
      });
      try {
        const client = new Client({ connection, namespace: cfg.TEMPORAL_NAMESPACE });
        const gateway = new CommandGateway(client.workflow, cfg.TEMPORAL_TASK_QUEUE);
        const report = await withDatabase((sql) =>
          rehomeCases(sql, gateway, {
            actor: { userId: 'ocop-cli', role: 'admin', office: 'VN' },
            dryRun: !options.apply,
            province: options.province,
            reason: options.reason,
            // Progress on stderr, one line per case, so stdout stays the report.
            onProgress: (p) =>
              process.stderr.write(
                `[${p.done}/${p.total}] ${p.productId} ${where(p.from)} -> ${where(p.to)} ${p.status}\n`,
              ),
          }),
        );
        if (options.json) printJson(report);
        else printReport(report);
        if (report.moves.some((m) => m.status === 'failed')) process.exitCode = ExitCode.Failed;
      } finally {
        await connection.close();
      }
    });
}

function printReport(r: RehomingReport): void {
  const moved = r.moves.filter((m) => m.status === 'moved').length;
  const failed = r.moves.filter((m) => m.status === 'failed');
  out(
    r.dryRun
      ? `dry run: ${r.found} cases at old places; ${r.moves.length} would move, ${r.toDecide.length} to decide, ` +
          `${r.unknown.length} unknown (run again with --apply to move them)`
      : `${r.found} cases at old places; ${moved} moved, ${failed.length} failed, ${r.toDecide.length} to decide, ` +
          `${r.unknown.length} unknown`,
  );
  for (const m of r.moves)
    out(`${m.status}\t${m.productId}\t${where(m.from)} -> ${where(m.to)}${m.error ? `\t${m.error}` : ''}`);
  for (const d of r.toDecide) {
    out(`decide\t${d.productId}\t${where(d.from)} -> one of ${d.candidates.map(where).join(', ')}`);
  }
  for (const u of r.unknown) out(`unknown\t${u.productId}\t${where(u.from)}`);
}
