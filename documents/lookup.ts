import { z } from 'zod';
import type { Sql } from '../db';
import { communesNamed, communeName, foldText, likePattern, provinceName } from '../read-models/search/queries';
import type { Fragment } from '../read-models/scope';

/*
 * The public lookup of certified products (issue 20), for shops and e-commerce platforms: by product or subject name
 * (whatever the diacritics and case), commune name or code, or certificate number. Public facts only: the product,
 * its set and star, the subject's public name, the commune and province, the certificate and its status today. No
 * person, no contact, no case id of a person's.
 */

export const publicProductSchema = z.object({
  productName: z.string(),
  productSetCode: z.string(),
  subjectName: z.string(),
  star: z.number().int(),
  certificateNumber: z.string(),
  issuedOn: z.string().describe('YYYY-MM-DD'),
  expiresOn: z.string().describe('YYYY-MM-DD: the last day of validity, an extension included'),
  status: z.enum(['valid', 'expired', 'revoked', 'replaced']),
  communeCode: z.string(),
  communeName: z.string(),
  provinceCode: z.string(),
  provinceName: z.string(),
});
export type PublicProduct = z.infer<typeof publicProductSchema>;

export interface PublicLookup {
  q?: string | undefined;
  commune?: string | undefined;
  number?: string | undefined;
  limit: number;
}

interface Row {
  product_name: string;
  product_set_code: string;
  subject_name: string;
  star: number;
  certificate_number: string;
  issued_on: string;
  until: string;
  status: PublicProduct['status'];
  commune_code: string;
  province_code: string;
}

/** Certificates matching every criterion given, newest first; a valid one past its last day is `expired`. */
export async function lookUpPublicProducts(sql: Sql, o: PublicLookup, today: string): Promise<PublicProduct[]> {
  const conditions: Fragment[] = [];
  if (o.q !== undefined) {
    const phrase = o.q.trim().replace(/\s+/g, ' ');
    const pattern = likePattern(phrase);
    const communes = communesNamed(phrase);
    conditions.push(sql`(ocop_fold(k.product_name) LIKE ocop_fold(${pattern})
      OR ocop_fold(k.subject_name) LIKE ocop_fold(${pattern})
      OR ocop_fold(c.certificate_number) LIKE ocop_fold(${pattern})
      ${communes.length > 0 ? sql`OR k.commune_code IN ${sql(communes)}` : sql``})`);
  }
  if (o.commune !== undefined) {
    const byName = /^\d{5}$/.test(o.commune) ? [o.commune] : communesNamed(foldText(o.commune));
    conditions.push(byName.length > 0 ? sql`k.commune_code IN ${sql(byName)}` : sql`FALSE`);
  }
  if (o.number !== undefined) conditions.push(sql`c.certificate_number = ${o.number}`);
  const where = conditions.reduce((acc, c) => sql`${acc} AND ${c}`, sql`TRUE`);
  const rows = await sql<Row[]>`
    SELECT k.product_name, k.product_set_code, k.subject_name, c.star, c.certificate_number,
           c.issued_on::text AS issued_on, coalesce(c.extended_until, c.expires_on)::text AS until, c.status,
           k.commune_code, k.province_code
    FROM certificates c JOIN cases k ON k.product_id = c.product_id
    WHERE k.product_name IS NOT NULL AND k.subject_name IS NOT NULL AND k.commune_code IS NOT NULL
      AND k.province_code IS NOT NULL AND ${where}
    ORDER BY c.issued_on DESC, c.certificate_number
    LIMIT ${o.limit}`;
  return rows.map((r) => ({
    productName: r.product_name,
    productSetCode: r.product_set_code,
    subjectName: r.subject_name,
    star: r.star,
    certificateNumber: r.certificate_number,
    issuedOn: r.issued_on,
    expiresOn: r.until,
    status: r.status === 'valid' && r.until < today ? 'expired' : r.status,
    communeCode: r.commune_code,
    communeName: communeName(r.commune_code) ?? r.commune_code,
    provinceCode: r.province_code,
    provinceName: provinceName(r.province_code) ?? r.province_code,
  }));
}
