-- Compaction: timeseries.compact() and VACUUM merge runs of small chunks
-- (one per trickle transaction) into full chunks; rows keep their row ids,
-- so ctids, index entries and deleted rows stay as they were.
CREATE TABLE cp (id int, t timestamptz, host text, v float8) USING timeseries;
CREATE TABLE cp_heap (id int, t timestamptz, host text, v float8);
SELECT timeseries.set_options('cp', segment_by => '{host}', chunk_rows => 100);
CREATE INDEX cp_id ON cp (id);
-- 250 one-row transactions, then a gap (a rolled back transaction), then 30 more
DO $$
BEGIN
	FOR i IN 1..250 LOOP
		INSERT INTO cp VALUES (i, '2024-01-01'::timestamptz + i * interval '1 minute', 'h' || i % 3, i / 2.0);
		COMMIT;
	END LOOP;
END $$;
BEGIN;
INSERT INTO cp VALUES (-1, NULL, 'rolled back', 0);
ROLLBACK;
DO $$
BEGIN
	FOR i IN 251..280 LOOP
		INSERT INTO cp VALUES (i, '2024-01-01'::timestamptz + i * interval '1 minute', 'h' || i % 3, i / 2.0);
		COMMIT;
	END LOOP;
END $$;
INSERT INTO cp_heap SELECT * FROM cp;
DELETE FROM cp WHERE id % 10 = 0;
DELETE FROM cp_heap WHERE id % 10 = 0;
UPDATE cp SET v = -v WHERE id % 10 = 1;
UPDATE cp_heap SET v = -v WHERE id % 10 = 1;
SELECT chunk_count, inline_chunk_count, row_count FROM timeseries.table_stats('cp');
CREATE TEMP TABLE cp_before AS SELECT ctid AS tid, * FROM cp;

-- runs of small adjacent chunks become chunks of up to chunk_rows rows
SELECT timeseries.compact('cp');
SELECT chunk_count, inline_chunk_count, row_count FROM timeseries.table_stats('cp');
-- nothing changed for a reader: the same rows under the same ctids
SELECT (SELECT count(*) FROM (SELECT ctid, * FROM cp EXCEPT ALL SELECT * FROM cp_before) a) AS changed,
	   (SELECT count(*) FROM (SELECT * FROM cp_before EXCEPT ALL SELECT ctid, * FROM cp) b) AS lost;
SELECT (SELECT count(*) FROM (SELECT * FROM cp EXCEPT ALL SELECT * FROM cp_heap) a) AS only_ts,
	   (SELECT count(*) FROM (SELECT * FROM cp_heap EXCEPT ALL SELECT * FROM cp) b) AS only_heap;
-- the index still finds rows, deleted ones stay deleted
SET enable_seqscan = off;
SET timeseries.enable_custom_scan = off;
SELECT id, v FROM cp WHERE id IN (5, 10, 11, 255, 260) ORDER BY id;
RESET enable_seqscan;
RESET timeseries.enable_custom_scan;
-- a second compaction has nothing left to merge
SELECT timeseries.compact('cp');

-- VACUUM compacts too; later deletes and updates work on compacted chunks
DO $$
BEGIN
	FOR i IN 281..350 LOOP
		INSERT INTO cp VALUES (i, '2024-01-01'::timestamptz + i * interval '1 minute', 'h' || i % 3, i / 2.0);
		INSERT INTO cp_heap VALUES (i, '2024-01-01'::timestamptz + i * interval '1 minute', 'h' || i % 3, i / 2.0);
		COMMIT;
	END LOOP;
END $$;
SELECT inline_chunk_count > 50 AS many_small FROM timeseries.table_stats('cp');
VACUUM cp;
SELECT chunk_count, row_count FROM timeseries.table_stats('cp');
DELETE FROM cp WHERE id BETWEEN 100 AND 120;
DELETE FROM cp_heap WHERE id BETWEEN 100 AND 120;
UPDATE cp SET host = 'moved' WHERE id = 300;
UPDATE cp_heap SET host = 'moved' WHERE id = 300;
SELECT (SELECT count(*) FROM (SELECT * FROM cp EXCEPT ALL SELECT * FROM cp_heap) a) AS only_ts,
	   (SELECT count(*) FROM (SELECT * FROM cp_heap EXCEPT ALL SELECT * FROM cp) b) AS only_heap;
SELECT host, count(*), sum(v) FROM cp GROUP BY host ORDER BY host;

-- inside a transaction, its own chunks are left alone
BEGIN;
INSERT INTO cp SELECT g, now(), 'x', 0 FROM generate_series(1001, 1050) g;
SELECT timeseries.compact('cp');
SELECT count(*) FROM cp WHERE host = 'x';
ROLLBACK;

-- scans after a compaction walk the dead metadata rows of the merged chunks
-- (btree marks them dead as it goes), over several index pages
CREATE TABLE cp_many (v int) USING timeseries;
DO $$
BEGIN
	FOR i IN 1..1500 LOOP
		INSERT INTO cp_many VALUES (i);
		COMMIT;
	END LOOP;
END $$;
SELECT timeseries.compact('cp_many');
SELECT count(*), sum(v) FROM cp_many;
SELECT count(*), sum(v) FROM cp_many WHERE v > 100;
DROP TABLE cp_many;

-- who may compact what
\set VERBOSITY terse
SELECT timeseries.compact('cp_heap');
CREATE ROLE cp_other;
SET ROLE cp_other;
SELECT timeseries.compact('cp');
RESET ROLE;
DROP ROLE cp_other;
\set VERBOSITY default

DROP TABLE cp, cp_heap;
