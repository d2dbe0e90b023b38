package dev.stdb.secure.audit.file.internal;

import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Events whose records are easy to get wrong: escapes, control characters, multi-byte and broken UTF-16, nulls,
 * empty and large values, and times at the edges of {@link Instant#toString()}. All fixed, so their lines can be
 * compared with {@code golden-records.jsonl}, written by the string-based encoder before the byte encoder existed
 * (and before {@link SecurityEvent} replaced unpaired surrogates: see {@link #withUnpairedSurrogates()}).
 */
final class AwkwardEvents {

    private AwkwardEvents() {
    }

    static final String[] STRINGS = {
        "",
        "plain ascii",
        "quote \" and backslash \\ and both \\\" and \\u0041 as text",
        "\u0000\u0001\u0007\b\t\n\u000b\f\r\u000e\u001b\u001f \u007f\u0080\u009f",
        "injected\n{\"seq\":1,\"rec\":\"event\"}\r\nnext line",
        "J\u00fcrgen \u00e9\u00df \u6771\u4eac \u0928\u092e\u0938\u094d\u0924\u0947 \u20ac \ufffd \uffff \u2028\u2029",
        "emoji \ud83d\ude00 \ud83c\udff3\ufe0f\u200d\ud83c\udf08 \ud800\udc00 \udbff\udfff",
        "lone high \ud800 then text",
        "lone low \udc00 then text",
        "reversed pair \ude00\ud83d",
        "high at the end \ud83d",
        "\udc00",
        "two highs \ud83d\ud83d\ude00",
        "/ slash and \u0000 nul at the end \u0000",
        "</script><script>alert(1)</script>",
    };

    static List<SecurityEvent> all() {
        return build(new HashSet<>());
    }

    /**
     * Ids of the events made from text with an unpaired surrogate: {@link SecurityEvent} holds U+FFFD in its place,
     * so their records differ from the golden ones, which have {@code ?} (and some a different detail order).
     */
    static Set<UUID> withUnpairedSurrogates() {
        Set<UUID> ids = new HashSet<>();
        build(ids);
        return ids;
    }

    private static List<SecurityEvent> build(Set<UUID> unpaired) {
        List<SecurityEvent> out = new ArrayList<>();
        Instant[] times = {
            Instant.parse("2026-11-28T02:00:00Z"),
            Instant.EPOCH,
            Instant.parse("2026-11-28T02:00:00.100Z"),
            Instant.parse("2026-11-28T02:00:00.120Z"),
            Instant.parse("2026-11-28T02:00:00.123Z"),
            Instant.parse("2026-11-28T02:00:00.123400Z"),
            Instant.parse("2026-11-28T02:00:00.123456Z"),
            Instant.parse("2026-11-28T02:00:00.000000001Z"),
            Instant.parse("2026-11-28T02:00:00.123456789Z"),
            Instant.parse("2026-11-28T23:59:59.999999999Z"),
            Instant.parse("2024-02-29T12:00:00Z"),
            Instant.parse("2000-03-01T00:00:00.001Z"),
            Instant.parse("9999-12-31T23:59:59.999999999Z"),
            Instant.parse("1969-12-31T23:59:59.5Z"),
            Instant.parse("0000-01-01T00:00:00Z"),
            Instant.ofEpochSecond(253402300800L), // +10000-01-01
            Instant.ofEpochSecond(-62167219201L), // -0001-12-31T23:59:59
            Instant.MIN,
            Instant.MAX,
        };
        // fixed lists, not values(): a type added to the api must not change which event gets which type
        SecurityEventType[] types = {SecurityEventType.AUTH_SUCCESS, SecurityEventType.AUTH_FAILURE,
            SecurityEventType.CONNECTED, SecurityEventType.DISCONNECTED, SecurityEventType.TOKEN_ISSUED,
            SecurityEventType.CONFIGURATION_CHANGED, SecurityEventType.AUDIT_FAILURE};
        Outcome[] outcomes = {Outcome.SUCCESS, Outcome.FAILURE, Outcome.WARNING, Outcome.INFO};
        int n = 0;
        for (Instant t : times) {
            out.add(event(unpaired, n++, t, types[n % types.length], outcomes[n % outcomes.length], "alice",
                    "conn-1", "test", Map.of("n", Integer.toString(n))));
        }
        for (String s : STRINGS) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("value", s);
            details.put(s.isEmpty() ? "empty key" : s, "key is awkward");
            out.add(event(unpaired, n++, times[n % times.length], types[n % types.length],
                    outcomes[n % outcomes.length], s, s, s, details));
        }
        out.add(event(unpaired, n++, times[0], SecurityEventType.AUTH_FAILURE, Outcome.FAILURE, null, null,
                "nulls", Map.of()));
        out.add(event(unpaired, n++, times[0], SecurityEventType.AUTH_FAILURE, Outcome.FAILURE, null, "c", "",
                null));
        Map<String, String> many = new LinkedHashMap<>();
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            big.append(STRINGS[i % STRINGS.length]).append(i);
        }
        for (int i = 0; i < 60; i++) {
            many.put("k" + i, i % 7 == 0 ? big.toString() : STRINGS[i % STRINGS.length]);
        }
        out.add(event(unpaired, n++, times[8], SecurityEventType.ANOMALY, Outcome.WARNING, big.toString(), "big",
                "big", many));
        return out;
    }

    private static SecurityEvent event(Set<UUID> unpaired, int n, Instant time, SecurityEventType type,
            Outcome outcome, String principal, String connection, String source, Map<String, String> details) {
        UUID id = n == 0 ? new UUID(0, 0) : n == 1 ? new UUID(-1, -1)
                : new UUID(0x0123456789abcdefL * n, 0xfedcba9876543210L ^ (n * 0x9e3779b97f4a7c15L));
        List<String> text = new ArrayList<>(Arrays.asList(principal, connection, source));
        if (details != null) {
            text.addAll(details.keySet());
            text.addAll(details.values());
        }
        if (text.stream().anyMatch(AwkwardEvents::hasUnpairedSurrogate)) {
            unpaired.add(id);
        }
        return new SecurityEvent(id, time, type, outcome, principal, connection, source, details);
    }

    static boolean hasUnpairedSurrogate(String s) {
        if (s == null) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
