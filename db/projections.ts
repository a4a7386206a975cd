import { nextDeadline, type CaseState } from '../domain';
import type { TransactionSql, Sql } from './index';

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

/** Writes a case's row in the append's transaction: the first event inserts it, later ones replace it. */
export async function upsertCaseRow(
  tx: TransactionSql,
  input: { productId: string; version: number; state: CaseState; occurredAt: string },
): Promise<void> {
  const row = caseRow({ ...input, registeredAt: input.occurredAt, updatedAt: input.occurredAt });
  const values = { ...row, summary: tx.json(row.summary as Parameters<typeof tx.json>[0]) };
  await tx`
    INSERT INTO cases ${tx(values)}
    ON CONFLICT (product_id) DO UPDATE SET ${tx(values, Object.keys(values).filter((k) => k !== 'product_id' && k !== 'registered_at') as (keyof typeof values)[])}`;
}

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

interface StoredCaseRow extends Omit<CaseRow, 'next_deadline_at' | 'registered_at' | 'updated_at'> {
  next_deadline_at: Date | null;
  registered_at: Date;
  updated_at: Date;
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
