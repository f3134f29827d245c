/*-------------------------------------------------------------------------
 *
 * retention.h
 *	  Retention: timeseries.drop_chunks() and the retention option.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_RETENTION_H
#define TIMESERIES_RETENTION_H

#include "utils/rel.h"

/* VACUUM: drop the rows older than the table's retention option allows. */
extern void retention_vacuum(Relation rel);

#endif							/* TIMESERIES_RETENTION_H */
