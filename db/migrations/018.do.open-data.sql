-- Open data (issue 20): the files of the daily export of certified products (CSV and JSON, nationwide and per
-- province), written by the `ocop-open-data-daily` Temporal Schedule and served at /public/open-data without sign-in.
-- One row per file name holds its latest generation: the public fields only (no person), with its SHA-256.
CREATE TABLE open_data_files (
  name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9.-]*$'),
  media_type text NOT NULL CHECK (media_type IN ('text/csv', 'application/json')),
  province_code text,
  content bytea NOT NULL,
  sha256 char(64) NOT NULL,
  bytes integer NOT NULL,
  rows integer NOT NULL,
  as_of date NOT NULL,
  generated_at timestamptz NOT NULL
);
COMMENT ON TABLE open_data_files IS 'The open-data files of certified products (CC BY 4.0), the latest generation of each: written by the daily open-data schedule, served at /public/open-data.';
COMMENT ON COLUMN open_data_files.province_code IS 'The province the file covers; NULL for the nationwide file.';
COMMENT ON COLUMN open_data_files.sha256 IS 'SHA-256 (hex) of content: the ETag and the X-Checksum-SHA256 header of the file.';
COMMENT ON COLUMN open_data_files.as_of IS 'The Vietnamese date each certificate''s status (in force, expired, revoked) is given for.';
GRANT SELECT, INSERT, UPDATE ON open_data_files TO ocop_app;
