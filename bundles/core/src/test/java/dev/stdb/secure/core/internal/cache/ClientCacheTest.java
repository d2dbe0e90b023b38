package dev.stdb.secure.core.internal.cache;

import dev.stdb.secure.core.TableView;
import dev.stdb.secure.protocol.ProtocolException;
import dev.stdb.secure.protocol.message.BsatnRowList;
import dev.stdb.secure.protocol.message.RowSizeHint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.stdb.secure.core.internal.cache.CacheFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** Reference counts, net changes and callbacks of the client cache, message by message. */
class ClientCacheTest {
    private ClientCache cache;
    private Recorder rec;
    private TableView person;
    private TableView note;
    private TableView ping;

    @BeforeEach
    void setUp() {
        cache = new ClientCache(SCHEMA);
        rec = new Recorder(cache);
        person = cache.table("person");
        note = cache.table("note");
        ping = cache.table("ping");
    }

    private void subscribe(int set, Object[]... people) {
        cache.applySubscribeApplied(set, queryRows(single("person", rows("person", people))));
    }

    @Test
    void initialRowsAreCachedAndAnnouncedInMessageOrder() {
        cache.applySubscribeApplied(1, queryRows(
                single("person", rows("person", person(2, "Bob"), person(1, "Ada"))),
                single("note", rows("note", note("a", 1)))));

        assertEquals(List.of("+person 2:Bob", "+person 1:Ada", "+note a:1"), rec.take());
        assertEquals(2, person.size());
        assertEquals(List.of("1:Ada", "2:Bob"), texts(person));
        assertEquals(List.of("a:1"), texts(note));
        assertEquals(Set.of(1), cache.querySets());
        assertEquals("person", person.name());
    }

    @Test
    void aSetWithNoRowsStillCounts() {
        cache.applySubscribeApplied(7, queryRows());
        assertEquals(Set.of(7), cache.querySets());
        assertEquals(List.of(), rec.take());
        cache.applyUnsubscribe(7);
        assertEquals(Set.of(), cache.querySets());
    }

    @Test
    void overlappingSetsShareRows() {
        subscribe(1, person(1, "Ada"), person(2, "Bob"));
        rec.take();
        subscribe(2, person(2, "Bob"), person(3, "Cy"));

        assertEquals(List.of("+person 3:Cy"), rec.take(), "Bob is already cached: no second insert");
        assertEquals(3, person.size(), "Bob is not duplicated");
        assertEquals(List.of("1:Ada", "2:Bob", "3:Cy"), texts(person));
        assertEquals(Set.of(1, 2), cache.querySets());
    }

    @Test
    void unsubscribingOneOfTwoOverlappingSetsKeepsTheSharedRows() {
        subscribe(1, person(1, "Ada"), person(2, "Bob"));
        subscribe(2, person(2, "Bob"), person(3, "Cy"));
        rec.take();

        cache.applyUnsubscribe(1);
        assertEquals(List.of("-person 1:Ada"), rec.take());
        assertEquals(List.of("2:Bob", "3:Cy"), texts(person));
        assertEquals(Set.of(2), cache.querySets());

        cache.applyUnsubscribe(2);
        assertEquals(List.of("-person 2:Bob", "-person 3:Cy"), rec.take());
        assertEquals(0, person.size());
        assertEquals(Set.of(), cache.querySets());
    }

    @Test
    void aDeleteFromOneSetWhileAnotherHoldsTheRowIsSilent() {
        subscribe(1, person(1, "Ada"));
        subscribe(2, person(1, "Ada"));
        rec.take();

        cache.applyTransaction(tx(set(1, table("person", deletes(rows("person", person(1, "Ada")))))));
        assertEquals(List.of(), rec.take(), "set 2 still holds Ada");
        assertEquals(1, person.size());

        cache.applyTransaction(tx(set(2, table("person", deletes(rows("person", person(1, "Ada")))))));
        assertEquals(List.of("-person 1:Ada"), rec.take());
        assertEquals(0, person.size());
    }

    @Test
    void theSameDeleteThroughTwoSetsInOneMessageFiresOnce() {
        subscribe(1, person(1, "Ada"));
        subscribe(2, person(1, "Ada"));
        rec.take();

        cache.applyTransaction(tx(
                set(1, table("person", deletes(rows("person", person(1, "Ada"))))),
                set(2, table("person", deletes(rows("person", person(1, "Ada")))))));
        assertEquals(List.of("-person 1:Ada"), rec.take());
        assertEquals(0, person.size());
    }

    @Test
    void aPrimaryKeyUpdateFiresOnlyOnUpdate() {
        subscribe(1, person(1, "Ada"), person(2, "Bob"));
        rec.take();

        cache.applyTransaction(tx(set(1, table("person",
                persistent(rows("person", person(1, "Ada Lovelace")), rows("person", person(1, "Ada")))))));

        assertEquals(List.of("~person 1:Ada>1:Ada Lovelace"), rec.take());
        assertEquals(List.of("1:Ada Lovelace", "2:Bob"), texts(person));
        assertEquals("Ada Lovelace", person.findByPrimaryKey(1).orElseThrow().getString("name"));
    }

    @Test
    void aPrimaryKeyUpdateSeenThroughTwoSetsFiresOnce() {
        subscribe(1, person(1, "Ada"));
        subscribe(2, person(1, "Ada"));
        rec.take();

        cache.applyTransaction(tx(
                set(1, table("person", persistent(rows("person", person(1, "Ida")), rows("person", person(1, "Ada"))))),
                set(2, table("person", persistent(rows("person", person(1, "Ida")), rows("person", person(1, "Ada")))))));
        assertEquals(List.of("~person 1:Ada>1:Ida"), rec.take());
        assertEquals(List.of("1:Ida"), texts(person));

        // Both sets still hold the row: it leaves only when both let go.
        cache.applyUnsubscribe(1);
        assertEquals(List.of(), rec.take());
        cache.applyUnsubscribe(2);
        assertEquals(List.of("-person 1:Ida"), rec.take());
    }

    @Test
    void anUpdateWhereOneSetStopsMatchingIsStillAnUpdate() {
        subscribe(1, person(1, "Ada"));
        subscribe(2, person(1, "Ada"));
        rec.take();

        // Set 2's query no longer matches the new row: it only sees the delete.
        cache.applyTransaction(tx(
                set(2, table("person", deletes(rows("person", person(1, "Ada"))))),
                set(1, table("person", persistent(rows("person", person(1, "Ida")), rows("person", person(1, "Ada")))))));
        assertEquals(List.of("~person 1:Ada>1:Ida"), rec.take());

        cache.applyUnsubscribe(1);
        assertEquals(List.of("-person 1:Ida"), rec.take(), "set 2 no longer held the row");
    }

    @Test
    void anUpdateSplitOverTwoTableUpdatesOfOneSetIsAnUpdate() {
        subscribe(1, person(1, "Ada"));
        rec.take();

        // One query of the set loses the row, another gains its new version; inserts listed before deletes.
        cache.applyTransaction(tx(set(1,
                table("person", inserts(rows("person", person(1, "Ida")))),
                table("person", deletes(rows("person", person(1, "Ada")))))));
        assertEquals(List.of("~person 1:Ada>1:Ida"), rec.take());
        assertEquals(List.of("1:Ida"), texts(person));
    }

    @Test
    void deletesAndInsertsOfDifferentKeysAreDeletesAndInserts() {
        subscribe(1, person(1, "Ada"), person(2, "Bob"));
        rec.take();

        cache.applyTransaction(tx(set(1, table("person",
                persistent(rows("person", person(3, "Cy")), rows("person", person(1, "Ada")))))));
        assertEquals(List.of("-person 1:Ada", "+person 3:Cy"), rec.take());
        assertEquals(List.of("2:Bob", "3:Cy"), texts(person));
    }

    @Test
    void callbacksFollowTablesInMessageOrderAndKeysInFirstTouchOrder() {
        subscribe(1, person(1, "Ada"), person(2, "Bob"));
        cache.applySubscribeApplied(2, queryRows(single("note", rows("note", note("a", 1)))));
        rec.take();

        cache.applyTransaction(tx(
                set(2, table("note", inserts(rows("note", note("b", 2))))),
                set(1, table("person", persistent(
                        rows("person", person(5, "Eve"), person(1, "Ida")),
                        rows("person", person(2, "Bob"), person(1, "Ada")))))));
        // Deletes are applied first, so 2 and 1 were touched before 5.
        assertEquals(List.of("+note b:2", "-person 2:Bob", "~person 1:Ada>1:Ida", "+person 5:Eve"), rec.take());
    }

    @Test
    void aRowDeletedAndReinsertedUnchangedIsSilent() {
        subscribe(1, person(1, "Ada"));
        rec.take();
        cache.applyTransaction(tx(set(1, table("person",
                persistent(rows("person", person(1, "Ada")), rows("person", person(1, "Ada")))))));
        assertEquals(List.of(), rec.take());
        assertEquals(List.of("1:Ada"), texts(person));
    }

    @Test
    void aTableWithoutPrimaryKeyIsKeyedByRowBytes() {
        cache.applySubscribeApplied(1, queryRows(single("note", rows("note", note("a", 1), note("b", 2)))));
        rec.take();

        cache.applyTransaction(tx(set(1, table("note", deletes(rows("note", note("a", 1)))))));
        assertEquals(List.of("-note a:1"), rec.take());
        assertEquals(List.of("b:2"), texts(note));

        // Same text, other number: another row, so a delete and an insert, never an update.
        cache.applyTransaction(tx(set(1, table("note",
                persistent(rows("note", note("b", 3)), rows("note", note("b", 2)))))));
        assertEquals(List.of("-note b:2", "+note b:3"), rec.take());
        assertEquals(List.of("b:3"), texts(note));

        // A delete of bytes the set does not hold: ignored.
        cache.applyTransaction(tx(set(1, table("note", deletes(rows("note", note("b", 99)))))));
        assertEquals(List.of(), rec.take());
        assertEquals(List.of("b:3"), texts(note));
    }

    @Test
    void overlappingSetsOnATableWithoutPrimaryKey() {
        cache.applySubscribeApplied(1, queryRows(single("note", rows("note", note("a", 1)))));
        cache.applySubscribeApplied(2, queryRows(single("note", rows("note", note("a", 1), note("c", 3)))));
        assertEquals(List.of("+note a:1", "+note c:3"), rec.take());
        assertEquals(2, note.size());
        cache.applyUnsubscribe(2);
        assertEquals(List.of("-note c:3"), rec.take());
        assertEquals(List.of("a:1"), texts(note));
    }

    @Test
    void eventRowsFireInsertsOnceAndAreNeverStored() {
        subscribe(1);
        subscribe(2);
        rec.take();

        // The server sends each event once per query set that matches it.
        cache.applyTransaction(tx(
                set(1, table("ping", events(rows("ping", ping("hi"))))),
                set(2, table("ping", events(rows("ping", ping("hi"), ping("yo")))))));
        assertEquals(List.of("+ping hi", "+ping yo"), rec.take());
        assertEquals(0, ping.size());
        assertEquals(List.of(), ping.rows());

        // The next transaction's identical event is a new event.
        cache.applyTransaction(tx(set(1, table("ping", events(rows("ping", ping("hi")))))));
        assertEquals(List.of("+ping hi"), rec.take());
        assertEquals(0, ping.size());
    }

    @Test
    void persistentRowsOfAnEventTableAreEventsAndDeletesAreIgnored() {
        subscribe(1);
        rec.take();
        cache.applyTransaction(tx(set(1, table("ping",
                persistent(rows("ping", ping("a")), rows("ping", ping("b")))))));
        assertEquals(List.of("+ping a"), rec.take());
        assertEquals(0, ping.size());
    }

    @Test
    void eventRowsOfAPersistentTableAreAnnouncedNotStored() {
        subscribe(1);
        rec.take();
        cache.applyTransaction(tx(set(1, table("person", events(rows("person", person(9, "Zed")))))));
        assertEquals(List.of("+person 9:Zed"), rec.take());
        assertEquals(0, person.size());
    }

    @Test
    void eventRowsInSubscribeAppliedAreIgnored() {
        cache.applySubscribeApplied(1, queryRows(single("ping", rows("ping", ping("old"))),
                single("person", rows("person", person(1, "Ada")))));
        assertEquals(List.of("+person 1:Ada"), rec.take());
        assertEquals(0, ping.size());
    }

    @Test
    void resubscribingWithTheSameRowsFiresNothing() {
        cache.applySubscribeApplied(1, queryRows(single("person", rows("person", person(1, "Ada"), person(2, "Bob"))),
                single("note", rows("note", note("a", 1)))));
        subscribe(2, person(2, "Bob"));
        rec.take();

        // After a reconnect the connection subscribes again with the same set ids.
        cache.applySubscribeApplied(1, queryRows(single("note", rows("note", note("a", 1))),
                single("person", rows("person", person(2, "Bob"), person(1, "Ada")))));
        subscribe(2, person(2, "Bob"));
        assertEquals(List.of(), rec.take());
        assertEquals(List.of("1:Ada", "2:Bob"), texts(person));
        assertEquals(List.of("a:1"), texts(note));

        // The counts were replaced, not added to: one unsubscribe each removes everything.
        cache.applyUnsubscribe(1);
        assertEquals(List.of("-note a:1", "-person 1:Ada"), rec.take(), "in the order of the latest SubscribeApplied");
        cache.applyUnsubscribe(2);
        assertEquals(List.of("-person 2:Bob"), rec.take());
        assertEquals(0, person.size());
    }

    @Test
    void resubscribingFiresOnlyTheNetDifference() {
        cache.applySubscribeApplied(1, queryRows(
                single("person", rows("person", person(1, "Ada"), person(2, "Bob"), person(3, "Cy"), person(5, "Eve"))),
                single("note", rows("note", note("a", 1)))));
        subscribe(2, person(5, "Eve"));
        rec.take();

        // Meanwhile Bob was renamed, Cy deleted, Di added; Eve left set 1's result but set 2 still matches her;
        // set 1 no longer matches any note.
        cache.applySubscribeApplied(1, queryRows(single("person",
                rows("person", person(1, "Ada"), person(2, "Bobby"), person(4, "Di")))));
        assertEquals(List.of("~person 2:Bob>2:Bobby", "+person 4:Di", "-person 3:Cy", "-note a:1"), rec.take());
        assertEquals(List.of("1:Ada", "2:Bobby", "4:Di", "5:Eve"), texts(person));
        assertEquals(0, note.size());
        assertEquals(Set.of(1, 2), cache.querySets());

        cache.applyUnsubscribe(2);
        assertEquals(List.of("-person 5:Eve"), rec.take());
    }

    @Test
    void deletesOfRowsASetDoesNotHoldAreIgnored() {
        subscribe(1, person(1, "Ada"));
        subscribe(2);
        rec.take();

        // Set 2 never held Ada; a never-seen row; a set that is not live.
        cache.applyTransaction(tx(
                set(2, table("person", deletes(rows("person", person(1, "Ada"))))),
                set(1, table("person", deletes(rows("person", person(42, "Nobody"))))),
                set(9, table("person", deletes(rows("person", person(1, "Ada")))))));
        assertEquals(List.of(), rec.take());
        assertEquals(List.of("1:Ada"), texts(person));

        // Counts never went negative: set 1's single delete removes the row.
        cache.applyTransaction(tx(set(1, table("person", deletes(rows("person", person(1, "Ada")))))));
        assertEquals(List.of("-person 1:Ada"), rec.take());
        // A second delete of the same row is ignored too.
        cache.applyTransaction(tx(set(1, table("person", deletes(rows("person", person(1, "Ada")))))));
        assertEquals(List.of(), rec.take());
        assertEquals(0, person.size());
    }

    @Test
    void insertsForASetThatIsNotLiveAreIgnored() {
        cache.applyTransaction(tx(set(5, table("person", inserts(rows("person", person(1, "Ada")))))));
        assertEquals(List.of(), rec.take());
        assertEquals(0, person.size());
        assertEquals(Set.of(), cache.querySets());
    }

    @Test
    void aRowMatchedTwiceByOneSetNeedsTwoDeletes() {
        // Two queries of one set match the same row: the server lists it once per query.
        subscribe(1, person(1, "Ada"), person(1, "Ada"));
        assertEquals(List.of("+person 1:Ada"), rec.take());
        assertEquals(1, person.size());

        cache.applyTransaction(tx(set(1, table("person", deletes(rows("person", person(1, "Ada")))))));
        assertEquals(List.of(), rec.take());
        cache.applyTransaction(tx(set(1, table("person", deletes(rows("person", person(1, "Ada")))))));
        assertEquals(List.of("-person 1:Ada"), rec.take());
    }

    @Test
    void unsubscribingAnUnknownSetDoesNothing() {
        subscribe(1, person(1, "Ada"));
        rec.take();
        cache.applyUnsubscribe(99);
        assertEquals(List.of(), rec.take());
        assertEquals(Set.of(1), cache.querySets());
        assertEquals(1, person.size());
    }

    @Test
    void aSetIdCanBeReusedAfterUnsubscribe() {
        subscribe(1, person(1, "Ada"));
        cache.applyUnsubscribe(1);
        rec.take();
        subscribe(1, person(2, "Bob"));
        assertEquals(List.of("+person 2:Bob"), rec.take());
        assertEquals(List.of("2:Bob"), texts(person));
    }

    @Test
    void aThrowingListenerDoesNotStopTheOthersNorCorruptTheCache() {
        List<String> seen = new ArrayList<>();
        person.onInsert(r -> {
            throw new IllegalStateException("boom " + text(r));
        });
        person.onInsert(r -> seen.add(text(r)));
        person.onDelete(r -> {
            throw new AssertionError("an Error is isolated too");
        });

        subscribe(1, person(1, "Ada"), person(2, "Bob"));
        assertEquals(List.of("1:Ada", "2:Bob"), seen);
        assertEquals(List.of("+person 1:Ada", "+person 2:Bob"), rec.take(), "listeners registered earlier ran");
        assertEquals(List.of("1:Ada", "2:Bob"), texts(person));

        cache.applyTransaction(tx(set(1, table("person",
                persistent(rows("person", person(3, "Cy")), rows("person", person(1, "Ada")))))));
        assertEquals(List.of("-person 1:Ada", "+person 3:Cy"), rec.take());
        assertEquals(List.of("2:Bob", "3:Cy"), texts(person));
        assertEquals(List.of("1:Ada", "2:Bob", "3:Cy"), seen);
    }

    @Test
    void listenersSeeTheCompleteNewState() {
        List<String> observed = new ArrayList<>();
        person.onInsert(r -> observed.add("insert " + text(r) + " sees " + texts(person) + " " + texts(note)));
        person.onDelete(r -> observed.add("delete " + text(r) + " finds "
                + person.findByPrimaryKey(r.getLong("id")).map(CacheFixtures::text).orElse("nothing")));
        person.onUpdate((o, n) -> observed.add("update finds "
                + person.findByPrimaryKey(1).map(CacheFixtures::text).orElse("nothing") + " size " + person.size()));

        cache.applySubscribeApplied(1, queryRows(single("person", rows("person", person(1, "Ada"), person(2, "Bob"))),
                single("note", rows("note", note("a", 1)))));
        assertEquals(List.of("insert 1:Ada sees [1:Ada, 2:Bob] [a:1]", "insert 2:Bob sees [1:Ada, 2:Bob] [a:1]"),
                observed);
        observed.clear();

        cache.applyTransaction(tx(set(1, table("person", persistent(rows("person", person(1, "Ida")),
                rows("person", person(1, "Ada"), person(2, "Bob")))))));
        assertEquals(List.of("update finds 1:Ida size 1", "delete 2:Bob finds nothing"), observed);
    }

    @Test
    void removedRegistrationsAreNotCalled() {
        List<String> seen = new ArrayList<>();
        var insert = person.onInsert(r -> seen.add("+" + text(r)));
        var delete = person.onDelete(r -> seen.add("-" + text(r)));
        var update = person.onUpdate((o, n) -> seen.add("~" + text(n)));

        subscribe(1, person(1, "Ada"));
        insert.remove();
        subscribe(2, person(2, "Bob"));
        cache.applyTransaction(tx(set(1, table("person",
                persistent(rows("person", person(1, "Ida")), rows("person", person(1, "Ada")))))));
        update.close();
        cache.applyUnsubscribe(2);
        delete.remove();
        cache.applyUnsubscribe(1);

        assertEquals(List.of("+1:Ada", "~1:Ida", "-2:Bob"), seen);
    }

    @Test
    void removingARegistrationTwiceLeavesOtherRegistrationsOfTheSameListener() {
        List<String> seen = new ArrayList<>();
        dev.stdb.secure.core.RowListener listener = r -> seen.add(text(r));
        var first = person.onInsert(listener);
        person.onInsert(listener);

        first.remove();
        first.remove();
        subscribe(1, person(1, "Ada"));
        assertEquals(List.of("1:Ada"), seen, "the second registration is still there, once");
    }

    @Test
    void aListenerMayRemoveItselfWhileBeingCalled() {
        List<String> seen = new ArrayList<>();
        var holder = new dev.stdb.secure.core.Registration[1];
        holder[0] = person.onInsert(r -> {
            seen.add(text(r));
            holder[0].remove();
        });
        subscribe(1, person(1, "Ada"), person(2, "Bob"));
        // The listeners of a change are read per change: gone before the second row's change.
        assertEquals(List.of("1:Ada"), seen);
        subscribe(2, person(3, "Cy"));
        assertEquals(List.of("1:Ada"), seen);
    }

    @Test
    void unknownTablesAreRejectedWithTheKnownNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cache.table("nope"));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
        assertTrue(e.getMessage().contains("person, note, ping, pair"), e.getMessage());
    }

    @Test
    void aMessageNamingAnUnknownTableChangesNothing() {
        subscribe(1, person(1, "Ada"));
        rec.take();
        ProtocolException e = assertThrows(ProtocolException.class, () -> cache.applyTransaction(tx(set(1,
                table("person", inserts(rows("person", person(2, "Bob")))),
                table("ghost", inserts(rows("person", person(3, "Cy"))))))));
        assertTrue(e.getMessage().contains("ghost"), e.getMessage());
        assertThrows(ProtocolException.class, () -> cache.applySubscribeApplied(2, queryRows(
                single("person", rows("person", person(2, "Bob"))), single("ghost", none()))));
        assertEquals(List.of(), rec.take());
        assertEquals(List.of("1:Ada"), texts(person));
        assertEquals(Set.of(1), cache.querySets());
    }

    @Test
    void malformedRowsChangeNothing() {
        subscribe(1, person(1, "Ada"));
        rec.take();
        // A u32 and a string whose length runs past the end.
        byte[] bad = {2, 0, 0, 0, 50, 0, 0, 0, 'x'};
        BsatnRowList broken = BsatnRowList.of(new RowSizeHint.RowOffsets(new long[]{0}), bad);
        assertThrows(ProtocolException.class, () -> cache.applyTransaction(tx(set(1,
                table("person", persistent(broken, rows("person", person(1, "Ada"))))))));
        assertThrows(ProtocolException.class, () -> cache.applySubscribeApplied(1,
                queryRows(single("person", broken))));
        assertEquals(List.of(), rec.take());
        assertEquals(List.of("1:Ada"), texts(person));
        cache.applyUnsubscribe(1);
        assertEquals(List.of("-person 1:Ada"), rec.take(), "the set's counts were untouched");
    }

    @Test
    void rowsSnapshotIsImmutableAndDetachedFromLaterChanges() {
        subscribe(1, person(1, "Ada"), person(2, "Bob"));
        List<dev.stdb.secure.protocol.value.Row> snapshot = person.rows();
        assertThrows(UnsupportedOperationException.class, () -> snapshot.remove(0));
        cache.applyUnsubscribe(1);
        assertEquals(2, snapshot.size());
        assertEquals(0, person.rows().size());
    }
}
