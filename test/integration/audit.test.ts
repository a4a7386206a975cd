import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  caseHistory,
  caseStateAsOf,
  exportCase,
  replayRuns,
  runsOfBundle,
  serializeBundle,
  signBundle,
  verifyAll,
  verifyBundleBytes,
  verifyCase,
  type AuditBundle,
} from '../../audit';
import { canonicalJson } from '../../db/canonical';
import type { Actor, CommandInput } from '../../domain';
import { caseWorkflowId, commandUpdate, snapshotQuery, type CommandResult } from '../../workflows/messages';
import type { productCase } from '../../workflows/product-case';
import { roundsFor } from '../support/rounds';
import { startHarness, type Harness } from './harness';

let h: Harness;
let dir: string;
const run = randomBytes(3).toString('hex');
const signing = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');

beforeAll(async () => {
  h = await startHarness('audit');
  dir = mkdtempSync(join(tmpdir(), 'ocop-audit-'));
  writeFileSync(join(dir, 'signing.pem'), signing.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'signing.pub.pem'), signing.publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'stranger.pub.pem'), stranger.publicKey.export({ type: 'spki', format: 'pem' }));
});
afterAll(async () => {
  await h?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ------------------------------------------------------------------------------------------- driving a case

const PROVINCE = '19';
const COMMUNE = '05443';
const subjectId = `HTX-AUDIT-${run}`;
const subject: Actor = { userId: 'u-subject', role: 'subject', office: subjectId };
const commune: Actor = { userId: 'u-commune', role: 'commune_officer', office: COMMUNE };
const province: Actor = { userId: 'u-province', role: 'provincial_office', office: PROVINCE };

/** The whole first-evaluation path: idea → accepted → plan → dossier → Form 03 → forward → round → council → decision → certificate. */
function lifecycle(productId: string): [Actor, CommandInput][] {
  return [
    [
      subject,
      {
        type: 'RegisterIdea',
        data: {
          productId,
          subjectId,
          subjectName: 'Hợp tác xã chè Tân Cương',
          productName: 'Chè búp Tân Cương',
          productSetCode: 'tea',
          provinceCode: PROVINCE,
          communeCode: COMMUNE,
          ideaSummary: 'Chè búp sấy khô đóng hộp',
        },
      },
    ],
    [commune, { type: 'AcceptIdea', data: {} }],
    [subject, { type: 'SubmitBusinessPlan', data: { planRef: 'PA-01' } }],
    [commune, { type: 'ApproveBusinessPlan', data: {} }],
    [subject, { type: 'SubmitDossier', data: { kind: 'first', dossierRef: 'HS-01', selfAssessedScore: 76 } }],
    [
      commune,
      {
        type: 'AssessDossierAtCommune',
        data: {
          localRawMaterials: 'meets',
          localLabour: 'meets',
          ideaOrigin: 'traditional',
          localIdentity: 'partly',
          reportRef: 'BC-03',
        },
      },
    ],
    [commune, { type: 'ForwardDossierToProvince', data: { letterRef: 'CV-12', sampleCount: 5 } }],
    [province, { type: 'AssignToProvincialRound', data: {} }],
    [
      province,
      {
        type: 'RecordCouncilResult',
        data: { averageScore: 75.5, star: 4, knockOut: null, sheetCode: '11', memberCount: 9 },
      },
    ],
    [province, { type: 'DecideRecognition', data: { star: 4, decisionNumber: 'QD-4' } }],
    [province, { type: 'IssueCertificate', data: { certificateNumber: `GCN-${run}` } }],
  ];
}

/** Each command's answer, with the state the workflow reports right after it (its snapshot query). */
async function drive(
  productId: string,
  steps: [Actor, CommandInput][],
): Promise<(CommandResult & { reported: unknown })[]> {
  const results: (CommandResult & { reported: unknown })[] = [];
  for (const [i, [actor, command]] of steps.entries()) {
    const request = { commandId: `${productId}:${i}`, actor, command: command as never, ...roundsFor(actor, command) };
    const answer: CommandResult =
      i === 0
        ? await h.client.workflow.executeUpdateWithStart(commandUpdate, {
            args: [request],
            updateId: request.commandId,
            startWorkflowOperation: new WithStartWorkflowOperation<typeof productCase>('productCase', {
              workflowId: caseWorkflowId(productId),
              taskQueue: h.taskQueue,
              args: [{ productId }],
              workflowIdConflictPolicy: 'USE_EXISTING',
            }),
          })
        : await h.client.workflow
            .getHandle(caseWorkflowId(productId))
            .executeUpdate(commandUpdate, { args: [request], updateId: request.commandId });
    const snapshot = await h.client.workflow.getHandle(caseWorkflowId(productId)).query(snapshotQuery);
    results.push({ ...answer, reported: snapshot.state });
  }
  return results;
}

/** The certificate opens a new term, which the workflow starts as a new run: wait until it has. */
async function waitForSecondRun(productId: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const handle = h.client.workflow.getHandle(caseWorkflowId(productId));
    const history = await handle.fetchHistory();
    if (history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId) return;
    if (Date.now() > deadline) throw new Error(`case ${productId} did not continue as new`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------------------------------------------- CLI

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/ocop.ts', ...args],
      {
        cwd: join(import.meta.dirname, '..', '..'),
        env: {
          ...process.env,
          DATABASE_URL: inject('databaseUrl'),
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          AUDIT_SIGNING_KEY_FILE: join(dir, 'signing.pem'),
          LOG_LEVEL: 'error',
          ...env,
        },
        timeout: 90_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------------- tests

const certified = `P-AUDIT-${run}`;
const tampered = `P-TAMPER-${run}`;
let results: (CommandResult & { reported: unknown })[];
let bundle: AuditBundle;

describe('audit of a case driven through its lifecycle', () => {
  beforeAll(async () => {
    [results] = await Promise.all([
      drive(certified, lifecycle(certified)),
      drive(tampered, lifecycle(tampered).slice(0, 5)),
    ]);
    await waitForSecondRun(certified);
  });

  it('shows a gapless, verified chain with who, when and the rule-set of every event', async () => {
    const history = await caseHistory(h.sql, certified);
    expect(history.events.map((e) => e.type)).toEqual([
      'IdeaRegistered',
      'IdeaAccepted',
      'BusinessPlanSubmitted',
      'BusinessPlanApproved',
      'DossierSubmitted',
      'CommuneAssessed',
      'DossierForwarded',
      'AssignedToRound',
      'CouncilResultRecorded',
      'RecognitionDecided',
      'CertificateIssued',
    ]);
    expect(history.events.map((e) => e.streamPosition)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(history.events[9]!.actor).toEqual(province);
    expect(history.events.every((e) => e.ruleSetId === 'QD26_2026')).toBe(true);
    const verified = await verifyCase(h.sql, certified);
    expect(verified).toMatchObject({
      productId: certified,
      events: 11,
      headHash: history.events[10]!.hash,
      ok: true,
      firstBreak: null,
      missingTail: null,
      readModelVersion: 11,
      problems: [],
    });
  });

  it('replays the state as of any instant to exactly what the workflow reported then', async () => {
    const { events } = await caseHistory(h.sql, certified);
    for (const [i, result] of results.entries()) {
      const at = events[result.version - 1]!.occurredAt;
      const asOf = await caseStateAsOf(h.sql, certified, at);
      expect(asOf.version, `after command ${i}`).toBe(result.version);
      expect(asOf.state, `after command ${i}`).toEqual(result.reported);
    }
    const before = await caseStateAsOf(h.sql, certified, new Date(Date.parse(events[0]!.occurredAt) - 1));
    expect(before).toMatchObject({ version: 0, state: { status: 'none' }, lastEventAt: null });
  });

  it('names the exact event a superuser altered behind the triggers, for one case and for the whole store', async () => {
    expect((await verifyCase(h.sql, tampered)).ok).toBe(true);
    await h.ownerSql.begin(async (tx) => {
      await tx`SET LOCAL session_replication_role = replica`;
      await tx`UPDATE events SET data = jsonb_set(data, '{planRef}', '"PA-FORGED"')
               WHERE stream_id = ${tampered} AND stream_position = 3`;
    });
    const broken = await verifyCase(h.sql, tampered);
    const third = (await caseHistory(h.sql, tampered)).events[2]!;
    expect(broken).toMatchObject({
      ok: false,
      firstBreak: { streamId: tampered, streamPosition: 3, eventId: third.eventId, reason: 'hash_mismatch' },
    });

    const all = await verifyAll(h.sql, { batchSize: 4 });
    expect(all.broken).toContainEqual({
      streamId: tampered,
      streamPosition: 3,
      eventId: third.eventId,
      reason: 'hash_mismatch',
    });
    expect(all.broken.map((b) => b.streamId)).not.toContain(certified);
    expect(all.ok).toBe(false);
  });

  it('exports a signed bundle that verifies offline and fails when any one byte changes', async () => {
    bundle = await exportCase({ sql: h.sql, client: h.client, productId: certified, signingKey: signing.privateKey });
    expect(bundle.events).toHaveLength(11);
    expect(bundle.temporal.runs.map((r) => r.status)).toEqual(['CONTINUED_AS_NEW', 'RUNNING']);
    const bytes = Buffer.from(serializeBundle(bundle), 'utf8');
    expect(verifyBundleBytes(bytes)).toMatchObject({ ok: true, events: 11, runs: 2, failures: [] });
    expect(verifyBundleBytes(bytes, { publicKey: signing.publicKey })).toMatchObject({ ok: true });

    // Every byte position class: structure, event data, hashes, histories, the signature itself.
    const positions = new Set<number>([0, bytes.length - 1, bytes.length - 2]);
    for (let i = 0; i < 60; i++) positions.add(Math.floor((i / 60) * bytes.length));
    for (const needle of ['"PA-01"', '"hash":"', '"history":', '"signature":"', '"fingerprint":"']) {
      positions.add(bytes.indexOf(needle) + needle.length + 1);
    }
    for (const at of positions) {
      const changed = Buffer.from(bytes);
      changed[at] = changed[at] === 0x41 ? 0x42 : 0x41;
      const result = verifyBundleBytes(changed);
      expect(result.ok, `byte ${at} changed`).toBe(false);
      expect(result.failures.length).toBeGreaterThan(0);
    }

    // A member added anywhere is covered by the signature, known to the schema or not.
    const extended = JSON.parse(bytes.toString('utf8')) as AuditBundle & { note?: string };
    extended.note = 'approved';
    expect(verifyBundleBytes(`${canonicalJson(extended)}\n`).failures.map((f) => f.check)).toEqual(['signature']);

    // Re-signing altered content with another key is caught by naming the expected key.
    const forged = verifyBundleBytes(bytes, { publicKey: stranger.publicKey });
    expect(forged.failures.map((f) => f.check)).toEqual(['trusted_key']);
  });

  it('names the first broken event of an altered bundle even when its signature is also redone', async () => {
    const altered = structuredClone(bundle);
    (altered.events[4]!.data as { dossierRef: string }).dossierRef = 'HS-FORGED';
    const { signer: _s, signature: _sig, ...unsigned } = altered;
    const resigned = signBundle(unsigned, stranger.privateKey);
    const result = verifyBundleBytes(serializeBundle(resigned));
    // A signed checkpoint in the bundle (when one covered the case) is not by the bundle's new key either.
    expect(result.failures.filter((f) => f.check !== 'checkpoint')).toEqual([
      expect.objectContaining({
        check: 'chain',
        event: expect.objectContaining({ streamPosition: 5, reason: 'hash_mismatch' }),
      }),
    ]);
  });

  it('replays every exported run against the current workflow code, and reports a run it no longer reproduces', async () => {
    const options = { workflowBundlePath: inject('workflowBundlePath') };
    const report = await replayRuns(runsOfBundle(bundle), options);
    expect(report).toMatchObject({ ok: true, violations: [] });
    expect(report.runs).toHaveLength(2);

    // A history whose recorded command the code would not issue: the (local) activity it ran has another name.
    const runs = runsOfBundle(bundle).map((r) => ({ ...r, history: structuredClone(r.history) }));
    type Payload = { data: string };
    type Marker = { markerName: string; details: { data: { payloads: Payload[] } } };
    const events = (runs[0]!.history as { events: { markerRecordedEventAttributes?: Marker }[] }).events;
    const marker = events.find((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')!;
    const payload = marker.markerRecordedEventAttributes!.details.data.payloads[0]!;
    const data = JSON.parse(Buffer.from(payload.data, 'base64').toString()) as { activity_type: string };
    expect(data.activity_type).toBe('recordEvents');
    payload.data = Buffer.from(JSON.stringify({ ...data, activity_type: 'recordEventsV0' })).toString('base64');
    const violated = await replayRuns(runs, options);
    expect(violated.ok).toBe(false);
    expect(violated.violations).toEqual([caseWorkflowId(certified)]);
    expect(violated.runs[0]).toMatchObject({ ok: false, error: { name: 'DeterminismViolationError' } });
    expect(violated.runs[1]).toMatchObject({ ok: true });
  });
});

describe('ocop CLI', () => {
  it('verifies one case and the whole store, with exit code 1 naming the broken event', async () => {
    const ok = await cli(['audit', 'verify', '--case', certified]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`^ok ${certified}: 11 events`));

    const one = await cli(['audit', 'verify', '--case', tampered]);
    expect(one.code, one.stderr).toBe(1);
    expect(one.stdout).toContain(`BROKEN ${tampered} at position 3`);

    const all = await cli(['audit', 'verify', '--batch-size', '3']);
    expect(all.code, all.stderr).toBe(1);
    expect(all.stdout).toContain(`BROKEN ${tampered} at position 3`);
    expect(all.stdout).not.toContain(`BROKEN ${certified}`);
  });

  it('prints the history and the state as of an instant', async () => {
    const history = await cli(['audit', 'history', '--case', certified]);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout.trim().split('\n')).toHaveLength(11);
    expect(history.stdout).toContain('CertificateIssued');

    const at = (await caseHistory(h.sql, certified)).events[3]!.occurredAt;
    const asOf = await cli(['audit', 'as-of', '--case', certified, '--at', at, '--json']);
    expect(asOf.code, asOf.stderr).toBe(0);
    expect(JSON.parse(asOf.stdout)).toMatchObject({ version: 4, state: { status: 'plan_approved' } });
  });

  it('exports a bundle that import-verify accepts, and rejects it once a byte changes', async () => {
    const file = join(dir, 'case.json');
    const exported = await cli(['audit', 'export', '--case', certified, '--out', file]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain('11 events, 2 runs');

    const verified = await cli(['audit', 'import-verify', file, '--public-key', join(dir, 'signing.pub.pem')], {
      DATABASE_URL: '',
    });
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^ok /);

    const wrongKey = await cli(['audit', 'import-verify', file, '--public-key', join(dir, 'stranger.pub.pem')]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toContain('FAILED trusted_key');

    const text = readFileSync(file, 'utf8');
    const changedFile = join(dir, 'changed.json');
    writeFileSync(changedFile, text.replace('"PA-01"', '"PA-02"'));
    const changed = await cli(['audit', 'import-verify', changedFile]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('FAILED signature');
    expect(changed.stdout).toContain('FAILED chain: chain broken at position 3');

    const replayed = await cli(['audit', 'replay', file, '--workflow-bundle', inject('workflowBundlePath')]);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
    expect(replayed.stdout).toContain('2 runs replayed, 0 cases');
  });

  it('exits 2 on usage and configuration errors', async () => {
    expect((await cli(['audit', 'verify', '--case'])).code).toBe(2);
    expect((await cli(['audit', 'frobnicate'])).code).toBe(2);
    const noDb = await cli(['audit', 'verify'], { DATABASE_URL: '' });
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain('DATABASE_URL is not set');
    expect((await cli(['audit', 'as-of', '--case', certified, '--at', 'yesterday'])).code).toBe(2);
  });
});
