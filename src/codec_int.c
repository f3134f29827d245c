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
 * Decoding is on the scan's hot path: it unpacks eight values at a time in
 * loops specialised for each width, with the frame of reference, the zigzag
 * and the prefix sums of the delta schemes fused into them (see "Decoding"
 * below), and patches exceptions in a separate pass.
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

/*
 * Decoding.
 *
 * Eight w-bit fields take exactly w bytes, so the values are unpacked eight
 * at a time: within a group every field's byte offset and shift are
 * constants once the width is, and unpack_groups(), instantiated for each
 * width by unpack_dispatch(), is straight-line code with one unaligned 8-byte
 * load, a constant shift, a mask and an add per value, without branches or
 * variable shifts.  A field of at most 57 bits lies within the 8 bytes from
 * its first byte (its shift is at most 7); a wider one may need a second
 * load, which the constant shift tells at compile time.
 *
 * What the caller does with each field is fused into the same loop (see
 * UnpackMode): the frame of reference adds its base, the patched frame of
 * reference undoes the zigzag first, and the blocks of the delta and
 * delta-of-delta schemes keep the running sums, so that the prefix sums cost
 * an add per value rather than another pass over the vector.
 */
typedef enum UnpackMode
{
	UNPACK_FOR,					/* base + field */
	UNPACK_ZIGZAG,				/* base + unzigzag(field) */
	UNPACK_DELTA,				/* running sum of base + field */
	UNPACK_DOD					/* running sum of the running sum */
} UnpackMode;

/* Running sums carried from one value to the next by the prefix modes. */
typedef struct UnpackState
{
	uint64		acc;			/* the previous value */
	uint64		dacc;			/* the previous delta (UNPACK_DOD) */
} UnpackState;

static inline uint64
unzigzag(uint64 u)
{
	return (u >> 1) ^ (0 - (u & 1));
}

static inline __attribute__((always_inline)) uint64
unpack_emit(UnpackMode mode, uint64 field, uint64 base, uint64 *acc,
			uint64 *dacc)
{
	switch (mode)
	{
		case UNPACK_FOR:
			return field + base;
		case UNPACK_ZIGZAG:
			return unzigzag(field) + base;
		case UNPACK_DELTA:
			*acc += field + base;
			return *acc;
		case UNPACK_DOD:
			*dacc += field + base;
			*acc += *dacc;
			return *acc;
	}
	return 0;
}

/*
 * Unpack ngroups groups of eight w-bit fields (0 < w <= 64).  Reads
 * (ngroups - 1) * w + UNPACK_OVERREAD(w) bytes from p at most: the last field
 * of a group is loaded as 8 bytes (16 if wider than 57 bits) from its first
 * byte.
 */
#define UNPACK_OVERREAD(w) (((7 * (w)) >> 3) + ((w) > 57 ? 16 : 8))

static inline __attribute__((always_inline)) void
unpack_groups(const uint8 *p, size_t ngroups, const int w,
			  const UnpackMode mode, uint64 base, uint64 *out,
			  UnpackState *st)
{
	const uint64 mask = w == 64 ? ~UINT64CONST(0) : (UINT64CONST(1) << w) - 1;
	uint64		acc = st->acc;
	uint64		dacc = st->dacc;

	for (size_t g = 0; g < ngroups; g++)
	{
#pragma GCC unroll 8
		for (int j = 0; j < 8; j++)
		{
			const uint8 *q = p + ((j * w) >> 3);
			const int	shift = (j * w) & 7;
			uint64		field;

			memcpy(&field, q, 8);
			field >>= shift;
			if (shift + w > 64)
			{
				uint64		hi;

				memcpy(&hi, q + 8, 8);
				field |= hi << (64 - shift);
			}
			out[j] = unpack_emit(mode, field & mask, base, &acc, &dacc);
		}
		p += w;
		out += 8;
	}
	st->acc = acc;
	st->dacc = dacc;
}

/* unpack_groups() with the width and mode as constants */
static void
unpack_dispatch(const uint8 *p, size_t ngroups, int w, UnpackMode mode,
				uint64 base, uint64 *out, UnpackState *st)
{
#define UNPACK_CASE(w) \
	case w: \
		switch (mode) \
		{ \
			case UNPACK_FOR: \
				unpack_groups(p, ngroups, w, UNPACK_FOR, base, out, st); \
				break; \
			case UNPACK_ZIGZAG: \
				unpack_groups(p, ngroups, w, UNPACK_ZIGZAG, base, out, st); \
				break; \
			case UNPACK_DELTA: \
				unpack_groups(p, ngroups, w, UNPACK_DELTA, base, out, st); \
				break; \
			case UNPACK_DOD: \
				unpack_groups(p, ngroups, w, UNPACK_DOD, base, out, st); \
				break; \
		} \
		break;

	switch (w)
	{
			UNPACK_CASE(1) UNPACK_CASE(2) UNPACK_CASE(3) UNPACK_CASE(4)
			UNPACK_CASE(5) UNPACK_CASE(6) UNPACK_CASE(7) UNPACK_CASE(8)
			UNPACK_CASE(9) UNPACK_CASE(10) UNPACK_CASE(11) UNPACK_CASE(12)
			UNPACK_CASE(13) UNPACK_CASE(14) UNPACK_CASE(15) UNPACK_CASE(16)
			UNPACK_CASE(17) UNPACK_CASE(18) UNPACK_CASE(19) UNPACK_CASE(20)
			UNPACK_CASE(21) UNPACK_CASE(22) UNPACK_CASE(23) UNPACK_CASE(24)
			UNPACK_CASE(25) UNPACK_CASE(26) UNPACK_CASE(27) UNPACK_CASE(28)
			UNPACK_CASE(29) UNPACK_CASE(30) UNPACK_CASE(31) UNPACK_CASE(32)
			UNPACK_CASE(33) UNPACK_CASE(34) UNPACK_CASE(35) UNPACK_CASE(36)
			UNPACK_CASE(37) UNPACK_CASE(38) UNPACK_CASE(39) UNPACK_CASE(40)
			UNPACK_CASE(41) UNPACK_CASE(42) UNPACK_CASE(43) UNPACK_CASE(44)
			UNPACK_CASE(45) UNPACK_CASE(46) UNPACK_CASE(47) UNPACK_CASE(48)
			UNPACK_CASE(49) UNPACK_CASE(50) UNPACK_CASE(51) UNPACK_CASE(52)
			UNPACK_CASE(53) UNPACK_CASE(54) UNPACK_CASE(55) UNPACK_CASE(56)
			UNPACK_CASE(57) UNPACK_CASE(58) UNPACK_CASE(59) UNPACK_CASE(60)
			UNPACK_CASE(61) UNPACK_CASE(62) UNPACK_CASE(63) UNPACK_CASE(64)
		default:
			Assert(false);
			break;
	}
#undef UNPACK_CASE
}

/*
 * out[0 .. n) = val.  Written four values at a time, which compilers turn
 * into vector stores even at -O2 (a fill of unknown length they would not
 * vectorise).
 */
static inline void
fill_values(uint64 *out, size_t n, uint64 val)
{
	size_t		i = 0;

	for (; i + 4 <= n; i += 4)
	{
		out[i] = val;
		out[i + 1] = val;
		out[i + 2] = val;
		out[i + 3] = val;
	}
	for (; i < n; i++)
		out[i] = val;
}

/* Width 0: every field is 0, so the values follow from the base alone. */
static void
unpack_zero(size_t n, UnpackMode mode, uint64 base, uint64 *out,
			UnpackState *st)
{
	size_t		i = 0;

	switch (mode)
	{
		case UNPACK_FOR:
		case UNPACK_ZIGZAG:
			fill_values(out, n, base);
			break;
		case UNPACK_DELTA:
			{
				/* four independent sums: no chain of dependent adds */
				uint64		a0 = st->acc + base;
				uint64		a1 = a0 + base;
				uint64		a2 = a1 + base;
				uint64		a3 = a2 + base;
				uint64		step = 4 * base;

				for (; i + 4 <= n; i += 4)
				{
					out[i] = a0;
					out[i + 1] = a1;
					out[i + 2] = a2;
					out[i + 3] = a3;
					a0 += step;
					a1 += step;
					a2 += step;
					a3 += step;
				}
				st->acc += (uint64) i * base;
				for (; i < n; i++)
					out[i] = st->acc += base;
				break;
			}
		case UNPACK_DOD:
			for (i = 0; i < n; i++)
				out[i] = unpack_emit(UNPACK_DOD, 0, base, &st->acc, &st->dacc);
			break;
	}
}

/*
 * Unpack n values of a block of width-bit fields at p, of which avail bytes
 * (at least packed_bytes(n, width)) may be read: the unrolled loops load
 * past the last field, as far as the buffer allows.  Groups too close to the
 * end are copied into a zero-padded buffer first and unpacked from there
 * (the last group may run past the n-th value there, leaving *st
 * meaningless: no caller reads it afterwards).
 */
static void
unpack(const uint8 *p, size_t avail, size_t n, int width, UnpackMode mode,
	   uint64 base, uint64 *out, UnpackState *st)
{
	size_t		reach = UNPACK_OVERREAD(width);
	size_t		fast = 0;
	size_t		done;

	Assert(avail >= packed_bytes(n, width));
	if (width == 0)
	{
		unpack_zero(n, mode, base, out, st);
		return;
	}
	/* full groups whose loads stay inside the buffer */
	if (avail >= reach)
		fast = Min(n / 8, (avail - reach) / width + 1);
	unpack_dispatch(p, fast, width, mode, base, out, st);

	for (done = fast * 8; done < n;)
	{
		uint8		buf[8 * 64 + 16];
		uint64		tmp[64];
		size_t		count = Min(n - done, 64);
		size_t		from = done / 8 * width;
		size_t		bytes = packed_bytes(done + count, width) - from;

		StaticAssertStmt(sizeof(buf) >= 7 * 64 + UNPACK_OVERREAD(64),
						 "tail buffer too small for eight groups");
		memcpy(buf, p + from, bytes);
		memset(buf + bytes, 0, sizeof(buf) - bytes);
		unpack_dispatch(buf, (count + 7) / 8, width, mode, base, tmp, st);
		memcpy(out + done, tmp, count * sizeof(uint64));
		done += count;
	}
}

/*
 * out[i] = acc + out[0] + ... + out[i], four at a time: the four's own sums
 * do not wait on acc, so the chain through acc is one add per four values
 * instead of one per value.
 */
static void
prefix_sums(uint64 *out, size_t n, uint64 acc)
{
	size_t		i = 0;

	for (; i + 4 <= n; i += 4)
	{
		uint64		s1 = out[i] + out[i + 1];
		uint64		s2 = s1 + out[i + 2];
		uint64		s3 = s2 + out[i + 3];

		out[i] += acc;
		out[i + 1] = acc + s1;
		out[i + 2] = acc + s2;
		out[i + 3] = acc + s3;
		acc += s3;
	}
	for (; i < n; i++)
		out[i] = acc += out[i];
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
#define PFOR_MIN_WIDTH 2

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

/*
 * Parse a block of n values at *p (*left bytes left) into out; false if
 * malformed.  mode says what the values are (UNPACK_FOR: the values
 * themselves, UNPACK_DELTA or UNPACK_DOD: differences to sum, starting from
 * *st), and out receives the first m of them (m <= n): the block is checked
 * and skipped whole, but only what the first m values need is unpacked.
 */
static bool
read_block(const char **p, size_t *left, size_t n, size_t m, uint64 *out,
		   UnpackMode mode, UnpackState *st)
{
	const uint8 *b = (const uint8 *) *p;
	int			kind;
	uint64		base;
	int			width;
	size_t		need;

	if (*left < 10)
		return false;
	kind = b[0];
	base = get64(*p + 1);
	width = b[9];
	if (width > 64)
		return false;
	if (kind == BLOCK_FOR)
	{
		need = 10 + packed_bytes(n, width);
		if (*left < need)
			return false;
		unpack(b + 10, *left - 10, m, width, mode, base, out, st);
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

		/*
		 * Unpack every value as if none were an exception, then overwrite
		 * the exceptions in a separate pass: the main loop stays free of
		 * branches.  The running sums of the delta schemes have to wait for
		 * the exceptions.
		 */
		unpack(b + 14, *left - 14, m, width, UNPACK_ZIGZAG, base, out, st);
		excp = *p + 14 + packed_bytes(n, width);
		vals = excp + (size_t) nexc * 4;
		for (uint32 x = 0; x < nexc; x++)
		{
			uint32		pos;

			memcpy(&pos, excp + 4 * (size_t) x, 4);
			if (pos >= n || (x > 0 && pos <= prev))
				return false;
			if (pos < m)
				out[pos] = get64(vals + 8 * (size_t) x);
			prev = pos;
		}
		if (mode == UNPACK_DELTA)
			prefix_sums(out, m, st->acc);
		else if (mode == UNPACK_DOD)
		{
			uint64		acc = st->acc;
			uint64		dacc = st->dacc;

			for (size_t i = 0; i < m; i++)
			{
				dacc += out[i];
				out[i] = acc += dacc;
			}
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
	return codec_int_decode_prefix(in, len, values, n, n, scratch);
}

/*
 * The first m (1 <= m <= n) of the n values of an encoded block: the whole
 * block is checked, but the values after the m-th are not unpacked (a row
 * picked from a vector needs the values up to it; the delta schemes need
 * every one before it).
 */
bool
codec_int_decode_prefix(const char *in, size_t len, int64 *values, size_t n,
						size_t m, uint64 *scratch)
{
	uint64	   *v = (uint64 *) values;
	const char *p = in;
	size_t		left = len;
	int			scheme;
	UnpackState st = {0, 0};

	if (left < 1)
		return false;
	scheme = (uint8) *p++;
	left--;
	switch (scheme)
	{
		case SCHEME_FOR:
			if (!read_block(&p, &left, n, m, v, UNPACK_FOR, &st))
				return false;
			break;
		case SCHEME_DELTA:
			if (n < 2 || left < 8)
				return false;
			st.acc = get64(p);
			p += 8;
			left -= 8;
			v[0] = st.acc;
			if (!read_block(&p, &left, n - 1, m - 1, v + 1, UNPACK_DELTA, &st))
				return false;
			break;
		case SCHEME_DOD:
			if (n < 3 || left < 16)
				return false;
			v[0] = get64(p);
			st.dacc = get64(p + 8);
			st.acc = v[0] + st.dacc;
			if (m > 1)
				v[1] = st.acc;
			p += 16;
			left -= 16;
			if (!read_block(&p, &left, n - 2, m > 2 ? m - 2 : 0, v + 2, UNPACK_DOD, &st))
				return false;
			break;
		case SCHEME_RLE:
			{
				uint32		nruns;
				uint64	   *vals = scratch + n;
				uint64	   *lens = scratch;
				size_t		pos = 0;

				if (left < 4)
					return false;
				memcpy(&nruns, p, 4);
				p += 4;
				left -= 4;
				if (nruns == 0 || nruns > n)
					return false;
				if (!read_block(&p, &left, nruns, nruns, vals, UNPACK_FOR, &st) ||
					!read_block(&p, &left, nruns, nruns, lens, UNPACK_FOR, &st))
					return false;
				for (uint32 r = 0; r < nruns; r++)
				{
					uint64		val = vals[r];
					uint64		cnt = lens[r] + 1;

					if (lens[r] >= n - pos)
						return false;
					if (pos < m)
						fill_values(v + pos, Min(cnt, m - pos), val);
					pos += cnt;
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
