// node-postgres (pg) and pg-copy-streams against timeseries tables.
//
// Parameterized single-row and multi-row INSERTs, concurrent inserts through
// a pg.Pool, COPY FROM STDIN and COPY TO STDOUT (text and binary) through
// pg-copy-streams, type round-trips (timestamptz to the microsecond as text
// and as Date, float8 NaN/Infinity/-Infinity/-0, numeric with many digits,
// jsonb, bool, text[], NULLs), and dashboard queries as named prepared
// statements under generic plans, compared with a heap twin.  Every value
// read back is compared with what was written.
//
// Run from a directory where `npm ci` installed package.json's versions;
// connection parameters from the environment (PGHOST, PGPORT, PGUSER,
// PGDATABASE).  Exits 1 on any mismatch.
'use strict';

const assert = require('node:assert');
const { Readable, Writable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const pg = require('pg');
const { from: copyFrom, to: copyTo } = require('pg-copy-streams');

let failures = 0;
let checks = 0;

function fail(msg) {
  failures++;
  if (failures <= 50) console.log('FAIL: ' + msg);
}

function check(cond, msg) {
  checks++;
  if (!cond) fail(typeof msg === 'function' ? msg() : msg);
}

// deterministic random numbers (mulberry32)
let seed = 12345;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const randInt = (n) => Math.floor(rand() * n);

// 2024-03-01 00:00:00 UTC, in microseconds since 1970 (below 2^53)
const BASE_US = Date.UTC(2024, 2, 1) * 1000;

// timestamptz as PostgreSQL prints it with TimeZone = UTC
function tsText(us) {
  const s = Math.floor(us / 1e6);
  const frac = us - s * 1e6;
  const d = new Date(s * 1000).toISOString();   // 2024-03-01T00:00:00.000Z
  let out = d.slice(0, 10) + ' ' + d.slice(11, 19);
  if (frac) out += '.' + String(frac).padStart(6, '0').replace(/0+$/, '');
  return out + '+00';
}

const NUMERICS = [
  '3.14159265358979323846264338327950288419716939937510582097494459230781640628620899',
  '-0.0000000000000000000000000000000000000000000000000001',
  '123456789012345678901234567890123456789012345678901234567890.000000000000000000001',
  '1.10', '0', '-0.5', '100.000000', 'NaN', 'Infinity', '-Infinity',
];
const TEXTS = ['', 'plain', 'tab\there', 'new\nline', 'back\\slash', 'zürich ✓ 東京', '\\N', 'quote \' " ,', 'NULL'];

// one row: [id, time (us), host, f, n, j, b, tags]; floats as JS numbers, -0 included
function makeRow(id) {
  const k = randInt(40);
  const us = BASE_US + id * 3e6 + randInt(1e6) - (k === 13 ? 3600e6 : 0);
  const f = [NaN, Infinity, -Infinity, -0, null, 5e-324, 1.7976931348623157e308][k] ?? rand() * 100;
  const n = k === 7 ? null : k < 20 ? NUMERICS[k % NUMERICS.length]
    : (randInt(2) ? '-' : '') + String(1 + randInt(1e9)) + String(randInt(1e9)) + '.' + String(randInt(1e9)).padStart(9, '0');
  const j = k === 8 ? null : { id, host: 'h' + (id % 7), nested: { x: k / 4, list: [1, 'two', null, true] },
    text: TEXTS[k % TEXTS.length], big: 1234567890123 };
  const b = k === 9 ? null : k % 2 === 0;
  const tags = k === 10 ? null : k === 11 ? [] : ['a', TEXTS[k % TEXTS.length], null];
  const host = k === 12 ? null : 'host_' + randInt(20);
  return [id, us, host, f, n, j, b, tags];
}

// the parameter values node-postgres sends for a row
function rowParams(r, dateForTime) {
  const [id, us, host, f, n, j, b, tags] = r;
  return [String(id), dateForTime ? new Date(us / 1000) : tsText(us), host,
    Object.is(f, -0) ? '-0' : f,    // String(-0) is "0": the sign needs the text
    n, j === null ? null : JSON.stringify(j), b, tags];
}

const COLS = 'id, time, host, f, n, j, b, tags';
const CREATE = (name, using) => `CREATE TABLE ${name} (id int8 NOT NULL, time timestamptz NOT NULL, host text,
  f float8, n numeric, j jsonb, b bool, tags text[])${using}`;

function sameFloat(a, b) {
  if (a === null || b === null) return a === b;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Object.is(a, b);
}

function deepEqual(a, b) {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch (e) {
    return false;
  }
}

// compare result rows (timestamptz as raw text) with written rows, by id
function compareRows(where, got, want) {
  check(got.length === want.length, () => `${where}: ${got.length} rows, want ${want.length}`);
  const n = Math.min(got.length, want.length);
  for (let i = 0; i < n; i++) {
    const g = got[i];
    const [id, us, host, f, num, j, b, tags] = want[i];
    const bad = [];
    if (g.id !== String(id)) bad.push(`id ${g.id}`);
    if (g.time !== tsText(us)) bad.push(`time ${g.time}, want ${tsText(us)}`);
    if (g.host !== host) bad.push(`host ${g.host}, want ${host}`);
    if (!sameFloat(g.f, f)) bad.push(`f ${g.f}, want ${f}`);
    if (g.n !== num) bad.push(`n ${g.n}, want ${num}`);
    if (!deepEqual(g.j, j)) bad.push(`j ${JSON.stringify(g.j)}, want ${JSON.stringify(j)}`);
    if (g.b !== b) bad.push(`b ${g.b}, want ${b}`);
    if (!deepEqual(g.tags, tags)) bad.push(`tags ${JSON.stringify(g.tags)}, want ${JSON.stringify(tags)}`);
    checks++;
    if (bad.length) fail(`${where}: row id ${id}: ${bad.join('; ')}`);
  }
}

// type parsers: timestamptz as PostgreSQL's text (microseconds), the rest as node-postgres parses them
const rawTimestamptz = {
  getTypeParser(oid, format) {
    if (oid === 1184) return (v) => v;
    return pg.types.getTypeParser(oid, format);
  },
};

async function connect(opts = {}) {
  const client = new pg.Client(opts);
  await client.connect();
  await client.query("SET client_min_messages = warning; SET TimeZone = 'UTC'");
  return client;
}

// COPY text format escaping
function copyField(v) {
  if (v === null || v === undefined) return '\\N';
  return String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function pgArrayLiteral(a) {
  return '{' + a.map((x) => (x === null ? 'NULL' : '"' + x.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"')).join(',') + '}';
}

function copyLine(r) {
  const [id, us, host, f, n, j, b, tags] = r;
  const ftext = f === null ? null : Object.is(f, -0) ? '-0' : Number.isNaN(f) ? 'NaN' : String(f);
  return [id, tsText(us), host, ftext, n, j === null ? null : JSON.stringify(j),
    b === null ? null : b ? 't' : 'f', tags === null ? null : pgArrayLiteral(tags)].map(copyField).join('\t') + '\n';
}

async function copyOut(client, sql) {
  const chunks = [];
  await pipeline(client.query(copyTo(sql)), new Writable({
    write(chunk, enc, cb) { chunks.push(chunk); cb(); },
  }));
  return Buffer.concat(chunks);
}

async function testWrites() {
  const client = await connect({ types: rawTimestamptz });
  const tables = ['w_ts', 'w_heap'];
  await client.query('DROP TABLE IF EXISTS w_ts, w_heap');
  await client.query(CREATE('w_ts', ' USING timeseries'));
  await client.query(CREATE('w_heap', ''));
  await client.query("SELECT timeseries.set_options('w_ts', chunk_rows => 3000)");

  const rows = [];
  // 1. single-row parameterized INSERTs (autocommit), time as text or as a Date (milliseconds)
  for (let i = 0; i < 1500; i++) {
    const r = makeRow(rows.length);
    const asDate = i % 3 === 0;
    if (asDate) r[1] = Math.floor(r[1] / 1000) * 1000;   // a Date carries milliseconds
    for (const t of tables) {
      const res = await client.query(`INSERT INTO ${t} (${COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        rowParams(r, asDate));
      check(res.rowCount === 1, `${t}: INSERT rowCount ${res.rowCount}`);
    }
    rows.push(r);
  }
  // 2. multi-row INSERTs, 100 rows and 800 parameters each
  for (let s = 0; s < 20; s++) {
    const batch = [];
    for (let i = 0; i < 100; i++) batch.push(makeRow(rows.length + i));
    const values = batch.map((r, i) => '(' + Array.from({ length: 8 }, (_, c) => '$' + (i * 8 + c + 1)).join(', ') + ')');
    for (const t of tables) {
      const res = await client.query(`INSERT INTO ${t} (${COLS}) VALUES ${values.join(', ')}`,
        batch.flatMap((r) => rowParams(r, false)));
      check(res.rowCount === 100, `${t}: multi-row INSERT rowCount ${res.rowCount}`);
    }
    rows.push(...batch);
  }
  // 3. COPY FROM STDIN (text format) through pg-copy-streams, fed in uneven pieces
  const copyRows = [];
  for (let i = 0; i < 20000; i++) copyRows.push(makeRow(rows.length + i));
  const text = Buffer.from(copyRows.map(copyLine).join(''));
  for (const t of tables) {
    const pieces = [];
    for (let off = 0; off < text.length;) {
      const n = 1 + randInt(40000);
      pieces.push(text.subarray(off, off + n));
      off += n;
    }
    const stream = client.query(copyFrom(`COPY ${t} (${COLS}) FROM STDIN`));
    await pipeline(Readable.from(pieces), stream);
    check(Number(stream.rowCount) === copyRows.length, `${t}: COPY FROM rowCount ${stream.rowCount}`);
  }
  rows.push(...copyRows);
  // 4. concurrent single-row INSERTs from a pool of 4 connections
  const pool = new pg.Pool({ max: 4, options: '-c TimeZone=UTC' });
  const poolRows = [];
  for (let i = 0; i < 800; i++) poolRows.push(makeRow(rows.length + i));
  await Promise.all(poolRows.flatMap((r) => tables.map((t) =>
    pool.query(`INSERT INTO ${t} (${COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, rowParams(r, false)))));
  await pool.end();
  rows.push(...poolRows);
  console.log(`written: ${rows.length} rows into each table (single-row, multi-row, COPY, pool)`);
  await client.query('ANALYZE w_ts');

  // read back: SELECT (timestamptz as text), and with the default parsers (Date)
  for (const t of tables) {
    const res = await client.query(`SELECT ${COLS} FROM ${t} ORDER BY id`);
    compareRows(`${t} SELECT`, res.rows, rows);
  }
  const dclient = await connect();
  const dres = await dclient.query('SELECT id, time FROM w_ts ORDER BY id');
  check(dres.rows.length === rows.length, 'Date read: row count');
  for (let i = 0; i < Math.min(dres.rows.length, rows.length); i++) {
    const d = dres.rows[i].time;
    checks++;
    if (!(d instanceof Date) || d.getTime() !== Math.floor(rows[i][1] / 1000))
      fail(`w_ts Date: id ${rows[i][0]}: ${d}, want ${new Date(Math.floor(rows[i][1] / 1000)).toISOString()}`);
  }
  await dclient.end();

  // parameterized point and range reads
  for (let k = 0; k < 50; k++) {
    const r = rows[randInt(rows.length)];
    for (const t of tables) {
      const res = await client.query(`SELECT ${COLS} FROM ${t} WHERE id = $1 AND time = $2`, [String(r[0]), tsText(r[1])]);
      compareRows(`${t} point read`, res.rows, [r]);
    }
  }
  for (let k = 0; k < 10; k++) {
    const lo = BASE_US + randInt(60000) * 1e6 + randInt(1e6);
    const hi = lo + randInt(3600) * 1e6;
    const want = rows.filter((r) => r[1] >= lo && r[1] < hi).sort((a, b) => a[0] - b[0]);
    for (const t of tables) {
      const res = await client.query({ name: `range_${t}`, text: `SELECT ${COLS} FROM ${t} WHERE time >= $1 AND time < $2 ORDER BY id`,
        values: [tsText(lo), tsText(hi)] });
      compareRows(`${t} range [${tsText(lo)}, ${tsText(hi)})`, res.rows, want);
    }
  }

  // COPY TO STDOUT: text output parsed and compared; text and binary equal to the heap twin's
  const outs = {};
  for (const fmt of ['text', 'binary']) {
    for (const t of tables)
      outs[t + fmt] = await copyOut(client, `COPY (SELECT ${COLS} FROM ${t} ORDER BY id) TO STDOUT (FORMAT ${fmt})`);
    check(outs['w_ts' + fmt].equals(outs['w_heap' + fmt]) && outs['w_ts' + fmt].length > 100000,
      `COPY TO (FORMAT ${fmt}): w_ts's output (${outs['w_ts' + fmt].length} bytes) differs from w_heap's (${outs['w_heap' + fmt].length} bytes)`);
  }
  // the COPY text output parsed back into values, as node-postgres would parse them
  const lines = outs.w_tstext.toString().split('\n');
  check(lines.pop() === '' && lines.length === rows.length, `COPY TO: ${lines.length} lines, want ${rows.length}`);
  const unescape = (x) => (x === '\\N' ? null : x.replace(/\\(.)/g, (m, c) => ({ t: '\t', n: '\n', r: '\r' })[c] ?? c));
  const parseArray = pg.types.getTypeParser(1009);
  const parsed = lines.map((line) => {
    const [id, time, host, f, n, j, b, tags] = line.split('\t').map(unescape);
    return { id, time, host, f: f === null ? null : parseFloat(f), n, j: j === null ? null : JSON.parse(j),
      b: b === null ? null : b === 't', tags: tags === null ? null : parseArray(tags) };
  });
  compareRows('w_ts COPY TO (text, parsed)', parsed, rows);
  const v = await client.query("SELECT first_row, problem FROM timeseries.verify('w_ts')");
  for (const r of v.rows) fail(`verify(w_ts): ${JSON.stringify(r)}`);
  await client.end();
  return rows;
}

// Named prepared statements with changing parameters, generic plans, against the heap twin
async function testDashboards() {
  const client = await connect({ types: rawTimestamptz });
  await client.query('DROP TABLE IF EXISTS d_ts, d_heap');
  for (const [t, using] of [['d_ts', ' USING timeseries'], ['d_heap', '']]) {
    await client.query(`CREATE TABLE ${t} (time timestamptz NOT NULL, host text, usage_user float8, usage_idle float8)${using}`);
    if (using) await client.query(`SELECT timeseries.set_options('${t}', segment_by => '{host}', chunk_rows => 10000)`);
    await client.query(`INSERT INTO ${t} SELECT '2024-03-01'::timestamptz + i * interval '10 s', 'host_' || i % 25,
        CASE WHEN i % 997 = 0 THEN 'NaN' WHEN i % 991 = 0 THEN 'Infinity' ELSE (i * 7919 % 10000) / 100.0 END,
        CASE WHEN i % 13 <> 0 THEN (i % 1000) / 3.0 END
      FROM generate_series(0, 99999) i`);
    await client.query(`ANALYZE ${t}`);
  }
  await client.query('SET plan_cache_mode = force_generic_plan');
  const q = (t) => `SELECT timeseries.time_bucket('15 minutes', time) AS bucket, host, avg(usage_user) AS avg_user,
      max(usage_user) AS max_user, avg(usage_idle) AS avg_idle, count(*) AS n
    FROM ${t} WHERE time >= $1 AND time < $2 AND host = ANY($3) GROUP BY 1, 2 ORDER BY 1, 2`;
  const allHosts = Array.from({ length: 25 }, (_, i) => 'host_' + i);
  const cases = [
    ['2024-03-01 00:00:00+00', '2024-03-01 06:00:00+00', allHosts],
    ['2024-03-02 10:00:00.5+00', '2024-03-02 12:00:00+00', ['host_1', 'host_2']],
    ['2024-03-05 00:00:00+00', '2024-03-10 00:00:00+00', ['host_7']],
    ['2024-02-01 00:00:00+00', '2024-04-01 00:00:00+00', ['host_0', 'host_24', 'nohost']],
    ['2024-03-03 00:00:00+00', '2024-03-03 00:00:00+00', allHosts],
    ['2024-03-11 00:00:00+00', '2024-03-12 00:00:00+00', allHosts],
    ['2024-03-01 23:59:59.999999+00', '2024-03-02 00:15:00.000001+00', allHosts],
    ['2024-03-04 12:00:00+01', '2024-03-04 18:00:00-05', ['host_3', 'host_4', 'host_5']],
  ];
  let total = 0;
  for (const values of cases) {
    const a = await client.query({ name: 'dash_ts', text: q('d_ts'), values });
    const b = await client.query({ name: 'dash_heap', text: q('d_heap'), values });
    total += a.rows.length;
    const where = `dashboard [${values[0]}, ${values[1]}) ${values[2].length} hosts`;
    check(a.rows.length === b.rows.length, `${where}: ${a.rows.length} rows, heap ${b.rows.length}`);
    for (let i = 0; i < Math.min(a.rows.length, b.rows.length); i++) {
      const x = a.rows[i];
      const y = b.rows[i];
      const close = (u, v) => sameFloat(u, v) ||
        (Number.isFinite(u) && Number.isFinite(v) && Math.abs(u - v) <= 1e-9 * Math.max(1, Math.abs(u), Math.abs(v)));
      checks++;
      if (x.bucket !== y.bucket || x.host !== y.host || x.n !== y.n || !sameFloat(x.max_user, y.max_user) ||
          !close(x.avg_user, y.avg_user) || !close(x.avg_idle, y.avg_idle)) {
        fail(`${where}: row ${i}: ${JSON.stringify(x)}, heap ${JSON.stringify(y)}`);
        break;
      }
    }
  }
  check(total > 300, `the dashboard queries returned only ${total} rows`);
  const ps = await client.query(`SELECT name, generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'dash_ts'`);
  check(ps.rows.length === 1 && Number(ps.rows[0].generic_plans) === cases.length && Number(ps.rows[0].custom_plans) === 0,
    `dash_ts did not run generic plans: ${JSON.stringify(ps.rows)}`);
  const plan = (await client.query(
    "EXPLAIN (COSTS OFF) EXECUTE dash_ts('2024-03-01', '2024-03-02', '{host_1}')")).rows.map((r) => r['QUERY PLAN']).join('\n');
  check(/TimeseriesAgg/.test(plan), `the generic plan of dash_ts does not aggregate in TimeseriesAgg:\n${plan}`);
  await client.end();
}

async function main() {
  const start = Date.now();
  console.log(`node ${process.version}, pg ${require('pg/package.json').version}, pg-copy-streams ${require('pg-copy-streams/package.json').version}`);
  await testWrites();
  console.log(`writes compared (${failures} failures so far)`);
  await testDashboards();
  console.log(`dashboards compared (${failures} failures so far)`);
  const secs = ((Date.now() - start) / 1000).toFixed(1);
  if (failures) {
    console.log(`node: ${failures} of ${checks} checks FAILED (${secs} s)`);
    process.exit(1);
  }
  console.log(`node: all ${checks} checks passed (${secs} s)`);
}

main().catch((e) => {
  console.log('FATAL: ' + (e.stack || e));
  process.exit(1);
});
