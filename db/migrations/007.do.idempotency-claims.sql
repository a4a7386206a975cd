-- Idempotency claims (issue 15): a request claims its (caller, Idempotency-Key) before it sends its command, so that
-- of concurrent requests with one key exactly one runs. The row is inserted as a claim (no answer yet) with the
-- request's fingerprint; the request that claimed it completes it with the definitive answer. A concurrent request
-- with the same fingerprint waits for that answer; one with another fingerprint is refused (422), also while the
-- claim is pending. A claim whose request died (its claimed_at older than the lease) or that its request released
-- (a failure that is not the command's answer, e.g. an outage) may be taken over by a request with the same
-- fingerprint only: the Temporal Update id, derived from the same (caller, key), makes the re-sent command return
-- the first one's result rather than run twice.
ALTER TABLE api_idempotency
  ALTER COLUMN status DROP NOT NULL,
  ALTER COLUMN response DROP NOT NULL,
  ADD COLUMN claim_id uuid,
  ADD COLUMN claimed_at timestamptz,
  ADD CONSTRAINT api_idempotency_answer_whole CHECK ((status IS NULL) = (response IS NULL)),
  ADD CONSTRAINT api_idempotency_pending_claimed CHECK (status IS NOT NULL OR claimed_at IS NOT NULL);
COMMENT ON COLUMN api_idempotency.product_id IS 'What the request acts on: the product id, or a round id (round:<province>:<year>:<round>) for the rounds routes; a stored answer is given only to a caller who may still see it.';
COMMENT ON COLUMN api_idempotency.status IS 'Status of the definitive answer; NULL while the claiming request runs.';
COMMENT ON COLUMN api_idempotency.claim_id IS 'Which request holds the pending claim (renewed when a retry takes a dead claim over).';
COMMENT ON COLUMN api_idempotency.claimed_at IS 'When the pending claim was taken; -infinity once released by its request. Older than the lease: dead, may be taken over by the same request.';

-- Completing a claim and taking a dead one over are updates of these columns only; nothing is ever deleted, so a key
-- stays bound to its first request's fingerprint.
GRANT UPDATE (status, response, claim_id, claimed_at) ON api_idempotency TO ocop_app;
