package dev.stdb.secure.core.internal.events;

import dev.stdb.secure.api.audit.SecurityEvent;

/**
 * Events one audit sink has not accepted yet, oldest first. The {@link EventRouter} keeps one spool per sink key,
 * appends an event when the sink refuses it (or while older events still wait), and removes the head once the sink
 * has accepted it.
 *
 * <p>Not thread-safe: a spool is confined to the router's worker thread.
 */
public interface EventSpool extends AutoCloseable {

    /**
     * Keeps {@code event} behind the ones already spooled. When this returns the event is kept as durably as the
     * spool can keep it (a {@link FileSpool} has written and fsynced it).
     *
     * @throws java.io.UncheckedIOException if the event could not be kept; the spool is unchanged
     */
    void append(SecurityEvent event);

    /** The oldest spooled event, or null when the spool is empty. */
    SecurityEvent peek();

    /**
     * Forgets the oldest event, which the sink has accepted. Does not throw for a failure to record the removal
     * durably (the event may then be delivered again after a restart; sinks tolerate that, the event id tells).
     *
     * @throws java.util.NoSuchElementException if the spool is empty
     */
    void removeHead();

    /** How many events are spooled. */
    int size();

    default boolean isEmpty() {
        return size() == 0;
    }

    /** Releases files and handles; spooled events stay where the spool keeps them. */
    @Override
    default void close() {
    }
}
