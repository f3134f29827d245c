/*-------------------------------------------------------------------------
 *
 * custom_scan.h
 *	  TimeseriesScan, the custom scan node over timeseries tables.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_CUSTOM_SCAN_H
#define TIMESERIES_CUSTOM_SCAN_H

#include "access/tupdesc.h"
#include "nodes/pathnodes.h"

/* GUCs */
extern bool ts_enable_custom_scan;
extern bool ts_debug_require_vectorized;

extern void ts_custom_scan_init(void);
extern void ts_custom_scan_add_path(PlannerInfo *root, RelOptInfo *rel,
									RangeTblEntry *rte);
extern bool ts_is_custom_scan_path(Path *path);

/*
 * Split restriction clauses into those evaluated over vectors (in the order
 * they must run) and the rest.
 */
extern void ts_split_clauses(List *rinfos, Index relid, List **pushed, List **rest);

/* Planning helpers shared by the nodes over timeseries tables. */
extern bool ts_rel_column(Node *node, Index relid, AttrNumber *attno, Oid *type);
extern bool ts_is_time_type(Oid typid);
extern Oid	ts_btree_family(Oid type);
extern int	ts_commute_strategy(int strategy);
extern bool ts_estimate_column_range(PlannerInfo *root, RelOptInfo *rel,
									 AttrNumber attno, Oid type,
									 int64 *lo, int64 *hi);
extern double ts_estimate_cut_fraction(PlannerInfo *root, RelOptInfo *rel);

/* EXPLAIN's "Columns" line. */
struct ExplainState;
struct CustomScanState;
extern void ts_explain_columns(TupleDesc desc, const bool *read_att,
							   struct ExplainState *es);
extern void ts_explain_clauses(const char *label, List *clauses,
							   struct CustomScanState *node, List *ancestors,
							   struct ExplainState *es);

#endif							/* TIMESERIES_CUSTOM_SCAN_H */
