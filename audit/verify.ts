import type { Sql } from '../db';
import { fromRow, verifyChain, type ChainBreak } from '../db/event-store';
import { CaseNotFoundError } from './history';

export interface CaseVerification {
  productId: string;
  events: number;
  /** Hash of the last event: what a later verification (or a signed bundle) can be compared with. */
  headHash: string | null;
  ok: boolean;
  /** The first event where the chain breaks, or null. */
  firstBreak: ChainBreak | null;
}

/** Recomputes one case's hash chain from the stored rows. */
export async function verifyCase(sql: Sql, productId: string): Promise<CaseVerification> {
  const rows = await sql<Parameters<typeof fromRow>[0][]>`
    SELECT * FROM events WHERE stream_id = ${productId} ORDER BY stream_position`;
  if (rows.length === 0) throw new CaseNotFoundError(productId);
  const events = rows.map(fromRow);
  const firstBreak = verifyChain(events);
  return {
    productId,
    events: events.length,
    headHash: events[events.length - 1]?.hash ?? null,
    ok: firstBreak === null,
    firstBreak,
  };
}

export interface VerifyProgress {
  events: number;
  totalEvents: number;
  streams: number;
}

export interface VerifyAllOptions {
  /** Events read per query. @default 5000 */
  batchSize?: number;
  /** Called after every batch. */
  onProgress?: (progress: VerifyProgress) => void;
}

export interface VerifyAllResult {
  ok: boolean;
  streams: number;
  events: number;
  /** The first broken event of every broken stream, in stream id order. */
  broken: ChainBreak[];
  seconds: number;
}

/**
 * Verifies every stream's chain, reading the store in stream order in batches (keyset pagination on the
 * (stream_id, stream_position) index) inside one read-only snapshot, so it scales to millions of events in
 * constant memory per stream and sees one consistent state of the store.
 */
export async function verifyAll(sql: Sql, options: VerifyAllOptions = {}): Promise<VerifyAllResult> {
  const batchSize = options.batchSize ?? 5000;
  const started = performance.now();
  return sql.begin('isolation level repeatable read read only', async (tx) => {
    const [{ total } = { total: '0' }] = await tx<{ total: string }[]>`SELECT count(*) AS total FROM events`;
    const totalEvents = Number(total);
    const broken: ChainBreak[] = [];
    let streams = 0;
    let events = 0;
    let stream: ReturnType<typeof fromRow>[] = [];
    const close = () => {
      if (stream.length === 0) return;
      streams += 1;
      const firstBreak = verifyChain(stream);
      if (firstBreak) broken.push(firstBreak);
      stream = [];
    };
    type Batch = Parameters<typeof fromRow>[0][];
    const read = (after: { stream_id: string; stream_position: number } | null): Promise<Batch> =>
      after
        ? tx<Batch>`SELECT * FROM events WHERE (stream_id, stream_position) > (${after.stream_id}, ${after.stream_position})
                    ORDER BY stream_id, stream_position LIMIT ${batchSize}`
        : tx<Batch>`SELECT * FROM events ORDER BY stream_id, stream_position LIMIT ${batchSize}`;
    // The next batch is read while this one is hashed.
    let pending: Promise<Batch> | null = read(null);
    while (pending) {
      const rows: Batch = await pending;
      const last = rows[rows.length - 1];
      pending = last && rows.length === batchSize ? read(last) : null;
      // Should the fold fail first, its error is the one reported, not this read's.
      pending?.catch(() => undefined);
      for (const row of rows) {
        if (stream[0] && stream[0].streamId !== row.stream_id) close();
        stream.push(fromRow(row));
      }
      events += rows.length;
      options.onProgress?.({ events, totalEvents, streams });
    }
    close();
    return { ok: broken.length === 0, streams, events, broken, seconds: (performance.now() - started) / 1000 };
  });
}
