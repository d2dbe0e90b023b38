package dev.stdb.secure.core.internal.cache;

import dev.stdb.secure.core.TableView;
import dev.stdb.secure.protocol.message.BsatnRowList;
import dev.stdb.secure.protocol.message.RowSizeHint;
import dev.stdb.secure.protocol.schema.AlgebraicType.Primitive;
import dev.stdb.secure.protocol.value.Row;
import dev.stdb.secure.protocol.value.Value;
import dev.stdb.secure.protocol.value.ValueMismatchException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.stdb.secure.core.internal.cache.CacheFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** Lookups, memory ownership, scale and thread safety of the cached tables. */
class CachedTableTest {
    private ClientCache cache;
    private TableView person;

    @BeforeEach
    void setUp() {
        cache = new ClientCache(SCHEMA);
        person = cache.table("person");
    }

    // ------------------------------------------------------------------ findByPrimaryKey

    @Test
    void findByPrimaryKeyTakesJavaValuesAndValues() {
        cache.applySubscribeApplied(1, queryRows(single("person", rows("person", person(1, "Ada"), person(2, "Bob")))));

        assertEquals("Ada", person.findByPrimaryKey(1).orElseThrow().getString("name"));
        assertEquals("Bob", person.findByPrimaryKey(2L).orElseThrow().getString("name"));
        assertEquals("Bob", person.findByPrimaryKey(new Value.Int(Primitive.U32, 2)).orElseThrow().getString("name"));
        assertEquals(Optional.empty(), person.findByPrimaryKey(3));
        assertThrows(ValueMismatchException.class, () -> person.findByPrimaryKey("one"));
        assertThrows(RuntimeException.class, () -> person.findByPrimaryKey(-1), "a u32 is not negative");
        assertThrows(NullPointerException.class, () -> person.findByPrimaryKey(null));
    }

    @Test
    void findByPrimaryKeyFailsWithoutAPrimaryKey() {
        assertThrows(IllegalStateException.class, () -> cache.table("note").findByPrimaryKey(1));
        assertThrows(IllegalStateException.class, () -> cache.table("ping").findByPrimaryKey("hi"));
    }

    @Test
    void findByACompositePrimaryKey() {
        TableView pair = cache.table("pair");
        cache.applySubscribeApplied(1, queryRows(single("pair",
                rows("pair", pair(1, 2, "x"), pair(2, 1, "y")))));

        assertEquals("x", pair.findByPrimaryKey(List.of(1, 2)).orElseThrow().getString("v"));
        assertEquals("y", pair.findByPrimaryKey(new Object[]{2, 1}).orElseThrow().getString("v"));
        assertEquals("y", pair.findByPrimaryKey(new Value.Product(List.of("a", "b"),
                List.of(new Value.Int(Primitive.U32, 2), new Value.Int(Primitive.U32, 1)))).orElseThrow().getString("v"));
        assertEquals(Optional.empty(), pair.findByPrimaryKey(List.of(1, 1)));
        assertThrows(ValueMismatchException.class, () -> pair.findByPrimaryKey(List.of(1)));
        assertThrows(ValueMismatchException.class, () -> pair.findByPrimaryKey(1));

        // An update of a composite-key row.
        List<String> updates = new ArrayList<>();
        pair.onUpdate((o, n) -> updates.add(text(o) + ">" + text(n)));
        cache.applyTransaction(tx(set(1, table("pair",
                persistent(rows("pair", pair(1, 2, "z")), rows("pair", pair(1, 2, "x")))))));
        assertEquals(List.of("1/2:x>1/2:z"), updates);
        assertEquals("z", pair.findByPrimaryKey(List.of(1, 2)).orElseThrow().getString("v"));
    }

    // ------------------------------------------------------------------ no frame retained

    /** The rows inside a larger buffer, as a decoded frame presents them: a view, not a copy. */
    private static BsatnRowList inFrame(String table, byte[][] frameOut, Object[]... rows) {
        long[] offsets = new long[rows.length];
        byte[] data = encode(table, List.of(rows), offsets);
        byte[] frame = new byte[data.length + 10];
        Arrays.fill(frame, (byte) 0x7F);
        System.arraycopy(data, 0, frame, 7, data.length);
        frameOut[0] = frame;
        return new BsatnRowList(new RowSizeHint.RowOffsets(offsets), frame, 7, data.length);
    }

    @Test
    void theCacheDoesNotKeepTheFrame() {
        List<Row> announced = new ArrayList<>();
        person.onInsert(announced::add);
        person.onUpdate((o, n) -> announced.add(n));
        byte[][] frame = new byte[1][];

        cache.applySubscribeApplied(1, queryRows(single("person",
                inFrame("person", frame, person(1, "Ada"), person(2, "Bob")))));
        Arrays.fill(frame[0], (byte) 0);
        assertEquals(List.of("1:Ada", "2:Bob"), texts(person));
        assertEquals("Ada", person.findByPrimaryKey(1).orElseThrow().getString("name"));
        assertEquals("Bob", announced.get(1).getString("name"), "listeners get the stored copies");

        cache.applyTransaction(tx(set(1, table("person", persistent(
                inFrame("person", frame, person(1, "Ida"), person(3, "Cy")),
                rows("person", person(1, "Ada")))))));
        Arrays.fill(frame[0], (byte) 0x41);
        assertEquals(List.of("1:Ida", "2:Bob", "3:Cy"), texts(person));
        assertEquals("Cy", person.findByPrimaryKey(3).orElseThrow().getString("name"));
        assertEquals(List.of("1:Ada", "2:Bob", "1:Ida", "3:Cy"),
                announced.stream().map(CacheFixtures::text).collect(java.util.stream.Collectors.toList()));

        // The keys were copied too: deletes still find the rows.
        cache.applyTransaction(tx(set(1, table("person", deletes(rows("person", person(3, "Cy")))))));
        assertEquals(List.of("1:Ida", "2:Bob"), texts(person));
    }

    @Test
    void keysOfRowsWithoutPrimaryKeyDoNotKeepTheBuffer() {
        TableView note = cache.table("note");
        // A single row filling its whole buffer: a key over "all of it" must still be a copy.
        long[] offsets = new long[1];
        byte[] buffer = encode("note", List.<Object[]>of(note("a", 1)), offsets);
        cache.applySubscribeApplied(1, queryRows(single("note",
                new BsatnRowList(new RowSizeHint.RowOffsets(offsets), buffer, 0, buffer.length))));
        Arrays.fill(buffer, (byte) 0);

        assertEquals(List.of("a:1"), texts(note));
        List<String> deleted = new ArrayList<>();
        note.onDelete(r -> deleted.add(text(r)));
        cache.applyTransaction(tx(set(1, table("note", deletes(rows("note", note("a", 1)))))));
        assertEquals(List.of("a:1"), deleted);
        assertEquals(0, note.size());
    }

    @Test
    void eventRowsHandedToListenersDoNotKeepTheFrame() {
        cache.applySubscribeApplied(1, queryRows());
        List<Row> events = new ArrayList<>();
        cache.table("ping").onInsert(events::add);
        byte[][] frame = new byte[1][];
        cache.applyTransaction(tx(set(1, table("ping", events(inFrame("ping", frame, ping("hi")))))));
        Arrays.fill(frame[0], (byte) 0);
        assertEquals("hi", events.get(0).getString("msg"));
    }

    // ------------------------------------------------------------------ scale

    @Test
    void tenThousandRowsApplyWithoutQuadraticWork() {
        int n = 10_000;
        AtomicInteger inserts = new AtomicInteger();
        AtomicInteger updates = new AtomicInteger();
        AtomicInteger deletes = new AtomicInteger();
        person.onInsert(r -> inserts.incrementAndGet());
        person.onUpdate((o, nw) -> updates.incrementAndGet());
        person.onDelete(r -> deletes.incrementAndGet());
        List<Object[]> initial = new ArrayList<>(n);
        List<Object[]> renamed = new ArrayList<>(n);
        List<Object[]> notes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            initial.add(person(i, "p" + i));
            renamed.add(person(i, "q" + i));
            notes.add(note("n" + i, i));
        }

        cache.applySubscribeApplied(1, queryRows(single("person", rows("person", initial)),
                single("note", rows("note", notes))));
        cache.applySubscribeApplied(2, queryRows(single("person", rows("person", initial))));
        assertEquals(n, inserts.get());
        assertEquals(n, person.size());
        assertEquals(n, cache.table("note").size());

        cache.applyTransaction(tx(
                set(1, table("person", persistent(rows("person", renamed), rows("person", initial)))),
                set(2, table("person", persistent(rows("person", renamed), rows("person", initial))))));
        assertEquals(n, updates.get());
        assertEquals("q9999", person.findByPrimaryKey(9999).orElseThrow().getString("name"));

        cache.applySubscribeApplied(1, queryRows(single("person", rows("person", renamed)),
                single("note", rows("note", notes))));
        assertEquals(n, inserts.get());
        assertEquals(n, updates.get());

        cache.applyUnsubscribe(2);
        assertEquals(0, deletes.get());
        cache.applyUnsubscribe(1);
        assertEquals(n, deletes.get());
        assertEquals(0, person.size());
        assertEquals(0, cache.table("note").size());
    }

    // ------------------------------------------------------------------ threads

    @Test
    void readersOnOtherThreadsNeverSeeAHalfAppliedMessage() throws Exception {
        int live = 50;
        List<Object[]> initial = new ArrayList<>();
        for (int i = 0; i < live; i++) {
            initial.add(person(i, "p" + i));
        }
        cache.applySubscribeApplied(1, queryRows(single("person", rows("person", initial))));

        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicInteger reads = new AtomicInteger();
        Thread reader = new Thread(() -> {
            while (!done.get() && failure.get() == null) {
                int size = person.size();
                int rows = person.rows().size();
                if (size != live || rows != live) {
                    failure.set("saw " + size + " / " + rows + " rows");
                }
                reads.incrementAndGet();
            }
        });
        reader.start();
        try {
            // Each transaction deletes one row and inserts another: between messages there are always 50.
            for (int i = 0; i < 2_000; i++) {
                cache.applyTransaction(tx(set(1, table("person", persistent(
                        rows("person", person(i + live, "p" + (i + live))),
                        rows("person", person(i, "p" + i)))))));
            }
        } finally {
            done.set(true);
            reader.join(10_000);
        }
        assertNull(failure.get(), failure.get());
        assertTrue(reads.get() > 0);
        assertEquals(live, person.size());
    }

    @Test
    void listenersCanBeRegisteredAndRemovedFromOtherThreads() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        List<dev.stdb.secure.core.Registration> registrations = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 100; i++) {
                    registrations.add(person.onInsert(r -> calls.incrementAndGet()));
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        cache.applySubscribeApplied(1, queryRows(single("person", rows("person", person(1, "Ada")))));
        assertEquals(400, calls.get());

        registrations.forEach(dev.stdb.secure.core.Registration::remove);
        cache.applySubscribeApplied(2, queryRows(single("person", rows("person", person(2, "Bob")))));
        assertEquals(400, calls.get());
    }
}
