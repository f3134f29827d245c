
# wal_level = minimal: a timeseries table created (or truncated) and loaded
# in the same transaction skips WAL for its new relfilenode; at commit its
# pages are either fsynced or WAL-logged depending on wal_skip_threshold.
# Either way all rows must be there after an immediate shutdown.
# shared_preload_libraries is not set.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

sub copy_data
{
	my ($from, $to) = @_;
	my $s = '';
	for my $i ($from .. $to)
	{
		$s .= sprintf("%d\tv%d\t%s\n", $i, $i, $i % 11 ? $i / 4 : '\N');
	}
	return $s . "\\.\n";
}

sub sum_ids
{
	my ($from, $to) = @_;
	return ($from + $to) * ($to - $from + 1) / 2;
}

my $node = PostgreSQL::Test::Cluster->new('minimal');
$node->init;
$node->append_conf(
	'postgresql.conf', qq(
wal_level = minimal
max_wal_senders = 0
autovacuum = off
));
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION timeseries');

my $check = 'SELECT count(*), sum(id), count(DISTINCT ctid), count(note) FROM';

# threshold 0 kB: every new relfilenode is fsynced at commit;
# threshold 1 GB: every new relfilenode is WAL-logged at commit
for my $threshold ('0', '1GB')
{
	my $set = "SET wal_skip_threshold = '$threshold';\n"
	  . "SET timeseries.chunk_rows = 300;\n";
	my $p = $threshold eq '0' ? 'f' : 'w';

	# create + COPY + INSERT in one transaction, page chunks
	$node->safe_psql('postgres',
		$set
		  . "BEGIN;\nCREATE TABLE ${p}_create (id int, tag text, note float8) USING timeseries;\n"
		  . "SET LOCAL timeseries.inline_max_bytes = 0;\n"
		  . "COPY ${p}_create FROM STDIN;\n"
		  . copy_data(1, 5000)
		  . "INSERT INTO ${p}_create SELECT g, 'i' || g, g FROM generate_series(5001, 5100) g;\n"
		  . "COMMIT;\n");

	# CREATE TABLE AS, inline chunks
	$node->safe_psql('postgres',
		$set
		  . "CREATE TABLE ${p}_ctas USING timeseries AS SELECT g AS id, 'c' || g AS tag, g::float8 AS note FROM generate_series(1, 2000) g;"
	);

	# an existing table: TRUNCATE + load in one transaction
	$node->safe_psql('postgres',
		"CREATE TABLE ${p}_trunc (id int, tag text, note float8) USING timeseries;\n"
		  . "INSERT INTO ${p}_trunc SELECT g, 'old', g FROM generate_series(100001, 100500) g;");
	$node->safe_psql('postgres',
		$set
		  . "BEGIN;\nTRUNCATE ${p}_trunc;\n"
		  . "COPY ${p}_trunc FROM STDIN;\n"
		  . copy_data(1, 3000)
		  . "COMMIT;\n");

	# created, loaded, truncated and loaded again in one transaction, with a
	# savepoint rolled back in between
	$node->safe_psql('postgres',
		$set
		  . "BEGIN;\nCREATE TABLE ${p}_multi (id int, tag text, note float8) USING timeseries;\n"
		  . "INSERT INTO ${p}_multi SELECT g, 'gone', g FROM generate_series(200001, 201000) g;\n"
		  . "TRUNCATE ${p}_multi;\n"
		  . "COPY ${p}_multi FROM STDIN;\n"
		  . copy_data(1, 1000)
		  . "SAVEPOINT s;\n"
		  . "INSERT INTO ${p}_multi SELECT g, 'gone', g FROM generate_series(300001, 300700) g;\n"
		  . "TRUNCATE ${p}_multi;\n"
		  . "ROLLBACK TO SAVEPOINT s;\n"
		  . "INSERT INTO ${p}_multi SELECT g, 'x', NULL FROM generate_series(1001, 1200) g;\n"
		  . "COMMIT;\n");

	# a rolled back create + load leaves nothing behind
	$node->safe_psql('postgres',
		$set
		  . "BEGIN;\nCREATE TABLE ${p}_rollback (id int) USING timeseries;\n"
		  . "INSERT INTO ${p}_rollback SELECT generate_series(1, 1000);\n"
		  . "ROLLBACK;\n");
}

my %expect = (
	create => [ 5100, sum_ids(1, 5100), 5100, 5100 - int(5000 / 11) ],
	ctas   => [ 2000, sum_ids(1, 2000), 2000, 2000 ],
	trunc  => [ 3000, sum_ids(1, 3000), 3000, 3000 - int(3000 / 11) ],
	multi  => [ 1200, sum_ids(1, 1200), 1200, 1000 - int(1000 / 11) ],);

sub check_all
{
	my ($label) = @_;
	for my $p ('f', 'w')
	{
		for my $t (sort keys %expect)
		{
			is($node->safe_psql('postgres', "$check ${p}_$t"),
				join('|', @{ $expect{$t} }), "$label: ${p}_$t");
		}
		is( $node->safe_psql('postgres',
				"SELECT count(*) FROM pg_class WHERE relname = '${p}_rollback'"),
			'0',
			"$label: ${p}_rollback does not exist");
	}
}

check_all('before crash');
$node->stop('immediate');
$node->start;
check_all('after crash');

# the chunk metadata has no rows for storage that died in a rollback or a
# TRUNCATE: exactly the chunks of the tables that exist
is( $node->safe_psql('postgres',
		'SELECT sum(chunk_count) = (SELECT count(*) FROM timeseries_internal.chunk), sum(row_count) FROM timeseries.tables'
	),
	't|' . 2 * (5100 + 2000 + 3000 + 1200),
	'metadata rows match the surviving tables');

# the tables keep working after recovery
for my $p ('f', 'w')
{
	$node->safe_psql('postgres',
		"SET timeseries.chunk_rows = 50; INSERT INTO ${p}_create SELECT g, 'n', g FROM generate_series(9001, 9200) g"
	);
	is( $node->safe_psql('postgres',
			"SELECT count(*), count(DISTINCT ctid) FROM ${p}_create"),
		'5300|5300',
		"${p}_create usable after crash");
}
$node->stop('immediate');
$node->start;
is( $node->safe_psql('postgres',
		'SELECT (SELECT count(*) FROM f_create), (SELECT count(*) FROM w_create)'),
	'5300|5300',
	'rows inserted after recovery survive another crash');

my $log = slurp_file($node->logfile);
unlike($log, qr/PANIC|TRAP|terminated by signal/, 'no PANIC or crash in the log');

$node->stop;
done_testing();
