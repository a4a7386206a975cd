import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  allRuleSets,
  localDate,
  localDateSchema,
  NoRuleSetInForceError,
  ruleSetById,
  ruleSetInForce,
} from '../../domain';
import type { RuleSet, RuleSetId } from '../../domain/rules';
import { allCriteria, getSheet, PRODUCT_SETS, scoreSheetSchema } from '../../domain/scoring';
import { HttpProblem, queryProblems } from '../problems';

/*
 * The law's reference data, read-only and public (no token): which product sets (bộ sản phẩm) a rule-set knows and
 * which score sheet (phiếu đánh giá) each is scored on, and every sheet with its criteria, options, points and
 * starred minimums, so a council member or a web page can find the criterion and option ids a score sheet needs.
 */

const RULE_SET_IDS = allRuleSets().map((r) => r.id) as [RuleSetId, ...RuleSetId[]];

const unit = z.object({ code: z.string(), name: z.string() });
const ruleSetRef = z.object({ id: z.string(), title: z.string(), inForceFrom: z.string() });

const productSetsQuery = z
  .strictObject({
    /** The rule-set in force on this local date (Vietnam); default today. */
    at: localDateSchema.optional(),
    /** A rule-set by id, instead of a date. */
    ruleSet: z.enum(RULE_SET_IDS).optional(),
  })
  .refine((q) => q.at === undefined || q.ruleSet === undefined, {
    message: 'give at or ruleSet, not both',
    path: ['ruleSet'],
  });

const productSetsAnswer = z.object({
  ruleSet: ruleSetRef,
  /** The decision whose Annex II the sheets come from (the sheets of QĐ 26/2026 are the only ones bundled). */
  sheetsFrom: z.string(),
  productSets: z.array(
    z.object({
      code: z.string(),
      /** Position in Annex II (1–26). */
      ordinal: z.number().int(),
      name: z.object({ vi: z.string(), en: z.string() }),
      /** The score sheet the product set is scored on: `GET /score-sheets/{sheetCode}`. */
      sheetCode: z.string(),
      /** Annex I: sector (I–VI) → group → subgroup. */
      sector: unit,
      group: unit,
      subgroup: unit.nullable(),
    }),
  ),
});

const sheetParams = z.strictObject({ code: z.string().min(1).max(64) });

const sheetAnswer = scoreSheetSchema.extend({
  /**
   * Every starred option (★): a product rated at `level` stars or more must reach at least `points` on `criterionId`,
   * or its star is lowered (QĐ 26/2026, Annex II).
   */
  starredMinimums: z.array(
    z.object({
      level: z.number().int(),
      partId: z.string(),
      criterionId: z.string(),
      criterionTitle: z.string(),
      optionId: z.string(),
      points: z.number(),
    }),
  ),
});

export const referenceRoutes = (): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/product-sets',
    {
      schema: {
        summary: 'The product sets of a rule-set and the score sheet of each (bộ sản phẩm, phiếu đánh giá)',
        description:
          'Public. The rule-set in force today (Vietnam), on `at`, or named by `ruleSet` (one of the two: both ' +
          'answer 400). Codes are the ' +
          '`productSetCode` of a registration and the `sheetCode` of a council’s scores.',
        tags: ['reference'],
        querystring: productSetsQuery,
        response: { 200: productSetsAnswer, ...queryProblems },
      },
    },
    async (req) => {
      let ruleSet: RuleSet;
      try {
        ruleSet = req.query.ruleSet
          ? ruleSetById(req.query.ruleSet)
          : ruleSetInForce(req.query.at ?? localDate(new Date().toISOString()));
      } catch (err) {
        if (err instanceof NoRuleSetInForceError) {
          throw new HttpProblem(404, 'Not Found', {
            detail: `Không có bộ quy định OCOP nào có hiệu lực ngày ${err.date} (QĐ 1048/QĐ-TTg áp dụng từ 21/08/2019). / ${err.message}`,
          });
        }
        throw err;
      }
      const sheets = PRODUCT_SETS.map((p) => getSheet(p.code));
      return {
        ruleSet: { id: ruleSet.id, title: ruleSet.title, inForceFrom: ruleSet.inForceFrom },
        sheetsFrom: sheets[0]!.ruleSet,
        productSets: PRODUCT_SETS.map((p) => ({
          code: p.code,
          ordinal: p.ordinal,
          name: { vi: p.title, en: p.titleEn },
          sheetCode: getSheet(p.code).code,
          sector: p.productSet.sector,
          group: p.productSet.group,
          subgroup: p.productSet.subgroup,
        })),
      };
    },
  );

  app.get(
    '/score-sheets/:code',
    {
      schema: {
        summary: 'A score sheet: parts, sections, criteria, options with their points, starred minimums',
        description:
          'Public. The ids of criteria and options are the `criterionId` and `optionId` a council member submits.',
        tags: ['reference'],
        params: sheetParams,
        response: { 200: sheetAnswer, ...queryProblems },
      },
    },
    async (req) => {
      const known = PRODUCT_SETS.map((p) => p.code);
      if (!known.includes(req.params.code)) {
        throw new HttpProblem(404, 'Not Found', {
          detail:
            `Không có phiếu đánh giá "${req.params.code}"; các mã: ${known.join(', ')}. / ` +
            `No score sheet "${req.params.code}"; the codes are listed by GET /product-sets.`,
        });
      }
      const sheet = getSheet(req.params.code);
      const partOf = new Map(
        sheet.parts.flatMap((p) => p.sections.flatMap((s) => s.criteria.map((c) => [c.id, p.id]))),
      );
      const starredMinimums = allCriteria(sheet).flatMap((c) =>
        c.options
          .filter((o) => o.minimumFor !== null)
          .map((o) => ({
            level: o.minimumFor!,
            partId: partOf.get(c.id)!,
            criterionId: c.id,
            criterionTitle: c.title,
            optionId: o.id,
            points: o.points,
          })),
      );
      return { ...sheet, starredMinimums };
    },
  );
};
