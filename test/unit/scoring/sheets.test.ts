import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  allCriteria,
  getSheet,
  listSheets,
  PRODUCT_SETS,
  SheetIssueKind,
  UnknownProductSetError,
  validateSheet,
  type ScoreSheet,
} from '../../../domain/scoring';

const clone = (s: ScoreSheet): ScoreSheet => structuredClone(s);

describe('the 26 score sheets of Annex II', () => {
  it('are all present, in Annex II order, one per product set', () => {
    const sheets = listSheets();
    expect(sheets).toHaveLength(26);
    expect(sheets.map((s) => s.ordinal)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
    expect(new Set(sheets.map((s) => s.code)).size).toBe(26);
    expect(sheets.every((s) => s.ruleSet === 'QD-26-2026-QD-TTg')).toBe(true);
  });

  it('place the product sets in Annex I: 6 sectors, 17 groups', () => {
    const sectors = new Set(PRODUCT_SETS.map((p) => p.productSet.sector.code));
    const groups = new Set(PRODUCT_SETS.map((p) => p.productSet.group.code));
    expect([...sectors]).toEqual(['I', 'II', 'III', 'IV', 'V', 'VI']);
    expect(groups.size).toBe(17);
    expect(getSheet('coffee-cocoa').productSet.subgroup).toBeNull();
    expect(getSheet('herbal-tea').productSet.subgroup?.code).toBe('I.5.b');
  });

  it.each(PRODUCT_SETS.map((p) => p.code))('%s passes validation with parts 40/25/35', (code) => {
    const sheet = getSheet(code);
    expect(validateSheet(sheet)).toEqual([]);
    expect(sheet.parts.map((p) => [p.id, p.maxPoints])).toEqual([
      ['A', 40],
      ['B', 25],
      ['C', 35],
    ]);
    expect(sheet.totalPoints).toBe(100);
  });

  it('rejects an unknown product set with its own error', () => {
    expect(() => getSheet('durian')).toThrow(UnknownProductSetError);
    expect(() => getSheet('toString')).toThrow(UnknownProductSetError);
  });

  it('records criterion 1.5 of fresh produce as printed: 0, 1, 2****, 3*****', () => {
    const c = allCriteria(getSheet('fresh-produce')).find((x) => x.id === '1.5')!;
    expect(c.maxPoints).toBe(3);
    expect(c.options.map((o) => [o.points, o.minimumFor])).toEqual([
      [0, null],
      [1, null],
      [2, 4],
      [3, 5],
    ]);
  });

  it('keeps the tourism heading "(35 Điểm)" but uses 40, and flags it', () => {
    const a = getSheet('community-eco-tourism').parts[0]!;
    expect(a.heading).toContain('(35 Điểm)');
    expect(a.headingPoints).toBe(35);
    expect(a.maxPoints).toBe(40);
    expect(getSheet('community-eco-tourism').flags).toContainEqual(
      expect.objectContaining({ kind: 'heading-maximum-mismatch', target: 'A' }),
    );
  });

  it('reads the tourism sheet\'s "one of two cases" criteria with a case per option', () => {
    const c = allCriteria(getSheet('community-eco-tourism')).find((x) => x.id === '8')!;
    expect(c.options.map((o) => [o.points, o.case?.slice(0, 15)])).toEqual([
      [1, 'a. Trường hợp 1'],
      [3, 'a. Trường hợp 1'],
      [1, 'b. Trường hợp 2'],
      [3, 'b. Trường hợp 2'],
    ]);
  });

  it('reads the third level of the coffee sheet (6.1 → 6.1.1…6.1.5)', () => {
    const section = getSheet('coffee-cocoa').parts[2]!.sections[0]!;
    expect(section.subsections.map((s) => [s.id, s.maxPoints])).toEqual([
      ['6.1', 10],
      ['6.2', 5],
    ]);
    expect(section.criteria.filter((c) => c.subsection === '6.1').map((c) => c.id)).toEqual([
      '6.1.1',
      '6.1.2',
      '6.1.3',
      '6.1.4',
      '6.1.5',
    ]);
  });

  it('applies each reviewed correction and flags it on its sheet', () => {
    const corrections = JSON.parse(readFileSync('domain/scoring/corrections.json', 'utf8')).corrections as {
      id: string;
      sheet: number;
      reason: string;
    }[];
    expect(corrections).toHaveLength(10);
    expect(new Set(corrections.map((c) => c.sheet))).toEqual(new Set([3, 4, 7, 10, 11, 23]));
    for (const c of corrections) {
      const sheet = listSheets().find((s) => s.ordinal === c.sheet)!;
      expect(getSheet(sheet.code).flags).toContainEqual({ kind: 'manual-correction', target: c.id, detail: c.reason });
    }
    // Honey sheet, section 7: printed 13, corrected to 3.
    const nutrition = allCriteria(getSheet('honey-other-raw-foods')).find((x) => x.id === '7')!;
    expect(nutrition.options.map((o) => o.points)).toEqual([0, 1, 3]);
  });

  it('prints knock-outs where the text does', () => {
    const kinds = (code: string) => getSheet(code).knockOuts.map((k) => k.kind);
    expect(kinds('fresh-produce')).toEqual(['forged-dossier', 'mandatory-licence', 'registration-dossier']);
    expect(kinds('processed-vegetables-fruits')).toEqual([
      'forged-dossier',
      'mandatory-licence',
      'registration-dossier',
      'imported-or-unknown-raw-materials',
      'copy-of-another-product',
    ]);
    expect(kinds('white-spirits')).toContain('copy-of-another-product');
    expect(kinds('other-alcoholic-drinks')).toContain('production-licence');
    expect(kinds('herbal-cosmetics')).toContain('product-declaration-missing');
    expect(kinds('community-eco-tourism')).toEqual([]);
  });

  it('counts what Annex II holds', () => {
    const totals = listSheets().reduce((t, s) => ({ c: t.c + s.criteria, o: t.o + s.options }), { c: 0, o: 0 });
    expect(totals).toEqual({ c: 787, o: 2579 });
  });
});

describe('validateSheet', () => {
  const base = () => clone(getSheet('fresh-produce'));

  it('finds an option above its criterion maximum', () => {
    const s = base();
    s.parts[0]!.sections[0]!.criteria[0]!.options[2]!.points = 4;
    const kinds = validateSheet(s).map((i) => i.kind);
    expect(kinds).toContain(SheetIssueKind.OptionAboveMaximum);
    expect(kinds).toContain(SheetIssueKind.MaximumUnreachable);
  });

  it('finds a section whose criteria do not add up, and a part off its maximum', () => {
    const s = base();
    s.parts[0]!.sections[0]!.maxPoints = 19;
    expect(validateSheet(s).map((i) => i.kind)).toEqual([SheetIssueKind.SectionSum, SheetIssueKind.CriterionSum]);
    const t = base();
    t.parts[1]!.maxPoints = 30;
    expect(validateSheet(t).map((i) => i.kind)).toEqual(
      expect.arrayContaining([SheetIssueKind.PartMaximum, SheetIssueKind.SheetTotal]),
    );
  });

  it('finds stars that fall as the level rises', () => {
    const s = base();
    const c = s.parts[0]!.sections[0]!.criteria.find((x) => x.id === '1.5')!;
    c.options[2]!.minimumFor = 5;
    c.options[3]!.minimumFor = 4;
    expect(validateSheet(s).map((i) => i.kind)).toEqual([SheetIssueKind.StarOrder]);
  });

  it('finds a heading mismatch nobody flagged', () => {
    const s = clone(getSheet('community-eco-tourism'));
    s.flags = [];
    expect(validateSheet(s).map((i) => i.kind)).toEqual([SheetIssueKind.UnflaggedHeading]);
  });
});

describe('regeneration', () => {
  it('the script reproduces the committed sheets from the law text', () => {
    const out = execFileSync('npx', ['tsx', 'scripts/parse-score-sheets.ts', '--check'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toContain('26 sheets, 787 criteria, 2579 options; 10 corrections applied to 6 sheets');
  }, 60_000);
});
