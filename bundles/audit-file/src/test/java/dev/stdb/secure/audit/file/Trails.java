package dev.stdb.secure.audit.file;

import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.audit.file.internal.Codec;
import dev.stdb.secure.audit.file.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Test helpers: keys, events, a settable clock, and a forger that edits lines and rebuilds the chain. */
final class Trails {

    private Trails() {
    }

    static KeyPair ecKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static SecurityEvent event(int i) {
        return SecurityEvent.of(i % 2 == 0 ? SecurityEventType.AUTH_SUCCESS : SecurityEventType.CONNECTED,
                        Outcome.SUCCESS)
                .time(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i))
                .principal(i % 3 == 0 ? "alice" : "bob").connection("conn-" + (i % 2)).source("test")
                .detail("n", Integer.toString(i)).build();
    }


    static List<String> lines(Path segment) throws IOException {
        return new ArrayList<>(Files.readAllLines(segment, StandardCharsets.UTF_8));
    }

    static void write(Path segment, List<String> lines) throws IOException {
        Files.writeString(segment, String.join("\n", lines) + (lines.isEmpty() ? "" : "\n"), StandardCharsets.UTF_8);
    }

    /**
     * What an attacker without the signing key can do: rewrite every line from {@code from} (0-based) with
     * consecutive sequence numbers and recomputed hashes; checkpoints are re-signed with {@code attacker}.
     */
    static List<String> rechain(List<String> lines, int from, long firstSeq, KeyPair attacker) throws Exception {
        List<String> out = new ArrayList<>(lines.subList(0, from));
        String prev = from == 0 ? Codec.GENESIS : hashOf(lines.get(from - 1));
        long seq = firstSeq;
        for (int i = from; i < lines.size(); i++) {
            String line = rebuild(lines.get(i), seq, prev, attacker);
            out.add(line);
            prev = hashOf(line);
            seq++;
        }
        return out;
    }

    /** The line with a new seq and prev, rehashed (and re-signed with {@code attacker} if a checkpoint). */
    static String rebuild(String line, long seq, String prev, KeyPair attacker) throws Exception {
        line = rehash(line);
        Map<String, Object> m = Json.parseObject(line);
        String prefix;
        if ("event".equals(m.get("rec"))) {
            SecurityEvent e = parseEvent(line);
            prefix = Codec.eventPrefix(seq, prev, e);
        } else {
            String signed = Codec.checkpointSigned(seq, prev, Instant.parse((String) m.get("time")),
                    (Long) m.get("every"), Codec.fingerprint(attacker.getPublic()));
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(attacker.getPrivate());
            s.update(signed.getBytes(StandardCharsets.UTF_8));
            prefix = Codec.checkpointPrefix(signed, Base64.getEncoder().encodeToString(s.sign()));
        }
        String full = Codec.line(prefix);
        return full.substring(0, full.length() - 1);
    }

    /** The line with its hash recomputed over whatever it now says. */
    static String rehash(String line) {
        String full = Codec.line(line.substring(0, line.lastIndexOf(",\"hash\":\"")));
        return full.substring(0, full.length() - 1);
    }

    static SecurityEvent parseEvent(String line) throws Codec.BadRecord {
        return Codec.parse(line).event();
    }

    static String hashOf(String line) {
        return (String) Json.parseObject(line).get("hash");
    }
}
