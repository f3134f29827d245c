-- TimeseriesAgg: aggregates computed inside the scan, finalized by
-- PostgreSQL; results must equal a heap table's, bit for bit.
SET search_path = public, timeseries;
SET timezone = 'UTC';
SET timeseries.chunk_rows = 1000;
SET timeseries.vector_rows = 128;
CREATE TABLE va (t timestamptz, host text, i2 int2, i4 int4, i8 int8,
				 f4 float4, f8 float8, d date, b bool, n numeric) USING timeseries;
INSERT INTO va
SELECT '2024-01-01'::timestamptz + i * interval '37 seconds',
	   CASE WHEN i % 17 = 0 THEN NULL ELSE 'h' || (i % 11) END,
	   (i % 300)::int2,
	   CASE WHEN i % 13 = 0 THEN NULL ELSE i * 7 - 20000 END,
	   i::int8 * 1000003,
	   CASE WHEN i % 19 = 0 THEN NULL ELSE (i % 1000) / 8.0 END,
	   CASE WHEN i % 23 = 0 THEN NULL WHEN i = 5000 THEN 'NaN' ELSE sin(i) * 1000 END,
	   '2024-01-01'::date + i / 500,
	   CASE WHEN i % 7 = 0 THEN NULL ELSE i % 3 = 0 END,
	   i / 7.0
  FROM generate_series(1, 12000) i;
RESET timeseries.chunk_rows;
RESET timeseries.vector_rows;
CREATE TABLE va_heap AS SELECT * FROM va;
ANALYZE va;
ANALYZE va_heap;
SET max_parallel_workers_per_gather = 0;

-- plans: the Finalize Agg sits on the custom scan
EXPLAIN (costs off) SELECT count(*), sum(i4), avg(f8), min(t), max(t) FROM va;
EXPLAIN (costs off)
SELECT time_bucket('1 hour', t) AS bucket, host, max(f8), count(*)
  FROM va WHERE t >= '2024-01-02' AND t < '2024-01-03' GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 5;
EXPLAIN (analyze, costs off, timing off, summary off)
SELECT host, count(*) FROM va WHERE i2 < 10 GROUP BY host HAVING count(*) > 60 ORDER BY host;

-- every supported aggregate, with and without groups, compared with heap
-- (as text, so that floats must match exactly)
CREATE FUNCTION va_check(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	a bigint;
	b bigint;
	total bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM ((SELECT x::text FROM (%s) x) EXCEPT ALL (SELECT x::text FROM (%s) x)) d',
				   replace(q, '%T', 'va_heap'), replace(q, '%T', 'va')) INTO a;
	EXECUTE format('SELECT count(*) FROM ((SELECT x::text FROM (%s) x) EXCEPT ALL (SELECT x::text FROM (%s) x)) d',
				   replace(q, '%T', 'va'), replace(q, '%T', 'va_heap')) INTO b;
	EXECUTE format('SELECT count(*) FROM (%s) x', replace(q, '%T', 'va')) INTO total;
	RETURN format('rows=%s only_heap=%s only_ts=%s', total, a, b);
END
$$;
SET timeseries.debug_require_vector_agg = on;
SELECT q, va_check(q) FROM (VALUES
	('SELECT count(*), count(i4), count(host), count(b) FROM %T'),
	('SELECT sum(i2), sum(i4), sum(f4), sum(f8) FROM %T'),
	('SELECT avg(i2), avg(i4), avg(f4), avg(f8) FROM %T'),
	('SELECT sum(i8), avg(i8), count(i8) FROM %T'),
	('SELECT host, sum(i8), avg(i8) FROM %T GROUP BY host'),
	('SELECT i2, sum(i8) FILTER (WHERE b), avg(i8) FILTER (WHERE i2 > 250) FROM %T GROUP BY i2'),
	('SELECT sum(n), avg(n), count(n) FROM %T'),
	('SELECT host, sum(n), avg(n) FROM %T GROUP BY host'),
	('SELECT (host, count(*), sum(i4))::text, d + 1 FROM %T GROUP BY host, d'),
	('SELECT min(n), max(n), min(host), max(host) FROM %T'),
	('SELECT var_pop(i2), var_samp(i4), stddev_pop(i8), stddev(n), variance(n) FROM %T'),
	('SELECT host, variance(i2), stddev(i4), var_pop(i8), var_samp(n) FROM %T GROUP BY host'),
	('SELECT d, stddev_samp(i8) FILTER (WHERE b), var_pop(n) FILTER (WHERE i2 > 250) FROM %T GROUP BY d'),
	('SELECT b, min(n), max(n), min(host), max(host) FROM %T WHERE i2 > 20 GROUP BY b'),
	('SELECT d, max(host), min(n) FILTER (WHERE i2 > 100) FROM %T GROUP BY d'),
	('SELECT host FROM %T GROUP BY host HAVING length(host) * 100 + count(*) > 1300'),
	('SELECT stddev(f8), variance(f4), stddev_pop(f4), var_samp(f8) FROM %T WHERE f8 <> ''NaN'''),
	('SELECT min(i2), max(i2), min(i4), max(i4), min(i8), max(i8) FROM %T'),
	('SELECT min(f4), max(f4), min(f8), max(f8), min(d), max(d), min(t), max(t) FROM %T'),
	('SELECT host, count(*), sum(i4), avg(f8), min(t), max(f4) FROM %T GROUP BY host'),
	('SELECT b, host, count(*), max(i8) FROM %T GROUP BY b, host'),
	('SELECT d, avg(f4), sum(i2) FROM %T GROUP BY d'),
	('SELECT i2, count(*) FROM %T GROUP BY i2 HAVING count(*) >= 40'),
	('SELECT time_bucket(''1 hour'', t), count(*), avg(f8) FROM %T GROUP BY 1'),
	('SELECT time_bucket(''1 day'', t, ''Europe/Berlin''), count(*) FROM %T GROUP BY 1'),
	('SELECT date_trunc(''hour'', t), host, max(f8) FROM %T GROUP BY 1, 2'),
	('SELECT date_bin(''15 minutes'', t, ''2024-01-01''), min(f8) FROM %T GROUP BY 1'),
	('SELECT time_bucket(1000, i4), count(*) FROM %T GROUP BY 1'),
	('SELECT count(*), avg(f8) FROM %T WHERE t >= ''2024-01-03'' AND t < ''2024-01-04 12:00'''),
	('SELECT host, sum(i4) FROM %T WHERE host IN (''h1'', ''h2'') AND i4 > 0 GROUP BY host'),
	('SELECT count(*), max(f8), sum(i4) FROM %T WHERE i4 > 1000000'),
	('SELECT max(f8) + min(f8), count(*) * 2 FROM %T'),
	('SELECT count(*) FILTER (WHERE b), sum(i4) FILTER (WHERE host = ''h1'' OR i2 < 5), max(f8) FILTER (WHERE f8 < 0) FROM %T'),
	('SELECT host, count(*) FILTER (WHERE NOT b), avg(f8) FILTER (WHERE t < ''2024-01-03''), count(*) FROM %T WHERE i2 > 3 GROUP BY host'),
	('SELECT host, max(f8) FROM %T GROUP BY host ORDER BY 2 DESC NULLS LAST LIMIT 3'),
	('SELECT host, first(f8, t), last(f8, t), first(i4, i8), last(b, d), last(t, t) FROM %T GROUP BY host'),
	('SELECT first(f4, t), last(f4, t), first(i2, i2) FROM %T WHERE i2 > 100'),
	('SELECT host, first(host, t), last(n, t), first(d, t) FROM %T GROUP BY host'),
	('SELECT i2, last(host, t), first(host, i8), last(n, i8) FROM %T GROUP BY i2')
) AS x(q);
-- values by reference across work_mem flushes (a high cpu_tuple_cost: at
-- this work_mem the planner would rather aggregate the rows itself)
SET work_mem = '64kB';
SET cpu_tuple_cost = 1;
SELECT va_check('SELECT date_trunc(''minute'', t), last(host, t), first(n, t), last(host, i8) FROM %T GROUP BY 1');
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT date_trunc('minute', t), last(host, t) FROM va GROUP BY 1;
RESET cpu_tuple_cost;
RESET work_mem;
RESET timeseries.debug_require_vector_agg;

-- without groups, count(*) and integer/time min/max come from the chunks'
-- metadata where no qual cuts the chunk (no quals, or a chunk wholly inside
-- their range); chunks that a transaction is still writing are read, and so
-- are chunks with deleted rows
EXPLAIN (analyze, costs off, timing off, summary off)
SELECT count(*), min(t), max(t), min(i4), max(i8), max(d) FROM va;
SELECT va_check('SELECT count(*), min(t), max(t), min(i4), max(i8), max(d), min(i2) FROM %T');
EXPLAIN (analyze, costs off, timing off, summary off) SELECT count(*), max(f8) FROM va;
EXPLAIN (analyze, costs off, timing off, summary off)
SELECT count(*), min(t), max(i4) FROM va WHERE t >= '2024-01-02 03:00' AND t < '2024-01-05';
SELECT q, va_check(q) FROM (VALUES
	('SELECT count(*), min(t), max(t), min(i4), max(i8) FROM %T WHERE t >= ''2024-01-02 03:00'' AND t < ''2024-01-05'''),
	('SELECT count(*), min(t), max(d) FROM %T WHERE t >= ''2024-01-02'' OR t IS NULL'),
	('SELECT count(*), max(t) FROM %T WHERE i8 BETWEEN 1000003000 AND 9000027000'),
	('SELECT count(*), min(i2) FROM %T WHERE t < ''2024-01-03'' AND i4 IS NOT NULL'),
	('SELECT count(*) FROM %T WHERE t > ''2024-01-01'' AND i2 > 3')) v(q);
BEGIN;
DELETE FROM va WHERE i2 = 7 AND t < '2024-01-02 12:00';
DELETE FROM va_heap WHERE i2 = 7 AND t < '2024-01-02 12:00';
EXPLAIN (analyze, costs off, timing off, summary off)
SELECT count(*), min(t) FROM va WHERE t >= '2024-01-02 03:00';
SELECT va_check('SELECT count(*), min(t), max(i4) FROM %T WHERE t >= ''2024-01-02 03:00''');
ROLLBACK;
-- a parameter's value is known when the scan starts
SET plan_cache_mode = force_generic_plan;
PREPARE va_count(timestamptz) AS SELECT count(*), max(t) FROM va WHERE t >= $1;
EXPLAIN (analyze, costs off, timing off, summary off) EXECUTE va_count('2024-01-02 03:00');
EXECUTE va_count('2024-01-02 03:00');
SELECT count(*), max(t) FROM va_heap WHERE t >= '2024-01-02 03:00';
DEALLOCATE va_count;
RESET plan_cache_mode;
BEGIN;
SET LOCAL timeseries.chunk_rows = 100;
INSERT INTO va (t, i4) SELECT '2031-01-01'::timestamptz + g * interval '1 s', -g FROM generate_series(1, 250) g;
INSERT INTO va_heap (t, i4) SELECT '2031-01-01'::timestamptz + g * interval '1 s', -g FROM generate_series(1, 250) g;
SELECT va_check('SELECT count(*), min(t), max(t), min(i4), max(i4) FROM %T');
-- a command that reads the table it writes sees none of its own rows
INSERT INTO va (t, i4) SELECT max(t) + interval '1 s', count(*)::int FROM va;
INSERT INTO va_heap (t, i4) SELECT max(t) + interval '1 s', count(*)::int FROM va_heap;
SELECT va_check('SELECT count(*), min(t), max(t), min(i4), max(i4) FROM %T');
ROLLBACK;

-- what is not supported keeps PostgreSQL's plan, and says why when asked
SET timeseries.debug_require_vector_agg = on;
SELECT bit_or(i4) FROM va;
SELECT count(DISTINCT host) FROM va;
SELECT count(*) FILTER (WHERE host LIKE 'h1%') FROM va;
SELECT max(upper(host)) FROM va;
SELECT last(host, f8) FROM va;
CREATE TABLE va_pk (id int PRIMARY KEY, v int) USING timeseries;
SELECT id, v, count(*) FROM va_pk GROUP BY id;
DROP TABLE va_pk;
SELECT f8, count(*) FROM va GROUP BY f8 LIMIT 1;
SELECT count(*) FROM va WHERE host LIKE 'h1%';
RESET timeseries.debug_require_vector_agg;
SELECT sum(n) = (SELECT sum(n) FROM va_heap) AS numeric_same FROM va;
SELECT host, count(*) FROM va WHERE false GROUP BY host;

-- parameters of generic plans, and rescans with outer values
SET plan_cache_mode = force_generic_plan;
PREPARE va_win(timestamptz, timestamptz) AS
	SELECT host, count(*), max(f8) FROM va WHERE t >= $1 AND t < $2 GROUP BY host ORDER BY host;
EXPLAIN (costs off) EXECUTE va_win('2024-01-02', '2024-01-02 06:00');
EXECUTE va_win('2024-01-02', '2024-01-02 06:00');
EXECUTE va_win('2024-01-04', '2024-01-05');
RESET plan_cache_mode;
DEALLOCATE va_win;
SELECT g, (SELECT count(*) FROM va WHERE i2 < g), (SELECT count(*) FROM va_heap WHERE i2 < g)
  FROM generate_series(0, 300, 100) g;

-- rows of the current transaction, written or still buffered, are counted
BEGIN;
INSERT INTO va (t, host, i4, f8) VALUES ('2030-01-01', 'new', 1, 1.5), ('2030-01-02', 'new', 2, NULL);
INSERT INTO va_heap (t, host, i4, f8) VALUES ('2030-01-01', 'new', 1, 1.5), ('2030-01-02', 'new', 2, NULL);
SELECT va_check('SELECT host, count(*), sum(i4), max(f8), max(t) FROM %T GROUP BY host');
ROLLBACK;

-- groups beyond work_mem are emitted early and combined by the Finalize Agg
SET work_mem = '64kB';
EXPLAIN (analyze, costs off, timing off, summary off)
SELECT count(*), sum(c), sum(s) FROM
  (SELECT i2, count(*) c, sum(i4) s, max(f8) m, min(t) mt, avg(f4) a FROM va GROUP BY i2) x
 WHERE m IS NOT NULL AND mt IS NOT NULL AND a IS NOT NULL;
SELECT va_check('SELECT i2, count(*), sum(i4), max(f8), min(t), avg(f4) FROM %T GROUP BY i2');
RESET work_mem;

-- parallel: each worker aggregates the chunks it claims, Gather collects the
-- partial groups (exact aggregates only: float sums may round differently
-- in any parallel plan, heap's too)
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (costs off) SELECT host, count(*), max(f8), min(t) FROM va GROUP BY host;
SELECT va_check('SELECT host, count(*), max(f8), min(t), sum(i4), avg(i2) FROM %T GROUP BY host');
SELECT va_check('SELECT count(*), max(f8), min(t), sum(i4) FROM %T WHERE t > ''2024-01-03''');
SET parallel_leader_participation = off;
SELECT va_check('SELECT d, count(*), max(i8) FROM %T GROUP BY d');
RESET parallel_leader_participation;
BEGIN;
INSERT INTO va (t, host, i4) VALUES ('2030-01-01', 'buffered', 7);
INSERT INTO va_heap (t, host, i4) VALUES ('2030-01-01', 'buffered', 7);
SELECT va_check('SELECT host, count(*), sum(i4) FROM %T GROUP BY host');
ROLLBACK;

-- TimeseriesCombine: above the Gather, the participants' partial groups
-- are combined natively and finalized (instead of a Finalize Agg).  Float
-- sums of f4 (multiples of 1/8) are exact in any order; f8's are rounded.
CREATE FUNCTION va_combined(q text) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE
	line text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (costs off) ' || replace(q, '%T', 'va') LOOP
		IF line LIKE '%TimeseriesCombine%' THEN
			RETURN true;
		END IF;
	END LOOP;
	RETURN false;
END
$$;
SELECT va_combined(q), va_check(q) FROM (VALUES
	('SELECT host, count(*), count(i4), sum(i2), sum(i4), sum(f4), avg(i2), avg(i4), avg(f4), min(i2), max(i8), min(f4), max(f8), min(d), max(t) FROM %T GROUP BY host'),
	('SELECT d, round(sum(f8)::numeric, 6), round(avg(f8)::numeric, 6), round(stddev(f4)::numeric, 6), round(var_pop(f4)::numeric, 6), round(stddev_pop(f8)::numeric, 6), round(var_samp(f8)::numeric, 6) FROM %T WHERE f8 <> ''NaN'' GROUP BY d'),
	('SELECT b, d, count(*), min(f8), max(f8) FROM %T GROUP BY 1, 2'),
	('SELECT time_bucket(''6 hours'', t), count(*), avg(i4) FROM %T GROUP BY 1 HAVING sum(i2) > 10000'),
	('SELECT host, count(*) FILTER (WHERE i2 > 100), sum(f4) FILTER (WHERE b) FROM %T GROUP BY host'),
	('SELECT host, count(*) FILTER (WHERE i4 > 100000000), sum(i4) FILTER (WHERE i4 > 100000000), avg(f4) FILTER (WHERE i4 > 100000000), max(f8) FILTER (WHERE i4 > 100000000) FROM %T GROUP BY host'),
	('SELECT count(*), sum(i4), avg(f4), max(f8), round(variance(f4)::numeric, 6), min(t) FROM %T WHERE i2 > 5')
) v(q);
-- EXPLAIN ANALYZE of the nodes above the Gather (what the participants each
-- read depends on when the workers start)
CREATE FUNCTION va_above_gather(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	line text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (analyze, costs off, timing off, summary off) ' || q LOOP
		EXIT WHEN line LIKE '%->  Gather%';
		RETURN NEXT line;
	END LOOP;
END
$$;
SELECT va_above_gather('SELECT host, count(*), avg(i4) FROM va GROUP BY host HAVING max(i2) > 0');
-- a stddev of one row is NULL (the final function's answer)
SELECT va_check('SELECT i8, count(*), stddev(f4), var_samp(f8) FROM %T WHERE i8 < 100000000 GROUP BY i8');
-- first(), last(), sum/avg of int8 and numeric (their states are
-- serialized) and min/max of numeric and text keep the Finalize Agg
EXPLAIN (costs off) SELECT host, first(i4, t), count(*) FROM va GROUP BY host;
SELECT va_check('SELECT host, first(i4, t), last(f8, t), count(*) FROM %T GROUP BY host');
EXPLAIN (costs off) SELECT host, sum(i8), avg(i8) FROM va GROUP BY host;
SELECT va_check('SELECT host, sum(i8), avg(i8), count(*) FROM %T GROUP BY host');
SELECT va_combined(q), va_check(q) FROM (VALUES
	('SELECT d, min(n), max(n), min(host), max(host), sum(n) FROM %T GROUP BY d')) v(q);
-- groups past work_mem: sorted by the keys, then combined group by group
SET work_mem = '64kB';
SELECT va_above_gather('SELECT count(*), sum(c), sum(s), count(a) FROM
  (SELECT i4, host, count(*) c, sum(i2) s, avg(f4) a FROM va GROUP BY i4, host) x');
SELECT va_check('SELECT i4, host, count(*), sum(i2), avg(f4), min(t), max(f8) FROM %T GROUP BY i4, host');
-- 300 groups, each in many partial rows (TimeseriesAgg flushes at work_mem)
SELECT va_combined(q), va_check(q) FROM (VALUES
	('SELECT i2, count(*), sum(i4), avg(i4), round(stddev(f8)::numeric, 6), round(var_pop(f4)::numeric, 6), avg(f4), min(t), max(f8), min(f4) FROM %T GROUP BY i2')) v(q);
RESET work_mem;
-- rescanned on the inner side of a nested loop
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SET enable_material = off;
EXPLAIN (costs off)
SELECT g, s.host, s.c FROM generate_series(1, 3) g
  LEFT JOIN (SELECT host, count(*) c FROM va GROUP BY host) s ON s.c > g * 1000;
SELECT va_check('SELECT g, s.host, s.c, s.m FROM generate_series(1, 3) g LEFT JOIN (SELECT host, count(*) c, max(i4) m FROM %T GROUP BY host) s ON s.c > g * 1000');
RESET enable_hashjoin;
RESET enable_mergejoin;
RESET enable_material;
DROP FUNCTION va_combined(text);
DROP FUNCTION va_above_gather(text);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SET max_parallel_workers_per_gather = 0;

-- sums of int8 past the range of int8 (the 128-bit sum's carries and
-- borrows) and of numeric (a 128-bit sum at the largest scale seen, with
-- numeric arithmetic for what does not fit: huge values, scales past 38,
-- sums whose rescaling would overflow; NaN and infinities counted apart),
-- groups of NULLs only, and the serialized partial states PostgreSQL reads
-- back, serial and parallel; the same for variances and standard
-- deviations (sums of squares: of int8 past 128 bits, of numeric at twice
-- the values' scale)
CREATE TABLE i8 (g int, x int8) USING timeseries;
INSERT INTO i8 SELECT g % 5, CASE g % 5
		WHEN 0 THEN 9223372036854775807 - g
		WHEN 1 THEN -9223372036854775807 + g
		WHEN 2 THEN CASE WHEN g % 3 = 0 THEN -9223372036854775808 ELSE 9223372036854775807 END
		WHEN 3 THEN NULL
		ELSE g::int8 * 1000000007 END
  FROM generate_series(1, 6000) g;
CREATE TABLE i8_heap AS SELECT * FROM i8;
CREATE TABLE nu (g int, x numeric) USING timeseries;
INSERT INTO nu SELECT g % 8, CASE g % 8
		WHEN 0 THEN (h / 7.0)
		WHEN 1 THEN round(h * 1.25, (h % 4)) * CASE WHEN h % 3 = 0 THEN -1 ELSE 1 END
		WHEN 2 THEN CASE WHEN h % 100 = 2 THEN 'NaN'::numeric ELSE h END
		WHEN 3 THEN CASE h % 3 WHEN 0 THEN 'Infinity'::numeric WHEN 1 THEN h ELSE 0.5 END
		WHEN 4 THEN NULL
		WHEN 5 THEN CASE WHEN h % 2 = 0 THEN 1e30 * h ELSE 0.000001 * h END
		WHEN 6 THEN CASE h % 4 WHEN 0 THEN 1e40 WHEN 1 THEN -1e100 WHEN 2 THEN 1e-50 ELSE 123.456 END
		ELSE CASE WHEN h % 2 = 0 THEN 99999999999999999999999999999999999999 ELSE -0.1 END END
  FROM generate_series(1, 8000) g, LATERAL (SELECT g / 8 AS h) s;
INSERT INTO nu VALUES (3, '-Infinity'), (9, 'Infinity'), (9, '-Infinity'), (10, 0), (10, -0.00);
CREATE TABLE nu_heap AS SELECT * FROM nu;
SET timeseries.debug_require_vector_agg = on;
SELECT g, sum(x), avg(x), count(x) FROM i8 GROUP BY g ORDER BY g;
SELECT sum(x), avg(x) FROM i8;
SELECT g, sum(x), avg(x), count(x) FROM nu WHERE g <> 6 GROUP BY g ORDER BY g;
SELECT g, left(sum(x)::text, 40), count(x) FROM nu WHERE g = 6 GROUP BY g;
SELECT g, var_pop(x), stddev(x) FROM i8 GROUP BY g ORDER BY g;
SELECT g, left(var_samp(x)::text, 40), left(stddev_pop(x)::text, 40) FROM nu GROUP BY g ORDER BY g;
RESET timeseries.debug_require_vector_agg;
-- min and max of numeric: a tie takes the later value, whose scale shows
CREATE TABLE nm (g int, x numeric, s text) USING timeseries;
INSERT INTO nm VALUES (1, 1.0, 'b'), (1, 1.00, 'a'), (1, 1, 'c'), (1, 2.5, NULL), (1, 2.50, 'a'),
	(2, NULL, NULL), (3, 'NaN', 'z'), (3, 'Infinity', 'zz'), (3, -1e100, ''), (3, 'NaN', 'z');
SET timeseries.debug_require_vector_agg = on;
SELECT g, min(x), max(x), min(s), max(s) FROM nm GROUP BY g ORDER BY g;
RESET timeseries.debug_require_vector_agg;
SET timeseries.enable_vector_agg = off;
SELECT g, min(x), max(x), min(s), max(s) FROM nm GROUP BY g ORDER BY g;
RESET timeseries.enable_vector_agg;
DROP TABLE nm;
-- per group, and over the groups without NaN, against the heap twin
CREATE FUNCTION sums_same(t text) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE
	q text := 'SELECT array_agg(r ORDER BY r) FROM (SELECT a::text r FROM (SELECT g, sum(x), avg(x), var_pop(x), var_samp(x), stddev_pop(x), stddev(x) FROM %1$I GROUP BY g
			   UNION ALL SELECT -1, sum(x), avg(x), var_pop(x), var_samp(x), stddev_pop(x), stddev(x) FROM %1$I WHERE g IN (0, 1, 5, 6, 7)) a) b';
	a text[];
	b text[];
BEGIN
	EXECUTE format(q, t) INTO a;
	EXECUTE format(q, t || '_heap') INTO b;
	RETURN a = b;
END
$$;
SELECT sums_same('i8'), sums_same('nu');
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (costs off) SELECT g, sum(x), avg(x), variance(x) FROM nu GROUP BY g;
SELECT sums_same('i8'), sums_same('nu');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SET max_parallel_workers_per_gather = 0;
DROP FUNCTION sums_same(text);
DROP TABLE i8, i8_heap, nu, nu_heap;
-- values beyond what the sums here take (squares of more than 8000
-- decimal places or above 1e64000, sums above 1e128000) go into
-- PostgreSQL's own transition state of their group, merged into the partial
-- state when it is written; a sum too large for numeric is PostgreSQL's
-- error
CREATE TABLE nx (g int, n numeric) USING timeseries;
INSERT INTO nx VALUES (1, '1e-8192'), (1, 0), (1, 1.5), (2, '1e70000'), (2, '1e70000'),
	(3, '1e70000'), (3, 5), (3, 'NaN'), (4, 2), (4, 3), (5, '9e131071'), (5, '9e131071'),
	(6, '-1e64100'), (6, 7), (6, 1e-20);
CREATE TABLE nx_heap AS SELECT * FROM nx;
SET timeseries.debug_require_vector_agg = on;
SELECT g, length(var_pop(n)::text) AS var_len, left(var_samp(n)::text, 12) AS var_samp,
	left(stddev(n)::text, 12) AS stddev, length(avg(n)::text) AS avg_len, count(n)
  FROM nx WHERE g <> 5 GROUP BY g ORDER BY g;
SELECT sum(n) FROM nx WHERE g = 5;
RESET timeseries.debug_require_vector_agg;
SELECT sum(n) FROM nx_heap WHERE g = 5;
SELECT count(*) AS differences FROM (
	(SELECT g, var_pop(n), var_samp(n), stddev_pop(n), stddev(n), avg(n), sum(n) FROM nx WHERE g <> 5 GROUP BY g
	 EXCEPT ALL
	 SELECT g, var_pop(n), var_samp(n), stddev_pop(n), stddev(n), avg(n), sum(n) FROM nx_heap WHERE g <> 5 GROUP BY g)
	UNION ALL
	(SELECT g, var_pop(n), var_samp(n), stddev_pop(n), stddev(n), avg(n), sum(n) FROM nx_heap WHERE g <> 5 GROUP BY g
	 EXCEPT ALL
	 SELECT g, var_pop(n), var_samp(n), stddev_pop(n), stddev(n), avg(n), sum(n) FROM nx WHERE g <> 5 GROUP BY g)) d;
DROP TABLE nx, nx_heap;

-- a parallel-restricted FILTER keeps the aggregation out of workers
CREATE FUNCTION va_restricted() RETURNS int STABLE PARALLEL RESTRICTED LANGUAGE plpgsql AS 'BEGIN RETURN 5; END';
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (costs off) SELECT host, count(*) FILTER (WHERE i2 > va_restricted()) FROM va GROUP BY host;
SELECT va_check('SELECT host, count(*) FILTER (WHERE i2 > va_restricted()) FROM %T GROUP BY host');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SET max_parallel_workers_per_gather = 0;
DROP FUNCTION va_restricted();

-- aggregates made of a built-in transition function but another initial
-- value or combine function are not the built-in ones: PostgreSQL's plan
CREATE AGGREGATE va_sum8_noserial(int8) (sfunc = int8_avg_accum, stype = internal,
	combinefunc = int8_avg_combine, finalfunc = numeric_poly_sum);
SELECT va_sum8_noserial(i8) = (SELECT sum(i8) FROM va_heap) AS same FROM va;
DROP AGGREGATE va_sum8_noserial(int8);
CREATE AGGREGATE va_var4_noserial(int4) (sfunc = int4_accum, stype = internal,
	combinefunc = numeric_poly_combine, finalfunc = numeric_poly_var_pop);
SELECT va_var4_noserial(i4) = (SELECT var_pop(i4) FROM va_heap) AS same FROM va;
DROP AGGREGATE va_var4_noserial(int4);
CREATE AGGREGATE va_sum100(int4) (sfunc = int4_sum, stype = int8, initcond = '100',
	combinefunc = int8pl, parallel = safe);
CREATE FUNCTION va_minus(int8, int8) RETURNS int8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS 'SELECT $1 - $2';
CREATE AGGREGATE va_count_minus("any") (sfunc = int8inc_any, stype = int8, initcond = '0',
	combinefunc = va_minus, parallel = safe);
CREATE AGGREGATE va_max10(float8) (sfunc = float8larger, stype = float8, initcond = '10',
	combinefunc = float8larger, parallel = safe);
SET timeseries.debug_require_vector_agg = on;
SELECT va_sum100(i4) FROM va;
SELECT host, va_max10(f8) FROM va GROUP BY host;
RESET timeseries.debug_require_vector_agg;
SELECT q, va_check(q) FROM (VALUES
	('SELECT host, va_sum100(i4), va_max10(f8), va_count_minus(i2) FROM %T GROUP BY host'),
	('SELECT va_sum100(i4), va_max10(f8) FROM %T')) v(q);
DROP AGGREGATE va_sum100(int4);
DROP AGGREGATE va_count_minus("any");
DROP AGGREGATE va_max10(float8);
DROP FUNCTION va_minus(int8, int8);

-- a bucket width or date_trunc unit given as a prepared statement's
-- parameter: in a generic plan it is computed when the scan starts (a NULL
-- one makes a strict function's key NULL); a value from an outer query
-- (LATERAL) may change on each rescan and keeps PostgreSQL's plan
SET plan_cache_mode = force_generic_plan;
PREPARE va_tb(interval, text, int, int) AS
  SELECT time_bucket($1, t) b, date_trunc($2, t) dt, time_bucket($3, i4) bi, count(*), max(f8), sum(i4)
    FROM va WHERE i2 > $4 GROUP BY 1, 2, 3;
PREPARE va_tb_heap(interval, text, int, int) AS
  SELECT time_bucket($1, t) b, date_trunc($2, t) dt, time_bucket($3, i4) bi, count(*), max(f8), sum(i4)
    FROM va_heap WHERE i2 > $4 GROUP BY 1, 2, 3;
EXPLAIN (costs off) EXECUTE va_tb('1 hour', 'day', 1000, 100);
CREATE FUNCTION va_prepared_diff(w text, u text, iw int, n int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE a bigint; b bigint; total bigint;
	args text := format('%L, %L, %s, %s', w, u, coalesce(iw::text, 'NULL'), n);
BEGIN
	EXECUTE format('CREATE TEMP TABLE va_p1 AS EXECUTE va_tb(%s)', args);
	EXECUTE format('CREATE TEMP TABLE va_p2 AS EXECUTE va_tb_heap(%s)', args);
	SELECT count(*) INTO a FROM (SELECT * FROM va_p1 EXCEPT ALL SELECT * FROM va_p2) x;
	SELECT count(*) INTO b FROM (SELECT * FROM va_p2 EXCEPT ALL SELECT * FROM va_p1) x;
	SELECT count(*) INTO total FROM va_p1;
	DROP TABLE va_p1, va_p2;
	RETURN format('rows=%s only_ts=%s only_heap=%s', total, a, b);
END $$;
SET timeseries.debug_require_vector_agg = on;
SELECT w, u, iw, n, va_prepared_diff(w, u, iw, n) FROM (VALUES
	('1 hour', 'day', 1000, 100), ('15 minutes', 'minute', 77, 250), ('1 day', 'hour', 1, 0),
	(NULL, 'day', 1000, 100), ('1 hour', NULL, 1000, 100), ('1 hour', 'day', NULL, 100),
	('2 hours', 'week', 5000, 200)) v(w, u, iw, n);
EXECUTE va_tb('1 hour', 'fortnight', 1000, 100);
EXECUTE va_tb('1 hour', 'day', 0, 100);
-- the parallel variant (a new generic plan under the new settings)
DEALLOCATE va_tb;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
PREPARE va_tb(interval, text, int, int) AS
  SELECT time_bucket($1, t) b, date_trunc($2, t) dt, time_bucket($3, i4) bi, count(*), max(f8), sum(i4)
    FROM va WHERE i2 > $4 GROUP BY 1, 2, 3;
EXPLAIN (costs off) EXECUTE va_tb('1 hour', 'day', 1000, 100);
SELECT va_prepared_diff('30 minutes', 'hour', 300, 10);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SET max_parallel_workers_per_gather = 0;
RESET timeseries.debug_require_vector_agg;
DEALLOCATE va_tb;
DEALLOCATE va_tb_heap;
DROP FUNCTION va_prepared_diff(text, text, int, int);
RESET plan_cache_mode;
EXPLAIN (costs off)
SELECT w, x.* FROM (VALUES (interval '1 hour'), (interval '6 hours')) v(w),
  LATERAL (SELECT time_bucket(w, t) b, count(*) FROM va GROUP BY 1) x;
SELECT va_check('SELECT w, x.* FROM (VALUES (interval ''1 hour''), (interval ''6 hours'')) v(w), LATERAL (SELECT time_bucket(w, t) b, count(*) FROM %T GROUP BY 1) x');

-- group keys of other types, by their hash and equality functions: uuid,
-- numeric (1.0 = 1.00), floats (0 = -0, NaN = NaN), interval (1 day = 24
-- hours), jsonb, arrays, bytea, text under a nondeterministic collation;
-- each group shows the first value seen, as HashAggregate does
CREATE COLLATION va_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
SET timeseries.chunk_rows = 700;
CREATE TABLE gk (t timestamptz, u uuid, n numeric, f float8, iv interval, j jsonb, a int4[],
				 b bytea, c text COLLATE va_ci, v int) USING timeseries;
INSERT INTO gk SELECT '2024-01-01'::timestamptz + g * interval '1 min',
	CASE WHEN g % 13 = 0 THEN NULL ELSE ('00000000-0000-0000-0000-00000000000' || (g % 7))::uuid END,
	CASE g % 4 WHEN 0 THEN 1.0 WHEN 1 THEN 1.00 WHEN 2 THEN 'NaN' ELSE (g % 9) / 3.0 END,
	CASE g % 5 WHEN 0 THEN CASE WHEN g % 10 = 0 THEN -0.0 ELSE 0.0 END WHEN 1 THEN 'NaN'
		WHEN 2 THEN g % 3 ELSE NULL END,
	CASE g % 3 WHEN 0 THEN interval '1 day' WHEN 1 THEN interval '24 hours' ELSE interval '1 month' END,
	CASE WHEN g % 6 = 0 THEN NULL ELSE jsonb_build_object('k', g % 4) END,
	ARRAY[g % 3, g % 2],
	decode(lpad(to_hex(g % 5), 2, '0'), 'hex'),
	CASE g % 4 WHEN 0 THEN 'Abc' WHEN 1 THEN 'abc' WHEN 2 THEN 'ABD' ELSE 'x' END,
	g
FROM generate_series(1, 5000) g;
RESET timeseries.chunk_rows;
CREATE TABLE gk_heap AS SELECT * FROM gk;
CREATE FUNCTION gk_check(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE a bigint; b bigint; total bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM ((SELECT x::text FROM (%s) x) EXCEPT ALL (SELECT x::text FROM (%s) x)) d',
				   q, replace(q, 'FROM gk', 'FROM gk_heap')) INTO a;
	EXECUTE format('SELECT count(*) FROM ((SELECT x::text FROM (%s) x) EXCEPT ALL (SELECT x::text FROM (%s) x)) d',
				   replace(q, 'FROM gk', 'FROM gk_heap'), q) INTO b;
	EXECUTE format('SELECT count(*) FROM (%s) x', q) INTO total;
	RETURN format('rows=%s only_ts=%s only_heap=%s', total, a, b);
END $$;
SET timeseries.debug_require_vector_agg = on;
EXPLAIN (costs off) SELECT u, count(*), sum(v) FROM gk GROUP BY u;
SELECT q, gk_check(q) FROM (VALUES
	('SELECT u, count(*), sum(v) FROM gk GROUP BY u'),
	('SELECT n, count(*), max(v) FROM gk GROUP BY n'),
	('SELECT f, count(*) FROM gk GROUP BY f'),
	('SELECT iv, count(*) FROM gk GROUP BY iv'),
	('SELECT j, count(*) FROM gk GROUP BY j'),
	('SELECT a, count(*) FROM gk GROUP BY a'),
	('SELECT b, count(*) FROM gk GROUP BY b'),
	('SELECT c, count(*) FROM gk GROUP BY c'),
	('SELECT u, n, date_trunc(''hour'', t), count(*) FROM gk GROUP BY 1, 2, 3'),
	('SELECT u, c, count(*) FROM gk WHERE v > 100 GROUP BY 1, 2 HAVING count(*) > 3')) x(q);
SELECT n, f, iv, c, count(*) FROM gk GROUP BY n, f, iv, c ORDER BY n, f, iv, c LIMIT 8;
-- in parallel, and past work_mem (partial groups sorted by their keys)
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET work_mem = '64kB';
EXPLAIN (costs off) SELECT u, j, a, b, date_trunc('hour', t), count(*), sum(v) FROM gk GROUP BY u, j, a, b, 5;
SELECT gk_check('SELECT u, j, a, b, date_trunc(''hour'', t), count(*), sum(v) FROM gk GROUP BY u, j, a, b, 5');
RESET work_mem;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SET max_parallel_workers_per_gather = 0;
RESET timeseries.debug_require_vector_agg;
DROP FUNCTION gk_check(text);
DROP TABLE gk, gk_heap;
DROP COLLATION va_ci;

-- group keys that are all constants: one group, no sort needed
SET enable_hashagg = off;
SELECT va_check('SELECT i2, count(*), max(f8) FROM %T WHERE i2 = 3 GROUP BY i2');
SELECT va_check('SELECT i2, host, count(*) FROM %T WHERE i2 = 3 AND host = ''h3'' GROUP BY i2, host');
RESET enable_hashagg;

-- float avg / min / max of many columns advance together, run by run of
-- rows of one group (up to eight chains at a time): NULLs in
-- some vectors only, NaN, infinities, -0, float4 next to float8, groups in
-- long runs and interleaved, rows left out by the WHERE clause in the runs
SET timeseries.chunk_rows = 3000;
SET timeseries.vector_rows = 100;
CREATE TABLE fa (t timestamptz, g int, a float8, b float8, c float8, d float8, e float4, f float8,
				 h float8, u timestamptz, w timestamptz)
	USING timeseries;
INSERT INTO fa
SELECT '2024-01-01'::timestamptz + i * interval '1 minute',
	   CASE WHEN i < 6000 THEN i / 250 ELSE i % 7 END,
	   sin(i) * 100,
	   CASE WHEN i BETWEEN 2000 AND 2099 AND i % 3 = 0 THEN NULL ELSE cos(i) END,
	   CASE i WHEN 300 THEN 'NaN' WHEN 301 THEN 'Infinity' WHEN 7000 THEN '-Infinity' ELSE i / 3.0 END,
	   CASE WHEN i % 2 = 0 THEN '-0'::float8 ELSE 0 END,
	   (i % 97) / 7.0,
	   CASE WHEN i % 400 < 10 THEN NULL ELSE i * 1e-3 END,
	   (i % 13) * 0.25,
	   '2024-03-08'::timestamptz + ((i * 7919) % 9000) * interval '1 minute',
	   '2024-03-08'::timestamptz + i * interval '1 minute'
  FROM generate_series(1, 9000) i;
RESET timeseries.chunk_rows;
RESET timeseries.vector_rows;
CREATE TABLE fa_heap AS SELECT * FROM fa;
-- q over the timeseries table tbl and its heap twin tbl_heap (%T), as text
CREATE FUNCTION pair_check(q text, tbl text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE a bigint; b bigint; total bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM ((SELECT x::text FROM (%s) x) EXCEPT ALL (SELECT x::text FROM (%s) x)) d',
				   replace(q, '%T', tbl || '_heap'), replace(q, '%T', tbl)) INTO a;
	EXECUTE format('SELECT count(*) FROM ((SELECT x::text FROM (%s) x) EXCEPT ALL (SELECT x::text FROM (%s) x)) d',
				   replace(q, '%T', tbl), replace(q, '%T', tbl || '_heap')) INTO b;
	EXECUTE format('SELECT count(*) FROM (%s) x', replace(q, '%T', tbl)) INTO total;
	RETURN format('rows=%s only_heap=%s only_ts=%s', total, a, b);
END
$$;
SET timeseries.debug_require_vector_agg = on;
SELECT q, pair_check(q, 'fa') FROM (VALUES
	('SELECT g, avg(a), avg(d), avg(h), avg(f), avg(b), avg(c), avg(e) FROM %T GROUP BY g'),
	('SELECT g, avg(a), avg(c), avg(d), avg(h), avg(b), avg(f) FROM %T GROUP BY g'),
	('SELECT g, avg(a), avg(c), avg(d), avg(h), avg(b), avg(f), avg(e), max(a), sum(c) FROM %T GROUP BY g'),
	('SELECT date_trunc(''hour'', t), g, max(a), max(b), max(c), max(d), max(e), max(f), min(a), min(b), min(c), min(d), min(e) FROM %T GROUP BY 1, 2'),
	('SELECT g, avg(a), avg(b), avg(c), avg(f), max(d), min(d) FROM %T WHERE a > 0 OR t > ''2024-01-05'' GROUP BY g'),
	('SELECT avg(a), avg(b), avg(c), avg(d), max(a) FILTER (WHERE g = 3), stddev(c) FROM %T WHERE c <> ''NaN'''),
	-- bucket keys over times in order and shuffled, across a DST change
	('SELECT date_trunc(''hour'', w, ''America/New_York''), count(*), max(a) FROM %T GROUP BY 1'),
	('SELECT date_trunc(''day'', u, ''America/New_York''), count(*), max(a) FROM %T GROUP BY 1'),
	('SELECT time_bucket(''1 day'', w, ''America/New_York''), g, count(*) FROM %T WHERE g < 20 GROUP BY 1, 2'),
	('SELECT date_bin(''7 minutes'', u, ''2024-01-01''), min(b) FROM %T GROUP BY 1'),
	('SELECT time_bucket(''10 minutes'', w), avg(h) FROM %T WHERE a > 0 GROUP BY 1')
) AS x(q);
RESET timeseries.debug_require_vector_agg;
DROP TABLE fa, fa_heap;

-- date_trunc to units of fixed length is arithmetic for timestamps, and for
-- timestamptz in zones with a fixed offset: the same buckets as date_trunc,
-- before 2000 (negative values), at the infinities, in other zones
CREATE TABLE tr (ts timestamp, tz timestamptz, v int) USING timeseries;
INSERT INTO tr SELECT '1999-12-31 22:00'::timestamp + g * interval '7 minutes 13.123457 seconds',
	'1999-12-31 22:00+00'::timestamptz + g * interval '7 minutes 13.123457 seconds', g
FROM generate_series(0, 2000) g;
INSERT INTO tr VALUES ('infinity', 'infinity', -1), ('-infinity', '-infinity', -2), (NULL, NULL, -3),
	('1960-03-01 12:34:56.789', '1960-03-01 12:34:56.789+00', -4);
CREATE TABLE tr_heap AS SELECT * FROM tr;
-- each zone set before the queries that run in it
CREATE FUNCTION tr_zones() RETURNS TABLE (z text, u text, ts_tz text) LANGUAGE plpgsql AS $$
BEGIN
	FOREACH z IN ARRAY ARRAY['UTC', 'Etc/GMT-3', 'America/New_York', 'Asia/Kolkata'] LOOP
		PERFORM set_config('timezone', z, true);
		FOREACH u IN ARRAY ARRAY['microseconds', 'milliseconds', 'second', 'Minute', 'hour', 'day', 'week'] LOOP
			ts_tz := pair_check(format('SELECT date_trunc(%L, ts), date_trunc(%L, tz) AS b, count(*), sum(v) FROM %%T GROUP BY 1, 2', u, u), 'tr');
			RETURN NEXT;
		END LOOP;
	END LOOP;
END
$$;
SET timeseries.debug_require_vector_agg = on;
SELECT * FROM tr_zones();
RESET timeseries.debug_require_vector_agg;
SET timezone = 'UTC';
-- not bucketed by bisection: functions of another argument than the time
-- (origin, width), and time_bucket in a zone across clocks falling back
CREATE TABLE dst (t timestamptz, v int) USING timeseries;
INSERT INTO dst SELECT '2024-11-03 04:00+00'::timestamptz + g * interval '1 minute', g
FROM generate_series(0, 240) g;
CREATE TABLE dst_heap AS SELECT * FROM dst;
SET timeseries.debug_require_vector_agg = on;
SELECT q, pair_check(q, 'dst') FROM (VALUES
	('SELECT time_bucket(''30 minutes'', t, ''America/New_York''), count(*) FROM %T GROUP BY 1'),
	('SELECT date_bin(''15 minutes'', ''2024-11-03 00:07+00''::timestamptz, t), count(*) FROM %T GROUP BY 1'),
	('SELECT time_bucket(v, 100), count(*) FROM %T WHERE v > 0 GROUP BY 1'),
	('SELECT date_trunc(''hour'', t, ''America/New_York''), date_trunc(''day'', t, ''America/New_York''), count(*) FROM %T GROUP BY 1, 2')
) AS x(q);
RESET timeseries.debug_require_vector_agg;
DROP TABLE dst, dst_heap;
DROP FUNCTION tr_zones();
DROP FUNCTION pair_check(text, text);
DROP TABLE tr, tr_heap;

-- empty tables
CREATE TABLE va_empty (LIKE va) USING timeseries;
SELECT count(*), sum(i4), avg(f8), max(t) FROM va_empty;
SELECT host, count(*) FROM va_empty GROUP BY host;
DROP TABLE va_empty;

-- the custom scan off turns the aggregation off too
SET timeseries.enable_custom_scan = off;
EXPLAIN (costs off) SELECT count(*) FROM va;
RESET timeseries.enable_custom_scan;
SET timeseries.enable_vector_agg = off;
EXPLAIN (costs off) SELECT count(*) FROM va;
RESET timeseries.enable_vector_agg;

DROP FUNCTION va_check(text);
DROP TABLE va, va_heap;
RESET max_parallel_workers_per_gather;

-- ORDER BY bucket DESC LIMIT n: only the newest buckets are aggregated; the
-- results are the heap table's in every variant
SET timeseries.chunk_rows = 5000;
CREATE TABLE topn (time timestamptz, d date, i int, host text, v float8) USING timeseries;
INSERT INTO topn SELECT '2024-01-01'::timestamptz + g * interval '10 seconds',
	'2024-01-01'::date + g / 500, g, 'h' || g % 7, g % 101
FROM generate_series(1, 60000) g;
INSERT INTO topn VALUES (NULL, NULL, NULL, 'hnull', 1), (NULL, NULL, NULL, 'hnull', 2);
RESET timeseries.chunk_rows;
CREATE TABLE topn_heap AS SELECT * FROM topn;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT time_bucket('1 minute', time) AS m, max(v) FROM topn
WHERE time < '2024-01-06 12:00' GROUP BY m ORDER BY m DESC LIMIT 5;
CREATE FUNCTION topn_diff(q text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM (((%s) EXCEPT ALL (%s)) UNION ALL ((%s) EXCEPT ALL (%s))) x',
				   q, replace(q, 'FROM topn ', 'FROM topn_heap '),
				   replace(q, 'FROM topn ', 'FROM topn_heap '), q) INTO n;
	RETURN n;
END $$;
SELECT q, topn_diff(q) AS differences FROM (VALUES
	('SELECT time_bucket(''1 minute'', time) m, max(v), count(*) FROM topn WHERE time < ''2024-01-06 12:00'' GROUP BY m ORDER BY m DESC LIMIT 5'),
	('SELECT time_bucket(''1 hour'', time) m, count(*) FROM topn GROUP BY m ORDER BY m DESC LIMIT 3'),
	('SELECT time_bucket(''1 hour'', time) m, count(*) FROM topn GROUP BY m ORDER BY m DESC NULLS LAST LIMIT 3 OFFSET 2'),
	('SELECT date_trunc(''hour'', time) m, sum(v) FROM topn WHERE time >= ''2024-01-02'' AND time <= ''2024-01-04 07:00'' GROUP BY m ORDER BY m DESC LIMIT 4'),
	('SELECT date_trunc(''hour'', time) m, sum(v) FROM topn WHERE time > ''2024-01-02'' AND time < ''2024-01-02'' GROUP BY m ORDER BY m DESC LIMIT 4'),
	('SELECT time_bucket(''2 days'', d) b, count(*) FROM topn GROUP BY b ORDER BY b DESC NULLS LAST LIMIT 2'),
	('SELECT time_bucket(1000, i) b, min(v) FROM topn WHERE i <= 59000 GROUP BY b ORDER BY b DESC LIMIT 3'),
	('SELECT time, v FROM topn WHERE time IS NOT NULL GROUP BY time, v ORDER BY time DESC LIMIT 3'),
	('SELECT time_bucket(''1 minute'', time, ''Europe/Berlin'') m, max(v) FROM topn GROUP BY m ORDER BY m DESC NULLS LAST LIMIT 4'),
	('SELECT time_bucket(''1 day'', time) m, count(*) FROM topn GROUP BY m ORDER BY m DESC NULLS LAST LIMIT 20')
) t(q);
-- even where workers are cheap: one participant walks the chunks newest first
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT time_bucket('1 minute', time) AS m, max(v) FROM topn
WHERE time < '2024-01-06 12:00' GROUP BY m ORDER BY m DESC LIMIT 5;
SELECT topn_diff('SELECT time_bucket(''1 minute'', time) m, max(v), count(*) FROM topn WHERE time < ''2024-01-06 12:00'' GROUP BY m ORDER BY m DESC LIMIT 5') AS differences,
	   topn_diff('SELECT time_bucket(''1 hour'', time) m, count(*) FROM topn GROUP BY m ORDER BY m DESC NULLS LAST LIMIT 200') AS with_null_group;
-- what chunk metadata answers starts no workers
EXPLAIN (COSTS OFF) SELECT count(*), min(time), max(time) FROM topn;
SELECT count(*), min(time), max(time) FROM topn;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
-- not for these: other quals, HAVING, a parameter as the limit
EXPLAIN (COSTS OFF) SELECT time_bucket('1 minute', time) AS m, max(v) FROM topn
WHERE host = 'h1' GROUP BY m ORDER BY m DESC LIMIT 5;
EXPLAIN (COSTS OFF) SELECT time_bucket('1 minute', time) AS m, max(v) FROM topn
GROUP BY m HAVING count(*) > 1 ORDER BY m DESC LIMIT 5;
PREPARE topn_q(int) AS SELECT time_bucket('1 minute', time) AS m, max(v) FROM topn
GROUP BY m ORDER BY m DESC LIMIT $1;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE topn_q(3);
RESET plan_cache_mode;
-- the transaction's own rows (buffered and flushed) are always read
BEGIN;
INSERT INTO topn SELECT '2024-02-01'::timestamptz + g * interval '1 minute', NULL, NULL, 'new', g
FROM generate_series(1, 3) g;
SELECT time_bucket('1 minute', time) AS m, max(v) FROM topn GROUP BY m ORDER BY m DESC NULLS LAST LIMIT 4;
ROLLBACK;
-- a bound from the outer row, recomputed on every rescan
SELECT s.lim, q.* FROM (VALUES ('2024-01-03'::timestamptz), ('2024-01-05')) s(lim),
	LATERAL (SELECT time_bucket('1 hour', time) AS m, count(*) FROM topn
			 WHERE time < s.lim GROUP BY m ORDER BY m DESC LIMIT 2) q;
DROP FUNCTION topn_diff(text);
DROP TABLE topn, topn_heap;

-- review findings: time-zone buckets (a repeated local hour), a column in
-- the width position, timestamp against timestamptz across a daylight-saving
-- gap, and float overflow in avg (PostgreSQL's Sxx check)
CREATE TABLE rv (ts timestamptz, tsl timestamp, k int, x float8) USING timeseries;
INSERT INTO rv VALUES ('2023-11-05 05:30+00', '2023-03-12 02:30', 30, 1e160),
	('2023-11-05 06:30+00', '2023-03-12 03:00', 40, 3e160), ('2023-11-04 04:30+00', '2023-03-12 03:05', 60, 1);
CREATE TABLE rv_heap AS SELECT * FROM rv;
SET timezone = 'America/New_York';
SELECT time_bucket('1 hour', ts, 'America/New_York') AS b, count(*) FROM rv GROUP BY b ORDER BY b DESC LIMIT 1;
SELECT time_bucket('1 hour', ts, 'America/New_York') AS b, count(*) FROM rv_heap GROUP BY b ORDER BY b DESC LIMIT 1;
SELECT date_trunc('day', ts) AS b, count(*) FROM rv GROUP BY b ORDER BY b DESC LIMIT 1;
SELECT time_bucket(k, 100) AS b, count(*) FROM rv GROUP BY b ORDER BY b DESC LIMIT 1;
SELECT count(*) FROM rv WHERE tsl >= '2023-03-12 07:20+00'::timestamptz;
SELECT count(*) FROM rv_heap WHERE tsl >= '2023-03-12 07:20+00'::timestamptz;
SELECT count(*) FROM rv WHERE tsl < '2023-03-12 07:10+00'::timestamptz;
SELECT count(*) FROM rv_heap WHERE tsl < '2023-03-12 07:10+00'::timestamptz;
SET timezone = 'UTC';
SELECT avg(x) FROM rv WHERE k < 50;
SELECT avg(x) FROM rv_heap WHERE k < 50;
DROP TABLE rv, rv_heap;

-- avg of floats skips Sxx when the chunk summaries show every value within
-- +-1e100 (it cannot overflow then): the same digits as heap, next to
-- variance, which keeps it; a value beyond, or unwritten rows, keep Sxx and
-- its overflow error
SET extra_float_digits = 3;
CREATE TABLE av (g int, x float8, y float4) USING timeseries;
INSERT INTO av SELECT g % 3, sin(g) * 1e99, cos(g) * 1e30 FROM generate_series(1, 5000) g;
CREATE TABLE av_heap AS SELECT * FROM av;
SELECT (SELECT array_agg(r ORDER BY g)::text FROM (SELECT g, avg(x), avg(y), var_samp(x), stddev(y)
												  FROM av GROUP BY g) r) =
	(SELECT array_agg(r ORDER BY g)::text FROM (SELECT g, avg(x), avg(y), var_samp(x), stddev(y)
											   FROM av_heap GROUP BY g) r) AS same;
SELECT avg(x), avg(y) FROM av;
SELECT avg(x), avg(y) FROM av_heap;
INSERT INTO av VALUES (0, 1e160, 0), (0, 1.5e160, 0);
SELECT avg(x) FROM av WHERE g = 0;
BEGIN;
DELETE FROM av_heap WHERE false;
INSERT INTO av VALUES (1, -1e160, NULL), (1, 1e160, NULL);
SELECT avg(x) FROM av WHERE g = 1;
ROLLBACK;
RESET extra_float_digits;
DROP TABLE av, av_heap;

-- a text key of dictionary vectors is grouped by its codes: NULLs, a value
-- in several vectors under different codes, and plain (non-dictionary)
-- vectors in the same table
CREATE TABLE dk (host text, v int) USING timeseries;
INSERT INTO dk SELECT CASE WHEN g % 17 = 0 THEN NULL ELSE 'h' || ((g * 7) % 23) END, g
FROM generate_series(1, 5000) g;
INSERT INTO dk SELECT md5(g::text), g FROM generate_series(1, 1500) g;
INSERT INTO dk SELECT 'h' || (g % 5), g FROM generate_series(1, 2000) g;
CREATE TABLE dk_heap AS SELECT * FROM dk;
SELECT count(*) AS differences FROM (
	(SELECT host, count(*), sum(v), min(v) FROM dk GROUP BY host
	 EXCEPT ALL SELECT host, count(*), sum(v), min(v) FROM dk_heap GROUP BY host)
	UNION ALL
	(SELECT host, count(*), sum(v), min(v) FROM dk_heap GROUP BY host
	 EXCEPT ALL SELECT host, count(*), sum(v), min(v) FROM dk GROUP BY host)) d;
SELECT host, count(*), sum(v) FROM dk WHERE host IN ('h0', 'h1', 'h22') OR host IS NULL GROUP BY host ORDER BY host;
EXPLAIN (COSTS OFF) SELECT host, count(*) FROM dk GROUP BY host;
DROP TABLE dk, dk_heap;

-- group estimates: buckets of a time column are counted over the column's
-- range in the rows read (chunk summaries narrowed by the WHERE bounds),
-- times PostgreSQL's estimate for the other keys; PostgreSQL alone takes
-- date_trunc(time) to have about as many values as time
CREATE TABLE ge (time timestamptz, host int, v float8) USING timeseries;
INSERT INTO ge SELECT '2024-01-01'::timestamptz + (g / 10) * interval '10 seconds', g % 10, g
FROM generate_series(0, 86399) g;
ANALYZE ge;
CREATE FUNCTION ge_rows(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE p json;
BEGIN
	EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO p;
	RETURN (p -> 0 -> 'Plan' ->> 'Plan Rows')::float8;
END $$;
SELECT q, ge_rows(q) AS estimate FROM (VALUES
	('SELECT date_trunc(''hour'', time), host, avg(v) FROM ge WHERE time >= ''2024-01-01 03:00'' AND time < ''2024-01-01 15:00'' GROUP BY 1, 2'),
	('SELECT time_bucket(''15 minutes'', time), max(v) FROM ge GROUP BY 1'),
	('SELECT date_bin(''1 hour'', time, ''2000-01-01''), count(*) FROM ge WHERE time < ''2024-01-01 02:00'' GROUP BY 1'),
	('SELECT date_trunc(''day'', time), host, count(*) FROM ge GROUP BY 1, 2')
) t(q);
DROP FUNCTION ge_rows(text);
DROP TABLE ge;
