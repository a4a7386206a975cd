import { HttpProblem } from './problems';
import { decodeCursor, type Cursor } from './queries';

/** The position a `cursor` query parameter names; 400 for one this API did not return. */
export function pagePosition(cursor: string | undefined): Cursor | undefined {
  if (cursor === undefined) return undefined;
  const position = decodeCursor(cursor);
  if (position === null) {
    throw new HttpProblem(400, 'Bad Request', {
      detail: 'querystring.cursor: not a cursor this API returned',
      errors: [{ field: 'querystring.cursor', message: 'not a cursor this API returned' }],
    });
  }
  return position;
}
