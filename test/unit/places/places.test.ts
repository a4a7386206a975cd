import { describe, expect, it } from 'vitest';
import {
  communeOf,
  communesOfProvince,
  currentProvincesFor,
  currentUnitsFor,
  districtOf,
  eraOn,
  isCurrentCommune,
  isLegacyCommune,
  provinceOf,
  provinceOfCommune,
  provinces,
  REFORM_DATE,
  UnknownPlaceError,
} from '../../../domain/places';

describe('administrative units', () => {
  it('has 34 current and 63 legacy provinces, 3,321 current communes', () => {
    expect(provinces()).toHaveLength(34);
    expect(provinces('legacy')).toHaveLength(63);
    const communeCount = provinces().reduce((n, p) => n + communesOfProvince(p.code).length, 0);
    expect(communeCount).toBe(3321);
    expect(communesOfProvince('01')).toHaveLength(126); // Hà Nội (ocop-research §7)
  });

  it('keeps codes as strings with their leading zeros', () => {
    expect(provinceOf('01')).toEqual({ era: 'current', code: '01', name: 'Thành phố Hà Nội', type: 'Thành phố' });
    expect(() => provinceOf('1')).toThrow(UnknownPlaceError);
  });

  it('tells a reused code apart by era', () => {
    expect(communeOf('00004').name).toBe('Phường Ba Đình');
    expect(communeOf('00004', 'legacy')).toMatchObject({ name: 'Phường Trúc Bạch', provinceCode: '01' });
    // The shipped data is built from the MIT-licensed files only (scripts/build-places.ts without --with-districts): the
    // GPL-3.0 file that names the old districts is not redistributed, so district lookups are unavailable.
    expect(() => districtOf('001')).toThrow(UnknownPlaceError);
    expect(provinceOf('02', 'legacy').name).toBe('Tỉnh Hà Giang');
    expect(() => provinceOf('02')).toThrow(UnknownPlaceError);
    expect(currentProvincesFor('02')).toEqual(['08']);
  });

  it('knows which codes are current communes', () => {
    expect(isCurrentCommune('00004')).toBe(true);
    expect(isCurrentCommune('00001')).toBe(false); // Phường Phúc Xá went into Phường Hồng Hà (00097)
    expect(isLegacyCommune('11948')).toBe(false);
    expect(isLegacyCommune('00001')).toBe(true);
    expect(currentUnitsFor('00001')).toEqual([{ province: '01', commune: '00097' }]);
  });

  it('maps a split commune to several current communes', () => {
    // Phường Cống Vị (Ba Đình) was divided between Phường Ngọc Hà and Phường Giảng Võ.
    expect(currentUnitsFor('00007')).toEqual([
      { province: '01', commune: '00008' },
      { province: '01', commune: '00025' },
    ]);
    expect(currentUnitsFor('00634')).toHaveLength(5); // Phường Đại Mỗ, the most divided
  });

  it('follows a commune into another province', () => {
    // Xã Tân Phú (old An Giang, 89) went to a commune of the new Đồng Tháp (82).
    expect(provinceOfCommune('30622', 'legacy')).toBe('89');
    expect(currentUnitsFor('30622')).toEqual([{ province: '82', commune: '30259' }]);
    expect(provinceOfCommune('30259')).toBe('82');
  });

  it('maps an island district without communes to its special zone', () => {
    expect(currentUnitsFor('318')).toEqual([{ province: '31', commune: '11948' }]);
    expect(communeOf('11948').type).toBe('Đặc khu');
  });

  it('rejects unknown codes with UnknownPlaceError', () => {
    expect(() => communeOf('99999')).toThrow(UnknownPlaceError);
    expect(() => currentUnitsFor('99999')).toThrow(/Unknown legacy commune code "99999"/);
    expect(() => currentUnitsFor('11948')).toThrow(UnknownPlaceError); // a special zone created in 2025 was never a commune
    expect(() => provinceOfCommune('00001')).toThrow(UnknownPlaceError);
    expect(() => districtOf('999')).toThrow(UnknownPlaceError);
    expect(() => currentUnitsFor('toString')).toThrow(UnknownPlaceError);
  });

  it('switches era on the reform date', () => {
    expect(REFORM_DATE).toBe('2025-07-01');
    expect(eraOn('2025-06-30')).toBe('legacy');
    expect(eraOn('2025-07-01')).toBe('current');
  });

  it('maps every legacy commune to at least one current commune in an existing province', () => {
    for (const p of provinces('legacy'))
      for (const c of communesOfProvince(p.code, 'legacy')) {
        const units = currentUnitsFor(c.code);
        expect(units.length).toBeGreaterThan(0);
        for (const u of units) expect(provinceOf(u.province).code).toBe(u.province);
      }
  });
});
