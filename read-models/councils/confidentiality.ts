import type { CaseWhereabouts, Viewer } from '../scope';

/**
 * Council confidentiality: while a council is scoring (convened, no result recorded yet), a member's scores are seen
 * only by that member and by the offices that run and oversee the evaluation: the provincial OCOP office of the
 * case's province, the Ministry, administrators and auditors (who also read them in the raw, hash-chained events of
 * the audit endpoints). The subject, commune officers and the other members, the chair included, see who has scored
 * and who is awaited, not what. Once the result is recorded the council is closed and its sheets are shown to all who
 * see the case.
 */
export function seesOpenCouncilScores(user: Viewer, c: Pick<CaseWhereabouts, 'provinceCode'>): boolean {
  switch (user.role) {
    case 'admin':
    case 'ministry':
    case 'auditor':
      return true;
    case 'provincial_office':
      return user.jurisdiction === c.provinceCode;
    default:
      return false;
  }
}

/** Whether a council member's sheet is the caller's own (a member's id is their user id). */
export const isOwnSheet = (user: Viewer, memberId: string): boolean =>
  user.role === 'council_member' && user.sub === memberId;

/** The council events, in a case's stream, that the council views read. */
export const COUNCIL_EVENT_TYPES = ['CouncilConvened', 'CouncilScoresSubmitted', 'CouncilResultRecorded'] as const;

/**
 * Positions of the council sheets (`CouncilScoresSubmitted`) of councils still scoring: convened, and no result
 * recorded after. Pure: given a case's council events in order.
 */
export function openCouncilSheets(events: readonly { streamPosition: number; type: string }[]): Set<number> {
  const open = new Set<number>();
  let sheets: number[] = [];
  for (const e of events) {
    if (e.type === 'CouncilScoresSubmitted') {
      sheets.push(e.streamPosition);
      continue;
    }
    // A council convened again before it recorded a result (the dossier withdrawn and filed anew) stays confidential.
    if (e.type === 'CouncilConvened') for (const p of sheets) open.add(p);
    sheets = [];
  }
  for (const p of sheets) open.add(p);
  return open;
}
