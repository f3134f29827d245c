#!/usr/bin/env bash
# Runs the whole timeseries test suite on this machine: installs the Debian
# build dependencies if missing, builds and installs the extension, starts a
# throwaway cluster as an unprivileged user and runs the regression, isolation
# and TAP tests (crash recovery, standby, wal_level=minimal, pg_dump,
# differential), the real-client tests (libpq, psycopg, node-postgres, JDBC)
# and a bounded SQLsmith run.  Prints one "N passed, N failed" line at the
# end and exits non-zero on any failure.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/test/lib.sh"

# shellcheck disable=SC2046
install_deps sqlsmith $(client_packages)
build_install "$src"

# Work in a copy that the cluster's user can write (results, tmp_check).
work=$(mktemp -d /tmp/timeseries-test.XXXXXX)
tar -C "$src" --exclude=.git -cf - . | tar -C "$work" -xf -
[ "$(id -u)" -eq 0 ] && chown -R postgres "$work"
port=$(free_port 55432)
sock=$work/sock
as_pg mkdir -p "$sock"

cleanup() {
	as_pg "$PG_BIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

as_pg "$PG_BIN/initdb" -D "$work/data" -A trust --no-sync >/dev/null
cat >> "$work/data/postgresql.conf" <<CONF
port = $port
unix_socket_directories = '$sock'
listen_addresses = ''
max_prepared_transactions = 10
fsync = off
CONF
as_pg "$PG_BIN/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null

passed=0
failed=0
run_part() {
	local name=$1
	shift
	echo "=== $name"
	local out
	set +e
	out=$(cd "$work" && as_pg env PATH="$PG_BIN:$PATH" PGHOST="$sock" PGPORT="$port" PGUSER="$(pg_user)" \
		make -s installcheck "$@" 2>&1)
	local rc=$?
	set -e
	echo "$out"
	# pg_regress prints one line per test ending in "ok" or "FAILED";
	# prove prints "file.pl .. ok" or "file.pl .. Failed ..." / "Dubious"
	local ok bad
	ok=$(echo "$out" | grep -cE '\.\.\. ok|\.pl \.+ ok' || true)
	bad=$(echo "$out" | grep -cE '\.\.\. FAILED|\.pl \.+ (Failed|Dubious)' || true)
	if [ $rc -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	if [ $rc -ne 0 ]; then
		for f in "$work"/regression.diffs "$work"/output_iso/regression.diffs; do
			[ -f "$f" ] && { echo "--- $f"; head -200 "$f"; }
		done
		for f in "$work"/tmp_check/log/regress_log_*; do
			[ -f "$f" ] && grep -q "not ok" "$f" && { echo "--- $f"; tail -60 "$f"; }
		done
	fi
	return 0
}

# The codec library alone: unit tests under ASan/UBSan, then a bounded
# libFuzzer run over every decoder.
echo "=== codec"
set +e
codec_out=$(cd "$work" && as_pg make -s -C test/codec check 2>&1)
codec_rc=$?
fuzz_out=$(cd "$work" && as_pg make -s -C test/codec fuzz FUZZ_SECONDS=${TS_FUZZ_SECONDS:-20} 2>&1)
fuzz_rc=$?
set -e
echo "$codec_out"
echo "$fuzz_out" | tail -3
if [ $codec_rc -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
if [ $fuzz_rc -eq 0 ]; then
	echo "test codec_fuzz ... ok"; passed=$((passed + 1))
else
	echo "test codec_fuzz ... FAILED"; echo "$fuzz_out" | tail -40; failed=$((failed + 1))
fi

run_part regression ISOLATION= TAP_TESTS=
run_part isolation REGRESS= TAP_TESTS=
run_part tap REGRESS= ISOLATION=

# Real clients on their own cluster (test/clients/README.md): each driver
# writes, reads back and runs dashboard queries; one "test clients_<name>
# ... ok / FAILED" line per client.
echo "=== clients"
set +e
(cd "$work" && TS_CLIENTS_NO_BUILD=1 test/clients/run.sh) 2>&1 | tee "$work/clients.out"
clients_rc=${PIPESTATUS[0]}
set -e
clients_ok=$(grep -cE '^test clients_[a-z]+ \.\.\. ok' "$work/clients.out" || true)
clients_bad=$(grep -cE '^test clients_[a-z]+ \.\.\. FAILED' "$work/clients.out" || true)
if [ "$clients_rc" -ne 0 ] && [ "$clients_bad" -eq 0 ]; then clients_bad=1; fi
passed=$((passed + clients_ok))
failed=$((failed + clients_bad))

# A bounded SQLsmith run (fixed seed and query count, about 1.5 min) on its
# own cluster: random queries over timeseries tables must never crash the
# server (test/sqlsmith/README.md).
echo "=== sqlsmith"
set +e
(cd "$work" && TS_SQLSMITH_NO_BUILD=1 test/sqlsmith/run.sh)
smith_rc=$?
set -e
if [ $smith_rc -eq 0 ]; then
	echo "test sqlsmith ... ok"; passed=$((passed + 1))
else
	echo "test sqlsmith ... FAILED"; failed=$((failed + 1))
fi

echo
echo "summary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
