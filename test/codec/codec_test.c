/*
 * codec_test.c
 *	  Unit tests of the codec library (src/codec*.c), built and run alone:
 *	  round trips of the integer and ALP codecs over edge cases and random
 *	  data, compression-ratio sanity checks, and decoding of corrupted
 *	  encodings (which must fail or succeed, never read out of bounds: run
 *	  under AddressSanitizer by the Makefile).
 */
#include "c.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "codec.h"

static int	failures = 0;
static int	checks = 0;

#define CHECK(cond, ...) \
	do { checks++; if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static uint64 rng = 88172645463325252ULL;

static uint64
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t
int_roundtrip(const int64 *v, size_t n, const char *what)
{
	char	   *enc = malloc(codec_int_bound(n));
	uint64	   *scratch = malloc(sizeof(uint64) * 3 * (n + 1));
	int64	   *dec = malloc(sizeof(int64) * (n + 1));
	size_t		len = codec_int_encode(v, n, enc, scratch);
	bool		ok;

	CHECK(len > 0 && len <= codec_int_bound(n), "%s: encoded length %zu", what, len);
	ok = codec_int_decode(enc, len, dec, n, scratch);
	CHECK(ok, "%s: decode failed", what);
	if (ok)
		CHECK(memcmp(v, dec, sizeof(int64) * n) == 0, "%s: values differ", what);
	/* truncated input must fail, never overrun */
	if (len > 1)
		CHECK(!codec_int_decode(enc, len - 1, dec, n, scratch), "%s: truncated input decoded", what);
	free(enc);
	free(scratch);
	free(dec);
	return len;
}

static size_t
alp_roundtrip(const double *v, size_t n, bool single, const char *what)
{
	char	   *enc = malloc(codec_alp_bound(n));
	uint64	   *scratch = malloc(sizeof(uint64) * 4 * (n + 1));
	double	   *dec = malloc(sizeof(double) * (n + 1));
	size_t		len = codec_alp_encode(v, n, single, enc, scratch);

	if (len > 0)
	{
		bool		ok = codec_alp_decode(enc, len, dec, n, single, scratch);

		CHECK(ok, "%s: decode failed", what);
		for (size_t i = 0; ok && i < n; i++)
		{
			if (single)
			{
				float		a = (float) v[i];
				float		b = (float) dec[i];

				if (memcmp(&a, &b, 4) != 0)
				{
					CHECK(false, "%s: value %zu differs", what, i);
					break;
				}
			}
			else if (memcmp(&v[i], &dec[i], 8) != 0)
			{
				CHECK(false, "%s: value %zu differs (%.17g vs %.17g)", what, i, v[i], dec[i]);
				break;
			}
		}
		if (len > 1)
			CHECK(!codec_alp_decode(enc, len - 1, dec, n, single, scratch), "%s: truncated input decoded", what);
	}
	free(enc);
	free(scratch);
	free(dec);
	return len;
}

static size_t
dict_roundtrip(const char *const *ptrs, const uint32 *lens, size_t n,
			   size_t max_distinct, const char *what)
{
	size_t		total = 0;
	char	   *enc;
	uint64	   *scratch = malloc(sizeof(uint64) * codec_dict_scratch(n));
	const char **optrs = malloc(sizeof(char *) * n);
	uint32	   *olens = malloc(sizeof(uint32) * n);
	size_t		len;

	for (size_t i = 0; i < n; i++)
		total += lens[i];
	enc = malloc(codec_dict_bound(n, total));
	len = codec_dict_encode(ptrs, lens, n, max_distinct, enc, scratch);
	if (len > 0)
	{
		bool		ok = codec_dict_decode(enc, len, n, optrs, olens, scratch);

		CHECK(ok, "%s: decode failed", what);
		for (size_t i = 0; ok && i < n; i++)
			if (olens[i] != lens[i] || memcmp(optrs[i], ptrs[i], lens[i]) != 0)
			{
				CHECK(false, "%s: value %zu differs", what, i);
				break;
			}
		CHECK(!codec_dict_decode(enc, len - 1, n, optrs, olens, scratch), "%s: truncated decoded", what);
		/* mutations must not crash */
		for (int round = 0; round < 2000; round++)
		{
			char	   *buf = malloc(len);

			memcpy(buf, enc, len);
			buf[next_rand() % len] = (char) next_rand();
			(void) codec_dict_decode(buf, len - next_rand() % 2, n, optrs, olens, scratch);
			free(buf);
		}
	}
	free(enc);
	free(scratch);
	free(optrs);
	free(olens);
	return len;
}

/* Flip random bytes of valid encodings: decoding must not crash. */
static void
mutate_decode(const char *enc, size_t len, size_t n, bool alp)
{
	char	   *buf = malloc(len);
	uint64	   *scratch = malloc(sizeof(uint64) * 4 * (n + 1));
	double	   *out = malloc(sizeof(double) * (n + 1));

	for (int round = 0; round < 2000; round++)
	{
		size_t		cut = len - (next_rand() % (len < 4 ? len : 4));

		memcpy(buf, enc, len);
		for (int k = 0; k < 1 + (int) (next_rand() % 4); k++)
			buf[next_rand() % len] = (char) next_rand();
		if (alp)
			(void) codec_alp_decode(buf, cut, out, n, false, scratch);
		else
			(void) codec_int_decode(buf, cut, (int64 *) out, n, scratch);
	}
	free(buf);
	free(scratch);
	free(out);
}

int
main(void)
{
	enum
	{
		N = 1024
	};
	int64		iv[N];
	double		dv[N];
	size_t		len;

	/* integers */
	iv[0] = 42;
	int_roundtrip(iv, 1, "one value");
	for (int i = 0; i < N; i++)
		iv[i] = 7;
	len = int_roundtrip(iv, N, "all equal");
	CHECK(len < 32, "all equal takes %zu bytes", len);
	for (int i = 0; i < N; i++)
		iv[i] = (i % 2) ? PG_INT64_MAX : PG_INT64_MIN;
	int_roundtrip(iv, N, "alternating extremes");
	for (int i = 0; i < N; i++)
		iv[i] = (int64) next_rand();
	int_roundtrip(iv, N, "random 64-bit");
	for (int i = 0; i < N; i++)
		iv[i] = 1451606400000000LL + (int64) i * 10000000LL;
	len = int_roundtrip(iv, N, "10-second timestamps");
	CHECK(len * 8 <= (size_t) N / 2, "10-second timestamps: %zu bits per value > 0.5", len * 8 / N);
	for (int i = 0; i < N; i++)
		iv[i] = 1451606400000000LL + (int64) (i / 400) * 10000000LL;
	len = int_roundtrip(iv, N, "time-major timestamps");
	CHECK(len * 8 <= (size_t) N / 2, "time-major timestamps: %zu bytes", len);
	for (int i = 0; i < N; i++)
		iv[i] = 1000 + i + (int64) (next_rand() % 3);
	int_roundtrip(iv, N, "noisy counter");
	/* two series in one vector: the jump back in time is one exception */
	for (int i = 0; i < N; i++)
		iv[i] = 1451606400000000LL + (int64) (i < 700 ? i : i - 700) * 10000000LL;
	len = int_roundtrip(iv, N, "series boundary");
	CHECK(len * 8 <= (size_t) N / 2, "series boundary: %zu bytes", len);
	for (int i = 0; i < N; i++)
		iv[i] = (i % 97 == 0) ? (int64) next_rand() : 1000 + (int64) (next_rand() % 16);
	len = int_roundtrip(iv, N, "outliers among small values");
	CHECK(len <= 20 + N * 5 / 8 + 11 * 12 + 16, "outliers among small values: %zu bytes", len);
	for (int i = 0; i < N; i++)
		iv[i] = (int64) (next_rand() % 1000) - 500;
	len = int_roundtrip(iv, N, "small signed");
	CHECK(len <= 10 + N * 10 / 8 + 1, "small signed: %zu bytes", len);
	for (int i = 0; i < N; i++)
		iv[i] = (int64) (N - i) * 1000003;
	int_roundtrip(iv, N, "descending");
	for (int i = 0; i < N; i++)
		iv[i] = (i % 100 == 0) ? PG_INT64_MIN : i;
	int_roundtrip(iv, N, "outliers");
	iv[0] = 5;
	iv[1] = -5;
	int_roundtrip(iv, 2, "two values");
	int_roundtrip(iv, 3, "three values");
	for (int i = 0; i < N; i++)
		iv[i] = i / 3;
	len = int_roundtrip(iv, N, "short runs");

	/* floats */
	for (int i = 0; i < N; i++)
		dv[i] = floor((double) (next_rand() % 10001)) / 100.0;
	len = alp_roundtrip(dv, N, false, "two decimals");
	CHECK(len > 0 && len * 8 <= (size_t) N * 16, "two decimals: %zu bytes", len);
	for (int i = 0; i < N; i++)
		dv[i] = (double) (next_rand() % 101);
	len = alp_roundtrip(dv, N, false, "integers as float8");
	CHECK(len > 0 && len * 8 <= (size_t) N * 8, "integers as float8: %zu bytes", len);
	for (int i = 0; i < N; i++)
		dv[i] = (i % 50 == 0) ? NAN : (i % 51 == 0) ? INFINITY : (i % 52 == 0) ? -0.0 :
			(i % 53 == 0) ? 5e-324 : (i % 54 == 0) ? -INFINITY : i * 0.5;
	len = alp_roundtrip(dv, N, false, "specials as exceptions");
	CHECK(len > 0, "specials: not encoded");
	for (int i = 0; i < N; i++)
	{
		uint64		bits = next_rand();

		memcpy(&dv[i], &bits, 8);
	}
	len = alp_roundtrip(dv, N, false, "random bits");
	CHECK(len == 0, "random bits should fall back, got %zu", len);
	for (int i = 0; i < N; i++)
		dv[i] = (double) (float) (i * 0.1f);
	alp_roundtrip(dv, N, true, "float4 decimals");
	for (int i = 0; i < N; i++)
		dv[i] = 1e15 + i;
	alp_roundtrip(dv, N, false, "large");
	for (int i = 0; i < N; i++)
		dv[i] = -123.456;
	alp_roundtrip(dv, 1, false, "one negative decimal");
	alp_roundtrip(dv, N, false, "constant decimal");

	/* dictionaries */
	{
		static char names[N][16];
		const char *ptrs[N];
		uint32		lens[N];

		for (int i = 0; i < N; i++)
		{
			snprintf(names[i], sizeof(names[i]), "host_%d", i % 400);
			ptrs[i] = names[i];
			lens[i] = strlen(names[i]);
		}
		len = dict_roundtrip(ptrs, lens, N, N / 2, "hostnames");
		CHECK(len > 0, "hostnames: not encoded");
		for (int i = 0; i < N; i++)
		{
			ptrs[i] = (i % 3) ? "" : "x";
			lens[i] = (i % 3) ? 0 : 1;
		}
		len = dict_roundtrip(ptrs, lens, N, N / 2, "empty strings");
		CHECK(len > 0 && len < 200, "empty strings: %zu bytes", len);
		for (int i = 0; i < N; i++)
		{
			snprintf(names[i], sizeof(names[i]), "%llu", (unsigned long long) next_rand());
			ptrs[i] = names[i];
			lens[i] = strlen(names[i]);
		}
		len = dict_roundtrip(ptrs, lens, N, N / 2, "high cardinality");
		CHECK(len == 0, "high cardinality should not be dictionary encoded");
		dict_roundtrip(ptrs, lens, 1, 1, "one value");
	}

	/* corrupted encodings */
	{
		char	   *enc = malloc(codec_int_bound(N));
		uint64	   *scratch = malloc(sizeof(uint64) * 4 * N);

		for (int i = 0; i < N; i++)
			iv[i] = (int64) (next_rand() % 5000);
		len = codec_int_encode(iv, N, enc, scratch);
		mutate_decode(enc, len, N, false);
		for (int i = 0; i < N; i++)
			iv[i] = i / 10;
		len = codec_int_encode(iv, N, enc, scratch);
		mutate_decode(enc, len, N, false);
		free(enc);
		enc = malloc(codec_alp_bound(N));
		for (int i = 0; i < N; i++)
			dv[i] = (i % 7 == 0) ? NAN : i * 0.25;
		len = codec_alp_encode(dv, N, false, enc, scratch);
		CHECK(len > 0, "ALP with NaNs: not encoded");
		if (len > 0)
			mutate_decode(enc, len, N, true);
		free(enc);
		free(scratch);
		checks++;
	}

	printf("test codec_roundtrip ... %s\n", failures ? "FAILED" : "ok");
	printf("codec: %d passed, %d failed\n", checks - failures, failures);
	return failures ? 1 : 0;
}
