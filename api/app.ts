import { randomUUID, type KeyObject } from 'node:crypto';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import {
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from '../config/logger';
import { webDir } from '../config/paths';
import type { Sql } from '../db';
import { AuthenticationError, bearerOf, verifyAuthorization, type Principal, type TokenPolicy } from './auth';
import { algorithmOf, MACHINE_TOKEN_ALG, verifyMachineToken } from './machine-tokens';
import { jwksRoutes, machineTokenRoutes } from './routes/machine-tokens';
import { CommandGateway, CommandService } from './commands';
import { swaggerOptions } from './contract';
import { clientErrorHandler, frameworkErrors, securityHeaders } from './hardening';
import { answerUnsupportedMethods } from './methods';
import { HttpProblem, languageOf, problemTitle, problemType, type Problem, type ProblemLanguage } from './problems';
import { commandRoutes } from './routes/commands';
import { healthRoutes } from './routes/health';
import { productRoutes } from './routes/products';
import { importRoutes } from './routes/imports';
import { recordRoutes } from './routes/records';
import { councilRoutes } from './routes/council';
import { auditRoutes } from './routes/audit';
import { roundRoutes } from './routes/rounds';
import { inboxRoutes } from './routes/inbox';
import { guardedValidatorCompiler } from './validation';
import { referenceRoutes } from './routes/reference';
import { placeRoutes } from './routes/places';
import { searchRoutes } from './routes/search';
import { reportRoutes } from './routes/reports';
import { apiMetrics } from './metrics';
import { accountRoutes } from './routes/accounts';
import { authRoutes } from './routes/auth';
import { oidcRoutes } from './routes/oidc';
import type { OidcSignIn } from './oidc';
import { publicRoutes } from './routes/public';
import { openDataRoutes } from './routes/open-data';
import { planRoutes } from './routes/plans';
import { worklistRoutes } from './routes/worklist';
import { webRoutes } from './web';
import type { DocumentKeys } from '../documents/token';
import { revokeSessionsOf } from '../db/sessions';
import {
  activeSession,
  csrfMatches,
  CSRF_HEADER,
  sessionIdOf,
  type ActiveSession,
  type SessionPolicy,
} from './sessions';

export interface AppDeps {
  sql: Sql;
  temporal: Client;
  taskQueue: string;
  /** HS256 key of development tokens; absent (production), dev tokens are refused. */
  jwtSecret?: string | undefined;
  /** Lifetime and clock-skew bounds every dev token is checked against. */
  tokenPolicy?: TokenPolicy;
  /** Lifetime and clock-skew bounds of machine tokens (EdDSA). @default up to 90 days */
  machineTokenPolicy?: TokenPolicy;
  log: Logger;
  /** @default 262144 */
  bodyLimit?: number;
  /** Requests per principal (or per IP address when anonymous) and window. @default 600 */
  rateLimit?: number;
  /** The rate limit's window, in milliseconds. @default 60000 */
  rateLimitWindowMs?: number;
  /**
   * Redis shared by the API instances: the rate limit counts there (under `redisKeyPrefix`), so every instance
   * behind a load balancer enforces one limit. Unset: each instance counts in its own memory.
   */
  redis?: Redis;
  /** @default 'ocop:' */
  redisKeyPrefix?: string;
  /** Proxies whose X-Forwarded-For is believed (Fastify's trustProxy). @default false */
  trustProxy?: boolean | number | string[];
  /** Signs audit export bundles; without it GET /products/:id/export answers 503. */
  auditSigningKey?: KeyObject;
  /**
   * How long a command may take before the API answers 503 with Retry-After; the command goes on, and a retry
   * with the same Idempotency-Key attaches to it. @default 30000
   */
  commandTimeoutMs?: number;
  /** Called after an account is disabled, a grant ended or a password reset: its sessions and tokens end. */
  onAccountChanged?: (accountId: string) => Promise<void>;
  /** Idle and absolute time-outs of browser sessions, and whether their cookie is Secure. */
  sessionPolicy?: SessionPolicy;
  /** Sign-in attempts per minute from one IP address (POST /auth/login). @default 30 */
  loginRateLimit?: number;
  /** Single sign-on providers (OIDC_PROVIDERS); absent, /auth/oidc/* offers none. */
  oidc?: OidcSignIn;
  /** Signs certificates' QR tokens; without it the documents answer 503 and every token is not genuine. */
  documentKeys?: DocumentKeys;
  /** Base of the verification URL a QR code carries. @default http://127.0.0.1:3000 */
  publicUrl?: string;
  /** Requests per minute from one IP address to the public routes. @default 120 */
  publicRateLimit?: number;
  /** Requests per minute from one IP address to the public product lookup (GET /public/products). @default 60 */
  publicLookupRateLimit?: number;
  /** The built web application served at /app. @default dist/web */
  webDir?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller named by a valid bearer token, or null; routes that need one call `principalOf`. */
    principal: Principal | null;
    /** Why the bearer token or the session was refused, if one was sent. */
    authError: AuthenticationError | null;
    /** The browser session the `ocop_session` cookie names, when the request is made with one. */
    session: ActiveSession | null;
  }
}

export const API_VERSION = '0.1.0';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Routes that do not act under a session even when its cookie is sent (a new sign-in replaces it). */
const SESSIONLESS = new Set(['/auth/login', '/auth/oidc/:provider/callback']);

/** The Fastify application with every route; `listen` is the caller's (cli/start.ts, or `inject` in tests). */
export async function buildApp(deps: AppDeps) {
  const app = Fastify({
    loggerInstance: deps.log,
    bodyLimit: deps.bodyLimit ?? 256 * 1024,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    requestTimeout: 60_000,
    // A certificate's signed QR token is a path parameter (GET /verify/:token), longer than the default 100.
    routerOptions: { maxParamLength: 1024 },
    // A number of hops as Fastify's own rule for it (its types take no number): the nearest n proxies are believed.
    trustProxy:
      typeof deps.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (deps.trustProxy as number)
        : (deps.trustProxy ?? false),
    clientErrorHandler,
    frameworkErrors,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(guardedValidatorCompiler);
  app.addHook('onSend', securityHeaders);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(
    fastifySwagger,
    swaggerOptions({
      version: API_VERSION,
      description: [
        'Commands and queries for OCOP product cases (Mỗi xã một sản phẩm, One Commune One Product, Vietnam).',
        '',
        '- Authentication: a session cookie (POST /auth/login), a machine token (EdDSA JWT issued at ' +
          'POST /accounts/{accountId}/machine-tokens, keys at /.well-known/jwks.json), or in development a dev token ' +
          '(HS256, `npm run dev-token`).',
        '- A case outside the caller’s jurisdiction answers 404, never 403; auditors read and change nothing.',
        '- Every command takes an Idempotency-Key: the same key and body return the first answer; the same key ' +
          'with another body answers 422 `idempotency_key_reused`.',
        '- A case’s ETag is its version; send it as If-Match on a command to refuse (412) acting on a stale read.',
        '- Errors are RFC 7807 problem documents (`application/problem+json`); 400 lists each invalid field, 409 ' +
          'names the case’s stage.',
      ].join('\n'),
    }),
  );
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  answerUnsupportedMethods(app);

  // The token is read first, so the rate limit can count per principal; routes that need one refuse its absence.
  app.decorateRequest('principal', null);
  app.decorateRequest('authError', null);
  app.decorateRequest('session', null);
  app.addHook('onRequest', async (req) => {
    if (req.headers.authorization === undefined) return sessionHook(req);
    try {
      // A machine token (EdDSA, a key of signing_keys) is accepted in every mode; anything else is a dev token.
      const token = bearerOf(req.headers.authorization);
      if (algorithmOf(token) === MACHINE_TOKEN_ALG) {
        req.principal = await verifyMachineToken(deps.sql, token, deps.machineTokenPolicy);
        return;
      }
      if (deps.jwtSecret === undefined) {
        throw new AuthenticationError('token thử nghiệm bị tắt ở chế độ này / dev tokens are off in this mode');
      }
      req.principal = await verifyAuthorization(deps.jwtSecret, req.headers.authorization, deps.tokenPolicy);
    } catch (err) {
      if (!(err instanceof AuthenticationError)) throw err;
      req.authError = err;
    }
  });
  /**
   * A request without a bearer token may carry a session cookie: its session (re-read on every request, so a
   * revocation holds at once) gives the principal, and a write must carry the session's CSRF token.
   */
  async function sessionHook(req: FastifyRequest) {
    const sessionId = sessionIdOf(req.headers.cookie);
    if (sessionId === null || SESSIONLESS.has(req.routeOptions.url ?? '')) return;
    try {
      const session = await activeSession(deps.sql, sessionId, deps.sessionPolicy);
      if (!SAFE_METHODS.has(req.method) && !csrfMatches(session.stored, req.headers[CSRF_HEADER])) {
        throw new HttpProblem(403, 'Forbidden', {
          code: 'csrf_token_invalid',
          detail:
            'Thiếu hoặc sai mã chống giả mạo (tiêu đề x-csrf-token) của phiên. / The session’s CSRF token (x-csrf-token header) is missing or wrong.',
        });
      }
      req.session = session;
      if (session.principal) req.principal = session.principal;
      else
        req.authError = new AuthenticationError(
          session.cannotAct ?? 'Phiên không thể hành động. / The session cannot act.',
        );
    } catch (err) {
      if (!(err instanceof AuthenticationError)) throw err;
      req.authError = err;
    }
  }

  await app.register(fastifyRateLimit, {
    max: deps.rateLimit ?? 600,
    timeWindow: deps.rateLimitWindowMs ?? 60_000,
    ...(deps.redis
      ? {
          redis: deps.redis,
          nameSpace: `${deps.redisKeyPrefix ?? 'ocop:'}rate-limit:`,
          // Redis down: requests go through unlimited rather than all failing (the limit is a guard, not a gate).
          skipOnError: true,
        }
      : {}),
    keyGenerator: (req) => (req.principal ? `user:${req.principal.sub}` : `ip:${req.ip}`),
    errorResponseBuilder: (_req, context) =>
      new HttpProblem(429, 'Too Many Requests', {
        detail: `More than ${context.max} requests in ${context.after}; retry after that.`,
      }),
  });

  app.setErrorHandler((err, req, reply) => {
    const problem = toProblem(err, req);
    if (problem.status >= 500) req.log.error({ err }, 'request failed');
    else if (isDataException(err)) req.log.warn({ err }, 'a request value PostgreSQL cannot take');
    if (err instanceof HttpProblem) reply.headers(err.headers);
    return reply
      .code(problem.status)
      .type('application/problem+json')
      .header('content-language', languageOf(req.headers['accept-language']))
      .send(problem);
  });
  app.setNotFoundHandler((req, reply) => {
    const language = languageOf(req.headers['accept-language']);
    return reply
      .code(404)
      .type('application/problem+json')
      .header('content-language', language)
      .send({
        type: problemType(404),
        title: problemTitle(404, language),
        status: 404,
        detail: `${language === 'vi' ? 'không có đường dẫn' : 'no route'} ${req.method} ${req.url}`,
      });
  });

  const metrics = apiMetrics();
  app.addHook('onResponse', metrics.observe);
  app.get('/metrics', { config: { rateLimit: false }, schema: { hide: true } }, async (_req, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  const gateway = new CommandGateway(deps.temporal.workflow, deps.taskQueue, deps.commandTimeoutMs ?? 30_000);
  const commands = new CommandService(deps.sql, gateway);
  await app.register(healthRoutes(deps));
  await app.register(productRoutes(deps, commands));
  await app.register(importRoutes(deps, commands));
  await app.register(commandRoutes(deps, commands));
  await app.register(recordRoutes(deps));
  await app.register(councilRoutes(deps));
  await app.register(auditRoutes(deps));
  await app.register(roundRoutes(deps));
  await app.register(inboxRoutes(deps));
  await app.register(referenceRoutes());
  await app.register(placeRoutes(deps));
  await app.register(searchRoutes(deps));
  await app.register(reportRoutes(deps));
  // A password reset, a disabled account or an ended grant ends the account's sessions at once, then whatever the
  // installation adds (machine tokens).
  const onAccountChanged = async (accountId: string) => {
    await revokeSessionsOf(deps.sql, accountId, 'account changed by an admin');
    await deps.onAccountChanged?.(accountId);
  };
  await app.register(accountRoutes({ ...deps, onAccountChanged }));
  await app.register(authRoutes(deps));
  await app.register(jwksRoutes(deps));
  await app.register(machineTokenRoutes(deps));
  await app.register(oidcRoutes(deps));
  await app.register(publicRoutes(deps));
  await app.register(openDataRoutes(deps));
  await app.register(planRoutes(deps));
  await app.register(worklistRoutes(deps));
  await app.register(webRoutes(deps.webDir ?? webDir));
  return app;
}

/** The value at `path` of the request part a validation error is about, so a message can say what it received. */
function inputAt(req: FastifyRequest, context: string, path: readonly PropertyKey[]): unknown {
  const part: unknown = { body: req.body, querystring: req.query, params: req.params, headers: req.headers }[context];
  return path.reduce<unknown>(
    (value, key) =>
      value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined,
    part,
  );
}

const LOCALES = { vi: z.locales.vi().localeError, en: z.locales.en().localeError };
const UNKNOWN_FIELD = { vi: 'trường không được chấp nhận', en: 'unknown field' } as const;

/**
 * A field error in the caller's language, by zod's own locale: zod's default (English) message is replaced by the
 * locale's; a message the schema wrote itself (a pattern's or a rule's explanation) is kept.
 */
function localise(
  issue: { keyword: string; message?: string; params: Record<string, unknown> },
  input: unknown,
  language: ProblemLanguage,
): string {
  const raw = { ...issue.params, code: issue.keyword, input } as unknown as Parameters<typeof LOCALES.en>[0];
  const asText = (m: ReturnType<typeof LOCALES.en>) => (typeof m === 'string' ? m : m?.message);
  try {
    const english = asText(LOCALES.en(raw));
    if (issue.message !== undefined && issue.message !== english) return issue.message;
    return asText(LOCALES[language](raw)) ?? issue.message ?? 'invalid';
  } catch {
    // An issue the locale cannot phrase (a shape it does not expect): zod's own message.
    return issue.message ?? 'invalid';
  }
}

function toProblem(err: unknown, req: FastifyRequest): Problem {
  const requestId = req.id;
  const language = languageOf(req.headers['accept-language']);
  const title = (status: number) => problemTitle(status, language);
  if (hasZodFastifySchemaValidationErrors(err)) {
    const context = err.validationContext ?? 'body';
    // One entry per field: an unknown key is reported under its own name, not its parent's.
    const errors = err.validation.flatMap((v) => {
      const path = `${context}${v.instancePath === '/' ? '' : v.instancePath.replaceAll('/', '.')}`;
      const keys = v.keyword === 'unrecognized_keys' ? ((v.params as { keys?: string[] }).keys ?? []) : [];
      if (keys.length > 0) return keys.map((k) => ({ field: `${path}.${k}`, message: UNKNOWN_FIELD[language] }));
      const segments = v.instancePath.split('/').filter((x) => x !== '');
      const input = inputAt(req, context, segments);
      return [{ field: path, message: localise({ ...v, params: v.params }, input, language) }];
    });
    return {
      type: problemType(400),
      title: title(400),
      status: 400,
      detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      errors,
      requestId,
    };
  }
  if (err instanceof HttpProblem) {
    return { type: problemType(err.status), title: title(err.status), status: err.status, ...err.extra, requestId };
  }
  if (err instanceof AuthenticationError) {
    return { type: problemType(401), title: title(401), status: 401, detail: err.message, requestId };
  }
  if (isDataException(err)) {
    // A value validation let through but PostgreSQL refuses (out of range, bad encoding): the request's fault.
    return {
      type: problemType(400),
      title: title(400),
      status: 400,
      detail: 'a value of the request is out of the range the records can hold',
      requestId,
    };
  }
  const status = (err as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = err instanceof Error ? err.message : 'bad request';
    return { type: problemType(status), title: title(status), status, detail: message, requestId };
  }
  // 5xx: the details stay in the log, under the request id.
  return { type: problemType(500), title: title(500), status: 500, requestId };
}

/** A PostgreSQL data exception (SQLSTATE class 22: a value out of range, an invalid encoding or format). */
function isDataException(err: unknown): boolean {
  const e = err as { name?: string; code?: unknown } | null;
  return e?.name === 'PostgresError' && typeof e.code === 'string' && e.code.startsWith('22');
}
