/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  timeseries.verify(tbl): check a table's chunks and metadata and report
 *	  each problem as a row.
 *
 * For every chunk a fresh snapshot sees, it reads the chunk's bytes (inline
 * or from its page extent) and decodes every vector of every column, which
 * checks the header, the directories and every vector's checksum; checks
 * that the row order is a permutation of the chunk's row ids and that the
 * metadata's row count, per-column minimum, maximum and NULL flags agree
 * with the data.  Then that the chunks' row-id ranges do not overlap, and
 * that every deleted-row record names a row of some chunk (or of the
 * transaction's unwritten rows).  A problem in a
 * chunk is caught in a subtransaction and reported, and the check goes on
 * with the next chunk; a healthy table gives no rows.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/xact.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"

#include "metadata.h"
#include "scan.h"
#include "storage.h"
#include "summary.h"
#include "timeseries.h"
#include "write.h"

PG_FUNCTION_INFO_V1(timeseries_verify);

typedef struct Report
{
	Tuplestorestate *store;
	TupleDesc	desc;
} Report;

static void
report(Report *r, int64 first_row, const char *problem)
{
	Datum		values[2];
	bool		nulls[2] = {false, false};

	values[0] = Int64GetDatum(first_row);
	nulls[0] = first_row < 0;
	values[1] = CStringGetTextDatum(problem);
	tuplestore_putvalues(r->store, r->desc, values, nulls);
}

/*
 * Decode all of one chunk and compare its metadata with the data; raises
 * the first problem found.
 */
static void
verify_chunk(Relation rel, uint64 storage_id, int64 first_row, Snapshot snapshot)
{
	TupleDesc	desc = RelationGetDescr(rel);
	ChunkMeta	meta;
	Datum	  **values;
	bool	  **isnull;

	if (!metadata_find_chunk(storage_id, (uint64) first_row, snapshot, &meta) ||
		meta.first_row != first_row)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("chunk vanished while it was verified")));
	values = palloc(sizeof(Datum *) * Max(desc->natts, 1));
	isnull = palloc(sizeof(bool *) * Max(desc->natts, 1));
	for (int a = 0; a < desc->natts; a++)
	{
		values[a] = palloc_extended(sizeof(Datum) * meta.row_count, MCXT_ALLOC_HUGE);
		isnull[a] = palloc_extended(sizeof(bool) * meta.row_count, MCXT_ALLOC_HUGE);
	}
	ts_chunk_decode_rows(rel, &meta, desc, values, isnull, NULL, 0);

	for (int a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);
		ColumnSummary cs;
		bool		has_nulls = false;
		bool		has_values;
		int64		min = 0;
		int64		max = 0;

		if (att->attisdropped || !summary_type_supported(att->atttypid))
			continue;
		summary_get(meta.summary, (AttrNumber) (a + 1), att->atttypid, &cs);
		if (!cs.known)
			continue;
		for (int i = 0; i < meta.row_count; i++)
			has_nulls |= isnull[a][i];
		has_values = summary_range(att->atttypid, values[a], isnull[a], meta.row_count,
								   &min, &max);
		if (cs.has_values != has_values || cs.has_nulls != has_nulls ||
			(has_values && (cs.min != summary_datum(att->atttypid, min) ||
							cs.max != summary_datum(att->atttypid, max))))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("the metadata's minimum, maximum or NULL flags of column \"%s\" do not match the chunk's data",
							NameStr(att->attname))));
	}
}

/* verify(tbl regclass, OUT first_row bigint, OUT problem text) returns setof record */
Datum
timeseries_verify(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Report		rep;
	Relation	rel;
	uint64		storage_id;
	Snapshot	snapshot;
	ChunkMetaScan *ms;
	ChunkMeta	meta;
	int64	   *firsts = NULL;
	int32	   *counts = NULL;
	int			n = 0;
	int			cap = 0;
	MemoryContext cxt;
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;

	InitMaterializedSRF(fcinfo, 0);
	rep.store = rsinfo->setResult;
	rep.desc = rsinfo->setDesc;

	rel = relation_open(relid, AccessShareLock);
	if (rel->rd_rel->relkind != RELKIND_RELATION || !ts_is_timeseries_rel(rel))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a timeseries table", RelationGetRelationName(rel)),
				 errhint("verify applies to tables created with USING timeseries.")));
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, RelationGetRelationName(rel));
	storage_id = storage_get_id(rel);
	if (storage_id == 0)
	{
		relation_close(rel, AccessShareLock);
		return (Datum) 0;
	}

	/* the chunks, in row-id order; their ranges must not overlap */
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	ms = metadata_begin_scan(storage_id, snapshot);
	while (metadata_next(ms, &meta, false))
	{
		CHECK_FOR_INTERRUPTS();
		if (n == cap)
		{
			cap = Max(64, cap * 2);
			firsts = firsts ? repalloc_huge(firsts, sizeof(int64) * cap) : palloc(sizeof(int64) * cap);
			counts = counts ? repalloc_huge(counts, sizeof(int32) * cap) : palloc(sizeof(int32) * cap);
		}
		if (n > 0 && firsts[n - 1] + counts[n - 1] > meta.first_row)
			report(&rep, meta.first_row, "its row ids overlap those of the chunk before it");
		firsts[n] = meta.first_row;
		counts[n] = meta.row_span;
		n++;
	}
	metadata_end_scan(ms);

	cxt = AllocSetContextCreate(caller, "timeseries verify", ALLOCSET_DEFAULT_SIZES);
	for (int c = 0; c < n; c++)
	{
		CHECK_FOR_INTERRUPTS();
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(cxt);
		PG_TRY();
		{
			verify_chunk(rel, storage_id, firsts[c], snapshot);
			ReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(caller);
			CurrentResourceOwner = owner;
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(caller);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(caller);
			CurrentResourceOwner = owner;
			report(&rep, firsts[c], edata->message);
			FreeErrorData(edata);
		}
		PG_END_TRY();
		MemoryContextReset(cxt);
	}
	MemoryContextDelete(cxt);

	/* every deleted-row record names a row of some chunk */
	{
		RecordScan	rs;
		HeapTuple	tuple;
		int			c = 0;
		CommandId	cid;

		metadata_begin_records(&rs, INTERNAL_DELETED_ROW, storage_id, 0, PG_INT64_MAX,
							   snapshot, AccessShareLock);
		while (HeapTupleIsValid(tuple = metadata_next_record(&rs)))
		{
			int64		rowid = metadata_record_row(tuple);

			CHECK_FOR_INTERRUPTS();
			while (c < n && firsts[c] + counts[c] <= rowid)
				c++;
			if ((c == n || firsts[c] > rowid) &&
				!write_row_cid(rel, storage_id, (uint64) rowid, &cid))
			{
				char	   *msg = psprintf("a deleted-row record names row %lld, which no chunk holds",
										   (long long) rowid);

				report(&rep, -1, msg);
			}
		}
		metadata_end_records(&rs, AccessShareLock);
	}

	UnregisterSnapshot(snapshot);
	relation_close(rel, AccessShareLock);
	return (Datum) 0;
}
