package io.clustermode.simulation;

import java.io.IOException;

/**
 * The simulated process dies here: thrown out of a write that the crash tore, or out of a
 * hook where the schedule crashes the node, so that the node's driver stops at that very point,
 * as a killed process would. The simulation catches it and keeps only the disk.
 */
final class SimulatedCrash extends IOException {

    private static final long serialVersionUID = 1L;

    SimulatedCrash(String where) {
        super("simulated crash " + where);
    }

    /** No stack trace: crashes are frequent and expected, and the trace says where. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
