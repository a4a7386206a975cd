import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { principalOf, requireCaller } from '../auth';
import { HttpProblem } from '../problems';
import { localDate } from '../../domain/calendar';
import { certificateFor, issueCertificateDocument } from '../../documents/certificate';
import { publicJwks, verifyDocumentToken } from '../../documents/token';
import { certificatePage, notGenuinePage, publicCertificate } from '../../documents/verify-page';
import { lookUpPublicProducts, publicProductSchema } from '../../documents/lookup';
import { commonProblems, queryProblems } from '../problems';

const lookupQuery = z.strictObject({
  /** Words of a product's or subject's name, a commune's name or a certificate number; diacritics do not matter. */
  q: z.string().trim().min(1).max(200).optional(),
  /** A commune: its code (5 digits) or its name. */
  commune: z.string().trim().min(1).max(100).optional(),
  /** A certificate number, exactly. */
  number: z.string().trim().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

const jwkSchema = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  alg: z.literal('EdDSA'),
  use: z.literal('sig'),
  kid: z.string(),
  x: z.string(),
});

/**
 * Public trust (issue 20): the published keys and the verification page the QR code opens, without sign-in; and the
 * signed token of a certificate, for those who may see it.
 */
export const publicRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const keys = deps.documentKeys;
    const publicUrl = deps.publicUrl ?? 'http://127.0.0.1:3000';

    app.get(
      '/public/keys',
      {
        schema: {
          summary: 'Public keys (khoá công khai) that verify certificates’ QR tokens offline, as a JWK Set',
          tags: ['public'],
          response: { 200: z.object({ keys: z.array(jwkSchema) }) },
        },
      },
      async (_req, reply) => {
        reply.header('cache-control', 'public, max-age=3600');
        return publicJwks(keys?.verifiers ?? new Map());
      },
    );

    app.get(
      '/verify/:token',
      {
        config: { rateLimit: { max: deps.publicRateLimit ?? 120, timeWindow: 60_000 } },
        schema: {
          // A page people read, not an operation of the API: the README describes it, the contract leaves it out.
          hide: true,
          summary: 'Public verification page (tra cứu giấy chứng nhận) a certificate’s QR code opens: HTML, no script',
          tags: ['public'],
          params: z.object({ token: z.string().max(2048) }),
          produces: ['text/html'],
          response: { 200: z.string().describe('HTML page'), 404: z.string().describe('HTML page: not genuine') },
        },
      },
      async (req, reply) => {
        const check = keys ? verifyDocumentToken(req.params.token, keys.verifiers) : null;
        const found = check?.ok
          ? await publicCertificate(deps.sql, check.claims, localDate(new Date().toISOString()))
          : null;
        reply
          .type('text/html; charset=utf-8')
          .header('content-language', 'vi, en')
          .serializer((html: string) => html);
        if (!found) return reply.code(404).header('cache-control', 'public, max-age=60').send(notGenuinePage());
        // A revocation must show soon: a short public cache.
        return reply.header('cache-control', 'public, max-age=300').send(certificatePage(found));
      },
    );

    app.get(
      '/public/products',
      {
        config: { rateLimit: { max: deps.publicLookupRateLimit ?? 60, timeWindow: 60_000 } },
        schema: {
          summary: 'Public lookup (tra cứu công khai) of OCOP certified products, no sign-in',
          description:
            'For shops and e-commerce platforms: certificates whose product, subject, commune or number matches every ' +
            'criterion given (none: the newest), newest first, with their status today. Public facts only, no ' +
            'person. Its own rate limit per address; cacheable for 5 minutes.',
          tags: ['public'],
          querystring: lookupQuery,
          response: {
            200: z.object({ items: z.array(publicProductSchema) }),
            400: queryProblems[400],
            429: queryProblems[429],
            500: queryProblems[500],
          },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'public, max-age=300');
        return { items: await lookUpPublicProducts(deps.sql, req.query, localDate(new Date().toISOString())) };
      },
    );

    app.get(
      '/certificates/:number/document',
      {
        preValidation: requireCaller,
        schema: {
          summary: 'Issue a certificate’s signed document (token, verification URL, content hash) and record it',
          tags: ['records'],
          security: [{ bearer: [] }],
          params: z.object({ number: z.string().min(1).max(64) }),
          response: {
            200: z.object({ token: z.string(), verifyUrl: z.string(), hash: z.string(), kid: z.string() }),
            404: queryProblems[404],
            // No document signing key configured (an installation that sets none; npm start always has one).
            503: commonProblems[503],
          },
        },
      },
      async (req) => {
        const user = principalOf(req);
        if (!keys)
          throw new HttpProblem(503, 'Service Unavailable', {
            detail: 'Chưa cấu hình khoá ký văn bản. / No document signing key is configured.',
          });
        const c = await certificateFor(deps.sql, user, req.params.number);
        if (!c)
          throw new HttpProblem(404, 'Not Found', {
            detail: `Không có giấy chứng nhận ${req.params.number}. / No certificate ${req.params.number}.`,
          });
        return issueCertificateDocument(deps.sql, keys, publicUrl, c, user.sub);
      },
    );
  };
