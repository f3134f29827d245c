#!/usr/bin/perl
#
# diff.pl -- differential tester: heap table vs timeseries table.
#
# For each seed it creates twin_heap (heap) and twin_ts (USING timeseries)
# with the same schema, loads the same pseudo-random rows into both through
# varied paths (multi-row INSERT, INSERT ... SELECT, COPY text/csv, single-row
# transactions, rolled back transactions and savepoints, self-inserts) with
# randomized timeseries.chunk_rows / vector_rows / inline_max_bytes /
# compression per phase, with random DELETE / UPDATE / MERGE phases in
# between (--no-modify leaves them out), then runs generated queries on both and compares
# the results.  Then come the "filter cases" (see the section of that name):
# random WHERE clauses aimed at TimeseriesScan's vectorized filters and chunk
# pruning, each run plain, PREPAREd under generic and custom plans, with the
# custom scan on and off, through cursors, in rescans and after uncommitted
# inserts, some against a partitioned copy (twin_pts).  Any difference is
# reported with the seed, the query and a diff, and makes the script exit 1.
#
# Usage (needs only psql and IPC::Run, no DBI):
#   perl test/diff/diff.pl [--dbname CONNSTR] [--seeds N] [--first-seed S]
#        [--seed S]... [--queries N] [--filter-queries N] [--filter-execs N]
#        [--log-dir DIR] [--keep] [--verbose] [--stop-after N] [--psql PATH]
#        [--scale F] [--self-test] [--shapes NAME,...] [--no-modify]
# --self-test changes the heap table after loading, so the run must report
# mismatches (checks that the tester can fail).
# Defaults come from the environment: TS_DIFF_SEEDS (number of seeds, 1),
# TS_DIFF_FIRST_SEED (1), TS_DIFF_QUERIES (200 per seed),
# TS_DIFF_FILTER_QUERIES (filter cases per seed, 100), TS_DIFF_FILTER_EXECS
# (parameter sets per prepared filter case, 6), PGDATABASE etc.
# The database must allow CREATE EXTENSION timeseries (or already have it).
# Runs must not share a database: the tables have fixed names.
#
# Extending it:
# - a new column: add it to @COLUMNS (type, kind, value generators); the
#   predicate and projection generators pick it up from its kind.
# - a new query shape: write a gen_q_* sub returning a query (see gen_query)
#   and add it to the @SHAPES table with a weight.
# - a new load path: add a method to load_phase().
# - a new filter case form: an entry of %FORMS / @FORM_W (see there).
# Query text uses %A% for "the table under test" and %B% for "the other side
# of a join" (twin_heap/twin_heap for the reference run, twin_ts/(twin_ts or
# twin_heap) for the tested run).
#
# Determinism rules the generators follow (so that any difference is a bug):
# - rows are compared as sorted multisets unless the query's ORDER BY fixes
#   the order completely (ORDER BY keys, then id; ties then only between
#   identical rows);
# - values that compare equal but print differently (numeric 1.5 / 1.50,
#   float -0 / 0, interval 1 day / 24 hours) are never grouped/DISTINCTed on
#   directly, and min/max results over them are normalized before comparing;
# - float sums/averages depend on the accumulation order, so they are
#   compared with a small relative tolerance;
# - string_agg/array_agg always carry an ORDER BY.
#
use strict;
use warnings;
use Getopt::Long;
use IPC::Run qw(start pump finish timeout);
use POSIX qw(floor strftime);
use File::Path qw(make_path);
use Time::HiRes qw(time);

my %opt = (
	dbname => undef,
	seeds => $ENV{TS_DIFF_SEEDS} // 1,
	first_seed => $ENV{TS_DIFF_FIRST_SEED} // 1,
	queries => $ENV{TS_DIFF_QUERIES} // 200,
	psql => $ENV{TS_DIFF_PSQL} // 'psql',
	log_dir => $ENV{TS_DIFF_LOG_DIR},
	keep => 0,
	verbose => 0,
	stop_after => 5,
	scale => $ENV{TS_DIFF_SCALE} // 1.0,
	filter_queries => $ENV{TS_DIFF_FILTER_QUERIES} // 100,
	filter_execs => $ENV{TS_DIFF_FILTER_EXECS} // 6,
);
my @seed_list;
GetOptions(
	'dbname|d=s' => \$opt{dbname},
	'seeds=i' => \$opt{seeds},
	'first-seed=i' => \$opt{first_seed},
	'seed=i' => \@seed_list,
	'queries=i' => \$opt{queries},
	'psql=s' => \$opt{psql},
	'log-dir=s' => \$opt{log_dir},
	'keep!' => \$opt{keep},
	'verbose|v+' => \$opt{verbose},
	'stop-after=i' => \$opt{stop_after},
	'self-test' => \$opt{self_test},
	'scale=f' => \$opt{scale},
	'filter-queries=i' => \$opt{filter_queries},
	'filter-execs=i' => \$opt{filter_execs},
	'shapes=s' => \$opt{shapes},
	'no-modify' => \$opt{no_modify},
) or die "bad options\n";
@seed_list = map { $opt{first_seed} + $_ } 0 .. $opt{seeds} - 1
  unless @seed_list;

binmode STDOUT;
binmode STDERR;
$| = 1;

###########################################################################
# psql session
###########################################################################

my ($ps_in, $ps_out, $ps_err, $ps_h, $ps_timer, $ps_n) = ('', '', '', undef, undef, 0);
my $LOG;    # load/query log of the current seed (replayable with psql)
my $PS_FILE = ($ENV{TMPDIR} // '/tmp') . "/ts_diff_$$.sql";    # large psql inputs
END { unlink $PS_FILE if defined $PS_FILE }

sub ps_start
{
	my @cmd = ($opt{psql}, '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=0');
	push @cmd, '-d', $opt{dbname} if defined $opt{dbname};
	$ps_timer = timeout(600);
	$ps_h = start(\@cmd, '<', \$ps_in, '>', \$ps_out, '2>', \$ps_err, $ps_timer);
	ps_run("\\pset fieldsep '\\x1f'\n\\pset recordsep '\\x1e'\n\\pset null '<NULL>'\n"
		  . "SET client_min_messages = warning;\n");
}

sub ps_stop
{
	return unless $ps_h;
	$ps_in .= "\\q\n";
	finish $ps_h;
	$ps_h = undef;
}

# Run a chunk of psql input; returns (stdout, stderr).  Every statement in
# $sql must be complete (end with ;).
sub ps_run
{
	my ($sql) = @_;
	$ps_n++;
	my $mark = "__diff_mark_${ps_n}__";
	$ps_out = '';
	$ps_err = '';
	$sql .= "\n" unless $sql =~ /\n\z/;
	print $LOG $sql if $LOG;
	if (length($sql) > 65536)
	{
		# large inputs go through a file: IPC::Run's writes to the pipe can
		# fail with EAGAIN (COPY FROM STDIN reads from the file too)
		open(my $fh, '>', $PS_FILE) or die "$PS_FILE: $!";
		binmode $fh;
		print $fh $sql;
		close $fh or die "$PS_FILE: $!";
		$sql = "\\i $PS_FILE\n";
	}
	$ps_in .= $sql . "\\echo $mark\n\\warn $mark\n";
	$ps_timer->start(600);
	my $tail = "$mark\n";
	my $tl = length($tail);
	my $done = sub {
		my ($s) = @_;
		return length($s) >= $tl && substr($s, -$tl) eq $tail
		  && (length($s) == $tl || substr($s, -$tl - 1, 1) eq "\n");
	};
	my $retries = 0;
	while (!eval { pump $ps_h until $done->($ps_out) && $done->($ps_err); 1 })
	{
		# a write to psql's stdin that would block: try again
		last unless $@ =~ /Resource temporarily unavailable/ && ++$retries < 1000;
		select(undef, undef, undef, 0.01);
	}
	if ($@)
	{
		my $e = $@;
		my $s = length($sql) > 3000 ? substr($sql, 0, 3000) . "\n..." : $sql;
		print "FAILURE: psql session died (server crash?) while running:\n$s\n"
		  . "stderr: $ps_err\nerror: $e\n";
		die "psql session died\n";
	}
	(my $out = $ps_out) =~ s/\Q$mark\E\n\z//;
	(my $err = $ps_err) =~ s/\Q$mark\E\n\z//;
	return ($out, $err);
}

# Run statements that must succeed.
sub ps_do
{
	my ($sql) = @_;
	my ($out, $err) = ps_run($sql);
	if ($err ne '')
	{
		my $s = length($sql) > 3000 ? substr($sql, 0, 3000) . "\n... (see --log-dir for the full script)" : $sql;
		die "unexpected error running:\n$s\n--\n$err";
	}
	return $out;
}

sub parse_rows
{
	my ($out) = @_;
	return [] if $out eq '';    # no rows print nothing; one row at least a newline
	$out =~ s/\n\z//;
	return [''] if $out eq '';  # one row of one empty string (split would return none)
	return [ split /\x1e/, $out, -1 ];    # rows, fields still joined by \x1f
}

###########################################################################
# random helpers (Perl's rand is drand48: same sequence everywhere)
###########################################################################

# Columns added later (aux => 1 in @COLUMNS) draw their data from a second
# generator, so that the other columns' data and the load phases of a seed
# stay what they were before those columns existed.
our $RNG;        # when set, the helpers below draw from it instead of rand()
my $PM_STATE = 1;

sub R { $RNG ? $RNG->() : rand() }

sub pm_rand    # Park-Miller (exact in doubles)
{
	$PM_STATE = ($PM_STATE * 48271) % 2147483647;
	return ($PM_STATE - 1) / 2147483646;
}

sub rnd { int(R() * $_[0]) }
sub pick { $_[ rnd(scalar @_) ] }
sub chance { R() < $_[0] }
sub between { my ($lo, $hi) = @_; $lo + rnd($hi - $lo + 1) }

sub wpick
{
	my @pairs = @_;
	my $tot = 0;
	for (my $i = 1; $i < @pairs; $i += 2) { $tot += $pairs[$i] }
	my $r = R() * $tot;
	for (my $i = 0; $i < @pairs; $i += 2)
	{
		return $pairs[$i] if ($r -= $pairs[ $i + 1 ]) < 0;
	}
	return $pairs[-2];
}

sub q_lit { my ($v) = @_; $v =~ s/'/''/g; "'$v'" }

###########################################################################
# columns
###########################################################################

my $T0 = 1704067200;    # 2024-01-01 00:00:00 UTC
# "now", rounded to the hour: column tr holds times of the last weeks before
# it, for filters like tr > now() - interval '3 days' (so those rows, unlike
# all others, depend on the day of the run; the logs hold the literal data)
my $NOW = int(time() / 3600) * 3600;

sub fmt_ts
{
	my ($us) = @_;
	my $s = floor($us / 1e6);
	my $f = $us - $s * 1e6;
	return strftime('%Y-%m-%d %H:%M:%S', gmtime($s)) . sprintf('.%06d+00', $f);
}

sub fmt_date { strftime('%Y-%m-%d', gmtime($_[0] * 86400)) }

my @ALPHA = ('a' .. 'z', 'A', 'B', 'Z', '0' .. '9', ' ', ' ', "'", '"', '\\',
	',', ';', "\t", "\n", "\r", '%', '_', '.', '|', '{', '}',
	"\xc3\xa9", "\xe2\x82\xac", "\xe6\x97\xa5", "\xf0\x9f\x98\x80");

sub rand_str
{
	my ($len, @alpha) = @_;
	@alpha = @ALPHA unless @alpha;
	my $s = join '', map { $alpha[ rnd(scalar @alpha) ] } 1 .. $len;
	$s =~ s/\\\./\\_/g;    # never a "\." (end of COPY data)
	return $s;
}

my @LOWCARD = ('alpha', 'beta', 'gamma', 'delta', 'epsilon', '', 'x',
	"\xc3\x9cmlaut", 'a%b', 'under_score', 'Alpha');

sub rand_float
{
	my $r = rand();
	return pick('NaN', 'Infinity', '-Infinity', '-0', '0', '5e-324',
		'2.2250738585072014e-308', '1e-300', '123456789012345680', '0.1', '-0.5') if $r < 0.08;
	return sprintf('%.17g', (rand() - 0.5) * 2e4) if $r < 0.45;
	return sprintf('%.6g', (rand() - 0.5) * 200) if $r < 0.6;
	return (rnd(200001) - 100000) / 16;
}

sub rand_float4
{
	my $r = rand();
	return pick('NaN', 'Infinity', '-Infinity', '-0', '0', '1.17549435e-38',
		'3.4028235e+38', '1e-45') if $r < 0.06;
	return sprintf('%.7g', (rand() - 0.5) * 2000) if $r < 0.35;
	return (rnd(401) - 200) / 2;
}

sub rand_numeric
{
	my $r = rand();
	return pick('NaN', 'Infinity', '-Infinity', '0', '-0.00', '0.000',
		'123456789012345678901234567890.123456789',
		'-0.000000000000000000000000000001', '1e100', '99999999999999999999')
	  if $r < 0.07;
	my $scale = rnd(7);
	my $mag = pick(1, 10, 1000, 1e6, 1e12);
	return sprintf('%.*f', $scale, (rand() - 0.5) * 2 * $mag);
}

sub rand_json
{
	my $k = rnd(12);
	my $s = rand_str(rnd(6), 'a' .. 'f', ' ', "\xc3\xa9");
	return pick(
		qq({"k": $k, "s": "$s"}),
		qq({"k": $k, "s": "$s", "a": [1, 2, "x", null]}),
		qq({"k": null, "o": {"p": [{"q": $k}], "r": true}}),
		qq({"s": "$s", "n": 1.5, "m": -20000000000}),
		qq([$k, 2, 3]), qq("$s"), qq($k), '1.25', 'true', 'null', '{}', '[]',
		qq({"k": $k}));
}

sub rand_intarr
{
	my $r = rand();
	return pick('{}', '{NULL}', '{1,NULL,3}', '{{1,2},{3,4}}', '{-2147483648,2147483647}')
	  if $r < 0.15;
	return '{' . join(',', map { rnd(10) } 1 .. between(1, 5)) . '}';
}

sub rand_uuid
{
	return sprintf('%08x-%04x-%04x-%04x-%04x%08x', rnd(2**32), rnd(65536),
		rnd(65536), rnd(65536), rnd(65536), rnd(2**32));
}

sub rand_bytea
{
	return '\\x' . join('', map { sprintf '%02x', rnd(256) } 1 .. rnd(12)) if chance(0.9);
	return '\\x' . ('00ff' x between(100, 2000));
}

sub rand_interval
{
	return pick('0', '00:00:00.000001', '1 day', '24:00:00', '1 mon', '30 days',
		'-1 year -2 mons', '10000 hours', '-00:00:01')
	  if chance(0.15);
	return sprintf('%d days %02d:%02d:%02d.%03d', rnd(100) - 50, rnd(24), rnd(60),
		rnd(60), rnd(1000)) if chance(0.5);
	return sprintf('%d mons %d:%02d:00', rnd(30), rnd(48), rnd(60));
}

# Per-seed generator state (time cursor etc.)
my %GS;

# kind: int, float, num, ts, date, text, bool, json, intarr, uuid, bytea, interval
# canon: equal values always print the same (may be grouped on directly);
# gkey: canonical expression to group on otherwise.
# mm: normalization of min()/max() results over the column.
my @COLUMNS = (
	{ name => 'id', type => 'int8', kind => 'int', canon => 1, mm => 'x' },
	{ name => 't', type => 'timestamptz', kind => 'ts', canon => 1, mm => 'x',
	  rand => sub {
		  return pick('infinity', '-infinity', '1900-01-01 00:00:00+00',
			  '2200-12-31 23:59:59.999999+00', '2000-02-29 12:00:00+00') if chance(0.01);
		  my $r = rand();
		  if ($r < 0.15) { }                                          # duplicate
		  elsif ($r < 0.25) { $GS{t} -= rnd(3600e6) }               # out of order
		  elsif ($r < 0.27) { $GS{t} += rnd(86400e6) * 30 }        # big gap
		  else { $GS{t} += rnd(10e6) }
		  return fmt_ts($GS{t});
	  },
	  seq => sub { $GS{t} += 1e6; fmt_ts($GS{t}) } },
	{ name => 'i2', type => 'int2', kind => 'int', canon => 1, mm => 'x',
	  rand => sub { chance(0.05) ? pick(-32768, 32767, 0, -1) : rnd(200) - 100 },
	  seq => sub { $GS{i2} = ($GS{i2} // -32768) + 1; $GS{i2} = -32768 if $GS{i2} > 32767; $GS{i2} } },
	{ name => 'i4', type => 'int4', kind => 'int', canon => 1, mm => 'x',
	  rand => sub {
		  chance(0.04) ? pick(-2147483648, 2147483647, 0, -1, 1)
			: chance(0.1) ? rnd(2**32) - 2**31 : rnd(2001) - 1000;
	  },
	  seq => sub { $GS{i4} += pick(1, 1, 1, 2, 0, -1); $GS{i4} } },
	{ name => 'i8', type => 'int8', kind => 'int', canon => 1, mm => 'x',
	  rand => sub {
		  chance(0.03) ? pick('-9223372036854775808', '9223372036854775807', '0', '-1', '4294967296')
			: chance(0.3) ? rnd(2**52) * pick(1, -1) : rnd(100000);
	  },
	  seq => sub { $GS{i8} += pick(1000, 1000, 1000, 999, 1001); $GS{i8} } },
	{ name => 'f4', type => 'float4', kind => 'float', canon => 0, mm => 'fz',
	  gkey => '(f4 + 0)', rand => \&rand_float4,
	  seq => sub { $GS{f4} += 0.5; $GS{f4} } },
	{ name => 'f8', type => 'float8', kind => 'float', canon => 0, mm => 'fz',
	  gkey => '(f8 + 0)', rand => \&rand_float,
	  seq => sub { $GS{f8} += 0.25; $GS{f8} } },
	# extreme floats: never summed (sums would overflow depending on order)
	{ name => 'fx', type => 'float8', kind => 'float', canon => 0, mm => 'fz',
	  gkey => '(fx + 0)',
	  rand => sub {
		  chance(0.5) ? pick('NaN', 'Infinity', '-Infinity', '-0', '0', '5e-324', '-5e-324',
			  '2.2250738585072014e-308', '1e-300', '1e300', '-1e300', '1.7976931348623157e308',
			  '-1.7976931348623157e308', '4.9406564584124654e-324', '0.1', '1e16', '9007199254740993')
			: sprintf('%.17g', (rand() - 0.5) * 10**(rnd(600) - 300));
	  } },
	# moderate floats (within +-1e100, no NaN or infinity): avg skips Sxx
	{ name => 'fm', type => 'float8', kind => 'float', canon => 0, mm => 'fz',
	  gkey => '(fm + 0)',
	  rand => sub { chance(0.3) ? sprintf('%.17g', (rand() - 0.5) * 1e99) : sprintf('%.6g', (rand() - 0.5) * 2e6) },
	  seq => sub { $GS{fm} += 0.5; $GS{fm} } },
	{ name => 'n', type => 'numeric', kind => 'num', canon => 0, mm => 'num',
	  gkey => 'round(n, 2)', rand => \&rand_numeric,
	  seq => sub { $GS{n} += 1; sprintf('%d.%02d', $GS{n}, $GS{n} % 100) } },
	{ name => 'tl', type => 'text', kind => 'text', canon => 1, mm => 'x',
	  rand => sub { pick(@LOWCARD) } },
	{ name => 'th', type => 'text', kind => 'text', canon => 1, mm => 'x',
	  rand => sub {
		  my $r = rand();
		  return rand_str(between(500, 3000)) if $r < 0.01;    # incompressible-ish
		  if ($r < 0.02) { my $s = ('long text ' . rnd(5) . ' ') x between(100, 800); return $s }
		  return rand_str(rnd(30));
	  },
	  seq => sub { $GS{th}++; sprintf('item-%06d', $GS{th}) } },
	{ name => 'b', type => 'bool', kind => 'bool', canon => 1, mm => 'x',
	  rand => sub { pick('t', 'f') } },
	{ name => 'd', type => 'date', kind => 'date', canon => 1, mm => 'x',
	  rand => sub {
		  chance(0.02) ? pick('infinity', '-infinity', '0001-01-01', '1000-06-15', '2999-12-31')
			: fmt_date(18262 + rnd(2000));
	  },
	  seq => sub { $GS{d}++; fmt_date($GS{d}) } },
	# recent times (the weeks before $NOW), for filters against now()
	{ name => 'tr', type => 'timestamptz', kind => 'ts', canon => 1, mm => 'x', aux => 1,
	  rand => sub {
		  return pick('infinity', '-infinity') if chance(0.005);
		  my $r = R();
		  if ($r < 0.1) { }
		  elsif ($r < 0.2) { $GS{tr} -= rnd(7200e6) }
		  else { $GS{tr} += rnd(900e6) }
		  return fmt_ts($GS{tr});
	  },
	  seq => sub { $GS{tr} += 60e6; fmt_ts($GS{tr}) } },
	{ name => 'tw', type => 'timestamp', kind => 'ts', canon => 1, mm => 'x', aux => 1,
	  rand => sub {
		  return pick('infinity', '-infinity', '1999-12-31 23:59:59.999999') if chance(0.01);
		  $GS{tw} += chance(0.1) ? -rnd(600e6) : rnd(60e6);
		  return fmt_ts($GS{tw});
	  },
	  seq => sub { $GS{tw} += 10e6; fmt_ts($GS{tw}) } },
	{ name => 'tm', type => 'time', kind => 'time', canon => 1, mm => 'x', aux => 1,
	  rand => sub {
		  return pick('00:00:00', '24:00:00', '12:00:00', '23:59:59.999999') if chance(0.05);
		  return sprintf('%02d:%02d:%02d.%06d', rnd(24), rnd(60), rnd(60), chance(0.5) ? 0 : rnd(1e6));
	  },
	  seq => sub { $GS{tm} = (($GS{tm} // 0) + 1) % 86400;
		  sprintf('%02d:%02d:%02d', $GS{tm} / 3600, ($GS{tm} / 60) % 60, $GS{tm} % 60) } },
	{ name => 'vc', type => 'varchar(20)', kind => 'text', canon => 1, mm => 'x', aux => 1,
	  rand => sub { chance(0.5) ? pick(@LOWCARD, 'ALPHA', 'BETA', "\xc3\xbcmlaut") : rand_str(rnd(15)) },
	  seq => sub { $GS{vc}++; sprintf('v%06d', $GS{vc}) } },
	{ name => 'j', type => 'jsonb', kind => 'json', canon => 1, mm => 'x',
	  rand => \&rand_json },
	{ name => 'ia', type => 'int4[]', kind => 'intarr', canon => 1, mm => 'x',
	  rand => \&rand_intarr },
	{ name => 'u', type => 'uuid', kind => 'uuid', canon => 1, mm => 'x',
	  rand => sub { chance(0.5) ? $GS{uuids}[ rnd(8) ] : rand_uuid() } },
	{ name => 'bt', type => 'bytea', kind => 'bytea', canon => 1, mm => 'x',
	  rand => \&rand_bytea },
	{ name => 'iv', type => 'interval', kind => 'interval', canon => 0, mm => 'iv',
	  gkey => 'extract(epoch from iv)', rand => \&rand_interval },
);
my %COL = map { $_->{name} => $_ } @COLUMNS;
my @COLNAMES = map { $_->{name} } @COLUMNS;
my @DATACOLS = grep { $_->{name} ne 'id' } @COLUMNS;

# literal pools: values seen in generated rows, per column
my %POOL;

sub pool_add
{
	my ($c, $v) = @_;
	return if !defined $v || length($v) > 200;
	my $p = ($POOL{$c} //= []);
	if (@$p < 300) { push @$p, $v }
	elsif (chance(0.05)) { $p->[ rnd(300) ] = $v }
}

###########################################################################
# data generation
###########################################################################

# Per phase each column gets a mode: random, const, null, runs, seq, special.
sub phase_modes
{
	my %m;
	for my $c (@DATACOLS)
	{
		local $RNG = $c->{aux} ? \&pm_rand : undef;
		my $mode = wpick(random => 10, const => 1, null => 0.7, runs => 1.5,
			seq => ($c->{seq} ? 2 : 0));
		$m{ $c->{name} } = {
			mode => $mode,
			nullp => pick(0, 0, 0.02, 0.1, 0.5),
			cur => scalar $c->{rand}->(),
		};
	}
	return \%m;
}

sub gen_row
{
	my ($modes) = @_;
	my %row = (id => ++$GS{id});
	for my $c (@DATACOLS)
	{
		local $RNG = $c->{aux} ? \&pm_rand : undef;
		my $n = $c->{name};
		my $m = $modes->{$n};
		my $v;
		if ($m->{mode} eq 'null') { $v = undef }
		elsif ($m->{mode} eq 'const') { $v = $m->{cur} }
		elsif ($m->{mode} eq 'runs')
		{
			$m->{cur} = $c->{rand}->() if chance(0.08);
			$v = chance($m->{nullp} / 3) ? undef : $m->{cur};
		}
		elsif ($m->{mode} eq 'seq') { $v = $c->{seq}->() }
		else { $v = chance($m->{nullp}) ? undef : $c->{rand}->() }
		$row{$n} = $v;
		pool_add($n, $v);
	}
	return \%row;
}

sub sql_values
{
	my ($row) = @_;
	return '(' . join(', ', map {
		defined $row->{ $_->{name} } ? q_lit($row->{ $_->{name} }) . "::$_->{type}" : 'NULL'
	} @COLUMNS) . ')';
}

sub copy_text_line
{
	my ($row) = @_;
	return join("\t", map {
		my $v = $row->{$_};
		if (defined $v) { $v =~ s/\\/\\\\/g; $v =~ s/\t/\\t/g; $v =~ s/\n/\\n/g; $v =~ s/\r/\\r/g }
		defined $v ? $v : '\\N'
	} @COLNAMES) . "\n";
}

sub copy_csv_line
{
	my ($row) = @_;
	return join(',', map {
		my $v = $row->{$_};
		if (defined $v) { $v =~ s/"/""/g; $v = qq("$v") }
		defined $v ? $v : ''
	} @COLNAMES) . "\n";
}

my $COLLIST = join(', ', @COLNAMES);

# SQL expressions used by the server-side bulk generator (setseed + random()).
sub bulk_select
{
	my ($n) = @_;
	my $idbase = $GS{id};
	$GS{id} += $n;
	my $tbase = fmt_ts($GS{t});
	$GS{t} += $n * 1e6;
	my $trbase = fmt_ts($GS{tr});
	$GS{tr} += $n * 60e6;
	my $twbase = fmt_ts($GS{tw});
	$GS{tw} += $n * 10e6;
	my $nul = sub { my ($p, $e) = @_; "CASE WHEN random() < $p THEN NULL ELSE $e END" };
	my %e = (
		id => "$idbase + g",
		t => pick("'$tbase'::timestamptz + g * interval '1 second'",
			"'$tbase'::timestamptz + (g + floor(random() * 5)) * interval '1 second'",
			"'$tbase'::timestamptz + random() * interval '3 hours'"),
		i2 => pick('(random() * 200 - 100)::int2', '(g % 3)::int2'),
		i4 => $nul->(0.05, pick('(random() * 2000 - 1000)::int4', 'g::int4', '(g / 7)::int4')),
		i8 => pick("$idbase * 1000 + g * 1000 + (random() * 3)::int8", '(random() * 1e15)::int8'),
		f4 => pick('(random() * 100)::float4', '(floor(random() * 400) / 2 - 100)::float4'),
		fx => pick("'NaN'::float8", "random() * 1e300", "(random() - 0.5) * 1e-300", "NULL"),
		f8 => $nul->(0.02, pick('random() * 1000 - 500', 'floor(random() * 4000) / 16', 'g * 0.25')),
		fm => $nul->(0.05, pick('(random() - 0.5) * 1e99', 'g * 0.5', 'floor(random() * 1000)')),
		n => $nul->(0.02, pick('round((random() * 1000)::numeric, (random() * 4)::int)',
				'(g % 100)::numeric / 4', "g::numeric * 1000000007")),
		tl => "(ARRAY['alpha','beta','gamma','delta',''])[1 + (random() * 4)::int]",
		th => pick('md5(random()::text)', "substr(md5(g::text), 1, (random() * 20)::int)",
			"'item-' || lpad(g::text, 6, '0')"),
		b => $nul->(0.1, 'random() < 0.5'),
		d => "'2020-01-01'::date + (random() * 1000)::int",
		j => pick("jsonb_build_object('k', (random() * 10)::int, 's', substr(md5(g::text), 1, 3))",
			"to_jsonb(g % 10)"),
		ia => "ARRAY[(random() * 10)::int, (random() * 10)::int]",
		u => 'md5(random()::text)::uuid',
		bt => pick("decode(md5(g::text), 'hex')", "'\\x0102'::bytea"),
		iv => "make_interval(hours => (random() * 100)::int)",
		tr => "'$trbase'::timestamptz + g * interval '1 minute'",
		tw => "'$twbase'::timestamp + g * interval '10 seconds'",
		tm => "make_time((g % 24)::int, (g % 60)::int, (g % 7)::float8)",
		vc => "(ARRAY['alpha','Alpha','ALPHA','',NULL])[1 + g % 5]",
	);
	return "SELECT " . join(', ', map { $e{$_} } @COLNAMES) . " FROM generate_series(1, $n) g";
}

# Returns a list of (table -> SQL) generator closures for one load phase.
my ($TS_ROWS, $HEAP_ONLY_SQL) = (0, 0);

sub guc_settings
{
	my ($small) = @_;
	my $cr = $small ? pick(1, 2, 3, 7, 10, 33, 64, 100, 257, 1000, 4096, 65536)
	  : pick(10, 64, 100, 257, 1000, 4096, 65536);
	my $vr = pick(1, 2, 3, 8, 10, 64, 100, 1024, 1024);
	$vr = pick(8, 10, 64, 100, 1024) if !$small && $vr < 8;
	my $inl = pick(0, 100, 1000, 4096, 4096, 65536, 1048576);
	my $comp = pick('none', 'lz4', 'zstd', 'zstd');
	my $lvl = $comp eq 'zstd' ? pick(1, 1, 3, 19) : pick(1, 5);
	return { chunk_rows => $cr, vector_rows => $vr, inline_max_bytes => $inl,
		compression => $comp, compression_level => $lvl };
}

sub guc_sql
{
	my ($g, $local) = @_;
	my $set = $local ? 'SET LOCAL' : 'SET';
	return join('', map { "$set timeseries.$_ = " . q_lit($g->{$_}) . ";\n" } sort keys %$g);
}

# A load phase: returns statements per table (a sub taking the table name),
# whether it is run once per table or once for both (interleaved).
sub load_phase
{
	my ($phase, $force) = @_;
	my $method = $force // wpick(values => 4, copy_text => 2, copy_csv => 2, single => 1.5,
		stage => 1.5, bulk => 1.5, self => 1, dup => 0.5);
	my $wrap = wpick(auto => 4, tx => 3, rollback => 1, savepoint => 1.5, interleave => 1);
	my $nrows = int(between(1, 400) * $opt{scale}) || 1;
	$nrows = between(1, 40) if $method eq 'single';
	$nrows = int(between(2000, 12000) * $opt{scale}) || 1 if $method eq 'bulk';
	my $gucs = guc_settings($nrows < 1000);
	my $modes = phase_modes();
	my $rollback_all = $wrap eq 'rollback';

	# Generate the rows first: the parts are lists of statement generators.
	my @parts;    # each: { gen => sub($tab) -> sql, keep => 0/1 }
	my $nparts = $wrap eq 'savepoint' ? between(2, 4) : between(1, 3);
	for my $p (1 .. $nparts)
	{
		my $part_rows = int($nrows / $nparts) || 1;
		my $keep = 1;
		$keep = 0 if $rollback_all;
		$keep = 0 if $wrap eq 'savepoint' && $p % 2 == 0;
		my $gen;
		if ($method eq 'values' || $method eq 'single')
		{
			my @rows = map { gen_row($modes) } 1 .. $part_rows;
			my $per = $method eq 'single' ? 1 : between(1, 200);
			my @stmts;
			while (my @b = splice(@rows, 0, $per))
			{
				push @stmts, join(",\n  ", map { sql_values($_) } @b);
			}
			$gen = sub { my $t = shift; join('', map { "INSERT INTO $t VALUES $_;\n" } @stmts) };
		}
		elsif ($method eq 'copy_text' || $method eq 'copy_csv')
		{
			my @rows = map { gen_row($modes) } 1 .. $part_rows;
			my $csv = $method eq 'copy_csv';
			my $data = join('', map { $csv ? copy_csv_line($_) : copy_text_line($_) } @rows);
			my $o = $csv ? ' (FORMAT csv)' : '';
			$gen = sub { "COPY $_[0] ($COLLIST) FROM STDIN$o;\n$data\\.\n" };
		}
		elsif ($method eq 'stage')
		{
			my @rows = map { gen_row($modes) } 1 .. $part_rows;
			my $vals = join(",\n  ", map { sql_values($_) } @rows);
			my $ord = pick('', ' ORDER BY t', ' ORDER BY random()', ' ORDER BY id DESC');
			$ord = '' if $ord =~ /random/;    # must be the same on both sides
			$gen = sub {
				"CREATE TEMP TABLE IF NOT EXISTS stage (LIKE twin_heap);\nTRUNCATE stage;\n"
				  . "INSERT INTO stage VALUES $vals;\n"
				  . "INSERT INTO $_[0] SELECT * FROM stage$ord;\n";
			};
		}
		elsif ($method eq 'bulk')
		{
			my $sel = bulk_select($part_rows);
			my $seed = sprintf('%.6f', rand() * 2 - 1);
			$gen = sub { "SELECT setseed($seed);\nINSERT INTO $_[0] ($COLLIST) $sel;\n" };
		}
		elsif ($method eq 'self' || $method eq 'dup')
		{
			# copy some rows of the table into itself (reads what it writes)
			my $m = between(2, 9);
			my $r = rnd($m);
			# ids stay unique (only 'dup' makes exact duplicates): the offset is
			# above every id so far, copies included
			my $off = 0;
			if ($method ne 'dup')
			{
				my $max = $GS{selfoff} > 1_000_000_000 ? $GS{selfoff} : 1_000_000_000;
				$off = $max;
				$GS{selfoff} = $off + $max;
			}
			my $cols = join(', ', map { $_ eq 'id' ? "id + $off" : $_ } @COLNAMES);
			my $lim = chance(0.3) ? ' ORDER BY id LIMIT ' . between(1, 500) : '';
			$gen = sub { "INSERT INTO $_[0] SELECT $cols FROM $_[0] WHERE id % $m = $r$lim;\n" };
		}
		push @parts, { gen => $gen, keep => $keep };
	}

	my $midguc = ($wrap eq 'tx' && chance(0.5)) ? guc_sql(guc_settings($nrows < 1000), 1) : '';
	my $body = sub {
		my ($t) = @_;
		my $s = '';
		my $sp = 0;
		for my $p (@parts)
		{
			if ($wrap eq 'savepoint')
			{
				$sp++;
				if (!$p->{keep}) { $s .= "SAVEPOINT s$sp;\n" . $p->{gen}->($t) . "ROLLBACK TO SAVEPOINT s$sp;\n" }
				elsif (chance(0.5)) { $s .= "SAVEPOINT s$sp;\n" . $p->{gen}->($t) . "RELEASE SAVEPOINT s$sp;\n" }
				else { $s .= $p->{gen}->($t) }
			}
			else
			{
				$s .= $p->{gen}->($t);
				$s .= $midguc if $midguc && $p == $parts[0];
			}
		}
		return $s;
	};
	# random choices inside $body must be the same for both tables
	my $st = rand();
	my $body_for = sub { srand(int($st * 2**31)); $body->(@_) };

	my $sql = guc_sql($gucs, 0);
	if ($wrap eq 'auto')
	{
		$sql .= $body_for->($_) for qw(twin_heap twin_ts);
	}
	elsif ($wrap eq 'interleave')
	{
		$sql .= "BEGIN;\n" . $body_for->('twin_ts') . $body_for->('twin_heap') . "COMMIT;\n";
	}
	else
	{
		my $end = $wrap eq 'rollback' ? "ROLLBACK;\n" : "COMMIT;\n";
		$sql .= "BEGIN;\n" . $body_for->($_) . $end for qw(twin_heap twin_ts);
	}
	srand(int($st * 2**31) + 1);
	return ("$method/$wrap rows=$nrows chunk_rows=$gucs->{chunk_rows} vector_rows=$gucs->{vector_rows}"
		  . " inline_max_bytes=$gucs->{inline_max_bytes} $gucs->{compression}", $sql);
}

sub maintenance
{
	my ($early) = @_;
	my $op = wpick(none => 10, vacuum => 1, vacuum_full => 0.7, analyze => 1, compact => 1,
		truncate_rb => 0.5, truncate => ($early ? 0.3 : 0));
	return ('', '') if $op eq 'none';
	my %sql = (
		vacuum => "VACUUM twin_heap;\nVACUUM twin_ts;\n",
		vacuum_full => "VACUUM FULL twin_heap;\nVACUUM FULL twin_ts;\n",
		compact => "SELECT timeseries.compact('twin_ts');\n",
		analyze => "ANALYZE twin_heap;\nANALYZE twin_ts;\n",
		truncate_rb => "BEGIN;\nTRUNCATE twin_ts;\nINSERT INTO twin_ts SELECT * FROM twin_heap;\n"
		  . "TRUNCATE twin_heap;\nROLLBACK;\n",
		truncate => "TRUNCATE twin_heap, twin_ts;\n",
	);
	return ($op, $sql{$op});
}

sub create_tables
{
	my $cols = join(",\n  ", map { "$_->{name} $_->{type}" } @COLUMNS);
	ps_do("CREATE EXTENSION IF NOT EXISTS timeseries;\n"
		  . "DROP TABLE IF EXISTS twin_heap, twin_ts, twin_pts;\n"
		  . "CREATE TABLE twin_heap (\n  $cols\n) USING heap;\n"
		  . "CREATE TABLE twin_ts (\n  $cols\n) USING timeseries;\n");

	# half the seeds store rows in segment_by / order_by order (row_order.c)
	$GS{options} = '';
	if (chance(0.5))
	{
		my @args;
		push @args, "segment_by => '{" . pick('tl', 'i2', 'b', 'd', 'tl, i2', 'vc') . "}'" if chance(0.8);
		push @args, "order_by => '" . pick('t', 't DESC', 'i4 NULLS FIRST, t', 'tw DESC NULLS LAST', 'th') . "'"
		  if !@args || chance(0.5);
		$GS{options} = join(', ', @args);
		ps_do("SELECT timeseries.set_options('twin_ts', $GS{options});\n");
	}

	# half the seeds give the timeseries table btree and hash indexes, which
	# index scans and the modify phases' row fetches then go through
	$GS{indexes} = '';
	if (chance(0.5))
	{
		my @ix = pick_n(between(1, 3), 'id', 't', 'i4', 'tl, t', 'd');
		push @ix, 'USING hash (i8)' if chance(0.3);
		$GS{indexes} = join('; ', @ix);
		ps_do(join('', map { /USING/ ? "CREATE INDEX ON twin_ts $_;\n" : "CREATE INDEX ON twin_ts ($_);\n" } @ix));
	}
}

###########################################################################
# query generation
###########################################################################

my @PARAMS;        # [type, value] of $n parameters of the query being built
my $USE_PARAMS;    # build with $n parameters instead of literals

sub lit
{
	my ($type, $v) = @_;
	return 'NULL' unless defined $v;
	if ($USE_PARAMS)
	{
		push @PARAMS, [ $type, $v ];
		return '$' . scalar(@PARAMS);
	}
	return q_lit($v) . "::$type";
}

# a value for column $c: mostly from the data, sometimes a fresh/special one
sub value_for
{
	my ($c) = @_;
	my $p = $POOL{ $c->{name} };
	if ($c->{name} eq 'id') { return rnd($GS{id} + 2) }
	return $p->[ rnd(scalar @$p) ] if $p && @$p && chance(0.7);
	return $c->{rand} ? $c->{rand}->() : rnd(100);
}

# literal of a type comparable with column $c (sometimes cross-type)
sub lit_for
{
	my ($c) = @_;
	my $v = value_for($c);
	my $type = $c->{type};
	if ($c->{kind} eq 'int' && chance(0.3))
	{
		$type = pick('int8', 'numeric', 'float8');
		$type = 'int4' if $c->{type} eq 'int2' && chance(0.5);
	}
	elsif ($c->{kind} eq 'float' && chance(0.2))
	{
		$type = $c->{type} eq 'float4' ? 'float8' : 'float4';
		# only values float4 can hold
		$type = 'float8' if $type eq 'float4' && $v =~ /\d/ && $v != 0 && (abs($v) > 1e30 || abs($v) < 1e-30);
	}
	elsif ($c->{kind} eq 'ts' && chance(0.2) && $v !~ /infinity/) { $type = 'date'; $v = substr($v, 0, 10) }
	elsif ($c->{kind} eq 'date' && chance(0.2)) { $type = 'timestamp' }
	elsif ($c->{kind} eq 'text' && chance(0.2)) { $type = pick('varchar', 'name', 'bpchar') }
	$type = 'text' if $type eq 'name' && length($v) > 60;
	return lit($type, $v);
}

sub lit_list
{
	my ($c, $n) = @_;
	return join(', ', map { chance(0.05) ? 'NULL' : lit_for($c) } 1 .. $n);
}

sub array_lit
{
	my ($c, $n) = @_;
	my @v = map { value_for($c) } 1 .. $n;
	my $arr = '{' . join(',', map { my $x = $_; $x =~ s/(["\\])/\\$1/g; qq("$x") } @v) . '}';
	return lit("$c->{type}\[]", $arr);
}

sub pick_col
{
	my (%o) = @_;
	my @c = @COLUMNS;
	@c = grep { $_->{canon} } @c if $o{canon};
	@c = grep { $o{kinds}{ $_->{kind} } } @c if $o{kinds};
	return pick(@c);
}

my %ORDERED = map { $_ => 1 } qw(int float num ts date time text uuid bytea interval);

sub gen_atom
{
	my ($a) = @_;
	my $pre = defined $a ? "$a." : '';
	my $c = pick_col();
	my $col = $pre . $c->{name};
	my $k = $c->{kind};
	my $r = rand();
	return "$col IS " . pick('NULL', 'NOT NULL') if $r < 0.08;
	if ($ORDERED{$k})
	{
		if ($k eq 'text' && chance(0.35))
		{
			my $v = value_for($c) // '';
			# cut at character boundaries (invalid UTF-8 fails on both sides)
			my $pfx = first_chars($v, between(0, 3));
			my $second = substr(first_chars($v, 2), length(first_chars($v, 1)));
			my $pat = pick("$pfx%", "%$second%", '%a%', '_%', 'a%b', '%\\%%', '%');
			my $op = pick('LIKE', 'NOT LIKE', 'ILIKE', 'NOT ILIKE');
			return pick("$col $op " . lit('text', $pat), "length($col) > " . rnd(20),
				"$col ~ " . lit('text', pick('^a', 'a$', '[0-9]', '^$', 'e.a')),
				"lower($col) = " . lit('text', lc $v), "$col COLLATE \"C\" < " . lit('text', $v),
				"$col || 'x' = " . lit('text', $v . 'x'));
		}
		if ($k eq 'bytea' && chance(0.3)) { return "length($col) " . pick('<', '>', '=') . ' ' . rnd(10) }
		if ($k eq 'ts' && chance(0.2))
		{
			my $v = value_for($c);
			return "date_trunc('day', $col) = " . lit('timestamptz', substr($v, 0, 10) . ' 00:00:00+00')
			  if $v !~ /infinity/;
		}
		my $op = wpick(cmp => 6, between => 1.5, in => 1.5, distinct => 0.7, any => 0.7);
		if ($op eq 'cmp') { return "$col " . pick('=', '<>', '<', '<=', '>', '>=') . ' ' . lit_for($c) }
		if ($op eq 'between')
		{
			return "$col " . pick('BETWEEN', 'NOT BETWEEN', 'BETWEEN SYMMETRIC') . ' '
			  . lit_for($c) . ' AND ' . lit_for($c);
		}
		if ($op eq 'in') { return "$col " . pick('IN', 'NOT IN') . ' (' . lit_list($c, between(1, 5)) . ')' }
		if ($op eq 'distinct') { return "$col IS " . pick('', 'NOT ') . 'DISTINCT FROM ' . lit_for($c) }
		return "$col " . pick('=', '<>', '<', '>') . ' ' . pick('ANY', 'ALL') . ' (' . array_lit($c, between(0, 4)) . ')';
	}
	if ($k eq 'bool')
	{
		return pick($col, "NOT $col", "$col IS TRUE", "$col IS NOT FALSE", "$col IS UNKNOWN",
			"$col = " . lit('bool', pick('t', 'f')), "$col <> " . lit('bool', pick('t', 'f')));
	}
	if ($k eq 'json')
	{
		my $kk = rnd(12);
		return pick("$col ? " . lit('text', pick('k', 's', 'a', 'o', 'zz')),
			"$col \@> " . lit('jsonb', qq({"k": $kk})),
			"$col \@> " . lit('jsonb', '[2]'),
			"($col ->> 'k')::int " . pick('<', '>', '=') . " $kk",
			"$col ->> 's' LIKE " . lit('text', pick('a%', '%b%', '')),
			"jsonb_typeof($col) = " . lit('text', pick('object', 'array', 'number', 'string', 'null')),
			"$col = " . lit('jsonb', value_for($c)),
			"$col -> 'o' IS NOT NULL");
	}
	if ($k eq 'intarr')
	{
		my ($x, $y) = (rnd(10), rnd(10));
		return pick("$col \@> " . lit('int4[]', "{$x}"), "$col && " . lit('int4[]', "{$x,$y}"),
			"$col <\@ " . lit('int4[]', "{$x,$y,1,2,3}"), "$x = ANY ($col)",
			"cardinality($col) > " . rnd(4), "$col = " . lit('int4[]', value_for($c)),
			"$col\[1] " . pick('<', '>', '=') . " $x", "$col < " . lit('int4[]', value_for($c)));
	}
	die "no predicate for kind $k";
}

sub gen_pred
{
	my ($depth, $a) = @_;
	my $r = rand();
	if ($depth < 3)
	{
		return '(' . gen_pred($depth + 1, $a) . ' AND ' . gen_pred($depth + 1, $a) . ')' if $r < 0.2;
		return '(' . gen_pred($depth + 1, $a) . ' OR ' . gen_pred($depth + 1, $a) . ')' if $r < 0.32;
		return 'NOT (' . gen_pred($depth + 1, $a) . ')' if $r < 0.37;
	}
	return gen_atom($a);
}

sub where_clause
{
	my ($a) = @_;
	return chance(0.04) ? '' : ' WHERE ' . gen_pred(0, $a);
}

# projections computed per row (exact)
sub row_exprs
{
	my ($a) = @_;
	my $p = defined $a ? "$a." : '';
	return (
		"${p}i4::int8 * 2", "upper(${p}tl)", "${p}th || '|'", "${p}t + interval '1 day 1 hour'",
		"date_trunc('hour', ${p}t)", "extract(dow from ${p}d)", "${p}j -> 'k'", "${p}j ->> 's'",
		"${p}ia[1]", "array_length(${p}ia, 1)", "coalesce(${p}i4, -1)",
		"CASE WHEN ${p}b THEN 'yes' WHEN NOT ${p}b THEN 'no' END", "length(${p}bt)",
		"${p}n * 2", "-${p}f8", "${p}f8 + 1", "${p}f4::float8", "${p}i2::int4 + 1",
		"CASE WHEN isfinite(${p}d) THEN ${p}d - date '2020-01-01' END",
		"abs(${p}i8 % 1000)", "${p}u::text", "${p}iv * 2", "md5(${p}th)",
		"${p}i4 > ${p}i2 OR ${p}b", "greatest(${p}i2, ${p}i4)", "${p}tl = ${p}th",
	);
}

# output expressions get names that cannot clash with column names in ORDER BY
sub aliased
{
	my $i = 0;
	return map { $i++; "$_ AS x$i" } @_;
}

# first line of an error, table names unified (they appear in messages)
sub err_norm
{
	my ($e) = @_;
	$e =~ s/^.*?(ERROR:[^\n]*).*/$1/s;
	$e =~ s/twin_pts(_\w+)?/twin_heap/g;
	$e =~ s/twin_ts/twin_heap/g;
	return $e;
}

sub pick_n
{
	my ($n, @l) = @_;
	my @r;
	for (1 .. $n) { push @r, splice(@l, rnd(scalar @l), 1) if @l }
	return @r;
}

# ORDER BY keys over base columns followed by id: total order up to identical rows
sub order_keys
{
	my ($a) = @_;
	my $p = defined $a ? "$a." : '';
	my @k = map { "$p$_->{name}" . pick('', ' DESC') . pick('', '', ' NULLS FIRST', ' NULLS LAST') }
	  pick_n(between(0, 3), grep { $_->{kind} ne 'json' || 1 } @COLUMNS);
	return join(', ', @k, "${p}id" . pick('', ' DESC'));
}

sub limit_clause
{
	my $s = ' LIMIT ' . pick(0, 1, 5, 10, 33, 100, 1000);
	$s .= ' OFFSET ' . pick(1, 7, 50) if chance(0.3);
	return $s;
}

# Each generator returns { sql, norm => [per column], ordered => 0/1 }.
# norm: x exact, num numeric trailing zeros, fz float -0, approx float
# tolerance, iv interval (only row-identical) ...

sub gen_q_rows
{
	my @cols = chance(0.4) ? ('*') : (pick_n(between(1, 6), @COLNAMES), aliased(pick_n(rnd(3), row_exprs())));
	@cols = ('*') unless @cols;
	my $sql = "SELECT " . join(', ', @cols) . " FROM %A%" . where_clause();
	return { sql => $sql, ordered => 0, norm => 'x' };
}

sub gen_q_topn
{
	my @cols = chance(0.4) ? ('*') : (pick_n(between(1, 6), @COLNAMES), aliased(pick_n(rnd(2), row_exprs())));
	my $sql = "SELECT " . join(', ', @cols) . " FROM %A%" . where_clause()
	  . " ORDER BY " . order_keys() . limit_clause();
	return { sql => $sql, ordered => 1, norm => 'x' };
}

# ORDER BY a time column LIMIT n (TimeseriesTopN), directly or per series
# through LATERAL; id last keeps the order total
sub gen_q_topn_time
{
	my $time = pick('t', 'tw', 'tr', 'd', 'i4', 'i8', 'i2');
	my $dir = pick('', ' DESC') . pick('', '', ' NULLS FIRST', ' NULLS LAST');
	my @more = map { "$_" . pick('', ' DESC') } pick_n(rnd(2), qw(tl b i2 d));
	my $order = join(', ', "$time$dir", @more, 'id' . pick('', ' DESC'));
	my $limit = ' LIMIT ' . pick(0, 1, 3, 10, 100, 5000) . (chance(0.3) ? ' OFFSET ' . pick(1, 7, 50) : '');
	if (chance(0.3))
	{
		my $key = pick('tl', 'i2', 'b');
		my $sql = "SELECT k.x, l.* FROM (SELECT DISTINCT $key FROM %B%) k(x), LATERAL (SELECT id, $time FROM %A% WHERE $key = k.x"
		  . (chance(0.5) ? ' AND ' . gen_pred(1) : '') . " ORDER BY $order" . $limit . ") l";
		return { sql => $sql, ordered => 0, norm => 'x' };
	}
	my @cols = chance(0.3) ? ('*') : ('id', $time, pick_n(rnd(3), @COLNAMES));
	my $sql = "SELECT " . join(", ", @cols) . " FROM %A%" . (chance(0.5) ? "" : where_clause()) . " ORDER BY $order" . $limit;
	return { sql => $sql, ordered => 1, norm => 'x' };
}

sub gen_q_count
{
	my @e = ('count(*)');
	push @e, "count($_)" for pick_n(rnd(3), @COLNAMES);
	return { sql => "SELECT " . join(', ', @e) . " FROM %A%" . where_clause(), ordered => 0, norm => 'x' };
}

# aggregate expressions with their normalization
sub agg_exprs
{
	my ($p) = @_;
	$p //= '';
	my @a = (
		[ 'count(*)', 'x' ], [ "count(${p}tl)", 'x' ], [ "count(DISTINCT ${p}tl)", 'x' ],
		[ "sum(${p}i4)", 'x' ], [ "sum(${p}i8)", 'x' ], [ "sum(${p}i2)", 'x' ], [ "avg(${p}i4)", 'x' ],
		[ "avg(${p}i8)", 'x' ], [ "sum(${p}n)", 'x' ], [ "avg(${p}n)", 'x' ],
		[ "sum(${p}f8)", 'approx' ], [ "avg(${p}f8)", 'approx' ], [ "sum(${p}f4::float8)", 'approx' ],
		[ "avg(${p}f4)", 'approx' ], [ "sum(${p}f8 ORDER BY ${p}f8)", 'fz' ],
		[ "var_samp(${p}f8)", 'approx' ], [ "stddev_pop(${p}f4)", 'approx' ], [ "avg(${p}fm)", 'approx' ],
		[ "var_samp(${p}fm)", 'approx' ], [ "avg(${p}fm) + stddev(${p}fm)", 'approx' ],
		[ "min(${p}f8)", 'fz' ], [ "max(${p}fx)", 'fz' ], [ "min(${p}fx)", 'fz' ], [ "max(${p}f4)", 'fz' ], [ "min(${p}n)", 'num' ], [ "max(${p}n)", 'num' ],
		[ "min(${p}i4)", 'x' ], [ "max(${p}i8)", 'x' ], [ "min(${p}t)", 'x' ], [ "max(${p}t)", 'x' ],
		[ "min(${p}d)", 'x' ], [ "max(${p}th)", 'x' ], [ "min(${p}tl)", 'x' ], [ "max(${p}u::text)", 'x' ],
		[ "min(encode(${p}bt, 'hex'))", 'x' ], [ "max(${p}ia)", 'x' ], [ "bool_and(${p}b)", 'x' ], [ "bool_or(${p}b)", 'x' ],
		[ "string_agg(${p}tl, ',' ORDER BY ${p}tl)", 'x' ],
		[ "array_agg(${p}i4 ORDER BY ${p}i4 NULLS FIRST)", 'x' ],
		[ "sum(DISTINCT ${p}i2)", 'x' ], [ "stddev_samp(${p}i4)", 'x' ], [ "var_pop(${p}i8)", 'x' ],
		[ "stddev(${p}i2)", 'x' ], [ "var_samp(${p}n)", 'x' ], [ "stddev_pop(${p}n)", 'x' ],
		[ "bit_or(${p}i4)", 'x' ], [ "sum(${p}iv)", 'x' ],
		[ "count(*) FILTER (WHERE " . gen_pred(2, $p eq '' ? undef : substr($p, 0, -1)) . ")", 'x' ],
		[ "max(length(${p}th))", 'x' ], [ "sum(${p}i4) FILTER (WHERE ${p}b)", 'x' ],
		[ "count(DISTINCT ${p}j)", 'x' ], [ "min(${p}j ->> 's')", 'x' ],
		[ "timeseries.last(${p}th, ${p}id)", 'x' ], [ "timeseries.first(${p}n, ${p}id)", 'num' ],
	);
	return pick_n(between(1, 5), @a);
}

# canonical group keys
sub group_keys
{
	my @g = ('tl', 'b', 'd', 'i2', 'i4 % 10', "date_trunc('day', t)", 'round(n, 2)', '(f8 + 0)',
		'(f4 + 0)', '(fx + 0)', 'j', 'ia', "j ->> 's'", 'u', 'length(th)', 'i8 / 1000000', 'extract(epoch from iv)',
		"extract(year from d)", 'i4 IS NULL', 'th');
	return pick_n(between(1, 3), @g);
}

sub gen_q_agg
{
	my @g = chance(0.15) ? () : group_keys();
	my @a = agg_exprs();
	my $sql = "SELECT " . join(', ', @g, map { $_->[0] } @a) . " FROM %A%" . where_clause();
	my @norm = ((map { 'x' } @g), map { $_->[1] } @a);
	my $ordered = 0;
	if (@g)
	{
		my $r = rand();
		if ($r < 0.15 && @g >= 2)
		{
			my $kind = pick('ROLLUP', 'CUBE', 'GROUPING SETS');
			my $list = join(', ', @g);
			$list = join(', ', map { "($_)" } @g) . ', ()' if $kind eq 'GROUPING SETS';
			$sql .= " GROUP BY $kind ($list)";
			$sql =~ s/^SELECT /SELECT grouping($list), / if $kind ne 'GROUPING SETS';
			$sql =~ s/^SELECT /SELECT grouping(${\ join(', ', @g)}), / if $kind eq 'GROUPING SETS';
			unshift @norm, 'x';
		}
		else
		{
			$sql .= " GROUP BY " . join(', ', @g);
		}
		$sql .= " HAVING count(*) > " . pick(1, 2, 5) if chance(0.2);
		if (chance(0.25) && $sql !~ /GROUP BY (ROLLUP|CUBE|GROUPING)/)
		{
			$sql .= " ORDER BY " . join(', ', map { $_ . pick('', ' DESC') . pick('', ' NULLS FIRST') } @g)
			  . limit_clause();
			$ordered = 1;
		}
	}
	return { sql => $sql, ordered => $ordered, norm => \@norm };
}

# time_bucket_gapfill over a window of the data, with locf/interpolate
sub gen_q_gapfill
{
	my ($w, $secs) = @{ pick([ '1 minute', 60 ], [ '10 minutes', 600 ], [ '1 hour', 3600 ],
			[ '1 day', 86400 ]) };
	my $span = $GS{t} - $T0 * 1e6;
	$span = 1 if $span < 1;
	my $from = $T0 * 1e6 + rnd($span);
	$from -= $from % 1e6;
	my $start = lit('timestamptz', fmt_ts($from));
	my $finish = lit('timestamptz', fmt_ts($from + between(1, 80) * $secs * 1e6));
	my $zone = chance(0.2) ? q_lit(pick('Europe/Berlin', 'America/New_York', 'Asia/Kolkata')) . ', ' : '';
	my @g = chance(0.4) ? () : pick_n(between(1, 2), 'tl', 'b', '(i2 % 3)', 'd');
	my @a = pick_n(between(1, 4),
		[ 'count(*)', 'x' ], [ 'max(i4)', 'x' ], [ 'avg(f8)', 'approx' ], [ 'sum(i8)', 'x' ],
		[ 'min(t)', 'x' ], [ 'timeseries.locf(max(i4))', 'x' ], [ 'timeseries.locf(min(tl))', 'x' ],
		[ 'timeseries.locf(avg(i4), treat_null_as_missing => true)', 'x' ],
		[ 'timeseries.interpolate(max(i4))', 'x' ], [ 'timeseries.interpolate(sum(i2))', 'x' ],
		[ 'timeseries.interpolate(avg(f8))', 'approx' ], [ 'coalesce(max(i4), -1)', 'x' ],
		[ 'timeseries.locf(max(i4), 0)', 'x' ]);
	my $bucket;
	my $where;
	if (chance(0.5))
	{
		$bucket = "timeseries.time_bucket_gapfill('$w', t, $zone$start, $finish)";
		$where = chance(0.5) ? '' : ' WHERE ' . gen_pred(2);
	}
	else
	{
		$bucket = "timeseries.time_bucket_gapfill('$w', t" . ($zone ? ', ' . substr($zone, 0, -2) : '') . ")";
		$where = " WHERE t >= $start AND t < $finish" . (chance(0.3) ? ' AND ' . gen_pred(2) : '');
	}
	my $sql = "SELECT $bucket, " . join(', ', @g, map { $_->[0] } @a) . " FROM %A%$where GROUP BY "
	  . join(', ', 1 .. 1 + @g);
	$sql .= " HAVING count(*) > 1" if chance(0.1);
	return { sql => $sql, ordered => 0, norm => [ 'x', (map { 'x' } @g), map { $_->[1] } @a ] };
}

# GROUP BY bucket ORDER BY bucket DESC LIMIT n (TimeseriesAgg's newest-buckets bound)
sub gen_q_topn_agg
{
	my ($key, $col) = @{ pick([ "timeseries.time_bucket('1 minute', t)", 't' ], [ "date_trunc('hour', t)", 't' ],
			[ 't', 't' ], [ "timeseries.time_bucket('1 day', d)", 'd' ], [ "date_trunc('day', tw)", 'tw' ],
			[ 'timeseries.time_bucket(100, i4)', 'i4' ], [ "date_trunc('minute', tr)", 'tr' ]) };
	my $where = '';
	if ($col eq 't' && chance(0.6))
	{
		my $span = $GS{t} - $T0 * 1e6;
		$span = 1 if $span < 1;
		my $a = $T0 * 1e6 + rnd($span);
		$where = chance(0.5) ? " WHERE t < " . lit('timestamptz', fmt_ts($a))
		  : " WHERE t >= " . lit('timestamptz', fmt_ts($a)) . " AND t <= "
		  . lit('timestamptz', fmt_ts($a + rnd(86400e6)));
	}
	my @a = pick_n(between(1, 3), [ 'count(*)', 'x' ], [ 'max(i4)', 'x' ], [ 'sum(i8)', 'x' ],
		[ 'min(f8)', 'fz' ], [ 'count(tl)', 'x' ]);
	my $sql = "SELECT $key, " . join(', ', map { $_->[0] } @a) . " FROM %A%$where GROUP BY 1 ORDER BY 1 DESC"
	  . pick('', ' NULLS LAST') . ' LIMIT ' . between(1, 20) . (chance(0.2) ? ' OFFSET ' . rnd(5) : '');
	return { sql => $sql, ordered => 1, norm => [ 'x', map { $_->[1] } @a ] };
}

# avg and variance of floats together (TimeseriesAgg skips Sxx for avg alone
# when the values are moderate; the Finalize Agg shares one state between
# avg(x) and var_samp(x))
sub gen_q_float_stats
{
	my $c = pick('fm', 'fm', 'f8', 'f4');
	my @a = pick_n(between(1, 3), "avg($c)", "var_samp($c)", "stddev_pop($c)", "avg($c) + stddev($c)",
		"variance($c) FILTER (WHERE i2 > 0)", "avg($c) FILTER (WHERE i2 > 0)");
	my $key = chance(0.6) ? pick('tl', 'i2', 'b', "date_trunc('hour', t)") : undef;
	my $where = chance(0.5) ? ' WHERE ' . pick("t < " . lit('timestamptz', fmt_ts($GS{t} - rnd(86400e6))),
		'i4 > ' . (rnd(2000) - 1000), "$c IS NOT NULL") : '';
	my $sql = "SELECT " . join(', ', (defined $key ? ($key) : ()), @a) . " FROM %A%$where"
	  . (defined $key ? " GROUP BY 1" : '');
	return { sql => $sql, ordered => 0, norm => [ (defined $key ? ('x') : ()), map { 'approx' } @a ] };
}

# DISTINCT ON (series) series, time ORDER BY series, time DESC (TimeseriesLastPoint)
sub gen_q_lastpoint
{
	my $key = pick('tl', 'i2', 'b', 'd', '(i4 % 7)');
	my $time = pick('t', 'tw', 'd', 'i4', 'tr');
	$key = 'tl' if $key eq 'd' && $time eq 'd';
	my $where = '';
	if (chance(0.4))
	{
		my $span = $GS{t} - $T0 * 1e6;
		$span = 1 if $span < 1;
		$where = " WHERE t < " . lit('timestamptz', fmt_ts($T0 * 1e6 + rnd($span)));
		$where .= ' AND ' . gen_pred(1) if chance(0.3);
	}
	my $sql = "SELECT DISTINCT ON ($key) $key, $time FROM %A%$where ORDER BY $key"
	  . pick('', ' DESC') . ", $time DESC" . pick('', ' NULLS LAST') . (chance(0.2) ? ' LIMIT ' . between(1, 5) : '');
	return { sql => $sql, ordered => 1, norm => [ 'x', 'x' ] };
}

sub gen_q_distinct
{
	if (chance(0.3))
	{
		my $on = pick(qw(tl b d i2 u));
		my @o = pick_n(between(1, 4), @COLNAMES);
		my $sql = "SELECT DISTINCT ON ($on) $on, " . join(', ', @o) . " FROM %A%" . where_clause()
		  . " ORDER BY $on, " . order_keys();
		return { sql => $sql, ordered => 1, norm => 'x' };
	}
	my @g = group_keys();
	my $sql = "SELECT DISTINCT " . join(', ', @g) . " FROM %A%" . where_clause();
	return { sql => $sql, ordered => 0, norm => 'x' };
}

# a restricted side of a join, to keep joins cheap
sub join_side
{
	my ($tab, $a, $must) = @_;
	my $m = pick(29, 50, 97);
	return "$tab $a" unless $must || chance(0.5);
	return "(SELECT * FROM $tab WHERE id % $m = " . rnd($m) . ") $a";
}

sub gen_q_join
{
	my $key = pick(qw(id i4 t u i8 d th));
	my $jt = pick('JOIN', 'JOIN', 'LEFT JOIN', 'RIGHT JOIN', 'FULL JOIN');
	my $from = "FROM " . join_side('%A%', 'a', 1) . " $jt " . join_side('%B%', 'b') . " ON a.$key = b.$key";
	$from .= " AND " . gen_pred(2, 'b') if chance(0.3) && $jt !~ /FULL/;
	my $where = chance(0.7) ? ' WHERE ' . gen_pred(1, pick('a', 'b')) : '';
	if ($key eq 'd' || $key eq 'th')    # could be large: always restrict
	{
		$where .= ($where ? ' AND ' : ' WHERE ') . 'a.id % 97 = ' . rnd(97);
	}
	if (chance(0.4))
	{
		my @a = agg_exprs(pick('a.', 'b.'));
		return { sql => "SELECT count(*), " . join(', ', map { $_->[0] } @a) . " $from$where",
			ordered => 0, norm => [ 'x', map { $_->[1] } @a ] };
	}
	my @cols = ('a.id', 'b.id', map { pick('a.', 'b.') . $_ } pick_n(between(1, 4), @COLNAMES));
	return { sql => "SELECT " . join(', ', @cols) . " $from$where", ordered => 0, norm => 'x' };
}

sub gen_q_window
{
	my @w = (
		'count(*) OVER (PARTITION BY tl)', 'rank() OVER (PARTITION BY b ORDER BY i4)',
		'dense_rank() OVER (ORDER BY d DESC NULLS LAST)', 'row_number() OVER (ORDER BY t, id)',
		'sum(i4) OVER (PARTITION BY tl ORDER BY id)', 'lag(i8) OVER (ORDER BY t, id)',
		'lead(th, 2) OVER (PARTITION BY d ORDER BY id)',
		'first_value(n) OVER (PARTITION BY tl ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)',
		'ntile(4) OVER (ORDER BY id)', 'max(t) OVER (PARTITION BY i2)',
		'sum(n) OVER (PARTITION BY b)', 'count(f8) OVER (ORDER BY i2 RANGE BETWEEN 5 PRECEDING AND 5 FOLLOWING)',
		'last_value(u) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 3 FOLLOWING)',
		'percent_rank() OVER (PARTITION BY tl ORDER BY i8)',
	);
	# one window per query: exact duplicate rows (the 'dup' loads) tie in
	# every order, and two windows ordered differently pair their values
	# with the copies arbitrarily
	my @sel = ('id', pick_n(rnd(3), @COLNAMES), pick_n(1, @w));
	my $sql = "SELECT " . join(', ', @sel) . " FROM %A%" . where_clause();
	return { sql => $sql, ordered => 0, norm => 'x' };
}

sub gen_q_subquery
{
	my $m = pick(500, 1000);
	my $outer = "a.id % $m = " . rnd($m);
	my $r = rand();
	my $sub;
	if ($r < 0.3)
	{
		my $c = pick(qw(i4 tl d i2 u));
		$sub = "a.$c " . pick('IN', 'NOT IN') . " (SELECT b.$c FROM %B% b" . where_clause('b') . ")";
		$outer = '';    # hashed subplan: cheap
	}
	elsif ($r < 0.6)
	{
		my $c = pick(qw(tl i2 d b));
		$sub = pick('EXISTS', 'NOT EXISTS') . " (SELECT 1 FROM %B% b WHERE b.$c = a.$c AND "
		  . gen_pred(1, 'b') . ")";
	}
	else
	{
		my $c = pick(qw(tl i2 b));
		my $agg = pick('max(b.i4)', 'count(*)', 'min(b.th)', 'sum(b.i8)');
		return { sql => "SELECT a.id, (SELECT $agg FROM %B% b WHERE b.$c = a.$c) FROM %A% a WHERE $outer",
			ordered => 0, norm => 'x' };
	}
	my $w = join(' AND ', grep { $_ ne '' } $outer, $sub);
	my @cols = ('a.id', map { "a.$_" } pick_n(between(1, 3), @COLNAMES));
	return { sql => "SELECT " . join(', ', @cols) . " FROM %A% a WHERE $w", ordered => 0, norm => 'x' };
}

sub gen_q_setop
{
	my @g = group_keys();
	my $op = pick('UNION', 'UNION ALL', 'INTERSECT', 'INTERSECT ALL', 'EXCEPT', 'EXCEPT ALL');
	my $list = join(', ', @g);
	return { sql => "SELECT $list FROM %A%" . where_clause() . " $op SELECT $list FROM %B%" . where_clause(),
		ordered => 0, norm => 'x' };
}

my @SHAPES = (
	rows => 5, topn => 3, count => 4, agg => 5, distinct => 1.5, join => 2.5,
	window => 1.5, subquery => 1.5, setop => 1, gapfill => 1.5, topn_agg => 1,
	lastpoint => 1, topn_time => 1.5, float_stats => 0.7,
);
my %SHAPE_GEN = (
	rows => \&gen_q_rows, topn => \&gen_q_topn, count => \&gen_q_count, agg => \&gen_q_agg,
	distinct => \&gen_q_distinct, join => \&gen_q_join, window => \&gen_q_window,
	subquery => \&gen_q_subquery, setop => \&gen_q_setop, gapfill => \&gen_q_gapfill,
	topn_agg => \&gen_q_topn_agg, lastpoint => \&gen_q_lastpoint, topn_time => \&gen_q_topn_time,
	float_stats => \&gen_q_float_stats,
);

# the shapes' weights, or only the shapes --shapes names (comma-separated)
sub shape_weights
{
	return @SHAPES unless $opt{shapes};
	my %only = map { $_ => 1 } split /,/, $opt{shapes};
	my @w = @SHAPES;
	return map { $only{ $w[ 2 * $_ ] } ? ($w[ 2 * $_ ], $w[ 2 * $_ + 1 ]) : () } 0 .. $#w / 2;
}

# planner settings tried for some queries (identical for both sides)
my @PLAN_GUCS = (
	'enable_hashagg = off', 'enable_sort = off', 'enable_hashjoin = off', 'enable_mergejoin = off',
	'enable_nestloop = off', 'enable_material = off', "work_mem = '64kB'", 'enable_seqscan = off',
	'jit = off', 'enable_memoize = off', 'enable_incremental_sort = off',
	'timeseries.enable_custom_scan = off', 'parallel_setup_cost = 0', 'parallel_tuple_cost = 0',
	'min_parallel_table_scan_size = 0',
);

sub gen_query
{
	my $shape = wpick(shape_weights());
	@PARAMS = ();
	$USE_PARAMS = chance(0.25);
	my $q = $SHAPE_GEN{$shape}->();
	$q->{shape} = $shape;
	$q->{params} = [@PARAMS];
	$q->{gucs} = chance(0.3) ? [ pick_n(between(1, 2), @PLAN_GUCS) ] : [];
	# sometimes a parallel plan (for aggregates: TimeseriesAgg under a
	# Gather, TimeseriesCombine above it)
	push @{ $q->{gucs} }, 'max_parallel_workers_per_gather = 2', 'parallel_setup_cost = 0',
	  'parallel_tuple_cost = 0', 'min_parallel_table_scan_size = 0'
	  if chance(0.15);
	$q->{cursor} = (!@PARAMS && chance(0.12)) ? [ between(1, 5), between(1, 200) ] : undef;
	$q->{side_b} = chance(0.5) ? 'twin_heap' : 'twin_ts';
	$USE_PARAMS = 0;
	return $q;
}

###########################################################################
# running and comparing
###########################################################################

sub inst
{
	my ($q, $a, $b) = @_;
	(my $s = $q->{sql}) =~ s/%A%/$a/g;
	$s =~ s/%B%/$b/g;
	return $s;
}

# Runs query $q against tables ($a, $b); returns list of results, each
# { rows => [...] } or { error => msg }.
sub run_query
{
	my ($q, $a, $b) = @_;
	my $sql = inst($q, $a, $b);
	my @res;
	my $pre = join('', map { "SET $_;\n" } @{ $q->{gucs} });
	my $post = join('', map { my ($n) = split / = /; "RESET $n;\n" } @{ $q->{gucs} });
	ps_do($pre) if $pre;
	my $one = sub {
		my ($s) = @_;
		my ($out, $err) = ps_run($s);
		return { error => err_norm($err) } if $err ne '';
		return { rows => parse_rows($out) };
	};
	if (@{ $q->{params} })
	{
		my $types = join(', ', map { $_->[0] } @{ $q->{params} });
		my $args = join(', ', map { q_lit($_->[1]) . "::$_->[0]" } @{ $q->{params} });
		my ($out, $err) = ps_run("SET plan_cache_mode = force_generic_plan;\nPREPARE dq($types) AS $sql;\n");
		if ($err ne '') { push @res, { error => err_norm($err) } }
		else
		{
			push @res, $one->("EXECUTE dq($args);") for 1 .. 2;
		}
		ps_run("DEALLOCATE ALL;\nRESET plan_cache_mode;\n");
	}
	elsif ($q->{cursor})
	{
		my ($f1, $f2) = @{ $q->{cursor} };
		my ($out, $err) = ps_run("BEGIN;\nDECLARE dc NO SCROLL CURSOR FOR $sql;\n");
		if ($err ne '') { push @res, { error => err_norm($err) } }
		else
		{
			my @rows;
			my $e;
			for my $f ("FETCH $f1 FROM dc;", "FETCH $f2 FROM dc;", "FETCH ALL FROM dc;")
			{
				my $r = $one->($f);
				if ($r->{error}) { $e = $r; last }
				push @rows, @{ $r->{rows} };
			}
			push @res, $e // { rows => \@rows };
		}
		ps_run("ROLLBACK;\n");
	}
	else
	{
		push @res, $one->("$sql;");
	}
	ps_do($post) if $post;
	return \@res;
}

sub norm_val
{
	my ($k, $v) = @_;
	return $v if !defined $v || $k eq 'x' || $v eq '<NULL>';
	if ($k eq 'num')
	{
		$v =~ s/^(-?\d+)\.(\d*?)0+$/$2 eq '' ? $1 : "$1.$2"/e;
		$v =~ s/^(-?\d+)\.$/$1/;
		return $v;
	}
	if ($k eq 'fz' || $k eq 'approx') { return $v eq '-0' ? '0' : $v }
	return $v;
}

sub approx_eq
{
	my ($x, $y) = @_;
	return 1 if $x eq $y;
	my $num = qr/^-?(?:\d+\.?\d*(?:e[-+]?\d+)?)$/i;
	return 0 unless $x =~ $num && $y =~ $num;
	my $d = abs($x - $y);
	my $m = abs($x) > abs($y) ? abs($x) : abs($y);
	return $d <= 1e-9 * $m + 1e-6;
}

# normalize result rows of query $q; returns list of [key, row]
sub norm_rows
{
	my ($q, $rows) = @_;
	my @out;
	for my $line (@$rows)
	{
		my $r = [ split /\x1f/, $line, -1 ];
		my @n;
		for my $i (0 .. $#$r)
		{
			my $k = ref $q->{norm} ? ($q->{norm}[$i] // 'x') : 'x';
			push @n, norm_val($k, $r->[$i]);
		}
		my $key = join("\x1f", map {
			my $k = ref $q->{norm} ? ($q->{norm}[$_] // 'x') : 'x';
			$k eq 'approx' ? '' : $n[$_]
		} 0 .. $#n);
		push @out, [ $key, \@n ];
	}
	@out = map { [ $_->[0], $_->[1] ] }
	  sort { $a->[0] cmp $b->[0] || $a->[2] cmp $b->[2] }
	  map { [ $_->[0], $_->[1], join("\x1f", @{ $_->[1] }) ] } @out
	  unless $q->{ordered};
	return \@out;
}

# returns '' if equal, else a description of the difference
sub compare
{
	my ($q, $h, $t) = @_;
	if ($h->{error} || $t->{error})
	{
		return '' if ($h->{error} // '') eq ($t->{error} // '');
		return "heap: " . ($h->{error} // scalar(@{ $h->{rows} }) . " rows") . "\n"
		  . "ts:   " . ($t->{error} // scalar(@{ $t->{rows} }) . " rows") . "\n";
	}
	# fast paths: identical output, or identical after sorting
	my $exact = !ref $q->{norm} || !grep { $_ ne 'x' } @{ $q->{norm} };
	if ($exact)
	{
		my ($hl, $tl) = ($h->{rows}, $t->{rows});
		if (@$hl == @$tl)
		{
			if ($q->{ordered}) { return '' if join("\x1e", @$hl) eq join("\x1e", @$tl) }
			else { return '' if join("\x1e", sort @$hl) eq join("\x1e", sort @$tl) }
		}
	}
	my $hn = norm_rows($q, $h->{rows});
	my $tn = norm_rows($q, $t->{rows});
	my $same = @$hn == @$tn;
	if ($same)
	{
		for my $i (0 .. $#$hn)
		{
			my ($hr, $tr) = ($hn->[$i][1], $tn->[$i][1]);
			if ($hn->[$i][0] ne $tn->[$i][0] || @$hr != @$tr) { $same = 0; last }
			for my $j (0 .. $#$hr)
			{
				my $k = ref $q->{norm} ? ($q->{norm}[$j] // 'x') : 'x';
				next if $hr->[$j] eq $tr->[$j];
				if ($k eq 'approx' && approx_eq($hr->[$j], $tr->[$j])) { next }
				$same = 0;
				last;
			}
			last unless $same;
		}
	}
	return '' if $same;
	# describe: rows only in one side (as multisets), or order difference
	my (%hc, %tc);
	$hc{ join('|', @{ $_->[1] }) }++ for @$hn;
	$tc{ join('|', @{ $_->[1] }) }++ for @$tn;
	my (@oh, @ot);
	for my $k (sort keys %hc) { push @oh, ("- $k") x ($hc{$k} - ($tc{$k} // 0)) if $hc{$k} > ($tc{$k} // 0) }
	for my $k (sort keys %tc) { push @ot, ("+ $k") x ($tc{$k} - ($hc{$k} // 0)) if $tc{$k} > ($hc{$k} // 0) }
	my $d = sprintf("heap %d rows, ts %d rows; %d only in heap (-), %d only in ts (+)\n",
		scalar @$hn, scalar @$tn, scalar @oh, scalar @ot);
	$d .= "same multiset, different order (or approx values differ)\n" if !@oh && !@ot;
	my @lines = (@oh[ 0 .. ($#oh < 9 ? $#oh : 9) ], @ot[ 0 .. ($#ot < 9 ? $#ot : 9) ]);
	$d .= join('', map { my $l = $_; $l =~ s/\x1f/|/g; substr($l, 0, 300) . "\n" } @lines);
	return $d;
}

###########################################################################
# main
###########################################################################

my $total_fail = 0;
my $CONTEXT = '';
my %stats;

# Count the timeseries nodes in the plan of a general query (with its
# planner settings), to show which paths the run exercised.
sub plan_nodes
{
	my ($q) = @_;
	my $pre = join('', map { "SET $_;\n" } @{ $q->{gucs} });
	my $post = join('', map { my ($n) = split / = /; "RESET $n;\n" } @{ $q->{gucs} });
	ps_do($pre) if $pre;
	my ($out, $err) = ps_run("EXPLAIN (COSTS OFF) " . inst($q, 'twin_ts', $q->{side_b}) . ";");
	ps_do($post) if $post;
	return if $err ne '';
	my %seen = map { $_ => 1 } (join("\n", @{ parse_rows($out) }) =~ /(Timeseries\w+)/g);
	$stats{node}{$_}++ for keys %seen;
}

###########################################################################
# filter cases: random WHERE clauses for TimeseriesScan
###########################################################################
#
# A filter case is one query whose WHERE clause on the timeseries table is
# random, built mostly from the shapes TimeseriesScan evaluates over vectors
# (column op value with values of the same or another type, constants on
# either side, BETWEEN, IN lists with NULLs, NOT IN, = ANY / <> ALL (array),
# IS [NOT] NULL, boolean columns, stable values such as now() - interval,
# values of init plans; AND/OR/NOT of those), sometimes mixed with clauses
# that stay in the executor.  Its values are slots: literals in the plain
# query, $n parameters in the prepared one.  The case runs in one
# transaction (now() is the same for both tables), in one psql round trip:
#
# - plain, with TimeseriesScan on and off;
# - PREPAREd, EXECUTEd with $opt{filter_execs} parameter sets under
#   plan_cache_mode force_generic_plan and force_custom_plan (and sometimes
#   auto), each result compared with the heap table's for the same set;
# - sometimes through cursors: NO SCROLL, SCROLL with backward, absolute and
#   relative fetches (unordered SCROLL cursors are checked against the
#   cursor's own row order, then as a multiset), WITH HOLD across a commit;
# - sometimes after inserting rows into both tables in the same, still
#   uncommitted transaction (with small chunk_rows/vector_rows so that some
#   rows are in chunks and some still buffered), inside savepoints, with a
#   cursor opened before the inserts; the transaction then rolls back or
#   commits.
#
# Query forms include rescans of the filtered scan: correlated scalar and
# EXISTS subqueries and LATERAL subqueries whose filter takes a value from
# the outer row, nested loops (hash and merge joins off), LIMIT, FOR SHARE.
#
# When every qual on a timeseries table in the query has a supported shape
# ("vectorizable" case), the timeseries runs are made under
# timeseries.debug_require_vectorized, which fails the query if a qual is
# left to the executor or the table is read by a plain sequential scan.
# A sample of cases is EXPLAINed (must show TimeseriesScan, never a Seq Scan
# on twin_ts) and EXPLAIN ANALYZEd (chunks read/pruned, rows removed by the
# vectorized filter are summed up in the summary line).

my @SLOTS;           # value slots of the case being built: { type, gen, nullp }
my $F_NULLP = 0;     # chance of a NULL comparison value
my $F_NONVEC = 0;    # chance of an atom the scan cannot vectorize
my %FSTATS;
my @COLLATIONS;      # usable collations (found at start)
my $DAYS_T0 = int(($NOW - $T0) / 86400);    # age of column t's data in days

sub slot
{
	my ($type, $gen, $nullp) = @_;
	push @SLOTS, { type => $type, gen => $gen, nullp => $nullp // 0 };
	return "\x02" . $#SLOTS . "\x02";
}

sub slot_values
{
	return [ map { chance($_->{nullp}) ? undef : scalar $_->{gen}->() } @SLOTS ];
}

sub typed_lit
{
	my ($v, $type) = @_;
	return defined $v ? q_lit($v) . "::$type" : "NULL::$type";
}

# the query with its slots as literals (values given) or as $n parameters
sub fill_slots
{
	my ($sql, $vals) = @_;
	$sql =~ s/\x02(\d+)\x02/defined $vals ? typed_lit($vals->[$1], $SLOTS[$1]{type}) : '$' . ($1 + 1)/ge;
	return $sql;
}

sub int_fits
{
	my ($v, $t) = @_;
	return 0 unless defined $v && $v =~ /^-?\d+$/;
	return length($v) <= 19 || $v =~ /^-?9223372036854775(80[0-7]|[0-7]\d\d)$/ if $t eq 'int8';
	return 1 if $t eq 'numeric';
	return 0 if length($v) > 12;
	my $m = $t eq 'int2' ? 32767 : 2147483647;
	return $v >= -$m - 1 && $v <= $m;
}

sub is_special_float { return $_[0] =~ /^-?(NaN|Infinity|inf)$|^-?0$/i }

sub float4_ok
{
	my ($v) = @_;
	return 1 if is_special_float($v);
	return 0 unless $v =~ /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
	return $v == 0 || (abs($v) >= 1e-37 && abs($v) <= 3e38);
}

sub first_chars
{
	my ($v, $n) = @_;
	return $v =~ /^((?:[\x00-\x7f]|[\xc0-\xff][\x80-\xbf]*){0,$n})/ ? $1 : '';
}

# a value for column $c written as a literal of type $t
sub vval
{
	my ($c, $t) = @_;
	my $k = $c->{kind};
	my $v = value_for($c);
	$v = '' unless defined $v;
	if ($k eq 'int')
	{
		if ($t eq 'oid')
		{
			$v = rnd(2000) - 1000 unless int_fits($v, 'int4');
			return $v < 0 ? $v + 4294967296 : $v;
		}
		$v = pick(-32768, 32767, 0, -1, 1, -2147483648, 2147483647, 32768, -32769, 2147483648,
			'9223372036854775807', '-9223372036854775808') if chance(0.12);
		$v += pick(-1, 1) if chance(0.1) && int_fits($v, 'int4');
		$v = rnd(200) - 100 unless int_fits($v, $t eq 'float8' ? 'int8' : $t);
		$v .= '.5' if $t eq 'numeric' && chance(0.3);
		return $v;
	}
	if ($k eq 'float')
	{
		$v = pick('NaN', 'Infinity', '-Infinity', '-0', '0', '1e-300', '5e-324', '0.1', '-1.5', '1e300',
			'-2.2250738585072014e-308') if chance(0.15);
		if ($t eq 'float4' || ($t eq 'numeric' && $c->{type} eq 'float4'))
		{
			$v = pick('NaN', 'Infinity', '-Infinity', '-0', '0', '0.5', '-2.25', '100', '1e-30', '3.4e38')
			  unless float4_ok($v);
		}
		elsif ($t eq 'int4' || $t eq 'int8')
		{
			$v = (!is_special_float($v) && $v =~ /^-?[\d.]+(e[-+]?\d+)?$/i && abs($v) < 2e9)
			  ? int($v) : rnd(200) - 100;
		}
		$v = 'Infinity' if $t eq 'numeric' && $v =~ /^inf/i;
		return $v;
	}
	if ($k eq 'num')
	{
		$v = pick('NaN', 'Infinity', '-Infinity', '0', '-0.000', '1e-20', '99999999999999999999.5')
		  if chance(0.1);
		if ($t eq 'int4' || $t eq 'int8')
		{
			$v = ($v =~ /^-?\d+(\.\d+)?$/ && abs($v) < 2e9) ? int($v) : rnd(2000) - 1000;
		}
		return $v;
	}
	if ($k eq 'ts')
	{
		$v = pick('infinity', '-infinity') if chance(0.03);
		return $v =~ /infinity/ ? $v : substr($v, 0, 10) if $t eq 'date';
		return $v;
	}
	if ($k eq 'date')
	{
		$v = pick('infinity', '-infinity') if chance(0.03);
		return $v if $t eq 'date' || $v =~ /infinity/;
		return "$v " . pick('00:00:00', '12:30:00', '23:59:59.999999')
		  . ($t eq 'timestamptz' ? pick('+00', '', '-08', '+05:30') : '');
	}
	if ($k eq 'time')
	{
		return chance(0.1) ? pick('00:00:00', '24:00:00', '12:00:00') : $v;
	}
	if ($k eq 'text')
	{
		my $r = rand();
		if ($r < 0.1) { $v = uc $v }
		elsif ($r < 0.15) { $v = ucfirst lc $v }
		elsif ($r < 0.22) { $v = first_chars($v, between(0, 3)) }
		elsif ($r < 0.27) { $v .= pick('z', ' ', "\xc3\xa9", 'A') }
		elsif ($r < 0.35)
		{
			$v = pick('', 'A', 'a', 'Z', '~', ' ', "\xc3\x9cmlaut", "\xc3\xbcmlaut", 'ALPHA', 'Alpha', 'alpha ',
				"\xe6\x97\xa5", "\xf0\x9f\x98\x80", "\xc3\xa9", 'e', 'E', 'item-000100', 'v000010');
		}
		$v = first_chars($v, 60) if $t eq 'name';
		return $v;
	}
	return pick('t', 'f') if $k eq 'bool';
	return $v;
}

# literal types for comparisons with column $c: [type, vectorizable, weight]
sub lit_types
{
	my ($c) = @_;
	my ($k, $ct) = ($c->{kind}, $c->{type});
	$ct = 'varchar' if $ct =~ /^varchar/;
	if ($k eq 'int')
	{
		return ([ $ct, 1, 5 ], [ 'int2', 1, 1 ], [ 'int4', 1, 1 ], [ 'int8', 1, 1 ],
			[ 'numeric', 0, 0.4 ], [ 'float8', 0, 0.3 ], ($c->{name} eq 'i4' ? ([ 'oid', 1, 0.3 ]) : ()));
	}
	return ([ $ct, 1, 5 ], [ $ct eq 'float8' ? 'float4' : 'float8', 1, 1.5 ], [ 'int4', 1, 0.7 ],
		[ 'int8', 1, 0.3 ], [ 'numeric', 1, 0.5 ]) if $k eq 'float';
	return ([ 'numeric', 1, 5 ], [ 'int4', 1, 1 ], [ 'int8', 1, 0.5 ], [ 'float8', 0, 0.5 ]) if $k eq 'num';
	return ([ $ct, 1, 5 ], [ 'date', 1, 1 ], [ $ct eq 'timestamp' ? 'timestamptz' : 'timestamp', 1, 1 ])
	  if $k eq 'ts';
	return ([ 'date', 1, 5 ], [ 'timestamp', 1, 1 ], [ 'timestamptz', 1, 1 ]) if $k eq 'date';
	return ([ 'text', 1, 5 ], [ 'varchar', 1, 1.5 ], [ 'name', 1, 0.7 ], [ 'bpchar', 1, 0.5 ])
	  if $k eq 'text';
	return ([ $ct, 1, 1 ]);
}

sub pick_lit_type
{
	my ($c) = @_;
	my @t = lit_types($c);
	my @w = map { ($_, $_->[2]) } @t;
	my $x = wpick(@w);
	return @$x[ 0, 1 ];
}

my @F_WEIGHT = (id => 1, t => 2, tr => 2, tw => 1, tm => 0.7, i2 => 1.5, i4 => 2, i8 => 1.5, f4 => 1,
	f8 => 2, fx => 1, n => 1.5, tl => 1.5, th => 1, vc => 1, b => 1.5, d => 1.5, u => 0.3, bt => 0.3,
	iv => 0.5, j => 0.3, ia => 0.3);

sub f_col { return $COL{ wpick(@F_WEIGHT) } }

sub array_val
{
	my ($c, $t, $n) = @_;
	my @e = map { chance(0.12) ? 'NULL' : do { my $x = vval($c, $t); $x =~ s/(["\\])/\\$1/g; qq("$x") } } 1 .. $n;
	return '{{' . join(',', @e[ 0, 1 ]) . '},{' . join(',', @e[ 2, 3 ]) . '}}' if $n == 4 && chance(0.3);
	return '{' . join(',', @e) . '}';
}

# a text column, sometimes under an explicit collation (on either side)
sub collated
{
	my ($col, $c) = @_;
	return ($col, '') unless $c->{kind} eq 'text' && @COLLATIONS && chance(0.4);
	my $coll = ' COLLATE ' . pick(@COLLATIONS);
	return chance(0.6) ? ("$col$coll", '') : ($col, $coll);
}

sub f_interval_days
{
	my ($max) = @_;
	return sub {
		my $r = rand();
		return sprintf('%d days', rnd($max)) if $r < 0.5;
		return sprintf('%d hours', rnd($max * 24)) if $r < 0.8;
		return sprintf('%d days %02d:%02d:00', rnd($max), rnd(24), rnd(60)) if $r < 0.95;
		return pick('0', '-1 day', '1 mon');
	};
}

# values computed when the scan starts: stable expressions, init plans
sub f_stable_atom
{
	my ($p, $c) = @_;
	my $col = "$p$c->{name}";
	my $op = pick('=', '<>', '<', '<=', '>', '>=', '<', '>');
	my $n = $c->{name};
	if ($n eq 'tr' || $n eq 't' || $n eq 'd')
	{
		my $days = $n eq 'tr' ? 40 : $DAYS_T0 + 30;
		my $iv = sub { slot('interval', $n eq 'tr' ? f_interval_days(40)
			  : sub { sprintf('%d days %d hours', $DAYS_T0 - rnd(10) + 2, rnd(24)) }) };
		my $r = rand();
		return "$col $op now() - " . $iv->() if $r < 0.35;
		return "$col BETWEEN now() - " . $iv->() . " AND now() - " . $iv->() if $r < 0.45;
		return "$col $op current_date - " . slot('int4', sub { $n eq 'tr' ? rnd(40) : $DAYS_T0 - rnd(10) + 2 })
		  if $r < 0.55;
		return "$col $op date_trunc('day', now() - " . $iv->() . ")" if $r < 0.65;
		return "now() - " . $iv->() . " $op $col" if $r < 0.72;
		return "$col $op ANY (ARRAY[now() - " . $iv->() . ", " . slot($c->{type}, sub { vval($c, $c->{type}) }) . "])"
		  if $r < 0.8;
		return "$col $op " . slot('timestamptz', sub { vval($c, 'timestamptz') }) . ' + ' . slot('interval', f_interval_days(3))
		  if $r < 0.9;
		return "$col $op now()";
	}
	if ($n eq 'tw')
	{
		return "$col $op " . slot('timestamp', sub { vval($c, 'timestamp') }) . ' - ' . slot('interval', f_interval_days(3))
		  if chance(0.5);
		return "$col $op localtimestamp - " . slot('interval', sub { sprintf('%d days', $DAYS_T0 - 40 + rnd(20)) });
	}
	# an init plan's value (a Param of the scan)
	return "$col IS NOT NULL" unless $c->{kind} =~ /^(int|float|num|text|time|interval)$/;
	my $agg = pick('max', 'min');
	return "$col $op (SELECT $agg(ip.$n) FROM %B% ip WHERE ip.id < " . slot('int8', sub { rnd($GS{id} + 2) }) . ")";
}

# an atom the scan leaves to the executor (never errors)
sub f_nonvec_atom
{
	my ($p, $c) = @_;
	my $col = "$p$c->{name}";
	my $k = $c->{kind};
	my @a = ("$col IS DISTINCT FROM " . slot($c->{type} =~ /^varchar/ ? 'varchar' : $c->{type}, sub { vval($c, $c->{type}) }),
		"$col IS NOT DISTINCT FROM " . slot($c->{type} =~ /^varchar/ ? 'varchar' : $c->{type}, sub { vval($c, $c->{type}) }));
	push @a, "($col % 7) " . pick('=', '<', '<>') . ' ' . slot('int4', sub { rnd(9) - 4 }),
	  "$col < (random() * 0)::int + " . slot('int4', sub { vval($c, 'int4') }),
	  "$col > ${p}i2" if $k eq 'int';
	push @a, "-$col < " . slot('float8', sub { vval($c, 'float8') }), "$col > ${p}f4" if $k eq 'float';
	push @a, "-$col >= " . slot('numeric', sub { vval($c, 'numeric') }) if $k eq 'num';
	push @a, "$col LIKE " . slot('text', sub { first_chars(vval($c, 'text'), 2) . '%' }),
	  "lower($col) = " . slot('text', sub { lc vval($c, 'text') }), "length($col) > " . rnd(12),
	  "$col = ${p}tl" if $k eq 'text';
	push @a, "$col IS TRUE", "$col IS NOT FALSE", "$col IS UNKNOWN" if $k eq 'bool';
	push @a, "date_trunc('day', $col) = " . slot('timestamptz', sub { substr(vval($c, 'timestamptz'), 0, 10) }),
	  "$col < ${p}t" if $k eq 'ts' || $k eq 'date';
	return pick(@a);
}

# one atom: (sql, vectorizable)
sub f_atom
{
	my ($p) = @_;
	my $c = f_col();
	return (f_nonvec_atom($p, $c), 0) if chance($F_NONVEC);
	my $k = $c->{kind};
	my $col = "$p$c->{name}";
	my $scalar = $k !~ /^(json|intarr)$/;
	my $shape = wpick(cmp => 6, between => ($scalar ? 1.2 : 0), in => 1.5, any => ($k eq 'intarr' ? 0 : 1.5),
		null => 0.7, bool => ($k eq 'bool' ? 5 : 0), stable => ($k =~ /^(ts|date)$/ ? 1.5 : 0.15));
	if ($shape eq 'null') { return ("$col IS " . pick('NULL', 'NOT NULL'), 1) }
	if ($shape eq 'stable') { return (f_stable_atom($p, $c), 1) }
	if ($shape eq 'bool')
	{
		my $v = sub { slot('bool', sub { pick('t', 'f') }, @_) };
		return (pick($col, "NOT $col", "$col = " . $v->($F_NULLP), "$col <> " . $v->($F_NULLP),
			$v->($F_NULLP) . " = $col", "$col IN (" . $v->(0.2) . ', ' . $v->(0.2) . ')',
			"$col <> ALL ('{t,NULL}'::bool[])", "$col = ANY (" . slot('bool[]', sub { pick('{t}', '{f}', '{t,f}', '{NULL,f}', '{}') }) . ')'), 1);
	}
	my ($t, $vec) = pick_lit_type($c);
	my $gen = sub { vval($c, $t) };
	my ($lhs, $rcoll) = $t eq 'name' ? ($col, '') : collated($col, $c);
	if ($shape eq 'cmp')
	{
		my $op = pick('=', '<>', '<', '<=', '>', '>=', '!=');
		my $v = slot($t, $gen, $F_NULLP) . $rcoll;
		return (chance(0.25) ? "$v $op $lhs" : "$lhs $op $v", $vec);
	}
	if ($shape eq 'between')
	{
		return ("$lhs " . pick('BETWEEN', 'NOT BETWEEN', 'BETWEEN SYMMETRIC', 'NOT BETWEEN SYMMETRIC') . ' ('
			  . slot($t, $gen, $F_NULLP) . "$rcoll) AND (" . slot($t, $gen, $F_NULLP) . "$rcoll)", $vec);
	}
	($lhs) = $t eq 'name' ? ($col) : collated($col, $c);    # collation on the column only for lists
	if ($shape eq 'in')
	{
		my $n = between(1, 6);
		my @e = map { slot($t, $gen, $n > 1 ? 0.1 : $F_NULLP) } 1 .. $n;
		return ("$lhs " . pick('IN', 'NOT IN') . ' (' . join(', ', @e) . ')', $vec);
	}
	my $op = pick('=', '<>', '<', '<=', '>', '>=', '=', '<>');
	my $q = pick('ANY', 'ALL', 'SOME');
	if (chance(0.7))
	{
		my $n = pick(0, 1, 2, 3, 4, 5, 8, 30);
		return ("$lhs $op $q (" . slot("$t\[]", sub { array_val($c, $t, $n) }, $F_NULLP) . ')', $vec);
	}
	my @e = map { slot($t, $gen, 0.1) } 1 .. between(1, 4);
	return ("$lhs $op $q (ARRAY[" . join(', ', @e) . '])', $vec);
}

sub f_pred
{
	my ($depth, $p) = @_;
	my $r = rand();
	if ($depth < 3 && $r < 0.38)
	{
		if ($r < 0.05) { my ($s, $v) = f_pred($depth + 1, $p); return ("NOT ($s)", $v) }
		my $op = $r < 0.2 ? 'AND' : 'OR';
		my @k = map { [ f_pred($depth + 1, $p) ] } 1 .. pick(2, 2, 2, 3);
		return ('(' . join(" $op ", map { $_->[0] } @k) . ')', !grep { !$_->[1] } @k);
	}
	return f_atom($p);
}

# a WHERE condition: 1-3 conjuncts
sub f_where
{
	my ($p) = @_;
	my @k = map { [ f_pred(0, $p) ] } 1 .. pick(1, 1, 2, 2, 3);
	return (join(' AND ', map { $_->[0] } @k), !grep { !$_->[1] } @k);
}

# correlation with the outer row a (a Param of the inner scan)
my @CORR = ([ 'i4', 'i4' ], [ 'i4', 'i2' ], [ 'i2', 'i2' ], [ 'i8', 'i4' ], [ 'id', 'id' ], [ 't', 't' ],
	[ 'd', 'd' ], [ 'tr', 'tr' ], [ 'tl', 'tl' ], [ 'b', 'b' ], [ 'f8', 'f8' ], [ 'f8', 'f4' ], [ 'n', 'n' ],
	[ 't', 'd' ], [ 'tw', 'tw' ], [ 'tl', 'vc' ], [ 'th', 'th' ], [ 'tm', 'tm' ], [ 'fx', 'fx' ]);

sub f_corr
{
	my $r = rand();
	return 'b.i4 = ANY (a.ia)' if $r < 0.05;
	return 'b.i4 IN (a.i4, a.i2, ' . slot('int4', sub { rnd(200) - 100 }) . ')' if $r < 0.1;
	return 'b.i4 BETWEEN a.i2 AND a.i4' if $r < 0.14;
	return "b.t > a.t - interval '1 hour'" if $r < 0.18;
	my ($x, $y) = @{ pick(@CORR) };
	my $op = $x =~ /^(b|tl|vc|th)$/ ? pick('=', '<>', '<', '>=') : pick('=', '<', '>=', '<>', '<=', '>');
	return chance(0.2) ? "a.$y $op b.$x" : "b.$x $op a.$y";
}

# outer side of rescan forms: a few rows (vectorizable on a timeseries table)
sub f_outer
{
	my $w = between(1, 6);
	my $lo = rnd($GS{id} + 1);
	return "a.id BETWEEN $lo AND " . ($lo + $w);
}

sub f_cols
{
	my ($p) = @_;
	my $r = rand();
	return "$p*" if $r < 0.08;
	return '1 AS one' if $r < 0.15;
	return "${p}id" if $r < 0.25;
	return "x::text" if $r < 0.29 && $p eq 'x.';
	return "${p}id, ${p}tableoid::regclass::text LIKE 'twin%' AS own_table, ${p}ctid IS NOT NULL AS has_ctid"
	  if $r < 0.33;
	return join(', ', map { "$p$_" } pick_n(between(1, 4), @COLNAMES));
}

# forms: each returns { sql, vec, ordered, norm, gucs, cursor, b_nonvec }
my %FORMS = (
	rows => sub {
		my ($w, $v) = f_where('x.');
		my $cols = f_cols('x.');
		# cursors fetch everything twice and more: only over narrow rows
		return { sql => "SELECT $cols FROM %A% x WHERE $w", vec => $v, cursor => $cols !~ /\*|::text/, big => 1 };
	},
	topn => sub {
		my ($w, $v) = f_where('x.');
		my $cols = f_cols('x.');
		my $sql = "SELECT $cols FROM %A% x WHERE $w ORDER BY x.id" . pick('', ' DESC');
		my $cur = $cols !~ /\*|::text/ && chance(0.5);
		$sql .= ' LIMIT ' . pick(1, 3, 10, 50) . (chance(0.3) ? ' OFFSET ' . pick(1, 5) : '') unless $cur;
		return { sql => $sql, vec => $v, ordered => 1, cursor => $cur };
	},
	agg => sub {
		my ($w, $v) = f_where('x.');
		my @a = agg_exprs('x.');
		# aggregates with random FILTER clauses (values are slots too)
		push @a, [ "count(*) FILTER (WHERE " . (f_where('x.'))[0] . ")", 'x' ] if chance(0.3);
		push @a, [ "sum(x.i4) FILTER (WHERE " . (f_where('x.'))[0] . ")", 'x' ] if chance(0.2);
		push @a, [ "max(x.t) FILTER (WHERE " . (f_where('x.'))[0] . ")", 'x' ] if chance(0.15);
		my $g = chance(0.4) ? pick('x.tl', 'x.b', 'x.i2', "date_trunc('day', x.tr)", 'x.vc') : '';
		my $sql = "SELECT " . join(', ', ($g ? ($g) : ()), map { $_->[0] } @a) . " FROM %A% x WHERE $w"
		  . ($g ? " GROUP BY $g" : '');
		return { sql => $sql, vec => $v, norm => [ ($g ? ('x') : ()), map { $_->[1] } @a ] };
	},
	# no WHERE clause: aggregates that may be answered from chunk metadata
	# (also after uncommitted inserts)
	agg_all => sub {
		my $c = pick(qw(i2 i4 i8 id t tr d tw tm f8));
		my $g = chance(0.3) ? pick('x.b', 'x.tl') : '';
		my $sql = "SELECT " . ($g ? "$g, " : '') . "count(*), count(x.$c), min(x.$c), max(x.$c)"
		  . (chance(0.5) ? ", min(x.i4), max(x.t)" : '') . " FROM %A% x" . ($g ? " GROUP BY $g" : '');
		return { sql => $sql, vec => 1, norm => [ map { 'fz' } 1 .. 8 ] };
	},
	limit => sub {
		my ($w, $v) = f_where('x.');
		return { sql => pick("SELECT count(*) FROM (SELECT 1 FROM %A% x WHERE $w LIMIT " . pick(1, 2, 10, 100) . ") s",
				"SELECT EXISTS (SELECT 1 FROM %A% x WHERE $w)",
				"SELECT count(*) FROM (SELECT x.id FROM %A% x WHERE $w OFFSET " . pick(1, 10) . ") s"),
			vec => $v };
	},
	sub_scalar => sub {
		my ($w, $v) = f_where('b.');
		my $corr = f_corr();
		my $e = pick('count(*)', 'max(b.id)', 'min(b.i4)', 'sum(b.i2)', 'count(b.th)', 'max(b.tr)', 'bool_or(b.b)');
		my $sub = chance(0.2) ? "(SELECT b.th FROM %A% b WHERE $corr AND $w ORDER BY b.id LIMIT 1)"
		  : "(SELECT $e FROM %A% b WHERE $corr AND $w)";
		return { sql => "SELECT a.id, $sub FROM %B% a WHERE " . f_outer(), vec => $v };
	},
	sub_exists => sub {
		my ($w, $v) = f_where('b.');
		my $corr = f_corr();
		return { sql => "SELECT a.id, a.i4 FROM %B% a WHERE " . f_outer() . ' AND ' . pick('EXISTS', 'NOT EXISTS')
			  . " (SELECT 1 FROM %A% b WHERE $corr AND $w" . pick('', '', ' OFFSET 0') . ')',
			vec => $v, b_nonvec => 1 };
	},
	lateral => sub {
		my ($w, $v) = f_where('b.');
		my $corr = f_corr();
		my $cols = join(', ', map { "b.$_" } pick_n(between(0, 3), grep { $_ ne 'id' } @COLNAMES));
		my $inner = "SELECT b.id" . ($cols ? ", $cols" : '') . " FROM %A% b WHERE $corr AND $w"
		  . pick(' ORDER BY b.id LIMIT ' . between(1, 4), ' ORDER BY b.id DESC LIMIT 2', ' OFFSET 0');
		my $left = chance(0.4);
		return { sql => "SELECT a.id AS aid, x.* FROM %B% a " . ($left ? 'LEFT JOIN' : 'CROSS JOIN')
			  . " LATERAL ($inner) x" . ($left ? ' ON true' : '') . ' WHERE ' . f_outer(), vec => $v };
	},
	# the inner side returns a value of the outer row: the planner makes the
	# scan of b parameterized by a, a path TimeseriesScan does not offer
	# (b is then read by a plain sequential scan; no debug_require_vectorized)
	lateral_phv => sub {
		my ($w) = f_where('b.');
		return { sql => "SELECT a.id, count(x.id), min(x.tl), max(x.ai2) FROM %B% a LEFT JOIN LATERAL "
			  . "(SELECT b.id, b.tl, a.i2 AS ai2 FROM %A% b WHERE $w) x ON true WHERE " . f_outer() . " GROUP BY a.id",
			vec => 0, seq_ok => 1 };
	},
	nestloop => sub {
		my ($w, $v) = f_where('b.');
		my ($ka, $kb) = @{ pick([ 'i2', 'i2' ], [ 'tl', 'tl' ], [ 'b', 'b' ], [ 'd', 'd' ], [ 'i4', 'i4' ],
				[ 'tl', 'vc' ], [ 'tm', 'tm' ], [ 'i2', 'i4' ]) };
		my @g = ('enable_hashjoin = off', 'enable_mergejoin = off');
		push @g, 'enable_material = off' if chance(0.6);
		push @g, 'enable_memoize = off' if chance(0.5);
		my $agg = "count(b.id), min(b.id), max(b." . pick(qw(th tr f8 n i8)) . ")";
		# a LEFT JOIN keeps the few rows of a on the outer side (a nested
		# loop cannot have them inside): b is scanned once per row of a
		my $sql = "SELECT a.id, $agg FROM %B% a LEFT JOIN %A% b ON a.$ka = b.$kb AND $w WHERE " . f_outer()
		  . " GROUP BY a.id";
		return { sql => $sql, vec => $v, gucs => \@g };
	},
	in_sub => sub {
		my ($w, $v) = f_where('b.');
		my $k = pick(qw(i2 i4 tl d tm vc));
		my @g = chance(0.5) ? ('enable_hashagg = off') : ();
		return { sql => "SELECT a.id, a.$k FROM %B% a WHERE " . f_outer() . " AND a.$k " . pick('IN', 'NOT IN')
			  . " (SELECT b.$k FROM %A% b WHERE $w)", vec => $v, b_nonvec => 1, gucs => \@g };
	},
	share => sub {
		my ($w, $v) = f_where('x.');
		my $lo = rnd($GS{id} + 1);
		$w = "x.id BETWEEN $lo AND " . ($lo + between(10, 300)) . " AND $w";    # row locks are slow
		return { sql => "SELECT x.id, x.tl, x.i4 FROM %A% x WHERE $w " . pick('FOR SHARE', 'FOR KEY SHARE'),
			vec => $v, big => 1 };
	},
	union => sub {
		my ($w1, $v1) = f_where('x.');
		my ($w2, $v2) = f_where('y.');
		return { sql => "SELECT x.id, x.i4, x.tl FROM %A% x WHERE $w1 " . pick('UNION ALL', 'UNION', 'EXCEPT')
			  . " SELECT y.id, y.i4, y.tl FROM %A% y WHERE $w2", vec => $v1 && $v2, big => 1 };
	},
	cte => sub {
		my ($w, $v) = f_where('x.');
		return { sql => "WITH s AS MATERIALIZED (SELECT * FROM %A% x WHERE $w) "
			  . "SELECT count(*), min(s.id), max(s.id), count(DISTINCT s.tl) FROM s", vec => $v };
	},
);
my @FORM_W = (rows => 5, topn => 2, agg => 2, agg_all => 0.5, limit => 1, sub_scalar => 1.5, sub_exists => 1,
	lateral => 1.5, lateral_phv => 0.3, nestloop => 1.5, in_sub => 0.7, share => 0.4, union => 0.5, cte => 0.4);

# cursor operations, and what they return given the cursor's rows in order
sub cursor_ops
{
	my ($scroll, $ordered) = @_;
	my @ops;
	for (1 .. between(2, 7))
	{
		push @ops, $scroll
		  ? pick('FETCH ' . between(1, 20), 'FETCH NEXT', 'FETCH PRIOR', 'FETCH FIRST', 'FETCH LAST',
			'FETCH ABSOLUTE ' . (rnd(40) - 10), 'FETCH RELATIVE ' . (rnd(21) - 10), 'FETCH BACKWARD ' . between(1, 20),
			'FETCH FORWARD ' . between(1, 30), 'MOVE ' . between(1, 10), 'MOVE BACKWARD ' . between(1, 5),
			'FETCH BACKWARD ALL', 'FETCH ALL', 'MOVE ABSOLUTE ' . rnd(20), 'FETCH FORWARD 0')
		  : pick('FETCH ' . between(1, 30), 'FETCH NEXT', 'FETCH FORWARD ' . between(1, 50),
			($ordered ? ('MOVE ' . between(1, 10)) : ()));
	}
	return @ops;
}

sub cursor_sim
{
	my ($ops, $L) = @_;
	my $n = @$L;
	my $pos = 0;
	my @exp;
	my $fwd = sub {
		my ($k) = @_;
		my @r;
		for (1 .. $k) { if ($pos < $n) { $pos++; push @r, $L->[ $pos - 1 ] } else { $pos = $n + 1; last } }
		return @r;
	};
	my $bwd = sub {
		my ($k) = @_;
		my @r;
		for (1 .. $k) { if ($pos > 1) { $pos--; push @r, $L->[ $pos - 1 ] } else { $pos = 0; last } }
		return @r;
	};
	my $abs = sub {
		my ($k) = @_;
		$k = $n + 1 + $k if $k < 0;
		if ($k >= 1 && $k <= $n) { $pos = $k; return ($L->[ $k - 1 ]) }
		$pos = $k > $n ? $n + 1 : 0;
		return ();
	};
	for my $op (@$ops)
	{
		my ($verb, $arg) = $op =~ /^(FETCH|MOVE)\s*(.*)$/ or die "bad cursor op $op";
		my @r;
		my $big = $n + 10;
		if ($arg =~ /^(\d+)$/ || $arg =~ /^FORWARD (\d+)$/) { @r = $fwd->($1) }
		elsif ($arg eq 'NEXT') { @r = $fwd->(1) }
		elsif ($arg eq 'ALL') { @r = $fwd->($big) }
		elsif ($arg eq 'PRIOR') { @r = $bwd->(1) }
		elsif ($arg =~ /^BACKWARD (\d+)$/) { @r = $bwd->($1) }
		elsif ($arg eq 'BACKWARD ALL') { @r = $bwd->($big) }
		elsif ($arg eq 'FIRST') { @r = $abs->(1) }
		elsif ($arg eq 'LAST') { @r = $abs->(-1) }
		elsif ($arg =~ /^ABSOLUTE (-?\d+)$/) { @r = $abs->($1) }
		elsif ($arg =~ /^RELATIVE (-?\d+)$/)
		{
			my $k = $1;
			if ($k == 0) { @r = ($pos >= 1 && $pos <= $n) ? ($L->[ $pos - 1 ]) : () }
			else
			{
				my $target = $pos + $k;
				if ($target >= 1 && $target <= $n) { $pos = $target; @r = ($L->[ $target - 1 ]) }
				else { $pos = $target > $n ? $n + 1 : 0 }
			}
		}
		else { die "bad cursor op $op" }
		# FETCH FORWARD 0 returns the current row (like RELATIVE 0)
		@r = ($pos >= 1 && $pos <= $n) ? ($L->[ $pos - 1 ]) : () if $arg eq 'FORWARD 0';
		push @exp, $verb eq 'MOVE' ? [] : \@r;
	}
	return \@exp;
}

# find usable collations once per session
sub find_collations
{
	my $out = ps_do("SELECT collname FROM pg_collation WHERE collname IN "
		  . "('C', 'POSIX', 'C.utf8', 'en-x-icu', 'und-x-icu', 'de-x-icu', 'sv-x-icu', 'tr-x-icu', 'en_US.utf8')"
		  . " AND collencoding IN (-1, (SELECT encoding FROM pg_database WHERE datname = current_database()))"
		  . " ORDER BY 1;");
	@COLLATIONS = map { qq("$_") } grep { $_ ne '' } @{ parse_rows($out) };
	my ($o, $e) = ps_run("CREATE COLLATION IF NOT EXISTS diff_ci (provider = icu, locale = 'und-u-ks-level2', "
		  . "deterministic = false);\n");
	push @COLLATIONS, 'diff_ci' if $e eq '';
	print "collations: @COLLATIONS\n" if $opt{verbose};
}

my $DEBUG_ERR = qr/debug_require_vectorized|not evaluated over vectors|read by a sequential scan/;

sub f_report
{
	my ($seed, $ci, $case, $what, $diff) = @_;
	$total_fail++;
	print "MISMATCH seed=$seed filter case $ci ($case->{form}) $what\n";
	print "  settings: @{ $case->{gucs} }\n" if @{ $case->{gucs} };
	print "  time zone: $case->{tz}\n";
	print "  inserted rows first: yes (see the log)\n" if $case->{tx};
	print "  query (ts):   $case->{ts_sql}\n";
	print "  query (heap): $case->{heap_sql}\n";
	$diff =~ s/^/  /mg;
	print $diff;
}

# One filter case.  Builds the statements, runs them in one round trip,
# then compares.
sub filter_case
{
	my ($seed, $ci) = @_;
	@SLOTS = ();
	my $vec_case = chance(0.75);
	$F_NULLP = $vec_case ? 0 : 0.04;
	$F_NONVEC = $vec_case ? 0 : 0.15;
	my $form = wpick(@FORM_W);
	my $q = $FORMS{$form}->();
	$q->{form} = $form;
	$q->{gucs} //= [];
	$q->{norm} //= 'x';
	$q->{ordered} //= 0;
	my $side_b = chance(0.5) ? 'twin_heap' : 'twin_ts';
	# only cases without NULL comparison values: a NULL constant folds the
	# comparison into a NULL constant, which the scan cannot vectorize
	my $vec = $vec_case && $q->{vec} && (!$q->{b_nonvec} || $side_b eq 'twin_heap');
	my $tx = chance(0.15);
	# sometimes the partitioned copy (twin_pts) is the table under test
	my $tab = (!$tx && $GS{pts} && chance(0.2)) ? 'twin_pts' : 'twin_ts';
	$vec = 0 if $tab eq 'twin_pts' && $GS{pts_heap};
	my $hsql = inst($q, 'twin_heap', 'twin_heap');
	my $tsql = inst($q, $tab, $side_b);
	my $lit = slot_values();
	# sometimes parallel plans even over these small tables (parallel
	# TimeseriesScan; with the transaction's own rows it runs in the leader)
	my @par = chance(0.2) ? ('max_parallel_workers_per_gather = 2', 'parallel_setup_cost = 0',
		'parallel_tuple_cost = 0', 'min_parallel_table_scan_size = 0',
		(chance(0.3) ? ('parallel_leader_participation = off') : ())) : ();
	my $case = { form => $form, gucs => [ @{ $q->{gucs} }, @par ],
		tz => pick('America/Los_Angeles', 'UTC', 'Asia/Kolkata', 'Pacific/Chatham', 'Europe/Berlin'),
		heap_sql => fill_slots($hsql, $lit), ts_sql => fill_slots($tsql, $lit) };
	$case->{tx} = $tx;
	$FSTATS{partitioned}++ if $tab eq 'twin_pts';
	my $cursor = $q->{cursor} && chance(0.25);
	my $hold = $cursor && !$tx && chance(0.3);
	# rows of a held cursor are printed after the commit, in the session's time zone
	$case->{tz} = 'America/Los_Angeles' if $hold;
	my $nexec = $opt{filter_execs};

	my @B;         # statements: { sql, must => 1 (must succeed) }
	my @CMP;       # comparisons: [heap index, ts index, what, q]
	my @CUR;       # cursors: { kind, hi => [heap fetches], ti => [ts fetches], decl, ops, scroll }
	my $add = sub { my ($sql, %o) = @_; push @B, { sql => $sql, %o }; return $#B };
	my $dbg = sub { $vec ? $add->("SET LOCAL timeseries.debug_require_vectorized = $_[0];", must => 1) : () };
	my $pair = sub {
		my ($h, $t, $what, $qq, $debug, $hi) = @_;
		$hi //= $add->($h);
		$dbg->('on') if $debug;
		my $ti = $add->($t, ts => 1);
		$dbg->('off') if $debug;
		push @CMP, [ $hi, $ti, $what, $qq // $q ];
	};

	$add->("\\set ON_ERROR_ROLLBACK on");
	$add->("BEGIN;", must => 1);
	$add->("SET LOCAL TimeZone = '$case->{tz}';", must => 1);
	$add->("SET LOCAL $_;", must => 1) for @{ $case->{gucs} };

	my $insert = sub {
		my ($nrows) = @_;
		my $modes = phase_modes();
		my @rows = map { gen_row($modes) } 1 .. $nrows;
		my $copy = chance(0.25);
		my $plain = chance(0.5);    # without psql's per-statement savepoints
		$add->("\\set ON_ERROR_ROLLBACK off") if $plain;
		# twin_pts (when it exists) gets the same rows: it must stay a twin
		my @tabs = ('twin_heap', 'twin_ts', ($GS{pts} ? ('twin_pts') : ()));
		while (my @b = splice(@rows, 0, between(1, 150)))
		{
			for my $tab (@tabs)
			{
				if ($copy)
				{
					$add->("COPY $tab ($COLLIST) FROM STDIN;\n" . join('', map { copy_text_line($_) } @b) . "\\.\n",
						must => 1);
				}
				else { $add->("INSERT INTO $tab VALUES " . join(",\n  ", map { sql_values($_) } @b) . ";", must => 1) }
			}
		}
		if (chance(0.2))
		{
			# the table into itself, through a filtered scan
			my @s = @SLOTS;
			my ($w) = f_where('s.');
			my $wl = fill_slots($w, slot_values());
			@SLOTS = @s;
			my $m = between(5, 13);
			my $r = rnd($m);
			for my $tab (@tabs)
			{
				(my $x = $wl) =~ s/%[AB]%/$tab/g;
				$add->("INSERT INTO $tab SELECT * FROM $tab s WHERE s.id % $m = $r AND $x;", must => 1);
			}
		}
		$add->("\\set ON_ERROR_ROLLBACK on") if $plain;
	};
	if ($tx)
	{
		$add->("SET LOCAL timeseries.$_->[0] = $_->[1];", must => 1)
		  for ([ 'chunk_rows', pick(1, 3, 10, 64, 1000, 65536) ], [ 'vector_rows', pick(1, 3, 8, 100, 1024) ],
			[ 'inline_max_bytes', pick(0, 4096, 1048576) ]);
		$insert->(int(between(1, 300) * $opt{scale}) || 1);
	}
	# a cursor opened before further inserts must not see them
	my $early_cursor = $tx && $q->{cursor} && !$cursor && chance(0.5);
	if ($early_cursor)
	{
		$add->("DECLARE eh NO SCROLL CURSOR FOR $case->{heap_sql};");
		$early_cursor = [ $add->("FETCH 3 FROM eh;") ];
		$dbg->('on');
		push @$early_cursor, $add->("DECLARE et NO SCROLL CURSOR FOR $case->{ts_sql};", ts => 1),
		  $add->("FETCH 3 FROM et;");
		$dbg->('off');
		$insert->(between(1, 50));
	}

	# plain: TimeseriesScan on (under debug_require_vectorized if possible), then off
	$pair->("$case->{heap_sql};", "$case->{ts_sql};", 'plain', $q, 1);
	$add->("SET LOCAL timeseries.enable_custom_scan = off;", must => 1);
	$pair->(undef, "$case->{ts_sql};", 'plain, enable_custom_scan off', $q, 0, $CMP[-1][0]);
	my $off_explain = chance(0.1) ? $add->("EXPLAIN (COSTS OFF) $case->{ts_sql};") : undef;
	$add->("SET LOCAL timeseries.enable_custom_scan = on;", must => 1);
	my $explain = chance(0.3) ? $add->("EXPLAIN (COSTS OFF) $case->{ts_sql};") : undef;
	my $analyze = chance(0.15) ? $add->("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) $case->{ts_sql};") : undef;

	# prepared, with $nexec parameter sets, generic and custom plans; large
	# results are compared as (count, md5 of the sorted rows)
	my @sets = map { slot_values() } 1 .. $nexec;
	my $types = join(', ', map { $_->{type} } @SLOTS);
	my $args = sub { my ($vals) = @_; @$vals ? '(' . join(', ', map { typed_lit($vals->[$_], $SLOTS[$_]{type}) } 0 .. $#$vals) . ')' : '' };
	my $digest = sub {
		my ($sql) = @_;
		return $sql unless $q->{big};
		return "SELECT count(*), md5(string_agg(r::text, E'\\n' ORDER BY r::text COLLATE \"C\")) FROM ($sql) r";
	};
	my $pq = $q->{big} ? { %$q, ordered => 0, norm => 'x' } : $q;
	my $ph = $add->("PREPARE fh" . (@SLOTS ? "($types)" : '') . " AS " . $digest->(fill_slots($hsql)) . ";");
	my $pt = $add->("PREPARE ft" . (@SLOTS ? "($types)" : '') . " AS " . $digest->(fill_slots($tsql)) . ";");
	push @CMP, [ $ph, $pt, 'PREPARE', $pq ];
	my @modes = ('force_generic_plan', 'force_custom_plan');
	push @modes, 'auto' if chance(0.2);
	my %hexec;
	for my $j (0 .. $#sets)
	{
		$hexec{$j} = $add->("EXECUTE fh" . $args->($sets[$j]) . ";");
	}
	for my $mode (@modes)
	{
		$add->("SET LOCAL plan_cache_mode = $mode;", must => 1);
		$dbg->('on');
		for my $j (0 .. $#sets)
		{
			my $ti = $add->("EXECUTE ft" . $args->($sets[$j]) . ";", ts => 1, mode => $mode);
			push @CMP, [ $hexec{$j}, $ti, "EXECUTE ($mode) with parameters " . $args->($sets[$j])
				  . ($q->{big} ? ' (compared as count, md5)' : ''), $pq ];
		}
		$dbg->('off');
	}
	my $pexplain = chance(0.2) ? $add->("EXPLAIN (COSTS OFF) EXECUTE ft" . $args->($sets[0]) . ";") : undef;
	if (chance(0.2))
	{
		# a generic plan made with TimeseriesScan off
		$add->("SET LOCAL timeseries.enable_custom_scan = off;", must => 1);
		$add->("SET LOCAL plan_cache_mode = force_generic_plan;", must => 1);
		$add->("PREPARE fo" . (@SLOTS ? "($types)" : '') . " AS " . $digest->(fill_slots($tsql)) . ";");
		for my $j (0 .. $#sets)
		{
			my $ti = $add->("EXECUTE fo" . $args->($sets[$j]) . ";");
			push @CMP, [ $hexec{$j}, $ti, "EXECUTE (generic plan, enable_custom_scan off) with parameters "
				  . $args->($sets[$j]) . ($q->{big} ? ' (compared as count, md5)' : ''), $pq ];
		}
		$add->("SET LOCAL timeseries.enable_custom_scan = on;", must => 1);
	}
	$add->("RESET plan_cache_mode;", must => 1);

	if ($tx && chance(0.5))
	{
		$add->("SAVEPOINT fs;", must => 1);
		$insert->(between(1, 100));
		$pair->("$case->{heap_sql};", "$case->{ts_sql};", 'plain, after inserts in a savepoint', $q, 1);
		$add->(chance(0.5) ? "ROLLBACK TO SAVEPOINT fs;" : "RELEASE SAVEPOINT fs;", must => 1);
		$pair->("$case->{heap_sql};", "$case->{ts_sql};", 'plain, after the savepoint ended', $q, 1);
	}
	if ($early_cursor)
	{
		# the cursors were opened before the last inserts: they must not see them
		my ($h3, $tdecl, $t3) = @$early_cursor;
		my $h = $add->("FETCH ALL FROM eh;");
		my $t = $add->("FETCH ALL FROM et;");
		$add->("CLOSE eh;");
		$add->("CLOSE et;");
		push @CUR, { kind => 'NO SCROLL CURSOR opened before inserts', hi => [ $h3, $h ], ti => [ $t3, $t ],
			decl => $tdecl, ops => [ 'FETCH 3' ], scroll => 0 };
	}
	if ($tx)
	{
		# whole tables must still be twins (compared as a digest: they are large)
		my $all = { sql => 'whole', ordered => 0, norm => 'x', form => 'whole' };
		my $dig = "SELECT count(*), md5(string_agg(x::text, E'\\n' ORDER BY x::text COLLATE \"C\")) FROM %s x;";
		$pair->(sprintf($dig, 'twin_heap'), sprintf($dig, 'twin_ts'), 'whole table after inserts (count, md5)',
			$all, 0);
		$pair->(undef, sprintf($dig, 'twin_pts'), 'whole twin_pts after inserts (count, md5)', $all, 0, $CMP[-1][0])
		  if $GS{pts};
	}

	if ($cursor)
	{
		my $scroll = chance(0.6);
		my @ops = cursor_ops($scroll, $q->{ordered});
		my $kind = ($scroll ? 'SCROLL' : 'NO SCROLL') . ' CURSOR' . ($hold ? ' WITH HOLD' : '');
		my $cut = $hold ? between(0, scalar @ops) : scalar @ops;
		my (@hi, @ti);
		$add->("DECLARE ch $kind FOR $case->{heap_sql};");
		$dbg->('on');
		my $decl = $add->("DECLARE ct $kind FOR $case->{ts_sql};", ts => 1);
		my $run_ops = sub {
			my ($from, $to) = @_;
			for my $k ($from .. $to - 1)
			{
				push @hi, $add->("$ops[$k] FROM ch;");
				push @ti, $add->("$ops[$k] FROM ct;");
			}
		};
		$run_ops->(0, $cut);
		$dbg->('off');
		if ($hold)
		{
			$add->("COMMIT;", must => 1);
			$run_ops->($cut, scalar @ops);
		}
		if ($scroll) { push @hi, $add->("FETCH ABSOLUTE 0 FROM ch;"), $add->("FETCH ALL FROM ch;");
			push @ti, $add->("FETCH ABSOLUTE 0 FROM ct;"), $add->("FETCH ALL FROM ct;") }
		else { push @hi, $add->("FETCH ALL FROM ch;"); push @ti, $add->("FETCH ALL FROM ct;") }
		$add->("CLOSE ch;");
		$add->("CLOSE ct;");
		push @CUR, { kind => $kind, hi => \@hi, ti => \@ti, decl => $decl, ops => \@ops, scroll => $scroll };
	}
	$add->("DEALLOCATE ALL;");
	$add->($tx && chance(0.75) ? "ROLLBACK;" : "COMMIT;", must => 1) unless $hold;
	$add->("\\set ON_ERROR_ROLLBACK off");

	# run
	my $R = ps_batch([ map { $_->{sql} } @B ]);
	$FSTATS{cases}++;
	$FSTATS{"form_$form"}++;
	$FSTATS{last_form} = $form . ($tx ? " tx" : "") . ($cursor ? " cursor" : "");
	$FSTATS{tx}++ if $tx;
	$FSTATS{vec}++ if $vec;
	my $fails = $total_fail;
	for my $i (0 .. $#B)
	{
		next unless $B[$i]{must} && $R->[$i]{err} ne '';
		f_report($seed, $ci, $case, "statement failed", "$B[$i]{sql}\n$R->[$i]{err}");
		return;
	}
	# statements that failed under timeseries.debug_require_vectorized
	my %dbg_failed;
	for my $i (0 .. $#B)
	{
		$dbg_failed{$i} = 1 if $B[$i]{ts} && $R->[$i]{err} =~ $DEBUG_ERR;
	}
	if (%dbg_failed)
	{
		my ($first) = sort { $a <=> $b } keys %dbg_failed;
		my ($known, $plan) = debug_error_known($case, \@B, $first, $tsql, $types);
		if ($known)
		{
			$FSTATS{debug_pseudo}++;
			print "note: seed $seed filter case $ci: debug_require_vectorized failed although the scan has no"
			  . " executor qual (a pseudoconstant qual, e.g. from x = 1 AND x = 2): $B[$first]{sql}\n"
			  if $opt{verbose};
		}
		else
		{
			$FSTATS{debug_errors}++;
			# the same error is reported once per seed (stop-after would hide the rest)
			(my $key = $R->[$first]{err}) =~ s/^.*?(ERROR:[^\n]*).*/$1/s;
			f_report($seed, $ci, $case, "NOT VECTORIZED under timeseries.debug_require_vectorized",
				"$B[$first]{sql}\n" . err_norm($R->[$first]{err}) . "\nplan without the setting:\n$plan\n")
			  unless $GS{debug_reported}{$key}++;
		}
	}
	my $res = sub {
		my ($i) = @_;
		if ($R->[$i]{err} ne '')
		{
			(my $e = err_norm($R->[$i]{err})) =~ s/"([fce])[to]"/"$1h"/g;
			return { error => $e };
		}
		return { rows => parse_rows($R->[$i]{out}) };
	};
	my $prepare_failed = 0;
	for my $c (@CMP)
	{
		my ($hi, $ti, $what, $qq) = @$c;
		next if $dbg_failed{$ti};
		my ($h, $t) = ($res->($hi), $res->($ti));
		if ($h->{error} || $t->{error})
		{
			if (($h->{error} // '') eq ($t->{error} // ''))
			{
				$FSTATS{both_failed}++;
				print "note: seed $seed filter case $ci: $what fails on both sides: $h->{error}\n" if $opt{verbose};
			}
			$prepare_failed = 1 if $what eq 'PREPARE' && $h->{error};
			if (($h->{error} // '') =~ /current transaction is aborted/)
			{
				f_report($seed, $ci, $case, "$what: transaction aborted", "$h->{error}\n");
				last;
			}
		}
		else { $FSTATS{rows} += @{ $h->{rows} } }
		$FSTATS{execs}++;
		my $d = compare($qq, $h, $t);
		if ($d)
		{
			f_report($seed, $ci, $case, $what, $d);
			last;
		}
	}
	$FSTATS{prepare_failed}++ if $prepare_failed;
	for my $ei (grep { defined } $explain, $analyze, $pexplain)
	{
		my $r = $R->[$ei];
		next if $r->{err} ne '';
		my $plan = join("\n", @{ parse_rows($r->{out}) });
		$FSTATS{explained}++;
		$FSTATS{explain_ts}++ if $plan =~ /TimeseriesScan/;
		$FSTATS{explain_agg}++ if $plan =~ /TimeseriesAgg/;
		# an index scan of twin_ts (seeds with indexes) is a plan of its own kind
		if ($plan =~ /Index (Only )?Scan (Backward )?using \S+ on twin_ts/) { $FSTATS{explain_index}++ }
		elsif ($plan !~ /Timeseries(Scan|Agg)/) { $FSTATS{explain_none}++ }
		$FSTATS{explain_parallel}++ if $plan =~ /Parallel Custom Scan \(Timeseries/;
		$FSTATS{workers} += $1 while $plan =~ /Workers Launched: (\d+)/g;
		print "note: seed $seed filter case $ci: plan without TimeseriesScan:\n$plan\n"
		  if $opt{verbose} && $plan !~ /Timeseries/;
		if ($plan =~ /Seq Scan on (twin_ts|twin_pts_\d)/)
		{
			my $t = $1;
			if ($q->{seq_ok}) { $FSTATS{seq_known}++ }
			elsif (!$GS{seq_reported}{$t}++)    # once per table and seed
			{
				f_report($seed, $ci, $case, "plain Seq Scan on $t with enable_custom_scan on", "$plan\n");
			}
		}
		$FSTATS{explain_rest}++ if plan_has_rest($plan);
		if ($ei == ($analyze // -1))
		{
			$FSTATS{chunks_read} += $1 while $plan =~ /Chunks Read: (\d+)/g;
			$FSTATS{chunks_pruned} += $1 while $plan =~ /Chunks Pruned: (\d+)/g;
			$FSTATS{vec_removed} += $1 while $plan =~ /Rows Removed by Vectorized Filter: (\d+)/g;
		}
	}
	if (defined $off_explain && $R->[$off_explain]{err} eq '' && $R->[$off_explain]{out} =~ /TimeseriesScan/)
	{
		f_report($seed, $ci, $case, 'TimeseriesScan used with enable_custom_scan off',
			join("\n", @{ parse_rows($R->[$off_explain]{out}) }) . "\n");
	}
	for my $c (@CUR)
	{
		my ($kind, $ops, $scroll) = @$c{qw(kind ops scroll)};
		next if $dbg_failed{ $c->{decl} };
		$FSTATS{cursors}++;
		my @hres = map { $res->($_) } @{ $c->{hi} };
		my @tres = map { $res->($_) } @{ $c->{ti} };
		my $herr = (grep { $_->{error} } @hres)[0];
		my $terr = (grep { $_->{error} } @tres)[0];
		if ($herr || $terr)
		{
			my $d = compare($q, $herr // { rows => [] }, $terr // { rows => [] });
			f_report($seed, $ci, $case, "$kind", $d) if $d;
			next;
		}
		if ($q->{ordered})
		{
			my @what = (@$ops, ($scroll ? ('FETCH ABSOLUTE 0', 'FETCH ALL (from the start)') : ('FETCH ALL')));
			for my $k (0 .. $#hres)
			{
				my $d = compare($q, $hres[$k], $tres[$k]);
				if ($d) { f_report($seed, $ci, $case, "$kind: $what[$k] (ops: @$ops)", $d); last }
			}
			next;
		}
		if ($scroll)
		{
			# each fetch must match the cursor's own row order; then multisets
			my $bad = 0;
			for my $side ([ 'heap', \@hres ], [ 'ts', \@tres ])
			{
				my ($name, $rs) = @$side;
				my $exp = cursor_sim($ops, $rs->[-1]{rows});
				for my $k (0 .. $#$ops)
				{
					next if join("\x1e", @{ $exp->[$k] }) eq join("\x1e", @{ $rs->[$k]{rows} });
					f_report($seed, $ci, $case, "$kind on $name: $ops->[$k] does not return the cursor's rows"
						  . " in order (ops: @$ops)", sprintf("expected %d rows, got %d\n", scalar @{ $exp->[$k] },
							scalar @{ $rs->[$k]{rows} }));
					$bad = 1;
					last;
				}
				last if $bad;
			}
			next if $bad;
			my $d = compare($q, $hres[-1], $tres[-1]);
			f_report($seed, $ci, $case, "$kind: all rows", $d) if $d;
			next;
		}
		my $d = compare($q, { rows => [ map { @{ $_->{rows} } } @hres ] },
			{ rows => [ map { @{ $_->{rows} } } @tres ] });
		f_report($seed, $ci, $case, "$kind: union of fetches (ops: @$ops)", $d) if $d;
	}
	$FSTATS{fail_cases}++ if $total_fail > $fails;
}

# Does a plan leave quals to the executor on a TimeseriesScan node?
sub plan_has_rest
{
	my ($plan) = @_;
	my $in_ts = 0;
	for my $line (split /\n/, $plan)
	{
		if ($line =~ /->|^\S/) { $in_ts = $line =~ /TimeseriesScan/ }
		elsif ($in_ts && $line =~ /^\s+Filter: /) { return 1 }
	}
	return 0;
}

# A statement failed under debug_require_vectorized: is it the known false
# positive, a scan without executor quals in a plan with a pseudoconstant
# (gating) qual?  Returns (known, plan without the setting).
sub debug_error_known
{
	my ($case, $B, $i, $tsql, $types) = @_;
	my $stmt = $B->[$i]{sql};
	my @s = ("BEGIN;", "SET LOCAL TimeZone = '$case->{tz}';", map { "SET LOCAL $_;" } @{ $case->{gucs} });
	if ($stmt =~ /^EXECUTE ft/)
	{
		push @s, "PREPARE ft" . (@SLOTS ? "($types)" : '') . " AS " . fill_slots($tsql) . ";",
		  "SET LOCAL plan_cache_mode = $B->[$i]{mode};", "EXPLAIN (COSTS OFF) $stmt";
	}
	elsif ($stmt =~ /^DECLARE \w+ .*? CURSOR(?: WITH HOLD)? FOR (.*)$/s) { push @s, "EXPLAIN (COSTS OFF) $1" }
	else { push @s, "EXPLAIN (COSTS OFF) $stmt" }
	push @s, "ROLLBACK;", "DEALLOCATE ALL;";
	my $R = ps_batch(\@s);
	my $e = $R->[-3];
	return (0, "(EXPLAIN failed: $e->{err})") if $e->{err} ne '';
	my $plan = join("\n", @{ parse_rows($e->{out}) });
	return (($plan =~ /One-Time Filter/ && $plan !~ /Seq Scan on twin_ts/ && !plan_has_rest($plan)) ? 1 : 0, $plan);
}

# Runs statements in one psql round trip; returns [{ out, err }] per statement.
my $PB_N = 0;

sub ps_batch
{
	my ($items) = @_;
	$PB_N++;
	my $sql = '';
	for my $i (0 .. $#$items)
	{
		my $s = $items->[$i];
		$s .= "\n" unless $s =~ /\n\z/;
		$sql .= $s . "\\echo __pb${PB_N}_${i}__\n\\warn __pb${PB_N}_${i}__\n";
	}
	my ($out, $err) = ps_run($sql);
	my @res;
	for my $i (0 .. $#$items)
	{
		my $m = "__pb${PB_N}_${i}__\n";
		my $po = index($out, $m);
		my $pe = index($err, $m);
		die "psql batch output out of step at statement $i\n" if $po < 0 || $pe < 0;
		push @res, { out => substr($out, 0, $po), err => substr($err, 0, $pe) };
		$out = substr($out, $po + length $m);
		$err = substr($err, $pe + length $m);
	}
	return \@res;
}

sub filter_phase
{
	my ($seed) = @_;
	return unless $opt{filter_queries} > 0;
	srand($seed * 104729 + 7);
	# a partitioned copy of the data: timeseries partitions (and sometimes a
	# heap one), for partition pruning and Append over TimeseriesScan
	my ($b1, $b2) = (int($GS{id} / 3), int(2 * $GS{id} / 3));
	$GS{pts_heap} = chance(0.4);
	ps_do("DROP TABLE IF EXISTS twin_pts;\n"
		  . "CREATE TABLE twin_pts (LIKE twin_heap) PARTITION BY RANGE (id);\n"
		  . "CREATE TABLE twin_pts_1 PARTITION OF twin_pts FOR VALUES FROM (MINVALUE) TO ($b1) USING timeseries;\n"
		  . "CREATE TABLE twin_pts_2 PARTITION OF twin_pts FOR VALUES FROM ($b1) TO ($b2) USING timeseries;\n"
		  . "CREATE TABLE twin_pts_" . ($GS{pts_heap} ? 'heap' : '3') . " PARTITION OF twin_pts DEFAULT USING "
		  . ($GS{pts_heap} ? 'heap' : 'timeseries') . ";\n"
		  . "BEGIN;\n" . guc_sql({ %{ guc_settings(0) }, compression_level => 1 }, 1)
		  . "INSERT INTO twin_pts SELECT * FROM twin_heap" . pick('', ' ORDER BY t', ' ORDER BY id DESC') . ";\nCOMMIT;\n"
		  . "ANALYZE twin_pts;\n");
	$GS{pts} = 1;
	my $t0 = time;
	my $before = $total_fail;
	for my $ci (1 .. $opt{filter_queries})
	{
		last if $total_fail >= $opt{stop_after};
		$CONTEXT = "filter case $ci";
		my $t1 = time;
		filter_case($seed, $ci);
		printf "filter case %d: %.3fs %s\n", $ci, time - $t1, $FSTATS{last_form} // "" if $opt{verbose} >= 2;
	}
	printf "seed %d: %d filter cases, %d mismatches (%.1fs)\n", $seed, $opt{filter_queries},
	  $total_fail - $before, time - $t0;
	$GS{pts} = 0;
}

sub report_mismatch
{
	my ($seed, $q, $what, $diff) = @_;
	$total_fail++;
	print "MISMATCH seed=$seed shape=$q->{shape} $what\n";
	print "  settings: @{ $q->{gucs} }\n" if @{ $q->{gucs} };
	print "  params: " . join(', ', map { q_lit($_->[1]) . "::$_->[0]" } @{ $q->{params} }) . "\n"
	  if @{ $q->{params} };
	print "  cursor fetches: @{ $q->{cursor} }\n" if $q->{cursor};
	print "  query (ts):   " . inst($q, 'twin_ts', $q->{side_b}) . "\n";
	print "  query (heap): " . inst($q, 'twin_heap', 'twin_heap') . "\n";
	$diff =~ s/^/  /mg;
	print $diff;
}

# A modify phase: random DELETE, UPDATE and MERGE statements with generated
# WHERE clauses, run on both tables (autocommit, in a transaction, rolled
# back, or around a rolled back savepoint).  The RETURNING counts and the
# errors must agree; the rows are compared by every later query.
sub modify_phase
{
	my ($seed, $ph) = @_;
	$USE_PARAMS = 0;
	@PARAMS = ();
	my @sets = ("i4 = coalesce(i4, 0) + 1", "f8 = f8 * 2", "tl = upper(tl)", "b = NOT b",
		"n = NULL", "t = t + interval '1 hour'", "i2 = NULL", "th = th || 'x'", "vc = 'upd'",
		"j = NULL, ia = '{1}'");
	my @stmts;
	for (1 .. between(1, 4))
	{
		my $pred = gen_pred(0, undef);
		my $kind = wpick(delete => 3, update => 4, merge => 1, returning => 1.5);
		my $set = chance(0.7) ? pick(@sets) : do {
			my $c = pick(grep { $_->{name} ne 't' } @DATACOLS);
			"$c->{name} = " . lit_for($c);
		};
		if ($kind eq 'delete') { push @stmts, "DELETE FROM %A% WHERE $pred;" }
		elsif ($kind eq 'update') { push @stmts, "UPDATE %A% SET $set WHERE $pred;" }
		elsif ($kind eq 'merge')
		{
			push @stmts, "MERGE INTO %A% m USING (SELECT id FROM %A% WHERE $pred) s ON m.id = s.id"
			  . " WHEN MATCHED AND m.id % 3 = 0 THEN DELETE WHEN MATCHED THEN UPDATE SET $set;";
		}
		else
		{
			my $op = chance(0.5) ? "DELETE FROM %A% WHERE $pred" : "UPDATE %A% SET $set WHERE $pred";
			push @stmts, "WITH x AS ($op RETURNING id) SELECT count(*), coalesce(sum(id), 0) FROM x;";
		}
	}
	my $wrap = wpick(auto => 3, tx => 2, rollback => 1, savepoint => 1);
	my $nstmts = @stmts;
	my $body = join("\n", @stmts) . "\n";
	if ($wrap eq 'tx') { $body = "BEGIN;\n${body}COMMIT;\n" }
	elsif ($wrap eq 'rollback') { $body = "BEGIN;\n${body}ROLLBACK;\n" }
	elsif ($wrap eq 'savepoint')
	{
		my $first = shift @stmts;
		$body = "BEGIN;\nSAVEPOINT m;\n$first\nROLLBACK TO SAVEPOINT m;\n" . join("\n", @stmts, $first) . "\nCOMMIT;\n";
	}
	my %res;
	for my $tab (qw(twin_heap twin_ts))
	{
		(my $sql = $body) =~ s/%[AB]%/$tab/g;
		my ($out, $err) = ps_run($sql);
		$err = join("\n", grep { /ERROR:/ } split /\n/, $err);
		$err =~ s/twin_ts/twin_heap/g;
		$res{$tab} = "$out\n--\n$err";
	}
	$stats{modify}{$wrap}++;
	return "modify/$wrap statements=$nstmts" if $res{twin_heap} eq $res{twin_ts};
	$total_fail++;
	print "MISMATCH seed=$seed modify phase after load phase $ph:\n$body"
	  . "heap:\n$res{twin_heap}\ntimeseries:\n$res{twin_ts}\n";
	return "modify/$wrap MISMATCH";
}

sub run_seed
{
	my ($seed) = @_;
	%GS = (id => 0, t => $T0 * 1e6, i2 => 0, i4 => 0, i8 => 0, f4 => 0, f8 => 0, n => 0, th => 0,
		d => 19000, selfoff => 0, tr => ($NOW - 30 * 86400) * 1e6, tw => ($T0 + 86400 * 40) * 1e6, vc => 0);
	%POOL = ();
	srand($seed);
	$PM_STATE = ($seed * 7919) % 2147483646 + 1;
	$GS{uuids} = [ map { rand_uuid() } 1 .. 8 ];
	if (defined $opt{log_dir})
	{
		make_path($opt{log_dir});
		open($LOG, '>', "$opt{log_dir}/diff_seed_$seed.sql") or die "$opt{log_dir}: $!";
		binmode $LOG;
		print $LOG "-- diff.pl seed $seed: load script and queries (replay with psql -X -f)\n";
	}
	ps_do("SET extra_float_digits = 3;\nSET timezone = 'America/Los_Angeles';\nSET DateStyle = 'ISO, YMD';\n"
		  . "SET IntervalStyle = 'postgres';\nSET max_parallel_workers_per_gather = 0;\n"
		  . "RESET ALL;\nSET client_min_messages = warning;\nSET extra_float_digits = 3;\n"
		  . "SET timezone = 'America/Los_Angeles';\n");
	create_tables();

	my $nphases = between(8, 16);
	my $bulk_at = between(1, $nphases);
	for my $ph (1 .. $nphases)
	{
		my ($desc, $sql) = load_phase($ph, $ph == $bulk_at ? 'bulk' : undef);
		my $t0 = time;
		$CONTEXT = "load phase $ph: $desc";
		ps_do($sql);
		printf "seed %d phase %d: %s (%.1fs)\n", $seed, $ph, $desc, time - $t0 if $opt{verbose};
		if (!$opt{no_modify} && chance(0.35))
		{
			$CONTEXT = "modify phase after phase $ph";
			my $mdesc = modify_phase($seed, $ph);
			printf "seed %d: %s\n", $seed, $mdesc if $opt{verbose};
		}
		my ($mop, $msql) = maintenance($ph <= $nphases / 2);
		if ($mop)
		{
			print "seed $seed maintenance: $mop\n" if $opt{verbose};
			$CONTEXT = "maintenance after phase $ph: $mop";
			ps_do($msql);
		}
	}
	ps_do("RESET timeseries.chunk_rows;\nRESET timeseries.vector_rows;\nRESET timeseries.inline_max_bytes;\n"
		  . "RESET timeseries.compression;\nRESET timeseries.compression_level;\n");
	ps_do("ANALYZE twin_heap;\nANALYZE twin_ts;\n") if chance(0.7);

	if ($opt{self_test})
	{
		# make the heap table differ: the run must then report mismatches
		ps_do("UPDATE twin_heap SET tl = coalesce(tl, '') || 'x' WHERE id % 3 = 0;\n"
			  . "DELETE FROM twin_heap WHERE id % 7 = 0;\n");
	}
	my $fails_before = $total_fail;
	# basic checks first: whole table, row count vs metadata
	my $whole = { sql => 'SELECT * FROM %A%', ordered => 0, norm => 'x', shape => 'whole',
		params => [], gucs => [], side_b => 'twin_ts' };
	my $h = run_query($whole, 'twin_heap', 'twin_heap');
	my $t = run_query($whole, 'twin_ts', 'twin_ts');
	my $d = compare($whole, $h->[0], $t->[0]);
	report_mismatch($seed, $whole, 'whole table', $d) if $d;
	my $nrows = $h->[0]{rows} ? scalar @{ $h->[0]{rows} } : -1;
	my $st = ps_do("SELECT row_count, chunk_count, inline_chunk_count FROM timeseries.table_stats('twin_ts');");
	chomp $st;
	my ($rc, $cc, $ic) = split /\x1f/, $st;
	if (($rc // -1) != $nrows)
	{
		$total_fail++;
		print "MISMATCH seed=$seed table_stats row_count $rc, heap has $nrows rows\n";
	}
	print "seed $seed: $nrows rows, $cc chunks ($ic inline)"
	  . ($GS{options} ? ", options $GS{options}" : '')
	  . ($GS{indexes} ? ", indexes $GS{indexes}" : '') . "\n";

	srand($seed * 7919 + 17);
	my $nq = 0;
	for my $i (1 .. $opt{queries})
	{
		last if $total_fail >= $opt{stop_after};
		my $q = gen_query();
		$CONTEXT = "query $i: " . inst($q, 'twin_ts', $q->{side_b});
		my $t0 = time;
		my $hr = run_query($q, 'twin_heap', 'twin_heap');
		my $t1 = time;
		my $tr = run_query($q, 'twin_ts', $q->{side_b});
		my $t2 = time;
		$stats{shape}{ $q->{shape} }++;
		plan_nodes($q) if !@{ $q->{params} } && !$q->{cursor};
		$stats{params}++ if @{ $q->{params} };
		$stats{cursor}++ if $q->{cursor};
		if (grep { $_->{error} } @$hr)
		{
			$stats{heap_error}++;
			print "note: seed $seed query $i fails on heap: "
			  . (grep { $_->{error} } @$hr)[0]{error} . "  " . inst($q, 'twin_heap', 'twin_heap') . "\n"
			  if $opt{verbose};
		}
		else { $stats{rows} += scalar @{ $hr->[0]{rows} } }
		for my $k (0 .. $#$hr)
		{
			my $d = compare($q, $hr->[$k], $tr->[$k] // { error => 'missing' });

			# ORDER BY bucket DESC LIMIT n reads only the newest buckets, so a
			# bucket function that fails on an older row (time_bucket out of
			# range) fails on heap only: not a wrong answer
			if ($d && $q->{shape} eq 'topn_agg' && ($hr->[$k]{error} // '') =~ /out of range/
				&& !$tr->[$k]{error})
			{
				$stats{pruned_error}++;
				next;
			}
			if ($d)
			{
				report_mismatch($seed, $q, "query $i" . (@$hr > 1 ? " execution " . ($k + 1) : ''), $d);
				last;
			}
		}
		$nq++;
		printf "query %d: heap %.3fs ts %.3fs compare %.3fs rows %d: %s\n", $i, $t1 - $t0, $t2 - $t1,
		  time - $t2, ($hr->[0]{rows} ? scalar @{ $hr->[0]{rows} } : -1), substr(inst($q, 'twin_ts', $q->{side_b}), 0, 150)
		  if $opt{verbose} >= 2;
	}
	$stats{queries} += $nq;
	print "seed $seed: $nq queries, " . ($total_fail - $fails_before) . " mismatches\n";
	filter_phase($seed) if $total_fail < $opt{stop_after};
	ps_do("DROP TABLE IF EXISTS twin_heap, twin_ts, twin_pts;\n") unless $opt{keep} || $total_fail > $fails_before;
	close $LOG if $LOG;
	$LOG = undef;
}

ps_start();
find_collations();
for my $seed (@seed_list)
{
	last if $total_fail >= $opt{stop_after};
	$CONTEXT = 'setup';
	next if eval { run_seed($seed); 1 };
	my $e = $@;
	$total_fail++;
	print "FAILURE seed=$seed during $CONTEXT:\n$e\n";
	close $LOG if $LOG;
	$LOG = undef;
	if ($e =~ /psql session died/)
	{
		# the server may be restarting after a crash: reconnect or give up
		eval { $ps_h->kill_kill if $ps_h; 1 };
		$ps_h = undef;
		my $ok = 0;
		for (1 .. 30)
		{
			sleep 1;
			$ok = eval { ps_start(); 1 } and last;
		}
		last unless $ok;
	}
	else
	{
		ps_run("ROLLBACK;\n");
	}
}
ps_stop();
printf "summary: seeds %s, %d queries (%d with generic-plan parameters, %d via cursor), %d failed on both"
  . " sides alike (skipped), %d failed on heap only (newest buckets skip the failing rows),"
  . " %d rows compared, %d mismatches\n",
  join(',', @seed_list), $stats{queries} // 0, $stats{params} // 0, $stats{cursor} // 0,
  $stats{heap_error} // 0, $stats{pruned_error} // 0, $stats{rows} // 0, $total_fail;
print "shapes: " . join(', ', map { "$_=$stats{shape}{$_}" } sort keys %{ $stats{shape} }) . "\n";
print "plans of the general queries with each node: "
  . join(', ', map { "$_=$stats{node}{$_}" } sort keys %{ $stats{node} }) . "\n";
printf "filter: %d cases, %d executions compared (%d failed on both sides alike), %d rows compared,"
  . " %d transactions with uncommitted inserts, %d cursors, %d mismatching cases\n",
  map { $FSTATS{$_} // 0 } qw(cases execs both_failed rows tx cursors fail_cases);
printf "vectorized: %d cases run under debug_require_vectorized, %d not vectorized, %d known false positives"
  . " (pseudoconstant quals); explain: %d plans, %d with TimeseriesScan, %d with TimeseriesAgg, %d with neither,"
  . " %d with an index scan, %d with executor quals on TimeseriesScan, %d parallel;"
  . " analyze: %d chunks read, %d chunks pruned, %d rows removed by vectorized filters, %d workers launched\n",
  map { $FSTATS{$_} // 0 } qw(vec debug_errors debug_pseudo explained explain_ts explain_agg explain_none explain_index explain_rest explain_parallel chunks_read
	chunks_pruned vec_removed workers);
print "forms: " . join(', ', map { my $x = $_; $x =~ s/^form_//; "$x=$FSTATS{$_}" } sort grep { /^form_/ } keys %FSTATS)
  . "\n";
exit($total_fail ? 1 : 0);
