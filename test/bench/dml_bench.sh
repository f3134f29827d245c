#!/usr/bin/env bash
# DML benchmark (issue 7): TSBS devops cpu-only data in a heap table (TSBS indexes) and a
# timeseries table (segment_by hostname, 256K-row chunks) with a btree index on (hostname, time),
# in a private PostgreSQL cluster; prints heap and timeseries side by side:
#   - point lookups by (hostname, time) through the index: median and p95 latency of a
#     prepared statement with random parameters (pgbench, one client);
#   - an upsert batch of 100,000 rows of which 10% rewrite existing keys (unique index on
#     (hostname, time), INSERT ... ON CONFLICT DO UPDATE): rows/s;
#   - deleting 1% of the rows, spread over the whole table: time, and size before and after
#     VACUUM (table, indexes and, for timeseries, its chunk and deleted-row metadata).
#
#   dml_bench.sh [--scale S|M] [--port PORT] [--dir DIR] [--secs N] [--seed N] [--keep]
#
# Not a test: it never fails on the figures.  Run as root, the cluster runs as `postgres`.
set -euo pipefail

SCALE=M
PORT=5441
DIR=
SECS=10
SEED=123
KEEP=0
while [ $# -gt 0 ]; do
	case "$1" in
		--scale) SCALE=$2; shift 2 ;;
		--port) PORT=$2; shift 2 ;;
		--dir) DIR=$2; shift 2 ;;
		--secs) SECS=$2; shift 2 ;;
		--seed) SEED=$2; shift 2 ;;
		--keep) KEEP=1; shift ;;
		-h|--help) sed -n '2,15p' "$0"; exit 0 ;;
		*) echo "dml_bench.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
case "$SCALE" in
	S) HOSTS=100; DAYS=1 ;;
	M) HOSTS=400; DAYS=3 ;;
	*) echo "dml_bench.sh: scale must be S or M" >&2; exit 2 ;;
esac

DIR=${DIR:-/tmp/ts_dml_bench_$PORT}
NAME=dml_bench.sh
. "$(dirname "$0")/private_cluster.sh"
PSQL=("$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$PORT" -U postgres -d bench)
psql_c() { "${PSQL[@]}" -At -c "$1"; }
"$BINDIR/createdb" -h "$DIR" -p "$PORT" -U postgres bench

log "generating $HOSTS hosts x $DAYS days"
"$GEN" --hosts "$HOSTS" --days "$DAYS" --seed "$SEED" >"$DIR/cpu.csv"
chmod 644 "$DIR/cpu.csv"
"${PSQL[@]}" <<EOF
CREATE EXTENSION timeseries;
CREATE SCHEMA heap;
CREATE SCHEMA ts;
CREATE TABLE heap.cpu ($CPU_COLS);
CREATE INDEX cpu_hostname_time_idx ON heap.cpu (hostname, time DESC);
CREATE INDEX cpu_time_idx ON heap.cpu (time DESC);
CREATE TABLE ts.cpu ($CPU_COLS) USING timeseries;
SELECT timeseries.set_options('ts.cpu', segment_by => '{hostname}', chunk_rows => 262144) \\gset
COPY heap.cpu FROM '$DIR/cpu.csv' WITH (FORMAT csv);
COPY ts.cpu FROM '$DIR/cpu.csv' WITH (FORMAT csv);
VACUUM ANALYZE heap.cpu;
ANALYZE ts.cpu;
EOF
ROWS=$(psql_c "SELECT count(*) FROM ts.cpu")
t0=$(now_ns)
psql_c "CREATE INDEX cpu_hostname_time_idx ON ts.cpu (hostname, time DESC)" >/dev/null
BUILD_MS=$(( ($(now_ns) - t0) / 1000000 ))
log "$ROWS rows loaded; timeseries index built in $BUILD_MS ms"
TMIN=$(psql_c "SELECT extract(epoch FROM min(time))::bigint FROM ts.cpu")

# ---------- point lookups ----------
# the (hostname, time) of an existing row: host-N and a 10-second step of the data's days
lookup() {
	local tab=$1 logdir=$DIR/log_$1
	rm -rf "$logdir"; mkdir -p "$logdir"; chmod 777 "$logdir"
	cat >"$logdir/lookup.sql" <<EOF
\set h random(0, $((HOSTS - 1)))
\set s random(0, $((DAYS * 8640 - 1)))
SELECT * FROM $tab WHERE hostname = 'host_' || :h AND time = to_timestamp($TMIN + :s * 10);
EOF
	(cd "$logdir" && "$BINDIR/pgbench" -n -h "$DIR" -p "$PORT" -U postgres -M prepared -c 1 \
		-T "$SECS" -f lookup.sql -l bench >/dev/null 2>"$DIR/pgbench_$tab.err") ||
		{ cat "$DIR/pgbench_$tab.err" >&2; exit 1; }
	# per-transaction log: the third field is the latency in microseconds
	cat "$logdir"/pgbench_log.* | awk '{print $3}' | sort -n |
		awk '{a[NR] = $1} END {printf "%.3f %.3f %d\n", a[int(NR * 0.5) + 1] / 1000, a[int(NR * 0.95) + 1] / 1000, NR}'
}
FOUND=$(psql_c "SELECT count(*) FROM ts.cpu WHERE hostname = 'host_7' AND time = to_timestamp($TMIN + 8630)")
log "point lookups ($SECS s each; a sample key matches $FOUND row)"
read -r LK_HEAP_MED LK_HEAP_P95 LK_HEAP_N < <(lookup heap.cpu)
read -r LK_TS_MED LK_TS_P95 LK_TS_N < <(lookup ts.cpu)
PLAN_TS=$(psql_c "EXPLAIN (costs off) SELECT * FROM ts.cpu WHERE hostname = 'host_1' AND time = to_timestamp($TMIN)" | head -1)

# ---------- upsert batch: 10% existing keys, 90% new ----------
psql_c "CREATE UNIQUE INDEX cpu_key ON heap.cpu (hostname, time)" >/dev/null
psql_c "CREATE UNIQUE INDEX cpu_key ON ts.cpu (hostname, time)" >/dev/null
psql_c "CREATE TABLE batch AS
	SELECT * FROM (SELECT * FROM heap.cpu ORDER BY random() LIMIT 10000) old
	UNION ALL
	SELECT time + interval '$DAYS days', tags_id, hostname, usage_user, usage_system, usage_idle,
	       usage_nice, usage_iowait, usage_irq, usage_softirq, usage_steal, usage_guest,
	       usage_guest_nice
	  FROM (SELECT * FROM heap.cpu ORDER BY random() LIMIT 90000) new" >/dev/null
upsert() {
	local tab=$1 t0 ms
	psql_c "CHECKPOINT" >/dev/null
	t0=$(now_ns)
	psql_c "INSERT INTO $tab SELECT * FROM batch
		ON CONFLICT (hostname, time) DO UPDATE SET usage_user = excluded.usage_user + 1" >/dev/null
	ms=$(( ($(now_ns) - t0) / 1000000 ))
	echo "$(( 100000 * 1000 / (ms > 0 ? ms : 1) )) $ms"
}
log "upsert batch"
read -r UP_HEAP UP_HEAP_MS < <(upsert heap.cpu)
read -r UP_TS UP_TS_MS < <(upsert ts.cpu)
UP_CHECK=$(psql_c "SELECT (SELECT count(*) FROM heap.cpu) = (SELECT count(*) FROM ts.cpu)
	AND (SELECT sum(usage_user) FROM heap.cpu) = (SELECT sum(usage_user) FROM ts.cpu)")

# ---------- delete 1% spread over the table ----------
size_of() {
	if [ "$1" = heap.cpu ]; then
		psql_c "SELECT pg_total_relation_size('heap.cpu')"
	else
		psql_c "SELECT pg_total_relation_size('ts.cpu') + pg_total_relation_size('timeseries_internal.chunk')
			+ pg_total_relation_size('timeseries_internal.deleted_row')"
	fi
}
delete() {
	local tab=$1 before t0 ms after
	before=$(size_of "$tab")
	t0=$(now_ns)
	psql_c "DELETE FROM $tab WHERE (extract(epoch FROM time)::bigint / 10 + length(hostname)) % 100 = 7" >/dev/null
	ms=$(( ($(now_ns) - t0) / 1000000 ))
	psql_c "VACUUM $tab" >/dev/null
	psql_c "VACUUM timeseries_internal.chunk" >/dev/null
	after=$(size_of "$tab")
	echo "$ms $before $after"
}
log "delete 1%"
read -r DEL_HEAP_MS DEL_HEAP_B DEL_HEAP_A < <(delete heap.cpu)
read -r DEL_TS_MS DEL_TS_B DEL_TS_A < <(delete ts.cpu)
DEL_CHECK=$(psql_c "SELECT (SELECT count(*) FROM heap.cpu) || ' = ' || (SELECT count(*) FROM ts.cpu)")

mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b / 1048576}'; }
printf '\nDML benchmark, scale %s (%s rows), %s\n' "$SCALE" "$ROWS" "$(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo unknown)"
printf '%-46s %18s %18s\n' "" heap timeseries
printf '%-46s %18s %18s\n' "point lookup (hostname, time), median ms" "$LK_HEAP_MED" "$LK_TS_MED"
printf '%-46s %18s %18s\n' "point lookup, p95 ms" "$LK_HEAP_P95" "$LK_TS_P95"
printf '%-46s %18s %18s\n' "point lookups run" "$LK_HEAP_N" "$LK_TS_N"
printf '%-46s %18s %18s\n' "upsert 100,000 rows (10% existing), rows/s" "$UP_HEAP" "$UP_TS"
printf '%-46s %18s %18s\n' "delete 1% of rows, ms" "$DEL_HEAP_MS" "$DEL_TS_MS"
printf '%-46s %18s %18s\n' "size before delete" "$(mib "$DEL_HEAP_B")" "$(mib "$DEL_TS_B")"
printf '%-46s %18s %18s\n' "size after delete and VACUUM" "$(mib "$DEL_HEAP_A")" "$(mib "$DEL_TS_A")"
printf 'timeseries index build %s ms; lookup plan: %s; upsert results equal: %s; rows after delete: %s\n' \
	"$BUILD_MS" "$PLAN_TS" "$UP_CHECK" "$DEL_CHECK"
