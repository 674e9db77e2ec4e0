package io.clustermode.linearizability;

/** What a client learned about an operation. */
public enum Outcome {
    /** It took effect (200, or a 404 for a read of a missing key), between invocation and completion. */
    OK,
    /** It certainly did not take effect: 409 (CAS mismatch) or 503 (nothing proposed). */
    FAILED,
    /**
     * It may or may not have taken effect, at any point after its invocation, even after the
     * client gave up: 504, a timeout, a reset connection.
     */
    UNKNOWN
}
