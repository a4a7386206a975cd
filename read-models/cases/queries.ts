import type { Sql } from '../../db';
import type { Places } from '../../domain';
import { pageOf, type Page, type PageRequest } from '../paging';
import { and, canSee, ifVisible, scopeCondition, type Fragment, type Viewer } from '../scope';
import type { StoredCaseRow } from './row';
import { CASE_VIEW_COLUMNS, toCaseDetail, toCaseView, type CaseDetail, type CaseView } from './view';

/** A case as the API shows it in full, or null when there is none. */
export async function getCase(sql: Sql, productId: string): Promise<CaseDetail | null> {
  const [row] = await sql<StoredCaseRow[]>`SELECT * FROM cases WHERE product_id = ${productId}`;
  return row ? toCaseDetail(row) : null;
}

/** A case the user may see; null both when there is none and when it lies outside their jurisdiction. */
export async function findVisibleCase(sql: Sql, user: Viewer, productId: string): Promise<CaseDetail | null> {
  return ifVisible(await getCase(sql, productId), (found) => canSee(user, found));
}

export interface CaseFilters {
  province?: string | undefined;
  commune?: string | undefined;
  stage?: string[] | undefined;
  star?: number | undefined;
  productSet?: string | undefined;
  /** Year of registration. */
  year?: number | undefined;
  /** Certificates that expire before this date (exclusive). */
  expiringBefore?: string | undefined;
  overdue?: boolean | undefined;
}

function filterConditions(sql: Sql, f: CaseFilters): Fragment[] {
  const c: Fragment[] = [];
  if (f.province) c.push(sql`province_code = ${f.province}`);
  if (f.commune) c.push(sql`commune_code = ${f.commune}`);
  if (f.stage && f.stage.length > 0) c.push(sql`stage IN ${sql(f.stage)}`);
  if (f.star != null) c.push(sql`star = ${f.star}`);
  if (f.productSet) c.push(sql`product_set_code = ${f.productSet}`);
  if (f.year != null) c.push(sql`registered_year = ${f.year}`);
  if (f.expiringBefore) c.push(sql`certificate_expiry < ${f.expiringBefore}::date`);
  if (f.overdue != null) c.push(sql`overdue = ${f.overdue}`);
  return c;
}

/** The cases the user may see that the filters leave, most recently changed first. */
export async function listCases(
  sql: Sql,
  user: Viewer,
  filters: CaseFilters,
  page: PageRequest,
): Promise<Page<CaseView>> {
  const conditions = [scopeCondition(sql, user), ...filterConditions(sql, filters)];
  if (page.cursor) {
    conditions.push(sql`(updated_at, product_id) < (${page.cursor.at}::timestamptz, ${page.cursor.id})`);
  }
  const rows = await sql<StoredCaseRow[]>`
    SELECT ${sql(CASE_VIEW_COLUMNS)} FROM cases
    WHERE ${and(sql, conditions)}
    ORDER BY updated_at DESC, product_id DESC
    LIMIT ${page.limit + 1}`;
  return pageOf(rows.map(toCaseView), page.limit, (last) => ({ at: last.updatedAt, id: last.productId }));
}

/** The dossiers of a province assigned to one of its rounds (đợt đánh giá), by product id. */
export async function dossiersOfRound(
  sql: Sql,
  round: { provinceCode: string; year: number; round: number },
): Promise<{ productId: string; productName: string | null; stage: string }[]> {
  const rows = await sql<{ product_id: string; product_name: string | null; stage: string }[]>`
    SELECT product_id, product_name, stage FROM cases
    WHERE province_code = ${round.provinceCode} AND round_year = ${round.year} AND round_no = ${round.round}
    ORDER BY product_id`;
  return rows.map((d) => ({ productId: d.product_id, productName: d.product_name, stage: d.stage }));
}

/** The cases in these stages (and provinces: null for all), with their places, by product id. */
export async function casesWithPlaces(
  sql: Sql,
  o: { stages: readonly string[]; provinces: readonly string[] | null },
): Promise<{ productId: string; places: Places }[]> {
  const rows = await sql<
    { product_id: string; province_code: string; commune_code: string; district_code: string | null }[]
  >`
    SELECT product_id, province_code, commune_code, district_code FROM cases
    WHERE stage IN ${sql(o.stages as string[])}
      ${o.provinces ? sql`AND province_code IN ${sql(o.provinces as string[])}` : sql``}
    ORDER BY product_id`;
  return rows.map((r) => ({
    productId: r.product_id,
    places: { provinceCode: r.province_code, communeCode: r.commune_code, districtCode: r.district_code },
  }));
}

/** Where each of these products' cases is (those that exist), for an import that asks which are already there. */
export async function caseWhereabouts(
  sql: Sql,
  productIds: readonly string[],
): Promise<Map<string, { provinceCode: string; communeCode: string; subjectId: string }>> {
  if (productIds.length === 0) return new Map();
  const rows = await sql<{ product_id: string; province_code: string; commune_code: string; subject_id: string }[]>`
    SELECT product_id, province_code, commune_code, subject_id FROM cases
    WHERE product_id = ANY(${productIds as string[]}::text[])`;
  return new Map(
    rows.map((r) => [
      r.product_id,
      { provinceCode: r.province_code, communeCode: r.commune_code, subjectId: r.subject_id },
    ]),
  );
}
