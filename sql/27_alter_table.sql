-- ALTER TABLE and friends on a timeseries table with rows in compressed
-- chunks, inline chunks, deleted rows and options: every statement keeps
-- every row (compared with a heap twin given the same statements) and the
-- table's options, which follow renamed columns.
SET timeseries.chunk_rows = 300;
CREATE TABLE at (t timestamptz NOT NULL, host text, v float8, n int) USING timeseries;
CREATE TABLE at_heap (t timestamptz NOT NULL, host text, v float8, n int);
SELECT timeseries.set_options('at', segment_by => '{host}', order_by => 't DESC',
	retention => '100 years');
INSERT INTO at SELECT '2024-01-01'::timestamptz + g * interval '1 minute', 'h' || g % 4, g / 2.0, g
	FROM generate_series(1, 1000) g;
INSERT INTO at VALUES ('2024-02-01', 'h9', NULL, NULL);
INSERT INTO at_heap SELECT * FROM at;
DELETE FROM at WHERE n % 50 = 0;
DELETE FROM at_heap WHERE n % 50 = 0;
RESET timeseries.chunk_rows;
CREATE FUNCTION at_diff(OUT only_ts bigint, OUT only_heap bigint) LANGUAGE sql AS $$
	SELECT (SELECT count(*) FROM (SELECT * FROM at EXCEPT ALL SELECT * FROM at_heap) a),
		   (SELECT count(*) FROM (SELECT * FROM at_heap EXCEPT ALL SELECT * FROM at) b)
$$;
SELECT * FROM at_diff();

-- ADD COLUMN: without a default, with a constant default, with a volatile
-- default (a rewrite)
ALTER TABLE at ADD COLUMN a1 int;
ALTER TABLE at_heap ADD COLUMN a1 int;
ALTER TABLE at ADD COLUMN a2 text DEFAULT 'const';
ALTER TABLE at_heap ADD COLUMN a2 text DEFAULT 'const';
ALTER TABLE at ADD COLUMN a3 float8 DEFAULT random();
ALTER TABLE at_heap ADD COLUMN a3 float8 DEFAULT random();
UPDATE at SET a3 = 0;
UPDATE at_heap SET a3 = 0;
ALTER TABLE at ALTER COLUMN a3 SET DEFAULT 0;
ALTER TABLE at_heap ALTER COLUMN a3 SET DEFAULT 0;
SELECT * FROM at_diff();
-- DROP COLUMN, SET/DROP DEFAULT, SET/DROP NOT NULL, ALTER COLUMN TYPE
ALTER TABLE at DROP COLUMN a1;
ALTER TABLE at_heap DROP COLUMN a1;
ALTER TABLE at ALTER COLUMN a2 SET DEFAULT 'other';
ALTER TABLE at_heap ALTER COLUMN a2 SET DEFAULT 'other';
INSERT INTO at (t, host, v, n) VALUES ('2024-02-15', 'h1', 1, 1);
INSERT INTO at_heap (t, host, v, n) VALUES ('2024-02-15', 'h1', 1, 1);
\set VERBOSITY terse
ALTER TABLE at ALTER COLUMN n SET NOT NULL;
\set VERBOSITY default
DELETE FROM at WHERE n IS NULL;
DELETE FROM at_heap WHERE n IS NULL;
ALTER TABLE at ALTER COLUMN n SET NOT NULL;
ALTER TABLE at_heap ALTER COLUMN n SET NOT NULL;
\set VERBOSITY terse
INSERT INTO at (t, host) VALUES ('2024-02-16', 'h1');
\set VERBOSITY default
ALTER TABLE at ALTER COLUMN n DROP NOT NULL;
ALTER TABLE at_heap ALTER COLUMN n DROP NOT NULL;
ALTER TABLE at ALTER COLUMN a2 DROP DEFAULT;
ALTER TABLE at_heap ALTER COLUMN a2 DROP DEFAULT;
ALTER TABLE at ALTER COLUMN v TYPE numeric USING v::numeric;
ALTER TABLE at_heap ALTER COLUMN v TYPE numeric USING v::numeric;
INSERT INTO at (t, host, v, n) VALUES ('2024-03-01', 'h1', 1.5, 1);
INSERT INTO at_heap (t, host, v, n) VALUES ('2024-03-01', 'h1', 1.5, 1);
SELECT * FROM at_diff();

-- RENAME: the options follow the columns; a column they name cannot be dropped
ALTER TABLE at RENAME COLUMN host TO hostname;
ALTER TABLE at_heap RENAME COLUMN host TO hostname;
ALTER TABLE at RENAME COLUMN t TO ts;
ALTER TABLE at_heap RENAME COLUMN t TO ts;
SELECT time_column, segment_by, order_by, retention FROM timeseries.table_options('at');
\set VERBOSITY terse
ALTER TABLE at DROP COLUMN hostname;
ALTER TABLE at DROP COLUMN ts;
\set VERBOSITY default
ALTER TABLE at RENAME TO at2;
ALTER TABLE at2 RENAME TO at;
SELECT table_name, segment_by FROM timeseries.options WHERE table_name::text = 'at';
SELECT * FROM at_diff();

-- SET TABLESPACE, VACUUM FULL
ALTER TABLE at SET TABLESPACE pg_default;
VACUUM FULL at;
SELECT * FROM at_diff();

-- CLUSTER: new chunks in the index's order (the table's dropped columns
-- too), each stored in the table's row order (segment_by hostname); the
-- old chunks' rows stay in the indexes, not alive, for older snapshots
-- (isolation spec ts-cluster)
CREATE INDEX at_ts ON at (ts);
CREATE INDEX at_v ON at ((v * 2) DESC NULLS LAST);
CLUSTER at USING at_ts;
SELECT * FROM at_diff();
SELECT indisclustered FROM pg_index WHERE indexrelid = 'at_ts'::regclass;
SELECT count(*) AS problems FROM timeseries.verify('at');
-- chunks follow the index: after CLUSTER by grp, each chunk of 250 rows
-- holds one grp, and a query for one grp reads a quarter of the chunks
CREATE TABLE cl (t timestamptz, grp int, v int) USING timeseries;
SELECT timeseries.set_options('cl', chunk_rows => 250);
INSERT INTO cl SELECT '2024-01-01'::timestamptz + g * interval '1 minute', g % 4, g
	FROM generate_series(1, 1000) g;
CREATE INDEX cl_grp ON cl (grp, t);
CREATE FUNCTION cl_chunks() RETURNS TABLE (nrows bigint, grps bigint, first_v int) LANGUAGE sql AS $$
	SELECT count(*), count(DISTINCT grp), min(v)
	  FROM (SELECT grp, v, (ctid::text::point)[0]::int8 * 291 + (ctid::text::point)[1]::int8 - 1 AS r
			  FROM cl) x
	  JOIN timeseries_internal.chunk c
		ON c.storage_id = (SELECT max(storage_id) FROM timeseries_internal.chunk)
	   AND x.r >= c.first_row AND x.r < c.first_row + coalesce(c.row_span, c.row_count)
	 GROUP BY c.first_row ORDER BY c.first_row $$;
SELECT * FROM cl_chunks();
CLUSTER cl USING cl_grp;
SELECT * FROM cl_chunks();
SELECT count(*), sum(v) FROM cl WHERE grp = 2;
-- (the planner prefers this to the index scan, which it also costs lower
-- than a sequential scan)
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*), sum(v) FROM cl WHERE grp = 2;
-- rows an enclosing subtransaction has not written yet: refused (they
-- could be neither written here nor left)
BEGIN;
INSERT INTO cl VALUES ('2025-01-01', 9, -1);
SAVEPOINT s;
CLUSTER cl USING cl_grp;
ROLLBACK TO s;
RELEASE s;
CLUSTER cl USING cl_grp;
COMMIT;
SELECT count(*), sum(v), count(DISTINCT ctid) FROM cl;
-- after a TRUNCATE in the same transaction (the old storage's unwritten
-- rows are not written)
BEGIN;
INSERT INTO cl VALUES ('2025-01-02', 9, -2);
TRUNCATE cl;
INSERT INTO cl SELECT '2024-01-01'::timestamptz + g * interval '1 minute', g % 4, g
	FROM generate_series(1, 1000) g;
CLUSTER cl USING cl_grp;
COMMIT;
SELECT count(*), sum(v), count(DISTINCT ctid) FROM cl;
-- only btree indexes
CREATE INDEX cl_gist ON cl USING gist (point(v, grp));
CLUSTER cl USING cl_gist;
-- CLUSTER, then DROP in the same transaction: the metadata goes too; and
-- after a rollback to a savepoint that undid the CLUSTER
SELECT count(*) AS chunks_before FROM timeseries_internal.chunk \gset
CREATE TABLE cl_drop (a int) USING timeseries;
INSERT INTO cl_drop SELECT generate_series(1, 100);
CREATE INDEX cl_drop_a ON cl_drop (a);
BEGIN;
CLUSTER cl_drop USING cl_drop_a;
DROP TABLE cl_drop;
COMMIT;
SELECT count(*) - :chunks_before AS chunks_left FROM timeseries_internal.chunk;
CREATE TABLE cl_drop (a int) USING timeseries;
INSERT INTO cl_drop SELECT generate_series(1, 100);
CREATE INDEX cl_drop_a ON cl_drop (a);
BEGIN;
SAVEPOINT s;
CLUSTER cl_drop USING cl_drop_a;
ROLLBACK TO s;
SELECT count(*), sum(a) FROM cl_drop;
DROP TABLE cl_drop;
COMMIT;
SELECT count(*) - :chunks_before AS chunks_left FROM timeseries_internal.chunk;
-- an empty table, and one whose rows are all deleted
CREATE TABLE cl_empty (a int) USING timeseries;
CREATE INDEX cl_empty_a ON cl_empty (a);
CLUSTER cl_empty USING cl_empty_a;
INSERT INTO cl_empty VALUES (1), (2);
DELETE FROM cl_empty;
CLUSTER cl_empty;
SELECT count(*) FROM cl_empty;
INSERT INTO cl_empty VALUES (3);
SELECT * FROM cl_empty;
DROP TABLE cl, cl_empty;
DROP FUNCTION cl_chunks;
-- an expression index, NULLs last, descending; then a second CLUSTER
CLUSTER at USING at_v;
SELECT * FROM at_diff();
SET enable_seqscan = off;
SET timeseries.enable_custom_scan = off;
SELECT count(*), sum(n) FROM at WHERE ts BETWEEN '2024-01-01 03:00' AND '2024-01-01 05:00';
RESET enable_seqscan;
RESET timeseries.enable_custom_scan;
SELECT count(*), sum(n) FROM at_heap WHERE ts BETWEEN '2024-01-01 03:00' AND '2024-01-01 05:00';
-- CLUSTER without USING takes the index marked, and keeps the options
CLUSTER at;
SELECT * FROM at_diff();
SELECT time_column, segment_by, order_by FROM timeseries.table_options('at');
SELECT count(*) AS problems FROM timeseries.verify('at');
-- indexes CLUSTER cannot use, as on heap
CREATE INDEX at_part ON at (n) WHERE n > 10;
CLUSTER at USING at_part;
CREATE INDEX at_hash ON at USING hash (n);
CLUSTER at USING at_hash;
DROP INDEX at_part, at_hash;

-- SET UNLOGGED and back: rows and options stay
ALTER TABLE at SET UNLOGGED;
SELECT relpersistence FROM pg_class WHERE oid = 'at'::regclass;
SELECT * FROM at_diff();
ALTER TABLE at SET LOGGED;
SELECT relpersistence FROM pg_class WHERE oid = 'at'::regclass;
SELECT * FROM at_diff();
SELECT time_column, segment_by, order_by FROM timeseries.table_options('at');

-- SET ACCESS METHOD, to heap and back: rows and options stay
ALTER TABLE at SET ACCESS METHOD heap;
SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = 'at'::regclass;
SELECT * FROM at_diff();
ALTER TABLE at SET ACCESS METHOD timeseries;
SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = 'at'::regclass;
SELECT * FROM at_diff();
SELECT time_column, segment_by, order_by FROM timeseries.table_options('at');
SELECT row_count FROM timeseries.table_stats('at');

-- partitions: attach and detach
CREATE TABLE atp (ts timestamptz NOT NULL, hostname text, v numeric, n int, a2 text, a3 float8)
	PARTITION BY RANGE (ts);
ALTER TABLE atp ATTACH PARTITION at FOR VALUES FROM ('2000-01-01') TO ('2100-01-01');
SELECT count(*), sum(n) FROM atp;
SELECT count(*), sum(n) FROM at_heap;
INSERT INTO atp VALUES ('2024-04-01', 'h2', 2.5, 2, 'p', 0);
INSERT INTO at_heap VALUES ('2024-04-01', 'h2', 2.5, 2, 'p', 0);
ALTER TABLE atp DETACH PARTITION at;
SELECT * FROM at_diff();
SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = 'at'::regclass;

DROP TABLE at, at_heap, atp;
DROP FUNCTION at_diff();

-- a table rewrite writes its chunks with the table's options
CREATE TABLE at_rw (h int, t timestamptz, v int) USING timeseries;
SELECT timeseries.set_options('at_rw', segment_by => '{h}', chunk_rows => 1000);
INSERT INTO at_rw SELECT g % 7, '2024-01-01'::timestamptz + g * interval '1 s', g FROM generate_series(1, 5000) g;
SELECT chunk_count, row_count FROM timeseries.table_stats('at_rw');
ALTER TABLE at_rw ALTER COLUMN v TYPE bigint;
SELECT chunk_count, row_count FROM timeseries.table_stats('at_rw');
-- still stored by segment: the first chunk's rows come out host by host
SELECT h, count(*) FROM (SELECT h, row_number() OVER () AS n FROM at_rw) s
 WHERE n <= 1000 GROUP BY h ORDER BY min(n);
SELECT count(*), sum(v) FROM at_rw;
DROP TABLE at_rw;
