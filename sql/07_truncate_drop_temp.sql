-- TRUNCATE, DROP, temporary and unlogged tables.
CREATE TABLE td_t (a int, b text) USING timeseries;
INSERT INTO td_t SELECT g, 'x' || g FROM generate_series(1, 3000) g;
-- a per-storage view of the metadata: storage ids are not stable across runs,
-- so only counts are shown
CREATE VIEW td_meta AS
  SELECT count(DISTINCT storage_id) AS storages, count(*) AS chunks,
         coalesce(sum(row_count), 0) AS rows
    FROM timeseries_internal.chunk;
SELECT * FROM td_meta;

-- TRUNCATE
TRUNCATE td_t;
SELECT count(*) FROM td_t;
SELECT * FROM td_meta;
INSERT INTO td_t VALUES (1, 'after truncate');
SELECT * FROM td_t;
SELECT ctid FROM td_t;
-- a rolled back TRUNCATE restores the rows
INSERT INTO td_t SELECT g, 'y' || g FROM generate_series(2, 500) g;
BEGIN;
TRUNCATE td_t;
SELECT count(*) FROM td_t;
INSERT INTO td_t VALUES (-1, 'inserted after truncate, rolled back');
SELECT count(*) FROM td_t;
ROLLBACK;
SELECT count(*), sum(a) FROM td_t;
SELECT * FROM td_meta;
-- TRUNCATE in a savepoint, rolled back to the savepoint
BEGIN;
INSERT INTO td_t VALUES (1000, 'before savepoint');
SAVEPOINT s;
TRUNCATE td_t;
INSERT INTO td_t VALUES (1001, 'after truncate');
ROLLBACK TO s;
SELECT count(*), max(a) FROM td_t;
COMMIT;
SELECT count(*), max(a) FROM td_t;
-- a committed TRUNCATE in a transaction that also inserts
BEGIN;
INSERT INTO td_t VALUES (2000, 'lost');
TRUNCATE td_t;
INSERT INTO td_t VALUES (2001, 'kept');
COMMIT;
SELECT * FROM td_t;
SELECT * FROM td_meta;
-- TRUNCATE of several tables, one of them heap
CREATE TABLE td_h (a int);
INSERT INTO td_h VALUES (1);
TRUNCATE td_t, td_h;
SELECT (SELECT count(*) FROM td_t) AS t, (SELECT count(*) FROM td_h) AS h;
SELECT * FROM td_meta;
-- TRUNCATE of a table created in the same transaction
BEGIN;
CREATE TABLE td_new (a int) USING timeseries;
INSERT INTO td_new SELECT generate_series(1, 10);
TRUNCATE td_new;
INSERT INTO td_new VALUES (42);
COMMIT;
SELECT * FROM td_new;

-- DROP TABLE deletes the metadata rows
INSERT INTO td_t SELECT g, 'z' FROM generate_series(1, 3000) g;
SELECT * FROM td_meta;
DROP TABLE td_t;
SELECT * FROM td_meta;
-- a rolled back DROP keeps them
BEGIN;
DROP TABLE td_new;
ROLLBACK;
SELECT * FROM td_new;
SELECT * FROM td_meta;
-- DROP in the transaction that created and filled the table
BEGIN;
CREATE TABLE td_tmp2 (a int) USING timeseries;
SET LOCAL timeseries.chunk_rows = 10;
INSERT INTO td_tmp2 SELECT generate_series(1, 100);
DROP TABLE td_tmp2;
COMMIT;
SELECT * FROM td_meta;
-- DROP SCHEMA ... CASCADE and DROP OWNED reach the tables too
CREATE SCHEMA td_schema;
CREATE TABLE td_schema.t1 (a int) USING timeseries;
CREATE TABLE td_schema.t2 (a int) USING timeseries;
INSERT INTO td_schema.t1 SELECT generate_series(1, 10);
INSERT INTO td_schema.t2 SELECT generate_series(1, 10);
SELECT * FROM td_meta;
DROP SCHEMA td_schema CASCADE;
SELECT * FROM td_meta;
-- dropping a partitioned table drops the metadata of its partitions
CREATE TABLE td_part (a int) PARTITION BY RANGE (a);
CREATE TABLE td_part_1 PARTITION OF td_part FOR VALUES FROM (0) TO (100) USING timeseries;
CREATE TABLE td_part_2 PARTITION OF td_part FOR VALUES FROM (100) TO (200) USING timeseries;
INSERT INTO td_part SELECT generate_series(0, 199);
SELECT * FROM td_meta;
DROP TABLE td_part;
SELECT * FROM td_meta;
DROP TABLE td_new;
SELECT * FROM td_meta;

-- temporary tables
CREATE TEMP TABLE td_temp (a int, b text) USING timeseries;
INSERT INTO td_temp SELECT g, 't' || g FROM generate_series(1, 2000) g;
SELECT count(*), sum(a) FROM td_temp;
SELECT relpersistence FROM pg_class WHERE oid = 'td_temp'::regclass;
SELECT row_count FROM timeseries.table_stats('td_temp');
BEGIN;
INSERT INTO td_temp VALUES (-1, 'rolled back');
ROLLBACK;
SELECT count(*) FROM td_temp;
SET timeseries.inline_max_bytes = 0;
SET timeseries.chunk_rows = 500;
INSERT INTO td_temp SELECT g, 'p' || g FROM generate_series(1, 2000) g;
RESET timeseries.inline_max_bytes;
RESET timeseries.chunk_rows;
SELECT count(*), count(DISTINCT ctid) FROM td_temp;
TRUNCATE td_temp;
SELECT count(*) FROM td_temp;
INSERT INTO td_temp VALUES (1, 'a');
SELECT * FROM td_temp;
DROP TABLE td_temp;
-- ON COMMIT DELETE ROWS
CREATE TEMP TABLE td_temp_del (a int) USING timeseries ON COMMIT DELETE ROWS;
BEGIN;
INSERT INTO td_temp_del SELECT generate_series(1, 100);
SELECT count(*) FROM td_temp_del;
COMMIT;
SELECT count(*) FROM td_temp_del;
INSERT INTO td_temp_del VALUES (1);
SELECT count(*) FROM td_temp_del;
-- ON COMMIT DROP
BEGIN;
CREATE TEMP TABLE td_temp_drop (a int) USING timeseries ON COMMIT DROP;
INSERT INTO td_temp_drop SELECT generate_series(1, 100);
SELECT count(*) FROM td_temp_drop;
COMMIT;
SELECT count(*) FROM pg_class WHERE relname = 'td_temp_drop';
-- temporary tables are dropped with the session, metadata included
CREATE TEMP TABLE td_temp_session (a int) USING timeseries;
INSERT INTO td_temp_session SELECT generate_series(1, 10);
SELECT * FROM td_meta;
\c -
-- the old session's temporary schema is cleaned up asynchronously; wait for it
DO $$
BEGIN
  FOR i IN 1..300 LOOP
    EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'td_temp_session');
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
SELECT count(*) FROM pg_class WHERE relname IN ('td_temp_session', 'td_temp_del');
SELECT * FROM td_meta;

-- UNLOGGED tables.  Their metadata lives in unlogged twins of the internal
-- tables, which crash recovery empties together with the tables' forks
-- (TAP 001_crash); none of it goes to the logged tables.
CREATE VIEW td_umeta AS
  SELECT count(DISTINCT storage_id) AS storages, count(*) AS chunks,
         coalesce(sum(row_count), 0) AS rows,
         bool_and(storage_id >= 4611686018427387904) AS unlogged_ids
    FROM timeseries_internal.unlogged_chunk;
CREATE UNLOGGED TABLE td_unlogged (t timestamptz, host text, v float8) USING timeseries;
CREATE TABLE td_unlogged_h (t timestamptz, host text, v float8);
CREATE FUNCTION td_unlogged_diff(OUT only_ts bigint, OUT only_heap bigint) LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM (SELECT * FROM td_unlogged EXCEPT ALL SELECT * FROM td_unlogged_h) x),
         (SELECT count(*) FROM (SELECT * FROM td_unlogged_h EXCEPT ALL SELECT * FROM td_unlogged) x) $$;
INSERT INTO td_unlogged SELECT '2026-01-01'::timestamptz + g * interval '1 min', 'h' || (g % 5), g
  FROM generate_series(1, 30000) g;
INSERT INTO td_unlogged_h SELECT * FROM td_unlogged;
SELECT relpersistence FROM pg_class WHERE oid = 'td_unlogged'::regclass;
SELECT size FROM pg_stat_file(pg_relation_filepath('td_unlogged') || '_init');
SELECT * FROM td_meta;
SELECT * FROM td_umeta;
-- one-row transactions (inline chunks), deletes, updates, a unique index
-- with ON CONFLICT (pending rows) and row locks all use the unlogged tables
DO $$ BEGIN FOR i IN 1..20 LOOP
  INSERT INTO td_unlogged VALUES ('2026-02-01'::timestamptz + i * interval '1 s', 'trickle', i);
  INSERT INTO td_unlogged_h VALUES ('2026-02-01'::timestamptz + i * interval '1 s', 'trickle', i);
  COMMIT; END LOOP; END $$;
DELETE FROM td_unlogged WHERE v::int % 7 = 0;
DELETE FROM td_unlogged_h WHERE v::int % 7 = 0;
UPDATE td_unlogged SET v = -v WHERE host = 'h1' AND v < 1000;
UPDATE td_unlogged_h SET v = -v WHERE host = 'h1' AND v < 1000;
CREATE UNIQUE INDEX td_unlogged_t ON td_unlogged (t);
INSERT INTO td_unlogged SELECT t, 'dup', 0 FROM td_unlogged_h WHERE v = 5
  UNION ALL VALUES ('2027-01-01'::timestamptz, 'new', 1)
  ON CONFLICT (t) DO NOTHING;
INSERT INTO td_unlogged_h VALUES ('2027-01-01', 'new', 1);
BEGIN;
SELECT count(*) FROM (SELECT * FROM td_unlogged WHERE host = 'trickle' FOR UPDATE) l;
SELECT count(*) > 0 AS locked FROM timeseries_internal.unlogged_row_lock;
COMMIT;
SELECT (SELECT count(*) FROM timeseries_internal.unlogged_deleted_row) > 0 AS deletes_unlogged,
       (SELECT count(*) FROM timeseries_internal.deleted_row) AS deletes_logged;
SELECT * FROM td_unlogged_diff();
-- VACUUM compacts, VACUUM FULL and SET TABLESPACE copy the fork (and make a
-- new init fork)
VACUUM td_unlogged;
SELECT * FROM td_unlogged_diff();
VACUUM FULL td_unlogged;
SELECT * FROM td_unlogged_diff();
SET allow_in_place_tablespaces = on;
CREATE TABLESPACE td_space LOCATION '';
ALTER TABLE td_unlogged SET TABLESPACE td_space;
SELECT size FROM pg_stat_file(pg_relation_filepath('td_unlogged') || '_init');
SELECT * FROM td_unlogged_diff();
ALTER TABLE td_unlogged SET TABLESPACE pg_default;
DROP TABLESPACE td_space;
SELECT * FROM td_unlogged_diff();
SELECT count(*) AS problems FROM timeseries.verify('td_unlogged');
-- SET LOGGED moves the rows (and their metadata) to the logged tables, SET
-- UNLOGGED back
SELECT * FROM td_meta;
ALTER TABLE td_unlogged SET LOGGED;
SELECT relpersistence FROM pg_class WHERE oid = 'td_unlogged'::regclass;
SELECT * FROM td_unlogged_diff();
SELECT * FROM td_meta;
SELECT * FROM td_umeta;
ALTER TABLE td_unlogged SET UNLOGGED;
SELECT relpersistence FROM pg_class WHERE oid = 'td_unlogged'::regclass;
SELECT * FROM td_unlogged_diff();
SELECT * FROM td_meta;
SELECT * FROM td_umeta;
SELECT count(*) AS problems FROM timeseries.verify('td_unlogged');
-- a rolled back SET LOGGED keeps the table as it was
BEGIN;
ALTER TABLE td_unlogged SET LOGGED;
ROLLBACK;
SELECT relpersistence FROM pg_class WHERE oid = 'td_unlogged'::regclass;
SELECT * FROM td_unlogged_diff();
-- TRUNCATE and DROP delete the unlogged metadata
TRUNCATE td_unlogged;
SELECT * FROM td_umeta;
INSERT INTO td_unlogged SELECT * FROM td_unlogged_h;
SELECT * FROM td_unlogged_diff();
DROP TABLE td_unlogged;
SELECT * FROM td_umeta;
SELECT count(*) FROM timeseries_internal.unlogged_deleted_row;
-- with timeseries as the default access method
SET default_table_access_method = timeseries;
CREATE UNLOGGED TABLE td_unlogged2 (a int);
CREATE UNLOGGED TABLE td_unlogged3 AS SELECT g AS a FROM generate_series(1, 100) g;
RESET default_table_access_method;
SELECT relname, relpersistence, amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam
 WHERE relname LIKE 'td_unlogged%' ORDER BY relname;
SELECT count(*), sum(a) FROM td_unlogged3;
CREATE TABLE td_logged (a int) USING timeseries;
INSERT INTO td_logged SELECT * FROM td_unlogged3;
ALTER TABLE td_logged SET UNLOGGED;
SELECT relpersistence FROM pg_class WHERE oid = 'td_logged'::regclass;
SELECT count(*), sum(a) FROM td_logged;
DROP TABLE td_logged, td_h, td_unlogged2, td_unlogged3, td_unlogged_h;
DROP FUNCTION td_unlogged_diff;
SELECT * FROM td_umeta;
DROP VIEW td_meta, td_umeta;
