#!/usr/bin/perl
# Reads the server log of a SQLsmith run (test/sqlsmith/run.sh) and reports:
#   - crashes: a backend killed by a signal or exiting with a code other than
#     0 or 1 (parallel workers exit with 1 when their query fails: normal),
#     PANIC, TRAP (failed assertion),
#     glibc heap-corruption messages, crash-restart cycles;
#   - internal errors: SQLSTATE class XX (internal_error, data_corrupted,
#     index_corrupted), FATALs in client backends, errors raised from
#     timeseries code (other than feature_not_supported, query_canceled and
#     data exceptions), and errors whose text
#     mentions timeseries and looks like a bug ("unrecognized", "cache lookup
#     failed", "could not", "corrupt", ...);
#   - a summary of all ERRORs by SQLSTATE and message prefix (random queries
#     fail often; that is expected).
# Input: the jsonlog file (log_destination = 'jsonlog', log_error_verbosity =
# verbose) and the collector's stderr file, which then holds only raw output
# that bypassed elog (TRAP:, glibc aborts).
# Exit status: 0 clean, 1 crash, 3 internal errors but no crash.
use strict;
use warnings;
use JSON::PP;
use Getopt::Long;

my ($json_file, $stderr_file, $srcdir, $progress_file, $queries_file);
my $top = 25;
GetOptions(
	'json=s'    => \$json_file,
	'stderr=s'  => \$stderr_file,
	'src=s'     => \$srcdir,          # the extension's src/ (its .c file names)
	'progress=s' => \$progress_file,  # sqlsmith --verbose's stderr
	'queries=s' => \$queries_file,    # sqlsmith --dump-all-queries's output (may be .gz)
	'top=i'     => \$top,
) or die "usage: report.pl --json F [--stderr F] [--src DIR] [--progress F --queries F]\n";
die "--json is required\n" unless defined $json_file;

# Where is "our" code?  An error is attributed to timeseries when its
# LOCATION (function, file) names a function defined at the start of a line
# in that file of the extension's src/: file names alone are ambiguous (core
# has planner.c, tableam.c, storage.c too).
my %our_funcs;    # "file.c" => { func => 1 }
if ($srcdir && opendir(my $dh, $srcdir)) {
	for my $f (grep { /\.c$/ } readdir $dh) {
		open(my $cf, '<', "$srcdir/$f") or next;
		while (<$cf>) { $our_funcs{$f}{$1} = 1 if /^(\w+)\(/ }
		close $cf;
	}
	closedir $dh;
}

sub ours {
	my ($r) = @_;
	my $file = $r->{file_name} // '';
	my $func = $r->{func_name} // '';
	return $our_funcs{$file} && $our_funcs{$file}{$func} ? 1 : 0;
}

sub norm {
	my ($m) = @_;
	$m //= '';
	$m =~ s/"[^"]*"/"…"/g;
	$m =~ s/\b\d+\b/N/g;
	$m =~ s/\s+/ /g;
	return length($m) > 70 ? substr($m, 0, 70) . '…' : $m;
}

sub clip {
	my ($s, $n) = @_;
	$s //= '';
	return length($s) > $n ? substr($s, 0, $n) . "\n... (" . (length($s) - $n) . " more characters)" : $s;
}

my $json = JSON::PP->new->allow_nonref;

# JSON::PP is slow on tens of MB of statements: pick out the few small fields
# every record needs with a regex (inside a JSON string every '"' is escaped,
# so '[{,]"key":' only matches a real key) and decode whole records only
# when they are reported.
my @keys = qw(error_severity state_code message detail hint context backend_type func_name file_name);
sub fields {
	my ($line) = @_;
	my %r;
	for my $k (@keys) {
		next unless $line =~ /[{,]"$k":("[^"\\]*(?:\\.[^"\\]*)*"|-?\d+)/;
		$r{$k} = eval { $json->decode($1) };
	}
	return %r ? \%r : undef;
}

open(my $fh, '<', $json_file) or die "cannot open $json_file: $!\n";
my (@crash, %err_by_group, %err_by_state, %internal, @internal_order, %ours_by_group);
my ($n_err, $n_fatal, $n_bad_lines, $n_timeout) = (0, 0, 0, 0);
my $bug_words = qr/unrecognized|unexpected|cache lookup failed|could not|corrupt|invalid|
	should not|cannot be evaluated|not found|mismatch|wrong|out of range|unsupported|
	unknown|overflow|too (?:many|large|long)/xi;

while (my $line = <$fh>) {
	my $r = fields($line);
	if (!$r) { $n_bad_lines++; next }
	my $full = sub { $r = eval { $json->decode($line) } // $r };
	my $sev   = $r->{error_severity} // '';
	my $msg   = $r->{message} // '';
	my $state = $r->{state_code} // '';
	my $bt    = $r->{backend_type} // '';

	if ($sev eq 'PANIC'
		|| ($bt eq 'postmaster'
			&& $msg =~ /terminated by (?:signal|exception)|exited with exit code (?!1\b)\d|was terminated|terminating any other active server processes|all server processes terminated|reinitializing/))
	{
		$full->();
		push @crash, $r;
		next;
	}
	if ($sev eq 'FATAL' && $bt eq 'client backend') { $n_fatal++ }
	next unless $sev eq 'ERROR' || $sev eq 'FATAL';
	$n_err++ if $sev eq 'ERROR';
	$n_timeout++ if $state eq '57014' && $msg =~ /statement timeout/;

	my $g = "$state  " . norm($msg);
	$err_by_group{$g}++;
	$err_by_state{$state}++;
	my $is_ours = ours($r);
	$ours_by_group{$g}++ if $is_ours;

	my $text = join("\n", grep { defined } $msg, $r->{detail}, $r->{hint}, $r->{context});
	# timeseries.table_stats() called directly on another relation is a
	# user error; through the timeseries.tables view it is a bug
	my $direct_stats = $state eq '42809' && $line =~ /table_stats\s*\(/i;
	# what timeseries code may raise for a user's mistake: feature_not_supported,
	# query_canceled, data exceptions (class 22: a time_bucket width of 0)
	my $user_error = $state eq '0A000' || $state eq '57014' || $state =~ /^22/ || $direct_stats;
	my $suspicious =
		$state =~ /^XX/
		|| ($sev eq 'FATAL' && $bt eq 'client backend')
		|| ($is_ours && !$user_error)
		|| ($text =~ /timeseries/i && $msg =~ $bug_words && $state ne '0A000' && !$direct_stats);
	next unless $suspicious;
	$full->();
	my $loc = defined $r->{func_name} ? "$r->{func_name}, $r->{file_name}:$r->{file_line_num}" : '';
	my $key = "$state|$loc|" . norm($msg);
	if (!$internal{$key}) {
		$internal{$key} = { r => $r, count => 0, loc => $loc, ours => $is_ours };
		push @internal_order, $key;
	}
	$internal{$key}{count}++;
}
close $fh;

# raw stderr output: assertion failures and glibc aborts bypass elog
my @raw;
if ($stderr_file && open(my $ef, '<', $stderr_file)) {
	while (<$ef>) {
		chomp;
		next unless length;
		# the postmaster's own notice that the collector takes over
		next if /ending log output to stderr|Future log output will go to log destination|LOCATION:  PostmasterMain,/;
		push @raw, $_;
	}
	close $ef;
}
my @raw_crash = grep {
	/^TRAP:|\bPANIC\b|terminated by signal|double free|free\(\): |malloc\(\)|corrupted size|
	 stack smashing|Segmentation fault|AddressSanitizer|runtime error:/x
} @raw;

printf "server log: %d ERRORs (%d distinct), %d FATALs in client backends%s\n",
	$n_err, scalar(keys %err_by_group), $n_fatal,
	$n_bad_lines ? ", $n_bad_lines unparsable lines" : '';
print "errors by SQLSTATE:";
my $i = 0;
for my $s (sort { $err_by_state{$b} <=> $err_by_state{$a} || $a cmp $b } keys %err_by_state) {
	print "\n " if $i++ % 8 == 0;
	printf " %s:%d", $s || '-', $err_by_state{$s};
}
print "\n";
print "most frequent errors (count  SQLSTATE  message prefix):\n";
$i = 0;
for my $g (sort { $err_by_group{$b} <=> $err_by_group{$a} || $a cmp $b } keys %err_by_group) {
	last if $i++ >= $top;
	printf "  %6d  %s\n", $err_by_group{$g}, $g;
}
if (%ours_by_group) {
	print "errors raised by timeseries code:\n";
	for my $g (sort { $ours_by_group{$b} <=> $ours_by_group{$a} || $a cmp $b } keys %ours_by_group) {
		printf "  %6d  %s\n", $ours_by_group{$g}, $g;
	}
}

if (@internal_order) {
	printf "\nINTERNAL ERRORS: %d distinct (SQLSTATE XX..., raised by timeseries code, or naming timeseries)\n",
		scalar @internal_order;
	for my $k (sort { $internal{$b}{ours} <=> $internal{$a}{ours} } @internal_order) {
		my $e = $internal{$k};
		my $r = $e->{r};
		print "----\n";
		printf "%dx  %s: %s: %s\n", $e->{count}, $r->{error_severity}, $r->{state_code} // '', $r->{message} // '';
		print "  location: $e->{loc}" . ($e->{ours} ? "  (timeseries code)" : "  (not timeseries code)") . "\n" if $e->{loc};
		print "  detail: $r->{detail}\n"   if defined $r->{detail};
		print "  hint: $r->{hint}\n"       if defined $r->{hint};
		print "  context: $r->{context}\n" if defined $r->{context};
		print "  statement:\n" . clip($r->{statement}, 6000) . ";\n" if defined $r->{statement};
	}
}

if (@raw) {
	printf "\nraw stderr output of the server (%d lines; assertion failures and aborts appear here):\n", scalar @raw;
	print "  $_\n" for @raw[0 .. ($#raw < 40 ? $#raw : 39)];
}

# SQLsmith's progress output has one character per generated query, in the
# order of --dump-all-queries: '.' ok, 'e' error ('t' timeout and 'S' syntax
# error with some drivers), 'C' connection lost.  A lost connection points at the query that
# crashed the server (or, when the crash hit its closing ROLLBACK, the
# query before).
my @lost;
if ($progress_file && open(my $pf, '<', $progress_file)) {
	my $seq = '';
	while (<$pf>) { chomp; $seq .= $_ if /^[.etSC]+$/ }
	close $pf;
	my %n;
	$n{$_}++ for split //, $seq;
	printf "\nsqlsmith progress: %d queries: %d ok, %d errors (%d of them statement timeouts), %d lost connections\n",
		length $seq, $n{'.'} // 0, ($n{e} // 0) + ($n{t} // 0) + ($n{S} // 0), $n_timeout, $n{C} // 0;
	while ($seq =~ /C+/g) { push @lost, [ $-[0] + 1, $+[0] - $-[0] ] }
}
if (@lost && $queries_file) {
	my $cmd = $queries_file =~ /\.gz$/ ? "gzip -dc '$queries_file'" : "cat '$queries_file'";
	my %want;
	for my $l (@lost[0 .. ($#lost < 4 ? $#lost : 4)]) { $want{ $l->[0] - 1 } = 1; $want{ $l->[0] } = 1 }
	my (%q, $cur, $i);
	$i = 1;
	$cur = '';
	if (open(my $qf, '-|', $cmd)) {
		while (my $l = <$qf>) {
			$cur .= $l;
			if ($l =~ /;\s*$/) {
				$q{$i} = $cur if $want{$i};
				$i++;
				$cur = '';
			}
		}
		close $qf;
	}
	print "queries that lost their connection (number: count of consecutive losses):\n";
	for my $l (@lost[0 .. ($#lost < 4 ? $#lost : 4)]) {
		my ($at, $len) = @$l;
		print "---- query $at lost its connection" . ($len > 1 ? " (and the next " . ($len - 1) . ": reconnecting)" : "") . ":\n";
		print clip($q{$at} // "(not found in $queries_file)\n", 20000);
		print "---- the query before it (#" . ($at - 1) . "):\n" . clip($q{ $at - 1 }, 20000) if $at > 1 && defined $q{ $at - 1 };
	}
}

if (@crash || @raw_crash) {
	print "\nCRASH: the server log shows a crash\n";
	for my $r (@crash) {
		print "----\n";
		printf "%s %s: %s\n", $r->{timestamp} // '', $r->{error_severity} // '', $r->{message} // '';
		if (defined $r->{detail}) {
			my $d = $r->{detail};
			$d =~ s/^Failed process was running: /Failed process was running:\n/;
			print clip($d, 20000), ($r->{detail} =~ /^Failed process was running/ ? ";" : ''), "\n";
		}
		print "statement:\n" . clip($r->{statement}, 20000) . ";\n" if defined $r->{statement};
	}
	print "raw: $_\n" for @raw_crash;
	exit 1;
}
exit(@internal_order ? 3 : 0);
