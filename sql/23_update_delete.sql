-- UPDATE and DELETE: rows in compressed chunks, inline chunks and the
-- transaction's unwritten rows; RETURNING, joins, cursors, foreign-key
-- actions, triggers, MERGE, savepoints; every result compared with a heap
-- table that gets the same statements.
SET timeseries.chunk_rows = 1000;
SET timeseries.vector_rows = 128;
CREATE TABLE ud (id int, t timestamptz, host text, v float8, n int) USING timeseries;
CREATE TABLE ud_heap (id int, t timestamptz, host text, v float8, n int);
SELECT timeseries.set_options('ud', segment_by => '{host}');
INSERT INTO ud SELECT g, '2024-01-01'::timestamptz + g * interval '1 minute',
	'h' || (g % 4), g / 4.0, CASE WHEN g % 9 = 0 THEN NULL ELSE g % 100 END
	FROM generate_series(1, 5000) g;
INSERT INTO ud_heap SELECT * FROM ud;
-- a few inline chunks too
INSERT INTO ud VALUES (5001, '2024-01-05', 'h1', 100.5, 1);
INSERT INTO ud_heap VALUES (5001, '2024-01-05', 'h1', 100.5, 1);
INSERT INTO ud VALUES (5002, '2024-01-05', 'h2', 200.5, 2);
INSERT INTO ud_heap VALUES (5002, '2024-01-05', 'h2', 200.5, 2);
RESET timeseries.chunk_rows;
RESET timeseries.vector_rows;

-- the two tables hold the same rows (0 and 0 when they do)
CREATE FUNCTION ud_diff(OUT only_ts bigint, OUT only_heap bigint) LANGUAGE sql AS $$
	SELECT (SELECT count(*) FROM (SELECT * FROM ud EXCEPT ALL SELECT * FROM ud_heap) a),
		   (SELECT count(*) FROM (SELECT * FROM ud_heap EXCEPT ALL SELECT * FROM ud) b)
$$;

-- DELETE with RETURNING, through the custom scan's vectorized filter
SET timeseries.debug_require_vectorized = on;
EXPLAIN (costs off) DELETE FROM ud WHERE v < 10;
DELETE FROM ud WHERE v < 10 RETURNING id, host, v;
RESET timeseries.debug_require_vectorized;
DELETE FROM ud_heap WHERE v < 10;
DELETE FROM ud WHERE id % 97 = 0;
DELETE FROM ud_heap WHERE id % 97 = 0;
SELECT * FROM ud_diff();

-- aggregates (metadata answers count(*) only for chunks without deletes),
-- last point and top-n see the deletes
SELECT count(*), sum(v), min(t), max(t), count(n) FROM ud;
SELECT count(*), sum(v), min(t), max(t), count(n) FROM ud_heap;
SELECT host, count(*), max(v) FROM ud GROUP BY host ORDER BY host;
SELECT host, count(*), max(v) FROM ud_heap GROUP BY host ORDER BY host;
DELETE FROM ud WHERE id > 4990 AND id <= 5000;
DELETE FROM ud_heap WHERE id > 4990 AND id <= 5000;
SELECT timeseries.time_bucket('1 day', t) b, count(*) FROM ud GROUP BY b ORDER BY b DESC LIMIT 2;
SELECT timeseries.time_bucket('1 day', t) b, count(*) FROM ud_heap GROUP BY b ORDER BY b DESC LIMIT 2;
SELECT DISTINCT ON (host) host, id, t FROM ud ORDER BY host, t DESC;
SELECT id, t FROM ud ORDER BY t DESC LIMIT 3;
-- the newest buckets are not taken from the summary of a chunk whose
-- newest rows are deleted
SET timeseries.chunk_rows = 100;
CREATE TABLE nb (t timestamptz, v int) USING timeseries;
INSERT INTO nb SELECT '2024-01-01'::timestamptz + g * interval '1 hour', g
	FROM generate_series(0, 199) g;
RESET timeseries.chunk_rows;
DELETE FROM nb WHERE t >= '2024-01-08';
EXPLAIN (costs off) SELECT timeseries.time_bucket('1 day', t) b, count(*)
	FROM nb GROUP BY b ORDER BY b DESC LIMIT 1;
SELECT timeseries.time_bucket('1 day', t) b, count(*) FROM nb GROUP BY b ORDER BY b DESC LIMIT 1;
DROP TABLE nb;

-- UPDATE, including the segment column and the time column
UPDATE ud SET v = v * 2, n = NULL WHERE host = 'h1' AND id < 200;
UPDATE ud_heap SET v = v * 2, n = NULL WHERE host = 'h1' AND id < 200;
UPDATE ud SET host = 'h9', t = t + interval '1 year' WHERE id BETWEEN 300 AND 310
	RETURNING id, host, t;
UPDATE ud_heap SET host = 'h9', t = t + interval '1 year' WHERE id BETWEEN 300 AND 310;
SELECT * FROM ud_diff();
-- the inline chunks
UPDATE ud SET v = -1 WHERE id > 5000 RETURNING *;
UPDATE ud_heap SET v = -1 WHERE id > 5000;
SELECT * FROM ud_diff();

-- joins: UPDATE ... FROM and DELETE ... USING; a row the join matches twice
-- is updated once
CREATE TABLE fix (host text, delta float8);
INSERT INTO fix VALUES ('h2', 0.5), ('h3', 100), ('h3', 200);
UPDATE ud SET v = ud.v + fix.delta FROM fix WHERE ud.host = fix.host AND ud.id < 100;
UPDATE ud_heap SET v = ud_heap.v + fix.delta FROM fix
	WHERE ud_heap.host = fix.host AND ud_heap.id < 100;
DELETE FROM ud USING fix WHERE ud.host = fix.host AND ud.id BETWEEN 100 AND 120;
DELETE FROM ud_heap USING fix WHERE ud_heap.host = fix.host AND ud_heap.id BETWEEN 100 AND 120;
SELECT * FROM ud_diff();
-- a timeseries table on the other side of the join
UPDATE fix SET delta = ud.v FROM ud WHERE ud.id = 150 AND fix.host = 'h2';
SELECT * FROM fix ORDER BY host, delta;

-- the transaction's own rows: unwritten, then written, then deleted;
-- an open cursor keeps seeing the rows as they were
BEGIN;
INSERT INTO ud SELECT g, '2024-02-01', 'h5', g, g FROM generate_series(6001, 6100) g;
INSERT INTO ud_heap SELECT g, '2024-02-01', 'h5', g, g FROM generate_series(6001, 6100) g;
DECLARE c CURSOR FOR SELECT count(*), sum(v) FROM ud WHERE host = 'h5';
DELETE FROM ud WHERE host = 'h5' AND id % 2 = 0;
DELETE FROM ud_heap WHERE host = 'h5' AND id % 2 = 0;
UPDATE ud SET v = 0 WHERE host = 'h5' AND id % 3 = 0;
UPDATE ud_heap SET v = 0 WHERE host = 'h5' AND id % 3 = 0;
FETCH c;
SELECT count(*), sum(v) FROM ud WHERE host = 'h5';
SELECT * FROM ud_diff();
COMMIT;
SELECT count(*), sum(v) FROM ud WHERE host = 'h5';

-- savepoints: a rolled back delete or update comes back
BEGIN;
SAVEPOINT a;
DELETE FROM ud WHERE host = 'h0';
SELECT count(*) FROM ud WHERE host = 'h0';
ROLLBACK TO a;
UPDATE ud SET v = v + 1 WHERE id = 400;
SAVEPOINT b;
UPDATE ud SET v = v + 1 WHERE id = 400;
ROLLBACK TO b;
UPDATE ud_heap SET v = v + 1 WHERE id = 400;
COMMIT;
SELECT * FROM ud_diff();

-- WHERE CURRENT OF, with a cursor over the scan and one with a row mark
BEGIN;
DECLARE cur CURSOR FOR SELECT id FROM ud WHERE id BETWEEN 500 AND 505;
FETCH cur;
DELETE FROM ud WHERE CURRENT OF cur RETURNING id AS cur1 \gset
FETCH cur;
UPDATE ud SET v = 42 WHERE CURRENT OF cur RETURNING id AS cur2 \gset
DECLARE cur_marked CURSOR FOR SELECT id FROM ud WHERE id BETWEEN 510 AND 515
	ORDER BY id FOR SHARE;
FETCH cur_marked;
DELETE FROM ud WHERE CURRENT OF cur_marked RETURNING id;
FETCH cur_marked;
UPDATE ud SET v = 43 WHERE CURRENT OF cur_marked RETURNING id, v;
COMMIT;
DELETE FROM ud_heap WHERE id IN (:cur1, 510);
UPDATE ud_heap SET v = 42 WHERE id = :cur2;
UPDATE ud_heap SET v = 43 WHERE id = 511;
SELECT * FROM ud_diff();

-- row locks in joins; they last until the transaction ends, and VACUUM
-- deletes the records of finished transactions' locks (see below)
BEGIN;
SELECT ud.id, fix.delta FROM ud JOIN fix USING (host)
	WHERE ud.id BETWEEN 530 AND 533 ORDER BY ud.id, fix.delta FOR UPDATE OF ud;
SELECT count(*) AS lock_records FROM timeseries_internal.row_lock;
COMMIT;

-- by ctid (a TID scan)
SELECT ctid AS del_ctid FROM ud WHERE id = 520 \gset
DELETE FROM ud WHERE ctid = :'del_ctid' RETURNING id;
DELETE FROM ud WHERE ctid = :'del_ctid' RETURNING id;
DELETE FROM ud_heap WHERE id = 520;

-- the same row twice in one statement: deleted once; changed by a trigger
-- of the statement: an error, as on heap
DELETE FROM ud USING (VALUES (600), (600)) x(i) WHERE ud.id = x.i;
DELETE FROM ud_heap WHERE id = 600;
CREATE FUNCTION ud_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE ud SET v = 0 WHERE id = OLD.id;
	RETURN OLD;
END $$;
CREATE TRIGGER ud_touch BEFORE DELETE ON ud FOR EACH ROW EXECUTE FUNCTION ud_touch();
DELETE FROM ud WHERE id = 601;
DROP TRIGGER ud_touch ON ud;

-- row triggers see the old and new rows
CREATE TABLE ud_log (op text, old_id int, new_id int, old_v float8, new_v float8);
CREATE FUNCTION ud_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO ud_log VALUES (TG_OP, OLD.id, NEW.id, OLD.v, NEW.v);
	IF TG_WHEN = 'BEFORE' AND TG_OP = 'UPDATE' THEN
		NEW.v := NEW.v + 0.25;
	END IF;
	RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER ud_before BEFORE UPDATE ON ud FOR EACH ROW EXECUTE FUNCTION ud_log();
CREATE TRIGGER ud_after AFTER UPDATE OR DELETE ON ud FOR EACH ROW EXECUTE FUNCTION ud_log();
UPDATE ud SET v = 7 WHERE id IN (700, 701);
DELETE FROM ud WHERE id = 702;
SELECT * FROM ud_log ORDER BY op, old_id;
SELECT id, v FROM ud WHERE id BETWEEN 700 AND 702 ORDER BY id;
DROP TRIGGER ud_before ON ud;
DROP TRIGGER ud_after ON ud;
UPDATE ud_heap SET v = 7.25 WHERE id IN (700, 701);
DELETE FROM ud_heap WHERE id = 702;
SELECT * FROM ud_diff();

-- MERGE
CREATE TABLE src (id int, v float8);
INSERT INTO src VALUES (800, -8), (801, NULL), (802, -2), (9000, 9);
MERGE INTO ud USING src ON ud.id = src.id
	WHEN MATCHED AND src.v IS NULL THEN DELETE
	WHEN MATCHED THEN UPDATE SET v = src.v
	WHEN NOT MATCHED THEN INSERT (id, t, host, v) VALUES (src.id, '2024-03-01', 'h7', src.v);
MERGE INTO ud_heap USING src ON ud_heap.id = src.id
	WHEN MATCHED AND src.v IS NULL THEN DELETE
	WHEN MATCHED THEN UPDATE SET v = src.v
	WHEN NOT MATCHED THEN INSERT (id, t, host, v) VALUES (src.id, '2024-03-01', 'h7', src.v);
SELECT * FROM ud_diff();

-- foreign keys: ON DELETE CASCADE and SET NULL into a timeseries table
CREATE TABLE hosts (host text PRIMARY KEY);
INSERT INTO hosts VALUES ('a'), ('b'), ('c');
CREATE TABLE fk (host text REFERENCES hosts ON DELETE CASCADE, host2 text
	REFERENCES hosts ON DELETE SET NULL, v int) USING timeseries;
INSERT INTO fk SELECT h, 'c', g FROM generate_series(1, 5) g, (VALUES ('a'), ('b')) x(h);
DELETE FROM hosts WHERE host = 'a';
DELETE FROM hosts WHERE host = 'c';
SELECT host, host2, count(*), sum(v) FROM fk GROUP BY 1, 2 ORDER BY 1, 2;
-- ON UPDATE CASCADE updates the referencing rows
ALTER TABLE fk DROP CONSTRAINT fk_host_fkey;
ALTER TABLE fk ADD FOREIGN KEY (host) REFERENCES hosts ON UPDATE CASCADE;
UPDATE hosts SET host = 'bb' WHERE host = 'b';
SELECT host, host2, count(*) FROM fk GROUP BY 1, 2 ORDER BY 1, 2;
-- the referencing rows still block deleting the referenced row
DELETE FROM hosts WHERE host = 'bb';

-- prepared statements with parameters, generic plans
PREPARE del(int, int) AS DELETE FROM ud WHERE id BETWEEN $1 AND $2;
PREPARE upd(int, float8) AS UPDATE ud SET v = $2 WHERE id = $1;
SET plan_cache_mode = force_generic_plan;
EXECUTE del(1000, 1009);
EXECUTE upd(1010, 3.5);
EXECUTE upd(1010, 4.5);
RESET plan_cache_mode;
DELETE FROM ud_heap WHERE id BETWEEN 1000 AND 1009;
UPDATE ud_heap SET v = 4.5 WHERE id = 1010;
SELECT * FROM ud_diff();

-- the counts of the table's statistics leave out deleted rows
SELECT row_count = (SELECT count(*) FROM ud_heap) AS rows_right FROM timeseries.table_stats('ud');
VACUUM ud;
SELECT count(*) AS lock_records FROM timeseries_internal.row_lock;
SELECT reltuples = (SELECT count(*) FROM ud_heap) AS reltuples_right
	FROM pg_class WHERE relname = 'ud';

-- rewrites keep exactly the rows that are left
VACUUM FULL ud;
SELECT * FROM ud_diff();
ALTER TABLE ud ALTER COLUMN n TYPE int8;
ALTER TABLE ud_heap ALTER COLUMN n TYPE int8;
SELECT * FROM ud_diff();
DELETE FROM ud WHERE id < 2000;
DELETE FROM ud_heap WHERE id < 2000;
SELECT * FROM ud_diff();

-- everything deleted, then new rows
DELETE FROM ud;
SELECT count(*) FROM ud;
INSERT INTO ud VALUES (1, '2024-01-01', 'h0', 1, 1);
SELECT id, host FROM ud;
TRUNCATE ud;
SELECT count(*) FROM ud;

-- TRUNCATE and DROP delete the records of deleted rows
DROP TABLE ud, ud_heap, fix, src, fk, hosts, ud_log;
DROP FUNCTION ud_diff(), ud_touch(), ud_log();
SELECT count(*) FROM timeseries_internal.deleted_row;
