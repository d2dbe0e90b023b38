package dev.stdb.secure.core;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** One subscribed query set. Its rows stay in the cache while it is active, across reconnects. */
public interface SubscriptionHandle {
    List<String> queries();

    /** Completes when the initial rows are in the cache; fails with the server's error for a bad query. */
    CompletionStage<Void> applied();

    /** Whether the query set is live (applied and neither unsubscribed nor failed). */
    boolean isActive();

    /** Drops the query set; completes when its rows have left the cache. */
    CompletionStage<Void> unsubscribe();
}
