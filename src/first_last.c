/*-------------------------------------------------------------------------
 *
 * first_last.c
 *	  The first(value, time) and last(value, time) aggregates: the value of
 *	  the row with the smallest (largest) time.
 *
 * The time may be of any type with a default btree operator class; rows
 * whose time is NULL are ignored, and the value may be NULL.  Among rows
 * with equal times the one seen first wins, so with ties the result depends
 * on the order rows arrive in, as with TimescaleDB.
 *
 * The state is internal, with combine, serialize and deserialize functions
 * so that the aggregates run in parallel plans and as partial aggregates;
 * serialization uses datumSerialize, which works for every type.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "timeseries.h"

PG_FUNCTION_INFO_V1(ts_first_sfunc);
PG_FUNCTION_INFO_V1(ts_last_sfunc);
PG_FUNCTION_INFO_V1(ts_first_combine);
PG_FUNCTION_INFO_V1(ts_last_combine);
PG_FUNCTION_INFO_V1(ts_first_last_final);
PG_FUNCTION_INFO_V1(ts_first_last_serialize);
PG_FUNCTION_INFO_V1(ts_first_last_deserialize);

typedef struct FirstLastState
{
	Oid			value_type;
	Oid			time_type;
	Oid			collation;
	int16		value_len;
	bool		value_byval;
	int16		time_len;
	bool		time_byval;
	bool		value_null;
	Datum		value;
	Datum		time;
	FmgrInfo   *cmp;			/* the time type's btree comparison */
} FirstLastState;

static MemoryContext
aggregate_context(FunctionCallInfo fcinfo)
{
	MemoryContext cxt;

	if (!AggCheckCallContext(fcinfo, &cxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("first() and last() can only be called as aggregates")));
	return cxt;
}

/* Look up the comparison of the state's time type (in the aggregate's context). */
static void
state_set_types(FirstLastState *state, Oid value_type, Oid time_type,
				Oid collation, MemoryContext cxt)
{
	TypeCacheEntry *tce = lookup_type_cache(time_type, TYPECACHE_CMP_PROC_FINFO);

	if (!OidIsValid(tce->cmp_proc_finfo.fn_oid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("could not identify a comparison function for type %s",
						format_type_be(time_type)),
				 errhint("The time argument of first() and last() needs a type with a default btree operator class.")));
	state->value_type = value_type;
	state->time_type = time_type;
	state->collation = collation;
	get_typlenbyval(value_type, &state->value_len, &state->value_byval);
	get_typlenbyval(time_type, &state->time_len, &state->time_byval);
	state->cmp = MemoryContextAlloc(cxt, sizeof(FmgrInfo));
	fmgr_info_copy(state->cmp, &tce->cmp_proc_finfo, cxt);
}

/* Replace the state's row with (value, time), copied into cxt. */
static void
state_store(FirstLastState *state, Datum value, bool value_null, Datum time,
			MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);

	if (!state->value_byval && !state->value_null && DatumGetPointer(state->value) != NULL)
		pfree(DatumGetPointer(state->value));
	if (!state->time_byval && DatumGetPointer(state->time) != NULL)
		pfree(DatumGetPointer(state->time));
	state->value_null = value_null;
	state->value = value_null ? (Datum) 0 :
		datumCopy(value, state->value_byval, state->value_len);
	state->time = datumCopy(time, state->time_byval, state->time_len);
	MemoryContextSwitchTo(old);
}

static int
compare_times(FirstLastState *state, Datum a, Datum b)
{
	return DatumGetInt32(FunctionCall2Coll(state->cmp, state->collation, a, b));
}

/* sfunc(state, value, time): keep the row when sign * (time - kept) < 0 */
static Datum
transition(FunctionCallInfo fcinfo, int sign)
{
	MemoryContext cxt = aggregate_context(fcinfo);
	FirstLastState *state = PG_ARGISNULL(0) ? NULL : (FirstLastState *) PG_GETARG_POINTER(0);
	Datum		time;

	if (PG_ARGISNULL(2))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	time = PG_GETARG_DATUM(2);
	if (state == NULL)
	{
		state = MemoryContextAllocZero(cxt, sizeof(FirstLastState));
		state_set_types(state, get_fn_expr_argtype(fcinfo->flinfo, 1),
						get_fn_expr_argtype(fcinfo->flinfo, 2),
						PG_GET_COLLATION(), cxt);
		state_store(state, PG_GETARG_DATUM(1), PG_ARGISNULL(1), time, cxt);
	}
	else if (sign * compare_times(state, time, state->time) < 0)
		state_store(state, PG_GETARG_DATUM(1), PG_ARGISNULL(1), time, cxt);
	PG_RETURN_POINTER(state);
}

Datum
ts_first_sfunc(PG_FUNCTION_ARGS)
{
	return transition(fcinfo, 1);
}

Datum
ts_last_sfunc(PG_FUNCTION_ARGS)
{
	return transition(fcinfo, -1);
}

static Datum
combine(FunctionCallInfo fcinfo, int sign)
{
	MemoryContext cxt = aggregate_context(fcinfo);
	FirstLastState *s1 = PG_ARGISNULL(0) ? NULL : (FirstLastState *) PG_GETARG_POINTER(0);
	FirstLastState *s2 = PG_ARGISNULL(1) ? NULL : (FirstLastState *) PG_GETARG_POINTER(1);

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		s1 = MemoryContextAllocZero(cxt, sizeof(FirstLastState));
		state_set_types(s1, s2->value_type, s2->time_type, s2->collation, cxt);
		state_store(s1, s2->value, s2->value_null, s2->time, cxt);
	}
	else if (sign * compare_times(s1, s2->time, s1->time) < 0)
		state_store(s1, s2->value, s2->value_null, s2->time, cxt);
	PG_RETURN_POINTER(s1);
}

Datum
ts_first_combine(PG_FUNCTION_ARGS)
{
	return combine(fcinfo, 1);
}

Datum
ts_last_combine(PG_FUNCTION_ARGS)
{
	return combine(fcinfo, -1);
}

Datum
ts_first_last_final(PG_FUNCTION_ARGS)
{
	FirstLastState *state;

	(void) aggregate_context(fcinfo);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (FirstLastState *) PG_GETARG_POINTER(0);
	if (state->value_null)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(state->value);
}

/*
 * Serialized state: value type, time type and collation oids, then the value
 * (or nothing when NULL) and the time as datumSerialize writes them.
 */
typedef struct SerialHeader
{
	Oid			value_type;
	Oid			time_type;
	Oid			collation;
	bool		value_null;
} SerialHeader;

/*
 * The serialized state holding (value, time); also how TimeseriesAgg
 * (vector_agg.c) hands its partial first()/last() states to the Finalize
 * Agg.
 */
bytea *
ts_first_last_state_bytes(Oid value_type, Oid time_type, Oid collation,
						  Datum value, bool value_null, Datum time)
{
	SerialHeader hdr;
	int16		value_len;
	bool		value_byval;
	int16		time_len;
	bool		time_byval;
	Size		len;
	bytea	   *result;
	char	   *p;

	get_typlenbyval(value_type, &value_len, &value_byval);
	get_typlenbyval(time_type, &time_len, &time_byval);
	memset(&hdr, 0, sizeof(hdr));
	hdr.value_type = value_type;
	hdr.time_type = time_type;
	hdr.collation = collation;
	hdr.value_null = value_null;
	len = sizeof(SerialHeader) +
		datumEstimateSpace(value, value_null, value_byval, value_len) +
		datumEstimateSpace(time, false, time_byval, time_len);
	result = palloc0(VARHDRSZ + len);
	SET_VARSIZE(result, VARHDRSZ + len);
	p = VARDATA(result);
	memcpy(p, &hdr, sizeof(SerialHeader));
	p += sizeof(SerialHeader);
	datumSerialize(value, value_null, value_byval, value_len, &p);
	datumSerialize(time, false, time_byval, time_len, &p);
	return result;
}

Datum
ts_first_last_serialize(PG_FUNCTION_ARGS)
{
	FirstLastState *state;

	(void) aggregate_context(fcinfo);
	state = (FirstLastState *) PG_GETARG_POINTER(0);
	PG_RETURN_BYTEA_P(ts_first_last_state_bytes(state->value_type, state->time_type,
												state->collation, state->value,
												state->value_null, state->time));
}

Datum
ts_first_last_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = aggregate_context(fcinfo);
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	FirstLastState *state;
	SerialHeader hdr;
	char	   *p = VARDATA_ANY(b);
	Datum		value;
	Datum		time;
	bool		isnull;
	bool		time_null;

	if (VARSIZE_ANY_EXHDR(b) < sizeof(SerialHeader))
		elog(ERROR, "invalid first()/last() aggregate state");
	memcpy(&hdr, p, sizeof(SerialHeader));
	p += sizeof(SerialHeader);
	value = datumRestore(&p, &isnull);
	time = datumRestore(&p, &time_null);
	if (time_null || isnull != hdr.value_null)
		elog(ERROR, "invalid first()/last() aggregate state");

	state = MemoryContextAllocZero(cxt, sizeof(FirstLastState));
	state_set_types(state, hdr.value_type, hdr.time_type, hdr.collation, cxt);
	state_store(state, value, hdr.value_null, time, cxt);
	PG_RETURN_POINTER(state);
}
