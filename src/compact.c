/*-------------------------------------------------------------------------
 *
 * compact.c
 *	  Compaction: timeseries.compact() and VACUUM merge runs of small chunks
 *	  into full ones.
 *
 * Trickle inserts (one row per transaction, from many clients) leave one
 * small, usually inline, chunk per transaction; a subtransaction loop or a
 * batch of 1,000 rows leaves chunks of that size.  Compaction merges each
 * run of small chunks whose row-id ranges follow one another without a gap
 * into chunks of up to the table's chunk_rows rows, stored in the table's
 * row order (segment_by, order_by) and compressed as a whole.
 *
 * The rows keep their row ids (the new chunk's row order maps its stored
 * positions to them), so index entries, delete records and row locks stay
 * valid and nothing else is rewritten.  The old chunks' metadata rows are
 * deleted and the new chunk's inserted in one transaction: every snapshot
 * sees either the old chunks or the new one, so readers, writers and
 * deleters of the same rows carry on concurrently; only another compaction
 * or VACUUM of the table waits (ShareUpdateExclusiveLock).  Deleted rows are
 * carried over as they are, their delete records still hiding them.
 *
 * Only chunks committed and visible to a fresh snapshot are merged; chunks
 * of transactions in progress (ours included) are left alone.  The old
 * chunks' bytes stay where they were: page extents are not reused yet, and
 * the metadata rows of merged inline chunks become dead rows of
 * timeseries_internal.chunk for its own VACUUM.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "compact.h"
#include "metadata.h"
#include "options.h"
#include "scan.h"
#include "storage.h"
#include "timeseries.h"
#include "write.h"

PG_FUNCTION_INFO_V1(timeseries_compact);

/* A chunk of a run: its row ids [first_row, first_row + row_count). */
typedef struct RunChunk
{
	int64		first_row;
	int32		row_count;
} RunChunk;

/* Merge one run of chunks into one; returns the rows rewritten. */
static int64
merge_run(Relation rel, uint64 storage_id, RunChunk *run, int nchunks,
		  Snapshot snapshot, MemoryContext cxt)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int64		first = run[0].first_row;
	int64		nrows = 0;
	Datum	  **values;
	bool	  **isnull;
	MemoryContext old = MemoryContextSwitchTo(cxt);

	for (int c = 0; c < nchunks; c++)
		nrows += run[c].row_count;
	values = palloc(sizeof(Datum *) * Max(desc->natts, 1));
	isnull = palloc(sizeof(bool *) * Max(desc->natts, 1));
	for (int a = 0; a < desc->natts; a++)
	{
		values[a] = palloc_extended(sizeof(Datum) * nrows, MCXT_ALLOC_HUGE);
		isnull[a] = palloc_extended(sizeof(bool) * nrows, MCXT_ALLOC_HUGE);
	}
	for (int c = 0; c < nchunks; c++)
	{
		ChunkMeta	meta;

		CHECK_FOR_INTERRUPTS();
		if (!metadata_find_chunk(storage_id, (uint64) run[c].first_row, snapshot, &meta) ||
			meta.first_row != run[c].first_row || meta.row_count != run[c].row_count)
			elog(ERROR, "timeseries chunk at row %lld vanished during compaction",
				 (long long) run[c].first_row);
		ts_chunk_decode_rows(rel, &meta, desc, values, isnull, run[c].first_row - first);
	}

	/*
	 * Out with the old metadata rows first: the new chunk starts at the
	 * first one's row id, which is the metadata's unique key.
	 */
	for (int c = 0; c < nchunks; c++)
		metadata_delete_chunk(storage_id, run[c].first_row);
	CommandCounterIncrement();
	write_rows_as_chunk(rel, values, isnull, (int) nrows, (uint64) first);
	CommandCounterIncrement();

	MemoryContextSwitchTo(old);
	MemoryContextReset(cxt);
	return nrows;
}

int64
compact_relation(Relation rel)
{
	uint64		storage_id = storage_get_id(rel);
	int			target;
	int			compression;
	bool		ordered;
	Snapshot	snapshot;
	ChunkMetaScan *ms;
	ChunkMeta	meta;
	RunChunk   *chunks = NULL;
	int			nchunks = 0;
	int			cap = 0;
	int64		rewritten = 0;
	MemoryContext cxt;
	int			start;

	if (storage_id == 0)
		return 0;
	ts_options_write_settings(RelationGetRelid(rel), &target, &compression, &ordered);
	if (target <= 0)
		target = ts_chunk_rows;

	/*
	 * The chunks, in row-id order; a run ends at a gap, at a chunk that is
	 * full or not ours to merge, or where the next one would not fit.
	 */
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	ms = metadata_begin_scan(storage_id, snapshot);
	while (metadata_next(ms, &meta, false))
	{
		CHECK_FOR_INTERRUPTS();
		if (nchunks == cap)
		{
			cap = Max(64, cap * 2);
			chunks = chunks ? repalloc_huge(chunks, sizeof(RunChunk) * cap) :
				palloc(sizeof(RunChunk) * cap);
		}
		chunks[nchunks].first_row = meta.first_row;
		/* a chunk we cannot merge: as if full */
		chunks[nchunks].row_count = (meta.own_xact || meta.cids != NULL) ? -1 : meta.row_count;
		nchunks++;
	}
	metadata_end_scan(ms);

	cxt = AllocSetContextCreate(CurrentMemoryContext, "timeseries compaction",
								ALLOCSET_DEFAULT_SIZES);
	start = 0;
	while (start < nchunks)
	{
		int			end = start;
		int64		rows = 0;

		/* extend the run while chunks are small, adjacent and fit */
		while (end < nchunks && chunks[end].row_count > 0 &&
			   chunks[end].row_count < target &&
			   rows + chunks[end].row_count <= target &&
			   (end == start ||
				chunks[end].first_row == chunks[end - 1].first_row + chunks[end - 1].row_count))
		{
			rows += chunks[end].row_count;
			end++;
		}
		if (end - start >= 2)
			rewritten += merge_run(rel, storage_id, &chunks[start], end - start,
								   snapshot, cxt);
		start = Max(end, start + 1);
	}
	MemoryContextDelete(cxt);
	UnregisterSnapshot(snapshot);
	if (chunks)
		pfree(chunks);
	return rewritten;
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

	rewritten = compact_relation(rel);
	relation_close(rel, NoLock);
	PG_RETURN_INT64(rewritten);
}
