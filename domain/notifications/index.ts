/**
 * Notifications (thông báo, nhắc hạn), the pure part: which notices a case's events cause and which reminders its
 * state implies. No I/O and no clock, so the workflow computes them in its sandbox; delivery is `notifications/`.
 */
export type { Audience, Notice, NotificationOffsets } from './types';
export { AUDIENCES, DEFAULT_OFFSETS, MINISTRY_CODE, NOTICE_KINDS, NoticeKind } from './types';
export { noticeKey, noticesForEvents } from './notices';
export { dueReminders, keepSent, nextReminderAt, scheduledReminders } from './reminders';
