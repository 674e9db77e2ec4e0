package io.clustermode.linearizability;

/**
 * The linearizability verdict on one key.
 *
 * @param key             the key
 * @param verdict         the verdict
 * @param operations      operations of the key in the history
 * @param searchNodes     configurations the search visited
 * @param violation       where it got stuck, for {@link Verdict#VIOLATION}, else {@code null}
 * @param undecidedReason why it gave up, for {@link Verdict#UNDECIDED}, else {@code null}
 */
public record KeyResult(String key, Verdict verdict, int operations, long searchNodes, Violation violation,
                        String undecidedReason) {
}
