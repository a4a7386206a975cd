import { evolve, type CaseState, type DomainEvent } from '../domain';
import type { TransactionSql } from '../db';
import { caseRow, type CaseRow } from './cases/row';
import { insertCases, storedCase, upsertCase } from './cases/store';
import { evolveCertificates, type CertificateRow } from './certificates/row';
import { certificatesOfCase, insertCertificates, writeCertificates } from './certificates/store';
import { countKeyOf, countKeys, countKeyString, type CountRow } from './counts/row';
import { countsDelta, addCounts, moveCounts } from './counts/store';
import type { ProjectedEvent, ReadModel, StreamFold } from './read-model';

/*
 * The read models of a product's case: `cases` (the case at a glance), `certificates` (every certificate it held)
 * and `counts` (what it adds to the statistics). All three are rows of one fold of the case's stream, with the
 * domain's own `evolve`, so they never disagree with each other or with the workflow.
 */

/** Everything the case read models hold about one case, as a fold over its stream. */
export interface CaseFold extends StreamFold {
  state: CaseState;
  registeredAt: string | null;
  updatedAt: string | null;
  certificates: readonly CertificateRow[];
}

export function emptyCaseFold(streamId: string): CaseFold {
  return { streamId, version: 0, state: { status: 'none' }, registeredAt: null, updatedAt: null, certificates: [] };
}

export function applyCaseEvent(f: CaseFold, event: ProjectedEvent): CaseFold {
  const domainEvent = { type: event.type, data: event.data } as DomainEvent;
  return {
    streamId: f.streamId,
    version: event.streamPosition,
    state: evolve(f.state, domainEvent),
    registeredAt: f.registeredAt ?? event.occurredAt,
    updatedAt: event.occurredAt,
    certificates: evolveCertificates(f.certificates, f.streamId, domainEvent, event.occurredAt),
  };
}

/**
 * True when the fold is a product case: its first event opened the case under the stream's own product id. Other
 * streams (tests, tools) have no read-model rows, live or rebuilt.
 */
export function isCase(f: CaseFold): boolean {
  return f.state.status !== 'none' && f.state.productId === f.streamId;
}

export function caseRowOf(f: CaseFold): CaseRow {
  return caseRow({
    productId: f.streamId,
    version: f.version,
    state: f.state,
    registeredAt: f.registeredAt ?? '',
    updatedAt: f.updatedAt ?? '',
  });
}

/** The case's state among the folds the append path returns (read-models/registry.ts), if one is a case's. */
export function caseStateOf(folds: readonly StreamFold[]): CaseState | null {
  const fold = folds.find((f): f is CaseFold => 'state' in f && 'certificates' in f);
  return fold?.state ?? null;
}

const contribution = (f: CaseFold | null) => (f && isCase(f) ? countKeys(f.state, f.certificates) : []);

export const caseModel: ReadModel<CaseFold> = {
  name: 'cases',
  tables: ['counts', 'certificates', 'cases'],
  // A product's stream is named by its bare id; every other kind of stream by `<kind>:` (api/schemas.ts).
  owns: (streamId) => !streamId.includes(':'),
  empty: emptyCaseFold,
  apply: applyCaseEvent,
  hasRows: isCase,
  async load(tx, streamId) {
    const stored = await storedCase(tx, streamId);
    if (!stored) return null;
    return { streamId, ...stored, certificates: await certificatesOfCase(tx, streamId) };
  },
  async write(tx, before, after) {
    await upsertCase(tx, caseRowOf(after));
    await writeCertificates(tx, before?.certificates ?? [], after.certificates);
    await moveCounts(tx, countsDelta(contribution(before), contribution(after)));
  },
  async writeAll(tx: TransactionSql, folds) {
    await insertCases(tx, folds.map(caseRowOf));
    await insertCertificates(
      tx,
      folds.flatMap((f) => f.certificates),
    );
    // The rebuild writes in batches: each batch's contributions are summed and added to the counters.
    const sums = new Map<string, number>();
    for (const k of folds.flatMap((f) => contribution(f)))
      sums.set(countKeyString(k), (sums.get(countKeyString(k)) ?? 0) + 1);
    await addCounts(
      tx,
      [...sums].map(([k, n]): CountRow => ({ ...countKeyOf(k), n })),
    );
  },
  async version(sql, streamId) {
    const [row] = await sql<{ version: number }[]>`SELECT version FROM cases WHERE product_id = ${streamId}`;
    return row?.version ?? null;
  },
  async versions(sql) {
    const rows = await sql<{ id: string; version: number }[]>`SELECT product_id AS id, version FROM cases`;
    return rows.map((r) => [r.id, r.version] as const);
  },
};
