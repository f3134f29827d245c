#!/usr/bin/env bash
# A bounded SQLsmith run against timeseries tables: a throwaway cluster, the
# tables of schema.sql, then a fixed number of random queries with a fixed
# seed.  Fails when the server crashed (a backend killed by a signal, PANIC,
# TRAP, a crash-restart, a different postmaster), when SQLsmith hangs (a
# query that ignores its 1 s statement_timeout) or when the tables' contents
# changed; prints the statements that did it.  Errors of random queries are
# expected: they are summarised, and internal errors (SQLSTATE XX..., errors
# raised by timeseries code, errors naming timeseries that look like bugs)
# are listed in full but fail the run only with TS_SQLSMITH_STRICT=1.
#
# Environment:
#   TS_SQLSMITH_QUERIES  number of queries (default 10000, about 60-100 s on 2 cores)
#   TS_SQLSMITH_SEED     SQLsmith's RNG seed (default 1)
#   TS_SQLSMITH_TIMEOUT  seconds before SQLsmith counts as hung (default 300 + queries/40)
#   TS_SQLSMITH_STRICT   1: internal errors fail the run too
#   TS_SQLSMITH_KEEP     1: keep the work directory (cluster, logs, queries) even on success
#   TS_SQLSMITH_PARALLEL 0: default parallel costs (default 1: cheap parallel plans)
#   TS_SQLSMITH_NO_BUILD 1: skip installing dependencies and building (run-all.sh did it)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$src/test/lib.sh"

queries=${TS_SQLSMITH_QUERIES:-10000}
seed=${TS_SQLSMITH_SEED:-1}
limit=${TS_SQLSMITH_TIMEOUT:-$((300 + queries / 40))}
strict=${TS_SQLSMITH_STRICT:-0}
keep=${TS_SQLSMITH_KEEP:-0}
parallel=${TS_SQLSMITH_PARALLEL:-1}

if [ "${TS_SQLSMITH_NO_BUILD:-0}" != 1 ]; then
	install_deps sqlsmith
	build_install "$src"
elif ! command -v sqlsmith >/dev/null; then
	install_deps sqlsmith
fi

work=$(mktemp -d /tmp/timeseries-sqlsmith.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres "$work"
data=$work/data
port=$(free_port 55460)
failed=1	# until the setup has worked: keep the directory if it does not
cleanup() {
	as_pg "$PG_BIN/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
	if [ "$failed" -eq 0 ] && [ "$keep" != 1 ]; then
		rm -rf "$work"
	else
		echo "work directory kept: $work (queries: $work/queries.sql.gz, log: $data/log/)"
	fi
}
trap cleanup EXIT

as_pg "$PG_BIN/initdb" -D "$data" -A trust --no-sync -E UTF8 --no-locale >/dev/null
cat >> "$data/postgresql.conf" <<CONF
port = $port
unix_socket_directories = '$work'
listen_addresses = ''
fsync = off
max_connections = 20
restart_after_crash = on
# structured log for report.pl; the collector's stderr file (server.log) then
# holds only raw output that bypasses elog: TRAP:, glibc aborts
logging_collector = on
log_destination = 'jsonlog'
log_directory = 'log'
log_filename = 'server.log'
log_rotation_age = 0
log_rotation_size = 0
log_error_verbosity = verbose
log_min_error_statement = error
# whole statements in "Failed process was running" after a crash
track_activity_query_size = '64kB'
CONF
as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$work/startup.log" -w start >/dev/null

psql_as() {
	local user=$1
	shift
	as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$work" -p "$port" -U "$user" "$@"
}
# SQLsmith runs as an unprivileged role that owns the tables: superuser-only
# functions (pg_terminate_backend of others, lo_export, pg_reload_conf) stay out of reach.
psql_as "$(pg_user)" -d postgres -c "CREATE ROLE smith LOGIN" -c "CREATE DATABASE smith OWNER smith"
psql_as "$(pg_user)" -d smith -c "CREATE EXTENSION timeseries"
psql_as smith -d smith -f "$src/test/sqlsmith/schema.sql" >/dev/null
# cheap parallelism, so that scans of the larger tables (and the aggregates
# and joins above them) also run as parallel plans
if [ "$parallel" = 1 ]; then
	psql_as smith -d smith -c "ALTER ROLE smith SET min_parallel_table_scan_size = 0" \
		-c "ALTER ROLE smith SET parallel_setup_cost = 10" -c "ALTER ROLE smith SET parallel_tuple_cost = 0.001"
fi

# what every table holds, to compare afterwards: SQLsmith's statements run in
# transactions it rolls back, so nothing may change
snapshot_sql="SELECT string_agg(format('%s:%s:%s', c.relname, s.n, s.h), ' ' ORDER BY c.relname)
  FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace,
  LATERAL (SELECT (xpath('/row/n/text()', x))[1]::text AS n, (xpath('/row/h/text()', x))[1]::text AS h
             FROM query_to_xml(format('SELECT count(*) AS n, md5(coalesce(string_agg(t::text, %L ORDER BY t::text), %L)) AS h FROM %I t',
                               ',', '', c.relname), false, false, '') x) s
 WHERE ns.nspname = 'public' AND c.relkind IN ('r', 'p')"
before=$(psql_as smith -d smith -At -c "$snapshot_sql")
pid_before=$(head -1 "$data/postmaster.pid")

failed=0
echo "sqlsmith: seed $seed, $queries queries (timeout ${limit}s), cluster on port $port"
start=$(date +%s)
set +e
timeout "$limit" sqlsmith --target="host=$work port=$port dbname=smith user=smith" \
	--seed="$seed" --max-queries="$queries" --exclude-catalog --verbose --dump-all-queries \
	2>"$work/sqlsmith.err" | gzip -1 >"$work/queries.sql.gz"
smith_rc=${PIPESTATUS[0]}
set -e
elapsed=$(($(date +%s) - start))
echo "sqlsmith: exit $smith_rc after ${elapsed}s; $(grep -a '^error rate' "$work/sqlsmith.err" | tail -1)"

if [ "$smith_rc" -eq 124 ]; then
	echo "HANG: sqlsmith did not finish within ${limit}s; statements still running:"
	psql_as "$(pg_user)" -d postgres -c "SELECT pid, now() - query_start AS running, wait_event_type, wait_event, query
	  FROM pg_stat_activity WHERE datname = 'smith' AND state <> 'idle' AND pid <> pg_backend_pid()" || true
	failed=1
elif [ "$smith_rc" -ne 0 ]; then
	echo "sqlsmith failed (exit $smith_rc):"
	grep -av '^[.etSC]*$' "$work/sqlsmith.err" | tail -20
	failed=1
fi

# the postmaster must be the one we started, alive
pid_now=$(head -1 "$data/postmaster.pid" 2>/dev/null || echo none)
if [ "$pid_now" != "$pid_before" ] || ! kill -0 "$pid_before" 2>/dev/null; then
	echo "CRASH: postmaster $pid_before is gone (postmaster.pid now says: $pid_now)"
	failed=1
else
	after=$(psql_as smith -d smith -At -c "$snapshot_sql" 2>&1) || true
	if [ "$after" != "$before" ]; then
		echo "DATA CHANGED: table contents differ after the run"
		echo "before: $before"
		echo "after:  $after"
		failed=1
	fi
fi

set +e
perl "$src/test/sqlsmith/report.pl" --json "$data/log/server.json" --stderr "$data/log/server.log" \
	--src "$src/src" --progress "$work/sqlsmith.err" --queries "$work/queries.sql.gz"
report_rc=$?
set -e
case $report_rc in
	0) ;;
	3) [ "$strict" = 1 ] && failed=1 ;;
	*) failed=1 ;;
esac

if [ "$failed" -eq 0 ]; then
	echo "sqlsmith: ok (seed $seed, $queries queries, ${elapsed}s)"
else
	echo "sqlsmith: FAILED (seed $seed, $queries queries; rerun: TS_SQLSMITH_SEED=$seed TS_SQLSMITH_QUERIES=$queries $0)"
fi
exit "$failed"
