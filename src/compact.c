/*-------------------------------------------------------------------------
 *
 * compact.c
 *	  Compaction: timeseries.compact() and VACUUM take deleted rows out of
 *	  their chunks and merge runs of small chunks into full ones.
 *
 * Deleted rows.  A row whose delete record was committed by a transaction
 * older than every snapshot (GlobalVis) is deleted for everyone, here and,
 * through the horizon's conflicts, on standbys.  Its index entries are
 * removed (ambulkdelete, as lazy VACUUM does), then its chunk is written
 * again without it, and its delete record deleted, in one transaction: a
 * snapshot sees either the old chunk and the record, or the new chunk.
 * The new chunk keeps the old one's row-id range, with holes where rows
 * were taken out (its row order names each stored row's offset), so the
 * remaining rows keep their ids and runs of chunks stay adjacent.  Before
 * the index entries go, a recovery-conflict record cancels standby queries
 * whose snapshots still see the rows (storage_log_conflict).
 *
 * Small chunks.  Trickle inserts (one row per transaction, from many
 * clients) leave one small, usually inline, chunk per transaction; a
 * subtransaction loop or a batch of 1,000 rows leaves chunks of that size.
 * Compaction merges each run of small chunks whose row-id ranges follow one
 * another without a gap into chunks of up to the table's chunk_rows rows,
 * stored in the table's row order (segment_by, order_by) and compressed as
 * a whole.
 *
 * The rows keep their row ids, so index entries, delete records and row
 * locks stay valid and nothing else is rewritten.  The old chunks' metadata
 * rows are deleted and the new chunk's inserted in one transaction: every
 * snapshot sees either the old chunks or the new one, so readers, writers
 * and deleters of the same rows carry on concurrently; only another
 * compaction or VACUUM of the table waits (ShareUpdateExclusiveLock).
 * Deleted rows not yet deleted for everyone are carried over as they are,
 * their delete records still hiding them.
 *
 * Only chunks committed and visible to a fresh snapshot are rewritten;
 * chunks of transactions in progress (ours included) are left alone.  The
 * old chunks' page extents go to the free list (storage.c), and the
 * metadata rows of inline chunks become dead rows of
 * timeseries_internal.chunk for its own VACUUM.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/relation.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/tuplesort.h"

#include "compact.h"
#include "delete_mask.h"
#include "metadata.h"
#include "options.h"
#include "scan.h"
#include "storage.h"
#include "timeseries.h"
#include "write.h"

PG_FUNCTION_INFO_V1(timeseries_compact);

/* A chunk: its row ids [first_row, first_row + row_span), row_count of them stored. */
typedef struct RunChunk
{
	int64		first_row;
	int32		row_count;
	int32		row_span;
} RunChunk;

/* Sorted row ids of rows deleted for everyone, whose space VACUUM takes back. */
typedef struct DeadRows
{
	int64	   *rowids;
	int64		n;
	TransactionId newest_xid;	/* the newest deleting transaction among them */
} DeadRows;

static bool
dead_row(const DeadRows *dead, int64 rowid)
{
	return bsearch(&rowid, dead->rowids, dead->n, sizeof(int64), ts_compare_int64) != NULL;
}

/* ambulkdelete's callback: is the index entry's row one of the dead? */
static bool
dead_row_callback(ItemPointer tid, void *state)
{
	return tid_is_row(tid) && dead_row((const DeadRows *) state, (int64) tid_to_rowid(tid));
}

/* Decode the chunks of a run into arrays of their rows in row-id order. */
static int64
decode_run(Relation rel, uint64 storage_id, RunChunk *run, int nchunks,
		   Snapshot snapshot, Datum ***values, bool ***isnull, int64 **rowids)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int64		nrows = 0;
	int64		base = 0;

	for (int c = 0; c < nchunks; c++)
		nrows += run[c].row_count;
	*values = palloc(sizeof(Datum *) * Max(desc->natts, 1));
	*isnull = palloc(sizeof(bool *) * Max(desc->natts, 1));
	for (int a = 0; a < desc->natts; a++)
	{
		(*values)[a] = palloc_extended(sizeof(Datum) * nrows, MCXT_ALLOC_HUGE);
		(*isnull)[a] = palloc_extended(sizeof(bool) * nrows, MCXT_ALLOC_HUGE);
	}
	*rowids = palloc_extended(sizeof(int64) * nrows, MCXT_ALLOC_HUGE);
	for (int c = 0; c < nchunks; c++)
	{
		ChunkMeta	meta;

		CHECK_FOR_INTERRUPTS();
		if (!metadata_find_chunk(storage_id, (uint64) run[c].first_row, snapshot, &meta) ||
			meta.first_row != run[c].first_row || meta.row_count != run[c].row_count ||
			meta.row_span != run[c].row_span)
			elog(ERROR, "timeseries chunk at row %lld vanished during compaction",
				 (long long) run[c].first_row);
		ts_chunk_decode_rows(rel, &meta, desc, *values, *isnull, *rowids, base);
		base += run[c].row_count;
	}
	return nrows;
}

/*
 * Replace a run of chunks by chunks of up to target rows of their rows but
 * the dead ones, together covering the run's row-id range; returns the
 * rows written.
 */
static int64
rewrite_run(Relation rel, uint64 storage_id, RunChunk *run, int nchunks,
			const DeadRows *dead, int target, Snapshot snapshot, MemoryContext cxt)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Datum	  **values;
	bool	  **isnull;
	int64	   *rowids;
	int64		nrows;
	int64		kept = 0;
	MemoryContext old = MemoryContextSwitchTo(cxt);

	nrows = decode_run(rel, storage_id, run, nchunks, snapshot, &values, &isnull, &rowids);
	if (dead == NULL)
		kept = nrows;
	for (int64 i = 0; dead != NULL && i < nrows; i++)
	{
		if (dead_row(dead, rowids[i]))
			continue;
		for (int a = 0; a < desc->natts; a++)
		{
			values[a][kept] = values[a][i];
			isnull[a][kept] = isnull[a][i];
		}
		rowids[kept++] = rowids[i];
	}

	/*
	 * Out with the old metadata rows first: the new chunk starts at the
	 * first one's row id, which is the metadata's unique key.
	 */
	for (int c = 0; c < nchunks; c++)
		metadata_delete_chunk(storage_id, run[c].first_row);
	CommandCounterIncrement();
	for (int64 off = 0; off < kept; off += target)
	{
		int64		n = Min(target, kept - off);
		Datum	  **sv = palloc(sizeof(Datum *) * Max(desc->natts, 1));
		bool	  **sn = palloc(sizeof(bool *) * Max(desc->natts, 1));

		CHECK_FOR_INTERRUPTS();
		for (int a = 0; a < desc->natts; a++)
		{
			sv[a] = values[a] + off;
			sn[a] = isnull[a] + off;
		}
		write_rows_as_chunk(rel, sv, sn, (int) n, rowids + off,
							off == 0 ? run[0].first_row : rowids[off],
							off + n < kept ? rowids[off + n] :
							run[nchunks - 1].first_row + run[nchunks - 1].row_span);
	}
	CommandCounterIncrement();

	MemoryContextSwitchTo(old);
	MemoryContextReset(cxt);
	return kept;
}

/*
 * The chunks visible to snapshot, in row-id order; those not to rewrite
 * have -1 rows: chunks with per-row command ids, and the current
 * transaction's chunks unless own (a restore's relayout).
 */
static RunChunk *
list_chunks(uint64 storage_id, Snapshot snapshot, bool own, int *nchunks)
{
	ChunkMetaScan *ms;
	ChunkMeta	meta;
	RunChunk   *chunks = NULL;
	int			n = 0;
	int			cap = 0;

	ms = metadata_begin_scan(storage_id, snapshot);
	while (metadata_next(ms, &meta, false))
	{
		CHECK_FOR_INTERRUPTS();
		if (n == cap)
		{
			cap = Max(64, cap * 2);
			chunks = chunks ? repalloc_huge(chunks, sizeof(RunChunk) * cap) :
				palloc(sizeof(RunChunk) * cap);
		}
		chunks[n].first_row = meta.first_row;
		chunks[n].row_count = ((meta.own_xact && !own) || meta.cids != NULL) ? -1 : meta.row_count;
		chunks[n].row_span = meta.row_span;
		n++;
	}
	metadata_end_scan(ms);
	*nchunks = n;
	return chunks;
}

/*
 * CLUSTER in a transaction with a transaction snapshot: a serialization
 * failure unless that snapshot sees the same chunks (by row-id range and
 * row count) and as many delete records as the fresh one.
 */
static void
check_same_view(uint64 storage_id, Snapshot xact, Snapshot fresh,
				const RunChunk *chunks, int nchunks, Relation rel)
{
	int			n;
	RunChunk   *seen = list_chunks(storage_id, xact, true, &n);
	bool		same = n == nchunks;

	for (int c = 0; same && c < n; c++)
		same = seen[c].first_row == chunks[c].first_row &&
			seen[c].row_count == chunks[c].row_count &&
			seen[c].row_span == chunks[c].row_span;
	if (same)
		same = delete_mask_count(storage_id, xact) == delete_mask_count(storage_id, fresh);
	if (!same)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent update"),
				 errdetail("Other transactions changed timeseries table \"%s\" after this transaction's snapshot, and CLUSTER writes the rows as they are now.",
						   RelationGetRelationName(rel)),
				 errhint("Retry, or run CLUSTER in a READ COMMITTED transaction.")));
	pfree(seen);
}

/*
 * Write the rows of a CLUSTER as one chunk under new row ids.
 */
static void
write_cluster_chunk(Relation rel, Datum **values, bool **isnull, int nrows,
					int64 *rowids)
{
	int64		first = (int64) storage_reserve_rows(rel, nrows, false);

	for (int i = 0; i < nrows; i++)
		rowids[i] = first + i;
	write_rows_as_chunk(rel, values, isnull, nrows, rowids, first, first + nrows);
}

/*
 * CLUSTER.  new_rel is a verbatim copy of old_rel's fork, with the same
 * storage id, so it holds the old chunks and the metadata names them (see
 * tableam.c).  The rows a fresh snapshot sees are sorted by the index
 * (tuplesort, within maintenance_work_mem) and written into new_rel as new
 * chunks of the table's chunk_rows rows under new row ids, and the old
 * chunks' metadata rows are deleted, with the delete and lock records of
 * their rows, all in this transaction.  So, as with heap's CLUSTER, a
 * snapshot taken before it commits still sees what it saw: the old chunks,
 * whose pages are freed only once no snapshot can read them, their delete
 * records, and index entries, which the index build makes for the old
 * chunks' rows (metadata_next_deleted) as well as the new.  Within a chunk,
 * rows are stored in the table's row order when it has one (segment_by,
 * order_by), so the index's order holds from chunk to chunk.
 */
int64
compact_cluster(Relation old_rel, Relation new_rel, Relation index)
{
	uint64		storage_id = storage_get_id(new_rel);
	TupleDesc	desc = RelationGetDescr(old_rel);
	int			natts = desc->natts;
	int			target;
	int			compression;
	bool		ordered;
	AttrNumber	time_attnum;
	Oid			time_type;
	Snapshot	snapshot;
	RunChunk   *chunks;
	int			nchunks;
	Tuplesortstate *sort;
	TableScanDesc scan;
	TupleTableSlot *slot;
	HeapTuple	tuple;
	Datum	  **values;
	bool	  **isnull;
	Datum	   *row_values;
	bool	   *row_nulls;
	int64	   *rowids;
	int			n = 0;
	Size		bytes = 0;
	int64		written = 0;
	MemoryContext cxt;

	Assert(storage_id == storage_get_id(old_rel));
	if (index->rd_rel->relam != BTREE_AM_OID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("CLUSTER of timeseries table \"%s\" needs a btree index",
						RelationGetRelationName(old_rel)),
				 errhint("Cluster on a btree index.")));
	ts_options_write_settings(old_rel, &target, &compression, &ordered,
							  &time_attnum, &time_type);
	if (target <= 0)
		target = ts_chunk_rows;

	snapshot = RegisterSnapshot(GetLatestSnapshot());
	chunks = list_chunks(storage_id, snapshot, true, &nchunks);

	/*
	 * The new chunks are this transaction's, so it sees them whatever its
	 * snapshot: one that sees other rows than a fresh snapshot (REPEATABLE
	 * READ, after other transactions changed the table) would see its view
	 * change, where heap's CLUSTER keeps each row version's own visibility.
	 */
	if (IsolationUsesXactSnapshot())
		check_same_view(storage_id, GetTransactionSnapshot(), snapshot,
						chunks, nchunks, old_rel);

	/* the rows, sorted by the index */
	sort = tuplesort_begin_cluster(desc, index, maintenance_work_mem, NULL,
								   TUPLESORT_NONE);
	scan = ts_scan_begin_custom(old_rel, snapshot);
	slot = table_slot_create(old_rel, NULL);
	while (ts_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		CHECK_FOR_INTERRUPTS();
		tuple = ExecCopySlotHeapTuple(slot);
		tuplesort_putheaptuple(sort, tuple);
		heap_freetuple(tuple);
	}
	ExecDropSingleTupleTableSlot(slot);
	ts_scan_end(scan);
	tuplesort_performsort(sort);

	/* written in chunks, each row's values copied into the chunk's context */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "timeseries cluster chunk",
								ALLOCSET_DEFAULT_SIZES);
	values = palloc(sizeof(Datum *) * Max(natts, 1));
	isnull = palloc(sizeof(bool *) * Max(natts, 1));
	for (int a = 0; a < natts; a++)
	{
		values[a] = palloc_extended(sizeof(Datum) * target, MCXT_ALLOC_HUGE);
		isnull[a] = palloc_extended(sizeof(bool) * target, MCXT_ALLOC_HUGE);
	}
	row_values = palloc(sizeof(Datum) * Max(natts, 1));
	row_nulls = palloc(sizeof(bool) * Max(natts, 1));
	rowids = palloc_extended(sizeof(int64) * target, MCXT_ALLOC_HUGE);
	while ((tuple = tuplesort_getheaptuple(sort, true)) != NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);
		HeapTuple	copy = heap_copytuple(tuple);

		MemoryContextSwitchTo(old);
		CHECK_FOR_INTERRUPTS();
		heap_deform_tuple(copy, desc, row_values, row_nulls);
		for (int a = 0; a < natts; a++)
		{
			values[a][n] = row_values[a];
			isnull[a][n] = row_nulls[a];
		}
		bytes += copy->t_len;
		if (++n == target || bytes >= CHUNK_MAX_RAW_BYTES)
		{
			write_cluster_chunk(new_rel, values, isnull, n, rowids);
			written += n;
			n = 0;
			bytes = 0;
			MemoryContextReset(cxt);
		}
	}
	if (n > 0)
		write_cluster_chunk(new_rel, values, isnull, n, rowids);
	written += n;
	tuplesort_end(sort);
	MemoryContextDelete(cxt);

	/* out with the old chunks, and the records of their rows */
	CommandCounterIncrement();
	for (int c = 0; c < nchunks; c++)
	{
		CHECK_FOR_INTERRUPTS();
		if (!metadata_delete_chunk(storage_id, chunks[c].first_row))
			elog(ERROR, "timeseries chunk at row %lld vanished during CLUSTER",
				 (long long) chunks[c].first_row);
		delete_mask_drop_range(storage_id, chunks[c].first_row,
							   chunks[c].first_row + chunks[c].row_span - 1);
	}
	CommandCounterIncrement();
	UnregisterSnapshot(snapshot);
	return written;
}

/*
 * The rows deleted for everyone: delete records visible to a fresh snapshot
 * whose transaction is older than every snapshot's horizon.  At most what
 * maintenance_work_mem holds; the rest waits for the next VACUUM.
 */
static void
collect_dead_rows(uint64 storage_id, Snapshot snapshot, DeadRows *dead)
{
	RecordScan	rs;
	HeapTuple	tuple;
	GlobalVisState *vistest;
	int64		cap = 1024;
	int64		max = (int64) maintenance_work_mem * 1024 / sizeof(int64);

	dead->n = 0;
	dead->newest_xid = InvalidTransactionId;
	dead->rowids = palloc(sizeof(int64) * cap);
	metadata_begin_records(&rs, INTERNAL_DELETED_ROW, storage_id, 0, PG_INT64_MAX,
						   snapshot, AccessShareLock);
	vistest = GlobalVisTestFor(rs.heap);
	while (HeapTupleIsValid(tuple = metadata_next_record(&rs)) && dead->n < max)
	{
		TransactionId xmin = HeapTupleHeaderGetXmin(tuple->t_data);

		CHECK_FOR_INTERRUPTS();
		if (TransactionIdIsNormal(xmin) && !GlobalVisTestIsRemovableXid(vistest, xmin))
			continue;
		if (dead->n == cap)
		{
			cap *= 2;
			dead->rowids = repalloc_huge(dead->rowids, sizeof(int64) * cap);
		}
		dead->rowids[dead->n++] = metadata_record_row(tuple);
		if (TransactionIdIsNormal(xmin) &&
			(!TransactionIdIsValid(dead->newest_xid) ||
			 TransactionIdFollows(xmin, dead->newest_xid)))
			dead->newest_xid = xmin;
	}
	metadata_end_records(&rs, AccessShareLock);
}

/* Remove the dead rows' entries from every index of the relation. */
static void
remove_index_entries(Relation rel, DeadRows *dead)
{
	Relation   *indrels;
	int			nindexes;

	vac_open_indexes(rel, RowExclusiveLock, &nindexes, &indrels);
	for (int i = 0; i < nindexes; i++)
	{
		IndexVacuumInfo ivinfo;
		IndexBulkDeleteResult *stats;

		memset(&ivinfo, 0, sizeof(ivinfo));
		ivinfo.index = indrels[i];
		ivinfo.analyze_only = false;
		ivinfo.report_progress = false;
		ivinfo.estimated_count = true;
		ivinfo.message_level = DEBUG2;
		ivinfo.num_heap_tuples = Max(rel->rd_rel->reltuples, 0);
		ivinfo.strategy = NULL;
		stats = index_bulk_delete(&ivinfo, NULL, dead_row_callback, dead);
		stats = index_vacuum_cleanup(&ivinfo, stats);
		if (stats)
			pfree(stats);
	}
	vac_close_indexes(nindexes, indrels, NoLock);
}

/* Delete the delete records of the dead rows in [lo, hi]. */
static void
drop_dead_records(uint64 storage_id, int64 lo, int64 hi, const DeadRows *dead)
{
	RecordScan	rs;
	HeapTuple	tuple;

	metadata_begin_records(&rs, INTERNAL_DELETED_ROW, storage_id, lo, hi, SnapshotSelf,
						   RowExclusiveLock);
	while (HeapTupleIsValid(tuple = metadata_next_record(&rs)))
		if (dead_row(dead, metadata_record_row(tuple)))
			simple_heap_delete(rs.heap, &tuple->t_self);
	metadata_end_records(&rs, RowExclusiveLock);
}

int64
compact_relation(Relation rel, bool relayout)
{
	uint64		storage_id = storage_get_id(rel);
	int			target;
	int			compression;
	bool		ordered;
	Snapshot	snapshot;
	DeadRows	dead;
	RunChunk   *chunks;
	int32	   *ndead;
	int			nchunks;
	int64		rewritten = 0;
	MemoryContext cxt;
	int			start;
	int64		d = 0;

	if (storage_id == 0)
		return 0;
	(void) storage_ready_free_extents(storage_id);
	ts_options_write_settings(rel, &target, &compression, &ordered, NULL, NULL);
	if (target <= 0)
		target = ts_chunk_rows;

	/* the rows deleted for everyone, out of the indexes first */
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	dead.n = 0;
	dead.rowids = NULL;
	if (delete_mask_any(storage_id, snapshot))
		collect_dead_rows(storage_id, snapshot, &dead);
	if (dead.n > 0)
	{
		/*
		 * Rows deleted for everyone here may still be alive to a standby
		 * query whose snapshot is older than their delete: such queries are
		 * cancelled before the index vacuum is replayed.
		 */
		storage_log_conflict(rel, dead.newest_xid);
		qsort(dead.rowids, dead.n, sizeof(int64), ts_compare_int64);
		remove_index_entries(rel, &dead);
	}

	/* the chunks in row-id order, and how many dead rows each holds */
	chunks = list_chunks(storage_id, snapshot, relayout, &nchunks);
	ndead = palloc0(sizeof(int32) * Max(nchunks, 1));
	for (int c = 0; c < nchunks && d < dead.n; c++)
	{
		int64		end = chunks[c].first_row + chunks[c].row_span;

		while (d < dead.n && dead.rowids[d] < chunks[c].first_row)
			d++;
		while (d < dead.n && dead.rowids[d] < end)
		{
			ndead[c]++;
			d++;
		}
		if (chunks[c].row_count < 0)
			ndead[c] = 0;		/* not ours to rewrite (cannot happen: not committed) */
	}

	/*
	 * Runs of small chunks, adjacent and fitting together once their dead
	 * rows are out; a run ends at a gap, at a chunk that is full or not ours
	 * to rewrite, or where the next one would not fit.  A run of two or
	 * more, or one holding dead rows, is rewritten.
	 */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "timeseries compaction",
								ALLOCSET_DEFAULT_SIZES);
	start = 0;
	while (start < nchunks)
	{
		int			end = start;
		int64		rows = 0;
		int64		span = 0;
		int64		dead_rows = 0;

		while (end < nchunks && chunks[end].row_count >= 0 &&
			   (chunks[end].row_count - ndead[end] < target || (relayout && end == start)) &&
			   (rows + chunks[end].row_count - ndead[end] <= target || end == start) &&
			   (end == start || span + chunks[end].row_span <= 4 * (int64) target) &&
			   (end == start ||
				chunks[end].first_row == chunks[end - 1].first_row + chunks[end - 1].row_span))
		{
			rows += chunks[end].row_count - ndead[end];
			span += chunks[end].row_span;
			dead_rows += ndead[end];
			end++;
		}
		if (end == start && ndead[start] > 0)
		{
			/* a full chunk with dead rows, alone */
			end = start + 1;
			dead_rows = ndead[start];
		}
		if (end - start >= 2 || dead_rows > 0 || (relayout && end > start))
		{
			rewritten += rewrite_run(rel, storage_id, &chunks[start], end - start,
									 dead_rows > 0 ? &dead : NULL, target, snapshot, cxt);
			if (dead_rows > 0)
				drop_dead_records(storage_id, chunks[start].first_row,
								  chunks[end - 1].first_row + chunks[end - 1].row_span - 1,
								  &dead);
		}
		start = Max(end, start + 1);
	}
	MemoryContextDelete(cxt);
	UnregisterSnapshot(snapshot);
	pfree(ndead);
	if (chunks)
		pfree(chunks);
	if (dead.rowids)
		pfree(dead.rowids);
	return rewritten;
}

/*
 * Move the chunks at the end of the fork down into ready free extents below
 * them, so that VACUUM can give the end back: compaction frees the small
 * chunks' pages all over the fork while the merged chunks go wherever there
 * was room, often at the end.  A chunk's bytes do not depend on where they
 * are: its metadata row is replaced by one naming the copy, in this
 * transaction, so every snapshot reads one or the other, and the old extent
 * is freed as any deleted chunk's (pending until no snapshot can read it).
 * Row ids, and so index entries, delete records and row locks, stay.  From
 * the last chunk down, until one has no room below it, at most
 * RELOCATE_MAX_PAGES pages per call; returns the chunks moved.
 */
#define RELOCATE_MAX_PAGES	4096

static int
compare_first_block_desc(const void *a, const void *b)
{
	int32		x = ((const ChunkMeta *) a)->first_block;
	int32		y = ((const ChunkMeta *) b)->first_block;

	return (x < y) - (x > y);
}

int
compact_relocate_tail(Relation rel)
{
	uint64		storage_id = storage_get_id(rel);
	Snapshot	snapshot;
	ChunkMetaScan *ms;
	ChunkMeta	meta;
	ChunkMeta  *chunks = NULL;
	int			n = 0;
	int			cap = 0;
	int			moved = 0;
	Size		pages = 0;

	if (storage_id == 0)
		return 0;
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	ms = metadata_begin_scan(storage_id, snapshot);
	while (metadata_next(ms, &meta, false))
	{
		CHECK_FOR_INTERRUPTS();
		/* extents only; not chunks with per-row command ids, nor our own */
		if (meta.first_block == INLINE_BLOCK || meta.own_xact || meta.cids != NULL)
			continue;
		if (n == cap)
		{
			cap = Max(64, cap * 2);
			chunks = chunks ? repalloc_huge(chunks, sizeof(ChunkMeta) * cap) :
				palloc(sizeof(ChunkMeta) * cap);
		}
		chunks[n++] = meta;
	}
	metadata_end_scan(ms);
	UnregisterSnapshot(snapshot);
	if (n > 0)
		qsort(chunks, n, sizeof(ChunkMeta), compare_first_block_desc);

	for (int c = 0; c < n; c++)
	{
		ChunkMeta  *chunk = &chunks[c];
		Size		npages = ((Size) chunk->byte_count + EXTENT_PAGE_BYTES - 1) /
			EXTENT_PAGE_BYTES;
		BlockNumber to;

		CHECK_FOR_INTERRUPTS();
		if (pages + npages > RELOCATE_MAX_PAGES)
			break;
		to = storage_move_extent(rel, (BlockNumber) chunk->first_block,
								 (Size) chunk->byte_count);
		if (to == InvalidBlockNumber)
			break;
		if (!metadata_delete_chunk(storage_id, chunk->first_row))
			elog(ERROR, "timeseries chunk at row %lld vanished while being moved",
				 (long long) chunk->first_row);
		chunk->first_block = (int32) to;
		chunk->flush_seq = write_take_flush_seq();
		metadata_insert_chunk(chunk, GetCurrentCommandId(true));
		pages += npages;
		moved++;
		/* the rest of the extent taken is the next chunk's to take */
		CommandCounterIncrement();
	}
	if (chunks)
		pfree(chunks);
	return moved;
}

/* compact(tbl regclass) returns bigint: the rows rewritten */
Datum
timeseries_compact(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel;
	int64		rewritten;

	rel = ts_open_owned_table(relid, ShareUpdateExclusiveLock, "compact");
	PreventCommandIfReadOnly("compact()");

	rewritten = compact_relation(rel, false);
	relation_close(rel, NoLock);
	PG_RETURN_INT64(rewritten);
}
