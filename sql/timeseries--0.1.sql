-- timeseries 0.1: table access method, metadata catalog and reporting functions.
\echo Use "CREATE EXTENSION timeseries" to load this file. \quit

CREATE SCHEMA timeseries;
CREATE SCHEMA timeseries_internal;
REVOKE ALL ON SCHEMA timeseries_internal FROM PUBLIC;
GRANT USAGE ON SCHEMA timeseries TO PUBLIC;

-- Storage ids key all side metadata; the id of a relation lives in its metapage.
CREATE SEQUENCE timeseries_internal.storage_id_seq MINVALUE 1 NO CYCLE;

-- One row per chunk.  A chunk is visible exactly when this row is visible.
--   first_row   first row id (row ids map to ctids: block = id / 291, offset = id % 291 + 1)
--   flush_seq   backend-local flush order, used only by the writing transaction
--   first_block first block of the chunk's page extent, or -1 for an inline chunk
--   cids        per-row command ids while the writing transaction is open (NULL: all equal)
--   data        the chunk's bytes for an inline chunk
--   summary     per-column min, max and NULL flags (src/summary.c), for skipping chunks
--   row_span    the chunk holds row ids [first_row, first_row + row_span), of which
--               row_count are stored (VACUUM removed the others); NULL: row_count
CREATE TABLE timeseries_internal.chunk (
	storage_id bigint NOT NULL,
	first_row bigint NOT NULL,
	row_count integer NOT NULL,
	flush_seq bigint NOT NULL,
	first_block integer NOT NULL,
	byte_count integer NOT NULL,
	raw_bytes bigint NOT NULL,
	cids bytea,
	data bytea,
	summary bytea,
	row_span integer
);
CREATE UNIQUE INDEX chunk_storage_row_idx
	ON timeseries_internal.chunk (storage_id, first_row);
ALTER TABLE timeseries_internal.chunk ALTER COLUMN data SET STORAGE EXTERNAL;
-- Every VACUUM cleans the index up: otherwise, with dead rows on few pages,
-- VACUUM leaves their line pointers for later, and one left on the last
-- page keeps the emptied pages of compacted inline chunks (a trickle load's
-- worth of them) in the file.
ALTER TABLE timeseries_internal.chunk SET (vacuum_index_cleanup = on);
REVOKE ALL ON timeseries_internal.chunk FROM PUBLIC;
REVOKE ALL ON timeseries_internal.storage_id_seq FROM PUBLIC;

-- One row per deleted row (src/delete_mask.c).  A snapshot sees a row as
-- deleted exactly when it sees this row; its inserting transaction is the
-- deleting one.
--   successor   row id of the new version when the row was updated, else NULL
CREATE TABLE timeseries_internal.deleted_row (
	storage_id bigint NOT NULL,
	row_id bigint NOT NULL,
	successor bigint
);
CREATE UNIQUE INDEX deleted_row_idx
	ON timeseries_internal.deleted_row (storage_id, row_id);
REVOKE ALL ON timeseries_internal.deleted_row FROM PUBLIC;

-- One row per row lock taken (SELECT ... FOR UPDATE / SHARE, and before a
-- row is changed): a lock holds while its inserting transaction is in
-- progress.  VACUUM deletes the rows of finished transactions.
--   mode        the LockTupleMode: 0 key share, 1 share, 2 no key update, 3 update
CREATE TABLE timeseries_internal.row_lock (
	storage_id bigint NOT NULL,
	row_id bigint NOT NULL,
	mode smallint NOT NULL
);
CREATE INDEX row_lock_idx ON timeseries_internal.row_lock (storage_id, row_id);
REVOKE ALL ON timeseries_internal.row_lock FROM PUBLIC;

-- Row ids a transaction holds in its write buffer, announced for tables with
-- unique indexes or exclusion constraints (src/pending.c): another backend's
-- uniqueness check finds the index entry of such a row before its chunk
-- exists, and waits for the inserting transaction.  Deleted when the rows
-- are written at commit.
CREATE TABLE timeseries_internal.pending_rows (
	storage_id bigint NOT NULL,
	first_row bigint NOT NULL,
	end_row bigint NOT NULL
);
CREATE INDEX pending_rows_idx ON timeseries_internal.pending_rows (storage_id, first_row);
REVOKE ALL ON timeseries_internal.pending_rows FROM PUBLIC;

-- Page extents of deleted chunks, for new chunks to reuse (src/storage.c).
-- Inserted by the transaction that deletes the chunk's metadata row, whose
-- snapshots-older-than-it must be gone before the extent is reused.
--   first_block the extent's first block; -1 - first block while pending
CREATE TABLE timeseries_internal.free_extent (
	storage_id bigint NOT NULL,
	first_block bigint NOT NULL,
	block_count integer NOT NULL
);
CREATE INDEX free_extent_idx ON timeseries_internal.free_extent (storage_id, first_block);
REVOKE ALL ON timeseries_internal.free_extent FROM PUBLIC;

-- The same tables for unlogged timeseries tables, whose storage ids have bit
-- 62 set (src/metadata.h): crash recovery empties these together with the
-- tables' forks, so their metadata never names data that is gone.
CREATE UNLOGGED TABLE timeseries_internal.unlogged_chunk
	(LIKE timeseries_internal.chunk INCLUDING STORAGE);
CREATE UNIQUE INDEX unlogged_chunk_storage_row_idx
	ON timeseries_internal.unlogged_chunk (storage_id, first_row);
ALTER TABLE timeseries_internal.unlogged_chunk SET (vacuum_index_cleanup = on);
CREATE UNLOGGED TABLE timeseries_internal.unlogged_deleted_row
	(LIKE timeseries_internal.deleted_row);
CREATE UNIQUE INDEX unlogged_deleted_row_idx
	ON timeseries_internal.unlogged_deleted_row (storage_id, row_id);
CREATE UNLOGGED TABLE timeseries_internal.unlogged_row_lock
	(LIKE timeseries_internal.row_lock);
CREATE INDEX unlogged_row_lock_idx
	ON timeseries_internal.unlogged_row_lock (storage_id, row_id);
CREATE UNLOGGED TABLE timeseries_internal.unlogged_pending_rows
	(LIKE timeseries_internal.pending_rows);
CREATE INDEX unlogged_pending_rows_idx
	ON timeseries_internal.unlogged_pending_rows (storage_id, first_row);
CREATE UNLOGGED TABLE timeseries_internal.unlogged_free_extent
	(LIKE timeseries_internal.free_extent);
CREATE INDEX unlogged_free_extent_idx
	ON timeseries_internal.unlogged_free_extent (storage_id, first_block);
REVOKE ALL ON timeseries_internal.unlogged_chunk, timeseries_internal.unlogged_deleted_row,
	timeseries_internal.unlogged_row_lock, timeseries_internal.unlogged_pending_rows,
	timeseries_internal.unlogged_free_extent FROM PUBLIC;

CREATE FUNCTION timeseries.timeseries_tam_handler(internal)
	RETURNS table_am_handler
	AS 'MODULE_PATHNAME', 'timeseries_tam_handler'
	LANGUAGE C STRICT;

CREATE ACCESS METHOD timeseries TYPE TABLE HANDLER timeseries.timeseries_tam_handler;
COMMENT ON ACCESS METHOD timeseries IS 'columnar compressed time-series storage';

-- Dropping a timeseries table must delete its metadata rows; that is done by an
-- object-access hook, which only exists once the library is loaded.  This
-- event trigger makes sure it is loaded before any DDL runs (and explains
-- timeseries options given as storage parameters).
CREATE FUNCTION timeseries_internal.load_library()
	RETURNS event_trigger
	AS 'MODULE_PATHNAME', 'timeseries_load_library'
	LANGUAGE C;
CREATE EVENT TRIGGER timeseries_load_library ON ddl_command_start
	EXECUTE FUNCTION timeseries_internal.load_library();

CREATE FUNCTION timeseries.table_stats(
	tbl regclass,
	OUT row_count bigint,
	OUT chunk_count bigint,
	OUT inline_chunk_count bigint,
	OUT compressed_bytes bigint,
	OUT uncompressed_bytes bigint)
	RETURNS record
	AS 'MODULE_PATHNAME', 'timeseries_table_stats'
	LANGUAGE C STRICT STABLE;

-- Per-table options (src/options.c), NULL meaning the default.  A
-- configuration table: pg_dump writes its rows (relid by name).
CREATE TABLE timeseries_internal.options (
	relid regclass PRIMARY KEY,
	time_column name,
	segment_by name[],
	order_by text,
	chunk_rows integer,
	compression text,
	retention interval
);
REVOKE ALL ON timeseries_internal.options FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('timeseries_internal.options', '');
-- A restore loads the rows above with COPY, possibly after the tables' own
-- data: the trigger rewrites such a table's chunks in its options.
CREATE FUNCTION timeseries_internal.options_restored()
	RETURNS trigger
	AS 'MODULE_PATHNAME', 'timeseries_options_restored'
	LANGUAGE C;
CREATE TRIGGER options_restored AFTER INSERT ON timeseries_internal.options
	FOR EACH ROW EXECUTE FUNCTION timeseries_internal.options_restored();

-- Every timeseries table the user can read, the columns to read at a glance
-- first: total_size is the table's files with its indexes (inline chunks
-- live in timeseries_internal.chunk), the ratio is of the decoded to the
-- stored bytes of the chunks, options are those set with set_options(),
-- written as its arguments.
CREATE VIEW timeseries.tables AS
SELECT c.oid::regclass AS table_name,
	   s.row_count,
	   s.chunk_count,
	   pg_size_pretty(pg_total_relation_size(c.oid)) AS total_size,
	   round(s.uncompressed_bytes::numeric / nullif(s.compressed_bytes, 0), 2) AS compression_ratio,
	   (SELECT nullif(concat_ws(', ',
						 'time_column => ' || quote_literal(o.time_column),
						 'segment_by => ' || quote_literal(o.segment_by::text),
						 'order_by => ' || quote_literal(o.order_by),
						 'chunk_rows => ' || o.chunk_rows,
						 'compression => ' || quote_literal(o.compression),
						 'retention => ' || quote_literal(o.retention::text)), '')
		  FROM timeseries_internal.options o WHERE o.relid = c.oid) AS options,
	   s.inline_chunk_count,
	   s.compressed_bytes,
	   s.uncompressed_bytes,
	   pg_relation_size(c.oid) AS main_fork_bytes,
	   pg_total_relation_size(c.oid) AS total_bytes
  FROM pg_class c
 CROSS JOIN LATERAL timeseries.table_stats(c.oid) s
 -- conditions on c alone, so that they filter c before table_stats() is called
 WHERE c.relam = (SELECT oid FROM pg_am WHERE amname = 'timeseries')
   AND c.relkind = 'r' AND has_table_privilege(c.oid, 'SELECT');
GRANT SELECT ON timeseries.tables TO PUBLIC;

CREATE FUNCTION timeseries.set_options(
	tbl regclass,
	time_column name DEFAULT NULL,
	segment_by name[] DEFAULT NULL,
	order_by text DEFAULT NULL,
	chunk_rows integer DEFAULT NULL,
	compression text DEFAULT NULL,
	retention interval DEFAULT NULL)
	RETURNS void
	AS 'MODULE_PATHNAME', 'timeseries_set_options'
	LANGUAGE C VOLATILE;
CREATE FUNCTION timeseries.reset_options(tbl regclass)
	RETURNS void
	AS 'MODULE_PATHNAME', 'timeseries_reset_options'
	LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION timeseries.table_options(
	tbl regclass,
	OUT time_column name,
	OUT segment_by name[],
	OUT order_by text,
	OUT chunk_rows integer,
	OUT compression text,
	OUT retention interval)
	RETURNS record
	AS 'MODULE_PATHNAME', 'timeseries_table_options'
	LANGUAGE C STRICT STABLE;

-- Integrity (src/verify.c): decode every chunk and compare the metadata with
-- the data; one row per problem, none for a healthy table.
CREATE FUNCTION timeseries.verify(tbl regclass, OUT first_row bigint, OUT problem text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'timeseries_verify'
	LANGUAGE C STRICT VOLATILE;

-- Compaction (src/compact.c): merge runs of small chunks into full ones;
-- returns the rows rewritten.  VACUUM does it too.
CREATE FUNCTION timeseries.compact(tbl regclass)
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'timeseries_compact'
	LANGUAGE C STRICT VOLATILE;

-- Retention (src/retention.c): delete the rows whose time column is older
-- than the cutoff (a timestamptz, timestamp or date, or an interval back
-- from now()), whole chunks without reading them; returns how many.
CREATE FUNCTION timeseries.drop_chunks(tbl regclass, older_than "any")
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'timeseries_drop_chunks'
	LANGUAGE C STRICT VOLATILE;

-- The options in effect for each timeseries table the user can read.
CREATE VIEW timeseries.options AS
SELECT c.oid::regclass AS table_name, o.*
  FROM pg_class c
 CROSS JOIN LATERAL timeseries.table_options(c.oid) o
 WHERE c.relam = (SELECT oid FROM pg_am WHERE amname = 'timeseries')
   AND c.relkind = 'r' AND has_table_privilege(c.oid, 'SELECT');
GRANT SELECT ON timeseries.options TO PUBLIC;

-- time_bucket: the start of the bucket holding a value (src/time_bucket.c).
-- Fixed widths align to Monday 2000-01-03 unless an origin is given; month
-- widths count months from January 2000 (or the origin's month).
CREATE FUNCTION timeseries.time_bucket(bucket_width smallint, ts smallint)
	RETURNS smallint AS 'MODULE_PATHNAME', 'ts_time_bucket_int2'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION timeseries.time_bucket(bucket_width smallint, ts smallint, "offset" smallint)
	RETURNS smallint AS 'MODULE_PATHNAME', 'ts_time_bucket_int2'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION timeseries.time_bucket(bucket_width integer, ts integer)
	RETURNS integer AS 'MODULE_PATHNAME', 'ts_time_bucket_int4'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION timeseries.time_bucket(bucket_width integer, ts integer, "offset" integer)
	RETURNS integer AS 'MODULE_PATHNAME', 'ts_time_bucket_int4'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION timeseries.time_bucket(bucket_width bigint, ts bigint)
	RETURNS bigint AS 'MODULE_PATHNAME', 'ts_time_bucket_int8'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION timeseries.time_bucket(bucket_width bigint, ts bigint, "offset" bigint)
	RETURNS bigint AS 'MODULE_PATHNAME', 'ts_time_bucket_int8'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION timeseries.time_bucket(bucket_width interval, ts timestamp)
	RETURNS timestamp AS 'MODULE_PATHNAME', 'ts_time_bucket_timestamp'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION timeseries.time_bucket(bucket_width interval, ts timestamp, origin timestamp)
	RETURNS timestamp AS 'MODULE_PATHNAME', 'ts_time_bucket_timestamp'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION timeseries.time_bucket(bucket_width interval, ts timestamptz)
	RETURNS timestamptz AS 'MODULE_PATHNAME', 'ts_time_bucket_timestamptz'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION timeseries.time_bucket(bucket_width interval, ts timestamptz, origin timestamptz)
	RETURNS timestamptz AS 'MODULE_PATHNAME', 'ts_time_bucket_timestamptz'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION timeseries.time_bucket(bucket_width interval, ts date)
	RETURNS date AS 'MODULE_PATHNAME', 'ts_time_bucket_date'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION timeseries.time_bucket(bucket_width interval, ts date, origin date)
	RETURNS date AS 'MODULE_PATHNAME', 'ts_time_bucket_date'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- offsets: shift by -offset, bucket, shift back (operators schema-qualified:
-- the bodies are inlined where the caller's search_path applies)
CREATE FUNCTION timeseries.time_bucket(bucket_width interval, ts timestamp, "offset" interval)
	RETURNS timestamp LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	AS $$ SELECT timeseries.time_bucket(bucket_width, ts OPERATOR(pg_catalog.-) "offset")
		OPERATOR(pg_catalog.+) "offset" $$;
-- (timestamptz minus an interval of days or months depends on TimeZone: stable)
CREATE FUNCTION timeseries.time_bucket(bucket_width interval, ts timestamptz, "offset" interval)
	RETURNS timestamptz LANGUAGE sql STABLE STRICT PARALLEL SAFE
	AS $$ SELECT timeseries.time_bucket(bucket_width, ts OPERATOR(pg_catalog.-) "offset")
		OPERATOR(pg_catalog.+) "offset" $$;
CREATE FUNCTION timeseries.time_bucket(bucket_width interval, ts date, "offset" interval)
	RETURNS date LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	AS $$ SELECT (timeseries.time_bucket(bucket_width, ts OPERATOR(pg_catalog.-) "offset")
		OPERATOR(pg_catalog.+) "offset")::pg_catalog.date $$;
-- in the local time of a time zone (daily buckets start at local midnight)
CREATE FUNCTION timeseries.time_bucket(bucket_width interval, ts timestamptz, timezone text,
									   origin timestamptz DEFAULT NULL, "offset" interval DEFAULT NULL)
	RETURNS timestamptz AS 'MODULE_PATHNAME', 'ts_time_bucket_timestamptz_tz'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- time_bucket_gapfill: time_bucket as a GROUP BY key that makes the query
-- return a row for every bucket in [start, finish) of each group
-- (src/gapfill.c); start and finish default to the bounds of the WHERE
-- clause on ts.  locf() and interpolate() fill the aggregates of the added
-- rows; outside such a query they return their first argument.
CREATE FUNCTION timeseries_internal.gapfill_support(internal)
	RETURNS internal AS 'MODULE_PATHNAME', 'ts_gapfill_support'
	LANGUAGE C STRICT;
CREATE FUNCTION timeseries.time_bucket_gapfill(bucket_width smallint, ts smallint,
		start smallint DEFAULT NULL, finish smallint DEFAULT NULL)
	RETURNS smallint AS 'MODULE_PATHNAME', 'ts_time_bucket_gapfill_int2'
	LANGUAGE C VOLATILE PARALLEL SAFE SUPPORT timeseries_internal.gapfill_support;
CREATE FUNCTION timeseries.time_bucket_gapfill(bucket_width integer, ts integer,
		start integer DEFAULT NULL, finish integer DEFAULT NULL)
	RETURNS integer AS 'MODULE_PATHNAME', 'ts_time_bucket_gapfill_int4'
	LANGUAGE C VOLATILE PARALLEL SAFE SUPPORT timeseries_internal.gapfill_support;
CREATE FUNCTION timeseries.time_bucket_gapfill(bucket_width bigint, ts bigint,
		start bigint DEFAULT NULL, finish bigint DEFAULT NULL)
	RETURNS bigint AS 'MODULE_PATHNAME', 'ts_time_bucket_gapfill_int8'
	LANGUAGE C VOLATILE PARALLEL SAFE SUPPORT timeseries_internal.gapfill_support;
CREATE FUNCTION timeseries.time_bucket_gapfill(bucket_width interval, ts date,
		start date DEFAULT NULL, finish date DEFAULT NULL)
	RETURNS date AS 'MODULE_PATHNAME', 'ts_time_bucket_gapfill_date'
	LANGUAGE C VOLATILE PARALLEL SAFE SUPPORT timeseries_internal.gapfill_support;
CREATE FUNCTION timeseries.time_bucket_gapfill(bucket_width interval, ts timestamp,
		start timestamp DEFAULT NULL, finish timestamp DEFAULT NULL)
	RETURNS timestamp AS 'MODULE_PATHNAME', 'ts_time_bucket_gapfill_timestamp'
	LANGUAGE C VOLATILE PARALLEL SAFE SUPPORT timeseries_internal.gapfill_support;
CREATE FUNCTION timeseries.time_bucket_gapfill(bucket_width interval, ts timestamptz,
		start timestamptz DEFAULT NULL, finish timestamptz DEFAULT NULL)
	RETURNS timestamptz AS 'MODULE_PATHNAME', 'ts_time_bucket_gapfill_timestamptz'
	LANGUAGE C VOLATILE PARALLEL SAFE SUPPORT timeseries_internal.gapfill_support;
CREATE FUNCTION timeseries.time_bucket_gapfill(bucket_width interval, ts timestamptz,
		timezone text, start timestamptz DEFAULT NULL, finish timestamptz DEFAULT NULL)
	RETURNS timestamptz AS 'MODULE_PATHNAME', 'ts_time_bucket_gapfill_timestamptz_tz'
	LANGUAGE C VOLATILE PARALLEL SAFE SUPPORT timeseries_internal.gapfill_support;
CREATE FUNCTION timeseries.locf(value anyelement, prev anyelement DEFAULT NULL,
		treat_null_as_missing boolean DEFAULT false)
	RETURNS anyelement AS 'MODULE_PATHNAME', 'ts_gapfill_marker'
	LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION timeseries.interpolate(value smallint, prev record DEFAULT NULL,
		next record DEFAULT NULL)
	RETURNS smallint AS 'MODULE_PATHNAME', 'ts_gapfill_marker'
	LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION timeseries.interpolate(value integer, prev record DEFAULT NULL,
		next record DEFAULT NULL)
	RETURNS integer AS 'MODULE_PATHNAME', 'ts_gapfill_marker'
	LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION timeseries.interpolate(value bigint, prev record DEFAULT NULL,
		next record DEFAULT NULL)
	RETURNS bigint AS 'MODULE_PATHNAME', 'ts_gapfill_marker'
	LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION timeseries.interpolate(value real, prev record DEFAULT NULL,
		next record DEFAULT NULL)
	RETURNS real AS 'MODULE_PATHNAME', 'ts_gapfill_marker'
	LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION timeseries.interpolate(value double precision, prev record DEFAULT NULL,
		next record DEFAULT NULL)
	RETURNS double precision AS 'MODULE_PATHNAME', 'ts_gapfill_marker'
	LANGUAGE C STABLE PARALLEL SAFE;

-- first(value, time) and last(value, time): the value of the row with the
-- smallest (largest) non-NULL time (src/first_last.c)
CREATE FUNCTION timeseries_internal.first_sfunc(internal, anyelement, "any")
	RETURNS internal AS 'MODULE_PATHNAME', 'ts_first_sfunc'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION timeseries_internal.last_sfunc(internal, anyelement, "any")
	RETURNS internal AS 'MODULE_PATHNAME', 'ts_last_sfunc'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION timeseries_internal.first_combine(internal, internal)
	RETURNS internal AS 'MODULE_PATHNAME', 'ts_first_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION timeseries_internal.last_combine(internal, internal)
	RETURNS internal AS 'MODULE_PATHNAME', 'ts_last_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION timeseries_internal.first_last_final(internal, anyelement, "any")
	RETURNS anyelement AS 'MODULE_PATHNAME', 'ts_first_last_final'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION timeseries_internal.first_last_serialize(internal)
	RETURNS bytea AS 'MODULE_PATHNAME', 'ts_first_last_serialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION timeseries_internal.first_last_deserialize(bytea, internal)
	RETURNS internal AS 'MODULE_PATHNAME', 'ts_first_last_deserialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE timeseries.first(value anyelement, "time" "any") (
	SFUNC = timeseries_internal.first_sfunc,
	STYPE = internal,
	FINALFUNC = timeseries_internal.first_last_final,
	FINALFUNC_EXTRA,
	COMBINEFUNC = timeseries_internal.first_combine,
	SERIALFUNC = timeseries_internal.first_last_serialize,
	DESERIALFUNC = timeseries_internal.first_last_deserialize,
	PARALLEL = SAFE
);
CREATE AGGREGATE timeseries.last(value anyelement, "time" "any") (
	SFUNC = timeseries_internal.last_sfunc,
	STYPE = internal,
	FINALFUNC = timeseries_internal.first_last_final,
	FINALFUNC_EXTRA,
	COMBINEFUNC = timeseries_internal.last_combine,
	SERIALFUNC = timeseries_internal.first_last_serialize,
	DESERIALFUNC = timeseries_internal.first_last_deserialize,
	PARALLEL = SAFE
);
