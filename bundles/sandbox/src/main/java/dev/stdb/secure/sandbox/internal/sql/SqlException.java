package dev.stdb.secure.sandbox.internal.sql;

/** A query outside the sandbox's SQL subset, or about a table or column the module does not have. */
public final class SqlException extends Exception {
    private static final long serialVersionUID = 1L;

    public SqlException(String message) {
        super(message, null, false, false);
    }
}
