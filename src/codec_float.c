/*-------------------------------------------------------------------------
 *
 * codec_float.c
 *	  ALP (adaptive lossless floating point) for float4 and float8 vectors.
 *
 * Most floats people store are decimals: a reading of 23.5, a price of
 * 10.99, a percentage of 42.  Such a value v is k / 10^e for a small integer
 * k, and the integer codec stores k in a few bits.  The encoder picks the
 * exponent e that makes the most values of the vector round-trip bit for bit
 * through (double) k / 10^e, the same expression the decoder uses; values
 * that do not (NaN, infinities, -0, non-decimals) are kept as exceptions,
 * their exact bits stored beside their positions.  A vector with more than a
 * quarter of exceptions is left to the general-purpose compressors.
 *
 * Layout: e uint8, nexc uint32, int block length uint32, int block (see
 * codec_int.c), nexc uint32 positions, nexc uint64 raw bits (of the double;
 * for float4 the double the float widens to).
 *
 * Part of the codec library: no executor dependencies.
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <math.h>

#include "codec.h"

#define ALP_MAX_E 18
#define ALP_SAMPLE 64

static const double pow10tab[ALP_MAX_E + 1] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18
};

static inline bool
same_bits(double a, double b, bool single)
{
	if (single)
	{
		float		fa = (float) a;
		float		fb = (float) b;

		return memcmp(&fa, &fb, sizeof(float)) == 0;
	}
	return memcmp(&a, &b, sizeof(double)) == 0;
}

/* Does v round-trip as k / 10^e?  Sets *k. */
static inline bool
alp_fits(double v, int e, bool single, int64 *k)
{
	double		scaled = v * pow10tab[e];
	int64		r;

	/* also false for NaN */
	if (!(scaled > -9.0e18 && scaled < 9.0e18))
		return false;
	/* round half away from zero; the check below makes any rounding exact */
	r = (int64) (scaled < 0 ? scaled - 0.5 : scaled + 0.5);
	if (!same_bits((double) r / pow10tab[e], v, single))
		return false;
	*k = r;
	return true;
}

static int
choose_exponent(const double *values, size_t n, bool single, size_t step)
{
	int			best_e = 0;
	size_t		best_hits = 0;

	for (int e = 0; e <= ALP_MAX_E; e++)
	{
		size_t		hits = 0;
		size_t		tried = 0;
		int64		k;

		for (size_t i = 0; i < n; i += step, tried++)
			if (alp_fits(values[i], e, single, &k))
				hits++;
		if (hits > best_hits)
		{
			best_hits = hits;
			best_e = e;
		}
		if (hits == tried)
			break;				/* smallest exponent that fits all */
	}
	return best_e;
}

size_t
codec_alp_bound(size_t n)
{
	return 1 + 4 + 4 + codec_int_bound(n) + n * (4 + 8);
}

size_t
codec_alp_encode(const double *values, size_t n, bool single, char *out,
				 uint64 *scratch)
{
	int64	   *ints = (int64 *) scratch;	/* n */
	uint32	   *exc = (uint32 *) (scratch + n); /* n, until the int codec runs */
	size_t		nexc = 0;
	int			e;
	int64		last = 0;
	char	   *p = out;
	uint32		u32;
	size_t		intlen;

	if (n == 0)
		return 0;

	/*
	 * Choose the exponent on a sample; if the sample misled us (a regular
	 * stride can hit only the round values), choose again on every value.
	 */
	e = choose_exponent(values, n, single, n > ALP_SAMPLE ? n / ALP_SAMPLE : 1);
	for (int attempt = 0;; attempt++)
	{
		nexc = 0;
		last = 0;
		/* integers, with exceptions replaced by their neighbour's value */
		for (size_t i = 0; i < n; i++)
		{
			int64		k;

			if (alp_fits(values[i], e, single, &k))
				last = ints[i] = k;
			else
			{
				ints[i] = last;
				exc[nexc++] = (uint32) i;
			}
		}
		if (nexc <= n / 4)
			break;
		if (attempt > 0 || n <= ALP_SAMPLE)
			return 0;
		e = choose_exponent(values, n, single, 1);
	}

	/* header and exceptions first: the int codec reuses the scratch */
	*p++ = (char) e;
	u32 = (uint32) nexc;
	memcpy(p, &u32, 4);
	p += 4;
	{
		char	   *intlen_at = p;
		char	   *excp = out + codec_alp_bound(n) - nexc * 12;

		/* park the exceptions at the end of out while the ints are encoded */
		for (size_t x = 0; x < nexc; x++)
		{
			memcpy(excp + 4 * x, &exc[x], 4);
			memcpy(excp + 4 * nexc + 8 * x, &values[exc[x]], 8);
		}
		intlen = codec_int_encode(ints, n, p + 4, scratch + n);
		u32 = (uint32) intlen;
		memcpy(intlen_at, &u32, 4);
		p += 4 + intlen;
		memmove(p, excp, nexc * 12);
		p += nexc * 12;
	}
	return p - out;
}

/*
 * values[i] = (double) ints[i] / 10^e for n values, in place (ints and
 * values are the same memory): exactly the expression the encoder verified.
 * A multiplication by the reciprocal would round differently for some values
 * (3 * 0.1 is not 0.3), so the division stays, but on vectors (GCC and clang
 * vector extensions): the same IEEE operations lane by lane, so the same
 * bits, with one division instruction per two values even on plain x86-64,
 * and eight conversions per instruction where the target has packed
 * int64-to-double conversion (AVX-512DQ, AArch64).  An exponent of 0 needs no
 * division at all, x / 1.0 being x.
 *
 * A server built for plain x86-64 still converts eight at a time on a CPU
 * with AVX-512DQ, checked when first needed: vectors of integers (e = 0, the
 * usual case of metrics) then decode about 1.5 times as fast.
 */
#if defined(__GNUC__) && defined(__has_builtin)
#if __has_builtin(__builtin_convertvector)
#define ALP_VECTOR_SCALE
#endif
#endif

#ifdef ALP_VECTOR_SCALE
#if defined(__AVX512DQ__) || defined(__aarch64__)
#define ALP_PACKED_CONVERT
#define ALP_LANES 8
#else
#define ALP_LANES 2
#endif
typedef int64 alp_int_vec __attribute__((vector_size(8 * ALP_LANES)));
typedef double alp_dbl_vec __attribute__((vector_size(8 * ALP_LANES)));

#if defined(__x86_64__) && !defined(__AVX512DQ__)
#define ALP_RUNTIME_AVX512
typedef int64 alp_int8_vec __attribute__((vector_size(64)));
typedef double alp_dbl8_vec __attribute__((vector_size(64)));

static int	alp_have_avx512 = -1;	/* unknown yet */

/* values[i] = (double) ints[i] for the first multiple of 8 of n; returns it */
__attribute__((target("avx512f,avx512dq")))
static size_t
alp_convert_avx512(double *values, size_t n)
{
	size_t		i = 0;

	for (; i + 8 <= n; i += 8)
	{
		alp_int8_vec k;
		alp_dbl8_vec d;

		memcpy(&k, &values[i], sizeof(k));
		d = __builtin_convertvector(k, alp_dbl8_vec);
		memcpy(&values[i], &d, sizeof(d));
	}
	return i;
}
#endif
#endif

static void
alp_scale(double *values, size_t n, int e)
{
	double		divisor = pow10tab[e];
	size_t		i = 0;

	if (e == 0)
	{
#ifdef ALP_RUNTIME_AVX512
		if (alp_have_avx512 < 0)
		{
			__builtin_cpu_init();
			alp_have_avx512 = __builtin_cpu_supports("avx512dq") ? 1 : 0;
		}
		if (alp_have_avx512)
			i = alp_convert_avx512(values, n);
#endif
#ifdef ALP_PACKED_CONVERT
		for (; i + ALP_LANES <= n; i += ALP_LANES)
		{
			alp_int_vec k;
			alp_dbl_vec d;

			memcpy(&k, &values[i], sizeof(k));
			d = __builtin_convertvector(k, alp_dbl_vec);
			memcpy(&values[i], &d, sizeof(d));
		}
#endif
		for (; i < n; i++)
		{
			int64		k;
			double		d;

			memcpy(&k, &values[i], sizeof(k));
			d = (double) k;
			memcpy(&values[i], &d, sizeof(d));
		}
		return;
	}

#ifdef ALP_VECTOR_SCALE
	for (; i + ALP_LANES <= n; i += ALP_LANES)
	{
		alp_int_vec k;
		alp_dbl_vec d;

		memcpy(&k, &values[i], sizeof(k));
		d = __builtin_convertvector(k, alp_dbl_vec) / divisor;
		memcpy(&values[i], &d, sizeof(d));
	}
#endif
	for (; i < n; i++)
	{
		int64		k;
		double		d;

		memcpy(&k, &values[i], sizeof(k));
		d = (double) k / divisor;
		memcpy(&values[i], &d, sizeof(d));
	}
}

bool
codec_alp_decode(const char *in, size_t len, double *values, size_t n,
				 bool single, uint64 *scratch)
{
	return codec_alp_decode_prefix(in, len, values, n, n, single, scratch);
}

/* The first m (1 <= m <= n) of the n values, as codec_int_decode_prefix. */
bool
codec_alp_decode_prefix(const char *in, size_t len, double *values, size_t n,
						size_t m, bool single, uint64 *scratch)
{
	int			e;
	uint32		nexc;
	uint32		intlen;
	const char *positions;
	const char *bits;
	uint32		prev = 0;

	if (len < 9)
		return false;
	e = (uint8) in[0];
	memcpy(&nexc, in + 1, 4);
	memcpy(&intlen, in + 5, 4);
	if (e > ALP_MAX_E || nexc > n || intlen > len - 9 ||
		len - 9 - intlen != (size_t) nexc * 12)
		return false;
	/* the integers are decoded in place, then scaled */
	if (!codec_int_decode_prefix(in + 9, intlen, (int64 *) values, n, m, scratch))
		return false;
	alp_scale(values, m, e);

	/* exceptions last, so that the loop above has no branches */
	positions = in + 9 + intlen;
	bits = positions + 4 * (size_t) nexc;
	for (uint32 x = 0; x < nexc; x++)
	{
		uint32		pos;

		memcpy(&pos, positions + 4 * (size_t) x, 4);
		if (pos >= n || (x > 0 && pos <= prev))
			return false;
		if (pos < m)
			memcpy(&values[pos], bits + 8 * (size_t) x, 8);
		prev = pos;
	}
	(void) single;
	return true;
}
