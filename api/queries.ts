import type postgres from 'postgres';
import type { Sql } from '../db';
import { toCaseView, type CaseView } from '../db/projections';
import { pendingDeadlines, type CaseState } from '../domain';
import { officesForProvince, provincesServedBy, rehomingFor } from '../domain/places';
import type { Principal } from './auth';
import { productIdSchema } from './schemas';

/*
 * The API's read side: every query over the read models (`cases`) and the event store (`events`). The caller's
 * jurisdiction is always a WHERE clause, never a filter applied after fetching, so a page is full and a count is
 * the caller's own.
 */

type Fragment = postgres.PendingQuery<postgres.Row[]>;
type StoredCaseRow = Parameters<typeof toCaseView>[0];

function and(sql: Sql, conditions: Fragment[]): Fragment {
  return conditions.reduce((acc, c) => sql`${acc} AND ${c}`, sql`TRUE`);
}

/** The cases a user may see, as a condition on `cases`; mirrors `canSee` in access.ts. */
export function scopeCondition(sql: Sql, user: Principal): Fragment {
  switch (user.role) {
    case 'admin':
    case 'ministry':
      return sql`TRUE`;
    case 'auditor':
      return user.jurisdiction === 'VN'
        ? sql`TRUE`
        : sql`(province_code IN ${sql(provincesServedBy(user.jurisdiction))} OR commune_code = ${user.jurisdiction})`;
    case 'provincial_office':
    case 'council_member':
      return sql`province_code IN ${sql(provincesServedBy(user.jurisdiction))}`;
    case 'commune_officer':
      return sql`commune_code = ${user.jurisdiction}`;
    case 'subject':
      return sql`subject_id = ${user.sub}`;
  }
}

export interface CaseDeadline {
  kind: string;
  /** The local date (Vietnam) the deadline refers to. */
  date: string;
  /** The instant it falls due (ISO UTC). */
  due: string;
}

export interface CaseDetail extends CaseView {
  /** Every pending time limit of the case, earliest first. */
  deadlines: CaseDeadline[];
  overdue: boolean;
}

function toDetail(row: StoredCaseRow): CaseDetail {
  const state = row.summary as CaseState;
  const e = state.status !== 'none' && 'evaluation' in state ? state.evaluation : null;
  const revocation = state.status !== 'none' ? state.revocation : null;
  return {
    ...toCaseView(row),
    deadlines: pendingDeadlines(state).map((d) => ({ kind: d.kind, date: d.date, due: d.due })),
    overdue: Boolean(e?.communeOverdue || e?.decisionOverdue || revocation?.overdue),
  };
}

export async function getCaseDetail(sql: Sql, productId: string): Promise<CaseDetail | null> {
  const [row] = await sql<StoredCaseRow[]>`SELECT * FROM cases WHERE product_id = ${productId}`;
  return row ? toDetail(row) : null;
}

export interface CaseFilters {
  province?: string | undefined;
  commune?: string | undefined;
  stage?: string[] | undefined;
  star?: number | undefined;
  productSet?: string | undefined;
  /** Year of registration, in Vietnam's time zone. */
  year?: number | undefined;
  /** Certificates that expire before this date (exclusive). */
  expiringBefore?: string | undefined;
  overdue?: boolean | undefined;
}

const OVERDUE = `(
  coalesce((summary->'evaluation'->>'communeOverdue')::boolean, false)
  OR coalesce((summary->'evaluation'->>'decisionOverdue')::boolean, false)
  OR coalesce((summary->'revocation'->>'overdue')::boolean, false))`;

function filterConditions(sql: Sql, f: CaseFilters): Fragment[] {
  const c: Fragment[] = [];
  if (f.province) c.push(sql`province_code = ${f.province}`);
  if (f.commune) c.push(sql`commune_code = ${f.commune}`);
  if (f.stage && f.stage.length > 0) c.push(sql`stage IN ${sql(f.stage)}`);
  if (f.star != null) c.push(sql`star = ${f.star}`);
  if (f.productSet) c.push(sql`product_set_code = ${f.productSet}`);
  if (f.year != null) {
    // A range on registered_at (not EXTRACT) so the condition can use an index.
    c.push(sql`registered_at >= ${`${f.year}-01-01T00:00:00+07:00`}::timestamptz`);
    c.push(sql`registered_at < ${`${f.year + 1}-01-01T00:00:00+07:00`}::timestamptz`);
  }
  if (f.expiringBefore) c.push(sql`certificate_expiry < ${f.expiringBefore}::date`);
  if (f.overdue != null) c.push(f.overdue ? sql.unsafe(OVERDUE) : sql.unsafe(`NOT ${OVERDUE}`));
  return c;
}

/** A position in a list ordered by (updated_at, product_id), newest first; opaque to clients. */
export interface Cursor {
  at: string;
  id: string;
  /** For certificates: the term, which orders a case's certificates. */
  term?: number;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c.term === undefined ? [c.at, c.id] : [c.at, c.id, c.term])).toString('base64url');
}

/** An instant as `toISOString` writes it, in the years a record can carry. */
const CURSOR_INSTANT = /^(19|2\d)\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const sameInstant = (at: string): boolean => {
  const t = Date.parse(at);
  return !Number.isNaN(t) && new Date(t).toISOString() === at;
};

/**
 * The cursor, or null when it is not one this API wrote: an instant of the form and years the API writes, a product
 * id of the API's alphabet and a certificate term within PostgreSQL's integer, so that no cursor can make the
 * query fail.
 */
export function decodeCursor(s: string): Cursor | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length < 2 || parsed.length > 3) return null;
    const [at, id, term] = parsed as unknown[];
    if (typeof at !== 'string' || !CURSOR_INSTANT.test(at) || !sameInstant(at)) return null;
    if (typeof id !== 'string' || !productIdSchema.safeParse(id).success) return null;
    if (term === undefined) return { at, id };
    return Number.isInteger(term) && (term as number) >= 0 && (term as number) <= 2 ** 31 - 1
      ? { at, id, term: term as number }
      : null;
  } catch {
    return null;
  }
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export async function listCases(
  sql: Sql,
  user: Principal,
  filters: CaseFilters,
  page: { cursor?: Cursor | undefined; limit: number },
): Promise<Page<CaseView>> {
  const conditions = [scopeCondition(sql, user), ...filterConditions(sql, filters)];
  if (page.cursor) {
    conditions.push(sql`(updated_at, product_id) < (${page.cursor.at}::timestamptz, ${page.cursor.id})`);
  }
  const rows = await sql<StoredCaseRow[]>`
    SELECT product_id, version, stage, star, product_name, product_set_code, subject_id, subject_name,
           province_code, commune_code, rule_set_id, certificate_number, certificate_expiry,
           next_deadline_kind, next_deadline_at, registered_at, updated_at, NULL AS summary
    FROM cases
    WHERE ${and(sql, conditions)}
    ORDER BY updated_at DESC, product_id DESC
    LIMIT ${page.limit + 1}`;
  const items = rows.slice(0, page.limit).map(toCaseView);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > page.limit && last ? encodeCursor({ at: last.updatedAt, id: last.productId }) : null,
  };
}

export interface HistoryEntry {
  position: number;
  type: string;
  data: unknown;
  actor: { userId: string; role: string; office: string };
  commandId: string;
  occurredAt: string;
  recordedAt: string;
  ruleSetId: string;
}

/**
 * Positions of the council sheets (`CouncilScoresSubmitted`) of councils still scoring: convened, and no result
 * recorded after. They are confidential to their member and the offices (api/access.ts).
 */
export async function openCouncilSheets(sql: Sql, productId: string): Promise<Set<number>> {
  const rows = await sql<{ stream_position: number; type: string }[]>`
    SELECT stream_position, type FROM events
    WHERE stream_id = ${productId}
      AND type IN ('CouncilConvened', 'CouncilScoresSubmitted', 'CouncilResultRecorded')
    ORDER BY stream_position`;
  const open = new Set<number>();
  let sheets: number[] = [];
  for (const row of rows) {
    if (row.type === 'CouncilScoresSubmitted') {
      sheets.push(row.stream_position);
      continue;
    }
    // A council convened again before it recorded a result (the dossier withdrawn and filed anew) stays confidential.
    if (row.type === 'CouncilConvened') for (const p of sheets) open.add(p);
    sheets = [];
  }
  for (const p of sheets) open.add(p);
  return open;
}

/** A case's events in order, from the event store. */
export async function caseHistory(
  sql: Sql,
  productId: string,
  page: { after: number; limit: number },
): Promise<{ items: HistoryEntry[]; nextAfter: number | null }> {
  const rows = await sql<
    {
      stream_position: number;
      type: string;
      data: unknown;
      actor_user: string;
      actor_role: string;
      actor_office: string;
      command_id: string;
      occurred_at: Date;
      recorded_at: Date;
      rule_set_id: string;
    }[]
  >`
    SELECT stream_position, type, data, actor_user, actor_role, actor_office, command_id, occurred_at, recorded_at,
           rule_set_id
    FROM events
    WHERE stream_id = ${productId} AND stream_position > ${page.after}
    ORDER BY stream_position
    LIMIT ${page.limit + 1}`;
  const items = rows.slice(0, page.limit).map((r) => ({
    position: r.stream_position,
    type: r.type,
    data: r.data,
    actor: { userId: r.actor_user, role: r.actor_role, office: r.actor_office },
    commandId: r.command_id,
    occurredAt: r.occurred_at.toISOString(),
    recordedAt: r.recorded_at.toISOString(),
    ruleSetId: r.rule_set_id,
  }));
  const last = items[items.length - 1];
  return { items, nextAfter: rows.length > page.limit && last ? last.position : null };
}

export const CERTIFICATE_STATUSES = ['valid', 'expired', 'revoked', 'replaced'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

/** One certificate (giấy chứng nhận) a case has held, from the `certificates` read model. */
export interface CertificateView {
  certificateNumber: string;
  productId: string;
  /** The case's certificate term this certificate opened. */
  termNo: number;
  star: number;
  level: string;
  ruleSetId: string;
  issuedOn: string;
  expiresOn: string;
  extendedUntil: string | null;
  status: CertificateStatus;
  endedOn: string | null;
  replacedBy: string | null;
  imported: boolean;
  productName: string | null;
  productSetCode: string | null;
  subjectId: string | null;
  subjectName: string | null;
  provinceCode: string | null;
  communeCode: string | null;
  updatedAt: string;
}

export interface CertificateFilters {
  province?: string | undefined;
  commune?: string | undefined;
  star?: number | undefined;
  productSet?: string | undefined;
  /** Year of issue. */
  year?: number | undefined;
  expiringBefore?: string | undefined;
  /** Default: valid only. */
  status?: string[] | undefined;
}

/** Certificates of the cases the caller may see, newest change first; by default those in force. */
export async function listCertificates(
  sql: Sql,
  user: Principal,
  f: CertificateFilters,
  page: { cursor?: Cursor | undefined; limit: number },
): Promise<Page<CertificateView>> {
  const c: Fragment[] = [scopeCondition(sql, user), sql`c.status IN ${sql(f.status?.length ? f.status : ['valid'])}`];
  if (f.province) c.push(sql`k.province_code = ${f.province}`);
  if (f.commune) c.push(sql`k.commune_code = ${f.commune}`);
  if (f.star != null) c.push(sql`c.star = ${f.star}`);
  if (f.productSet) c.push(sql`k.product_set_code = ${f.productSet}`);
  if (f.year != null)
    c.push(sql`c.issued_on >= ${`${f.year}-01-01`}::date AND c.issued_on < ${`${f.year + 1}-01-01`}::date`);
  if (f.expiringBefore) c.push(sql`c.expires_on < ${f.expiringBefore}::date`);
  if (page.cursor) {
    c.push(
      sql`(c.updated_at, c.product_id, c.term_no) < (${page.cursor.at}::timestamptz, ${page.cursor.id}, ${page.cursor.term ?? 0})`,
    );
  }
  const rows = await sql<
    {
      product_id: string;
      term_no: number;
      certificate_number: string;
      star: number;
      level: string;
      rule_set_id: string;
      issued_on: string;
      expires_on: string;
      extended_until: string | null;
      status: CertificateStatus;
      ended_on: string | null;
      replaced_by: string | null;
      imported: boolean;
      updated_at: Date;
      product_name: string | null;
      product_set_code: string | null;
      subject_id: string | null;
      subject_name: string | null;
      province_code: string | null;
      commune_code: string | null;
    }[]
  >`
    SELECT c.product_id, c.term_no, c.certificate_number, c.star, c.level, c.rule_set_id, c.issued_on, c.expires_on,
           c.extended_until, c.status, c.ended_on, c.replaced_by, c.imported, c.updated_at,
           k.product_name, k.product_set_code, k.subject_id, k.subject_name, k.province_code, k.commune_code
    FROM certificates c JOIN cases k ON k.product_id = c.product_id
    WHERE ${and(sql, c)}
    ORDER BY c.updated_at DESC, c.product_id DESC, c.term_no DESC
    LIMIT ${page.limit + 1}`;
  const items = rows.slice(0, page.limit).map((r) => ({
    certificateNumber: r.certificate_number,
    productId: r.product_id,
    termNo: r.term_no,
    star: r.star,
    level: r.level,
    ruleSetId: r.rule_set_id,
    issuedOn: r.issued_on,
    expiresOn: r.expires_on,
    extendedUntil: r.extended_until,
    status: r.status,
    endedOn: r.ended_on,
    replacedBy: r.replaced_by,
    imported: r.imported,
    productName: r.product_name,
    productSetCode: r.product_set_code,
    subjectId: r.subject_id,
    subjectName: r.subject_name,
    provinceCode: r.province_code,
    communeCode: r.commune_code,
    updatedAt: r.updated_at.toISOString(),
  }));
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      rows.length > page.limit && last
        ? encodeCursor({ at: last.updatedAt, id: last.productId, term: last.termNo })
        : null,
  };
}

export const STATISTICS_DIMENSIONS = [
  'province',
  'district',
  'commune',
  'productSet',
  'status',
  'star',
  'year',
] as const;
export type StatisticsDimension = (typeof STATISTICS_DIMENSIONS)[number];
const DIMENSION_COLUMN: Record<StatisticsDimension, string> = {
  province: 'province_code',
  district: 'district_code',
  commune: 'commune_code',
  productSet: 'product_set_code',
  status: 'status',
  star: 'star',
  year: 'year',
};

/**
 * Which administrative units the counts are keyed by: `current`, the units since 01/07/2025 (a case not yet re-homed
 * counts under its successor); `former`, the places each case was first recorded at (for a case from before the
 * reform, its old province, district and commune, as its history keeps them).
 */
export const STATISTICS_UNITS = ['current', 'former'] as const;
export type StatisticsUnits = (typeof STATISTICS_UNITS)[number];

export interface StatisticsFilters {
  province?: string | undefined;
  district?: string | undefined;
  commune?: string | undefined;
  productSet?: string | undefined;
  /** Stages (cases) or certificate statuses (certificates). */
  status?: string[] | undefined;
  star?: number | undefined;
  year?: number | undefined;
}

export interface Statistics {
  kind: 'case' | 'certificate';
  groupBy: StatisticsDimension;
  units: StatisticsUnits;
  total: number;
  groups: { key: string; count: number }[];
}

/** The current unit a stored place counts under: itself, or its one successor by the 2025 mapping. */
function currentKey(groupBy: StatisticsDimension, provinceCode: string, communeCode: string, key: string): string {
  if (groupBy !== 'province' && groupBy !== 'commune') return key;
  const r = rehomingFor({ provinceCode, communeCode });
  if (r.kind === 'move') return groupBy === 'province' ? r.to.provinceCode : r.to.communeCode;
  if (groupBy === 'province' && r.kind !== 'current') return officesForProvince(provinceCode).at(-1) ?? key;
  return key;
}

/**
 * Counts of cases (status = stage, star = the certificate in force or 0, year = year registered) or of certificates
 * (status = certificate status, year = year issued) in the caller's jurisdiction, grouped by one dimension. Officials
 * read the `counts` read model by current units; a subject's own counts, and counts by former units, are computed
 * from the cases, which keep every case's places and former places.
 */
export async function statistics(
  sql: Sql,
  user: Principal,
  kind: 'case' | 'certificate',
  groupBy: StatisticsDimension,
  f: StatisticsFilters,
  options: { fromCounts?: boolean; units?: StatisticsUnits } = {},
): Promise<Statistics> {
  const units = options.units ?? 'current';
  const fromCounts = units === 'current' && (options.fromCounts ?? user.role !== 'subject');
  // The places a case is counted at: its own, or, by former units, the first it was recorded at.
  const at =
    units === 'former' ? sql`coalesce(k.summary->'formerPlaces'->-1, k.summary->'places')` : sql`k.summary->'places'`;
  const source = fromCounts
    ? sql`(SELECT province_code, commune_code, NULL::text AS district_code, product_set_code, status, star, year, n
           FROM counts WHERE kind = ${kind} AND ${scopeCondition(sql, user)})`
    : kind === 'case'
      ? sql`(SELECT ${at}->>'provinceCode' AS province_code, ${at}->>'communeCode' AS commune_code,
                    ${at}->>'districtCode' AS district_code, product_set_code, stage AS status,
                    coalesce(star, 0) AS star, (summary->>'registeredOn')::date AS registered, 1 AS n
             FROM cases k WHERE ${scopeCondition(sql, user)})`
      : sql`(SELECT ${at}->>'provinceCode' AS province_code, ${at}->>'communeCode' AS commune_code,
                    ${at}->>'districtCode' AS district_code, k.product_set_code, c.status, c.star,
                    c.issued_on AS registered, 1 AS n
             FROM certificates c JOIN cases k ON k.product_id = c.product_id WHERE ${scopeCondition(sql, user)})`;
  const from = fromCounts ? source : sql`(SELECT *, extract(year FROM registered)::int AS year FROM ${source} s0)`;
  const c: Fragment[] = [];
  if (f.province) {
    // By current units, a province also counts the cases of the provinces it absorbed that wait to be re-homed.
    c.push(
      units === 'current'
        ? sql`province_code IN ${sql(provincesServedBy(f.province))}`
        : sql`province_code = ${f.province}`,
    );
  }
  if (f.district) c.push(sql`district_code = ${f.district}`);
  if (f.commune) c.push(sql`commune_code = ${f.commune}`);
  if (f.productSet) c.push(sql`product_set_code = ${f.productSet}`);
  if (f.status?.length) c.push(sql`status IN ${sql(f.status)}`);
  if (f.star != null) c.push(sql`star = ${f.star}`);
  if (f.year != null) c.push(sql`year = ${f.year}`);
  const rows = await sql<{ key: string | number | null; province_code: string; commune_code: string; count: string }[]>`
    SELECT ${sql.unsafe(DIMENSION_COLUMN[groupBy])} AS key, province_code, commune_code, sum(n) AS count
    FROM ${from} s
    WHERE ${and(sql, c)}
    GROUP BY 1, 2, 3`;
  const merged = new Map<string, number>();
  for (const r of rows) {
    const raw = r.key === null ? '' : String(r.key);
    const key = units === 'current' ? currentKey(groupBy, r.province_code, r.commune_code, raw) : raw;
    merged.set(key, (merged.get(key) ?? 0) + Number(r.count));
  }
  const groups = [...merged]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { kind, groupBy, units, total: groups.reduce((n, g) => n + g.count, 0), groups };
}

// --------------------------------------------------------------------------------------------- idempotency

/** What is kept under a (caller, Idempotency-Key): the first request's fingerprint and, once definitive, its answer. */
export interface StoredAnswer {
  requestHash: string;
  productId: string;
  /** Null while the request that claimed the key is still running (see migration 007). */
  status: number | null;
  response: unknown;
  /** The pending claim, if any: who holds it, and whether it may be taken over (released, or older than the lease). */
  claim: { id: string; takeable: boolean } | null;
}

export async function findAnswer(
  sql: Sql,
  userId: string,
  key: string,
  leaseSeconds = 30,
): Promise<StoredAnswer | null> {
  const [row] = await sql<
    {
      request_hash: string;
      product_id: string;
      status: number | null;
      response: unknown;
      claim_id: string | null;
      takeable: boolean | null;
    }[]
  >`
    SELECT request_hash, product_id, status, response, claim_id,
           claimed_at < now() - make_interval(secs => ${leaseSeconds}) AS takeable
    FROM api_idempotency
    WHERE user_id = ${userId} AND idempotency_key = ${key}`;
  if (!row) return null;
  return {
    requestHash: row.request_hash,
    productId: row.product_id,
    status: row.status,
    response: row.response,
    claim: row.status === null ? { id: row.claim_id ?? '', takeable: row.takeable ?? true } : null,
  };
}

/**
 * Claims a key for one request: the row holds the request's fingerprint and no answer yet. Returns the claim id, or
 * null when another request holds the key (read it again to learn whether it is the same request).
 */
export async function claimKey(
  sql: Sql,
  userId: string,
  key: string,
  request: { requestHash: string; productId: string },
): Promise<string | null> {
  const [row] = await sql<{ claim_id: string }[]>`
    INSERT INTO api_idempotency (user_id, idempotency_key, request_hash, product_id, claim_id, claimed_at)
    VALUES (${userId}, ${key}, ${request.requestHash}, ${request.productId}, gen_random_uuid(), now())
    ON CONFLICT (user_id, idempotency_key) DO NOTHING
    RETURNING claim_id`;
  return row?.claim_id ?? null;
}

/**
 * Takes over a pending claim that its request released or left behind (older than the lease), for the same request
 * only; null when another request took it first, completed it, or renewed it.
 */
export async function takeOverClaim(
  sql: Sql,
  userId: string,
  key: string,
  from: { claimId: string; requestHash: string },
  leaseSeconds = 30,
): Promise<string | null> {
  const [row] = await sql<{ claim_id: string }[]>`
    UPDATE api_idempotency SET claim_id = gen_random_uuid(), claimed_at = now()
    WHERE user_id = ${userId} AND idempotency_key = ${key} AND status IS NULL
      AND request_hash = ${from.requestHash} AND claim_id = ${from.claimId}
      AND claimed_at < now() - make_interval(secs => ${leaseSeconds})
    RETURNING claim_id`;
  return row?.claim_id ?? null;
}

/**
 * Completes a pending claim with the definitive answer. The first answer stays: returns false when the key was already
 * answered (by a request that took the claim over, with the same command's result).
 */
export async function completeClaim(
  sql: Sql,
  userId: string,
  key: string,
  answer: { status: number; response: unknown },
): Promise<boolean> {
  const rows = await sql`
    UPDATE api_idempotency SET status = ${answer.status}, response = ${sql.json(answer.response as postgres.JSONValue)}
    WHERE user_id = ${userId} AND idempotency_key = ${key} AND status IS NULL
    RETURNING 1`;
  return rows.length > 0;
}

/** Releases a claim whose request ended without a definitive answer, so that a retry of it need not wait the lease. */
export async function releaseClaim(sql: Sql, userId: string, key: string, claimId: string): Promise<void> {
  await sql`
    UPDATE api_idempotency SET claimed_at = '-infinity'
    WHERE user_id = ${userId} AND idempotency_key = ${key} AND status IS NULL AND claim_id = ${claimId}`;
}
