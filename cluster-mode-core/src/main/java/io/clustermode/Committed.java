package io.clustermode;

/**
 * A command that was committed and applied.
 *
 * @param index  its position in the log
 * @param term   the term in which it was proposed (the primary's fencing token at the time)
 * @param result what {@link StateMachine#apply} returned for it
 * @param <R>    the result type
 */
public record Committed<R>(long index, long term, R result) {
}
