import type { Criterion, ScoreSheet, Selection } from '../../../domain/scoring';
import { allCriteria } from '../../../domain/scoring';

/** Builds selections from `criterionId → option letter` (a = first option printed, b = second…). */
export function pick(sheet: ScoreSheet, letters: Readonly<Record<string, string>>): Selection[] {
  return allCriteria(sheet).map((c) => {
    const letter = letters[c.id];
    if (letter === undefined) throw new Error(`test data has no choice for ${c.id}`);
    return { criterionId: c.id, optionId: `${c.id}-${letter}` };
  });
}

/** Same choices with some criteria changed. */
export function vary(
  base: Readonly<Record<string, string>>,
  changes: Readonly<Record<string, string>>,
): Record<string, string> {
  return { ...base, ...changes };
}

/** The option a product meeting the 4★ minimums and no more would tick: the 4★ minimum, else the 3★ one, else the best but one. */
export function plausibleOption(c: Criterion): Criterion['options'][number] {
  const starred = (level: number) => c.options.find((o) => o.minimumFor === level);
  const sorted = [...c.options].sort((a, b) => b.points - a.points);
  return starred(4) ?? starred(3) ?? sorted[1] ?? sorted[0]!;
}

export const council3 = [
  { memberId: 'chair', role: 'chair' as const },
  { memberId: 'm1', role: 'member' as const },
  { memberId: 'm2', role: 'member' as const },
  { memberId: 'sec', role: 'secretary' as const },
];
