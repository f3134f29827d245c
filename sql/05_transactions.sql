-- Transactions, subtransactions, two-phase commit and cursors.
CREATE TABLE tx_t (a int, b text) USING timeseries;
CREATE TABLE tx_h (a int, b text);

-- ROLLBACK discards everything, COMMIT keeps it
BEGIN;
INSERT INTO tx_t SELECT g, 'rolled back' FROM generate_series(1, 1000) g;
SELECT count(*) FROM tx_t;
ROLLBACK;
SELECT count(*) FROM tx_t;
BEGIN;
INSERT INTO tx_t VALUES (1, 'kept');
COMMIT;
SELECT * FROM tx_t;
-- a rolled back transaction that wrote full chunks (flushed before commit)
SET timeseries.chunk_rows = 100;
BEGIN;
INSERT INTO tx_t SELECT g, 'flushed but rolled back' FROM generate_series(1, 1050) g;
SELECT count(*) FROM tx_t;
ROLLBACK;
RESET timeseries.chunk_rows;
SELECT count(*), min(b), max(b) FROM tx_t;
SELECT row_count FROM timeseries.table_stats('tx_t');

-- savepoints nested three deep, with inserts at every level
TRUNCATE tx_t;
BEGIN;
INSERT INTO tx_t VALUES (1, 'level 0');
SAVEPOINT s1;
INSERT INTO tx_t VALUES (2, 'level 1');
SELECT count(*) FROM tx_t;
SAVEPOINT s2;
INSERT INTO tx_t VALUES (3, 'level 2');
SELECT count(*) FROM tx_t;
SAVEPOINT s3;
INSERT INTO tx_t SELECT g, 'level 3' FROM generate_series(4, 10) g;
SELECT count(*) FROM tx_t;
ROLLBACK TO SAVEPOINT s3;
SELECT count(*) FROM tx_t;
INSERT INTO tx_t VALUES (11, 'level 3 again');
RELEASE SAVEPOINT s3;
SELECT count(*) FROM tx_t;
ROLLBACK TO SAVEPOINT s2;
SELECT a, b FROM tx_t ORDER BY a;
INSERT INTO tx_t VALUES (12, 'level 2 again');
RELEASE SAVEPOINT s2;
SAVEPOINT s2b;
INSERT INTO tx_t VALUES (13, 'released');
RELEASE SAVEPOINT s2b;
RELEASE SAVEPOINT s1;
SELECT a, b FROM tx_t ORDER BY a;
COMMIT;
SELECT a, b FROM tx_t ORDER BY a;
-- the same with heap, for comparison
BEGIN;
INSERT INTO tx_h VALUES (1, 'level 0');
SAVEPOINT s1;
INSERT INTO tx_h VALUES (2, 'level 1');
SAVEPOINT s2;
INSERT INTO tx_h VALUES (3, 'level 2');
SAVEPOINT s3;
INSERT INTO tx_h SELECT g, 'level 3' FROM generate_series(4, 10) g;
ROLLBACK TO SAVEPOINT s3;
INSERT INTO tx_h VALUES (11, 'level 3 again');
RELEASE SAVEPOINT s3;
ROLLBACK TO SAVEPOINT s2;
INSERT INTO tx_h VALUES (12, 'level 2 again');
RELEASE SAVEPOINT s2;
SAVEPOINT s2b;
INSERT INTO tx_h VALUES (13, 'released');
RELEASE SAVEPOINT s2b;
RELEASE SAVEPOINT s1;
COMMIT;
SELECT count(*) FROM (SELECT * FROM tx_t EXCEPT ALL SELECT * FROM tx_h) x;
SELECT count(*) FROM (SELECT * FROM tx_h EXCEPT ALL SELECT * FROM tx_t) x;

-- subtransactions whose rows were flushed as chunks (small chunk_rows)
TRUNCATE tx_t;
SET timeseries.chunk_rows = 10;
BEGIN;
INSERT INTO tx_t SELECT g, 'top' FROM generate_series(1, 25) g;
SAVEPOINT a;
INSERT INTO tx_t SELECT g, 'sub a' FROM generate_series(101, 135) g;
SAVEPOINT b;
INSERT INTO tx_t SELECT g, 'sub b' FROM generate_series(201, 245) g;
SELECT b, count(*) FROM tx_t GROUP BY b ORDER BY b;
ROLLBACK TO a;
SELECT b, count(*) FROM tx_t GROUP BY b ORDER BY b;
INSERT INTO tx_t SELECT g, 'sub a2' FROM generate_series(301, 312) g;
RELEASE a;
INSERT INTO tx_t SELECT g, 'top2' FROM generate_series(401, 403) g;
COMMIT;
RESET timeseries.chunk_rows;
SELECT b, count(*), min(a), max(a) FROM tx_t GROUP BY b ORDER BY b;
SELECT row_count FROM timeseries.table_stats('tx_t');

-- an error in the middle of COPY leaves nothing
TRUNCATE tx_t;
COPY tx_t FROM STDIN;
1	ok
2	ok
three	bad
4	ok
\.
SELECT count(*) FROM tx_t;
-- also when the COPY already wrote chunks
SET timeseries.chunk_rows = 2;
COPY tx_t FROM STDIN;
1	ok
2	ok
3	ok
4	ok
5	ok
6	extra	column
7	ok
\.
RESET timeseries.chunk_rows;
SELECT count(*) FROM tx_t;
SELECT row_count, chunk_count FROM timeseries.table_stats('tx_t');
-- and inside a transaction block the transaction is aborted
BEGIN;
INSERT INTO tx_t VALUES (1, 'before copy');
COPY tx_t FROM STDIN (FORMAT csv);
1,ok
x,bad
\.
SELECT count(*) FROM tx_t;
ROLLBACK;
SELECT count(*) FROM tx_t;

-- errors caught in plpgsql EXCEPTION blocks roll back only the block's rows
DO $$
DECLARE n int;
BEGIN
  INSERT INTO tx_t VALUES (1, 'outer');
  BEGIN
    INSERT INTO tx_t SELECT g, 'inner' FROM generate_series(2, 500) g;
    SELECT count(*) INTO n FROM tx_t;
    RAISE NOTICE 'inside block: % rows', n;
    PERFORM 1 / 0;
  EXCEPTION WHEN division_by_zero THEN
    SELECT count(*) INTO n FROM tx_t;
    RAISE NOTICE 'after rollback of the block: % rows', n;
  END;
  BEGIN
    INSERT INTO tx_t VALUES (600, 'kept inner');
  EXCEPTION WHEN others THEN
    RAISE NOTICE 'not reached';
  END;
  -- nested blocks, the inner one fails, the middle one succeeds
  BEGIN
    INSERT INTO tx_t VALUES (700, 'middle');
    BEGIN
      INSERT INTO tx_t VALUES (701, 'innermost');
      INSERT INTO tx_t VALUES ('not a number'::int, 'x');
    EXCEPTION WHEN invalid_text_representation THEN
      RAISE NOTICE 'innermost failed';
    END;
  END;
END $$;
SELECT a, b FROM tx_t ORDER BY a;
-- a loop of small subtransactions, every other one failing
DO $$
BEGIN
  FOR i IN 1..50 LOOP
    BEGIN
      INSERT INTO tx_t VALUES (1000 + i, 'loop');
      IF i % 2 = 0 THEN RAISE EXCEPTION 'fail %', i; END IF;
    EXCEPTION WHEN raise_exception THEN
      NULL;
    END;
  END LOOP;
END $$;
SELECT count(*), sum(a) FROM tx_t WHERE b = 'loop';

-- PREPARE TRANSACTION is tested in 05_twophase.

-- cursors: rows inserted between fetches are not seen by the cursor
TRUNCATE tx_t;
INSERT INTO tx_t SELECT g, 'c' FROM generate_series(1, 10) g;
BEGIN;
DECLARE c1 CURSOR FOR SELECT a FROM tx_t;
FETCH 3 FROM c1;
INSERT INTO tx_t SELECT g, 'during cursor' FROM generate_series(11, 2000) g;
FETCH 3 FROM c1;
FETCH ALL FROM c1;
SELECT count(*) FROM tx_t;
CLOSE c1;
COMMIT;
-- the same with small chunks: rows of this transaction are flushed as chunks
-- before and while the cursor is open, some in a rolled back savepoint
TRUNCATE tx_t;
INSERT INTO tx_t SELECT g, 'c' FROM generate_series(1, 10) g;
SET timeseries.chunk_rows = 5;
BEGIN;
INSERT INTO tx_t SELECT g, 'before cursor' FROM generate_series(11, 20) g;
DECLARE c1b CURSOR FOR SELECT a FROM tx_t;
FETCH 12 FROM c1b;
INSERT INTO tx_t SELECT g, 'during cursor' FROM generate_series(21, 40) g;
SAVEPOINT s;
INSERT INTO tx_t SELECT g, 'rolled back' FROM generate_series(41, 60) g;
ROLLBACK TO s;
FETCH ALL FROM c1b;
SELECT count(*), sum(a) FROM tx_t;
COMMIT;
RESET timeseries.chunk_rows;
SELECT count(*), sum(a) FROM tx_t;
-- a cursor declared after inserts of the same transaction sees them
BEGIN;
INSERT INTO tx_t VALUES (-5, 'own');
DECLARE c2 CURSOR FOR SELECT count(*), min(a) FROM tx_t;
INSERT INTO tx_t VALUES (-6, 'own, later');
FETCH ALL FROM c2;
COMMIT;
-- NO SCROLL cursor moving backward is refused
BEGIN;
DECLARE c3 NO SCROLL CURSOR FOR SELECT a FROM tx_t;
FETCH 2 FROM c3;
FETCH BACKWARD 1 FROM c3;
ROLLBACK;
-- WITH HOLD cursor survives the commit and keeps its snapshot
TRUNCATE tx_t;
INSERT INTO tx_t SELECT g, 'held' FROM generate_series(1, 5) g;
BEGIN;
DECLARE c4 CURSOR WITH HOLD FOR SELECT a, b FROM tx_t ORDER BY a;
INSERT INTO tx_t VALUES (6, 'after declare');
COMMIT;
INSERT INTO tx_t VALUES (7, 'after commit');
FETCH 2 FROM c4;
FETCH ALL FROM c4;
CLOSE c4;
-- a WITH HOLD cursor over a plain scan (materialized at commit)
BEGIN;
DECLARE c5 CURSOR WITH HOLD FOR SELECT a FROM tx_t WHERE a > 5;
COMMIT;
INSERT INTO tx_t VALUES (8, 'later');
FETCH ALL FROM c5;
CLOSE c5;
SELECT count(*) FROM tx_t;

DROP TABLE tx_t, tx_h;
