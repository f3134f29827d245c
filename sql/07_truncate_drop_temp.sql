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

-- UNLOGGED is refused, also through ALTER TABLE
CREATE UNLOGGED TABLE td_unlogged (a int) USING timeseries;
CREATE TABLE td_logged (a int) USING timeseries;
ALTER TABLE td_logged SET UNLOGGED;
SELECT relpersistence FROM pg_class WHERE oid = 'td_logged'::regclass;
SET default_table_access_method = timeseries;
CREATE UNLOGGED TABLE td_unlogged2 (a int);
CREATE UNLOGGED TABLE td_unlogged3 AS SELECT 1 AS a;
RESET default_table_access_method;
SELECT count(*) FROM pg_class WHERE relname LIKE 'td_unlogged%';
DROP TABLE td_logged, td_h;
DROP VIEW td_meta;
