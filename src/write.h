/*-------------------------------------------------------------------------
 *
 * write.h
 *	  Per-(sub)transaction write buffers of timeseries tables.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_WRITE_H
#define TIMESERIES_WRITE_H

#include "executor/tuptable.h"
#include "utils/rel.h"
#include "utils/snapshot.h"

extern void write_insert(Relation rel, TupleTableSlot **slots, int nslots,
						 CommandId cid);
extern void write_flush_relation(Relation rel);
extern bool write_relation_has_buffered_rows(Relation rel);
extern void write_discard_row(Relation rel, uint64 rowid);
extern void write_rows_as_chunk(Relation rel, Datum **values, bool **isnull,
								int nrows, const int64 *rowids,
								int64 range_first, int64 range_end);
extern void write_discard_storage(Oid relid, uint64 storage_id);
extern int64 write_next_flush_seq(void);
extern int64 write_take_flush_seq(void);
extern bool write_has_buffered_rows(void);

/* Rows of the current transaction not yet written, as a scan must see them. */
typedef struct BufferedRows
{
	int			nrows;
	int			natts;
	Datum	  **values;			/* [att][row] */
	bool	  **isnull;
	uint64	   *rowids;
} BufferedRows;

extern BufferedRows *write_buffered_rows(Relation rel, uint64 storage_id,
										 Snapshot snapshot, TupleDesc target);
extern bool write_fetch_row(Relation rel, uint64 storage_id, uint64 rowid,
							Snapshot snapshot, TupleTableSlot *slot);
extern bool write_row_cid(Relation rel, uint64 storage_id, uint64 rowid,
						  CommandId *cid);
extern bool write_flushed_in_xact(void);

extern void write_init(void);

#endif							/* TIMESERIES_WRITE_H */
