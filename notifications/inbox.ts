import type { Sql, TransactionSql } from '../db';
import type { Audience, Notice } from '../domain/notifications';
import type { RenderedNotice } from './templates';

/**
 * The in-app inbox every notice of an audience goes to, without any configuration: `subject:<subject id>`,
 * `commune:<commune code>`, `province:<province code>`, `ministry:MINISTRY`. The API opens it to the subject and to
 * the officials of that office (api/routes/inbox.ts).
 */
export function inboxOf(audience: Audience, audienceCode: string): string {
  return `${audience}:${audienceCode}`;
}

/** One message of an in-app inbox. */
export interface InboxItem {
  id: number;
  noticeKey: string;
  kind: string;
  productId: string;
  language: string;
  title: string;
  body: string;
  dueAt: string;
  createdAt: string;
  readAt: string | null;
}

export interface ListInboxOptions {
  /** Only messages not yet marked read. @default false */
  unreadOnly?: boolean;
  /** The `nextCursor` of the previous page (opaque); pages run newest first. */
  cursor?: string | null;
  /** @default 50 */
  limit?: number;
}

interface InboxRow {
  id: string;
  notice_key: string;
  kind: string;
  product_id: string;
  language: string;
  title: string;
  body: string;
  due_at: Date;
  created_at: Date;
  read_at: Date | null;
}

/** Writes one inbox message; a second write of the same (user, notice) is a no-op. Runs in the outbox's transaction. */
export async function putInInbox(
  tx: TransactionSql | Sql,
  userId: string,
  notice: Notice,
  rendered: RenderedNotice,
): Promise<void> {
  await tx`
    INSERT INTO inbox (user_id, notice_key, kind, product_id, language, title, body, due_at)
    VALUES (${userId}, ${notice.key}, ${notice.kind}, ${notice.productId}, ${rendered.language},
            ${rendered.subject}, ${rendered.text}, ${notice.dueAt})
    ON CONFLICT (user_id, notice_key) DO NOTHING`;
}

/** A page of a user's inbox, newest first, and the cursor of the next page (null at the end). */
export async function listInbox(
  sql: Sql,
  userId: string,
  options: ListInboxOptions = {},
): Promise<{ items: InboxItem[]; nextCursor: string | null; unread: number }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const cursor = options.cursor && /^\d{1,18}$/.test(options.cursor) ? options.cursor : null;
  const rows = await sql<InboxRow[]>`
    SELECT id, notice_key, kind, product_id, language, title, body, due_at, created_at, read_at FROM inbox
    WHERE user_id = ${userId}
      ${options.unreadOnly ? sql`AND read_at IS NULL` : sql``}
      ${cursor !== null ? sql`AND id < ${cursor}::bigint` : sql``}
    ORDER BY id DESC
    LIMIT ${limit + 1}`;
  const [{ unread } = { unread: '0' }] = await sql<{ unread: string }[]>`
    SELECT count(*) AS unread FROM inbox WHERE user_id = ${userId} AND read_at IS NULL`;
  const page = rows.slice(0, limit).map(toItem);
  const last = page[page.length - 1];
  return { items: page, nextCursor: rows.length > limit && last ? String(last.id) : null, unread: Number(unread) };
}

/** Marks the user's messages read; ids of other users' messages are ignored. @returns how many changed. */
export async function markRead(sql: Sql, userId: string, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const changed = await sql`
    UPDATE inbox SET read_at = now()
    WHERE user_id = ${userId} AND id = ANY(${ids.map(String)}::bigint[]) AND read_at IS NULL
    RETURNING id`;
  return changed.length;
}

function toItem(r: InboxRow): InboxItem {
  return {
    id: Number(r.id),
    noticeKey: r.notice_key,
    kind: r.kind,
    productId: r.product_id,
    language: r.language,
    title: r.title,
    body: r.body,
    dueAt: r.due_at.toISOString(),
    createdAt: r.created_at.toISOString(),
    readAt: r.read_at ? r.read_at.toISOString() : null,
  };
}
