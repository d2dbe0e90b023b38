package dev.stdb.secure.api.audit;

/** How the action an event records turned out. */
public enum Outcome {
    /** It worked. */
    SUCCESS,
    /** It failed. */
    FAILURE,
    /** It worked, but something needs attention (a fallback, a pin close to expiry). */
    WARNING,
    /** Nothing succeeded or failed; the event records a fact (a provider was bound). */
    INFO
}
