-- Indexes on timeseries tables: btree, hash, GiST, SP-GiST; unique,
-- primary key, multi-column, expression and partial indexes; CREATE INDEX
-- CONCURRENTLY and REINDEX; index scans after deletes and updates; unique
-- checks against compressed, inline and unwritten rows; INSERT ... ON
-- CONFLICT; foreign keys referencing a timeseries table.  Results are
-- compared with a heap table given the same statements.
SET timeseries.chunk_rows = 1000;
SET timeseries.vector_rows = 128;
CREATE TABLE ix (id int, t timestamptz, host text, v float8, r int4range) USING timeseries;
CREATE TABLE ix_heap (id int, t timestamptz, host text, v float8, r int4range);
SELECT timeseries.set_options('ix', segment_by => '{host}');
INSERT INTO ix SELECT g, '2024-01-01'::timestamptz + g * interval '1 minute', 'h' || (g % 4),
	g / 4.0, int4range(g, g + 3) FROM generate_series(1, 6000) g;
INSERT INTO ix_heap SELECT * FROM ix;
RESET timeseries.chunk_rows;
RESET timeseries.vector_rows;

CREATE INDEX ix_id ON ix (id);
CREATE UNIQUE INDEX ix_host_t ON ix (host, t);
CREATE INDEX ix_v_hash ON ix USING hash (v);
CREATE INDEX ix_lower_host ON ix (lower(host), v);
CREATE INDEX ix_big ON ix (v) WHERE v > 1400;
CREATE INDEX ix_r ON ix USING gist (r);
CREATE INDEX ix_host_sp ON ix USING spgist (host);
CREATE INDEX ix_heap_id ON ix_heap (id);
ANALYZE ix;
ANALYZE ix_heap;

-- point lookups and ranges through each index (the plans use them)
SET enable_seqscan = off;
SET timeseries.enable_custom_scan = off;
SET enable_bitmapscan = off;
EXPLAIN (costs off) SELECT * FROM ix WHERE id = 4000;
SELECT id, t, host, v FROM ix WHERE id = 4000;
EXPLAIN (costs off) SELECT * FROM ix WHERE host = 'h2' AND t = '2024-01-02 12:02:00+00';
SELECT id, host, v FROM ix WHERE host = 'h2' AND t = '2024-01-02 12:02:00+00';
EXPLAIN (costs off) SELECT id FROM ix WHERE v = 100.25;
SELECT id FROM ix WHERE v = 100.25;
SELECT id FROM ix WHERE lower(host) = 'h3' AND v < 3 ORDER BY id;
SELECT count(*), min(id), max(id) FROM ix WHERE v > 1495;
SELECT id FROM ix WHERE r @> 10 ORDER BY id;
SELECT count(*) FROM ix WHERE host = 'h1';
SELECT id, t FROM ix WHERE id BETWEEN 100 AND 105 ORDER BY id;
-- an index-only scan checks every row against the table (no visibility map)
EXPLAIN (costs off) SELECT id FROM ix WHERE id < 10;
SELECT id FROM ix WHERE id < 10;

-- deletes and updates: index scans skip deleted rows and find new versions
DELETE FROM ix WHERE id % 10 = 0;
DELETE FROM ix_heap WHERE id % 10 = 0;
UPDATE ix SET v = -v, id = id + 100000 WHERE id % 10 = 1;
UPDATE ix_heap SET v = -v, id = id + 100000 WHERE id % 10 = 1;
SELECT id FROM ix WHERE id IN (4000, 4001, 104001, 4002) ORDER BY id;
SELECT count(*), sum(v) FROM ix WHERE id > 100000;
SELECT count(*), sum(v) FROM ix_heap WHERE id > 100000;
SELECT count(*) FROM ix WHERE host = 'h1';
SELECT count(*) FROM ix_heap WHERE host = 'h1';
RESET enable_seqscan;
RESET timeseries.enable_custom_scan;
RESET enable_bitmapscan;

-- the two tables hold the same rows (0 and 0 when they do)
CREATE FUNCTION ix_diff(OUT only_ts bigint, OUT only_heap bigint) LANGUAGE sql AS $$
	SELECT (SELECT count(*) FROM (SELECT * FROM ix EXCEPT ALL SELECT * FROM ix_heap) a),
		   (SELECT count(*) FROM (SELECT * FROM ix_heap EXCEPT ALL SELECT * FROM ix) b)
$$;
SELECT * FROM ix_diff();

-- unique checks: against compressed rows, deleted rows (no conflict),
-- inline chunks, unwritten rows of the same transaction and the same
-- statement (rows are at '2024-01-01' + id minutes, local time)
\set VERBOSITY terse
INSERT INTO ix VALUES (1, '2024-01-01 00:02', 'h2', 0, NULL);
INSERT INTO ix VALUES (1, '2024-01-01 00:10', 'h2', 0, NULL);
INSERT INTO ix_heap VALUES (1, '2024-01-01 00:10', 'h2', 0, NULL);
INSERT INTO ix VALUES (1, '2024-01-01 00:10', 'h2', 0, NULL);
BEGIN;
INSERT INTO ix VALUES (2, '2030-01-01', 'h9', 0, NULL);
INSERT INTO ix VALUES (3, '2030-01-01', 'h9', 0, NULL);
ROLLBACK;
INSERT INTO ix VALUES (4, '2030-01-01', 'h9', 0, NULL), (5, '2030-01-01', 'h9', 0, NULL);
SELECT count(*) FROM ix WHERE host = 'h9';
-- a deferred unique constraint is checked at commit
ALTER TABLE ix ADD CONSTRAINT ix_id_t UNIQUE (id, t) DEFERRABLE INITIALLY DEFERRED;
BEGIN;
INSERT INTO ix VALUES (2, '2024-01-01 00:02', 'h7', 0, NULL);
SELECT count(*) FROM ix WHERE id = 2;
COMMIT;
BEGIN;
INSERT INTO ix VALUES (2, '2024-01-01 00:02', 'h7', 0, NULL);
DELETE FROM ix WHERE id = 2 AND host = 'h7';
COMMIT;
ALTER TABLE ix DROP CONSTRAINT ix_id_t;
-- an exclusion constraint (GiST)
CREATE TABLE bookings (room int, during int4range, EXCLUDE USING gist (during WITH &&))
	USING timeseries;
INSERT INTO bookings VALUES (1, '[1,5)'), (1, '[5,9)');
INSERT INTO bookings VALUES (2, '[6,8)');
DELETE FROM bookings WHERE during = '[5,9)';
INSERT INTO bookings VALUES (2, '[6,8)');
INSERT INTO bookings VALUES (3, '[7,10)');
SELECT * FROM bookings ORDER BY during;
\set VERBOSITY default

-- INSERT ... ON CONFLICT: writing the same (series, time) twice
INSERT INTO ix VALUES (7, '2024-01-01 00:07', 'h3', 99, NULL) ON CONFLICT DO NOTHING;
INSERT INTO ix VALUES (7, '2024-01-01 00:07', 'h3', 99, NULL)
	ON CONFLICT (host, t) DO UPDATE SET v = excluded.v RETURNING id, host, v;
UPDATE ix_heap SET v = 99 WHERE host = 'h3' AND t = '2024-01-01 00:07';
INSERT INTO ix VALUES (8, '2024-01-01 00:08', 'h0', 88, NULL)
	ON CONFLICT ON CONSTRAINT ix_missing DO NOTHING;
INSERT INTO ix VALUES (8, '2024-01-01 00:08', 'h0', 88, NULL)
	ON CONFLICT (host, t) DO UPDATE SET v = ix.v + excluded.v WHERE ix.v < 0;
INSERT INTO ix VALUES (8, '2024-01-01 00:08', 'h0', 88, NULL)
	ON CONFLICT (host, t) DO UPDATE SET v = ix.v + excluded.v WHERE ix.v > 0
	RETURNING id, v;
UPDATE ix_heap SET v = 90 WHERE host = 'h0' AND t = '2024-01-01 00:08';
-- a key twice in one statement: DO UPDATE may not change a row it inserted
INSERT INTO ix VALUES (9, '2031-01-01', 'h8', 1, NULL), (9, '2031-01-01', 'h8', 2, NULL)
	ON CONFLICT (host, t) DO UPDATE SET v = excluded.v;
INSERT INTO ix VALUES (9, '2031-01-01', 'h8', 1, NULL), (9, '2031-01-01', 'h8', 2, NULL)
	ON CONFLICT (host, t) DO NOTHING;
INSERT INTO ix_heap VALUES (9, '2031-01-01', 'h8', 1, NULL);
SELECT id, host, v FROM ix WHERE host = 'h8';
SELECT * FROM ix_diff();
-- an upsert batch rewriting existing keys and adding new ones
INSERT INTO ix SELECT g, '2024-01-01'::timestamptz + g * interval '1 minute', 'h' || (g % 4), -1, NULL
	FROM generate_series(5900, 6100) g
	ON CONFLICT (host, t) DO UPDATE SET v = excluded.v;
INSERT INTO ix_heap SELECT g, '2024-01-01'::timestamptz + g * interval '1 minute', 'h' || (g % 4), -1, NULL
	FROM generate_series(5900, 6100) g WHERE g > 6000 OR g % 10 = 0;
UPDATE ix_heap SET v = -1 WHERE t BETWEEN '2024-01-01'::timestamptz + 5900 * interval '1 minute'
	AND '2024-01-01'::timestamptz + 6000 * interval '1 minute';
SELECT * FROM ix_diff();

-- CREATE INDEX CONCURRENTLY, REINDEX (CONCURRENTLY), a primary key
CREATE INDEX CONCURRENTLY ix_v ON ix (v);
REINDEX INDEX ix_host_t;
REINDEX TABLE CONCURRENTLY ix;
SELECT indexrelid::regclass, indisvalid, indisready FROM pg_index
	WHERE indrelid = 'ix'::regclass ORDER BY indexrelid::regclass::text;
SET enable_seqscan = off;
SET timeseries.enable_custom_scan = off;
SET enable_bitmapscan = off;
SELECT count(*) FROM ix WHERE v < 0;
SELECT count(*) FROM ix_heap WHERE v < 0;
RESET enable_seqscan;
RESET timeseries.enable_custom_scan;
RESET enable_bitmapscan;
\set VERBOSITY terse
ALTER TABLE ix ADD PRIMARY KEY (id);
\set VERBOSITY default
DELETE FROM ix WHERE id IN (SELECT id FROM ix GROUP BY id HAVING count(*) > 1);
ALTER TABLE ix ADD PRIMARY KEY (id);

-- a timeseries table referenced by a foreign key
CREATE TABLE ix_ref (id int REFERENCES ix ON DELETE CASCADE, note text);
INSERT INTO ix_ref VALUES (4002, 'a'), (4003, 'b');
\set VERBOSITY terse
INSERT INTO ix_ref VALUES (4000, 'deleted above');
\set VERBOSITY default
DELETE FROM ix WHERE id = 4002;
SELECT * FROM ix_ref;

-- VACUUM keeps the table's indexes in use and maintained
VACUUM ix;
SELECT relhasindex FROM pg_class WHERE oid = 'ix'::regclass;
INSERT INTO ix VALUES (777777, '2040-01-01', 'h1', 7, NULL);
SET enable_seqscan = off;
SET timeseries.enable_custom_scan = off;
EXPLAIN (costs off) SELECT id FROM ix WHERE id = 777777;
SELECT id FROM ix WHERE id = 777777;
RESET enable_seqscan;
RESET timeseries.enable_custom_scan;

-- rewrites rebuild the indexes
VACUUM FULL ix;
ALTER TABLE ix ALTER COLUMN v TYPE numeric;
SET enable_seqscan = off;
SET timeseries.enable_custom_scan = off;
SELECT id, v FROM ix WHERE id = 4003;
RESET enable_seqscan;
RESET timeseries.enable_custom_scan;
TRUNCATE ix CASCADE;
INSERT INTO ix VALUES (1, '2024-01-01', 'h0', 1, NULL);
\set VERBOSITY terse
INSERT INTO ix VALUES (1, '2024-01-02', 'h0', 1, NULL);
\set VERBOSITY default
SELECT count(*) FROM ix;

-- where an index path costs less than the sequential scan, TimeseriesScan
-- is still costed (it prunes chunks), but not for a relation with lateral
-- references, whose paths must be parameterized: the outer row's column
-- must come through
CREATE TABLE ix_lat (id int, k int, tl text) USING timeseries;
SELECT timeseries.set_options('ix_lat', chunk_rows => 1000);
INSERT INTO ix_lat SELECT g, g / 1000, 'x' || g % 10 FROM generate_series(1, 10000) g;
CREATE INDEX ON ix_lat (k);
ANALYZE ix_lat;
EXPLAIN (COSTS OFF) SELECT count(*), min(id) FROM ix_lat WHERE k = 3;
SELECT count(*), min(id) FROM ix_lat WHERE k = 3;
SELECT o.g, count(x.id), max(x.og) FROM generate_series(1, 3) o(g)
  LEFT JOIN LATERAL (SELECT b.id, o.g AS og FROM ix_lat b WHERE b.k = 3) x ON true
 GROUP BY o.g ORDER BY o.g;
DROP TABLE ix_lat;
-- nor for the parent of an inheritance tree: its rows and its children's
CREATE TABLE ix_parent (t timestamptz, x int) USING timeseries;
CREATE TABLE ix_child () INHERITS (ix_parent) USING timeseries;
INSERT INTO ix_parent SELECT '2024-01-01', g FROM generate_series(1, 1000) g;
INSERT INTO ix_child SELECT '2024-01-01', -g FROM generate_series(1, 1000) g;
SELECT count(*), sum(x) FROM ix_parent;
DELETE FROM ix_parent WHERE x = -5;
SELECT count(*) FROM ix_parent WHERE x = -5;
DROP TABLE ix_parent CASCADE;

DROP TABLE ix, ix_heap, ix_ref, bookings;
DROP FUNCTION ix_diff();
SELECT (SELECT count(*) FROM timeseries_internal.pending_rows) AS pending_ranges,
	   (SELECT count(*) FROM timeseries_internal.deleted_row) AS deleted_rows;
