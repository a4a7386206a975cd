import { earliest, endOfLocalDay, localDate, startOfLocalDay } from '../calendar';
import type { Certificate } from './state';
import { provincialRoundOf, ruleSetById, ruleSetForCase, ruleSetInForce } from '../rules';
import { parseRoundId, roundIdOf, type Round } from '../rounds/round';
import {
  councilResult,
  defaultQuorum,
  getSheet,
  scoreMemberSheet,
  type CouncilOutcome,
  type ScoreSheet,
  type UnmetMinimum,
} from '../scoring';
import type { RuleSet } from '../rules';
import { isSuccessor, officesForProvince, placeIssues, type PlacesInput } from '../places';
import { productSetIssue } from '../scoring';
import type { Actor, CommandMeta } from './actors';
import { MINISTRY_OFFICE } from './actors';
import { commandMetaSchema, commandSchema, SYSTEM_COMMANDS } from './commands';
import type { Command, CommandInput, CommandOf, CommandType, CouncilResult, SubjectFacts } from './commands';
import { councilIssue, type CouncilSeat } from '../council';
import { DomainError, type DomainErrorCode, type FieldIssue } from './errors';
import type { DomainEvent } from './events';
import {
  DISTRICTS_ABOLISHED_ON,
  bandStar,
  centralRound,
  communeDueFor,
  expiryFor,
  extensionEnd,
  extensionFor,
  provincialRound,
  reRatingDecisionDue,
  recognitionLevel,
  revocationDue,
  transitionalDecisionDue,
  windowFor,
} from './policy';
import { EVALUATION_STAGES, isEvaluating } from './state';
import type { ActiveCase, CaseState, CouncilPanel, EvaluatingCase, Places, Stage } from './state';

/** A bound on the advisory log, so a case's state stays small however long a review runs. */
export const MAX_REVIEW_ENTRIES = 40;

const E = EVALUATION_STAGES;
const HOLDS_CERTIFICATE: readonly Stage[] = ['certified', ...E];
const PRE_DECISION: readonly Stage[] = E.filter((s) => s !== 'recognised');

/**
 * The stages in which each command can apply at all. A command outside its stages is `illegal_in_stage`; inside,
 * the handler still checks the actor, the data and the clock.
 */
export const ALLOWED_STAGES: { readonly [K in CommandType]: readonly Stage[] } = {
  RegisterIdea: ['none'],
  AcceptIdea: ['idea_registered'],
  ReturnIdea: ['idea_registered'],
  ReviseIdea: ['idea_returned'],
  SubmitBusinessPlan: ['idea_accepted'],
  ApproveBusinessPlan: ['plan_submitted'],
  ReturnBusinessPlan: ['plan_submitted'],
  SubmitDossier: ['plan_approved', 'certified', 'not_recognised', 'expired', 'revoked'],
  ReturnDossierForCompletion: ['dossier_submitted', 'commune_assessed', 'forwarded', 'under_review'],
  CompleteDossier: ['dossier_returned'],
  AssessDossierAtCommune: ['dossier_submitted'],
  ForwardDossierToProvince: ['commune_assessed'],
  AssignToProvincialRound: ['forwarded'],
  RequestMoreEvidence: ['under_review'],
  SubmitEvidence: ['evidence_requested'],
  RecordSiteVisit: ['under_review', 'evidence_requested', 'at_ministry'],
  RecordLabTest: ['under_review', 'evidence_requested', 'at_ministry'],
  RecordCouncilResult: ['under_review'],
  ConveneCouncil: ['under_review'],
  SubmitCouncilScores: ['under_review'],
  CloseCouncil: ['under_review'],
  SendToMinistry: ['council_scored'],
  RecordCentralCouncilResult: ['at_ministry'],
  DecideRecognition: ['council_scored', 'central_scored'],
  IssueCertificate: ['recognised'],
  ProposeRevocation: HOLDS_CERTIFICATE,
  RevokeCertificate: HOLDS_CERTIFICATE,
  DismissRevocation: HOLDS_CERTIFICATE,
  WithdrawDossier: [
    'idea_registered',
    'idea_returned',
    'idea_accepted',
    'plan_submitted',
    'plan_approved',
    ...PRE_DECISION,
    'not_recognised',
    'expired',
    'revoked',
  ],
  ImportCertifiedProduct: ['none'],
  ImportDossierInProgress: ['none'],
  UpdatePlaces: [
    'idea_registered',
    'idea_returned',
    'idea_accepted',
    'plan_submitted',
    'plan_approved',
    ...E,
    'certified',
    'not_recognised',
    'expired',
    'revoked',
  ],
  MarkCommuneCheckOverdue: ['dossier_submitted', 'commune_assessed'],
  LapseDossier: ['dossier_returned'],
  MarkEvidenceOverdue: ['evidence_requested'],
  MarkDecisionOverdue: PRE_DECISION.filter((s) => s !== 'dossier_submitted' && s !== 'dossier_returned'),
  OpenReRatingWindow: HOLDS_CERTIFICATE,
  CloseReRatingWindow: HOLDS_CERTIFICATE,
  ExpireCertificate: HOLDS_CERTIFICATE,
  MarkRevocationOverdue: HOLDS_CERTIFICATE,
};

const SYSTEM_SET: ReadonlySet<string> = new Set(SYSTEM_COMMANDS);

interface Ctx {
  command: CommandType;
  stage: Stage;
  now: string;
  today: string;
  actor: Actor;
  /** The readings before issue 14, for runs recorded before them (`CommandMeta.legacyReadings`). */
  legacy: boolean;
  /** `CommandMeta.placeChecks`. */
  placeChecks: boolean;
  /** `CommandMeta.rounds`: null when not given (no round gate). */
  rounds: readonly Round[] | null;
}

function fail(ctx: Ctx, code: DomainErrorCode, message: string): never {
  throw new DomainError(code, ctx.stage, ctx.command, message);
}

function firstIssue(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'invalid input';
}

/**
 * Decide what happens when `command` meets `state`: the events to record, or a DomainError. Pure: the clock and
 * the actor come in `meta`, the rules come from the case's own rule-set.
 */
export function decide(command: Command | CommandInput, state: CaseState, meta: CommandMeta): DomainEvent[] {
  const stage = state.status;
  const rawType = (command as { type?: unknown }).type;
  const type = typeof rawType === 'string' ? rawType : '(none)';
  const parsedMeta = commandMetaSchema.safeParse(meta);
  if (!parsedMeta.success) {
    throw new DomainError('invalid', stage, type, `Invalid command metadata: ${firstIssue(parsedMeta.error)}.`);
  }
  const parsed = commandSchema.safeParse(command);
  if (!parsed.success) {
    throw new DomainError('invalid', stage, type, `Invalid ${type} command: ${firstIssue(parsed.error)}.`);
  }
  const cmd = parsed.data;
  const ctx: Ctx = {
    command: cmd.type,
    stage,
    now: parsedMeta.data.now,
    today: localDate(parsedMeta.data.now),
    actor: parsedMeta.data.actor,
    legacy: parsedMeta.data.legacyReadings === true,
    placeChecks: meta.placeChecks !== false,
    rounds: meta.rounds ?? null,
  };

  if (!ALLOWED_STAGES[cmd.type].includes(stage)) {
    fail(ctx, 'illegal_in_stage', `${cmd.type} is not possible while the case is in stage '${stage}'.`);
  }
  if (SYSTEM_SET.has(cmd.type) !== (ctx.actor.role === 'system')) {
    fail(
      ctx,
      'forbidden',
      SYSTEM_SET.has(cmd.type)
        ? `${cmd.type} is run by the workflow when a deadline elapses, not by a user.`
        : `The system actor only runs deadline commands, not ${cmd.type}.`,
    );
  }

  try {
    return dispatch(cmd, state, ctx);
  } catch (error) {
    // Dates outside what the calendar or the rule-sets know are the caller's input, not a bug.
    if (error instanceof DomainError || !(error instanceof Error)) throw error;
    if (INPUT_ERRORS.has(error.name)) fail(ctx, 'invalid', error.message);
    throw error;
  }
}

const INPUT_ERRORS: ReadonlySet<string> = new Set([
  'NoRuleSetInForceError',
  'RuleNotDefinedError',
  'InvalidCaseDatesError',
  'InvalidDateError',
  'CalendarRangeError',
]);

function dispatch(cmd: Command, state: CaseState, ctx: Ctx): DomainEvent[] {
  const stage = state.status;
  if (state.status === 'none') {
    if (cmd.type === 'RegisterIdea') return registerIdea(cmd, ctx);
    if (cmd.type === 'ImportCertifiedProduct') return importCertifiedProduct(cmd, ctx);
    if (cmd.type === 'ImportDossierInProgress') return importDossierInProgress(cmd, ctx);
    return fail(ctx, 'illegal_in_stage', `${cmd.type} is not possible while the case is in stage 'none'.`);
  }
  const s: ActiveCase = state;

  switch (cmd.type) {
    case 'RegisterIdea':
    case 'ImportCertifiedProduct':
    case 'ImportDossierInProgress':
      return fail(ctx, 'illegal_in_stage', `${cmd.type} is not possible while the case is in stage '${stage}'.`);
    case 'AcceptIdea':
      requireCommune(s, ctx);
      return [{ type: 'IdeaAccepted', data: { note: cmd.data.note ?? null, acceptedOn: ctx.today } }];
    case 'ReturnIdea':
      requireCommune(s, ctx);
      return [{ type: 'IdeaReturned', data: { reason: cmd.data.reason, returnedOn: ctx.today } }];
    case 'ReviseIdea':
      requireSubject(s, ctx);
      return [{ type: 'IdeaRevised', data: { ideaSummary: cmd.data.ideaSummary, revisedOn: ctx.today } }];
    case 'SubmitBusinessPlan':
      requireSubject(s, ctx);
      return [
        {
          type: 'BusinessPlanSubmitted',
          data: { planRef: cmd.data.planRef, summary: cmd.data.summary ?? null, submittedOn: ctx.today },
        },
      ];
    case 'ApproveBusinessPlan':
      requireCommune(s, ctx);
      return [{ type: 'BusinessPlanApproved', data: { note: cmd.data.note ?? null, approvedOn: ctx.today } }];
    case 'ReturnBusinessPlan':
      requireCommune(s, ctx);
      return [{ type: 'BusinessPlanReturned', data: { reason: cmd.data.reason, returnedOn: ctx.today } }];
    case 'SubmitDossier':
      return submitDossier(cmd, s, ctx);
    case 'ReturnDossierForCompletion':
      return returnDossier(cmd, evaluating(s, ctx), ctx);
    case 'CompleteDossier':
      return completeDossier(cmd, evaluating(s, ctx), ctx);
    case 'AssessDossierAtCommune':
      requireCommune(s, ctx);
      return [
        { type: 'CommuneAssessed', data: { ...cmd.data, proposal: cmd.data.proposal ?? null, assessedOn: ctx.today } },
      ];
    case 'ForwardDossierToProvince':
      return forwardDossier(cmd, evaluating(s, ctx), ctx);
    case 'AssignToProvincialRound':
      return assignToRound(cmd, evaluating(s, ctx), ctx);
    case 'RequestMoreEvidence':
      requireProvince(s, ctx);
      if (cmd.data.dueDate < ctx.today) fail(ctx, 'invalid', `The due date ${cmd.data.dueDate} is already past.`);
      reviewRoom(evaluating(s, ctx), ctx);
      return [
        {
          type: 'EvidenceRequested',
          data: { items: cmd.data.items, dueDate: cmd.data.dueDate, requestedOn: ctx.today },
        },
      ];
    case 'SubmitEvidence': {
      const c = evaluating(s, ctx);
      requireSubject(s, ctx);
      const due = c.evaluation.evidenceDue;
      if (due != null && ctx.today > due) {
        fail(ctx, 'deadline_passed', `The evidence was due by ${due}; the advisory team proceeds without it.`);
      }
      return [
        {
          type: 'EvidenceSubmitted',
          data: { evidenceRefs: cmd.data.evidenceRefs, note: cmd.data.note ?? null, submittedOn: ctx.today },
        },
      ];
    }
    case 'RecordSiteVisit': {
      const by = reviewer(s, ctx);
      reviewRoom(evaluating(s, ctx), ctx);
      if (cmd.data.visitedOn > ctx.today)
        fail(ctx, 'invalid', `A site visit on ${cmd.data.visitedOn} is in the future.`);
      return [{ type: 'SiteVisitRecorded', data: { ...cmd.data, by } }];
    }
    case 'RecordLabTest': {
      const by = reviewer(s, ctx);
      reviewRoom(evaluating(s, ctx), ctx);
      if (cmd.data.testedOn > ctx.today) fail(ctx, 'invalid', `A lab test on ${cmd.data.testedOn} is in the future.`);
      return [{ type: 'LabTestRecorded', data: { ...cmd.data, by } }];
    }
    case 'RecordCouncilResult':
      return recordCouncilResult(cmd.data, evaluating(s, ctx), ctx, 'province');
    case 'ConveneCouncil':
      return conveneCouncil(cmd, evaluating(s, ctx), ctx);
    case 'SubmitCouncilScores':
      return submitCouncilScores(cmd, evaluating(s, ctx), ctx);
    case 'CloseCouncil':
      return closeCouncil(cmd, evaluating(s, ctx), ctx);
    case 'SendToMinistry':
      return sendToMinistry(cmd, evaluating(s, ctx), ctx);
    case 'RecordCentralCouncilResult':
      return recordCouncilResult(cmd.data, evaluating(s, ctx), ctx, 'ministry');
    case 'DecideRecognition':
      return decideRecognition(cmd, evaluating(s, ctx), ctx);
    case 'IssueCertificate':
      return issueCertificate(cmd, evaluating(s, ctx), ctx);
    case 'ProposeRevocation':
      return proposeRevocation(cmd, s, ctx);
    case 'RevokeCertificate':
      return revokeCertificate(cmd, s, ctx);
    case 'DismissRevocation':
      certificateOf(s, ctx);
      requireRevocationAuthority(s, ctx);
      if (!s.revocation) fail(ctx, 'invalid', 'No revocation is pending.');
      return [{ type: 'RevocationDismissed', data: { reason: cmd.data.reason, dismissedOn: ctx.today } }];
    case 'WithdrawDossier':
      requireSubject(s, ctx);
      return [
        ...endCycleEvents(s, ctx),
        {
          type: 'DossierWithdrawn',
          data: { reason: cmd.data.reason, withdrawnOn: ctx.today, keepsCertificate: keepsCertificate(s) },
        },
      ];
    case 'UpdatePlaces':
      return updatePlaces(cmd, s, ctx);
    case 'MarkCommuneCheckOverdue': {
      const e = evaluating(s, ctx).evaluation;
      if (e.communeDue == null || e.communeOverdue) fail(ctx, 'not_due', 'No commune deadline is pending.');
      due(ctx, endOfLocalDay(e.communeDue));
      return [{ type: 'CommuneCheckOverdue', data: { due: e.communeDue } }];
    }
    case 'LapseDossier': {
      const c = evaluating(s, ctx);
      const returned = c.evaluation.returned;
      if (!returned) return fail(ctx, 'not_due', 'The dossier is not waiting for completion.');
      due(ctx, endOfLocalDay(returned.completeBy));
      return [
        ...endCycleEvents(c, ctx),
        { type: 'DossierLapsed', data: { completeBy: returned.completeBy, lapsedOn: ctx.today } },
      ];
    }
    case 'MarkEvidenceOverdue': {
      const dueDate = evaluating(s, ctx).evaluation.evidenceDue;
      if (dueDate == null) return fail(ctx, 'not_due', 'No evidence request is pending.');
      due(ctx, endOfLocalDay(dueDate));
      return [{ type: 'EvidenceOverdue', data: { dueDate } }];
    }
    case 'MarkDecisionOverdue': {
      const e = evaluating(s, ctx).evaluation;
      if (e.decisionDue == null || e.decisionOverdue) fail(ctx, 'not_due', 'No decision deadline is pending.');
      due(ctx, endOfLocalDay(e.decisionDue));
      return [{ type: 'DecisionOverdue', data: { due: e.decisionDue } }];
    }
    case 'OpenReRatingWindow': {
      const w = certificateOf(s, ctx).reRatingWindow;
      if (!w || w.state !== 'pending') return fail(ctx, 'not_due', 'No re-rating window is waiting to open.');
      due(ctx, startOfLocalDay(w.opens));
      return [{ type: 'ReRatingWindowOpened', data: { opens: w.opens, closes: w.closes } }];
    }
    case 'CloseReRatingWindow': {
      const w = certificateOf(s, ctx).reRatingWindow;
      if (!w || w.state !== 'open') return fail(ctx, 'not_due', 'No re-rating window is open.');
      due(ctx, endOfLocalDay(w.closes));
      return [{ type: 'ReRatingWindowClosed', data: { closes: w.closes } }];
    }
    case 'ExpireCertificate':
      return expireCertificate(s, ctx);
    case 'MarkRevocationOverdue': {
      certificateOf(s, ctx);
      const r = s.revocation;
      if (!r || r.overdue) return fail(ctx, 'not_due', 'No revocation is waiting for a decision.');
      due(ctx, endOfLocalDay(r.decideBy));
      return [{ type: 'RevocationOverdue', data: { decideBy: r.decideBy } }];
    }
    default:
      return assertNever(cmd);
  }
}

function assertNever(x: never): never {
  throw new Error(`Unhandled command ${JSON.stringify(x)}`);
}

// ---------------------------------------------------------------------------------------------- who may act

function isSubjectOf(subjectId: string, actor: Actor): boolean {
  return actor.role === 'subject' && (actor.office === subjectId || actor.userId === subjectId);
}

function requireSubject(s: ActiveCase, ctx: Ctx): void {
  if (!isSubjectOf(s.subjectId, ctx.actor)) {
    fail(ctx, 'forbidden', `Only the subject ${s.subjectId} may ${verb(ctx.command)}.`);
  }
}

function requireCommune(s: ActiveCase, ctx: Ctx): void {
  const { role, office } = ctx.actor;
  if (role !== 'commune_officer' || office !== s.places.communeCode) {
    fail(ctx, 'forbidden', `Only an officer of commune ${s.places.communeCode} may ${verb(ctx.command)}.`);
  }
}

function requireProvince(s: ActiveCase, ctx: Ctx): void {
  const { role, office } = ctx.actor;
  // A case of a province abolished on 01/07/2025 is also its successor's until it is re-homed.
  if (role !== 'provincial_office' || !officesForProvince(s.places.provinceCode).includes(office)) {
    fail(ctx, 'forbidden', `Only the OCOP office of province ${s.places.provinceCode} may ${verb(ctx.command)}.`);
  }
}

function requireMinistry(ctx: Ctx): void {
  if (ctx.actor.role !== 'ministry' || ctx.actor.office !== MINISTRY_OFFICE) {
    fail(ctx, 'forbidden', `Only the Ministry of Agriculture and Environment may ${verb(ctx.command)}.`);
  }
}

/** Advisory work belongs to the province's team, or the Ministry's once the dossier is there. */
function reviewer(s: ActiveCase, ctx: Ctx): 'province' | 'ministry' {
  if (s.status === 'at_ministry') {
    requireMinistry(ctx);
    return 'ministry';
  }
  requireProvince(s, ctx);
  return 'province';
}

/** Art. 8.2: the provincial chair revokes 3★/4★ (district certificates included), the Minister 5★. */
function requireRevocationAuthority(s: ActiveCase, ctx: Ctx): 'province' | 'ministry' {
  const certificate = certificateOf(s, ctx);
  if (certificate.star === 5) {
    requireMinistry(ctx);
    return 'ministry';
  }
  requireProvince(s, ctx);
  return 'province';
}

function verb(command: CommandType): string {
  return command.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** A local date as Vietnamese documents print it, dd/MM/yyyy. */
function vn(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

/**
 * Whether a re-rating of `certificate` may be filed on `filedOn`, and if so whether it is late (after T−120).
 * QĐ 26/2026 art. 7.6a: filed from T−180 through T−120. Art. 12.3, a transitional provision, covers only the
 * certificates whose window the decision's entry into force made impossible to meet in full: they may file until
 * expiry. Any other filing after the window closed is refused, naming the window (legacy runs: accepted, late).
 */
function reRatingFiling(
  certificate: Pick<Certificate, 'number' | 'expiresOn'> & { reRatingWindow: { opens: string; closes: string } | null },
  filedOn: string,
  ctx: Ctx,
): boolean {
  const w = certificate.reRatingWindow;
  if (w && filedOn < w.opens) {
    fail(
      ctx,
      'not_yet_open',
      `Re-rating opens on ${w.opens} (180 days before expiry on ${certificate.expiresOn}): the window of ` +
        `certificate ${certificate.number} runs from ${vn(w.opens)} to ${vn(w.closes)} (QĐ 26/2026 art. 7.6a).`,
    );
  }
  if (ctx.legacy) return w != null && filedOn > w.closes;
  if (w) {
    if (filedOn > w.closes) {
      fail(
        ctx,
        'deadline_passed',
        `The re-rating window of certificate ${certificate.number} ran from ${vn(w.opens)} to ${vn(w.closes)} ` +
          `(QĐ 26/2026 art. 7.6a) and has closed: a re-rating can no longer be filed, and the certificate expires on ` +
          `${vn(certificate.expiresOn)}. The extension of art. 12.3 covers only certificates whose window had ` +
          `already opened on 22/05/2026, when the decision took effect.`,
      );
    }
    return false;
  }
  // Filed under QĐ 26/2026 after the window it could not meet: late, but allowed (art. 12.3). Before 22/05/2026 the
  // old rules had no window, so nothing was late.
  const extension = extensionFor(certificate.expiresOn);
  return extension != null && filedOn > extension.window.closes && ruleSetInForce(filedOn).reRatingWindow != null;
}

// --------------------------------------------------------------------------------------------- state access

function evaluating(s: ActiveCase, ctx: Ctx): EvaluatingCase {
  if (!isEvaluating(s)) return fail(ctx, 'illegal_in_stage', `No evaluation is under way (stage '${ctx.stage}').`);
  return s;
}

function certificateOf(s: ActiveCase, ctx: Ctx) {
  if (!s.certificate) {
    return fail(ctx, 'illegal_in_stage', `The case holds no valid certificate (stage '${ctx.stage}').`);
  }
  return s.certificate;
}

function ruleSetOf(s: ActiveCase): RuleSet {
  return ruleSetById(isEvaluating(s) ? s.evaluation.ruleSetId : s.ruleSetId);
}

/** System commands run at or after their deadline, never before. */
function due(ctx: Ctx, dueInstant: string): void {
  if (Date.parse(ctx.now) < Date.parse(dueInstant)) {
    fail(ctx, 'not_due', `${ctx.command} is due at ${dueInstant}, not yet at ${ctx.now}.`);
  }
}

function reviewRoom(c: EvaluatingCase, ctx: Ctx): void {
  if (c.evaluation.review.length >= MAX_REVIEW_ENTRIES) {
    fail(ctx, 'invalid', `The advisory review already has ${MAX_REVIEW_ENTRIES} entries; record the council result.`);
  }
}

function keepsCertificate(s: ActiveCase): boolean {
  return s.certificate != null && s.certificate.extendedUntil == null;
}

/**
 * Events that end the current cycle's hold on the certificate: a certificate kept alive only because a re-rating
 * was pending (Art. 12.3) ends with that re-rating.
 */
function endCycleEvents(s: ActiveCase, ctx: Ctx): DomainEvent[] {
  const c = s.certificate;
  if (!c || c.extendedUntil == null) return [];
  return [
    {
      type: 'CertificateExpired',
      data: { certificateNumber: c.number, expiresOn: c.expiresOn, endedOn: ctx.today, reason: 're_rating_ended' },
    },
  ];
}

// ------------------------------------------------------------------------------------------------ handlers

/** Refuses the command naming each field and why (422, in Vietnamese and English). */
function refuseFields(ctx: Ctx, issues: FieldIssue[]): never {
  throw new DomainError('invalid', ctx.stage, ctx.command, issues.map((i) => `${i.field}: ${i.en}`).join(' '), issues);
}

/**
 * What is wrong with a product set (Annex I) and places (the administrative units valid on one of `dates`, the
 * command's business dates, the first being the one reported). Pure; empty when all is valid.
 */
export function dataIssues(productSetCode: string | null, places: PlacesInput, dates: readonly string[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const set = productSetCode === null ? null : productSetIssue(productSetCode);
  if (set) issues.push({ field: 'productSetCode', ...set });
  const byDate = dates.map((date) => placeIssues(places, date));
  if (!byDate.some((found) => found.length === 0)) issues.push(...(byDate[0] ?? []));
  return issues;
}

/**
 * The place and product-set issues of a command that names them, as the decider checks them with `today` as the
 * workflow's date: registration on that day, an import on its certificate's issue or dossier's filing date (or
 * today), a move on that day. For the API's early refusal; the decider checks again with the workflow's clock.
 */
export function commandDataIssues(command: Command, today: string): FieldIssue[] {
  switch (command.type) {
    case 'RegisterIdea':
      return dataIssues(command.data.productSetCode, command.data, [today]);
    case 'ImportCertifiedProduct':
      return dataIssues(command.data.productSetCode, command.data, [command.data.certificate.issuedOn, today]);
    case 'ImportDossierInProgress':
      return dataIssues(command.data.productSetCode, command.data, [command.data.dossier.filedOn, today]);
    case 'UpdatePlaces':
      return dataIssues(null, command.data, [today]);
    default:
      return [];
  }
}

/** Refuses the command with its place and product-set issues, unless the run predates these checks. */
function checkData(ctx: Ctx, productSetCode: string | null, places: PlacesInput, dates: readonly string[]): void {
  if (!ctx.placeChecks) return;
  const issues = dataIssues(productSetCode, places, dates);
  if (issues.length > 0) refuseFields(ctx, issues);
}

/**
 * The subject's facts, when the command states them: the key is left out otherwise, so that events without facts are
 * recorded exactly as before issue 19 (the same canonical bytes, the same hash chain on replay).
 */
function factsOf(d: { subjectFacts?: SubjectFacts | undefined }): { subjectFacts?: SubjectFacts } {
  return d.subjectFacts ? { subjectFacts: d.subjectFacts } : {};
}

function registerIdea(cmd: CommandOf<'RegisterIdea'>, ctx: Ctx): DomainEvent[] {
  const d = cmd.data;
  const { role, office } = ctx.actor;
  const allowed = isSubjectOf(d.subjectId, ctx.actor) || (role === 'commune_officer' && office === d.communeCode);
  if (!allowed) {
    fail(
      ctx,
      'forbidden',
      `Only the subject ${d.subjectId} or an officer of commune ${d.communeCode} may register the idea.`,
    );
  }
  checkData(ctx, d.productSetCode, d, [ctx.today]);
  return [
    {
      type: 'IdeaRegistered',
      data: {
        productId: d.productId,
        subjectId: d.subjectId,
        subjectName: d.subjectName,
        productName: d.productName,
        productSetCode: d.productSetCode,
        places: { provinceCode: d.provinceCode, communeCode: d.communeCode, districtCode: d.districtCode ?? null },
        ideaSummary: d.ideaSummary ?? null,
        registeredOn: ctx.today,
        ruleSetId: ruleSetInForce(ctx.today).id,
        ...factsOf(d),
      },
    },
  ];
}

/** Migrations from paper are the administrator's or the case's own provincial office's. */
function requireImporter(provinceCode: string, ctx: Ctx, what: string): void {
  const { role, office } = ctx.actor;
  if (!(role === 'admin' || (role === 'provincial_office' && officesForProvince(provinceCode).includes(office)))) {
    fail(ctx, 'forbidden', `Only an administrator or the OCOP office of province ${provinceCode} may import ${what}.`);
  }
}

function importCertifiedProduct(cmd: CommandOf<'ImportCertifiedProduct'>, ctx: Ctx): DomainEvent[] {
  const d = cmd.data;
  requireImporter(d.provinceCode, ctx, 'a product');
  const c = d.certificate;
  // The places as printed on the certificate (valid on its issue date) or the product's places today.
  checkData(ctx, d.productSetCode, d, [c.issuedOn, ctx.today]);
  const ruleSet = ruleSetById(d.ruleSetId);
  if (c.expiresOn <= c.issuedOn) fail(ctx, 'invalid', `The certificate expires (${c.expiresOn}) before it was issued.`);
  if (c.issuedOn > ctx.today) fail(ctx, 'invalid', `The certificate's issue date ${c.issuedOn} is in the future.`);
  if (ruleSet.inForceFrom > c.issuedOn) {
    fail(ctx, 'invalid', `${ruleSet.title} was not yet in force on ${c.issuedOn}, when the certificate was issued.`);
  }
  if (ctx.legacy) {
    const expected = ruleSet.recognisers[c.star];
    // A province may have recognised a 3★ itself after the districts were abolished, under the same rule-set.
    const levelFits = c.level === expected || (expected === 'district' && c.level === 'province');
    if (!levelFits) {
      fail(
        ctx,
        'invalid',
        `Under ${ruleSet.title} a ${c.star}★ certificate is issued by the ${expected}, not the ${c.level}.`,
      );
    }
    if (c.level === 'district' && c.issuedOn >= DISTRICTS_ABOLISHED_ON) {
      fail(ctx, 'invalid', `Districts issued no certificates after ${DISTRICTS_ABOLISHED_ON}.`);
    }
  } else {
    checkIssuedUnder(d.ruleSetId, c, ctx);
    checkNumbering(d, c.issuedOn, ctx);
  }
  const window = windowFor(c.expiresOn);
  return [
    {
      type: 'CertifiedProductImported',
      data: {
        productId: d.productId,
        subjectId: d.subjectId,
        subjectName: d.subjectName,
        productName: d.productName,
        productSetCode: d.productSetCode,
        places: { provinceCode: d.provinceCode, communeCode: d.communeCode, districtCode: d.districtCode ?? null },
        ruleSetId: d.ruleSetId,
        certificate: {
          certificateNumber: c.number,
          star: c.star,
          level: c.level,
          issuedOn: c.issuedOn,
          expiresOn: c.expiresOn,
          termNo: 1,
          ruleSetId: d.ruleSetId,
          reRatingWindow: window,
          decisionNumber: c.decisionNumber ?? null,
          issuedBy: c.issuedBy ?? null,
        },
        source: d.source ?? null,
        importedOn: ctx.today,
        ...factsOf(d),
      },
    },
    ...(d.reRatingDossier
      ? importedReRating(
          d.reRatingDossier,
          { number: c.number, expiresOn: c.expiresOn, issuedOn: c.issuedOn, window },
          ctx,
        )
      : []),
  ];
}

/**
 * An imported certificate follows the rule-set in force on its issue date: that rule-set's id, its validity
 * (36 months from issue, counted as `certificateExpiry` does) and its recogniser for the star (a district under
 * QĐ 148/2023 for 3★ until the districts were abolished). Anything else is refused naming the field and the clause.
 */
function checkIssuedUnder(
  ruleSetId: RuleSet['id'],
  c: { star: 3 | 4 | 5; level: string; issuedOn: string; expiresOn: string },
  ctx: Ctx,
): void {
  const inForce = ruleSetInForce(c.issuedOn);
  if (ruleSetId !== inForce.id) {
    fail(
      ctx,
      'invalid',
      `ruleSetId: a certificate issued on ${vn(c.issuedOn)} was issued under ${inForce.title} (${inForce.id}, in ` +
        `force from ${vn(inForce.inForceFrom)}), not under ${ruleSetById(ruleSetId).title} (${ruleSetId}).`,
    );
  }
  const expiresOn = expiryFor(c.issuedOn, inForce);
  if (c.expiresOn !== expiresOn) {
    fail(
      ctx,
      'invalid',
      `certificate.expiresOn: ${inForce.clauses.validity}, so a certificate issued on ${vn(c.issuedOn)} is valid ` +
        `through ${vn(expiresOn)}, not ${vn(c.expiresOn)}.`,
    );
  }
  const level = recognitionLevel(c.star, inForce, c.issuedOn);
  if (c.level !== level) {
    fail(
      ctx,
      'invalid',
      `certificate.level: ${inForce.clauses.recognisers}; a ${c.star}★ certificate issued on ${vn(c.issuedOn)} ` +
        `was recognised by the ${level}, not the ${c.level}.`,
    );
  }
}

/**
 * Under a rule-set that prints the product's numbering (QĐ 26/2026 Annex II: "(T)-(X)-(STT)-20…"), an imported
 * product's code, kept as its id, is that number: its province and commune codes, the commune's serial, and an
 * evaluation year no later than the certificate's issue.
 */
function checkNumbering(
  d: { productId: string; provinceCode: string; communeCode: string },
  issuedOn: string,
  ctx: Ctx,
): void {
  const numbering = ruleSetInForce(issuedOn).productNumbering;
  if (!numbering) return;
  const prefix = `${d.provinceCode}-${d.communeCode}-`;
  const rest = d.productId.startsWith(prefix) ? /^\d+-(\d{4})$/.exec(d.productId.slice(prefix.length)) : null;
  const fits = rest != null && rest[1]! <= issuedOn.slice(0, 4);
  if (!fits) {
    fail(
      ctx,
      'invalid',
      `productId: ${numbering.clause}: a product certified on ${vn(issuedOn)} is numbered ` +
        `(T)-(X)-(STT)-year, here ${d.provinceCode}-${d.communeCode}-<serial>-<year ≤ ${issuedOn.slice(0, 4)}>, ` +
        `not ${d.productId}.`,
    );
  }
}

/**
 * The re-rating dossier an import brings: filed at the commune while the certificate was valid (inside its art. 7.6a
 * window, or at any time before expiry where art. 12.3 covers it) and forwarded to the province, so the case
 * arrives with the dossier at the province and its 45-day limit (art. 7.6g) running from the forwarding.
 */
function importedReRating(
  r: { dossierRef: string; filedOn: string; forwardedOn: string; letterRef?: string | undefined },
  c: { number: string; issuedOn: string; expiresOn: string; window: { opens: string; closes: string } | null },
  ctx: Ctx,
): DomainEvent[] {
  if (r.forwardedOn < r.filedOn) {
    fail(
      ctx,
      'invalid',
      `reRatingDossier.forwardedOn: the dossier was forwarded (${r.forwardedOn}) before it was filed.`,
    );
  }
  if (r.forwardedOn > ctx.today) {
    fail(ctx, 'invalid', `reRatingDossier.forwardedOn: the forwarding date ${r.forwardedOn} is in the future.`);
  }
  if (r.filedOn < c.issuedOn || r.filedOn > c.expiresOn) {
    fail(
      ctx,
      'invalid',
      `reRatingDossier.filedOn: a re-rating is filed while the certificate is valid, from ${vn(c.issuedOn)} to ` +
        `${vn(c.expiresOn)}, not on ${vn(r.filedOn)}.`,
    );
  }
  const late = reRatingFiling({ number: c.number, expiresOn: c.expiresOn, reRatingWindow: c.window }, r.filedOn, ctx);
  const ruleSet = ruleSetForCase({ filedOn: r.filedOn });
  const transitional = transitionalDecisionDue(ruleSet, 're_rating');
  return [
    {
      type: 'DossierSubmitted',
      data: {
        cycleNo: 1,
        kind: 're_rating',
        ruleSetId: ruleSet.id,
        dossierRef: r.dossierRef,
        selfAssessedScore: null,
        sampleCount: null,
        filedOn: r.filedOn,
        late,
        // The commune's check was done on paper.
        communeDue: null,
        decisionDue: transitional,
      },
    },
    {
      type: 'DossierForwarded',
      data: {
        letterRef: r.letterRef ?? r.dossierRef,
        sampleCount: null,
        forwardedOn: r.forwardedOn,
        decisionDue: earliest(transitional, reRatingDecisionDue(r.forwardedOn, ruleSet)),
      },
    },
  ];
}

function importDossierInProgress(cmd: CommandOf<'ImportDossierInProgress'>, ctx: Ctx): DomainEvent[] {
  const d = cmd.data;
  requireImporter(d.provinceCode, ctx, 'a dossier');
  const { filedOn, forwardedOn, dossierRef } = d.dossier;
  checkData(ctx, d.productSetCode, d, [filedOn, ctx.today]);
  if (forwardedOn < filedOn) fail(ctx, 'invalid', `The dossier was forwarded (${forwardedOn}) before it was filed.`);
  if (forwardedOn > ctx.today) fail(ctx, 'invalid', `The forwarding date ${forwardedOn} is in the future.`);
  // Judged by the rules in force when it was filed, whatever is in force today (Art. 12.2 QĐ 26/2026).
  const ruleSet = ruleSetForCase({ filedOn });
  return [
    {
      type: 'DossierInProgressImported',
      data: {
        productId: d.productId,
        subjectId: d.subjectId,
        subjectName: d.subjectName,
        productName: d.productName,
        productSetCode: d.productSetCode,
        places: { provinceCode: d.provinceCode, communeCode: d.communeCode, districtCode: d.districtCode ?? null },
        ruleSetId: ruleSet.id,
        cycleNo: 1,
        kind: 'first',
        dossierRef,
        filedOn,
        forwardedOn,
        decisionDue: transitionalDecisionDue(ruleSet, 'first'),
        source: d.source ?? null,
        importedOn: ctx.today,
        ...factsOf(d),
      },
    },
  ];
}

function submitDossier(cmd: CommandOf<'SubmitDossier'>, s: ActiveCase, ctx: Ctx): DomainEvent[] {
  requireSubject(s, ctx);
  const { kind } = cmd.data;
  const certificate = s.status === 'certified' ? s.certificate : null;
  let late = false;
  if (kind === 'first') {
    if (certificate) {
      fail(
        ctx,
        'invalid',
        `The product holds a ${certificate.star}★ certificate; file an upgrade or a re-rating instead.`,
      );
    }
  } else {
    if (!certificate) {
      fail(ctx, 'invalid', `Only a certified product can file ${kind === 'upgrade' ? 'an upgrade' : 'a re-rating'}.`);
    }
    if (kind === 'upgrade' && certificate.star === 5) {
      fail(ctx, 'star_not_allowed', 'A 5★ product cannot be upgraded.');
    }
    if (kind === 're_rating') late = reRatingFiling(certificate, ctx.today, ctx);
  }
  const ruleSet = ruleSetForCase({ filedOn: ctx.today });
  return [
    {
      type: 'DossierSubmitted',
      data: {
        cycleNo: s.cycleNo + 1,
        kind,
        ruleSetId: ruleSet.id,
        dossierRef: cmd.data.dossierRef,
        selfAssessedScore: cmd.data.selfAssessedScore ?? null,
        sampleCount: cmd.data.sampleCount ?? null,
        filedOn: ctx.today,
        late,
        communeDue: communeDueFor(ctx.today, ruleSet),
        decisionDue: transitionalDecisionDue(ruleSet, kind),
        ...factsOf(cmd.data),
      },
    },
  ];
}

function returnDossier(cmd: CommandOf<'ReturnDossierForCompletion'>, c: EvaluatingCase, ctx: Ctx): DomainEvent[] {
  const atCommune = c.status === 'dossier_submitted' || c.status === 'commune_assessed';
  if (atCommune) requireCommune(c, ctx);
  else requireProvince(c, ctx);
  if (cmd.data.completeBy < ctx.today) {
    fail(ctx, 'invalid', `The completion date ${cmd.data.completeBy} is already past.`);
  }
  return [
    {
      type: 'DossierReturnedForCompletion',
      data: {
        reason: cmd.data.reason,
        missing: cmd.data.missing ?? [],
        completeBy: cmd.data.completeBy,
        returnedOn: ctx.today,
        by: atCommune ? 'commune' : 'province',
      },
    },
  ];
}

function completeDossier(cmd: CommandOf<'CompleteDossier'>, c: EvaluatingCase, ctx: Ctx): DomainEvent[] {
  requireSubject(c, ctx);
  const returned = c.evaluation.returned;
  if (!returned) return fail(ctx, 'illegal_in_stage', `The dossier is not waiting for completion.`);
  if (ctx.today > returned.completeBy) {
    fail(ctx, 'deadline_passed', `The dossier had to be completed by ${returned.completeBy}.`);
  }
  // Back at the commune, the completed dossier counts as newly received: the commune's 15 working days restart.
  const communeDue =
    returned.backTo === 'dossier_submitted' ? communeDueFor(ctx.today, ruleSetById(c.evaluation.ruleSetId)) : null;
  return [
    {
      type: 'DossierCompleted',
      data: { dossierRef: cmd.data.dossierRef, note: cmd.data.note ?? null, completedOn: ctx.today, communeDue },
    },
  ];
}

function forwardDossier(cmd: CommandOf<'ForwardDossierToProvince'>, c: EvaluatingCase, ctx: Ctx): DomainEvent[] {
  requireCommune(c, ctx);
  const e = c.evaluation;
  const ruleSet = ruleSetById(e.ruleSetId);
  const reRatingDue = e.kind === 're_rating' ? reRatingDecisionDue(ctx.today, ruleSet) : null;
  return [
    {
      type: 'DossierForwarded',
      data: {
        letterRef: cmd.data.letterRef,
        sampleCount: cmd.data.sampleCount ?? null,
        forwardedOn: ctx.today,
        decisionDue: earliest(e.decisionDue, reRatingDue),
      },
    },
  ];
}

function assignToRound(cmd: CommandOf<'AssignToProvincialRound'>, c: EvaluatingCase, ctx: Ctx): DomainEvent[] {
  requireProvince(c, ctx);
  const e = c.evaluation;
  const ruleSet = ruleSetById(e.ruleSetId);
  const forwardedOn = e.forwardedOn ?? ctx.today;
  const fixed = provincialRound(forwardedOn, ruleSet);
  let round: { round: number | null; year: number; cutOff: string | null; decideBy: string; roundId?: string };
  const roundId = cmd.data.roundId ?? (fixed ? roundIdOf(ctx.actor.office, fixed.year, fixed.round) : null);
  if (roundId && ctx.rounds) {
    round = openRoundFor(roundId, c, forwardedOn, ctx);
  } else if (fixed) {
    round = fixed;
  } else {
    // Before QĐ 26/2026 each province planned its own rounds; an old case still open has its Art. 12.2 limit.
    const decideBy = cmd.data.decideBy ?? e.decisionDue;
    if (!decideBy) {
      return fail(
        ctx,
        'invalid',
        `${ruleSet.title} fixes no round calendar: give the date the province's plan decides by.`,
      );
    }
    if (decideBy < ctx.today) fail(ctx, 'invalid', `The round's decision date ${decideBy} is past.`);
    round = { round: null, year: Number(decideBy.slice(0, 4)), cutOff: null, decideBy };
  }
  return [
    {
      type: 'AssignedToRound',
      data: {
        ...round,
        label: cmd.data.roundLabel ?? null,
        decisionDue: earliest(e.decisionDue, round.decideBy) ?? round.decideBy,
      },
    },
  ];
}

/**
 * The open round of the case's province a dossier forwarded on `forwardedOn` may join (QĐ 26/2026 art. 5.1): the
 * province opened it, has not closed it, and the dossier reached the province strictly before its cut-off.
 */
function openRoundFor(roundId: string, c: EvaluatingCase, forwardedOn: string, ctx: Ctx) {
  const named = parseRoundId(roundId);
  if (!named || !officesForProvince(c.places.provinceCode).includes(named.provinceCode)) {
    fail(ctx, 'round_of_other_province', `Round ${roundId} is not one of province ${c.places.provinceCode}.`);
  }
  const opened = ctx.rounds?.find((r) => r.roundId === roundId);
  if (!opened)
    fail(
      ctx,
      'round_not_found',
      `Province ${named.provinceCode} has not opened round ${named.round} of ${named.year}.`,
    );
  if (opened.status === 'closed') fail(ctx, 'round_closed', `Round ${opened.round} of ${opened.year} is closed.`);
  if (forwardedOn >= opened.cutOff) {
    fail(
      ctx,
      'past_cut_off',
      `The dossier reached the province on ${forwardedOn}, not before the cut-off ${opened.cutOff} of round ` +
        `${opened.round} of ${opened.year}.`,
    );
  }
  // The case's decision date is the last day before the round's own (the law's "trước ngày …").
  const slot = provincialRoundOf(opened.year, opened.round, ruleSetById(c.evaluation.ruleSetId));
  const decideBy = slot?.lastDecisionDate ?? opened.decideBy;
  return { round: opened.round, year: opened.year, cutOff: opened.cutOff, decideBy, roundId };
}

// ------------------------------------------------------------------------------------ online council scoring

function conveneCouncil(cmd: CommandOf<'ConveneCouncil'>, c: EvaluatingCase, ctx: Ctx): DomainEvent[] {
  requireProvince(c, ctx);
  if (c.evaluation.panel?.scores.length) {
    fail(ctx, 'invalid', 'Members have already scored this dossier; the council cannot be changed now.');
  }
  const sheet = sheetFor(cmd.data.sheetCode, ctx);
  const members = cmd.data.members ?? councilOfRound(c, ctx);
  const broken = councilIssue(members);
  if (broken) fail(ctx, 'invalid', broken.en);
  const scoring = members.filter((m) => m.role !== 'secretary').length;
  const quorum = cmd.data.quorum ?? defaultQuorum(scoring);
  if (quorum > scoring) fail(ctx, 'invalid', `A quorum of ${quorum} exceeds the ${scoring} scoring members.`);
  return [{ type: 'CouncilConvened', data: { sheetCode: sheet.code, members, quorum, convenedOn: ctx.today } }];
}

/** The council the dossier's round was opened with: a dossier convened without members of its own sits before it. */
function councilOfRound(c: EvaluatingCase, ctx: Ctx): CouncilSeat[] {
  const assigned = c.evaluation.round;
  const roundId =
    assigned?.roundId ?? (assigned?.round ? roundIdOf(ctx.actor.office, assigned.year, assigned.round) : null);
  const round = roundId ? ctx.rounds?.find((r) => r.roundId === roundId) : undefined;
  if (!round) {
    return fail(
      ctx,
      'invalid',
      'members: the dossier is in no round opened with a council; name the members of its council.',
    );
  }
  return round.council;
}

function submitCouncilScores(cmd: CommandOf<'SubmitCouncilScores'>, c: EvaluatingCase, ctx: Ctx): DomainEvent[] {
  const panel = panelMember(c, ctx);
  const role = panel.members.find((m) => m.memberId === ctx.actor.userId)?.role;
  if (role === 'secretary') fail(ctx, 'forbidden', 'The council secretary records the meeting and does not score.');
  const sheet = sheetFor(panel.sheetCode, ctx);
  let total: number;
  try {
    total = scoreMemberSheet(sheet, cmd.data.selections).total;
  } catch (error) {
    return fail(ctx, 'invalid', error instanceof Error ? error.message : String(error));
  }
  const selections = cmd.data.selections.map((x) => ({ ...x, note: x.note ?? null }));
  const submitted: DomainEvent = {
    type: 'CouncilScoresSubmitted',
    data: { memberId: ctx.actor.userId, total, selections, submittedOn: ctx.today },
  };
  // The last scoring member's sheet makes the result final without the chair (issue: every member submitted).
  const scores = [
    ...panel.scores.filter((x) => x.memberId !== ctx.actor.userId),
    { memberId: ctx.actor.userId, selections },
  ];
  const outcome = councilOutcome(panel, scores, false, [], ctx);
  return outcome.status === 'pending' ? [submitted] : [submitted, ...resultEvents(outcome, panel, c, ctx)];
}

function closeCouncil(cmd: CommandOf<'CloseCouncil'>, c: EvaluatingCase, ctx: Ctx): DomainEvent[] {
  const panel = panelMember(c, ctx);
  const chair = panel.members.find((m) => m.role === 'chair');
  if (chair?.memberId !== ctx.actor.userId) fail(ctx, 'forbidden', 'Only the chair of the council closes its scoring.');
  const outcome = councilOutcome(panel, panel.scores, true, cmd.data.knockOuts ?? [], ctx);
  if (outcome.status === 'pending') {
    fail(
      ctx,
      'invalid',
      `The council has no quorum: ${outcome.submitted} of ${outcome.quorum} needed sheets are in ` +
        `(awaiting ${outcome.awaiting.join(', ')}).`,
    );
  }
  return resultEvents(outcome, panel, c, ctx);
}

/** The convened council, when the actor is one of its members for this province. */
function panelMember(c: EvaluatingCase, ctx: Ctx): CouncilPanel {
  const { role, office, userId } = ctx.actor;
  if (role !== 'council_member' || office !== c.places.provinceCode) {
    fail(
      ctx,
      'forbidden',
      `Only members of the council of province ${c.places.provinceCode} may ${verb(ctx.command)}.`,
    );
  }
  const panel = c.evaluation.panel;
  if (!panel) return fail(ctx, 'invalid', 'No council has been convened for this dossier.');
  if (!panel.members.some((m) => m.memberId === userId)) {
    fail(ctx, 'forbidden', `${userId} does not sit on the council scoring this dossier.`);
  }
  return panel;
}

function sheetFor(code: string, ctx: Ctx): ScoreSheet {
  try {
    return getSheet(code);
  } catch (error) {
    return fail(ctx, 'invalid', error instanceof Error ? error.message : String(error));
  }
}

function councilOutcome(
  panel: CouncilPanel,
  scores: readonly {
    memberId: string;
    selections: readonly { criterionId: string; optionId: string; note?: string | null }[];
  }[],
  closedByChair: boolean,
  knockOuts: readonly { groundId: string; finding?: string | undefined }[],
  ctx: Ctx,
): CouncilOutcome {
  try {
    return councilResult(sheetFor(panel.sheetCode, ctx), {
      members: panel.members,
      submissions: scores.map((x) => ({
        memberId: x.memberId,
        selections: x.selections.map((sel) => ({
          criterionId: sel.criterionId,
          optionId: sel.optionId,
          ...(sel.note ? { note: sel.note } : {}),
        })),
      })),
      closedByChair,
      knockOuts: knockOuts.map((k) => ({ groundId: k.groundId, ...(k.finding ? { finding: k.finding } : {}) })),
      quorum: panel.quorum,
    });
  } catch (error) {
    if (error instanceof DomainError) throw error;
    return fail(ctx, 'invalid', error instanceof Error ? error.message : String(error));
  }
}

/** The council's computed outcome as the same result a province could also enter by hand (RecordCouncilResult). */
function resultEvents(
  outcome: Exclude<CouncilOutcome, { status: 'pending' }>,
  panel: CouncilPanel,
  c: EvaluatingCase,
  ctx: Ctx,
): DomainEvent[] {
  const requireChairOrOffice: Ctx = {
    ...ctx,
    actor: { ...ctx.actor, role: 'provincial_office', office: c.places.provinceCode },
  };
  if (outcome.status === 'rejected') {
    const [first] = outcome.knockOut.grounds;
    const result: CouncilResult = {
      averageScore: 0,
      star: 1,
      knockOut: {
        ground: first?.id ?? 'knock_out',
        reason: (first?.finding ?? first?.text ?? 'knock-out').slice(0, 2000),
      },
      sheetCode: panel.sheetCode,
      memberCount: panel.scores.length || 1,
    };
    return recordCouncilResult(result, c, requireChairOrOffice, 'province');
  }
  const lowered = outcome.lowered
    ? {
        from: outcome.lowered.from,
        reason: outcome.lowered.unmetMinimums
          .map(
            (m: UnmetMinimum) =>
              `${m.level}★ minimum of ${m.criterionId} not met (${m.averagePoints} < ${m.requiredPoints})`,
          )
          .join('; ')
          .slice(0, 2000),
        criteria: [...new Set(outcome.lowered.unmetMinimums.map((m: UnmetMinimum) => m.criterionId))].slice(0, 50),
      }
    : null;
  const result: CouncilResult = {
    averageScore: outcome.averageScore,
    star: outcome.star,
    knockOut: null,
    sheetCode: panel.sheetCode,
    memberCount: outcome.submitted,
    lowered,
  };
  return recordCouncilResult(result, c, requireChairOrOffice, 'province');
}

function recordCouncilResult(
  result: CouncilResult,
  c: EvaluatingCase,
  ctx: Ctx,
  level: 'province' | 'ministry',
): DomainEvent[] {
  if (level === 'province') requireProvince(c, ctx);
  else requireMinistry(ctx);
  const e = c.evaluation;
  const ruleSet = ruleSetById(e.ruleSetId);
  const band = bandStar(result.averageScore, ruleSet);
  if (result.star > band) {
    fail(
      ctx,
      'star_above_band',
      `A score of ${result.averageScore} earns at most ${band}★ under ${ruleSet.title}, not ${result.star}★.`,
    );
  }
  const potentialFiveStar =
    level === 'province' && result.star === 5 && result.averageScore >= ruleSet.potentialFiveStarMinScore;
  const scored = {
    ...result,
    lowered: result.lowered ?? null,
    bandStar: band,
    potentialFiveStar,
    recordedOn: ctx.today,
  };
  const recorded: DomainEvent =
    level === 'province'
      ? { type: 'CouncilResultRecorded', data: scored }
      : { type: 'CentralCouncilResultRecorded', data: scored };
  if (result.knockOut) {
    return [
      recorded,
      ...endCycleEvents(c, ctx),
      {
        type: 'DossierRejected',
        data: { ground: result.knockOut.ground, reason: result.knockOut.reason, rejectedOn: ctx.today, by: level },
      },
    ];
  }
  // At the Ministry a result of 3★/4★ is not an end: the province may still recognise it (Art. 7.4g).
  if (level === 'ministry' && result.star >= 3) return [recorded];
  const current = c.certificate?.star ?? 0;
  const outcome =
    result.star < 3
      ? e.kind === 're_rating'
        ? 'not_re_recognised'
        : 'below_three_stars'
      : level === 'province' && e.kind === 'upgrade' && result.star <= current
        ? 'not_upgraded'
        : null;
  if (outcome) {
    return [
      recorded,
      ...endCycleEvents(c, ctx),
      { type: 'EvaluationClosed', data: { outcome, star: result.star, closedOn: ctx.today } },
    ];
  }
  return [recorded];
}

function sendToMinistry(cmd: CommandOf<'SendToMinistry'>, c: EvaluatingCase, ctx: Ctx): DomainEvent[] {
  requireProvince(c, ctx);
  const council = c.evaluation.council;
  if (!council?.potentialFiveStar) {
    fail(ctx, 'star_not_allowed', 'Only a potential 5★ result (90 points or more) goes to the Ministry.');
  }
  const round = centralRound(ctx.today, ruleSetById(c.evaluation.ruleSetId));
  return [
    {
      type: 'SentToMinistry',
      data: { ...cmd.data, sentOn: ctx.today, cutOff: round?.cutOff ?? null, decideBy: round?.decideBy ?? null },
    },
  ];
}

function decideRecognition(cmd: CommandOf<'DecideRecognition'>, c: EvaluatingCase, ctx: Ctx): DomainEvent[] {
  const { star } = cmd.data;
  const e = c.evaluation;
  // A QĐ 148 case decided after QĐ 1489 took effect is decided under 148 as amended (no district any more).
  const ruleSet = ruleSetForCase({ filedOn: e.filedOn, decidedOn: ctx.today });
  const result = c.status === 'central_scored' ? e.central : e.council;
  if (!result) return fail(ctx, 'illegal_in_stage', 'No council result to decide on.');
  if (star === 5) {
    if (c.status !== 'central_scored') {
      fail(ctx, 'star_not_allowed', '5★ is recognised by the Minister after the central council, not by the province.');
    }
    requireMinistry(ctx);
  } else {
    requireProvince(c, ctx);
  }
  if (star > result.star) {
    fail(ctx, 'star_above_band', `The council's result is ${result.star}★; the decision cannot recognise ${star}★.`);
  }
  if (e.kind === 'upgrade' && star <= (c.certificate?.star ?? 0)) {
    fail(ctx, 'star_not_allowed', `An upgrade must recognise more than the current ${c.certificate?.star}★.`);
  }
  return [
    {
      type: 'RecognitionDecided',
      data: {
        star,
        level: recognitionLevel(star, ruleSet, ctx.today),
        decisionNumber: cmd.data.decisionNumber,
        decidedOn: ctx.today,
        score: result.averageScore,
        ruleSetId: ruleSet.id,
      },
    },
  ];
}

function issueCertificate(cmd: CommandOf<'IssueCertificate'>, c: EvaluatingCase, ctx: Ctx): DomainEvent[] {
  const decision = c.evaluation.decision;
  if (!decision) return fail(ctx, 'illegal_in_stage', 'No recognition decision to issue a certificate for.');
  if (decision.level === 'ministry') requireMinistry(ctx);
  else requireProvince(c, ctx);
  const ruleSet = ruleSetById(c.evaluation.ruleSetId);
  const expiresOn = expiryFor(ctx.today, ruleSet);
  return [
    {
      type: 'CertificateIssued',
      data: {
        certificateNumber: cmd.data.certificateNumber,
        star: decision.star,
        level: decision.level,
        issuedOn: ctx.today,
        expiresOn,
        termNo: c.termNo + 1,
        ruleSetId: ruleSet.id,
        reRatingWindow: windowFor(expiresOn),
        replaces: c.certificate?.number ?? null,
      },
    },
  ];
}

function proposeRevocation(cmd: CommandOf<'ProposeRevocation'>, s: ActiveCase, ctx: Ctx): DomainEvent[] {
  certificateOf(s, ctx);
  requireRevocationAuthority(s, ctx);
  if (s.revocation) fail(ctx, 'invalid', `A revocation on ground (${s.revocation.ground}) is already pending.`);
  if (cmd.data.concludedOn > ctx.today)
    fail(ctx, 'invalid', `The conclusion date ${cmd.data.concludedOn} is in the future.`);
  return [
    {
      type: 'RevocationProposed',
      data: { ...cmd.data, decideBy: revocationDue(cmd.data.concludedOn, ruleSetOf(s)) },
    },
  ];
}

function revokeCertificate(cmd: CommandOf<'RevokeCertificate'>, s: ActiveCase, ctx: Ctx): DomainEvent[] {
  const certificate = certificateOf(s, ctx);
  const level = requireRevocationAuthority(s, ctx);
  const d = cmd.data;
  if (d.concludedOn > ctx.today) fail(ctx, 'invalid', `The conclusion date ${d.concludedOn} is in the future.`);
  if (!ctx.legacy) requireProposal(s, certificate.number, d, ctx);
  return [
    {
      type: 'CertificateRevoked',
      data: {
        certificateNumber: certificate.number,
        ground: d.ground,
        concludedOn: d.concludedOn,
        decisionNumber: d.decisionNumber,
        reason: d.reason,
        revokedOn: ctx.today,
        level,
        late: ctx.today > revocationDue(d.concludedOn, ruleSetOf(s)),
      },
    },
  ];
}

/**
 * QĐ 26/2026 art. 8.3: on a finding under art. 8.1 the OCOP office verifies, reports and submits (trình) to the
 * competent authority (a), who decides on that submission (b). Every ground goes through that procedure, so the law
 * allows no direct revocation: the decision follows a pending proposal, on its ground and its conclusion (whose date
 * starts the 15 days of art. 8.4).
 */
function requireProposal(
  s: ActiveCase,
  certificateNumber: string,
  d: { ground: string; concludedOn: string },
  ctx: Ctx,
): void {
  const p = s.revocation;
  if (!p) {
    fail(
      ctx,
      'proposal_required',
      `No revocation of certificate ${certificateNumber} has been proposed. QĐ 26/2026 art. 8.3: the OCOP office ` +
        `verifies the finding and submits it (a), and the provincial chair or the Minister decides on that ` +
        `submission (b); propose the revocation first (propose-revocation), citing the competent conclusion.`,
    );
  }
  if (d.ground !== p.ground) {
    fail(
      ctx,
      'invalid',
      `ground: the pending proposal is on ground (${p.ground}) of QĐ 26/2026 art. 8.1, concluded on ` +
        `${vn(p.concludedOn)}; the decision is taken on that submission (art. 8.3b), not on ground (${d.ground}). ` +
        `To revoke on another ground, dismiss this proposal and propose again.`,
    );
  }
  if (d.concludedOn !== p.concludedOn) {
    fail(
      ctx,
      'invalid',
      `concludedOn: the pending proposal cites the conclusion of ${vn(p.concludedOn)}, from which the 15 days of ` +
        `QĐ 26/2026 art. 8.4 run; the decision cannot cite ${vn(d.concludedOn)}.`,
    );
  }
}

function updatePlaces(cmd: CommandOf<'UpdatePlaces'>, s: ActiveCase, ctx: Ctx): DomainEvent[] {
  const { role, office } = ctx.actor;
  const d = cmd.data;
  const allowed =
    role === 'admin' ||
    (role === 'provincial_office' &&
      (officesForProvince(s.places.provinceCode).includes(office) || office === d.provinceCode));
  if (!allowed)
    fail(ctx, 'forbidden', `Only an administrator or a provincial OCOP office concerned may move the case.`);
  const places: Places = {
    provinceCode: d.provinceCode,
    communeCode: d.communeCode,
    districtCode: d.districtCode ?? null,
  };
  const same =
    places.provinceCode === s.places.provinceCode &&
    places.communeCode === s.places.communeCode &&
    places.districtCode === s.places.districtCode;
  if (same) fail(ctx, 'invalid', 'The case is already in these places.');
  if (!ctx.placeChecks) {
    return [{ type: 'PlacesUpdated', data: { previous: s.places, places, reason: d.reason, updatedOn: ctx.today } }];
  }
  checkData(ctx, null, d, [ctx.today]);
  if (!d.override && !isSuccessor(s.places, places)) {
    refuseFields(ctx, [
      {
        field: 'communeCode',
        vi:
          `Xã ${places.communeCode} (tỉnh ${places.provinceCode}) không phải đơn vị kế thừa của địa bàn cũ ` +
          `(tỉnh ${s.places.provinceCode}, xã ${s.places.communeCode}) theo phương án sắp xếp năm 2025; ` +
          `muốn chuyển nơi khác, gửi kèm override với lý do.`,
        en:
          `Commune ${places.communeCode} (province ${places.provinceCode}) does not succeed the case's places ` +
          `(province ${s.places.provinceCode}, commune ${s.places.communeCode}) under the 2025 arrangement; ` +
          `to move it elsewhere, send an override with its reason.`,
      },
    ]);
  }
  return [
    {
      type: 'PlacesUpdated',
      data: {
        previous: s.places,
        places,
        reason: d.reason,
        updatedOn: ctx.today,
        ...(d.override ? { override: d.override.reason } : {}),
      },
    },
  ];
}

function expireCertificate(s: ActiveCase, ctx: Ctx): DomainEvent[] {
  const c = certificateOf(s, ctx);
  // The certificate ended on its own last valid day, however late the deadline is applied (an import catching up).
  if (c.extendedUntil != null) {
    due(ctx, endOfLocalDay(c.extendedUntil));
    const endedOn = ctx.legacy ? ctx.today : c.extendedUntil;
    return [
      {
        type: 'CertificateExpired',
        data: { certificateNumber: c.number, expiresOn: c.expiresOn, endedOn, reason: 'extension_ended' },
      },
    ];
  }
  due(ctx, endOfLocalDay(c.expiresOn));
  const reRatingPending = isEvaluating(s) && s.evaluation.kind === 're_rating';
  if (reRatingPending && (ctx.legacy || extensionFor(c.expiresOn) != null)) {
    // Art. 12.3: valid until the authority decides, at most 180 days past expiry.
    return [
      {
        type: 'CertificateExtended',
        data: { certificateNumber: c.number, expiresOn: c.expiresOn, extendedUntil: extensionEnd(c.expiresOn) },
      },
    ];
  }
  return [
    {
      type: 'CertificateExpired',
      data: {
        certificateNumber: c.number,
        expiresOn: c.expiresOn,
        endedOn: ctx.legacy ? ctx.today : c.expiresOn,
        reason: 'term_ended',
      },
    },
  ];
}
