import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor, CaseState, Command, RecordedEvent, Round } from '../domain';

/** Task queue and workflow ids: one workflow per product case, its id derived from the product id. */
export const DEFAULT_TASK_QUEUE = 'ocop-cases';
export const caseWorkflowId = (productId: string): string => `product-case/${productId}`;

/** A command as it reaches the workflow: who sent it, and the id that makes a retry return the first result. */
export interface CommandRequest {
  /** Also the Temporal Update id; the same id returns the first result, never a second effect. */
  commandId: string;
  actor: Actor;
  command: Command;
  /** The case version the caller decided on (If-Match); a different one refuses the command as stale. */
  expectedVersion?: number;
  /**
   * For the commands that concern a round (AssignToProvincialRound, ConveneCouncil): the rounds of the acting
   * office's province as the API read them just before sending, recorded in history with the command. An assignment
   * checks them (round-gate-v1); a council convened without members sits as its round's.
   */
  rounds?: Round[];
}

export interface CommandResult {
  productId: string;
  /** Stream version after the command: the number of events of the case. */
  version: number;
  /** The events this command recorded (empty when it changed nothing). */
  events: RecordedEvent[];
  /** The case state after the command: answered only by runs started before lean-answer-v1; nothing reads it. */
  state?: CaseState;
}

export interface CaseSnapshot {
  productId: string;
  version: number;
  state: CaseState;
  /** Which run of the case this is (a new run starts at each certificate term). */
  run: number;
}

/** What a run hands to the next one at continue-as-new. */
export interface ProductCaseInput {
  productId: string;
  carried?: {
    state: CaseState;
    version: number;
    run: number;
    /** Results of the latest commands, so a retry that arrives after continue-as-new still gets its first result. */
    recent: [string, CommandResult][];
    /** When the latest event was recorded (ISO instant). */
    lastAt?: string;
    /** Business keys of reminders already handed to delivery and still implied by the state. */
    sentReminders?: string[];
  };
}

export const commandUpdate = defineUpdate<CommandResult, [CommandRequest]>('command');
export const snapshotQuery = defineQuery<CaseSnapshot>('snapshot');
