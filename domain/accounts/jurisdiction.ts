import { MINISTRY_OFFICE, type UserRole } from '../case/actors';
import { isCurrentCommune, provinceOfCommune, provinces, provincesServedBy } from '../places';

/*
 * Jurisdictions of grants and the boundary of an admin: an admin of a jurisdiction manages accounts and grants inside
 * it and no further. `VN` (nationwide) holds everything; a province holds its communes (by the places data, and the
 * provinces it absorbed on 01/07/2025); a commune holds itself. The Ministry and subjects are nationwide admins' only.
 */

export const NATIONWIDE = 'VN';

export type JurisdictionKind = 'nationwide' | 'ministry' | 'province' | 'commune' | 'subject';

const PROVINCE_CODES = new Set(provinces().map((p) => p.code));

export function jurisdictionKind(code: string): JurisdictionKind {
  if (code === NATIONWIDE) return 'nationwide';
  if (code === MINISTRY_OFFICE) return 'ministry';
  if (PROVINCE_CODES.has(code)) return 'province';
  if (isCurrentCommune(code)) return 'commune';
  return 'subject';
}

/** Where each role may be granted (a subject's grant names the subject's id). */
export const GRANTABLE: Record<UserRole, readonly JurisdictionKind[]> = {
  subject: ['subject'],
  commune_officer: ['commune'],
  provincial_office: ['province'],
  council_member: ['province'],
  ministry: ['ministry'],
  auditor: ['nationwide', 'province', 'commune'],
  admin: ['nationwide', 'province', 'commune'],
};

/** Whether jurisdiction `inner` lies inside `outer` (or is it). */
export function contains(outer: string, inner: string): boolean {
  if (outer === NATIONWIDE || outer === inner) return true;
  if (jurisdictionKind(outer) === 'province' && jurisdictionKind(inner) === 'commune') {
    return provincesServedBy(outer).includes(provinceOfCommune(inner));
  }
  return false;
}

/** Whether an admin acting in `adminJurisdiction` manages what lies in `target`. */
export const administers = (admin: { role: string; office: string }, target: string): boolean =>
  admin.role === 'admin' && contains(admin.office, target);

/** The office that confirms a person's link to a subject of `communeCode`: its commune, or its province. */
export function confirmsSubjectsOf(actor: { role: string; office: string }, communeCode: string): boolean {
  if (actor.role === 'commune_officer') return actor.office === communeCode;
  if (actor.role === 'provincial_office' || actor.role === 'admin') {
    return isCurrentCommune(communeCode) && contains(actor.office, communeCode);
  }
  return false;
}
