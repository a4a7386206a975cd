import ExcelJS from 'exceljs';

/*
 * Excel workbooks (.xlsx) of a report table, as a coordination office files them: one sheet, Vietnamese headings
 * in bold on a frozen first row, names (never bare codes) in the cells, numbers as numbers.
 */

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export async function tableXlsx(o: {
  sheet: string;
  title: string;
  head: readonly string[];
  rows: readonly (readonly (string | number | null)[])[];
}): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'ocop-cycle';
  book.title = o.title;
  const sheet = book.addWorksheet(o.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.addRow([...o.head]).font = { bold: true };
  for (const row of o.rows) sheet.addRow(row.map((v) => v ?? ''));
  sheet.columns.forEach((column, i) => {
    const widest = Math.max(o.head[i]?.length ?? 0, ...o.rows.map((r) => String(r[i] ?? '').length));
    column.width = Math.min(60, Math.max(10, widest + 2));
  });
  return Buffer.from(await book.xlsx.writeBuffer());
}

const csvCell = (v: string | number | null): string => {
  const text = v === null ? '' : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** The same table as CSV: UTF-8 with a byte-order mark (so Excel reads the diacritics), CRLF line ends. */
export function csvOf(head: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  return `\uFEFF${[head, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
