import type { CaseState } from '../../domain';
import type { TransactionSql } from '../../db';
import type { CaseRow, StoredCaseRow } from './row';

/** The parameters of a `cases` row: its state as jsonb. */
function params(tx: TransactionSql, row: CaseRow) {
  return { ...row, summary: tx.json(row.summary as Parameters<typeof tx.json>[0]) };
}

/** Writes a case's row, new or changed. */
export async function upsertCase(tx: TransactionSql, row: CaseRow): Promise<void> {
  const values = params(tx, row);
  const updated = (Object.keys(values) as (keyof typeof values)[]).filter((k) => k !== 'product_id');
  await tx`INSERT INTO cases ${tx(values)} ON CONFLICT (product_id) DO UPDATE SET ${tx(values, updated)}`;
}

/** The rebuild: inserts many rows into the emptied table. */
export async function insertCases(tx: TransactionSql, rows: readonly CaseRow[]): Promise<void> {
  if (rows.length > 0) await tx`INSERT INTO cases ${tx(rows.map((r) => params(tx, r)))}`;
}

/** What the fold of a case continues from: its stored version, instants and state. */
export async function storedCase(
  tx: TransactionSql,
  productId: string,
): Promise<{ version: number; registeredAt: string; updatedAt: string; state: CaseState } | null> {
  const [row] = await tx<Pick<StoredCaseRow, 'version' | 'registered_at' | 'updated_at' | 'summary'>[]>`
    SELECT version, registered_at, updated_at, summary FROM cases WHERE product_id = ${productId}`;
  return row
    ? {
        version: row.version,
        registeredAt: row.registered_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
        state: row.summary as CaseState,
      }
    : null;
}
