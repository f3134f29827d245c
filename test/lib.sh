# Shared by test/run-all.sh and test/try.sh: dependencies, build and install,
# and running commands as an unprivileged user (initdb refuses root).

PG_BIN=/usr/lib/postgresql/15/bin
DEB_PACKAGES="postgresql-15 postgresql-server-dev-15 libzstd-dev liblz4-dev libipc-run-perl make gcc clang"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# install_deps [EXTRA_PACKAGE...]: the packages above plus any given
install_deps() {
	local missing=""
	for p in $DEB_PACKAGES "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		echo "installing:$missing"
		as_root apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
	fi
}

# client_packages: what test/clients needs beyond DEB_PACKAGES: Debian's
# drivers (libpq, psycopg 3, pgjdbc), plus Node.js with npm and a JDK unless
# they are on PATH already (e.g. from another repository)
client_packages() {
	local p="libpq-dev python3-psycopg libpostgresql-jdbc-java"
	command -v node >/dev/null || p="$p nodejs"
	command -v npm >/dev/null || p="$p npm"
	command -v javac >/dev/null || p="$p default-jdk-headless"
	echo "$p"
}

build_install() {
	make -s -C "$1" >/dev/null
	as_root make -s -C "$1" install >/dev/null
}

# The user that runs PostgreSQL: ourselves, or "postgres" when we are root.
pg_user() {
	if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# free_port START: first TCP port from START up that nothing listens on
free_port() {
	local p=$1
	while (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; do p=$((p + 1)); done
	echo $p
}
