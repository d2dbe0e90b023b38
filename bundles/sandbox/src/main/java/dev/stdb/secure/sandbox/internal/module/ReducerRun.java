package dev.stdb.secure.sandbox.internal.module;

import java.util.List;

/** The outcome of one reducer call: committed with its changes, failed with its error, or an internal error. */
public record ReducerRun(Status status, List<TableChanges> changes, String message) {
    public enum Status { COMMITTED, FAILED, INTERNAL_ERROR }

    public ReducerRun {
        changes = List.copyOf(changes);
    }

    static ReducerRun committed(List<TableChanges> changes) {
        return new ReducerRun(Status.COMMITTED, changes, null);
    }

    static ReducerRun failed(String error) {
        return new ReducerRun(Status.FAILED, List.of(), error);
    }

    static ReducerRun internalError(String message) {
        return new ReducerRun(Status.INTERNAL_ERROR, List.of(), message);
    }
}
