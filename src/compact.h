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

/* Merge the table's runs of small adjacent chunks; returns the rows rewritten. */
extern int64 compact_relation(Relation rel);

#endif							/* TIMESERIES_COMPACT_H */
