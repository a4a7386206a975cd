/** A position in a list ordered by (updated_at, product_id[, term]), newest first. */
export interface Cursor {
  at: string;
  id: string;
  /** For certificates: the term, which orders a case's certificates. */
  term?: number;
}

/** Which page of a list is asked for: where it starts (none: the first) and how many items it holds. */
export interface PageRequest {
  cursor?: Cursor | undefined;
  limit: number;
}

/** One page of a list, and the position after its last item (null on the last page). */
export interface Page<T> {
  items: T[];
  next: Cursor | null;
}

/** The page of `limit` items out of `limit + 1` rows read, and where the next page starts. */
export function pageOf<T>(rows: readonly T[], limit: number, positionOf: (last: T) => Cursor): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last !== undefined ? positionOf(last) : null };
}
