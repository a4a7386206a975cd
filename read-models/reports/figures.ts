import type { Sql } from '../../db';
import { and, scopeCondition, type Fragment, type Viewer } from '../scope';
import { csvOf } from '../../reports/xlsx';
import { communeName, provinceName } from '../search/queries';
import { districtOf } from '../../domain/places';

/** A former district's name where the installation holds the pre-2025 districts, its code otherwise. */
function districtName(code: string): string {
  try {
    return districtOf(code).name;
  } catch {
    return code;
  }
}

/*
 * Figures (issue 19): cases counted by up to two dimensions, within the caller's jurisdiction, each value with its
 * name. With `inForceOn`, only products whose certificate was valid that day count, by that certificate's star.
 */

export const DIMENSIONS = [
  'province',
  'district',
  'commune',
  'star',
  'productSet',
  'yearRegistered',
  'yearCertified',
  'status',
  'legalForm',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Vietnamese headings of the dimensions. */
export const DIMENSION_HEADINGS: Record<Dimension, string> = {
  province: 'Tỉnh/thành phố',
  district: 'Huyện (trước 01/07/2025)',
  commune: 'Xã/phường',
  star: 'Hạng sao',
  productSet: 'Bộ sản phẩm',
  yearRegistered: 'Năm đăng ký',
  yearCertified: 'Năm công nhận',
  status: 'Trạng thái',
  legalForm: 'Loại hình chủ thể',
};

/** Which units a place dimension names: today's (after re-homing), or those the case was first recorded at. */
export type Units = 'current' | 'former';

/** Vietnamese names of the legal forms (loại hình chủ thể). */
export const LEGAL_FORM_NAMES: Record<string, string> = {
  cooperative: 'Hợp tác xã',
  cooperative_group: 'Tổ hợp tác',
  company: 'Doanh nghiệp',
  household: 'Hộ sản xuất, kinh doanh',
};

export interface FigureRow {
  /** The values, one per dimension asked for, as codes. */
  keys: (string | null)[];
  /** The same values named (province and commune names, "4 sao"). */
  names: (string | null)[];
  count: number;
}

function column(sql: Sql, d: Dimension, inForce: boolean, units: Units): Fragment {
  const former = units === 'former';
  switch (d) {
    case 'province':
      return former ? sql`c.first_province_code` : sql`c.province_code`;
    case 'district':
      // Districts ended on 01/07/2025: a case re-homed since names none today, so its former district is the one.
      return former ? sql`c.first_district_code` : sql`coalesce(c.district_code, c.first_district_code)`;
    case 'commune':
      return former ? sql`c.first_commune_code` : sql`c.commune_code`;
    case 'star':
      return inForce ? sql`k.star::text` : sql`c.star::text`;
    case 'productSet':
      return sql`c.product_set_code`;
    case 'yearRegistered':
      return sql`c.registered_year::text`;
    case 'yearCertified':
      return inForce ? sql`extract(year FROM k.issued_on)::int::text` : sql`c.certified_year::text`;
    case 'status':
      return sql`c.stage`;
    case 'legalForm':
      return sql`c.subject_legal_form`;
  }
}

function nameOf(d: Dimension, v: string | null): string | null {
  if (v === null) return null;
  if (d === 'province') return provinceName(v);
  if (d === 'commune') return communeName(v);
  if (d === 'district') return districtName(v);
  if (d === 'star') return `${v} sao`;
  if (d === 'legalForm') return LEGAL_FORM_NAMES[v] ?? v;
  return v;
}

export interface FigureFilters {
  province?: string | undefined;
  inForceOn?: string | undefined;
  /** Place dimensions by today's units (the default) or by the units first recorded. */
  units?: Units | undefined;
}

/** Cases the user may see, counted by the dimensions (one or two), largest groups first. */
export async function figures(
  sql: Sql,
  user: Viewer,
  by: readonly Dimension[],
  f: FigureFilters,
): Promise<FigureRow[]> {
  const inForce = f.inForceOn !== undefined;
  const conditions: Fragment[] = [scopeCondition(sql, user)];
  if (f.province) conditions.push(sql`c.province_code = ${f.province}`);
  const join = inForce
    ? sql`JOIN certificates k ON k.product_id = c.product_id AND k.issued_on <= ${f.inForceOn!}::date
        AND ${f.inForceOn!}::date <= coalesce(k.extended_until, k.expires_on)
        AND (k.ended_on IS NULL OR k.ended_on > ${f.inForceOn!}::date)`
    : sql``;
  const units = f.units ?? 'current';
  const k1 = column(sql, by[0]!, inForce, units);
  const k2 = by[1] ? column(sql, by[1], inForce, units) : sql`NULL::text`;
  const rows = await sql<{ k1: string | null; k2: string | null; n: string }[]>`
    SELECT ${k1} AS k1, ${k2} AS k2, count(DISTINCT c.product_id) AS n
    FROM cases c ${join}
    WHERE ${and(sql, conditions)}
    GROUP BY 1, 2
    ORDER BY n DESC, k1, k2`;
  return rows.map((r) => {
    const keys = by.length === 2 ? [r.k1, r.k2] : [r.k1];
    return { keys, names: keys.map((v, i) => nameOf(by[i]!, v)), count: Number(r.n) };
  });
}

/** Figures as CSV: UTF-8 with a BOM, Vietnamese headings, names (not codes). */
/** The table of figures as people read it: Vietnamese headings, then each row's names and its count. */
export function figuresTable(by: readonly Dimension[], rows: readonly FigureRow[]) {
  return {
    head: [...by.map((d) => DIMENSION_HEADINGS[d]), 'Số sản phẩm'],
    rows: rows.map((r) => [...r.names, r.count] as (string | number | null)[]),
  };
}

export function figuresCsv(by: readonly Dimension[], rows: readonly FigureRow[]): string {
  const table = figuresTable(by, rows);
  return csvOf(table.head, table.rows);
}
