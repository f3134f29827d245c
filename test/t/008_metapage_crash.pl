
# A crash after the first insert into an existing, empty timeseries table
# created its metapage but before that WAL record reached disk leaves block 0
# as an all-zero page (the relation extension is not undone).  Heap treats
# such pages as empty; the table must keep working after recovery: reads,
# writes, TRUNCATE and DROP.  wal_writer_delay is raised so that nothing
# flushes the metapage's WAL record before the immediate shutdown.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('metacrash');
$node->init;
$node->append_conf(
	'postgresql.conf', qq(
wal_writer_delay = 10000ms
autovacuum = off
));
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION timeseries');
$node->safe_psql('postgres',
	'CREATE TABLE t (a int) USING timeseries; CREATE TABLE u (a int) USING timeseries');
$node->safe_psql('postgres', 'CHECKPOINT');

# first insert (creates the metapage), left uncommitted
my $open = $node->background_psql('postgres');
$open->query_safe('BEGIN');
$open->query_safe('INSERT INTO t VALUES (1)');
$open->query_safe('INSERT INTO u VALUES (1)');

$node->stop('immediate');
eval { $open->{run}->kill_kill; };
$node->start;

my ($ret, $out, $err) =
  $node->psql('postgres', 'SELECT count(*) FROM t');
is($ret, 0, 'table readable after crash') or diag($err);
is($out, '0', 'uncommitted row is gone');

($ret, $out, $err) = $node->psql('postgres',
	'INSERT INTO t VALUES (2); SELECT count(*), sum(a) FROM t');
is($ret, 0, 'table writable after crash') or diag($err);
is($out, '1|2', 'new row after crash');

($ret, $out, $err) = $node->psql('postgres', 'TRUNCATE t');
is($ret, 0, 'TRUNCATE after crash') or diag($err);

($ret, $out, $err) = $node->psql('postgres', 'DROP TABLE u');
is($ret, 0, 'DROP TABLE after crash') or diag($err);

$node->stop;
done_testing();
