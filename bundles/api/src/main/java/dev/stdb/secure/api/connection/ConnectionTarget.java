package dev.stdb.secure.api.connection;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Which server and database a connection talks to. Validated when built, so a bad URI fails at configuration time
 * with a message naming the problem rather than at the first connect.
 *
 * @param uri      the server, with scheme {@code ws}, {@code wss}, {@code http} or {@code https} and a host; it must
 *                 not carry user info (credentials belong in a credential store, not in a URI that gets logged)
 * @param database the database name or identity, not blank
 */
public record ConnectionTarget(URI uri, String database) {

    private static final Set<String> SCHEMES = Set.of("ws", "wss", "http", "https");

    public ConnectionTarget {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(database, "database");
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme == null || !SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException(
                    "uri scheme must be one of ws, wss, http, https: " + safe(uri));
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("uri has no host: " + safe(uri));
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(
                    "uri must not contain user info; keep credentials in a credential store: " + safe(uri));
        }
        if (database.isBlank()) {
            throw new IllegalArgumentException("database is blank");
        }
    }

    /** Parses {@code uri}. */
    public static ConnectionTarget of(String uri, String database) {
        return new ConnectionTarget(URI.create(Objects.requireNonNull(uri, "uri")), database);
    }

    /** True for {@code wss} and {@code https}. */
    public boolean secure() {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        return scheme.equals("wss") || scheme.equals("https");
    }

    /** The URI without user info, query or fragment, which may hold credentials. */
    private static String safe(URI uri) {
        return (uri.getScheme() == null ? "(no scheme)" : uri.getScheme()) + "://"
                + (uri.getHost() == null ? "" : uri.getHost())
                + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
}
