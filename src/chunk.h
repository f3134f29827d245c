/*-------------------------------------------------------------------------
 *
 * chunk.h
 *	  The on-disk format of a chunk: rows stored column by column, each
 *	  column cut into vectors that are encoded and checksummed separately.
 *
 * Layout (all integers little-endian as the host writes them):
 *
 *	ChunkHeader
 *	ChunkColumn[natts + 1]			column directory; the extra entry marks
 *									the end of the last column
 *	per column:
 *		uint32 crc of the vector directory (and ranges)
 *		ChunkVector[nvectors]		vector directory
 *		with CHUNK_COLUMN_RANGES:	uint32 type oid, uint32 zero, then
 *									(int64 min, int64 max)[nvectors] as
 *									stored by summary.c, for pruning vectors
 *		with CHUNK_COLUMN_TEXT_RANGES (variable-length columns, format 5):
 *									(min, max)[nvectors] in bytewise order,
 *									each CHUNK_TEXT_PREFIX bytes: a length,
 *									then the value's first bytes (a length
 *									of CHUNK_TEXT_PREFIX: cut, longer)
 *		encoded vectors
 *	with format 5, optionally the row-order column (CHUNK_COLUMN_ROW_ORDER in
 *	its directory entry, after the table's columns): an int4 column giving,
 *	for each stored position, the row's offset from first_row.  Rows are
 *	then stored sorted (by the table's segment_by and order_by options)
 *	while keeping the row ids (ctids) they were given when inserted.
 *
 * A vector's decoded stream is: a validity bitmap (only when the vector has
 * both NULLs and non-NULLs), then the non-NULL values: for 1/2/4/8-byte
 * pass-by-value types a block of the integer codec (CHUNK_VECTOR_INT) or,
 * for floats, of ALP (CHUNK_VECTOR_ALP) when that is at most half their
 * size; otherwise fixed-width values back to back (byte-shuffled when
 * CHUNK_VECTOR_SHUFFLED); for variable-length types a dictionary
 * (CHUNK_VECTOR_DICT) when that takes at most three quarters of the plain
 * layout, otherwise a uint32 length per value followed by the payloads.  The stream is then compressed with the
 * vector's general-purpose codec when that saves at least an eighth.
 *
 * The chunk is self-describing, so readers need nothing but its bytes and
 * the relation's tuple descriptor; decoding reads only the vectors asked for,
 * which lets ANALYZE and row fetches by ctid touch a small part of a chunk.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_CHUNK_H
#define TIMESERIES_CHUNK_H

#include "access/tupdesc.h"

#define CHUNK_MAGIC		0x54534331	/* "TSC1" */
#define CHUNK_VERSION	5	/* 5 added the row order, 4 vector ranges; 3 and 4 are still read */
#define CHUNK_MAX_VECTOR_ROWS	65536	/* timeseries.vector_rows' maximum */

typedef struct ChunkHeader
{
	uint32		magic;
	uint16		version;
	uint16		natts;
	uint64		storage_id;		/* whose chunk this is: readers check both, */
	int64		first_row;		/* so a misdirected extent is detected */
	uint32		nrows;
	uint32		vector_rows;
	uint32		nvectors;
	uint32		crc;			/* of header (crc = 0) and column directory */
} ChunkHeader;

typedef struct ChunkColumn
{
	uint32		offset;			/* start of the column's area in the chunk */
	int16		attlen;			/* attlen when written, checked on read */
	uint16		flags;
} ChunkColumn;

#define CHUNK_COLUMN_RANGES		0x01	/* per-vector min/max follow the directory */
#define CHUNK_COLUMN_ROW_ORDER	0x02	/* the row-order column (format 5) */
#define CHUNK_COLUMN_TEXT_RANGES 0x04	/* per-vector bytewise min/max prefixes (format 5) */

/* Bytes of a text range bound: a length byte, then the value's first bytes. */
#define CHUNK_TEXT_PREFIX		16

#define CHUNK_VECTOR_SHUFFLED	0x01	/* fixed-width values byte-shuffled */
#define CHUNK_VECTOR_INT		0x02	/* values in the integer codec */
#define CHUNK_VECTOR_ALP		0x04	/* values in the ALP float codec */
#define CHUNK_VECTOR_DICT		0x08	/* variable-width values in a dictionary */

typedef struct ChunkVector
{
	uint32		offset;			/* start of encoded bytes, from column start */
	uint32		length;			/* encoded length */
	uint32		raw_length;		/* decoded stream length */
	uint32		crc;			/* of the encoded bytes */
	uint32		nnulls;
	uint8		codec;
	uint8		flags;
	uint16		unused;
} ChunkVector;

/* Settings of the chunk writer. */
typedef struct ChunkEncodeOptions
{
	int			codec;
	int			level;
	int			vector_rows;
} ChunkEncodeOptions;

/*
 * Encode rows [first, first + nrows) of the first natts column arrays values[att][row] and
 * isnull[att][row]; with row_order, the rows are in that order and
 * row_order[k] is the offset of the k-th one from first_row.  Variable-length values must already be detoasted.
 * Returns the chunk's bytes (palloc'd) and sets *len and *raw_bytes (the
 * plain size of the values and NULL bitmaps, for compression ratios).
 */
extern char *chunk_encode(uint64 storage_id, int64 first_row,
						  TupleDesc tupdesc, int natts, Datum **values, bool **isnull,
						  int first, int nrows, const int32 *row_order,
						  const ChunkEncodeOptions *opts, Size *len, uint64 *raw_bytes);


/*
 * Called before the reader touches bytes [offset, offset + len) of a chunk
 * that is loaded lazily (only the parts that are decoded are read).
 */
typedef void (*ChunkLoadFn) (void *arg, Size offset, Size len);

/* A parsed, validated chunk header over bytes owned by the caller. */
typedef struct ChunkReader
{
	ChunkLoadFn load;			/* NULL when all bytes are present */
	void	   *load_arg;
	const char *data;
	Size		len;
	int			natts;
	uint64		storage_id;
	int64		first_row;
	uint32		nrows;
	uint32		vector_rows;
	uint32		nvectors;
	const ChunkColumn *columns;
	bool	   *dir_checked;	/* vector directory checksum verified, per column */
	uint8	   *vec_checked;	/* vector checksums verified: a bitmap per column,
								 * for readers kept open (fetches by ctid) */
	bool		row_order;		/* rows are stored in another order than their ids */
	uint32		row_span;		/* row-order offsets are below this: nrows, or the
								 * metadata's span when VACUUM left holes */
	uint32		crc;			/* the header's checksum: identifies the chunk */
	uint64	   *scratch;		/* the decoders' work space: 5 values a row */
} ChunkReader;

extern void chunk_open(ChunkReader *reader, const char *data, Size len);
extern void chunk_open_lazy(ChunkReader *reader, const char *data, Size len,
							ChunkLoadFn load, void *load_arg);
extern int	chunk_vector_nrows(const ChunkReader *reader, uint32 vector);

/*
 * The (min, max) of vector of attribute attidx, when the chunk stored ranges
 * for it with type typid; min/max are summary.c's 64-bit patterns.
 */
extern bool chunk_vector_range(ChunkReader *reader, int attidx, Oid typid,
							   uint32 vector, bool *has_values, bool *has_nulls,
							   int64 *min, int64 *max);

/*
 * Decode one vector of attribute attidx (0-based) into values[] / isnull[],
 * which must have room for chunk_vector_nrows() entries.  Pass-by-reference
 * values are allocated in the current memory context.  An attribute that the
 * chunk does not have (added after it was written) decodes as the
 * attribute's missing value.
 *
 * With codes (room for as many entries), a dictionary-encoded vector also
 * gives each row's dictionary code (-1 for NULL; rows with equal codes share
 * one copy of their value) and returns the dictionary's size; otherwise the
 * result is -1.
 */
extern int	chunk_decode_vector(ChunkReader *reader, TupleDesc tupdesc,
								int attidx, uint32 vector,
								Datum *values, bool *isnull, int32 *codes);
/* The first upto rows of the vector only (the others read as NULL). */
extern int	chunk_decode_vector_prefix(ChunkReader *reader, TupleDesc tupdesc,
									   int attidx, uint32 vector, int upto,
									   Datum *values, bool *isnull, int32 *codes);
extern int	chunk_vector_dictionary(ChunkReader *reader, TupleDesc tupdesc,
									int attidx, uint32 vector,
									const char ***ptrs, uint32 **lens,
									bool *has_nulls);

/* A bytewise text range bound of a vector (see CHUNK_COLUMN_TEXT_RANGES). */
typedef struct ChunkTextBound
{
	int			len;
	bool		cut;			/* the value is longer than these bytes */
	char		data[CHUNK_TEXT_PREFIX];
} ChunkTextBound;

/*
 * The bytewise (min, max) of a variable-length column's vector, when the
 * chunk stored them; false otherwise.
 */
extern bool chunk_vector_text_range(ChunkReader *reader, int attidx, uint32 vector,
									bool *has_values, ChunkTextBound *min,
									ChunkTextBound *max);

/*
 * Where each row of a vector belongs: its offset from the chunk's first row
 * id (its position, unless the chunk stores a row order).  offsets needs
 * room for chunk_vector_nrows() entries.
 */
extern void chunk_decode_row_order(ChunkReader *reader, uint32 vector,
								   int32 *offsets);

/*
 * The checksum of the row-order column's vector directory, which covers its
 * vectors' checksums: with the chunk's identity, it tells chunks apart.
 */
extern uint32 chunk_row_order_checksum(ChunkReader *reader);

#endif							/* TIMESERIES_CHUNK_H */
