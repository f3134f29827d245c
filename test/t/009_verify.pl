
# timeseries.verify() and queries on a chunk damaged on disk (with the server
# stopped): verify reports the damaged chunk as a row and goes on with the
# others, queries that read it fail with data_corrupted (XX001), the server
# does not crash, and the other chunks still read.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('verify');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION timeseries');
$node->safe_psql('postgres', q{
SET timeseries.chunk_rows = 5000;
SET timeseries.inline_max_bytes = 0;
CREATE TABLE vt (id int, v float8, s text) USING timeseries;
INSERT INTO vt SELECT g, g * 1.5, md5(g::text) FROM generate_series(1, 20000) g;
});
is($node->safe_psql('postgres', 'SELECT count(*) FROM timeseries.verify(\'vt\')'),
	'0', 'a healthy table reports nothing');
my $first_block = $node->safe_psql('postgres', q{
SELECT min(first_block) FROM timeseries_internal.chunk c
 WHERE first_block > 0 AND row_count = 5000});
my $path = $node->data_dir . '/' . $node->safe_psql('postgres', "SELECT pg_relation_filepath('vt')");
$node->safe_psql('postgres', 'CHECKPOINT');
$node->stop;

# damage the middle of the first page of the first chunk's extent
open(my $fh, '+<', $path) or die "$path: $!";
binmode $fh;
seek($fh, $first_block * 8192 + 2000, 0) or die;
print $fh ("\xde\xad\xbe\xef" x 16);
close($fh);
$node->start;

my $problems = $node->safe_psql('postgres',
	'SELECT first_row, problem FROM timeseries.verify(\'vt\')');
my @rows = split /\n/, $problems;
is(scalar @rows, 1, 'verify reports one damaged chunk');
like($problems, qr/corrupt|checksum/i, 'the problem names the damage')
  or diag($problems);

my ($ret, $out, $err) = $node->psql('postgres', 'SELECT sum(id), sum(v), sum(length(s)) FROM vt',
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
isnt($ret, 0, 'a query reading the damaged chunk fails');
like($err, qr/XX001/, 'with data_corrupted');
is($node->safe_psql('postgres', 'SELECT count(*) FROM vt WHERE id > 5000'),
	'15000', 'the other chunks still read (pruned around the damaged one)');
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server is up');

my $log = slurp_file($node->logfile);
unlike($log, qr/PANIC|TRAP|terminated by signal/, 'no crash in the log');
$node->stop;
done_testing();
