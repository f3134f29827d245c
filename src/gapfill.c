/*-------------------------------------------------------------------------
 *
 * gapfill.c
 *	  time_bucket_gapfill(): a GROUP BY on time buckets that also returns
 *	  the buckets without rows, filled by locf() and interpolate().
 *
 * Planning (ts_gapfill_add_paths, from the GROUP_AGG upper-paths hook).
 * When a GROUP BY key is a time_bucket_gapfill() call, every path of the
 * grouping relation becomes
 *
 *	   TimeseriesGapfill -> Sort (other keys, bucket) -> the aggregation
 *
 * The aggregation computes the "leaves" of the select list: the GROUP BY
 * expressions, the aggregates, other columns (which the keys determine)
 * and, for locf(x) and interpolate(x), x itself.  The gapfill node reads
 * each group's rows in bucket order, adds a row for every bucket in
 * [start, finish) the group lacks, and projects the select list over its
 * leaves.  In an added row the keys come from the group, aggregates are
 * NULL, locf() carries the group's last value forward and interpolate()
 * draws a line between the rows around the gap; expressions such as
 * coalesce(avg(x), 0) are evaluated over those values.  Rows outside
 * [start, finish) pass through unchanged.  A query without other keys and
 * without rows still gets every bucket.
 *
 * start and finish default to the bounds the WHERE clause (and inner join
 * conditions) put on the bucketed column: the largest lower and the
 * smallest upper bound.  Like the width they may be parameters or stable
 * expressions such as now(); they are evaluated when the node first runs
 * and after every rescan.  Behaviour and messages follow TimescaleDB's
 * function of the same name.
 *
 * locf() and interpolate() are markers: the plan computes their first
 * argument below the gapfill node, which does the filling.  Evaluated
 * anywhere else they return their first argument.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/stratnum.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/tlist.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "custom_scan.h"
#include "gapfill.h"
#include "summary.h"
#include "timeseries.h"

PG_FUNCTION_INFO_V1(ts_gapfill_marker);
PG_FUNCTION_INFO_V1(ts_gapfill_support);

typedef enum LeafKind
{
	LEAF_TIME,					/* the time_bucket_gapfill() key */
	LEAF_GROUP,					/* another key, or a column the keys determine */
	LEAF_AGG,					/* an aggregate: NULL in added rows */
	LEAF_LOCF,					/* locf(x): x below, filled here */
	LEAF_INTERPOLATE			/* interpolate(x): likewise */
} LeafKind;

typedef enum GapfillFunc
{
	GF_NONE,
	GF_BUCKET,
	GF_LOCF,
	GF_INTERPOLATE
} GapfillFunc;

/* custom_private of the plan: positions in the list */
#define PRIV_KINDS		0			/* IntList: LeafKind per leaf */
#define PRIV_KEYS		1			/* IntList: leaves that are other GROUP BY keys */
#define PRIV_EQOPS		2			/* OidList: their equality operators */
#define PRIV_COLLS		3			/* OidList: their collations */
#define PRIV_TYPE		4			/* OidList: the bucket type */
#define PRIV_TIMELEAF	5			/* IntList: the time leaf, has zone */
#define PRIV_STARTS		6			/* IntList: per start bound, 1 for "ts > v" */
#define PRIV_FINISHES	7			/* IntList: per finish bound, 1 for "ts <= v" */
#define PRIV_NULLMISS	8			/* IntList: locf treat_null_as_missing per leaf */

/* custom_exprs of the plan: positions in the list */
#define EXPR_WIDTH		0
#define EXPR_ZONE		1			/* or NULL */
#define EXPR_STARTS		2			/* List */
#define EXPR_FINISHES	3			/* List */
#define EXPR_PREVS		4			/* List, per leaf: locf/interpolate prev or NULL */
#define EXPR_NEXTS		5			/* List, per leaf: interpolate next or NULL */

/* ---------- SQL functions ---------- */

Datum
ts_gapfill_marker(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/*
 * The planner support function of time_bucket_gapfill.  It answers no
 * request; being called while a query is planned loads this library, whose
 * upper-paths hook plans the gapfill, in a session that has not loaded it
 * yet (say, one querying only heap tables).
 */
Datum
ts_gapfill_support(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(NULL);
}

/* ---------- recognizing the functions ---------- */

static GapfillFunc
gapfill_func(Oid funcid)
{
	char	   *name;
	GapfillFunc result = GF_NONE;

	if (get_func_namespace(funcid) != get_namespace_oid("timeseries", true))
		return GF_NONE;
	name = get_func_name(funcid);
	if (name == NULL)
		return GF_NONE;
	if (strcmp(name, "time_bucket_gapfill") == 0)
		result = GF_BUCKET;
	else if (strcmp(name, "locf") == 0)
		result = GF_LOCF;
	else if (strcmp(name, "interpolate") == 0)
		result = GF_INTERPOLATE;
	pfree(name);
	return result;
}

static GapfillFunc
node_gapfill_func(Node *node)
{
	if (node && IsA(node, FuncExpr))
		return gapfill_func(((FuncExpr *) node)->funcid);
	return GF_NONE;
}

/* Positions of start and finish among the arguments of a gapfill call. */
static int
start_arg(FuncExpr *f)
{
	return exprType(lsecond(f->args)) == TIMESTAMPTZOID &&
		list_length(f->args) == 5 ? 3 : 2;
}

bool
ts_gapfill_is_bucket(Oid funcid)
{
	return gapfill_func(funcid) == GF_BUCKET;
}

bool
ts_gapfill_bound_arg(FuncExpr *f, int pos)
{
	int			s;

	if (gapfill_func(f->funcid) != GF_BUCKET)
		return false;
	s = start_arg(f);
	return pos == s || pos == s + 1;
}

/* ---------- planning ---------- */

typedef struct GapfillPlan
{
	PlannerInfo *root;
	FuncExpr   *bucket;			/* the time_bucket_gapfill() key */
	List	   *group_exprs;	/* GROUP BY expressions, the bucket too */
	List	   *leaves;
	List	   *kinds;
} GapfillPlan;

static Plan *plan_gapfill(PlannerInfo *root, RelOptInfo *rel,
						  struct CustomPath *best_path, List *tlist,
						  List *clauses, List *custom_plans);
static Node *create_gapfill_state(CustomScan *cscan);

static const CustomPathMethods gapfill_path_methods = {
	.CustomName = "TimeseriesGapfill",
	.PlanCustomPath = plan_gapfill,
};

static const CustomScanMethods gapfill_plan_methods = {
	.CustomName = "TimeseriesGapfill",
	.CreateCustomScanState = create_gapfill_state,
};

static void
gapfill_error(const char *msg)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid time_bucket_gapfill argument: %s", msg),
			 errhint("Specify start and finish as arguments or in the WHERE clause.")));
}

static int
add_leaf(GapfillPlan *gp, Expr *expr, LeafKind kind)
{
	int			i = 0;
	ListCell   *lc;

	foreach(lc, gp->leaves)
	{
		if (equal(lfirst(lc), expr))
			return i;
		i++;
	}
	gp->leaves = lappend(gp->leaves, expr);
	gp->kinds = lappend_int(gp->kinds, kind);
	return i;
}

static bool
contains_gapfill_func_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (node_gapfill_func(node) != GF_NONE)
		return true;
	return expression_tree_walker(node, contains_gapfill_func_walker, context);
}

/*
 * Collect the leaves of a select-list expression: GROUP BY expressions,
 * markers, aggregates and the remaining columns.
 */
static bool
collect_leaves_walker(Node *node, GapfillPlan *gp)
{
	GapfillFunc f;
	ListCell   *lc;

	if (node == NULL)
		return false;
	foreach(lc, gp->group_exprs)
	{
		if (equal(node, lfirst(lc)))
		{
			add_leaf(gp, (Expr *) node,
					 lfirst(lc) == (void *) gp->bucket ? LEAF_TIME : LEAF_GROUP);
			return false;
		}
	}
	f = node_gapfill_func(node);
	if (f == GF_LOCF || f == GF_INTERPOLATE)
	{
		FuncExpr   *marker = (FuncExpr *) node;

		if (contains_gapfill_func_walker((Node *) marker->args, NULL))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("locf, interpolate and time_bucket_gapfill cannot be nested in the arguments of %s",
							f == GF_LOCF ? "locf" : "interpolate")));
		if (f == GF_LOCF && list_length(marker->args) >= 3 &&
			!IsA(lthird(marker->args), Const))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid locf argument: treat_null_as_missing must be a BOOL literal")));
		add_leaf(gp, (Expr *) node, f == GF_LOCF ? LEAF_LOCF : LEAF_INTERPOLATE);
		/* what the prev and next lookups use must come from below too */
		for (int i = 1; i < list_length(marker->args); i++)
			collect_leaves_walker(list_nth(marker->args, i), gp);
		return false;
	}
	if (f == GF_BUCKET)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("multiple time_bucket_gapfill calls not allowed"),
				 errhint("Use one time_bucket_gapfill call, as a GROUP BY key.")));
	if (IsA(node, Aggref))
	{
		if (expression_tree_walker(node, contains_gapfill_func_walker, NULL))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("locf, interpolate and time_bucket_gapfill cannot be used inside an aggregate")));
		add_leaf(gp, (Expr *) node, LEAF_AGG);
		return false;
	}
	if (IsA(node, Var) || IsA(node, PlaceHolderVar))
	{
		add_leaf(gp, (Expr *) node, LEAF_GROUP);
		return false;
	}
	if (IsA(node, GroupingFunc) || IsA(node, WindowFunc))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("time_bucket_gapfill does not support this expression in the select list"),
				 errhint("Compute it in an outer query over the gapfilled result.")));
	return expression_tree_walker(node, collect_leaves_walker, gp);
}

/* The marker calls of the query's select list, for a consistency check. */
static bool
collect_markers_walker(Node *node, List **markers)
{
	GapfillFunc f;

	if (node == NULL)
		return false;
	f = node_gapfill_func(node);
	if (f == GF_LOCF || f == GF_INTERPOLATE)
	{
		*markers = lappend(*markers, node);
		return false;
	}
	return expression_tree_walker(node, collect_markers_walker, markers);
}

static bool
is_integer_type(Oid type)
{
	return type == INT2OID || type == INT4OID || type == INT8OID;
}

/* A value start or finish may be taken from: computable when the node starts. */
static bool
is_simple_expr(Node *node)
{
	return !contain_var_clause(node) && !contain_volatile_functions(node) &&
		!contain_agg_clause(node) && !contain_window_function(node) &&
		!expression_returns_set(node);
}

/* The AND-ed conditions of WHERE and of inner joins. */
static void
collect_conjuncts(Node *jtnode, List **quals)
{
	Node	   *q = NULL;

	if (jtnode == NULL)
		return;
	if (IsA(jtnode, FromExpr))
	{
		FromExpr   *f = (FromExpr *) jtnode;
		ListCell   *lc;

		foreach(lc, f->fromlist)
			collect_conjuncts(lfirst(lc), quals);
		q = f->quals;
	}
	else if (IsA(jtnode, JoinExpr))
	{
		JoinExpr   *j = (JoinExpr *) jtnode;

		/* an outer or semi join's conditions bound nothing; its kept side's do */
		if (j->jointype == JOIN_LEFT || j->jointype == JOIN_SEMI ||
			j->jointype == JOIN_ANTI)
			collect_conjuncts(j->larg, quals);
		else if (j->jointype == JOIN_RIGHT)
			collect_conjuncts(j->rarg, quals);
		if (j->jointype != JOIN_INNER)
			return;
		collect_conjuncts(j->larg, quals);
		collect_conjuncts(j->rarg, quals);
		q = j->quals;
	}
	if (q == NULL)
		return;
	if (IsA(q, List))
		*quals = list_concat(*quals, (List *) q);
	else if (is_andclause(q))
		*quals = list_concat(*quals, ((BoolExpr *) q)->args);
	else
		*quals = lappend(*quals, q);
}

/*
 * start (lower) or finish (upper) bounds that conditions "ts op value" put
 * on the bucketed column; flags say 1 for a strict lower bound (ts > v:
 * start at v + 1) and for an inclusive upper bound (ts <= v: finish at
 * v + 1).
 */
static void
infer_bounds(PlannerInfo *root, Var *ts, Oid timetype, bool lower,
			 List **values, List **flags)
{
	List	   *quals = NIL;
	Oid			opclass = GetDefaultOpClass(timetype, BTREE_AM_OID);
	Oid			opfamily;
	ListCell   *lc;

	if (!OidIsValid(opclass))
		return;
	opfamily = get_opclass_family(opclass);
	collect_conjuncts((Node *) root->parse->jointree, &quals);
	foreach(lc, quals)
	{
		OpExpr	   *op = lfirst(lc);
		Node	   *l;
		Node	   *r;
		Node	   *value;
		int			strategy;

		if (!IsA(op, OpExpr) || list_length(op->args) != 2)
			continue;
		l = strip_implicit_coercions(linitial(op->args));
		r = strip_implicit_coercions(lsecond(op->args));
		strategy = get_op_opfamily_strategy(op->opno, opfamily);
		if (strategy == 0)
			continue;
		if (equal(l, ts) && is_simple_expr(lsecond(op->args)))
			value = lsecond(op->args);
		else if (equal(r, ts) && is_simple_expr(linitial(op->args)))
		{
			value = linitial(op->args);
			/* v op ts is ts commuted-op v */
			strategy = ts_commute_strategy(strategy);
		}
		else
			continue;
		if (exprType(value) != timetype &&
			!(is_integer_type(timetype) && is_integer_type(exprType(value))))
		{
			value = coerce_to_target_type(NULL, value, exprType(value),
										  timetype, -1, COERCION_ASSIGNMENT,
										  COERCE_IMPLICIT_CAST, -1);
			if (value == NULL)
				continue;
		}
		if (lower && (strategy == BTGreaterStrategyNumber ||
					  strategy == BTGreaterEqualStrategyNumber))
		{
			*values = lappend(*values, value);
			*flags = lappend_int(*flags, strategy == BTGreaterStrategyNumber);
		}
		else if (!lower && (strategy == BTLessStrategyNumber ||
							strategy == BTLessEqualStrategyNumber))
		{
			*values = lappend(*values, value);
			*flags = lappend_int(*flags, strategy == BTLessEqualStrategyNumber);
		}
	}
}

/* The start or finish argument, or the bounds taken from the query. */
static void
plan_bound(GapfillPlan *gp, bool lower, List **values, List **flags)
{
	int			pos = start_arg(gp->bucket) + (lower ? 0 : 1);
	Node	   *arg = list_nth(gp->bucket->args, pos);
	const char *what = lower ? "start" : "finish";
	Node	   *ts;

	*values = NIL;
	*flags = NIL;
	if (!IsA(arg, Const) || !((Const *) arg)->constisnull)
	{
		if (!is_simple_expr(arg))
			gapfill_error(psprintf("%s must be a simple expression", what));
		*values = list_make1(arg);
		*flags = list_make1_int(0);
		return;
	}
	ts = lsecond(gp->bucket->args);
	/* a widened integer column counts in the same units */
	if (is_integer_type(exprType(ts)) &&
		is_integer_type(exprType(strip_implicit_coercions(ts))))
		ts = strip_implicit_coercions(ts);
	if (!IsA(ts, Var) || ((Var *) ts)->varlevelsup != 0)
		gapfill_error("ts needs to refer to a single column if no start or finish is supplied");
	infer_bounds(gp->root, (Var *) ts, exprType(lsecond(gp->bucket->args)),
				 lower, values, flags);
	if (*values == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("missing time_bucket_gapfill argument: could not infer %s from WHERE clause",
						what),
				 start_arg(gp->bucket) == 3 ?
				 errhint("Specify start and finish as arguments or in the WHERE clause; "
						 "cast them to timestamptz, since an untyped third argument is taken as the time zone.") :
				 errhint("Specify start and finish as arguments or in the WHERE clause.")));
}

/*
 * Replace the paths of the grouping relation by gapfill paths when a GROUP
 * BY key is a time_bucket_gapfill() call.
 */
void
ts_gapfill_add_paths(PlannerInfo *root, RelOptInfo *input_rel,
					 RelOptInfo *output_rel)
{
	Query	   *parse = root->parse;
	GapfillPlan gp;
	Index		bucket_ref = 0;
	ListCell   *lc;
	List	   *sortcl = NIL;
	List	   *pathkeys;
	PathTarget *child_target;
	List	   *markers = NIL;
	List	   *paths;
	List	   *starts,
			   *start_flags,
			   *finishes,
			   *finish_flags;
	List	   *kinds_list = NIL;
	int			i;

	if (parse->groupClause == NIL || output_rel->reloptkind != RELOPT_UPPER_REL)
		return;
	memset(&gp, 0, sizeof(gp));
	gp.root = root;
	foreach(lc, parse->groupClause)
	{
		SortGroupClause *sgc = lfirst(lc);
		Expr	   *expr = (Expr *) get_sortgroupclause_expr(sgc, root->processed_tlist);

		if (node_gapfill_func((Node *) expr) == GF_BUCKET)
		{
			if (gp.bucket != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("multiple time_bucket_gapfill calls not allowed"),
						 errhint("Use one time_bucket_gapfill call, as a GROUP BY key.")));
			gp.bucket = (FuncExpr *) expr;
			bucket_ref = sgc->tleSortGroupRef;
		}
		gp.group_exprs = lappend(gp.group_exprs, expr);
	}
	if (gp.bucket == NULL)
		return;
	if (parse->groupingSets)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("time_bucket_gapfill does not support grouping sets")));

	/* the bucket's own arguments */
	if (contains_gapfill_func_walker((Node *) gp.bucket->args, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("multiple time_bucket_gapfill calls not allowed")));
	if (!is_simple_expr(linitial(gp.bucket->args)))
		gapfill_error("bucket_width must be a simple expression");
	if (IsA(linitial(gp.bucket->args), Const) &&
		((Const *) linitial(gp.bucket->args))->constisnull)
		gapfill_error("bucket_width cannot be NULL");
	if (start_arg(gp.bucket) == 3)
	{
		Node	   *zone = lthird(gp.bucket->args);

		if (!IsA(zone, Const))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("time_bucket_gapfill does not support non-constant timezone"),
					 errhint("Use a constant timezone value.")));
		if (((Const *) zone)->constisnull)
			gapfill_error("timezone cannot be NULL");
	}
	plan_bound(&gp, true, &starts, &start_flags);
	plan_bound(&gp, false, &finishes, &finish_flags);

	/* the leaves: every key first, then what the select list uses */
	foreach(lc, gp.group_exprs)
		add_leaf(&gp, lfirst(lc),
				 lfirst(lc) == (void *) gp.bucket ? LEAF_TIME : LEAF_GROUP);
	foreach(lc, output_rel->reltarget->exprs)
		collect_leaves_walker(lfirst(lc), &gp);

	/*
	 * Every marker of the select list must be computed at this level; a
	 * window function or a volatile expression postponed above the sort
	 * would evaluate it where it cannot fill anything.
	 */
	foreach(lc, root->processed_tlist)
		collect_markers_walker((Node *) ((TargetEntry *) lfirst(lc))->expr, &markers);
	foreach(lc, markers)
	{
		if (!list_member(gp.leaves, lfirst(lc)))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("locf and interpolate cannot be used with window functions, set-returning functions or volatile expressions at the same query level"),
					 errhint("Compute them in a subquery and use the other expressions in an outer query.")));
	}

	/* what the aggregation computes: markers replaced by their argument */
	child_target = create_empty_pathtarget();
	i = 0;
	foreach(lc, gp.leaves)
	{
		Expr	   *leaf = lfirst(lc);
		LeafKind	kind = list_nth_int(gp.kinds, i);
		Index		ref = 0;

		if (kind == LEAF_LOCF || kind == LEAF_INTERPOLATE)
			leaf = linitial(((FuncExpr *) leaf)->args);
		else if (kind == LEAF_TIME || kind == LEAF_GROUP)
		{
			ListCell   *gc;

			foreach(gc, parse->groupClause)
			{
				SortGroupClause *sgc = lfirst(gc);

				if (equal(get_sortgroupclause_expr(sgc, root->processed_tlist), leaf))
					ref = sgc->tleSortGroupRef;
			}
		}
		add_column_to_pathtarget(child_target, leaf, ref);
		i++;
	}
	set_pathtarget_cost_width(root, child_target);

	/* sorted by the other keys, then by bucket */
	for (int pass = 0; pass < 2; pass++)
	{
		foreach(lc, parse->groupClause)
		{
			SortGroupClause *sgc = copyObject((SortGroupClause *) lfirst(lc));
			Oid			opfamily;
			Oid			opcintype;
			int16		strategy;

			if ((sgc->tleSortGroupRef == bucket_ref) != (pass == 1))
				continue;

			/*
			 * The node needs ascending order with NULLs last, but planning
			 * may have turned a key around to match an ORDER BY ... DESC.
			 */
			if (OidIsValid(sgc->sortop) &&
				get_ordering_op_properties(sgc->sortop, &opfamily, &opcintype, &strategy) &&
				strategy == BTGreaterStrategyNumber)
				sgc->sortop = get_opfamily_member(opfamily, opcintype, opcintype,
												  BTLessStrategyNumber);
			sgc->nulls_first = false;
			sortcl = lappend(sortcl, sgc);
		}
	}
	if (!grouping_is_sortable(sortcl))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("time_bucket_gapfill needs GROUP BY keys that can be sorted")));
	pathkeys = make_pathkeys_for_sortclauses(root, sortcl, root->processed_tlist);

	foreach(lc, gp.kinds)
		kinds_list = lappend_int(kinds_list, lfirst_int(lc));

	paths = output_rel->pathlist;
	output_rel->pathlist = NIL;
	output_rel->partial_pathlist = NIL;
	foreach(lc, paths)
	{
		Path	   *path = lfirst(lc);
		Path	   *child;
		CustomPath *cp;

		/*
		 * Only paths whose top node computes the select list (not, say,
		 * partitionwise aggregation's appends of per-partition aggregates).
		 */
		if (!IsA(path, AggPath) && !IsA(path, GroupPath) && !IsA(path, CustomPath) &&
			!IsA(path, ProjectionPath))
			continue;
		child = (Path *) create_projection_path(root, output_rel, path, child_target);
		if (!pathkeys_contained_in(pathkeys, child->pathkeys))
			child = (Path *) create_sort_path(root, output_rel, child, pathkeys, -1.0);

		cp = makeNode(CustomPath);
		cp->path.pathtype = T_CustomScan;
		cp->path.parent = output_rel;
		cp->path.pathtarget = output_rel->reltarget;
		cp->path.param_info = NULL;
		cp->path.parallel_aware = false;
		cp->path.parallel_safe = false;
		cp->path.parallel_workers = 0;
		/* the buckets are not known here: guess twice the groups */
		cp->path.rows = clamp_row_est(child->rows * 2);
		cp->path.startup_cost = child->startup_cost;
		cp->path.total_cost = child->total_cost +
			cp->path.rows * (cpu_tuple_cost + output_rel->reltarget->cost.per_tuple);
		cp->path.pathkeys = pathkeys;
		cp->flags = CUSTOMPATH_SUPPORT_PROJECTION;
		cp->custom_paths = list_make1(child);
		cp->custom_private = list_make5(gp.leaves, kinds_list, sortcl,
										list_make2(starts, finishes),
										list_make2(start_flags, finish_flags));
		cp->methods = &gapfill_path_methods;
		add_path(output_rel, &cp->path);
	}
	if (output_rel->pathlist == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("time_bucket_gapfill does not support partitionwise aggregation"),
				 errhint("SET enable_partitionwise_aggregate = off.")));
}

static Plan *
plan_gapfill(PlannerInfo *root, RelOptInfo *rel, struct CustomPath *best_path,
			 List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cscan = makeNode(CustomScan);
	List	   *leaves = linitial(best_path->custom_private);
	List	   *kinds = lsecond(best_path->custom_private);
	List	   *sortcl = lthird(best_path->custom_private);
	List	   *bounds = lfourth(best_path->custom_private);
	List	   *bound_flags = list_nth(best_path->custom_private, 4);
	List	   *scan_tlist = NIL;
	List	   *keys = NIL;
	List	   *eqops = NIL;
	List	   *colls = NIL;
	List	   *prevs = NIL;
	List	   *nexts = NIL;
	List	   *nullmiss = NIL;
	FuncExpr   *bucket = NULL;
	int			time_leaf = -1;
	int			i = 0;
	ListCell   *lc;

	foreach(lc, leaves)
	{
		Expr	   *leaf = lfirst(lc);
		LeafKind	kind = list_nth_int(kinds, i);
		Node	   *prev = NULL;
		Node	   *next = NULL;
		bool		miss = false;

		scan_tlist = lappend(scan_tlist,
							 makeTargetEntry(leaf, i + 1, NULL, false));
		if (kind == LEAF_TIME)
		{
			time_leaf = i;
			bucket = (FuncExpr *) leaf;
		}
		else if (kind == LEAF_LOCF || kind == LEAF_INTERPOLATE)
		{
			List	   *args = ((FuncExpr *) leaf)->args;

			if (list_length(args) >= 2 &&
				!(IsA(lsecond(args), Const) && ((Const *) lsecond(args))->constisnull))
				prev = lsecond(args);
			if (kind == LEAF_INTERPOLATE && list_length(args) >= 3 &&
				!(IsA(lthird(args), Const) && ((Const *) lthird(args))->constisnull))
				next = lthird(args);
			if (kind == LEAF_LOCF && list_length(args) >= 3)
			{
				Const	   *c = lthird(args);

				miss = !c->constisnull && DatumGetBool(c->constvalue);
			}
		}
		prevs = lappend(prevs, prev);
		nexts = lappend(nexts, next);
		nullmiss = lappend_int(nullmiss, miss);
		i++;
	}
	Assert(bucket != NULL);

	/* the keys other than the bucket, by their place among the leaves */
	foreach(lc, sortcl)
	{
		SortGroupClause *sgc = lfirst(lc);
		Expr	   *expr = (Expr *) get_sortgroupclause_expr(sgc, root->processed_tlist);
		int			pos = 0;
		ListCell   *l2;

		if (equal(expr, bucket))
			continue;
		foreach(l2, leaves)
		{
			if (equal(lfirst(l2), expr))
				break;
			pos++;
		}
		Assert(pos < list_length(leaves));
		keys = lappend_int(keys, pos);
		eqops = lappend_oid(eqops, sgc->eqop);
		colls = lappend_oid(colls, exprCollation((Node *) expr));
	}

	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = NIL;
	cscan->scan.scanrelid = 0;
	cscan->flags = best_path->flags;
	cscan->custom_plans = custom_plans;
	cscan->custom_scan_tlist = scan_tlist;
	cscan->custom_exprs = list_make5(linitial(bucket->args),
									 start_arg(bucket) == 3 ? lthird(bucket->args) : NULL,
									 linitial(bounds), lsecond(bounds), prevs);
	cscan->custom_exprs = lappend(cscan->custom_exprs, nexts);
	cscan->custom_private = list_make5(kinds, keys, eqops, colls,
									   list_make1_oid(exprType((Node *) bucket)));
	cscan->custom_private = lappend(cscan->custom_private,
									list_make2_int(time_leaf, start_arg(bucket) == 3));
	cscan->custom_private = lappend(cscan->custom_private, linitial(bound_flags));
	cscan->custom_private = lappend(cscan->custom_private, lsecond(bound_flags));
	cscan->custom_private = lappend(cscan->custom_private, nullmiss);
	cscan->methods = &gapfill_plan_methods;
	return &cscan->scan.plan;
}

/* ---------- execution ---------- */

typedef struct GapfillState
{
	CustomScanState css;
	PlanState  *child;
	int			nleaves;
	LeafKind   *kinds;
	int			time_leaf;
	Oid			timetype;
	bool		has_zone;
	ExprState  *key_eq;			/* NULL without other keys */
	ExprState  *width_expr;
	ExprState  *zone_expr;
	List	   *start_exprs;
	List	   *finish_exprs;
	List	   *start_flags;
	List	   *finish_flags;
	List	   *start_types;	/* of the bounds: integers may be wider */
	List	   *finish_types;
	ExprState **prev_exprs;
	ExprState **next_exprs;
	bool	   *null_missing;

	/* the range, evaluated on the first call after start or rescan */
	bool		range_ready;
	MemoryContext range_cxt;
	Datum		width;
	text	   *zone;
	int64		start;			/* aligned to a bucket */
	int64		finish;			/* exclusive */

	/* input */
	TupleTableSlot *pending;	/* the child's row not returned yet, or NULL */
	int			pending_same;	/* pending is in the current group: 1, 0, or
								 * -1 not compared yet */
	bool		child_done;

	/* the current group */
	bool		in_group;
	bool		any_group;
	int64		cur;			/* the next bucket to fill */
	bool		cur_past_end;	/* no bucket after the last one */
	TupleTableSlot *group_slot; /* the group's first row */
	TupleTableSlot *null_slot;	/* all NULL: expressions' row when none */
	MemoryContext group_cxt;
	Datum	   *carry;			/* locf: last value; interpolate: last row's */
	bool	   *carry_null;
	bool	   *carry_set;
	int64	   *carry_time;		/* interpolate: last row's bucket */
	Datum	   *next_value;		/* interpolate: next lookup at group end */
	bool	   *next_null;
	int64	   *next_time;
	bool	   *next_set;
} GapfillState;

static void begin_gapfill(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_gapfill(CustomScanState *node);
static void end_gapfill(CustomScanState *node);
static void rescan_gapfill(CustomScanState *node);

static const CustomExecMethods gapfill_exec_methods = {
	.CustomName = "TimeseriesGapfill",
	.BeginCustomScan = begin_gapfill,
	.ExecCustomScan = exec_gapfill,
	.EndCustomScan = end_gapfill,
	.ReScanCustomScan = rescan_gapfill,
};

void
ts_gapfill_init(void)
{
	RegisterCustomScanMethods(&gapfill_plan_methods);
}

static Node *
create_gapfill_state(CustomScan *cscan)
{
	GapfillState *state = (GapfillState *) newNode(sizeof(GapfillState),
												   T_CustomScanState);

	state->css.methods = &gapfill_exec_methods;
	return (Node *) state;
}

static ExprState *
init_expr(Node *expr, PlanState *parent)
{
	if (expr == NULL)
		return NULL;
	fix_opfuncids(expr);
	return ExecInitExpr((Expr *) expr, parent);
}

static List *
init_expr_list(List *exprs, PlanState *parent)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, exprs)
		result = lappend(result, init_expr(lfirst(lc), parent));
	return result;
}

static void
begin_gapfill(CustomScanState *node, EState *estate, int eflags)
{
	GapfillState *state = (GapfillState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	PlanState  *ps = &node->ss.ps;
	List	   *priv = cscan->custom_private;
	List	   *kinds = list_nth(priv, PRIV_KINDS);
	List	   *keys = list_nth(priv, PRIV_KEYS);
	List	   *flags = list_nth(priv, PRIV_TIMELEAF);
	List	   *prevs = list_nth(cscan->custom_exprs, EXPR_PREVS);
	List	   *nexts = list_nth(cscan->custom_exprs, EXPR_NEXTS);
	TupleDesc	desc = node->ss.ss_ScanTupleSlot->tts_tupleDescriptor;
	int			n = list_length(kinds);
	int			i;
	ListCell   *lc;

	state->child = ExecInitNode(linitial(cscan->custom_plans), estate, eflags);
	node->custom_ps = list_make1(state->child);

	state->nleaves = n;
	state->kinds = palloc(sizeof(LeafKind) * n);
	for (i = 0; i < n; i++)
		state->kinds[i] = list_nth_int(kinds, i);
	state->time_leaf = linitial_int(flags);
	state->has_zone = lsecond_int(flags);
	state->timetype = linitial_oid(list_nth(priv, PRIV_TYPE));
	state->start_flags = list_nth(priv, PRIV_STARTS);
	state->finish_flags = list_nth(priv, PRIV_FINISHES);

	if (keys != NIL)
	{
		int			nkeys = list_length(keys);
		AttrNumber *cols = palloc(sizeof(AttrNumber) * nkeys);
		Oid		   *eqops = palloc(sizeof(Oid) * nkeys);
		Oid		   *colls = palloc(sizeof(Oid) * nkeys);

		for (i = 0; i < nkeys; i++)
		{
			cols[i] = list_nth_int(keys, i) + 1;
			eqops[i] = list_nth_oid(list_nth(priv, PRIV_EQOPS), i);
			colls[i] = list_nth_oid(list_nth(priv, PRIV_COLLS), i);
		}
		state->key_eq = execTuplesMatchPrepare(desc, nkeys, cols, eqops, colls, ps);
	}

	state->width_expr = init_expr(list_nth(cscan->custom_exprs, EXPR_WIDTH), ps);
	state->zone_expr = init_expr(list_nth(cscan->custom_exprs, EXPR_ZONE), ps);
	state->start_exprs = init_expr_list(list_nth(cscan->custom_exprs, EXPR_STARTS), ps);
	state->finish_exprs = init_expr_list(list_nth(cscan->custom_exprs, EXPR_FINISHES), ps);
	foreach(lc, (List *) list_nth(cscan->custom_exprs, EXPR_STARTS))
		state->start_types = lappend_oid(state->start_types, exprType(lfirst(lc)));
	foreach(lc, (List *) list_nth(cscan->custom_exprs, EXPR_FINISHES))
		state->finish_types = lappend_oid(state->finish_types, exprType(lfirst(lc)));
	state->prev_exprs = palloc0(sizeof(ExprState *) * n);
	state->next_exprs = palloc0(sizeof(ExprState *) * n);
	state->null_missing = palloc0(sizeof(bool) * n);
	for (i = 0; i < n; i++)
	{
		state->prev_exprs[i] = init_expr(list_nth(prevs, i), ps);
		state->next_exprs[i] = init_expr(list_nth(nexts, i), ps);
		state->null_missing[i] = list_nth_int(list_nth(priv, PRIV_NULLMISS), i);
	}

	state->range_cxt = AllocSetContextCreate(CurrentMemoryContext,
											 "gapfill range", ALLOCSET_SMALL_SIZES);
	state->group_cxt = AllocSetContextCreate(CurrentMemoryContext,
											 "gapfill group", ALLOCSET_SMALL_SIZES);
	/*
	 * Virtual, like the scan slot: the prev/next lookups read the group's
	 * row with expressions compiled for that slot type.
	 */
	state->group_slot = ExecInitExtraTupleSlot(estate, desc, &TTSOpsVirtual);
	state->null_slot = ExecInitExtraTupleSlot(estate, desc, &TTSOpsVirtual);
	ExecStoreAllNullTuple(state->null_slot);
	state->carry = palloc0(sizeof(Datum) * n);
	state->carry_null = palloc0(sizeof(bool) * n);
	state->carry_set = palloc0(sizeof(bool) * n);
	state->carry_time = palloc0(sizeof(int64) * n);
	state->next_value = palloc0(sizeof(Datum) * n);
	state->next_null = palloc0(sizeof(bool) * n);
	state->next_time = palloc0(sizeof(int64) * n);
	state->next_set = palloc0(sizeof(bool) * n);
}

/*
 * ---------- bucket arithmetic ----------
 * Times are held as int64 in their type's own unit (summary_int64 and
 * summary_datum convert).
 */

static bool
time_finite(Oid type, int64 v)
{
	if (type == DATEOID)
		return !DATE_NOT_FINITE((DateADT) v);
	if (type == TIMESTAMPOID || type == TIMESTAMPTZOID)
		return !TIMESTAMP_NOT_FINITE(v);
	return true;
}

/* The smallest value of an integer time type (others: not needed). */
static int64
time_min(Oid type)
{
	switch (type)
	{
		case INT2OID:
			return PG_INT16_MIN;
		case INT4OID:
			return PG_INT32_MIN;
		default:
			return PG_INT64_MIN;
	}
}

/* The largest value a bucket can start at. */
static int64
time_max(Oid type)
{
	switch (type)
	{
		case INT2OID:
			return PG_INT16_MAX;
		case INT4OID:
			return PG_INT32_MAX;
		case INT8OID:
			return PG_INT64_MAX;
		case DATEOID:
			return TIMESTAMP_END_JULIAN - POSTGRES_EPOCH_JDATE - 1;
		default:
			return END_TIMESTAMP - 1;
	}
}

static int64
bucket_of(GapfillState *state, int64 v)
{
	Datum		d = summary_datum(state->timetype, v);

	switch (state->timetype)
	{
		case INT2OID:
			return DatumGetInt16(DirectFunctionCall2(ts_time_bucket_int2, state->width, d));
		case INT4OID:
			return DatumGetInt32(DirectFunctionCall2(ts_time_bucket_int4, state->width, d));
		case INT8OID:
			return DatumGetInt64(DirectFunctionCall2(ts_time_bucket_int8, state->width, d));
		case DATEOID:
			return DatumGetDateADT(DirectFunctionCall2(ts_time_bucket_date, state->width, d));
		case TIMESTAMPOID:
			return DatumGetTimestamp(DirectFunctionCall2(ts_time_bucket_timestamp,
														 state->width, d));
		default:
			if (state->zone)
				return ts_time_bucket_in_zone(DatumGetIntervalP(state->width), v,
											  state->zone);
			return DatumGetTimestampTz(DirectFunctionCall2(ts_time_bucket_timestamptz,
														   state->width, d));
	}
}

/*
 * The bucket after bucket b; false when there is none in the type's range.
 * Fixed widths step by the width; months and time-zone days step in the
 * calendar (local time) and are bucketed again.
 */
static bool next_bucket_in(GapfillState *state, int64 b, int64 *next);

/* The time zone functions allocate: step in the per-row context. */
static bool
next_bucket(GapfillState *state, int64 b, int64 *next)
{
	MemoryContext old;
	bool		result;

	old = MemoryContextSwitchTo(state->css.ss.ps.ps_ExprContext->ecxt_per_tuple_memory);
	result = next_bucket_in(state, b, next);
	MemoryContextSwitchTo(old);
	return result;
}

static bool
next_bucket_in(GapfillState *state, int64 b, int64 *next)
{
	int64		cand;

	switch (state->timetype)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
			{
				int64		w = state->timetype == INT2OID ? DatumGetInt16(state->width) :
					state->timetype == INT4OID ? DatumGetInt32(state->width) :
					DatumGetInt64(state->width);
				int64		max;

				max = state->timetype == INT2OID ? PG_INT16_MAX :
					state->timetype == INT4OID ? PG_INT32_MAX : PG_INT64_MAX;
				if (b > max - w)
					return false;
				*next = b + w;
				return true;
			}
		default:
			break;
	}

	{
		Interval   *w = DatumGetIntervalP(state->width);
		int64		maxlen;
		int64		day_usecs;

		/*
		 * Stop where the longest step this width can take (31-day months,
		 * two hours of daylight saving) could leave the timestamp range
		 * (which bounds dates too, as they are bucketed as timestamps).
		 */
		if (pg_mul_s64_overflow((int64) w->month, 31 * USECS_PER_DAY, &maxlen) ||
			pg_mul_s64_overflow((int64) w->day, USECS_PER_DAY, &day_usecs) ||
			pg_add_s64_overflow(maxlen, day_usecs, &maxlen) ||
			pg_add_s64_overflow(maxlen, w->time + 2 * USECS_PER_HOUR, &maxlen) ||
			maxlen >= END_TIMESTAMP)
			return false;
		if (state->timetype == DATEOID ?
			b >= TIMESTAMP_END_JULIAN - POSTGRES_EPOCH_JDATE - 1 - maxlen / USECS_PER_DAY :
			b >= END_TIMESTAMP - 1 - maxlen)
			return false;

		if (w->month == 0 && !(state->zone && w->day != 0))
		{
			/* a fixed width (bucket_of checked it): the next start is b + w */
			int64		usecs = day_usecs + w->time;

			cand = b + (state->timetype == DATEOID ? usecs / USECS_PER_DAY : usecs);
			if (!state->zone)
			{
				*next = cand;
				return true;
			}
		}
		else if (state->timetype == DATEOID)
		{
			Timestamp	ts;

			ts = DatumGetTimestamp(DirectFunctionCall2(date_pl_interval,
													   DateADTGetDatum((DateADT) b),
													   state->width));
			cand = DatumGetDateADT(DirectFunctionCall1(timestamp_date,
													   TimestampGetDatum(ts)));
		}
		else if (state->zone)
		{
			Timestamp	local;

			local = DatumGetTimestamp(DirectFunctionCall2(timestamptz_zone,
														  PointerGetDatum(state->zone),
														  TimestampTzGetDatum(b)));
			local = DatumGetTimestamp(DirectFunctionCall2(timestamp_pl_interval,
														  TimestampGetDatum(local),
														  state->width));
			cand = DatumGetTimestampTz(DirectFunctionCall2(timestamp_zone,
														   PointerGetDatum(state->zone),
														   TimestampGetDatum(local)));
		}
		else
			/* a timestamptz without a time zone is bucketed as UTC */
			cand = DatumGetTimestamp(DirectFunctionCall2(timestamp_pl_interval,
														 TimestampGetDatum(b),
														 state->width));
		if (!time_finite(state->timetype, cand))
			return false;
		*next = bucket_of(state, cand);

		/*
		 * Around a daylight-saving change a local bucket can be longer than
		 * the step: step again from its end.
		 */
		for (int tries = 0; *next <= b && tries < 4; tries++)
		{
			cand += USECS_PER_HOUR;
			*next = bucket_of(state, cand);
		}
		if (*next <= b)
			elog(ERROR, "time_bucket_gapfill could not find the bucket after " INT64_FORMAT, b);
		return true;
	}
}

/* Evaluate an expression for the range: no row is at hand. */
static Datum
eval_range_expr(GapfillState *state, ExprState *expr, bool *isnull)
{
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;

	econtext->ecxt_scantuple = state->null_slot;
	return ExecEvalExprSwitchContext(expr, econtext, isnull);
}

/* The largest lower (smallest upper) bound, plus one unit where flagged. */
static int64
eval_bound(GapfillState *state, List *exprs, List *types, List *flags, bool lower)
{
	int64		result = 0;
	bool		found = false;
	ListCell   *lc;
	int			i = 0;

	foreach(lc, exprs)
	{
		bool		isnull;
		Datum		d = eval_range_expr(state, lfirst(lc), &isnull);
		int64		v;

		if (isnull)
		{
			i++;
			continue;
		}
		v = summary_int64(list_nth_oid(types, i), d);
		if (!time_finite(state->timetype, v))
			gapfill_error(psprintf("%s cannot be infinite", lower ? "start" : "finish"));
		if (list_nth_int(flags, i) && v < PG_INT64_MAX)
			v++;
		if (!found || (lower ? v > result : v < result))
			result = v;
		found = true;
		i++;
	}
	if (!found)
		gapfill_error(psprintf("%s cannot be NULL", lower ? "start" : "finish"));
	return result;
}

static void
prepare_range(GapfillState *state)
{
	MemoryContext old;
	bool		isnull;
	Datum		d;

	MemoryContextReset(state->range_cxt);
	d = eval_range_expr(state, state->width_expr, &isnull);
	if (isnull)
		gapfill_error("bucket_width cannot be NULL");
	old = MemoryContextSwitchTo(state->range_cxt);
	state->width = datumCopy(d, state->timetype == INT2OID || state->timetype == INT4OID ||
							 state->timetype == INT8OID, state->timetype == INT2OID ? 2 :
							 state->timetype == INT4OID ? 4 :
							 state->timetype == INT8OID ? 8 : sizeof(Interval));
	state->zone = NULL;
	MemoryContextSwitchTo(old);
	if (state->has_zone)
	{
		d = eval_range_expr(state, state->zone_expr, &isnull);
		if (isnull)
			gapfill_error("timezone cannot be NULL");
		old = MemoryContextSwitchTo(state->range_cxt);
		state->zone = DatumGetTextPCopy(d);
		MemoryContextSwitchTo(old);
	}
	state->start = eval_bound(state, state->start_exprs, state->start_types,
							  state->start_flags, true);
	state->finish = eval_bound(state, state->finish_exprs, state->finish_types,
							   state->finish_flags, false);
	/* also checks the width */
	(void) bucket_of(state, 0);
	if (state->start > time_max(state->timetype))
	{
		/* "ts > the largest value": nothing to fill */
		state->start = 0;
		state->finish = 0;
	}
	else if (state->start < time_min(state->timetype))
	{
		/* a wider integer bound: from the first bucket of the type */
		int64		w = state->timetype == INT2OID ? DatumGetInt16(state->width) :
			state->timetype == INT4OID ? DatumGetInt32(state->width) :
			DatumGetInt64(state->width);
		int64		b = time_min(state->timetype);
		int64		r = b % w;

		if (r != 0)
			b += r < 0 ? -r : w - r;
		state->start = b;
	}
	else
		state->start = bucket_of(state, state->start);
	state->range_ready = true;
}

/* ---------- filling ---------- */

static void
reset_group(GapfillState *state)
{
	MemoryContextReset(state->group_cxt);
	memset(state->carry_set, 0, sizeof(bool) * state->nleaves);
	memset(state->next_set, 0, sizeof(bool) * state->nleaves);
	state->cur = state->start;
	state->cur_past_end = false;
}

static void
set_carry(GapfillState *state, int i, Datum value, bool isnull)
{
	Form_pg_attribute att = TupleDescAttr(state->css.ss.ss_ScanTupleSlot->tts_tupleDescriptor, i);
	MemoryContext old;

	if (state->carry_set[i] && !state->carry_null[i] && !att->attbyval)
		pfree(DatumGetPointer(state->carry[i]));
	old = MemoryContextSwitchTo(state->group_cxt);
	state->carry[i] = isnull ? (Datum) 0 : datumCopy(value, att->attbyval, att->attlen);
	MemoryContextSwitchTo(old);
	state->carry_null[i] = isnull;
	state->carry_set[i] = true;
}

/* The row expressions evaluate over: the group's first row, if any. */
static TupleTableSlot *
group_row(GapfillState *state)
{
	return TTS_EMPTY(state->group_slot) ? state->null_slot : state->group_slot;
}

/*
 * An interpolate() lookup: a (time, value) record, or NULL; false when the
 * lookup gives nothing.
 */
static bool
eval_lookup(GapfillState *state, ExprState *expr, int i, int64 *time,
			Datum *value, bool *value_null)
{
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	TupleDesc	leafdesc = state->css.ss.ss_ScanTupleSlot->tts_tupleDescriptor;
	Oid			valtype = TupleDescAttr(leafdesc, i)->atttypid;
	HeapTupleHeader rec;
	TupleDesc	desc;
	HeapTupleData tuple;
	bool		isnull;
	Datum		d;

	econtext->ecxt_scantuple = group_row(state);
	d = ExecEvalExprSwitchContext(expr, econtext, &isnull);
	if (isnull)
		return false;
	rec = DatumGetHeapTupleHeader(d);
	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(rec),
								  HeapTupleHeaderGetTypMod(rec));
	if (desc->natts != 2)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("interpolate RECORD arguments must have 2 elements")));
	if (TupleDescAttr(desc, 0)->atttypid != state->timetype)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("first argument of interpolate returned record must match used timestamp datatype"),
				 errdetail("Returned type %s does not match expected type %s.",
						   format_type_be(TupleDescAttr(desc, 0)->atttypid),
						   format_type_be(state->timetype))));
	if (TupleDescAttr(desc, 1)->atttypid != valtype)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("second argument of interpolate returned record must match used interpolate datatype"),
				 errdetail("Returned type %s does not match expected type %s.",
						   format_type_be(TupleDescAttr(desc, 1)->atttypid),
						   format_type_be(valtype))));
	tuple.t_len = HeapTupleHeaderGetDatumLength(rec);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = rec;
	d = heap_getattr(&tuple, 1, desc, &isnull);
	if (isnull)
	{
		ReleaseTupleDesc(desc);
		return false;
	}
	*time = summary_int64(state->timetype, d);
	*value = heap_getattr(&tuple, 2, desc, value_null);
	ReleaseTupleDesc(desc);
	return true;
}

/* y at x on the line through (x0, y0) and (x1, y1), for the value's type. */
static Datum
interpolate_value(Oid type, int64 x, int64 x0, Datum y0, int64 x1, Datum y1)
{
	if (type == FLOAT8OID || type == FLOAT4OID)
	{
		double		a = type == FLOAT8OID ? DatumGetFloat8(y0) : DatumGetFloat4(y0);
		double		b = type == FLOAT8OID ? DatumGetFloat8(y1) : DatumGetFloat4(y1);
		double		r;

		if (a == b)
			return y0;
		r = (a * ((double) x1 - (double) x) + b * ((double) x - (double) x0)) /
			((double) x1 - (double) x0);
		return type == FLOAT8OID ? Float8GetDatum(r) : Float4GetDatum((float4) r);
	}
	else
	{
		int64		a = type == INT2OID ? DatumGetInt16(y0) :
			type == INT4OID ? DatumGetInt32(y0) : DatumGetInt64(y0);
		int64		b = type == INT2OID ? DatumGetInt16(y1) :
			type == INT4OID ? DatumGetInt32(y1) : DatumGetInt64(y1);
		/* |num| < 2^63 * (x1 - x0) < 2^127 */
		int128		num = (int128) a * ((int128) x1 - x) + (int128) b * ((int128) x - x0);
		int128		den = (int128) x1 - x0;
		int128		q = num / den;
		int128		r = num % den;

		/* rounded half away from zero, as numeric would */
		if (2 * (r < 0 ? -r : r) >= den)
			q += num < 0 ? -1 : 1;
		return type == INT2OID ? Int16GetDatum((int16) q) :
			type == INT4OID ? Int32GetDatum((int32) q) : Int64GetDatum((int64) q);
	}
}

/*
 * Fill in the leaves of an output row: src is the child's row, or NULL for
 * an added row at bucket b; next is the group's next row (or NULL).
 */
static TupleTableSlot *
emit_row(GapfillState *state, TupleTableSlot *src, int64 b, TupleTableSlot *next)
{
	TupleTableSlot *slot = state->css.ss.ss_ScanTupleSlot;
	TupleDesc	desc = slot->tts_tupleDescriptor;
	ProjectionInfo *proj = state->css.ss.ps.ps_ProjInfo;
	int64		t = 0;

	ExecClearTuple(slot);
	if (src)
	{
		slot_getallattrs(src);
		if (!src->tts_isnull[state->time_leaf])
			t = summary_int64(state->timetype, src->tts_values[state->time_leaf]);
	}
	if (next)
		slot_getallattrs(next);
	for (int i = 0; i < state->nleaves; i++)
	{
		Datum	   *value = &slot->tts_values[i];
		bool	   *isnull = &slot->tts_isnull[i];

		if (src)
		{
			*value = src->tts_values[i];
			*isnull = src->tts_isnull[i];
		}
		else
		{
			*value = (Datum) 0;
			*isnull = true;
		}
		switch (state->kinds[i])
		{
			case LEAF_TIME:
				if (!src)
				{
					*value = summary_datum(state->timetype, b);
					*isnull = false;
				}
				break;
			case LEAF_GROUP:
				if (!src)
					*value = slot_getattr(group_row(state), i + 1, isnull);
				break;
			case LEAF_AGG:
				break;
			case LEAF_LOCF:
				if (src)
				{
					if (*isnull && state->null_missing[i])
					{
						if (state->carry_set[i])
						{
							*value = state->carry[i];
							*isnull = state->carry_null[i];
						}
					}
					else
					{
						set_carry(state, i, *value, *isnull);
						*value = state->carry[i];
					}
				}
				else
				{
					if (!state->carry_set[i] && state->prev_exprs[i])
					{
						ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
						bool		pnull;
						Datum		p;

						econtext->ecxt_scantuple = group_row(state);
						p = ExecEvalExprSwitchContext(state->prev_exprs[i], econtext, &pnull);
						set_carry(state, i, p, pnull);
					}
					if (state->carry_set[i])
					{
						*value = state->carry[i];
						*isnull = state->carry_null[i];
					}
				}
				break;
			case LEAF_INTERPOLATE:
				if (src)
				{
					if (!src->tts_isnull[state->time_leaf])
					{
						set_carry(state, i, *value, *isnull);
						state->carry_time[i] = t;
					}
				}
				else
				{
					Oid			type = TupleDescAttr(desc, i)->atttypid;
					int64		t1 = 0;
					Datum		y1 = (Datum) 0;
					bool		y1null = true;
					bool		have_next = false;

					if (!state->carry_set[i] && state->prev_exprs[i])
					{
						int64		pt;
						Datum		pv;
						bool		pnull;

						if (eval_lookup(state, state->prev_exprs[i], i, &pt, &pv, &pnull))
						{
							set_carry(state, i, pv, pnull);
							state->carry_time[i] = pt;
						}
					}
					if (next && !next->tts_isnull[state->time_leaf])
					{
						t1 = summary_int64(state->timetype, next->tts_values[state->time_leaf]);
						y1 = next->tts_values[i];
						y1null = next->tts_isnull[i];
						have_next = true;
					}
					else if (state->next_exprs[i])
					{
						if (!state->next_set[i])
						{
							state->next_set[i] = true;
							state->next_null[i] = true;
							if (eval_lookup(state, state->next_exprs[i], i,
											&state->next_time[i],
											&state->next_value[i],
											&state->next_null[i]))
							{
								/* by-value types only: no copy needed */
							}
							else
								state->next_null[i] = true;
						}
						t1 = state->next_time[i];
						y1 = state->next_value[i];
						y1null = state->next_null[i];
						have_next = true;
					}
					if (state->carry_set[i] && !state->carry_null[i] && have_next &&
						!y1null && state->carry_time[i] < b && b < t1)
					{
						*value = interpolate_value(type, b, state->carry_time[i],
												   state->carry[i], t1, y1);
						*isnull = false;
					}
				}
				break;
		}
	}
	ExecStoreVirtualTuple(slot);
	if (proj)
	{
		proj->pi_exprContext->ecxt_scantuple = slot;
		return ExecProject(proj);
	}
	return slot;
}

static bool
same_group(GapfillState *state, TupleTableSlot *row)
{
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;

	if (state->key_eq == NULL)
		return true;
	econtext->ecxt_outertuple = row;
	econtext->ecxt_innertuple = state->group_slot;
	return ExecQualAndReset(state->key_eq, econtext);
}

static TupleTableSlot *
exec_gapfill(CustomScanState *node)
{
	GapfillState *state = (GapfillState *) node;

	ResetExprContext(node->ss.ps.ps_ExprContext);
	if (!state->range_ready)
		prepare_range(state);

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();

		if (state->pending == NULL && !state->child_done)
		{
			TupleTableSlot *slot = ExecProcNode(state->child);

			if (TupIsNull(slot))
				state->child_done = true;
			else
			{
				state->pending = slot;
				state->pending_same = -1;
			}
		}

		if (state->in_group)
		{
			bool		fill = !state->cur_past_end && state->cur < state->finish;

			/* compared once, not again for every bucket filled before it */
			if (state->pending && state->pending_same < 0)
				state->pending_same = same_group(state, state->pending);
			if (state->pending && state->pending_same)
			{
				bool		tnull;
				Datum		td = slot_getattr(state->pending, state->time_leaf + 1, &tnull);
				int64		t = tnull ? 0 : summary_int64(state->timetype, td);
				TupleTableSlot *row;

				if (fill && (tnull || state->cur < t))
				{
					int64		b = state->cur;

					if (!next_bucket(state, b, &state->cur))
						state->cur_past_end = true;
					return emit_row(state, NULL, b, state->pending);
				}
				row = emit_row(state, state->pending, 0, NULL);
				if (!tnull && (state->cur_past_end || t >= state->cur))
				{
					if (!next_bucket(state, t, &state->cur))
						state->cur_past_end = true;
				}
				state->pending = NULL;
				return row;
			}
			/* the group ends: fill up to finish */
			if (fill)
			{
				int64		b = state->cur;

				if (!next_bucket(state, b, &state->cur))
					state->cur_past_end = true;
				return emit_row(state, NULL, b, NULL);
			}
			state->in_group = false;
		}

		if (state->pending == NULL)
		{
			/* no rows at all and no other keys: every bucket, once */
			if (!state->any_group && state->key_eq == NULL)
			{
				state->any_group = true;
				state->in_group = true;
				ExecClearTuple(state->group_slot);
				reset_group(state);
				continue;
			}
			return NULL;
		}
		ExecCopySlot(state->group_slot, state->pending);
		ExecMaterializeSlot(state->group_slot);
		state->pending_same = 1;
		state->in_group = true;
		state->any_group = true;
		reset_group(state);
	}
}

static void
end_gapfill(CustomScanState *node)
{
	GapfillState *state = (GapfillState *) node;

	ExecEndNode(state->child);
}

static void
rescan_gapfill(CustomScanState *node)
{
	GapfillState *state = (GapfillState *) node;

	state->range_ready = false;
	state->pending = NULL;
	state->child_done = false;
	state->in_group = false;
	state->any_group = false;
	ExecClearTuple(state->group_slot);
	if (node->ss.ps.chgParam != NULL)
		UpdateChangedParamSet(state->child, node->ss.ps.chgParam);
	if (state->child->chgParam == NULL)
		ExecReScan(state->child);
}
