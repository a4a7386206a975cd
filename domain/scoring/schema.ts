import { z } from 'zod';
import { shared } from '../shared';

/** Parts of every sheet (Phần A/B/C) and the maxima Article 3.1 of QĐ 26/2026 gives them. */
export const PartId = { A: 'A', B: 'B', C: 'C' } as const;
export type PartId = (typeof PartId)[keyof typeof PartId];

export const PART_MAXIMA: Readonly<Record<PartId, number>> = { A: 40, B: 25, C: 35 };
export const SHEET_TOTAL = 100;

/** Star levels; `***`, `****`, `*****` on an option mark the minimum for 3, 4 and 5 stars. */
export const StarLevel = { One: 1, Two: 2, Three: 3, Four: 4, Five: 5 } as const;
export type StarLevel = (typeof StarLevel)[keyof typeof StarLevel];

/** Kinds of ground that reject a dossier outright (hồ sơ bị loại / bị loại nếu). */
export const KnockOutKind = {
  /** Giả mạo hồ sơ. */
  ForgedDossier: 'forged-dossier',
  /** The mandatory production licence for the product set is missing (ATTP certificate, or the Ministry of Health's conditions). */
  MandatoryLicence: 'mandatory-licence',
  /** Không có giấy phép sản xuất theo quy định (alcoholic and soft drinks). */
  ProductionLicence: 'production-licence',
  /** No product (quality) declaration: "không có Bản công bố sản phẩm" and its variants. */
  ProductDeclarationMissing: 'product-declaration-missing',
  /** Không đáp ứng về hồ sơ đăng ký theo quy định. */
  RegistrationDossier: 'registration-dossier',
  /** Bị loại nếu sử dụng toàn bộ nguyên liệu nhập khẩu hoặc không rõ nguồn gốc. */
  ImportedOrUnknownRawMaterials: 'imported-or-unknown-raw-materials',
  /** Bị loại nếu phát hiện giống hệt sản phẩm của nhà sản xuất khác. */
  CopyOfAnotherProduct: 'copy-of-another-product',
} as const;
export type KnockOutKind = (typeof KnockOutKind)[keyof typeof KnockOutKind];

/** Where the sheet's data departs from a literal reading of the source, and why. */
export const SheetFlagKind = {
  /** A heading states a maximum that disagrees with the scale column and the sum of its children. */
  HeadingMaximumMismatch: 'heading-maximum-mismatch',
  /** The source prints a criterion with a maximum but no tick-boxes: read as met (maximum) or not met (0). */
  ImplicitYesNoOptions: 'implicit-yes-no-options',
  /** A reviewed correction from `corrections.json` changed the parsed data. */
  ManualCorrection: 'manual-correction',
} as const;
export type SheetFlagKind = (typeof SheetFlagKind)[keyof typeof SheetFlagKind];

/** Every schema of this module, built once per realm and shared by the workflows of a worker (domain/shared.ts). */
const schemas = shared('domain/scoring/schema', () => {
  const starLevelSchema = z.union([z.literal(3), z.literal(4), z.literal(5)]);

  const optionSchema = z.object({
    id: z.string().min(1),
    /** Source wording, stars removed. */
    text: z.string().min(1),
    points: z.number().int().min(0),
    /** The star level this option is the minimum for, or null. */
    minimumFor: starLevelSchema.nullable(),
    /** For criteria printed as "Lựa chọn một trong hai trường hợp": the case this option belongs to. */
    case: z.string().nullable(),
  });

  const criterionSchema = z.object({
    id: z.string().min(1),
    title: z.string().min(1),
    maxPoints: z.number().int().min(1),
    /** Printed notes: requirements (Yêu cầu), applicability, remarks (Ghi chú). */
    notes: z.array(z.string()),
    options: z.array(optionSchema).min(1),
    /** The sub-heading grouping this criterion (e.g. "6.1. Ngoại hình" above "6.1.1 Tạp chất lạ"), or null. */
    subsection: z.string().nullable(),
  });

  const sectionSchema = z.object({
    id: z.string().min(1),
    title: z.string().min(1),
    maxPoints: z.number().int().min(1),
    /** Sub-headings between the section and its criteria, where the sheet has a third level. */
    subsections: z.array(
      z.object({
        id: z.string().min(1),
        title: z.string().min(1),
        maxPoints: z.number().int().min(1),
        notes: z.array(z.string()),
      }),
    ),
    criteria: z.array(criterionSchema).min(1),
  });

  const partSchema = z.object({
    id: z.enum(['A', 'B', 'C']),
    /** The heading exactly as printed, e.g. "Phần A: SẢN PHẨM VÀ SỨC MẠNH CỦA CỘNG ĐỒNG (40 Điểm)". */
    heading: z.string().min(1),
    /** The points stated inside the heading, when it states any. */
    headingPoints: z.number().int().nullable(),
    maxPoints: z.number().int().min(1),
    sections: z.array(sectionSchema).min(1),
  });

  const knockOutSchema = z.object({
    id: z.string().min(1),
    kind: z.enum(Object.values(KnockOutKind) as [KnockOutKind, ...KnockOutKind[]]),
    /** The printed sentence this ground comes from. */
    text: z.string().min(1),
    /** The criterion whose note prints it, or null for the sheet-level "Hồ sơ bị loại khi". */
    criterionId: z.string().nullable(),
  });

  const sheetFlagSchema = z.object({
    kind: z.enum(Object.values(SheetFlagKind) as [SheetFlagKind, ...SheetFlagKind[]]),
    /** Part, section or criterion id the flag is about. */
    target: z.string(),
    detail: z.string(),
  });

  const taxonUnitSchema = z.object({ code: z.string(), name: z.string() });

  const scoreSheetSchema = z.object({
    schemaVersion: z.literal(1),
    /** The decision whose Annex II the sheet comes from. */
    ruleSet: z.string().min(1),
    /** Stable product-set code, e.g. `fresh-produce`. */
    code: z.string().regex(/^[a-z0-9-]+$/),
    /** Position in Annex II (1–26). */
    ordinal: z.number().int().min(1),
    /** Bộ sản phẩm, as printed in Annex II's list. */
    title: z.string().min(1),
    titleEn: z.string().min(1),
    /** The sheet's own "(Sản phẩm: … Nhóm: …)" line. */
    subtitle: z.string(),
    /** Annex I: sector (I–VI) → group → subgroup (phân nhóm, when the group has any). */
    productSet: z.object({
      sector: taxonUnitSchema,
      group: taxonUnitSchema,
      subgroup: taxonUnitSchema.nullable(),
    }),
    /** Sheet-level rejection sentence (Hồ sơ bị loại khi…), or null when the sheet prints none. */
    rejectionText: z.string().nullable(),
    knockOuts: z.array(knockOutSchema),
    parts: z.array(partSchema).length(3),
    totalPoints: z.number().int(),
    flags: z.array(sheetFlagSchema),
  });
  return {
    optionSchema,
    criterionSchema,
    sectionSchema,
    partSchema,
    knockOutSchema,
    sheetFlagSchema,
    scoreSheetSchema,
  };
});

export const {
  optionSchema,
  criterionSchema,
  sectionSchema,
  partSchema,
  knockOutSchema,
  sheetFlagSchema,
  scoreSheetSchema,
} = schemas;

export type ScoreOption = z.infer<typeof optionSchema>;
export type Criterion = z.infer<typeof criterionSchema>;
export type Section = z.infer<typeof sectionSchema>;
export type Part = z.infer<typeof partSchema>;
export type KnockOut = z.infer<typeof knockOutSchema>;
export type SheetFlag = z.infer<typeof sheetFlagSchema>;
export type ScoreSheet = z.infer<typeof scoreSheetSchema>;

export interface SheetSummary {
  readonly code: string;
  readonly ordinal: number;
  readonly title: string;
  readonly titleEn: string;
  readonly ruleSet: string;
  readonly productSet: ScoreSheet['productSet'];
  readonly criteria: number;
  readonly options: number;
  readonly flags: number;
}
