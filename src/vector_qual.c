/*-------------------------------------------------------------------------
 *
 * vector_qual.c
 *	  Quals evaluated over decoded column vectors, and chunk pruning.
 *
 * The custom scan (custom_scan.c) hands clauses of these shapes here:
 *
 *	column op value					op a btree comparison (=, <>, <, <=, >, >=)
 *									in the default operator family of its
 *									left input type; BETWEEN arrives as two
 *	column op ANY/ALL (array)		IN lists and = ANY($1)
 *	column IS [NOT] NULL
 *	boolean column
 *	AND, OR, NOT of those
 *
 * where "value" is any expression without Vars, volatile functions or
 * subplans: a constant, a parameter of a prepared statement, now() - '1
 * hour'.  Values are computed when the scan starts and again on every
 * rescan, so generic plans and correlated subqueries get fresh values.
 *
 * Evaluation follows SQL's three-valued logic row by row (true, false,
 * NULL) and keeps the rows that come out true, as a WHERE clause does.
 * Comparisons of integers, floats and date/time types of matching families
 * run as plain C loops (floats with PostgreSQL's ordering: NaN equals NaN
 * and sorts above everything, -0 equals 0); text equality under a
 * deterministic collation compares bytes; everything else calls the
 * operator's function with the clause's collation, so results are always
 * those of the operator itself.
 *
 * Pruning uses the chunk summaries (summary.c): a chunk is skipped when no
 * row in [min, max] could make the clauses true.  Only columns whose type
 * the summary orders the same way as the operator's family are used, with
 * that family's comparison function.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/nbtree.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/array.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "chunk.h"
#include "metadata.h"
#include "scan.h"
#include "summary.h"
#include "custom_scan.h"
#include "vector_qual.h"

/* results of a clause for one row */
#define VQ_FALSE	0
#define VQ_TRUE		1
#define VQ_NULL		2

#define STRATEGY_NE	6			/* <>, the negator of a btree equality */

typedef enum VQKind
{
	VQ_AND,
	VQ_OR,
	VQ_NOT,
	VQ_CMP,						/* column op value */
	VQ_ARRAY,					/* column op ANY/ALL (array) */
	VQ_NULLTEST,
	VQ_BOOLCOL
} VQKind;

typedef enum VQFast
{
	FAST_NONE,					/* call the operator's function */
	FAST_INT,					/* integers and date/time types as int64 */
	FAST_FLOAT,					/* float4/float8 as double */
	FAST_TEXT_EQ				/* text = / <> under a deterministic collation */
} VQFast;

typedef struct VQNode
{
	VQKind		kind;
	struct VQNode **args;		/* AND, OR, NOT */
	int			nargs;

	int			attidx;			/* 0-based column */
	Oid			coltype;		/* the column's type (before any relabeling) */
	int			strategy;		/* BT*StrategyNumber or STRATEGY_NE */
	bool		use_or;			/* ANY (true) or ALL */
	bool		is_null;		/* IS NULL (true) or IS NOT NULL */
	Oid			collation;
	FmgrInfo	opfn;
	VQFast		fast;

	/* the value (CMP) or array (ARRAY), computed per scan */
	Expr	   *value_expr;
	ExprState  *value_state;
	Oid			valtype;		/* of the value, or of the array's elements */
	int16		vallen;
	bool		valbyval;
	char		valalign;
	bool		value_isnull;
	int			nvalues;		/* 1 for CMP */
	Datum	   *values;
	bool	   *value_nulls;
	int64	   *ivalues;		/* FAST_INT */
	double	   *fvalues;		/* FAST_FLOAT */

	/*
	 * The one column every leaf of the subtree tests without calling an
	 * operator's function (text equality, NULL tests), or -1: over a
	 * dictionary-encoded vector of it, the subtree is evaluated once per
	 * entry instead of once per row.
	 */
	int			dict_att;

	/* pruning by chunk summaries */
	bool		can_prune;
	FmgrInfo	cmpfn;			/* btree order proc (column type, value type) */
} VQNode;

struct VectorQual
{
	int			nclauses;
	VQNode	  **clauses;
	MemoryContext value_cxt;	/* values of the current scan */
	MemoryContext batch_cxt;	/* scratch, reset per batch */

	/*
	 * The clauses the summaries prove true for every row of the current
	 * chunk, and of the vector about to be filtered: the row filter does not
	 * evaluate them (the time range, inside a chunk of the range; every
	 * clause, for a chunk wholly inside the quals).
	 */
	bool		chunk_all_match;	/* every clause of chunk_clause_true */
	bool	   *chunk_clause_true;
	bool	   *batch_clause_true;
	bool		batch_clauses_known;	/* batch_clause_true is for this batch */
	int			last_pruner;	/* clause that ruled out the last vector */
};

/* ---------- recognizing clauses ---------- */

/*
 * Is node (under relabeling) a column of relation relid?  With an attmap,
 * the Var's attribute number is mapped to the table's (attmap[varattno]).
 */
static bool
column_ref(Node *node, Index relid, const AttrNumber *attmap,
		   AttrNumber *attno, Oid *coltype)
{
	while (node && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	if (node && IsA(node, Var))
	{
		Var		   *var = (Var *) node;

		if (var->varno == relid && var->varlevelsup == 0 && var->varattno > 0)
		{
			*attno = attmap ? attmap[var->varattno] : var->varattno;
			*coltype = var->vartype;
			return true;
		}
	}
	return false;
}

static bool
value_expr_ok(Node *node)
{
	return !contain_var_clause(node) &&
		!contain_volatile_functions(node) &&
		!contain_subplans(node) &&
		!expression_returns_set(node);
}

/*
 * The strategy of comparison operator opno in the default btree family of
 * its left input type (STRATEGY_NE for the negator of its equality), or 0.
 */
static int
operator_strategy(Oid opno, Oid *opfamily, Oid *lefttype, Oid *righttype)
{
	int			strategy;

	if (!OidIsValid(opno) || !func_strict(get_opcode(opno)))
		return 0;
	op_input_types(opno, lefttype, righttype);
	*opfamily = ts_btree_family(*lefttype);
	if (!OidIsValid(*opfamily))
		return 0;
	strategy = get_op_opfamily_strategy(opno, *opfamily);
	if (strategy == 0)
	{
		Oid			negator = get_negator(opno);

		if (OidIsValid(negator) &&
			get_op_opfamily_strategy(negator, *opfamily) == BTEqualStrategyNumber)
			strategy = STRATEGY_NE;
	}
	return strategy;
}

static bool
is_int_type(Oid typid)
{
	return typid == INT2OID || typid == INT4OID || typid == INT8OID;
}

/* Comparisons that may run as C loops; see the file header. */
static VQFast
fast_kind(Oid coltype, Oid lefttype, Oid valtype, Oid opfuncid, Oid collation)
{
	if (is_int_type(coltype) && is_int_type(valtype))
		return FAST_INT;
	if (coltype == valtype && coltype == lefttype &&
		(coltype == DATEOID || coltype == TIMEOID || coltype == TIMESTAMPOID ||
		 coltype == TIMESTAMPTZOID || coltype == BOOLOID))
		return FAST_INT;
	if ((coltype == FLOAT4OID || coltype == FLOAT8OID) &&
		(valtype == FLOAT4OID || valtype == FLOAT8OID))
		return FAST_FLOAT;
	if ((opfuncid == F_TEXTEQ || opfuncid == F_TEXTNE) &&
		OidIsValid(collation) && get_collation_isdeterministic(collation))
		return FAST_TEXT_EQ;
	return FAST_NONE;
}

/*
 * Set up a comparison node for column (attno, coltype) op value.  With
 * parent == NULL only check that it is supported.
 */
static bool
setup_comparison(VQNode *n, Oid opno, Oid opfuncid, Oid collation,
				 AttrNumber attno, Oid coltype, Expr *value, bool is_array,
				 PlanState *parent, bool build)
{
	Oid			opfamily;
	Oid			lefttype;
	Oid			righttype;
	int			strategy = operator_strategy(opno, &opfamily, &lefttype, &righttype);

	if (strategy == 0)
		return false;
	if (is_array && get_element_type(exprType((Node *) value)) != righttype)
		return false;
	if (!build)
		return true;

	n->attidx = attno - 1;
	n->coltype = coltype;
	n->strategy = strategy;
	n->collation = collation;
	fmgr_info(opfuncid, &n->opfn);
	n->value_expr = value;
	n->value_state = ExecInitExpr(value, parent);
	n->valtype = righttype;
	get_typlenbyvalalign(righttype, &n->vallen, &n->valbyval, &n->valalign);
	n->fast = fast_kind(coltype, lefttype, righttype, opfuncid, collation);

	/*
	 * Pruning by a column's range needs the comparison to be monotone in the
	 * column's values; a timestamp taken as a timestamptz is not, across the
	 * skipped or repeated hour of a daylight-saving change.
	 */
	if (coltype == lefttype && summary_type_supported(coltype) &&
		!(coltype == TIMESTAMPOID && righttype == TIMESTAMPTZOID))
	{
		Oid			proc = get_opfamily_proc(opfamily, lefttype, righttype,
											 BTORDER_PROC);

		if (OidIsValid(proc))
		{
			fmgr_info(proc, &n->cmpfn);
			n->can_prune = true;
		}
	}
	return true;
}

/*
 * Recognize a clause; build its node when build is set (parent may then be
 * NULL only for a check).  Returns NULL when the clause is not supported.
 */
static VQNode *
build_node(Node *clause, Index relid, const AttrNumber *attmap,
		   PlanState *parent, bool build)
{
	VQNode	   *n = palloc0(sizeof(VQNode));
	AttrNumber	attno;
	Oid			coltype;

	if (IsA(clause, BoolExpr))
	{
		BoolExpr   *b = (BoolExpr *) clause;
		ListCell   *lc;
		int			i = 0;

		n->kind = b->boolop == AND_EXPR ? VQ_AND :
			b->boolop == OR_EXPR ? VQ_OR : VQ_NOT;
		n->nargs = list_length(b->args);
		n->args = palloc(sizeof(VQNode *) * n->nargs);
		foreach(lc, b->args)
		{
			n->args[i] = build_node(lfirst(lc), relid, attmap, parent, build);
			if (n->args[i] == NULL)
				return NULL;
			i++;
		}
		return n;
	}
	if (IsA(clause, OpExpr))
	{
		OpExpr	   *op = (OpExpr *) clause;
		Node	   *left;
		Node	   *right;
		Oid			opno = op->opno;

		if (list_length(op->args) != 2 || op->opresulttype != BOOLOID)
			return NULL;
		left = linitial(op->args);
		right = lsecond(op->args);
		if (!column_ref(left, relid, attmap, &attno, &coltype))
		{
			Node	   *tmp = left;

			/* value op column: use the commutator */
			left = right;
			right = tmp;
			opno = get_commutator(opno);
			if (!OidIsValid(opno) || !column_ref(left, relid, attmap, &attno, &coltype))
				return NULL;
		}
		if (!value_expr_ok(right))
			return NULL;
		n->kind = VQ_CMP;
		if (!setup_comparison(n, opno, get_opcode(opno), op->inputcollid,
							  attno, coltype, (Expr *) right, false, parent, build))
			return NULL;
		return n;
	}
	if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *sa = (ScalarArrayOpExpr *) clause;

		if (list_length(sa->args) != 2 ||
			!column_ref(linitial(sa->args), relid, attmap, &attno, &coltype) ||
			!value_expr_ok(lsecond(sa->args)))
			return NULL;
		n->kind = VQ_ARRAY;
		n->use_or = sa->useOr;
		if (!setup_comparison(n, sa->opno, get_opcode(sa->opno), sa->inputcollid,
							  attno, coltype, (Expr *) lsecond(sa->args), true,
							  parent, build))
			return NULL;
		return n;
	}
	if (IsA(clause, NullTest))
	{
		NullTest   *nt = (NullTest *) clause;

		if (nt->argisrow || !column_ref((Node *) nt->arg, relid, attmap, &attno, &coltype))
			return NULL;
		n->kind = VQ_NULLTEST;
		n->attidx = attno - 1;
		n->coltype = coltype;
		n->is_null = nt->nulltesttype == IS_NULL;
		return n;
	}
	if (IsA(clause, Var) && ((Var *) clause)->vartype == BOOLOID &&
		column_ref(clause, relid, attmap, &attno, &coltype))
	{
		n->kind = VQ_BOOLCOL;
		n->attidx = attno - 1;
		n->coltype = coltype;
		return n;
	}
	return NULL;
}

void
vector_qual_free(VectorQual *vq)
{
	MemoryContextDelete(vq->value_cxt);
	MemoryContextDelete(vq->batch_cxt);
	pfree(vq->clauses);
	pfree(vq);
}

bool
vector_qual_supported(Node *clause, Index relid)
{
	return build_node(clause, relid, NULL, NULL, false) != NULL;
}

/* Set dict_att in a subtree (see VQNode); returns the root's. */
static int
set_dict_att(VQNode *n)
{
	n->dict_att = -1;
	switch (n->kind)
	{
		case VQ_AND:
		case VQ_OR:
		case VQ_NOT:
			{
				int			att = set_dict_att(n->args[0]);

				for (int a = 1; a < n->nargs; a++)
					if (set_dict_att(n->args[a]) != att)
						att = -1;
				n->dict_att = att;
				break;
			}
		case VQ_CMP:
		case VQ_ARRAY:
			if (n->fast == FAST_TEXT_EQ)
				n->dict_att = n->attidx;
			break;
		case VQ_NULLTEST:
			n->dict_att = n->attidx;
			break;
		case VQ_BOOLCOL:
			break;
	}
	return n->dict_att;
}

VectorQual *
vector_qual_compile(List *clauses, Index relid, const AttrNumber *attmap,
					PlanState *parent)
{
	VectorQual *vq = palloc0(sizeof(VectorQual));
	ListCell   *lc;

	vq->nclauses = list_length(clauses);
	vq->clauses = palloc(sizeof(VQNode *) * Max(vq->nclauses, 1));
	vq->chunk_clause_true = palloc0(sizeof(bool) * Max(vq->nclauses, 1));
	vq->batch_clause_true = palloc0(sizeof(bool) * Max(vq->nclauses, 1));
	vq->last_pruner = -1;
	vq->nclauses = 0;
	foreach(lc, clauses)
	{
		VQNode	   *n = build_node(lfirst(lc), relid, attmap, parent, true);

		/* the planner only pushes down clauses that passed the same test */
		if (n == NULL)
			elog(ERROR, "timeseries: clause cannot be evaluated over vectors");
		set_dict_att(n);
		vq->clauses[vq->nclauses++] = n;
	}
	vq->value_cxt = AllocSetContextCreate(CurrentMemoryContext,
										  "timeseries qual values",
										  ALLOCSET_SMALL_SIZES);
	vq->batch_cxt = AllocSetContextCreate(CurrentMemoryContext,
										  "timeseries qual batch",
										  ALLOCSET_DEFAULT_SIZES);
	return vq;
}

/* ---------- values ---------- */

static void
set_node_values(VQNode *n, ExprContext *econtext)
{
	Datum		d;
	bool		isnull;

	for (int i = 0; i < n->nargs; i++)
		set_node_values(n->args[i], econtext);
	if (n->kind != VQ_CMP && n->kind != VQ_ARRAY)
		return;

	d = ExecEvalExprSwitchContext(n->value_state, econtext, &isnull);
	n->value_isnull = isnull;
	n->nvalues = 0;
	if (isnull)
		return;
	if (n->kind == VQ_CMP)
	{
		n->nvalues = 1;
		n->values = palloc(sizeof(Datum));
		n->value_nulls = palloc0(sizeof(bool));
		if (n->valbyval)
			n->values[0] = d;
		else if (n->vallen == -1)
			n->values[0] = PointerGetDatum(PG_DETOAST_DATUM_COPY(d));
		else
			n->values[0] = datumCopy(d, false, n->vallen);
	}
	else
	{
		ArrayType  *arr = DatumGetArrayTypePCopy(d);

		deconstruct_array(arr, n->valtype, n->vallen, n->valbyval, n->valalign,
						  &n->values, &n->value_nulls, &n->nvalues);
	}
	if (n->fast == FAST_INT)
	{
		n->ivalues = palloc(sizeof(int64) * Max(n->nvalues, 1));
		for (int i = 0; i < n->nvalues; i++)
			n->ivalues[i] = n->value_nulls[i] ? 0 : summary_int64(n->valtype, n->values[i]);
	}
	else if (n->fast == FAST_FLOAT)
	{
		n->fvalues = palloc(sizeof(double) * Max(n->nvalues, 1));
		for (int i = 0; i < n->nvalues; i++)
			n->fvalues[i] = n->value_nulls[i] ? 0 : summary_double(n->valtype, n->values[i]);
	}
}

void
vector_qual_set_values(VectorQual *vq, ExprContext *econtext)
{
	MemoryContext old;

	MemoryContextReset(vq->value_cxt);
	old = MemoryContextSwitchTo(vq->value_cxt);
	for (int i = 0; i < vq->nclauses; i++)
		set_node_values(vq->clauses[i], econtext);
	MemoryContextSwitchTo(old);
}

/* ---------- comparing ---------- */

static inline bool
strategy_holds(int strategy, int c)
{
	switch (strategy)
	{
		case BTLessStrategyNumber:
			return c < 0;
		case BTLessEqualStrategyNumber:
			return c <= 0;
		case BTEqualStrategyNumber:
			return c == 0;
		case BTGreaterEqualStrategyNumber:
			return c >= 0;
		case BTGreaterStrategyNumber:
			return c > 0;
		default:
			return c != 0;
	}
}

/* PostgreSQL's float ordering: NaN equals NaN and is above everything. */
static inline int
float_cmp(double a, double b)
{
	if (isnan(a))
		return isnan(b) ? 0 : 1;
	if (isnan(b))
		return -1;
	return (a > b) - (a < b);
}

static inline bool
text_equal(Datum a, Datum b)
{
	Size		la = VARSIZE_ANY_EXHDR(DatumGetPointer(a));
	Size		lb = VARSIZE_ANY_EXHDR(DatumGetPointer(b));

	return la == lb &&
		memcmp(VARDATA_ANY(DatumGetPointer(a)), VARDATA_ANY(DatumGetPointer(b)), la) == 0;
}

/* Does row value x satisfy "x op values[k]" (values[k] not NULL)? */
static inline bool
compare_one(VQNode *n, Datum x, int64 ix, double fx, int k)
{
	switch (n->fast)
	{
		case FAST_INT:
			{
				int64		v = n->ivalues[k];

				return strategy_holds(n->strategy, (ix > v) - (ix < v));
			}
		case FAST_FLOAT:
			return strategy_holds(n->strategy, float_cmp(fx, n->fvalues[k]));
		case FAST_TEXT_EQ:
			return text_equal(x, n->values[k]) == (n->strategy == BTEqualStrategyNumber);
		default:
			return DatumGetBool(FunctionCall2Coll(&n->opfn, n->collation,
												  x, n->values[k]));
	}
}

/* column op value, over a batch: C loops per strategy for the fast kinds */
static void
eval_cmp_int(VQNode *n, const Datum *values, const bool *isnull, int nrows,
			 uint8 *out)
{
	int64	   *x = palloc(sizeof(int64) * nrows);
	int64		v = n->ivalues[0];

	for (int i = 0; i < nrows; i++)
		x[i] = isnull[i] ? 0 : summary_int64(n->coltype, values[i]);

#define CMP_LOOP(test) \
	for (int i = 0; i < nrows; i++) \
		out[i] = isnull[i] ? VQ_NULL : (uint8) (test)

	switch (n->strategy)
	{
		case BTLessStrategyNumber:
			CMP_LOOP(x[i] < v);
			break;
		case BTLessEqualStrategyNumber:
			CMP_LOOP(x[i] <= v);
			break;
		case BTEqualStrategyNumber:
			CMP_LOOP(x[i] == v);
			break;
		case BTGreaterEqualStrategyNumber:
			CMP_LOOP(x[i] >= v);
			break;
		case BTGreaterStrategyNumber:
			CMP_LOOP(x[i] > v);
			break;
		default:
			CMP_LOOP(x[i] != v);
			break;
	}
#undef CMP_LOOP
}

/*
 * Floats: NaN is above every number and equal to itself.  With a number as
 * the comparison value, C's comparisons (false for NaN) need only the NaN
 * rows corrected for >, >= and <>.
 */
static void
eval_cmp_float(VQNode *n, const Datum *values, const bool *isnull, int nrows,
			   uint8 *out)
{
	double	   *x = palloc(sizeof(double) * nrows);
	double		v = n->fvalues[0];

	if (n->coltype == FLOAT4OID)
		for (int i = 0; i < nrows; i++)
			x[i] = isnull[i] ? 0 : (double) DatumGetFloat4(values[i]);
	else
		for (int i = 0; i < nrows; i++)
			x[i] = isnull[i] ? 0 : DatumGetFloat8(values[i]);

	if (isnan(v))
	{
		for (int i = 0; i < nrows; i++)
			out[i] = isnull[i] ? VQ_NULL :
				(uint8) strategy_holds(n->strategy, float_cmp(x[i], v));
		return;
	}

#define CMP_LOOP(test) \
	for (int i = 0; i < nrows; i++) \
		out[i] = isnull[i] ? VQ_NULL : (uint8) (test)

	switch (n->strategy)
	{
		case BTLessStrategyNumber:
			CMP_LOOP(x[i] < v);
			break;
		case BTLessEqualStrategyNumber:
			CMP_LOOP(x[i] <= v);
			break;
		case BTEqualStrategyNumber:
			CMP_LOOP(x[i] == v);
			break;
		case BTGreaterEqualStrategyNumber:
			CMP_LOOP(x[i] >= v || isnan(x[i]));
			break;
		case BTGreaterStrategyNumber:
			CMP_LOOP(x[i] > v || isnan(x[i]));
			break;
		default:
			CMP_LOOP(!(x[i] == v));
			break;
	}
#undef CMP_LOOP
}

/*
 * "live" is the selection of rows still in play (NULL: all): calls of
 * operator functions, which may not be leakproof, are made only for those
 * rows, so that a clause never sees a row an earlier clause (a row-level
 * security policy, say) rejected.  The typed loops run over all rows.
 */
static void
eval_cmp(VQNode *n, const Datum *values, const bool *isnull, int nrows,
		 const bool *live, uint8 *out)
{
	if (n->value_isnull)
	{
		memset(out, VQ_NULL, nrows);
		return;
	}
	if (n->fast == FAST_INT)
	{
		eval_cmp_int(n, values, isnull, nrows, out);
		return;
	}
	if (n->fast == FAST_FLOAT)
	{
		eval_cmp_float(n, values, isnull, nrows, out);
		return;
	}
	if (n->fast == FAST_TEXT_EQ)
	{
		Pointer		last = NULL;
		uint8		last_out = VQ_NULL;
		bool		eq = n->strategy == BTEqualStrategyNumber;

		/* rows of a dictionary vector share their entry's copy */
		for (int i = 0; i < nrows; i++)
		{
			if (isnull[i])
				out[i] = VQ_NULL;
			else if (DatumGetPointer(values[i]) == last)
				out[i] = last_out;
			else
			{
				last = DatumGetPointer(values[i]);
				last_out = text_equal(values[i], n->values[0]) == eq ? VQ_TRUE : VQ_FALSE;
				out[i] = last_out;
			}
		}
		return;
	}
	for (int i = 0; i < nrows; i++)
	{
		if (isnull[i])
			out[i] = VQ_NULL;
		else if (live && !live[i])
			out[i] = VQ_FALSE;
		else
		{
			Datum		x = values[i];
			double		fx = n->fast == FAST_FLOAT ? summary_double(n->coltype, x) : 0;

			out[i] = compare_one(n, x, 0, fx, 0) ? VQ_TRUE : VQ_FALSE;
		}
	}
}

/* column op ANY/ALL (array) */
static void
eval_array(VQNode *n, const Datum *values, const bool *isnull, int nrows,
		   const bool *live, uint8 *out)
{
	if (n->value_isnull)
	{
		memset(out, VQ_NULL, nrows);
		return;
	}

	/*
	 * As in PostgreSQL: over an empty array, ANY is false and ALL is true,
	 * even for a NULL on the left, as the operator is never called.
	 */
	if (n->nvalues == 0)
	{
		memset(out, n->use_or ? VQ_FALSE : VQ_TRUE, nrows);
		return;
	}
	for (int i = 0; i < nrows; i++)
	{
		Datum		x = values[i];
		int64		ix = 0;
		double		fx = 0;
		bool		anynull = false;
		bool		decided = false;

		if (isnull[i])
		{
			out[i] = VQ_NULL;
			continue;
		}
		if (live && !live[i] && n->fast == FAST_NONE)
		{
			out[i] = VQ_FALSE;
			continue;
		}
		if (n->fast == FAST_INT)
			ix = summary_int64(n->coltype, x);
		else if (n->fast == FAST_FLOAT)
			fx = summary_double(n->coltype, x);
		for (int k = 0; k < n->nvalues; k++)
		{
			if (n->value_nulls[k])
			{
				anynull = true;
				continue;
			}
			if (compare_one(n, x, ix, fx, k) == n->use_or)
			{
				decided = true;
				break;
			}
		}
		if (decided)
			out[i] = n->use_or ? VQ_TRUE : VQ_FALSE;
		else if (anynull)
			out[i] = VQ_NULL;
		else
			out[i] = n->use_or ? VQ_FALSE : VQ_TRUE;
	}
}

/*
 * The rows of one column to evaluate a subtree over: the batch's, or the
 * entries of its dictionary (see eval_on_dictionary).
 */
typedef struct VQInput
{
	TableScanDesc scan;
	int			dict_att;		/* >= 0: values/isnull stand for this column */
	Datum	   *values;
	bool	   *isnull;
} VQInput;

static void eval_tree(VQNode *n, VQInput *in, int nrows, const bool *live, uint8 *out);

static void
leaf_column(VQNode *n, VQInput *in, Datum **values, bool **isnull)
{
	if (in->dict_att >= 0)
	{
		Assert(in->dict_att == n->attidx);
		*values = in->values;
		*isnull = in->isnull;
	}
	else
		ts_scan_batch_column(in->scan, n->attidx, values, isnull);
}

/*
 * Evaluate a subtree over the entries of a dictionary-encoded column, plus
 * NULL, and give each row its entry's result: a series column's vector
 * holds a few distinct values, so OR-ed equalities on it (TSBS's
 * `hostname = 'a' OR hostname = 'b' ...`) cost a pass over the codes.  The
 * leaves call no operator's function (dict_att), so evaluating an entry
 * that no live row holds is harmless.  False when the batch's column has no
 * dictionary, or one too large to pay.
 */
static bool
eval_on_dictionary(VQNode *n, TableScanDesc scan, int nrows, uint8 *out)
{
	const int32 *codes;
	int			ndict = ts_scan_batch_codes(scan, n->dict_att, &codes);
	Datum	   *values;
	bool	   *isnull;
	Datum	   *dvalues;
	bool	   *dnull;
	uint8	   *dout;
	VQInput		in;

	if (ndict <= 0 || ndict > nrows / 4)
		return false;
	ts_scan_batch_column(scan, n->dict_att, &values, &isnull);
	/* entry d's value from its first row; entry ndict is NULL */
	dvalues = palloc0(sizeof(Datum) * (ndict + 1));
	dnull = palloc(sizeof(bool) * (ndict + 1));
	memset(dnull, true, sizeof(bool) * (ndict + 1));
	for (int i = 0; i < nrows; i++)
	{
		int32		c = codes[i];

		if (c >= 0 && c < ndict && dnull[c])
		{
			dvalues[c] = values[i];
			dnull[c] = false;
		}
	}
	in.scan = scan;
	in.dict_att = n->dict_att;
	in.values = dvalues;
	in.isnull = dnull;
	dout = palloc(ndict + 1);
	eval_tree(n, &in, ndict + 1, NULL, dout);
	for (int i = 0; i < nrows; i++)
	{
		int32		c = codes[i];

		out[i] = dout[c >= 0 && c < ndict ? c : ndict];
	}
	return true;
}

static void
eval_node(VQNode *n, TableScanDesc scan, int nrows, const bool *live, uint8 *out)
{
	VQInput		in = {scan, -1, NULL, NULL};

	eval_tree(n, &in, nrows, live, out);
}

static void
eval_tree(VQNode *n, VQInput *in, int nrows, const bool *live, uint8 *out)
{
	Datum	   *values;
	bool	   *isnull;

	/*
	 * A lone comparison or NULL test is one pass over the rows already (text
	 * equality reuses the result for a repeated value's copy); the
	 * dictionary pays for IN lists and combinations.
	 */
	if (in->dict_att < 0 && n->dict_att >= 0 &&
		n->kind != VQ_CMP && n->kind != VQ_NULLTEST &&
		eval_on_dictionary(n, in->scan, nrows, out))
		return;

	switch (n->kind)
	{
		case VQ_AND:
		case VQ_OR:
			{
				uint8	   *tmp = palloc(nrows);
				uint8		dominant = n->kind == VQ_AND ? VQ_FALSE : VQ_TRUE;

				eval_tree(n->args[0], in, nrows, live, out);
				for (int a = 1; a < n->nargs; a++)
				{
					eval_tree(n->args[a], in, nrows, live, tmp);

					/*
					 * The dominant value wins; otherwise NULL (2) beats
					 * the other one (0 or 1): the larger.  Without
					 * branches, the loop vectorizes.
					 */
					for (int i = 0; i < nrows; i++)
					{
						uint8		x = out[i];
						uint8		y = tmp[i];
						uint8		larger = x > y ? x : y;

						out[i] = (x == dominant) | (y == dominant) ? dominant : larger;
					}
				}
				break;
			}
		case VQ_NOT:
			eval_tree(n->args[0], in, nrows, live, out);
			for (int i = 0; i < nrows; i++)
				if (out[i] != VQ_NULL)
					out[i] = out[i] == VQ_TRUE ? VQ_FALSE : VQ_TRUE;
			break;
		case VQ_CMP:
			leaf_column(n, in, &values, &isnull);
			eval_cmp(n, values, isnull, nrows, live, out);
			break;
		case VQ_ARRAY:
			leaf_column(n, in, &values, &isnull);
			eval_array(n, values, isnull, nrows, live, out);
			break;
		case VQ_NULLTEST:
			leaf_column(n, in, &values, &isnull);
			for (int i = 0; i < nrows; i++)
				out[i] = isnull[i] == n->is_null ? VQ_TRUE : VQ_FALSE;
			break;
		case VQ_BOOLCOL:
			leaf_column(n, in, &values, &isnull);
			for (int i = 0; i < nrows; i++)
				out[i] = isnull[i] ? VQ_NULL :
					DatumGetBool(values[i]) ? VQ_TRUE : VQ_FALSE;
			break;
	}
}

/* vector_qual_filter, leaving out the clauses skip marks (NULL: none) */
static int
filter_clauses(VectorQual *vq, TableScanDesc scan, int nrows, const bool *in,
			   const bool *skip, bool *sel)
{
	MemoryContext old;
	uint8	   *res;
	int			kept = 0;

	MemoryContextReset(vq->batch_cxt);
	old = MemoryContextSwitchTo(vq->batch_cxt);
	res = palloc(nrows);
	for (int i = 0; i < nrows; i++)
		kept += (sel[i] = in ? in[i] : true);

	/* clauses in order, each seeing only the rows the ones before kept */
	for (int c = 0; c < vq->nclauses && kept > 0; c++)
	{
		if (skip && skip[c])
			continue;
		eval_node(vq->clauses[c], scan, nrows, sel, res);
		kept = 0;
		for (int i = 0; i < nrows; i++)
		{
			sel[i] = sel[i] && res[i] == VQ_TRUE;
			kept += sel[i];
		}
	}
	MemoryContextSwitchTo(old);
	return kept;
}

int
vector_qual_filter(VectorQual *vq, TableScanDesc scan, int nrows,
				   const bool *in, bool *sel)
{
	return filter_clauses(vq, scan, nrows, in, NULL, sel);
}

/* ---------- pruning ---------- */

static int
summary_cmp(VQNode *n, Datum colvalue, int k)
{
	return DatumGetInt32(FunctionCall2Coll(&n->cmpfn, n->collation,
										   colvalue, n->values[k]));
}

/*
 * Could "column op values[k]" be true for a value in [cs->min, cs->max],
 * op being the operator of the given strategy?
 */
static bool
range_may_match(VQNode *n, const ColumnSummary *cs, int k, int strategy)
{
	int			cmin;
	int			cmax;

	if (n->value_nulls[k])
		return false;
	cmin = summary_cmp(n, cs->min, k);
	cmax = summary_cmp(n, cs->max, k);
	switch (strategy)
	{
		case BTLessStrategyNumber:
			return cmin < 0;
		case BTLessEqualStrategyNumber:
			return cmin <= 0;
		case BTEqualStrategyNumber:
			return cmin <= 0 && cmax >= 0;
		case BTGreaterEqualStrategyNumber:
			return cmax >= 0;
		case BTGreaterStrategyNumber:
			return cmax > 0;
		default:
			return !(cmin == 0 && cmax == 0);
	}
}

/*
 * Is "column op values[k]" true for every value in [cs->min, cs->max]?  In
 * a total order: exactly when the negated operator is true for none.
 */
static bool
range_must_match(VQNode *n, const ColumnSummary *cs, int k)
{
	int			negated;

	switch (n->strategy)
	{
		case BTLessStrategyNumber:
			negated = BTGreaterEqualStrategyNumber;
			break;
		case BTLessEqualStrategyNumber:
			negated = BTGreaterStrategyNumber;
			break;
		case BTEqualStrategyNumber:
			negated = STRATEGY_NE;
			break;
		case BTGreaterEqualStrategyNumber:
			negated = BTLessStrategyNumber;
			break;
		case BTGreaterStrategyNumber:
			negated = BTLessEqualStrategyNumber;
			break;
		default:
			negated = BTEqualStrategyNumber;
			break;
	}
	return !n->value_nulls[k] && !range_may_match(n, cs, k, negated);
}

/* Where a summary of a column comes from: a chunk's metadata, or a vector. */
typedef struct SummarySource
{
	const ChunkMeta *meta;		/* a chunk, or */
	TableScanDesc scan;			/* the scan's current vector */
} SummarySource;

/* What the summaries say about a clause's column. */
static void
clause_summary(VQNode *n, const SummarySource *src, ColumnSummary *cs)
{
	if (src->meta)
		summary_get(src->meta->summary, (AttrNumber) (n->attidx + 1), n->coltype, cs);
	else
		ts_scan_vector_summary(src->scan, n->attidx, n->coltype, cs);
}

/*
 * Could text x equal a value in a vector whose bytewise range is [min,
 * max]?  The bounds may be cut (chunk.h): a cut min is a prefix of the
 * minimum, so below x still rules x out; a cut max is the maximum's prefix,
 * which rules x out only when x's own prefix is above it.
 */
static bool
text_may_equal(const char *x, Size xl, const ChunkTextBound *min,
			   const ChunkTextBound *max)
{
	int			c = memcmp(x, min->data, Min(xl, (Size) min->len));

	if (c < 0 || (c == 0 && xl < (Size) min->len))
		return false;
	c = memcmp(x, max->data, Min(xl, (Size) max->len));
	if (c > 0)
		return false;
	if (c == 0 && xl > (Size) max->len)
		return max->cut;
	return true;
}

/* Could "column op values[k]" (= or <>, bytewise) be true in the vector? */
static bool
text_value_may_match(VQNode *n, int k, const ChunkTextBound *min,
					 const ChunkTextBound *max)
{
	const char *x;
	Size		xl;

	if (n->value_nulls[k])
		return false;
	x = VARDATA_ANY(DatumGetPointer(n->values[k]));
	xl = VARSIZE_ANY_EXHDR(DatumGetPointer(n->values[k]));
	if (n->strategy == BTEqualStrategyNumber)
		return text_may_equal(x, xl, min, max);
	/* <>: false for every row only when every value is x */
	return min->cut || max->cut || min->len != max->len ||
		memcmp(min->data, max->data, min->len) != 0 ||
		(Size) min->len != xl || memcmp(min->data, x, xl) != 0;
}

/* A text = / <> clause (or = ANY / <> ALL) against the vector's bytewise range. */
static bool
text_node_may_match(VQNode *n, TableScanDesc scan)
{
	bool		has_values;
	ChunkTextBound min;
	ChunkTextBound max;

	if (!ts_scan_vector_text_range(scan, n->attidx, &has_values, &min, &max))
		return true;
	if (n->value_isnull || !has_values)
		return false;
	if (n->kind == VQ_CMP)
		return text_value_may_match(n, 0, &min, &max);
	if (n->nvalues == 0)
		return !n->use_or;
	for (int k = 0; k < n->nvalues; k++)
	{
		bool		may = text_value_may_match(n, k, &min, &max);

		if (n->use_or && may)
			return true;
		if (!n->use_or && !may)
			return false;
	}
	return !n->use_or;
}

/* column = value of one integer type (values set): exact values can say no */
static bool
is_int_equality(const VQNode *n)
{
	return n->kind == VQ_CMP && n->fast == FAST_INT &&
		n->strategy == BTEqualStrategyNumber && !n->value_isnull &&
		n->coltype == n->valtype &&
		(n->coltype == INT2OID || n->coltype == INT4OID || n->coltype == INT8OID);
}

/*
 * A top-level clause integer_column = value (see is_int_equality): a scan
 * rescanned per value can then go straight to the vectors holding it
 * (ts_scan_set_vector_probe).  False when there is none.  *alone says
 * whether it is the only clause.
 */
bool
vector_qual_int_equality(VectorQual *vq, int *attidx, Oid *typid, int64 *value,
						 bool *alone)
{
	for (int c = 0; c < vq->nclauses; c++)
	{
		VQNode	   *n = vq->clauses[c];

		if (is_int_equality(n))
		{
			*attidx = n->attidx;
			*typid = n->coltype;
			*value = n->ivalues[0];
			*alone = vq->nclauses == 1;
			return true;
		}
	}
	return false;
}

/* Could the clause be true for some row the summaries describe? */
static bool
node_may_match(VQNode *n, const SummarySource *src)
{
	ColumnSummary cs;

	switch (n->kind)
	{
		case VQ_AND:
			for (int a = 0; a < n->nargs; a++)
				if (!node_may_match(n->args[a], src))
					return false;
			return true;
		case VQ_OR:
			for (int a = 0; a < n->nargs; a++)
				if (node_may_match(n->args[a], src))
					return true;
			return false;
		case VQ_NOT:
			return true;
		default:
			break;
	}

	if (n->fast == FAST_TEXT_EQ && src->scan != NULL &&
		(n->kind == VQ_CMP || n->kind == VQ_ARRAY))
		return text_node_may_match(n, src->scan);
	/* a vector of a chunk walked again per series: its exact values */
	if (is_int_equality(n) && src->scan != NULL &&
		ts_scan_vector_lacks_value(src->scan, n->attidx, n->coltype, n->ivalues[0]))
		return false;
	clause_summary(n, src, &cs);
	if (!cs.known)
		return true;
	switch (n->kind)
	{
		case VQ_NULLTEST:
			return n->is_null ? cs.has_nulls : cs.has_values;
		case VQ_BOOLCOL:
			return cs.has_values && DatumGetBool(cs.max);
		case VQ_CMP:
			if (n->value_isnull || !cs.has_values)
				return false;
			return !n->can_prune || range_may_match(n, &cs, 0, n->strategy);
		case VQ_ARRAY:
			if (n->value_isnull)
				return false;
			if (n->nvalues == 0)
				return !n->use_or;
			if (!cs.has_values)
				return false;
			if (!n->can_prune)
				return true;
			for (int k = 0; k < n->nvalues; k++)
			{
				bool		may = range_may_match(n, &cs, k, n->strategy);

				if (n->use_or && may)
					return true;
				if (!n->use_or && !may)
					return false;
			}
			return !n->use_or;
		default:
			return true;
	}
}

/*
 * Is the clause true for every row the summaries describe?  (Conservative:
 * false when unsure.)
 */
static bool
node_must_match(VQNode *n, const SummarySource *src)
{
	ColumnSummary cs;

	switch (n->kind)
	{
		case VQ_AND:
			for (int a = 0; a < n->nargs; a++)
				if (!node_must_match(n->args[a], src))
					return false;
			return true;
		case VQ_OR:
			for (int a = 0; a < n->nargs; a++)
				if (node_must_match(n->args[a], src))
					return true;
			return false;
		case VQ_NOT:
			return false;
		default:
			break;
	}

	clause_summary(n, src, &cs);
	if (!cs.known)
		return false;
	switch (n->kind)
	{
		case VQ_NULLTEST:
			return n->is_null ? !cs.has_values : !cs.has_nulls;
		case VQ_BOOLCOL:
			return !cs.has_nulls && cs.has_values && DatumGetBool(cs.min);
		case VQ_CMP:
			return !n->value_isnull && n->can_prune && !cs.has_nulls &&
				cs.has_values && range_must_match(n, &cs, 0);
		default:
			return false;
	}
}

/* Does test hold for every clause (of an implicit AND)? */
static bool
every_clause(VectorQual *vq, const SummarySource *src,
			 bool (*test) (VQNode *n, const SummarySource *src))
{
	bool		holds = true;
	MemoryContext old;

	MemoryContextReset(vq->batch_cxt);
	old = MemoryContextSwitchTo(vq->batch_cxt);
	for (int c = 0; c < vq->nclauses && holds; c++)
		holds = test(vq->clauses[c], src);
	MemoryContextSwitchTo(old);
	return holds;
}

bool
vector_qual_chunk_may_match(VectorQual *vq, const ChunkMeta *meta)
{
	SummarySource src = {meta, NULL};

	if (meta->summary == NULL)
		return true;
	return every_clause(vq, &src, node_may_match);
}

bool
vector_qual_chunk_must_match(VectorQual *vq, const ChunkMeta *meta)
{
	SummarySource src = {meta, NULL};

	if (meta->summary == NULL)
		return false;
	return every_clause(vq, &src, node_must_match);
}

/*
 * Vectors of a chunk sorted by a series column are mostly ruled out by the
 * clause on that column, while the time range (the first clause, often)
 * lets nearly all of them through: the clause that ruled out the last one
 * is tried first.
 */
bool
vector_qual_vector_may_match(VectorQual *vq, TableScanDesc scan)
{
	SummarySource src = {NULL, scan};
	int			first = vq->last_pruner;
	bool		may = true;
	MemoryContext old;

	MemoryContextReset(vq->batch_cxt);
	old = MemoryContextSwitchTo(vq->batch_cxt);
	if (first >= 0)
		may = node_may_match(vq->clauses[first], &src);
	for (int c = 0; c < vq->nclauses && may; c++)
	{
		if (c == first)
			continue;
		may = node_may_match(vq->clauses[c], &src);
		if (!may)
			vq->last_pruner = c;
	}
	MemoryContextSwitchTo(old);
	return may;
}

/*
 * Mark in out the clauses true for every row the summaries describe (those
 * marked in already stay marked); returns whether all are.
 */
static bool
clauses_true(VectorQual *vq, const SummarySource *src, const bool *already,
			 bool *out)
{
	bool		all = true;
	MemoryContext old;

	MemoryContextReset(vq->batch_cxt);
	old = MemoryContextSwitchTo(vq->batch_cxt);
	for (int c = 0; c < vq->nclauses; c++)
	{
		out[c] = (already && already[c]) || node_must_match(vq->clauses[c], src);
		all &= out[c];
	}
	MemoryContextSwitchTo(old);
	return all;
}

static bool
chunk_filter(void *arg, const ChunkMeta *meta)
{
	VectorQual *vq = (VectorQual *) arg;
	SummarySource src = {meta, NULL};
	bool		may = vector_qual_chunk_may_match(vq, meta);

	if (may && meta->summary != NULL)
		vq->chunk_all_match = clauses_true(vq, &src, NULL, vq->chunk_clause_true);
	else
	{
		vq->chunk_all_match = false;
		memset(vq->chunk_clause_true, false, sizeof(bool) * vq->nclauses);
	}
	return may;
}

bool
vector_qual_chunk_all_match(VectorQual *vq)
{
	return vq->chunk_all_match;
}

/* Called for each vector of a chunk, before the row filter sees it. */
static bool
vector_filter(void *arg, TableScanDesc scan)
{
	VectorQual *vq = (VectorQual *) arg;
	SummarySource src = {NULL, scan};

	if (vq->chunk_all_match)
		memcpy(vq->batch_clause_true, vq->chunk_clause_true,
			   sizeof(bool) * vq->nclauses);
	else
	{
		if (!vector_qual_vector_may_match(vq, scan))
			return false;
		(void) clauses_true(vq, &src, vq->chunk_clause_true, vq->batch_clause_true);
	}
	vq->batch_clauses_known = true;
	return true;
}

/*
 * The write buffer's rows come without a vector filter call, so the flags
 * are taken (and cleared) per batch.
 */
static int
row_filter(void *arg, TableScanDesc scan, int nrows, bool *sel)
{
	VectorQual *vq = (VectorQual *) arg;
	bool		known = vq->batch_clauses_known;

	vq->batch_clauses_known = false;
	return filter_clauses(vq, scan, nrows, NULL,
						  known ? vq->batch_clause_true : NULL, sel);
}

/*
 * Make the clauses the chunk, vector and row filters of a scan (scan.h),
 * which decodes the columns read_att marks; without clauses, no filters.
 */
void
vector_qual_attach(VectorQual *vq, TableScanDesc scan, const bool *read_att)
{
	bool		any = vq->nclauses > 0;

	vq->chunk_all_match = false;
	vq->batch_clauses_known = false;
	memset(vq->chunk_clause_true, false, sizeof(bool) * vq->nclauses);
	ts_scan_set_filters(scan, read_att,
						any ? chunk_filter : NULL,
						any ? vector_filter : NULL,
						any ? row_filter : NULL, vq);
}
