-- Dashboards: the panel queries of a Grafana-style dashboard over a
-- TSBS-like cpu table, run as prepared statements with changing parameters
-- ($__timeFrom, $__timeTo, $__interval, a multi-value $host variable) under
-- generic plans, and once under custom plans.  Every result is compared
-- with a heap twin holding the same rows: the output shows how many rows
-- each returned and how many differ (always 0), not the rows themselves.
SET timezone = 'UTC';
SET search_path = public, timeseries;

-- 50 hosts every 30 seconds for one day (144,000 rows) in time order, as
-- agents send them; chunks of 8192 rows hold about 80 minutes each.  (No
-- autovacuum: it would compact the small chunks at a moment of its choosing,
-- and the plans below count chunks.)
CREATE TABLE cpu (
	time timestamptz NOT NULL, tags_id int, hostname text,
	usage_user float8, usage_system float8, usage_idle float8, usage_nice float8,
	usage_iowait float8, usage_irq float8, usage_softirq float8, usage_steal float8,
	usage_guest float8, usage_guest_nice float8
) USING timeseries WITH (autovacuum_enabled = off);
SELECT timeseries.set_options('cpu', segment_by => '{hostname}', chunk_rows => 8192);
CREATE TABLE cpu_heap (LIKE cpu) WITH (autovacuum_enabled = off);
SELECT setseed(0.42);
INSERT INTO cpu_heap
SELECT '2016-01-01 00:00+00'::timestamptz + i * interval '30 s', h, 'host_' || h,
	   floor(random() * 100), floor(random() * 100), floor(random() * 100),
	   floor(random() * 100), floor(random() * 100), floor(random() * 100),
	   floor(random() * 100), floor(random() * 100), floor(random() * 100),
	   floor(random() * 100)
  FROM (SELECT i, h FROM generate_series(0, 2879) i, generate_series(0, 49) h ORDER BY i, h) g;
INSERT INTO cpu SELECT * FROM cpu_heap;
-- then the next five minutes arrive one batch (one timestamp, all hosts) per
-- transaction, as small chunks
INSERT INTO cpu_heap
SELECT '2016-01-02 00:00+00'::timestamptz + i * interval '30 s', h, 'host_' || h,
	   floor(random() * 100), floor(random() * 100), floor(random() * 100),
	   floor(random() * 100), floor(random() * 100), floor(random() * 100),
	   floor(random() * 100), floor(random() * 100), floor(random() * 100),
	   floor(random() * 100)
  FROM (SELECT i, h FROM generate_series(0, 9) i, generate_series(0, 49) h ORDER BY i, h) g;
SELECT format('INSERT INTO cpu SELECT * FROM cpu_heap WHERE time = %L', t)
  FROM generate_series('2016-01-02 00:00+00'::timestamptz, '2016-01-02 00:04:30+00', interval '30 s') t
\gexec
ANALYZE cpu;
ANALYZE cpu_heap;
SELECT table_name, row_count, chunk_count FROM timeseries.tables WHERE table_name = 'cpu'::regclass;

-- dash_prepare(name, argument types, query): PREPAREs the query over cpu as
-- name and over cpu_heap as name_heap (%T stands for the table)
CREATE FUNCTION dash_prepare(name text, argtypes text, q text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('PREPARE %I(%s) AS %s', name, argtypes, replace(q, '%T', 'cpu'));
	EXECUTE format('PREPARE %I(%s) AS %s', name || '_heap', argtypes, replace(q, '%T', 'cpu_heap'));
END $$;
-- dash_diff(name, arguments): EXECUTEs both and compares the results row by
-- row, in order (every query orders its rows completely)
CREATE FUNCTION dash_diff(name text, args text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	total bigint;
	differing bigint;
BEGIN
	EXECUTE format('CREATE TEMP TABLE dash_ts AS EXECUTE %I(%s)', name, args);
	EXECUTE format('CREATE TEMP TABLE dash_heap AS EXECUTE %I(%s)', name || '_heap', args);
	EXECUTE 'SELECT count(*) FROM dash_ts' INTO total;
	EXECUTE $q$
		WITH a AS (SELECT row_number() OVER () AS n, x::text AS r FROM dash_ts x),
			 b AS (SELECT row_number() OVER () AS n, x::text AS r FROM dash_heap x)
		SELECT count(*) FROM ((TABLE a EXCEPT ALL TABLE b) UNION ALL (TABLE b EXCEPT ALL TABLE a)) d
	$q$ INTO differing;
	DROP TABLE dash_ts, dash_heap;
	RETURN format('rows=%s differing=%s', total, differing);
END $$;
-- dash_explain(statement): EXPLAIN ANALYZE without timings and sort memory
CREATE FUNCTION dash_explain(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	line text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
		IF line !~ '^\s*(Sort Method|Batches|Buckets)' THEN
			RETURN NEXT line;
		END IF;
	END LOOP;
END $$;

-- The panels.  $1 and $2 are $__timeFrom() and $__timeTo().
-- time series: average per bucket and host, for the selected hosts
SELECT dash_prepare('graph', 'timestamptz, timestamptz, text[]', $$
SELECT time_bucket('5 minutes', time) AS "time", hostname, avg(usage_user) AS usage_user,
	   max(usage_system) AS usage_system
  FROM %T WHERE time >= $1 AND time < $2 AND hostname = ANY ($3)
 GROUP BY 1, 2 ORDER BY 1, 2$$);
-- the same with $__timeFilter() (BETWEEN) and date_bin by $__interval
SELECT dash_prepare('graph_bin', 'timestamptz, timestamptz', $$
SELECT date_bin('1 minute', time, '2016-01-01') AS "time", avg(usage_idle) AS usage_idle,
	   min(usage_idle), count(*)
  FROM %T WHERE time BETWEEN $1 AND $2
 GROUP BY 1 ORDER BY 1$$);
-- the bucket width as a parameter too ($__interval bound by the client)
SELECT dash_prepare('graph_width', 'timestamptz, timestamptz, interval', $$
SELECT time_bucket($3, time) AS "time", hostname, avg(usage_user) AS usage_user
  FROM %T WHERE time >= $1 AND time < $2
 GROUP BY 1, 2 ORDER BY 1, 2$$);
-- Grafana's $__timeGroupAlias(time, $__interval) without TimescaleDB
SELECT dash_prepare('graph_epoch', 'timestamptz, timestamptz, int', $$
SELECT floor(extract(epoch FROM time) / $3) * $3 AS "time", avg(usage_user) AS usage_user
  FROM %T WHERE time BETWEEN $1 AND $2
 GROUP BY 1 ORDER BY 1$$);
-- gaps filled up to $__timeTo (the data ends at 00:05 on the second day)
SELECT dash_prepare('graph_fill', 'timestamptz, timestamptz, text', $$
SELECT time_bucket_gapfill('5 minutes', time) AS "time", avg(usage_user) AS usage_user,
	   locf(avg(usage_user)) AS usage_user_locf
  FROM %T WHERE time >= $1 AND time < $2 AND hostname = $3
 GROUP BY 1 ORDER BY 1$$);
-- heatmap: rows above a threshold per hour
SELECT dash_prepare('heatmap', 'timestamptz, timestamptz, float8', $$
SELECT time_bucket('1 hour', time) AS "time", count(*) FILTER (WHERE usage_user > $3) AS hot,
	   count(*) AS total
  FROM %T WHERE time BETWEEN $1 AND $2
 GROUP BY 1 ORDER BY 1$$);
-- stat: the last value per host in the range
SELECT dash_prepare('stat_last', 'timestamptz, timestamptz', $$
SELECT hostname, last(usage_user, time) AS usage_user, max(time) AS "time"
  FROM %T WHERE time >= $1 AND time < $2
 GROUP BY 1 ORDER BY 1$$);
-- table: the newest row per host (DISTINCT ON)
SELECT dash_prepare('newest_row', 'timestamptz, timestamptz', $$
SELECT DISTINCT ON (hostname) hostname, time, usage_user, usage_idle
  FROM %T WHERE time >= $1 AND time < $2
 ORDER BY hostname, time DESC$$);
-- table: the newest row before $__timeTo of each selected host (LATERAL)
SELECT dash_prepare('newest_lateral', 'timestamptz, text[]', $$
SELECT h.hostname, l.time, l.usage_user
  FROM unnest($2) AS h(hostname),
	   LATERAL (SELECT time, usage_user FROM %T c
				 WHERE c.hostname = h.hostname AND time < $1
				 ORDER BY time DESC LIMIT 1) l
 ORDER BY 1$$);
-- bar gauge: the top $3 hosts by peak usage
SELECT dash_prepare('top_hosts', 'timestamptz, timestamptz, int', $$
SELECT hostname, max(usage_user) AS peak, avg(usage_user) AS mean
  FROM %T WHERE time >= $1 AND time < $2
 GROUP BY 1 ORDER BY 2 DESC, 3 DESC, 1 LIMIT $3$$);
-- logs-style table: one host's newest rows
SELECT dash_prepare('raw_rows', 'timestamptz, timestamptz, text, int', $$
SELECT time, usage_user, usage_system, usage_idle
  FROM %T WHERE time BETWEEN $1 AND $2 AND hostname = $3
 ORDER BY time DESC LIMIT $4$$);
-- the newest buckets, whatever the range
SELECT dash_prepare('newest_buckets', 'int', $$
SELECT time_bucket('1 minute', time) AS "time", max(usage_user), count(*)
  FROM %T GROUP BY 1 ORDER BY 1 DESC LIMIT $1$$);

-- Generic plans: each statement is planned once and run over several
-- ranges: the last hour (with the newest, small chunks), a morning, the whole
-- day and more, a chunk's edge, a minute, and a range with no rows.
SET plan_cache_mode = force_generic_plan;
SET timeseries.debug_require_vectorized = on;
CREATE TABLE dash_range (n int, t_from timestamptz, t_to timestamptz);
INSERT INTO dash_range VALUES
	(1, '2016-01-01 23:05', '2016-01-02 00:05'),
	(2, '2016-01-01 06:00', '2016-01-01 09:00'),
	(3, '2015-12-31 00:00', '2016-01-03 00:00'),
	(4, '2016-01-01 01:08:00', '2016-01-01 01:09:30'),
	(5, '2016-01-01 12:34:00', '2016-01-01 12:35:00'),
	(6, '2016-02-01 00:00', '2016-02-02 00:00');
-- aggregations computed inside the scan (TimeseriesAgg)
SET timeseries.debug_require_vector_agg = on;
SELECT n, s, dash_diff(s, format('%L, %L', t_from, t_to) || coalesce(', ' || extra, ''))
  FROM dash_range, (VALUES ('graph', $$'{host_0,host_7,host_42,host_99}'$$), ('graph_bin', NULL),
				   ('heatmap', '90'), ('stat_last', NULL), ('top_hosts', '5'),
				   ('graph_fill', $$'host_3'$$)) AS s(s, extra)
 ORDER BY s, n;
SELECT dash_diff('newest_buckets', '5'), dash_diff('newest_buckets', '100');
RESET timeseries.debug_require_vector_agg;
-- the others
SELECT n, s, dash_diff(s, format('%L, %L', t_from, t_to) || coalesce(', ' || extra, ''))
  FROM dash_range, (VALUES ('graph_width', $$'1 minute'$$), ('graph_epoch', '300'),
				   ('newest_row', NULL), ('raw_rows', $$'host_3', 20$$)) AS s(s, extra)
 ORDER BY s, n;
SELECT n, dash_diff('newest_lateral', format('%L, %L', t_to, '{host_1,host_7,host_42,host_99}'))
  FROM dash_range ORDER BY n;
-- other parameter values on the same generic plans
SELECT dash_diff('graph_width', $$'2016-01-01', '2016-01-02', '1 hour'$$),
	   dash_diff('graph_epoch', $$'2016-01-01', '2016-01-02', 3600$$),
	   dash_diff('heatmap', $$'2016-01-01', '2016-01-02', 99$$),
	   dash_diff('top_hosts', $$'2016-01-01', '2016-01-03', 50$$),
	   dash_diff('raw_rows', $$'2016-01-01', '2016-01-03', 'host_49', 1000$$),
	   dash_diff('graph', $$'2016-01-01', '2016-01-03', '{}'$$);

-- The plans are generic: the ranges are parameters, and chunks are pruned
-- when the statement runs.  (One process: parallel workers would share the
-- chunks among themselves.)
SET max_parallel_workers_per_gather = 0;
-- the last hour reads the newest chunk and the small ones after it; a
-- morning reads the three chunks it overlaps
SELECT dash_explain($$EXECUTE graph('2016-01-01 23:05', '2016-01-02 00:05', '{host_0,host_7}')$$);
SELECT dash_explain($$EXECUTE graph('2016-01-01 06:00', '2016-01-01 09:00', '{host_0,host_7}')$$);
SELECT dash_explain($$EXECUTE heatmap('2016-01-01 06:00', '2016-01-01 09:00', 90)$$);
SELECT dash_explain($$EXECUTE stat_last('2016-01-01 23:05', '2016-01-02 00:05')$$);
SELECT dash_explain($$EXECUTE top_hosts('2016-01-01 12:00', '2016-01-01 13:00', 5)$$);
SELECT dash_explain($$EXECUTE graph_fill('2016-01-01 23:40', '2016-01-02 00:10', 'host_3')$$);
-- the newest row per host: two passes, the second reads the newest chunks
SELECT dash_explain($$EXECUTE newest_row('2015-12-31', '2016-01-03')$$);
-- newest rows first, stopping as soon as no older chunk can hold a newer row
SELECT dash_explain($$EXECUTE newest_lateral('2016-01-01 09:00', '{host_1,host_7,host_42}')$$);
SELECT dash_explain($$EXECUTE raw_rows('2016-01-01 06:00', '2016-01-01 09:00', 'host_3', 10)$$);
-- a bucket width that is a parameter of a generic plan, computed when the
-- scan starts
SELECT dash_explain($$EXECUTE graph_width('2016-01-01 06:00', '2016-01-01 07:00', '5 minutes')$$);
RESET max_parallel_workers_per_gather;

-- Custom plans: the same statements planned for each execution's values.
SET plan_cache_mode = force_custom_plan;
SET timeseries.debug_require_vector_agg = on;
SELECT s, dash_diff(s, $$'2016-01-01 06:00', '2016-01-01 09:00'$$ || coalesce(', ' || extra, ''))
  FROM (VALUES ('graph', $$'{host_0,host_7,host_42}'$$), ('graph_bin', NULL),
			   ('graph_width', $$'10 minutes'$$), ('heatmap', '50'), ('stat_last', NULL),
			   ('top_hosts', '3'), ('graph_fill', $$'host_3'$$)) AS s(s, extra)
 ORDER BY s;
RESET timeseries.debug_require_vector_agg;
SELECT s, dash_diff(s, $$'2016-01-01 23:00', '2016-01-02 01:00'$$ || coalesce(', ' || extra, ''))
  FROM (VALUES ('graph_epoch', '60'), ('newest_row', NULL), ('raw_rows', $$'host_3', 7$$)) AS s(s, extra)
 ORDER BY s;
SELECT dash_diff('newest_lateral', $$'2016-01-01 12:00', '{host_1,host_2}'$$),
	   dash_diff('newest_buckets', '3');

-- After compaction merged the small chunks, the same answers.
SET plan_cache_mode = force_generic_plan;
SELECT timeseries.compact('cpu') > 0 AS compacted;
SELECT chunk_count FROM timeseries.tables WHERE table_name = 'cpu'::regclass;
SELECT n, s, dash_diff(s, format('%L, %L', t_from, t_to) || coalesce(', ' || extra, ''))
  FROM dash_range, (VALUES ('graph', $$'{host_0,host_7}'$$), ('stat_last', NULL),
				   ('newest_row', NULL), ('top_hosts', '5')) AS s(s, extra)
 WHERE n IN (1, 3)
 ORDER BY s, n;

RESET plan_cache_mode;
RESET timeseries.debug_require_vectorized;
DEALLOCATE ALL;
DROP FUNCTION dash_prepare(text, text, text), dash_diff(text, text), dash_explain(text);
DROP TABLE cpu, cpu_heap, dash_range;
