#!/usr/bin/env bash
# Try timeseries: installs the Debian build dependencies if missing, builds and
# installs the extension, starts a throwaway PostgreSQL cluster, loads a small
# TSBS-like sample (cpu: 100 hosts x 1 day, one row per host every 10 s) and
# opens psql.  The cluster and its directory are removed when psql exits.
# Extra arguments are passed to psql (e.g. -c 'SELECT ...').
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/test/lib.sh"

install_deps
build_install "$src"

dir=$(mktemp -d /tmp/timeseries-try.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
port=$(free_port 55440)
cleanup() {
	as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT

as_pg "$PG_BIN/initdb" -D "$dir/data" -A trust --no-sync >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	-o "-p $port -k $dir -c listen_addresses=''" start >/dev/null

psql_cmd() { as_pg env PGOPTIONS='-c search_path=public,timeseries' "$PG_BIN/psql" -X -q -h "$dir" -p "$port" -d postgres "$@"; }

echo "loading sample data (864,000 rows)..."
psql_cmd -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION timeseries;
CREATE TABLE cpu (
	time timestamptz NOT NULL, tags_id int, hostname text,
	usage_user float8, usage_system float8, usage_idle float8, usage_nice float8,
	usage_iowait float8, usage_irq float8, usage_softirq float8, usage_steal float8,
	usage_guest float8, usage_guest_nice float8
) USING timeseries;
SELECT setseed(0.42) \g /dev/null
INSERT INTO cpu
SELECT t, h, 'host_' || h,
	   floor(random() * 100), floor(random() * 100), floor(random() * 100),
	   floor(random() * 100), floor(random() * 100), floor(random() * 100),
	   floor(random() * 100), floor(random() * 100), floor(random() * 100),
	   floor(random() * 100)
  FROM generate_series(timestamptz '2016-01-01 00:00:00+00',
					   timestamptz '2016-01-01 23:59:50+00', interval '10 s') t,
	   generate_series(0, 99) h;
ANALYZE cpu;
SQL

cat <<'TXT'

timeseries is ready: table "cpu" (USING timeseries) holds the sample.  Try:

  SELECT * FROM timeseries.tables;
  SELECT time_bucket('1 hour', time) AS hour, max(usage_user), last(usage_user, time)
    FROM cpu WHERE hostname = 'host_7' GROUP BY 1 ORDER BY 1;
  EXPLAIN (ANALYZE, COSTS OFF) SELECT hostname, avg(usage_idle) FROM cpu
   WHERE time >= '2016-01-01 12:00+00' AND time < '2016-01-01 13:00+00'
   GROUP BY 1 ORDER BY 2 DESC LIMIT 5;
  SELECT time_bucket_gapfill('15 minutes', time) AS t, count(*), locf(max(usage_user))
    FROM cpu WHERE hostname = 'host_7' AND usage_user > 98        -- every bucket, gaps filled
     AND time >= '2016-01-01 12:00+00' AND time < '2016-01-01 15:00+00' GROUP BY 1 ORDER BY 1;
  SELECT DISTINCT ON (hostname) * FROM cpu ORDER BY hostname, time DESC;   -- newest row per host

TXT
psql_cmd "$@"
