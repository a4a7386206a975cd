import { z } from 'zod';
import type { Sql } from '../../db';
import { communeOf, communesOfProvince, provinceOf, provinces, type Commune, type Era } from '../../domain/places';
import { pageOf, type Page, type PageRequest } from '../paging';
import { and, scopeCondition, type Fragment, type Viewer } from '../scope';

/*
 * Search (issue 18): cases whose product, subject, certificate number or commune name holds the words asked for,
 * whatever their diacritics and case, within the caller's jurisdiction. PostgreSQL folds the stored text
 * (`ocop_fold`: unaccent + lower, migration 016, trigram indexes); commune names live in the administrative map
 * (domain/places), so they are folded here the same way and matched to codes.
 */

/** Text folded for search as `ocop_fold` folds it: lower case, no diacritics, "đ" → "d". */
export function foldText(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}

const ERAS: readonly Era[] = ['current', 'legacy'];
let folded: { code: string; name: string }[] | null = null;
function foldedCommunes(): { code: string; name: string }[] {
  if (!folded) {
    const all: Commune[] = ERAS.flatMap((era) => provinces(era).flatMap((p) => communesOfProvince(p.code, era)));
    folded = all.map((c) => ({ code: c.code, name: foldText(c.name) }));
  }
  return folded;
}

/** Codes of communes (either era) whose name holds the folded phrase. */
export function communesNamed(phrase: string): string[] {
  const q = foldText(phrase).trim();
  if (q.length === 0) return [];
  return [
    ...new Set(
      foldedCommunes()
        .filter((c) => c.name.includes(q))
        .map((c) => c.code),
    ),
  ];
}

/** A unit's name: the current unit's, else the pre-reform one's, else the code itself (an unknown unit). */
export function communeName(code: string | null): string | null {
  if (code === null) return null;
  for (const era of ERAS) {
    try {
      return communeOf(code, era).name;
    } catch {
      /* the other era */
    }
  }
  return code;
}
export function provinceName(code: string | null): string | null {
  if (code === null) return null;
  for (const era of ERAS) {
    try {
      return provinceOf(code, era).name;
    } catch {
      /* the other era */
    }
  }
  return code;
}

export const searchHitSchema = z.object({
  productId: z.string(),
  productName: z.string().nullable(),
  subjectId: z.string().nullable(),
  subjectName: z.string().nullable(),
  stage: z.string(),
  star: z.number().int().nullable(),
  certificateNumbers: z.array(z.string()),
  provinceCode: z.string().nullable(),
  provinceName: z.string().nullable(),
  communeCode: z.string().nullable(),
  communeName: z.string().nullable(),
  /** Which fields hold the words: product, subject, certificate, commune. */
  matched: z.array(z.enum(['product', 'subject', 'certificate', 'commune'])),
  updatedAt: z.string(),
});
export type SearchHit = z.infer<typeof searchHitSchema>;

interface HitRow {
  product_id: string;
  product_name: string | null;
  subject_id: string | null;
  subject_name: string | null;
  stage: string;
  star: number | null;
  province_code: string | null;
  commune_code: string | null;
  updated_at: Date;
  numbers: string[] | null;
  in_product: boolean;
  in_subject: boolean;
  in_certificate: boolean;
  in_commune: boolean;
}

/** A LIKE pattern holding `s` anywhere, its own `%`, `_` and `\\` taken literally. */
export const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The cases the user may see whose product, subject, certificate number or commune holds `q`, newest change first. */
export async function searchCases(sql: Sql, user: Viewer, q: string, page: PageRequest): Promise<Page<SearchHit>> {
  const phrase = q.trim().replace(/\s+/g, ' ');
  const pattern = likePattern(phrase);
  const communes = communesNamed(phrase);
  const communeMatch: Fragment = communes.length > 0 ? sql`c.commune_code IN ${sql(communes)}` : sql`FALSE`;
  const conditions: Fragment[] = [scopeCondition(sql, user)];
  if (page.cursor) {
    conditions.push(sql`(c.updated_at, c.product_id) < (${page.cursor.at}::timestamptz, ${page.cursor.id})`);
  }
  const rows = await sql<HitRow[]>`
    SELECT * FROM (
      SELECT c.product_id, c.product_name, c.subject_id, c.subject_name, c.stage, c.star, c.province_code,
        c.commune_code, c.updated_at,
        (SELECT array_agg(k.certificate_number ORDER BY k.term_no) FROM certificates k
          WHERE k.product_id = c.product_id) AS numbers,
        coalesce(ocop_fold(c.product_name) LIKE ocop_fold(${pattern}), false) AS in_product,
        coalesce(ocop_fold(c.subject_name) LIKE ocop_fold(${pattern}), false) AS in_subject,
        EXISTS (SELECT 1 FROM certificates k WHERE k.product_id = c.product_id
          AND ocop_fold(k.certificate_number) LIKE ocop_fold(${pattern})) AS in_certificate,
        coalesce(${communeMatch}, false) AS in_commune
      FROM cases c
      WHERE ${and(sql, conditions)}
    ) hits
    WHERE in_product OR in_subject OR in_certificate OR in_commune
    ORDER BY updated_at DESC, product_id DESC
    LIMIT ${page.limit + 1}`;
  const hits = rows.map((r): SearchHit => ({
    productId: r.product_id,
    productName: r.product_name,
    subjectId: r.subject_id,
    subjectName: r.subject_name,
    stage: r.stage,
    star: r.star,
    certificateNumbers: r.numbers ?? [],
    provinceCode: r.province_code,
    provinceName: provinceName(r.province_code),
    communeCode: r.commune_code,
    communeName: communeName(r.commune_code),
    matched: [
      ...(r.in_product ? (['product'] as const) : []),
      ...(r.in_subject ? (['subject'] as const) : []),
      ...(r.in_certificate ? (['certificate'] as const) : []),
      ...(r.in_commune ? (['commune'] as const) : []),
    ],
    updatedAt: r.updated_at.toISOString(),
  }));
  return pageOf(hits, page.limit, (last) => ({ at: last.updatedAt, id: last.productId }));
}
