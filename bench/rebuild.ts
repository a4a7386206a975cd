/**
 * Rebuild throughput: fills a scratch database with synthetic but domain-valid case streams (every event produced
 * by the real decider, hash-chained exactly as `appendToStream` does), then times `rebuildReadModels` over them,
 * and for comparison `verifyAll` and the counts computed on the fly (what a view would do).
 *
 *   npx tsx bench/rebuild.ts [--events 1000000] [--database-url postgres://…/ocop_bench] [--keep]
 *
 * Without --database-url a database `ocop_bench_rebuild` is created on TEST_DATABASE_ADMIN_URL's server (default
 * postgres://postgres@127.0.0.1:5432) and dropped at the end unless --keep is given.
 */
import { parseArgs } from 'node:util';
import { connect, createDatabase, dropDatabase, migrate, type Sql } from '../db';
import { deterministicUuid, eventHash, GENESIS_HASH, type HashedEventFields } from '../db/canonical';
import { rebuildReadModels } from '../read-models/registry';
import { verifyAll } from '../audit';
import { decide, record, type Actor, type CaseState, type CommandInput } from '../domain';
import { PRODUCT_SETS } from '../domain/scoring';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    'database-url': { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const target = Number(values.events);
const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const url = values['database-url'] ?? adminUrl.replace(/\/[^/]*$/, '/ocop_bench_rebuild');

const PROVINCES = [
  ['01', '00004'],
  ['19', '05443'],
  ['79', '25747'],
  ['48', '20194'],
  ['92', '31120'],
] as const;
const at = (date: string) => `${date}T03:00:00.000Z`;

type Step = [Actor, CommandInput, string];

/** One case's commands: a first evaluation to 4★ (or 2★, or 3★ then an upgrade to 4★), sometimes a revocation. */
function stepsFor(i: number): { productId: string; steps: Step[] } {
  const [province, commune] = PROVINCES[i % PROVINCES.length]!;
  const productId = `BENCH-${String(i).padStart(7, '0')}`;
  const subjectId = `HTX-${i % 5000}`;
  const subject: Actor = { userId: `u-${subjectId}`, role: 'subject', office: subjectId };
  const communeOfficer: Actor = { userId: `u-c-${commune}`, role: 'commune_officer', office: commune };
  const provinceOffice: Actor = { userId: `u-p-${province}`, role: 'provincial_office', office: province };
  const kind = i % 10;
  const failing = kind === 7;
  const evaluation = (k: 'first' | 'upgrade', dates: string[], score: number, star: 2 | 3 | 4): Step[] => [
    [subject, { type: 'SubmitDossier', data: { kind: k, dossierRef: `HS-${k}`, selfAssessedScore: score } }, dates[0]!],
    [
      communeOfficer,
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
      dates[1]!,
    ],
    [communeOfficer, { type: 'ForwardDossierToProvince', data: { letterRef: 'CV-12', sampleCount: 5 } }, dates[2]!],
    [provinceOffice, { type: 'AssignToProvincialRound', data: {} }, dates[3]!],
    [
      provinceOffice,
      {
        type: 'RecordCouncilResult',
        data: { averageScore: score, star, knockOut: null, sheetCode: '11', memberCount: 9 },
      },
      dates[4]!,
    ],
    ...(star === 2
      ? []
      : ([
          [provinceOffice, { type: 'DecideRecognition', data: { star, decisionNumber: `QD-${i}` } }, dates[5]!],
          [provinceOffice, { type: 'IssueCertificate', data: { certificateNumber: `GCN-${k}-${i}` } }, dates[6]!],
        ] satisfies Step[])),
  ];
  const steps: Step[] = [
    [
      subject,
      {
        type: 'RegisterIdea',
        data: {
          productId,
          subjectId,
          subjectName: `HTX ${subjectId}`,
          productName: `Sản phẩm ${i}`,
          productSetCode: PRODUCT_SETS[i % 16]!.code,
          provinceCode: province,
          communeCode: commune,
          ideaSummary: 'Chè búp sấy khô đóng hộp',
        },
      },
      '2026-06-01',
    ],
    [communeOfficer, { type: 'AcceptIdea', data: {} }, '2026-06-02'],
    [subject, { type: 'SubmitBusinessPlan', data: { planRef: 'PA-01' } }, '2026-06-03'],
    [communeOfficer, { type: 'ApproveBusinessPlan', data: {} }, '2026-06-04'],
    ...evaluation(
      'first',
      ['2026-08-03', '2026-08-10', '2026-08-11', '2026-08-12', '2026-11-12', '2026-11-20', '2026-11-21'],
      failing ? 45 : kind === 5 ? 65 : 75.5,
      failing ? 2 : kind === 5 ? 3 : 4,
    ),
  ];
  if (kind === 3) {
    steps.push([
      provinceOffice,
      {
        type: 'RevokeCertificate',
        data: { ground: 'b', concludedOn: '2027-03-01', decisionNumber: 'QD-TH-1', reason: 'Theo kết luận' },
      },
      '2027-03-05',
    ]);
  }
  if (kind === 5) {
    steps.push(
      ...evaluation(
        'upgrade',
        ['2027-04-05', '2027-04-12', '2027-04-13', '2027-04-14', '2027-09-15', '2027-09-22', '2027-09-23'],
        80,
        4,
      ),
    );
  }
  return { productId, steps };
}

interface Row {
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
  occurred_at: string;
  rule_set_id: string;
  prev_hash: string;
  hash: string;
}

/** The rows `appendToStream` would have written for this case, one command at a time. */
function rowsFor(i: number): Row[] {
  const { productId, steps } = stepsFor(i);
  let state: CaseState = { status: 'none' };
  let prevHash = GENESIS_HASH;
  const rows: Row[] = [];
  for (const [n, [actor, command, date]] of steps.entries()) {
    const now = at(date);
    const { state: next, recorded } = record(state, decide(command, state, { now, actor }), now);
    state = next;
    const commandId = `${productId}:${n}`;
    for (const [index, event] of recorded.entries()) {
      const fields: HashedEventFields = {
        streamId: productId,
        streamPosition: rows.length + 1,
        eventId: deterministicUuid(`${productId}\u0000${commandId}\u0000${index}`),
        commandId,
        commandIndex: index,
        type: event.type,
        schemaVersion: 1,
        data: JSON.parse(JSON.stringify(event.data)) as unknown,
        actor,
        occurredAt: now,
        ruleSetId: event.ruleSetId,
        prevHash,
      };
      prevHash = eventHash(fields);
      rows.push({
        stream_id: productId,
        stream_position: fields.streamPosition,
        event_id: fields.eventId,
        command_id: commandId,
        command_index: index,
        type: fields.type,
        schema_version: 1,
        data: fields.data,
        actor_user: actor.userId,
        actor_role: actor.role,
        actor_office: actor.office,
        occurred_at: now,
        rule_set_id: fields.ruleSetId,
        prev_hash: fields.prevHash,
        hash: prevHash,
      });
    }
  }
  return rows;
}

async function fill(sql: Sql): Promise<{ events: number; cases: number }> {
  let events = 0;
  let cases = 0;
  let batch: Row[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await sql`INSERT INTO events ${sql(batch.map((r) => ({ ...r, data: sql.json(r.data as Parameters<typeof sql.json>[0]) })))}`;
    batch = [];
  };
  const started = performance.now();
  while (events < target) {
    const rows = rowsFor(cases++);
    events += rows.length;
    batch.push(...rows);
    if (batch.length >= 2000) await flush();
    if (cases % 5000 === 0) {
      process.stderr.write(
        `\rgenerated ${events} events, ${cases} cases (${((performance.now() - started) / 1000).toFixed(0)} s)`,
      );
    }
  }
  await flush();
  process.stderr.write(
    `\rgenerated ${events} events, ${cases} cases in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
  return { events, cases };
}

async function main() {
  const scratch = !values['database-url'];
  if (scratch) await dropDatabase(url);
  await createDatabase(url);
  await migrate(url);
  const owner = connect(url, { max: 4, asAppRole: false });
  const sql = connect(url, { max: 4 });
  try {
    const [{ n } = { n: '0' }] = await owner<{ n: string }[]>`SELECT count(*) AS n FROM events`;
    const generated = Number(n) >= target ? { events: Number(n), cases: NaN } : await fill(owner);
    await owner`VACUUM ANALYZE events`;

    const report = (label: string) => (p: { events: number; totalEvents: number }) => {
      if (p.events % 100_000 < 5000) process.stderr.write(`\r${label} ${p.events}/${p.totalEvents}`);
    };
    const rebuild = await rebuildReadModels(sql, { onProgress: report('rebuild') });
    process.stderr.write('\n');
    const verify = await verifyAll(sql, { onProgress: report('verify') });
    process.stderr.write('\n');

    // The counts a view would compute on every read, for comparison with the maintained table.
    const t0 = performance.now();
    const grouped = await sql`
      SELECT c.province_code, ce.star, ce.status, count(*) FROM certificates ce JOIN cases c USING (product_id)
      GROUP BY 1, 2, 3`;
    const viewMs = performance.now() - t0;
    const t1 = performance.now();
    await sql`SELECT province_code, star, status, sum(n) FROM counts WHERE kind = 'certificate' GROUP BY 1, 2, 3`;
    const tableMs = performance.now() - t1;

    const result = {
      database: url.replace(/:[^:@/]*@/, ':***@'),
      generated,
      rebuild,
      verify: { ...verify, broken: verify.broken.length, eventsPerSecond: Math.round(verify.events / verify.seconds) },
      certificateCountsQueryMs: {
        groupByOverTables: Math.round(viewMs),
        countsTable: Math.round(tableMs),
        groups: grouped.length,
      },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await sql.end();
    await owner.end();
    if (scratch && !values.keep) await dropDatabase(url);
  }
}

await main();
