/*-------------------------------------------------------------------------
 *
 * index.h
 *	  Indexes on timeseries tables: builds, CREATE INDEX CONCURRENTLY's
 *	  validation, and row fetches for index scans.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_INDEX_H
#define TIMESERIES_INDEX_H

#include "access/tableam.h"
#include "catalog/index.h"

extern double ts_index_build_range_scan(Relation table_rel, Relation index_rel,
										IndexInfo *index_info, bool allow_sync,
										bool anyvisible, bool progress,
										BlockNumber start_blockno,
										BlockNumber numblocks,
										IndexBuildCallback callback,
										void *callback_state, TableScanDesc scan);
extern void ts_index_validate_scan(Relation table_rel, Relation index_rel,
								   IndexInfo *index_info, Snapshot snapshot,
								   ValidateIndexState *state);
extern IndexFetchTableData *ts_index_fetch_begin(Relation rel);
extern void ts_index_fetch_reset(IndexFetchTableData *scan);
extern void ts_index_fetch_end(IndexFetchTableData *scan);
extern bool ts_index_fetch_tuple(IndexFetchTableData *scan, ItemPointer tid,
								 Snapshot snapshot, TupleTableSlot *slot,
								 bool *call_again, bool *all_dead);
extern TransactionId ts_index_delete_tuples(Relation rel, TM_IndexDeleteOp *delstate);

/* Refuse index AMs without amgettuple (bitmap-only) on a timeseries table. */
extern void ts_index_check_am(Oid amoid, const char *table_name);

#endif							/* TIMESERIES_INDEX_H */
