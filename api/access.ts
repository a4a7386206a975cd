import type { CaseView } from '../db/projections';
import { officesForProvince } from '../domain/places';
import type { Principal } from './auth';

/**
 * Whether a user may see a case at all. A case outside the user's jurisdiction is answered 404, never 403, so
 * that its existence does not leak. Nationwide users carry jurisdiction `VN`.
 */
export function canSee(user: Principal, c: Pick<CaseView, 'provinceCode' | 'communeCode' | 'subjectId'>): boolean {
  switch (user.role) {
    case 'admin':
    case 'ministry':
      return true;
    case 'auditor':
      return (
        user.jurisdiction === 'VN' ||
        officesForProvince(c.provinceCode ?? '').includes(user.jurisdiction) ||
        user.jurisdiction === c.communeCode
      );
    case 'provincial_office':
    case 'council_member':
      // A case of a province abolished on 01/07/2025 is also its successor's until it is re-homed.
      return officesForProvince(c.provinceCode ?? '').includes(user.jurisdiction);
    case 'commune_officer':
      return user.jurisdiction === c.communeCode;
    case 'subject':
      return user.sub === c.subjectId;
  }
}

/**
 * Council confidentiality: while a council is scoring (convened, no result recorded yet), a member's scores are seen
 * only by that member and by the offices that run and oversee the evaluation: the provincial OCOP office of the
 * case's province, the Ministry, administrators and auditors (who also read them in the raw, hash-chained events of
 * the audit endpoints). The subject, commune officers and the other members, the chair included, see who has scored
 * and who is awaited, not what. Once the result is recorded the council is closed and its sheets are shown to all who
 * see the case.
 */
export function seesOpenCouncilScores(user: Principal, c: Pick<CaseView, 'provinceCode'>): boolean {
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
export const isOwnSheet = (user: Principal, memberId: string): boolean =>
  user.role === 'council_member' && user.sub === memberId;
