-- Imports of a province's spreadsheets (issue 19): the file as received, and each row's outcome, so that an import
-- interrupted at any row continues where it stopped (`ocop import --resume <id>`, POST /imports/:id/resume) and its
-- summary is counted from the rows. Each row's command is idempotent by its own key (a digest of its content), so
-- a row whose outcome was not yet written when the import stopped is sent again and answered as already recorded.

CREATE TABLE imports (
  id text PRIMARY KEY,
  file_name text NOT NULL,
  file_sha256 char(64) NOT NULL,
  file bytea NOT NULL,
  format text NOT NULL CHECK (format IN ('csv', 'xlsx')),
  province_code text,
  -- Who imports: the caller the rows' commands are sent as (its JWT claims), so a resumed import acts as it did.
  importer jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'stopped', 'done')),
  total_rows integer NOT NULL CHECK (total_rows >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
COMMENT ON TABLE imports IS 'One import of a spreadsheet (CSV or .xlsx): the file itself, who imports it, and whether it ran to its end.';
COMMENT ON COLUMN imports.status IS 'running (rows being sent) → done (every row has an outcome) | stopped (interrupted: resume it).';
CREATE INDEX imports_file_idx ON imports (file_sha256);

CREATE TABLE import_rows (
  import_id text NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  row_no integer NOT NULL CHECK (row_no >= 1),
  kind text CHECK (kind IN ('certified', 'dossier', 'recipient')),
  row_key text NOT NULL,
  product_id text,
  status text NOT NULL CHECK (status IN ('pending', 'imported', 'present', 'refused')),
  problems jsonb NOT NULL DEFAULT '[]',
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (import_id, row_no)
);
COMMENT ON TABLE import_rows IS 'Each data row of an import and its outcome: pending, imported, already present (recorded before), or refused with its problems (Vietnamese and English, by column).';
COMMENT ON COLUMN import_rows.row_key IS 'The row''s Idempotency-Key: a digest of what it records, never of its position in the file; empty for a row refused before it had one.';
CREATE INDEX import_rows_pending_idx ON import_rows (import_id, row_no) WHERE status = 'pending';

GRANT SELECT, INSERT, UPDATE ON imports TO ocop_app;
GRANT SELECT, INSERT, UPDATE ON import_rows TO ocop_app;
