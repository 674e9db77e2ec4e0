package io.clustermode.runtime;

/** The application's state machine threw; the node cannot go on. Its cause is what it threw. */
final class StateMachineFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    StateMachineFailure(RuntimeException cause) {
        super(cause.toString(), cause);
    }
}
