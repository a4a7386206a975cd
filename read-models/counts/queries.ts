import { z } from 'zod';
import type { Sql } from '../../db';
import { officesForProvince, provincesServedBy, rehomingFor } from '../../domain/places';
import { and, scopeCondition, type Fragment, type Viewer } from '../scope';

export const STATISTICS_DIMENSIONS = [
  'province',
  'district',
  'commune',
  'productSet',
  'status',
  'star',
  'year',
] as const;
export type StatisticsDimension = (typeof STATISTICS_DIMENSIONS)[number];
const DIMENSION_COLUMN: Record<StatisticsDimension, string> = {
  province: 'province_code',
  district: 'district_code',
  commune: 'commune_code',
  productSet: 'product_set_code',
  status: 'status',
  star: 'star',
  year: 'year',
};

/**
 * Which administrative units the counts are keyed by: `current`, the units since 01/07/2025 (a case not yet re-homed
 * counts under its successor); `former`, the places each case was first recorded at (for a case from before the
 * reform, its old province, district and commune, as its history keeps them).
 */
export const STATISTICS_UNITS = ['current', 'former'] as const;
export type StatisticsUnits = (typeof STATISTICS_UNITS)[number];

export interface StatisticsFilters {
  province?: string | undefined;
  district?: string | undefined;
  commune?: string | undefined;
  productSet?: string | undefined;
  /** Stages (cases) or certificate statuses (certificates). */
  status?: string[] | undefined;
  star?: number | undefined;
  year?: number | undefined;
}

/** Counts as the API shows them; the type is the schema's. */
export const statisticsSchema = z.object({
  kind: z.enum(['case', 'certificate']),
  groupBy: z.enum(STATISTICS_DIMENSIONS),
  units: z.enum(STATISTICS_UNITS),
  total: z.number().int(),
  groups: z.array(z.object({ key: z.string(), count: z.number().int() })),
});

export type Statistics = z.infer<typeof statisticsSchema>;

/** The current unit a stored place counts under: itself, or its one successor by the 2025 mapping. */
function currentKey(groupBy: StatisticsDimension, provinceCode: string, communeCode: string, key: string): string {
  if (groupBy !== 'province' && groupBy !== 'commune') return key;
  const r = rehomingFor({ provinceCode, communeCode });
  if (r.kind === 'move') return groupBy === 'province' ? r.to.provinceCode : r.to.communeCode;
  if (groupBy === 'province' && r.kind !== 'current') return officesForProvince(provinceCode).at(-1) ?? key;
  return key;
}

/**
 * Counts of cases (status = stage, star = the certificate in force or 0, year = year registered) or of certificates
 * (status = certificate status, year = year issued) in the caller's jurisdiction, grouped by one dimension. Officials
 * read the `counts` read model by current units; a subject's own counts, and counts by former units, are computed
 * from the cases, which keep every case's places and former places.
 */
export async function statistics(
  sql: Sql,
  user: Viewer,
  kind: 'case' | 'certificate',
  groupBy: StatisticsDimension,
  f: StatisticsFilters,
  options: { fromCounts?: boolean; units?: StatisticsUnits } = {},
): Promise<Statistics> {
  const units = options.units ?? 'current';
  const fromCounts = units === 'current' && (options.fromCounts ?? user.role !== 'subject');
  // The places a case is counted at: its own, or, by former units, the first it was recorded at.
  const at = units === 'former' ? 'first_' : '';
  const places = sql.unsafe(
    `k.${at}province_code AS province_code, k.${at}commune_code AS commune_code, k.${at}district_code AS district_code`,
  );
  const from = fromCounts
    ? sql`(SELECT province_code, commune_code, NULL::text AS district_code, product_set_code, status, star, year, n
           FROM counts WHERE kind = ${kind} AND ${scopeCondition(sql, user)})`
    : kind === 'case'
      ? sql`(SELECT ${places}, product_set_code, stage AS status, coalesce(star, 0) AS star,
                    registered_year AS year, 1 AS n
             FROM cases k WHERE ${scopeCondition(sql, user)})`
      : sql`(SELECT ${places}, k.product_set_code, c.status, c.star, extract(year FROM c.issued_on)::int AS year,
                    1 AS n
             FROM certificates c JOIN cases k ON k.product_id = c.product_id WHERE ${scopeCondition(sql, user)})`;
  const c: Fragment[] = [];
  if (f.province) {
    // By current units, a province also counts the cases of the provinces it absorbed that wait to be re-homed.
    c.push(
      units === 'current'
        ? sql`province_code IN ${sql(provincesServedBy(f.province))}`
        : sql`province_code = ${f.province}`,
    );
  }
  if (f.district) c.push(sql`district_code = ${f.district}`);
  if (f.commune) c.push(sql`commune_code = ${f.commune}`);
  if (f.productSet) c.push(sql`product_set_code = ${f.productSet}`);
  if (f.status?.length) c.push(sql`status IN ${sql(f.status)}`);
  if (f.star != null) c.push(sql`star = ${f.star}`);
  if (f.year != null) c.push(sql`year = ${f.year}`);
  const rows = await sql<{ key: string | number | null; province_code: string; commune_code: string; count: string }[]>`
    SELECT ${sql.unsafe(DIMENSION_COLUMN[groupBy])} AS key, province_code, commune_code, sum(n) AS count
    FROM ${from} s
    WHERE ${and(sql, c)}
    GROUP BY 1, 2, 3`;
  const merged = new Map<string, number>();
  for (const r of rows) {
    const raw = r.key === null ? '' : String(r.key);
    const key = units === 'current' ? currentKey(groupBy, r.province_code, r.commune_code, raw) : raw;
    merged.set(key, (merged.get(key) ?? 0) + Number(r.count));
  }
  const groups = [...merged]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { kind, groupBy, units, total: groups.reduce((n, g) => n + g.count, 0), groups };
}
