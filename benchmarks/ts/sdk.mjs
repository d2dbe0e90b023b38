// sdk.mjs -- loads the OFFICIAL `spacetimedb` npm package (pinned in package.json)
// from its own shipped TypeScript sources (node_modules/spacetimedb/src), bundled
// on the fly with esbuild, so that we can reach the pieces the package entry point
// does not export:
//   * src/sdk/client_api/types.ts        v2 ServerMessage / TransactionUpdate / BsatnRowList ...
//   * src/sdk/websocket_v3_frames.ts     forEachServerMessageV3 (the SDK's v3 frame loop)
//   * src/sdk/db_connection_impl.ts      DbConnectionImpl, whose row-list decoding lives in
//                                        private methods (#querySetUpdateToTableUpdates,
//                                        #tableUpdateRowsToOperations, #parseRowList,
//                                        #mergeTableUpdates).
//
// Private (#) methods cannot be called from outside the class, so the loader
// INJECTS ONE static method into the DbConnectionImpl class body (nothing else of
// the SDK source is changed). That hook does exactly what #processMessage /
// #processServerMessage('TransactionUpdate') / #applyTransactionUpdates do, and
// stops right before #applyTableUpdates (client cache + user callbacks), i.e. it
// returns the decoded rows (Operation[] {type, rowId, row}) per table.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
export const PKG_DIR = path.join(HERE, 'node_modules', 'spacetimedb');
export const PKG_VERSION = JSON.parse(fs.readFileSync(path.join(PKG_DIR, 'package.json'), 'utf8')).version;
export const EXPECTED_VERSION = '2.10.1';
if (PKG_VERSION !== EXPECTED_VERSION) {
  throw new Error(`expected spacetimedb@${EXPECTED_VERSION} in node_modules, found ${PKG_VERSION} (run npm ci in ${HERE})`);
}

const CLASS_ANCHOR = 'export class DbConnectionImpl<RemoteModule extends UntypedRemoteModule>\n  implements DbContext<RemoteModule>\n{\n';
const HOOK = `
  /**
   * BENCHMARK HOOK -- injected by benchmarks/ts/sdk.mjs, NOT part of the SDK.
   * Mirrors #processMessage (v3: forEachServerMessageV3 / v2: one
   * ServerMessage.deserialize with the connection's reused #messageReader) and
   * the 'TransactionUpdate' branch of #processServerMessage ->
   * #applyTransactionUpdates, minus the final #applyTableUpdates (cache/callbacks).
   */
  static __benchDecodeTransactionUpdates(conn: any, data: Uint8Array, v3: boolean): any[] {
    const out: any[] = [];
    const visit = (serverMessage: ServerMessage) => {
      if (serverMessage.tag !== 'TransactionUpdate') {
        throw new Error('benchmark expects TransactionUpdate, got ' + serverMessage.tag);
      }
      const allUpdates: CacheTableUpdate<UntypedTableDef>[] = [];
      for (const querySetUpdate of serverMessage.value.querySets) {
        const tableUpdates = conn.#querySetUpdateToTableUpdates(querySetUpdate);
        for (const update of tableUpdates) {
          allUpdates.push(update);
        }
      }
      out.push(conn.#mergeTableUpdates(allUpdates));
    };
    if (v3) {
      forEachServerMessageV3(conn.#messageReader, data, visit);
    } else {
      const reader = conn.#messageReader;
      reader.reset(data);
      visit(ServerMessage.deserialize(reader));
    }
    return out;
  }
`;

const injectHook = {
  name: 'inject-bench-hook',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]sdk[\\/]db_connection_impl\.ts$/ }, args => {
      const src = fs.readFileSync(args.path, 'utf8');
      const at = src.indexOf(CLASS_ANCHOR);
      if (at < 0 || src.indexOf(CLASS_ANCHOR, at + 1) >= 0) {
        throw new Error(`class anchor not found exactly once in ${args.path}`);
      }
      const cut = at + CLASS_ANCHOR.length;
      return { contents: src.slice(0, cut) + HOOK + src.slice(cut), loader: 'ts' };
    });
  },
};

const esbuild = require('esbuild');
const result = await esbuild.build({
  stdin: {
    contents: [
      "export * from './src/index.ts';",
      "export * as api from './src/sdk/client_api/types.ts';",
      "export { forEachServerMessageV3 } from './src/sdk/websocket_v3_frames.ts';",
      "export { EventEmitter } from './src/sdk/event_emitter.ts';",
    ].join('\n'),
    resolveDir: PKG_DIR,
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  write: false,
  logLevel: 'silent',
  plugins: [injectHook],
});
const bundlePath = path.join(os.tmpdir(), `stdb-bench-sdk-${process.pid}-${Date.now()}.mjs`);
fs.writeFileSync(bundlePath, result.outputFiles[0].text);
let mod;
try {
  mod = await import(pathToFileURL(bundlePath).href);
} finally {
  fs.unlinkSync(bundlePath);
}
export const sdk = mod;

// ---------------- the benchmark table, declared the way codegen does ----------------
// (spacetimedb generate emits `__table({name: 'player', ...}, __t.row({...}))` inside
// `__schema(...)`; column keys are camelCase, which only affects JS property names.)
const { t, table, schema } = sdk;
export const PlayerRow = t.row({
  identity: t.identity(),
  score: t.u64(),
  name: t.string(),
  rating: t.f64(),
  online: t.bool(),
  lastSeen: t.timestamp(),
});
export const REMOTE_MODULE = {
  versionInfo: { cliVersion: '2.0.0' },
  tables: schema({ player: table({ name: 'player', public: true }, PlayerRow) }).schemaType.tables,
  reducers: [],
  procedures: [],
};
export const PLAYER_TABLE = Object.values(REMOTE_MODULE.tables).find(tbl => tbl.sourceName === 'player');

// ---------------- deterministic content (shared by make-frame and decode-bench) ----------------
export const ROWS = 10_000;
export const TS_BASE = 1_700_000_000_000_000n;
export function identityBigInt(i) {
  // wire bytes are little-endian: byte j = (i*31 + j) & 0xff  ->  value = sum(byte_j << 8j)
  let v = 0n;
  for (let j = 31; j >= 0; j--) v = (v << 8n) | BigInt((i * 31 + j) & 0xff);
  return v;
}
export function expectedRow(i) {
  return {
    identity: identityBigInt(i),
    score: BigInt(i) * 1000003n,
    name: `player-${i}`,
    rating: i * 0.25,
    online: i % 3 === 0,
    lastSeenMicros: TS_BASE + BigInt(i) * 1000n,
  };
}
