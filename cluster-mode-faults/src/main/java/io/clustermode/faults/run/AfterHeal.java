package io.clustermode.faults.run;

import io.clustermode.linearizability.History;
import io.clustermode.linearizability.Operation;
import io.clustermode.linearizability.Outcome;

import io.clustermode.faults.KvClient;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the runner does once everything is healed: a probe that writes until a write is
 * acknowledged (the "recovers" check measures it), and a final linearizable read of every key
 * (the "no acknowledged write lost" check reads them). Both go round the nodes, moving on after
 * any answer that is not ok.
 */
final class AfterHeal {

    /** The probe's client id in the history, above the workload's. */
    static final int PROBE_CLIENT = 1000;
    /** The key the probe writes (checked like any other register). */
    static final String PROBE_KEY = "recovery-probe";

    private final List<URI> nodes;
    private final Duration timeout;

    AfterHeal(List<URI> nodes, Duration timeout) {
        this.nodes = List.copyOf(nodes);
        this.timeout = timeout;
    }

    /**
     * Writes unique values to {@link #PROBE_KEY}, recorded in the run's history, until one is
     * acknowledged or {@code within} has passed; returns when it was acknowledged.
     */
    Optional<Long> probeWrites(History.Recorder recorder, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        List<KvClient> clients = clients(PROBE_CLIENT, recorder);
        for (int n = 0; System.nanoTime() < deadline; n++) {
            Operation op = clients.get(n % nodes.size()).put(PROBE_KEY, "probe-" + n);
            if (op.outcome() == Outcome.OK) {
                return Optional.of(op.completeNanos());
            }
            Thread.sleep(20);
        }
        return Optional.empty();
    }

    /** Result of the final reads: the value of each key read (null: absent), and the keys that could not be read. */
    record FinalReads(Map<String, String> values, List<String> unreadable) {
    }

    /** Reads every key once, linearizably, trying the nodes in turn for at most {@code within} in all. */
    FinalReads readAll(Collection<String> keys, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        History.Recorder scratch = new History.Recorder(); // not part of the checked history
        Map<String, String> values = new LinkedHashMap<>();
        List<String> unreadable = new ArrayList<>();
        List<KvClient> clients = clients(0, scratch);
        int node = 0;
        for (String key : keys) {
            boolean read = false;
            while (!read && System.nanoTime() < deadline) {
                Operation op = clients.get(node % nodes.size()).get(key);
                if (op.outcome() == Outcome.OK) {
                    values.put(key, op.value());
                    read = true;
                } else {
                    node++;
                    Thread.sleep(50);
                }
            }
            if (!read) {
                unreadable.add(key);
            }
        }
        return new FinalReads(values, unreadable);
    }

    private List<KvClient> clients(int clientId, History.Recorder recorder) {
        List<KvClient> clients = new ArrayList<>();
        for (URI node : nodes) {
            clients.add(new KvClient(node, timeout, clientId, recorder));
        }
        return clients;
    }
}
