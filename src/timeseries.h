/*-------------------------------------------------------------------------
 *
 * timeseries.h
 *	  Settings and entry points shared by the parts of the extension.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_H
#define TIMESERIES_H

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "storage/lockdefs.h"
#include "utils/rel.h"

/* GUCs, defined in timeseries.c */
extern int	ts_chunk_rows;
extern int	ts_vector_rows;
extern int	ts_inline_max_bytes;
extern int	ts_compression;
extern int	ts_compression_level;

/* A chunk also ends when its buffered values reach this many bytes. */
#define CHUNK_MAX_RAW_BYTES		(64 * 1024 * 1024)

/* tableam.c */
extern bool ts_is_timeseries_relid(Oid relid);
extern bool ts_is_timeseries_rel(Relation rel);
extern Relation ts_open_owned_table(Oid relid, LOCKMODE lockmode, const char *what);

/* first_last.c */
extern bytea *ts_first_last_state_bytes(Oid value_type, Oid time_type, Oid collation,
										Datum value, bool value_null, Datum time);

/* time_bucket.c */
extern Datum ts_time_bucket_int2(PG_FUNCTION_ARGS);
extern Datum ts_time_bucket_int4(PG_FUNCTION_ARGS);
extern Datum ts_time_bucket_int8(PG_FUNCTION_ARGS);
extern Datum ts_time_bucket_date(PG_FUNCTION_ARGS);
extern Datum ts_time_bucket_timestamp(PG_FUNCTION_ARGS);
extern Datum ts_time_bucket_timestamptz(PG_FUNCTION_ARGS);
extern TimestampTz ts_time_bucket_in_zone(Interval *width, TimestampTz ts, text *zone);

/* planner.c */
extern void ts_planner_init(void);

/* tableam.c: drop hook */
extern void ts_tableam_init(void);

#endif							/* TIMESERIES_H */
