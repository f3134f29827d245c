-- Every value must come back exactly as it went in: compare each timeseries
-- table with a heap twin holding the same rows, under chunk layouts that
-- exercise inline chunks, page chunks, several vectors per chunk and several
-- chunks per table.
CREATE TYPE ty_mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN ty_posint AS int CHECK (VALUE > 0);
CREATE TYPE ty_comp AS (x int, y text, z float8);

CREATE TABLE ty_src (
  id int, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric, b bool,
  t text, vc varchar(10), c char(5), by bytea, d date, tm time, ttz timetz,
  ts timestamp, tstz timestamptz, iv interval, u uuid, j json, jb jsonb,
  ip inet, cd cidr, mac macaddr, ai int[], at text[], am int[], e ty_mood,
  dom ty_posint, comp ty_comp, r int4range, tr tstzrange, nr numrange);

INSERT INTO ty_src VALUES
 (1, 0, 0, 0, 0, 0, 0, false, '', '', '', '', '2000-01-01', '00:00', '00:00+00',
  '2000-01-01', '2000-01-01 00:00+00', '0', '00000000-0000-0000-0000-000000000000',
  '{}', '{}', '0.0.0.0', '0.0.0.0/0', '00:00:00:00:00:00', '{}', '{}', '{}', 'sad',
  1, ROW(0, '', 0), 'empty', 'empty', 'empty'),
 (2, 32767, 2147483647, 9223372036854775807, 'Infinity', 'Infinity',
  '123456789012345678901234567890.123456789012345678901234567890', true,
  'hello world', 'abcdefghij', 'abc', '\x00ff00ff', 'infinity', '23:59:59.999999',
  '23:59:59.999999-15:59', 'infinity', 'infinity', '178000000 years',
  'ffffffff-ffff-ffff-ffff-ffffffffffff', '{"a": [1, 2.50, null], "b" : "x"}',
  '{"a": [1, 2.50, null], "b": "x"}', '2001:db8::1/64', '2001:db8::/32',
  'ff:ff:ff:ff:ff:ff', '{1,2,3}', '{a,NULL,"c d"}', '{{1,2},{3,4}}', 'happy',
  2147483647, ROW(1, 'a,b', 'NaN'), '[1,10)', '[2024-01-01,2024-02-01)', '(,5.5]'),
 (3, -32768, -2147483648, -9223372036854775808, '-Infinity', '-Infinity', 'NaN',
  NULL, repeat('ü', 100), 'ß', 'x', '\x', '-infinity', '12:34:56', '12:34:56+05:30',
  '-infinity', '-infinity', '-178000000 years', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '[1, "two", {"3": 4}]', '[1, "two", {"3": 4}]', '192.168.1.1', '192.168.0.0/16',
  '08:00:2b:01:02:03', '{NULL}', '{NULL,NULL}', '{{{1}},{{2}}}', 'ok', 3,
  ROW(NULL, NULL, NULL), '(,)', '(,2024-01-01)', '[-1e30,1e30]'),
 (4, 1, -1, 1, 'NaN', 'NaN', '-0.000000000000000000000000000001', true,
  E'tab\there\nnewline\\backslash "quote" ''single''', 'a b', 'ab  ', '\xdeadbeef',
  '4713-01-01 BC', '00:00:00.000001', '00:00:00.000001+15:59', '4713-01-01 00:00 BC',
  '294276-12-31 23:59:59.999999+00', '-1 year 2 mons 3 days 04:05:06.789',
  '12345678-1234-5678-1234-567812345678', '"just a string"', '"just a string"',
  '::1', '::/0', '01:02:03:04:05:06', ARRAY[-2147483648, 2147483647],
  ARRAY['', ' ', 'NULL', E'\\'], '[2:3]={7,8}', 'sad', 100,
  ROW(-1, E'quote"d', '-Infinity'), '[-5,5]', '[2024-01-01,)', '(1.1,1.2)'),
 (5, NULL, NULL, NULL, '-0', '-0', '-0', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, 'null', 'null', NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL),
 (6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL),
 (7, 7, 7, 7, 1.17549435e-38, 2.2250738585072014e-308, 1e-130, false,
  'x', 'x', 'x', '\x01', '2024-02-29', '12:00', '12:00-00', '2024-02-29 12:00',
  '2024-02-29 12:00+01', '1 microsecond', '00000000-0000-0000-0000-000000000001',
  '  { "spaces" :  true }  ', '{"spaces": true}', '10.0.0.1/8', '10.0.0.0/8',
  '0a:0b:0c:0d:0e:0f', '{0}', '{""}', '{{NULL,1},{2,NULL}}', 'happy', 7,
  ROW(7, '', 7.5), '[7,8)', 'empty', '[0,0]'),
 (8, -1, 1, -1, 3.4028235e38, 1.7976931348623157e308, 1e130, true, 'z', 'z', 'zzzzz',
  '\xff', '5874897-12-31', '24:00:00', '24:00:00-15:59', '294276-12-31 23:59:59.999999',
  '4714-11-24 00:00:00+00 BC', '-178000000 years -999 days', NULL, '1e400', '1e40',
  '255.255.255.255/32', '255.255.255.255/32', 'ff:00:00:00:00:ff', '{-0}', '{"{}"}', '{}',
  'ok', 8, ROW(8, NULL, -0.0), '[-2147483648,2147483647)', '[2024-01-01,2024-01-01]', NULL);

-- sign of zero survives in the source (heap)
SELECT id, f4::text, f8::text, n::text FROM ty_src WHERE id = 5;

-- layout 1: defaults (one small inline chunk)
CREATE TABLE ty_t1 (LIKE ty_src) USING timeseries;
INSERT INTO ty_t1 SELECT * FROM ty_src;
-- layout 2: page chunks, 3 rows per chunk, 2 rows per vector
SET timeseries.chunk_rows = 3;
SET timeseries.vector_rows = 2;
SET timeseries.inline_max_bytes = 0;
CREATE TABLE ty_t2 (LIKE ty_src) USING timeseries;
INSERT INTO ty_t2 SELECT * FROM ty_src;
-- layout 3: one row per vector, 5 rows per chunk, always inline, no compression
SET timeseries.chunk_rows = 5;
SET timeseries.vector_rows = 1;
SET timeseries.inline_max_bytes = '1MB';
SET timeseries.compression = none;
CREATE TABLE ty_t3 (LIKE ty_src) USING timeseries;
INSERT INTO ty_t3 SELECT * FROM ty_src;
-- layout 4: lz4, one row per chunk, page chunks
SET timeseries.chunk_rows = 1;
SET timeseries.inline_max_bytes = 0;
SET timeseries.compression = lz4;
CREATE TABLE ty_t4 (LIKE ty_src) USING timeseries;
INSERT INTO ty_t4 SELECT * FROM ty_src;
-- layout 5: zstd at a high level, rows written one statement at a time in one
-- transaction (one buffer, several command ids), 4 rows per vector, inline
SET timeseries.chunk_rows = 1000;
SET timeseries.vector_rows = 4;
SET timeseries.compression = zstd;
SET timeseries.compression_level = 19;
SET timeseries.inline_max_bytes = '64kB';
CREATE TABLE ty_t5 (LIKE ty_src) USING timeseries;
BEGIN;
INSERT INTO ty_t5 SELECT * FROM ty_src WHERE id <= 3;
INSERT INTO ty_t5 SELECT * FROM ty_src WHERE id > 3 AND id <= 6;
INSERT INTO ty_t5 SELECT * FROM ty_src WHERE id > 6;
COMMIT;
RESET timeseries.chunk_rows;
RESET timeseries.vector_rows;
RESET timeseries.compression;
RESET timeseries.compression_level;
RESET timeseries.inline_max_bytes;

SELECT 'ty_t' || k AS tbl, s.row_count, s.chunk_count, s.inline_chunk_count
  FROM generate_series(1, 5) k,
       LATERAL timeseries.table_stats(('ty_t' || k)::regclass) s ORDER BY 1;

-- compare the text form of whole rows (distinguishes -0, NaN, json spacing ...)
CREATE VIEW ty_all AS
  SELECT 1 AS k, y::text AS r FROM ty_t1 y UNION ALL SELECT 2, y::text FROM ty_t2 y
  UNION ALL SELECT 3, y::text FROM ty_t3 y UNION ALL SELECT 4, y::text FROM ty_t4 y
  UNION ALL SELECT 5, y::text FROM ty_t5 y;
SELECT k,
  (SELECT count(*) FROM (SELECT x::text FROM ty_src x
                         EXCEPT ALL SELECT r FROM ty_all a WHERE a.k = g.k) q) AS missing,
  (SELECT count(*) FROM (SELECT r FROM ty_all a WHERE a.k = g.k
                         EXCEPT ALL SELECT x::text FROM ty_src x) q) AS extra
FROM generate_series(1, 5) g(k) ORDER BY k;
-- the comparison can fail: a missing row is noticed
SELECT count(*) FROM (SELECT r FROM ty_all WHERE k = 1
                      EXCEPT ALL SELECT x::text FROM ty_src x WHERE x.id <> 4) q;
DROP VIEW ty_all;

-- compare column by column with IS NOT DISTINCT FROM (json by text)
SELECT count(*) FROM ty_src s JOIN ty_t2 t USING (id)
 WHERE (s.i2, s.i4, s.i8, s.f4, s.f8, s.n, s.b, s.t, s.vc, s.c, s.by, s.d, s.tm, s.ttz,
        s.ts, s.tstz, s.iv, s.u, s.j::text, s.jb, s.ip, s.cd, s.mac, s.ai, s.at, s.am,
        s.e, s.dom, s.comp, s.r, s.tr, s.nr)
       IS NOT DISTINCT FROM
       (t.i2, t.i4, t.i8, t.f4, t.f8, t.n, t.b, t.t, t.vc, t.c, t.by, t.d, t.tm, t.ttz,
        t.ts, t.tstz, t.iv, t.u, t.j::text, t.jb, t.ip, t.cd, t.mac, t.ai, t.at, t.am,
        t.e, t.dom, t.comp, t.r, t.tr, t.nr);

-- a few values shown explicitly, from a page-chunk table
SELECT id, f4::text, f8::text, n::text, f8 < 0 AS f8_neg, i2, i4, i8, c || '|' AS c_cat
  FROM ty_t4 ORDER BY id;
SELECT id, j, jb, at, am, array_dims(am), comp, (comp).y, r, tr
  FROM ty_t2 ORDER BY id;
SELECT id, by, d, tm, ttz, ts, tstz, iv FROM ty_t3 ORDER BY id;
SELECT id, u, ip, cd, mac, e, dom, nr, t FROM ty_t5 WHERE id <> 3 ORDER BY id;
-- NULL handling per column
SELECT count(*) FILTER (WHERE i2 IS NULL) AS i2, count(*) FILTER (WHERE b IS NULL) AS b,
       count(*) FILTER (WHERE t IS NULL) AS t, count(*) FILTER (WHERE j IS NULL) AS j,
       count(*) FILTER (WHERE comp IS NULL) AS comp, count(*) FILTER (WHERE nr IS NULL) AS nr
  FROM ty_t4;
SELECT count(*) FILTER (WHERE i2 IS NULL) AS i2, count(*) FILTER (WHERE b IS NULL) AS b,
       count(*) FILTER (WHERE t IS NULL) AS t, count(*) FILTER (WHERE j IS NULL) AS j,
       count(*) FILTER (WHERE comp IS NULL) AS comp, count(*) FILTER (WHERE nr IS NULL) AS nr
  FROM ty_src;
-- typed operations on the stored values agree with heap
SELECT e, count(*) FROM ty_t1 GROUP BY e ORDER BY e;
SELECT e, count(*) FROM ty_src GROUP BY e ORDER BY e;
SELECT sum(i8::numeric), sum(n) FILTER (WHERE n <> 'NaN'), max(tstz), min(d) FROM ty_t2;
SELECT sum(i8::numeric), sum(n) FILTER (WHERE n <> 'NaN'), max(tstz), min(d) FROM ty_src;
-- a domain check still applies to inserts
INSERT INTO ty_t1 (id, dom) VALUES (99, 0);

DROP TABLE ty_t1, ty_t2, ty_t3, ty_t4, ty_t5;

-- many rows: several vectors and chunks of realistic size, all layouts
CREATE TABLE ty_many_h (id int, v float8, s text, n numeric, b bool, ts timestamptz);
INSERT INTO ty_many_h
  SELECT g, CASE WHEN g % 97 = 0 THEN NULL ELSE sin(g) * 1000 END,
         CASE WHEN g % 13 = 0 THEN NULL ELSE 'dev-' || (g % 50) END,
         g / 7.0, g % 3 = 0, '2024-01-01'::timestamptz + g * interval '1 s'
    FROM generate_series(1, 20000) g;
SET timeseries.chunk_rows = 5000;
SET timeseries.vector_rows = 700;
CREATE TABLE ty_many_t USING timeseries AS SELECT * FROM ty_many_h;
RESET timeseries.chunk_rows;
RESET timeseries.vector_rows;
SELECT row_count, chunk_count, inline_chunk_count = 0 AS all_pages
  FROM timeseries.table_stats('ty_many_t');
SELECT count(*) FROM (SELECT * FROM ty_many_t EXCEPT ALL SELECT * FROM ty_many_h) x;
SELECT count(*) FROM (SELECT * FROM ty_many_h EXCEPT ALL SELECT * FROM ty_many_t) x;
SELECT count(*), count(v), count(s), sum(v)::numeric(20,6), sum(n), count(*) FILTER (WHERE b)
  FROM ty_many_t;
SELECT count(*), count(v), count(s), sum(v)::numeric(20,6), sum(n), count(*) FILTER (WHERE b)
  FROM ty_many_h;
DROP TABLE ty_many_h, ty_many_t;

-- values larger than 1 MB
CREATE TABLE ty_big_h (id int, t text, by bytea);
INSERT INTO ty_big_h VALUES
  (1, repeat('x', 3000000), NULL),
  (2, NULL, (SELECT string_agg(decode(md5(g::text), 'hex'), ''::bytea)
               FROM generate_series(1, 131072) g)),
  (3, 'small', '\x00'),
  (4, (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 40000) g), NULL);
CREATE TABLE ty_big_t (id int, t text, by bytea) USING timeseries;
INSERT INTO ty_big_t SELECT * FROM ty_big_h;
SET timeseries.vector_rows = 1;
INSERT INTO ty_big_t SELECT id + 10, t, by FROM ty_big_h;
RESET timeseries.vector_rows;
SELECT id, length(t), md5(t), length(by), md5(by) FROM ty_big_t ORDER BY id;
SELECT id, length(t), md5(t), length(by), md5(by) FROM ty_big_h ORDER BY id;
SELECT count(*) FROM ty_big_t t JOIN ty_big_h h ON h.id = t.id % 10
 WHERE t.t IS NOT DISTINCT FROM h.t AND t.by IS NOT DISTINCT FROM h.by;
SELECT row_count, chunk_count FROM timeseries.table_stats('ty_big_t');
DROP TABLE ty_big_h, ty_big_t;

-- a table with a single column, and rows that are all NULL
CREATE TABLE ty_one (a int) USING timeseries;
INSERT INTO ty_one VALUES (NULL), (1), (NULL), (NULL);
INSERT INTO ty_one SELECT NULL FROM generate_series(1, 2000);
SELECT count(*), count(a), sum(a) FROM ty_one;
CREATE TABLE ty_one_text (a text) USING timeseries;
INSERT INTO ty_one_text SELECT NULL FROM generate_series(1, 3000);
SELECT count(*), count(a) FROM ty_one_text;
DROP TABLE ty_one, ty_one_text;

-- a table with 1000 columns
DO $$
BEGIN
  EXECUTE 'CREATE TABLE ty_wide_h (' ||
    (SELECT string_agg(format('c%s %s', g, CASE g % 3 WHEN 0 THEN 'int' WHEN 1 THEN 'text' ELSE 'float8' END), ', ')
       FROM generate_series(1, 1000) g) || ')';
  EXECUTE 'CREATE TABLE ty_wide_t (LIKE ty_wide_h) USING timeseries';
  -- row r, column g: NULL when (g + r) % 4 = 0
  FOR r IN 1..5 LOOP
    EXECUTE 'INSERT INTO ty_wide_h VALUES (' ||
      (SELECT string_agg(CASE WHEN (g + r) % 4 = 0 THEN 'NULL'
                              WHEN g % 3 = 0 THEN (g * r)::text
                              WHEN g % 3 = 1 THEN quote_literal('r' || r || 'c' || g)
                              ELSE (g / (r + 0.5))::text END, ', ' ORDER BY g)
         FROM generate_series(1, 1000) g) || ')';
  END LOOP;
  -- and a row of all NULLs
  INSERT INTO ty_wide_h DEFAULT VALUES;
END $$;
INSERT INTO ty_wide_t SELECT * FROM ty_wide_h;
SET timeseries.inline_max_bytes = 0;
SET timeseries.vector_rows = 2;
INSERT INTO ty_wide_t SELECT * FROM ty_wide_h;
RESET timeseries.inline_max_bytes;
RESET timeseries.vector_rows;
SELECT count(*) FROM ty_wide_t;
SELECT count(*) FROM (SELECT x::text FROM ty_wide_t x EXCEPT ALL
                      SELECT y::text FROM (SELECT * FROM ty_wide_h UNION ALL SELECT * FROM ty_wide_h) y) q;
SELECT count(*) FROM (SELECT y::text FROM (SELECT * FROM ty_wide_h UNION ALL SELECT * FROM ty_wide_h) y
                      EXCEPT ALL SELECT x::text FROM ty_wide_t x) q;
SELECT c1, c2, c3, c999, c1000 FROM ty_wide_t ORDER BY c1000 NULLS LAST, c1 NULLS LAST;
SELECT c1, c2, c3, c999, c1000 FROM ty_wide_h ORDER BY c1000 NULLS LAST, c1 NULLS LAST;
SELECT row_count, chunk_count FROM timeseries.table_stats('ty_wide_t');
DROP TABLE ty_wide_h, ty_wide_t;
DROP TABLE ty_src;
DROP TYPE ty_comp;
DROP DOMAIN ty_posint;
DROP TYPE ty_mood;
