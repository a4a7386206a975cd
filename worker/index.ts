import {
  type NativeConnection,
  Worker,
  bundleWorkflowCode,
  type WorkerOptions,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import type { KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import { createActivities, type ActivityDeps } from '../activities';
import { notificationSetup } from '../activities/notifications';
import { CheckpointScheduler } from '../audit/checkpoint-scheduler';
import { NotificationSender } from '../notifications/sender';
import { prebuiltWorkflowBundle } from '../config/paths';
import type { Config } from '../config';

const require = createRequire(import.meta.url);
const resolveSource = (path: string) => (prebuiltWorkflowBundle ? path : require.resolve(path));

/** The workflow bundle's entry point (the sources; unused when compiled, whose bundle is prebuilt). */
export const workflowsPath = resolveSource('../workflows/index.ts');

/**
 * Modules evaluated once per worker and shared (frozen) by every workflow, instead of once per workflow: the domain's
 * data, 2.3 MB of JSON (places, holidays, score sheets) and the indexes built from it. Evaluated per workflow, they
 * made starting a case CPU-bound and held a private copy in every cached workflow (see bench/README.md, "Tuning").
 * Only pure modules without zod schemas qualify: the SDK deep-freezes what it shares, and zod 4 schemas build their
 * members on first use, which a frozen schema refuses.
 */
export const preloadModules = [
  ...[
    '../workflows/preload.ts',
    '../domain/shared.ts',
    '../domain/places/index.ts',
    '../domain/calendar/index.ts',
    '../domain/scoring/registry.ts',
  ].map(resolveSource),
];

/**
 * The workflow code a worker runs: compiled (`npm run build`), the bundle built beside it from the same sources;
 * otherwise the sources, bundled at start.
 */
export function workflowCode(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> {
  return prebuiltWorkflowBundle
    ? { workflowBundle: { codePath: prebuiltWorkflowBundle } }
    : { workflowsPath, bundlerOptions: { preloadModules } };
}

export interface CaseWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A prebuilt bundle (tests build one per run); bundled from source when omitted. */
  workflowBundle?: WorkflowBundleOption;
  /**
   * Signed checkpoints of every stream's head (audit/checkpoint.ts), taken when the worker starts and then every
   * `intervalMinutes`. Off when omitted or the interval is 0.
   */
  checkpoints?: { signingKey: KeyObject; intervalMinutes: number };
  /**
   * Run the notification sender beside the worker. Off when the sender runs as a process of its own
   * (`OCOP_ROLE=sender`): the outbox rows are then found by that sender's sweep. @default true
   */
  sender?: boolean;
  /**
   * Milliseconds the worker gives its workflow tasks and activities to finish after `shutdown()` (SIGTERM) before
   * it cancels them. @default the SDK's
   */
  shutdownGraceMs?: number;
  /** Workflows kept in memory; bounds the worker's memory under many live cases. @default 1000 */
  maxCachedWorkflows?: number;
  /** Further SDK settings (slots, pollers, threads), as the benchmarks tune them. */
  tuning?: Pick<
    WorkerOptions,
    | 'maxConcurrentWorkflowTaskExecutions'
    | 'maxConcurrentActivityTaskExecutions'
    | 'maxConcurrentLocalActivityExecutions'
    | 'maxConcurrentWorkflowTaskPolls'
    | 'maxConcurrentActivityTaskPolls'
    | 'workflowThreadPoolSize'
    | 'reuseV8Context'
  >;
}

/** The worker's tuning from the configuration (WORKER_*): unset values leave the SDK's defaults. */
export function tuningFromConfig(config: Config): Pick<CaseWorkerOptions, 'maxCachedWorkflows' | 'tuning'> {
  const tuning: NonNullable<CaseWorkerOptions['tuning']> = {};
  if (config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS !== undefined)
    tuning.maxConcurrentWorkflowTaskExecutions = config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS;
  if (config.WORKER_MAX_CONCURRENT_ACTIVITIES !== undefined)
    tuning.maxConcurrentActivityTaskExecutions = config.WORKER_MAX_CONCURRENT_ACTIVITIES;
  if (config.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES !== undefined)
    tuning.maxConcurrentLocalActivityExecutions = config.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES;
  if (config.WORKER_WORKFLOW_TASK_POLLERS !== undefined)
    tuning.maxConcurrentWorkflowTaskPolls = config.WORKER_WORKFLOW_TASK_POLLERS;
  if (config.WORKER_ACTIVITY_TASK_POLLERS !== undefined)
    tuning.maxConcurrentActivityTaskPolls = config.WORKER_ACTIVITY_TASK_POLLERS;
  if (config.WORKER_WORKFLOW_THREADS !== undefined) tuning.workflowThreadPoolSize = config.WORKER_WORKFLOW_THREADS;
  return { maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS, tuning };
}

/** Bundles the workflow code once, to be shared by several workers (tests, benchmarks). */
export async function bundleWorkflows(): Promise<{ code: string }> {
  return bundleWorkflowCode({ workflowsPath, preloadModules, logger: quietBundlerLogger });
}

/**
 * The case worker: workflows, activities, the notification sender that delivers what the activities put in the
 * outbox, and (when configured) the audit checkpoints. Both run exactly while `run()` does.
 */
export async function createCaseWorker(options: CaseWorkerOptions): Promise<Worker> {
  const setup = notificationSetup({ log: options.log, ...options.notifications });
  const sender =
    options.sender === false ? null : new NotificationSender(options.sql, options.log, setup.delivery, setup.sender);
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities({ sql: options.sql, log: options.log }, setup, () => sender?.wake()),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : workflowCode()),
    maxCachedWorkflows: options.maxCachedWorkflows ?? 1000,
    ...(options.shutdownGraceMs === undefined ? {} : { shutdownGraceTime: options.shutdownGraceMs }),
    ...options.tuning,
  });
  const checkpoints =
    options.checkpoints && options.checkpoints.intervalMinutes > 0
      ? new CheckpointScheduler(
          options.sql,
          options.log,
          options.checkpoints.signingKey,
          options.checkpoints.intervalMinutes * 60_000,
        )
      : null;
  const run = worker.run.bind(worker);
  worker.run = async () => {
    sender?.start();
    checkpoints?.start();
    try {
      return await run();
    } finally {
      await Promise.all([sender?.stop(), checkpoints?.stop()]);
    }
  };
  return worker;
}

const quietBundlerLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string, meta?: unknown) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: unknown) => console.error(message, meta ?? ''),
  log: () => undefined,
};
