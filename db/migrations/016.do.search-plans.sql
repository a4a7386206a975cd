-- Search (issue 18): products, subjects and certificate numbers found whatever their diacritics and case. `unaccent`
-- and `pg_trgm` are trusted extensions (PostgreSQL 13+): the database owner creates them. `unaccent` folds "đ" to
-- "d" with the rest of Vietnamese; `ocop_fold` is it as an IMMUTABLE function so that indexes may use it.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE FUNCTION ocop_fold(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1));
COMMENT ON FUNCTION ocop_fold(text) IS 'Text folded for search: lower case, without diacritics (đ → d).';

CREATE INDEX cases_product_name_trgm_idx ON cases USING gin (ocop_fold(product_name) gin_trgm_ops);
CREATE INDEX cases_subject_name_trgm_idx ON cases USING gin (ocop_fold(subject_name) gin_trgm_ops);
CREATE INDEX certificates_number_trgm_idx ON certificates USING gin (ocop_fold(certificate_number) gin_trgm_ops);

GRANT EXECUTE ON FUNCTION ocop_fold(text) TO ocop_app;
