// make-frame.mjs [out]  -- writes the benchmark server frame using the OFFICIAL SDK serializers.
//
// frame = 0x00 (no compression) ++ BSATN(ServerMessage::TransactionUpdate {
//   query_sets: [ { query_set_id: {id: 1}, tables: [ { table_name: "player", rows: [
//     PersistentTable { inserts: BsatnRowList { size_hint: RowOffsets([start of each row]), rows_data },
//                       deletes: BsatnRowList { size_hint: RowOffsets([]), rows_data: [] } } ] } ] } ] })
// Rows are serialized with ProductType.makeSerializer(<player row type>), the message with
// ServerMessage.serialize from the package's own src/sdk/client_api/types.ts.
// Default output: ../target/player-tx-10000.bin (i.e. benchmarks/target/...).
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import { sdk, PKG_VERSION, PLAYER_TABLE, ROWS, expectedRow } from './sdk.mjs';

const { api, BinaryWriter, ProductType, Identity, Timestamp } = sdk;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const out = process.argv[2]
  ? path.resolve(process.argv[2])
  : path.resolve(HERE, '..', 'target', `player-tx-${ROWS}.bin`);

// 1. rows_data + offsets
const serializeRow = ProductType.makeSerializer(PLAYER_TABLE.rowType);
const rowWriter = new BinaryWriter(1 << 20);
const offsets = [];
for (let i = 0; i < ROWS; i++) {
  const e = expectedRow(i);
  offsets.push(BigInt(rowWriter.offset));
  serializeRow(rowWriter, {
    identity: new Identity(e.identity),
    score: e.score,
    name: e.name,
    rating: e.rating,
    online: e.online,
    lastSeen: new Timestamp(e.lastSeenMicros),
  });
}
const rowsData = rowWriter.getBuffer().slice();

// 2. the ServerMessage
const message = api.ServerMessage.TransactionUpdate({
  querySets: [
    {
      querySetId: { id: 1 },
      tables: [
        {
          tableName: 'player',
          rows: [
            api.TableUpdateRows.PersistentTable({
              inserts: { sizeHint: api.RowSizeHint.RowOffsets(offsets), rowsData },
              deletes: { sizeHint: api.RowSizeHint.RowOffsets([]), rowsData: new Uint8Array(0) },
            }),
          ],
        },
      ],
    },
  ],
});
const w = new BinaryWriter(rowsData.length + 8 * ROWS + 1024);
w.writeU8(0); // compression tag: 0 = none
api.ServerMessage.serialize(w, message);
const frame = w.getBuffer().slice();

// 3. sanity: the official deserializer reads it back completely
const r = new sdk.BinaryReader(frame.subarray(1));
const back = api.ServerMessage.deserialize(r);
if (r.remaining !== 0 || back.tag !== 'TransactionUpdate') throw new Error('frame does not round-trip');

fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, frame);
const sha256 = createHash('sha256').update(frame).digest('hex');
console.log(JSON.stringify({ file: out, rows: ROWS, rowsDataBytes: rowsData.length, length: frame.length, sha256, sdk: `spacetimedb@${PKG_VERSION}` }));
