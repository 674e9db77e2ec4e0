package io.clustermode;

/**
 * The application's replicated state: every node applies the same committed commands in the
 * same order, so every node's state machine goes through the same states.
 *
 * <h2>Threading</h2>
 * All methods are called on the node's event-loop thread, one at a time; they must not block
 * for long (the node does nothing else meanwhile) and must not call back into the cluster
 * synchronously.
 *
 * <h2>Determinism</h2>
 * {@link #apply} must depend only on the current state and the command: no clock, no
 * randomness, no outside I/O. A node that restarts restores the last snapshot and applies
 * the commands after it again.
 *
 * @param <R> the result of a command, handed to whoever proposed it
 */
public interface StateMachine<R> {

    /**
     * Applies a committed command.
     *
     * @param index   the command's position in the log; grows from call to call (entries that
     *                are not commands, such as configuration changes, take indexes too),
     *                except after {@link #restore}
     * @param command the command's bytes, as proposed
     * @return the result for the proposer (on the node that proposed it); may be null
     */
    R apply(long index, byte[] command);

    /** The whole state, serialized; the node then drops the log up to the last applied index. */
    byte[] snapshot();

    /** Replaces the whole state with a snapshot taken by {@link #snapshot()} (here or on another node). */
    void restore(byte[] snapshot);
}
