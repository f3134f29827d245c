/*-------------------------------------------------------------------------
 *
 * scan.c
 *	  Sequential scans, row fetches by ctid and ANALYZE sampling of
 *	  timeseries tables.
 *
 * A scan walks the visible chunk metadata rows in row-id order, reads each
 * chunk's bytes (inline, or from its page extent), decodes it one vector at
 * a time into per-column arrays and hands rows out from them; then it hands
 * out the rows of its own transaction that are still in the write buffer
 * (see write.c for the visibility rules).  Memory is bounded by one chunk and
 * one decoded vector: per-chunk and per-vector contexts are reset as the scan
 * moves on.
 *
 * ANALYZE: the block numbers ANALYZE samples are mapped to equal slices of
 * the table's rows, so that its row count estimate comes out exact when it
 * visits every block; only some blocks return sample rows, taken from one
 * place in their slice, so a large table is not decoded in full.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "common/pg_prng.h"
#include "access/parallel.h"
#include "access/xact.h"
#include "commands/vacuum.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "chunk.h"
#include "custom_scan.h"
#include "delete_mask.h"
#include "metadata.h"
#include "pending.h"
#include "scan.h"
#include "storage.h"
#include "summary.h"
#include "write.h"

/* A chunk as ANALYZE sees it: where its rows start in the table's row order. */
typedef struct AnalyzeChunk
{
	ChunkMeta	meta;
	int64		start;			/* cumulative row index of its first row */
} AnalyzeChunk;

/* A chunk of an ordered walk and its key. */
typedef struct OrderedChunk
{
	uint64		key;
	ChunkMeta	meta;			/* without inline data */
} OrderedChunk;

typedef struct TsScanDescData
{
	TableScanDescData base;

	uint64		storage_id;
	MemoryContext scan_cxt;		/* lives as long as the scan */
	MemoryContext chunk_cxt;	/* reset per chunk */
	char	   *extent_buf;		/* the open chunk's bytes, in scan_cxt */
	Size		extent_buf_size;
	MemoryContext vector_cxt;	/* reset per vector */
	MemoryContext dict_cxt;		/* the dictionary a vector filter read last */

	/* state taken when the scan starts reading (see write.c) */
	bool		started;
	int64		flush_seq_start;
	BufferedRows *buffered;
	bool		any_deleted;	/* the snapshot sees deleted rows */
	bool		include_deleted;	/* return deleted rows too (index builds) */
	bool	   *buffered_deleted;	/* per buffered row, with include_deleted */
	bool		last_deleted;	/* the row returned last is deleted */

	/* chunk walk */
	ChunkMetaScan *meta_scan;
	bool		meta_done;
	bool		have_chunk;
	ChunkMeta	chunk;
	ChunkReader reader;
	uint8	   *deleted;		/* the chunk's delete mask by row offset, or NULL */
	int64		vector;			/* current vector, -1 before the first */
	int			vec_nrows;
	int			vec_pos;
	Datum	  **vec_values;		/* [att][row in vector] */
	bool	  **vec_isnull;
	int		   *vec_decoded;	/* per att: rows of vec_values/vec_isnull set,
								 * from the first */
	int			vec_need;		/* rows a column is decoded for: all, or up to
								 * the last selected once the filters ran and
								 * the consumer reads selected rows only */
	bool		selected_only;	/* the consumer reads selected rows only */
	int32	  **vec_codes;		/* per att: dictionary codes, or NULL */
	int32	   *vec_order;		/* row offsets of the vector's rows, or NULL */
	int		   *vec_ndict;		/* per att: dictionary size */
	bool		in_buffered;	/* the batch is the write buffer's rows */
	TupleDesc	desc;			/* descriptor the batch is decoded with */

	/* column selection and filters of the custom scan (scan.h) */
	bool	   *read_att;		/* per att: decode it; NULL: all */
	int		   *read_list;		/* the attributes read, in order */
	int			nread;
	TupleTableSlot *prepared_slot;	/* slot whose other columns are NULL */
	TsChunkFilter chunk_filter;
	TsChunkFilter chunk_consumer;	/* answers a chunk from its metadata */
	void	   *consumer_arg;
	TsVectorFilter vector_filter;
	TsRowFilter row_filter;
	void	   *filter_arg;
	bool	   *sel;			/* rows of the batch the row filter kept */
	TsScanCounters counters;

	/* ordered walks (ts_scan_set_chunk_order) */
	TsChunkKey	order_key;		/* NULL: row-id order */
	void	   *order_arg;
	bool		reverse_vectors;
	OrderedChunk *ordered;		/* the visible chunks, by key; kept across rescans */
	int			nordered;
	bool		ordered_collected;
	int			order_pos;		/* next entry to read */
	uint64		order_cutoff;	/* chunks with larger keys end the walk */
	int64		vectors_seen;	/* of the current chunk */
	int64		cached_first_row;	/* the chunk open in chunk_cxt, or -1 */
	ChunkMeta	cached_meta;
	ChunkReader cached_reader;
	uint8	   *cached_deleted;
	int			cached_reopened;	/* times it was walked again (rescans) */
	struct VectorValues *vector_values; /* in chunk_cxt (ts_scan_vector_lacks_value) */

	/*
	 * A value of an integer column that every row must have (until the next
	 * rescan): in a chunk whose exact values per vector are known, only the
	 * vectors holding it are walked, in ascending order (cand).
	 */
	bool		probe;
	int			probe_att;
	Oid			probe_type;
	int64		probe_value;
	uint32	   *cand;			/* in scan_cxt */
	int			ncand;
	int			cand_cap;
	bool		use_cand;		/* the current chunk walks cand only */

	/*
	 * Parallel scans: the parts of the chunks are claimed by their position
	 * in the walk.  A large chunk has several parts (ranges of its vectors),
	 * so that the participants end at about the same time: a query reading
	 * nine chunks would otherwise leave one participant a whole chunk
	 * behind.  Every participant numbers the parts alike, from the same
	 * metadata rows in the same order.
	 */
	pg_atomic_uint64 *next_claim;	/* shared counter, or NULL */
	int64		position;		/* of the current chunk's first part */
	int64		next_position;	/* of the next chunk's first part */
	int64		claimed;		/* position this participant claimed last */
	int			nparts;			/* of the current chunk */
	int			next_part;		/* its next part to try to claim */
	bool		parts_open;		/* the current chunk is open for its parts */
	uint32		vec_lo;			/* the current part: vectors [vec_lo, vec_hi) */
	uint32		vec_hi;

	/* ANALYZE */
	AnalyzeChunk *an_chunks;
	int			an_nchunks;
	int64		an_total;
	BlockNumber an_nblocks;
	int			an_every;		/* blocks that yield samples: every an_every-th */
	int			an_per_block;	/* sample rows from such a block */
	int64		an_slice_lo;
	int64		an_slice_hi;
	int			an_emitted;
	int			an_to_emit;
	int64	   *an_positions;	/* sorted random rows of the slice to emit */
	bool		an_counted;
	int			an_cur_chunk;	/* chunk loaded into reader, -1 none */
	int64		an_cur_vector;
	Snapshot	an_snapshot;
}			TsScanDescData;

typedef TsScanDescData *TsScanDesc;

/* Forget the open chunk's memory, and what was built from it. */
static void
reset_chunk_cxt(TsScanDesc scan)
{
	MemoryContextReset(scan->chunk_cxt);
	scan->vector_values = NULL;
	scan->parts_open = false;
}


static TableScanDesc
scan_begin(Relation rel, Snapshot snapshot, int nkeys,
		   struct ScanKeyData *key, ParallelTableScanDesc pscan,
		   uint32 flags)
{
	TsScanDesc	scan;
	MemoryContext cxt;
	MemoryContext old;

	if (pscan != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("parallel scans of timeseries tables are not supported yet")));

	cxt = AllocSetContextCreate(CurrentMemoryContext, "timeseries scan",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	scan = palloc0(sizeof(TsScanDescData));
	scan->base.rs_rd = rel;
	scan->base.rs_snapshot = snapshot;
	scan->base.rs_nkeys = nkeys;
	scan->base.rs_key = key;
	scan->base.rs_flags = flags;
	scan->base.rs_parallel = pscan;
	scan->scan_cxt = cxt;
	scan->chunk_cxt = AllocSetContextCreate(cxt, "timeseries scan chunk",
											ALLOCSET_DEFAULT_SIZES);
	/*
	 * A vector's decoded columns (9 KB each for 1024 rows) fit in the kept
	 * first block, so resetting per vector gives nothing back to malloc.
	 */
	scan->vector_cxt = AllocSetContextCreate(cxt, "timeseries scan vector",
											 256 * 1024, 256 * 1024,
											 ALLOCSET_DEFAULT_MAXSIZE);
	scan->vector = -1;
	scan->claimed = -1;
	scan->order_cutoff = PG_UINT64_MAX;
	scan->probe = false;
	scan->cached_first_row = -1;
	scan->an_cur_chunk = -1;
	scan->storage_id = storage_get_id(rel);
	MemoryContextSwitchTo(old);

	if (flags & SO_TEMP_SNAPSHOT)
		Assert(snapshot != NULL);

	return (TableScanDesc) scan;
}

/* The access method's scan_begin: sequential scans, COPY TO, ANALYZE. */
TableScanDesc
ts_scan_begin(Relation rel, Snapshot snapshot, int nkeys,
			  struct ScanKeyData *key, ParallelTableScanDesc pscan,
			  uint32 flags)
{
	if (ts_debug_require_vectorized && (flags & SO_TYPE_SEQSCAN))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("timeseries: table \"%s\" is read by a sequential scan, not by TimeseriesScan",
						RelationGetRelationName(rel)),
				 errdetail("timeseries.debug_require_vectorized is on.")));
	return scan_begin(rel, snapshot, nkeys, key, pscan, flags);
}

/* A scan for the custom scan node, which then sets its filters. */
TableScanDesc
ts_scan_begin_custom(Relation rel, Snapshot snapshot)
{
	return scan_begin(rel, snapshot, 0, NULL, NULL,
					  SO_TYPE_SEQSCAN | SO_ALLOW_STRAT | SO_ALLOW_SYNC |
					  SO_ALLOW_PAGEMODE);
}

static void
close_meta_scan(TsScanDesc scan)
{
	if (scan->meta_scan)
	{
		metadata_end_scan(scan->meta_scan);
		scan->meta_scan = NULL;
	}
}

void
ts_scan_end(TableScanDesc sscan)
{
	TsScanDesc	scan = (TsScanDesc) sscan;

	close_meta_scan(scan);
	if (scan->an_snapshot)
		UnregisterSnapshot(scan->an_snapshot);
	if (scan->base.rs_flags & SO_TEMP_SNAPSHOT)
		UnregisterSnapshot(scan->base.rs_snapshot);
	MemoryContextDelete(scan->scan_cxt);
}

void
ts_scan_rescan(TableScanDesc sscan, struct ScanKeyData *key, bool set_params,
			   bool allow_strat, bool allow_sync, bool allow_pagemode)
{
	TsScanDesc	scan = (TsScanDesc) sscan;

	/*
	 * Same snapshot: keep the buffered rows and flush sequence taken at
	 * start, and an ordered walk's chunk list and open chunk.
	 */
	close_meta_scan(scan);
	if (scan->order_key == NULL)
		reset_chunk_cxt(scan);
	MemoryContextReset(scan->vector_cxt);
	scan->meta_done = false;
	scan->have_chunk = false;
	scan->vector = -1;
	scan->vec_nrows = scan->vec_pos = 0;
	scan->in_buffered = false;
	scan->sel = NULL;
	scan->position = scan->next_position = 0;
	scan->claimed = -1;
	scan->parts_open = false;
	scan->order_pos = 0;
	scan->order_cutoff = PG_UINT64_MAX;
	scan->probe = false;
	scan->use_cand = false;
	scan->vectors_seen = 0;
}

/* A chunk in a page extent whose pages are read as the decoder needs them. */
typedef struct LazyExtent
{
	Relation	rel;
	BlockNumber first;
	Size		len;
	char	   *data;
	bool	   *loaded;			/* per page */
} LazyExtent;

static void
load_extent_range(void *arg, Size offset, Size len)
{
	LazyExtent *ext = (LazyExtent *) arg;
	Size		from = offset / EXTENT_PAGE_BYTES;
	Size		to;

	if (offset >= ext->len)
		return;					/* the reader reports the bad offset */
	to = (Min(offset + len, ext->len) + EXTENT_PAGE_BYTES - 1) / EXTENT_PAGE_BYTES;
	for (Size p = from; p < to; p++)
	{
		if (ext->loaded[p])
			continue;
		storage_read_extent(ext->rel, ext->first, ext->len, p, p + 1,
							ext->data, NULL);
		ext->loaded[p] = true;
	}
}

/*
 * The scan's buffer for the bytes of the chunk it opens next (the previous
 * chunk's are no longer used: chunk_cxt was just reset).
 */
static char *
scan_extent_buffer(TsScanDesc scan, ChunkMeta *meta)
{
	if (meta->first_block == INLINE_BLOCK || scan->scan_cxt == NULL)
		return NULL;
	if (scan->extent_buf_size < (Size) meta->byte_count)
	{
		if (scan->extent_buf)
			pfree(scan->extent_buf);
		scan->extent_buf = MemoryContextAllocHuge(scan->scan_cxt, meta->byte_count);
		scan->extent_buf_size = meta->byte_count;
	}
	return scan->extent_buf;
}

/*
 * Read a chunk's bytes, inline or from its extent, and open it.  With lazy,
 * extent pages are read only when the decoder touches them (ANALYZE and
 * fetches by ctid decode a few vectors of a chunk).  An extent's bytes go
 * to buf when given (at least byte_count bytes), else to new memory: a
 * buffer kept from chunk to chunk is not faulted in again page by page.
 */
static void
open_chunk(TsScanDesc scan, ChunkMeta *meta, BufferAccessStrategy strategy,
		   bool lazy, char *buf)
{
	Relation	rel = scan->base.rs_rd;

	if (meta->first_block == INLINE_BLOCK)
		chunk_open(&scan->reader, meta->data, meta->byte_count);
	else
	{
		Size		npages = (meta->byte_count + EXTENT_PAGE_BYTES - 1) / EXTENT_PAGE_BYTES;

		storage_check_extent(rel, (BlockNumber) meta->first_block, meta->byte_count);
		if (buf == NULL)
			buf = palloc(meta->byte_count);
		if (lazy)
		{
			LazyExtent *ext = palloc(sizeof(LazyExtent));

			ext->rel = rel;
			ext->first = (BlockNumber) meta->first_block;
			ext->len = meta->byte_count;
			ext->data = buf;
			ext->loaded = palloc0(sizeof(bool) * npages);
			chunk_open_lazy(&scan->reader, buf, meta->byte_count,
							load_extent_range, ext);
		}
		else
		{
			storage_read_extent(rel, (BlockNumber) meta->first_block,
								meta->byte_count, 0, npages, buf, strategy);
			chunk_open(&scan->reader, buf, meta->byte_count);
		}
	}
	if (scan->reader.storage_id != meta->storage_id ||
		scan->reader.first_row != meta->first_row)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("timeseries chunk at row %lld holds the data of another chunk",
						(long long) meta->first_row)));
	if (scan->reader.nrows != (uint32) meta->row_count)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("timeseries chunk at row %lld holds %u rows, its metadata says %d",
						(long long) meta->first_row, scan->reader.nrows,
						meta->row_count)));
	scan->reader.row_span = (uint32) meta->row_span;
}

/*
 * Decode one vector of every column with the slot's descriptor: during a
 * table rewrite (ALTER COLUMN TYPE) the relation's descriptor already shows
 * the new types while the data still has the old ones.
 */
static void
decode_vector(TsScanDesc scan, uint32 vector, TupleDesc desc)
{
	int			n = chunk_vector_nrows(&scan->reader, vector);
	MemoryContext old;

	MemoryContextReset(scan->vector_cxt);
	old = MemoryContextSwitchTo(scan->vector_cxt);
	scan->vec_values = palloc(sizeof(Datum *) * Max(desc->natts, 1));
	scan->vec_isnull = palloc(sizeof(bool *) * Max(desc->natts, 1));
	scan->vec_decoded = palloc0(sizeof(int) * Max(desc->natts, 1));
	scan->vec_codes = palloc0(sizeof(int32 *) * Max(desc->natts, 1));
	scan->vec_ndict = palloc0(sizeof(int) * Max(desc->natts, 1));
	scan->vec_order = NULL;
	MemoryContextSwitchTo(old);
	scan->desc = desc;
	scan->in_buffered = false;
	scan->vector = vector;
	scan->vec_nrows = n;
	scan->vec_need = n;
	scan->vec_pos = 0;
}

/*
 * The values of attribute attidx in the current batch, decoding them on
 * first use: a row filter decodes the columns it tests, and the other
 * columns are decoded only when some row passes, and then, for a consumer
 * of selected rows only, only up to the last selected row.
 */
void
ts_scan_batch_column(TableScanDesc sscan, int attidx, Datum **values,
					 bool **isnull)
{
	TsScanDesc	scan = (TsScanDesc) sscan;

	ts_scan_batch_column_upto(sscan, attidx, scan->vec_need, values, isnull);
}

/*
 * The same, where the caller reads only the first upto rows: the others may
 * read as NULL.  (The integer codec's delta schemes need every value up to
 * the last one wanted, so a row picked from a vector costs a prefix.)
 */
void
ts_scan_batch_column_upto(TableScanDesc sscan, int attidx, int upto,
						  Datum **values, bool **isnull)
{
	TsScanDesc	scan = (TsScanDesc) sscan;

	upto = Min(upto, scan->vec_nrows);
	if (scan->vec_decoded[attidx] < upto)
	{
		MemoryContext old = MemoryContextSwitchTo(scan->vector_cxt);
		int			n = scan->vec_nrows;
		int32	   *codes = scan->vec_codes[attidx];
		int			ndict;

		Assert(!scan->in_buffered);
		if (scan->vec_decoded[attidx] == 0)
		{
			scan->vec_values[attidx] = palloc(sizeof(Datum) * Max(n, 1));
			scan->vec_isnull[attidx] = palloc(sizeof(bool) * Max(n, 1));
		}
		if (codes == NULL && TupleDescAttr(scan->desc, attidx)->attlen == -1)
			codes = palloc(sizeof(int32) * Max(n, 1));
		ndict = chunk_decode_vector_prefix(&scan->reader, scan->desc, attidx,
										   (uint32) scan->vector, Max(upto, 1),
										   scan->vec_values[attidx],
										   scan->vec_isnull[attidx], codes);
		scan->vec_codes[attidx] = ndict > 0 ? codes : NULL;
		scan->vec_ndict[attidx] = ndict;
		scan->vec_decoded[attidx] = Max(upto, 1);
		MemoryContextSwitchTo(old);
	}
	*values = scan->vec_values[attidx];
	*isnull = scan->vec_isnull[attidx];
}

/*
 * The consumer reads only the selected rows of each batch (as
 * ts_scan_getnextslot does): the columns decoded after the filters are
 * decoded up to the last selected row only.
 */
void
ts_scan_set_selected_only(TableScanDesc sscan)
{
	((TsScanDesc) sscan)->selected_only = true;
}

/*
 * The dictionary codes of attribute attidx in the current batch (decoding
 * it first): rows with equal codes have equal values (and share one copy);
 * -1 for NULL.  Returns the dictionary's size, or 0 when the batch's values
 * are not dictionary-encoded.
 */
int
ts_scan_batch_codes(TableScanDesc sscan, int attidx, const int32 **codes)
{
	TsScanDesc	scan = (TsScanDesc) sscan;
	Datum	   *values;
	bool	   *isnull;

	ts_scan_batch_column(sscan, attidx, &values, &isnull);
	*codes = scan->vec_codes[attidx];
	return *codes ? scan->vec_ndict[attidx] : 0;
}

/*
 * The offset from the chunk's first row id of row i of the current vector:
 * its position, unless the chunk stores its rows in another order.
 */
static int64
vector_row_offset(TsScanDesc scan, int i)
{
	if (!scan->reader.row_order)
		return scan->vector * scan->reader.vector_rows + i;
	if (scan->vec_order == NULL)
	{
		/* the decoder's buffers go with the vector */
		MemoryContext old = MemoryContextSwitchTo(scan->vector_cxt);

		scan->vec_order = palloc(sizeof(int32) * Max(scan->vec_nrows, 1));
		chunk_decode_row_order(&scan->reader, (uint32) scan->vector, scan->vec_order);
		MemoryContextSwitchTo(old);
	}
	return scan->vec_order[i];
}

/*
 * Unselect the rows of the current vector that the chunk's delete mask
 * holds; returns how many of the kept rows remain.
 */
static int
drop_deleted_rows(TsScanDesc scan, int kept)
{
	int			n = scan->vec_nrows;

	if (scan->sel == NULL)
	{
		scan->sel = MemoryContextAlloc(scan->vector_cxt, sizeof(bool) * n);
		memset(scan->sel, true, sizeof(bool) * n);
	}
	for (int i = 0; i < n; i++)
	{
		if (scan->sel[i] && delete_mask_test(scan->deleted, vector_row_offset(scan, i)))
		{
			scan->sel[i] = false;
			kept--;
		}
	}
	return kept;
}

/*
 * Run the row filter over the batch just set up, then decode the columns
 * the scan returns.  An empty result skips the batch.
 */
static void
filter_batch(TsScanDesc scan)
{
	int			n = scan->vec_nrows;
	int			kept = n;

	scan->sel = NULL;
	if (scan->row_filter && n > 0)
	{
		scan->sel = MemoryContextAlloc(scan->vector_cxt, sizeof(bool) * n);
		kept = scan->row_filter(scan->filter_arg, (TableScanDesc) scan, n,
								scan->sel);
		scan->counters.rows_filtered += n - kept;
	}
	if (scan->deleted && !scan->in_buffered && kept > 0 && !scan->include_deleted)
		kept = drop_deleted_rows(scan, kept);
	if (kept == 0)
	{
		scan->vec_nrows = 0;
		return;
	}
	/* every row kept (a vector inside the qual's range): no selection */
	if (kept == n)
		scan->sel = NULL;
	if (scan->selected_only && scan->sel && !scan->in_buffered)
	{
		int			last = n - 1;

		while (last > 0 && !scan->sel[last])
			last--;
		scan->vec_need = last + 1;
	}

	for (int a = 0; a < scan->desc->natts; a++)
	{
		if (scan->read_att == NULL || scan->read_att[a])
		{
			Datum	   *values;
			bool	   *isnull;

			ts_scan_batch_column((TableScanDesc) scan, a, &values, &isnull);
		}
	}
}

/*
 * Leave out the unwritten rows the snapshot sees deleted (by an earlier
 * command of our transaction).
 */
static void
drop_deleted_buffered(TsScanDesc scan)
{
	BufferedRows *rows = scan->buffered;
	bool	   *deleted = NULL;
	int			n = 0;

	/*
	 * One mask per part of the id space: on-time and late rows' ids are far
	 * apart (write.c), and a mask covers the ids from the lowest to the
	 * highest.
	 */
	for (int late = 0; late < 2; late++)
	{
		uint64		lo = PG_UINT64_MAX;
		uint64		hi = 0;
		uint8	   *mask;

		for (int i = 0; i < rows->nrows; i++)
		{
			if ((rows->rowids[i] >= LATE_FIRST_ROW_ID) != (bool) late)
				continue;
			lo = Min(lo, rows->rowids[i]);
			hi = Max(hi, rows->rowids[i]);
		}
		if (lo > hi)
			continue;
		mask = delete_mask_load(scan->storage_id, (int64) lo, (int64) (hi - lo + 1),
								scan->base.rs_snapshot);
		if (mask == NULL)
			continue;
		if (deleted == NULL)
			deleted = palloc0(sizeof(bool) * rows->nrows);
		for (int i = 0; i < rows->nrows; i++)
			if ((rows->rowids[i] >= LATE_FIRST_ROW_ID) == (bool) late &&
				delete_mask_test(mask, (int64) (rows->rowids[i] - lo)))
				deleted[i] = true;
		pfree(mask);
	}
	if (deleted == NULL)
		return;
	if (scan->include_deleted)
	{
		scan->buffered_deleted = deleted;
		return;
	}
	for (int i = 0; i < rows->nrows; i++)
	{
		if (deleted[i])
			continue;
		for (int a = 0; a < rows->natts; a++)
		{
			rows->values[a][n] = rows->values[a][i];
			rows->isnull[a][n] = rows->isnull[a][i];
		}
		rows->rowids[n++] = rows->rowids[i];
	}
	rows->nrows = n;
	pfree(deleted);
}

/* Take the scan's view of its own transaction's unwritten rows. */
static void
start_scan(TsScanDesc scan, TupleDesc desc)
{
	MemoryContext old = MemoryContextSwitchTo(scan->scan_cxt);

	/*
	 * Nothing is written in parallel mode, and a parallel worker's flush
	 * sequence is not its leader's: there, every chunk of our transaction
	 * was written before the scan started.  Workers have no write buffer;
	 * the leader's is empty whenever workers run (planner.c).
	 */
	scan->flush_seq_start = IsInParallelMode() ? PG_INT64_MAX : write_next_flush_seq();
	scan->any_deleted = scan->storage_id != 0 &&
		scan->base.rs_snapshot->snapshot_type != SNAPSHOT_ANY &&
		delete_mask_any(scan->storage_id, scan->base.rs_snapshot);
	if (scan->storage_id != 0 && !IsParallelWorker())
		scan->buffered = write_buffered_rows(scan->base.rs_rd, scan->storage_id,
											 scan->base.rs_snapshot, desc);
	if (scan->buffered && scan->any_deleted)
		drop_deleted_buffered(scan);
	MemoryContextSwitchTo(old);
	scan->started = true;
}

/* The current chunk's delete mask, in the current memory context. */
static uint8 *
load_delete_mask(TsScanDesc scan, Snapshot snapshot)
{
	if (!scan->any_deleted)
		return NULL;
	return delete_mask_load(scan->storage_id, scan->chunk.first_row,
							scan->chunk.row_span, snapshot);
}

static int
compare_ordered(const void *a, const void *b)
{
	uint64		ka = ((const OrderedChunk *) a)->key;
	uint64		kb = ((const OrderedChunk *) b)->key;

	if (ka != kb)
		return ka < kb ? -1 : 1;
	/* row-id order among equal keys, so that the walk is deterministic */
	return ((const OrderedChunk *) a)->meta.first_row <
		((const OrderedChunk *) b)->meta.first_row ? -1 : 1;
}

/*
 * The visible chunks of an ordered walk, sorted by their keys.  Collected
 * once per scan (rescans use the same snapshot); inline chunks' bytes are
 * fetched again when they are read, so memory is their metadata only.
 */
static void
collect_ordered(TsScanDesc scan)
{
	MemoryContext old = MemoryContextSwitchTo(scan->scan_cxt);
	ChunkMetaScan *ms = metadata_begin_scan(scan->storage_id,
											scan->base.rs_snapshot);
	int			cap = 16;
	ChunkMeta	meta;

	scan->ordered = palloc(sizeof(OrderedChunk) * cap);
	scan->nordered = 0;
	while (metadata_next(ms, &meta, false))
	{
		CHECK_FOR_INTERRUPTS();
		/* our own chunks written after the scan started are not for it */
		if (meta.own_xact && meta.flush_seq >= scan->flush_seq_start)
			continue;
		if (scan->nordered == cap)
		{
			cap *= 2;
			scan->ordered = repalloc_huge(scan->ordered, sizeof(OrderedChunk) * cap);
		}
		scan->ordered[scan->nordered].meta = meta;
		scan->ordered[scan->nordered].key = scan->order_key(scan->order_arg, &meta);
		scan->nordered++;
	}
	metadata_end_scan(ms);
	MemoryContextSwitchTo(old);
	qsort(scan->ordered, scan->nordered, sizeof(OrderedChunk), compare_ordered);
	scan->ordered_collected = true;
}

/*
 * Open the next chunk of an ordered walk that passes the chunk filter.  The
 * chunk stays open until another one is: rescans (a LATERAL subquery per
 * series) mostly want the newest chunk again.
 */
static bool
next_ordered_chunk(TsScanDesc scan)
{
	OrderedChunk *oc;

	if (!scan->ordered_collected)
		collect_ordered(scan);
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (scan->order_pos >= scan->nordered)
			return false;
		oc = &scan->ordered[scan->order_pos];
		if (oc->key > scan->order_cutoff)
		{
			/* so are all the chunks after it */
			scan->counters.chunks_pruned += scan->nordered - scan->order_pos;
			scan->order_pos = scan->nordered;
			return false;
		}
		scan->order_pos++;
		if (!scan->chunk_filter || scan->chunk_filter(scan->filter_arg, &oc->meta))
			break;
		scan->counters.chunks_pruned++;
	}
	scan->counters.chunks_read++;

	if (scan->cached_first_row == oc->meta.first_row)
	{
		scan->chunk = scan->cached_meta;
		scan->reader = scan->cached_reader;
		scan->deleted = scan->cached_deleted;
		scan->cached_reopened++;
	}
	else
	{
		MemoryContext old;

		scan->cached_first_row = -1;
		reset_chunk_cxt(scan);
		old = MemoryContextSwitchTo(scan->chunk_cxt);
		scan->chunk = oc->meta;
		if (scan->chunk.first_block == INLINE_BLOCK &&
			!metadata_find_chunk(scan->storage_id, oc->meta.first_row,
								 scan->base.rs_snapshot, &scan->chunk))
			elog(ERROR, "timeseries chunk at row %lld vanished during a scan",
				 (long long) oc->meta.first_row);
		open_chunk(scan, &scan->chunk, NULL, scan->read_att != NULL,
				   scan_extent_buffer(scan, &scan->chunk));
		scan->deleted = load_delete_mask(scan, scan->base.rs_snapshot);
		MemoryContextSwitchTo(old);
		scan->cached_first_row = oc->meta.first_row;
		scan->cached_reopened = 0;
		scan->cached_meta = scan->chunk;
		scan->cached_reader = scan->reader;
		scan->cached_deleted = scan->deleted;
	}
	return true;
}

/* Rows per part of a chunk in a parallel scan (at least; see nparts). */
#define PARALLEL_PART_ROWS	65536

/* Does this participant claim the part at position?  (Positions ascend.) */
static bool
claim_part(TsScanDesc scan, int64 position)
{
	if (scan->claimed < position)
		scan->claimed = (int64) pg_atomic_fetch_add_u64(scan->next_claim, 1);
	return scan->claimed == position;
}

/*
 * Pass over the parts of a chunk not read after all (pruned): claimed on,
 * never read (a participant claiming one would prune it as well).  A
 * participant takes a new claim only at the position after its last one,
 * so the claims it takes are never behind its walk.
 */
static void
pass_other_parts(TsScanDesc scan)
{
	if (scan->next_claim)
		for (int k = scan->next_part; k < scan->nparts; k++)
			(void) claim_part(scan, scan->position + k);
}

/* Set the vector range of part k of the open chunk. */
static void
set_part(TsScanDesc scan, int k)
{
	uint32		per = (scan->reader.nvectors + scan->nparts - 1) / scan->nparts;

	scan->vec_lo = Min((uint32) k * per, scan->reader.nvectors);
	scan->vec_hi = Min(scan->vec_lo + per, scan->reader.nvectors);
}

/* The first part from k on that this participant claims, or nparts. */
static int
claim_next_part(TsScanDesc scan, int k)
{
	while (k < scan->nparts && !claim_part(scan, scan->position + k))
		k++;
	return k;
}

/* Open the next chunk in row-id order that the filters and consumer leave. */
static bool
next_rowid_chunk(TsScanDesc scan)
{
	MemoryContext old;

	/* a further part of the chunk open, if this participant claims one */
	if (scan->parts_open)
	{
		int			k = claim_next_part(scan, scan->next_part);

		if (k < scan->nparts)
		{
			scan->next_part = k + 1;
			set_part(scan, k);
			return true;
		}
		scan->parts_open = false;
	}

	if (scan->meta_scan == NULL)
	{
		old = MemoryContextSwitchTo(scan->scan_cxt);
		scan->meta_scan = metadata_begin_scan(scan->storage_id,
											  scan->base.rs_snapshot);
		MemoryContextSwitchTo(old);
	}

	reset_chunk_cxt(scan);
	old = MemoryContextSwitchTo(scan->chunk_cxt);
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (!metadata_next(scan->meta_scan, &scan->chunk, true))
		{
			MemoryContextSwitchTo(old);
			close_meta_scan(scan);
			return false;
		}
		/*
		 * In a parallel scan, every participant walks the same visible
		 * metadata rows (they share the snapshot) and takes the ones whose
		 * position it claims from the shared counter.
		 */
		if (scan->next_claim)
		{
			int			k;

			/*
			 * Not with a consumer of whole chunks (metadata answering an
			 * aggregate): it would see a chunk once per part.
			 */
			scan->nparts = scan->chunk_consumer ? 1 :
				Max(scan->chunk.row_count / PARALLEL_PART_ROWS, 1);
			scan->position = scan->next_position;
			scan->next_position += scan->nparts;
			k = claim_next_part(scan, 0);
			if (k == scan->nparts)
			{
				reset_chunk_cxt(scan);
				continue;
			}
			scan->next_part = k + 1;
		}
		/* our own chunks written after the scan started are not for it */
		if (scan->chunk.own_xact && scan->chunk.flush_seq >= scan->flush_seq_start)
		{
			pass_other_parts(scan);
			continue;
		}
		if (scan->chunk_filter &&
			!scan->chunk_filter(scan->filter_arg, &scan->chunk))
		{
			/* counted once, by the participant with its first part */
			if (scan->next_claim == NULL || scan->next_part == 1)
				scan->counters.chunks_pruned++;
			pass_other_parts(scan);
			reset_chunk_cxt(scan);
			continue;
		}
		/* metadata describes the chunk's rows only while none is deleted */
		scan->deleted = load_delete_mask(scan, scan->base.rs_snapshot);
		if (scan->chunk_consumer && scan->deleted == NULL &&
			scan->chunk_consumer(scan->consumer_arg, &scan->chunk))
		{
			scan->counters.chunks_from_metadata++;
			pass_other_parts(scan);
			reset_chunk_cxt(scan);
			continue;
		}
		break;
	}
	scan->counters.chunks_read++;

	/*
	 * Reading only some columns, read only the pages that hold them.
	 */
	open_chunk(scan, &scan->chunk, NULL, scan->read_att != NULL,
			   scan_extent_buffer(scan, &scan->chunk));
	MemoryContextSwitchTo(old);
	if (scan->next_claim)
	{
		scan->parts_open = true;
		set_part(scan, scan->next_part - 1);
	}
	return true;
}

static bool probe_candidates(TsScanDesc scan);

static bool
next_chunk(TsScanDesc scan)
{
	if (scan->meta_done || scan->storage_id == 0)
		return false;
	MemoryContextReset(scan->vector_cxt);
	scan->have_chunk = false;
	if (!(scan->order_key ? next_ordered_chunk(scan) : next_rowid_chunk(scan)))
	{
		scan->meta_done = true;
		return false;
	}
	scan->have_chunk = true;
	scan->vector = -1;
	if (!scan->parts_open)
	{
		/* the whole chunk (a part's range is set by next_rowid_chunk) */
		scan->vec_lo = 0;
		scan->vec_hi = scan->reader.nvectors;
	}
	scan->vectors_seen = scan->vec_lo;
	scan->vec_nrows = scan->vec_pos = 0;
	scan->use_cand = scan->probe && probe_candidates(scan);
	return true;
}

/*
 * Row r of a chunk written by our own transaction but by a command the
 * snapshot must not see yet (see write.c)?
 */
static inline bool
chunk_row_hidden(const ChunkMeta *chunk, Snapshot snapshot, int64 r)
{
	return chunk->cids != NULL && IsMVCCSnapshot(snapshot) &&
		(CommandId) chunk->cids[r] >= snapshot->curcid;
}

/*
 * Put row i of the current batch into the slot.  With a column selection,
 * the columns not read are set to NULL once per slot and left alone after
 * that: only this scan writes its slot's arrays.
 */
static void
store_row(TsScanDesc scan, TupleTableSlot *slot, int i, uint64 rowid)
{
	int			natts = slot->tts_tupleDescriptor->natts;
	Datum	  **values = scan->vec_values;
	bool	  **isnull = scan->vec_isnull;

	ExecClearTuple(slot);
	if (scan->read_att)
	{
		if (scan->prepared_slot != slot)
		{
			for (int a = 0; a < natts; a++)
			{
				slot->tts_values[a] = (Datum) 0;
				slot->tts_isnull[a] = true;
			}
			scan->prepared_slot = slot;
		}
		for (int k = 0; k < scan->nread; k++)
		{
			int			a = scan->read_list[k];

			slot->tts_values[a] = values[a][i];
			slot->tts_isnull[a] = isnull[a][i];
		}
	}
	else
	{
		for (int a = 0; a < natts; a++)
		{
			slot->tts_values[a] = values[a][i];
			slot->tts_isnull[a] = isnull[a][i];
		}
	}
	ExecStoreVirtualTuple(slot);
	slot->tts_tableOid = RelationGetRelid(scan->base.rs_rd);
	rowid_to_tid(rowid, &slot->tts_tid);
	ts_slot_set_origin(slot, scan->in_buffered || scan->chunk.own_xact);
}

/*
 * Set up the next batch with rows left after the filters: the next vector
 * of the current chunk, the first of the next chunk, or last, the rows of
 * our transaction's write buffer.  False at the end.
 */
static bool
next_batch(TsScanDesc scan, TupleDesc desc)
{
	for (;;)
	{
		if (scan->in_buffered)
			return false;		/* the write buffer was the last batch */
		if (scan->have_chunk &&
			scan->vectors_seen < (scan->use_cand ? scan->ncand : scan->vec_hi))
		{
			int64		v = scan->vectors_seen++;

			if (scan->use_cand)
				v = scan->cand[scan->reverse_vectors ? scan->ncand - 1 - v : v];
			else if (scan->reverse_vectors)
				v = scan->reader.nvectors - 1 - v;

			/*
			 * The vector filter sees the vector's summaries before anything
			 * is set up for it: a LATERAL subquery per series prunes all but
			 * one or two of a chunk's vectors on every rescan.
			 */
			scan->vector = v;
			scan->in_buffered = false;
			if (scan->vector_filter &&
				!scan->vector_filter(scan->filter_arg, (TableScanDesc) scan))
			{
				scan->counters.vectors_pruned++;
				scan->vec_nrows = 0;
				continue;
			}
			decode_vector(scan, (uint32) v, desc);
			filter_batch(scan);
			if (scan->vec_nrows > 0)
				return true;
			continue;
		}
		if (next_chunk(scan))
			continue;
		if (scan->buffered && scan->buffered->nrows > 0)
		{
			MemoryContextReset(scan->vector_cxt);
			scan->vec_values = scan->buffered->values;
			scan->vec_isnull = scan->buffered->isnull;
			scan->vec_decoded = MemoryContextAlloc(scan->vector_cxt,
												   sizeof(int) * Max(desc->natts, 1));
			for (int a = 0; a < desc->natts; a++)
				scan->vec_decoded[a] = INT_MAX;
			scan->vec_codes = MemoryContextAllocZero(scan->vector_cxt,
													 sizeof(int32 *) * Max(desc->natts, 1));
			scan->desc = desc;
			scan->in_buffered = true;
			scan->vec_nrows = scan->buffered->nrows;
			scan->vec_pos = 0;
			filter_batch(scan);
			return scan->vec_nrows > 0;
		}
		return false;
	}
}

bool
ts_scan_getnextslot(TableScanDesc sscan, ScanDirection direction,
					TupleTableSlot *slot)
{
	TsScanDesc	scan = (TsScanDesc) sscan;

	if (direction != ForwardScanDirection && !ScanDirectionIsNoMovement(direction))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("backward scans of timeseries tables are not supported"),
				 errhint("Declare the cursor without SCROLL, or materialize the rows first.")));

	if (!scan->started)
		start_scan(scan, slot->tts_tupleDescriptor);
	scan->selected_only = true;

	for (;;)
	{
		if (scan->vec_pos < scan->vec_nrows)
		{
			int			i = scan->vec_pos++;
			uint64		rowid;

			if (scan->sel && !scan->sel[i])
				continue;
			if (scan->in_buffered)
			{
				rowid = scan->buffered->rowids[i];
				scan->last_deleted = scan->buffered_deleted && scan->buffered_deleted[i];
			}
			else
			{
				int64		r = scan->vector * scan->reader.vector_rows + i;
				int64		offset;

				if (chunk_row_hidden(&scan->chunk, scan->base.rs_snapshot, r))
					continue;
				offset = vector_row_offset(scan, i);
				rowid = (uint64) scan->chunk.first_row + offset;
				scan->last_deleted = scan->include_deleted && scan->deleted &&
					delete_mask_test(scan->deleted, offset);
			}
			store_row(scan, slot, i, rowid);
			pgstat_count_heap_getnext(scan->base.rs_rd);
			return true;
		}
		if (!next_batch(scan, slot->tts_tupleDescriptor))
			break;
	}
	ExecClearTuple(slot);
	return false;
}

/*
 * The next batch of rows as a whole, for consumers of columns (vectorized
 * aggregation): returns its number of rows (0 at the end) and sets *sel to
 * the rows to use (NULL: all).  Columns are read with ts_scan_batch_column.
 */
int
ts_scan_next_batch(TableScanDesc sscan, TupleDesc desc, const bool **sel)
{
	TsScanDesc	scan = (TsScanDesc) sscan;

	if (!scan->started)
		start_scan(scan, desc);
	if (!next_batch(scan, desc))
		return 0;

	/* rows of our own chunks that this command must not see yet */
	if (!scan->in_buffered && scan->chunk.cids != NULL &&
		IsMVCCSnapshot(scan->base.rs_snapshot))
	{
		if (scan->sel == NULL)
		{
			scan->sel = MemoryContextAlloc(scan->vector_cxt,
										   sizeof(bool) * scan->vec_nrows);
			memset(scan->sel, true, sizeof(bool) * scan->vec_nrows);
		}
		for (int i = 0; i < scan->vec_nrows; i++)
			if (chunk_row_hidden(&scan->chunk, scan->base.rs_snapshot,
								 scan->vector * scan->reader.vector_rows + i))
				scan->sel[i] = false;
	}
	scan->vec_pos = scan->vec_nrows;
	*sel = scan->sel;
	return scan->vec_nrows;
}

/*
 * Return the rows the snapshot sees deleted as well, flagged by
 * ts_scan_row_deleted: an index build indexes them, as heap indexes
 * recently dead tuples, for snapshots that still see them.
 */
void
ts_scan_set_include_deleted(TableScanDesc sscan)
{
	((TsScanDesc) sscan)->include_deleted = true;
}

/* Is the row ts_scan_getnextslot returned last deleted (include_deleted)? */
bool
ts_scan_row_deleted(TableScanDesc sscan)
{
	return ((TsScanDesc) sscan)->last_deleted;
}

/*
 * The row ids [*first, *first + *count) of the chunk the scan is reading
 * (false while it reads the transaction's unwritten rows).  A chunk's rows
 * come out in its storage order, not necessarily by row id.
 */
bool
ts_scan_chunk_rows(TableScanDesc sscan, uint64 *first, int64 *count)
{
	TsScanDesc	scan = (TsScanDesc) sscan;

	if (scan->in_buffered || !scan->have_chunk)
		return false;
	*first = (uint64) scan->chunk.first_row;
	*count = scan->chunk.row_span;
	return true;
}

void
ts_scan_set_filters(TableScanDesc sscan, const bool *read_att,
					TsChunkFilter chunk_filter, TsVectorFilter vector_filter,
					TsRowFilter row_filter, void *arg)
{
	TsScanDesc	scan = (TsScanDesc) sscan;
	int			natts = RelationGetDescr(scan->base.rs_rd)->natts;

	if (read_att)
	{
		scan->read_att = MemoryContextAlloc(scan->scan_cxt,
											sizeof(bool) * Max(natts, 1));
		memcpy(scan->read_att, read_att, sizeof(bool) * natts);
		scan->read_list = MemoryContextAlloc(scan->scan_cxt,
											 sizeof(int) * Max(natts, 1));
		scan->nread = 0;
		for (int a = 0; a < natts; a++)
			if (read_att[a])
				scan->read_list[scan->nread++] = a;
	}
	scan->chunk_filter = chunk_filter;
	scan->vector_filter = vector_filter;
	scan->row_filter = row_filter;
	scan->filter_arg = arg;
}

void
ts_scan_vector_summary(TableScanDesc sscan, int attidx, Oid typid,
					   ColumnSummary *out)
{
	TsScanDesc	scan = (TsScanDesc) sscan;
	int64		min;
	int64		max;

	memset(out, 0, sizeof(ColumnSummary));
	Assert(!scan->in_buffered);
	if (chunk_vector_range(&scan->reader, attidx, typid, (uint32) scan->vector,
						   &out->has_values, &out->has_nulls, &min, &max))
	{
		out->known = true;
		if (out->has_values)
		{
			out->min = summary_datum(typid, min);
			out->max = summary_datum(typid, max);
		}
	}
}

/*
 * The distinct values of one integer column per vector of a chunk that an
 * ordered walk keeps open across rescans: a LATERAL subquery per series
 * (`WHERE tags_id = t.id ORDER BY time DESC LIMIT 1`) walks the newest
 * chunk again for every series, and in a chunk sorted by another column
 * (hostname) each vector holds a few series whose ids span a wide range, so
 * the stored ranges prune nothing.  Built from the decoded column when the
 * chunk is walked the second time again, freed with the chunk.
 */
#define VECTOR_VALUES_MAX	64

typedef struct VectorValues
{
	struct VectorValues *next;
	int			attidx;
	int		   *nvalues;		/* per vector; -1: more than VECTOR_VALUES_MAX */
	int64	  **values;			/* per vector, sorted */
	/* the inverse: (value, vector) by value, and the vectors of -1 above */
	struct VectorValuePair *pairs;
	int			npairs;
	uint32	   *unknown;
	int			nunknown;
} VectorValues;

typedef struct VectorValuePair
{
	int64		value;
	uint32		vector;
} VectorValuePair;

static int
compare_value_pairs(const void *a, const void *b)
{
	const VectorValuePair *x = a;
	const VectorValuePair *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return (x->vector > y->vector) - (x->vector < y->vector);
}

/* qsort and bsearch order of int64 values */
int
ts_compare_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

static VectorValues *
build_vector_values(TsScanDesc scan, int attidx, Oid typid)
{
	TupleDesc	desc = RelationGetDescr(scan->base.rs_rd);
	uint32		nvectors = scan->reader.nvectors;
	MemoryContext old = MemoryContextSwitchTo(scan->chunk_cxt);
	VectorValues *vv = palloc0(sizeof(VectorValues));
	Datum	   *vals = palloc(sizeof(Datum) * scan->reader.vector_rows);
	bool	   *nulls = palloc(sizeof(bool) * scan->reader.vector_rows);
	int64	   *iv = palloc(sizeof(int64) * scan->reader.vector_rows);

	vv->attidx = attidx;
	vv->nvalues = palloc(sizeof(int) * nvectors);
	vv->values = palloc0(sizeof(int64 *) * nvectors);
	for (uint32 v = 0; v < nvectors; v++)
	{
		int			n = chunk_vector_nrows(&scan->reader, v);
		int			k = 0;
		int			d = 0;

		CHECK_FOR_INTERRUPTS();
		chunk_decode_vector(&scan->reader, desc, attidx, v, vals, nulls, NULL);
		/* runs of one value (a series' rows) count once before the sort */
		for (int i = 0; i < n; i++)
			if (!nulls[i])
			{
				int64		x = summary_int64(typid, vals[i]);

				if (k == 0 || iv[k - 1] != x)
					iv[k++] = x;
			}
		qsort(iv, k, sizeof(int64), ts_compare_int64);
		for (int i = 0; i < k && d <= VECTOR_VALUES_MAX; i++)
			if (i == 0 || iv[i] != iv[i - 1])
				iv[d++] = iv[i];
		if (d > VECTOR_VALUES_MAX)
			vv->nvalues[v] = -1;
		else
		{
			vv->nvalues[v] = d;
			vv->values[v] = palloc(sizeof(int64) * Max(d, 1));
			memcpy(vv->values[v], iv, sizeof(int64) * d);
		}
	}
	pfree(vals);
	pfree(nulls);
	pfree(iv);

	/* the inverse, for ts_scan_set_vector_probe */
	for (uint32 v = 0; v < nvectors; v++)
	{
		if (vv->nvalues[v] < 0)
			vv->nunknown++;
		else
			vv->npairs += vv->nvalues[v];
	}
	vv->pairs = palloc(sizeof(VectorValuePair) * Max(vv->npairs, 1));
	vv->unknown = palloc(sizeof(uint32) * Max(vv->nunknown, 1));
	vv->npairs = vv->nunknown = 0;
	for (uint32 v = 0; v < nvectors; v++)
	{
		if (vv->nvalues[v] < 0)
			vv->unknown[vv->nunknown++] = v;
		for (int i = 0; i < vv->nvalues[v]; i++)
		{
			vv->pairs[vv->npairs].value = vv->values[v][i];
			vv->pairs[vv->npairs].vector = v;
			vv->npairs++;
		}
	}
	qsort(vv->pairs, vv->npairs, sizeof(VectorValuePair), compare_value_pairs);
	vv->next = scan->vector_values;
	scan->vector_values = vv;
	MemoryContextSwitchTo(old);
	return vv;
}

/*
 * The exact values per vector of integer column attidx of the current
 * chunk, when it is the chunk an ordered walk keeps open across rescans and
 * has been walked at least twice again (built then, kept with the chunk);
 * else NULL.
 */
static VectorValues *
kept_chunk_values(TsScanDesc scan, int attidx, Oid typid)
{
	VectorValues *vv;

	if (scan->in_buffered || scan->cached_first_row < 0 ||
		scan->cached_first_row != scan->chunk.first_row || scan->cached_reopened < 2 ||
		attidx >= scan->reader.natts)
		return NULL;
	for (vv = scan->vector_values; vv != NULL; vv = vv->next)
		if (vv->attidx == attidx)
			return vv;
	return build_vector_values(scan, attidx, typid);
}

/*
 * True when the current vector of the chunk holds no row whose integer
 * column attidx (of type typid) equals value; false when it may, or when
 * the chunk is not one kept open across rescans.
 */
bool
ts_scan_vector_lacks_value(TableScanDesc sscan, int attidx, Oid typid, int64 value)
{
	TsScanDesc	scan = (TsScanDesc) sscan;
	VectorValues *vv;
	uint32		v;

	if (scan->vector < 0 || (vv = kept_chunk_values(scan, attidx, typid)) == NULL)
		return false;
	v = (uint32) scan->vector;
	if (vv->nvalues[v] < 0)
		return false;
	return bsearch(&value, vv->values[v], vv->nvalues[v], sizeof(int64),
				   ts_compare_int64) == NULL;
}

/*
 * Every row the scan returns until its next rescan has value in integer
 * column attidx (of type typid): in a chunk kept open across rescans, the
 * walk goes straight to the vectors holding it (a LATERAL subquery per
 * series would otherwise test every vector of the newest chunk per series).
 */
void
ts_scan_set_vector_probe(TableScanDesc sscan, int attidx, Oid typid, int64 value)
{
	TsScanDesc	scan = (TsScanDesc) sscan;

	scan->probe = true;
	scan->probe_att = attidx;
	scan->probe_type = typid;
	scan->probe_value = value;
}

/*
 * The chunk (by its first row id) and the vector the walk is at, when the
 * probe led it there: a chunk kept open across rescans, with no row of a
 * command of our transaction.  A consumer may keep what it learnt of the
 * vector for the next rescans (TopN keeps each series' best row).
 */
bool
ts_scan_probed_vector(TableScanDesc sscan, int64 *first_row, uint32 *vector)
{
	TsScanDesc	scan = (TsScanDesc) sscan;

	if (!scan->use_cand || scan->in_buffered || !scan->have_chunk ||
		scan->chunk.cids != NULL || scan->vector < 0)
		return false;
	*first_row = scan->chunk.first_row;
	*vector = (uint32) scan->vector;
	return true;
}

/* The vectors of the chunk just opened that may hold the probe's value. */
static bool
probe_candidates(TsScanDesc scan)
{
	VectorValues *vv = kept_chunk_values(scan, scan->probe_att, scan->probe_type);
	int			lo = 0;
	int			hi;
	int			n = 0;

	if (vv == NULL)
		return false;
	if (scan->cand_cap < (int) scan->reader.nvectors)
	{
		scan->cand_cap = scan->reader.nvectors;
		scan->cand = scan->cand ? repalloc(scan->cand, sizeof(uint32) * scan->cand_cap) :
			MemoryContextAlloc(scan->scan_cxt, sizeof(uint32) * scan->cand_cap);
	}
	/* the first pair with the value */
	hi = vv->npairs;
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (vv->pairs[mid].value < scan->probe_value)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (int i = lo; i < vv->npairs && vv->pairs[i].value == scan->probe_value; i++)
		scan->cand[n++] = vv->pairs[i].vector;
	for (int i = 0; i < vv->nunknown; i++)
		scan->cand[n++] = vv->unknown[i];
	/* ascending, as the walk expects (few: insertion sort) */
	for (int i = 1; i < n; i++)
	{
		uint32		x = scan->cand[i];
		int			j = i - 1;

		for (; j >= 0 && scan->cand[j] > x; j--)
			scan->cand[j + 1] = scan->cand[j];
		scan->cand[j + 1] = x;
	}
	scan->ncand = n;
	scan->counters.vectors_pruned += scan->reader.nvectors - n;
	return true;
}

/*
 * Walk the chunks in ascending order of key(arg, meta) instead of row-id
 * order, each chunk's vectors last to first when reverse_vectors; the
 * chunk filter is applied as each chunk comes up.  Not for parallel scans.
 */
void
ts_scan_set_chunk_order(TableScanDesc sscan, TsChunkKey key,
						bool reverse_vectors, void *arg)
{
	TsScanDesc	scan = (TsScanDesc) sscan;

	Assert(scan->next_claim == NULL);
	scan->order_key = key;
	scan->order_arg = arg;
	scan->reverse_vectors = reverse_vectors;
}

/*
 * End an ordered walk at the first chunk whose key is above cutoff (the
 * transaction's unwritten rows are still read); lowered as the caller
 * learns more, reset by a rescan.
 */
void
ts_scan_set_chunk_cutoff(TableScanDesc sscan, uint64 cutoff)
{
	((TsScanDesc) sscan)->order_cutoff = cutoff;
}

bool
ts_scan_vector_text_range(TableScanDesc sscan, int attidx, bool *has_values,
						  struct ChunkTextBound *min, struct ChunkTextBound *max)
{
	TsScanDesc	scan = (TsScanDesc) sscan;

	Assert(!scan->in_buffered);
	return chunk_vector_text_range(&scan->reader, attidx, (uint32) scan->vector,
								   has_values, min, max);
}

/*
 * The dictionary of the current vector of a variable-length column, for a
 * vector filter: its distinct values without decoding the rows (see
 * chunk_vector_dictionary), valid until the next call or decode.  -1 when
 * the vector is not dictionary-encoded.
 */
int
ts_scan_vector_dictionary(TableScanDesc sscan, int attidx, const char ***ptrs,
						  uint32 **lens, bool *has_nulls)
{
	TsScanDesc	scan = (TsScanDesc) sscan;
	MemoryContext old;
	int			ndict;

	Assert(!scan->in_buffered && scan->vector >= 0);
	if (scan->dict_cxt == NULL)
		scan->dict_cxt = AllocSetContextCreate(scan->scan_cxt, "timeseries scan dictionary",
											   ALLOCSET_SMALL_SIZES);
	MemoryContextReset(scan->dict_cxt);
	old = MemoryContextSwitchTo(scan->dict_cxt);
	ndict = chunk_vector_dictionary(&scan->reader, RelationGetDescr(scan->base.rs_rd),
									attidx, (uint32) scan->vector, ptrs, lens, has_nulls);
	MemoryContextSwitchTo(old);
	return ndict;
}

/*
 * Make the scan one participant of a parallel scan: the counter (in shared
 * memory, zero at the start of each scan) hands out chunks.
 */
void
ts_scan_set_parallel(TableScanDesc sscan, pg_atomic_uint64 *next_claim)
{
	TsScanDesc	scan = (TsScanDesc) sscan;

	scan->next_claim = next_claim;
}

/*
 * A consumer sees each chunk that passed the filters, before it is read, and
 * returns true when it used the chunk's metadata instead of its rows (then
 * the chunk is not read).
 */
void
ts_scan_set_chunk_consumer(TableScanDesc sscan, TsChunkFilter consumer, void *arg)
{
	TsScanDesc	scan = (TsScanDesc) sscan;

	scan->chunk_consumer = consumer;
	scan->consumer_arg = arg;
}

const TsScanCounters *
ts_scan_counters(TableScanDesc sscan)
{
	return &((TsScanDesc) sscan)->counters;
}

/*
 * Where the row at offset r from a chunk's first row id is stored.  For a
 * chunk that stores its rows in another order, the inverse of its row
 * order is built once and kept: fetches by ctid (index scans, AFTER
 * triggers, TID scans, UPDATE's fetch of the old row) come back to the same
 * chunks.  The inverses of the chunks used last are kept, at most
 * POSITION_CACHE_ROWS rows' worth (4 bytes a row) in this backend.
 */
#define POSITION_CACHE_ENTRIES	64
#define POSITION_CACHE_ROWS		(16 * 1024 * 1024)

typedef struct PositionEntry
{
	uint64		storage_id;
	int64		first_row;
	uint32		crc;
	uint32		order_crc;
	uint32		nrows;
	uint64		used;			/* last use, for eviction */
	int32	   *position;		/* by offset; NULL: free entry */
} PositionEntry;

static PositionEntry position_cache[POSITION_CACHE_ENTRIES];
static uint64 position_cache_clock = 0;
static uint64 position_cache_rows = 0;

/* The row order's inverse, by offset (in TopMemoryContext). */
static int32 *
build_positions(ChunkReader *reader)
{
	int32	   *position = MemoryContextAllocHuge(TopMemoryContext,
												  sizeof(int32) * reader->row_span);
	int32	   *offsets = palloc(sizeof(int32) * reader->vector_rows);

	memset(position, -1, sizeof(int32) * reader->row_span);
	for (uint32 v = 0; v < reader->nvectors; v++)
	{
		int			n = chunk_vector_nrows(reader, v);

		chunk_decode_row_order(reader, v, offsets);
		for (int i = 0; i < n; i++)
		{
			if (position[offsets[i]] >= 0)
			{
				pfree(position);
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("timeseries chunk at row %lld stores a row twice",
								(long long) reader->first_row)));
			}
			position[offsets[i]] = (int32) (v * reader->vector_rows) + i;
		}
	}
	pfree(offsets);
	return position;
}

static int64
chunk_position_of(ChunkReader *reader, int64 r)
{
	uint32		order_crc;
	PositionEntry *entry = NULL;
	PositionEntry *victim = &position_cache[0];

	if (!reader->row_order)
		return r;
	if (r < 0 || r >= reader->row_span)
		elog(ERROR, "timeseries: row offset %lld outside its chunk", (long long) r);

	/*
	 * Storage ids start again when the extension is re-created: the row
	 * order's own checksum tells a new chunk from a cached one.
	 */
	order_crc = chunk_row_order_checksum(reader);
	for (int i = 0; i < POSITION_CACHE_ENTRIES; i++)
	{
		PositionEntry *e = &position_cache[i];

		if (e->position != NULL && e->storage_id == reader->storage_id &&
			e->first_row == reader->first_row && e->crc == reader->crc &&
			e->nrows == reader->row_span && e->order_crc == order_crc)
		{
			entry = e;
			break;
		}
		if (victim->position != NULL && (e->position == NULL || e->used < victim->used))
			victim = e;
	}
	if (entry == NULL)
	{
		int32	   *position = build_positions(reader);

		/* make room: the entry and rows budget */
		if (victim->position != NULL)
		{
			position_cache_rows -= victim->nrows;
			pfree(victim->position);
			victim->position = NULL;
		}
		while (position_cache_rows + reader->row_span > POSITION_CACHE_ROWS)
		{
			PositionEntry *oldest = NULL;

			for (int i = 0; i < POSITION_CACHE_ENTRIES; i++)
				if (position_cache[i].position != NULL &&
					(oldest == NULL || position_cache[i].used < oldest->used))
					oldest = &position_cache[i];
			if (oldest == NULL)
				break;
			position_cache_rows -= oldest->nrows;
			pfree(oldest->position);
			oldest->position = NULL;
		}
		entry = victim;
		entry->storage_id = reader->storage_id;
		entry->first_row = reader->first_row;
		entry->crc = reader->crc;
		entry->order_crc = order_crc;
		entry->nrows = reader->row_span;
		entry->position = position;
		position_cache_rows += reader->row_span;
	}
	entry->used = ++position_cache_clock;
	return entry->position[r];
}

/*
 * Chunks opened for fetches by ctid are kept open for the next fetches:
 * their pages already read, their directories and vectors already checked.
 * A chunk never changes once written, so an entry stays valid as long as
 * its relfilenode, storage id, first row and extent are those the metadata
 * names.  At most FETCH_CACHE_ENTRIES chunks of FETCH_CACHE_BYTES in all
 * (the buffer of each is its size; pages not read stay untouched).
 */
#define FETCH_CACHE_ENTRIES 64
#define FETCH_CACHE_BYTES	((Size) 64 * 1024 * 1024)

typedef struct FetchEntry
{
	Oid			relnode;
	uint64		storage_id;
	int64		first_row;
	int32		first_block;
	int32		byte_count;
	TransactionId meta_xmin;	/* the metadata row (a rewrite may reuse */
	ItemPointerData meta_tid;	/* the same first row and extent) */
	uint64		used;
	MemoryContext cxt;			/* the reader's state; NULL: free */
	ChunkReader reader;
	LazyExtent *extent;			/* NULL for an inline chunk */
	char	   *buf;			/* the extent's bytes, kept for the next chunk */
	Size		buf_size;
} FetchEntry;

static FetchEntry fetch_cache[FETCH_CACHE_ENTRIES];
static uint64 fetch_cache_clock = 0;

/* An entry's buffer for a chunk's extent (in TopMemoryContext, reused). */
static char *
fetch_buffer(FetchEntry *entry, ChunkMeta *meta)
{
	if (meta->first_block == INLINE_BLOCK)
		return NULL;
	if (entry->buf_size < (Size) meta->byte_count)
	{
		if (entry->buf)
			pfree(entry->buf);
		entry->buf = MemoryContextAllocHuge(TopMemoryContext, meta->byte_count);
		entry->buf_size = meta->byte_count;
	}
	return entry->buf;
}

static void
fetch_entry_free(FetchEntry *entry, bool buffer_too)
{
	if (entry->cxt)
		MemoryContextDelete(entry->cxt);
	entry->cxt = NULL;
	if (buffer_too && entry->buf)
	{
		pfree(entry->buf);
		entry->buf = NULL;
		entry->buf_size = 0;
	}
}

static ChunkReader *
fetch_reader(Relation rel, ChunkMeta *meta)
{
	FetchEntry *entry = NULL;
	FetchEntry *victim = &fetch_cache[0];
	MemoryContext old;
	TsScanDescData tmp;

	for (int i = 0; i < FETCH_CACHE_ENTRIES; i++)
	{
		FetchEntry *e = &fetch_cache[i];

		if (e->cxt != NULL && e->relnode == rel->rd_node.relNode &&
			e->storage_id == meta->storage_id && e->first_row == meta->first_row &&
			e->first_block == meta->first_block && e->byte_count == meta->byte_count &&
			e->meta_xmin == meta->meta_xmin && ItemPointerEquals(&e->meta_tid, &meta->meta_tid))
		{
			entry = e;
			break;
		}
		if (victim->cxt != NULL && (e->cxt == NULL || e->used < victim->used))
			victim = e;
	}
	if (entry == NULL)
	{
		Size		cached = 0;

		entry = victim;
		fetch_entry_free(entry, false);

		/* and the least recently used others, to keep within the byte budget */
		for (int i = 0; i < FETCH_CACHE_ENTRIES; i++)
			if (&fetch_cache[i] != entry)
				cached += fetch_cache[i].buf_size;
		while (cached + Max(entry->buf_size, (Size) meta->byte_count) > FETCH_CACHE_BYTES)
		{
			FetchEntry *oldest = NULL;

			for (int i = 0; i < FETCH_CACHE_ENTRIES; i++)
				if (&fetch_cache[i] != entry && fetch_cache[i].buf_size > 0 &&
					(oldest == NULL || fetch_cache[i].used < oldest->used))
					oldest = &fetch_cache[i];
			if (oldest == NULL)
				break;
			cached -= oldest->buf_size;
			fetch_entry_free(oldest, true);
		}
		entry->relnode = rel->rd_node.relNode;
		entry->storage_id = meta->storage_id;
		entry->first_row = meta->first_row;
		entry->first_block = meta->first_block;
		entry->byte_count = meta->byte_count;
		entry->meta_xmin = meta->meta_xmin;
		entry->meta_tid = meta->meta_tid;
		entry->cxt = AllocSetContextCreate(TopMemoryContext, "timeseries fetch chunk",
										   ALLOCSET_DEFAULT_SIZES);
		old = MemoryContextSwitchTo(entry->cxt);
		PG_TRY();
		{
			ChunkMeta	copy = *meta;

			if (copy.first_block == INLINE_BLOCK)
			{
				copy.data = palloc(meta->byte_count);
				memcpy(copy.data, meta->data, meta->byte_count);
			}
			memset(&tmp, 0, sizeof(tmp));
			tmp.base.rs_rd = rel;
			open_chunk(&tmp, &copy, NULL, true, fetch_buffer(entry, &copy));
			entry->reader = tmp.reader;
			entry->extent = copy.first_block == INLINE_BLOCK ? NULL :
				(LazyExtent *) tmp.reader.load_arg;
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(old);
			MemoryContextDelete(entry->cxt);
			entry->cxt = NULL;
			PG_RE_THROW();
		}
		PG_END_TRY();
		MemoryContextSwitchTo(old);
	}
	/* the extent's pages are read through the caller's relation */
	if (entry->extent)
		entry->extent->rel = rel;
	entry->used = ++fetch_cache_clock;
	return &entry->reader;
}

/*
 * Find the chunk the snapshot sees holding row rowid and decode the row into
 * the slot (materialized); false when there is none, or the chunk holds the
 * row for a later command of our transaction than the snapshot's.
 */
static bool
fetch_from_chunk(Relation rel, uint64 storage_id, uint64 rowid, Snapshot snapshot,
				 TupleTableSlot *slot)
{
	ChunkMeta	meta;
	ChunkReader *reader;
	int64		r;
	bool		found = false;

	if (metadata_find_chunk(storage_id, rowid, snapshot, &meta))
	{
		reader = fetch_reader(rel, &meta);
		r = chunk_position_of(reader, (int64) rowid - meta.first_row);
		/* r < 0: a row VACUUM removed */
		if (r >= 0 && !chunk_row_hidden(&meta, snapshot, r))
		{
			TupleDesc	desc = slot->tts_tupleDescriptor;
			uint32		vector = (uint32) (r / reader->vector_rows);
			int			i = (int) (r % reader->vector_rows);
			int			n = chunk_vector_nrows(reader, vector);
			Datum	   *values = palloc(sizeof(Datum) * n);
			bool	   *isnull = palloc(sizeof(bool) * n);

			ExecClearTuple(slot);
			for (int a = 0; a < desc->natts; a++)
			{
				/* the values up to the row only */
				chunk_decode_vector_prefix(reader, desc, a, vector, i + 1, values, isnull,
										   NULL);
				slot->tts_values[a] = values[i];
				slot->tts_isnull[a] = isnull[i];
			}
			ExecStoreVirtualTuple(slot);
			ExecMaterializeSlot(slot);
			ts_slot_set_origin(slot, meta.own_xact);
			found = true;
		}
	}
	return found;
}

/*
 * The row as a dirty snapshot sees it, for uniqueness and exclusion checks:
 * rows of transactions in progress count, with the inserting transaction in
 * snapshot->xmin and a deleting one in snapshot->xmax, so that the caller
 * waits for them.  A row another backend still holds in its write buffer is
 * known only from its pending range (pending.c): it comes back as all NULLs,
 * to be waited for and checked again.
 */
static bool
fetch_dirty(Relation rel, uint64 storage_id, uint64 rowid, Snapshot snapshot,
			TupleTableSlot *slot)
{
	TransactionId inserter;
	TransactionId deleter;
	bool		found;

	snapshot->xmin = snapshot->xmax = InvalidTransactionId;
	snapshot->speculativeToken = 0;
	if (delete_row_dirty(storage_id, rowid, &deleter))
		return false;
	found = write_fetch_row(rel, storage_id, rowid, snapshot, slot);
	if (found)
		ts_slot_set_origin(slot, true);
	else
	{
		/* the chunk's metadata row sets xmin (and xmax) when in progress */
		snapshot->xmin = snapshot->xmax = InvalidTransactionId;
		found = fetch_from_chunk(rel, storage_id, rowid, snapshot, slot);
		if (!found)
			snapshot->xmin = snapshot->xmax = InvalidTransactionId;
	}
	if (!found)
	{
		inserter = pending_find(storage_id, rowid);
		if (!TransactionIdIsValid(inserter))
			return false;
		ExecClearTuple(slot);
		memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
		ExecStoreVirtualTuple(slot);
		snapshot->xmin = inserter;
		found = true;
	}
	if (TransactionIdIsValid(deleter))
		snapshot->xmax = deleter;
	return found;
}

/*
 * The command of our transaction that inserted a row, if ours did: heap's
 * rule is that a command cannot change or lock a row inserted by itself or
 * a later one (TM_Invisible), which ON CONFLICT DO UPDATE relies on to
 * refuse a row it inserted itself.
 */
bool
ts_row_insert_cid(Relation rel, ItemPointer tid, CommandId *cid)
{
	uint64		storage_id = storage_get_id(rel);
	uint64		rowid = tid_to_rowid(tid);
	MemoryContext cxt;
	MemoryContext old;
	ChunkMeta	meta;
	bool		found = false;

	if (storage_id == 0)
		return false;
	if (write_row_cid(rel, storage_id, rowid, cid))
		return true;
	if (!write_flushed_in_xact())
		return false;
	cxt = AllocSetContextCreate(CurrentMemoryContext, "timeseries insert cid",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	if (metadata_find_chunk(storage_id, rowid, SnapshotSelf, &meta) && meta.own_xact)
	{
		if (meta.cids)
		{
			TsScanDescData tmp;
			int64		r;

			memset(&tmp, 0, sizeof(tmp));
			tmp.base.rs_rd = rel;
			open_chunk(&tmp, &meta, NULL, true, NULL);
			r = chunk_position_of(&tmp.reader, (int64) rowid - meta.first_row);

			if (r < 0)
				elog(ERROR, "timeseries row %llu is not in its chunk", (unsigned long long) rowid);
			*cid = (CommandId) meta.cids[r];
		}
		else
			*cid = meta.cmin;
		found = true;
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return found;
}

static MemoryContext fetch_cxt = NULL;

bool
ts_fetch_row_version(Relation rel, ItemPointer tid, Snapshot snapshot,
					 TupleTableSlot *slot)
{
	uint64		storage_id;
	uint64		rowid;
	bool		found;
	MemoryContext cxt;
	MemoryContext old;

	if (!tid_is_row(tid))
		return false;
	storage_id = storage_get_id(rel);
	if (storage_id == 0)
		return false;
	rowid = tid_to_rowid(tid);

	/*
	 * Index scans fetch row after row in one context: the lookups' and the
	 * decoder's memory goes with each fetch (the slot's row is materialized
	 * in the slot's own memory).  A context kept for all fetches, reset
	 * after each, with a first block that holds a fetch's decoded vectors:
	 * memory from the allocator for every fetch costs more than the lookup
	 * (it is faulted in, then trimmed again).  A fetch within a fetch gets
	 * a context of its own.
	 */
	if (fetch_cxt == NULL)
		fetch_cxt = AllocSetContextCreate(TopMemoryContext, "timeseries fetch",
										  0, 256 * 1024, ALLOCSET_DEFAULT_MAXSIZE);
	if (CurrentMemoryContext == fetch_cxt)
		cxt = AllocSetContextCreate(CurrentMemoryContext, "timeseries nested fetch",
									ALLOCSET_DEFAULT_SIZES);
	else
		cxt = fetch_cxt;
	old = MemoryContextSwitchTo(cxt);
	if (snapshot->snapshot_type == SNAPSHOT_DIRTY)
		found = fetch_dirty(rel, storage_id, rowid, snapshot, slot);
	else if (snapshot->snapshot_type != SNAPSHOT_ANY &&
			 delete_mask_load(storage_id, (int64) rowid, 1, snapshot) != NULL)
		found = false;			/* SnapshotAny sees deleted rows too */
	else if (write_fetch_row(rel, storage_id, rowid, snapshot, slot))
	{
		ts_slot_set_origin(slot, true);
		found = true;
	}
	else
		found = fetch_from_chunk(rel, storage_id, rowid, snapshot, slot);
	MemoryContextSwitchTo(old);
	if (cxt == fetch_cxt)
		MemoryContextReset(cxt);
	else
		MemoryContextDelete(cxt);
	if (found)
	{
		slot->tts_tableOid = RelationGetRelid(rel);
		ItemPointerCopy(tid, &slot->tts_tid);
	}
	return found;
}

/*
 * Decode every row of a chunk, deleted or not, with descriptor desc into
 * values[att][base + k] in row-id order, and with rowids, each row's id
 * into rowids[base + k] (compaction, verify).  Pass-by-reference values
 * are allocated in the current memory context.
 */
void
ts_chunk_decode_rows(Relation rel, ChunkMeta *meta, TupleDesc desc,
					 Datum **values, bool **isnull, int64 *rowids, int64 base)
{
	TsScanDescData tmp;
	Datum	   *vals;
	bool	   *nulls;
	int32	   *offsets;
	int32	   *rank;
	uint32		span = (uint32) meta->row_span;
	int32		k;

	memset(&tmp, 0, sizeof(tmp));
	tmp.base.rs_rd = rel;
	open_chunk(&tmp, meta, NULL, false, NULL);
	vals = palloc(sizeof(Datum) * tmp.reader.vector_rows);
	nulls = palloc(sizeof(bool) * tmp.reader.vector_rows);

	/* each stored row's offset, then the rank of each offset among them */
	offsets = palloc_extended(sizeof(int32) * meta->row_count, MCXT_ALLOC_HUGE);
	rank = palloc_extended(sizeof(int32) * span, MCXT_ALLOC_HUGE);
	memset(rank, -1, sizeof(int32) * span);
	for (uint32 v = 0; v < tmp.reader.nvectors; v++)
	{
		int			n = chunk_vector_nrows(&tmp.reader, v);
		int32	   *o = offsets + (Size) v * tmp.reader.vector_rows;

		chunk_decode_row_order(&tmp.reader, v, o);
		for (int i = 0; i < n; i++)
		{
			if (o[i] < 0 || (uint32) o[i] >= span || rank[o[i]] >= 0)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("timeseries chunk at row %lld stores a row twice or outside its range",
								(long long) meta->first_row)));
			rank[o[i]] = 0;
		}
	}
	k = 0;
	for (uint32 r = 0; r < span; r++)
		if (rank[r] >= 0)
			rank[r] = k++;
	if (rowids)
		for (uint32 r = 0; r < span; r++)
			if (rank[r] >= 0)
				rowids[base + rank[r]] = meta->first_row + r;

	for (uint32 v = 0; v < tmp.reader.nvectors; v++)
	{
		int			n = chunk_vector_nrows(&tmp.reader, v);
		int32	   *o = offsets + (Size) v * tmp.reader.vector_rows;

		CHECK_FOR_INTERRUPTS();
		for (int a = 0; a < desc->natts; a++)
		{
			chunk_decode_vector(&tmp.reader, desc, a, v, vals, nulls, NULL);
			for (int i = 0; i < n; i++)
			{
				values[a][base + rank[o[i]]] = vals[i];
				isnull[a][base + rank[o[i]]] = nulls[i];
			}
		}
	}
	pfree(vals);
	pfree(nulls);
	pfree(offsets);
	pfree(rank);
}

/*
 * Totals over the visible chunks; with max_chunks > 0 stop after that many
 * chunks and return false (the totals then cover only those).
 */
bool
ts_table_totals_limited(Relation rel, Snapshot snapshot, TableTotals *totals,
						int64 max_chunks)
{
	bool		complete = true;

	uint64		storage_id = storage_get_id(rel);
	ChunkMetaScan *ms;
	ChunkMeta	meta;
	MemoryContext cxt;
	MemoryContext old;

	memset(totals, 0, sizeof(TableTotals));
	if (storage_id == 0)
		return true;
	cxt = AllocSetContextCreate(CurrentMemoryContext, "timeseries totals",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	ms = metadata_begin_scan(storage_id, snapshot);
	while (metadata_next(ms, &meta, false))
	{
		CHECK_FOR_INTERRUPTS();
		if (max_chunks > 0 && totals->chunks >= max_chunks)
		{
			complete = false;
			break;
		}
		totals->rows += meta.row_count;
		totals->chunks++;
		if (meta.first_block == INLINE_BLOCK)
			totals->inline_chunks++;
		totals->bytes += meta.byte_count;
		totals->raw_bytes += meta.raw_bytes;
		if (meta.cids)
			pfree(meta.cids);
	}
	metadata_end_scan(ms);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return complete;
}

/* Totals over every visible chunk, less the rows the snapshot sees deleted. */
void
ts_table_totals(Relation rel, Snapshot snapshot, TableTotals *totals)
{
	(void) ts_table_totals_limited(rel, snapshot, totals, 0);
	totals->deleted = delete_mask_count(storage_get_id(rel), snapshot);
	totals->rows -= totals->deleted;
}

/* ---------- ANALYZE ---------- */

/* Sample rows to aim for: what ANALYZE will keep, as it computes it. */
static int
analyze_target_rows(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			target = 0;

	for (int a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);
		int			t = att->attstattarget < 0 ? default_statistics_target : att->attstattarget;

		if (!att->attisdropped)
			target = Max(target, t);
	}
	return 300 * Max(target, 1);
}

/*
 * Rows from one sampling block.  Few rows from many blocks make a better
 * sample of periodic data than many rows from few blocks; each block costs
 * about one vector decode per column.
 */
#define ANALYZE_ROWS_PER_BLOCK 30

static void
analyze_prepare(TsScanDesc scan)
{
	Relation	rel = scan->base.rs_rd;
	ChunkMetaScan *ms;
	ChunkMeta	meta;
	int			cap = 64;
	int			targrows = analyze_target_rows(rel);
	int64		visited;
	int64		sampling;
	MemoryContext old = MemoryContextSwitchTo(scan->scan_cxt);

	scan->an_snapshot = RegisterSnapshot(GetLatestSnapshot());
	scan->any_deleted = delete_mask_any(scan->storage_id, scan->an_snapshot);
	scan->an_chunks = palloc(sizeof(AnalyzeChunk) * cap);
	scan->an_nchunks = 0;
	scan->an_total = 0;
	if (scan->storage_id != 0)
	{
		ms = metadata_begin_scan(scan->storage_id, scan->an_snapshot);
		while (metadata_next(ms, &meta, false))
		{
			CHECK_FOR_INTERRUPTS();
			if (scan->an_nchunks == cap)
			{
				cap *= 2;
				scan->an_chunks = repalloc_huge(scan->an_chunks, sizeof(AnalyzeChunk) * cap);
			}
			scan->an_chunks[scan->an_nchunks].meta = meta;
			scan->an_chunks[scan->an_nchunks].start = scan->an_total;
			scan->an_nchunks++;
			scan->an_total += meta.row_count;
		}
		metadata_end_scan(ms);
	}
	MemoryContextSwitchTo(old);

	scan->an_nblocks = RelationGetNumberOfBlocks(rel);
	visited = Min((int64) scan->an_nblocks, (int64) targrows);
	sampling = Min(visited, (int64) (targrows * 3 / 2 / ANALYZE_ROWS_PER_BLOCK) + 1);
	sampling = Max(sampling, 1);
	scan->an_every = (int) Max(visited / sampling, 1);
	scan->an_per_block = (int) ((targrows * 3 / 2 + sampling - 1) / sampling);
	scan->started = true;
}

bool
ts_scan_analyze_next_block(TableScanDesc sscan, BlockNumber blockno,
						   BufferAccessStrategy bstrategy)
{
	TsScanDesc	scan = (TsScanDesc) sscan;
	int64		slice;

	if (!scan->started)
		analyze_prepare(scan);
	if (scan->an_nblocks == 0 || blockno >= scan->an_nblocks)
		return false;

	scan->an_slice_lo = scan->an_total * blockno / scan->an_nblocks;
	scan->an_slice_hi = scan->an_total * (blockno + 1) / scan->an_nblocks;
	slice = scan->an_slice_hi - scan->an_slice_lo;
	scan->an_counted = false;
	scan->an_emitted = 0;
	if (blockno % scan->an_every == 0)
		scan->an_to_emit = (int) Min((int64) scan->an_per_block, slice);
	else
		scan->an_to_emit = 0;

	/*
	 * Distinct random rows of the slice, in row order so that each vector is
	 * decoded once (selection sampling, Knuth's algorithm S).
	 */
	if (scan->an_to_emit > 0)
	{
		int64		need = scan->an_to_emit;
		int			k = 0;

		if (scan->an_positions == NULL)
			scan->an_positions = MemoryContextAlloc(scan->scan_cxt,
													sizeof(int64) * scan->an_per_block);
		for (int64 i = 0; i < slice && k < need; i++)
		{
			if (pg_prng_double(&pg_global_prng_state) * (slice - i) < need - k)
				scan->an_positions[k++] = scan->an_slice_lo + i;
		}
		scan->an_to_emit = k;
	}
	return true;
}

/* Find the chunk holding cumulative row index g (binary search). */
static int
analyze_chunk_of(TsScanDesc scan, int64 g)
{
	int			lo = 0;
	int			hi = scan->an_nchunks - 1;

	while (lo < hi)
	{
		int			mid = (lo + hi + 1) / 2;

		if (scan->an_chunks[mid].start <= g)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

bool
ts_scan_analyze_next_tuple(TableScanDesc sscan, TransactionId OldestXmin,
						   double *liverows, double *deadrows,
						   TupleTableSlot *slot)
{
	TsScanDesc	scan = (TsScanDesc) sscan;
	int64		slice = scan->an_slice_hi - scan->an_slice_lo;
	int64		g;
	int			c;
	AnalyzeChunk *ac;
	int64		r;
	uint32		vector;

	if (!scan->an_counted)
	{
		/* every row of the slice counts, sampled or not */
		*liverows += slice;
		scan->an_counted = true;
	}
next_sample:
	if (scan->an_emitted >= scan->an_to_emit)
		return false;

	g = scan->an_positions[scan->an_emitted++];

	c = analyze_chunk_of(scan, g);
	ac = &scan->an_chunks[c];
	if (scan->an_cur_chunk != c)
	{
		MemoryContext old;

		MemoryContextReset(scan->vector_cxt);
		reset_chunk_cxt(scan);
		old = MemoryContextSwitchTo(scan->chunk_cxt);
		scan->chunk = ac->meta;
		if (scan->chunk.first_block == INLINE_BLOCK &&
			!metadata_find_chunk(scan->storage_id, scan->chunk.first_row,
								 scan->an_snapshot, &scan->chunk))
			elog(ERROR, "timeseries chunk vanished during ANALYZE");
		open_chunk(scan, &scan->chunk, NULL, true, NULL);
		scan->deleted = load_delete_mask(scan, scan->an_snapshot);
		MemoryContextSwitchTo(old);
		scan->an_cur_chunk = c;
		scan->an_cur_vector = -1;
	}
	r = g - ac->start;
	vector = (uint32) (r / scan->reader.vector_rows);
	if (scan->an_cur_vector != vector)
	{
		decode_vector(scan, vector, slot->tts_tupleDescriptor);
		filter_batch(scan);
		scan->an_cur_vector = vector;
	}
	if (scan->vec_nrows == 0 ||
		(scan->sel && !scan->sel[r % scan->reader.vector_rows]))
	{
		/* a deleted row: not a sample (the slice's count is approximate) */
		goto next_sample;
	}
	store_row(scan, slot, (int) (r % scan->reader.vector_rows),
			  (uint64) scan->chunk.first_row +
			  vector_row_offset(scan, (int) (r % scan->reader.vector_rows)));
	return true;
}
