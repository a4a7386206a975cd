import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { Actor, CommandInput, CaseState } from '../../domain';
import { readStream } from '../../db/event-store';
import type { Sql } from '../../db';
import { caseWorkflowId, commandUpdate, snapshotQuery, type CommandResult } from '../../workflows/messages';
import type { productCase } from '../../workflows/product-case';
import { roundsFor } from '../support/rounds';

/**
 * A command's answer with the case state after it. Runs from lean-answer-v1 on answer events and version only; the
 * driver adds the state from the workflow's snapshot query, for the tests to look at.
 */
export type DrivenResult = CommandResult & { state: CaseState };

/** Drives one product's case through its workflow, as the API does, and reads back what was recorded. */
export class CaseDriver {
  private seq = 0;
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    readonly productId: string,
  ) {}

  get workflowId(): string {
    return caseWorkflowId(this.productId);
  }

  async start(actor: Actor, command: CommandInput): Promise<DrivenResult> {
    const result = await this.client.workflow.executeUpdateWithStart(commandUpdate, {
      args: [{ commandId: this.nextId(), actor, command: command as never }],
      updateId: `${this.productId}-${this.seq}`,
      startWorkflowOperation: new WithStartWorkflowOperation<typeof productCase>('productCase', {
        workflowId: this.workflowId,
        taskQueue: this.taskQueue,
        args: [{ productId: this.productId }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
    return this.withState(result);
  }

  async send(
    actor: Actor,
    command: CommandInput,
    commandId = this.nextId(),
    expectedVersion?: number,
  ): Promise<DrivenResult> {
    try {
      const request = {
        commandId,
        actor,
        command: command as never,
        ...(expectedVersion === undefined ? {} : { expectedVersion }),
        ...roundsFor(actor, command),
      };
      const result = await this.client.workflow
        .getHandle(this.workflowId)
        .executeUpdate(commandUpdate, { args: [request], updateId: commandId });
      return await this.withState(result);
    } catch (err) {
      // Name the command and the domain's reason, not just "Workflow Update failed".
      const reason = (err as { cause?: Error }).cause?.message;
      if (reason && err instanceof Error) err.message = `${command.type}: ${reason}`;
      throw err;
    }
  }

  private async withState(result: CommandResult): Promise<DrivenResult> {
    return { ...result, state: result.state ?? (await this.state()) };
  }

  async state(): Promise<CaseState> {
    return (await this.client.workflow.getHandle(this.workflowId).query(snapshotQuery)).state;
  }

  async snapshot() {
    return this.client.workflow.getHandle(this.workflowId).query(snapshotQuery);
  }

  async events(sql: Sql) {
    return readStream(sql, this.productId);
  }

  private nextId(): string {
    this.seq += 1;
    return `${this.productId}-cmd-${this.seq}`;
  }
}
