/**
 * Why a command was rejected. One code per condition, so the API can map each to an HTTP status and the workflow
 * to a non-retryable failure type without parsing messages.
 */
export const DomainErrorCode = {
  /** The command does not apply in the case's current stage (giai đoạn). */
  IllegalInStage: 'illegal_in_stage',
  /** The actor's role or jurisdiction may not issue this command for this case. */
  Forbidden: 'forbidden',
  /** The command's data is malformed or contradicts the case (wrong product, star above its band …). */
  Invalid: 'invalid',
  /** A time limit for this step has already passed. */
  DeadlinePassed: 'deadline_passed',
  /** The step's time window has not opened yet (re-rating before T−180). */
  NotYetOpen: 'not_yet_open',
  /** The council's star is higher than the rule-set's score band allows. */
  StarAboveBand: 'star_above_band',
  /** A deadline command ran before its deadline, or with no such deadline pending. */
  NotDue: 'not_due',
  /** The star cannot be recognised at this level or in this kind of evaluation. */
  StarNotAllowed: 'star_not_allowed',
  /** A decision the law takes only on a prior submission (a revocation, art. 8.3) came without one. */
  ProposalRequired: 'proposal_required',
  /** The round named, or the one the dossier's forwarding date falls in, has not been opened by the province. */
  RoundNotFound: 'round_not_found',
  /** A round is opened once. */
  RoundAlreadyOpen: 'round_already_open',
  /** The round is closed: nothing joins it, it closes once. */
  RoundClosed: 'round_closed',
  /** The dossier was forwarded on or after the round's cut-off. */
  PastCutOff: 'past_cut_off',
  /** The round named belongs to another province than the case. */
  RoundOfOtherProvince: 'round_of_other_province',
} as const;
export type DomainErrorCode = (typeof DomainErrorCode)[keyof typeof DomainErrorCode];

/** Thrown by `decide` when a command is rejected; never thrown by `evolve`. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    /** The case's stage when the command arrived. */
    readonly stage: string,
    /** The command type, for logs and problem documents. */
    readonly command: string,
    message: string,
    /** For refused data: each field and why, in Vietnamese and English (place and product-set checks). */
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(message);
  }
}

/** One refused field of a command's data, with the reason in Vietnamese (first) and English. */
export interface FieldIssue {
  /** The field's path in the command's data, e.g. `provinceCode`, `certificate.issuedOn`. */
  readonly field: string;
  readonly vi: string;
  readonly en: string;
}
