/*-------------------------------------------------------------------------
 *
 * stats.c
 *	  SQL-callable reporting functions: timeseries.table_stats().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "scan.h"
#include "timeseries.h"

PG_FUNCTION_INFO_V1(timeseries_table_stats);

Datum
timeseries_table_stats(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	TupleDesc	tupdesc;
	Relation	rel;
	TableTotals totals;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	if (!ts_is_timeseries_relid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a timeseries table",
						get_rel_name(relid) ? get_rel_name(relid) : "(unknown)"),
				 errhint("Create it with CREATE TABLE ... USING timeseries.")));
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s", get_rel_name(relid))));

	rel = relation_open(relid, AccessShareLock);
	ts_table_totals(rel, GetActiveSnapshot(), &totals);
	relation_close(rel, AccessShareLock);

	values[0] = Int64GetDatum(totals.rows);
	values[1] = Int64GetDatum(totals.chunks);
	values[2] = Int64GetDatum(totals.inline_chunks);
	values[3] = Int64GetDatum(totals.bytes);
	values[4] = Int64GetDatum(totals.raw_bytes);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
