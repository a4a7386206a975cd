/**
 * Thousands of malformed requests, generated: a broken body, a broken header, a broken path or an oversized or
 * unparsable payload, each on an otherwise valid command from a caller who could send it. The API must answer
 * every one with a 4xx problem document, never a 5xx, and nothing may be recorded.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken } from '../../api/auth';
import { COMMAND_EXAMPLES } from '../../api/examples';
import { CASE_COMMANDS, DOSSIER_ALIASES, kebabOf } from '../../api/routes/commands';
import { importBody, importDossierBody, registerIdeaBody } from '../../api/routes/products';
import { strictDeep } from '../../api/schemas';
import { createLogger } from '../../config/logger';
import { submitDossierData } from '../../domain';
import { startHarness, type Harness } from './harness';
import type { z } from 'zod';

const PROVINCE = '38';
const COMMUNE = '14758';
const secret = 'fuzz-secret-fuzz-secret-fuzz-secret-0123';
const BODY_LIMIT = 16 * 1024;

let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let officer: string;
let admin: string;
let productId: string;

const idea = {
  subjectId: 'HTX-FUZZ',
  subjectName: 'HTX Thử',
  productName: 'Nước mắm',
  productSetCode: 'sauces-fish-sauce',
  provinceCode: PROVINCE,
  communeCode: COMMUNE,
};
const imported = {
  ...idea,
  productId: 'FUZZ-IMPORT-1',
  ruleSetId: 'QD148_2023',
  certificate: { number: 'GCN-FZ-1', star: 4, level: 'province', issuedOn: '2024-03-01', expiresOn: '2027-03-01' },
};

const importedDossier = {
  ...idea,
  productId: 'FUZZ-IMPORT-2',
  dossier: { dossierRef: 'HS-GIAY', filedOn: '2026-03-02', forwardedOn: '2026-03-20' },
};

/** What a request may be sent to, with a valid body and the schema that judges a body. */
interface Target {
  url: (id: string) => string;
  valid: Record<string, unknown>;
  schema: z.ZodType;
  admin?: boolean;
  /** Opens a case: takes no If-Match. */
  start?: boolean;
}
const TARGETS: Target[] = [
  ...CASE_COMMANDS.map(({ type, data }) => ({
    url: (id: string) => `/products/${id}/${kebabOf(type)}`,
    valid: COMMAND_EXAMPLES[type],
    schema: strictDeep(data),
  })),
  ...DOSSIER_ALIASES.map((a) => ({
    url: (id: string) => a.path.replace(':productId', id),
    valid: { dossierRef: 'HS-1', selfAssessedScore: 80 },
    schema: submitDossierData.omit({ kind: true }).strict(),
  })),
  { url: () => '/products', valid: idea, schema: registerIdeaBody, start: true },
  { url: () => '/products/import', valid: imported, schema: importBody, admin: true, start: true },
  {
    url: () => '/products/import-dossier',
    valid: importedDossier,
    schema: importDossierBody,
    admin: true,
    start: true,
  },
];

beforeAll(async () => {
  h = await startHarness('api-malformed');
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
    rateLimit: 1_000_000,
    bodyLimit: BODY_LIMIT,
  });
  officer = await signToken(secret, { sub: 'fuzz-officer', role: 'commune_officer', jurisdiction: COMMUNE });
  admin = await signToken(secret, { sub: 'fuzz-admin', role: 'admin', jurisdiction: 'VN' });
  const res = await app.inject({
    method: 'POST',
    url: '/products',
    headers: { authorization: `Bearer ${officer}`, 'idempotency-key': 'fuzz-setup-0001' },
    payload: idea,
  });
  expect(res.statusCode, res.body).toBe(201);
  productId = res.json<{ productId: string }>().productId;
});
afterAll(async () => {
  await app?.close();
  await h?.stop();
});

const wrongValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 5 }),
  fc.string({ minLength: 2001, maxLength: 2100 }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);

/** A body the target's schema refuses: a mutated valid one, or any JSON value at all. */
const badBody = (t: Target) => {
  const fields = Object.keys(t.valid);
  const mutations = [
    fc
      .record({ key: fc.string({ minLength: 1, maxLength: 12 }), value: fc.jsonValue() })
      .map(({ key, value }) => (key in t.valid ? { ...t.valid, [`${key}_x`]: value } : { ...t.valid, [key]: value })),
    fc.jsonValue({ maxDepth: 3 }),
  ];
  // A body with no fields (e.g. CloseCouncil's) has none to corrupt or drop.
  if (fields.length > 0) {
    mutations.push(
      fc
        .record({ field: fc.constantFrom(...fields), value: wrongValue })
        .map(({ field, value }) => ({ ...t.valid, [field]: value })),
      fc.constantFrom(...fields).map((field) => {
        const { [field]: _dropped, ...rest } = t.valid;
        return rest;
      }),
    );
  }
  return fc.oneof(...mutations).filter((body) => !t.schema.safeParse(body).success);
};

type Request = {
  target: Target;
  path: string;
  headers: Record<string, string>;
  payload: string;
};

function request(t: Target, body: unknown, headers: Record<string, string> = {}, id = productId): Request {
  return {
    target: t,
    path: t.url(id),
    headers: {
      authorization: `Bearer ${t.admin ? admin : officer}`,
      'idempotency-key': `fuzz-${Math.random().toString(36).slice(2)}-key`,
      'content-type': 'application/json',
      ...headers,
    },
    payload: JSON.stringify(body) ?? 'null',
  };
}

const target = fc.constantFrom(...TARGETS);
const commandTarget = fc.constantFrom(...TARGETS.filter((t) => !t.start));
const requests: fc.Arbitrary<Request> = fc.oneof(
  { weight: 6, arbitrary: target.chain((t) => badBody(t).map((body) => request(t, body))) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        t: target,
        header: fc.constantFrom<Record<string, string>>(
          { 'idempotency-key': 'short' },
          { 'idempotency-key': 'bad key with spaces' },
          { 'idempotency-key': 'x'.repeat(129) },
          { 'if-match': 'yesterday' },
          { 'if-match': '"3x' },
          { authorization: 'Bearer not.a.token' },
          { authorization: 'Basic Zm9vOmJhcg==' },
          { authorization: '' },
          { 'content-type': 'text/plain' },
          { 'content-type': 'application/xml' },
        ),
      })
      .filter(({ t, header }) => !(t.start && 'if-match' in header))
      .map(({ t, header }) => request(t, t.valid, header)),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        t: commandTarget,
        id: fc.oneof(fc.string({ minLength: 65, maxLength: 80 }), fc.constantFrom('a b', 'é', '%00', '..')),
      })
      .map(({ t, id }) => request(t, t.valid, {}, encodeURIComponent(id))),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ t: target, id: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/) })
      .filter(({ id }) => id !== productId && id !== 'import')
      // A well-formed id of no case: 404 on a command route; registration and import do not take one.
      .map(({ t, id }) => request(t, t.start ? { nope: true } : t.valid, {}, `NONE-${id}`)),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ t: target, text: fc.string({ maxLength: 40 }) })
      // The payload sent is `{` + text: it must not parse (text `}` would make the valid body `{}`).
      .filter(({ text }) => {
        try {
          JSON.parse(`{${text}`);
          return false;
        } catch {
          return true;
        }
      })
      .map(({ t, text }) => ({ ...request(t, t.valid), payload: `{${text}` })),
  },
  {
    weight: 1,
    arbitrary: target.map((t) => request(t, { ...t.valid, padding: 'x'.repeat(BODY_LIMIT) })),
  },
);

async function recorded(): Promise<{ events: number; answers: number }> {
  const [row] = await h.sql<{ events: string; answers: string }[]>`
    SELECT (SELECT count(*) FROM events WHERE actor_user LIKE 'fuzz-%') AS events,
           (SELECT count(*) FROM api_idempotency WHERE user_id LIKE 'fuzz-%') AS answers`;
  return { events: Number(row!.events), answers: Number(row!.answers) };
}

describe('malformed requests', () => {
  it('are answered 4xx with a problem document and change nothing', async () => {
    const before = await recorded();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requests, async (r) => {
        const res = await app.inject({ method: 'POST', url: r.path, headers: r.headers, payload: r.payload });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        expect(res.statusCode, `${r.path} ${r.payload.slice(0, 200)} → ${res.body}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, `${r.path} ${r.payload.slice(0, 200)} → ${res.body}`).toBeLessThan(500);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      }),
      { numRuns: 3000 },
    );
    expect(await recorded()).toEqual(before);
    // The generator reaches every kind of refusal, not only one.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([400, 401, 404, 413, 415]));
  });
});
