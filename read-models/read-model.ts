import type { StoredEvent } from '../db/event-store';
import type { Sql, TransactionSql } from '../db';

/*
 * What every read model is: a pure fold of one kind of stream (unit-tested without servers), how its rows are kept
 * in step inside the append's transaction, and how the rebuild writes them from scratch. The registry
 * (read-models/registry.ts) lists them all; the append path and the rebuild iterate it, so a read model is a folder
 * and a migration, and the rebuild cannot forget one.
 */

/** The part of a stored event a read model reads. */
export type ProjectedEvent = Pick<StoredEvent, 'streamId' | 'streamPosition' | 'type' | 'data' | 'occurredAt'>;

/** A fold of one stream: how far it has read (the stream's version after its last event). */
export interface StreamFold {
  readonly streamId: string;
  readonly version: number;
}

export interface ReadModel<F extends StreamFold> {
  /** For logs and the rebuild's report. */
  readonly name: string;
  /** Its tables, in the order the rebuild empties them (dependants first). */
  readonly tables: readonly string[];
  /** Whether it reads streams of this id (each stream kind has its own id form). */
  owns(streamId: string): boolean;
  /** The fold of no event. */
  empty(streamId: string): F;
  /** Pure: the fold after one more event of its stream. */
  apply(fold: F, event: ProjectedEvent): F;
  /** Whether the fold has rows: a stream whose first event does not open what the model reads has none. */
  hasRows(fold: F): boolean;
  /** The fold as its rows hold it now, inside the append's transaction; null when the stream has no rows yet. */
  load(tx: TransactionSql, streamId: string): Promise<F | null>;
  /** Writes what changed from `before` (null: no rows yet) to `after`, inside the append's transaction. */
  write(tx: TransactionSql, before: F | null, after: F): Promise<void>;
  /** The rebuild: writes the rows of a batch of whole-stream folds into its emptied tables (called once per batch). */
  writeAll(tx: TransactionSql, folds: readonly F[]): Promise<void>;
  /** The version its rows hold for a stream, or null: what the audit compares with the stream. */
  version(sql: Sql | TransactionSql, streamId: string): Promise<number | null>;
  /** The version of every stream it holds rows for. */
  versions(sql: Sql | TransactionSql): Promise<readonly (readonly [string, number])[]>;
}

/** Folds events onto a fold, in order. */
export function foldEvents<F extends StreamFold>(model: ReadModel<F>, from: F, events: readonly ProjectedEvent[]): F {
  let fold = from;
  for (const event of events) fold = model.apply(fold, event);
  return fold;
}
