-- Ways to create timeseries tables.
CREATE TABLE cr_using (ts timestamptz, v float8) USING timeseries;
INSERT INTO cr_using SELECT '2024-01-01'::timestamptz + g * interval '1 min', g / 10.0
  FROM generate_series(1, 1000) g;

-- default_table_access_method
SET default_table_access_method = timeseries;
CREATE TABLE cr_default (a int, b text);
RESET default_table_access_method;
CREATE TABLE cr_heap (a int, b text);
INSERT INTO cr_default SELECT g, md5(g::text) FROM generate_series(1, 500) g;
INSERT INTO cr_heap SELECT g, md5(g::text) FROM generate_series(1, 500) g;

-- CREATE TABLE AS, with and without data
CREATE TABLE cr_ctas USING timeseries AS SELECT * FROM cr_heap WHERE a % 2 = 0;
CREATE TABLE cr_ctas_nodata USING timeseries AS SELECT * FROM cr_heap WITH NO DATA;
SET default_table_access_method = timeseries;
CREATE TABLE cr_ctas_default AS SELECT a, b FROM cr_heap ORDER BY a LIMIT 7;
-- SELECT INTO uses default_table_access_method too
SELECT a * 10 AS a10, b INTO cr_select_into FROM cr_heap WHERE a <= 50;
RESET default_table_access_method;

-- LIKE copies the columns, not the access method
CREATE TABLE cr_like (LIKE cr_ctas) USING timeseries;
INSERT INTO cr_like SELECT * FROM cr_ctas;

SELECT c.relname, a.amname
  FROM pg_class c LEFT JOIN pg_am a ON a.oid = c.relam
 WHERE c.relname LIKE 'cr\_%' ORDER BY 1;

SELECT count(*) FROM cr_using;
SELECT (SELECT count(*) FROM (SELECT * FROM cr_default EXCEPT ALL SELECT * FROM cr_heap) x) AS missing_in_heap,
       (SELECT count(*) FROM (SELECT * FROM cr_heap EXCEPT ALL SELECT * FROM cr_default) x) AS missing_in_ts;
SELECT count(*), sum(a) FROM cr_ctas;
SELECT count(*) FROM (SELECT * FROM cr_ctas EXCEPT ALL SELECT * FROM cr_heap WHERE a % 2 = 0) x;
SELECT count(*) FROM (SELECT * FROM cr_heap WHERE a % 2 = 0 EXCEPT ALL SELECT * FROM cr_ctas) x;
SELECT count(*) FROM cr_ctas_nodata;
SELECT * FROM cr_ctas_default;
SELECT count(*), sum(a10) FROM cr_select_into;
SELECT count(*) FROM (SELECT * FROM cr_like EXCEPT ALL SELECT * FROM cr_ctas) x;
SELECT row_count FROM timeseries.table_stats('cr_ctas');
SELECT row_count FROM timeseries.table_stats('cr_ctas_nodata');

-- CTAS inside a transaction sees its rows, and a rolled back CTAS leaves nothing
BEGIN;
CREATE TABLE cr_ctas_tx USING timeseries AS SELECT g AS a FROM generate_series(1, 3000) g;
SELECT count(*), sum(a) FROM cr_ctas_tx;
INSERT INTO cr_ctas_tx VALUES (0);
SELECT count(*), sum(a) FROM cr_ctas_tx;
ROLLBACK;
SELECT count(*) FROM pg_class WHERE relname = 'cr_ctas_tx';

-- a range-partitioned table with timeseries partitions
CREATE TABLE cr_part (ts timestamptz NOT NULL, dev int, v float8) PARTITION BY RANGE (ts);
CREATE TABLE cr_part_2024_01 PARTITION OF cr_part
  FOR VALUES FROM ('2024-01-01') TO ('2024-02-01') USING timeseries;
CREATE TABLE cr_part_2024_02 PARTITION OF cr_part
  FOR VALUES FROM ('2024-02-01') TO ('2024-03-01') USING timeseries;
-- a heap partition in the same table
CREATE TABLE cr_part_2024_03 PARTITION OF cr_part
  FOR VALUES FROM ('2024-03-01') TO ('2024-04-01');
CREATE TABLE cr_part_heap (ts timestamptz NOT NULL, dev int, v float8);
INSERT INTO cr_part_heap
  SELECT '2024-01-01'::timestamptz + g * interval '37 min', g % 5, g * 0.5
    FROM generate_series(0, 3400) g;
INSERT INTO cr_part SELECT * FROM cr_part_heap;
SELECT tableoid::regclass AS part, count(*), min(ts), max(ts)
  FROM cr_part GROUP BY 1 ORDER BY 1;
SELECT (SELECT count(*) FROM cr_part_heap WHERE ts < '2024-02-01') AS jan,
       (SELECT count(*) FROM cr_part_heap WHERE ts >= '2024-02-01' AND ts < '2024-03-01') AS feb,
       (SELECT count(*) FROM cr_part_heap WHERE ts >= '2024-03-01') AS mar;
SELECT count(*) FROM (SELECT * FROM cr_part EXCEPT ALL SELECT * FROM cr_part_heap) x;
SELECT count(*) FROM (SELECT * FROM cr_part_heap EXCEPT ALL SELECT * FROM cr_part) x;
-- partition pruning still works
SELECT dev, count(*), sum(v) FROM cr_part WHERE ts >= '2024-02-10' AND ts < '2024-02-12'
 GROUP BY dev ORDER BY dev;
SELECT dev, count(*), sum(v) FROM cr_part_heap WHERE ts >= '2024-02-10' AND ts < '2024-02-12'
 GROUP BY dev ORDER BY dev;
-- row routing of a single insert and of COPY
INSERT INTO cr_part VALUES ('2024-02-15 12:00', 99, 1.5);
COPY cr_part FROM STDIN;
2024-01-20 00:00:00+00	98	2.5
2024-03-20 00:00:00+00	98	3.5
\.
SELECT tableoid::regclass, * FROM cr_part WHERE dev >= 98 ORDER BY ts;
-- an out-of-range row is refused
INSERT INTO cr_part VALUES ('2025-01-01', 1, 1);
SELECT c.relname, a.amname
  FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid
  LEFT JOIN pg_am a ON a.oid = c.relam
 WHERE i.inhparent = 'cr_part'::regclass ORDER BY 1;
-- a partition attached later
CREATE TABLE cr_part_2024_04 (LIKE cr_part) USING timeseries;
INSERT INTO cr_part_2024_04 VALUES ('2024-04-02', 7, 7);
ALTER TABLE cr_part ATTACH PARTITION cr_part_2024_04 FOR VALUES FROM ('2024-04-01') TO ('2024-05-01');
INSERT INTO cr_part VALUES ('2024-04-03', 7, 8);
SELECT tableoid::regclass, * FROM cr_part WHERE ts >= '2024-04-01' ORDER BY ts;
-- an attach that violates the constraint is refused after scanning the table
CREATE TABLE cr_part_bad (LIKE cr_part) USING timeseries;
INSERT INTO cr_part_bad VALUES ('2024-01-05', 1, 1);
ALTER TABLE cr_part ATTACH PARTITION cr_part_bad FOR VALUES FROM ('2024-05-01') TO ('2024-06-01');
-- partitioned tables themselves have no access method
CREATE TABLE cr_part_am (a int) PARTITION BY RANGE (a) USING timeseries;

-- unlogged tables (07_truncate_drop_temp tests them)
CREATE UNLOGGED TABLE cr_unlogged (a int) USING timeseries;
SELECT relpersistence FROM pg_class WHERE relname = 'cr_unlogged';
DROP TABLE cr_unlogged;

-- ALTER TABLE ... SET ACCESS METHOD, both ways, keeps the rows
CREATE TABLE cr_sam (a int, b text);
INSERT INTO cr_sam SELECT g, g::text FROM generate_series(1, 3000) g;
ALTER TABLE cr_sam SET ACCESS METHOD timeseries;
SELECT a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.relname = 'cr_sam';
SELECT count(*), sum(a), count(DISTINCT b) FROM cr_sam;
SELECT row_count FROM timeseries.table_stats('cr_sam');
ALTER TABLE cr_sam SET ACCESS METHOD heap;
SELECT a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.relname = 'cr_sam';
SELECT count(*), sum(a), count(DISTINCT b) FROM cr_sam;
DROP TABLE cr_sam;

-- schema changes: the same statements on a heap and a timeseries twin
CREATE TABLE cr_alt_h (a int, b text);
CREATE TABLE cr_alt_t (a int, b text) USING timeseries;
INSERT INTO cr_alt_h SELECT g, g::text FROM generate_series(1, 5) g;
INSERT INTO cr_alt_t SELECT g, g::text FROM generate_series(1, 5) g;
ALTER TABLE cr_alt_h ADD COLUMN c int DEFAULT 5;
ALTER TABLE cr_alt_t ADD COLUMN c int DEFAULT 5;
ALTER TABLE cr_alt_h ADD COLUMN d text;
ALTER TABLE cr_alt_t ADD COLUMN d text;
-- a volatile default rewrites the table
ALTER TABLE cr_alt_h ADD COLUMN e serial;
ALTER TABLE cr_alt_t ADD COLUMN e serial;
INSERT INTO cr_alt_h VALUES (0, 'zero', 1, 'dd');
INSERT INTO cr_alt_t VALUES (0, 'zero', 1, 'dd');
ALTER TABLE cr_alt_h DROP COLUMN b;
ALTER TABLE cr_alt_t DROP COLUMN b;
INSERT INTO cr_alt_h VALUES (-1, 2, 'x');
INSERT INTO cr_alt_t VALUES (-1, 2, 'x');
SELECT * FROM cr_alt_t ORDER BY a;
SELECT count(*) FROM (SELECT * FROM cr_alt_t EXCEPT ALL SELECT * FROM cr_alt_h) x;
SELECT count(*) FROM (SELECT * FROM cr_alt_h EXCEPT ALL SELECT * FROM cr_alt_t) x;
-- changing a column's type rewrites the table from the old row format
ALTER TABLE cr_alt_h ALTER COLUMN a TYPE bigint;
ALTER TABLE cr_alt_t ALTER COLUMN a TYPE bigint;
ALTER TABLE cr_alt_h ALTER COLUMN d TYPE varchar(10);
ALTER TABLE cr_alt_t ALTER COLUMN d TYPE varchar(10);
ALTER TABLE cr_alt_h ALTER COLUMN c TYPE text USING (c * 2)::text;
ALTER TABLE cr_alt_t ALTER COLUMN c TYPE text USING (c * 2)::text;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'cr_alt_t'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
SELECT * FROM cr_alt_t ORDER BY a;
SELECT count(*) FROM (SELECT * FROM cr_alt_t EXCEPT ALL SELECT * FROM cr_alt_h) x;
SELECT count(*) FROM (SELECT * FROM cr_alt_h EXCEPT ALL SELECT * FROM cr_alt_t) x;
DROP TABLE cr_alt_h, cr_alt_t;

DROP TABLE cr_using, cr_default, cr_heap, cr_ctas, cr_ctas_nodata, cr_ctas_default,
  cr_select_into, cr_like, cr_part, cr_part_heap, cr_part_bad;
SELECT count(*) FROM timeseries_internal.chunk;
