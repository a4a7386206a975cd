import { endOfLocalDay, startOfLocalDay } from '../calendar';
import type { Command } from './commands';
import { isEvaluating } from './state';
import type { CaseState } from './state';

/*
 * Every time limit of a case, as the instant the workflow should wake and the system command it then runs. A
 * deadline "by date D" falls due at the last millisecond of D in Vietnam; a window "opens on D" at its first.
 */

export type DeadlineKind =
  | 'commune_check'
  | 'dossier_completion'
  | 'evidence'
  | 'decision'
  | 're_rating_window_opens'
  | 're_rating_window_closes'
  | 'certificate_expiry'
  | 'extension_end'
  | 'revocation_decision';

export interface Deadline {
  kind: DeadlineKind;
  /** The local date the deadline refers to. */
  date: string;
  /** The instant it falls due (ISO UTC). */
  due: string;
  command: Command;
}

/** All pending deadlines, earliest first. */
export function pendingDeadlines(state: CaseState): Deadline[] {
  if (state.status === 'none' || state.status === 'withdrawn') return [];
  const out: Deadline[] = [];
  const by = (kind: DeadlineKind, date: string, type: Command['type']) =>
    out.push({ kind, date, due: endOfLocalDay(date), command: { type, data: {} } as Command });

  if (isEvaluating(state)) {
    const e = state.evaluation;
    const atCommune = state.status === 'dossier_submitted' || state.status === 'commune_assessed';
    if (atCommune && e.communeDue != null && !e.communeOverdue)
      by('commune_check', e.communeDue, 'MarkCommuneCheckOverdue');
    if (state.status === 'dossier_returned' && e.returned)
      by('dossier_completion', e.returned.completeBy, 'LapseDossier');
    if (state.status === 'evidence_requested' && e.evidenceDue != null)
      by('evidence', e.evidenceDue, 'MarkEvidenceOverdue');
    const awaitingDecision = !['dossier_submitted', 'dossier_returned', 'recognised'].includes(state.status);
    if (awaitingDecision && e.decisionDue != null && !e.decisionOverdue)
      by('decision', e.decisionDue, 'MarkDecisionOverdue');
  }

  const c = state.certificate;
  if (c) {
    const reRatingUnderWay = isEvaluating(state) && state.evaluation.kind === 're_rating';
    const w = c.reRatingWindow;
    if (w && !reRatingUnderWay && c.extendedUntil == null) {
      if (w.state === 'pending') {
        out.push({
          kind: 're_rating_window_opens',
          date: w.opens,
          due: startOfLocalDay(w.opens),
          command: { type: 'OpenReRatingWindow', data: {} },
        });
      } else if (w.state === 'open') {
        by('re_rating_window_closes', w.closes, 'CloseReRatingWindow');
      }
    }
    if (c.extendedUntil != null) by('extension_end', c.extendedUntil, 'ExpireCertificate');
    else by('certificate_expiry', c.expiresOn, 'ExpireCertificate');
    if (state.revocation && !state.revocation.overdue) {
      by('revocation_decision', state.revocation.decideBy, 'MarkRevocationOverdue');
    }
  }
  // Stable: on equal instants the order above (the order a case lives through them) wins.
  return out
    .map((d, i) => ({ d, i }))
    .sort((a, b) => Date.parse(a.d.due) - Date.parse(b.d.due) || a.i - b.i)
    .map(({ d }) => d);
}

/**
 * The earliest pending deadline. The workflow sleeps until `due`, then runs `decide(command, state, { now: due,
 * actor: SYSTEM_ACTOR })` and records the events; any other event may move or remove the deadline first.
 */
export function nextDeadline(state: CaseState): { kind: DeadlineKind; due: string; command: Command } | null {
  const first = pendingDeadlines(state)[0];
  return first ? { kind: first.kind, due: first.due, command: first.command } : null;
}
