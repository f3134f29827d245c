/*-------------------------------------------------------------------------
 *
 * codec.h
 *	  General-purpose byte codecs for column vectors: lz4, zstd, byte
 *	  shuffling for fixed-width values, and checksums.
 *
 * This library knows nothing about the executor, relations or tuples; it
 * turns byte strings into byte strings, so it can be unit-tested and fuzzed
 * on its own.  Decoders never read or write outside the buffers they are
 * given and report malformed input by returning false.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_CODEC_H
#define TIMESERIES_CODEC_H

#include "c.h"

/* Codec ids are stored on disk: never renumber. */
typedef enum CodecId
{
	CODEC_NONE = 0,
	CODEC_LZ4 = 1,
	CODEC_ZSTD = 2
} CodecId;

#define CODEC_MAX_ID CODEC_ZSTD

/* Worst-case compressed size of srclen bytes for the codec. */
extern size_t codec_bound(int codec, size_t srclen);

/*
 * Compress src into dst (capacity dstcap, at least codec_bound()).  Returns
 * the compressed length, or 0 when the codec failed.
 */
extern size_t codec_compress(int codec, int level, const char *src,
							 size_t srclen, char *dst, size_t dstcap);

/*
 * Decompress exactly rawlen bytes into dst.  Returns false when the input is
 * malformed or does not decode to exactly rawlen bytes.
 */
extern bool codec_decompress(int codec, const char *src, size_t srclen,
							 char *dst, size_t rawlen);

/*
 * Byte shuffling groups the k-th byte of every value together, which makes
 * slowly changing fixed-width values far more compressible.
 */
extern void codec_shuffle(const char *src, char *dst, size_t nvalues, int width);
extern void codec_unshuffle(const char *src, char *dst, size_t nvalues, int width);

extern uint32 codec_checksum(const char *data, size_t len);

/*
 * Integer vectors (codec_int.c): the smallest of frame-of-reference,
 * delta, delta-of-delta bit-packing and run-length encoding.
 * codec_int_encode needs out of codec_int_bound(n) bytes and scratch of
 * 3 * n values; codec_int_decode needs scratch of 2 * n values and fails on
 * malformed input (never reading outside in[0 .. len)).  The _prefix
 * decoders check the whole block but produce only its first m values
 * (1 <= m <= n), into room for m.
 */
extern size_t codec_int_bound(size_t n);
extern size_t codec_int_encode(const int64 *values, size_t n, char *out,
							   uint64 *scratch);
extern bool codec_int_decode(const char *in, size_t len, int64 *values,
							 size_t n, uint64 *scratch);
extern bool codec_int_decode_prefix(const char *in, size_t len, int64 *values,
									size_t n, size_t m, uint64 *scratch);

/*
 * Floats (codec_float.c): ALP, decimal floats as integers scaled by a power
 * of ten, then the integer codec; values that do not round-trip are stored
 * as exceptions.  codec_alp_encode returns 0 when too many values are not
 * decimals (the caller then falls back to general-purpose compression).
 * Scratch: 4 * n values for encode, 2 * n for decode.
 */
extern size_t codec_alp_bound(size_t n);
extern size_t codec_alp_encode(const double *values, size_t n, bool single,
							   char *out, uint64 *scratch);
extern bool codec_alp_decode(const char *in, size_t len, double *values,
							 size_t n, bool single, uint64 *scratch);
extern bool codec_alp_decode_prefix(const char *in, size_t len, double *values,
									size_t n, size_t m, bool single,
									uint64 *scratch);

/*
 * Byte strings (codec_dict.c): a dictionary of the distinct values plus
 * integer-coded codes; 0 when there are more than max_distinct of them.
 * Decoding yields pointers into the encoded bytes; codec_dict_entries
 * yields the dictionary alone.  Scratch: codec_dict_scratch(n) values to
 * encode, 3 * n to decode.
 */
extern size_t codec_dict_bound(size_t n, size_t total_bytes);
extern size_t codec_dict_scratch(size_t n);
extern size_t codec_dict_encode(const char *const *ptrs, const uint32 *lens,
								size_t n, size_t max_distinct, char *out,
								uint64 *scratch);
extern bool codec_dict_decode(const char *in, size_t len, size_t n,
							  const char **ptrs, uint32 *lens, uint64 *scratch);
extern int	codec_dict_entries(const char *in, size_t len, size_t n,
							   const char **ptrs, uint32 *lens);

#endif							/* TIMESERIES_CODEC_H */
