package dev.stdb.secure.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SecretTest {

    private static final String VALUE = "correct-horse-battery-staple";

    @Test
    void ofBytesCopiesTheCallersArray() {
        byte[] mine = VALUE.getBytes(UTF_8);
        Secret s = Secret.ofBytes(mine);
        Arrays.fill(mine, (byte) 0);
        assertArrayEquals(VALUE.getBytes(UTF_8), s.bytesCopy());
    }

    @Test
    void destroyZeroesTheBackingBytes() throws Exception {
        Secret s = Secret.ofBytes(VALUE.getBytes(UTF_8));
        byte[] backing = (byte[]) field("bytes").get(s);
        assertArrayEquals(VALUE.getBytes(UTF_8), backing);

        s.destroy();

        assertTrue(s.isDestroyed());
        assertEquals(VALUE.length(), backing.length);
        for (byte b : backing) {
            assertEquals(0, b);
        }
    }

    @Test
    void destroyZeroesTheBackingChars() throws Exception {
        Secret s = Secret.ofChars(VALUE.toCharArray());
        char[] backing = (char[]) field("chars").get(s);
        assertEquals(VALUE, new String(backing));

        s.close();

        for (char c : backing) {
            assertEquals('\0', c);
        }
    }

    @Test
    void destroyedSecretRefusesEveryAccess() {
        Secret s = Secret.ofString(VALUE);
        s.destroy();
        s.destroy(); // idempotent
        List<Runnable> accesses = List.of(s::length, s::bytesCopy, s::charsCopy, s::fingerprint,
                () -> s.withBytes(b -> b.length), () -> s.withChars(c -> c.length),
                () -> s.contentEquals(Secret.ofString(VALUE)), () -> Secret.ofString(VALUE).contentEquals(s));
        for (Runnable access : accesses) {
            IllegalStateException e = assertThrows(IllegalStateException.class, access::run);
            assertEquals("secret destroyed", e.getMessage());
        }
    }

    @Test
    void toStringIsMasked() {
        assertEquals("Secret[***]", Secret.ofString(VALUE).toString());
        assertEquals("Secret[***]", Secret.ofBytes(new byte[] {1, 2, 3}).toString());
        assertEquals("Secret[***]", String.valueOf(Secret.ofChars(new char[0])));
    }

    @Test
    void hashCodeIsIdentityNotContent() {
        Secret a = Secret.ofString("aaaaaaaaaa");
        Secret b = Secret.ofString("bbbbbbbbbb");
        assertEquals(System.identityHashCode(a), a.hashCode());
        assertEquals(System.identityHashCode(b), b.hashCode());
        Secret a2 = Secret.ofString("aaaaaaaaaa");
        assertEquals(System.identityHashCode(a2), a2.hashCode());
        int before = a.hashCode();
        a.destroy();
        assertEquals(before, a.hashCode(), "hash must not change when content is zeroed");
    }

    @Test
    void equalsIsIdentity() {
        Secret a = Secret.ofString(VALUE);
        Secret b = Secret.ofString(VALUE);
        assertEquals(a, a);
        assertNotEquals(a, b);
        assertFalse(a.equals(null));
    }

    @Test
    void contentEqualsComparesValues() {
        Secret chars = Secret.ofString(VALUE);
        assertTrue(chars.contentEquals(Secret.ofChars(VALUE.toCharArray())));
        assertTrue(chars.contentEquals(Secret.ofBytes(VALUE.getBytes(UTF_8))), "chars vs UTF-8 bytes");
        assertTrue(Secret.ofBytes(VALUE.getBytes(UTF_8)).contentEquals(chars), "bytes vs chars");
        assertTrue(chars.contentEquals(chars));

        assertFalse(chars.contentEquals(Secret.ofString(VALUE + "x")), "longer");
        assertFalse(chars.contentEquals(Secret.ofString(VALUE.substring(1))), "shorter");
        assertFalse(chars.contentEquals(Secret.ofString(VALUE.replace('e', 'E'))), "same length");
        assertFalse(Secret.ofBytes(new byte[] {1, 2}).contentEquals(Secret.ofBytes(new byte[] {1, 3})));
        assertFalse(Secret.ofChars(new char[] {'a'}).contentEquals(Secret.ofChars(new char[] {'a', '\0'})),
                "trailing NUL must not compare equal");
        assertFalse(chars.contentEquals(null));
    }

    @Test
    void serializationFailsWithoutWritingTheSecret() throws IOException {
        Secret s = Secret.ofString(VALUE);
        assertFalse(Serializable.class.isAssignableFrom(Secret.class));
        assertSerializationFails(s);
        // also when reached through a serializable object graph
        List<Object> holder = new ArrayList<>(List.of("prefix", s));
        assertSerializationFails(holder);
        assertSerializationFails(Secret.ofBytes(VALUE.getBytes(UTF_8)));
    }

    private static void assertSerializationFails(Object graph) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            NotSerializableException e = assertThrows(NotSerializableException.class, () -> out.writeObject(graph));
            assertEquals(Secret.class.getName(), e.getMessage());
            out.flush();
        }
        byte[] written = bytes.toByteArray();
        assertTrue(written.length > 0, "the stream header at least was written");
        assertFalse(contains(written, VALUE.getBytes(UTF_8)), "UTF-8 value leaked");
        assertFalse(contains(written, VALUE.getBytes(java.nio.charset.StandardCharsets.UTF_16BE)),
                "UTF-16 value leaked");
    }

    @Test
    void withBytesHandsATemporaryCopyThatIsZeroedAfterwards() {
        Secret s = Secret.ofString(VALUE);
        AtomicReference<byte[]> seen = new AtomicReference<>();
        int length = s.withBytes(b -> {
            assertArrayEquals(VALUE.getBytes(UTF_8), b);
            seen.set(b);
            b[0] = 'X'; // must not touch the secret
            return b.length;
        });
        assertEquals(VALUE.length(), length);
        for (byte b : seen.get()) {
            assertEquals(0, b);
        }
        assertTrue(s.contentEquals(Secret.ofString(VALUE)), "the secret itself is untouched");
    }

    @Test
    void withCharsZeroesEvenWhenTheCallbackThrows() {
        Secret s = Secret.ofBytes(VALUE.getBytes(UTF_8));
        AtomicReference<char[]> seen = new AtomicReference<>();
        assertThrows(IllegalArgumentException.class, () -> s.withChars(c -> {
            assertEquals(VALUE, new String(c));
            seen.set(c);
            throw new IllegalArgumentException("boom");
        }));
        for (char c : seen.get()) {
            assertEquals('\0', c);
        }
    }

    @Test
    void copiesAreIndependent() {
        Secret s = Secret.ofChars("ü€😀".toCharArray());
        char[] copy = s.charsCopy();
        copy[0] = 'x';
        assertEquals("ü€😀", new String(s.charsCopy()));
        assertArrayEquals("ü€😀".getBytes(UTF_8), s.bytesCopy());
        assertEquals(4, s.length(), "length counts chars for a chars secret");
        assertEquals(9, Secret.ofBytes("ü€😀".getBytes(UTF_8)).length(), "and bytes for a bytes secret");
    }

    @Test
    void binaryBytesHaveNoCharForm() {
        Secret key = Secret.ofBytes(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00});
        IllegalStateException e = assertThrows(IllegalStateException.class, key::charsCopy);
        assertEquals("secret bytes are not UTF-8 text", e.getMessage());
    }

    @Test
    void malformedCharsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Secret.ofChars(new char[] {'a', '\uD800'}));
        assertThrows(IllegalArgumentException.class, () -> Secret.ofChars(new char[] {'\uDC00', 'a'}));
    }

    @Test
    void fingerprintIsShortStableAndContentDependent() throws Exception {
        Secret s = Secret.ofString(VALUE);
        String fp = s.fingerprint();
        assertTrue(fp.matches("sha256:[0-9a-f]{16}"), fp);
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(VALUE.getBytes(UTF_8));
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            hex.append(String.format("%02x", digest[i]));
        }
        assertEquals("sha256:" + hex, fp);
        assertEquals(fp, Secret.ofBytes(VALUE.getBytes(UTF_8)).fingerprint(), "same for bytes and chars");
        assertNotEquals(fp, Secret.ofString(VALUE + "!").fingerprint());
        assertFalse(fp.contains(VALUE));
    }

    @Test
    void tryWithResourcesDestroys() {
        Secret s;
        try (Secret t = Secret.ofString(VALUE)) {
            s = t;
            assertFalse(t.isDestroyed());
        }
        assertTrue(s.isDestroyed());
    }

    private static Field field(String name) throws NoSuchFieldException {
        Field f = Secret.class.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
