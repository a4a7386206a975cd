import { type NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { createRequire } from 'node:module';
import { createActivities, type ActivityDeps } from '../activities';

const require = createRequire(import.meta.url);

/** The workflow bundle's entry point. */
export const workflowsPath = require.resolve('../workflows/index.ts');

export interface CaseWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A prebuilt bundle (tests build one per run); bundled from source when omitted. */
  workflowBundle?: WorkflowBundleOption;
  /** Workflows kept in memory; bounds the worker's memory under many live cases. @default 1000 */
  maxCachedWorkflows?: number;
}

/** Bundles the workflow code once, to be shared by several workers (tests, benchmarks). */
export async function bundleWorkflows(): Promise<{ code: string }> {
  return bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
}

export async function createCaseWorker(options: CaseWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities({
      sql: options.sql,
      log: options.log,
      ...(options.notifications ? { notifications: options.notifications } : {}),
    }),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    maxCachedWorkflows: options.maxCachedWorkflows ?? 1000,
  });
}

const quietBundlerLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string, meta?: unknown) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: unknown) => console.error(message, meta ?? ''),
  log: () => undefined,
};
