-- Operations that timeseries tables do not support yet fail with a clear
-- error (SQLSTATE 0A000, feature_not_supported) and change nothing.
CREATE TABLE un_t (id int, v float8, tag text) USING timeseries;
INSERT INTO un_t SELECT g, g, 't' || g FROM generate_series(1, 100) g;
CREATE TABLE un_h (id int, v float8);
INSERT INTO un_h VALUES (1, 10), (1000, 1000);
\set VERBOSITY default

-- (UPDATE, DELETE, MERGE and row locks: see 23_update_delete and the
-- isolation specs ts-update-delete and ts-row-locks; indexes and ON
-- CONFLICT: 24_indexes)
-- index access methods that only return bitmaps: timeseries tables have no
-- bitmap scans
CREATE INDEX un_t_brin ON un_t USING brin (id);
CREATE INDEX un_t_gin ON un_t USING gin (to_tsvector('simple', tag));
CREATE INDEX CONCURRENTLY un_t_brin_c ON un_t USING brin (id);
-- no (invalid) index may be left behind by the refused CONCURRENTLY build
SELECT count(*) FROM pg_index WHERE indrelid = 'un_t'::regclass;
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
CREATE INDEX ON un_t USING brin (id);
SELECT count(*) FROM un_t TABLESAMPLE SYSTEM (10);
\set VERBOSITY default
DO $$
BEGIN
  PERFORM count(*) FROM un_t TABLESAMPLE SYSTEM (10);
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
