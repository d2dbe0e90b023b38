package dev.stdb.secure.api.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProtectionTest {

    @Test
    void strengthOrder() {
        assertTrue(Protection.HARDWARE.isAtLeast(Protection.OS));
        assertTrue(Protection.OS.isAtLeast(Protection.ENCRYPTED_FILE));
        assertTrue(Protection.ENCRYPTED_FILE.isAtLeast(Protection.MEMORY));
        assertTrue(Protection.OS.isAtLeast(Protection.OS));
        assertFalse(Protection.ENCRYPTED_FILE.isAtLeast(Protection.OS));
        assertFalse(Protection.MEMORY.isAtLeast(Protection.ENCRYPTED_FILE));
        assertTrue(Protection.HARDWARE.strength() > Protection.MEMORY.strength());
    }
}
