/*-------------------------------------------------------------------------
 *
 * delete_mask.h
 *	  Deleted and locked rows of timeseries tables: records in
 *	  timeseries_internal.deleted_row and row_lock, the delete mask of a
 *	  chunk as a snapshot sees it, and the row-level conflict handling of
 *	  DELETE, UPDATE and row locks.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_DELETE_MASK_H
#define TIMESERIES_DELETE_MASK_H

#include "access/tableam.h"
#include "nodes/lockoptions.h"
#include "utils/rel.h"
#include "utils/snapshot.h"

#define NO_SUCCESSOR	PG_UINT64_MAX

/* Does the snapshot see any deleted row of the storage id? */
extern bool delete_mask_any(uint64 storage_id, Snapshot snapshot);

/*
 * The rows of [first_row, first_row + nrows) the snapshot sees as deleted,
 * as a bitmap by offset from first_row (palloc'd), or NULL when there are
 * none.
 */
extern uint8 *delete_mask_load(uint64 storage_id, int64 first_row, int64 nrows,
							   Snapshot snapshot);

static inline bool
delete_mask_test(const uint8 *mask, int64 offset)
{
	return (mask[offset >> 3] >> (offset & 7)) & 1;
}

/* Deleted rows the snapshot sees (VACUUM and statistics). */
extern int64 delete_mask_count(uint64 storage_id, Snapshot snapshot);

/* Delete every record of a storage id (TRUNCATE, DROP). */
extern void delete_mask_drop_storage(uint64 storage_id);

/* Delete the deleted-row and lock records of row ids [lo, hi] (a dropped chunk). */
extern void delete_mask_drop_range(uint64 storage_id, int64 lo, int64 hi);

/* Delete the row locks of finished transactions (VACUUM). */
extern void delete_mask_vacuum_locks(uint64 storage_id);

/*
 * DELETE and UPDATE of one row: delete_row_begin checks for concurrent
 * changes and row locks conflicting with mode (LockTupleExclusive for a
 * delete, the update's lock mode), waiting for them as heap does, and on
 * TM_Ok keeps the row latched until delete_row_finish records the delete.
 */
extern TM_Result delete_row_begin(Relation rel, uint64 storage_id, ItemPointer tid,
								  CommandId cid, Snapshot crosscheck, bool wait,
								  LockTupleMode mode, TM_FailureData *tmfd);
extern void delete_row_finish(Relation rel, uint64 storage_id, ItemPointer tid,
							  uint64 successor, CommandId cid);

/*
 * Lock a row in mode until the end of the transaction; with follow, *tid
 * moves along updates to the latest version, which is locked instead.
 */
extern TM_Result delete_row_lock(Relation rel, uint64 storage_id, ItemPointer tid,
								 CommandId cid, LockTupleMode mode,
								 LockWaitPolicy policy, bool follow,
								 TM_FailureData *tmfd);

/*
 * How a dirty snapshot sees a row's delete: true when a committed
 * transaction or ours deleted it; else *deleter is a transaction in
 * progress deleting it, or InvalidTransactionId.
 */
extern bool delete_row_dirty(uint64 storage_id, uint64 rowid, TransactionId *deleter);

/* The newest version of a row the snapshot sees, following updates. */
extern void delete_row_latest_visible(uint64 storage_id, ItemPointer tid,
									  Snapshot snapshot);

#endif							/* TIMESERIES_DELETE_MASK_H */
