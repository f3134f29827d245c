-- The type-aware encodings, seen through the table: with the general-purpose
-- compressor off, each column of 65,536 rows must take about what its codec
-- promises, and every value must come back exactly (compared with heap).
SET timeseries.compression = none;
SELECT setseed(0.5);
CREATE TABLE cd_heap AS
SELECT timestamptz '2016-01-01' + i * interval '10 s' AS ts,   -- delta-of-delta: no bits
	   round((random() * 100)::numeric, 1)::float8 AS reading,  -- ALP: 10 bits
	   'host_' || (i % 20) AS host,                             -- dictionary: 5 bits
	   random() < 0.5 AS flag,                                  -- 1 bit
	   (i / 1000)::int AS run                                   -- runs
  FROM generate_series(0, 65535) i;
CREATE TABLE cd_ts USING timeseries AS SELECT * FROM cd_heap;

SELECT (SELECT count(*) FROM (SELECT * FROM cd_ts EXCEPT ALL SELECT * FROM cd_heap) a) AS ts_not_heap,
	   (SELECT count(*) FROM (SELECT * FROM cd_heap EXCEPT ALL SELECT * FROM cd_ts) b) AS heap_not_ts;

-- one column at a time, so each size is that column's (plus chunk overhead)
CREATE TABLE cd_one_ts (ts timestamptz) USING timeseries;
INSERT INTO cd_one_ts SELECT ts FROM cd_heap;
CREATE TABLE cd_one_reading (reading float8) USING timeseries;
INSERT INTO cd_one_reading SELECT reading FROM cd_heap;
CREATE TABLE cd_one_host (host text) USING timeseries;
INSERT INTO cd_one_host SELECT host FROM cd_heap;
CREATE TABLE cd_one_flag (flag bool) USING timeseries;
INSERT INTO cd_one_flag SELECT flag FROM cd_heap;
CREATE TABLE cd_one_run (run int) USING timeseries;
INSERT INTO cd_one_run SELECT run FROM cd_heap;
SELECT t, round(8.0 * compressed_bytes / 65536, 1) <= max_bits AS within_budget
  FROM (VALUES ('cd_one_ts', 1.0), ('cd_one_reading', 12.0), ('cd_one_host', 7.0),
			   ('cd_one_flag', 1.5), ('cd_one_run', 1.0)) v(t, max_bits),
	   LATERAL timeseries.table_stats(t::regclass)
 ORDER BY t;

-- extremes of every integer width and of floats round-trip exactly
CREATE TABLE cd_ext (a int2, b int4, c int8, d float4, e float8, f bool, g "char") USING timeseries;
INSERT INTO cd_ext VALUES
  (-32768, -2147483648, -9223372036854775808, '-Infinity', '-Infinity', false, '\001'),
  (32767, 2147483647, 9223372036854775807, 'Infinity', 'Infinity', true, '\177'),
  (0, 0, 0, '-0', '-0', NULL, NULL),
  (1, 1, 1, 'NaN', 'NaN', true, 'x'),
  (NULL, NULL, NULL, 1.5, 0.1, false, 'y'),
  (-1, -1, -1, 3.4e38, 1.7976931348623157e308, true, 'z');
SELECT a, b, c, d, e, f, g, 1 / NULLIF(d, 0) IS NULL AS d_zero FROM cd_ext ORDER BY c NULLS LAST, e;
SELECT e::text FROM cd_ext WHERE e = 0;
DROP TABLE cd_heap, cd_ts, cd_one_ts, cd_one_reading, cd_one_host, cd_one_flag, cd_one_run, cd_ext;
