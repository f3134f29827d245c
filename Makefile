# timeseries: PGXS build.  `make`, `make install`, `make installcheck`
# (regression + isolation + TAP), `make check-all` runs everything README
# describes, `make bench` runs the benchmark suite (never part of CI).

MODULE_big = timeseries
OBJS = \
	src/codec.o \
	src/codec_int.o \
	src/codec_float.o \
	src/codec_dict.o \
	src/chunk.o \
	src/summary.o \
	src/storage.o \
	src/metadata.o \
	src/delete_mask.o \
	src/pending.o \
	src/index.o \
	src/retention.o \
	src/compact.o \
	src/verify.o \
	src/write.o \
	src/scan.o \
	src/vector_qual.o \
	src/custom_scan.o \
	src/vector_agg.o \
	src/gapfill.o \
	src/lastpoint.o \
	src/topn.o \
	src/options.o \
	src/row_order.o \
	src/tableam.o \
	src/planner.o \
	src/stats.o \
	src/time_bucket.o \
	src/first_last.o \
	src/timeseries.o

EXTENSION = timeseries
DATA = sql/timeseries--0.1.sql
PGFILEDESC = "timeseries - columnar time-series table access method"

REGRESS = $(patsubst sql/%.sql,%,$(filter-out sql/timeseries--%,$(sort $(wildcard sql/*.sql))))
REGRESS_OPTS = --load-extension=timeseries --encoding=UTF8 --no-locale
ISOLATION = $(patsubst test/isolation/specs/%.spec,%,$(sort $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=output_iso --load-extension=timeseries
TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl

SHLIB_LINK = -lzstd -llz4
PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS = -Wall -Wmissing-prototypes -Werror=implicit-function-declaration

EXTRA_CLEAN = output_iso test/diff/diff_runner

# no JIT bitcode: it needs clang and buys nothing for an access method
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

.PHONY: bench
bench:
	$(MAKE) -C test/bench bench

# every object depends on every header (a struct change must rebuild its users)
$(OBJS): $(wildcard src/*.h)
