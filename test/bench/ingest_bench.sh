#!/usr/bin/env bash
# Ingest and maintenance benchmark (issue 8): the same TSBS devops cpu-only data written into
# timeseries tables (segment_by hostname, 64K-row chunks) three ways, each in its own database of a
# private cluster:
#   - copy:   COPY in batches of 1,000,000 rows;
#   - batch:  INSERT ... SELECT transactions of 1,000 rows;
#   - trickle: single-row INSERT transactions from 4 clients (pgbench), a sample of --trickle-rows;
#   - sample: the same sample by one COPY, which the trickle's size is compared with;
# and for each: size (the table's main fork and its chunk metadata: the file, and its live rows) and
# full-scan time, before and after VACUUM (which compacts small chunks), per row; then the time of
# drop_chunks for the oldest day of the copy table.  With --vacuum-every N, a VACUUM of the table and
# of the chunk metadata runs every N seconds while the batch and trickle loads run, as autovacuum
# would on a busy server (compaction then frees pages that later chunks reuse).  Not a test: it
# never fails on the figures.
#
#   ingest_bench.sh [--scale S|M] [--port PORT] [--dir DIR] [--trickle-rows N] [--seed N]
#                   [--vacuum-every N] [--keep]
set -euo pipefail

SCALE=M
PORT=5442
DIR=
TRICKLE=200000
SEED=123
KEEP=0
VACUUM_EVERY=0
while [ $# -gt 0 ]; do
	case "$1" in
		--scale) SCALE=$2; shift 2 ;;
		--port) PORT=$2; shift 2 ;;
		--dir) DIR=$2; shift 2 ;;
		--trickle-rows) TRICKLE=$2; shift 2 ;;
		--seed) SEED=$2; shift 2 ;;
		--vacuum-every) VACUUM_EVERY=$2; shift 2 ;;
		--keep) KEEP=1; shift ;;
		-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
		*) echo "ingest_bench.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
case "$SCALE" in
	S) HOSTS=100; DAYS=1 ;;
	M) HOSTS=400; DAYS=3 ;;
	*) echo "ingest_bench.sh: scale must be S or M" >&2; exit 2 ;;
esac

DIR=${DIR:-/tmp/ts_ingest_bench_$PORT}
NAME=ingest_bench.sh
. "$(dirname "$0")/private_cluster.sh"
psql_db() { local db=$1; shift; "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$PORT" -U postgres -d "$db" -At "$@"; }

log "generating $HOSTS hosts x $DAYS days"
"$GEN" --hosts "$HOSTS" --days "$DAYS" --seed "$SEED" >"$DIR/cpu.csv"
split -l 1000000 -d -a 3 "$DIR/cpu.csv" "$DIR/part."
chmod 644 "$DIR"/cpu.csv "$DIR"/part.*
ROWS=$(wc -l <"$DIR/cpu.csv")

make_db() {
	"$BINDIR/createdb" -h "$DIR" -p "$PORT" -U postgres "$1"
	psql_db "$1" <<EOF
CREATE EXTENSION timeseries;
CREATE TABLE cpu ($CPU_COLS) USING timeseries;
SELECT timeseries.set_options('cpu', segment_by => '{hostname}') \gset
EOF
}

# main fork of the table, and the chunk metadata (with inline chunks): one table per database
size_of() {
	psql_db "$1" -c "SELECT pg_relation_size('cpu'), pg_total_relation_size('timeseries_internal.chunk'),
		(SELECT count(*) FROM cpu), (SELECT chunk_count FROM timeseries.table_stats('cpu')),
		(SELECT sum(pg_column_size(c.*)) FROM timeseries_internal.chunk c)"
}
scan_ms() {
	local t0
	psql_db "$1" -c "SELECT avg(usage_user) FROM cpu" >/dev/null
	t0=$(now_ns)
	psql_db "$1" -c "SELECT hostname, max(usage_user), avg(usage_system) FROM cpu GROUP BY hostname" >/dev/null
	ms_since "$t0"
}

# VACUUM every $VACUUM_EVERY seconds in database $1 until stop_vacuum_loop
VACUUM_PID=
start_vacuum_loop() {
	[ "$VACUUM_EVERY" -gt 0 ] || return 0
	(
		while [ ! -e "$DIR/stop_vacuum" ]; do
			sleep "$VACUUM_EVERY"
			psql_db "$1" -c "VACUUM cpu" -c "VACUUM timeseries_internal.chunk" || true
		done
	) &
	VACUUM_PID=$!
}
stop_vacuum_loop() {
	[ -n "$VACUUM_PID" ] || return 0
	touch "$DIR/stop_vacuum"
	wait "$VACUUM_PID" || true
	rm -f "$DIR/stop_vacuum"
	VACUUM_PID=
}

# ---------- copy: 1M-row COPY batches ----------
make_db copy
log "copy"
t0=$(now_ns)
for f in "$DIR"/part.*; do psql_db copy -c "COPY cpu FROM '$f' WITH (FORMAT csv)"; done
COPY_MS=$(ms_since "$t0")

# ---------- batch: 1,000-row transactions ----------
make_db batch
psql_db batch <<EOF
CREATE TABLE stage (n bigserial PRIMARY KEY, $CPU_COLS);
COPY stage ($(echo "$CPU_COLS" | sed -E 's/ (timestamptz|integer|text|double precision)//g')) FROM '$DIR/cpu.csv' WITH (FORMAT csv);
CREATE PROCEDURE load_batches() LANGUAGE plpgsql AS \$\$
DECLARE done bigint := 0; total bigint := (SELECT max(s.n) FROM stage s);
BEGIN
	WHILE done < total LOOP
		INSERT INTO cpu SELECT time, tags_id, hostname, usage_user, usage_system, usage_idle, usage_nice,
			usage_iowait, usage_irq, usage_softirq, usage_steal, usage_guest, usage_guest_nice
			FROM stage s WHERE s.n > done AND s.n <= done + 1000;
		done := done + 1000;
		COMMIT;
	END LOOP;
END \$\$;
EOF
log "batch"
t0=$(now_ns)
start_vacuum_loop batch
psql_db batch -c "CALL load_batches()"
BATCH_MS=$(ms_since "$t0")
stop_vacuum_loop
psql_db batch -c "DROP TABLE stage" >/dev/null

# ---------- trickle: single-row transactions, 4 clients ----------
make_db trickle
psql_db trickle <<EOF
CREATE TABLE stage (n bigserial PRIMARY KEY, $CPU_COLS);
COPY stage ($(echo "$CPU_COLS" | sed -E 's/ (timestamptz|integer|text|double precision)//g')) FROM PROGRAM 'head -n $TRICKLE $DIR/cpu.csv' WITH (FORMAT csv);
CREATE SEQUENCE next_row;
EOF
cat >"$DIR/trickle.sql" <<EOF
INSERT INTO cpu SELECT time, tags_id, hostname, usage_user, usage_system, usage_idle, usage_nice,
	usage_iowait, usage_irq, usage_softirq, usage_steal, usage_guest, usage_guest_nice
	FROM stage WHERE n = (SELECT nextval('next_row'));
EOF
chmod 644 "$DIR/trickle.sql"
log "trickle ($TRICKLE rows)"
t0=$(now_ns)
start_vacuum_loop trickle
"$BINDIR/pgbench" -n -h "$DIR" -p "$PORT" -U postgres -M prepared -c 4 -j 2 \
	-t $((TRICKLE / 4)) -f "$DIR/trickle.sql" trickle >"$DIR/pgbench.log" 2>&1
TRICKLE_MS=$(ms_since "$t0")
stop_vacuum_loop
psql_db trickle -c "DROP TABLE stage" >/dev/null

# ---------- sample: the trickle's rows by one COPY, what the trickle is measured against ----------
make_db sample
psql_db sample -c "COPY cpu FROM PROGRAM 'head -n $TRICKLE $DIR/cpu.csv' WITH (FORMAT csv)"

# ---------- sizes and scans, before and after VACUUM (compaction) ----------
declare -A BEFORE AFTER SCAN_B SCAN_A VAC_MS VACS
for db in copy batch trickle sample; do
	BEFORE[$db]=$(size_of $db)
	SCAN_B[$db]=$(scan_ms $db)
	t0=$(now_ns)
	psql_db $db -c "VACUUM cpu"
	VAC_MS[$db]=$(ms_since "$t0")
	psql_db $db -c "VACUUM timeseries_internal.chunk"
	# space goes back to the file system over a few VACUUMs (src/README.md, "Giving space back"):
	# the pages a VACUUM frees are ready for reuse at the next, which takes those at the end off
	# the free list, and they leave the file at the one after; stop after three VACUUMs in a row
	# that did not shrink it
	VACS[$db]=1
	still=0
	for i in 2 3 4 5 6 7 8 9 10 11 12; do
		fork=$(psql_db $db -c "SELECT pg_relation_size('cpu')")
		psql_db $db -c "VACUUM cpu" -c "VACUUM timeseries_internal.chunk"
		if [ "$(psql_db $db -c "SELECT pg_relation_size('cpu')")" = "$fork" ]; then
			still=$((still + 1))
			[ $still -ge 3 ] && break
			continue
		fi
		still=0
		VACS[$db]=$i
	done
	AFTER[$db]=$(size_of $db)
	SCAN_A[$db]=$(scan_ms $db)
done

# ---------- drop_chunks: the oldest day of the copy table ----------
DAY=$(psql_db copy -c "SELECT date_trunc('day', min(time)) + interval '1 day' FROM cpu")
t0=$(now_ns)
DROPPED=$(psql_db copy -c "SELECT timeseries.drop_chunks('cpu', '$DAY'::timestamptz)")
DROP_MS=$(ms_since "$t0")
DROP_LEFT=$(psql_db copy -c "SELECT count(*), min(time) FROM cpu")

bytes_per_row() {
	local fork meta rows chunks live
	IFS='|' read -r fork meta rows chunks live <<<"$1"
	awk -v f="$fork" -v m="$meta" -v r="$rows" -v c="$chunks" -v l="$live" \
		'BEGIN {printf "%6.2f B/row (%6.1f MiB fork + %6.1f MiB metadata file, of it %6.1f MiB live rows; %d chunks)", (f + m) / r, f / 1048576, m / 1048576, l / 1048576, c}'
}
printf '\nIngest benchmark, scale %s (%s rows; trickle: a sample of %s rows), %s\n' "$SCALE" "$ROWS" "$TRICKLE" \
	"$(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[ "$VACUUM_EVERY" -gt 0 ] && printf 'VACUUM of the table and its chunk metadata every %s s during the batch and trickle loads\n' "$VACUUM_EVERY"
printf 'load: copy %s ms (%s rows/s), batch %s ms (%s rows/s), trickle %s ms (%s rows/s)\n' \
	"$COPY_MS" $((ROWS * 1000 / COPY_MS)) "$BATCH_MS" $((ROWS * 1000 / BATCH_MS)) \
	"$TRICKLE_MS" $((TRICKLE * 1000 / TRICKLE_MS))
for db in copy batch trickle sample; do
	printf '%-8s before VACUUM: %s, scan %s ms\n' "$db" "$(bytes_per_row "${BEFORE[$db]}")" "${SCAN_B[$db]}"
	printf '%-8s after VACUUM:  %s, scan %s ms (VACUUM %s ms; %s VACUUMs until the file stopped shrinking)\n' \
		"$db" "$(bytes_per_row "${AFTER[$db]}")" "${SCAN_A[$db]}" "${VAC_MS[$db]}" "${VACS[$db]}"
done
# sizes after VACUUM against COPY of the same rows: fork alone, and fork + metadata file
ratio() {
	local f1 m1 f2 m2 rest
	IFS='|' read -r f1 m1 rest <<<"$1"
	IFS='|' read -r f2 m2 rest <<<"$2"
	awk -v f1="$f1" -v m1="$m1" -v f2="$f2" -v m2="$m2" \
		'BEGIN {printf "%.2fx (fork), %.2fx (fork + metadata file)", f1 / f2, (f1 + m1) / (f2 + m2)}'
}
printf 'after VACUUM, against COPY of the same rows: batch %s; trickle %s\n' \
	"$(ratio "${AFTER[batch]}" "${AFTER[copy]}")" "$(ratio "${AFTER[trickle]}" "${AFTER[sample]}")"
printf 'drop_chunks of the oldest day (copy): %s rows in %s ms; left: %s\n' "$DROPPED" "$DROP_MS" "$DROP_LEFT"
