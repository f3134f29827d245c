
# Crash recovery of timeseries tables: after an immediate shutdown exactly
# the committed rows are there, uncommitted ones (buffered or already written
# as chunks) are not, committed deletes and updates stay and uncommitted ones
# are undone, prepared transactions survive, and the table keeps working.  shared_preload_libraries is not set.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf(
	'postgresql.conf', qq(
wal_level = replica
max_prepared_transactions = 5
autovacuum = off
));
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION timeseries');
$node->safe_psql('postgres',
	'CREATE TABLE t (id bigint, grp int, payload text, at timestamptz) USING timeseries'
);

# COPY data for ids [$from, $to]
sub copy_data
{
	my ($from, $to) = @_;
	my $s = '';
	for my $i ($from .. $to)
	{
		$s .= sprintf("%d\t%d\tp%d\t2024-01-01 00:00:00+00\n",
			$i, $i % 7, $i * 3);
	}
	return $s . "\\.\n";
}

# committed rows, tracked here
my ($count, $sum) = (0, 0);

sub committed
{
	my ($from, $to) = @_;
	$count += $to - $from + 1;
	$sum += ($from + $to) * ($to - $from + 1) / 2;
}

# COPY t FROM STDIN in a background psql.  psql ignores a lone ";" line after
# COPY data and the \echo after it, which BackgroundPsql relies on, so the
# data is followed by a query of our own.
sub bg_copy
{
	my ($session, $data) = @_;
	my $out = $session->query_safe("COPY t FROM STDIN;\n" . $data . "SELECT 'copied'");
	is($out, 'copied', 'background COPY done');
}

my $small = "SET timeseries.chunk_rows = 97;\n";

# page chunks from COPY
$node->safe_psql('postgres',
	$small
	  . "SET timeseries.inline_max_bytes = 0;\nCOPY t FROM STDIN;\n"
	  . copy_data(1, 3000));
committed(1, 3000);

# inline chunks from many small transactions
for my $i (0 .. 19)
{
	my $from = 10001 + $i * 5;
	$node->safe_psql('postgres',
		"INSERT INTO t SELECT g, g % 7, 'p' || g * 3, '2024-01-01 00:00:00+00' FROM generate_series($from, $from + 4) g"
	);
	committed($from, $from + 4);
}

$node->safe_psql('postgres', 'CHECKPOINT');

# after the checkpoint: mixed inline and page chunks, savepoints
$node->safe_psql(
	'postgres', $small . qq(
BEGIN;
INSERT INTO t SELECT g, g % 7, 'p' || g * 3, '2024-01-01 00:00:00+00' FROM generate_series(20001, 21000) g;
SAVEPOINT s;
INSERT INTO t SELECT g, 0, 'gone', now() FROM generate_series(900001, 900500) g;
ROLLBACK TO SAVEPOINT s;
INSERT INTO t SELECT g, g % 7, 'p' || g * 3, '2024-01-01 00:00:00+00' FROM generate_series(21001, 21010) g;
COMMIT;
));
committed(20001, 21010);

# an aborted transaction that flushed chunks
$node->psql('postgres',
	$small
	  . "BEGIN; INSERT INTO t SELECT g, 0, 'gone', now() FROM generate_series(800001, 801000) g; ROLLBACK;"
);

# committed deletes and updates (an update moves the row to a new row id)
$node->safe_psql('postgres', q(
DELETE FROM t WHERE id BETWEEN 1 AND 100;
UPDATE t SET payload = 'p' || id * 3 WHERE id BETWEEN 101 AND 200;
BEGIN;
DELETE FROM t WHERE id BETWEEN 10001 AND 10010;
SAVEPOINT s;
DELETE FROM t WHERE id BETWEEN 10011 AND 10100;
ROLLBACK TO SAVEPOINT s;
COMMIT;
));
$count -= 110;
$sum -= 5050 + (10001 + 10010) * 5;

# a prepared delete survives the crash and is committed after it
$node->safe_psql('postgres',
	"BEGIN; DELETE FROM t WHERE id BETWEEN 401 AND 450; PREPARE TRANSACTION 'keepdel';");

# prepared transactions survive the crash: one is committed, one rolled back
$node->safe_psql('postgres',
	$small
	  . "BEGIN; INSERT INTO t SELECT g, g % 7, 'p' || g * 3, '2024-01-01 00:00:00+00' FROM generate_series(30001, 30500) g; PREPARE TRANSACTION 'keep';"
);
$node->safe_psql('postgres',
	$small
	  . "BEGIN; INSERT INTO t SELECT g, 0, 'gone', now() FROM generate_series(700001, 700300) g; PREPARE TRANSACTION 'drop';"
);

# open transactions with uncommitted rows: some written as chunks already
# (page extents and inline), some still buffered
my $open1 = $node->background_psql('postgres');
$open1->query_safe($small . 'SET timeseries.inline_max_bytes = 0');
$open1->query_safe('BEGIN');
bg_copy($open1, copy_data(600001, 602000));
$open1->query_safe(
	"INSERT INTO t SELECT g, 0, 'gone', now() FROM generate_series(602001, 602050) g"
);

my $open2 = $node->background_psql('postgres');
$open2->query_safe('BEGIN');
$open2->query_safe(
	"INSERT INTO t SELECT g, 0, 'gone', now() FROM generate_series(500001, 500010) g"
);

# uncommitted deletes and updates at crash time
my $open4 = $node->background_psql('postgres');
$open4->query_safe('BEGIN');
$open4->query_safe('DELETE FROM t WHERE id BETWEEN 201 AND 300');
$open4->query_safe("UPDATE t SET payload = 'gone', id = id + 900000 WHERE id BETWEEN 301 AND 400");

# uncommitted TRUNCATE + load and DROP TABLE of other tables at crash time
$node->safe_psql('postgres',
	$small . qq(
CREATE TABLE tr (id bigint, grp int, payload text, at timestamptz) USING timeseries;
CREATE TABLE dr (id bigint, grp int, payload text, at timestamptz) USING timeseries;
COPY tr FROM STDIN;
) . copy_data(1, 1000) . "COPY dr FROM STDIN;\n" . copy_data(1, 300));
my $open3 = $node->background_psql('postgres');
$open3->query_safe($small . 'BEGIN; TRUNCATE tr; DROP TABLE dr');
$open3->query_safe(
	"INSERT INTO tr SELECT g, 0, 'gone', now() FROM generate_series(400001, 400500) g"
);

# a writer commits while the others are open
my $w = $node->background_psql('postgres');
$w->query_safe($small);
bg_copy($w, copy_data(40001, 41000));
committed(40001, 41000);

is( $node->safe_psql('postgres', 'SELECT count(*), sum(id) FROM t'),
	"$count|$sum", 'committed rows before crash');

$node->stop('immediate');
# the sessions died with the server
for my $s ($open1, $open2, $open3, $open4, $w)
{
	eval { $s->{run}->kill_kill; };
}
$node->start;

is( $node->safe_psql('postgres',
		"SELECT count(*), sum(id), count(*) FILTER (WHERE payload = 'p' || id * 3 AND grp = id % 7) FROM t"
	),
	"$count|$sum|$count",
	'exactly the committed rows after crash');
is($node->safe_psql('postgres', 'SELECT count(*) FROM t WHERE id > 500000'),
	'0', 'no uncommitted or aborted rows after crash');

is( $node->safe_psql('postgres',
		'SELECT (SELECT count(*) || \',\' || sum(id) FROM tr), (SELECT count(*) || \',\' || sum(id) FROM dr)'),
	'1000,500500|300,45150',
	'uncommitted TRUNCATE and DROP TABLE undone by the crash');
$node->safe_psql('postgres', 'INSERT INTO tr VALUES (1001, 0, \'x\', NULL)');
is($node->safe_psql('postgres', 'SELECT count(*), count(DISTINCT ctid) FROM tr'),
	'1001|1001', 'table usable after crash undid its TRUNCATE');

is( $node->safe_psql('postgres',
		'SELECT gid FROM pg_prepared_xacts ORDER BY gid'),
	"drop\nkeep\nkeepdel",
	'prepared transactions survived');
$node->safe_psql('postgres', "COMMIT PREPARED 'keep'");
$node->safe_psql('postgres', "ROLLBACK PREPARED 'drop'");
$node->safe_psql('postgres', "COMMIT PREPARED 'keepdel'");
committed(30001, 30500);
$count -= 50;
$sum -= (401 + 450) * 25;

is($node->safe_psql('postgres', 'SELECT count(*), sum(id) FROM t'),
	"$count|$sum", 'prepared transactions resolved');

# the table keeps working: new rows get new row ids (no ctid collisions)
$node->safe_psql('postgres',
	$small
	  . "INSERT INTO t SELECT g, g % 7, 'p' || g * 3, now() FROM generate_series(50001, 50300) g"
);
committed(50001, 50300);
$node->safe_psql('postgres',
	"COPY t FROM STDIN;\n" . copy_data(51001, 51010));
committed(51001, 51010);
is( $node->safe_psql('postgres',
		'SELECT count(*), sum(id), count(DISTINCT ctid) FROM t'),
	"$count|$sum|$count",
	'table usable after crash, row ids unique');
is( $node->safe_psql('postgres',
		'SELECT row_count, chunk_count - inline_chunk_count >= 30, inline_chunk_count > 20 FROM timeseries.table_stats(\'t\')'
	),
	"$count|t|t",
	'table_stats agrees, both page and inline chunks exist');
$node->safe_psql('postgres', 'VACUUM t');
is($node->safe_psql('postgres', 'SELECT count(*), sum(id) FROM t'),
	"$count|$sum", 'count after VACUUM');

# a large committed COPY right before the crash, no checkpoint in between
$node->safe_psql('postgres', 'CHECKPOINT');
$node->safe_psql('postgres',
	'CREATE TABLE big (id bigint, grp int, payload text, at timestamptz) USING timeseries'
);
$node->safe_psql('postgres', "COPY big FROM STDIN;\n" . copy_data(1, 150000));
$node->stop('immediate');
$node->start;

is( $node->safe_psql('postgres',
		'SELECT count(*), sum(id), count(DISTINCT ctid), max(payload) FROM big'),
	'150000|11250075000|150000|p99999',
	'large committed COPY survives crash');
$node->safe_psql('postgres', "INSERT INTO big VALUES (150001, 1, 'x', now())");
is( $node->safe_psql('postgres',
		'SELECT count(*), count(DISTINCT ctid) FROM big'),
	'150001|150001', 'big table usable after crash');

# a crash during recovery's aftermath: crash again right away, then check
$node->stop('immediate');
$node->start;
is($node->safe_psql('postgres', 'SELECT count(*), sum(id) FROM t'),
	"$count|$sum", 'second crash: t intact');
is($node->safe_psql('postgres', 'SELECT count(*) FROM big'),
	'150001', 'second crash: big intact');

# late rows (older than the late horizon) take row ids from the upper half,
# counted in the metapage: after a crash, no id is handed out twice, and the
# horizon is still there
$node->safe_psql('postgres',
	"CREATE TABLE late (t timestamptz, v int) USING timeseries;
	 SELECT timeseries.set_options('late', chunk_rows => 100);
	 INSERT INTO late SELECT '2024-01-02'::timestamptz + i * interval '1 min', i
	   FROM generate_series(1, 1000) i");
$node->safe_psql('postgres',
	"INSERT INTO late SELECT '2024-01-01'::timestamptz + i * interval '1 s', -i
	   FROM generate_series(1, 50) i");
$node->stop('immediate');
$node->start;
$node->safe_psql('postgres',
	"INSERT INTO late SELECT '2024-01-01 01:00'::timestamptz + i * interval '1 s', -100 - i
	   FROM generate_series(1, 50) i");
is( $node->safe_psql('postgres',
		"SELECT count(*), count(DISTINCT ctid),
		        count(*) FILTER (WHERE (ctid::text::point)[0] >= 2147483647 AND v < 0)
		   FROM late"),
	'1100|1100|100', 'late rows after a crash: distinct row ids, still late');
is($node->safe_psql('postgres', 'SELECT count(*) FROM timeseries.verify(\'late\')'),
	'0', 'late rows after a crash: verify finds nothing');

# a committed CLUSTER (new chunks, old ones deleted) survives a crash
$node->safe_psql('postgres',
	"CREATE TABLE cl (id int, grp int) USING timeseries;
	 INSERT INTO cl SELECT g, g % 7 FROM generate_series(1, 30000) g;
	 DELETE FROM cl WHERE id % 11 = 0;
	 CREATE INDEX cl_grp ON cl (grp, id);
	 CLUSTER cl USING cl_grp");
$node->stop('immediate');
$node->start;
is( $node->safe_psql('postgres',
		"SET enable_seqscan = off; SET timeseries.enable_custom_scan = off;
		 SELECT count(*), sum(id) FROM cl WHERE grp = 3;
		 RESET enable_seqscan; RESET timeseries.enable_custom_scan;
		 SELECT count(*), sum(id), count(DISTINCT ctid) FROM cl;
		 SELECT count(*) FROM timeseries.verify('cl')"),
	"3897|58455587\n27273|409099092|27273\n0", 'CLUSTER survives a crash');

# unlogged tables come back empty, with no metadata left, and usable; the
# logged tables beside them are untouched
$node->safe_psql('postgres',
	"CREATE UNLOGGED TABLE unl (t timestamptz, v int) USING timeseries;
	 CREATE UNIQUE INDEX unl_t ON unl (t);
	 INSERT INTO unl SELECT '2024-01-01'::timestamptz + i * interval '1 s', i
	   FROM generate_series(1, 20000) i;
	 DELETE FROM unl WHERE v % 10 = 0;
	 INSERT INTO unl VALUES ('2025-01-01', -1);
	 CHECKPOINT");
# a clean restart keeps them
$node->restart;
is($node->safe_psql('postgres', 'SELECT count(*), sum(v) FROM unl'),
	'18001|179999999', 'unlogged table survives a clean restart');
$node->safe_psql('postgres', "INSERT INTO unl VALUES ('2025-01-02', -2)");
$node->stop('immediate');
$node->start;
is( $node->safe_psql('postgres',
		"SELECT (SELECT count(*) FROM unl),
		        (SELECT count(*) FROM timeseries_internal.unlogged_chunk),
		        (SELECT count(*) FROM timeseries_internal.unlogged_deleted_row),
		        (SELECT count(*) FROM timeseries_internal.unlogged_free_extent)"),
	'0|0|0|0', 'unlogged table and its metadata are empty after a crash');
is($node->safe_psql('postgres', 'SELECT count(*) FROM big'),
	'150001', 'logged table beside it intact');
$node->safe_psql('postgres',
	"INSERT INTO unl SELECT '2024-01-01'::timestamptz + i * interval '1 s', i
	   FROM generate_series(1, 5000) i;
	 INSERT INTO unl VALUES ('2024-01-01 00:00:01', 0) ON CONFLICT DO NOTHING;
	 VACUUM unl");
is( $node->safe_psql('postgres',
		"SELECT count(*), sum(v), count(DISTINCT ctid) FROM unl;
		 SELECT count(*) FROM timeseries.verify('unl')"),
	"5000|12502500|5000
0", 'unlogged table usable after a crash');

my $log = slurp_file($node->logfile);
unlike($log, qr/PANIC|TRAP|server process .* was terminated by signal/,
	'no PANIC or backend crash in the log');

$node->stop;
done_testing();
