
# The extension also works when the library is preloaded through
# shared_preload_libraries: settings are known at startup, tables can be
# created, loaded, read, vacuumed, truncated and dropped, and it survives a
# restart and a crash.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('preload');
$node->init;
$node->append_conf(
	'postgresql.conf', qq(
shared_preload_libraries = 'timeseries'
timeseries.chunk_rows = 500
));
$node->start;

is($node->safe_psql('postgres', 'SHOW timeseries.chunk_rows'),
	'500', 'setting from postgresql.conf is known with the library preloaded');
is( $node->safe_psql('postgres',
		"SELECT count(*) FROM pg_settings WHERE name LIKE 'timeseries.%'"),
	'9', 'all settings registered before CREATE EXTENSION');

$node->safe_psql('postgres', 'CREATE EXTENSION timeseries');
$node->safe_psql(
	'postgres', q{
CREATE TABLE m (at timestamptz, device int, value float8) USING timeseries;
INSERT INTO m SELECT '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 s', g % 10, g / 2.0
FROM generate_series(1, 10000) g;
BEGIN;
INSERT INTO m VALUES (now(), -1, -1);
ROLLBACK;
SET timeseries.inline_max_bytes = 0;
INSERT INTO m SELECT now(), 99, 1 FROM generate_series(1, 1000);
});

is( $node->safe_psql('postgres',
		'SELECT count(*), sum(value), count(DISTINCT device) FROM m'),
	'11000|25003500|11',
	'insert and select with the library preloaded');
is( $node->safe_psql('postgres',
		"SELECT row_count, chunk_count FROM timeseries.table_stats('m')"),
	'11000|22',
	'chunk_rows from postgresql.conf is used');
is( $node->safe_psql('postgres',
		'SELECT device, count(*) FROM m WHERE device IN (3, 99) GROUP BY device ORDER BY device'),
	"3|1000\n99|1000",
	'filtered aggregate');

$node->safe_psql('postgres', 'VACUUM ANALYZE m');
is($node->safe_psql('postgres', "SELECT reltuples FROM pg_class WHERE relname = 'm'"),
	'11000', 'VACUUM ANALYZE counts the rows');

$node->restart;
is($node->safe_psql('postgres', 'SELECT count(*), sum(value) FROM m'),
	'11000|25003500', 'rows after restart');
$node->stop('immediate');
$node->start;
is($node->safe_psql('postgres', 'SELECT count(*), sum(value) FROM m'),
	'11000|25003500', 'rows after crash');

$node->safe_psql('postgres', 'TRUNCATE m');
is($node->safe_psql('postgres', 'SELECT count(*) FROM m'), '0', 'TRUNCATE');
$node->safe_psql('postgres', 'INSERT INTO m VALUES (now(), 1, 1)');
is($node->safe_psql('postgres', 'SELECT count(*) FROM m'), '1', 'insert after TRUNCATE');

$node->safe_psql('postgres', 'DROP TABLE m');
is($node->safe_psql('postgres', 'SELECT count(*) FROM timeseries_internal.chunk'),
	'0', 'DROP TABLE removes its chunk metadata');

$node->safe_psql('postgres', 'DROP EXTENSION timeseries');
is( $node->safe_psql('postgres',
		"SELECT count(*) FROM pg_am WHERE amname = 'timeseries'"),
	'0', 'DROP EXTENSION removes the access method');
# and the extension can come back
$node->safe_psql('postgres',
	'CREATE EXTENSION timeseries; CREATE TABLE n (a int) USING timeseries; INSERT INTO n VALUES (1), (2);'
);
is($node->safe_psql('postgres', 'SELECT sum(a) FROM n'), '3', 'extension recreated');

my $log = slurp_file($node->logfile);
unlike($log, qr/PANIC|TRAP|terminated by signal/, 'no PANIC or crash in the log');

$node->stop;
done_testing();
