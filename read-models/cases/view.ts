import { z } from 'zod';
import { pendingDeadlines, type CaseState } from '../../domain';
import type { StoredCaseRow } from './row';

/*
 * The case as the API shows it: defined once, as the schemas the OpenAPI document is generated from; the types are
 * theirs, and the functions below turn a stored row into them.
 */

/** The product a case or certificate is about, who makes it and where: the fields both views show. */
export const productFields = {
  productName: z.string().nullable(),
  productSetCode: z.string().nullable(),
  subjectId: z.string().nullable(),
  subjectName: z.string().nullable(),
  provinceCode: z.string().nullable(),
  communeCode: z.string().nullable(),
};

export const caseViewSchema = z.object({
  productId: z.string(),
  version: z.number().int(),
  stage: z.string(),
  star: z.number().int().nullable(),
  ...productFields,
  ruleSetId: z.string(),
  certificateNumber: z.string().nullable(),
  certificateExpiry: z.string().nullable(),
  nextDeadline: z.object({ kind: z.string(), due: z.string() }).nullable(),
  registeredAt: z.string(),
  updatedAt: z.string(),
});
export type CaseView = z.infer<typeof caseViewSchema>;

export const caseDetailSchema = caseViewSchema.extend({
  /** Every pending time limit, earliest first: its kind, the local date (Vietnam) and the instant it falls due. */
  deadlines: z.array(z.object({ kind: z.string(), date: z.string(), due: z.string() })),
  /** A commune check, decision or revocation deadline has passed. */
  overdue: z.boolean(),
  /** The subject's legal form, sales channels and value-chain link as last stated (null: never stated). */
  subjectFacts: z
    .object({
      legalForm: z.string(),
      sme: z.boolean().optional(),
      salesChannels: z.array(z.string()).optional(),
      valueChainLinked: z.boolean().optional(),
      linkedHouseholds: z.number().int().optional(),
    })
    .nullable(),
});
export type CaseDetail = z.infer<typeof caseDetailSchema>;

/** The columns a list of cases reads: all but the state. */
export const CASE_VIEW_COLUMNS = [
  'product_id',
  'version',
  'stage',
  'star',
  'product_name',
  'product_set_code',
  'subject_id',
  'subject_name',
  'province_code',
  'commune_code',
  'rule_set_id',
  'certificate_number',
  'certificate_expiry',
  'next_deadline_kind',
  'next_deadline_at',
  'registered_at',
  'updated_at',
] as const satisfies readonly (keyof StoredCaseRow)[];

export type CaseViewRow = Pick<StoredCaseRow, (typeof CASE_VIEW_COLUMNS)[number]>;

export function toCaseView(row: CaseViewRow): CaseView {
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

export function toCaseDetail(row: CaseViewRow & Pick<StoredCaseRow, 'overdue' | 'summary'>): CaseDetail {
  return {
    ...toCaseView(row),
    deadlines: pendingDeadlines(row.summary as CaseState).map((d) => ({ kind: d.kind, date: d.date, due: d.due })),
    overdue: row.overdue,
    subjectFacts: (row.summary as { subjectFacts?: CaseDetail['subjectFacts'] }).subjectFacts ?? null,
  };
}
