/*-------------------------------------------------------------------------
 *
 * codec_int.c
 *	  Integer vector codecs: frame-of-reference bit-packing of the values,
 *	  of their deltas or of their deltas-of-deltas, and run-length encoding;
 *	  the encoder sizes every scheme and writes the smallest.
 *
 * Timestamps at a fixed interval become deltas-of-deltas of zero (no bits),
 * time-major data with repeated timestamps becomes a few runs, counters
 * become small deltas.  All arithmetic is done on uint64 with wrap-around,
 * so any int64 input round-trips exactly and nothing overflows.
 *
 * Block layouts (little-endian):
 *	FOR:	scheme, block of the n values
 *	DELTA:	scheme, first int64, block of the n-1 deltas
 *	DOD:	scheme, first int64, delta int64, block of the n-2
 *			deltas-of-deltas
 *	RLE:	scheme, nruns uint32, block of run values, block of
 *			run lengths - 1
 * A block is the smaller of frame of reference (kind 0, base int64, width
 * uint8, packed offsets) and patched frame of reference (kind 1, reference
 * int64, width uint8, nexc uint32, packed zigzag distances, nexc uint32
 * positions, nexc int64 values).
 *
 * Part of the codec library: no executor dependencies.
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "codec.h"

enum
{
	SCHEME_FOR = 1,
	SCHEME_DELTA = 2,
	SCHEME_DOD = 3,
	SCHEME_RLE = 4
};

static inline int
bit_width(uint64 range)
{
	return range == 0 ? 0 : 64 - __builtin_clzll(range);
}

static inline size_t
packed_bytes(size_t n, int width)
{
	return (n * (size_t) width + 7) / 8;
}


static inline void
put64(char **p, uint64 v)
{
	memcpy(*p, &v, 8);
	*p += 8;
}

static inline uint64
get64(const char *p)
{
	uint64		v;

	memcpy(&v, p, 8);
	return v;
}

/* Pack the low width bits of each value, LSB first. */
static char *
bitpack(const uint64 *in, size_t n, int width, char *out)
{
	uint64		acc = 0;
	int			filled = 0;
	uint64		mask = width == 64 ? ~UINT64CONST(0) : ((UINT64CONST(1) << width) - 1);
	size_t		nbytes = packed_bytes(n, width);
	char	   *start = out;

	if (width == 0)
		return out;
	for (size_t i = 0; i < n; i++)
	{
		uint64		v = in[i] & mask;

		acc |= v << filled;
		if (filled + width >= 64)
		{
			int			used = 64 - filled;

			memcpy(out, &acc, 8);
			out += 8;
			acc = used < 64 ? v >> used : 0;
			filled = filled + width - 64;
		}
		else
			filled += width;
	}
	if (filled > 0)
	{
		memcpy(out, &acc, (filled + 7) / 8);
		out += (filled + 7) / 8;
	}
	Assert((size_t) (out - start) == nbytes);
	(void) start;
	(void) nbytes;
	return out;
}

/* Read 8 bytes at p, zero-filling past end. */
static inline uint64
load_le64(const uint8 *p, const uint8 *end)
{
	uint64		v = 0;

	if (end - p >= 8)
		memcpy(&v, p, 8);
	else if (end > p)
		memcpy(&v, p, end - p);
	return v;
}

/*
 * Unpack values [0, n) whose loads all stay inside the buffer.  Inlined into
 * a switch on the width, so each common width gets its own unrolled loop.
 */
static inline __attribute__((always_inline)) void
unpack_fast(const uint8 *p, size_t n, int width, uint64 base, uint64 *out)
{
	uint64		mask = width == 64 ? ~UINT64CONST(0) : ((UINT64CONST(1) << width) - 1);

	for (size_t i = 0; i < n; i++)
	{
		size_t		bit = i * (size_t) width;
		const uint8 *q = p + (bit >> 3);
		int			shift = bit & 7;
		uint64		lo;
		uint64		v;

		memcpy(&lo, q, 8);
		v = lo >> shift;
		if (shift + width > 64)
		{
			uint64		hi;

			memcpy(&hi, q + 8, 8);
			v |= hi << (64 - shift);
		}
		out[i] = (v & mask) + base;
	}
}

static void
bitunpack(const char *in, size_t n, int width, uint64 base, uint64 *out)
{
	const uint8 *p = (const uint8 *) in;
	size_t		len = packed_bytes(n, width);
	const uint8 *end = p + len;
	uint64		mask = width == 64 ? ~UINT64CONST(0) : ((UINT64CONST(1) << width) - 1);
	size_t		i = 0;
	size_t		fast;

	if (width == 0)
	{
		for (i = 0; i < n; i++)
			out[i] = base;
		return;
	}

	/*
	 * Values whose two 8-byte loads stay inside the buffer are read with
	 * plain unaligned loads, in a loop specialised for each width so that the
	 * compiler can unroll it; only the last few need the careful loader.
	 */
	fast = len >= 16 ? Min(n, (len - 16) * 8 / (size_t) width) : 0;
	switch (width)
	{
#define UNPACK_WIDTH(w) case w: unpack_fast(p, fast, w, base, out); break;
			UNPACK_WIDTH(1) UNPACK_WIDTH(2) UNPACK_WIDTH(3) UNPACK_WIDTH(4)
			UNPACK_WIDTH(5) UNPACK_WIDTH(6) UNPACK_WIDTH(7) UNPACK_WIDTH(8)
			UNPACK_WIDTH(9) UNPACK_WIDTH(10) UNPACK_WIDTH(11) UNPACK_WIDTH(12)
			UNPACK_WIDTH(13) UNPACK_WIDTH(14) UNPACK_WIDTH(15) UNPACK_WIDTH(16)
			UNPACK_WIDTH(17) UNPACK_WIDTH(18) UNPACK_WIDTH(19) UNPACK_WIDTH(20)
			UNPACK_WIDTH(24) UNPACK_WIDTH(32)
#undef UNPACK_WIDTH
		default:
			unpack_fast(p, fast, width, base, out);
			break;
	}
	i = fast;
	for (; i < n; i++)
	{
		size_t		bit = i * (size_t) width;
		const uint8 *q = p + (bit >> 3);
		int			shift = bit & 7;
		uint64		v = load_le64(q, end) >> shift;

		if (shift + width > 64)
			v |= load_le64(q + 8, end) << (64 - shift);
		out[i] = (v & mask) + base;
	}
}

/* Frame of reference over n values: smallest value and bit width. */
static int
for_params(const uint64 *v, size_t n, uint64 *base)
{
	int64		lo;
	int64		hi;

	if (n == 0)
	{
		*base = 0;
		return 0;
	}
	lo = hi = (int64) v[0];
	for (size_t i = 1; i < n; i++)
	{
		int64		x = (int64) v[i];

		if (x < lo)
			lo = x;
		if (x > hi)
			hi = x;
	}
	*base = (uint64) lo;
	return bit_width((uint64) hi - (uint64) lo);
}

static inline uint64
zigzag(uint64 x)
{
	return (x << 1) ^ (0 - (x >> 63));
}

static inline uint64
unzigzag(uint64 u)
{
	return (u >> 1) ^ (0 - (u & 1));
}

/*
 * Patched frame of reference: values are stored as the zigzag of their
 * distance from a reference (the median of a sample) in w bits, except the
 * few that do not fit, which are stored whole with their positions.  One
 * outlier (a series boundary in a vector of timestamps) then costs 12 bytes
 * instead of widening every value.
 */
typedef struct PforPlan
{
	uint64		ref;
	int			width;
	size_t		nexc;
	size_t		size;
} PforPlan;

static void
pfor_plan(const uint64 *v, size_t n, PforPlan *plan)
{
	int64		sample[33];
	size_t		k = Min(n, 33);
	size_t		hist[65] = {0};
	size_t		above = 0;

	for (size_t i = 0; i < k; i++)
	{
		int64		x = (int64) v[i * n / k];
		size_t		j = i;

		while (j > 0 && sample[j - 1] > x)
		{
			sample[j] = sample[j - 1];
			j--;
		}
		sample[j] = x;
	}
	plan->ref = k > 0 ? (uint64) sample[k / 2] : 0;
	for (size_t i = 0; i < n; i++)
		hist[bit_width(zigzag(v[i] - plan->ref))]++;

	plan->size = SIZE_MAX;
	for (int w = 64; w >= 0; w--)
	{
		size_t		size = 1 + 8 + 1 + 4 + packed_bytes(n, w) + above * 12;

		if (size < plan->size)
		{
			plan->size = size;
			plan->width = w;
			plan->nexc = above;
		}
		above += hist[w];
	}
}

/*
 * Blocks no wider than this are not worth planning exceptions for: the plan
 * costs a pass over the values, and narrow blocks have little to gain.
 */
#define PFOR_MIN_WIDTH 8

/* Size of the block write_block would write for n values. */
static size_t
block_size(const uint64 *v, size_t n)
{
	uint64		base;
	size_t		for_size = 1 + 8 + 1 + packed_bytes(n, for_params(v, n, &base));
	PforPlan	plan;

	if (for_size <= 1 + 8 + 1 + packed_bytes(n, PFOR_MIN_WIDTH))
		return for_size;
	pfor_plan(v, n, &plan);
	return Min(for_size, plan.size);
}

#define BLOCK_FOR	0
#define BLOCK_PFOR	1

/* Write n values as the smaller of a FOR and a PFOR block. */
static char *
write_block(const uint64 *v, size_t n, uint64 *tmp, char *out)
{
	uint64		base;
	int			width = for_params(v, n, &base);
	size_t		for_size = 1 + 8 + 1 + packed_bytes(n, width);
	PforPlan	plan;

	plan.size = SIZE_MAX;
	if (for_size > 1 + 8 + 1 + packed_bytes(n, PFOR_MIN_WIDTH))
		pfor_plan(v, n, &plan);

	if (for_size <= plan.size)
	{
		*out++ = BLOCK_FOR;
		put64(&out, base);
		*out++ = (char) width;
		for (size_t i = 0; i < n; i++)
			tmp[i] = v[i] - base;
		return bitpack(tmp, n, width, out);
	}
	else
	{
		uint64		limit = plan.width == 64 ? ~UINT64CONST(0) :
			(UINT64CONST(1) << plan.width) - 1;
		uint32		nexc = (uint32) plan.nexc;
		char	   *excp;
		size_t		x = 0;

		*out++ = BLOCK_PFOR;
		put64(&out, plan.ref);
		*out++ = (char) plan.width;
		memcpy(out, &nexc, 4);
		out += 4;
		for (size_t i = 0; i < n; i++)
		{
			uint64		z = zigzag(v[i] - plan.ref);

			tmp[i] = z <= limit ? z : 0;
		}
		out = bitpack(tmp, n, plan.width, out);
		excp = out;
		out += (size_t) nexc * 4;
		for (size_t i = 0; i < n; i++)
		{
			if (zigzag(v[i] - plan.ref) > limit)
			{
				uint32		pos = (uint32) i;

				memcpy(excp + 4 * x, &pos, 4);
				put64(&out, v[i]);
				x++;
			}
		}
		Assert(x == nexc);
		return out;
	}
}

/* Parse a block of n values at *p (*left bytes left); false if malformed. */
static bool
read_block(const char **p, size_t *left, size_t n, uint64 *out)
{
	int			kind;
	uint64		base;
	int			width;
	size_t		need;

	if (*left < 10)
		return false;
	kind = (uint8) (*p)[0];
	base = get64(*p + 1);
	width = (uint8) (*p)[9];
	if (width > 64)
		return false;
	if (kind == BLOCK_FOR)
	{
		need = 10 + packed_bytes(n, width);
		if (*left < need)
			return false;
		bitunpack(*p + 10, n, width, base, out);
	}
	else if (kind == BLOCK_PFOR)
	{
		uint32		nexc;
		const char *excp;
		const char *vals;
		uint32		prev = 0;

		if (*left < 14)
			return false;
		memcpy(&nexc, *p + 10, 4);
		if (nexc > n)
			return false;
		need = 14 + packed_bytes(n, width) + (size_t) nexc * 12;
		if (*left < need)
			return false;
		bitunpack(*p + 14, n, width, 0, out);
		for (size_t i = 0; i < n; i++)
			out[i] = unzigzag(out[i]) + base;
		excp = *p + 14 + packed_bytes(n, width);
		vals = excp + (size_t) nexc * 4;
		for (uint32 x = 0; x < nexc; x++)
		{
			uint32		pos;

			memcpy(&pos, excp + 4 * (size_t) x, 4);
			if (pos >= n || (x > 0 && pos <= prev))
				return false;
			out[pos] = get64(vals + 8 * (size_t) x);
			prev = pos;
		}
	}
	else
		return false;
	*p += need;
	*left -= need;
	return true;
}

size_t
codec_int_bound(size_t n)
{
	/* RLE worst case: header, two FOR blocks of n 64-bit values */
	/* RLE: header, two blocks; a block is never larger than FOR at 64 bits */
	return 1 + 4 + 2 * (10 + 8 * n) + 3 * 8 + 16;
}

size_t
codec_int_encode(const int64 *values, size_t n, char *out, uint64 *scratch)
{
	const uint64 *v = (const uint64 *) values;
	uint64	   *tmp = scratch;		/* n entries */
	uint64	   *tmp2 = scratch + n; /* n entries */
	size_t		best_size;
	int			best;
	size_t		size;
	size_t		nruns = n > 0 ? 1 : 0;
	char	   *p = out;

	/* FOR */
	best = SCHEME_FOR;
	best_size = 1 + block_size(v, n);

	/* DELTA */
	if (n >= 2)
	{
		for (size_t i = 1; i < n; i++)
			tmp[i - 1] = v[i] - v[i - 1];
		size = 1 + 8 + block_size(tmp, n - 1);
		if (size < best_size)
		{
			best = SCHEME_DELTA;
			best_size = size;
		}
	}
	/* DOD */
	if (n >= 3)
	{
		for (size_t i = 2; i < n; i++)
			tmp2[i - 2] = (v[i] - v[i - 1]) - (v[i - 1] - v[i - 2]);
		size = 1 + 16 + block_size(tmp2, n - 2);
		if (size < best_size)
		{
			best = SCHEME_DOD;
			best_size = size;
		}
	}
	/* RLE */
	for (size_t i = 1; i < n; i++)
		if (v[i] != v[i - 1])
			nruns++;
	if (nruns < n / 2)
	{
		size_t		r = 0;
		size_t		start = 0;

		for (size_t i = 1; i <= n; i++)
		{
			if (i == n || v[i] != v[i - 1])
			{
				tmp[r] = v[start];
				tmp2[r] = i - start - 1;
				r++;
				start = i;
			}
		}
		size = 1 + 4 + block_size(tmp, nruns) + block_size(tmp2, nruns);
		if (size < best_size)
		{
			uint32		nr = (uint32) nruns;
			uint64	   *packtmp = scratch + 2 * n;	/* n entries */

			*p++ = SCHEME_RLE;
			memcpy(p, &nr, 4);
			p += 4;
			p = write_block(tmp, nruns, packtmp, p);
			p = write_block(tmp2, nruns, packtmp, p);
			Assert((size_t) (p - out) == size);
			return p - out;
		}
	}

	*p++ = (char) best;
	switch (best)
	{
		case SCHEME_FOR:
			p = write_block(v, n, tmp, p);
			break;
		case SCHEME_DELTA:
			put64(&p, v[0]);
			for (size_t i = 1; i < n; i++)
				tmp2[i - 1] = v[i] - v[i - 1];
			p = write_block(tmp2, n - 1, tmp, p);
			break;
		case SCHEME_DOD:
			put64(&p, v[0]);
			put64(&p, v[1] - v[0]);
			for (size_t i = 2; i < n; i++)
				tmp[i - 2] = (v[i] - v[i - 1]) - (v[i - 1] - v[i - 2]);
			p = write_block(tmp, n - 2, tmp2, p);
			break;
	}
	Assert((size_t) (p - out) == best_size);
	return p - out;
}

bool
codec_int_decode(const char *in, size_t len, int64 *values, size_t n,
				 uint64 *scratch)
{
	uint64	   *v = (uint64 *) values;
	const char *p = in;
	size_t		left = len;
	int			scheme;

	if (left < 1)
		return false;
	scheme = (uint8) *p++;
	left--;
	switch (scheme)
	{
		case SCHEME_FOR:
			if (!read_block(&p, &left, n, v))
				return false;
			break;
		case SCHEME_DELTA:
			{
				uint64		first;

				if (n < 2 || left < 8)
					return false;
				first = get64(p);
				p += 8;
				left -= 8;
				if (!read_block(&p, &left, n - 1, v + 1))
					return false;
				v[0] = first;
				for (size_t i = 1; i < n; i++)
					v[i] += v[i - 1];
				break;
			}
		case SCHEME_DOD:
			{
				uint64		first;
				uint64		delta;

				if (n < 3 || left < 16)
					return false;
				first = get64(p);
				delta = get64(p + 8);
				p += 16;
				left -= 16;
				if (!read_block(&p, &left, n - 2, v + 2))
					return false;
				v[0] = first;
				v[1] = first + delta;
				for (size_t i = 2; i < n; i++)
				{
					delta += v[i];
					v[i] = v[i - 1] + delta;
				}
				break;
			}
		case SCHEME_RLE:
			{
				uint32		nruns;
				uint64	   *lens = scratch;
				size_t		pos = 0;

				if (left < 4)
					return false;
				memcpy(&nruns, p, 4);
				p += 4;
				left -= 4;
				if (nruns == 0 || nruns > n)
					return false;
				if (!read_block(&p, &left, nruns, scratch + n) ||
					!read_block(&p, &left, nruns, lens))
					return false;
				for (uint32 r = 0; r < nruns; r++)
				{
					uint64		val = scratch[n + r];
					uint64		cnt = lens[r] + 1;

					if (lens[r] >= n - pos)
						return false;
					for (uint64 k = 0; k < cnt; k++)
						v[pos++] = val;
				}
				if (pos != n)
					return false;
				break;
			}
		default:
			return false;
	}
	return left == 0;
}
