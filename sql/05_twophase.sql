-- PREPARE TRANSACTION.  This needs max_prepared_transactions > 0; the
-- alternative expected output 05_twophase_1.out is for servers where it is 0
-- (the PostgreSQL default): then PREPARE fails cleanly and nothing is written.
CREATE TABLE tp_t (a int, b text) USING timeseries;
BEGIN;
INSERT INTO tp_t SELECT g, 'prepared' FROM generate_series(1, 100) g;
PREPARE TRANSACTION 'tp_regress_1';
-- not visible before COMMIT PREPARED
SELECT count(*) FROM tp_t;
SELECT count(*) FROM pg_prepared_xacts WHERE gid = 'tp_regress_1';
COMMIT PREPARED 'tp_regress_1';
SELECT count(*), min(b) FROM tp_t;
-- ROLLBACK PREPARED discards the rows
BEGIN;
INSERT INTO tp_t SELECT g, 'rolled back' FROM generate_series(1, 100) g;
PREPARE TRANSACTION 'tp_regress_2';
ROLLBACK PREPARED 'tp_regress_2';
SELECT count(*), min(b), max(b) FROM tp_t;
-- savepoints and chunks flushed before PREPARE
SET timeseries.chunk_rows = 7;
BEGIN;
INSERT INTO tp_t SELECT g, 'p3 top' FROM generate_series(1, 20) g;
SAVEPOINT x;
INSERT INTO tp_t SELECT g, 'p3 rolled back' FROM generate_series(1, 20) g;
ROLLBACK TO x;
INSERT INTO tp_t SELECT g, 'p3 sub' FROM generate_series(1, 5) g;
PREPARE TRANSACTION 'tp_regress_3';
RESET timeseries.chunk_rows;
SELECT b, count(*) FROM tp_t GROUP BY b ORDER BY b;
-- other sessions may write while the transaction is prepared
INSERT INTO tp_t VALUES (-1, 'meanwhile');
COMMIT PREPARED 'tp_regress_3';
SELECT b, count(*) FROM tp_t GROUP BY b ORDER BY b;
SELECT count(*), count(DISTINCT ctid) FROM tp_t;
SELECT row_count FROM timeseries.table_stats('tp_t');
-- a prepared CREATE TABLE ... USING timeseries with rows
BEGIN;
CREATE TABLE tp_new USING timeseries AS SELECT g AS a FROM generate_series(1, 10) g;
PREPARE TRANSACTION 'tp_regress_4';
COMMIT PREPARED 'tp_regress_4';
SELECT count(*), sum(a) FROM tp_new;
DROP TABLE tp_new;
DROP TABLE tp_t;
