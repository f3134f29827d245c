/*-------------------------------------------------------------------------
 *
 * storage.c
 *	  Metapage, page extents and row-id allocation in the main fork.
 *
 * Block 0 is the metapage: format version, the storage id that keys all of
 * the relation's metadata rows, and the row-id counter.  Every other block
 * belongs to the extent of exactly one chunk and is written once, as a
 * whole new page, WAL-logged with log_newpages() (32 pages per record); the
 * row-id counter is updated with generic WAL.  Nothing here needs a custom
 * resource manager, so crash recovery, streaming replicas, PITR and
 * pg_basebackup work unchanged.
 *
 * The storage id is created with the metapage on the first write, so a new
 * relfilenode (CREATE, TRUNCATE) gets a new id and the metadata of the old one
 * can be deleted transactionally.  It travels with the data on SET
 * TABLESPACE, which copies the fork.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "access/xloginsert.h"
#include "catalog/storage.h"
#include "catalog/namespace.h"
#include "commands/sequence.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "metadata.h"
#include "storage.h"

#define META_MAGIC		0x54534D31	/* "TSM1" */
#define META_VERSION	1

typedef struct MetaPageData
{
	uint32		magic;
	uint32		version;
	uint64		storage_id;
	uint64		next_row_id;
} MetaPageData;

/* What rd_amcache holds for a timeseries relation. */
typedef struct StorageCache
{
	uint64		storage_id;
} StorageCache;

static MetaPageData *
meta_of(Page page)
{
	return (MetaPageData *) PageGetContents(page);
}

static void
check_meta(Relation rel, MetaPageData *meta)
{
	if (meta->magic != META_MAGIC || meta->version != META_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("metapage of timeseries table \"%s\" is corrupted",
						RelationGetRelationName(rel))));
}

static void
cache_id(Relation rel, uint64 id)
{
	StorageCache *cache;

	if (rel->rd_amcache == NULL)
		rel->rd_amcache = MemoryContextAllocZero(CacheMemoryContext,
												 sizeof(StorageCache));
	cache = (StorageCache *) rel->rd_amcache;
	cache->storage_id = id;
}

/*
 * Storage id from the metapage, or 0 when there is none yet.  Block 0 can
 * exist as an all-zero page: the first write extends the fork before its WAL
 * record is flushed, and a crash in between leaves the extension but not the
 * page.  That is a table with no storage yet, like a zero page in a heap.
 * With quiet, a corrupted metapage also yields 0 (with a WARNING), for the
 * drop hook: a broken table must still be droppable.
 */
uint64
storage_get_id_extended(Relation rel, bool quiet)
{
	Buffer		buf;
	Page		page;
	MetaPageData *meta;
	uint64		id;

	if (rel->rd_amcache != NULL)
		return ((StorageCache *) rel->rd_amcache)->storage_id;

	if (RelationGetNumberOfBlocks(rel) == 0)
		return 0;				/* not cached: the first write creates it */

	buf = ReadBufferExtended(rel, MAIN_FORKNUM, 0, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	meta = meta_of(page);
	if (PageIsNew(page) ||
		(quiet && (meta->magic != META_MAGIC || meta->version != META_VERSION)))
	{
		if (!PageIsNew(page))
			ereport(WARNING,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("metapage of timeseries table \"%s\" is corrupted",
							RelationGetRelationName(rel))));
		UnlockReleaseBuffer(buf);
		return 0;
	}
	check_meta(rel, meta);
	id = meta->storage_id;
	UnlockReleaseBuffer(buf);

	cache_id(rel, id);
	return id;
}

uint64
storage_get_id(Relation rel)
{
	return storage_get_id_extended(rel, false);
}

static Oid
storage_id_sequence(void)
{
	Oid			nsp = get_namespace_oid("timeseries_internal", true);
	Oid			seq = OidIsValid(nsp) ? get_relname_relid("storage_id_seq", nsp) : InvalidOid;

	if (!OidIsValid(seq))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"timeseries\" is not installed in this database"),
				 errhint("Run CREATE EXTENSION timeseries.")));
	return seq;
}

uint64
storage_get_or_create_id(Relation rel)
{
	uint64		id = storage_get_id(rel);
	bool		local = RELATION_IS_LOCAL(rel);
	uint64		new_id;
	Buffer		buf;
	Page		page;

	if (id != 0)
		return id;

	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot write to a timeseries table during recovery")));

	/*
	 * Take the id before the extension lock: nextval() takes heavyweight
	 * locks, which must not be acquired while holding it.  A backend that
	 * loses the race below wastes an id, which is harmless.
	 */
	new_id = (uint64) nextval_internal(storage_id_sequence(), false);

	if (!local)
		LockRelationForExtension(rel, ExclusiveLock);
	if (RelationGetNumberOfBlocks(rel) == 0)
	{
		buf = ReadBufferExtended(rel, MAIN_FORKNUM, P_NEW, RBM_ZERO_AND_LOCK, NULL);
		if (BufferGetBlockNumber(buf) != 0)
			elog(ERROR, "timeseries metapage was not allocated as block 0");
	}
	else
	{
		/* block 0 may be a zero page left by a crash (see above) */
		buf = ReadBufferExtended(rel, MAIN_FORKNUM, 0, RBM_NORMAL, NULL);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	}
	page = BufferGetPage(buf);
	if (PageIsNew(page))
	{
		MetaPageData *meta;

		START_CRIT_SECTION();
		PageInit(page, BLCKSZ, 0);
		meta = meta_of(page);
		meta->magic = META_MAGIC;
		meta->version = META_VERSION;
		meta->storage_id = new_id;
		meta->next_row_id = 0;
		((PageHeader) page)->pd_lower =
			((char *) meta + sizeof(MetaPageData)) - (char *) page;
		MarkBufferDirty(buf);
		if (RelationNeedsWAL(rel))
			log_newpage_buffer(buf, true);
		END_CRIT_SECTION();
	}
	UnlockReleaseBuffer(buf);
	if (!local)
		UnlockRelationForExtension(rel, ExclusiveLock);

	return storage_get_id(rel);
}

uint64
storage_reserve_rows(Relation rel, uint64 count)
{
	Buffer		buf;
	GenericXLogState *state;
	MetaPageData *meta;
	uint64		first;

	buf = ReadBufferExtended(rel, MAIN_FORKNUM, 0, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	check_meta(rel, meta_of(BufferGetPage(buf)));
	first = meta_of(BufferGetPage(buf))->next_row_id;
	if (first + count > MAX_ROW_ID || first + count < first)
	{
		UnlockReleaseBuffer(buf);
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("timeseries table \"%s\" has run out of row ids",
						RelationGetRelationName(rel)),
				 errhint("Rewrite the table, for example with VACUUM FULL.")));
	}

	state = GenericXLogStart(rel);
	meta = meta_of(GenericXLogRegisterBuffer(state, buf, 0));
	meta->next_row_id = first + count;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
	return first;
}

/* WAL records hold at most this many block references. */
#define EXTENT_WAL_BATCH 32

/*
 * Free extents.  A chunk's extent goes to timeseries_internal.free_extent in
 * the transaction that deletes the chunk's metadata row, together with that
 * row's tid: a *pending* extent.  Snapshots taken before that transaction
 * committed still see the row and may read the extent, on this server and
 * on standbys; so the extent becomes *ready* for reuse only once the row is
 * gone from its page.  Pruning it is what tells standbys: the prune record
 * carries the deleting transaction as its conflict horizon, and replaying
 * it cancels (or waits for) every standby query that could still see the
 * row, before the new pages that overwrite the extent are replayed.  VACUUM
 * of the table readies pending extents (pruning the pages VACUUM of the
 * metadata has not pruned yet); a writer that finds no ready extent tries
 * a few pending ones itself.
 *
 * Rows are keyed (storage_id, first_block) for ready extents and
 * (storage_id, -1 - first_block) for pending ones, so that a writer's index
 * scan of the keys from 0 up sees only ready extents.
 */
#define PENDING_KEY(block)	(-1 - (int64) (block))

void
storage_free_extent(uint64 storage_id, BlockNumber first, int32 nblocks,
					ItemPointer chunk_tid)
{
	Datum		values[4];
	bool		nulls[4] = {false, false, false, chunk_tid == NULL};

	values[0] = Int64GetDatum((int64) storage_id);
	values[1] = Int64GetDatum(chunk_tid ? PENDING_KEY(first) : (int64) first);
	values[2] = Int32GetDatum(nblocks);
	values[3] = PointerGetDatum(chunk_tid);
	(void) metadata_insert_record(INTERNAL_FREE_EXTENT, values, nulls,
								  GetCurrentCommandId(true), UNIQUE_CHECK_NO);
}

void
storage_drop_free_extents(uint64 storage_id)
{
	RecordScan	rs;
	HeapTuple	tuple;

	metadata_begin_records(&rs, INTERNAL_FREE_EXTENT, storage_id, PG_INT64_MIN,
						   PG_INT64_MAX, SnapshotSelf, RowExclusiveLock);
	while (HeapTupleIsValid(tuple = metadata_next_record(&rs)))
		simple_heap_delete(rs.heap, &tuple->t_self);
	metadata_end_records(&rs, RowExclusiveLock);
}

/* Does the item at tid still hold the metadata row of the chunk at first? */
static bool
chunk_row_present(Relation chunkrel, Page page, ItemPointer tid,
				  uint64 storage_id, BlockNumber first)
{
	OffsetNumber off = ItemPointerGetOffsetNumber(tid);
	ItemId		lp;
	HeapTupleData tuple;
	bool		isnull;
	Datum		d;

	if (off < FirstOffsetNumber || off > PageGetMaxOffsetNumber(page))
		return false;
	lp = PageGetItemId(page, off);
	if (!ItemIdIsNormal(lp))
		return false;
	tuple.t_data = (HeapTupleHeader) PageGetItem(page, lp);
	tuple.t_len = ItemIdGetLength(lp);
	tuple.t_tableOid = RelationGetRelid(chunkrel);
	tuple.t_self = *tid;
	d = heap_getattr(&tuple, 1, RelationGetDescr(chunkrel), &isnull);
	if (isnull || DatumGetInt64(d) != (int64) storage_id)
		return false;
	d = heap_getattr(&tuple, 5, RelationGetDescr(chunkrel), &isnull);
	return !isnull && DatumGetInt32(d) == (int32) first;
}

/*
 * True when the chunk metadata row at tid is gone, pruning its page if it
 * can be (a cleanup lock taken without waiting, the row dead to everyone).
 */
static bool
chunk_row_gone(Relation chunkrel, ItemPointer tid, uint64 storage_id,
			   BlockNumber first)
{
	BlockNumber blk = ItemPointerGetBlockNumber(tid);
	Buffer		buf;
	bool		present;

	if (blk >= RelationGetNumberOfBlocks(chunkrel))
		return true;			/* VACUUM truncated it away */
	buf = ReadBuffer(chunkrel, blk);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	present = chunk_row_present(chunkrel, BufferGetPage(buf), tid, storage_id, first);
	LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	if (present && ConditionalLockBufferForCleanup(buf))
	{
		int			nnewlpdead;

		(void) heap_page_prune(chunkrel, buf, InvalidTransactionId,
							   GlobalVisTestFor(chunkrel), InvalidTransactionId, 0,
							   &nnewlpdead, NULL);
		present = chunk_row_present(chunkrel, BufferGetPage(buf), tid, storage_id, first);
		LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	}
	ReleaseBuffer(buf);
	return !present;
}

/*
 * A free-extent row a transaction may act on: not inserted by another
 * transaction in progress (it may abort), nor by the current command (the
 * rest of an extent it took: heap_delete would refuse it), and not being
 * deleted.  Our own pending rows pass, but name chunks we deleted, which
 * are not gone.
 */
static bool
free_row_settled(HeapTuple tuple, Snapshot dirty)
{
	if (TransactionIdIsValid(dirty->xmin) || TransactionIdIsValid(dirty->xmax))
		return false;
	return !TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tuple->t_data)) ||
		HeapTupleHeaderGetRawCommandId(tuple->t_data) < GetCurrentCommandId(false);
}

/*
 * Make pending extents of at least min_pages pages whose chunk row is gone
 * ready; at most max_tries rows are tried (0: all).  With take, the first
 * one becomes the caller's instead (its first block in *take, the rest of
 * it ready): rows inserted by the current command are not for taking.
 * Returns how many were readied or taken.
 */
static int
ready_free_extents(uint64 storage_id, Size min_pages, int max_tries, BlockNumber *take)
{
	SnapshotData dirty;
	RecordScan	rs;
	HeapTuple	tuple;
	Relation	chunkrel;
	Oid			heapoid;
	Oid			indexoid;
	int			tries = 0;
	int			ready = 0;

	if (storage_id == 0 || !metadata_lookup(INTERNAL_FREE_EXTENT, &heapoid, &indexoid))
		return 0;
	metadata_require(INTERNAL_CHUNK, &heapoid, &indexoid);
	chunkrel = table_open(heapoid, AccessShareLock);
	InitDirtySnapshot(dirty);
	metadata_begin_records(&rs, INTERNAL_FREE_EXTENT, storage_id, PG_INT64_MIN, -1,
						   &dirty, RowExclusiveLock);
	while (HeapTupleIsValid(tuple = metadata_next_record(&rs)))
	{
		Datum		values[4];
		bool		nulls[4];
		BlockNumber first;
		int32		count;
		TM_FailureData tmfd;

		CHECK_FOR_INTERRUPTS();
		if (!free_row_settled(tuple, &dirty))
			continue;
		heap_deform_tuple(tuple, RelationGetDescr(rs.heap), values, nulls);
		first = (BlockNumber) (-1 - DatumGetInt64(values[1]));
		count = DatumGetInt32(values[2]);
		if (nulls[3] || count <= 0 || (Size) count < min_pages)
			continue;
		if (max_tries > 0 && tries++ >= max_tries)
			break;
		if (!chunk_row_gone(chunkrel, (ItemPointer) DatumGetPointer(values[3]),
							storage_id, first))
			continue;
		if (heap_delete(rs.heap, &tuple->t_self, GetCurrentCommandId(true),
						InvalidSnapshot, false, &tmfd, false) != TM_Ok)
			continue;
		if (take && *take == InvalidBlockNumber)
		{
			*take = first;
			if ((Size) count > min_pages)
				storage_free_extent(storage_id, first + (BlockNumber) min_pages,
									(int32) (count - min_pages), NULL);
		}
		else
			storage_free_extent(storage_id, first, count, NULL);
		ready++;
		if (take)
			break;
	}
	metadata_end_records(&rs, RowExclusiveLock);
	table_close(chunkrel, AccessShareLock);
	return ready;
}

/* Largest extent coalescing makes, in pages (keeps block counts far from overflow). */
#define FREE_EXTENT_MAX_PAGES	(1 << 20)

/*
 * Merge the ready extents of a run of adjacent ones into one row: each is
 * taken as a writer would take it (rows another transaction took meanwhile
 * end the run), then the merged extents go back as one.
 */
static void
merge_ready_run(Relation heap, uint64 storage_id, ItemPointerData *tids,
				BlockNumber *firsts, int32 *counts, int n)
{
	BlockNumber start = InvalidBlockNumber;
	int64		total = 0;

	if (n < 2)
		return;
	for (int i = 0; i < n; i++)
	{
		TM_FailureData tmfd;

		if (heap_delete(heap, &tids[i], GetCurrentCommandId(true), InvalidSnapshot,
						false, &tmfd, false) == TM_Ok)
		{
			if (total > 0 && firsts[i] != start + (BlockNumber) total)
			{
				storage_free_extent(storage_id, start, (int32) total, NULL);
				total = 0;
			}
			if (total == 0)
				start = firsts[i];
			total += counts[i];
		}
		else if (total > 0)
		{
			storage_free_extent(storage_id, start, (int32) total, NULL);
			total = 0;
		}
	}
	if (total > 0)
		storage_free_extent(storage_id, start, (int32) total, NULL);
}

/* Merge adjacent ready extents, so that chunks larger than each fit. */
static void
coalesce_ready_extents(uint64 storage_id)
{
	SnapshotData dirty;
	RecordScan	rs;
	HeapTuple	tuple;
	int			cap = 64;
	int			n = 0;
	int64		run_pages = 0;
	ItemPointerData *tids = palloc(sizeof(ItemPointerData) * cap);
	BlockNumber *firsts = palloc(sizeof(BlockNumber) * cap);
	int32	   *counts = palloc(sizeof(int32) * cap);

	InitDirtySnapshot(dirty);
	metadata_begin_records(&rs, INTERNAL_FREE_EXTENT, storage_id, 0, PG_INT64_MAX,
						   &dirty, RowExclusiveLock);
	while (HeapTupleIsValid(tuple = metadata_next_record(&rs)))
	{
		Datum		values[4];
		bool		nulls[4];
		BlockNumber first;
		int32		count;

		CHECK_FOR_INTERRUPTS();
		heap_deform_tuple(tuple, RelationGetDescr(rs.heap), values, nulls);
		first = (BlockNumber) DatumGetInt64(values[1]);
		count = DatumGetInt32(values[2]);
		if (!free_row_settled(tuple, &dirty) || count <= 0)
		{
			merge_ready_run(rs.heap, storage_id, tids, firsts, counts, n);
			n = 0;
			continue;
		}
		if (n > 0 && (first != firsts[n - 1] + (BlockNumber) counts[n - 1] ||
					  run_pages + count > FREE_EXTENT_MAX_PAGES))
		{
			merge_ready_run(rs.heap, storage_id, tids, firsts, counts, n);
			n = 0;
		}
		if (n == 0)
			run_pages = 0;
		if (n == cap)
		{
			cap *= 2;
			tids = repalloc(tids, sizeof(ItemPointerData) * cap);
			firsts = repalloc(firsts, sizeof(BlockNumber) * cap);
			counts = repalloc(counts, sizeof(int32) * cap);
		}
		tids[n] = tuple->t_self;
		firsts[n] = first;
		counts[n] = count;
		run_pages += count;
		n++;
	}
	merge_ready_run(rs.heap, storage_id, tids, firsts, counts, n);
	metadata_end_records(&rs, RowExclusiveLock);
	pfree(tids);
	pfree(firsts);
	pfree(counts);
}

/*
 * VACUUM: ready the pending extents no snapshot can read any more, then
 * merge adjacent ready ones.  Between the two the command counter moves on,
 * so that the rows readied can be merged.
 */
int
storage_ready_free_extents(uint64 storage_id)
{
	int			ready;
	Oid			heapoid;
	Oid			indexoid;

	if (storage_id == 0 || !metadata_lookup(INTERNAL_FREE_EXTENT, &heapoid, &indexoid))
		return 0;
	ready = ready_free_extents(storage_id, 0, 0, NULL);
	CommandCounterIncrement();
	coalesce_ready_extents(storage_id);
	CommandCounterIncrement();
	return ready;
}

/*
 * VACUUM: give the ready extents at the end of the fork back to the file
 * system.  Like heap VACUUM's truncation it needs AccessExclusiveLock, only
 * taken if no one holds a lock on the table (so writers that took an
 * extent are done), and kept to the end of VACUUM's transaction.  Should
 * that transaction abort, the rows of the truncated extents come back; a
 * writer skips extents past the end of the fork.
 */
void
storage_truncate_free_tail(Relation rel)
{
	uint64		storage_id = storage_get_id(rel);
	SnapshotData dirty;
	RecordScan	rs;
	HeapTuple	tuple;
	BlockNumber nblocks;
	BlockNumber end;
	Oid			heapoid;
	Oid			indexoid;

	if (storage_id == 0 || !metadata_lookup(INTERNAL_FREE_EXTENT, &heapoid, &indexoid) ||
		!ConditionalLockRelation(rel, AccessExclusiveLock))
		return;
	nblocks = end = RelationGetNumberOfBlocks(rel);
	InitDirtySnapshot(dirty);
	metadata_begin_records(&rs, INTERNAL_FREE_EXTENT, storage_id, 0, PG_INT64_MAX,
						   &dirty, RowExclusiveLock);
	while (HeapTupleIsValid(tuple = metadata_prev_record(&rs)))
	{
		Datum		values[4];
		bool		nulls[4];
		BlockNumber first;
		int32		count;
		TM_FailureData tmfd;

		CHECK_FOR_INTERRUPTS();
		heap_deform_tuple(tuple, RelationGetDescr(rs.heap), values, nulls);
		first = (BlockNumber) DatumGetInt64(values[1]);
		count = DatumGetInt32(values[2]);
		if (first >= end)
			continue;			/* past the end already (an aborted truncation) */
		if (!free_row_settled(tuple, &dirty) || count <= 0 ||
			first + (BlockNumber) count != end ||
			heap_delete(rs.heap, &tuple->t_self, GetCurrentCommandId(true),
						InvalidSnapshot, false, &tmfd, false) != TM_Ok)
			break;
		end = first;
	}
	metadata_end_records(&rs, RowExclusiveLock);
	if (end < nblocks)
		RelationTruncate(rel, end);
}

/* Ready extents a writer looks at, and pending ones it tries to ready, per write. */
#define FREE_EXTENT_SCAN		64
#define FREE_EXTENT_READY_TRIES	4

/*
 * Take a ready extent of at least npages pages (first fit among the first
 * FREE_EXTENT_SCAN); returns its first block, or InvalidBlockNumber.  An
 * extent is taken by deleting its row without waiting, so two writers never
 * take the same one; the rest of a larger extent goes back as a new row.
 */
static BlockNumber
take_ready_extent(uint64 storage_id, Size npages, BlockNumber nblocks)
{
	SnapshotData dirty;
	RecordScan	rs;
	HeapTuple	tuple;
	BlockNumber result = InvalidBlockNumber;
	int32		taken_count = 0;
	int			seen = 0;

	InitDirtySnapshot(dirty);
	metadata_begin_records(&rs, INTERNAL_FREE_EXTENT, storage_id, 0, PG_INT64_MAX,
						   &dirty, RowExclusiveLock);
	while (seen++ < FREE_EXTENT_SCAN && HeapTupleIsValid(tuple = metadata_next_record(&rs)))
	{
		Datum		values[4];
		bool		nulls[4];
		int32		count;
		TM_FailureData tmfd;

		if (!free_row_settled(tuple, &dirty))
			continue;
		heap_deform_tuple(tuple, RelationGetDescr(rs.heap), values, nulls);
		count = DatumGetInt32(values[2]);
		if (count <= 0 || (Size) count < npages ||
			DatumGetInt64(values[1]) + count > (int64) nblocks)
			continue;
		if (heap_delete(rs.heap, &tuple->t_self, GetCurrentCommandId(true),
						InvalidSnapshot, false, &tmfd, false) != TM_Ok)
			continue;
		result = (BlockNumber) DatumGetInt64(values[1]);
		taken_count = count;
		break;
	}
	metadata_end_records(&rs, RowExclusiveLock);

	if (result != InvalidBlockNumber && (Size) taken_count > npages)
		storage_free_extent(storage_id, result + (BlockNumber) npages,
							(int32) (taken_count - npages), NULL);
	return result;
}

static BlockNumber
take_free_extent(uint64 storage_id, Size npages, BlockNumber nblocks)
{
	BlockNumber result;
	Oid			heapoid;
	Oid			indexoid;

	if (!metadata_lookup(INTERNAL_FREE_EXTENT, &heapoid, &indexoid))
		return InvalidBlockNumber;
	result = take_ready_extent(storage_id, npages, nblocks);
	if (result == InvalidBlockNumber)
		(void) ready_free_extents(storage_id, npages, FREE_EXTENT_READY_TRIES, &result);
	return result;
}

/*
 * Write a chunk's bytes into consecutive pages: a free extent when one is
 * large enough, else new pages at the end of the fork.
 */
BlockNumber
storage_write_extent(Relation rel, const char *data, Size len)
{
	Size		npages = (len + EXTENT_PAGE_BYTES - 1) / EXTENT_PAGE_BYTES;
	BlockNumber first;
	bool		extend;
	bool		local = RELATION_IS_LOCAL(rel);
	bool		needwal = RelationNeedsWAL(rel);
	Size		done = 0;

	Assert(len > 0);
	first = take_free_extent(storage_get_id(rel), npages, RelationGetNumberOfBlocks(rel));
	extend = (first == InvalidBlockNumber);
	if (extend && !local)
		LockRelationForExtension(rel, ExclusiveLock);

	while (done < npages)
	{
		int			batch = Min(EXTENT_WAL_BATCH, npages - done);
		Buffer		bufs[EXTENT_WAL_BATCH];
		BlockNumber blknos[EXTENT_WAL_BATCH];
		Page		pages[EXTENT_WAL_BATCH];

		CHECK_FOR_INTERRUPTS();
		for (int i = 0; i < batch; i++)
		{
			Size		off = (done + i) * EXTENT_PAGE_BYTES;
			Size		n = Min(EXTENT_PAGE_BYTES, len - off);
			Page		page;

			bufs[i] = ReadBufferExtended(rel, MAIN_FORKNUM,
										 extend ? P_NEW : first + (BlockNumber) (done + i),
										 RBM_ZERO_AND_LOCK, NULL);
			blknos[i] = BufferGetBlockNumber(bufs[i]);
			if (first == InvalidBlockNumber)
				first = blknos[i];
			else if (blknos[i] != first + done + i)
				elog(ERROR, "timeseries extent is not contiguous");
			page = BufferGetPage(bufs[i]);
			PageInit(page, BLCKSZ, 0);
			memcpy(PageGetContents(page), data + off, n);
			((PageHeader) page)->pd_lower = MAXALIGN(SizeOfPageHeaderData) + n;
			pages[i] = page;
		}

		START_CRIT_SECTION();
		for (int i = 0; i < batch; i++)
			MarkBufferDirty(bufs[i]);
		if (needwal)
			log_newpages(&rel->rd_node, MAIN_FORKNUM, batch, blknos, pages, true);
		END_CRIT_SECTION();

		for (int i = 0; i < batch; i++)
			UnlockReleaseBuffer(bufs[i]);
		done += batch;
	}

	if (extend && !local)
		UnlockRelationForExtension(rel, ExclusiveLock);
	return first;
}

void
storage_check_extent(Relation rel, BlockNumber first, Size len)
{
	Size		npages = (len + EXTENT_PAGE_BYTES - 1) / EXTENT_PAGE_BYTES;
	BlockNumber nblocks = RelationGetNumberOfBlocks(rel);

	if (first == 0 || first >= nblocks || npages > nblocks - first)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("timeseries chunk extent at block %u (%zu bytes) lies beyond the end of \"%s\"",
						first, len, RelationGetRelationName(rel))));
}

void
storage_read_extent(Relation rel, BlockNumber first, Size len,
					Size page_from, Size page_to, char *dst,
					BufferAccessStrategy strategy)
{
	for (Size i = page_from; i < page_to; i++)
	{
		Size		off = i * EXTENT_PAGE_BYTES;
		Size		n = Min(EXTENT_PAGE_BYTES, len - off);
		Buffer		buf;
		Page		page;

		buf = ReadBufferExtended(rel, MAIN_FORKNUM, first + i, RBM_NORMAL, strategy);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		if (((PageHeader) page)->pd_lower != MAXALIGN(SizeOfPageHeaderData) + n)
		{
			UnlockReleaseBuffer(buf);
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("timeseries extent page %u of \"%s\" does not hold the expected chunk data",
							(BlockNumber) (first + i), RelationGetRelationName(rel))));
		}
		memcpy(dst + off, PageGetContents(page), n);
		UnlockReleaseBuffer(buf);
	}
}
