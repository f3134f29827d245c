#!/usr/bin/env bash
# Backfill benchmark (issue 8, late rows): TSBS devops cpu-only data, three days.  Day 2 is loaded by
# COPY; then 4 pgbench clients insert one row per transaction, each row either the next row of day 3
# (on time) or, with --late-percent probability, the next row of day 1 (a backfill older than
# everything loaded).  A VACUUM of the table runs every 2 s during the trickle, as autovacuum would,
# and VACUUM runs again at the end.  The same rows go to a heap table with TSBS's indexes.  Printed:
# the timeseries table's chunks (how many, how many of late rows, the widest time range of a chunk),
# and per query the median latency on heap and timeseries and the chunks timeseries read: the newest
# hour of day 3, an hour of the backfilled day 1, an hour of day 2.  Not a test: it never fails on
# the figures.
#
#   backfill_bench.sh [--hosts N] [--trickle-rows N] [--late-percent P] [--port PORT] [--dir DIR]
#                     [--seed N] [--runs N] [--keep]
set -euo pipefail

HOSTS=100
TRICKLE=40000
LATE=20
PORT=5443
DIR=
SEED=123
RUNS=20
KEEP=0
while [ $# -gt 0 ]; do
	case "$1" in
		--hosts) HOSTS=$2; shift 2 ;;
		--trickle-rows) TRICKLE=$2; shift 2 ;;
		--late-percent) LATE=$2; shift 2 ;;
		--port) PORT=$2; shift 2 ;;
		--dir) DIR=$2; shift 2 ;;
		--seed) SEED=$2; shift 2 ;;
		--runs) RUNS=$2; shift 2 ;;
		--keep) KEEP=1; shift ;;
		-h|--help) sed -n '2,13p' "$0"; exit 0 ;;
		*) echo "backfill_bench.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

DIR=${DIR:-/tmp/ts_backfill_bench_$PORT}
NAME=backfill_bench.sh
. "$(dirname "$0")/private_cluster.sh"
psql_db() { "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$PORT" -U postgres -d bench -At "$@"; }

log "generating $HOSTS hosts x 3 days"
"$GEN" --hosts "$HOSTS" --days 3 --seed "$SEED" >"$DIR/cpu.csv"
chmod 644 "$DIR/cpu.csv"
COLS=$(echo "$CPU_COLS" | sed -E 's/ (timestamptz|integer|text|double precision)//g' | tr -d '\n\t')

"$BINDIR/createdb" -h "$DIR" -p "$PORT" -U postgres bench
psql_db <<EOF
CREATE EXTENSION timeseries;
CREATE TABLE stage (n bigserial PRIMARY KEY, $CPU_COLS);
COPY stage ($COLS) FROM '$DIR/cpu.csv' WITH (FORMAT csv);
CREATE TABLE cpu ($CPU_COLS) USING timeseries;
SELECT timeseries.set_options('cpu', segment_by => '{hostname}') \gset
CREATE TABLE cpu_heap ($CPU_COLS);
CREATE INDEX ON cpu_heap (time DESC);
CREATE INDEX ON cpu_heap (hostname, time DESC);
-- day 2, as loaded before the trickle
INSERT INTO cpu SELECT $COLS FROM stage WHERE time >= '2016-01-02' AND time < '2016-01-03' ORDER BY n;
INSERT INTO cpu_heap SELECT $COLS FROM stage WHERE time >= '2016-01-02' AND time < '2016-01-03' ORDER BY n;
-- the trickle's rows: day 3 on time, day 1 late, each in its order
CREATE TABLE on_time AS SELECT row_number() OVER (ORDER BY n) AS k, $COLS FROM stage WHERE time >= '2016-01-03';
CREATE TABLE late AS SELECT row_number() OVER (ORDER BY n) AS k, $COLS FROM stage WHERE time < '2016-01-02';
CREATE UNIQUE INDEX ON on_time (k);
CREATE UNIQUE INDEX ON late (k);
CREATE SEQUENCE next_on_time;
CREATE SEQUENCE next_late;
DROP TABLE stage;
VACUUM ANALYZE;
EOF

cat >"$DIR/trickle.sql" <<EOF
\set p random(1, 100)
\if :p <= $LATE
WITH r AS (SELECT * FROM late WHERE k = (SELECT nextval('next_late'))),
	 h AS (INSERT INTO cpu_heap SELECT $COLS FROM r)
INSERT INTO cpu SELECT $COLS FROM r;
\else
WITH r AS (SELECT * FROM on_time WHERE k = (SELECT nextval('next_on_time'))),
	 h AS (INSERT INTO cpu_heap SELECT $COLS FROM r)
INSERT INTO cpu SELECT $COLS FROM r;
\endif
EOF
chmod 644 "$DIR/trickle.sql"

log "trickle: $TRICKLE rows, $LATE% late, 4 clients, VACUUM every 2 s"
(
	while [ ! -e "$DIR/stop_vacuum" ]; do
		sleep 2
		psql_db -c "VACUUM cpu" -c "VACUUM timeseries_internal.chunk" || true
	done
) &
VACUUM_PID=$!
t0=$(now_ns)
"$BINDIR/pgbench" -n -h "$DIR" -p "$PORT" -U postgres -c 4 -j 2 -t $((TRICKLE / 4)) \
	-f "$DIR/trickle.sql" bench >"$DIR/pgbench.log" 2>&1
TRICKLE_MS=$(ms_since "$t0")
touch "$DIR/stop_vacuum"
wait "$VACUUM_PID" || true
for i in 1 2 3; do psql_db -c "VACUUM cpu" -c "VACUUM timeseries_internal.chunk"; done
psql_db -c "VACUUM ANALYZE cpu_heap" -c "ANALYZE cpu"

# chunks: count, of late rows (row ids in the upper half), widest time range
CHUNKS=$(psql_db -c "
	WITH r AS (SELECT time, (ctid::text::point)[0]::int8 * 291 + (ctid::text::point)[1]::int8 - 1 AS id FROM cpu),
	c AS (SELECT c.first_row, c.first_row >= 2147483647::int8 * 291 AS late, max(r.time) - min(r.time) AS span
			FROM r JOIN timeseries_internal.chunk c
			  ON c.storage_id = (SELECT max(storage_id) FROM timeseries_internal.chunk)
			 AND r.id >= c.first_row AND r.id < c.first_row + coalesce(c.row_span, c.row_count)
		   GROUP BY c.first_row)
	SELECT count(*) || ' chunks, ' || count(*) FILTER (WHERE late) || ' of late rows; widest time range '
		   || max(span) || ' (on time), ' || coalesce(max(span) FILTER (WHERE late)::text, '-') || ' (late)' FROM c")
NEWEST=$(psql_db -c "SELECT date_trunc('hour', max(time)) FROM cpu")

median_ms() {
	local sql=$1
	{
		echo '\timing on'
		for ((i = 0; i < RUNS; i++)); do echo "$sql;"; done
	} | psql_db -o /dev/null | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -g |
		awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
chunks_read() {
	psql_db -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) $1" | sed -n 's/^ *Chunks Read: //p' | awk '{ s += $1 } END { print s + 0 }'
}

printf '\nBackfill benchmark: %s hosts, day 2 by COPY, then %s single-row transactions from 4 clients (%s%% backfill of day 1, the rest day 3), %s\n' \
	"$HOSTS" "$TRICKLE" "$LATE" "$(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo '?')"
printf 'trickle: %d ms (%d rows/s); timeseries: %s\n' "$TRICKLE_MS" "$((TRICKLE * 1000 / (TRICKLE_MS + 1)))" "$CHUNKS"
printf '%-34s %12s %12s %12s\n' "query (median of $RUNS, ms)" heap timeseries "chunks read"
for q in "newest hour|'$NEWEST'::timestamptz" "first hour of day 1 (backfilled)|'2016-01-01 00:00+00'::timestamptz" \
	"an hour of day 2 (loaded by COPY)|'2016-01-02 12:00+00'::timestamptz"; do
	label=${q%%|*}
	from=${q#*|}
	sql_ts="SELECT hostname, max(usage_user), count(*) FROM cpu WHERE time >= $from AND time < $from + interval '1 hour' GROUP BY hostname"
	sql_heap=${sql_ts/FROM cpu/FROM cpu_heap}
	if [ "$(psql_db -c "$sql_ts ORDER BY 1" | md5sum)" != "$(psql_db -c "$sql_heap ORDER BY 1" | md5sum)" ]; then
		echo "backfill_bench.sh: results differ for $label" >&2
		exit 1
	fi
	printf '%-34s %12s %12s %12s\n' "$label" "$(median_ms "$sql_heap")" "$(median_ms "$sql_ts")" "$(chunks_read "$sql_ts")"
done
