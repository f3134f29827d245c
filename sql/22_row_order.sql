-- Rows stored in segment_by / order_by order keep their ctids: fetches by
-- ctid, AFTER triggers, cursors and the transaction's own command ids all
-- find the rows they were given; results equal heap's.
SET timezone = 'UTC';
CREATE TABLE ro (time timestamptz, host text, v int, note text) USING timeseries;
SELECT timeseries.set_options('ro', segment_by => '{host}', chunk_rows => 1000);
CREATE TABLE ro_heap (time timestamptz, host text, v int, note text);
-- time-major rows of 7 hosts (and NULL hosts), some out of time order
INSERT INTO ro SELECT '2024-01-01'::timestamptz + (g / 8) * interval '10 s'
		- CASE WHEN g % 97 = 0 THEN interval '1 hour' ELSE interval '0' END,
	CASE WHEN g % 8 = 7 THEN NULL ELSE 'h' || (g % 8) END, g, 'n' || g
FROM generate_series(0, 4999) g;
INSERT INTO ro_heap SELECT * FROM ro;
-- stored by host, then time (NULL hosts last), within each chunk
SELECT host, time, v FROM ro LIMIT 5;
SELECT count(*) AS rows_out_of_host_order FROM (
	SELECT host, lag(host) OVER () AS prev, ctid FROM (SELECT host, ctid FROM ro LIMIT 1000) x) y
WHERE prev IS NOT NULL AND host < prev;
-- same rows as heap
SELECT count(*) AS differences FROM ((SELECT * FROM ro EXCEPT ALL SELECT * FROM ro_heap)
	UNION ALL (SELECT * FROM ro_heap EXCEPT ALL SELECT * FROM ro)) d;

-- a ctid returned by INSERT finds its row, in a chunk written right away
-- and in the transaction's buffer
CREATE TEMP TABLE ro_ctids AS SELECT 0 AS v, '(0,0)'::tid AS c LIMIT 0;
WITH ins AS (INSERT INTO ro SELECT '2024-02-01'::timestamptz + g * interval '1 s', 'h' || (g % 3), 10000 + g, 'x'
			 FROM generate_series(1, 2500) g RETURNING v, ctid)
INSERT INTO ro_ctids SELECT * FROM ins;
SELECT count(*) AS found FROM ro_ctids c JOIN LATERAL (SELECT v FROM ro WHERE ctid = c.c) r ON r.v = c.v;
SELECT count(*) AS total FROM ro_ctids;
SELECT v, note FROM ro WHERE ctid = (SELECT c FROM ro_ctids WHERE v = 11234);

-- AFTER ROW triggers fetch the inserted rows by ctid
CREATE TABLE ro_log (v int, host text);
CREATE FUNCTION ro_trig() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO ro_log VALUES (NEW.v, NEW.host); RETURN NULL; END $$;
CREATE TRIGGER ro_after AFTER INSERT ON ro FOR EACH ROW EXECUTE FUNCTION ro_trig();
INSERT INTO ro SELECT '2024-03-01'::timestamptz + g * interval '1 s', 'h' || (g % 4), 20000 + g, NULL
FROM generate_series(1, 3000) g;
SELECT count(*), sum(v), count(DISTINCT host) FROM ro_log;
DROP TRIGGER ro_after ON ro;

-- several commands in one transaction, chunks flushed in between: a cursor
-- opened in between sees exactly the rows before it
BEGIN;
INSERT INTO ro SELECT '2024-04-01'::timestamptz + g * interval '1 s', 'h' || (g % 5), 30000 + g, NULL
FROM generate_series(1, 600) g;
DECLARE c CURSOR FOR SELECT count(*), sum(v) FROM ro WHERE v >= 30000;
INSERT INTO ro SELECT '2024-04-01'::timestamptz + g * interval '1 s', 'h' || (g % 5), 30000 + g, NULL
FROM generate_series(601, 1500) g;
FETCH c;
SELECT count(*), sum(v) FROM ro WHERE v >= 30000;
COMMIT;
SELECT count(*), sum(v) FROM ro WHERE v >= 30000;

-- order_by DESC NULLS LAST, two segment columns, and no segment at all
CREATE TABLE ro2 (time timestamptz, a int, b text, v int) USING timeseries;
SELECT timeseries.set_options('ro2', segment_by => '{b, a}', order_by => 'time desc nulls last, v');
INSERT INTO ro2 SELECT CASE WHEN g % 11 = 0 THEN NULL ELSE '2024-01-01'::timestamptz + g * interval '1 min' END,
	g % 3, CASE WHEN g % 2 = 0 THEN 'x' ELSE 'y' END, g FROM generate_series(1, 40) g;
SELECT b, a, time, v FROM ro2 LIMIT 10;
CREATE TABLE ro3 (time timestamptz, v int) USING timeseries;
SELECT timeseries.set_options('ro3', order_by => 'v desc');
INSERT INTO ro3 SELECT '2024-01-01'::timestamptz + g * interval '1 min', g FROM generate_series(1, 5) g;
SELECT v, ctid FROM ro3;
SELECT v FROM ro3 WHERE ctid = '(0,1)';

-- ANALYZE samples, the TopN, aggregation and the last point still agree with heap
ANALYZE ro;
INSERT INTO ro_heap SELECT * FROM ro WHERE v >= 10000;
SELECT count(*) AS differences FROM ((SELECT * FROM ro EXCEPT ALL SELECT * FROM ro_heap)
	UNION ALL (SELECT * FROM ro_heap EXCEPT ALL SELECT * FROM ro)) d;
SELECT (SELECT array_agg(x ORDER BY x)::text FROM (SELECT host, max(time), count(*) FROM ro GROUP BY host) x) =
	(SELECT array_agg(x ORDER BY x)::text FROM (SELECT host, max(time), count(*) FROM ro_heap GROUP BY host) x) AS same_agg,
	(SELECT array_agg(v) FROM (SELECT v FROM ro ORDER BY time DESC, v LIMIT 7) x) =
	(SELECT array_agg(v) FROM (SELECT v FROM ro_heap ORDER BY time DESC, v LIMIT 7) x) AS same_topn,
	(SELECT array_agg(x ORDER BY x)::text FROM (SELECT DISTINCT ON (host) host, time FROM ro ORDER BY host, time DESC) x) =
	(SELECT array_agg(x ORDER BY x)::text FROM (SELECT DISTINCT ON (host) host, time FROM ro_heap ORDER BY host, time DESC) x) AS same_lastpoint;

-- a column the options name cannot be dropped; if it goes all the same
-- (dropped while the table was a heap table), rows are stored as they come
\set VERBOSITY terse
ALTER TABLE ro3 DROP COLUMN v;
\set VERBOSITY default
ALTER TABLE ro3 SET ACCESS METHOD heap;
ALTER TABLE ro3 DROP COLUMN v;
ALTER TABLE ro3 SET ACCESS METHOD timeseries;
INSERT INTO ro3 VALUES ('2025-01-01');
SELECT count(*) FROM ro3;

-- a sorted text column stores bytewise ranges per vector, so "= value"
-- skips the other series' vectors; long values (cut bounds), prefixes of
-- each other, the empty string and NULLs
CREATE TABLE rt (s text, v int) USING timeseries;
SELECT timeseries.set_options('rt', segment_by => '{s}');
INSERT INTO rt SELECT (ARRAY['', 'a', 'ab', 'abc', 'series_with_a_long_name_1', 'series_with_a_long_name_2',
							 'series_with_a_long_name_10', 'zz', NULL])[1 + g % 9], g
FROM generate_series(1, 20000) g;
CREATE TABLE rt_heap AS SELECT * FROM rt;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM rt WHERE s = 'ab';
SELECT q, (SELECT count(*) FROM rt WHERE s = q) = (SELECT count(*) FROM rt_heap WHERE s = q) AS same_eq,
	(SELECT count(*) FROM rt WHERE s <> q) = (SELECT count(*) FROM rt_heap WHERE s <> q) AS same_ne
FROM unnest(ARRAY['', 'a', 'ab', 'abc', 'abcd', 'b', 'series_with_a_long_name_1', 'series_with_a_long_name_10',
				  'series_with_a_long_name_100', 'series_with_a_long_nam', 'series_with_a_long_name_3', 'zz', 'zzz']) q;
SELECT (SELECT count(*) FROM rt WHERE s IN ('a', 'series_with_a_long_name_2', 'nope')) =
	(SELECT count(*) FROM rt_heap WHERE s IN ('a', 'series_with_a_long_name_2', 'nope')) AS same_in,
	(SELECT count(*) FROM rt WHERE s <> ALL (ARRAY['a', 'zz'])) =
	(SELECT count(*) FROM rt_heap WHERE s <> ALL (ARRAY['a', 'zz'])) AS same_not_in;

DROP TABLE ro, ro_heap, ro_log, ro2, ro3, rt, rt_heap;
DROP FUNCTION ro_trig();

-- storage ids start again when the extension is re-created: a fetch by
-- ctid must not reuse what it learned about an older chunk's row order
SET timeseries.compression = 'none';
CREATE TABLE rp (host text, v int) USING timeseries;
SELECT timeseries.set_options('rp', segment_by => '{host}');
INSERT INTO rp SELECT (ARRAY['a', 'b', 'a', 'b'])[g + 1], g FROM generate_series(0, 3) g;
SET enable_seqscan = off;
SET timeseries.enable_custom_scan = off;
SELECT * FROM rp WHERE ctid = '(0,2)';
DROP EXTENSION timeseries CASCADE;
CREATE EXTENSION timeseries;
CREATE TABLE rp (host text, v int) USING timeseries;
SELECT timeseries.set_options('rp', segment_by => '{host}');
INSERT INTO rp SELECT (ARRAY['a', 'b', 'b', 'a'])[g + 1], g FROM generate_series(0, 3) g;
SELECT * FROM rp WHERE ctid = '(0,3)';
RESET enable_seqscan;
RESET timeseries.enable_custom_scan;
SELECT ctid, * FROM rp;
DROP TABLE rp;
RESET timeseries.compression;

-- costs: a qual on one series reads only that series' vectors, so the plan
-- stays serial where a scan of every series goes parallel
CREATE TABLE ro_cost (time timestamptz, host text, v float8, w float8) USING timeseries;
SELECT timeseries.set_options('ro_cost', segment_by => '{host}');
INSERT INTO ro_cost SELECT '2024-01-01'::timestamptz + (g / 300) * interval '10 s', 'h' || g % 300, g % 97, g % 13
  FROM generate_series(1, 600000) g;
ANALYZE ro_cost;
SET parallel_setup_cost = 100;
SET parallel_tuple_cost = 0.001;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT * FROM ro_cost WHERE host = 'h7' AND v > 90;
EXPLAIN (COSTS OFF) SELECT * FROM ro_cost WHERE v > 90;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SELECT count(*), sum(v) FROM ro_cost WHERE host = 'h7' AND v > 90;
DROP TABLE ro_cost;
