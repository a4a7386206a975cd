import { z } from 'zod';
import { localDateSchema, STAGES } from '../domain';
import { caseDetailSchema } from '../read-models/cases/view';
import { XLSX_TYPE } from '../reports/xlsx';

/*
 * Zod schemas of the HTTP contract that are not the domain's own: the case as the API shows it, headers, paging.
 * The OpenAPI document is generated from these and the domain's command schemas.
 */

/** A product id in a path: registration ids are `P` + 32 hex digits; imported ones keep their legacy code. */
export const productIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w.:-]+$/, 'letters, digits, . _ : - only');

export const productParams = z.strictObject({ productId: productIdSchema });

/**
 * The id a new imported product may take (its legacy code). A product's stream in the event store is named by its
 * bare id, and every other kind of stream by `<kind>:` (rounds: `round:<province>:<year>:<round>`), so a new product
 * id holds no `:` and can never name another stream; nor may it take the form of a registered product's id (`P` + 32
 * hex digits, derived from its registrant and Idempotency-Key). Ids already in use keep working in paths
 * (`productIdSchema`).
 */
export const newProductIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'chỉ gồm chữ, số và . _ - (không có dấu hai chấm), bắt đầu bằng chữ hoặc số / letters, digits, . _ - only (no colon), starting with a letter or digit',
  )
  .refine(
    (id) => !/^P[0-9a-f]{32}$/.test(id),
    'dạng P + 32 chữ số hex dành cho sản phẩm đăng ký mới / the form P + 32 hex digits is reserved for registered products',
  );

export const recordedEventSchema = z.object({
  type: z.string(),
  data: z.unknown(),
  at: z.string(),
  ruleSetId: z.string(),
});

export const commandAnswerSchema = z.object({ case: caseDetailSchema, events: z.array(recordedEventSchema) });

const idempotencyKey = z
  .string({ error: 'required: a unique key per command, reused only to retry it' })
  .min(8)
  .max(128)
  .regex(/^[\w.:-]+$/, 'letters, digits, . _ : - only');

export const idempotencyHeaders = z.object({ 'idempotency-key': idempotencyKey });

export const commandHeaders = z.object({
  'idempotency-key': idempotencyKey,
  /** The case version the caller last saw (its ETag); a stale one answers 412 and changes nothing. */
  'if-match': z
    .string()
    .max(200)
    .regex(/^\s*(\*|(W\/)?"?\d{1,9}"?)(\s*,\s*(W\/)?"?\d{1,9}"?)*\s*$/, 'an ETag such as "3"')
    .optional(),
});

const code = z.string().trim().min(1).max(64);

/** The characters JavaScript's `trim` removes (as in a regex character class). */
const LIST_SPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/** A comma-separated list of values from `values`, e.g. `stage=certified,recognised`. */
export function commaList(values: readonly string[]) {
  // The pattern states in the document what the split below accepts: up to 30 values, each trimmed.
  const one = `[${LIST_SPACE}]*(${values.join('|')})[${LIST_SPACE}]*`;
  return z
    .string()
    .max(500)
    .meta({ pattern: `^${one}(,${one}){0,29}$` })
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(z.enum(values as [string, ...string[]])).max(30));
}

/** Filters shared by the list, certificate and statistics queries. */
export const caseFilterQuery = {
  province: code.optional(),
  commune: code.optional(),
  /** One stage or several, comma-separated. */
  stage: commaList(STAGES).optional(),
  star: z.coerce.number().int().min(1).max(5).optional(),
  productSet: code.optional(),
  /** Year of registration (Vietnam time). */
  year: z.coerce.number().int().min(2000).max(2100).optional(),
  /** Certificates expiring before this date. */
  expiringBefore: localDateSchema.refine((d) => d >= '0001-01-01', 'a year from 0001').optional(),
  overdue: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
};

export const pageQuery = {
  /** `nextCursor` of the previous page. */
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
};

/** One strict copy per schema: a schema two commands share stays one component of the OpenAPI document. */
const strictCopies = new WeakMap<z.ZodType, z.ZodType>();

/**
 * The same schema with every object strict, nested ones too (in arrays as well), so that an unknown field is a 400
 * and never silently dropped.
 */
export function strictDeep(schema: z.ZodType): z.ZodType {
  let strict = strictCopies.get(schema);
  if (strict) return strict;
  if (schema instanceof z.ZodObject) {
    const shape: Record<string, z.ZodType> = {};
    for (const [k, v] of Object.entries(schema.shape)) shape[k] = strictDeep(v);
    strict = z.strictObject(shape);
    // The object's own refinements (a rule across its fields) stay with the strict copy.
    const checks = schema._zod.def.checks;
    if (checks && checks.length > 0) strict = strict.clone({ ...strict._zod.def, checks: [...checks] });
  } else if (schema instanceof z.ZodOptional) strict = strictDeep(schema.unwrap() as z.ZodType).optional();
  else if (schema instanceof z.ZodNullable) strict = strictDeep(schema.unwrap() as z.ZodType).nullable();
  // Arrays and defaults keep their own checks (min, max, the default value) around a strict copy of what they hold.
  else if (schema instanceof z.ZodArray)
    strict = schema.clone({ ...schema._zod.def, element: strictDeep(schema.element as z.ZodType) });
  else if (schema instanceof z.ZodDefault)
    strict = schema.clone({ ...schema._zod.def, innerType: strictDeep(schema.unwrap() as z.ZodType) });
  else strict = schema;
  strictCopies.set(schema, strict);
  return strict;
}

/**
 * A 200 answer that a report also gives as a table file: its JSON, and the same table as CSV (UTF-8 with a BOM) and
 * as an Excel workbook, so the document lists every media type the route answers (`format=csv|xlsx`, or Accept).
 */
export function withTableExports<T extends z.ZodType>(json: T) {
  return {
    content: {
      'application/json': { schema: json },
      'text/csv': { schema: z.string() },
      [XLSX_TYPE]: { schema: z.string().meta({ format: 'binary' }) },
    },
  };
}
