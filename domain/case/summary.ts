import { nextDeadline } from './deadlines';
import type { DomainEvent, RecordedEvent } from './events';
import { evolve } from './evolve';
import { isEvaluating } from './state';
import type { CaseState, Stage } from './state';
import type { RuleSetId } from '../rules';

/** A flat view of a case for search attributes and read models; every field is a scalar or null. */
export interface CaseSummary {
  stage: Stage;
  productId: string | null;
  productName: string | null;
  subjectId: string | null;
  productSetCode: string | null;
  provinceCode: string | null;
  communeCode: string | null;
  ruleSetId: RuleSetId | null;
  cycleNo: number;
  termNo: number;
  evaluationKind: 'first' | 'upgrade' | 're_rating' | null;
  /** The star of the valid certificate, if any. */
  star: 3 | 4 | 5 | null;
  certificateNumber: string | null;
  certificateLevel: 'district' | 'province' | 'ministry' | null;
  certificateIssuedOn: string | null;
  certificateExpiry: string | null;
  /** Set while Art. 12.3 keeps the certificate valid past its expiry. */
  certificateExtendedUntil: string | null;
  reRatingWindow: 'pending' | 'open' | 'closed' | null;
  councilScore: number | null;
  councilStar: number | null;
  revocationPending: boolean;
  overdue: boolean;
  lastOutcome: string | null;
  nextDeadlineKind: string | null;
  nextDeadlineAt: string | null;
}

/** Whether a time limit of the case has passed unmet: its commune check, its decision, or a revocation's decision. */
export function isOverdue(state: CaseState): boolean {
  if (state.status === 'none') return false;
  const e = isEvaluating(state) ? state.evaluation : null;
  return Boolean(e?.communeOverdue || e?.decisionOverdue || state.revocation?.overdue);
}

export function summarize(state: CaseState): CaseSummary {
  const next = nextDeadline(state);
  if (state.status === 'none') {
    return {
      stage: 'none',
      productId: null,
      productName: null,
      subjectId: null,
      productSetCode: null,
      provinceCode: null,
      communeCode: null,
      ruleSetId: null,
      cycleNo: 0,
      termNo: 0,
      evaluationKind: null,
      star: null,
      certificateNumber: null,
      certificateLevel: null,
      certificateIssuedOn: null,
      certificateExpiry: null,
      certificateExtendedUntil: null,
      reRatingWindow: null,
      councilScore: null,
      councilStar: null,
      revocationPending: false,
      overdue: false,
      lastOutcome: null,
      nextDeadlineKind: null,
      nextDeadlineAt: null,
    };
  }
  const e = isEvaluating(state) ? state.evaluation : null;
  const c = state.certificate;
  const council = e?.central ?? e?.council ?? null;
  return {
    stage: state.status,
    productId: state.productId,
    productName: state.productName,
    subjectId: state.subjectId,
    productSetCode: state.productSetCode,
    provinceCode: state.places.provinceCode,
    communeCode: state.places.communeCode,
    ruleSetId: e?.ruleSetId ?? state.ruleSetId,
    cycleNo: state.cycleNo,
    termNo: state.termNo,
    evaluationKind: e?.kind ?? null,
    star: c?.star ?? null,
    certificateNumber: c?.number ?? null,
    certificateLevel: c?.level ?? null,
    certificateIssuedOn: c?.issuedOn ?? null,
    certificateExpiry: c?.expiresOn ?? null,
    certificateExtendedUntil: c?.extendedUntil ?? null,
    reRatingWindow: c?.reRatingWindow?.state ?? null,
    councilScore: council?.averageScore ?? null,
    councilStar: council?.star ?? null,
    revocationPending: state.revocation != null,
    overdue: isOverdue(state),
    lastOutcome: state.lastOutcome?.outcome ?? null,
    nextDeadlineKind: next?.kind ?? null,
    nextDeadlineAt: next?.due ?? null,
  };
}

/** The rule-set an event is judged by: the one it selects, or the case's current one. */
export function ruleSetIdOf(state: CaseState, event: DomainEvent): RuleSetId | null {
  if ('ruleSetId' in event.data) return event.data.ruleSetId;
  if (state.status === 'none') return null;
  return isEvaluating(state) ? state.evaluation.ruleSetId : state.ruleSetId;
}

/**
 * Stamp events as the workflow records them (`at` = the command's `now`) and fold them into the state, so the
 * caller gets both in one pass; `states` holds the state after each event (the last is `state`), so that what reads
 * the events one by one (the notices) need not fold them again.
 */
export function record(
  state: CaseState,
  events: readonly DomainEvent[],
  at: string,
): { state: CaseState; recorded: RecordedEvent[]; states: CaseState[] } {
  const recorded: RecordedEvent[] = [];
  const states: CaseState[] = [];
  let current = state;
  for (const event of events) {
    const ruleSetId = ruleSetIdOf(current, event);
    if (ruleSetId == null) throw new Error(`Cannot record ${event.type} before the case exists.`);
    const r = { ...event, at, ruleSetId };
    recorded.push(r);
    current = evolve(current, r);
    states.push(current);
  }
  return { state: current, recorded, states };
}
