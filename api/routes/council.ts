import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { councilOf, councilSchema } from '../../read-models/councils/view';
import type { AppDeps } from '../app';
import { visibleCase } from '../access';
import { principalOf, requireCaller } from '../auth';
import { HttpProblem, queryProblems } from '../problems';
import { productParams } from '../schemas';

/**
 * The online council of a case's current (or last) evaluation: who sits on it, who has scored, and the result on the
 * real score sheet with its per-criterion breakdown and why a star was lowered. Derived from the recorded events.
 */
export const councilRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);
    app.get(
      '/products/:productId/council',
      {
        schema: {
          summary: 'The council scoring a dossier (Hội đồng đánh giá): members, sheets in, per-criterion breakdown',
          description:
            'While the council scores, a member’s total is shown to that member and to the offices (the provincial ' +
            'office of the province, the Ministry, administrators, auditors) only, and the result so far to the ' +
            'offices only; once the result is recorded, the breakdown is shown to all who see the case.',
          tags: ['evaluation'],
          security: [{ bearer: [] }],
          params: productParams,
          response: { 200: councilSchema, ...queryProblems },
        },
      },
      async (req) => {
        const user = principalOf(req);
        const { productId } = req.params;
        const council = await councilOf(deps.sql, user, await visibleCase(deps.sql, user, productId));
        if (!council) {
          throw new HttpProblem(404, 'Not Found', {
            detail: `Chưa có hội đồng nào được thành lập cho ${productId}. — No council was convened for ${productId}.`,
          });
        }
        return council;
      },
    );
  };
