-- The notification sender (notifications/sender.ts) delivers outbox rows on its own, after the transaction that
-- recorded their events committed; a failed row waits until next_attempt_at, doubling the wait each attempt.
ALTER TABLE notification_outbox ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now();
COMMENT ON COLUMN notification_outbox.next_attempt_at IS 'When a pending row may be tried (again): now when enqueued, later after each failed attempt (NOTIFY_RETRY_SECONDS, doubling, at most 30 minutes).';
CREATE INDEX notification_outbox_due_idx ON notification_outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX notification_outbox_sending_idx ON notification_outbox (claimed_until) WHERE status = 'sending';
