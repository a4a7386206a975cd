import { DEFAULT_OFFSETS } from '../../domain/notifications';

/** Notification settings for tests that are not about notifications: the law's offsets, no e-mail, no webhooks. */
export const quietNotifications = {
  offsets: DEFAULT_OFFSETS,
  delivery: { mailer: null, webhookSecret: null, mailFrom: 'OCOP test <test@ocop.invalid>' },
};
