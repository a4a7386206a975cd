import { describe, expect, it } from 'vitest';
import type { Actor, CommandInput } from '../../../domain';
import { given } from './given';
import { SHEET, Story, admin, cmd, meta, subject } from './fixtures';

// Hà Giang (02) was merged into Tuyên Quang (08) on 01/07/2025; Phường Ngọc Hà (00692) became part of Phường Hà
// Giang 2 (00691).
const oldOffice: Actor = { userId: 'user-ha-giang', role: 'provincial_office', office: '02' };
const newOffice: Actor = { userId: 'user-tuyen-quang', role: 'provincial_office', office: '08' };
const hanoiOffice: Actor = { userId: 'user-ha-noi', role: 'provincial_office', office: '01' };

const importHaGiang = (issuedOn: string, over: Record<string, unknown> = {}): CommandInput => {
  const base = cmd.importProduct({
    star: 4,
    level: 'province',
    issuedOn,
    expiresOn: `${Number(issuedOn.slice(0, 4)) + 3}${issuedOn.slice(4)}`,
    ruleSetId: 'QD148_2023',
  }) as { type: 'ImportCertifiedProduct'; data: Record<string, unknown> };
  return {
    ...base,
    data: { ...base.data, provinceCode: '02', communeCode: '00692', districtCode: '024', ...over },
  } as CommandInput;
};
const move = (communeCode: string, provinceCode = '08', override?: string): CommandInput => ({
  type: 'UpdatePlaces',
  data: {
    provinceCode,
    communeCode,
    reason: 'Sắp xếp đơn vị hành chính 2025',
    ...(override ? { override: { reason: override } } : {}),
  },
});

describe('places and product sets in the decider (issue 14)', () => {
  it('refuses a province 99, a commune of another province, product sets foo and chè, each naming its field', () => {
    const refused = (over: Record<string, string>, field: string) => {
      const error = given([]).when(cmd.registerIdea(over), meta('2026-12-01', subject)).thenRejects('invalid');
      expect(error.issues.map((i) => i.field)).toContain(field);
      expect(error.issues.every((i) => i.vi.length > 0 && i.en.length > 0)).toBe(true);
    };
    refused({ provinceCode: '99' }, 'provinceCode');
    refused({ provinceCode: '19' }, 'communeCode'); // 00004 is Phường Ba Đình, Hà Nội
    refused({ productSetCode: 'foo' }, 'productSetCode');
    refused({ productSetCode: 'chè' }, 'productSetCode');
  });

  it('refuses a new idea in December 2026 in a province abolished on 01/07/2025', () => {
    const error = given([])
      .when(
        cmd.registerIdea({ provinceCode: '02', communeCode: '00692', productSetCode: SHEET }),
        meta('2026-12-10', subject),
      )
      .thenRejects('invalid');
    expect(error.issues[0]).toMatchObject({ field: 'provinceCode' });
    expect(error.issues[0]?.vi).toContain('đã chấm dứt tồn tại từ 01/07/2025');
  });

  it('accepts an import that names the places printed on a 2023 certificate', () => {
    given([]).when(importHaGiang('2023-10-02'), meta('2026-12-10', admin)).thenTypes(['CertifiedProductImported']);
    // … but not places that did not exist then or now.
    given([])
      .when(importHaGiang('2023-10-02', { communeCode: '00004' }), meta('2026-12-10', admin))
      .thenRejects('invalid', /communeCode/);
  });

  it('keeps the old decisions for runs recorded before the checks (placeChecks: false)', () => {
    given([])
      .when(cmd.registerIdea({ provinceCode: '99' }), { ...meta('2026-12-01', subject), placeChecks: false })
      .thenTypes(['IdeaRegistered']);
  });

  describe('re-homing a case of Hà Giang', () => {
    const imported = () => {
      const s = new Story();
      s.run(importHaGiang('2023-10-02'), '2026-12-01', admin);
      return s;
    };

    it('the successor province office may move it, to a successor commune only', () => {
      const s = imported();
      given(s.events)
        .when(move('00004', '01'), meta('2026-12-02', newOffice))
        .thenRejects('invalid', /does not succeed/);
      given(s.events)
        .when(move('00694'), meta('2026-12-02', newOffice))
        .thenRejects('invalid', /does not succeed/);
      const [event] = given(s.events).when(move('00691'), meta('2026-12-02', newOffice)).thenTypes(['PlacesUpdated']);
      expect(event?.data).toMatchObject({
        previous: { provinceCode: '02', communeCode: '00692', districtCode: '024' },
        places: { provinceCode: '08', communeCode: '00691', districtCode: null },
      });
    });

    it('an override with its reason moves it elsewhere; a commune that does not exist never', () => {
      const s = imported();
      const [event] = given(s.events)
        .when(move('00004', '01', 'Cơ sở sản xuất đã chuyển về Hà Nội'), meta('2026-12-02', oldOffice))
        .thenTypes(['PlacesUpdated']);
      expect(event?.data).toMatchObject({ override: 'Cơ sở sản xuất đã chuyển về Hà Nội' });
      given(s.events)
        .when(move('99999', '08', 'Chuyển địa điểm'), meta('2026-12-02', oldOffice))
        .thenRejects('invalid', /communeCode/);
    });

    it('both the old and the successor office act on it until it moves, then only the new one', () => {
      const s = imported();
      const propose: CommandInput = {
        type: 'ProposeRevocation',
        data: { ground: 'dd', concludedOn: '2026-12-01', finding: 'Ngừng sản xuất' },
      };
      given(s.events).when(propose, meta('2026-12-02', oldOffice)).thenTypes(['RevocationProposed']);
      given(s.events).when(propose, meta('2026-12-02', newOffice)).thenTypes(['RevocationProposed']);
      given(s.events).when(propose, meta('2026-12-02', hanoiOffice)).thenRejects('forbidden');
      s.run(move('00691'), '2026-12-03', newOffice);
      given(s.events).when(propose, meta('2026-12-04', oldOffice)).thenRejects('forbidden');
      given(s.events).when(propose, meta('2026-12-04', newOffice)).thenTypes(['RevocationProposed']);
      expect(s.state.status !== 'none' && s.state.formerPlaces[0]).toEqual({
        provinceCode: '02',
        communeCode: '00692',
        districtCode: '024',
      });
    });
  });
});
