/*-------------------------------------------------------------------------
 *
 * vector_qual.h
 *	  Quals evaluated over decoded column vectors, and chunk pruning by
 *	  the chunk summaries.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_VECTOR_QUAL_H
#define TIMESERIES_VECTOR_QUAL_H

#include "access/tableam.h"
#include "nodes/execnodes.h"

struct ChunkMeta;
typedef struct VectorQual VectorQual;

/* Can the clause be evaluated over vectors of relation relid's columns? */
extern bool vector_qual_supported(Node *clause, Index relid);

/*
 * Compile clauses (an implicitly ANDed list of supported clauses) for
 * execution under parent.  The comparison values are computed by
 * vector_qual_set_values, at the start of each scan.  With an attmap, the
 * clauses' Vars (of relid) are mapped to table columns by attmap[varattno].
 */
extern VectorQual *vector_qual_compile(List *clauses, Index relid,
									   const AttrNumber *attmap,
									   PlanState *parent);
extern void vector_qual_set_values(VectorQual *vq, ExprContext *econtext);
extern void vector_qual_free(VectorQual *vq);

/* Could any row of the chunk satisfy every clause, as far as its summary tells? */
extern bool vector_qual_chunk_may_match(VectorQual *vq,
										const struct ChunkMeta *meta);

/* Does every row of the chunk satisfy every clause, by its summary? */
extern bool vector_qual_chunk_must_match(VectorQual *vq,
										 const struct ChunkMeta *meta);

/*
 * With the filters attached (vector_qual_attach), after they let a chunk
 * through: does every row of that chunk satisfy every clause, by its
 * summary?
 */
extern bool vector_qual_chunk_all_match(VectorQual *vq);

/* Could any row of the scan's current vector satisfy them, by its ranges? */
extern bool vector_qual_vector_may_match(VectorQual *vq, TableScanDesc scan);

/*
 * Row filter of a scan (scan.h): keep the rows where every clause is true,
 * among the rows of in (NULL: all), evaluating the clauses in order on the
 * rows still kept.  Returns how many were kept.
 */
extern int	vector_qual_filter(VectorQual *vq, TableScanDesc scan, int nrows,
							   const bool *in, bool *sel);

/* A top-level integer_column = value clause, once the values are set. */
extern bool vector_qual_int_equality(VectorQual *vq, int *attidx, Oid *typid,
									 int64 *value, bool *alone);

/* Set up a scan's filters (and the columns it decodes) from the clauses. */
extern void vector_qual_attach(VectorQual *vq, TableScanDesc scan,
							   const bool *read_att);


#endif							/* TIMESERIES_VECTOR_QUAL_H */
