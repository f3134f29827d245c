#!/usr/bin/python3
"""psycopg 3 against timeseries tables.

executemany, cursor.copy() in text and binary (set_types) both ways, a
server-side (named) cursor with itersize over a 200k-row table, SCROLL and
WITH HOLD cursors, time zones in results (session TimeZone -> tz-aware
datetimes), and dashboard queries prepared by the driver (prepare=True,
generic plans) compared with a heap twin.  Every value read back is compared
with what was written.

Run with Debian's /usr/bin/python3 (python3-psycopg); connection parameters
from the environment (PGHOST, PGPORT, PGUSER, PGDATABASE).  Exits 1 on any
mismatch.
"""
import datetime as dt
import math
import random
import sys
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import psycopg
from psycopg.types.json import Jsonb

failures = 0
checks = 0


def fail(msg):
    global failures
    failures += 1
    if failures <= 50:
        print("FAIL: " + msg, flush=True)


def check(cond, msg):
    global checks
    checks += 1
    if not cond:
        fail(msg)


UTC = dt.timezone.utc
BASE = dt.datetime(2024, 3, 1, tzinfo=UTC)
COLS = "id, time, host, value, n, j, flag, local_ts"
CREATE = """CREATE TABLE {} (id int8 NOT NULL, time timestamptz NOT NULL, host text,
    value float8, n numeric, j jsonb, flag bool, local_ts timestamp){}"""
TABLES = ["w_ts", "w_heap"]
NUMERICS = [
    "3.14159265358979323846264338327950288419716939937510582097494459",
    "-0.000000000000000000000000000000000000001",
    "123456789012345678901234567890123456789012345678901234567890",
    "1.10", "0", "-0.5", "100.000000", "NaN", "Infinity", "-Infinity",
]
ZONES = [UTC, ZoneInfo("America/New_York"), dt.timezone(dt.timedelta(hours=5, minutes=30)),
         ZoneInfo("Australia/Lord_Howe"), dt.timezone(dt.timedelta(hours=-9, minutes=-59, seconds=0))]


def make_row(rng, i):
    """One row; written values are compared with what comes back."""
    t = BASE + dt.timedelta(seconds=i * 7, microseconds=rng.randrange(1000000))
    t = t.astimezone(rng.choice(ZONES))         # the same instant in another zone
    k = rng.randrange(40)
    value = {0: math.nan, 1: math.inf, 2: -math.inf, 3: -0.0, 4: None, 5: 5e-324,
             6: 1.7976931348623157e308}.get(k, rng.random() * 100)
    n = None if k == 7 else Decimal(NUMERICS[k % len(NUMERICS)]) if k < 20 else \
        Decimal("%dE-%d" % (rng.randrange(-10**30, 10**30), rng.randrange(0, 40)))
    j = None if k == 8 else {"i": i, "tags": ["a", "ü", None], "nested": {"x": rng.random(), "ok": k % 2 == 0},
                             "big": 12345678901234567890, "s": "quote\" back\\slash\ttab"}
    flag = None if k == 9 else (k % 2 == 0)
    local_ts = None if k == 10 else dt.datetime(2024, 3, 10, 1, 59, 59, 999999) + dt.timedelta(seconds=i)
    host = None if k == 11 else "host_%d" % rng.randrange(20)
    return (i, t, host, value, n, Jsonb(j) if j is not None else None, flag, local_ts)


def same_value(a, b):
    """Exact equality, also of NaN, -0.0 and Decimal scale; datetimes by instant."""
    if isinstance(a, Jsonb):
        a = a.obj
    if isinstance(b, Jsonb):
        b = b.obj
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a.as_tuple() == b.as_tuple()     # the scale too: 1.10 is not 1.1
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        if (a.tzinfo is None) != (b.tzinfo is None):
            return False
        if a.tzinfo is None:
            return a == b
        # in UTC: Python never finds a wall-clock time of a DST fold equal to one in another zone
        return a.astimezone(UTC) == b.astimezone(UTC)
    return type(a) == type(b) and a == b


def compare_rows(where, got, want):
    """got, want: lists of row tuples in the same order."""
    global checks
    checks += 1
    if len(got) != len(want):
        fail("%s: %d rows, want %d" % (where, len(got), len(want)))
        return
    for g, w in zip(got, want):
        checks += 1
        for c, (a, b) in enumerate(zip(g, w)):
            if not same_value(a, b):
                fail("%s: id %s column %d: got %r, want %r" % (where, w[0], c, a, b))


def connect(**kw):
    conn = psycopg.connect("", **kw)
    conn.execute("SET client_min_messages = warning")
    conn.execute("SET TimeZone = 'UTC'")
    return conn


def setup_tables(cur, names, ts_options=None):
    """names: the timeseries table, then its heap twin"""
    for name, using in zip(names, [" USING timeseries", ""]):
        cur.execute("DROP TABLE IF EXISTS " + name)
        cur.execute(CREATE.format(name, using))
    if ts_options:
        cur.execute("SELECT timeseries.set_options(%s, " + ts_options + ")", (names[0],))


def test_writes(conn):
    """executemany, COPY text and binary, read back every way."""
    rng = random.Random(1)
    cur = conn.cursor()
    setup_tables(cur, TABLES, "segment_by => '{host}', chunk_rows => 2000")
    rows = [make_row(rng, i) for i in range(15000)]
    many, text_rows, bin_rows = rows[:5000], rows[5000:10000], rows[10000:]

    ins = "INSERT INTO {} (" + COLS + ") VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
    for t in TABLES:
        cur.executemany(ins.format(t), many)
        check(cur.rowcount == len(many), "%s: executemany rowcount %s" % (t, cur.rowcount))

    # text COPY: psycopg formats each value
    for t in TABLES:
        with cur.copy("COPY %s (%s) FROM STDIN" % (t, COLS)) as copy:
            for r in text_rows:
                copy.write_row(r)
    # binary COPY: the types must be given
    for t in TABLES:
        with cur.copy("COPY %s (%s) FROM STDIN (FORMAT BINARY)" % (t, COLS)) as copy:
            copy.set_types(["int8", "timestamptz", "text", "float8", "numeric", "jsonb", "bool", "timestamp"])
            for r in bin_rows:
                copy.write_row(r)
    print("written: %d rows with executemany, %d with COPY text, %d with COPY binary into each table"
          % (len(many), len(text_rows), len(bin_rows)), flush=True)
    cur.execute("ANALYZE w_ts")

    for t in TABLES:
        # text results
        cur.execute("SELECT %s FROM %s ORDER BY id" % (COLS, t))
        compare_rows("%s SELECT (text)" % t, cur.fetchall(), rows)
        # binary results
        bcur = conn.cursor(binary=True)
        bcur.execute("SELECT %s FROM %s ORDER BY id" % (COLS, t))
        compare_rows("%s SELECT (binary)" % t, bcur.fetchall(), rows)
        # binary COPY TO, typed
        with cur.copy("COPY (SELECT %s FROM %s ORDER BY id) TO STDOUT (FORMAT BINARY)" % (COLS, t)) as copy:
            copy.set_types(["int8", "timestamptz", "text", "float8", "numeric", "jsonb", "bool", "timestamp"])
            got = list(copy.rows())
        compare_rows("%s COPY TO binary" % t, got, rows)
        # text COPY TO of the whole table (scan order), typed
        with cur.copy("COPY %s (%s) TO STDOUT" % (t, COLS)) as copy:
            copy.set_types(["int8", "timestamptz", "text", "float8", "numeric", "jsonb", "bool", "timestamp"])
            got = sorted(copy.rows(), key=lambda r: r[0])
        compare_rows("%s COPY TO text" % t, got, rows)

    # raw COPY text output: the timeseries table's equals the heap twin's byte for byte
    outs = []
    for t in TABLES:
        data = bytearray()
        with cur.copy("COPY (SELECT * FROM %s ORDER BY id) TO STDOUT" % t) as copy:
            for block in copy:
                data += block
        outs.append(bytes(data))
    check(outs[0] == outs[1] and len(outs[0]) > 100000,
          "COPY TO text output of w_ts (%d bytes) differs from w_heap's (%d bytes)" % (len(outs[0]), len(outs[1])))

    # a time-range query with parameters, binary, prepared
    lo, hi = BASE + dt.timedelta(hours=2), BASE + dt.timedelta(hours=5, microseconds=1)
    want = [r for r in rows if lo <= r[1] < hi]
    check(len(want) > 1000, "range holds only %d rows" % len(want))
    for t in TABLES:
        for _ in range(2):
            cur.execute("SELECT %s FROM %s WHERE time >= %%s AND time < %%s ORDER BY id" % (COLS, t), (lo, hi),
                        prepare=True, binary=True)
            compare_rows("%s range" % t, cur.fetchall(), want)


def test_time_zones(conn):
    """timestamptz results come back in the session TimeZone, as tz-aware datetimes."""
    cur = conn.cursor()
    setup_tables(cur, ["tz_ts", "tz_heap"], "chunk_rows => 100")
    # around the 2024 DST changes of New York (03-10, 11-03), Lord Howe (04-07, 10-06: 30 min) and Berlin
    instants = []
    for day, hour in [("2024-03-10", 6), ("2024-11-03", 5), ("2024-04-06", 14), ("2024-10-05", 15),
                      ("2024-03-31", 0), ("2024-10-27", 0), ("2024-01-15", 12), ("2024-07-15", 12)]:
        d = dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)
        for m in range(0, 240, 7):
            instants.append(d + dt.timedelta(minutes=m, microseconds=m * 1001))
    rows = [(i, t, "host_%d" % (i % 3), float(i), None, None, None, None) for i, t in enumerate(instants)]
    for t in ["tz_ts", "tz_heap"]:
        cur.executemany("INSERT INTO %s (%s) VALUES (%%s, %%s, %%s, %%s, %%s, %%s, %%s, %%s)" % (t, COLS), rows)

    for zone in ["America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Europe/Berlin", "UTC"]:
        cur.execute("SET TimeZone = %s" % psycopg.sql.quote(zone))
        zi = ZoneInfo(zone)
        cur.execute("SELECT id, time FROM tz_ts ORDER BY id")
        got = cur.fetchall()
        check(len(got) == len(rows), "%s: %d rows" % (zone, len(got)))
        for (i, t), r in zip(got, rows):
            local = r[1].astimezone(zi)
            check(t.tzinfo is not None and t.astimezone(UTC) == r[1].astimezone(UTC),
                  "%s id %d: %s, want the instant %s" % (zone, i, t, r[1]))
            check(t.utcoffset() == local.utcoffset(),
                  "%s id %d: offset %s, want %s" % (zone, i, t.utcoffset(), local.utcoffset()))
            check((t.year, t.month, t.day, t.hour, t.minute, t.second, t.microsecond) ==
                  (local.year, local.month, local.day, local.hour, local.minute, local.second, local.microsecond),
                  "%s id %d: wall clock %s, want %s" % (zone, i, t, local))
        # a day bucket in the session zone, and in an explicit zone, against the heap twin
        for q in ["SELECT timeseries.time_bucket('1 day', time) AS b, count(*), sum(value) FROM {} "
                  "WHERE time >= %s AND time < %s GROUP BY 1 ORDER BY 1",
                  "SELECT timeseries.time_bucket('1 hour', time, 'Australia/Lord_Howe') AS b, host, count(*) "
                  "FROM {} WHERE time >= %s AND time < %s GROUP BY 1, 2 ORDER BY 1, 2",
                  "SELECT date_trunc('day', time) AS b, max(time) FROM {} WHERE time >= %s AND time < %s "
                  "GROUP BY 1 ORDER BY 1"]:
            params = (dt.datetime(2024, 1, 1, tzinfo=zi), dt.datetime(2025, 1, 1, tzinfo=zi))
            cur.execute(q.format("tz_ts"), params, prepare=True)
            a = cur.fetchall()
            cur.execute(q.format("tz_heap"), params, prepare=True)
            b = cur.fetchall()
            compare_rows("%s: %s" % (zone, q[:60]), a, b)
            check(len(a) > 5, "%s: only %d buckets" % (zone, len(a)))
            check(all(r[0].tzinfo is not None and r[0].utcoffset() == r[0].astimezone(zi).utcoffset() for r in a),
                  "%s: bucket starts are not in the session zone" % zone)
    cur.execute("RESET TimeZone")


def big_row(i):
    """The formula the big table is filled with, on the server and here."""
    return (i, BASE + dt.timedelta(seconds=i * 3, microseconds=i % 1000000), "host_%d" % (i % 50),
            (i % 1000) / 8.0 if i % 101 else None)


BIG = 200000


def test_server_side_cursor(conn):
    """A named cursor over a 200k-row table, fetched itersize rows at a time."""
    cur = conn.cursor()
    for t, using in [("big_ts", " USING timeseries"), ("big_heap", "")]:
        cur.execute("DROP TABLE IF EXISTS " + t)
        cur.execute("CREATE TABLE %s (id int8, time timestamptz NOT NULL, host text, value float8)%s" % (t, using))
        cur.execute("""INSERT INTO {} SELECT i, %s::timestamptz + i * interval '3 s' + (i %% 1000000) * interval '1 us',
                         'host_' || i %% 50, CASE WHEN i %% 101 <> 0 THEN (i %% 1000) / 8.0 END
                       FROM generate_series(0, %s - 1) i""".format(t), (BASE, BIG))
    cur.execute("ANALYZE big_ts")
    cur.execute("ANALYZE big_heap")
    conn.commit()

    # in time order, all rows: the stream must be exactly the formula's rows
    start = time.time()
    with conn.transaction():
        scur = conn.cursor("big_stream")
        scur.itersize = 5000
        scur.execute("SELECT id, time, host, value FROM big_ts WHERE time >= %s ORDER BY time", (BASE,))
        n = 0
        for row in scur:
            if row != big_row(n):
                fail("big_ts stream row %d: %r, want %r" % (n, row, big_row(n)))
                break
            n += 1
            if n == 12345:
                # the rows come from a portal on the server, not a client-side buffer
                c2 = conn.execute("SELECT count(*) FROM pg_cursors WHERE name = 'big_stream'")
                check(c2.fetchone()[0] == 1, "the named cursor is not in pg_cursors")
        scur.close()
        check(n == BIG, "big_ts stream: %d rows, want %d" % (n, BIG))
    print("named cursor: %d rows in time order in %.1f s" % (n, time.time() - start), flush=True)

    # scan order, a time range, more columns decoded per fetch: every id once
    lo, hi = 30000, 170000
    with conn.transaction():
        scur = conn.cursor("big_range")
        scur.itersize = 2000
        scur.execute("SELECT id, time, host, value FROM big_ts WHERE time >= %s AND time < %s",
                     (big_row(lo)[1], big_row(hi)[1]))
        seen = bytearray(BIG)
        n = 0
        for row in scur:
            i = row[0]
            if not (lo <= i < hi) or seen[i] or row != big_row(i):
                fail("big_ts range cursor: unexpected row %r (seen before: %s)" % (row, bool(seen[i])))
                break
            seen[i] = 1
            n += 1
        check(n == hi - lo, "big_ts range cursor: %d rows, want %d" % (n, hi - lo))

    # SCROLL: move around a cursor over the table
    with conn.transaction():
        scur = conn.cursor("big_scroll", scrollable=True)
        scur.execute("SELECT id, time, host, value FROM big_ts WHERE id % 7 = 0 ORDER BY time DESC")
        first = scur.fetchmany(10)
        check(first == [big_row(i) for i in range(BIG - 1 - (BIG - 1) % 7, -1, -7)][:10], "scroll: first rows")
        scur.scroll(1000, mode="absolute")
        r = scur.fetchone()
        want_ids = list(range(BIG - 1 - (BIG - 1) % 7, -1, -7))
        check(r == big_row(want_ids[1000]), "scroll absolute 1000: %r" % (r,))
        scur.scroll(-501)
        r = scur.fetchone()
        check(r == big_row(want_ids[500]), "scroll relative -501: %r" % (r,))

    # WITH HOLD: survives the commit
    hcur = conn.cursor("big_hold", withhold=True)
    hcur.itersize = 10000
    hcur.execute("SELECT host, count(*), sum(value), min(time), max(time) FROM big_ts GROUP BY host ORDER BY host")
    conn.commit()
    got = hcur.fetchall()
    hcur.close()
    cur.execute("SELECT host, count(*), sum(value), min(time), max(time) FROM big_heap GROUP BY host ORDER BY host")
    compare_rows("WITH HOLD cursor (aggregates by host) vs heap", got, cur.fetchall())
    conn.commit()


DASH = """SELECT /* {tag} */ timeseries.time_bucket(%s::interval, time) AS bucket, host, avg(value), min(value),
       max(value), count(*), count(value)
  FROM {table} WHERE time >= %s AND time < %s AND host = ANY(%s) GROUP BY 1, 2 ORDER BY 1, 2"""
DASH2 = """SELECT /* {tag} */ timeseries.time_bucket('1 minute', time) AS bucket, host, avg(value), max(value), count(*)
  FROM {table} WHERE time >= %s AND time < %s GROUP BY 1, 2 ORDER BY 1, 2"""


def close_enough(a, b):
    if isinstance(a, float) and isinstance(b, float) and not (math.isnan(a) or math.isnan(b)):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return same_value(a, b)


def test_dashboards(conn):
    """Prepared by the driver (prepare=True), generic plans, against the heap twin."""
    cur = conn.cursor()
    cur.execute("SET plan_cache_mode = force_generic_plan")
    cases = [
        ("5 minutes", BASE + dt.timedelta(hours=10), BASE + dt.timedelta(hours=12), ["host_1", "host_7", "host_42"]),
        ("1 hour", BASE, BASE + dt.timedelta(days=1), ["host_%d" % i for i in range(50)]),
        ("30 seconds", BASE + dt.timedelta(hours=100, microseconds=123), BASE + dt.timedelta(hours=101),
         ["host_3"]),
        ("1 day", BASE - dt.timedelta(days=30), BASE + dt.timedelta(days=30), ["host_0", "host_49"]),
        ("1 hour", BASE + dt.timedelta(days=9), BASE + dt.timedelta(days=10), ["host_9"]),
        ("15 minutes", BASE + dt.timedelta(hours=3), BASE + dt.timedelta(hours=3), ["host_1"]),
        ("10 minutes", BASE + dt.timedelta(hours=150), BASE + dt.timedelta(hours=160), []),
    ]
    total = 0
    for n, (width, lo, hi, hosts) in enumerate(cases):
        for q, params in [(DASH, (width, lo, hi, hosts)), (DASH2, (lo, hi))]:
            cur.execute(q.format(tag="dash_ts", table="big_ts"), params, prepare=True)
            a = cur.fetchall()
            cur.execute(q.format(tag="dash_heap", table="big_heap"), params, prepare=True)
            b = cur.fetchall()
            total += len(a)
            where = "dashboard %s [%s, %s) %s" % (width if q is DASH else "1 minute", lo, hi,
                                                  hosts if len(hosts) < 5 else "%d hosts" % len(hosts))
            check(len(a) == len(b), "%s: %d rows, heap %d" % (where, len(a), len(b)))
            for ra, rb in zip(a, b):
                if not all(close_enough(x, y) for x, y in zip(ra, rb)):
                    fail("%s: %r, heap %r" % (where, ra, rb))
                    break
    check(total > 500, "the dashboard queries returned only %d rows" % total)
    cur.execute("""SELECT name, statement, generic_plans, custom_plans FROM pg_prepared_statements
                    WHERE statement LIKE '%%/* dash_ts */%%' AND NOT from_sql""")
    stmts = cur.fetchall()
    check(len(stmts) == 2 and all(g >= len(cases) and c == 0 for _, _, g, c in stmts),
          "the driver's prepared dashboard statements did not run generic plans: %r" % (stmts,))
    for name, stmt, _, _ in stmts:
        cur.execute("EXPLAIN (COSTS OFF) EXECUTE %s(%s)" % (
            name, "'1 hour', '2024-03-01', '2024-03-02', '{host_1}'" if "ANY(" in stmt else "'2024-03-01', '2024-03-02'"))
        plan = "\n".join(r[0] for r in cur.fetchall())
        check("Timeseries" in plan, "the generic plan of %s does not use the custom scan:\n%s" % (name, plan))
    cur.execute("RESET plan_cache_mode")
    conn.commit()


def main():
    print("psycopg %s, libpq %s" % (psycopg.__version__, psycopg.pq.version()), flush=True)
    start = time.time()
    with connect(autocommit=True) as conn:
        test_writes(conn)
        print("writes compared (%d failures so far)" % failures, flush=True)
        test_time_zones(conn)
        print("time zones compared (%d failures so far)" % failures, flush=True)
    with connect() as conn:
        test_server_side_cursor(conn)
        print("server-side cursors compared (%d failures so far)" % failures, flush=True)
        test_dashboards(conn)
        print("dashboards compared (%d failures so far)" % failures, flush=True)
        cur = conn.cursor()
        for t in ["w_ts", "tz_ts", "big_ts"]:
            cur.execute("SELECT first_row, problem FROM timeseries.verify(%s)", (t,))
            for r in cur.fetchall():
                fail("verify(%s): %r" % (t, r))
    if failures:
        print("psycopg: %d of %d checks FAILED (%.1f s)" % (failures, checks, time.time() - start))
        sys.exit(1)
    print("psycopg: all %d checks passed (%.1f s)" % (checks, time.time() - start))


if __name__ == "__main__":
    main()
