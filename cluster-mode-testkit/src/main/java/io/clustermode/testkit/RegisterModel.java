package io.clustermode.testkit;

import io.clustermode.linearizability.OpKind;

import java.util.Objects;

/**
 * How a key-value-like state machine's commands act on registers (one per key), so that
 * {@link TestCluster#assertLinearizable(RegisterModel)} can hand the history to the
 * project's register checker: the same checker the fault-injection suite uses on real
 * processes. It checks each key on its own (linearizability is compositional), so it stays
 * fast on long histories where the general check ({@link TestCluster#assertLinearizable()})
 * would search long.
 *
 * <p>Reads take part when made with {@link TestCluster#read(TestNode, String, java.util.function.Function)},
 * which names the key and returns its value ({@code null}: absent).
 *
 * @param <R> the state machine's result type
 */
public interface RegisterModel<R> {

    /**
     * What a command does to one register: a put, a compare-and-set or a delete of one key.
     *
     * @param key      the key
     * @param kind     {@link OpKind#PUT}, {@link OpKind#CAS} or {@link OpKind#DELETE}
     * @param value    the value written ({@code null} for a delete)
     * @param expected the value a compare-and-set expects ({@code null} otherwise)
     */
    record Write(String key, OpKind kind, String value, String expected) {
        /** Checks the fields fit the kind. */
        public Write {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(kind, "kind");
            if (kind == OpKind.GET) {
                throw new IllegalArgumentException("a command is a write: PUT, CAS or DELETE, not GET");
            }
        }
    }

    /** The register write {@code command} is. */
    Write write(byte[] command);

    /**
     * Whether a command that completed with {@code result} took effect: false for a
     * compare-and-set whose result says it found another value. True by default.
     */
    default boolean tookEffect(byte[] command, R result) {
        return true;
    }
}
