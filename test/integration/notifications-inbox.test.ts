import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { AuthenticationError, signToken, verifyAuthorization } from '../../api/auth';
import { problemType } from '../../api/problems';
import { inboxRoutes } from '../../api/routes/inbox';
import { connect, type Sql } from '../../db';
import { inboxOf, renderNotice } from '../../notifications';
import { putInInbox } from '../../notifications/inbox';
import type { Notice } from '../../domain/notifications';

const SECRET = 'inbox-route-test-secret-0123456789abcdef';

let sql: Sql;
let app: FastifyInstance;

/** The app's authentication as `api/app.ts` does it: the token is read on request, routes require a caller. */
async function buildInboxApp(db: Sql): Promise<FastifyInstance> {
  const a = Fastify().withTypeProvider<ZodTypeProvider>();
  a.setValidatorCompiler(validatorCompiler);
  a.setSerializerCompiler(serializerCompiler);
  a.decorateRequest('principal', null);
  a.decorateRequest('authError', null);
  a.addHook('onRequest', async (req) => {
    if (req.headers.authorization === undefined) return;
    try {
      req.principal = await verifyAuthorization(SECRET, req.headers.authorization);
    } catch (err) {
      if (!(err instanceof AuthenticationError)) throw err;
      req.authError = err;
    }
  });
  a.setErrorHandler((err, _req, reply) => {
    // Problem documents, as the route schemas declare them.
    if (err instanceof AuthenticationError) {
      return reply.code(401).send({ type: problemType(401), title: 'Unauthorized', status: 401 });
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send({ type: problemType(status), title: 'Error', status });
  });
  await a.register(inboxRoutes({ sql: db }));
  await a.ready();
  return a;
}

function notice(tag: string, n: number): Notice {
  return {
    key: `P-${tag}:certificate_expiring_soon:2029-06-1${n}`,
    kind: 'certificate_expiring_soon',
    productId: `P-${tag}`,
    audience: 'subject',
    audienceCode: `S-${tag}`,
    dueAt: '2029-05-16T01:00:00.000Z',
    staleAt: null,
    facts: {
      productName: 'Nước mắm Cát Hải',
      expiresOn: `2029-06-1${n}`,
      certificateNumber: 'GCN-9',
      star: 4,
      daysLeft: 30,
    },
  };
}

async function bearer(subjectId: string): Promise<string> {
  return `Bearer ${await signToken(SECRET, { sub: `person-of-${subjectId}`, role: 'subject', jurisdiction: subjectId })}`;
}

beforeAll(async () => {
  sql = connect(inject('databaseUrl'), { max: 2 });
  app = await buildInboxApp(sql);
});

afterAll(async () => {
  await app.close();
  await sql.end();
});

describe('GET /inbox and POST /inbox/read', () => {
  it('lists the caller’s messages newest first, pages, marks read, and never shows another user’s', async () => {
    const tag = randomBytes(4).toString('hex');
    // A subject reads its own inbox: the token's sub is the subject id.
    const user = `u-${tag}`;
    const inbox = inboxOf('subject', user);
    for (const n of [1, 2, 3]) await putInInbox(sql, inbox, notice(tag, n), renderNotice(notice(tag, n), 'vi'));
    await putInInbox(sql, inboxOf('subject', `other-${tag}`), notice(tag, 1), renderNotice(notice(tag, 1), 'en'));
    const auth = await bearer(user);

    const first = await app.inject({ method: 'GET', url: '/inbox?limit=2', headers: { authorization: auth } });
    expect(first.statusCode).toBe(200);
    const page = first.json<{ items: { id: number; title: string }[]; nextCursor: string | null; unread: number }>();
    expect(page.unread).toBe(3);
    expect(page.items.map((i) => i.title)).toEqual([
      'Giấy chứng nhận OCOP của sản phẩm Nước mắm Cát Hải hết hạn ngày 13/06/2029',
      'Giấy chứng nhận OCOP của sản phẩm Nước mắm Cát Hải hết hạn ngày 12/06/2029',
    ]);
    expect(page.nextCursor).not.toBeNull();
    const rest = await app.inject({
      method: 'GET',
      url: `/inbox?limit=2&cursor=${page.nextCursor}`,
      headers: { authorization: auth },
    });
    expect(rest.json<{ items: unknown[]; nextCursor: null }>()).toMatchObject({ nextCursor: null });
    expect(rest.json<{ items: unknown[] }>().items).toHaveLength(1);

    const marked = await app.inject({
      method: 'POST',
      url: '/inbox/read',
      headers: { authorization: auth },
      payload: { ids: [page.items[0]!.id] },
    });
    expect(marked.json()).toEqual({ marked: 1 });
    const unread = await app.inject({ method: 'GET', url: '/inbox?unreadOnly=true', headers: { authorization: auth } });
    expect(unread.json<{ items: { id: number }[]; unread: number }>()).toMatchObject({ unread: 2 });
    expect(unread.json<{ items: { id: number }[] }>().items.map((i) => i.id)).not.toContain(page.items[0]!.id);

    // Someone else's message id changes nothing.
    const [other] = await sql<
      { id: string }[]
    >`SELECT id FROM inbox WHERE user_id = ${inboxOf('subject', `other-${tag}`)}`;
    const foreign = await app.inject({
      method: 'POST',
      url: '/inbox/read',
      headers: { authorization: auth },
      payload: { ids: [Number(other!.id)] },
    });
    expect(foreign.json()).toEqual({ marked: 0 });
  });

  it('refuses a caller without a token and a malformed request', async () => {
    expect((await app.inject({ method: 'GET', url: '/inbox' })).statusCode).toBe(401);
    const auth = await bearer('u-x');
    const bad = await app.inject({
      method: 'POST',
      url: '/inbox/read',
      headers: { authorization: auth },
      payload: { ids: [] },
    });
    expect(bad.statusCode).toBe(400);
    const unknown = await app.inject({ method: 'GET', url: '/inbox?sort=asc', headers: { authorization: auth } });
    expect(unknown.statusCode).toBe(400);
  });
});
