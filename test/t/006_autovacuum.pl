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

$node->stop;
done_testing();
