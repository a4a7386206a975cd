import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { Sql, TransactionSql } from '../db';
import { canonicalJson, GENESIS_HASH, sha256Hex } from '../db/canonical';
import { hashesAt, streamHeads } from '../db/event-store';
import { inclusionProof, leafHash, merkleRoot, rootFromProof } from './merkle';

/*
 * Signed checkpoints: the hash chains anchored outside themselves. A chain alone proves that no event was changed
 * in the middle, but a stream whose last events were deleted is a shorter chain that still verifies. A checkpoint
 * records every stream's head (stream id, position, hash) as one Merkle root (RFC 6962), signed with the audit key
 * (Ed25519) and chained to the previous checkpoint; the rows are append-only for the application role (migration
 * 008). A stream shorter than its checkpointed head, or whose event at that position has another hash, lost or
 * changed events; a case's bundle carries the checkpoint and its leaf's inclusion proof, so it verifies offline.
 */

export const CHECKPOINT_FORMAT = 'ocop-cycle/checkpoint@1';

/** What a checkpoint records of one stream. */
export interface StreamHead {
  streamId: string;
  streamPosition: number;
  hash: string;
}

const signerSchema = z.object({ algorithm: z.literal('Ed25519'), publicKey: z.string(), fingerprint: z.string() });
export const checkpointSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  seq: z.number().int().min(1),
  takenAt: z.string(),
  /** Number of streams (leaves of the tree). */
  streams: z.number().int().min(0),
  root: z.string(),
  prevHash: z.string(),
  signer: signerSchema,
  signature: z.string(),
  hash: z.string(),
});
export type SignedCheckpoint = z.infer<typeof checkpointSchema>;
type CheckpointBody = Omit<SignedCheckpoint, 'signature' | 'hash'>;

const headSchema = z.object({ streamId: z.string(), streamPosition: z.number().int().min(1), hash: z.string() });
/** A checkpoint with one stream's leaf and its inclusion proof: what a case's bundle carries. */
export const checkpointProofSchema = checkpointSchema.extend({
  leaf: headSchema,
  proof: z.object({ index: z.number().int().min(0), path: z.array(z.string()) }),
});
export type CheckpointProof = z.infer<typeof checkpointProofSchema>;

/** How a checkpoint is computed, for an auditor with nothing but a bundle. */
export const CHECKPOINT_HASHING =
  'leaf = SHA-256(0x00 || canonical JSON of {streamId, streamPosition, hash}); node = SHA-256(0x01 || left || ' +
  'right); leaves sorted by streamId (UTF-16 code units), tree as RFC 6962 section 2.1; the proof is the RFC 9162 ' +
  'audit path of leaf `index` in a tree of `streams` leaves. signature = Ed25519 over the canonical JSON of the ' +
  'checkpoint without signature and hash; hash = SHA-256 (hex) of the canonical JSON of the checkpoint without ' +
  'hash; prevHash is the previous checkpoint hash, 64 zeros for the first.';

export function headLeaf(head: StreamHead): Buffer {
  return leafHash(
    canonicalJson({ streamId: head.streamId, streamPosition: head.streamPosition, hash: head.hash.trim() }),
  );
}

function byStreamId(a: StreamHead, b: StreamHead): number {
  return a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0;
}

/** The Merkle root over heads, in stream id order. */
export function headsRoot(heads: readonly StreamHead[]): string {
  return merkleRoot([...heads].sort(byStreamId).map(headLeaf));
}

export function fingerprintOf(key: KeyObject | string): string {
  const publicKey =
    typeof key === 'string' ? createPublicKey(key) : key.type === 'private' ? createPublicKey(key) : key;
  return `sha256:${createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')}`;
}

export function signCheckpoint(
  body: Omit<CheckpointBody, 'signer' | 'format'>,
  privateKey: KeyObject,
): SignedCheckpoint {
  const publicKey = createPublicKey(privateKey);
  const full: CheckpointBody = {
    format: CHECKPOINT_FORMAT,
    ...body,
    signer: {
      algorithm: 'Ed25519',
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      fingerprint: fingerprintOf(publicKey),
    },
  };
  const signature = sign(null, Buffer.from(canonicalJson(full), 'utf8'), privateKey).toString('base64');
  return { ...full, signature, hash: sha256Hex(canonicalJson({ ...full, signature })) };
}

/**
 * What is wrong with a checkpoint on its own: its signature, its key's fingerprint, the expected key (when given)
 * and its hash. An empty list when it verifies.
 */
export function checkpointProblems(value: unknown, options: { publicKey?: KeyObject | string } = {}): string[] {
  const parsed = checkpointSchema.safeParse(value);
  if (!parsed.success) return [`not a checkpoint: ${z.prettifyError(parsed.error)}`];
  const cp = parsed.data;
  const problems: string[] = [];
  const { signature, hash, ...body } = cp;
  let publicKey: KeyObject | null = null;
  try {
    publicKey = createPublicKey(cp.signer.publicKey);
    if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
  } catch (err) {
    problems.push(`checkpoint ${cp.seq}: the signer's public key is unusable: ${(err as Error).message}`);
  }
  if (publicKey) {
    const fingerprint = fingerprintOf(publicKey);
    if (fingerprint !== cp.signer.fingerprint) {
      problems.push(`checkpoint ${cp.seq}: fingerprint ${cp.signer.fingerprint} is not the key's ${fingerprint}`);
    }
    if (options.publicKey !== undefined) {
      const expected = fingerprintOf(options.publicKey);
      if (expected !== fingerprint) {
        problems.push(`checkpoint ${cp.seq}: signed by ${fingerprint}, not by the expected key ${expected}`);
      }
    }
    const valid = verify(null, Buffer.from(canonicalJson(body), 'utf8'), publicKey, Buffer.from(signature, 'base64'));
    if (!valid) problems.push(`checkpoint ${cp.seq}: the signature does not match its content`);
  }
  if (sha256Hex(canonicalJson({ ...body, signature })) !== hash) {
    problems.push(`checkpoint ${cp.seq}: its hash does not recompute`);
  }
  return problems;
}

/** The checkpoint with one stream's leaf and inclusion proof, from the checkpoint's heads; null without that stream. */
export function proofFor(checkpoint: SignedCheckpoint, heads: readonly StreamHead[], streamId: string) {
  const sorted = [...heads].sort(byStreamId);
  const index = sorted.findIndex((h) => h.streamId === streamId);
  if (index < 0) return null;
  const leaf = sorted[index]!;
  const proof: CheckpointProof = {
    ...checkpoint,
    leaf: { streamId: leaf.streamId, streamPosition: leaf.streamPosition, hash: leaf.hash.trim() },
    proof: { index, path: inclusionProof(sorted.map(headLeaf), index) },
  };
  return proof;
}

/** What is wrong with a checkpoint proof: the checkpoint itself, and whether its leaf's path leads to its root. */
export function proofProblems(value: CheckpointProof, options: { publicKey?: KeyObject | string } = {}): string[] {
  const { leaf, proof, ...checkpoint } = value;
  const problems = checkpointProblems(checkpoint, options);
  const root = rootFromProof(headLeaf(leaf), proof.index, value.streams, proof.path);
  if (root !== value.root) {
    problems.push(`checkpoint ${value.seq}: the proof of ${leaf.streamId} does not lead to the signed root`);
  }
  return problems;
}

/** A stream compared with the head a checkpoint (or a read model) recorded for it. */
export interface TailComparison {
  /** Positions recorded as existing that the stream no longer holds, or null. */
  missing: { from: number; to: number } | null;
  /** The event at the recorded position has another hash. */
  mismatch: { streamPosition: number; expected: string; actual: string } | null;
}

/** Compares a stream (events in position order) with a recorded head. */
export function compareWithHead(
  events: readonly { streamPosition: number; hash: string }[],
  head: { streamPosition: number; hash?: string },
): TailComparison {
  const last = events.at(-1)?.streamPosition ?? 0;
  if (last < head.streamPosition) return { missing: { from: last + 1, to: head.streamPosition }, mismatch: null };
  if (head.hash === undefined) return { missing: null, mismatch: null };
  const at = events.find((e) => e.streamPosition === head.streamPosition);
  if (!at) return { missing: { from: head.streamPosition, to: head.streamPosition }, mismatch: null };
  const expected = head.hash.trim();
  return at.hash.trim() === expected
    ? { missing: null, mismatch: null }
    : { missing: null, mismatch: { streamPosition: head.streamPosition, expected, actual: at.hash.trim() } };
}

export function missingTailMessage(missing: { from: number; to: number }): string {
  return missing.from === missing.to
    ? `missing tail: position ${missing.from} absent`
    : `missing tail: positions ${missing.from}..${missing.to} absent`;
}

// ------------------------------------------------------------------------------------------------ the store

interface CheckpointRow {
  seq: string;
  taken_at: Date;
  streams: number;
  root: string;
  prev_hash: string;
  signer_public_key: string;
  signer_fingerprint: string;
  signature: string;
  hash: string;
}

function fromRow(row: CheckpointRow): SignedCheckpoint {
  return {
    format: CHECKPOINT_FORMAT,
    seq: Number(row.seq),
    takenAt: row.taken_at.toISOString(),
    streams: row.streams,
    root: row.root.trim(),
    prevHash: row.prev_hash.trim(),
    signer: { algorithm: 'Ed25519', publicKey: row.signer_public_key, fingerprint: row.signer_fingerprint },
    signature: row.signature,
    hash: row.hash.trim(),
  };
}

type Db = Sql | TransactionSql;

export async function lastCheckpoint(sql: Db): Promise<SignedCheckpoint | null> {
  const [row] = await sql<CheckpointRow[]>`SELECT * FROM checkpoints ORDER BY seq DESC LIMIT 1`;
  return row ? fromRow(row) : null;
}

/** Every checkpoint, oldest first. */
export async function allCheckpoints(sql: Db): Promise<SignedCheckpoint[]> {
  return (await sql<CheckpointRow[]>`SELECT * FROM checkpoints ORDER BY seq`).map(fromRow);
}

/** The heads of checkpoint `seq`: per stream, its latest recorded head at or before that checkpoint. */
export async function checkpointHeads(sql: Db, seq: number): Promise<StreamHead[]> {
  const rows = await sql<{ stream_id: string; stream_position: number; hash: string }[]>`
    SELECT DISTINCT ON (stream_id) stream_id, stream_position, hash FROM checkpoint_heads
    WHERE seq <= ${seq} ORDER BY stream_id, seq DESC`;
  return rows
    .map((r) => ({ streamId: r.stream_id, streamPosition: r.stream_position, hash: r.hash.trim() }))
    .sort(byStreamId);
}

export interface CheckpointStatus {
  seq: number;
  takenAt: string;
  streams: number;
  root: string;
  hash: string;
  fingerprint: string;
  /** It verifies: signature (by the expected key, when one is known), hash, root, link to its predecessor. */
  ok: boolean;
  problems: string[];
}

export interface VerifiedCheckpoint {
  checkpoint: SignedCheckpoint;
  status: CheckpointStatus;
  heads: Map<string, StreamHead>;
  sorted: StreamHead[];
}

/**
 * Verifies one stored checkpoint: its signature and hash, the root recomputed from its stored heads, and its link to
 * the previous checkpoint.
 */
export async function verifyStoredCheckpoint(
  sql: Db,
  checkpoint: SignedCheckpoint,
  options: { publicKey?: KeyObject | string } = {},
): Promise<VerifiedCheckpoint> {
  const problems = checkpointProblems(checkpoint, options);
  const sorted = await checkpointHeads(sql, checkpoint.seq);
  if (sorted.length !== checkpoint.streams || headsRoot(sorted) !== checkpoint.root) {
    problems.push(`checkpoint ${checkpoint.seq}: its stored heads do not give its signed root`);
  }
  if (checkpoint.seq === 1) {
    if (checkpoint.prevHash !== GENESIS_HASH) problems.push('checkpoint 1: its previous hash is not 64 zeros');
  } else {
    const [prev] = await sql<{ hash: string }[]>`SELECT hash FROM checkpoints WHERE seq = ${checkpoint.seq - 1}`;
    if (!prev) problems.push(`checkpoint ${checkpoint.seq}: checkpoint ${checkpoint.seq - 1} is missing`);
    else if (prev.hash.trim() !== checkpoint.prevHash) {
      problems.push(`checkpoint ${checkpoint.seq}: it does not link to the hash of checkpoint ${checkpoint.seq - 1}`);
    }
  }
  return {
    checkpoint,
    sorted,
    heads: new Map(sorted.map((h) => [h.streamId, h])),
    status: {
      seq: checkpoint.seq,
      takenAt: checkpoint.takenAt,
      streams: checkpoint.streams,
      root: checkpoint.root,
      hash: checkpoint.hash,
      fingerprint: checkpoint.signer.fingerprint,
      ok: problems.length === 0,
      problems,
    },
  };
}

/** The last verification of the last checkpoint, per connection pool: rereading every head per request would cost. */
const cache = new WeakMap<object, { key: string; verified: VerifiedCheckpoint }>();

/**
 * The last checkpoint, verified, or null when none was taken. The verification is kept for as long as the stored
 * checkpoint row and the expected key stay the same, so reading a case's anchor costs one small query.
 */
export async function verifiedLastCheckpoint(
  sql: Sql,
  options: { publicKey?: KeyObject | string } = {},
): Promise<VerifiedCheckpoint | null> {
  const checkpoint = await lastCheckpoint(sql);
  if (!checkpoint) return null;
  const key = `${canonicalJson(checkpoint)}|${options.publicKey ? fingerprintOf(options.publicKey) : ''}`;
  const cached = cache.get(sql);
  if (cached?.key === key) return cached.verified;
  const verified = await verifyStoredCheckpoint(sql, checkpoint, options);
  cache.set(sql, { key, verified });
  return verified;
}

/** Thrown when the last checkpoint does not verify: the next one would vouch for a chain of checkpoints that broke. */
export class CheckpointRefusedError extends Error {
  constructor(readonly problems: string[]) {
    super(`no checkpoint taken: the last one does not verify (${problems.join('; ')})`);
    this.name = 'CheckpointRefusedError';
  }
}

/** A stream that no longer holds the head its last checkpoint recorded. */
export interface RegressedStream extends TailComparison {
  streamId: string;
  /** The head the checkpoints keep recording for it. */
  checkpointed: StreamHead;
}

export interface TakeCheckpointResult {
  /** False when no head changed since the last checkpoint (then `checkpoint` is that one). */
  taken: boolean;
  checkpoint: SignedCheckpoint | null;
  /** Streams whose head changed since the previous checkpoint. */
  changed: number;
  /** Streams shorter than, or different from, their checkpointed head: their old head is carried forward. */
  regressed: RegressedStream[];
}

const LOCK = 'ocop-cycle checkpoints';

/**
 * Takes a checkpoint of every stream's head, signed with `signingKey`, unless no head changed since the last one.
 * Checkpointers serialize on an advisory lock. A stream that lost its checkpointed head (or whose event there has
 * another hash) keeps its old head in the new checkpoint, so the loss stays visible; the last checkpoint must verify
 * with the same key (or, once after a key rotation, with `previousPublicKey`), or nothing is taken.
 */
export async function takeCheckpoint(
  sql: Sql,
  signingKey: KeyObject,
  options: {
    now?: Date;
    /** After a key rotation: the key the last checkpoint was signed with. @default the public half of signingKey */
    previousPublicKey?: KeyObject | string;
  } = {},
): Promise<TakeCheckpointResult> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext(${LOCK}))`;
    const last = await lastCheckpoint(tx);
    let previous = new Map<string, StreamHead>();
    if (last) {
      const publicKey = options.previousPublicKey ?? createPublicKey(signingKey);
      const verified = await verifyStoredCheckpoint(tx, last, { publicKey });
      if (!verified.status.ok) throw new CheckpointRefusedError(verified.status.problems);
      previous = verified.heads;
    }
    const current = new Map((await streamHeads(tx)).map((h) => [h.streamId, h]));
    // Streams that moved on: is their checkpointed event still there, with the same hash?
    const moved = [...previous.values()].filter((p) => {
      const now = current.get(p.streamId);
      return now !== undefined && now.streamPosition > p.streamPosition;
    });
    const stillThere = await hashesAt(tx, moved);
    const regressed: RegressedStream[] = [];
    const next = new Map<string, StreamHead>();
    const changedHeads: StreamHead[] = [];
    for (const streamId of new Set([...previous.keys(), ...current.keys()])) {
      const before = previous.get(streamId);
      const now = current.get(streamId);
      if (before) {
        const events = now
          ? [
              ...(now.streamPosition > before.streamPosition && stillThere.has(streamId)
                ? [{ streamPosition: before.streamPosition, hash: stillThere.get(streamId)! }]
                : []),
              now,
            ]
          : [];
        const comparison = compareWithHead(events, before);
        if (comparison.missing || comparison.mismatch) {
          regressed.push({ streamId, checkpointed: before, ...comparison });
          next.set(streamId, before);
          continue;
        }
      }
      if (!now) continue;
      next.set(streamId, now);
      if (!before || before.streamPosition !== now.streamPosition || before.hash !== now.hash) changedHeads.push(now);
    }
    if (last && changedHeads.length === 0) return { taken: false, checkpoint: last, changed: 0, regressed };

    const heads = [...next.values()];
    const checkpoint = signCheckpoint(
      {
        seq: (last?.seq ?? 0) + 1,
        takenAt: (options.now ?? new Date()).toISOString(),
        streams: heads.length,
        root: headsRoot(heads),
        prevHash: last?.hash ?? GENESIS_HASH,
      },
      signingKey,
    );
    await tx`INSERT INTO checkpoints ${tx({
      seq: checkpoint.seq,
      taken_at: checkpoint.takenAt,
      streams: checkpoint.streams,
      root: checkpoint.root,
      prev_hash: checkpoint.prevHash,
      signer_public_key: checkpoint.signer.publicKey,
      signer_fingerprint: checkpoint.signer.fingerprint,
      signature: checkpoint.signature,
      hash: checkpoint.hash,
    })}`;
    for (let i = 0; i < changedHeads.length; i += 5000) {
      const rows = changedHeads.slice(i, i + 5000).map((h) => ({
        stream_id: h.streamId,
        seq: checkpoint.seq,
        stream_position: h.streamPosition,
        hash: h.hash,
      }));
      await tx`INSERT INTO checkpoint_heads ${tx(rows)}`;
    }
    return { taken: true, checkpoint, changed: changedHeads.length, regressed };
  });
}

/** The last checkpoint with the inclusion proof of one stream's head, or null when no checkpoint covers it. */
export async function checkpointProofFor(
  sql: Sql,
  streamId: string,
  options: { publicKey?: KeyObject | string } = {},
): Promise<CheckpointProof | null> {
  const verified = await verifiedLastCheckpoint(sql, options);
  if (!verified) return null;
  return proofFor(verified.checkpoint, verified.sorted, streamId);
}
