/*
 * libpq against timeseries tables: binary COPY FROM STDIN / COPY TO STDOUT,
 * prepared statements with time-range parameters under generic plans,
 * single-row autocommit inserts, a pipeline-mode batch (with an aborted
 * segment), and dashboard queries compared with a heap twin.
 *
 * Every row is written to two timeseries tables (default layout with small
 * chunks; segment_by host, order_by time DESC, lz4) and a heap twin.  What
 * is read back is compared with what was written, value by value (float bits,
 * NaN, infinities, -0, NULLs, timestamptz microseconds), and the tables'
 * ordered COPY output with the heap twin's byte by byte.
 *
 * Connection parameters come from the environment (PGHOST, PGPORT, PGUSER,
 * PGDATABASE).  Exits 1 on any mismatch, with one line per problem.
 */
#include <libpq-fe.h>

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_COPY		60000
#define N_SINGLE	150
#define N_PREPARED	150
#define N_PIPE		2000
#define PIPE_SEG	500
#define PIPE_BAD_SEG 2			/* this pipeline segment fails and is rolled back */
#define N_HOSTS		40

/* 2024-03-01 00:00:00 UTC in microseconds since 2000-01-01 */
#define BASE_US		INT64_C(762566400000000)
#define US_PER_S	INT64_C(1000000)

static const char *TABLES[] = {"ts_a", "ts_b", "heap_twin"};
#define N_TABLES 3
#define N_TS 2					/* the first N_TS of TABLES are timeseries tables */

static PGconn *conn;
static int	failures;
static int	checks;

static void
fail(const char *fmt,...)
{
	va_list		ap;

	failures++;
	if (failures > 50)
		return;
	fputs("FAIL: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static void
die(const char *fmt,...)
{
	va_list		ap;

	fputs("FATAL: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	exit(1);
}

static void
check_res(PGresult *res, ExecStatusType want, const char *what)
{
	if (PQresultStatus(res) != want)
		die("%s: %s %s", what, PQresStatus(PQresultStatus(res)), PQerrorMessage(conn));
}

static void
exec_ok(const char *sql)
{
	PGresult   *res = PQexec(conn, sql);

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		die("%s: %s", sql, PQerrorMessage(conn));
	PQclear(res);
}

/* ---------------------------------------------------------------- data */

typedef struct Row
{
	int64_t		id;
	int64_t		time;			/* microseconds since 2000-01-01 UTC */
	char	   *host;			/* NULL: SQL NULL */
	bool		uu_null;
	double		usage_user;
	bool		ui_null;
	double		usage_idle;
	bool		r_null;
	int32_t		reading;
	char	   *note;			/* NULL: SQL NULL */
} Row;

static Row *expected;			/* indexed by id */
static bool *present;			/* the row is (expected to be) in the tables */
static int64_t n_expected;

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t
rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static double
rnd01(void)
{
	return (rnd() >> 11) * (1.0 / 9007199254740992.0);
}

static const char *NOTES[] = {
	"", "ok", "tab\there", "new\nline", "back\\slash", "zürich ✓ 東京",
	"quote ' and \" and ,comma", "\\N", "null", "trailing space "
};

static void
make_row(Row *r, int64_t id)
{
	uint64_t	k = rnd();
	char		buf[32];

	r->id = id;
	/* about one row per second per id, microseconds random, some out of order */
	r->time = BASE_US + id * US_PER_S + (int64_t) (rnd() % US_PER_S);
	if (k % 97 == 0)
		r->time -= (int64_t) (rnd() % 3600) * US_PER_S;
	if (id == 17)
		r->time = INT64_MAX;	/* 'infinity' */
	if (id == 18)
		r->time = INT64_MIN;	/* '-infinity' */
	if (id == 19)
		r->time = -1;			/* 1999-12-31 23:59:59.999999 UTC */

	if (k % 53 == 1)
		r->host = NULL;
	else
	{
		snprintf(buf, sizeof(buf), "host_%d", (int) (rnd() % N_HOSTS));
		r->host = strdup(buf);
	}

	r->uu_null = false;
	switch ((k >> 8) % 64)
	{
		case 0:
			r->usage_user = NAN;
			break;
		case 1:
			r->usage_user = INFINITY;
			break;
		case 2:
			r->usage_user = -INFINITY;
			break;
		case 3:
			r->usage_user = -0.0;
			break;
		case 4:
			r->usage_user = 4.9e-324;	/* denormal */
			break;
		case 5:
			/* large, but its square still fits: avg's sum of squares must not overflow */
			r->usage_user = 1.2345678901234567e150;
			break;
		case 6:
		case 7:
			r->uu_null = true;
			r->usage_user = 0;
			break;
		default:
			r->usage_user = rnd01() * 100.0;	/* full 53-bit mantissas */
	}
	r->ui_null = ((k >> 16) % 20 == 0);
	r->usage_idle = r->ui_null ? 0 : (double) (int64_t) (rnd() % 10001) / 100.0;	/* decimals */
	r->r_null = ((k >> 24) % 30 == 0);
	r->reading = r->r_null ? 0 :
		((k >> 32) % 50 == 0) ? (((k >> 40) & 1) ? INT32_MAX : INT32_MIN) :
		(int32_t) (rnd() % 2000000) - 1000000;
	if ((k >> 48) % 4 == 0)
		r->note = strdup(NOTES[(k >> 52) % (sizeof(NOTES) / sizeof(NOTES[0]))]);
	else
		r->note = NULL;
}

/* ---------------------------------------------------------------- binary */

typedef struct Buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} Buf;

static void
buf_add(Buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap)
	{
		b->cap = (b->cap + n) * 2;
		b->data = realloc(b->data, b->cap);
		if (!b->data)
			die("out of memory");
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void
put16(Buf *b, int16_t v)
{
	uint8_t		x[2] = {(uint8_t) ((uint16_t) v >> 8), (uint8_t) v};

	buf_add(b, x, 2);
}

static void
put32(Buf *b, int32_t v)
{
	uint32_t	u = (uint32_t) v;
	uint8_t		x[4] = {u >> 24, u >> 16, u >> 8, u};

	buf_add(b, x, 4);
}

static void
put64(Buf *b, int64_t v)
{
	uint64_t	u = (uint64_t) v;
	uint8_t		x[8];

	for (int i = 0; i < 8; i++)
		x[i] = (uint8_t) (u >> (56 - 8 * i));
	buf_add(b, x, 8);
}

static uint64_t
dbits(double d)
{
	uint64_t	u;

	memcpy(&u, &d, 8);
	return u;
}

static double
bitsd(uint64_t u)
{
	double		d;

	memcpy(&d, &u, 8);
	return d;
}

static int64_t
get64(const char *p)
{
	const uint8_t *q = (const uint8_t *) p;
	uint64_t	u = 0;

	for (int i = 0; i < 8; i++)
		u = (u << 8) | q[i];
	return (int64_t) u;
}

static int32_t
get32(const char *p)
{
	const uint8_t *q = (const uint8_t *) p;

	return (int32_t) (((uint32_t) q[0] << 24) | ((uint32_t) q[1] << 16) | ((uint32_t) q[2] << 8) | q[3]);
}

static int16_t
get16(const char *p)
{
	const uint8_t *q = (const uint8_t *) p;

	return (int16_t) (((uint16_t) q[0] << 8) | q[1]);
}

/* one row in COPY BINARY tuple format */
static void
put_row_binary(Buf *b, const Row *r)
{
	put16(b, 7);
	put32(b, 8);
	put64(b, r->id);
	put32(b, 8);
	put64(b, r->time);
	if (r->host)
	{
		put32(b, (int32_t) strlen(r->host));
		buf_add(b, r->host, strlen(r->host));
	}
	else
		put32(b, -1);
	if (r->uu_null)
		put32(b, -1);
	else
	{
		put32(b, 8);
		put64(b, (int64_t) dbits(r->usage_user));
	}
	if (r->ui_null)
		put32(b, -1);
	else
	{
		put32(b, 8);
		put64(b, (int64_t) dbits(r->usage_idle));
	}
	if (r->r_null)
		put32(b, -1);
	else
	{
		put32(b, 4);
		put32(b, r->reading);
	}
	if (r->note)
	{
		put32(b, (int32_t) strlen(r->note));
		buf_add(b, r->note, strlen(r->note));
	}
	else
		put32(b, -1);
}

/* floats are equal when both NaN or bit-identical (-0 is not 0) */
static bool
same_double(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	return dbits(a) == dbits(b);
}

static bool
same_str(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
fmt_ts(int64_t t, char *out, size_t n)
{
	if (t == INT64_MAX)
		snprintf(out, n, "infinity");
	else if (t == INT64_MIN)
		snprintf(out, n, "-infinity");
	else
	{
		/* 2000-01-01 is 946684800 s after the Unix epoch */
		int64_t		us = t % US_PER_S;
		int64_t		s = t / US_PER_S;
		time_t		unix_s;
		struct tm	tm;

		if (us < 0)
		{
			us += US_PER_S;
			s -= 1;
		}
		unix_s = (time_t) (s + 946684800);
		gmtime_r(&unix_s, &tm);
		int			len = snprintf(out, n, "%04d-%02d-%02d %02d:%02d:%02d.%06d",
								   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
								   tm.tm_hour, tm.tm_min, tm.tm_sec, (int) us);

		/* as PostgreSQL prints it: no trailing zeros in the fraction */
		while (out[len - 1] == '0')
			len--;
		if (out[len - 1] == '.')
			len--;
		snprintf(out + len, n - len, "+00");
	}
}

/* compare one row read back (binary fields) with what was written */
static void
compare_row(const char *where, const Row *want, const Row *got)
{
	char		a[64],
				b[64];

	checks++;
	if (want->time != got->time)
	{
		fmt_ts(want->time, a, sizeof(a));
		fmt_ts(got->time, b, sizeof(b));
		fail("%s id %lld: time %s, want %s", where, (long long) want->id, b, a);
	}
	if (!same_str(want->host, got->host))
		fail("%s id %lld: host %s, want %s", where, (long long) want->id,
			 got->host ? got->host : "NULL", want->host ? want->host : "NULL");
	if (want->uu_null != got->uu_null ||
		(!want->uu_null && !same_double(want->usage_user, got->usage_user)))
		fail("%s id %lld: usage_user %s%.17g (bits %016llx), want %s%.17g (bits %016llx)", where,
			 (long long) want->id, got->uu_null ? "NULL " : "", got->usage_user,
			 (unsigned long long) dbits(got->usage_user), want->uu_null ? "NULL " : "",
			 want->usage_user, (unsigned long long) dbits(want->usage_user));
	if (want->ui_null != got->ui_null ||
		(!want->ui_null && !same_double(want->usage_idle, got->usage_idle)))
		fail("%s id %lld: usage_idle %s%.17g, want %s%.17g", where, (long long) want->id,
			 got->ui_null ? "NULL " : "", got->usage_idle,
			 want->ui_null ? "NULL " : "", want->usage_idle);
	if (want->r_null != got->r_null || (!want->r_null && want->reading != got->reading))
		fail("%s id %lld: reading %s%d, want %s%d", where, (long long) want->id,
			 got->r_null ? "NULL " : "", got->reading, want->r_null ? "NULL " : "", want->reading);
	if (!same_str(want->note, got->note))
		fail("%s id %lld: note '%s', want '%s'", where, (long long) want->id,
			 got->note ? got->note : "NULL", want->note ? want->note : "NULL");
}

static char *
dup_field(const char *p, int32_t len)
{
	char	   *s = malloc(len + 1);

	memcpy(s, p, len);
	s[len] = 0;
	return s;
}

/* a row from binary result columns (id, time, host, usage_user, usage_idle, reading, note) */
static void
row_from_result(PGresult *res, int i, Row *r)
{
	memset(r, 0, sizeof(*r));
	if (PQgetisnull(res, i, 0) || PQgetisnull(res, i, 1))
		die("NULL id or time in a result");
	r->id = get64(PQgetvalue(res, i, 0));
	r->time = get64(PQgetvalue(res, i, 1));
	r->host = PQgetisnull(res, i, 2) ? NULL : strdup(PQgetvalue(res, i, 2));
	r->uu_null = PQgetisnull(res, i, 3);
	if (!r->uu_null)
		r->usage_user = bitsd((uint64_t) get64(PQgetvalue(res, i, 3)));
	r->ui_null = PQgetisnull(res, i, 4);
	if (!r->ui_null)
		r->usage_idle = bitsd((uint64_t) get64(PQgetvalue(res, i, 4)));
	r->r_null = PQgetisnull(res, i, 5);
	if (!r->r_null)
		r->reading = get32(PQgetvalue(res, i, 5));
	r->note = PQgetisnull(res, i, 6) ? NULL : strdup(PQgetvalue(res, i, 6));
}

static void
free_row(Row *r)
{
	free(r->host);
	free(r->note);
}

/* ---------------------------------------------------------------- COPY */

static void
copy_in(const char *table, const Buf *data)
{
	char		sql[128];
	PGresult   *res;
	size_t		off = 0;

	snprintf(sql, sizeof(sql), "COPY %s FROM STDIN (FORMAT binary)", table);
	res = PQexec(conn, sql);
	check_res(res, PGRES_COPY_IN, sql);
	PQclear(res);
	/* in pieces that split tuples anywhere */
	while (off < data->len)
	{
		size_t		n = 1 + rnd() % 70000;

		if (n > data->len - off)
			n = data->len - off;
		if (PQputCopyData(conn, data->data + off, (int) n) != 1)
			die("PQputCopyData: %s", PQerrorMessage(conn));
		off += n;
	}
	if (PQputCopyEnd(conn, NULL) != 1)
		die("PQputCopyEnd: %s", PQerrorMessage(conn));
	res = PQgetResult(conn);
	check_res(res, PGRES_COMMAND_OK, sql);
	PQclear(res);
	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);
}

static Buf
copy_out(const char *sql)
{
	Buf			b = {0};
	PGresult   *res = PQexec(conn, sql);
	char	   *p;
	int			n;

	check_res(res, PGRES_COPY_OUT, sql);
	PQclear(res);
	while ((n = PQgetCopyData(conn, &p, 0)) > 0)
	{
		buf_add(&b, p, n);
		PQfreemem(p);
	}
	if (n == -2)
		die("PQgetCopyData: %s", PQerrorMessage(conn));
	res = PQgetResult(conn);
	check_res(res, PGRES_COMMAND_OK, sql);
	PQclear(res);
	return b;
}

static const char COPY_SIG[] = "PGCOPY\n\377\r\n";	/* 11 bytes with the NUL */

/*
 * Reads a whole table with COPY TO STDOUT (FORMAT binary), in whatever
 * order the table returns its rows, and compares every row with what was
 * written; every expected row must come exactly once.
 */
static void
verify_table_copy_binary(const char *table)
{
	char		sql[128];
	Buf			b;
	size_t		pos;
	int64_t		nrows = 0;
	int64_t		nwant = 0;
	bool	   *seen = calloc(n_expected, 1);

	snprintf(sql, sizeof(sql), "COPY %s TO STDOUT (FORMAT binary)", table);
	b = copy_out(sql);
	if (b.len < 19 || memcmp(b.data, COPY_SIG, 11) != 0)
		die("%s: bad binary COPY header", table);
	pos = 11 + 4;
	pos += 4 + get32(b.data + pos);
	for (;;)
	{
		int16_t		nf;
		Row			r;
		char	   *field[7];
		int32_t		flen[7];

		if (pos + 2 > b.len)
			die("%s: binary COPY data truncated", table);
		nf = get16(b.data + pos);
		pos += 2;
		if (nf == -1)
			break;
		if (nf != 7)
			die("%s: tuple with %d fields", table, nf);
		for (int i = 0; i < 7; i++)
		{
			flen[i] = get32(b.data + pos);
			pos += 4;
			field[i] = flen[i] < 0 ? NULL : b.data + pos;
			if (flen[i] > 0)
				pos += flen[i];
		}
		memset(&r, 0, sizeof(r));
		if (!field[0] || flen[0] != 8 || !field[1] || flen[1] != 8)
			die("%s: bad id or time field", table);
		r.id = get64(field[0]);
		r.time = get64(field[1]);
		r.host = field[2] ? dup_field(field[2], flen[2]) : NULL;
		r.uu_null = !field[3];
		if (field[3])
			r.usage_user = bitsd((uint64_t) get64(field[3]));
		r.ui_null = !field[4];
		if (field[4])
			r.usage_idle = bitsd((uint64_t) get64(field[4]));
		r.r_null = !field[5];
		if (field[5])
			r.reading = get32(field[5]);
		r.note = field[6] ? dup_field(field[6], flen[6]) : NULL;
		nrows++;
		if (r.id < 0 || r.id >= n_expected || !present[r.id])
			fail("%s: COPY TO returned a row with id %lld that was never written (or rolled back)",
				 table, (long long) r.id);
		else if (seen[r.id])
			fail("%s: COPY TO returned id %lld twice", table, (long long) r.id);
		else
		{
			seen[r.id] = true;
			compare_row(table, &expected[r.id], &r);
		}
		free_row(&r);
	}
	if (pos != b.len)
		fail("%s: %zu bytes after the binary COPY trailer", table, b.len - pos);
	for (int64_t i = 0; i < n_expected; i++)
		if (present[i])
		{
			nwant++;
			if (!seen[i])
				fail("%s: row id %lld missing from COPY TO", table, (long long) i);
		}
	checks++;
	if (nrows != nwant)
		fail("%s: COPY TO returned %lld rows, want %lld", table, (long long) nrows, (long long) nwant);
	free(seen);
	free(b.data);
}

/* the ordered COPY output (text and binary) of each timeseries table equals the heap twin's */
static void
compare_with_heap_copy(void)
{
	const char *fmts[] = {"text", "binary", "csv"};

	for (int f = 0; f < 3; f++)
	{
		char		sql[256];
		Buf			heap;

		snprintf(sql, sizeof(sql), "COPY (SELECT * FROM heap_twin ORDER BY id) TO STDOUT (FORMAT %s)", fmts[f]);
		heap = copy_out(sql);
		for (int t = 0; t < N_TS; t++)
		{
			Buf			ts;

			snprintf(sql, sizeof(sql), "COPY (SELECT * FROM %s ORDER BY id) TO STDOUT (FORMAT %s)",
					 TABLES[t], fmts[f]);
			ts = copy_out(sql);
			checks++;
			if (ts.len != heap.len || memcmp(ts.data, heap.data, ts.len) != 0)
			{
				size_t		i = 0;

				while (i < ts.len && i < heap.len && ts.data[i] == heap.data[i])
					i++;
				fail("%s: ordered COPY (FORMAT %s) differs from heap_twin's at byte %zu (%zu vs %zu bytes)",
					 TABLES[t], fmts[f], i, ts.len, heap.len);
			}
			free(ts.data);
		}
		free(heap.data);
	}
}

/* ---------------------------------------------------------------- writes */

/* parameters of one row for an INSERT: text (for PQexecParams) or binary */
typedef struct Params
{
	const char *values[7];
	int			lengths[7];
	int			formats[7];
	char		store[7][64];
	Buf			bin;
} Params;

static const Oid PARAM_TYPES[7] = {20, 1184, 25, 701, 701, 23, 25};

static void
fmt_double(double d, char *out, size_t n)
{
	if (isnan(d))
		snprintf(out, n, "NaN");
	else if (isinf(d))
		snprintf(out, n, d > 0 ? "Infinity" : "-Infinity");
	else
		snprintf(out, n, "%.17g", d);
}

static void
text_params(const Row *r, Params *p)
{
	memset(p, 0, sizeof(*p) - sizeof(Buf));
	snprintf(p->store[0], 64, "%lld", (long long) r->id);
	p->values[0] = p->store[0];
	fmt_ts(r->time, p->store[1], 64);
	p->values[1] = p->store[1];
	p->values[2] = r->host;
	if (!r->uu_null)
	{
		fmt_double(r->usage_user, p->store[3], 64);
		p->values[3] = p->store[3];
	}
	if (!r->ui_null)
	{
		fmt_double(r->usage_idle, p->store[4], 64);
		p->values[4] = p->store[4];
	}
	if (!r->r_null)
	{
		snprintf(p->store[5], 64, "%d", r->reading);
		p->values[5] = p->store[5];
	}
	p->values[6] = r->note;
}

static void
binary_params(const Row *r, Params *p)
{
	size_t		off[7];

	p->bin.len = 0;
	memset(p->values, 0, sizeof(p->values));
	for (int i = 0; i < 7; i++)
		p->formats[i] = 1;
	off[0] = p->bin.len;
	put64(&p->bin, r->id);
	off[1] = p->bin.len;
	put64(&p->bin, r->time);
	off[3] = p->bin.len;
	put64(&p->bin, (int64_t) dbits(r->usage_user));
	off[4] = p->bin.len;
	put64(&p->bin, (int64_t) dbits(r->usage_idle));
	off[5] = p->bin.len;
	put32(&p->bin, r->reading);
	p->values[0] = p->bin.data + off[0];
	p->lengths[0] = 8;
	p->values[1] = p->bin.data + off[1];
	p->lengths[1] = 8;
	p->values[2] = r->host;
	p->lengths[2] = r->host ? (int) strlen(r->host) : 0;
	p->values[3] = r->uu_null ? NULL : p->bin.data + off[3];
	p->lengths[3] = 8;
	p->values[4] = r->ui_null ? NULL : p->bin.data + off[4];
	p->lengths[4] = 8;
	p->values[5] = r->r_null ? NULL : p->bin.data + off[5];
	p->lengths[5] = 4;
	p->values[6] = r->note;
	p->lengths[6] = r->note ? (int) strlen(r->note) : 0;
}

static int64_t
new_row(void)
{
	int64_t		id = n_expected++;

	make_row(&expected[id], id);
	return id;
}

/* single-row inserts, each its own transaction (autocommit) */
static void
single_row_inserts(void)
{
	Params		p = {0};
	char		sql[256];

	/* unnamed statements, text parameters */
	for (int i = 0; i < N_SINGLE; i++)
	{
		int64_t		id = new_row();

		text_params(&expected[id], &p);
		for (int t = 0; t < N_TABLES; t++)
		{
			PGresult   *res;

			snprintf(sql, sizeof(sql), "INSERT INTO %s VALUES ($1, $2, $3, $4, $5, $6, $7)", TABLES[t]);
			res = PQexecParams(conn, sql, 7, PARAM_TYPES, p.values, NULL, NULL, 0);
			check_res(res, PGRES_COMMAND_OK, sql);
			if (strcmp(PQcmdTuples(res), "1") != 0)
				fail("%s: INSERT reported %s rows", TABLES[t], PQcmdTuples(res));
			PQclear(res);
		}
		present[id] = true;
	}
	/* a named prepared statement per table, binary parameters */
	for (int t = 0; t < N_TABLES; t++)
	{
		char		name[32];
		PGresult   *res;

		snprintf(name, sizeof(name), "ins_%s", TABLES[t]);
		snprintf(sql, sizeof(sql), "INSERT INTO %s VALUES ($1, $2, $3, $4, $5, $6, $7)", TABLES[t]);
		res = PQprepare(conn, name, sql, 7, PARAM_TYPES);
		check_res(res, PGRES_COMMAND_OK, sql);
		PQclear(res);
	}
	for (int i = 0; i < N_PREPARED; i++)
	{
		int64_t		id = new_row();

		binary_params(&expected[id], &p);
		for (int t = 0; t < N_TABLES; t++)
		{
			char		name[32];
			PGresult   *res;

			snprintf(name, sizeof(name), "ins_%s", TABLES[t]);
			res = PQexecPrepared(conn, name, 7, p.values, p.lengths, p.formats, 1);
			check_res(res, PGRES_COMMAND_OK, name);
			PQclear(res);
		}
		present[id] = true;
	}
	free(p.bin.data);
}

/*
 * A pipeline: N_PIPE prepared inserts into every table, a Sync every
 * PIPE_SEG rows (each segment is one implicit transaction), a count(*)
 * inside each segment (sees the segment's own rows), and in segment
 * PIPE_BAD_SEG an INSERT that fails: the rest of that segment is aborted
 * and its rows must be gone.
 */
static void
pipeline_batch(void)
{
	Params		p = {0};
	int64_t		first = n_expected;
	int			nseg = N_PIPE / PIPE_SEG;
	int64_t		before[N_TABLES];

	for (int t = 0; t < N_TABLES; t++)
	{
		char		sql[128];
		PGresult   *res;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", TABLES[t]);
		res = PQexec(conn, sql);
		check_res(res, PGRES_TUPLES_OK, sql);
		before[t] = atoll(PQgetvalue(res, 0, 0));
		PQclear(res);
	}

	if (PQenterPipelineMode(conn) != 1)
		die("PQenterPipelineMode: %s", PQerrorMessage(conn));
	for (int s = 0; s < nseg; s++)
	{
		for (int i = 0; i < PIPE_SEG; i++)
		{
			int64_t		id = new_row();

			binary_params(&expected[id], &p);
			for (int t = 0; t < N_TABLES; t++)
			{
				char		name[32];

				snprintf(name, sizeof(name), "ins_%s", TABLES[t]);
				if (!PQsendQueryPrepared(conn, name, 7, p.values, p.lengths, p.formats, 1))
					die("PQsendQueryPrepared: %s", PQerrorMessage(conn));
			}
			if (s == PIPE_BAD_SEG && i == PIPE_SEG / 2)
			{
				/* time is NOT NULL: fails, aborting the segment */
				if (!PQsendQueryParams(conn, "INSERT INTO ts_a (id, time) VALUES (-1, NULL)",
									   0, NULL, NULL, NULL, NULL, 0))
					die("PQsendQueryParams: %s", PQerrorMessage(conn));
			}
		}
		for (int t = 0; t < N_TABLES; t++)
		{
			char		sql[128];

			snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", TABLES[t]);
			if (!PQsendQueryParams(conn, sql, 0, NULL, NULL, NULL, NULL, 1))
				die("PQsendQueryParams: %s", PQerrorMessage(conn));
		}
		if (PQpipelineSync(conn) != 1)
			die("PQpipelineSync: %s", PQerrorMessage(conn));
	}

	/* results, in order */
	for (int s = 0; s < nseg; s++)
	{
		bool		aborted = false;

		for (int i = 0; i < PIPE_SEG; i++)
		{
			int64_t		id = first + (int64_t) s * PIPE_SEG + i;
			int			nq = N_TABLES + ((s == PIPE_BAD_SEG && i == PIPE_SEG / 2) ? 1 : 0);

			for (int q = 0; q < nq; q++)
			{
				PGresult   *res = PQgetResult(conn);
				ExecStatusType st = PQresultStatus(res);

				if (q == N_TABLES)
				{
					if (st != PGRES_FATAL_ERROR)
						die("pipeline: the failing INSERT gave %s", PQresStatus(st));
					aborted = true;
				}
				else if (aborted ? st != PGRES_PIPELINE_ABORTED : st != PGRES_COMMAND_OK)
					die("pipeline segment %d row %d: %s %s", s, i, PQresStatus(st),
						PQresultErrorMessage(res));
				PQclear(res);
				if (PQgetResult(conn) != NULL)
					die("pipeline: more than one result for a query");
			}
			present[id] = (s != PIPE_BAD_SEG);
		}
		for (int t = 0; t < N_TABLES; t++)
		{
			PGresult   *res = PQgetResult(conn);

			if (s == PIPE_BAD_SEG)
			{
				if (PQresultStatus(res) != PGRES_PIPELINE_ABORTED)
					die("pipeline: count after the error: %s", PQresStatus(PQresultStatus(res)));
			}
			else
			{
				/* the segments so far, without the aborted one */
				int64_t		want = before[t] + (int64_t) (s < PIPE_BAD_SEG ? s + 1 : s) * PIPE_SEG;
				int64_t		got;

				check_res(res, PGRES_TUPLES_OK, "pipeline count");
				got = get64(PQgetvalue(res, 0, 0));
				checks++;
				if (got != want)
					fail("%s: count(*) inside pipeline segment %d is %lld, want %lld",
						 TABLES[t], s, (long long) got, (long long) want);
			}
			PQclear(res);
			if (PQgetResult(conn) != NULL)
				die("pipeline: more than one result for a count");
		}
		{
			PGresult   *res = PQgetResult(conn);

			if (PQresultStatus(res) != PGRES_PIPELINE_SYNC)
				die("pipeline: expected a sync, got %s", PQresStatus(PQresultStatus(res)));
			PQclear(res);
		}
	}
	if (PQexitPipelineMode(conn) != 1)
		die("PQexitPipelineMode: %s", PQerrorMessage(conn));
	free(p.bin.data);
}

/* ---------------------------------------------------------------- reads */

/*
 * A prepared time-range query (binary parameters and results) on every
 * table under a generic plan, compared with the rows written whose time is
 * in [lo, hi) (and, with a host, of that host).
 */
static void
range_queries(void)
{
	int64_t		ranges[][2] = {
		{BASE_US + 3600 * US_PER_S, BASE_US + 7200 * US_PER_S},
		{BASE_US + 100 * US_PER_S, BASE_US + 101 * US_PER_S},
		{BASE_US, BASE_US + 1},
		{BASE_US + 50000 * US_PER_S, BASE_US + 59000 * US_PER_S},
		{INT64_MIN, INT64_MAX},
		{-1, 0},
		{BASE_US + 20000 * US_PER_S, BASE_US + 20000 * US_PER_S},	/* empty */
		{BASE_US - 365 * 86400 * US_PER_S, BASE_US},
		{BASE_US + 61000 * US_PER_S, INT64_MAX},
	};
	int			nranges = sizeof(ranges) / sizeof(ranges[0]);
	int64_t    *ids = malloc(sizeof(int64_t) * n_expected);
	const Oid	types[3] = {1184, 1184, 25};

	/* exact boundaries: a row's own time as lower (inclusive) and upper (exclusive) bound */
	ranges[2][0] = expected[1234].time;
	ranges[2][1] = expected[1234].time + 1;
	ranges[1][1] = expected[2000].time;

	exec_ok("SET plan_cache_mode = force_generic_plan");
	for (int t = 0; t < N_TABLES; t++)
	{
		char		sql[256],
					name[32];
		PGresult   *res;

		snprintf(name, sizeof(name), "range_%s", TABLES[t]);
		snprintf(sql, sizeof(sql), "SELECT id, time, host, usage_user, usage_idle, reading, note FROM %s "
				 "WHERE time >= $1 AND time < $2 AND ($3::text IS NULL OR host = $3) ORDER BY id", TABLES[t]);
		res = PQprepare(conn, name, sql, 3, types);
		check_res(res, PGRES_COMMAND_OK, sql);
		PQclear(res);
	}
	for (int r = 0; r < nranges * 2; r++)
	{
		int64_t		lo = ranges[r % nranges][0],
					hi = ranges[r % nranges][1];
		const char *host = r >= nranges ? "host_7" : NULL;
		int			nids = 0;
		Buf			pb = {0};
		const char *values[3];
		int			lengths[3] = {8, 8, host ? (int) strlen(host) : 0};
		int			formats[3] = {1, 1, 0};

		for (int64_t i = 0; i < n_expected; i++)
			if (present[i] && expected[i].time >= lo && expected[i].time < hi &&
				(!host || same_str(expected[i].host, host)))
				ids[nids++] = i;
		put64(&pb, lo);
		put64(&pb, hi);
		values[0] = pb.data;
		values[1] = pb.data + 8;
		values[2] = host;
		for (int t = 0; t < N_TABLES; t++)
		{
			char		name[32],
						where[256],
						a[64],
						b[64];
			PGresult   *res;

			snprintf(name, sizeof(name), "range_%s", TABLES[t]);
			res = PQexecPrepared(conn, name, 3, values, lengths, formats, 1);
			check_res(res, PGRES_TUPLES_OK, name);
			fmt_ts(lo, a, sizeof(a));
			fmt_ts(hi, b, sizeof(b));
			snprintf(where, sizeof(where), "%s [%s, %s) %s", TABLES[t], a, b, host ? host : "");
			checks++;
			if (PQntuples(res) != nids)
				fail("%s: %d rows, want %d", where, PQntuples(res), nids);
			else
				for (int i = 0; i < nids; i++)
				{
					Row			got;

					row_from_result(res, i, &got);
					if (got.id != ids[i])
						fail("%s: row %d has id %lld, want %lld", where, i, (long long) got.id, (long long) ids[i]);
					else
						compare_row(where, &expected[ids[i]], &got);
					free_row(&got);
				}
			PQclear(res);
		}
		free(pb.data);
	}

	/* text parameters, the same statements: the microsecond bound as text */
	{
		int64_t		lo = expected[4321].time,
					hi = expected[4321].time + 1;
		char		a[64],
					b[64];
		const char *values[3] = {a, b, NULL};

		fmt_ts(lo, a, sizeof(a));
		fmt_ts(hi, b, sizeof(b));
		for (int t = 0; t < N_TABLES; t++)
		{
			char		name[32];
			PGresult   *res;
			int			want = 0;

			for (int64_t i = 0; i < n_expected; i++)
				if (present[i] && expected[i].time >= lo && expected[i].time < hi)
					want++;
			snprintf(name, sizeof(name), "range_%s", TABLES[t]);
			res = PQexecPrepared(conn, name, 3, values, NULL, NULL, 0);
			check_res(res, PGRES_TUPLES_OK, name);
			checks++;
			if (PQntuples(res) != want || want < 1 || strcmp(PQgetvalue(res, 0, 1), a) != 0)
				fail("%s: text-parameter range [%s, %s): %d rows (first time %s), want %d", TABLES[t], a, b,
					 PQntuples(res), PQntuples(res) ? PQgetvalue(res, 0, 1) : "-", want);
			PQclear(res);
		}
	}

	/* the statements ran with generic plans, through TimeseriesScan */
	for (int t = 0; t < N_TS; t++)
	{
		char		sql[256];
		PGresult   *res;
		bool		found = false;

		snprintf(sql, sizeof(sql), "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'range_%s'",
				 TABLES[t]);
		res = PQexec(conn, sql);
		check_res(res, PGRES_TUPLES_OK, sql);
		checks++;
		if (PQntuples(res) != 1 || atoi(PQgetvalue(res, 0, 0)) < 2 * nranges || atoi(PQgetvalue(res, 0, 1)) != 0)
			fail("range_%s: pg_prepared_statements shows %s generic and %s custom plans", TABLES[t],
				 PQntuples(res) ? PQgetvalue(res, 0, 0) : "?", PQntuples(res) ? PQgetvalue(res, 0, 1) : "?");
		PQclear(res);
		snprintf(sql, sizeof(sql), "EXPLAIN (COSTS OFF) EXECUTE range_%s('2024-03-01 01:00+00', '2024-03-01 02:00+00', NULL)",
				 TABLES[t]);
		res = PQexec(conn, sql);
		check_res(res, PGRES_TUPLES_OK, sql);
		for (int i = 0; i < PQntuples(res); i++)
			if (strstr(PQgetvalue(res, i, 0), "TimeseriesScan") && !found)
				found = true;
		checks++;
		if (!found)
			fail("range_%s: the generic plan does not use TimeseriesScan", TABLES[t]);
		PQclear(res);
	}
	exec_ok("RESET plan_cache_mode");
	free(ids);
}

/* ---------------------------------------------------------------- dashboards */

static bool
close_enough(const char *a, const char *b)
{
	char	   *ea,
			   *eb;
	double		x,
				y;

	if (strcmp(a, b) == 0)
		return true;
	x = strtod(a, &ea);
	y = strtod(b, &eb);
	if (*ea || *eb || isnan(x) || isnan(y) || isinf(x) || isinf(y))
		return false;
	return fabs(x - y) <= 1e-9 * fmax(1.0, fmax(fabs(x), fabs(y)));
}

/*
 * Dashboard queries (time_bucket, avg/min/max/count grouped by host over a
 * time range given as parameters), prepared on each table; executed with
 * several parameter sets, first under plan_cache_mode = auto (custom plans,
 * then the generic one if it does not look costlier), then forced generic
 * (checked in pg_prepared_statements, and EXPLAIN EXECUTE shows
 * TimeseriesAgg); every result is
 * compared with the heap twin's (avg within 1e-9 relative: the sums are
 * accumulated in another order).
 */
static void
dashboards(void)
{
	const char *queries[] = {
		/* constant bucket width: aggregated inside TimeseriesAgg */
		"SELECT timeseries.time_bucket('5 minutes', time) AS bucket, host, avg(usage_user), min(usage_user), "
		"max(usage_user), count(*), count(usage_idle), sum(reading) FROM %s "
		"WHERE time >= $1 AND time < $2 GROUP BY 1, 2 ORDER BY 1, 2",
		/* the width is a parameter too ($__interval): computed when the scan starts */
		"SELECT timeseries.time_bucket($3::interval, time) AS bucket, host, avg(usage_idle), max(usage_idle), "
		"count(*) FROM %s WHERE time >= $1 AND time < $2 AND host IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2",
	};
	const char *params[][3] = {
		{"2024-03-01 00:00:00+00", "2024-03-01 06:00:00+00", "1 hour"},
		{"2024-03-01 03:17:42.123456+00", "2024-03-01 03:48:00+00", "1 minute"},
		{"2024-03-01 10:00:00+00", "2024-03-02 00:00:00+00", "2 hours"},
		{"2024-02-29 23:00:00+00", "2024-03-01 00:30:00+00", "10 minutes"},
		{"2024-03-02 00:00:00+00", "2024-03-03 00:00:00+00", "30 minutes"},
		{"2024-03-01 12:00:00+00", "2024-03-01 12:00:00+00", "1 hour"},
		{"2023-01-01 00:00:00+00", "2025-01-01 00:00:00+00", "1 day"},
		{"2024-03-01 05:00:00+00", "2024-03-01 05:05:00+00", "15 seconds"},
	};
	int			nparams = sizeof(params) / sizeof(params[0]);
	const Oid	types[3] = {1184, 1184, 1186};

	for (int mode = 0; mode < 2; mode++)
	{
		exec_ok(mode == 0 ? "SET plan_cache_mode = auto" : "SET plan_cache_mode = force_generic_plan");
		for (int q = 0; q < 2; q++)
		{
			int			np = q == 0 ? 2 : 3;

			for (int t = 0; t < N_TABLES; t++)
			{
				char		sql[512],
							name[32];
				PGresult   *res;

				snprintf(name, sizeof(name), "dash%d_%d_%s", mode, q, TABLES[t]);
				snprintf(sql, sizeof(sql), queries[q], TABLES[t]);
				res = PQprepare(conn, name, sql, np, types);
				check_res(res, PGRES_COMMAND_OK, sql);
				PQclear(res);
			}
			for (int k = 0; k < nparams; k++)
			{
				PGresult   *heap;
				char		name[32];

				snprintf(name, sizeof(name), "dash%d_%d_heap_twin", mode, q);
				heap = PQexecPrepared(conn, name, np, params[k], NULL, NULL, 0);
				check_res(heap, PGRES_TUPLES_OK, name);
				for (int t = 0; t < N_TS; t++)
				{
					PGresult   *res;
					char		where[128];

					snprintf(name, sizeof(name), "dash%d_%d_%s", mode, q, TABLES[t]);
					snprintf(where, sizeof(where), "%s (%s, %s, %s)", name, params[k][0], params[k][1],
							 np == 3 ? params[k][2] : "-");
					res = PQexecPrepared(conn, name, np, params[k], NULL, NULL, 0);
					check_res(res, PGRES_TUPLES_OK, name);
					checks++;
					if (PQntuples(res) != PQntuples(heap))
						fail("%s: %d rows, heap %d", where, PQntuples(res), PQntuples(heap));
					else
						for (int i = 0; i < PQntuples(res); i++)
							for (int c = 0; c < PQnfields(res); c++)
							{
								bool		n1 = PQgetisnull(res, i, c),
											n2 = PQgetisnull(heap, i, c);
								const char *v1 = PQgetvalue(res, i, c),
										   *v2 = PQgetvalue(heap, i, c);

								if (n1 != n2 || (!n1 && !(strcmp(PQfname(res, c), "avg") == 0 ?
														   close_enough(v1, v2) : strcmp(v1, v2) == 0)))
									fail("%s: row %d column %s: %s, heap %s", where, i, PQfname(res, c),
										 n1 ? "NULL" : v1, n2 ? "NULL" : v2);
							}
					if (k == 1 && q == 0 && PQntuples(res) < 10)
						fail("%s: only %d groups (the test data should give more)", where, PQntuples(res));
					PQclear(res);
				}
				PQclear(heap);
			}
			/* generic plans were used, through the custom scan */
			for (int t = 0; t < N_TS; t++)
			{
				char		sql[512];
				PGresult   *res;
				bool		found = false;

				snprintf(sql, sizeof(sql), "SELECT generic_plans FROM pg_prepared_statements WHERE name = 'dash%d_%d_%s'",
						 mode, q, TABLES[t]);
				res = PQexec(conn, sql);
				check_res(res, PGRES_TUPLES_OK, sql);
				checks++;
				/* under auto the plan cache may keep choosing custom plans */
				if (PQntuples(res) != 1 || atoi(PQgetvalue(res, 0, 0)) < (mode == 0 ? 0 : nparams))
					fail("dash%d_%d_%s: %s generic plans", mode, q, TABLES[t], PQntuples(res) ? PQgetvalue(res, 0, 0) : "no");
				PQclear(res);
				snprintf(sql, sizeof(sql), "EXPLAIN (COSTS OFF) EXECUTE dash%d_%d_%s('%s', '%s'%s)", mode, q, TABLES[t],
						 params[0][0], params[0][1], q == 1 ? ", '1 hour'" : "");
				res = PQexec(conn, sql);
				check_res(res, PGRES_TUPLES_OK, sql);
				for (int i = 0; i < PQntuples(res); i++)
					if (strstr(PQgetvalue(res, i, 0), "TimeseriesAgg"))
						found = true;
				checks++;
				if (!found)
				{
					fail("dash%d_%d_%s: the generic plan does not use TimeseriesAgg:", mode, q,
						 TABLES[t]);
					for (int i = 0; i < PQntuples(res); i++)
						printf("  %s\n", PQgetvalue(res, i, 0));
				}
				PQclear(res);
			}
		}
	}
	exec_ok("RESET plan_cache_mode");
}

/* ---------------------------------------------------------------- main */

int
main(void)
{
	Buf			copy = {0};
	PGresult   *res;

	conn = PQconnectdb("");
	if (PQstatus(conn) != CONNECTION_OK)
		die("connection: %s", PQerrorMessage(conn));
	exec_ok("SET client_min_messages = warning");
	exec_ok("SET TimeZone = 'UTC'");

	expected = calloc(N_COPY + N_SINGLE + N_PREPARED + N_PIPE, sizeof(Row));
	present = calloc(N_COPY + N_SINGLE + N_PREPARED + N_PIPE, 1);

	for (int t = 0; t < N_TABLES; t++)
	{
		char		sql[512];

		snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS %s", TABLES[t]);
		exec_ok(sql);
		snprintf(sql, sizeof(sql),
				 "CREATE TABLE %s (id int8 NOT NULL, time timestamptz NOT NULL, host text, usage_user float8, "
				 "usage_idle float8, reading int4, note text)%s",
				 TABLES[t], t < N_TS ? " USING timeseries" : "");
		exec_ok(sql);
	}
	exec_ok("SELECT timeseries.set_options('ts_a', chunk_rows => 5000)");
	exec_ok("SELECT timeseries.set_options('ts_b', segment_by => '{host}', order_by => 'time DESC', "
			"chunk_rows => 8000, compression => 'lz4')");

	/* 1. binary COPY FROM STDIN */
	buf_add(&copy, COPY_SIG, 11);
	put32(&copy, 0);
	put32(&copy, 0);
	for (int i = 0; i < N_COPY; i++)
	{
		int64_t		id = new_row();

		put_row_binary(&copy, &expected[id]);
		present[id] = true;
	}
	put16(&copy, -1);
	for (int t = 0; t < N_TABLES; t++)
		copy_in(TABLES[t], &copy);
	free(copy.data);
	printf("binary COPY FROM STDIN: %d rows into each table\n", N_COPY);

	/* 2. COPY TO STDOUT: every value as written */
	for (int t = 0; t < N_TABLES; t++)
		verify_table_copy_binary(TABLES[t]);
	compare_with_heap_copy();
	printf("COPY TO STDOUT compared (%d failures so far)\n", failures);

	/* 3. single-row autocommit inserts, text and binary parameters */
	single_row_inserts();
	printf("single-row inserts: %d\n", N_SINGLE + N_PREPARED);

	/* 4. pipeline mode */
	pipeline_batch();
	printf("pipeline: %d rows in %d segments, segment %d rolled back\n", N_PIPE, N_PIPE / PIPE_SEG, PIPE_BAD_SEG);

	/* everything written so far, read back */
	exec_ok("ANALYZE ts_a");
	exec_ok("ANALYZE ts_b");
	exec_ok("ANALYZE heap_twin");
	for (int t = 0; t < N_TABLES; t++)
		verify_table_copy_binary(TABLES[t]);
	compare_with_heap_copy();

	/* 5. prepared time-range queries (generic plans) */
	range_queries();
	printf("prepared range queries compared (%d failures so far)\n", failures);

	/* 6. dashboard queries vs the heap twin */
	dashboards();
	printf("dashboard queries compared (%d failures so far)\n", failures);

	/* the extension's own consistency check */
	for (int t = 0; t < N_TS; t++)
	{
		char		sql[128];

		snprintf(sql, sizeof(sql), "SELECT first_row, problem FROM timeseries.verify('%s')", TABLES[t]);
		res = PQexec(conn, sql);
		check_res(res, PGRES_TUPLES_OK, sql);
		checks++;
		for (int i = 0; i < PQntuples(res); i++)
			fail("verify(%s): row %s: %s", TABLES[t], PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
		PQclear(res);
	}

	PQfinish(conn);
	if (failures)
	{
		printf("libpq: %d of %d checks FAILED\n", failures, checks);
		return 1;
	}
	printf("libpq: all %d checks passed\n", checks);
	return 0;
}
