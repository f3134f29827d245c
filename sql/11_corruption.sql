-- Damaged chunks and metadata must be reported as data corruption
-- (SQLSTATE XX001, data_corrupted), never crash the server or return wrong
-- rows silently.  Runs as superuser: it writes to timeseries_internal.chunk.
SELECT pg_postmaster_start_time() AS start_time \gset

-- co_try(query): runs the query and returns 'ok: <first column of the first
-- row>' or '<SQLSTATE>: <message>' with ids, positions and sizes hidden
CREATE FUNCTION co_try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE q INTO r;
  RETURN 'ok: ' || coalesce(r, 'NULL');
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM,
           '(storage|row|block|page|expected) \d+|\d+ (bytes)', '\1\2 N', 'g');
END $$;
-- the storage id of a table (from its metadata rows)
CREATE FUNCTION co_storage(tbl text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE id bigint;
BEGIN
  SELECT storage_id INTO id FROM timeseries_internal.chunk
   GROUP BY storage_id
  HAVING sum(row_count) = (SELECT row_count FROM timeseries.table_stats(tbl::regclass))
     AND count(*) = (SELECT chunk_count FROM timeseries.table_stats(tbl::regclass))
   ORDER BY storage_id DESC LIMIT 1;
  RETURN id;
END $$;

-- an inline chunk
CREATE TABLE co_inline (id int, v float8, s text) USING timeseries;
INSERT INTO co_inline SELECT g, g * 1.5, 'row ' || g FROM generate_series(1, 50) g;
SELECT row_count, chunk_count, inline_chunk_count FROM timeseries.table_stats('co_inline');
SELECT co_storage('co_inline') AS inline_id \gset
CREATE TEMP TABLE co_saved AS SELECT * FROM timeseries_internal.chunk WHERE storage_id = :inline_id;
SELECT byte_count > 60 AS big_enough FROM co_saved;
-- intact
SELECT co_try('SELECT sum(v) FROM co_inline');

-- overwrite four bytes in the middle
UPDATE timeseries_internal.chunk SET data = overlay(data PLACING '\xdeadbeef' FROM 40)
 WHERE storage_id = :inline_id;
SELECT co_try('SELECT sum(v) FROM co_inline');
SELECT co_try('SELECT string_agg(s, '','') FROM co_inline');
SELECT co_try('SELECT s FROM co_inline WHERE ctid = ''(0,1)''');
SELECT co_try('SELECT count(*) FROM (SELECT * FROM co_inline OFFSET 0) x');
-- the magic number
UPDATE timeseries_internal.chunk c SET data = overlay(s.data PLACING '\x00000000' FROM 1)
  FROM co_saved s WHERE c.storage_id = :inline_id;
SELECT co_try('SELECT sum(v) FROM co_inline');
-- the last byte
UPDATE timeseries_internal.chunk c
   SET data = overlay(s.data PLACING set_byte('\x00'::bytea, 0, get_byte(s.data, length(s.data) - 1) # 1)
                      FROM length(s.data))
  FROM co_saved s WHERE c.storage_id = :inline_id;
SELECT co_try('SELECT string_agg(s, '','') FROM co_inline');
-- truncated to 20 bytes, metadata unchanged
UPDATE timeseries_internal.chunk c SET data = substring(s.data FROM 1 FOR 20)
  FROM co_saved s WHERE c.storage_id = :inline_id;
SELECT co_try('SELECT sum(v) FROM co_inline');
-- truncated, with a byte_count that agrees
UPDATE timeseries_internal.chunk SET byte_count = 20 WHERE storage_id = :inline_id;
SELECT co_try('SELECT sum(v) FROM co_inline');
UPDATE timeseries_internal.chunk c SET data = substring(s.data FROM 1 FOR 10), byte_count = 10
  FROM co_saved s WHERE c.storage_id = :inline_id;
SELECT co_try('SELECT sum(v) FROM co_inline');
-- cut off after the header and column directory
UPDATE timeseries_internal.chunk c SET data = substring(s.data FROM 1 FOR s.byte_count - 8),
       byte_count = s.byte_count - 8
  FROM co_saved s WHERE c.storage_id = :inline_id;
SELECT co_try('SELECT sum(v) FROM co_inline');
-- no data at all
UPDATE timeseries_internal.chunk c SET data = NULL, byte_count = s.byte_count
  FROM co_saved s WHERE c.storage_id = :inline_id;
SELECT co_try('SELECT sum(v) FROM co_inline');
-- row count in the metadata does not match the chunk
UPDATE timeseries_internal.chunk c SET data = s.data, row_count = 51
  FROM co_saved s WHERE c.storage_id = :inline_id;
SELECT co_try('SELECT sum(v) FROM co_inline');
UPDATE timeseries_internal.chunk SET row_count = 49 WHERE storage_id = :inline_id;
SELECT co_try('SELECT sum(v) FROM co_inline');
UPDATE timeseries_internal.chunk SET row_count = 0 WHERE storage_id = :inline_id;
SELECT co_try('SELECT sum(v) FROM co_inline');
UPDATE timeseries_internal.chunk SET row_count = -1 WHERE storage_id = :inline_id;
SELECT co_try('SELECT sum(v) FROM co_inline');
-- restored: the table reads correctly again
UPDATE timeseries_internal.chunk c SET row_count = s.row_count
  FROM co_saved s WHERE c.storage_id = :inline_id;
SELECT co_try('SELECT sum(v) FROM co_inline');

-- every single flipped byte of the chunk is either detected (XX001) or
-- harmless (same result); never another error, a crash or a wrong result
SELECT string_agg(s, ',' ORDER BY id) || sum(v)::text AS good FROM co_inline \gset
CREATE FUNCTION co_flip_all(storage bigint, good text) RETURNS TABLE (outcome text, n bigint)
LANGUAGE plpgsql AS $$
DECLARE
  orig bytea;
  res text;
  outcomes text[] := '{}';
BEGIN
  SELECT data INTO orig FROM timeseries_internal.chunk WHERE storage_id = storage;
  FOR i IN 0 .. length(orig) - 1 LOOP
    UPDATE timeseries_internal.chunk SET data = set_byte(orig, i, get_byte(orig, i) # 255)
     WHERE storage_id = storage;
    res := co_try('SELECT string_agg(s, '','' ORDER BY id) || sum(v)::text FROM co_inline');
    outcomes := outcomes || CASE WHEN res = 'ok: ' || good THEN 'same result'
                                 WHEN res LIKE 'XX001:%' THEN 'XX001'
                                 ELSE 'BAD: ' || res END;
  END LOOP;
  UPDATE timeseries_internal.chunk SET data = orig WHERE storage_id = storage;
  RETURN QUERY SELECT o, count(*) FROM unnest(outcomes) o GROUP BY o;
END $$;
SELECT outcome, n FROM co_flip_all(:inline_id, :'good') WHERE outcome LIKE 'BAD%';
SELECT n > 0 AS detected_some FROM co_flip_all(:inline_id, :'good') WHERE outcome = 'XX001';
SELECT co_try('SELECT sum(v) FROM co_inline');

-- page chunks: three of them, each in its own extent
SET timeseries.inline_max_bytes = 0;
SET timeseries.chunk_rows = 1000;
CREATE TABLE co_page (id int, v float8, s text) USING timeseries;
INSERT INTO co_page SELECT g, g * 0.5, repeat('p', g % 50) FROM generate_series(1, 3000) g;
RESET timeseries.inline_max_bytes;
RESET timeseries.chunk_rows;
SELECT row_count, chunk_count, inline_chunk_count FROM timeseries.table_stats('co_page');
SELECT co_storage('co_page') AS page_id \gset
CREATE TEMP TABLE co_saved_page AS SELECT * FROM timeseries_internal.chunk WHERE storage_id = :page_id;
SELECT count(*), bool_and(first_block > 0) AS all_pages FROM co_saved_page;
SELECT co_try('SELECT sum(v) FROM co_page');
-- the middle chunk points beyond the end of the relation
UPDATE timeseries_internal.chunk SET first_block = 99999 WHERE storage_id = :page_id AND first_row = 1000;
SELECT co_try('SELECT sum(v) FROM co_page');
SELECT co_try('SELECT s FROM co_page WHERE ctid = ''(4,1)''');
-- to the metapage
UPDATE timeseries_internal.chunk SET first_block = 0 WHERE storage_id = :page_id AND first_row = 1000;
SELECT co_try('SELECT sum(v) FROM co_page');
-- to a negative block that is not the inline marker
UPDATE timeseries_internal.chunk SET first_block = -7 WHERE storage_id = :page_id AND first_row = 1000;
SELECT co_try('SELECT sum(v) FROM co_page');
-- to the inline marker, without inline data
UPDATE timeseries_internal.chunk SET first_block = -1 WHERE storage_id = :page_id AND first_row = 1000;
SELECT co_try('SELECT sum(v) FROM co_page');
-- to the first chunk's extent: wrong length or checksum must be noticed
UPDATE timeseries_internal.chunk c SET first_block = (SELECT first_block FROM co_saved_page WHERE first_row = 0)
 WHERE storage_id = :page_id AND first_row = 1000;
SELECT co_try('SELECT sum(v) FROM co_page');
-- byte_count too large, too small, zero, negative
UPDATE timeseries_internal.chunk c SET first_block = s.first_block, byte_count = s.byte_count + 100000
  FROM co_saved_page s WHERE c.storage_id = :page_id AND s.first_row = c.first_row AND c.first_row = 1000;
SELECT co_try('SELECT sum(v) FROM co_page');
UPDATE timeseries_internal.chunk c SET byte_count = s.byte_count + 1
  FROM co_saved_page s WHERE c.storage_id = :page_id AND s.first_row = c.first_row AND c.first_row = 1000;
SELECT co_try('SELECT sum(v) FROM co_page');
UPDATE timeseries_internal.chunk c SET byte_count = s.byte_count - 1
  FROM co_saved_page s WHERE c.storage_id = :page_id AND s.first_row = c.first_row AND c.first_row = 1000;
SELECT co_try('SELECT sum(v) FROM co_page');
UPDATE timeseries_internal.chunk c SET byte_count = 20
 WHERE c.storage_id = :page_id AND c.first_row = 1000;
SELECT co_try('SELECT sum(v) FROM co_page');
UPDATE timeseries_internal.chunk c SET byte_count = 0
 WHERE c.storage_id = :page_id AND c.first_row = 1000;
SELECT co_try('SELECT sum(v) FROM co_page');
UPDATE timeseries_internal.chunk c SET byte_count = -5
 WHERE c.storage_id = :page_id AND c.first_row = 1000;
SELECT co_try('SELECT sum(v) FROM co_page');
-- restored
UPDATE timeseries_internal.chunk c SET byte_count = s.byte_count
  FROM co_saved_page s WHERE c.storage_id = :page_id AND s.first_row = c.first_row;
SELECT co_try('SELECT sum(v) FROM co_page');
-- other readers of a corrupted table: ANALYZE, COPY TO, TID scans, VACUUM FULL
UPDATE timeseries_internal.chunk SET first_block = 99999 WHERE storage_id = :page_id AND first_row = 2000;
SELECT co_try('SELECT count(*) FROM (SELECT s FROM co_page OFFSET 0) x');
SELECT co_try('SELECT s FROM co_page WHERE ctid = ''(8,1)''');
SELECT co_try('SELECT s FROM co_page WHERE ctid = ''(0,1)''');
\set VERBOSITY sqlstate
ANALYZE co_page;
COPY co_page TO '/dev/null';
-- VACUUM FULL copies the fork verbatim (it decodes nothing), so it succeeds
VACUUM FULL co_page;
CREATE TABLE co_copy AS SELECT * FROM co_page;
\set VERBOSITY default
-- nothing was changed by the failed rewrite
SELECT count(*) FROM timeseries_internal.chunk WHERE storage_id = :page_id;
UPDATE timeseries_internal.chunk c SET first_block = s.first_block
  FROM co_saved_page s WHERE c.storage_id = :page_id AND s.first_row = c.first_row;
SELECT co_try('SELECT sum(v) FROM co_page');

-- the server never restarted, and corrupted tables can still be dropped
SELECT pg_postmaster_start_time() = :'start_time'::timestamptz AS same_postmaster;
UPDATE timeseries_internal.chunk SET data = '\x00', row_count = 7 WHERE storage_id = :inline_id;
UPDATE timeseries_internal.chunk SET first_block = 99999 WHERE storage_id = :page_id;
DROP TABLE co_inline, co_page;
SELECT count(*) FROM timeseries_internal.chunk WHERE storage_id IN (:inline_id, :page_id);
DROP FUNCTION co_try(text), co_storage(text), co_flip_all(bigint, text);
DROP TABLE co_saved, co_saved_page;
