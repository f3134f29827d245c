/*-------------------------------------------------------------------------
 *
 * time_bucket.c
 *	  time_bucket(): the start of the bucket of a given width that holds a
 *	  time (or integer) value, with TimescaleDB's signatures and results.
 *
 * Buckets of a fixed width (an interval without months, or an integer) are
 * aligned to an origin: by default Monday 2000-01-03 00:00, so that weekly
 * buckets start on Mondays; a bucket is [origin + k * width, origin + (k+1)
 * * width) for the integer k that holds the value.  Widths in months (and
 * years) cannot be mixed with days or time; they count whole months from
 * the origin's month (by default January 2000) and buckets start on the
 * first of a month at midnight.
 *
 * timestamptz values are bucketed as UTC times unless a time zone is given;
 * dates are bucketed as timestamps at midnight and need whole-day widths.
 * Infinite values are returned unchanged.  The offset variants (defined in
 * SQL) shift the value by -offset, bucket it and shift the result back.
 *
 * time_bucket_gapfill() computes the same buckets; its start and finish
 * arguments only matter to the gapfill node (gapfill.c), which also calls
 * ts_time_bucket_in_zone() to step through the buckets of a time zone.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/int.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"

#include "timeseries.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(ts_time_bucket_int2);
PG_FUNCTION_INFO_V1(ts_time_bucket_int4);
PG_FUNCTION_INFO_V1(ts_time_bucket_int8);
PG_FUNCTION_INFO_V1(ts_time_bucket_timestamp);
PG_FUNCTION_INFO_V1(ts_time_bucket_timestamptz);
PG_FUNCTION_INFO_V1(ts_time_bucket_date);
PG_FUNCTION_INFO_V1(ts_time_bucket_timestamptz_tz);
PG_FUNCTION_INFO_V1(ts_time_bucket_gapfill_int2);
PG_FUNCTION_INFO_V1(ts_time_bucket_gapfill_int4);
PG_FUNCTION_INFO_V1(ts_time_bucket_gapfill_int8);
PG_FUNCTION_INFO_V1(ts_time_bucket_gapfill_timestamp);
PG_FUNCTION_INFO_V1(ts_time_bucket_gapfill_timestamptz);
PG_FUNCTION_INFO_V1(ts_time_bucket_gapfill_date);
PG_FUNCTION_INFO_V1(ts_time_bucket_gapfill_timestamptz_tz);

/* Monday 2000-01-03, in microseconds since the PostgreSQL epoch (2000-01-01) */
#define DEFAULT_ORIGIN		(2 * USECS_PER_DAY)

static void
out_of_range(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("time_bucket result is out of range")));
}

static void
check_width(int64 width)
{
	if (width <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time_bucket width must be greater than zero")));
}

/*
 * floor((value - offset) / width) * width + offset, for values in
 * [min, max], where offset is first reduced modulo width; errors instead of
 * overflowing.
 */
static int64
bucket_int64(int64 width, int64 value, int64 offset, int64 min, int64 max)
{
	int64		shifted;
	int64		q;
	int64		result;

	check_width(width);
	offset %= width;
	if ((offset > 0 && value < min + offset) ||
		(offset < 0 && value > max + offset))
		out_of_range();
	shifted = value - offset;
	q = shifted / width;
	if (shifted < 0 && shifted % width != 0)
	{
		/* C division truncates toward zero; the bucket is the one below */
		if (q * width < min + width)
			out_of_range();
		q--;
	}
	result = q * width + offset;
	return result;
}

Datum
ts_time_bucket_int2(PG_FUNCTION_ARGS)
{
	int64		offset = PG_NARGS() > 2 ? PG_GETARG_INT16(2) : 0;

	PG_RETURN_INT16((int16) bucket_int64(PG_GETARG_INT16(0), PG_GETARG_INT16(1),
										 offset, PG_INT16_MIN, PG_INT16_MAX));
}

Datum
ts_time_bucket_int4(PG_FUNCTION_ARGS)
{
	int64		offset = PG_NARGS() > 2 ? PG_GETARG_INT32(2) : 0;

	PG_RETURN_INT32((int32) bucket_int64(PG_GETARG_INT32(0), PG_GETARG_INT32(1),
										 offset, PG_INT32_MIN, PG_INT32_MAX));
}

Datum
ts_time_bucket_int8(PG_FUNCTION_ARGS)
{
	int64		offset = PG_NARGS() > 2 ? PG_GETARG_INT64(2) : 0;

	PG_RETURN_INT64(bucket_int64(PG_GETARG_INT64(0), PG_GETARG_INT64(1),
								 offset, PG_INT64_MIN, PG_INT64_MAX));
}

/* The width of an interval without months, in microseconds. */
static int64
interval_width(const Interval *width)
{
	int64		result;

	Assert(width->month == 0);
	if (pg_mul_s64_overflow((int64) width->day, USECS_PER_DAY, &result) ||
		pg_add_s64_overflow(result, width->time, &result))
		out_of_range();
	check_width(result);
	return result;
}

static void
check_month_width(const Interval *width)
{
	if (width->day != 0 || width->time != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time_bucket width cannot mix months or years with days or time"),
				 errhint("Use a width of whole months, such as '3 months', or one without months, such as '7 days'.")));
	check_width(width->month);
}

/* Months since year 0 of a date; the date of the first of such a month. */
static int32
date_month(DateADT date)
{
	int			year;
	int			month;
	int			day;

	j2date(date + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	return year * 12 + month - 1;
}

static DateADT
month_date(int32 months)
{
	int32		year = months / 12;
	int32		month = months % 12;

	if (month < 0)
	{
		month += 12;
		year--;
	}
	if (!IS_VALID_JULIAN(year, month + 1, 1))
		out_of_range();
	return date2j(year, month + 1, 1) - POSTGRES_EPOCH_JDATE;
}

/* The first day of the month bucket holding date. */
static DateADT
bucket_month(int32 width, DateADT date, DateADT origin)
{
	int64		months = bucket_int64(width, date_month(date), date_month(origin),
									  PG_INT32_MIN, PG_INT32_MAX);

	if (months < 0 || months > PG_INT32_MAX)
		out_of_range();
	return month_date((int32) months);
}

static DateADT
timestamp_to_date(Timestamp ts)
{
	return DatumGetDateADT(DirectFunctionCall1(timestamp_date, TimestampGetDatum(ts)));
}

static Timestamp
date_to_timestamp(DateADT date)
{
	return DatumGetTimestamp(DirectFunctionCall1(date_timestamp, DateADTGetDatum(date)));
}

/*
 * Bucket a timestamp (or a timestamptz taken as UTC) with an optional
 * origin (has_origin false: the default ones).
 */
static Timestamp
bucket_timestamp(const Interval *width, Timestamp ts, bool has_origin,
				 Timestamp origin)
{
	if (TIMESTAMP_NOT_FINITE(ts))
		return ts;
	if (width->month != 0)
	{
		DateADT		origin_date = 0;	/* 2000-01-01 */

		check_month_width(width);
		if (has_origin)
		{
			if (TIMESTAMP_NOT_FINITE(origin))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("time_bucket origin must be finite")));
			origin_date = timestamp_to_date(origin);
		}
		return date_to_timestamp(bucket_month(width->month, timestamp_to_date(ts),
											  origin_date));
	}
	if (!has_origin)
		origin = DEFAULT_ORIGIN;
	else if (TIMESTAMP_NOT_FINITE(origin))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time_bucket origin must be finite")));
	{
		Timestamp	result = bucket_int64(interval_width(width), ts, origin,
										  MIN_TIMESTAMP, END_TIMESTAMP - 1);

		if (!IS_VALID_TIMESTAMP(result))
			out_of_range();
		return result;
	}
}

Datum
ts_time_bucket_timestamp(PG_FUNCTION_ARGS)
{
	PG_RETURN_TIMESTAMP(bucket_timestamp(PG_GETARG_INTERVAL_P(0),
										 PG_GETARG_TIMESTAMP(1),
										 PG_NARGS() > 2,
										 PG_NARGS() > 2 ? PG_GETARG_TIMESTAMP(2) : 0));
}

Datum
ts_time_bucket_timestamptz(PG_FUNCTION_ARGS)
{
	/* a timestamptz is a UTC timestamp: bucket it as one */
	PG_RETURN_TIMESTAMPTZ(bucket_timestamp(PG_GETARG_INTERVAL_P(0),
										   PG_GETARG_TIMESTAMPTZ(1),
										   PG_NARGS() > 2,
										   PG_NARGS() > 2 ? PG_GETARG_TIMESTAMPTZ(2) : 0));
}

Datum
ts_time_bucket_date(PG_FUNCTION_ARGS)
{
	Interval   *width = PG_GETARG_INTERVAL_P(0);
	DateADT		date = PG_GETARG_DATEADT(1);
	bool		has_origin = PG_NARGS() > 2;
	DateADT		origin = has_origin ? PG_GETARG_DATEADT(2) : 0;

	if (DATE_NOT_FINITE(date))
		PG_RETURN_DATEADT(date);
	if (has_origin && DATE_NOT_FINITE(origin))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time_bucket origin must be finite")));
	if (width->month != 0)
	{
		check_month_width(width);
		PG_RETURN_DATEADT(bucket_month(width->month, date, origin));
	}
	if (interval_width(width) % USECS_PER_DAY != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time_bucket width for dates must be a whole number of days")));
	PG_RETURN_DATEADT(timestamp_to_date(bucket_timestamp(width, date_to_timestamp(date),
														 true,
														 has_origin ? date_to_timestamp(origin) : DEFAULT_ORIGIN)));
}

/*
 * time_bucket(width, ts timestamptz, timezone text, origin timestamptz,
 * "offset" interval): buckets in the local time of a time zone, so that
 * daily buckets start at local midnight across daylight-saving changes.
 * origin and offset may be NULL (not given).
 */
Datum
ts_time_bucket_timestamptz_tz(PG_FUNCTION_ARGS)
{
	Interval   *width;
	TimestampTz ts;
	text	   *zone;
	Timestamp	local;
	Timestamp	origin = 0;
	bool		has_origin = !PG_ARGISNULL(3);
	Datum		result;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	width = PG_GETARG_INTERVAL_P(0);
	ts = PG_GETARG_TIMESTAMPTZ(1);
	zone = PG_GETARG_TEXT_PP(2);
	if (TIMESTAMP_NOT_FINITE(ts))
		PG_RETURN_TIMESTAMPTZ(ts);

	local = DatumGetTimestamp(DirectFunctionCall2(timestamptz_zone,
												  PointerGetDatum(zone),
												  TimestampTzGetDatum(ts)));
	if (has_origin)
		origin = DatumGetTimestamp(DirectFunctionCall2(timestamptz_zone,
													   PointerGetDatum(zone),
													   PG_GETARG_DATUM(3)));
	if (!PG_ARGISNULL(4))
		local = DatumGetTimestamp(DirectFunctionCall2(timestamp_mi_interval,
													  TimestampGetDatum(local),
													  PG_GETARG_DATUM(4)));
	local = bucket_timestamp(width, local, has_origin, origin);
	result = TimestampGetDatum(local);
	if (!PG_ARGISNULL(4))
		result = DirectFunctionCall2(timestamp_pl_interval, result, PG_GETARG_DATUM(4));
	PG_RETURN_DATUM(DirectFunctionCall2(timestamp_zone, PointerGetDatum(zone), result));
}

/*
 * time_bucket in the local time of a time zone with the default origin;
 * the time must be finite.
 */
TimestampTz
ts_time_bucket_in_zone(Interval *width, TimestampTz ts, text *zone)
{
	Timestamp	local;

	local = DatumGetTimestamp(DirectFunctionCall2(timestamptz_zone,
												  PointerGetDatum(zone),
												  TimestampTzGetDatum(ts)));
	local = bucket_timestamp(width, local, false, 0);
	return DatumGetTimestampTz(DirectFunctionCall2(timestamp_zone,
												   PointerGetDatum(zone),
												   TimestampGetDatum(local)));
}

/*
 * time_bucket_gapfill(width, ts [, timezone], start, finish): the bucket of
 * ts; start and finish (which may be NULL) are read by the planner, not
 * here.  Not strict, since start and finish default to NULL.
 */
#define GAPFILL_BUCKET(name, bucketfn) \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) \
		PG_RETURN_NULL(); \
	return DirectFunctionCall2(bucketfn, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)); \
}

GAPFILL_BUCKET(ts_time_bucket_gapfill_int2, ts_time_bucket_int2)
GAPFILL_BUCKET(ts_time_bucket_gapfill_int4, ts_time_bucket_int4)
GAPFILL_BUCKET(ts_time_bucket_gapfill_int8, ts_time_bucket_int8)
GAPFILL_BUCKET(ts_time_bucket_gapfill_timestamp, ts_time_bucket_timestamp)
GAPFILL_BUCKET(ts_time_bucket_gapfill_timestamptz, ts_time_bucket_timestamptz)
GAPFILL_BUCKET(ts_time_bucket_gapfill_date, ts_time_bucket_date)

Datum
ts_time_bucket_gapfill_timestamptz_tz(PG_FUNCTION_ARGS)
{
	TimestampTz ts;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	ts = PG_GETARG_TIMESTAMPTZ(1);
	if (TIMESTAMP_NOT_FINITE(ts))
		PG_RETURN_TIMESTAMPTZ(ts);
	PG_RETURN_TIMESTAMPTZ(ts_time_bucket_in_zone(PG_GETARG_INTERVAL_P(0), ts,
												 PG_GETARG_TEXT_PP(2)));
}
