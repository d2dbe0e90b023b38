package dev.stdb.secure.store.pkcs11;

import dev.stdb.secure.testing.softhsm.SoftHsm;
import java.nio.file.Path;

/** The SoftHSM2 tokens of this module's tests (made by {@link SoftHsm}), and a store on one of them. */
public final class TestTokens {
    /** Most tests. */
    public static final String MAIN = "stdb-main";
    /** The wrong-PIN test only: PKCS#11 login is per process and token, so no other test may log in to it. */
    static final String PIN_TOKEN = "stdb-pin";
    /** The recovery test, which logs the token out behind a store's back. */
    static final String RESET = "stdb-reset";
    /** The mTLS test. */
    static final String TLS = "stdb-tls";

    private TestTokens() {
    }

    /** Creates this module's tokens (once per JVM); returns the token directory. */
    public static Path init() throws Exception {
        return SoftHsm.init(MAIN, PIN_TOKEN, RESET, TLS);
    }

    /** A store on token {@code label}, selected by label, with the test PIN from a callback. */
    public static Pkcs11Store.Builder store(String label, Path dataDir) {
        return Pkcs11Store.builder().library(SoftHsm.LIBRARY).tokenLabel(label).pin(() -> SoftHsm.PIN.toCharArray())
                .dataDir(dataDir);
    }
}
