import type { Client } from '@temporalio/client';
import { createLogger } from '../config/logger';
import type { Sql } from '../db';
import { buildApp } from './app';

/** Where the committed OpenAPI document lives, relative to the repository root. */
export const OPENAPI_PATH = 'api/openapi.json';

/**
 * The OpenAPI 3.1 document, generated from the routes' zod schemas. Building the app touches neither PostgreSQL
 * nor Temporal, so stand-ins do.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const app = await buildApp({
    sql: (() => {
      throw new Error('no database while generating the OpenAPI document');
    }) as unknown as Sql,
    temporal: { workflow: {} } as unknown as Client,
    taskQueue: 'openapi',
    jwtSecret: 'openapi-openapi-openapi-openapi-0000',
    log: createLogger('silent'),
  });
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}

/** The document as committed: two-space JSON with a final newline. */
export function formatOpenApi(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
