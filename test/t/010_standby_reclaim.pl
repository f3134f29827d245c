
# Space taken back on the primary while standby queries still read: VACUUM
# takes deleted rows out of their chunks and their index entries, and new
# chunks reuse the pages of chunks it replaced.  A standby query whose
# snapshot is older must either still see exactly what it saw, or be
# cancelled by a recovery conflict; never a wrong count, never corrupt data.
# The primary runs with wal_consistency_checking = 'all'.

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
autovacuum = off
));
$primary->start;
$primary->backup('bkp');

my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'bkp', has_streaming => 1);
# conflicts cancel at once, and the primary does not wait for the standby
$standby->append_conf(
	'postgresql.conf', qq(
max_standby_streaming_delay = 0
hot_standby_feedback = off
));
$standby->start;

my $small = "SET timeseries.chunk_rows = 1000; SET timeseries.inline_max_bytes = 0;";
$primary->safe_psql('postgres', 'CREATE EXTENSION timeseries');
$primary->safe_psql('postgres',
	"CREATE TABLE t (id int, doc text) USING timeseries; CREATE INDEX t_id ON t (id);");
$primary->safe_psql('postgres',
	"$small INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 5000) g");
$primary->wait_for_catchup($standby);

my $by_index = 'SET enable_seqscan = off; SET timeseries.enable_custom_scan = off; '
  . 'SELECT count(*), sum(id) FROM t WHERE id > 0';
my $by_scan = 'SELECT count(*), sum(id), md5(string_agg(doc, \'\' ORDER BY id)) FROM t';

# The standby session: its snapshot from before the changes.  Each later
# query must give the first answer, or fail with a recovery conflict.
sub older_snapshot_check
{
	my ($session, $expected, $query, $what) = @_;
	my $out;
	my $ok = eval { $out = $session->query($query); 1; };
	my $err = $session->{stderr} // '';
	if ($err =~ /conflict with recovery|connection to server was lost|server closed the connection/)
	{
		pass("$what: cancelled by a recovery conflict");
		return 0;
	}
	if (!$ok || $err ne '')
	{
		fail("$what: unexpected failure: " . ($ok ? $err : $@));
		return 0;
	}
	is($out, $expected, "$what: the older snapshot's answer");
	return 1;
}

# 1. deleted rows taken out, with their index entries
my $s1 = $standby->background_psql('postgres', on_error_stop => 0);
$s1->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ');
my $before_idx = $s1->query_safe($by_index);
my $before_scan = $s1->query_safe($by_scan);
is($before_idx, '5000|12502500', 'standby sees every row');

$primary->safe_psql('postgres', 'DELETE FROM t WHERE id % 2 = 0');
$primary->safe_psql('postgres', 'VACUUM t');
is( $primary->safe_psql('postgres',
		'SELECT count(*) FROM timeseries_internal.deleted_row'),
	'0', 'primary: VACUUM took the deleted rows out');
$primary->wait_for_catchup($standby);
if (older_snapshot_check($s1, $before_idx, $by_index, 'index scan after VACUUM'))
{
	older_snapshot_check($s1, $before_scan, $by_scan, 'sequential scan after VACUUM');
}
eval { $s1->quit; };

# 2. pages of the replaced chunks reused by new chunks
my $s2 = $standby->background_psql('postgres', on_error_stop => 0);
$s2->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ');
my $old2 = $s2->query_safe($by_scan);
$primary->safe_psql('postgres', 'DELETE FROM t WHERE id % 3 = 0');
$primary->safe_psql('postgres', 'VACUUM t');
$primary->safe_psql('postgres', 'VACUUM timeseries_internal.chunk');
my $size = $primary->safe_psql('postgres', "SELECT pg_relation_size('t')");
$primary->safe_psql('postgres',
	"$small INSERT INTO t SELECT g, md5(g::text) FROM generate_series(10001, 11000) g");
cmp_ok($primary->safe_psql('postgres', "SELECT pg_relation_size('t')"),
	'<=', $size, 'primary: the new chunk reused freed pages');
$primary->wait_for_catchup($standby);
older_snapshot_check($s2, $old2, $by_scan, 'sequential scan after page reuse');
eval { $s2->quit; };

# new snapshots on the standby see the primary's answer
for my $q ($by_index, $by_scan)
{
	is($standby->safe_psql('postgres', $q), $primary->safe_psql('postgres', $q),
		"standby and primary agree: $q");
}
is($primary->safe_psql('postgres', 'SELECT count(*) FROM timeseries.verify(\'t\')'),
	'0', 'primary: verify() finds no problem');

for my $node ($primary, $standby)
{
	my $log = slurp_file($node->logfile);
	unlike(
		$log,
		qr/inconsistent page|PANIC|TRAP|terminated by signal|data_corrupted|is corrupted/,
		$node->name . ': no inconsistent page, corruption or crash in the log');
}

$standby->stop;
$primary->stop;
done_testing();
