import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HttpProblem } from './problems';

/*
 * The web application (web/, built by Vite into dist/web) served by the product itself at /app: hashed assets under
 * /app/assets cached for a year (their names change with their content), index.html never cached, and every other
 * /app/… path answered with index.html, whose script shows the page the path names.
 */

export const WEB_BASE = '/app';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Routes of the web application, its files read from `dir` (dist/web). */
export function webRoutes(dir: string) {
  return async (app: FastifyInstance) => {
    const send = async (reply: FastifyReply, file: string, cacheControl: string) => {
      const body = await readFile(file);
      return reply
        .type(TYPES[extname(file)] ?? 'application/octet-stream')
        .header('cache-control', cacheControl)
        .send(body);
    };
    const index = async (reply: FastifyReply) => {
      try {
        return await send(reply, join(dir, 'index.html'), 'no-cache');
      } catch {
        throw new HttpProblem(503, 'Service Unavailable', {
          code: 'web_not_built',
          detail:
            'Ứng dụng web chưa được dựng: chạy `npm run build:web` (npm start tự dựng). / The web application is not ' +
            'built: run `npm run build:web` (npm start builds it).',
        });
      }
    };

    // Browsers opening the API's address land on the application.
    app.get('/', { schema: { hide: true }, config: { rateLimit: false } }, async (_req, reply) =>
      reply.redirect(`${WEB_BASE}/`, 302),
    );
    app.get(WEB_BASE, { schema: { hide: true }, config: { rateLimit: false } }, async (_req, reply) =>
      reply.redirect(`${WEB_BASE}/`, 302),
    );
    app.get(`${WEB_BASE}/*`, { schema: { hide: true }, config: { rateLimit: false } }, async (req, reply) => {
      const rest = (req.params as { '*': string })['*'];
      const file = normalize(join(dir, rest));
      const inside = file.startsWith(dir + sep) && !rest.includes('\0');
      if (inside && extname(rest) !== '') {
        try {
          return await send(reply, file, rest.startsWith('assets/') ? IMMUTABLE : 'no-cache');
        } catch {
          if (rest.startsWith('assets/')) {
            throw new HttpProblem(404, 'Not Found', { detail: `không có tệp / no file ${WEB_BASE}/${rest}` });
          }
        }
      }
      return index(reply);
    });
  };
}
