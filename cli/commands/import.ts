import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Command } from 'commander';
import { CommandGateway, CommandService } from '../../api/commands';
import type { Principal } from '../../api/auth';
import { connect } from '../../db';
import { UnreadableFileError } from '../../imports/read';
import {
  createImport,
  dryRunImport,
  ImportNotFoundError,
  importSummary,
  runImport,
  type ImportSummary,
} from '../../imports/run';
import { importTemplateCsv, importTemplateXlsx } from '../../imports/template';
import { CliError, config, databaseUrl, ExitCode, out, parsePositiveInt, printJson, progress } from './shared';

/** The operator imports as a nationwide administrator; the decider still checks every row. */
const OPERATOR: Principal = { sub: 'ocop-cli-import', role: 'admin', jurisdiction: 'VN' };

interface ImportFlags {
  dryRun?: boolean;
  province?: string;
  resume?: string;
  concurrency: string;
  json?: boolean;
}

/** `ocop import <file>`: a province's records from its spreadsheet (imports/), and `ocop import template <out>`. */
export function registerImportCommands(program: Command): void {
  const command = program
    .command('import')
    .description(
      'import a province’s records (certified products, dossiers in progress, notice recipients) from a CSV or ' +
        '.xlsx file: --dry-run reports every row’s problems and records nothing; an interrupted import continues ' +
        'with --resume <id>',
    )
    .argument('[file]', 'the .csv or .xlsx file (columns: README "Importing a province")')
    .option('--dry-run', 'check every row and report its problems; record nothing')
    .option('--province <code>', 'only rows of this province (others are refused)')
    .option('--resume <id>', 'continue an import that stopped, from its pending rows (no file needed)')
    .option('--concurrency <n>', 'rows sent at once', '8')
    .option('--json', 'print the report as JSON')
    .action(async (file: string | undefined, o: ImportFlags) => {
      if (o.province !== undefined && !/^\d{2}$/.test(o.province))
        throw new CliError(`--province: a province code of two digits, not ${o.province}`, ExitCode.Usage);
      if (!file && !o.resume) throw new CliError('name the file to import, or --resume <id>', ExitCode.Usage);
      const concurrency = parsePositiveInt(o.concurrency);
      const cfg = config();
      const sql = connect(databaseUrl(cfg), { max: Math.min(concurrency + 2, 20) });
      try {
        const bytes = file ? readFile(file) : null;
        if (o.dryRun) {
          if (!bytes) throw new CliError('--dry-run checks a file: name it', ExitCode.Usage);
          const report = await dryRunImport(sql, bytes, { importer: OPERATOR, province: o.province }).catch(unreadable);
          if (o.json) printJson(report);
          else {
            out(
              `Kiểm tra ${basename(file!)}: ${report.totalRows} dòng — nhập được ${report.counts.importable}, ` +
                `đã có từ trước ${report.counts.present}, có lỗi ${report.counts.refused}. Chưa ghi gì.`,
            );
            for (const line of report.lines) out(line);
          }
          if (report.counts.refused > 0) process.exitCode = ExitCode.Failed;
          return;
        }
        const address = cfg.TEMPORAL_ADDRESS ?? `127.0.0.1:${cfg.TEMPORAL_DEV_PORT}`;
        const connection = await Connection.connect({ address }).catch((err: unknown) => {
          throw new CliError(`cannot reach Temporal at ${address}: ${String(err)}`, ExitCode.Error);
        });
        try {
          const client = new Client({ connection, namespace: cfg.TEMPORAL_NAMESPACE });
          const gateway = new CommandGateway(
            client.workflow,
            cfg.TEMPORAL_TASK_QUEUE,
            cfg.API_COMMAND_TIMEOUT_SECONDS * 1000,
          );
          const commands = new CommandService(sql, gateway);
          const id =
            o.resume ??
            (await createImport(sql, bytes!, {
              importer: OPERATOR,
              province: o.province,
              fileName: basename(file!),
            }).catch(unreadable));
          if (!o.json) process.stderr.write(`import ${id}\n`);
          // Ctrl-C stops starting rows; those under way finish, and the import can be resumed.
          const abort = new AbortController();
          const stop = () => abort.abort();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          const bar = progress('import', 'rows');
          let summary: ImportSummary;
          try {
            summary = await runImport({ sql, commands }, id, {
              concurrency,
              signal: abort.signal,
              onProgress: (done, total) => bar.update(done, total),
            });
          } catch (err) {
            bar.finish();
            if (err instanceof ImportNotFoundError) throw new CliError(`no import ${id}`, ExitCode.Usage);
            const partial = await importSummary(sql, id);
            if (partial) printSummary(partial, o.json);
            throw new CliError(
              `the import stopped: ${err instanceof Error ? err.message : String(err)}; continue it with --resume ${id}`,
              ExitCode.Error,
            );
          } finally {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
          }
          bar.finish();
          printSummary(summary, o.json);
          if (summary.counts.pending > 0) process.exitCode = ExitCode.Error;
          else if (summary.counts.refused > 0) process.exitCode = ExitCode.Failed;
        } finally {
          await connection.close();
        }
      } finally {
        await sql.end({ timeout: 5 });
      }
    });

  command
    .command('template')
    .description('write the import template (.xlsx with a sheet explaining each column, or .csv) to <out>')
    .argument('<out>', 'a path ending in .xlsx or .csv')
    .action(async (path: string) => {
      writeFileSync(path, path.toLowerCase().endsWith('.csv') ? importTemplateCsv() : await importTemplateXlsx());
      out(`wrote ${path}`);
    });
}

function readFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${String(err)}`, ExitCode.Usage);
  }
}

function unreadable(err: unknown): never {
  if (err instanceof UnreadableFileError) throw new CliError(`${err.vi} / ${err.message}`, ExitCode.Usage);
  throw err;
}

function printSummary(s: ImportSummary, json: boolean | undefined): void {
  if (json) return printJson(s);
  const { imported, present, refused, pending } = s.counts;
  out(
    `Nhập ${s.fileName} (${s.id}): ${s.totalRows} dòng — đã nhập ${imported}, đã có từ trước ${present}, ` +
      `bị từ chối ${refused}${pending > 0 ? `, còn lại ${pending} (tiếp tục với --resume ${s.id})` : ''}.`,
  );
  for (const line of s.lines) out(line);
}
