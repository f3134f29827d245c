/*
 * codec_bench.c
 *	  Codec benchmark: reads TSBS cpu rows (CSV from tsbs_gen) on stdin and
 *	  prints, per column, bits per value and single-core decode speed of the
 *	  type-aware codecs next to plain lz4 and zstd on the same vectors of 1024
 *	  values, in the rows' own (time-major) order and in series order (sorted
 *	  by host, then time, as compaction by series will store them).
 *
 *	  Each decode speed is the median of --rounds timed rounds (default 3) of
 *	  at least 0.2 s each, timed in the thread's CPU time: the speed per core,
 *	  which other processes on a shared machine disturb far less than they
 *	  would the elapsed time.  --typed-only skips lz4 and zstd.  After the
 *	  TSBS columns come two decimal columns derived from usage_user (divided
 *	  by 10 and by 100), whose ALP exponent is not 0, so that the decode's
 *	  division shows.
 *
 *	  tsbs_gen --hosts 400 --days 1 | ./codec_bench [--typed-only] [--rounds N]
 */
#include "c.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "codec.h"

#define VEC 1024
#define NFLOAT 10

typedef struct Row
{
	int64		time;
	int64		tags_id;
	char		host[24];
	double		v[NFLOAT];
} Row;

static Row *rows;
static size_t nrows;
static int	rounds = 3;
static bool typed_only = false;

/* CPU time of this thread, in seconds */
static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64
parse_time(const char *s)
{
	/* "2016-01-01 00:00:00+00": days from 2016-01-01 are enough here */
	int			y, mo, d, h, mi, se;
	static const int cum[] = {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335};	/* 2016 is leap */

	sscanf(s, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &se);
	return ((((int64) (y - 2016) * 366 + cum[mo - 1] + d - 1) * 24 + h) * 60 + mi) * 60000000LL +
		(int64) se * 1000000LL + 1451606400000000LL;
}

static int
cmp_series(const void *a, const void *b)
{
	const Row  *x = a;
	const Row  *y = b;

	if (x->tags_id != y->tags_id)
		return x->tags_id < y->tags_id ? -1 : 1;
	return x->time < y->time ? -1 : x->time > y->time;
}

typedef struct Result
{
	double		bits;
	double		mvals;			/* decode, million values per second */
} Result;

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return x < y ? -1 : x > y;
}

/*
 * Decode speed in million values per second: the median over rounds of
 * decoding every vector repeatedly for at least 0.2 s.
 */
#define TIME_DECODE(result, decode_all) \
	do { \
		double		speeds[64]; \
		int			nr = Min(rounds, 64); \
		for (int round = 0; round < nr; round++) \
		{ \
			double		t0 = now_sec(); \
			double		t; \
			int			reps = 0; \
			do \
			{ \
				decode_all; \
				reps++; \
			} while ((t = now_sec() - t0) < 0.2); \
			speeds[round] = reps * (double) nrows / t / 1e6; \
		} \
		qsort(speeds, nr, sizeof(double), cmp_double); \
		(result).mvals = speeds[nr / 2]; \
	} while (0)

/* general-purpose codec over each vector's raw bytes */
static Result
bench_general_run(int codec, int level, const char *raw, size_t width, const uint32 *varlens)
{
	Result		r = {0, 0};
	size_t		nvec = (nrows + VEC - 1) / VEC;
	char	  **enc = malloc(sizeof(char *) * nvec);
	size_t	   *enclen = malloc(sizeof(size_t) * nvec);
	size_t	   *rawlen = malloc(sizeof(size_t) * nvec);
	size_t	   *rawoff = malloc(sizeof(size_t) * nvec);
	size_t		total = 0;
	size_t		off = 0;
	char	   *out;

	for (size_t v = 0; v < nvec; v++)
	{
		size_t		n = Min(VEC, nrows - v * VEC);
		size_t		len = 0;

		if (varlens)
			for (size_t i = 0; i < n; i++)
				len += varlens[v * VEC + i];
		else
			len = n * width;
		rawoff[v] = off;
		rawlen[v] = len;
		enc[v] = malloc(codec_bound(codec, len));
		enclen[v] = codec_compress(codec, level, raw + off, len, enc[v], codec_bound(codec, len));
		total += enclen[v];
		off += len;
	}
	r.bits = total * 8.0 / nrows;
	out = malloc(VEC * 64 + 1024);
	TIME_DECODE(r,
				for (size_t v = 0; v < nvec; v++)
				if (!codec_decompress(codec, enc[v], enclen[v], out, rawlen[v]))
				abort());
	for (size_t v = 0; v < nvec; v++)
		free(enc[v]);
	free(enc);
	free(enclen);
	free(rawlen);
	free(rawoff);
	free(out);
	return r;
}

static Result
bench_general(int codec, int level, const char *raw, size_t width, const uint32 *varlens)
{
	Result		none = {0, 0};

	return typed_only ? none : bench_general_run(codec, level, raw, width, varlens);
}

static Result
bench_int(const int64 *vals)
{
	Result		r;
	size_t		nvec = (nrows + VEC - 1) / VEC;
	char	   *enc = malloc(nvec * codec_int_bound(VEC));
	size_t	   *off = malloc(sizeof(size_t) * (nvec + 1));
	uint64		scratch[4 * VEC];
	int64		out[VEC];

	off[0] = 0;
	for (size_t v = 0; v < nvec; v++)
		off[v + 1] = off[v] + codec_int_encode(vals + v * VEC, Min(VEC, nrows - v * VEC), enc + off[v], scratch);
	r.bits = off[nvec] * 8.0 / nrows;
	TIME_DECODE(r,
				for (size_t v = 0; v < nvec; v++)
				if (!codec_int_decode(enc + off[v], off[v + 1] - off[v], out, Min(VEC, nrows - v * VEC), scratch))
				abort());
	free(enc);
	free(off);
	return r;
}

static Result
bench_alp(const double *vals)
{
	Result		r;
	size_t		nvec = (nrows + VEC - 1) / VEC;
	char	   *enc = malloc(nvec * codec_alp_bound(VEC));
	size_t	   *off = malloc(sizeof(size_t) * (nvec + 1));
	uint64		scratch[5 * VEC];
	double		out[VEC];

	off[0] = 0;
	for (size_t v = 0; v < nvec; v++)
	{
		size_t		len = codec_alp_encode(vals + v * VEC, Min(VEC, nrows - v * VEC), false, enc + off[v], scratch);

		if (len == 0)
		{
			fprintf(stderr, "ALP refused a vector\n");
			exit(1);
		}
		off[v + 1] = off[v] + len;
	}
	r.bits = off[nvec] * 8.0 / nrows;
	TIME_DECODE(r,
				for (size_t v = 0; v < nvec; v++)
				if (!codec_alp_decode(enc + off[v], off[v + 1] - off[v], out, Min(VEC, nrows - v * VEC), false, scratch))
				abort());
	free(enc);
	free(off);
	return r;
}

static Result
bench_dict(const char **ptrs, const uint32 *lens)
{
	Result		r;
	size_t		nvec = (nrows + VEC - 1) / VEC;
	char	   *enc = malloc(nvec * codec_dict_bound(VEC, VEC * 24));
	size_t	   *off = malloc(sizeof(size_t) * (nvec + 1));
	uint64	   *scratch = malloc(sizeof(uint64) * codec_dict_scratch(VEC));
	const char *optr[VEC];
	uint32		olen[VEC];

	off[0] = 0;
	for (size_t v = 0; v < nvec; v++)
	{
		size_t		n = Min(VEC, nrows - v * VEC);
		size_t		len = codec_dict_encode(ptrs + v * VEC, lens + v * VEC, n, n, enc + off[v], scratch);

		off[v + 1] = off[v] + len;
	}
	r.bits = off[nvec] * 8.0 / nrows;
	TIME_DECODE(r,
				for (size_t v = 0; v < nvec; v++)
				if (!codec_dict_decode(enc + off[v], off[v + 1] - off[v], Min(VEC, nrows - v * VEC), optr, olen, scratch))
				abort());
	free(enc);
	free(off);
	free(scratch);
	return r;
}

static void
print_row(const char *col, Result typed, const char *typed_name, Result lz4, Result zstd)
{
	if (typed_only)
		printf("%-18s %-6s %7.2f %9.0f\n", col, typed_name, typed.bits, typed.mvals);
	else
		printf("%-18s %-6s %7.2f %9.0f   %7.2f %9.0f   %7.2f %9.0f\n", col, typed_name,
			   typed.bits, typed.mvals, lz4.bits, lz4.mvals, zstd.bits, zstd.mvals);
}

static void
run(const char *order)
{
	int64	   *iv = malloc(sizeof(int64) * nrows);
	double	   *dv = malloc(sizeof(double) * nrows);
	const char **ptrs = malloc(sizeof(char *) * nrows);
	uint32	   *lens = malloc(sizeof(uint32) * nrows);
	char	   *strraw = malloc(nrows * 24);
	size_t		soff = 0;
	static const char *names[NFLOAT] = {"usage_user", "usage_system", "usage_idle", "usage_nice",
		"usage_iowait", "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"};
	double		total_typed = 0;

	printf("\n%s order, %zu rows, vectors of %d values\n", order, nrows, VEC);
	if (typed_only)
		printf("%-18s %-6s %7s %9s\n", "column", "codec", "bits", "Mval/s");
	else
		printf("%-18s %-6s %7s %9s   %7s %9s   %7s %9s\n", "column", "codec", "bits", "Mval/s",
			   "lz4", "Mval/s", "zstd-3", "Mval/s");

	for (size_t i = 0; i < nrows; i++)
		iv[i] = rows[i].time;
	{
		Result		t = bench_int(iv);

		print_row("time", t, "int", bench_general(CODEC_LZ4, 1, (char *) iv, 8, NULL),
				  bench_general(CODEC_ZSTD, 3, (char *) iv, 8, NULL));
		total_typed += t.bits;
	}
	for (size_t i = 0; i < nrows; i++)
		iv[i] = rows[i].tags_id;
	{
		int32	   *i4 = malloc(sizeof(int32) * nrows);
		Result		t = bench_int(iv);

		for (size_t i = 0; i < nrows; i++)
			i4[i] = (int32) iv[i];
		print_row("tags_id", t, "int", bench_general(CODEC_LZ4, 1, (char *) i4, 4, NULL),
				  bench_general(CODEC_ZSTD, 3, (char *) i4, 4, NULL));
		total_typed += t.bits;
		free(i4);
	}
	for (size_t i = 0; i < nrows; i++)
	{
		size_t		l = strlen(rows[i].host);

		memcpy(strraw + soff, rows[i].host, l);
		ptrs[i] = strraw + soff;
		lens[i] = l;
		soff += l;
	}
	{
		Result		t = bench_dict(ptrs, lens);

		print_row("hostname", t, "dict", bench_general(CODEC_LZ4, 1, strraw, 0, lens),
				  bench_general(CODEC_ZSTD, 3, strraw, 0, lens));
		total_typed += t.bits;
	}
	for (int c = 0; c < NFLOAT; c++)
	{
		Result		t;

		for (size_t i = 0; i < nrows; i++)
			dv[i] = rows[i].v[c];
		t = bench_alp(dv);
		print_row(names[c], t, "alp", bench_general(CODEC_LZ4, 1, (char *) dv, 8, NULL),
				  bench_general(CODEC_ZSTD, 3, (char *) dv, 8, NULL));
		total_typed += t.bits;
	}
	printf("%-18s %-6s %7.2f bits = %.2f bytes per row (type-aware codecs, no chunk overhead)\n",
		   "all columns", "", total_typed, total_typed / 8);

	/* decimals: ALP with an exponent above 0 (not part of the total) */
	for (int e = 1; e <= 2; e++)
	{
		char		name[32];

		for (size_t i = 0; i < nrows; i++)
			dv[i] = rows[i].v[0] / (e == 1 ? 10.0 : 100.0);
		snprintf(name, sizeof(name), "usage_user/1e%d", e);
		print_row(name, bench_alp(dv), "alp", bench_general(CODEC_LZ4, 1, (char *) dv, 8, NULL),
				  bench_general(CODEC_ZSTD, 3, (char *) dv, 8, NULL));
	}
	free(iv);
	free(dv);
	free(ptrs);
	free(lens);
	free(strraw);
}

int
main(int argc, char **argv)
{
	char		line[1024];
	size_t		cap = 1 << 20;

	for (int i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--typed-only") == 0)
			typed_only = true;
		else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc &&
				 atoi(argv[i + 1]) > 0)
			rounds = atoi(argv[++i]);
		else
		{
			fprintf(stderr, "usage: codec_bench [--typed-only] [--rounds N] < tsbs.csv\n");
			return 2;
		}
	}

	rows = malloc(sizeof(Row) * cap);
	while (fgets(line, sizeof(line), stdin))
	{
		Row		   *r;
		char	   *f[13];
		char	   *p = line;

		if (nrows == cap)
		{
			cap *= 2;
			rows = realloc(rows, sizeof(Row) * cap);
		}
		r = &rows[nrows];
		for (int i = 0; i < 13; i++)
		{
			f[i] = p;
			p = strchr(p, i == 12 ? '\n' : ',');
			if (p == NULL)
				break;
			*p++ = '\0';
		}
		r->time = parse_time(f[0]);
		r->tags_id = atoll(f[1]);
		snprintf(r->host, sizeof(r->host), "%s", f[2]);
		for (int c = 0; c < NFLOAT; c++)
			r->v[c] = strtod(f[3 + c], NULL);
		nrows++;
	}
	if (nrows == 0)
	{
		fprintf(stderr, "codec_bench: no rows on stdin\n");
		return 1;
	}
	run("time-major (as loaded)");
	qsort(rows, nrows, sizeof(Row), cmp_series);
	run("series (host, time)");
	return 0;
}
