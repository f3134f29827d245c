/*-------------------------------------------------------------------------
 *
 * write.c
 *	  Write buffers: rows inserted into timeseries tables are collected per
 *	  relation and subtransaction and written as chunks when a buffer is
 *	  full, when a bulk insert ends, and at commit or PREPARE.
 *
 * Each row gets its row id (hence its ctid) when it is inserted, so indexes,
 * triggers and RETURNING can refer to it while it is still buffered.
 *
 * Visibility inside the writing transaction follows heap semantics:
 *
 *	- a buffered row carries the command id that inserted it; a scan copies
 *	  the buffered rows with cid < snapshot->curcid when it starts, which is
 *	  what heap would show it (INSERT INTO t SELECT * FROM t sees none of its
 *	  own rows, later commands see all earlier ones);
 *	- every chunk records a backend-local flush sequence number; a scan skips
 *	  chunks of its own transaction flushed after it started, because their
 *	  rows were either copied from the buffer or invisible to it;
 *	- a chunk flushed before commit keeps its rows' command ids when they
 *	  differ, so an older snapshot of the same transaction still sees exactly
 *	  the rows it should.
 *
 * Subtransactions: rows always go to the buffer of the current
 * subtransaction.  On subcommit its buffers are handed to the parent; on
 * subabort they are thrown away.  A buffer is only ever written while its
 * owning subtransaction is the current one, so the chunk's metadata row gets
 * the right xid and a rollback to a savepoint removes exactly its rows.
 *
 * Late rows: compaction merges chunks adjacent in row ids, so a row
 * backfilled into an old time range, given the next row id, would be merged
 * with the rows arriving on time around it, and the merged chunk would
 * span from the old time to now: no time range would prune it.  So a row
 * whose time column is older than the *late horizon* (the earliest time of
 * the newest chunk of at least half chunk_rows on-time rows written, kept
 * in the metapage, raised when the chunk's transaction commits and never
 * past the present) takes its row id from the upper half of the id space,
 * through its own buffer: late rows are merged with each other, and the
 * chunks of on-time rows keep narrow time ranges.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/relation.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/proc.h"
#include "utils/datum.h"
#include "utils/date.h"
#include "utils/timestamp.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "chunk.h"
#include "metadata.h"
#include "options.h"
#include "pending.h"
#include "row_order.h"
#include "storage.h"
#include "summary.h"
#include "timeseries.h"
#include "write.h"

typedef struct WriteBuffer
{
	struct WriteBuffer *next;
	Oid			relid;
	uint64		storage_id;
	SubTransactionId subid;
	bool		late;			/* late rows (their own row ids) */
	TupleDesc	desc;			/* the rows' descriptor (a copy) */
	TupleDesc	rel_desc;		/* rd_att it was copied from, to notice changes */
	int			natts;
	int			nrows;
	int			maxrows;
	Datum	  **values;			/* [att][row] */
	bool	  **isnull;
	uint64	   *rowids;
	uint64		range_first;	/* write_rows_as_chunk: the chunk's row-id */
	uint64		range_end;		/* range, when range_end > 0 */
	CommandId  *cids;
	Size		bytes;
	MemoryContext cxt;
	int			opt_chunk_rows;	/* the table's options (0 / -1: the settings') */
	int			opt_compression;
	bool		ordered;		/* the table sets segment_by or order_by */
	AttrNumber	time_attnum;	/* the time column, for the late horizon, or 0 */
	Oid			time_type;
	bool		announce;		/* announce row ids (pending.c) */
	uint64		announced_first;	/* row ids announced last: [first, end) */
	uint64		announced_end;
	uint64		announce_span;	/* length of the next announcement */
	RowOrderSpec *order;		/* how chunks store their rows (built when needed) */
} WriteBuffer;

/* Rows per chunk and compression: the table's options, else the settings. */
#define BUF_CHUNK_ROWS(buf) ((buf)->opt_chunk_rows > 0 ? (buf)->opt_chunk_rows : ts_chunk_rows)
#define BUF_COMPRESSION(buf) ((buf)->opt_compression >= 0 ? (buf)->opt_compression : ts_compression)

/* Newest first.  Lives in TopTransactionContext. */
static WriteBuffer *buffers = NULL;

static int64 next_flush_seq = 1;

/* chunks were written before commit in this transaction */
static bool flushed_in_xact = false;

/*
 * Row ids reserved from a metapage by this backend.  Keyed by relfilenode as
 * well as storage id: storage ids start over when the extension is dropped
 * and created again.
 */
typedef struct RowIdKey
{
	RelFileNode node;
	uint64		storage_id;
	bool		late;			/* from the late rows' part of the id space */
} RowIdKey;

typedef struct RowIdRange
{
	RowIdKey	key;			/* hash key */
	uint64		next;
	uint64		end;
	uint64		grant;
	LocalTransactionId lxid;	/* the transaction that reserved it */
	/* on-time range: the late horizon, read once per transaction */
	LocalTransactionId horizon_lxid;
	AttrNumber	horizon_attnum;
	int64		horizon_before;
} RowIdRange;

static HTAB *rowid_ranges = NULL;

#define FIRST_ROWID_GRANT	1
#define MAX_ROWID_GRANT		(1024 * 1024)

static RowIdRange *
rowid_range(Relation rel, uint64 storage_id, bool late)
{
	RowIdRange *range;
	RowIdKey	key;
	bool		found;

	if (rowid_ranges == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(RowIdKey);
		ctl.entrysize = sizeof(RowIdRange);
		ctl.hcxt = TopMemoryContext;
		rowid_ranges = hash_create("timeseries row id ranges", 16, &ctl,
								   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	memset(&key, 0, sizeof(key));
	key.node = rel->rd_node;
	key.storage_id = storage_id;
	key.late = late;
	range = hash_search(rowid_ranges, &key, HASH_ENTER, &found);
	if (!found)
	{
		range->next = range->end = 0;
		range->grant = 0;
		range->lxid = InvalidLocalTransactionId;
		range->horizon_lxid = InvalidLocalTransactionId;
	}
	return range;
}

static inline uint64
next_rowid(Relation rel, RowIdRange *range)
{
	if (range->next == range->end)
	{
		/*
		 * A transaction that used up its grant is loading in bulk: double it,
		 * so that it reserves rarely.  Otherwise back to one row id: backends
		 * inserting a row per transaction then take their ids in the order
		 * they insert, without gaps.  Compaction merges runs of chunks
		 * adjacent in row ids, so with ranges per backend it stopped at the
		 * ids a backend held but had not used yet, and the merged rows, sorted
		 * by series and time, named their interleaved row ids in an irregular
		 * order that costs bits to store.  One reservation (a metapage update)
		 * per such transaction: 40,000 rows from 4 clients went from 4 chunks
		 * in 0.6 MiB with 64-id ranges to 1 chunk in 0.2 MiB, at 10% fewer
		 * rows per second.
		 */
		range->grant = range->grant == 0 || range->lxid != MyProc->lxid ?
			FIRST_ROWID_GRANT : Min(range->grant * 2, MAX_ROWID_GRANT);
		range->lxid = MyProc->lxid;
		range->next = storage_reserve_rows(rel, range->grant, range->key.late);
		range->end = range->next + range->grant;
	}
	return range->next++;
}

int64
write_next_flush_seq(void)
{
	return next_flush_seq;
}

/* A flush sequence number for a chunk written (or moved) outside a buffer. */
int64
write_take_flush_seq(void)
{
	return next_flush_seq++;
}

/*
 * Does this backend hold rows not yet written?  Parallel workers cannot see
 * them, so queries then run without workers (see planner.c).
 */
bool
write_has_buffered_rows(void)
{
	for (WriteBuffer *buf = buffers; buf != NULL; buf = buf->next)
		if (buf->nrows > 0)
			return true;
	return false;
}

/* (Re)create the empty per-column arrays of a buffer in its context. */
static void
alloc_arrays(WriteBuffer *buf)
{
	buf->values = MemoryContextAllocZero(buf->cxt, sizeof(Datum *) * Max(buf->natts, 1));
	buf->isnull = MemoryContextAllocZero(buf->cxt, sizeof(bool *) * Max(buf->natts, 1));
	buf->rowids = NULL;
	buf->cids = NULL;
	buf->nrows = buf->maxrows = 0;
	buf->bytes = 0;
}

static WriteBuffer *
new_buffer(Relation rel, uint64 storage_id, bool late)
{
	MemoryContext cxt;
	WriteBuffer *buf;
	int			natts = RelationGetDescr(rel)->natts;
	MemoryContext old;

	cxt = AllocSetContextCreate(TopTransactionContext, "timeseries write buffer",
								ALLOCSET_DEFAULT_MINSIZE,
								ALLOCSET_SMALL_INITSIZE,
								8 * 1024 * 1024);
	old = MemoryContextSwitchTo(TopTransactionContext);
	buf = palloc0(sizeof(WriteBuffer));
	buf->cxt = cxt;
	buf->relid = RelationGetRelid(rel);
	buf->storage_id = storage_id;
	buf->subid = GetCurrentSubTransactionId();
	buf->late = late;
	buf->desc = CreateTupleDescCopyConstr(RelationGetDescr(rel));
	buf->rel_desc = RelationGetDescr(rel);
	buf->natts = natts;
	MemoryContextSwitchTo(old);
	ts_options_write_settings(rel, &buf->opt_chunk_rows, &buf->opt_compression,
							  &buf->ordered, &buf->time_attnum, &buf->time_type);
	buf->announce = pending_needed(rel);
	buf->announce_span = 16;
	alloc_arrays(buf);
	buf->next = buffers;
	buffers = buf;
	return buf;
}

static void
resize_arrays(WriteBuffer *buf, int newmax)
{
	for (int a = 0; a < buf->natts; a++)
	{
		if (buf->maxrows == 0)
		{
			buf->values[a] = MemoryContextAlloc(buf->cxt, sizeof(Datum) * newmax);
			buf->isnull[a] = MemoryContextAlloc(buf->cxt, sizeof(bool) * newmax);
		}
		else
		{
			buf->values[a] = repalloc(buf->values[a], sizeof(Datum) * newmax);
			buf->isnull[a] = repalloc(buf->isnull[a], sizeof(bool) * newmax);
		}
	}
	if (buf->maxrows == 0)
	{
		buf->rowids = MemoryContextAlloc(buf->cxt, sizeof(uint64) * newmax);
		buf->cids = MemoryContextAlloc(buf->cxt, sizeof(CommandId) * newmax);
	}
	else
	{
		buf->rowids = repalloc(buf->rowids, sizeof(uint64) * newmax);
		buf->cids = repalloc(buf->cids, sizeof(CommandId) * newmax);
	}
	buf->maxrows = newmax;
}

static void
grow_buffer(WriteBuffer *buf)
{
	int			newmax = buf->maxrows == 0 ? 64 : buf->maxrows * 2;

	resize_arrays(buf, Max(Min(newmax, BUF_CHUNK_ROWS(buf)), buf->nrows + 1));
}

static void
unlink_buffer(WriteBuffer *buf)
{
	WriteBuffer **p;

	for (p = &buffers; *p != NULL; p = &(*p)->next)
	{
		if (*p == buf)
		{
			*p = buf->next;
			break;
		}
	}
	MemoryContextDelete(buf->cxt);
	FreeTupleDesc(buf->desc);
	pfree(buf);
}

/* The buffer's row order from the table's options, allocated in cxt. */
static void
resolve_order(Relation rel, WriteBuffer *buf, MemoryContext cxt)
{
	TsOptions	topts;
	MemoryContext old = MemoryContextSwitchTo(cxt);

	ts_options_get(buf->relid, &topts);
	buf->order = row_order_spec(buf->desc, &topts, ts_options_time_column(rel, &topts));
	buf->ordered = buf->order != NULL;
	MemoryContextSwitchTo(old);
}

/*
 * Late horizons to raise when the transaction commits: the chunks may still
 * be rolled back (a load of dates in 2099 that is rolled back must not make
 * every later row late).  Kept per subtransaction, in TopTransactionContext.
 */
typedef struct PendingHorizon
{
	Oid			relid;
	uint64		storage_id;
	AttrNumber	attnum;
	int64		before;
	SubTransactionId subid;
} PendingHorizon;

static List *pending_horizons = NIL;

static void
note_horizon(WriteBuffer *buf, int64 before)
{
	SubTransactionId subid = GetCurrentSubTransactionId();
	ListCell   *lc;
	PendingHorizon *ph;
	MemoryContext old;

	/* a horizon in the future would make every row arriving on time late */
	if (buf->time_type == TIMESTAMPTZOID || buf->time_type == TIMESTAMPOID)
		before = Min(before, (int64) GetCurrentTimestamp());
	else if (buf->time_type == DATEOID)
		before = Min(before, (int64) GetSQLCurrentDate());

	foreach(lc, pending_horizons)
	{
		ph = lfirst(lc);
		if (ph->relid == buf->relid && ph->storage_id == buf->storage_id &&
			ph->attnum == buf->time_attnum && ph->subid == subid)
		{
			ph->before = Max(ph->before, before);
			return;
		}
	}
	old = MemoryContextSwitchTo(TopTransactionContext);
	ph = palloc(sizeof(PendingHorizon));
	ph->relid = buf->relid;
	ph->storage_id = buf->storage_id;
	ph->attnum = buf->time_attnum;
	ph->before = before;
	ph->subid = subid;
	pending_horizons = lappend(pending_horizons, ph);
	MemoryContextSwitchTo(old);
}

/*
 * A subtransaction ends: its horizons become its parent's, or, rolled back
 * (parent invalid), go with its chunks.
 */
static void
end_subxact_horizons(SubTransactionId subid, SubTransactionId parent)
{
	ListCell   *lc;

	foreach(lc, pending_horizons)
	{
		PendingHorizon *ph = lfirst(lc);

		if (ph->subid != subid)
			continue;
		if (parent != InvalidSubTransactionId)
			ph->subid = parent;
		else
			pending_horizons = foreach_delete_current(pending_horizons, lc);
	}
}

/* At commit: raise the horizons the transaction's chunks set. */
static void
raise_pending_horizons(void)
{
	ListCell   *lc;

	foreach(lc, pending_horizons)
	{
		PendingHorizon *ph = lfirst(lc);
		Relation	rel = try_relation_open(ph->relid, NoLock);

		if (rel == NULL)
			continue;
		if (ts_is_timeseries_rel(rel) && storage_get_id(rel) == ph->storage_id)
			storage_raise_late_horizon(rel, ph->attnum, ph->before);
		relation_close(rel, NoLock);
	}
	pending_horizons = NIL;
}

/*
 * Encode rows [start, end) of the buffer (ascending row ids: contiguous,
 * but for compaction's holes) as one chunk and record it.
 */
static void
write_chunk(Relation rel, WriteBuffer *buf, int start, int end, bool final)
{
	ChunkEncodeOptions opts;
	ChunkMeta	meta;
	char	   *data;
	Size		len;
	uint64		raw_bytes;
	CommandId	mincid = buf->cids[start];
	CommandId	maxcid = buf->cids[start];
	TupleDesc	desc = buf->desc;
	Datum	  **values = buf->values;
	bool	  **isnull = buf->isnull;
	int			first = start;
	int32	   *order;
	int32	   *offsets;
	uint64		base;
	uint64		span;

	for (int i = start + 1; i < end; i++)
	{
		mincid = Min(mincid, buf->cids[i]);
		maxcid = Max(maxcid, buf->cids[i]);
	}

	opts.codec = BUF_COMPRESSION(buf);
	opts.level = ts_compression_level;
	opts.vector_rows = ts_vector_rows;

	/*
	 * Rows sorted by the table's segment_by and order_by options keep their
	 * row ids: the chunk records each stored row's offset (row_order.c).
	 */
	/*
	 * The order is resolved for the first chunk of several rows: one-row
	 * transactions (trickle inserts) never need it.
	 */
	if (buf->ordered && buf->order == NULL && end - start > 1)
	{
		/* with the buffer itself: its own context is reset at every flush */
		resolve_order(rel, buf, TopTransactionContext);
	}
	order = row_order_compute(buf->order, buf->values, buf->isnull, start, end - start);
	base = buf->range_end > 0 ? buf->range_first : buf->rowids[start];
	span = (buf->range_end > 0 ? buf->range_end : buf->rowids[end - 1] + 1) - base;
	if (order)
	{
		values = palloc(sizeof(Datum *) * Max(buf->natts, 1));
		isnull = palloc(sizeof(bool *) * Max(buf->natts, 1));
		for (int a = 0; a < buf->natts; a++)
		{
			values[a] = palloc(sizeof(Datum) * (end - start));
			isnull[a] = palloc(sizeof(bool) * (end - start));
			for (int k = 0; k < end - start; k++)
			{
				values[a][k] = buf->values[a][start + order[k]];
				isnull[a][k] = buf->isnull[a][start + order[k]];
			}
		}
		first = 0;
	}

	/*
	 * Rows with holes between their ids (compaction of chunks VACUUM took
	 * rows out of) are stored with each one's offset from the first.
	 */
	offsets = order;
	if (span != (uint64) (end - start))
	{
		offsets = palloc(sizeof(int32) * (end - start));
		for (int k = 0; k < end - start; k++)
			offsets[k] = (int32) (buf->rowids[start + (order ? order[k] : k)] - base);
	}
	data = chunk_encode(buf->storage_id, (int64) base,
						desc, buf->natts, values, isnull, first,
						end - start, offsets, &opts, &len, &raw_bytes);

	memset(&meta, 0, sizeof(meta));
	meta.storage_id = buf->storage_id;
	meta.first_row = (int64) base;
	meta.row_count = end - start;
	meta.row_span = (int32) span;
	meta.flush_seq = next_flush_seq++;
	meta.byte_count = (int32) len;
	meta.raw_bytes = (int64) raw_bytes;
	if (!final && mincid != maxcid)
	{
		/* in stored order: readers index them by position */
		meta.cids = palloc(sizeof(int32) * (end - start));
		for (int k = 0; k < end - start; k++)
			meta.cids[k] = (int32) buf->cids[start + (order ? order[k] : k)];
	}
	meta.summary = summary_build(desc, buf->natts, buf->values, buf->isnull,
								 start, end - start);
	if (len <= (Size) ts_inline_max_bytes)
	{
		meta.first_block = INLINE_BLOCK;
		meta.data = data;
	}
	else
		meta.first_block = (int32) storage_write_extent(rel, data, len);

	metadata_insert_chunk(&meta, mincid);

	/* a chunk of on-time rows, mostly full: rows older than it are late */
	if (buf->time_attnum > 0 && base < LATE_FIRST_ROW_ID &&
		end - start >= BUF_CHUNK_ROWS(buf) / 2)
	{
		ColumnSummary cs;

		summary_get(meta.summary, buf->time_attnum, buf->time_type, &cs);
		if (cs.known && cs.has_values)
			note_horizon(buf, summary_int64(buf->time_type, cs.min));
	}
}

/*
 * Write all rows of a buffer as chunks (split where row ids are not
 * contiguous) and empty it.  The buffer must belong to the current
 * subtransaction.
 */
static void
flush_buffer(Relation rel, WriteBuffer *buf, bool final)
{
	MemoryContext tmp;
	MemoryContext old;
	int			start = 0;

	Assert(buf->subid == GetCurrentSubTransactionId());
	if (buf->nrows == 0)
		return;
	flushed_in_xact = true;

	tmp = AllocSetContextCreate(CurrentMemoryContext, "timeseries chunk encode",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(tmp);
	while (start < buf->nrows)
	{
		int			end = start + 1;

		while (end < buf->nrows && end - start < BUF_CHUNK_ROWS(buf) &&
			   buf->rowids[end] == buf->rowids[end - 1] + 1)
			end++;
		write_chunk(rel, buf, start, end, final);
		MemoryContextReset(tmp);
		start = end;
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(tmp);

	/* keep the buffer, but release the copied values */
	MemoryContextReset(buf->cxt);
	alloc_arrays(buf);
}

static WriteBuffer *
current_buffer(Relation rel, uint64 storage_id, bool late)
{
	SubTransactionId subid = GetCurrentSubTransactionId();
	Oid			relid = RelationGetRelid(rel);

	for (WriteBuffer *buf = buffers; buf != NULL; buf = buf->next)
	{
		if (buf->relid == relid && buf->storage_id == storage_id &&
			buf->subid == subid && buf->late == late)
		{
			/* the table's columns changed since: write what we have first */
			if (buf->rel_desc != RelationGetDescr(rel))
			{
				if (!equalTupleDescs(buf->desc, RelationGetDescr(rel)))
				{
					flush_buffer(rel, buf, false);
					unlink_buffer(buf);
					break;
				}
				buf->rel_desc = RelationGetDescr(rel);
			}
			return buf;
		}
	}
	return new_buffer(rel, storage_id, late);
}

/* Copy a datum into the buffer's memory, detoasted. */
static Datum
copy_value(Form_pg_attribute att, Datum value, Size *size)
{
	if (att->attbyval)
	{
		*size = att->attlen;
		return value;
	}
	if (att->attlen == -1)
	{
		struct varlena *v = (struct varlena *) DatumGetPointer(value);

		if (VARATT_IS_EXTENDED(v))
			v = detoast_attr(v);
		else
			v = (struct varlena *) DatumGetPointer(datumCopy(value, false, -1));
		*size = VARSIZE(v);
		return PointerGetDatum(v);
	}
	*size = att->attlen > 0 ? att->attlen : strlen(DatumGetCString(value)) + 1;
	return datumCopy(value, false, att->attlen);
}

/*
 * Is the row late (its time older than the late horizon)?  The horizon is
 * read from the metapage once per transaction: a little stale at worst,
 * which only decides where a row near it goes.
 */
static bool
row_is_late(Relation rel, WriteBuffer *buf, RowIdRange *range, TupleTableSlot *slot)
{
	AttrNumber	a = buf->time_attnum;

	if (a <= 0 || slot->tts_isnull[a - 1])
		return false;
	if (range->horizon_lxid != MyProc->lxid)
	{
		storage_get_late_horizon(rel, &range->horizon_attnum, &range->horizon_before);
		range->horizon_lxid = MyProc->lxid;
	}
	return range->horizon_attnum == a &&
		summary_int64(buf->time_type, slot->tts_values[a - 1]) < range->horizon_before;
}

void
write_insert(Relation rel, TupleTableSlot **slots, int nslots, CommandId cid)
{
	uint64		storage_id = storage_get_or_create_id(rel);
	TupleDesc	desc = RelationGetDescr(rel);
	WriteBuffer *ontime_buf = current_buffer(rel, storage_id, false);
	RowIdRange *ontime_range = rowid_range(rel, storage_id, false);
	WriteBuffer *late_buf = NULL;
	RowIdRange *late_range = NULL;

	for (int s = 0; s < nslots; s++)
	{
		TupleTableSlot *slot = slots[s];
		MemoryContext old;
		uint64		rowid;
		int			row;
		WriteBuffer *buf = ontime_buf;
		RowIdRange *range = ontime_range;

		slot_getallattrs(slot);
		if (row_is_late(rel, ontime_buf, ontime_range, slot))
		{
			if (late_buf == NULL)
			{
				late_buf = current_buffer(rel, storage_id, true);
				late_range = rowid_range(rel, storage_id, true);
			}
			buf = late_buf;
			range = late_range;
		}

		if (buf->nrows >= BUF_CHUNK_ROWS(buf) || buf->bytes >= CHUNK_MAX_RAW_BYTES)
			flush_buffer(rel, buf, false);
		if (buf->nrows == buf->maxrows)
			grow_buffer(buf);

		rowid = next_rowid(rel, range);
		row = buf->nrows;

		/* before the row's index entries exist (pending.c) */
		if (buf->announce &&
			(rowid < buf->announced_first || rowid >= buf->announced_end))
		{
			buf->announced_first = rowid;
			buf->announced_end = rowid + pending_span(Min(buf->announce_span,
														  range->end - rowid));
			pending_announce(storage_id, buf->announced_first, buf->announced_end);
			buf->announce_span = Min(buf->announce_span * 4, 65536);
		}

		old = MemoryContextSwitchTo(buf->cxt);
		for (int a = 0; a < buf->natts; a++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, a);

			if (slot->tts_isnull[a] || att->attisdropped)
			{
				buf->isnull[a][row] = true;
				buf->values[a][row] = (Datum) 0;
			}
			else
			{
				Size		size;

				buf->isnull[a][row] = false;
				buf->values[a][row] = copy_value(att, slot->tts_values[a], &size);
				buf->bytes += size;
			}
		}
		MemoryContextSwitchTo(old);

		buf->rowids[row] = rowid;
		buf->cids[row] = cid;
		buf->nrows++;

		rowid_to_tid(rowid, &slot->tts_tid);
		slot->tts_tableOid = RelationGetRelid(rel);
	}
	pgstat_count_heap_insert(rel, nslots);
}

/*
 * Write nrows rows, with the ascending row ids rowids, as one chunk of the
 * relation's current storage, stored in the table's row order (compaction:
 * the rows keep their row ids, so index entries and delete records still
 * find them).  The chunk covers row ids [range_first, range_end), which
 * may hold ids of rows VACUUM took out.  The arrays are the caller's; values
 * are in the relation's descriptor.
 */
void
write_rows_as_chunk(Relation rel, Datum **values, bool **isnull, int nrows,
					const int64 *rowids, int64 range_first, int64 range_end)
{
	WriteBuffer buf;
	CommandId	cid = GetCurrentCommandId(true);

	memset(&buf, 0, sizeof(buf));
	buf.relid = RelationGetRelid(rel);
	buf.storage_id = storage_get_id(rel);
	buf.subid = GetCurrentSubTransactionId();
	buf.desc = RelationGetDescr(rel);
	buf.rel_desc = buf.desc;
	buf.natts = buf.desc->natts;
	buf.nrows = buf.maxrows = nrows;
	buf.values = values;
	buf.isnull = isnull;
	buf.range_first = (uint64) range_first;
	buf.range_end = (uint64) range_end;
	buf.rowids = palloc(sizeof(uint64) * nrows);
	buf.cids = palloc(sizeof(CommandId) * nrows);
	for (int i = 0; i < nrows; i++)
	{
		buf.rowids[i] = (uint64) rowids[i];
		buf.cids[i] = cid;
	}
	buf.cxt = CurrentMemoryContext;
	ts_options_write_settings(rel, &buf.opt_chunk_rows, &buf.opt_compression,
							  &buf.ordered, &buf.time_attnum, &buf.time_type);
	/* here, not in TopTransactionContext: VACUUM writes many such chunks */
	if (buf.ordered && nrows > 1)
		resolve_order(rel, &buf, CurrentMemoryContext);
	write_chunk(rel, &buf, 0, nrows, true);
	pfree(buf.rowids);
	pfree(buf.cids);
}

/*
 * Write the current subtransaction's buffered rows of a relation (end of a
 * bulk insert: COPY, CREATE TABLE AS, table rewrites).
 */
void
write_flush_relation(Relation rel)
{
	SubTransactionId subid = GetCurrentSubTransactionId();
	Oid			relid = RelationGetRelid(rel);
	uint64		storage_id = storage_get_id(rel);

	for (WriteBuffer *buf = buffers; buf != NULL; buf = buf->next)
	{
		if (buf->relid == relid && buf->subid == subid &&
			buf->storage_id == storage_id)
			flush_buffer(rel, buf, false);
	}
}

/*
 * Whether unwritten rows of rel's current storage are left (in enclosing
 * subtransactions'); those of a storage TRUNCATE replaced are not written.
 */
bool
write_relation_has_buffered_rows(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	uint64		storage_id = storage_get_id(rel);

	for (WriteBuffer *buf = buffers; buf != NULL; buf = buf->next)
		if (buf->relid == relid && buf->storage_id == storage_id && buf->nrows > 0)
			return true;
	return false;
}

/*
 * Take one unwritten row back out (a speculative insertion that found a
 * conflict).
 */
void
write_discard_row(Relation rel, uint64 rowid)
{
	Oid			relid = RelationGetRelid(rel);

	for (WriteBuffer *buf = buffers; buf != NULL; buf = buf->next)
	{
		if (buf->relid != relid)
			continue;
		for (int i = buf->nrows - 1; i >= 0; i--)
		{
			if (buf->rowids[i] != rowid)
				continue;
			for (int a = 0; a < buf->natts; a++)
			{
				memmove(&buf->values[a][i], &buf->values[a][i + 1],
						sizeof(Datum) * (buf->nrows - i - 1));
				memmove(&buf->isnull[a][i], &buf->isnull[a][i + 1],
						sizeof(bool) * (buf->nrows - i - 1));
			}
			memmove(&buf->rowids[i], &buf->rowids[i + 1], sizeof(uint64) * (buf->nrows - i - 1));
			memmove(&buf->cids[i], &buf->cids[i + 1], sizeof(CommandId) * (buf->nrows - i - 1));
			buf->nrows--;
			return;
		}
	}
	elog(ERROR, "timeseries: row %llu to take back is not in a write buffer",
		 (unsigned long long) rowid);
}

/*
 * Throw away the buffered rows of one storage of a relation (a TRUNCATE of a
 * relfilenode created in this subtransaction).  Buffers of other storage ids
 * belong to relfilenodes a rollback may bring back.
 */
void
write_discard_storage(Oid relid, uint64 storage_id)
{
	WriteBuffer *buf = buffers;

	while (buf != NULL)
	{
		WriteBuffer *next = buf->next;

		if (buf->relid == relid && buf->storage_id == storage_id)
			unlink_buffer(buf);
		buf = next;
	}
}

static inline bool
row_visible(WriteBuffer *buf, int row, Snapshot snapshot)
{
	return !IsMVCCSnapshot(snapshot) || buf->cids[row] < snapshot->curcid;
}

/*
 * Value of attribute a (of the reader's descriptor) for buffered row i: the
 * buffered value, or the attribute's missing value for a column added since.
 */
static inline Datum
buffered_value(WriteBuffer *buf, TupleDesc target, int a, int i, bool *isnull)
{
	if (TupleDescAttr(target, a)->attisdropped)
	{
		*isnull = true;
		return (Datum) 0;
	}
	if (a >= buf->natts)
		return getmissingattr(target, a + 1, isnull);
	*isnull = buf->isnull[a][i];
	return buf->values[a][i];
}

/*
 * Copy the buffered rows of a relation that the snapshot sees, for a scan
 * whose slots use descriptor target (during a table rewrite, that is the
 * descriptor the rows were written with, not the relation's new one).
 */
BufferedRows *
write_buffered_rows(Relation rel, uint64 storage_id, Snapshot snapshot,
					TupleDesc target)
{
	Oid			relid = RelationGetRelid(rel);
	BufferedRows *rows;
	int			total = 0;
	int			n = 0;

	for (WriteBuffer *buf = buffers; buf != NULL; buf = buf->next)
	{
		if (buf->relid != relid || buf->storage_id != storage_id)
			continue;
		for (int i = 0; i < buf->nrows; i++)
			if (row_visible(buf, i, snapshot))
				total++;
	}
	if (total == 0)
		return NULL;

	rows = palloc0(sizeof(BufferedRows));
	rows->natts = target->natts;
	rows->values = palloc(sizeof(Datum *) * Max(target->natts, 1));
	rows->isnull = palloc(sizeof(bool *) * Max(target->natts, 1));
	for (int a = 0; a < target->natts; a++)
	{
		rows->values[a] = palloc_extended(sizeof(Datum) * total, MCXT_ALLOC_HUGE);
		rows->isnull[a] = palloc_extended(sizeof(bool) * total, MCXT_ALLOC_HUGE);
	}
	rows->rowids = palloc_extended(sizeof(uint64) * total, MCXT_ALLOC_HUGE);

	for (WriteBuffer *buf = buffers; buf != NULL; buf = buf->next)
	{
		if (buf->relid != relid || buf->storage_id != storage_id)
			continue;
		for (int i = 0; i < buf->nrows; i++)
		{
			if (!row_visible(buf, i, snapshot))
				continue;
			for (int a = 0; a < target->natts; a++)
			{
				bool		isnull;
				Datum		value = buffered_value(buf, target, a, i, &isnull);

				rows->isnull[a][n] = isnull;
				if (isnull)
					rows->values[a][n] = (Datum) 0;
				else if (a < buf->natts)
				{
					Form_pg_attribute att = TupleDescAttr(buf->desc, a);

					rows->values[a][n] = datumCopy(value, att->attbyval, att->attlen);
				}
				else
					rows->values[a][n] = value;
			}
			rows->rowids[n] = buf->rowids[i];
			n++;
		}
	}
	rows->nrows = n;
	return rows;
}

/* The buffer and position of an unwritten row of ours, if it is one. */
static bool
find_buffered(Relation rel, uint64 storage_id, uint64 rowid, WriteBuffer **found,
			  int *row)
{
	Oid			relid = RelationGetRelid(rel);

	for (WriteBuffer *buf = buffers; buf != NULL; buf = buf->next)
	{
		int			lo = 0;
		int			hi;

		if (buf->relid != relid || buf->storage_id != storage_id ||
			buf->nrows == 0 || rowid < buf->rowids[0] ||
			rowid > buf->rowids[buf->nrows - 1])
			continue;
		/* row ids ascend within a buffer */
		hi = buf->nrows - 1;
		while (lo < hi)
		{
			int			mid = (lo + hi) / 2;

			if (buf->rowids[mid] < rowid)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (buf->rowids[lo] != rowid)
			continue;
		*found = buf;
		*row = lo;
		return true;
	}
	return false;
}

bool
write_fetch_row(Relation rel, uint64 storage_id, uint64 rowid,
				Snapshot snapshot, TupleTableSlot *slot)
{
	TupleDesc	target = slot->tts_tupleDescriptor;
	WriteBuffer *buf;
	int			row;

	if (!find_buffered(rel, storage_id, rowid, &buf, &row) ||
		!row_visible(buf, row, snapshot))
		return false;

	ExecClearTuple(slot);
	for (int a = 0; a < target->natts; a++)
		slot->tts_values[a] = buffered_value(buf, target, a, row,
											 &slot->tts_isnull[a]);
	ExecStoreVirtualTuple(slot);
	/* the buffer may be flushed while the caller still holds the slot */
	ExecMaterializeSlot(slot);
	slot->tts_tableOid = RelationGetRelid(rel);
	rowid_to_tid(rowid, &slot->tts_tid);
	return true;
}

/* The command that inserted an unwritten row of ours, if it is one. */
bool
write_row_cid(Relation rel, uint64 storage_id, uint64 rowid, CommandId *cid)
{
	WriteBuffer *buf;
	int			row;

	if (!find_buffered(rel, storage_id, rowid, &buf, &row))
		return false;
	*cid = buf->cids[row];
	return true;
}

/* Has this transaction written chunks before commit? */
bool
write_flushed_in_xact(void)
{
	return flushed_in_xact;
}

/* Write every buffer at commit or PREPARE. */
static void
flush_all(void)
{
	while (buffers != NULL)
	{
		WriteBuffer *buf = buffers;
		Relation	rel;

		/*
		 * Skip rows of a relation dropped since, changed to another access
		 * method, or whose relfilenode a TRUNCATE replaced.
		 */
		rel = try_relation_open(buf->relid, NoLock);
		if (rel != NULL)
		{
			if (ts_is_timeseries_rel(rel) && buf->nrows > 0 &&
				storage_get_id(rel) == buf->storage_id)
				flush_buffer(rel, buf, true);
			relation_close(rel, NoLock);
		}
		unlink_buffer(buf);
	}
	pending_forget();
}

static void
write_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			flush_all();
			raise_pending_horizons();
			break;
		case XACT_EVENT_PRE_PREPARE:
			/* a prepared transaction may still roll back: no horizon */
			flush_all();
			pending_horizons = NIL;
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			/* the memory goes with TopTransactionContext */
			buffers = NULL;
			pending_horizons = NIL;
			flushed_in_xact = false;
			break;
		default:
			break;
	}
}

/*
 * A committed subtransaction's buffer goes to its parent: appended to the
 * parent's buffer of the same relation and storage when there is one (the
 * child's rows have the larger row ids, so the order stays ascending), so
 * that loops of subtransactions do not pile up buffers and one-row chunks.
 */
/* The parent's buffer a committing child's buffer merges into, if any. */
static WriteBuffer *
parent_buffer(WriteBuffer *child, SubTransactionId parentSubid)
{
	for (WriteBuffer *b = buffers; b != NULL; b = b->next)
	{
		if (b != child && b->subid == parentSubid && b->relid == child->relid &&
			b->storage_id == child->storage_id && b->late == child->late &&
			equalTupleDescs(b->desc, child->desc))
			return b;
	}
	return NULL;
}

static void
hand_to_parent(WriteBuffer *child, SubTransactionId parentSubid)
{
	WriteBuffer *parent = parent_buffer(child, parentSubid);

	if (parent == NULL || child->nrows == 0)
	{
		if (child->nrows == 0)
			unlink_buffer(child);
		else
			child->subid = parentSubid;
		return;
	}

	if (parent->maxrows < parent->nrows + child->nrows)
	{
		/* may exceed chunk_rows: flush_buffer cuts chunks of chunk_rows */
		int			newmax = Max(parent->nrows + child->nrows, parent->maxrows * 2);

		resize_arrays(parent, newmax);
	}
	for (int a = 0; a < parent->natts; a++)
	{
		memcpy(parent->values[a] + parent->nrows, child->values[a],
			   sizeof(Datum) * child->nrows);
		memcpy(parent->isnull[a] + parent->nrows, child->isnull[a],
			   sizeof(bool) * child->nrows);
	}
	memcpy(parent->rowids + parent->nrows, child->rowids, sizeof(uint64) * child->nrows);
	memcpy(parent->cids + parent->nrows, child->cids, sizeof(CommandId) * child->nrows);

	/* copy the pass-by-reference values: the child's memory goes away */
	for (int a = 0; a < parent->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(parent->desc, a);
		MemoryContext old;

		if (att->attbyval)
			continue;
		old = MemoryContextSwitchTo(parent->cxt);
		for (int i = parent->nrows; i < parent->nrows + child->nrows; i++)
			if (!parent->isnull[a][i])
				parent->values[a][i] = datumCopy(parent->values[a][i], false, att->attlen);
		MemoryContextSwitchTo(old);
	}
	parent->nrows += child->nrows;
	parent->bytes += child->bytes;
	unlink_buffer(child);
}

static void
write_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					   SubTransactionId parentSubid, void *arg)
{
	WriteBuffer *buf = buffers;

	switch (event)
	{
		case SUBXACT_EVENT_PRE_COMMIT_SUB:

			/*
			 * A parent never flushes while a child runs, so a loop of
			 * subtransactions (PL/pgSQL exception blocks) would pile rows up
			 * in the parent's buffer.  Once the parent's buffer would pass a
			 * chunk, the child writes its own rows now, under its own xid,
			 * which commits exactly when the parent does.
			 */
			for (; buf != NULL; buf = buf->next)
			{
				WriteBuffer *parent;

				if (buf->subid != mySubid || buf->nrows == 0)
					continue;
				parent = parent_buffer(buf, parentSubid);
				if (parent != NULL && parent->nrows + buf->nrows > BUF_CHUNK_ROWS(parent))
				{
					Relation	rel = try_relation_open(buf->relid, NoLock);

					if (rel != NULL)
					{
						if (ts_is_timeseries_rel(rel) &&
							storage_get_id(rel) == buf->storage_id)
							flush_buffer(rel, buf, false);
						relation_close(rel, NoLock);
					}
				}
			}
			break;
		case SUBXACT_EVENT_COMMIT_SUB:
			while (buf != NULL)
			{
				WriteBuffer *next = buf->next;

				if (buf->subid == mySubid)
					hand_to_parent(buf, parentSubid);
				buf = next;
			}
			end_subxact_horizons(mySubid, parentSubid);
			break;
		case SUBXACT_EVENT_ABORT_SUB:
			while (buf != NULL)
			{
				WriteBuffer *next = buf->next;

				if (buf->subid == mySubid)
					unlink_buffer(buf);
				buf = next;
			}
			end_subxact_horizons(mySubid, InvalidSubTransactionId);
			break;
		default:
			break;
	}
}

void
write_init(void)
{
	RegisterXactCallback(write_xact_callback, NULL);
	RegisterSubXactCallback(write_subxact_callback, NULL);
}
