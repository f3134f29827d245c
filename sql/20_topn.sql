-- TimeseriesTopN: ORDER BY time [DESC] LIMIT n reads only the chunks and
-- vectors that can hold the first rows; results compared with a heap table.
SET timezone = 'UTC';
SET timeseries.chunk_rows = 2000;
CREATE TABLE tn (time timestamptz, host text, v int, f float8, d date, i8 bigint)
	USING timeseries;
-- 10 hosts every 10 seconds, in time order
INSERT INTO tn SELECT '2024-01-01'::timestamptz + (g / 10) * interval '10 seconds',
	'h' || g % 10, g, ((g * 7919) % 1000) / 1000.0,
	'2024-01-01'::date + g / 500, (g * 7919) % 10007
FROM generate_series(0, 19999) g;
-- late rows: a chunk overlapping the middle and one reaching past the end;
-- NULL times (first with DESC, last with ASC), NULLs elsewhere, duplicates
INSERT INTO tn SELECT '2024-01-01 12:00'::timestamptz + g * interval '7 seconds',
	'late' || g % 3, 100000 + g, NULL, NULL, NULL
FROM generate_series(0, 2999) g;
INSERT INTO tn VALUES (NULL, 'h1', 200001, 0.5, NULL, NULL), (NULL, 'h2', 200002, NULL, '2024-02-01', 5),
	('2024-01-01 00:00', 'dup', 200003, 1, '2024-01-01', -1), ('2024-01-01 00:00', 'dup', 200004, 1, '2024-01-01', -1);
RESET timeseries.chunk_rows;
CREATE TABLE tn_heap AS SELECT * FROM tn;
ANALYZE tn;
ANALYZE tn_heap;

EXPLAIN (COSTS OFF) SELECT * FROM tn ORDER BY time DESC LIMIT 5;
-- two chunks are read: the small one with NULL times, which come first
-- with DESC (the qual removes them), and the one ending at 04:00, of which
-- one vector is enough; the others are pruned by the qual (the late rows) or
-- because they cannot hold newer rows
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT time, v FROM tn WHERE time < '2024-01-01 04:00' ORDER BY time DESC LIMIT 5;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT time, v FROM tn ORDER BY time LIMIT 5;
SELECT time, v FROM tn ORDER BY time DESC NULLS LAST, v LIMIT 5;
SELECT time, host FROM tn ORDER BY time DESC, v LIMIT 4;
SELECT time, host FROM tn ORDER BY time, v LIMIT 4;

-- the same rows in the same order as the heap table; where the sort keys
-- leave ties, only the sort keys are selected
CREATE FUNCTION tn_diff(q text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE a text; b text;
BEGIN
	EXECUTE format('SELECT array_agg(x)::text FROM (%s) x', q) INTO a;
	EXECUTE format('SELECT array_agg(x)::text FROM (%s) x', replace(q, 'FROM tn ', 'FROM tn_heap ')) INTO b;
	RETURN a IS NOT DISTINCT FROM b;
END $$;
CREATE FUNCTION tn_uses_topn(q text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE p text;
BEGIN
	EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO p;
	RETURN p LIKE '%TimeseriesTopN%';
END $$;
-- (enable_sort = off: where the bound is above the rows, the plain plan
-- costs about the same)
SET enable_sort = off;
SELECT q, tn_diff(q) AS same, tn_uses_topn(q) AS topn FROM (VALUES
	('SELECT time FROM tn ORDER BY time DESC LIMIT 7'),
	('SELECT time FROM tn ORDER BY time DESC NULLS LAST LIMIT 7'),
	('SELECT time FROM tn ORDER BY time LIMIT 7'),
	('SELECT time FROM tn ORDER BY time NULLS FIRST LIMIT 7'),
	('SELECT time, v FROM tn ORDER BY time DESC, v LIMIT 25'),
	('SELECT time, host, v FROM tn ORDER BY time DESC, host DESC, v LIMIT 30 OFFSET 10'),
	('SELECT time, v, f FROM tn WHERE host = ''h3'' ORDER BY time DESC, v LIMIT 5'),
	('SELECT time, v FROM tn WHERE f > 0.99 ORDER BY time DESC NULLS LAST, v LIMIT 12'),
	('SELECT time, v FROM tn WHERE host LIKE ''late%'' ORDER BY time DESC NULLS LAST, v LIMIT 9'),
	('SELECT time, v FROM tn WHERE time < ''2024-01-01 12:30'' ORDER BY time DESC, v LIMIT 15'),
	('SELECT time, v FROM tn WHERE time >= ''2024-01-01 12:30'' ORDER BY time, v LIMIT 15'),
	('SELECT time FROM tn WHERE time > ''2030-01-01'' ORDER BY time DESC LIMIT 3'),
	('SELECT i8, v FROM tn ORDER BY i8 DESC NULLS LAST, v LIMIT 10'),
	('SELECT i8 FROM tn ORDER BY i8 LIMIT 10'),
	('SELECT d FROM tn ORDER BY d DESC LIMIT 10'),
	('SELECT d, v FROM tn WHERE d IS NOT NULL ORDER BY d DESC, v DESC LIMIT 10 OFFSET 495'),
	('SELECT v FROM tn ORDER BY time DESC, v LIMIT 0'),
	('SELECT time, v FROM tn ORDER BY time DESC, v LIMIT NULL'),
	('SELECT time, v FROM tn ORDER BY time DESC, v LIMIT ALL OFFSET 22990'),
	('SELECT time, v FROM tn ORDER BY time DESC, v LIMIT 5 OFFSET 23010'),
	('SELECT time, v FROM tn ORDER BY time, v LIMIT 100000'),
	('SELECT time, v, f FROM tn WHERE f < 0.001 OR host = ''dup'' ORDER BY time, v DESC LIMIT 6'),
	('SELECT time + interval ''1 hour'' AS t1, v * 2 FROM tn ORDER BY time DESC, v LIMIT 3'),
	('SELECT x0 FROM tn x0 ORDER BY time DESC NULLS LAST, v LIMIT 2')
) t(q);
RESET enable_sort;

-- parameters under a generic plan: the bound and the qual's value
SET plan_cache_mode = force_generic_plan;
PREPARE newest(int, text) AS
	SELECT time, v FROM tn WHERE host = $2 ORDER BY time DESC NULLS LAST, v LIMIT $1;
EXPLAIN (COSTS OFF) EXECUTE newest(3, 'h1');
EXECUTE newest(3, 'h1');
EXECUTE newest(2, 'late2');
EXECUTE newest(0, 'h1');
EXECUTE newest(NULL, 'dup');
PREPARE newest_heap(int, text) AS
	SELECT time, v FROM tn_heap WHERE host = $2 ORDER BY time DESC NULLS LAST, v LIMIT $1;
SELECT n, h, (SELECT array_agg(x)::text FROM (SELECT time, v FROM tn WHERE host = h
												ORDER BY time DESC NULLS LAST, v LIMIT n) x) =
			(SELECT array_agg(x)::text FROM (SELECT time, v FROM tn_heap WHERE host = h
												ORDER BY time DESC NULLS LAST, v LIMIT n) x) AS same
FROM (VALUES (1, 'h0'), (50, 'h9'), (2000, 'late1')) p(n, h);
RESET plan_cache_mode;
DEALLOCATE newest;
DEALLOCATE newest_heap;

-- the newest row per host through LATERAL: the node runs once per host
EXPLAIN (COSTS OFF)
SELECT h.host, l.* FROM (VALUES ('h0'), ('h7'), ('late1'), ('nobody')) h(host),
	LATERAL (SELECT time, v FROM tn WHERE tn.host = h.host ORDER BY time DESC LIMIT 1) l;
SELECT h.host, l.* FROM (VALUES ('h0'), ('h7'), ('late1'), ('nobody')) h(host),
	LATERAL (SELECT time, v FROM tn WHERE tn.host = h.host ORDER BY time DESC LIMIT 1) l;
SELECT h.host, l.* FROM (VALUES ('h0'), ('h7'), ('late1'), ('nobody')) h(host),
	LATERAL (SELECT time, v FROM tn_heap WHERE tn_heap.host = h.host ORDER BY time DESC LIMIT 1) l;
-- an outer reference in the limit, and a correlated subquery
SELECT n, (SELECT array_agg(v) FROM (SELECT v FROM tn WHERE host = 'h5' ORDER BY time DESC LIMIT n) s)
FROM (VALUES (1), (3), (0)) x(n);
SELECT host, (SELECT max(time) FROM tn t2 WHERE t2.host = h.host) =
	(SELECT time FROM tn t3 WHERE t3.host = h.host AND time IS NOT NULL ORDER BY time DESC LIMIT 1) AS same
FROM (SELECT DISTINCT host FROM tn_heap) h ORDER BY host;

-- the transaction's own rows, written or not, and a cursor's snapshot
BEGIN;
INSERT INTO tn VALUES ('2025-01-01', 'new', 300000, 0, NULL, NULL), ('2023-01-01', 'old', 300001, 0, NULL, NULL);
SELECT time, v FROM tn ORDER BY time DESC NULLS LAST LIMIT 2;
SELECT time, v FROM tn ORDER BY time LIMIT 2;
SET LOCAL timeseries.chunk_rows = 1000;
INSERT INTO tn SELECT '2026-01-01'::timestamptz + g * interval '1 second', 'new', 300002 + g, 0, NULL, NULL
FROM generate_series(1, 2500) g;
DECLARE c CURSOR FOR SELECT time, v FROM tn ORDER BY time DESC NULLS LAST LIMIT 3;
INSERT INTO tn VALUES ('2027-01-01', 'newer', 400000, 0, NULL, NULL);
FETCH ALL c;
SELECT time, v FROM tn ORDER BY time DESC NULLS LAST LIMIT 2;
ROLLBACK;

-- the plain plans where the bound would not hold or the key does not fit
EXPLAIN (COSTS OFF) SELECT time FROM tn ORDER BY time DESC;
EXPLAIN (COSTS OFF) SELECT time FROM tn ORDER BY time DESC FETCH FIRST 3 ROWS WITH TIES;
EXPLAIN (COSTS OFF) SELECT host, max(time) FROM tn GROUP BY host ORDER BY 2 DESC LIMIT 3;
EXPLAIN (COSTS OFF) SELECT tn.time FROM tn JOIN tn_heap USING (v) ORDER BY tn.time DESC LIMIT 3;
EXPLAIN (COSTS OFF) SELECT ctid, time FROM tn ORDER BY time DESC LIMIT 3;
EXPLAIN (COSTS OFF) SELECT time FROM tn ORDER BY f DESC LIMIT 3;
EXPLAIN (COSTS OFF) SELECT time FROM tn ORDER BY time + interval '1 hour' DESC LIMIT 3;
EXPLAIN (COSTS OFF) SELECT time FROM tn ORDER BY time DESC LIMIT 3 FOR SHARE;
EXPLAIN (COSTS OFF) SELECT time, generate_series(1, 2) FROM tn ORDER BY time DESC LIMIT 3;
SELECT time FROM tn ORDER BY time DESC NULLS LAST FETCH FIRST 1 ROWS WITH TIES;
SET timeseries.enable_custom_scan = off;
EXPLAIN (COSTS OFF) SELECT * FROM tn ORDER BY time DESC LIMIT 5;
RESET timeseries.enable_custom_scan;

-- debug_require_vectorized still refuses a qual left to the executor
SET timeseries.debug_require_vectorized = on;
SELECT time FROM tn WHERE host LIKE 'h%' ORDER BY time DESC LIMIT 1;
RESET timeseries.debug_require_vectorized;

-- an empty table, and one whose times are all NULL
CREATE TABLE tn_empty (time timestamptz, v int) USING timeseries;
SELECT * FROM tn_empty ORDER BY time DESC LIMIT 3;
INSERT INTO tn_empty SELECT NULL, g FROM generate_series(1, 5) g;
SELECT * FROM tn_empty ORDER BY time DESC, v LIMIT 3;
SELECT * FROM tn_empty ORDER BY time, v DESC LIMIT 3;

-- the newest row per series through LATERAL on an id column, in chunks sorted
-- by another column: each vector holds a few series whose ids span a wide
-- range, so from the third walk of a chunk on, its vectors' exact ids prune
CREATE TABLE tt_cpu (time timestamptz, tags_id int, hostname text, v int) USING timeseries;
SELECT timeseries.set_options('tt_cpu', segment_by => '{hostname}');
INSERT INTO tt_cpu SELECT '2024-01-01'::timestamptz + s * interval '10 s', h, 'host_' || (h - 1), s * 1000 + h
  FROM generate_series(0, 99) s, generate_series(1, 200) h WHERE (s + h) % 7 <> 0;
INSERT INTO tt_cpu VALUES (NULL, 5, 'host_4', -1), ('2023-01-01', NULL, 'host_x', -2);
CREATE TABLE tt_heap AS SELECT * FROM tt_cpu;
CREATE TABLE tt_tags AS SELECT DISTINCT tags_id AS id, hostname FROM tt_cpu WHERE tags_id IS NOT NULL;
INSERT INTO tt_tags VALUES (1000, 'host_none');
SELECT count(*) AS differing FROM (
	(SELECT t.hostname, b.* FROM tt_tags t CROSS JOIN LATERAL
		(SELECT * FROM tt_cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) b
	 EXCEPT ALL
	 SELECT t.hostname, b.* FROM tt_tags t CROSS JOIN LATERAL
		(SELECT * FROM tt_heap c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) b)
	UNION ALL
	(SELECT t.hostname, b.* FROM tt_tags t CROSS JOIN LATERAL
		(SELECT * FROM tt_heap c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) b
	 EXCEPT ALL
	 SELECT t.hostname, b.* FROM tt_tags t CROSS JOIN LATERAL
		(SELECT * FROM tt_cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) b)) d;
SELECT count(*) FROM tt_tags t CROSS JOIN LATERAL
	(SELECT * FROM tt_cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) b;
SELECT tn_uses_topn($$SELECT * FROM tt_tags t CROSS JOIN LATERAL
	(SELECT * FROM tt_cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) b$$);
-- the vectors pruned by their exact ids (an EXPLAIN ANALYZE counter, summed)
CREATE FUNCTION tt_count(q text, label text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE l text; n int := 0;
BEGIN
	FOR l IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
		IF l ~ label THEN
			n := n + (regexp_match(l, label || ': (\d+)'))[1]::int;
		END IF;
	END LOOP;
	RETURN n;
END $$;
SELECT tt_count($$SELECT * FROM tt_tags t CROSS JOIN LATERAL
	(SELECT * FROM tt_cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) b$$,
	'Vectors Pruned') > 1000 AS pruned_by_ids;

-- from the third walk on, a vector the probe leads to is read whole once and
-- the best row of each of its series kept: later series take their row from
-- there ("Vectors Reused").  Compared with the heap table: newest and oldest
-- rows, rows deleted, a vector with more series than are kept, the
-- transaction's unwritten rows, LIMIT 2 (not kept), and a work_mem too
-- small to keep them all
CREATE FUNCTION tt_same(q text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE a text; b text;
BEGIN
	EXECUTE format('SELECT array_agg(x ORDER BY x::text)::text FROM (%s) x', q) INTO a;
	EXECUTE format('SELECT array_agg(x ORDER BY x::text)::text FROM (%s) x',
				   replace(q, 'tt_cpu', 'tt_heap')) INTO b;
	RETURN a IS NOT DISTINCT FROM b;
END $$;
-- a vector with 90 series of one row each
INSERT INTO tt_cpu SELECT '2024-01-01 00:16:30', 300 + g, 'host_z' || g, -g FROM generate_series(1, 90) g;
INSERT INTO tt_heap SELECT '2024-01-01 00:16:30', 300 + g, 'host_z' || g, -g FROM generate_series(1, 90) g;
INSERT INTO tt_tags SELECT 300 + g, 'host_z' || g FROM generate_series(1, 90) g;
SELECT tt_count($$SELECT * FROM tt_tags t CROSS JOIN LATERAL
	(SELECT * FROM tt_cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) b$$,
	'Vectors Reused') > 100 AS reused;
SELECT q, tt_same(q) AS same FROM (VALUES
	('SELECT t.id, b.* FROM tt_tags t CROSS JOIN LATERAL (SELECT * FROM tt_cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) b'),
	('SELECT t.id, b.* FROM tt_tags t CROSS JOIN LATERAL (SELECT * FROM tt_cpu c WHERE c.tags_id = t.id ORDER BY time LIMIT 1) b'),
	('SELECT t.id, b.* FROM tt_tags t CROSS JOIN LATERAL (SELECT * FROM tt_cpu c WHERE c.tags_id = t.id ORDER BY time DESC NULLS LAST LIMIT 1) b'),
	('SELECT t.id, b.* FROM tt_tags t CROSS JOIN LATERAL (SELECT v, time FROM tt_cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 2) b'),
	('SELECT t.id, b.* FROM tt_tags t CROSS JOIN LATERAL (SELECT v FROM tt_cpu c WHERE c.tags_id = t.id AND v % 3 = 0 ORDER BY time DESC LIMIT 1) b'),
	('SELECT t.id, (SELECT v FROM tt_cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) FROM tt_tags t')
) x(q);
-- the newest rows of some series deleted, others updated
DELETE FROM tt_cpu WHERE tags_id % 5 = 0 AND time > '2024-01-01 00:15:00';
DELETE FROM tt_heap WHERE tags_id % 5 = 0 AND time > '2024-01-01 00:15:00';
UPDATE tt_cpu SET v = -v WHERE tags_id % 7 = 1 AND time > '2024-01-01 00:16:00';
UPDATE tt_heap SET v = -v WHERE tags_id % 7 = 1 AND time > '2024-01-01 00:16:00';
SELECT tt_same('SELECT t.id, b.* FROM tt_tags t CROSS JOIN LATERAL (SELECT * FROM tt_cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) b') AS same_after_dml;
-- wide rows: at the smallest work_mem fewer vectors are kept, same rows
ALTER TABLE tt_cpu ADD COLUMN pad text DEFAULT repeat('x', 2000);
ALTER TABLE tt_heap ADD COLUMN pad text DEFAULT repeat('x', 2000);
SELECT tt_count('SELECT t.id, b.* FROM tt_tags t CROSS JOIN LATERAL (SELECT * FROM tt_cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) b', 'Vectors Reused') AS reused_default \gset
SET work_mem = 64;
SELECT tt_count('SELECT t.id, b.* FROM tt_tags t CROSS JOIN LATERAL (SELECT * FROM tt_cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) b', 'Vectors Reused') < :reused_default AS fewer_kept,
	tt_same('SELECT t.id, b.* FROM tt_tags t CROSS JOIN LATERAL (SELECT * FROM tt_cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) b') AS same_small_work_mem;
RESET work_mem;
BEGIN;
INSERT INTO tt_cpu VALUES ('2024-01-02', 3, 'host_2', 7777), ('2023-06-01', 4, 'host_3', 8888);
INSERT INTO tt_heap VALUES ('2024-01-02', 3, 'host_2', 7777), ('2023-06-01', 4, 'host_3', 8888);
SELECT tt_same('SELECT t.id, b.* FROM tt_tags t CROSS JOIN LATERAL (SELECT * FROM tt_cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) b') AS same_own_rows;
SELECT b.* FROM tt_tags t CROSS JOIN LATERAL
	(SELECT * FROM tt_cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) b WHERE t.id IN (3, 4, 5, 10);
ROLLBACK;
DROP FUNCTION tt_same(text);
DROP FUNCTION tt_count(text, text);
DROP TABLE tt_cpu, tt_heap, tt_tags;

DROP FUNCTION tn_diff(text);
DROP FUNCTION tn_uses_topn(text);
DROP TABLE tn, tn_heap, tn_empty;
