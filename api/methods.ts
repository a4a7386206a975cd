import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyTypeProvider, RawServerDefault } from 'fastify';
import { languageOf, problemTitle, problemType } from './problems';

/**
 * A request whose path exists but not for its method answers 405 with `Allow` (RFC 9110 §15.5.6) and a problem
 * document, before its body is read; a path that exists for no method stays 404. `Allow` lists the methods the
 * routes declare (HEAD, which every GET route answers too, is left out, as in the OpenAPI document).
 */
export function answerUnsupportedMethods<L extends FastifyBaseLogger, P extends FastifyTypeProvider>(
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, L, P>,
): void {
  const routes = new Map<string, { pattern: RegExp; params: number; methods: Set<string> }>();
  app.addHook('onRoute', (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    if (methods.length === 0) return;
    let entry = routes.get(route.url);
    if (!entry) {
      const source = route.url
        .split('/')
        .map((part) =>
          part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('/');
      const params = route.url.split('/').filter((p) => p.startsWith(':') || p === '*').length;
      entry = { pattern: new RegExp(`^${source}/?$`), params, methods: new Set() };
      routes.set(route.url, entry);
    }
    for (const m of methods) entry.methods.add(m);
  });
  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.url !== undefined) return;
    const path = req.url.split('?', 1)[0]!;
    // The most specific routes the path matches (fewest parameters), as the document lists it: `/products/import`
    // is its own path, though `GET /products/:productId` would take it too.
    const matching = [...routes.values()].filter((r) => r.pattern.test(path));
    const fewest = Math.min(...matching.map((r) => r.params));
    const allowed = new Set(matching.filter((r) => r.params === fewest).flatMap((r) => [...r.methods]));
    if (allowed.size === 0 || allowed.has(req.method)) return;
    const allow = [...allowed].sort().join(', ');
    const language = languageOf(req.headers['accept-language']);
    return reply
      .code(405)
      .header('allow', allow)
      .header('content-language', language)
      .type('application/problem+json')
      .send({
        type: problemType(405),
        title: problemTitle(405, language),
        status: 405,
        detail: `${req.method} is not allowed on ${path}; allowed: ${allow}`,
        requestId: req.id,
      });
  });
}
