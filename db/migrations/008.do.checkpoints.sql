-- Signed checkpoints of every stream's head: the hash chain's anchor outside itself (audit/checkpoint.ts). Each
-- checkpoint is a Merkle root (RFC 6962) over the heads (stream id, position, hash) of every stream, signed with the
-- audit key (Ed25519) and chained to the previous checkpoint's hash. A stream shorter than its checkpointed head, or
-- whose event at that position has another hash, has lost or changed events.
-- Like `events`, both tables are append-only: ocop_app may only SELECT and INSERT, and a trigger rejects UPDATE,
-- DELETE and TRUNCATE from everyone.

CREATE TABLE checkpoints (
  seq bigint PRIMARY KEY CHECK (seq >= 1),
  taken_at timestamptz NOT NULL,
  streams integer NOT NULL CHECK (streams >= 0),
  root char(64) NOT NULL,
  prev_hash char(64) NOT NULL,
  signer_public_key text NOT NULL,
  signer_fingerprint text NOT NULL,
  signature text NOT NULL,
  hash char(64) NOT NULL UNIQUE
);
COMMENT ON TABLE checkpoints IS 'Append-only signed checkpoints of every stream''s head; see README "Tamper evidence".';
COMMENT ON COLUMN checkpoints.root IS 'Merkle root (RFC 6962, SHA-256) over the heads of every stream, sorted by stream id (UTF-16 code units).';
COMMENT ON COLUMN checkpoints.prev_hash IS 'Hash of the previous checkpoint; 64 zeros for the first.';
COMMENT ON COLUMN checkpoints.signature IS 'Ed25519 (base64) over the canonical JSON of the checkpoint body.';
COMMENT ON COLUMN checkpoints.hash IS 'SHA-256 (hex) of the canonical JSON of the body and its signature.';

-- A checkpoint's heads are stored incrementally: a row for each stream whose head changed since the previous
-- checkpoint. The heads of checkpoint N are, per stream, its row with the greatest seq <= N.
CREATE TABLE checkpoint_heads (
  stream_id text NOT NULL,
  seq bigint NOT NULL REFERENCES checkpoints (seq),
  stream_position integer NOT NULL CHECK (stream_position >= 1),
  hash char(64) NOT NULL,
  PRIMARY KEY (stream_id, seq)
);
COMMENT ON TABLE checkpoint_heads IS 'Append-only: the head (position, hash) of each stream that changed at a checkpoint.';
CREATE INDEX checkpoint_heads_seq_idx ON checkpoint_heads (seq);

CREATE FUNCTION checkpoints_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER checkpoints_no_update_delete BEFORE UPDATE OR DELETE ON checkpoints
  FOR EACH ROW EXECUTE FUNCTION checkpoints_reject_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION checkpoints_reject_change();
CREATE TRIGGER checkpoint_heads_no_update_delete BEFORE UPDATE OR DELETE ON checkpoint_heads
  FOR EACH ROW EXECUTE FUNCTION checkpoints_reject_change();
CREATE TRIGGER checkpoint_heads_no_truncate BEFORE TRUNCATE ON checkpoint_heads
  FOR EACH STATEMENT EXECUTE FUNCTION checkpoints_reject_change();

GRANT SELECT, INSERT ON checkpoints, checkpoint_heads TO ocop_app;
