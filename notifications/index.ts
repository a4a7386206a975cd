/** Delivery of notices (Node side): recipients, templates, the outbox, e-mail, webhooks and the in-app inbox. */
export {
  DeliveryError,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  messageIdOf,
  outboxKeyOf,
  signWebhook,
  verifyWebhookSignature,
} from './channels';
export type { WebhookPayload } from './channels';
export { deliver, enqueueNotices, SenderStopped } from './deliver';
export { NotificationSender } from './sender';
export type { SenderSettings, SenderStats } from './sender';
export type { DeliveryFaults, DeliveryOptions, DeliveryReport } from './deliver';
export { inboxOf, listInbox, markRead } from './inbox';
export type { InboxItem, ListInboxOptions } from './inbox';
export { listDeadLetters, outboxRowsOf, requeue, OUTBOX_STATUSES } from './outbox';
export type { OutboxRow, OutboxStatus } from './outbox';
export { CHANNELS, recipientSchema, recipientsFor, seedRecipients } from './recipients';
export type { Channel, Recipient, RecipientInput } from './recipients';
export { LANGUAGES, renderNotice } from './templates';
export type { Language, RenderedNotice } from './templates';
