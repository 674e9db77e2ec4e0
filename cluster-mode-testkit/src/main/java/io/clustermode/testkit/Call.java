package io.clustermode.testkit;

import io.clustermode.IndeterminateOutcomeException;
import io.clustermode.NodeId;
import io.clustermode.NotPrimaryException;
import io.clustermode.OverloadedException;
import io.clustermode.linearizability.Outcome;

import java.util.Optional;

/**
 * One client call made through a {@link TestCluster} — a command ({@link TestCluster#submit}) or
 * a linearizable read ({@link TestCluster#read}) — with when it was made and when (and how) it
 * completed, in virtual milliseconds. Every call is kept in the cluster's {@link TestCluster#history()},
 * which the linearizability checks read.
 *
 * <p>Not thread-safe: a test cluster runs on the test's thread.
 *
 * @param <T> the call's value: a {@link io.clustermode.Committed} of the state machine's result
 *            for a command, the query's result for a read
 */
public final class Call<T> {

    /** What the call was. */
    public enum Kind {
        /** A command for the state machine. */
        COMMAND,
        /** A linearizable read: a query run on a state machine that reflects every earlier write. */
        READ
    }

    private final int id;
    private final Kind kind;
    private final NodeId node;
    private final byte[] command;
    private final Object query;
    private final String key;
    private final long invokedAt;
    private long completedAt = -1;
    private T value;
    private Throwable failure;

    Call(int id, Kind kind, NodeId node, byte[] command, Object query, String key, long invokedAt) {
        this.id = id;
        this.kind = kind;
        this.node = node;
        this.command = command;
        this.query = query;
        this.key = key;
        this.invokedAt = invokedAt;
    }

    void complete(long at, T result, Throwable error) {
        if (completedAt >= 0) {
            return;
        }
        completedAt = at;
        value = result;
        failure = error;
    }

    /** The call's number in its cluster's history, from 0. */
    public int id() {
        return id;
    }

    /** A command or a read. */
    public Kind kind() {
        return kind;
    }

    /** The node the client asked. */
    public NodeId node() {
        return node;
    }

    /** The command's bytes (a copy); empty for a read. */
    public byte[] command() {
        return command == null ? new byte[0] : command.clone();
    }

    byte[] commandBytes() {
        return command;
    }

    Object query() {
        return query;
    }

    /** The register a read looked at, when made with {@link TestCluster#read(TestNode, String, java.util.function.Function)}. */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    /** Virtual time (milliseconds since the cluster was built) when the call was made. */
    public long invokedAt() {
        return invokedAt;
    }

    /** Whether an answer (a value or a failure) has come. */
    public boolean isDone() {
        return completedAt >= 0;
    }

    /** Virtual time of the answer; empty while there is none. */
    public Optional<Long> completedAt() {
        return isDone() ? Optional.of(completedAt) : Optional.empty();
    }

    /** Whether it completed with a value. */
    public boolean succeeded() {
        return isDone() && failure == null;
    }

    /**
     * The value.
     *
     * @throws IllegalStateException when the call has not completed, or failed (the message
     *                               says which, and why)
     */
    public T value() {
        if (!isDone()) {
            throw new IllegalStateException("call " + id + " has no answer yet: run the cluster (advance, runUntil)");
        }
        if (failure != null) {
            throw new IllegalStateException("call " + id + " failed: " + failure, failure);
        }
        return value;
    }

    /** Why it failed; empty while it has not, or succeeded. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * What the client knows: {@link Outcome#OK} with a value; {@link Outcome#FAILED} when it
     * certainly took no effect ({@link NotPrimaryException}, {@link OverloadedException}, a
     * node that was down); {@link Outcome#UNKNOWN} when it may have ({@link IndeterminateOutcomeException},
     * or no answer yet).
     */
    public Outcome outcome() {
        if (!isDone()) {
            return Outcome.UNKNOWN;
        }
        if (failure == null) {
            return Outcome.OK;
        }
        return failure instanceof NotPrimaryException || failure instanceof OverloadedException
                || failure instanceof NodeDownException ? Outcome.FAILED : Outcome.UNKNOWN;
    }

    @Override
    public String toString() {
        String what = kind == Kind.COMMAND ? "submit " + TestCluster.printable(command) : "read"
                + (key == null ? "" : " " + key);
        String answer = !isDone() ? "pending" : failure != null ? failure.getClass().getSimpleName()
                : String.valueOf(value);
        return "#" + id + " " + node + " " + what + " [" + invokedAt + ", " + (isDone() ? completedAt : "-") + "] "
                + answer;
    }

    /** The client could not reach the node: it was down. Nothing was done. */
    static final class NodeDownException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NodeDownException(NodeId node) {
            super(node + " is down", null, false, false);
        }
    }
}
