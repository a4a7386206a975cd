import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allCriteria,
  DuplicateCriterionError,
  getSheet,
  listSheets,
  MissingCriteriaError,
  scoreMemberSheet,
  starBand,
  UnknownCriterionError,
  UnknownOptionError,
} from '../../../domain/scoring';
import { FRESH_74, TOURISM_FIRST_OPTIONS } from './fixtures';
import { pick, vary } from './helpers';

describe('starBand (Art. 3.3, half-open)', () => {
  it.each([
    [0, 1],
    [29.99, 1],
    [30, 2],
    [49.99, 2],
    [50, 3],
    [69.99, 3],
    [70, 4],
    [89.99, 4],
    [90, 5],
    [100, 5],
  ])('%d → %d★', (score, star) => {
    expect(starBand(score)).toBe(star);
  });

  it('refuses scores outside [0, 100]', () => {
    expect(() => starBand(-0.01)).toThrow(RangeError);
    expect(() => starBand(100.01)).toThrow(RangeError);
    expect(() => starBand(Number.NaN)).toThrow(RangeError);
  });

  it('never falls as the score rises', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (a, b) =>
        a <= b ? starBand(a) <= starBand(b) : starBand(a) >= starBand(b),
      ),
    );
  });
});

describe('scoreMemberSheet', () => {
  const fresh = getSheet('fresh-produce');

  it('adds up a hand-scored fresh-produce sheet: 31 + 17 + 26 = 74', () => {
    const score = scoreMemberSheet(fresh, pick(fresh, FRESH_74));
    expect(score.parts).toEqual({ A: 31, B: 17, C: 26 });
    expect(score.total).toBe(74);
    expect(score.selections).toHaveLength(32);
  });

  it('adds up the tourism sheet with the first option everywhere: 31', () => {
    const tourism = getSheet('community-eco-tourism');
    const first = Object.fromEntries(allCriteria(tourism).map((c) => [c.id, 'a']));
    const score = scoreMemberSheet(tourism, pick(tourism, first));
    expect(score.parts).toEqual({ A: 11, B: 8, C: 12 });
    expect(score.total).toBe(TOURISM_FIRST_OPTIONS);
  });

  it("keeps the member's note and returns selections in sheet order", () => {
    const selections = pick(fresh, FRESH_74).reverse();
    selections[0] = { ...selections[0]!, note: 'only ASEAN buyers so far' };
    const score = scoreMemberSheet(fresh, selections);
    expect(score.selections[0]!.criterionId).toBe('1.1');
    expect(score.selections.at(-1)).toEqual({
      criterionId: '12',
      optionId: '12-a',
      points: 1,
      note: 'only ASEAN buyers so far',
    });
  });

  it('rejects a missing criterion, naming every one missing', () => {
    const selections = pick(fresh, FRESH_74).filter((s) => s.criterionId !== '2.4' && s.criterionId !== '9');
    const error = (() => {
      try {
        scoreMemberSheet(fresh, selections);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MissingCriteriaError);
    expect((error as MissingCriteriaError).criterionIds).toEqual(['2.4', '9']);
  });

  it('rejects an unknown criterion, an unknown option, an option of another criterion and a duplicate', () => {
    const base = pick(fresh, FRESH_74);
    expect(() => scoreMemberSheet(fresh, [...base, { criterionId: '13', optionId: '13-a' }])).toThrow(
      UnknownCriterionError,
    );
    expect(() => scoreMemberSheet(fresh, pick(fresh, vary(FRESH_74, { '1.1': 'z' })))).toThrow(UnknownOptionError);
    const crossed = base.map((s) => (s.criterionId === '1.1' ? { ...s, optionId: '1.2-a' } : s));
    expect(() => scoreMemberSheet(fresh, crossed)).toThrow(UnknownOptionError);
    expect(() => scoreMemberSheet(fresh, [...base, { criterionId: '1.1', optionId: '1.1-a' }])).toThrow(
      DuplicateCriterionError,
    );
  });

  it('gives a total within [0, 100] equal to the sum of the ticked options, on every sheet', () => {
    const codes = listSheets().map((s) => s.code);
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.infiniteStream(fc.nat()), (code, stream) => {
        const sheet = getSheet(code);
        const chosen = allCriteria(sheet).map((c) => c.options[stream.next().value % c.options.length]!);
        const score = scoreMemberSheet(
          sheet,
          chosen.map((o) => ({ criterionId: o.id.replace(/-[a-z]$/, ''), optionId: o.id })),
        );
        expect(score.total).toBe(chosen.reduce((t, o) => t + o.points, 0));
        expect(score.total).toBeGreaterThanOrEqual(0);
        expect(score.total).toBeLessThanOrEqual(100);
      }),
      { numRuns: 200 },
    );
  });

  it('reaches exactly 100 with the best option everywhere, on every sheet', () => {
    for (const { code } of listSheets()) {
      const sheet = getSheet(code);
      const best = allCriteria(sheet).map((c) => {
        const top = [...c.options].sort((a, b) => b.points - a.points)[0]!;
        return { criterionId: c.id, optionId: top.id };
      });
      expect(scoreMemberSheet(sheet, best).total, code).toBe(100);
    }
  });
});
