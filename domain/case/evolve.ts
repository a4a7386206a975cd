import type { DomainEvent, RecordedEvent } from './events';
import type { SubjectFacts } from './commands';
import { isEvaluating, restingStage } from './state';
import type {
  ActiveCase,
  CaseCore,
  CaseState,
  Certificate,
  Evaluation,
  EvaluatingCase,
  EvaluationStage,
  Outcome,
  ReRatingWindowState,
  ReviewEntry,
} from './state';

/** Earlier places kept on the case; enough for the 2025 merger and a later one. */
export const MAX_FORMER_PLACES = 5;

/**
 * Apply one recorded event. Total and pure: an event that does not fit the state (which `decide` never produces)
 * leaves the state unchanged rather than throwing, so an auditor's replay always completes.
 */
export function evolve(state: CaseState, event: RecordedEvent | DomainEvent): CaseState {
  if (state.status === 'none') return start(event) ?? state;
  const s: ActiveCase = state;

  switch (event.type) {
    case 'IdeaRegistered':
    case 'CertifiedProductImported':
    case 'DossierInProgressImported':
      return s;
    case 'IdeaAccepted':
      return open(s, 'idea_accepted', { lastReturnReason: null });
    case 'IdeaReturned':
      return open(s, 'idea_returned', { lastReturnReason: event.data.reason });
    case 'IdeaRevised':
      return open(s, 'idea_registered', { ideaSummary: event.data.ideaSummary });
    case 'BusinessPlanSubmitted':
      return open(s, 'plan_submitted', { planRef: event.data.planRef });
    case 'BusinessPlanApproved':
      return open(s, 'plan_approved', { lastReturnReason: null });
    case 'BusinessPlanReturned':
      return open(s, 'idea_accepted', { lastReturnReason: event.data.reason });
    case 'DossierSubmitted': {
      const d = event.data;
      const evaluation = newEvaluation({ ...d, forwardedOn: null });
      return {
        ...core(s),
        ...facts(d.subjectFacts ?? s.subjectFacts),
        status: 'dossier_submitted',
        ruleSetId: d.ruleSetId,
        cycleNo: d.cycleNo,
        revocation: s.revocation,
        evaluation,
      };
    }
    case 'DossierReturnedForCompletion': {
      if (!isEvaluating(s)) return s;
      const d = event.data;
      const backTo =
        d.by === 'commune' ? 'dossier_submitted' : s.status === 'under_review' ? 'under_review' : 'forwarded';
      return evaluate(s, 'dossier_returned', {
        returned: { reason: d.reason, missing: d.missing, completeBy: d.completeBy, backTo },
      });
    }
    case 'DossierCompleted': {
      if (!isEvaluating(s) || !s.evaluation.returned) return s;
      const backTo = s.evaluation.returned.backTo as EvaluationStage;
      const commune = backTo === 'dossier_submitted';
      return evaluate(s, backTo, {
        returned: null,
        dossierRef: event.data.dossierRef,
        form03: commune ? null : s.evaluation.form03,
        ...(commune
          ? { receivedOn: event.data.completedOn, communeDue: event.data.communeDue, communeOverdue: false }
          : {}),
      });
    }
    case 'CommuneCheckOverdue':
      return isEvaluating(s) ? evaluate(s, s.status, { communeOverdue: true }) : s;
    case 'DossierLapsed':
      return closeCycle(s, 'lapsed', event.data.lapsedOn, `not completed by ${event.data.completeBy}`);
    case 'CommuneAssessed':
      return isEvaluating(s) ? evaluate(s, 'commune_assessed', { form03: event.data }) : s;
    case 'DossierForwarded':
      return isEvaluating(s)
        ? evaluate(s, 'forwarded', {
            forwardedOn: event.data.forwardedOn,
            decisionDue: event.data.decisionDue,
            // The commune's time limit is spent once the dossier has left it.
            communeDue: null,
          })
        : s;
    case 'AssignedToRound': {
      if (!isEvaluating(s)) return s;
      const { round, year, cutOff, decideBy, label, decisionDue, roundId } = event.data;
      const assigned = { round, year, cutOff, decideBy, label, ...(roundId ? { roundId } : {}) };
      return evaluate(s, 'under_review', { round: assigned, decisionDue });
    }
    case 'EvidenceRequested': {
      const { dueDate, requestedOn, items } = event.data;
      const entry = { kind: 'evidence_requested', on: requestedOn, summary: items.join('; ') } as const;
      return reviewed(s, 'evidence_requested', entry, { evidenceDue: dueDate });
    }
    case 'EvidenceSubmitted': {
      const { submittedOn, evidenceRefs } = event.data;
      const entry = { kind: 'evidence_submitted', on: submittedOn, summary: evidenceRefs.join('; ') } as const;
      return reviewed(s, 'under_review', entry, { evidenceDue: null });
    }
    case 'EvidenceOverdue': {
      const entry = {
        kind: 'evidence_overdue',
        on: event.data.dueDate,
        summary: 'no evidence by the due date',
      } as const;
      return reviewed(s, 'under_review', entry, { evidenceDue: null });
    }
    case 'SiteVisitRecorded':
      return reviewed(s, null, { kind: 'site_visit', on: event.data.visitedOn, summary: event.data.findings });
    case 'LabTestRecorded': {
      const { testedOn, laboratory, reportRef, passed } = event.data;
      const summary = `${laboratory} ${reportRef}: ${passed ? 'passed' : 'failed'}`;
      return reviewed(s, null, { kind: 'lab_test', on: testedOn, summary });
    }
    case 'CouncilConvened': {
      if (!isEvaluating(s)) return s;
      const { sheetCode, members, quorum } = event.data;
      return evaluate(s, s.status, { panel: { sheetCode, members, quorum, scores: [] } });
    }
    case 'CouncilScoresSubmitted': {
      if (!isEvaluating(s) || !s.evaluation.panel) return s;
      const { memberId, total, selections } = event.data;
      const panel = s.evaluation.panel;
      const scores = [...panel.scores.filter((x) => x.memberId !== memberId), { memberId, total, selections }];
      return evaluate(s, s.status, { panel: { ...panel, scores } });
    }
    case 'CouncilResultRecorded':
      return isEvaluating(s) ? evaluate(s, 'council_scored', { council: event.data }) : s;
    case 'CentralCouncilResultRecorded':
      return isEvaluating(s) ? evaluate(s, 'central_scored', { central: event.data }) : s;
    case 'DossierRejected':
      return closeCycle(s, 'knocked_out', event.data.rejectedOn, `${event.data.ground}: ${event.data.reason}`);
    case 'EvaluationClosed':
      return closeCycle(s, event.data.outcome, event.data.closedOn, `${event.data.star}★`);
    case 'SentToMinistry': {
      if (!isEvaluating(s)) return s;
      const { sentOn, cutOff, decideBy } = event.data;
      // The Ministry's round replaces the province's deadline for this dossier.
      return evaluate(s, 'at_ministry', {
        ministry: { sentOn, cutOff, decideBy },
        decisionDue: decideBy ?? s.evaluation.decisionDue,
        decisionOverdue: decideBy ? false : s.evaluation.decisionOverdue,
      });
    }
    case 'RecognitionDecided': {
      if (!isEvaluating(s)) return s;
      const { star, level, decisionNumber, decidedOn, ruleSetId } = event.data;
      return {
        ...(evaluate(s, 'recognised', {
          decision: { star, level, decisionNumber, decidedOn },
          ruleSetId,
        }) as EvaluatingCase),
        ruleSetId,
      };
    }
    case 'CertificateIssued': {
      const d = event.data;
      const certificate: Certificate = {
        number: d.certificateNumber,
        star: d.star,
        level: d.level,
        issuedOn: d.issuedOn,
        expiresOn: d.expiresOn,
        extendedUntil: null,
        termNo: d.termNo,
        ruleSetId: d.ruleSetId,
        reRatingWindow: windowState(d.reRatingWindow),
        imported: false,
      };
      return {
        ...core(s),
        status: 'certified',
        termNo: d.termNo,
        certificate,
        certificateEnded: null,
        // A pending revocation concerned the certificate this one replaces.
        revocation: null,
        lastOutcome: outcome('certified', d.issuedOn, `${d.star}★ ${d.certificateNumber}`),
        evaluation: null,
      };
    }
    case 'RevocationProposed':
      return withCore(s, { revocation: { ...event.data, overdue: false } });
    case 'RevocationOverdue':
      return s.revocation ? withCore(s, { revocation: { ...s.revocation, overdue: true } }) : s;
    case 'RevocationDismissed':
      return withCore(s, { revocation: null });
    case 'CertificateRevoked': {
      const d = event.data;
      return {
        ...core(s),
        status: 'revoked',
        certificate: null,
        certificateEnded: { how: 'revoked', on: d.revokedOn, number: d.certificateNumber },
        revocation: null,
        lastOutcome: outcome('revoked', d.revokedOn, `ground (${d.ground}): ${d.reason}`),
        evaluation: null,
      };
    }
    case 'DossierWithdrawn': {
      const d = event.data;
      if (d.keepsCertificate && s.certificate) {
        return {
          ...core(s),
          status: 'certified',
          lastOutcome: outcome('withdrawn', d.withdrawnOn, d.reason),
          evaluation: null,
        };
      }
      return {
        ...core(s),
        status: 'withdrawn',
        lastOutcome: outcome('withdrawn', d.withdrawnOn, d.reason),
        evaluation: null,
      };
    }
    case 'PlacesUpdated':
      return withCore(s, {
        places: event.data.places,
        formerPlaces: [event.data.previous, ...s.formerPlaces].slice(0, MAX_FORMER_PLACES),
      });
    case 'DecisionOverdue':
      return isEvaluating(s) ? evaluate(s, s.status, { decisionOverdue: true }) : s;
    case 'ReRatingWindowOpened':
      return withWindow(s, 'open');
    case 'ReRatingWindowClosed':
      return withWindow(s, 'closed');
    case 'CertificateExtended':
      return s.certificate
        ? withCore(s, { certificate: { ...s.certificate, extendedUntil: event.data.extendedUntil } })
        : s;
    case 'CertificateExpired': {
      const d = event.data;
      const ended = { how: 'expired' as const, on: d.endedOn, number: d.certificateNumber };
      if (isEvaluating(s)) return { ...s, certificate: null, certificateEnded: ended, revocation: null };
      return {
        ...core(s),
        status: 'expired',
        certificate: null,
        certificateEnded: ended,
        revocation: null,
        evaluation: null,
      };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** Fold a stream from the start. */
export function replay(events: Iterable<RecordedEvent | DomainEvent>, from: CaseState = { status: 'none' }): CaseState {
  let state = from;
  for (const event of events) state = evolve(state, event);
  return state;
}

function start(event: RecordedEvent | DomainEvent): CaseState | null {
  if (event.type === 'IdeaRegistered') {
    const d = event.data;
    return {
      status: 'idea_registered',
      ...identity(d),
      places: d.places,
      formerPlaces: [],
      ruleSetId: d.ruleSetId,
      registeredOn: d.registeredOn,
      ideaSummary: d.ideaSummary,
      planRef: null,
      lastReturnReason: null,
      cycleNo: 0,
      termNo: 0,
      certificate: null,
      certificateEnded: null,
      revocation: null,
      lastOutcome: null,
      evaluation: null,
    };
  }
  if (event.type === 'DossierInProgressImported') {
    const d = event.data;
    return {
      status: 'forwarded',
      ...identity(d),
      places: d.places,
      formerPlaces: [],
      ruleSetId: d.ruleSetId,
      registeredOn: d.importedOn,
      ideaSummary: null,
      planRef: null,
      lastReturnReason: null,
      cycleNo: d.cycleNo,
      termNo: 0,
      certificate: null,
      certificateEnded: null,
      revocation: null,
      lastOutcome: null,
      evaluation: newEvaluation({ ...d, late: false, communeDue: null }),
    };
  }
  if (event.type === 'CertifiedProductImported') {
    const d = event.data;
    const c = d.certificate;
    return {
      status: 'certified',
      ...identity(d),
      places: d.places,
      formerPlaces: [],
      ruleSetId: d.ruleSetId,
      registeredOn: d.importedOn,
      ideaSummary: null,
      planRef: null,
      lastReturnReason: null,
      cycleNo: 0,
      termNo: c.termNo,
      certificate: {
        number: c.certificateNumber,
        star: c.star,
        level: c.level,
        issuedOn: c.issuedOn,
        expiresOn: c.expiresOn,
        extendedUntil: null,
        termNo: c.termNo,
        ruleSetId: c.ruleSetId,
        reRatingWindow: windowState(c.reRatingWindow),
        imported: true,
      },
      certificateEnded: null,
      revocation: null,
      lastOutcome: outcome('certified', c.issuedOn, `${c.star}★ ${c.certificateNumber} (imported)`),
      evaluation: null,
    };
  }
  return null;
}

/** A new evaluation cycle, as filed (at the commune) or as migrated (already at the province). */
function newEvaluation(d: {
  cycleNo: number;
  kind: Evaluation['kind'];
  ruleSetId: Evaluation['ruleSetId'];
  dossierRef: string;
  filedOn: string;
  late: boolean;
  communeDue: string | null;
  forwardedOn: string | null;
  decisionDue: string | null;
}): Evaluation {
  return {
    cycleNo: d.cycleNo,
    kind: d.kind,
    ruleSetId: d.ruleSetId,
    dossierRef: d.dossierRef,
    filedOn: d.filedOn,
    late: d.late,
    receivedOn: d.filedOn,
    communeDue: d.communeDue,
    communeOverdue: false,
    returned: null,
    form03: null,
    forwardedOn: d.forwardedOn,
    round: null,
    evidenceDue: null,
    review: [],
    decisionDue: d.decisionDue,
    decisionOverdue: false,
    panel: null,
    council: null,
    ministry: null,
    central: null,
    decision: null,
  };
}

function identity(d: {
  productId: string;
  subjectId: string;
  subjectName: string;
  productName: string;
  productSetCode: string;
  subjectFacts?: SubjectFacts | undefined;
}) {
  return {
    productId: d.productId,
    subjectId: d.subjectId,
    subjectName: d.subjectName,
    productName: d.productName,
    productSetCode: d.productSetCode,
    ...facts(d.subjectFacts),
  };
}

/** The key only when there are facts: a state folded from events without them stays as it was. */
const facts = (f: SubjectFacts | undefined): { subjectFacts?: SubjectFacts } => (f ? { subjectFacts: f } : {});

function windowState(w: { opens: string; closes: string } | null): ReRatingWindowState | null {
  return w ? { opens: w.opens, closes: w.closes, state: 'pending' } : null;
}

function outcome(o: Outcome, on: string, reason: string | null): CaseCore['lastOutcome'] {
  return { outcome: o, on, reason };
}

function core(s: ActiveCase): CaseCore {
  return {
    productId: s.productId,
    subjectId: s.subjectId,
    subjectName: s.subjectName,
    ...facts(s.subjectFacts),
    productName: s.productName,
    productSetCode: s.productSetCode,
    places: s.places,
    formerPlaces: s.formerPlaces,
    ruleSetId: s.ruleSetId,
    registeredOn: s.registeredOn,
    ideaSummary: s.ideaSummary,
    planRef: s.planRef,
    lastReturnReason: s.lastReturnReason,
    cycleNo: s.cycleNo,
    termNo: s.termNo,
    certificate: s.certificate,
    certificateEnded: s.certificateEnded,
    revocation: s.revocation,
    lastOutcome: s.lastOutcome,
  };
}

type OpenStage = Exclude<ActiveCase, EvaluatingCase>['status'];

function open(s: ActiveCase, status: OpenStage, patch: Partial<CaseCore>): CaseState {
  return { ...core(s), ...patch, status, evaluation: null };
}

function evaluate(s: EvaluatingCase, status: EvaluationStage, patch: Partial<Evaluation>): CaseState {
  return { ...core(s), status, evaluation: { ...s.evaluation, ...patch } };
}

function withCore(s: ActiveCase, patch: Partial<CaseCore>): CaseState {
  return { ...s, ...patch };
}

function withWindow(s: ActiveCase, state: ReRatingWindowState['state']): CaseState {
  const c = s.certificate;
  if (!c?.reRatingWindow) return s;
  return withCore(s, { certificate: { ...c, reRatingWindow: { ...c.reRatingWindow, state } } });
}

function log(s: EvaluatingCase, entry: ReviewEntry): ReviewEntry[] {
  return [...s.evaluation.review, entry];
}

/** A step of the review: `entry` appended to its log, the stage moved (null: kept); nothing outside an evaluation. */
function reviewed(
  s: CaseState,
  status: EvaluationStage | null,
  entry: ReviewEntry,
  patch: Partial<Evaluation> = {},
): CaseState {
  return isEvaluating(s) ? evaluate(s, status ?? s.status, { ...patch, review: log(s, entry) }) : s;
}

function closeCycle(s: ActiveCase, o: Outcome, on: string, reason: string | null): CaseState {
  const kind = isEvaluating(s) ? s.evaluation.kind : null;
  const base = core(s);
  return {
    ...base,
    status: restingStage(base, kind),
    lastOutcome: outcome(o, on, reason),
    evaluation: null,
  };
}
