
# Streaming replication of timeseries tables.  The primary runs with
# wal_consistency_checking = 'all', so the standby checks every replayed page
# against a full image.  After inline and page chunks, COPY, TRUNCATE
# (committed and rolled back), DELETE and UPDATE (committed and rolled back),
# VACUUM, VACUUM FULL, ANALYZE, DROP and CREATE
# the standby must return exactly what the primary returns, refuse writes,
# and after promotion keep working.  shared_preload_libraries is not set.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf(
	'postgresql.conf', qq(
wal_consistency_checking = 'all'
max_prepared_transactions = 5
autovacuum = off
shared_buffers = 4MB
));
$primary->start;
$primary->backup('bkp');

my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'bkp', has_streaming => 1);
$standby->start;

sub copy_data
{
	my ($from, $to) = @_;
	my $s = '';
	for my $i ($from .. $to)
	{
		$s .= sprintf("%d\t%s\t%s\t%s\n",
			$i,
			$i % 13 == 0 ? '\N' : $i * 1.5,
			$i % 17 == 0 ? '\N' : "v$i",
			$i % 5 == 0 ? '\N' : "2024-01-01 00:00:00+00");
	}
	return $s . "\\.\n";
}

my $small = "SET timeseries.chunk_rows = 200;\n";
my $pages = $small . "SET timeseries.inline_max_bytes = 0;\n";
my $cols = '(id int, val float8, tag text, at timestamptz)';

$primary->safe_psql('postgres', 'CREATE EXTENSION timeseries');
$primary->safe_psql('postgres', "CREATE TABLE inl $cols USING timeseries");
$primary->safe_psql('postgres', "CREATE TABLE pg $cols USING timeseries");
$primary->safe_psql('postgres', "CREATE TABLE gone $cols USING timeseries");
$primary->safe_psql('postgres', "CREATE TABLE big (id int, doc text) USING timeseries");

# inline chunks: many small transactions
for my $i (0 .. 9)
{
	$primary->safe_psql('postgres',
		"INSERT INTO inl SELECT g, g * 1.5, 'v' || g, now() FROM generate_series($i * 10 + 1, $i * 10 + 10) g"
	);
}
# page chunks: COPY and INSERT .. SELECT
$primary->safe_psql('postgres',
	$pages . "COPY pg FROM STDIN;\n" . copy_data(1, 3000));
$primary->safe_psql('postgres',
	$pages
	  . "INSERT INTO pg SELECT g, NULL, 'i' || g, NULL FROM generate_series(5001, 6000) g"
);
$primary->safe_psql('postgres', $small . "COPY gone FROM STDIN;\n" . copy_data(1, 500));
# large values, some inline (toasted metadata rows), some in pages
$primary->safe_psql('postgres',
	"INSERT INTO big SELECT g, repeat(md5(g::text), 2000 + g) FROM generate_series(1, 20) g"
);
$primary->safe_psql('postgres',
	"SET timeseries.inline_max_bytes = 0; INSERT INTO big SELECT g, repeat(md5(g::text), 100 * g) FROM generate_series(21, 40) g"
);

# TRUNCATE committed and rolled back, in transactions with loads
$primary->safe_psql('postgres', $small . "BEGIN; TRUNCATE inl; INSERT INTO inl SELECT g, g, 't' || g, NULL FROM generate_series(1, 450) g; COMMIT;");
$primary->safe_psql('postgres', $pages . "BEGIN; TRUNCATE pg; COPY pg FROM STDIN;\n" . copy_data(1, 700) . "ROLLBACK;");
$primary->safe_psql('postgres', "BEGIN; INSERT INTO pg VALUES (-1, -1, 'rolled back', NULL); ROLLBACK;");

# maintenance
$primary->safe_psql('postgres', 'VACUUM inl');
$primary->safe_psql('postgres', 'VACUUM FULL pg');
$primary->safe_psql('postgres', 'ANALYZE');
$primary->safe_psql('postgres', 'VACUUM (ANALYZE) big');
$primary->safe_psql('postgres', 'DROP TABLE gone');
$primary->safe_psql('postgres', "CREATE TABLE newer $cols USING timeseries");
$primary->safe_psql('postgres', $pages . "COPY newer FROM STDIN;\n" . copy_data(100, 900));
$primary->safe_psql('postgres', "INSERT INTO pg VALUES (7000, 7, 'after vacuum full', NULL)");
# late rows: their row ids and the late horizon live in the metapage
$primary->safe_psql('postgres',
	"CREATE TABLE late (t timestamptz, v int) USING timeseries;
	 SELECT timeseries.set_options('late', chunk_rows => 100);
	 INSERT INTO late SELECT '2024-01-02'::timestamptz + i * interval '1 min', i
	   FROM generate_series(1, 1000) i");
for my $i (1 .. 5)
{
	$primary->safe_psql('postgres',
		"INSERT INTO late VALUES ('2024-01-01'::timestamptz + $i * interval '1 s', -$i)");
}
$primary->safe_psql('postgres', 'VACUUM late');

$primary->wait_for_catchup($standby);

my @queries = (
	"SELECT c.relname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'timeseries' ORDER BY 1",
	# a standby has no unlogged data (its sizes read as zero, as heap's do)
	"SELECT * FROM timeseries.tables WHERE table_name::text <> 'unl' ORDER BY table_name::text",
	"SELECT relname, reltuples FROM pg_class WHERE relname IN ('inl', 'pg', 'big', 'newer') ORDER BY 1",
	"SELECT tablename, attname, null_frac, n_distinct FROM pg_stats WHERE tablename IN ('inl', 'pg') ORDER BY 1, 2",
	'SELECT count(*) FROM timeseries_internal.chunk',
	'SELECT count(*) FROM timeseries_internal.deleted_row',
	'SELECT * FROM inl ORDER BY id',
	'SELECT * FROM pg ORDER BY id',
	'SELECT * FROM newer ORDER BY id',
	'SELECT id, length(doc), md5(doc) FROM big ORDER BY id',
	'SELECT ctid, id FROM pg ORDER BY ctid',
	"SELECT tag FROM pg WHERE ctid = (SELECT max(ctid) FROM pg)",
	'SELECT ctid, t, v FROM late ORDER BY ctid',
	"SELECT count(*) FROM late WHERE (ctid::text::point)[0] >= 2147483647",);

sub compare_all
{
	my ($label) = @_;
	for my $q (@queries)
	{
		my $p = $primary->safe_psql('postgres', $q);
		my $s = $standby->safe_psql('postgres', $q);
		ok(length($p) > 0, "$label: primary returns rows: $q");
		is($s, $p, "$label: standby matches primary: $q");
	}
}

# sanity: the primary itself has what we loaded
is( $primary->safe_psql('postgres',
		'SELECT (SELECT count(*) FROM inl), (SELECT count(*) FROM pg), (SELECT count(*) FROM newer), (SELECT count(*) FROM big)'
	),
	'450|4001|801|40',
	'row counts on primary');
is( $primary->safe_psql('postgres',
		"SELECT count(*) FROM pg_class WHERE relname = 'gone'"),
	'0', 'dropped table is gone');
is( $primary->safe_psql('postgres',
		"SELECT chunk_count > inline_chunk_count, inline_chunk_count > 0 FROM timeseries.table_stats('big')"
	),
	't|t',
	'big has page and inline chunks');

compare_all('after load');

# the standby refuses writes cleanly
for my $w (
	"INSERT INTO pg VALUES (1, 1, 'x', NULL)",
	"COPY pg FROM STDIN;\n1\t1\tx\t\\N\n\\.\n",
	'TRUNCATE pg',
	'DELETE FROM pg WHERE id = 1',
	"UPDATE pg SET tag = 'x' WHERE id = 2",
	'SELECT * FROM pg WHERE id = 3 FOR UPDATE',
	'VACUUM pg',
	"CREATE TABLE nope (a int) USING timeseries")
{
	my ($ret, $out, $err) = $standby->psql('postgres', $w);
	isnt($ret, 0, "standby refuses: $w");
	like(
		$err,
		qr/ERROR:  cannot execute .* (in a read-only transaction|during recovery)/,
		"standby error message: $w");
}
is($standby->safe_psql('postgres', 'SELECT count(*) FROM pg'),
	'4001', 'standby unchanged after refused writes');

# more work while the standby is streaming, then compare again
$primary->safe_psql('postgres', $pages . "COPY newer FROM STDIN;\n" . copy_data(2000, 2600));
$primary->safe_psql('postgres', q(
DELETE FROM newer WHERE id % 10 = 3;
UPDATE newer SET tag = 'updated ' || id WHERE id % 10 = 4;
BEGIN;
DELETE FROM pg WHERE id < 100;
UPDATE pg SET val = -val WHERE id BETWEEN 100 AND 200;
ROLLBACK;
DELETE FROM pg WHERE id BETWEEN 300 AND 310;
));
$primary->safe_psql('postgres', 'TRUNCATE big');
$primary->safe_psql('postgres',
	"INSERT INTO big SELECT g, repeat('x', g * 1000) FROM generate_series(1, 5) g");
$primary->safe_psql('postgres', 'VACUUM FULL inl');
$primary->safe_psql('postgres', 'CREATE INDEX newer_tag ON newer (tag, id); CLUSTER newer USING newer_tag');
# an unlogged table: not readable on the standby, empty after promotion
$primary->safe_psql('postgres',
	"CREATE UNLOGGED TABLE unl (id int, tag text) USING timeseries;
	 INSERT INTO unl SELECT g, 'u' || g FROM generate_series(1, 3000) g;
	 DELETE FROM unl WHERE id % 3 = 0");
# prepared transactions with page and inline chunks, resolved after promotion
$primary->safe_psql('postgres',
	$pages . "BEGIN; COPY pg FROM STDIN;\n" . copy_data(9001, 9400) . "PREPARE TRANSACTION 'p_commit';");
$primary->safe_psql('postgres',
	"BEGIN; INSERT INTO newer VALUES (-7, 0, 'prepared, rolled back', NULL); PREPARE TRANSACTION 'p_abort';");
$primary->wait_for_catchup($standby);
compare_all('after second round');

{
	my ($ret, $out, $err) = $standby->psql('postgres', 'SELECT count(*) FROM unl');
	like($err, qr/cannot access temporary or unlogged relations during recovery/,
		'standby refuses to read an unlogged table');
}

# promote: the new primary keeps writing with fresh row ids
$standby->promote;
$standby->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()')
  or die 'standby did not promote';
is($standby->safe_psql('postgres', 'SELECT gid FROM pg_prepared_xacts ORDER BY gid'),
	"p_abort\np_commit", 'promoted standby has the prepared transactions');
$standby->safe_psql('postgres', "COMMIT PREPARED 'p_commit'");
$standby->safe_psql('postgres', "ROLLBACK PREPARED 'p_abort'");
$standby->safe_psql('postgres', $small . "COPY pg FROM STDIN;\n" . copy_data(8001, 8500));
$standby->safe_psql('postgres', "INSERT INTO newer VALUES (-5, 0, 'promoted', NULL)");
is( $standby->safe_psql('postgres',
		'SELECT count(*), count(DISTINCT ctid), sum(id) FROM pg'),
	$primary->safe_psql('postgres',
		'SELECT count(*) + 900, count(DISTINCT ctid) + 900, sum(id) + 4125250 + 3680200 FROM pg'),
	'promoted standby: writes work, row ids stay unique');
is( $standby->safe_psql('postgres',
		"SELECT count(*) FROM unl;
		 INSERT INTO unl SELECT g, 'p' FROM generate_series(1, 10) g;
		 SELECT count(*), count(DISTINCT ctid) FROM unl"),
	"0\n10|10", 'promoted standby: unlogged table empty and writable');
is($standby->safe_psql('postgres', 'SELECT count(*) FROM newer'),
	'1263', 'promoted standby: newer (1,402 loaded, 140 deleted, 1 new)');

for my $node ($primary, $standby)
{
	my $log = slurp_file($node->logfile);
	unlike(
		$log,
		qr/inconsistent page|PANIC|TRAP|terminated by signal/,
		$node->name . ': no inconsistent page, PANIC or crash in the log');
}

$primary->safe_psql('postgres', "ROLLBACK PREPARED 'p_commit'; ROLLBACK PREPARED 'p_abort';");
$standby->stop;
$primary->stop;
done_testing();
