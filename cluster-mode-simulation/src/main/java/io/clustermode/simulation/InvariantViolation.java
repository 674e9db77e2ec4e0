package io.clustermode.simulation;

/** Thrown inside a simulated run at the first broken invariant; the run stops there. */
final class InvariantViolation extends RuntimeException {

    private final String invariant;

    InvariantViolation(String invariant, String detail) {
        super(invariant + ": " + detail, null, false, false);
        this.invariant = invariant;
    }

    String invariant() {
        return invariant;
    }
}
