/*-------------------------------------------------------------------------
 *
 * row_order.c
 *	  The order rows are stored in within a chunk: by the table's
 *	  segment_by columns, then its order_by keys (options.c).
 *
 * Rows of one series next to each other compress better (a metric's steps
 * within one host, a constant tag) and let the per-vector ranges of a
 * series column skip the other series' vectors.  Rows keep the row ids
 * they got when inserted (ctids handed out to triggers, RETURNING and the
 * like); the chunk records where each row went (chunk.h, the row-order
 * column).
 *
 * Segments are found by hashing the segment columns' bytes (equal bytes,
 * same segment: a physical grouping, whatever the collation), the distinct
 * segments are sorted by their values with the columns' default orderings,
 * and the rows are counting-sorted by segment, which keeps their arrival
 * order within one.  Within a segment (or the whole chunk without
 * segment_by) the order_by keys sort the rows, unless they are in order
 * already, as time series rows usually are.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/tupdesc.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/sortsupport.h"
#include "utils/typcache.h"

#include "options.h"
#include "row_order.h"

/* The index of a live column, or -1. */
static int
find_column(TupleDesc desc, const char *name)
{
	for (int a = 0; a < desc->natts; a++)
		if (!TupleDescAttr(desc, a)->attisdropped &&
			strcmp(NameStr(TupleDescAttr(desc, a)->attname), name) == 0)
			return a;
	return -1;
}

/*
 * Resolve the table's options into a spec: segment_by columns, then the
 * order_by keys (the time column ascending by default).  NULL when the table
 * sets neither segment_by nor order_by, or names a column that is gone.
 */
RowOrderSpec *
row_order_spec(TupleDesc desc, const TsOptions *opts, const char *time_column)
{
	RowOrderSpec *spec;
	List	   *keys = NIL;		/* of RowOrderKey * */
	ListCell   *lc;
	int			k = 0;

	if (opts->nsegment_by == 0 && opts->order_by == NULL)
		return NULL;
	spec = palloc0(sizeof(RowOrderSpec));

	for (int i = 0; i < opts->nsegment_by; i++)
	{
		RowOrderKey *key = palloc0(sizeof(RowOrderKey));

		key->attidx = find_column(desc, opts->segment_by[i]);
		if (key->attidx < 0)
			return NULL;
		keys = lappend(keys, key);
		spec->nsegment++;
	}
	if (opts->order_by)
	{
		foreach(lc, ts_options_parse_order_by(opts->order_by))
		{
			OrderByItem *item = lfirst(lc);
			RowOrderKey *key = palloc0(sizeof(RowOrderKey));

			key->attidx = find_column(desc, item->column);
			if (key->attidx < 0)
				return NULL;
			key->desc = item->desc;
			key->nulls_first = item->nulls == 0 ? item->desc : item->nulls == 1;
			keys = lappend(keys, key);
		}
	}
	else if (time_column)
	{
		RowOrderKey *key = palloc0(sizeof(RowOrderKey));

		key->attidx = find_column(desc, time_column);
		if (key->attidx >= 0)
			keys = lappend(keys, key);
	}

	spec->nkeys = list_length(keys);
	spec->keys = palloc0(sizeof(RowOrderKey) * Max(spec->nkeys, 1));
	foreach(lc, keys)
	{
		RowOrderKey *key = lfirst(lc);
		Form_pg_attribute att = TupleDescAttr(desc, key->attidx);
		TypeCacheEntry *tce = lookup_type_cache(att->atttypid,
												TYPECACHE_LT_OPR | TYPECACHE_GT_OPR);
		Oid			sortop = key->desc ? tce->gt_opr : tce->lt_opr;

		if (!OidIsValid(sortop))
			return NULL;		/* no ordering: set_options refuses such columns */
		spec->keys[k] = *key;
		spec->keys[k].typlen = att->attlen;
		spec->keys[k].typbyval = att->attbyval;
		spec->keys[k].ssup.ssup_cxt = CurrentMemoryContext;
		spec->keys[k].ssup.ssup_collation = att->attcollation;
		spec->keys[k].ssup.ssup_nulls_first = key->nulls_first;
		/* sets ssup_reverse from the operator: DESC uses the > operator */
		PrepareSortSupportFromOrderingOp(sortop, &spec->keys[k].ssup);
		k++;
	}
	return spec;
}

/* Sorting state: the column arrays of the rows being ordered. */
typedef struct OrderArg
{
	const RowOrderSpec *spec;
	Datum	  **values;
	bool	  **isnull;
	int			first;
	int			from_key;		/* compare keys [from_key, to_key) */
	int			to_key;
	const int  *rank;			/* segment sort: rank of each row's segment */
} OrderArg;

static inline int
compare_rows(const OrderArg *arg, int a, int b)
{
	for (int k = arg->from_key; k < arg->to_key; k++)
	{
		const RowOrderKey *key = &arg->spec->keys[k];
		int			c = ApplySortComparator(arg->values[key->attidx][arg->first + a],
											arg->isnull[key->attidx][arg->first + a],
											arg->values[key->attidx][arg->first + b],
											arg->isnull[key->attidx][arg->first + b],
											(SortSupport) &key->ssup);

		if (c != 0)
			return c;
	}
	return 0;
}

/* qsort comparator over row numbers: the keys, then arrival (a stable sort) */
static int
compare_row_numbers(const void *pa, const void *pb, void *varg)
{
	const OrderArg *arg = varg;
	int			a = *(const int32 *) pa;
	int			b = *(const int32 *) pb;
	int			c = compare_rows(arg, a, b);

	if (c != 0)
		return c;
	return (a > b) - (a < b);
}

/* Same segment: equal bytes (or both NULL) in every segment column. */
static bool
same_segment(const OrderArg *arg, int a, int b)
{
	for (int k = 0; k < arg->spec->nsegment; k++)
	{
		const RowOrderKey *key = &arg->spec->keys[k];
		bool		na = arg->isnull[key->attidx][arg->first + a];
		bool		nb = arg->isnull[key->attidx][arg->first + b];
		Datum		va = arg->values[key->attidx][arg->first + a];
		Datum		vb = arg->values[key->attidx][arg->first + b];

		if (na != nb)
			return false;
		if (na)
			continue;
		if (key->typbyval)
		{
			if (va != vb)
				return false;
		}
		else if (key->typlen == -1)
		{
			Size		la = VARSIZE_ANY_EXHDR(DatumGetPointer(va));

			if (la != VARSIZE_ANY_EXHDR(DatumGetPointer(vb)) ||
				memcmp(VARDATA_ANY(DatumGetPointer(va)), VARDATA_ANY(DatumGetPointer(vb)), la) != 0)
				return false;
		}
		else if (key->typlen == -2)
		{
			if (strcmp(DatumGetCString(va), DatumGetCString(vb)) != 0)
				return false;
		}
		else if (memcmp(DatumGetPointer(va), DatumGetPointer(vb), key->typlen) != 0)
			return false;
	}
	return true;
}

static uint32
segment_hash(const OrderArg *arg, int row)
{
	uint32		h = 0;

	for (int k = 0; k < arg->spec->nsegment; k++)
	{
		const RowOrderKey *key = &arg->spec->keys[k];
		Datum		v = arg->values[key->attidx][arg->first + row];
		uint32		kh;

		if (arg->isnull[key->attidx][arg->first + row])
			kh = 0x9e3779b9;
		else if (key->typbyval)
			kh = hash_bytes_uint32((uint32) v) ^ hash_bytes_uint32((uint32) (v >> 32));
		else if (key->typlen == -1)
			kh = hash_bytes((const unsigned char *) VARDATA_ANY(DatumGetPointer(v)),
							VARSIZE_ANY_EXHDR(DatumGetPointer(v)));
		else if (key->typlen == -2)
			kh = hash_bytes((const unsigned char *) DatumGetCString(v),
							strlen(DatumGetCString(v)));
		else
			kh = hash_bytes((const unsigned char *) DatumGetPointer(v), key->typlen);
		h = hash_combine(h, kh);
	}
	return h;
}

/* qsort comparator over segments (their first rows), by the segment keys */
static int
compare_segments(const void *pa, const void *pb, void *varg)
{
	return compare_row_numbers(pa, pb, varg);
}

/*
 * The order of rows [first, first + nrows) of the column arrays: perm[k] is
 * the row (counted from first) stored at position k (palloc'd).  NULL when
 * that is the rows' own order (nothing to record).
 */
int32 *
row_order_compute(const RowOrderSpec *spec, Datum **values, bool **isnull,
				  int first, int nrows)
{
	OrderArg	arg;
	int32	   *perm;

	if (spec == NULL || nrows < 2)
		return NULL;
	perm = palloc(sizeof(int32) * nrows);
	for (int i = 0; i < nrows; i++)
		perm[i] = i;
	arg.spec = spec;
	arg.values = values;
	arg.isnull = isnull;
	arg.first = first;
	arg.rank = NULL;

	if (spec->nsegment > 0)
	{
		uint32		size = 16;
		int32	   *table;
		int32	   *segment_of = palloc(sizeof(int32) * nrows);
		int32	   *segments = palloc(sizeof(int32) * nrows);	/* first row of each */
		int32	   *rank;
		int32	   *count;
		int			nsegments = 0;

		while (size < (uint32) nrows * 2)
			size <<= 1;
		table = palloc(sizeof(int32) * size);
		memset(table, -1, sizeof(int32) * size);
		for (int i = 0; i < nrows; i++)
		{
			uint32		pos = segment_hash(&arg, i) & (size - 1);

			for (;;)
			{
				int32		s = table[pos];

				if (s < 0)
				{
					table[pos] = nsegments;
					segments[nsegments] = i;
					segment_of[i] = nsegments++;
					break;
				}
				if (same_segment(&arg, segments[s], i))
				{
					segment_of[i] = s;
					break;
				}
				pos = (pos + 1) & (size - 1);
			}
			if ((i & 1023) == 0)
				CHECK_FOR_INTERRUPTS();
		}

		/* the segments in key order, then the rows by segment, stably */
		arg.from_key = 0;
		arg.to_key = spec->nsegment;
		qsort_arg(segments, nsegments, sizeof(int32), compare_segments, &arg);
		rank = palloc(sizeof(int32) * nsegments);
		for (int r = 0; r < nsegments; r++)
			rank[segment_of[segments[r]]] = r;
		count = palloc0(sizeof(int32) * (nsegments + 1));
		for (int i = 0; i < nrows; i++)
			count[rank[segment_of[i]] + 1]++;
		for (int r = 0; r < nsegments; r++)
			count[r + 1] += count[r];
		for (int i = 0; i < nrows; i++)
			perm[count[rank[segment_of[i]]]++] = i;

		/* then order each segment's rows (count[r] is now its end) */
		arg.from_key = spec->nsegment;
		arg.to_key = spec->nkeys;
		if (spec->nkeys > spec->nsegment)
		{
			int			start = 0;

			for (int r = 0; r < nsegments; r++)
			{
				int			end = count[r];

				for (int k = start + 1; k < end; k++)
				{
					if (compare_rows(&arg, perm[k - 1], perm[k]) > 0)
					{
						qsort_arg(perm + start, end - start, sizeof(int32),
								  compare_row_numbers, &arg);
						break;
					}
				}
				start = end;
			}
		}
		pfree(table);
		pfree(segment_of);
		pfree(segments);
		pfree(rank);
		pfree(count);
	}
	else
	{
		arg.from_key = 0;
		arg.to_key = spec->nkeys;
		for (int k = 1; k < nrows; k++)
		{
			if (compare_rows(&arg, k - 1, k) > 0)
			{
				qsort_arg(perm, nrows, sizeof(int32), compare_row_numbers, &arg);
				break;
			}
		}
	}
	for (int i = 0; i < nrows; i++)
		if (perm[i] != i)
			return perm;
	pfree(perm);
	return NULL;
}
