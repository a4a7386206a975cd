import { createHash } from 'node:crypto';
import type { Sql } from '../db';
import { localDate } from '../domain/calendar';
import { provinces } from '../domain/places';
import { PRODUCT_SETS } from '../domain/scoring';
import { csvOf } from '../reports/xlsx';
import { communeName, provinceName } from '../read-models/search/queries';

/*
 * Open data of OCOP certified products (issue 20): each product's latest certificate with public facts only (the
 * product, its set and star, its commune and province by name and code, the certificate's number, dates and status
 * on the day of the export). No subject, no person, no contact, no case id. Written daily by the
 * `ocop-open-data-daily` Schedule, nationwide and per province, as CSV and JSON, under CC BY 4.0.
 */

export const OPEN_DATA_LICENCE = {
  id: 'CC-BY-4.0',
  name: 'Creative Commons Attribution 4.0 International',
  url: 'https://creativecommons.org/licenses/by/4.0/',
  attribution: 'Chương trình OCOP — dữ liệu từ hệ thống ocop-cycle / OCOP programme, data from ocop-cycle',
} as const;

export const OPEN_DATA_SCHEMA_PATH = '/public/open-data/schema.json';

/** The fields of a row, in the CSV's column order. */
export const OPEN_DATA_FIELDS = [
  'productName',
  'productSetCode',
  'productSetName',
  'star',
  'communeCode',
  'communeName',
  'provinceCode',
  'provinceName',
  'certificateNumber',
  'issuedOn',
  'expiresOn',
  'status',
] as const;

export const OPEN_DATA_STATUSES = ['in_force', 'expired', 'revoked'] as const;

export interface OpenDataProduct {
  productName: string;
  productSetCode: string;
  productSetName: string;
  star: number;
  communeCode: string;
  communeName: string;
  provinceCode: string;
  provinceName: string;
  certificateNumber: string;
  issuedOn: string;
  expiresOn: string;
  status: (typeof OPEN_DATA_STATUSES)[number];
}

const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;

/** The JSON Schema (2020-12) of the JSON files; the CSV files have the same fields as columns, in this order. */
export const OPEN_DATA_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: OPEN_DATA_SCHEMA_PATH,
  title: 'Sản phẩm OCOP được chứng nhận / OCOP certified products',
  description:
    'Mỗi sản phẩm với giấy chứng nhận mới nhất của nó; chỉ thông tin công khai, không có cá nhân nào. Tệp CSV có ' +
    `cùng các trường làm cột, theo thứ tự: ${OPEN_DATA_FIELDS.join(', ')} (UTF-8 có BOM). / Each product with its ` +
    'latest certificate; public facts only, no person. The CSV files carry the same fields as columns, in that order.',
  type: 'object',
  additionalProperties: false,
  required: ['schema', 'licence', 'generatedAt', 'asOf', 'provinceCode', 'products'],
  properties: {
    schema: { type: 'string', description: 'This schema’s path.' },
    licence: {
      type: 'object',
      description: 'Giấy phép / licence: CC BY 4.0 (ghi nguồn / attribution).',
      required: ['id', 'name', 'url', 'attribution'],
      properties: {
        id: { const: OPEN_DATA_LICENCE.id },
        name: { type: 'string' },
        url: { type: 'string' },
        attribution: { type: 'string' },
      },
    },
    generatedAt: { type: 'string', format: 'date-time', description: 'Thời điểm tạo tệp (UTC) / generated at.' },
    asOf: { ...date, description: 'Ngày (giờ Việt Nam) trạng thái được tính / the Vietnamese date of the status.' },
    provinceCode: {
      type: ['string', 'null'],
      description: 'Tỉnh của tệp, null cho tệp toàn quốc / the file’s province, null nationwide.',
    },
    products: { type: 'array', items: { $ref: '#/$defs/product' } },
  },
  $defs: {
    product: {
      type: 'object',
      additionalProperties: false,
      required: [...OPEN_DATA_FIELDS],
      properties: {
        productName: { type: 'string', minLength: 1, description: 'Tên sản phẩm / product name.' },
        productSetCode: { type: 'string', description: 'Mã bộ sản phẩm (GET /product-sets) / product set code.' },
        productSetName: { type: 'string', description: 'Tên bộ sản phẩm / product set name (Vietnamese).' },
        star: { type: 'integer', minimum: 3, maximum: 5, description: 'Hạng sao / star rating.' },
        communeCode: { type: 'string', pattern: '^\\d{5}$', description: 'Mã xã/phường / commune code.' },
        communeName: { type: 'string', description: 'Tên xã/phường / commune name.' },
        provinceCode: { type: 'string', pattern: '^\\d{2}$', description: 'Mã tỉnh/thành phố / province code.' },
        provinceName: { type: 'string', description: 'Tên tỉnh/thành phố / province name.' },
        certificateNumber: { type: 'string', minLength: 1, description: 'Số giấy chứng nhận / certificate number.' },
        issuedOn: { ...date, description: 'Ngày cấp / issued on.' },
        expiresOn: { ...date, description: 'Ngày hết hiệu lực (kể cả gia hạn) / last day valid, extension included.' },
        status: {
          enum: [...OPEN_DATA_STATUSES],
          description: 'Còn hiệu lực, hết hạn, bị thu hồi (ngày asOf) / in force, expired, revoked (on asOf).',
        },
      },
    },
  },
} as const;

interface Row {
  product_name: string;
  product_set_code: string;
  star: number;
  commune_code: string;
  province_code: string;
  certificate_number: string;
  issued_on: string;
  until: string;
  status: string;
}

const SET_NAMES = new Map(PRODUCT_SETS.map((p) => [p.code, p.title]));

/** Every product's latest certificate, as open data on `today`, ordered by province, commune and number. */
export async function openDataProducts(sql: Sql, today: string): Promise<OpenDataProduct[]> {
  const rows = await sql<Row[]>`
    SELECT DISTINCT ON (c.product_id) k.product_name, k.product_set_code, c.star, k.commune_code, k.province_code,
           c.certificate_number, c.issued_on::text AS issued_on,
           coalesce(c.extended_until, c.expires_on)::text AS until, c.status
    FROM certificates c JOIN cases k ON k.product_id = c.product_id
    WHERE k.product_name IS NOT NULL AND k.commune_code IS NOT NULL AND k.province_code IS NOT NULL
    ORDER BY c.product_id, c.term_no DESC`;
  return rows
    .map((r): OpenDataProduct => ({
      productName: r.product_name,
      productSetCode: r.product_set_code,
      productSetName: SET_NAMES.get(r.product_set_code) ?? r.product_set_code,
      star: r.star,
      communeCode: r.commune_code,
      communeName: communeName(r.commune_code) ?? r.commune_code,
      provinceCode: r.province_code,
      provinceName: provinceName(r.province_code) ?? r.province_code,
      certificateNumber: r.certificate_number,
      issuedOn: r.issued_on,
      expiresOn: r.until,
      status: r.status === 'revoked' ? 'revoked' : r.status === 'valid' && r.until >= today ? 'in_force' : 'expired',
    }))
    .sort(
      (a, b) =>
        a.provinceCode.localeCompare(b.provinceCode) ||
        a.communeCode.localeCompare(b.communeCode) ||
        a.certificateNumber.localeCompare(b.certificateNumber),
    );
}

export interface OpenDataFile {
  name: string;
  mediaType: 'text/csv' | 'application/json';
  provinceCode: string | null;
  content: Buffer;
  sha256: string;
  rows: number;
}

/** The file name of a scope's export: `ocop-products.csv` nationwide, `ocop-products-19.json` for a province. */
export const openDataFileName = (provinceCode: string | null, ext: 'csv' | 'json') =>
  `ocop-products${provinceCode ? `-${provinceCode}` : ''}.${ext}`;

/** The CSV and JSON files of every scope: nationwide, each current province, and any other province with products. */
export function openDataFiles(products: readonly OpenDataProduct[], generatedAt: string): OpenDataFile[] {
  const asOf = localDate(generatedAt);
  const codes = new Set([...provinces('current').map((p) => p.code), ...products.map((p) => p.provinceCode)]);
  const scopes: (string | null)[] = [null, ...[...codes].sort()];
  return scopes.flatMap((provinceCode) => {
    const rows = provinceCode === null ? products : products.filter((p) => p.provinceCode === provinceCode);
    const csv = Buffer.from(
      csvOf(
        OPEN_DATA_FIELDS,
        rows.map((p) => OPEN_DATA_FIELDS.map((f) => p[f])),
      ),
      'utf8',
    );
    const json = Buffer.from(
      `${JSON.stringify(
        {
          schema: OPEN_DATA_SCHEMA_PATH,
          licence: OPEN_DATA_LICENCE,
          generatedAt,
          asOf,
          provinceCode,
          products: rows,
        },
        null,
        1,
      )}\n`,
      'utf8',
    );
    return (
      [
        ['csv', 'text/csv', csv],
        ['json', 'application/json', json],
      ] as const
    ).map(([ext, mediaType, content]) => ({
      name: openDataFileName(provinceCode, ext),
      mediaType,
      provinceCode,
      content,
      sha256: createHash('sha256').update(content).digest('hex'),
      rows: rows.length,
    }));
  });
}

/** Generates and stores the day's files (each replaces its previous generation). Idempotent for one `at`. */
export async function writeOpenData(sql: Sql, at: string): Promise<{ files: number; rows: number }> {
  const generatedAt = new Date(at).toISOString();
  const asOf = localDate(generatedAt);
  const products = await openDataProducts(sql, asOf);
  const files = openDataFiles(products, generatedAt);
  await sql.begin(async (tx) => {
    for (const f of files) {
      await tx`
        INSERT INTO open_data_files (name, media_type, province_code, content, sha256, bytes, rows, as_of, generated_at)
        VALUES (${f.name}, ${f.mediaType}, ${f.provinceCode}, ${f.content}, ${f.sha256}, ${f.content.length},
                ${f.rows}, ${asOf}, ${generatedAt})
        ON CONFLICT (name) DO UPDATE SET media_type = EXCLUDED.media_type, province_code = EXCLUDED.province_code,
          content = EXCLUDED.content, sha256 = EXCLUDED.sha256, bytes = EXCLUDED.bytes, rows = EXCLUDED.rows,
          as_of = EXCLUDED.as_of, generated_at = EXCLUDED.generated_at`;
    }
  });
  return { files: files.length, rows: products.length };
}

export interface StoredOpenDataFile {
  name: string;
  mediaType: string;
  provinceCode: string | null;
  sha256: string;
  bytes: number;
  rows: number;
  asOf: string;
  generatedAt: string;
}

interface StoredRow {
  name: string;
  media_type: string;
  province_code: string | null;
  sha256: string;
  bytes: number;
  rows: number;
  as_of: string;
  generated_at: Date;
}

const stored = (r: StoredRow): StoredOpenDataFile => ({
  name: r.name,
  mediaType: r.media_type,
  provinceCode: r.province_code,
  sha256: r.sha256,
  bytes: r.bytes,
  rows: r.rows,
  asOf: r.as_of,
  generatedAt: r.generated_at.toISOString(),
});

/** The stored files without their content, nationwide first. */
export async function listOpenDataFiles(sql: Sql): Promise<StoredOpenDataFile[]> {
  const rows = await sql<StoredRow[]>`
    SELECT name, media_type, province_code, sha256, bytes, rows, as_of::text AS as_of, generated_at
    FROM open_data_files ORDER BY province_code NULLS FIRST, name`;
  return rows.map(stored);
}

/** One stored file with its content, or null. */
export async function openDataFile(sql: Sql, name: string): Promise<(StoredOpenDataFile & { content: Buffer }) | null> {
  const [row] = await sql<(StoredRow & { content: Buffer })[]>`
    SELECT name, media_type, province_code, sha256, bytes, rows, as_of::text AS as_of, generated_at, content
    FROM open_data_files WHERE name = ${name}`;
  return row ? { ...stored(row), content: row.content } : null;
}
