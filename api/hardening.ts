import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { problemType } from './problems';

/** What a browser may do with an API answer: nothing but read it as data. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** The documentation page (Swagger UI): its own scripts, styles and images only, never framed. */
const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/** The web application (/app): its own scripts and styles only, talking to this API only, never framed. */
const WEB_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/**
 * Security headers on every answer, errors and the documentation included: no content sniffing, no caching of
 * answers that carry cases and personal data, and a Content-Security-Policy.
 */
export async function securityHeaders(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  const docs = req.url === '/docs' || req.url.startsWith('/docs/');
  const web = req.url === '/app' || req.url.startsWith('/app/');
  reply.header('content-security-policy', docs ? DOCS_CSP : web ? WEB_CSP : API_CSP);
  // The documentation's and the web application's static files, the public signing keys and the public trust routes (api/routes/public.ts) may
  // be cached, as their routes say; nothing else may.
  const cacheable =
    docs ||
    web ||
    req.url === '/.well-known/jwks.json' ||
    req.url.startsWith('/verify/') ||
    req.url.startsWith('/public/');
  if (!cacheable || !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
}

/**
 * Errors Node's HTTP parser raises before a request reaches Fastify (a header block over the server's limit, a
 * malformed request line): answered with a problem document too, not Node's bare status line.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const title = STATUS_CODES[status] ?? 'Bad Request';
  const detail =
    status === 431
      ? 'The request headers are larger than the server accepts (16 KB in all); send fewer or shorter headers.'
      : status === 408
        ? 'The request was not received in time.'
        : 'The request could not be parsed as HTTP.';
  const body = JSON.stringify({ type: problemType(status), title, status, detail });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\n` +
        `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** A path that does not decode (invalid percent-encoding, a lone surrogate's bytes) answers a 400 problem too. */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const detail = 'the path is not valid percent-encoded UTF-8';
  void reply
    .code(400)
    .type('application/problem+json')
    .send({
      type: problemType(400),
      title: 'Bad Request',
      status: 400,
      detail: `${detail} (${err.code})`,
      errors: [{ field: 'path', message: detail }],
      requestId: req.id,
    });
}
