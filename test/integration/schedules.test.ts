import { createHash } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken, type UserRole } from '../../api/auth';
import { createLogger } from '../../config/logger';
import { readStream } from '../../db/event-store';
import { communesOfProvince } from '../../domain/places';
import { OPEN_DATA_FIELDS } from '../../documents/open-data';
import {
  ensureSchedules,
  OPEN_DATA_SCHEDULE_ID,
  programmeScheduleId,
  scheduleDefinitions,
} from '../../temporal/schedules';
import { startHarnessOnOwnDatabase, type Harness } from './harness';
import { importCertified } from '../support/imports';
import { runOcop } from '../support/ocop-cli';

/*
 * The yearly programme (issue 19) and the daily open data (issue 20) on Temporal Schedules, on the run's dev server:
 * the Schedules created twice (the second time changes nothing), a province's year triggered and a past year
 * backfilled from the `ocop schedules` CLI, the calendar and report events checked against the cases driven here and
 * against GET /reports/figures and plan progress, and the open-data files against their JSON Schema and checksum.
 */

const secret = 'schedules-secret-schedules-secret-0001';
const PROVINCE = '19';
let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let keys = 0;
const token = (role: UserRole, jurisdiction: string, sub = `sc-${role}-${jurisdiction}`) =>
  signToken(secret, { sub, role, jurisdiction });
const get = async (url: string, as?: Promise<string>, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'GET',
    url,
    headers: { ...headers, ...(as ? { authorization: `Bearer ${await as}` } : {}) },
  });
const post = async (url: string, as: Promise<string>, payload: object) =>
  app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${await as}`, 'idempotency-key': `schedules-${(keys += 1)}` },
    payload,
  });

async function importCase(productId: string, province: string, commune: string, star: 3 | 4 | 5, issuedOn: string) {
  const res = await importCertified(app, secret, `schedules-${(keys += 1)}`, {
    productId,
    province,
    commune,
    star,
    issuedOn,
    subjectName: 'HTX Nguyễn Văn Bình',
    productName: `Chè Tân Cương ${productId}`,
  });
  expect(res.statusCode, res.body).toBe(201);
}

const ocop = (args: string[]) =>
  runOcop(args, {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: h.taskQueue,
    PROGRAMME_PROVINCES: PROVINCE,
  });

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const settings = () => ({ taskQueue: h.taskQueue, provinces: [PROVINCE] });
const programmeEvents = (year: number) => readStream(h.sql, `programme:${PROVINCE}:${year}`);
const reportOf = async (year: number, point: string) =>
  (await programmeEvents(year)).find((e) => e.type === 'ProgrammeReportRecorded' && e.commandId === `report:${point}`);

interface Figures {
  rows: { keys: (string | null)[]; count: number }[];
}
interface ReportData {
  asOf: string;
  figures: {
    inForceTotal: number;
    inForceByStar: { star: number; count: number }[];
    plan: { sentence: string } | null;
  };
}

beforeAll(async () => {
  h = await startHarnessOnOwnDatabase('schedules');
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
    // The test reads every one of the 70 files; the public limit per address is 60 a minute.
    publicLookupRateLimit: 1000,
  });
  // Thái Nguyên: a 4★ and a 3★ of 2025 in 05503, a 3★ of February 2026 in 01840; a 5★ in Hà Nội; an idea at 05443.
  await importCase('SC-1', PROVINCE, '05503', 4, '2025-09-01');
  await importCase('SC-2', PROVINCE, '05503', 3, '2025-10-01');
  await importCase('SC-3', PROVINCE, '01840', 3, '2026-02-01');
  await importCase('SC-4', '01', '00004', 5, '2025-09-01');
  const idea = await post('/products', token('commune_officer', '05443'), {
    subjectId: 'HTX-TC',
    subjectName: 'HTX chè Tân Cương',
    productName: 'Chè búp Tân Cương',
    productSetCode: 'tea',
    provinceCode: PROVINCE,
    communeCode: '05443',
  });
  expect(idea.statusCode, idea.body).toBe(201);
  const plan = await post('/plans', token('provincial_office', PROVINCE), {
    level: 'province',
    jurisdiction: PROVINCE,
    period: { from: 2025, to: 2025 },
    targets: { recognisedNew: 4, byStar: { 4: 1, 3: 3 } },
  });
  expect(plan.statusCode, plan.body).toBe(201);
}, 180_000);

afterAll(async () => {
  for (const id of scheduleDefinitions(settings()).map((d) => d.scheduleId)) {
    await h?.client.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
  }
  // The programme of the current year waits for its year-end timer: end it.
  await h?.client.workflow
    .getHandle(`programme:${PROVINCE}:2026`)
    .terminate('test over')
    .catch(() => undefined);
  await app?.close();
  await h?.stop();
}, 60_000);

describe('Temporal Schedules of the programme and the open data', () => {
  it('are created once: a second start changes nothing, a changed definition is updated', async () => {
    const first = await ensureSchedules(h.client, settings());
    expect(first).toEqual([
      { scheduleId: programmeScheduleId(PROVINCE), outcome: 'created' },
      { scheduleId: OPEN_DATA_SCHEDULE_ID, outcome: 'created' },
    ]);
    const before = await h.client.schedule.getHandle(programmeScheduleId(PROVINCE)).describe();
    const second = await ensureSchedules(h.client, settings());
    expect(second.map((o) => o.outcome)).toEqual(['unchanged', 'unchanged']);
    const after = await h.client.schedule.getHandle(programmeScheduleId(PROVINCE)).describe();
    expect(after.info.lastUpdatedAt).toEqual(before.info.lastUpdatedAt);
    // January at 08:00, Vietnam time.
    expect(after.spec.timezone).toBe('Asia/Ho_Chi_Minh');
    const next = after.info.nextActionTimes[0]!;
    expect(next.toISOString()).toBe('2027-01-01T01:00:00.000Z');

    const changed = await ensureSchedules(h.client, { ...settings(), openDataHour: 3 });
    expect(changed.map((o) => o.outcome)).toEqual(['unchanged', 'updated']);
    const restored = await ensureSchedules(h.client, settings());
    expect(restored.map((o) => o.outcome)).toEqual(['unchanged', 'updated']);
  });

  it('lists, pauses and unpauses from the CLI, in Vietnamese', async () => {
    const listed = await ocop(['schedules', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('ocop-programme-19');
    expect(listed.stdout).toContain('Chương trình OCOP hằng năm, Tỉnh Thái Nguyên');
    expect(listed.stdout).toContain('ocop-open-data-daily');
    expect(listed.stdout).toContain('01/01/2027 08:00');

    const paused = await ocop(['schedules', 'pause', OPEN_DATA_SCHEDULE_ID, '--note', 'bảo trì']);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toContain('Đã tạm dừng lịch');
    const state = (await h.client.schedule.getHandle(OPEN_DATA_SCHEDULE_ID).describe()).state;
    expect(state).toMatchObject({ paused: true, note: 'bảo trì' });
    const json = JSON.parse((await ocop(['schedules', 'list', '--json'])).stdout) as {
      scheduleId: string;
      paused: boolean;
    }[];
    expect(json.find((s) => s.scheduleId === OPEN_DATA_SCHEDULE_ID)?.paused).toBe(true);
    // A restart keeps the operator's pause.
    await ensureSchedules(h.client, settings());
    expect((await h.client.schedule.getHandle(OPEN_DATA_SCHEDULE_ID).describe()).state.paused).toBe(true);
    expect((await ocop(['schedules', 'unpause', OPEN_DATA_SCHEDULE_ID])).code).toBe(0);
    expect((await h.client.schedule.getHandle(OPEN_DATA_SCHEDULE_ID).describe()).state.paused).toBe(false);

    const unknown = await ocop(['schedules', 'pause', 'ocop-programme-99']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('không có lịch / no schedule ocop-programme-99');
    const badDate = await ocop([
      'schedules',
      'backfill',
      programmeScheduleId(PROVINCE),
      '--from',
      '2025-01-01',
      '--to',
      '02/01/2025',
    ]);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('--from');
  });

  it('a triggered year publishes the calendar, reminds idle communes once and reports mid-year from the read models', async () => {
    const triggered = await ocop(['schedules', 'trigger', programmeScheduleId(PROVINCE)]);
    expect(triggered.code, triggered.stderr).toBe(0);
    const mid = await until('the 2026 mid-year report', () => reportOf(2026, 'mid_year'));

    const events = await programmeEvents(2026);
    expect(events[0]).toMatchObject({ type: 'ProgrammeOpened', data: { provinceCode: PROVINCE, year: 2026 } });
    // 2026: QĐ 26/2026 from 22/05, so the cut-offs of 30/07 (central) and 30/10 (provincial round 2), not 30/04.
    expect(events.filter((e) => e.type === 'RoundCutOffPublished').map((e) => e.data)).toEqual([
      expect.objectContaining({ level: 'central', round: 1, cutOff: '2026-07-30', decideBy: '2026-09-30' }),
      expect.objectContaining({ level: 'provincial', round: 2, cutOff: '2026-10-30', decideBy: '2026-12-30' }),
    ]);

    // Idle communes: every commune of the province but 05443, whose idea is in the pipeline.
    const reminded = events.find((e) => e.type === 'IdleCommunesReminded')!.data as { communes: { code: string }[] };
    const codes = reminded.communes.map((c) => c.code).sort();
    const expected = communesOfProvince(PROVINCE, 'current')
      .map((c) => c.code)
      .filter((c) => c !== '05443')
      .sort();
    expect(codes).toEqual(expected);
    const outbox = await h.sql<{ notice_key: string; recipient: string }[]>`
      SELECT notice_key, recipient FROM notification_outbox WHERE notice_key LIKE 'programme:19:2026:programme_idle_commune:%'`;
    expect(outbox.map((r) => r.recipient).sort()).toEqual(expected.map((c) => `commune:${c}`));
    const inbox = await until('the reminder in 05503’s inbox', async () => {
      const rows = await h.sql<{ title: string; body: string }[]>`
        SELECT title, body FROM inbox WHERE user_id = 'commune:05503' AND kind = 'programme_idle_commune'`;
      return rows.length > 0 ? rows : null;
    });
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.title).toContain('chưa có sản phẩm nào trong chu trình OCOP');
    expect(inbox[0]!.body).toContain('trước ngày 30/04/2027 được đánh giá trong đợt 1 năm 2027');

    // The mid-year figures are GET /reports/figures' for 30/06/2026: SC-1 (4★), SC-2 and SC-3 (3★).
    const data = mid.data as ReportData;
    expect(data.asOf).toBe('2026-06-30');
    expect(data.figures.inForceByStar).toEqual([
      { star: 4, count: 1 },
      { star: 3, count: 2 },
    ]);
    const api = (
      await get('/reports/figures?by=star&inForceOn=2026-06-30', token('provincial_office', PROVINCE))
    ).json<Figures>();
    expect(data.figures.inForceTotal).toBe(api.rows.reduce((n, r) => n + r.count, 0));
    const notice = await h.sql<{ audience_code: string }[]>`
      SELECT notice->>'audienceCode' AS audience_code FROM notification_outbox
      WHERE notice_key = 'programme:19:2026:programme_report:mid_year'`;
    expect(notice.map((r) => r.audience_code)).toEqual(['19']);

    // The year-end point waits on a timer until 01/01/2027 00:00, Vietnam time.
    const handle = h.client.workflow.getHandle(`programme:${PROVINCE}:2026`);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    // A second trigger finds the year's programme and records nothing twice.
    expect((await ocop(['schedules', 'trigger', programmeScheduleId(PROVINCE)])).code).toBe(0);
    await until('the second action', async () => {
      const d = await h.client.schedule.getHandle(programmeScheduleId(PROVINCE)).describe();
      return d.info.numActionsTaken >= 2;
    });
    await new Promise((r) => setTimeout(r, 2_000));
    const again = await programmeEvents(2026);
    expect(again.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    const rows = await h.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM notification_outbox WHERE notice_key LIKE 'programme:19:2026:%'`;
    expect(rows[0]!.n).toBe(expected.length + 1);
  });

  it('a backfilled past year reports mid-year and year-end at once, with the plan’s sentence, and reminds no one', async () => {
    const backfilled = await ocop([
      'schedules',
      'backfill',
      programmeScheduleId(PROVINCE),
      '--from',
      '01/01/2025',
      '--to',
      '02/01/2025',
    ]);
    expect(backfilled.code, backfilled.stderr).toBe(0);
    const yearEnd = await until('the 2025 year-end report', () => reportOf(2025, 'year_end'));
    const events = await programmeEvents(2025);
    expect(events.map((e) => e.type)).toEqual([
      'ProgrammeOpened',
      'ProgrammeReportRecorded',
      'ProgrammeReportRecorded',
    ]);
    // No fixed calendar in 2025 (QĐ 148/2023 as amended): the rounds were planned locally.
    expect(events[0]!.data).toMatchObject({ ruleSetId: 'QD148_2023' });

    const data = yearEnd.data as ReportData;
    expect(data.asOf).toBe('2025-12-31');
    const api = (
      await get('/reports/figures?by=star&inForceOn=2025-12-31', token('provincial_office', PROVINCE))
    ).json<Figures>();
    expect(data.figures.inForceByStar).toEqual(
      api.rows.map((r) => ({ star: Number(r.keys[0]), count: r.count })).sort((a, b) => b.star - a.star),
    );
    expect(data.figures.inForceByStar).toEqual([
      { star: 4, count: 1 },
      { star: 3, count: 1 },
    ]);
    const progress = await get(
      `/plans/${encodeURIComponent('plan:province:19:2025-2025')}/progress`,
      token('provincial_office', PROVINCE),
    );
    expect(data.figures.plan?.sentence).toBe(progress.json<{ sentence: string }>().sentence);
    expect(data.figures.plan?.sentence).toBe(
      'Năm 2025 công nhận 2 sản phẩm, 1 sản phẩm 4 sao và 1 sản phẩm 3 sao, đạt 50% so với kế hoạch',
    );
    const mid = (await reportOf(2025, 'mid_year'))!.data as ReportData;
    expect(mid.figures.inForceTotal).toBe(0);
    const reminders = await h.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM notification_outbox WHERE notice_key LIKE 'programme:19:2025:programme_idle%'`;
    expect(reminders[0]!.n).toBe(0);
    const sent = await until('the year-end report in the province’s inbox', async () => {
      const rows = await h.sql<{ title: string; body: string }[]>`
        SELECT title, body FROM inbox WHERE user_id = 'province:19' AND notice_key = 'programme:19:2025:programme_report:year_end'`;
      return rows[0];
    });
    expect(sent.title).toBe('Báo cáo năm 2025 chương trình OCOP Tỉnh Thái Nguyên');
    expect(sent.body).toContain('Đến hết ngày 31/12/2025, Tỉnh Thái Nguyên có 2 sản phẩm OCOP còn hiệu lực');
  });

  it('the triggered open-data export writes files that match their schema and checksum, with no person in them', async () => {
    expect((await ocop(['schedules', 'trigger', OPEN_DATA_SCHEDULE_ID])).code).toBe(0);
    const index = await until('the open-data files', async () => {
      const res = await get('/public/open-data');
      const body = res.json<{ files: { name: string; sha256: string; bytes: number; rows: number }[] }>();
      return body.files.length > 0 ? { res, body } : null;
    });
    expect(index.res.statusCode).toBe(200);
    expect(index.res.json()).toMatchObject({ licence: { id: 'CC-BY-4.0' }, schema: '/public/open-data/schema.json' });
    const names = index.body.files.map((f) => f.name);
    expect(names.slice(0, 2)).toEqual(['ocop-products.csv', 'ocop-products.json']);
    expect(names).toContain('ocop-products-19.json');
    expect(names).toContain('ocop-products-01.csv');

    const schemaRes = await get('/public/open-data/schema.json');
    expect(schemaRes.statusCode).toBe(200);
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(schemaRes.json());

    const file = await get('/public/open-data/ocop-products-19.json');
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toContain('application/json');
    const sha = createHash('sha256').update(file.rawPayload).digest('hex');
    expect(file.headers['x-checksum-sha256']).toBe(sha);
    expect(file.headers.etag).toBe(`"${sha}"`);
    expect(index.body.files.find((f) => f.name === 'ocop-products-19.json')).toMatchObject({
      sha256: sha,
      bytes: file.rawPayload.length,
      rows: 3,
    });
    expect(file.headers['cache-control']).toContain('public');
    const json = file.json<{ products: Record<string, unknown>[] }>();
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.products.map((p) => [p.certificateNumber, p.star, p.communeName, p.status])).toEqual([
      ['GCN-SC-3', 3, expect.any(String), 'in_force'],
      ['GCN-SC-1', 4, expect.any(String), 'in_force'],
      ['GCN-SC-2', 3, expect.any(String), 'in_force'],
    ]);
    const notModified = await get('/public/open-data/ocop-products-19.json', undefined, {
      'if-none-match': `"${sha}"`,
    });
    expect(notModified.statusCode).toBe(304);

    // Every JSON file validates; no field outside the schema, and no subject or person anywhere.
    for (const f of index.body.files) {
      const res = await get(`/public/open-data/${f.name}`);
      expect(res.statusCode).toBe(200);
      const text = res.rawPayload.toString('utf8');
      expect([f.name, res.rawPayload.length, createHash('sha256').update(res.rawPayload).digest('hex')]).toEqual([
        f.name,
        f.bytes,
        f.sha256,
      ]);
      expect(text).not.toContain('Nguyễn Văn Bình');
      expect(text).not.toContain('HTX-SC');
      expect(text).not.toContain('subject');
      if (f.name.endsWith('.json')) expect(validate(JSON.parse(text)), f.name).toBe(true);
      else {
        const lines = text
          .replace(/^\uFEFF/, '')
          .trim()
          .split('\r\n');
        expect(lines[0]).toBe(OPEN_DATA_FIELDS.join(','));
        expect(lines.length - 1).toBe(f.rows);
      }
    }
    const national = (await get('/public/open-data/ocop-products.json')).json<{ products: unknown[] }>();
    expect(national.products).toHaveLength(4);
    expect((await get('/public/open-data/nothing.csv')).statusCode).toBe(404);
  });
});
