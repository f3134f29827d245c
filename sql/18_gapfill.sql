-- time_bucket_gapfill(), locf() and interpolate(): every bucket of a range,
-- per group, over timeseries and heap tables alike.
SET search_path = public, timeseries;
SET timezone = 'UTC';

CREATE TABLE gm (time timestamptz, device int, value float8, ival int) USING timeseries;
INSERT INTO gm VALUES
	('2024-01-01 00:10+00', 1, 1.0, 10), ('2024-01-01 02:10+00', 1, 3.0, 30),
	('2024-01-01 05:00+00', 1, NULL, NULL), ('2024-01-01 01:00+00', 2, 5.0, 50),
	('2024-01-01 03:30+00', 2, 9.0, 90), ('2023-12-31 10:00+00', 2, 7.0, 70);
CREATE TABLE gm_heap AS SELECT * FROM gm;

-- start and finish from the WHERE clause; aggregates are NULL in added rows,
-- expressions over them are evaluated (coalesce), locf carries forward,
-- interpolate draws lines (and rounds for integers)
SELECT time_bucket_gapfill('1 hour', time) AS b, device, avg(value),
	   locf(avg(value)), interpolate(avg(value)) AS ip, interpolate(max(ival)) AS ip_int,
	   coalesce(count(*), 0) AS c
FROM gm WHERE time >= '2024-01-01 00:00+00' AND time < '2024-01-01 06:00+00'
GROUP BY 1, 2 ORDER BY 2, 1;
-- the same rows from a heap table
SELECT count(*) AS differences FROM (
	(SELECT time_bucket_gapfill('1 hour', time), device, avg(value), locf(avg(value)),
			interpolate(avg(value)), interpolate(max(ival)), count(*)
	 FROM gm WHERE time >= '2024-01-01 00:00+00' AND time < '2024-01-01 06:00+00' GROUP BY 1, 2
	 EXCEPT ALL
	 SELECT time_bucket_gapfill('1 hour', time), device, avg(value), locf(avg(value)),
			interpolate(avg(value)), interpolate(max(ival)), count(*)
	 FROM gm_heap WHERE time >= '2024-01-01 00:00+00' AND time < '2024-01-01 06:00+00' GROUP BY 1, 2)
	UNION ALL
	(SELECT time_bucket_gapfill('1 hour', time), device, avg(value), locf(avg(value)),
			interpolate(avg(value)), interpolate(max(ival)), count(*)
	 FROM gm_heap WHERE time >= '2024-01-01 00:00+00' AND time < '2024-01-01 06:00+00' GROUP BY 1, 2
	 EXCEPT ALL
	 SELECT time_bucket_gapfill('1 hour', time), device, avg(value), locf(avg(value)),
			interpolate(avg(value)), interpolate(max(ival)), count(*)
	 FROM gm WHERE time >= '2024-01-01 00:00+00' AND time < '2024-01-01 06:00+00' GROUP BY 1, 2)) d;
-- the aggregation below the gapfill node is vectorized
EXPLAIN (COSTS OFF)
SELECT time_bucket_gapfill('1 hour', time) AS b, device, locf(avg(value))
FROM gm WHERE time >= '2024-01-01 00:00+00' AND time < '2024-01-01 06:00+00'
GROUP BY 1, 2 ORDER BY 1, 2;

-- in a parallel plan: the gapfill node projects the bare aggregates out of
-- TimeseriesCombine
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT time_bucket_gapfill('1 hour', time) AS b, device, locf(max(ival)), interpolate(avg(value))
FROM gm WHERE time >= '2024-01-01 00:00+00' AND time < '2024-01-01 06:00+00'
GROUP BY 1, 2;
SELECT time_bucket_gapfill('1 hour', time) AS b, device, locf(max(ival)), interpolate(avg(value)),
	   count(*)
FROM gm WHERE time >= '2024-01-01 00:00+00' AND time < '2024-01-01 06:00+00'
GROUP BY 1, 2 ORDER BY 2, 1;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- explicit start and finish (cast: an untyped third argument would be the
-- time zone); rows outside the range pass through; > and <= move the bounds
SELECT time_bucket_gapfill('1 hour', time, '2024-01-01 01:00'::timestamptz, '2024-01-01 03:00') AS b,
	   device, count(*)
FROM gm GROUP BY 1, 2 ORDER BY 2, 1;
SELECT time_bucket_gapfill(2, ival) AS b, count(*) FROM gm WHERE ival > 40 AND ival <= 52 GROUP BY 1 ORDER BY 1;

-- no rows and no other keys: every bucket, with constants and derived columns
SELECT time_bucket_gapfill('1 hour', time) AS b, time_bucket_gapfill('1 hour', time) + interval '30 minutes' AS mid,
	   'x' AS label, avg(value), locf(avg(value))
FROM gm WHERE time >= '2024-02-01' AND time < '2024-02-01 03:00' GROUP BY 1;
-- no rows with other keys: nothing
SELECT time_bucket_gapfill('1 hour', time) AS b, device, count(*)
FROM gm WHERE time >= '2024-02-01' AND time < '2024-02-01 03:00' GROUP BY 1, 2;

-- locf options and lookups for the edges
SELECT time_bucket_gapfill('1 hour', time) AS b, device,
	   locf(avg(value), treat_null_as_missing => true) AS skip_nulls,
	   locf(avg(value), (SELECT 42.0::float8)) AS with_prev,
	   interpolate(avg(value),
				   (SELECT ('2023-12-31 22:00+00'::timestamptz, 0.0::float8)),
				   (SELECT ('2024-01-01 10:00+00'::timestamptz, 100.0::float8))) AS ip
FROM gm WHERE time >= '2024-01-01 00:00+00' AND time < '2024-01-01 07:00+00'
GROUP BY 1, 2 ORDER BY 2, 1;
-- a correlated lookup: the last value before the range, per device
SELECT time_bucket_gapfill('1 hour', time) AS b, device,
	   locf(max(value), (SELECT g2.value FROM gm g2 WHERE g2.device = gm.device
						 AND g2.time < '2024-01-01' ORDER BY g2.time DESC LIMIT 1)) AS v
FROM gm WHERE time >= '2024-01-01 00:00+00' AND time < '2024-01-01 03:00+00'
GROUP BY 1, 2 ORDER BY 2, 1;

-- integer, smallint, date, timestamp, months and time zones
CREATE TABLE gi (t int, g text, v int) USING timeseries;
INSERT INTO gi VALUES (1, 'a', 1), (7, 'a', 7), (3, 'b', -3), (12, 'b', 3), (NULL, 'b', 100), (5, NULL, 5);
SELECT time_bucket_gapfill(2, t, 0, 14) AS b, g, sum(v), interpolate(sum(v)), locf(sum(v))
FROM gi GROUP BY 1, 2 ORDER BY 2, 1;
SELECT time_bucket_gapfill(30000::int2, t::int2, 0::int2, 32767::int2) AS b, count(*) FROM gi GROUP BY 1 ORDER BY 1;
SELECT time_bucket_gapfill('2 days', time::date, '2023-12-30'::date, '2024-01-05'::date) AS b, count(*)
FROM gm GROUP BY 1 ORDER BY 1;
SELECT time_bucket_gapfill('1 day', time::timestamp, '2023-12-30'::timestamp, '2024-01-03'::timestamp) AS b,
	   count(*)
FROM gm GROUP BY 1 ORDER BY 1;
SELECT time_bucket_gapfill('1 month', d, '2023-11-15'::date, '2024-04-01'::date) AS b, count(*)
FROM (VALUES ('2024-01-20'::date), ('2024-03-01')) v(d) GROUP BY 1 ORDER BY 1;
-- local midnights across the daylight-saving change of 2024-03-10
SELECT time_bucket_gapfill('1 day', time, 'America/New_York', '2024-03-08', '2024-03-12') AS b, count(*)
FROM gm GROUP BY 1 ORDER BY 1;
-- the last buckets of the timestamp and date ranges
SELECT time_bucket_gapfill('100 years', time, '294000-01-01'::timestamptz, '294276-12-31'::timestamptz) AS b,
	   count(*)
FROM gm GROUP BY 1 ORDER BY 1;
SELECT time_bucket_gapfill('1 day', time, '294276-12-28'::timestamptz, '294276-12-31 23:59:59'::timestamptz) AS b,
	   count(*)
FROM gm GROUP BY 1 ORDER BY 1;
SELECT time_bucket_gapfill('1 year', time::date, '294274-01-01'::date, '294276-06-01'::date) AS b, count(*)
FROM gm GROUP BY 1 ORDER BY 1;
SELECT time_bucket_gapfill(10, ival, 2147483600, 2147483647) AS b, count(*) FROM gm GROUP BY 1 ORDER BY 1;

-- parameters of a generic plan, new values on every execution
SET plan_cache_mode = force_generic_plan;
PREPARE gq(timestamptz, timestamptz, interval) AS
SELECT time_bucket_gapfill($3, time) AS b, device, locf(max(value))
FROM gm WHERE time >= $1 AND time <= $2 GROUP BY 1, 2 ORDER BY 2, 1;
EXECUTE gq('2024-01-01 00:00', '2024-01-01 03:00', '90 minutes');
EXECUTE gq('2024-01-01 02:00', '2024-01-01 05:00', '1 hour');
PREPARE gq2(timestamptz, timestamptz) AS
SELECT time_bucket_gapfill('1 hour', time, $1, $2) AS b, device, locf(last(value, time))
FROM gm WHERE time >= $1 AND time < $2 GROUP BY 1, 2 ORDER BY 1, 2;
EXPLAIN (COSTS OFF) EXECUTE gq2('2024-01-01', '2024-01-01 03:00');
EXECUTE gq2('2024-01-01', '2024-01-01 03:00');
RESET plan_cache_mode;

-- rescans (LATERAL), window functions over filled rows, HAVING, ORDER BY
-- DESC and LIMIT, a scrollable cursor
SELECT d.device, s.*
FROM (VALUES (1), (2)) d(device),
	 LATERAL (SELECT time_bucket_gapfill('2 hours', time) AS b, locf(max(value))
			  FROM gm WHERE gm.device = d.device AND time >= '2024-01-01' AND time < '2024-01-01 06:00'
			  GROUP BY 1) s
ORDER BY 1, 2;
SELECT b, c, sum(c) OVER (ORDER BY b) AS running
FROM (SELECT time_bucket_gapfill('1 hour', time) AS b, count(*) AS c
	  FROM gm WHERE time >= '2024-01-01' AND time < '2024-01-01 04:00' GROUP BY 1) s
ORDER BY b DESC;
SELECT time_bucket_gapfill('1 hour', time) AS b, device, max(value)
FROM gm WHERE time >= '2024-01-01' AND time < '2024-01-01 04:00'
GROUP BY 1, 2 HAVING max(value) > 2 ORDER BY 1 DESC, 2 LIMIT 5;
BEGIN;
DECLARE gc SCROLL CURSOR FOR
	SELECT time_bucket_gapfill('1 hour', time) AS b, count(*)
	FROM gm WHERE time >= '2024-01-01' AND time < '2024-01-01 04:00' GROUP BY 1;
FETCH 2 FROM gc;
FETCH BACKWARD 1 FROM gc;
FETCH ALL FROM gc;
COMMIT;

-- outside a gapfill query the functions are plain
SELECT locf(1), interpolate(2.5::float8),
	   time_bucket_gapfill('1 hour', '2024-01-01 10:30+00'::timestamptz) AS bucket,
	   time_bucket_gapfill('1 hour', NULL::timestamptz) AS null_bucket;

-- errors
SELECT time_bucket_gapfill('1 hour', time) FROM gm GROUP BY 1;
SELECT time_bucket_gapfill('1 hour', time) FROM gm WHERE time > now() GROUP BY 1;
SELECT time_bucket_gapfill('1 hour', time) FROM gm WHERE time > now() AND time < now() + random() * interval '1 day' GROUP BY 1;
SELECT time_bucket_gapfill('1 hour', time + interval '1 hour') FROM gm WHERE time > now() GROUP BY 1;
SELECT time_bucket_gapfill('1 hour', time, '2024-01-01', '2024-01-02') FROM gm GROUP BY 1;
SELECT time_bucket_gapfill('1 hour', time, '2024-01-01'::timestamptz, '2024-01-02'),
	   time_bucket_gapfill('2 hours', time, '2024-01-01'::timestamptz, '2024-01-02')
FROM gm GROUP BY 1, 2;
SELECT time_bucket_gapfill('1 hour', time, device::text, '2024-01-01', '2024-01-02') FROM gm GROUP BY 1;
SELECT time_bucket_gapfill('1 hour', time, '2024-01-01'::timestamptz, '2024-01-02'), locf(locf(avg(value)))
FROM gm GROUP BY 1;
SELECT time_bucket_gapfill('1 hour', time, '2024-01-01'::timestamptz, '2024-01-02'), locf(avg(value)),
	   row_number() OVER ()
FROM gm GROUP BY 1;
SELECT time_bucket_gapfill('1 hour', time, '2024-01-01'::timestamptz, 'infinity') FROM gm GROUP BY 1;
SELECT time_bucket_gapfill('1 hour', time, NULL::timestamptz, '2024-01-02')
FROM gm WHERE time >= NULL::timestamptz GROUP BY 1;
SELECT time_bucket_gapfill(NULL::interval, time, '2024-01-01'::timestamptz, '2024-01-02') FROM gm GROUP BY 1;
SELECT time_bucket_gapfill('-1 hour', time, '2024-01-01'::timestamptz, '2024-01-02') FROM gm GROUP BY 1;
SELECT time_bucket_gapfill('1 month 1 day', time, '2024-01-01'::timestamptz, '2024-01-02') FROM gm GROUP BY 1;
SELECT time_bucket_gapfill('1 hour', time, '2024-01-01'::timestamptz, '2024-01-02'),
	   locf(avg(value), treat_null_as_missing => (random() > 0.5))
FROM gm GROUP BY 1;
SELECT time_bucket_gapfill('1 hour', time, '2024-01-01'::timestamptz, '2024-01-02') FROM gm
GROUP BY GROUPING SETS ((1), ());
SELECT time_bucket_gapfill(10, ival, 0, 30), interpolate(avg(value)::text) FROM gm GROUP BY 1;
SELECT time_bucket_gapfill(10, ival, 0, 30), interpolate(max(ival), (SELECT (1, 2, 3))) FROM gm GROUP BY 1;
SELECT time_bucket_gapfill(10, ival, 0, 30), interpolate(max(ival), (SELECT (1::bigint, 2))) FROM gm GROUP BY 1;
SELECT time_bucket_gapfill(10, ival, 0, 60), interpolate(max(ival), NULL, (SELECT (1, 2::bigint)))
FROM gm WHERE ival < 40 GROUP BY 1;

DROP TABLE gm, gm_heap, gi;

-- review findings
CREATE TABLE gm (time timestamptz, device int, value float8, ival int) USING timeseries;
INSERT INTO gm VALUES ('2024-01-01 18:10+00', 1, 1.0, 10), ('2024-01-02 01:10+00', 1, 3.0, 30);
-- ORDER BY the bucket DESC: the fill still walks buckets upwards
SELECT time_bucket_gapfill('1 hour', time) AS b, count(*) FROM gm
WHERE time >= '2024-01-01 18:00' AND time < '2024-01-01 22:00' GROUP BY 1 ORDER BY 1 DESC;
-- rescans with new parameters below a hash aggregate
SELECT w.s, q.* FROM (VALUES ('2024-01-01 18:00'::timestamptz), ('2024-01-02 00:00')) w(s),
	LATERAL (SELECT time_bucket_gapfill('1 hour', time) AS b, count(*) FROM gm
			 WHERE time >= w.s AND time < w.s + interval '2 hours' GROUP BY 1) q
ORDER BY 1, 2;
-- bounds under a semi join; aggregates in a lookup; "ts > the largest value"
SELECT time_bucket_gapfill('3 hours', time) AS b, count(*) FROM gm
WHERE time >= '2024-01-01 18:00' AND time < '2024-01-02 03:00' AND device IN (SELECT 1) GROUP BY 1 ORDER BY 1;
SELECT time_bucket_gapfill('3 hours', time) AS b, locf(max(value), min(value)) FROM gm
WHERE time >= '2024-01-01 15:00' AND time < '2024-01-02 03:00' GROUP BY 1 ORDER BY 1;
SELECT time_bucket_gapfill(1073741824, ival) AS b FROM gm WHERE ival > 2147483647 AND ival <= 2147483647 GROUP BY 1;
SELECT time_bucket_gapfill(1000000000000000000, x) AS b, interpolate(max(y))
FROM (VALUES (-9000000000000000000::int8, 1::int8), (9000000000000000000, 3)) v(x, y)
WHERE x >= -9000000000000000000::int8 AND x <= 9000000000000000000 GROUP BY 1 ORDER BY 1;
SELECT time_bucket_gapfill('1 hour', time) AS b, sum(locf(value)) FROM gm
WHERE time >= '2024-01-01 18:00' AND time < '2024-01-01 22:00' GROUP BY 1;
DROP TABLE gm;

-- a new session that has not loaded the library yet still plans the gapfill
\c
SELECT timeseries.time_bucket_gapfill(1, x, 0, 5) AS b, count(*) FROM (VALUES (1), (3)) v(x) GROUP BY 1 ORDER BY 1;

-- a constant time is not folded away; integer columns widened to the
-- bucket's type; wider integer bounds are clamped to the column's range
SET search_path = public, timeseries;
SELECT time_bucket_gapfill(1, x, 0, 5) AS b, count(*) FROM (VALUES (1)) v(x) GROUP BY 1 ORDER BY 1;
CREATE TABLE gw (t2 smallint, t4 int) USING timeseries;
INSERT INTO gw VALUES (32765, 1), (32767, 5), (-32768, 9);
SELECT time_bucket_gapfill(2::bigint, t4) AS b, count(*) FROM gw WHERE t4 >= 0 AND t4 < 8 GROUP BY 1 ORDER BY 1;
SELECT time_bucket_gapfill(1::int2, t2) AS b, count(*) FROM gw WHERE t2 >= 32765 AND t2 < 40000 GROUP BY 1 ORDER BY 1;
SELECT time_bucket_gapfill(4::int2, t2) AS b, count(*) FROM gw WHERE t2 > -40000 AND t2 < -32755 GROUP BY 1 ORDER BY 1;
SELECT count(*) FILTER (WHERE locf(t4) > 0) FROM gw GROUP BY time_bucket_gapfill(1, t4, 0, 2);
DROP TABLE gw;
