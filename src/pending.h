/*-------------------------------------------------------------------------
 *
 * pending.h
 *	  Pending row ranges: the row ids a transaction holds in its write
 *	  buffer, announced for uniqueness checks in other backends.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_PENDING_H
#define TIMESERIES_PENDING_H

#include "utils/rel.h"

/* Does the relation need its unwritten rows announced (unique or exclusion indexes)? */
extern bool pending_needed(Relation rel);

/* The longest range that may be announced at once, up to wanted. */
extern uint64 pending_span(uint64 wanted);

/* Announce row ids [first, end) as held by the current (sub)transaction. */
extern void pending_announce(uint64 storage_id, uint64 first, uint64 end);

/* Delete the transaction's ranges once its buffers are written. */
extern void pending_forget(void);

/* The transaction in progress, not ours, that holds row rowid unwritten. */
extern TransactionId pending_find(uint64 storage_id, uint64 rowid);

extern void pending_init(void);

#endif							/* TIMESERIES_PENDING_H */
