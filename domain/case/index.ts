/** One product's OCOP case (hồ sơ sản phẩm OCOP): a pure decider over commands, events and state. */
export type { Actor, CommandMeta, Role, UserRole } from './actors';
export { MINISTRY_OFFICE, ROLES, SYSTEM_ACTOR, USER_ROLES } from './actors';
export * from './commands';
export type { DeadlineKind, Deadline } from './deadlines';
export { nextDeadline, pendingDeadlines } from './deadlines';
export { ALLOWED_STAGES, MAX_REVIEW_ENTRIES, commandDataIssues, dataIssues, decide } from './decide';
export { DomainError, DomainErrorCode, type FieldIssue } from './errors';
export type { DomainEvent, DomainEventType, EventOf, RecordedEvent } from './events';
export { evolve, replay, MAX_FORMER_PLACES } from './evolve';
export { DISTRICTS_ABOLISHED_ON } from './policy';
export type {
  ActiveCase,
  CaseCore,
  CaseState,
  Certificate,
  Evaluation,
  EvaluatingCase,
  EvaluationStage,
  Form03,
  Outcome,
  PendingRevocation,
  Places,
  ReRatingWindowState,
} from './state';
export { EVALUATION_STAGES, STAGES, Stage, initialState, isEvaluating } from './state';
export type { CaseSummary } from './summary';
export { isOverdue, record, ruleSetIdOf, summarize } from './summary';
