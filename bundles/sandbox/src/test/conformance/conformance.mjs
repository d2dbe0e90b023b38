// conformance.mjs -- holds the protocol sandbox to the real protocol with the OFFICIAL TypeScript client.
//
//   node --experimental-websocket conformance.mjs --uri ws://127.0.0.1:<port> --database quickstart \
//        --compression gzip|none --expect-protocol v2|v3 [--token <long-lived token for client A>]
//
// Needs `npm ci` in this directory (spacetimedb 2.10.1 and esbuild, pinned in package.json / package-lock.json).
// Driven by TypeScriptClientConformanceTest (bundles/sandbox), one run per subprotocol x compression; each run needs a
// FRESH sandbox (an empty person table), because the script seeds the rows it then expects.
//
// What it does, with two official DbConnection instances (A, and B), no codegen (a hand-written RemoteModule):
//  1. seeds 60 persons with long names through HTTP (POST /v1/database/<db>/call/add_person, JSON ["name", age]),
//     so that the initial SubscribeApplied is larger than 1024 bytes and a gzip connection must get a tag-2 frame;
//  2. connects A (with --token if given, else anonymous) and B (anonymous): onConnect identities start with c200;
//  3. A, then B subscribe `SELECT * FROM person` and receive exactly the seeded rows;
//  4. A calls add_person (raw conn.callReducer with args encoded by the SDK's own serializer): the promise resolves,
//     A's cache holds the new row, B's onInsert fires with the same row (another client's update);
//  5. A calls update_person on that row: B's onUpdate fires (delete + insert paired by the primary key), no
//     onInsert/onDelete; A calls delete_person: B's onDelete fires;
//  6. A calls fail(reason): the promise rejects with SenderError(reason); panic(): rejects with InternalError;
//  7. A unsubscribes (subscription.unsubscribeThen): the end callback fires and every row leaves A's cache;
//  8. disconnects both, then checks the wire: the negotiated subprotocol is --expect-protocol, every received frame
//     (recorded by wrapping the global WebSocket and decoded with the package's own v2 message types) has the right
//     compression tag (none: always 0; gzip: 2 exactly when the body exceeds 1024 bytes, at least one such frame),
//     InitialConnection comes first, v2 frames hold exactly one message, and the SDK logged no warning or error.
// Prints ONE JSON line on stdout ({"ok":true,...} and exit 0, or {"ok":false,"failures":[...]} and exit 1). The SDK's
// own log lines go to stderr.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import zlib from 'node:zlib';

const started = Date.now();
const HERE = path.dirname(fileURLToPath(import.meta.url));
const EXPECTED_VERSION = '2.10.1';
const PROTOCOLS = { v2: 'v2.bsatn.spacetimedb', v3: 'v3.bsatn.spacetimedb' };
const SEED_COUNT = 60;
const COMPRESSION_THRESHOLD = 1024;
const STEP_TIMEOUT_MS = 5000;
const TOTAL_TIMEOUT_MS = 30000;

const results = { ok: false };
const failures = [];
let currentStep = 'start';

function emit(code) {
  results.ok = code === 0 && failures.length === 0;
  if (!results.ok && failures.length === 0) failures.push(`${currentStep}: failed without a message`);
  if (failures.length) results.failures = failures;
  results.durationMs = Date.now() - started;
  process.stdout.write(JSON.stringify(results, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) + '\n');
  process.exit(results.ok ? 0 : 1);
}
function fail(message) {
  throw new Error(message);
}
function check(condition, message) {
  if (!condition) failures.push(`${currentStep}: ${message}`);
  return condition;
}
const watchdog = setTimeout(() => {
  failures.push(`${currentStep}: the whole run exceeded ${TOTAL_TIMEOUT_MS} ms`);
  emit(1);
}, TOTAL_TIMEOUT_MS);
process.on('unhandledRejection', e => {
  failures.push(`${currentStep}: unhandled rejection: ${e && e.stack ? e.stack : e}`);
});

// ------------------------------------------------------------------ arguments
function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    if (!key.startsWith('--') || i + 1 >= argv.length) fail(`bad argument ${key}: expected --name value pairs`);
    out[key.slice(2)] = argv[++i];
  }
  for (const required of ['uri', 'compression', 'expect-protocol']) {
    if (!out[required]) fail(`missing --${required}`);
  }
  if (!['gzip', 'none'].includes(out.compression)) fail(`--compression must be gzip or none (Node 20 has no brotli DecompressionStream), got ${out.compression}`);
  if (!PROTOCOLS[out['expect-protocol']]) fail(`--expect-protocol must be v2 or v3, got ${out['expect-protocol']}`);
  out.database ??= 'quickstart';
  return out;
}

// ------------------------------------------------------------------ SDK logs -> stderr, warnings/errors recorded
const sdkLog = [];
const sdkProblems = [];
for (const level of ['log', 'info', 'debug', 'warn', 'error']) {
  console[level] = (...args) => {
    const text = args.map(a => (typeof a === 'string' ? a : a instanceof Error ? a.stack : String(a)))
      .filter(s => !s.startsWith('color:')).join(' ').replace(/%c/g, '');
    sdkLog.push(text);
    if (level === 'warn' || level === 'error' || /\b(WARN|ERROR)\b/.test(text)) sdkProblems.push(text);
    process.stderr.write(`[sdk ${level}] ${text}\n`);
  };
}

// ------------------------------------------------------------------ helpers
const sleep = ms => new Promise(r => setTimeout(r, ms));
function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms); }),
  ]);
}
async function waitFor(predicate, what, ms = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) fail(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}
function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}
const plain = row => ({ id: row.id, name: row.name, age: row.age });
const sameRow = (a, b) => a && b && a.id === b.id && a.name === b.name && a.age === b.age;
const sortById = rows => [...rows].map(plain).sort((x, y) => x.id - y.id);

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const expectedProtocol = PROTOCOLS[args['expect-protocol']];
  results.protocol = args['expect-protocol'];
  results.compression = args.compression;
  results.database = args.database;

  currentStep = 'environment';
  if (typeof WebSocket === 'undefined') fail('no global WebSocket: run node 20 with --experimental-websocket');
  const pkgDir = path.join(HERE, 'node_modules', 'spacetimedb');
  if (!fs.existsSync(pkgDir)) fail(`spacetimedb is not installed: run npm ci in ${HERE}`);
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  if (version !== EXPECTED_VERSION) fail(`expected spacetimedb@${EXPECTED_VERSION}, found ${version}: run npm ci in ${HERE}`);
  results.sdk = `spacetimedb@${version}`;
  results.node = process.version;
  const stdb = await import('spacetimedb');
  const { t, AlgebraicType, BinaryWriter } = stdb;

  // The official v2 message types (not exported by the package entry), bundled from the package's shipped src.
  const esbuild = createRequire(import.meta.url)('esbuild');
  const bundle = await esbuild.build({
    stdin: {
      contents: [
        "export * from './src/sdk/client_api/types.ts';",
        "export { default as BinaryReader } from './src/lib/binary_reader.ts';",
      ].join('\n'),
      resolveDir: pkgDir,
      loader: 'ts',
    },
    bundle: true, format: 'esm', platform: 'node', target: 'node20', write: false, logLevel: 'silent',
  });
  const bundlePath = path.join(os.tmpdir(), `stdb-conformance-api-${process.pid}-${Date.now()}.mjs`);
  fs.writeFileSync(bundlePath, bundle.outputFiles[0].text);
  let api;
  try {
    api = await import(pathToFileURL(bundlePath).href);
  } finally {
    fs.unlinkSync(bundlePath);
  }

  // ---------------------------------------------------------------- record every socket and received frame
  const NativeWebSocket = globalThis.WebSocket;
  const sockets = [];
  function decodeFrame(rec, buffer) {
    const bytes = new Uint8Array(buffer);
    const frame = { tag: bytes[0], wireBytes: bytes.length };
    try {
      let body;
      if (bytes[0] === 0) body = bytes.subarray(1);
      else if (bytes[0] === 2) body = new Uint8Array(zlib.gunzipSync(bytes.subarray(1)));
      else if (bytes[0] === 1) body = new Uint8Array(zlib.brotliDecompressSync(bytes.subarray(1)));
      else throw new Error(`unknown compression tag ${bytes[0]}`);
      frame.bodyBytes = body.length;
      const reader = new api.BinaryReader(body);
      frame.messages = [];
      do {
        const message = api.ServerMessage.deserialize(reader);
        frame.messages.push(message.tag);
        if (message.tag === 'InitialConnection' && rec.identity === undefined) rec.identity = message.value.identity.toHexString();
      } while (rec.protocol === PROTOCOLS.v3 && reader.remaining > 0);
      if (reader.remaining !== 0) throw new Error(`${reader.remaining} trailing bytes after ${frame.messages.join(',')}`);
    } catch (e) {
      frame.error = String(e && e.message ? e.message : e);
    }
    rec.frames.push(frame);
  }
  class RecordingWebSocket extends NativeWebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      const rec = { url: String(url), offered: protocols === undefined ? [] : [].concat(protocols), protocol: null, frames: [] };
      sockets.push(rec);
      // Registered before the SDK sets onmessage, so it sees each frame first (and does not consume it).
      this.addEventListener('open', () => { rec.protocol = this.protocol; });
      this.addEventListener('message', ev => {
        if (ev.data instanceof ArrayBuffer) decodeFrame(rec, ev.data);
        else rec.frames.push({ error: `non-binary message: ${typeof ev.data}` });
      });
      this.addEventListener('close', ev => { rec.close = { code: ev.code, reason: ev.reason }; });
    }
  }
  globalThis.WebSocket = RecordingWebSocket;

  // ---------------------------------------------------------------- the module, as codegen would describe it
  const PersonRow = t.row({ id: t.u32().primaryKey(), name: t.string(), age: t.u8() });
  const tablesSchema = stdb.schema({
    person: stdb.table({ name: 'person', public: true }, PersonRow),
    message: stdb.table({ name: 'message', public: true }, t.row({ sender: t.identity(), sent: t.timestamp(), text: t.string() })),
    chatEvent: stdb.table({ name: 'chat_event', public: true, event: true }, t.row({ sender: t.identity(), text: t.string() })),
  });
  const AddPersonArgs = t.object('AddPersonArgs', { name: t.string(), age: t.u8() });
  const UpdatePersonArgs = t.object('UpdatePersonArgs', { id: t.u32(), name: t.string(), age: t.u8() });
  const DeletePersonArgs = t.object('DeletePersonArgs', { id: t.u32() });
  const FailArgs = t.object('FailArgs', { reason: t.string() });
  const PanicArgs = t.object('PanicArgs', {});
  const reducersSchema = stdb.reducers(
    stdb.reducerSchema('add_person', { name: t.string(), age: t.u8() }),
    stdb.reducerSchema('update_person', { id: t.u32(), name: t.string(), age: t.u8() }),
    stdb.reducerSchema('delete_person', { id: t.u32() }),
    stdb.reducerSchema('fail', { reason: t.string() }),
    stdb.reducerSchema('panic', {}),
  );
  const REMOTE_MODULE = {
    versionInfo: { cliVersion: '2.0.0' },
    tables: tablesSchema.schemaType.tables,
    reducers: reducersSchema.reducersType.reducers,
    ...stdb.procedures(),
  };
  function encodeArgs(type, value) {
    const w = new BinaryWriter(64);
    AlgebraicType.makeSerializer(type.algebraicType)(w, value);
    return w.getBuffer().slice();
  }

  // ---------------------------------------------------------------- 1. seed over HTTP
  currentStep = 'seed persons over HTTP';
  const httpBase = new URL(args.uri);
  httpBase.protocol = httpBase.protocol === 'wss:' ? 'https:' : 'http:';
  const seeded = [];
  for (let i = 1; i <= SEED_COUNT; i++) {
    const name = `seed person ${String(i).padStart(2, '0')} with a deliberately long name to fill the frame`;
    const age = 18 + (i % 60);
    const res = await fetch(new URL(`v1/database/${encodeURIComponent(args.database)}/call/add_person`, httpBase), {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify([name, age]),
    });
    const text = await res.text();
    if (res.status !== 200) fail(`POST call/add_person #${i}: HTTP ${res.status} ${text}`);
    seeded.push({ name, age });
  }
  results.seeded = seeded.length;

  // ---------------------------------------------------------------- 2. connect A and B
  currentStep = 'connect';
  function client(label, token) {
    const state = {
      label, connected: deferred(), disconnected: deferred(), identity: null, token: null,
      inserts: [], updates: [], deletes: [],
    };
    let builder = new stdb.DbConnectionBuilder(REMOTE_MODULE, cfg => new stdb.DbConnectionImpl(cfg))
      .withUri(args.uri)
      .withDatabaseName(args.database)
      .withCompression(args.compression);
    if (token) builder = builder.withToken(token);
    state.conn = builder
      .onConnect((_c, identity, tok) => {
        state.identity = identity.toHexString();
        state.token = tok;
        state.connected.resolve();
      })
      .onConnectError((_c, e) => state.connected.reject(new Error(`${label}: connect error: ${e && e.message ? e.message : e}`)))
      .onDisconnect((_c, e) => state.disconnected.resolve(e ? String(e.message ?? e) : null))
      .build();
    const person = state.conn.db.person;
    person.onInsert((ctx, row) => state.inserts.push({ row: plain(row), event: ctx.event?.tag, reducer: ctx.event?.value?.reducer?.name }));
    person.onUpdate((ctx, oldRow, newRow) => state.updates.push({ old: plain(oldRow), new: plain(newRow), event: ctx.event?.tag }));
    person.onDelete((ctx, row) => state.deletes.push({ row: plain(row), event: ctx.event?.tag }));
    return state;
  }
  const A = client('A', args.token);
  const B = client('B', undefined);
  await withTimeout(Promise.all([A.connected.promise, B.connected.promise]), STEP_TIMEOUT_MS, 'onConnect of A and B');
  for (const c of [A, B]) {
    check(/^c200[0-9a-f]{60}$/.test(c.identity), `${c.label}: identity ${c.identity} is not 64 hex digits starting with c200`);
    check(typeof c.token === 'string' && c.token.split('.').length === 3, `${c.label}: onConnect gave no JWT token`);
  }
  check(A.identity !== B.identity, 'A and B got the same identity');
  if (args.token) check(A.token === args.token, 'A connected with --token but onConnect reported another token');
  results.clients = {
    A: { identity: A.identity, withToken: !!args.token },
    B: { identity: B.identity, withToken: false },
  };

  // ---------------------------------------------------------------- 3. subscribe, initial rows
  async function subscribe(c) {
    const applied = deferred();
    const handle = c.conn.subscriptionBuilder()
      .onApplied(() => applied.resolve())
      .onError((_ctx, e) => applied.reject(new Error(`${c.label}: subscription error: ${e && e.message ? e.message : e}`)))
      .subscribe('SELECT * FROM person');
    await withTimeout(applied.promise, STEP_TIMEOUT_MS, `${c.label}'s SubscribeApplied`);
    check(handle.isActive(), `${c.label}: subscription handle is not active after onApplied`);
    const rows = sortById(c.conn.db.person.iter());
    check(rows.length === SEED_COUNT, `${c.label}: expected ${SEED_COUNT} initial rows, cache has ${rows.length}`);
    check(new Set(rows.map(r => r.id)).size === rows.length, `${c.label}: duplicate ids in the initial rows`);
    const got = rows.map(r => `${r.name}/${r.age}`).sort();
    const want = seeded.map(r => `${r.name}/${r.age}`).sort();
    check(JSON.stringify(got) === JSON.stringify(want), `${c.label}: initial rows differ from the seeded persons`);
    check(c.inserts.length === SEED_COUNT, `${c.label}: onInsert fired ${c.inserts.length} times for the initial rows`);
    return { handle, rows };
  }
  currentStep = 'A subscribes';
  const subA = await subscribe(A);
  currentStep = 'B subscribes';
  await subscribe(B);
  results.initialRows = subA.rows.length;
  for (const c of [A, B]) { c.inserts.length = 0; c.updates.length = 0; c.deletes.length = 0; }

  // ---------------------------------------------------------------- 4. add_person, seen by B
  currentStep = 'A calls add_person';
  const added = { name: 'Grace Hopper', age: 85 };
  await withTimeout(A.conn.callReducer('add_person', encodeArgs(AddPersonArgs, added), added), STEP_TIMEOUT_MS, 'add_person to resolve');
  const inA = [...A.conn.db.person.iter()].map(plain).filter(r => r.name === added.name && r.age === added.age);
  if (inA.length !== 1) fail(`A's cache holds ${inA.length} rows ${JSON.stringify(added)} after add_person resolved`);
  const newRow = inA[0];
  check(A.conn.db.person.count() === BigInt(SEED_COUNT + 1) || A.conn.db.person.count() === SEED_COUNT + 1,
    `A's cache count is ${A.conn.db.person.count()} after add_person`);
  check(A.inserts.length === 1 && sameRow(A.inserts[0].row, newRow), `A's onInsert: ${JSON.stringify(A.inserts)}`);
  check(A.inserts[0]?.event === 'Reducer' && A.inserts[0]?.reducer === 'add_person',
    `A's onInsert event should be Reducer(add_person): ${JSON.stringify(A.inserts[0])}`);
  await waitFor(() => B.inserts.length > 0, "B's onInsert for A's add_person");
  check(B.inserts.length === 1 && sameRow(B.inserts[0].row, newRow), `B's onInsert ${JSON.stringify(B.inserts)} differs from ${JSON.stringify(newRow)}`);
  check(B.inserts[0]?.event === 'Transaction', `B's onInsert event should be Transaction: ${B.inserts[0]?.event}`);
  check(sameRow(plain(B.conn.db.person.id.find(newRow.id) ?? {}), newRow), "B's cache lacks the new row (person.id.find)");
  results.inserted = { row: newRow, seenByB: B.inserts[0]?.row };

  // ---------------------------------------------------------------- 5. update_person and delete_person, seen by B
  currentStep = 'A calls update_person';
  for (const c of [A, B]) { c.inserts.length = 0; c.updates.length = 0; c.deletes.length = 0; }
  const updatedRow = { id: newRow.id, name: 'Grace Brewster Hopper', age: 86 };
  await withTimeout(A.conn.callReducer('update_person', encodeArgs(UpdatePersonArgs, updatedRow), updatedRow), STEP_TIMEOUT_MS, 'update_person to resolve');
  check(sameRow(plain(A.conn.db.person.id.find(newRow.id) ?? {}), updatedRow), "A's cache does not hold the updated row");
  check(A.updates.length === 1 && A.inserts.length === 0 && A.deletes.length === 0, `A's callbacks for the update: ${JSON.stringify({ u: A.updates, i: A.inserts, d: A.deletes })}`);
  await waitFor(() => B.updates.length + B.inserts.length + B.deletes.length > 0, "B's onUpdate for A's update_person");
  check(B.updates.length === 1 && B.inserts.length === 0 && B.deletes.length === 0,
    `B should get exactly one onUpdate (delete + insert paired by primary key): ${JSON.stringify({ u: B.updates, i: B.inserts, d: B.deletes })}`);
  check(sameRow(B.updates[0]?.old, newRow) && sameRow(B.updates[0]?.new, updatedRow), `B's onUpdate old/new: ${JSON.stringify(B.updates[0])}`);
  check(sameRow(plain(B.conn.db.person.id.find(newRow.id) ?? {}), updatedRow), "B's cache does not hold the updated row");
  results.updated = { old: B.updates[0]?.old, new: B.updates[0]?.new };

  currentStep = 'A calls delete_person';
  for (const c of [A, B]) { c.inserts.length = 0; c.updates.length = 0; c.deletes.length = 0; }
  await withTimeout(A.conn.callReducer('delete_person', encodeArgs(DeletePersonArgs, { id: newRow.id }), { id: newRow.id }), STEP_TIMEOUT_MS, 'delete_person to resolve');
  check(A.conn.db.person.id.find(newRow.id) == null, "A's cache still holds the deleted row");
  await waitFor(() => B.deletes.length > 0, "B's onDelete for A's delete_person");
  check(B.deletes.length === 1 && sameRow(B.deletes[0].row, updatedRow), `B's onDelete: ${JSON.stringify(B.deletes)}`);
  check(B.conn.db.person.id.find(newRow.id) == null, "B's cache still holds the deleted row");
  results.deleted = B.deletes[0]?.row;

  // ---------------------------------------------------------------- 6. failing reducers
  currentStep = 'A calls fail';
  const reason = 'conformance: this reducer fails on purpose';
  let failError = null;
  try {
    await withTimeout(A.conn.callReducer('fail', encodeArgs(FailArgs, { reason }), { reason }), STEP_TIMEOUT_MS, 'fail to settle');
  } catch (e) {
    failError = e;
  }
  if (!failError) fail('the fail reducer resolved; it must reject');
  check(failError instanceof stdb.SenderError, `fail rejected with ${failError?.name}, expected SenderError`);
  check(failError.message === reason, `fail rejected with "${failError.message}", expected "${reason}"`);
  results.failError = failError.message;

  currentStep = 'A calls panic';
  let panicError = null;
  try {
    await withTimeout(A.conn.callReducer('panic', encodeArgs(PanicArgs, {}), {}), STEP_TIMEOUT_MS, 'panic to settle');
  } catch (e) {
    panicError = e;
  }
  if (!panicError) fail('the panic reducer resolved; it must reject');
  check(panicError instanceof stdb.InternalError, `panic rejected with ${panicError?.name}, expected InternalError`);
  results.panicError = panicError.message;
  check(A.conn.db.person.count() == SEED_COUNT, `A's cache changed after failed reducers: ${A.conn.db.person.count()} rows`);

  // ---------------------------------------------------------------- 7. unsubscribe
  currentStep = 'A unsubscribes';
  for (const c of [A, B]) { c.inserts.length = 0; c.updates.length = 0; c.deletes.length = 0; }
  const ended = deferred();
  subA.handle.unsubscribeThen(() => ended.resolve());
  await withTimeout(ended.promise, STEP_TIMEOUT_MS, "A's unsubscribe end callback");
  check(subA.handle.isEnded() && !subA.handle.isActive(), 'A: subscription handle not ended after the end callback');
  check(Number(A.conn.db.person.count()) === 0, `A's cache still holds ${A.conn.db.person.count()} rows after unsubscribing`);
  check(A.deletes.length === SEED_COUNT, `A's onDelete fired ${A.deletes.length} times for the dropped rows, expected ${SEED_COUNT}`);
  check(Number(B.conn.db.person.count()) === SEED_COUNT, `B's cache changed when A unsubscribed: ${B.conn.db.person.count()} rows`);
  results.unsubscribed = { droppedRows: A.deletes.length, cacheAfter: Number(A.conn.db.person.count()) };

  // ---------------------------------------------------------------- 8. disconnect, then check the wire
  currentStep = 'disconnect';
  A.conn.disconnect();
  B.conn.disconnect();
  await withTimeout(Promise.all([A.disconnected.promise, B.disconnected.promise]), STEP_TIMEOUT_MS, 'onDisconnect of A and B');

  currentStep = 'wire';
  check(sockets.length === 2, `expected 2 WebSockets, the SDK opened ${sockets.length}`);
  const wire = {};
  // Sockets are told apart by the identity in their InitialConnection (A may open second: it first swaps its token).
  check(sockets.filter(s => s.identity === A.identity).length === 1 && sockets.filter(s => s.identity === B.identity).length === 1,
    `cannot match the sockets to A and B by identity: ${JSON.stringify(sockets.map(s => s.identity))}`);
  sockets.forEach(rec => {
    const label = rec.identity === A.identity ? 'A' : 'B';
    const conn = (label === 'A' ? A : B).conn;
    const url = new URL(rec.url);
    check(JSON.stringify(rec.offered) === JSON.stringify([PROTOCOLS.v3, PROTOCOLS.v2]), `${label}: offered ${JSON.stringify(rec.offered)}`);
    check(rec.protocol === expectedProtocol, `${label}: negotiated subprotocol "${rec.protocol}", expected "${expectedProtocol}"`);
    check(conn.ws?.protocol === expectedProtocol, `${label}: the SDK's socket reports subprotocol "${conn.ws?.protocol}"`);
    check(url.pathname === `/v1/database/${args.database}/subscribe`, `${label}: connected to ${url.pathname}`);
    check(url.searchParams.get('compression') === { gzip: 'Gzip', none: 'None' }[args.compression], `${label}: compression parameter ${url.searchParams.get('compression')}`);
    if (label === 'A' && args.token) {
      const shortLived = url.searchParams.get('token');
      check(!!shortLived && shortLived !== args.token, 'A: expected the short-lived websocket token (not the long-lived one) in ?token=');
    } else {
      check(!url.searchParams.has('token'), `${label}: anonymous connection sent a token`);
    }
    const frames = rec.frames;
    check(frames.length > 0, `${label}: no frames received`);
    frames.forEach((f, n) => check(!f.error, `${label}: frame ${n} undecodable: ${f.error}`));
    check(frames[0]?.messages?.[0] === 'InitialConnection', `${label}: first message is ${frames[0]?.messages?.[0]}, expected InitialConnection`);
    check(frames.flatMap(f => f.messages ?? []).filter(m => m === 'InitialConnection').length === 1, `${label}: InitialConnection sent more than once`);
    if (expectedProtocol === PROTOCOLS.v2) {
      frames.forEach((f, n) => check(f.messages?.length === 1, `${label}: v2 frame ${n} holds ${f.messages?.length} messages`));
    }
    const tags = {};
    frames.forEach(f => { tags[f.tag] = (tags[f.tag] ?? 0) + 1; });
    if (args.compression === 'none') {
      frames.forEach((f, n) => check(f.tag === 0, `${label}: frame ${n} (${f.messages}) has compression tag ${f.tag} on a compression=None connection`));
    } else {
      frames.forEach((f, n) => {
        const want = f.bodyBytes > COMPRESSION_THRESHOLD ? 2 : 0;
        check(f.tag === want, `${label}: frame ${n} (${f.messages}, ${f.bodyBytes} bytes) has tag ${f.tag}, expected ${want} (gzip only above ${COMPRESSION_THRESHOLD} bytes)`);
      });
      check((tags[2] ?? 0) > 0, `${label}: no gzip (tag 2) frame on a compression=Gzip connection`);
    }
    wire[label] = {
      protocol: rec.protocol,
      frames: frames.length,
      tags,
      largestBody: Math.max(...frames.map(f => f.bodyBytes ?? 0)),
      messages: frames.map(f => (f.messages ?? ['?']).join('+')),
      close: rec.close,
    };
  });
  results.wire = wire;
  check(sdkProblems.length === 0, `the SDK logged warnings/errors: ${JSON.stringify(sdkProblems)}`);
  if (sdkProblems.length) results.sdkProblems = sdkProblems;
}

main().then(
  () => { clearTimeout(watchdog); emit(failures.length ? 1 : 0); },
  e => {
    clearTimeout(watchdog);
    failures.push(`${currentStep}: ${e && e.stack ? e.stack : e}`);
    emit(1);
  },
);
