# Differential test: the same random data in a heap table and a timeseries
# table must give the same query results (test/diff/diff.pl does the work).
#
# Environment (for longer runs by hand):
#   TS_DIFF_SEEDS       number of seeds (default 3)
#   TS_DIFF_FIRST_SEED  first seed (default 1)
#   TS_DIFF_QUERIES     generated queries per seed (default 200)
#   TS_DIFF_SCALE       multiplier for the number of loaded rows (default 0.5)
#   TS_DIFF_FILTER_QUERIES  filter cases per seed (TimeseriesScan's vectorized
#                       filters: plain, prepared generic/custom, cursors,
#                       rescans, uncommitted inserts; default 30)
#   TS_DIFF_FILTER_EXECS    parameter sets per prepared filter case (default 6)
# On a failure the load script and queries of the failing seed are kept in
# tmp_check/diff_logs/diff_seed_<seed>.sql (replayable with psql -f).
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $diff = abs_path(dirname(__FILE__) . '/../diff/diff.pl');
my $nseeds = $ENV{TS_DIFF_SEEDS} // 3;
my $first = $ENV{TS_DIFF_FIRST_SEED} // 1;
my $nqueries = $ENV{TS_DIFF_QUERIES} // 200;
my $scale = $ENV{TS_DIFF_SCALE} // 0.5;
my $nfilter = $ENV{TS_DIFF_FILTER_QUERIES} // 30;
my $logdir = "$PostgreSQL::Test::Utils::tmp_check/diff_logs";

my $node = PostgreSQL::Test::Cluster->new('diff');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
# Frequent autovacuum/autoanalyze: concurrent relcache invalidations of the
# metadata tables while the tester loads data are part of what is tested.
$node->append_conf('postgresql.conf', qq(
log_statement = none
autovacuum_naptime = 1s
autovacuum_analyze_threshold = 50
autovacuum_vacuum_threshold = 50
));
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION timeseries');

# A relcache invalidation of timeseries_internal.chunk arriving from another
# session while a transaction has rows buffered must not break its commit
# (the diff runs hit this through autoanalyze of the metadata table).
$node->safe_psql('postgres',
	'CREATE TABLE inval_t (a int) USING timeseries; INSERT INTO inval_t VALUES (0);');
my $bg = $node->background_psql('postgres', on_error_stop => 0);
# a first statement makes the session cache the metadata table's OIDs
$bg->query_safe('SELECT count(*) FROM inval_t');
$bg->query_safe('BEGIN');
$bg->query_safe('INSERT INTO inval_t VALUES (1)');
$node->safe_psql('postgres', 'ANALYZE timeseries_internal.chunk');
my ($out, $err) = $bg->query('COMMIT');
is($bg->{stderr}, '', 'commit after concurrent invalidation of the metadata table succeeds');
$bg->{stderr} = '';
$bg->query_safe('BEGIN');
$bg->query_safe('SELECT count(*) FROM inval_t');
$bg->query_safe('INSERT INTO inval_t VALUES (2)');
$node->safe_psql('postgres', 'ANALYZE timeseries_internal.chunk');
($out, $err) = $bg->query('SELECT count(*) FROM inval_t');
is($bg->{stderr}, '', 'scan after concurrent invalidation of the metadata table succeeds');
$bg->{stderr} = '';
$bg->query('COMMIT');
$bg->{stderr} = '';
$bg->quit;
is($node->safe_psql('postgres', 'SELECT array_agg(a ORDER BY a) FROM inval_t'),
	'{0,1,2}', 'rows committed around concurrent invalidations are all there');

# The tester must be able to fail: with the heap table altered after loading
# it has to report mismatches.
{
	my ($stdout, $stderr) = ('', '');
	my $ok = IPC::Run::run([ $^X, $diff, '--dbname', $node->connstr('postgres'), '--seed', 1,
		'--queries', 10, '--scale', 0.2, '--self-test' ], '>', \$stdout, '2>', \$stderr);
	ok(!$ok && $? >> 8 == 1 && $stdout =~ /^MISMATCH seed=1 /m,
		'diff.pl reports mismatches when the tables differ')
	  or diag("exit code " . ($? >> 8) . "\n$stdout\n$stderr");
}

# The differential runs, one per seed.
my ($pruned_total, $removed_total) = (0, 0);
for my $seed ($first .. $first + $nseeds - 1)
{
	my ($stdout, $stderr) = ('', '');
	my @cmd = ($^X, $diff, '--dbname', $node->connstr('postgres'), '--seed', $seed,
		'--queries', $nqueries, '--scale', $scale, '--log-dir', $logdir, '--filter-queries', $nfilter);
	my $ok = IPC::Run::run(\@cmd, '>', \$stdout, '2>', \$stderr);
	my $res = $ok ? 0 : $? >> 8;
	note $stdout;
	my ($nq, $skipped) = $stdout =~ /summary: seeds \S+, (\d+) queries .*?, (\d+) failed on both/;
	ok($res == 0 && $stderr eq '', "seed $seed: heap and timeseries results are identical")
	  or diag("diff.pl exit code $res\n$stdout\n$stderr\nload script and queries: $logdir/diff_seed_$seed.sql");
	# the generator must really run the queries, not skip them as errors
	ok(defined $nq && $nq == $nqueries && $skipped <= $nqueries / 10,
		"seed $seed: all $nqueries queries ran, few skipped as failing on both sides ("
		  . ($skipped // '?') . ")");
	# the filter cases must really run, and really take TimeseriesScan's
	# vectorized path
	my ($fc, $fx, $fboth) = $stdout =~ /^filter: (\d+) cases, (\d+) executions compared \((\d+) failed/m;
	my ($vc, $vbad, $ex, $exts, $exnone, $cread, $cpruned, $vrem) = $stdout =~
	  /^vectorized: (\d+) cases run under debug_require_vectorized, (\d+) not vectorized, .*?explain: (\d+) plans, (\d+) with TimeseriesScan, \d+ with TimeseriesAgg, (\d+) with neither, .*?analyze: (\d+) chunks read, (\d+) chunks pruned, (\d+) rows removed/m;
	ok(defined $fc && $fc == $nfilter && $fx >= $nfilter * 10 && $fboth <= $fx / 10,
		"seed $seed: all $nfilter filter cases ran ("
		  . ($fx // '?') . " executions compared, " . ($fboth // '?') . " failed on both sides)");
	ok(defined $vc && ($nfilter < 10 || ($vc > 0 && $vbad == 0 && $exts > 0 && $exnone <= $ex * 0.2)),
		"seed $seed: filter cases took the vectorized path ("
		  . ($vc // '?') . " run under debug_require_vectorized, " . ($exts // '?') . " of " . ($ex // '?')
		  . " plans with TimeseriesScan, " . ($exnone // '?') . " with no timeseries node)");
	$pruned_total += $cpruned // 0;
	$removed_total += $vrem // 0;
}
ok($nseeds * $nfilter < 30 || ($pruned_total > 0 && $removed_total > 0),
	"filter cases pruned chunks ($pruned_total) and removed rows in vectorized filters ($removed_total)");

$node->stop;
done_testing();
