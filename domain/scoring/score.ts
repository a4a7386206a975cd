import { DuplicateCriterionError, MissingCriteriaError, UnknownCriterionError, UnknownOptionError } from './errors';
import type { PartId, ScoreSheet, StarLevel } from './schema';

/** One tick on a member's sheet. */
export interface Selection {
  readonly criterionId: string;
  readonly optionId: string;
  /** The member's remark on this criterion (ý kiến). */
  readonly note?: string;
}

export interface ScoredSelection {
  readonly criterionId: string;
  readonly optionId: string;
  readonly points: number;
  readonly note: string | null;
}

/** One council member's scored sheet (phiếu đánh giá). */
export interface MemberScore {
  readonly sheetCode: string;
  readonly total: number;
  readonly parts: Readonly<Record<PartId, number>>;
  /** In the sheet's order, whatever order the selections came in. */
  readonly selections: readonly ScoredSelection[];
}

/**
 * The star band of an average score under Art. 3.3 of QĐ 26/2026, half-open:
 * 5★ [90,100] · 4★ [70,90) · 3★ [50,70) · 2★ [30,50) · 1★ [0,30).
 */
export function starBand(score: number): StarLevel {
  if (!Number.isFinite(score) || score < 0 || score > 100) {
    throw new RangeError(`A score must lie in [0, 100], got ${score}`);
  }
  if (score >= 90) return 5;
  if (score >= 70) return 4;
  if (score >= 50) return 3;
  if (score >= 30) return 2;
  return 1;
}

/**
 * Scores one member's sheet: exactly one option for every criterion of the sheet.
 * @throws UnknownCriterionError, UnknownOptionError, DuplicateCriterionError, MissingCriteriaError
 */
export function scoreMemberSheet(sheet: ScoreSheet, selections: readonly Selection[]): MemberScore {
  const byCriterion = new Map<string, Selection>();
  for (const s of selections) {
    if (byCriterion.has(s.criterionId)) throw new DuplicateCriterionError(sheet.code, s.criterionId);
    byCriterion.set(s.criterionId, s);
  }
  const known = new Set(sheet.parts.flatMap((p) => p.sections.flatMap((sec) => sec.criteria.map((c) => c.id))));
  for (const id of byCriterion.keys()) {
    if (!known.has(id)) throw new UnknownCriterionError(sheet.code, id);
  }

  const parts: Record<PartId, number> = { A: 0, B: 0, C: 0 };
  const scored: ScoredSelection[] = [];
  const missing: string[] = [];
  for (const part of sheet.parts) {
    for (const criterion of part.sections.flatMap((s) => s.criteria)) {
      const selection = byCriterion.get(criterion.id);
      if (selection === undefined) {
        missing.push(criterion.id);
        continue;
      }
      const option = criterion.options.find((o) => o.id === selection.optionId);
      if (option === undefined) throw new UnknownOptionError(sheet.code, criterion.id, selection.optionId);
      parts[part.id] += option.points;
      scored.push({
        criterionId: criterion.id,
        optionId: option.id,
        points: option.points,
        note: selection.note ?? null,
      });
    }
  }
  if (missing.length > 0) throw new MissingCriteriaError(sheet.code, missing);
  return { sheetCode: sheet.code, total: parts.A + parts.B + parts.C, parts, selections: scored };
}
