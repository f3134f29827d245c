/*-------------------------------------------------------------------------
 *
 * compact.h
 *	  Compaction: merging runs of small chunks (compact.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_COMPACT_H
#define TIMESERIES_COMPACT_H

#include "utils/rel.h"

/*
 * Merge small chunks and take out rows deleted for everyone; with relayout,
 * rewrite every chunk in the table's current options (after a restore).
 */
extern int64 compact_relation(Relation rel, bool relayout);

/*
 * CLUSTER: new_rel, a copy of old_rel's fork, gets the rows as new chunks in
 * the index's order; returns the rows written.
 */
extern int64 compact_cluster(Relation old_rel, Relation new_rel, Relation index);

/* Move the chunks at the end of the fork into free space below (VACUUM). */
extern int	compact_relocate_tail(Relation rel);

#endif							/* TIMESERIES_COMPACT_H */
