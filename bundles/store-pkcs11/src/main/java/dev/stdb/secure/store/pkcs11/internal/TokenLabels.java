package dev.stdb.secure.store.pkcs11.internal;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.Provider;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the slot holding the token with a given label.
 *
 * <p>SunPKCS11's configuration selects a slot by id ({@code slot}) or by position ({@code slotListIndex}), never by
 * token label, and no public JDK API lists tokens. Slot ids and positions are not stable either (SoftHSM2 gives each
 * token a random slot id; a reader's position depends on what else is plugged in). So this class asks the PKCS#11
 * library itself, through the JDK's own wrapper {@code sun.security.pkcs11.wrapper.PKCS11}: {@code C_GetSlotList(true)}
 * and {@code C_GetTokenInfo(slot).label}, then configures SunPKCS11 with the {@code slot} found. The wrapper is
 * loaded from the SunPKCS11 provider's class loader (so no package import in OSGi) and initialised exactly as SunPKCS11
 * initialises it ({@code CKF_OS_LOCKING_OK}; the JDK shares one instance per library path). Its package is not
 * exported by {@code jdk.crypto.cryptoki}, so the JVM needs
 * {@code --add-exports jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED}; without it, selecting by label
 * fails with a message that says so (select by {@code slot} or {@code slot.list.index} instead).
 */
public final class TokenLabels {

    public static final String ADD_EXPORTS = "--add-exports jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED";
    private static final long CKF_OS_LOCKING_OK = 0x2L;

    private TokenLabels() {
    }

    /** A token present in a slot. */
    public record Slot(long id, String label) {
    }

    /** Every slot with a token present, with its label (trailing blanks removed). */
    public static List<Slot> slots(Provider sunPkcs11, String library, String storeId) throws CredentialStoreException {
        try {
            ClassLoader loader = sunPkcs11.getClass().getClassLoader();
            Class<?> wrapper = Class.forName("sun.security.pkcs11.wrapper.PKCS11", true, loader);
            Class<?> argsType = Class.forName("sun.security.pkcs11.wrapper.CK_C_INITIALIZE_ARGS", true, loader);
            Object args = argsType.getConstructor().newInstance();
            argsType.getField("flags").setLong(args, CKF_OS_LOCKING_OK);
            Method getInstance = wrapper.getMethod("getInstance", String.class, String.class, argsType, boolean.class);
            Object pkcs11 = getInstance.invoke(null, library, "C_GetFunctionList", args, false);
            long[] ids = (long[]) wrapper.getMethod("C_GetSlotList", boolean.class).invoke(pkcs11, true);
            Method tokenInfo = wrapper.getMethod("C_GetTokenInfo", long.class);
            List<Slot> out = new ArrayList<>();
            for (long id : ids) {
                Object info = tokenInfo.invoke(pkcs11, id);
                char[] label = (char[]) info.getClass().getField("label").get(info);
                out.add(new Slot(id, new String(label).stripTrailing()));
            }
            return out;
        } catch (IllegalAccessException e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "PKCS#11 store '" + storeId
                    + "': selecting a token by label needs the JVM option " + ADD_EXPORTS
                    + " (or configure slot or slot.list.index instead)");
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "PKCS#11 store '" + storeId
                    + "': cannot list the tokens of " + library + " (" + Pkcs11Errors.describe(cause) + ")", cause);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "PKCS#11 store '" + storeId
                    + "': this JDK's PKCS#11 wrapper cannot list tokens (" + e.getClass().getSimpleName()
                    + "); configure slot or slot.list.index instead", e);
        }
    }

    /** The id of the slot whose token is labelled {@code label}. */
    public static long slotOf(Provider sunPkcs11, String library, String label, String storeId)
            throws CredentialStoreException {
        List<Slot> slots = slots(sunPkcs11, library, storeId);
        List<String> labels = new ArrayList<>();
        for (Slot s : slots) {
            if (s.label().equals(label)) {
                return s.id();
            }
            labels.add("'" + s.label() + "'");
        }
        throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "PKCS#11 store '" + storeId
                + "': no token labelled '" + label + "' is present (tokens present: " + String.join(", ", labels)
                + ")");
    }
}
