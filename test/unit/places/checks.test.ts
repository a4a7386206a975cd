import { describe, expect, it } from 'vitest';
import {
  isSuccessor,
  needsRehoming,
  officesForProvince,
  placeIssues,
  provincesServedBy,
  rehomingFor,
} from '../../../domain/places';
import { productSetIssue } from '../../../domain/scoring';

// Hà Giang (02) was merged into Tuyên Quang (08) on 01/07/2025; its Phường Ngọc Hà (00692) went whole to Phường Hà
// Giang 2 (00691), its Phường Quang Trung (00688) was split between Hà Giang 1 (00694) and Hà Giang 2 (00691).
const haGiang = { provinceCode: '02', communeCode: '00692' };
const split = { provinceCode: '02', communeCode: '00688' };

const fields = (issues: { field: string }[]) => issues.map((i) => i.field);

describe('places checked against the units valid on the business date', () => {
  it('accepts a current place after the reform and an old one before it', () => {
    expect(placeIssues({ provinceCode: '19', communeCode: '05443' }, '2026-12-01')).toEqual([]);
    expect(placeIssues(haGiang, '2023-03-15')).toEqual([]);
    expect(placeIssues({ ...haGiang, districtCode: '024' }, '2023-03-15')).toEqual([]);
  });

  it('refuses an unknown province, naming the field, in Vietnamese and English', () => {
    const [issue, ...rest] = placeIssues({ provinceCode: '99', communeCode: '05443' }, '2026-12-01');
    expect(issue).toMatchObject({ field: 'provinceCode' });
    expect(issue?.vi).toMatch(/Mã tỉnh "99" không phải một tỉnh, thành phố hợp lệ ngày 01\/12\/2026/);
    expect(issue?.en).toMatch(/Province code "99" is not a valid province on 01\/12\/2026/);
    expect(rest).toEqual([]);
  });

  it('refuses a commune of another province', () => {
    const issues = placeIssues({ provinceCode: '19', communeCode: '00004' }, '2026-12-01');
    expect(fields(issues)).toEqual(['communeCode']);
    expect(issues[0]?.vi).toMatch(/Phường Ba Đình \(00004\) thuộc tỉnh 01, không thuộc tỉnh 19/);
    expect(issues[0]?.en).toMatch(/belongs to province 01, not 19/);
  });

  it('refuses a province and commune abolished on 01/07/2025, naming their successors', () => {
    const issues = placeIssues(haGiang, '2026-12-15');
    expect(fields(issues)).toEqual(['provinceCode', 'communeCode']);
    expect(issues[0]?.vi).toMatch(
      /Tỉnh 02 \(Tỉnh Hà Giang\) đã chấm dứt tồn tại từ 01\/07\/2025; dùng mã tỉnh mới: 08/,
    );
    expect(issues[1]?.en).toMatch(/use its successor: 00691/);
  });

  it('refuses a district after the reform, and a current-only commune before it', () => {
    expect(
      fields(placeIssues({ provinceCode: '01', communeCode: '00004', districtCode: '001' }, '2026-01-01')),
    ).toEqual(['districtCode']);
    // 00691 (Phường Hà Giang 2) only exists since 01/07/2025.
    expect(fields(placeIssues({ provinceCode: '08', communeCode: '00691' }, '2024-05-01'))).toEqual(['communeCode']);
  });
});

describe('product sets checked against Annex I', () => {
  it('accepts the 26 codes and refuses others, in Vietnamese and English', () => {
    expect(productSetIssue('tea')).toBeNull();
    for (const code of ['foo', 'chè', '11']) {
      const issue = productSetIssue(code);
      expect(issue?.vi).toContain('Phụ lục I, Quyết định 26/2026/QĐ-TTg');
      expect(issue?.en).toContain(`Product set code ${JSON.stringify(code)} is not in the classification of Annex I`);
    }
  });
});

describe('the 2025 re-homing by the official mapping', () => {
  it('moves a whole commune, lists a split one, leaves a current one', () => {
    expect(rehomingFor(haGiang)).toEqual({ kind: 'move', to: { provinceCode: '08', communeCode: '00691' } });
    expect(rehomingFor(split)).toEqual({
      kind: 'split',
      candidates: [
        { provinceCode: '08', communeCode: '00694' },
        { provinceCode: '08', communeCode: '00691' },
      ],
    });
    expect(rehomingFor({ provinceCode: '19', communeCode: '05443' })).toEqual({ kind: 'current' });
    expect(needsRehoming({ provinceCode: '01', communeCode: '00004', districtCode: '001' })).toBe(true);
    expect(rehomingFor({ provinceCode: '02', communeCode: '99999' })).toEqual({ kind: 'unknown' });
  });

  it('a successor is a commune the old one went to; a Hà Nội ward is not', () => {
    expect(isSuccessor(haGiang, { provinceCode: '08', communeCode: '00691' })).toBe(true);
    expect(isSuccessor(split, { provinceCode: '08', communeCode: '00694' })).toBe(true);
    expect(isSuccessor(haGiang, { provinceCode: '01', communeCode: '00004' })).toBe(false);
    expect(isSuccessor(haGiang, { provinceCode: '08', communeCode: '00694' })).toBe(false);
  });

  it('the old and the successor province office both answer for an abolished province', () => {
    expect(officesForProvince('02')).toEqual(['02', '08']);
    expect(officesForProvince('08')).toEqual(['08']);
    expect(provincesServedBy('08')).toEqual(expect.arrayContaining(['08', '02']));
    expect(provincesServedBy('19')).not.toContain('02');
  });
});
