package dev.stdb.secure.benchmarks;

import dev.stdb.secure.protocol.frame.ServerFrameCodec;
import dev.stdb.secure.protocol.frame.Subprotocol;
import dev.stdb.secure.protocol.message.ServerMessage;
import dev.stdb.secure.protocol.schema.Typespace;
import dev.stdb.secure.protocol.value.Row;
import dev.stdb.secure.protocol.value.RowDecoder;
import dev.stdb.secure.protocol.value.RowList;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * Decoding a server frame carrying a {@code TransactionUpdate} of 10,000 {@code player} rows. Scores are rows per
 * second ({@link OperationsPerInvocation}). The row decoder is compiled once, as the official SDK builds its row
 * deserializers once per table; everything else happens per frame.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class TransactionUpdateDecodeBenchmark {
    private byte[] frame;
    private ServerFrameCodec codec;
    private RowDecoder decoder;

    @Setup
    public void setUp() {
        frame = PlayerFrame.frame();
        codec = new ServerFrameCodec(Subprotocol.V3_BSATN);
        decoder = RowDecoder.of(PlayerFrame.TABLE, Typespace.EMPTY, PlayerFrame.ROW_TYPE);
    }

    /** Rows inserted by the frame, fully checked (lengths, bools, UTF-8, size hint). */
    private RowList decodeInserts() {
        ServerMessage.TransactionUpdate update = (ServerMessage.TransactionUpdate) codec.decode(frame).get(0);
        ServerMessage.TableUpdateRows.PersistentTable rows = (ServerMessage.TableUpdateRows.PersistentTable)
                update.querySets().get(0).tables().get(0).rows().get(0);
        return decoder.decode(rows.inserts());
    }

    /**
     * What the official SDK does before its cache: every row decoded and given its cache key (the table has no primary
     * key, so the key is the row's bytes, as the SDK's base64 row id).
     */
    @Benchmark
    @OperationsPerInvocation(PlayerFrame.ROWS)
    public void rowsWithCacheKeys(Blackhole bh) {
        for (Row row : decodeInserts()) {
            bh.consume(row.key());
        }
    }

    /** As above, and every column of every row read into a Java value (the TypeScript "rows" mode builds objects too). */
    @Benchmark
    @OperationsPerInvocation(PlayerFrame.ROWS)
    public void rowsWithEveryColumnRead(Blackhole bh) {
        for (Row row : decodeInserts()) {
            bh.consume(row.getIdentity(0));
            bh.consume(row.getLong(1));
            bh.consume(row.getString(2));
            bh.consume(row.getDouble(3));
            bh.consume(row.getBool(4));
            bh.consume(row.getTimestamp(5));
        }
    }
}
