-- Retention: timeseries.drop_chunks() deletes exactly the rows older than a
-- cutoff (whole chunks from their metadata, the rest by delete records), and
-- VACUUM applies the retention option.  Compared with heap's DELETE.
SET timeseries.chunk_rows = 500;
CREATE TABLE rt (t timestamptz, host text, v int) USING timeseries;
CREATE TABLE rt_heap (t timestamptz, host text, v int);
INSERT INTO rt SELECT '2024-01-01'::timestamptz + g * interval '10 minutes', 'h' || g % 3, g
	FROM generate_series(0, 2999) g;
INSERT INTO rt VALUES (NULL, 'null time', -1);
INSERT INTO rt_heap SELECT * FROM rt;
RESET timeseries.chunk_rows;
CREATE INDEX rt_v ON rt (v);
SELECT chunk_count, row_count FROM timeseries.table_stats('rt');

-- chunks wholly older go as a whole; the chunk spanning the cutoff is trimmed
SELECT timeseries.drop_chunks('rt', '2024-01-10 03:05');
DELETE FROM rt_heap WHERE t < '2024-01-10 03:05';
SELECT chunk_count, row_count FROM timeseries.table_stats('rt');
SELECT count(*), min(t), max(t), count(*) FILTER (WHERE t IS NULL) AS null_time FROM rt;
SELECT (SELECT count(*) FROM (SELECT * FROM rt EXCEPT ALL SELECT * FROM rt_heap) a) AS only_ts,
	   (SELECT count(*) FROM (SELECT * FROM rt_heap EXCEPT ALL SELECT * FROM rt) b) AS only_heap;
-- again: nothing more to drop
SELECT timeseries.drop_chunks('rt', '2024-01-10 03:05');
-- the index knows the rows are gone
SET enable_seqscan = off;
SET timeseries.enable_custom_scan = off;
SELECT count(*) FROM rt WHERE v < 1400;
SELECT count(*) FROM rt WHERE v BETWEEN 1300 AND 1320;
RESET enable_seqscan;
RESET timeseries.enable_custom_scan;

-- transactional: a rollback brings the rows back; a cursor opened before
-- keeps seeing them; the transaction's unwritten rows are dropped too
BEGIN;
INSERT INTO rt VALUES ('2020-01-01', 'old and unwritten', 0);
DECLARE before_drop CURSOR FOR SELECT count(*) FROM rt;
SELECT timeseries.drop_chunks('rt', '2024-01-15');
FETCH before_drop;
SELECT count(*), min(t) FROM rt;
ROLLBACK;
SELECT count(*), min(t) FROM rt;

-- timestamp and date time columns; the interval form
CREATE TABLE rt_ts (d date, t timestamp, v int) USING timeseries;
SELECT timeseries.set_options('rt_ts', time_column => 'd');
INSERT INTO rt_ts SELECT '2024-01-01'::date + g % 10, '2024-01-01'::timestamp + g * interval '1 hour', g
	FROM generate_series(0, 99) g;
SELECT timeseries.drop_chunks('rt_ts', '2024-01-04 12:00+00');
SELECT min(d), count(*) FROM rt_ts;
SELECT timeseries.set_options('rt_ts', time_column => 't');
SELECT timeseries.drop_chunks('rt_ts', '2024-01-03 00:00+00');
SELECT min(t), count(*) FROM rt_ts;
SELECT timeseries.drop_chunks('rt_ts', interval '1000 years');
SELECT timeseries.drop_chunks('rt_ts', interval '1 day');
SELECT count(*) FROM rt_ts;

-- what drop_chunks refuses
\set VERBOSITY terse
SELECT timeseries.drop_chunks('rt_heap', now());
SELECT timeseries.drop_chunks('rt', 42);
CREATE TABLE rt_int (t int8, v int) USING timeseries;
SELECT timeseries.set_options('rt_int', time_column => 't');
SELECT timeseries.drop_chunks('rt_int', now());
CREATE TABLE rt_notime (v int) USING timeseries;
SELECT timeseries.drop_chunks('rt_notime', now());
CREATE TABLE rt_ref (t timestamptz PRIMARY KEY) USING timeseries;
CREATE TABLE rt_child (t timestamptz REFERENCES rt_ref);
SELECT timeseries.drop_chunks('rt_ref', now());
CREATE ROLE rt_other;
SET ROLE rt_other;
SELECT timeseries.drop_chunks('rt', now());
RESET ROLE;
DROP ROLE rt_other;
\set VERBOSITY default

-- the retention option: VACUUM drops what is older than now() - retention
CREATE TABLE rt_keep (t timestamptz, v int) USING timeseries;
SET timeseries.chunk_rows = 100;
INSERT INTO rt_keep SELECT now() - g * interval '1 hour', g FROM generate_series(0, 499) g;
RESET timeseries.chunk_rows;
SELECT timeseries.set_options('rt_keep', retention => '7 days');
VACUUM rt_keep;
SELECT count(*), max(v) FROM rt_keep;
SELECT count(*) = 7 * 24 AS kept_a_week FROM rt_keep;
SELECT timeseries.reset_options('rt_keep');
INSERT INTO rt_keep VALUES (now() - interval '1 year', -1);
VACUUM rt_keep;
SELECT count(*) FROM rt_keep WHERE v = -1;

DROP TABLE rt, rt_heap, rt_ts, rt_int, rt_notime, rt_child, rt_ref, rt_keep;
