/*-------------------------------------------------------------------------
 *
 * codec.c
 *	  General-purpose byte codecs for column vectors (see codec.h).
 *
 * Kept free of executor dependencies: only c.h types and the CRC-32C
 * implementation from libpgport are used.
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <lz4.h>
#include <zstd.h>

#include "port/pg_crc32c.h"

#include "codec.h"

static ZSTD_CCtx *zstd_cctx = NULL;
static ZSTD_DCtx *zstd_dctx = NULL;

size_t
codec_bound(int codec, size_t srclen)
{
	switch (codec)
	{
		case CODEC_LZ4:
			if (srclen > LZ4_MAX_INPUT_SIZE)
				return 0;
			return (size_t) LZ4_compressBound((int) srclen);
		case CODEC_ZSTD:
			return ZSTD_compressBound(srclen);
		default:
			return srclen;
	}
}

size_t
codec_compress(int codec, int level, const char *src, size_t srclen,
			   char *dst, size_t dstcap)
{
	switch (codec)
	{
		case CODEC_NONE:
			if (dstcap < srclen)
				return 0;
			memcpy(dst, src, srclen);
			return srclen;
		case CODEC_LZ4:
			{
				int			n;

				if (srclen > LZ4_MAX_INPUT_SIZE || dstcap > INT_MAX)
					return 0;
				n = LZ4_compress_fast(src, dst, (int) srclen, (int) dstcap,
									  level > 0 ? level : 1);
				return n > 0 ? (size_t) n : 0;
			}
		case CODEC_ZSTD:
			{
				size_t		n;

				if (zstd_cctx == NULL)
				{
					zstd_cctx = ZSTD_createCCtx();
					if (zstd_cctx == NULL)
						return 0;
				}
				n = ZSTD_compressCCtx(zstd_cctx, dst, dstcap, src, srclen, level);
				return ZSTD_isError(n) ? 0 : n;
			}
	}
	return 0;
}

bool
codec_decompress(int codec, const char *src, size_t srclen,
				 char *dst, size_t rawlen)
{
	switch (codec)
	{
		case CODEC_NONE:
			if (srclen != rawlen)
				return false;
			memcpy(dst, src, rawlen);
			return true;
		case CODEC_LZ4:
			{
				int			n;

				if (srclen > INT_MAX || rawlen > INT_MAX)
					return false;
				/* LZ4_decompress_safe never reads or writes out of bounds */
				n = LZ4_decompress_safe(src, dst, (int) srclen, (int) rawlen);
				return n >= 0 && (size_t) n == rawlen;
			}
		case CODEC_ZSTD:
			{
				size_t		n;

				if (zstd_dctx == NULL)
				{
					zstd_dctx = ZSTD_createDCtx();
					if (zstd_dctx == NULL)
						return false;
				}
				n = ZSTD_decompressDCtx(zstd_dctx, dst, rawlen, src, srclen);
				return !ZSTD_isError(n) && n == rawlen;
			}
	}
	return false;
}

void
codec_shuffle(const char *src, char *dst, size_t nvalues, int width)
{
	for (int b = 0; b < width; b++)
	{
		char	   *out = dst + (size_t) b * nvalues;
		const char *in = src + b;

		for (size_t i = 0; i < nvalues; i++)
			out[i] = in[i * width];
	}
}

void
codec_unshuffle(const char *src, char *dst, size_t nvalues, int width)
{
	for (int b = 0; b < width; b++)
	{
		const char *in = src + (size_t) b * nvalues;
		char	   *out = dst + b;

		for (size_t i = 0; i < nvalues; i++)
			out[i * width] = in[i];
	}
}

uint32
codec_checksum(const char *data, size_t len)
{
	pg_crc32c	crc;

	INIT_CRC32C(crc);
	COMP_CRC32C(crc, data, len);
	FIN_CRC32C(crc);
	return (uint32) crc;
}
