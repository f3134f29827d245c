/*-------------------------------------------------------------------------
 *
 * options.h
 *	  Per-table options (options.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_OPTIONS_H
#define TIMESERIES_OPTIONS_H

#include "datatype/timestamp.h"
#include "utils/relcache.h"

/* A table's options; unset ones are NULL, 0 or -1 (the defaults apply). */
typedef struct TsOptions
{
	char	   *time_column;
	bool		has_segment_by;
	int			nsegment_by;
	char	  **segment_by;
	char	   *order_by;		/* normalized: "col [DESC] [NULLS FIRST|LAST], ..." */
	int			chunk_rows;
	int			compression;	/* a CODEC_* id, or -1 */
	Interval   *retention;
} TsOptions;

extern void ts_options_get(Oid relid, TsOptions *opts);
extern void ts_options_delete(Oid relid);
/* The table's chunk_rows (0: unset) and compression (-1: unset), cached. */
extern void ts_options_write_settings(Oid relid, int *chunk_rows, int *compression);
extern char *ts_options_time_column(Relation rel, const TsOptions *opts);

#endif							/* TIMESERIES_OPTIONS_H */
