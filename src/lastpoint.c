/*-------------------------------------------------------------------------
 *
 * lastpoint.c
 *	  TimeseriesLastPoint: the newest row of every series,
 *	  SELECT DISTINCT ON (series) ... ORDER BY series, time DESC, in one
 *	  pass over a timeseries table instead of a sort of every row.
 *
 * The scan decodes the series and time columns (and what the quals test)
 * and keeps, for each series, its newest time (the largest, or NULL when
 * NULLs sort first and the series has a row with a NULL time: the row
 * DISTINCT ON then keeps) and a copy of the row that has it.  Only the rows
 * newer than what their series kept are copied, their other columns decoded
 * up to the last of them in the batch.  Chunks are read newest first, each
 * chunk's vectors newest first, so the rows kept are found early; once
 * every series has been seen, a vector whose series (its dictionary, or
 * its range of integer keys) all keep a time at least as new as anything
 * in it is passed over without decoding.  The rows come out sorted by
 * series.
 *
 * The series column is compared by its bits (by-value types) or bytes
 * (text under a deterministic collation), as its equality operator would.
 * One entry per series is kept in memory; the planner uses the node only
 * when the estimated series fit in work_mem.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relscan.h"
#include "access/stratnum.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/restrictinfo.h"
#include "optimizer/tlist.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/pg_locale.h"
#include "utils/ruleutils.h"
#include "utils/selfuncs.h"
#include "utils/tuplesort.h"

#include "custom_scan.h"
#include "lastpoint.h"
#include "metadata.h"
#include "scan.h"
#include "summary.h"
#include "timeseries.h"
#include "vector_qual.h"

/* custom_private: an IntList of these, the sort operator and collation, the columns read */
#define LP_KEY_ATT		0		/* the series column (attno) */
#define LP_TIME_ATT		1		/* the time column (attno) */
#define LP_TIME_NULLS	2		/* NULL times sort first */
#define LP_KEY_NULLS	3		/* NULL series sort first */

/* ---------- planning ---------- */

static Plan *plan_lastpoint(PlannerInfo *root, RelOptInfo *rel,
							struct CustomPath *best_path, List *tlist,
							List *clauses, List *custom_plans);
static Node *create_lastpoint_state(CustomScan *cscan);

static const CustomPathMethods lastpoint_path_methods = {
	.CustomName = "TimeseriesLastPoint",
	.PlanCustomPath = plan_lastpoint,
};

static const CustomScanMethods lastpoint_plan_methods = {
	.CustomName = "TimeseriesLastPoint",
	.CreateCustomScanState = create_lastpoint_state,
};

/* Series types compared by bits or bytes, as their equality operator would. */
static bool
is_series_type(Oid t, Oid collation)
{
	if (ts_is_time_type(t) || t == BOOLOID || t == TIMEOID)
		return true;
	if (t == TEXTOID || t == VARCHAROID)
		return OidIsValid(collation) && get_collation_isdeterministic(collation);
	return false;
}

/*
 * Add a TimeseriesLastPoint path to the DISTINCT relation for
 * SELECT DISTINCT ON (series) ... FROM one timeseries table [WHERE
 * vectorizable quals] ORDER BY series, time DESC.
 */
void
ts_lastpoint_add_paths(PlannerInfo *root, RelOptInfo *input_rel,
					   RelOptInfo *output_rel)
{
	Query	   *parse = root->parse;
	RangeTblEntry *rte;
	SortGroupClause *dc;
	SortGroupClause *sk;
	SortGroupClause *st;
	Expr	   *key_expr;
	Expr	   *time_expr;
	AttrNumber	key_att;
	AttrNumber	time_att;
	Oid			key_type;
	Oid			time_type;
	Oid			opfamily;
	Oid			opcintype;
	int16		strategy;
	List	   *pushed;
	List	   *rest;
	ListCell   *lc;
	Path	   *scan = NULL;
	double		nseries;
	CustomPath *cp;

	if (!ts_enable_custom_scan || !parse->hasDistinctOn ||
		input_rel->reloptkind != RELOPT_BASEREL ||
		list_length(parse->distinctClause) != 1 || list_length(parse->sortClause) != 2 ||
		parse->hasAggs || parse->groupClause || parse->groupingSets ||
		parse->hasWindowFuncs || parse->hasTargetSRFs || root->rowMarks ||
		input_rel->lateral_relids)
		return;
	rte = planner_rt_fetch(input_rel->relid, root);
	if (rte->rtekind != RTE_RELATION || rte->inh || rte->tablesample ||
		!ts_is_timeseries_relid(rte->relid))
		return;

	/* DISTINCT ON (series) ORDER BY series, time DESC */
	dc = linitial(parse->distinctClause);
	sk = linitial(parse->sortClause);
	st = lsecond(parse->sortClause);
	if (dc->tleSortGroupRef != sk->tleSortGroupRef || !OidIsValid(sk->sortop))
		return;

	/*
	 * System columns (ctid) do not survive the copies of the rows; a
	 * whole-row reference would need every column anyway.
	 */
	{
		List	   *vars = pull_var_clause((Node *) input_rel->reltarget->exprs,
										   PVC_RECURSE_PLACEHOLDERS);

		foreach(lc, vars)
			if (((Var *) lfirst(lc))->varattno <= 0)
				return;
	}
	key_expr = (Expr *) get_sortgroupclause_expr(sk, parse->targetList);
	time_expr = (Expr *) get_sortgroupclause_expr(st, parse->targetList);
	if (!ts_rel_column((Node *) key_expr, input_rel->relid, &key_att, &key_type) ||
		!is_series_type(key_type, exprCollation((Node *) key_expr)) ||
		!ts_rel_column((Node *) time_expr, input_rel->relid, &time_att, &time_type) ||
		!ts_is_time_type(time_type) || key_att == time_att)
		return;
	/* the types' own orders: what the bits (and bytes) follow */
	if (!get_ordering_op_properties(st->sortop, &opfamily, &opcintype, &strategy) ||
		strategy != BTGreaterStrategyNumber || opcintype != time_type ||
		opfamily != ts_btree_family(time_type))
		return;
	if (!get_ordering_op_properties(sk->sortop, &opfamily, &opcintype, &strategy) ||
		opfamily != ts_btree_family(key_type))
		return;

	/* every qual evaluated over vectors */
	ts_split_clauses(input_rel->baserestrictinfo, input_rel->relid, &pushed, &rest);
	if (rest != NIL)
		return;

	foreach(lc, input_rel->pathlist)
	{
		Path	   *p = (Path *) lfirst(lc);

		if (IsA(p, ProjectionPath))
			p = ((ProjectionPath *) p)->subpath;
		if (ts_is_custom_scan_path(p) && p->param_info == NULL && !p->parallel_aware)
			scan = p;
	}
	if (scan == NULL)
		return;

	/* one entry per series in memory: only when they fit */
	nseries = estimate_num_groups(root, list_make1(key_expr), input_rel->rows, NULL, NULL);
	if (nseries * (64.0 + input_rel->reltarget->width) > (double) work_mem * 1024.0)
		return;

	cp = makeNode(CustomPath);
	cp->path.pathtype = T_CustomScan;
	cp->path.parent = input_rel;
	cp->path.pathtarget = input_rel->reltarget;
	cp->path.param_info = NULL;
	cp->path.parallel_aware = false;
	cp->path.parallel_safe = false;
	cp->path.parallel_workers = 0;
	cp->path.rows = clamp_row_est(nseries);
	/* two columns of everything, and the rows kept */
	cp->path.startup_cost = scan->startup_cost +
		(scan->total_cost - scan->startup_cost) * 0.5 +
		nseries * cpu_tuple_cost * 2;
	cp->path.total_cost = cp->path.startup_cost + nseries * cpu_tuple_cost;
	/* one row per series, sorted by series: also by (series, time) */
	cp->path.pathkeys = root->sort_pathkeys;
	cp->flags = CUSTOMPATH_SUPPORT_PROJECTION;
	cp->custom_private = list_make2(list_make4_int(key_att, time_att, st->nulls_first,
												   sk->nulls_first),
									list_make2_oid(sk->sortop,
												   exprCollation((Node *) key_expr)));
	cp->methods = &lastpoint_path_methods;
	add_path(output_rel, &cp->path);
}

static Plan *
plan_lastpoint(PlannerInfo *root, RelOptInfo *rel, struct CustomPath *best_path,
			   List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cs = makeNode(CustomScan);
	List	   *pushed;
	List	   *rest;

	ts_split_clauses(clauses, rel->relid, &pushed, &rest);
	if (rest != NIL)
		elog(ERROR, "timeseries: a qual under TimeseriesLastPoint cannot be evaluated over vectors");
	cs->scan.plan.targetlist = tlist;
	cs->scan.plan.qual = NIL;
	cs->scan.scanrelid = rel->relid;
	cs->flags = best_path->flags;
	cs->custom_plans = NIL;
	cs->custom_exprs = extract_actual_clauses(pushed, false);
	/* the rows kept hold what the target list uses (plus series and time) */
	{
		Bitmapset  *attnos = NULL;
		List	   *read = NIL;
		List	   *ints = linitial(best_path->custom_private);
		int			x = -1;

		pull_varattnos((Node *) tlist, rel->relid, &attnos);
		attnos = bms_add_member(attnos, list_nth_int(ints, LP_KEY_ATT) -
								FirstLowInvalidHeapAttributeNumber);
		attnos = bms_add_member(attnos, list_nth_int(ints, LP_TIME_ATT) -
								FirstLowInvalidHeapAttributeNumber);
		while ((x = bms_next_member(attnos, x)) >= 0)
			read = lappend_int(read, x + FirstLowInvalidHeapAttributeNumber);
		cs->custom_private = lappend(list_copy(best_path->custom_private), read);
	}
	cs->custom_scan_tlist = NIL;
	cs->methods = &lastpoint_plan_methods;
	return &cs->scan.plan;
}

/* ---------- execution ---------- */

/*
 * What the scan learned about one series: its newest time, and the row it
 * keeps.  Entries do not move (the hash table holds pointers to them), so a
 * batch can list the series it improved.
 */
typedef struct Series
{
	uint32		hash;
	bool		key_null;
	bool		has_time;		/* some row has a non-NULL time: newest is set */
	bool		has_null_time;
	Datum		key;			/* int64 view, or a text copy */
	int64		newest;
	MinimalTuple row;			/* the newest row found so far */
	int64		batch;			/* the batch whose batch_row improves row */
	int			batch_row;
} Series;

#define SERIES_BLOCK 256

typedef struct LastPointState
{
	CustomScanState css;
	int			key_att;		/* 0-based */
	int			time_att;
	Oid			key_type;
	Oid			time_type;
	bool		key_is_text;
	bool		nulls_first;	/* of the time: a NULL time is the newest */
	VectorQual *vq;
	bool		values_set;
	bool	   *read_keys;		/* series and time, and what the quals test */
	int		   *read_rows;		/* the columns of the rows kept */
	int			nread_rows;

	MemoryContext series_cxt;
	Series	  **table;			/* open addressing, at most half used */
	uint32		capacity;		/* a power of two */
	uint32		nseries;
	Series	   *free_entries;	/* the rest of the last block allocated */
	int			nfree;

	/* the summaries of the chunk being read */
	ColumnSummary chunk_time;
	ColumnSummary chunk_key;
	char	   *keybuf;			/* a dictionary entry as a text, in series_cxt */
	Size		keybuf_size;

	/* the series a batch improved, and a dictionary's codes' series */
	Series	  **improved;
	int			nimproved;
	Series	  **code_series;
	int			code_capacity;
	Datum	   *row_values;
	bool	   *row_nulls;
	Datum	  **col_values;		/* the batch's columns of read_rows */
	bool	  **col_nulls;

	Tuplesortstate *sort;
	TupleTableSlot *sort_slot;
	bool		done;			/* rows sorted, being handed out */

	/* EXPLAIN ANALYZE */
	TsScanCounters counters;
	int64		rows_kept;		/* rows copied, newer ones replacing older */
} LastPointState;

static void begin_lastpoint(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_lastpoint(CustomScanState *node);
static void end_lastpoint(CustomScanState *node);
static void rescan_lastpoint(CustomScanState *node);
static void explain_lastpoint(CustomScanState *node, List *ancestors, ExplainState *es);

static const CustomExecMethods lastpoint_exec_methods = {
	.CustomName = "TimeseriesLastPoint",
	.BeginCustomScan = begin_lastpoint,
	.ExecCustomScan = exec_lastpoint,
	.EndCustomScan = end_lastpoint,
	.ReScanCustomScan = rescan_lastpoint,
	.ExplainCustomScan = explain_lastpoint,
};

void
ts_lastpoint_init(void)
{
	RegisterCustomScanMethods(&lastpoint_plan_methods);
}

static Node *
create_lastpoint_state(CustomScan *cscan)
{
	LastPointState *state = (LastPointState *) newNode(sizeof(LastPointState),
													   T_CustomScanState);

	state->css.methods = &lastpoint_exec_methods;
	return (Node *) state;
}

static void
begin_lastpoint(CustomScanState *node, EState *estate, int eflags)
{
	LastPointState *state = (LastPointState *) node;
	CustomScan *cs = (CustomScan *) node->ss.ps.plan;
	TupleDesc	desc = RelationGetDescr(node->ss.ss_currentRelation);
	List	   *ints = linitial(cs->custom_private);
	bool	   *read_rows;

	state->key_att = list_nth_int(ints, LP_KEY_ATT) - 1;
	state->time_att = list_nth_int(ints, LP_TIME_ATT) - 1;
	state->nulls_first = list_nth_int(ints, LP_TIME_NULLS);
	state->key_type = TupleDescAttr(desc, state->key_att)->atttypid;
	state->time_type = TupleDescAttr(desc, state->time_att)->atttypid;
	state->key_is_text = state->key_type == TEXTOID || state->key_type == VARCHAROID;
	state->vq = vector_qual_compile(cs->custom_exprs, cs->scan.scanrelid, NULL,
									&node->ss.ps);
	state->read_keys = palloc0(sizeof(bool) * Max(desc->natts, 1));
	state->read_keys[state->key_att] = true;
	state->read_keys[state->time_att] = true;
	read_rows = palloc0(sizeof(bool) * Max(desc->natts, 1));
	{
		ListCell   *lc;

		foreach(lc, (List *) lthird(cs->custom_private))
		{
			int			attno = lfirst_int(lc);

			if (attno == 0)		/* a whole-row reference */
				memset(read_rows, true, sizeof(bool) * desc->natts);
			else if (attno > 0 && attno <= desc->natts)
				read_rows[attno - 1] = true;
		}
	}
	state->read_rows = palloc(sizeof(int) * Max(desc->natts, 1));
	for (int a = 0; a < desc->natts; a++)
		if (read_rows[a] && !TupleDescAttr(desc, a)->attisdropped)
			state->read_rows[state->nread_rows++] = a;
	pfree(read_rows);
	state->row_values = palloc0(sizeof(Datum) * Max(desc->natts, 1));
	state->row_nulls = palloc(sizeof(bool) * Max(desc->natts, 1));
	state->col_values = palloc(sizeof(Datum *) * Max(state->nread_rows, 1));
	state->col_nulls = palloc(sizeof(bool *) * Max(state->nread_rows, 1));
	state->series_cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "timeseries last point",
											  ALLOCSET_DEFAULT_SIZES);
	state->sort_slot = ExecInitExtraTupleSlot(estate, desc, &TTSOpsMinimalTuple);
}

/* ---------- the series table ---------- */

static uint32
series_hash(LastPointState *state, Datum key, bool isnull)
{
	if (isnull)
		return 0x9e3779b9;
	if (state->key_is_text)
		return hash_bytes((const unsigned char *) VARDATA_ANY(DatumGetPointer(key)),
						  VARSIZE_ANY_EXHDR(DatumGetPointer(key)));
	return (uint32) hash_bytes_uint32((uint32) DatumGetInt64(key)) ^
		hash_bytes_uint32((uint32) ((uint64) DatumGetInt64(key) >> 32));
}

static bool
series_equal(LastPointState *state, const Series *s, Datum key, bool isnull)
{
	if (s->key_null || isnull)
		return s->key_null && isnull;
	if (state->key_is_text)
	{
		Size		la = VARSIZE_ANY_EXHDR(DatumGetPointer(s->key));
		Size		lb = VARSIZE_ANY_EXHDR(DatumGetPointer(key));

		return la == lb && memcmp(VARDATA_ANY(DatumGetPointer(s->key)),
								  VARDATA_ANY(DatumGetPointer(key)), la) == 0;
	}
	return s->key == key;
}

static void
series_grow(LastPointState *state)
{
	uint32		newcap = state->capacity ? state->capacity * 2 : 1024;
	Series	  **old = state->table;
	uint32		oldcap = state->capacity;

	state->table = MemoryContextAllocExtended(state->series_cxt, sizeof(Series *) * newcap,
											  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	state->capacity = newcap;
	for (uint32 i = 0; i < oldcap; i++)
	{
		uint32		pos;

		if (old[i] == NULL)
			continue;
		pos = old[i]->hash & (newcap - 1);
		while (state->table[pos])
			pos = (pos + 1) & (newcap - 1);
		state->table[pos] = old[i];
	}
	if (old)
		pfree(old);
}

static Series *series_add(LastPointState *state, uint32 pos, uint32 h, Datum key,
						  bool isnull);

/* The entry of a series (key: the int64 view, or a text), created when new. */
static Series *
series_lookup(LastPointState *state, Datum key, bool isnull, bool create)
{
	uint32		h = series_hash(state, key, isnull);
	uint32		pos;

	if (create && (state->nseries + 1) * 2 > state->capacity)
		series_grow(state);
	if (state->capacity == 0)
		return NULL;
	pos = h & (state->capacity - 1);
	while (state->table[pos])
	{
		Series	   *s = state->table[pos];

		if (s->hash == h && series_equal(state, s, key, isnull))
			return s;
		pos = (pos + 1) & (state->capacity - 1);
	}
	if (!create)
		return NULL;
	return series_add(state, pos, h, key, isnull);
}

/* A new entry at pos of the table. */
static Series *
series_add(LastPointState *state, uint32 pos, uint32 h, Datum key, bool isnull)
{
	Series	   *s;

	if (state->nfree == 0)
	{
		state->free_entries = MemoryContextAlloc(state->series_cxt,
												 sizeof(Series) * SERIES_BLOCK);
		state->nfree = SERIES_BLOCK;
	}
	s = state->free_entries++;
	state->nfree--;
	memset(s, 0, sizeof(Series));
	s->hash = h;
	s->key_null = isnull;
	s->batch = -1;
	if (!isnull && state->key_is_text)
	{
		Size		len = VARSIZE_ANY_EXHDR(DatumGetPointer(key));
		text	   *copy = MemoryContextAlloc(state->series_cxt, len + VARHDRSZ);

		SET_VARSIZE(copy, len + VARHDRSZ);
		memcpy(VARDATA(copy), VARDATA_ANY(DatumGetPointer(key)), len);
		s->key = PointerGetDatum(copy);
	}
	else
		s->key = isnull ? (Datum) 0 : key;
	state->table[pos] = s;
	state->nseries++;
	return s;
}

/*
 * A per-batch cache from a row's key Datum to its series, for keys that are
 * not dictionary codes: equal by-value keys are equal Datums.
 */
#define KEY_CACHE 512

typedef struct KeyCache
{
	Datum		key[KEY_CACHE];
	Series	   *series[KEY_CACHE];
} KeyCache;

static inline Datum
key_view(LastPointState *state, Datum value)
{
	return state->key_is_text ? value :
		Int64GetDatum(summary_int64(state->key_type, value));
}

/* ---------- the scan ---------- */

/*
 * The newest chunks first, so that once every series has been seen, the
 * older chunks' vectors can be passed over when the series they hold
 * (their dictionary, or their range of integer keys) all keep a time at
 * least as new as anything in them: there the scan reads a vector's
 * dictionary instead of decoding two columns of 1024 rows.
 */
static uint64
scan_chunk_key(void *arg, const ChunkMeta *meta)
{
	LastPointState *state = (LastPointState *) arg;
	ColumnSummary cs;
	uint64		u;

	memset(&cs, 0, sizeof(cs));
	if (meta->summary)
		summary_get(meta->summary, (AttrNumber) (state->time_att + 1),
					state->time_type, &cs);
	/* chunks that may hold NULL times, or say nothing, first */
	if (!cs.known || cs.has_nulls || !cs.has_values)
		return 0;
	/* the newest first: the flipped sign bit makes the order unsigned */
	u = (uint64) summary_int64(state->time_type, cs.max) ^ (UINT64CONST(1) << 63);
	return 1 + ((PG_UINT64_MAX - u) >> 1);
}

static bool
scan_chunk_filter(void *arg, const ChunkMeta *meta)
{
	LastPointState *state = (LastPointState *) arg;

	memset(&state->chunk_time, 0, sizeof(ColumnSummary));
	memset(&state->chunk_key, 0, sizeof(ColumnSummary));
	if (meta->summary)
	{
		summary_get(meta->summary, (AttrNumber) (state->time_att + 1),
					state->time_type, &state->chunk_time);
		if (!state->key_is_text)
			summary_get(meta->summary, (AttrNumber) (state->key_att + 1),
						state->key_type, &state->chunk_key);
	}
	return vector_qual_chunk_may_match(state->vq, meta);
}

/*
 * Can no row with a non-NULL time of at most tmax change what series s
 * keeps?  (NULL: a series not seen yet.)
 */
static inline bool
series_settled(LastPointState *state, const Series *s, int64 tmax)
{
	if (s == NULL)
		return false;
	if (state->nulls_first && s->has_null_time)
		return true;
	return s->has_time && s->newest >= tmax;
}

/* The series of a dictionary entry, if seen. */
static Series *
series_of_bytes(LastPointState *state, const char *p, uint32 len)
{
	if (state->keybuf_size < len + VARHDRSZ)
	{
		state->keybuf_size = Max(len + VARHDRSZ, 64);
		state->keybuf = MemoryContextAlloc(state->series_cxt, state->keybuf_size);
	}
	SET_VARSIZE(state->keybuf, len + VARHDRSZ);
	memcpy(VARDATA(state->keybuf), p, len);
	return series_lookup(state, PointerGetDatum(state->keybuf), false, false);
}

/* At most this many integer keys are looked up for a vector's key range. */
#define SETTLED_RANGE_MAX	64

/*
 * Does every series the current vector may hold keep a time at least as
 * new as the vector's newest?  Then the scan need not decode it.
 */
static bool
vector_settled(LastPointState *state, TableScanDesc scan)
{
	ColumnSummary tcs;
	int64		tmax;

	ts_scan_vector_summary(scan, state->time_att, state->time_type, &tcs);
	if (!tcs.known)
		tcs = state->chunk_time;
	if (!tcs.known || tcs.has_nulls || !tcs.has_values)
		return false;
	tmax = summary_int64(state->time_type, tcs.max);

	if (state->key_is_text)
	{
		const char **ptrs;
		uint32	   *lens;
		bool		has_nulls;
		int			ndict;

		ndict = ts_scan_vector_dictionary(scan, state->key_att, &ptrs, &lens, &has_nulls);
		if (ndict < 0)
			return false;
		if (has_nulls &&
			!series_settled(state, series_lookup(state, (Datum) 0, true, false), tmax))
			return false;
		for (int d = 0; d < ndict; d++)
			if (!series_settled(state, series_of_bytes(state, ptrs[d], lens[d]), tmax))
				return false;
		return true;
	}
	else
	{
		ColumnSummary kcs;
		int64		lo;
		int64		hi;

		ts_scan_vector_summary(scan, state->key_att, state->key_type, &kcs);
		if (!kcs.known)
			kcs = state->chunk_key;
		if (!kcs.known)
			return false;
		if (kcs.has_nulls &&
			!series_settled(state, series_lookup(state, (Datum) 0, true, false), tmax))
			return false;
		if (!kcs.has_values)
			return true;
		lo = summary_int64(state->key_type, kcs.min);
		hi = summary_int64(state->key_type, kcs.max);
		/* every key of the range, when there are few (no overflow: hi >= lo) */
		if ((uint64) hi - (uint64) lo >= SETTLED_RANGE_MAX)
			return false;
		for (int64 k = lo;; k++)
		{
			if (!series_settled(state, series_lookup(state, Int64GetDatum(k), false, false),
								tmax))
				return false;
			if (k == hi)
				break;
		}
		return true;
	}
}

static bool
scan_vector_filter(void *arg, TableScanDesc scan)
{
	LastPointState *state = (LastPointState *) arg;

	if (!vector_qual_vector_may_match(state->vq, scan))
		return false;
	return state->nseries == 0 || !vector_settled(state, scan);
}

static int
scan_row_filter(void *arg, TableScanDesc scan, int nrows, bool *sel)
{
	LastPointState *state = (LastPointState *) arg;

	return vector_qual_filter(state->vq, scan, nrows, NULL, sel);
}

/*
 * Would a row with this time replace the row series s keeps?  The newest
 * time wins; a NULL time is newer than any when NULLs sort first (DISTINCT
 * ON keeps that row), and older otherwise.  Among equal times the first row
 * stays, as DISTINCT ON may keep any of them.
 */
static inline bool
row_is_newer(LastPointState *state, const Series *s, bool tnull, int64 t)
{
	if (!s->has_time && !s->has_null_time)
		return true;
	if (state->nulls_first)
		return !s->has_null_time && (tnull || !s->has_time || t > s->newest);
	return !tnull && (!s->has_time || t > s->newest);
}

/*
 * Copy the rows that replace what the series the batch improved keep:
 * their columns are decoded up to the last of those rows only.
 */
static void
keep_rows(LastPointState *state, TableScanDesc scan, TupleDesc desc)
{
	int			upto = 0;
	MemoryContext old;

	for (int k = 0; k < state->nimproved; k++)
		upto = Max(upto, state->improved[k]->batch_row + 1);
	for (int c = 0; c < state->nread_rows; c++)
		ts_scan_batch_column_upto(scan, state->read_rows[c], upto,
								  &state->col_values[c], &state->col_nulls[c]);
	for (int a = 0; a < desc->natts; a++)
		state->row_nulls[a] = true;
	old = MemoryContextSwitchTo(state->series_cxt);
	for (int k = 0; k < state->nimproved; k++)
	{
		Series	   *s = state->improved[k];

		for (int c = 0; c < state->nread_rows; c++)
		{
			int			a = state->read_rows[c];

			state->row_values[a] = state->col_values[c][s->batch_row];
			state->row_nulls[a] = state->col_nulls[c][s->batch_row];
		}
		if (s->row)
			pfree(s->row);
		s->row = heap_form_minimal_tuple(desc, state->row_values, state->row_nulls);
		state->rows_kept++;
	}
	MemoryContextSwitchTo(old);
}

/*
 * One pass over the table, newest chunks (and each chunk's newest vectors)
 * first: for each batch, the rows' series (through the dictionary's codes
 * when the series column has them: one lookup per entry), their newest
 * times, and a copy of each row that is newer than what its series kept.
 */
static void
scan_series(LastPointState *state)
{
	ScanState  *ss = &state->css.ss;
	TupleDesc	desc = RelationGetDescr(ss->ss_currentRelation);
	TableScanDesc scan = ts_scan_begin_custom(ss->ss_currentRelation,
											  ss->ps.state->es_snapshot);
	int			nrows;
	const bool *sel;
	KeyCache   *cache = palloc(sizeof(KeyCache));
	int			improved_capacity = 0;
	int64		batch = 0;

	ts_scan_set_filters(scan, state->read_keys, scan_chunk_filter, scan_vector_filter,
						scan_row_filter, state);
	ts_scan_set_chunk_order(scan, scan_chunk_key, true, state);
	while ((nrows = ts_scan_next_batch(scan, desc, &sel)) > 0)
	{
		Datum	   *keys;
		bool	   *knull;
		Datum	   *times;
		bool	   *tnull;
		const int32 *codes = NULL;
		int			ndict = 0;

		CHECK_FOR_INTERRUPTS();
		batch++;
		ts_scan_batch_column(scan, state->key_att, &keys, &knull);
		ts_scan_batch_column(scan, state->time_att, &times, &tnull);
		if (state->key_is_text)
			ndict = ts_scan_batch_codes(scan, state->key_att, &codes);
		if (ndict > 0)
		{
			if (ndict > state->code_capacity)
			{
				state->code_capacity = Max(ndict, 64);
				state->code_series = MemoryContextAlloc(state->series_cxt,
														sizeof(Series *) * state->code_capacity);
			}
			memset(state->code_series, 0, sizeof(Series *) * ndict);
		}
		else
			memset(cache->series, 0, sizeof(cache->series));
		/* a batch improves at most one series per row */
		if (nrows > improved_capacity)
		{
			improved_capacity = Max(nrows, 1024);
			if (state->improved)
				pfree(state->improved);
			state->improved = MemoryContextAlloc(state->series_cxt,
												 sizeof(Series *) * improved_capacity);
		}
		state->nimproved = 0;

		for (int i = 0; i < nrows; i++)
		{
			Series	   *s;
			int64		t;

			if (sel && !sel[i])
				continue;
			if (knull[i])
				s = series_lookup(state, (Datum) 0, true, true);
			else if (ndict > 0)
			{
				s = state->code_series[codes[i]];
				if (s == NULL)
					s = state->code_series[codes[i]] =
						series_lookup(state, keys[i], false, true);
			}
			else
			{
				Datum		k = key_view(state, keys[i]);
				uint32		slot = (uint32) ((k >> 3) ^ (k >> 13)) % KEY_CACHE;

				s = cache->series[slot];
				if (s == NULL || cache->key[slot] != k)
				{
					s = series_lookup(state, k, false, true);
					cache->key[slot] = k;
					cache->series[slot] = s;
				}
			}
			t = tnull[i] ? 0 : summary_int64(state->time_type, times[i]);
			if (row_is_newer(state, s, tnull[i], t))
			{
				if (s->batch != batch)
				{
					s->batch = batch;
					state->improved[state->nimproved++] = s;
				}
				s->batch_row = i;
			}
			if (tnull[i])
				s->has_null_time = true;
			else
			{
				if (!s->has_time || t > s->newest)
					s->newest = t;
				s->has_time = true;
			}
		}
		if (state->nimproved > 0)
			keep_rows(state, scan, desc);
	}
	state->counters = *ts_scan_counters(scan);
	ts_scan_end(scan);
	pfree(cache);
}

/* The rows kept, sorted by series. */
static void
sort_rows(LastPointState *state)
{
	CustomScan *cs = (CustomScan *) state->css.ss.ps.plan;
	List	   *oids = lsecond(cs->custom_private);
	TupleDesc	desc = RelationGetDescr(state->css.ss.ss_currentRelation);
	AttrNumber	sort_att = state->key_att + 1;
	Oid			sortop = linitial_oid(oids);
	Oid			collation = lsecond_oid(oids);
	bool		nulls_first = list_nth_int(linitial(cs->custom_private), LP_KEY_NULLS);

	state->sort = tuplesort_begin_heap(desc, 1, &sort_att, &sortop, &collation,
									   &nulls_first, work_mem, NULL, TUPLESORT_NONE);
	for (uint32 i = 0; i < state->capacity; i++)
	{
		Series	   *s = state->table[i];

		if (s == NULL)
			continue;
		if (s->row == NULL)
			elog(ERROR, "timeseries: a series without a row");
		ExecStoreMinimalTuple(s->row, state->sort_slot, false);
		tuplesort_puttupleslot(state->sort, state->sort_slot);
	}
	ExecClearTuple(state->sort_slot);
	tuplesort_performsort(state->sort);
}

static TupleTableSlot *
next_lastpoint(ScanState *ss)
{
	LastPointState *state = (LastPointState *) ss;

	if (!state->done)
	{
		if (!state->values_set)
		{
			vector_qual_set_values(state->vq, ss->ps.ps_ExprContext);
			state->values_set = true;
		}
		scan_series(state);
		sort_rows(state);
		state->done = true;
	}
	if (!tuplesort_gettupleslot(state->sort, true, false, state->sort_slot, NULL))
		return NULL;
	/* the projection was built for the scan slot's type */
	return ExecCopySlot(ss->ss_ScanTupleSlot, state->sort_slot);
}

static bool
recheck_lastpoint(ScanState *ss, TupleTableSlot *slot)
{
	return true;
}

static TupleTableSlot *
exec_lastpoint(CustomScanState *node)
{
	return ExecScan(&node->ss, (ExecScanAccessMtd) next_lastpoint,
					(ExecScanRecheckMtd) recheck_lastpoint);
}

static void
reset_lastpoint(LastPointState *state)
{
	ExecClearTuple(state->sort_slot);
	if (state->sort)
		tuplesort_end(state->sort);
	state->sort = NULL;
	MemoryContextReset(state->series_cxt);
	state->table = NULL;
	state->capacity = 0;
	state->nseries = 0;
	state->free_entries = NULL;
	state->nfree = 0;
	state->keybuf = NULL;
	state->keybuf_size = 0;
	state->improved = NULL;
	state->nimproved = 0;
	state->code_series = NULL;
	state->code_capacity = 0;
	state->rows_kept = 0;
	state->done = false;
	state->values_set = false;
}

static void
end_lastpoint(CustomScanState *node)
{
	reset_lastpoint((LastPointState *) node);
}

static void
rescan_lastpoint(CustomScanState *node)
{
	reset_lastpoint((LastPointState *) node);
}

static void
explain_lastpoint(CustomScanState *node, List *ancestors, ExplainState *es)
{
	LastPointState *state = (LastPointState *) node;
	CustomScan *cs = (CustomScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	List	   *ints = linitial(cs->custom_private);

	ExplainPropertyText("Series Column",
						quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(rel),
															   list_nth_int(ints, LP_KEY_ATT) - 1)->attname)),
						es);
	ExplainPropertyText("Time Column",
						quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(rel),
															   list_nth_int(ints, LP_TIME_ATT) - 1)->attname)),
						es);
	ts_explain_clauses("Vectorized Filter", cs->custom_exprs, node, ancestors, es);
	if (es->analyze && state->done)
	{
		ExplainPropertyInteger("Series", NULL, state->nseries, es);
		ExplainPropertyInteger("Chunks Read", NULL, state->counters.chunks_read, es);
		ExplainPropertyInteger("Chunks Pruned", NULL, state->counters.chunks_pruned, es);
		ExplainPropertyInteger("Vectors Skipped", NULL, state->counters.vectors_pruned, es);
		ExplainPropertyInteger("Rows Kept", NULL, state->rows_kept, es);
	}
}
