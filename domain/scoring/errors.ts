/** Thrown by `getSheet` when no score sheet exists for the product-set code. */
export class UnknownProductSetError extends Error {
  constructor(
    public readonly productSetCode: string,
    public readonly knownCodes: readonly string[],
  ) {
    super(`Unknown product set "${productSetCode}"; known: ${knownCodes.join(', ')}`);
    this.name = 'UnknownProductSetError';
  }
}

/** Thrown when a bundled sheet fails its schema or its arithmetic: the data was edited by hand or is stale. */
export class InvalidSheetError extends Error {
  constructor(
    public readonly productSetCode: string,
    public readonly problems: readonly string[],
  ) {
    super(`Score sheet "${productSetCode}" is invalid: ${problems.join('; ')}`);
    this.name = 'InvalidSheetError';
  }
}

/** Thrown when a member's sheet names a criterion the score sheet does not have. */
export class UnknownCriterionError extends Error {
  constructor(
    public readonly sheetCode: string,
    public readonly criterionId: string,
  ) {
    super(`Sheet "${sheetCode}" has no criterion "${criterionId}"`);
    this.name = 'UnknownCriterionError';
  }
}

/** Thrown when a selection names an option that does not belong to its criterion. */
export class UnknownOptionError extends Error {
  constructor(
    public readonly sheetCode: string,
    public readonly criterionId: string,
    public readonly optionId: string,
  ) {
    super(`Criterion "${criterionId}" of sheet "${sheetCode}" has no option "${optionId}"`);
    this.name = 'UnknownOptionError';
  }
}

/** Thrown when a member's sheet selects twice for the same criterion: one tick per criterion. */
export class DuplicateCriterionError extends Error {
  constructor(
    public readonly sheetCode: string,
    public readonly criterionId: string,
  ) {
    super(`Criterion "${criterionId}" of sheet "${sheetCode}" is selected more than once`);
    this.name = 'DuplicateCriterionError';
  }
}

/** Thrown when a member's sheet leaves criteria unscored: a partial sheet has no meaningful total. */
export class MissingCriteriaError extends Error {
  constructor(
    public readonly sheetCode: string,
    public readonly criterionIds: readonly string[],
  ) {
    super(`Sheet "${sheetCode}" is missing a selection for: ${criterionIds.join(', ')}`);
    this.name = 'MissingCriteriaError';
  }
}

/** Thrown when the council lists the same member twice. */
export class DuplicateMemberError extends Error {
  constructor(public readonly memberId: string) {
    super(`Council member "${memberId}" is listed more than once`);
    this.name = 'DuplicateMemberError';
  }
}

/** Thrown when the council has nobody who scores (only a secretary, or nobody). */
export class NoScoringMembersError extends Error {
  constructor(public readonly memberCount: number) {
    super(`The council has no scoring members (chair or member) among its ${memberCount} people`);
    this.name = 'NoScoringMembersError';
  }
}

/** Thrown when a sheet is submitted by someone who is not on this round's council. */
export class NotACouncilMemberError extends Error {
  constructor(public readonly memberId: string) {
    super(`"${memberId}" is not a member of this round's council`);
    this.name = 'NotACouncilMemberError';
  }
}

/** Thrown when the council's secretary (thư ký) submits a sheet: the secretary records, and does not score. */
export class SecretaryCannotScoreError extends Error {
  constructor(public readonly memberId: string) {
    super(`"${memberId}" is the council's secretary and does not score`);
    this.name = 'SecretaryCannotScoreError';
  }
}

/** Thrown when a member submits two sheets for the same dossier. */
export class DuplicateSubmissionError extends Error {
  constructor(public readonly memberId: string) {
    super(`"${memberId}" has already submitted a sheet`);
    this.name = 'DuplicateSubmissionError';
  }
}

/** Thrown when a knock-out cites a ground this sheet does not print. */
export class UnknownKnockOutError extends Error {
  constructor(
    public readonly sheetCode: string,
    public readonly groundId: string,
    public readonly knownGrounds: readonly string[],
  ) {
    super(`Sheet "${sheetCode}" has no knock-out ground "${groundId}"; it has: ${knownGrounds.join(', ') || 'none'}`);
    this.name = 'UnknownKnockOutError';
  }
}

/** Thrown when a quorum outside 1..(scoring members) is configured. */
export class InvalidQuorumError extends Error {
  constructor(
    public readonly quorum: number,
    public readonly scoringMembers: number,
  ) {
    super(`Quorum ${quorum} is not between 1 and the ${scoringMembers} scoring members`);
    this.name = 'InvalidQuorumError';
  }
}
