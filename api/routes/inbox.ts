import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listInbox, markRead } from '../../notifications';
import type { AppDeps } from '../app';
import { principalOf, requireCaller } from '../auth';
import { commonProblems, queryProblems } from '../problems';

const inboxItemSchema = z.object({
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

const inboxPage = z.object({
  items: z.array(inboxItemSchema),
  nextCursor: z.string().nullable(),
  /** Unread messages in the whole inbox. */
  unread: z.number().int(),
});

const markReadBody = z.strictObject({ ids: z.array(z.number().int().min(1)).min(1).max(500) });

/** The caller's own in-app inbox (hộp thư thông báo): read it, mark messages read. Every user sees only theirs. */
export const inboxRoutes =
  (deps: Pick<AppDeps, 'sql'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);

    app.get(
      '/inbox',
      {
        schema: {
          summary: "The caller's notifications, newest first",
          tags: ['inbox'],
          security: [{ bearer: [] }],
          querystring: inboxQuery,
          response: { 200: inboxPage, ...queryProblems },
        },
      },
      async (req) => {
        const user = principalOf(req);
        return listInbox(deps.sql, user.sub, {
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
        const user = principalOf(req);
        return { marked: await markRead(deps.sql, user.sub, req.body.ids) };
      },
    );
  };
