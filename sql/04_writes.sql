-- Write paths, each checked against a heap twin.
CREATE TABLE wr_h (id int, name text, v float8, ts timestamptz);
CREATE TABLE wr_t (id int, name text, v float8, ts timestamptz) USING timeseries;

-- single-row and multi-row INSERT
INSERT INTO wr_h VALUES (1, 'one', 1.5, '2024-01-01 00:00+00');
INSERT INTO wr_t VALUES (1, 'one', 1.5, '2024-01-01 00:00+00');
INSERT INTO wr_h VALUES (2, 'two', NULL, '2024-01-02 00:00+00'), (3, NULL, 3.5, NULL), (4, 'four', -4, '2024-01-04 00:00+00');
INSERT INTO wr_t VALUES (2, 'two', NULL, '2024-01-02 00:00+00'), (3, NULL, 3.5, NULL), (4, 'four', -4, '2024-01-04 00:00+00');
-- column list in another order, omitted columns are NULL
INSERT INTO wr_h (ts, id) VALUES ('2024-01-05 00:00+00', 5);
INSERT INTO wr_t (ts, id) VALUES ('2024-01-05 00:00+00', 5);
-- INSERT ... SELECT
INSERT INTO wr_h SELECT g, 'g' || g, g * 0.25, '2024-02-01 00:00+00'::timestamptz + g * interval '1 h'
  FROM generate_series(10, 2009) g;
INSERT INTO wr_t SELECT g, 'g' || g, g * 0.25, '2024-02-01 00:00+00'::timestamptz + g * interval '1 h'
  FROM generate_series(10, 2009) g;
SELECT count(*) FROM wr_t;
SELECT count(*) FROM (SELECT * FROM wr_t EXCEPT ALL SELECT * FROM wr_h) x;
SELECT count(*) FROM (SELECT * FROM wr_h EXCEPT ALL SELECT * FROM wr_t) x;

-- INSERT INTO t SELECT * FROM t reads each row exactly once
INSERT INTO wr_t SELECT * FROM wr_t;
SELECT count(*), count(DISTINCT id) FROM wr_t;
INSERT INTO wr_h SELECT * FROM wr_h;
SELECT count(*) FROM (SELECT * FROM wr_t EXCEPT ALL SELECT * FROM wr_h) x;
SELECT count(*) FROM (SELECT * FROM wr_h EXCEPT ALL SELECT * FROM wr_t) x;
-- the same inside a transaction with rows not yet written as chunks
BEGIN;
INSERT INTO wr_t VALUES (-1, 'tx', 0, NULL);
INSERT INTO wr_t SELECT * FROM wr_t WHERE id < 3;
SELECT id, count(*) FROM wr_t WHERE id < 3 GROUP BY id ORDER BY id;
ROLLBACK;
-- and with small chunks, so the statement's own chunks are flushed while it reads
SET timeseries.chunk_rows = 100;
CREATE TABLE wr_self (a int) USING timeseries;
INSERT INTO wr_self SELECT generate_series(1, 1000);
INSERT INTO wr_self SELECT a + 1000 FROM wr_self;
SELECT count(*), count(DISTINCT a), min(a), max(a) FROM wr_self;
BEGIN;
INSERT INTO wr_self SELECT a + 2000 FROM wr_self;
SELECT count(*), count(DISTINCT a), min(a), max(a) FROM wr_self;
INSERT INTO wr_self SELECT a + 4000 FROM wr_self;
SELECT count(*), count(DISTINCT a), min(a), max(a) FROM wr_self;
COMMIT;
SELECT count(*), count(DISTINCT a), min(a), max(a) FROM wr_self;
RESET timeseries.chunk_rows;
DROP TABLE wr_self;

-- visibility to later commands of the same transaction
TRUNCATE wr_t;
BEGIN;
INSERT INTO wr_t VALUES (1, 'a', 1, NULL);
SELECT count(*) FROM wr_t;
INSERT INTO wr_t SELECT g, 'b', g, NULL FROM generate_series(2, 100) g;
SELECT count(*), sum(id) FROM wr_t;
-- a statement does not see its own inserts (CTE with a data-modifying part)
WITH ins AS (INSERT INTO wr_t VALUES (1000, 'c', 0, NULL) RETURNING id)
SELECT (SELECT count(*) FROM wr_t) AS visible_count, (SELECT id FROM ins) AS inserted;
SELECT count(*) FROM wr_t;
COMMIT;
SELECT count(*), sum(id) FROM wr_t;

-- RETURNING
INSERT INTO wr_t VALUES (2000, 'ret', 2.5, '2024-03-01 00:00+00') RETURNING *;
INSERT INTO wr_t SELECT g, 'r' || g, NULL, NULL FROM generate_series(2001, 2003) g RETURNING id, name, v IS NULL AS v_null;
-- RETURNING ctid: distinct, valid ctids that find the rows again
CREATE TEMP TABLE wr_ctids AS
  WITH ins AS (INSERT INTO wr_t SELECT g, 'c' || g, g, NULL FROM generate_series(3001, 3500) g
               RETURNING ctid, id)
  SELECT ctid AS tid, id FROM ins;
SELECT count(*), count(DISTINCT tid) FROM wr_ctids;
SELECT count(*) FROM wr_ctids c JOIN wr_t t ON t.ctid = c.tid AND t.id = c.id;
SELECT t.id FROM wr_t t WHERE t.ctid = (SELECT tid FROM wr_ctids WHERE id = 3333);
DROP TABLE wr_ctids;

-- triggers
CREATE TABLE wr_trig_log (what text, id int, name text, n bigint);
CREATE FUNCTION wr_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.name := upper(coalesce(NEW.name, 'none'));
  NEW.v := coalesce(NEW.v, -1);
  IF NEW.id < 0 THEN
    RETURN NULL;  -- skip the row
  END IF;
  RETURN NEW;
END $$;
CREATE FUNCTION wr_after_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO wr_trig_log VALUES ('after row', NEW.id, NEW.name, NULL);
  RETURN NULL;
END $$;
CREATE FUNCTION wr_after_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('INSERT INTO wr_trig_log SELECT %L, NULL, NULL, count(*) FROM %I',
                 TG_WHEN || ' ' || TG_LEVEL, TG_TABLE_NAME);
  RETURN NULL;
END $$;
CREATE TABLE wr_trig (id int, name text, v float8) USING timeseries;
CREATE TRIGGER a_before BEFORE INSERT ON wr_trig FOR EACH ROW EXECUTE FUNCTION wr_before();
CREATE TRIGGER b_after AFTER INSERT ON wr_trig FOR EACH ROW EXECUTE FUNCTION wr_after_row();
CREATE TRIGGER c_stmt_before BEFORE INSERT ON wr_trig FOR EACH STATEMENT EXECUTE FUNCTION wr_after_stmt();
CREATE TRIGGER d_stmt_after AFTER INSERT ON wr_trig FOR EACH STATEMENT EXECUTE FUNCTION wr_after_stmt();
INSERT INTO wr_trig VALUES (1, 'x', NULL), (-2, 'skipped', 0), (3, NULL, 3);
INSERT INTO wr_trig SELECT g, 'g', g FROM generate_series(10, 14) g;
COPY wr_trig FROM STDIN;
20	copied	\N
-21	skipped	1
\.
SELECT * FROM wr_trig ORDER BY id;
SELECT * FROM wr_trig_log;
-- the same on a heap table
CREATE TABLE wr_trig_h (id int, name text, v float8);
CREATE TRIGGER a_before BEFORE INSERT ON wr_trig_h FOR EACH ROW EXECUTE FUNCTION wr_before();
CREATE TRIGGER b_after AFTER INSERT ON wr_trig_h FOR EACH ROW EXECUTE FUNCTION wr_after_row();
CREATE TRIGGER c_stmt_before BEFORE INSERT ON wr_trig_h FOR EACH STATEMENT EXECUTE FUNCTION wr_after_stmt();
CREATE TRIGGER d_stmt_after AFTER INSERT ON wr_trig_h FOR EACH STATEMENT EXECUTE FUNCTION wr_after_stmt();
TRUNCATE wr_trig_log;
INSERT INTO wr_trig_h VALUES (1, 'x', NULL), (-2, 'skipped', 0), (3, NULL, 3);
INSERT INTO wr_trig_h SELECT g, 'g', g FROM generate_series(10, 14) g;
COPY wr_trig_h FROM STDIN;
20	copied	\N
-21	skipped	1
\.
SELECT * FROM wr_trig_log;
SELECT count(*) FROM (SELECT * FROM wr_trig EXCEPT ALL SELECT * FROM wr_trig_h) x;
SELECT count(*) FROM (SELECT * FROM wr_trig_h EXCEPT ALL SELECT * FROM wr_trig) x;
-- an AFTER trigger raising an error undoes the insert
CREATE FUNCTION wr_fail() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id = 99 THEN RAISE EXCEPTION 'id 99 refused by trigger'; END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER e_fail AFTER INSERT ON wr_trig FOR EACH ROW EXECUTE FUNCTION wr_fail();
INSERT INTO wr_trig VALUES (98, 'ok', 0), (99, 'bad', 0);
SELECT count(*) FROM wr_trig WHERE id >= 98;
DROP TABLE wr_trig, wr_trig_h, wr_trig_log;
DROP FUNCTION wr_before(), wr_after_row(), wr_after_stmt(), wr_fail();

-- defaults, generated columns, identity, CHECK and NOT NULL constraints
CREATE SEQUENCE wr_seq;
CREATE TABLE wr_cons (
  id bigint GENERATED ALWAYS AS IDENTITY,
  s int DEFAULT nextval('wr_seq'),
  name text NOT NULL DEFAULT 'unnamed',
  created date DEFAULT '2024-01-01',
  v numeric CHECK (v >= 0),
  v2 numeric GENERATED ALWAYS AS (v * 2) STORED,
  CONSTRAINT wr_cons_len CHECK (length(name) < 10)
) USING timeseries;
INSERT INTO wr_cons (v) VALUES (1), (NULL);
INSERT INTO wr_cons (name, v) VALUES ('named', 2.5);
INSERT INTO wr_cons DEFAULT VALUES;
INSERT INTO wr_cons (name, created, v) VALUES (DEFAULT, DEFAULT, 7);
SELECT * FROM wr_cons ORDER BY id;
-- violations
INSERT INTO wr_cons (v) VALUES (-1);
INSERT INTO wr_cons (name) VALUES (NULL);
INSERT INTO wr_cons (name) VALUES ('much too long');
INSERT INTO wr_cons (id) VALUES (100);
INSERT INTO wr_cons (v2) VALUES (1);
COPY wr_cons (name, v) FROM STDIN;
ok	1
\N	2
\.
-- a failed multi-row insert leaves none of its rows
INSERT INTO wr_cons (v) VALUES (10), (11), (-12);
SELECT count(*), max(id) FROM wr_cons;
-- NOT NULL added later is checked against existing rows (a full scan)
CREATE TABLE wr_nn (a int, b int) USING timeseries;
INSERT INTO wr_nn VALUES (1, 1), (2, NULL);
ALTER TABLE wr_nn ALTER COLUMN b SET NOT NULL;
ALTER TABLE wr_nn ADD CONSTRAINT wr_nn_pos CHECK (a > 1);
ALTER TABLE wr_nn ADD CONSTRAINT wr_nn_pos CHECK (a > 0);
INSERT INTO wr_nn VALUES (0, 0);
DROP TABLE wr_cons, wr_nn;
DROP SEQUENCE wr_seq;

-- foreign key from a timeseries table to a heap table
CREATE TABLE wr_dev (id int PRIMARY KEY, name text);
INSERT INTO wr_dev VALUES (1, 'dev1'), (2, 'dev2');
CREATE TABLE wr_meas (dev int REFERENCES wr_dev (id), v float8) USING timeseries;
INSERT INTO wr_meas VALUES (1, 1.0), (2, 2.0), (NULL, 3.0);
INSERT INTO wr_meas VALUES (3, 3.0);
INSERT INTO wr_meas SELECT g % 3 + 1, g FROM generate_series(1, 10) g;
COPY wr_meas FROM STDIN;
1	5
7	5
\.
SELECT dev, count(*) FROM wr_meas GROUP BY dev ORDER BY dev;
-- deleting a referenced heap row takes FOR KEY SHARE on the referencing
-- timeseries rows: a referenced row is protected, an unreferenced one goes
DELETE FROM wr_dev WHERE id = 2;
INSERT INTO wr_dev VALUES (3, 'dev3');
DELETE FROM wr_dev WHERE id = 3;
SELECT count(*) FROM wr_dev;
-- a foreign key added later validates the existing rows
CREATE TABLE wr_meas2 (dev int, v float8) USING timeseries;
INSERT INTO wr_meas2 VALUES (1, 1), (5, 5);
ALTER TABLE wr_meas2 ADD FOREIGN KEY (dev) REFERENCES wr_dev (id);
DROP TABLE wr_meas, wr_meas2, wr_dev;

-- COPY FROM STDIN: text format
CREATE TABLE wr_copy_h (id int, t text, v numeric, ts timestamptz, arr int[]);
CREATE TABLE wr_copy_t (LIKE wr_copy_h) USING timeseries;
COPY wr_copy_t FROM STDIN;
1	plain	1.5	2024-01-01 00:00:00+00	{1,2}
2	tab\there	\N	\N	\N
3	back\\slash nl\nx	-0	2024-01-02 12:00:00+00	{}
4		0	infinity	{NULL}
\.
-- csv with header, quoting and a NULL string
COPY wr_copy_t FROM STDIN (FORMAT csv, HEADER, NULL 'NA');
id,t,v,ts,arr
5,"quoted, with comma",5,2024-01-05 00:00:00+00,"{5,6}"
6,"say ""hi""",NA,NA,NA
7,"",7,2024-01-07 00:00:00+00,{}
8,"multi
line",8,2024-01-08 00:00:00+00,"{8}"
9,NA,9,2024-01-09 00:00:00+00,"{9}"
10,"NA",10,2024-01-10 00:00:00+00,"{10}"
\.
-- only some columns, FORCE_NULL
COPY wr_copy_t (id, t) FROM STDIN (FORMAT csv, FORCE_NULL (t));
11,""
12,x
\.
INSERT INTO wr_copy_h SELECT * FROM wr_copy_t;
SELECT * FROM wr_copy_t ORDER BY id;
SELECT id, t IS NULL AS t_null, t = '' AS t_empty FROM wr_copy_t WHERE id IN (4, 7, 9, 10, 11) ORDER BY id;
-- binary format round trip through a file
COPY wr_copy_t TO '/tmp/timeseries_regress_04.bin' (FORMAT binary);
COPY wr_copy_t TO '/tmp/timeseries_regress_04.csv' (FORMAT csv, HEADER);
TRUNCATE wr_copy_t;
COPY wr_copy_t FROM '/tmp/timeseries_regress_04.bin' (FORMAT binary);
SELECT count(*) FROM (SELECT * FROM wr_copy_t EXCEPT ALL SELECT * FROM wr_copy_h) x;
SELECT count(*) FROM (SELECT * FROM wr_copy_h EXCEPT ALL SELECT * FROM wr_copy_t) x;
COPY wr_copy_t FROM '/tmp/timeseries_regress_04.csv' (FORMAT csv, HEADER);
SELECT count(*) FROM (SELECT * FROM wr_copy_t EXCEPT ALL (SELECT * FROM wr_copy_h UNION ALL SELECT * FROM wr_copy_h)) x;
SELECT count(*) FROM ((SELECT * FROM wr_copy_h UNION ALL SELECT * FROM wr_copy_h) EXCEPT ALL SELECT * FROM wr_copy_t) x;
SELECT count(*), count(DISTINCT id) FROM wr_copy_t;
-- COPY (query) TO and COPY table TO from a timeseries table
COPY (SELECT * FROM wr_copy_t WHERE id <= 3 ORDER BY id LIMIT 3) TO STDOUT;
COPY (SELECT id, t FROM wr_copy_t WHERE id > 3 ORDER BY id LIMIT 10) TO STDOUT (FORMAT csv, FORCE_QUOTE *);
-- a large COPY spanning several chunks
SET timeseries.chunk_rows = 1000;
CREATE TABLE wr_big (a int, b text) USING timeseries;
COPY (SELECT g, md5(g::text) FROM generate_series(1, 5500) g) TO '/tmp/timeseries_regress_04.txt';
COPY wr_big FROM '/tmp/timeseries_regress_04.txt';
RESET timeseries.chunk_rows;
SELECT count(*), count(DISTINCT b), sum(a) FROM wr_big;
SELECT row_count, chunk_count FROM timeseries.table_stats('wr_big');
SELECT count(*) FROM wr_big w JOIN generate_series(1, 5500) g ON w.a = g AND w.b = md5(g::text);
DROP TABLE wr_h, wr_t, wr_copy_h, wr_copy_t, wr_big;
