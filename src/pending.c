/*-------------------------------------------------------------------------
 *
 * pending.c
 *	  Pending row ranges: the row ids a transaction holds in its write
 *	  buffer, announced in timeseries_internal.pending_rows for uniqueness
 *	  checks in other backends.
 *
 * An inserted row gets its row id, and its index entries, at once, but its
 * chunk is written later (write.c).  A uniqueness check (btree's, or an
 * exclusion constraint's, or ON CONFLICT's) of another backend that finds
 * such an index entry must learn that a transaction in progress holds the
 * row, and wait for it, as heap's dirty snapshot reports an uncommitted
 * tuple.  So, for tables with unique indexes or exclusion constraints,
 * write.c announces the row ids it hands out as ranges inserted under the
 * writing (sub)transaction's xid, before the row's index entries exist; a
 * dirty fetch that finds neither the row's chunk nor a buffered row looks
 * for a range in progress holding it.  The ranges are deleted when the
 * buffers are written at commit or PREPARE (the chunks' metadata rows,
 * in progress just as long, take over); an aborted (sub)transaction's die
 * with it.  Ranges are at most PENDING_MAX_SPAN row ids long, which bounds
 * the lookup.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_index.h"
#include "nodes/pg_list.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "metadata.h"
#include "pending.h"

#define PENDING_MAX_SPAN	65536

/* A range this transaction announced, to delete at commit. */
typedef struct Announced
{
	ItemPointerData tid;
	uint64		storage_id;		/* which pending_rows table holds it */
	SubTransactionId subid;
} Announced;

static List *announced = NIL;	/* in TopTransactionContext */

bool
pending_needed(Relation rel)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	bool		needed = false;

	foreach(lc, indexes)
	{
		HeapTuple	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));

		if (!HeapTupleIsValid(tuple))
			continue;
		needed |= ((Form_pg_index) GETSTRUCT(tuple))->indisunique ||
			((Form_pg_index) GETSTRUCT(tuple))->indisexclusion;
		ReleaseSysCache(tuple);
	}
	list_free(indexes);
	return needed;
}

uint64
pending_span(uint64 wanted)
{
	return Min(wanted, PENDING_MAX_SPAN);
}

void
pending_announce(uint64 storage_id, uint64 first, uint64 end)
{
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	Announced  *a;
	MemoryContext old;

	Assert(end > first && end - first <= PENDING_MAX_SPAN);
	values[0] = Int64GetDatum((int64) storage_id);
	values[1] = Int64GetDatum((int64) first);
	values[2] = Int64GetDatum((int64) end);
	old = MemoryContextSwitchTo(TopTransactionContext);
	a = palloc(sizeof(Announced));
	a->tid = metadata_insert_record(INTERNAL_PENDING_ROWS, values, nulls,
									GetCurrentCommandId(true), UNIQUE_CHECK_NO);
	a->storage_id = storage_id;
	a->subid = GetCurrentSubTransactionId();
	announced = lappend(announced, a);
	MemoryContextSwitchTo(old);
}

TransactionId
pending_find(uint64 storage_id, uint64 rowid)
{
	SnapshotData dirty;
	RecordScan	rs;
	HeapTuple	tuple;
	TransactionId result = InvalidTransactionId;
	Oid			heapoid;
	Oid			indexoid;

	if (!metadata_lookup(INTERNAL_PENDING_ROWS, storage_id, &heapoid, &indexoid))
		return InvalidTransactionId;
	InitDirtySnapshot(dirty);
	metadata_begin_records(&rs, INTERNAL_PENDING_ROWS, storage_id,
						   (int64) (rowid >= PENDING_MAX_SPAN ? rowid - PENDING_MAX_SPAN + 1 : 0),
						   (int64) rowid, &dirty, AccessShareLock);
	while (HeapTupleIsValid(tuple = metadata_prev_record(&rs)))
	{
		int64		end = ((int64 *) GETSTRUCT(tuple))[2];

		/* only ranges of transactions in progress mean anything */
		if (TransactionIdIsValid(dirty.xmin) && (int64) rowid < end)
		{
			result = dirty.xmin;
			break;
		}
	}
	metadata_end_records(&rs, AccessShareLock);
	return result;
}

/*
 * The transaction's buffers are written: its ranges are no longer needed
 * (called by write.c after writing them at commit or PREPARE).
 */
void
pending_forget(void)
{
	Oid			heapoid;
	Oid			indexoid;
	Relation	heap;
	ListCell   *lc;

	if (announced == NIL)
		return;
	/* ranges announced by the current command are deletable after this */
	CommandCounterIncrement();
	foreach(lc, announced)
	{
		Announced  *a = (Announced *) lfirst(lc);

		metadata_require(INTERNAL_PENDING_ROWS, a->storage_id, &heapoid, &indexoid);
		heap = table_open(heapoid, RowExclusiveLock);
		simple_heap_delete(heap, &a->tid);
		table_close(heap, RowExclusiveLock);
	}
	announced = NIL;
}

static void
pending_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PREPARE || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT)
		announced = NIL;		/* the memory went with TopTransactionContext */
}

static void
pending_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						 SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		foreach(lc, announced)
			if (((Announced *) lfirst(lc))->subid == mySubid)
				((Announced *) lfirst(lc))->subid = parentSubid;
	}
	else if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		/* the aborted subtransaction's ranges are dead already */
		foreach(lc, announced)
			if (((Announced *) lfirst(lc))->subid == mySubid)
				announced = foreach_delete_current(announced, lc);
	}
}

void
pending_init(void)
{
	RegisterXactCallback(pending_xact_callback, NULL);
	RegisterSubXactCallback(pending_subxact_callback, NULL);
}
