import type { Sql } from '../../db';
import { isEvaluating, localDate, workingDaysBetween, type CaseState, type UserRole } from '../../domain';
import { and, scopeCondition, type Viewer } from '../scope';
import type { StoredCaseRow } from './row';
import { CASE_VIEW_COLUMNS, toCaseView, type CaseView } from './view';

/*
 * A worklist (việc cần làm): the cases waiting on the caller's office, the oldest time limit first, with the working
 * days left (holidays counted, domain/calendar). A time limit already passed stays on the list with its date and a
 * negative count: the read model's next deadline forgets a check once it is marked overdue, the state does not.
 */

/** The stages in which a case waits on an office of this role. */
export const WORKLIST_STAGES: Partial<Record<UserRole, readonly string[]>> = {
  commune_officer: ['idea_registered', 'plan_submitted', 'dossier_submitted', 'commune_assessed'],
  provincial_office: [
    'forwarded',
    'under_review',
    'evidence_requested',
    'council_scored',
    'central_scored',
    'recognised',
  ],
  ministry: ['at_ministry'],
};

export interface WorkItem {
  case: CaseView;
  /** The local date (Vietnam) the office's time limit falls on, or null when the stage has none. */
  dueOn: string | null;
  /** Working days from today to `dueOn` (negative once passed), or null. */
  workingDaysLeft: number | null;
  overdue: boolean;
}

/** The time limit the office works against in the case's stage. */
function dueOf(state: CaseState): string | null {
  if (!isEvaluating(state)) return null;
  const e = state.evaluation;
  if (state.status === 'dossier_submitted' || state.status === 'commune_assessed') return e.communeDue;
  return e.decisionDue;
}

/** At most this many cases are read; the list shows the oldest limits among them. */
const READ_AT_MOST = 2000;

export async function worklistOf(sql: Sql, user: Viewer, now = new Date()): Promise<WorkItem[]> {
  const stages = WORKLIST_STAGES[user.role as UserRole];
  if (!stages) return [];
  const rows = await sql<(StoredCaseRow & { summary: CaseState })[]>`
    SELECT ${sql([...CASE_VIEW_COLUMNS, 'overdue', 'summary'])} FROM cases
    WHERE ${and(sql, [scopeCondition(sql, user), sql`stage IN ${sql(stages)}`])}
    ORDER BY registered_at, product_id
    LIMIT ${READ_AT_MOST}`;
  const today = localDate(now.toISOString());
  const items = rows.map((row): WorkItem => {
    const dueOn = dueOf(row.summary);
    const left = dueOn === null ? null : workingDaysBetween(today, dueOn);
    return { case: toCaseView(row), dueOn, workingDaysLeft: left, overdue: row.overdue || (left !== null && left < 0) };
  });
  // Oldest limit first; cases without one after them, oldest registration first (the order read).
  return items.sort((a, b) => (a.dueOn ?? '9999').localeCompare(b.dueOn ?? '9999'));
}
