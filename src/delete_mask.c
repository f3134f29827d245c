/*-------------------------------------------------------------------------
 *
 * delete_mask.c
 *	  Deleted rows: one record per deleted row in
 *	  timeseries_internal.deleted_row, the delete mask of a chunk as a
 *	  snapshot sees it, and the row-level conflict handling of DELETE and
 *	  UPDATE.
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
 * record with a dirty snapshot while holding the row's tuple lock (a
 * heavyweight lock on its ctid, as heap takes while it waits), so that
 * looking and inserting are one step for concurrent deleters of the row:
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
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "delete_mask.h"
#include "metadata.h"
#include "storage.h"

enum
{
	Anum_deleted_storage_id = 1,
	Anum_deleted_row_id,
	Anum_deleted_successor,
	Natts_deleted = Anum_deleted_successor
};

typedef struct RecordScan
{
	Relation	heap;
	Relation	index;
	SysScanDesc scan;
} RecordScan;

/* Records of storage_id with row ids in [lo, hi], in row-id order. */
static void
begin_records(RecordScan *rs, uint64 storage_id, int64 lo, int64 hi,
			  Snapshot snapshot, LOCKMODE lockmode)
{
	ScanKeyData keys[3];
	Oid			heapoid;
	Oid			indexoid;

	metadata_require(INTERNAL_DELETED_ROW, &heapoid, &indexoid);
	rs->heap = table_open(heapoid, lockmode);
	rs->index = index_open(indexoid, lockmode);
	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) storage_id));
	ScanKeyInit(&keys[1], 2, BTGreaterEqualStrategyNumber, F_INT8GE,
				Int64GetDatum(lo));
	ScanKeyInit(&keys[2], 2, BTLessEqualStrategyNumber, F_INT8LE,
				Int64GetDatum(hi));
	rs->scan = systable_beginscan_ordered(rs->heap, rs->index, snapshot, 3, keys);
}

static HeapTuple
next_record(RecordScan *rs)
{
	return systable_getnext_ordered(rs->scan, ForwardScanDirection);
}

static void
end_records(RecordScan *rs, LOCKMODE lockmode)
{
	systable_endscan_ordered(rs->scan);
	index_close(rs->index, lockmode);
	table_close(rs->heap, lockmode);
}

static int64
record_row_id(HeapTuple tuple)
{
	return ((int64 *) GETSTRUCT(tuple))[1];
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

	if (storage_id == 0 || !metadata_lookup(INTERNAL_DELETED_ROW, &heapoid, &indexoid))
		return false;
	begin_records(&rs, storage_id, 0, PG_INT64_MAX, snapshot, AccessShareLock);
	any = HeapTupleIsValid(next_record(&rs));
	end_records(&rs, AccessShareLock);
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
	while (HeapTupleIsValid(tuple = next_record(&rs)))
	{
		int64		offset = record_row_id(tuple) - first_row;

		if (offset < 0 || offset >= nrows)
			continue;
		if (mask == NULL)
			mask = palloc0((nrows + 7) / 8);
		mask[offset >> 3] |= 1 << (offset & 7);
	}
	end_records(&rs, AccessShareLock);
	return mask;
}

int64
delete_mask_count(uint64 storage_id, Snapshot snapshot)
{
	RecordScan	rs;
	int64		n = 0;
	Oid			heapoid;
	Oid			indexoid;

	if (storage_id == 0 || !metadata_lookup(INTERNAL_DELETED_ROW, &heapoid, &indexoid))
		return 0;
	begin_records(&rs, storage_id, 0, PG_INT64_MAX, snapshot, AccessShareLock);
	while (HeapTupleIsValid(next_record(&rs)))
	{
		CHECK_FOR_INTERRUPTS();
		n++;
	}
	end_records(&rs, AccessShareLock);
	return n;
}

void
delete_mask_drop_storage(uint64 storage_id)
{
	RecordScan	rs;
	HeapTuple	tuple;
	Oid			heapoid;
	Oid			indexoid;

	if (storage_id == 0 || !metadata_lookup(INTERNAL_DELETED_ROW, &heapoid, &indexoid))
		return;
	CommandCounterIncrement();
	begin_records(&rs, storage_id, 0, PG_INT64_MAX, SnapshotSelf, RowExclusiveLock);
	while (HeapTupleIsValid(tuple = next_record(&rs)))
		simple_heap_delete(rs.heap, &tuple->t_self);
	end_records(&rs, RowExclusiveLock);
}

/* ---------- DELETE and UPDATE ---------- */

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
	tuple = next_record(&rs);
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
	end_records(&rs, AccessShareLock);
}

/*
 * What a record found for a row means to a command with command id cid,
 * when no transaction is in progress on it (heap's HeapTupleSatisfiesUpdate
 * with xmax = the record's xmin).
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

TM_Result
delete_row_begin(Relation rel, uint64 storage_id, ItemPointer tid,
				 CommandId cid, Snapshot crosscheck, bool wait, bool update,
				 TM_FailureData *tmfd)
{
	uint64		rowid = tid_to_rowid(tid);
	RowRecord	rec;

	if (wait)
		LockTuple(rel, tid, ExclusiveLock);
	else if (!ConditionalLockTuple(rel, tid, ExclusiveLock))
	{
		tmfd->xmax = InvalidTransactionId;
		tmfd->cmax = InvalidCommandId;
		ItemPointerCopy(tid, &tmfd->ctid);
		return TM_WouldBlock;
	}

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		find_record(storage_id, rowid, &rec);
		if (!rec.found)
			break;
		if (rec.in_progress)
		{
			if (!wait)
			{
				UnlockTuple(rel, tid, ExclusiveLock);
				tmfd->xmax = rec.xmin;
				tmfd->cmax = InvalidCommandId;
				ItemPointerCopy(tid, &tmfd->ctid);
				return TM_WouldBlock;
			}
			XactLockTableWait(rec.xmin, rel, tid, update ? XLTW_Update : XLTW_Delete);
			continue;
		}
		UnlockTuple(rel, tid, ExclusiveLock);
		return record_result(&rec, tid, cid, tmfd);
	}

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
			UnlockTuple(rel, tid, ExclusiveLock);
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
	Relation	heap;
	Relation	index;
	Datum		values[Natts_deleted];
	bool		nulls[Natts_deleted] = {false, false, false};
	HeapTuple	tuple;
	Oid			heapoid;
	Oid			indexoid;

	metadata_require(INTERNAL_DELETED_ROW, &heapoid, &indexoid);
	heap = table_open(heapoid, RowExclusiveLock);
	index = index_open(indexoid, RowExclusiveLock);
	values[Anum_deleted_storage_id - 1] = Int64GetDatum((int64) storage_id);
	values[Anum_deleted_row_id - 1] = Int64GetDatum((int64) tid_to_rowid(tid));
	values[Anum_deleted_successor - 1] = Int64GetDatum((int64) successor);
	nulls[Anum_deleted_successor - 1] = (successor == NO_SUCCESSOR);
	tuple = heap_form_tuple(RelationGetDescr(heap), values, nulls);
	heap_insert(heap, tuple, cid, 0, NULL);

	/*
	 * The tuple lock makes a second record of the row impossible; the
	 * unique index would catch one all the same.
	 */
	index_insert(index, values, nulls, &tuple->t_self, heap, UNIQUE_CHECK_YES,
				 false, BuildIndexInfo(index));
	heap_freetuple(tuple);
	index_close(index, RowExclusiveLock);
	table_close(heap, RowExclusiveLock);
	UnlockTuple(rel, tid, ExclusiveLock);
}

TM_Result
delete_row_latest(Relation rel, uint64 storage_id, ItemPointer tid,
				  CommandId cid, LockWaitPolicy wait_policy, bool follow,
				  TM_FailureData *tmfd)
{
	RowRecord	rec;

	tmfd->traversed = false;
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		find_record(storage_id, tid_to_rowid(tid), &rec);
		if (!rec.found)
			return TM_Ok;
		if (rec.in_progress)
		{
			switch (wait_policy)
			{
				case LockWaitBlock:
					XactLockTableWait(rec.xmin, rel, tid, XLTW_Lock);
					continue;
				case LockWaitSkip:
					tmfd->xmax = rec.xmin;
					tmfd->cmax = InvalidCommandId;
					ItemPointerCopy(tid, &tmfd->ctid);
					return TM_WouldBlock;
				case LockWaitError:
					ereport(ERROR,
							(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
							 errmsg("could not obtain lock on row in relation \"%s\"",
									RelationGetRelationName(rel))));
			}
		}
		if (follow && !rec.own && rec.successor != NO_SUCCESSOR)
		{
			rowid_to_tid(rec.successor, tid);
			tmfd->traversed = true;
			continue;
		}
		return record_result(&rec, tid, cid, tmfd);
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
		tuple = next_record(&rs);
		if (HeapTupleIsValid(tuple))
			successor = record_successor(&rs, tuple);
		end_records(&rs, AccessShareLock);
		if (successor == NO_SUCCESSOR)
			return;
		rowid_to_tid(successor, tid);
	}
}
