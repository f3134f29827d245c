/*-------------------------------------------------------------------------
 *
 * options.c
 *	  Per-table options: timeseries.set_options(), reset_options() and
 *	  table_options(), stored in timeseries_internal.options.
 *
 * One row per table, keyed by its regclass (so pg_dump writes the table's
 * name, and the row finds the restored table); NULL means "the default".
 * The table is an extension configuration table, so dumps carry its rows;
 * PUBLIC has no access to it, and these functions write it with the heap
 * API after checking that the caller owns the table, as ALTER TABLE does.
 * Columns are kept by name, which survives a dump and restore (attribute
 * numbers do not: a restored table has no dropped columns).
 *
 * The write path caches a table's chunk_rows and compression per backend,
 * invalidated through the relcache (set_options and reset_options send an
 * invalidation for the table).  Dropping a table deletes its row
 * (tableam.c's object-access hook).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "access/xact.h"
#include "commands/defrem.h"
#include "commands/trigger.h"
#include "funcapi.h"
#include "nodes/parsenodes.h"
#include "parser/scansup.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/formatting.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "codec.h"
#include "compact.h"
#include "custom_scan.h"
#include "options.h"
#include "timeseries.h"

PG_FUNCTION_INFO_V1(timeseries_set_options);
PG_FUNCTION_INFO_V1(timeseries_reset_options);
PG_FUNCTION_INFO_V1(timeseries_table_options);

enum
{
	Anum_options_relid = 1,
	Anum_options_time_column,
	Anum_options_segment_by,
	Anum_options_order_by,
	Anum_options_chunk_rows,
	Anum_options_compression,
	Anum_options_retention,
	Natts_options = Anum_options_retention
};

/* What set_options accepts for compression, as the GUC spells it. */
static const struct
{
	const char *name;
	int			codec;
}			compression_names[] = {
	{"zstd", CODEC_ZSTD}, {"lz4", CODEC_LZ4}, {"none", CODEC_NONE}
};

static bool
options_oids(Oid *heapoid, Oid *indexoid)
{
	Oid			nsp = get_namespace_oid("timeseries_internal", true);

	if (!OidIsValid(nsp))
		return false;
	*heapoid = get_relname_relid("options", nsp);
	*indexoid = get_relname_relid("options_pkey", nsp);
	return OidIsValid(*heapoid) && OidIsValid(*indexoid);
}

/* The row of relid (copied into the current context), or NULL. */
static HeapTuple
fetch_row(Relation heap, Relation index, Oid relid)
{
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	HeapTuple	copy = NULL;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(heap, RelationGetRelid(index), true, NULL, 1, &key);
	if (HeapTupleIsValid(tuple = systable_getnext(scan)))
		copy = heap_copytuple(tuple);
	systable_endscan(scan);
	return copy;
}

static void
delete_row(Relation heap, Relation index, Oid relid)
{
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(heap, RelationGetRelid(index), true, NULL, 1, &key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		simple_heap_delete(heap, &tuple->t_self);
	systable_endscan(scan);
}

/* Replace the table's options row (if any) with values/nulls. */
static void
replace_row(Relation heap, Relation index, Oid relid, Datum *values, bool *nulls)
{
	HeapTuple	tuple;
	Datum		ivalue = ObjectIdGetDatum(relid);
	bool		inull = false;

	delete_row(heap, index, relid);
	tuple = heap_form_tuple(RelationGetDescr(heap), values, nulls);
	simple_heap_insert(heap, tuple);
	index_insert(index, &ivalue, &inull, &tuple->t_self, heap, UNIQUE_CHECK_YES,
				 false, BuildIndexInfo(index));
	CommandCounterIncrement();
}

/* The elements of a name[] (segment_by); returns how many. */
static int
name_array(Datum array, Datum **elems, bool **nulls)
{
	int			n;

	deconstruct_array(DatumGetArrayTypeP(array), NAMEOID, NAMEDATALEN, false,
					  TYPALIGN_CHAR, elems, nulls, &n);
	return n;
}

/* A name Datum of a string. */
static Datum
name_datum(const char *str)
{
	Name		n = palloc0(NAMEDATALEN);

	namestrcpy(n, str);
	return NameGetDatum(n);
}

static void
row_to_options(Relation heap, HeapTuple tuple, TsOptions *opts)
{
	Datum		values[Natts_options];
	bool		nulls[Natts_options];

	heap_deform_tuple(tuple, RelationGetDescr(heap), values, nulls);
	if (!nulls[Anum_options_time_column - 1])
		opts->time_column = pstrdup(NameStr(*DatumGetName(values[Anum_options_time_column - 1])));
	if (!nulls[Anum_options_segment_by - 1])
	{
		Datum	   *elems;
		bool	   *enulls;
		int			n;

		n = name_array(values[Anum_options_segment_by - 1], &elems, &enulls);
		opts->segment_by = palloc(sizeof(char *) * Max(n, 1));
		for (int i = 0; i < n; i++)
			if (!enulls[i])
				opts->segment_by[opts->nsegment_by++] =
					pstrdup(NameStr(*DatumGetName(elems[i])));
		opts->has_segment_by = true;
	}
	if (!nulls[Anum_options_order_by - 1])
		opts->order_by = TextDatumGetCString(values[Anum_options_order_by - 1]);
	if (!nulls[Anum_options_chunk_rows - 1])
		opts->chunk_rows = DatumGetInt32(values[Anum_options_chunk_rows - 1]);
	if (!nulls[Anum_options_compression - 1])
	{
		char	   *c = TextDatumGetCString(values[Anum_options_compression - 1]);

		for (int i = 0; i < lengthof(compression_names); i++)
			if (strcmp(c, compression_names[i].name) == 0)
				opts->compression = compression_names[i].codec;
	}
	if (!nulls[Anum_options_retention - 1])
		opts->retention = DatumGetIntervalP(datumCopy(values[Anum_options_retention - 1],
													  false, sizeof(Interval)));
}

/*
 * The table a transient relation is rewriting, or InvalidOid.  Table
 * rewrites (ALTER COLUMN TYPE, ALTER TABLE ... SET ACCESS METHOD) write the
 * rows into a new relation named pg_temp_<oid of the table>, in the table's
 * schema, whose file then becomes the table's: its chunks follow the
 * table's options.
 */
static Oid
rewrite_source(Oid relid)
{
	char	   *name = get_rel_name(relid);
	unsigned int source;
	char		extra;

	if (name == NULL || sscanf(name, "pg_temp_%u%c", &source, &extra) != 1 ||
		source == relid || get_rel_namespace(source) != get_rel_namespace(relid))
		return InvalidOid;
	return (Oid) source;
}

void
ts_options_get(Oid relid, TsOptions *opts)
{
	Oid			heapoid;
	Oid			indexoid;
	Relation	heap;
	Relation	index;
	HeapTuple	tuple;

	memset(opts, 0, sizeof(TsOptions));
	opts->compression = -1;
	if (!options_oids(&heapoid, &indexoid))
		return;
	heap = table_open(heapoid, AccessShareLock);
	index = index_open(indexoid, AccessShareLock);
	tuple = fetch_row(heap, index, relid);
	if (tuple == NULL && OidIsValid(relid = rewrite_source(relid)))
		tuple = fetch_row(heap, index, relid);
	if (tuple)
		row_to_options(heap, tuple, opts);
	index_close(index, AccessShareLock);
	table_close(heap, AccessShareLock);
}

/*
 * The write path's settings of a table, cached per backend: set_options and
 * reset_options send a relcache invalidation for the table, which drops the
 * entry here (and in every other backend when they commit).
 */
typedef struct WriteSettings
{
	Oid			relid;
	int			chunk_rows;
	int			compression;
	bool		ordered;		/* segment_by or order_by is set */
	AttrNumber	time_attnum;	/* an integer-like time column, or 0 */
	Oid			time_type;
} WriteSettings;

static HTAB *write_settings = NULL;

static void
invalidate_write_settings(Datum arg, Oid relid)
{
	if (write_settings == NULL)
		return;
	if (!OidIsValid(relid))
	{
		HASH_SEQ_STATUS status;
		WriteSettings *ws;

		hash_seq_init(&status, write_settings);
		while ((ws = hash_seq_search(&status)) != NULL)
			hash_search(write_settings, &ws->relid, HASH_REMOVE, NULL);
	}
	else
		hash_search(write_settings, &relid, HASH_REMOVE, NULL);
}

void
ts_options_write_settings(Relation rel, int *chunk_rows, int *compression,
						  bool *ordered, AttrNumber *time_attnum, Oid *time_type)
{
	Oid			relid = RelationGetRelid(rel);
	WriteSettings *ws;
	bool		found;

	if (write_settings == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(WriteSettings);
		ctl.hcxt = CacheMemoryContext;
		write_settings = hash_create("timeseries write settings", 64, &ctl,
									 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		CacheRegisterRelcacheCallback(invalidate_write_settings, (Datum) 0);
	}
	ws = hash_search(write_settings, &relid, HASH_FIND, NULL);
	if (ws == NULL)
	{
		TsOptions	opts;
		char	   *time_column;
		AttrNumber	attnum = InvalidAttrNumber;
		Oid			type = InvalidOid;

		/* read first: reading may process invalidations */
		ts_options_get(relid, &opts);
		time_column = ts_options_time_column(rel, &opts);
		if (time_column)
		{
			attnum = get_attnum(relid, time_column);
			type = attnum > 0 ? TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid :
				InvalidOid;
			if (!ts_is_time_type(type))
				attnum = InvalidAttrNumber;
		}
		ws = hash_search(write_settings, &relid, HASH_ENTER, &found);
		ws->chunk_rows = opts.chunk_rows;
		ws->compression = opts.compression;
		ws->ordered = opts.nsegment_by > 0 || opts.order_by != NULL;
		ws->time_attnum = attnum;
		ws->time_type = attnum > 0 ? type : InvalidOid;
	}
	*chunk_rows = ws->chunk_rows;
	*compression = ws->compression;
	*ordered = ws->ordered;
	if (time_attnum)
		*time_attnum = ws->time_attnum;
	if (time_type)
		*time_type = ws->time_type;
}

void
ts_options_delete(Oid relid)
{
	Oid			heapoid;
	Oid			indexoid;
	Relation	heap;
	Relation	index;

	if (!options_oids(&heapoid, &indexoid))
		return;
	heap = table_open(heapoid, RowExclusiveLock);
	index = index_open(indexoid, RowExclusiveLock);
	delete_row(heap, index, relid);
	index_close(index, RowExclusiveLock);
	table_close(heap, RowExclusiveLock);
}

/* ---------- validation ---------- */

/* A column that rows can be sorted by (segment_by, order_by), or an error. */
static void
require_sortable(Relation rel, AttrNumber attno, const char *option)
{
	Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), attno - 1);
	TypeCacheEntry *tce = lookup_type_cache(att->atttypid, TYPECACHE_LT_OPR);

	if (!OidIsValid(tce->lt_opr))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("column \"%s\" named in %s has type %s, which has no ordering",
						NameStr(att->attname), option, format_type_be(att->atttypid)),
				 errhint("Name columns whose type has a default btree operator class.")));
}

/*
 * The columns of rel, "a, b, c" (the first ten, then "..."); only those of
 * time types when time_only.
 */
static char *
column_list(Relation rel, bool time_only)
{
	TupleDesc	desc = RelationGetDescr(rel);
	StringInfoData buf;
	int			n = 0;

	initStringInfo(&buf);
	for (int a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);

		if (att->attisdropped || (time_only && !ts_is_time_type(att->atttypid)))
			continue;
		if (n++ == 10)
		{
			appendStringInfoString(&buf, ", ...");
			break;
		}
		appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "",
						 quote_identifier(NameStr(att->attname)));
	}
	return buf.data;
}

/*
 * An existing column of rel, or an error naming the option.  The hint names
 * a column that differs only in case (names are taken as written), or else
 * the table's columns.
 */
static AttrNumber
require_column(Relation rel, const char *name, const char *option)
{
	AttrNumber	attno = get_attnum(RelationGetRelid(rel), name);
	TupleDesc	desc = RelationGetDescr(rel);
	const char *similar = NULL;

	if (attno > 0)
		return attno;
	for (int a = 0; a < desc->natts && similar == NULL; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);

		if (!att->attisdropped && pg_strcasecmp(NameStr(att->attname), name) == 0)
			similar = NameStr(att->attname);
	}
	if (similar)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" named in %s does not exist in table \"%s\"",
						name, option, RelationGetRelationName(rel)),
				 errhint("Column names are case-sensitive here: did you mean \"%s\"?", similar)));
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("column \"%s\" named in %s does not exist in table \"%s\"",
					name, option, RelationGetRelationName(rel)),
			 errhint("The columns of \"%s\" are: %s.", RelationGetRelationName(rel),
					 column_list(rel, false))));
	return InvalidAttrNumber;	/* keep the compiler quiet */
}

/*
 * The time column: the option, or the first column of type timestamptz,
 * timestamp or date; NULL when there is none.
 */
char *
ts_options_time_column(Relation rel, const TsOptions *opts)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (opts->time_column)
		return opts->time_column;
	for (int a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);

		if (!att->attisdropped &&
			(att->atttypid == TIMESTAMPTZOID || att->atttypid == TIMESTAMPOID ||
			 att->atttypid == DATEOID))
			return NameStr(att->attname);
	}
	return NULL;
}

/*
 * The next token of an order_by list at *p: a comma, a quoted identifier,
 * or a word (down-cased, as an unquoted identifier); NULL at the end.  An
 * unterminated quote sets *bad.
 */
static char *
next_token(const char **p, bool *bad)
{
	const char *s = *p;
	const char *start;

	while (isspace((unsigned char) *s))
		s++;
	if (*s == '\0')
	{
		*p = s;
		return NULL;
	}
	if (*s == ',')
	{
		*p = s + 1;
		return pstrdup(",");
	}
	if (*s == '"')
	{
		StringInfoData buf;

		initStringInfo(&buf);
		for (s++;; s++)
		{
			if (*s == '\0')
			{
				*bad = true;
				return NULL;
			}
			if (*s == '"')
			{
				if (s[1] != '"')
					break;
				s++;
			}
			appendStringInfoChar(&buf, *s);
		}
		*p = s + 1;
		return buf.data;
	}
	start = s;
	while (*s != '\0' && !isspace((unsigned char) *s) && *s != ',' && *s != '"')
		s++;
	*p = s;
	return downcase_truncate_identifier(start, s - start, false);
}

/*
 * Parse an order_by list, "col [ASC | DESC] [NULLS FIRST | NULLS LAST], ...",
 * into OrderByItems; NIL when it does not parse.
 */
List *
ts_options_parse_order_by(const char *spec)
{
	List	   *items = NIL;
	const char *p = spec;
	bool		bad = false;
	char	   *tok;

	tok = next_token(&p, &bad);
	while (tok != NULL && !bad)
	{
		OrderByItem *item = palloc0(sizeof(OrderByItem));

		if (strcmp(tok, ",") == 0)
			return NIL;
		item->column = tok;
		while ((tok = next_token(&p, &bad)) != NULL && strcmp(tok, ",") != 0)
		{
			if (strcmp(tok, "asc") == 0)
				item->desc = false;
			else if (strcmp(tok, "desc") == 0)
				item->desc = true;
			else if (strcmp(tok, "nulls") == 0 &&
					 (tok = next_token(&p, &bad)) != NULL &&
					 (strcmp(tok, "first") == 0 || strcmp(tok, "last") == 0))
				item->nulls = strcmp(tok, "first") == 0 ? 1 : 2;
			else
				return NIL;
		}
		items = lappend(items, item);
		if (tok != NULL)		/* a comma: another column must follow */
		{
			tok = next_token(&p, &bad);
			if (tok == NULL)
				return NIL;
		}
	}
	return bad ? NIL : items;
}

/* Check an order_by list against the table and return it normalized. */
static char *
normalize_order_by(Relation rel, const char *spec)
{
	List	   *items = ts_options_parse_order_by(spec);
	StringInfoData out;
	ListCell   *lc;

	if (items == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid order_by \"%s\"", spec),
				 errhint("Write a list of columns, each optionally followed by ASC or DESC and NULLS FIRST or NULLS LAST, e.g. 'time DESC'.")));
	initStringInfo(&out);
	foreach(lc, items)
	{
		OrderByItem *item = lfirst(lc);

		require_sortable(rel, require_column(rel, item->column, "order_by"), "order_by");
		appendStringInfo(&out, "%s%s%s%s", out.len > 0 ? ", " : "",
						 quote_identifier(item->column), item->desc ? " DESC" : "",
						 item->nulls == 1 ? " NULLS FIRST" :
						 item->nulls == 2 ? " NULLS LAST" : "");
	}
	return out.data;
}

/*
 * Follow a column rename in the table's options (time_column, segment_by,
 * order_by keep naming the same column).  Called after the rename.
 */
void
ts_options_rename_column(Relation rel, const char *oldname, const char *newname)
{
	Oid			relid = RelationGetRelid(rel);
	Oid			heapoid;
	Oid			indexoid;
	Relation	heap;
	Relation	index;
	HeapTuple	old;
	Datum		values[Natts_options];
	bool		nulls[Natts_options];
	bool		changed = false;

	if (!options_oids(&heapoid, &indexoid))
		return;
	heap = table_open(heapoid, RowExclusiveLock);
	index = index_open(indexoid, RowExclusiveLock);
	old = fetch_row(heap, index, relid);
	if (old == NULL)
	{
		index_close(index, RowExclusiveLock);
		table_close(heap, RowExclusiveLock);
		return;
	}
	heap_deform_tuple(old, RelationGetDescr(heap), values, nulls);

	if (!nulls[Anum_options_time_column - 1] &&
		strcmp(NameStr(*DatumGetName(values[Anum_options_time_column - 1])), oldname) == 0)
	{
		values[Anum_options_time_column - 1] = name_datum(newname);
		changed = true;
	}
	if (!nulls[Anum_options_segment_by - 1])
	{
		Datum	   *elems;
		bool	   *enulls;
		int			n;

		n = name_array(values[Anum_options_segment_by - 1], &elems, &enulls);
		for (int i = 0; i < n; i++)
		{
			if (strcmp(NameStr(*DatumGetName(elems[i])), oldname) == 0)
			{
				elems[i] = name_datum(newname);
				changed = true;
			}
		}
		values[Anum_options_segment_by - 1] =
			PointerGetDatum(construct_array(elems, n, NAMEOID, NAMEDATALEN, false,
											TYPALIGN_CHAR));
	}
	if (!nulls[Anum_options_order_by - 1])
	{
		List	   *items = ts_options_parse_order_by(TextDatumGetCString(values[Anum_options_order_by - 1]));
		StringInfoData buf;
		ListCell   *lc;

		initStringInfo(&buf);
		foreach(lc, items)
		{
			OrderByItem *item = (OrderByItem *) lfirst(lc);
			const char *col = strcmp(item->column, oldname) == 0 ? newname : item->column;

			changed |= col == newname;
			appendStringInfo(&buf, "%s%s%s%s", buf.len > 0 ? ", " : "", quote_identifier(col),
							 item->desc ? " DESC" : "",
							 item->nulls == 1 ? " NULLS FIRST" : item->nulls == 2 ? " NULLS LAST" : "");
		}
		values[Anum_options_order_by - 1] = CStringGetTextDatum(normalize_order_by(rel, buf.data));
	}
	if (changed)
	{
		replace_row(heap, index, relid, values, nulls);
		CacheInvalidateRelcacheByRelid(relid);
	}
	index_close(index, RowExclusiveLock);
	table_close(heap, RowExclusiveLock);
}

/*
 * Refuse to drop a column the table's options name: its rows would no
 * longer be stored as the options say, silently.
 */
void
ts_options_check_drop_column(Relation rel, const char *column)
{
	TsOptions	opts;
	bool		named = false;

	ts_options_get(RelationGetRelid(rel), &opts);
	named = opts.time_column && strcmp(opts.time_column, column) == 0;
	for (int i = 0; i < opts.nsegment_by && !named; i++)
		named = strcmp(opts.segment_by[i], column) == 0;
	if (!named && opts.order_by)
	{
		ListCell   *lc;

		foreach(lc, ts_options_parse_order_by(opts.order_by))
			named |= strcmp(((OrderByItem *) lfirst(lc))->column, column) == 0;
	}
	if (named)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot drop column \"%s\" of table \"%s\": its timeseries options name it",
						column, RelationGetRelationName(rel)),
				 errhint("Change the options with timeseries.set_options() or timeseries.reset_options() first.")));
}

/* ---------- options given as storage parameters ---------- */

/*
 * The set_options() argument a storage parameter stands for (ours, or
 * TimescaleDB's), or NULL; *array when its value is a list of columns.
 */
static const char *
option_for_parameter(const char *name, bool *array)
{
	static const struct
	{
		const char *parameter;
		const char *option;
		bool		array;
	}			names[] = {
		{"segment_by", "segment_by", true},
		{"segmentby", "segment_by", true},
		{"compress_segmentby", "segment_by", true},
		{"order_by", "order_by", false},
		{"orderby", "order_by", false},
		{"compress_orderby", "order_by", false},
		{"time_column", "time_column", false},
		{"chunk_rows", "chunk_rows", false},
		{"compression", "compression", false},
		{"retention", "retention", false},
	};

	for (int i = 0; i < lengthof(names); i++)
		if (strcmp(name, names[i].parameter) == 0)
		{
			*array = names[i].array;
			return names[i].option;
		}
	return NULL;
}

/* Whether CREATE TABLE with this access method (NULL: the default) makes a timeseries table. */
static bool
creates_timeseries_table(const char *access_method)
{
	if (access_method == NULL)
		access_method = default_table_access_method;
	return access_method != NULL && strcmp(access_method, "timeseries") == 0;
}

/*
 * Timeseries options (or TimescaleDB's) given as storage parameters, in
 * CREATE TABLE ... USING timeseries WITH (...) or ALTER TABLE ... SET (...)
 * of a timeseries table: PostgreSQL would only say "unrecognized parameter";
 * say where they go instead.  Called from the ddl_command_start event
 * trigger, before PostgreSQL checks the parameters.
 */
void
ts_options_check_storage_parameters(Node *parsetree)
{
	List	   *params = NIL;
	RangeVar   *relation = NULL;
	bool		alter = false;
	DefElem    *offending = NULL;
	StringInfoData args;
	ListCell   *lc;

	if (parsetree == NULL)
		return;
	if (IsA(parsetree, CreateStmt))
	{
		CreateStmt *stmt = (CreateStmt *) parsetree;

		if (stmt->partspec == NULL && creates_timeseries_table(stmt->accessMethod))
		{
			params = stmt->options;
			relation = stmt->relation;
		}
	}
	else if (IsA(parsetree, CreateTableAsStmt))
	{
		CreateTableAsStmt *stmt = (CreateTableAsStmt *) parsetree;

		if (stmt->objtype == OBJECT_TABLE &&
			creates_timeseries_table(stmt->into->accessMethod))
		{
			params = stmt->into->options;
			relation = stmt->into->rel;
		}
	}
	else if (IsA(parsetree, AlterTableStmt))
	{
		AlterTableStmt *stmt = (AlterTableStmt *) parsetree;

		foreach(lc, stmt->cmds)
		{
			AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);

			if (cmd->subtype == AT_SetRelOptions)
				params = list_concat(params, (List *) cmd->def);
		}
		if (params != NIL && stmt->objtype == OBJECT_TABLE)
		{
			Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);

			if (OidIsValid(relid) && ts_is_timeseries_relid(relid))
				relation = stmt->relation;
		}
		alter = true;
	}
	if (relation == NULL)
		return;

	/* the set_options() arguments the parameters stand for */
	initStringInfo(&args);
	foreach(lc, params)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		bool		array = false;
		const char *option = option_for_parameter(def->defname, &array);

		if (def->defnamespace != NULL &&
			strcmp(def->defnamespace, "timescaledb") != 0 &&
			strcmp(def->defnamespace, "timeseries") != 0)
			continue;
		if (option == NULL && def->defnamespace == NULL)
			continue;			/* PostgreSQL's own, or a typo PostgreSQL reports */
		if (offending == NULL)
			offending = def;
		if (option != NULL && def->arg != NULL)
		{
			char	   *value = defGetString(def);

			if (IsA(def->arg, Integer))
				appendStringInfo(&args, ", %s => %s", option, value);
			else
				appendStringInfo(&args, ", %s => %s", option,
								 quote_literal_cstr(array ? psprintf("{%s}", value) : value));
		}
	}
	if (offending == NULL)
		return;

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("\"%s%s%s\" is not a storage parameter of timeseries tables",
					offending->defnamespace ? offending->defnamespace : "",
					offending->defnamespace ? "." : "", offending->defname),
			 errdetail("Timeseries tables take their options from timeseries.set_options(), and always store their rows compressed."),
			 args.len > 0 ?
			 errhint("%s: SELECT timeseries.set_options(%s%s);",
					 alter ? "Instead run" : "Create the table without them, then run",
					 quote_literal_cstr(quote_qualified_identifier(relation->schemaname,
																   relation->relname)),
					 args.data) :
			 errhint("%s, then set the options with timeseries.set_options(%s, ...).",
					 alter ? "Leave them out" : "Create the table without them",
					 quote_literal_cstr(quote_qualified_identifier(relation->schemaname,
																   relation->relname)))));
}

static void
require_catalog(Oid *heapoid, Oid *indexoid)
{
	if (!options_oids(heapoid, indexoid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"timeseries\" is not installed in this database"),
				 errhint("Run CREATE EXTENSION timeseries.")));
}

/*
 * set_options(tbl, time_column, segment_by, order_by, chunk_rows,
 * compression, retention): the arguments given (not NULL) replace the
 * table's current values; an empty segment_by array clears it.
 */
Datum
timeseries_set_options(PG_FUNCTION_ARGS)
{
	Oid			relid;
	Relation	rel;
	Oid			heapoid;
	Oid			indexoid;
	Relation	heap;
	Relation	index;
	HeapTuple	old;
	Datum		values[Natts_options];
	bool		nulls[Natts_options];
	char	   *time_column = NULL;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the table must not be NULL")));
	relid = PG_GETARG_OID(0);
	rel = ts_open_owned_table(relid, ShareUpdateExclusiveLock, "set_options");
	require_catalog(&heapoid, &indexoid);
	heap = table_open(heapoid, RowExclusiveLock);
	index = index_open(indexoid, RowExclusiveLock);

	/* start from the current row */
	memset(nulls, true, sizeof(nulls));
	old = fetch_row(heap, index, relid);
	if (old)
		heap_deform_tuple(old, RelationGetDescr(heap), values, nulls);
	values[Anum_options_relid - 1] = ObjectIdGetDatum(relid);
	nulls[Anum_options_relid - 1] = false;

	if (!PG_ARGISNULL(1))
	{
		Name		n = PG_GETARG_NAME(1);
		AttrNumber	attno = require_column(rel, NameStr(*n), "time_column");
		Oid			type = TupleDescAttr(RelationGetDescr(rel), attno - 1)->atttypid;

		if (!ts_is_time_type(type))
		{
			char	   *candidates = column_list(rel, true);

			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" cannot be the time column of \"%s\"",
							NameStr(*n), RelationGetRelationName(rel)),
					 errdetail("Its type is %s.", format_type_be(type)),
					 candidates[0] != '\0' ?
					 errhint("Choose a column of type timestamptz, timestamp, date, smallint, integer or bigint: here %s.",
							 candidates) :
					 errhint("Choose a column of type timestamptz, timestamp, date, smallint, integer or bigint; \"%s\" has none.",
							 RelationGetRelationName(rel))));
		}
		values[Anum_options_time_column - 1] = NameGetDatum(n);
		nulls[Anum_options_time_column - 1] = false;
	}
	if (!nulls[Anum_options_time_column - 1])
		time_column = NameStr(*DatumGetName(values[Anum_options_time_column - 1]));
	else
	{
		TsOptions	none;

		memset(&none, 0, sizeof(none));
		time_column = ts_options_time_column(rel, &none);
	}

	if (!PG_ARGISNULL(2))
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(2);
		Datum	   *elems;
		bool	   *enulls;
		int			n;

		if (ARR_NDIM(arr) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("segment_by must be a one-dimensional array of column names")));
		n = name_array(PointerGetDatum(arr), &elems, &enulls);
		for (int i = 0; i < n; i++)
		{
			if (enulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("segment_by must not contain NULL")));
			require_sortable(rel, require_column(rel, NameStr(*DatumGetName(elems[i])),
												 "segment_by"), "segment_by");
			for (int j = 0; j < i; j++)
				if (strcmp(NameStr(*DatumGetName(elems[i])),
						   NameStr(*DatumGetName(elems[j]))) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_DUPLICATE_COLUMN),
							 errmsg("column \"%s\" appears twice in segment_by",
									NameStr(*DatumGetName(elems[i])))));
		}
		values[Anum_options_segment_by - 1] = PointerGetDatum(arr);
		nulls[Anum_options_segment_by - 1] = false;
	}

	if (!PG_ARGISNULL(3))
	{
		values[Anum_options_order_by - 1] =
			CStringGetTextDatum(normalize_order_by(rel, text_to_cstring(PG_GETARG_TEXT_PP(3))));
		nulls[Anum_options_order_by - 1] = false;
	}

	if (!PG_ARGISNULL(4))
	{
		int32		chunk_rows = PG_GETARG_INT32(4);

		if (chunk_rows < 1 || chunk_rows > 1024 * 1024)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("chunk_rows must be between 1 and %d", 1024 * 1024)));
		values[Anum_options_chunk_rows - 1] = Int32GetDatum(chunk_rows);
		nulls[Anum_options_chunk_rows - 1] = false;
	}

	if (!PG_ARGISNULL(5))
	{
		char	   *c = text_to_cstring(PG_GETARG_TEXT_PP(5));
		bool		ok = false;

		for (int i = 0; i < lengthof(compression_names); i++)
			ok |= pg_strcasecmp(c, compression_names[i].name) == 0;
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown compression \"%s\"", c),
					 errhint("Use zstd, lz4 or none.")));
		values[Anum_options_compression - 1] = CStringGetTextDatum(str_tolower(c, strlen(c), DEFAULT_COLLATION_OID));
		nulls[Anum_options_compression - 1] = false;
	}

	if (!PG_ARGISNULL(6))
	{
		Interval   *iv = PG_GETARG_INTERVAL_P(6);
		Interval	zero;

		memset(&zero, 0, sizeof(zero));
		if (DatumGetInt32(DirectFunctionCall2(interval_cmp, IntervalPGetDatum(iv),
											  IntervalPGetDatum(&zero))) <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("retention must be a positive interval")));
		values[Anum_options_retention - 1] = IntervalPGetDatum(iv);
		nulls[Anum_options_retention - 1] = false;
	}

	/* the time column may not also be a segment column */
	if (time_column && !nulls[Anum_options_segment_by - 1])
	{
		Datum	   *elems;
		bool	   *enulls;
		int			n;

		n = name_array(values[Anum_options_segment_by - 1], &elems, &enulls);
		for (int i = 0; i < n; i++)
			if (strcmp(NameStr(*DatumGetName(elems[i])), time_column) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the time column \"%s\" cannot be a segment_by column",
								time_column),
						 errhint("segment_by names the columns that identify a series (a host, a device); within each series rows are ordered by time.")));
	}

	replace_row(heap, index, relid, values, nulls);

	index_close(index, RowExclusiveLock);
	table_close(heap, RowExclusiveLock);
	CacheInvalidateRelcacheByRelid(relid);
	relation_close(rel, NoLock);
	PG_RETURN_VOID();
}

Datum
timeseries_reset_options(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel = ts_open_owned_table(relid, ShareUpdateExclusiveLock, "reset_options");

	ts_options_delete(relid);
	CommandCounterIncrement();
	CacheInvalidateRelcacheByRelid(relid);
	relation_close(rel, NoLock);
	PG_RETURN_VOID();
}

/*
 * The options in effect for a table, defaults filled in: the detected time
 * column, no segment_by, order by the time column, and the session's
 * chunk_rows and compression settings where the table sets none.
 */
Datum
timeseries_table_options(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel;
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6];
	TsOptions	opts;
	char	   *time_column;
	Datum	   *names;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	/* like the table's contents: for those who may read it */
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		PG_RETURN_NULL();
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, get_rel_name(relid));
	rel = try_relation_open(relid, AccessShareLock);
	if (rel == NULL)
		PG_RETURN_NULL();
	if (!ts_is_timeseries_rel(rel))
	{
		relation_close(rel, AccessShareLock);
		PG_RETURN_NULL();
	}
	ts_options_get(relid, &opts);
	memset(nulls, false, sizeof(nulls));

	time_column = ts_options_time_column(rel, &opts);
	if (time_column)
		values[0] = DirectFunctionCall1(namein, CStringGetDatum(time_column));
	else
		nulls[0] = true;

	names = palloc(sizeof(Datum) * Max(opts.nsegment_by, 1));
	for (int i = 0; i < opts.nsegment_by; i++)
		names[i] = DirectFunctionCall1(namein, CStringGetDatum(opts.segment_by[i]));
	values[1] = PointerGetDatum(construct_array(names, opts.nsegment_by, NAMEOID,
												NAMEDATALEN, false, TYPALIGN_CHAR));
	if (opts.order_by)
		values[2] = CStringGetTextDatum(opts.order_by);
	else if (time_column)
		values[2] = CStringGetTextDatum(quote_identifier(time_column));
	else
		nulls[2] = true;
	values[3] = Int32GetDatum(opts.chunk_rows > 0 ? opts.chunk_rows : ts_chunk_rows);
	values[4] = CStringGetTextDatum(GetConfigOption("timeseries.compression", false, false));
	for (int i = 0; i < lengthof(compression_names); i++)
		if (compression_names[i].codec == opts.compression)
			values[4] = CStringGetTextDatum(compression_names[i].name);
	if (opts.retention)
		values[5] = IntervalPGetDatum(opts.retention);
	else
		nulls[5] = true;
	relation_close(rel, AccessShareLock);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * After an options row is inserted by SQL (pg_restore or a dump script load
 * the extension's configuration table with COPY; set_options writes with
 * the heap API and fires nothing): the table's rows may have been restored
 * before its options, as pg_dump orders table data by schema and name, so
 * its chunks are rewritten in the options now in effect (chunk size, row
 * order).
 */
PG_FUNCTION_INFO_V1(timeseries_options_restored);

Datum
timeseries_options_restored(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Datum		d;
	bool		isnull;
	Relation	rel;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		elog(ERROR, "options_restored must be fired after INSERT for each row");
	d = heap_getattr(trigdata->tg_trigtuple, Anum_options_relid,
					 RelationGetDescr(trigdata->tg_relation), &isnull);
	if (isnull)
		return PointerGetDatum(NULL);
	rel = try_relation_open(DatumGetObjectId(d), ShareUpdateExclusiveLock);
	if (rel == NULL)
		return PointerGetDatum(NULL);
	if (rel->rd_rel->relkind == RELKIND_RELATION && ts_is_timeseries_rel(rel))
	{
		/* the new row, and no cached write settings of the table */
		CacheInvalidateRelcache(rel);
		CommandCounterIncrement();
		(void) compact_relation(rel, true);
	}
	relation_close(rel, NoLock);
	return PointerGetDatum(NULL);
}
