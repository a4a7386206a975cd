-- Accounts (issue 17). Each account is a stream of the event store, `account/<accountId>`, hash-chained like a case;
-- `accounts` and `account_identities` are its read model, rewritten in the same transaction as each append (and by
-- the rebuild). Secrets are never events: `account_credentials` holds the password hash and the TOTP key.
CREATE TABLE accounts (
  account_id text PRIMARY KEY,
  username text NOT NULL UNIQUE,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('person', 'machine')),
  home_jurisdiction text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL,
  -- Every grant, ended ones too (they explain the actions taken under them).
  grants jsonb NOT NULL,
  subject_links jsonb NOT NULL,
  password_set_at timestamptz,
  totp_enrolled boolean NOT NULL,
  version integer NOT NULL
);
COMMENT ON TABLE accounts IS 'Read model: accounts and their grants, derived from account/* streams.';
CREATE INDEX accounts_home_idx ON accounts (home_jurisdiction);
GRANT SELECT, INSERT, UPDATE, DELETE ON accounts TO ocop_app;

CREATE TABLE account_identities (
  issuer text NOT NULL,
  subject text NOT NULL,
  account_id text NOT NULL,
  PRIMARY KEY (issuer, subject)
);
COMMENT ON TABLE account_identities IS 'Read model: single sign-on identities (OIDC issuer and subject) linked to accounts.';
GRANT SELECT, INSERT, UPDATE, DELETE ON account_identities TO ocop_app;

CREATE TABLE account_credentials (
  account_id text PRIMARY KEY,
  -- PHC string: $argon2id$v=19$m=…,t=…,p=…$salt$hash
  password_hash text,
  totp_secret text,
  -- A secret enrolled but not yet confirmed with a first code.
  totp_pending_secret text,
  -- The last TOTP time step accepted: a code is used once.
  totp_last_step bigint
);
COMMENT ON TABLE account_credentials IS 'Secrets of built-in sign-in: Argon2id password hashes and TOTP keys. Never events.';
GRANT SELECT, INSERT, UPDATE ON account_credentials TO ocop_app;

CREATE TABLE login_attempts (
  id bigserial PRIMARY KEY,
  username text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  outcome text NOT NULL CHECK (outcome IN ('ok', 'failed', 'locked')),
  ip text
);
COMMENT ON TABLE login_attempts IS 'Every sign-in attempt: the lock-out counts failures here, and a lock is recorded.';
CREATE INDEX login_attempts_username_idx ON login_attempts (username, at);
GRANT SELECT, INSERT ON login_attempts TO ocop_app;
GRANT USAGE ON SEQUENCE login_attempts_id_seq TO ocop_app;

CREATE TABLE sessions (
  -- SHA-256 (HMAC with the server secret) of the cookie's session id: the id itself is never stored.
  id_hash text PRIMARY KEY,
  account_id text NOT NULL,
  grant_id text,
  csrf_token text NOT NULL,
  -- The session passed a second factor (TOTP): admin grants need it.
  mfa boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_why text
);
COMMENT ON TABLE sessions IS 'Browser sessions (cookie ocop_session): revocable, with idle and absolute time-outs.';
CREATE INDEX sessions_account_idx ON sessions (account_id) WHERE revoked_at IS NULL;
GRANT SELECT, INSERT, UPDATE ON sessions TO ocop_app;

CREATE TABLE signing_keys (
  kid text PRIMARY KEY,
  private_pem text NOT NULL,
  public_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);
COMMENT ON TABLE signing_keys IS 'Ed25519 keys of machine tokens: the newest unretired signs, every unretired verifies.';
GRANT SELECT, INSERT, UPDATE ON signing_keys TO ocop_app;

CREATE TABLE machine_tokens (
  jti text PRIMARY KEY,
  account_id text NOT NULL,
  grant_id text NOT NULL,
  kid text NOT NULL,
  issued_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  issued_by text NOT NULL,
  revoked_at timestamptz,
  revoked_by text
);
COMMENT ON TABLE machine_tokens IS 'Machine tokens issued: every request checks its jti here, so a revocation holds at once.';
GRANT SELECT, INSERT, UPDATE ON machine_tokens TO ocop_app;
