/**
 * `npm start` against an existing Temporal server (TEMPORAL_ADDRESS set) that was started WITHOUT our search
 * attributes, as a shared cluster may be: start-up registers them, and the first registration is answered 201.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signToken } from '../../api/auth';
import { createDatabase, dropDatabase } from '../../db';
import { freePort, startDevServer, type RunningDevServer } from '../../temporal/dev-server';
import { ensureSearchAttributes, searchAttributeKeys } from '../../temporal/search-attributes';

const SECRET = 'existing-temporal-secret-0123456789abcdef';
let server: RunningDevServer;
let databaseUrl: string;
let dir: string;

beforeAll(async () => {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_start_${randomBytes(3).toString('hex')}`;
  databaseUrl = url.toString();
  dir = mkdtempSync(join(tmpdir(), 'ocop-start-'));
  server = await startDevServer({
    port: await freePort(),
    searchAttributes: false,
    logFile: join(dir, 'temporal.log'),
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await dropDatabase(databaseUrl).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function customAttributes(): Promise<Record<string, unknown>> {
  const connection = await Connection.connect({ address: server.address });
  try {
    return (await connection.operatorService.listSearchAttributes({ namespace: 'default' })).customAttributes ?? {};
  } finally {
    await connection.close();
  }
}

/** Runs `npm start`'s program until it says ready (or exits), with its output. */
function start(env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/start.ts'], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (b: Buffer) => (text += b.toString()));
  child.stderr.on('data', (b: Buffer) => (text += b.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after 150 s:\n${text}`)), 150_000);
    child.stderr.on('data', () => {
      if (/\bready\b/.test(text)) {
        clearTimeout(timer);
        resolve({ child, output: () => text });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`start exited with ${code} before ready:\n${text}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('npm start against an existing Temporal server without the search attributes', () => {
  it('registers them at start-up, so the first registration is recorded (201), and again finds nothing to add', async () => {
    const before = await customAttributes();
    expect(searchAttributeKeys.filter((k) => before[k.name] !== undefined)).toEqual([]);
    await createDatabase(databaseUrl);
    const port = await freePort();
    const { child, output } = await start({
      TEMPORAL_ADDRESS: server.address,
      DATABASE_URL: databaseUrl,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      OCOP_DATA_DIR: dir,
      AUTH_JWT_SECRET: SECRET,
      LOG_LEVEL: 'error',
    });
    try {
      const token = await signToken(SECRET, { sub: 'HTX-START', role: 'subject', jurisdiction: 'HTX-START' });
      const res = await fetch(`http://127.0.0.1:${port}/products`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'idempotency-key': 'first-registration-01',
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          subjectId: 'HTX-START',
          subjectName: 'HTX Khởi đầu',
          productName: 'Chè búp',
          productSetCode: 'tea',
          provinceCode: '19',
          communeCode: '05443',
        }),
        signal: AbortSignal.timeout(60_000),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      expect(await res.json()).toMatchObject({ stage: 'idea_registered', version: 1 });
      expect(output()).toContain('registered Temporal search attributes OcopStage');
    } finally {
      await stop(child);
    }
    const after = await customAttributes();
    expect(searchAttributeKeys.filter((k) => after[k.name] === undefined)).toEqual([]);
    // Idempotent: a second start finds them all.
    const connection = await Connection.connect({ address: server.address });
    try {
      expect(await ensureSearchAttributes(connection.operatorService, 'default')).toEqual([]);
    } finally {
      await connection.close();
    }
  }, 240_000);
});
