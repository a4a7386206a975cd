-- The event store: one append-only table, one stream per product case.
-- The application works as the role ocop_app, which may only SELECT and INSERT here; a trigger also rejects
-- UPDATE, DELETE and TRUNCATE from everyone, so a record can only be altered by disabling the trigger as the owner,
-- and then the hash chain names the first altered event.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ocop_app') THEN
    CREATE ROLE ocop_app NOLOGIN;
  END IF;
END
$$;
-- The migrating user (the database owner) switches to ocop_app for the application's work.
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'ocop_app', 'MEMBER') THEN
    EXECUTE format('GRANT ocop_app TO %I', current_user);
  END IF;
END
$$;

CREATE TABLE events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  stream_id text NOT NULL,
  stream_position integer NOT NULL CHECK (stream_position >= 1),
  event_id uuid NOT NULL UNIQUE,
  command_id text NOT NULL,
  command_index smallint NOT NULL CHECK (command_index >= 0),
  type text NOT NULL,
  schema_version smallint NOT NULL,
  data jsonb NOT NULL,
  actor_user text NOT NULL,
  actor_role text NOT NULL,
  actor_office text NOT NULL,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  rule_set_id text NOT NULL,
  prev_hash char(64) NOT NULL,
  hash char(64) NOT NULL,
  CONSTRAINT events_stream_position_unique UNIQUE (stream_id, stream_position),
  CONSTRAINT events_command_unique UNIQUE (stream_id, command_id, command_index)
);

COMMENT ON TABLE events IS 'Append-only event store of OCOP product cases; one stream per case, hash-chained per stream.';
COMMENT ON COLUMN events.stream_position IS 'Position in the stream, 1-based and gapless.';
COMMENT ON COLUMN events.command_id IS 'Id of the command (Update id) that produced the event; with command_index it makes appends idempotent.';
COMMENT ON COLUMN events.occurred_at IS 'Business time: the workflow clock when the command was decided.';
COMMENT ON COLUMN events.recorded_at IS 'Wall-clock time of the insert.';
COMMENT ON COLUMN events.rule_set_id IS 'The rule-set (decision) the case is judged under.';
COMMENT ON COLUMN events.prev_hash IS 'Hash of the previous event of the stream; 64 zeros for the first.';
COMMENT ON COLUMN events.hash IS 'SHA-256 (hex) of the canonical encoding of this event and prev_hash; see README "Tamper evidence".';

CREATE INDEX events_type_idx ON events (type);

CREATE FUNCTION events_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_reject_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_reject_change();

GRANT SELECT, INSERT ON events TO ocop_app;

-- Read model: one row per case, rewritten in the same transaction as every append.
CREATE TABLE cases (
  product_id text PRIMARY KEY,
  version integer NOT NULL,
  stage text NOT NULL,
  star smallint,
  product_name text,
  product_set_code text,
  subject_id text,
  subject_name text,
  province_code text,
  commune_code text,
  rule_set_id text NOT NULL,
  certificate_number text,
  certificate_expiry date,
  next_deadline_kind text,
  next_deadline_at timestamptz,
  registered_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  summary jsonb NOT NULL
);
COMMENT ON TABLE cases IS 'Read model: the current summary of every product case (derived; rebuildable from events).';
CREATE INDEX cases_province_stage_idx ON cases (province_code, stage);
CREATE INDEX cases_commune_stage_idx ON cases (commune_code, stage);
CREATE INDEX cases_expiry_idx ON cases (certificate_expiry) WHERE certificate_expiry IS NOT NULL;
CREATE INDEX cases_deadline_idx ON cases (next_deadline_at) WHERE next_deadline_at IS NOT NULL;

GRANT SELECT, INSERT, UPDATE, DELETE ON cases TO ocop_app;
