import { evolve, nextDeadline, type CaseState, type DomainEvent } from '../domain';
import type { StoredEvent } from './event-store';
import type { Sql, TransactionSql } from './index';
import { canonicalJson } from './canonical';

/*
 * The read models: `cases`, `certificates` and `counts`. Every row is a pure function of one stream's events, folded
 * with the domain's `evolve`; the append path folds only the new events onto the stored rows, the rebuild folds
 * whole streams, and both end in the same row functions, so a rebuild reproduces the live tables exactly.
 */

/** The part of a stored event the read models read. */
export type ProjectedEvent = Pick<StoredEvent, 'streamPosition' | 'type' | 'data' | 'occurredAt'>;

// ------------------------------------------------------------------------------------------------------- cases

/** One row of the `cases` read model, derived from a case's state alone so a rebuild reproduces it exactly. */
export interface CaseRow {
  product_id: string;
  version: number;
  stage: string;
  star: number | null;
  product_name: string | null;
  product_set_code: string | null;
  subject_id: string | null;
  subject_name: string | null;
  province_code: string | null;
  commune_code: string | null;
  rule_set_id: string;
  certificate_number: string | null;
  certificate_expiry: string | null;
  next_deadline_kind: string | null;
  next_deadline_at: string | null;
  registered_at: string;
  updated_at: string;
  summary: unknown;
}

export function caseRow(input: {
  productId: string;
  version: number;
  state: CaseState;
  registeredAt: string;
  updatedAt: string;
}): CaseRow {
  const { state } = input;
  if (state.status === 'none') throw new Error(`case ${input.productId} has no events to project`);
  const deadline = nextDeadline(state);
  const certificate = state.certificate;
  return {
    product_id: input.productId,
    version: input.version,
    stage: state.status,
    star: certificate?.star ?? null,
    product_name: state.productName,
    product_set_code: state.productSetCode,
    subject_id: state.subjectId,
    subject_name: state.subjectName,
    province_code: state.places.provinceCode,
    commune_code: state.places.communeCode,
    rule_set_id: state.ruleSetId,
    certificate_number: certificate?.number ?? null,
    certificate_expiry: certificate?.expiresOn ?? null,
    next_deadline_kind: deadline?.kind ?? null,
    next_deadline_at: deadline?.due ?? null,
    registered_at: input.registeredAt,
    updated_at: input.updatedAt,
    summary: state,
  };
}

// ------------------------------------------------------------------------------------------------ certificates

export type CertificateStatus = 'valid' | 'expired' | 'revoked' | 'replaced';

/** One row of the `certificates` read model: a certificate the case has held, keyed by its term. */
export interface CertificateRow {
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
  updated_at: string;
}

/** Folds one event into a case's certificate rows; events that concern no certificate return the rows as they are. */
export function evolveCertificates(
  rows: readonly CertificateRow[],
  productId: string,
  event: DomainEvent,
  occurredAt: string,
): readonly CertificateRow[] {
  const end = (number: string, patch: Partial<CertificateRow>) =>
    rows.map((r) =>
      r.status === 'valid' && r.certificate_number === number ? { ...r, ...patch, updated_at: occurredAt } : r,
    );
  switch (event.type) {
    case 'CertificateIssued':
    case 'CertifiedProductImported': {
      const imported = event.type === 'CertifiedProductImported';
      const c = event.type === 'CertificateIssued' ? event.data : event.data.certificate;
      // A case holds one valid certificate: a new one replaces whichever is still valid.
      const kept = rows
        .filter((r) => r.term_no !== c.termNo)
        .map((r) =>
          r.status === 'valid'
            ? {
                ...r,
                status: 'replaced' as const,
                ended_on: c.issuedOn,
                replaced_by: c.certificateNumber,
                updated_at: occurredAt,
              }
            : r,
        );
      return [
        ...kept,
        {
          product_id: productId,
          term_no: c.termNo,
          certificate_number: c.certificateNumber,
          star: c.star,
          level: c.level,
          rule_set_id: c.ruleSetId,
          issued_on: c.issuedOn,
          expires_on: c.expiresOn,
          extended_until: null,
          status: 'valid',
          ended_on: null,
          replaced_by: null,
          imported,
          updated_at: occurredAt,
        },
      ];
    }
    case 'CertificateExtended':
      return end(event.data.certificateNumber, { extended_until: event.data.extendedUntil });
    case 'CertificateExpired':
      return end(event.data.certificateNumber, { status: 'expired', ended_on: event.data.endedOn });
    case 'CertificateRevoked':
      return end(event.data.certificateNumber, { status: 'revoked', ended_on: event.data.revokedOn });
    default:
      return rows;
  }
}

// ------------------------------------------------------------------------------------------------------ counts

/** One row of the `counts` read model without its count: what one case or one certificate adds 1 to. */
export interface CountKey {
  kind: 'case' | 'certificate';
  province_code: string;
  commune_code: string;
  product_set_code: string;
  status: string;
  star: number;
  year: number;
}
export interface CountRow extends CountKey {
  n: number;
}

const COUNT_KEY_COLUMNS = [
  'kind',
  'province_code',
  'commune_code',
  'product_set_code',
  'status',
  'star',
  'year',
] as const satisfies readonly (keyof CountKey)[];

/** What a case contributes to `counts`: itself under its stage, and each of its certificates under its status. */
export function countKeys(state: CaseState, certificates: readonly CertificateRow[]): CountKey[] {
  if (state.status === 'none') return [];
  const where = {
    province_code: state.places.provinceCode,
    commune_code: state.places.communeCode,
    product_set_code: state.productSetCode,
  };
  return [
    {
      kind: 'case',
      ...where,
      status: state.status,
      star: state.certificate?.star ?? 0,
      year: Number(state.registeredOn.slice(0, 4)),
    },
    ...certificates.map((c): CountKey => ({
      kind: 'certificate',
      ...where,
      status: c.status,
      star: c.star,
      year: Number(c.issued_on.slice(0, 4)),
    })),
  ];
}

function countKeyString(k: CountKey): string {
  return JSON.stringify(COUNT_KEY_COLUMNS.map((c) => k[c]));
}

function countKeyOf(s: string): CountKey {
  const [kind, province_code, commune_code, product_set_code, status, star, year] = JSON.parse(s) as [
    CountKey['kind'],
    string,
    string,
    string,
    string,
    number,
    number,
  ];
  return { kind, province_code, commune_code, product_set_code, status, star, year };
}

// ---------------------------------------------------------------------------------------------- the case fold

/** Everything the read models hold about one case, as a fold over its stream. */
export interface CaseProjection {
  productId: string;
  version: number;
  state: CaseState;
  registeredAt: string | null;
  updatedAt: string | null;
  certificates: readonly CertificateRow[];
}

export function emptyProjection(productId: string): CaseProjection {
  return { productId, version: 0, state: { status: 'none' }, registeredAt: null, updatedAt: null, certificates: [] };
}

export function applyEvent(p: CaseProjection, event: ProjectedEvent): CaseProjection {
  const domainEvent = { type: event.type, data: event.data } as DomainEvent;
  return {
    productId: p.productId,
    version: event.streamPosition,
    state: evolve(p.state, domainEvent),
    registeredAt: p.registeredAt ?? event.occurredAt,
    updatedAt: event.occurredAt,
    certificates: evolveCertificates(p.certificates, p.productId, domainEvent, event.occurredAt),
  };
}

/**
 * True when the fold is a product case: its first event opened the case under the stream's own product id. Other
 * streams (tests, tools) have no read-model rows, live or rebuilt.
 */
export function isCaseProjection(p: CaseProjection): boolean {
  return p.state.status !== 'none' && p.state.productId === p.productId;
}

export function caseRowOf(p: CaseProjection): CaseRow {
  return caseRow({
    productId: p.productId,
    version: p.version,
    state: p.state,
    registeredAt: p.registeredAt ?? '',
    updatedAt: p.updatedAt ?? '',
  });
}

// ------------------------------------------------------------------------------------------- the append path

interface StoredCaseRow extends Omit<CaseRow, 'next_deadline_at' | 'registered_at' | 'updated_at'> {
  next_deadline_at: Date | null;
  registered_at: Date;
  updated_at: Date;
}
interface StoredCertificateRow extends Omit<CertificateRow, 'updated_at'> {
  updated_at: Date;
}

function fromStoredCertificate(row: StoredCertificateRow): CertificateRow {
  return { ...row, updated_at: row.updated_at.toISOString() };
}

/** The projection of a case as the read models hold it now, within the append's transaction. */
async function loadProjection(tx: TransactionSql, productId: string): Promise<CaseProjection> {
  const [row] = await tx<Pick<StoredCaseRow, 'version' | 'registered_at' | 'updated_at' | 'summary'>[]>`
    SELECT version, registered_at, updated_at, summary FROM cases WHERE product_id = ${productId}`;
  if (!row) return emptyProjection(productId);
  const certificates = await tx<StoredCertificateRow[]>`
    SELECT * FROM certificates WHERE product_id = ${productId} ORDER BY term_no`;
  return {
    productId,
    version: row.version,
    state: row.summary as CaseState,
    registeredAt: row.registered_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    certificates: certificates.map(fromStoredCertificate),
  };
}

async function foldStream(tx: TransactionSql, productId: string, upTo: number): Promise<CaseProjection> {
  const events = await tx<{ stream_position: number; type: string; data: unknown; occurred_at: Date }[]>`
    SELECT stream_position, type, data, occurred_at FROM events
    WHERE stream_id = ${productId} AND stream_position <= ${upTo} ORDER BY stream_position`;
  let p = emptyProjection(productId);
  for (const e of events) {
    p = applyEvent(p, {
      streamPosition: e.stream_position,
      type: e.type,
      data: e.data,
      occurredAt: e.occurred_at.toISOString(),
    });
  }
  return p;
}

function jsonCaseRow(tx: TransactionSql, row: CaseRow) {
  return { ...row, summary: tx.json(row.summary as Parameters<typeof tx.json>[0]) };
}

/**
 * Brings every read model up to date with events just appended, inside the append's transaction: the case's stored
 * rows are folded forward with the new events (or, if they lag behind the stream, the stream is folded from its
 * start), the changed rows are written, and the counts move by the difference between what the stored rows and the
 * new rows contribute, so `counts` always equals the GROUP BY of the rows present. Returns the case's state.
 */
export async function projectAppend(
  tx: TransactionSql,
  productId: string,
  appended: readonly ProjectedEvent[],
): Promise<CaseState> {
  const stored = await loadProjection(tx, productId);
  const first = appended[0];
  if (!first) return stored.state;
  const base =
    stored.version === first.streamPosition - 1 ? stored : await foldStream(tx, productId, first.streamPosition - 1);
  let after = base;
  for (const event of appended) after = applyEvent(after, event);
  if (!isCaseProjection(after)) return after.state;
  const before = stored;

  const values = jsonCaseRow(tx, caseRowOf(after));
  const updated = (Object.keys(values) as (keyof typeof values)[]).filter((k) => k !== 'product_id');
  await tx`INSERT INTO cases ${tx(values)} ON CONFLICT (product_id) DO UPDATE SET ${tx(values, updated)}`;

  const old = new Map(before.certificates.map((c) => [c.term_no, canonicalJson(c)]));
  const changed = after.certificates.filter((c) => old.get(c.term_no) !== canonicalJson(c));
  if (changed.length > 0) {
    const columns = Object.keys(changed[0]!).filter(
      (k) => k !== 'product_id' && k !== 'term_no',
    ) as (keyof CertificateRow)[];
    await tx`INSERT INTO certificates ${tx(changed)}
      ON CONFLICT (product_id, term_no) DO UPDATE SET ${tx.unsafe(columns.map((c) => `${c} = EXCLUDED.${c}`).join(', '))}`;
  }

  const delta = new Map<string, number>();
  const add = (keys: CountKey[], by: number) => {
    for (const k of keys) delta.set(countKeyString(k), (delta.get(countKeyString(k)) ?? 0) + by);
  };
  if (isCaseProjection(before)) add(countKeys(before.state, before.certificates), -1);
  add(countKeys(after.state, after.certificates), +1);
  // A fixed order of row locks, so two appends touching the same counters cannot deadlock.
  const rows = [...delta]
    .filter(([, n]) => n !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, n]): CountRow => ({ ...countKeyOf(k), n }));
  if (rows.length > 0) {
    const result = await tx<CountRow[]>`
      INSERT INTO counts ${tx(rows)}
      ON CONFLICT (kind, province_code, commune_code, product_set_code, status, star, year)
      DO UPDATE SET n = counts.n + EXCLUDED.n
      RETURNING *`;
    const negative = result.find((r) => r.n < 0);
    if (negative) {
      throw new Error(`counts went negative for ${countKeyString(negative)}: run \`ocop projections rebuild\``);
    }
    const emptied = result.filter((r) => r.n === 0);
    for (const r of emptied) {
      await tx`DELETE FROM counts WHERE kind = ${r.kind} AND province_code = ${r.province_code}
        AND commune_code = ${r.commune_code} AND product_set_code = ${r.product_set_code}
        AND status = ${r.status} AND star = ${r.star} AND year = ${r.year} AND n = 0`;
    }
  }
  return after.state;
}

// ---------------------------------------------------------------------------------------------------- rebuild

export interface RebuildProgress {
  events: number;
  totalEvents: number;
  streams: number;
}

export interface RebuildOptions {
  /** Events read per query. @default 5000 */
  batchSize?: number;
  /** Called after every batch. */
  onProgress?: (progress: RebuildProgress) => void;
}

export interface RebuildResult {
  events: number;
  /** Streams folded into case rows. */
  cases: number;
  certificates: number;
  countRows: number;
  /** Streams that are not product cases (no rows live, none rebuilt). */
  skippedStreams: number;
  seconds: number;
  eventsPerSecond: number;
}

const WRITE_BATCH = 500;

/**
 * Replays the whole event store into fresh read models, in one transaction: the tables are locked against the
 * append path (commands wait, none fail), emptied, and refilled from a fold of every stream in stream order. The
 * result is row for row what the append path would have written.
 */
export async function rebuildProjections(sql: Sql, options: RebuildOptions = {}): Promise<RebuildResult> {
  const batchSize = options.batchSize ?? 5000;
  const started = performance.now();
  return sql.begin(async (tx) => {
    await tx`LOCK TABLE cases, certificates, counts IN EXCLUSIVE MODE`;
    const [{ total } = { total: '0' }] = await tx<{ total: string }[]>`SELECT count(*) AS total FROM events`;
    const totalEvents = Number(total);
    await tx`DELETE FROM counts`;
    await tx`DELETE FROM certificates`;
    await tx`DELETE FROM cases`;

    const counts = new Map<string, number>();
    let caseRows: ReturnType<typeof jsonCaseRow>[] = [];
    let certificateRows: CertificateRow[] = [];
    let events = 0;
    let cases = 0;
    let certificates = 0;
    let skippedStreams = 0;
    let streams = 0;

    const flush = async (force: boolean) => {
      if (caseRows.length >= WRITE_BATCH || (force && caseRows.length > 0)) {
        await tx`INSERT INTO cases ${tx(caseRows)}`;
        caseRows = [];
      }
      if (certificateRows.length >= WRITE_BATCH || (force && certificateRows.length > 0)) {
        await tx`INSERT INTO certificates ${tx(certificateRows)}`;
        certificateRows = [];
      }
    };
    let current: CaseProjection | null = null;
    let rejected = false;
    const close = () => {
      if (!current) return;
      streams += 1;
      if (rejected || !isCaseProjection(current)) {
        skippedStreams += 1;
        return;
      }
      cases += 1;
      certificates += current.certificates.length;
      caseRows.push(jsonCaseRow(tx, caseRowOf(current)));
      certificateRows.push(...current.certificates);
      for (const k of countKeys(current.state, current.certificates)) {
        const key = countKeyString(k);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    };

    type Batch = { stream_id: string; stream_position: number; type: string; data: unknown; occurred_at: Date }[];
    const read = (after: { stream_id: string; stream_position: number } | null): Promise<Batch> =>
      after
        ? tx<Batch>`
            SELECT stream_id, stream_position, type, data, occurred_at FROM events
            WHERE (stream_id, stream_position) > (${after.stream_id}, ${after.stream_position})
            ORDER BY stream_id, stream_position LIMIT ${batchSize}`
        : tx<Batch>`
            SELECT stream_id, stream_position, type, data, occurred_at FROM events
            ORDER BY stream_id, stream_position LIMIT ${batchSize}`;
    // The next batch is read while this one is folded: the database and the fold overlap.
    let pending: Promise<Batch> | null = read(null);
    while (pending) {
      const batch: Batch = await pending;
      const last = batch[batch.length - 1];
      pending = last && batch.length === batchSize ? read(last) : null;
      // Should the fold fail first, its error is the one reported, not this read's.
      pending?.catch(() => undefined);
      for (const e of batch) {
        if (current?.productId !== e.stream_id) {
          close();
          current = emptyProjection(e.stream_id);
          rejected = false;
        }
        if (rejected) continue;
        current = applyEvent(current, {
          streamPosition: e.stream_position,
          type: e.type,
          data: e.data,
          occurredAt: e.occurred_at.toISOString(),
        });
        // A stream whose first event does not open this product's case is not a case: stop folding it.
        if (!isCaseProjection(current)) rejected = true;
      }
      events += batch.length;
      await flush(false);
      options.onProgress?.({ events, totalEvents, streams });
    }
    close();
    await flush(true);

    const countRows = [...counts].map(([k, n]): CountRow => ({ ...countKeyOf(k), n }));
    for (let i = 0; i < countRows.length; i += WRITE_BATCH) {
      await tx`INSERT INTO counts ${tx(countRows.slice(i, i + WRITE_BATCH))}`;
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      events,
      cases,
      certificates,
      countRows: countRows.length,
      skippedStreams,
      seconds,
      eventsPerSecond: seconds > 0 ? Math.round(events / seconds) : events,
    };
  });
}

// ------------------------------------------------------------------------------------------------------ reads

export interface CaseView {
  productId: string;
  version: number;
  stage: string;
  star: number | null;
  productName: string | null;
  productSetCode: string | null;
  subjectId: string | null;
  subjectName: string | null;
  provinceCode: string | null;
  communeCode: string | null;
  ruleSetId: string;
  certificateNumber: string | null;
  certificateExpiry: string | null;
  nextDeadline: { kind: string; due: string } | null;
  registeredAt: string;
  updatedAt: string;
}

export function toCaseView(row: StoredCaseRow): CaseView {
  return {
    productId: row.product_id,
    version: row.version,
    stage: row.stage,
    star: row.star,
    productName: row.product_name,
    productSetCode: row.product_set_code,
    subjectId: row.subject_id,
    subjectName: row.subject_name,
    provinceCode: row.province_code,
    communeCode: row.commune_code,
    ruleSetId: row.rule_set_id,
    certificateNumber: row.certificate_number,
    certificateExpiry: row.certificate_expiry,
    nextDeadline:
      row.next_deadline_kind && row.next_deadline_at
        ? { kind: row.next_deadline_kind, due: row.next_deadline_at.toISOString() }
        : null,
    registeredAt: row.registered_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function getCase(sql: Sql, productId: string): Promise<CaseView | null> {
  const [row] = await sql<StoredCaseRow[]>`SELECT * FROM cases WHERE product_id = ${productId}`;
  return row ? toCaseView(row) : null;
}

/** Every certificate a case has held, oldest term first. */
export async function getCertificates(sql: Sql, productId: string): Promise<CertificateRow[]> {
  const rows = await sql<StoredCertificateRow[]>`
    SELECT * FROM certificates WHERE product_id = ${productId} ORDER BY term_no`;
  return rows.map(fromStoredCertificate);
}

export interface CountsFilter {
  kind: CountKey['kind'];
  provinceCode?: string;
  communeCode?: string;
  status?: string;
  year?: number;
}

/** Counts summed over whatever the filter leaves open, grouped by province, star and status. */
export async function countsBy(
  sql: Sql,
  filter: CountsFilter,
): Promise<{ provinceCode: string; status: string; star: number; n: number }[]> {
  const rows = await sql<{ province_code: string; status: string; star: number; n: string }[]>`
    SELECT province_code, status, star, sum(n) AS n FROM counts
    WHERE kind = ${filter.kind}
      ${filter.provinceCode ? sql`AND province_code = ${filter.provinceCode}` : sql``}
      ${filter.communeCode ? sql`AND commune_code = ${filter.communeCode}` : sql``}
      ${filter.status ? sql`AND status = ${filter.status}` : sql``}
      ${filter.year ? sql`AND year = ${filter.year}` : sql``}
    GROUP BY province_code, status, star ORDER BY province_code, status, star`;
  return rows.map((r) => ({ provinceCode: r.province_code, status: r.status, star: r.star, n: Number(r.n) }));
}
