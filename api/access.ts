import type { CaseView } from '../db/projections';
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
      return user.jurisdiction === 'VN' || user.jurisdiction === c.provinceCode || user.jurisdiction === c.communeCode;
    case 'provincial_office':
    case 'council_member':
      return user.jurisdiction === c.provinceCode;
    case 'commune_officer':
      return user.jurisdiction === c.communeCode;
    case 'subject':
      return user.sub === c.subjectId;
  }
}
