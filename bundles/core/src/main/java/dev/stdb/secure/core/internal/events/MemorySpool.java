package dev.stdb.secure.core.internal.events;

import dev.stdb.secure.api.audit.SecurityEvent;

import java.util.ArrayDeque;
import java.util.NoSuchElementException;
import java.util.Objects;

/** A spool in memory only: survives sink outages, not a restart of the process. */
public final class MemorySpool implements EventSpool {
    private final ArrayDeque<SecurityEvent> events = new ArrayDeque<>();

    @Override
    public void append(SecurityEvent event) {
        events.addLast(Objects.requireNonNull(event, "event"));
    }

    @Override
    public SecurityEvent peek() {
        return events.peekFirst();
    }

    @Override
    public void removeHead() {
        if (events.pollFirst() == null) {
            throw new NoSuchElementException("spool is empty");
        }
    }

    @Override
    public int size() {
        return events.size();
    }
}
