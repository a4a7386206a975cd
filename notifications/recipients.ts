import { z } from 'zod';
import type { Sql, TransactionSql } from '../db';
import { AUDIENCES, type Audience } from '../domain/notifications';
import { LANGUAGES, type Language } from './templates';

/**
 * The channels a recipient is configured for. The in-app inbox is not one of them: every notice goes to its
 * audience's own inbox (`inboxOf`), which needs no configuration.
 */
export const CHANNELS = ['email', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number] | 'inbox';

/** One entry of the recipients directory: an audience's e-mail address or webhook URL. */
export const recipientSchema = z
  .object({
    audience: z.enum(AUDIENCES),
    /** subjectId, commune code, province code or `MINISTRY`. */
    audienceCode: z.string().trim().min(1).max(64),
    channel: z.enum(CHANNELS, {
      error: (issue) =>
        issue.input === 'inbox'
          ? 'the in-app inbox needs no recipient: every notice is in its subject’s or office’s own inbox (GET /inbox)'
          : `one of ${CHANNELS.join(', ')}`,
    }),
    /** E-mail address or http(s) URL. */
    address: z.string().trim().min(1).max(500),
    language: z.enum(LANGUAGES).default('vi'),
    displayName: z.string().trim().max(200).nullable().default(null),
    active: z.boolean().default(true),
  })
  .superRefine((r, ctx) => {
    if (r.channel === 'email' && !z.email().safeParse(r.address).success)
      ctx.addIssue({ code: 'custom', path: ['address'], message: 'not an e-mail address' });
    if (r.channel === 'webhook' && !z.url({ protocol: /^https?$/ }).safeParse(r.address).success)
      ctx.addIssue({ code: 'custom', path: ['address'], message: 'not an http(s) URL' });
  });
export type RecipientInput = z.input<typeof recipientSchema>;
export type Recipient = z.output<typeof recipientSchema>;

/**
 * Adds or updates directory entries (by audience, code, channel and address); validates each first.
 * @returns the number of entries written.
 */
export async function seedRecipients(sql: Sql, entries: readonly RecipientInput[]): Promise<number> {
  const parsed = entries.map((e) => recipientSchema.parse(e));
  if (parsed.length === 0) return 0;
  const rows = parsed.map((r) => ({
    audience: r.audience,
    audience_code: r.audienceCode,
    channel: r.channel,
    address: r.address,
    language: r.language,
    display_name: r.displayName,
    active: r.active,
  }));
  const written = await sql`
    INSERT INTO recipients ${sql(rows)}
    ON CONFLICT (audience, audience_code, channel, address)
    DO UPDATE SET language = EXCLUDED.language, display_name = EXCLUDED.display_name, active = EXCLUDED.active
    RETURNING id`;
  return written.length;
}

/** The active e-mail and webhook recipients of an audience (inbox entries from before it needed none are ignored). */
export async function recipientsFor(
  sql: Sql | TransactionSql,
  audience: Audience,
  audienceCode: string,
): Promise<Recipient[]> {
  const rows = await sql<
    { channel: (typeof CHANNELS)[number]; address: string; language: Language; display_name: string | null }[]
  >`SELECT channel, address, language, display_name FROM recipients
    WHERE audience = ${audience} AND audience_code = ${audienceCode} AND active AND channel <> 'inbox'
    ORDER BY channel, address`;
  return rows.map((r) => ({
    audience,
    audienceCode,
    channel: r.channel,
    address: r.address,
    language: r.language,
    displayName: r.display_name,
    active: true,
  }));
}
