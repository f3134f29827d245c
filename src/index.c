/*-------------------------------------------------------------------------
 *
 * index.c
 *	  Indexes on timeseries tables: building them, validating them for
 *	  CREATE INDEX CONCURRENTLY, and fetching rows for index scans.
 *
 * An index entry points at a row's ctid, which is its row id (storage.h).
 * Rows never move: an UPDATE deletes the row and inserts its new version
 * under a new row id, which gets index entries of its own, so there are no
 * HOT chains.  A deleted row keeps its index entries; index scans find the
 * row deleted and skip it.
 *
 * Index AMs that can only return bitmaps (BRIN, GIN, bloom) are refused:
 * timeseries tables have no bitmap scans, so the planner could never use
 * them.  Index-only scans are correct without a visibility map: with none,
 * every entry is checked against the table.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/amapi.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/tuplesort.h"

#include "index.h"
#include "metadata.h"
#include "scan.h"
#include "storage.h"

/* What evaluating an index's expressions and predicate on rows needs. */
typedef struct IndexEval
{
	EState	   *estate;
	ExprContext *econtext;
	ExprState  *predicate;
	TupleTableSlot *slot;		/* the row under test */
} IndexEval;

static void
index_eval_begin(IndexEval *ev, Relation table_rel, IndexInfo *index_info)
{
	ev->estate = CreateExecutorState();
	ev->econtext = GetPerTupleExprContext(ev->estate);
	ev->slot = table_slot_create(table_rel, NULL);
	ev->econtext->ecxt_scantuple = ev->slot;
	ev->predicate = ExecPrepareQual(index_info->ii_Predicate, ev->estate);
}

/* The index values of the row in ev->slot; false when a partial index leaves it out. */
static bool
index_eval_row(IndexEval *ev, IndexInfo *index_info, Datum *values, bool *isnull)
{
	MemoryContextReset(ev->econtext->ecxt_per_tuple_memory);
	if (ev->predicate != NULL && !ExecQual(ev->predicate, ev->econtext))
		return false;
	FormIndexDatum(index_info, ev->slot, ev->estate, values, isnull);
	return true;
}

static void
index_eval_end(IndexEval *ev, IndexInfo *index_info)
{
	ExecDropSingleTupleTableSlot(ev->slot);
	FreeExecutorState(ev->estate);
	/* these pointed into the estate */
	index_info->ii_ExpressionsState = NIL;
	index_info->ii_PredicateState = NULL;
}

/*
 * The rows of chunks a fresh snapshot no longer sees but an older one may
 * (metadata_next_deleted: the old chunks of a CLUSTER, chunks drop_chunks
 * took), as not alive, with their old row ids.  Several deleted versions
 * may hold the same rows (compaction replaced a chunk under the same row
 * ids, then CLUSTER deleted the replacement, and snapshots older than each
 * remain): they come in the order of their first row ids, and each row id
 * gets one entry, from the first version that has it.
 */
static void
index_build_deleted_chunks(Relation table_rel, Relation index_rel,
						   IndexInfo *index_info, IndexEval *ev, Snapshot snapshot,
						   BlockNumber start_blockno, BlockNumber numblocks,
						   IndexBuildCallback callback, void *callback_state)
{
	uint64		storage_id = storage_get_id(table_rel);
	TupleDesc	desc = RelationGetDescr(table_rel);
	TupleTableSlot *row_slot = ev->slot;
	TupleTableSlot *slot;
	ChunkMetaScan *ms;
	ChunkMeta	meta;
	MemoryContext cxt;
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];
	int64		covered_end = 0;	/* row ids below have their entries */

	if (storage_id == 0)
		return;
	slot = MakeSingleTupleTableSlot(desc, &TTSOpsVirtual);
	ev->slot = slot;
	ev->econtext->ecxt_scantuple = slot;
	cxt = AllocSetContextCreate(CurrentMemoryContext, "timeseries deleted chunk",
								ALLOCSET_DEFAULT_SIZES);
	ms = metadata_begin_scan(storage_id, SnapshotAny);
	for (;;)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);
		Datum	  **cols;
		bool	  **nulls;
		int64	   *rowids;

		if (!metadata_next_deleted(ms, snapshot, &meta))
		{
			MemoryContextSwitchTo(old);
			break;
		}
		if (meta.first_row + meta.row_span <= covered_end)
		{
			MemoryContextSwitchTo(old);
			MemoryContextReset(cxt);
			continue;
		}
		cols = palloc(sizeof(Datum *) * Max(desc->natts, 1));
		nulls = palloc(sizeof(bool *) * Max(desc->natts, 1));
		for (int a = 0; a < desc->natts; a++)
		{
			cols[a] = palloc_extended(sizeof(Datum) * meta.row_count, MCXT_ALLOC_HUGE);
			nulls[a] = palloc_extended(sizeof(bool) * meta.row_count, MCXT_ALLOC_HUGE);
		}
		rowids = palloc_extended(sizeof(int64) * meta.row_count, MCXT_ALLOC_HUGE);
		ts_chunk_decode_rows(table_rel, &meta, desc, cols, nulls, rowids, 0);
		for (int i = 0; i < meta.row_count; i++)
		{
			ItemPointerData tid;
			BlockNumber block;

			CHECK_FOR_INTERRUPTS();
			if (rowids[i] < covered_end)
				continue;
			rowid_to_tid((uint64) rowids[i], &tid);
			block = ItemPointerGetBlockNumber(&tid);
			if (block < start_blockno ||
				(numblocks != InvalidBlockNumber && block - start_blockno >= numblocks))
				continue;
			ExecClearTuple(slot);
			for (int a = 0; a < desc->natts; a++)
			{
				slot->tts_values[a] = cols[a][i];
				slot->tts_isnull[a] = nulls[a][i];
			}
			ExecStoreVirtualTuple(slot);
			slot->tts_tid = tid;
			if (index_eval_row(ev, index_info, values, isnull))
				callback(index_rel, &tid, values, isnull, false, callback_state);
		}
		covered_end = Max(covered_end, meta.first_row + meta.row_span);
		MemoryContextSwitchTo(old);
		MemoryContextReset(cxt);
	}
	metadata_end_scan(ms);
	MemoryContextDelete(cxt);
	ExecDropSingleTupleTableSlot(slot);
	ev->slot = row_slot;
	ev->econtext->ecxt_scantuple = row_slot;
}

/*
 * Rows for an index build: every row of the chunks a fresh snapshot sees
 * (the table's ShareLock keeps writers out; a concurrent build gets its
 * snapshot from CREATE INDEX CONCURRENTLY), the transaction's own unwritten
 * rows, and rows deleted for that snapshot too, as not alive: an older
 * snapshot may still see them, and btree leaves them out of its uniqueness
 * check; and, but for a concurrent build (whose validation pass must not
 * find entries it has not checked), the rows of deleted chunks an older
 * snapshot may still see, as not alive too.  Block ranges (start_blockno,
 * numblocks) select rows by the block of their ctid.
 */
double
ts_index_build_range_scan(Relation table_rel, Relation index_rel,
						  IndexInfo *index_info, bool allow_sync,
						  bool anyvisible, bool progress,
						  BlockNumber start_blockno, BlockNumber numblocks,
						  IndexBuildCallback callback, void *callback_state,
						  TableScanDesc scan)
{
	Snapshot	snapshot;
	IndexEval	ev;
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];
	double		reltuples = 0;

	if (scan != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("parallel index builds of timeseries tables are not supported")));

	snapshot = RegisterSnapshot(index_info->ii_Concurrent ?
								GetTransactionSnapshot() : GetLatestSnapshot());
	scan = ts_scan_begin_custom(table_rel, snapshot);
	ts_scan_set_include_deleted(scan);

	index_eval_begin(&ev, table_rel, index_info);

	while (ts_scan_getnextslot(scan, ForwardScanDirection, ev.slot))
	{
		BlockNumber block = ItemPointerGetBlockNumber(&ev.slot->tts_tid);
		bool		alive = !ts_scan_row_deleted(scan);

		CHECK_FOR_INTERRUPTS();
		if (block < start_blockno ||
			(numblocks != InvalidBlockNumber && block - start_blockno >= numblocks))
			continue;
		if (!index_eval_row(&ev, index_info, values, isnull))
			continue;
		callback(index_rel, &ev.slot->tts_tid, values, isnull, alive, callback_state);
		if (alive)
			reltuples += 1;
	}

	ts_scan_end(scan);
	if (!index_info->ii_Concurrent)
		index_build_deleted_chunks(table_rel, index_rel, index_info, &ev, snapshot,
								   start_blockno, numblocks, callback, callback_state);
	UnregisterSnapshot(snapshot);
	index_eval_end(&ev, index_info);
	return reltuples;
}

/*
 * CREATE INDEX CONCURRENTLY's last pass: insert the rows the reference
 * snapshot sees that the index does not hold yet.  state->tuplesort holds
 * the index's ctids in order; chunks come in row-id order, each a range of
 * row ids whose rows come in storage order, so the ctids of a chunk's range
 * are taken from the sort into a bitmap as the chunk comes up.
 */
void
ts_index_validate_scan(Relation table_rel, Relation index_rel,
					   IndexInfo *index_info, Snapshot snapshot,
					   ValidateIndexState *state)
{
	TableScanDesc scan;
	IndexEval	ev;
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];
	uint64		window_first = 0;
	int64		window_count = -1;
	uint8	   *in_index = NULL;
	ItemPointerData pending;
	bool		have_pending = false;
	bool		sort_done = false;

	index_eval_begin(&ev, table_rel, index_info);
	scan = ts_scan_begin_custom(table_rel, snapshot);

	while (ts_scan_getnextslot(scan, ForwardScanDirection, ev.slot))
	{
		uint64		rowid = tid_to_rowid(&ev.slot->tts_tid);
		uint64		first;
		int64		count;
		bool		indexed = false;

		CHECK_FOR_INTERRUPTS();
		state->htups += 1;
		if (ts_scan_chunk_rows(scan, &first, &count) &&
			(first != window_first || count != window_count))
		{
			/* a new chunk: collect the index's ctids in its range */
			window_first = first;
			window_count = count;
			if (in_index)
				pfree(in_index);
			in_index = palloc0((count + 7) / 8);
			for (;;)
			{
				uint64		r;

				if (!have_pending)
				{
					Datum		d;
					bool		null;

					if (sort_done ||
						!tuplesort_getdatum(state->tuplesort, true, &d, &null, NULL))
					{
						sort_done = true;
						break;
					}
					itemptr_decode(&pending, DatumGetInt64(d));
					have_pending = true;
				}
				r = tid_to_rowid(&pending);
				if (r >= first + count)
					break;
				if (r >= first)
					in_index[(r - first) / 8] |= 1 << ((r - first) % 8);
				have_pending = false;
			}
		}
		if (in_index && rowid >= window_first && rowid < window_first + window_count)
			indexed = (in_index[(rowid - window_first) / 8] >> ((rowid - window_first) % 8)) & 1;
		if (indexed)
			continue;

		if (!index_eval_row(&ev, index_info, values, isnull))
			continue;
		index_insert(index_rel, values, isnull, &ev.slot->tts_tid, table_rel,
					 index_info->ii_Unique ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO,
					 false, index_info);
		state->tups_inserted += 1;
	}

	ts_scan_end(scan);
	index_eval_end(&ev, index_info);
}

/*
 * Index scans fetch rows by ctid.  There are no HOT chains, so a fetch
 * never has to be called again for the same entry; entries are never
 * reported dead, so index AMs keep them (VACUUM does not remove the rows
 * of deleted rows from chunks yet).
 */
IndexFetchTableData *
ts_index_fetch_begin(Relation rel)
{
	IndexFetchTableData *scan = palloc0(sizeof(IndexFetchTableData));

	scan->rel = rel;
	return scan;
}

void
ts_index_fetch_reset(IndexFetchTableData *scan)
{
}

void
ts_index_fetch_end(IndexFetchTableData *scan)
{
	pfree(scan);
}

bool
ts_index_fetch_tuple(IndexFetchTableData *scan, ItemPointer tid,
					 Snapshot snapshot, TupleTableSlot *slot,
					 bool *call_again, bool *all_dead)
{
	bool		found;

	*call_again = false;
	if (all_dead)
		*all_dead = false;
	found = ts_fetch_row_version(scan->rel, tid, snapshot, slot);
	if (found)
		pgstat_count_heap_fetch(scan->rel);
	return found;
}

/* No index entry is ever known to be deletable (see above). */
TransactionId
ts_index_delete_tuples(Relation rel, TM_IndexDeleteOp *delstate)
{
	for (int i = 0; i < delstate->ndeltids; i++)
		delstate->status[delstate->deltids[i].id].knowndeletable = false;
	return InvalidTransactionId;
}

/*
 * Refuse index access methods that only return bitmaps, before CREATE
 * INDEX (CONCURRENTLY) commits anything.
 */
void
ts_index_check_am(Oid amoid, const char *table_name)
{
	IndexAmRoutine *am = GetIndexAmRoutineByAmId(amoid, false);

	if (am->amgettuple == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("index access method \"%s\" is not supported on timeseries tables",
						get_am_name(amoid)),
				 errdetail("Table \"%s\" uses the timeseries access method, which has no bitmap scans; \"%s\" indexes can only be read through them.",
						   table_name, get_am_name(amoid)),
				 errhint("Use a btree, hash, GiST or SP-GiST index.")));
	pfree(am);
}
