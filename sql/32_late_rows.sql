-- Late rows: a row older than the late horizon (the earliest time of the
-- newest chunk of at least half chunk_rows on-time rows) takes its row id
-- from the upper half of the id space, so that compaction merges late rows
-- with each other and the chunks of on-time rows keep narrow time ranges.
SET search_path = public, timeseries;
SET timezone = 'UTC';
CREATE FUNCTION lr_wait() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1..600 LOOP
		PERFORM pg_stat_clear_snapshot();
		EXIT WHEN NOT EXISTS (SELECT FROM pg_stat_activity
							   WHERE pid <> pg_backend_pid() AND backend_xmin IS NOT NULL);
		PERFORM pg_sleep(0.05);
	END LOOP;
END $$;
-- each chunk of a table: its rows' part of the id space, count and time range
CREATE FUNCTION lr_chunks(tbl regclass) RETURNS TABLE (late bool, nrows bigint, t_min text, t_max text)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format(
		'SELECT c.first_row >= 2147483647::int8 * 291, count(*), min(x.t)::text, max(x.t)::text
		   FROM (SELECT t, (ctid::text::point)[0]::int8 * 291 + (ctid::text::point)[1]::int8 - 1 AS r
				   FROM %s) x
		   JOIN timeseries_internal.chunk c
			 ON c.storage_id = (SELECT max(storage_id) FROM timeseries_internal.chunk)
			AND x.r >= c.first_row AND x.r < c.first_row + coalesce(c.row_span, c.row_count)
		  GROUP BY c.first_row ORDER BY c.first_row', tbl);
END $$;
CREATE FUNCTION lr_is_late(c tid) RETURNS bool LANGUAGE sql
	AS 'SELECT (c::text::point)[0] >= 2147483647';

CREATE TABLE lr (t timestamptz, host text, v int) USING timeseries;
SELECT set_options('lr', segment_by => '{host}', chunk_rows => 1000);
-- ten hours in time order, 4 hosts: ten chunks of an hour; the horizon is 09:00
INSERT INTO lr SELECT '2024-01-01'::timestamptz + (i / 4) * interval '14.4 s', 'h' || i % 4, i
  FROM generate_series(0, 9999) i;
CREATE TABLE lr_heap AS SELECT * FROM lr;
-- a row older than the horizon is late, one at or after it is not, nor a
-- row without a time
INSERT INTO lr VALUES ('2024-01-01 08:59:59', 'h0', -1), ('2024-01-01 09:00:00.1', 'h0', -2),
	(NULL, 'h1', -3) RETURNING t, v, lr_is_late(ctid);
INSERT INTO lr_heap VALUES ('2024-01-01 08:59:59', 'h0', -1), ('2024-01-01 09:00:00.1', 'h0', -2),
	(NULL, 'h1', -3);

-- a trickle of one-row transactions: on-time rows (10:00 on) and a
-- backfill of 02:00 to 03:00 (at half seconds: no time of the load), interleaved
CREATE PROCEDURE lr_trickle(tbl regclass) LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 0..299 LOOP
		EXECUTE format('INSERT INTO %s VALUES ($1, $2, $3)', tbl)
		  USING '2024-01-01 10:00'::timestamptz + i * interval '12 s', 'h' || i % 3, 100000 + i;
		COMMIT;
		EXECUTE format('INSERT INTO %s VALUES ($1, $2, $3)', tbl)
		  USING '2024-01-01 02:00:00.5'::timestamptz + i * interval '12 s', 'h' || i % 3, 200000 + i;
		COMMIT;
	END LOOP;
END $$;
CALL lr_trickle('lr');
CALL lr_trickle('lr_heap');
SELECT lr_is_late(ctid) AS late, count(*), min(t), max(t) FROM lr WHERE v >= 100000 GROUP BY 1 ORDER BY 1;
SELECT lr_wait();
VACUUM lr;
-- the trickled rows are merged in two chunks: the on-time rows (with the
-- rows inserted after the load), and the backfill with the earlier late row
SELECT * FROM lr_chunks('lr');
-- the newest hour reads only its chunk; the backfilled hour the chunk it
-- was loaded into and the backfill's
EXPLAIN (analyze, costs off, timing off, summary off)
SELECT count(*) FROM lr WHERE t >= '2024-01-01 10:00';
EXPLAIN (analyze, costs off, timing off, summary off)
SELECT count(*) FROM lr WHERE t >= '2024-01-01 02:00' AND t < '2024-01-01 03:00';
-- the same rows as heap
SELECT (SELECT count(*) FROM (SELECT * FROM lr EXCEPT ALL SELECT * FROM lr_heap) x) AS extra,
	   (SELECT count(*) FROM (SELECT * FROM lr_heap EXCEPT ALL SELECT * FROM lr) x) AS missing;
SELECT date_trunc('hour', t) AS h, count(*), sum(v) FROM lr GROUP BY 1
EXCEPT ALL SELECT date_trunc('hour', t), count(*), sum(v) FROM lr_heap GROUP BY 1;
SELECT * FROM verify('lr');

-- in a transaction: unwritten late rows are seen, a savepoint's go with it
BEGIN;
INSERT INTO lr VALUES ('2024-01-01 01:00', 'h9', 1);
SAVEPOINT s;
INSERT INTO lr VALUES ('2024-01-01 01:00:01', 'h9', 2), ('2024-01-01 11:00', 'h9', 3);
ROLLBACK TO SAVEPOINT s;
INSERT INTO lr VALUES ('2024-01-01 01:00:02', 'h9', 4);
SAVEPOINT s2;
INSERT INTO lr VALUES ('2024-01-01 01:00:03', 'h9', 5);
RELEASE SAVEPOINT s2;
SELECT t, v, lr_is_late(ctid) FROM lr WHERE host = 'h9' ORDER BY v;
COMMIT;
SELECT t, v, lr_is_late(ctid) FROM lr WHERE host = 'h9' ORDER BY v;
-- unwritten on-time and late rows, some deleted, in one scan (the
-- deleted rows' mask is per part of the id space)
BEGIN;
INSERT INTO lr VALUES ('2024-01-01 11:30', 'h6', 1), ('2024-01-01 00:10', 'h6', 2),
	('2024-01-01 11:31', 'h6', 3), ('2024-01-01 00:11', 'h6', 4);
DELETE FROM lr WHERE host = 'h6' AND v IN (3, 4);
SELECT t, v, lr_is_late(ctid) FROM lr WHERE host = 'h6' ORDER BY v;
ROLLBACK;
-- UPDATE and DELETE of late rows; an update's new version of an old row is
-- late too
UPDATE lr SET v = v + 10 WHERE host = 'h9' AND v = 4 RETURNING t, v, lr_is_late(ctid);
DELETE FROM lr WHERE host = 'h9' AND v = 1;
SELECT t, v, lr_is_late(ctid) FROM lr WHERE host = 'h9' ORDER BY v;
DELETE FROM lr WHERE host = 'h9';

-- a bulk backfill of an earlier day, in time order: full late chunks of
-- narrow time ranges
INSERT INTO lr SELECT '2023-12-31'::timestamptz + (i / 4) * interval '14.4 s', 'h' || i % 4, i
  FROM generate_series(0, 2999) i;
SELECT * FROM lr_chunks('lr') WHERE late;

-- a unique index sees late and on-time rows alike
CREATE UNIQUE INDEX lr_host_t ON lr (host, t);
INSERT INTO lr VALUES ('2024-01-01 02:00', 'h0', 0);
INSERT INTO lr VALUES ('2024-01-01 02:00', 'h0', 0) ON CONFLICT DO NOTHING;
INSERT INTO lr VALUES ('2024-01-01 00:30', 'h7', 0), ('2024-01-01 00:30', 'h7', 1);
SELECT count(*) FROM lr WHERE host = 'h7';
DROP INDEX lr_host_t;

-- the horizon moves when the chunks' transaction commits: not for chunks
-- rolled back (to a savepoint too), nor past the present for future times
BEGIN;
INSERT INTO lr SELECT '2099-01-01'::timestamptz + i * interval '1 s', 'f', i FROM generate_series(1, 2000) i;
ROLLBACK;
BEGIN;
SAVEPOINT s;
INSERT INTO lr SELECT '2099-01-01'::timestamptz + i * interval '1 s', 'f', i FROM generate_series(1, 2000) i;
ROLLBACK TO SAVEPOINT s;
COMMIT;
INSERT INTO lr VALUES ('2024-01-01 12:00', 'h5', 1) RETURNING lr_is_late(ctid);
INSERT INTO lr SELECT '2099-01-01'::timestamptz + i * interval '1 s', 'f', i FROM generate_series(1, 2000) i;
INSERT INTO lr VALUES (now() + interval '1 hour', 'h5', 2), ('2024-01-01 12:01', 'h5', 3)
  RETURNING v, lr_is_late(ctid);
DELETE FROM lr WHERE host IN ('f', 'h5');

-- another time column (set_options): the horizon was about the old one, so
-- nothing is late until a chunk of the new one is written
ALTER TABLE lr ADD COLUMN t2 timestamptz;
SELECT set_options('lr', time_column => 't2');
INSERT INTO lr VALUES ('2024-01-01 01:00', 'h8', 1, '2000-01-01') RETURNING lr_is_late(ctid);
SELECT reset_options('lr');
SELECT set_options('lr', segment_by => '{host}', chunk_rows => 1000);
INSERT INTO lr VALUES ('2024-01-01 01:00', 'h8', 2, NULL) RETURNING lr_is_late(ctid);

-- an integer time column; and a table without a time column
CREATE TABLE lr_int (tick bigint, v int) USING timeseries;
SELECT set_options('lr_int', time_column => 'tick', chunk_rows => 100);
INSERT INTO lr_int SELECT i, i FROM generate_series(1, 1000) i;
INSERT INTO lr_int VALUES (5, 0), (950, 0), (2000, 0) RETURNING tick, lr_is_late(ctid);
CREATE TABLE lr_none (v int) USING timeseries;
INSERT INTO lr_none SELECT i FROM generate_series(1, 100) i;
SELECT count(*) FILTER (WHERE lr_is_late(ctid)) FROM lr_none;

-- a new relfilenode (TRUNCATE) starts without a horizon
TRUNCATE lr_int;
INSERT INTO lr_int VALUES (5, 0) RETURNING lr_is_late(ctid);

DROP TABLE lr, lr_heap, lr_int, lr_none;
DROP PROCEDURE lr_trickle(regclass);
DROP FUNCTION lr_chunks(regclass);
DROP FUNCTION lr_is_late(tid);
DROP FUNCTION lr_wait();
