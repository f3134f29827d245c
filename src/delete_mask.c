/*-------------------------------------------------------------------------
 *
 * delete_mask.c
 *	  Deleted and locked rows: one record per deleted row in
 *	  timeseries_internal.deleted_row, the delete mask of a chunk as a
 *	  snapshot sees it, row locks in timeseries_internal.row_lock, and the
 *	  row-level conflict handling of DELETE, UPDATE and row locks.
 *
 * Chunks are immutable, so a deleted row is recorded beside its chunk: a
 * heap row (storage_id, row_id, successor) inserted by the deleting
 * transaction.  A snapshot sees a row as deleted exactly when it sees its
 * record, so deletes get MVCC, rollback (of subtransactions too), crash
 * safety and replication from the heap, as chunks do from their metadata
 * rows.  An UPDATE deletes the row and inserts its new version, whose row id
 * is the record's successor: READ COMMITTED follows it to the latest version
 * for EvalPlanQual, as heap follows t_ctid.
 *
 * The record plays the part of heap's xmax.  A deleter looks for the row's
 * record with a dirty snapshot while holding the row's latch (see
 * row_latch), so that looking and inserting are one step for concurrent
 * deleters of the row:
 * - no record: the row is ours to delete;
 * - a record of a transaction in progress: wait for it to end, look again;
 * - a committed record: the row was deleted (TM_Deleted) or updated
 *   (TM_Updated, with the successor's ctid) after our snapshot, and the
 *   executor does what it does for heap (EvalPlanQual in READ COMMITTED,
 *   a serialization failure above it);
 * - a record of our own transaction: TM_SelfModified or TM_Invisible by its
 *   command id, as heap decides by cmax.
 * Deletes of different rows never wait for each other, whatever chunk they
 * are in.
 *
 * Row locks (SELECT ... FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE, and
 * the lock EvalPlanQual and BEFORE ROW triggers take before changing a row)
 * are records too, (storage_id, row_id, mode), which hold while their
 * transaction is in progress, like a heap tuple's locker xmax: a locker or
 * deleter waits for the transactions holding conflicting modes, with heap's
 * conflict table (a delete conflicts with every mode, an update that
 * changes no key column with every mode but FOR KEY SHARE).  Records
 * of finished transactions mean nothing and VACUUM deletes them.  A waiter
 * queues on the row's tuple lock in the heavyweight mode heap uses for each
 * tuple lock mode, so share lockers do not queue behind one another.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "delete_mask.h"
#include "metadata.h"
#include "storage.h"
#include "write.h"

enum
{
	Anum_deleted_storage_id = 1,
	Anum_deleted_row_id,
	Anum_deleted_successor,
	Natts_deleted = Anum_deleted_successor
};

/* Deleted-row records of storage_id with row ids in [lo, hi]. */
static void
begin_records(RecordScan *rs, uint64 storage_id, int64 lo, int64 hi,
			  Snapshot snapshot, LOCKMODE lockmode)
{
	metadata_begin_records(rs, INTERNAL_DELETED_ROW, storage_id, lo, hi, snapshot,
						   lockmode);
}

static uint64
record_successor(RecordScan *rs, HeapTuple tuple)
{
	bool		isnull;
	Datum		d = heap_getattr(tuple, Anum_deleted_successor,
								 RelationGetDescr(rs->heap), &isnull);

	return isnull ? NO_SUCCESSOR : (uint64) DatumGetInt64(d);
}

bool
delete_mask_any(uint64 storage_id, Snapshot snapshot)
{
	RecordScan	rs;
	bool		any;
	Oid			heapoid;
	Oid			indexoid;

	if (storage_id == 0 || !metadata_lookup(INTERNAL_DELETED_ROW, storage_id, &heapoid, &indexoid))
		return false;
	begin_records(&rs, storage_id, 0, PG_INT64_MAX, snapshot, AccessShareLock);
	any = HeapTupleIsValid(metadata_next_record(&rs));
	metadata_end_records(&rs, AccessShareLock);
	return any;
}

uint8 *
delete_mask_load(uint64 storage_id, int64 first_row, int64 nrows,
				 Snapshot snapshot)
{
	RecordScan	rs;
	HeapTuple	tuple;
	uint8	   *mask = NULL;

	begin_records(&rs, storage_id, first_row, first_row + nrows - 1, snapshot,
				  AccessShareLock);
	while (HeapTupleIsValid(tuple = metadata_next_record(&rs)))
	{
		int64		offset = metadata_record_row(tuple) - first_row;

		if (offset < 0 || offset >= nrows)
			continue;
		if (mask == NULL)
			mask = palloc0((nrows + 7) / 8);
		mask[offset >> 3] |= 1 << (offset & 7);
	}
	metadata_end_records(&rs, AccessShareLock);
	return mask;
}

int64
delete_mask_count(uint64 storage_id, Snapshot snapshot)
{
	RecordScan	rs;
	int64		n = 0;
	Oid			heapoid;
	Oid			indexoid;

	if (storage_id == 0 || !metadata_lookup(INTERNAL_DELETED_ROW, storage_id, &heapoid, &indexoid))
		return 0;
	begin_records(&rs, storage_id, 0, PG_INT64_MAX, snapshot, AccessShareLock);
	while (HeapTupleIsValid(metadata_next_record(&rs)))
	{
		CHECK_FOR_INTERRUPTS();
		n++;
	}
	metadata_end_records(&rs, AccessShareLock);
	return n;
}

/*
 * Delete the records of a storage id with row ids in [lo, hi] in the
 * internal tables first..last (deleted_row, row_lock, pending_rows, in that
 * order); with finished, only those of transactions no longer in progress.
 */
static void
delete_records(uint64 storage_id, int64 lo, int64 hi, InternalTable first,
			   InternalTable last, bool finished)
{
	for (int t = first; t <= last; t++)
	{
		RecordScan	rs;
		HeapTuple	tuple;
		Oid			heapoid;
		Oid			indexoid;

		if (storage_id == 0 || !metadata_lookup((InternalTable) t, storage_id, &heapoid, &indexoid))
			return;
		metadata_begin_records(&rs, (InternalTable) t, storage_id, lo, hi,
							   SnapshotSelf, RowExclusiveLock);
		while (HeapTupleIsValid(tuple = metadata_next_record(&rs)))
		{
			CHECK_FOR_INTERRUPTS();
			if (finished &&
				TransactionIdIsInProgress(HeapTupleHeaderGetXmin(tuple->t_data)))
				continue;
			simple_heap_delete(rs.heap, &tuple->t_self);
		}
		metadata_end_records(&rs, RowExclusiveLock);
	}
}

void
delete_mask_drop_storage(uint64 storage_id)
{
	CommandCounterIncrement();
	delete_records(storage_id, 0, PG_INT64_MAX, INTERNAL_DELETED_ROW,
				   INTERNAL_PENDING_ROWS, false);
}

void
delete_mask_drop_range(uint64 storage_id, int64 lo, int64 hi)
{
	delete_records(storage_id, lo, hi, INTERNAL_DELETED_ROW, INTERNAL_ROW_LOCK, false);
}

void
delete_mask_vacuum_locks(uint64 storage_id)
{
	delete_records(storage_id, 0, PG_INT64_MAX, INTERNAL_ROW_LOCK,
				   INTERNAL_PENDING_ROWS, true);
}

/* ---------- conflicts ---------- */

/* heap's tuple lock conflict table (tupleLockExtraInfo, MultiXactStatus) */
static bool
modes_conflict(LockTupleMode held, LockTupleMode wanted)
{
	static const bool conflict[4][4] = {
		[LockTupleKeyShare] = {[LockTupleExclusive] = true},
		[LockTupleShare] = {[LockTupleNoKeyExclusive] = true, [LockTupleExclusive] = true},
		[LockTupleNoKeyExclusive] = {[LockTupleShare] = true,
		[LockTupleNoKeyExclusive] = true, [LockTupleExclusive] = true},
		[LockTupleExclusive] = {true, true, true, true},
	};

	return conflict[held][wanted];
}

/* The heavyweight tuple lock heap takes to wait for each mode (heapam.c). */
static LOCKMODE
tuple_lock_level(LockTupleMode mode)
{
	switch (mode)
	{
		case LockTupleKeyShare:
			return AccessShareLock;
		case LockTupleShare:
			return RowShareLock;
		case LockTupleNoKeyExclusive:
			return ExclusiveLock;
		case LockTupleExclusive:
			break;
	}
	return AccessExclusiveLock;
}

/* The row's record as a dirty snapshot sees it. */
typedef struct RowRecord
{
	bool		found;
	TransactionId xmin;
	bool		in_progress;	/* by another transaction */
	bool		own;			/* by our transaction */
	CommandId	cmin;			/* when own */
	uint64		successor;
} RowRecord;

static void
find_record(uint64 storage_id, uint64 rowid, RowRecord *rec)
{
	SnapshotData dirty;
	RecordScan	rs;
	HeapTuple	tuple;

	memset(rec, 0, sizeof(RowRecord));
	InitDirtySnapshot(dirty);
	begin_records(&rs, storage_id, (int64) rowid, (int64) rowid, &dirty,
				  AccessShareLock);
	tuple = metadata_next_record(&rs);
	if (HeapTupleIsValid(tuple))
	{
		rec->found = true;
		rec->xmin = HeapTupleHeaderGetXmin(tuple->t_data);
		rec->successor = record_successor(&rs, tuple);
		if (TransactionIdIsCurrentTransactionId(rec->xmin))
		{
			rec->own = true;
			rec->cmin = HeapTupleHeaderGetRawCommandId(tuple->t_data);
		}
		else if (TransactionIdIsValid(dirty.xmin))
		{
			rec->in_progress = true;
			rec->xmin = dirty.xmin;
		}
	}
	metadata_end_records(&rs, AccessShareLock);
}

/*
 * A transaction other than ours, in progress, that holds a lock on the row
 * conflicting with mode (InvalidTransactionId when none); *held says
 * whether our transaction holds one at least as strong.
 */
static TransactionId
conflicting_locker(uint64 storage_id, uint64 rowid, LockTupleMode mode,
				   bool *held)
{
	SnapshotData dirty;
	RecordScan	rs;
	HeapTuple	tuple;
	TransactionId result = InvalidTransactionId;

	*held = false;
	InitDirtySnapshot(dirty);
	metadata_begin_records(&rs, INTERNAL_ROW_LOCK, storage_id, (int64) rowid,
						(int64) rowid, &dirty, AccessShareLock);
	while (HeapTupleIsValid(tuple = metadata_next_record(&rs)))
	{
		TransactionId xmin = HeapTupleHeaderGetXmin(tuple->t_data);
		bool		isnull;
		LockTupleMode held_mode = (LockTupleMode)
			DatumGetInt16(heap_getattr(tuple, 3, RelationGetDescr(rs.heap), &isnull));

		if (held_mode < LockTupleKeyShare || held_mode > LockTupleExclusive)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("timeseries row lock record has mode %d", (int) held_mode)));
		if (TransactionIdIsCurrentTransactionId(xmin))
		{
			if (held_mode >= mode)
				*held = true;
			continue;
		}
		/* committed: its transaction ended, and the lock with it */
		if (TransactionIdIsValid(dirty.xmin) && modes_conflict(held_mode, mode))
		{
			result = dirty.xmin;
			break;
		}
	}
	metadata_end_records(&rs, AccessShareLock);
	return result;
}

/*
 * What a committed or own record means to a command with command id cid
 * (heap's HeapTupleSatisfiesUpdate with xmax = the record's xmin).
 */
static TM_Result
record_result(const RowRecord *rec, ItemPointer tid, CommandId cid,
			  TM_FailureData *tmfd)
{
	tmfd->xmax = rec->xmin;
	tmfd->cmax = InvalidCommandId;
	ItemPointerCopy(tid, &tmfd->ctid);
	if (rec->own)
	{
		tmfd->cmax = rec->cmin;
		/* deleted by this command or a later one (a trigger's) */
		return rec->cmin >= cid ? TM_SelfModified : TM_Invisible;
	}
	if (rec->successor != NO_SUCCESSOR)
	{
		rowid_to_tid(rec->successor, &tmfd->ctid);
		return TM_Updated;
	}
	return TM_Deleted;
}

/*
 * The row latch makes looking for a row's records and adding one a single
 * step among backends.  It is a heavyweight lock on the row's ctid, tagged
 * with the deleted_row table's OID so that it is not the tuple lock of the
 * user's table: that one is taken only to wait, as heap does, and a
 * transaction must be able to change a row it has locked while others wait
 * in line for it.  The latch is never held while waiting for a transaction.
 */
static void
row_latch_tag(LOCKTAG *tag, ItemPointer tid)
{
	Oid			heapoid;
	Oid			indexoid;

	/* only a name for the lock: the logged table's, for every relation */
	metadata_require(INTERNAL_DELETED_ROW, 0, &heapoid, &indexoid);
	SET_LOCKTAG_TUPLE(*tag, MyDatabaseId, heapoid,
					  ItemPointerGetBlockNumberNoCheck(tid),
					  ItemPointerGetOffsetNumberNoCheck(tid));
}

static void
row_latch(ItemPointer tid)
{
	LOCKTAG		tag;

	row_latch_tag(&tag, tid);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

static void
row_unlatch(ItemPointer tid)
{
	LOCKTAG		tag;

	row_latch_tag(&tag, tid);
	LockRelease(&tag, ExclusiveLock, false);
}

/*
 * Wait as the policy says for transaction xid, which holds the row, first
 * queueing on the row's tuple lock (once); false when the caller is to give
 * up (SKIP LOCKED).
 */
static bool
wait_for(Relation rel, ItemPointer tid, LockTupleMode mode, TransactionId xid,
		 LockWaitPolicy policy, XLTW_Oper oper, bool *queued)
{
	LOCKMODE	level = tuple_lock_level(mode);

	if (!*queued)
	{
		switch (policy)
		{
			case LockWaitBlock:
				LockTuple(rel, tid, level);
				break;
			case LockWaitSkip:
				if (!ConditionalLockTuple(rel, tid, level))
					return false;
				break;
			case LockWaitError:
				if (!ConditionalLockTuple(rel, tid, level))
					ereport(ERROR,
							(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
							 errmsg("could not obtain lock on row in relation \"%s\"",
									RelationGetRelationName(rel))));
				break;
		}
		*queued = true;
	}
	switch (policy)
	{
		case LockWaitBlock:
			XactLockTableWait(xid, rel, tid, oper);
			return true;
		case LockWaitSkip:
			return ConditionalXactLockTableWait(xid);
		case LockWaitError:
			if (!ConditionalXactLockTableWait(xid))
				ereport(ERROR,
						(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
						 errmsg("could not obtain lock on row in relation \"%s\"",
								RelationGetRelationName(rel))));
			return true;
	}
	return false;
}

/*
 * Wait until no other transaction in progress is deleting the row or holds
 * a lock on it conflicting with mode.  Returns TM_Ok with the row latched
 * when the row is not deleted (*held: we hold a lock at least as strong
 * already), TM_WouldBlock when the policy gives up, or (*rec filled in)
 * what the row's committed or own delete record means.  The tuple lock a
 * wait queued on is released before returning.
 */
/*
 * Whether the chunk of a row this transaction's snapshot sees has been
 * deleted since by a transaction it does not see: a CLUSTER, which wrote the
 * row again under a new row id, or drop_chunks.  Only a transaction
 * snapshot (REPEATABLE READ, SERIALIZABLE) can see such a row: deleting,
 * updating or locking it would be lost, so it is treated as deleted
 * concurrently (a serialization failure), where heap's CLUSTER would have
 * kept the row's identity.  The table is locked by now, so no such deletion
 * can come while the lock is held: the chunk found is remembered for the
 * subtransaction (a rollback to a savepoint releases the locks it took).
 */
static bool
row_chunk_gone(Relation rel, uint64 storage_id, uint64 rowid)
{
	static LocalTransactionId lxid = InvalidLocalTransactionId;
	static SubTransactionId subid = InvalidSubTransactionId;
	static uint64 known_storage;
	static uint64 known_first;
	static uint64 known_end;
	ChunkMeta	chunk;
	CommandId	inserted;
	Snapshot	snapshot;
	bool		found;

	if (!IsolationUsesXactSnapshot())
		return false;
	if (lxid == MyProc->lxid && subid == GetCurrentSubTransactionId() &&
		known_storage == storage_id && rowid >= known_first && rowid < known_end)
		return false;
	if (write_row_cid(rel, storage_id, rowid, &inserted))
		return false;			/* our own row, not written yet */

	/*
	 * An MVCC snapshot, not SnapshotSelf: a compaction committing while the
	 * index entries are read would otherwise hide both its new chunk (in
	 * progress when checked) and the old one (deleted when checked).
	 */
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	found = metadata_find_chunk(storage_id, rowid, snapshot, &chunk);
	UnregisterSnapshot(snapshot);
	if (!found)
		return true;
	lxid = MyProc->lxid;
	subid = GetCurrentSubTransactionId();
	known_storage = storage_id;
	known_first = (uint64) chunk.first_row;
	known_end = (uint64) (chunk.first_row + chunk.row_span);
	/* only the range was needed: the copies go (a chunk's bytes, up to 4 kB) */
	metadata_free_chunk_copies(&chunk);
	return false;
}

static TM_Result
claim_row(Relation rel, uint64 storage_id, ItemPointer tid, CommandId cid,
		  LockTupleMode mode, LockWaitPolicy policy, XLTW_Oper oper,
		  RowRecord *rec, bool *held, TM_FailureData *tmfd)
{
	uint64		rowid = tid_to_rowid(tid);
	bool		queued = false;
	TM_Result	result;

	for (;;)
	{
		TransactionId xwait;

		CHECK_FOR_INTERRUPTS();
		row_latch(tid);
		find_record(storage_id, rowid, rec);
		if (rec->found && !rec->in_progress)
		{
			row_unlatch(tid);
			result = record_result(rec, tid, cid, tmfd);
			break;
		}
		if (rec->found)
			xwait = rec->xmin;
		else
		{
			xwait = conflicting_locker(storage_id, rowid, mode, held);
			if (!TransactionIdIsValid(xwait))
			{
				result = TM_Ok;
				if (row_chunk_gone(rel, storage_id, rowid))
				{
					row_unlatch(tid);
					tmfd->xmax = InvalidTransactionId;
					tmfd->cmax = InvalidCommandId;
					ItemPointerCopy(tid, &tmfd->ctid);
					result = TM_Deleted;
				}
				break;
			}
		}
		row_unlatch(tid);
		if (!wait_for(rel, tid, mode, xwait, policy, oper, &queued))
		{
			tmfd->xmax = xwait;
			tmfd->cmax = InvalidCommandId;
			ItemPointerCopy(tid, &tmfd->ctid);
			result = TM_WouldBlock;
			break;
		}
	}
	if (queued)
		UnlockTuple(rel, tid, tuple_lock_level(mode));
	return result;
}

/* ---------- DELETE, UPDATE and row locks ---------- */

bool
delete_row_dirty(uint64 storage_id, uint64 rowid, TransactionId *deleter)
{
	RowRecord	rec;
	Oid			heapoid;
	Oid			indexoid;

	*deleter = InvalidTransactionId;
	if (!metadata_lookup(INTERNAL_DELETED_ROW, storage_id, &heapoid, &indexoid))
		return false;
	find_record(storage_id, rowid, &rec);
	if (!rec.found)
		return false;
	if (rec.in_progress)
	{
		*deleter = rec.xmin;
		return false;
	}
	return true;
}

TM_Result
delete_row_begin(Relation rel, uint64 storage_id, ItemPointer tid,
				 CommandId cid, Snapshot crosscheck, bool wait,
				 LockTupleMode mode, TM_FailureData *tmfd)
{
	RowRecord	rec;
	bool		held;
	TM_Result	result;

	result = claim_row(rel, storage_id, tid, cid, mode,
					   wait ? LockWaitBlock : LockWaitSkip,
					   mode == LockTupleExclusive ? XLTW_Delete : XLTW_Update,
					   &rec, &held, tmfd);
	if (result != TM_Ok)
		return result;

	/*
	 * A serializable transaction's foreign-key checks pass a crosscheck
	 * snapshot: the row must have been there for it too.
	 */
	if (crosscheck != InvalidSnapshot)
	{
		TupleTableSlot *tmp = MakeSingleTupleTableSlot(RelationGetDescr(rel),
													   &TTSOpsVirtual);
		bool		visible = table_tuple_fetch_row_version(rel, tid, crosscheck, tmp);

		ExecDropSingleTupleTableSlot(tmp);
		if (!visible)
		{
			row_unlatch(tid);
			tmfd->xmax = InvalidTransactionId;
			tmfd->cmax = InvalidCommandId;
			ItemPointerCopy(tid, &tmfd->ctid);
			return TM_Updated;
		}
	}
	return TM_Ok;
}

void
delete_row_finish(Relation rel, uint64 storage_id, ItemPointer tid,
				  uint64 successor, CommandId cid)
{
	Datum		values[Natts_deleted];
	bool		nulls[Natts_deleted] = {false, false, false};

	values[Anum_deleted_storage_id - 1] = Int64GetDatum((int64) storage_id);
	values[Anum_deleted_row_id - 1] = Int64GetDatum((int64) tid_to_rowid(tid));
	values[Anum_deleted_successor - 1] = Int64GetDatum((int64) successor);
	nulls[Anum_deleted_successor - 1] = (successor == NO_SUCCESSOR);

	/*
	 * The latch makes a second record of the row impossible; the unique
	 * index would catch one all the same.
	 */
	(void) metadata_insert_record(INTERNAL_DELETED_ROW, values, nulls, cid, UNIQUE_CHECK_YES);
	row_unlatch(tid);
}

TM_Result
delete_row_lock(Relation rel, uint64 storage_id, ItemPointer tid,
				CommandId cid, LockTupleMode mode, LockWaitPolicy policy,
				bool follow, TM_FailureData *tmfd)
{
	tmfd->traversed = false;
	for (;;)
	{
		RowRecord	rec;
		bool		held;
		TM_Result	result;

		result = claim_row(rel, storage_id, tid, cid, mode, policy, XLTW_Lock,
						   &rec, &held, tmfd);
		if (result == TM_Ok)
		{
			if (!held)
			{
				Datum		values[3];
				bool		nulls[3] = {false, false, false};

				values[0] = Int64GetDatum((int64) storage_id);
				values[1] = Int64GetDatum((int64) tid_to_rowid(tid));
				values[2] = Int16GetDatum((int16) mode);
				(void) metadata_insert_record(INTERNAL_ROW_LOCK, values, nulls, cid, UNIQUE_CHECK_NO);
			}
			row_unlatch(tid);
			return TM_Ok;
		}
		if (result == TM_Updated && follow)
		{
			/* READ COMMITTED: lock the row's latest version instead */
			rowid_to_tid(rec.successor, tid);
			tmfd->traversed = true;
			continue;
		}
		return result;
	}
}

void
delete_row_latest_visible(uint64 storage_id, ItemPointer tid, Snapshot snapshot)
{
	for (;;)
	{
		RecordScan	rs;
		HeapTuple	tuple;
		uint64		successor = NO_SUCCESSOR;
		uint64		rowid = tid_to_rowid(tid);

		CHECK_FOR_INTERRUPTS();
		begin_records(&rs, storage_id, (int64) rowid, (int64) rowid, snapshot,
					  AccessShareLock);
		tuple = metadata_next_record(&rs);
		if (HeapTupleIsValid(tuple))
			successor = record_successor(&rs, tuple);
		metadata_end_records(&rs, AccessShareLock);
		if (successor == NO_SUCCESSOR)
			return;
		rowid_to_tid(successor, tid);
	}
}
