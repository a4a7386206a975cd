import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { Notice } from '../domain/notifications';
import type { RenderedNotice } from './templates';

/** Thrown when a channel did not take a message; `status` is the HTTP status or SMTP reply code when there was one. */
export class DeliveryError extends Error {
  public readonly status: number | null;
  constructor(message: string, status: number | null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryError';
    this.status = status;
  }
}

/** The outbox row's id outside the database: 32 hex digits of sha256(notice key, channel, recipient). */
export function outboxKeyOf(noticeKey: string, channel: string, recipient: string): string {
  return createHash('sha256').update(`${noticeKey}\n${channel}\n${recipient}`).digest('hex').slice(0, 32);
}

/** A Message-ID that is the same on every attempt, so a receiving system can recognise a copy of it. */
export function messageIdOf(outboxKey: string, mailFrom: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'ocop-cycle.invalid';
  return `<${outboxKey}@${domain}>`;
}

export interface EmailMessage {
  outboxKey: string;
  to: string;
  from: string;
  rendered: RenderedNotice;
}

export async function sendEmail(mailer: Transporter, m: EmailMessage): Promise<void> {
  try {
    await mailer.sendMail({
      from: m.from,
      to: m.to,
      subject: m.rendered.subject,
      text: m.rendered.text,
      html: m.rendered.html,
      messageId: messageIdOf(m.outboxKey, m.from),
      headers: {
        'Content-Language': m.rendered.language,
        'X-OCOP-Notice': m.outboxKey,
        'Auto-Submitted': 'auto-generated',
      },
    });
  } catch (err) {
    const code = (err as { responseCode?: unknown }).responseCode;
    throw new DeliveryError(
      `SMTP: ${err instanceof Error ? err.message : String(err)}`,
      typeof code === 'number' ? code : null,
      { cause: err },
    );
  }
}

/** The JSON a webhook receives. */
export interface WebhookPayload {
  /** The outbox key, also sent as `Idempotency-Key`: the same on every attempt. */
  id: string;
  key: string;
  kind: Notice['kind'];
  productId: string;
  audience: Notice['audience'];
  audienceCode: string;
  dueAt: string;
  language: RenderedNotice['language'];
  title: string;
  text: string;
  facts: Notice['facts'];
  /** Unix seconds of this attempt, equal to the `X-OCOP-Timestamp` header and covered by the signature. */
  timestamp: number;
}

export const SIGNATURE_HEADER = 'x-ocop-signature';
export const TIMESTAMP_HEADER = 'x-ocop-timestamp';

/** `sha256=<hex HMAC-SHA256 of the raw body>`. */
export function signWebhook(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** For receivers: whether `header` is the signature of `body` under `secret` (constant-time). */
export function verifyWebhookSignature(secret: string, body: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signWebhook(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface WebhookRequest {
  url: string;
  secret: string;
  payload: WebhookPayload;
  timeoutMs: number;
  fetch: typeof fetch;
}

export async function sendWebhook(r: WebhookRequest): Promise<void> {
  const body = JSON.stringify(r.payload);
  let res: Response;
  try {
    res = await r.fetch(r.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'ocop-cycle-notifications',
        'idempotency-key': r.payload.id,
        [SIGNATURE_HEADER]: signWebhook(r.secret, body),
        [TIMESTAMP_HEADER]: String(r.payload.timestamp),
      },
      body,
      signal: AbortSignal.timeout(r.timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    throw new DeliveryError(`webhook: ${err instanceof Error ? err.message : String(err)}`, null, { cause: err });
  }
  // Drain the body so the connection can be reused; its content is not ours to interpret.
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new DeliveryError(`webhook: HTTP ${res.status}`, res.status);
}
