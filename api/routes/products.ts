import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getCase, type CaseView } from '../../db/projections';
import { registerIdeaData } from '../../domain';
import { canSee } from '../access';
import { actorOf, verifyAuthorization, type Principal } from '../auth';
import { idempotentId, type CommandGateway } from '../commands';
import type { AppDeps } from '../app';
import { commonProblems, HttpProblem } from '../problems';

export const caseViewSchema = z.object({
  productId: z.string(),
  version: z.number().int(),
  stage: z.string(),
  star: z.number().int().nullable(),
  productName: z.string().nullable(),
  productSetCode: z.string().nullable(),
  subjectId: z.string().nullable(),
  subjectName: z.string().nullable(),
  provinceCode: z.string().nullable(),
  communeCode: z.string().nullable(),
  ruleSetId: z.string(),
  certificateNumber: z.string().nullable(),
  certificateExpiry: z.string().nullable(),
  nextDeadline: z.object({ kind: z.string(), due: z.string() }).nullable(),
  registeredAt: z.string(),
  updatedAt: z.string(),
});

export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string({ error: 'required: a unique key per command, reused only to retry it' })
    .min(8)
    .max(128)
    .regex(/^[\w.:-]+$/, 'letters, digits, . _ : - only'),
});

const productParams = z.object({ productId: z.string().min(1).max(64) });

export const registerIdeaBody = registerIdeaData.omit({ productId: true }).strict();

export async function authenticate(secret: string, req: FastifyRequest): Promise<Principal> {
  return verifyAuthorization(secret, req.headers.authorization);
}

export const productRoutes =
  (deps: AppDeps, gateway: CommandGateway): FastifyPluginAsyncZod =>
  async (app) => {
    /** A case the caller may see, or 404 (also for a case outside their jurisdiction). */
    async function visibleCase(user: Principal, productId: string): Promise<CaseView> {
      const found = await getCase(deps.sql, productId);
      if (!found || !canSee(user, found))
        throw new HttpProblem(404, 'Not Found', { detail: `no product ${productId}` });
      return found;
    }

    app.post(
      '/products',
      {
        schema: {
          summary: 'Register a product idea (đăng ký ý tưởng sản phẩm) at its commune; opens the case',
          tags: ['products'],
          security: [{ bearer: [] }],
          headers: idempotencyHeaders,
          body: registerIdeaBody,
          response: { 201: caseViewSchema, ...commonProblems },
        },
      },
      async (req, reply) => {
        const user = await authenticate(deps.jwtSecret, req);
        const key = req.headers['idempotency-key'];
        // The product id is derived from the caller and the key: a retried request names the same product.
        const productId = idempotentId('P', user.sub, key);
        req.log = req.log.child({ productId });
        await gateway.send({
          productId,
          commandId: idempotentId('C', user.sub, key),
          actor: actorOf(user),
          command: { type: 'RegisterIdea', data: { ...req.body, productId } },
          start: true,
        });
        const view = await visibleCase(user, productId);
        return reply.code(201).header('location', `/products/${productId}`).send(view);
      },
    );

    app.get(
      '/products/:productId',
      {
        schema: {
          summary: 'A product case as the read model holds it',
          tags: ['products'],
          security: [{ bearer: [] }],
          params: productParams,
          response: { 200: caseViewSchema, ...commonProblems },
        },
      },
      async (req) => {
        const user = await authenticate(deps.jwtSecret, req);
        req.log = req.log.child({ productId: req.params.productId });
        return visibleCase(user, req.params.productId);
      },
    );
  };
