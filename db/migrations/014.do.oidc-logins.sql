-- Single sign-on (issue 17): a sign-in begun at an OpenID Connect provider and not yet come back. The callback
-- consumes it once (consumed_at), within its expiry; the state is kept only as its SHA-256, like a session id, and
-- the browser that began it holds a key whose SHA-256 is kept too, so a callback URL alone signs no one in.
CREATE TABLE oidc_logins (
  state_hash text PRIMARY KEY,
  browser_key_hash text NOT NULL,
  provider_id text NOT NULL,
  nonce text NOT NULL,
  code_verifier text NOT NULL,
  -- A path on this site (never an absolute URL), where the browser goes once signed in.
  return_to text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  consumed_at timestamptz
);
COMMENT ON TABLE oidc_logins IS 'Pending OIDC sign-ins: state, nonce and PKCE verifier, used once within about 10 minutes.';
COMMENT ON COLUMN oidc_logins.state_hash IS 'SHA-256 of the state sent to the provider (256 random bits).';
CREATE INDEX oidc_logins_expires_idx ON oidc_logins (expires_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON oidc_logins TO ocop_app;
