package io.clustermode.faults;

import io.clustermode.linearizability.History;
import io.clustermode.linearizability.Operation;
import io.clustermode.linearizability.Outcome;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent clients doing PUT, linearizable GET, CAS and DELETE on a handful of keys through
 * different nodes, recording every operation. Values are unique ({@code c<client>-<n>}), which
 * is what makes the linearizability check fast (see {@code RegisterSearch}); a CAS expects the
 * value its client last saw for the key, so many of them succeed.
 *
 * <p>Keys are rotated: after about {@code opsPerKey} operations per key, the clients move to
 * fresh keys ({@code k0.g1}, ...). The linearizability search on one key is exponential in the
 * worst case and its cost grows with the key's history, so a long run is many short
 * registers rather than a few long ones. The final reads cover every key of the history.
 *
 * <p>Client {@code i} starts on node {@code i mod n} and moves to the next node after an
 * answer that is not ok, so clients keep finding a node that works while others are cut off.
 * Each client's choices come from {@code new Random(seed + client)}.
 */
public final class Workload {

    /**
     * The mix of operations.
     *
     * @param clients   concurrent clients
     * @param keys      the keys (a handful: each key is a register checked on its own)
     * @param timeout   per-request timeout after which the outcome is unknown
     * @param reads     share of GETs
     * @param cases     share of CAS
     * @param deletes   share of DELETEs (the rest are PUTs)
     * @param opsPerKey operations per key before the clients move to fresh keys; 0: never
     * @param staleReads a canary: reads ask for {@code ?consistency=stale}, which is not
     *                   linearizable, so a run must report violations (proof that it can)
     */
    public record Config(int clients, List<String> keys, Duration timeout, double reads, double cases, double deletes,
                         int opsPerKey, boolean staleReads) {

        /** The mix with linearizable reads. */
        public Config(int clients, List<String> keys, Duration timeout, double reads, double cases, double deletes,
                      int opsPerKey) {
            this(clients, keys, timeout, reads, cases, deletes, opsPerKey, false);
        }

        /** The same mix with stale reads: the canary. */
        public Config withStaleReads() {
            return new Config(clients, keys, timeout, reads, cases, deletes, opsPerKey, true);
        }

        /** 5 clients on 5 keys renewed every 1,000 operations each; 40 % reads, 25 % CAS, 5 % deletes, 30 % puts. */
        public static Config defaults(Duration timeout) {
            return new Config(5, List.of("k0", "k1", "k2", "k3", "k4"), timeout, 0.40, 0.25, 0.05, 1_000);
        }
    }

    private final List<URI> nodes;
    private final Config config;
    private final long seed;
    private final History.Recorder recorder;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong started = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();

    public Workload(List<URI> nodes, Config config, long seed, History.Recorder recorder) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("no nodes");
        }
        this.nodes = List.copyOf(nodes);
        this.config = config;
        this.seed = seed;
        this.recorder = recorder;
    }

    /** Starts the clients. */
    public synchronized void start() {
        if (!running.compareAndSet(false, true)) {
            throw new IllegalStateException("already running");
        }
        for (int c = 0; c < config.clients(); c++) {
            int client = c;
            Thread t = new Thread(() -> runClient(client), "workload-client-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Stops the clients, waiting for the operations in flight (at most one timeout). */
    public synchronized void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(config.timeout().toMillis() * 2 + 1_000);
        }
        threads.clear();
    }

    private void runClient(int client) {
        Random random = new Random(seed + client);
        int node = client % nodes.size();
        Map<Integer, KvClient> clients = new HashMap<>();
        Map<String, String> lastSeen = new HashMap<>();
        int n = 0;
        while (running.get()) {
            KvClient kv = clients.computeIfAbsent(node,
                    i -> config.staleReads() ? KvClient.staleReading(nodes.get(i), config.timeout(), client, recorder)
                            : new KvClient(nodes.get(i), config.timeout(), client, recorder));
            String key = config.keys().get(random.nextInt(config.keys().size()));
            long count = started.getAndIncrement();
            if (config.opsPerKey() > 0) {
                long generation = count / ((long) config.opsPerKey() * config.keys().size());
                if (generation > 0) {
                    key = key + ".g" + generation;
                }
            }
            double dice = random.nextDouble();
            Operation op;
            if (dice < config.reads()) {
                op = kv.get(key);
                if (op.outcome() == Outcome.OK) {
                    lastSeen.put(key, op.value());
                }
            } else if (dice < config.reads() + config.cases() && lastSeen.get(key) != null) {
                op = kv.cas(key, lastSeen.get(key), "c" + client + "-" + (n++));
                if (op.outcome() == Outcome.OK) {
                    lastSeen.put(key, op.value());
                }
            } else if (dice < config.reads() + config.cases() + config.deletes()) {
                op = kv.delete(key);
                if (op.outcome() == Outcome.OK) {
                    lastSeen.remove(key);
                }
            } else {
                op = kv.put(key, "c" + client + "-" + (n++));
                if (op.outcome() == Outcome.OK) {
                    lastSeen.put(key, op.value());
                }
            }
            if (op.outcome() != Outcome.OK) {
                node = (node + 1) % nodes.size();
            }
        }
    }
}
