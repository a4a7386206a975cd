-- Public trust (issue 20). Each signed document the API issues is recorded here, with the SHA-256 of its content and
-- the key that signed it. A table rather than a case event: a document is a read-side artefact printed from the
-- records, reprinting one changes nothing of the case, and the case workflow's history (replayed, hash-chained) is
-- not made to carry it.
CREATE TABLE documents (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('certificate', 'decision')),
  number text NOT NULL,
  product_id text,
  round_id text,
  hash char(64) NOT NULL,
  kid text NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now(),
  issued_by text NOT NULL
);
COMMENT ON TABLE documents IS 'Every signed document issued (certificate, recognition decision): its content hash and signing key id. Append-only.';
COMMENT ON COLUMN documents.hash IS 'SHA-256 (hex) of the document''s content, the value its QR token signs.';
CREATE INDEX documents_number_idx ON documents (kind, number);
GRANT SELECT, INSERT ON documents TO ocop_app;
GRANT USAGE ON SEQUENCE documents_id_seq TO ocop_app;
