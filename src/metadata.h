/*-------------------------------------------------------------------------
 *
 * metadata.h
 *	  Chunk metadata rows in timeseries_internal.chunk.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_METADATA_H
#define TIMESERIES_METADATA_H

#include "access/genam.h"
#include "access/htup_details.h"
#include "utils/snapshot.h"
#include "access/genam.h"
#include "storage/lockdefs.h"

#define INLINE_BLOCK	(-1)

typedef struct ChunkMeta
{
	uint64		storage_id;
	int64		first_row;
	int32		row_count;		/* rows stored */
	int32		row_span;		/* row ids covered: [first_row, first_row + row_span) */
	int64		flush_seq;
	int32		first_block;	/* INLINE_BLOCK for an inline chunk */
	int32		byte_count;
	int64		raw_bytes;
	int32	   *cids;			/* per-row command ids, or NULL */
	char	   *data;			/* inline chunk bytes (copied), or NULL */
	bytea	   *summary;		/* column summaries (see summary.c), or NULL */
	bool		own_xact;		/* written by the current transaction */
	TransactionId meta_xmin;	/* the metadata row's xmin and tid: which */
	ItemPointerData meta_tid;	/* version of the chunk this is */
	CommandId	cmin;			/* when own_xact: the metadata row's command */
} ChunkMeta;

extern void metadata_insert_chunk(const ChunkMeta *chunk, CommandId cid);

typedef struct ChunkMetaScan
{
	Relation	heap;
	Relation	index;
	SysScanDesc scan;
	MemoryContext cxt;			/* where the index scan keeps its state */
} ChunkMetaScan;

/* Visible chunks of a storage id in row-id order; with data, inline bytes are copied. */
extern ChunkMetaScan *metadata_begin_scan(uint64 storage_id, Snapshot snapshot);
extern bool metadata_next(ChunkMetaScan *scan, ChunkMeta *chunk, bool with_data);
extern void metadata_end_scan(ChunkMetaScan *scan);

/* With a scan under SnapshotAny: deleted chunks older snapshots may still see. */
extern bool metadata_next_deleted(ChunkMetaScan *scan, Snapshot snapshot,
								  ChunkMeta *chunk);

/* The same under the active snapshot, read once per planning (see metadata.c). */
extern bool metadata_planning_chunks(uint64 storage_id, int max_chunks,
									 const ChunkMeta **chunks, int *nchunks);

/* Free what a ChunkMeta holds copies of (inline bytes, summary, command ids). */
extern void metadata_free_chunk_copies(ChunkMeta *chunk);

/* The visible chunk holding row id rowid, if any. */
extern bool metadata_find_chunk(uint64 storage_id, uint64 rowid,
								Snapshot snapshot, ChunkMeta *chunk);

/*
 * Delete the metadata row of one chunk (compaction, drop_chunks, VACUUM);
 * its page extent becomes free for reuse once no snapshot can read it.
 */
extern bool metadata_delete_chunk(uint64 storage_id, int64 first_row);

/* VACUUM: page chunks' rows moved to lower pages of the metadata file. */
#define METADATA_MOVE_MAX_ROWS 1024
extern int	metadata_move_rows_down(uint64 storage_id, int max_rows);

/* Delete every metadata row of a storage id (TRUNCATE, DROP), free extents included. */
extern void metadata_delete_storage(uint64 storage_id);

/* True when the extension's catalog exists in this database. */
extern bool metadata_available(void);

/* The extension's internal tables, each with its index on (storage_id, ...). */
typedef enum InternalTable
{
	INTERNAL_CHUNK,				/* timeseries_internal.chunk */
	INTERNAL_DELETED_ROW,		/* timeseries_internal.deleted_row */
	INTERNAL_ROW_LOCK,			/* timeseries_internal.row_lock */
	INTERNAL_PENDING_ROWS,		/* timeseries_internal.pending_rows */
	INTERNAL_FREE_EXTENT,		/* timeseries_internal.free_extent */
	NUM_INTERNAL_TABLES
} InternalTable;

/*
 * Storage ids of unlogged relations have this bit set: their metadata lives
 * in unlogged twins of the internal tables, which a crash resets to empty
 * together with the relations' forks.
 */
#define STORAGE_ID_UNLOGGED	(UINT64CONST(1) << 62)

extern bool metadata_lookup(InternalTable which, uint64 storage_id,
							Oid *heapoid, Oid *indexoid);
extern void metadata_require(InternalTable which, uint64 storage_id,
							 Oid *heapoid, Oid *indexoid);

/*
 * Records of the internal tables keyed by (storage_id, a row id): chunk,
 * deleted_row, row_lock, pending_rows; those of a storage id whose second
 * column is in [lo, hi], in index order.
 */
typedef struct RecordScan
{
	Relation	heap;
	Relation	index;
	SysScanDesc scan;
	MemoryContext cxt;			/* where the index scan keeps its state */
} RecordScan;

extern void metadata_begin_records(RecordScan *rs, InternalTable table,
								   uint64 storage_id, int64 lo, int64 hi,
								   Snapshot snapshot, LOCKMODE lockmode);
extern HeapTuple metadata_next_record(RecordScan *rs);

/* The second column of a record (its row id, or a chunk's first row). */
static inline int64
metadata_record_row(HeapTuple tuple)
{
	return ((int64 *) GETSTRUCT(tuple))[1];
}

extern HeapTuple metadata_prev_record(RecordScan *rs);

/* False when a record is, or will be, dead to every transaction. */
extern bool metadata_record_may_be_live(HeapTuple tuple);
extern void metadata_end_records(RecordScan *rs, LOCKMODE lockmode);
extern ItemPointerData metadata_insert_record(InternalTable table, Datum *values,
											  bool *nulls, CommandId cid,
											  IndexUniqueCheck check);

#endif							/* TIMESERIES_METADATA_H */
