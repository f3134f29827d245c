/*
 * codec_test.c
 *	  Unit tests of the codec library (src/codec*.c), built and run alone:
 *	  round trips of the integer and ALP codecs over edge cases and random
 *	  data, every bit width of every integer scheme, compression-ratio sanity
 *	  checks, encodings written by earlier versions (which must keep decoding
 *	  to the same values), and decoding of corrupted encodings (which must
 *	  fail or succeed, never read out of bounds: run under AddressSanitizer
 *	  by the Makefile; decoders get buffers of exactly the encoded length).
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

/*
 * A copy of len bytes in a buffer of exactly that size, so that
 * AddressSanitizer catches a decoder reading past the end of its input.
 */
static char *
exact_copy(const char *src, size_t len)
{
	char	   *dst = malloc(len > 0 ? len : 1);

	memcpy(dst, src, len);
	return dst;
}

static size_t
int_roundtrip(const int64 *v, size_t n, const char *what)
{
	char	   *enc = malloc(codec_int_bound(n));
	uint64	   *scratch = malloc(sizeof(uint64) * 3 * (n + 1));
	int64	   *dec = malloc(sizeof(int64) * (n + 1));
	size_t		len = codec_int_encode(v, n, enc, scratch);
	char	   *exact = exact_copy(enc, len);
	bool		ok;

	CHECK(len > 0 && len <= codec_int_bound(n), "%s: encoded length %zu", what, len);
	ok = codec_int_decode(exact, len, dec, n, scratch);
	CHECK(ok, "%s: decode failed", what);
	if (ok)
		CHECK(memcmp(v, dec, sizeof(int64) * n) == 0, "%s: values differ", what);
	/* the first m values alone, into room for exactly m (ASan sees overruns) */
	{
		size_t		ms[] = {1, 2, 3, 7, 8, 9, n / 2, n - 1, n};

		for (size_t j = 0; j < sizeof(ms) / sizeof(ms[0]); j++)
		{
			size_t		m = ms[j];
			int64	   *part;

			if (m < 1 || m > n)
				continue;
			part = malloc(sizeof(int64) * m);
			CHECK(codec_int_decode_prefix(exact, len, part, n, m, scratch) &&
				  memcmp(v, part, sizeof(int64) * m) == 0,
				  "%s: first %zu values differ", what, m);
			free(part);
		}
	}
	/* truncated input must fail, never overrun */
	if (len > 1)
	{
		char	   *cut = exact_copy(enc, len - 1);

		CHECK(!codec_int_decode(cut, len - 1, dec, n, scratch), "%s: truncated input decoded", what);
		free(cut);
	}
	free(enc);
	free(exact);
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
		char	   *exact = exact_copy(enc, len);
		bool		ok = codec_alp_decode(exact, len, dec, n, single, scratch);

		free(exact);

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
		/* the first m values alone, bit for bit as the whole decode gives them */
		if (ok)
		{
			size_t		ms[] = {1, 2, 3, 9, n / 2, n - 1};

			for (size_t j = 0; j < sizeof(ms) / sizeof(ms[0]); j++)
			{
				size_t		m = ms[j];
				double	   *part;

				if (m < 1 || m > n)
					continue;
				part = malloc(sizeof(double) * m);
				CHECK(codec_alp_decode_prefix(enc, len, part, n, m, single, scratch) &&
					  memcmp(dec, part, sizeof(double) * m) == 0,
					  "%s: first %zu values differ", what, m);
				free(part);
			}
		}
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
		/* the dictionary alone: every value is one of its entries, each once */
		{
			const char **eptrs = malloc(sizeof(char *) * n);
			uint32	   *elens = malloc(sizeof(uint32) * n);
			int			nd = codec_dict_entries(enc, len, n, eptrs, elens);

			CHECK(nd > 0 && (size_t) nd <= n, "%s: %d dictionary entries", what, nd);
			for (int a = 0; a < nd; a++)
				for (int b = a + 1; b < nd; b++)
					CHECK(elens[a] != elens[b] || memcmp(eptrs[a], eptrs[b], elens[a]) != 0,
						  "%s: entries %d and %d are equal", what, a, b);
			for (size_t i = 0; nd > 0 && i < n; i++)
			{
				bool		found = false;

				for (int d = 0; d < nd && !found; d++)
					found = elens[d] == lens[i] && memcmp(eptrs[d], ptrs[i], lens[i]) == 0;
				CHECK(found, "%s: value %zu is not in the dictionary", what, i);
			}
			free(eptrs);
			free(elens);
		}
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

/* The scheme (first byte) and first block kind of an integer encoding. */
static void
int_encoding_kind(const int64 *v, size_t n, int *scheme, int *kind, int *width)
{
	char	   *enc = malloc(codec_int_bound(n));
	uint64	   *scratch = malloc(sizeof(uint64) * 3 * (n + 1));
	size_t		block;

	(void) codec_int_encode(v, n, enc, scratch);
	*scheme = (uint8) enc[0];
	/* header sizes of FOR, DELTA, DOD and RLE */
	block = *scheme == 2 ? 9 : *scheme == 3 ? 17 : *scheme == 4 ? 5 : 1;
	*kind = (uint8) enc[block];
	*width = (uint8) enc[block + 9];
	free(enc);
	free(scratch);
}

/*
 * Every width of every scheme, plain and patched, at lengths around the
 * unpacking loops' groups of eight values and the end of the buffer.
 */
static void
width_sweep(void)
{
	static const size_t lengths[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 100, 1023, 1024};
	int			seen[5][2] = {{0}};
	int64	   *v = malloc(sizeof(int64) * 1024);
	uint64	   *u = malloc(sizeof(uint64) * 1024);

	for (int w = 0; w <= 64; w++)
	{
		uint64		mask = w == 64 ? ~UINT64CONST(0) : (UINT64CONST(1) << w) - 1;

		for (size_t li = 0; li < lengthof(lengths); li++)
		{
			size_t		n = lengths[li];

			for (int shape = 0; shape < 6; shape++)
			{
				char		what[64];
				int			scheme;
				int			kind;
				int			width;

				/* unsigned arithmetic: wrapping around is part of the test */
				for (size_t i = 0; i < n; i++)
				{
					uint64		r = next_rand() & mask;
					uint64		big = next_rand();
					bool		outlier = i % 61 == 7;
					uint64		prev = i > 0 ? u[i - 1] : 5;
					uint64		prev2 = i > 1 ? 2 * u[i - 1] - u[i - 2] : 1000 * i;

					switch (shape)
					{
						case 0: /* FOR */
							u[i] = r - 3;
							break;
						case 1: /* PFOR */
							u[i] = outlier ? big : (r >> 1) + 77;
							break;
						case 2: /* DELTA */
							u[i] = prev + (r >> 1);
							break;
						case 3: /* DELTA of a PFOR block */
							u[i] = prev + (outlier ? big : r >> 2);
							break;
						case 4: /* DOD */
							u[i] = prev2 + (r >> 1);
							break;
						case 5: /* DOD of a PFOR block */
							u[i] = prev2 + (outlier ? big : r >> 2);
							break;
					}
				}
				memcpy(v, u, sizeof(int64) * n);
				snprintf(what, sizeof(what), "width %d, length %zu, shape %d", w, n, shape);
				int_roundtrip(v, n, what);
				int_encoding_kind(v, n, &scheme, &kind, &width);
				if (scheme >= 1 && scheme <= 4 && kind <= 1)
					seen[scheme][kind] = Max(seen[scheme][kind], width + 1);
			}
		}
	}
	/* the sweep reached every scheme with plain and patched blocks */
	for (int scheme = 1; scheme <= 3; scheme++)
		for (int kind = 0; kind <= 1; kind++)
			CHECK(seen[scheme][kind] > 0, "width sweep: scheme %d, block kind %d not reached", scheme, kind);
	CHECK(seen[1][0] == 65, "width sweep: 64-bit FOR not reached");
	free(v);
	free(u);
}

/*
 * Encodings written by earlier versions of the codecs (these by the code of
 * commit decbbd5, before the decoders were rewritten for speed): the on-disk
 * format, so they must keep decoding to exactly the same values.  Between
 * them they cover every integer scheme with plain and patched blocks, a
 * 60-bit block, and ALP with exceptions for float8 and float4.
 *
 * golden_values() gives their values: integer vectors 0..7, float vectors
 * 8..9 (9 is float4).
 */
#define NGOLDEN 10
static const size_t golden_n[NGOLDEN] = {77, 90, 101, 99, 130, 100, 41, 83, 70, 61};

static void
golden_values(int which, size_t n, int64 *iv, double *dv)
{
	uint64		x = 12345;

	for (size_t i = 0; i < n; i++)
	{
		int64		k = (int64) i;

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		switch (which)
		{
			case 0:				/* FOR */
				iv[i] = (k * 37) % 101;
				break;
			case 1:				/* PFOR */
				iv[i] = k == 5 ? PG_INT64_MIN : k == 60 ? INT64CONST(1000000000000000000) :
					1000 + (int64) (x >> 40) % 500;
				break;
			case 2:				/* DELTA */
				iv[i] = (i > 0 ? iv[i - 1] : -5000) + (k * 7) % 11 - 5 + 1000;
				break;
			case 3:				/* DOD */
				iv[i] = k * k * 5 + (int64) (x >> 61);
				break;
			case 4:				/* DELTA of a PFOR block: series boundaries */
				iv[i] = INT64CONST(1451606400000000) + (k % 50) * 10000000 + (k / 50) * 7;
				break;
			case 5:				/* RLE */
				iv[i] = (k / 7) * 7919 % 1000 - 3;
				break;
			case 6:				/* FOR, 60 bits */
				iv[i] = (int64) (x >> 4);
				break;
			case 7:				/* PFOR, DOD */
				iv[i] = k * k * 3 + (k == 40 ? INT64CONST(1) << 40 : 0);
				break;
			case 8:				/* ALP, e = 2, exceptions */
				dv[i] = k == 3 ? NAN : k == 10 ? -0.0 : k == 20 ? -INFINITY :
					k == 30 ? 1.0 / 3 : k == 40 ? 5e-324 : (double) ((k * 7919) % 20001 - 10000) / 100;
				break;
			case 9:				/* ALP of float4 decimals */
				dv[i] = (double) (float) ((k * 31) % 997 / 10.0f) * (k % 2 ? 1 : -1);
				break;
		}
	}
}

static const char *const golden_hex[NGOLDEN] = {
	/* 0 */
	"0100000000000000000007809252f1a252725ecf70806a3664d70b2f1c321a5650484dab"
	"f99149c9846b3ac1753b42c189c988592d3b30a858503d1fb46cc6371e21112da9e4c6e5"
	"0403a6e5025605",
	/* 1 */
	"010119050000000000000a02000000ecc8030015f50020cc3f0e5924074edeb8308b305d"
	"d2539331e77d6287431ecc988a0001f0531132bd84f502180564330b173b3995587e59c6"
	"054006dd09732012330ee7524d9224f4557100b4f30621236d2084337c2051950bf3a972"
	"94431ff5a7083a675d92498006a5524c35ad2d05050000003c0000000000000000000080"
	"000064a7b3b6e00d",
	/* 2 */
	"025bf0ffffffffffff00e30300000000000004376a92154870a326598104376a92154870"
	"a326598104376a92154870a326598104376a92154870a326598104376a92154870",
	/* 3 */
	"030000000000000000070000000000000000ffffffffffffffff05aea0b84c1cb6143bda"
	"2b2fa9c65a4aae3ce680940341d4940c6ec93043450c9d691634ce09188972891d8a040e"
	"902da4d44330ad4293422f954b8c1514",
	/* 4 */
	"020060d3733a280500018096980000000000000200000031000000630000008731cbe2ff"
	"ffffff8731cbe2ffffffff",
	/* 5 */
	"040f00000000fdffffffffffffff0a005c6e74bda44e29606c603de44b1b1ccc2e360001"
	"00000000000000036ddbb66ddb02",
	/* 6 */
	"0100591cb842df2777003ccc7710ce9fad498110d2a27acc7d3ca14c4e0e315cb4ed55ce"
	"72166580ce3be995470ba1be6425886ab89d08882279cf2284873c7c6d01d35973c65c1e"
	"83ad19a3d1938cc0a8263752b92837db79a643dd5f3ff5a1e26e2337f4b6e42773edee1e"
	"e2c5ff752d7609cc21a48c65db892e3771564e24c4bb4d412191b00bc11b9a594fbfea0d"
	"72581e99474505aca175a525ebc5da5e550000000000000070df33f4f4b7730f6f53cc29"
	"e322150396fa2b430e6c83333c5993ab33079afb47ba2fd9057c548093e7220b34cd8668"
	"e7bcec463a1bc5466070b939f49188de0676906c0e21b6d14ce0bbcefbaef1fe1b0501f6"
	"fd22e1026f52a0c6f8366c8a13e0dbca4a0ab4e3be0bb9fd4eaaaf2e4105fe17fec88a4e"
	"87fd855633523c2ffce6168e17067c92c2f801995d380a88d0b23997cdfe0c",
	/* 7 */
	"030000000000000000030000000000000001060000000000000000030000002600000027"
	"0000002800000006000000000100000600000000feffff0600000000010000",
	/* 8 */
	"1004000000e50100000200009c584c491ff20100c0a1b5da64fd0a092000000000000000"
	"00000000000000000000000000000000000000001000000000fc01000000000000000000"
	"0000004000000000000000000000ff00000000000000000000000000e003080080000000"
	"000002000000030000000500000007000000090000000a0000000c0000000f0000001100"
	"0000130000001400000016000000190000001b0000001d0000001e000000200000002300"
	"00002500000027000000280000002a0000002d0000002f00000032000000350000003700"
	"00003a0000003c0000003f000000410000004400000000000000000000000040010c5b01"
	"39fa00805f56809c3bef00805f56809c3bef00000000000000000040010c5b0139fa0080"
	"5f56809c3bef00805f56809c3bef00805f56809c3bef0000000000000000c03f010c5b01"
	"39fa00805f56809c3bef40805f56809c3bef00805f56809c3bef55552a5175bd8b00abea"
	"d6bae543adf900805f56809c3bef00805f56809c3bef807f5f56809c3bef000000000000"
	"00000040010c5b0139fa00805f56809c3bef00805f56809c3bef80805f56809c3bef0080"
	"5f56809c3bef00805f56809c3bef00805f56809c3bef00805f56809c3bef00805f56809c"
	"3befc07f5f56809c3bef00805f56809c3bef40805f56809c3bef030000000a0000001400"
	"000028000000000000000000f87f0000000000000080000000000000f0ff010000000000"
	"0000",
	/* 9 */
	"01010000005f000000010020fcffffffffffff0be0fb9fe87a48b63d9a2c97e8baa7aa6a"
	"caa6b9ba28b6f079af6c5a4c9735db24d5f838b72e4ace87b1fb20f400d0dfe97098363b"
	"ae8c96ed92e7ab601a27b7ce88b5f551ef6d509c1733ef84d4fd10f72f401e0800000000"
	"0000000000000080",
};

static void
golden_decode(void)
{
	for (int g = 0; g < NGOLDEN; g++)
	{
		size_t		n = golden_n[g];
		const char *hex = golden_hex[g];
		size_t		len = strlen(hex) / 2;
		char	   *enc = malloc(len);
		int64		iv[256];
		double		dv[256];
		uint64		scratch[4 * 256];
		union
		{
			int64		i[256];
			double		d[256];
		}			dec;
		bool		ok;

		Assert(n <= 256);
		for (size_t i = 0; i < len; i++)
		{
			unsigned int byte;

			sscanf(hex + 2 * i, "%2x", &byte);
			enc[i] = (char) byte;
		}
		golden_values(g, n, iv, dv);
		if (g < 8)
		{
			ok = codec_int_decode(enc, len, dec.i, n, scratch);
			CHECK(ok && memcmp(dec.i, iv, n * sizeof(int64)) == 0,
				  "golden integer encoding %d decodes differently", g);
		}
		else
		{
			bool		single = g == 9;

			ok = codec_alp_decode(enc, len, dec.d, n, single, scratch);
			CHECK(ok, "golden ALP encoding %d does not decode", g);
			for (size_t i = 0; ok && i < n; i++)
			{
				bool		same;

				if (single)
				{
					float		a = (float) dv[i];
					float		b = (float) dec.d[i];

					same = memcmp(&a, &b, sizeof(float)) == 0;
				}
				else
					same = memcmp(&dv[i], &dec.d[i], sizeof(double)) == 0;
				if (!same)
				{
					CHECK(false, "golden ALP encoding %d: value %zu differs", g, i);
					break;
				}
			}
		}
		free(enc);
	}
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

	width_sweep();
	golden_decode();

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
