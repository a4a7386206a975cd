/*
 * The columns of a province's import file (một tỉnh chuyển hồ sơ giấy sang hệ thống): one row per record, its kind
 * in the first column. Headings are Vietnamese (as the template writes them); English aliases are accepted, and
 * either is matched whatever its case, spacing and diacritics ("Ma xa" finds "Mã xã").
 */

/** What a row holds. */
export const RowKind = { Certified: 'certified', Dossier: 'dossier', Recipient: 'recipient' } as const;
export type RowKind = (typeof RowKind)[keyof typeof RowKind];

export interface Column {
  /** The field of the row record. */
  readonly field: string;
  /** The heading the template writes, and errors name. */
  readonly vi: string;
  readonly en: string;
  /** Other accepted headings. */
  readonly aliases?: readonly string[];
  /** What the README and the template's notes say about it. */
  readonly note: string;
}

export const COLUMNS = [
  {
    field: 'kind',
    vi: 'Loại bản ghi',
    en: 'Kind',
    note: '"Sản phẩm đã công nhận" (certified), "Hồ sơ đang đánh giá" (dossier) hoặc "Người nhận thông báo" (recipient)',
  },
  {
    field: 'productId',
    vi: 'Mã sản phẩm',
    en: 'Product code',
    aliases: ['productId'],
    note: 'mã số sản phẩm; từ 22/05/2026 (QĐ 26/2026) dạng <mã tỉnh>-<mã xã>-<số thứ tự>-<năm>; hồ sơ đang đánh giá: để trống thì tự đặt',
  },
  { field: 'subjectId', vi: 'Mã chủ thể', en: 'Subject id', aliases: ['subjectId'], note: 'mã số thuế / mã chủ thể' },
  {
    field: 'subjectName',
    vi: 'Tên chủ thể',
    en: 'Subject name',
    aliases: ['subjectName'],
    note: 'tên HTX, doanh nghiệp, hộ',
  },
  { field: 'productName', vi: 'Tên sản phẩm', en: 'Product name', aliases: ['productName'], note: '' },
  {
    field: 'productSetCode',
    vi: 'Bộ sản phẩm',
    en: 'Product set',
    aliases: ['productSetCode'],
    note: 'mã bộ sản phẩm theo Phụ lục I (GET /product-sets), ví dụ tea',
  },
  { field: 'provinceCode', vi: 'Mã tỉnh', en: 'Province code', aliases: ['provinceCode'], note: 'mã tỉnh (GSO)' },
  {
    field: 'districtCode',
    vi: 'Mã huyện',
    en: 'District code',
    aliases: ['districtCode'],
    note: 'chỉ cho địa bàn trước 01/07/2025',
  },
  {
    field: 'communeCode',
    vi: 'Mã xã',
    en: 'Commune code',
    aliases: ['communeCode'],
    note: 'mã xã hợp lệ vào ngày cấp giấy chứng nhận (hoặc ngày nộp hồ sơ), hay hôm nay',
  },
  {
    field: 'certificateNumber',
    vi: 'Số giấy chứng nhận',
    en: 'Certificate number',
    aliases: ['certificateNumber', 'Số GCN'],
    note: 'không trùng trong tệp và với giấy đã ghi',
  },
  { field: 'star', vi: 'Hạng sao', en: 'Star', aliases: ['Số sao'], note: '3, 4 hoặc 5' },
  {
    field: 'level',
    vi: 'Cấp công nhận',
    en: 'Level',
    note: '"huyện", "tỉnh" hoặc "trung ương" (district, province, ministry); để trống thì theo bộ quy định',
  },
  { field: 'issuedOn', vi: 'Ngày cấp', en: 'Issued on', aliases: ['issuedOn'], note: 'dd/MM/yyyy' },
  {
    field: 'expiresOn',
    vi: 'Ngày hết hạn',
    en: 'Expires on',
    aliases: ['expiresOn'],
    note: 'dd/MM/yyyy; để trống thì 36 tháng kể từ ngày cấp',
  },
  {
    field: 'decisionNumber',
    vi: 'Số quyết định',
    en: 'Decision number',
    aliases: ['decisionNumber'],
    note: 'quyết định công nhận',
  },
  { field: 'issuedBy', vi: 'Cơ quan cấp', en: 'Issued by', aliases: ['issuedBy'], note: 'mã tỉnh hoặc huyện như in' },
  {
    field: 'dossierRef',
    vi: 'Số hồ sơ',
    en: 'Dossier reference',
    aliases: ['dossierRef'],
    note: 'hồ sơ đang đánh giá, hoặc hồ sơ đánh giá lại đã gửi của sản phẩm đã công nhận',
  },
  { field: 'filedOn', vi: 'Ngày nộp hồ sơ', en: 'Filed on', aliases: ['filedOn'], note: 'dd/MM/yyyy' },
  {
    field: 'forwardedOn',
    vi: 'Ngày chuyển tỉnh',
    en: 'Forwarded on',
    aliases: ['forwardedOn'],
    note: 'dd/MM/yyyy, ngày xã chuyển hồ sơ lên tỉnh',
  },
  {
    field: 'audience',
    vi: 'Đối tượng nhận',
    en: 'Audience',
    note: '"chủ thể", "xã", "tỉnh" hoặc "bộ" (subject, commune, province, ministry)',
  },
  {
    field: 'audienceCode',
    vi: 'Mã đối tượng nhận',
    en: 'Audience code',
    aliases: ['audienceCode'],
    note: 'mã chủ thể, mã xã, mã tỉnh hoặc MINISTRY',
  },
  { field: 'channel', vi: 'Kênh', en: 'Channel', note: '"email" hoặc "webhook"' },
  { field: 'address', vi: 'Địa chỉ nhận', en: 'Address', note: 'địa chỉ e-mail hoặc URL http(s)' },
  { field: 'language', vi: 'Ngôn ngữ', en: 'Language', note: '"vi" (mặc định) hoặc "en"' },
  { field: 'displayName', vi: 'Tên hiển thị', en: 'Display name', aliases: ['displayName'], note: '' },
] as const satisfies readonly Column[];

export type Field = (typeof COLUMNS)[number]['field'];
export type RowRecord = Partial<Record<Field, string>>;

/** Lower case, no diacritics (đ → d), single spaces: how headings and enumerated values are compared. */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/[\s_]+/g, ' ')
    .trim();
}

const BY_HEADING: ReadonlyMap<string, Column> = new Map(
  COLUMNS.flatMap((c: Column) => [c.vi, c.en, c.field, ...(c.aliases ?? [])].map((h) => [fold(h), c] as const)),
);

/** The column a heading names, or null for a column the import does not read (kept out, reported once). */
export function columnOf(heading: string): Column | null {
  return BY_HEADING.get(fold(heading)) ?? null;
}

export function headingOf(field: Field): string {
  return COLUMNS.find((c) => c.field === field)?.vi ?? field;
}

const KIND_WORDS: Readonly<Record<string, RowKind>> = {
  'san pham da cong nhan': 'certified',
  'san pham': 'certified',
  certified: 'certified',
  'certified product': 'certified',
  'ho so dang danh gia': 'dossier',
  'ho so': 'dossier',
  dossier: 'dossier',
  'dossier in progress': 'dossier',
  'nguoi nhan thong bao': 'recipient',
  'nguoi nhan': 'recipient',
  recipient: 'recipient',
};

export function kindOf(value: string): RowKind | null {
  return KIND_WORDS[fold(value)] ?? null;
}

/** The Vietnamese word for a kind, as the template writes it. */
export const KIND_VI: Readonly<Record<RowKind, string>> = {
  certified: 'Sản phẩm đã công nhận',
  dossier: 'Hồ sơ đang đánh giá',
  recipient: 'Người nhận thông báo',
};

export const LEVEL_WORDS: Readonly<Record<string, 'district' | 'province' | 'ministry'>> = {
  huyen: 'district',
  'cap huyen': 'district',
  district: 'district',
  tinh: 'province',
  'cap tinh': 'province',
  province: 'province',
  'trung uong': 'ministry',
  'cap trung uong': 'ministry',
  bo: 'ministry',
  ministry: 'ministry',
};

export const AUDIENCE_WORDS: Readonly<Record<string, 'subject' | 'commune' | 'province' | 'ministry'>> = {
  'chu the': 'subject',
  subject: 'subject',
  xa: 'commune',
  commune: 'commune',
  tinh: 'province',
  province: 'province',
  bo: 'ministry',
  'trung uong': 'ministry',
  ministry: 'ministry',
};
