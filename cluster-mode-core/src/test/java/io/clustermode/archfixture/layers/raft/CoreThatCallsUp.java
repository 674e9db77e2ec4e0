package io.clustermode.archfixture.layers.raft;

import io.clustermode.archfixture.layers.runtime.Driver;

/** A "core" class that reaches up into the runtime: the layering rules must refuse it. Never used. */
final class CoreThatCallsUp {

    int turns() {
        return Driver.turns();
    }
}
