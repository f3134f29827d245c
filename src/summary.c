/*-------------------------------------------------------------------------
 *
 * summary.c
 *	  Per-chunk column summaries: the minimum, the maximum and whether there
 *	  are NULLs, for columns of by-value types with a fixed total order.
 *
 * The summary is computed when a chunk is written and stored in its
 * metadata row (timeseries_internal.chunk.summary), so a scan can decide to
 * skip a chunk before reading any of its bytes.  Values are ordered exactly
 * as the type's default btree operator class orders them (for floats: -0
 * equals 0, NaN equals NaN and sorts above everything), which is what lets
 * a reader compare them with that operator family's comparison functions.
 *
 * Layout, a bytea:
 *	uint16 version, uint16 count, then count entries of
 *	int16 attnum, uint16 flags, uint32 type oid, int64 min, int64 max
 * Only summarizable columns get an entry.  The type oid is checked on read,
 * so a column whose type changed without a rewrite is never pruned on.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/float.h"

#include "summary.h"

#define SUMMARY_VERSION		1

#define SUMMARY_HAS_VALUES	0x01
#define SUMMARY_HAS_NULLS	0x02

typedef struct SummaryHeader
{
	uint16		version;
	uint16		count;
} SummaryHeader;

typedef struct SummaryEntry
{
	int16		attnum;
	uint16		flags;
	uint32		typid;
	int64		min;
	int64		max;
} SummaryEntry;

bool
summary_type_supported(Oid typid)
{
	switch (typid)
	{
		case BOOLOID:
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case FLOAT4OID:
		case FLOAT8OID:
		case DATEOID:
		case TIMEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return true;
		default:
			return false;
	}
}

/* a < b in the order of the type's default btree operator class */
static inline bool
value_lt(Oid typid, Datum a, Datum b)
{
	switch (typid)
	{
		case BOOLOID:
			return !DatumGetBool(a) && DatumGetBool(b);
		case INT2OID:
			return DatumGetInt16(a) < DatumGetInt16(b);
		case INT4OID:
		case DATEOID:
			return DatumGetInt32(a) < DatumGetInt32(b);
		case FLOAT4OID:
			return float4_lt(DatumGetFloat4(a), DatumGetFloat4(b));
		case FLOAT8OID:
			return float8_lt(DatumGetFloat8(a), DatumGetFloat8(b));
		default:				/* int8, time, timestamp, timestamptz */
			return DatumGetInt64(a) < DatumGetInt64(b);
	}
}

/* The bits of a summarizable value, as stored. */
static int64
datum_bits(Oid typid, Datum d)
{
	switch (typid)
	{
		case BOOLOID:
			return DatumGetBool(d);
		case INT2OID:
			return DatumGetInt16(d);
		case INT4OID:
		case DATEOID:
			return DatumGetInt32(d);
		case FLOAT4OID:
			{
				float4		f = DatumGetFloat4(d);
				int32		b;

				memcpy(&b, &f, sizeof(int32));
				return b;
			}
		default:
			return DatumGetInt64(d);
	}
}

bool
summary_range(Oid typid, const Datum *values, const bool *isnull, int n,
			  int64 *min, int64 *max)
{
	Datum		lo = 0;
	Datum		hi = 0;
	bool		any = false;

	for (int i = 0; i < n; i++)
	{
		Datum		v;

		if (isnull[i])
			continue;
		v = values[i];
		if (!any)
		{
			lo = hi = v;
			any = true;
		}
		else if (value_lt(typid, v, lo))
			lo = v;
		else if (value_lt(typid, hi, v))
			hi = v;
	}
	if (any)
	{
		*min = datum_bits(typid, lo);
		*max = datum_bits(typid, hi);
	}
	return any;
}

double
summary_width(Oid typid, int64 min, int64 max)
{
	double		lo;
	double		hi;

	switch (typid)
	{
		case FLOAT4OID:
		case FLOAT8OID:
			if (typid == FLOAT4OID)
			{
				lo = DatumGetFloat4(summary_datum(typid, min));
				hi = DatumGetFloat4(summary_datum(typid, max));
			}
			else
			{
				lo = DatumGetFloat8(summary_datum(typid, min));
				hi = DatumGetFloat8(summary_datum(typid, max));
			}
			if (isnan(lo) || isnan(hi) || isinf(lo) || isinf(hi))
				return INFINITY;
			return hi - lo;
		default:
			return (double) max - (double) min;
	}
}

bytea *
summary_build(TupleDesc desc, int natts, Datum **values, bool **isnull,
			  int first, int nrows)
{
	SummaryEntry *entries = palloc(sizeof(SummaryEntry) * Max(natts, 1));
	int			count = 0;
	SummaryHeader hdr;
	bytea	   *result;
	Size		len;

	for (int a = 0; a < natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);
		SummaryEntry *e;
		bool		any;
		bool		nulls = false;

		if (att->attisdropped || !summary_type_supported(att->atttypid))
			continue;
		e = &entries[count++];
		memset(e, 0, sizeof(SummaryEntry));
		e->attnum = att->attnum;
		e->typid = att->atttypid;
		for (int i = first; i < first + nrows && !nulls; i++)
			nulls = isnull[a][i];
		any = summary_range(att->atttypid, values[a] + first, isnull[a] + first,
							nrows, &e->min, &e->max);
		e->flags = (any ? SUMMARY_HAS_VALUES : 0) | (nulls ? SUMMARY_HAS_NULLS : 0);
	}
	if (count == 0)
	{
		pfree(entries);
		return NULL;
	}

	len = sizeof(SummaryHeader) + sizeof(SummaryEntry) * count;
	result = palloc(VARHDRSZ + len);
	SET_VARSIZE(result, VARHDRSZ + len);
	hdr.version = SUMMARY_VERSION;
	hdr.count = (uint16) count;
	memcpy(VARDATA(result), &hdr, sizeof(hdr));
	memcpy(VARDATA(result) + sizeof(hdr), entries, sizeof(SummaryEntry) * count);
	pfree(entries);
	return result;
}

Datum
summary_datum(Oid typid, int64 v)
{
	switch (typid)
	{
		case BOOLOID:
			return BoolGetDatum(v != 0);
		case INT2OID:
			return Int16GetDatum((int16) v);
		case INT4OID:
		case DATEOID:
			return Int32GetDatum((int32) v);
		case FLOAT4OID:
			{
				int32		b = (int32) v;
				float4		f;

				memcpy(&f, &b, sizeof(float4));
				return Float4GetDatum(f);
			}
		case FLOAT8OID:
			{
				float8		f;

				memcpy(&f, &v, sizeof(float8));
				return Float8GetDatum(f);
			}
		default:
			return Int64GetDatum(v);
	}
}

void
summary_get(const bytea *summary, AttrNumber attnum, Oid typid,
			ColumnSummary *out)
{
	SummaryHeader hdr;
	Size		len;
	const char *p;

	memset(out, 0, sizeof(ColumnSummary));
	if (summary == NULL)
		return;
	len = VARSIZE_ANY_EXHDR(summary);
	p = VARDATA_ANY(summary);
	if (len < sizeof(SummaryHeader))
		goto corrupt;
	memcpy(&hdr, p, sizeof(hdr));
	if (hdr.version != SUMMARY_VERSION ||
		len != sizeof(SummaryHeader) + sizeof(SummaryEntry) * (Size) hdr.count)
		goto corrupt;
	p += sizeof(SummaryHeader);
	for (int i = 0; i < hdr.count; i++)
	{
		SummaryEntry e;

		memcpy(&e, p + sizeof(SummaryEntry) * i, sizeof(SummaryEntry));
		if (e.attnum != attnum)
			continue;
		if (e.typid != typid || !summary_type_supported(typid))
			return;
		out->known = true;
		out->has_values = (e.flags & SUMMARY_HAS_VALUES) != 0;
		out->has_nulls = (e.flags & SUMMARY_HAS_NULLS) != 0;
		if (out->has_values)
		{
			out->min = summary_datum(typid, e.min);
			out->max = summary_datum(typid, e.max);
		}
		return;
	}
	return;

corrupt:
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("timeseries chunk summary is corrupted")));
}
