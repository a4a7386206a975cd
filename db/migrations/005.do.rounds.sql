-- Read model of the provincial evaluation rounds (đợt đánh giá). Each round is its own stream in the event store
-- (stream id `round:<province>:<year>:<round>`, events RoundOpened and RoundClosed); this table is rewritten in the
-- same transaction as each append.
CREATE TABLE rounds (
  round_id text PRIMARY KEY,
  province_code text NOT NULL,
  year smallint NOT NULL,
  round smallint NOT NULL CHECK (round IN (1, 2)),
  cut_off date NOT NULL,
  decide_by date NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'closed')),
  council jsonb NOT NULL,
  opened_at timestamptz NOT NULL,
  closed_at timestamptz,
  version integer NOT NULL
);
COMMENT ON TABLE rounds IS 'Read model: provincial evaluation rounds with their council, derived from round:* streams.';
CREATE INDEX rounds_province_idx ON rounds (province_code, year, round);
GRANT SELECT, INSERT, UPDATE ON rounds TO ocop_app;
