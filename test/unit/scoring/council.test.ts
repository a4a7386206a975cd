import { describe, expect, it } from 'vitest';
import {
  allCriteria,
  councilResult,
  defaultQuorum,
  DuplicateSubmissionError,
  getSheet,
  InvalidQuorumError,
  listSheets,
  NoScoringMembersError,
  NotACouncilMemberError,
  scoreMemberSheet,
  SecretaryCannotScoreError,
  starBand,
  UnknownKnockOutError,
  type CouncilOutcome,
  type Selection,
} from '../../../domain/scoring';
import { DOWN_ONE, FRESH_74 } from './fixtures';
import { council3, pick, plausibleOption, vary } from './helpers';

const fresh = getSheet('fresh-produce');
const sheetOf = (letters: Record<string, string>): Selection[] => pick(fresh, letters);
/** FRESH_74 lowered by `n` points without touching a starred minimum. */
const freshAt = (total: number): Selection[] => {
  const n = 74 - total;
  return sheetOf(Object.assign({}, FRESH_74, ...DOWN_ONE.slice(0, n)));
};

function final(outcome: CouncilOutcome) {
  if (outcome.status !== 'final') throw new Error(`expected final, got ${outcome.status}`);
  return outcome;
}

const all3 = (a: Selection[], b: Selection[], c: Selection[]) => [
  { memberId: 'chair', selections: a },
  { memberId: 'm1', selections: b },
  { memberId: 'm2', selections: c },
];

describe('councilResult: averaging', () => {
  it("averages the members' totals and explains each criterion", () => {
    const outcome = final(
      councilResult(fresh, {
        members: council3,
        submissions: all3(sheetOf(FRESH_74), sheetOf(vary(FRESH_74, { '3.2': 'b' })), freshAt(73)),
        closedByChair: false,
      }),
    );
    // 74 + 75 + 73 = 222, / 3 = 74.
    expect(outcome.memberTotals).toEqual([
      { memberId: 'chair', total: 74 },
      { memberId: 'm1', total: 75 },
      { memberId: 'm2', total: 73 },
    ]);
    expect(outcome.averageScore).toBe(74);
    expect(outcome.bandStar).toBe(4);
    expect(outcome.star).toBe(4);
    expect(outcome.lowered).toBeNull();
    expect(outcome.knockOut).toBeNull();
    const c32 = outcome.breakdown.find((b) => b.criterionId === '3.2')!;
    expect(c32.choices.map((c) => [c.memberId, c.optionId, c.points])).toEqual([
      ['chair', '3.2-a', 0],
      ['m1', '3.2-b', 1],
      ['m2', '3.2-a', 0],
    ]);
    expect(c32.averagePoints).toBe(0.33);
    // 2/3 = 0.666…: truncated like the total, not rounded to 0.67.
    expect(outcome.breakdown.find((b) => b.criterionId === '1.2')!.averagePoints).toBe(0.66);
    expect(outcome.breakdown).toHaveLength(32);
    expect(outcome.partAverages).toEqual({ A: 31, B: 17, C: 26 });
  });

  it('truncates the average to 2 decimals so it never crosses a band edge: 70, 70, 69 → 69.66, 3★', () => {
    const outcome = final(
      councilResult(fresh, {
        members: council3,
        submissions: all3(freshAt(70), freshAt(70), freshAt(69)),
        closedByChair: false,
      }),
    );
    expect(outcome.averageScore).toBe(69.66);
    expect(outcome.bandStar).toBe(3);
    expect(outcome.star).toBe(3);
  });

  it('truncates the part averages by the same rule as the total (one rule, not rounding for parts)', () => {
    const outcome = final(
      councilResult(fresh, {
        members: council3,
        submissions: all3(freshAt(70), freshAt(70), freshAt(69)),
        closedByChair: false,
      }),
    );
    const exact = { A: 0, B: 0, C: 0 };
    for (const id of ['A', 'B', 'C'] as const) {
      const parts = [freshAt(70), freshAt(70), freshAt(69)].map((s) => scoreMemberSheet(fresh, s).parts[id]);
      exact[id] = parts.reduce((t, x) => t + x, 0) / 3;
      expect(outcome.partAverages[id]).toBe(Math.trunc(exact[id] * 100 + 1e-9) / 100);
    }
    // One part carries the odd point: its mean is x.666…, shown x.66 as the total's 69.666… is shown 69.66.
    expect(Object.values(outcome.partAverages).some((v) => Math.round(v * 100) % 100 === 66)).toBe(true);
  });

  it('puts 70.00 in 4★ and 69.99 in 3★', () => {
    const at70 = final(
      councilResult(fresh, {
        members: council3,
        submissions: all3(freshAt(70), freshAt(70), freshAt(70)),
        closedByChair: false,
      }),
    );
    expect(at70.averageScore).toBe(70);
    expect(at70.star).toBe(4);
    // 100 scoring members, totals 99 × 70 + 1 × 69 = 6999 → 69.99.
    const members = Array.from({ length: 100 }, (_, i) => ({ memberId: `m${i}`, role: 'member' as const }));
    const at6999 = final(
      councilResult(fresh, {
        members,
        submissions: members.map((m, i) => ({ memberId: m.memberId, selections: freshAt(i === 0 ? 69 : 70) })),
        closedByChair: false,
      }),
    );
    expect(at6999.averageScore).toBe(69.99);
    expect(at6999.bandStar).toBe(3);
  });
});

describe('councilResult: starred minimums', () => {
  it('lowers a 4★ band to 3★ when the 4★ minimum of 2.3 is missed, and says why', () => {
    // 2.3 "c" (3, ****) → "b" (2): total 73 for everyone.
    const s = sheetOf(vary(FRESH_74, { '2.3': 'b' }));
    const outcome = final(
      councilResult(fresh, { members: council3, submissions: all3(s, s, s), closedByChair: false }),
    );
    expect(outcome.averageScore).toBe(73);
    expect(outcome.bandStar).toBe(4);
    expect(outcome.star).toBe(3);
    expect(outcome.lowered).toEqual({
      from: 4,
      to: 3,
      unmetMinimums: [
        expect.objectContaining({
          level: 4,
          criterionId: '2.3',
          requiredOptionId: '2.3-c',
          requiredPoints: 3,
          averagePoints: 2,
        }),
      ],
    });
  });

  it('lowers to 2★ when a 3★ minimum is missed, listing every unmet minimum up to the band', () => {
    // 2.2 "c" (2, ***) → "b" (1) and 2.3 → "b": 72 for everyone.
    const s = sheetOf(vary(FRESH_74, { '2.2': 'b', '2.3': 'b' }));
    const outcome = final(
      councilResult(fresh, { members: council3, submissions: all3(s, s, s), closedByChair: false }),
    );
    expect(outcome.averageScore).toBe(72);
    expect(outcome.lowered?.from).toBe(4);
    expect(outcome.lowered?.to).toBe(2);
    expect(outcome.lowered?.unmetMinimums.map((u) => [u.level, u.criterionId])).toEqual([
      [3, '2.2'],
      [4, '2.3'],
    ]);
  });

  it("judges a minimum on the members' mean for the criterion", () => {
    // Two of three tick the 4★ option of 2.3 (3, 3, 2 → mean 2.666… < 3, shown 2.66): the minimum is not met.
    const miss = sheetOf(vary(FRESH_74, { '2.3': 'b' }));
    const outcome = final(
      councilResult(fresh, {
        members: council3,
        submissions: all3(sheetOf(FRESH_74), sheetOf(FRESH_74), miss),
        closedByChair: false,
      }),
    );
    expect(outcome.star).toBe(3);
    expect(outcome.lowered?.unmetMinimums).toEqual([
      expect.objectContaining({ criterionId: '2.3', averagePoints: 2.66 }),
    ]);
  });

  it('does not ask a 3★ band for 4★ minimums', () => {
    const s = sheetOf(
      vary(FRESH_74, { '2.3': 'b', '1.2': 'a', '1.3': 'a', '1.4': 'a', '6.3': 'a', '6.4': 'a', '12': 'a', '3.3': 'a' }),
    );
    const outcome = final(
      councilResult(fresh, { members: council3, submissions: all3(s, s, s), closedByChair: false }),
    );
    // 74 − 1 (2.3) − 1 − 1 − 1 − 3 (6.3) − 2 (6.4) − 2 (3.3) = 63.
    expect(outcome.averageScore).toBe(63);
    expect(outcome.star).toBe(3);
    expect(outcome.lowered).toBeNull();
  });
});

describe('councilResult: knock-outs', () => {
  const everyGround = listSheets().flatMap((s) =>
    getSheet(s.code).knockOuts.map((k) => [s.code, k.id, k.kind] as const),
  );

  it.each(everyGround)('%s: %s rejects the dossier', (code, groundId, kind) => {
    const sheet = getSheet(code);
    const outcome = councilResult(sheet, {
      members: council3,
      submissions: [],
      closedByChair: false,
      knockOuts: [{ groundId, finding: 'found during the site visit' }],
    });
    expect(outcome.status).toBe('rejected');
    if (outcome.status !== 'rejected') return;
    expect(outcome.knockOut.grounds).toEqual([
      expect.objectContaining({ id: groundId, kind, finding: 'found during the site visit' }),
    ]);
  });

  it('rejects even a complete, high-scoring council', () => {
    const outcome = councilResult(fresh, {
      members: council3,
      submissions: all3(sheetOf(FRESH_74), sheetOf(FRESH_74), sheetOf(FRESH_74)),
      closedByChair: true,
      knockOuts: [{ groundId: 'dossier-forged-dossier' }],
    });
    expect(outcome).toEqual({
      status: 'rejected',
      knockOut: { grounds: [expect.objectContaining({ kind: 'forged-dossier', finding: null, criterionId: null })] },
    });
  });

  it('refuses a ground the sheet does not print', () => {
    // Fresh produce prints no "copy of another product" note; the fast-food sheet does.
    expect(() =>
      councilResult(fresh, {
        members: council3,
        submissions: [],
        closedByChair: false,
        knockOuts: [{ groundId: '2.1-copy' }],
      }),
    ).toThrow(UnknownKnockOutError);
  });
});

describe('councilResult: who scores, and the quorum', () => {
  const five = [
    { memberId: 'chair', role: 'chair' as const },
    ...['m1', 'm2', 'm3', 'm4'].map((id) => ({ memberId: id, role: 'member' as const })),
    { memberId: 'sec', role: 'secretary' as const },
  ];
  const sub = (id: string) => ({ memberId: id, selections: sheetOf(FRESH_74) });

  it('defaults to more than half of the scoring members', () => {
    expect([1, 2, 3, 4, 5, 9].map(defaultQuorum)).toEqual([1, 2, 2, 3, 3, 5]);
  });

  it('stays pending until every scoring member has submitted; the secretary is not awaited', () => {
    const outcome = councilResult(fresh, {
      members: five,
      submissions: ['chair', 'm1', 'm2', 'm3'].map(sub),
      closedByChair: false,
    });
    expect(outcome).toEqual({
      status: 'pending',
      submitted: 4,
      required: 5,
      quorum: 3,
      awaiting: ['m4'],
      closeRefused: false,
    });
    const done = final(
      councilResult(fresh, {
        members: five,
        submissions: ['chair', 'm1', 'm2', 'm3', 'm4'].map(sub),
        closedByChair: false,
      }),
    );
    expect(done.submitted).toBe(5);
  });

  it('lets the chair close with a quorum (3 of 5) and averages only those who scored', () => {
    const outcome = final(
      councilResult(fresh, {
        members: five,
        submissions: [sub('chair'), sub('m1'), { memberId: 'm2', selections: freshAt(71) }],
        closedByChair: true,
      }),
    );
    // (74 + 74 + 71) / 3 = 73.
    expect(outcome.averageScore).toBe(73);
    expect(outcome.submitted).toBe(3);
    expect(outcome.required).toBe(5);
  });

  it("refuses the chair's close below the quorum (2 of 5), or below a stricter configured quorum", () => {
    expect(councilResult(fresh, { members: five, submissions: ['chair', 'm1'].map(sub), closedByChair: true })).toEqual(
      expect.objectContaining({ status: 'pending', submitted: 2, closeRefused: true }),
    );
    expect(
      councilResult(fresh, {
        members: five,
        submissions: ['chair', 'm1', 'm2'].map(sub),
        closedByChair: true,
        quorum: 4,
      }),
    ).toEqual(expect.objectContaining({ status: 'pending', quorum: 4, closeRefused: true }));
    expect(() => councilResult(fresh, { members: five, submissions: [], closedByChair: true, quorum: 6 })).toThrow(
      InvalidQuorumError,
    );
  });

  it('refuses a sheet from the secretary, from a stranger, or twice from one member', () => {
    expect(() => councilResult(fresh, { members: five, submissions: [sub('sec')], closedByChair: false })).toThrow(
      SecretaryCannotScoreError,
    );
    expect(() => councilResult(fresh, { members: five, submissions: [sub('m9')], closedByChair: false })).toThrow(
      NotACouncilMemberError,
    );
    expect(() =>
      councilResult(fresh, { members: five, submissions: [sub('m1'), sub('m1')], closedByChair: false }),
    ).toThrow(DuplicateSubmissionError);
    expect(() =>
      councilResult(fresh, { members: [{ memberId: 'sec', role: 'secretary' }], submissions: [], closedByChair: true }),
    ).toThrow(NoScoringMembersError);
  });
});

describe('a plausible product on every product set', () => {
  it.each(listSheets().map((s) => s.code))('%s', (code) => {
    const sheet = getSheet(code);
    // Every criterion at its 4★ minimum (else 3★, else the best option but one): a product that meets every
    // minimum up to 4★ without the extras; on all 26 sheets such a product totals 56–68, in the 3★ band.
    const chosen = allCriteria(sheet).map((c) => ({ criterionId: c.id, option: plausibleOption(c) }));
    const selections = chosen.map((c) => ({ criterionId: c.criterionId, optionId: c.option.id }));
    const expectedTotal = chosen.reduce((t, c) => t + c.option.points, 0);
    const outcome = final(
      councilResult(sheet, {
        members: council3,
        submissions: all3(selections, selections, selections),
        closedByChair: false,
      }),
    );
    expect(scoreMemberSheet(sheet, selections).total).toBe(expectedTotal);
    expect(outcome.averageScore).toBe(expectedTotal);
    expect(outcome.bandStar).toBe(starBand(expectedTotal));
    expect(outcome.bandStar).toBeGreaterThanOrEqual(3);
    // Every 3★ and 4★ minimum is met; only 5★ minimums can hold a 5★ band back.
    expect(outcome.star).toBe(Math.min(outcome.bandStar, 4));
    for (const u of outcome.lowered?.unmetMinimums ?? []) expect(u.level).toBe(5);
  });
});
