import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import proto from '@temporalio/proto';
import { describe, expect, inject, it } from 'vitest';

// Every history in test/histories/ was recorded from a released version of the workflow (scripts/record-histories.ts).
// Running cases replay them on every deploy: a change that would decide differently must go behind patched().
const dir = 'test/histories';
const histories = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((file) => {
    const saved = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { workflowId: string; history: unknown };
    // Saved with protobufjs' toJSON (longs and enums as strings), read back with the same proto package.
    const history = proto.temporal.api.history.v1.History.fromObject(saved.history as Record<string, unknown>);
    return { file, workflowId: saved.workflowId, history };
  });

async function replayAll(workflowBundle: { codePath: string } | { code: string }) {
  const failures: { file: string; error: unknown }[] = [];
  for (const h of histories) {
    try {
      await Worker.runReplayHistory({ workflowBundle }, h.history, h.workflowId);
    } catch (error) {
      failures.push({ file: h.file, error });
    }
  }
  return failures;
}

describe('replay of saved histories', () => {
  it('has histories to replay, across continue-as-new', () => {
    expect(histories.length).toBeGreaterThanOrEqual(3);
  });

  it('replays every saved history against the current workflow code', async () => {
    const failures = await replayAll({ codePath: inject('workflowBundlePath') });
    expect(failures.map((f) => `${f.file}: ${String(f.error)}`)).toEqual([]);
  });

  it('fails them when the workflow is changed non-deterministically', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../fixtures/nondeterministic/workflows.ts', import.meta.url)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    const failures = await replayAll({ code });
    expect(failures).toHaveLength(histories.length);
    for (const f of failures) expect(f.error).toBeInstanceOf(DeterminismViolationError);
  });
});
