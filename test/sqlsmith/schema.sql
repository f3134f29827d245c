-- The database SQLsmith attacks (test/sqlsmith/run.sh).  Run as the
-- unprivileged owner of the database, after CREATE EXTENSION timeseries.
-- Values come from arithmetic on generate_series, not random(), so every run
-- sees the same data.  Small chunks (timeseries.chunk_rows = 500) give many
-- chunks per table, some inline, some in page extents, with summaries that
-- pruning can use.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TYPE pt AS (x int, y text);

-- heap tables: join partners and a heap twin of ts_metrics
CREATE TABLE hosts (
	host_id int PRIMARY KEY, hostname text NOT NULL, region varchar(16), rack int2,
	since date, weight float8
);
INSERT INTO hosts
SELECT h, 'host_' || h, (ARRAY['eu-west', 'us-east', 'ap-south', NULL])[h % 4 + 1],
	   (h % 7)::int2, date '2020-01-01' + h * 11, CASE WHEN h % 9 = 0 THEN NULL ELSE h / 3.0 END
  FROM generate_series(0, 59) h;

SET timeseries.chunk_rows = 500;

-- a TSBS-like metrics table: 10,000 rows, 20 chunks, a foreign key to a heap table
CREATE TABLE ts_metrics (
	time timestamptz NOT NULL,
	host_id int4 REFERENCES hosts,
	hostname text,
	usage_user float8,
	usage_idle float4,
	requests int8,
	healthy bool,
	region varchar(16),
	CHECK (requests IS NULL OR requests >= 0)
) USING timeseries;
INSERT INTO ts_metrics
SELECT timestamptz '2024-01-01 00:00:00+00' + g * interval '10 s',
	   CASE WHEN g % 211 = 0 THEN NULL ELSE g % 50 END,
	   CASE WHEN g % 223 = 0 THEN NULL ELSE 'host_' || (g % 50) END,
	   CASE WHEN g % 997 = 0 THEN 'NaN'::float8
			WHEN g % 991 = 0 THEN 'Infinity'
			WHEN g % 983 = 0 THEN '-Infinity'
			WHEN g % 101 = 0 THEN NULL
			WHEN g % 977 = 0 THEN '-0'
			ELSE (g * 7919 % 10000) / 100.0 END,
	   CASE WHEN g % 887 = 0 THEN 'NaN'::float4
			WHEN g % 881 = 0 THEN 'Infinity'
			WHEN g % 103 = 0 THEN NULL
			ELSE (g * 104729 % 1000) / 10.0 END,
	   CASE WHEN g % 107 = 0 THEN NULL ELSE (g::int8 * 2654435761) % 1000000007 END,
	   CASE WHEN g % 109 = 0 THEN NULL ELSE g % 3 <> 0 END,
	   (ARRAY['eu-west', 'us-east', 'ap-south', NULL])[g % 4 + 1]
  FROM generate_series(1, 10000) g;
CREATE TABLE heap_metrics AS SELECT * FROM ts_metrics;

-- events: timestamp without time zone, date, numeric, varchar, jsonb, arrays;
-- lz4, 100-row vectors
SET timeseries.vector_rows = 100;
SET timeseries.compression = lz4;
CREATE TABLE ts_events (
	ts timestamp,
	day date,
	small int2,
	big int8,
	amount numeric(12, 3),
	label varchar(20),
	payload jsonb,
	tags text[],
	vals int4[],
	ratio float4,
	note text,
	m mood,
	code char(3)
) USING timeseries;
INSERT INTO ts_events
SELECT CASE WHEN g % 301 = 0 THEN NULL WHEN g = 4000 THEN 'infinity'
			ELSE timestamp '2023-06-01' + g * interval '17 min' END,
	   CASE WHEN g % 307 = 0 THEN NULL WHEN g = 4001 THEN '-infinity'
			ELSE date '2023-06-01' + g / 50 END,
	   CASE WHEN g % 113 = 0 THEN NULL WHEN g = 10 THEN 32767 WHEN g = 11 THEN -32768
			ELSE (g % 200 - 100) END::int2,
	   CASE WHEN g = 20 THEN 9223372036854775807 WHEN g = 21 THEN -9223372036854775808
			WHEN g % 127 = 0 THEN NULL ELSE g::int8 * g * 1000 END,
	   CASE WHEN g % 131 = 0 THEN NULL WHEN g % 1009 = 0 THEN 'NaN'
			ELSE (g * 31 % 100000) / 7.0 - 5000 END,
	   CASE WHEN g % 137 = 0 THEN NULL ELSE (ARRAY['login', 'logout', 'error', 'warn', ''])[g % 5 + 1] END,
	   CASE WHEN g % 139 = 0 THEN NULL
			ELSE jsonb_build_object('k', g % 10, 'v', g * 1.5, 'tags', jsonb_build_array('a', g % 3)) END,
	   CASE WHEN g % 149 = 0 THEN NULL WHEN g % 151 = 0 THEN '{}'
			ELSE ARRAY['t' || (g % 4), NULL, 'u' || (g % 9)] END,
	   CASE WHEN g % 157 = 0 THEN NULL ELSE ARRAY[g, g % 7, -g] END,
	   CASE WHEN g % 163 = 0 THEN NULL WHEN g % 167 = 0 THEN 'NaN'::float4
			WHEN g % 173 = 0 THEN '-Infinity' ELSE g / 3.0 END,
	   CASE WHEN g % 10 = 0 THEN repeat('note ' || g, g % 5) END,
	   CASE WHEN g % 179 = 0 THEN NULL ELSE (ARRAY['sad', 'ok', 'happy'])[g % 3 + 1]::mood END,
	   CASE WHEN g % 181 = 0 THEN NULL ELSE chr(65 + g % 26) || 'x' END
  FROM generate_series(1, 6000) g;
RESET timeseries.vector_rows;
RESET timeseries.compression;

-- many more types, every chunk inline, no compression
SET timeseries.inline_max_bytes = '256kB';
SET timeseries.compression = none;
CREATE TABLE ts_wide (
	id int8,
	t time,
	ttz timetz,
	iv interval,
	u uuid,
	by bytea,
	ip inet,
	cd cidr,
	mac macaddr,
	j json,
	r int4range,
	tr tstzrange,
	nr numrange,
	pi posint,
	p pt,
	ch "char",
	o oid,
	money_ money,
	bits varbit,
	n numeric,
	f8 float8,
	f4 float4
) USING timeseries;
INSERT INTO ts_wide
SELECT g,
	   CASE WHEN g % 50 = 0 THEN NULL ELSE time '00:00' + g * interval '7 s' END,
	   CASE WHEN g % 51 = 0 THEN NULL ELSE (time '12:00' + g * interval '1 min')::timetz END,
	   CASE WHEN g % 52 = 0 THEN NULL ELSE g * interval '1 hour 3 min' END,
	   CASE WHEN g % 53 = 0 THEN NULL ELSE md5(g::text)::uuid END,
	   CASE WHEN g % 54 = 0 THEN NULL ELSE decode(md5(g::text), 'hex') END,
	   CASE WHEN g % 55 = 0 THEN NULL ELSE ('10.0.' || g % 256 || '.' || g % 250)::inet END,
	   CASE WHEN g % 56 = 0 THEN NULL ELSE ('10.' || g % 256 || '.0.0/16')::cidr END,
	   CASE WHEN g % 57 = 0 THEN NULL ELSE ('08:00:2b:01:02:' || lpad(to_hex(g % 256), 2, '0'))::macaddr END,
	   CASE WHEN g % 58 = 0 THEN NULL ELSE json_build_object('g', g, 's', 'x' || g) END,
	   CASE WHEN g % 59 = 0 THEN NULL WHEN g % 61 = 0 THEN 'empty' ELSE int4range(g, g + g % 10) END,
	   CASE WHEN g % 60 = 0 THEN NULL
			ELSE tstzrange(timestamptz '2024-01-01' + g * interval '1 h', timestamptz '2024-01-01' + g * interval '2 h') END,
	   CASE WHEN g % 62 = 0 THEN NULL ELSE numrange(g / 10.0, g / 5.0) END,
	   CASE WHEN g % 63 = 0 THEN NULL ELSE g END,
	   CASE WHEN g % 64 = 0 THEN NULL ELSE ROW(g, 'p' || g)::pt END,
	   CASE WHEN g % 65 = 0 THEN NULL ELSE chr(97 + g % 26)::"char" END,
	   CASE WHEN g % 66 = 0 THEN NULL ELSE (g * 1000)::oid END,
	   CASE WHEN g % 67 = 0 THEN NULL ELSE (g * 1.25)::numeric::money END,
	   CASE WHEN g % 68 = 0 THEN NULL ELSE (g % 256)::bit(8)::varbit END,
	   CASE WHEN g % 69 = 0 THEN NULL WHEN g % 70 = 0 THEN 'NaN' WHEN g % 71 = 0 THEN 'Infinity'
			WHEN g % 72 = 0 THEN '-Infinity' ELSE g * 1.000001 END,
	   CASE WHEN g % 73 = 0 THEN NULL WHEN g % 74 = 0 THEN 'NaN' WHEN g % 75 = 0 THEN '-Infinity'
			ELSE g * 0.1 END,
	   CASE WHEN g % 76 = 0 THEN NULL WHEN g % 77 = 0 THEN '-0' WHEN g % 78 = 0 THEN 'Infinity'
			ELSE g * 0.01 END
  FROM generate_series(1, 3000) g;
RESET timeseries.inline_max_bytes;
RESET timeseries.compression;

-- tiny: one row per transaction, so one inline chunk per row; no ANALYZE
CREATE TABLE ts_tiny (time timestamptz, v int4, s text, f float8) USING timeseries;
INSERT INTO ts_tiny VALUES ('2024-01-01 00:00+00', 1, 'one', 1.5);
INSERT INTO ts_tiny VALUES ('2024-01-01 00:01+00', 2, NULL, 'NaN');
INSERT INTO ts_tiny VALUES (NULL, NULL, NULL, NULL);
INSERT INTO ts_tiny VALUES ('2024-01-01 00:03+00', -2147483648, '', '-Infinity');
INSERT INTO ts_tiny VALUES ('infinity', 2147483647, 'max', 'Infinity');
INSERT INTO ts_tiny VALUES ('2024-01-01 00:05+00', 5, 'five', -0.0);
INSERT INTO ts_tiny VALUES ('2024-01-01 00:06+00', 6, 'six', 6);

-- empty
CREATE TABLE ts_empty (time timestamptz NOT NULL, device int, value float8, tag text) USING timeseries;

-- mostly NULL: all-NULL vectors and chunks, and constant columns
CREATE TABLE ts_nulls (time timestamptz, a int4, b text, c float8, d bool, e int2) USING timeseries;
INSERT INTO ts_nulls
SELECT CASE WHEN g > 1500 THEN timestamptz '2024-02-01' + g * interval '1 s' END,
	   CASE WHEN g % 400 = 0 THEN g END,
	   NULL,
	   CASE WHEN g BETWEEN 600 AND 1100 THEN 42 END,
	   CASE WHEN g > 1000 THEN true END,
	   7
  FROM generate_series(1, 2000) g;

-- columns dropped and added after data was written (missing values, dropped columns)
CREATE TABLE ts_altered (time timestamptz, a int4, gone text, b float8) USING timeseries;
INSERT INTO ts_altered
SELECT timestamptz '2024-03-01' + g * interval '1 min', g, 'gone' || g, g / 2.0
  FROM generate_series(1, 1200) g;
ALTER TABLE ts_altered DROP COLUMN gone;
ALTER TABLE ts_altered ADD COLUMN c int8 DEFAULT 17;
ALTER TABLE ts_altered ADD COLUMN d text;
INSERT INTO ts_altered
SELECT timestamptz '2024-03-10' + g * interval '1 min', g, g / 3.0, g * 10, 'd' || g % 5
  FROM generate_series(1, 800) g;

-- partitioned: timeseries partitions and a heap default partition
CREATE TABLE parted (time timestamptz NOT NULL, device int2, value float8, label text)
	PARTITION BY RANGE (time);
CREATE TABLE parted_2024_01 PARTITION OF parted
	FOR VALUES FROM ('2024-01-01 00:00+00') TO ('2024-02-01 00:00+00') USING timeseries;
CREATE TABLE parted_2024_02 PARTITION OF parted
	FOR VALUES FROM ('2024-02-01 00:00+00') TO ('2024-03-01 00:00+00') USING timeseries;
CREATE TABLE parted_default PARTITION OF parted DEFAULT;
INSERT INTO parted
SELECT timestamptz '2023-12-25 00:00+00' + g * interval '13 min', (g % 20)::int2,
	   CASE WHEN g % 41 = 0 THEN NULL ELSE sin(g) * 100 END,
	   CASE WHEN g % 3 = 0 THEN 'a' WHEN g % 3 = 1 THEN 'b' END
  FROM generate_series(1, 8000) g;

-- created by CREATE TABLE AS, with vectors of 64 rows
SET timeseries.vector_rows = 64;
CREATE TABLE ts_ctas USING timeseries AS
SELECT host_id, date_trunc('hour', time) AS hour, avg(usage_user) AS avg_user,
	   max(requests) AS max_req, count(*) AS n
  FROM ts_metrics GROUP BY 1, 2;
RESET timeseries.vector_rows;

-- row-level security forced on the owner: the policy's qual is pushed down
-- (or not) together with the query's quals
CREATE TABLE ts_secure (time timestamptz, owner_id int, secret text, level int2) USING timeseries;
INSERT INTO ts_secure
SELECT timestamptz '2024-04-01' + g * interval '1 min', g % 10, 'secret' || g, (g % 5)::int2
  FROM generate_series(1, 1500) g;
ALTER TABLE ts_secure ENABLE ROW LEVEL SECURITY;
ALTER TABLE ts_secure FORCE ROW LEVEL SECURITY;
CREATE POLICY only_even ON ts_secure USING (owner_id % 2 = 0 AND level < 4);

RESET timeseries.chunk_rows;

-- views
CREATE VIEW v_recent AS
	SELECT * FROM ts_metrics WHERE time >= '2024-01-01 12:00+00' AND healthy;
CREATE VIEW v_host_usage AS
	SELECT h.hostname, h.region, m.time, m.usage_user
	  FROM ts_metrics m JOIN hosts h USING (host_id);
CREATE VIEW v_barrier WITH (security_barrier) AS
	SELECT ts, label, amount FROM ts_events WHERE small > 0;

ANALYZE hosts, heap_metrics, ts_metrics, ts_events, ts_wide, ts_empty, ts_nulls,
	ts_altered, parted, ts_ctas, ts_secure;
