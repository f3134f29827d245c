-- timeseries.verify(tbl): a healthy table reports nothing; damaged chunk
-- bytes, metadata that disagrees with the data, and deleted-row records of
-- rows no chunk holds are reported one row each, and the check carries on.
-- Runs as superuser: it damages timeseries_internal tables on purpose.
SET timeseries.chunk_rows = 200;
CREATE TABLE vf (t timestamptz, host text, v float8) USING timeseries;
SELECT timeseries.set_options('vf', segment_by => '{host}');
INSERT INTO vf SELECT '2024-01-01'::timestamptz + g * interval '1 minute', 'h' || g % 3, g
	FROM generate_series(1, 1000) g;
RESET timeseries.chunk_rows;
DELETE FROM vf WHERE v < 10;
INSERT INTO vf VALUES ('2024-02-01', 'h9', -1);
SELECT count(*) FROM timeseries.verify('vf');
-- the transaction's own unwritten and deleted rows are fine too
BEGIN;
INSERT INTO vf VALUES ('2024-03-01', 'h9', -2);
DELETE FROM vf WHERE v = -2;
SELECT count(*) FROM timeseries.verify('vf');
ROLLBACK;

-- the storage id of vf, from its metadata rows (the one with 6 chunks)
SELECT storage_id AS sid FROM timeseries_internal.chunk GROUP BY storage_id
	HAVING count(*) = 6 ORDER BY storage_id DESC LIMIT 1 \gset

-- damaged bytes of an inline chunk
UPDATE timeseries_internal.chunk SET data = overlay(data PLACING '\xdeadbeef' FROM 60)
 WHERE storage_id = :sid AND first_block = -1 AND row_count = 1;
-- a summary that disagrees with the data: another chunk's
UPDATE timeseries_internal.chunk c SET summary = o.summary
  FROM timeseries_internal.chunk o
 WHERE c.storage_id = :sid AND o.storage_id = :sid
   AND c.first_row = (SELECT min(first_row) FROM timeseries_internal.chunk WHERE storage_id = :sid)
   AND o.first_row = (SELECT min(first_row) + 200 FROM timeseries_internal.chunk WHERE storage_id = :sid);
-- a deleted-row record of a row no chunk holds
INSERT INTO timeseries_internal.deleted_row VALUES (:sid, 999999999, NULL);
SELECT first_row IS NOT NULL AS names_chunk,
	   regexp_replace(problem, 'row \d+', 'row N', 'g') AS problem
  FROM timeseries.verify('vf') ORDER BY 1 DESC, 2;
-- the damaged chunk makes queries fail cleanly
\set VERBOSITY terse
SELECT count(*) FROM vf WHERE host = 'h9';
\set VERBOSITY default

-- who may verify what
\set VERBOSITY terse
CREATE TABLE vf_heap (a int);
SELECT * FROM timeseries.verify('vf_heap');
CREATE ROLE vf_other;
SET ROLE vf_other;
SELECT * FROM timeseries.verify('vf');
RESET ROLE;
DROP ROLE vf_other;
\set VERBOSITY default

DELETE FROM timeseries_internal.deleted_row WHERE storage_id = :sid AND row_id = 999999999;
DROP TABLE vf, vf_heap;
