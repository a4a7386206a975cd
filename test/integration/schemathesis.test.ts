/**
 * The OpenAPI document tells the truth: Schemathesis (an independent tester that drives an API from its OpenAPI
 * document, from PyPI) runs its examples, fuzzing and stateful phases (and, on request, its coverage phase) against
 * the running API, with every check it has, once per role, and finds no failure: no 5xx, no undeclared status or content type, no response
 * outside its schema, no schema-valid request refused for a reason the document does not state, no invalid one
 * accepted, 405 with `Allow` for a method a path does not take.
 *
 * Schemathesis is installed into a virtual environment under .tools/ on first use (python3 and pip needed, as for
 * the Temporal servers). The number of examples is bounded so that a run takes a few minutes on two cores;
 * SCHEMATHESIS_MAX_EXAMPLES and SCHEMATHESIS_SEED change it (the seed is fixed so that CI runs the same cases).
 * Its configuration, and why each allowance in it is there: test/schemathesis/schemathesis.toml.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app';
import { documentKeys } from '../../documents/token';
import { signToken, USER_ROLES, type UserRole } from '../../api/auth';
import { OPENAPI_PATH } from '../../api/openapi';
import { createLogger } from '../../config/logger';
import { createDatabase, dropDatabase, migrate } from '../../db';
import { installSchemathesis } from '../schemathesis/install';
import { startHarness, type Harness } from './harness';

const secret = 'schemathesis-secret-schemathesis-secret-01';
const root = resolve(__dirname, '..', '..');
const maxExamples = process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '3';
const seed = process.env.SCHEMATHESIS_SEED ?? '20261201';

/** Each role with a jurisdiction of the same province (31) and commune (11001), so that what one opens others see. */
const PRINCIPALS: Record<UserRole, { sub: string; jurisdiction: string }> = {
  subject: { sub: 'HTX-ST', jurisdiction: 'HTX-ST' },
  commune_officer: { sub: 'st-commune', jurisdiction: '11001' },
  provincial_office: { sub: 'st-province', jurisdiction: '31' },
  council_member: { sub: 'st-council', jurisdiction: '31' },
  ministry: { sub: 'st-ministry', jurisdiction: 'MINISTRY' },
  auditor: { sub: 'st-auditor', jurisdiction: '31' },
  admin: { sub: 'st-admin', jurisdiction: 'VN' },
};

let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let baseUrl: string;
let schemathesis: string;
let workDir: string;

/**
 * A database of the test's own: in the run's shared one, Schemathesis would find the cases of other files (the
 * offices' tokens see their province) and send commands to workflows whose workers have stopped, each of which then
 * waits out the command timeout.
 */
const databaseUrl = (() => {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_schemathesis`;
  return url.toString();
})();

beforeAll(async () => {
  await createDatabase(databaseUrl);
  await migrate(databaseUrl);
  [schemathesis, h] = await Promise.all([installSchemathesis(), startHarness('schemathesis', { databaseUrl })]);
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
    rateLimit: 1_000_000,
    auditSigningKey: generateKeyPairSync('ed25519').privateKey,
    documentKeys: documentKeys(generateKeyPairSync('ed25519').privateKey),
  });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  workDir = mkdtempSync(join(tmpdir(), 'ocop-schemathesis-'));
}, 600_000);

afterAll(async () => {
  await app?.close();
  await h?.stop();
  await dropDatabase(databaseUrl);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/**
 * Every role runs the examples, fuzzing and stateful phases. The coverage phase (every boundary of every parameter
 * and every method a path does not take: about 4,000 requests, 2 to 5 minutes) is added with SCHEMATHESIS_COVERAGE=1,
 * with the provincial office's token, the role the contract failures were first found with.
 */
const phasesOf = (role: UserRole) =>
  process.env.SCHEMATHESIS_COVERAGE === '1' && role === 'provincial_office'
    ? 'examples,coverage,fuzzing,stateful'
    : 'examples,fuzzing,stateful';

/** Two runs at a time: the machine has two cores, and the API waits on PostgreSQL and Temporal as much as it computes. */
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(task: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((ok) => waiting.push(ok));
  running += 1;
  try {
    return await task();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

function run(token: string, phases: string): Promise<{ code: number; output: string }> {
  const args = [
    '--config-file',
    join(root, 'test', 'schemathesis', 'schemathesis.toml'),
    'run',
    join(root, OPENAPI_PATH),
    '--url',
    baseUrl,
    '--header',
    `Authorization: Bearer ${token}`,
    '--checks',
    'all',
    '--phases',
    phases,
    '--max-examples',
    maxExamples,
    '--seed',
    seed,
    '--workers',
    '1',
    '--request-timeout',
    '60',
    '--no-color',
  ];
  return new Promise((ok) => {
    // Its working directory is a scratch one: Schemathesis keeps a cache there.
    execFile(
      schemathesis,
      args,
      { cwd: workDir, maxBuffer: 64 * 1024 * 1024, timeout: 1_200_000 },
      (err, stdout, stderr) =>
        ok({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

describe('Schemathesis against the running API', () => {
  it.concurrent.each(USER_ROLES)(
    'finds no failure with the token of a %s',
    async (role) => {
      const token = await signToken(secret, { role, ...PRINCIPALS[role] });
      const phases = phasesOf(role);
      const { code, output } = await slot(() => run(token, phases));
      // The summary names each failure; the lines before it show the request and the answer.
      expect(code, output.slice(-20_000)).toBe(0);
      for (const phase of phases.split(',')) expect(output).toMatch(new RegExp(`✅ +${phase}`, 'i'));
      expect(output).toMatch(/Test cases:\s+\d+ generated, \d+ passed/);
      expect(output).not.toMatch(/\d+ failures?/);
    },
    2_700_000,
  );
});
