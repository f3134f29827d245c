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
#include "access/nbtxlog.h"
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
	/* added later: zero on metapages written before (see meta_extend) */
	uint64		next_late_row_id;	/* 0: LATE_FIRST_ROW_ID */
	int64		late_before;	/* rows older than this are late ... */
	int16		late_attnum;	/* ... in this time column; 0: no horizon yet */
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
	if (rel->rd_rel->relpersistence == RELPERSISTENCE_UNLOGGED)
		new_id |= STORAGE_ID_UNLOGGED;

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

/*
 * A metapage written before the late-row fields existed ends (pd_lower) at
 * next_row_id: generic WAL logs only the page up to pd_lower, so it must
 * cover the fields before they are written.  Beyond pd_lower the page is
 * zeros (PageInit, and generic WAL zeroes the hole): "none yet".
 */
static void
meta_extend(Page page)
{
	MetaPageData *meta = meta_of(page);
	LocationIndex end = ((char *) meta + sizeof(MetaPageData)) - (char *) page;

	if (((PageHeader) page)->pd_lower < end)
		((PageHeader) page)->pd_lower = end;
}

/*
 * Reserve count row ids: from the on-time part of the id space, or with
 * late from the upper half (see write.c, "late rows").
 */
uint64
storage_reserve_rows(Relation rel, uint64 count, bool late)
{
	Buffer		buf;
	GenericXLogState *state;
	MetaPageData *meta;
	uint64		first;
	uint64		limit = late ? MAX_ROW_ID : LATE_FIRST_ROW_ID;

	buf = ReadBufferExtended(rel, MAIN_FORKNUM, 0, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	check_meta(rel, meta_of(BufferGetPage(buf)));
	meta = meta_of(BufferGetPage(buf));
	if (!late)
		first = meta->next_row_id;
	else
		first = meta->next_late_row_id != 0 ? meta->next_late_row_id : LATE_FIRST_ROW_ID;
	if (first + count > limit || first + count < first)
	{
		UnlockReleaseBuffer(buf);
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("timeseries table \"%s\" has run out of row ids",
						RelationGetRelationName(rel)),
				 errhint("Rewrite the table, for example with VACUUM FULL.")));
	}

	state = GenericXLogStart(rel);
	{
		Page		page = GenericXLogRegisterBuffer(state, buf, 0);

		meta = meta_of(page);
		if (late)
		{
			meta_extend(page);
			meta->next_late_row_id = first + count;
		}
		else
			meta->next_row_id = first + count;
	}
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
	return first;
}

/* The late horizon of the relation's metapage (attnum 0: none yet). */
void
storage_get_late_horizon(Relation rel, AttrNumber *attnum, int64 *before)
{
	Buffer		buf;
	Page		page;
	MetaPageData *meta;

	*attnum = InvalidAttrNumber;
	*before = 0;
	buf = ReadBufferExtended(rel, MAIN_FORKNUM, 0, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	meta = meta_of(page);
	check_meta(rel, meta);
	*attnum = meta->late_attnum;
	*before = meta->late_before;
	UnlockReleaseBuffer(buf);
}

/*
 * A chunk of mostly on-time rows was written whose time column starts at
 * before: later rows older than that are late.  The horizon only moves
 * forward (or to another time column, after set_options).
 */
void
storage_raise_late_horizon(Relation rel, AttrNumber attnum, int64 before)
{
	AttrNumber	cur_attnum;
	int64		cur_before;
	Buffer		buf;
	GenericXLogState *state;
	MetaPageData *meta;
	Page		page;

	/* the common case (no change) under a share lock only */
	storage_get_late_horizon(rel, &cur_attnum, &cur_before);
	if (cur_attnum == attnum && cur_before >= before)
		return;

	buf = ReadBufferExtended(rel, MAIN_FORKNUM, 0, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(rel);
	page = GenericXLogRegisterBuffer(state, buf, 0);
	meta_extend(page);
	meta = meta_of(page);
	if (meta->late_attnum != attnum || meta->late_before < before)
	{
		meta->late_attnum = attnum;
		meta->late_before = before;
		GenericXLogFinish(state);
	}
	else
		GenericXLogAbort(state);
	UnlockReleaseBuffer(buf);
}

/* WAL records hold at most this many block references. */
#define EXTENT_WAL_BATCH 32

/*
 * Free extents.  A chunk's extent goes to timeseries_internal.free_extent in
 * the transaction that deletes the chunk's metadata row: a *pending*
 * extent, whose row's xmin is that transaction.  Snapshots older than it
 * still see the chunk and may read the extent, on this server and on
 * standbys; so the extent becomes *ready* for reuse only once that
 * transaction is older than every snapshot's horizon (GlobalVis), and
 * after a recovery-conflict record with it as the horizon has been logged
 * (storage_log_conflict), which makes a standby cancel (or wait for) the
 * queries that could still read the old chunk before it replays the pages
 * that overwrite it.  VACUUM of the table readies pending extents; a writer
 * that finds no ready extent readies a few itself.
 *
 * Rows are keyed (storage_id, first_block) for ready extents and
 * (storage_id, -1 - first_block) for pending ones, so that a writer's index
 * scan of the keys from 0 up sees only ready extents.
 */
#define PENDING_KEY(block)	(-1 - (int64) (block))

void
storage_free_extent(uint64 storage_id, BlockNumber first, int32 nblocks, bool pending)
{
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	values[0] = Int64GetDatum((int64) storage_id);
	values[1] = Int64GetDatum(pending ? PENDING_KEY(first) : (int64) first);
	values[2] = Int32GetDatum(nblocks);
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

/*
 * Log a record whose only effect is a recovery conflict on standbys with
 * xid as the horizon: queries there whose snapshots could still see rows
 * that xid deleted are cancelled (or waited for, max_standby_*_delay)
 * before the records after it are replayed.  Heap VACUUM gets this from its
 * prune records; our chunks and deleted rows have no heap tuples whose
 * removal would carry it.  The record is btree's "reuse page" record, which
 * does nothing else on replay; rel only names the database.
 */
void
storage_log_conflict(Relation rel, TransactionId xid)
{
	xl_btree_reuse_page xlrec;
	FullTransactionId next;
	uint32		epoch;

	if (!XLogStandbyInfoActive() || !RelationNeedsWAL(rel) || !TransactionIdIsNormal(xid))
		return;
	next = ReadNextFullTransactionId();
	epoch = EpochFromFullTransactionId(next);
	if (xid > XidFromFullTransactionId(next))
		epoch--;				/* from before the last wraparound */
	xlrec.node = rel->rd_node;
	xlrec.block = 0;
	xlrec.latestRemovedFullXid = FullTransactionIdFromEpochAndXid(epoch, xid);
	XLogBeginInsert();
	XLogRegisterData((char *) &xlrec, SizeOfBtreeReusePage);
	(void) XLogInsert(RM_BTREE_ID, XLOG_BTREE_REUSE_PAGE);
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
		HeapTupleHeaderGetCmin(tuple->t_data) < GetCurrentCommandId(false);
}

/* The ready or the pending free-extent rows of a storage id, in block order. */
typedef struct FreeScan
{
	RecordScan	rs;
	SnapshotData dirty;			/* rows of transactions in progress count too */
	bool		pending;
} FreeScan;

/* One row of a FreeScan, decoded. */
typedef struct FreeRow
{
	HeapTuple	tuple;			/* the scan's, until its next row */
	ItemPointerData tid;
	BlockNumber first;
	int32		count;
	bool		settled;		/* free_row_settled() */
} FreeRow;

static void
free_scan_begin(FreeScan *fs, uint64 storage_id, bool pending)
{
	InitDirtySnapshot(fs->dirty);
	fs->pending = pending;
	metadata_begin_records(&fs->rs, INTERNAL_FREE_EXTENT, storage_id,
						   pending ? PG_INT64_MIN : 0, pending ? -1 : PG_INT64_MAX,
						   &fs->dirty, RowExclusiveLock);
}

static bool
free_scan_next(FreeScan *fs, ScanDirection dir, FreeRow *row)
{
	Datum		values[3];
	bool		nulls[3];

	row->tuple = ScanDirectionIsBackward(dir) ? metadata_prev_record(&fs->rs) :
		metadata_next_record(&fs->rs);
	if (!HeapTupleIsValid(row->tuple))
		return false;
	row->tid = row->tuple->t_self;
	heap_deform_tuple(row->tuple, RelationGetDescr(fs->rs.heap), values, nulls);
	row->first = (BlockNumber) (fs->pending ? -1 - DatumGetInt64(values[1]) :
								DatumGetInt64(values[1]));
	row->count = DatumGetInt32(values[2]);
	row->settled = free_row_settled(row->tuple, &fs->dirty) && row->count > 0;
	return true;
}

/* The pages past the first npages of an extent just taken go back on the list. */
static void
give_back_rest(uint64 storage_id, BlockNumber first, int32 count, Size npages)
{
	if ((Size) count > npages)
		storage_free_extent(storage_id, first + (BlockNumber) npages,
							(int32) (count - npages), false);
}

/* Take a row out of the list: false when another transaction has taken it. */
static bool
free_row_take(FreeScan *fs, FreeRow *row)
{
	TM_FailureData tmfd;

	return heap_delete(fs->rs.heap, &row->tid, GetCurrentCommandId(true),
					   InvalidSnapshot, false, &tmfd, false) == TM_Ok;
}

static void
free_scan_end(FreeScan *fs)
{
	metadata_end_records(&fs->rs, RowExclusiveLock);
}

/*
 * Make the pending extents of at least min_pages pages that no snapshot can
 * read any more ready; at most max_tries of them (0: all).  With take, the
 * first one becomes the caller's instead (its first block in *take, the
 * rest of it ready): rows inserted by the current command are not for
 * taking.  Returns how many were readied or taken.
 */
static int
ready_free_extents(uint64 storage_id, Size min_pages, int max_tries, BlockNumber *take)
{
	FreeScan	fs;
	FreeRow		row;
	GlobalVisState *vistest;
	FreeRow    *rows;
	TransactionId newest = InvalidTransactionId;
	int			n = 0;
	int			cap = 16;
	int			ready = 0;
	Oid			heapoid;
	Oid			indexoid;

	if (storage_id == 0 || !metadata_lookup(INTERNAL_FREE_EXTENT, storage_id, &heapoid, &indexoid))
		return 0;
	rows = palloc(sizeof(FreeRow) * cap);
	free_scan_begin(&fs, storage_id, true);
	vistest = GlobalVisTestFor(fs.rs.heap);

	/* the rows whose deleting transaction is older than every snapshot */
	while (free_scan_next(&fs, ForwardScanDirection, &row))
	{
		TransactionId xmin = HeapTupleHeaderGetXmin(row.tuple->t_data);

		CHECK_FOR_INTERRUPTS();
		if (!row.settled || (Size) row.count < min_pages ||
			(TransactionIdIsNormal(xmin) && !GlobalVisTestIsRemovableXid(vistest, xmin)))
			continue;
		if (n == cap)
		{
			cap *= 2;
			rows = repalloc(rows, sizeof(FreeRow) * cap);
		}
		rows[n++] = row;
		if (TransactionIdIsNormal(xmin) &&
			(!TransactionIdIsValid(newest) || TransactionIdFollows(xmin, newest)))
			newest = xmin;
		if (max_tries > 0 && n >= max_tries)
			break;
	}

	/* standbys first, then the rows */
	if (n > 0)
		storage_log_conflict(fs.rs.heap, newest);
	for (int i = 0; i < n; i++)
	{
		if (!free_row_take(&fs, &rows[i]))
			continue;
		if (take && *take == InvalidBlockNumber)
		{
			*take = rows[i].first;
			give_back_rest(storage_id, rows[i].first, rows[i].count, min_pages);
		}
		else
			storage_free_extent(storage_id, rows[i].first, rows[i].count, false);
		ready++;
	}
	free_scan_end(&fs);
	pfree(rows);
	return ready;
}

/* Largest extent coalescing makes, in pages (keeps block counts far from overflow). */
#define FREE_EXTENT_MAX_PAGES	(1 << 20)

/*
 * Merge a run of adjacent ready extents into one row: each is taken as a
 * writer would take it (one another transaction took meanwhile splits the
 * run), then what was taken goes back as one extent.
 */
static void
merge_ready_run(FreeScan *fs, uint64 storage_id, FreeRow *run, int n)
{
	BlockNumber start = InvalidBlockNumber;
	int64		total = 0;

	if (n < 2)
		return;
	for (int i = 0; i < n; i++)
	{
		bool		taken = free_row_take(fs, &run[i]);

		if (total > 0 && (!taken || run[i].first != start + (BlockNumber) total))
		{
			storage_free_extent(storage_id, start, (int32) total, false);
			total = 0;
		}
		if (!taken)
			continue;
		if (total == 0)
			start = run[i].first;
		total += run[i].count;
	}
	if (total > 0)
		storage_free_extent(storage_id, start, (int32) total, false);
}

/* Merge adjacent ready extents, so that chunks larger than each fit. */
static void
coalesce_ready_extents(uint64 storage_id)
{
	FreeScan	fs;
	FreeRow		row;
	int			cap = 64;
	int			n = 0;
	int64		run_pages = 0;
	FreeRow    *run = palloc(sizeof(FreeRow) * cap);

	free_scan_begin(&fs, storage_id, false);
	while (free_scan_next(&fs, ForwardScanDirection, &row))
	{
		CHECK_FOR_INTERRUPTS();
		if (n > 0 && (!row.settled ||
					  row.first != run[n - 1].first + (BlockNumber) run[n - 1].count ||
					  run_pages + row.count > FREE_EXTENT_MAX_PAGES))
		{
			merge_ready_run(&fs, storage_id, run, n);
			n = 0;
			run_pages = 0;
		}
		if (!row.settled)
			continue;
		if (n == cap)
		{
			cap *= 2;
			run = repalloc(run, sizeof(FreeRow) * cap);
		}
		run[n] = row;
		run_pages += row.count;
		n++;
	}
	merge_ready_run(&fs, storage_id, run, n);
	free_scan_end(&fs);
	pfree(run);
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

	if (storage_id == 0 || !metadata_lookup(INTERNAL_FREE_EXTENT, storage_id, &heapoid, &indexoid))
		return 0;
	ready = ready_free_extents(storage_id, 0, 0, NULL);
	CommandCounterIncrement();
	coalesce_ready_extents(storage_id);
	CommandCounterIncrement();
	return ready;
}

/* Blocks [first, end) a row may still name. */
typedef struct BlockRange
{
	BlockNumber first;
	BlockNumber end;
} BlockRange;

static int
compare_ranges(const void *a, const void *b)
{
	BlockNumber x = ((const BlockRange *) a)->first;
	BlockNumber y = ((const BlockRange *) b)->first;

	return (x > y) - (x < y);
}

static void
add_range(BlockRange **ranges, int *n, int *cap, BlockNumber first, int64 nblocks)
{
	if (nblocks <= 0)
		return;
	if (*n == *cap)
	{
		*cap *= 2;
		*ranges = repalloc_huge(*ranges, sizeof(BlockRange) * *cap);
	}
	(*ranges)[*n].first = first;
	(*ranges)[*n].end = first + (BlockNumber) Min(nblocks, MaxBlockNumber - first);
	(*n)++;
}

/*
 * The block ranges that rows of any state but dead-for-sure name: chunk
 * metadata rows (their extents) and free-extent rows, sorted.  Every other
 * block of the fork (but the metapage) is in nobody's hands: not readable,
 * not being written (under AccessExclusiveLock), not on the free list.
 */
static BlockRange *
named_ranges(uint64 storage_id, int *nranges)
{
	int			cap = 256;
	int			n = 0;
	BlockRange *ranges = palloc(sizeof(BlockRange) * cap);
	RecordScan	rs;
	HeapTuple	tuple;

	metadata_begin_records(&rs, INTERNAL_CHUNK, storage_id, 0, PG_INT64_MAX, SnapshotAny,
						   AccessShareLock);
	while (HeapTupleIsValid(tuple = metadata_next_record(&rs)))
	{
		bool		isnull1;
		bool		isnull2;
		int32		first = DatumGetInt32(heap_getattr(tuple, 5, RelationGetDescr(rs.heap), &isnull1));
		int32		bytes = DatumGetInt32(heap_getattr(tuple, 6, RelationGetDescr(rs.heap), &isnull2));

		CHECK_FOR_INTERRUPTS();
		if (!isnull1 && !isnull2 && first > 0 && bytes > 0 &&
			metadata_record_may_be_live(tuple))
			add_range(&ranges, &n, &cap, (BlockNumber) first,
					  ((int64) bytes + EXTENT_PAGE_BYTES - 1) / EXTENT_PAGE_BYTES);
	}
	metadata_end_records(&rs, AccessShareLock);

	metadata_begin_records(&rs, INTERNAL_FREE_EXTENT, storage_id, PG_INT64_MIN, PG_INT64_MAX,
						   SnapshotAny, AccessShareLock);
	while (HeapTupleIsValid(tuple = metadata_next_record(&rs)))
	{
		int64		key = metadata_record_row(tuple);
		bool		isnull;
		int32		count = DatumGetInt32(heap_getattr(tuple, 3, RelationGetDescr(rs.heap), &isnull));

		CHECK_FOR_INTERRUPTS();
		if (!isnull && metadata_record_may_be_live(tuple))
			add_range(&ranges, &n, &cap, (BlockNumber) (key < 0 ? -1 - key : key), count);
	}
	metadata_end_records(&rs, AccessShareLock);

	qsort(ranges, n, sizeof(BlockRange), compare_ranges);
	*nranges = n;
	return ranges;
}

/* The first block after which nothing is named, and whether blocks below it are unnamed. */
static BlockNumber
named_end(BlockRange *ranges, int n, bool *holes)
{
	BlockNumber end = 1;		/* the metapage */

	*holes = false;
	for (int i = 0; i < n; i++)
	{
		if (ranges[i].first > end)
			*holes = true;
		end = Max(end, ranges[i].end);
	}
	return end;
}

/*
 * VACUUM: find the blocks of the fork no row names any more, and give them
 * back.  Those of chunks whose writer aborted or crashed, and extents a
 * previous VACUUM took off the list (below), go back on the free list as
 * ready extents; those at the end of the fork go back to the file system.
 * It needs AccessExclusiveLock (a writer holds its extent's blocks before
 * its chunk row exists), taken only if no one holds a lock on the table and
 * released at once, as heap VACUUM's truncation does.  Only blocks no row of
 * any state but dead-for-sure names are touched, so the truncation, which
 * is not transactional, is safe whatever becomes of this transaction.
 *
 * Then the ready extents at the end of the fork are taken off the list:
 * once that commits, nothing names their blocks, and the next VACUUM
 * truncates them (or, if chunks were written after them meanwhile, puts
 * them back on the list).
 */
void
storage_reclaim_space(Relation rel)
{
	uint64		storage_id = storage_get_id(rel);
	BlockRange *ranges;
	int			n;
	BlockNumber nblocks;
	BlockNumber end;
	bool		holes;
	FreeScan	fs;
	FreeRow		row;
	Oid			heapoid;
	Oid			indexoid;

	if (storage_id == 0 || !metadata_lookup(INTERNAL_FREE_EXTENT, storage_id, &heapoid, &indexoid))
		return;
	ranges = named_ranges(storage_id, &n);
	end = named_end(ranges, n, &holes);
	pfree(ranges);
	if ((holes || end < RelationGetNumberOfBlocks(rel)) &&
		ConditionalLockRelation(rel, AccessExclusiveLock))
	{
		BlockNumber next = 1;

		nblocks = RelationGetNumberOfBlocks(rel);
		ranges = named_ranges(storage_id, &n);
		for (int i = 0; i < n; i++)
		{
			if (ranges[i].first > next && ranges[i].first <= nblocks)
				storage_free_extent(storage_id, next,
									(int32) Min(ranges[i].first - next, FREE_EXTENT_MAX_PAGES),
									false);
			next = Max(next, ranges[i].end);
		}
		pfree(ranges);
		if (next < nblocks)
			RelationTruncate(rel, next);
		UnlockRelation(rel, AccessExclusiveLock);
	}

	/* the ready extents at the end, off the list */
	CommandCounterIncrement();
	end = RelationGetNumberOfBlocks(rel);
	free_scan_begin(&fs, storage_id, false);
	while (free_scan_next(&fs, BackwardScanDirection, &row))
	{
		CHECK_FOR_INTERRUPTS();
		if (row.first >= end)
			continue;
		if (!row.settled || row.first + (BlockNumber) row.count != end ||
			!free_row_take(&fs, &row))
			break;
		end = row.first;
	}
	free_scan_end(&fs);
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
	FreeScan	fs;
	FreeRow		row;
	BlockNumber result = InvalidBlockNumber;
	int32		taken_count = 0;
	int			seen = 0;

	free_scan_begin(&fs, storage_id, false);
	while (seen++ < FREE_EXTENT_SCAN && free_scan_next(&fs, ForwardScanDirection, &row))
	{
		if (!row.settled || (Size) row.count < npages ||
			(int64) row.first + row.count > (int64) nblocks || !free_row_take(&fs, &row))
			continue;
		result = row.first;
		taken_count = row.count;
		break;
	}
	free_scan_end(&fs);

	if (result != InvalidBlockNumber)
		give_back_rest(storage_id, result, taken_count, npages);
	return result;
}

static BlockNumber
take_free_extent(uint64 storage_id, Size npages, BlockNumber nblocks)
{
	BlockNumber result;
	Oid			heapoid;
	Oid			indexoid;

	if (!metadata_lookup(INTERNAL_FREE_EXTENT, storage_id, &heapoid, &indexoid))
		return InvalidBlockNumber;
	result = take_ready_extent(storage_id, npages, nblocks);
	if (result == InvalidBlockNumber)
		(void) ready_free_extents(storage_id, npages, FREE_EXTENT_READY_TRIES, &result);
	return result;
}

static BlockNumber write_pages(Relation rel, const char *data, Size len,
							   BlockNumber first);

/*
 * Write a chunk's bytes into consecutive pages: a free extent when one is
 * large enough, else new pages at the end of the fork.
 */
BlockNumber
storage_write_extent(Relation rel, const char *data, Size len)
{
	Size		npages = (len + EXTENT_PAGE_BYTES - 1) / EXTENT_PAGE_BYTES;
	BlockNumber first;

	Assert(len > 0);
	first = take_free_extent(storage_get_id(rel), npages, RelationGetNumberOfBlocks(rel));
	return write_pages(rel, data, len, first);
}

/*
 * Copy the extent of len bytes at block first into a ready free extent
 * wholly below it (VACUUM moves the chunks at the end of the fork down, so
 * that the end can be given back); returns the new first block, or
 * InvalidBlockNumber when no such extent is large enough.  The caller
 * points the chunk's metadata at the copy; the old extent is freed with the
 * old metadata row, as any deleted chunk's.
 */
BlockNumber
storage_move_extent(Relation rel, BlockNumber first, Size len)
{
	Size		npages = (len + EXTENT_PAGE_BYTES - 1) / EXTENT_PAGE_BYTES;
	BlockNumber to;
	char	   *buf;
	Oid			heapoid;
	Oid			indexoid;

	uint64		storage_id = storage_get_id(rel);

	if (!metadata_lookup(INTERNAL_FREE_EXTENT, storage_id, &heapoid, &indexoid))
		return InvalidBlockNumber;
	to = take_ready_extent(storage_id, npages, first);
	if (to == InvalidBlockNumber)
		return InvalidBlockNumber;
	Assert(to + npages <= first);
	storage_check_extent(rel, first, len);
	buf = palloc(len);
	storage_read_extent(rel, first, len, 0, npages, buf, NULL);
	write_pages(rel, buf, len, to);
	pfree(buf);
	return to;
}

/*
 * Write len bytes into the pages from first on (InvalidBlockNumber: new
 * pages at the end of the fork), WAL-logged as full pages; returns the
 * first block written.
 */
static BlockNumber
write_pages(Relation rel, const char *data, Size len, BlockNumber first)
{
	Size		npages = (len + EXTENT_PAGE_BYTES - 1) / EXTENT_PAGE_BYTES;
	bool		extend = (first == InvalidBlockNumber);
	bool		local = RELATION_IS_LOCAL(rel);
	bool		needwal = RelationNeedsWAL(rel);
	Size		done = 0;

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
