/*-------------------------------------------------------------------------
 *
 * metadata.c
 *	  Chunk metadata: one row per chunk in timeseries_internal.chunk,
 *	  keyed by (storage_id, first_row).
 *
 * A chunk is visible to a snapshot exactly when its metadata row is, so
 * chunks get MVCC, rollback and crash safety from the heap.  Rows are read
 * and written with the low-level heap and index APIs, which do not check
 * privileges: the table itself is not readable by PUBLIC, as its min/max and
 * inline chunk bytes are user data.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/xact.h"
#include "storage/procarray.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/freespace.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/rel.h"

#include "delete_mask.h"
#include "metadata.h"
#include "storage.h"
#include "write.h"

enum
{
	Anum_chunk_storage_id = 1,
	Anum_chunk_first_row,
	Anum_chunk_row_count,
	Anum_chunk_flush_seq,
	Anum_chunk_first_block,
	Anum_chunk_byte_count,
	Anum_chunk_raw_bytes,
	Anum_chunk_cids,
	Anum_chunk_data,
	Anum_chunk_summary,
	Anum_chunk_row_span,
	Natts_chunk = Anum_chunk_row_span
};

/*
 * The internal tables and their (storage_id, ...) indexes, looked up by name once and
 * forgotten on any relcache invalidation of them (the extension may be
 * dropped and created again).
 */
static const char *const internal_names[2][NUM_INTERNAL_TABLES][2] = {
	{
		[INTERNAL_CHUNK] = {"chunk", "chunk_storage_row_idx"},
		[INTERNAL_DELETED_ROW] = {"deleted_row", "deleted_row_idx"},
		[INTERNAL_ROW_LOCK] = {"row_lock", "row_lock_idx"},
		[INTERNAL_PENDING_ROWS] = {"pending_rows", "pending_rows_idx"},
		[INTERNAL_FREE_EXTENT] = {"free_extent", "free_extent_idx"},
	},
	/* the unlogged twins, for the storage ids of unlogged relations */
	{
		[INTERNAL_CHUNK] = {"unlogged_chunk", "unlogged_chunk_storage_row_idx"},
		[INTERNAL_DELETED_ROW] = {"unlogged_deleted_row", "unlogged_deleted_row_idx"},
		[INTERNAL_ROW_LOCK] = {"unlogged_row_lock", "unlogged_row_lock_idx"},
		[INTERNAL_PENDING_ROWS] = {"unlogged_pending_rows", "unlogged_pending_rows_idx"},
		[INTERNAL_FREE_EXTENT] = {"unlogged_free_extent", "unlogged_free_extent_idx"},
	},
};
static Oid	internal_oids[2][NUM_INTERNAL_TABLES][2];
static bool callback_registered = false;

static void
invalidate_oids(Datum arg, Oid relid)
{
	for (int u = 0; u < 2; u++)
		for (int t = 0; t < NUM_INTERNAL_TABLES; t++)
			if (relid == InvalidOid || relid == internal_oids[u][t][0] ||
				relid == internal_oids[u][t][1])
				internal_oids[u][t][0] = internal_oids[u][t][1] = InvalidOid;
}

/*
 * The OIDs of the internal table holding a storage id's records, and of its
 * index; false when the extension is not installed in this database.
 * Callers keep them in locals: opening a relation processes invalidations,
 * which may reset the cached values.
 */
bool
metadata_lookup(InternalTable which, uint64 storage_id, Oid *heapoid, Oid *indexoid)
{
	int			u = (storage_id & STORAGE_ID_UNLOGGED) ? 1 : 0;
	Oid			nsp;
	Oid			relid;
	Oid			indexid;

	if (!OidIsValid(internal_oids[u][which][0]) || !OidIsValid(internal_oids[u][which][1]))
	{
		if (!callback_registered)
		{
			CacheRegisterRelcacheCallback(invalidate_oids, (Datum) 0);
			callback_registered = true;
		}
		nsp = get_namespace_oid("timeseries_internal", true);
		if (!OidIsValid(nsp))
			return false;

		/*
		 * Look both up before storing either: a lookup may process an
		 * invalidation, whose callback resets the cached values.
		 */
		relid = get_relname_relid(internal_names[u][which][0], nsp);
		indexid = get_relname_relid(internal_names[u][which][1], nsp);
		internal_oids[u][which][0] = relid;
		internal_oids[u][which][1] = indexid;
	}
	*heapoid = internal_oids[u][which][0];
	*indexoid = internal_oids[u][which][1];
	return OidIsValid(*heapoid) && OidIsValid(*indexoid);
}

bool
metadata_available(void)
{
	Oid			heapoid;
	Oid			indexoid;

	return metadata_lookup(INTERNAL_CHUNK, 0, &heapoid, &indexoid);
}

/* metadata_lookup, raising an error when the extension is not installed. */
void
metadata_require(InternalTable which, uint64 storage_id, Oid *heapoid, Oid *indexoid)
{
	if (!metadata_lookup(which, storage_id, heapoid, indexoid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"timeseries\" is not installed in this database"),
				 errhint("Run CREATE EXTENSION timeseries.")));
}

/*
 * The lowest page in [start, limit) with room for a tuple of len bytes, or
 * InvalidBlockNumber.  The free space map says which pages to look at; it
 * is not updated by our own inserts, so each one is checked, and corrected
 * when wrong.
 */
static BlockNumber
lowest_page_with_room(Relation heap, Size len, BlockNumber start, BlockNumber limit)
{
	BlockNumber n = Min(RelationGetNumberOfBlocks(heap), limit);
	Size		need = MAXALIGN(len);

	for (BlockNumber b = start; b < n; b++)
	{
		Buffer		buf;
		Size		avail;

		if (GetRecordedFreeSpace(heap, b) < need)
			continue;
		buf = ReadBuffer(heap, b);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		avail = PageGetHeapFreeSpace(BufferGetPage(buf));
		UnlockReleaseBuffer(buf);
		if (avail >= need)
			return b;
		RecordPageWithFreeSpace(heap, b, avail);
	}
	return InvalidBlockNumber;
}

/* No chunk row is smaller: the fixed columns and a summary header. */
#define MIN_CHUNK_ROW_BYTES 64

/* A row metadata_move_rows_down may move: its chunk and where it is. */
typedef struct MoveCandidate
{
	int64		first_row;
	ItemPointerData tid;
} MoveCandidate;

static int
compare_tid_desc(const void *a, const void *b)
{
	return ItemPointerCompare((ItemPointer) &((const MoveCandidate *) b)->tid,
							  (ItemPointer) &((const MoveCandidate *) a)->tid);
}

/*
 * Insert a chunk's metadata row.  With old_tid, the row replaces that one
 * (same chunk) only if a page from *low up to below it has room, and *low
 * becomes that page; false otherwise.
 */
static bool
insert_chunk_row(const ChunkMeta *chunk, CommandId cid, ItemPointer old_tid,
				 BlockNumber *low)
{
	Relation	heap;
	Relation	index;
	IndexInfo  *ii;
	Datum		values[Natts_chunk];
	bool		nulls[Natts_chunk];
	HeapTuple	tuple;
	Datum		ivalues[2];
	bool		inulls[2] = {false, false};
	Oid			heapoid;
	Oid			indexoid;

	metadata_require(INTERNAL_CHUNK, chunk->storage_id, &heapoid, &indexoid);
	heap = table_open(heapoid, RowExclusiveLock);
	index = index_open(indexoid, RowExclusiveLock);

	memset(nulls, 0, sizeof(nulls));
	values[Anum_chunk_storage_id - 1] = Int64GetDatum((int64) chunk->storage_id);
	values[Anum_chunk_first_row - 1] = Int64GetDatum(chunk->first_row);
	values[Anum_chunk_row_count - 1] = Int32GetDatum(chunk->row_count);
	values[Anum_chunk_flush_seq - 1] = Int64GetDatum(chunk->flush_seq);
	values[Anum_chunk_first_block - 1] = Int32GetDatum(chunk->first_block);
	values[Anum_chunk_byte_count - 1] = Int32GetDatum(chunk->byte_count);
	values[Anum_chunk_raw_bytes - 1] = Int64GetDatum(chunk->raw_bytes);
	if (chunk->cids)
	{
		Size		len = sizeof(int32) * chunk->row_count;
		bytea	   *b = palloc(len + VARHDRSZ);

		SET_VARSIZE(b, len + VARHDRSZ);
		memcpy(VARDATA(b), chunk->cids, len);
		values[Anum_chunk_cids - 1] = PointerGetDatum(b);
	}
	else
		nulls[Anum_chunk_cids - 1] = true;
	if (chunk->data)
	{
		bytea	   *b = palloc(chunk->byte_count + VARHDRSZ);

		SET_VARSIZE(b, chunk->byte_count + VARHDRSZ);
		memcpy(VARDATA(b), chunk->data, chunk->byte_count);
		values[Anum_chunk_data - 1] = PointerGetDatum(b);
	}
	else
		nulls[Anum_chunk_data - 1] = true;
	if (chunk->summary)
		values[Anum_chunk_summary - 1] = PointerGetDatum(chunk->summary);
	else
		nulls[Anum_chunk_summary - 1] = true;
	/* a span of 0 (callers that never leave holes) is the row count */
	if (chunk->row_span > chunk->row_count)
		values[Anum_chunk_row_span - 1] = Int32GetDatum(chunk->row_span);
	else
		nulls[Anum_chunk_row_span - 1] = true;

	tuple = heap_form_tuple(RelationGetDescr(heap), values, nulls);
	if (old_tid)
	{
		BlockNumber b = lowest_page_with_room(heap, tuple->t_len, *low,
											  ItemPointerGetBlockNumber(old_tid));

		if (!BlockNumberIsValid(b))
		{
			heap_freetuple(tuple);
			index_close(index, RowExclusiveLock);
			table_close(heap, RowExclusiveLock);
			return false;
		}
		simple_heap_delete(heap, old_tid);
		RelationSetTargetBlock(heap, b);
		*low = b;
	}
	heap_insert(heap, tuple, cid, 0, NULL);
	pgstat_count_heap_insert(heap, 1);

	ivalues[0] = values[Anum_chunk_storage_id - 1];
	ivalues[1] = values[Anum_chunk_first_row - 1];
	ii = BuildIndexInfo(index);
	index_insert(index, ivalues, inulls, &tuple->t_self, heap,
				 UNIQUE_CHECK_YES, false, ii);

	heap_freetuple(tuple);
	index_close(index, RowExclusiveLock);
	table_close(heap, RowExclusiveLock);
	return true;
}

void
metadata_insert_chunk(const ChunkMeta *chunk, CommandId cid)
{
	(void) insert_chunk_row(chunk, cid, NULL, NULL);
}

/*
 * VACUUM: the rows of a storage's page chunks that sit above a page with
 * room for them are replaced by copies there, highest first, at most
 * max_rows; returns how many.  The heap puts a new row wherever its free
 * space map points, often on the file's last pages, and a live row there
 * keeps the pages compacted inline chunks emptied in the file.  As when a
 * chunk's extent is moved (compact_relocate_tail), the row is replaced in
 * the caller's transaction, so every snapshot sees one version or the
 * other; nothing else changes.  The caller holds the table's
 * ShareUpdateExclusiveLock, so no one else replaces or deletes these rows
 * meanwhile.  Cost: one pass over the free space map for the lowest page
 * with room, then a search from there per row moved; it stops at the first
 * row that finds none below it.  Memory: the position of each row above
 * that page, not the rows.
 */
int
metadata_move_rows_down(uint64 storage_id, int max_rows)
{
	Snapshot	snapshot;
	ChunkMetaScan *ms;
	ChunkMeta	meta;
	MoveCandidate *rows = NULL;
	int			n = 0;
	int			cap = 0;
	int			moved = 0;
	BlockNumber low;
	Oid			heapoid;
	Oid			indexoid;
	Relation	heap;

	if (storage_id == 0)
		return 0;
	metadata_require(INTERNAL_CHUNK, storage_id, &heapoid, &indexoid);
	heap = table_open(heapoid, AccessShareLock);
	low = lowest_page_with_room(heap, MIN_CHUNK_ROW_BYTES, 0, InvalidBlockNumber);
	table_close(heap, AccessShareLock);
	if (!BlockNumberIsValid(low))
		return 0;

	/* the candidates: where each row is (memory per row above low only) */
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	ms = metadata_begin_scan(storage_id, snapshot);
	while (metadata_next(ms, &meta, false))
	{
		CHECK_FOR_INTERRUPTS();
		if (meta.first_block == INLINE_BLOCK || meta.own_xact || meta.cids != NULL ||
			ItemPointerGetBlockNumber(&meta.meta_tid) <= low)
			continue;
		if (n == cap)
		{
			cap = Max(64, cap * 2);
			rows = rows ? repalloc_huge(rows, sizeof(MoveCandidate) * cap) :
				palloc(sizeof(MoveCandidate) * cap);
		}
		rows[n].first_row = meta.first_row;
		rows[n].tid = meta.meta_tid;
		n++;
	}
	metadata_end_scan(ms);

	if (n > 0)
		qsort(rows, n, sizeof(MoveCandidate), compare_tid_desc);
	for (int i = 0; i < n && moved < max_rows; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (ItemPointerGetBlockNumber(&rows[i].tid) <= low)
			break;
		if (!metadata_find_chunk(storage_id, (uint64) rows[i].first_row, snapshot, &meta) ||
			meta.first_row != rows[i].first_row ||
			!ItemPointerEquals(&meta.meta_tid, &rows[i].tid))
			continue;
		/* a row of this transaction now, as for a moved extent */
		meta.flush_seq = write_take_flush_seq();
		if (!insert_chunk_row(&meta, GetCurrentCommandId(true), &meta.meta_tid, &low))
			break;
		moved++;
		CommandCounterIncrement();
	}
	UnregisterSnapshot(snapshot);
	if (rows)
		pfree(rows);
	return moved;
}

ChunkMetaScan *
metadata_begin_scan(uint64 storage_id, Snapshot snapshot)
{
	ChunkMetaScan *scan = palloc0(sizeof(ChunkMetaScan));
	ScanKeyData key;
	Oid			heapoid;
	Oid			indexoid;

	metadata_require(INTERNAL_CHUNK, storage_id, &heapoid, &indexoid);
	scan->heap = table_open(heapoid, AccessShareLock);
	scan->index = index_open(indexoid, AccessShareLock);
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) storage_id));
	scan->scan = systable_beginscan_ordered(scan->heap, scan->index, snapshot,
											1, &key);
	scan->cxt = CurrentMemoryContext;
	return scan;
}

static void
tuple_to_chunk(Relation heap, HeapTuple tuple, ChunkMeta *chunk, bool with_data)
{
	Datum		values[Natts_chunk];
	bool		nulls[Natts_chunk];

	heap_deform_tuple(tuple, RelationGetDescr(heap), values, nulls);
	chunk->storage_id = (uint64) DatumGetInt64(values[Anum_chunk_storage_id - 1]);
	chunk->first_row = DatumGetInt64(values[Anum_chunk_first_row - 1]);
	chunk->row_count = DatumGetInt32(values[Anum_chunk_row_count - 1]);
	chunk->row_span = nulls[Anum_chunk_row_span - 1] ? chunk->row_count :
		DatumGetInt32(values[Anum_chunk_row_span - 1]);
	chunk->flush_seq = DatumGetInt64(values[Anum_chunk_flush_seq - 1]);
	chunk->first_block = DatumGetInt32(values[Anum_chunk_first_block - 1]);
	chunk->byte_count = DatumGetInt32(values[Anum_chunk_byte_count - 1]);
	chunk->raw_bytes = DatumGetInt64(values[Anum_chunk_raw_bytes - 1]);
	chunk->own_xact =
		TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tuple->t_data));
	chunk->meta_xmin = HeapTupleHeaderGetRawXmin(tuple->t_data);
	chunk->meta_tid = tuple->t_self;
	chunk->cmin = chunk->own_xact ?
		HeapTupleHeaderGetRawCommandId(tuple->t_data) : InvalidCommandId;
	chunk->cids = NULL;
	chunk->data = NULL;
	chunk->summary = NULL;

	if (chunk->row_count <= 0 || chunk->byte_count <= 0 ||
		chunk->row_span < chunk->row_count ||
		(chunk->first_block != INLINE_BLOCK && chunk->first_block <= 0))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("timeseries chunk metadata is corrupted for storage %llu row %lld",
						(unsigned long long) chunk->storage_id,
						(long long) chunk->first_row)));

	/* per-row command ids only matter to the transaction that wrote them */
	if (!nulls[Anum_chunk_cids - 1] && chunk->own_xact)
	{
		bytea	   *b = DatumGetByteaPP(values[Anum_chunk_cids - 1]);

		if (VARSIZE_ANY_EXHDR(b) != sizeof(int32) * (Size) chunk->row_count)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("timeseries chunk command ids are corrupted")));
		chunk->cids = palloc(VARSIZE_ANY_EXHDR(b));
		memcpy(chunk->cids, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
	}
	if (with_data && chunk->first_block == INLINE_BLOCK)
	{
		bytea	   *b;

		if (nulls[Anum_chunk_data - 1])
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("inline timeseries chunk has no data")));
		b = DatumGetByteaPP(values[Anum_chunk_data - 1]);
		if (VARSIZE_ANY_EXHDR(b) != (Size) chunk->byte_count)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("inline timeseries chunk has %zu bytes, expected %d",
							VARSIZE_ANY_EXHDR(b), chunk->byte_count)));
		chunk->data = palloc(chunk->byte_count);
		memcpy(chunk->data, VARDATA_ANY(b), chunk->byte_count);
	}
	if (!nulls[Anum_chunk_summary - 1])
		chunk->summary = DatumGetByteaPCopy(values[Anum_chunk_summary - 1]);
}

/*
 * The next chunk, its fields copied into the current memory context.  The
 * index scan runs in the context the scan began in: btree allocates state
 * there on the way (the items it marks dead once their heap rows are), and
 * callers reset their current context per chunk.
 */
bool
metadata_next(ChunkMetaScan *scan, ChunkMeta *chunk, bool with_data)
{
	MemoryContext old = MemoryContextSwitchTo(scan->cxt);
	HeapTuple	tuple = systable_getnext_ordered(scan->scan, ForwardScanDirection);

	MemoryContextSwitchTo(old);

	if (!HeapTupleIsValid(tuple))
		return false;
	tuple_to_chunk(scan->heap, tuple, chunk, with_data);
	return true;
}

/*
 * Whether a deleted metadata row may still be visible to some snapshot: its
 * inserter committed (or is in progress) and its deleter is in progress, or
 * committed after the oldest snapshot's horizon.
 */
static bool
deleted_row_may_be_seen(Relation heap, HeapTuple tuple)
{
	HeapTupleHeader t = tuple->t_data;
	TransactionId xmax;

	if ((t->t_infomask & HEAP_XMAX_INVALID) || HEAP_XMAX_IS_LOCKED_ONLY(t->t_infomask))
		return false;			/* not deleted */
	if (metadata_record_may_be_live(tuple))
		return true;			/* the deleter is in progress (or aborted) */
	xmax = HeapTupleHeaderGetUpdateXid(t);
	if (!TransactionIdDidCommit(xmax))
		return false;			/* the inserter aborted */
	return !GlobalVisTestIsRemovableXid(GlobalVisTestFor(heap), xmax);
}

void
metadata_free_chunk_copies(ChunkMeta *chunk)
{
	if (chunk->data)
		pfree(chunk->data);
	if (chunk->summary)
		pfree(chunk->summary);
	if (chunk->cids)
		pfree(chunk->cids);
	chunk->data = NULL;
	chunk->summary = NULL;
	chunk->cids = NULL;
}

/* Whether a chunk visible to snapshot holds the first or last row id of chunk. */
static bool
chunk_covered(const ChunkMeta *chunk, Snapshot snapshot)
{
	int64		ends[2] = {chunk->first_row, chunk->first_row + chunk->row_span - 1};

	for (int i = 0; i < 2; i++)
	{
		ChunkMeta	visible;

		if (metadata_find_chunk(chunk->storage_id, (uint64) ends[i], snapshot, &visible))
		{
			metadata_free_chunk_copies(&visible);
			return true;
		}
	}
	return false;
}

/*
 * The chunks whose metadata row was deleted by a transaction that some
 * snapshot may not see yet (heap's RECENTLY_DEAD and DELETE_IN_PROGRESS),
 * and whose row ids no chunk visible to snapshot covers: the old chunks of
 * CLUSTER and drop_chunks, not those compaction replaced by chunks with the
 * same row ids.  An index build indexes their rows as not alive, so that
 * older snapshots still find them, as heap's builds do.
 */
bool
metadata_next_deleted(ChunkMetaScan *scan, Snapshot snapshot, ChunkMeta *chunk)
{
	for (;;)
	{
		MemoryContext old = MemoryContextSwitchTo(scan->cxt);
		HeapTuple	tuple = systable_getnext_ordered(scan->scan, ForwardScanDirection);

		MemoryContextSwitchTo(old);
		if (!HeapTupleIsValid(tuple))
			return false;
		CHECK_FOR_INTERRUPTS();
		if (!deleted_row_may_be_seen(scan->heap, tuple))
			continue;
		tuple_to_chunk(scan->heap, tuple, chunk, true);
		if (chunk_covered(chunk, snapshot))
		{
			metadata_free_chunk_copies(chunk);
			continue;
		}
		return true;
	}
}

void
metadata_end_scan(ChunkMetaScan *scan)
{
	systable_endscan_ordered(scan->scan);
	index_close(scan->index, AccessShareLock);
	table_close(scan->heap, AccessShareLock);
	pfree(scan);
}

/*
 * Planning reads a table's chunk metadata more than once: the size
 * estimate, the share of rows the quals keep, a bucketed column's range.
 * The rows read under the active snapshot are kept until the memory context
 * the planner runs in goes away, or the next read of another table or under
 * another snapshot (compared by its contents too: a snapshot taken later at
 * the same address sees the same rows only if it has the same bounds, the
 * same transactions in progress and the same command id).
 */
typedef struct PlanningChunks
{
	uint64		storage_id;
	Snapshot	snapshot;
	SnapshotData snapdata;		/* its contents, xip and subxip copied */
	MemoryContext cxt;
	MemoryContextCallback forget;
	ChunkMeta  *chunks;
	int			nchunks;
	bool		complete;		/* every visible chunk, not the first ones */
} PlanningChunks;

#define PLANNING_MAX_CHUNKS 10000

static PlanningChunks *planning_chunks = NULL;

static void
forget_planning_chunks(void *arg)
{
	planning_chunks = NULL;
}

static bool
planning_chunks_valid(uint64 storage_id, Snapshot snap)
{
	PlanningChunks *p = planning_chunks;
	Snapshot	s;

	if (p == NULL || p->storage_id != storage_id || p->snapshot != snap)
		return false;
	s = &p->snapdata;
	return s->snapshot_type == snap->snapshot_type &&
		s->xmin == snap->xmin && s->xmax == snap->xmax &&
		s->curcid == snap->curcid &&
		s->xcnt == snap->xcnt && s->subxcnt == snap->subxcnt &&
		s->suboverflowed == snap->suboverflowed &&
		s->takenDuringRecovery == snap->takenDuringRecovery &&
		(s->xcnt == 0 ||
		 memcmp(s->xip, snap->xip, sizeof(TransactionId) * s->xcnt) == 0) &&
		(s->subxcnt == 0 ||
		 memcmp(s->subxip, snap->subxip, sizeof(TransactionId) * s->subxcnt) == 0);
}

/*
 * The visible chunks of a storage id under the active snapshot, in row-id
 * order, without inline data: at most max_chunks of them, and false when
 * there are more (only the first are returned then).
 */
bool
metadata_planning_chunks(uint64 storage_id, int max_chunks,
						 const ChunkMeta **chunks, int *nchunks)
{
	Snapshot	snap = GetActiveSnapshot();

	if (!planning_chunks_valid(storage_id, snap))
	{
		MemoryContext cxt;
		MemoryContext old;
		PlanningChunks *p;
		ChunkMetaScan *ms;
		int			cap = 64;

		if (planning_chunks)
			MemoryContextDelete(planning_chunks->cxt);
		Assert(planning_chunks == NULL);
		cxt = AllocSetContextCreate(CurrentMemoryContext,
									"timeseries planning chunks",
									ALLOCSET_DEFAULT_SIZES);
		old = MemoryContextSwitchTo(cxt);
		p = palloc0(sizeof(PlanningChunks));
		p->storage_id = storage_id;
		p->snapshot = snap;
		p->snapdata = *snap;
		p->snapdata.xip = snap->xcnt > 0 ?
			memcpy(palloc(sizeof(TransactionId) * snap->xcnt), snap->xip,
				   sizeof(TransactionId) * snap->xcnt) : NULL;
		p->snapdata.subxip = snap->subxcnt > 0 ?
			memcpy(palloc(sizeof(TransactionId) * snap->subxcnt), snap->subxip,
				   sizeof(TransactionId) * snap->subxcnt) : NULL;
		p->cxt = cxt;
		p->chunks = palloc(sizeof(ChunkMeta) * cap);
		p->complete = true;
		ms = metadata_begin_scan(storage_id, snap);
		for (;;)
		{
			CHECK_FOR_INTERRUPTS();
			if (p->nchunks == cap)
			{
				cap *= 2;
				p->chunks = repalloc(p->chunks, sizeof(ChunkMeta) * cap);
			}
			if (!metadata_next(ms, &p->chunks[p->nchunks], false))
				break;
			if (++p->nchunks > PLANNING_MAX_CHUNKS)
			{
				p->nchunks--;
				p->complete = false;
				break;
			}
		}
		metadata_end_scan(ms);
		MemoryContextSwitchTo(old);
		p->forget.func = forget_planning_chunks;
		MemoryContextRegisterResetCallback(cxt, &p->forget);
		planning_chunks = p;
	}
	*chunks = planning_chunks->chunks;
	*nchunks = Min(planning_chunks->nchunks, max_chunks);
	return planning_chunks->complete && planning_chunks->nchunks <= max_chunks;
}

bool
metadata_find_chunk(uint64 storage_id, uint64 rowid, Snapshot snapshot,
					ChunkMeta *chunk)
{
	Relation	heap;
	Relation	index;
	SysScanDesc scan;
	ScanKeyData keys[2];
	HeapTuple	tuple;
	bool		found = false;
	Oid			heapoid;
	Oid			indexoid;

	metadata_require(INTERNAL_CHUNK, storage_id, &heapoid, &indexoid);
	heap = table_open(heapoid, AccessShareLock);
	index = index_open(indexoid, AccessShareLock);
	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) storage_id));
	ScanKeyInit(&keys[1], 2, BTLessEqualStrategyNumber, F_INT8LE,
				Int64GetDatum((int64) rowid));
	scan = systable_beginscan_ordered(heap, index, snapshot, 2, keys);
	tuple = systable_getnext_ordered(scan, BackwardScanDirection);

	/*
	 * SnapshotAny (fetches of a row known to exist: triggers, row locks,
	 * UPDATE's old row) also returns rows of chunks whose writer aborted and
	 * of chunks replaced: their extents may hold other chunks by now.  A
	 * chunk deleted by a transaction some snapshot does not see yet (CLUSTER
	 * wrote its rows again under new row ids), whose extent is still its
	 * own, is taken when no live chunk holds the row: an older snapshot's
	 * UPDATE fetches the row from it, then finds it gone.
	 */
	if (snapshot->snapshot_type == SNAPSHOT_ANY)
	{
		HeapTuple	recent = NULL;

		while (HeapTupleIsValid(tuple) && !metadata_record_may_be_live(tuple))
		{
			if (recent == NULL && deleted_row_may_be_seen(heap, tuple))
				recent = heap_copytuple(tuple);
			tuple = systable_getnext_ordered(scan, BackwardScanDirection);
		}
		if (HeapTupleIsValid(tuple))
		{
			tuple_to_chunk(heap, tuple, chunk, true);
			found = rowid < (uint64) (chunk->first_row + chunk->row_span);
		}
		if (!found && recent != NULL)
		{
			tuple_to_chunk(heap, recent, chunk, true);
			found = rowid < (uint64) (chunk->first_row + chunk->row_span);
		}
		if (recent != NULL)
			heap_freetuple(recent);
	}
	else if (HeapTupleIsValid(tuple))
	{
		tuple_to_chunk(heap, tuple, chunk, true);
		found = rowid < (uint64) (chunk->first_row + chunk->row_span);
	}
	systable_endscan_ordered(scan);
	index_close(index, AccessShareLock);
	table_close(heap, AccessShareLock);
	return found;
}

/*
 * False when a record is dead to every transaction, or will be whatever
 * happens: its inserter aborted, or a committed transaction deleted it.
 * Rows of transactions in progress, ours included, may be live.
 */
bool
metadata_record_may_be_live(HeapTuple tuple)
{
	HeapTupleHeader t = tuple->t_data;
	TransactionId xmin = HeapTupleHeaderGetXmin(t);
	TransactionId xmax;

	if (TransactionIdIsNormal(xmin) && !HeapTupleHeaderXminCommitted(t) &&
		!TransactionIdIsCurrentTransactionId(xmin) && !TransactionIdIsInProgress(xmin) &&
		!TransactionIdDidCommit(xmin))
		return false;			/* its inserter aborted or crashed */
	if ((t->t_infomask & HEAP_XMAX_INVALID) || HEAP_XMAX_IS_LOCKED_ONLY(t->t_infomask))
		return true;
	xmax = HeapTupleHeaderGetUpdateXid(t);
	if (!TransactionIdIsNormal(xmax) || TransactionIdIsCurrentTransactionId(xmax) ||
		TransactionIdIsInProgress(xmax))
		return true;
	return !TransactionIdDidCommit(xmax);
}

/*
 * Delete the metadata rows of a storage id's chunks starting in [lo, hi];
 * with free_extents, their page extents go to the free list.
 */
static int
delete_chunk_rows(uint64 storage_id, int64 lo, int64 hi, bool free_extents)
{
	RecordScan	rs;
	HeapTuple	tuple;
	int			n = 0;

	metadata_begin_records(&rs, INTERNAL_CHUNK, storage_id, lo, hi, SnapshotSelf,
						   RowExclusiveLock);
	while (HeapTupleIsValid(tuple = metadata_next_record(&rs)))
	{
		ChunkMeta	chunk;

		tuple_to_chunk(rs.heap, tuple, &chunk, false);
		simple_heap_delete(rs.heap, &tuple->t_self);
		if (free_extents && chunk.first_block != INLINE_BLOCK)
			storage_free_extent(storage_id, (BlockNumber) chunk.first_block,
								(int32) ((chunk.byte_count + EXTENT_PAGE_BYTES - 1) /
										 EXTENT_PAGE_BYTES),
								true);
		n++;
	}
	metadata_end_records(&rs, RowExclusiveLock);
	return n;
}

/* Delete the metadata row of one chunk; false when there is none. */
bool
metadata_delete_chunk(uint64 storage_id, int64 first_row)
{
	return delete_chunk_rows(storage_id, first_row, first_row, true) > 0;
}

void
metadata_delete_storage(uint64 storage_id)
{
	Oid			heapoid;
	Oid			indexoid;

	if (storage_id == 0 || !metadata_lookup(INTERNAL_CHUNK, storage_id, &heapoid, &indexoid))
		return;
	delete_mask_drop_storage(storage_id);

	/*
	 * Chunks written by this very command (ON COMMIT DELETE ROWS right after
	 * the commit-time flush) are only deletable once the command counter has
	 * moved past them.
	 */
	CommandCounterIncrement();
	(void) delete_chunk_rows(storage_id, 0, PG_INT64_MAX, false);
	storage_drop_free_extents(storage_id);
}

void
metadata_begin_records(RecordScan *rs, InternalTable table, uint64 storage_id,
					   int64 lo, int64 hi, Snapshot snapshot, LOCKMODE lockmode)
{
	ScanKeyData keys[3];
	Oid			heapoid;
	Oid			indexoid;

	metadata_require(table, storage_id, &heapoid, &indexoid);
	rs->heap = table_open(heapoid, lockmode);
	rs->index = index_open(indexoid, lockmode);
	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) storage_id));
	ScanKeyInit(&keys[1], 2, BTGreaterEqualStrategyNumber, F_INT8GE,
				Int64GetDatum(lo));
	ScanKeyInit(&keys[2], 2, BTLessEqualStrategyNumber, F_INT8LE,
				Int64GetDatum(hi));
	rs->scan = systable_beginscan_ordered(rs->heap, rs->index, snapshot, 3, keys);
	rs->cxt = CurrentMemoryContext;
}

/* (The index scan runs in the context the scan began in: see metadata_next.) */
HeapTuple
metadata_next_record(RecordScan *rs)
{
	MemoryContext old = MemoryContextSwitchTo(rs->cxt);
	HeapTuple	tuple = systable_getnext_ordered(rs->scan, ForwardScanDirection);

	MemoryContextSwitchTo(old);
	return tuple;
}

HeapTuple
metadata_prev_record(RecordScan *rs)
{
	MemoryContext old = MemoryContextSwitchTo(rs->cxt);
	HeapTuple	tuple = systable_getnext_ordered(rs->scan, BackwardScanDirection);

	MemoryContextSwitchTo(old);
	return tuple;
}

void
metadata_end_records(RecordScan *rs, LOCKMODE lockmode)
{
	systable_endscan_ordered(rs->scan);
	index_close(rs->index, lockmode);
	table_close(rs->heap, lockmode);
}

/* Insert a record into an internal table and its index; returns its tid. */
ItemPointerData
metadata_insert_record(InternalTable table, Datum *values, bool *nulls,
					   CommandId cid, IndexUniqueCheck check)
{
	Relation	heap;
	Relation	index;
	HeapTuple	tuple;
	ItemPointerData tid;
	Oid			heapoid;
	Oid			indexoid;

	metadata_require(table, (uint64) DatumGetInt64(values[0]), &heapoid, &indexoid);
	heap = table_open(heapoid, RowExclusiveLock);
	index = index_open(indexoid, RowExclusiveLock);
	tuple = heap_form_tuple(RelationGetDescr(heap), values, nulls);
	heap_insert(heap, tuple, cid, 0, NULL);
	index_insert(index, values, nulls, &tuple->t_self, heap, check, false,
				 BuildIndexInfo(index));
	tid = tuple->t_self;
	heap_freetuple(tuple);
	index_close(index, RowExclusiveLock);
	table_close(heap, RowExclusiveLock);
	return tid;
}
