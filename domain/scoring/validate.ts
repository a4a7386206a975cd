import { PART_MAXIMA, SHEET_TOTAL, type Criterion, type ScoreSheet } from './schema';

export const SheetIssueKind = {
  PartMissing: 'part-missing',
  PartMaximum: 'part-maximum',
  SheetTotal: 'sheet-total',
  SectionSum: 'section-sum',
  CriterionSum: 'criterion-sum',
  OptionAboveMaximum: 'option-above-maximum',
  MaximumUnreachable: 'maximum-unreachable',
  DuplicateId: 'duplicate-id',
  StarOrder: 'star-order',
  StarDuplicate: 'star-duplicate',
  KnockOutTarget: 'knock-out-target',
  UnflaggedHeading: 'unflagged-heading',
} as const;
export type SheetIssueKind = (typeof SheetIssueKind)[keyof typeof SheetIssueKind];

export interface SheetIssue {
  readonly kind: SheetIssueKind;
  /** Part, section, criterion or option id. */
  readonly target: string;
  readonly message: string;
}

export function allCriteria(sheet: ScoreSheet): Criterion[] {
  return sheet.parts.flatMap((p) => p.sections.flatMap((s) => s.criteria));
}

/** Options grouped by case; criteria without cases have one group. */
export function optionGroups(criterion: Criterion): Criterion['options'][] {
  const groups = new Map<string | null, Criterion['options']>();
  for (const o of criterion.options) groups.set(o.case, [...(groups.get(o.case) ?? []), o]);
  return [...groups.values()];
}

/**
 * Checks a sheet's arithmetic and its star marks. An empty list means the sheet is consistent: parts hold the
 * maxima of Art. 3.1 and add to 100, every heading is the sum of what is under it, every option lies within its
 * criterion's maximum and the best option reaches it, and starred minimums rise with the star level.
 */
export function validateSheet(sheet: ScoreSheet): SheetIssue[] {
  const issues: SheetIssue[] = [];
  const issue = (kind: SheetIssueKind, target: string, message: string): void => {
    issues.push({ kind, target, message });
  };

  for (const id of ['A', 'B', 'C'] as const) {
    const part = sheet.parts.find((p) => p.id === id);
    if (!part) {
      issue(SheetIssueKind.PartMissing, id, `part ${id} is missing`);
      continue;
    }
    if (part.maxPoints !== PART_MAXIMA[id]) {
      issue(SheetIssueKind.PartMaximum, id, `part ${id} is worth ${part.maxPoints}, Art. 3.1 says ${PART_MAXIMA[id]}`);
    }
    const sections = part.sections.reduce((t, s) => t + s.maxPoints, 0);
    if (sections !== part.maxPoints) {
      issue(SheetIssueKind.SectionSum, id, `sections of part ${id} sum to ${sections}, not ${part.maxPoints}`);
    }
    if (part.headingPoints !== null && part.headingPoints !== part.maxPoints) {
      const flagged = sheet.flags.some((f) => f.kind === 'heading-maximum-mismatch' && f.target === id);
      if (!flagged) {
        issue(SheetIssueKind.UnflaggedHeading, id, `heading says ${part.headingPoints}, data says ${part.maxPoints}`);
      }
    }
    for (const section of part.sections) {
      for (const sub of section.subsections) {
        const children = section.criteria.filter((c) => c.subsection === sub.id).reduce((t, c) => t + c.maxPoints, 0);
        if (children !== sub.maxPoints) {
          issue(
            SheetIssueKind.CriterionSum,
            sub.id,
            `criteria under ${sub.id} sum to ${children}, not ${sub.maxPoints}`,
          );
        }
      }
      const criteria = section.criteria.reduce((t, c) => t + c.maxPoints, 0);
      if (criteria !== section.maxPoints) {
        issue(
          SheetIssueKind.CriterionSum,
          section.id,
          `criteria of section ${section.id} sum to ${criteria}, not ${section.maxPoints}`,
        );
      }
    }
  }
  const total = sheet.parts.reduce((t, p) => t + p.maxPoints, 0);
  if (total !== SHEET_TOTAL || sheet.totalPoints !== SHEET_TOTAL) {
    issue(SheetIssueKind.SheetTotal, sheet.code, `parts sum to ${total}, total says ${sheet.totalPoints}, not 100`);
  }

  const seen = new Set<string>();
  const unique = (id: string): void => {
    if (seen.has(id)) issue(SheetIssueKind.DuplicateId, id, `id ${id} is used twice`);
    seen.add(id);
  };
  for (const criterion of allCriteria(sheet)) {
    unique(criterion.id);
    for (const option of criterion.options) {
      unique(option.id);
      if (option.points > criterion.maxPoints) {
        issue(
          SheetIssueKind.OptionAboveMaximum,
          option.id,
          `option worth ${option.points} exceeds the maximum ${criterion.maxPoints} of ${criterion.id}`,
        );
      }
    }
    for (const group of optionGroups(criterion)) {
      const best = Math.max(...group.map((o) => o.points));
      if (best !== criterion.maxPoints) {
        issue(
          SheetIssueKind.MaximumUnreachable,
          criterion.id,
          `best option is worth ${best}, the maximum is ${criterion.maxPoints}`,
        );
      }
      const starred = group.filter((o) => o.minimumFor !== null);
      const levels = starred.map((o) => o.minimumFor);
      if (new Set(levels).size !== levels.length) {
        issue(SheetIssueKind.StarDuplicate, criterion.id, `two options are minimums for the same star level`);
      }
      // A higher star cannot ask for less than a lower one, or a 4★ product could fail the 3★ minimum.
      for (const a of starred) {
        for (const b of starred) {
          if (a.minimumFor! < b.minimumFor! && a.points >= b.points) {
            issue(
              SheetIssueKind.StarOrder,
              criterion.id,
              `${a.id} (${a.minimumFor}★, ${a.points}) is not below ${b.id} (${b.minimumFor}★, ${b.points})`,
            );
          }
        }
      }
    }
  }
  for (const ko of sheet.knockOuts) {
    unique(ko.id);
    if (ko.criterionId !== null && !seen.has(ko.criterionId)) {
      issue(SheetIssueKind.KnockOutTarget, ko.id, `knock-out refers to unknown criterion ${ko.criterionId}`);
    }
  }
  return issues;
}
