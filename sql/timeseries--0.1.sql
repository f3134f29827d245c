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
	summary bytea
);
CREATE UNIQUE INDEX chunk_storage_row_idx
	ON timeseries_internal.chunk (storage_id, first_row);
ALTER TABLE timeseries_internal.chunk ALTER COLUMN data SET STORAGE EXTERNAL;
REVOKE ALL ON timeseries_internal.chunk FROM PUBLIC;
REVOKE ALL ON timeseries_internal.storage_id_seq FROM PUBLIC;

CREATE FUNCTION timeseries.timeseries_tam_handler(internal)
	RETURNS table_am_handler
	AS 'MODULE_PATHNAME', 'timeseries_tam_handler'
	LANGUAGE C STRICT;

CREATE ACCESS METHOD timeseries TYPE TABLE HANDLER timeseries.timeseries_tam_handler;
COMMENT ON ACCESS METHOD timeseries IS 'columnar compressed time-series storage';

-- Dropping a timeseries table must delete its metadata rows; that is done by an
-- object-access hook, which only exists once the library is loaded.  This
-- event trigger makes sure it is loaded before any DDL runs.
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

CREATE VIEW timeseries.tables AS
SELECT c.oid::regclass AS table_name,
	   s.row_count,
	   s.chunk_count,
	   s.inline_chunk_count,
	   s.compressed_bytes,
	   s.uncompressed_bytes,
	   pg_relation_size(c.oid) AS main_fork_bytes,
	   round(s.uncompressed_bytes::numeric / nullif(s.compressed_bytes, 0), 2) AS compression_ratio
  FROM pg_class c
  JOIN pg_am am ON am.oid = c.relam AND am.amname = 'timeseries'
 CROSS JOIN LATERAL timeseries.table_stats(c.oid) s
 WHERE c.relkind = 'r' AND has_table_privilege(c.oid, 'SELECT');
GRANT SELECT ON timeseries.tables TO PUBLIC;
