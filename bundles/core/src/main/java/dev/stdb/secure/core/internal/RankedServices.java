package dev.stdb.secure.core.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Services of one kind as they come and go, best first: highest {@code service.ranking}, then lowest
 * {@code service.id}, as the OSGi framework itself orders them.
 */
public final class RankedServices<T> {
    private record Rank(int ranking, long id) {
    }

    private static final Comparator<Rank> ORDER = Comparator.comparingInt(Rank::ranking).reversed()
            .thenComparingLong(Rank::id);

    private final ConcurrentSkipListMap<Rank, T> services = new ConcurrentSkipListMap<>(ORDER);

    public void add(T service, Map<String, ?> properties) {
        services.put(rank(properties), service);
    }

    public void remove(T service) {
        services.values().removeIf(s -> s == service);
    }

    /** The best service now, or null. */
    public T best() {
        Map.Entry<Rank, T> first = services.firstEntry();
        return first == null ? null : first.getValue();
    }

    /** All of them, best first. */
    public List<T> all() {
        return new ArrayList<>(services.values());
    }

    private static Rank rank(Map<String, ?> p) {
        Object ranking = p.get("service.ranking");
        Object id = p.get("service.id");
        return new Rank(ranking instanceof Integer i ? i : 0, id instanceof Long l ? l : System.identityHashCode(p));
    }
}
