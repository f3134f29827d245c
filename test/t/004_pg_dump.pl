
# pg_dump / pg_restore of a database with timeseries tables: custom, plain
# and directory formats (the latter restored with -j 2).  The restored
# tables hold identical data, are still USING timeseries, and the
# extension's internal tables are not dumped.  shared_preload_libraries is
# not set.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->append_conf('postgresql.conf', "autovacuum = off\n");
$node->start;

my $tempdir = PostgreSQL::Test::Utils::tempdir;

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql(
	'src', q{
CREATE EXTENSION timeseries;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE pair AS (x int, y text);
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE SCHEMA other;

SET timeseries.chunk_rows = 1000;

-- many types, NULLs in every column
CREATE TABLE types (
	i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric, b bool,
	t text, vc varchar(20), ch char(5), by bytea, d date, ts timestamp,
	tz timestamptz, iv interval, tm time, u uuid, j jsonb, js json,
	ia int[], ta text[], ip inet, m mood, p pair, pi posint, nm name
) USING timeseries;
INSERT INTO types
SELECT CASE WHEN g % 29 = 0 THEN NULL ELSE (g % 30000)::int2 END,
       CASE WHEN g % 23 = 0 THEN NULL ELSE g * 7919 END,
       CASE WHEN g % 19 = 0 THEN NULL ELSE g::int8 * 1000000007 END,
       CASE WHEN g % 17 = 0 THEN NULL ELSE g / 7.0::float4 END,
       CASE WHEN g % 13 = 0 THEN NULL WHEN g % 97 = 1 THEN 'NaN'
            WHEN g % 97 = 2 THEN '-Infinity' WHEN g % 97 = 3 THEN '-0'
            ELSE g / 3.0::float8 END,
       CASE WHEN g % 11 = 0 THEN NULL ELSE (g * 1.0001)::numeric(20, 6) END,
       CASE WHEN g % 7 = 0 THEN NULL ELSE g % 2 = 0 END,
       CASE WHEN g % 5 = 0 THEN NULL WHEN g % 101 = 0 THEN '' ELSE 'text ' || g || E'\ttab\nline ''q'' \\ é' END,
       CASE WHEN g % 31 = 0 THEN NULL ELSE 'vc' || g END,
       CASE WHEN g % 37 = 0 THEN NULL ELSE (g % 1000)::text END,
       CASE WHEN g % 41 = 0 THEN NULL ELSE decode(md5(g::text), 'hex') END,
       CASE WHEN g % 43 = 0 THEN NULL ELSE '2020-01-01'::date + g END,
       CASE WHEN g % 47 = 0 THEN NULL ELSE '2020-01-01'::timestamp + g * interval '1 min 1.5 s' END,
       CASE WHEN g % 53 = 0 THEN NULL ELSE '2020-01-01 00:00:00+00'::timestamptz + g * interval '37 s' END,
       CASE WHEN g % 59 = 0 THEN NULL ELSE g * interval '1 day 3 s' END,
       CASE WHEN g % 61 = 0 THEN NULL ELSE '00:00'::time + g * interval '1 s' END,
       CASE WHEN g % 67 = 0 THEN NULL ELSE md5(g::text)::uuid END,
       CASE WHEN g % 71 = 0 THEN NULL ELSE jsonb_build_object('g', g, 'a', jsonb_build_array(g, 'x')) END,
       CASE WHEN g % 73 = 0 THEN NULL ELSE json_build_object('g', g) END,
       CASE WHEN g % 79 = 0 THEN NULL ELSE ARRAY[g, NULL, -g] END,
       CASE WHEN g % 83 = 0 THEN NULL ELSE ARRAY['a' || g, NULL] END,
       CASE WHEN g % 89 = 0 THEN NULL ELSE ('10.0.' || g % 256 || '.1')::inet END,
       CASE WHEN g % 3 = 0 THEN NULL ELSE (ARRAY['sad', 'ok', 'happy'])[g % 3 + 1]::mood END,
       CASE WHEN g % 9 = 0 THEN NULL ELSE ROW(g, 'y' || g)::pair END,
       CASE WHEN g % 4 = 0 THEN NULL ELSE g END,
       CASE WHEN g % 6 = 0 THEN NULL ELSE 'n' || g END
FROM generate_series(1, 5000) g;
-- a row of only NULLs
INSERT INTO types (i4) VALUES (NULL);

-- large values, inline and in pages
CREATE TABLE large (id int, doc text, blob bytea) USING timeseries;
INSERT INTO large
SELECT g, CASE WHEN g % 4 = 0 THEN NULL ELSE repeat(md5(g::text), 50 * g) END,
       CASE WHEN g % 5 = 0 THEN NULL ELSE decode(repeat(md5((g + 1)::text), 30 * g), 'hex') END
FROM generate_series(1, 60) g;

-- page chunks only
SET timeseries.inline_max_bytes = 0;
CREATE TABLE other.metrics (at timestamptz NOT NULL, device int, value float8 DEFAULT 0) USING timeseries;
INSERT INTO other.metrics
SELECT '2024-01-01 00:00:00+00'::timestamptz + g * interval '10 s', g % 10, sin(g) FROM generate_series(1, 20000) g;
RESET timeseries.inline_max_bytes;

-- a partitioned table with timeseries partitions (and one heap partition)
CREATE TABLE part (at date NOT NULL, v int) PARTITION BY RANGE (at);
CREATE TABLE part_2023 PARTITION OF part FOR VALUES FROM ('2023-01-01') TO ('2024-01-01') USING timeseries;
CREATE TABLE part_2024 PARTITION OF part FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') USING timeseries;
CREATE TABLE part_heap PARTITION OF part DEFAULT USING heap;
INSERT INTO part SELECT '2023-06-01'::date + g % 700, g FROM generate_series(1, 3000) g;

-- an empty timeseries table and a heap table
CREATE TABLE empty_ts (a int) USING timeseries;
CREATE TABLE plain_heap (id int PRIMARY KEY, note text);
INSERT INTO plain_heap SELECT g, 'h' || g FROM generate_series(1, 100) g;

-- a table truncated in its history: only the current rows are dumped
CREATE TABLE truncated (a int) USING timeseries;
INSERT INTO truncated SELECT generate_series(1, 100);
TRUNCATE truncated;
INSERT INTO truncated SELECT generate_series(101, 150);

-- an unlogged table stays unlogged
CREATE UNLOGGED TABLE unl (t timestamptz, v int) USING timeseries;
INSERT INTO unl SELECT '2024-01-01'::timestamptz + g * interval '1 min', g FROM generate_series(1, 2000) g;
DELETE FROM unl WHERE v % 4 = 0;

-- deleted and updated rows: only the current versions are dumped
DELETE FROM other.metrics WHERE device = 3;
UPDATE other.metrics SET value = -1 WHERE device = 4;
DELETE FROM types WHERE i4 % 3 = 0;
UPDATE part SET v = -v WHERE v % 10 = 0;

-- table options travel with the dump (by table name); a dropped table's go
SELECT timeseries.set_options('other.metrics', segment_by => '{device}', order_by => 'at DESC',
	chunk_rows => 5000, compression => 'lz4', retention => '90 days');
SELECT timeseries.set_options('types', time_column => 'tz');
CREATE TABLE gone (t timestamptz) USING timeseries;
SELECT timeseries.set_options('gone', chunk_rows => 10);
DROP TABLE gone;
ANALYZE;
});

my @tables = qw(types large other.metrics part part_2023 part_2024 part_heap
  empty_ts plain_heap truncated unl);
my %ts_tables = map { $_ => 1 }
  qw(types large other.metrics part_2023 part_2024 empty_ts truncated unl);

sub table_digest
{
	my ($db, $t) = @_;
	return $node->safe_psql($db,
		"SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, E'\\n' ORDER BY x::text)), '-') FROM $t x"
	);
}

my %digest = map { $_ => table_digest('src', $_) } @tables;
my $options_query = 'SELECT * FROM timeseries.options ORDER BY table_name::text';
my $options = $node->safe_psql('src', $options_query);
like($options, qr/other\.metrics\|at\|\{device\}\|at DESC\|5000\|lz4\|90 days/,
	'source options set');
is($node->safe_psql('src', 'SELECT count(*) FROM timeseries_internal.options'), '2',
	'a dropped table has no options row');

# the source data is as loaded (guards the comparison against empty tables)
is($digest{types} =~ /^3407:/ ? 1 : 0, 1, 'source types has 3407 rows (5001 less 1594 deleted)');
is($digest{'other.metrics'} =~ /^18000:/ ? 1 : 0, 1, 'source metrics has 18000 rows (20000 less 2000 deleted)');
is($digest{part} =~ /^3000:/ ? 1 : 0, 1, 'source part has 3000 rows');
is($digest{truncated} =~ /^50:/ ? 1 : 0, 1, 'source truncated has 50 rows');

# dumps
my $custom = "$tempdir/src.dump";
my $plain  = "$tempdir/src.sql";
my $dir    = "$tempdir/src.dir";
$node->command_ok([ 'pg_dump', '-Fc', '-f', $custom, 'src' ], 'pg_dump custom');
$node->command_ok([ 'pg_dump', '-Fp', '-f', $plain, 'src' ], 'pg_dump plain');
$node->command_ok([ 'pg_dump', '-Fd', '-f', $dir, 'src' ], 'pg_dump directory');

# the plain dump creates the tables with the access method and does not
# carry the extension's internal tables
my $sql = slurp_file($plain);
like($sql, qr/SET default_table_access_method = timeseries;/,
	'plain dump sets the timeseries access method');
like($sql, qr/CREATE EXTENSION IF NOT EXISTS timeseries/,
	'plain dump creates the extension');
unlike($sql, qr/timeseries_internal\.chunk/, 'plain dump has no chunk metadata');
unlike($sql, qr/COPY timeseries_internal\.chunk/, 'plain dump copies no chunk metadata');
like($sql, qr/COPY timeseries_internal\.options/, 'plain dump copies the table options');
unlike($sql, qr/storage_id_seq/, 'plain dump has no internal sequence');

sub check_restored
{
	my ($db, $label) = @_;
	for my $t (@tables)
	{
		is(table_digest($db, $t), $digest{$t}, "$label: $t data identical");
	}
	my $am = $node->safe_psql(
		$db, q{
SELECT string_agg(c.oid::regclass::text, ',' ORDER BY c.oid::regclass::text)
FROM pg_class c JOIN pg_am a ON a.oid = c.relam
WHERE a.amname = 'timeseries' AND c.relkind = 'r'});
	is($am, join(',', sort keys %ts_tables), "$label: tables still USING timeseries");
	is($node->safe_psql($db, $options_query), $options, "$label: table options restored");
	is( $node->safe_psql($db,
			"SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = 'part_heap'::regclass"
		),
		'heap',
		"$label: heap partition still heap");
	# metadata holds exactly the restored tables' chunks
	is( $node->safe_psql($db,
			'SELECT sum(chunk_count) = (SELECT count(*) FROM timeseries_internal.chunk)
			   + (SELECT count(*) FROM timeseries_internal.unlogged_chunk), sum(row_count) FROM timeseries.tables'
		),
		't|' . eval { my $n = 0; $n += (split /:/, $digest{$_})[0] for sort keys %ts_tables; $n },
		"$label: chunk metadata matches restored rows");
	# the options are in effect for the restored rows, whichever came first:
	# chunks of chunk_rows rows, each stored device by device
	is( $node->safe_psql($db, q{
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT chunk_count FROM timeseries.table_stats('other.metrics')) = ceil(count(*) / 5000.0),
	   (SELECT count(*) FROM (SELECT device < lag(device) OVER () AS down FROM other.metrics) s WHERE down)
		< (SELECT chunk_count FROM timeseries.table_stats('other.metrics'))
  FROM other.metrics}),
		't|t',
		"$label: restored rows stored in the table's options");
	is($node->safe_psql($db, "SELECT relpersistence FROM pg_class WHERE oid = 'unl'::regclass"),
		'u', "$label: unlogged table still unlogged");
	# the restored tables keep working
	$node->safe_psql($db, 'INSERT INTO truncated VALUES (1000)');
	is($node->safe_psql($db, 'SELECT count(*), max(a) FROM truncated'),
		'51|1000', "$label: restored table accepts inserts");
}

# custom format into a fresh database
$node->safe_psql('postgres', 'CREATE DATABASE r_custom');
my ($stdout, $stderr);
my $ok = IPC::Run::run(
	[ 'pg_restore', '-d', $node->connstr('r_custom'), $custom ],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'pg_restore custom exit code 0');
is($stderr, '', 'pg_restore custom: no errors');
check_restored('r_custom', 'custom');

# directory format with two jobs
$node->safe_psql('postgres', 'CREATE DATABASE r_dir');
$ok = IPC::Run::run(
	[ 'pg_restore', '-j', '2', '-d', $node->connstr('r_dir'), $dir ],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'pg_restore -j 2 exit code 0');
is($stderr, '', 'pg_restore -j 2: no errors');
check_restored('r_dir', 'directory -j 2');

# plain format through psql
$node->safe_psql('postgres', 'CREATE DATABASE r_plain');
$ok = IPC::Run::run(
	[
		'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d',
		$node->connstr('r_plain'), '-f', $plain
	],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'psql restore of plain dump exit code 0');
is($stderr, '', 'psql restore of plain dump: no errors');
check_restored('r_plain', 'plain');

# a data-only restore into a database that already has the schema
$node->safe_psql('postgres', 'CREATE DATABASE r_split');
$ok = IPC::Run::run(
	[ 'pg_restore', '--section=pre-data', '-d', $node->connstr('r_split'), $custom ],
	'>', \$stdout, '2>', \$stderr);
ok($ok && $stderr eq '', 'pg_restore pre-data') or diag $stderr;
$ok = IPC::Run::run(
	[ 'pg_restore', '--section=data', '--section=post-data', '-d', $node->connstr('r_split'), $custom ],
	'>', \$stdout, '2>', \$stderr);
ok($ok && $stderr eq '', 'pg_restore data and post-data') or diag $stderr;
check_restored('r_split', 'split sections');

$node->stop;
done_testing();
