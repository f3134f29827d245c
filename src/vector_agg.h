/*-------------------------------------------------------------------------
 *
 * vector_agg.h
 *	  TimeseriesAgg, aggregation over decoded vectors.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_VECTOR_AGG_H
#define TIMESERIES_VECTOR_AGG_H

#include "nodes/pathnodes.h"

/* GUCs */
extern bool ts_enable_vector_agg;
extern bool ts_debug_require_vector_agg;

extern void ts_vector_agg_init(void);
extern void ts_vector_agg_add_paths(PlannerInfo *root, RelOptInfo *input_rel,
									RelOptInfo *output_rel,
									GroupPathExtraData *extra);

#endif							/* TIMESERIES_VECTOR_AGG_H */
