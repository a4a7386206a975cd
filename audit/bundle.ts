import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { z } from 'zod';
import type { Sql } from '../db';
import { canonicalJson } from '../db/canonical';
import { verifyChain, type ChainBreak } from '../db/event-store';
import { caseWorkflowId } from '../workflows/messages';
import {
  checkpointProofFor,
  checkpointProofSchema,
  CHECKPOINT_HASHING,
  compareWithHead,
  fingerprintOf,
  missingTailMessage,
  proofProblems,
} from './checkpoint';
import { caseHistory } from './history';
import { verifyCase } from './verify';

/*
 * A signed audit bundle: one case's events with their hashes plus the Temporal history of every run of its
 * workflow, signed with Ed25519. The file is the canonical JSON of the bundle (db/canonical.ts) and a newline, so
 * any changed byte either breaks the canonical form or the signature; it verifies with no database.
 */

export const BUNDLE_FORMAT = 'ocop-cycle/audit-bundle@1';

/** How every event hash in the bundle is computed, for an auditor with nothing but the file. */
export const HASHING =
  'hash = SHA-256 (hex) of the canonical JSON of the event without globalPosition, recordedAt and hash: object ' +
  'keys sorted by UTF-16 code units, no white space, undefined members left out, strings and numbers as ' +
  'JSON.stringify writes them. prevHash is the previous event hash of the stream, 64 zeros for the first. ' +
  'signature = Ed25519 over the canonical JSON of the bundle without its signature member. checkpoint: ' +
  CHECKPOINT_HASHING;

const actorSchema = z.object({ userId: z.string(), role: z.string(), office: z.string() });
const eventSchema = z.object({
  globalPosition: z.string(),
  streamId: z.string(),
  streamPosition: z.number().int(),
  eventId: z.string(),
  commandId: z.string(),
  commandIndex: z.number().int(),
  type: z.string(),
  schemaVersion: z.number().int(),
  data: z.unknown(),
  actor: actorSchema,
  occurredAt: z.string(),
  recordedAt: z.string(),
  ruleSetId: z.string(),
  prevHash: z.string(),
  hash: z.string(),
});
const runSchema = z.object({
  runId: z.string(),
  status: z.string(),
  startTime: z.string().nullable(),
  closeTime: z.string().nullable(),
  history: z.looseObject({ events: z.array(z.unknown()) }),
});
/** The exporting server's verification of the stream it exported (audit/verify.ts), signed with the rest. */
const chainSchema = z.object({
  ok: z.boolean(),
  missingTail: z.object({ from: z.number().int(), to: z.number().int(), detectedBy: z.array(z.string()) }).nullable(),
  readModelVersion: z.number().int().nullable(),
  problems: z.array(z.string()),
});
export const bundleSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  productId: z.string(),
  exportedAt: z.string(),
  hashing: z.string(),
  head: z.object({ version: z.number().int(), hash: z.string().nullable() }),
  /** Absent from bundles exported before checkpoints existed. */
  chain: chainSchema.optional(),
  /** The last checkpoint with the proof of this stream's head; null when none covered the stream yet. */
  checkpoint: checkpointProofSchema.nullable().optional(),
  events: z.array(eventSchema),
  temporal: z.object({ namespace: z.string(), workflowId: z.string(), runs: z.array(runSchema) }),
  signer: z.object({ algorithm: z.literal('Ed25519'), publicKey: z.string(), fingerprint: z.string() }),
  signature: z.string(),
});
export type AuditBundle = z.infer<typeof bundleSchema>;
export type UnsignedBundle = Omit<AuditBundle, 'signer' | 'signature'>;
export type BundleRun = AuditBundle['temporal']['runs'][number];

/** `sha256:` and the hex SHA-256 of the key's DER SubjectPublicKeyInfo. */
export function keyFingerprint(key: KeyObject | string): string {
  return fingerprintOf(key);
}

export function signBundle(unsigned: UnsignedBundle, privateKey: KeyObject): AuditBundle {
  const publicKey = createPublicKey(privateKey);
  const signer = {
    algorithm: 'Ed25519' as const,
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: keyFingerprint(publicKey),
  };
  const signature = sign(null, Buffer.from(canonicalJson({ ...unsigned, signer }), 'utf8'), privateKey);
  return { ...unsigned, signer, signature: signature.toString('base64') };
}

/** The bytes of a bundle file: its canonical JSON and a newline. */
export function serializeBundle(bundle: AuditBundle): string {
  return `${canonicalJson(bundle)}\n`;
}

/**
 * A history as plain JSON: protobufjs's `toJSON` of the History message (64-bit integers and enums as strings, bytes
 * as base64), the form `test/histories/` uses; `History.fromObject` turns it back into the message for replay.
 */
export function historyJson(history: proto.temporal.api.history.v1.IHistory): BundleRun['history'] {
  return proto.temporal.api.history.v1.History.fromObject(history).toJSON() as BundleRun['history'];
}

export interface ExportCaseOptions {
  sql: Sql;
  /** The key checkpoints must be signed with. @default the public half of `signingKey` */
  publicKey?: KeyObject | string;
  client: Client;
  productId: string;
  signingKey: KeyObject;
  /** @default the client's namespace */
  namespace?: string;
  /** @default now */
  exportedAt?: string;
}

/**
 * Exports a case: its events, and the history of every run of its workflow, found both by visibility (every run
 * under the workflow id) and by following continue-as-new back from the latest run, so a lagging visibility store
 * cannot drop a run. Runs are ordered by start time.
 */
export async function exportCase(options: ExportCaseOptions): Promise<AuditBundle> {
  const { client, productId } = options;
  const history = await caseHistory(options.sql, productId);
  const publicKey = options.publicKey ?? createPublicKey(options.signingKey);
  const [verification, checkpoint] = await Promise.all([
    verifyCase(options.sql, productId, { publicKey }),
    checkpointProofFor(options.sql, productId, { publicKey }),
  ]);
  const workflowId = caseWorkflowId(productId);
  const runs = new Map<string, Omit<BundleRun, 'history'>>();
  const query = `WorkflowId = '${workflowId.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  for await (const info of client.workflow.list({ query })) {
    runs.set(info.runId, {
      runId: info.runId,
      status: info.status.name,
      startTime: info.startTime.toISOString(),
      closeTime: info.closeTime?.toISOString() ?? null,
    });
  }
  const histories = new Map<string, BundleRun['history']>();
  let next: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
  while (next && !histories.has(next)) {
    const runId: string = next;
    const json = historyJson(await client.workflow.getHandle(workflowId, runId).fetchHistory()) as {
      events: { workflowExecutionStartedEventAttributes?: { continuedExecutionRunId?: string } }[];
    };
    histories.set(runId, json);
    if (!runs.has(runId)) {
      const d = await client.workflow.getHandle(workflowId, runId).describe();
      runs.set(runId, {
        runId,
        status: d.status.name,
        startTime: d.startTime.toISOString(),
        closeTime: d.closeTime?.toISOString() ?? null,
      });
    }
    next = json.events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  const ordered: BundleRun[] = [];
  for (const run of [...runs.values()].sort((a, b) => (a.startTime ?? '').localeCompare(b.startTime ?? ''))) {
    const h =
      histories.get(run.runId) ?? historyJson(await client.workflow.getHandle(workflowId, run.runId).fetchHistory());
    ordered.push({ ...run, history: h });
  }
  const last = history.events[history.events.length - 1];
  return signBundle(
    {
      format: BUNDLE_FORMAT,
      productId,
      exportedAt: options.exportedAt ?? new Date().toISOString(),
      hashing: HASHING,
      head: { version: history.version, hash: last?.hash ?? null },
      chain: {
        ok: verification.ok,
        missingTail: verification.missingTail,
        readModelVersion: verification.readModelVersion,
        problems: verification.problems,
      },
      checkpoint,
      events: history.events,
      temporal: { namespace: options.namespace ?? client.options.namespace, workflowId, runs: ordered },
    },
    options.signingKey,
  );
}

export type BundleCheck =
  | 'json'
  | 'canonical'
  | 'schema'
  | 'fingerprint'
  | 'trusted_key'
  | 'signature'
  | 'stream'
  | 'chain'
  | 'head'
  | 'checkpoint'
  | 'tail'
  | 'exported_chain'
  | 'workflow';

export interface BundleFailure {
  check: BundleCheck;
  message: string;
  /** For a chain failure: the first broken event. */
  event?: ChainBreak;
}

export interface BundleVerification {
  ok: boolean;
  productId: string | null;
  events: number;
  runs: number;
  fingerprint: string | null;
  /** The checkpoint the bundle's tail was checked against, or null when it carries none. */
  checkpoint: { seq: number; takenAt: string; streamPosition: number } | null;
  failures: BundleFailure[];
}

export interface VerifyBundleOptions {
  /** The key the bundle must be signed with (PEM or KeyObject); without it the bundle's own key is used. */
  publicKey?: string | KeyObject;
}

/** Verifies a bundle file's bytes offline: its canonical form, then everything {@link verifyBundle} checks. */
export function verifyBundleBytes(bytes: Uint8Array | string, options: VerifyBundleOptions = {}): BundleVerification {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(buffer.toString('utf8'));
  } catch (err) {
    return failed({ check: 'json', message: `not JSON: ${(err as Error).message}` });
  }
  const result = verifyBundle(parsed, options);
  let canonical: string | null = null;
  try {
    canonical = canonicalJson(parsed);
  } catch {
    // reported below as not canonical
  }
  if (canonical === null || !Buffer.from(`${canonical}\n`, 'utf8').equals(buffer)) {
    result.failures.unshift({ check: 'canonical', message: 'the file is not the canonical encoding of its content' });
    result.ok = false;
  }
  return result;
}

/**
 * Verifies a parsed bundle with no database: the signature (and, if given, that it is the expected key), every event
 * hash and the chain of the stream, the head, and that the histories are the case's workflow.
 */
export function verifyBundle(value: unknown, options: VerifyBundleOptions = {}): BundleVerification {
  const parsed = bundleSchema.safeParse(value);
  if (!parsed.success) return failed({ check: 'schema', message: z.prettifyError(parsed.error) });
  const bundle = parsed.data;
  const failures: BundleFailure[] = [];

  let publicKey: KeyObject | null;
  try {
    publicKey = createPublicKey(bundle.signer.publicKey);
    if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
  } catch (err) {
    failures.push({ check: 'signature', message: `the signer's public key is unusable: ${(err as Error).message}` });
    publicKey = null;
  }
  if (publicKey) {
    const fingerprint = keyFingerprint(publicKey);
    if (fingerprint !== bundle.signer.fingerprint) {
      failures.push({
        check: 'fingerprint',
        message: `fingerprint ${bundle.signer.fingerprint} is not the key's ${fingerprint}`,
      });
    }
    if (options.publicKey !== undefined) {
      const expected = keyFingerprint(options.publicKey);
      if (expected !== fingerprint) {
        failures.push({
          check: 'trusted_key',
          message: `signed by ${fingerprint}, not by the expected key ${expected}`,
        });
      }
    }
    // Over the value as given, not as parsed: a member the schema does not know is still covered.
    const { signature: _signature, ...signed } = value as Record<string, unknown>;
    const valid = verify(
      null,
      Buffer.from(canonicalJson(signed), 'utf8'),
      publicKey,
      Buffer.from(bundle.signature, 'base64'),
    );
    if (!valid) failures.push({ check: 'signature', message: 'the signature does not match the content' });
  }

  const stranger = bundle.events.find((e) => e.streamId !== bundle.productId);
  if (stranger) {
    failures.push({
      check: 'stream',
      message: `event ${stranger.eventId} belongs to stream ${stranger.streamId}, not ${bundle.productId}`,
    });
  }
  const broken = verifyChain(bundle.events);
  if (broken) {
    failures.push({
      check: 'chain',
      message: `chain broken at position ${broken.streamPosition} (event ${broken.eventId}): ${broken.reason}`,
      event: broken,
    });
  }
  const last = bundle.events[bundle.events.length - 1];
  if (bundle.head.version !== bundle.events.length || bundle.head.hash !== (last?.hash ?? null)) {
    failures.push({ check: 'head', message: `head ${bundle.head.version}/${bundle.head.hash} is not the last event` });
  }
  if (bundle.checkpoint) {
    const cp = bundle.checkpoint;
    const expected = options.publicKey ?? publicKey ?? undefined;
    for (const problem of proofProblems(cp, expected !== undefined ? { publicKey: expected } : {})) {
      failures.push({ check: 'checkpoint', message: problem });
    }
    if (cp.leaf.streamId !== bundle.productId) {
      failures.push({
        check: 'checkpoint',
        message: `the checkpoint's leaf is stream ${cp.leaf.streamId}, not ${bundle.productId}`,
      });
    }
    const tail = compareWithHead(bundle.events, cp.leaf);
    if (tail.missing) {
      failures.push({
        check: 'tail',
        message:
          `${missingTailMessage(tail.missing)}: checkpoint ${cp.seq} of ${cp.takenAt} recorded position ` +
          String(cp.leaf.streamPosition),
      });
    }
    if (tail.mismatch) {
      failures.push({
        check: 'tail',
        message:
          `the event at position ${tail.mismatch.streamPosition} has hash ${tail.mismatch.actual}, checkpoint ` +
          `${cp.seq} recorded ${tail.mismatch.expected}`,
      });
    }
  }
  if (bundle.chain && !bundle.chain.ok) {
    failures.push({
      check: 'exported_chain',
      message: `the exporting server found the chain does not verify: ${bundle.chain.problems.join('; ')}`,
    });
  }
  if (bundle.temporal.workflowId !== caseWorkflowId(bundle.productId)) {
    failures.push({ check: 'workflow', message: `workflow ${bundle.temporal.workflowId} is not the case's workflow` });
  }
  return {
    ok: failures.length === 0,
    productId: bundle.productId,
    events: bundle.events.length,
    runs: bundle.temporal.runs.length,
    fingerprint: bundle.signer.fingerprint,
    checkpoint: bundle.checkpoint
      ? {
          seq: bundle.checkpoint.seq,
          takenAt: bundle.checkpoint.takenAt,
          streamPosition: bundle.checkpoint.leaf.streamPosition,
        }
      : null,
    failures,
  };
}

function failed(failure: BundleFailure): BundleVerification {
  return { ok: false, productId: null, events: 0, runs: 0, fingerprint: null, checkpoint: null, failures: [failure] };
}
