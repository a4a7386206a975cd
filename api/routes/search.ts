import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, requireCaller } from '../auth';
import type { AppDeps } from '../app';
import { listAnswer } from '../paging';
import { queryProblems } from '../problems';
import { pageQuery } from '../schemas';
import { searchCases, searchHitSchema } from '../../read-models/search/queries';

const searchQuery = z.strictObject({
  /** Words to find; diacritics and case do not matter ("che tan cuong" finds "Chè Tân Cương"). */
  q: z.string().trim().min(1).max(200),
  ...pageQuery,
});

/** Search (tìm kiếm) over products, subjects, certificate numbers and commune names, in the caller's jurisdiction. */
export const searchRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);
    app.get(
      '/search',
      {
        schema: {
          summary: 'Search products, subjects, certificate numbers and communes (tìm kiếm)',
          description:
            'Finds the cases in the caller’s jurisdiction whose product name, subject name, certificate number or ' +
            'commune name holds `q`, regardless of diacritics and case. Newest change first; paginate with `cursor`.',
          tags: ['products'],
          security: [{ bearer: [] }],
          querystring: searchQuery,
          response: {
            200: z.object({ items: z.array(searchHitSchema), nextCursor: z.string().nullable() }),
            ...queryProblems,
          },
        },
      },
      async (req) => {
        const user = principalOf(req);
        return listAnswer(req.query, ({ q }, page) => searchCases(deps.sql, user, q, page));
      },
    );
  };
