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
/*
 * Merge small chunks and take out rows deleted for everyone; with relayout,
 * rewrite every chunk in the table's current options (after a restore).
 */
extern int64 compact_relation(Relation rel, bool relayout);

#endif							/* TIMESERIES_COMPACT_H */
