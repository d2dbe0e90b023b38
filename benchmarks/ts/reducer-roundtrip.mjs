// reducer-roundtrip.mjs -- reducer round trip with the OFFICIAL TypeScript SDK (spacetimedb@2.10.1), the baseline
// of dev.stdb.secure.benchmarks.client.ReducerRoundTrip, which runs this script against the same sandbox first:
//
//   node --experimental-websocket reducer-roundtrip.mjs --uri ws://127.0.0.1:<port>/ [--database quickstart]
//        [--iterations 5000] [--warmup 5000] [--compression gzip|none]
//
// One DbConnection (no codegen: a hand-written RemoteModule, as bundles/sandbox/src/test/conformance does) subscribed
// to `SELECT * FROM person` with an onUpdate callback. It adds one row, then, one call in flight at a time, calls
// update_person(id, "ts-rt-<i>", i % 100) through conn.callReducer with the args serialised by the SDK's own
// serializer inside the timed region (as generated bindings do), and measures from just before the call until BOTH
// the promise has resolved AND onUpdate has fired for the new name (the later of the two). Prints one JSON line on
// stdout, the same shape as the Java side; the SDK's own log lines go to stderr.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const EXPECTED_VERSION = '2.10.1';

for (const level of ['log', 'info', 'debug', 'warn', 'error']) {
  console[level] = (...a) => process.stderr.write(`[sdk ${level}] ${a.map(String).join(' ')}\n`);
}

function parseArgs(argv) {
  const out = { database: 'quickstart', iterations: '5000', warmup: '5000', compression: 'gzip' };
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]}`);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  if (!out.uri) throw new Error('missing --uri');
  return out;
}

function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
  ]);
}

// Context switches (voluntary and not) of every thread of this process so far, from /proc/self/task; -1 without /proc.
function contextSwitches() {
  try {
    let sum = 0;
    for (const task of fs.readdirSync('/proc/self/task')) {
      try {
        const status = fs.readFileSync(`/proc/self/task/${task}/status`, 'utf8');
        for (const m of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s*(\d+)/gm)) sum += Number(m[1]);
      } catch { /* the thread ended */ }
    }
    return sum;
  } catch {
    return -1;
  }
}

function percentile(sorted, p) {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
}
const us = (ns) => Math.round(ns / 100) / 10;
function latencies(out, prefix, values) {
  const s = Float64Array.from(values).sort();
  out[`${prefix}p50Us`] = us(percentile(s, 50));
  out[`${prefix}p90Us`] = us(percentile(s, 90));
  out[`${prefix}p99Us`] = us(percentile(s, 99));
  out[`${prefix}p999Us`] = us(percentile(s, 99.9));
  out[`${prefix}maxUs`] = us(s[s.length - 1]);
  out[`${prefix}meanUs`] = us(s.reduce((a, b) => a + b, 0) / s.length);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const iterations = Number(args.iterations);
  const warmup = Number(args.warmup);
  if (typeof WebSocket === 'undefined') throw new Error('no global WebSocket: run node 20 with --experimental-websocket');
  const pkgDir = path.join(HERE, 'node_modules', 'spacetimedb');
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  if (version !== EXPECTED_VERSION) throw new Error(`expected spacetimedb@${EXPECTED_VERSION}, found ${version} (npm ci in ${HERE})`);
  const stdb = await import('spacetimedb');
  const { t, AlgebraicType, BinaryWriter } = stdb;

  // The module, as codegen would describe it (the sandbox's built-in module).
  const PersonRow = t.row({ id: t.u32().primaryKey(), name: t.string(), age: t.u8() });
  const tablesSchema = stdb.schema({
    person: stdb.table({ name: 'person', public: true }, PersonRow),
    message: stdb.table({ name: 'message', public: true }, t.row({ sender: t.identity(), sent: t.timestamp(), text: t.string() })),
    chatEvent: stdb.table({ name: 'chat_event', public: true, event: true }, t.row({ sender: t.identity(), text: t.string() })),
  });
  const AddPersonArgs = t.object('AddPersonArgs', { name: t.string(), age: t.u8() });
  const UpdatePersonArgs = t.object('UpdatePersonArgs', { id: t.u32(), name: t.string(), age: t.u8() });
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
  // What generated bindings do per call: serialize the args object with the SDK's serializer.
  const serializers = new Map();
  function encodeArgs(type, value) {
    let ser = serializers.get(type);
    if (!ser) serializers.set(type, (ser = AlgebraicType.makeSerializer(type.algebraicType)));
    const w = new BinaryWriter(64);
    ser(w, value);
    return w.getBuffer().slice();
  }

  const connected = deferred();
  const conn = new stdb.DbConnectionBuilder(REMOTE_MODULE, (cfg) => new stdb.DbConnectionImpl(cfg))
    .withUri(args.uri)
    .withDatabaseName(args.database)
    .withCompression(args.compression)
    .onConnect(() => connected.resolve())
    .onConnectError((_c, e) => connected.reject(new Error(`connect error: ${e?.message ?? e}`)))
    .build();
  await withTimeout(connected.promise, 10000, 'onConnect');

  const probe = { expected: null, listenerAt: 0 };
  conn.db.person.onUpdate((_ctx, _oldRow, newRow) => {
    if (newRow.name === probe.expected) probe.listenerAt = process.hrtime.bigint();
  });
  const applied = deferred();
  conn.subscriptionBuilder()
    .onApplied(() => applied.resolve())
    .onError((_ctx, e) => applied.reject(new Error(`subscription error: ${e?.message ?? e}`)))
    .subscribe('SELECT * FROM person');
  await withTimeout(applied.promise, 10000, 'SubscribeApplied');

  const seed = { name: `ts-rt-seed-${process.pid}-${Date.now()}`, age: 30 };
  await withTimeout(conn.callReducer('add_person', encodeArgs(AddPersonArgs, seed), seed), 10000, 'add_person');
  const row = [...conn.db.person.iter()].find((r) => r.name === seed.name);
  if (!row) throw new Error('the seeded row is not in the cache');
  const id = row.id;
  process.stderr.write(`[ts] row id ${id}; ${warmup} warm-up + ${iterations} measured calls\n`);

  const latency = new Float64Array(iterations);
  const caller = new Float64Array(iterations);
  const started = process.hrtime.bigint();
  let switchesBefore = 0;
  for (let i = 0; i < warmup + iterations; i++) {
    const name = `ts-rt-${i}`;
    probe.expected = name;
    probe.listenerAt = 0n;
    let resolvedAt = 0n;
    if (i === warmup) switchesBefore = contextSwitches();
    const t0 = process.hrtime.bigint();
    const value = { id, name, age: i % 100 };
    const call = conn.callReducer('update_person', encodeArgs(UpdatePersonArgs, value), value)
      .then(() => { resolvedAt = process.hrtime.bigint(); });
    await call;
    const tCaller = process.hrtime.bigint();
    if (probe.listenerAt === 0n) throw new Error(`call ${i} resolved before its onUpdate fired`);
    if (i >= warmup) {
      const end = probe.listenerAt > resolvedAt ? probe.listenerAt : resolvedAt;
      latency[i - warmup] = Number(end - t0);
      caller[i - warmup] = Number(tCaller - t0);
    }
  }
  const elapsed = Number(process.hrtime.bigint() - started);
  const switches = contextSwitches() - switchesBefore;
  const last = conn.db.person.id.find(id);
  if (last?.name !== `ts-rt-${warmup + iterations - 1}`) throw new Error(`the cache does not hold the last update: ${JSON.stringify(last)}`);

  const out = {
    benchmark: 'reducer-roundtrip', impl: 'ts', runtime: `Node ${process.version}`, cores: os.cpus().length,
    sdk: `spacetimedb@${version}`, iterations, warmup, loadAverage: Math.round(os.loadavg()[0] * 100) / 100,
  };
  latencies(out, '', latency);
  latencies(out, 'caller', caller);
  out.callsPerSecond = Math.round((warmup + iterations) / (elapsed / 1e9));
  out.contextSwitchesPerCall = switchesBefore < 0 ? null : Math.round((switches * 10) / iterations) / 10;
  conn.disconnect();
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`reducer-roundtrip failed: ${e?.stack ?? e}\n`);
  process.exit(1);
});
