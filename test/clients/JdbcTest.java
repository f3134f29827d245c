// PostgreSQL JDBC (pgjdbc) against timeseries tables.
//
// PreparedStatement batches with reWriteBatchedInserts=true (committed, and
// rolled back), CopyManager copyIn (CSV text and binary) and copyOut (text
// and binary, compared with the heap twin byte for byte), setFetchSize
// streaming with autocommit off over a 200k-row table, and dashboard queries
// as server-prepared statements under generic plans compared with a heap
// twin.  Every value read back is compared with what was written
// (timestamptz to the microsecond as OffsetDateTime and Timestamp, float8
// NaN/Infinity/-0 by their bits, numeric with its scale, NULLs).
//
// Usage: java -cp postgresql.jar:. JdbcTest <jdbc url without parameters> <user>
// Exits 1 on any mismatch.
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;

import org.postgresql.PGConnection;
import org.postgresql.PGStatement;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

public class JdbcTest {
	static int failures = 0;
	static long checks = 0;

	static void fail(String msg) {
		failures++;
		if (failures <= 50)
			System.out.println("FAIL: " + msg);
	}

	static void check(boolean cond, String msg) {
		checks++;
		if (!cond)
			fail(msg);
	}

	static String url;
	static String user;

	static Connection connect(String extra) throws SQLException {
		Connection c = DriverManager.getConnection(url + "?user=" + user + extra);
		try (Statement s = c.createStatement()) {
			s.execute("SET client_min_messages = warning");
		}
		return c;
	}

	// ---------------------------------------------------------------- rows

	static final Instant BASE = Instant.parse("2024-03-01T00:00:00Z");
	static final String[] NOTES = {"", "plain", "comma, \"quoted\"", "new\nline", "back\\slash", "zürich ✓ 東京", "\\N", "NULL"};
	static final String[] NUMERICS = {"3.141592653589793238462643383279502884197169399375105820974944",
		"-0.00000000000000000000000000000000000001", "123456789012345678901234567890123456789.5", "1.10", "0", "-0.5", "100.000000"};

	static final class Row {
		long id;
		OffsetDateTime time;
		String host;
		Double usageUser;
		Double usageIdle;
		Integer reading;
		String note;
		BigDecimal n;
	}

	static Row makeRow(Random rng, long id) {
		Row r = new Row();
		int k = rng.nextInt(40);
		r.id = id;
		Instant t = BASE.plusSeconds(id * 2).plus(rng.nextInt(1000000), ChronoUnit.MICROS);
		if (k == 13)
			t = t.minusSeconds(7200);
		// the same instant with assorted offsets
		ZoneOffset[] offs = {ZoneOffset.UTC, ZoneOffset.ofHours(-5), ZoneOffset.ofHoursMinutes(5, 30), ZoneOffset.ofHours(14)};
		r.time = t.atOffset(offs[k % offs.length]);
		r.host = k == 12 ? null : "host_" + rng.nextInt(30);
		switch (k) {
			case 0: r.usageUser = Double.NaN; break;
			case 1: r.usageUser = Double.POSITIVE_INFINITY; break;
			case 2: r.usageUser = Double.NEGATIVE_INFINITY; break;
			case 3: r.usageUser = -0.0; break;
			case 4: r.usageUser = null; break;
			case 5: r.usageUser = Double.MIN_VALUE; break;
			case 6: r.usageUser = 1e300; break;
			default: r.usageUser = rng.nextDouble() * 100;
		}
		r.usageIdle = k == 7 ? null : rng.nextInt(10001) / 100.0;
		r.reading = k == 8 ? null : k == 9 ? Integer.MIN_VALUE : k == 10 ? Integer.MAX_VALUE : rng.nextInt(2000000) - 1000000;
		r.note = k % 3 == 0 ? NOTES[k % NOTES.length] : null;
		r.n = k == 11 ? null : k < 20 ? new BigDecimal(NUMERICS[k % NUMERICS.length])
			: new BigDecimal(String.valueOf(rng.nextLong())).movePointLeft(rng.nextInt(30));
		return r;
	}

	static final String COLS = "id, time, host, usage_user, usage_idle, reading, note, n";

	static void createTables(Connection c, String ts, String heap, String options) throws SQLException {
		try (Statement s = c.createStatement()) {
			for (String t : new String[] {ts, heap}) {
				s.execute("DROP TABLE IF EXISTS " + t);
				s.execute("CREATE TABLE " + t + " (id int8 NOT NULL, time timestamptz NOT NULL, host text, usage_user float8, "
					+ "usage_idle float8, reading int4, note text, n numeric)" + (t.equals(ts) ? " USING timeseries" : ""));
			}
			if (options != null)
				s.execute("SELECT timeseries.set_options('" + ts + "', " + options + ")");
		}
	}

	static boolean sameDouble(Double a, Double b) {
		if (a == null || b == null)
			return a == b;
		return Double.doubleToRawLongBits(a) == Double.doubleToRawLongBits(b) || (a.isNaN() && b.isNaN());
	}

	static Double getDouble(ResultSet rs, int col) throws SQLException {
		double d = rs.getDouble(col);
		return rs.wasNull() ? null : d;
	}

	static Integer getInt(ResultSet rs, int col) throws SQLException {
		int d = rs.getInt(col);
		return rs.wasNull() ? null : d;
	}

	static Row readRow(ResultSet rs) throws SQLException {
		Row r = new Row();
		r.id = rs.getLong(1);
		r.time = rs.getObject(2, OffsetDateTime.class);
		r.host = rs.getString(3);
		r.usageUser = getDouble(rs, 4);
		r.usageIdle = getDouble(rs, 5);
		r.reading = getInt(rs, 6);
		r.note = rs.getString(7);
		r.n = rs.getBigDecimal(8);
		// the same instant through java.sql.Timestamp (JVM time zone), nanoseconds included
		Timestamp ts = rs.getTimestamp(2);
		check(ts != null && r.time != null && ts.toInstant().equals(r.time.toInstant()),
			"id " + r.id + ": getTimestamp " + (ts == null ? null : ts.toInstant()) + " differs from getObject " + r.time);
		return r;
	}

	static void compareRow(String where, Row got, Row want) {
		checks++;
		List<String> bad = new ArrayList<>();
		if (got.id != want.id)
			bad.add("id " + got.id);
		if (got.time == null || !got.time.isEqual(want.time))
			bad.add("time " + got.time + ", want " + want.time);
		if (!Objects.equals(got.host, want.host))
			bad.add("host " + got.host + ", want " + want.host);
		if (!sameDouble(got.usageUser, want.usageUser))
			bad.add("usage_user " + got.usageUser + ", want " + want.usageUser);
		if (!sameDouble(got.usageIdle, want.usageIdle))
			bad.add("usage_idle " + got.usageIdle + ", want " + want.usageIdle);
		if (!Objects.equals(got.reading, want.reading))
			bad.add("reading " + got.reading + ", want " + want.reading);
		if (!Objects.equals(got.note, want.note))
			bad.add("note " + got.note + ", want " + want.note);
		if (!Objects.equals(got.n, want.n))     // BigDecimal.equals: the scale too
			bad.add("n " + got.n + ", want " + want.n);
		if (!bad.isEmpty())
			fail(where + ": id " + want.id + ": " + String.join("; ", bad));
	}

	static void compareTable(Connection c, String table, List<Row> want) throws SQLException {
		try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT " + COLS + " FROM " + table + " ORDER BY id")) {
			int i = 0;
			while (rs.next()) {
				Row got = readRow(rs);
				if (i < want.size())
					compareRow(table, got, want.get(i));
				i++;
			}
			check(i == want.size(), table + ": " + i + " rows, want " + want.size());
		}
	}

	static void bind(PreparedStatement ps, Row r) throws SQLException {
		ps.setLong(1, r.id);
		ps.setObject(2, r.time);
		ps.setString(3, r.host);
		if (r.usageUser == null) ps.setNull(4, Types.DOUBLE); else ps.setDouble(4, r.usageUser);
		if (r.usageIdle == null) ps.setNull(5, Types.DOUBLE); else ps.setDouble(5, r.usageIdle);
		if (r.reading == null) ps.setNull(6, Types.INTEGER); else ps.setInt(6, r.reading);
		ps.setString(7, r.note);
		ps.setBigDecimal(8, r.n);
	}

	// ---------------------------------------------------------------- CSV / binary COPY data

	static String csvField(String s) {
		if (s == null)
			return "";
		return "\"" + s.replace("\"", "\"\"") + "\"";
	}

	static String csvDouble(Double d) {
		if (d == null)
			return "";
		if (d.isNaN())
			return "NaN";
		if (d.isInfinite())
			return d > 0 ? "Infinity" : "-Infinity";
		return Double.toString(d);      // -0.0, 4.9E-324, 1.0E300: PostgreSQL reads them all
	}

	static String csvLine(Row r) {
		return r.id + "," + r.time + "," + csvField(r.host) + "," + csvDouble(r.usageUser) + "," + csvDouble(r.usageIdle) + ","
			+ (r.reading == null ? "" : r.reading.toString()) + "," + csvField(r.note) + "," + (r.n == null ? "" : r.n.toPlainString()) + "\n";
	}

	static final long PG_EPOCH_MICROS = Instant.parse("2000-01-01T00:00:00Z").getEpochSecond() * 1000000L;

	// one tuple in COPY BINARY format, without n (numeric's binary form is not worth building here)
	static void binaryTuple(DataOutputStream out, Row r) throws IOException {
		out.writeShort(7);
		out.writeInt(8);
		out.writeLong(r.id);
		Instant t = r.time.toInstant();
		out.writeInt(8);
		out.writeLong(t.getEpochSecond() * 1000000L + t.getNano() / 1000 - PG_EPOCH_MICROS);
		writeText(out, r.host);
		if (r.usageUser == null) out.writeInt(-1); else { out.writeInt(8); out.writeLong(Double.doubleToRawLongBits(r.usageUser)); }
		if (r.usageIdle == null) out.writeInt(-1); else { out.writeInt(8); out.writeLong(Double.doubleToRawLongBits(r.usageIdle)); }
		if (r.reading == null) out.writeInt(-1); else { out.writeInt(4); out.writeInt(r.reading); }
		writeText(out, r.note);
	}

	static void writeText(DataOutputStream out, String s) throws IOException {
		if (s == null) {
			out.writeInt(-1);
			return;
		}
		byte[] b = s.getBytes(StandardCharsets.UTF_8);
		out.writeInt(b.length);
		out.write(b);
	}

	// ---------------------------------------------------------------- tests

	static void testBatchesAndCopy(Connection c) throws Exception {
		String[] tables = {"w_ts", "w_heap"};
		createTables(c, "w_ts", "w_heap", "segment_by => '{host}', chunk_rows => 4000");
		Random rng = new Random(7);
		List<Row> rows = new ArrayList<>();

		// 1. batches, rewritten into multi-row INSERTs by the driver, autocommit
		List<Row> batch = new ArrayList<>();
		for (int i = 0; i < 30000; i++)
			batch.add(makeRow(rng, rows.size() + i));
		for (String t : tables) {
			try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t + " (" + COLS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
				long rewritten = 0;
				for (int i = 0; i < batch.size(); i++) {
					bind(ps, batch.get(i));
					ps.addBatch();
					if (i % 5000 == 4999 || i == batch.size() - 1) {
						for (int cnt : ps.executeBatch())
							rewritten += cnt == Statement.SUCCESS_NO_INFO ? 1 : 0;
					}
				}
				// the driver reports SUCCESS_NO_INFO for the rows of the multi-row INSERTs it made
				check(rewritten == batch.size(), t + ": " + rewritten + " of " + batch.size() + " batch rows were rewritten into multi-row INSERTs");
			}
		}
		rows.addAll(batch);

		// 2. a batch in a transaction that is rolled back, then one that fails on a NOT NULL violation
		c.setAutoCommit(false);
		for (String t : tables) {
			try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t + " (" + COLS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
				for (int i = 0; i < 3000; i++) {
					bind(ps, makeRow(new Random(i), 1000000 + i));
					ps.addBatch();
				}
				ps.executeBatch();
			}
			try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + t + " WHERE id >= 1000000")) {
				rs.next();
				check(rs.getLong(1) == 3000, t + ": the transaction does not see its own batch: " + rs.getLong(1));
			}
			c.rollback();
			try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t + " (" + COLS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
				for (int i = 0; i < 1000; i++) {
					Row r = makeRow(new Random(i), 2000000 + i);
					if (i == 700)
						r.time = null;
					bind(ps, r);
					ps.addBatch();
				}
				ps.executeBatch();
				fail(t + ": a batch with a NULL time did not fail");
			} catch (BatchUpdateException e) {
				checks++;
			}
			c.rollback();
		}
		c.setAutoCommit(true);

		// 3. CopyManager: CSV text through a Reader, binary in pieces through CopyIn
		CopyManager cm = ((PGConnection) c).getCopyAPI();
		List<Row> csvRows = new ArrayList<>();
		StringBuilder csv = new StringBuilder();
		for (int i = 0; i < 20000; i++) {
			Row r = makeRow(rng, rows.size() + i);
			csvRows.add(r);
			csv.append(csvLine(r));
		}
		for (String t : tables) {
			long n = cm.copyIn("COPY " + t + " (" + COLS + ") FROM STDIN (FORMAT csv)", new StringReader(csv.toString()));
			check(n == csvRows.size(), t + ": copyIn (csv) reported " + n + " rows");
		}
		rows.addAll(csvRows);

		List<Row> binRows = new ArrayList<>();
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		DataOutputStream out = new DataOutputStream(bytes);
		out.write("PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1));
		out.writeInt(0);
		out.writeInt(0);
		for (int i = 0; i < 10000; i++) {
			Row r = makeRow(rng, rows.size() + i);
			r.n = null;                 // not in the binary COPY's column list
			binRows.add(r);
			binaryTuple(out, r);
		}
		out.writeShort(-1);
		byte[] data = bytes.toByteArray();
		for (String t : tables) {
			CopyIn ci = cm.copyIn("COPY " + t + " (id, time, host, usage_user, usage_idle, reading, note) FROM STDIN (FORMAT binary)");
			for (int off = 0; off < data.length;) {
				int len = Math.min(1 + rng.nextInt(50000), data.length - off);
				ci.writeToCopy(data, off, len);
				off += len;
			}
			long n = ci.endCopy();
			check(n == binRows.size(), t + ": copyIn (binary) reported " + n + " rows");
		}
		rows.addAll(binRows);
		System.out.println("written: " + rows.size() + " rows into each table (batches, copyIn csv and binary)");
		try (Statement s = c.createStatement()) {
			s.execute("ANALYZE w_ts");
		}

		// read back
		for (String t : tables)
			compareTable(c, t, rows);

		// copyOut: the timeseries table's output equals the heap twin's, text and binary
		for (String fmt : new String[] {"text", "csv", "binary"}) {
			String[] outs = new String[2];
			byte[][] bouts = new byte[2][];
			for (int i = 0; i < 2; i++) {
				String sql = "COPY (SELECT * FROM " + tables[i] + " ORDER BY id) TO STDOUT (FORMAT " + fmt + ")";
				if (fmt.equals("binary")) {
					ByteArrayOutputStream b = new ByteArrayOutputStream();
					cm.copyOut(sql, b);
					bouts[i] = b.toByteArray();
				} else {
					StringWriter w = new StringWriter();
					cm.copyOut(sql, w);
					outs[i] = w.toString();
				}
			}
			if (fmt.equals("binary"))
				check(Arrays.equals(bouts[0], bouts[1]) && bouts[0].length > 100000,
					"copyOut (binary): w_ts " + bouts[0].length + " bytes differ from w_heap's " + bouts[1].length);
			else
				check(outs[0].equals(outs[1]) && outs[0].length() > 100000,
					"copyOut (" + fmt + "): w_ts " + outs[0].length() + " chars differ from w_heap's " + outs[1].length());
		}
		// copyOut csv of the whole table (scan order): every id exactly once
		StringWriter w = new StringWriter();
		long n = cm.copyOut("COPY w_ts (id) TO STDOUT", w);
		BitSet seen = new BitSet();
		int dup = 0;
		for (String line : w.toString().split("\n")) {
			int id = Integer.parseInt(line);
			if (seen.get(id))
				dup++;
			seen.set(id);
		}
		check(n == rows.size() && dup == 0 && seen.cardinality() == rows.size(),
			"copyOut w_ts (id): " + n + " rows, " + dup + " duplicates, " + seen.cardinality() + " distinct, want " + rows.size());
		try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM timeseries.verify('w_ts')")) {
			while (rs.next())
				fail("verify(w_ts): " + rs.getString(1) + ": " + rs.getString(2));
		}
	}

	static final int BIG = 200000;

	static OffsetDateTime bigTime(long i) {
		return BASE.plusSeconds(i * 5).plus(i % 1000, ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
	}

	static void testFetchSize(Connection c) throws SQLException {
		try (Statement s = c.createStatement()) {
			for (String t : new String[] {"big_ts", "big_heap"}) {
				s.execute("DROP TABLE IF EXISTS " + t);
				s.execute("CREATE TABLE " + t + " (id int8, time timestamptz NOT NULL, host text, value float8)"
					+ (t.equals("big_ts") ? " USING timeseries" : ""));
				s.execute("INSERT INTO " + t + " SELECT i, '2024-03-01 00:00:00+00'::timestamptz + i * interval '5 s' + "
					+ "(i % 1000) * interval '1 us', 'host_' || i % 40, CASE WHEN i % 97 <> 0 THEN (i % 1000) / 4.0 END "
					+ "FROM generate_series(0, " + (BIG - 1) + ") i");
				s.execute("ANALYZE " + t);
			}
		}
		c.setAutoCommit(false);     // a cursor (portal) is only used outside autocommit
		long start = System.nanoTime();
		long streamed = 0;
		try (PreparedStatement ps = c.prepareStatement("SELECT id, time, host, value FROM big_ts WHERE time >= ? ORDER BY time")) {
			ps.setFetchSize(1000);
			ps.setObject(1, bigTime(0));
			try (ResultSet rs = ps.executeQuery()) {
				long i = 0;
				while (rs.next()) {
					if (i == 5000) {
						// the rest is still on the server: the portal is open
						try (Statement s2 = c.createStatement(); ResultSet r2 = s2.executeQuery("SELECT count(*) FROM pg_cursors")) {
							r2.next();
							check(r2.getLong(1) >= 1, "setFetchSize: no open portal while streaming");
						}
					}
					long id = rs.getLong(1);
					OffsetDateTime t = rs.getObject(2, OffsetDateTime.class);
					String host = rs.getString(3);
					Double v = getDouble(rs, 4);
					Double want = i % 97 != 0 ? (i % 1000) / 4.0 : null;
					if (id != i || !t.isEqual(bigTime(i)) || !host.equals("host_" + i % 40) || !sameDouble(v, want)) {
						fail("big_ts stream row " + i + ": " + id + ", " + t + ", " + host + ", " + v);
						break;
					}
					i++;
				}
				check(i == BIG, "big_ts stream: " + i + " rows, want " + BIG);
				streamed = i;
			}
		}
		System.out.printf("setFetchSize stream: %d rows in time order in %.1f s%n", streamed, (System.nanoTime() - start) / 1e9);
		// a time range in scan order: every id in the range once
		try (PreparedStatement ps = c.prepareStatement("SELECT id, time, value FROM big_ts WHERE time >= ? AND time < ?")) {
			ps.setFetchSize(777);
			for (int[] r : new int[][] {{1000, 150000}, {0, 1}, {199990, 200000}, {5000, 5000}}) {
				ps.setObject(1, bigTime(r[0]));
				ps.setObject(2, bigTime(r[1]));
				BitSet seen = new BitSet();
				int n = 0;
				boolean ok = true;
				try (ResultSet rs = ps.executeQuery()) {
					while (rs.next()) {
						int id = (int) rs.getLong(1);
						if (id < r[0] || id >= r[1] || seen.get(id) || !rs.getObject(2, OffsetDateTime.class).isEqual(bigTime(id)))
							ok = false;
						seen.set(id);
						n++;
					}
				}
				check(ok && n == r[1] - r[0], "big_ts range [" + r[0] + ", " + r[1] + "): " + n + " rows (ok " + ok + ")");
			}
		}
		c.commit();
		c.setAutoCommit(true);
	}

	static final String DASH = "SELECT /* jdbc_dash */ timeseries.time_bucket(?::interval, time) AS bucket, host, avg(value), "
		+ "min(value), max(value), count(*), count(value) FROM %s WHERE time >= ? AND time < ? GROUP BY 1, 2 ORDER BY 1, 2";
	static final String DASH_HOSTS = "SELECT /* jdbc_dash_hosts */ timeseries.time_bucket('10 minutes', time) AS bucket, host, avg(value), max(value), "
		+ "count(*) FROM %s WHERE time >= ? AND time < ? AND host = ANY(?) GROUP BY 1, 2 ORDER BY 1, 2";

	static boolean closeEnough(ResultSet a, ResultSet b, int col) throws SQLException {
		Object x = a.getObject(col);
		Object y = b.getObject(col);
		if (x instanceof Double && y instanceof Double) {
			double u = (Double) x, v = (Double) y;
			return sameDouble(u, v) || Math.abs(u - v) <= 1e-9 * Math.max(1, Math.max(Math.abs(u), Math.abs(v)));
		}
		if (x instanceof java.sql.Timestamp && y instanceof java.sql.Timestamp)
			return x.equals(y);
		return Objects.equals(x, y);
	}

	static void testDashboards(Connection c) throws SQLException {
		try (Statement s = c.createStatement()) {
			s.execute("SET plan_cache_mode = force_generic_plan");
		}
		String[][] cases = {
			{"5 minutes", "2024-03-01T01:00:00Z", "2024-03-01T03:00:00Z"},
			{"1 hour", "2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z"},
			{"1 day", "2024-02-01T00:00:00Z", "2024-04-01T00:00:00Z"},
			{"30 seconds", "2024-03-05T10:00:00.000001Z", "2024-03-05T10:20:00Z"},
			{"1 minute", "2024-03-10T00:00:00Z", "2024-03-13T00:00:00Z"},
			{"15 minutes", "2024-03-03T00:00:00Z", "2024-03-03T00:00:00Z"},
			{"2 hours", "2024-03-11T12:00:00Z", "2024-03-12T12:00:00Z"},
		};
		long total = 0;
		for (String q : new String[] {DASH, DASH_HOSTS}) {
			try (PreparedStatement pts = c.prepareStatement(String.format(q, "big_ts"));
					PreparedStatement pheap = c.prepareStatement(String.format(q, "big_heap"))) {
				// a named server-side statement from the first execution
				pts.unwrap(PGStatement.class).setPrepareThreshold(1);
				pheap.unwrap(PGStatement.class).setPrepareThreshold(1);
				for (String[] cs : cases) {
					for (PreparedStatement ps : new PreparedStatement[] {pts, pheap}) {
						int p = 1;
						if (q == DASH)
							ps.setString(p++, cs[0]);
						ps.setObject(p++, OffsetDateTime.parse(cs[1]));
						ps.setObject(p++, OffsetDateTime.parse(cs[2]));
						if (q == DASH_HOSTS)
							ps.setArray(p++, c.createArrayOf("text", new String[] {"host_1", "host_2", "host_39", "nohost"}));
					}
					String where = (q == DASH ? "dashboard " + cs[0] : "dashboard by hosts") + " [" + cs[1] + ", " + cs[2] + ")";
					try (ResultSet a = pts.executeQuery(); ResultSet b = pheap.executeQuery()) {
						int rows = 0;
						while (true) {
							boolean na = a.next(), nb = b.next();
							if (na != nb) {
								fail(where + ": the timeseries result has " + (na ? "more" : "fewer") + " rows than the heap's (after " + rows + ")");
								break;
							}
							if (!na)
								break;
							rows++;
							checks++;
							for (int col = 1; col <= a.getMetaData().getColumnCount(); col++)
								if (!closeEnough(a, b, col)) {
									fail(where + ": row " + rows + " column " + a.getMetaData().getColumnName(col) + ": "
										+ a.getObject(col) + ", heap " + b.getObject(col));
									break;
								}
						}
						total += rows;
					}
				}
			}
		}
		check(total > 1000, "the dashboard queries returned only " + total + " rows");
		try (Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT name, statement, generic_plans, custom_plans FROM pg_prepared_statements "
					+ "WHERE statement LIKE '%jdbc_dash%big_ts%'")) {
			int n = 0;
			List<String[]> names = new ArrayList<>();
			while (rs.next()) {
				n++;
				check(rs.getLong(3) >= cases.length && rs.getLong(4) == 0,
					"statement " + rs.getString(1) + " ran " + rs.getLong(3) + " generic and " + rs.getLong(4) + " custom plans");
				names.add(new String[] {rs.getString(1), rs.getString(2)});
			}
			check(n == 2, n + " server-prepared dashboard statements, want 2");
			for (String[] nm : names) {
				String args = nm[1].contains("ANY(") ? "'2024-03-01', '2024-03-02', '{host_1}'" : "'1 hour', '2024-03-01', '2024-03-02'";
				StringBuilder plan = new StringBuilder();
				try (ResultSet p = s.executeQuery("EXPLAIN (COSTS OFF) EXECUTE \"" + nm[0] + "\"(" + args + ")")) {
					while (p.next())
						plan.append(p.getString(1)).append('\n');
				}
				check(plan.indexOf("Timeseries") >= 0, "the generic plan of " + nm[0] + " does not use the custom scan:\n" + plan);
			}
			s.execute("RESET plan_cache_mode");
		}
	}

	public static void main(String[] args) throws Exception {
		url = args[0];
		user = args[1];
		long start = System.nanoTime();
		try (Connection c = connect("&reWriteBatchedInserts=true")) {
			System.out.println("pgjdbc " + c.getMetaData().getDriverVersion() + ", JVM time zone " + java.util.TimeZone.getDefault().getID());
			testBatchesAndCopy(c);
			System.out.println("batches and copy compared (" + failures + " failures so far)");
			testFetchSize(c);
			System.out.println("setFetchSize streaming compared (" + failures + " failures so far)");
			testDashboards(c);
			System.out.println("dashboards compared (" + failures + " failures so far)");
		}
		double secs = (System.nanoTime() - start) / 1e9;
		if (failures > 0) {
			System.out.printf("jdbc: %d of %d checks FAILED (%.1f s)%n", failures, checks, secs);
			System.exit(1);
		}
		System.out.printf("jdbc: all %d checks passed (%.1f s)%n", checks, secs);
	}
}
