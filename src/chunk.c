/*-------------------------------------------------------------------------
 *
 * chunk.c
 *	  Encoding and decoding of chunks (format described in chunk.h).
 *
 * The encoder works on column arrays handed over by the write buffer; the
 * decoder works on one vector of one column at a time.  Every length and
 * offset read from a chunk is checked against the bytes that are really
 * there, and every encoded vector against its checksum, so corrupt or
 * truncated data ends in ERRCODE_DATA_CORRUPTED, never in a wild read.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/tupmacs.h"
#include "catalog/pg_type_d.h"
#include "miscadmin.h"
#include "port/pg_crc32c.h"
#include "utils/memutils.h"

#include "chunk.h"
#include "codec.h"
#include "summary.h"

/* Vectors smaller than this are not worth a compressor call. */
#define MIN_COMPRESS_BYTES 64

/* Largest chunk we write: it must fit a bytea and a single allocation. */
#define MAX_CHUNK_BYTES ((Size) MaxAllocSize - VARHDRSZ)

typedef struct ByteBuffer
{
	char	   *data;
	Size		len;
	Size		cap;
} ByteBuffer;

static void
buffer_reserve(ByteBuffer *buf, Size extra)
{
	Size		need = buf->len + extra;

	if (need <= buf->cap)
		return;
	if (need > MAX_CHUNK_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("timeseries chunk would exceed %zu bytes", MAX_CHUNK_BYTES),
				 errhint("Store fewer large values per row.")));
	while (buf->cap < need)
		buf->cap = Min(buf->cap * 2, MAX_CHUNK_BYTES);
	buf->data = repalloc_huge(buf->data, buf->cap);
}

static void
buffer_init(ByteBuffer *buf, Size cap)
{
	buf->cap = Max(cap, 1024);
	buf->data = palloc_extended(buf->cap, MCXT_ALLOC_HUGE);
	buf->len = 0;
}

static inline bool
shuffle_width(int16 attlen)
{
	return attlen == 2 || attlen == 4 || attlen == 8;
}

/* Bytes one non-NULL value takes in a decoded stream (payload only). */
static inline Size
value_payload_size(Form_pg_attribute att, Datum value)
{
	if (att->attlen > 0)
		return att->attlen;
	if (att->attlen == -1)
		return VARSIZE_ANY_EXHDR(DatumGetPointer(value));
	return strlen(DatumGetCString(value)) + 1;
}

/*
 * Build the decoded stream of one vector into raw (grown as needed).
 * Returns the stream length and sets *nnulls and *shuffled.
 */
/*
 * Pass-by-value widths that go through the type-aware codecs: 2, 4 and 8
 * bytes, and 1 (bool, "char"), which the integer codec packs into one bit
 * per value or runs.
 */
static inline bool
typed_width(Form_pg_attribute att)
{
	return att->attbyval && (att->attlen == 1 || shuffle_width(att->attlen));
}

static inline bool
is_float_type(Form_pg_attribute att)
{
	return att->atttypid == FLOAT8OID || att->atttypid == FLOAT4OID;
}

/*
 * Type-aware encoding of the non-NULL values of a 2/4/8-byte pass-by-value
 * column at p (room for the codec's bound must have been reserved): ALP for
 * floats, the integer codec for everything else (integers, dates,
 * timestamps; other types' bits are just integers to it, still exact).
 * Returns the encoded size and the vector flag, or 0.
 */
static Size
encode_typed(Form_pg_attribute att, Datum *values, bool *isnull, int n,
			 int nn, char *p, uint8 *flag)
{
	bool		is_float = is_float_type(att);
	uint64	   *tmp = palloc(sizeof(uint64) * 5 * (Size) nn);
	int			k = 0;
	Size		size;

	for (int i = 0; i < n; i++)
	{
		if (isnull[i])
			continue;
		if (is_float)
			((double *) tmp)[k++] = att->attlen == 8 ? DatumGetFloat8(values[i]) :
				(double) DatumGetFloat4(values[i]);
		else
			((int64 *) tmp)[k++] = att->attlen == 8 ? DatumGetInt64(values[i]) :
				att->attlen == 4 ? (int64) DatumGetInt32(values[i]) :
				att->attlen == 2 ? (int64) DatumGetInt16(values[i]) :
				(int64) (int8) DatumGetChar(values[i]);
	}
	if (is_float)
		size = codec_alp_encode((double *) tmp, nn, att->attlen == 4, p, tmp + nn);
	else
		size = codec_int_encode((int64 *) tmp, nn, p, tmp + nn);
	pfree(tmp);
	*flag = is_float ? CHUNK_VECTOR_ALP : CHUNK_VECTOR_INT;
	return size;
}

/*
 * Dictionary encoding of the non-NULL values of a variable-length column,
 * written after the bitmap in raw; kept when it takes at most three
 * quarters of the plain layout.  Returns its size, or 0.
 */
static Size
encode_dict(Datum *values, bool *isnull, int n, int nn, Size payload,
			Size bitmap_len, ByteBuffer *raw)
{
	const char **ptrs = palloc(sizeof(char *) * nn);
	uint32	   *lens = palloc(sizeof(uint32) * nn);
	uint64	   *scratch = palloc(sizeof(uint64) * codec_dict_scratch(nn));
	Size		plain = sizeof(uint32) * nn + payload;
	Size		size;
	int			k = 0;

	for (int i = 0; i < n; i++)
	{
		if (isnull[i])
			continue;
		ptrs[k] = VARDATA_ANY(DatumGetPointer(values[i]));
		lens[k] = VARSIZE_ANY_EXHDR(DatumGetPointer(values[i]));
		k++;
	}
	buffer_reserve(raw, bitmap_len + codec_dict_bound(nn, payload));
	size = codec_dict_encode(ptrs, lens, nn, nn / 2, raw->data + bitmap_len, scratch);
	pfree(ptrs);
	pfree(lens);
	pfree(scratch);
	return size > 0 && size <= plain * 3 / 4 ? size : 0;
}

static Size
build_vector_stream(Form_pg_attribute att, Datum *values, bool *isnull,
					int n, ByteBuffer *raw, ByteBuffer *scratch,
					uint32 *nnulls, uint8 *flags, Size *plain)
{
	int			nulls = 0;
	int			nn;
	Size		payload = 0;
	Size		bitmap_len;
	char	   *p;

	for (int i = 0; i < n; i++)
	{
		if (isnull[i])
			nulls++;
		else
			payload += value_payload_size(att, values[i]);
	}
	*nnulls = nulls;
	*flags = 0;
	nn = n - nulls;
	raw->len = 0;
	*plain = 0;
	if (nn == 0)
		return 0;

	bitmap_len = nulls > 0 ? (n + 7) / 8 : 0;
	*plain = bitmap_len + payload + (att->attlen < 0 ? sizeof(uint32) * nn : 0);
	buffer_reserve(raw, bitmap_len + (att->attlen < 0 ? sizeof(uint32) * nn : 0) + payload);
	p = raw->data;

	if (bitmap_len > 0)
	{
		memset(p, 0, bitmap_len);
		for (int i = 0; i < n; i++)
			if (!isnull[i])
				p[i >> 3] |= (1 << (i & 7));
		p += bitmap_len;
	}

	if (typed_width(att))
	{
		Size		bound = is_float_type(att) ? codec_alp_bound(nn) : codec_int_bound(nn);
		Size		size;
		uint8		flag;

		buffer_reserve(raw, bitmap_len + bound);
		p = raw->data + bitmap_len;
		size = encode_typed(att, values, isnull, n, nn, p, &flag);
		/* keep it unless it is poor; then byte shuffling and zstd/lz4 do better */
		if (size > 0 && size <= payload / 2)
		{
			*flags = flag;
			raw->len = bitmap_len + size;
			return raw->len;
		}
	}

	if (att->attlen == -1 && nn >= 8)
	{
		Size		size = encode_dict(values, isnull, n, nn, payload,
									   bitmap_len, raw);

		if (size > 0)
		{
			*flags = CHUNK_VECTOR_DICT;
			raw->len = bitmap_len + size;
			return raw->len;
		}
		p = raw->data + bitmap_len;
	}

	if (att->attlen > 0)
	{
		char	   *dst = p;
		bool		shuffle = shuffle_width(att->attlen) && nn > 1;

		if (shuffle)
		{
			buffer_reserve(scratch, payload);
			scratch->len = 0;
			dst = scratch->data;
		}
		for (int i = 0; i < n; i++)
		{
			if (isnull[i])
				continue;
			if (att->attbyval)
				store_att_byval(dst, values[i], att->attlen);
			else
				memcpy(dst, DatumGetPointer(values[i]), att->attlen);
			dst += att->attlen;
		}
		if (shuffle)
		{
			codec_shuffle(scratch->data, p, nn, att->attlen);
			*flags = CHUNK_VECTOR_SHUFFLED;
		}
		p += payload;
	}
	else
	{
		uint32	   *lens = (uint32 *) p;
		char	   *dst = p + sizeof(uint32) * nn;
		int			k = 0;

		for (int i = 0; i < n; i++)
		{
			Size		len;

			if (isnull[i])
				continue;
			len = value_payload_size(att, values[i]);
			lens[k++] = (uint32) len;
			if (att->attlen == -1)
				memcpy(dst, VARDATA_ANY(DatumGetPointer(values[i])), len);
			else
				memcpy(dst, DatumGetCString(values[i]), len);
			dst += len;
		}
		p = dst;
	}
	raw->len = p - raw->data;
	return raw->len;
}

/*
 * A column's directory: its checksum, the vector entries and, with ranges,
 * the type oid (and padding) and a (min, max) pair per vector.
 */
static inline Size
directory_length(uint32 nvectors, uint16 flags)
{
	Size		len = sizeof(uint32) + sizeof(ChunkVector) * (Size) nvectors;

	if (flags & CHUNK_COLUMN_RANGES)
		len += 2 * sizeof(uint32) + 2 * sizeof(int64) * (Size) nvectors;
	else if (flags & CHUNK_COLUMN_TEXT_RANGES)
		len += 2 * CHUNK_TEXT_PREFIX * (Size) nvectors;
	return len;
}

/*
 * A text range bound: a length byte and up to CHUNK_TEXT_PREFIX - 1 bytes.
 * A length of CHUNK_TEXT_PREFIX means the value was longer and is cut.
 */
static void
put_text_bound(char *out, const char *data, Size len)
{
	memset(out, 0, CHUNK_TEXT_PREFIX);
	if (len >= CHUNK_TEXT_PREFIX)
	{
		out[0] = (char) CHUNK_TEXT_PREFIX;
		memcpy(out + 1, data, CHUNK_TEXT_PREFIX - 1);
	}
	else
	{
		out[0] = (char) len;
		memcpy(out + 1, data, len);
	}
}

/* memcmp order of two byte strings (shorter first among equal prefixes) */
static inline int
bytes_cmp(const char *a, Size la, const char *b, Size lb)
{
	int			c = memcmp(a, b, Min(la, lb));

	if (c != 0)
		return c;
	return (la > lb) - (la < lb);
}

/* A vector with more runs of equal values than this is not a sorted segment. */
#define TEXT_RANGE_MAX_RUNS		64

/*
 * Per-vector (min, max) of a text or varchar column in bytewise order, as
 * bounds cut to CHUNK_TEXT_PREFIX bytes, or NULL when they would not prune:
 * a single vector, or fewer than half the vectors holding a few runs of
 * equal values over a part of the chunk's range (the values of many series
 * interleaved, or values that all differ).  Equality is byte equality for text
 * under deterministic collations, so these prune "col = value" whatever
 * the collation.
 */
static char *
text_ranges(Form_pg_attribute att, const Datum *values, const bool *isnull,
			int nrows, uint32 vector_rows, uint32 nvectors)
{
	const char **minp = palloc(sizeof(char *) * nvectors);
	const char **maxp = palloc(sizeof(char *) * nvectors);
	Size	   *minl = palloc(sizeof(Size) * nvectors);
	Size	   *maxl = palloc(sizeof(Size) * nvectors);
	bool	   *any = palloc0(sizeof(bool) * nvectors);
	const char *cmin = NULL;
	const char *cmax = NULL;
	Size		cminl = 0;
	Size		cmaxl = 0;
	uint32		narrow = 0;
	uint32		nvalued = 0;
	char	   *out;

	uint32	   *runs = palloc0(sizeof(uint32) * nvectors);

	if (nvectors < 2 || (att->atttypid != TEXTOID && att->atttypid != VARCHAROID))
		return NULL;
	for (uint32 v = 0; v < nvectors; v++)
	{
		int			start = v * vector_rows;
		int			n = Min(vector_rows, (uint32) (nrows - start));

		for (int i = start; i < start + n; i++)
		{
			const char *d;
			Size		l;

			if (isnull[i])
				continue;
			d = VARDATA_ANY(DatumGetPointer(values[i]));
			l = VARSIZE_ANY_EXHDR(DatumGetPointer(values[i]));
			if (!any[v] || values[i] != values[i - 1] || isnull[i - 1])
			{
				/* a new run, unless the previous row holds the same bytes */
				if (!any[v] || isnull[i - 1] ||
					bytes_cmp(d, l, VARDATA_ANY(DatumGetPointer(values[i - 1])),
							  VARSIZE_ANY_EXHDR(DatumGetPointer(values[i - 1]))) != 0)
					runs[v]++;
			}
			if (!any[v] || bytes_cmp(d, l, minp[v], minl[v]) < 0)
			{
				minp[v] = d;
				minl[v] = l;
			}
			if (!any[v] || bytes_cmp(d, l, maxp[v], maxl[v]) > 0)
			{
				maxp[v] = d;
				maxl[v] = l;
			}
			any[v] = true;
		}
		if (!any[v])
			continue;
		nvalued++;
		if (cmin == NULL || bytes_cmp(minp[v], minl[v], cmin, cminl) < 0)
		{
			cmin = minp[v];
			cminl = minl[v];
		}
		if (cmax == NULL || bytes_cmp(maxp[v], maxl[v], cmax, cmaxl) > 0)
		{
			cmax = maxp[v];
			cmaxl = maxl[v];
		}
	}
	for (uint32 v = 0; v < nvectors; v++)
		if (any[v] && runs[v] <= TEXT_RANGE_MAX_RUNS &&
			(bytes_cmp(minp[v], minl[v], cmin, cminl) != 0 ||
			 bytes_cmp(maxp[v], maxl[v], cmax, cmaxl) != 0))
			narrow++;
	if (nvalued == 0 || narrow * 2 < nvalued)
		return NULL;
	out = palloc0(2 * CHUNK_TEXT_PREFIX * (Size) nvectors);
	for (uint32 v = 0; v < nvectors; v++)
		if (any[v])
		{
			put_text_bound(out + 2 * CHUNK_TEXT_PREFIX * v, minp[v], minl[v]);
			put_text_bound(out + 2 * CHUNK_TEXT_PREFIX * v + CHUNK_TEXT_PREFIX,
						   maxp[v], maxl[v]);
		}
	return out;
}

/*
 * Per-vector (min, max) of a summarizable column (summary.c), or NULL when
 * they would not prune: a single vector, a constant column, or fewer than
 * half of the vectors spanning at most half the chunk's range (values of
 * many series interleaved, for instance).  A vector of NULLs gets (0, 0); its entry's
 * NULL count tells readers it has no values.
 */
static int64 *
vector_ranges(Form_pg_attribute att, const Datum *values, const bool *isnull,
			  int nrows, uint32 vector_rows, uint32 nvectors)
{
	int64	   *ranges;
	int64		cmin = 0;
	int64		cmax = 0;
	bool		cany = false;
	uint32		narrow = 0;
	double		chunk_width;
	uint32		nvalued = 0;

	if (nvectors < 2 || !summary_type_supported(att->atttypid))
		return NULL;
	if (!summary_range(att->atttypid, values, isnull, nrows, &cmin, &cmax))
		return NULL;
	chunk_width = summary_width(att->atttypid, cmin, cmax);
	if (!(chunk_width > 0) || isinf(chunk_width))
		return NULL;

	ranges = palloc0(2 * sizeof(int64) * nvectors);
	for (uint32 v = 0; v < nvectors; v++)
	{
		int			start = v * vector_rows;
		int			n = Min(vector_rows, (uint32) (nrows - start));

		if (summary_range(att->atttypid, values + start, isnull + start, n,
						  &ranges[2 * v], &ranges[2 * v + 1]))
		{
			if (summary_width(att->atttypid, ranges[2 * v], ranges[2 * v + 1]) <=
				0.5 * chunk_width)
				narrow++;
			nvalued++;
			cany = true;
		}
	}
	if (!cany || narrow * 2 < nvalued)
	{
		pfree(ranges);
		return NULL;
	}
	return ranges;
}

/*
 * The row-order column: for each stored position, the row's offset from the
 * chunk's first row id (see chunk.h), encoded as an int4 column.
 */
static FormData_pg_attribute row_order_att = {
	.atttypid = INT4OID,
	.attlen = sizeof(int32),
	.attnum = 0,
	.atttypmod = -1,
	.attbyval = true,
	.attalign = TYPALIGN_INT,
	.attstorage = TYPSTORAGE_PLAIN,
};

/*
 * Append column colidx (attribute att; values and isnull hold its rows) to
 * the chunk being built in out: its directory, ranges and vectors.
 */
static void
encode_column(ByteBuffer *out, ByteBuffer *rawbuf, ByteBuffer *scratchbuf,
			  Form_pg_attribute att, int colidx, uint16 extra_flags,
			  Datum *values, bool *isnull, int nrows, uint32 vector_rows,
			  uint32 nvectors, const ChunkEncodeOptions *opts, uint64 *total_raw)
{
	Size		col_start = MAXALIGN(out->len);
	int64	   *ranges = NULL;
	Size		entries_len;
	ChunkColumn *col;

	char	   *tranges = NULL;
	uint16		flags;

	if (!att->attisdropped)
		ranges = vector_ranges(att, values, isnull,
							   nrows, vector_rows, nvectors);
	if (!att->attisdropped && ranges == NULL)
		tranges = text_ranges(att, values, isnull, nrows, vector_rows, nvectors);
	flags = (ranges ? CHUNK_COLUMN_RANGES : 0) |
		(tranges ? CHUNK_COLUMN_TEXT_RANGES : 0) | extra_flags;
	entries_len = directory_length(nvectors, flags);
	buffer_reserve(out, col_start - out->len + entries_len);
	memset(out->data + out->len, 0, col_start - out->len + entries_len);
	out->len = col_start + entries_len;

	col = (ChunkColumn *) (out->data + sizeof(ChunkHeader)) + colidx;
	col->offset = (uint32) col_start;
	col->attlen = att->attlen;
	col->flags = flags;
	if (tranges)
	{
		memcpy(out->data + col_start + sizeof(uint32) + sizeof(ChunkVector) * nvectors,
			   tranges, 2 * CHUNK_TEXT_PREFIX * (Size) nvectors);
		pfree(tranges);
	}
	if (ranges)
	{
		char	   *r = out->data + col_start + sizeof(uint32) +
			sizeof(ChunkVector) * nvectors;
		uint32		typid = att->atttypid;

		memcpy(r, &typid, sizeof(uint32));
		memcpy(r + 2 * sizeof(uint32), ranges, 2 * sizeof(int64) * nvectors);
		pfree(ranges);
	}

	for (uint32 v = 0; v < nvectors; v++)
	{
		int			vstart = v * vector_rows;
		int			vn = Min(vector_rows, (uint32) (nrows - v * vector_rows));
		ChunkVector entry;
		Size		rawlen;
		Size		plain;
		uint8		vflags;

		CHECK_FOR_INTERRUPTS();

		memset(&entry, 0, sizeof(entry));
		if (att->attisdropped)
		{
			/* dropped columns are stored as all-NULL */
			rawlen = 0;
			entry.nnulls = vn;
			vflags = 0;
			plain = 0;
		}
		else
			rawlen = build_vector_stream(att, values + vstart,
										 isnull + vstart, vn,
										 rawbuf, scratchbuf,
										 &entry.nnulls, &vflags, &plain);
		*total_raw += plain;
		entry.offset = (uint32) (out->len - col_start);
		entry.raw_length = (uint32) rawlen;
		entry.flags = vflags;
		entry.codec = CODEC_NONE;

		if (rawlen >= MIN_COMPRESS_BYTES && opts->codec != CODEC_NONE)
		{
			Size		bound = codec_bound(opts->codec, rawlen);

			if (bound > 0)
			{
				Size		clen;

				buffer_reserve(out, bound);
				clen = codec_compress(opts->codec, opts->level, rawbuf->data, rawlen,
									  out->data + out->len, bound);
				/*
				 * Keep the compressed form only where it saves at
				 * least an eighth: decompressing costs more than the
				 * type-aware decoders, which already did most of the
				 * work.
				 */
				if (clen > 0 && clen <= rawlen - rawlen / 8)
				{
					entry.codec = opts->codec;
					entry.length = (uint32) clen;
				}
			}
		}
		if (entry.codec == CODEC_NONE)
		{
			buffer_reserve(out, rawlen);
			if (rawlen > 0)
				memcpy(out->data + out->len, rawbuf->data, rawlen);
			entry.length = (uint32) rawlen;
		}
		entry.crc = codec_checksum(out->data + out->len, entry.length);
		out->len += entry.length;
		memcpy(out->data + col_start + sizeof(uint32) + sizeof(ChunkVector) * v,
			   &entry, sizeof(ChunkVector));
	}
	{
		uint32		crc = codec_checksum(out->data + col_start + sizeof(uint32),
										 entries_len - sizeof(uint32));

		memcpy(out->data + col_start, &crc, sizeof(uint32));
	}
}

char *
chunk_encode(uint64 storage_id, int64 first_row,
			 TupleDesc tupdesc, int natts, Datum **values, bool **isnull,
			 int first, int nrows, const int32 *row_order,
			 const ChunkEncodeOptions *opts, Size *len, uint64 *raw_bytes)
{
	uint32		vector_rows = opts->vector_rows;
	uint32		nvectors = (nrows + vector_rows - 1) / vector_rows;
	ByteBuffer	out;
	ByteBuffer	raw;
	ByteBuffer	scratch;
	ChunkHeader *hdr;
	int			ncols = natts + (row_order ? 1 : 0);
	Size		dir_len = sizeof(ChunkColumn) * (ncols + 1);
	uint64		total_raw = 0;

	Assert(nrows > 0 && vector_rows > 0);

	buffer_init(&out, sizeof(ChunkHeader) + dir_len + 8192);
	buffer_init(&raw, 8192);
	buffer_init(&scratch, 8192);
	out.len = sizeof(ChunkHeader) + dir_len;

	for (int a = 0; a < natts; a++)
		encode_column(&out, &raw, &scratch, TupleDescAttr(tupdesc, a), a, 0,
					  values[a] + first, isnull[a] + first, nrows, vector_rows,
					  nvectors, opts, &total_raw);
	if (row_order)
	{
		Datum	   *ov = palloc(sizeof(Datum) * nrows);
		bool	   *on = palloc0(sizeof(bool) * nrows);

		for (int i = 0; i < nrows; i++)
			ov[i] = Int32GetDatum(row_order[i]);
		encode_column(&out, &raw, &scratch, &row_order_att, natts,
					  CHUNK_COLUMN_ROW_ORDER, ov, on, nrows, vector_rows,
					  nvectors, opts, &total_raw);
		pfree(ov);
		pfree(on);
	}

	/* end marker of the column directory, then the header */
	{
		ChunkColumn *end = (ChunkColumn *) (out.data + sizeof(ChunkHeader)) + ncols;

		end->offset = (uint32) out.len;
		end->attlen = 0;
		end->flags = 0;
	}
	hdr = (ChunkHeader *) out.data;
	hdr->magic = CHUNK_MAGIC;
	hdr->version = CHUNK_VERSION;
	hdr->natts = natts;
	hdr->storage_id = storage_id;
	hdr->first_row = first_row;
	hdr->nrows = nrows;
	hdr->vector_rows = vector_rows;
	hdr->nvectors = nvectors;
	hdr->crc = 0;
	hdr->crc = codec_checksum(out.data, sizeof(ChunkHeader) + dir_len);

	pfree(raw.data);
	pfree(scratch.data);
	*len = out.len;
	*raw_bytes = total_raw;
	return out.data;
}

/* NULL in a vector with a validity bitmap (bit set = value present)? */
static inline bool
row_is_null(const uint8 *bitmap, int i)
{
	return bitmap != NULL && !(bitmap[i >> 3] & (1 << (i & 7)));
}

static void
chunk_corrupted(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("timeseries chunk is corrupted: %s", what)));
}

static inline void
reader_load(ChunkReader *reader, Size offset, Size len)
{
	if (reader->load != NULL && len > 0)
		reader->load(reader->load_arg, offset, len);
}

void
chunk_open(ChunkReader *reader, const char *data, Size len)
{
	chunk_open_lazy(reader, data, len, NULL, NULL);
}

void
chunk_open_lazy(ChunkReader *reader, const char *data, Size len,
				ChunkLoadFn load, void *load_arg)
{
	ChunkHeader hdr;
	uint32		crc;
	Size		dir_len;
	const ChunkColumn *cols;
	int			ncols;

	reader->load = load;
	reader->load_arg = load_arg;
	if (len < sizeof(ChunkHeader))
		chunk_corrupted("truncated header");
	reader_load(reader, 0, sizeof(ChunkHeader));
	memcpy(&hdr, data, sizeof(ChunkHeader));
	if (hdr.magic != CHUNK_MAGIC)
		chunk_corrupted("bad magic number");
	if (hdr.version < 3 || hdr.version > CHUNK_VERSION)
		chunk_corrupted("unknown format version");
	if (hdr.natts > MaxHeapAttributeNumber || hdr.vector_rows == 0 ||
		hdr.vector_rows > CHUNK_MAX_VECTOR_ROWS ||
		hdr.nrows == 0 ||
		hdr.nvectors != ((uint64) hdr.nrows + hdr.vector_rows - 1) / hdr.vector_rows)
		chunk_corrupted("inconsistent header");
	dir_len = sizeof(ChunkColumn) * (hdr.natts + 1);
	if (len < sizeof(ChunkHeader) + dir_len)
		chunk_corrupted("truncated column directory");
	reader_load(reader, sizeof(ChunkHeader), dir_len);

	/* format 5: a row-order column may follow the table's columns */
	reader->row_order = false;
	if (hdr.version >= 5)
	{
		ChunkColumn extra;

		memcpy(&extra, data + sizeof(ChunkHeader) + sizeof(ChunkColumn) * hdr.natts,
			   sizeof(ChunkColumn));
		if (extra.flags & CHUNK_COLUMN_ROW_ORDER)
		{
			reader->row_order = true;
			dir_len += sizeof(ChunkColumn);
			if (len < sizeof(ChunkHeader) + dir_len)
				chunk_corrupted("truncated column directory");
			reader_load(reader, sizeof(ChunkHeader), dir_len);
		}
	}

	/* the checksum was computed with its own field zeroed */
	{
		ChunkHeader tmp = hdr;
		pg_crc32c	c;

		tmp.crc = 0;
		INIT_CRC32C(c);
		COMP_CRC32C(c, &tmp, sizeof(ChunkHeader));
		COMP_CRC32C(c, data + sizeof(ChunkHeader), dir_len);
		FIN_CRC32C(c);
		crc = (uint32) c;
	}
	if (crc != hdr.crc)
		chunk_corrupted("header checksum mismatch");

	cols = (const ChunkColumn *) (data + sizeof(ChunkHeader));
	ncols = hdr.natts + (reader->row_order ? 1 : 0);
	if (cols[ncols].offset != len || cols[ncols].flags != 0)
		chunk_corrupted("length does not match column directory");
	for (int a = 0; a < ncols; a++)
	{
		Size		entries_len;
		uint16		allowed = a < hdr.natts ?
			CHUNK_COLUMN_RANGES | (hdr.version >= 5 ? CHUNK_COLUMN_TEXT_RANGES : 0) :
			CHUNK_COLUMN_RANGES | CHUNK_COLUMN_ROW_ORDER;

		if ((cols[a].flags & ~allowed) != 0 ||
			(hdr.version < 4 && cols[a].flags != 0) ||
			(a == hdr.natts && cols[a].attlen != sizeof(int32)))
			chunk_corrupted("unknown column flags");
		if ((cols[a].flags & CHUNK_COLUMN_RANGES) &&
			(cols[a].flags & CHUNK_COLUMN_TEXT_RANGES))
			chunk_corrupted("unknown column flags");
		entries_len = directory_length(hdr.nvectors, cols[a].flags);
		if (cols[a].offset < sizeof(ChunkHeader) + dir_len ||
			cols[a].offset > cols[a + 1].offset ||
			cols[a + 1].offset - cols[a].offset < entries_len)
			chunk_corrupted("bad column directory");
	}

	reader->data = data;
	reader->len = len;
	reader->natts = hdr.natts;
	reader->storage_id = hdr.storage_id;
	reader->first_row = hdr.first_row;
	reader->nrows = hdr.nrows;
	reader->row_span = hdr.nrows;
	reader->vector_rows = hdr.vector_rows;
	reader->nvectors = hdr.nvectors;
	reader->columns = cols;
	reader->dir_checked = palloc0(sizeof(bool) * (ncols + 1));
	reader->vec_checked = palloc0((Size) (ncols + 1) * ((hdr.nvectors + 7) / 8));
	reader->crc = hdr.crc;
	/*
	 * The decoders' work space, 5 values a row (the integer and ALP decoders
	 * take 3, the dictionary decoder 3 plus its pointers and lengths):
	 * allocated once here instead of for every vector.  Copies of the reader
	 * share it.
	 */
	reader->scratch = MemoryContextAllocHuge(CurrentMemoryContext,
											 sizeof(uint64) * 5 *
											 Max(reader->vector_rows, 1));
}

int
chunk_vector_nrows(const ChunkReader *reader, uint32 vector)
{
	Assert(vector < reader->nvectors);
	return Min(reader->vector_rows, reader->nrows - vector * reader->vector_rows);
}

/* Load and verify a column's directory, once per reader. */
static void
check_directory(ChunkReader *reader, int attidx)
{
	const char *col = reader->data + reader->columns[attidx].offset;
	Size		len = directory_length(reader->nvectors, reader->columns[attidx].flags);
	uint32		crc;

	if (reader->dir_checked[attidx])
		return;
	reader_load(reader, reader->columns[attidx].offset, len);
	memcpy(&crc, col, sizeof(uint32));
	if (codec_checksum(col + sizeof(uint32), len - sizeof(uint32)) != crc)
		chunk_corrupted("vector directory checksum mismatch");
	reader->dir_checked[attidx] = true;
}

/*
 * The directory entry of one vector of a column, its directory's checksum
 * verified first and its NULL count checked against the vector's rows.
 */
static ChunkVector
vector_entry(ChunkReader *reader, int attidx, uint32 vector)
{
	const char *col = reader->data + reader->columns[attidx].offset;
	ChunkVector entry;

	check_directory(reader, attidx);
	memcpy(&entry, col + sizeof(uint32) + sizeof(ChunkVector) * vector,
		   sizeof(ChunkVector));
	if (entry.nnulls > (uint32) chunk_vector_nrows(reader, vector))
		chunk_corrupted("bad vector directory entry");
	return entry;
}

bool
chunk_vector_range(ChunkReader *reader, int attidx, Oid typid, uint32 vector,
				   bool *has_values, bool *has_nulls, int64 *min, int64 *max)
{
	const char *col;
	const char *r;
	ChunkVector entry;
	uint32		stored_typid;
	int			n;

	if (attidx >= reader->natts ||
		!(reader->columns[attidx].flags & CHUNK_COLUMN_RANGES))
		return false;
	Assert(vector < reader->nvectors);
	entry = vector_entry(reader, attidx, vector);
	col = reader->data + reader->columns[attidx].offset;
	r = col + sizeof(uint32) + sizeof(ChunkVector) * (Size) reader->nvectors;
	memcpy(&stored_typid, r, sizeof(uint32));
	if (stored_typid != typid)
		return false;
	n = chunk_vector_nrows(reader, vector);
	*has_values = entry.nnulls < (uint32) n;
	*has_nulls = entry.nnulls > 0;
	r += 2 * sizeof(uint32) + 2 * sizeof(int64) * (Size) vector;
	memcpy(min, r, sizeof(int64));
	memcpy(max, r + sizeof(int64), sizeof(int64));
	return true;
}

bool
chunk_vector_text_range(ChunkReader *reader, int attidx, uint32 vector,
						bool *has_values, ChunkTextBound *min, ChunkTextBound *max)
{
	const char *col;
	const char *r;
	ChunkVector entry;
	int			n;

	if (attidx >= reader->natts ||
		!(reader->columns[attidx].flags & CHUNK_COLUMN_TEXT_RANGES))
		return false;
	Assert(vector < reader->nvectors);
	entry = vector_entry(reader, attidx, vector);
	col = reader->data + reader->columns[attidx].offset;
	n = chunk_vector_nrows(reader, vector);
	*has_values = entry.nnulls < (uint32) n;
	r = col + sizeof(uint32) + sizeof(ChunkVector) * (Size) reader->nvectors +
		2 * CHUNK_TEXT_PREFIX * (Size) vector;
	for (int b = 0; b < 2; b++)
	{
		ChunkTextBound *out = b == 0 ? min : max;
		uint8		len = (uint8) r[b * CHUNK_TEXT_PREFIX];

		if (len > CHUNK_TEXT_PREFIX)
			chunk_corrupted("bad text range");
		out->cut = len == CHUNK_TEXT_PREFIX;
		out->len = out->cut ? CHUNK_TEXT_PREFIX - 1 : len;
		memcpy(out->data, r + b * CHUNK_TEXT_PREFIX + 1, out->len);
	}
	return true;
}

static int	decode_column(ChunkReader *reader, Form_pg_attribute att, int attidx,
						  uint32 vector, int upto, Datum *values, bool *isnull,
						  int32 *codes);

int
chunk_decode_vector(ChunkReader *reader, TupleDesc tupdesc, int attidx,
					uint32 vector, Datum *values, bool *isnull, int32 *codes)
{
	return chunk_decode_vector_prefix(reader, tupdesc, attidx, vector,
									  chunk_vector_nrows(reader, vector),
									  values, isnull, codes);
}

int
chunk_decode_vector_prefix(ChunkReader *reader, TupleDesc tupdesc, int attidx,
						   uint32 vector, int upto, Datum *values, bool *isnull,
						   int32 *codes)
{
	Form_pg_attribute att = TupleDescAttr(tupdesc, attidx);

	if (attidx >= reader->natts || att->attisdropped)
	{
		/* column added after the chunk was written, or dropped */
		int			n = chunk_vector_nrows(reader, vector);
		bool		missing_null = true;
		Datum		missing = (Datum) 0;

		if (!att->attisdropped)
			missing = getmissingattr(tupdesc, attidx + 1, &missing_null);
		for (int i = 0; i < n; i++)
		{
			values[i] = missing;
			isnull[i] = missing_null;
		}
		return -1;
	}
	return decode_column(reader, att, attidx, vector, upto, values, isnull, codes);
}

uint32
chunk_row_order_checksum(ChunkReader *reader)
{
	uint32		crc;

	Assert(reader->row_order);
	check_directory(reader, reader->natts);
	memcpy(&crc, reader->data + reader->columns[reader->natts].offset, sizeof(uint32));
	return crc;
}

void
chunk_decode_row_order(ChunkReader *reader, uint32 vector, int32 *offsets)
{
	int			n = chunk_vector_nrows(reader, vector);

	if (!reader->row_order)
	{
		for (int i = 0; i < n; i++)
			offsets[i] = (int32) (vector * reader->vector_rows) + i;
		return;
	}
	else
	{
		Datum	   *values = palloc(sizeof(Datum) * n);
		bool	   *isnull = palloc(sizeof(bool) * n);

		decode_column(reader, &row_order_att, reader->natts, vector, n, values,
					  isnull, NULL);
		for (int i = 0; i < n; i++)
		{
			int32		o = DatumGetInt32(values[i]);

			if (isnull[i] || o < 0 || (uint32) o >= reader->row_span)
				chunk_corrupted("row order out of range");
			offsets[i] = o;
		}
		pfree(values);
		pfree(isnull);
	}
}

/*
 * The checked, decompressed stream of one vector of column attidx, stored
 * as att: sets *entry, *bitmap (the validity bitmap, NULL when the vector
 * has no NULL) and the encoded non-NULL values in [*p, *end).  Returns the
 * number of non-NULL values; 0 (and nothing else set) for an all-NULL
 * vector.  A compressed stream is decompressed into the current memory
 * context; an uncompressed one is read in place.
 */
static int
vector_stream(ChunkReader *reader, Form_pg_attribute att, int attidx,
			  uint32 vector, ChunkVector *entry, const uint8 **bitmap,
			  const char **p, const char **end)
{
	int			n = chunk_vector_nrows(reader, vector);
	const char *col;
	Size		col_len;
	char	   *raw;
	int			nn;

	col = reader->data + reader->columns[attidx].offset;
	col_len = reader->columns[attidx + 1].offset - reader->columns[attidx].offset;
	if (reader->columns[attidx].attlen != att->attlen)
		chunk_corrupted("column width does not match the table definition");

	*entry = vector_entry(reader, attidx, vector);
	if (entry->offset > col_len || entry->length > col_len - entry->offset ||
		entry->codec > CODEC_MAX_ID)
		chunk_corrupted("bad vector directory entry");
	reader_load(reader, reader->columns[attidx].offset + entry->offset, entry->length);
	{
		/* the bytes in memory do not change: once per vector and reader */
		uint8	   *checked = reader->vec_checked +
			(Size) attidx * ((reader->nvectors + 7) / 8) + vector / 8;

		if (!(*checked & (1 << (vector % 8))))
		{
			if (codec_checksum(col + entry->offset, entry->length) != entry->crc)
				chunk_corrupted("vector checksum mismatch");
			*checked |= 1 << (vector % 8);
		}
	}

	*bitmap = NULL;
	nn = n - entry->nnulls;
	if (nn == 0)
	{
		if (entry->raw_length != 0)
			chunk_corrupted("all-NULL vector has data");
		return 0;
	}

	/* an uncompressed stream is read where it is */
	if (entry->codec == CODEC_NONE)
	{
		if (entry->raw_length != entry->length)
			chunk_corrupted("vector does not decompress");
		*p = col + entry->offset;
	}
	else
	{
		raw = palloc_extended(Max(entry->raw_length, 1), MCXT_ALLOC_HUGE);
		if (!codec_decompress(entry->codec, col + entry->offset, entry->length,
							  raw, entry->raw_length))
			chunk_corrupted("vector does not decompress");
		*p = raw;
	}
	*end = *p + entry->raw_length;
	if (entry->nnulls > 0)
	{
		Size		bitmap_len = (n + 7) / 8;
		int			count = 0;

		if ((Size) (*end - *p) < bitmap_len)
			chunk_corrupted("truncated validity bitmap");
		*bitmap = (const uint8 *) *p;
		for (int i = 0; i < n; i++)
			if ((*bitmap)[i >> 3] & (1 << (i & 7)))
				count++;
		if (count != nn)
			chunk_corrupted("validity bitmap does not match NULL count");
		*p += bitmap_len;
	}
	return nn;
}

/*
 * The dictionary of one vector of variable-length column attidx: its
 * distinct values, without decoding the rows' codes: pointers into the
 * chunk (or into the stream decompressed in the current memory context) and
 * lengths, in the reader's scratch, valid until it decodes again.  Returns
 * the number of entries (0 for an all-NULL vector), or -1 when the vector
 * is not dictionary-encoded; *has_nulls says whether some row is NULL.
 */
int
chunk_vector_dictionary(ChunkReader *reader, TupleDesc tupdesc, int attidx,
						uint32 vector, const char ***ptrs, uint32 **lens,
						bool *has_nulls)
{
	Form_pg_attribute att = TupleDescAttr(tupdesc, attidx);
	ChunkVector entry;
	const uint8 *bitmap;
	const char *p;
	const char *end;
	int			nn;
	int			ndict;

	if (attidx >= reader->natts || att->attisdropped || att->attlen != -1)
		return -1;
	nn = vector_stream(reader, att, attidx, vector, &entry, &bitmap, &p, &end);
	*has_nulls = entry.nnulls > 0;
	if (nn == 0)
		return 0;
	if (!(entry.flags & CHUNK_VECTOR_DICT))
		return -1;
	if (entry.flags & ~CHUNK_VECTOR_DICT)
		chunk_corrupted("vector encoding does not fit the column type");
	/* in the reader's scratch: no allocation when the stream is read in place */
	*ptrs = (const char **) reader->scratch;
	*lens = (uint32 *) (reader->scratch + nn);
	ndict = codec_dict_entries(p, end - p, nn, *ptrs, *lens);
	if (ndict < 0)
		chunk_corrupted("malformed dictionary vector");
	return ndict;
}

/*
 * Decode the first upto rows of one vector of column attidx of the chunk,
 * stored as att; the vector's other rows read as NULL.  (The whole vector is
 * checked either way.)
 */
static int
decode_column(ChunkReader *reader, Form_pg_attribute att, int attidx,
			  uint32 vector, int upto, Datum *values, bool *isnull, int32 *codes)
{
	int			vn = chunk_vector_nrows(reader, vector);
	int			n = Min(upto, vn);	/* the rows decoded */
	ChunkVector entry;
	const char *p = NULL;
	const char *end = NULL;
	const uint8 *bitmap;
	int			nn;				/* the vector's non-NULL values */
	int			m;				/* those among the rows decoded */
	int			ndict = -1;

	Assert(n > 0);
	nn = vector_stream(reader, att, attidx, vector, &entry, &bitmap, &p, &end);
	{
		int			from = nn == 0 ? 0 : n;

		memset(values + from, 0, sizeof(Datum) * (vn - from));
		memset(isnull + from, true, sizeof(bool) * (vn - from));
	}
	if (nn == 0)
		return -1;
	/*
	 * NULLs from the bitmap; each layout below fills in the other positions
	 * (the integer and ALP layouts all of them when there is no NULL).
	 */
	m = 0;
	if (bitmap == NULL)
	{
		memset(isnull, false, sizeof(bool) * n);
		m = n;
	}
	else
		for (int i = 0; i < n; i++)
			m += !(isnull[i] = row_is_null(bitmap, i));
	if (bitmap != NULL || !(entry.flags & (CHUNK_VECTOR_INT | CHUNK_VECTOR_ALP)))
		memset(values, 0, sizeof(Datum) * n);

	if (entry.flags & (CHUNK_VECTOR_INT | CHUNK_VECTOR_ALP))
	{
		bool		alp = (entry.flags & CHUNK_VECTOR_ALP) != 0;
		bool		direct;
		uint64	   *tmp;
		int			k = 0;

		if (!typed_width(att) ||
			(entry.flags & CHUNK_VECTOR_SHUFFLED) ||
			(alp && !is_float_type(att)) || (alp && (entry.flags & CHUNK_VECTOR_INT)))
			chunk_corrupted("vector encoding does not fit the column type");
		/*
		 * 8-byte values without NULLs are decoded straight into values[]
		 * (a Datum holds an int64's or a float8's bits), the rest through
		 * the reader's scratch.
		 */
		direct = bitmap == NULL && att->attlen == 8 && FLOAT8PASSBYVAL;
		tmp = direct ? (uint64 *) values : reader->scratch;
		if (m > 0 &&
			(alp ? !codec_alp_decode_prefix(p, end - p, (double *) tmp, nn, m,
											att->attlen == 4, reader->scratch + nn) :
			 !codec_int_decode_prefix(p, end - p, (int64 *) tmp, nn, m,
									  reader->scratch + nn)))
			chunk_corrupted("malformed encoded vector");
		if (direct)
			k = n;
		else if (bitmap == NULL)
		{
			/* no NULLs: one tight loop per width */
			Assert(m == n);
			if (alp && att->attlen == 8)
				for (int i = 0; i < n; i++)
					values[i] = Float8GetDatum(((double *) tmp)[i]);
			else if (alp)
				for (int i = 0; i < n; i++)
					values[i] = Float4GetDatum((float4) ((double *) tmp)[i]);
			else if (att->attlen == 8)
				memcpy(values, tmp, sizeof(Datum) * n);
			else if (att->attlen == 4)
				for (int i = 0; i < n; i++)
					values[i] = Int32GetDatum((int32) ((int64 *) tmp)[i]);
			else if (att->attlen == 2)
				for (int i = 0; i < n; i++)
					values[i] = Int16GetDatum((int16) ((int64 *) tmp)[i]);
			else
				for (int i = 0; i < n; i++)
					values[i] = CharGetDatum((char) ((int64 *) tmp)[i]);
			k = n;
		}
		for (int i = k; i < n; i++)
		{
			if (isnull[i])
				continue;
			if (alp)
				values[i] = att->attlen == 8 ? Float8GetDatum(((double *) tmp)[k]) :
					Float4GetDatum((float4) ((double *) tmp)[k]);
			else
			{
				int64		v = ((int64 *) tmp)[k];

				values[i] = att->attlen == 8 ? Int64GetDatum(v) :
					att->attlen == 4 ? Int32GetDatum((int32) v) :
					att->attlen == 2 ? Int16GetDatum((int16) v) :
					CharGetDatum((char) v);
			}
			k++;
		}
	}
	else if (entry.flags & CHUNK_VECTOR_DICT)
	{
		const char **ptrs;
		uint32	   *lens;
		uint64	   *tmp;
		Datum	   *entries;
		Size		alloc = 0;
		char	   *store;
		int			k = 0;

		if (att->attlen != -1 || (entry.flags & ~CHUNK_VECTOR_DICT))
			chunk_corrupted("vector encoding does not fit the column type");
		tmp = reader->scratch;
		ptrs = (const char **) (tmp + 3 * (Size) nn);
		lens = (uint32 *) (tmp + 4 * (Size) nn);
		if (!codec_dict_decode(p, end - p, nn, ptrs, lens, tmp))
			chunk_corrupted("malformed dictionary vector");
		for (int j = 0; j < nn; j++)
		{
			if (lens[j] > MaxAllocSize - VARHDRSZ)
				chunk_corrupted("value length out of range");
			alloc += INTALIGN(lens[j] + VARHDRSZ);
		}
		store = palloc_extended(Max(alloc, 1), MCXT_ALLOC_HUGE);

		/*
		 * One copy per dictionary entry, shared by the rows that hold it
		 * (the decoder leaves each value's code in tmp).
		 */
		entries = palloc0(sizeof(Datum) * nn);
		for (int i = 0; i < n; i++)
		{
			int64		code;

			if (isnull[i])
				continue;
			code = ((int64 *) tmp)[k];
			if (entries[code] == (Datum) 0)
			{
				SET_VARSIZE(store, lens[k] + VARHDRSZ);
				memcpy(VARDATA(store), ptrs[k], lens[k]);
				entries[code] = PointerGetDatum(store);
				store += INTALIGN(lens[k] + VARHDRSZ);
			}
			values[i] = entries[code];
			if (codes)
			{
				codes[i] = (int32) code;
				ndict = Max(ndict, (int) code + 1);
			}
			k++;
		}
		if (codes)
			for (int i = 0; i < vn; i++)
				if (isnull[i])
					codes[i] = -1;
		pfree(entries);
	}
	else if (att->attlen > 0)
	{
		Size		payload = (Size) nn * att->attlen;
		const char *src = p;
		char	   *fixed_store = NULL;
		Size		stride = att->attbyval ? att->attlen :
			att_align_nominal(att->attlen, att->attalign);
		int			k = 0;

		if ((Size) (end - p) != payload)
			chunk_corrupted("fixed-width vector has the wrong length");
		if (entry.flags & CHUNK_VECTOR_SHUFFLED)
		{
			char	   *tmp;

			if (!shuffle_width(att->attlen))
				chunk_corrupted("shuffled vector of unexpected width");
			tmp = palloc_extended(payload, MCXT_ALLOC_HUGE);
			codec_unshuffle(p, tmp, nn, att->attlen);
			src = tmp;
		}
		if (!att->attbyval)
			fixed_store = palloc_extended(stride * nn, MCXT_ALLOC_HUGE);
		for (int i = 0; i < n; i++)
		{
			if (isnull[i])
				continue;
			if (att->attbyval)
			{
				switch (att->attlen)
				{
					case 1:
						values[i] = CharGetDatum(src[k]);
						break;
					case 2:
						{
							int16		v;

							memcpy(&v, src + (Size) k * 2, 2);
							values[i] = Int16GetDatum(v);
							break;
						}
					case 4:
						{
							int32		v;

							memcpy(&v, src + (Size) k * 4, 4);
							values[i] = Int32GetDatum(v);
							break;
						}
					case 8:
						{
							int64		v;

							memcpy(&v, src + (Size) k * 8, 8);
							values[i] = Int64GetDatum(v);
							break;
						}
					default:
						chunk_corrupted("unsupported pass-by-value width");
				}
			}
			else
			{
				char	   *dst = fixed_store + stride * k;

				memcpy(dst, src + (Size) k * att->attlen, att->attlen);
				values[i] = PointerGetDatum(dst);
			}
			k++;
		}
	}
	else
	{
		const char *lens_p = p;
		const char *payload;
		Size		total = 0;
		Size		alloc = 0;
		char	   *store;
		int			k = 0;

		if ((Size) (end - p) < sizeof(uint32) * (Size) nn)
			chunk_corrupted("truncated length array");
		payload = p + sizeof(uint32) * (Size) nn;
		for (int j = 0; j < nn; j++)
		{
			uint32		len;

			memcpy(&len, lens_p + sizeof(uint32) * j, sizeof(uint32));
			if (len > (Size) (end - payload) || (att->attlen == -1 && len > MaxAllocSize - VARHDRSZ))
				chunk_corrupted("value length out of range");
			total += len;
			if (total > (Size) (end - payload))
				chunk_corrupted("value lengths exceed the vector");
			alloc += INTALIGN(len + VARHDRSZ);
		}
		if (total != (Size) (end - payload))
			chunk_corrupted("variable-width vector has the wrong length");

		store = palloc_extended(Max(alloc, 1), MCXT_ALLOC_HUGE);
		for (int i = 0; i < n; i++)
		{
			uint32		len;

			if (isnull[i])
				continue;
			memcpy(&len, lens_p + sizeof(uint32) * k, sizeof(uint32));
			if (att->attlen == -1)
			{
				SET_VARSIZE(store, len + VARHDRSZ);
				memcpy(VARDATA(store), payload, len);
			}
			else
			{
				/* cstring: stored with its terminator */
				if (len == 0 || payload[len - 1] != '\0')
					chunk_corrupted("unterminated cstring");
				memcpy(store, payload, len);
			}
			values[i] = PointerGetDatum(store);
			store += INTALIGN(len + VARHDRSZ);
			payload += len;
			k++;
		}
	}
	return ndict;
}
