import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { AuditBundle } from './bundle';

/** One recorded workflow run to replay. */
export interface RecordedRun {
  workflowId: string;
  runId: string;
  /** The history as plain JSON (`History.toJSON()`, what a bundle and `test/histories/` carry). */
  history: unknown;
  /** Where it came from (a bundle file, a history file), for the report. */
  source?: string;
}

export interface RunReplay {
  workflowId: string;
  runId: string;
  source: string | null;
  ok: boolean;
  /** DeterminismViolationError or ReplayError, with its message, when the code no longer reproduces the run. */
  error: { name: string; message: string } | null;
  /** Why a run was not replayed, when it had nothing to check. */
  note?: string;
}

export interface ReplayReport {
  ok: boolean;
  runs: RunReplay[];
  /** Workflow ids (cases) with at least one run the code no longer reproduces. */
  violations: string[];
}

export interface ReplayOptions {
  /** A prebuilt workflow bundle file; otherwise `workflowsPath` is bundled. */
  workflowBundlePath?: string;
  /** The workflow code to judge the histories against. @default the project's workflows */
  workflowsPath?: string;
}

export function runsOfBundle(bundle: AuditBundle, source?: string): RecordedRun[] {
  return bundle.temporal.runs.map((run) => ({
    workflowId: bundle.temporal.workflowId,
    runId: run.runId,
    history: run.history,
    ...(source ? { source } : {}),
  }));
}

/**
 * The determinism audit: replays recorded histories against the current workflow code. A run whose recorded
 * commands (activities scheduled, timers, continue-as-new, search attributes) the code would no longer issue in the
 * same order is reported with the SDK's DeterminismViolationError.
 */
export async function replayRuns(runs: readonly RecordedRun[], options: ReplayOptions = {}): Promise<ReplayReport> {
  const workerOptions = options.workflowBundlePath
    ? { workflowBundle: { codePath: options.workflowBundlePath } }
    : options.workflowsPath
      ? { workflowsPath: options.workflowsPath }
      : (await import('../worker')).workflowCode();
  // Reported in input order, whether replayed, skipped or unreadable.
  const results: RunReplay[] = new Array<RunReplay>(runs.length);
  const loaded: { at: number; run: RecordedRun; history: proto.temporal.api.history.v1.History }[] = [];
  for (const [at, run] of runs.entries()) {
    try {
      const history = proto.temporal.api.history.v1.History.fromObject(run.history as Record<string, unknown>);
      if (history.events.length === 0) throw new TypeError('the history has no events');
      // A run that has not completed a workflow task yet (just continued as new) made no decision to check, and
      // the SDK's replayer waits forever for one.
      const decided = history.events.some(
        (e) => e.eventType === proto.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
      );
      if (!decided) {
        results[at] = {
          workflowId: run.workflowId,
          runId: run.runId,
          source: run.source ?? null,
          ok: true,
          error: null,
          note: 'no decision recorded yet: nothing to replay',
        };
        continue;
      }
      loaded.push({ at, run, history });
    } catch (err) {
      results[at] = {
        workflowId: run.workflowId,
        runId: run.runId,
        source: run.source ?? null,
        ok: false,
        error: { name: 'InvalidHistory', message: (err as Error).message },
      };
    }
  }
  // The replayer takes one history at a time, in order, so each result is matched to its input.
  let index = 0;
  for await (const result of Worker.runReplayHistories(
    { ...workerOptions, replayName: 'ocop-audit' },
    loaded.map(({ run, history }) => ({ workflowId: run.workflowId, history })),
  )) {
    const entry = loaded[index++];
    if (!entry) continue;
    results[entry.at] = {
      workflowId: result.workflowId,
      runId: entry.run.runId,
      source: entry.run.source ?? null,
      ok: !result.error,
      error: result.error ? { name: result.error.name, message: result.error.message } : null,
    };
  }
  const violations = [...new Set(results.filter((r) => !r.ok).map((r) => r.workflowId))];
  return { ok: violations.length === 0, runs: results, violations };
}
