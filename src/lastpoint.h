/*-------------------------------------------------------------------------
 *
 * lastpoint.h
 *	  TimeseriesLastPoint, the newest row of every series (lastpoint.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_LASTPOINT_H
#define TIMESERIES_LASTPOINT_H

#include "nodes/pathnodes.h"

extern void ts_lastpoint_init(void);
extern void ts_lastpoint_add_paths(PlannerInfo *root, RelOptInfo *input_rel,
								   RelOptInfo *output_rel);

#endif							/* TIMESERIES_LASTPOINT_H */
