import { replay, summarize, type CaseState, type CaseSummary, type DomainEvent } from '../domain';
import type { Sql } from '../db';
import { readStream, type StoredEvent } from '../db/event-store';

/** Thrown when a product id names no stream in the event store. */
export class CaseNotFoundError extends Error {
  constructor(readonly productId: string) {
    super(`no events recorded for case ${productId}`);
    this.name = 'CaseNotFoundError';
  }
}

export interface CaseHistory {
  productId: string;
  /** Number of events: the stream's version. */
  version: number;
  events: StoredEvent[];
}

/** Every event of a case, in stream order, exactly as stored (with who, when, rule-set and hashes). */
export async function caseHistory(sql: Sql, productId: string): Promise<CaseHistory> {
  const events = await readStream(sql, productId);
  if (events.length === 0) throw new CaseNotFoundError(productId);
  return { productId, version: events.length, events };
}

export interface CaseStateAsOf {
  productId: string;
  /** The instant asked about (ISO UTC). */
  at: string;
  /** Events that had occurred by then; 0 when the case did not exist yet. */
  version: number;
  /** When the last of those events occurred. */
  lastEventAt: string | null;
  state: CaseState;
  summary: CaseSummary;
}

/**
 * The state of a case as of an instant: the events that had occurred by then (business time, `occurred_at`) replayed
 * through the domain's own `evolve`, the same fold the workflow and the read models use.
 */
export async function caseStateAsOf(sql: Sql, productId: string, at: string | Date): Promise<CaseStateAsOf> {
  const instant = new Date(at);
  if (Number.isNaN(instant.getTime())) throw new RangeError(`not an instant: ${String(at)}`);
  const stored = await readStream(sql, productId);
  if (stored.length === 0) throw new CaseNotFoundError(productId);
  const events = stored.filter((e) => Date.parse(e.occurredAt) <= instant.getTime());
  const state = replay(events.map((e) => ({ type: e.type, data: e.data }) as DomainEvent));
  return {
    productId,
    at: instant.toISOString(),
    version: events.length,
    lastEventAt: events[events.length - 1]?.occurredAt ?? null,
    state,
    summary: summarize(state),
  };
}
