import { randomBytes } from 'node:crypto';
import type { Sql } from '../db';
import { sha256Hex } from '../db/canonical';
import { localDate } from '../domain';
import { actorOf, type Principal } from '../api/auth';
import type { CommandService } from '../api/commands';
import { HttpProblem } from '../api/problems';
import { seedRecipients } from '../notifications/recipients';
import { caseWhereabouts } from '../read-models/cases/queries';
import { certificateHolders } from '../read-models/certificates/queries';
import { canSee } from '../read-models/scope';
import { checkRows, problemLine, type PlannedRow, type RowProblem } from './check';
import type { RowKind } from './columns';
import { readImportFile } from './read';

/*
 * The import of a province's file, one core for the CLI (`ocop import`) and the API (POST /imports): a dry run that
 * reports every row's problems and records nothing; an import that records each good row through the same command
 * path as POST /products/import (CommandService: idempotent by the row's own key, decided before any workflow
 * starts), a bounded number of rows at a time, its progress row by row in `import_rows`, so an interrupted import
 * resumes with the rows still pending and its summary is counted from the file's rows.
 */

export type RowStatus = 'pending' | 'imported' | 'present' | 'refused';

export interface RowOutcome {
  rowNo: number;
  kind: RowKind | null;
  productId: string | null;
  /** A dry run's `pending` is "would be imported". */
  status: RowStatus;
  problems: RowProblem[];
}

export interface DryRunReport {
  format: 'csv' | 'xlsx';
  totalRows: number;
  counts: { importable: number; present: number; refused: number };
  ignoredHeadings: string[];
  rows: RowOutcome[];
  /** Every problem as an official reads it: "Dòng 12, cột Mã xã: …". */
  lines: string[];
}

export interface ImportSummary {
  id: string;
  fileName: string;
  status: 'running' | 'stopped' | 'done';
  provinceCode: string | null;
  totalRows: number;
  counts: { imported: number; present: number; refused: number; pending: number };
  /** The refused rows with their problems. */
  refused: { rowNo: number; productId: string | null; problems: RowProblem[] }[];
  lines: string[];
  createdAt: string;
  finishedAt: string | null;
}

export interface ImportOptions {
  /** Who imports: the rows' commands are sent as this caller (an admin, or a provincial office for its province). */
  importer: Principal;
  /** Only rows of this province. */
  province?: string | undefined;
}

interface Plan {
  format: 'csv' | 'xlsx';
  ignoredHeadings: string[];
  rows: { planned: PlannedRow; status: RowStatus }[];
}

const CHUNK = 1000;
const chunks = <T>(items: readonly T[]): T[][] =>
  Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK));

/** Reads and checks the file against the rules and against what the records already hold. */
async function plan(sql: Sql, bytes: Buffer, o: ImportOptions): Promise<Plan> {
  const file = await readImportFile(bytes);
  const today = localDate(new Date().toISOString());
  const planned = checkRows(file.rows, { actor: actorOf(o.importer), today, province: o.province });
  const ids = planned.filter((p) => p.action?.type === 'command' && p.productId).map((p) => p.productId!);
  const numbers = planned.filter((p) => p.action && p.certificateNumber).map((p) => p.certificateNumber!);
  const cases = new Map<string, { provinceCode: string; communeCode: string; subjectId: string }>();
  const holders = new Map<string, string>();
  for (const part of chunks(ids)) for (const [k, v] of await caseWhereabouts(sql, part)) cases.set(k, v);
  for (const part of chunks(numbers)) for (const [k, v] of await certificateHolders(sql, part)) holders.set(k, v);
  const recipients = await presentRecipients(sql, planned);
  const rows = planned.map((p) => {
    if (!p.action) return { planned: p, status: 'refused' as const };
    if (p.action.type === 'recipient')
      return {
        planned: p,
        status: recipients.has(recipientKey(p.action.recipient)) ? ('present' as const) : ('pending' as const),
      };
    const holder = p.certificateNumber ? holders.get(p.certificateNumber) : undefined;
    const existing = p.productId ? cases.get(p.productId) : undefined;
    if (existing && !canSee(o.importer, existing)) {
      // Never described to a caller outside its jurisdiction: the code is simply not theirs to use.
      p.problems.push({
        rowNo: p.rowNo,
        column: 'Mã sản phẩm',
        vi: `mã sản phẩm ${p.productId} không dùng được: chọn mã khác`,
        en: `product code ${p.productId} cannot be used: choose another`,
      });
    } else if (holder !== undefined && holder !== p.productId) {
      p.problems.push({
        rowNo: p.rowNo,
        column: 'Số giấy chứng nhận',
        vi: `số giấy chứng nhận ${p.certificateNumber} đã được ghi cho sản phẩm khác`,
        en: `certificate number ${p.certificateNumber} is already recorded for another product`,
      });
    } else if (existing) return { planned: p, status: 'present' as const };
    return { planned: p, status: p.problems.length > 0 ? ('refused' as const) : ('pending' as const) };
  });
  return { format: file.format, ignoredHeadings: file.ignoredHeadings, rows };
}

const recipientKey = (r: { audience: string; audienceCode: string; channel: string; address: string }): string =>
  [r.audience, r.audienceCode, r.channel, r.address].join('\u0000');

async function presentRecipients(sql: Sql, planned: readonly PlannedRow[]): Promise<Set<string>> {
  const wanted = planned.flatMap((p) => (p.action?.type === 'recipient' ? [p.action.recipient] : []));
  const found = new Set<string>();
  for (const part of chunks(wanted)) {
    const rows = await sql<{ audience: string; audience_code: string; channel: string; address: string }[]>`
      SELECT r.audience, r.audience_code, r.channel, r.address FROM recipients r
      JOIN unnest(${part.map((w) => w.audience)}::text[], ${part.map((w) => w.audienceCode)}::text[],
                  ${part.map((w) => w.channel)}::text[], ${part.map((w) => w.address)}::text[])
        AS w(audience, audience_code, channel, address)
        USING (audience, audience_code, channel, address)`;
    for (const r of rows)
      found.add(
        recipientKey({ audience: r.audience, audienceCode: r.audience_code, channel: r.channel, address: r.address }),
      );
  }
  return found;
}

const outcome = (r: Plan['rows'][number]): RowOutcome => ({
  rowNo: r.planned.rowNo,
  kind: r.planned.kind,
  productId: r.planned.productId,
  status: r.status,
  problems: r.planned.problems,
});

/** The dry run: what each row would do, every problem named; nothing is recorded. */
export async function dryRunImport(sql: Sql, bytes: Buffer, o: ImportOptions): Promise<DryRunReport> {
  const p = await plan(sql, bytes, o);
  const rows = p.rows.map(outcome);
  const count = (s: RowStatus) => rows.filter((r) => r.status === s).length;
  return {
    format: p.format,
    totalRows: rows.length,
    counts: { importable: count('pending'), present: count('present'), refused: count('refused') },
    ignoredHeadings: p.ignoredHeadings,
    rows,
    lines: rows.flatMap((r) => r.problems.map(problemLine)),
  };
}

/** Records the import and its rows' plan (nothing sent yet); `runImport` sends them. */
export async function createImport(sql: Sql, bytes: Buffer, o: ImportOptions & { fileName: string }): Promise<string> {
  const p = await plan(sql, bytes, o);
  const id = `IMP-${randomBytes(8).toString('hex')}`;
  await sql.begin(async (tx) => {
    await tx`INSERT INTO imports (id, file_name, file_sha256, file, format, province_code, importer, status, total_rows)
      VALUES (${id}, ${o.fileName}, ${sha256Hex(bytes.toString('latin1'))}, ${bytes}, ${p.format}, ${o.province ?? null},
              ${tx.json(o.importer)}, 'running', ${p.rows.length})`;
    for (const part of chunks(p.rows)) {
      await tx`INSERT INTO import_rows ${tx(
        part.map((r) => ({
          import_id: id,
          row_no: r.planned.rowNo,
          kind: r.planned.kind,
          row_key: r.planned.key,
          product_id: r.planned.productId,
          status: r.status,
          problems: tx.json(r.planned.problems as never),
        })),
      )}`;
    }
  });
  return id;
}

export interface RunOptions {
  /** Rows sent at once. @default 8 */
  concurrency?: number;
  /** Stops starting rows once aborted (Ctrl-C): the import is `stopped`, and resumes with its pending rows. */
  signal?: AbortSignal;
  /** Stop after this many rows have an outcome (tests of resumption). */
  stopAfter?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ImportDeps {
  sql: Sql;
  commands: CommandService;
}

/** Thrown when there is no import with that id the caller may see. */
export class ImportNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`no import ${id}`);
    this.name = 'ImportNotFoundError';
  }
}

interface StoredImport {
  id: string;
  file_name: string;
  file: Buffer;
  province_code: string | null;
  importer: Principal;
  status: ImportSummary['status'];
  total_rows: number;
  created_at: Date;
  finished_at: Date | null;
}

/** Sends the import's pending rows, a bounded number at a time, writing each row's outcome as it comes. */
export async function runImport(deps: ImportDeps, id: string, o: RunOptions = {}): Promise<ImportSummary> {
  const { sql } = deps;
  const [stored] = await sql<StoredImport[]>`SELECT * FROM imports WHERE id = ${id}`;
  if (!stored) throw new ImportNotFoundError(id);
  const pendingRows = await sql<{ row_no: number }[]>`
    SELECT row_no FROM import_rows WHERE import_id = ${id} AND status = 'pending' ORDER BY row_no`;
  await sql`UPDATE imports SET status = 'running', updated_at = now() WHERE id = ${id}`;
  const total = stored.total_rows;
  let done = total - pendingRows.length;
  o.onProgress?.(done, total);
  const pending = new Set(pendingRows.map((r) => r.row_no));
  // The file's plan again (pure, quick): each pending row's command, as the file says it.
  const p =
    pending.size === 0
      ? null
      : await plan(sql, stored.file, { importer: stored.importer, province: stored.province_code ?? undefined });
  const work = (p?.rows ?? []).filter((r) => pending.has(r.planned.rowNo));
  let sent = 0;
  // The first failure that is not a row's refusal (an outage): the import stops, its rows stay pending.
  const failed: { error?: Error } = {};
  let next = 0;
  const stopped = () =>
    o.signal?.aborted === true || failed.error !== undefined || (o.stopAfter !== undefined && sent >= o.stopAfter);
  const runner = async () => {
    for (;;) {
      if (stopped()) return;
      const r = work[next++];
      if (!r) return;
      sent += 1;
      try {
        const result = await sendRow(deps, stored.importer, r);
        await sql`UPDATE import_rows SET status = ${result.status}, problems = ${sql.json(result.problems as never)},
                  updated_at = now() WHERE import_id = ${id} AND row_no = ${r.planned.rowNo}`;
        done += 1;
        o.onProgress?.(done, total);
      } catch (err) {
        failed.error ??= err instanceof Error ? err : new Error(String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 8) }, runner));
  const [{ left } = { left: 0 }] = await sql<{ left: number }[]>`
    SELECT count(*)::int AS left FROM import_rows WHERE import_id = ${id} AND status = 'pending'`;
  await sql`UPDATE imports SET status = ${left === 0 ? 'done' : 'stopped'}, updated_at = now(),
            finished_at = ${left === 0 ? sql`now()` : null} WHERE id = ${id}`;
  if (failed.error) throw failed.error;
  return (await importSummary(sql, id))!;
}

/** One row through the command path (or the recipients directory): imported, already present, or refused. */
async function sendRow(
  deps: ImportDeps,
  importer: Principal,
  r: Plan['rows'][number],
): Promise<{ status: RowStatus; problems: RowProblem[] }> {
  const { planned } = r;
  const action = planned.action!;
  if (r.status !== 'pending') return { status: r.status, problems: planned.problems };
  if (action.type === 'recipient') {
    await seedRecipients(deps.sql, [action.recipient]);
    return { status: 'imported', problems: [] };
  }
  try {
    const answer = await deps.commands.execute({
      user: importer,
      key: planned.key,
      route: 'POST /imports',
      productId: planned.productId!,
      body: action.command.data,
      command: action.command,
      start: true,
    });
    return { status: answer.replayed ? 'present' : 'imported', problems: [] };
  } catch (err) {
    if (!(err instanceof HttpProblem) || err.status >= 500 || err.status === 429) throw err;
    const detail = err.extra.detail ?? err.title;
    const [vi, en] = detail.includes(' / ') ? detail.split(' / ', 2) : [detail, detail];
    return { status: 'refused', problems: [{ rowNo: planned.rowNo, column: '', vi: vi!, en: en ?? vi! }] };
  }
}

/** An import's state, counted from its rows: the summary that matches the file. */
export async function importSummary(sql: Sql, id: string, viewer?: Principal): Promise<ImportSummary | null> {
  const [stored] = await sql<Omit<StoredImport, 'file'>[]>`
    SELECT id, file_name, province_code, importer, status, total_rows, created_at, finished_at FROM imports
    WHERE id = ${id}`;
  if (!stored) return null;
  if (viewer && !mayRead(viewer, stored)) return null;
  const counts = await sql<{ status: RowStatus; n: number }[]>`
    SELECT status, count(*)::int AS n FROM import_rows WHERE import_id = ${id} GROUP BY status`;
  const refused = await sql<{ row_no: number; product_id: string | null; problems: RowProblem[] }[]>`
    SELECT row_no, product_id, problems FROM import_rows WHERE import_id = ${id} AND status = 'refused'
    ORDER BY row_no`;
  const n = (s: RowStatus) => counts.find((c) => c.status === s)?.n ?? 0;
  return {
    id: stored.id,
    fileName: stored.file_name,
    status: stored.status,
    provinceCode: stored.province_code,
    totalRows: stored.total_rows,
    counts: { imported: n('imported'), present: n('present'), refused: n('refused'), pending: n('pending') },
    refused: refused.map((r) => ({ rowNo: r.row_no, productId: r.product_id, problems: r.problems })),
    lines: refused.flatMap((r) => r.problems.map(problemLine)),
    createdAt: stored.created_at.toISOString(),
    finishedAt: stored.finished_at?.toISOString() ?? null,
  };
}

/** Who reads an import: its importer, admins, and the office of the province it was for. */
function mayRead(viewer: Principal, stored: Pick<StoredImport, 'importer' | 'province_code'>): boolean {
  if (viewer.role === 'admin' && viewer.jurisdiction === 'VN') return true;
  if (viewer.sub === stored.importer.sub) return true;
  return (
    viewer.role === 'provincial_office' && stored.province_code !== null && viewer.jurisdiction === stored.province_code
  );
}
