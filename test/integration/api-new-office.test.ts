/**
 * A new office needs no setup: what a fresh installation offers through the HTTP API without any configuration —
 * the law's reference data, refusals that leave nothing behind, the office's own inbox, Vietnamese messages.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken, type UserRole } from '../../api/auth';
import { idempotentId } from '../../api/commands';
import { COMMAND_EXAMPLES } from '../../api/examples';
import { kebabOf, type CaseCommandType } from '../../api/routes/commands';
import { createLogger } from '../../config/logger';
import { caseWorkflowId, commandUpdate } from '../../workflows/messages';
import { startHarness, type Harness } from './harness';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';

// Codes only this file uses, so counts and lists are not disturbed by files running beside it.
const PROVINCE = '19';
const COMMUNE = '01849';
const OTHER_COMMUNE = '01843';
const SUBJECT = 'HTX-NEW-OFFICE';
const secret = 'new-office-secret-new-office-secret-0123';

let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let keys = 0;

const token = (role: UserRole, jurisdiction: string, sub = `no-${role}-${jurisdiction}`) =>
  signToken(secret, { sub, role, jurisdiction });

beforeAll(async () => {
  h = await startHarness('api-new-office');
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
  });
});
afterAll(async () => {
  await app?.close();
  await h?.stop();
});

const idea = {
  subjectId: SUBJECT,
  subjectName: 'Hợp tác xã Phong Quang',
  productName: 'Chè búp Phong Quang',
  productSetCode: 'tea',
  provinceCode: PROVINCE,
  communeCode: COMMUNE,
};

function nextKey(): string {
  keys += 1;
  return `new-office-${Date.now()}-${keys}`;
}

async function post(url: string, as: string, payload: object, key = nextKey(), headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${as}`, 'idempotency-key': key, ...headers },
    payload,
  });
}

/** The workflow of a case: its status, or 'not found'. */
async function workflowStatus(productId: string): Promise<string> {
  try {
    return (await h.client.workflow.getHandle(caseWorkflowId(productId)).describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'not found';
    throw err;
  }
}

describe('the law’s reference data over HTTP', () => {
  it('GET /product-sets lists the 26 product sets of the rule-set in force, with names and sheet codes', async () => {
    const res = await app.inject({ method: 'GET', url: '/product-sets' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{
      ruleSet: { id: string };
      productSets: { code: string; name: { vi: string; en: string }; sheetCode: string; group: { code: string } }[];
    }>();
    expect(body.ruleSet.id).toBe('QD26_2026');
    expect(body.productSets).toHaveLength(26);
    expect(body.productSets.find((p) => p.code === 'tea')).toMatchObject({
      name: { vi: 'Chè tươi, chè chế biến', en: 'Fresh and processed tea' },
      sheetCode: 'tea',
      group: { code: 'I.5' },
    });

    const at = await app.inject({ method: 'GET', url: '/product-sets?at=2024-03-01' });
    expect(at.json()).toMatchObject({ ruleSet: { id: 'QD148_2023', inForceFrom: expect.any(String) } });
    const byId = await app.inject({ method: 'GET', url: '/product-sets?ruleSet=QD1048_2019' });
    expect(byId.json()).toMatchObject({ ruleSet: { id: 'QD1048_2019' } });

    const bad = await app.inject({ method: 'GET', url: '/product-sets?at=2024-02-30' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual(['querystring.at']);
    const before = await app.inject({ method: 'GET', url: '/product-sets?at=2019-01-01' });
    expect(before.statusCode).toBe(404);
  });

  it('GET /score-sheets/:code gives criteria, options and points, parts and starred minimums', async () => {
    const res = await app.inject({ method: 'GET', url: '/score-sheets/tea' });
    expect(res.statusCode, res.body).toBe(200);
    const sheet = res.json<{
      code: string;
      parts: {
        id: string;
        maxPoints: number;
        sections: { criteria: { id: string; maxPoints: number; options: { id: string; points: number }[] }[] }[];
      }[];
      starredMinimums: { level: number; criterionId: string; optionId: string; points: number }[];
    }>();
    expect(sheet.code).toBe('tea');
    expect(sheet.parts.map((p) => [p.id, p.maxPoints])).toEqual([
      ['A', 40],
      ['B', 25],
      ['C', 35],
    ]);
    const criteria = sheet.parts.flatMap((p) => p.sections.flatMap((s) => s.criteria));
    expect(criteria.length).toBeGreaterThan(20);
    for (const c of criteria) {
      expect(c.options.length).toBeGreaterThan(0);
      expect(Math.max(...c.options.map((o) => o.points))).toBeLessThanOrEqual(c.maxPoints);
    }
    expect(sheet.starredMinimums.length).toBeGreaterThan(0);
    for (const m of sheet.starredMinimums) {
      const option = criteria.find((c) => c.id === m.criterionId)?.options.find((o) => o.id === m.optionId);
      expect(option?.points, `${m.criterionId}/${m.optionId}`).toBe(m.points);
      expect([3, 4, 5]).toContain(m.level);
    }

    const unknown = await app.inject({ method: 'GET', url: '/score-sheets/foo' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ detail: string }>().detail).toContain('foo');
  });
});

describe('a refused registration leaves no workflow behind', () => {
  it('403: an officer of another commune registers an idea; no product-case workflow exists', async () => {
    const other = await token('commune_officer', OTHER_COMMUNE);
    const key = nextKey();
    const res = await post('/products', other, idea, key);
    expect(res.statusCode, res.body).toBe(403);
    expect(res.json()).toMatchObject({ status: 403, code: 'forbidden' });
    const productId = idempotentId('P', `no-commune_officer-${OTHER_COMMUNE}`, key);
    expect(await workflowStatus(productId)).toBe('not found');
    // The same key again: the same refusal, still nothing started.
    const again = await post('/products', other, idea, key);
    expect(again.statusCode).toBe(403);
    expect(await workflowStatus(productId)).toBe('not found');
  });

  it('422: an import whose certificate expires before its issue; no workflow exists', async () => {
    const office = await token('provincial_office', PROVINCE);
    const productId = `NO-IMPORT-${Date.now()}`;
    const res = await post('/products/import', office, {
      ...idea,
      productId,
      ruleSetId: 'QD148_2023',
      certificate: { number: 'GCN-NO-1', star: 4, level: 'province', issuedOn: '2024-03-01', expiresOn: '2024-01-01' },
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(await workflowStatus(productId)).toBe('not found');
  });

  it('a refused Update-with-Start sent to Temporal directly ends its workflow instead of leaving it running', async () => {
    const productId = `NO-DIRECT-${Date.now()}`;
    const err = await h.client.workflow
      .executeUpdateWithStart(commandUpdate, {
        args: [
          {
            commandId: `C-${productId}`,
            actor: { userId: 'intruder', role: 'commune_officer', office: OTHER_COMMUNE },
            command: { type: 'RegisterIdea', data: { ...idea, productId } },
          },
        ],
        updateId: `C-${productId}`,
        startWorkflowOperation: new WithStartWorkflowOperation('productCase', {
          workflowId: caseWorkflowId(productId),
          taskQueue: h.taskQueue,
          args: [{ productId }],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    await expect.poll(() => workflowStatus(productId), { timeout: 20_000, interval: 250 }).toBe('COMPLETED');
  });
});

/** The operators' CLI, as `npm run ocop -- …` runs it, on this run's database. */
function ocop(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/ocop.ts', ...args],
      {
        cwd: join(import.meta.dirname, '..', '..'),
        env: { ...process.env, DATABASE_URL: inject('databaseUrl'), LOG_LEVEL: 'error' },
        timeout: 90_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

interface InboxPage {
  items: { productId: string; kind: string; title: string; body: string }[];
  unread: number;
}

async function inbox(as: string, productId: string): Promise<InboxPage['items']> {
  const res = await app.inject({ method: 'GET', url: '/inbox?limit=200', headers: { authorization: `Bearer ${as}` } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<InboxPage>().items.filter((i) => i.productId === productId);
}

describe('a fresh installation: notices reach the subject’s and the office’s own inbox, no dead letters', () => {
  it('with no recipient configured, the commune and the subject read their notices over GET /inbox', async () => {
    const subject = await token('subject', SUBJECT, SUBJECT);
    const commune = await token('commune_officer', COMMUNE);
    // Another officer of the same commune shares its inbox; an officer of another commune sees none of it.
    const colleague = await token('commune_officer', COMMUNE, 'no-colleague');
    const stranger = await token('commune_officer', OTHER_COMMUNE);

    const registered = await post('/products', subject, idea);
    expect(registered.statusCode, registered.body).toBe(201);
    const productId = registered.json<{ productId: string }>().productId;
    const steps: [CaseCommandType, string][] = [
      ['AcceptIdea', commune],
      ['SubmitBusinessPlan', subject],
      ['ApproveBusinessPlan', commune],
      ['SubmitDossier', subject],
      ['ReturnDossierForCompletion', commune],
    ];
    for (const [type, as] of steps) {
      const res = await post(`/products/${productId}/${kebabOf(type)}`, as, COMMAND_EXAMPLES[type]);
      expect(res.statusCode, `${type}: ${res.body}`).toBe(200);
    }

    await expect
      .poll(async () => (await inbox(commune, productId)).map((i) => i.kind), { timeout: 20_000, interval: 250 })
      .toEqual(['dossier_received']);
    const [received] = await inbox(colleague, productId);
    expect(received!.title).toMatch(/^Tiếp nhận hồ sơ sản phẩm Chè búp Phong Quang/);
    await expect
      .poll(async () => (await inbox(subject, productId)).map((i) => i.kind), { timeout: 20_000, interval: 250 })
      .toEqual(['dossier_returned']);
    const [returned] = await inbox(subject, productId);
    expect(returned!.title).toContain('31/12/2099');
    expect(await inbox(stranger, productId)).toEqual([]);

    // Nothing dead-lettered for want of a recipient.
    const dead = await ocop(['notifications', 'dead-letters', '--json', '--limit', '1000']);
    const rows = JSON.parse(dead.stdout) as { noticeKey: string }[];
    expect(rows.filter((r) => r.noticeKey.startsWith(productId))).toEqual([]);
  }, 60_000);
});

describe('error messages in Vietnamese first, English on request', () => {
  it('a malformed registration: zod’s Vietnamese messages per field, or English with Accept-Language: en', async () => {
    const subject = await token('subject', SUBJECT, SUBJECT);
    const { productName: _omitted, ...withoutName } = idea;
    const body = { ...withoutName, productSetCode: 7 };

    const vi = await post('/products', subject, body);
    expect(vi.statusCode).toBe(400);
    expect(vi.headers['content-language']).toBe('vi');
    const viProblem = vi.json<{ title: string; errors: { field: string; message: string }[] }>();
    expect(viProblem.title).toBe('Yêu cầu không hợp lệ');
    expect(viProblem.errors).toEqual(
      expect.arrayContaining([
        { field: 'body.productName', message: 'Đầu vào không hợp lệ: mong đợi string, nhận được undefined' },
        { field: 'body.productSetCode', message: 'Đầu vào không hợp lệ: mong đợi string, nhận được số' },
      ]),
    );

    const en = await post('/products', subject, body, nextKey(), { 'accept-language': 'en-GB,en;q=0.9,vi;q=0.5' });
    expect(en.statusCode).toBe(400);
    expect(en.headers['content-language']).toBe('en');
    const enProblem = en.json<{ title: string; errors: { field: string; message: string }[] }>();
    expect(enProblem.title).toBe('Bad Request');
    expect(enProblem.errors).toEqual(
      expect.arrayContaining([
        { field: 'body.productName', message: 'Invalid input: expected string, received undefined' },
        { field: 'body.productSetCode', message: 'Invalid input: expected string, received number' },
      ]),
    );

    // A refusal's title too; a message the schema wrote itself is kept.
    const refused = await post('/products', await token('commune_officer', OTHER_COMMUNE), idea);
    expect(refused.json()).toMatchObject({ status: 403, title: 'Không có quyền' });
    const badKey = await post('/products', subject, idea, 'bad key!');
    expect(badKey.json<{ errors: { field: string; message: string }[] }>().errors).toEqual([
      { field: 'headers.idempotency-key', message: 'letters, digits, . _ : - only' },
    ]);
  });
});

describe('the CLI shows dates and times as Vietnam reads them', () => {
  it('ocop audit history prints each event at dd/MM/yyyy HH:mm, Asia/Ho_Chi_Minh', async () => {
    const subject = await token('subject', SUBJECT, SUBJECT);
    const registered = await post('/products', subject, idea);
    expect(registered.statusCode, registered.body).toBe(201);
    const { productId, registeredAt } = registered.json<{ productId: string; registeredAt: string }>();
    const res = await ocop(['audit', 'history', '--case', productId]);
    expect(res.code, res.stderr).toBe(0);
    // UTC+7 all year: Vietnam has no daylight saving time.
    const local = new Date(Date.parse(registeredAt) + 7 * 3_600_000);
    const two = (n: number) => String(n).padStart(2, '0');
    const expected =
      `${two(local.getUTCDate())}/${two(local.getUTCMonth() + 1)}/${local.getUTCFullYear()} ` +
      `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}`;
    const [line] = res.stdout.trim().split('\n');
    expect(line).toContain(`1  ${expected}  IdeaRegistered`);
    expect(line).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  }, 60_000);
});
