-- Notifications: who receives what (recipients), what must be delivered exactly once (notification_outbox), and
-- the in-app inbox. See notifications/README.md.

CREATE TABLE recipients (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  audience text NOT NULL CHECK (audience IN ('subject', 'commune', 'province', 'ministry')),
  audience_code text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('email', 'webhook', 'inbox')),
  address text NOT NULL,
  language text NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en')),
  display_name text,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT recipients_unique UNIQUE (audience, audience_code, channel, address)
);
COMMENT ON TABLE recipients IS 'Directory: which e-mail addresses, webhook URLs and inbox users receive the notices of an audience (subject id, commune code, province code or MINISTRY).';
COMMENT ON COLUMN recipients.address IS 'E-mail address (email), https URL (webhook) or user id, the JWT sub (inbox).';
COMMENT ON COLUMN recipients.language IS 'Preferred language of the message; the other language follows as a fallback.';

CREATE TABLE notification_outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  outbox_key char(32) NOT NULL UNIQUE,
  notice_key text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('email', 'webhook', 'inbox', 'none')),
  recipient text NOT NULL,
  language text NOT NULL CHECK (language IN ('vi', 'en')),
  kind text NOT NULL,
  product_id text NOT NULL,
  audience text NOT NULL,
  audience_code text NOT NULL,
  notice jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'unconfirmed', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  claimed_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  CONSTRAINT notification_outbox_unique UNIQUE (notice_key, channel, recipient)
);
COMMENT ON TABLE notification_outbox IS 'One row per (notice, channel, recipient): the record that makes delivery idempotent.';
COMMENT ON COLUMN notification_outbox.outbox_key IS 'sha256(notice_key, channel, recipient), first 32 hex digits: the webhook Idempotency-Key and the e-mail Message-ID.';
COMMENT ON COLUMN notification_outbox.status IS 'pending → sending (claimed until claimed_until) → sent | pending (failed, retried) | dead (attempts exhausted, or no recipient) | unconfirmed (an e-mail whose sender died mid-send: not re-sent, see README).';
COMMENT ON COLUMN notification_outbox.attempts IS 'Delivery attempts so far; dead at NOTIFY_MAX_ATTEMPTS.';
CREATE INDEX notification_outbox_open_idx ON notification_outbox (notice_key) WHERE status IN ('pending', 'sending');
CREATE INDEX notification_outbox_failed_idx ON notification_outbox (updated_at) WHERE status IN ('dead', 'unconfirmed');

CREATE TABLE inbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id text NOT NULL,
  notice_key text NOT NULL,
  kind text NOT NULL,
  product_id text NOT NULL,
  language text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  due_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz,
  CONSTRAINT inbox_unique UNIQUE (user_id, notice_key)
);
COMMENT ON TABLE inbox IS 'In-app inbox: one message per user and notice, written in the same transaction as its outbox row is marked sent.';
CREATE INDEX inbox_user_idx ON inbox (user_id, id DESC);
CREATE INDEX inbox_unread_idx ON inbox (user_id, id DESC) WHERE read_at IS NULL;

GRANT SELECT, INSERT, UPDATE, DELETE ON recipients TO ocop_app;
GRANT SELECT, INSERT, UPDATE ON notification_outbox TO ocop_app;
GRANT SELECT, INSERT, UPDATE ON inbox TO ocop_app;
