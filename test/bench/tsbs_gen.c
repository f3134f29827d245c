/*
 * tsbs_gen: data and query generator for the TSBS devops "cpu-only" use case.
 *
 *   tsbs_gen --hosts N --days D --seed S            cpu rows, header-less CSV
 *   tsbs_gen --hosts N --days D --seed S --tags     tags rows, header-less CSV
 *   tsbs_gen --hosts N --days D --seed S --queries TYPE --count K
 *                                                    K SQL statements of a query type, one a line
 *   tsbs_gen --list-queries                          the query types
 *
 * Data model (as TSBS's devops cpu-only use case):
 *   - hosts host_0 .. host_<N-1>; tags_id of host_i is i + 1 (tags are loaded in host order);
 *   - 10 string tags per host drawn from the TSBS value sets;
 *   - 10 cpu metrics per host, each an independent random walk: start uniform in [0, 100),
 *     each step adds N(0, 1) and clamps to [0, 100]; the value is emitted truncated to an integer;
 *   - one row per host every 10 seconds from 2016-01-01 00:00:00 UTC for D days (D may be
 *     fractional), time-major: all hosts of one timestamp, then the next timestamp.
 *
 * Everything is deterministic for a seed: the tags, the data and the query parameters use
 * separate random streams derived from it, so the data does not depend on --days for a prefix
 * and the queries of a type do not depend on which other types were generated.
 *
 * Query parameters follow TSBS: random distinct hosts, random windows of the query's length that
 * lie inside the data's time range, the first n metrics of the metric list.  time_bucket() is
 * written as date_trunc(), as in TSBS's plain PostgreSQL variant.  The scan-* types are ours, not
 * TSBS's: full-table scans without parameters (scan-filter-count: count(*) WHERE usage_user > 90.0).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NMETRICS 10
#define INTERVAL_SECS 10
#define START_EPOCH 1451606400LL	/* 2016-01-01 00:00:00 UTC */

static const char *const metric_names[NMETRICS] = {
	"usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait",
	"usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"
};

/* TSBS value sets */
typedef struct Region
{
	const char *name;
	int			ndc;
	const char *dc[4];
} Region;

static const Region regions[] = {
	{"us-east-1", 4, {"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1e"}},
	{"us-west-1", 2, {"us-west-1a", "us-west-1b"}},
	{"us-west-2", 3, {"us-west-2a", "us-west-2b", "us-west-2c"}},
	{"eu-west-1", 3, {"eu-west-1a", "eu-west-1b", "eu-west-1c"}},
	{"eu-central-1", 2, {"eu-central-1a", "eu-central-1b"}},
	{"ap-southeast-1", 2, {"ap-southeast-1a", "ap-southeast-1b"}},
	{"ap-southeast-2", 2, {"ap-southeast-2a", "ap-southeast-2b"}},
	{"ap-northeast-1", 2, {"ap-northeast-1a", "ap-northeast-1c"}},
	{"sa-east-1", 3, {"sa-east-1a", "sa-east-1b", "sa-east-1c"}},
};
#define NREGIONS ((int) (sizeof(regions) / sizeof(regions[0])))

static const char *const os_choices[] = {"Ubuntu16.10", "Ubuntu16.04LTS", "Ubuntu15.10"};
static const char *const arch_choices[] = {"x64", "x86"};
static const char *const team_choices[] = {"SF", "NYC", "LON", "CHI"};
static const char *const env_choices[] = {"production", "staging", "test"};

#define RACK_CHOICES 100
#define SERVICE_CHOICES 20
#define SERVICE_VERSION_CHOICES 2

/* ---------- random numbers: xoshiro256** seeded by splitmix64 ---------- */

typedef struct Rng
{
	uint64_t	s[4];
	int			have_spare;
	double		spare;
} Rng;

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t	z = (*x += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static void
rng_init(Rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t	x = seed ^ (stream * 0xD1B54A32D192ED03ULL);

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	r->have_spare = 0;
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
rng_next(Rng *r)
{
	uint64_t   *s = r->s;
	uint64_t	result = rotl(s[1] * 5, 7) * 9;
	uint64_t	t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* uniform in [0, 1) */
static inline double
rng_double(Rng *r)
{
	return (rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* uniform integer in [0, n), unbiased */
static uint64_t
rng_below(Rng *r, uint64_t n)
{
	uint64_t	limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t	x;

	do
		x = rng_next(r);
	while (x >= limit);
	return x % n;
}

/* standard normal, Marsaglia polar method */
static inline double
rng_normal(Rng *r)
{
	double		u,
				v,
				s;

	if (r->have_spare)
	{
		r->have_spare = 0;
		return r->spare;
	}
	do
	{
		u = 2.0 * rng_double(r) - 1.0;
		v = 2.0 * rng_double(r) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	s = sqrt(-2.0 * log(s) / s);
	r->spare = v * s;
	r->have_spare = 1;
	return u * s;
}

enum
{
	STREAM_TAGS = 1,
	STREAM_DATA = 2,
	STREAM_QUERIES = 100		/* + query type index */
};

/* ---------- output buffer ---------- */

static char outbuf[1 << 16];
static size_t outlen;

static void
out_flush(void)
{
	if (outlen > 0 && fwrite(outbuf, 1, outlen, stdout) != outlen)
	{
		fprintf(stderr, "tsbs_gen: write failed: %s\n", strerror(errno));
		exit(1);
	}
	outlen = 0;
}

static inline void
out_mem(const char *s, size_t n)
{
	if (outlen + n > sizeof(outbuf))
		out_flush();
	memcpy(outbuf + outlen, s, n);
	outlen += n;
}

static inline void
out_str(const char *s)
{
	out_mem(s, strlen(s));
}

static inline void
out_int(long long v)
{
	char		tmp[24];
	int			n = 0;
	unsigned long long u = v < 0 ? -(unsigned long long) v : (unsigned long long) v;

	do
	{
		tmp[sizeof(tmp) - 1 - n++] = '0' + (u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[sizeof(tmp) - 1 - n++] = '-';
	out_mem(tmp + sizeof(tmp) - n, n);
}

/* "YYYY-MM-DD HH:MM:SS+00" */
static void
format_ts(long long epoch, char *buf, size_t len)
{
	time_t		t = (time_t) epoch;
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S+00", &tm);
}

/* ---------- tags ---------- */

typedef struct HostTags
{
	int			region;
	int			dc;
	int			rack;
	int			os;
	int			arch;
	int			team;
	int			service;
	int			service_version;
	int			env;
} HostTags;

static void
gen_tags(long nhosts, uint64_t seed)
{
	Rng			r;

	rng_init(&r, seed, STREAM_TAGS);
	for (long i = 0; i < nhosts; i++)
	{
		HostTags	h;

		h.region = rng_below(&r, NREGIONS);
		h.dc = rng_below(&r, regions[h.region].ndc);
		h.rack = rng_below(&r, RACK_CHOICES);
		h.os = rng_below(&r, 3);
		h.arch = rng_below(&r, 2);
		h.team = rng_below(&r, 4);
		h.service = rng_below(&r, SERVICE_CHOICES);
		h.service_version = rng_below(&r, SERVICE_VERSION_CHOICES);
		h.env = rng_below(&r, 3);

		/* id,hostname,region,datacenter,rack,os,arch,team,service,service_version,service_environment */
		out_int(i + 1);
		out_str(",host_");
		out_int(i);
		out_str(",");
		out_str(regions[h.region].name);
		out_str(",");
		out_str(regions[h.region].dc[h.dc]);
		out_str(",");
		out_int(h.rack);
		out_str(",");
		out_str(os_choices[h.os]);
		out_str(",");
		out_str(arch_choices[h.arch]);
		out_str(",");
		out_str(team_choices[h.team]);
		out_str(",");
		out_int(h.service);
		out_str(",");
		out_int(h.service_version);
		out_str(",");
		out_str(env_choices[h.env]);
		out_str("\n");
	}
}

/* ---------- cpu rows ---------- */

static void
gen_cpu(long nhosts, long long nsteps, uint64_t seed)
{
	Rng			r;
	double	   *val = malloc(sizeof(double) * nhosts * NMETRICS);
	char	  **prefix = malloc(sizeof(char *) * nhosts);
	size_t	   *prefixlen = malloc(sizeof(size_t) * nhosts);

	if (!val || !prefix || !prefixlen)
	{
		fprintf(stderr, "tsbs_gen: out of memory\n");
		exit(1);
	}
	rng_init(&r, seed, STREAM_DATA);
	for (long i = 0; i < nhosts * NMETRICS; i++)
		val[i] = rng_double(&r) * 100.0;
	for (long h = 0; h < nhosts; h++)
	{
		char		tmp[64];

		snprintf(tmp, sizeof(tmp), ",%ld,host_%ld", h + 1, h);
		prefix[h] = strdup(tmp);
		prefixlen[h] = strlen(tmp);
	}

	for (long long step = 0; step < nsteps; step++)
	{
		char		ts[40];
		size_t		tslen;

		format_ts(START_EPOCH + step * INTERVAL_SECS, ts, sizeof(ts));
		tslen = strlen(ts);
		for (long h = 0; h < nhosts; h++)
		{
			double	   *v = val + h * NMETRICS;

			out_mem(ts, tslen);
			out_mem(prefix[h], prefixlen[h]);
			for (int m = 0; m < NMETRICS; m++)
			{
				out_mem(",", 1);
				out_int((long long) v[m]);
				/* advance the walk for the next row */
				v[m] += rng_normal(&r);
				if (v[m] < 0.0)
					v[m] = 0.0;
				else if (v[m] > 100.0)
					v[m] = 100.0;
			}
			out_mem("\n", 1);
		}
	}
	for (long h = 0; h < nhosts; h++)
		free(prefix[h]);
	free(prefix);
	free(prefixlen);
	free(val);
}

/* ---------- queries ---------- */

typedef enum QKind
{
	Q_SINGLE_GROUPBY,			/* nmetrics, nhosts, hours */
	Q_MAX_ALL,					/* nhosts */
	Q_DOUBLE_GROUPBY,			/* nmetrics */
	Q_HIGH_CPU,					/* nhosts (0 = all) */
	Q_LASTPOINT,
	Q_GROUPBY_ORDERBY_LIMIT,
	Q_SCAN_COUNT,
	Q_SCAN_AVG,
	Q_SCAN_MAX_PER_HOST,
	Q_SCAN_FILTER_COUNT,
	Q_GAPFILL,
	Q_LASTPOINT_TAGS
} QKind;

typedef struct QType
{
	const char *name;
	QKind		kind;
	int			nmetrics;
	int			nhosts;
	int			hours;
} QType;

static const QType qtypes[] = {
	{"single-groupby-1-1-1", Q_SINGLE_GROUPBY, 1, 1, 1},
	{"single-groupby-1-1-12", Q_SINGLE_GROUPBY, 1, 1, 12},
	{"single-groupby-1-8-1", Q_SINGLE_GROUPBY, 1, 8, 1},
	{"single-groupby-5-1-1", Q_SINGLE_GROUPBY, 5, 1, 1},
	{"single-groupby-5-1-12", Q_SINGLE_GROUPBY, 5, 1, 12},
	{"single-groupby-5-8-1", Q_SINGLE_GROUPBY, 5, 8, 1},
	{"cpu-max-all-1", Q_MAX_ALL, NMETRICS, 1, 8},
	{"cpu-max-all-8", Q_MAX_ALL, NMETRICS, 8, 8},
	{"double-groupby-1", Q_DOUBLE_GROUPBY, 1, 0, 12},
	{"double-groupby-5", Q_DOUBLE_GROUPBY, 5, 0, 12},
	{"double-groupby-all", Q_DOUBLE_GROUPBY, NMETRICS, 0, 12},
	{"high-cpu-1", Q_HIGH_CPU, 0, 1, 12},
	{"high-cpu-all", Q_HIGH_CPU, 0, 0, 12},
	{"lastpoint", Q_LASTPOINT, 0, 0, 0},
	{"groupby-orderby-limit", Q_GROUPBY_ORDERBY_LIMIT, 0, 0, 1},
	{"scan-count", Q_SCAN_COUNT, 0, 0, 0},
	{"scan-avg", Q_SCAN_AVG, 0, 0, 0},
	{"scan-max-per-host", Q_SCAN_MAX_PER_HOST, 0, 0, 0},
	/*
	 * Not a TSBS type (issue 5): a filter over every row, no time window.  New types go at the
	 * end: a type's random stream is derived from its index here.
	 */
	{"scan-filter-count", Q_SCAN_FILTER_COUNT, 0, 0, 0},
	/* Not TSBS either (issue 6): a dashboard panel, 5-minute buckets of every host, gaps filled */
	{"gapfill-all-12", Q_GAPFILL, 1, 0, 12},
	/* TSBS's lastpoint as it runs with a tags table: the newest row per host through LATERAL */
	{"lastpoint-tags", Q_LASTPOINT_TAGS, 0, 0, 0},
};
#define NQTYPES ((int) (sizeof(qtypes) / sizeof(qtypes[0])))

/* random window of `secs` seconds inside [start, end): start in [start, end - secs) */
static long long
rand_window_start(Rng *r, long long data_start, long long data_end, long long secs)
{
	long long	span = data_end - secs - data_start;

	if (span <= 0)
	{
		fprintf(stderr, "tsbs_gen: the data range is shorter than a %lld s query window\n", secs);
		exit(1);
	}
	return data_start + (long long) rng_below(r, (uint64_t) span);
}

/* host where clause: (hostname = 'host_a' OR ...), nhosts distinct random hosts */
static void
out_host_where(Rng *r, long scale, int nhosts)
{
	long		picked[64];

	if (nhosts > scale || nhosts > 64)
	{
		fprintf(stderr, "tsbs_gen: cannot pick %d hosts out of %ld\n", nhosts, scale);
		exit(1);
	}
	out_str("(");
	for (int i = 0; i < nhosts; i++)
	{
		long		h;
		int			dup;

		do
		{
			h = rng_below(r, scale);
			dup = 0;
			for (int j = 0; j < i; j++)
				if (picked[j] == h)
					dup = 1;
		} while (dup);
		picked[i] = h;
		if (i > 0)
			out_str(" OR ");
		out_str("hostname = 'host_");
		out_int(h);
		out_str("'");
	}
	out_str(")");
}

static void
out_ts_literal(long long epoch)
{
	char		buf[40];

	format_ts(epoch, buf, sizeof(buf));
	out_str("'");
	out_str(buf);
	out_str("'");
}

static void
out_aggs(const char *agg, const char *alias_prefix, int nmetrics)
{
	for (int m = 0; m < nmetrics; m++)
	{
		out_str(", ");
		out_str(agg);
		out_str("(");
		out_str(metric_names[m]);
		out_str(") AS ");
		out_str(alias_prefix);
		out_str(metric_names[m]);
	}
}

static void
gen_queries(const char *type, long count, long scale, long long nsteps, uint64_t seed)
{
	const QType *q = NULL;
	int			qi;
	Rng			r;
	long long	data_start = START_EPOCH;
	long long	data_end = START_EPOCH + nsteps * INTERVAL_SECS;

	for (qi = 0; qi < NQTYPES; qi++)
		if (strcmp(qtypes[qi].name, type) == 0)
		{
			q = &qtypes[qi];
			break;
		}
	if (q == NULL)
	{
		fprintf(stderr, "tsbs_gen: unknown query type \"%s\" (see --list-queries)\n", type);
		exit(1);
	}
	rng_init(&r, seed, STREAM_QUERIES + qi);

	for (long n = 0; n < count; n++)
	{
		long long	secs = (long long) q->hours * 3600;
		long long	ws;

		switch (q->kind)
		{
			case Q_SINGLE_GROUPBY:
				ws = rand_window_start(&r, data_start, data_end, secs);
				out_str("SELECT date_trunc('minute', time) AS minute");
				out_aggs("max", "max_", q->nmetrics);
				out_str(" FROM cpu WHERE ");
				out_host_where(&r, scale, q->nhosts);
				out_str(" AND time >= ");
				out_ts_literal(ws);
				out_str(" AND time < ");
				out_ts_literal(ws + secs);
				out_str(" GROUP BY minute ORDER BY minute ASC;\n");
				break;
			case Q_MAX_ALL:
				ws = rand_window_start(&r, data_start, data_end, secs);
				out_str("SELECT date_trunc('hour', time) AS hour");
				out_aggs("max", "max_", q->nmetrics);
				out_str(" FROM cpu WHERE ");
				out_host_where(&r, scale, q->nhosts);
				out_str(" AND time >= ");
				out_ts_literal(ws);
				out_str(" AND time < ");
				out_ts_literal(ws + secs);
				out_str(" GROUP BY hour ORDER BY hour;\n");
				break;
			case Q_DOUBLE_GROUPBY:
				/* TSBS's form with the tags table (its plain form is not valid SQL) */
				ws = rand_window_start(&r, data_start, data_end, secs);
				out_str("WITH cpu_avg AS (SELECT date_trunc('hour', time) AS hour, tags_id");
				out_aggs("avg", "mean_", q->nmetrics);
				out_str(" FROM cpu WHERE time >= ");
				out_ts_literal(ws);
				out_str(" AND time < ");
				out_ts_literal(ws + secs);
				out_str(" GROUP BY hour, tags_id) SELECT hour, tags.hostname");
				for (int m = 0; m < q->nmetrics; m++)
				{
					out_str(", mean_");
					out_str(metric_names[m]);
				}
				out_str(" FROM cpu_avg JOIN tags ON cpu_avg.tags_id = tags.id ORDER BY hour, tags.hostname;\n");
				break;
			case Q_HIGH_CPU:
				ws = rand_window_start(&r, data_start, data_end, secs);
				out_str("SELECT * FROM cpu WHERE usage_user > 90.0 AND time >= ");
				out_ts_literal(ws);
				out_str(" AND time < ");
				out_ts_literal(ws + secs);
				if (q->nhosts > 0)
				{
					out_str(" AND ");
					out_host_where(&r, scale, q->nhosts);
				}
				out_str(";\n");
				break;
			case Q_LASTPOINT:
				out_str("SELECT DISTINCT ON (hostname) * FROM cpu ORDER BY hostname, time DESC;\n");
				break;
			case Q_GROUPBY_ORDERBY_LIMIT:
				ws = rand_window_start(&r, data_start, data_end, secs);
				out_str("SELECT date_trunc('minute', time) AS minute, max(usage_user) FROM cpu WHERE time < ");
				out_ts_literal(ws + secs);
				out_str(" GROUP BY minute ORDER BY minute DESC LIMIT 5;\n");
				break;
			case Q_SCAN_COUNT:
				out_str("SELECT count(*) FROM cpu;\n");
				break;
			case Q_SCAN_AVG:
				out_str("SELECT avg(usage_user) FROM cpu;\n");
				break;
			case Q_SCAN_MAX_PER_HOST:
				out_str("SELECT hostname, max(usage_user) FROM cpu GROUP BY hostname ORDER BY hostname;\n");
				break;
			case Q_SCAN_FILTER_COUNT:
				/* fixed threshold, the one of high-cpu: every instance is the same query */
				out_str("SELECT count(*) FROM cpu WHERE usage_user > 90.0;\n");
				break;
			case Q_GAPFILL:
				ws = rand_window_start(&r, data_start, data_end, secs);
				out_str("SELECT timeseries.time_bucket_gapfill('5 minutes', time) AS bucket, hostname,"
						" timeseries.locf(avg(usage_user)) AS usage_user FROM cpu WHERE time >= ");
				out_ts_literal(ws);
				out_str(" AND time < ");
				out_ts_literal(ws + secs);
				out_str(" GROUP BY 1, 2 ORDER BY 2, 1;\n");
				break;
			case Q_LASTPOINT_TAGS:
				out_str("SELECT DISTINCT ON (t.hostname) * FROM tags t INNER JOIN LATERAL"
						" (SELECT * FROM cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) AS b"
						" ON true ORDER BY t.hostname, b.time DESC;\n");
				break;
		}
	}
}

/* ---------- main ---------- */

static void
usage(void)
{
	fprintf(stderr,
			"usage: tsbs_gen --hosts N --days D [--seed S] [--tags | --queries TYPE [--count K]]\n"
			"       tsbs_gen --list-queries\n"
			"  writes TSBS devops cpu-only rows (time, tags_id, hostname, usage_user, ...,\n"
			"  usage_guest_nice) as header-less CSV, one row per host every 10 s from\n"
			"  2016-01-01 00:00:00 UTC; --tags writes the tags rows (id, hostname, region,\n"
			"  datacenter, rack, os, arch, team, service, service_version, service_environment);\n"
			"  --queries writes K SQL statements of a TSBS query type, one a line.\n");
	exit(2);
}

static long long
parse_int(const char *opt, const char *s)
{
	char	   *end;
	long long	v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || end == s || v < 0)
	{
		fprintf(stderr, "tsbs_gen: bad value for %s: \"%s\"\n", opt, s);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	long		hosts = -1;
	double		days = -1;
	uint64_t	seed = 123;
	int			tags = 0;
	const char *query_type = NULL;
	long		count = 10;
	long long	nsteps;

	for (int i = 1; i < argc; i++)
	{
		const char *a = argv[i];

		if (strcmp(a, "--list-queries") == 0)
		{
			for (int q = 0; q < NQTYPES; q++)
				printf("%s\n", qtypes[q].name);
			return 0;
		}
		else if (strcmp(a, "--tags") == 0)
			tags = 1;
		else if (i + 1 < argc && strcmp(a, "--hosts") == 0)
			hosts = parse_int(a, argv[++i]);
		else if (i + 1 < argc && strcmp(a, "--seed") == 0)
			seed = (uint64_t) parse_int(a, argv[++i]);
		else if (i + 1 < argc && strcmp(a, "--count") == 0)
			count = parse_int(a, argv[++i]);
		else if (i + 1 < argc && strcmp(a, "--queries") == 0)
			query_type = argv[++i];
		else if (i + 1 < argc && strcmp(a, "--days") == 0)
		{
			char	   *end;

			days = strtod(argv[++i], &end);
			if (*end || end == argv[i] || !(days > 0))
			{
				fprintf(stderr, "tsbs_gen: bad value for --days: \"%s\"\n", argv[i]);
				exit(2);
			}
		}
		else
			usage();
	}
	if (hosts < 1 || days <= 0)
		usage();
	nsteps = (long long) llround(days * 86400.0 / INTERVAL_SECS);
	if (nsteps < 1)
		nsteps = 1;

	if (query_type)
		gen_queries(query_type, count, hosts, nsteps, seed);
	else if (tags)
		gen_tags(hosts, seed);
	else
		gen_cpu(hosts, nsteps, seed);
	out_flush();
	if (fflush(stdout) != 0 || ferror(stdout))
	{
		fprintf(stderr, "tsbs_gen: write failed\n");
		return 1;
	}
	return 0;
}
