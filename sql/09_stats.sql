-- timeseries.table_stats() and the timeseries.tables view for known loads.
SET timeseries.chunk_rows = 1000;
SET timeseries.inline_max_bytes = 0;
CREATE TABLE st_pages (ts timestamptz, v float8) USING timeseries;
INSERT INTO st_pages SELECT '2024-01-01'::timestamptz + g * interval '1 s', g % 100
  FROM generate_series(1, 4500) g;
SET timeseries.inline_max_bytes = '1MB';
CREATE TABLE st_inline (a int) USING timeseries;
INSERT INTO st_inline SELECT generate_series(1, 2500);
RESET timeseries.inline_max_bytes;
RESET timeseries.chunk_rows;
CREATE TABLE st_empty (a int) USING timeseries;

-- row and chunk counts are exact; byte counts are only sanity checked
SELECT row_count, chunk_count, inline_chunk_count,
       compressed_bytes > 0 AS has_bytes, compressed_bytes < uncompressed_bytes AS compressed
  FROM timeseries.table_stats('st_pages');
SELECT row_count, chunk_count, inline_chunk_count,
       compressed_bytes > 0 AS has_bytes
  FROM timeseries.table_stats('st_inline');
SELECT * FROM timeseries.table_stats('st_empty');
-- uncompressed bytes: 8 bytes per timestamptz and per float8
SELECT uncompressed_bytes >= 4500 * 16 AS plausible FROM timeseries.table_stats('st_pages');

-- the view lists every timeseries table the user can read
SELECT table_name, row_count, chunk_count, inline_chunk_count,
       compressed_bytes > 0 OR row_count = 0 AS bytes_ok,
       main_fork_bytes >= 0 AS fork_ok,
       compression_ratio > 1 AS ratio_gt_1
  FROM timeseries.tables ORDER BY table_name::text;
-- page chunks live in the main fork, inline chunks do not grow it
SELECT table_name, main_fork_bytes > 8192 AS has_extents
  FROM timeseries.tables WHERE table_name::text IN ('st_pages', 'st_inline') ORDER BY table_name::text;
SELECT sum(row_count) FROM timeseries.tables;

-- counts follow inserts, rollbacks and truncation
INSERT INTO st_inline SELECT generate_series(1, 10);
SELECT row_count, chunk_count FROM timeseries.table_stats('st_inline');
BEGIN;
INSERT INTO st_inline SELECT generate_series(1, 10);
ROLLBACK;
SELECT row_count, chunk_count FROM timeseries.table_stats('st_inline');
TRUNCATE st_inline;
SELECT * FROM timeseries.table_stats('st_inline');

-- compression settings change the sizes, not the counts
SET timeseries.compression = none;
CREATE TABLE st_none USING timeseries AS SELECT g % 10 AS a FROM generate_series(1, 5000) g;
SET timeseries.compression = zstd;
CREATE TABLE st_zstd USING timeseries AS SELECT g % 10 AS a FROM generate_series(1, 5000) g;
RESET timeseries.compression;
SELECT n.row_count = z.row_count AS same_rows,
       n.uncompressed_bytes = z.uncompressed_bytes AS same_raw,
       z.compressed_bytes < n.compressed_bytes AS zstd_smaller
  FROM timeseries.table_stats('st_none') n, timeseries.table_stats('st_zstd') z;

-- errors: not a timeseries table, not a table, no such table
CREATE TABLE st_heap (a int);
SELECT * FROM timeseries.table_stats('st_heap');
CREATE VIEW st_view AS SELECT 1 AS a;
SELECT * FROM timeseries.table_stats('st_view');
SELECT * FROM timeseries.table_stats('st_no_such_table');
SELECT * FROM timeseries.table_stats(0);
SELECT * FROM timeseries.table_stats(NULL);
-- a partitioned table is not a timeseries table itself
CREATE TABLE st_part (a int) PARTITION BY RANGE (a);
CREATE TABLE st_part_1 PARTITION OF st_part FOR VALUES FROM (0) TO (10) USING timeseries;
INSERT INTO st_part VALUES (1), (2);
SELECT * FROM timeseries.table_stats('st_part');
SELECT row_count FROM timeseries.table_stats('st_part_1');
SELECT table_name FROM timeseries.tables WHERE table_name::text LIKE 'st_part%';

-- privileges: table_stats needs SELECT on the table, the view hides the rest
CREATE ROLE regress_ts_stats_user;
SET ROLE regress_ts_stats_user;
SELECT * FROM timeseries.table_stats('st_pages');
SELECT count(*) FROM timeseries.tables;
RESET ROLE;
GRANT SELECT ON st_pages TO regress_ts_stats_user;
SET ROLE regress_ts_stats_user;
SELECT row_count FROM timeseries.table_stats('st_pages');
SELECT table_name FROM timeseries.tables;
RESET ROLE;
REVOKE SELECT ON st_pages FROM regress_ts_stats_user;
DROP ROLE regress_ts_stats_user;

DROP TABLE st_pages, st_inline, st_empty, st_none, st_zstd, st_heap, st_part;
DROP VIEW st_view;

-- the view calls table_stats() only on timeseries tables, whatever the plan
SELECT count(*) >= 0 AS view_ok FROM timeseries.tables WHERE random()::text @@ 'x';
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT count(*) >= 0 AS view_ok FROM timeseries.tables WHERE random()::text @@ 'x';
RESET enable_hashjoin;
RESET enable_mergejoin;
