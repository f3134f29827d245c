/*-------------------------------------------------------------------------
 *
 * row_order.h
 *	  The order rows are stored in within a chunk (row_order.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_ROW_ORDER_H
#define TIMESERIES_ROW_ORDER_H

#include "access/tupdesc.h"
#include "utils/sortsupport.h"

struct TsOptions;

typedef struct RowOrderKey
{
	int			attidx;
	bool		desc;
	bool		nulls_first;
	int16		typlen;
	bool		typbyval;
	SortSupportData ssup;
} RowOrderKey;

typedef struct RowOrderSpec
{
	int			nkeys;
	int			nsegment;		/* the first nsegment keys are segment_by columns */
	RowOrderKey *keys;
} RowOrderSpec;

extern RowOrderSpec *row_order_spec(TupleDesc desc, const struct TsOptions *opts,
									const char *time_column);
extern int32 *row_order_compute(const RowOrderSpec *spec, Datum **values,
								bool **isnull, int first, int nrows);

#endif							/* TIMESERIES_ROW_ORDER_H */
