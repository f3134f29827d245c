-- VACUUM, VACUUM FULL, ANALYZE and the planner's row estimates.
SET timeseries.chunk_rows = 700;
CREATE TABLE va_t (ts timestamptz, dev int, v float8, tag text) USING timeseries;
INSERT INTO va_t SELECT '2024-01-01'::timestamptz + g * interval '1 s', g % 17, g * 0.5,
                        CASE WHEN g % 3 = 0 THEN NULL ELSE 'tag' || (g % 5) END
  FROM generate_series(1, 3000) g;
INSERT INTO va_t SELECT '2025-01-01'::timestamptz + g * interval '1 s', g % 17, g, 'late'
  FROM generate_series(1, 20) g;
RESET timeseries.chunk_rows;
CREATE TABLE va_h AS SELECT * FROM va_t;
SELECT row_count, chunk_count FROM timeseries.table_stats('va_t');

-- an EXPLAIN row estimate, taken from the JSON plan so costs don't matter
CREATE FUNCTION va_plan_rows(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE p json;
BEGIN
  EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO p;
  RETURN (p -> 0 -> 'Plan' ->> 'Plan Rows')::float8;
END $$;

-- VACUUM keeps every row and sets reltuples exactly
VACUUM va_t;
SELECT count(*), sum(v) FROM va_t;
SELECT reltuples, relpages > 0 AS has_pages FROM pg_class WHERE oid = 'va_t'::regclass;
SELECT va_plan_rows('SELECT * FROM va_t') AS plan_rows;
VACUUM (VERBOSE OFF, ANALYZE) va_t;
SELECT reltuples FROM pg_class WHERE oid = 'va_t'::regclass;
-- VACUUM FREEZE, DISABLE_PAGE_SKIPPING, and VACUUM of the whole database
VACUUM (FREEZE, DISABLE_PAGE_SKIPPING) va_t;
SELECT count(*) FROM va_t;

-- ANALYZE: exact reltuples on a small table, statistics for every column
ANALYZE va_t;
ANALYZE va_h;
SELECT reltuples FROM pg_class WHERE oid = 'va_t'::regclass;
SELECT va_plan_rows('SELECT * FROM va_t') AS plan_rows;
SELECT attname, null_frac, n_distinct, most_common_vals IS NOT NULL AS has_mcv,
       histogram_bounds IS NOT NULL AS has_hist
  FROM pg_stats WHERE tablename = 'va_t' ORDER BY attname;
SELECT attname, null_frac, n_distinct, most_common_vals IS NOT NULL AS has_mcv,
       histogram_bounds IS NOT NULL AS has_hist
  FROM pg_stats WHERE tablename = 'va_h' ORDER BY attname;
-- a unique column is seen as unique, every value of a small table is sampled
SELECT attname, n_distinct, most_common_vals IS NULL AS no_mcv FROM pg_stats
 WHERE tablename = 'va_t' AND attname = 'ts';
-- the same statistics as for the heap copy (ANALYZE samples every row here)
SELECT t.attname, t.null_frac = h.null_frac AS same_null_frac,
       t.n_distinct = h.n_distinct AS same_n_distinct,
       t.avg_width = h.avg_width AS same_avg_width,
       t.most_common_vals::text IS NOT DISTINCT FROM h.most_common_vals::text AS same_mcv,
       t.histogram_bounds::text IS NOT DISTINCT FROM h.histogram_bounds::text AS same_hist
  FROM pg_stats t JOIN pg_stats h USING (attname)
 WHERE t.tablename = 'va_t' AND h.tablename = 'va_h' ORDER BY 1;
-- estimates for filtered scans come from those statistics
SELECT va_plan_rows('SELECT * FROM va_t WHERE tag = ''late''') AS t_rows,
       va_plan_rows('SELECT * FROM va_h WHERE tag = ''late''') AS h_rows;
SELECT va_plan_rows('SELECT * FROM va_t WHERE tag IS NULL') AS t_rows,
       va_plan_rows('SELECT * FROM va_h WHERE tag IS NULL') AS h_rows;
-- ANALYZE of some columns only
ANALYZE va_t (dev);
SELECT count(*) FROM pg_stats WHERE tablename = 'va_t';

-- estimates follow new inserts: reltuples scaled by the current size
INSERT INTO va_t SELECT '2026-01-01'::timestamptz + g * interval '1 s', 1, g, 'new'
  FROM generate_series(1, 3020) g;
ANALYZE va_t;
SELECT reltuples FROM pg_class WHERE oid = 'va_t'::regclass;
SELECT va_plan_rows('SELECT * FROM va_t') AS plan_rows, (SELECT count(*) FROM va_t) AS actual;
-- an empty table, never vacuumed, and after VACUUM
CREATE TABLE va_empty (a int) USING timeseries;
SELECT reltuples FROM pg_class WHERE oid = 'va_empty'::regclass;
VACUUM va_empty;
ANALYZE va_empty;
SELECT reltuples, relpages FROM pg_class WHERE oid = 'va_empty'::regclass;
SELECT count(*) FROM va_empty;

-- VACUUM FULL rewrites the table: rows, order and stats kept
CREATE TEMP TABLE va_before AS SELECT ctid AS tid, * FROM va_t;
SELECT relfilenode AS old_node FROM pg_class WHERE oid = 'va_t'::regclass \gset
VACUUM FULL va_t;
SELECT relfilenode <> :old_node AS rewritten FROM pg_class WHERE oid = 'va_t'::regclass;
SELECT count(*), sum(v), count(tag) FROM va_t;
SELECT count(*) FROM (SELECT * FROM va_t EXCEPT ALL SELECT ts, dev, v, tag FROM va_before) x;
SELECT count(*) FROM (SELECT ts, dev, v, tag FROM va_before EXCEPT ALL SELECT * FROM va_t) x;
SELECT row_count FROM timeseries.table_stats('va_t');
SELECT reltuples FROM pg_class WHERE oid = 'va_t'::regclass;
SELECT count(*), count(DISTINCT ctid) FROM va_t;
-- the rewritten table accepts new rows and keeps them apart from the old ones
INSERT INTO va_t VALUES ('2030-01-01', 99, 99, 'after full');
SELECT count(*), count(DISTINCT ctid) FROM va_t;
-- VACUUM FULL in a transaction, rolled back
BEGIN;
VACUUM FULL va_t;
ROLLBACK;
SELECT count(*) FROM va_t;
-- CLUSTER needs an index, which timeseries tables cannot have
CLUSTER va_t;
-- a rewrite of a table with chunks of an open transaction
BEGIN;
INSERT INTO va_t VALUES ('2031-01-01', 100, 100, 'in transaction');
ALTER TABLE va_t ADD COLUMN extra int DEFAULT 7;
SELECT count(*), count(DISTINCT ctid), min(extra), max(extra) FROM va_t;
COMMIT;
SELECT tag, extra FROM va_t WHERE dev >= 99 ORDER BY dev;
-- autovacuum settings are accepted
ALTER TABLE va_t SET (autovacuum_enabled = off);
ALTER TABLE va_t RESET (autovacuum_enabled);

DROP TABLE va_t, va_h, va_empty, va_before;
DROP FUNCTION va_plan_rows(text);
