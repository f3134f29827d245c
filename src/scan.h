/*-------------------------------------------------------------------------
 *
 * scan.h
 *	  Reading timeseries tables: sequential scans, fetching a row by ctid,
 *	  and ANALYZE sampling.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_SCAN_H
#define TIMESERIES_SCAN_H

#include "access/relscan.h"
#include "access/tableam.h"
#include "port/atomics.h"

extern TableScanDesc ts_scan_begin(Relation rel, Snapshot snapshot, int nkeys,
								   struct ScanKeyData *key,
								   ParallelTableScanDesc pscan, uint32 flags);
extern TableScanDesc ts_scan_begin_custom(Relation rel, Snapshot snapshot);
extern void ts_scan_end(TableScanDesc scan);
extern void ts_scan_rescan(TableScanDesc scan, struct ScanKeyData *key,
						   bool set_params, bool allow_strat,
						   bool allow_sync, bool allow_pagemode);
extern bool ts_scan_getnextslot(TableScanDesc scan, ScanDirection direction,
								TupleTableSlot *slot);

/* Slots of timeseries rows (tableam.c). */
extern const TupleTableSlotOps *ts_row_slot_ops_get(void);
extern void ts_slot_set_origin(TupleTableSlot *slot, bool own_xact);

extern bool ts_row_insert_cid(Relation rel, ItemPointer tid, CommandId *cid);
extern bool ts_fetch_row_version(Relation rel, ItemPointer tid,
								 Snapshot snapshot, TupleTableSlot *slot);

extern bool ts_scan_analyze_next_block(TableScanDesc scan, BlockNumber blockno,
									   BufferAccessStrategy bstrategy);
extern bool ts_scan_analyze_next_tuple(TableScanDesc scan,
									   TransactionId OldestXmin,
									   double *liverows, double *deadrows,
									   TupleTableSlot *slot);

/*
 * Column selection and filters, set by the custom scan right after
 * ts_scan_begin.  A chunk filter sees a chunk's metadata before any of its
 * bytes are read and returns false to skip it.  A row filter sees each batch
 * of rows (a vector of a chunk, or the transaction's unwritten rows), reads
 * the columns it tests through ts_scan_batch_column, sets sel[i] for the rows
 * to keep and returns how many it kept; the other columns are decoded only
 * when it kept some.  A vector filter sees each vector of a chunk before
 * anything of it is decoded, through ts_scan_vector_summary, and returns
 * false to skip it.
 */
struct ChunkMeta;
typedef bool (*TsChunkFilter) (void *arg, const struct ChunkMeta *meta);
typedef int (*TsRowFilter) (void *arg, TableScanDesc scan, int nrows, bool *sel);
typedef bool (*TsVectorFilter) (void *arg, TableScanDesc scan);

typedef struct TsScanCounters
{
	int64		chunks_read;
	int64		chunks_pruned;
	int64		chunks_from_metadata;
	int64		vectors_pruned;
	int64		rows_filtered;
} TsScanCounters;

extern void ts_scan_set_include_deleted(TableScanDesc scan);
extern bool ts_scan_row_deleted(TableScanDesc scan);
extern bool ts_scan_chunk_rows(TableScanDesc scan, uint64 *first, int64 *count);
extern void ts_scan_set_filters(TableScanDesc scan, const bool *read_att,
								TsChunkFilter chunk_filter,
								TsVectorFilter vector_filter,
								TsRowFilter row_filter, void *arg);
/* What the current vector's stored range says about a column (summary.h). */
struct ColumnSummary;
extern int	ts_compare_int64(const void *a, const void *b);
extern void ts_scan_set_vector_probe(TableScanDesc scan, int attidx, Oid typid,
									 int64 value);
extern bool ts_scan_probed_vector(TableScanDesc scan, int64 *first_row,
								  uint32 *vector);
extern bool ts_scan_vector_lacks_value(TableScanDesc sscan, int attidx, Oid typid,
									   int64 value);
extern void ts_scan_vector_summary(TableScanDesc scan, int attidx, Oid typid,
								   struct ColumnSummary *out);
/* What the current vector's bytewise range says about a text column (chunk.h). */
struct ChunkTextBound;
extern bool ts_scan_vector_text_range(TableScanDesc scan, int attidx, bool *has_values,
									  struct ChunkTextBound *min,
									  struct ChunkTextBound *max);
extern int	ts_scan_vector_dictionary(TableScanDesc scan, int attidx,
									  const char ***ptrs, uint32 **lens,
									  bool *has_nulls);
extern void ts_scan_batch_column(TableScanDesc scan, int attidx,
								 Datum **values, bool **isnull);
extern void ts_scan_set_selected_only(TableScanDesc scan);
extern void ts_scan_batch_column_upto(TableScanDesc scan, int attidx, int upto,
									  Datum **values, bool **isnull);
extern int	ts_scan_batch_codes(TableScanDesc scan, int attidx,
								const int32 **codes);
extern const TsScanCounters *ts_scan_counters(TableScanDesc scan);
extern void ts_scan_set_chunk_consumer(TableScanDesc scan, TsChunkFilter consumer,
									   void *arg);
extern int	ts_scan_next_batch(TableScanDesc scan, TupleDesc desc, const bool **sel);
extern void ts_scan_set_parallel(TableScanDesc scan,
								 pg_atomic_uint64 *next_claim);

/*
 * Ordered walks: chunks in ascending order of a key computed from their
 * metadata, ending at the first chunk whose key is above a cutoff that the
 * caller may lower as it goes (the transaction's unwritten rows still come
 * last); optionally each chunk's vectors last to first.
 */
typedef uint64 (*TsChunkKey) (void *arg, const struct ChunkMeta *meta);
extern void ts_scan_set_chunk_order(TableScanDesc scan, TsChunkKey key,
									bool reverse_vectors, void *arg);
extern void ts_scan_set_chunk_cutoff(TableScanDesc scan, uint64 cutoff);

/* Every row of a chunk, by offset from its first row id (compaction). */
extern void ts_chunk_decode_rows(Relation rel, struct ChunkMeta *meta, TupleDesc desc,
								 Datum **values, bool **isnull, int64 *rowids, int64 base);

/* Visible rows and chunk totals of a relation (planner estimates, VACUUM, stats). */
typedef struct TableTotals
{
	int64		rows;
	int64		deleted;		/* rows deleted (ts_table_totals only) */
	int64		chunks;
	int64		inline_chunks;
	int64		bytes;
	int64		raw_bytes;
} TableTotals;

extern void ts_table_totals(Relation rel, Snapshot snapshot, TableTotals *totals);
extern bool ts_table_totals_limited(Relation rel, Snapshot snapshot,
									TableTotals *totals, int64 max_chunks);

#endif							/* TIMESERIES_SCAN_H */
