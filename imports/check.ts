import { canonicalJson, sha256Hex } from '../db/canonical';
import {
  commandSchema,
  decide,
  DomainError,
  initialState,
  ruleSetInForce,
  textFault,
  type Actor,
  type Command,
  type FieldIssue,
} from '../domain';
import { DISTRICTS_ABOLISHED_ON, expiryFor, recognitionLevel } from '../domain/case/policy';
import { isCurrentCommune, isLegacyCommune } from '../domain/places';
import { recipientSchema, type Recipient } from '../notifications/recipients';
import { DOMAIN_REFUSALS } from '../api/problems';
import {
  AUDIENCE_WORDS,
  COLUMNS,
  fold,
  headingOf,
  kindOf,
  LEVEL_WORDS,
  type Field,
  type RowKind,
  type RowRecord,
} from './columns';
import type { FileRow } from './read';

/*
 * What each row of an import file would record, and every problem that keeps it from being recorded, in Vietnamese
 * (then English) by row and column. Pure: the decider is asked on the empty case with the importer as actor, as the
 * case workflow will ask it; what the records already hold (cases, certificates, recipients) is checked in run.ts.
 */

export interface RowProblem {
  readonly rowNo: number;
  /** The column's Vietnamese heading; empty for a problem of the whole row. */
  readonly column: string;
  readonly vi: string;
  readonly en: string;
}

export type RowAction =
  | { readonly type: 'command'; readonly command: Command }
  | { readonly type: 'recipient'; readonly recipient: Recipient };

export interface PlannedRow {
  readonly rowNo: number;
  readonly kind: RowKind | null;
  /** The row's Idempotency-Key: a digest of what it records, never of where it is in the file. */
  readonly key: string;
  /** The product the row opens (certified products and dossiers). */
  readonly productId: string | null;
  readonly certificateNumber: string | null;
  readonly action: RowAction | null;
  readonly problems: RowProblem[];
}

export interface CheckOptions {
  /** Who imports: the actor the decider is asked with. */
  actor: Actor;
  /** The importer's date (YYYY-MM-DD, Vietnam), the decider's "today". */
  today: string;
  /** Only rows of this province may be imported. */
  province?: string | undefined;
}

/** `dd/MM/yyyy` for people. */
export const vnDate = (iso: string): string => iso.split('-').reverse().join('/');

/** The sentence an official reads: "Dòng 12, cột Mã xã: …". */
export function problemLine(p: RowProblem): string {
  return p.column ? `Dòng ${p.rowNo}, cột ${p.column}: ${p.vi}` : `Dòng ${p.rowNo}: ${p.vi}`;
}

/** Where a command field's issue is shown: the column it came from. */
const FIELD_COLUMNS: Readonly<Record<string, Field>> = {
  productId: 'productId',
  subjectId: 'subjectId',
  subjectName: 'subjectName',
  productName: 'productName',
  productSetCode: 'productSetCode',
  provinceCode: 'provinceCode',
  districtCode: 'districtCode',
  communeCode: 'communeCode',
  ruleSetId: 'issuedOn',
  'certificate.number': 'certificateNumber',
  'certificate.star': 'star',
  'certificate.level': 'level',
  'certificate.issuedOn': 'issuedOn',
  'certificate.expiresOn': 'expiresOn',
  'certificate.decisionNumber': 'decisionNumber',
  'certificate.issuedBy': 'issuedBy',
  'dossier.dossierRef': 'dossierRef',
  'dossier.filedOn': 'filedOn',
  'dossier.forwardedOn': 'forwardedOn',
  'reRatingDossier.dossierRef': 'dossierRef',
  'reRatingDossier.filedOn': 'filedOn',
  'reRatingDossier.forwardedOn': 'forwardedOn',
};

const PRODUCT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const CODE_WIDTH: Partial<Record<Field, number>> = { provinceCode: 2, districtCode: 3, communeCode: 5 };

/** Checks every row (file-wide: a certificate number or product code twice in the file). */
export function checkRows(rows: readonly FileRow[], o: CheckOptions): PlannedRow[] {
  const planned = rows.map((r) => checkRow(r, o));
  const seen = { cert: new Map<string, number>(), product: new Map<string, number>() };
  for (const p of planned) {
    if (p.certificateNumber) {
      const first = seen.cert.get(p.certificateNumber);
      if (first === undefined) seen.cert.set(p.certificateNumber, p.rowNo);
      else
        p.problems.push({
          rowNo: p.rowNo,
          column: headingOf('certificateNumber'),
          vi: `số giấy chứng nhận ${p.certificateNumber} trùng với dòng ${first} của tệp`,
          en: `certificate number ${p.certificateNumber} repeats row ${first} of the file`,
        });
    }
    if (p.productId) {
      const first = seen.product.get(p.productId);
      if (first === undefined) seen.product.set(p.productId, p.rowNo);
      else
        p.problems.push({
          rowNo: p.rowNo,
          column: headingOf('productId'),
          vi: `mã sản phẩm ${p.productId} trùng với dòng ${first} của tệp`,
          en: `product code ${p.productId} repeats row ${first} of the file`,
        });
    }
  }
  return planned;
}

function checkRow(row: FileRow, o: CheckOptions): PlannedRow {
  const problems: RowProblem[] = [];
  const at = (field: Field | '', vi: string, en: string) =>
    problems.push({ rowNo: row.rowNo, column: field ? headingOf(field) : '', vi, en });
  const cells: RowRecord = {};
  for (const c of COLUMNS) {
    const value = row.cells[c.field];
    if (value === undefined) continue;
    const fault = textFault(value);
    if (fault) {
      const [vi, en] = fault.split(' / ');
      at(c.field, `${vi ?? fault}, không lưu được`, `${en ?? fault}, which cannot be stored`);
      continue;
    }
    const width = CODE_WIDTH[c.field];
    // A spreadsheet that stored a code as a number dropped its leading zeros.
    cells[c.field] = width && /^\d+$/.test(value) ? value.padStart(width, '0') : value;
  }
  const empty: PlannedRow = {
    rowNo: row.rowNo,
    kind: null,
    key: '',
    productId: null,
    certificateNumber: null,
    action: null,
    problems,
  };
  const kind = cells.kind === undefined ? null : kindOf(cells.kind);
  if (!kind) {
    if (row.cells.kind !== undefined && cells.kind !== undefined)
      at('kind', `"${cells.kind}" không phải loại bản ghi nhập được`, `"${cells.kind}" is not a kind of record`);
    else if (row.cells.kind === undefined) at('kind', 'thiếu loại bản ghi', 'the kind of record is missing');
    return empty;
  }
  const need = (field: Field): string => {
    const v = cells[field];
    if (v === undefined && row.cells[field] === undefined) at(field, 'thiếu giá trị', 'missing');
    return v ?? '';
  };
  const date = (field: Field, required: boolean): string | null => {
    const raw = required ? need(field) : (cells[field] ?? '');
    if (raw === '') return null;
    const iso = parseDate(raw);
    if (!iso) {
      at(field, `"${raw}" không phải ngày hợp lệ (dd/MM/yyyy)`, `"${raw}" is not a date (dd/MM/yyyy)`);
      return null;
    }
    if (iso > o.today) at(field, `ngày ${vnDate(iso)} ở tương lai`, `${vnDate(iso)} is in the future`);
    return iso;
  };
  const withKey = (p: Omit<PlannedRow, 'key' | 'rowNo' | 'kind' | 'problems'>): PlannedRow => ({
    rowNo: row.rowNo,
    kind,
    problems,
    ...p,
    key: p.action ? `import-${sha256Hex(canonicalJson(p.action)).slice(0, 40)}` : '',
  });

  if (kind === 'recipient') return withKey({ productId: null, certificateNumber: null, action: recipientRow() });

  const base = {
    subjectId: need('subjectId'),
    subjectName: need('subjectName'),
    productName: need('productName'),
    productSetCode: need('productSetCode'),
    provinceCode: need('provinceCode'),
    communeCode: need('communeCode'),
    ...(cells.districtCode ? { districtCode: cells.districtCode } : {}),
  };
  if (o.province && base.provinceCode && base.provinceCode !== o.province)
    at(
      'provinceCode',
      `tỉnh ${base.provinceCode} không phải tỉnh đang nhập (${o.province})`,
      `province ${base.provinceCode} is not the province being imported (${o.province})`,
    );
  let productId = cells.productId ?? null;
  if (
    productId !== null &&
    (!PRODUCT_ID.test(productId) || productId.length > 64 || /^P[0-9a-f]{32}$/.test(productId))
  ) {
    at(
      'productId',
      `"${productId}" chỉ được gồm chữ, số và . _ - (tối đa 64 ký tự), không có dạng P + 32 chữ số hex`,
      `"${productId}": letters, digits, . _ - only (at most 64), not of the form P + 32 hex digits`,
    );
    productId = null;
  }

  let data: Record<string, unknown>;
  let certificateNumber: string | null = null;
  if (kind === 'certified') {
    if (productId === null && row.cells.productId === undefined) at('productId', 'thiếu giá trị', 'missing');
    certificateNumber = need('certificateNumber') || null;
    const issuedOn = date('issuedOn', true);
    const starText = need('star');
    const star = Number(starText);
    if (starText && !(Number.isInteger(star) && star >= 3 && star <= 5))
      at(
        'star',
        `hạng ${starText} sao không được công nhận: chỉ nhập sản phẩm 3, 4 hoặc 5 sao`,
        `${starText}★ is not a recognised star: only 3, 4 or 5`,
      );
    const ruleSet = issuedOn ? ruleSetOn(issuedOn, at) : null;
    const level = levelOf(cells.level, star, ruleSet, issuedOn, at);
    let expiresOn = date('expiresOn', false);
    if (ruleSet && issuedOn) {
      const expected = expiryFor(issuedOn, ruleSet);
      if (expiresOn === null && cells.expiresOn === undefined) expiresOn = expected;
      else if (expiresOn !== null && expiresOn !== expected)
        at(
          'expiresOn',
          `giấy chứng nhận cấp ngày ${vnDate(issuedOn)} có hiệu lực 36 tháng, đến ${vnDate(expected)}, không phải ${vnDate(expiresOn)}`,
          `a certificate issued on ${vnDate(issuedOn)} is valid 36 months, through ${vnDate(expected)}, not ${vnDate(expiresOn)}`,
        );
    }
    if (ruleSet?.productNumbering && productId && base.provinceCode && base.communeCode && issuedOn) {
      const m = /^(.+)-(.+)-\d+-(\d{4})$/.exec(productId);
      const fits = m && m[1] === base.provinceCode && m[2] === base.communeCode && m[3]! <= issuedOn.slice(0, 4);
      if (!fits)
        at(
          'productId',
          `sản phẩm công nhận ngày ${vnDate(issuedOn)} (QĐ 26/2026, Phụ lục II) có mã dạng ` +
            `${base.provinceCode}-${base.communeCode}-<số thứ tự>-<năm ≤ ${issuedOn.slice(0, 4)}>, không phải ${productId}`,
          `a product certified on ${vnDate(issuedOn)} is numbered ${base.provinceCode}-${base.communeCode}-<serial>-<year>, not ${productId}`,
        );
    }
    const filedOn = date('filedOn', false);
    const forwardedOn = date('forwardedOn', false);
    data = {
      ...base,
      productId,
      ruleSetId: ruleSet?.id,
      certificate: {
        number: certificateNumber,
        star,
        level,
        issuedOn,
        expiresOn,
        ...(cells.decisionNumber ? { decisionNumber: cells.decisionNumber } : {}),
        ...(cells.issuedBy ? { issuedBy: cells.issuedBy } : {}),
      },
      ...(cells.dossierRef || filedOn || forwardedOn
        ? {
            reRatingDossier: {
              dossierRef: need('dossierRef'),
              filedOn: filedOn ?? need('filedOn'),
              forwardedOn: forwardedOn ?? need('forwardedOn'),
            },
          }
        : {}),
      source: 'import',
    };
  } else {
    const dossierRef = need('dossierRef');
    const filedOn = date('filedOn', true);
    const forwardedOn = date('forwardedOn', true);
    if (filedOn && forwardedOn && forwardedOn < filedOn)
      at(
        'forwardedOn',
        `ngày chuyển tỉnh ${vnDate(forwardedOn)} trước ngày nộp hồ sơ ${vnDate(filedOn)}`,
        `forwarded on ${vnDate(forwardedOn)}, before it was filed on ${vnDate(filedOn)}`,
      );
    if (filedOn) ruleSetOn(filedOn, at, 'filedOn');
    // A dossier without a code gets one from what identifies it, so a re-run names the same product.
    productId ??= `HS-${sha256Hex(canonicalJson([base.provinceCode, base.communeCode, base.subjectId, dossierRef])).slice(0, 20)}`;
    data = { ...base, productId, dossier: { dossierRef, filedOn, forwardedOn }, source: 'import' };
  }
  const type = kind === 'certified' ? 'ImportCertifiedProduct' : 'ImportDossierInProgress';
  if (problems.length > 0) return { ...empty, kind, productId, certificateNumber };
  const parsed = commandSchema.safeParse({ type, data });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = FIELD_COLUMNS[issue.path.slice(1).join('.')];
      at(field ?? '', `giá trị không hợp lệ: ${issue.message}`, `invalid: ${issue.message}`);
    }
    return { ...empty, kind, productId, certificateNumber };
  }
  const command = parsed.data;
  try {
    decide(command, initialState, { now: `${o.today}T12:00:00.000Z`, actor: o.actor });
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    for (const p of refusalProblems(row.rowNo, err)) problems.push(p);
    return { ...empty, kind, productId, certificateNumber };
  }
  return withKey({ productId, certificateNumber, action: { type: 'command', command } });

  function recipientRow(): RowAction | null {
    const audienceText = need('audience');
    const audience = audienceText ? AUDIENCE_WORDS[fold(audienceText)] : undefined;
    if (audienceText && !audience)
      at('audience', `"${audienceText}" không phải đối tượng nhận thông báo`, `"${audienceText}" is no audience`);
    const audienceCode = need('audienceCode');
    if (audience === 'commune' && audienceCode && !isCurrentCommune(audienceCode) && !isLegacyCommune(audienceCode))
      at('audienceCode', `mã xã ${audienceCode} không tồn tại`, `commune ${audienceCode} does not exist`);
    if (audience === 'ministry' && audienceCode && audienceCode !== 'MINISTRY')
      at('audienceCode', 'Bộ nhận thông báo với mã MINISTRY', 'the Ministry’s code is MINISTRY');
    if (o.province && audience === 'province' && audienceCode && audienceCode !== o.province)
      at(
        'audienceCode',
        `tỉnh ${audienceCode} không phải tỉnh đang nhập`,
        `province ${audienceCode} is not the one imported`,
      );
    const channel = need('channel');
    const address = need('address');
    if (problems.length > 0 || !audience) return null;
    const parsed = recipientSchema.safeParse({
      audience,
      audienceCode,
      channel: fold(channel),
      address,
      language: cells.language ? fold(cells.language) : 'vi',
      displayName: cells.displayName ?? null,
      active: true,
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? '');
        const column: Field | '' =
          field === 'displayName'
            ? 'displayName'
            : field in cells || COLUMNS.some((c) => c.field === field)
              ? (field as Field)
              : '';
        at(column, `giá trị không hợp lệ: ${issue.message}`, `invalid: ${issue.message}`);
      }
      return null;
    }
    return { type: 'recipient', recipient: parsed.data };
  }
}

type At = (field: Field | '', vi: string, en: string) => void;

function ruleSetOn(day: string, at: At, field: Field = 'issuedOn') {
  try {
    return ruleSetInForce(day);
  } catch {
    at(field, `ngày ${vnDate(day)} trước mọi bộ tiêu chí OCOP`, `${vnDate(day)} is before any OCOP rule-set`);
    return null;
  }
}

/** The recognising level as written, or the one the rule-set gives the star; a level that cannot recognise it is refused. */
function levelOf(
  written: string | undefined,
  star: number,
  ruleSet: ReturnType<typeof ruleSetInForce> | null,
  issuedOn: string | null,
  at: At,
): string | undefined {
  const level = written === undefined ? undefined : LEVEL_WORDS[fold(written)];
  if (written !== undefined && !level) {
    at('level', `"${written}" không phải cấp công nhận (huyện, tỉnh, trung ương)`, `"${written}" is no level`);
    return undefined;
  }
  if (!ruleSet || !issuedOn || !(star === 3 || star === 4 || star === 5)) return level;
  const expected = recognitionLevel(star, ruleSet, issuedOn);
  if (level === undefined) return expected;
  if (level === 'district' && issuedOn >= DISTRICTS_ABOLISHED_ON)
    at(
      'level',
      `cấp huyện không còn công nhận sau ${vnDate(DISTRICTS_ABOLISHED_ON)}`,
      `no district recognised after ${vnDate(DISTRICTS_ABOLISHED_ON)}`,
    );
  else if (level !== expected)
    at(
      'star',
      `theo ${ruleSet.title}, sản phẩm ${star} sao cấp ngày ${vnDate(issuedOn)} do ${LEVEL_VI[expected]} công nhận, ` +
        `${LEVEL_VI[level]} không được công nhận hạng này`,
      `under ${ruleSet.title} a ${star}★ issued on ${vnDate(issuedOn)} is recognised by the ${expected}, not the ${level}`,
    );
  return level;
}

const LEVEL_VI = { district: 'cấp huyện', province: 'cấp tỉnh', ministry: 'cấp trung ương' } as const;

/** A decider's refusal as row problems: its field issues by column, or its sentence. */
function refusalProblems(rowNo: number, err: DomainError): RowProblem[] {
  const issues: readonly FieldIssue[] = err.issues;
  if (issues.length > 0)
    return issues.map((i) => ({ rowNo, column: headingOf(FIELD_COLUMNS[i.field] ?? 'kind'), vi: i.vi, en: i.en }));
  const field = /^([\w.]+): /.exec(err.message)?.[1];
  const column = field && FIELD_COLUMNS[field] ? headingOf(FIELD_COLUMNS[field]) : '';
  return [{ rowNo, column, vi: `${DOMAIN_REFUSALS[err.code].vi} (${err.message})`, en: err.message }];
}

/** dd/MM/yyyy (d/M too), dd-MM-yyyy or YYYY-MM-DD, as a calendar date; null otherwise. */
export function parseDate(s: string): string | null {
  const vn = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const [y, m, d] = vn ? [vn[3]!, vn[2]!, vn[1]!] : iso ? [iso[1]!, iso[2]!, iso[3]!] : [];
  if (!y || !m || !d) return null;
  const out = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const parsed = new Date(`${out}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === out && Number(y) >= 1 ? out : null;
}
