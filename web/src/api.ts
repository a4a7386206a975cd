import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './api/schema';

/*
 * The typed client of the product's API, generated from api/openapi.json (openapi-typescript): a change to a route's
 * schema breaks `npm run typecheck` here, not the user. Requests carry the session cookie; writes also carry the
 * session's CSRF token, as the API asks (api/sessions.ts).
 */

export type Session = components['schemas']['Session'];
export type CaseView = components['schemas']['CaseView'];
export type CaseDetail = components['schemas']['CaseDetail'];
export type Problem = components['schemas']['Problem'];
export type CommandAnswer = components['schemas']['CommandAnswer'];
export type WorkItem = components['schemas']['WorkItem'];

let csrfToken = '';
let language = 'vi';
export const setCsrfToken = (token: string) => (csrfToken = token);
export const setLanguage = (lang: string) => (language = lang);

const session: Middleware = {
  onRequest({ request }) {
    request.headers.set('accept-language', language);
    if (request.method !== 'GET' && csrfToken) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(session);

/** A new Idempotency-Key: one per action the person takes, reused if the same action is retried. */
export const newKey = () => crypto.randomUUID();

/** Whether an error body is an RFC 7807 problem. */
export function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && 'status' in body && 'title' in body;
}
