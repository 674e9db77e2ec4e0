package io.clustermode.simulation;

import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** What the scenario tests share. */
final class Scenarios {

    private Scenarios() {
    }

    /**
     * Runs {@code cluster} one time unit at a time until {@code condition} holds, at most
     * {@code maxUnits}; fails with every node's status when it does not.
     */
    static void runUntil(SimCluster cluster, long maxUnits, BooleanSupplier condition) {
        boolean reached = condition.getAsBoolean();
        for (long i = 0; i < maxUnits && !reached; i++) {
            cluster.runOneUnit();
            reached = condition.getAsBoolean();
        }
        assertThat(reached).as("reached within " + maxUnits + " units; nodes:\n"
                + String.join("\n", cluster.statusLines())).isTrue();
    }
}
