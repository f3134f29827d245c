-- Differential check: the same rows in a heap table (dh) and a timeseries
-- table (dt) must give the same query results.  Every line of output must
-- say only_heap=0 only_ts=0; "rows" is the heap result size (to show the
-- query does select something).  The random test/diff/diff.pl (TAP test
-- 090_differential) does the same on a much larger scale.

-- compares the results of q with %T replaced by the heap table and by the
-- timeseries table, as multisets (EXCEPT ALL both ways)
CREATE FUNCTION diff_check(q text, h text DEFAULT 'dh', t text DEFAULT 'dt')
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	qh text := replace(q, '%T', h);
	qt text := replace(q, '%T', t);
	only_heap bigint;
	only_ts bigint;
	total bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM ((%s) EXCEPT ALL (%s)) x', qh, qt) INTO only_heap;
	EXECUTE format('SELECT count(*) FROM ((%s) EXCEPT ALL (%s)) x', qt, qh) INTO only_ts;
	EXECUTE format('SELECT count(*) FROM (%s) x', qh) INTO total;
	RETURN format('rows=%s only_heap=%s only_ts=%s', total, only_heap, only_ts);
END
$$;

CREATE TABLE dh (id int8, t timestamptz, i2 int2, i4 int4, i8 int8, f8 float8,
				 n numeric, tl text, th text, b bool, d date, j jsonb, ia int4[]);
CREATE TABLE dt (LIKE dh) USING timeseries;

-- source rows (deterministic: setseed)
SELECT setseed(0.4242) IS NULL AS seeded;
CREATE TEMP TABLE src AS
SELECT g::int8 AS id,
	   '2024-01-01 00:00:00+00'::timestamptz
		 + (g + floor(random() * 20) - 10) * interval '37 seconds'
		 + CASE WHEN g % 97 = 0 THEN interval '-2 days' ELSE interval '0' END AS t,
	   (random() * 200 - 100)::int2 AS i2,
	   CASE WHEN random() < 0.05 THEN NULL ELSE (random() * 2000 - 1000)::int4 END AS i4,
	   CASE WHEN g % 500 = 0 THEN 9223372036854775807
			ELSE g::int8 * 1000003 END AS i8,
	   CASE WHEN g % 211 = 0 THEN 'NaN'::float8
			WHEN g % 223 = 0 THEN '-0'::float8
			WHEN g % 227 = 0 THEN 'Infinity'::float8
			WHEN random() < 0.03 THEN NULL
			ELSE floor(random() * 8000) / 16 - 250 END AS f8,
	   CASE WHEN g % 307 = 0 THEN 'NaN'::numeric
			ELSE round((random() * 1000)::numeric, (g % 4)::int) END AS n,
	   (ARRAY['alpha', 'beta', 'gamma', 'delta', ''])[1 + (random() * 4)::int] AS tl,
	   CASE WHEN g % 401 = 0 THEN repeat(md5(g::text), 200)
			WHEN random() < 0.05 THEN NULL
			ELSE substr(md5(g::text), 1, (random() * 12)::int) END AS th,
	   CASE WHEN random() < 0.1 THEN NULL ELSE random() < 0.5 END AS b,
	   '2023-06-01'::date + (random() * 400)::int AS d,
	   CASE WHEN g % 3 = 0 THEN jsonb_build_object('k', g % 10, 's', substr(md5(g::text), 1, 2))
			WHEN g % 3 = 1 THEN to_jsonb(g % 7) END AS j,
	   CASE WHEN g % 13 = 0 THEN NULL
			ELSE ARRAY[(random() * 5)::int, (random() * 5)::int] END AS ia
  FROM generate_series(1, 6000) g;

-- the same load, through different paths and chunk layouts, into both tables
SET timeseries.chunk_rows = 1000;
SET timeseries.vector_rows = 100;
SET timeseries.inline_max_bytes = 0;
INSERT INTO dh SELECT * FROM src WHERE id <= 3000;
INSERT INTO dt SELECT * FROM src WHERE id <= 3000;

SET timeseries.chunk_rows = 7;
SET timeseries.vector_rows = 3;
SET timeseries.inline_max_bytes = 4096;
INSERT INTO dh SELECT * FROM src WHERE id BETWEEN 3001 AND 3100;
INSERT INTO dt SELECT * FROM src WHERE id BETWEEN 3001 AND 3100;
INSERT INTO dh SELECT * FROM src WHERE id = 3101;
INSERT INTO dt SELECT * FROM src WHERE id = 3101;
INSERT INTO dh SELECT * FROM src WHERE id = 3102;
INSERT INTO dt SELECT * FROM src WHERE id = 3102;

SET timeseries.chunk_rows = 64;
SET timeseries.vector_rows = 10;
BEGIN;
INSERT INTO dh SELECT * FROM src WHERE id BETWEEN 3103 AND 3500;
INSERT INTO dt SELECT * FROM src WHERE id BETWEEN 3103 AND 3500;
SAVEPOINT s1;
INSERT INTO dh SELECT * FROM src WHERE id BETWEEN 3501 AND 3600;
INSERT INTO dt SELECT * FROM src WHERE id BETWEEN 3501 AND 3600;
ROLLBACK TO SAVEPOINT s1;
SAVEPOINT s2;
INSERT INTO dh SELECT * FROM src WHERE id BETWEEN 3601 AND 3700;
INSERT INTO dt SELECT * FROM src WHERE id BETWEEN 3601 AND 3700;
RELEASE SAVEPOINT s2;
INSERT INTO dh SELECT * FROM src WHERE id BETWEEN 3701 AND 4000;
INSERT INTO dt SELECT * FROM src WHERE id BETWEEN 3701 AND 4000;
COMMIT;

BEGIN;
INSERT INTO dh SELECT * FROM src WHERE id BETWEEN 4001 AND 4500;
INSERT INTO dt SELECT * FROM src WHERE id BETWEEN 4001 AND 4500;
ROLLBACK;

-- out of order, one big chunk, other codecs
SET timeseries.chunk_rows = 65536;
SET timeseries.vector_rows = 1024;
SET timeseries.compression = lz4;
INSERT INTO dh SELECT * FROM src WHERE id > 4500 ORDER BY t DESC, id;
INSERT INTO dt SELECT * FROM src WHERE id > 4500 ORDER BY t DESC, id;
SET timeseries.compression = none;
SET timeseries.chunk_rows = 100;

-- COPY, with edge values
COPY dh FROM stdin;
90001	2024-02-01 00:00:00+00	-32768	-2147483648	-9223372036854775808	-Infinity	-0.000	\N	tab\there	t	infinity	{"k": null}	{NULL,1}
90002	infinity	32767	2147483647	0	5e-324	1.50	beta	back\\slash	f	-infinity	[1, "x"]	{}
90003	\N	\N	\N	\N	\N	\N	\N	\N	\N	\N	\N	\N
90004	1999-12-31 23:59:59.999999+00	0	0	0	0	0	alpha	line\nbreak	\N	2000-02-29	null	{{1,2},{3,4}}
\.
COPY dt FROM stdin;
90001	2024-02-01 00:00:00+00	-32768	-2147483648	-9223372036854775808	-Infinity	-0.000	\N	tab\there	t	infinity	{"k": null}	{NULL,1}
90002	infinity	32767	2147483647	0	5e-324	1.50	beta	back\\slash	f	-infinity	[1, "x"]	{}
90003	\N	\N	\N	\N	\N	\N	\N	\N	\N	\N	\N	\N
90004	1999-12-31 23:59:59.999999+00	0	0	0	0	0	alpha	line\nbreak	\N	2000-02-29	null	{{1,2},{3,4}}
\.

-- a table reading itself while it is written
INSERT INTO dh SELECT id + 100000, t, i2, i4, i8, f8, n, tl, th, b, d, j, ia FROM dh WHERE id % 10 = 0;
INSERT INTO dt SELECT id + 100000, t, i2, i4, i8, f8, n, tl, th, b, d, j, ia FROM dt WHERE id % 10 = 0;
RESET timeseries.chunk_rows;
RESET timeseries.vector_rows;
RESET timeseries.inline_max_bytes;
RESET timeseries.compression;

-- the layout really has many chunks, some inline, some in pages
SELECT chunk_count > 20 AS many_chunks, inline_chunk_count > 0 AS some_inline,
	   chunk_count > inline_chunk_count AS some_in_pages, row_count = (SELECT count(*) FROM dh) AS row_count_ok
  FROM timeseries.table_stats('dt');

SELECT diff_check(q) AS result, q AS query FROM (VALUES
 ($$SELECT * FROM %T$$),
 ($$SELECT * FROM %T WHERE i4 > 100$$),
 ($$SELECT * FROM %T WHERE i4 BETWEEN -50 AND 50 OR tl = 'beta'$$),
 ($$SELECT * FROM %T WHERE f8 = 'NaN' OR f8 < 0 OR f8 IS NULL$$),
 ($$SELECT * FROM %T WHERE f8 = 0$$),
 ($$SELECT * FROM %T WHERE n >= 1.5 AND NOT b$$),
 ($$SELECT * FROM %T WHERE tl IN ('alpha', '') AND th LIKE 'a%'$$),
 ($$SELECT * FROM %T WHERE t >= '2024-01-02' AND t < '2024-01-03' OR t = 'infinity'$$),
 ($$SELECT * FROM %T WHERE d IS NULL OR j ? 'k'$$),
 ($$SELECT * FROM %T WHERE ia @> '{3}' OR i8 IS NULL$$),
 ($$SELECT * FROM %T WHERE j @> '{"k": 5}' AND i2 <> 0$$),
 ($$SELECT * FROM %T WHERE th IS NULL AND i4 IS NULL$$),
 ($$SELECT * FROM %T WHERE i8 = 9223372036854775807 OR i2 IN (-32768, 32767)$$),
 ($$SELECT count(*), count(i4), sum(i4), sum(i8), sum(n), min(t), max(d), min(th), max(tl), sum(f8::numeric) FROM %T$$),
 ($$SELECT tl, count(*), sum(i4), min(f8), max(f8), bool_and(b), bool_or(b) FROM %T GROUP BY tl$$),
 ($$SELECT b, date_trunc('day', t), count(*), sum(n), avg(i2) FROM %T GROUP BY 1, 2$$),
 ($$SELECT i4 % 10, count(*), max(id) FROM %T GROUP BY ROLLUP (i4 % 10)$$),
 ($$SELECT j ->> 's', ia[1], count(*) FROM %T GROUP BY 1, 2$$),
 ($$SELECT DISTINCT tl, b FROM %T$$),
 ($$SELECT id, i4 FROM %T ORDER BY i4 DESC NULLS LAST, id LIMIT 20$$),
 ($$SELECT id, t FROM %T WHERE b ORDER BY t, id LIMIT 10 OFFSET 5$$),
 ($$SELECT a.id, b.id FROM %T a JOIN %T b ON a.i4 = b.i4 WHERE a.id % 50 = 1 AND b.id % 50 = 2$$),
 ($$SELECT a.id, b.id FROM %T a LEFT JOIN %T b ON a.th = b.th AND b.id < a.id WHERE a.id % 100 = 7$$),
 ($$SELECT count(*) FROM %T a WHERE EXISTS (SELECT 1 FROM %T b WHERE b.tl = a.tl AND b.id = a.id + 1)$$),
 ($$SELECT count(*) FROM %T WHERE i4 IN (SELECT i4 FROM %T WHERE tl = 'gamma')$$),
 ($$SELECT id, (SELECT max(b.i4) FROM %T b WHERE b.tl = a.tl) FROM %T a WHERE a.id % 500 = 3$$),
 ($$SELECT id, rank() OVER (PARTITION BY tl ORDER BY i4), sum(i4) OVER (PARTITION BY b ORDER BY id) FROM %T WHERE id % 7 = 0$$),
 ($$SELECT tl, string_agg(th, ',' ORDER BY th) FROM %T WHERE id % 100 = 0 GROUP BY tl$$),
 ($$SELECT length(th), md5(th) FROM %T WHERE length(th) > 1000$$),
 ($$SELECT tl FROM %T EXCEPT SELECT th FROM %T$$),
 ($$SELECT id FROM %T WHERE t = (SELECT max(t) FROM %T WHERE t < 'infinity')$$)
) v(q);

-- the same under generic plans: PREPARE/EXECUTE ...
SET plan_cache_mode = force_generic_plan;
PREPARE ph(int, text, numeric) AS SELECT id, i4, tl, n FROM dh WHERE (i4 > $1 AND tl <> $2) OR n = $3;
PREPARE pt(int, text, numeric) AS SELECT id, i4, tl, n FROM dt WHERE (i4 > $1 AND tl <> $2) OR n = $3;
CREATE TEMP TABLE gh1 AS EXECUTE ph(10, 'beta', 1.5);
CREATE TEMP TABLE gt1 AS EXECUTE pt(10, 'beta', 1.5);
CREATE TEMP TABLE gh2 AS EXECUTE ph(-900, '', NULL);
CREATE TEMP TABLE gt2 AS EXECUTE pt(-900, '', NULL);
SELECT diff_check('SELECT * FROM %T', 'gh1', 'gt1') AS first_execution,
	   diff_check('SELECT * FROM %T', 'gh2', 'gt2') AS second_execution;

-- ... and plpgsql's cached plans of static SQL
CREATE FUNCTION cnt_h(x int, s text) RETURNS bigint LANGUAGE plpgsql AS
$$BEGIN RETURN (SELECT count(*) FROM dh WHERE i4 > x AND tl <> s); END$$;
CREATE FUNCTION cnt_t(x int, s text) RETURNS bigint LANGUAGE plpgsql AS
$$BEGIN RETURN (SELECT count(*) FROM dt WHERE i4 > x AND tl <> s); END$$;
SELECT count(*) AS executions, sum(cnt_h(x, s)) > 0 AS nonempty,
	   count(*) FILTER (WHERE cnt_h(x, s) IS DISTINCT FROM cnt_t(x, s)) AS mismatches
  FROM generate_series(-1000, 1000, 100) x, unnest(ARRAY['alpha', 'beta', '']) s;
RESET plan_cache_mode;
DEALLOCATE ph;
DEALLOCATE pt;

DROP FUNCTION cnt_h(int, text), cnt_t(int, text), diff_check(text, text, text);
DROP TABLE dh, dt;
