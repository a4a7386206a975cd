/**
 * Hostile but well-formed input (issue 15, findings 1, 7 and 11): characters no record may hold or should show, in
 * bodies, query parameters, path parameters and token claims; query values and cursors PostgreSQL cannot take; an
 * oversized header block. Each answers a 4xx problem document naming what is wrong, and changes nothing. Every
 * answer carries the security headers, and /health is outside the rate limit.
 */
import { generateKeyPairSync } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { documentKeys } from '../../documents/token';
import { signToken } from '../../api/auth';
import { createLogger } from '../../config/logger';
import { startHarness, type Harness } from './harness';

const PROVINCE = '52'; // Tỉnh Gia Lai, which no other test uses
const COMMUNE = '21553';
const SUBJECT = 'HTX-HOSTILE';
const secret = 'hostile-secret-hostile-secret-hostile-01';

let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let subject: string;
let officer: string;
let province: string;
let admin: string;
let productId: string;
let keys = 0;

const idea = {
  subjectId: SUBJECT,
  subjectName: 'Hợp tác xã Thử Nghiệm',
  productName: 'Mật ong rừng',
  productSetCode: 'honey-other-raw-foods',
  provinceCode: PROVINCE,
  communeCode: COMMUNE,
  ideaSummary: 'Mật ong rừng đóng chai',
};

const nextKey = () => `hostile-${Date.now()}-${(keys += 1)}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  h = await startHarness('api-hostile');
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
    auditSigningKey: generateKeyPairSync('ed25519').privateKey,
    documentKeys: documentKeys(generateKeyPairSync('ed25519').privateKey),
  });
  subject = await signToken(secret, { sub: SUBJECT, role: 'subject', jurisdiction: SUBJECT });
  officer = await signToken(secret, { sub: 'hostile-officer', role: 'commune_officer', jurisdiction: COMMUNE });
  province = await signToken(secret, { sub: 'hostile-province', role: 'provincial_office', jurisdiction: PROVINCE });
  admin = await signToken(secret, { sub: 'hostile-admin', role: 'admin', jurisdiction: 'VN' });
  const res = await app.inject({
    method: 'POST',
    url: '/products',
    headers: { ...bearer(subject), 'idempotency-key': nextKey() },
    payload: idea,
  });
  expect(res.statusCode, res.body).toBe(201);
  productId = res.json<{ productId: string }>().productId;
});
afterAll(async () => {
  await app?.close();
  await h?.stop();
});

interface ProblemBody {
  type: string;
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}

/** The answer is a problem document of `status` that names `field`. */
function expectProblem(res: Awaited<ReturnType<typeof app.inject>>, status: number, field?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json<ProblemBody>();
  expect(body.status).toBe(status);
  if (field) expect(body.errors?.map((e) => e.field)).toContain(field);
  return body;
}

const POISON = {
  NUL: 'Mật\u0000ong',
  'a lone surrogate': 'Mật ong \ud83d',
  'U+202E (right-to-left override)': 'Mật ong \u202Egnỏ',
} as const;

describe('characters no record may hold or should show', () => {
  for (const [what, value] of Object.entries(POISON)) {
    it(`${what} in a body field answers 400 naming the field, and opens no case`, async () => {
      const key = nextKey();
      const res = await app.inject({
        method: 'POST',
        url: '/products',
        headers: { ...bearer(subject), 'idempotency-key': key, 'content-type': 'application/json' },
        // Written by hand: the escapes reach the server as JSON text, as a careless or hostile client sends them.
        payload: JSON.stringify({ ...idea, productName: value }),
      });
      const body = expectProblem(res, 400, 'body.productName');
      expect(body.detail).toMatch(/NUL|surrogate|bidirectional/);
      const list = await app.inject({ method: 'GET', url: `/products?commune=${COMMUNE}`, headers: bearer(officer) });
      expect(list.json<{ items: { productName: string }[] }>().items.map((c) => c.productName)).toEqual([
        idea.productName,
      ]);
    });
  }

  it('a field the schema leaves open (a council result’s unmet minimums) is checked too', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/products/${productId}/record-council-result`,
      headers: { ...bearer(province), 'idempotency-key': nextKey() },
      payload: {
        averageScore: 70,
        star: 3,
        knockOut: null,
        sheetCode: 'tea',
        memberCount: 5,
        lowered: { from: 4, to: 3, unmetMinimums: [{ criterion: 'A\u0000' }] },
      },
    });
    expectProblem(res, 400, 'body.lowered.unmetMinimums.0.criterion');
  });

  it('NUL and U+202E in a query parameter answer 400 naming it; an encoded lone surrogate never arrives as one', async () => {
    for (const [param, value] of [
      ['province', '%00'],
      ['commune', 'a%00b'],
      ['productSet', '%00'],
      ['province', '%E2%80%AE41'],
    ] as const) {
      const res = await app.inject({ method: 'GET', url: `/products?${param}=${value}`, headers: bearer(admin) });
      expectProblem(res, 400, `querystring.${param}`);
    }
    // Invalid UTF-8 (a surrogate's bytes) is not decoded: the value stays the literal text and matches nothing.
    const res = await app.inject({ method: 'GET', url: '/products?province=%ED%A0%80', headers: bearer(admin) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('NUL, U+202E or a lone surrogate in a path parameter answers 400', async () => {
    for (const segment of ['P%00', 'P%E2%80%AE1', 'P%ED%A0%80']) {
      const res = await app.inject({ method: 'GET', url: `/products/${segment}`, headers: bearer(admin) });
      expectProblem(res, 400);
    }
    const res = await app.inject({ method: 'GET', url: '/products/P%E2%80%AE1/history', headers: bearer(admin) });
    expectProblem(res, 400, 'params.productId');
  });

  it('a token whose claims hold NUL, a lone surrogate or U+202E answers 401 naming the claim', async () => {
    for (const [claims, claim] of [
      [{ sub: 'a\u0000b', role: 'subject', jurisdiction: SUBJECT }, 'sub'],
      [{ sub: 'x', role: 'provincial_office', jurisdiction: '45\u0000' }, 'jurisdiction'],
      [{ sub: 'x', role: 'admin', jurisdiction: 'VN', name: 'Ngân \ud800' }, 'name'],
      [{ sub: '\u202Eadmin', role: 'subject', jurisdiction: SUBJECT }, 'sub'],
    ] as const) {
      const token = await signToken(secret, claims);
      const res = await app.inject({ method: 'GET', url: '/products', headers: bearer(token) });
      const body = expectProblem(res, 401);
      expect(body.detail).toContain(claim);
      const command = await app.inject({
        method: 'POST',
        url: `/products/${productId}/accept-idea`,
        headers: { ...bearer(token), 'idempotency-key': nextKey() },
        payload: {},
      });
      expectProblem(command, 401);
    }
  });
});

describe('query values and cursors PostgreSQL cannot take', () => {
  const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('answer 400 naming the parameter, never 500', async () => {
    const cases: [string, string][] = [
      ['/products?expiringBefore=0000-01-01', 'querystring.expiringBefore'],
      ['/certificates?expiringBefore=0000-01-01', 'querystring.expiringBefore'],
      [`/products/${productId}/history?after=2147483648`, 'querystring.after'],
      [`/products?cursor=${cursorOf(['+275760-09-13T00:00:00.000Z', productId])}`, 'querystring.cursor'],
      [`/products?cursor=${cursorOf(['-271821-04-20T00:00:00.000Z', productId])}`, 'querystring.cursor'],
      [`/products?cursor=${cursorOf(['0000-01-01T00:00:00.000Z', productId])}`, 'querystring.cursor'],
      [`/products?cursor=${cursorOf(['2026-01-01T00:00:00.000Z', 'P\u0000'])}`, 'querystring.cursor'],
      [
        `/certificates?cursor=${cursorOf(['2026-01-01T00:00:00.000Z', productId, Number.MAX_SAFE_INTEGER])}`,
        'querystring.cursor',
      ],
    ];
    for (const [url, field] of cases) {
      const res = await app.inject({ method: 'GET', url, headers: bearer(admin) });
      expectProblem(res, 400, field);
    }
  });

  it('a request header block over 16 KB answers 431 as a problem document', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const answer = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/health', headers: { 'x-padding': 'a'.repeat(20_000) } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(431);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
  });

  /** Percent-encodes as a hostile client may: a lone surrogate as the three bytes UTF-8 would give it (WTF-8). */
  function encode(s: string): string {
    let out = '';
    for (const ch of s) {
      const code = ch.codePointAt(0)!;
      if (code >= 0xd800 && code <= 0xdfff) {
        out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((b) => `%${b.toString(16).toUpperCase()}`)
          .join('');
      } else out += encodeURIComponent(ch);
    }
    return out;
  }

  const hostileText = fc.oneof(
    fc.constantFrom(
      '\u0000',
      'a\u0000b',
      '\ud800',
      'x\udfff',
      '\u202e',
      'ab\u2066',
      '',
      ' ',
      ',',
      '2147483648',
      '-2147483649',
      '9007199254740991',
      '9007199254740993',
      '99999999999999999999999',
      '-1',
      '1e308',
      '1e-400',
      'NaN',
      'Infinity',
      '0x10',
      '0000-01-01',
      '0001-01-01',
      '9999-12-31',
      '10000-01-01',
      '+275760-09-13',
      '-271821-04-20',
      '2026-02-30',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
      '+275760-09-13T00:00:00.000Z',
      '2026-01-01T00:00:00+99:00',
      'true',
      'valid,bogus',
      'round:45:2026:1',
      'a'.repeat(600),
    ),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.integer().map(String),
    fc.double().map(String),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  );
  const hostileCursor = fc
    .tuple(
      fc.oneof(
        hostileText,
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      ),
      fc.oneof(hostileText, fc.constant(productId)),
      fc.option(fc.oneof(fc.integer(), fc.constantFrom(2 ** 53 - 1, 2 ** 31, -1, 1.5, 1e308), hostileText), {
        nil: undefined,
      }),
    )
    .map(([at, id, term]) => cursorOf(term === undefined ? [at, id] : [at, id, term]));

  it('every GET route, driven with hostile query parameters, cursors and path parameters, never answers 5xx', async () => {
    const doc = app.swagger() as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const routes = Object.entries(doc.paths)
      .filter(([path, ops]) => ops.get && !path.startsWith('/docs'))
      .map(([path, ops]) => ({
        path,
        query: (ops.get!.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        params: (ops.get!.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
      }));
    // Every GET route with a query parameter is covered, the lists and the audit routes among them.
    expect(routes.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/products', '/certificates', '/statistics', '/rounds', '/inbox']),
    );
    const tokens = [admin, province, subject, officer];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.constantFrom(...tokens),
        fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), fc.oneof(hostileText, hostileCursor), {
          maxKeys: 4,
        }),
        fc.oneof(hostileText, fc.constant(productId)),
        async (route, token, values, pathValue) => {
          // The generated values go to this route's own parameters, each to one of them.
          const names = [...route.query, 'cursor'];
          const query = Object.values(values)
            .map((v, i) => `${names[(i * 7 + v.length) % names.length]!}=${encode(v)}`)
            .join('&');
          const path = route.path.replace(/\{(\w+)\}/g, () => encode(pathValue) || 'x');
          const res = await app.inject({ method: 'GET', url: `${path}?${query}`, headers: bearer(token) });
          expect(res.statusCode, `${res.statusCode} for GET ${path}?${query}: ${res.body}`).toBeLessThan(500);
          if (res.statusCode >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('security headers and the health probe', () => {
  it('every answer says nosniff, no-store and a Content-Security-Policy, /docs included', async () => {
    for (const [url, headers] of [
      ['/health', {}],
      ['/products', bearer(admin)],
      ['/products', {}],
      ['/products/P%00', bearer(admin)],
      ['/no-such-route', {}],
      ['/docs', {}],
      ['/docs/static/index.html', {}],
      ['/docs/json', {}],
    ] as const) {
      const res = await app.inject({ method: 'GET', url, headers });
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['content-security-policy'], url).toMatch(/default-src '(none|self)'/);
      expect(res.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      if (!url.startsWith('/docs/static')) expect(res.headers['cache-control'], url).toBe('no-store');
    }
    const page = await app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('/health is outside the rate limit, which still holds for everything else', async () => {
    const limited = await buildApp({
      sql: h.sql,
      temporal: h.client,
      taskQueue: h.taskQueue,
      jwtSecret: secret,
      log: createLogger('silent'),
      rateLimit: 3,
    });
    try {
      for (let i = 0; i < 10; i += 1) {
        const res = await limited.inject({ method: 'GET', url: '/health' });
        expect(res.statusCode, res.body).toBe(200);
      }
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1)
        statuses.push((await limited.inject({ method: 'GET', url: '/products' })).statusCode);
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });
});
