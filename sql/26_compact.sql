-- Compaction: timeseries.compact() and VACUUM merge runs of small chunks
-- (one per trickle transaction) into full chunks; rows keep their row ids,
-- so ctids, index entries and deleted rows stay as they were.  Rows whose
-- delete is older than every snapshot are taken out (VACUUM's part): the
-- tests wait for other sessions' snapshots first, so that is deterministic.
CREATE FUNCTION wait_for_snapshots() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1..600 LOOP
		PERFORM pg_stat_clear_snapshot();
		EXIT WHEN NOT EXISTS (SELECT FROM pg_stat_activity
							   WHERE pid <> pg_backend_pid() AND backend_xmin IS NOT NULL);
		PERFORM pg_sleep(0.05);
	END LOOP;
END $$;
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
SELECT wait_for_snapshots();
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
SELECT wait_for_snapshots();
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
SELECT wait_for_snapshots();
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

-- the metadata file gives back the pages a trickle's inline chunks took:
-- compaction's page chunk row goes wherever the heap has room (here, after
-- them), and the next VACUUM moves it down
CREATE TABLE cp_meta (v int, s text) USING timeseries;
VACUUM timeseries_internal.chunk;
SELECT pg_relation_size('timeseries_internal.chunk') AS before \gset
DO $$
BEGIN
	FOR i IN 1..1500 LOOP
		INSERT INTO cp_meta VALUES (i, md5(i::text));
		COMMIT;
	END LOOP;
END $$;
SELECT pg_relation_size('timeseries_internal.chunk') > :before + 8 * 8192 AS grew;
SELECT wait_for_snapshots();
VACUUM cp_meta;
VACUUM timeseries_internal.chunk;
SELECT wait_for_snapshots();
VACUUM cp_meta;
VACUUM timeseries_internal.chunk;
SELECT count(*), sum(v), count(DISTINCT s) FROM cp_meta;
SELECT count(*) AS chunks, bool_and(first_block >= 0) AS in_pages
  FROM timeseries_internal.chunk WHERE storage_id = (SELECT max(storage_id) FROM timeseries_internal.chunk);
SELECT pg_relation_size('timeseries_internal.chunk') <= :before + 2 * 8192 AS gave_back;
DROP TABLE cp_meta;

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

-- VACUUM takes rows deleted for everyone out of their chunks, with their
-- index entries and delete records; the chunks keep their row-id ranges
-- (with holes), so the rows left keep their ctids and runs stay adjacent.
CREATE TABLE rc (id int, t timestamptz, host text, v float8) USING timeseries;
SELECT timeseries.set_options('rc', segment_by => '{host}', chunk_rows => 1000);
INSERT INTO rc SELECT g, '2024-01-01'::timestamptz + g * interval '1 s', 'h' || g % 4, g
  FROM generate_series(1, 5000) g;
CREATE TABLE rc_heap AS SELECT * FROM rc;
CREATE UNIQUE INDEX rc_host_t ON rc (host, t);
CREATE INDEX rc_v ON rc USING hash (v);
DELETE FROM rc WHERE id % 3 = 0 OR id <= 1000;
DELETE FROM rc_heap WHERE id % 3 = 0 OR id <= 1000;
UPDATE rc SET v = -v WHERE id % 5 = 0;
UPDATE rc_heap SET v = -v WHERE id % 5 = 0;
CREATE TEMP TABLE rc_ctids AS SELECT id, v, ctid AS c FROM rc;
SELECT wait_for_snapshots();
SELECT timeseries.compact('rc');
SELECT first_row, row_count, row_span FROM timeseries_internal.chunk
 WHERE storage_id = (SELECT max(storage_id) FROM timeseries_internal.chunk) ORDER BY 1;
SELECT count(*) AS delete_records FROM timeseries_internal.deleted_row
 WHERE storage_id = (SELECT max(storage_id) FROM timeseries_internal.chunk);
SELECT * FROM timeseries.verify('rc');
SELECT (SELECT count(*) FROM (SELECT * FROM rc EXCEPT ALL SELECT * FROM rc_heap) x) AS extra,
	   (SELECT count(*) FROM (SELECT * FROM rc_heap EXCEPT ALL SELECT * FROM rc) x) AS missing;
-- the rows left kept their ctids
SELECT count(*) AS moved FROM rc JOIN rc_ctids r USING (id) WHERE rc.ctid <> r.c;
-- index scans find the rows left and none of those taken out
SET enable_seqscan = off;
SET timeseries.enable_custom_scan = off;
EXPLAIN (COSTS OFF) SELECT * FROM rc WHERE host = 'h2' AND t = '2024-01-01'::timestamptz + 1002 * interval '1 s';
SELECT * FROM rc WHERE host = 'h2' AND t = '2024-01-01'::timestamptz + 1002 * interval '1 s';
SELECT * FROM rc WHERE host = 'h3' AND t = '2024-01-01'::timestamptz + 1003 * interval '1 s';
SELECT * FROM rc WHERE v = -1010;
SELECT count(*) FROM rc WHERE host = 'h1' AND t > '2024-01-01';
SELECT count(*) FROM rc_heap WHERE host = 'h1' AND t > '2024-01-01';
RESET enable_seqscan;
RESET timeseries.enable_custom_scan;
-- the unique index still holds the rows left, and not those taken out
INSERT INTO rc VALUES (1002, '2024-01-01'::timestamptz + 1002 * interval '1 s', 'h2', 0);
INSERT INTO rc_heap VALUES (1002, '2024-01-01'::timestamptz + 1002 * interval '1 s', 'h2', 0);
INSERT INTO rc VALUES (1003, '2024-01-01'::timestamptz + 1003 * interval '1 s', 'h3', 1003);
-- a delete that rolled back, and one of the current transaction, stay
BEGIN;
DELETE FROM rc WHERE id = 4000;
SELECT timeseries.compact('rc');
SELECT count(*) FROM rc WHERE id = 4000;
ROLLBACK;
SELECT count(*) FROM rc WHERE id = 4000;
SELECT (SELECT count(*) FROM (SELECT * FROM rc EXCEPT ALL SELECT * FROM rc_heap) x) AS extra,
	   (SELECT count(*) FROM (SELECT * FROM rc_heap EXCEPT ALL SELECT * FROM rc) x) AS missing;
SELECT * FROM timeseries.verify('rc');
DROP TABLE rc, rc_heap;

-- pages no chunk needs any more: reused by new chunks, and VACUUM gives those
-- at the end of the file back
CREATE TABLE tt (id int, b text) USING timeseries WITH (autovacuum_enabled = false);
SELECT timeseries.set_options('tt', compression => 'none', chunk_rows => 100);
INSERT INTO tt SELECT g, md5(g::text) || md5((g + 1)::text) FROM generate_series(1, 1000) g;
SELECT pg_relation_size('tt') / 8192 AS blocks, count(*) FROM tt;
DELETE FROM tt WHERE id > 500;
-- the rows out of their chunks, the chunks' pages ready, off the list, truncated
SELECT wait_for_snapshots();
VACUUM tt;
SELECT wait_for_snapshots();
VACUUM tt;
SELECT wait_for_snapshots();
VACUUM tt;
SELECT pg_relation_size('tt') / 8192 AS blocks, count(*), sum(id) FROM tt;
SELECT count(*) AS free_extents FROM timeseries_internal.free_extent;
-- VACUUM (TRUNCATE false) keeps them
DELETE FROM tt WHERE id > 300;
SELECT wait_for_snapshots();
VACUUM (TRUNCATE false) tt;
SELECT wait_for_snapshots();
VACUUM (TRUNCATE false) tt;
SELECT pg_relation_size('tt') / 8192 AS blocks, count(*), sum(id) FROM tt;
-- new chunks go to the free pages first
INSERT INTO tt SELECT g, md5(g::text) || md5((g + 1)::text) FROM generate_series(2001, 2200) g;
SELECT pg_relation_size('tt') / 8192 AS blocks, count(*), sum(id) FROM tt;
SELECT * FROM timeseries.verify('tt');
DROP TABLE tt;
-- chunks at the end of the file move down into the free pages below them
-- (their metadata rows replaced by ones naming the copies), and the end goes
-- back: rows, ctids and index entries stay
CREATE TABLE mv (id int, b text) USING timeseries WITH (autovacuum_enabled = false);
SELECT timeseries.set_options('mv', compression => 'none', chunk_rows => 100);
CREATE INDEX mv_id ON mv (id);
INSERT INTO mv SELECT g, md5(g::text) || md5((g + 1)::text) FROM generate_series(1, 1000) g;
CREATE TABLE mv_heap AS SELECT ctid AS tid, * FROM mv WHERE id > 500;
SELECT pg_relation_size('mv') / 8192 AS blocks;
DELETE FROM mv WHERE id <= 500;
SELECT wait_for_snapshots();
VACUUM mv;
SELECT wait_for_snapshots();
VACUUM mv;
-- moved: every chunk now lies in the first half of the file
SELECT count(*) AS chunks, max(first_block) AS last_block FROM timeseries_internal.chunk
WHERE storage_id = (SELECT max(storage_id) FROM timeseries_internal.chunk);
SELECT wait_for_snapshots();
VACUUM mv;
SELECT wait_for_snapshots();
VACUUM mv;
SELECT pg_relation_size('mv') / 8192 AS blocks;
SELECT (SELECT count(*) FROM (SELECT ctid, * FROM mv EXCEPT ALL SELECT * FROM mv_heap) x) AS extra,
	   (SELECT count(*) FROM (SELECT * FROM mv_heap EXCEPT ALL SELECT ctid, * FROM mv) x) AS missing;
SET enable_seqscan = off;
SELECT count(*), sum(id) FROM mv WHERE id BETWEEN 550 AND 950;
RESET enable_seqscan;
SELECT * FROM timeseries.verify('mv');
DROP TABLE mv, mv_heap;
DROP FUNCTION wait_for_snapshots();

-- compaction leaves the chunk metadata of replaced inline chunks dead; every
-- VACUUM of the metadata table cleans its index up too (without, dead line
-- pointers left on the last page kept a trickle load's emptied pages in the
-- file: 6.7 MiB instead of 0.9 for 40,000 rows in ingest_bench.sh)
SELECT reloptions FROM pg_class WHERE oid = 'timeseries_internal.chunk'::regclass;
