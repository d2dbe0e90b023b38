// decode-bench.mjs --frame <file> [--warmup-ms 3000] [--measure-ms 10000] [--protocol v3|v2] [--mode sdk|rows]
//
// Times the OFFICIAL spacetimedb TypeScript SDK decoding one server frame that holds a
// v2 TransactionUpdate (see make-frame.mjs), prints ONE JSON line.
//
// --mode sdk  (default) the SDK's own code path for an arriving TransactionUpdate:
//     websocket_decompress_adapter.ts  tag byte 0 -> frame.subarray(1)
//     db_connection_impl.ts            #processMessage -> websocket_v3_frames.ts forEachServerMessageV3
//                                      (or, --protocol v2, #messageReader.reset + ServerMessage.deserialize)
//                                      -> #applyTransactionUpdates -> #querySetUpdateToTableUpdates
//                                      -> #tableUpdateRowsToOperations -> #parseRowList (row deserializer
//                                      = ProductType.makeDeserializer(table.rowType), rowId = base64 of the
//                                      row bytes because the table has no primary key) -> #mergeTableUpdates
//     stopping before #applyTableUpdates (client cache + callbacks). Called through one injected
//     static hook (see sdk.mjs); all decoding code is the SDK's, unmodified.
// --mode rows  lower bound: ServerMessage.deserialize + the same row deserializer for every row,
//     without the SDK's rowId (base64) and Operation wrapping. Same SDK functions, our loop.
import fs from 'node:fs';
import { sdk, PKG_VERSION, REMOTE_MODULE, PLAYER_TABLE, ROWS, expectedRow } from './sdk.mjs';

const { api, BinaryReader, ProductType, DbConnectionImpl, EventEmitter, Identity, Timestamp, setGlobalLogLevel } = sdk;
// The SDK logs 'Connecting to SpacetimeDB WS...' at info level via console.log; keep stdout to one JSON line.
// (Only 'trace' messages, which are lazy and off by default, appear on the decode path.)
setGlobalLogLevel('warn');

function parseArgs(argv) {
  const o = { frame: null, warmupMs: 3000, measureMs: 10000, protocol: 'v3', mode: 'sdk' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`);
      return argv[++i];
    };
    if (a === '--frame') o.frame = next();
    else if (a === '--warmup-ms') o.warmupMs = Number(next());
    else if (a === '--measure-ms') o.measureMs = Number(next());
    else if (a === '--protocol') o.protocol = next();
    else if (a === '--mode') o.mode = next();
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.frame) throw new Error('usage: node decode-bench.mjs --frame <file> [--warmup-ms 3000] [--measure-ms 10000] [--protocol v3|v2] [--mode sdk|rows]');
  if (!(o.warmupMs >= 0) || !(o.measureMs > 0)) throw new Error('bad --warmup-ms / --measure-ms');
  if (!['v2', 'v3'].includes(o.protocol)) throw new Error('--protocol must be v2 or v3');
  if (!['sdk', 'rows'].includes(o.mode)) throw new Error('--mode must be sdk or rows');
  return o;
}

function fail(msg) {
  console.error(`decode-bench: FAILED: ${msg}`);
  process.exit(1);
}

const opts = parseArgs(process.argv.slice(2));

// Like the browser/Node WebSocket with binaryType 'arraybuffer': the frame in its own ArrayBuffer.
const frame = new Uint8Array(fs.readFileSync(opts.frame));
if (frame.length < 2) fail(`frame too short (${frame.length} bytes)`);
if (frame[0] !== 0) fail(`compression byte is ${frame[0]}, expected 0 (none)`);

// A real DbConnectionImpl (its constructor builds #rowDeserializers from the RemoteModule);
// its websocket factory never resolves, so no network is touched.
const conn = new DbConnectionImpl({
  uri: new URL('ws://127.0.0.1:1'),
  nameOrAddress: 'bench',
  emitter: new EventEmitter(),
  remoteModule: REMOTE_MODULE,
  createWSFn: () => new Promise(() => {}),
  compression: 'none',
  lightMode: false,
  confirmedReads: true,
});
const v3 = opts.protocol === 'v3';
const deserializeRow = ProductType.makeDeserializer(PLAYER_TABLE.rowType);
const messageReader = new BinaryReader(new Uint8Array());
const rowReader = new BinaryReader(new Uint8Array());

// One decode of the whole frame. Returns an array of {tableName, rows: [row objects]} lists
// (sdk mode: the SDK's CacheTableUpdate[] per message, operations = {type,rowId,row}).
function decodeSdk(buf) {
  const data = buf.subarray(1); // websocket_decompress_adapter.ts, tag 0
  return DbConnectionImpl.__benchDecodeTransactionUpdates(conn, data, v3);
}
function decodeRows(buf) {
  messageReader.reset(buf.subarray(1));
  const msg = api.ServerMessage.deserialize(messageReader);
  const out = [];
  for (const qs of msg.value.querySets) {
    for (const tu of qs.tables) {
      const rows = [];
      for (const tur of tu.rows) {
        const lists = tur.tag === 'PersistentTable' ? [tur.value.inserts, tur.value.deletes] : [tur.value.events];
        for (const list of lists) {
          rowReader.reset(list.rowsData);
          while (rowReader.remaining > 0) rows.push(deserializeRow(rowReader));
        }
      }
      out.push({ tableName: tu.tableName, rows });
    }
  }
  return out;
}
const decode = opts.mode === 'sdk' ? decodeSdk : decodeRows;

// Flatten one decode result to the list of row objects (no copying of rows).
function rowsOf(result) {
  if (opts.mode === 'rows') return result.flatMap(t => t.rows);
  const rows = [];
  for (const updates of result) for (const u of updates) for (const op of u.operations) rows.push(op.row);
  return rows;
}

// ---------------- verify once ----------------
{
  const result = decode(frame);
  const rows = rowsOf(result);
  if (rows.length !== ROWS) fail(`decoded ${rows.length} rows, expected ${ROWS}`);
  if (opts.mode === 'sdk') {
    const ops = result.flatMap(u => u).flatMap(u => u.operations);
    const names = result.flatMap(u => u).map(u => u.tableName);
    if (names.length !== 1 || names[0] !== 'player') fail(`tables ${JSON.stringify(names)}`);
    if (!ops.every(op => op.type === 'insert' && typeof op.rowId === 'string')) fail('unexpected operation type / rowId');
  }
  for (const i of [0, ROWS - 1]) {
    const r = rows[i];
    const e = expectedRow(i);
    const problems = [];
    if (!(r.identity instanceof Identity) || r.identity.__identity__ !== e.identity) problems.push('identity');
    if (r.score !== e.score) problems.push('score');
    if (r.name !== e.name) problems.push('name');
    if (r.rating !== e.rating) problems.push('rating');
    if (r.online !== e.online) problems.push('online');
    if (!(r.lastSeen instanceof Timestamp) || r.lastSeen.__timestamp_micros_since_unix_epoch__ !== e.lastSeenMicros)
      problems.push('lastSeen');
    if (problems.length) {
      fail(`row ${i} mismatch in ${problems.join(', ')}: got ${JSON.stringify(r, (k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
    }
  }
}

// ---------------- benchmark ----------------
// Keep results alive: sum one field (rating) of every decoded row into a checksum.
let checksum = 0;
function once() {
  const result = decode(frame);
  let n = 0;
  if (opts.mode === 'sdk') {
    for (const updates of result)
      for (const u of updates)
        for (const op of u.operations) {
          checksum += op.row.rating;
          n++;
        }
  } else {
    for (const t of result)
      for (const row of t.rows) {
        checksum += row.rating;
        n++;
      }
  }
  return n;
}

const now = () => Number(process.hrtime.bigint()) / 1e6;
let t0 = now();
while (now() - t0 < opts.warmupMs) once();

checksum = 0;
let iterations = 0;
let rowsDecoded = 0;
t0 = now();
let elapsed = 0;
do {
  rowsDecoded += once();
  iterations++;
  elapsed = now() - t0;
} while (elapsed < opts.measureMs);

const expectedChecksum = iterations * ((ROWS * (ROWS - 1)) / 2) * 0.25;
if (checksum !== expectedChecksum) fail(`checksum ${checksum} != ${expectedChecksum}`);
if (rowsDecoded !== iterations * ROWS) fail(`rows decoded ${rowsDecoded} != ${iterations * ROWS}`);

console.log(
  JSON.stringify({
    impl: `spacetimedb-ts@${PKG_VERSION}`,
    node: process.version,
    rows: ROWS,
    iterations,
    ms: Math.round(elapsed * 1000) / 1000,
    rowsPerSecond: Math.round((rowsDecoded * 1000) / elapsed),
    mode: opts.mode,
    protocol: opts.protocol,
  })
);
// the never-resolving websocket promise holds no handle, but exit explicitly anyway
process.exit(0);
