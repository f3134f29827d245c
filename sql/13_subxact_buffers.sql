-- Rows inserted in a loop of committed subtransactions (PL/pgSQL exception
-- blocks) must not pile up in the parent's write buffer: once it would pass
-- a chunk, each subtransaction writes its own rows.  Memory stays bounded and
-- every row is there, with the right visibility.
SET timeseries.chunk_rows = 100;
CREATE TABLE sb (i int, payload text) USING timeseries;
CREATE TABLE sb_heap (i int, payload text);
DO $$
DECLARE
	mem bigint;
BEGIN
	FOR i IN 1..5000 LOOP
		BEGIN
			INSERT INTO sb VALUES (i, repeat(md5(i::text), 128));
			INSERT INTO sb_heap VALUES (i, repeat(md5(i::text), 128));
			IF i % 1000 = 0 THEN
				RAISE EXCEPTION 'roll this one back';
			END IF;
		EXCEPTION WHEN raise_exception THEN NULL;
		END;
	END LOOP;
	SELECT coalesce(sum(total_bytes), 0) INTO mem
	  FROM pg_backend_memory_contexts WHERE name = 'timeseries write buffer';
	-- 5,000 rows of 4 kB would be 20 MB
	RAISE NOTICE 'write buffers stay under 2 MB: %', mem < 2 * 1024 * 1024;
	RAISE NOTICE 'rows visible inside the transaction: %', (SELECT count(*) FROM sb);
END $$;
SELECT count(*), sum(i), count(DISTINCT ctid) FROM sb;
SELECT (SELECT count(*) FROM (SELECT i, payload FROM sb EXCEPT ALL SELECT i, payload FROM sb_heap) a) AS ts_not_heap,
	   (SELECT count(*) FROM (SELECT i, payload FROM sb_heap EXCEPT ALL SELECT i, payload FROM sb) b) AS heap_not_ts;
-- the same loop rolled back as a whole leaves nothing
BEGIN;
DO $$
BEGIN
	FOR i IN 1..300 LOOP
		BEGIN
			INSERT INTO sb VALUES (-i, 'gone');
		EXCEPTION WHEN others THEN NULL;
		END;
	END LOOP;
END $$;
SELECT count(*) FROM sb WHERE i < 0;
ROLLBACK;
SELECT count(*) FROM sb WHERE i < 0;
DROP TABLE sb, sb_heap;
