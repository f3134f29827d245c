/*-------------------------------------------------------------------------
 *
 * tableam.c
 *	  The timeseries table access method: the TableAmRoutine and the
 *	  callbacks that are not a scan (scan.c) or a write (write.c).
 *
 * Every callback is filled in; the ones for features a later version will
 * add (TABLESAMPLE, parallel table scans) raise a clear "not supported yet"
 * error rather than leave a NULL that PostgreSQL would call.
 * Bitmap scans are absent, which the planner respects.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/relation.h"
#include "access/multixact.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/index.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/storage.h"
#include "catalog/storage_xlog.h"
#include "commands/defrem.h"
#include "commands/vacuum.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/smgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "compact.h"
#include "delete_mask.h"
#include "index.h"
#include "metadata.h"
#include "options.h"
#include "retention.h"
#include "scan.h"
#include "storage.h"
#include "timeseries.h"
#include "write.h"

PG_FUNCTION_INFO_V1(timeseries_tam_handler);

static object_access_hook_type prev_object_access_hook = NULL;

static Oid
ts_am_oid(void)
{
	return get_am_oid("timeseries", true);
}

bool
ts_is_timeseries_relid(Oid relid)
{
	HeapTuple	tuple;
	bool		result = false;
	Oid			amoid;

	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		return false;
	amoid = ((Form_pg_class) GETSTRUCT(tuple))->relam;
	if (OidIsValid(amoid) &&
		(((Form_pg_class) GETSTRUCT(tuple))->relkind == RELKIND_RELATION ||
		 ((Form_pg_class) GETSTRUCT(tuple))->relkind == RELKIND_MATVIEW))
		result = (amoid == ts_am_oid());
	ReleaseSysCache(tuple);
	return result;
}

/*
 * Open a timeseries table whose owner the caller is (or is a member of), for
 * what (a function's name, for the messages): checked first, as ALTER TABLE
 * does, so that others cannot queue for the lock, and again once it is held.
 */
Relation
ts_open_owned_table(Oid relid, LOCKMODE lockmode, const char *what)
{
	Relation	rel;

	if (SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)) &&
		!pg_class_ownercheck(relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, get_rel_name(relid));
	rel = try_relation_open(relid, lockmode);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (rel->rd_rel->relkind != RELKIND_RELATION || !ts_is_timeseries_rel(rel))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a timeseries table", RelationGetRelationName(rel)),
				 errhint("%s applies to tables created with USING timeseries.", what)));
	if (!pg_class_ownercheck(relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, RelationGetRelationName(rel));
	return rel;
}

static void
not_supported(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s is not supported on timeseries tables yet", what),
			 errhint("Copy the rows into a heap table for this operation.")));
}

/*
 * Rows are handed out in virtual slots that also answer xmin, which
 * PostgreSQL reads in one place that matters: a foreign key's update check
 * (RI_FKey_fk_upd_check_required) asks whether the old row was inserted by
 * the current transaction.  Rows carry no transaction ids, so xmin reads as
 * the current transaction's id for rows it wrote and as FrozenTransactionId
 * for every other row; the other transaction-id columns raise the virtual
 * slot's error.
 */
typedef struct TsRowSlot
{
	VirtualTupleTableSlot base;
	bool		own_xact;		/* written by the current transaction */
} TsRowSlot;

static TupleTableSlotOps ts_row_slot_ops;

static Datum
ts_row_slot_getsysattr(TupleTableSlot *slot, int attnum, bool *isnull)
{
	if (attnum == MinTransactionIdAttributeNumber)
	{
		TransactionId xid = InvalidTransactionId;

		if (((TsRowSlot *) slot)->own_xact)
			xid = GetTopTransactionId();
		*isnull = false;
		return TransactionIdGetDatum(TransactionIdIsValid(xid) ? xid : FrozenTransactionId);
	}
	return TTSOpsVirtual.getsysattr(slot, attnum, isnull);
}

const TupleTableSlotOps *
ts_row_slot_ops_get(void)
{
	if (ts_row_slot_ops.base_slot_size == 0)
	{
		ts_row_slot_ops = TTSOpsVirtual;
		ts_row_slot_ops.base_slot_size = sizeof(TsRowSlot);
		ts_row_slot_ops.getsysattr = ts_row_slot_getsysattr;
	}
	return &ts_row_slot_ops;
}

/* Note where the row just stored in a slot came from (any slot type). */
void
ts_slot_set_origin(TupleTableSlot *slot, bool own_xact)
{
	if (slot->tts_ops == &ts_row_slot_ops)
		((TsRowSlot *) slot)->own_xact = own_xact;
}

static const TupleTableSlotOps *
ts_slot_callbacks(Relation rel)
{
	return ts_row_slot_ops_get();
}

static Size
ts_parallelscan_estimate(Relation rel)
{
	not_supported("a parallel scan");
	return 0;
}

static Size
ts_parallelscan_initialize(Relation rel, ParallelTableScanDesc pscan)
{
	not_supported("a parallel scan");
	return 0;
}

static void
ts_parallelscan_reinitialize(Relation rel, ParallelTableScanDesc pscan)
{
	not_supported("a parallel scan");
}

static bool
ts_tuple_tid_valid(TableScanDesc scan, ItemPointer tid)
{
	return tid_is_row(tid);
}

static void
ts_tuple_get_latest_tid(TableScanDesc scan, ItemPointer tid)
{
	uint64		storage_id = storage_get_id(scan->rs_rd);

	if (storage_id != 0)
		delete_row_latest_visible(storage_id, tid, scan->rs_snapshot);
}

static bool
ts_tuple_satisfies_snapshot(Relation rel, TupleTableSlot *slot, Snapshot snapshot)
{
	TupleTableSlot *tmp = MakeSingleTupleTableSlot(RelationGetDescr(rel),
												   &TTSOpsVirtual);
	bool		result = ts_fetch_row_version(rel, &slot->tts_tid, snapshot, tmp);

	ExecDropSingleTupleTableSlot(tmp);
	return result;
}

static void
ts_tuple_insert(Relation rel, TupleTableSlot *slot, CommandId cid,
				int options, BulkInsertState bistate)
{
	write_insert(rel, &slot, 1, cid);
}

static void
ts_multi_insert(Relation rel, TupleTableSlot **slots, int nslots,
				CommandId cid, int options, BulkInsertState bistate)
{
	write_insert(rel, slots, nslots, cid);
}

/*
 * INSERT ... ON CONFLICT inserts the row, then its index entries with their
 * checks; a conflict found then takes the row back out of the write buffer
 * (no other backend could see it; one that waited for the row's pending
 * range finds nothing when the transaction ends).
 */
static void
ts_tuple_insert_speculative(Relation rel, TupleTableSlot *slot, CommandId cid,
							int options, BulkInsertState bistate,
							uint32 specToken)
{
	write_insert(rel, &slot, 1, cid);
}

static void
ts_tuple_complete_speculative(Relation rel, TupleTableSlot *slot,
							  uint32 specToken, bool succeeded)
{
	if (!succeeded)
		write_discard_row(rel, tid_to_rowid(&slot->tts_tid));
}

/* A row inserted by this command or a later one (TM_Invisible, as on heap)? */
static bool
inserted_by_this_command(Relation rel, ItemPointer tid, CommandId cid,
						 TM_FailureData *tmfd)
{
	CommandId	inserted;

	if (!ts_row_insert_cid(rel, tid, &inserted) || inserted < cid)
		return false;
	tmfd->xmax = InvalidTransactionId;
	tmfd->cmax = InvalidCommandId;
	ItemPointerCopy(tid, &tmfd->ctid);
	return true;
}

/*
 * DELETE records the row as deleted (delete_mask.c); its chunk is left as it
 * is.
 */
static TM_Result
ts_tuple_delete(Relation rel, ItemPointer tid, CommandId cid,
				Snapshot snapshot, Snapshot crosscheck, bool wait,
				TM_FailureData *tmfd, bool changingPart)
{
	uint64		storage_id = storage_get_id(rel);
	TM_Result	result;

	if (storage_id == 0 || !tid_is_row(tid))
		elog(ERROR, "timeseries: no row to delete at (%u,%u)",
			 ItemPointerGetBlockNumberNoCheck(tid),
			 ItemPointerGetOffsetNumberNoCheck(tid));
	if (inserted_by_this_command(rel, tid, cid, tmfd))
		return TM_Invisible;
	result = delete_row_begin(rel, storage_id, tid, cid, crosscheck, wait,
							  LockTupleExclusive, tmfd);
	if (result == TM_Ok)
	{
		delete_row_finish(rel, storage_id, tid, NO_SUCCESSOR, cid);
		pgstat_count_heap_delete(rel);
	}
	return result;
}

/*
 * UPDATE deletes the row and inserts its new version, with a new row id
 * that the delete record names as its successor.  The new version always
 * has a new ctid, so every index gets an entry for it.
 */
static TM_Result
ts_tuple_update(Relation rel, ItemPointer otid, TupleTableSlot *slot,
				CommandId cid, Snapshot snapshot, Snapshot crosscheck,
				bool wait, TM_FailureData *tmfd, LockTupleMode *lockmode,
				bool *update_indexes)
{
	uint64		storage_id = storage_get_id(rel);
	Bitmapset  *key_attrs;
	TM_Result	result;

	if (storage_id == 0 || !tid_is_row(otid))
		elog(ERROR, "timeseries: no row to update at (%u,%u)",
			 ItemPointerGetBlockNumberNoCheck(otid),
			 ItemPointerGetOffsetNumberNoCheck(otid));

	/*
	 * As on heap, an update conflicts with FOR KEY SHARE only where it may
	 * change a key column (one of a unique index a foreign key can use).
	 */
	key_attrs = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_KEY);
	*lockmode = bms_is_empty(key_attrs) ? LockTupleNoKeyExclusive : LockTupleExclusive;
	*update_indexes = true;
	if (inserted_by_this_command(rel, otid, cid, tmfd))
		return TM_Invisible;
	result = delete_row_begin(rel, storage_id, otid, cid, crosscheck, wait,
							  *lockmode, tmfd);
	if (result == TM_Ok)
	{
		write_insert(rel, &slot, 1, cid);
		delete_row_finish(rel, storage_id, otid, tid_to_rowid(&slot->tts_tid), cid);
		pgstat_count_heap_update(rel, false);
	}
	return result;
}

/*
 * Row locks: SELECT ... FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE, and
 * the lock EvalPlanQual and BEFORE ROW triggers take on the latest version
 * of a row they are about to change (delete_mask.c).
 */
static TM_Result
ts_tuple_lock(Relation rel, ItemPointer tid, Snapshot snapshot,
			  TupleTableSlot *slot, CommandId cid, LockTupleMode mode,
			  LockWaitPolicy wait_policy, uint8 flags, TM_FailureData *tmfd)
{
	uint64		storage_id = storage_get_id(rel);
	TM_Result	result;

	if (storage_id == 0 || !tid_is_row(tid))
		return TM_Invisible;
	if (inserted_by_this_command(rel, tid, cid, tmfd))
	{
		/* ON CONFLICT DO UPDATE reads the row's xmin to say why */
		(void) ts_fetch_row_version(rel, tid, SnapshotAny, slot);
		return TM_Invisible;
	}
	result = delete_row_lock(rel, storage_id, tid, cid, mode, wait_policy,
							 (flags & TUPLE_LOCK_FLAG_FIND_LAST_VERSION) != 0,
							 tmfd);
	if (result != TM_Ok)
		return result;
	if (!ts_fetch_row_version(rel, tid, SnapshotAny, slot))
		return TM_Invisible;
	return TM_Ok;
}

static void
ts_finish_bulk_insert(Relation rel, int options)
{
	/*
	 * Table rewrites (ALTER TABLE, CREATE TABLE AS) swap or publish the new
	 * relfilenode before commit, so its rows must be written now.
	 */
	write_flush_relation(rel);
}

static void
forget_storage_id(Relation rel)
{
	if (rel->rd_amcache)
	{
		pfree(rel->rd_amcache);
		rel->rd_amcache = NULL;
	}
}

/*
 * The init fork of an unlogged relation, which crash recovery copies over
 * the main fork.  It is empty: a main fork without a metapage is an empty
 * table, which gets a new storage id on its first write, and the metadata
 * of the old one is gone too, as it lived in the unlogged internal tables
 * (metadata.h, STORAGE_ID_UNLOGGED), which the same recovery empties.
 */
static void
create_init_fork(SMgrRelation srel)
{
	smgrcreate(srel, INIT_FORKNUM, false);
	log_smgrcreate(&srel->smgr_rnode.node, INIT_FORKNUM);
	smgrimmedsync(srel, INIT_FORKNUM);
}

static void
ts_relation_set_new_filenode(Relation rel, const RelFileNode *newrnode,
							 char persistence, TransactionId *freezeXid,
							 MultiXactId *minmulti)
{
	SMgrRelation srel;

	/*
	 * TRUNCATE: the metadata of the old relfilenode dies with it, in this
	 * transaction, so a rollback brings both back.
	 */
	if (!RelFileNodeEquals(rel->rd_node, *newrnode) &&
		smgrexists(RelationGetSmgr(rel), MAIN_FORKNUM))
		metadata_delete_storage(storage_get_id(rel));
	forget_storage_id(rel);

	/* no transaction ids are stored in the data: nothing to freeze, ever */
	*freezeXid = InvalidTransactionId;
	*minmulti = InvalidMultiXactId;

	srel = RelationCreateStorage(*newrnode, persistence, true);
	if (persistence == RELPERSISTENCE_UNLOGGED)
		create_init_fork(srel);
	smgrclose(srel);
}

static void
ts_relation_nontransactional_truncate(Relation rel)
{
	uint64		storage_id = storage_get_id(rel);

	metadata_delete_storage(storage_id);
	write_discard_storage(RelationGetRelid(rel), storage_id);
	forget_storage_id(rel);
	RelationTruncate(rel, 0);
}

static void
ts_relation_copy_data(Relation rel, const RelFileNode *newrnode)
{
	SMgrRelation dstrel;

	/* the metapage, with its storage id, travels with the data */
	FlushRelationBuffers(rel);
	dstrel = smgropen(*newrnode, rel->rd_backend);
	RelationCreateStorage(*newrnode, rel->rd_rel->relpersistence, true);
	RelationCopyStorage(RelationGetSmgr(rel), dstrel, MAIN_FORKNUM,
						rel->rd_rel->relpersistence);
	if (rel->rd_rel->relpersistence == RELPERSISTENCE_UNLOGGED)
		create_init_fork(dstrel);
	RelationDropStorage(rel);
	smgrclose(dstrel);
}

/*
 * Storage ids whose metadata moved to a new relfilenode in this transaction
 * (VACUUM FULL, CLUSTER), with the transient relation that had it and that
 * holds the old relfilenode once the two are swapped: dropping that one
 * must not delete their rows.  Dropping the table itself still does (later
 * in the transaction, or after a rollback to a savepoint undid the swap).
 */
typedef struct HandedOver
{
	uint64		storage_id;
	Oid			transient;
} HandedOver;

static List *handed_over_storage = NIL;

static bool
storage_handed_over(uint64 storage_id, Oid relid)
{
	ListCell   *lc;

	foreach(lc, handed_over_storage)
	{
		HandedOver *h = lfirst(lc);

		if (h->storage_id == storage_id && h->transient == relid)
			return true;
	}
	return false;
}

static void
forget_handed_over(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PREPARE || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT)
		handed_over_storage = NIL;	/* allocated in TopTransactionContext */
}

/*
 * VACUUM FULL and CLUSTER.  The fork is copied verbatim, storage id
 * included, so the chunks' metadata rows stay valid with their original
 * xmins and older snapshots still see every row, as they would on heap.
 * VACUUM FULL stops there (compaction, which VACUUM runs, is what takes
 * deleted rows out and merges chunks).  CLUSTER then writes the rows again
 * in the index's order as new chunks of the copy, and deletes the old
 * chunks in its transaction (compact_cluster).
 */
static void
ts_relation_copy_for_cluster(Relation OldTable, Relation NewTable,
							 Relation OldIndex, bool use_sort,
							 TransactionId OldestXmin,
							 TransactionId *xid_cutoff,
							 MultiXactId *multi_cutoff,
							 double *num_tuples, double *tups_vacuumed,
							 double *tups_recently_dead)
{
	uint64		storage_id;
	TableTotals totals;
	Snapshot	snapshot;
	MemoryContext old;

	/*
	 * CLUSTER may run in a transaction block that wrote rows.  Those of an
	 * enclosing subtransaction cannot be written here (they would go with
	 * this one if it rolled back), nor left (they would be written into the
	 * old chunks' storage at commit, twice with CLUSTER's copy).
	 */
	write_flush_relation(OldTable);
	if (write_relation_has_buffered_rows(OldTable))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot rewrite timeseries table \"%s\" while an enclosing subtransaction has unwritten rows of it",
						RelationGetRelationName(OldTable)),
				 errhint("Run CLUSTER before the SAVEPOINT or exception block, or after it ends.")));

	*tups_vacuumed = 0;
	*tups_recently_dead = 0;
	*xid_cutoff = InvalidTransactionId;
	*multi_cutoff = InvalidMultiXactId;

	storage_id = storage_get_id(OldTable);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	ts_table_totals(OldTable, snapshot, &totals);
	UnregisterSnapshot(snapshot);
	*num_tuples = (double) totals.rows;
	if (storage_id == 0)
		return;

	FlushRelationBuffers(OldTable);
	RelationCopyStorage(RelationGetSmgr(OldTable), RelationGetSmgr(NewTable),
						MAIN_FORKNUM, OldTable->rd_rel->relpersistence);
	forget_storage_id(NewTable);

	old = MemoryContextSwitchTo(TopTransactionContext);
	{
		HandedOver *h = palloc(sizeof(HandedOver));

		h->storage_id = storage_id;
		h->transient = RelationGetRelid(NewTable);
		handed_over_storage = lappend(handed_over_storage, h);
	}
	MemoryContextSwitchTo(old);

	if (OldIndex != NULL)
		*num_tuples = (double) compact_cluster(OldTable, NewTable, OldIndex);
}

static void
ts_relation_vacuum(Relation rel, VacuumParams *params,
				   BufferAccessStrategy bstrategy)
{
	TableTotals totals;
	Snapshot	snapshot;
	BlockNumber nblocks;
	List	   *indexes;

	/*
	 * Lazy VACUUM runs flagged PROC_IN_VACUUM: other backends leave its
	 * transaction out of their snapshots and horizons, which is safe only
	 * for a transaction that never gets an xid.  This one writes (the row
	 * locks and pending ranges of finished transactions, the retention
	 * option's deletes, compaction), so it becomes an ordinary transaction
	 * first, before it has an xid.
	 */
	if (MyProc->statusFlags & PROC_IN_VACUUM)
	{
		Assert(!TransactionIdIsValid(GetTopTransactionIdIfAny()));
		LWLockAcquire(ProcArrayLock, LW_EXCLUSIVE);
		MyProc->statusFlags &= ~PROC_IN_VACUUM;
		ProcGlobal->statusFlags[MyProc->pgxactoff] = MyProc->statusFlags;
		LWLockRelease(ProcArrayLock);
	}
	retention_vacuum(rel);
	delete_mask_vacuum_locks(storage_get_id(rel));
	(void) compact_relation(rel, false);
	if (params->truncate != VACOPTVALUE_DISABLED)
	{
		CommandCounterIncrement();
		(void) compact_relocate_tail(rel);
		CommandCounterIncrement();
		storage_reclaim_space(rel);
		CommandCounterIncrement();
		(void) metadata_move_rows_down(storage_get_id(rel), METADATA_MOVE_MAX_ROWS);
	}

	CommandCounterIncrement();
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	ts_table_totals(rel, snapshot, &totals);
	UnregisterSnapshot(snapshot);
	nblocks = RelationGetNumberOfBlocks(rel);

	/* relhasindex must stay true while indexes exist: inserts consult it */
	indexes = RelationGetIndexList(rel);
	vac_update_relstats(rel, nblocks, (double) totals.rows, 0,
						indexes != NIL, InvalidTransactionId, InvalidMultiXactId,
						NULL, NULL, false);
	list_free(indexes);
	pgstat_report_vacuum(RelationGetRelid(rel), rel->rd_rel->relisshared,
						 totals.rows, 0);
}

/*
 * Does the fork exist?  (An unlogged table on a standby has no main fork.)
 * smgrexists closes the fork's file to look again (mdexists), and scans and
 * the planner ask for the size often, a chunk at a time: a fork that is
 * open exists.
 */
static bool
fork_exists(Relation rel, ForkNumber fork)
{
	SMgrRelation srel = RelationGetSmgr(rel);

	return srel->md_num_open_segs[fork] > 0 || smgrexists(srel, fork);
}

static uint64
ts_relation_size(Relation rel, ForkNumber forkNumber)
{
	uint64		nblocks = 0;

	if (forkNumber == InvalidForkNumber)
	{
		for (int i = 0; i < MAX_FORKNUM; i++)
			if (fork_exists(rel, i))
				nblocks += smgrnblocks(RelationGetSmgr(rel), i);
	}
	else if (fork_exists(rel, forkNumber))
		nblocks = smgrnblocks(RelationGetSmgr(rel), forkNumber);
	return nblocks * BLCKSZ;
}

static bool
ts_relation_needs_toast_table(Relation rel)
{
	/* values are stored detoasted inside chunks */
	return false;
}

#define ESTIMATE_MAX_CHUNKS 10000

static void
ts_relation_estimate_size(Relation rel, int32 *attr_widths,
						  BlockNumber *pages, double *tuples,
						  double *allvisfrac)
{
	TableTotals totals;
	bool		complete;

	/*
	 * The metadata knows the exact row count (inline chunks have no pages to
	 * extrapolate from).  Planning must not read a metadata row per chunk
	 * of a table of many small chunks, though: past a limit, take the
	 * cumulative statistics' live row count (a second or so behind) or the
	 * last VACUUM/ANALYZE's, whichever is larger.  Under the planning's
	 * snapshot, the rows read here serve its other estimates too.
	 */
	if (ActiveSnapshotSet())
	{
		const ChunkMeta *chunks;
		int			nchunks = 0;
		uint64		storage_id = storage_get_id(rel);

		memset(&totals, 0, sizeof(totals));
		complete = storage_id == 0 ||
			metadata_planning_chunks(storage_id, ESTIMATE_MAX_CHUNKS, &chunks, &nchunks);
		for (int i = 0; i < nchunks; i++)
			totals.rows += chunks[i].row_count;
	}
	else
	{
		Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());

		complete = ts_table_totals_limited(rel, snapshot, &totals, ESTIMATE_MAX_CHUNKS);
		UnregisterSnapshot(snapshot);
	}
	*pages = RelationGetNumberOfBlocks(rel);
	*tuples = (double) totals.rows;
	if (!complete)
	{
		PgStat_StatTabEntry *tab = pgstat_fetch_stat_tabentry(RelationGetRelid(rel));

		if (tab != NULL)
			*tuples = Max(*tuples, (double) tab->n_live_tuples);
		*tuples = Max(*tuples, (double) rel->rd_rel->reltuples);
	}
	*allvisfrac = 0;
}

static bool
ts_scan_sample_next_block(TableScanDesc scan, SampleScanState *scanstate)
{
	not_supported("TABLESAMPLE");
	return false;
}

static bool
ts_scan_sample_next_tuple(TableScanDesc scan, SampleScanState *scanstate,
						  TupleTableSlot *slot)
{
	not_supported("TABLESAMPLE");
	return false;
}

static const TableAmRoutine timeseries_methods = {
	.type = T_TableAmRoutine,

	.slot_callbacks = ts_slot_callbacks,

	.scan_begin = ts_scan_begin,
	.scan_end = ts_scan_end,
	.scan_rescan = ts_scan_rescan,
	.scan_getnextslot = ts_scan_getnextslot,

	.parallelscan_estimate = ts_parallelscan_estimate,
	.parallelscan_initialize = ts_parallelscan_initialize,
	.parallelscan_reinitialize = ts_parallelscan_reinitialize,

	.index_fetch_begin = ts_index_fetch_begin,
	.index_fetch_reset = ts_index_fetch_reset,
	.index_fetch_end = ts_index_fetch_end,
	.index_fetch_tuple = ts_index_fetch_tuple,

	.tuple_fetch_row_version = ts_fetch_row_version,
	.tuple_tid_valid = ts_tuple_tid_valid,
	.tuple_get_latest_tid = ts_tuple_get_latest_tid,
	.tuple_satisfies_snapshot = ts_tuple_satisfies_snapshot,
	.index_delete_tuples = ts_index_delete_tuples,

	.tuple_insert = ts_tuple_insert,
	.tuple_insert_speculative = ts_tuple_insert_speculative,
	.tuple_complete_speculative = ts_tuple_complete_speculative,
	.multi_insert = ts_multi_insert,
	.tuple_delete = ts_tuple_delete,
	.tuple_update = ts_tuple_update,
	.tuple_lock = ts_tuple_lock,
	.finish_bulk_insert = ts_finish_bulk_insert,

	.relation_set_new_filenode = ts_relation_set_new_filenode,
	.relation_nontransactional_truncate = ts_relation_nontransactional_truncate,
	.relation_copy_data = ts_relation_copy_data,
	.relation_copy_for_cluster = ts_relation_copy_for_cluster,
	.relation_vacuum = ts_relation_vacuum,
	.scan_analyze_next_block = ts_scan_analyze_next_block,
	.scan_analyze_next_tuple = ts_scan_analyze_next_tuple,
	.index_build_range_scan = ts_index_build_range_scan,
	.index_validate_scan = ts_index_validate_scan,

	.relation_size = ts_relation_size,
	.relation_needs_toast_table = ts_relation_needs_toast_table,

	.relation_estimate_size = ts_relation_estimate_size,

	.scan_bitmap_next_block = NULL,
	.scan_bitmap_next_tuple = NULL,
	.scan_sample_next_block = ts_scan_sample_next_block,
	.scan_sample_next_tuple = ts_scan_sample_next_tuple,
};

bool
ts_is_timeseries_rel(Relation rel)
{
	return rel->rd_tableam == &timeseries_methods;
}

Datum
timeseries_tam_handler(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&timeseries_methods);
}

/*
 * DROP TABLE (and the drop of the transient table of a rewrite): delete the
 * metadata rows of the relation's storage in the dropping transaction.
 */
static void
ts_object_access(ObjectAccessType access, Oid classId, Oid objectId,
				 int subId, void *arg)
{
	if (prev_object_access_hook)
		prev_object_access_hook(access, classId, objectId, subId, arg);

	/*
	 * Buffered rows are left alone: a rollback to a savepoint may bring the
	 * table back, and the commit-time flush skips relations that are gone.
	 * Another session's temporary table cannot be read (its metapage is in
	 * that session's local buffers); its metadata rows are left behind.
	 */
	if (access == OAT_DROP && classId == RelationRelationId && subId == 0 &&
		ts_is_timeseries_relid(objectId))
	{
		Relation	rel = relation_open(objectId, AccessExclusiveLock);

		if (metadata_available() && !RELATION_IS_OTHER_TEMP(rel) &&
			smgrexists(RelationGetSmgr(rel), MAIN_FORKNUM))
		{
			uint64		storage_id = storage_get_id_extended(rel, true);

			if (storage_id != 0 && !storage_handed_over(storage_id, objectId))
				metadata_delete_storage(storage_id);
		}
		if (metadata_available())
			ts_options_delete(objectId);
		relation_close(rel, NoLock);
	}
}

void
ts_tableam_init(void)
{
	prev_object_access_hook = object_access_hook;
	object_access_hook = ts_object_access;
	RegisterXactCallback(forget_handed_over, NULL);
}
