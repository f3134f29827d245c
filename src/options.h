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
#include "nodes/pg_list.h"
#include "utils/relcache.h"
#include "utils/rel.h"

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

/* An item of an order_by list. */
typedef struct OrderByItem
{
	char	   *column;
	bool		desc;
	int			nulls;			/* 0: the default, 1: NULLS FIRST, 2: NULLS LAST */
} OrderByItem;

extern List *ts_options_parse_order_by(const char *spec);
extern void ts_options_get(Oid relid, TsOptions *opts);
extern void ts_options_delete(Oid relid);
/*
 * The table's chunk_rows (0: unset), compression (-1: unset) and whether it
 * orders its rows (segment_by or order_by set), cached.
 */
extern void ts_options_write_settings(Relation rel, int *chunk_rows, int *compression,
									  bool *ordered, AttrNumber *time_attnum, Oid *time_type);
extern char *ts_options_time_column(Relation rel, const TsOptions *opts);
extern void ts_options_rename_column(Relation rel, const char *oldname, const char *newname);
extern void ts_options_check_drop_column(Relation rel, const char *column);
extern void ts_options_check_storage_parameters(Node *parsetree);

#endif							/* TIMESERIES_OPTIONS_H */
