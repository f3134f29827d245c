-- TimeseriesLastPoint: SELECT DISTINCT ON (series) ... ORDER BY series,
-- time DESC in one pass; results compared with a heap table.
SET timezone = 'UTC';
SET timeseries.chunk_rows = 3000;
CREATE TABLE lp (time timestamptz, host text, region int, v float8) USING timeseries;
-- 20 hosts every 10 seconds; host_19 stops early; a host that only has
-- NULL times; NULL hosts; one row with a NULL time for host_3
INSERT INTO lp SELECT '2024-01-01'::timestamptz + (g / 20) * interval '10 seconds',
	'host_' || g % 20, g % 3, g
FROM generate_series(0, 39999) g WHERE g % 20 <> 19 OR g < 5000;
INSERT INTO lp VALUES (NULL, 'host_null_time', 1, 1), (NULL, 'host_null_time', 1, 2),
	('2024-01-02 00:00', NULL, 2, 3), ('2024-01-01 00:00', NULL, 2, 4), (NULL, 'host_3', 0, 5);
RESET timeseries.chunk_rows;
CREATE TABLE lp_heap AS SELECT * FROM lp;
ANALYZE lp;

EXPLAIN (COSTS OFF) SELECT DISTINCT ON (host) * FROM lp ORDER BY host, time DESC;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT DISTINCT ON (host) * FROM lp ORDER BY host, time DESC NULLS LAST;
-- NULLs sort first with DESC: host_3's NULL-time row and host_null_time
-- (whose two rows tie: only columns equal in both are shown)
SELECT DISTINCT ON (host) host, time, region FROM lp ORDER BY host, time DESC;
SELECT DISTINCT ON (host) host, time, region FROM lp ORDER BY host, time DESC NULLS LAST;

CREATE FUNCTION lp_diff(q text, t text DEFAULT 'lp') RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
	h text := replace(q, 'FROM ' || t || ' ', 'FROM ' || t || '_heap ');
BEGIN
	EXECUTE format('SELECT count(*) FROM (((%s) EXCEPT ALL (%s)) UNION ALL ((%s) EXCEPT ALL (%s))) x',
				   q, h, h, q) INTO n;
	RETURN n;
END $$;
SELECT q, lp_diff(q) AS differences FROM (VALUES
	('SELECT DISTINCT ON (host) host, time, region FROM lp ORDER BY host, time DESC'),
	('SELECT DISTINCT ON (host) host, time, region FROM lp ORDER BY host DESC, time DESC NULLS LAST'),
	('SELECT DISTINCT ON (host) host, time, v FROM lp WHERE time < ''2024-01-01 01:00'' ORDER BY host, time DESC'),
	('SELECT DISTINCT ON (host) host, time FROM lp WHERE region = 1 AND host IN (''host_1'', ''host_4'', ''host_19'') ORDER BY host, time DESC'),
	('SELECT DISTINCT ON (region) region, time FROM lp ORDER BY region, time DESC NULLS LAST'),
	('SELECT DISTINCT ON (host) host, time, v * 2 AS v2 FROM lp WHERE time > ''2030-01-01'' ORDER BY host, time DESC'),
	('SELECT DISTINCT ON (host) host, time FROM lp ORDER BY host, time DESC LIMIT 3')
) t(q);

-- series stored together (segment_by): the scan reads the newest chunks
-- first and passes over the older vectors whose series (by the vector's
-- dictionary, or by a short range of integer keys) all keep a newer time.
-- host_5 stops after 6 hours, host_6 after 12; host_old only has an old
-- row, written last; NULL hosts, NULL tags and NULL times here and there.
SET timeseries.chunk_rows = 2000;
CREATE TABLE lps (time timestamptz, host text, tag int, v float8) USING timeseries;
SELECT timeseries.set_options('lps', segment_by => '{host}');
INSERT INTO lps SELECT '2024-01-01'::timestamptz + (g / 30) * interval '1 minute',
	CASE WHEN g % 97 = 0 THEN NULL ELSE 'host_' || g % 30 END,
	CASE WHEN g % 89 = 0 THEN NULL ELSE g % 30 END, g
FROM generate_series(0, 30 * 1440 - 1) g
WHERE NOT (g % 30 = 5 AND g / 30 > 360) AND NOT (g % 30 = 6 AND g / 30 > 720);
INSERT INTO lps VALUES ('2024-01-01 00:30', 'host_old', 99, 1), (NULL, 'host_8', 8, 2),
	('2023-12-31', NULL, NULL, 3);
RESET timeseries.chunk_rows;
CREATE TABLE lps_heap AS SELECT * FROM lps;
ANALYZE lps;
-- the vectors the scan passed over, and the node's rows
CREATE FUNCTION lps_skipped(q text) RETURNS TABLE (skipped bigint, series bigint)
LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
	EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON) ' || q INTO plan;
	RETURN QUERY SELECT (plan->0->'Plan'->>'Vectors Skipped')::bigint,
		(plan->0->'Plan'->>'Series')::bigint;
END $$;
SELECT q, lp_diff(q, 'lps') AS differences, (lps_skipped(q)).* FROM (VALUES
	('SELECT DISTINCT ON (host) host, time, tag, v FROM lps ORDER BY host, time DESC'),
	('SELECT DISTINCT ON (host) host, time, tag, v FROM lps ORDER BY host, time DESC NULLS LAST'),
	('SELECT DISTINCT ON (tag) tag, time, host FROM lps ORDER BY tag, time DESC NULLS LAST'),
	('SELECT DISTINCT ON (tag) tag, time FROM lps ORDER BY tag DESC, time DESC'),
	('SELECT DISTINCT ON (host) host, time, v FROM lps WHERE time < ''2024-01-01 03:00'' ORDER BY host, time DESC NULLS LAST'),
	('SELECT DISTINCT ON (host) host, time, v FROM lps WHERE v > 1000 ORDER BY host, time DESC NULLS LAST')
) t(q);
DROP FUNCTION lps_skipped(text);
DROP TABLE lps, lps_heap;

-- rows in no time order within their chunks, some of the newest deleted or
-- updated: a series' row is replaced whenever a newer one comes
SET timeseries.chunk_rows = 1500;
CREATE TABLE lpr (time timestamptz, host int, v float8, s text) USING timeseries;
INSERT INTO lpr SELECT '2024-01-01'::timestamptz + ((g * 7919) % 6000) * interval '1 second',
	(g * 31) % 13, g, 'v' || g
FROM generate_series(0, 5999) g ORDER BY (g * 104729) % 6007;
RESET timeseries.chunk_rows;
DELETE FROM lpr WHERE time > '2024-01-01 01:39:00' AND host % 3 = 0;
UPDATE lpr SET v = -v, s = 'updated' WHERE time > '2024-01-01 01:38:00' AND host % 3 = 1;
CREATE TABLE lpr_heap AS SELECT * FROM lpr;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT DISTINCT ON (host) * FROM lpr ORDER BY host, time DESC;
SELECT DISTINCT ON (host) * FROM lpr ORDER BY host, time DESC;
SELECT q, lp_diff(q, 'lpr') AS differences FROM (VALUES
	('SELECT DISTINCT ON (host) * FROM lpr ORDER BY host, time DESC'),
	('SELECT DISTINCT ON (host) host, s FROM lpr WHERE v > 100 ORDER BY host, time DESC'),
	('SELECT DISTINCT ON (s) s, time FROM lpr ORDER BY s, time DESC')
) t(q);
DROP TABLE lpr, lpr_heap;

-- not for these: ascending time, a non-vectorizable qual, a second key, ctid
-- (system columns do not survive the copies of the rows)
EXPLAIN (COSTS OFF) SELECT DISTINCT ON (host) * FROM lp ORDER BY host, time;
EXPLAIN (COSTS OFF) SELECT DISTINCT ON (host) * FROM lp WHERE host LIKE 'host_1%' ORDER BY host, time DESC;
EXPLAIN (COSTS OFF) SELECT DISTINCT ON (host, region) * FROM lp ORDER BY host, region, time DESC;
EXPLAIN (COSTS OFF) SELECT DISTINCT ON (host) ctid, host FROM lp ORDER BY host, time DESC;

-- the transaction's own (buffered) rows are seen
BEGIN;
INSERT INTO lp VALUES ('2025-01-01', 'host_1', 0, 100), ('2025-01-01', 'host_new', 0, 101);
SELECT DISTINCT ON (host) host, time, region FROM lp WHERE time >= '2024-01-01 05:00' OR time IS NULL
ORDER BY host, time DESC NULLS LAST;
ROLLBACK;
-- a LATERAL reference keeps the plain plan
SELECT r.region, s.* FROM (VALUES (0), (2)) r(region),
	LATERAL (SELECT DISTINCT ON (host) host, time FROM lp WHERE lp.region = r.region
			 AND host IS NULL ORDER BY host, time DESC) s;
-- rescans: a correlated subquery runs the node once per outer row (its
-- condition on time stays above DISTINCT ON)
EXPLAIN (COSTS OFF) SELECT x, (SELECT count(*) FROM (SELECT DISTINCT ON (host) host, time FROM lp
												 ORDER BY host, time DESC NULLS LAST) s
							  WHERE s.time > '2024-01-01'::timestamptz + v.x * interval '1 hour') AS n
FROM (VALUES (0), (1), (100)) v(x);
SELECT x, (SELECT count(*) FROM (SELECT DISTINCT ON (host) host, time FROM lp
								 ORDER BY host, time DESC NULLS LAST) s
		   WHERE s.time > '2024-01-01'::timestamptz + v.x * interval '1 hour') AS n
FROM (VALUES (0), (1), (100)) v(x);

-- an empty table
CREATE TABLE lp_empty (time timestamptz, host text) USING timeseries;
SELECT DISTINCT ON (host) * FROM lp_empty ORDER BY host, time DESC;

DROP FUNCTION lp_diff(text, text);
DROP TABLE lp, lp_heap, lp_empty;
