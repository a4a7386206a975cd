import { canonicalJson } from '../../db/canonical';
import type { TransactionSql } from '../../db';
import { fromStoredCertificate, type CertificateRow, type StoredCertificateRow } from './row';

/** A case's certificate rows, oldest term first. */
export async function certificatesOfCase(tx: TransactionSql, productId: string): Promise<CertificateRow[]> {
  const rows = await tx<StoredCertificateRow[]>`
    SELECT * FROM certificates WHERE product_id = ${productId} ORDER BY term_no`;
  return rows.map(fromStoredCertificate);
}

/** Writes the rows of `after` that differ from `before`. */
export async function writeCertificates(
  tx: TransactionSql,
  before: readonly CertificateRow[],
  after: readonly CertificateRow[],
): Promise<void> {
  const old = new Map(before.map((c) => [c.term_no, canonicalJson(c)]));
  const changed = after.filter((c) => old.get(c.term_no) !== canonicalJson(c));
  if (changed.length === 0) return;
  const columns = Object.keys(changed[0]!).filter((k) => k !== 'product_id' && k !== 'term_no');
  await tx`INSERT INTO certificates ${tx(changed)}
    ON CONFLICT (product_id, term_no) DO UPDATE SET ${tx.unsafe(columns.map((c) => `${c} = EXCLUDED.${c}`).join(', '))}`;
}

/** The rebuild: inserts many rows into the emptied table. */
export async function insertCertificates(tx: TransactionSql, rows: readonly CertificateRow[]): Promise<void> {
  if (rows.length > 0) await tx`INSERT INTO certificates ${tx(rows)}`;
}
