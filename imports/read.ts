import ExcelJS from 'exceljs';
import { printable } from '../domain/text';
import { columnOf, type Field, type RowRecord } from './columns';

/*
 * Reads an import file, CSV or .xlsx, into rows of cells by field. Row numbers are the spreadsheet's own (the
 * headings are row 1), so a problem names the row an official sees; blank rows are skipped, not renumbered.
 */

export interface FileRow {
  /** The row's number in the file (headings = 1). */
  readonly rowNo: number;
  readonly cells: RowRecord;
}

export interface ReadFile {
  readonly format: 'csv' | 'xlsx';
  readonly rows: readonly FileRow[];
  /** Headings the import does not read, as written. */
  readonly ignoredHeadings: string[];
}

/** Thrown when the file cannot be read at all (not CSV or .xlsx, no headings): nothing is checked. */
export class UnreadableFileError extends Error {
  constructor(
    message: string,
    /** In Vietnamese. */
    readonly vi: string,
  ) {
    super(message);
    this.name = 'UnreadableFileError';
  }
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

export async function readImportFile(bytes: Buffer): Promise<ReadFile> {
  const xlsx = bytes.subarray(0, 4).equals(ZIP_MAGIC);
  const [head, ...body] = xlsx ? await xlsxTable(bytes) : csvTable(bytes);
  if (!head || head.row.every((h) => h.trim() === '')) {
    throw new UnreadableFileError('the file has no heading row', 'Tệp không có dòng tiêu đề.');
  }
  const fields = head.row.map((h) => (columnOf(h)?.field ?? null) as Field | null);
  if (!fields.includes('kind')) {
    throw new UnreadableFileError(
      'the heading row has no "Loại bản ghi" (Kind) column',
      'Dòng tiêu đề không có cột "Loại bản ghi".',
    );
  }
  const rows: FileRow[] = [];
  for (const { rowNo, row } of body) {
    if (row.every((c) => c.trim() === '')) continue;
    const cells: RowRecord = {};
    row.forEach((value, i) => {
      const field = fields[i];
      if (field && value.trim() !== '') cells[field] = value.trim();
    });
    rows.push({ rowNo, cells });
  }
  return {
    format: xlsx ? 'xlsx' : 'csv',
    rows,
    // Reported, never echoed with what no record may hold.
    ignoredHeadings: head.row.filter((h, i) => h.trim() !== '' && fields[i] === null).map(printable),
  };
}

interface TableRow {
  rowNo: number;
  row: string[];
}

/** RFC 4180 CSV, UTF-8 with or without a byte-order mark; `,` or `;` (Excel in some locales) as the separator. */
function csvTable(bytes: Buffer): TableRow[] {
  let text = bytes.toString('utf8');
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const sep = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const rows: TableRow[] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowStart = 1;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else quoted = false;
      } else {
        if (ch === '\n') line += 1;
        cell += ch;
      }
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === sep) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
      row.push(cell);
      rows.push({ rowNo: rowStart, row });
      row = [];
      cell = '';
      line += 1;
      rowStart = line;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push({ rowNo: rowStart, row });
  }
  return rows;
}

/** The first worksheet of an .xlsx workbook; dates as YYYY-MM-DD, numbers as written, formulas by their result. */
async function xlsxTable(bytes: Buffer): Promise<TableRow[]> {
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    throw new UnreadableFileError(
      `not an .xlsx workbook: ${String(err)}`,
      'Tệp không phải bảng tính Excel (.xlsx) đọc được.',
    );
  }
  const sheet = book.worksheets[0];
  if (!sheet) throw new UnreadableFileError('the workbook has no worksheet', 'Bảng tính không có trang nào.');
  const width = sheet.columnCount;
  const rows: TableRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (r, rowNo) => {
    const row: string[] = [];
    for (let c = 1; c <= width; c += 1) row.push(cellText(r.getCell(c).value));
    rows.push({ rowNo, row });
  });
  return rows;
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('result' in v) return cellText(v.result);
    if ('text' in v) return String(v.text);
    return '';
  }
  return String(v);
}
