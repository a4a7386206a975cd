import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { importCertifiedProductData, importDossierInProgressData, registerIdeaData, type Command } from '../../domain';
import { visibleCase } from '../access';
import { principalOf, requireCaller } from '../auth';
import { etagOf, idempotentId, type CommandService, type ExecuteOptions } from '../commands';
import type { AppDeps } from '../app';
import { listAnswer } from '../paging';
import { commonProblems, HttpProblem, queryProblems } from '../problems';
import { START_ROUTES } from './commands';
import { listCases } from '../../read-models/cases/queries';
import { caseDetailSchema, caseViewSchema } from '../../read-models/cases/view';
import { caseHistory, historySchema } from '../../read-models/history/queries';
import {
  caseFilterQuery,
  idempotencyHeaders,
  newProductIdSchema,
  pageQuery,
  productParams,
  strictDeep,
} from '../schemas';

export const registerIdeaBody = registerIdeaData.omit({ productId: true }).strict();
/** Import keeps the legacy product code as the product id: a valid path segment, in the products' namespace. */
export const importBody = strictDeep(
  importCertifiedProductData.extend({ productId: newProductIdSchema }),
) as unknown as typeof importCertifiedProductData;
export const importDossierBody = strictDeep(
  importDossierInProgressData.extend({ productId: newProductIdSchema }),
) as unknown as typeof importDossierInProgressData;

const listQuery = z.strictObject({ ...caseFilterQuery, ...pageQuery });
/** The largest stream position the event store can hold (a PostgreSQL integer). */
const MAX_POSITION = 2 ** 31 - 1;
const historyQuery = z.strictObject({
  /** Events after this stream position; `nextAfter` of the previous page. */
  after: z.coerce.number().int().min(0).max(MAX_POSITION).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
/** Who may import a paper case: the provincial office for its own province (the decider checks which) and admins. */
const IMPORTERS: ReadonlySet<string> = new Set(['admin', 'provincial_office']);

/** Products: registration, import, the list, one case and its history. */
export const productRoutes =
  (deps: AppDeps, commands: CommandService): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);

    /** Sends a command that opens a case (registration, import): 201 with the case, where it is, and its ETag. */
    async function openCase(reply: FastifyReply, o: Omit<ExecuteOptions, 'start'>) {
      const answer = await commands.execute({ ...o, start: true });
      return reply
        .code(201)
        .header('location', `/products/${o.productId}`)
        .header('etag', etagOf(answer.body.case.version))
        .send(answer.body.case);
    }

    app.post(
      '/products',
      {
        schema: {
          summary: 'Register a product idea (đăng ký ý tưởng sản phẩm) at its commune; opens the case',
          description:
            'By the subject (chủ thể) or an officer of the commune. The product id is derived from the caller and ' +
            'the Idempotency-Key, so a retried request names the same product.',
          tags: ['products'],
          security: [{ bearer: [] }],
          headers: idempotencyHeaders,
          body: registerIdeaBody,
          response: { 201: caseDetailSchema, ...commonProblems },
        },
      },
      async (req, reply) => {
        const user = principalOf(req);
        const key = req.headers['idempotency-key'];
        const productId = idempotentId('P', user.sub, key);
        req.log = req.log.child({ productId });
        const command: Command = { type: 'RegisterIdea', data: { ...req.body, productId } };
        return openCase(reply, { user, key, route: 'POST /products', productId, body: req.body, command });
      },
    );

    /** Migration of paper cases: the product keeps its legacy code as id. */
    function importRoute(
      type: 'ImportCertifiedProduct' | 'ImportDossierInProgress',
      body: typeof importBody | typeof importDossierBody,
      summary: string,
      description: string,
    ) {
      const path = START_ROUTES[type];
      app.post(
        path,
        {
          schema: {
            summary,
            description: `${description} By an administrator or the provincial OCOP office of the product's province.`,
            tags: ['products'],
            security: [{ bearer: [] }],
            headers: idempotencyHeaders,
            body,
            response: { 201: caseDetailSchema, ...commonProblems },
          },
        },
        async (req, reply) => {
          const user = principalOf(req);
          if (!IMPORTERS.has(user.role)) {
            throw new HttpProblem(403, 'Forbidden', {
              code: 'forbidden',
              detail: 'Only an administrator or a provincial OCOP office imports products.',
            });
          }
          const { productId } = req.body;
          req.log = req.log.child({ productId });
          const key = req.headers['idempotency-key'];
          const command = { type, data: req.body } as Command;
          return openCase(reply, { user, key, route: `POST ${path}`, productId, body: req.body, command });
        },
      );
    }
    importRoute(
      'ImportCertifiedProduct',
      importBody,
      'Import a product already certified on paper (nhập sản phẩm đã được công nhận OCOP)',
      'Migrates a certified product with its historical certificate.',
    );
    importRoute(
      'ImportDossierInProgress',
      importDossierBody,
      'Import a dossier already under evaluation on paper (nhập hồ sơ đang đánh giá)',
      'Migrates a dossier filed at the commune and forwarded to the province before the migration; it is judged by ' +
        'the rule-set in force when it was filed.',
    );

    app.get(
      '/products',
      {
        schema: {
          summary: 'Product cases in the caller’s jurisdiction, newest change first',
          description:
            'Filters combine with AND; `stage` takes a comma-separated list. Paginate with `cursor` = the ' +
            '`nextCursor` of the previous page.',
          tags: ['products'],
          security: [{ bearer: [] }],
          querystring: listQuery,
          response: {
            200: z.object({ items: z.array(caseViewSchema), nextCursor: z.string().nullable() }),
            ...queryProblems,
          },
        },
      },
      async (req) => {
        const user = principalOf(req);
        return listAnswer(req.query, (filters, page) => listCases(deps.sql, user, filters, page));
      },
    );

    app.get(
      '/products/:productId',
      {
        schema: {
          summary: 'A product case with its pending deadlines, as the read model holds it',
          description: 'The ETag is the case version; send it back as If-Match on a command.',
          tags: ['products'],
          security: [{ bearer: [] }],
          params: productParams,
          response: { 200: caseDetailSchema, ...queryProblems },
        },
      },
      async (req, reply) => {
        const user = principalOf(req);
        req.log = req.log.child({ productId: req.params.productId });
        const found = await visibleCase(deps.sql, user, req.params.productId);
        return reply.header('etag', etagOf(found.version)).send(found);
      },
    );

    app.get(
      '/products/:productId/history',
      {
        schema: {
          summary: 'A case’s recorded events (lịch sử hồ sơ), oldest first, with who acted and when',
          description:
            'A council member’s sheet (CouncilScoresSubmitted) of a council still scoring shows its member and date ' +
            'with `withheld: true` instead of its scores, except to that member and the offices (see /council).',
          tags: ['products'],
          security: [{ bearer: [] }],
          params: productParams,
          querystring: historyQuery,
          response: { 200: historySchema, ...queryProblems },
        },
      },
      async (req) => {
        const user = principalOf(req);
        const { productId } = req.params;
        return caseHistory(deps.sql, user, await visibleCase(deps.sql, user, productId), req.query);
      },
    );
  };
