-- Read paths, each compared with the same data in a heap table.
SET timeseries.chunk_rows = 1000;
SET timeseries.vector_rows = 128;
CREATE TABLE rd_t (ts timestamptz, dev int, v float8, tag text) USING timeseries;
CREATE TABLE rd_h (ts timestamptz, dev int, v float8, tag text);
INSERT INTO rd_h
  SELECT '2024-01-01 00:00+00'::timestamptz + g * interval '1 min', g % 10,
         CASE WHEN g % 101 = 0 THEN NULL ELSE round((g * 1.5 - 3000)::numeric, 1)::float8 END,
         CASE WHEN g % 7 = 0 THEN NULL ELSE 'tag' || (g % 4) END
    FROM generate_series(0, 4999) g;
INSERT INTO rd_t SELECT * FROM rd_h ORDER BY ts;
RESET timeseries.chunk_rows;
RESET timeseries.vector_rows;
SELECT row_count, chunk_count FROM timeseries.table_stats('rd_t');

-- ctid: rows are numbered in insertion order, 291 per block (see the
-- metadata comment in the install script); the first row is (0,1)
SELECT ctid, ts, dev, v, tag FROM rd_t WHERE ctid = '(0,1)';
SELECT ctid, dev FROM rd_t WHERE ctid = '(0,291)';
SELECT ctid, dev FROM rd_t WHERE ctid = '(1,1)';
-- a ctid that does not exist: no row
SELECT count(*) FROM rd_t WHERE ctid = '(0,292)';
SELECT count(*) FROM rd_t WHERE ctid = '(0,0)';
SELECT count(*) FROM rd_t WHERE ctid = '(1000000,1)';
-- ctid lists and the TID scan agree with a sequential scan
SELECT count(*) FROM rd_t WHERE ctid IN ('(0,1)', '(0,2)', '(3,100)', '(17,52)', '(0,2)', '(99,1)');
SELECT r.ctid, r.dev, r.v FROM rd_t r WHERE r.ctid = ANY (ARRAY['(17,52)', '(3,100)', '(0,1)']::tid[]) ORDER BY r.ctid;
SELECT s.ctid, s.dev, s.v FROM (SELECT ctid, dev, v FROM rd_t OFFSET 0) s
 WHERE s.ctid IN ('(17,52)', '(3,100)', '(0,1)') ORDER BY s.ctid;
-- every row is found by its own ctid, with the same values
SELECT count(*) FROM rd_t a
 WHERE NOT EXISTS (SELECT 1 FROM rd_t b WHERE b.ctid = a.ctid AND b.ts = a.ts);
SELECT count(*), count(DISTINCT ctid) FROM rd_t;
-- TID range scans
SELECT count(*) FROM rd_t WHERE ctid < '(1,1)';
SELECT count(*) FROM rd_t WHERE ctid >= '(10,0)' AND ctid < '(11,0)';
-- ctid of rows not yet written as chunks (own transaction)
BEGIN;
INSERT INTO rd_t VALUES ('2030-01-01', -1, -1, 'pending') RETURNING ctid AS pending_ctid \gset
SELECT dev, tag FROM rd_t WHERE ctid = :'pending_ctid';
ROLLBACK;
SELECT count(*) FROM rd_t WHERE ctid = :'pending_ctid';
SELECT count(*) FROM rd_t WHERE dev = -1;

-- tableoid
SELECT tableoid::regclass, count(*) FROM rd_t GROUP BY 1;
SELECT count(*) FROM rd_t WHERE tableoid = 'rd_t'::regclass;

-- results equal to heap: filters, LIMIT, ORDER BY, aggregates
SELECT count(*) FROM (SELECT * FROM rd_t EXCEPT ALL SELECT * FROM rd_h) x;
SELECT count(*) FROM (SELECT * FROM rd_h EXCEPT ALL SELECT * FROM rd_t) x;
SELECT dev, count(*), count(v), sum(v), avg(v)::numeric(12,4), min(ts), max(tag)
  FROM rd_t GROUP BY dev ORDER BY dev;
SELECT dev, count(*), count(v), sum(v), avg(v)::numeric(12,4), min(ts), max(tag)
  FROM rd_h GROUP BY dev ORDER BY dev;
SELECT count(*) FROM rd_t WHERE v > 100 AND tag = 'tag1';
SELECT count(*) FROM rd_h WHERE v > 100 AND tag = 'tag1';
SELECT count(*) FROM rd_t WHERE v IS NULL OR tag IS NULL;
SELECT count(*) FROM rd_h WHERE v IS NULL OR tag IS NULL;
SELECT count(*) FROM rd_t WHERE ts >= '2024-01-02 12:00+00' AND ts < '2024-01-02 13:00+00';
SELECT count(*) FROM rd_h WHERE ts >= '2024-01-02 12:00+00' AND ts < '2024-01-02 13:00+00';
SELECT * FROM rd_t ORDER BY v DESC NULLS LAST, ts LIMIT 5;
SELECT * FROM rd_h ORDER BY v DESC NULLS LAST, ts LIMIT 5;
SELECT * FROM rd_t ORDER BY ts LIMIT 3 OFFSET 2500;
SELECT * FROM rd_h ORDER BY ts LIMIT 3 OFFSET 2500;
-- LIMIT without ORDER BY stops early and returns rows in insertion order
SELECT ts, dev FROM rd_t LIMIT 3;
SELECT count(*) FROM (SELECT * FROM rd_t LIMIT 1234) x;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v), count(DISTINCT tag),
       string_agg(DISTINCT tag, ',' ORDER BY tag), bool_and(v IS NOT NULL) FROM rd_t;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v), count(DISTINCT tag),
       string_agg(DISTINCT tag, ',' ORDER BY tag), bool_and(v IS NOT NULL) FROM rd_h;
SELECT tag, dev % 2 AS parity, count(*) FROM rd_t GROUP BY ROLLUP (tag, dev % 2) ORDER BY 1, 2;
SELECT tag, dev % 2 AS parity, count(*) FROM rd_h GROUP BY ROLLUP (tag, dev % 2) ORDER BY 1, 2;

-- subqueries
SELECT count(*) FROM rd_t WHERE dev IN (SELECT dev FROM rd_h WHERE v > 4000);
SELECT count(*) FROM rd_h WHERE dev IN (SELECT dev FROM rd_h WHERE v > 4000);
SELECT count(*) FROM rd_t t WHERE EXISTS (SELECT 1 FROM rd_t u WHERE u.ts = t.ts + interval '1 min' AND u.v > t.v);
SELECT count(*) FROM rd_h t WHERE EXISTS (SELECT 1 FROM rd_h u WHERE u.ts = t.ts + interval '1 min' AND u.v > t.v);
SELECT (SELECT max(v) FROM rd_t WHERE dev = d.dev) AS maxv, d.dev
  FROM (VALUES (1), (5), (11)) d(dev) ORDER BY d.dev;
SELECT (SELECT max(v) FROM rd_h WHERE dev = d.dev) AS maxv, d.dev
  FROM (VALUES (1), (5), (11)) d(dev) ORDER BY d.dev;
-- a correlated subquery rescans the timeseries table many times
SELECT count(*) FROM (VALUES (1), (2), (3)) d(dev)
 WHERE (SELECT count(*) FROM rd_t WHERE rd_t.dev = d.dev) = 500;
WITH m AS MATERIALIZED (SELECT dev, max(ts) AS last FROM rd_t GROUP BY dev)
SELECT m.dev, t.v FROM m JOIN rd_t t ON t.dev = m.dev AND t.ts = m.last ORDER BY m.dev;
WITH m AS MATERIALIZED (SELECT dev, max(ts) AS last FROM rd_h GROUP BY dev)
SELECT m.dev, t.v FROM m JOIN rd_h t ON t.dev = m.dev AND t.ts = m.last ORDER BY m.dev;

-- joins: timeseries x heap, and a self-join, with each join method
CREATE TABLE rd_dev (dev int, name text);
INSERT INTO rd_dev SELECT g, 'device ' || g FROM generate_series(0, 12) g;
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT d.name, count(*), sum(t.v) FROM rd_t t JOIN rd_dev d ON d.dev = t.dev
 WHERE t.ts < '2024-01-01 01:00+00' GROUP BY d.name ORDER BY d.name;
RESET enable_hashjoin;
SET enable_nestloop = off;
SET enable_hashjoin = off;
SELECT d.name, count(*), sum(t.v) FROM rd_t t JOIN rd_dev d ON d.dev = t.dev
 WHERE t.ts < '2024-01-01 01:00+00' GROUP BY d.name ORDER BY d.name;
RESET enable_hashjoin;
RESET enable_mergejoin;
RESET enable_nestloop;
SELECT d.name, count(*), sum(t.v) FROM rd_h t JOIN rd_dev d ON d.dev = t.dev
 WHERE t.ts < '2024-01-01 01:00+00' GROUP BY d.name ORDER BY d.name;
SELECT d.dev, count(t.ts) FROM rd_dev d LEFT JOIN rd_t t ON t.dev = d.dev GROUP BY d.dev ORDER BY d.dev;
SELECT d.dev, count(t.ts) FROM rd_dev d LEFT JOIN rd_h t ON t.dev = d.dev GROUP BY d.dev ORDER BY d.dev;
-- self-join: each row with the next minute's row
SELECT count(*), sum(b.v - a.v) FROM rd_t a JOIN rd_t b ON b.ts = a.ts + interval '1 min';
SELECT count(*), sum(b.v - a.v) FROM rd_h a JOIN rd_h b ON b.ts = a.ts + interval '1 min';
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT count(*) FROM rd_t a JOIN rd_t b ON a.ctid = b.ctid WHERE a.dev = 3;
RESET enable_hashjoin;
RESET enable_mergejoin;
-- timeseries x timeseries, different tables
CREATE TABLE rd_t2 USING timeseries AS SELECT dev, 'device ' || dev AS name FROM rd_dev;
SELECT count(*), count(DISTINCT t2.name) FROM rd_t t JOIN rd_t2 t2 USING (dev);
SELECT count(*) FROM rd_t t FULL JOIN rd_t2 t2 USING (dev) WHERE t.ts IS NULL;

-- window functions
SELECT dev, ts, v, lag(v) OVER w AS prev, sum(v) OVER w AS running,
       row_number() OVER w AS rn
  FROM rd_t WHERE dev = 3 AND ts < '2024-01-01 01:00+00'
WINDOW w AS (PARTITION BY dev ORDER BY ts) ORDER BY ts;
SELECT count(*) FROM (
  SELECT dev, ts, lag(v) OVER w AS prev, avg(v) OVER (w ROWS BETWEEN 5 PRECEDING AND CURRENT ROW) AS mavg,
         rank() OVER (PARTITION BY tag ORDER BY v) AS rk
    FROM rd_t WINDOW w AS (PARTITION BY dev ORDER BY ts)
  EXCEPT ALL
  SELECT dev, ts, lag(v) OVER w AS prev, avg(v) OVER (w ROWS BETWEEN 5 PRECEDING AND CURRENT ROW) AS mavg,
         rank() OVER (PARTITION BY tag ORDER BY v) AS rk
    FROM rd_h WINDOW w AS (PARTITION BY dev ORDER BY ts)) x;
SELECT date_trunc('hour', ts) AS hour, count(*), min(v), max(v),
       first_value(min(v)) OVER (ORDER BY date_trunc('hour', ts)) AS first_min,
       sum(count(*)) OVER (ORDER BY date_trunc('hour', ts)) AS cum_count
  FROM rd_t WHERE ts < '2024-01-01 05:00+00' GROUP BY 1 ORDER BY 1;
SELECT date_trunc('hour', ts) AS hour, count(*), min(v), max(v),
       first_value(min(v)) OVER (ORDER BY date_trunc('hour', ts)) AS first_min,
       sum(count(*)) OVER (ORDER BY date_trunc('hour', ts)) AS cum_count
  FROM rd_h WHERE ts < '2024-01-01 05:00+00' GROUP BY 1 ORDER BY 1;

-- only some columns projected, and none (count(*))
SELECT count(*) FROM rd_t;
SELECT sum(dev) FROM rd_t;
SELECT count(tag) FROM rd_t;
-- set operations and DISTINCT
SELECT DISTINCT tag FROM rd_t ORDER BY tag;
SELECT count(*) FROM (SELECT dev FROM rd_t UNION SELECT dev FROM rd_h) x;
-- parallel plans: workers claim chunks from shared state; results match heap
-- (aggregates run over the parallel scan here, not in TimeseriesAgg)
SET timeseries.enable_vector_agg = off;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT count(*), sum(v) FROM rd_t;
SELECT count(*), sum(v) FROM rd_h;
SELECT count(*), sum(v) FROM rd_t WHERE dev < 3;
SELECT count(*), sum(v) FROM rd_h WHERE dev < 3;
CREATE FUNCTION rd_plan(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE l text;
BEGIN
  FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP RETURN NEXT l; END LOOP;
END $$;
SELECT * FROM rd_plan('SELECT count(*), sum(v) FROM rd_t');
SELECT count(*) AS parallel_ts_scans FROM rd_plan('SELECT count(*) FROM rd_t JOIN rd_h USING (ts)') l
 WHERE l LIKE '%Parallel Custom Scan (TimeseriesScan) on rd_t%';
SELECT count(*) FROM rd_t JOIN rd_h USING (ts, dev, v);
SELECT count(*) FROM rd_h a JOIN rd_h b USING (ts, dev, v);
-- without the leader's participation
SET parallel_leader_participation = off;
SELECT count(*), sum(v) FROM rd_t;
RESET parallel_leader_participation;
-- a chunk of at least twice 65536 rows is claimed in parts (ranges of its
-- vectors), so that the participants end together; a pruned chunk's parts
-- are passed over by whoever claims them (the first chunk here, for v > 140000)
SET timeseries.chunk_rows = 140000;
CREATE TABLE rd_big (v int, w int) USING timeseries;
INSERT INTO rd_big SELECT g, g % 7 FROM generate_series(1, 420000) g;
RESET timeseries.chunk_rows;
SELECT * FROM rd_plan('SELECT count(*), sum(v) FROM rd_big WHERE v > 140000');
SELECT count(*), sum(v) FROM rd_big;
SELECT count(*), sum(v) FROM rd_big WHERE v > 140000;
SELECT count(*), sum(v) FROM rd_big WHERE v <= 140000 OR v > 280000;
SELECT count(*), sum(v) FROM rd_big WHERE v > 300000;
SET parallel_leader_participation = off;
SELECT count(*), sum(v) FROM rd_big WHERE v > 140000;
RESET parallel_leader_participation;
SET timeseries.enable_vector_agg = on;
SELECT * FROM rd_plan('SELECT w, count(*), sum(v) FROM rd_big WHERE v > 140000 GROUP BY w');
SELECT w, count(*), sum(v) FROM rd_big WHERE v > 140000 GROUP BY w ORDER BY w;
-- int avg, min and max through TimeseriesCombine, against known answers
SELECT w, count(*), sum(v), avg(v), min(v), max(v) FROM rd_big WHERE v > 1000 GROUP BY w ORDER BY w;
SELECT count(*), sum(v) FROM rd_big WHERE v > 5 AND v < 419990;
SET timeseries.enable_vector_agg = off;
DROP TABLE rd_big;
-- rows still in this transaction's write buffer are invisible to workers:
-- such a statement runs without workers, and sees them
BEGIN;
INSERT INTO rd_t VALUES ('2031-01-01', -2, 1000, 'buffered');
EXPLAIN (analyze, costs off, timing off, summary off) SELECT count(*), sum(v) FROM rd_t;
SELECT count(*), sum(v) FROM rd_t;
SET LOCAL parallel_leader_participation = off;
SELECT count(*), sum(v) FROM rd_t;
ROLLBACK;
-- chunks this transaction has written are visible to workers, which share
-- its snapshot and command ids
BEGIN;
SET LOCAL timeseries.chunk_rows = 100;
INSERT INTO rd_t SELECT '2032-01-01', -3, g, 'flushed' FROM generate_series(1, 100) g;
SELECT count(*), sum(v) FROM rd_t;
SELECT * FROM rd_plan('SELECT count(*), sum(v) FROM rd_t');
ROLLBACK;
-- a forced Gather runs the scan in a worker
SET force_parallel_mode = on;
SELECT count(*), sum(v) FROM rd_t;
SELECT count(*), sum(v) FROM rd_t WHERE tag = 'pending';
RESET force_parallel_mode;
DROP FUNCTION rd_plan(text);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET timeseries.enable_vector_agg;

DROP TABLE rd_t, rd_h, rd_dev, rd_t2;
