package dev.stdb.secure.store.pkcs11.internal;

/**
 * Reads PKCS#11 return codes ({@code CKR_...}) out of the JDK's exception chains. SunPKCS11 reports them as the
 * message of {@code sun.security.pkcs11.wrapper.PKCS11Exception}, which is not public API, so they are matched by
 * text. The messages of PKCS#11 exceptions are return-code names and never contain a PIN.
 */
public final class Pkcs11Errors {

    private Pkcs11Errors() {
    }

    /** The first {@code CKR_*} code in the chain of {@code t}, or null. */
    public static String code(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null) {
                int i = m.indexOf("CKR_");
                if (i >= 0) {
                    int end = i;
                    while (end < m.length() && (Character.isLetterOrDigit(m.charAt(end)) || m.charAt(end) == '_')) {
                        end++;
                    }
                    return m.substring(i, end);
                }
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    public static boolean wrongPin(Throwable t) {
        String code = code(t);
        if ("CKR_PIN_INCORRECT".equals(code) || "CKR_PIN_LEN_RANGE".equals(code)) {
            return true;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof javax.security.auth.login.FailedLoginException) {
                return code == null;
            }
        }
        return false;
    }

    public static boolean pinLocked(Throwable t) {
        return "CKR_PIN_LOCKED".equals(code(t));
    }

    /** A short description for messages: the class name and the CKR code, nothing the cause's message adds. */
    public static String describe(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        String code = code(t);
        return t.getClass().getSimpleName() + (code == null ? "" : " " + code);
    }
}
