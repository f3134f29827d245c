# Sourced by dml_bench.sh and ingest_bench.sh: a private PostgreSQL cluster in
# $DIR on $PORT with fixed settings (removed at exit unless KEEP=1), the TSBS
# generator, and the cpu table's columns.  Needs DIR, PORT, KEEP and NAME (the
# script's name, for messages) set; sets HERE, GEN, BINDIR, PGDATA, RUNAS,
# OWNER, CPU_COLS and the functions log, now_ns and ms_since.

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GEN=$HERE/tsbs_gen
make -s -C "$HERE" tsbs_gen
BINDIR=$(pg_config --bindir)
PGDATA=$DIR/data
if [ "$(id -u)" -eq 0 ]; then RUNAS=(runuser -u postgres --); OWNER=postgres; else RUNAS=(); OWNER=$(id -un); fi
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }

cleanup() {
	local rc=$?
	if [ "$KEEP" -eq 0 ]; then
		"${RUNAS[@]}" "$BINDIR/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
		rm -rf "$DIR"
	else
		log "kept: cluster on port $PORT, work dir $DIR"
	fi
	exit $rc
}

# only ever remove a work directory a benchmark made
if [ -e "$DIR" ]; then
	[ -e "$DIR/.ts_bench" ] || { echo "$NAME: $DIR exists and is not ours" >&2; exit 2; }
	"${RUNAS[@]}" "$BINDIR/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$DIR"
fi
mkdir -p "$DIR"; touch "$DIR/.ts_bench"; chmod 755 "$DIR"
[ "$OWNER" = "$(id -un)" ] || chown "$OWNER" "$DIR"
trap cleanup EXIT
trap 'exit 130' INT TERM

"${RUNAS[@]}" "$BINDIR/initdb" -D "$PGDATA" -U postgres --auth=trust --no-locale -E UTF8 >"$DIR/initdb.log" 2>&1
cat <<CONF | "${RUNAS[@]}" tee -a "$PGDATA/postgresql.conf" >/dev/null
listen_addresses = ''
port = $PORT
unix_socket_directories = '$DIR'
shared_buffers = 2GB
work_mem = 64MB
maintenance_work_mem = 512MB
jit = off
max_wal_size = 16GB
checkpoint_timeout = 1h
autovacuum = off
timezone = 'UTC'
CONF
"${RUNAS[@]}" "$BINDIR/pg_ctl" -D "$PGDATA" -l "$DIR/server.log" -w start >/dev/null

CPU_COLS="time timestamptz, tags_id integer, hostname text,
	usage_user double precision, usage_system double precision, usage_idle double precision,
	usage_nice double precision, usage_iowait double precision, usage_irq double precision,
	usage_softirq double precision, usage_steal double precision, usage_guest double precision,
	usage_guest_nice double precision"
