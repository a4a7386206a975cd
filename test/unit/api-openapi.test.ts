import { readFileSync } from 'node:fs';
import { createConfig, lint } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { buildApp } from '../../api/app';
import { createLogger } from '../../config/logger';
import type { Sql } from '../../db';
import { describeInputs } from '../../api/contract';
import { textFault } from '../../domain/text';
import { COMMAND_EXAMPLES } from '../../api/examples';
import { formatOpenApi, OPENAPI_PATH, openApiDocument } from '../../api/openapi';
import {
  CASE_COMMANDS,
  COMMAND_DOCS,
  kebabOf,
  START_ROUTES,
  type CaseCommandType,
  type StartCommandType,
} from '../../api/routes/commands';
import { strictDeep } from '../../api/schemas';
import { COMMAND_TYPES, SYSTEM_COMMANDS } from '../../domain';

type Operation = { summary?: string; requestBody?: unknown; responses?: Record<string, unknown> };

describe('the OpenAPI document', () => {
  it('is committed as generated: run `npm run openapi` after changing a route or schema', async () => {
    const generated = await openApiDocument();
    const committed: unknown = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8'));
    // Compared as data, so formatting the file does not matter.
    expect(committed).toEqual(JSON.parse(formatOpenApi(generated)));
  });

  it('has a route with a summary for every command a user sends', async () => {
    const paths = (await openApiDocument()).paths as Record<string, Record<string, Operation>>;
    const userCommands = COMMAND_TYPES.filter((t) => !(SYSTEM_COMMANDS as readonly string[]).includes(t));
    expect(userCommands.length).toBeGreaterThan(20);
    for (const type of userCommands) {
      if (type in START_ROUTES) {
        const op = paths[START_ROUTES[type as StartCommandType]]?.post;
        expect(op?.summary, type).toBeTruthy();
        expect(Object.keys(op?.responses ?? {}), type).toEqual(expect.arrayContaining(['201', '400', '401', '403']));
        continue;
      }
      const op = paths[`/products/{productId}/${kebabOf(type)}`]?.post;
      expect(op, type).toBeDefined();
      expect(op?.summary, type).toBe(COMMAND_DOCS[type as CaseCommandType].summary);
      expect(Object.keys(op?.responses ?? {}), type).toEqual(
        expect.arrayContaining(['200', '400', '401', '403', '404', '409', '412', '413', '429']),
      );
    }
    for (const path of ['/products/{productId}', '/products/{productId}/history', '/certificates', '/statistics']) {
      expect(paths[path]?.get?.summary, path).toBeTruthy();
    }
  });
});

type Doc = {
  paths: Record<string, Record<string, Op>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, Resp>; links: Record<string, unknown> };
};
type Op = {
  operationId?: string;
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, Resp & { $ref?: string }>;
};
type Resp = { description: string; content?: Record<string, { schema: { $ref?: string } }> };

describe('the contract the document states', () => {
  const doc = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as Doc;
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );

  it('validates cleanly with an OpenAPI linter (Redocly, recommended rules)', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lint({ ref: OPENAPI_PATH, config });
    // A browser sign-in step (single sign-on's login and callback) succeeds with a redirect, never a 2xx: the rule
    // asking for a 2xx is waived for an operation whose success is a declared 3xx, and for no other.
    const redirects = new Set(
      operations
        .filter(({ op }) => Object.keys(op.responses).some((code) => /^3\d\d$/.test(code)))
        .map(({ name }) => name),
    );
    const pointerOf = (name: string) => {
      const [method = '', path = ''] = name.split(' ');
      return `#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method.toLowerCase()}/responses`;
    };
    const waived = new Set([...redirects].map(pointerOf));
    expect(
      problems
        .filter((p) => !(p.ruleId === 'operation-2xx-response' && waived.has(p.location[0]?.pointer ?? '')))
        .map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`),
    ).toEqual([]);
  });

  it('names every operation, each once', () => {
    const ids = operations.map(({ name, op }) => op.operationId ?? `(none: ${name})`);
    expect(ids.filter((id) => id.startsWith('(none'))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares every error answer as application/problem+json with the one shared Problem schema', () => {
    let errors = 0;
    for (const { name, op } of operations) {
      for (const [status, declared] of Object.entries(op.responses)) {
        // /health answers 503 with the same report as its 200, saying which dependency is down.
        if (Number(status) < 400 || (name === 'GET /health' && status === '503')) continue;
        errors += 1;
        const response = declared.$ref
          ? doc.components.responses[declared.$ref.replace('#/components/responses/', '')]
          : declared;
        expect(Object.keys(response?.content ?? {}), `${name} ${status}`).toEqual(['application/problem+json']);
        expect(response?.content?.['application/problem+json']?.schema, `${name} ${status}`).toEqual({
          $ref: '#/components/schemas/Problem',
        });
      }
      // Every operation can answer 500 and, unless public, 401; one with input, 400.
      expect(Object.keys(op.responses), name).toContain('500');
    }
    expect(errors).toBeGreaterThan(300);
  });

  it('declares the Idempotency-Key of every command required', () => {
    // The commands on cases and rounds (marking the inbox read and re-homing places take no key).
    const commands = operations.filter(({ name }) => /^POST \/(products|rounds)\b/.test(name));
    expect(commands.length).toBeGreaterThan(35);
    for (const { name, op } of commands) {
      const key = op.parameters?.find((p) => p.in === 'header' && p.name === 'idempotency-key');
      expect(key?.required, name).toBe(true);
    }
  });

  it('shows shared schemas once, as components, and refers to them', () => {
    for (const id of ['Problem', 'CaseView', 'CaseDetail', 'CommandAnswer', 'CouncilResult', 'SubmitCouncilScoresBody'])
      expect(doc.components.schemas, id).toHaveProperty(id);
    for (const { type } of CASE_COMMANDS) {
      const op = doc.paths[`/products/{productId}/${kebabOf(type)}`]?.post;
      expect(op?.requestBody?.content['application/json']?.schema.$ref, type).toMatch(/^#\/components\/schemas\/\w+$/);
      expect(op?.responses['200']?.content?.['application/json']?.schema.$ref, type).toBe(
        '#/components/schemas/CommandAnswer',
      );
    }
    // Each registration links to the operations on the case it opens.
    expect(Object.keys(doc.components.links).length).toBeGreaterThan(30);
    // About 5 KB per operation with shared schemas; 1.37 MB (about 27 KB per operation) when every operation spelled
    // out every schema.
    const operations = Object.values(doc.paths).flatMap((ops) => Object.keys(ops as object)).length;
    expect(readFileSync(OPENAPI_PATH).length / operations).toBeLessThan(8_000);
  });
});

describe('a method a path does not take', () => {
  it('answers 405 with Allow listing the methods the document declares for the path, before reading the body', async () => {
    const app = await buildApp({
      sql: (() => {
        throw new Error('no database');
      }) as unknown as Sql,
      temporal: { workflow: {} } as unknown as Client,
      taskQueue: 'methods',
      jwtSecret: 'methods-methods-methods-methods-0000',
      log: createLogger('silent'),
    });
    try {
      const trace = await app.inject({ method: 'TRACE', url: '/products' });
      expect(trace.statusCode).toBe(405);
      expect(trace.headers.allow).toBe('GET, POST');
      expect(trace.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(trace.json()).toMatchObject({ status: 405, title: 'Phương thức không được phép' });
      const english = await app.inject({ method: 'TRACE', url: '/products', headers: { 'accept-language': 'en' } });
      expect(english.json()).toMatchObject({ status: 405, title: 'Method Not Allowed' });
      const options = await app.inject({ method: 'OPTIONS', url: '/products/import' });
      expect([options.statusCode, options.headers.allow]).toEqual([405, 'POST']);
      const put = await app.inject({ method: 'PUT', url: '/products/P1/accept-idea', payload: 'not json' });
      expect([put.statusCode, put.headers.allow]).toEqual([405, 'POST']);
      expect((await app.inject({ method: 'GET', url: '/nowhere' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});

describe('the document of an input schema', () => {
  it('states what a text field refuses that JSON Schema would not: blanks, NUL, bidirectional controls, dates', () => {
    const name = z
      .string()
      .trim()
      .min(1)
      .max(64)
      .refine((s) => !s.includes('\u0000') && !s.includes('\u202e'));
    const note = z
      .string()
      .max(10)
      .refine((s) => !s.includes('\u0000'));
    const code = z.string().trim().min(1).max(64);
    const day = z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .refine((s) => !Number.isNaN(Date.parse(s)) && s !== '2026-02-30');
    const body = z.object({ name, note, code, day });
    describeInputs(body);
    const json = z.toJSONSchema(body).properties as Record<string, { pattern?: string; format?: string }>;
    const matches = (field: string, value: string) => new RegExp(json[field]!.pattern!, 'u').test(value);
    for (const [field, schema] of Object.entries({ name, note, code })) {
      for (const value of ['a', ' a ', 'a b', ' ', 'a\u0000b', 'a\u202eb', 'Chè búp'])
        // What a route accepts: what the field's schema accepts and the route validator lets in (api/validation.ts).
        expect(matches(field, value), `${field} ${JSON.stringify(value)}`).toBe(
          schema.safeParse(value).success && textFault(value) === null,
        );
    }
    expect(json.day?.format).toBe('date');
  });
});

describe('command bodies', () => {
  it('accept every documented example and refuse unknown fields at any depth', () => {
    for (const { type, data } of CASE_COMMANDS) {
      const schema = strictDeep(data);
      expect(schema.safeParse(COMMAND_EXAMPLES[type]).success, type).toBe(true);
      expect(schema.safeParse({ ...COMMAND_EXAMPLES[type], unexpected: 1 }).success, type).toBe(false);
    }
    const council = CASE_COMMANDS.find((c) => c.type === 'RecordCouncilResult')!;
    const nested = {
      ...COMMAND_EXAMPLES.RecordCouncilResult,
      knockOut: { ground: 'a', reason: 'giả mạo', extra: true },
    };
    expect(strictDeep(council.data).safeParse(nested).success).toBe(false);
  });

  it('name each route after its command in kebab case', () => {
    expect(kebabOf('SubmitDossier')).toBe('submit-dossier');
    expect(kebabOf('AssessDossierAtCommune')).toBe('assess-dossier-at-commune');
  });
});
