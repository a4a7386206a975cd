import type { TransactionSql } from '../../db';
import { countKeyOf, countKeyString, type CountKey, type CountRow } from './row';

/** Sums contributions: each key of `add` counted +1, each of `remove` −1, keys that cancel out left out. */
export function countsDelta(remove: readonly CountKey[], add: readonly CountKey[]): CountRow[] {
  const delta = new Map<string, number>();
  for (const [keys, by] of [
    [remove, -1],
    [add, +1],
  ] as const) {
    for (const k of keys) delta.set(countKeyString(k), (delta.get(countKeyString(k)) ?? 0) + by);
  }
  // A fixed order of row locks, so two appends touching the same counters cannot deadlock.
  return [...delta]
    .filter(([, n]) => n !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, n]): CountRow => ({ ...countKeyOf(k), n }));
}

/**
 * Moves the counters by a delta, so that `counts` always equals the GROUP BY of the contributions present: rows that
 * fall to zero are deleted, and a counter that would go negative fails the append (the table is damaged).
 */
export async function moveCounts(tx: TransactionSql, delta: readonly CountRow[]): Promise<void> {
  if (delta.length === 0) return;
  const result = await tx<CountRow[]>`
    INSERT INTO counts ${tx(delta as CountRow[])}
    ON CONFLICT (kind, province_code, commune_code, product_set_code, status, star, year)
    DO UPDATE SET n = counts.n + EXCLUDED.n
    RETURNING *`;
  const negative = result.find((r) => r.n < 0);
  if (negative) {
    throw new Error(`counts went negative for ${countKeyString(negative)}: run \`ocop projections rebuild\``);
  }
  for (const r of result.filter((row) => row.n === 0)) {
    await tx`DELETE FROM counts WHERE kind = ${r.kind} AND province_code = ${r.province_code}
      AND commune_code = ${r.commune_code} AND product_set_code = ${r.product_set_code}
      AND status = ${r.status} AND star = ${r.star} AND year = ${r.year} AND n = 0`;
  }
}

/** The rebuild: adds a batch's summed contributions (each key once) to the emptied table's counters. */
export async function addCounts(tx: TransactionSql, rows: readonly CountRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await tx`INSERT INTO counts ${tx(rows.slice(i, i + 500))}
      ON CONFLICT (kind, province_code, commune_code, product_set_code, status, star, year)
      DO UPDATE SET n = counts.n + EXCLUDED.n`;
  }
}
