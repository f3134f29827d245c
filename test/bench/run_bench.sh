#!/usr/bin/env bash
# Benchmark runner (issue 3): TSBS devops cpu-only data on a heap table (with TSBS's indexes)
# and on a timeseries table (no indexes), in a private PostgreSQL cluster with fixed settings.
#
#   run_bench.sh [--scale S|M|L] [--port PORT] [--dir DIR] [--runs N] [--seed N]
#                [--insert-secs N] [--results DIR] [--ts-custom-scan-off] [--keep]
#
#   --scale  S = 100 hosts x 1 day, M = 400 hosts x 3 days, L = 4000 hosts x 3 days (default S)
#   --port   port of the private cluster (default 5440)
#   --dir    work directory: data dir, socket, CSV files, logs (default /tmp/ts_bench_<port>)
#   --runs   timed runs per query (default 10, at least 10 unless --allow-few-runs)
#   --seed   seed of the data and of the query parameters (default 123)
#   --insert-secs  duration of each pgbench single-row INSERT run (default 15)
#   --results DIR  where the result table is saved (default test/bench/results, else $TMPDIR)
#   --ts-custom-scan-off  also run every timeseries query in sessions with
#            SET timeseries.enable_custom_scan = off (plain sequential scan), compared with heap
#            like the others; adds a third latency column group (noscan) and about doubles the
#            timeseries query time
#   --keep   leave the cluster running and the work directory in place
#
# Run as root, the cluster runs as the `postgres` OS user; run as another user, that user must be
# able to run initdb.  The result table goes to stdout and to test/bench/results/.
set -euo pipefail

SCALE=S
PORT=5440
DIR=
RUNS=10
SEED=123
INSERT_SECS=15
KEEP=0
ALLOW_FEW=0
RESULTS_DIR=
NOSCAN=0

while [ $# -gt 0 ]; do
	case "$1" in
		--scale) SCALE=$2; shift 2 ;;
		--port) PORT=$2; shift 2 ;;
		--dir) DIR=$2; shift 2 ;;
		--runs) RUNS=$2; shift 2 ;;
		--seed) SEED=$2; shift 2 ;;
		--insert-secs) INSERT_SECS=$2; shift 2 ;;
		--results) RESULTS_DIR=$2; shift 2 ;;
		--keep) KEEP=1; shift ;;
		--allow-few-runs) ALLOW_FEW=1; shift ;;
		--ts-custom-scan-off) NOSCAN=1; shift ;;
		-h|--help) sed -n '2,22p' "$0"; exit 0 ;;
		*) echo "run_bench.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

case "$SCALE" in
	S) HOSTS=100; DAYS=1 ;;
	M) HOSTS=400; DAYS=3 ;;
	L) HOSTS=4000; DAYS=3 ;;
	# tiny scale for smoke tests of the runner itself (not a benchmark)
	XS) HOSTS=10; DAYS=1 ;;
	*) echo "run_bench.sh: scale must be S, M or L" >&2; exit 2 ;;
esac
if [ "$RUNS" -lt 10 ] && [ "$ALLOW_FEW" -eq 0 ]; then
	echo "run_bench.sh: --runs must be at least 10" >&2; exit 2
fi

HERE=$(cd "$(dirname "$0")" && pwd)
GEN=$HERE/tsbs_gen
make -s -C "$HERE" tsbs_gen
DIR=${DIR:-/tmp/ts_bench_$PORT}
BINDIR=$(pg_config --bindir)		# the frozen copy's, once it is made
CLIENTS=$BINDIR
PGDATA=$DIR/data
ROWS=$((HOSTS * DAYS * 8640))
RESULTS_DIR=${RESULTS_DIR:-$HERE/results}
if ! mkdir -p "$RESULTS_DIR" 2>/dev/null || [ ! -w "$RESULTS_DIR" ]; then
	RESULTS_DIR=${TMPDIR:-/tmp}
fi
STAMP=$(date -u +%Y%m%dT%H%M%SZ)

# ---------- who runs the server ----------
if [ "$(id -u)" -eq 0 ]; then
	RUNAS=(runuser -u postgres --)
	OWNER=postgres
else
	RUNAS=()
	OWNER=$(id -un)
fi

# Fixed settings, so that results compare across runs.
SETTINGS="
listen_addresses = ''
port = $PORT
unix_socket_directories = '$DIR'
max_connections = 20
shared_buffers = 2GB
work_mem = 64MB
maintenance_work_mem = 512MB
effective_cache_size = 8GB
jit = off
max_parallel_workers_per_gather = 2
max_worker_processes = 8
max_parallel_workers = 8
max_wal_size = 16GB
min_wal_size = 1GB
checkpoint_timeout = 1h
wal_compression = off
synchronous_commit = on
autovacuum = off
timezone = 'UTC'
datestyle = 'ISO, YMD'
lc_messages = 'C'
logging_collector = off
log_min_messages = warning
"

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

PSQL=("$CLIENTS/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$PORT" -U postgres -d bench)
psql_c() { "${PSQL[@]}" -At -c "$1"; }

now_ns() { date +%s%N; }

cleanup() {
	local rc=$?
	if [ "$KEEP" -eq 0 ]; then
		if [ -f "$PGDATA/postmaster.pid" ]; then
			"${RUNAS[@]}" "$BINDIR/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
		fi
		rm -rf "$DIR"
	else
		log "kept: cluster on port $PORT, work dir $DIR"
	fi
	exit $rc
}

# ---------- cluster ----------
if [ -e "$DIR" ]; then
	# only ever remove a work directory this runner made
	if [ ! -e "$DIR/.ts_bench" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ]; then
		echo "run_bench.sh: $DIR exists and is not a benchmark work directory; not touching it" >&2
		exit 2
	fi
	if [ -f "$PGDATA/postmaster.pid" ]; then
		"${RUNAS[@]}" "$BINDIR/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$DIR"
fi
mkdir -p "$DIR"
touch "$DIR/.ts_bench"
chmod 755 "$DIR"
[ "$OWNER" = "$(id -un)" ] || chown "$OWNER" "$DIR"
trap cleanup EXIT
trap 'exit 130' INT TERM

# Freeze the server installation: copy its bin, lib and share directories (under their own
# paths, so the relocatable server finds them) into the work directory.  A `make install` by
# somebody else during the run then cannot swap the extension's library or SQL under the
# benchmark.  The copy is taken under the project's build lock, so it is never half-installed.
FROZEN=$DIR/pg
copy_install() {
	local d
	for d in "$BINDIR" "$(pg_config --pkglibdir)" "$(pg_config --sharedir)"; do
		if [ ! -e "$FROZEN$d" ]; then
			mkdir -p "$FROZEN$(dirname "$d")"
			cp -a "$d" "$FROZEN$d"
		fi
	done
}
if { exec 9>>/tmp/ts-build.lock; } 2>/dev/null; then
	flock 9
	copy_install
	exec 9>&-
else
	copy_install
fi
BINDIR=$FROZEN$(pg_config --bindir)
TS_LIB=$FROZEN$(pg_config --pkglibdir)/timeseries.so
[ -f "$TS_LIB" ] || { echo "run_bench.sh: timeseries is not installed (make install)" >&2; exit 1; }

log "initdb in $PGDATA (port $PORT, server user $OWNER)"
"${RUNAS[@]}" "$BINDIR/initdb" -D "$PGDATA" -U postgres --auth=trust --no-locale -E UTF8 >"$DIR/initdb.log" 2>&1
printf '%s\n' "$SETTINGS" | "${RUNAS[@]}" tee -a "$PGDATA/postgresql.conf" >/dev/null
"${RUNAS[@]}" "$BINDIR/pg_ctl" -D "$PGDATA" -l "$DIR/server.log" -w start >/dev/null
"$CLIENTS/createdb" -h "$DIR" -p "$PORT" -U postgres bench

PGVERSION=$(psql_c "SHOW server_version")

# The extension's library must not change under a running benchmark (backends loading another
# build could even meet another chunk format); the frozen copy makes sure of that, this checks.
lib_id() { md5sum <"$TS_LIB" | cut -c1-12; }
TS_LIB_ID=$(lib_id)
check_lib() {
	if [ "$(lib_id)" != "$TS_LIB_ID" ]; then
		echo "run_bench.sh: $TS_LIB changed during the run (reinstalled?); results are void, run again" >&2
		exit 1
	fi
}
GIT_REV=$(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$GIT_REV" != unknown ] && [ -n "$(git -C "$HERE/../.." status --porcelain -- src sql 2>/dev/null)" ]; then
	GIT_REV="$GIT_REV+local changes"
fi

# ---------- data ----------
log "generating $HOSTS hosts x $DAYS days = $ROWS rows (seed $SEED)"
"$GEN" --hosts "$HOSTS" --days "$DAYS" --seed "$SEED" --tags >"$DIR/tags.csv"
"$GEN" --hosts "$HOSTS" --days "$DAYS" --seed "$SEED" >"$DIR/cpu.csv"
chmod 644 "$DIR/tags.csv" "$DIR/cpu.csv"
[ "$OWNER" = "$(id -un)" ] || chown "$OWNER" "$DIR/tags.csv" "$DIR/cpu.csv"

CPU_COLS="time timestamptz, tags_id integer, hostname text,
	usage_user double precision, usage_system double precision, usage_idle double precision,
	usage_nice double precision, usage_iowait double precision, usage_irq double precision,
	usage_softirq double precision, usage_steal double precision, usage_guest double precision,
	usage_guest_nice double precision"

"${PSQL[@]}" <<EOF
CREATE EXTENSION timeseries;
CREATE TABLE tags (id serial PRIMARY KEY, hostname text, region text, datacenter text, rack text,
	os text, arch text, team text, service text, service_version text, service_environment text);
COPY tags FROM '$DIR/tags.csv' WITH (FORMAT csv);
ALTER SEQUENCE tags_id_seq RESTART WITH $((HOSTS + 1));
ANALYZE tags;
CREATE SCHEMA heap;
CREATE SCHEMA heap_noidx;
CREATE SCHEMA ts;
CREATE TABLE heap_noidx.cpu ($CPU_COLS);
CREATE TABLE heap.cpu ($CPU_COLS);
CREATE INDEX cpu_hostname_time_idx ON heap.cpu (hostname, time DESC);
CREATE INDEX cpu_time_idx ON heap.cpu (time DESC);
CREATE TABLE ts.cpu ($CPU_COLS) USING timeseries;
-- rows of one host together in each chunk (as TimescaleDB compresses with segmentby), in
-- chunks of 256K rows (655 rows of each host)
SELECT timeseries.set_options('ts.cpu', segment_by => '{hostname}', chunk_rows => 262144);
EOF

# COPY one table from the CSV file (server side), prints rows/s
timed_copy() {
	local table=$1 t0 t1
	psql_c "CHECKPOINT" >/dev/null
	t0=$(now_ns)
	psql_c "COPY $table FROM '$DIR/cpu.csv' WITH (FORMAT csv)" >/dev/null
	t1=$(now_ns)
	awk -v r="$ROWS" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f %.1f\n", r / (ns / 1e9), ns / 1e9 }'
}

log "COPY heap without indexes"
read -r COPY_NOIDX COPY_NOIDX_S < <(timed_copy heap_noidx.cpu)
psql_c "DROP TABLE heap_noidx.cpu" >/dev/null
log "  $COPY_NOIDX rows/s ($COPY_NOIDX_S s)"
log "COPY heap with indexes"
read -r COPY_HEAP COPY_HEAP_S < <(timed_copy heap.cpu)
log "  $COPY_HEAP rows/s ($COPY_HEAP_S s)"
log "COPY timeseries"
read -r COPY_TS COPY_TS_S < <(timed_copy ts.cpu)
log "  $COPY_TS rows/s ($COPY_TS_S s)"
rm -f "$DIR/cpu.csv"

check_lib
log "VACUUM ANALYZE"
psql_c "VACUUM ANALYZE heap.cpu" >/dev/null
psql_c "VACUUM ANALYZE ts.cpu" >/dev/null
psql_c "CHECKPOINT" >/dev/null

for s in heap ts; do
	n=$(psql_c "SELECT count(*) FROM $s.cpu")
	if [ "$n" != "$ROWS" ]; then
		echo "run_bench.sh: $s.cpu has $n rows, expected $ROWS" >&2
		exit 1
	fi
done

# ---------- sizes ----------
SIZE_HEAP=$(psql_c "SELECT pg_total_relation_size('heap.cpu')")
SIZE_HEAP_TABLE=$(psql_c "SELECT pg_table_size('heap.cpu')")
SIZE_HEAP_IDX=$(psql_c "SELECT pg_indexes_size('heap.cpu')")
# timeseries: the table's forks plus the whole metadata table (its heap, index and toast);
# ts.cpu is the only timeseries table in this cluster, so all of the metadata is its own.
SIZE_TS_TABLE=$(psql_c "SELECT pg_total_relation_size('ts.cpu')")
SIZE_TS_META=$(psql_c "SELECT pg_total_relation_size('timeseries_internal.chunk')")
SIZE_TS=$((SIZE_TS_TABLE + SIZE_TS_META))
TS_STATS=$(psql_c "SELECT chunk_count || ' chunks (' || inline_chunk_count || ' inline), compressed ' || compressed_bytes || ' B, uncompressed ' || uncompressed_bytes || ' B' FROM timeseries.table_stats('ts.cpu')")

# ---------- queries ----------
QDIR=$DIR/queries
mkdir -p "$QDIR"
QTYPES=$("$GEN" --list-queries)
NQ=$((RUNS + 1))		# query 1 is the check and warm-up, 2..RUNS+1 are timed
# the systems every query runs on: heap.cpu; ts.cpu with the server's settings (the custom scan
# on, its default); with --ts-custom-scan-off, ts.cpu again in sessions that turn it off
SYSTEMS=(heap ts)
[ "$NOSCAN" -eq 0 ] || SYSTEMS+=(noscan)

# Run queries in one session of a system: writes their results to $3 (a marker line before each
# query; the rows of queries without ORDER BY sorted within their query) and prints one
# client-side latency in ms per query.  With $4 set, the session first plans (EXPLAIN, no
# execution) the query on line 1 of the file, to warm the backend's caches, and leaves it out;
# the plan and the session's settings that matter here go to $3.plan.
run_session() {
	local sys=$1 file=$2 out=$3 skipfirst=${4:-} sortit=0 schema=ts
	[ "$sys" != heap ] || schema=heap
	grep -qi 'ORDER BY' "$file" || sortit=1
	{
		echo "SET search_path = $schema, public;"
		if [ "$sys" = noscan ]; then
			echo "SET timeseries.enable_custom_scan = off;"
		fi
		if [ -n "$skipfirst" ]; then
			echo "\\o $out.plan"
			echo "EXPLAIN $(head -n 1 "$file")"
			# after the EXPLAIN, which loads the extension's library in a ts session
			echo "SELECT '@@setting ' || name || ' = ' || setting FROM pg_settings WHERE name IN ('max_parallel_workers_per_gather', 'timeseries.enable_custom_scan') ORDER BY name;"
		fi
		echo "\\o $out.raw"
		echo '\timing on'
		awk -v skip="${skipfirst:-0}" 'NR > skip { print "\\qecho @@instance " NR; print }' "$file"
	} | "${PSQL[@]}" -At | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
	if [ "$sortit" = 1 ]; then
		awk '/^@@instance / { inst = $2 } { print inst "\t" $0 }' "$out.raw" | sort -s -t$'\t' -k1,1n -k2 >"$out"
	else
		cp "$out.raw" "$out"
	fi
	rm -f "$out.raw"
}

# median and p95 (nearest rank) of the numbers on stdin
stats() {
	sort -g | awk '{ v[NR] = $1 } END {
		n = NR; if (n == 0) { print "- - 0"; exit }
		med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		r = int(0.95 * n); if (r < 0.95 * n) r++
		printf "%.3f %.3f %d\n", med, v[r], n }'
}

# compare the results of a system with heap's
check_same() {
	local q=$1 what=$2 sys=$3
	if ! cmp -s "$QDIR/$q.$what.heap" "$QDIR/$q.$what.$sys"; then
		log "RESULT MISMATCH for $q ($what): see $QDIR/$q.$what.{heap,$sys}"
		diff "$QDIR/$q.$what.heap" "$QDIR/$q.$what.$sys" | head -20 >&2 || true
		CHECK_FAILED=1
		KEEP=1
	fi
}

declare -A MED P95 NRUN PARALLEL
CHECK_FAILED=0
CHECKED_ROWS=0
TS_CUSTOM_PLANS=0
for q in $QTYPES; do
	check_lib
	f=$QDIR/$q.sql
	# line 1: the check and warm-up query; lines 2..RUNS+1: the timed queries
	"$GEN" --hosts "$HOSTS" --days "$DAYS" --seed "$SEED" --queries "$q" --count "$NQ" >"$f"
	head -n 1 "$f" >"$f.check"
	t0=$(now_ns)
	# lastpoint-tags without the custom scan is a sequential scan of the whole table per host
	# (minutes per query): not run there, "-" in its columns
	QSYS=("${SYSTEMS[@]}")
	if [ "$q" = lastpoint-tags ] && [ "$NOSCAN" -eq 1 ]; then
		QSYS=(heap ts)
		MED[$q,noscan]=-; P95[$q,noscan]=-
	fi
	# check the results of the first query on every system (this also warms the tables up)
	for s in "${QSYS[@]}"; do
		run_session $s "$f.check" "$QDIR/$q.check.$s" >/dev/null
	done
	for s in "${QSYS[@]:1}"; do
		check_same "$q" check $s
	done
	# timed runs; their results are compared too
	par=
	for s in "${QSYS[@]}"; do
		read -r m p n < <(run_session $s "$f" "$QDIR/$q.timed.$s" 1 | stats)
		MED[$q,$s]=$m; P95[$q,$s]=$p; NRUN[$q,$s]=$n
		if [ "${NRUN[$q,$s]}" != "$RUNS" ]; then
			echo "run_bench.sh: $q: expected $RUNS timings on $s, got $n" >&2
			exit 1
		fi
		! grep -q 'Gather' "$QDIR/$q.timed.$s.plan" || par=${par:+$par+}$s
	done
	PARALLEL[$q]=${par:--}
	if grep -q 'Custom Scan (TimeseriesScan)' "$QDIR/$q.timed.ts.plan"; then
		TS_CUSTOM_PLANS=$((TS_CUSTOM_PLANS + 1))
	fi
	if [ "${#QSYS[@]}" -eq 3 ] && grep -q 'TimeseriesScan' "$QDIR/$q.timed.noscan.plan"; then
		echo "run_bench.sh: $q: the plan with timeseries.enable_custom_scan = off uses TimeseriesScan:" >&2
		cat "$QDIR/$q.timed.noscan.plan" >&2
		exit 1
	fi
	for s in "${QSYS[@]:1}"; do
		check_same "$q" timed $s
	done
	nrows=$(cat "$QDIR/$q.check.heap" "$QDIR/$q.timed.heap" | grep -vc '@@instance' || true)
	CHECKED_ROWS=$((CHECKED_ROWS + nrows))
	t1=$(now_ns)
	line=$(printf '%-22s heap %9s ms  ts %9s ms' "$q" "${MED[$q,heap]}" "${MED[$q,ts]}")
	[ "$NOSCAN" -eq 0 ] || line+=$(printf '  noscan %9s ms' "${MED[$q,noscan]}")
	log "$line$(printf '  (%d result rows compared, %.0f s)' "$nrows" "$(awk -v ns=$((t1 - t0)) 'BEGIN { print ns / 1e9 }')")"
done
NQTYPES=$(echo "$QTYPES" | wc -w)

# the settings each system's timed sessions ran with, as they reported them
session_settings() {
	cat "$QDIR"/*.timed."$1".plan | sed -n 's/^@@setting //p' | sort | uniq | paste -sd, | sed 's/,/, /g'
}
declare -A SETS
for s in "${SYSTEMS[@]}"; do
	SETS[$s]=$(session_settings $s)
done

# ---------- single-row INSERT transactions ----------
END_TS=$(date -u -d "@$((1451606400 + DAYS * 86400))" '+%Y-%m-%d %H:%M:%S+00')
cat >"$DIR/insert.sql" <<EOF
\set h random(0, $((HOSTS - 1)))
\set s random(0, 86399999)
\set a random(0, 100)
\set b random(0, 100)
\set c random(0, 100)
\set d random(0, 100)
\set e random(0, 100)
\set f random(0, 100)
\set g random(0, 100)
\set i random(0, 100)
\set j random(0, 100)
\set k random(0, 100)
INSERT INTO cpu VALUES (timestamptz '$END_TS' + :s * interval '10 ms', :h + 1, 'host_' || :h, :a, :b, :c, :d, :e, :f, :g, :i, :j, :k);
EOF
chmod 644 "$DIR/insert.sql"

declare -A TPS
for s in heap ts; do
	log "pgbench single-row INSERT into $s.cpu: 4 clients, ${INSERT_SECS} s"
	psql_c "CHECKPOINT" >/dev/null
	before=$(psql_c "SELECT count(*) FROM $s.cpu")
	out=$(PGOPTIONS="-c search_path=$s,public" "$CLIENTS/pgbench" -n -h "$DIR" -p "$PORT" -U postgres \
		-c 4 -j 2 -T "$INSERT_SECS" --random-seed="$SEED" -f "$DIR/insert.sql" bench 2>&1) || {
		echo "$out" >&2; exit 1; }
	TPS[$s]=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p')
	after=$(psql_c "SELECT count(*) FROM $s.cpu")
	failed=$(echo "$out" | sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p')
	log "  ${TPS[$s]} tx/s, $((after - before)) rows inserted, ${failed:-0} failed"
done

check_lib

# ---------- report ----------
ratio() { awk -v t="$1" -v h="$2" 'BEGIN { if (h + 0 > 0 && t != "-") printf "%.2f", t / h; else printf "-" }'; }
num() { awk -v v="$1" 'BEGIN { printf "%.0f", v }'; }

OUT=$RESULTS_DIR/$SCALE-$STAMP.txt
{
	echo "TSBS devops cpu-only, scale $SCALE: $HOSTS hosts x $DAYS days = $ROWS rows, seed $SEED"
	echo "PostgreSQL $PGVERSION, $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "timeseries: source $GIT_REV, timeseries.so md5 $TS_LIB_ID"
	echo "heap: indexes (hostname, time DESC) and (time DESC); timeseries: no indexes, segment_by hostname, chunk_rows 262144"
	echo
	printf '%-38s %16s %16s %9s\n' "" heap timeseries "ts/heap"
	printf '%-38s %16s %16s %9s\n' "COPY rows/s" "$COPY_HEAP" "$COPY_TS" "$(ratio "$COPY_TS" "$COPY_HEAP")"
	printf '%-38s %16s %16s %9s\n' "COPY rows/s, heap without indexes" "$COPY_NOIDX" "$COPY_TS" "$(ratio "$COPY_TS" "$COPY_NOIDX")"
	printf '%-38s %16s %16s %9s\n' "INSERT 1-row tx/s (4 clients, ${INSERT_SECS} s)" "$(num "${TPS[heap]}")" "$(num "${TPS[ts]}")" "$(ratio "${TPS[ts]}" "${TPS[heap]}")"
	printf '%-38s %16s %16s %9s\n' "on-disk bytes" "$SIZE_HEAP" "$SIZE_TS" "$(ratio "$SIZE_TS" "$SIZE_HEAP")"
	printf '%-38s %16s %16s %9s\n' "bytes per row" "$(awk -v b="$SIZE_HEAP" -v r="$ROWS" 'BEGIN { printf "%.1f", b / r }')" "$(awk -v b="$SIZE_TS" -v r="$ROWS" 'BEGIN { printf "%.1f", b / r }')" "$(ratio "$SIZE_TS" "$SIZE_HEAP")"
	echo "  heap: table $SIZE_HEAP_TABLE B + indexes $SIZE_HEAP_IDX B"
	echo "  timeseries: table $SIZE_TS_TABLE B + metadata $SIZE_TS_META B; $TS_STATS"
	echo
	echo "query columns, with the settings their timed sessions reported:"
	echo "  heap    heap.cpu; ${SETS[heap]}"
	echo "  ts      ts.cpu; ${SETS[ts]}; TimeseriesScan in the plans of $TS_CUSTOM_PLANS of $NQTYPES query types"
	if [ "$NOSCAN" -eq 1 ]; then
		echo "  noscan  ts.cpu, SET timeseries.enable_custom_scan = off; ${SETS[noscan]}; plain sequential scan"
	fi
	echo "  parallel: the systems whose plan (EXPLAIN of query 1) has a Gather node"
	echo
	printf '%-24s %12s %12s %12s %12s %9s' "query latency (ms)" "heap median" "heap p95" "ts median" "ts p95" "ts/heap"
	[ "$NOSCAN" -eq 0 ] || printf ' %13s %12s %11s' "noscan median" "noscan p95" "noscan/heap"
	printf ' %5s  %s\n' runs parallel
	for q in $QTYPES; do
		printf '%-24s %12s %12s %12s %12s %9s' "$q" "${MED[$q,heap]}" "${P95[$q,heap]}" "${MED[$q,ts]}" "${P95[$q,ts]}" "$(ratio "${MED[$q,ts]}" "${MED[$q,heap]}")"
		[ "$NOSCAN" -eq 0 ] || printf ' %13s %12s %11s' "${MED[$q,noscan]}" "${P95[$q,noscan]}" "$(ratio "${MED[$q,noscan]}" "${MED[$q,heap]}")"
		printf ' %5s  %s\n' "${NRUN[$q,heap]}" "${PARALLEL[$q]}"
	done
	echo
	if [ "$NOSCAN" -eq 1 ]; then
		compared="heap, ts and noscan"
	else
		compared="heap and timeseries"
	fi
	if [ "$CHECK_FAILED" -eq 0 ]; then
		echo "results: identical on $compared for every query run ($CHECKED_ROWS result rows compared)"
	else
		echo "results: MISMATCH between $compared (see log)"
	fi
	echo "settings: shared_buffers 2GB, work_mem 64MB, jit off, max_parallel_workers_per_gather 2, synchronous_commit on, autovacuum off"
} | tee "$OUT"
log "results written to $OUT"
[ "$CHECK_FAILED" -eq 0 ]
