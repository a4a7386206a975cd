import { createHash } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowClient,
} from '@temporalio/client';
import type { Sql } from '../db';
import {
  commandDataIssues,
  decide,
  DomainError,
  type DomainErrorCode,
  initialState,
  localDate,
  type Actor,
  type Command,
  type FieldIssue,
  type RecordedEvent,
  type Round,
} from '../domain';
import { CaseFailureType, caseFailureOf } from '../temporal/failures';
import { caseWorkflowId, commandUpdate, type CommandResult } from '../workflows/messages';
import type { productCase } from '../workflows/product-case';
import { canSee } from '../read-models/scope';
import { caseNotFound } from './access';
import { actorOf, type Principal } from './auth';
import { fingerprintOf, Idempotency, type IdempotencyOptions } from './idempotency';
import { getCase } from '../read-models/cases/queries';
import { roundsOfProvince } from '../read-models/rounds/queries';
import type { CaseDetail } from '../read-models/cases/view';
import { DOMAIN_REFUSALS, HttpProblem, type Problem } from './problems';

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
  /** The version the caller decided on (If-Match); the workflow refuses the command if the case moved on. */
  expectedVersion?: number;
  /** The rounds of the caller's province, for the commands that concern a round (workflows/messages.ts). */
  rounds?: Round[];
}

export class CommandGateway {
  constructor(
    private readonly client: WorkflowClient,
    private readonly taskQueue: string,
    /** How long the API waits for a command's answer; past it the caller gets 503 and may retry with its key. */
    private readonly timeoutMs = 30_000,
  ) {}

  /**
   * Sends the command and waits for its answer at most `timeoutMs`. Past that the wait is abandoned (503 with
   * Retry-After), never the command: it stays with the case's workflow under its Update id, so a retry with the
   * same Idempotency-Key attaches to it, or gets its result once it has one.
   */
  async send(options: SendCommandOptions): Promise<CommandResult> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    try {
      return await this.client.withAbortSignal(abort.signal, () => this.sendNow(options));
    } catch (err) {
      if (!abort.signal.aborted) throw err;
      const retryAfter = Math.max(1, Math.min(30, Math.ceil(this.timeoutMs / 1000)));
      throw new HttpProblem(
        503,
        'Service Unavailable',
        {
          code: 'command_timeout',
          detail:
            `Lệnh chưa có kết quả sau ${this.timeoutMs / 1000} giây; gửi lại với cùng Idempotency-Key. / ` +
            `The command has no answer after ${this.timeoutMs / 1000} s; it is not lost: retry with the same ` +
            'Idempotency-Key to get its answer.',
        },
        { 'retry-after': String(retryAfter) },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  private async sendNow(options: SendCommandOptions): Promise<CommandResult> {
    const request = {
      commandId: options.commandId,
      actor: options.actor,
      command: options.command,
      ...(options.expectedVersion === undefined ? {} : { expectedVersion: options.expectedVersion }),
      ...(options.rounds ? { rounds: options.rounds } : {}),
    };
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
      throw failureProblem(err);
    }
  }
}

/** The problem a command's failure becomes; an error that is no case failure goes on as it is (a 5xx). */
function failureProblem(err: unknown): unknown {
  if (err instanceof WorkflowNotFoundError) return new HttpProblem(404, 'Not Found', { detail: 'no such product' });
  if (!(err instanceof WorkflowUpdateFailedError)) return err;
  const failure = caseFailureOf(err.cause);
  switch (failure?.type) {
    case CaseFailureType.DomainError:
      return domainProblem(failure.code, failure.message, failure.stage, failure.issues);
    case CaseFailureType.StaleVersion:
      return staleProblem(failure.message);
    case CaseFailureType.InvalidCommand:
      return new HttpProblem(400, 'Bad Request', {
        detail: `Lệnh có dữ liệu không hợp lệ. / The command is invalid: ${failure.message}`,
      });
    case CaseFailureType.UnrecordableCommand:
      // The records refused what the command would write (activities/records.ts): no retry can change that.
      return new HttpProblem(422, 'Unprocessable Content', {
        code: 'unrecordable',
        detail: `Không thể ghi lệnh này vào hồ sơ. / The command cannot be recorded: ${failure.message}`,
      });
    case CaseFailureType.WrongExpectedVersion:
    case CaseFailureType.InvalidActivityInput:
    case CaseFailureType.NotificationsPending:
    case undefined:
      // Defects and unknown failures: a 5xx, their details in the log.
      return err;
    default: {
      const unhandled: never = failure;
      return unhandled;
    }
  }
}

/** 412 for a command decided on a version the case has left (If-Match), Vietnamese first. */
function staleProblem(message: string): HttpProblem {
  return new HttpProblem(412, 'Precondition Failed', {
    code: 'stale_version',
    detail: `Hồ sơ đã thay đổi so với phiên bản đã xem; hãy tải lại trước khi quyết định. / ${message}`,
  });
}

/** The problem a decider's rejection becomes: 409, 403 or 422 by its code, naming the case's stage. */
export function domainProblem(
  code: DomainErrorCode,
  message: string,
  stage: string | undefined,
  issues: readonly FieldIssue[] = [],
): HttpProblem {
  const refusal = DOMAIN_REFUSALS[code] ?? DOMAIN_REFUSALS.illegal_in_stage;
  const status = refusal.status;
  return new HttpProblem(status, status === 409 ? 'Conflict' : status === 403 ? 'Forbidden' : 'Unprocessable', {
    // Vietnamese first, then English: field refusals (places, product sets) field by field, others by their code.
    detail: issues.length > 0 ? fieldIssuesDetail(issues) : `${refusal.vi} / ${message}`,
    code,
    ...(stage ? { stage } : {}),
    ...(issues.length > 0 ? { errors: fieldErrors(issues) } : {}),
  });
}

/**
 * A command that opens a case (registration, import), decided by the same pure decider on the empty case before any
 * workflow is started: a refusal then leaves nothing behind. The workflow decides again on its own clock and state
 * (a product id that already has a case is refused there), and ends a run whose opening command it refused.
 */
function refuseOpeningCommand(command: Command, actor: Actor): HttpProblem | null {
  try {
    decide(command, initialState, { now: new Date().toISOString(), actor });
    return null;
  } catch (err) {
    if (err instanceof DomainError) return domainProblem(err.code, err.message, err.stage, err.issues);
    throw err;
  }
}

/** A decider's field refusals as a problem's `errors`, under the body's field names. */
export function fieldErrors(issues: readonly FieldIssue[]): NonNullable<Problem['errors']> {
  return issues.map((i) => ({ field: `body.${i.field}`, message: i.vi, messageEn: i.en }));
}

/** The `detail` of a field refusal: every reason in Vietnamese, then in English. */
export function fieldIssuesDetail(issues: readonly FieldIssue[]): string {
  return `${issues.map((i) => `${i.field}: ${i.vi}`).join(' ')} — ${issues.map((i) => `${i.field}: ${i.en}`).join(' ')}`;
}

/** The answer to a command on an existing case: the case as the read model now holds it, and what was recorded. */
export interface CommandAnswer {
  case: CaseDetail;
  events: RecordedEvent[];
}

export interface ExecuteOptions {
  user: Principal;
  /** The caller's Idempotency-Key. */
  key: string;
  /** Route template, part of the request's fingerprint. */
  route: string;
  /** The product the command is for; for registration, derived from the key. */
  productId: string;
  /** The validated body, part of the request's fingerprint. */
  body: unknown;
  command: Command;
  /** Registration and import start the case's workflow; other commands need a case the caller can see. */
  start?: boolean;
  /** The If-Match header, if any: the case version the caller last saw. */
  ifMatch?: string | undefined;
}

export interface ExecutedCommand {
  status: number;
  body: CommandAnswer;
  /** The answer was stored by an earlier request with the same key. */
  replayed: boolean;
}

/** The entity tags of an If-Match header, unquoted and without their weak prefix (`"3", W/"4"` → `3`, `4`). */
function ifMatchTags(header: string): string[] {
  return header.split(',').map((t) => t.trim().replace(/^W\//, '').replaceAll('"', ''));
}

/** Whether an If-Match header names this version (`"3"`, `W/"3"`, `3` or `*`). */
export function matchesVersion(header: string, version: number): boolean {
  return ifMatchTags(header).some((t) => t === '*' || t === String(version));
}

export const etagOf = (version: number): string => `"${version}"`;

/** The one version an If-Match header names, or undefined for `*` or a list (checked against the read model only). */
function exactVersion(header: string): number | undefined {
  const tags = ifMatchTags(header);
  if (tags.length !== 1 || !/^\d+$/.test(tags[0]!)) return undefined;
  return Number(tags[0]);
}

/** The request's fingerprint: route, target product (for a command on a case) and canonical body. */
export function requestFingerprint(o: Pick<ExecuteOptions, 'route' | 'start' | 'productId' | 'body'>): string {
  return fingerprintOf(o.route, o.start ? '' : o.productId, o.body);
}

/** The commands the workflow decides with the province's rounds. */
const ROUND_COMMANDS: ReadonlySet<string> = new Set(['AssignToProvincialRound', 'ConveneCouncil']);

/**
 * Runs a user's command end to end, exactly once per (caller, Idempotency-Key) (api/idempotency.ts): a stored answer
 * only to a caller who may still see its case (404 otherwise); for a new request visibility (404), auditors (403) and
 * If-Match (412) before it claims the key, then the workflow Update, whose definitive answer completes the claim.
 */
export class CommandService {
  private readonly idempotency: Idempotency;

  constructor(
    private readonly sql: Sql,
    private readonly gateway: CommandGateway,
    options: IdempotencyOptions = {},
  ) {
    this.idempotency = new Idempotency(sql, options);
  }

  async execute(o: ExecuteOptions): Promise<ExecutedCommand> {
    return this.idempotency.once<CommandAnswer>({
      user: o.user,
      key: o.key,
      fingerprint: requestFingerprint(o),
      target: o.productId,
      admit: () => this.admit(o),
      checkReplay: async (productId) => {
        const current = await getCase(this.sql, productId);
        // A registration or import the decider refused may have opened no case; that answer concerns the caller alone.
        if (current ? !canSee(o.user, current) : !o.start) throw caseNotFound(productId);
      },
      run: () => this.run(o),
      // A decider's rejection is definitive for this key; anything else (404, outage) may be retried.
      // A timeout (503 command_timeout) is not: the command goes on, and a retry attaches to it.
      definitive: (problem) => problem.status < 500 && (problem.extra.code !== undefined || problem.status === 400),
    });
  }

  /** The checks before a request may claim its key; none of their refusals is the key's answer. */
  private async admit(o: ExecuteOptions): Promise<void> {
    await this.admitCaller(o);
    // Places and product sets are refused here already, before any workflow is started or asked; the decider checks
    // them again on the workflow's clock.
    const issues = commandDataIssues(o.command, localDate(new Date().toISOString()));
    if (issues.length > 0) {
      throw new HttpProblem(422, 'Unprocessable Content', {
        code: 'invalid',
        detail: fieldIssuesDetail(issues),
        errors: fieldErrors(issues),
      });
    }
  }

  /** Who may send it: visibility (404), auditors (403), If-Match (412). */
  private async admitCaller(o: ExecuteOptions): Promise<void> {
    const auditorRefused = () =>
      new HttpProblem(403, 'Forbidden', { code: 'forbidden', detail: 'Auditors read cases; they change none.' });
    if (o.start) {
      if (o.user.role === 'auditor') throw auditorRefused();
      // An import names its product: one the caller may not see is not there for them (never 409 with its stage).
      const existing = await getCase(this.sql, o.productId);
      if (existing && !canSee(o.user, existing)) throw caseNotFound(o.productId);
      return;
    }
    // Visibility first: a case outside the caller's jurisdiction is 404 for everyone, auditors included.
    const current = await getCase(this.sql, o.productId);
    if (!current || !canSee(o.user, current)) throw caseNotFound(o.productId);
    if (o.user.role === 'auditor') throw auditorRefused();
    if (o.ifMatch !== undefined && !matchesVersion(o.ifMatch, current.version)) {
      throw staleProblem(`The case is at version ${current.version}, not ${o.ifMatch}; read it again before deciding.`);
    }
  }

  /** Sends the command (under the claim on its key): the case after it and the events it recorded. */
  private async run(o: ExecuteOptions): Promise<{ status: number; body: CommandAnswer }> {
    const expectedVersion = o.ifMatch === undefined ? undefined : exactVersion(o.ifMatch);
    if (o.start) {
      // Decided on the empty case before any workflow starts: a refusal (the key's answer) leaves nothing behind.
      const refused = refuseOpeningCommand(o.command, actorOf(o.user));
      if (refused) throw refused;
    }
    let result: CommandResult;
    try {
      result = await this.gateway.send({
        productId: o.productId,
        commandId: idempotentId('C', o.user.sub, o.key),
        actor: actorOf(o.user),
        command: o.command,
        start: o.start ?? false,
        // The read above may already be stale: the workflow checks the version again, in order with other commands.
        ...(expectedVersion === undefined ? {} : { expectedVersion }),
        // What the province's rounds are now: an assignment joins an open one, a council may sit as its round's.
        ...(ROUND_COMMANDS.has(o.command.type)
          ? { rounds: await roundsOfProvince(this.sql, o.user.jurisdiction, localDate(new Date().toISOString())) }
          : {}),
      });
    } catch (err) {
      if (o.start && err instanceof HttpProblem) {
        // A case opened meanwhile under this product id by someone the caller may not see: 404, not its stage.
        const existing = await getCase(this.sql, o.productId);
        if (existing && !canSee(o.user, existing)) throw caseNotFound(o.productId);
      }
      throw err;
    }
    const detail = await getCase(this.sql, o.productId);
    if (!detail) throw new Error(`case ${o.productId} has no read-model row after ${o.command.type}`);
    return { status: o.start ? 201 : 200, body: { case: detail, events: result.events } };
  }
}
