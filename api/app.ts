import { randomUUID } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import Fastify from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from '../config/logger';
import type { Sql } from '../db';
import { AuthenticationError, type Principal } from './auth';
import { CommandGateway } from './commands';
import { HttpProblem, problemType, type Problem } from './problems';
import { healthRoutes } from './routes/health';
import { productRoutes } from './routes/products';

export interface AppDeps {
  sql: Sql;
  temporal: Client;
  taskQueue: string;
  jwtSecret: string;
  log: Logger;
  /** @default 262144 */
  bodyLimit?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; set by `app.authenticate` on routes that need one. */
    principal?: Principal;
  }
}

export const API_VERSION = '0.1.0';

export async function buildApp(deps: AppDeps) {
  const app = Fastify({
    loggerInstance: deps.log,
    bodyLimit: deps.bodyLimit ?? 256 * 1024,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    requestTimeout: 60_000,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ocop-cycle API',
        version: API_VERSION,
        description:
          'Commands and queries for OCOP product cases (One Commune One Product, Vietnam). Every command takes an ' +
          'Idempotency-Key header; errors are RFC 7807 problem documents.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  app.setErrorHandler((err, req, reply) => {
    const problem = toProblem(err, req.id);
    if (problem.status >= 500) req.log.error({ err }, 'request failed');
    return reply.code(problem.status).type('application/problem+json').send(problem);
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .type('application/problem+json')
      .send({ type: problemType(404), title: 'Not Found', status: 404, detail: `no route ${req.method} ${req.url}` }),
  );

  const gateway = new CommandGateway(deps.temporal.workflow, deps.taskQueue);
  await app.register(healthRoutes(deps));
  await app.register(productRoutes(deps, gateway));
  return app;
}

function toProblem(err: unknown, requestId: string): Problem {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const context = err.validationContext ?? 'body';
    // One entry per field: an unknown key is reported under its own name, not its parent's.
    const errors = err.validation.flatMap((v) => {
      const path = `${context}${v.instancePath === '/' ? '' : v.instancePath.replaceAll('/', '.')}`;
      const keys = v.keyword === 'unrecognized_keys' ? ((v.params as { keys?: string[] }).keys ?? []) : [];
      if (keys.length > 0) return keys.map((k) => ({ field: `${path}.${k}`, message: 'unknown field' }));
      return [{ field: path, message: v.message ?? 'invalid' }];
    });
    return {
      type: problemType(400),
      title: 'Bad Request',
      status: 400,
      detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      errors,
      requestId,
    };
  }
  if (err instanceof HttpProblem) {
    return { type: problemType(err.status), title: err.title, status: err.status, ...err.extra, requestId };
  }
  if (err instanceof AuthenticationError) {
    return { type: problemType(401), title: 'Unauthorized', status: 401, detail: err.message, requestId };
  }
  const status = (err as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = err instanceof Error ? err.message : 'bad request';
    return { type: problemType(status), title: titleOf(status), status, detail: message, requestId };
  }
  // 5xx: the details stay in the log, under the request id.
  return { type: problemType(500), title: 'Internal Server Error', status: 500, requestId };
}

function titleOf(status: number): string {
  return (
    {
      400: 'Bad Request',
      404: 'Not Found',
      405: 'Method Not Allowed',
      413: 'Payload Too Large',
      415: 'Unsupported Media Type',
      429: 'Too Many Requests',
    }[status] ?? 'Client Error'
  );
}
