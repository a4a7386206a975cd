import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken, type Principal } from '../../api/auth';
import { CommandGateway, CommandService } from '../../api/commands';
import { createLogger } from '../../config/logger';
import { createImport, dryRunImport, importSummary, runImport } from '../../imports/run';
import { GOOD_ROWS, importCsv, importRows, importXlsx } from '../support/import-files';
import { startHarnessOnOwnDatabase, type Harness } from './harness';

/**
 * Onboarding a province from its spreadsheets (issue 19): a file with good and bad rows, as CSV and as .xlsx. The
 * dry run names each problem by row and column and records nothing; the import records exactly the good rows, a
 * second run nothing twice, an import stopped after some rows resumes, and the summary always matches the file. The
 * cases are then what GET /products and /certificates show. The CLI runs as an operator runs it, in a process.
 */
const secret = 'imports-secret-imports-secret-imports-01';
const admin: Principal = { sub: 'imports-admin', role: 'admin', jurisdiction: 'VN' };
let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let commands: CommandService;
let dir: string;

beforeAll(async () => {
  h = await startHarnessOnOwnDatabase('imports');
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
  });
  commands = new CommandService(h.sql, new CommandGateway(h.client.workflow, h.taskQueue));
  dir = mkdtempSync(join(tmpdir(), 'ocop-import-'));
}, 120_000);
afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await app?.close();
  await h?.stop();
});

function ocop(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/ocop.ts', ...args],
      {
        cwd: join(import.meta.dirname, '..', '..'),
        env: {
          ...process.env,
          DATABASE_URL: databaseUrlOf(h),
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          TEMPORAL_TASK_QUEUE: h.taskQueue,
          LOG_LEVEL: 'error',
        },
        timeout: 120_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** The harness's own database, as the application role connects to it. */
function databaseUrlOf(harness: Harness): string {
  const { host, port, database, user, pass } = harness.sql.options;
  const url = new URL(`postgres://${host[0]}:${port[0]}/${database}`);
  url.username = user;
  if (typeof pass === 'string') url.password = pass;
  return url.toString();
}

const counts = async () => {
  const [row] = await h.sql<{ cases: number; recipients: number; imports: number }[]>`
    SELECT (SELECT count(*)::int FROM cases) AS cases, (SELECT count(*)::int FROM recipients) AS recipients,
           (SELECT count(*)::int FROM imports) AS imports`;
  return row!;
};

const get = async (url: string) =>
  app.inject({
    method: 'GET',
    url,
    headers: {
      authorization: `Bearer ${await signToken(secret, { sub: 'reader', role: 'provincial_office', jurisdiction: '19' })}`,
    },
  });

describe('importing a province’s spreadsheet', () => {
  it('dry run: names every problem of the CSV by row and column, in Vietnamese, and records nothing', async () => {
    const file = join(dir, 'thai-nguyen.csv');
    writeFileSync(file, importCsv(importRows('C')));
    const before = await counts();
    const run = await ocop(['import', file, '--dry-run']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain(
      'Kiểm tra thai-nguyen.csv: 11 dòng — nhập được 5, đã có từ trước 0, có lỗi 6. Chưa ghi gì.',
    );
    expect(run.stdout).toMatch(/Dòng 4, cột Mã xã: Mã xã "99999" không phải .* ngày 01\/03\/2024/);
    expect(run.stdout).toMatch(/Dòng 5, cột Hạng sao: theo QĐ 148/);
    expect(run.stdout).toContain('Dòng 6, cột Số giấy chứng nhận: số giấy chứng nhận C-GCN-1 trùng với dòng 2 của tệp');
    expect(run.stdout).toContain('Dòng 7, cột Ngày cấp: "31/02/2025" không phải ngày hợp lệ (dd/MM/yyyy)');
    expect(run.stdout).toContain('Dòng 8, cột Tên sản phẩm: chứa ký tự NUL (U+0000), không lưu được');
    expect(run.stdout).toMatch(/Dòng 11, cột Hạng sao: hạng 2 sao không được công nhận/);
    expect(await counts()).toEqual(before);
  });

  it('imports exactly the good rows with a summary that matches the file; a second run imports nothing twice', async () => {
    const file = join(dir, 'thai-nguyen.csv');
    writeFileSync(file, importCsv(importRows('C')));
    const first = await ocop(['import', file]);
    // Refused rows: exit 1, the summary names them.
    expect(first.code, first.stderr).toBe(1);
    expect(first.stdout).toMatch(/11 dòng — đã nhập 5, đã có từ trước 0, bị từ chối 6\./);
    expect(first.stdout).toContain('Dòng 6, cột Số giấy chứng nhận');
    expect(first.stderr).toMatch(/import .*100% 11\/11 rows/);

    const again = await ocop(['import', file]);
    expect(again.stdout, again.stderr).toMatch(/11 dòng — đã nhập 0, đã có từ trước 5, bị từ chối 6\./);
    const cases = await h.sql<{ product_id: string }[]>`SELECT product_id FROM cases ORDER BY product_id`;
    expect(cases.map((c) => c.product_id).filter((id) => id.startsWith('C-') || id.startsWith('HS-'))).toHaveLength(4);
    const [{ n } = { n: 0 }] = await h.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM recipients WHERE address = 'ocop-c@thainguyen.gov.vn'`;
    expect(n).toBe(1);

    // What the API shows: the right star and dates.
    const product = await get('/products/C-A1');
    expect(product.statusCode, product.body).toBe(200);
    expect(product.json()).toMatchObject({ stage: 'certified', star: 4 });
    const certificates = await get('/certificates?province=19');
    expect(certificates.statusCode, certificates.body).toBe(200);
    const { items } = certificates.json<{
      items: { certificateNumber: string; star: number; issuedOn: string; expiresOn: string }[];
    }>();
    const byNumber = new Map(items.map((c) => [c.certificateNumber, c]));
    expect(byNumber.get('C-GCN-1')).toMatchObject({ star: 4, issuedOn: '2026-03-01', expiresOn: '2029-03-01' });
    expect(byNumber.get('C-GCN-2')).toMatchObject({ star: 3, issuedOn: '2024-05-10' });
    expect(byNumber.get('C-GCN-9')).toMatchObject({ star: 5, issuedOn: '2026-01-15' });
    expect(byNumber.has('C-GCN-4')).toBe(false);
  }, 240_000);

  it('an .xlsx import stopped after 2 rows resumes where it stopped; the summary matches the file', async () => {
    const bytes = await importXlsx(importRows('X', '\u202E'));
    const report = await dryRunImport(h.sql, bytes, { importer: admin });
    expect(report.format).toBe('xlsx');
    expect(report.counts).toEqual({ importable: 5, present: 0, refused: 6 });
    expect(report.rows.filter((r) => r.status === 'pending').map((r) => r.rowNo)).toEqual(GOOD_ROWS);

    const id = await createImport(h.sql, bytes, { importer: admin, fileName: 'thai-nguyen.xlsx' });
    const stopped = await runImport({ sql: h.sql, commands }, id, { stopAfter: 2, concurrency: 1 });
    expect(stopped.status).toBe('stopped');
    expect(stopped.counts).toEqual({ imported: 2, present: 0, refused: 6, pending: 3 });

    const resumed = await ocop(['import', '--resume', id]);
    expect(resumed.stdout, resumed.stderr).toMatch(/11 dòng — đã nhập 5, đã có từ trước 0, bị từ chối 6\./);
    const summary = await importSummary(h.sql, id);
    expect(summary).toMatchObject({
      status: 'done',
      totalRows: 11,
      counts: { imported: 5, present: 0, refused: 6, pending: 0 },
    });
    expect(summary!.refused.map((r) => r.rowNo)).toEqual([4, 5, 6, 7, 8, 11]);
    expect(summary!.lines).toContainEqual(
      expect.stringMatching(/^Dòng 8, cột Tên sản phẩm: chứa ký tự điều khiển hướng chữ/),
    );
    const [{ n } = { n: 0 }] = await h.sql<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM cases WHERE product_id LIKE 'X-%'`;
    expect(n).toBe(3);
  }, 240_000);

  it('refuses a number another product already holds', async () => {
    // Row 2 of a new file reuses C-GCN-1, recorded for C-A1 above, under another product code.
    const rows = importRows('D');
    rows[0] = { ...rows[0], 'Số giấy chứng nhận': 'C-GCN-1' };
    const report = await dryRunImport(h.sql, importCsv(rows), { importer: admin });
    expect(report.lines).toContain(
      'Dòng 2, cột Số giấy chứng nhận: số giấy chứng nhận C-GCN-1 đã được ghi cho sản phẩm khác',
    );
  });

  it('over HTTP: a provincial office checks its file, imports it in the background and reads the summary', async () => {
    const office = await signToken(secret, { sub: 'office-19', role: 'provincial_office', jurisdiction: '19' });
    const other = await signToken(secret, { sub: 'office-01', role: 'provincial_office', jurisdiction: '01' });
    const commune = await signToken(secret, { sub: 'commune-05503', role: 'commune_officer', jurisdiction: '05503' });
    const post = (url: string, token: string, body: Buffer, type = 'text/csv') =>
      app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${token}`, 'content-type': type },
        payload: body,
      });
    const csv = importCsv(importRows('H'));

    const dry = await post('/imports?dryRun=true', office, csv);
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({ totalRows: 11, counts: { importable: 5, present: 0, refused: 6 } });
    expect(dry.json<{ lines: string[] }>().lines).toContain(
      'Dòng 7, cột Ngày cấp: "31/02/2025" không phải ngày hợp lệ (dd/MM/yyyy)',
    );
    expect((await post('/imports', commune, csv)).statusCode).toBe(403);
    expect((await post('/imports?province=01', office, csv)).statusCode).toBe(403);
    const notAFile = await post('/imports?dryRun=true', office, Buffer.from('a,b\r\n1,2\r\n'));
    expect(notAFile.statusCode, notAFile.body).toBe(422);
    const empty = await post('/imports?dryRun=true', office, Buffer.alloc(0));
    expect(empty.statusCode, empty.body).toBe(400);
    expect(empty.headers['content-type']).toMatch(/^application\/problem\+json/);
    const json = await post('/imports?dryRun=true', office, Buffer.from('{}'), 'application/json');
    expect(json.statusCode, json.body).toBe(400);
    // A heading the import does not read is reported, never echoed with what no record may hold.
    const nulHeading = await post('/imports?dryRun=true', office, Buffer.from('Loại bản ghi,X\u0000\r\n'));
    expect(nulHeading.statusCode, nulHeading.body).toBe(200);
    expect(nulHeading.json<{ ignoredHeadings: string[] }>().ignoredHeadings).toEqual(['X\\u0000']);

    const started = await post('/imports?fileName=thai-nguyen.csv', office, csv);
    expect(started.statusCode, started.body).toBe(202);
    const { id } = started.json<{ id: string }>();
    expect(started.headers.location).toBe(`/imports/${id}`);
    let summary = started.json<{ status: string }>();
    for (let i = 0; i < 120 && summary.status !== 'done'; i += 1) {
      await new Promise((r) => setTimeout(r, 500));
      const res = await app.inject({
        method: 'GET',
        url: `/imports/${id}`,
        headers: { authorization: `Bearer ${office}` },
      });
      expect(res.statusCode, res.body).toBe(200);
      summary = res.json();
    }
    expect(summary).toMatchObject({
      status: 'done',
      provinceCode: '19',
      fileName: 'thai-nguyen.csv',
      counts: { imported: 5, present: 0, refused: 6, pending: 0 },
    });
    const elsewhere = await app.inject({
      method: 'GET',
      url: `/imports/${id}`,
      headers: { authorization: `Bearer ${other}` },
    });
    expect(elsewhere.statusCode).toBe(404);
    const product = await get('/products/H-A9');
    expect(product.json()).toMatchObject({ stage: 'certified', star: 5 });
  }, 120_000);
});
