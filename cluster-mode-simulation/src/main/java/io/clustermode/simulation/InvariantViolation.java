package io.clustermode.simulation;

/**
 * Thrown inside a simulated run at the first broken invariant; the run stops there. Its
 * message names the invariant and what broke it; no stack trace (the trace of steps says where).
 */
public final class InvariantViolation extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String invariant;

    InvariantViolation(String invariant, String detail) {
        super(invariant + ": " + detail, null, false, false);
        this.invariant = invariant;
    }

    /** The invariant's name, e.g. {@code election safety}. */
    public String invariant() {
        return invariant;
    }
}
