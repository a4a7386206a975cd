-- Machine tokens (issue 17). The tables of migration 011 gain what rotation and revocation need: one current
-- signing key at most (a unique index, so two concurrent first starts cannot both create one), and a label and the
-- reason of a revocation on each token. `machine_tokens` is part of the accounts read model: its rows are derived
-- from the MachineTokenIssued and MachineTokenRevoked events of account streams (the rebuild empties and refills it).
ALTER TABLE signing_keys ADD COLUMN current boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys ((true)) WHERE current;
ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_current_unretired CHECK (NOT (current AND retired_at IS NOT NULL));
COMMENT ON COLUMN signing_keys.current IS 'The one key that signs new machine tokens; every unretired key verifies.';
COMMENT ON COLUMN signing_keys.private_pem IS 'Ed25519 private key, PKCS#8 PEM. Never leaves the server.';
COMMENT ON COLUMN signing_keys.public_jwk IS 'The public key as a JWK (kty OKP, crv Ed25519, kid, alg EdDSA), published at /.well-known/jwks.json.';

ALTER TABLE machine_tokens ADD COLUMN label text NOT NULL DEFAULT '';
ALTER TABLE machine_tokens ADD COLUMN revoked_why text;
CREATE INDEX machine_tokens_account_idx ON machine_tokens (account_id, issued_at);
COMMENT ON COLUMN machine_tokens.jti IS 'The token''s jti claim; the token itself is never stored.';
-- The rebuild of the read models empties its tables before refilling them.
GRANT DELETE ON machine_tokens TO ocop_app;
