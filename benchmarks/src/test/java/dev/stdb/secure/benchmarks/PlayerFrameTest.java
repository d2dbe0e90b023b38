package dev.stdb.secure.benchmarks;

import dev.stdb.secure.protocol.frame.ServerFrameCodec;
import dev.stdb.secure.protocol.frame.Subprotocol;
import dev.stdb.secure.protocol.message.ServerMessage;
import dev.stdb.secure.protocol.schema.Typespace;
import dev.stdb.secure.protocol.value.Row;
import dev.stdb.secure.protocol.value.RowDecoder;
import dev.stdb.secure.protocol.value.RowList;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The benchmark decodes what it claims to, from the same bytes the TypeScript baseline decodes. */
class PlayerFrameTest {

    /** sha256 of the frame written by benchmarks/ts/make-frame.mjs with the official SDK's serializers. */
    private static final String TS_SDK_FRAME_SHA256 = "72048b8515f73ebfecbf61cceaa221a5d5c20aa3534d98f85753632021a0c8c5";

    @Test
    void javaFrameIsByteForByteTheTypeScriptSdkFrame() throws Exception {
        byte[] frame = PlayerFrame.frame();
        assertEquals(798_937, frame.length);
        assertEquals(TS_SDK_FRAME_SHA256, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(frame)));
    }

    @Test
    void everyRowDecodesToItsDefinition() {
        ServerMessage.TransactionUpdate update = (ServerMessage.TransactionUpdate)
                new ServerFrameCodec(Subprotocol.V3_BSATN).decode(PlayerFrame.frame()).get(0);
        ServerMessage.TableUpdateRows.PersistentTable rows = (ServerMessage.TableUpdateRows.PersistentTable)
                update.querySets().get(0).tables().get(0).rows().get(0);
        RowList list = RowDecoder.of("player", Typespace.EMPTY, PlayerFrame.ROW_TYPE).decode(rows.inserts());
        assertEquals(PlayerFrame.ROWS, list.size());
        for (Row row : list) {
            int i = row.index();
            assertEquals(PlayerFrame.identity(i), row.getIdentity("identity"));
            assertEquals(i * 1_000_003L, row.getLong("score"));
            assertEquals("player-" + i, row.getString("name"));
            assertEquals(i * 0.25, row.getDouble("rating"));
            assertEquals(i % 3 == 0, row.getBool("online"));
            assertEquals(1_700_000_000_000_000L + i * 1000L, row.getTimestamp("last_seen").micros());
        }
    }
}
