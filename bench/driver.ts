/**
 * Sends commands through the Temporal client the way the API does: the first command as Update-with-Start, the rest
 * as Updates, each with its command id as the Update id, so that a retry after any failure (worker killed, server
 * restarted, database down) attaches to the same Update and can never apply a command twice.
 */
import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { caseWorkflowId, commandUpdate, type CommandRequest } from '../workflows/messages';
import type { productCase } from '../workflows/product-case';
import { stepUpdate, type baselineCase } from './baseline-workflows';
import type { Step } from './path';

export interface SendOptions {
  /** Retry transient failures with the same Update id until this instant (ms since epoch). @default no retry */
  retryUntil?: number;
  /** Called once a command is acknowledged (its Update completed). */
  onAck?: (commandId: string) => void;
  /** Counts retries. */
  onRetry?: (commandId: string, err: unknown) => void;
  /** Called with the milliseconds each command took. */
  onLatency?: (ms: number) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A rejected command (validator or decider) is final; anything else may be retried with the same id. */
export function isFinal(err: unknown): boolean {
  return err instanceof WorkflowUpdateFailedError;
}

async function withRetry<T>(commandId: string, options: SendOptions, attempt: () => Promise<T>): Promise<T> {
  let delay = 200;
  for (;;) {
    const t0 = performance.now();
    try {
      const result = await attempt();
      options.onLatency?.(performance.now() - t0);
      options.onAck?.(commandId);
      return result;
    } catch (err) {
      if (isFinal(err) || !options.retryUntil || Date.now() > options.retryUntil) throw err;
      options.onRetry?.(commandId, err);
      await sleep(delay);
      delay = Math.min(delay * 2, 3_000);
    }
  }
}

export const commandIdOf = (productId: string, index: number): string => `${productId}/c${index + 1}`;

/** Runs one product's commands in order through the case workflow. */
export async function runCase(
  client: Client,
  taskQueue: string,
  productId: string,
  steps: readonly Step[],
  options: SendOptions = {},
): Promise<void> {
  const workflowId = caseWorkflowId(productId);
  for (const [index, step] of steps.entries()) {
    const commandId = commandIdOf(productId, index);
    const request: CommandRequest = {
      commandId,
      actor: step.actor,
      command: step.command as never,
      ...(step.rounds ? { rounds: step.rounds } : {}),
    };
    await withRetry(commandId, options, () =>
      index === 0
        ? client.workflow.executeUpdateWithStart(commandUpdate, {
            args: [request],
            updateId: commandId,
            startWorkflowOperation: new WithStartWorkflowOperation<typeof productCase>('productCase', {
              workflowId,
              taskQueue,
              args: [{ productId }],
              workflowIdConflictPolicy: 'USE_EXISTING',
            }),
          })
        : client.workflow.getHandle(workflowId).executeUpdate(commandUpdate, { args: [request], updateId: commandId }),
    );
  }
}

/** Runs `count` Updates through a baseline workflow (bench/baseline-workflows.ts). */
export async function runBaseline(
  client: Client,
  taskQueue: string,
  id: string,
  mode: 'noop' | 'insert',
  count: number,
  options: SendOptions = {},
): Promise<void> {
  const workflowId = `baseline/${id}`;
  for (let index = 0; index < count; index++) {
    const commandId = `${id}/c${index + 1}`;
    await withRetry(commandId, options, () =>
      index === 0
        ? client.workflow.executeUpdateWithStart(stepUpdate, {
            args: [{ commandId, step: index + 1 }],
            updateId: commandId,
            startWorkflowOperation: new WithStartWorkflowOperation<typeof baselineCase>('baselineCase', {
              workflowId,
              taskQueue,
              args: [{ id, mode }],
              workflowIdConflictPolicy: 'USE_EXISTING',
            }),
          })
        : client.workflow.getHandle(workflowId).executeUpdate(stepUpdate, {
            args: [{ commandId, step: index + 1 }],
            updateId: commandId,
          }),
    );
  }
}
