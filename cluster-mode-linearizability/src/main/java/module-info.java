/**
 * Histories of operations on a key-value store (each key a register: put, get, compare-and-set,
 * delete) and the checker that decides whether one is linearizable. Times are plain numbers of
 * one clock: {@link System#nanoTime()} for the fault-injection suite, virtual time for the
 * testkit.
 */
module io.clustermode.linearizability {
    exports io.clustermode.linearizability;
}
