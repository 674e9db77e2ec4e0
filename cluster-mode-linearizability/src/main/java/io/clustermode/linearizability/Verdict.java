package io.clustermode.linearizability;

/** What a checker concluded. */
public enum Verdict {
    /** Some order explains every acknowledged operation. */
    LINEARIZABLE,
    /** No order does: the system broke its promise. */
    VIOLATION,
    /** The search budget ran out first: neither proven nor refuted. */
    UNDECIDED
}
