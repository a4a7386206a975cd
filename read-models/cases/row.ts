import { isEvaluating, isOverdue, nextDeadline, type CaseState } from '../../domain';

/**
 * One row of the `cases` read model, derived from a case's state alone so that a rebuild reproduces it exactly.
 * Everything a query filters, groups or sorts by is a column of its own; `summary` (the whole state) is read back
 * only by the fold that continues it and by the case's detail, never by SQL.
 */
export interface CaseRow {
  product_id: string;
  version: number;
  stage: string;
  star: number | null;
  product_name: string | null;
  product_set_code: string | null;
  subject_id: string | null;
  subject_name: string | null;
  /** The subject's facts as last stated (issue 19's plans count them); null when never stated. */
  subject_legal_form: string | null;
  subject_sme: boolean | null;
  sales_channels: string[] | null;
  value_chain_linked: boolean | null;
  province_code: string | null;
  commune_code: string | null;
  /** The district the case's places still name (units before 01/07/2025), or null. */
  district_code: string | null;
  /** The places the case was first recorded at (before any re-homing): what counts by former units read. */
  first_province_code: string;
  first_district_code: string | null;
  first_commune_code: string;
  rule_set_id: string;
  certificate_number: string | null;
  certificate_expiry: string | null;
  /** The day the certificate in force was issued, and its year. */
  certified_on: string | null;
  certified_year: number | null;
  next_deadline_kind: string | null;
  next_deadline_at: string | null;
  /** A commune check, decision or revocation time limit has passed unmet. */
  overdue: boolean;
  /** The provincial round (đợt đánh giá) of the evaluation under way: its year and number (null: by the plan). */
  round_year: number | null;
  round_no: number | null;
  /** The day the case was registered (its idea, or the imported record's own date), and its year. */
  registered_on: string;
  registered_year: number;
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
  const first = state.formerPlaces.at(-1) ?? state.places;
  const round = isEvaluating(state) ? state.evaluation.round : null;
  return {
    product_id: input.productId,
    version: input.version,
    stage: state.status,
    star: certificate?.star ?? null,
    product_name: state.productName,
    product_set_code: state.productSetCode,
    subject_id: state.subjectId,
    subject_name: state.subjectName,
    subject_legal_form: state.subjectFacts?.legalForm ?? null,
    subject_sme: state.subjectFacts ? state.subjectFacts.sme === true : null,
    sales_channels: state.subjectFacts?.salesChannels ?? null,
    value_chain_linked: state.subjectFacts?.valueChainLinked ?? null,
    province_code: state.places.provinceCode,
    commune_code: state.places.communeCode,
    district_code: state.places.districtCode,
    first_province_code: first.provinceCode,
    first_district_code: first.districtCode,
    first_commune_code: first.communeCode,
    rule_set_id: state.ruleSetId,
    certificate_number: certificate?.number ?? null,
    certificate_expiry: certificate?.expiresOn ?? null,
    certified_on: certificate?.issuedOn ?? null,
    certified_year: certificate ? Number(certificate.issuedOn.slice(0, 4)) : null,
    next_deadline_kind: deadline?.kind ?? null,
    next_deadline_at: deadline?.due ?? null,
    overdue: isOverdue(state),
    round_year: round?.year ?? null,
    round_no: round?.round ?? null,
    registered_on: state.registeredOn,
    registered_year: Number(state.registeredOn.slice(0, 4)),
    registered_at: input.registeredAt,
    updated_at: input.updatedAt,
    summary: state,
  };
}

/** A `cases` row as PostgreSQL gives it back: instants as Dates. */
export interface StoredCaseRow extends Omit<CaseRow, 'next_deadline_at' | 'registered_at' | 'updated_at'> {
  next_deadline_at: Date | null;
  registered_at: Date;
  updated_at: Date;
}
