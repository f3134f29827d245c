-- Operations that timeseries tables do not support yet fail with a clear
-- error (SQLSTATE 0A000, feature_not_supported) and change nothing.
CREATE TABLE un_t (id int, v float8, tag text) USING timeseries;
INSERT INTO un_t SELECT g, g, 't' || g FROM generate_series(1, 100) g;
CREATE TABLE un_h (id int, v float8);
INSERT INTO un_h VALUES (1, 10), (1000, 1000);
\set VERBOSITY default

-- (UPDATE, DELETE, MERGE and row locks: see 23_update_delete and the
-- isolation specs ts-update-delete and ts-row-locks)
INSERT INTO un_t VALUES (1, 1, 'x') ON CONFLICT DO NOTHING;
INSERT INTO un_t VALUES (1, 1, 'x') ON CONFLICT (id) DO UPDATE SET v = 2;
CREATE INDEX un_t_id ON un_t (id);
CREATE UNIQUE INDEX un_t_id_u ON un_t (id);
CREATE INDEX CONCURRENTLY un_t_id_c ON un_t (id);
-- no (invalid) index may be left behind by the refused CONCURRENTLY build
SELECT count(*) FROM pg_index WHERE indrelid = 'un_t'::regclass;
REINDEX TABLE un_t;
DROP INDEX IF EXISTS un_t_id_c;
ALTER TABLE un_t ADD PRIMARY KEY (id);
ALTER TABLE un_t ADD CONSTRAINT un_t_u UNIQUE (id);
ALTER TABLE un_t ADD CONSTRAINT un_t_ex EXCLUDE (id WITH =);
CREATE TABLE un_pk (id int PRIMARY KEY, v float8) USING timeseries;
CREATE TABLE un_uq (id int UNIQUE, v float8) USING timeseries;
CREATE TABLE un_pk2 (id int, v float8, PRIMARY KEY (id)) USING timeseries;
SELECT count(*) FROM pg_class WHERE relname IN ('un_pk', 'un_uq', 'un_pk2');
SELECT count(*) FROM un_t TABLESAMPLE SYSTEM (50);
SELECT count(*) FROM un_t TABLESAMPLE BERNOULLI (50);
-- TimeseriesScan cannot move backward, so the planner materializes SCROLL
-- cursors over it; a plain sequential scan (custom scan off) refuses to
-- move backward
BEGIN;
DECLARE un_c SCROLL CURSOR FOR SELECT id FROM un_t;
FETCH 2 FROM un_c;
FETCH BACKWARD 1 FROM un_c;
ROLLBACK;
BEGIN;
SET LOCAL timeseries.enable_custom_scan = off;
DECLARE un_c SCROLL CURSOR FOR SELECT id FROM un_t;
FETCH 2 FROM un_c;
FETCH BACKWARD 1 FROM un_c;
ROLLBACK;
BEGIN;
DECLARE un_c SCROLL CURSOR FOR SELECT id FROM un_t;
FETCH LAST FROM un_c;
ROLLBACK;
BEGIN;
DECLARE un_c SCROLL CURSOR FOR SELECT id FROM un_t;
FETCH 5 FROM un_c;
FETCH ABSOLUTE 1 FROM un_c;
ROLLBACK;
-- a sorted SCROLL cursor is materialized and may move freely
BEGIN;
DECLARE un_c SCROLL CURSOR FOR SELECT id FROM un_t ORDER BY id;
FETCH 2 FROM un_c;
FETCH BACKWARD 1 FROM un_c;
FETCH LAST FROM un_c;
ROLLBACK;

-- the SQLSTATE is feature_not_supported for every one of these
\set VERBOSITY sqlstate
INSERT INTO un_t VALUES (1, 1, 'x') ON CONFLICT DO NOTHING;
CREATE INDEX ON un_t (id);
SELECT count(*) FROM un_t TABLESAMPLE SYSTEM (10);
\set VERBOSITY default
DO $$
BEGIN
  INSERT INTO un_t VALUES (1, 1, 'x') ON CONFLICT DO NOTHING;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'caught feature_not_supported: %', SQLERRM;
END $$;

-- nothing was changed by any of the statements above
SELECT count(*), sum(v), count(DISTINCT tag) FROM un_t;
SELECT count(*) FROM pg_index WHERE indrelid = 'un_t'::regclass;
-- and the table still works
INSERT INTO un_t VALUES (101, 101, 't101');
SELECT count(*) FROM un_t;
DROP TABLE un_t, un_h;
