import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../config/logger';
import { connect, createDatabase, dropDatabase, migrate, type Sql } from '../../db';
import { canonicalJson } from '../../db/canonical';
import { rebuildReadModels } from '../../read-models/registry';
import type { Actor, CommandInput } from '../../domain';
import { createCaseWorker } from '../../worker';
import { installTemporalRuntime } from '../../worker/runtime';
import { caseWorkflowId, commandUpdate, type CommandResult } from '../../workflows/messages';
import type { productCase } from '../../workflows/product-case';
import { readModelRows } from '../support/read-models';
import { roundsFor } from '../support/rounds';
import { executeRoundCommand } from '../../api/rounds';
import { roundIdOf } from '../../domain';

/*
 * The read models against a database of their own (created here, dropped at the end), so the full-table diffs see
 * only the cases this file drives through the real workflow.
 */

let sql: Sql;
let databaseUrl: string;
let client: Client;
let connection: Connection;
let workerConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `projections-${randomBytes(4).toString('hex')}`;
const run = randomBytes(3).toString('hex');

beforeAll(async () => {
  installTemporalRuntime(createLogger('warn'));
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_projections_${run}`;
  databaseUrl = url.toString();
  await createDatabase(databaseUrl);
  await migrate(databaseUrl);
  sql = connect(databaseUrl, { max: 5 });
  workerConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
  worker = await createCaseWorker({
    connection: workerConnection,
    namespace: 'default',
    taskQueue,
    sql,
    log: createLogger('silent'),
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  running = worker.run();
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection, namespace: 'default' });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await workerConnection?.close();
  await connection?.close();
  await sql?.end();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

// ------------------------------------------------------------------------------------------- driving cases

interface Place {
  province: string;
  commune: string;
  subject: string;
  productSet: string;
}

const actors = (p: Place) => ({
  subject: { userId: `u-${p.subject}`, role: 'subject', office: p.subject } satisfies Actor,
  commune: { userId: `u-c-${p.commune}`, role: 'commune_officer', office: p.commune } satisfies Actor,
  province: { userId: `u-p-${p.province}`, role: 'provincial_office', office: p.province } satisfies Actor,
});

/** Today in Vietnam, as the decider computes it from the workflow clock. */
const today = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

type Step = [Actor, CommandInput];

/** From a submitted dossier to a certificate, as the commune, the province and the council take it. */
function evaluation(p: Place, score: number, star: 1 | 2 | 3 | 4 | 5, kind = 'first' as 'first' | 'upgrade'): Step[] {
  const a = actors(p);
  const steps: Step[] = [
    [a.subject, { type: 'SubmitDossier', data: { kind, dossierRef: `HS-${kind}` } }],
    [
      a.commune,
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
    [a.commune, { type: 'ForwardDossierToProvince', data: { letterRef: 'CV-12', sampleCount: 5 } }],
    [a.province, { type: 'AssignToProvincialRound', data: {} }],
    [
      a.province,
      {
        type: 'RecordCouncilResult',
        data: { averageScore: score, star, knockOut: null, sheetCode: p.productSet, memberCount: 9 },
      },
    ],
  ];
  if (star >= 3) {
    steps.push(
      [a.province, { type: 'DecideRecognition', data: { star: star as 3 | 4, decisionNumber: `QD-${star}` } }],
      [a.province, { type: 'IssueCertificate', data: { certificateNumber: `GCN-${p.subject}-${kind}` } }],
    );
  }
  return steps;
}

function idea(productId: string, p: Place): Step[] {
  const a = actors(p);
  return [
    [
      a.subject,
      {
        type: 'RegisterIdea',
        data: {
          productId,
          subjectId: p.subject,
          subjectName: `HTX ${p.subject}`,
          productName: `Sản phẩm ${productId}`,
          productSetCode: p.productSet,
          provinceCode: p.province,
          communeCode: p.commune,
          ideaSummary: 'Chè búp sấy khô đóng hộp',
        },
      },
    ],
    [a.commune, { type: 'AcceptIdea', data: {} }],
    [a.subject, { type: 'SubmitBusinessPlan', data: { planRef: 'PA-01' } }],
    [a.commune, { type: 'ApproveBusinessPlan', data: {} }],
  ];
}

async function drive(productId: string, steps: Step[]): Promise<CommandResult[]> {
  const results: CommandResult[] = [];
  for (const [i, [actor, command]] of steps.entries()) {
    const request = { commandId: `${productId}:${i}`, actor, command: command as never, ...roundsFor(actor, command) };
    results.push(
      i === 0
        ? await client.workflow.executeUpdateWithStart(commandUpdate, {
            args: [request],
            updateId: request.commandId,
            startWorkflowOperation: new WithStartWorkflowOperation<typeof productCase>('productCase', {
              workflowId: caseWorkflowId(productId),
              taskQueue,
              args: [{ productId }],
              workflowIdConflictPolicy: 'USE_EXISTING',
            }),
          })
        : await client.workflow
            .getHandle(caseWorkflowId(productId))
            .executeUpdate(commandUpdate, { args: [request], updateId: request.commandId }),
    );
  }
  return results;
}

// --------------------------------------------------------------------------------------------- snapshots

/** Every table of every registered read model, each row whole, in a fixed order. */
const snapshot = () => readModelRows(sql);

/** The counts recomputed from the other two tables: what the incremental counters must always equal. */
async function recount() {
  const rows = await sql`
    SELECT 'case' AS kind, province_code, commune_code, product_set_code, stage AS status,
           coalesce(star, 0)::smallint AS star, registered_year AS year, count(*)::int AS n
    FROM cases GROUP BY 1, 2, 3, 4, 5, 6, 7
    UNION ALL
    SELECT 'certificate', c.province_code, c.commune_code, c.product_set_code, ce.status,
           ce.star, extract(year FROM ce.issued_on)::smallint, count(*)::int
    FROM certificates ce JOIN cases c USING (product_id) GROUP BY 1, 2, 3, 4, 5, 6, 7
    ORDER BY 1, 2, 3, 4, 5, 6, 7`;
  const key = (r: object) => canonicalJson(r);
  return rows.map((r) => ({ ...r })).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const north: Place = { province: '19', commune: '05443', subject: `HTX-A-${run}`, productSet: 'tea' };
const north2: Place = { province: '19', commune: '05443', subject: `HTX-B-${run}`, productSet: 'tea' };
const south: Place = { province: '79', commune: '25747', subject: `HTX-C-${run}`, productSet: 'fast-food' };
const south2: Place = { province: '79', commune: '26737', subject: `HTX-D-${run}`, productSet: 'fast-food' };
const imported: Place = { province: '01', commune: '00004', subject: `HTX-E-${run}`, productSet: 'tea' };

const ids = {
  certified: `P-CERT-${run}`,
  revoked: `P-REVOKED-${run}`,
  belowThree: `P-BELOW-${run}`,
  returned: `P-RETURNED-${run}`,
  upgraded: `P-UPGRADED-${run}`,
};

/** Two rounds of province 19: one open, one opened and closed (the rounds read model). */
async function driveRounds(): Promise<void> {
  const office = { sub: 'u-p-19', role: 'provincial_office' as const, jurisdiction: '19' };
  const council = [
    { memberId: 'chair-19', role: 'chair' as const },
    { memberId: 'member-19', role: 'member' as const },
  ];
  for (const [round, close] of [
    [1, false],
    [2, true],
  ] as const) {
    const roundId = roundIdOf('19', 2030, round);
    const command = { type: 'OpenRound' as const, data: { year: 2030, round, council } };
    await executeRoundCommand(sql, { user: office, key: `open-${run}-${round}`, roundId, command });
    if (close) {
      const closing = { type: 'CloseRound' as const, data: {} };
      await executeRoundCommand(sql, { user: office, key: `close-${run}-${round}`, roundId, command: closing });
    }
  }
}

describe('read models: cases, certificates, counts and rounds', () => {
  beforeAll(async () => {
    await Promise.all([
      driveRounds(),
      drive(ids.certified, [...idea(ids.certified, north), ...evaluation(north, 75.5, 4)]),
      drive(ids.revoked, [
        ...idea(ids.revoked, north2),
        ...evaluation(north2, 65, 3),
        [
          actors(north2).province,
          { type: 'ProposeRevocation', data: { ground: 'b', concludedOn: today(), finding: 'Kết luận kiểm tra' } },
        ],
        [
          actors(north2).province,
          {
            type: 'RevokeCertificate',
            data: { ground: 'b', concludedOn: today(), decisionNumber: 'QD-TH-1', reason: 'Theo kết luận kiểm tra' },
          },
        ],
      ]),
      drive(ids.belowThree, [...idea(ids.belowThree, south), ...evaluation(south, 45, 2)]),
      drive(ids.returned, [
        idea(ids.returned, south2)[0]!,
        [actors(south2).commune, { type: 'ReturnIdea', data: { reason: 'Ý tưởng chưa rõ' } }],
      ]),
      drive(ids.upgraded, [
        [
          actors(imported).province,
          {
            type: 'ImportCertifiedProduct',
            data: {
              productId: ids.upgraded,
              subjectId: imported.subject,
              subjectName: 'HTX E',
              productName: 'Mật ong bạc hà',
              productSetCode: imported.productSet,
              provinceCode: imported.province,
              communeCode: imported.commune,
              ruleSetId: 'QD148_1489_2025',
              certificate: {
                number: 'GCN-CU-77',
                star: 3,
                level: 'province',
                issuedOn: '2025-09-15',
                expiresOn: '2028-09-15',
              },
              source: 'sổ theo dõi 2025',
            },
          },
        ],
        ...evaluation(imported, 80, 4, 'upgrade'),
      ]),
    ]);
  });

  it('keeps one certificate row per term, with what ended each one', async () => {
    const rows = await sql<{ product_id: string; certificate_number: string; star: number; status: string }[]>`
      SELECT product_id, certificate_number, star, status, ended_on, replaced_by, imported FROM certificates
      WHERE product_id = ANY(${Object.values(ids)}) ORDER BY product_id, term_no`;
    expect(rows.map((r) => ({ ...r }))).toEqual([
      {
        product_id: ids.certified,
        certificate_number: `GCN-${north.subject}-first`,
        star: 4,
        status: 'valid',
        ended_on: null,
        replaced_by: null,
        imported: false,
      },
      {
        product_id: ids.revoked,
        certificate_number: `GCN-${north2.subject}-first`,
        star: 3,
        status: 'revoked',
        ended_on: today(),
        replaced_by: null,
        imported: false,
      },
      {
        product_id: ids.upgraded,
        certificate_number: 'GCN-CU-77',
        star: 3,
        status: 'replaced',
        ended_on: today(),
        replaced_by: `GCN-${imported.subject}-upgrade`,
        imported: true,
      },
      {
        product_id: ids.upgraded,
        certificate_number: `GCN-${imported.subject}-upgrade`,
        star: 4,
        status: 'valid',
        ended_on: null,
        replaced_by: null,
        imported: false,
      },
    ]);
  });

  it('counts cases and certificates per province, commune, product set, status, star and year', async () => {
    const year = Number(today().slice(0, 4));
    const counts = await sql<
      { kind: string; province_code: string; status: string; star: number; year: number; n: number }[]
    >`
      SELECT kind, province_code, commune_code, status, star, year, n FROM counts ORDER BY kind, province_code, status, star, year`;
    expect(counts.map((r) => ({ ...r }))).toEqual([
      { kind: 'case', province_code: '01', commune_code: '00004', status: 'certified', star: 4, year, n: 1 },
      { kind: 'case', province_code: '19', commune_code: '05443', status: 'certified', star: 4, year, n: 1 },
      { kind: 'case', province_code: '19', commune_code: '05443', status: 'revoked', star: 0, year, n: 1 },
      { kind: 'case', province_code: '79', commune_code: '26737', status: 'idea_returned', star: 0, year, n: 1 },
      { kind: 'case', province_code: '79', commune_code: '25747', status: 'not_recognised', star: 0, year, n: 1 },
      {
        kind: 'certificate',
        province_code: '01',
        commune_code: '00004',
        status: 'replaced',
        star: 3,
        year: 2025,
        n: 1,
      },
      { kind: 'certificate', province_code: '01', commune_code: '00004', status: 'valid', star: 4, year, n: 1 },
      { kind: 'certificate', province_code: '19', commune_code: '05443', status: 'revoked', star: 3, year, n: 1 },
      { kind: 'certificate', province_code: '19', commune_code: '05443', status: 'valid', star: 4, year, n: 1 },
    ]);
    expect((await snapshot()).counts).toEqual(await recount());
  });

  it('rebuilds every read model from the events alone, identical row for row', async () => {
    const live = await snapshot();
    expect(live.cases).toHaveLength(5);
    expect(live.rounds!.map((r) => r.status).sort()).toEqual(['closed', 'open']);
    const result = await rebuildReadModels(sql, { batchSize: 7 });
    expect(result).toMatchObject({ rows: { cases: 5, certificates: 4, rounds: 2 }, skippedStreams: 0 });
    const versions = [...live.cases!, ...live.rounds!].map((r) => (r as { version: number }).version);
    expect(result.events).toBe(versions.reduce((n, v) => n + v, 0));
    expect(await snapshot()).toEqual(live);
  });

  it('repairs hand-damaged read models on rebuild', async () => {
    const live = await snapshot();
    await sql`DELETE FROM cases WHERE product_id = ${ids.certified}`;
    await sql`UPDATE certificates SET status = 'expired' WHERE product_id = ${ids.upgraded}`;
    await sql`UPDATE counts SET n = n + 41`;
    await sql`UPDATE rounds SET status = 'open', closed_at = NULL`;
    await rebuildReadModels(sql);
    expect(await snapshot()).toEqual(live);
  });

  it('refolds a case from its stream when its row lags behind, and stays what a rebuild gives', async () => {
    await sql`DELETE FROM cases WHERE product_id = ${ids.returned}`;
    await sql`UPDATE counts SET n = n - 1 WHERE kind = 'case' AND status = 'idea_returned' AND province_code = '79'`;
    await sql`DELETE FROM counts WHERE n = 0`;
    const revised = await client.workflow.getHandle(caseWorkflowId(ids.returned)).executeUpdate(commandUpdate, {
      args: [
        {
          commandId: `${ids.returned}:revise`,
          actor: actors(south2).subject,
          command: { type: 'ReviseIdea', data: { ideaSummary: 'Rõ vùng nguyên liệu' } },
        },
      ],
      updateId: `${ids.returned}:revise`,
    });
    expect(revised.version).toBe(3);
    const [row] = await sql<{ version: number; stage: string }[]>`
      SELECT version, stage FROM cases WHERE product_id = ${ids.returned}`;
    expect(row).toEqual({ version: 3, stage: 'idea_registered' });
    const live = await snapshot();
    await rebuildReadModels(sql);
    expect(await snapshot()).toEqual(live);
  });

  it('rebuilds from the command line with exit code 0, leaving the same rows', async () => {
    const live = await snapshot();
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', 'cli/ocop.ts', 'projections', 'rebuild', '--json', '--batch-size', '5'],
        { cwd: join(import.meta.dirname, '..', '..'), env: { ...process.env, DATABASE_URL: databaseUrl } },
        (error, out, err) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout: out, stderr: err }),
      ),
    );
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ rows: { cases: 5, certificates: 4 }, skippedStreams: 0 });
    expect(stderr).toMatch(/rebuild .*100% \d+\/\d+ events/);
    expect(await snapshot()).toEqual(live);
  });
});
