import ExcelJS from 'exceljs';
import { csvOf } from '../../reports/xlsx';

/**
 * A province's file with good and bad rows, as CSV and as .xlsx (the same rows): what the import tests read. Row
 * numbers in the file are the spreadsheet's (headings = row 1, so `ROWS[i]` is row i + 2).
 */
export const HEAD = [
  'Loại bản ghi',
  'Mã sản phẩm',
  'Mã chủ thể',
  'Tên chủ thể',
  'Tên sản phẩm',
  'Bộ sản phẩm',
  'Mã tỉnh',
  'Mã xã',
  'Số giấy chứng nhận',
  'Hạng sao',
  'Cấp công nhận',
  'Ngày cấp',
  'Số hồ sơ',
  'Ngày nộp hồ sơ',
  'Ngày chuyển tỉnh',
  'Đối tượng nhận',
  'Mã đối tượng nhận',
  'Kênh',
  'Địa chỉ nhận',
];

type Row = Partial<Record<(typeof HEAD)[number], string>>;
const certified = (p: string, cert: string, star: string, issued: string, extra: Row = {}): Row => ({
  'Loại bản ghi': 'Sản phẩm đã công nhận',
  'Mã sản phẩm': p,
  'Mã chủ thể': `HTX-${p}`,
  'Tên chủ thể': 'HTX Chè Hoàng Bình',
  'Tên sản phẩm': `Chè Tân Cương ${p}`,
  'Bộ sản phẩm': 'tea',
  'Mã tỉnh': '19',
  'Mã xã': '05503',
  'Số giấy chứng nhận': cert,
  'Hạng sao': star,
  'Ngày cấp': issued,
  ...extra,
});

/**
 * `tag` keeps product codes and certificate numbers apart between test files sharing a database. `bad` is the
 * character row 8 holds that no record can: NUL in CSV; XML cannot carry NUL, so a workbook has a bidirectional
 * override (U+202E) instead.
 */
export function importRows(tag: string, bad = '\u0000'): Row[] {
  return [
    /* 2 */ certified(`${tag}-A1`, `${tag}-GCN-1`, '4', '01/03/2026'),
    /* 3 */ certified(`${tag}-A2`, `${tag}-GCN-2`, '3', '10/05/2024'),
    /* 4 */ certified(`${tag}-A3`, `${tag}-GCN-3`, '3', '01/03/2024', { 'Mã xã': '99999' }),
    /* 5 */ certified(`${tag}-A4`, `${tag}-GCN-4`, '5', '01/02/2025', { 'Cấp công nhận': 'tỉnh' }),
    /* 6 */ certified(`${tag}-A5`, `${tag}-GCN-1`, '4', '01/04/2026'),
    /* 7 */ certified(`${tag}-A6`, `${tag}-GCN-6`, '4', '31/02/2025'),
    /* 8 */ certified(`${tag}-A7`, `${tag}-GCN-7`, '4', '01/03/2026', { 'Tên sản phẩm': `Chè${bad} Tân Cương` }),
    /* 9 */ {
      'Loại bản ghi': 'Hồ sơ đang đánh giá',
      'Mã chủ thể': `HTX-${tag}-D1`,
      'Tên chủ thể': 'HTX Miến Dong',
      'Tên sản phẩm': 'Miến dong',
      'Bộ sản phẩm': 'tea',
      'Mã tỉnh': '19',
      'Mã xã': '01840',
      'Số hồ sơ': `${tag}-HS-17`,
      'Ngày nộp hồ sơ': '01/10/2026',
      'Ngày chuyển tỉnh': '15/10/2026',
    },
    /* 10 */ {
      'Loại bản ghi': 'Người nhận thông báo',
      'Đối tượng nhận': 'tỉnh',
      'Mã đối tượng nhận': '19',
      Kênh: 'email',
      'Địa chỉ nhận': `ocop-${tag.toLowerCase()}@thainguyen.gov.vn`,
    },
    /* 11 */ certified(`${tag}-A8`, `${tag}-GCN-8`, '2', '01/03/2025'),
    /* 12 */ certified(`${tag}-A9`, `${tag}-GCN-9`, '5', '15/01/2026', { 'Cấp công nhận': 'trung ương' }),
  ];
}

/** The rows that are good: 2, 3, 9, 10, 12. */
export const GOOD_ROWS = [2, 3, 9, 10, 12];

export function importCsv(rows: Row[]): Buffer {
  return Buffer.from(
    csvOf(
      HEAD,
      rows.map((r) => HEAD.map((h) => r[h] ?? '')),
    ),
    'utf8',
  );
}

/** The same rows as a workbook; issue dates as Excel dates, as a province's spreadsheet holds them. */
export async function importXlsx(rows: Row[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Dữ liệu');
  sheet.addRow(HEAD);
  for (const r of rows) {
    sheet.addRow(
      HEAD.map((h) => {
        const v = r[h] ?? '';
        const d = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(v);
        // A real date where there is one (31/02 stays text, as a typed-in wrong date would).
        if (h === 'Ngày cấp' && d) {
          const date = new Date(Date.UTC(Number(d[3]), Number(d[2]) - 1, Number(d[1])));
          if (date.getUTCDate() === Number(d[1])) return date;
        }
        return v;
      }),
    );
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}
