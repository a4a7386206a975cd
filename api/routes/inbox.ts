import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MINISTRY_CODE } from '../../domain/notifications';
import { inboxOf, listInbox, markRead } from '../../notifications';
import type { AppDeps } from '../app';
import { principalOf, requireCaller, type Principal } from '../auth';
import { commonProblems, queryProblems } from '../problems';

export const inboxItemSchema = z.object({
  id: z.number().int(),
  noticeKey: z.string(),
  kind: z.string(),
  productId: z.string(),
  language: z.string(),
  title: z.string(),
  body: z.string(),
  dueAt: z.string(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

const inboxQuery = z.strictObject({
  unreadOnly: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
  /** `nextCursor` of the previous page. */
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, 'a nextCursor from the previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const inboxPage = z.object({
  items: z.array(inboxItemSchema),
  nextCursor: z.string().nullable(),
  /** Unread messages in the whole inbox. */
  unread: z.number().int(),
});

export const markReadBody = z.strictObject({ ids: z.array(z.number().int().min(1)).min(1).max(500) });

/**
 * The inbox a caller reads: their subject's, or their office's (every official of a commune, a province or the
 * Ministry shares it). Council members, auditors and administrators receive no notices.
 */
export function callerInbox(user: Principal): string | null {
  switch (user.role) {
    case 'subject':
      return inboxOf('subject', user.jurisdiction);
    case 'commune_officer':
      return inboxOf('commune', user.jurisdiction);
    case 'provincial_office':
      return inboxOf('province', user.jurisdiction);
    case 'ministry':
      return inboxOf('ministry', MINISTRY_CODE);
    default:
      return null;
  }
}

/**
 * The caller's in-app inbox (hộp thư thông báo): their subject's or office's, which needs no configuration; read it,
 * mark messages read. Nobody sees another subject's or office's messages.
 */
export const inboxRoutes =
  (deps: Pick<AppDeps, 'sql'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);

    app.get(
      '/inbox',
      {
        schema: {
          summary: "The notifications of the caller's subject or office, newest first",
          description:
            'A subject reads its own inbox (token `sub` = subject id); a commune officer, a provincial office and the ' +
            'Ministry read their office’s (token `jurisdiction`). No configuration is needed.',
          tags: ['inbox'],
          security: [{ bearer: [] }],
          querystring: inboxQuery,
          response: { 200: inboxPage, ...queryProblems },
        },
      },
      async (req) => {
        const inbox = callerInbox(principalOf(req));
        if (inbox === null) return { items: [], nextCursor: null, unread: 0 };
        return listInbox(deps.sql, inbox, {
          unreadOnly: req.query.unreadOnly,
          cursor: req.query.cursor ?? null,
          limit: req.query.limit,
        });
      },
    );

    app.post(
      '/inbox/read',
      {
        schema: {
          summary: "Mark some of the caller's notifications read",
          description: 'Ids of other users’ messages, or already read, are ignored; `marked` counts the changes.',
          tags: ['inbox'],
          security: [{ bearer: [] }],
          body: markReadBody,
          response: { 200: z.object({ marked: z.number().int() }), ...commonProblems },
        },
      },
      async (req) => {
        const inbox = callerInbox(principalOf(req));
        return { marked: inbox === null ? 0 : await markRead(deps.sql, inbox, req.body.ids) };
      },
    );
  };
