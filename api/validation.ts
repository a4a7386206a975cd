import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { textIssues } from '../domain/text';

/**
 * The route validator: before a route's own zod schema judges a part of the request (body, query, path, headers),
 * every string in it, keys included, is checked for what may never enter (domain/text.ts). This covers every route
 * and every field, also those a schema types loosely (`z.unknown()`), and it runs after the route's 401 check. An
 * offending field answers 400 with its name, like any other invalid field.
 */
export const guardedValidatorCompiler: FastifySchemaCompiler<z.ZodType> = (route) => {
  const validate = validatorCompiler(route);
  return (data: unknown) => {
    const issues = textIssues(data);
    if (issues.length === 0) return validate(data);
    return {
      // The shape fastify-type-provider-zod gives its own issues, so the error handler reports both alike.
      error: issues.map((issue) => ({
        [Symbol.for('ZodFastifySchemaValidationError')]: true,
        keyword: 'invalid_characters',
        instancePath: `/${issue.path.join('/')}`,
        schemaPath: `#/${issue.path.join('/')}/invalid_characters`,
        message: issue.message,
        params: {},
      })),
    };
  };
};
