-- Sessions and sign-in (issue 17). A sign-in attempt is recorded as failed before its password is checked, so
-- attempts made at once all count towards the lock-out; the attempt becomes `ok` or `locked` once decided.
GRANT UPDATE ON login_attempts TO ocop_app;
COMMENT ON COLUMN sessions.id_hash IS 'SHA-256 of the cookie''s session id (256 random bits): the id itself is never stored.';
CREATE INDEX sessions_expires_idx ON sessions (expires_at) WHERE revoked_at IS NULL;
-- A right password awaiting its TOTP code: neither a failure nor a success, so it neither locks nor unlocks.
ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_outcome_check;
ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_outcome_check
  CHECK (outcome IN ('ok', 'failed', 'locked', 'second_factor'));
