-- The first five minutes: the mistakes a new user is likely to make, and
-- what the error says.  Some messages are PostgreSQL's own and cannot be
-- changed; README.md's "Troubleshooting" says what to do about those.

-- USING timeseries in a database where the extension was not created
-- (CREATE EXTENSION is per database); then the fix
SELECT current_database() AS regress_db \gset
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regression_ts_noext;
RESET client_min_messages;
CREATE DATABASE regression_ts_noext TEMPLATE template0;
\c regression_ts_noext
CREATE TABLE cpu (time timestamptz NOT NULL, hostname text, usage_user float8) USING timeseries;
SET default_table_access_method = timeseries;
SELECT timeseries.set_options('cpu', segment_by => '{hostname}');
CREATE EXTENSION timeseries;
CREATE TABLE cpu (time timestamptz NOT NULL, hostname text, usage_user float8) USING timeseries;
SELECT count(*) FROM timeseries.tables;
\c :regress_db
DROP DATABASE regression_ts_noext;

-- a table to make mistakes with
SET timezone = 'UTC';
CREATE TABLE cpu (
	time timestamptz NOT NULL, "HostName" text, region text,
	usage_user float8, usage_idle float8, uptime bigint
) USING timeseries;
INSERT INTO cpu SELECT '2024-01-01'::timestamptz + i * interval '10 s', 'host_' || h, 'eu',
	(i * 7 + h) % 100, (i * 13 + h) % 100, i
FROM generate_series(0, 359) i, generate_series(0, 9) h;

-- \d+ names the access method
\set HIDE_TABLEAM off
\d+ cpu
\set HIDE_TABLEAM on

-- time_bucket(), first(), last() live in schema timeseries: not on the
-- default search_path
SELECT time_bucket('1 hour', time), last(usage_user, time) FROM cpu GROUP BY 1;
-- schema-qualified, or with the schema on the search_path
SELECT timeseries.time_bucket('1 hour', time) AS hour, count(*) FROM cpu GROUP BY 1 ORDER BY 1;
SET search_path = public, timeseries;
SELECT time_bucket('1 hour', time) AS hour, count(*) FROM cpu GROUP BY 1 ORDER BY 1;

-- set_options: an option name that does not exist (PostgreSQL's message:
-- named arguments must match; \df timeseries.set_options lists them)
SELECT timeseries.set_options('cpu', segmentby => '{HostName}');
SELECT timeseries.set_options('cpu', compress_segmentby => 'HostName');
-- segment_by is an array of column names
SELECT timeseries.set_options('cpu', segment_by => 'HostName');
-- a column that does not exist; one that differs only in case (names are
-- taken as written)
SELECT timeseries.set_options('cpu', segment_by => '{host}');
SELECT timeseries.set_options('cpu', segment_by => '{hostname}');
SELECT timeseries.set_options('cpu', order_by => 'hostname, time');
-- a time column that is not of a time type, or does not exist
SELECT timeseries.set_options('cpu', time_column => 'region');
SELECT timeseries.set_options('cpu', time_column => 'ts');
-- the time column is not a series
SELECT timeseries.set_options('cpu', segment_by => '{HostName, time}');
-- not a timeseries table; no such table
CREATE TABLE cpu_heap (time timestamptz, host text);
SELECT timeseries.set_options('cpu_heap', segment_by => '{host}');
SELECT timeseries.set_options('cpu_missing', segment_by => '{host}');
-- unknown values
SELECT timeseries.set_options('cpu', compression => 'gzip');
SELECT timeseries.set_options('cpu', retention => '-30 days');
-- the right way
SELECT timeseries.set_options('cpu', segment_by => '{HostName}', chunk_rows => 10000);

-- habits from TimescaleDB: there are no hypertables, and options are not
-- storage parameters
SELECT create_hypertable('cpu', 'time');
CREATE TABLE cpu2 (time timestamptz NOT NULL, hostname text, usage_user float8)
	USING timeseries WITH (timescaledb.compress, timescaledb.compress_segmentby = 'hostname',
						   timescaledb.compress_orderby = 'time DESC');
CREATE TABLE cpu2 (time timestamptz NOT NULL, hostname text, usage_user float8)
	USING timeseries WITH (segment_by = 'hostname', chunk_rows = 10000);
ALTER TABLE cpu SET (timescaledb.compress, timescaledb.compress_segmentby = 'HostName');
ALTER TABLE cpu SET (retention = '7 days');
SET default_table_access_method = timeseries;
CREATE TABLE cpu2 (time timestamptz NOT NULL, hostname text) WITH (timescaledb.compress);
CREATE TABLE cpu2 WITH (compression = lz4) AS SELECT * FROM cpu;
RESET default_table_access_method;
-- PostgreSQL's own storage parameters are accepted, and other tables are
-- PostgreSQL's business
ALTER TABLE cpu SET (autovacuum_enabled = off);
ALTER TABLE cpu RESET (autovacuum_enabled);
ALTER TABLE cpu_heap SET (segment_by = 'host');
-- a quoted older_than is read as a point in time; an interval needs its type
SELECT timeseries.drop_chunks('cpu', '30 days');
BEGIN;
SELECT timeseries.drop_chunks('cpu', interval '30 days');
ROLLBACK;

-- a partitioned table has no storage of its own: its partitions use timeseries
CREATE TABLE cpu_part (time timestamptz NOT NULL, hostname text, usage_user float8)
	PARTITION BY RANGE (time) USING timeseries;
CREATE TABLE cpu_part (time timestamptz NOT NULL, hostname text, usage_user float8)
	PARTITION BY RANGE (time);
CREATE TABLE cpu_part_2024_01 PARTITION OF cpu_part
	FOR VALUES FROM ('2024-01-01') TO ('2024-02-01') USING timeseries;

-- gapfill needs a range: from its arguments or from the WHERE clause
SELECT time_bucket_gapfill('10 minutes', time), avg(usage_user) FROM cpu GROUP BY 1;
SELECT time_bucket_gapfill('10 minutes', time) AS t, round(avg(usage_user)::numeric, 2) FROM cpu
 WHERE time >= '2024-01-01 00:30' AND time < '2024-01-01 01:10' GROUP BY 1 ORDER BY 1;

-- settings: a misspelt name
SET timeseries.chunk_row = 1000;
SET timeseries.compression = 'gzip';

-- what there is, at a glance (sizes depend on the compressor's version and
-- are not shown here)
SELECT table_name, row_count, chunk_count, total_size IS NOT NULL AS has_size,
	   compression_ratio > 1 AS compressed, options
  FROM timeseries.tables WHERE table_name::text LIKE 'cpu%' ORDER BY table_name::text;
SELECT * FROM timeseries.options WHERE table_name::text LIKE 'cpu%' ORDER BY table_name::text;

-- there is one version of the extension: nothing to update to yet
ALTER EXTENSION timeseries UPDATE;

RESET search_path;
DROP TABLE cpu, cpu_heap, cpu_part;
