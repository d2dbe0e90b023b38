package dev.stdb.secure.protocol.frame;

import java.util.List;
import java.util.Optional;

/**
 * The binary WebSocket subprotocols a 2.x client speaks (PROTOCOL.md §0). Both carry the v2 message schema; v3 packs
 * one or more messages into a frame.
 */
public enum Subprotocol {
    V3_BSATN("v3.bsatn.spacetimedb", true),
    V2_BSATN("v2.bsatn.spacetimedb", false);

    /** What a client offers, most preferred first, as the official TypeScript client does. */
    public static final List<Subprotocol> CLIENT_OFFER = List.of(V3_BSATN, V2_BSATN);

    private final String wireName;
    private final boolean batched;

    Subprotocol(String wireName, boolean batched) {
        this.wireName = wireName;
        this.batched = batched;
    }

    /** The {@code Sec-WebSocket-Protocol} token. */
    public String wireName() {
        return wireName;
    }

    /** Whether a frame may carry several messages (v3). */
    public boolean batched() {
        return batched;
    }

    /** The subprotocol a server answered with; an empty answer means v2, as the official client assumes. */
    public static Optional<Subprotocol> fromServerAnswer(String answer) {
        if (answer == null || answer.isBlank()) {
            return Optional.of(V2_BSATN);
        }
        for (Subprotocol p : values()) {
            if (p.wireName.equals(answer.trim())) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
