package io.clustermode.faults.nemesis;

/** Where network faults go: {@link Partitions} in a real run. */
public interface NetworkFaults {

    /** Installs a scheduled network fault given who is primary now (-1: none known). */
    void apply(Fault.NetworkFault fault, int primary);

    /** Removes every network fault. */
    void heal();
}
