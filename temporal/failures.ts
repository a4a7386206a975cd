import { ApplicationFailure } from '@temporalio/common';
import type { DomainErrorCode, FieldIssue } from '../domain';

/*
 * Every failure that crosses Temporal between the case workflow, its activities and the API, in one place: the
 * workflow and the activities raise them with the constructors below, and the API reads them back with
 * `caseFailureOf`, so neither side spells a type string. Workflow-safe (no Node built-ins): the workflow imports it.
 *
 * The type strings are recorded in the histories of running cases; they must never change.
 */
export const CaseFailureType = {
  /** The decider refused the command (`details[0]`: code, stage, field issues). */
  DomainError: 'DomainError',
  /** The command was decided on another version of the case than its If-Match named (`details[0]`: version). */
  StaleVersion: 'StaleVersion',
  /** The command does not parse, or holds text no record may hold (refused by the Update's validator). */
  InvalidCommand: 'InvalidCommand',
  /** The records cannot hold what the command would write (PostgreSQL refused the values): no retry can cure it. */
  UnrecordableCommand: 'UnrecordableCommand',
  /** The stream moved under the workflow that alone writes it: a defect, not retried. */
  WrongExpectedVersion: 'WrongExpectedVersion',
  /** An activity was called with input its schema refuses: a defect, not retried. */
  InvalidActivityInput: 'InvalidActivityInput',
  /**
   * Notices still waiting for a channel (runs before outbox-v1, `deliverNotices`): the one retryable failure, so the
   * activity's retry policy is the delivery's backoff. It never reaches the API.
   */
  NotificationsPending: 'NotificationsPending',
} as const;
export type CaseFailureType = (typeof CaseFailureType)[keyof typeof CaseFailureType];

/** What the API learns from a failed command, by type. */
export type CaseFailure =
  | {
      type: typeof CaseFailureType.DomainError;
      message: string;
      code: DomainErrorCode;
      stage: string | undefined;
      issues: readonly FieldIssue[];
    }
  | { type: typeof CaseFailureType.StaleVersion; message: string; version: number | undefined }
  | {
      type: Exclude<CaseFailureType, typeof CaseFailureType.DomainError | typeof CaseFailureType.StaleVersion>;
      message: string;
    };

interface DomainErrorDetails {
  code: DomainErrorCode;
  stage: string;
  issues?: readonly FieldIssue[];
}

/** Thrown by the workflow for a command the decider refused. */
export function domainFailure(err: {
  code: DomainErrorCode;
  stage: string;
  message: string;
  issues: readonly FieldIssue[];
}): ApplicationFailure {
  const details: DomainErrorDetails = {
    code: err.code,
    stage: err.stage,
    ...(err.issues.length > 0 ? { issues: err.issues } : {}),
  };
  return ApplicationFailure.create({
    type: CaseFailureType.DomainError,
    message: err.message,
    nonRetryable: true,
    details: [details],
  });
}

/** Thrown by the workflow for a command decided on an older version of the case (If-Match); the API answers 412. */
export function staleVersionFailure(version: number, expected: number): ApplicationFailure {
  return ApplicationFailure.create({
    type: CaseFailureType.StaleVersion,
    message: `The case is at version ${version}, not ${expected}; read it again before deciding.`,
    nonRetryable: true,
    details: [{ version }],
  });
}

/** A failure of one of the other types, never retried: the same input fails the same way every time. */
export function caseFailure(
  type: Exclude<
    CaseFailureType,
    | typeof CaseFailureType.DomainError
    | typeof CaseFailureType.StaleVersion
    | typeof CaseFailureType.NotificationsPending
  >,
  message: string,
): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

const TYPES: ReadonlySet<string> = new Set(Object.values(CaseFailureType));
const isCaseFailureType = (t: string | null | undefined): t is CaseFailureType => t != null && TYPES.has(t);

/**
 * The case failure an error carries, or null. It may be the error itself or its cause (an Update's failure, a
 * scheduled activity's failure inside an ActivityFailure); a local activity's failure arrives as it was thrown.
 */
export function caseFailureOf(err: unknown): CaseFailure | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth += 1) {
    if (!(e instanceof ApplicationFailure) || !isCaseFailureType(e.type)) continue;
    const [details] = (e.details ?? []) as Partial<DomainErrorDetails & { version: number }>[];
    switch (e.type) {
      case CaseFailureType.DomainError:
        return {
          type: e.type,
          message: e.message,
          code: details?.code ?? 'illegal_in_stage',
          stage: details?.stage,
          issues: details?.issues ?? [],
        };
      case CaseFailureType.StaleVersion:
        return { type: e.type, message: e.message, version: details?.version };
      default:
        return { type: e.type, message: e.message };
    }
  }
  return null;
}
