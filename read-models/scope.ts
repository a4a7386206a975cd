import type postgres from 'postgres';
import type { Sql } from '../db';
import type { Actor } from '../domain';
import { officesForProvince, provincesServedBy } from '../domain/places';

/*
 * Jurisdiction, stated once: who may see a case. `canSee` judges one case already read; `scopeCondition` is the
 * same rule as a condition on the `cases` table, so that a page is full and a count is the caller's own.
 * Nationwide users carry jurisdiction `VN`.
 */

/** Who asks: a person's role, jurisdiction and id (the API's principal, or an actor). */
export interface Viewer {
  sub: string;
  role: Actor['role'];
  jurisdiction: string;
}

/** What of a case decides who sees it. */
export interface CaseWhereabouts {
  provinceCode: string | null;
  communeCode: string | null;
  subjectId: string | null;
}

/**
 * Whether a user may see a case at all. A case outside the user's jurisdiction is answered 404, never 403, so that
 * its existence does not leak. A case of a province abolished on 01/07/2025 is also its successor's until it is
 * re-homed.
 */
export function canSee(user: Viewer, c: CaseWhereabouts): boolean {
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
      return officesForProvince(c.provinceCode ?? '').includes(user.jurisdiction);
    case 'commune_officer':
      return user.jurisdiction === c.communeCode;
    case 'subject':
      // A subject's jurisdiction is the subject itself (its dev token's, or the grant of a confirmed link): the
      // person acting for it has an account id of their own.
      return user.jurisdiction === c.subjectId;
    case 'system':
      return false;
  }
}

/** What was found, if the user may see it: null both when there is none and when it lies outside their jurisdiction. */
export const ifVisible = <T>(found: T | null, sees: (found: T) => boolean): T | null =>
  found !== null && sees(found) ? found : null;

type Fragment = postgres.PendingQuery<postgres.Row[]>;

/** `canSee` as a condition on the `cases` table (columns province_code, commune_code, subject_id). */
export function scopeCondition(sql: Sql, user: Viewer): Fragment {
  switch (user.role) {
    case 'admin':
    case 'ministry':
      return sql`TRUE`;
    case 'auditor':
      return user.jurisdiction === 'VN'
        ? sql`TRUE`
        : sql`(province_code IN ${sql(provincesServedBy(user.jurisdiction))} OR commune_code = ${user.jurisdiction})`;
    case 'provincial_office':
    case 'council_member':
      return sql`province_code IN ${sql(provincesServedBy(user.jurisdiction))}`;
    case 'commune_officer':
      return sql`commune_code = ${user.jurisdiction}`;
    case 'subject':
      return sql`subject_id = ${user.jurisdiction}`;
    case 'system':
      return sql`FALSE`;
  }
}

/** Conditions joined by AND (TRUE for none). */
export function and(sql: Sql, conditions: readonly Fragment[]): Fragment {
  return conditions.reduce((acc, c) => sql`${acc} AND ${c}`, sql`TRUE`);
}
export type { Fragment };
