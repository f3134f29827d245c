-- Privileges and row-level security, as an unprivileged role: the
-- extension's internal tables are closed, its functions answer only what
-- the role may see, row-level security and security barriers hold through
-- TimeseriesScan's vectorized filters and TimeseriesAgg's aggregation
-- exactly as on heap, and column privileges are honoured.
CREATE ROLE sec_reader;
CREATE ROLE sec_nobody;
SET timeseries.chunk_rows = 500;
CREATE TABLE sec (t timestamptz, tenant text, v int) USING timeseries;
CREATE TABLE sec_heap (t timestamptz, tenant text, v int);
INSERT INTO sec SELECT '2024-01-01'::timestamptz + g * interval '1 minute',
	CASE WHEN g % 3 = 0 THEN 'sec_reader' ELSE 'other' END, g
	FROM generate_series(1, 3000) g;
INSERT INTO sec_heap SELECT * FROM sec;
RESET timeseries.chunk_rows;
ALTER TABLE sec ENABLE ROW LEVEL SECURITY;
ALTER TABLE sec_heap ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON sec FOR SELECT USING (tenant = current_user);
CREATE POLICY own ON sec_heap FOR SELECT USING (tenant = current_user);
GRANT SELECT ON sec, sec_heap TO sec_reader;
-- a function that is not leakproof and tells what it sees
CREATE FUNCTION sec_peek(v int) RETURNS bool LANGUAGE plpgsql COST 0.0000001 AS $$
BEGIN
	IF v % 1000 = 1 THEN RAISE NOTICE 'saw %', v; END IF;
	RETURN true;
END $$;
GRANT EXECUTE ON FUNCTION sec_peek(int) TO sec_reader;
CREATE VIEW sec_barrier WITH (security_barrier) AS SELECT * FROM sec WHERE v < 2000;
CREATE VIEW sec_barrier_heap WITH (security_barrier) AS SELECT * FROM sec_heap WHERE v < 2000;
CREATE VIEW sec_invoker WITH (security_invoker) AS SELECT * FROM sec WHERE v > 100;
CREATE VIEW sec_invoker_heap WITH (security_invoker) AS SELECT * FROM sec_heap WHERE v > 100;
GRANT SELECT ON sec_barrier, sec_barrier_heap, sec_invoker, sec_invoker_heap TO sec_reader, sec_nobody;

SET ROLE sec_reader;
-- the internal tables are closed
\set VERBOSITY terse
SELECT count(*) FROM timeseries_internal.chunk;
SELECT count(*) FROM timeseries_internal.deleted_row;
SELECT count(*) FROM timeseries_internal.options;
\set VERBOSITY default
-- row-level security: the same rows through the custom scan, vectorized
-- filters and aggregation as on heap
SET timeseries.debug_require_vectorized = on;
SELECT count(*), sum(v), min(t), max(t) FROM sec;
SELECT count(*), sum(v), min(t), max(t) FROM sec_heap;
SELECT count(*), sum(v) FROM sec WHERE v BETWEEN 100 AND 2000;
SELECT count(*), sum(v) FROM sec_heap WHERE v BETWEEN 100 AND 2000;
SELECT timeseries.time_bucket('1 day', t) d, count(*), max(v) FROM sec GROUP BY d ORDER BY d;
SELECT timeseries.time_bucket('1 day', t) d, count(*), max(v) FROM sec_heap GROUP BY d ORDER BY d;
SELECT v FROM sec ORDER BY t DESC LIMIT 3;
SELECT DISTINCT ON (tenant) tenant, v FROM sec ORDER BY tenant, t DESC;
RESET timeseries.debug_require_vectorized;
-- a leaky function in WHERE sees only the rows the policy lets through
SELECT count(*) FROM sec WHERE sec_peek(v);
SELECT count(*) FROM sec_heap WHERE sec_peek(v);
-- security barrier and security invoker views
SELECT count(*) FROM sec_barrier WHERE sec_peek(v);
SELECT count(*) FROM sec_barrier_heap WHERE sec_peek(v);
SELECT count(*), sum(v) FROM sec_invoker;
SELECT count(*), sum(v) FROM sec_invoker_heap;
-- the extension's functions answer for what the role may see
SELECT row_count > 0 AS sees_counts FROM timeseries.table_stats('sec');
SELECT count(*) FROM timeseries.verify('sec');
\set VERBOSITY terse
SELECT timeseries.compact('sec');
SELECT timeseries.drop_chunks('sec', now());
SELECT timeseries.set_options('sec', chunk_rows => 10);
\set VERBOSITY default
RESET ROLE;

SET ROLE sec_nobody;
-- no SELECT privilege: nothing about the table, through any door
\set VERBOSITY terse
SELECT count(*) FROM sec;
SELECT * FROM timeseries.table_stats('sec');
SELECT * FROM timeseries.table_options('sec');
SELECT * FROM timeseries.verify('sec');
SELECT count(*) FROM timeseries.tables WHERE table_name::text = 'sec';
SELECT count(*) FROM timeseries.options WHERE table_name::text = 'sec';
-- security_invoker views check the invoker's privileges on the table
SELECT count(*) FROM sec_invoker;
\set VERBOSITY default
-- a security_barrier view owned by the table's owner works for anyone it is granted to
SELECT count(*) FROM sec_barrier;
RESET ROLE;

-- column privileges
GRANT SELECT (t, tenant) ON sec, sec_heap TO sec_nobody;
SET ROLE sec_nobody;
SELECT count(*), min(t) FROM sec;
\set VERBOSITY terse
SELECT sum(v) FROM sec;
SELECT sum(v) FROM sec_heap;
\set VERBOSITY default
RESET ROLE;

-- members of the owning role may manage the table, as with ALTER TABLE
CREATE ROLE sec_admins;
CREATE ROLE sec_member IN ROLE sec_admins;
CREATE TABLE sec_owned (t timestamptz, v int) USING timeseries;
ALTER TABLE sec_owned OWNER TO sec_admins;
INSERT INTO sec_owned VALUES ('2000-01-01', 1), ('2030-01-01', 2);
SET ROLE sec_member;
SELECT timeseries.set_options('sec_owned', chunk_rows => 1000);
SELECT timeseries.compact('sec_owned');
SELECT timeseries.drop_chunks('sec_owned', '2020-01-01'::timestamptz);
SELECT timeseries.reset_options('sec_owned');
RESET ROLE;
DROP TABLE sec_owned;
DROP ROLE sec_member;
DROP ROLE sec_admins;

-- the extension's SQL functions are not steered by the caller's search_path
CREATE SCHEMA sec_evil;
CREATE FUNCTION sec_evil.minus(timestamp, interval) RETURNS timestamp LANGUAGE sql
	AS $$ SELECT '1999-01-01'::timestamp $$;
CREATE OPERATOR sec_evil.- (LEFTARG = timestamp, RIGHTARG = interval, FUNCTION = sec_evil.minus);
SET search_path = sec_evil, pg_catalog, public;
SELECT timeseries.time_bucket('1 hour', '2024-01-01 10:30'::timestamp, "offset" => '15 minutes');
SELECT timeseries.time_bucket('1 day', '2024-01-05'::date, "offset" => '1 day');
RESET search_path;
DROP SCHEMA sec_evil CASCADE;

DROP VIEW sec_barrier, sec_barrier_heap, sec_invoker, sec_invoker_heap;
DROP TABLE sec, sec_heap;
DROP FUNCTION sec_peek(int);
DROP ROLE sec_reader;
DROP ROLE sec_nobody;
