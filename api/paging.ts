import type { Cursor, Page, PageRequest } from '../read-models/paging';
import { HttpProblem } from './problems';
import { productIdSchema } from './schemas';

/*
 * Paging on the wire: a position in a list travels as an opaque cursor, base64url of its JSON; a cursor the API did
 * not write is refused before any query.
 */

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c.term === undefined ? [c.at, c.id] : [c.at, c.id, c.term])).toString('base64url');
}

/** An instant as `toISOString` writes it, in the years a record can carry. */
const CURSOR_INSTANT = /^(19|2\d)\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const sameInstant = (at: string): boolean => {
  const t = Date.parse(at);
  return !Number.isNaN(t) && new Date(t).toISOString() === at;
};

/**
 * The cursor, or null when it is not one this API wrote: an instant of the form and years the API writes, a product
 * id of the API's alphabet and a certificate term within PostgreSQL's integer, so that no cursor can make the
 * query fail.
 */
export function decodeCursor(s: string): Cursor | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length < 2 || parsed.length > 3) return null;
    const [at, id, term] = parsed as unknown[];
    if (typeof at !== 'string' || !CURSOR_INSTANT.test(at) || !sameInstant(at)) return null;
    if (typeof id !== 'string' || !productIdSchema.safeParse(id).success) return null;
    if (term === undefined) return { at, id };
    return Number.isInteger(term) && (term as number) >= 0 && (term as number) <= 2 ** 31 - 1
      ? { at, id, term: term as number }
      : null;
  } catch {
    return null;
  }
}

/** The position a `cursor` query parameter names; 400 for one this API did not return. */
export function pagePosition(cursor: string | undefined): Cursor | undefined {
  if (cursor === undefined) return undefined;
  const position = decodeCursor(cursor);
  if (position === null) {
    throw new HttpProblem(400, 'Bad Request', {
      detail: 'querystring.cursor: không phải con trỏ trang do API này trả về. — not a cursor this API returned',
      errors: [
        {
          field: 'querystring.cursor',
          message: 'không phải con trỏ trang do API này trả về',
          messageEn: 'not a cursor this API returned',
        },
      ],
    });
  }
  return position;
}

/**
 * A list route's answer: the page its query asks for (`cursor` and `limit`; the rest are the list's filters), read by
 * `list`, with the cursor of the next page.
 */
export async function listAnswer<Q extends { cursor?: string | undefined; limit: number }, T>(
  query: Q,
  list: (filters: Omit<Q, 'cursor' | 'limit'>, page: PageRequest) => Promise<Page<T>>,
): Promise<{ items: T[]; nextCursor: string | null }> {
  const { cursor, limit, ...filters } = query;
  return pageAnswer(await list(filters, { cursor: pagePosition(cursor), limit }));
}

/** A page as the API answers it: the items, and the cursor of the next page (null on the last). */
export function pageAnswer<T>(page: Page<T>): { items: T[]; nextCursor: string | null } {
  return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
}
