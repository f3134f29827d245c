# Inserts into a timeseries table must trigger autovacuum and autoanalyze
# (the access method counts them with pgstat), and both must leave exact
# statistics in pg_class.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('autovacuum');
$node->init;
$node->append_conf('postgresql.conf', qq{
autovacuum_naptime = 1s
autovacuum_vacuum_insert_threshold = 100
autovacuum_analyze_threshold = 100
});
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION timeseries;
CREATE TABLE t (ts timestamptz, v float8) USING timeseries;
INSERT INTO t SELECT timestamptz '2024-01-01' + i * interval '1 s', i FROM generate_series(1, 20000) i;
});

ok($node->poll_query_until('postgres',
	q{SELECT last_autoanalyze IS NOT NULL AND last_autovacuum IS NOT NULL
	    FROM pg_stat_user_tables WHERE relname = 't'}),
	'autovacuum and autoanalyze ran after inserts');

is($node->safe_psql('postgres', q{SELECT reltuples FROM pg_class WHERE relname = 't'}),
	'20000', 'reltuples is exact');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_stats WHERE tablename = 't'}),
	'2', 'column statistics were collected');
is($node->safe_psql('postgres', q{SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = 't'}),
	'20000', 'live tuple count reported');

# A table of more than 10,000 chunks (one per single-row transaction): the
# planner's estimate no longer reads every chunk's metadata row, and must
# still be within 10% of the real count.
$node->safe_psql('postgres', q{
CREATE TABLE many (v int) USING timeseries;
SELECT format('INSERT INTO many VALUES (%s)', i) FROM generate_series(1, 12000) i \gexec
});
is($node->safe_psql('postgres', q{SELECT chunk_count FROM timeseries.table_stats('many')}),
	'12000', 'one chunk per transaction');
# the cumulative statistics may take a moment to show the inserts
my $estimate = 0;
for (my $i = 0; $i < 120; $i++)
{
	my $plan = $node->safe_psql('postgres', 'EXPLAIN SELECT * FROM many');
	($estimate) = $plan =~ /rows=(\d+)/;
	last if abs($estimate - 12000) <= 1200;
	sleep(0.5);
}
ok(abs($estimate - 12000) <= 1200,
	"planner estimate within 10% on a table of 12,000 chunks (got $estimate)");

$node->stop;
done_testing();
