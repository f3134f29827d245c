/*-------------------------------------------------------------------------
 *
 * retention.c
 *	  Retention: timeseries.drop_chunks() and the table option retention,
 *	  which VACUUM applies.
 *
 * drop_chunks(tbl, older_than) deletes exactly the rows whose time column is
 * older than the cutoff (rows with a NULL time stay):
 * - a chunk whose summary shows every time older goes as a whole: its
 *   metadata row is deleted, with the deleted-row and lock records of its
 *   row ids; nothing of it is read or decoded;
 * - in the other chunks that may hold older rows, and among the
 *   transaction's unwritten rows, those rows get delete records, as DELETE
 *   would give them (only the time column is decoded).
 * Both are transactional: a rollback brings the rows back, and older
 * snapshots keep seeing them.  The table is locked in ExclusiveLock mode:
 * reads go on, writers wait.  Like TRUNCATE, it fires no triggers, so a
 * table referenced by a foreign key is refused.  The space of dropped
 * chunks is not reused yet (compaction will).
 *
 * VACUUM (and autovacuum) applies the table's retention option the same
 * way, with now() - retention as the cutoff, when it can take the lock
 * without waiting.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "port/pg_bitutils.h"
#include "utils/timestamp.h"

#include "delete_mask.h"
#include "metadata.h"
#include "options.h"
#include "retention.h"
#include "scan.h"
#include "storage.h"
#include "summary.h"
#include "timeseries.h"

PG_FUNCTION_INFO_V1(timeseries_drop_chunks);

/* What drop_chunks compares with: the time column and the cutoff in its type. */
typedef struct Cutoff
{
	AttrNumber	attno;
	Oid			typid;
	int64		bound;			/* summary_int64 of the oldest value to keep */
} Cutoff;

/*
 * The cutoff in the time column's terms: the smallest value that is not
 * older than the timestamp (for a date, the first day whose midnight, in
 * the session's zone, is not before it).
 */
static bool
make_cutoff(Relation rel, TimestampTz older_than, Cutoff *cut, bool quiet)
{
	TsOptions	opts;
	char	   *column;

	ts_options_get(RelationGetRelid(rel), &opts);
	column = ts_options_time_column(rel, &opts);
	cut->attno = column ? get_attnum(RelationGetRelid(rel), column) : InvalidAttrNumber;
	if (cut->attno == InvalidAttrNumber && quiet)
		return false;
	if (cut->attno == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("table \"%s\" has no time column", RelationGetRelationName(rel)),
				 errhint("Set one with timeseries.set_options(tbl, time_column => ...).")));
	cut->typid = TupleDescAttr(RelationGetDescr(rel), cut->attno - 1)->atttypid;
	switch (cut->typid)
	{
		case TIMESTAMPTZOID:
			cut->bound = older_than;
			break;
		case TIMESTAMPOID:
			cut->bound = DatumGetTimestamp(DirectFunctionCall1(timestamptz_timestamp,
															   TimestampTzGetDatum(older_than)));
			break;
		case DATEOID:
			{
				DateADT		day = DatumGetDateADT(DirectFunctionCall1(timestamptz_date,
																	  TimestampTzGetDatum(older_than)));

				if (DatumGetTimestampTz(DirectFunctionCall1(date_timestamptz,
															DateADTGetDatum(day))) < older_than)
					day++;
				cut->bound = day;
				break;
			}
		default:
			if (quiet)
				return false;
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("drop_chunks needs a time column of type timestamptz, timestamp or date"),
					 errdetail("The time column \"%s\" of table \"%s\" has type %s.",
							   column, RelationGetRelationName(rel),
							   format_type_be(cut->typid)),
					 errhint("Delete the rows with DELETE.")));
	}
	return true;
}

/* Is the table referenced by a foreign key (whose checks drop_chunks would skip)? */
static bool
referenced_by_foreign_key(Relation rel)
{
	Relation	con = table_open(ConstraintRelationId, AccessShareLock);
	SysScanDesc scan = systable_beginscan(con, InvalidOid, false, NULL, 0, NULL);
	HeapTuple	tuple;
	bool		found = false;

	while (!found && HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_constraint c = (Form_pg_constraint) GETSTRUCT(tuple);

		found = c->contype == CONSTRAINT_FOREIGN && c->confrelid == RelationGetRelid(rel);
	}
	systable_endscan(scan);
	table_close(con, AccessShareLock);
	return found;
}

/* A chunk some of whose rows may be older than the cutoff (trim scan filter). */
static bool
chunk_may_hold_older(void *arg, const ChunkMeta *meta)
{
	Cutoff	   *cut = (Cutoff *) arg;
	ColumnSummary cs;

	summary_get(meta->summary, cut->attno, cut->typid, &cs);
	return !cs.known || (cs.has_values && summary_int64(cut->typid, cs.min) < cut->bound);
}

static int64
count_bits(const uint8 *mask, int64 nbits)
{
	return (int64) pg_popcount((const char *) mask, (nbits + 7) / 8);
}

/*
 * Drop the rows older than the cutoff; the caller holds ExclusiveLock.
 * Returns how many rows went.
 */
static int64
drop_older(Relation rel, const Cutoff *cutoff)
{
	uint64		storage_id = storage_get_id(rel);
	Cutoff		cut;
	Snapshot	snapshot;
	ChunkMetaScan *ms;
	ChunkMeta	meta;
	List	   *whole = NIL;
	ListCell   *lc;
	int64		dropped = 0;
	TableScanDesc scan;
	TupleTableSlot *slot;
	bool	   *read_att;
	CommandId	cid;

	cut = *cutoff;
	if (storage_id == 0)
		return 0;

	/* whole chunks: every time older, no NULL time, not our own */
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	ms = metadata_begin_scan(storage_id, snapshot);
	while (metadata_next(ms, &meta, false))
	{
		ColumnSummary cs;

		CHECK_FOR_INTERRUPTS();
		summary_get(meta.summary, cut.attno, cut.typid, &cs);
		if (!meta.own_xact && cs.known && cs.has_values && !cs.has_nulls &&
			summary_int64(cut.typid, cs.max) < cut.bound)
		{
			int64	   *first_row = palloc(sizeof(int64) * 2);
			uint8	   *mask = delete_mask_load(storage_id, meta.first_row,
												meta.row_span, snapshot);

			first_row[0] = meta.first_row;
			first_row[1] = meta.row_span;
			whole = lappend(whole, first_row);
			dropped += meta.row_count - (mask ? count_bits(mask, meta.row_span) : 0);
		}
	}
	metadata_end_scan(ms);
	UnregisterSnapshot(snapshot);
	foreach(lc, whole)
	{
		int64	   *c = (int64 *) lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		metadata_delete_chunk(storage_id, c[0]);
		delete_mask_drop_range(storage_id, c[0], c[0] + c[1] - 1);
	}

	/* the older rows of the other chunks and of our unwritten rows */
	CommandCounterIncrement();
	cid = GetCurrentCommandId(true);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	scan = ts_scan_begin_custom(rel, snapshot);
	read_att = palloc0(sizeof(bool) * RelationGetDescr(rel)->natts);
	read_att[cut.attno - 1] = true;
	ts_scan_set_filters(scan, read_att, chunk_may_hold_older, NULL, NULL, &cut);
	slot = table_slot_create(rel, NULL);
	while (ts_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		value = slot_getattr(slot, cut.attno, &isnull);
		TM_FailureData tmfd;

		CHECK_FOR_INTERRUPTS();
		if (isnull || summary_int64(cut.typid, value) >= cut.bound)
			continue;
		if (delete_row_begin(rel, storage_id, &slot->tts_tid, cid, InvalidSnapshot,
							 true, LockTupleExclusive, &tmfd) != TM_Ok)
			continue;
		delete_row_finish(rel, storage_id, &slot->tts_tid, NO_SUCCESSOR, cid);
		pgstat_count_heap_delete(rel);
		dropped++;
	}
	ExecDropSingleTupleTableSlot(slot);
	ts_scan_end(scan);
	UnregisterSnapshot(snapshot);
	return dropped;
}

/*
 * The cutoff argument of drop_chunks: a timestamptz, timestamp or date, or
 * an interval back from now(); a quoted literal is read as a timestamptz.
 */
static TimestampTz
cutoff_argument(FunctionCallInfo fcinfo)
{
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 1);
	Datum		arg = PG_GETARG_DATUM(1);

	switch (type)
	{
		case TIMESTAMPTZOID:
			return DatumGetTimestampTz(arg);
		case TIMESTAMPOID:
			return DatumGetTimestampTz(DirectFunctionCall1(timestamp_timestamptz, arg));
		case DATEOID:
			return DatumGetTimestampTz(DirectFunctionCall1(date_timestamptz, arg));
		case INTERVALOID:
			return DatumGetTimestampTz(DirectFunctionCall2(timestamptz_mi_interval,
														   TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
														   arg));
		case UNKNOWNOID:
			return DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in, arg,
														   ObjectIdGetDatum(InvalidOid),
														   Int32GetDatum(-1)));
		case TEXTOID:
			return DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
														   CStringGetDatum(TextDatumGetCString(arg)),
														   ObjectIdGetDatum(InvalidOid),
														   Int32GetDatum(-1)));
	}
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("older_than must be a timestamptz, timestamp, date or interval, not %s",
					format_type_be(type)),
			 errhint("Pass a point in time, or an interval back from now().")));
	return 0;
}

/* drop_chunks(tbl regclass, older_than "any") returns bigint */
Datum
timeseries_drop_chunks(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	TimestampTz older_than = cutoff_argument(fcinfo);
	Relation	rel;
	Cutoff		cut;
	int64		dropped;

	rel = ts_open_owned_table(relid, ExclusiveLock, "drop_chunks");
	if (referenced_by_foreign_key(rel))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot drop chunks of table \"%s\": a foreign key references it",
						RelationGetRelationName(rel)),
				 errhint("Delete the rows with DELETE, which checks the foreign key.")));
	PreventCommandIfReadOnly("drop_chunks()");

	make_cutoff(rel, older_than, &cut, false);
	dropped = drop_older(rel, &cut);
	relation_close(rel, NoLock);
	PG_RETURN_INT64(dropped);
}

/*
 * VACUUM: apply the table's retention option, if it has one, its time
 * column has a supported type and the lock can be had at once (autovacuum
 * must not wait for writers).  The caller has made this VACUUM's
 * transaction one that may write (see ts_relation_vacuum).
 */
void
retention_vacuum(Relation rel)
{
	TsOptions	opts;
	TimestampTz older_than;
	Cutoff		cut;

	ts_options_get(RelationGetRelid(rel), &opts);
	if (opts.retention == NULL || referenced_by_foreign_key(rel))
		return;
	older_than = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_mi_interval,
														 TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
														 IntervalPGetDatum(opts.retention)));
	if (!make_cutoff(rel, older_than, &cut, true))
		return;
	if (!ConditionalLockRelation(rel, ExclusiveLock))
		return;
	(void) drop_older(rel, &cut);
}
