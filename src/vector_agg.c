/*-------------------------------------------------------------------------
 *
 * vector_agg.c
 *	  TimeseriesAgg: aggregation pushed down into the scan of a timeseries
 *	  table, computed over decoded vectors.
 *
 * From the create_upper_paths hook (UPPERREL_GROUP_AGG), when a GROUP BY
 * (or a plain aggregate) sits directly on one timeseries table, we add a
 * plan made of PostgreSQL's own Finalize Agg over a TimeseriesAgg custom
 * scan.  TimeseriesAgg scans the table (pruning chunks and vectors and
 * filtering rows with the same vectorized quals as TimeseriesScan), groups
 * the rows in a hash table and emits one row per group holding the group
 * keys and the *partial* state of every aggregate; the Finalize Agg combines
 * the states with the aggregates' combine functions and applies final
 * functions, HAVING and everything above.  So PostgreSQL's own code
 * produces the results, and the partial states are built with exactly the
 * arithmetic of the aggregates' transition functions, in row order: the
 * results are those of a plain serial plan, float rounding included.
 *
 * Supported, recognized by the aggregate's transition function, with the
 * built-in aggregates' initial value and combine function (so that any
 * aggregate built the same way qualifies), over a plain column:
 *	count(*), count(x)					int8inc, int8inc_any
 *	sum of int2/int4, float4, float8	int2_sum/int4_sum, float4pl, float8pl
 *	avg of int2/int4					int2/int4_avg_accum
 *	sum and avg of int8					int8_avg_accum (a 128-bit sum; the
 *										partial state is serialized as
 *										int8_avg_serialize does)
 *	sum and avg of numeric				numeric_avg_accum (NumericSum: a
 *										128-bit sum at the largest scale
 *										seen; serialized as
 *										numeric_avg_serialize does)
 *	avg, variance, stddev of floats		float4_accum, float8_accum
 *	min and max of integers, floats,	*larger / *smaller
 *	date, time, timestamp(tz)
 *	min and max of numeric and text		numeric_*, text_larger / _smaller
 *										(the type's comparison function;
 *										values copied when they change)
 * Group keys: columns of integer, bool, date/time and timestamp types and
 * text under a deterministic collation, and functions of one such column
 * and constants (time_bucket, date_trunc, date_bin, ...) that are not
 * volatile, are strict and return such a type.  Anything else (DISTINCT or
 * ORDER BY inside aggregates, FILTER, quals that cannot be vectorized,
 * grouping sets, ...) keeps PostgreSQL's plan.
 *
 * Memory: when the groups outgrow work_mem, the groups so far are emitted
 * and the table is emptied; the Finalize Agg combines the several partial
 * rows of a group (as after a parallel plan, float sums may then round
 * differently from a serial plan).
 *
 * In parallel plans, TimeseriesCombine takes the Finalize Agg's place above
 * the Gather: it combines the partial groups natively in the same group
 * table and applies the final functions (see its section below).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/parallel.h"
#include "access/table.h"
#include "access/stratnum.h"
#include "access/tableam.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_am.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/paramassign.h"
#include "optimizer/pathnode.h"
#include "optimizer/planner.h"
#include "optimizer/prep.h"
#include "optimizer/restrictinfo.h"
#include "optimizer/tlist.h"
#include "parser/parse_oper.h"
#include "parser/parsetree.h"
#include "parser/scansup.h"
#include "pgtime.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/ruleutils.h"
#include "utils/selfuncs.h"
#include "utils/syscache.h"
#include "utils/tuplesort.h"
#include "utils/typcache.h"

#include "custom_scan.h"
#include "delete_mask.h"
#include "gapfill.h"
#include "metadata.h"
#include "scan.h"
#include "storage.h"
#include "summary.h"
#include "timeseries.h"
#include "vector_agg.h"
#include "vector_qual.h"
#include "write.h"

bool		ts_enable_vector_agg = true;
bool		ts_debug_require_vector_agg = false;

#define AGG_NAME "TimeseriesAgg"

typedef enum AggKind
{
	AK_COUNT_STAR,
	AK_COUNT,
	AK_SUM_INT,					/* int2/int4 into int8 */
	AK_SUM_INT8,				/* sum and avg of int8: N and a 128-bit sum */
	AK_SUM_NUMERIC,				/* sum and avg of numeric (NumericSum) */
	AK_MOMENTS,					/* variance and stddev of integers and numeric
								 * (NumericMoments) */
	AK_SUM_FLOAT4,
	AK_SUM_FLOAT8,
	AK_AVG_INT,					/* int8[2] {count, sum} */
	AK_ACCUM,					/* float8[3] {N, Sx, Sxx} */
	AK_MIN,
	AK_MAX,
	AK_MIN_CMP,					/* min and max of numeric and text, by the */
	AK_MAX_CMP,					/* type's comparison function */
	AK_FIRST,					/* first(value, time), last(value, time) */
	AK_LAST
} AggKind;

/* One aggregate's state in one group. */
typedef struct AggSlot
{
	int64		n;				/* inputs seen */
	int64		i;				/* integer sum, or min/max as an int64 */
	double		d;				/* float sum (float4 sums too), Sx, min/max */
	double		sxx;
	Datum		v;				/* first/last: the value; AK_SUM_INT8: the high
								 * 64 bits of the sum, whose low 64 are i */
	bool		vnull;
	bool		pending;		/* first/last by reference: v points into the batch */
	Pointer		owned;			/* first/last by reference: our copy, or NULL;
								 * AK_SUM_NUMERIC: its NumericSum;
								 * AK_MOMENTS: its NumericMoments */
} AggSlot;

typedef struct AggSpec
{
	AggKind		kind;
	VectorQual *filter;			/* FILTER (WHERE ...), or NULL */
	int			attidx;			/* input column, -1 for count(*) */
	Oid			argtype;
	Oid			transtype;
	int			time_attidx;	/* first/last: the time column */
	Oid			timetype;
	Oid			collation;
	int16		typlen;			/* of the argument */
	bool		byval;
	bool		sxx_unused;		/* AK_ACCUM whose final function ignores Sxx (avg) */
	bool		lazy_sxx;		/* ... and this scan need not compute it */
	Oid			cmpfn;			/* AK_MIN_CMP/AK_MAX_CMP: numeric_cmp, bttextcmp */
	FmgrInfo	cmp;			/* ... looked up at the first batch */
} AggSpec;

typedef struct KeySpec
{
	int			attidx;			/* the column the key is computed from */
	Oid			coltype;
	Oid			keytype;		/* the key's type */
	bool		is_text;
	bool		generic;		/* grouped by the type's hash and equality
								 * functions (key_generic_ok) */
	int16		typlen;			/* generic: the key's type */
	bool		typbyval;
	Oid			collation;
	FmgrInfo	hash_fn;
	FmgrInfo	eq_fn;
	FuncExpr   *func;			/* key = func(..., column, ...), or NULL */
	bool		strict;
	bool		monotonic;		/* func never decreases as the column grows (a
								 * bucket function), and its result is by value */
	int64		trunc_usecs;	/* > 0: func is date_trunc to a unit this long,
								 * done by arithmetic (see set_trunc_arithmetic) */
	int64		trunc_offset;	/* the session zone's fixed offset, in usecs */
	int			colarg;			/* position of the column among its args */
	FmgrInfo	flinfo;
	FunctionCallInfo fcinfo;
	ExprState **arg_exprs;		/* arguments computed when the scan starts
								 * (parameters), or NULL */
	bool		null_key;		/* one of those is NULL and func is strict */
	/* the result for the previous input, reused for equal inputs */
	bool		have_last;
	Datum		last_in;
	Datum		last_out;
	bool		last_out_null;

	/*
	 * Results of recent inputs (direct-mapped): rows sorted by series repeat
	 * the same times series after series, so a bucket is computed once per
	 * distinct time rather than once per row.
	 */
	Datum	   *cache_in;
	Datum	   *cache_out;
	bool	   *cache_used;		/* a non-NULL result is cached */
} KeySpec;

#define KEY_CACHE_SIZE	8192

static void set_trunc_arithmetic(KeySpec *key);

/* ---------- recognizing the query ---------- */

static bool
is_int_type(Oid t)
{
	return t == INT2OID || t == INT4OID || t == INT8OID;
}

static bool
is_float_type(Oid t)
{
	return t == FLOAT4OID || t == FLOAT8OID;
}

static bool
is_ordered_scalar(Oid t)
{
	return is_int_type(t) || is_float_type(t) || t == DATEOID ||
		t == TIMEOID || t == TIMESTAMPOID || t == TIMESTAMPTZOID;
}

/* Key types grouped by their bits (or bytes): equal bits, equal values. */
static bool
key_type_ok(Oid t, Oid collation)
{
	if (is_int_type(t) || t == BOOLOID || t == DATEOID || t == TIMEOID ||
		t == TIMESTAMPOID || t == TIMESTAMPTZOID)
		return true;
	if (t == TEXTOID || t == VARCHAROID)
		return OidIsValid(collation) && get_collation_isdeterministic(collation);
	return false;
}

/*
 * Other column types are grouped as PostgreSQL's hashed grouping does, by
 * their default hash opclass's function and equality operator (uuid,
 * numeric, floats, interval, bytea, jsonb, arrays, text under a
 * nondeterministic collation, ...): each group keeps the first value seen,
 * as HashAggregate does.  They also need a default btree order (the
 * partial groups past work_mem are sorted by their keys).
 */
static bool
key_generic_ok(Oid t)
{
	TypeCacheEntry *tce = lookup_type_cache(t, TYPECACHE_EQ_OPR | TYPECACHE_LT_OPR |
											TYPECACHE_HASH_PROC);

	return OidIsValid(tce->eq_opr) && OidIsValid(tce->lt_opr) &&
		OidIsValid(tce->hash_proc) && get_typlen(t) != -2;
}

/* The functions of a generic key of type keytype under collation. */
static void
key_setup(KeySpec *key, Oid keytype, Oid collation)
{
	TypeCacheEntry *tce;

	key->keytype = keytype;
	key->collation = collation;
	key->is_text = (keytype == TEXTOID || keytype == VARCHAROID) &&
		key_type_ok(keytype, collation);
	key->generic = !key_type_ok(keytype, collation);
	if (!key->generic)
		return;
	tce = lookup_type_cache(keytype, TYPECACHE_EQ_OPR_FINFO | TYPECACHE_HASH_PROC_FINFO);
	if (!OidIsValid(tce->eq_opr_finfo.fn_oid) || !OidIsValid(tce->hash_proc_finfo.fn_oid))
		elog(ERROR, "timeseries: no hash or equality function for a group key");
	fmgr_info_copy(&key->eq_fn, &tce->eq_opr_finfo, CurrentMemoryContext);
	fmgr_info_copy(&key->hash_fn, &tce->hash_proc_finfo, CurrentMemoryContext);
	get_typlenbyval(keytype, &key->typlen, &key->typbyval);
}

static bool
column_var(Node *node, Index relid, AttrNumber *attno, Oid *type)
{
	if (node && IsA(node, Var))
	{
		Var		   *var = (Var *) node;

		if (var->varno == relid && var->varlevelsup == 0 && var->varattno > 0)
		{
			*attno = var->varattno;
			*type = var->vartype;
			return true;
		}
	}
	return false;
}

/* The transition functions of timeseries.first() and last(), looked up once. */
static Oid
first_last_sfunc(bool first)
{
	static Oid	oids[2] = {InvalidOid, InvalidOid};
	int			i = first ? 0 : 1;

	if (!OidIsValid(oids[i]))
	{
		Oid			nsp = get_namespace_oid("timeseries_internal", true);
		Oid			argtypes[3] = {INTERNALOID, ANYELEMENTOID, ANYOID};

		if (!OidIsValid(nsp))
			return InvalidOid;
		oids[i] = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
								  CStringGetDatum(first ? "first_sfunc" : "last_sfunc"),
								  PointerGetDatum(buildoidvector(argtypes, 3)),
								  ObjectIdGetDatum(nsp));
	}
	return oids[i];
}

/* Which kind of aggregate, by its transition function; false if unsupported. */
static bool
agg_spec(Aggref *aggref, Index relid, AggSpec *spec, AttrNumber *attno)
{
	HeapTuple	tup;
	Form_pg_aggregate agg;
	Oid			transfn;
	Oid			combinefn = InvalidOid;
	Oid			serialfn;
	Oid			deserialfn;
	char	   *initval = NULL;
	Oid			argtype = InvalidOid;
	bool		ok = true;

	*attno = 0;
	if (aggref->aggdistinct || aggref->aggorder ||
		(aggref->aggfilter &&
		 !vector_qual_supported((Node *) aggref->aggfilter, relid)) ||
		aggref->agglevelsup != 0 || aggref->aggkind != AGGKIND_NORMAL ||
		aggref->aggvariadic || aggref->aggsplit != AGGSPLIT_SIMPLE)
		return false;
	if (aggref->aggstar)
	{
		if (aggref->args != NIL)
			return false;
	}
	else
	{
		TargetEntry *te;

		if (list_length(aggref->args) == 2)
		{
			/* first(value, time) / last(value, time): checked below */
			AttrNumber	time_attno;

			te = lsecond_node(TargetEntry, aggref->args);
			if (!column_var((Node *) te->expr, relid, &time_attno, &spec->timetype))
				return false;
			spec->time_attidx = time_attno - 1;
		}
		else if (list_length(aggref->args) != 1)
			return false;
		te = linitial_node(TargetEntry, aggref->args);
		if (!column_var((Node *) te->expr, relid, attno, &argtype))
			return false;
	}

	tup = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(aggref->aggfnoid));
	if (!HeapTupleIsValid(tup))
		return false;
	agg = (Form_pg_aggregate) GETSTRUCT(tup);
	transfn = agg->aggtransfn;
	combinefn = agg->aggcombinefn;
	serialfn = agg->aggserialfn;
	deserialfn = agg->aggdeserialfn;
	spec->transtype = agg->aggtranstype;
	spec->sxx_unused = agg->aggfinalfn == F_FLOAT8_AVG;
	if (!OidIsValid(agg->aggcombinefn))
		ok = false;
	else
	{
		bool		isnull;
		Datum		d = SysCacheGetAttr(AGGFNOID, tup, Anum_pg_aggregate_agginitval,
										&isnull);

		initval = isnull ? NULL : TextDatumGetCString(d);
	}
	ReleaseSysCache(tup);
	if (!ok)
		return false;

	spec->argtype = argtype;
	if (OidIsValid(argtype))
		get_typlenbyval(argtype, &spec->typlen, &spec->byval);
	spec->attidx = aggref->aggstar ? -1 : *attno - 1;
	spec->collation = aggref->inputcollid;
	if (list_length(aggref->args) == 2)
	{
		/*
		 * Our own first()/last(), with a time ordered as its 64-bit
		 * integer; values by reference are copied once per batch.
		 */
		bool		is_first = transfn == first_last_sfunc(true);

		if (!is_first && transfn != first_last_sfunc(false))
			return false;
		spec->kind = is_first ? AK_FIRST : AK_LAST;
		return initval == NULL && get_typlen(argtype) != -2 &&
			(is_int_type(spec->timetype) || spec->timetype == DATEOID ||
			 spec->timetype == TIMESTAMPOID || spec->timetype == TIMESTAMPTZOID);
	}
	/*
	 * The states are computed (and TimeseriesCombine combines them) as the
	 * built-in aggregates do: an aggregate made of the same transition
	 * function but another initial value or combine function is not one.
	 */
#define INIT_IS(s)	(initval != NULL && strcmp(initval, (s)) == 0)
	/* an internal state: the built-in combine, serial and deserial functions */
#define STATE_FNS_ARE(c, s, d) \
	(combinefn == (c) && serialfn == (s) && deserialfn == (d) && initval == NULL)
	switch (transfn)
	{
		case F_INT8INC:
			spec->kind = AK_COUNT_STAR;
			return aggref->aggstar && combinefn == F_INT8PL && INIT_IS("0");
		case F_INT8INC_ANY:
			spec->kind = AK_COUNT;
			return !aggref->aggstar && combinefn == F_INT8PL && INIT_IS("0");
		case F_INT2_SUM:
		case F_INT4_SUM:
			spec->kind = AK_SUM_INT;
			return (argtype == INT2OID || argtype == INT4OID) &&
				combinefn == F_INT8PL && initval == NULL;
		case F_FLOAT4PL:
			spec->kind = AK_SUM_FLOAT4;
			return argtype == FLOAT4OID && combinefn == F_FLOAT4PL && initval == NULL;
		case F_FLOAT8PL:
			spec->kind = AK_SUM_FLOAT8;
			return argtype == FLOAT8OID && combinefn == F_FLOAT8PL && initval == NULL;
#ifdef HAVE_INT128
		case F_NUMERIC_AVG_ACCUM:
			spec->kind = AK_SUM_NUMERIC;
			return argtype == NUMERICOID &&
				STATE_FNS_ARE(F_NUMERIC_AVG_COMBINE, F_NUMERIC_AVG_SERIALIZE,
							  F_NUMERIC_AVG_DESERIALIZE);
		case F_INT2_ACCUM:
		case F_INT4_ACCUM:
			spec->kind = AK_MOMENTS;
			return (argtype == INT2OID || argtype == INT4OID) &&
				STATE_FNS_ARE(F_NUMERIC_POLY_COMBINE, F_NUMERIC_POLY_SERIALIZE,
							  F_NUMERIC_POLY_DESERIALIZE);
		case F_INT8_ACCUM:
		case F_NUMERIC_ACCUM:
			spec->kind = AK_MOMENTS;
			return (argtype == INT8OID || argtype == NUMERICOID) &&
				STATE_FNS_ARE(F_NUMERIC_COMBINE, F_NUMERIC_SERIALIZE, F_NUMERIC_DESERIALIZE);
#endif
		case F_INT8_AVG_ACCUM:
			spec->kind = AK_SUM_INT8;
			return argtype == INT8OID &&
				STATE_FNS_ARE(F_INT8_AVG_COMBINE, F_INT8_AVG_SERIALIZE, F_INT8_AVG_DESERIALIZE);
		case F_INT2_AVG_ACCUM:
		case F_INT4_AVG_ACCUM:
			spec->kind = AK_AVG_INT;
			return (argtype == INT2OID || argtype == INT4OID) &&
				combinefn == F_INT4_AVG_COMBINE && INIT_IS("{0,0}");
		case F_FLOAT4_ACCUM:
		case F_FLOAT8_ACCUM:
			spec->kind = AK_ACCUM;
			return is_float_type(argtype) && combinefn == F_FLOAT8_COMBINE &&
				INIT_IS("{0,0,0}");
		case F_INT2SMALLER:
		case F_INT4SMALLER:
		case F_INT8SMALLER:
		case F_FLOAT4SMALLER:
		case F_FLOAT8SMALLER:
		case F_DATE_SMALLER:
		case F_TIME_SMALLER:
		case F_TIMESTAMP_SMALLER:
		case F_TIMESTAMPTZ_SMALLER:
			spec->kind = AK_MIN;
			return is_ordered_scalar(argtype) && argtype == spec->transtype &&
				combinefn == transfn && initval == NULL;
		case F_NUMERIC_SMALLER:
		case F_NUMERIC_LARGER:
		case F_TEXT_SMALLER:
		case F_TEXT_LARGER:
			spec->kind = (transfn == F_NUMERIC_SMALLER || transfn == F_TEXT_SMALLER) ?
				AK_MIN_CMP : AK_MAX_CMP;
			spec->cmpfn = argtype == NUMERICOID ? F_NUMERIC_CMP : F_BTTEXTCMP;
			return (argtype == NUMERICOID || argtype == TEXTOID) &&
				argtype == spec->transtype && combinefn == transfn && initval == NULL;
		case F_INT2LARGER:
		case F_INT4LARGER:
		case F_INT8LARGER:
		case F_FLOAT4LARGER:
		case F_FLOAT8LARGER:
		case F_DATE_LARGER:
		case F_TIME_LARGER:
		case F_TIMESTAMP_LARGER:
		case F_TIMESTAMPTZ_LARGER:
			spec->kind = AK_MAX;
			return is_ordered_scalar(argtype) && argtype == spec->transtype &&
				combinefn == transfn && initval == NULL;
		default:
			return false;
	}
#undef INIT_IS
#undef STATE_FNS_ARE
}

/*
 * A bucket function of its second argument, the time, never decreasing as
 * it grows: date_trunc (in any zone: up to hours it keeps the instant's
 * offset, from days on the local date never goes back), date_bin (UTC),
 * and our time_bucket and time_bucket_gapfill without a time zone.  Not
 * the zone variants of ours: they read an ambiguous local time after
 * clocks fall back as the later instant, so a later row can get an earlier
 * bucket.  And not as functions of another argument (width, origin).
 */
static bool
is_bucket_function(FuncExpr *f, int colarg)
{
	Oid			funcid = f->funcid;
	char	   *name;
	ListCell   *lc;

	if (colarg != 1)
		return false;
	if (funcid == F_DATE_TRUNC_TEXT_TIMESTAMP || funcid == F_DATE_TRUNC_TEXT_TIMESTAMPTZ ||
		funcid == F_DATE_TRUNC_TEXT_TIMESTAMPTZ_TEXT ||
		funcid == F_DATE_BIN_INTERVAL_TIMESTAMP_TIMESTAMP ||
		funcid == F_DATE_BIN_INTERVAL_TIMESTAMPTZ_TIMESTAMPTZ)
		return true;
	if (get_func_namespace(funcid) != get_namespace_oid("timeseries", true))
		return false;
	name = get_func_name(funcid);
	if (name == NULL || (strcmp(name, "time_bucket") != 0 &&
						 strcmp(name, "time_bucket_gapfill") != 0))
		return false;
	foreach(lc, f->args)
		if (exprType(lfirst(lc)) == TEXTOID)
			return false;
	return true;
}

static bool
exec_param_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param) && ((Param *) node)->paramkind != PARAM_EXTERN)
		return true;
	return expression_tree_walker(node, exec_param_walker, context);
}

/*
 * An argument of a group key's function that keeps one value through an
 * execution, computed when the scan starts: a prepared statement's
 * parameter in a generic plan (time_bucket($1, time)), or an expression of
 * such parameters and constants.  No column, volatile function, subquery or
 * parameter set by another node (those may change on a rescan).
 */
static bool
execution_constant(Node *arg)
{
	return !contain_var_clause(arg) && !contain_volatile_functions(arg) &&
		!contain_subplans(arg) && !exec_param_walker(arg, NULL);
}

/* A group key expression we can compute; fills spec when given. */
static bool
key_spec(Expr *expr, Index relid, KeySpec *spec)
{
	AttrNumber	attno;
	Oid			type;
	Oid			keytype = exprType((Node *) expr);

	if (column_var((Node *) expr, relid, &attno, &type))
	{
		if (!key_type_ok(keytype, exprCollation((Node *) expr)) &&
			!key_generic_ok(keytype))
			return false;
		if (spec)
		{
			memset(spec, 0, sizeof(KeySpec));
			spec->attidx = attno - 1;
			spec->coltype = type;
			spec->keytype = keytype;
		}
		return true;
	}
	/* a function's result: by value, grouped by its bits */
	if (!key_type_ok(keytype, exprCollation((Node *) expr)))
		return false;
	if (IsA(expr, FuncExpr))
	{
		FuncExpr   *f = (FuncExpr *) expr;
		ListCell   *lc;
		int			pos = 0;
		int			colarg = -1;

		/* (time_bucket_gapfill is volatile only to keep the planner's hands off) */
		if (f->funcretset || keytype == TEXTOID || keytype == VARCHAROID ||
			(func_volatile(f->funcid) == PROVOLATILE_VOLATILE &&
			 !ts_gapfill_is_bucket(f->funcid)))
			return false;
		foreach(lc, f->args)
		{
			Node	   *arg = lfirst(lc);

			if (column_var(arg, relid, &attno, &type))
			{
				if (colarg >= 0 || !get_typbyval(type))
					return false;
				colarg = pos;
			}
			else if (!IsA(arg, Const) && !execution_constant(arg) &&
					 !(ts_gapfill_bound_arg(f, pos) && !contain_var_clause(arg)))
				return false;
			pos++;
		}
		if (colarg < 0)
			return false;
		if (spec)
		{
			memset(spec, 0, sizeof(KeySpec));
			spec->attidx = attno - 1;
			spec->coltype = type;
			spec->keytype = keytype;
			spec->func = f;
			spec->colarg = colarg;
			spec->strict = func_strict(f->funcid);
			spec->monotonic = is_bucket_function(f, colarg) &&
				ts_is_time_type(type) && get_typbyval(keytype);
		}
		return true;
	}
	return false;
}

/* ---------- planning ---------- */

static bool agg_spec(Aggref *aggref, Index relid, AggSpec *spec, AttrNumber *attno);

/*
 * Will chunk metadata answer the aggregation (metadata_answers, at
 * execution) for the chunks no qual cuts?  No keys, only count(*) and
 * min/max of summarized non-float columns, without FILTER.
 */
static bool
plan_from_metadata(PathTarget *partial, RelOptInfo *rel, int nkeys)
{
	ListCell   *lc;
	int			naggs = 0;

	if (nkeys > 0)
		return false;
	foreach(lc, partial->exprs)
	{
		Aggref	   *aggref;
		AggSpec		spec;
		AttrNumber	attno;

		if (!IsA(lfirst(lc), Aggref))
			continue;
		aggref = copyObject((Aggref *) lfirst(lc));
		aggref->aggsplit = AGGSPLIT_SIMPLE;
		memset(&spec, 0, sizeof(spec));
		if (aggref->aggfilter || !agg_spec(aggref, rel->relid, &spec, &attno))
			return false;
		if (spec.kind != AK_COUNT_STAR &&
			!((spec.kind == AK_MIN || spec.kind == AK_MAX) &&
			  !is_float_type(spec.argtype) && summary_type_supported(spec.argtype)))
			return false;
		naggs++;
	}
	return naggs > 0;
}

/*
 * The column of a key that is the column itself or a floor function of it
 * (time_bucket in UTC, date_trunc of a timestamp: f(t) <= t and
 * f(f(t)) = f(t), in the column's type), so that f(t) >= b exactly when
 * t >= b for a bucket b.
 */
static bool
floor_key_column(Expr *key, Index relid, AttrNumber *attno, Oid *type)
{
	FuncExpr   *f;
	bool		is_floor;
	ListCell   *lc;
	int			pos = 0;

	if (column_var((Node *) key, relid, attno, type))
		return true;
	if (!IsA(key, FuncExpr))
		return false;
	f = (FuncExpr *) key;

	/*
	 * Not the time-zone variants (time_bucket(..., timezone), date_trunc of
	 * a timestamptz): where local time repeats, their bucket can start after
	 * the row it holds.
	 */
	/* date_trunc of a timestamptz: a floor where the session zone has a fixed offset */
	is_floor = f->funcid == F_DATE_TRUNC_TEXT_TIMESTAMP ||
		f->funcid == F_DATE_TRUNC_TEXT_TIMESTAMPTZ;
	if (!is_floor && get_func_namespace(f->funcid) == get_namespace_oid("timeseries", true))
	{
		char	   *name = get_func_name(f->funcid);

		is_floor = name && strcmp(name, "time_bucket") == 0 &&
			list_length(f->args) <= 3 &&
			!(list_length(f->args) == 3 && exprType(lthird(f->args)) == TEXTOID);
	}
	if (!is_floor || list_length(f->args) < 2)
		return false;
	/* the bucketed value is the second argument; the others are constants */
	foreach(lc, f->args)
	{
		if (pos == 1)
		{
			if (!column_var(lfirst(lc), relid, attno, type))
				return false;
		}
		else if (!IsA(lfirst(lc), Const))
			return false;
		pos++;
	}
	return *type == f->funcresulttype;
}

/* A constant interval in microseconds, months as 30 days; -1 if not one. */
static double
interval_usec(Node *node)
{
	Interval   *iv;

	if (!IsA(node, Const) || ((Const *) node)->constisnull ||
		((Const *) node)->consttype != INTERVALOID)
		return -1;
	iv = DatumGetIntervalP(((Const *) node)->constvalue);
	return (double) iv->time + (double) iv->day * USECS_PER_DAY +
		(double) iv->month * DAYS_PER_MONTH * USECS_PER_DAY;
}

/* The length of a date_trunc unit in microseconds; -1 if unknown. */
static double
trunc_unit_usec(Node *node)
{
	char	   *units;
	char	   *lower;
	int			val;

	if (!IsA(node, Const) || ((Const *) node)->constisnull ||
		((Const *) node)->consttype != TEXTOID)
		return -1;
	units = TextDatumGetCString(((Const *) node)->constvalue);
	lower = downcase_truncate_identifier(units, strlen(units), false);
	if (DecodeUnits(0, lower, &val) != UNITS)
		return -1;
	switch (val)
	{
		case DTK_MICROSEC:
			return 1;
		case DTK_MILLISEC:
			return 1000;
		case DTK_SECOND:
			return USECS_PER_SEC;
		case DTK_MINUTE:
			return USECS_PER_MINUTE;
		case DTK_HOUR:
			return USECS_PER_HOUR;
		case DTK_DAY:
			return USECS_PER_DAY;
		case DTK_WEEK:
			return 7.0 * USECS_PER_DAY;
		case DTK_MONTH:
			return DAYS_PER_MONTH * (double) USECS_PER_DAY;
		case DTK_QUARTER:
			return 3 * DAYS_PER_MONTH * (double) USECS_PER_DAY;
		case DTK_YEAR:
			return DAYS_PER_YEAR * USECS_PER_DAY;
		case DTK_DECADE:
			return 10 * DAYS_PER_YEAR * USECS_PER_DAY;
		case DTK_CENTURY:
			return 100 * DAYS_PER_YEAR * USECS_PER_DAY;
		case DTK_MILLENNIUM:
			return 1000 * DAYS_PER_YEAR * USECS_PER_DAY;
	}
	return -1;
}

/*
 * How many buckets a bucket function with a constant width (time_bucket,
 * time_bucket_gapfill, date_trunc, date_bin) of a time column takes over
 * the rows read: the column's range there divided by the width, plus one.
 * -1 when key is no such call or the range is unknown.
 */
static double
bucket_count(PlannerInfo *root, RelOptInfo *rel, Expr *key)
{
	FuncExpr   *f;
	AttrNumber	attno;
	Oid			type;
	Node	   *first;
	double		width = -1;
	int64		lo;
	int64		hi;

	if (!IsA(key, FuncExpr) || list_length(((FuncExpr *) key)->args) < 2)
		return -1;
	f = (FuncExpr *) key;
	first = linitial(f->args);
	if (!column_var(lsecond(f->args), rel->relid, &attno, &type) ||
		!(is_int_type(type) || type == DATEOID || type == TIMESTAMPOID ||
		  type == TIMESTAMPTZOID))
		return -1;
	if (f->funcid == F_DATE_TRUNC_TEXT_TIMESTAMP ||
		f->funcid == F_DATE_TRUNC_TEXT_TIMESTAMPTZ ||
		f->funcid == F_DATE_TRUNC_TEXT_TIMESTAMPTZ_TEXT)
		width = trunc_unit_usec(first);
	else if (f->funcid == F_DATE_BIN_INTERVAL_TIMESTAMP_TIMESTAMP ||
			 f->funcid == F_DATE_BIN_INTERVAL_TIMESTAMPTZ_TIMESTAMPTZ)
		width = interval_usec(first);
	else if (ts_gapfill_is_bucket(f->funcid) ||
			 (get_func_namespace(f->funcid) == get_namespace_oid("timeseries", true) &&
			  strcmp(get_func_name(f->funcid), "time_bucket") == 0))
	{
		if (is_int_type(type))
			width = IsA(first, Const) && !((Const *) first)->constisnull &&
				is_int_type(((Const *) first)->consttype) ?
				(double) summary_int64(((Const *) first)->consttype,
									   ((Const *) first)->constvalue) : -1;
		else
			width = interval_usec(first);
	}
	if (width <= 0)
		return -1;
	if (type == DATEOID)
		width = Max(width / USECS_PER_DAY, 1.0);
	if (!ts_estimate_column_range(root, rel, attno, type, &lo, &hi))
		return -1;
	return floor(((double) hi - (double) lo) / width) + 1;
}

/*
 * The number of groups.  PostgreSQL takes a function of the time column to
 * have as many values as the column (nearly one per row), so hourly buckets
 * over 12 hours of 400 hosts looked like 345,000 groups instead of 5,200:
 * costs (and JIT) as if the partial rows were a table's worth.  Bucket keys
 * count their buckets (bucket_count); the other keys are PostgreSQL's
 * estimate; the product is capped by PostgreSQL's estimate of the whole
 * (buckets of sparse data can outnumber the rows).
 */
static double
estimate_groups(PlannerInfo *root, RelOptInfo *rel, List *exprs)
{
	List	   *others = NIL;
	double		buckets = 1;
	bool		any = false;
	double		n;
	double		all;
	ListCell   *lc;

	foreach(lc, exprs)
	{
		double		b = bucket_count(root, rel, lfirst(lc));

		if (b > 0)
		{
			buckets *= b;
			any = true;
		}
		else
			others = lappend(others, lfirst(lc));
	}
	all = estimate_num_groups(root, exprs, rel->rows, NULL, NULL);
	if (!any)
		return all;
	n = others ? estimate_num_groups(root, others, rel->rows, NULL, NULL) : 1;

	/* a function of a column has no more values than the column: both bound it */
	return clamp_row_est(Min(n * buckets, all));
}

/*
 * LIMIT plus OFFSET when both are constants (planning sets limit_tuples
 * only without grouping).
 */
static int64
query_limit(Query *parse)
{
	Const	   *count = (Const *) parse->limitCount;
	Const	   *offset = (Const *) parse->limitOffset;
	int64		n;

	if (count == NULL || !IsA(count, Const) || count->constisnull ||
		parse->limitOption != LIMIT_OPTION_COUNT)
		return -1;
	n = DatumGetInt64(count->constvalue);
	if (offset != NULL)
	{
		if (!IsA(offset, Const))
			return -1;
		if (!offset->constisnull)
			n += DatumGetInt64(offset->constvalue);
	}
	return n;
}

/*
 * GROUP BY key ORDER BY key DESC LIMIT n (TSBS groupby-orderby-limit):
 * only the n newest buckets are needed.  When the key is a floor function
 * of a time column, the only quals are ranges on that column and nothing
 * else above the grouping can drop groups, the plan gets one more
 * vectorized qual, "column >= $p OR column IS NULL", and custom_private says how to compute $p when the scan starts:
 * the n-th largest bucket among those of the chunks' smallest and largest
 * values, which exist (see topn_threshold).  Chunks, vectors and rows
 * below it are then skipped by the usual pruning, and every group that is
 * emitted is complete.  NIL when the query is not of that form.
 */
static List *
topn_plan(PlannerInfo *root, RelOptInfo *input_rel)
{
	int64		limit = query_limit(root->parse);
	Query	   *parse = root->parse;
	SortGroupClause *gc;
	SortGroupClause *sc;
	Expr	   *key;
	AttrNumber	attno = 0;
	Oid			type = InvalidOid;
	Oid			opfamily;
	Oid			opcintype;
	int16		strategy;
	Oid			btfamily;
	Oid			geop;
	List	   *strategies = NIL;
	List	   *bounds = NIL;
	ListCell   *lc;
	Var		   *col;

	if (limit < 1 || limit > 100000 ||
		list_length(parse->groupClause) != 1 || list_length(parse->sortClause) != 1 ||
		parse->groupingSets || parse->havingQual || parse->distinctClause ||
		parse->hasWindowFuncs || parse->hasTargetSRFs)
		return NIL;
	gc = linitial(parse->groupClause);
	sc = linitial(parse->sortClause);
	if (gc->tleSortGroupRef != sc->tleSortGroupRef ||
		!get_ordering_op_properties(sc->sortop, &opfamily, &opcintype, &strategy) ||
		strategy != BTGreaterStrategyNumber)
		return NIL;
	key = (Expr *) get_sortgroupclause_expr(gc, parse->targetList);
	if (!floor_key_column(key, input_rel->relid, &attno, &type) ||
		!(is_int_type(type) || type == DATEOID || type == TIMESTAMPOID ||
		  type == TIMESTAMPTZOID))
		return NIL;
	btfamily = ts_btree_family(type);
	geop = get_opfamily_member(btfamily, type, type, BTGreaterEqualStrategyNumber);
	if (!OidIsValid(geop))
		return NIL;
	col = makeVar(input_rel->relid, attno, type, -1, InvalidOid, 0);

	/* quals: ranges on the column, whose bounds say which chunks count */
	foreach(lc, input_rel->baserestrictinfo)
	{
		OpExpr	   *op = (OpExpr *) lfirst_node(RestrictInfo, lc)->clause;
		Node	   *value;
		int			st;

		if (!IsA(op, OpExpr) || list_length(op->args) != 2)
			return NIL;
		st = get_op_opfamily_strategy(op->opno, btfamily);
		if (equal(linitial(op->args), col))
			value = lsecond(op->args);
		else if (equal(lsecond(op->args), col))
		{
			value = linitial(op->args);
			st = ts_commute_strategy(st);
		}
		else
			return NIL;
		if (st == 0 || st == BTEqualStrategyNumber || exprType(value) != type ||
			contain_var_clause(value) || contain_volatile_functions(value))
			return NIL;
		strategies = lappend_int(strategies, st);
		bounds = lappend(bounds, value);
	}

	/*
	 * The bound's parameter.  The clause itself is built when the scan
	 * starts (begin_agg): a plan node may not reference a PARAM_EXEC that
	 * no node sets, and this one is set by the node itself.
	 */
	return list_make3(list_make4_int((int) limit, assign_special_exec_param(root), attno,
									 IsA(key, FuncExpr) &&
									 ((FuncExpr *) key)->funcid == F_DATE_TRUNC_TEXT_TIMESTAMPTZ),
					  list_make1_oid(geop),
					  list_make2(strategies, bounds));
}

static Plan *plan_agg(PlannerInfo *root, RelOptInfo *rel,
					  struct CustomPath *best_path, List *tlist,
					  List *clauses, List *custom_plans);
static Node *create_agg_state(CustomScan *cscan);

static const CustomPathMethods agg_path_methods = {
	.CustomName = AGG_NAME,
	.PlanCustomPath = plan_agg,
};

static const CustomScanMethods agg_plan_methods = {
	.CustomName = AGG_NAME,
	.CreateCustomScanState = create_agg_state,
};

static CustomPath *make_agg_path(RelOptInfo *input_rel, PathTarget *partial,
								 Path *scan, double ngroups, int ncolumns);
static void add_finalize_paths(PlannerInfo *root, RelOptInfo *output_rel,
							   Path *input, GroupPathExtraData *extra,
							   AggClauseCosts *costs, double ngroups);
static bool add_combine_path(PlannerInfo *root, RelOptInfo *output_rel,
							 Path *input, GroupPathExtraData *extra,
							 List *finals, double ngroups);

static void
decline(const char *why)
{
	if (ts_debug_require_vector_agg)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("timeseries: aggregation is not computed over vectors: %s", why),
				 errdetail("timeseries.debug_require_vector_agg is on.")));
}

/*
 * The target of the partial aggregation: the grouping expressions, then
 * every aggregate of the target list and HAVING, marked partial (as
 * PostgreSQL's own partial aggregation builds it, so that setrefs matches
 * the Finalize Agg's aggregates to ours).  NULL when some output is neither.
 */
static PathTarget *
partial_target(PlannerInfo *root, PathTarget *grouping_target, Node *having,
			   Index relid, int *nkeys, int *naggs, List **finals,
			   const char **why)
{
	Query	   *parse = root->parse;
	PathTarget *partial = create_empty_pathtarget();
	List	   *other = NIL;
	List	   *aggs;
	ListCell   *lc;
	int			i = 0;

	*nkeys = 0;
	*naggs = 0;
	*finals = NIL;
	foreach(lc, grouping_target->exprs)
	{
		Expr	   *expr = (Expr *) lfirst(lc);
		Index		sgref = get_pathtarget_sortgroupref(grouping_target, i);

		if (sgref && get_sortgroupref_clause_noerr(sgref, parse->groupClause))
		{
			if (!key_spec(expr, relid, NULL))
			{
				*why = "a GROUP BY expression is not a supported column or function of one";
				return NULL;
			}
			add_column_to_pathtarget(partial, expr, sgref);
			*finals = lappend(*finals, expr);
			(*nkeys)++;
		}
		else
			other = lappend(other, expr);
		i++;
	}
	if (having)
		other = lappend(other, having);
	aggs = pull_var_clause((Node *) other,
						   PVC_INCLUDE_AGGREGATES | PVC_RECURSE_WINDOWFUNCS |
						   PVC_INCLUDE_PLACEHOLDERS);
	foreach(lc, aggs)
	{
		Node	   *node = lfirst(lc);
		Aggref	   *partial_agg;
		AggSpec		spec;
		AttrNumber	attno;

		if (!IsA(node, Aggref))
		{
			/*
			 * A grouping column inside an expression, (g, sum(x))::text:
			 * the Finalize Agg takes it from our key.  Any other column is
			 * one the GROUP BY of a primary key lets the query name.
			 */
			if (list_member(partial->exprs, node))
				continue;
			*why = "the output uses a column outside the aggregates and GROUP BY";
			return NULL;
		}
		if (!agg_spec((Aggref *) node, relid, &spec, &attno))
		{
			*why = "an aggregate is not supported";
			return NULL;
		}
		partial_agg = copyObject((Aggref *) node);
		mark_partial_aggref(partial_agg, AGGSPLIT_INITIAL_SERIAL);
		if (!list_member(partial->exprs, partial_agg))
		{
			add_column_to_pathtarget(partial, (Expr *) partial_agg, 0);
			*finals = lappend(*finals, node);
			(*naggs)++;
		}
	}
	set_pathtarget_cost_width(root, partial);
	return partial;
}

void
ts_vector_agg_add_paths(PlannerInfo *root, RelOptInfo *input_rel,
						RelOptInfo *output_rel, GroupPathExtraData *extra)
{
	Query	   *parse = root->parse;
	RangeTblEntry *rte;
	PathTarget *partial;
	int			nkeys;
	int			naggs;
	const char *why = NULL;
	ListCell   *lc;
	CustomPath *cp;
	Path	   *seq = NULL;
	AggClauseCosts costs;
	double		ngroups;
	List	   *group_exprs;
	List	   *finals;

	if (!ts_enable_vector_agg || input_rel->reloptkind != RELOPT_BASEREL)
		return;
	rte = planner_rt_fetch(input_rel->relid, root);
	if (rte->rtekind != RTE_RELATION || rte->inh || rte->tablesample ||
		!ts_is_timeseries_relid(rte->relid))
		return;

	if (parse->groupingSets || parse->hasTargetSRFs || root->rowMarks ||
		input_rel->lateral_relids)
	{
		decline("grouping sets, set-returning functions, row locks or lateral references");
		return;
	}
	foreach(lc, input_rel->baserestrictinfo)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);

		if (ri->pseudoconstant)
		{
			decline("a qual is a constant");
			return;
		}
	}
	{
		List	   *pushed;
		List	   *rest;

		/* every qual, in an order that respects security barriers */
		ts_split_clauses(input_rel->baserestrictinfo, input_rel->relid, &pushed, &rest);
		if (rest != NIL)
		{
			decline("a qual cannot be evaluated over vectors");
			return;
		}
	}
	partial = partial_target(root, output_rel->reltarget, extra->havingQual,
							 input_rel->relid, &nkeys, &naggs, &finals, &why);
	if (partial == NULL)
	{
		decline(why);
		return;
	}

	/* the scan path, under the projection of the scan/join target if any */
	foreach(lc, input_rel->pathlist)
	{
		Path	   *p = (Path *) lfirst(lc);

		if (IsA(p, ProjectionPath))
			p = ((ProjectionPath *) p)->subpath;
		if (ts_is_custom_scan_path(p) && p->param_info == NULL && !p->parallel_aware)
			seq = p;
	}
	if (seq == NULL)
	{
		decline("no TimeseriesScan path");
		return;
	}

	group_exprs = get_sortgrouplist_exprs(parse->groupClause, parse->targetList);
	ngroups = parse->groupClause ? estimate_groups(root, input_rel, group_exprs) : 1;

	MemSet(&costs, 0, sizeof(costs));
	get_agg_clause_costs(root, AGGSPLIT_FINAL_DESERIAL, &costs);

	cp = make_agg_path(input_rel, partial, seq, ngroups, naggs + nkeys);
	cp->custom_private = topn_plan(root, input_rel);
	if (plan_from_metadata(partial, input_rel, nkeys))
	{
		/*
		 * Chunk metadata answers it for the chunks no qual cuts: nearly
		 * free without quals, and no workers to start; with them, the
		 * chunks the quals cut are read.
		 */
		double		cut = input_rel->baserestrictinfo == NIL ? 0 :
			ts_estimate_cut_fraction(root, input_rel);

		if (cut < 1)
		{
			cp->path.startup_cost *= cut;
			cp->path.total_cost = cp->path.startup_cost + cpu_tuple_cost;
			add_finalize_paths(root, output_rel, &cp->path, extra, &costs, ngroups);
			return;
		}
	}
	add_finalize_paths(root, output_rel, &cp->path, extra, &costs, ngroups);

	/*
	 * In parallel: each participant aggregates the chunks it claims and
	 * emits its partial groups; Gather collects them for the Finalize Agg.
	 */
	foreach(lc, input_rel->partial_pathlist)
	{
		Path	   *p = (Path *) lfirst(lc);

		/*
		 * The aggregates and HAVING must be safe to run in workers.  The
		 * newest buckets are found faster by one participant walking the
		 * chunks newest first (topn_update_cutoff) than by several
		 * claiming them in row-id order.
		 */
		if (!output_rel->consider_parallel || cp->custom_private != NIL)
			break;
		if (IsA(p, ProjectionPath))
			p = ((ProjectionPath *) p)->subpath;
		if (ts_is_custom_scan_path(p) && p->parallel_aware && p->param_info == NULL)
		{
			CustomPath *pcp = make_agg_path(input_rel, partial, p, ngroups,
											naggs + nkeys);
			double		rows = ngroups * (p->parallel_workers + 1);
			Path	   *gather;


			pcp->path.parallel_aware = true;
			pcp->path.parallel_safe = true;
			pcp->path.parallel_workers = p->parallel_workers;
			gather = (Path *) create_gather_path(root, input_rel, &pcp->path,
												 partial, NULL, &rows);
			if (!add_combine_path(root, output_rel, gather, extra, finals, ngroups))
				add_finalize_paths(root, output_rel, gather, extra, &costs, ngroups);
			break;
		}
	}
}

/*
 * A TimeseriesAgg path over what scan reads.  Cost: the scan's, less what
 * it spends handing rows out one by one (half its run cost), plus a small
 * per-row charge per aggregate and key (vector loops), plus the groups.
 */
static CustomPath *
make_agg_path(RelOptInfo *input_rel, PathTarget *partial, Path *scan,
			  double ngroups, int ncolumns)
{
	CustomPath *cp = makeNode(CustomPath);

	cp->path.pathtype = T_CustomScan;
	cp->path.parent = input_rel;
	cp->path.pathtarget = partial;
	cp->path.param_info = NULL;
	cp->path.parallel_aware = false;
	cp->path.parallel_safe = input_rel->consider_parallel;
	cp->path.parallel_workers = 0;
	cp->path.rows = ngroups;
	cp->path.startup_cost = scan->startup_cost +
		(scan->total_cost - scan->startup_cost) * 0.5 +
		scan->rows * cpu_operator_cost * 0.1 * ncolumns;
	cp->path.total_cost = cp->path.startup_cost + ngroups * cpu_tuple_cost;
	cp->path.pathkeys = NIL;
	cp->flags = 0;
	cp->methods = &agg_path_methods;
	return cp;
}

/* The Finalize Agg over partial rows: plain, hashed, or sorted. */
static void
add_finalize_paths(PlannerInfo *root, RelOptInfo *output_rel, Path *input,
				   GroupPathExtraData *extra, AggClauseCosts *costs,
				   double ngroups)
{
	Query	   *parse = root->parse;
	if (parse->groupClause == NIL)
		add_path(output_rel, (Path *)
				 create_agg_path(root, output_rel, input, output_rel->reltarget,
								 AGG_PLAIN, AGGSPLIT_FINAL_DESERIAL, NIL,
								 (List *) extra->havingQual, costs, 1));
	else
	{
		if (grouping_is_hashable(parse->groupClause))
			add_path(output_rel, (Path *)
					 create_agg_path(root, output_rel, input, output_rel->reltarget,
									 AGG_HASHED, AGGSPLIT_FINAL_DESERIAL,
									 parse->groupClause, (List *) extra->havingQual,
									 costs, ngroups));
		if (grouping_is_sortable(parse->groupClause))
		{
			/* no pathkeys: every key is a constant, one group, no sort */
			Path	   *sorted = root->group_pathkeys == NIL ? input :
			(Path *) create_sort_path(root, output_rel, input,
									  root->group_pathkeys, -1.0);

			add_path(output_rel, (Path *)
					 create_agg_path(root, output_rel, sorted, output_rel->reltarget,
									 AGG_SORTED, AGGSPLIT_FINAL_DESERIAL,
									 parse->groupClause, (List *) extra->havingQual,
									 costs, ngroups));
		}
	}
}

/*
 * The scan's output (custom_scan_tlist) is the partial target, then one
 * resjunk column per column its quals test: setrefs turns the quals'
 * Vars into references to those, and the executor maps them back.
 */
static Plan *
plan_agg(PlannerInfo *root, RelOptInfo *rel, struct CustomPath *best_path,
		 List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cs = makeNode(CustomScan);
	List	   *pushed;
	List	   *rest;
	List	   *quals;
	List	   *scan_tlist = copyObject(tlist);
	List	   *vars;
	ListCell   *lc;

	ts_split_clauses(clauses, rel->relid, &pushed, &rest);
	if (rest != NIL)
		elog(ERROR, "timeseries: a qual under TimeseriesAgg cannot be evaluated over vectors");
	quals = extract_actual_clauses(pushed, false);
	if (list_length(quals) != list_length(clauses))
		elog(ERROR, "timeseries: unexpected pseudoconstant qual under TimeseriesAgg");
	vars = pull_var_clause((Node *) quals, 0);
	if (best_path->custom_private != NIL)
	{
		AttrNumber	attno = lthird_int(linitial(best_path->custom_private));
		Form_pg_attribute att;
		Relation	r = table_open(planner_rt_fetch(rel->relid, root)->relid, NoLock);

		att = TupleDescAttr(RelationGetDescr(r), attno - 1);
		vars = lappend(vars, makeVar(rel->relid, attno, att->atttypid, att->atttypmod,
									 att->attcollation, 0));
		table_close(r, NoLock);
	}
	foreach(lc, vars)
	{
		Var		   *var = lfirst(lc);

		if (tlist_member((Expr *) var, scan_tlist) == NULL)
			scan_tlist = lappend(scan_tlist,
								 makeTargetEntry((Expr *) copyObject(var),
												 list_length(scan_tlist) + 1,
												 NULL, true));
	}
	cs->scan.plan.targetlist = tlist;
	cs->scan.plan.qual = NIL;
	cs->scan.scanrelid = rel->relid;
	cs->flags = best_path->flags;
	cs->custom_plans = NIL;
	cs->custom_exprs = quals;
	cs->custom_private = best_path->custom_private;
	cs->custom_scan_tlist = scan_tlist;
	cs->methods = &agg_plan_methods;
	return &cs->scan.plan;
}

/* ---------- TimeseriesCombine: planning ---------- */

/*
 * Above the Gather of a parallel TimeseriesAgg, TimeseriesCombine replaces
 * PostgreSQL's Finalize Agg: it combines the participants' partial groups
 * in the same group table TimeseriesAgg uses, with the combine functions'
 * arithmetic done natively on the states' fields, and applies the final
 * functions.  PostgreSQL's generic combining (a function call per
 * aggregate and partial row, each float8[] state detoasted from the
 * tuple queue's packed form) took 9 ms of the 53 ms of TSBS
 * double-groupby-all: 5,700 partial rows of ten avg states.
 *
 * Aggregates: those TimeseriesAgg computes whose states are plain values
 * or arrays (combined_here: not first()/last(), sums of int8 and numeric
 * and variances of integers and numeric, whose states are serialized, nor
 * min/max of numeric and text),
 * and only with the final functions listed in combine_final_ok.
 */
#define COMBINE_NAME "TimeseriesCombine"

static Plan *plan_combine(PlannerInfo *root, RelOptInfo *rel,
						  struct CustomPath *best_path, List *tlist,
						  List *clauses, List *custom_plans);
static Node *create_combine_state(CustomScan *cscan);

static const CustomPathMethods combine_path_methods = {
	.CustomName = COMBINE_NAME,
	.PlanCustomPath = plan_combine,
};

static const CustomScanMethods combine_plan_methods = {
	.CustomName = COMBINE_NAME,
	.CreateCustomScanState = create_combine_state,
};

/* The range table index of the relation an aggregate reads (0: none). */
static Index
aggref_relid(Aggref *aggref)
{
	List	   *vars = pull_var_clause((Node *) list_make2(aggref->args,
														   aggref->aggfilter), 0);

	return vars ? ((Var *) linitial(vars))->varno : 0;
}

/*
 * Kinds whose partial states are combined here; the others' (serialized,
 * or values by reference) keep PostgreSQL's Finalize Agg.
 */
static bool
combined_here(AggKind kind)
{
	switch (kind)
	{
		case AK_COUNT_STAR:
		case AK_COUNT:
		case AK_SUM_INT:
		case AK_SUM_FLOAT4:
		case AK_SUM_FLOAT8:
		case AK_AVG_INT:
		case AK_ACCUM:
		case AK_MIN:
		case AK_MAX:
			return true;
		case AK_SUM_INT8:
		case AK_SUM_NUMERIC:
		case AK_MOMENTS:
		case AK_MIN_CMP:
		case AK_MAX_CMP:
		case AK_FIRST:
		case AK_LAST:
			return false;
	}
	return false;
}

/* Final functions computed here (natively or through fmgr on the state). */
static bool
combine_final_ok(Oid finalfn)
{
	switch (finalfn)
	{
		case InvalidOid:
		case F_FLOAT8_AVG:
		case F_FLOAT8_VAR_POP:
		case F_FLOAT8_VAR_SAMP:
		case F_FLOAT8_STDDEV_POP:
		case F_FLOAT8_STDDEV_SAMP:
		case F_INT8_AVG:
			return true;
		default:
			return false;
	}
}

/*
 * The path, when every aggregate can be combined here; it is then the only
 * one over the Gather: with its cost within a percent of the Finalize
 * Agg's (the scan dominates both), add_path would keep a sorted Finalize
 * Agg for its order alone.  Cost: the Gather's, plus a small charge per
 * partial row and aggregate.
 */
static bool
add_combine_path(PlannerInfo *root, RelOptInfo *output_rel, Path *input,
				 GroupPathExtraData *extra, List *finals, double ngroups)
{
	CustomPath *cp;
	List	   *finalfns = NIL;
	ListCell   *lc;
	int			naggs = 0;

	foreach(lc, finals)
	{
		Aggref	   *aggref = lfirst(lc);
		HeapTuple	tup;
		Form_pg_aggregate agg;
		AggSpec		spec;
		AttrNumber	attno;
		bool		ok;

		if (!IsA(aggref, Aggref))
			continue;
		memset(&spec, 0, sizeof(spec));
		if (!agg_spec(aggref, aggref_relid(aggref), &spec, &attno) ||
			!combined_here(spec.kind))
			return false;
		tup = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(aggref->aggfnoid));
		if (!HeapTupleIsValid(tup))
			return false;
		agg = (Form_pg_aggregate) GETSTRUCT(tup);
		ok = combine_final_ok(agg->aggfinalfn) && !agg->aggfinalextra;
		finalfns = lappend_oid(finalfns, agg->aggfinalfn);
		ReleaseSysCache(tup);
		if (!ok)
			return false;
		naggs++;
	}

	cp = makeNode(CustomPath);
	cp->path.pathtype = T_CustomScan;
	cp->path.parent = output_rel;
	cp->path.pathtarget = output_rel->reltarget;
	cp->path.param_info = NULL;
	cp->path.parallel_aware = false;
	cp->path.parallel_safe = false;
	cp->path.parallel_workers = 0;
	cp->path.rows = ngroups;
	cp->path.startup_cost = input->total_cost +
		input->rows * cpu_operator_cost * (1 + naggs) * 0.25;
	cp->path.total_cost = cp->path.startup_cost + ngroups * cpu_tuple_cost;
	cp->path.pathkeys = NIL;
	/* gapfill projects the bare aggregates out of it */
	cp->flags = CUSTOMPATH_SUPPORT_PROJECTION;
	cp->custom_paths = list_make1(input);
	cp->custom_private = list_make3(finals, extra->havingQual, finalfns);
	cp->methods = &combine_path_methods;
	add_path(output_rel, &cp->path);
	return true;
}

/*
 * custom_scan_tlist: the group keys and the final aggregates, in the order
 * of the partial columns the Gather brings; setrefs turns the target list's
 * and HAVING's aggregates into references to it.
 */
static Plan *
plan_combine(PlannerInfo *root, RelOptInfo *rel, struct CustomPath *best_path,
			 List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cs = makeNode(CustomScan);
	List	   *finals = linitial(best_path->custom_private);
	List	   *having = lsecond(best_path->custom_private);
	List	   *scan_tlist = NIL;
	ListCell   *lc;

	foreach(lc, finals)
		scan_tlist = lappend(scan_tlist,
							 makeTargetEntry(copyObject(lfirst(lc)),
											 list_length(scan_tlist) + 1, NULL, false));
	cs->scan.plan.targetlist = tlist;
	cs->scan.plan.qual = having;
	cs->scan.scanrelid = 0;
	cs->flags = best_path->flags;
	cs->custom_plans = custom_plans;
	cs->custom_exprs = NIL;
	cs->custom_private = list_make1(lthird(best_path->custom_private));
	cs->custom_scan_tlist = scan_tlist;
	cs->methods = &combine_plan_methods;
	return &cs->scan.plan;
}

/* ---------- execution ---------- */

typedef struct TsAggState
{
	CustomScanState css;
	int			nkeys;
	int			naggs;
	KeySpec    *keys;
	AggSpec    *aggs;
	int		   *key_col;		/* output column of each key */
	int		   *agg_col;		/* output column of each aggregate */
	bool	   *read_att;
	List	   *quals;
	VectorQual *vq;
	TableScanDesc scan;
	bool		values_set;

	/* groups */
	MemoryContext groups_cxt;
	int			initial_groups; /* the planner's estimate, within work_mem */
	int			ngroups;
	int			maxgroups;
	Datum	   *group_keys;		/* [group * nkeys + k] */
	bool	   *group_nulls;
	uint32	   *group_hash;
	AggSlot    *slots;			/* SLOT(state, group, a) */
	uint64	   *table;			/* open addressing: hash << 32 | (group + 1), 0 empty */
	uint32		table_mask;
	Size		text_bytes;

	pg_atomic_uint64 *next_claim;	/* parallel: in the DSM, or NULL */
	bool		from_metadata;	/* chunks can be answered by their summaries */

	bool		scan_done;
	int			emit_pos;
	bool		emitting;
	int64		groups_emitted;
	int64		flushes;

	/* ORDER BY key DESC LIMIT topn (topn_plan), or topn 0 */
	int			topn;
	bool		topn_fixed_zone;	/* only when the session zone has a fixed offset */
	int			topn_param;
	AttrNumber	topn_attno;
	Oid			topn_type;
	List	   *topn_strategies;
	List	   *topn_bounds;	/* ExprStates */
	bool		topn_ordered;	/* chunks walked newest first, cut off as buckets fill */
	bool		topn_any_deleted;	/* the snapshot sees deleted rows */
	int			topn_seen_groups;	/* groups when the cutoff was last computed */

	/* TimeseriesCombine (the partial groups come from child) */
	PlanState  *child;
	Oid		   *finalfn;		/* per aggregate */
	FmgrInfo   *final_flinfo;
	Oid		   *key_collation;
	Datum	   *row_values;		/* a partial row's keys */
	bool	   *row_nulls;
	Tuplesortstate *sort;		/* past work_mem: partial rows sorted by keys */
	TupleTableSlot *sort_slot;
	bool		sort_have_row;	/* sort_slot holds the next group's first row */
	bool		sort_emitted;	/* the one group was emitted: drop it first */
} TsAggState;

static void begin_agg(CustomScanState *node, EState *estate, int eflags);
static void set_initial_groups(TsAggState *state);
static TupleTableSlot *exec_agg(CustomScanState *node);
static void end_agg(CustomScanState *node);
static void rescan_agg(CustomScanState *node);
static void explain_agg(CustomScanState *node, List *ancestors, ExplainState *es);
static bool metadata_answers(TsAggState *state);
static bool chunk_from_metadata(void *arg, const ChunkMeta *meta);
static Size agg_estimate_dsm(CustomScanState *node, ParallelContext *pcxt);
static void agg_initialize_dsm(CustomScanState *node, ParallelContext *pcxt,
							   void *coordinate);
static void agg_reinitialize_dsm(CustomScanState *node, ParallelContext *pcxt,
								 void *coordinate);
static void agg_initialize_worker(CustomScanState *node, shm_toc *toc,
								  void *coordinate);
static void agg_shutdown(CustomScanState *node);

static const CustomExecMethods agg_exec_methods = {
	.CustomName = AGG_NAME,
	.BeginCustomScan = begin_agg,
	.ExecCustomScan = exec_agg,
	.EndCustomScan = end_agg,
	.ReScanCustomScan = rescan_agg,
	.EstimateDSMCustomScan = agg_estimate_dsm,
	.InitializeDSMCustomScan = agg_initialize_dsm,
	.ReInitializeDSMCustomScan = agg_reinitialize_dsm,
	.InitializeWorkerCustomScan = agg_initialize_worker,
	.ShutdownCustomScan = agg_shutdown,
	.ExplainCustomScan = explain_agg,
};

void
ts_vector_agg_init(void)
{
	RegisterCustomScanMethods(&agg_plan_methods);
	RegisterCustomScanMethods(&combine_plan_methods);
}

static Node *
create_agg_state(CustomScan *cscan)
{
	TsAggState *state = (TsAggState *) newNode(sizeof(TsAggState),
											   T_CustomScanState);

	state->css.methods = &agg_exec_methods;
	return (Node *) state;
}

static void
reset_groups(TsAggState *state)
{
	MemoryContextReset(state->groups_cxt);
	state->ngroups = 0;
	state->maxgroups = 0;
	state->group_keys = NULL;
	state->group_nulls = NULL;
	state->group_hash = NULL;
	state->slots = NULL;
	state->table = NULL;
	state->table_mask = 0;
	state->text_bytes = 0;
	state->topn_seen_groups = 0;
}

static void
begin_agg(CustomScanState *node, EState *estate, int eflags)
{
	TsAggState *state = (TsAggState *) node;
	CustomScan *cs = (CustomScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	int			natts = RelationGetDescr(rel)->natts;
	int			ncols = list_length(cs->custom_scan_tlist);
	AttrNumber *attmap = palloc0(sizeof(AttrNumber) * (ncols + 1));
	Expr	   *topn_clause = NULL;
	ListCell   *lc;
	int			col = 0;

	state->read_att = palloc0(sizeof(bool) * Max(natts, 1));
	state->keys = palloc0(sizeof(KeySpec) * Max(ncols, 1));
	state->aggs = palloc0(sizeof(AggSpec) * Max(ncols, 1));
	state->key_col = palloc0(sizeof(int) * Max(ncols, 1));
	state->agg_col = palloc0(sizeof(int) * Max(ncols, 1));

	/* classify the output columns: keys, partial aggregates, qual columns */
	foreach(lc, cs->custom_scan_tlist)
	{
		TargetEntry *te = lfirst_node(TargetEntry, lc);
		AttrNumber	attno;
		Oid			type;

		/* the quals' Vars were turned into references to these columns */
		if (column_var((Node *) te->expr, cs->scan.scanrelid, &attno, &type))
			attmap[col + 1] = attno;
		if (te->resjunk)
			;
		else if (IsA(te->expr, Aggref))
		{
			Aggref	   *aggref = copyObject((Aggref *) te->expr);

			aggref->aggsplit = AGGSPLIT_SIMPLE;
			if (!agg_spec(aggref, cs->scan.scanrelid, &state->aggs[state->naggs], &attno))
				elog(ERROR, "timeseries: unsupported aggregate in TimeseriesAgg");
			if (aggref->aggfilter)
				state->aggs[state->naggs].filter =
					vector_qual_compile(make_ands_implicit(aggref->aggfilter),
										cs->scan.scanrelid, NULL, &node->ss.ps);
			if (attno > 0)
				state->read_att[attno - 1] = true;
			state->agg_col[state->naggs++] = col;
		}
		else
		{
			KeySpec    *k = &state->keys[state->nkeys];

			if (!key_spec(te->expr, cs->scan.scanrelid, k))
				elog(ERROR, "timeseries: unsupported group key in TimeseriesAgg");
			key_setup(k, k->keytype, exprCollation((Node *) te->expr));
			state->read_att[k->attidx] = true;
			if (k->func)
			{
				int			nargs = list_length(k->func->args);
				ListCell   *alc;
				int			i = 0;

				fmgr_info(k->func->funcid, &k->flinfo);
				k->fcinfo = palloc0(SizeForFunctionCallInfo(nargs));
				k->cache_in = palloc(sizeof(Datum) * KEY_CACHE_SIZE);
				k->cache_out = palloc(sizeof(Datum) * KEY_CACHE_SIZE);
				k->cache_used = palloc0(sizeof(bool) * KEY_CACHE_SIZE);
				InitFunctionCallInfoData(*k->fcinfo, &k->flinfo, nargs,
										 k->func->inputcollid, NULL, NULL);
				foreach(alc, k->func->args)
				{
					Node	   *arg = lfirst(alc);

					if (i != k->colarg && IsA(arg, Const))
					{
						k->fcinfo->args[i].value = ((Const *) arg)->constvalue;
						k->fcinfo->args[i].isnull = ((Const *) arg)->constisnull;
					}
					else if (i != k->colarg && ts_gapfill_bound_arg(k->func, i))
					{
						/* a gapfill bound, which the bucket does not use */
						k->fcinfo->args[i].value = (Datum) 0;
						k->fcinfo->args[i].isnull = true;
					}
					else if (i != k->colarg)
					{
						if (k->arg_exprs == NULL)
							k->arg_exprs = palloc0(sizeof(ExprState *) * nargs);
						k->arg_exprs[i] = ExecInitExpr((Expr *) arg, &node->ss.ps);
					}
					i++;
				}
				/* with parameters, once they are known */
				if (k->arg_exprs == NULL)
					set_trunc_arithmetic(k);
			}
			state->key_col[state->nkeys++] = col;
		}
		col++;
	}
	state->quals = cs->custom_exprs;
	if (cs->custom_private != NIL)
	{
		List	   *ints = linitial(cs->custom_private);

		List	   *bounds = lthird(cs->custom_private);
		int			pos = 0;
		Var		   *var;
		Param	   *param;
		Expr	   *clause;

		state->topn = linitial_int(ints);
		state->topn_param = lsecond_int(ints);
		state->topn_attno = lthird_int(ints);
		state->topn_fixed_zone = lfourth_int(ints);
		state->topn_type = TupleDescAttr(RelationGetDescr(rel), state->topn_attno - 1)->atttypid;
		state->topn_strategies = linitial(bounds);

		/* "column >= $param" [OR column IS NULL], over the scan's columns */
		foreach(lc, cs->custom_scan_tlist)
		{
			AttrNumber	a;
			Oid			t;

			pos++;
			if (column_var((Node *) lfirst_node(TargetEntry, lc)->expr,
						   cs->scan.scanrelid, &a, &t) && a == state->topn_attno)
				break;
		}
		if (lc == NULL)
			elog(ERROR, "timeseries: the time column is missing from TimeseriesAgg's columns");
		var = makeVar(INDEX_VAR, pos, state->topn_type, -1, InvalidOid, 0);
		param = makeNode(Param);
		param->paramkind = PARAM_EXEC;
		param->paramid = state->topn_param;
		param->paramtype = state->topn_type;
		param->paramtypmod = -1;
		param->paramcollid = InvalidOid;
		param->location = -1;
		clause = make_opclause(linitial_oid(lsecond(cs->custom_private)), BOOLOID, false,
							   (Expr *) var, (Expr *) param, InvalidOid, InvalidOid);
		fix_opfuncids((Node *) clause);

		/*
		 * NULLs pass: their group is read whole, and it is first when NULLs
		 * sort first, or needed when there are fewer buckets than the limit.
		 */
		{
			NullTest   *nt = makeNode(NullTest);

			nt->arg = (Expr *) copyObject(var);
			nt->nulltesttype = IS_NULL;
			nt->argisrow = false;
			nt->location = -1;
			clause = makeBoolExpr(OR_EXPR, list_make2(clause, nt), -1);
		}
		topn_clause = clause;
		foreach(lc, (List *) lsecond(bounds))
		{
			Node	   *bound = copyObject(lfirst(lc));

			fix_opfuncids(bound);
			state->topn_bounds = lappend(state->topn_bounds,
										 ExecInitExpr((Expr *) bound, &node->ss.ps));
		}
	}
	state->from_metadata = metadata_answers(state);
	state->vq = vector_qual_compile(topn_clause ? lappend(list_copy(state->quals), topn_clause) :
									state->quals, INDEX_VAR, attmap, &node->ss.ps);
	state->groups_cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "timeseries agg groups",
											  ALLOCSET_DEFAULT_SIZES);
	set_initial_groups(state);
	reset_groups(state);
}

/* ---------- groups ---------- */

/*
 * Aggregate-major: a pass of one aggregate over a batch touches only that
 * aggregate's slots, which stay in cache when the slots of all aggregates
 * would not.
 */
#define SLOT(state, g, a)	(&(state)->slots[(Size) (a) * (state)->maxgroups + (g)])

/* Per-batch cache of the groups of text keys' pointers (consume_batch). */
#define GROUP_PTR_CACHE 512

/* A hash table entry: the group's hash with it saves a load per probe. */
#define TABLE_ENTRY(h, g)	(((uint64) (uint32) (h) << 32) | (uint32) ((g) + 1))

static inline uint64
mix64(uint64 x)
{
	x ^= x >> 33;
	x *= UINT64CONST(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64CONST(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

static inline bool
key_equal(const KeySpec *k, Datum a, Datum b)
{
	if (unlikely(k->generic))
		return a == b ||
			DatumGetBool(FunctionCall2Coll((FmgrInfo *) &k->eq_fn, k->collation, a, b));
	if (k->is_text)
	{
		Size		la = VARSIZE_ANY_EXHDR(DatumGetPointer(a));
		Size		lb = VARSIZE_ANY_EXHDR(DatumGetPointer(b));

		return la == lb && memcmp(VARDATA_ANY(DatumGetPointer(a)),
								  VARDATA_ANY(DatumGetPointer(b)), la) == 0;
	}
	/* other keys are held as their int64 view (batch_keys) */
	return a == b;
}

static void
grow_groups(TsAggState *state)
{
	int			newmax = state->maxgroups > 0 ? state->maxgroups * 2 :
		Max(state->initial_groups, 64);
	MemoryContext old = MemoryContextSwitchTo(state->groups_cxt);
	Size		nk = Max(state->nkeys, 1);
	Size		na = Max(state->naggs, 1);

	if (state->maxgroups == 0)
	{
		state->group_keys = palloc(sizeof(Datum) * nk * newmax);
		state->group_nulls = palloc(sizeof(bool) * nk * newmax);
		state->group_hash = palloc(sizeof(uint32) * newmax);
		state->slots = palloc_extended(sizeof(AggSlot) * na * newmax, MCXT_ALLOC_HUGE);
	}
	else
	{
		AggSlot    *slots = palloc_extended(sizeof(AggSlot) * na * newmax, MCXT_ALLOC_HUGE);

		state->group_keys = repalloc_huge(state->group_keys, sizeof(Datum) * nk * newmax);
		state->group_nulls = repalloc_huge(state->group_nulls, sizeof(bool) * nk * newmax);
		state->group_hash = repalloc_huge(state->group_hash, sizeof(uint32) * newmax);
		for (Size a = 0; a < na; a++)
			memcpy(&slots[a * newmax], &state->slots[a * state->maxgroups],
				   sizeof(AggSlot) * state->ngroups);
		pfree(state->slots);
		state->slots = slots;
	}
	state->maxgroups = newmax;

	/* the table stays at most half full */
	if (state->table == NULL || (uint32) newmax * 2 > state->table_mask + 1)
	{
		uint32		size = 16;

		while (size < (uint32) newmax * 2)
			size *= 2;
		if (state->table)
			pfree(state->table);
		state->table = palloc_extended(sizeof(uint64) * size, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		state->table_mask = size - 1;
		for (int g = 0; g < state->ngroups; g++)
		{
			uint32		pos = state->group_hash[g] & state->table_mask;

			while (state->table[pos] != 0)
				pos = (pos + 1) & state->table_mask;
			state->table[pos] = TABLE_ENTRY(state->group_hash[g], g);
		}
	}
	MemoryContextSwitchTo(old);
}

/* The hash of one key value. */
static inline uint64
key_hash(const KeySpec *key, Datum value, bool isnull)
{
	if (isnull)
		return UINT64CONST(0x9e3779b97f4a7c15);
	if (unlikely(key->generic))
		return mix64(DatumGetUInt32(FunctionCall1Coll((FmgrInfo *) &key->hash_fn,
													  key->collation, value)));
	if (key->is_text)
		return hash_bytes((const unsigned char *) VARDATA_ANY(DatumGetPointer(value)),
						  VARSIZE_ANY_EXHDR(DatumGetPointer(value)));
	return (uint64) value;
}

static inline uint64
combine_key_hash(uint64 h, uint64 kh, int k)
{
	return mix64(h ^ kh) + k;
}

/* The group of keys (values[k], nulls[k]) of hash h, created when new. */
static pg_attribute_always_inline int
find_group_hashed(TsAggState *state, uint64 h, const Datum *values,
				  const bool *nulls)
{
	uint32		pos;
	int			g;
	uint64		e;

	if (state->ngroups >= state->maxgroups)
		grow_groups(state);
	pos = (uint32) h & state->table_mask;
	while ((e = state->table[pos]) != 0)
	{
		if ((uint32) (e >> 32) == (uint32) h)
		{
			bool		same = true;

			g = (int) (uint32) e - 1;
			for (int k = 0; k < state->nkeys && same; k++)
			{
				bool		gn = state->group_nulls[g * state->nkeys + k];

				same = gn == nulls[k] &&
					(gn || key_equal(&state->keys[k],
									 state->group_keys[g * state->nkeys + k], values[k]));
			}
			if (same)
				return g;
		}
		pos = (pos + 1) & state->table_mask;
	}

	/* a new group */
	g = state->ngroups++;
	state->table[pos] = TABLE_ENTRY(h, g);
	state->group_hash[g] = (uint32) h;
	for (int k = 0; k < state->nkeys; k++)
	{
		Datum		v = values[k];

		if (!nulls[k] && state->keys[k].generic && !state->keys[k].typbyval)
		{
			MemoryContext old = MemoryContextSwitchTo(state->groups_cxt);

			v = datumCopy(v, false, state->keys[k].typlen);
			MemoryContextSwitchTo(old);
			state->text_bytes += datumGetSize(v, false, state->keys[k].typlen);
		}
		else if (!nulls[k] && state->keys[k].is_text)
		{
			Size		len = VARSIZE_ANY_EXHDR(DatumGetPointer(v));
			text	   *copy = MemoryContextAlloc(state->groups_cxt, len + VARHDRSZ);

			SET_VARSIZE(copy, len + VARHDRSZ);
			memcpy(VARDATA(copy), VARDATA_ANY(DatumGetPointer(v)), len);
			v = PointerGetDatum(copy);
			state->text_bytes += len + VARHDRSZ;
		}
		state->group_keys[g * state->nkeys + k] = nulls[k] ? (Datum) 0 : v;
		state->group_nulls[g * state->nkeys + k] = nulls[k];
	}
	for (int a = 0; a < state->naggs; a++)
		memset(SLOT(state, g, a), 0, sizeof(AggSlot));
	return g;
}

static int
find_group(TsAggState *state, const Datum *values, const bool *nulls)
{
	uint64		h = 0;

	for (int k = 0; k < state->nkeys; k++)
		h = combine_key_hash(h, key_hash(&state->keys[k], values[k], nulls[k]), k);
	return find_group_hashed(state, h, values, nulls);
}

/* Memory the groups hold, to compare with work_mem. */
static Size
groups_bytes(TsAggState *state)
{
	return (Size) state->maxgroups *
		(state->nkeys * (sizeof(Datum) + sizeof(bool)) + sizeof(uint32) +
		 state->naggs * sizeof(AggSlot) + 2 * sizeof(uint64)) + state->text_bytes;
}

/*
 * Room for the groups the planner expects (within half of work_mem) from
 * the start: growing by doubling copies the slots and faults in fresh
 * memory each time (1.5% of double-groupby-all's profile).
 */
static void
set_initial_groups(TsAggState *state)
{
	double		est = state->css.ss.ps.plan->plan_rows;
	Size		per_group = state->nkeys * (sizeof(Datum) + sizeof(bool)) +
		sizeof(uint32) + state->naggs * sizeof(AggSlot) + 2 * sizeof(uint64);
	double		cap = (double) work_mem * 1024 / 2 / per_group;

	state->initial_groups = (int) Max(Min(Min(est, cap), 1 << 20), 64);
}

/* ---------- accumulating ---------- */

/*
 * date_trunc to a unit of fixed length (microseconds up to days) of a
 * timestamp, or of a timestamptz in a session zone with a fixed offset (UTC
 * included), is a floor in local time: done by arithmetic instead of
 * converting to and from broken-down time and parsing the unit every call.
 * Decided when the scan starts, with the session's zone then.
 */
static void
set_trunc_arithmetic(KeySpec *key)
{
	FuncExpr   *f = key->func;
	text	   *unit;
	char	   *lowunits;
	int			val;
	long		gmtoff = 0;

	key->trunc_usecs = 0;
	if (f == NULL || key->colarg != 1 || list_length(f->args) != 2 ||
		!(f->funcid == F_DATE_TRUNC_TEXT_TIMESTAMP ||
		  f->funcid == F_DATE_TRUNC_TEXT_TIMESTAMPTZ) ||
		key->fcinfo->args[0].isnull)
		return;
	if (f->funcid == F_DATE_TRUNC_TEXT_TIMESTAMPTZ &&
		!pg_get_timezone_offset(session_timezone, &gmtoff))
		return;
	unit = DatumGetTextPP(key->fcinfo->args[0].value);
	lowunits = downcase_truncate_identifier(VARDATA_ANY(unit), VARSIZE_ANY_EXHDR(unit),
											false);
	if (DecodeUnits(0, lowunits, &val) != UNITS)
		return;
	switch (val)
	{
		case DTK_MICROSEC:
			key->trunc_usecs = 1;
			break;
		case DTK_MILLISEC:
			key->trunc_usecs = 1000;
			break;
		case DTK_SECOND:
			key->trunc_usecs = USECS_PER_SEC;
			break;
		case DTK_MINUTE:
			key->trunc_usecs = USECS_PER_MINUTE;
			break;
		case DTK_HOUR:
			key->trunc_usecs = USECS_PER_HOUR;
			break;
		case DTK_DAY:
			key->trunc_usecs = USECS_PER_DAY;
			break;
		default:
			return;
	}
	key->trunc_offset = (int64) gmtoff * USECS_PER_SEC;
}

/*
 * The key of a non-NULL column value: the function's result, from the
 * previous row's or the cache when it was computed already.
 */
static Datum
key_of(KeySpec *key, Datum value, bool *isnull)
{
	if (key->trunc_usecs > 0)
	{
		Timestamp	t = DatumGetTimestamp(value);

		*isnull = false;
		if (TIMESTAMP_NOT_FINITE(t))
			return value;		/* as date_trunc */
		else
		{
			int64		local = t + key->trunc_offset;
			int64		q = local / key->trunc_usecs;
			Timestamp	r;

			if (local % key->trunc_usecs < 0)
				q--;
			r = q * key->trunc_usecs - key->trunc_offset;
			/* date_trunc's own errors at the edges of the range */
			if (IS_VALID_TIMESTAMP(r))
				return TimestampGetDatum(r);
		}
	}
	if (!key->have_last || value != key->last_in)
	{
		uint32		slot = (uint32) mix64((uint64) value) & (KEY_CACHE_SIZE - 1);
		Datum		r;

		if (key->cache_used[slot] && key->cache_in[slot] == value)
		{
			r = key->cache_out[slot];
			key->last_out_null = false;
		}
		else
		{
			key->fcinfo->args[key->colarg].value = value;
			key->fcinfo->args[key->colarg].isnull = false;
			key->fcinfo->isnull = false;
			r = FunctionCallInvoke(key->fcinfo);
			key->last_out_null = key->fcinfo->isnull;
			key->cache_used[slot] = !key->last_out_null;
			key->cache_in[slot] = value;
			key->cache_out[slot] = r;
		}
		key->last_in = value;
		key->last_out = r;
		key->have_last = true;
	}
	*isnull = key->last_out_null;
	return key->last_out;
}

/* Are the type's Datums its int64 view already (summary_int64 the identity)? */
static inline bool
int64_datum_type(Oid type)
{
	return type == INT8OID || type == TIMESTAMPOID || type == TIMESTAMPTZOID;
}

/* The key values of a batch: columns, or a function of a column. */
static void
batch_keys(TsAggState *state, int k, int nrows, const bool *sel,
		   Datum *out, bool *outnull)
{
	KeySpec    *key = &state->keys[k];
	Datum	   *values;
	bool	   *isnull;
	int			stretch_end = -1;	/* rows up to it are in time order */

	ts_scan_batch_column(state->scan, key->attidx, &values, &isnull);
	if (key->func == NULL)
	{
		if (key->is_text || key->generic)
			memcpy(out, values, sizeof(Datum) * nrows);
		else
			for (int i = 0; i < nrows; i++)
				out[i] = isnull[i] ? (Datum) 0 :
					Int64GetDatum(summary_int64(key->keytype, values[i]));
		memcpy(outnull, isnull, sizeof(bool) * nrows);
		return;
	}
	if (key->null_key)
	{
		/* a strict function is not called with a NULL parameter */
		memset(out, 0, sizeof(Datum) * nrows);
		memset(outnull, true, sizeof(bool) * nrows);
		return;
	}
	for (int i = 0; i < nrows; i++)
	{
		int			last;

		if (sel && !sel[i])
			continue;
		if (isnull[i] && key->strict)
		{
			out[i] = (Datum) 0;
			outnull[i] = true;
			continue;
		}
		if (isnull[i])
		{
			key->fcinfo->args[key->colarg].value = (Datum) 0;
			key->fcinfo->args[key->colarg].isnull = true;
			key->fcinfo->isnull = false;
			out[i] = FunctionCallInvoke(key->fcinfo);
			outnull[i] = key->fcinfo->isnull;
			key->have_last = false;
			continue;
		}
		out[i] = key_of(key, values[i], &outnull[i]);
		if (!key->monotonic || outnull[i])
			continue;

		/*
		 * A bucket function never decreases, so over rows whose times do
		 * not decrease, the rows up to the last one with the same bucket
		 * all have it: find that one by bisection (a few calls per bucket
		 * instead of one lookup per row).  The stretch of rows in time
		 * order from i is found once for all its buckets.
		 */
		if (stretch_end < i)
		{
			stretch_end = i;
			if (sel == NULL && int64_datum_type(key->coltype))
			{
				while (stretch_end + 1 < nrows && !isnull[stretch_end + 1] &&
					   DatumGetInt64(values[stretch_end + 1]) >=
					   DatumGetInt64(values[stretch_end]))
					stretch_end++;
			}
			else
				while (stretch_end + 1 < nrows && !(sel && !sel[stretch_end + 1]) &&
					   !isnull[stretch_end + 1] &&
					   summary_int64(key->coltype, values[stretch_end + 1]) >=
					   summary_int64(key->coltype, values[stretch_end]))
					stretch_end++;
		}
		last = stretch_end;
		if (last > i)
		{
			bool		rnull;
			int			lo = i;		/* its bucket is out[i] */
			int			hi = last;

			if (key_of(key, values[last], &rnull) == out[i] && !rnull)
				lo = last;
			else
			{
				/* lo has the bucket, hi has not */
				while (hi - lo > 1)
				{
					int			mid = lo + (hi - lo) / 2;

					if (key_of(key, values[mid], &rnull) == out[i] && !rnull)
						lo = mid;
					else
						hi = mid;
				}
			}
			for (int r = i + 1; r <= lo; r++)
			{
				out[r] = out[i];
				outnull[r] = false;
			}
			i = lo;
		}
	}
	/* keys are held as their int64 view: equal bits, equal values */
	if (!key->is_text && !int64_datum_type(key->keytype))
		for (int i = 0; i < nrows; i++)
			if (!outnull[i] && !(sel && !sel[i]))
				out[i] = Int64GetDatum(summary_int64(key->keytype, out[i]));
}

/*
 * Youngs-Cramer accumulation of N, Sx and Sxx, as float8_accum (and
 * float4_accum, on the value widened to float8) compute it.
 */
static inline void
accum_float(AggSlot *s, double newval)
{
	double		n_old = (double) s->n;
	double		sx_old = s->d;
	double		N = n_old + 1.0;
	double		Sx = sx_old + newval;
	double		Sxx = s->sxx;

	if (n_old > 0.0)
	{
		double		tmp = newval * N - Sx;

		Sxx += tmp * tmp / (N * n_old);
		if (isinf(Sx) || isinf(Sxx))
		{
			if (!isinf(sx_old) && !isinf(newval))
				float_overflow_error();
			Sxx = get_float8_nan();
		}
	}
	else if (isnan(newval) || isinf(newval))
		Sxx = get_float8_nan();
	s->n++;
	s->d = Sx;
	s->sxx = Sxx;
}

static void send_numericvar(StringInfo buf, Numeric num);

/*
 * v into the 128-bit sum of AK_SUM_INT8: the low 64 bits in i (unsigned
 * arithmetic), the high 64 in v, which takes the carry or the borrow.
 */
static inline void
add_int128(AggSlot *s, int64 v)
{
#ifdef HAVE_INT128
	uint128		sum = ((uint128) (uint64) DatumGetInt64(s->v) << 64 | (uint64) s->i) +
		(uint128) (int128) v;

	s->i = (int64) (uint64) sum;
	s->v = Int64GetDatum((int64) (uint64) (sum >> 64));
#else
	uint64		lo = (uint64) s->i;
	uint64		r = lo + (uint64) v;

	if (v >= 0 ? r < lo : r >= lo)
		s->v = Int64GetDatum(DatumGetInt64(s->v) + (v >= 0 ? 1 : -1));
	s->i = (int64) r;
#endif
}

/*
 * The partial state of int8_avg_accum for N rows summing to the 128-bit
 * (hi, lo), as PostgreSQL 15's int8_avg_serialize writes it: N, then the
 * sum (send_numericvar).  int8_avg_deserialize reads it back field by
 * field and ends with pq_getmsgend, so a layout that differed would be an
 * error, not a wrong sum (17_vector_agg).
 */
static Datum
int8_sum_state(int64 n, int64 hi, uint64 lo)
{
	Numeric		sum;
	StringInfoData buf;

	if ((hi == 0 && lo <= (uint64) PG_INT64_MAX) || (hi == -1 && lo > (uint64) PG_INT64_MAX))
		sum = int64_to_numeric((int64) lo);
	else
	{
		/* hi * 2^64 + lo, with lo as two halves of 32 bits (numeric has no uint64) */
		Numeric		two32 = int64_to_numeric(INT64CONST(1) << 32);

		sum = numeric_mul_opt_error(int64_to_numeric(hi), two32, NULL);
		sum = numeric_add_opt_error(sum, int64_to_numeric((int64) (lo >> 32)), NULL);
		sum = numeric_mul_opt_error(sum, two32, NULL);
		sum = numeric_add_opt_error(sum, int64_to_numeric((int64) (lo & 0xFFFFFFFF)), NULL);
	}
	pq_begintypsend(&buf);
	pq_sendint64(&buf, n);
	send_numericvar(&buf, sum);
	return PointerGetDatum(pq_endtypsend(&buf));
}

/*
 * Serialized numeric values as numericvar_serialize writes them (PostgreSQL
 * 15's numeric aggregate states): numeric_send's layout with 32-bit header
 * fields (ndigits, weight, sign, dscale) before the 16-bit digits.
 */
static void
send_numericvar(StringInfo buf, Numeric num)
{
	bytea	   *sent = DatumGetByteaPP(DirectFunctionCall1(numeric_send,
														   NumericGetDatum(num)));
	StringInfoData in;

	in.data = VARDATA_ANY(sent);
	in.len = VARSIZE_ANY_EXHDR(sent);
	in.cursor = 0;
	pq_sendint32(buf, (uint16) pq_getmsgint(&in, 2));	/* ndigits */
	pq_sendint32(buf, (int16) pq_getmsgint(&in, 2));	/* weight */
	pq_sendint32(buf, (uint16) pq_getmsgint(&in, 2));	/* sign */
	pq_sendint32(buf, (uint16) pq_getmsgint(&in, 2));	/* dscale */
	pq_sendbytes(buf, in.data + in.cursor, in.len - in.cursor);	/* digits */
}

#ifdef HAVE_INT128
/*
 * The state of numeric_avg_accum (sum and avg of numeric) for a group:
 * what do_numeric_accum keeps, with the sum as a 128-bit integer scaled by
 * 10^scale, scale being the largest dscale seen (which is also the dscale
 * of PostgreSQL's sum); values that do not fit, or a sum that would
 * overflow, go into rest with numeric_add.  N is the slot's n.
 */
typedef struct NumericSum
{
	int128		sum;			/* the sum, times 10^scale */
	int32		scale;			/* maxScale: the largest dscale seen */
	int64		scale_count;	/* maxScaleCount: values of that dscale */
	int64		nan;
	int64		pinf;
	int64		ninf;
	Numeric		rest;			/* the rest of the sum, or NULL */
	Datum		pg_state;		/* values beyond both, in PostgreSQL's own
								 * transition state (numeric_pg_accum), or 0 */
	AggState   *pg_agg;			/* what pg_state's functions are called with */
} NumericSum;

/* 10^e for 0 <= e <= 38, in 128 bits (a table: it is used per value) */
static int128
pow10_128(int e)
{
	static int128 powers[39];

	Assert(e >= 0 && e <= 38);
	if (powers[0] == 0)
	{
		powers[0] = 1;
		for (int i = 1; i < lengthof(powers); i++)
			powers[i] = powers[i - 1] * 10;
	}
	return powers[e];
}

/*
 * A numeric's value as an integer scaled by 10^dscale, from its stored
 * form (the on-disk format of numeric.c: a 16-bit header word, then, in the
 * long format, a 16-bit weight, then base-10000 digits); false when it is
 * special (*special: 'n'aN, '+'/'-' infinity) or does not fit.
 */
static bool
numeric_scaled(Datum d, int128 *value, int *dscale, char *special)
{
	const char *p = VARDATA_ANY(DatumGetPointer(d));
	int			len = VARSIZE_ANY_EXHDR(DatumGetPointer(d));
	uint16		header;
	int			weight;
	bool		negative;
	const char *digits;
	int			ndigits;
	int128		v = 0;
	int			e;

	*special = 0;
	if (len < 2)
		return false;
	memcpy(&header, p, sizeof(uint16));
	switch (header & 0xC000)
	{
		case 0xC000:			/* NaN or infinity */
			*special = (header & 0xF000) == 0xD000 ? '+' :
				(header & 0xF000) == 0xF000 ? '-' : 'n';
			return false;
		case 0x8000:			/* short format */
			negative = (header & 0x2000) != 0;
			*dscale = (header & 0x1F80) >> 7;
			weight = (header & 0x0040) ? (int) (~0x003F | (header & 0x003F)) :
				(int) (header & 0x003F);
			digits = p + 2;
			ndigits = (len - 2) / 2;
			break;
		default:				/* long format */
			{
				int16		w;

				if (len < 4)
					return false;
				negative = (header & 0xC000) == 0x4000;
				*dscale = header & 0x3FFF;
				memcpy(&w, p + 2, sizeof(int16));
				weight = w;
				digits = p + 4;
				ndigits = (len - 4) / 2;
			}
			break;
	}
	if (ndigits > 9 || *dscale > 38)
		return false;			/* up to 36 digits fit, at a scale the sum can have */
	if (ndigits == 0)
	{
		*value = 0;
		return true;
	}
	for (int i = 0; i < ndigits - 1; i++)
	{
		uint16		digit;

		memcpy(&digit, digits + 2 * i, sizeof(uint16));
		v = v * 10000 + digit;
	}

	/*
	 * The value times 10^dscale is the digits' integer times 10^e.  The last
	 * digit is not zero (stored numerics have none at the end), so at most
	 * its last three decimal digits lie past dscale, as zeros: they are
	 * divided away in 16 bits rather than from the whole.
	 */
	e = 4 * (weight - ndigits + 1) + *dscale;
	{
		uint16		last;

		memcpy(&last, digits + 2 * (ndigits - 1), sizeof(uint16));
		if (e >= 0)
		{
			v = v * 10000 + last;
			if (e > 38 || __builtin_mul_overflow(v, pow10_128(e), &v))
				return false;
		}
		else if (e >= -3)
			v = v * (int) pow10_128(4 + e) + last / (int) pow10_128(-e);
		else
			return false;
	}
	*value = negative ? -v : v;
	return true;
}

/* The sum so far, as a numeric of dscale scale. */
static Numeric
numeric_sum_value(NumericSum *ns)
{
	/* 39 digits, the point, a zero before it, the sign, the terminator */
	Size		size = ns->scale + 48;
	char	   *buf = palloc(size);
	char	   *p = buf + size;
	bool		negative = ns->sum < 0;
	uint128		v = negative ? -(uint128) ns->sum : (uint128) ns->sum;
	int			digits = 0;
	Numeric		result;

	*--p = '\0';
	do
	{
		*--p = '0' + (int) (v % 10);
		v /= 10;
		if (++digits == ns->scale)
			*--p = '.';
	} while (v > 0 || digits < ns->scale);
	if (digits == ns->scale && ns->scale > 0)
		*--p = '0';
	if (negative)
		*--p = '-';
	result = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(p),
												 ObjectIdGetDatum(InvalidOid),
												 Int32GetDatum(-1)));
	pfree(buf);
	if (ns->rest != NULL)
	{
		Numeric		whole = numeric_add_opt_error(result, ns->rest, NULL);

		pfree(result);
		result = whole;
	}
	return result;
}

/* The 128-bit sum into rest, which takes what does not fit. */
static void
numeric_sum_spill(NumericSum *ns, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Numeric		whole = numeric_sum_value(ns);

	if (ns->rest != NULL)
		pfree(ns->rest);
	ns->rest = whole;
	ns->sum = 0;
	MemoryContextSwitchTo(old);
}

/* A value the 128-bit sum cannot take, into rest (numeric arithmetic). */
static void
numeric_sum_add_rest(NumericSum *ns, Numeric num, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Numeric		sum = ns->rest ? numeric_add_opt_error(ns->rest, num, NULL) :
		DatumGetNumericCopy(NumericGetDatum(num));

	if (ns->rest)
		pfree(ns->rest);
	ns->rest = sum;
	MemoryContextSwitchTo(old);
}

/*
 * A value the 128-bit sum cannot take (num, of dscale scale) into rest,
 * counted for maxScale as do_numeric_accum counts it.
 */
static void
numeric_sum_add_large(NumericSum *ns, Numeric num, int scale, MemoryContext cxt)
{
	numeric_sum_add_rest(ns, num, cxt);
	if (scale > ns->scale)
	{
		/* the 128-bit sum keeps its scale: spill it first */
		numeric_sum_spill(ns, cxt);
		ns->scale = scale;
		ns->scale_count = 1;
	}
	else if (scale == ns->scale)
		ns->scale_count++;
}

/*
 * The value v * 10^-dscale into a group's sum.  num makes it a numeric
 * (num(arg)), which is needed only when v does not fit at the sum's scale.
 */
static void
numeric_sum_add_scaled(NumericSum *ns, int128 v, int dscale,
					   Numeric (*num) (void *arg), void *arg, MemoryContext cxt)
{
	if (dscale > ns->scale)
	{
		int128		rescaled;

		if (dscale - ns->scale > 38 ||
			__builtin_mul_overflow(ns->sum, pow10_128(dscale - ns->scale), &rescaled))
		{
			numeric_sum_spill(ns, cxt);
			rescaled = 0;
		}
		ns->sum = rescaled;
		ns->scale = dscale;
		ns->scale_count = 1;
	}
	else
	{
		if (dscale == ns->scale)
			ns->scale_count++;
		else if (ns->scale - dscale > 38 ||
				 __builtin_mul_overflow(v, pow10_128(ns->scale - dscale), &v))
		{
			/* this value at the sum's scale does not fit */
			numeric_sum_add_rest(ns, num(arg), cxt);
			return;
		}
	}
	{
		int128		r;

		/* on overflow, r is the wrapped sum: spill the sum as it was */
		if (__builtin_add_overflow(ns->sum, v, &r))
		{
			numeric_sum_spill(ns, cxt);
			r = v;
		}
		ns->sum = r;
	}
}

static Numeric
numeric_of_datum(void *arg)
{
	return DatumGetNumeric(*(Datum *) arg);
}

static Numeric
numeric_square_of_datum(void *arg)
{
	Numeric		x = DatumGetNumeric(*(Datum *) arg);

	return numeric_mul_opt_error(x, x, NULL);
}

/* Special values (NaN, infinities) are counted apart, as do_numeric_accum does. */
static void
numeric_sum_count_special(NumericSum *ns, char special)
{
	if (special == 'n')
		ns->nan++;
	else if (special == '+')
		ns->pinf++;
	else
		ns->ninf++;
}

/*
 * Is a numeric beyond what the sums here may take: a weight (in base-10000
 * digits) above max_weight, or a dscale above max_dscale?  Its square, or
 * a sum of many such values, might not be storable as a numeric (weight up
 * to 32767, dscale up to 16383), while PostgreSQL's accumulators are not
 * bounded.  (The short format holds small weights and scales only.)
 */
static bool
numeric_extreme(Datum d, int max_weight, int max_dscale)
{
	const char *p = VARDATA_ANY(DatumGetPointer(d));
	uint16		header;
	int16		weight;

	if (VARSIZE_ANY_EXHDR(DatumGetPointer(d)) < 4)
		return false;
	memcpy(&header, p, sizeof(uint16));
	if ((header & 0xC000) == 0x8000 || (header & 0xC000) == 0xC000)
		return false;			/* short format, or special */
	memcpy(&weight, p + 2, sizeof(int16));
	return weight > max_weight || (header & 0x3FFF) > max_dscale;
}

/*
 * PostgreSQL's own transition, combine and serial functions of numeric
 * aggregates, for the rare values beyond our sums: they check that an
 * aggregate calls them (AggCheckCallContext), which reads only the
 * AggState's current aggregate context, here the group table's memory.
 */
static AggState *
numeric_pg_agg(MemoryContext cxt)
{
	AggState   *agg = makeNode(AggState);
	ExprContext *econtext = palloc0(sizeof(ExprContext));

	econtext->type = T_ExprContext;
	econtext->ecxt_per_tuple_memory = cxt;
	agg->curaggcontext = econtext;
	return agg;
}

static Datum
numeric_pg_call(AggState *agg, PGFunction fn, Datum a, bool a_null, Datum b, bool b_null)
{
	LOCAL_FCINFO(fcinfo, 2);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, NULL, 2, InvalidOid, (Node *) agg, NULL);
	fcinfo->args[0].value = a;
	fcinfo->args[0].isnull = a_null;
	fcinfo->args[1].value = b;
	fcinfo->args[1].isnull = b_null;
	result = fn(fcinfo);
	if (fcinfo->isnull)
		elog(ERROR, "timeseries: a numeric aggregate function returned NULL");
	return result;
}

/* A value beyond our sums into the group's PostgreSQL state. */
static void
numeric_pg_accum(NumericSum *ns, PGFunction accum, Datum d, MemoryContext cxt)
{
	if (ns->pg_agg == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);

		ns->pg_agg = numeric_pg_agg(cxt);
		MemoryContextSwitchTo(old);
	}
	ns->pg_state = numeric_pg_call(ns->pg_agg, accum, ns->pg_state, ns->pg_state == 0, d,
								   false);
}

/*
 * The partial state written by serial (ours, from our sums), combined with
 * the group's PostgreSQL state when it has one: PostgreSQL's deserial,
 * combine and serial functions, on a copy of that state.
 */
static Datum
numeric_pg_merge(NumericSum *ns, Datum ours, PGFunction deserial, PGFunction combine,
				 PGFunction serial)
{
	AggState   *agg;
	Datum		st;

	if (ns->pg_state == 0)
		return ours;
	agg = numeric_pg_agg(CurrentMemoryContext);
	st = numeric_pg_call(agg, combine, (Datum) 0, true, ns->pg_state, false);
	st = numeric_pg_call(agg, combine, st, false,
						 numeric_pg_call(agg, deserial, ours, false, (Datum) 0, true), false);
	return numeric_pg_call(agg, serial, st, false, (Datum) 0, true);
}

/* One numeric into a group's sum, as do_numeric_accum counts it. */
static void
numeric_sum_add(NumericSum *ns, int64 *n, Datum d, MemoryContext cxt)
{
	int128		v;
	int			dscale;
	char		special;

	/* a sum of such values may pass numeric's largest weight */
	if (unlikely(numeric_extreme(d, 32000, INT_MAX)))
	{
		numeric_pg_accum(ns, numeric_avg_accum, d, cxt);
		return;
	}
	if (numeric_scaled(d, &v, &dscale, &special))
		numeric_sum_add_scaled(ns, v, dscale, numeric_of_datum, &d, cxt);
	else if (special)
	{
		numeric_sum_count_special(ns, special);
		return;
	}
	else
	{
		/* too large for 128 bits */
		Numeric		num = DatumGetNumeric(d);

		numeric_sum_add_large(ns, num,
							  DatumGetInt32(DirectFunctionCall1(numeric_scale,
																NumericGetDatum(num))),
							  cxt);
	}
	(*n)++;
}

/*
 * The state of int2_accum/int4_accum (PolyNumAggState), int8_accum and
 * numeric_accum (NumericAggState) for a group: the sum of the values and
 * the sum of their squares, the squares at twice the values' scale as
 * do_numeric_accum multiplies them.  The special values and maxScale are
 * x's.  N is the slot's n.
 */
typedef struct NumericMoments
{
	NumericSum	x;
	NumericSum	x2;
} NumericMoments;

/* One numeric into a group's moments (numeric_accum). */
static void
numeric_moments_add(NumericMoments *m, int64 *n, Datum d, MemoryContext cxt)
{
	int128		v;
	int128		v2;
	int			dscale;
	char		special;

	/* their squares may not be storable numerics */
	if (unlikely(numeric_extreme(d, 16000, 8000)))
	{
		numeric_pg_accum(&m->x, numeric_accum, d, cxt);
		return;
	}
	if (!numeric_scaled(d, &v, &dscale, &special))
	{
		Numeric		num = DatumGetNumeric(d);
		int			scale;

		if (special)
		{
			numeric_sum_count_special(&m->x, special);
			return;
		}
		scale = DatumGetInt32(DirectFunctionCall1(numeric_scale, NumericGetDatum(num)));
		numeric_sum_add_large(&m->x, num, scale, cxt);
		numeric_sum_add_large(&m->x2, numeric_square_of_datum(&d), 2 * scale, cxt);
	}
	else
	{
		numeric_sum_add_scaled(&m->x, v, dscale, numeric_of_datum, &d, cxt);
		if (__builtin_mul_overflow(v, v, &v2))
			numeric_sum_add_large(&m->x2, numeric_square_of_datum(&d), 2 * dscale, cxt);
		else
			numeric_sum_add_scaled(&m->x2, v2, 2 * dscale, numeric_square_of_datum, &d, cxt);
	}
	(*n)++;
}

/*
 * One integer into a group's moments (int2/int4/int8_accum): at scale 0,
 * with every value and square in 128 bits, only the sums can overflow, and
 * then spill.  Every value has the largest scale, 0.
 */
static inline void
int_moments_add(NumericMoments *m, int64 *n, int64 x, MemoryContext cxt)
{
	int128		x2 = (int128) x * x;
	int128		r;

	if (unlikely(__builtin_add_overflow(m->x.sum, (int128) x, &r)))
	{
		numeric_sum_spill(&m->x, cxt);
		r = x;
	}
	m->x.sum = r;
	if (unlikely(__builtin_add_overflow(m->x2.sum, x2, &r)))
	{
		numeric_sum_spill(&m->x2, cxt);
		r = x2;
	}
	m->x2.sum = r;
	m->x.scale_count++;
	(*n)++;
}

/*
 * The partial state of int2_accum/int4_accum, as numeric_poly_serialize
 * writes it (N, sumX, sumX2), or of int8_accum and numeric_accum, as
 * numeric_serialize does (N, sumX, sumX2, maxScale, maxScaleCount, the NaN,
 * +Inf and -Inf counts).  Both deserializers end with pq_getmsgend.
 */
static Datum
numeric_moments_state(NumericMoments *m, int64 n, bool poly)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, n);
	send_numericvar(&buf, numeric_sum_value(&m->x));
	send_numericvar(&buf, numeric_sum_value(&m->x2));
	if (!poly)
	{
		pq_sendint32(&buf, m->x.scale);
		pq_sendint64(&buf, m->x.scale_count);
		pq_sendint64(&buf, m->x.nan);
		pq_sendint64(&buf, m->x.pinf);
		pq_sendint64(&buf, m->x.ninf);
	}
	if (poly)
		return PointerGetDatum(pq_endtypsend(&buf));
	return numeric_pg_merge(&m->x, PointerGetDatum(pq_endtypsend(&buf)),
							numeric_deserialize, numeric_combine, numeric_serialize);
}

/*
 * The partial state of numeric_avg_accum, as numeric_avg_serialize writes
 * it: N, the sum, maxScale, maxScaleCount, and the NaN, +Inf and -Inf
 * counts.  numeric_avg_deserialize ends with pq_getmsgend.
 */
static Datum
numeric_sum_state(NumericSum *ns, int64 n)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, n);
	send_numericvar(&buf, numeric_sum_value(ns));
	pq_sendint32(&buf, ns->scale);
	pq_sendint64(&buf, ns->scale_count);
	pq_sendint64(&buf, ns->nan);
	pq_sendint64(&buf, ns->pinf);
	pq_sendint64(&buf, ns->ninf);
	return numeric_pg_merge(ns, PointerGetDatum(pq_endtypsend(&buf)),
							numeric_avg_deserialize, numeric_avg_combine, numeric_avg_serialize);
}
#endif							/* HAVE_INT128 */

/*
 * The state a group's aggregate keeps outside its slot (NumericSum,
 * NumericMoments), made at its first value and counted against work_mem as
 * the groups' values are.
 */
static inline void *
group_state(TsAggState *state, AggSlot *s, Size size)
{
	if (s->owned == NULL)
	{
		s->owned = MemoryContextAllocZero(state->groups_cxt, size);
		state->text_bytes += GetMemoryChunkSpace(s->owned);
	}
	return s->owned;
}

/*
 * Values by reference that became a group's state in this batch point into
 * the batch: copy each group's latest one into the group table's memory,
 * once, freeing the copy it replaces.  Rows with skip[i] are not looked at.
 */
static void
keep_new_values(TsAggState *state, AggSpec *spec, AggSlot *slots, int nrows,
				const bool *sel, const bool *skip, const int *group)
{
	for (int i = 0; i < nrows; i++)
	{
		AggSlot    *s;

		if ((sel && !sel[i]) || (skip && skip[i]))
			continue;
		s = &slots[group[i]];
		if (!s->pending)
			continue;
		s->pending = false;
		if (s->owned)
		{
			state->text_bytes -= GetMemoryChunkSpace(s->owned);
			pfree(s->owned);
			s->owned = NULL;
		}
		if (!s->vnull)
		{
			MemoryContext oldcxt = MemoryContextSwitchTo(state->groups_cxt);
			Datum		copy = datumCopy(s->v, false, spec->typlen);

			MemoryContextSwitchTo(oldcxt);
			s->owned = DatumGetPointer(copy);
			state->text_bytes += GetMemoryChunkSpace(s->owned);
			s->v = copy;
		}
	}
}

/* The type's comparison of a and b (AK_MIN_CMP, AK_MAX_CMP). */
static inline int
cmp_values(AggSpec *spec, Datum a, Datum b)
{
	return DatumGetInt32(FunctionCall2Coll(&spec->cmp, spec->collation, a, b));
}

static void
accumulate(TsAggState *state, int a, int nrows, const bool *sel,
		   const int *group)
{
	AggSpec    *spec = &state->aggs[a];
	AggSlot    *slots = SLOT(state, 0, a);
	Datum	   *values = NULL;
	bool	   *isnull = NULL;

	if (spec->attidx >= 0)
		ts_scan_batch_column(state->scan, spec->attidx, &values, &isnull);

	/* FILTER (WHERE ...): the rows of the batch it keeps, among sel */
	if (spec->filter)
	{
		bool	   *fsel = palloc(sizeof(bool) * nrows);

		/* only on the rows the WHERE clause kept */
		vector_qual_filter(spec->filter, state->scan, nrows, sel, fsel);
		sel = fsel;
	}

#define EACH_ROW(body) \
	for (int i = 0; i < nrows; i++) \
	{ \
		AggSlot    *s; \
		if ((sel && !sel[i]) || (isnull && isnull[i])) \
			continue; \
		s = &slots[group[i]]; \
		body; \
	}

	switch (spec->kind)
	{
		case AK_COUNT_STAR:
		case AK_COUNT:
			EACH_ROW(s->n++);
			break;
		case AK_SUM_INT:
			EACH_ROW(s->i += summary_int64(spec->argtype, values[i]); s->n++);
			break;
		case AK_SUM_INT8:
			EACH_ROW(add_int128(s, DatumGetInt64(values[i])); s->n++);
			break;
#ifdef HAVE_INT128
		case AK_SUM_NUMERIC:
			EACH_ROW(numeric_sum_add(group_state(state, s, sizeof(NumericSum)), &s->n,
									 values[i], state->groups_cxt));
			break;
		case AK_MOMENTS:
			{
				MemoryContext cxt = state->groups_cxt;
				Size		size = sizeof(NumericMoments);

				if (spec->argtype == NUMERICOID)
				{
					EACH_ROW(numeric_moments_add(group_state(state, s, size), &s->n,
												 values[i], cxt));
				}
				else
				{
					EACH_ROW(int_moments_add(group_state(state, s, size), &s->n,
											 summary_int64(spec->argtype, values[i]), cxt));
				}
			}
			break;
#endif
		case AK_SUM_FLOAT8:
			EACH_ROW(
					 {
						 double v = DatumGetFloat8(values[i]);

						 if (s->n == 0)
							 s->d = v;
						 else
						 {
							 double r = s->d + v;

							 if (unlikely(isinf(r)) && !isinf(s->d) && !isinf(v))
								 float_overflow_error();
							 s->d = r;
						 }
						 s->n++;
					 });
			break;
		case AK_SUM_FLOAT4:
			EACH_ROW(
					 {
						 float4 v = DatumGetFloat4(values[i]);
						 float4 cur = (float4) s->d;

						 if (s->n == 0)
							 s->d = v;
						 else
						 {
							 float4 r = cur + v;

							 if (unlikely(isinf(r)) && !isinf(cur) && !isinf(v))
								 float_overflow_error();
							 s->d = r;
						 }
						 s->n++;
					 });
			break;
		case AK_AVG_INT:
			EACH_ROW(s->i += summary_int64(spec->argtype, values[i]); s->n++);
			break;
		case AK_ACCUM:
			if (spec->lazy_sxx)
			{
				EACH_ROW(s->d += summary_double(spec->argtype, values[i]); s->n++);
			}
			else
			{
				EACH_ROW(accum_float(s, summary_double(spec->argtype, values[i])));
			}
			break;
		case AK_FIRST:
		case AK_LAST:
			{
				Datum	   *times;
				bool	   *tnull;
				bool		is_first = spec->kind == AK_FIRST;

				/* rows with a NULL time are skipped; the value may be NULL */
				ts_scan_batch_column(state->scan, spec->time_attidx, &times, &tnull);
				for (int i = 0; i < nrows; i++)
				{
					AggSlot    *s;
					int64		t;

					if ((sel && !sel[i]) || tnull[i])
						continue;
					s = &slots[group[i]];
					t = summary_int64(spec->timetype, times[i]);
					if (s->n == 0 || (is_first ? t < s->i : t > s->i))
					{
						s->i = t;
						s->v = isnull[i] ? (Datum) 0 : values[i];
						s->vnull = isnull[i];
						s->n = 1;
						s->pending = !spec->byval;
					}
				}
				if (!spec->byval)
					keep_new_values(state, spec, slots, nrows, sel, tnull, group);
			}
			break;
		case AK_MIN_CMP:
		case AK_MAX_CMP:
			{
				bool		is_max = spec->kind == AK_MAX_CMP;

				if (spec->cmp.fn_oid != spec->cmpfn)
					fmgr_info(spec->cmpfn, &spec->cmp);

				/*
				 * numeric_smaller(state, new) and text_smaller keep the
				 * state only when it compares lower; larger, higher: a tie
				 * takes the new value (1.0 and 1.00 are equal numerics).
				 */
				EACH_ROW(
						 {
							 if (s->n == 0 ||
								 !(is_max ? cmp_values(spec, s->v, values[i]) > 0 :
								   cmp_values(spec, s->v, values[i]) < 0))
							 {
								 s->v = values[i];
								 s->vnull = false;
								 s->pending = true;
							 }
							 s->n++;
						 });
				keep_new_values(state, spec, slots, nrows, sel, isnull, group);
			}
			break;
		case AK_MIN:
		case AK_MAX:
			if (is_float_type(spec->argtype))
			{
				bool		is_max = spec->kind == AK_MAX;

				/*
				 * float8larger(state, new) keeps the state only when it is
				 * greater (float8_gt: NaN above all); so does smaller.
				 */
				EACH_ROW(
						 {
							 double v = summary_double(spec->argtype, values[i]);

							 if (s->n == 0 ||
								 !(is_max ? float8_gt(s->d, v) : float8_lt(s->d, v)))
								 s->d = v;
							 s->n++;
						 });
			}
			else
			{
				bool		is_max = spec->kind == AK_MAX;

				EACH_ROW(
						 {
							 int64 v = summary_int64(spec->argtype, values[i]);

							 if (s->n == 0 || !(is_max ? s->i > v : s->i < v))
								 s->i = v;
							 s->n++;
						 });
			}
			break;
	}
#undef EACH_ROW
}

/*
 * Aggregates of one kind over float inputs, accumulated row by row together
 * (see accumulate_fused).
 */
#define FUSED_MAX 32

typedef struct FusedInputs
{
	int			n;
	AggSlot    *slots[FUSED_MAX];
	Datum	   *values[FUSED_MAX];
	bool	   *isnull[FUSED_MAX];
	bool		float4[FUSED_MAX];
} FusedInputs;

/*
 * One aggregate's step for one row, on a state held in locals: d and n of
 * AggSlot.  As float8_accum's Sx (avg() without Sxx), and as float8larger /
 * float8smaller (NaN above all).
 */
static pg_attribute_always_inline void
fused_step(AggKind kind, double *d, int64 *n, double v)
{
	if (kind == AK_ACCUM)
		*d += v;
	else if (*n == 0 || !(kind == AK_MAX ? float8_gt(*d, v) : float8_lt(*d, v)))
		*d = v;
	(*n)++;
}

/*
 * Rows [from, to) of one group into width aggregates from k0 on, the states
 * in locals: each aggregate's state is a chain of dependent steps that must
 * run in row order (for core's rounding), and chains through memory, one
 * aggregate after another, wait on every step; here up to FUSED_WIDTH
 * chains advance side by side in registers (an add waits four cycles for
 * the one before it in its chain, and two can start per cycle: eight chains
 * keep the adder busy).  With plain (no NULL, float8 inputs), the loop tests
 * nothing but the selection.
 */
#define FUSED_WIDTH 8

static pg_attribute_always_inline void
fused_run(const FusedInputs *f, AggKind kind, int k0, const int width,
		  const bool plain, int g, int from, int to, const bool *sel)
{
	double		d[FUSED_WIDTH];
	int64		n[FUSED_WIDTH];
	const Datum *v[FUSED_WIDTH];
	const bool *nulls[FUSED_WIDTH];
	bool		f4[FUSED_WIDTH];

	for (int q = 0; q < width; q++)
	{
		d[q] = f->slots[k0 + q][g].d;
		n[q] = f->slots[k0 + q][g].n;
		v[q] = f->values[k0 + q];
		nulls[q] = f->isnull[k0 + q];
		f4[q] = f->float4[k0 + q];
	}
	for (int r = from; r < to; r++)
	{
		if (sel && !sel[r])
			continue;
#pragma GCC unroll 8
		for (int q = 0; q < width; q++)
		{
			if (plain)
				fused_step(kind, &d[q], &n[q], DatumGetFloat8(v[q][r]));
			else if (!nulls[q][r])
				fused_step(kind, &d[q], &n[q],
						   f4[q] ? (double) DatumGetFloat4(v[q][r]) : DatumGetFloat8(v[q][r]));
		}
	}
	for (int q = 0; q < width; q++)
	{
		f->slots[k0 + q][g].d = d[q];
		f->slots[k0 + q][g].n = n[q];
	}
}

/* fused_run with the width and plain as constants */
static pg_attribute_always_inline void
fused_block(const FusedInputs *f, AggKind kind, int k0, int width, bool plain,
			int g, int from, int to, const bool *sel)
{
#define FUSED_CASE(w) \
	case w: \
		if (plain) \
			fused_run(f, kind, k0, w, true, g, from, to, sel); \
		else \
			fused_run(f, kind, k0, w, false, g, from, to, sel); \
		break;

	StaticAssertStmt(FUSED_WIDTH == 8, "one case per width");
	switch (width)
	{
			FUSED_CASE(1) FUSED_CASE(2) FUSED_CASE(3) FUSED_CASE(4)
			FUSED_CASE(5) FUSED_CASE(6) FUSED_CASE(7) FUSED_CASE(8)
		default:
			Assert(false);
	}
#undef FUSED_CASE
}

/*
 * Accumulate several aggregates of one kind (sums of avg() without Sxx, or
 * float min / max) together, run by run of rows of one group: a vector of
 * a series holds long runs of one (bucket, series) group.
 */
static pg_attribute_always_inline void
accumulate_fused_kind(const FusedInputs *f, AggKind kind, int nrows,
					  const bool *sel, const int *group)
{
	bool		plain[FUSED_MAX / FUSED_WIDTH];
	int			i = 0;

	/* blocks of float8 inputs without a NULL in the batch */
	for (int b = 0; b * FUSED_WIDTH < f->n; b++)
	{
		plain[b] = true;
		for (int q = b * FUSED_WIDTH; q < Min(f->n, (b + 1) * FUSED_WIDTH); q++)
			plain[b] &= !f->float4[q] && memchr(f->isnull[q], true, nrows) == NULL;
	}
	while (i < nrows)
	{
		int			g;
		int			j;

		if (sel && !sel[i])
		{
			i++;
			continue;
		}
		/*
		 * The run: rows of group g, and unselected rows among them; it ends
		 * after its last selected row.
		 */
		g = group[i];
		j = i + 1;
		for (int r = i + 1; r < nrows; r++)
		{
			if (sel && !sel[r])
				continue;
			if (group[r] != g)
				break;
			j = r + 1;
		}
		for (int k = 0; k < f->n; k += FUSED_WIDTH)
			fused_block(f, kind, k, Min(FUSED_WIDTH, f->n - k),
						plain[k / FUSED_WIDTH], g, i, j, sel);
		i = j;
	}
}

static void
accumulate_fused(const FusedInputs *f, AggKind kind, int nrows, const bool *sel,
				 const int *group)
{
	/* the kind as a constant in each copy of the loops */
	switch (kind)
	{
		case AK_ACCUM:
			accumulate_fused_kind(f, AK_ACCUM, nrows, sel, group);
			break;
		case AK_MAX:
			accumulate_fused_kind(f, AK_MAX, nrows, sel, group);
			break;
		case AK_MIN:
			accumulate_fused_kind(f, AK_MIN, nrows, sel, group);
			break;
		default:
			Assert(false);
	}
}

/*
 * Accumulate every aggregate of the batch: those that accumulate_fused
 * takes together, then the others one by one.
 */
static void
accumulate_all(TsAggState *state, int nrows, const bool *sel, const int *group)
{
	static const AggKind fused_kinds[] = {AK_ACCUM, AK_MAX, AK_MIN};
	bool	   *done = palloc0(sizeof(bool) * Max(state->naggs, 1));

	for (int kk = 0; kk < lengthof(fused_kinds); kk++)
	{
		FusedInputs f;

		f.n = 0;
		for (int a = 0; a < state->naggs && f.n < FUSED_MAX; a++)
		{
			AggSpec    *spec = &state->aggs[a];

			if (spec->kind != fused_kinds[kk] || spec->filter != NULL ||
				spec->attidx < 0 || !is_float_type(spec->argtype) ||
				(spec->kind == AK_ACCUM && !spec->lazy_sxx))
				continue;
			f.slots[f.n] = SLOT(state, 0, a);
			ts_scan_batch_column(state->scan, spec->attidx, &f.values[f.n], &f.isnull[f.n]);
			f.float4[f.n] = spec->argtype == FLOAT4OID;
			f.n++;
			done[a] = true;
		}
		if (f.n > 0)
			accumulate_fused(&f, fused_kinds[kk], nrows, sel, group);
	}
	for (int a = 0; a < state->naggs; a++)
		if (!done[a])
			accumulate(state, a, nrows, sel, group);
}

/* Read the next batch into the groups; false at the end of the scan. */
static bool
consume_batch(TsAggState *state, TupleDesc desc)
{
	const bool *sel;
	int			nrows = ts_scan_next_batch(state->scan, desc, &sel);
	MemoryContext old;
	int		   *group;
	const int32 *codes;
	int			ndict;

	if (nrows == 0)
		return false;

	/*
	 * Rows after the last selected one are not looked at (the scan decoded
	 * the columns read after the filters only up to it).
	 */
	while (sel && nrows > 1 && !sel[nrows - 1])
		nrows--;
	old = MemoryContextSwitchTo(state->css.ss.ps.ps_ExprContext->ecxt_per_tuple_memory);
	group = palloc(sizeof(int) * nrows);
	if (state->nkeys == 0)
	{
		if (state->ngroups == 0)
		{
			Datum		none = 0;
			bool		nonull = false;

			(void) find_group(state, &none, &nonull);
		}
		memset(group, 0, sizeof(int) * nrows);
	}
	else if (state->nkeys == 1 && state->keys[0].is_text && state->keys[0].func == NULL &&
			 (ndict = ts_scan_batch_codes(state->scan, state->keys[0].attidx, &codes)) > 0)
	{
		/*
		 * One text column of a dictionary vector: one lookup per distinct
		 * value, then each row takes its code's group.
		 */
		Datum	   *values;
		bool	   *isnull;
		int		   *code_group;
		int			null_group = -1;

		ts_scan_batch_column(state->scan, state->keys[0].attidx, &values, &isnull);
		code_group = palloc(sizeof(int) * ndict);
		memset(code_group, -1, sizeof(int) * ndict);
		for (int i = 0; i < nrows; i++)
		{
			int			c;
			bool		no = false;

			if (sel && !sel[i])
				continue;
			c = codes[i];
			if (c < 0)
			{
				if (null_group < 0)
				{
					Datum		none = 0;
					bool		yes = true;

					null_group = find_group(state, &none, &yes);
				}
				group[i] = null_group;
				continue;
			}
			if (code_group[c] < 0)
				code_group[c] = find_group(state, &values[i], &no);
			group[i] = code_group[c];
		}
	}
	else
	{
		Datum	  **kv = palloc(sizeof(Datum *) * state->nkeys);
		bool	  **kn = palloc(sizeof(bool *) * state->nkeys);
		Datum	   *rowv = palloc(sizeof(Datum) * state->nkeys);
		bool	   *rown = palloc(sizeof(bool) * state->nkeys);
		uint64	   *h = palloc0(sizeof(uint64) * nrows);
		int		   *starts = palloc(sizeof(int) * nrows);
		int			nstarts = 0;
		int			prev = -1;
		bool		every_row = sel == NULL;	/* and no NULL key */
		bool		ptr_cache;
		Pointer		cache_ptr[GROUP_PTR_CACHE];
		int			cache_group[GROUP_PTR_CACHE];

		for (int k = 0; k < state->nkeys; k++)
		{
			kv[k] = palloc(sizeof(Datum) * nrows);
			kn[k] = palloc(sizeof(bool) * nrows);
			batch_keys(state, k, nrows, sel, kv[k], kn[k]);
		}

		/*
		 * Runs of rows with the keys of the row before (same bits or
		 * pointers): a vector of a series holds long runs of one (bucket,
		 * series).  Only the row starting a run is hashed and looked up;
		 * the rest of the run takes its group afterwards.
		 */
		for (int k = 0; k < state->nkeys && every_row; k++)
			every_row = memchr(kn[k], true, nrows) == NULL;
		if (every_row)
		{
			/* every row, no NULL key: compare the bits, without branches */
			starts[nstarts++] = 0;
			for (int i = 1; i < nrows; i++)
			{
				bool		differ = false;

				for (int k = 0; k < state->nkeys; k++)
					differ |= kv[k][i] != kv[k][i - 1];
				starts[nstarts] = i;
				nstarts += differ;
			}
		}
		else
		{
			for (int i = 0; i < nrows; i++)
			{
				bool		same = prev >= 0;

				if (sel && !sel[i])
					continue;
				for (int k = 0; k < state->nkeys && same; k++)
					same = kn[k][i] == kn[k][prev] &&
						(kn[k][i] || kv[k][i] == kv[k][prev]);
				if (!same)
					starts[nstarts++] = i;
				prev = i;
			}
		}
		for (int k = 0; k < state->nkeys; k++)
		{
			const KeySpec *key = &state->keys[k];

			if (key->is_text)
			{
				/*
				 * Rows of a dictionary vector share their entry's copy: hash
				 * each distinct pointer once (a direct-mapped cache).
				 */
#define PTR_CACHE 512
				Pointer		cache_ptr[PTR_CACHE];
				uint64		cache_hash[PTR_CACHE];

				memset(cache_ptr, 0, sizeof(cache_ptr));
				for (int x = 0; x < nstarts; x++)
				{
					int			i = starts[x];
					Pointer		p;
					uint32		slot;
					uint64		kh;

					if (kn[k][i])
					{
						h[i] = combine_key_hash(h[i], key_hash(key, 0, true), k);
						continue;
					}
					p = DatumGetPointer(kv[k][i]);
					slot = (uint32) (((uintptr_t) p >> 3) % PTR_CACHE);
					if (cache_ptr[slot] == p)
						kh = cache_hash[slot];
					else
					{
						kh = key_hash(key, kv[k][i], false);
						cache_ptr[slot] = p;
						cache_hash[slot] = kh;
					}
					h[i] = combine_key_hash(h[i], kh, k);
				}
#undef PTR_CACHE
			}
			else
				for (int x = 0; x < nstarts; x++)
				{
					int			i = starts[x];

					h[i] = combine_key_hash(h[i], key_hash(key, kv[k][i], kn[k][i]), k);
				}
		}

		/*
		 * One text key: the rows of a dictionary vector share their value's
		 * copy, so a pointer seen earlier in the batch has its group
		 * already (a direct-mapped cache, valid for this batch only).
		 */
		ptr_cache = state->nkeys == 1 && state->keys[0].is_text;
		if (ptr_cache)
			memset(cache_ptr, 0, sizeof(cache_ptr));
		for (int x = 0; x < nstarts; x++)
		{
			int			i = starts[x];
			uint32		slot = 0;

			if (ptr_cache && !kn[0][i])
			{
				slot = (uint32) (((uintptr_t) DatumGetPointer(kv[0][i]) >> 3) % GROUP_PTR_CACHE);
				if (cache_ptr[slot] == DatumGetPointer(kv[0][i]))
				{
					group[i] = cache_group[slot];
					continue;
				}
			}
			/* the table slot of a run a little ahead, while this one is probed */
			if (x + 8 < nstarts && state->table)
				__builtin_prefetch(&state->table[(uint32) h[starts[x + 8]] & state->table_mask]);
			for (int k = 0; k < state->nkeys; k++)
			{
				rowv[k] = kv[k][i];
				rown[k] = kn[k][i];
			}
			group[i] = find_group_hashed(state, h[i], rowv, rown);
			if (ptr_cache && !kn[0][i])
			{
				cache_ptr[slot] = DatumGetPointer(kv[0][i]);
				cache_group[slot] = group[i];
			}
		}
		/* the rest of each run takes its start's group */
		for (int x = 0; x < nstarts; x++)
		{
			int			end = x + 1 < nstarts ? starts[x + 1] : nrows;

			for (int i = starts[x] + 1; i < end; i++)
				group[i] = group[starts[x]];
		}
	}
	accumulate_all(state, nrows, sel, group);
	MemoryContextSwitchTo(old);
	ResetExprContext(state->css.ss.ps.ps_ExprContext);
	return true;
}

/* ---------- emitting ---------- */

/*
 * A one-dimensional array of n 8-byte values without NULLs, as
 * construct_array builds it (the partial states of avg: one per group and
 * aggregate, so the generic path's per-element work showed).
 */
static Datum
eight_byte_array(Oid elemtype, const void *elems, int n)
{
	Size		nbytes = ARR_OVERHEAD_NONULLS(1) + 8 * (Size) n;
	ArrayType  *a = (ArrayType *) palloc0(nbytes);

	SET_VARSIZE(a, nbytes);
	a->ndim = 1;
	a->dataoffset = 0;
	a->elemtype = elemtype;
	ARR_DIMS(a)[0] = n;
	ARR_LBOUND(a)[0] = 1;
	memcpy(ARR_DATA_PTR(a), elems, 8 * (Size) n);
	return PointerGetDatum(a);
}

static Datum
partial_state(AggSpec *spec, AggSlot *s, bool *isnull)
{
	*isnull = false;
	switch (spec->kind)
	{
		case AK_COUNT_STAR:
		case AK_COUNT:
			return Int64GetDatum(s->n);
		case AK_SUM_INT:
			*isnull = s->n == 0;
			return Int64GetDatum(s->i);
		case AK_SUM_INT8:
			/* int8_avg_accum's state exists from the first row on */
			*isnull = s->n == 0;
			return *isnull ? (Datum) 0 :
				int8_sum_state(s->n, DatumGetInt64(s->v), (uint64) s->i);
		case AK_SUM_NUMERIC:
#ifdef HAVE_INT128
			*isnull = s->owned == NULL;
			return *isnull ? (Datum) 0 : numeric_sum_state((NumericSum *) s->owned, s->n);
#else
			elog(ERROR, "timeseries: numeric sums need 128-bit integers");
#endif
		case AK_MOMENTS:
#ifdef HAVE_INT128
			*isnull = s->owned == NULL;
			return *isnull ? (Datum) 0 :
				numeric_moments_state((NumericMoments *) s->owned, s->n,
									  spec->argtype == INT2OID || spec->argtype == INT4OID);
#else
			elog(ERROR, "timeseries: variances need 128-bit integers");
#endif
		case AK_SUM_FLOAT8:
			*isnull = s->n == 0;
			return Float8GetDatum(s->d);
		case AK_SUM_FLOAT4:
			*isnull = s->n == 0;
			return Float4GetDatum((float4) s->d);
		case AK_AVG_INT:
			{
				int64		elems[2] = {s->n, s->i};

				return eight_byte_array(INT8OID, elems, 2);
			}
		case AK_ACCUM:
			{
				float8		elems[3] = {(double) s->n, s->d, s->sxx};

				return eight_byte_array(FLOAT8OID, elems, 3);
			}
		case AK_FIRST:
		case AK_LAST:
			*isnull = s->n == 0;
			if (*isnull)
				return (Datum) 0;
			return PointerGetDatum(ts_first_last_state_bytes(spec->argtype, spec->timetype,
															 spec->collation, s->v, s->vnull,
															 summary_datum(spec->timetype, s->i)));
		case AK_MIN_CMP:
		case AK_MAX_CMP:
			/* a copy: the group's may go before the row is used */
			*isnull = s->n == 0;
			return *isnull ? (Datum) 0 : datumCopy(s->v, false, spec->typlen);
		case AK_MIN:
		case AK_MAX:
			*isnull = s->n == 0;
			if (spec->argtype == FLOAT4OID)
				return Float4GetDatum((float4) s->d);
			if (spec->argtype == FLOAT8OID)
				return Float8GetDatum(s->d);
			return summary_datum(spec->argtype, s->i);
	}
	return (Datum) 0;
}

static Datum final_value(TsAggState *state, int a, AggSlot *s, bool *isnull);

/*
 * Group g as a row of slot: its keys, then each aggregate's partial state
 * or, with final, its value (TimeseriesCombine).  Allocates in the current
 * memory context.
 */
static void
group_row(TsAggState *state, int g, TupleTableSlot *slot, bool final)
{
	ExecClearTuple(slot);
	for (int c = 0; c < slot->tts_tupleDescriptor->natts; c++)
	{
		slot->tts_values[c] = (Datum) 0;
		slot->tts_isnull[c] = true;
	}
	for (int k = 0; k < state->nkeys; k++)
	{
		Datum		v = state->group_keys[g * state->nkeys + k];
		bool		isnull = state->group_nulls[g * state->nkeys + k];

		/* a copy when final: in sorted mode the group goes before the row is used */
		slot->tts_values[state->key_col[k]] = isnull ? (Datum) 0 :
			state->keys[k].generic ?
			(final ? datumCopy(v, state->keys[k].typbyval, state->keys[k].typlen) : v) :
			!state->keys[k].is_text ? summary_datum(state->keys[k].keytype, DatumGetInt64(v)) :
			final ? datumCopy(v, false, -1) : v;
		slot->tts_isnull[state->key_col[k]] = isnull;
	}
	for (int a = 0; a < state->naggs; a++)
	{
		bool		isnull;

		slot->tts_values[state->agg_col[a]] = final ?
			final_value(state, a, SLOT(state, g, a), &isnull) :
			partial_state(&state->aggs[a], SLOT(state, g, a), &isnull);
		slot->tts_isnull[state->agg_col[a]] = isnull;
	}
	ExecStoreVirtualTuple(slot);
}

/* The row of group g, in the scan slot until the next row. */
static TupleTableSlot *
emit_group(TsAggState *state, int g, bool final)
{
	TupleTableSlot *slot = state->css.ss.ss_ScanTupleSlot;
	MemoryContext old;

	/* partial states (arrays, bytea) live until the next row: ExecScan resets this */
	old = MemoryContextSwitchTo(state->css.ss.ps.ps_ExprContext->ecxt_per_tuple_memory);
	group_row(state, g, slot, final);
	MemoryContextSwitchTo(old);
	state->groups_emitted++;
	return slot;
}

/*
 * Without groups, count(*) and min/max of integer, date and time columns
 * are answered by a chunk's row count and summary, without reading it,
 * when no qual cuts the chunk: without quals, or when its summary shows
 * that every row passes them (a chunk wholly inside a time range).  (Float
 * min/max are not: among equal values such as 0 and -0 the transition
 * functions keep the last one seen, which the summary does not record.)
 * Chunks with deleted rows, and chunks of our own transaction with per-row
 * command ids, which may hide rows, are read.
 */
static bool
metadata_answers(TsAggState *state)
{
	if (state->nkeys > 0 || state->naggs == 0)
		return false;
	for (int a = 0; a < state->naggs; a++)
	{
		AggSpec    *spec = &state->aggs[a];

		if (spec->filter)
			return false;

		if (spec->kind == AK_COUNT_STAR)
			continue;
		if ((spec->kind == AK_MIN || spec->kind == AK_MAX) &&
			!is_float_type(spec->argtype) && summary_type_supported(spec->argtype))
			continue;
		return false;
	}
	return true;
}

static bool
chunk_from_metadata(void *arg, const ChunkMeta *meta)
{
	TsAggState *state = (TsAggState *) arg;
	ColumnSummary *cs;

	if (meta->cids != NULL)
		return false;
	/* a chunk the quals cut is read: its summary describes other rows too */
	if (state->quals != NIL && !vector_qual_chunk_all_match(state->vq))
		return false;
	cs = palloc(sizeof(ColumnSummary) * state->naggs);
	for (int a = 0; a < state->naggs; a++)
	{
		AggSpec    *spec = &state->aggs[a];

		if (spec->kind == AK_COUNT_STAR)
			continue;
		summary_get(meta->summary, (AttrNumber) (spec->attidx + 1), spec->argtype, &cs[a]);
		if (!cs[a].known)
		{
			pfree(cs);
			return false;
		}
	}
	if (state->ngroups == 0)
	{
		Datum		none = 0;
		bool		nonull = false;

		(void) find_group(state, &none, &nonull);
	}
	for (int a = 0; a < state->naggs; a++)
	{
		AggSpec    *spec = &state->aggs[a];
		AggSlot    *s = SLOT(state, 0, a);
		int64		v;

		if (spec->kind == AK_COUNT_STAR)
		{
			s->n += meta->row_count;
			continue;
		}
		if (!cs[a].has_values)
			continue;
		v = summary_int64(spec->argtype, spec->kind == AK_MAX ? cs[a].max : cs[a].min);
		if (s->n == 0 || !(spec->kind == AK_MAX ? s->i > v : s->i < v))
			s->i = v;
		s->n++;
	}
	pfree(cs);
	return true;
}

static int
cmp_int64_desc(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return x > y ? -1 : x < y ? 1 : 0;
}

/* The key of a value of its column, as an int64 (topn_threshold). */
static int64
key_of_value(KeySpec *key, Datum value)
{
	if (key->func == NULL)
		return summary_int64(key->keytype, value);
	key->fcinfo->args[key->colarg].value = value;
	key->fcinfo->args[key->colarg].isnull = false;
	key->fcinfo->isnull = false;
	value = FunctionCallInvoke(key->fcinfo);
	key->have_last = false;
	if (key->fcinfo->isnull)
		elog(ERROR, "timeseries: group key function returned NULL for a value");
	return summary_int64(key->keytype, value);
}

/*
 * Set the parameter of the newest-buckets bound (topn_plan): the topn-th
 * largest distinct bucket among the buckets of every chunk's smallest and
 * largest value, counting only chunks wholly inside the quals' range (their
 * smallest and largest rows pass the quals, so those buckets are in the
 * result).  At least topn buckets are then at or above it, so no smaller
 * bucket is among the first topn; without that many, the bound is the
 * type's smallest value and prunes nothing.  Chunks of the current
 * transaction are left out: they may hide rows from this command, and so
 * are chunks with deleted rows: their smallest or largest value may be a
 * deleted row's.
 */
static void
topn_threshold(TsAggState *state)
{
	ScanState  *ss = &state->css.ss;
	ExprContext *econtext = ss->ps.ps_ExprContext;
	ParamExecData *prm = &ss->ps.state->es_param_exec_vals[state->topn_param];
	Oid			type = state->topn_type;
	int64		lo = PG_INT64_MIN;
	int64		hi = PG_INT64_MAX;
	int64		threshold;
	bool		empty = false;
	ListCell   *lc1;
	ListCell   *lc2;
	MemoryContext old;

	switch (type)
	{
		case INT2OID:
			threshold = PG_INT16_MIN;
			break;
		case INT4OID:
		case DATEOID:
			threshold = PG_INT32_MIN;
			break;
		default:
			threshold = PG_INT64_MIN;
			break;
	}

	old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	forboth(lc1, state->topn_strategies, lc2, state->topn_bounds)
	{
		bool		isnull;
		Datum		d = ExecEvalExpr(lfirst(lc2), econtext, &isnull);
		int64		v;

		if (isnull)
		{
			empty = true;
			break;
		}
		v = summary_int64(type, d);
		switch (lfirst_int(lc1))
		{
			case BTGreaterStrategyNumber:
				if (v == PG_INT64_MAX)
					empty = true;
				else
					lo = Max(lo, v + 1);
				break;
			case BTGreaterEqualStrategyNumber:
				lo = Max(lo, v);
				break;
			case BTLessStrategyNumber:
				if (v == PG_INT64_MIN)
					empty = true;
				else
					hi = Min(hi, v - 1);
				break;
			default:
				hi = Min(hi, v);
				break;
		}
	}
	/*
	 * date_trunc of a timestamptz works in the session's zone, which can
	 * change after planning: where local time repeats, a bucket can start
	 * after its row, so the bound then prunes nothing.
	 */
	if (state->topn_fixed_zone)
	{
		long		gmtoff;

		if (!pg_get_timezone_offset(session_timezone, &gmtoff))
			empty = true;
	}
	if (!empty && lo <= hi)
	{
		uint64		storage_id = storage_get_id(ss->ss_currentRelation);
		ChunkMetaScan *ms;
		ChunkMeta	meta;
		int64	   *buckets = NULL;
		int			n = 0;
		int			max = 0;

		Snapshot	snapshot = ss->ps.state->es_snapshot;
		bool		any_deleted = delete_mask_any(storage_id, snapshot);

		ms = storage_id ? metadata_begin_scan(storage_id, snapshot) : NULL;
		while (ms && metadata_next(ms, &meta, false))
		{
			ColumnSummary cs;
			int64		mn;
			int64		mx;

			CHECK_FOR_INTERRUPTS();
			if (meta.own_xact || meta.cids != NULL)
				continue;
			/* the summary's min and max may be rows that are deleted */
			if (any_deleted &&
				delete_mask_load(storage_id, meta.first_row, meta.row_span,
								 snapshot) != NULL)
				continue;
			summary_get(meta.summary, state->topn_attno, type, &cs);
			if (!cs.known || !cs.has_values)
				continue;
			mn = summary_int64(type, cs.min);
			mx = summary_int64(type, cs.max);
			if (mn < lo || mx > hi)
				continue;
			if (n + 2 > max)
			{
				max = Max(64, max * 2);
				buckets = buckets ? repalloc(buckets, sizeof(int64) * max) :
					palloc(sizeof(int64) * max);
			}
			buckets[n++] = key_of_value(&state->keys[0], cs.min);
			buckets[n++] = key_of_value(&state->keys[0], cs.max);
		}
		if (ms)
			metadata_end_scan(ms);
		if (n > 0)
		{
			int			distinct = 0;

			qsort(buckets, n, sizeof(int64), cmp_int64_desc);
			for (int i = 0; i < n; i++)
			{
				if (i > 0 && buckets[i] == buckets[i - 1])
					continue;
				if (++distinct == state->topn)
				{
					threshold = buckets[i];
					break;
				}
			}
		}
	}
	MemoryContextSwitchTo(old);
	prm->execPlan = NULL;
	prm->value = summary_datum(type, threshold);
	prm->isnull = false;
}

/*
 * avg() of floats needs N and Sx; float8_accum keeps Sxx as well, for
 * variance, and raises its overflow error when Sxx overflows.  For values
 * within +-1e100 that cannot happen: with N < 2^53 rows, |N * x - Sx| stays
 * below 2e116, each addition to Sxx below 4e232 and Sxx below 4e248.  So
 * when the chunk summaries show every value the scan can read in that
 * range, Sxx is not computed (a division per row) and is emitted as 0:
 * float8_avg ignores it, and combining such states cannot overflow either.
 * The transaction's unwritten rows have no summary: then Sxx is computed.
 */
#define TAME_FLOAT	1e100

static void
choose_lazy_sxx(TsAggState *state)
{
	ScanState  *ss = &state->css.ss;
	bool		any = false;
	uint64		storage_id;
	ChunkMetaScan *ms;
	ChunkMeta	meta;
	MemoryContext old;

	for (int a = 0; a < state->naggs; a++)
	{
		AggSpec    *spec = &state->aggs[a];

		spec->lazy_sxx = spec->kind == AK_ACCUM && spec->sxx_unused && spec->attidx >= 0;

		/*
		 * The Finalize Agg shares one transition state among aggregates with
		 * the same transition function and input (avg(x) and var_samp(x)),
		 * combined from the first one's partial state: with a variance over
		 * the same column anywhere, Sxx is computed.
		 */
		for (int b = 0; b < state->naggs && spec->lazy_sxx; b++)
			if (state->aggs[b].kind == AK_ACCUM && !state->aggs[b].sxx_unused &&
				state->aggs[b].attidx == spec->attidx)
				spec->lazy_sxx = false;
		any |= spec->lazy_sxx;
	}
	if (!any)
		return;
	if (write_has_buffered_rows())
	{
		for (int a = 0; a < state->naggs; a++)
			state->aggs[a].lazy_sxx = false;
		return;
	}
	storage_id = storage_get_id(ss->ss_currentRelation);
	if (storage_id == 0)
		return;
	old = MemoryContextSwitchTo(ss->ps.ps_ExprContext->ecxt_per_tuple_memory);
	ms = metadata_begin_scan(storage_id, ss->ps.state->es_snapshot);
	while (any && metadata_next(ms, &meta, false))
	{
		CHECK_FOR_INTERRUPTS();
		any = false;
		for (int a = 0; a < state->naggs; a++)
		{
			AggSpec    *spec = &state->aggs[a];
			ColumnSummary cs;

			if (!spec->lazy_sxx)
				continue;
			summary_get(meta.summary, (AttrNumber) (spec->attidx + 1), spec->argtype, &cs);
			if (!cs.known ||
				(cs.has_values &&
				 !(fabs(summary_double(spec->argtype, cs.min)) <= TAME_FLOAT &&
				   fabs(summary_double(spec->argtype, cs.max)) <= TAME_FLOAT)))
				spec->lazy_sxx = false;
			any |= spec->lazy_sxx;
		}
	}
	metadata_end_scan(ms);
	MemoryContextSwitchTo(old);
	ResetExprContext(ss->ps.ps_ExprContext);
}

/*
 * The newest buckets, walking chunks newest first (serial scans): a chunk
 * whose newest value's bucket is below the (n+m)-th largest bucket already
 * seen cannot add to the buckets the query keeps, and neither can any chunk
 * after it, so the walk ends there (ts_scan_set_chunk_cutoff).  Groups of
 * smaller buckets may then be incomplete; the Sort and Limit above drop
 * them.  Chunks without a summary of the column, or with NULLs in it (a
 * NULL group sorts first with DESC), come first.
 */
static inline uint64
topn_bucket_key(int64 bucket)
{
	return ~((uint64) bucket ^ (UINT64CONST(1) << 63));
}

static uint64
topn_chunk_key(void *arg, const ChunkMeta *meta)
{
	TsAggState *state = (TsAggState *) arg;
	ColumnSummary cs;

	summary_get(meta->summary, state->topn_attno, state->topn_type, &cs);
	if (!cs.known || cs.has_nulls || !cs.has_values)
		return 0;

	/*
	 * The summary's largest value may be a deleted row's, which the key
	 * function need not accept (time_bucket out of range): such chunks
	 * come first too.
	 */
	if (state->topn_any_deleted)
	{
		uint8	   *mask = delete_mask_load(meta->storage_id, meta->first_row,
											meta->row_span,
											state->css.ss.ps.state->es_snapshot);

		if (mask != NULL)
		{
			pfree(mask);
			return 0;
		}
	}
	return topn_bucket_key(key_of_value(&state->keys[0], cs.max));
}

static void
topn_update_cutoff(TsAggState *state)
{
	int			need = state->topn;
	int64	   *heap;
	int			n = 0;

	if (state->ngroups == state->topn_seen_groups || state->ngroups < need)
		return;
	state->topn_seen_groups = state->ngroups;

	/* the need largest distinct keys (one key: groups are distinct), smallest at [0] */
	heap = palloc(sizeof(int64) * need);
	for (int g = 0; g < state->ngroups; g++)
	{
		int64		v;
		int			i;

		if (state->group_nulls[g])
			continue;
		v = DatumGetInt64(state->group_keys[g]);
		if (n < need)
		{
			i = n++;
			while (i > 0 && heap[(i - 1) / 2] > v)
			{
				heap[i] = heap[(i - 1) / 2];
				i = (i - 1) / 2;
			}
			heap[i] = v;
		}
		else if (v > heap[0])
		{
			i = 0;
			for (;;)
			{
				int			c = 2 * i + 1;

				if (c >= n)
					break;
				if (c + 1 < n && heap[c + 1] < heap[c])
					c++;
				if (heap[c] >= v)
					break;
				heap[i] = heap[c];
				i = c;
			}
			heap[i] = v;
		}
	}
	if (n == need)
		ts_scan_set_chunk_cutoff(state->scan, topn_bucket_key(heap[0]));
	pfree(heap);
}

/*
 * The group keys' arguments computed when the scan starts (parameters),
 * copied into the node's memory; the keys' cached results went with the
 * previous values.
 */
static void
set_key_args(TsAggState *state, ExprContext *econtext)
{
	for (int k = 0; k < state->nkeys; k++)
	{
		KeySpec    *key = &state->keys[k];
		int			nargs;

		if (key->arg_exprs == NULL)
			continue;
		nargs = list_length(key->func->args);
		for (int i = 0; i < nargs; i++)
		{
			ExprState  *es = key->arg_exprs[i];
			Oid			type;
			int16		typlen;
			bool		typbyval;
			bool		isnull;
			Datum		d;

			if (es == NULL)
				continue;
			d = ExecEvalExprSwitchContext(es, econtext, &isnull);
			type = exprType((Node *) list_nth(key->func->args, i));
			get_typlenbyval(type, &typlen, &typbyval);
			if (!key->fcinfo->args[i].isnull && !typbyval &&
				key->fcinfo->args[i].value != (Datum) 0)
				pfree(DatumGetPointer(key->fcinfo->args[i].value));
			key->fcinfo->args[i].value = isnull ? (Datum) 0 :
				datumCopy(d, typbyval, typlen);
			key->fcinfo->args[i].isnull = isnull;
		}
		key->null_key = false;
		for (int i = 0; i < nargs; i++)
			if (key->arg_exprs[i] && key->fcinfo->args[i].isnull && key->strict)
				key->null_key = true;
		set_trunc_arithmetic(key);
		key->have_last = false;
		memset(key->cache_used, 0, sizeof(bool) * KEY_CACHE_SIZE);
	}
}

static TupleTableSlot *
next_agg_row(ScanState *ss)
{
	TsAggState *state = (TsAggState *) ss;
	TupleDesc	desc = RelationGetDescr(ss->ss_currentRelation);

	if (state->scan == NULL)
	{
		state->scan = ts_scan_begin_custom(ss->ss_currentRelation,
										   ss->ps.state->es_snapshot);
		vector_qual_attach(state->vq, state->scan, state->read_att);
		ts_scan_set_selected_only(state->scan);
		if (state->next_claim)
			ts_scan_set_parallel(state->scan, state->next_claim);
		state->topn_ordered = state->topn > 0 && state->nkeys == 1 &&
			!ss->ps.plan->parallel_aware && state->next_claim == NULL;
		if (state->topn_ordered)
		{
			state->topn_any_deleted =
				delete_mask_any(storage_get_id(ss->ss_currentRelation),
								ss->ps.state->es_snapshot);
			ts_scan_set_chunk_order(state->scan, topn_chunk_key, false, state);
		}
		if (state->from_metadata)
			ts_scan_set_chunk_consumer(state->scan, chunk_from_metadata, state);
	}
	if (!state->values_set)
	{
		set_key_args(state, ss->ps.ps_ExprContext);
		if (state->topn > 0)
			topn_threshold(state);
		choose_lazy_sxx(state);
		vector_qual_set_values(state->vq, ss->ps.ps_ExprContext);
		for (int a = 0; a < state->naggs; a++)
			if (state->aggs[a].filter)
				vector_qual_set_values(state->aggs[a].filter, ss->ps.ps_ExprContext);
		state->values_set = true;
	}

	for (;;)
	{
		if (state->emitting)
		{
			if (state->emit_pos < state->ngroups)
				return emit_group(state, state->emit_pos++, false);
			state->emitting = false;
			reset_groups(state);
			if (state->scan_done)
				return NULL;
		}
		CHECK_FOR_INTERRUPTS();
		if (state->topn_ordered)
			topn_update_cutoff(state);
		if (!consume_batch(state, desc))
		{
			state->scan_done = true;
			/* a plain aggregate has its one row even without input */
			if (state->nkeys == 0 && state->ngroups == 0 && state->groups_emitted == 0)
			{
				Datum		none = 0;
				bool		nonull = false;

				(void) find_group(state, &none, &nonull);
			}
			state->emitting = true;
			state->emit_pos = 0;
			continue;
		}
		if (groups_bytes(state) > (Size) work_mem * 1024)
		{
			state->flushes++;
			state->emitting = true;
			state->emit_pos = 0;
		}
	}
}

/*
 * Parallel: participants claim chunks through a counter in the DSM (see
 * scan.c); each emits the partial groups of what it read.
 */
static Size
agg_estimate_dsm(CustomScanState *node, ParallelContext *pcxt)
{
	return sizeof(pg_atomic_uint64);
}

static void
agg_initialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate)
{
	TsAggState *state = (TsAggState *) node;

	state->next_claim = (pg_atomic_uint64 *) coordinate;
	pg_atomic_init_u64(state->next_claim, 0);
	if (state->scan)
		ts_scan_set_parallel(state->scan, state->next_claim);
}

static void
agg_reinitialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate)
{
	TsAggState *state = (TsAggState *) node;

	state->next_claim = (pg_atomic_uint64 *) coordinate;
	pg_atomic_write_u64(state->next_claim, 0);
	if (state->scan)
		ts_scan_set_parallel(state->scan, state->next_claim);
}

static void
agg_initialize_worker(CustomScanState *node, shm_toc *toc, void *coordinate)
{
	((TsAggState *) node)->next_claim = (pg_atomic_uint64 *) coordinate;
}

/* The DSM goes away after this: forget the counter. */
static void
agg_shutdown(CustomScanState *node)
{
	TsAggState *state = (TsAggState *) node;

	state->next_claim = NULL;
	if (state->scan)
		ts_scan_set_parallel(state->scan, NULL);
}

static bool
recheck_agg(ScanState *ss, TupleTableSlot *slot)
{
	return true;
}

static TupleTableSlot *
exec_agg(CustomScanState *node)
{
	return ExecScan(&node->ss, (ExecScanAccessMtd) next_agg_row,
					(ExecScanRecheckMtd) recheck_agg);
}

static void
end_agg(CustomScanState *node)
{
	TsAggState *state = (TsAggState *) node;

	if (state->scan)
		ts_scan_end(state->scan);
	state->scan = NULL;
}

static void
rescan_agg(CustomScanState *node)
{
	TsAggState *state = (TsAggState *) node;

	state->values_set = false;
	state->scan_done = false;
	state->emitting = false;
	state->emit_pos = 0;
	state->groups_emitted = 0;
	reset_groups(state);
	for (int k = 0; k < state->nkeys; k++)
		state->keys[k].have_last = false;
	if (state->scan)
		ts_scan_rescan(state->scan, NULL, false, false, false, false);
}

static void
explain_agg(CustomScanState *node, List *ancestors, ExplainState *es)
{
	TsAggState *state = (TsAggState *) node;
	CustomScan *cs = (CustomScan *) node->ss.ps.plan;
	List	   *context;
	bool		useprefix = list_length(es->rtable) > 1 || es->verbose;
	List	   *keys = NIL;
	List	   *aggs = NIL;
	ListCell   *lc;

	context = set_deparse_context_plan(es->deparse_cxt, node->ss.ps.plan, ancestors);
	foreach(lc, cs->custom_scan_tlist)
	{
		TargetEntry *te = lfirst_node(TargetEntry, lc);
		char	   *s;

		if (te->resjunk)
			continue;
		s = deparse_expression((Node *) te->expr, context, useprefix, false);
		if (IsA(te->expr, Aggref))
			aggs = lappend(aggs, s);
		else
			keys = lappend(keys, s);
	}
	if (keys)
		ExplainPropertyList("Group Keys", keys, es);
	if (aggs)
		ExplainPropertyList("Aggregates", aggs, es);
	else
		ExplainPropertyText("Aggregates", "(none)", es);
	ts_explain_clauses("Vectorized Filter", state->quals, node, ancestors, es);
	if (state->topn > 0)
		ExplainPropertyInteger("Newest Buckets Only", NULL, state->topn, es);
	if (es->analyze && state->scan)
	{
		const TsScanCounters *c = ts_scan_counters(state->scan);

		ExplainPropertyInteger("Chunks Read", NULL, c->chunks_read, es);
		ExplainPropertyInteger("Chunks Pruned", NULL, c->chunks_pruned, es);
		if (state->from_metadata)
			ExplainPropertyInteger("Chunks Answered by Metadata", NULL,
								   c->chunks_from_metadata, es);
		if (state->quals)
		{
			ExplainPropertyInteger("Vectors Pruned", NULL, c->vectors_pruned, es);
			ExplainPropertyInteger("Rows Removed by Vectorized Filter", NULL,
								   c->rows_filtered, es);
		}
		ExplainPropertyInteger("Groups Emitted", NULL, state->groups_emitted, es);
		if (state->flushes > 0)
			ExplainPropertyInteger("Flushes at work_mem", NULL, state->flushes, es);
	}
}

/* ---------- TimeseriesCombine: execution ---------- */

static void begin_combine(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_combine(CustomScanState *node);
static void end_combine(CustomScanState *node);
static void rescan_combine(CustomScanState *node);
static void explain_combine(CustomScanState *node, List *ancestors, ExplainState *es);

static const CustomExecMethods combine_exec_methods = {
	.CustomName = COMBINE_NAME,
	.BeginCustomScan = begin_combine,
	.ExecCustomScan = exec_combine,
	.EndCustomScan = end_combine,
	.ReScanCustomScan = rescan_combine,
	.ExplainCustomScan = explain_combine,
};

static Node *
create_combine_state(CustomScan *cscan)
{
	TsAggState *state = (TsAggState *) newNode(sizeof(TsAggState),
											   T_CustomScanState);

	state->css.methods = &combine_exec_methods;
	return (Node *) state;
}

static void
begin_combine(CustomScanState *node, EState *estate, int eflags)
{
	TsAggState *state = (TsAggState *) node;
	CustomScan *cs = (CustomScan *) node->ss.ps.plan;
	int			ncols = list_length(cs->custom_scan_tlist);
	ListCell   *lc;
	ListCell   *flc = list_head(linitial(cs->custom_private));
	int			col = 0;

	state->child = ExecInitNode(linitial(cs->custom_plans), estate, eflags);
	node->custom_ps = list_make1(state->child);
	state->keys = palloc0(sizeof(KeySpec) * Max(ncols, 1));
	state->aggs = palloc0(sizeof(AggSpec) * Max(ncols, 1));
	state->key_col = palloc0(sizeof(int) * Max(ncols, 1));
	state->agg_col = palloc0(sizeof(int) * Max(ncols, 1));
	state->key_collation = palloc0(sizeof(Oid) * Max(ncols, 1));
	state->finalfn = palloc0(sizeof(Oid) * Max(ncols, 1));
	state->final_flinfo = palloc0(sizeof(FmgrInfo) * Max(ncols, 1));
	state->row_values = palloc0(sizeof(Datum) * Max(ncols, 1));
	state->row_nulls = palloc0(sizeof(bool) * Max(ncols, 1));

	foreach(lc, cs->custom_scan_tlist)
	{
		Expr	   *expr = lfirst_node(TargetEntry, lc)->expr;

		if (IsA(expr, Aggref))
		{
			Aggref	   *aggref = (Aggref *) expr;
			AggSpec    *spec = &state->aggs[state->naggs];
			AttrNumber	attno;
			Oid			finalfn = lfirst_oid(flc);

			if (!agg_spec(aggref, aggref_relid(aggref), spec, &attno) ||
				!combined_here(spec->kind))
				elog(ERROR, "timeseries: unsupported aggregate in TimeseriesCombine");
			state->finalfn[state->naggs] = finalfn;
			if (OidIsValid(finalfn))
				fmgr_info(finalfn, &state->final_flinfo[state->naggs]);
			state->agg_col[state->naggs++] = col;
			flc = lnext(linitial(cs->custom_private), flc);
		}
		else
		{
			KeySpec    *k = &state->keys[state->nkeys];

			key_setup(k, exprType((Node *) expr), exprCollation((Node *) expr));
			state->key_collation[state->nkeys] = exprCollation((Node *) expr);
			state->key_col[state->nkeys++] = col;
		}
		col++;
	}
	state->groups_cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "timeseries combine groups",
											  ALLOCSET_DEFAULT_SIZES);
	set_initial_groups(state);
	reset_groups(state);
}

/*
 * The n 8-byte elements of a one-dimensional array without NULLs, read in
 * place: from the tuple queue, partial states come with a packed one-byte
 * header, which PG_GETARG_ARRAYTYPE_P would copy into a fresh allocation.
 * The bytes after the header are the same in both forms.
 */
static void
read_eight_byte_array(Datum d, Oid elemtype, void *out, int n)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);
	const char *p;
	int32		ndim;
	int32		dataoffset;
	Oid			type;
	int32		dim;

	if (VARATT_IS_EXTENDED(v) && !VARATT_IS_SHORT(v))
		v = pg_detoast_datum(v);
	p = VARDATA_ANY(v);
	memcpy(&ndim, p, sizeof(int32));
	memcpy(&dataoffset, p + 4, sizeof(int32));
	memcpy(&type, p + 8, sizeof(Oid));
	memcpy(&dim, p + 12, sizeof(int32));
	if (ndim != 1 || dataoffset != 0 || type != elemtype || dim != n ||
		VARSIZE_ANY_EXHDR(v) != ARR_OVERHEAD_NONULLS(1) - VARHDRSZ + 8 * (Size) n)
		elog(ERROR, "timeseries: unexpected partial aggregate state");
	memcpy(out, p + ARR_OVERHEAD_NONULLS(1) - VARHDRSZ, 8 * (Size) n);
}

/*
 * Combines one partial state into a group's slot with the arithmetic of
 * the aggregate's combine function (int8pl, float4pl, float8pl,
 * int4_avg_combine, float8_combine, *smaller, *larger).  The combine
 * functions are strict: a NULL partial state (no input rows) changes
 * nothing.
 */
static void
combine_state(AggSpec *spec, AggSlot *s, Datum d, bool isnull)
{
	if (isnull)
		return;
	switch (spec->kind)
	{
		case AK_COUNT_STAR:
		case AK_COUNT:
			if (pg_add_s64_overflow(s->n, DatumGetInt64(d), &s->n))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("bigint out of range")));
			break;
		case AK_SUM_INT:
			if (s->n == 0)
				s->i = DatumGetInt64(d);
			else if (pg_add_s64_overflow(s->i, DatumGetInt64(d), &s->i))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("bigint out of range")));
			s->n++;
			break;
		case AK_SUM_FLOAT8:
			if (s->n == 0)
				s->d = DatumGetFloat8(d);
			else
				s->d = float8_pl(s->d, DatumGetFloat8(d));
			s->n++;
			break;
		case AK_SUM_FLOAT4:
			if (s->n == 0)
				s->d = DatumGetFloat4(d);
			else
				s->d = float4_pl((float4) s->d, DatumGetFloat4(d));
			s->n++;
			break;
		case AK_AVG_INT:
			{
				int64		st[2];	/* count, sum */

				read_eight_byte_array(d, INT8OID, st, 2);
				s->n += st[0];
				s->i += st[1];
				break;
			}
		case AK_ACCUM:
			{
				float8		st[3];	/* N, Sx, Sxx */
				double		n1 = (double) s->n;

				read_eight_byte_array(d, FLOAT8OID, st, 3);
				if (n1 == 0.0)
				{
					s->n = (int64) st[0];
					s->d = st[1];
					s->sxx = st[2];
				}
				else if (st[0] != 0.0)
				{
					double		n = n1 + st[0];
					double		tmp = s->d / n1 - st[1] / st[0];
					double		sxx = s->sxx + st[2] + n1 * st[0] * tmp * tmp / n;

					if (unlikely(isinf(sxx)) && !isinf(s->sxx) && !isinf(st[2]))
						float_overflow_error();
					s->d = float8_pl(s->d, st[1]);
					s->sxx = sxx;
					s->n = (int64) n;
				}
				break;
			}
		case AK_MIN:
		case AK_MAX:
			{
				bool		is_min = spec->kind == AK_MIN;

				/* a tie takes the new value, as *smaller and *larger do */
				if (spec->argtype == FLOAT8OID || spec->argtype == FLOAT4OID)
				{
					double		v = spec->argtype == FLOAT8OID ?
						DatumGetFloat8(d) : (double) DatumGetFloat4(d);

					if (s->n == 0 ||
						!(is_min ? float8_lt(s->d, v) : float8_gt(s->d, v)))
						s->d = v;
				}
				else
				{
					int64		v = summary_int64(spec->argtype, d);

					if (s->n == 0 || (is_min ? v < s->i : v > s->i))
						s->i = v;
				}
				s->n++;
				break;
			}
		case AK_SUM_INT8:
		case AK_SUM_NUMERIC:
		case AK_MOMENTS:
		case AK_MIN_CMP:
		case AK_MAX_CMP:
		case AK_FIRST:
		case AK_LAST:
			elog(ERROR, "timeseries: these partial states are not combined here");
	}
}

/* The final value of a group's aggregate a. */
static Datum
final_value(TsAggState *state, int a, AggSlot *s, bool *isnull)
{
	AggSpec    *spec = &state->aggs[a];
	Oid			finalfn = state->finalfn[a];
	Datum		st;
	LOCAL_FCINFO(fcinfo, 1);
	Datum		result;

	if (finalfn == F_FLOAT8_AVG)
	{
		/* float8_avg: Sx / N, NULL without rows */
		*isnull = s->n == 0;
		return *isnull ? (Datum) 0 : Float8GetDatum(s->d / (double) s->n);
	}
	st = partial_state(spec, s, isnull);
	if (!OidIsValid(finalfn) || *isnull)
		return st;
	InitFunctionCallInfoData(*fcinfo, &state->final_flinfo[a], 1, InvalidOid,
							 NULL, NULL);
	fcinfo->args[0].value = st;
	fcinfo->args[0].isnull = false;
	result = FunctionCallInvoke(fcinfo);
	*isnull = fcinfo->isnull;
	return result;
}

/* Group keys of a partial row, as the group table holds them. */
static void
row_keys(TsAggState *state, TupleTableSlot *slot, Datum *values, bool *nulls)
{
	for (int k = 0; k < state->nkeys; k++)
	{
		Datum		v = slot->tts_values[state->key_col[k]];

		nulls[k] = slot->tts_isnull[state->key_col[k]];
		values[k] = nulls[k] ? (Datum) 0 :
			(state->keys[k].is_text || state->keys[k].generic) ? v :
			Int64GetDatum(summary_int64(state->keys[k].keytype, v));
	}
}

static void
combine_row(TsAggState *state, TupleTableSlot *slot)
{
	int			g;

	row_keys(state, slot, state->row_values, state->row_nulls);
	g = find_group(state, state->row_values, state->row_nulls);
	for (int a = 0; a < state->naggs; a++)
		combine_state(&state->aggs[a], SLOT(state, g, a),
					  slot->tts_values[state->agg_col[a]],
					  slot->tts_isnull[state->agg_col[a]]);
}

/* Does group g have the keys of this partial row? */
static bool
group_has_keys(TsAggState *state, int g, TupleTableSlot *slot)
{
	Datum	   *values = state->row_values;
	bool	   *nulls = state->row_nulls;

	row_keys(state, slot, values, nulls);
	for (int k = 0; k < state->nkeys; k++)
	{
		bool		gn = state->group_nulls[g * state->nkeys + k];

		if (gn != nulls[k] ||
			(!gn && !key_equal(&state->keys[k],
							   state->group_keys[g * state->nkeys + k], values[k])))
			return false;
	}
	return true;
}

/*
 * The groups outgrew work_mem: they go into a sort by the group keys as
 * partial rows, and so does every row still to come; the sorted rows are
 * then combined one group at a time (next_sorted_group).
 */
static void
start_sort(TsAggState *state)
{
	TupleDesc	desc = ExecGetResultType(state->child);
	int			nkeys = state->nkeys;
	AttrNumber *attnums = palloc(sizeof(AttrNumber) * nkeys);
	Oid		   *sortops = palloc(sizeof(Oid) * nkeys);
	bool	   *nulls_first = palloc0(sizeof(bool) * nkeys);
	TupleTableSlot *row = MakeSingleTupleTableSlot(desc, &TTSOpsVirtual);
	MemoryContext tmp = AllocSetContextCreate(CurrentMemoryContext,
											  "timeseries combine spill",
											  ALLOCSET_DEFAULT_SIZES);

	for (int k = 0; k < nkeys; k++)
	{
		attnums[k] = state->key_col[k] + 1;
		get_sort_group_operators(state->keys[k].keytype, true, false, false,
								 &sortops[k], NULL, NULL, NULL);
	}
	state->sort = tuplesort_begin_heap(desc, nkeys, attnums, sortops,
									   state->key_collation, nulls_first,
									   work_mem, NULL, TUPLESORT_NONE);
	state->sort_slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	for (int g = 0; g < state->ngroups; g++)
	{
		MemoryContext old = MemoryContextSwitchTo(tmp);

		group_row(state, g, row, false);
		tuplesort_puttupleslot(state->sort, row);
		MemoryContextSwitchTo(old);
		MemoryContextReset(tmp);
	}
	ExecDropSingleTupleTableSlot(row);
	MemoryContextDelete(tmp);
	/* from now on one group at a time: a table for work_mem's worth each was all zeroing */
	state->initial_groups = 1;
	reset_groups(state);
	state->flushes++;
}

/* Sorted mode: one group at a time, from runs of equal keys. */
static TupleTableSlot *
next_sorted_group(TsAggState *state)
{
	for (;;)
	{
		if (state->sort_emitted)
		{
			reset_groups(state);
			state->sort_emitted = false;
		}
		if (!state->sort_have_row)
		{
			if (!tuplesort_gettupleslot(state->sort, true, false,
										state->sort_slot, NULL))
			{
				if (state->ngroups == 0)
					return NULL;
				state->sort_emitted = true;
				return emit_group(state, 0, true);
			}
			slot_getallattrs(state->sort_slot);
			state->sort_have_row = true;
		}
		if (state->ngroups == 1 && !group_has_keys(state, 0, state->sort_slot))
		{
			state->sort_emitted = true;
			return emit_group(state, 0, true);
		}
		combine_row(state, state->sort_slot);
		state->sort_have_row = false;
	}
}

static TupleTableSlot *
next_combine_row(ScanState *ss)
{
	TsAggState *state = (TsAggState *) ss;

	for (;;)
	{
		TupleTableSlot *slot;

		if (state->emitting)
		{
			if (state->sort)
				return next_sorted_group(state);
			if (state->emit_pos < state->ngroups)
				return emit_group(state, state->emit_pos++, true);
			return NULL;
		}
		slot = ExecProcNode(state->child);
		if (TupIsNull(slot))
		{
			if (state->sort)
				tuplesort_performsort(state->sort);
			else if (state->nkeys == 0 && state->ngroups == 0)
			{
				/* a plain aggregate has its one row even without input */
				Datum		none = 0;
				bool		nonull = false;

				(void) find_group(state, &none, &nonull);
			}
			state->emitting = true;
			state->emit_pos = 0;
			continue;
		}
		if (state->sort)
		{
			tuplesort_puttupleslot(state->sort, slot);
			continue;
		}
		slot_getallattrs(slot);
		combine_row(state, slot);
		if (state->nkeys > 0 && groups_bytes(state) > (Size) work_mem * 1024)
			start_sort(state);
	}
}

static TupleTableSlot *
exec_combine(CustomScanState *node)
{
	return ExecScan(&node->ss, (ExecScanAccessMtd) next_combine_row,
					(ExecScanRecheckMtd) recheck_agg);
}

static void
end_sort(TsAggState *state)
{
	if (state->sort)
		tuplesort_end(state->sort);
	if (state->sort_slot)
		ExecDropSingleTupleTableSlot(state->sort_slot);
	state->sort = NULL;
	state->sort_slot = NULL;
	state->sort_have_row = false;
	state->sort_emitted = false;
}

static void
end_combine(CustomScanState *node)
{
	TsAggState *state = (TsAggState *) node;

	end_sort(state);
	ExecEndNode(state->child);
}

static void
rescan_combine(CustomScanState *node)
{
	TsAggState *state = (TsAggState *) node;

	end_sort(state);
	state->emitting = false;
	state->emit_pos = 0;
	state->groups_emitted = 0;
	state->flushes = 0;
	set_initial_groups(state);
	reset_groups(state);
	if (node->ss.ps.chgParam != NULL)
		UpdateChangedParamSet(state->child, node->ss.ps.chgParam);
	if (state->child->chgParam == NULL)
		ExecReScan(state->child);
}

static void
explain_combine(CustomScanState *node, List *ancestors, ExplainState *es)
{
	TsAggState *state = (TsAggState *) node;

	if (es->analyze)
	{
		ExplainPropertyInteger("Groups Combined", NULL, state->groups_emitted, es);
		if (state->flushes > 0)
			ExplainPropertyText("Past work_mem", "sorted by the group keys", es);
	}
}
