/*-------------------------------------------------------------------------
 *
 * planner.c
 *	  Planner hooks: keep plans on timeseries tables to what the access
 *	  method supports.
 *
 * - Scans of timeseries tables are not parallel-safe: a worker could not see
 *   the rows the leader's transaction still holds in its write buffer.
 * - UPDATE, DELETE, MERGE and row locks are refused while planning, with a
 *   clear error, rather than failing (or not) depending on whether a row
 *   happens to match.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planner.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"

#include "timeseries.h"

static set_rel_pathlist_hook_type prev_set_rel_pathlist_hook = NULL;
static planner_hook_type prev_planner_hook = NULL;

static void
ts_set_rel_pathlist(PlannerInfo *root, RelOptInfo *rel, Index rti,
					RangeTblEntry *rte)
{
	if (prev_set_rel_pathlist_hook)
		prev_set_rel_pathlist_hook(root, rel, rti, rte);

	if (rte->rtekind == RTE_RELATION && rte->relkind == RELKIND_RELATION &&
		ts_is_timeseries_relid(rte->relid))
	{
		ListCell   *lc;

		rel->partial_pathlist = NIL;
		rel->consider_parallel = false;
		foreach(lc, rel->pathlist)
			((Path *) lfirst(lc))->parallel_safe = false;
	}
}

static void
refuse_on_timeseries(Query *query, Index rti, const char *what)
{
	RangeTblEntry *rte = rt_fetch(rti, query->rtable);

	if (rte->rtekind == RTE_RELATION && ts_is_timeseries_relid(rte->relid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s is not supported on timeseries tables yet", what),
				 errdetail("Table \"%s\" uses the timeseries access method.",
						   get_rel_name(rte->relid)),
				 errhint("Copy the rows into a heap table for this operation.")));
}

static bool
check_query_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *query = (Query *) node;
		ListCell   *lc;

		if (query->resultRelation > 0)
		{
			if (query->commandType == CMD_UPDATE)
				refuse_on_timeseries(query, query->resultRelation, "UPDATE");
			else if (query->commandType == CMD_DELETE)
				refuse_on_timeseries(query, query->resultRelation, "DELETE");
			else if (query->commandType == CMD_MERGE)
				refuse_on_timeseries(query, query->resultRelation, "MERGE");
			else if (query->commandType == CMD_INSERT && query->onConflict)
				refuse_on_timeseries(query, query->resultRelation,
									 "INSERT ... ON CONFLICT");
		}
		foreach(lc, query->rowMarks)
			refuse_on_timeseries(query, ((RowMarkClause *) lfirst(lc))->rti,
								 "SELECT ... FOR UPDATE/SHARE");
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

void
ts_planner_init(void)
{
	prev_set_rel_pathlist_hook = set_rel_pathlist_hook;
	set_rel_pathlist_hook = ts_set_rel_pathlist;
	prev_planner_hook = planner_hook;
	planner_hook = ts_planner;
}
