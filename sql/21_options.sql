-- Table options: timeseries.set_options / reset_options / the options view.
CREATE TABLE opt (time timestamptz, host text, region text, v float8, n int) USING timeseries;
CREATE TABLE opt_notime (k int, v text) USING timeseries;
CREATE TABLE opt_heap (a int);
-- defaults: the first timestamp column is the time column
SELECT * FROM timeseries.options WHERE table_name::text LIKE 'opt%' ORDER BY 1;
SELECT timeseries.set_options('opt', segment_by => '{host, region}',
	order_by => 'host, "time" desc nulls last', chunk_rows => 1000,
	compression => 'LZ4', retention => '30 days');
SELECT * FROM timeseries.options WHERE table_name = 'opt'::regclass;
-- arguments left out keep their values; an empty segment_by clears it
SELECT timeseries.set_options('opt', chunk_rows => 2000, time_column => 'time');
SELECT timeseries.set_options('opt_notime', time_column => 'k', segment_by => '{}');
SELECT * FROM timeseries.options WHERE table_name::text LIKE 'opt%' ORDER BY 1;

-- chunk_rows and compression apply to the chunks written next; the table's
-- chunk_rows wins over the session's setting
SET timeseries.chunk_rows = 100;
INSERT INTO opt SELECT '2024-01-01'::timestamptz + g * interval '1 s', 'h' || g % 3, 'r', g, g
FROM generate_series(1, 5000) g;
SELECT chunk_count, row_count FROM timeseries.table_stats('opt');
SELECT count(*), sum(n), max(time) FROM opt;
SELECT timeseries.set_options('opt', compression => 'none');
INSERT INTO opt SELECT '2025-01-01'::timestamptz + g * interval '1 s', 'x', 'r', g, g
FROM generate_series(1, 100) g;
SELECT count(*), sum(n) FROM opt WHERE time >= '2025-01-01';
RESET timeseries.chunk_rows;

-- mistakes
SELECT timeseries.set_options('opt', time_column => 'host');
SELECT timeseries.set_options('opt', time_column => 'nope');
SELECT timeseries.set_options('opt', segment_by => '{host, host}');
SELECT timeseries.set_options('opt', segment_by => '{host, missing}');
SELECT timeseries.set_options('opt', segment_by => '{time}');
SELECT timeseries.set_options('opt', segment_by => '{{host}}');
SELECT timeseries.set_options('opt', segment_by => ARRAY[NULL]::name[]);
SELECT timeseries.set_options('opt', order_by => 'host sideways');
SELECT timeseries.set_options('opt', order_by => 'host,');
SELECT timeseries.set_options('opt', order_by => '');
SELECT timeseries.set_options('opt', order_by => '"unterminated');
SELECT timeseries.set_options('opt', order_by => 'nope desc');
SELECT timeseries.set_options('opt', chunk_rows => 0);
SELECT timeseries.set_options('opt', chunk_rows => 2000000);
SELECT timeseries.set_options('opt', compression => 'gzip');
SELECT timeseries.set_options('opt', retention => '-1 day');
SELECT timeseries.set_options('opt', retention => '0');
SELECT timeseries.set_options('opt_heap', chunk_rows => 10);
SELECT timeseries.set_options(NULL, chunk_rows => 10);
SELECT timeseries.reset_options('opt_heap');
-- nothing changed
SELECT * FROM timeseries.options WHERE table_name = 'opt'::regclass;

-- only the table's owner (or a member of its role) changes options; the
-- internal table is not readable, and the view shows readable tables only
CREATE ROLE opt_user;
CREATE ROLE opt_owner;
GRANT opt_owner TO opt_user;
CREATE TABLE opt_other (t timestamptz) USING timeseries;
ALTER TABLE opt_other OWNER TO opt_owner;
SET ROLE opt_user;
SELECT timeseries.set_options('opt', chunk_rows => 5);
SELECT timeseries.reset_options('opt');
SELECT timeseries.set_options('opt_other', chunk_rows => 5);
SELECT * FROM timeseries_internal.options;
SELECT table_name FROM timeseries.options ORDER BY 1;
RESET ROLE;
SELECT chunk_rows FROM timeseries.options WHERE table_name = 'opt_other'::regclass;

-- reset, and DROP TABLE removes the row
SELECT timeseries.reset_options('opt');
SELECT * FROM timeseries.options WHERE table_name = 'opt'::regclass;
SELECT count(*) FROM timeseries_internal.options;
DROP TABLE opt, opt_notime, opt_heap, opt_other;
SELECT count(*) FROM timeseries_internal.options;
DROP ROLE opt_user;
DROP ROLE opt_owner;

-- table_options() shows a table's options to those who may read it; a
-- non-owner is refused before waiting for any lock
CREATE TABLE opt_secret (t timestamptz, host text) USING timeseries;
SELECT timeseries.set_options('opt_secret', segment_by => '{host}');
CREATE ROLE opt_reader;
SET ROLE opt_reader;
SELECT * FROM timeseries.table_options('opt_secret');
SELECT count(*) FROM timeseries.options WHERE table_name = 'opt_secret'::regclass;
RESET ROLE;
BEGIN;
LOCK opt_secret IN SHARE UPDATE EXCLUSIVE MODE;
SET LOCAL ROLE opt_reader;
SELECT timeseries.set_options('opt_secret', chunk_rows => 5);
ROLLBACK;
DROP TABLE opt_secret;
DROP ROLE opt_reader;
