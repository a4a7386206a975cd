import { createHash } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowClient,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Actor, Command } from '../domain';
import { caseWorkflowId, commandUpdate, type CommandResult } from '../workflows/messages';
import type { productCase } from '../workflows/product-case';
import { HttpProblem } from './problems';

/** Domain rejection codes and the HTTP status each becomes. */
const STATUS_OF_CODE: Record<string, number> = {
  illegal_in_stage: 409,
  deadline_passed: 409,
  not_yet_open: 409,
  forbidden: 403,
  invalid: 422,
  star_above_band: 422,
  star_not_allowed: 422,
};

/**
 * A stable id from the caller and their Idempotency-Key: the same pair always names the same command (and, for a
 * registration, the same product), so a retry can never create a second one.
 */
export function idempotentId(prefix: string, userId: string, key: string): string {
  const digest = createHash('sha256').update(`${userId}\u0000${key}`).digest('hex').slice(0, 32);
  return `${prefix}${digest}`;
}

export interface SendCommandOptions {
  productId: string;
  commandId: string;
  actor: Actor;
  command: Command;
  /** Start the case's workflow if it does not exist (registration and import). */
  start?: boolean;
}

export class CommandGateway {
  constructor(
    private readonly client: WorkflowClient,
    private readonly taskQueue: string,
  ) {}

  async send(options: SendCommandOptions): Promise<CommandResult> {
    const request = { commandId: options.commandId, actor: options.actor, command: options.command };
    const workflowId = caseWorkflowId(options.productId);
    try {
      if (options.start) {
        return await this.client.executeUpdateWithStart(commandUpdate, {
          args: [request],
          updateId: options.commandId,
          startWorkflowOperation: new WithStartWorkflowOperation<typeof productCase>('productCase', {
            workflowId,
            taskQueue: this.taskQueue,
            args: [{ productId: options.productId }],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        });
      }
      return await this.client
        .getHandle(workflowId)
        .executeUpdate(commandUpdate, { args: [request], updateId: options.commandId });
    } catch (err) {
      throw toProblem(err);
    }
  }
}

function toProblem(err: unknown): unknown {
  if (err instanceof WorkflowNotFoundError) return new HttpProblem(404, 'Not Found', { detail: 'no such product' });
  const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
  if (cause instanceof ApplicationFailure) {
    if (cause.type === 'DomainError') {
      const [details] = (cause.details ?? []) as { code?: string; stage?: string }[];
      const code = details?.code ?? 'illegal_in_stage';
      const status = STATUS_OF_CODE[code] ?? 409;
      return new HttpProblem(status, status === 409 ? 'Conflict' : status === 403 ? 'Forbidden' : 'Unprocessable', {
        detail: cause.message,
        code,
        ...(details?.stage ? { stage: details.stage } : {}),
      });
    }
    if (cause.type === 'InvalidCommand') {
      return new HttpProblem(400, 'Bad Request', { detail: cause.message });
    }
  }
  return err;
}
