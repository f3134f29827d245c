# A client that disconnects in the middle of a transaction (or of a COPY)
# leaves exactly the committed rows, even when its rows were already written
# as chunks before it went away.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('disconnect');
$node->init;
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION timeseries;
CREATE TABLE t (id int, payload text) USING timeseries;
INSERT INTO t SELECT i, 'committed' FROM generate_series(1, 1000) i;
});

sub backends_of_app
{
	my ($app) = @_;
	return $node->safe_psql('postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE application_name = '$app'");
}

# 1. open transaction with buffered rows and rows already flushed as chunks
my $s1 = $node->background_psql('postgres', on_error_stop => 1,
	extra_params => [ '-v', 'ON_ERROR_STOP=1' ]);
$s1->query_safe(q{SET application_name = 'victim1'});
$s1->query_safe(q{SET timeseries.chunk_rows = 100});
$s1->query_safe(q{BEGIN});
$s1->query_safe(q{INSERT INTO t SELECT i, 'uncommitted' FROM generate_series(1, 5050) i});
is(backends_of_app('victim1'), '1', 'victim session is connected');
$s1->{run}->kill_kill;
ok($node->poll_query_until('postgres',
		q{SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'victim1'}),
	'backend of the killed client exited');
is($node->safe_psql('postgres', q{SELECT count(*), count(*) FILTER (WHERE payload = 'uncommitted') FROM t}),
	'1000|0', 'only committed rows after a disconnect mid-transaction');

# 2. disconnect in the middle of COPY FROM STDIN
my $stdin = '';
my $stdout = '';
my $h = IPC::Run::start(
	[ 'psql', '-X', '-d', $node->connstr('postgres') . ' application_name=victim2',
	  '-c', 'COPY t FROM STDIN' ],
	'<', \$stdin, '>', \$stdout, '2>', \$stdout);
$stdin .= join('', map { "$_\tpartial copy\n" } 1 .. 20000);
$h->pump_nb for 1 .. 20;
ok($node->poll_query_until('postgres',
		q{SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'victim2' AND query LIKE 'COPY%'}),
	'COPY is running');
$h->kill_kill;
ok($node->poll_query_until('postgres',
		q{SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'victim2'}),
	'backend of the killed COPY client exited');
is($node->safe_psql('postgres', q{SELECT count(*), count(*) FILTER (WHERE payload = 'partial copy') FROM t}),
	'1000|0', 'only committed rows after a disconnect mid-COPY');

# 3. the table is still fine to write and read, with unique row ids
$node->safe_psql('postgres', q{INSERT INTO t SELECT i, 'after' FROM generate_series(1, 500) i});
is($node->safe_psql('postgres', q{SELECT count(*), count(DISTINCT ctid) FROM t}),
	'1500|1500', 'table usable after the disconnects');

$node->stop;
done_testing();
