-- time_bucket() and the first()/last() aggregates.
SET search_path = public, timeseries;
SET timezone = 'UTC';

-- fixed widths align to Monday 2000-01-03; weeks start on Mondays
SELECT time_bucket('1 week', '2024-01-10 12:00'::timestamp) AS week_ts,
	   time_bucket('1 week', '2024-01-10 12:00+00'::timestamptz) AS week_tstz,
	   time_bucket('1 week', '2024-01-10'::date) AS week_date,
	   time_bucket('15 minutes', '2024-01-10 12:37:59.5'::timestamp) AS quarter,
	   time_bucket('1 day', '1999-12-31 23:59'::timestamp) AS before_origin;
-- months and years count months from January 2000 and start on the first
SELECT time_bucket('1 month', '2024-05-17 12:00'::timestamp) AS month_ts,
	   time_bucket('3 months', '2024-05-17'::date) AS quarter_date,
	   time_bucket('1 year', '2024-05-17 08:00+00'::timestamptz) AS year_tstz,
	   time_bucket('2 years', '2023-05-17'::date) AS two_years,
	   time_bucket('1 month', '1999-11-30'::date) AS before_2000,
	   time_bucket('3 months', '2024-05-17'::date, '2000-02-15'::date) AS month_origin;
-- origins and offsets
SELECT time_bucket('1 hour', '2024-01-10 12:37'::timestamp, '2024-01-01 00:30'::timestamp) AS origin_ts,
	   time_bucket('1 hour', '2024-01-10 12:37+00'::timestamptz, '2024-01-01 00:20+00'::timestamptz) AS origin_tstz,
	   time_bucket('1 hour', '2024-01-10 12:37'::timestamp, "offset" => '15 minutes'::interval) AS offset_ts,
	   time_bucket('1 day', '2024-01-10 02:00+00'::timestamptz, "offset" => '3 hours'::interval) AS offset_tstz,
	   time_bucket('7 days', '2024-01-10'::date, "offset" => '2 days'::interval) AS offset_date;
-- integers: floor division, offsets
SELECT time_bucket(10, 37) AS i4, time_bucket(10, -37) AS i4_neg, time_bucket(10, 37, 5) AS i4_offset,
	   time_bucket(10::bigint, -1::bigint) AS i8, time_bucket(5::smallint, 7::smallint) AS i2,
	   time_bucket(10, -30) AS exact_neg, time_bucket(7, 0, -3) AS neg_offset;
-- time zones: buckets start at local midnight, across daylight-saving changes
SELECT time_bucket('1 day', '2024-03-10 15:00+00'::timestamptz, 'America/New_York') AS dst_day,
	   time_bucket('1 day', '2024-03-11 15:00+00'::timestamptz, 'America/New_York') AS next_day,
	   time_bucket('1 hour', '2024-03-10 15:40+00'::timestamptz, 'Asia/Kolkata') AS half_hour_zone,
	   time_bucket('1 day', '2024-03-10 15:00+00'::timestamptz, 'Europe/Berlin',
				   "offset" => '6 hours'::interval) AS zone_offset,
	   time_bucket('1 month', '2024-03-31 23:30+00'::timestamptz, 'Europe/Berlin') AS zone_month;
-- infinities and NULLs
SELECT time_bucket('1 day', 'infinity'::timestamptz) AS inf,
	   time_bucket('1 day', '-infinity'::timestamp) AS ninf,
	   time_bucket('1 month', 'infinity'::date) AS inf_date,
	   time_bucket('1 day', NULL::timestamptz) AS null_ts,
	   time_bucket(NULL::interval, now()) AS null_width,
	   time_bucket('1 day', now(), NULL::text) AS null_zone;
-- errors
SELECT time_bucket('0 days', '2024-01-01'::timestamp);
SELECT time_bucket('-1 hour', '2024-01-01'::timestamptz);
SELECT time_bucket(0, 5);
SELECT time_bucket('1 month 2 days', '2024-01-01'::timestamp);
SELECT time_bucket('12 hours', '2024-01-01'::date);
SELECT time_bucket(3, -2147483648);
SELECT time_bucket(10, 2147483647, -5);
SELECT time_bucket('1 day', '4714-11-24 01:00 BC'::timestamp, '2000-01-01 12:00'::timestamp);
SELECT time_bucket('1 day', '294276-12-31 12:00'::timestamp, '2000-01-01 13:00'::timestamp) AS near_end;
SELECT time_bucket('1 day', '2024-01-01'::timestamptz, 'No/Such_Zone');
SELECT time_bucket('1 day', '2024-01-01'::timestamp, '-infinity'::timestamp);

-- for widths without months, time_bucket is date_bin with origin 2000-01-03
SELECT count(*) AS checked,
	   count(*) FILTER (WHERE time_bucket(w, ts) <> date_bin(w, ts, '2000-01-03 00:00'::timestamp)) AS ts_mismatches,
	   count(*) FILTER (WHERE time_bucket(w, ts::timestamptz) <> date_bin(w, ts::timestamptz, '2000-01-03 00:00+00'::timestamptz)) AS tstz_mismatches,
	   count(*) FILTER (WHERE time_bucket(w, ts, '1987-06-05 04:03:02'::timestamp) <> date_bin(w, ts, '1987-06-05 04:03:02'::timestamp)) AS origin_mismatches
  FROM (SELECT '1900-01-01'::timestamp + random() * interval '300 years' AS ts
		  FROM generate_series(1, 2000)) t,
	   (VALUES (interval '1 second'), (interval '7 minutes'), (interval '1 hour'), (interval '1 day'),
			   (interval '7 days'), (interval '10 days 3 hours'), (interval '365 days')) w(w);
-- integers: time_bucket(w, x) = w * floor(x / w)
SELECT count(*) FILTER (WHERE time_bucket(w, x) <> (w * floor(x::numeric / w))::bigint) AS int_mismatches
  FROM generate_series(-1000, 1000) x, (VALUES (1::bigint), (3), (7), (1000), (5000)) w(w);

-- first() and last(): the value at the smallest / largest non-NULL time
CREATE TABLE fl_h (g int, t timestamptz, v text, n numeric);
INSERT INTO fl_h
SELECT i % 7,
	   CASE WHEN i % 13 = 0 THEN NULL ELSE '2024-01-01'::timestamptz + ((i * 7919) % 10007) * interval '1 minute' END,
	   CASE WHEN i % 5 = 0 THEN NULL ELSE 'v' || i END,
	   i / 3.0
  FROM generate_series(1, 5000) i;
CREATE TABLE fl_t (LIKE fl_h) USING timeseries;
INSERT INTO fl_t SELECT * FROM fl_h;
SELECT g, first(v, t), last(v, t), first(n, t), last(t, t), first(g, t)
  FROM fl_h GROUP BY g ORDER BY g;
-- the same as ordered array aggregates, on heap and timeseries tables
SELECT count(*) AS groups,
	   count(*) FILTER (WHERE f IS DISTINCT FROM fo OR l IS DISTINCT FROM lo) AS mismatches
  FROM (SELECT g, first(v, t) f, last(v, t) l,
			   (array_agg(v ORDER BY t) FILTER (WHERE t IS NOT NULL))[1] fo,
			   (array_agg(v ORDER BY t DESC) FILTER (WHERE t IS NOT NULL))[1] lo
		  FROM fl_t GROUP BY g) x;
-- all times NULL, and no rows
SELECT first(v, NULL::timestamptz), last(v, NULL::int) FROM fl_h;
SELECT first(v, t), last(v, t) FROM fl_h WHERE false;
-- parallel: partial states are serialized and combined
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (costs off) SELECT g, first(v, t), last(v, t) FROM fl_h GROUP BY g;
SELECT g, first(v, t), last(v, t), first(n, t), last(n, t) FROM fl_h GROUP BY g ORDER BY g;
SELECT g, first(v, t), last(v, t), first(n, t), last(n, t) FROM fl_t GROUP BY g ORDER BY g;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
-- text times compare with the collation; times need a btree order
SELECT first(v, v COLLATE "C"), last(v, v COLLATE "C") FROM fl_h;
SELECT first(g, point(g, g)) FROM fl_h;
DROP TABLE fl_h, fl_t;
