package io.clustermode.archfixture.layers.runtime;

/** A stand-in for a runtime class, for {@code LayeringTest}'s fixture. Never used. */
public final class Driver {

    public static int turns() {
        return 1;
    }
}
