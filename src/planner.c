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
 * - Index builds run without parallel workers; index access methods that
 *   only return bitmaps are refused before CREATE INDEX (CONCURRENTLY)
 *   commits anything (index.c).
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
#include "optimizer/plancat.h"
#include "commands/defrem.h"
#include "catalog/namespace.h"
#include "access/relation.h"
#include "catalog/pg_inherits.h"
#include "parser/parsetree.h"
#include "tcop/utility.h"
#include "utils/lsyscache.h"

#include "custom_scan.h"
#include "gapfill.h"
#include "index.h"
#include "options.h"
#include "lastpoint.h"
#include "topn.h"
#include "timeseries.h"
#include "vector_agg.h"
#include "write.h"

static set_rel_pathlist_hook_type prev_set_rel_pathlist_hook = NULL;
static ProcessUtility_hook_type prev_process_utility_hook = NULL;
static get_relation_info_hook_type prev_get_relation_info_hook = NULL;
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
 * Index builds of timeseries tables run without parallel workers: the
 * access method has no parallel table scan of its own.  The planner state
 * plan_create_index_workers() builds for the decision is a query without a
 * join tree; set_rel_pathlist never sees one.
 */
static void
ts_get_relation_info(PlannerInfo *root, Oid relid, bool inhparent,
					 RelOptInfo *rel)
{
	if (prev_get_relation_info_hook)
		prev_get_relation_info_hook(root, relid, inhparent, rel);
	if (root->parse->jointree == NULL && ts_is_timeseries_relid(relid))
		rel->rel_parallel_workers = 0;
}

static void
ts_process_utility(PlannedStmt *pstmt, const char *queryString,
				   bool readOnlyTree, ProcessUtilityContext context,
				   ParamListInfo params, QueryEnvironment *queryEnv,
				   DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;

	if (IsA(parsetree, IndexStmt))
	{
		IndexStmt  *stmt = (IndexStmt *) parsetree;
		Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);

		if (OidIsValid(relid) && ts_is_timeseries_relid(relid))
			ts_index_check_am(get_index_am_oid(stmt->accessMethod, false),
							  get_rel_name(relid));
	}

	/* a column the table's options name may not be dropped */
	if (IsA(parsetree, AlterTableStmt))
	{
		AlterTableStmt *stmt = (AlterTableStmt *) parsetree;
		Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);
		ListCell   *lc;

		if (OidIsValid(relid) && ts_is_timeseries_relid(relid))
		{
			foreach(lc, stmt->cmds)
			{
				AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);

				if (cmd->subtype == AT_DropColumn)
				{
					Relation	rel = relation_open(relid, AccessShareLock);

					ts_options_check_drop_column(rel, cmd->name);
					relation_close(rel, AccessShareLock);
				}
			}
		}
	}

	if (prev_process_utility_hook)
		prev_process_utility_hook(pstmt, queryString, readOnlyTree, context,
								  params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);

	/* the options follow a renamed column */
	if (IsA(parsetree, RenameStmt) &&
		((RenameStmt *) parsetree)->renameType == OBJECT_COLUMN &&
		((RenameStmt *) parsetree)->relation != NULL)
	{
		RenameStmt *stmt = (RenameStmt *) parsetree;
		Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);

		if (OidIsValid(relid) && ts_is_timeseries_relid(relid))
		{
			Relation	rel = relation_open(relid, NoLock);

			ts_options_rename_column(rel, stmt->subname, stmt->newname);
			relation_close(rel, NoLock);
		}
	}
}

void
ts_planner_init(void)
{
	prev_process_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = ts_process_utility;
	prev_set_rel_pathlist_hook = set_rel_pathlist_hook;
	set_rel_pathlist_hook = ts_set_rel_pathlist;
	prev_get_relation_info_hook = get_relation_info_hook;
	get_relation_info_hook = ts_get_relation_info;
	prev_executor_start_hook = ExecutorStart_hook;
	ExecutorStart_hook = ts_executor_start;
	prev_create_upper_paths_hook = create_upper_paths_hook;
	create_upper_paths_hook = ts_create_upper_paths;
}
