/*-------------------------------------------------------------------------
 *
 * codec_dict.c
 *	  Dictionary encoding of byte strings (text, varchar, bytea, any
 *	  variable-length value): each distinct value once, then one code per
 *	  value, stored with the integer codec, so repeated tags become a few bits
 *	  per value, or a few runs.
 *
 * Layout: ndict uint32, ndict uint32 lengths, the dictionary's bytes in
 * first-appearance order, then an integer-codec block of the n codes.
 *
 * Part of the codec library: no executor dependencies.
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "codec.h"

static inline uint64
hash_bytes_fnv(const char *p, uint32 len)
{
	uint64		h = UINT64CONST(1469598103934665603);

	for (uint32 i = 0; i < len; i++)
	{
		h ^= (uint8) p[i];
		h *= UINT64CONST(1099511628211);
	}
	return h ^ (h >> 29);
}

size_t
codec_dict_bound(size_t n, size_t total_bytes)
{
	return 4 + 4 * n + total_bytes + codec_int_bound(n);
}

/* Scratch values codec_dict_encode needs. */
size_t
codec_dict_scratch(size_t n)
{
	return 7 * n + 16;
}

/*
 * Scratch: codec_dict_scratch(n) values.  Returns 0 when the values have
 * more than max_distinct distinct values (dictionary encoding would not pay).
 */
size_t
codec_dict_encode(const char *const *ptrs, const uint32 *lens, size_t n,
				  size_t max_distinct, char *out, uint64 *scratch)
{
	int64	   *codes = (int64 *) scratch;	/* n */
	uint64	   *intscratch = scratch + n;	/* 3n */
	uint32	   *first = (uint32 *) (scratch + 4 * n);	/* value index of each entry: n */
	uint32	   *table;
	size_t		cap = 16;
	size_t		ndict = 0;
	char	   *p;
	uint32		u32;

	/* open addressing, at most half full: cap <= 4n + 16 slots of 4 bytes */
	while (cap < 2 * n)
		cap *= 2;
	table = (uint32 *) (scratch + 4 * n + (n + 1) / 2);
	memset(table, 0, sizeof(uint32) * cap);

	for (size_t i = 0; i < n; i++)
	{
		uint64		h = hash_bytes_fnv(ptrs[i], lens[i]);
		size_t		slot = h & (cap - 1);

		for (;;)
		{
			uint32		e = table[slot];

			if (e == 0)
			{
				if (ndict == max_distinct)
					return 0;
				first[ndict] = (uint32) i;
				table[slot] = (uint32) ++ndict;
				codes[i] = (int64) ndict - 1;
				break;
			}
			if (lens[first[e - 1]] == lens[i] &&
				memcmp(ptrs[first[e - 1]], ptrs[i], lens[i]) == 0)
			{
				codes[i] = e - 1;
				break;
			}
			slot = (slot + 1) & (cap - 1);
		}
	}

	p = out;
	u32 = (uint32) ndict;
	memcpy(p, &u32, 4);
	p += 4;
	for (size_t d = 0; d < ndict; d++)
	{
		memcpy(p, &lens[first[d]], 4);
		p += 4;
	}
	for (size_t d = 0; d < ndict; d++)
	{
		memcpy(p, ptrs[first[d]], lens[first[d]]);
		p += lens[first[d]];
	}
	p += codec_int_encode(codes, n, p, intscratch);
	return p - out;
}

/*
 * Check the dictionary header of an encoded block of n values: sets *ndict,
 * the array of entry lengths, the entries' bytes and their total length.
 */
static bool
dict_header(const char *in, size_t len, size_t n, uint32 *ndict,
			const char **dict_lens, const char **payload, size_t *total)
{
	*total = 0;
	if (len < 4)
		return false;
	memcpy(ndict, in, 4);
	if (*ndict == 0 || *ndict > n || (size_t) *ndict * 4 > len - 4)
		return false;
	*dict_lens = in + 4;
	*payload = *dict_lens + 4 * (size_t) *ndict;
	for (uint32 d = 0; d < *ndict; d++)
	{
		uint32		l;

		memcpy(&l, *dict_lens + 4 * (size_t) d, 4);
		if (l > len)
			return false;
		*total += l;
		if (*total > len - 4 - 4 * (size_t) *ndict)
			return false;
	}
	return true;
}

/*
 * The dictionary alone, without the codes: each distinct value of an
 * encoded block of n values, as pointers into in[] and lengths (room for n
 * entries).  Returns the number of entries, or -1 when the block is
 * malformed.
 */
int
codec_dict_entries(const char *in, size_t len, size_t n, const char **ptrs,
				   uint32 *lens)
{
	uint32		ndict;
	const char *dict_lens;
	const char *payload;
	size_t		total;
	size_t		off = 0;

	if (!dict_header(in, len, n, &ndict, &dict_lens, &payload, &total))
		return -1;
	for (uint32 d = 0; d < ndict; d++)
	{
		memcpy(&lens[d], dict_lens + 4 * (size_t) d, 4);
		ptrs[d] = payload + off;
		off += lens[d];
	}
	return (int) ndict;
}

/*
 * Decode into pointers into in[] and lengths.  Scratch: 3 * n values; on
 * success its first n values hold each value's dictionary code (int64, from
 * 0 to the number of entries - 1), so callers can share work per entry.
 */
bool
codec_dict_decode(const char *in, size_t len, size_t n, const char **ptrs,
				  uint32 *lens, uint64 *scratch)
{
	int64	   *codes = (int64 *) scratch;	/* n */
	uint32		ndict;
	const char *dict_lens;
	const char *payload;
	size_t		total;
	uint64	   *offsets;

	if (!dict_header(in, len, n, &ndict, &dict_lens, &payload, &total))
		return false;
	if (!codec_int_decode(payload + total, len - 4 - 4 * (size_t) ndict - total,
						  codes, n, scratch + n))
		return false;

	/* entry offsets reuse the tail of scratch (3n values, ndict <= n) */
	offsets = scratch + 2 * n;
	{
		uint64		off = 0;

		for (uint32 d = 0; d < ndict; d++)
		{
			uint32		l;

			memcpy(&l, dict_lens + 4 * (size_t) d, 4);
			offsets[d] = off;
			off += l;
		}
	}
	for (size_t i = 0; i < n; i++)
	{
		int64		c = codes[i];
		uint32		l;

		if (c < 0 || c >= (int64) ndict)
			return false;
		memcpy(&l, dict_lens + 4 * (size_t) c, 4);
		ptrs[i] = payload + offsets[c];
		lens[i] = l;
	}
	return true;
}
