/*-------------------------------------------------------------------------
 *
 * topn.h
 *	  TimeseriesTopN, ORDER BY time LIMIT n over a timeseries table (topn.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_TOPN_H
#define TIMESERIES_TOPN_H

#include "nodes/pathnodes.h"

extern void ts_topn_init(void);
extern void ts_topn_add_path(PlannerInfo *root, RelOptInfo *rel,
							 RangeTblEntry *rte);

#endif							/* TIMESERIES_TOPN_H */
