package dev.stdb.secure.benchmarks;

import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.Timestamp;
import dev.stdb.secure.protocol.bsatn.BsatnWriter;
import dev.stdb.secure.protocol.frame.Compression;
import dev.stdb.secure.protocol.frame.ServerFrameCodec;
import dev.stdb.secure.protocol.frame.Subprotocol;
import dev.stdb.secure.protocol.message.BsatnRowList;
import dev.stdb.secure.protocol.message.RowSizeHint;
import dev.stdb.secure.protocol.message.ServerMessage;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.Typespace;
import dev.stdb.secure.protocol.value.ValueCodec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.stdb.secure.protocol.schema.AlgebraicType.element;
import static dev.stdb.secure.protocol.schema.AlgebraicType.product;

/**
 * The benchmark's frame: a {@code TransactionUpdate} inserting {@value #ROWS} rows of a realistic 6-column table,
 * exactly as {@code benchmarks/ts/make-frame.mjs} builds it with the official TypeScript SDK, so both sides decode the
 * very same bytes. Run {@code main} to write it to a file.
 */
public final class PlayerFrame {
    public static final int ROWS = 10_000;
    public static final String TABLE = "player";

    /** {@code player(identity: Identity, score: u64, name: string, rating: f64, online: bool, last_seen: Timestamp)}. */
    public static final AlgebraicType.Product ROW_TYPE = product(
            element("identity", AlgebraicType.identity()),
            element("score", AlgebraicType.Primitive.U64),
            element("name", AlgebraicType.Primitive.STRING),
            element("rating", AlgebraicType.Primitive.F64),
            element("online", AlgebraicType.Primitive.BOOL),
            element("last_seen", AlgebraicType.timestamp()));

    private PlayerFrame() {
    }

    /** Row {@code i}'s identity: wire byte j is (i*31 + j) mod 256. */
    public static Identity identity(int i) {
        byte[] wire = new byte[Identity.BYTES];
        for (int j = 0; j < wire.length; j++) {
            wire[j] = (byte) (i * 31 + j);
        }
        return Identity.fromWire(wire, 0);
    }

    public static Map<String, Object> row(int i) {
        return Map.of("identity", identity(i), "score", (long) i * 1_000_003L, "name", "player-" + i,
                "rating", i * 0.25, "online", i % 3 == 0, "last_seen", new Timestamp(1_700_000_000_000_000L + i * 1000L));
    }

    public static byte[] frame() {
        ValueCodec rowCodec = ValueCodec.compile(Typespace.EMPTY, ROW_TYPE);
        BsatnWriter rows = new BsatnWriter(ROWS * 80);
        long[] offsets = new long[ROWS];
        for (int i = 0; i < ROWS; i++) {
            offsets[i] = rows.size();
            rowCodec.write(row(i), rows, TABLE);
        }
        BsatnRowList inserts = BsatnRowList.of(new RowSizeHint.RowOffsets(offsets), rows.toByteArray());
        ServerMessage update = new ServerMessage.TransactionUpdate(List.of(new ServerMessage.QuerySetUpdate(1, List.of(
                new ServerMessage.TableUpdate(TABLE, List.of(
                        new ServerMessage.TableUpdateRows.PersistentTable(inserts, BsatnRowList.empty())))))));
        return new ServerFrameCodec(Subprotocol.V2_BSATN).encode(List.of(update), Compression.NONE);
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "benchmarks/target/player-tx-10000-java.bin");
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        byte[] frame = frame();
        Files.write(out, frame);
        System.out.println("{\"file\":\"" + out + "\",\"bytes\":" + frame.length + "}");
    }
}
