import type { SwaggerOptions, SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { textFault } from '../domain/text';
import { exampleFor } from './examples';
import { problemSchema } from './problems';
import { asOfSchema, exportBundleSchema, verificationSchema } from './routes/audit';
import { aliasBody, CASE_COMMANDS } from './routes/commands';
import { healthSchema } from './routes/health';
import { inboxItemSchema, inboxPage, markReadBody } from './routes/inbox';
import { importBody, importDossierBody, registerIdeaBody } from './routes/products';
import { openBody, roundDetailSchema, roundSchema } from './routes/rounds';
import { caseDetailSchema, caseViewSchema } from '../read-models/cases/view';
import { certificateViewSchema } from '../read-models/certificates/view';
import { councilSchema } from '../read-models/councils/view';
import { statisticsSchema } from '../read-models/counts/queries';
import { historySchema } from '../read-models/history/queries';
import { commandAnswerSchema, recordedEventSchema, strictDeep } from './schemas';

/*
 * The machinery of the OpenAPI document (api/openapi.json): how the routes' zod schemas become one document whose
 * shared schemas are components referenced with `$ref`, whose error answers are declared as what the API sends
 * (`application/problem+json`, one shared Problem schema), and whose every operation has an operationId.
 *
 * A zod schema becomes a component when it is registered in zod's global registry with an id (`.meta({ id })` where
 * it is defined, or `z.globalRegistry.add(schema, { id })` for one defined elsewhere); every use of it is then a
 * `$ref`. Error answers are declared per route with `problemSchema` (api/problems.ts); the statuses any route can
 * answer (401 with a token required, 429 from the rate limit, 400 for invalid input…) are added here.
 */

/** Schemas shown once, as components, and referenced wherever they are used. */
const COMPONENTS: readonly [z.ZodType, string][] = [
  [problemSchema, 'Problem'],
  [caseViewSchema, 'CaseView'],
  [caseDetailSchema, 'CaseDetail'],
  [recordedEventSchema, 'RecordedEvent'],
  [commandAnswerSchema, 'CommandAnswer'],
  [historySchema, 'HistoryPage'],
  [registerIdeaBody, 'RegisterIdeaBody'],
  [importBody, 'ImportCertifiedProductBody'],
  [importDossierBody, 'ImportDossierInProgressBody'],
  [aliasBody, 'DossierApplicationBody'],
  [certificateViewSchema, 'Certificate'],
  [statisticsSchema, 'Statistics'],
  [councilSchema, 'Council'],
  [verificationSchema, 'ChainVerification'],
  [asOfSchema, 'CaseStateAsOf'],
  [exportBundleSchema, 'AuditBundle'],
  [openBody, 'OpenRoundBody'],
  [roundSchema, 'Round'],
  [roundDetailSchema, 'RoundDetail'],
  [inboxItemSchema, 'InboxItem'],
  [inboxPage, 'InboxPage'],
  [markReadBody, 'MarkReadBody'],
  [healthSchema, 'Health'],
];

/** `RecordCouncilResult`, `RecordCentralCouncilResult` → `CouncilResult`: the words their names end with. */
function commonSuffix(names: readonly string[]): string {
  const words = names.map((n) => n.match(/[A-Z][a-z0-9]*/g) ?? []);
  const out: string[] = [];
  for (let i = 1; words.every((w) => w.length >= i && w[w.length - i] === words[0]![words[0]!.length - i]); i += 1) {
    out.unshift(words[0]![words[0]!.length - i]!);
  }
  return out.join('') || names.join('Or');
}

function registerComponents(): void {
  for (const [schema, id] of COMPONENTS) z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), id });
  // Each command's body (the strict copy its route validates), named after the command, or after the commands
  // that share it.
  const users = new Map<z.ZodType, string[]>();
  for (const { type, data } of CASE_COMMANDS)
    users.set(strictDeep(data), [...(users.get(strictDeep(data)) ?? []), type]);
  for (const [body, types] of users) {
    const id = types.length === 1 ? `${types[0]}Body` : commonSuffix(types);
    z.globalRegistry.add(body, { ...z.globalRegistry.get(body), id });
  }
}
registerComponents();

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Each error status the API answers: the name of its shared response component and what it means. */
export const PROBLEM_RESPONSES: Readonly<Record<number, { name: string; description: string }>> = {
  400: {
    name: 'BadRequest',
    description:
      'The request is invalid: `errors` lists each invalid field (`body.…`, `querystring.…`, `params.…`, ' +
      '`headers.…`) and why. Nothing was changed.',
  },
  401: { name: 'Unauthorized', description: 'No bearer token, or one that is invalid or expired.' },
  403: {
    name: 'Forbidden',
    description: 'The caller sees the resource but their role or jurisdiction may not do this. Nothing was changed.',
  },
  404: {
    name: 'NotFound',
    description: 'No such resource, or one outside the caller’s jurisdiction (never told apart).',
  },
  409: {
    name: 'Conflict',
    description: 'The step is not allowed in the current state; for a case, `stage` names its stage.',
  },
  412: {
    name: 'PreconditionFailed',
    description: 'If-Match names a version the case is no longer at: read it again. Nothing was changed.',
  },
  413: { name: 'PayloadTooLarge', description: 'The request body is larger than the API accepts.' },
  415: { name: 'UnsupportedMediaType', description: 'The request body is not `application/json`.' },
  422: {
    name: 'UnprocessableContent',
    description:
      'Well-formed but refused: e.g. an Idempotency-Key already used with another body (`idempotency_key_reused`), ' +
      'or a rule the command breaks. Nothing was changed.',
  },
  429: { name: 'TooManyRequests', description: 'Too many requests in the rate-limit window; retry after it.' },
  431: { name: 'RequestHeaderFieldsTooLarge', description: 'The request headers are too large.' },
  500: {
    name: 'InternalServerError',
    description: 'An unexpected error; the log holds the details under `requestId`.',
  },
  503: {
    name: 'ServiceUnavailable',
    description: 'A dependency (Temporal, PostgreSQL, the signing key) is not available or did not answer in time.',
  },
  504: { name: 'GatewayTimeout', description: 'The command did not finish in time; retry with the same key.' },
};

/**
 * The operationId of each route that does not set its own (the command routes do): what a generated client names
 * the call.
 */
export const OPERATION_IDS: Readonly<Record<string, string>> = {
  'GET /health': 'getHealth',
  'POST /products': 'registerIdea',
  'GET /products': 'listProducts',
  'POST /products/import': 'importCertifiedProduct',
  'POST /products/import-dossier': 'importDossierInProgress',
  'GET /products/:productId': 'getProduct',
  'POST /imports': 'importSpreadsheet',
  'GET /imports/:importId': 'getImport',
  'POST /imports/:importId/resume': 'resumeImport',
  'GET /products/:productId/history': 'getProductHistory',
  'GET /products/:productId/council': 'getCouncil',
  'GET /products/:productId/state': 'getProductStateAsOf',
  'GET /products/:productId/verification': 'verifyProductChain',
  'GET /products/:productId/export': 'exportProduct',
  'GET /certificates': 'listCertificates',
  'GET /statistics': 'getStatistics',
  'POST /rounds': 'openRound',
  'GET /rounds': 'listRounds',
  'GET /rounds/:roundId': 'getRound',
  'POST /rounds/:roundId/close': 'closeRound',
  'GET /inbox': 'listInbox',
  'POST /inbox/read': 'markInboxRead',
  'GET /product-sets': 'listProductSets',
  'GET /score-sheets/:code': 'getScoreSheet',
  'POST /places/rehoming': 'rehomePlaces',
};

/** `GET /products/:productId/history` → `getProductsProductIdHistory`: for a route missing from OPERATION_IDS. */
export function derivedOperationId(method: string, url: string): string {
  const words = url.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return [method.toLowerCase(), ...words.map((w) => w.charAt(0).toUpperCase() + w.slice(1))].join('');
}

type Json = Record<string, unknown>;
type RouteSchema = Json & { response?: Json; body?: unknown; security?: unknown[] };

const zodTransform = createJsonSchemaTransform({});
const zodTransformObject = createJsonSchemaTransformObject({});

/** The statuses a route can answer whatever it declares: it is added to the route's own (declared) ones. */
function implicitProblems(schema: RouteSchema, rateLimited: boolean): number[] {
  // Any request: headers over the server's limit (api/hardening.ts), an unexpected error.
  const statuses = [431, 500];
  if (schema.security && schema.security.length > 0) statuses.push(401);
  if (rateLimited) statuses.push(429);
  if (schema.body || schema.querystring || schema.params || schema.headers) statuses.push(400);
  if (schema.body) statuses.push(413, 415);
  return statuses;
}

/** The characters JavaScript's `String.prototype.trim` removes, as the inside of a regex character class. */
export const JS_SPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/**
 * Characters a text field may refuse (NUL, bidirectional overrides and isolates; lone surrogates too, which no
 * pattern can name and no JSON generator produces): every one the route validator refuses in any string, and any
 * other a field's own checks refuse.
 */
const PROBES = ['\u0000', ...'\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069'];

/**
 * What a zod check says that JSON Schema would not: a trimmed string that must not be blank gets a pattern asking
 * for one non-space character, one that refuses some of PROBES a pattern without them, a `YYYY-MM-DD` string refined
 * to calendar dates gets `format: date`. Told apart by
 * how the schema answers, and recorded as metadata of the schema (which the document merges in); validation is
 * unchanged.
 */
export function describeInputs(schema: unknown, seen = new Set<unknown>()): void {
  if (!(schema instanceof z.ZodType) || seen.has(schema)) return;
  seen.add(schema);
  if (schema instanceof z.ZodString) {
    const meta = z.globalRegistry.get(schema) ?? {};
    const min = Math.max(schema.minLength ?? 0, 1);
    const accepts = (s: string) => schema.safeParse(s).success;
    if (schema.format === null && meta.pattern === undefined && accepts('a'.repeat(min))) {
      const blankRefused = !accepts(' '.repeat(min));
      // What the route validator refuses in every string (api/validation.ts), and what this schema refuses itself.
      const fits = (schema.maxLength ?? Infinity) >= min + 2;
      const refused = PROBES.filter((c) => textFault(c) !== null || (fits && !accepts(`a${c}${'a'.repeat(min)}`)));
      const r = refused.map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
      const pattern =
        refused.length === 0
          ? blankRefused
            ? `[^${JS_SPACE}]`
            : undefined
          : blankRefused
            ? `^[^${r}]*[^${JS_SPACE}${r}][^${r}]*$`
            : `^[^${r}]*$`;
      if (pattern) z.globalRegistry.add(schema, { ...meta, pattern });
    }
    if (
      (schema.format ?? 'regex') === 'regex' &&
      accepts('2024-02-29') &&
      !accepts('2026-02-30') &&
      !accepts('2026-1-1')
    )
      z.globalRegistry.add(schema, { ...meta, format: 'date' });
    return;
  }
  for (const value of Object.values(schema._zod.def as unknown as Record<string, unknown>)) {
    if (value instanceof z.ZodType) describeInputs(value, seen);
    else if (Array.isArray(value)) for (const v of value) describeInputs(v, seen);
    else if (value !== null && typeof value === 'object' && !(value instanceof RegExp))
      for (const v of Object.values(value)) describeInputs(v, seen);
  }
}

/** Per route: the zod schemas as JSON Schema, the command's example body, the operationId, implicit errors. */
const transform: SwaggerTransform = (input) => {
  const schema = { ...(input.schema as RouteSchema) };
  for (const part of [schema.body, schema.querystring, schema.params, schema.headers]) describeInputs(part);
  const method = String(input.route.method);
  const rateLimited = (input.route.config as { rateLimit?: unknown } | undefined)?.rateLimit !== false;
  const response: Json = { ...schema.response };
  for (const status of implicitProblems(schema, rateLimited)) response[status] ??= problemSchema;
  schema.response = response;
  // An operation without a security requirement is declared public, rather than left unsaid.
  schema.security ??= [];
  schema.operationId ??= OPERATION_IDS[`${method} ${input.url}`] ?? derivedOperationId(method, input.url);
  return zodTransform({ ...input, schema } as Parameters<typeof zodTransform>[0]);
};

const PROBLEM_REF = '#/components/schemas/Problem';

/** Whether a response object is one of ours carrying the shared problem schema, with no description of its own. */
function isPlainProblem(response: Json): boolean {
  const content = response.content as Record<string, { schema?: { $ref?: string } }> | undefined;
  return (
    response.description === 'Default Response' &&
    content !== undefined &&
    Object.keys(content).length === 1 &&
    content['application/json']?.schema?.$ref === PROBLEM_REF &&
    response.headers === undefined
  );
}

const CLASS_OF: Record<string, string> = { w: 'A-Za-z0-9_', d: '0-9', s: JS_SPACE };

/**
 * A pattern with `\\w`, `\\d` and `\\s` spelled out as the ASCII (and JavaScript whitespace) classes they mean in
 * JavaScript, so that a tester in another language (Python's `re` takes `\\w` to be any Unicode letter) reads the
 * same language.
 */
export function portablePattern(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      i += 1;
      const cls = CLASS_OF[next];
      if (cls) out += inClass ? cls : `[${cls}]`;
      else if (next === 'S' && !inClass) out += `[^${JS_SPACE}]`;
      else out += c + next;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return out;
}

function portablePatterns(value: unknown): void {
  if (Array.isArray(value)) for (const v of value) portablePatterns(v);
  else if (value !== null && typeof value === 'object') {
    const o = value as Json;
    if (typeof o.pattern === 'string') o.pattern = portablePattern(o.pattern);
    for (const [k, v] of Object.entries(o)) if (k !== 'pattern') portablePatterns(v);
  }
}

/** What a created resource's id is called in paths, by the schema its creating operation answers with. */
const CREATED: readonly { schema: string; param: string; pointer: string }[] = [
  { schema: 'CaseDetail', param: 'productId', pointer: '/productId' },
  { schema: 'Round', param: 'roundId', pointer: '/roundId' },
];

type Operation = { operationId?: string; responses?: Record<string, Json> };

/**
 * OpenAPI links from each operation that creates a resource (a POST answering with it) to every operation taking its
 * id in the path, so that a client, or a stateful tester, can follow from one to the others. Returns the shared link
 * objects; each creating response refers to them.
 */
function addLinks(paths: Record<string, Record<string, Operation>>): Json {
  const links: Json = {};
  for (const { schema, param, pointer } of CREATED) {
    const targets = Object.entries(paths)
      .filter(([path]) => path.includes(`{${param}}`))
      .flatMap(([, item]) => Object.values(item))
      .map((op) => op.operationId)
      .filter((id): id is string => id !== undefined)
      .sort();
    for (const item of Object.values(paths)) {
      for (const response of Object.entries(item.post?.responses ?? {})
        .filter(([status]) => status.startsWith('2'))
        .map(([, r]) => r)) {
        const content = response.content as Record<string, { schema?: { $ref?: string } }> | undefined;
        if (content?.['application/json']?.schema?.$ref !== `#/components/schemas/${schema}`) continue;
        const own: Json = {};
        for (const target of targets) {
          const name = `${schema}To${target.charAt(0).toUpperCase()}${target.slice(1)}`;
          links[name] = { operationId: target, parameters: { [param]: `$response.body#${pointer}` } };
          own[target] = { $ref: `#/components/links/${name}` };
        }
        response.links = own;
      }
    }
  }
  return Object.fromEntries(Object.entries(links).sort(([a], [b]) => a.localeCompare(b)));
}

/** Every `$ref` under a value, by the component it names. */
function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) collectRefs(v, into);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') into.add(v);
      else collectRefs(v, into);
    }
  }
}

function renameRefs(value: unknown, renames: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => renameRefs(v, renames));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' ? (renames.get(v) ?? v) : renameRefs(v, renames),
    ]),
  );
}

/**
 * The whole document: registered schemas as components; each error answer as `application/problem+json`, by
 * `$ref` to a shared response when it says nothing of its own; unused components dropped, and an input-only
 * component named without its `Input` suffix.
 */
const transformObject: SwaggerTransformObject = (input) => {
  const doc = zodTransformObject(input) as Json & {
    paths: Record<
      string,
      Record<string, { responses?: Record<string, Json>; requestBody?: { content: Record<string, Json> } }>
    >;
    components: Json & { schemas?: Record<string, unknown>; responses?: Record<string, unknown> };
  };
  const responses: Record<string, unknown> = {};
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const operation of Object.values(item)) {
      // Each command route's request body carries a valid example (api/examples.ts).
      const example = exampleFor(path.replace(/\{(\w+)\}/g, ':$1'));
      const media = operation.requestBody?.content['application/json'];
      if (example !== undefined && media) media.example = example;
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (Number(status) < 400) continue;
        const known = PROBLEM_RESPONSES[Number(status)];
        if (known && isPlainProblem(response)) {
          responses[known.name] ??= {
            description: known.description,
            content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: PROBLEM_REF } } },
          };
          operation.responses![status] = { $ref: `#/components/responses/${known.name}` };
          continue;
        }
        // A problem with words of its own stays inline; any other body (e.g. /health's 503) is what it says it is.
        const content = response.content as Record<string, { schema?: { $ref?: string } }> | undefined;
        if (
          content?.['application/json']?.schema?.$ref === PROBLEM_REF &&
          content[PROBLEM_CONTENT_TYPE] === undefined
        ) {
          const { 'application/json': json, ...rest } = content;
          response.content = { [PROBLEM_CONTENT_TYPE]: json, ...rest };
        }
      }
    }
  }
  const sortedResponses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
  doc.components = {
    ...doc.components,
    responses: { ...doc.components.responses, ...sortedResponses },
    links: { ...(doc.components.links as Json | undefined), ...addLinks(doc.paths) },
  };

  // Components reachable from the paths (and from each other); the rest is dropped.
  const schemas = doc.components.schemas ?? {};
  const used = new Set<string>();
  collectRefs(doc.paths, used);
  collectRefs(doc.components.responses, used);
  collectRefs(doc.components.links, used);
  const prefix = '#/components/schemas/';
  for (let grew = true; grew;) {
    grew = false;
    for (const ref of [...used]) {
      const inner = new Set<string>();
      collectRefs(schemas[ref.slice(prefix.length)], inner);
      for (const r of inner) {
        if (used.has(r)) continue;
        used.add(r);
        grew = true;
      }
    }
  }
  const renames = new Map<string, string>();
  const kept: Record<string, unknown> = {};
  for (const name of Object.keys(schemas).sort()) {
    if (!used.has(prefix + name)) continue;
    const plain = name.endsWith('Input') ? name.slice(0, -'Input'.length) : null;
    if (plain && !used.has(prefix + plain)) {
      renames.set(prefix + name, prefix + plain);
      kept[plain] = schemas[name];
    } else kept[name] = schemas[name];
  }
  const sortedKept = Object.fromEntries(Object.entries(kept).sort(([a], [b]) => a.localeCompare(b)));
  portablePatterns(doc.paths);
  portablePatterns(sortedKept);
  return renameRefs(
    { ...doc, components: { ...doc.components, schemas: sortedKept } },
    renames,
  ) as ReturnType<SwaggerTransformObject>;
};

/** The options of @fastify/swagger that make the document. */
export function swaggerOptions(info: { version: string; description: string }): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ocop-cycle API',
        version: info.version,
        description: info.description,
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: '/', description: 'This server' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          // A browser session (POST /auth/login); writes also carry its x-csrf-token header.
          session: { type: 'apiKey', in: 'cookie', name: 'ocop_session' },
        },
      },
    },
    transform,
    transformObject,
  };
}
