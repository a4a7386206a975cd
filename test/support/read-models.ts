import type { Sql } from '../../db';
import { canonicalJson } from '../../db/canonical';
import { READ_MODELS } from '../../read-models/registry';

/** Every registered read model's rows, by table, each table sorted by its rows' canonical JSON: comparable whole. */
export async function readModelRows(sql: Sql): Promise<Record<string, Record<string, unknown>[]>> {
  const tables: Record<string, Record<string, unknown>[]> = {};
  for (const table of READ_MODELS.flatMap((m) => m.tables)) {
    const rows = (await sql`SELECT * FROM ${sql(table)}`).map((r) => ({ ...r }));
    const key = (r: object) => canonicalJson(r);
    tables[table] = rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
  return tables;
}
