/*-------------------------------------------------------------------------
 *
 * topn.c
 *	  TimeseriesTopN: SELECT ... FROM one timeseries table [WHERE ...]
 *	  ORDER BY time [DESC] [, more columns] LIMIT n [OFFSET m], reading only
 *	  the chunks and vectors that can hold one of the first n + m rows.
 *
 * The newest rows of a table ("the last ten readings", and per series
 * through LATERAL or a correlated subquery: "the last reading of each
 * host") are a sort of the whole table with a plain scan.  This node walks
 * the chunks in the order of the best time their summaries allow (newest
 * first for DESC), each chunk's vectors last to first (rows arrive roughly
 * in time order), and keeps the best n + m times seen so far in a binary
 * heap.  Once it holds that many, a chunk or vector whose summary cannot
 * beat the worst of them is skipped, and the walk ends at the first chunk
 * whose best time cannot: with time-ordered chunks, one vector of the
 * newest chunk answers LIMIT 10.  Rows that can still make it go into a
 * bounded tuplesort, which orders them by all the sort keys and keeps the
 * first n + m; the node emits them in order.
 *
 * The bound is the query's LIMIT and OFFSET, evaluated when the node
 * starts and on every rescan (parameters of generic plans, outer
 * references).  That the node may stop after n + m rows is only true when
 * nothing between it and the Limit can drop rows, so the path is offered
 * only for queries over this one relation with no grouping, DISTINCT,
 * window functions, set-returning functions, row locks or WITH TIES, and
 * the quals the vectorized filter cannot take are evaluated here, before a
 * row counts, instead of by the executor.
 *
 * The first sort key is a column of an integer, date or timestamp type in
 * its type's default order, compared as int64 like the summaries; with
 * further sort keys, rows tied with the worst kept time still go into the
 * tuplesort, which breaks the tie.
 *
 * Rescanned per series (LATERAL ... WHERE id = outer.id ORDER BY time DESC
 * LIMIT 1), the node meets the vectors of the newest chunk again and again,
 * a few series each.  Once the scan probes that chunk by the series' value
 * (ts_scan_set_vector_probe), each vector it is led to is read whole once,
 * and the best row of every series in it is kept, up to work_mem; a later
 * rescan for another of those series takes the kept row instead of
 * decoding the vector again.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/sysattr.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/ruleutils.h"
#include "utils/tuplesort.h"

#include "custom_scan.h"
#include "metadata.h"
#include "scan.h"
#include "summary.h"
#include "timeseries.h"
#include "topn.h"
#include "vector_qual.h"

#define TOPN_NAME "TimeseriesTopN"

/* custom_private: read columns, then an IntList of these, then the sort keys */
#define TN_TIME_ATT		0		/* attno of the first sort key */
#define TN_NPUSHED		1		/* custom_exprs: pushed clauses, */
#define TN_NREST		2		/* then the other clauses, then count and offset */

static Plan *plan_topn(PlannerInfo *root, RelOptInfo *rel,
					   struct CustomPath *best_path, List *tlist,
					   List *clauses, List *custom_plans);
static Node *create_topn_state(CustomScan *cscan);

static const CustomPathMethods topn_path_methods = {
	.CustomName = TOPN_NAME,
	.PlanCustomPath = plan_topn,
};

static const CustomScanMethods topn_plan_methods = {
	.CustomName = TOPN_NAME,
	.CreateCustomScanState = create_topn_state,
};

void
ts_topn_init(void)
{
	RegisterCustomScanMethods(&topn_plan_methods);
}

/* ---------- planning ---------- */

/* One sort key: a column of the relation and how to order it. */
typedef struct SortKeyInfo
{
	AttrNumber	attno;
	Oid			type;
	Oid			sortop;
	Oid			collation;
	bool		nulls_first;
} SortKeyInfo;

/* The column of rel a pathkey orders by, and its sort operator. */
static bool
pathkey_column(PathKey *pk, Index relid, SortKeyInfo *key)
{
	ListCell   *lc;

	if (pk->pk_eclass->ec_has_volatile)
		return false;
	foreach(lc, pk->pk_eclass->ec_members)
	{
		EquivalenceMember *em = (EquivalenceMember *) lfirst(lc);

		if (em->em_is_const || em->em_is_child ||
			!ts_rel_column((Node *) em->em_expr, relid, &key->attno, &key->type))
			continue;
		key->sortop = get_opfamily_member(pk->pk_opfamily, em->em_datatype,
										  em->em_datatype, pk->pk_strategy);
		key->collation = pk->pk_eclass->ec_collation;
		key->nulls_first = pk->pk_nulls_first;
		return OidIsValid(key->sortop);
	}
	return false;
}

/*
 * Offer a TimeseriesTopN path for rel when the query is an ORDER BY ...
 * LIMIT over this relation alone whose first sort key is a time column.
 */
void
ts_topn_add_path(PlannerInfo *root, RelOptInfo *rel, RangeTblEntry *rte)
{
	Query	   *parse = root->parse;
	SortKeyInfo *keys;
	int			nkeys = 0;
	ListCell   *lc;
	Path	   *scan = NULL;
	List	   *vars;
	double		k_est;
	double		fraction;
	double		nchunks;
	CustomPath *cp;
	List	   *sort_cols = NIL;
	List	   *sortops = NIL;
	List	   *collations = NIL;
	List	   *nulls = NIL;

	if (!ts_enable_custom_scan || rte->tablesample != NULL || rte->inh ||
		parse->limitCount == NULL || parse->limitOption != LIMIT_OPTION_COUNT ||
		parse->groupClause || parse->groupingSets || parse->distinctClause ||
		parse->hasAggs || parse->hasWindowFuncs || parse->hasTargetSRFs ||
		parse->havingQual || parse->rowMarks || parse->setOperations ||
		rel->reloptkind != RELOPT_BASEREL || rel->lateral_relids ||
		bms_membership(root->all_baserels) != BMS_SINGLETON ||
		root->query_pathkeys == NIL)
		return;

	/* the bound is evaluated by the node: parameters and constants only */
	if (contain_var_clause(parse->limitCount) ||
		contain_volatile_functions(parse->limitCount) ||
		contain_subplans(parse->limitCount) ||
		(parse->limitOffset &&
		 (contain_var_clause(parse->limitOffset) ||
		  contain_volatile_functions(parse->limitOffset) ||
		  contain_subplans(parse->limitOffset))))
		return;

	/* system columns (ctid) do not survive the sort */
	vars = pull_var_clause((Node *) rel->reltarget->exprs, PVC_RECURSE_PLACEHOLDERS);
	foreach(lc, rel->baserestrictinfo)
		vars = list_concat(vars, pull_var_clause((Node *) lfirst_node(RestrictInfo, lc)->clause,
												 PVC_RECURSE_PLACEHOLDERS));
	foreach(lc, vars)
		if (IsA(lfirst(lc), Var) && ((Var *) lfirst(lc))->varattno < 0)
			return;

	keys = palloc(sizeof(SortKeyInfo) * list_length(root->query_pathkeys));
	foreach(lc, root->query_pathkeys)
	{
		if (!pathkey_column(lfirst(lc), rel->relid, &keys[nkeys]))
			return;
		sort_cols = lappend_int(sort_cols, keys[nkeys].attno);
		sortops = lappend_oid(sortops, keys[nkeys].sortop);
		collations = lappend_oid(collations, keys[nkeys].collation);
		nulls = lappend_int(nulls, keys[nkeys].nulls_first);
		nkeys++;
	}

	/* the first key: a time column in its type's own order */
	{
		PathKey    *pk = linitial(root->query_pathkeys);

		if (!ts_is_time_type(keys[0].type) ||
			pk->pk_opfamily != ts_btree_family(keys[0].type))
			return;
	}

	foreach(lc, rel->pathlist)
	{
		Path	   *p = (Path *) lfirst(lc);

		if (ts_is_custom_scan_path(p) && p->param_info == NULL && !p->parallel_aware)
			scan = p;
	}
	if (scan == NULL)
		return;

	/*
	 * Cost: the share of the scan that holds the first k rows, if the rows
	 * passing the quals are spread evenly over time, but at least a chunk;
	 * the node returns all its rows at once.
	 */
	k_est = root->limit_tuples > 0 ? root->limit_tuples : 0.1 * rel->rows;
	nchunks = Max(rel->tuples / Max(ts_chunk_rows, 1), 1.0);
	fraction = Max(k_est / Max(rel->rows, 1.0), 1.0 / nchunks);
	fraction = Min(fraction, 1.0);

	cp = makeNode(CustomPath);
	cp->path.pathtype = T_CustomScan;
	cp->path.parent = rel;
	cp->path.pathtarget = rel->reltarget;
	cp->path.param_info = NULL;
	cp->path.parallel_aware = false;
	cp->path.parallel_safe = rel->consider_parallel &&
		is_parallel_safe(root, parse->limitCount) &&
		is_parallel_safe(root, parse->limitOffset);
	cp->path.parallel_workers = 0;
	cp->path.rows = clamp_row_est(Min(rel->rows, k_est));
	cp->path.startup_cost = scan->startup_cost +
		(scan->total_cost - scan->startup_cost) * fraction +
		2.0 * cpu_operator_cost * k_est * Max(log2(Max(k_est, 2.0)), 1.0);
	cp->path.total_cost = cp->path.startup_cost + cpu_tuple_cost * cp->path.rows;
	cp->path.pathkeys = root->query_pathkeys;
	cp->flags = 0;
	cp->custom_private = list_make5(list_make1_int(keys[0].attno), sort_cols,
									sortops, collations, nulls);
	cp->methods = &topn_path_methods;
	add_path(rel, &cp->path);
}

static Plan *
plan_topn(PlannerInfo *root, RelOptInfo *rel, struct CustomPath *best_path,
		  List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cs = makeNode(CustomScan);
	Query	   *parse = root->parse;
	List	   *pushed;
	List	   *rest;
	List	   *pushed_clauses;
	List	   *rest_clauses;
	Bitmapset  *attnos = NULL;
	List	   *read = NIL;
	List	   *sort_cols = lsecond(best_path->custom_private);
	ListCell   *lc;
	int			x = -1;
	Node	   *offset;

	ts_split_clauses(clauses, rel->relid, &pushed, &rest);
	pushed_clauses = extract_actual_clauses(pushed, false);
	rest_clauses = extract_actual_clauses(rest, false);
	if (ts_debug_require_vectorized && rest_clauses != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("timeseries: a qual on table \"%s\" is not evaluated over vectors",
						get_rel_name(planner_rt_fetch(rel->relid, root)->relid)),
				 errdetail("timeseries.debug_require_vectorized is on.")));

	/* columns read: the target list, the other clauses and the sort keys */
	pull_varattnos((Node *) tlist, rel->relid, &attnos);
	pull_varattnos((Node *) rest_clauses, rel->relid, &attnos);
	foreach(lc, sort_cols)
		attnos = bms_add_member(attnos, lfirst_int(lc) - FirstLowInvalidHeapAttributeNumber);
	while ((x = bms_next_member(attnos, x)) >= 0)
		read = lappend_int(read, x + FirstLowInvalidHeapAttributeNumber);

	offset = parse->limitOffset ? copyObject(parse->limitOffset) :
		(Node *) makeConst(INT8OID, -1, InvalidOid, sizeof(int64),
						   Int64GetDatum(0), false, FLOAT8PASSBYVAL);

	cs->custom_private = lcons(read,
							   lcons(list_make3_int(linitial_int(linitial(best_path->custom_private)),
													list_length(pushed_clauses),
													list_length(rest_clauses)),
									 list_copy_tail(best_path->custom_private, 1)));
	cs->scan.plan.targetlist = tlist;
	cs->scan.plan.qual = NIL;	/* evaluated by the node, before a row counts */
	cs->scan.scanrelid = rel->relid;
	cs->flags = best_path->flags;
	cs->custom_plans = NIL;
	cs->custom_exprs = list_concat(list_concat(pushed_clauses, rest_clauses),
								   list_make2(copyObject(parse->limitCount), offset));
	cs->custom_scan_tlist = NIL;
	cs->methods = &topn_plan_methods;
	return &cs->scan.plan;
}

/* ---------- execution ---------- */

/*
 * Where a row, or the best row of a chunk or vector, comes in the order of
 * the first sort key: NULLs first (class 0), values (class 1, by u, the
 * value's int64 turned into an unsigned number that increases in the sort
 * direction) or NULLs last (class 2).
 */
typedef struct Rank
{
	uint64		u;
	uint8		cls;
} Rank;

/* The best row of one series (value of the probed column) in a vector. */
typedef struct SeriesBest
{
	int64		value;
	Rank		rank;
	MinimalTuple tuple;
} SeriesBest;

/* What a vector of the kept chunk, read once whole, holds per series. */
typedef struct VectorBestKey
{
	int64		first_row;		/* of the chunk */
	uint32		vector;
} VectorBestKey;

typedef struct VectorBest
{
	VectorBestKey key;
	int			nseries;
	SeriesBest *series;			/* by value */
} VectorBest;

/* Vectors with more series than this are not kept. */
#define SERIES_PER_VECTOR_MAX 64

typedef struct TopNState
{
	CustomScanState css;
	List	   *pushed;
	VectorQual *vq;
	ExprState  *rest;			/* the other clauses, or NULL */
	List	   *rest_clauses;
	ExprState  *count;
	ExprState  *offset;
	bool	   *read_att;		/* columns returned */
	bool	   *read_time;		/* what the scan decodes itself: the time */
	int			time_att;		/* 0-based */
	Oid			time_type;
	bool		desc;
	bool		nulls_first;
	bool		more_keys;		/* ties on the time go to the tuplesort */
	int			nkeys;
	AttrNumber *sort_cols;
	Oid		   *sortops;
	Oid		   *collations;
	bool	   *nulls_flags;

	TableScanDesc scan;
	Tuplesortstate *sort;
	TupleTableSlot *build_slot; /* virtual: rows going into the sort */
	TupleTableSlot *sort_slot;	/* minimal: rows coming out */
	Datum	  **batch_values;	/* per attribute, of the current batch */
	bool	  **batch_isnull;

	Rank	   *heap;			/* the best times so far, worst at [0] */
	int			nheap;
	int64		bound;			/* rows wanted; -1: all */
	bool		track;			/* the heap is kept (bound small enough) */
	bool		done;
	int64		rows_sorted;	/* EXPLAIN ANALYZE */

	/* best rows per series and vector, across rescans (see the top) */
	bool		per_series;		/* this rescan may use and fill them */
	int			series_att;		/* 0-based: the probed column */
	Oid			series_type;
	int64		series_value;	/* of this rescan */
	bool		collecting;		/* the vector being read is read whole */
	VectorBestKey collect_key;
	HTAB	   *vector_best;	/* VectorBestKey -> VectorBest */
	MemoryContext best_cxt;
	bool		best_full;		/* work_mem reached: no more are kept */
	int64		vectors_reused; /* EXPLAIN ANALYZE */
} TopNState;

static void begin_topn(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_topn(CustomScanState *node);
static void end_topn(CustomScanState *node);
static void rescan_topn(CustomScanState *node);
static void explain_topn(CustomScanState *node, List *ancestors, ExplainState *es);

static const CustomExecMethods topn_exec_methods = {
	.CustomName = TOPN_NAME,
	.BeginCustomScan = begin_topn,
	.ExecCustomScan = exec_topn,
	.EndCustomScan = end_topn,
	.ReScanCustomScan = rescan_topn,
	.ExplainCustomScan = explain_topn,
};

static Node *
create_topn_state(CustomScan *cscan)
{
	TopNState  *state = (TopNState *) newNode(sizeof(TopNState), T_CustomScanState);

	state->css.methods = &topn_exec_methods;
	return (Node *) state;
}

static inline int
rank_cmp(Rank a, Rank b)
{
	if (a.cls != b.cls)
		return a.cls < b.cls ? -1 : 1;
	if (a.cls != 1 || a.u == b.u)
		return 0;
	return a.u < b.u ? -1 : 1;
}

static inline Rank
value_rank(const TopNState *state, Datum d)
{
	Rank		r;

	r.cls = 1;
	r.u = (uint64) summary_int64(state->time_type, d) ^ (UINT64CONST(1) << 63);
	if (state->desc)
		r.u = ~r.u;
	return r;
}

static inline Rank
null_rank(const TopNState *state)
{
	Rank		r;

	r.cls = state->nulls_first ? 0 : 2;
	r.u = 0;
	return r;
}

/* The best rank a chunk or vector with this summary of the time can hold. */
static Rank
summary_best(const TopNState *state, const ColumnSummary *cs)
{
	if (!cs->known)
	{
		Rank		r = {0, state->nulls_first ? 0 : 1};

		return r;
	}
	if (cs->has_nulls && (state->nulls_first || !cs->has_values))
		return null_rank(state);
	if (cs->has_values)
		return value_rank(state, state->desc ? cs->max : cs->min);
	return null_rank(state);
}

/* Ranks as one number that never decreases with them, for the chunk walk. */
static uint64
rank_key(Rank r)
{
	if (r.cls == 0)
		return 0;
	if (r.cls == 2)
		return PG_UINT64_MAX;
	return 1 + (r.u >> 1);
}

/* Can a row (or a chunk's or vector's best row) of rank r still be among the first? */
static inline bool
admits(const TopNState *state, Rank r)
{
	int			c;

	if (!state->track || state->nheap < state->bound)
		return true;
	c = rank_cmp(r, state->heap[0]);
	return state->more_keys ? c <= 0 : c < 0;
}

/* Keep r among the best bound ranks. */
static void
heap_add(TopNState *state, Rank r)
{
	Rank	   *h = state->heap;
	int			i;

	if (state->nheap < state->bound)
	{
		/* sift up: the worst stays at the root */
		i = state->nheap++;
		while (i > 0 && rank_cmp(h[(i - 1) / 2], r) < 0)
		{
			h[i] = h[(i - 1) / 2];
			i = (i - 1) / 2;
		}
		h[i] = r;
	}
	else
	{
		if (rank_cmp(r, h[0]) >= 0)
			return;
		i = 0;
		for (;;)
		{
			int			c = 2 * i + 1;

			if (c >= state->nheap)
				break;
			if (c + 1 < state->nheap && rank_cmp(h[c + 1], h[c]) > 0)
				c++;
			if (rank_cmp(h[c], r) <= 0)
				break;
			h[i] = h[c];
			i = c;
		}
		h[i] = r;
	}
	if (state->nheap == state->bound)
		ts_scan_set_chunk_cutoff(state->scan, rank_key(h[0]));
}

/* The best rank a chunk can hold, by its summary of the time column. */
static Rank
chunk_best(TopNState *state, const ChunkMeta *meta)
{
	ColumnSummary cs;

	memset(&cs, 0, sizeof(cs));
	if (meta->summary)
		summary_get(meta->summary, (AttrNumber) (state->time_att + 1),
					state->time_type, &cs);
	return summary_best(state, &cs);
}

static uint64
chunk_key(void *arg, const ChunkMeta *meta)
{
	return rank_key(chunk_best((TopNState *) arg, meta));
}

static bool
chunk_filter(void *arg, const ChunkMeta *meta)
{
	TopNState  *state = (TopNState *) arg;

	if (!admits(state, chunk_best(state, meta)))
		return false;
	return vector_qual_chunk_may_match(state->vq, meta);
}

static void put_kept_row(TopNState *state, const VectorBest *vb);
static bool reuse_vector_best(TopNState *state, TableScanDesc scan);

static bool
vector_filter(void *arg, TableScanDesc scan)
{
	TopNState  *state = (TopNState *) arg;
	ColumnSummary cs;

	state->collecting = false;
	/* the quals first: per series through LATERAL, they rule out most vectors */
	if (!vector_qual_vector_may_match(state->vq, scan))
		return false;
	ts_scan_vector_summary(scan, state->time_att, state->time_type, &cs);
	if (!admits(state, summary_best(state, &cs)))
		return false;
	if (state->per_series && reuse_vector_best(state, scan))
		return false;
	return true;
}

/*
 * Is the batch the probed vector marked to be read whole?  (The write
 * buffer's rows, which come last, pass no vector filter.)
 */
static bool
collecting_batch(TopNState *state, TableScanDesc scan)
{
	VectorBestKey key;

	memset(&key, 0, sizeof(key));
	if (state->collecting &&
		(!ts_scan_probed_vector(scan, &key.first_row, &key.vector) ||
		 memcmp(&key, &state->collect_key, sizeof(key)) != 0))
		state->collecting = false;
	return state->collecting;
}

static int
row_filter(void *arg, TableScanDesc scan, int nrows, bool *sel)
{
	TopNState  *state = (TopNState *) arg;

	/* a vector read whole keeps every series: the filter is applied after */
	if (collecting_batch(state, scan))
	{
		memset(sel, true, sizeof(bool) * nrows);
		return nrows;
	}
	return vector_qual_filter(state->vq, scan, nrows, NULL, sel);
}

/*
 * A vector of the kept chunk the probe led to: take the best row of this
 * rescan's series from what an earlier rescan kept of it (true: the vector
 * need not be read), or mark it to be read whole and kept.
 */
static bool
reuse_vector_best(TopNState *state, TableScanDesc scan)
{
	VectorBestKey key;
	VectorBest *vb;

	memset(&key, 0, sizeof(key));
	if (!ts_scan_probed_vector(scan, &key.first_row, &key.vector))
		return false;
	vb = state->vector_best ? hash_search(state->vector_best, &key, HASH_FIND, NULL) : NULL;
	if (vb == NULL)
	{
		state->collecting = !state->best_full;
		state->collect_key = key;
		return false;
	}
	put_kept_row(state, vb);
	state->vectors_reused++;
	return true;
}

static void
begin_topn(CustomScanState *node, EState *estate, int eflags)
{
	TopNState  *state = (TopNState *) node;
	CustomScan *cs = (CustomScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	TupleDesc	desc = RelationGetDescr(rel);
	int			natts = desc->natts;
	List	   *ints = lsecond(cs->custom_private);
	int			npushed = list_nth_int(ints, TN_NPUSHED);
	int			nrest = list_nth_int(ints, TN_NREST);
	List	   *sort_cols = list_nth(cs->custom_private, 2);
	List	   *sortops = list_nth(cs->custom_private, 3);
	List	   *collations = list_nth(cs->custom_private, 4);
	List	   *nulls = list_nth(cs->custom_private, 5);
	ListCell   *lc;
	int			i;
	Oid			opfamily;
	Oid			opcintype;
	int16		strategy;

	state->read_att = palloc0(sizeof(bool) * Max(natts, 1));
	foreach(lc, (List *) linitial(cs->custom_private))
	{
		int			attno = lfirst_int(lc);

		if (attno == 0)
			memset(state->read_att, true, sizeof(bool) * natts);
		else if (attno <= natts)
			state->read_att[attno - 1] = true;
	}
	state->pushed = list_copy_head(cs->custom_exprs, npushed);
	state->rest_clauses = list_copy_head(list_copy_tail(cs->custom_exprs, npushed), nrest);
	state->vq = vector_qual_compile(state->pushed, cs->scan.scanrelid, NULL,
									&node->ss.ps);
	state->rest = state->rest_clauses ? ExecInitQual(state->rest_clauses, &node->ss.ps) : NULL;
	state->count = ExecInitExpr(list_nth(cs->custom_exprs, npushed + nrest), &node->ss.ps);
	state->offset = ExecInitExpr(list_nth(cs->custom_exprs, npushed + nrest + 1), &node->ss.ps);

	state->time_att = list_nth_int(ints, TN_TIME_ATT) - 1;
	state->time_type = TupleDescAttr(desc, state->time_att)->atttypid;
	state->read_time = palloc0(sizeof(bool) * Max(natts, 1));
	state->read_time[state->time_att] = true;

	state->nkeys = list_length(sort_cols);
	state->more_keys = state->nkeys > 1;
	state->sort_cols = palloc(sizeof(AttrNumber) * state->nkeys);
	state->sortops = palloc(sizeof(Oid) * state->nkeys);
	state->collations = palloc(sizeof(Oid) * state->nkeys);
	state->nulls_flags = palloc(sizeof(bool) * state->nkeys);
	for (i = 0; i < state->nkeys; i++)
	{
		state->sort_cols[i] = (AttrNumber) list_nth_int(sort_cols, i);
		state->sortops[i] = list_nth_oid(sortops, i);
		state->collations[i] = list_nth_oid(collations, i);
		state->nulls_flags[i] = list_nth_int(nulls, i);
	}
	if (!get_ordering_op_properties(state->sortops[0], &opfamily, &opcintype, &strategy))
		elog(ERROR, "timeseries: operator %u is not a btree ordering operator",
			 state->sortops[0]);
	state->desc = strategy == BTGreaterStrategyNumber;
	state->nulls_first = state->nulls_flags[0];

	state->build_slot = MakeSingleTupleTableSlot(desc, &TTSOpsVirtual);
	state->sort_slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	state->batch_values = palloc0(sizeof(Datum *) * Max(natts, 1));
	state->batch_isnull = palloc0(sizeof(bool *) * Max(natts, 1));
	state->best_cxt = AllocSetContextCreate(CurrentMemoryContext,
											"timeseries TopN series rows",
											ALLOCSET_DEFAULT_SIZES);
}

/* LIMIT + OFFSET, or -1 when there is no limit. */
static int64
evaluate_bound(TopNState *state)
{
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	bool		isnull;
	int64		count;
	int64		offset;
	Datum		d;

	d = ExecEvalExprSwitchContext(state->count, econtext, &isnull);
	if (isnull)
		return -1;
	count = DatumGetInt64(d);
	d = ExecEvalExprSwitchContext(state->offset, econtext, &isnull);
	offset = isnull ? 0 : DatumGetInt64(d);

	/* the Limit node raises the errors for negative values first */
	if (count < 0 || offset < 0 || pg_add_s64_overflow(count, offset, &count))
		return -1;
	return count;
}

/* Put row i of the current batch into the build slot; false when a clause rejects it. */
static bool
build_row(TopNState *state, int i)
{
	TupleTableSlot *slot = state->build_slot;
	int			natts = slot->tts_tupleDescriptor->natts;
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;

	ExecClearTuple(slot);
	for (int a = 0; a < natts; a++)
	{
		if (!state->read_att[a])
		{
			slot->tts_values[a] = (Datum) 0;
			slot->tts_isnull[a] = true;
			continue;
		}
		/*
		 * A descending walk builds the batch's rows last to first: the
		 * first one built needs the values up to it, and only those.
		 */
		if (state->batch_values[a] == NULL)
			ts_scan_batch_column_upto(state->scan, a, state->desc ? i + 1 : INT_MAX,
									  &state->batch_values[a], &state->batch_isnull[a]);
		slot->tts_values[a] = state->batch_values[a][i];
		slot->tts_isnull[a] = state->batch_isnull[a][i];
	}
	ExecStoreVirtualTuple(slot);
	if (state->rest == NULL)
		return true;
	econtext->ecxt_scantuple = slot;
	ResetExprContext(econtext);
	return ExecQual(state->rest, econtext);
}

/* A row of rank r that can be among the first: into the sort and the heap. */
static void
put_row(TopNState *state, TupleTableSlot *slot, Rank r)
{
	tuplesort_puttupleslot(state->sort, slot);
	state->rows_sorted++;
	if (state->track)
		heap_add(state, r);
}

/* This rescan's series' row kept of a vector, if any and it can be among the first. */
static void
put_kept_row(TopNState *state, const VectorBest *vb)
{
	int			lo = 0;
	int			hi = vb->nseries;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (vb->series[mid].value < state->series_value)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < vb->nseries && vb->series[lo].value == state->series_value &&
		admits(state, vb->series[lo].rank))
	{
		ExecStoreMinimalTuple(vb->series[lo].tuple, state->sort_slot, false);
		put_row(state, state->sort_slot, vb->series[lo].rank);
		ExecClearTuple(state->sort_slot);
	}
}

static int
compare_series(const void *a, const void *b)
{
	int64		x = ((const SeriesBest *) a)->value;
	int64		y = ((const SeriesBest *) b)->value;

	return (x > y) - (x < y);
}

/*
 * The batch is a probed vector read whole (every visible row, whatever its
 * series): keep the best row of each series in it, found as the row loop
 * of fill() would find it (ties: the first met), then put this rescan's
 * series' row, if any, into the sort.
 */
static void
keep_vector_best(TopNState *state, int nrows, const bool *sel,
				 const Datum *times, const bool *tnull)
{
	TupleDesc	desc = state->build_slot->tts_tupleDescriptor;
	SeriesBest	found[SERIES_PER_VECTOR_MAX];
	int			best_row[SERIES_PER_VECTOR_MAX];
	int			nfound = 0;
	int			last = -1;		/* the series of the previous row */
	Datum	   *keys;
	bool	   *knull;
	MemoryContext old;
	VectorBest *vb;
	bool		hit;

	ts_scan_batch_column(state->scan, state->series_att, &keys, &knull);
	for (int j = 0; j < nrows; j++)
	{
		int			i = state->desc ? nrows - 1 - j : j;
		int64		x;
		Rank		r;
		int			f;

		if ((sel && !sel[i]) || knull[i])
			continue;
		x = summary_int64(state->series_type, keys[i]);
		r = tnull[i] ? null_rank(state) : value_rank(state, times[i]);
		/* rows of a series come in runs: try the previous one first */
		if (last >= 0 && found[last].value == x)
			f = last;
		else
		{
			for (f = 0; f < nfound && found[f].value != x; f++)
				;
			if (f == nfound)
			{
				if (nfound == SERIES_PER_VECTOR_MAX)
					goto give_up;
				found[f].value = x;
				found[f].rank = r;
				best_row[f] = i;
				nfound++;
			}
		}
		if (rank_cmp(r, found[f].rank) < 0)
		{
			found[f].rank = r;
			best_row[f] = i;
		}
		last = f;
	}

	/* every column whole: the rows are built in no particular order */
	for (int a = 0; a < desc->natts; a++)
		if (state->read_att[a])
			ts_scan_batch_column_upto(state->scan, a, INT_MAX,
									  &state->batch_values[a], &state->batch_isnull[a]);
	old = MemoryContextSwitchTo(state->best_cxt);
	if (state->vector_best == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(VectorBestKey);
		ctl.entrysize = sizeof(VectorBest);
		ctl.hcxt = state->best_cxt;
		state->vector_best = hash_create("timeseries TopN series rows", 256, &ctl,
										 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	vb = hash_search(state->vector_best, &state->collect_key, HASH_ENTER, &hit);
	Assert(!hit);
	vb->nseries = nfound;
	vb->series = palloc(sizeof(SeriesBest) * Max(nfound, 1));
	for (int f = 0; f < nfound; f++)
	{
		/* a row the remaining clauses reject: there are none (per_series) */
		build_row(state, best_row[f]);
		vb->series[f] = found[f];
		vb->series[f].tuple = ExecCopySlotMinimalTuple(state->build_slot);
	}
	MemoryContextSwitchTo(old);
	qsort(vb->series, nfound, sizeof(SeriesBest), compare_series);
	state->best_full = MemoryContextMemAllocated(state->best_cxt, true) >
		(Size) work_mem * 1024;
	put_kept_row(state, vb);
	return;

give_up:
	/* too many series to keep: this rescan's rows, as fill() takes them */
	state->collecting = false;
	for (int j = 0; j < nrows; j++)
	{
		int			i = state->desc ? nrows - 1 - j : j;
		Rank		r;

		if ((sel && !sel[i]) || knull[i] ||
			summary_int64(state->series_type, keys[i]) != state->series_value)
			continue;
		r = tnull[i] ? null_rank(state) : value_rank(state, times[i]);
		if (admits(state, r) && build_row(state, i))
			put_row(state, state->build_slot, r);
	}
}

static void
fill(TopNState *state)
{
	ScanState  *ss = &state->css.ss;
	Relation	rel = ss->ss_currentRelation;
	TupleDesc	desc = RelationGetDescr(rel);
	int			nrows;
	const bool *sel;

	state->bound = evaluate_bound(state);
	state->sort = tuplesort_begin_heap(desc, state->nkeys, state->sort_cols,
									   state->sortops, state->collations,
									   state->nulls_flags, work_mem, NULL,
									   state->bound > 0 ? TUPLESORT_ALLOWBOUNDED : TUPLESORT_NONE);
	state->nheap = 0;
	state->rows_sorted = 0;
	if (state->bound == 0)
	{
		tuplesort_performsort(state->sort);
		return;
	}
	if (state->bound > 0)
		tuplesort_set_bound(state->sort, state->bound);

	/* the heap of times, when it is small next to work_mem */
	state->track = state->bound > 0 && state->bound <= INT_MAX / 2 &&
		state->bound <= (int64) work_mem * 1024L / (int64) sizeof(Rank) / 4;
	if (state->track && state->heap == NULL)
		state->heap = MemoryContextAllocHuge(ss->ps.state->es_query_cxt,
											 sizeof(Rank) * state->bound);
	else if (state->track)
		state->heap = repalloc_huge(state->heap, sizeof(Rank) * state->bound);

	if (state->scan == NULL)
	{
		state->scan = ts_scan_begin_custom(rel, ss->ps.state->es_snapshot);
		ts_scan_set_filters(state->scan, state->read_time, chunk_filter,
							vector_filter, state->pushed ? row_filter : NULL, state);
		ts_scan_set_chunk_order(state->scan, chunk_key, state->desc, state);
		ts_scan_set_selected_only(state->scan);
	}
	else
		ts_scan_rescan(state->scan, NULL, false, false, false, false);
	vector_qual_set_values(state->vq, ss->ps.ps_ExprContext);
	{
		int			attidx;
		Oid			typid;
		int64		value;
		bool		alone;

		/* per series through LATERAL: straight to the series' vectors */
		state->per_series = false;
		state->collecting = false;
		if (vector_qual_int_equality(state->vq, &attidx, &typid, &value, &alone))
		{
			ts_scan_set_vector_probe(state->scan, attidx, typid, value);

			/*
			 * The best row of a series is all a rescan needs when it wants
			 * one row by the time alone, of the series alone.
			 */
			state->per_series = alone && state->rest == NULL &&
				state->bound == 1 && state->nkeys == 1;
			state->series_att = attidx;
			state->series_type = typid;
			state->series_value = value;
		}
	}

	while ((nrows = ts_scan_next_batch(state->scan, desc, &sel)) > 0)
	{
		Datum	   *times;
		bool	   *tnull;

		CHECK_FOR_INTERRUPTS();
		memset(state->batch_values, 0, sizeof(Datum *) * desc->natts);
		ts_scan_batch_column(state->scan, state->time_att, &times, &tnull);
		if (collecting_batch(state, state->scan))
		{
			keep_vector_best(state, nrows, sel, times, tnull);
			continue;
		}

		/* rows come roughly in time order: the best first */
		for (int j = 0; j < nrows; j++)
		{
			int			i = state->desc ? nrows - 1 - j : j;
			Rank		r;

			if (sel && !sel[i])
				continue;
			r = tnull[i] ? null_rank(state) : value_rank(state, times[i]);
			if (!admits(state, r) || !build_row(state, i))
				continue;
			put_row(state, state->build_slot, r);
		}
	}
	tuplesort_performsort(state->sort);
}

static TupleTableSlot *
next_topn(ScanState *ss)
{
	TopNState  *state = (TopNState *) ss;

	if (!state->done)
	{
		fill(state);
		state->done = true;
	}
	if (!tuplesort_gettupleslot(state->sort, true, false, state->sort_slot, NULL))
		return NULL;
	/* the projection was built for the scan slot's type */
	return ExecCopySlot(ss->ss_ScanTupleSlot, state->sort_slot);
}

static bool
recheck_topn(ScanState *ss, TupleTableSlot *slot)
{
	return true;
}

static TupleTableSlot *
exec_topn(CustomScanState *node)
{
	return ExecScan(&node->ss, (ExecScanAccessMtd) next_topn,
					(ExecScanRecheckMtd) recheck_topn);
}

static void
reset_topn(TopNState *state)
{
	ExecClearTuple(state->sort_slot);
	ExecClearTuple(state->build_slot);
	if (state->sort)
		tuplesort_end(state->sort);
	state->sort = NULL;
	state->done = false;
}

static void
end_topn(CustomScanState *node)
{
	TopNState  *state = (TopNState *) node;

	reset_topn(state);
	if (state->scan)
		ts_scan_end(state->scan);
	state->scan = NULL;
	ExecDropSingleTupleTableSlot(state->build_slot);
	ExecDropSingleTupleTableSlot(state->sort_slot);
	MemoryContextDelete(state->best_cxt);
}

static void
rescan_topn(CustomScanState *node)
{
	reset_topn((TopNState *) node);
}

static void
explain_topn(CustomScanState *node, List *ancestors, ExplainState *es)
{
	TopNState  *state = (TopNState *) node;
	TupleDesc	desc = RelationGetDescr(node->ss.ss_currentRelation);
	StringInfoData keys;

	ts_explain_columns(desc, state->read_att, es);
	initStringInfo(&keys);
	for (int i = 0; i < state->nkeys; i++)
	{
		Oid			opfamily;
		Oid			opcintype;
		int16		strategy;
		bool		desc_key = false;

		if (get_ordering_op_properties(state->sortops[i], &opfamily, &opcintype, &strategy))
			desc_key = strategy == BTGreaterStrategyNumber;
		appendStringInfo(&keys, "%s%s%s%s", i > 0 ? ", " : "",
						 quote_identifier(NameStr(TupleDescAttr(desc, state->sort_cols[i] - 1)->attname)),
						 desc_key ? " DESC" : "",
						 state->nulls_flags[i] != desc_key ?
						 (state->nulls_flags[i] ? " NULLS FIRST" : " NULLS LAST") : "");
	}
	ExplainPropertyText("Order", keys.data, es);
	ts_explain_clauses("Vectorized Filter", state->pushed, node, ancestors, es);
	ts_explain_clauses("Filter", state->rest_clauses, node, ancestors, es);
	if (es->analyze && state->scan)
	{
		const TsScanCounters *c = ts_scan_counters(state->scan);

		ExplainPropertyInteger("Chunks Read", NULL, c->chunks_read, es);
		ExplainPropertyInteger("Chunks Pruned", NULL, c->chunks_pruned, es);
		ExplainPropertyInteger("Vectors Pruned", NULL,
							   c->vectors_pruned - state->vectors_reused, es);
		if (state->vectors_reused > 0 || es->format != EXPLAIN_FORMAT_TEXT)
			ExplainPropertyInteger("Vectors Reused", NULL, state->vectors_reused, es);
		if (state->pushed)
			ExplainPropertyInteger("Rows Removed by Vectorized Filter", NULL,
								   c->rows_filtered, es);
	}
}
