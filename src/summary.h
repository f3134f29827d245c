/*-------------------------------------------------------------------------
 *
 * summary.h
 *	  Per-chunk column summaries (min, max, NULLs) kept in chunk metadata,
 *	  so that scans can skip chunks without reading their bytes.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_SUMMARY_H
#define TIMESERIES_SUMMARY_H

#include "access/tupdesc.h"
#include "catalog/pg_type_d.h"

/* What a summary knows about one column of one chunk. */
typedef struct ColumnSummary
{
	bool		known;			/* false: nothing is known, never prune */
	bool		has_values;		/* some row is not NULL: min and max are set */
	bool		has_nulls;		/* some row is NULL */
	Datum		min;
	Datum		max;
} ColumnSummary;

/*
 * A value of an integer-like by-value type (integers, bool, date, time,
 * timestamps) as an int64 that orders and compares as the type does; a
 * float4 or float8 as a double.  Shared by the filters and aggregation.
 */
static inline int64
summary_int64(Oid typid, Datum d)
{
	switch (typid)
	{
		case INT2OID:
			return DatumGetInt16(d);
		case INT4OID:
		case DATEOID:
			return DatumGetInt32(d);
		case BOOLOID:
			return DatumGetBool(d) ? 1 : 0;
		default:
			return DatumGetInt64(d);
	}
}

static inline double
summary_double(Oid typid, Datum d)
{
	return typid == FLOAT4OID ? (double) DatumGetFloat4(d) : DatumGetFloat8(d);
}

/* Can this type be summarized (a by-value type with a fixed total order)? */
extern bool summary_type_supported(Oid typid);

/*
 * The minimum and maximum of the non-NULL values[] (stored as 64-bit
 * patterns, see summary_datum); false when all are NULL.
 */
extern bool summary_range(Oid typid, const Datum *values, const bool *isnull,
						  int n, int64 *min, int64 *max);
/* The Datum of a stored 64-bit pattern. */
extern Datum summary_datum(Oid typid, int64 bits);
/* max - min as a double (infinite when NaN or an infinity is involved). */
extern double summary_width(Oid typid, int64 min, int64 max);

/*
 * Build the summary of rows [first, first + nrows) of the column arrays
 * values[att][row] / isnull[att][row] as a bytea (palloc'd), or NULL when
 * no column can be summarized.
 */
extern bytea *summary_build(TupleDesc desc, int natts, Datum **values,
							bool **isnull, int first, int nrows);

/*
 * What summary (a detoasted bytea, or NULL) says about attribute attnum
 * (1-based) of type typid.  Malformed summaries raise ERRCODE_DATA_CORRUPTED.
 */
extern void summary_get(const bytea *summary, AttrNumber attnum, Oid typid,
						ColumnSummary *out);

#endif							/* TIMESERIES_SUMMARY_H */
