import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
