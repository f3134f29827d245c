/*-------------------------------------------------------------------------
 *
 * custom_scan.c
 *	  TimeseriesScan: the custom scan node that reads timeseries tables.
 *
 * PostgreSQL 15's table AM API tells a scan neither which columns the query
 * needs nor its quals, so a sequential scan decodes every column of every
 * row.  This node, offered by the set_rel_pathlist hook (planner.c) for
 * every timeseries table, does better:
 *
 * - it decodes only the columns the query references (and reads only the
 *   pages of a chunk that hold them);
 * - it skips chunks whose summary (min/max, NULLs) shows that no row can
 *   pass the pushed-down quals, before reading any of their bytes;
 * - it evaluates the pushed-down quals over decoded vectors (vector_qual.c),
 *   decoding the columns the quals test first and the rest only for vectors
 *   with surviving rows.
 *
 * Which quals are pushed down is decided when the plan is made: the ones
 * vector_qual_supported() accepts, in an order that respects security
 * barriers (a leaky clause is never evaluated before a clause of a lower
 * security level that stays behind, e.g. a row-level security policy).
 * Pushed-down quals go to custom_exprs (so setrefs fixes their Vars and
 * Params); the others stay in the plan's qual, evaluated by the executor on
 * the rows the vectorized filter kept.  Comparison values are computed at
 * the start of each scan and on every rescan.
 *
 * The node produces rows in the relation's own row format (no custom scan
 * target list); columns it did not read are NULL.  It does not support
 * backward scans or mark/restore: the planner adds a Material node where
 * those are needed (SCROLL cursors, merge joins).  EvalPlanQual rechecks
 * evaluate the pushed-down quals on the row being rechecked.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/nodeFuncs.h"
#include "nodes/makefuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/snapmgr.h"
#include "utils/typcache.h"

#include "custom_scan.h"
#include "metadata.h"
#include "options.h"
#include "scan.h"
#include "storage.h"
#include "summary.h"
#include "timeseries.h"
#include "vector_qual.h"

bool		ts_enable_custom_scan = true;
bool		ts_debug_require_vectorized = false;

#define SCAN_NAME "TimeseriesScan"

/* Shared state of a parallel scan, in the parallel query's DSM. */
typedef struct TsScanShared
{
	pg_atomic_uint64 next_claim;	/* chunks are handed out in order */
	pg_atomic_uint64 chunks_read;	/* workers' counters, for EXPLAIN */
	pg_atomic_uint64 chunks_pruned;
	pg_atomic_uint64 vectors_pruned;
	pg_atomic_uint64 rows_filtered;
} TsScanShared;

typedef struct TsScanState
{
	CustomScanState css;
	List	   *pushed;			/* pushed-down clauses (custom_exprs) */
	VectorQual *vq;
	ExprState  *recheck;		/* the pushed-down clauses, for EvalPlanQual */
	bool	   *read_att;		/* per attribute: decode it */
	TableScanDesc scan;
	bool		values_set;		/* comparison values computed for this scan */
	TsScanShared *shared;		/* parallel scan, or NULL */
	TsScanCounters workers;		/* workers' counters (leader) */
} TsScanState;

static Plan *plan_scan(PlannerInfo *root, RelOptInfo *rel,
					   struct CustomPath *best_path, List *tlist,
					   List *clauses, List *custom_plans);
static Node *create_scan_state(CustomScan *cscan);
static void begin_scan(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_scan(CustomScanState *node);
static void end_scan(CustomScanState *node);
static void rescan_scan(CustomScanState *node);
static void explain_scan(CustomScanState *node, List *ancestors,
						 ExplainState *es);
static Size estimate_dsm(CustomScanState *node, ParallelContext *pcxt);
static void initialize_dsm(CustomScanState *node, ParallelContext *pcxt,
						   void *coordinate);
static void reinitialize_dsm(CustomScanState *node, ParallelContext *pcxt,
							 void *coordinate);
static void initialize_worker(CustomScanState *node, shm_toc *toc,
							  void *coordinate);
static void shutdown_scan(CustomScanState *node);

static const CustomPathMethods path_methods = {
	.CustomName = SCAN_NAME,
	.PlanCustomPath = plan_scan,
};

static const CustomScanMethods plan_methods = {
	.CustomName = SCAN_NAME,
	.CreateCustomScanState = create_scan_state,
};

static const CustomExecMethods exec_methods = {
	.CustomName = SCAN_NAME,
	.BeginCustomScan = begin_scan,
	.ExecCustomScan = exec_scan,
	.EndCustomScan = end_scan,
	.ReScanCustomScan = rescan_scan,
	.EstimateDSMCustomScan = estimate_dsm,
	.InitializeDSMCustomScan = initialize_dsm,
	.ReInitializeDSMCustomScan = reinitialize_dsm,
	.InitializeWorkerCustomScan = initialize_worker,
	.ShutdownCustomScan = shutdown_scan,
	.ExplainCustomScan = explain_scan,
};

void
ts_custom_scan_init(void)
{
	RegisterCustomScanMethods(&plan_methods);
}

/* ---------- planning ---------- */

static int
compare_security_level(const ListCell *a, const ListCell *b)
{
	Index		la = lfirst_node(RestrictInfo, a)->security_level;
	Index		lb = lfirst_node(RestrictInfo, b)->security_level;

	return (la > lb) - (la < lb);
}

bool
ts_is_custom_scan_path(Path *path)
{
	return IsA(path, CustomPath) && ((CustomPath *) path)->methods == &path_methods;
}

/*
 * Split a scan's restriction clauses into those evaluated over vectors and
 * the rest.  A clause that could leak values (a non-leakproof function) is
 * pushed down only when no clause of a lower security level stays behind:
 * pushed-down clauses run first.
 */
void
ts_split_clauses(List *rinfos, Index relid, List **pushed, List **rest)
{
	Index		min_rest_level = UINT_MAX;
	ListCell   *lc;
	List	   *candidates = NIL;

	*pushed = NIL;
	*rest = NIL;
	foreach(lc, rinfos)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);

		if (!ri->pseudoconstant &&
			vector_qual_supported((Node *) ri->clause, relid))
			candidates = lappend(candidates, ri);
		else
		{
			*rest = lappend(*rest, ri);
			min_rest_level = Min(min_rest_level, ri->security_level);
		}
	}
	foreach(lc, candidates)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);

		if (ri->security_level <= min_rest_level ||
			!contain_leaked_vars((Node *) ri->clause))
			*pushed = lappend(*pushed, ri);
		else
			*rest = lappend(*rest, ri);
	}

	/*
	 * The vectorized filter evaluates clauses in list order, each on the
	 * rows the ones before kept: lower security levels first.
	 */
	list_sort(*pushed, compare_security_level);
}

/* A column of relation relid, under relabeling: its attno and type. */
bool
ts_rel_column(Node *node, Index relid, AttrNumber *attno, Oid *type)
{
	while (node && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	if (node == NULL || !IsA(node, Var))
		return false;
	if (((Var *) node)->varno != relid || ((Var *) node)->varlevelsup != 0 ||
		((Var *) node)->varattno <= 0)
		return false;
	*attno = ((Var *) node)->varattno;
	*type = ((Var *) node)->vartype;
	return true;
}

/*
 * The btree strategy of "b op a" given that of "a op b" (< and >, <= and
 * >= swap; = stays); 0 stays 0.
 */
int
ts_commute_strategy(int strategy)
{
	return strategy == 0 ? 0 : BTGreaterStrategyNumber + 1 - strategy;
}

/*
 * The default btree operator family of a type (InvalidOid when it has
 * none), from the type cache: GetDefaultOpClass scans pg_opclass on every
 * call, and the planner hooks ask for every clause and path.
 */
Oid
ts_btree_family(Oid type)
{
	return lookup_type_cache(type, TYPECACHE_BTREE_OPFAMILY)->btree_opf;
}

/* Types a time column may have: integers, date, timestamps. */
bool
ts_is_time_type(Oid t)
{
	return t == INT2OID || t == INT4OID || t == INT8OID || t == DATEOID ||
		t == TIMESTAMPOID || t == TIMESTAMPTZOID;
}

/* Attribute numbers (1-based) of relid referenced by node; 0 means all. */
static Bitmapset *
referenced_attnums(Node *node, Index relid, int natts, bool *all)
{
	Bitmapset  *raw = NULL;
	Bitmapset  *result = NULL;
	int			x = -1;

	pull_varattnos(node, relid, &raw);
	while ((x = bms_next_member(raw, x)) >= 0)
	{
		AttrNumber	attno = x + FirstLowInvalidHeapAttributeNumber;

		if (attno == InvalidAttrNumber)
			*all = true;
		else if (attno > 0 && attno <= natts)
			result = bms_add_member(result, attno);
	}
	return result;
}

/* What a path's cost is derived from: the sequential scan's. */
typedef struct SeqCost
{
	double		rows;
	Cost		startup;
	Cost		total;
} SeqCost;

static Path *
make_path(RelOptInfo *rel, const SeqCost *seq, double fraction, int workers)
{
	CustomPath *cp = makeNode(CustomPath);
	double		divisor = 1.0;

	if (workers > 0)
	{
		double		leader = 1.0 - 0.3 * workers;

		divisor = workers + (parallel_leader_participation && leader > 0 ? leader : 0);
	}
	cp->path.pathtype = T_CustomScan;
	cp->path.parent = rel;
	cp->path.pathtarget = rel->reltarget;
	cp->path.param_info = NULL;
	cp->path.parallel_aware = workers > 0;
	cp->path.parallel_safe = rel->consider_parallel;
	cp->path.parallel_workers = workers;
	cp->path.rows = clamp_row_est(seq->rows / divisor);
	cp->path.startup_cost = seq->startup;
	cp->path.total_cost = seq->startup + (seq->total - seq->startup) * fraction / divisor;
	cp->path.pathkeys = NIL;
	cp->flags = 0;
	cp->custom_paths = NIL;
	cp->custom_private = NIL;
	cp->methods = &path_methods;
	return &cp->path;
}

static bool
contains_param(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param))
		return true;
	return expression_tree_walker(node, contains_param, context);
}

/*
 * The pushable clauses whose values the planner knows (constants, and
 * stable expressions such as now() - interval '1 hour' that it can
 * evaluate for an estimate), as evaluated for the estimate.
 */
static List *
estimable_clauses(PlannerInfo *root, RelOptInfo *rel)
{
	List	   *clauses = NIL;
	ListCell   *lc;

	foreach(lc, rel->baserestrictinfo)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		Node	   *clause;

		if (ri->pseudoconstant ||
			!vector_qual_supported((Node *) ri->clause, rel->relid))
			continue;
		clause = estimate_expression_value(root, (Node *) ri->clause);
		if (!contains_param(clause, NULL) &&
			vector_qual_supported(clause, rel->relid))
			clauses = lappend(clauses, clause);
	}
	return clauses;
}

/* Chunks a plan-time estimate reads at most; beyond, it assumes all rows. */
#define ESTIMATE_MAX_CHUNKS		2000

/*
 * Show fn every visible chunk of rel, with whether the clauses (estimable,
 * see above) may select rows from it and whether they select all of its
 * rows, until fn returns false.  False when
 * the table has too many chunks to look at while planning (fn then saw only
 * the first ones).
 */
typedef bool (*EstimateChunkFn) (void *arg, const ChunkMeta *meta, bool may_match,
								 bool must_match);

static bool
estimate_walk_chunks(PlannerInfo *root, RelOptInfo *rel, List *clauses,
					 EstimateChunkFn fn, void *arg)
{
	RangeTblEntry *rte = planner_rt_fetch(rel->relid, root);
	VectorQual *vq = vector_qual_compile(clauses, rel->relid, NULL, NULL);
	ExprContext *econtext = CreateStandaloneExprContext();
	Relation	r;
	uint64		storage_id;
	int			nchunks = 0;
	bool		complete = true;

	vector_qual_set_values(vq, econtext);
	r = table_open(rte->relid, NoLock);
	storage_id = storage_get_id(r);
	table_close(r, NoLock);
	if (storage_id != 0)
	{
		const ChunkMeta *chunks;

		complete = metadata_planning_chunks(storage_id, ESTIMATE_MAX_CHUNKS,
											&chunks, &nchunks);
		for (int i = 0; i < nchunks; i++)
		{
			bool		may;

			CHECK_FOR_INTERRUPTS();
			may = vector_qual_chunk_may_match(vq, &chunks[i]);
			if (!fn(arg, &chunks[i], may,
					may && vector_qual_chunk_must_match(vq, &chunks[i])))
				break;
		}
	}
	FreeExprContext(econtext, true);
	vector_qual_free(vq);
	return complete;
}

/* Rows in all chunks, and in those the clauses may select from. */
typedef struct ReadFraction
{
	double		total;
	double		kept;
	double		cut;			/* in chunks the clauses select some rows of */
} ReadFraction;

static bool
count_read_rows(void *arg, const ChunkMeta *meta, bool may_match, bool must_match)
{
	ReadFraction *rf = (ReadFraction *) arg;

	rf->total += meta->row_count;
	if (may_match)
		rf->kept += meta->row_count;
	if (may_match && !must_match)
		rf->cut += meta->row_count;
	return true;
}

/*
 * The share of the table's rows in chunks that the pushable clauses cannot
 * rule out by the chunk summaries, for the clauses whose values the planner
 * knows; 1 when none, or when the table has too many chunks to look at
 * while planning.
 */
static double
estimate_read_fraction(PlannerInfo *root, RelOptInfo *rel)
{
	List	   *clauses = estimable_clauses(root, rel);
	ReadFraction rf = {0, 0, 0};

	if (clauses == NIL || !ActiveSnapshotSet())
		return 1.0;
	if (!estimate_walk_chunks(root, rel, clauses, count_read_rows, &rf) ||
		rf.total == 0)
		return 1.0;
	return Max(rf.kept / rf.total, 0.0001);
}

/*
 * The share of the table's rows in chunks the quals cut: chunks that their
 * summaries say hold some rows the quals select, but maybe not all.  What
 * an aggregation that chunk metadata answers for the other chunks still
 * reads.  1 when a qual's value is not known while planning, or the table
 * has too many chunks to look at.
 */
double
ts_estimate_cut_fraction(PlannerInfo *root, RelOptInfo *rel)
{
	List	   *clauses = estimable_clauses(root, rel);
	ReadFraction rf = {0, 0, 0};

	if (list_length(clauses) != list_length(rel->baserestrictinfo) ||
		!ActiveSnapshotSet())
		return 1.0;
	if (!estimate_walk_chunks(root, rel, clauses, count_read_rows, &rf) ||
		rf.total == 0)
		return 1.0;
	return rf.cut / rf.total;
}

/* The extremes of a column's summaries in the chunks the clauses may select from. */
typedef struct ColumnRange
{
	AttrNumber	attno;
	Oid			type;
	bool		known;			/* false: a chunk has no summary of the column */
	bool		any;			/* some chunk has values */
	int64		lo;
	int64		hi;
} ColumnRange;

static bool
widen_column_range(void *arg, const ChunkMeta *meta, bool may_match, bool must_match)
{
	ColumnRange *cr = (ColumnRange *) arg;
	ColumnSummary cs;

	if (!may_match)
		return true;
	summary_get(meta->summary, cr->attno, cr->type, &cs);
	if (!cs.known)
	{
		cr->known = false;
		return false;
	}
	if (cs.has_values)
	{
		cr->lo = Min(cr->lo, summary_int64(cr->type, cs.min));
		cr->hi = Max(cr->hi, summary_int64(cr->type, cs.max));
		cr->any = true;
	}
	return true;
}

/*
 * The range [*lo, *hi] (as summary_int64 views) of column attno, of an
 * integer, date or timestamp type, over the rows of rel the quals can
 * select: the extremes of the chunk summaries the quals whose values the
 * planner knows cannot rule out, narrowed by those quals' bounds on the
 * column itself.  False when unknown (no chunks, a chunk without a summary
 * of the column, or too many chunks to look at while planning).
 */
bool
ts_estimate_column_range(PlannerInfo *root, RelOptInfo *rel, AttrNumber attno,
						 Oid type, int64 *lo, int64 *hi)
{
	List	   *clauses;
	ListCell   *lc;
	ColumnRange cr = {attno, type, true, false, PG_INT64_MAX, PG_INT64_MIN};
	Oid			btfamily = ts_btree_family(type);

	if (!ActiveSnapshotSet())
		return false;
	clauses = estimable_clauses(root, rel);
	if (!estimate_walk_chunks(root, rel, clauses, widen_column_range, &cr) ||
		!cr.known || !cr.any)
		return false;
	*lo = cr.lo;
	*hi = cr.hi;

	/* the quals' own bounds on the column */
	foreach(lc, clauses)
	{
		OpExpr	   *op = (OpExpr *) lfirst(lc);
		Node	   *left;
		Node	   *right;
		int			st;
		int64		v;

		if (!IsA(op, OpExpr) || list_length(op->args) != 2)
			continue;
		left = linitial(op->args);
		right = lsecond(op->args);
		st = get_op_opfamily_strategy(op->opno, btfamily);
		if (IsA(right, Var) && IsA(left, Const))
		{
			Node	   *t = left;

			left = right;
			right = t;
			st = ts_commute_strategy(st);
		}
		if (!IsA(left, Var) || ((Var *) left)->varno != rel->relid ||
			((Var *) left)->varattno != attno || !IsA(right, Const) ||
			((Const *) right)->constisnull || ((Const *) right)->consttype != type)
			continue;
		v = summary_int64(type, ((Const *) right)->constvalue);
		switch (st)
		{
			case BTGreaterStrategyNumber:
			case BTGreaterEqualStrategyNumber:
				*lo = Max(*lo, v);
				break;
			case BTLessStrategyNumber:
			case BTLessEqualStrategyNumber:
				*hi = Min(*hi, v);
				break;
			case BTEqualStrategyNumber:
				*lo = Max(*lo, v);
				*hi = Min(*hi, v);
				break;
		}
	}
	if (*lo > *hi)
		*hi = *lo;
	return true;
}

/*
 * The share of a chunk's vectors left by equality quals on segment_by
 * columns: a series' rows are stored together, and the other series'
 * vectors are pruned by their ranges.  Their selectivity, doubled for the
 * vectors a series shares with its neighbours.  Only costs depend on it.
 */
static double
segment_read_fraction(PlannerInfo *root, RelOptInfo *rel, RangeTblEntry *rte)
{
	TsOptions	opts;
	double		fraction = 1.0;
	ListCell   *lc;

	ts_options_get(rte->relid, &opts);
	if (opts.nsegment_by == 0)
		return 1.0;
	foreach(lc, rel->baserestrictinfo)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		OpExpr	   *op = (OpExpr *) ri->clause;
		Var		   *var;
		char	   *attname;

		if (!IsA(op, OpExpr) || list_length(op->args) != 2 || ri->pseudoconstant)
			continue;
		var = (Var *) linitial(op->args);
		if (IsA(var, RelabelType))
			var = (Var *) ((RelabelType *) var)->arg;
		if (!IsA(var, Var) || var->varno != rel->relid || var->varattno <= 0 ||
			contain_var_clause(lsecond(op->args)) ||
			get_oprrest(op->opno) != F_EQSEL)
			continue;
		attname = get_attname(rte->relid, var->varattno, true);
		for (int i = 0; attname != NULL && i < opts.nsegment_by; i++)
		{
			if (strcmp(opts.segment_by[i], attname) == 0)
			{
				fraction *= Min(1.0, 2.0 * clause_selectivity(root, (Node *) ri, 0,
															  JOIN_INNER, NULL));
				break;
			}
		}
	}
	return Max(fraction, 0.0001);
}

void
ts_custom_scan_add_path(PlannerInfo *root, RelOptInfo *rel, RangeTblEntry *rte)
{
	SeqCost		seq;
	bool		found = false;
	ListCell   *lc;
	bool		all = false;
	Bitmapset  *attnums;
	int			ncols;
	int			natts = rel->max_attr;
	double		read_fraction;
	double		fraction;

	if (!ts_enable_custom_scan || rte->tablesample != NULL)
		return;

	/* add_path may free the sequential scan's path: keep its costs */
	foreach(lc, rel->pathlist)
	{
		Path	   *p = (Path *) lfirst(lc);

		if (p->pathtype == T_SeqScan && p->param_info == NULL)
		{
			seq.rows = p->rows;
			seq.startup = p->startup_cost;
			seq.total = p->total_cost;
			found = true;
		}
	}
	if (!found)
	{
		/*
		 * An index path cheaper than the sequential scan made add_path drop
		 * it; our path may still beat the index path (a qual that prunes
		 * chunks), so it is costed from the sequential scan all the same.
		 * Not for a relation with lateral references: its paths must be
		 * parameterized by them, which ours are not (its sequential scan
		 * is, so it was not found above either); nor for the parent of an
		 * inheritance tree, whose paths are Appends of its members'.
		 */
		Path	   *p;

		if (!bms_is_empty(rel->lateral_relids) || rte->inh ||
			rel->reloptkind != RELOPT_BASEREL)
			return;
		p = create_seqscan_path(root, rel, NULL, 0);

		seq.rows = p->rows;
		seq.startup = p->startup_cost;
		seq.total = p->total_cost;
		pfree(p);
	}

	attnums = referenced_attnums((Node *) rel->reltarget->exprs, rel->relid,
								 natts, &all);
	ncols = all ? natts : bms_num_members(attnums);
	read_fraction = estimate_read_fraction(root, rel) * segment_read_fraction(root, rel, rte);

	/*
	 * Cost: the sequential scan's, scaled by the share of the rows in chunks
	 * that pruning leaves and by the share of columns decoded, and halved for
	 * decoding in vectors; always below the sequential scan, which is never
	 * better.
	 */
	fraction = read_fraction * 0.5 * (0.2 + 0.8 * (double) Max(ncols, 1) / Max(natts, 1));

	/*
	 * The plain sequential scan is never better: it goes (an empty table
	 * would cost both at zero, and a tie keeps the path already there).
	 */
	foreach(lc, rel->pathlist)
	{
		Path	   *p = (Path *) lfirst(lc);

		if (p->pathtype == T_SeqScan && p->param_info == NULL)
			rel->pathlist = foreach_delete_current(rel->pathlist, lc);
	}
	add_path(rel, make_path(rel, &seq, fraction, 0));

	/*
	 * A parallel-aware path, where the chunks left to read make workers
	 * worth it: workers claim chunks.  Its cost is divided the way
	 * PostgreSQL divides a parallel sequential scan's.
	 */
	if (rel->consider_parallel && rel->lateral_relids == NULL)
	{
		int			workers = compute_parallel_worker(rel, rel->pages * read_fraction, -1,
													  max_parallel_workers_per_gather);

		if (workers > 0)
			add_partial_path(rel, make_path(rel, &seq, fraction, workers));
	}
}

static Plan *
plan_scan(PlannerInfo *root, RelOptInfo *rel, struct CustomPath *best_path,
		  List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cs = makeNode(CustomScan);
	List	   *pushed;
	List	   *rest;
	List	   *rest_clauses;
	bool		all = false;
	Bitmapset  *attnums;
	List	   *read = NIL;
	int			x = -1;

	ts_split_clauses(clauses, rel->relid, &pushed, &rest);
	if (ts_debug_require_vectorized &&
		list_length(extract_actual_clauses(rest, false)) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("timeseries: a qual on table \"%s\" is not evaluated over vectors",
						get_rel_name(planner_rt_fetch(rel->relid, root)->relid)),
				 errdetail("timeseries.debug_require_vectorized is on.")));
	rest_clauses = extract_actual_clauses(rest, false);

	/* columns returned: the target list and the quals left to the executor */
	attnums = referenced_attnums((Node *) tlist, rel->relid, rel->max_attr, &all);
	attnums = bms_union(attnums,
						referenced_attnums((Node *) rest_clauses, rel->relid,
										   rel->max_attr, &all));
	if (all)
		read = list_make1_int(0);
	else
		while ((x = bms_next_member(attnums, x)) >= 0)
			read = lappend_int(read, x);

	cs->scan.plan.targetlist = tlist;
	cs->scan.plan.qual = rest_clauses;
	cs->scan.scanrelid = rel->relid;
	cs->flags = best_path->flags;
	cs->custom_plans = NIL;
	cs->custom_exprs = extract_actual_clauses(pushed, false);
	cs->custom_private = list_make1(read);
	cs->custom_scan_tlist = NIL;
	cs->methods = &plan_methods;
	return &cs->scan.plan;
}

/* ---------- execution ---------- */

static Node *
create_scan_state(CustomScan *cscan)
{
	TsScanState *state = (TsScanState *) newNode(sizeof(TsScanState),
												 T_CustomScanState);

	state->css.methods = &exec_methods;
	state->pushed = cscan->custom_exprs;
	return (Node *) state;
}

static void
begin_scan(CustomScanState *node, EState *estate, int eflags)
{
	TsScanState *state = (TsScanState *) node;
	CustomScan *cs = (CustomScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	int			natts = RelationGetDescr(rel)->natts;
	List	   *read = linitial(cs->custom_private);
	ListCell   *lc;

	state->read_att = palloc0(sizeof(bool) * Max(natts, 1));
	foreach(lc, read)
	{
		int			attno = lfirst_int(lc);

		if (attno == 0)
			memset(state->read_att, true, sizeof(bool) * natts);
		else if (attno <= natts)
			state->read_att[attno - 1] = true;
	}
	state->vq = vector_qual_compile(state->pushed, cs->scan.scanrelid, NULL,
									&node->ss.ps);
	state->recheck = ExecInitQual(state->pushed, &node->ss.ps);
}

static TupleTableSlot *
next_row(ScanState *ss)
{
	TsScanState *state = (TsScanState *) ss;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;

	if (state->scan == NULL)
	{
		state->scan = ts_scan_begin_custom(ss->ss_currentRelation,
										   ss->ps.state->es_snapshot);
		vector_qual_attach(state->vq, state->scan, state->read_att);
		if (state->shared)
			ts_scan_set_parallel(state->scan, &state->shared->next_claim);
	}
	if (!state->values_set)
	{
		vector_qual_set_values(state->vq, ss->ps.ps_ExprContext);
		state->values_set = true;
	}
	if (ts_scan_getnextslot(state->scan, ForwardScanDirection, slot))
		return slot;
	return NULL;
}

static bool
recheck_row(ScanState *ss, TupleTableSlot *slot)
{
	TsScanState *state = (TsScanState *) ss;
	ExprContext *econtext = ss->ps.ps_ExprContext;

	if (state->recheck == NULL)
		return true;
	econtext->ecxt_scantuple = slot;
	return ExecQual(state->recheck, econtext);
}

static TupleTableSlot *
exec_scan(CustomScanState *node)
{
	return ExecScan(&node->ss, (ExecScanAccessMtd) next_row,
					(ExecScanRecheckMtd) recheck_row);
}

static void
end_scan(CustomScanState *node)
{
	TsScanState *state = (TsScanState *) node;

	if (state->scan)
		ts_scan_end(state->scan);
	state->scan = NULL;
}

static void
rescan_scan(CustomScanState *node)
{
	TsScanState *state = (TsScanState *) node;

	state->values_set = false;
	if (state->scan)
		ts_scan_rescan(state->scan, NULL, false, false, false, false);
}

/* ---------- parallel scans ---------- */

static Size
estimate_dsm(CustomScanState *node, ParallelContext *pcxt)
{
	return sizeof(TsScanShared);
}

static void
initialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate)
{
	TsScanState *state = (TsScanState *) node;
	TsScanShared *shared = (TsScanShared *) coordinate;

	pg_atomic_init_u64(&shared->next_claim, 0);
	pg_atomic_init_u64(&shared->chunks_read, 0);
	pg_atomic_init_u64(&shared->chunks_pruned, 0);
	pg_atomic_init_u64(&shared->vectors_pruned, 0);
	pg_atomic_init_u64(&shared->rows_filtered, 0);
	state->shared = shared;
	if (state->scan)
		ts_scan_set_parallel(state->scan, &shared->next_claim);
}

static void
reinitialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate)
{
	TsScanState *state = (TsScanState *) node;
	TsScanShared *shared = (TsScanShared *) coordinate;

	pg_atomic_write_u64(&shared->next_claim, 0);
	state->shared = shared;
	if (state->scan)
		ts_scan_set_parallel(state->scan, &shared->next_claim);
}

static void
initialize_worker(CustomScanState *node, shm_toc *toc, void *coordinate)
{
	((TsScanState *) node)->shared = (TsScanShared *) coordinate;
}

/*
 * Workers add their counters to the shared state when they finish, before
 * they detach from their tuple queues; the leader copies the totals out
 * before the shared memory goes away, for EXPLAIN ANALYZE.
 */
static void
shutdown_scan(CustomScanState *node)
{
	TsScanState *state = (TsScanState *) node;

	if (state->shared == NULL)
		return;
	if (IsParallelWorker())
	{
		if (state->scan)
		{
			const TsScanCounters *c = ts_scan_counters(state->scan);

			pg_atomic_fetch_add_u64(&state->shared->chunks_read, c->chunks_read);
			pg_atomic_fetch_add_u64(&state->shared->chunks_pruned, c->chunks_pruned);
			pg_atomic_fetch_add_u64(&state->shared->vectors_pruned, c->vectors_pruned);
			pg_atomic_fetch_add_u64(&state->shared->rows_filtered, c->rows_filtered);
		}
	}
	else
	{
		state->workers.chunks_read = pg_atomic_read_u64(&state->shared->chunks_read);
		state->workers.chunks_pruned = pg_atomic_read_u64(&state->shared->chunks_pruned);
		state->workers.vectors_pruned = pg_atomic_read_u64(&state->shared->vectors_pruned);
		state->workers.rows_filtered = pg_atomic_read_u64(&state->shared->rows_filtered);
	}
	state->shared = NULL;
	if (state->scan)
		ts_scan_set_parallel(state->scan, NULL);
}

/* ---------- EXPLAIN ---------- */

/* A line of clauses (ANDed), e.g. "Vectorized Filter"; nothing without clauses. */
void
ts_explain_clauses(const char *label, List *clauses, CustomScanState *node,
				   List *ancestors, ExplainState *es)
{
	List	   *context;

	if (clauses == NIL)
		return;
	context = set_deparse_context_plan(es->deparse_cxt, node->ss.ps.plan, ancestors);
	ExplainPropertyText(label,
						deparse_expression((Node *) make_ands_explicit(clauses), context,
										   list_length(es->rtable) > 1 || es->verbose,
										   false),
						es);
}

/* The "Columns" line: the columns a node decodes. */
void
ts_explain_columns(TupleDesc desc, const bool *read_att, ExplainState *es)
{
	StringInfoData cols;
	bool		any = false;

	initStringInfo(&cols);
	for (int a = 0; a < desc->natts; a++)
	{
		if (!read_att[a] || TupleDescAttr(desc, a)->attisdropped)
			continue;
		appendStringInfo(&cols, "%s%s", any ? ", " : "",
						 quote_identifier(NameStr(TupleDescAttr(desc, a)->attname)));
		any = true;
	}
	ExplainPropertyText("Columns", any ? cols.data : "(none)", es);
}

static void
explain_scan(CustomScanState *node, List *ancestors, ExplainState *es)
{
	TsScanState *state = (TsScanState *) node;
	Relation	rel = node->ss.ss_currentRelation;
	TupleDesc	desc = RelationGetDescr(rel);

	ts_explain_columns(desc, state->read_att, es);

	ts_explain_clauses("Vectorized Filter", state->pushed, node, ancestors, es);
	if (es->analyze)
	{
		TsScanCounters total = state->workers;

		if (state->scan)
		{
			const TsScanCounters *c = ts_scan_counters(state->scan);

			total.chunks_read += c->chunks_read;
			total.chunks_pruned += c->chunks_pruned;
			total.vectors_pruned += c->vectors_pruned;
			total.rows_filtered += c->rows_filtered;
		}
		ExplainPropertyInteger("Chunks Read", NULL, total.chunks_read, es);
		ExplainPropertyInteger("Chunks Pruned", NULL, total.chunks_pruned, es);
		if (state->pushed)
		{
			ExplainPropertyInteger("Vectors Pruned", NULL, total.vectors_pruned, es);
			ExplainPropertyInteger("Rows Removed by Vectorized Filter", NULL,
								   total.rows_filtered, es);
		}
	}
}
