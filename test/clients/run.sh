#!/usr/bin/env bash
# Real clients against timeseries tables (test/clients/README.md): libpq (C),
# psycopg 3 (Python), node-postgres (Node.js) and pgjdbc (Java) each write
# with the driver, read back and compare with what they wrote and with a heap
# twin, and run dashboard queries through the driver's prepared statements.
# A throwaway cluster (listening on 127.0.0.1 for JDBC and on a socket in the
# work directory), one database per client.  Prints one line per client,
# "test clients_<name> ... ok" or "... FAILED" (then the client's output),
# and exits non-zero on any failure.
#
# Environment:
#   TS_CLIENTS_NO_BUILD 1: skip building and installing the extension (run-all.sh did it)
#   TS_CLIENTS_ONLY     the clients to run (default "libpq psycopg node jdbc")
#   TS_CLIENTS_KEEP     1: keep the work directory (cluster, logs, builds) even on success
#   TS_CLIENTS_TIMEOUT  seconds each client may take (default 300)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
here=$src/test/clients
. "$src/test/lib.sh"

clients=${TS_CLIENTS_ONLY:-libpq psycopg node jdbc}
keep=${TS_CLIENTS_KEEP:-0}
limit=${TS_CLIENTS_TIMEOUT:-300}

# shellcheck disable=SC2046
install_deps $(client_packages)
if [ "${TS_CLIENTS_NO_BUILD:-0}" != 1 ]; then
	build_install "$src"
fi

work=$(mktemp -d /tmp/timeseries-clients.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres "$work"
data=$work/data
port=$(free_port 55480)
failed=1	# until the setup has worked: keep the directory if it does not
cleanup() {
	as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true
	if [ "$failed" -eq 0 ] && [ "$keep" != 1 ]; then
		rm -rf "$work"
	else
		echo "work directory kept: $work (server log: $work/server.log, client output: $work/*.out)"
	fi
}
trap cleanup EXIT

as_pg "$PG_BIN/initdb" -D "$data" -A trust --no-sync -E UTF8 --no-locale >/dev/null
cat >> "$data/postgresql.conf" <<CONF
port = $port
unix_socket_directories = '$work'
listen_addresses = '127.0.0.1'
fsync = off
max_connections = 30
log_min_error_statement = error
CONF
as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$work/server.log" -w start >/dev/null
pid=$(head -1 "$data/postmaster.pid")

user=$(pg_user)
psql_db() {
	local db=$1
	shift
	"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$work" -p "$port" -U "$user" -d "$db" "$@"
}
for c in $clients; do
	psql_db postgres -c "CREATE DATABASE clients_$c"
	psql_db "clients_$c" -c "CREATE EXTENSION timeseries"
done
# psycopg and JDBC read 200k-row tables: let those scans and aggregates run
# in parallel too
for c in psycopg jdbc; do
	case " $clients " in *" $c "*)
		psql_db postgres -c "ALTER DATABASE clients_$c SET parallel_setup_cost = 10" \
			-c "ALTER DATABASE clients_$c SET parallel_tuple_cost = 0.001" \
			-c "ALTER DATABASE clients_$c SET min_parallel_table_scan_size = 0" ;;
	esac
done
failed=0

# run_client NAME COMMAND...: runs COMMAND (build and test) with the
# database's connection parameters in the environment
passed_n=0
failed_n=0
run_client() {
	local name=$1
	shift
	local out=$work/$name.out start rc
	start=$(date +%s)
	set +e
	env PGHOST="$work" PGPORT="$port" PGUSER="$user" PGDATABASE="clients_$name" \
		timeout "$limit" bash -c "$*" >"$out" 2>&1
	rc=$?
	set -e
	local secs=$(($(date +%s) - start))
	if [ $rc -eq 0 ]; then
		echo "test clients_$name ... ok (${secs} s: $(tail -1 "$out"))"
		passed_n=$((passed_n + 1))
	else
		[ $rc -eq 124 ] && echo "(timed out after ${limit} s)" >>"$out"
		echo "test clients_$name ... FAILED (exit $rc after ${secs} s)"
		sed 's/^/    /' "$out" | tail -80
		failed_n=$((failed_n + 1))
		failed=1
	fi
}

for c in $clients; do
	case $c in
	libpq)
		run_client libpq "gcc -O1 -Wall -Werror -I'$(pg_config --includedir)' -o '$work/libpq_test' '$here/libpq_test.c' \
			-L'$(pg_config --libdir)' -lpq -lm && '$work/libpq_test'" ;;
	psycopg)
		# Debian's python3 (python3-psycopg), isolated from PYTHON* variables and user site-packages
		run_client psycopg "/usr/bin/python3 -I '$here/psycopg_test.py'" ;;
	node)
		# pinned versions (package-lock.json) from the npm registry, into the work directory
		mkdir -p "$work/node"
		cp "$here/package.json" "$here/package-lock.json" "$here/node_test.js" "$work/node/"
		run_client node "cd '$work/node' && npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1 \
			|| { cat npm.log; exit 1; }; node node_test.js" ;;
	jdbc)
		# JDBC connects over TCP; the JVM's time zone (sent as the session's) is not UTC on purpose
		run_client jdbc "javac -d '$work/java' -cp /usr/share/java/postgresql.jar '$here/JdbcTest.java' && \
			java -Duser.timezone=America/New_York -cp /usr/share/java/postgresql.jar:'$work/java' JdbcTest \
			'jdbc:postgresql://127.0.0.1:$port/clients_jdbc' '$user'" ;;
	*)
		echo "test clients_$c ... FAILED (no such client; known: libpq psycopg node jdbc)"
		failed_n=$((failed_n + 1))
		failed=1 ;;
	esac
done

# the server must have survived it all
if ! kill -0 "$pid" 2>/dev/null || [ "$(head -1 "$data/postmaster.pid" 2>/dev/null)" != "$pid" ] ||
	grep -qE 'terminated by signal|PANIC|TRAP:|server process .* was terminated' "$work/server.log"; then
	echo "CRASH: the server crashed or restarted during the client tests:"
	grep -E 'terminated by signal|PANIC|TRAP:|was terminated|Failed process' "$work/server.log" | head -20
	failed=1
fi

echo "clients: $passed_n passed, $failed_n failed (cluster on port $port)"
exit "$failed"
