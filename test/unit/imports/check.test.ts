import { describe, expect, it } from 'vitest';
import { checkRows, parseDate, problemLine } from '../../../imports/check';
import { readImportFile } from '../../../imports/read';
import { GOOD_ROWS, importCsv, importRows, importXlsx } from '../../support/import-files';

const actor = { userId: 'u-import', role: 'admin' as const, office: 'VN' };
const check = async (bytes: Buffer) => checkRows((await readImportFile(bytes)).rows, { actor, today: '2026-12-07' });

describe('checking an import file, row by row', () => {
  it.each([
    ['CSV', () => Promise.resolve(importCsv(importRows('U'))), 'ký tự NUL \\(U\\+0000\\)'],
    ['xlsx', () => importXlsx(importRows('U', '\u202E')), 'ký tự điều khiển hướng chữ \\(U\\+202E\\)'],
  ])('names every bad row of the %s file by row and column, in Vietnamese', async (_, file, bad) => {
    const planned = await check(await file());
    const lines = planned.flatMap((p) => p.problems.map(problemLine));
    expect(planned.filter((p) => p.problems.length === 0).map((p) => p.rowNo)).toEqual(GOOD_ROWS);
    expect(lines).toContainEqual(
      expect.stringMatching(/^Dòng 4, cột Mã xã: Mã xã "99999" không phải .* ngày 01\/03\/2024/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^Dòng 5, cột Hạng sao: theo QĐ 148.*5 sao .*cấp trung ương công nhận, cấp tỉnh không/),
    );
    expect(lines).toContainEqual('Dòng 6, cột Số giấy chứng nhận: số giấy chứng nhận U-GCN-1 trùng với dòng 2 của tệp');
    expect(lines).toContainEqual('Dòng 7, cột Ngày cấp: "31/02/2025" không phải ngày hợp lệ (dd/MM/yyyy)');
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^Dòng 8, cột Tên sản phẩm: chứa ${bad}, không lưu được`)),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^Dòng 11, cột Hạng sao: hạng 2 sao không được công nhận/));
    expect(lines).toHaveLength(6);
  });

  it('derives each row’s key and product code from its content, not its position', async () => {
    const rows = importRows('K');
    const a = await check(importCsv(rows));
    const b = await check(importCsv([...rows].reverse()));
    const keys = (planned: typeof a) => new Map(planned.filter((p) => p.key).map((p) => [p.productId, p.key]));
    expect(keys(b)).toEqual(keys(a));
    expect(a.find((p) => p.rowNo === 9)?.productId).toMatch(/^HS-[0-9a-f]{20}$/);
  });

  it('refuses rows of another province when importing one province', async () => {
    const planned = checkRows((await readImportFile(importCsv(importRows('P')))).rows, {
      actor,
      today: '2026-12-07',
      province: '01',
    });
    expect(problemLine(planned[0]!.problems[0]!)).toBe('Dòng 2, cột Mã tỉnh: tỉnh 19 không phải tỉnh đang nhập (01)');
  });

  it('reads dates as officials write them', () => {
    expect(parseDate('01/03/2026')).toBe('2026-03-01');
    expect(parseDate('1/3/2026')).toBe('2026-03-01');
    expect(parseDate('2026-03-01')).toBe('2026-03-01');
    expect(parseDate('29/02/2025')).toBeNull();
    expect(parseDate('03/01/26')).toBeNull();
  });
});
