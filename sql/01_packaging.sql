-- CREATE / DROP EXTENSION with timeseries tables present.
-- pg_regress created the extension already (--load-extension=timeseries).
SELECT extname, extversion FROM pg_extension WHERE extname = 'timeseries';
SELECT amname, amtype FROM pg_am WHERE amname = 'timeseries';
SELECT nspname FROM pg_namespace WHERE nspname LIKE 'timeseries%' ORDER BY 1;

CREATE TABLE pkg_t1 (a int, b text) USING timeseries;
CREATE TABLE pkg_t2 (a int) USING timeseries;
CREATE TABLE pkg_heap (a int);
INSERT INTO pkg_t1 SELECT g, 'v' || g FROM generate_series(1, 100) g;
INSERT INTO pkg_t2 VALUES (1), (2);
INSERT INTO pkg_heap VALUES (42);

-- refused while timeseries tables exist
DROP EXTENSION timeseries;
-- nothing was dropped
SELECT count(*) FROM pkg_t1;
SELECT count(*) FROM pkg_t2;
SELECT relname FROM pg_class WHERE relname LIKE 'pkg_%' ORDER BY 1;

-- refused also inside a transaction; the transaction stays usable after ROLLBACK
BEGIN;
DROP EXTENSION timeseries RESTRICT;
ROLLBACK;

-- CASCADE drops the timeseries tables but not the heap table
DROP EXTENSION timeseries CASCADE;
SELECT relname FROM pg_class WHERE relname LIKE 'pkg_%' ORDER BY 1;
SELECT * FROM pkg_heap;
-- the metadata schemas and tables are gone with the extension
SELECT nspname FROM pg_namespace WHERE nspname LIKE 'timeseries%' ORDER BY 1;
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('timeseries', 'timeseries_internal');
SELECT count(*) FROM pg_am WHERE amname = 'timeseries';
-- USING timeseries no longer works
CREATE TABLE pkg_t3 (a int) USING timeseries;

-- a rolled back CREATE EXTENSION leaves nothing behind
BEGIN;
CREATE EXTENSION timeseries;
CREATE TABLE pkg_t4 (a int) USING timeseries;
INSERT INTO pkg_t4 VALUES (1);
SELECT count(*) FROM pkg_t4;
ROLLBACK;
SELECT count(*) FROM pg_am WHERE amname = 'timeseries';
SELECT count(*) FROM pg_class WHERE relname = 'pkg_t4';

-- recreate; a fresh extension starts empty and works
CREATE EXTENSION timeseries;
SELECT extname, extversion FROM pg_extension WHERE extname = 'timeseries';
SELECT count(*) FROM timeseries.tables;
SELECT count(*) FROM timeseries_internal.chunk;
CREATE TABLE pkg_t1 (a int, b text) USING timeseries;
INSERT INTO pkg_t1 SELECT g, 'v' || g FROM generate_series(1, 100) g;
SELECT count(*), sum(a), min(b), max(b) FROM pkg_t1;
SELECT row_count FROM timeseries.table_stats('pkg_t1');
-- storage ids restart with the recreated extension; rows written by this
-- backend and by a new one must still get distinct row ids (ctids)
\c -
INSERT INTO pkg_t1 SELECT g, 'w' || g FROM generate_series(101, 400) g;
SELECT count(*), count(DISTINCT ctid), sum(a) FROM pkg_t1;
SELECT count(*) FROM pkg_t1 t1 JOIN pkg_t1 t2 ON t1.ctid = t2.ctid AND t1.a <> t2.a;
SELECT row_count FROM timeseries.table_stats('pkg_t1');
-- CREATE EXTENSION again fails, IF NOT EXISTS is a no-op
CREATE EXTENSION timeseries;
CREATE EXTENSION IF NOT EXISTS timeseries;

-- dropping the last table through plain DROP lets DROP EXTENSION succeed
DROP TABLE pkg_t1;
DROP EXTENSION timeseries;
SELECT count(*) FROM pg_am WHERE amname = 'timeseries';
CREATE EXTENSION timeseries;

-- the internal schema is not accessible to ordinary roles, yet they can use
-- timeseries tables they own (the extension maintains the metadata itself)
CREATE ROLE regress_ts_pkg_user;
GRANT CREATE, USAGE ON SCHEMA public TO regress_ts_pkg_user;
SET ROLE regress_ts_pkg_user;
SELECT count(*) FROM timeseries_internal.chunk;
CREATE TABLE pkg_user_t (a int, b text) USING timeseries;
INSERT INTO pkg_user_t SELECT g, 'x' FROM generate_series(1, 5000) g;
SELECT count(*), sum(a) FROM pkg_user_t;
SELECT row_count, count(DISTINCT ctid) FROM timeseries.table_stats('pkg_user_t'), pkg_user_t GROUP BY 1;
SELECT table_name, row_count FROM timeseries.tables;
TRUNCATE pkg_user_t;
INSERT INTO pkg_user_t VALUES (1, 'a');
SELECT * FROM pkg_user_t;
DROP TABLE pkg_user_t;
RESET ROLE;
SELECT count(*) FROM timeseries_internal.chunk;
REVOKE CREATE, USAGE ON SCHEMA public FROM regress_ts_pkg_user;
DROP ROLE regress_ts_pkg_user;
DROP TABLE pkg_heap;
