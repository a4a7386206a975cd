import ExcelJS from 'exceljs';
import { csvOf } from '../reports/xlsx';
import { COLUMNS, KIND_VI } from './columns';

/*
 * The template a province fills in: the headings in Vietnamese (bold, frozen), one example row of each kind, and a
 * second sheet "Hướng dẫn" that explains each column. The import reads only the first sheet.
 */

const EXAMPLES: readonly Partial<Record<(typeof COLUMNS)[number]['field'], string>>[] = [
  {
    kind: KIND_VI.certified,
    productId: '19-05503-001-2026',
    subjectId: 'HTX-0101',
    subjectName: 'HTX Chè Hoàng Bình',
    productName: 'Chè Tân Cương',
    productSetCode: 'tea',
    provinceCode: '19',
    communeCode: '05503',
    certificateNumber: 'GCN-2026-001',
    star: '4',
    level: 'tỉnh',
    issuedOn: '01/03/2026',
    decisionNumber: '123/QĐ-UBND',
  },
  {
    kind: KIND_VI.dossier,
    subjectId: 'HTX-0102',
    subjectName: 'HTX Miến Dong',
    productName: 'Miến dong Bắc Kạn',
    productSetCode: 'tea',
    provinceCode: '19',
    communeCode: '01840',
    dossierRef: 'HS-2026-17',
    filedOn: '01/10/2026',
    forwardedOn: '15/10/2026',
  },
  {
    kind: KIND_VI.recipient,
    audience: 'tỉnh',
    audienceCode: '19',
    channel: 'email',
    address: 'ocop@thainguyen.gov.vn',
    displayName: 'Văn phòng OCOP tỉnh',
  },
];

const head = COLUMNS.map((c) => c.vi);
const rows = EXAMPLES.map((e) => COLUMNS.map((c) => e[c.field] ?? ''));

export async function importTemplateXlsx(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'ocop-cycle';
  book.title = 'Mẫu nhập dữ liệu OCOP';
  const sheet = book.addWorksheet('Dữ liệu', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.addRow(head).font = { bold: true };
  for (const row of rows) sheet.addRow(row);
  // Codes keep their leading zeros: every cell is text.
  sheet.columns.forEach((column, i) => {
    column.numFmt = '@';
    column.width = Math.max(12, (head[i]?.length ?? 0) + 2);
  });
  const help = book.addWorksheet('Hướng dẫn');
  help.addRow(['Cột', 'Tiếng Anh', 'Nội dung']).font = { bold: true };
  for (const c of COLUMNS) help.addRow([c.vi, c.en, c.note]);
  help.columns.forEach((column, i) => (column.width = i === 2 ? 90 : 24));
  return Buffer.from(await book.xlsx.writeBuffer());
}

export function importTemplateCsv(): string {
  return csvOf(head, rows);
}
