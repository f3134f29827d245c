-- TimeseriesScan: column projection, chunk pruning by summaries, vectorized
-- filters, parameters, rescans, cursors, security barriers.  Aggregates here
-- run over the scan (TimeseriesAgg is tested in 17_vector_agg).
SET timeseries.enable_vector_agg = off;
SET timeseries.chunk_rows = 1000;
SET timeseries.vector_rows = 256;
CREATE TABLE cs (t timestamptz, host text, v float8, n int4, b bool, d date, i8 int8)
	USING timeseries;
INSERT INTO cs
SELECT '2024-01-01'::timestamptz + i * interval '1 minute',
	   'h' || (i % 5),
	   i / 10.0,
	   CASE WHEN i % 7 = 0 THEN NULL ELSE i END,
	   CASE WHEN i % 11 = 0 THEN NULL ELSE i % 2 = 0 END,
	   '2024-01-01'::date + i / 1440,
	   i::int8 * 1000000000
FROM generate_series(0, 9999) i;
-- the same rows in a heap table, to compare with
CREATE TABLE cs_heap AS SELECT * FROM cs;
RESET timeseries.chunk_rows;
RESET timeseries.vector_rows;
ANALYZE cs;
ANALYZE cs_heap;

-- the planner picks the custom scan; only referenced columns are read
EXPLAIN (costs off) SELECT host, v FROM cs;
EXPLAIN (costs off) SELECT count(*) FROM cs;
EXPLAIN (costs off) SELECT * FROM cs WHERE n < 10;
EXPLAIN (costs off) SELECT cs FROM cs WHERE n < 10;
-- supported quals are vectorized, the others stay in the executor's filter
EXPLAIN (costs off) SELECT v FROM cs WHERE host = 'h1' AND v BETWEEN 10 AND 20
	AND host LIKE 'h%' AND n IN (1, 2, 3) AND (b OR n IS NULL) AND NOT b;
-- constants on the left are commuted
EXPLAIN (costs off) SELECT count(*) FROM cs WHERE 100 > n;

-- chunk pruning by min/max: a one-day window reads 2 of 10 chunks
EXPLAIN (analyze, costs off, timing off, summary off)
SELECT count(*) FROM cs WHERE t >= '2024-01-03' AND t < '2024-01-04';
SELECT count(*), min(t), max(t) FROM cs WHERE t >= '2024-01-03' AND t < '2024-01-04';
-- cross-type comparisons prune too (timestamptz vs date, int8 vs int4)
EXPLAIN (analyze, costs off, timing off, summary off)
SELECT count(*) FROM cs WHERE t < '2024-01-02'::date AND i8 > 100000000000;
SELECT count(*) FROM cs WHERE t < '2024-01-02'::date AND i8 > 100000000000;
-- IN lists prune by each element; a NULL comparison value prunes everything
EXPLAIN (analyze, costs off, timing off, summary off)
SELECT count(*) FROM cs WHERE n IN (5, 9995);
EXPLAIN (analyze, costs off, timing off, summary off)
SELECT count(*) FROM cs WHERE n = NULL::int;
EXPLAIN (analyze, costs off, timing off, summary off)
SELECT count(*) FROM cs WHERE d = '2024-01-05' OR d = '2024-01-07';

-- vectors are pruned by their own min/max where a column is ordered within
-- a chunk (vectors of NULLs too)
SET timeseries.chunk_rows = 1000;
SET timeseries.vector_rows = 100;
CREATE TABLE vr (i int, j int, f float8) USING timeseries;
INSERT INTO vr SELECT g, CASE WHEN g BETWEEN 300 AND 499 THEN NULL ELSE g END,
	(g * 7919 % 1000) / 1000.0
	FROM generate_series(0, 999) g;
RESET timeseries.chunk_rows;
RESET timeseries.vector_rows;
EXPLAIN (analyze, costs off, timing off, summary off) SELECT count(*) FROM vr WHERE j IS NULL;
SELECT count(*) FROM vr WHERE j IS NULL;
EXPLAIN (analyze, costs off, timing off, summary off) SELECT count(*) FROM vr WHERE j > 950;
SELECT count(*) FROM vr WHERE j > 950;
SELECT count(*) FROM vr WHERE j IS NOT NULL AND i < 350;
SELECT count(*) FROM vr WHERE j < 100 OR i >= 900;
-- a column whose vectors each span its whole range stores no ranges
EXPLAIN (analyze, costs off, timing off, summary off) SELECT count(*) FROM vr WHERE f > 0.99;
DROP TABLE vr;

-- results match the heap table for many quals, including NULLs
CREATE FUNCTION cs_check(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	a bigint;
	b bigint;
	total bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM ((%s) EXCEPT ALL (%s)) x',
				   replace(q, '%T', 'cs_heap'), replace(q, '%T', 'cs')) INTO a;
	EXECUTE format('SELECT count(*) FROM ((%s) EXCEPT ALL (%s)) x',
				   replace(q, '%T', 'cs'), replace(q, '%T', 'cs_heap')) INTO b;
	EXECUTE format('SELECT count(*) FROM (%s) x', replace(q, '%T', 'cs')) INTO total;
	RETURN format('rows=%s only_heap=%s only_ts=%s', total, a, b);
END
$$;
SET timeseries.debug_require_vectorized = on;
SELECT q, cs_check(q) FROM (VALUES
	('SELECT * FROM %T WHERE n < 100'),
	('SELECT * FROM %T WHERE n <> 100'),
	('SELECT * FROM %T WHERE NOT (n <> 100)'),
	('SELECT * FROM %T WHERE NOT (n > 50)'),
	('SELECT * FROM %T WHERE n IS NULL'),
	('SELECT * FROM %T WHERE n IS NOT NULL AND v >= 999.5'),
	('SELECT * FROM %T WHERE b'),
	('SELECT * FROM %T WHERE NOT b'),
	('SELECT * FROM %T WHERE b IS NULL OR n = 3'),
	('SELECT * FROM %T WHERE n NOT IN (1, 2, 3)'),
	('SELECT * FROM %T WHERE n NOT IN (1, 2, NULL)'),
	('SELECT * FROM %T WHERE n = ANY (''{1,2,NULL}'')'),
	('SELECT * FROM %T WHERE n <> ALL (''{}'')'),
	('SELECT * FROM %T WHERE n = ANY (''{}'')'),
	('SELECT * FROM %T WHERE n IS NULL AND n <> ALL (''{}'')'),
	('SELECT * FROM %T WHERE NOT (n = ANY (''{}''))'),
	('SELECT * FROM %T WHERE i8 >= 9998000000000'),
	('SELECT * FROM %T WHERE n > 9990::int2'),
	('SELECT * FROM %T WHERE v > 999'),
	('SELECT * FROM %T WHERE v > 999::float4'),
	('SELECT * FROM %T WHERE v = 3'),
	('SELECT * FROM %T WHERE host = ''h2'' AND n < 50'),
	('SELECT * FROM %T WHERE host <> ''h2'' AND n < 50'),
	('SELECT * FROM %T WHERE host > ''h3'' AND n < 50'),
	('SELECT * FROM %T WHERE host IN (''h1'', ''h4'') AND n < 50'),
	('SELECT * FROM %T WHERE d BETWEEN ''2024-01-03'' AND ''2024-01-04'' AND n < 3000'),
	('SELECT * FROM %T WHERE t > ''2024-01-06''::date AND (b OR NOT b)'),
	('SELECT * FROM %T WHERE t > ''2024-01-06 12:00''::timestamp'),
	('SELECT * FROM %T WHERE (n < 10 OR n > 9990) AND NOT (n IS NULL)')
) AS x(q);
RESET timeseries.debug_require_vectorized;

-- the debug setting proves the vectorized path was taken
SET timeseries.debug_require_vectorized = on;
SELECT count(*) FROM cs WHERE host LIKE 'h1%';
-- an empty table, and quals that are constants, still take the fast path
CREATE TABLE cs_empty (a int) USING timeseries;
EXPLAIN (costs off) SELECT * FROM cs_empty WHERE a > 1;
SELECT * FROM cs_empty WHERE a > 1;
SELECT count(*) FROM cs WHERE n = 5 AND n = 6;
PREPARE cs_pc(int, int) AS SELECT count(*) FROM cs WHERE n = $1 AND n = $2;
SET plan_cache_mode = force_generic_plan;
EXECUTE cs_pc(5, 5);
RESET plan_cache_mode;
DEALLOCATE cs_pc;
DROP TABLE cs_empty;
SET timeseries.enable_custom_scan = off;
EXPLAIN (costs off) SELECT count(*) FROM cs WHERE n < 10;
SELECT count(*) FROM cs WHERE n < 10;
RESET timeseries.enable_custom_scan;
RESET timeseries.debug_require_vectorized;

-- floats: NaN equals NaN and sorts above everything, -0 equals 0
CREATE TABLE fl (f float8, r float4) USING timeseries;
INSERT INTO fl VALUES ('NaN', 'NaN'), ('Infinity', 'Infinity'), ('-Infinity', '-Infinity'),
	(0, 0), ('-0', '-0'), (1.5, 1.5), (NULL, NULL), (1e308, 3e38);
SELECT f FROM fl WHERE f > 1e300 ORDER BY f;
SELECT f FROM fl WHERE f = 'NaN';
SELECT f FROM fl WHERE f <> 'NaN' ORDER BY f;
SELECT f FROM fl WHERE f = 0 ORDER BY f;
SELECT f FROM fl WHERE f < 'Infinity' ORDER BY f;
SELECT r FROM fl WHERE r >= 'NaN'::float8;
SELECT r FROM fl WHERE r > 1e38::float8 ORDER BY r;
SELECT f FROM fl WHERE f IN ('NaN', '-0') ORDER BY f;
-- NaN in a chunk's max still lets it be found
EXPLAIN (analyze, costs off, timing off, summary off) SELECT count(*) FROM fl WHERE f > 1e308;

-- text: collations.  Ordering uses the clause's collation; equality under a
-- nondeterministic collation is not a byte comparison.
CREATE TABLE tx (s text, vc varchar(10)) USING timeseries;
INSERT INTO tx VALUES ('abc', 'abc'), ('ABC', 'ABC'), ('äbc', 'äbc'), ('b', 'b'), (NULL, NULL), ('', '');
SELECT s FROM tx WHERE s < 'b' ORDER BY s COLLATE "C";
SELECT s FROM tx WHERE s COLLATE "C" > 'a' ORDER BY s COLLATE "C";
SELECT vc FROM tx WHERE vc = 'abc';
SELECT vc FROM tx WHERE vc IN ('ABC', '') ORDER BY vc COLLATE "C";
CREATE COLLATION IF NOT EXISTS cs_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
SELECT s FROM tx WHERE s = 'abc' COLLATE cs_ci ORDER BY s COLLATE "C";
SELECT s FROM tx WHERE s <> 'abc' COLLATE cs_ci ORDER BY s COLLATE "C";
EXPLAIN (costs off) SELECT s FROM tx WHERE s = 'abc' COLLATE cs_ci;

-- prepared statements: generic plans evaluate parameters at executor start
SET plan_cache_mode = force_generic_plan;
PREPARE win(timestamptz, timestamptz) AS
	SELECT count(*) FROM cs WHERE t >= $1 AND t < $2;
EXPLAIN (analyze, costs off, timing off, summary off) EXECUTE win('2024-01-02', '2024-01-02 12:00');
EXECUTE win('2024-01-02', '2024-01-02 12:00');
EXECUTE win('2024-01-05', '2024-01-08');
EXECUTE win(NULL, '2024-01-08');
PREPARE hosts(text[], int) AS SELECT count(*) FROM cs WHERE host = ANY ($1) AND n < $2;
EXPLAIN (costs off) EXECUTE hosts('{h1,h2}', 100);
EXECUTE hosts('{h1,h2}', 100);
EXECUTE hosts('{h3}', 5000);
EXECUTE hosts(NULL, 5000);
RESET plan_cache_mode;
DEALLOCATE ALL;

-- stable expressions (now()) are evaluated when the scan starts
BEGIN;
CREATE TABLE recent (t timestamptz, v int) USING timeseries;
SET LOCAL timeseries.chunk_rows = 100;
INSERT INTO recent SELECT now() - i * interval '1 minute', i FROM generate_series(0, 999) i;
EXPLAIN (analyze, costs off, timing off, summary off)
SELECT count(*) FROM recent WHERE t > now() - interval '1 hour';
SELECT count(*) FROM recent WHERE t > now() - interval '1 hour';
-- rows still in this transaction's write buffer are filtered too
SET LOCAL timeseries.chunk_rows = 100000;
INSERT INTO recent SELECT now() - i * interval '1 second', -i FROM generate_series(1, 30) i;
SELECT count(*), min(v) FROM recent WHERE t > now() - interval '10 seconds' AND v < 0;
ROLLBACK;

-- rescans: the inner side of a nested loop and correlated subqueries get
-- fresh comparison values on every rescan
SELECT x, (SELECT count(*) FROM cs WHERE n < x) FROM generate_series(1, 5) x;
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT g.x, count(cs.n) FROM generate_series(1, 3) g(x)
	LEFT JOIN LATERAL (SELECT n FROM cs WHERE n BETWEEN g.x * 100 AND g.x * 100 + 9) cs ON true
	GROUP BY g.x ORDER BY g.x;
RESET enable_hashjoin;
RESET enable_mergejoin;

-- LIMIT stops early; cursors, including SCROLL cursors (through a Material node)
EXPLAIN (analyze, costs off, timing off, summary off) SELECT n FROM cs WHERE n > 10 LIMIT 2;
BEGIN;
DECLARE c CURSOR FOR SELECT n FROM cs WHERE n BETWEEN 20 AND 30 AND n % 2 = 0;
FETCH 2 FROM c;
FETCH 2 FROM c;
DECLARE sc SCROLL CURSOR FOR SELECT n FROM cs WHERE n BETWEEN 20 AND 25;
FETCH 3 FROM sc;
FETCH BACKWARD 2 FROM sc;
FETCH ABSOLUTE 4 FROM sc;
COMMIT;

-- a column added after the data was written: old chunks have no summary for it
ALTER TABLE cs ADD COLUMN extra int DEFAULT 7;
SELECT count(*) FROM cs WHERE extra = 7;
SELECT count(*) FROM cs WHERE extra <> 7;

-- security barriers: a leaky function never sees rows a policy hides
CREATE FUNCTION leak(int) RETURNS bool LANGUAGE plpgsql COST 0.0000001 AS $$
BEGIN
	RAISE NOTICE 'leak saw %', $1;
	RETURN true;
END
$$;
CREATE TABLE sec (owner text, n int) USING timeseries;
INSERT INTO sec VALUES ('cs_alice', 1), ('bob', 2), ('cs_alice', 3), ('bob', 4);
ALTER TABLE sec ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON sec USING (owner = current_user);
CREATE ROLE cs_alice LOGIN;
GRANT SELECT ON sec TO cs_alice;
SET ROLE cs_alice;
SELECT * FROM sec WHERE leak(n);
SELECT * FROM sec WHERE n > 0 AND leak(n);
EXPLAIN (costs off) SELECT * FROM sec WHERE n > 0 AND leak(n);
RESET ROLE;
-- a vectorizable but leaky operator (a type whose < raises a notice) only
-- ever sees rows the policy kept, in the scan and in TimeseriesAgg
CREATE TYPE lk AS (v int);
CREATE FUNCTION lk_cmp(lk, lk) RETURNS int LANGUAGE sql IMMUTABLE STRICT
	AS 'SELECT CASE WHEN $1.v < $2.v THEN -1 WHEN $1.v > $2.v THEN 1 ELSE 0 END';
CREATE FUNCTION lk_lt(lk, lk) RETURNS bool LANGUAGE plpgsql IMMUTABLE STRICT
	AS $$ BEGIN RAISE NOTICE 'lk_lt saw %', $1.v; RETURN $1.v < $2.v; END $$;
CREATE FUNCTION lk_le(lk, lk) RETURNS bool LANGUAGE sql IMMUTABLE STRICT AS 'SELECT $1.v <= $2.v';
CREATE FUNCTION lk_eq(lk, lk) RETURNS bool LANGUAGE sql IMMUTABLE STRICT AS 'SELECT $1.v = $2.v';
CREATE FUNCTION lk_ge(lk, lk) RETURNS bool LANGUAGE sql IMMUTABLE STRICT AS 'SELECT $1.v >= $2.v';
CREATE FUNCTION lk_gt(lk, lk) RETURNS bool LANGUAGE sql IMMUTABLE STRICT AS 'SELECT $1.v > $2.v';
CREATE OPERATOR < (LEFTARG = lk, RIGHTARG = lk, FUNCTION = lk_lt);
CREATE OPERATOR <= (LEFTARG = lk, RIGHTARG = lk, FUNCTION = lk_le);
CREATE OPERATOR = (LEFTARG = lk, RIGHTARG = lk, FUNCTION = lk_eq);
CREATE OPERATOR >= (LEFTARG = lk, RIGHTARG = lk, FUNCTION = lk_ge);
CREATE OPERATOR > (LEFTARG = lk, RIGHTARG = lk, FUNCTION = lk_gt);
CREATE OPERATOR CLASS lk_ops DEFAULT FOR TYPE lk USING btree AS
	OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
	FUNCTION 1 lk_cmp(lk, lk);
ALTER TABLE sec ADD COLUMN p lk;
INSERT INTO sec VALUES ('cs_alice', 5, row(5)), ('bob', 6, row(6)), ('bob', 7, row(7));
SET ROLE cs_alice;
SELECT owner, n FROM sec WHERE p < row(10)::lk;
SELECT count(*) FROM sec WHERE p < row(10)::lk;
EXPLAIN (costs off) SELECT owner, n FROM sec WHERE p < row(10)::lk;
RESET ROLE;
DROP TABLE sec;
DROP TYPE lk CASCADE;
DROP ROLE cs_alice;

-- clauses on one text column are evaluated once per dictionary entry (and
-- once for NULL) of each vector, then mapped to the rows by their codes:
-- three-valued logic over OR, AND, NOT, IN and IS NULL, with NULL hosts
SET timeseries.vector_rows = 64;
CREATE TABLE csd (host text, n int) USING timeseries;
INSERT INTO csd SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE 'h' || (i / 7) % 9 END, i
FROM generate_series(1, 3000) i;
RESET timeseries.vector_rows;
CREATE TABLE csd_heap AS SELECT * FROM csd;
CREATE FUNCTION csd_check(c text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE total bigint; differing bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM csd WHERE %s', c) INTO total;
	EXECUTE format('SELECT count(*) FROM ((SELECT n FROM csd WHERE %1$s EXCEPT ALL '
				   'SELECT n FROM csd_heap WHERE %1$s) UNION ALL (SELECT n FROM csd_heap '
				   'WHERE %1$s EXCEPT ALL SELECT n FROM csd WHERE %1$s)) x', c) INTO differing;
	RETURN format('rows=%s differing=%s', total, differing);
END
$$;
SET timeseries.debug_require_vectorized = on;
SELECT c, csd_check(c) FROM (VALUES
	('host = ''h1'' OR host = ''h3'' OR host = ''nope'''),
	('NOT (host = ''h1'' OR host IN (''h2'', ''h9''))'),
	('host = ''h1'' OR host IS NULL'),
	('(host = ''h1'' OR host IS NULL) AND n < 500'),
	('NOT (host <> ''h4'' AND host IS NOT NULL)'),
	('host <> ALL (''{h0,h4}'') OR host = ''h0'''),
	('host = ANY (''{h2,NULL}'') OR host = ''h5'''),
	('NOT (host = ANY (''{h2,NULL}''))')
) AS x(c);
RESET timeseries.debug_require_vectorized;
DROP TABLE csd, csd_heap;
DROP FUNCTION csd_check(text);

DROP TABLE cs, cs_heap, fl, tx;
DROP FUNCTION cs_check(text);
DROP FUNCTION leak(int);
