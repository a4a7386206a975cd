import { batchesOfStore, countEvents, readStream } from '../db/event-store';
import type { Sql, TransactionSql } from '../db';
import { caseModel } from './case-model';
import { roundsModel } from './rounds/model';
import { accountsModel } from './accounts/model';
import { foldEvents, type ProjectedEvent, type ReadModel, type StreamFold } from './read-model';

/*
 * Every read model kept from the event store. The append path and the rebuild iterate this list, so a new read model
 * is a folder, a migration and a line here, and the rebuild cannot forget it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each model's fold type is its own
type AnyReadModel = ReadModel<any>;
export const READ_MODELS: readonly AnyReadModel[] = [caseModel, roundsModel, accountsModel];

const modelsOf = (streamId: string) => READ_MODELS.filter((m) => m.owns(streamId));

/**
 * Brings every read model of a stream up to date with events just appended, inside the append's transaction: the
 * stored fold is carried forward with the new events (or, should its rows lag behind the stream, the stream is
 * folded again from its start) and what changed is written. Returns each model's fold after the events.
 */
export async function projectAppend(
  tx: TransactionSql,
  streamId: string,
  appended: readonly ProjectedEvent[],
): Promise<StreamFold[]> {
  const first = appended[0];
  const folds: StreamFold[] = [];
  for (const model of modelsOf(streamId)) {
    const stored = await model.load(tx, streamId);
    if (!first) {
      if (stored) folds.push(stored);
      continue;
    }
    const base =
      stored?.version === first.streamPosition - 1
        ? stored
        : foldEvents(model, model.empty(streamId), await readStream(tx, streamId, { upTo: first.streamPosition - 1 }));
    const after = foldEvents(model, base, appended);
    folds.push(after);
    if (model.hasRows(after)) await model.write(tx, stored, after);
  }
  return folds;
}

/** The version the read models hold for a stream (null: none holds it). */
export async function readModelVersion(sql: Sql | TransactionSql, streamId: string): Promise<number | null> {
  for (const model of modelsOf(streamId)) {
    const version = await model.version(sql, streamId);
    if (version !== null) return version;
  }
  return null;
}

/** The version the read models hold for every stream they hold. */
export async function readModelVersions(sql: Sql | TransactionSql): Promise<Map<string, number>> {
  const versions = new Map<string, number>();
  for (const model of READ_MODELS) for (const [id, v] of await model.versions(sql)) versions.set(id, v);
  return versions;
}

export interface RebuildProgress {
  events: number;
  totalEvents: number;
  streams: number;
}

export interface RebuildOptions {
  /** Events read per query. @default 5000 */
  batchSize?: number;
  /** Called after every batch. */
  onProgress?: (progress: RebuildProgress) => void;
}

export interface RebuildResult {
  events: number;
  /** Streams folded. */
  streams: number;
  /** The rows each table holds after the rebuild, by table. */
  rows: Record<string, number>;
  /** Streams that no read model holds rows for (tests, tools, a stream that does not open what it should). */
  skippedStreams: number;
  seconds: number;
  eventsPerSecond: number;
}

/** Whole-stream folds written per model and call. */
const WRITE_BATCH = 500;

/**
 * Replays the whole event store into fresh read models, in one transaction: every registered model's tables are
 * locked against the append path (commands wait, none fail), emptied, and refilled from a fold of every stream in
 * stream order. The result is row for row what the append path would have written.
 */
export async function rebuildReadModels(sql: Sql, options: RebuildOptions = {}): Promise<RebuildResult> {
  const batchSize = options.batchSize ?? 5000;
  const started = performance.now();
  return sql.begin(async (tx) => {
    const tables = READ_MODELS.flatMap((m) => m.tables);
    await tx`LOCK TABLE ${tx.unsafe(tables.join(', '))} IN EXCLUSIVE MODE`;
    const totalEvents = await countEvents(tx);
    for (const table of tables) await tx`DELETE FROM ${tx(table)}`;

    const pending = new Map<AnyReadModel, StreamFold[]>(READ_MODELS.map((m) => [m, []]));
    let events = 0;
    let streams = 0;
    let skippedStreams = 0;
    const flush = async (force: boolean) => {
      for (const [model, folds] of pending) {
        if (folds.length >= WRITE_BATCH || (force && folds.length > 0)) {
          await model.writeAll(tx, folds);
          pending.set(model, []);
        }
      }
    };

    // The stream being folded: a fold per model that owns it, dropped as soon as its model finds no rows in it.
    type Folding = { streamId: string; folds: Map<AnyReadModel, StreamFold> };
    let current = null as Folding | null;
    const close = () => {
      if (!current) return;
      streams += 1;
      if (current.folds.size === 0) skippedStreams += 1;
      for (const [model, fold] of current.folds) pending.get(model)!.push(fold);
    };
    for await (const batch of batchesOfStore(tx, batchSize)) {
      for (const event of batch) {
        if (current?.streamId !== event.streamId) {
          close();
          current = {
            streamId: event.streamId,
            folds: new Map(modelsOf(event.streamId).map((m) => [m, m.empty(event.streamId)])),
          };
        }
        for (const [model, fold] of current.folds) {
          const next = model.apply(fold, event);
          // A stream whose first event does not open what the model reads is not its: stop folding it.
          if (model.hasRows(next)) current.folds.set(model, next);
          else current.folds.delete(model);
        }
      }
      events += batch.length;
      await flush(false);
      options.onProgress?.({ events, totalEvents, streams });
    }
    close();
    await flush(true);
    const rows: Record<string, number> = {};
    for (const table of tables) {
      const [row] = await tx<{ n: string }[]>`SELECT count(*) AS n FROM ${tx(table)}`;
      rows[table] = Number(row?.n ?? 0);
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      events,
      streams,
      rows,
      skippedStreams,
      seconds,
      eventsPerSecond: seconds > 0 ? Math.round(events / seconds) : events,
    };
  });
}
