import type { Sql } from '../../db';
import { pageOf, type Page, type PageRequest } from '../paging';
import { and, scopeCondition, type Fragment, type Viewer } from '../scope';
import type { StoredCaseRow } from '../cases/row';
import type { StoredCertificateRow } from './row';
import type { CertificateView } from './view';

/** What a certificate's view shows of its case. */
type CaseColumn =
  'product_name' | 'product_set_code' | 'subject_id' | 'subject_name' | 'province_code' | 'commune_code';

export interface CertificateFilters {
  province?: string | undefined;
  commune?: string | undefined;
  star?: number | undefined;
  productSet?: string | undefined;
  /** Year of issue. */
  year?: number | undefined;
  expiringBefore?: string | undefined;
  /** Default: valid only. */
  status?: string[] | undefined;
}

/** Certificates of the cases the caller may see, newest change first; by default those in force. */
export async function listCertificates(
  sql: Sql,
  user: Viewer,
  f: CertificateFilters,
  page: PageRequest,
): Promise<Page<CertificateView>> {
  const c: Fragment[] = [scopeCondition(sql, user), sql`c.status IN ${sql(f.status?.length ? f.status : ['valid'])}`];
  if (f.province) c.push(sql`k.province_code = ${f.province}`);
  if (f.commune) c.push(sql`k.commune_code = ${f.commune}`);
  if (f.star != null) c.push(sql`c.star = ${f.star}`);
  if (f.productSet) c.push(sql`k.product_set_code = ${f.productSet}`);
  if (f.year != null)
    c.push(sql`c.issued_on >= ${`${f.year}-01-01`}::date AND c.issued_on < ${`${f.year + 1}-01-01`}::date`);
  if (f.expiringBefore) c.push(sql`c.expires_on < ${f.expiringBefore}::date`);
  if (page.cursor) {
    c.push(
      sql`(c.updated_at, c.product_id, c.term_no) < (${page.cursor.at}::timestamptz, ${page.cursor.id}, ${page.cursor.term ?? 0})`,
    );
  }
  const rows = await sql<(StoredCertificateRow & Pick<StoredCaseRow, CaseColumn>)[]>`
    SELECT c.product_id, c.term_no, c.certificate_number, c.star, c.level, c.rule_set_id, c.issued_on, c.expires_on,
           c.extended_until, c.status, c.ended_on, c.replaced_by, c.imported, c.updated_at,
           k.product_name, k.product_set_code, k.subject_id, k.subject_name, k.province_code, k.commune_code
    FROM certificates c JOIN cases k ON k.product_id = c.product_id
    WHERE ${and(sql, c)}
    ORDER BY c.updated_at DESC, c.product_id DESC, c.term_no DESC
    LIMIT ${page.limit + 1}`;
  const items = rows.map((r) => ({
    certificateNumber: r.certificate_number,
    productId: r.product_id,
    termNo: r.term_no,
    star: r.star,
    level: r.level,
    ruleSetId: r.rule_set_id,
    issuedOn: r.issued_on,
    expiresOn: r.expires_on,
    extendedUntil: r.extended_until,
    status: r.status,
    endedOn: r.ended_on,
    replacedBy: r.replaced_by,
    imported: r.imported,
    productName: r.product_name,
    productSetCode: r.product_set_code,
    subjectId: r.subject_id,
    subjectName: r.subject_name,
    provinceCode: r.province_code,
    communeCode: r.commune_code,
    updatedAt: r.updated_at.toISOString(),
  }));
  return pageOf(items, page.limit, (last) => ({ at: last.updatedAt, id: last.productId, term: last.termNo }));
}

/** Which product holds each of these certificate numbers (any term, any status): an import refuses a number twice. */
export async function certificateHolders(sql: Sql, numbers: readonly string[]): Promise<Map<string, string>> {
  if (numbers.length === 0) return new Map();
  const rows = await sql<{ certificate_number: string; product_id: string }[]>`
    SELECT DISTINCT ON (certificate_number) certificate_number, product_id FROM certificates
    WHERE certificate_number = ANY(${numbers as string[]}::text[])`;
  return new Map(rows.map((r) => [r.certificate_number, r.product_id]));
}
