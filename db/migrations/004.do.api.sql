-- The HTTP API's own records: which Idempotency-Key answered what, and indexes for its list queries.

-- One row per (caller, Idempotency-Key), written once the command's answer is definitive (accepted, or rejected by
-- the decider). A retry with the same key and the same request gets the stored answer; the same key with another
-- request is refused. The in-flight race is settled by the Temporal Update id, derived from the same pair.
CREATE TABLE api_idempotency (
  user_id text NOT NULL,
  idempotency_key text NOT NULL,
  request_hash char(64) NOT NULL,
  product_id text NOT NULL,
  status smallint NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, idempotency_key)
);
COMMENT ON TABLE api_idempotency IS 'Answers of HTTP commands by (caller, Idempotency-Key), so a retry returns the first answer.';
COMMENT ON COLUMN api_idempotency.request_hash IS 'SHA-256 (hex) of method, route, product and canonical body; a reused key with another hash is refused.';
COMMENT ON COLUMN api_idempotency.response IS 'The problem document or body first answered, with its status.';
CREATE INDEX api_idempotency_created_idx ON api_idempotency (created_at);

GRANT SELECT, INSERT ON api_idempotency TO ocop_app;

-- Keyset pagination of GET /products: newest change first within the caller's jurisdiction.
CREATE INDEX cases_updated_idx ON cases (updated_at DESC, product_id DESC);
CREATE INDEX cases_province_updated_idx ON cases (province_code, updated_at DESC, product_id DESC);
CREATE INDEX cases_commune_updated_idx ON cases (commune_code, updated_at DESC, product_id DESC);
CREATE INDEX cases_subject_idx ON cases (subject_id);
