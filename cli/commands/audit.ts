import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Command } from 'commander';
import {
  BUNDLE_FORMAT,
  CaseNotFoundError,
  CheckpointRefusedError,
  caseHistory,
  caseStateAsOf,
  exportCase,
  replayRuns,
  runsOfBundle,
  serializeBundle,
  takeCheckpoint,
  verifyAll,
  verifyBundle,
  verifyBundleBytes,
  verifyCase,
  type BundleFailure,
  type CaseVerification,
  type RecordedRun,
} from '../../audit';
import type { Config } from '../../config';
import { createLogger } from '../../config/logger';
import { auditSigningKey } from '../../config/secrets';
import { installTemporalRuntime } from '../../worker/runtime';
import {
  CliError,
  ExitCode,
  config,
  out,
  parsePositiveInt,
  printJson,
  progress,
  vietnamTime,
  withDatabase,
} from './shared';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description("auditor's tools: history, state as of, verification, export");

  audit
    .command('verify')
    .description(
      "recompute the hash chains of one case or of the whole store, naming each chain's first broken event, and " +
        'compare every stream with the last signed checkpoint and its read model, naming a missing tail',
    )
    .option('--case <productId>', 'verify one case only')
    .option('--batch-size <n>', 'events read per query', parsePositiveInt, 5000)
    .option('--public-key <pem-file>', 'the key checkpoints must be signed with (default: the configured audit key)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { case?: string; batchSize: number; publicKey?: string; json?: boolean }) => {
      await withDatabase(async (sql, cfg) => {
        const publicKey = trustedKey(cfg, options.publicKey);
        const keyOptions = publicKey ? { publicKey } : {};
        if (options.case) {
          const result = await verifyCase(sql, options.case, keyOptions).catch(notFound);
          if (options.json) printJson(result);
          else if (!result.ok) printCaseProblems(result);
          else {
            out(
              `ok ${result.productId}: ${result.events} events, head ${result.headHash}` +
                (result.checkpoint ? `, checkpoint ${result.checkpoint.seq} holds` : ', no checkpoint yet'),
            );
          }
          if (!result.ok) process.exitCode = ExitCode.Failed;
          return;
        }
        const bar = progress('verify', 'events');
        const result = await verifyAll(sql, {
          ...keyOptions,
          batchSize: options.batchSize,
          onProgress: (p) => bar.update(p.events, p.totalEvents),
        });
        bar.finish();
        if (options.json) printJson(result);
        else {
          for (const b of result.broken) {
            out(`BROKEN ${b.streamId} at position ${b.streamPosition} (event ${b.eventId}): ${b.reason}`);
          }
          for (const m of result.missing) {
            out(`BROKEN ${m.streamId}: missing tail: positions ${m.from}..${m.to} absent (${m.detectedBy.join(', ')})`);
          }
          for (const m of result.mismatched) {
            out(`BROKEN ${m.streamId} at position ${m.streamPosition}: not the checkpointed hash`);
          }
          if (result.checkpoint && !result.checkpoint.ok) {
            for (const problem of result.checkpoint.problems) out(`BROKEN checkpoint: ${problem}`);
          }
          out(
            `${result.ok ? 'ok' : 'FAILED'}: ${result.streams} streams, ${result.events} events, ` +
              `${result.broken.length} broken, ${result.missing.length} missing a tail, ` +
              (result.checkpoint
                ? `against checkpoint ${result.checkpoint.seq} of ${result.checkpoint.takenAt}`
                : 'no checkpoint yet') +
              `, ${result.seconds.toFixed(1)} s`,
          );
        }
        if (!result.ok) process.exitCode = ExitCode.Failed;
      });
    });

  audit
    .command('checkpoint')
    .description(
      "take a signed checkpoint of every stream's head now (the worker also takes one every AUDIT_CHECKPOINT_MINUTES)",
    )
    .option(
      '--previous-public-key <pem-file>',
      'after rotating AUDIT_SIGNING_KEY_FILE: the key the last checkpoint was signed with (public or private PEM)',
    )
    .option('--json', 'print the result as JSON')
    .action(async (options: { previousPublicKey?: string; json?: boolean }) => {
      await withDatabase(async (sql, cfg) => {
        const signingKey = auditSigningKey(cfg);
        const previousPublicKey = options.previousPublicKey ? trustedKey(cfg, options.previousPublicKey) : undefined;
        const result = await takeCheckpoint(sql, signingKey, previousPublicKey ? { previousPublicKey } : {}).catch(
          (err: unknown) => {
            if (err instanceof CheckpointRefusedError) throw new CliError(err.message, ExitCode.Failed);
            throw err;
          },
        );
        if (options.json) printJson(result);
        else {
          for (const r of result.regressed) {
            const what = r.missing
              ? r.missing.from === r.missing.to
                ? `missing tail: position ${r.missing.from} absent`
                : `missing tail: positions ${r.missing.from}..${r.missing.to} absent`
              : `the event at position ${r.mismatch?.streamPosition} has another hash`;
            out(`BROKEN ${r.streamId}: ${what}; its checkpointed head is kept`);
          }
          const cp = result.checkpoint;
          if (!cp) out('no streams yet: nothing to checkpoint');
          else if (result.taken) {
            out(
              `checkpoint ${cp.seq}: ${cp.streams} streams (${result.changed} changed), root ${cp.root}, ` +
                `signed by ${cp.signer.fingerprint}`,
            );
          } else out(`no head changed since checkpoint ${cp.seq} of ${cp.takenAt}, root ${cp.root}`);
        }
        if (result.regressed.length > 0) process.exitCode = ExitCode.Failed;
      });
    });

  audit
    .command('history')
    .description('every event of a case: position, when, type, who, rule-set, hash')
    .requiredOption('--case <productId>', 'the product id')
    .option('--json', 'print the events as JSON')
    .action(async (options: { case: string; json?: boolean }) => {
      await withDatabase(async (sql) => {
        const history = await caseHistory(sql, options.case).catch(notFound);
        if (options.json) return printJson(history);
        for (const e of history.events) {
          out(
            [
              String(e.streamPosition).padStart(4),
              vietnamTime(e.occurredAt),
              e.type.padEnd(28),
              `${e.actor.role}:${e.actor.userId}@${e.actor.office}`,
              e.ruleSetId,
              e.hash.slice(0, 16),
            ].join('  '),
          );
        }
      });
    });

  audit
    .command('as-of')
    .description("a case's state as of an instant: its events by then, replayed through the domain's evolve")
    .requiredOption('--case <productId>', 'the product id')
    .requiredOption('--at <instant>', 'an ISO-8601 instant, e.g. 2026-11-23T10:00:00+07:00')
    .option('--json', 'print the full state as JSON')
    .action(async (options: { case: string; at: string; json?: boolean }) => {
      if (Number.isNaN(Date.parse(options.at))) throw new CliError(`not an instant: ${options.at}`, ExitCode.Usage);
      await withDatabase(async (sql) => {
        const result = await caseStateAsOf(sql, options.case, options.at).catch(notFound);
        if (options.json) return printJson(result);
        const last = result.lastEventAt ? vietnamTime(result.lastEventAt) : '—';
        out(`${result.productId} as of ${vietnamTime(result.at)}: ${result.version} events (last at ${last})`);
        printJson(result.summary);
      });
    });

  audit
    .command('export')
    .description("a case's events and the Temporal histories of all its runs, as a signed JSON bundle")
    .requiredOption('--case <productId>', 'the product id')
    .requiredOption('--out <file>', 'where to write the bundle')
    .action(async (options: { case: string; out: string }) => {
      const cfg = config();
      const signingKey = auditSigningKey(cfg);
      const address = cfg.TEMPORAL_ADDRESS ?? `127.0.0.1:${cfg.TEMPORAL_DEV_PORT}`;
      const connection = await Connection.connect({ address }).catch((err: unknown) => {
        throw new CliError(`cannot reach Temporal at ${address}: ${String(err)}`, ExitCode.Error);
      });
      try {
        const client = new Client({ connection, namespace: cfg.TEMPORAL_NAMESPACE });
        await withDatabase(async (sql) => {
          const bundle = await exportCase({ sql, client, productId: options.case, signingKey }).catch(notFound);
          writeFileSync(options.out, serializeBundle(bundle));
          out(
            `wrote ${options.out}: ${bundle.events.length} events, ${bundle.temporal.runs.length} runs, ` +
              `signed by ${bundle.signer.fingerprint}` +
              (bundle.checkpoint ? `, with checkpoint ${bundle.checkpoint.seq}` : ', no checkpoint covers it yet'),
          );
          // The bundle is written all the same (it is the evidence), and says so in its `chain` member.
          for (const problem of bundle.chain?.problems ?? []) out(`BROKEN ${options.case}: ${problem}`);
          if (bundle.chain && !bundle.chain.ok) process.exitCode = ExitCode.Failed;
        });
      } finally {
        await connection.close();
      }
    });

  audit
    .command('import-verify')
    .description('verify a bundle offline (no database): canonical form, signature, every event hash and the chain')
    .argument('<file>', 'the bundle')
    .option('--public-key <pem-file>', 'require the bundle to be signed by this key')
    .option('--json', 'print the result as JSON')
    .action((file: string, options: { publicKey?: string; json?: boolean }) => {
      const bytes = readInput(file);
      const publicKey = options.publicKey ? readInput(options.publicKey).toString('utf8') : undefined;
      const result = verifyBundleBytes(bytes, publicKey ? { publicKey } : {});
      if (options.json) printJson(result);
      else {
        for (const f of result.failures) out(`FAILED ${f.check}: ${f.message}`);
        if (result.ok) {
          out(
            `ok ${result.productId}: ${result.events} events, ${result.runs} runs, signed by ${result.fingerprint}, ` +
              (result.checkpoint
                ? `head at or past checkpoint ${result.checkpoint.seq} (position ${result.checkpoint.streamPosition})`
                : 'no checkpoint: the tail is not anchored'),
          );
        }
      }
      if (!result.ok) process.exitCode = ExitCode.Failed;
    });

  audit
    .command('replay')
    .description('determinism audit: replay recorded workflow histories against the current workflow code')
    .argument('<paths...>', 'audit bundles, saved runs ({workflowId, runId, history}), or directories of them')
    .option('--workflow-bundle <file>', 'a prebuilt workflow bundle to replay against (default: bundle workflows/)')
    .option('--json', 'print the report as JSON')
    .action(async (paths: string[], options: { workflowBundle?: string; json?: boolean }) => {
      const { runs, failures } = collectRuns(paths);
      if (runs.length === 0 && failures.length === 0) {
        throw new CliError('no histories found in the given paths', ExitCode.Usage);
      }
      installTemporalRuntime(createLogger('error'));
      const report = await replayRuns(
        runs,
        options.workflowBundle ? { workflowBundlePath: options.workflowBundle } : {},
      );
      const ok = report.ok && failures.length === 0;
      if (options.json) printJson({ ...report, ok, unreadable: failures });
      else {
        for (const f of failures) out(`FAILED ${f.source}: ${f.message}`);
        for (const r of report.runs) {
          out(
            r.ok
              ? `ok        ${r.workflowId} ${r.runId}`
              : `VIOLATION ${r.workflowId} ${r.runId}: ${r.error?.name}: ${r.error?.message}`,
          );
        }
        out(
          `${ok ? 'ok' : 'FAILED'}: ${report.runs.length} runs replayed, ${report.violations.length} cases the code ` +
            'no longer reproduces',
        );
      }
      if (!ok) process.exitCode = ExitCode.Failed;
    });
}

function printCaseProblems(result: CaseVerification): void {
  const b = result.firstBreak;
  if (b) out(`BROKEN ${b.streamId} at position ${b.streamPosition} (event ${b.eventId}): ${b.reason}`);
  for (const problem of result.problems) {
    if (b && problem.startsWith('chain broken')) continue;
    out(`BROKEN ${result.productId}: ${problem}`);
  }
}

/**
 * The key checkpoints must be signed with: the given PEM file (public or private), else the configured audit key
 * when one exists; none otherwise (then each checkpoint's own key, which proves integrity but not who signed).
 */
function trustedKey(cfg: Config, file?: string): KeyObject | undefined {
  if (file) {
    const pem = readInput(file).toString('utf8');
    try {
      return pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
    } catch (err) {
      throw new CliError(`not a key: ${file}: ${(err as Error).message}`, ExitCode.Usage);
    }
  }
  const configured = cfg.AUDIT_SIGNING_KEY_FILE ?? join(cfg.OCOP_DATA_DIR, 'dev-audit-signing-key.pem');
  if (!existsSync(configured)) return undefined;
  return createPublicKey(auditSigningKey(cfg));
}

function notFound(err: unknown): never {
  if (err instanceof CaseNotFoundError) throw new CliError(err.message, ExitCode.Failed);
  throw err;
}

function readInput(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, ExitCode.Usage);
  }
}

/** Bundles (verified first) and bare history files, from files and directories. */
function collectRuns(paths: string[]): { runs: RecordedRun[]; failures: { source: string; message: string }[] } {
  const runs: RecordedRun[] = [];
  const failures: { source: string; message: string }[] = [];
  const files = paths.flatMap((p) => {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(p).isDirectory();
    } catch {
      throw new CliError(`no such file or directory: ${p}`, ExitCode.Usage);
    }
    return isDirectory
      ? readdirSync(p)
          .filter((f) => extname(f) === '.json')
          .sort()
          .map((f) => join(p, f))
      : [p];
  });
  for (const file of files) {
    let value: unknown;
    try {
      value = JSON.parse(readInput(file).toString('utf8')) as typeof value;
    } catch (err) {
      failures.push({ source: file, message: `not JSON: ${(err as Error).message}` });
      continue;
    }
    if ((value as { format?: unknown } | null)?.format === BUNDLE_FORMAT) {
      const verified = verifyBundle(value);
      if (!verified.ok) {
        failures.push({ source: file, message: verified.failures.map(describe).join('; ') });
        continue;
      }
      runs.push(...runsOfBundle(value as Parameters<typeof runsOfBundle>[0], file));
    } else if (isSavedRun(value)) {
      runs.push({ workflowId: value.workflowId, runId: value.runId, history: value.history, source: file });
    } else {
      failures.push({ source: file, message: 'neither an audit bundle nor a workflow history' });
    }
  }
  return { runs, failures };
}

/** A run saved as `{ workflowId, runId, history }` (test/histories/, scripts/record-histories.ts). */
function isSavedRun(value: unknown): value is { workflowId: string; runId: string; history: unknown } {
  const v = value as { workflowId?: unknown; runId?: unknown; history?: { events?: unknown } } | null;
  return typeof v?.workflowId === 'string' && typeof v.runId === 'string' && Array.isArray(v.history?.events);
}

function describe(f: BundleFailure): string {
  return `${f.check}: ${f.message}`;
}
