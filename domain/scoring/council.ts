import {
  DuplicateMemberError,
  DuplicateSubmissionError,
  InvalidQuorumError,
  NoScoringMembersError,
  NotACouncilMemberError,
  SecretaryCannotScoreError,
  UnknownKnockOutError,
} from './errors';
import type { KnockOut, PartId, ScoreSheet, StarLevel } from './schema';
import { scoreMemberSheet, starBand, type MemberScore, type Selection } from './score';

/** Roles on a council (Hội đồng): the chair and members score; the secretary (thư ký) records only. */
export const CouncilRole = { Chair: 'chair', Member: 'member', Secretary: 'secretary' } as const;
export type CouncilRole = (typeof CouncilRole)[keyof typeof CouncilRole];

export interface CouncilMember {
  readonly memberId: string;
  readonly role: CouncilRole;
}

export interface Submission {
  readonly memberId: string;
  readonly selections: readonly Selection[];
}

/** A knock-out the council found: one of the sheet's printed grounds, with what was found. */
export interface KnockOutGround {
  /** One of `sheet.knockOuts[].id`, e.g. `dossier-forged-dossier` or `1.1-imported-raw-materials`. */
  readonly groundId: string;
  readonly finding?: string;
}

export interface CouncilInput {
  /** This round's council for this dossier. */
  readonly members: readonly CouncilMember[];
  readonly submissions: readonly Submission[];
  /** The chair has closed scoring; the result is final if a quorum has submitted. */
  readonly closedByChair: boolean;
  readonly knockOuts?: readonly KnockOutGround[];
  /**
   * Submissions needed before the chair may close. QĐ 26/2026 is silent: Art. 7.3 leaves the council's working
   * rules to the provincial Quy chế hoạt động, which may set its own quorum.
   * @default defaultQuorum(scoring members): more than half
   */
  readonly quorum?: number;
}

/** More than half of the council's scoring members (quá bán), our default while the decision is silent. */
export function defaultQuorum(scoringMembers: number): number {
  return Math.floor(scoringMembers / 2) + 1;
}

export interface MemberChoice {
  readonly memberId: string;
  readonly optionId: string;
  readonly points: number;
  readonly note: string | null;
}

export interface CriterionBreakdown {
  readonly partId: PartId;
  readonly sectionId: string;
  readonly criterionId: string;
  readonly title: string;
  readonly maxPoints: number;
  readonly choices: readonly MemberChoice[];
  /** The members' mean for this criterion, truncated to 2 decimals (see `truncate2`). */
  readonly averagePoints: number;
}

/** A starred minimum (***, ****, *****) the council's average did not reach. */
export interface UnmetMinimum {
  readonly level: 3 | 4 | 5;
  readonly criterionId: string;
  readonly criterionTitle: string;
  readonly requiredOptionId: string;
  readonly requiredOptionText: string;
  readonly requiredPoints: number;
  /** The members' mean for the criterion, truncated to 2 decimals (see `truncate2`). */
  readonly averagePoints: number;
}

export interface StarLowering {
  readonly from: StarLevel;
  readonly to: StarLevel;
  readonly unmetMinimums: readonly UnmetMinimum[];
}

export type CouncilOutcome =
  | {
      readonly status: 'pending';
      readonly submitted: number;
      /** Every scoring member, for a result without the chair closing. */
      readonly required: number;
      /** Enough for the chair to close. */
      readonly quorum: number;
      readonly awaiting: readonly string[];
      /** True when the chair closed below the quorum, so the close did not take effect. */
      readonly closeRefused: boolean;
    }
  | {
      readonly status: 'final';
      readonly submitted: number;
      readonly required: number;
      /** Mean of the members' totals, truncated to 2 decimals (see `truncate2`). */
      readonly averageScore: number;
      readonly bandStar: StarLevel;
      readonly star: StarLevel;
      readonly lowered: StarLowering | null;
      readonly partAverages: Readonly<Record<PartId, number>>;
      readonly memberTotals: readonly { readonly memberId: string; readonly total: number }[];
      readonly breakdown: readonly CriterionBreakdown[];
      readonly knockOut: null;
    }
  | {
      readonly status: 'rejected';
      readonly knockOut: { readonly grounds: readonly (KnockOut & { readonly finding: string | null })[] };
    };

/**
 * Every average the council shows (the total, each part, each criterion) is truncated, not rounded, to 2 decimals:
 * one rule for all. QĐ 26/2026 art. 3.3 bands the "tổng điểm trung bình" itself ("từ 70 đến dưới 90") and sets no
 * rounding, and the starred minimums compare a criterion's mean with an option's points; a truncated figure is
 * never above the exact mean, so a shown score is always in the band of the exact mean (69.995 shows as 69.99 and
 * stays 3★, never "70.00 but 3★") and a shown criterion mean never reaches a minimum the exact one missed. Integer
 * arithmetic keeps 6999.999… from a float division away.
 */
function truncate2(sum: number, count: number): number {
  const hundredths = Math.round(sum * 100);
  return (hundredths - (hundredths % count)) / count / 100;
}

/**
 * The council's result for one dossier on one sheet. Knock-outs reject the dossier whatever the scores; otherwise
 * the result is pending until every scoring member has submitted, or the chair closes with a quorum.
 *
 * The star is the band of the mean total, lowered to the highest level whose starred minimums the product meets;
 * a minimum is met when the members' mean for that criterion reaches the starred option's points, so the minimums
 * are judged on the same averaged evidence as the score. Level N needs the minimums of every level from 3 to N.
 *
 * @throws DuplicateMemberError, NoScoringMembersError, NotACouncilMemberError, SecretaryCannotScoreError,
 *   DuplicateSubmissionError, UnknownKnockOutError, InvalidQuorumError, and the errors of `scoreMemberSheet`.
 */
export function councilResult(sheet: ScoreSheet, input: CouncilInput): CouncilOutcome {
  const roles = new Map<string, CouncilRole>();
  for (const m of input.members) {
    if (roles.has(m.memberId)) throw new DuplicateMemberError(m.memberId);
    roles.set(m.memberId, m.role);
  }
  const scoring = input.members.filter((m) => m.role !== CouncilRole.Secretary).map((m) => m.memberId);
  if (scoring.length === 0) throw new NoScoringMembersError(input.members.length);
  const quorum = input.quorum ?? defaultQuorum(scoring.length);
  if (!Number.isInteger(quorum) || quorum < 1 || quorum > scoring.length) {
    throw new InvalidQuorumError(quorum, scoring.length);
  }

  const scores = new Map<string, MemberScore>();
  for (const s of input.submissions) {
    const role = roles.get(s.memberId);
    if (role === undefined) throw new NotACouncilMemberError(s.memberId);
    if (role === CouncilRole.Secretary) throw new SecretaryCannotScoreError(s.memberId);
    if (scores.has(s.memberId)) throw new DuplicateSubmissionError(s.memberId);
    scores.set(s.memberId, scoreMemberSheet(sheet, s.selections));
  }

  const knockOuts = input.knockOuts ?? [];
  if (knockOuts.length > 0) {
    const grounds = knockOuts.map((k) => {
      const ground = sheet.knockOuts.find((g) => g.id === k.groundId);
      if (!ground) {
        throw new UnknownKnockOutError(
          sheet.code,
          k.groundId,
          sheet.knockOuts.map((g) => g.id),
        );
      }
      return { ...ground, finding: k.finding ?? null };
    });
    return { status: 'rejected', knockOut: { grounds } };
  }

  const submitted = scores.size;
  const complete = submitted === scoring.length;
  if (!complete && !(input.closedByChair && submitted >= quorum)) {
    return {
      status: 'pending',
      submitted,
      required: scoring.length,
      quorum,
      awaiting: scoring.filter((id) => !scores.has(id)),
      closeRefused: input.closedByChair,
    };
  }

  // Members in council order, so the breakdown reads the same way as the minutes.
  const members = scoring.flatMap((id) => {
    const score = scores.get(id);
    return score ? [{ memberId: id, score }] : [];
  });
  const sum = members.reduce((t, m) => t + m.score.total, 0);
  const averageScore = truncate2(sum, submitted);
  const bandStar = starBand(averageScore);

  const breakdown: CriterionBreakdown[] = [];
  const exactAverage = new Map<string, number>();
  for (const part of sheet.parts) {
    for (const section of part.sections) {
      for (const criterion of section.criteria) {
        const choices = members.map(({ memberId, score }): MemberChoice => {
          const s = score.selections.find((x) => x.criterionId === criterion.id)!;
          return { memberId, optionId: s.optionId, points: s.points, note: s.note };
        });
        const mean = choices.reduce((t, c) => t + c.points, 0) / submitted;
        exactAverage.set(criterion.id, mean);
        breakdown.push({
          partId: part.id,
          sectionId: section.id,
          criterionId: criterion.id,
          title: criterion.title,
          maxPoints: criterion.maxPoints,
          choices,
          averagePoints: truncate2(mean * submitted, submitted),
        });
      }
    }
  }

  const unmet: UnmetMinimum[] = [];
  for (const criterion of sheet.parts.flatMap((p) => p.sections.flatMap((s) => s.criteria))) {
    for (const option of criterion.options) {
      if (option.minimumFor === null || option.minimumFor > bandStar) continue;
      const mean = exactAverage.get(criterion.id)!;
      if (mean < option.points) {
        unmet.push({
          level: option.minimumFor,
          criterionId: criterion.id,
          criterionTitle: criterion.title,
          requiredOptionId: option.id,
          requiredOptionText: option.text,
          requiredPoints: option.points,
          averagePoints: truncate2(mean * submitted, submitted),
        });
      }
    }
  }
  unmet.sort((a, b) => a.level - b.level);
  const lowestUnmet = unmet[0]?.level;
  const star: StarLevel = lowestUnmet === undefined ? bandStar : ((lowestUnmet - 1) as StarLevel);

  const partAverages = { A: 0, B: 0, C: 0 };
  for (const id of ['A', 'B', 'C'] as const) {
    partAverages[id] = truncate2(
      members.reduce((t, m) => t + m.score.parts[id], 0),
      submitted,
    );
  }

  return {
    status: 'final',
    submitted,
    required: scoring.length,
    averageScore,
    bandStar,
    star,
    lowered: star === bandStar ? null : { from: bandStar, to: star, unmetMinimums: unmet },
    partAverages,
    memberTotals: members.map((m) => ({ memberId: m.memberId, total: m.score.total })),
    breakdown,
    knockOut: null,
  };
}
