/*-------------------------------------------------------------------------
 *
 * storage.h
 *	  The main fork of a timeseries relation: the metapage (block 0), page
 *	  extents holding chunk bytes, and row-id allocation.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_STORAGE_H
#define TIMESERIES_STORAGE_H

#include "storage/bufmgr.h"
#include "storage/itemptr.h"
#include "utils/rel.h"

/*
 * Row ids map to ctids with at most ROWS_PER_BLOCK offsets per block, the
 * heap's MaxHeapTuplesPerPage: tid bitmaps and GIN assume no more.
 */
#define ROWS_PER_BLOCK	291
#define MAX_ROW_ID		((uint64) MaxBlockNumber * ROWS_PER_BLOCK)
/* Late rows take row ids from the upper half (write.c, "late rows"). */
#define LATE_FIRST_ROW_ID	(MAX_ROW_ID / 2)

/* Chunk bytes carried by one extent page. */
#define EXTENT_PAGE_BYTES	(BLCKSZ - MAXALIGN(SizeOfPageHeaderData))

static inline void
rowid_to_tid(uint64 rowid, ItemPointer tid)
{
	ItemPointerSet(tid, (BlockNumber) (rowid / ROWS_PER_BLOCK),
				   (OffsetNumber) (rowid % ROWS_PER_BLOCK + 1));
}

static inline uint64
tid_to_rowid(ItemPointer tid)
{
	return (uint64) ItemPointerGetBlockNumberNoCheck(tid) * ROWS_PER_BLOCK +
		ItemPointerGetOffsetNumberNoCheck(tid) - 1;
}

static inline bool
tid_is_row(ItemPointer tid)
{
	OffsetNumber off = ItemPointerGetOffsetNumberNoCheck(tid);

	return off >= 1 && off <= ROWS_PER_BLOCK &&
		ItemPointerGetBlockNumberNoCheck(tid) != InvalidBlockNumber;
}

/* Storage id of the relation's current relfilenode, or 0 when it has no metapage yet. */
extern uint64 storage_get_id(Relation rel);
extern uint64 storage_get_id_extended(Relation rel, bool quiet);

/* Storage id, creating the metapage on the first write. */
extern uint64 storage_get_or_create_id(Relation rel);

/* Reserve count consecutive row ids; returns the first. */
extern uint64 storage_reserve_rows(Relation rel, uint64 count, bool late);
extern void storage_get_late_horizon(Relation rel, AttrNumber *attnum, int64 *before);
extern void storage_raise_late_horizon(Relation rel, AttrNumber attnum, int64 before);

/* Write bytes into contiguous pages (reused or new); returns the first block. */
extern BlockNumber storage_write_extent(Relation rel, const char *data, Size len);

/* Copy an extent into a ready free extent below it; InvalidBlockNumber: none. */
extern BlockNumber storage_move_extent(Relation rel, BlockNumber first, Size len);

/*
 * Free nblocks blocks from first: pending, the extent of a chunk whose
 * metadata row the current transaction deletes; else blocks known free.
 */
extern void storage_free_extent(uint64 storage_id, BlockNumber first, int32 nblocks,
								bool pending);
extern void storage_drop_free_extents(uint64 storage_id);

/* Make free extents reusable whose chunk no snapshot can read any more (VACUUM). */
extern int	storage_ready_free_extents(uint64 storage_id);
extern void storage_reclaim_space(Relation rel);

/* A record that only makes standbys resolve a recovery conflict with xid. */
extern void storage_log_conflict(Relation rel, TransactionId xid);

/* Check that an extent of len bytes starting at block first lies inside the fork. */
extern void storage_check_extent(Relation rel, BlockNumber first, Size len);

/*
 * Copy pages [page_from, page_to) of the extent (len bytes starting at block
 * first) into the same offsets of dst.
 */
extern void storage_read_extent(Relation rel, BlockNumber first, Size len,
								Size page_from, Size page_to, char *dst,
								BufferAccessStrategy strategy);

#endif							/* TIMESERIES_STORAGE_H */
