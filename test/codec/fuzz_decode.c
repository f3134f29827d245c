/*
 * fuzz_decode.c
 *	  libFuzzer target for the codec library's decoders.  The first byte picks
 *	  the mode, the next two the vector length; the rest is either an encoding
 *	  to decode (must fail or succeed, never crash or read out of bounds) or
 *	  values to round-trip (must come back bit for bit).
 */
#include "c.h"

#include <stdlib.h>

#include "codec.h"

#define MAXN 4096

static uint64 scratch[4 * MAXN + 4];
static int64 ints[MAXN];
static double dbls[MAXN];
static char enc[MAXN * 40 + 1024];

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int			mode;
	size_t		n;
	const char *rest;
	size_t		restlen;

	if (size < 3)
		return 0;
	mode = data[0] % 7;
	n = 1 + ((data[1] | (data[2] << 8)) % MAXN);
	rest = (const char *) data + 3;
	restlen = size - 3;

	switch (mode)
	{
		case 0:
			(void) codec_int_decode(rest, restlen, ints, n, scratch);
			/* and its first values only */
			(void) codec_int_decode_prefix(rest, restlen, ints, n, 1 + data[1] % n, scratch);
			break;
		case 1:
		case 2:
			(void) codec_alp_decode(rest, restlen, dbls, n, mode == 2, scratch);
			(void) codec_alp_decode_prefix(rest, restlen, dbls, n, 1 + data[2] % n,
										   mode == 2, scratch);
			break;
		case 6:
			{
				static const char *ptrs[MAXN];
				static uint32 lens[MAXN];

				(void) codec_dict_decode(rest, restlen, n, ptrs, lens, scratch);
				(void) codec_dict_entries(rest, restlen, n, ptrs, lens);
				break;
			}
		case 3:
			{
				/* round trip of integers */
				size_t		m = Min(n, restlen / 8);
				size_t		len;

				if (m == 0)
					return 0;
				memcpy(ints, rest, m * 8);
				len = codec_int_encode(ints, m, enc, scratch);
				if (!codec_int_decode(enc, len, (int64 *) dbls, m, scratch) ||
					memcmp(ints, dbls, m * 8) != 0)
					abort();
				break;
			}
		case 4:
		case 5:
			{
				/* round trip of floats (mode 5: float4) */
				size_t		m = Min(n, restlen / 8);
				double		src[MAXN];
				size_t		len;

				if (m == 0)
					return 0;
				memcpy(src, rest, m * 8);
				if (mode == 5)
					for (size_t i = 0; i < m; i++)
						src[i] = (double) (float) src[i];
				len = codec_alp_encode(src, m, mode == 5, enc, scratch);
				if (len == 0)
					return 0;
				if (!codec_alp_decode(enc, len, dbls, m, mode == 5, scratch))
					abort();
				for (size_t i = 0; i < m; i++)
				{
					if (mode == 5)
					{
						float		a = (float) src[i];
						float		b = (float) dbls[i];

						if (memcmp(&a, &b, 4) != 0)
							abort();
					}
					else if (memcmp(&src[i], &dbls[i], 8) != 0)
						abort();
				}
				break;
			}
	}
	return 0;
}
