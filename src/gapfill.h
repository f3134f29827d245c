/*-------------------------------------------------------------------------
 *
 * gapfill.h
 *	  time_bucket_gapfill(): the gapfill node and its planning (gapfill.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef GAPFILL_H
#define GAPFILL_H

#include "nodes/pathnodes.h"
#include "nodes/primnodes.h"

extern void ts_gapfill_init(void);
extern void ts_gapfill_add_paths(PlannerInfo *root, RelOptInfo *input_rel,
								 RelOptInfo *output_rel);

/* Is funcid time_bucket_gapfill? */
extern bool ts_gapfill_is_bucket(Oid funcid);

/* Is argument pos of f a start or finish of a time_bucket_gapfill call? */
extern bool ts_gapfill_bound_arg(FuncExpr *f, int pos);

#endif							/* GAPFILL_H */
