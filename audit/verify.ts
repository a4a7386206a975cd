import type { KeyObject } from 'node:crypto';
import type { Sql } from '../db';
import {
  batchesOfStore,
  countEvents,
  readStream,
  verifyChain,
  type ChainBreak,
  type StoredEvent,
} from '../db/event-store';
import { readModelVersion, readModelVersions } from '../read-models/registry';
import {
  allCheckpoints,
  checkpointProblems,
  compareWithHead,
  missingTailMessage,
  verifiedLastCheckpoint,
  verifyStoredCheckpoint,
  type CheckpointStatus,
  type StreamHead,
  type VerifiedCheckpoint,
} from './checkpoint';
import { CaseNotFoundError } from './history';

/** Positions a stream no longer holds, though a checkpoint or its read model says they were recorded. */
export interface MissingTail {
  from: number;
  to: number;
  /** What says they existed: the last checkpoint's head of the stream, the read model's version, or both. */
  detectedBy: ('checkpoint' | 'read_model')[];
}

/** The stream's head in the last checkpoint, and whether the stream still holds it. */
export interface StreamAnchor {
  seq: number;
  takenAt: string;
  streamPosition: number;
  hash: string;
  /** The checkpoint itself verifies (signature, key, hash, root, link to the previous one). */
  valid: boolean;
  /** The stream still has an event at that position with that hash. */
  holds: boolean;
}

export interface CaseVerification {
  productId: string;
  events: number;
  /** Hash of the last event: what a later verification (or a signed bundle) can be compared with. */
  headHash: string | null;
  ok: boolean;
  /** The first event where the chain breaks, or null. */
  firstBreak: ChainBreak | null;
  /** Events deleted from the end of the stream, found through the last checkpoint or the read model; or null. */
  missingTail: MissingTail | null;
  /** The stream's head in the last checkpoint; null when no checkpoint covers the stream yet. */
  checkpoint: StreamAnchor | null;
  /** The version the read model (cases, rounds) holds for the stream; null when it has no row. */
  readModelVersion: number | null;
  /** Every finding, in words (empty when ok). */
  problems: string[];
}

export interface VerifyCaseOptions {
  /** The key checkpoints must be signed with; without it a checkpoint's own key is used. */
  publicKey?: KeyObject | string;
}

interface StreamFindings {
  missingTail: MissingTail | null;
  anchor: StreamAnchor | null;
  problems: string[];
  mismatch: { streamPosition: number; expected: string; actual: string } | null;
}

/** Compares a stream's events with its checkpointed head and its read model's version. */
function compareStream(
  events: readonly { streamPosition: number; hash: string }[],
  checkpoint: { seq: number; takenAt: string; valid: boolean; head: StreamHead } | null,
  version: number | null,
): StreamFindings {
  const problems: string[] = [];
  const last = events.at(-1)?.streamPosition ?? 0;
  let missingTail: MissingTail | null = null;
  let anchor: StreamAnchor | null = null;
  let mismatch: StreamFindings['mismatch'] = null;
  const missing = (to: number, by: 'checkpoint' | 'read_model') => {
    if (to <= last) return;
    missingTail = missingTail
      ? { from: last + 1, to: Math.max(missingTail.to, to), detectedBy: [...missingTail.detectedBy, by] }
      : { from: last + 1, to, detectedBy: [by] };
  };
  if (checkpoint) {
    const comparison = compareWithHead(events, checkpoint.head);
    anchor = {
      seq: checkpoint.seq,
      takenAt: checkpoint.takenAt,
      streamPosition: checkpoint.head.streamPosition,
      hash: checkpoint.head.hash,
      valid: checkpoint.valid,
      holds: !comparison.missing && !comparison.mismatch,
    };
    if (checkpoint.valid) {
      if (comparison.missing) {
        if (comparison.missing.from > last) missing(comparison.missing.to, 'checkpoint');
        else {
          problems.push(
            `position ${comparison.missing.from} is absent, which checkpoint ${checkpoint.seq} recorded as the head`,
          );
        }
      }
      if (comparison.mismatch) {
        mismatch = comparison.mismatch;
        problems.push(
          `the event at position ${mismatch.streamPosition} has hash ${mismatch.actual}, checkpoint ` +
            `${checkpoint.seq} recorded ${mismatch.expected}`,
        );
      }
    }
  }
  if (version !== null) missing(version, 'read_model');
  const tail = missingTail as MissingTail | null;
  if (tail) {
    const by = tail.detectedBy
      .map((d) =>
        d === 'checkpoint'
          ? `checkpoint ${checkpoint?.seq} recorded position ${checkpoint?.head.streamPosition}`
          : `the read model is at version ${version}`,
      )
      .join('; ');
    problems.unshift(`${missingTailMessage(tail)} (${by})`);
  }
  return { missingTail: tail, anchor, problems, mismatch };
}

function breakMessage(b: ChainBreak): string {
  return `chain broken at position ${b.streamPosition} (event ${b.eventId}): ${b.reason}`;
}

/**
 * Verifies one case (or round) stream: recomputes its hash chain from the stored rows, and compares the stream with
 * its head in the last checkpoint and with its read model's version, which name events deleted from its end.
 */
export async function verifyCase(
  sql: Sql,
  productId: string,
  options: VerifyCaseOptions = {},
): Promise<CaseVerification> {
  const [events, version, verified] = await Promise.all([
    readStream(sql, productId),
    readModelVersion(sql, productId),
    verifiedLastCheckpoint(sql, options),
  ]);
  const head = verified?.heads.get(productId);
  if (events.length === 0 && version === null && !head) throw new CaseNotFoundError(productId);
  const firstBreak = verifyChain(events);
  const findings = compareStream(
    events,
    verified && head
      ? { seq: verified.status.seq, takenAt: verified.status.takenAt, valid: verified.status.ok, head }
      : null,
    version,
  );
  const problems = [
    ...(firstBreak ? [breakMessage(firstBreak)] : []),
    ...findings.problems,
    ...(verified && !verified.status.ok ? verified.status.problems : []),
  ];
  return {
    productId,
    events: events.length,
    headHash: events[events.length - 1]?.hash ?? null,
    ok: problems.length === 0,
    firstBreak,
    missingTail: findings.missingTail,
    checkpoint: findings.anchor,
    readModelVersion: version,
    problems,
  };
}

export interface VerifyProgress {
  events: number;
  totalEvents: number;
  streams: number;
}

export interface VerifyAllOptions extends VerifyCaseOptions {
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
  /** Streams missing events at their end (against the last checkpoint or their read model); those with none last. */
  missing: (MissingTail & { streamId: string })[];
  /** Streams whose event at the checkpointed position has another hash. */
  mismatched: { streamId: string; streamPosition: number; expected: string; actual: string }[];
  /** The last checkpoint, verified with the chain of every checkpoint before it; null when none was taken. */
  checkpoint: CheckpointStatus | null;
  /** Checkpoints verified (signature, hash, link to the previous one). */
  checkpoints: number;
  /** Every finding, in words, each prefixed with its stream (empty when ok). */
  problems: string[];
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
  const keyOptions = options.publicKey !== undefined ? { publicKey: options.publicKey } : {};
  return sql.begin('isolation level repeatable read read only', async (tx) => {
    const totalEvents = await countEvents(tx);
    const problems: string[] = [];

    // The chain of checkpoints: each signed, each linked to the one before; the last one's root recomputed. Only the
    // last must be signed by the expected key: its signature covers the hash of every checkpoint before it (which
    // may be signed by a key since rotated).
    const checkpoints = await allCheckpoints(tx);
    for (const [i, cp] of checkpoints.entries()) {
      if (i === checkpoints.length - 1) break;
      problems.push(...checkpointProblems(cp));
      if (cp.seq !== i + 1) problems.push(`checkpoint ${i + 1} is missing`);
      const next = checkpoints[i + 1]!;
      if (next.prevHash !== cp.hash) problems.push(`checkpoint ${next.seq} does not link to checkpoint ${cp.seq}`);
    }
    const lastCp = checkpoints.at(-1);
    let verified: VerifiedCheckpoint | null = null;
    if (lastCp) {
      verified = await verifyStoredCheckpoint(tx, lastCp, keyOptions);
      if (lastCp.seq !== checkpoints.length) problems.push(`checkpoint ${checkpoints.length} is missing`);
      problems.push(...verified.status.problems);
    }
    const anchorOf = (streamId: string) => {
      const head = verified?.heads.get(streamId);
      return verified && head
        ? { seq: verified.status.seq, takenAt: verified.status.takenAt, valid: verified.status.ok, head }
        : null;
    };
    const versions = await readModelVersions(tx);

    const broken: ChainBreak[] = [];
    const missing: VerifyAllResult['missing'] = [];
    const mismatched: VerifyAllResult['mismatched'] = [];
    const seen = new Set<string>();
    let streams = 0;
    let events = 0;
    let stream: StoredEvent[] = [];
    const judge = (streamId: string, found: readonly { streamPosition: number; hash: string }[]) => {
      const findings = compareStream(found, anchorOf(streamId), versions.get(streamId) ?? null);
      if (findings.missingTail) missing.push({ streamId, ...findings.missingTail });
      if (findings.mismatch) mismatched.push({ streamId, ...findings.mismatch });
      problems.push(...findings.problems.map((p) => `${streamId}: ${p}`));
    };
    const close = () => {
      const first = stream[0];
      if (!first) return;
      streams += 1;
      seen.add(first.streamId);
      const firstBreak = verifyChain(stream);
      if (firstBreak) {
        broken.push(firstBreak);
        problems.push(`${first.streamId}: ${breakMessage(firstBreak)}`);
      }
      judge(first.streamId, stream);
      stream = [];
    };
    for await (const rows of batchesOfStore(tx, batchSize)) {
      for (const event of rows) {
        if (stream[0] && stream[0].streamId !== event.streamId) close();
        stream.push(event);
      }
      events += rows.length;
      options.onProgress?.({ events, totalEvents, streams });
    }
    close();
    // Streams a checkpoint or a read model knows of that have no event left at all.
    const gone = new Set([...(verified?.heads.keys() ?? []), ...versions.keys()].filter((id) => !seen.has(id)));
    for (const streamId of [...gone].sort()) judge(streamId, []);

    return {
      ok: problems.length === 0,
      streams,
      events,
      broken,
      missing,
      mismatched,
      checkpoint: verified?.status ?? null,
      checkpoints: checkpoints.length,
      problems,
      seconds: (performance.now() - started) / 1000,
    };
  });
}
