/*-------------------------------------------------------------------------
 *
 * planner.c
 *	  Planner hooks: keep plans on timeseries tables to what the access
 *	  method supports.
 *
 * - Scans of timeseries tables get TimeseriesScan paths (custom_scan.c),
 *   including a parallel-aware one; the plain parallel sequential scan is
 *   removed (the access method has no parallel scan of its own).
 * - Parallel workers cannot see rows the leader's transaction still holds in
 *   its write buffer, so a statement that starts while the buffer holds
 *   rows runs without workers (its Gather nodes run their plan in the
 *   leader alone, as when no worker can be started).
 * - INSERT ... ON CONFLICT is refused while planning, with a clear error,
 *   rather than failing (or not) depending on whether a row happens to
 *   match.
 * - CREATE INDEX CONCURRENTLY is refused before it commits its catalog
 *   entry; other index builds fail in the access method and roll back.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_class.h"
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planner.h"
#include "catalog/namespace.h"
#include "catalog/pg_inherits.h"
#include "parser/parsetree.h"
#include "tcop/utility.h"
#include "utils/lsyscache.h"

#include "custom_scan.h"
#include "gapfill.h"
#include "lastpoint.h"
#include "topn.h"
#include "timeseries.h"
#include "vector_agg.h"
#include "write.h"

static set_rel_pathlist_hook_type prev_set_rel_pathlist_hook = NULL;
static ProcessUtility_hook_type prev_process_utility_hook = NULL;
static planner_hook_type prev_planner_hook = NULL;
static ExecutorStart_hook_type prev_executor_start_hook = NULL;
static create_upper_paths_hook_type prev_create_upper_paths_hook = NULL;

static void
ts_set_rel_pathlist(PlannerInfo *root, RelOptInfo *rel, Index rti,
					RangeTblEntry *rte)
{
	if (prev_set_rel_pathlist_hook)
		prev_set_rel_pathlist_hook(root, rel, rti, rte);

	if (rte->rtekind == RTE_RELATION &&
		(rte->relkind == RELKIND_RELATION || rte->relkind == RELKIND_MATVIEW) &&
		ts_is_timeseries_relid(rte->relid))
	{
		rel->partial_pathlist = NIL;
		ts_custom_scan_add_path(root, rel, rte);
		ts_topn_add_path(root, rel, rte);
	}
}

static void
ts_create_upper_paths(PlannerInfo *root, UpperRelationKind stage,
					  RelOptInfo *input_rel, RelOptInfo *output_rel,
					  void *extra)
{
	if (prev_create_upper_paths_hook)
		prev_create_upper_paths_hook(root, stage, input_rel, output_rel, extra);
	if (stage == UPPERREL_GROUP_AGG)
	{
		ts_vector_agg_add_paths(root, input_rel, output_rel,
								(GroupPathExtraData *) extra);
		/* after every other grouping path: it wraps them all */
		ts_gapfill_add_paths(root, input_rel, output_rel);
	}
	else if (stage == UPPERREL_DISTINCT)
		ts_lastpoint_add_paths(root, input_rel, output_rel);
}

static void
ts_executor_start(QueryDesc *queryDesc, int eflags)
{
	if (queryDesc->plannedstmt->parallelModeNeeded && !IsInParallelMode() &&
		write_has_buffered_rows())
	{
		PlannedStmt *stmt = palloc(sizeof(PlannedStmt));

		/* a shallow copy: the plan may be cached, and the next run may use workers */
		memcpy(stmt, queryDesc->plannedstmt, sizeof(PlannedStmt));
		stmt->parallelModeNeeded = false;
		queryDesc->plannedstmt = stmt;
	}
	if (prev_executor_start_hook)
		prev_executor_start_hook(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

/*
 * Refuse what on the relation of range table entry rti when it, or (for a
 * partitioned or inheritance parent) any relation below it, is a timeseries
 * table.
 */
static void
refuse_on_timeseries(Query *query, Index rti, const char *what)
{
	RangeTblEntry *rte = rt_fetch(rti, query->rtable);
	List	   *relids;
	ListCell   *lc;

	if (rte->rtekind != RTE_RELATION)
		return;
	relids = rte->inh ? find_all_inheritors(rte->relid, NoLock, NULL) :
		list_make1_oid(rte->relid);
	foreach(lc, relids)
	{
		Oid			relid = lfirst_oid(lc);

		if (ts_is_timeseries_relid(relid))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("%s is not supported on timeseries tables yet", what),
					 errdetail("Table \"%s\" uses the timeseries access method.",
							   get_rel_name(relid)),
					 errhint("Copy the rows into a heap table for this operation.")));
	}
}

static bool
check_query_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *query = (Query *) node;

		if (query->resultRelation > 0 && query->commandType == CMD_INSERT &&
			query->onConflict)
			refuse_on_timeseries(query, query->resultRelation,
								 "INSERT ... ON CONFLICT");
		return query_tree_walker(query, check_query_walker, context, 0);
	}
	return expression_tree_walker(node, check_query_walker, context);
}

static PlannedStmt *
ts_planner(Query *parse, const char *query_string, int cursorOptions,
		   ParamListInfo boundParams)
{
	check_query_walker((Node *) parse, NULL);

	if (prev_planner_hook)
		return prev_planner_hook(parse, query_string, cursorOptions, boundParams);
	return standard_planner(parse, query_string, cursorOptions, boundParams);
}

static void
ts_process_utility(PlannedStmt *pstmt, const char *queryString,
				   bool readOnlyTree, ProcessUtilityContext context,
				   ParamListInfo params, QueryEnvironment *queryEnv,
				   DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;

	if (IsA(parsetree, IndexStmt) && ((IndexStmt *) parsetree)->concurrent)
	{
		IndexStmt  *stmt = (IndexStmt *) parsetree;
		Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);

		if (OidIsValid(relid) && ts_is_timeseries_relid(relid))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("indexes on timeseries tables are not supported yet"),
					 errdetail("Table \"%s\" uses the timeseries access method.",
							   get_rel_name(relid)),
					 errhint("Leave out PRIMARY KEY, UNIQUE and CREATE INDEX for now.")));
	}

	if (prev_process_utility_hook)
		prev_process_utility_hook(pstmt, queryString, readOnlyTree, context,
								  params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
}

void
ts_planner_init(void)
{
	prev_process_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = ts_process_utility;
	prev_set_rel_pathlist_hook = set_rel_pathlist_hook;
	set_rel_pathlist_hook = ts_set_rel_pathlist;
	prev_planner_hook = planner_hook;
	planner_hook = ts_planner;
	prev_executor_start_hook = ExecutorStart_hook;
	ExecutorStart_hook = ts_executor_start;
	prev_create_upper_paths_hook = create_upper_paths_hook;
	create_upper_paths_hook = ts_create_upper_paths;
}
