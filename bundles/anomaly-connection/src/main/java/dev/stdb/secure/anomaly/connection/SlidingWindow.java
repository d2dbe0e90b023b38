package dev.stdb.secure.anomaly.connection;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/** Counts events per key in a sliding time window. Not thread-safe: guarded by its detector. */
final class SlidingWindow {
    private final long windowMillis;
    private final Map<String, ArrayDeque<Long>> times = new HashMap<>();

    SlidingWindow(Duration window) {
        if (window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        this.windowMillis = window.toMillis();
    }

    /** Records an event for {@code key} at {@code now} and returns how many fall in the window ending now. */
    int add(String key, long now) {
        ArrayDeque<Long> q = times.computeIfAbsent(key, k -> new ArrayDeque<>());
        q.addLast(now);
        while (!q.isEmpty() && now - q.peekFirst() >= windowMillis) {
            q.removeFirst();
        }
        return q.size();
    }

    void clear(String key) {
        times.remove(key);
    }
}
