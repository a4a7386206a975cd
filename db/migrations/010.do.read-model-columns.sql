-- Real columns for what the read side filters, groups and sorts by (read-models/cases/row.ts), so that no query reads
-- the domain state's JSON (`summary`): renaming a field of the case state can no longer break a query silently.
-- The rows present are filled from their state once, here; from now on the append path and the rebuild write them.
ALTER TABLE cases
  ADD COLUMN district_code text,
  ADD COLUMN first_province_code text,
  ADD COLUMN first_district_code text,
  ADD COLUMN first_commune_code text,
  ADD COLUMN certified_on date,
  ADD COLUMN certified_year smallint,
  ADD COLUMN overdue boolean NOT NULL DEFAULT false,
  ADD COLUMN round_year smallint,
  ADD COLUMN round_no smallint,
  ADD COLUMN registered_on date,
  ADD COLUMN registered_year smallint;

UPDATE cases SET
  district_code = summary->'places'->>'districtCode',
  first_province_code = coalesce(summary->'formerPlaces'->-1, summary->'places')->>'provinceCode',
  first_district_code = coalesce(summary->'formerPlaces'->-1, summary->'places')->>'districtCode',
  first_commune_code = coalesce(summary->'formerPlaces'->-1, summary->'places')->>'communeCode',
  certified_on = (summary->'certificate'->>'issuedOn')::date,
  certified_year = left(summary->'certificate'->>'issuedOn', 4)::smallint,
  overdue = coalesce((summary->'evaluation'->>'communeOverdue')::boolean, false)
    OR coalesce((summary->'evaluation'->>'decisionOverdue')::boolean, false)
    OR coalesce((summary->'revocation'->>'overdue')::boolean, false),
  round_year = (summary->'evaluation'->'round'->>'year')::smallint,
  round_no = (summary->'evaluation'->'round'->>'round')::smallint,
  registered_on = (summary->>'registeredOn')::date,
  registered_year = left(summary->>'registeredOn', 4)::smallint;

ALTER TABLE cases
  ALTER COLUMN first_province_code SET NOT NULL,
  ALTER COLUMN first_commune_code SET NOT NULL,
  ALTER COLUMN registered_on SET NOT NULL,
  ALTER COLUMN registered_year SET NOT NULL;

COMMENT ON COLUMN cases.district_code IS 'The district (cấp huyện) the case''s places still name: units before 01/07/2025.';
COMMENT ON COLUMN cases.first_province_code IS 'The places the case was first recorded at, before any re-homing (statistics by former units).';
COMMENT ON COLUMN cases.certified_on IS 'The day the certificate in force was issued.';
COMMENT ON COLUMN cases.overdue IS 'A commune check, decision or revocation time limit has passed unmet.';
COMMENT ON COLUMN cases.round_year IS 'The provincial round (đợt đánh giá) of the evaluation under way: year and number (round_no null: by the province''s plan).';
COMMENT ON COLUMN cases.registered_on IS 'The day the case was registered (its idea, or the imported record''s own date).';

CREATE INDEX cases_overdue_idx ON cases (province_code) WHERE overdue;
CREATE INDEX cases_round_idx ON cases (province_code, round_year, round_no) WHERE round_year IS NOT NULL;
CREATE INDEX cases_registered_year_idx ON cases (registered_year, province_code);
