/*-------------------------------------------------------------------------
 *
 * timeseries.c
 *	  Module entry point: settings (GUCs) and hook registration.
 *
 * The library is loaded the first time a timeseries relation is opened (the
 * access method handler lives here) or, through an event trigger, before
 * any DDL, so shared_preload_libraries is not needed; it works there too.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/event_trigger.h"
#include "fmgr.h"
#include "utils/guc.h"

#include "chunk.h"
#include "codec.h"
#include "custom_scan.h"
#include "gapfill.h"
#include "lastpoint.h"
#include "options.h"
#include "topn.h"
#include "vector_agg.h"
#include "timeseries.h"
#include "pending.h"
#include "write.h"

PG_MODULE_MAGIC;

/* int64 values (and their views as keys) are held in Datums by value */
StaticAssertDecl(SIZEOF_DATUM == 8, "timeseries needs a 64-bit platform");

PG_FUNCTION_INFO_V1(timeseries_load_library);

int			ts_chunk_rows = 65536;
int			ts_vector_rows = 1024;
int			ts_inline_max_bytes = 4096;
int			ts_compression = CODEC_ZSTD;
int			ts_compression_level = 1;

static const struct config_enum_entry compression_options[] = {
	{"none", CODEC_NONE, false},
	{"lz4", CODEC_LZ4, false},
	{"zstd", CODEC_ZSTD, false},
	{NULL, 0, false}
};

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomIntVariable("timeseries.chunk_rows",
							"Maximum number of rows in a chunk.",
							"Smaller chunks prune better, larger ones compress better.",
							&ts_chunk_rows, 65536, 1, 1024 * 1024,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("timeseries.vector_rows",
							"Number of rows in a vector, the unit of decoding.",
							NULL,
							&ts_vector_rows, 1024, 1, CHUNK_MAX_VECTOR_ROWS,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("timeseries.inline_max_bytes",
							"Chunks up to this many encoded bytes are stored inline in their metadata row.",
							"Small transactions then cost about one heap insert instead of a page.",
							&ts_inline_max_bytes, 4096, 0, 1024 * 1024,
							PGC_USERSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomEnumVariable("timeseries.compression",
							 "Compression applied to column vectors of new chunks.",
							 NULL,
							 &ts_compression, CODEC_ZSTD, compression_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("timeseries.compression_level",
							"Compression level for zstd (or acceleration for lz4).",
							NULL,
							&ts_compression_level, 1, 1, 19,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("timeseries.enable_custom_scan",
							 "Read timeseries tables with TimeseriesScan (column projection, chunk pruning, vectorized filters).",
							 NULL,
							 &ts_enable_custom_scan, true,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("timeseries.debug_require_vectorized",
							 "Fail queries whose quals on timeseries tables are not all evaluated over vectors.",
							 "For tests: proves that the vectorized path was taken.",
							 &ts_debug_require_vectorized, false,
							 PGC_USERSET, GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
	DefineCustomBoolVariable("timeseries.enable_vector_agg",
							 "Compute aggregates over timeseries tables inside the scan (TimeseriesAgg).",
							 NULL,
							 &ts_enable_vector_agg, true,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("timeseries.debug_require_vector_agg",
							 "Fail queries whose aggregation over a timeseries table is not computed by TimeseriesAgg.",
							 "For tests: proves that the vectorized aggregation was used.",
							 &ts_debug_require_vector_agg, false,
							 PGC_USERSET, GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
	MarkGUCPrefixReserved("timeseries");

	write_init();
	pending_init();
	ts_planner_init();
	ts_custom_scan_init();
	ts_vector_agg_init();
	ts_gapfill_init();
	ts_lastpoint_init();
	ts_topn_init();
	ts_tableam_init();
}

/*
 * Event trigger function (ddl_command_start): loading the library is its
 * job; it also explains timeseries options given as storage parameters.
 */
Datum
timeseries_load_library(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("timeseries_load_library() must be called as an event trigger")));
	ts_options_check_storage_parameters(((EventTriggerData *) fcinfo->context)->parsetree);
	PG_RETURN_NULL();
}
