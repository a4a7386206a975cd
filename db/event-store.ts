import type { Actor } from '../domain';
import type { Sql, TransactionSql } from './index';
import { deterministicUuid, eventHash, GENESIS_HASH, type HashedEventFields } from './canonical';

/** Who recorded an event: the domain's actor (a person in one role and office, or the system). */
export type { Actor } from '../domain';

export interface NewEvent {
  type: string;
  data: unknown;
  /** @default 1 */
  schemaVersion?: number;
}

export interface AppendInput {
  streamId: string;
  /** The command (Temporal Update id) the events answer; a retried append with the same id writes nothing. */
  commandId: string;
  /** Stream version the caller decided against; a different stored version is a concurrency conflict. */
  expectedVersion: number;
  actor: Actor;
  occurredAt: string;
  ruleSetId: string;
  events: NewEvent[];
}

export interface StoredEvent extends HashedEventFields {
  globalPosition: string;
  recordedAt: string;
  hash: string;
}

export interface AppendResult {
  /** Stream version after the append (the position of its last event). */
  version: number;
  /** True when the command had already been appended and nothing was written. */
  duplicate: boolean;
  events: StoredEvent[];
}

/** Thrown when the stream moved on since the caller decided: someone else appended in between. */
export class WrongExpectedVersionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`stream ${streamId} is at version ${actual}, expected ${expected}`);
    this.name = 'WrongExpectedVersionError';
  }
}

interface EventRow {
  global_position: string;
  stream_id: string;
  stream_position: number;
  event_id: string;
  command_id: string;
  command_index: number;
  type: string;
  schema_version: number;
  data: unknown;
  actor_user: string;
  actor_role: string;
  actor_office: string;
  occurred_at: Date;
  recorded_at: Date;
  rule_set_id: string;
  prev_hash: string;
  hash: string;
}

export function fromRow(row: EventRow): StoredEvent {
  return {
    globalPosition: String(row.global_position),
    streamId: row.stream_id,
    streamPosition: row.stream_position,
    eventId: row.event_id,
    commandId: row.command_id,
    commandIndex: row.command_index,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    actor: { userId: row.actor_user, role: row.actor_role, office: row.actor_office },
    occurredAt: row.occurred_at.toISOString(),
    recordedAt: row.recorded_at.toISOString(),
    ruleSetId: row.rule_set_id,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * Appends a command's events to a stream: idempotent by command id, guarded by the expected version, and
 * hash-chained. `project` runs in the same transaction, so read models never disagree with the store.
 */
export async function appendToStream(
  sql: Sql,
  input: AppendInput,
  project?: (tx: TransactionSql, appended: StoredEvent[]) => Promise<void>,
): Promise<AppendResult> {
  return sql.begin(async (tx) => {
    // One writer per stream at a time; other streams are not blocked.
    await tx`SELECT pg_advisory_xact_lock(hashtextextended(${input.streamId}, 0))`;
    // One round trip: this command's events, if it was recorded before, and the stream's last event.
    const found = await tx<EventRow[]>`
      SELECT * FROM events WHERE stream_id = ${input.streamId} AND (command_id = ${input.commandId} OR stream_position =
        (SELECT max(stream_position) FROM events WHERE stream_id = ${input.streamId}))
      ORDER BY stream_position`;
    const already = found.filter((row) => row.command_id === input.commandId);
    const last = found.at(-1);
    const version = last?.stream_position ?? 0;
    if (already.length > 0) return { version, duplicate: true, events: already.map(fromRow) };
    if (version !== input.expectedVersion) {
      throw new WrongExpectedVersionError(input.streamId, input.expectedVersion, version);
    }
    if (input.events.length === 0) return { version, duplicate: false, events: [] };

    let prevHash = last?.hash ?? GENESIS_HASH;
    const rows = input.events.map((event, index) => {
      const fields: HashedEventFields = {
        streamId: input.streamId,
        streamPosition: version + index + 1,
        eventId: deterministicUuid(`${input.streamId}\u0000${input.commandId}\u0000${index}`),
        commandId: input.commandId,
        commandIndex: index,
        type: event.type,
        schemaVersion: event.schemaVersion ?? 1,
        // A JSON round trip drops undefined members exactly as jsonb will, so the hash covers what is stored.
        data: JSON.parse(JSON.stringify(event.data ?? null)) as unknown,
        actor: input.actor,
        occurredAt: new Date(input.occurredAt).toISOString(),
        ruleSetId: input.ruleSetId,
        prevHash,
      };
      const hash = eventHash(fields);
      prevHash = hash;
      return {
        stream_id: fields.streamId,
        stream_position: fields.streamPosition,
        event_id: fields.eventId,
        command_id: fields.commandId,
        command_index: fields.commandIndex,
        type: fields.type,
        schema_version: fields.schemaVersion,
        data: tx.json(fields.data as Parameters<typeof tx.json>[0]),
        actor_user: fields.actor.userId,
        actor_role: fields.actor.role,
        actor_office: fields.actor.office,
        occurred_at: fields.occurredAt,
        rule_set_id: fields.ruleSetId,
        prev_hash: fields.prevHash,
        hash,
      };
    });
    const inserted = await tx<EventRow[]>`INSERT INTO events ${tx(rows)} RETURNING *`;
    const events = inserted.map(fromRow).sort((a, b) => a.streamPosition - b.streamPosition);
    if (project) await project(tx, events);
    return { version: version + events.length, duplicate: false, events };
  });
}

/*
 * The reads of the event store. They are the only SQL on `events` outside the append: the audit, the history and
 * council views, the read models' catch-up and their rebuild all read through them.
 */

export interface StreamReadOptions {
  /** Only the events at or after this position… @default 1 */
  from?: number;
  /** …and at or before this one. */
  upTo?: number;
  /** Only events of these types. */
  types?: readonly string[];
  /** At most this many events. */
  limit?: number;
}

/** A stream's events in order, whole or the part the options name. */
export async function readStream(
  sql: Sql | TransactionSql,
  streamId: string,
  options: StreamReadOptions = {},
): Promise<StoredEvent[]> {
  const rows = await sql<EventRow[]>`
    SELECT * FROM events
    WHERE stream_id = ${streamId}
      ${options.from === undefined ? sql`` : sql`AND stream_position >= ${options.from}`}
      ${options.upTo === undefined ? sql`` : sql`AND stream_position <= ${options.upTo}`}
      ${options.types === undefined ? sql`` : sql`AND type IN ${sql(options.types as string[])}`}
    ORDER BY stream_position
    ${options.limit === undefined ? sql`` : sql`LIMIT ${options.limit}`}`;
  return rows.map(fromRow);
}

/** The ids of the streams whose id starts with `prefix` (e.g. `plan:`), in order. */
export async function streamIdsWithPrefix(sql: Sql | TransactionSql, prefix: string): Promise<string[]> {
  const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await sql<{ stream_id: string }[]>`
    SELECT DISTINCT stream_id FROM events WHERE stream_id LIKE ${pattern} ORDER BY stream_id`;
  return rows.map((r) => r.stream_id);
}

/** The number of events in the store. */
export async function countEvents(sql: Sql | TransactionSql): Promise<number> {
  const [row] = await sql<{ total: string }[]>`SELECT count(*) AS total FROM events`;
  return Number(row?.total ?? 0);
}

/** A position in the whole store read stream by stream: after this stream's event at this position. */
export interface StorePosition {
  streamId: string;
  streamPosition: number;
}

/**
 * The next events of the whole store in (stream, position) order, after a position (null: from the start). The
 * rebuild and the chain verification read the store through it, batch by batch.
 */
export async function readAllStreams(
  sql: Sql | TransactionSql,
  after: StorePosition | null,
  limit: number,
): Promise<StoredEvent[]> {
  const rows = after
    ? await sql<EventRow[]>`
        SELECT * FROM events WHERE (stream_id, stream_position) > (${after.streamId}, ${after.streamPosition})
        ORDER BY stream_id, stream_position LIMIT ${limit}`
    : await sql<EventRow[]>`SELECT * FROM events ORDER BY stream_id, stream_position LIMIT ${limit}`;
  return rows.map(fromRow);
}

/**
 * The whole store in (stream, position) order, batch by batch; the next batch is read while the caller works on this
 * one, so the database and the caller overlap.
 */
export async function* batchesOfStore(sql: Sql | TransactionSql, batchSize: number): AsyncGenerator<StoredEvent[]> {
  let pending: Promise<StoredEvent[]> | null = readAllStreams(sql, null, batchSize);
  while (pending) {
    const batch: StoredEvent[] = await pending;
    const last = batch.at(-1);
    pending =
      last && batch.length === batchSize
        ? readAllStreams(sql, { streamId: last.streamId, streamPosition: last.streamPosition }, batchSize)
        : null;
    // Should the caller fail first, its error is the one reported, not this read's.
    pending?.catch(() => undefined);
    yield batch;
  }
}

/** The last event of every stream: its position and hash (what a checkpoint signs). */
export async function streamHeads(
  sql: Sql | TransactionSql,
): Promise<{ streamId: string; streamPosition: number; hash: string }[]> {
  const rows = await sql<{ stream_id: string; stream_position: number; hash: string }[]>`
    SELECT DISTINCT ON (stream_id) stream_id, stream_position, hash FROM events
    ORDER BY stream_id, stream_position DESC`;
  return rows.map((r) => ({ streamId: r.stream_id, streamPosition: r.stream_position, hash: r.hash.trim() }));
}

/** The hash of the event at each (stream, position) asked for that is still stored, by stream id. */
export async function hashesAt(sql: Sql | TransactionSql, at: readonly StorePosition[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let i = 0; i < at.length; i += 5000) {
    const chunk = at.slice(i, i + 5000);
    const ids = sql.array(chunk.map((p) => p.streamId));
    const positions = sql.array(chunk.map((p) => p.streamPosition));
    const rows = await sql<{ stream_id: string; hash: string }[]>`
      SELECT e.stream_id, e.hash FROM events e
      JOIN unnest(${ids}::text[], ${positions}::int[]) AS c(stream_id, stream_position) USING (stream_id, stream_position)`;
    for (const r of rows) found.set(r.stream_id, r.hash.trim());
  }
  return found;
}

export interface ChainBreak {
  streamId: string;
  streamPosition: number;
  eventId: string;
  reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'position_gap';
}

/** Recomputes a stream's chain; returns the first event where it breaks, or null when it is intact. */
export function verifyChain(events: readonly StoredEvent[]): ChainBreak | null {
  let prevHash = GENESIS_HASH;
  let expectedPosition = 1;
  for (const event of events) {
    const at = { streamId: event.streamId, streamPosition: event.streamPosition, eventId: event.eventId };
    if (event.streamPosition !== expectedPosition) return { ...at, reason: 'position_gap' };
    if (event.prevHash !== prevHash) return { ...at, reason: 'prev_hash_mismatch' };
    const { globalPosition: _g, recordedAt: _r, hash, ...fields } = event;
    if (eventHash(fields) !== hash) return { ...at, reason: 'hash_mismatch' };
    prevHash = hash;
    expectedPosition += 1;
  }
  return null;
}
