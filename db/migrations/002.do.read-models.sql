-- Read models beside `cases`: certificates and counts. Both are derived from the events alone, written in the
-- append's transaction (db/projections.ts), and reproduced row for row by `ocop projections rebuild`.
-- On a database that already holds events, run `npm run ocop -- projections rebuild` once after this migration.

CREATE TABLE certificates (
  product_id text NOT NULL,
  term_no integer NOT NULL CHECK (term_no >= 1),
  certificate_number text NOT NULL,
  star smallint NOT NULL CHECK (star BETWEEN 3 AND 5),
  level text NOT NULL,
  rule_set_id text NOT NULL,
  issued_on date NOT NULL,
  expires_on date NOT NULL,
  extended_until date,
  status text NOT NULL CHECK (status IN ('valid', 'expired', 'revoked', 'replaced')),
  ended_on date,
  replaced_by text,
  imported boolean NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (product_id, term_no)
);
COMMENT ON TABLE certificates IS 'Read model: every OCOP certificate (giấy chứng nhận) a case has held, one row per term (derived; rebuildable from events).';
COMMENT ON COLUMN certificates.term_no IS 'The case''s certificate term the certificate opened; certificate numbers are only unique per issuing authority.';
COMMENT ON COLUMN certificates.status IS 'valid until an event ends it: expired (term or extension ran out), revoked, or replaced by a later certificate.';
COMMENT ON COLUMN certificates.extended_until IS 'Art. 12.3 QĐ 26/2026: valid past expiry while a re-rating is decided, up to this day.';
COMMENT ON COLUMN certificates.updated_at IS 'occurred_at of the last event that changed the row.';
CREATE INDEX certificates_number_idx ON certificates (certificate_number);
CREATE INDEX certificates_expiry_idx ON certificates (expires_on) WHERE status = 'valid';

-- Counts are maintained incrementally: each append subtracts the case's old contribution and adds its new one, in
-- the same transaction, so a dashboard reads a few hundred rows instead of grouping every case. Rows whose count
-- falls to zero are deleted, which makes the table exactly the GROUP BY of the contributions a rebuild computes.
-- (No CHECK (n >= 0): PostgreSQL checks the proposed row of INSERT … ON CONFLICT before the conflict, so a
-- decrement could not be an upsert; the projection refuses a negative result itself.)
CREATE TABLE counts (
  kind text NOT NULL CHECK (kind IN ('case', 'certificate')),
  province_code text NOT NULL,
  commune_code text NOT NULL,
  product_set_code text NOT NULL,
  status text NOT NULL,
  star smallint NOT NULL CHECK (star BETWEEN 0 AND 5),
  year smallint NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (kind, province_code, commune_code, product_set_code, status, star, year)
);
COMMENT ON TABLE counts IS 'Read model: number of cases and certificates per province, commune, product set, status, star and year (derived; rebuildable from events).';
COMMENT ON COLUMN counts.kind IS 'case: one per case (status = stage, star = its valid certificate or 0, year = year registered); certificate: one per certificate (status = certificate status, year = year issued).';
COMMENT ON COLUMN counts.province_code IS 'The case''s current province (after any PlacesUpdated).';
CREATE INDEX counts_province_idx ON counts (province_code, kind, status);

GRANT SELECT, INSERT, UPDATE, DELETE ON certificates, counts TO ocop_app;
