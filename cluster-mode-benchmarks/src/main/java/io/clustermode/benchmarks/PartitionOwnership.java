package io.clustermode.benchmarks;

import io.clustermode.cli.ClusterInfo;
import io.clustermode.cli.http.Json;
import io.clustermode.cli.launch.ChildProcess;
import io.clustermode.faults.nemesis.Partitions;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The partitions part (issue 15): six node processes with {@code --partitions orders:64} through a
 * join, a {@code kill -9}, a rolling restart and (with a network namespace) a member cut off by
 * iptables, while a poller thread asks every live node which partitions it holds itself
 * ({@code GET /cluster/partitions/orders}, its {@code owned}) every {@value #POLL_MILLIS} ms.
 * Figures come from those rounds ({@link PartitionHistory}); nothing is asserted.
 */
public final class PartitionOwnership {

    /** The group every node takes part in. */
    static final String GROUP = "orders";
    /** Its partitions. */
    static final int COUNT = 64;
    /** The cluster's size after the join (five start, the sixth joins). */
    static final int NODES = 6;
    /** The poller starts a round this often (a round lasts as long as its slowest answer). */
    static final long POLL_MILLIS = 15;
    /** How long any one wait (for balance, for a primary, for partitions held again) may take. */
    static final long WAIT_MILLIS = 90_000;
    /** How long the holders must stay unchanged and balanced to call a step settled. */
    static final long SETTLE_MILLIS = 500;

    /**
     * One settled point.
     *
     * @param step                what had just happened
     * @param counts              partitions per node
     * @param balanced            all held once, by the expected members, counts at most one apart
     * @param moves               partition moves during the step (a partition may move more than once)
     * @param returns             times a partition was held by nobody and then by its last holder again
     * @param doubleHeld          rounds × partitions in which two nodes said they held one partition
     * @param longestUnheldMillis the longest time a partition was held by nobody during the step
     */
    public record Step(String step, Map<String, Integer> counts, boolean balanced, int moves,
                       int returns, int doubleHeld, double longestUnheldMillis) {
    }

    /**
     * The cut-off member's timestamps, milliseconds after the iptables rules were in force
     * (NaN: not seen within the wait).
     *
     * @param victim          the member cut off
     * @param partitions      how many partitions it held
     * @param revokedMillis   the end of the first round in which its own {@code owned} listed none of them
     * @param elsewhereMillis the start of the first round in which another node listed any of them
     * @param allMillis       the end of the first round in which other nodes listed all of them
     * @param revokedFirst    whether the revoking round ended before the other holding round began
     */
    public record Cut(String victim, int partitions, double revokedMillis, double elsewhereMillis, double allMillis,
                      boolean revokedFirst) {
    }

    /**
     * What the part measured.
     *
     * @param timeouts         the nodes' timeouts
     * @param pollMillis       the mean time between the poller's rounds
     * @param steps            every settled point, in order
     * @param joinMoves        partitions moved by the sixth node's join
     * @param killVictim       the member killed
     * @param killMillis       kill -9 → all its partitions held by others (round end; NaN: not within the wait)
     * @param rollingMoves     moves per partition over the whole rolling restart
     * @param rollingUnheldMillis the longest time a partition was held by nobody in the rolling restart
     * @param cut              the cut-off member's timestamps; null when there was no network namespace
     * @param doubleHeld       rounds × partitions in which two nodes said they held one partition
     * @param rounds           the poller's rounds
     */
    public record Result(Timeouts timeouts, double pollMillis, List<Step> steps, int joinMoves, String killVictim,
                         double killMillis, int[] rollingMoves, double rollingUnheldMillis, Cut cut, int doubleHeld,
                         int rounds) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200))
            .version(HttpClient.Version.HTTP_1_1).build();

    private final ClusterProcesses cluster;
    private final Partitions network;
    private final PartitionHistory history = new PartitionHistory(COUNT);
    private final List<Step> steps = new ArrayList<>();
    private volatile boolean polling = true;

    private PartitionOwnership(ClusterProcesses cluster, Partitions network) {
        this.cluster = cluster;
        this.network = network;
    }

    /**
     * Runs the scenario once at the default timeouts.
     *
     * @param dir     the nodes' data dirs and logs
     * @param hosts   the network namespace's node addresses, or null for 127.0.0.1 and free ports
     * @param network the namespace's iptables faults, or null: the cut-off is not run
     */
    public static Result run(Path dir, List<String> hosts, Partitions network) throws Exception {
        try (ClusterProcesses cluster = new ClusterProcesses(NODES, Timeouts.DEFAULT, dir, hosts)) {
            cluster.nodeArgs("--partitions", GROUP + ":" + COUNT);
            PartitionOwnership part = new PartitionOwnership(cluster, network);
            Thread poller = new Thread(part::poll, "partitions-poller");
            poller.setDaemon(true);
            poller.start();
            try {
                return part.scenario();
            } finally {
                part.polling = false;
                poller.join(5_000);
                if (network != null) {
                    network.heal();
                }
            }
        }
    }

    private Result scenario() throws Exception {
        for (int i = 0; i < NODES - 1; i++) {
            cluster.start(i);
        }
        int mark = history.size();
        settle("5 nodes started", members(), mark);

        mark = history.size();
        cluster.start(NODES - 1);
        int joinMoves = settle("n6 joined", members(), mark).moves();

        int victim = nonPrimary();
        String id = id(victim);
        Set<Integer> held = owned(victim);
        mark = history.size();
        long signal = System.nanoTime();
        cluster.kill9(victim);
        PartitionHistory.Round taken = await(mark, r -> PartitionHistory.heldByOthers(r, id, held));
        double killMillis = taken == null ? Double.NaN : (taken.endNanos() - signal) / 1e6;
        cluster.awaitExit(victim, 10_000);
        settle(id + " killed (kill -9)", members(), mark);
        mark = history.size();
        cluster.start(victim);
        settle(id + " restarted", members(), mark);

        int rolling = history.size();
        for (int i = 0; i < NODES; i++) {
            boolean primary = id(i).equals(awaitPrimary());
            mark = history.size();
            cluster.terminate(i);
            cluster.awaitExit(i, 30_000);
            cluster.start(i);
            awaitPrimary();
            settle("rolling restart: " + id(i) + (primary ? " (the primary)" : "")
                    + " stopped (SIGTERM) and started again", members(), mark);
        }
        int[] rollingMoves = history.moves(rolling);
        double rollingUnheld = history.longestUnheldMillis(rolling);

        Cut cut = network == null ? null : cut();
        return new Result(cluster.timeouts(), history.meanRoundMillis(), List.copyOf(steps), joinMoves, id, killMillis,
                rollingMoves, rollingUnheld, cut, history.doubleHeld(0), history.size());
    }

    private Cut cut() throws Exception {
        int victim = nonPrimary();
        String id = id(victim);
        Set<Integer> held = owned(victim);
        List<String> others = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            if (i != victim) {
                others.add(cluster.nodes().get(i).host());
            }
        }
        int mark = history.size();
        network.split(List.of(cluster.nodes().get(victim).host()), others);
        long cutAt = System.nanoTime();
        PartitionHistory.Round revoked = await(mark, r -> PartitionHistory.revoked(r, id, held));
        PartitionHistory.Round elsewhere = await(mark, r -> PartitionHistory.anyHeldByOthers(r, id, held));
        PartitionHistory.Round all = await(mark, r -> PartitionHistory.heldByOthers(r, id, held));
        int healMark = history.size();
        network.heal();
        settle(id + " cut off by iptables, then healed", members(), healMark);
        return new Cut(id, held.size(), millis(revoked == null ? null : revoked.endNanos(), cutAt),
                millis(elsewhere == null ? null : elsewhere.startNanos(), cutAt),
                millis(all == null ? null : all.endNanos(), cutAt),
                revoked != null && elsewhere != null && revoked.endNanos() <= elsewhere.startNanos());
    }

    private static double millis(Long nanos, long from) {
        return nanos == null ? Double.NaN : (nanos - from) / 1e6;
    }

    /** The ids of the nodes running now. */
    private Set<String> members() {
        Set<String> members = new LinkedHashSet<>();
        for (int i = 0; i < NODES; i++) {
            if (cluster.alive(i)) {
                members.add(id(i));
            }
        }
        return members;
    }

    private String id(int i) {
        return cluster.nodes().get(i).id();
    }

    private Set<Integer> owned(int i) {
        return Set.copyOf(history.lastSaid(id(i)));
    }

    /**
     * Waits until the holders are balanced over {@code members} and unchanged for
     * {@link #SETTLE_MILLIS}; records the step with its figures since round {@code from}.
     */
    private Step settle(String name, Set<String> members, int from) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
        Map<String, List<Integer>> stable = null;
        long since = 0;
        while (System.nanoTime() < deadline) {
            PartitionHistory.Round r = history.last();
            if (r != null && r.balanced(COUNT, members)) {
                if (!r.owned().equals(stable)) {
                    stable = r.owned();
                    since = System.nanoTime();
                } else if (System.nanoTime() - since >= SETTLE_MILLIS * 1_000_000) {
                    break;
                }
            } else {
                stable = null;
            }
            Thread.sleep(POLL_MILLIS);
        }
        PartitionHistory.Round r = history.last();
        Step step = new Step(name, r == null ? Map.of() : r.counts(), r != null && r.balanced(COUNT, members),
                Arrays.stream(history.moves(from)).sum(), history.returns(from), history.doubleHeld(from),
                history.longestUnheldMillis(from));
        steps.add(step);
        System.out.println("benchmarks: partitions: " + step);
        if (!step.balanced()) {
            throw new IllegalStateException("not balanced over " + members + " within " + WAIT_MILLIS / 1000
                    + " s after '" + name + "': " + step.counts());
        }
        return step;
    }

    /** The first round from {@code from} on that {@code test} accepts, waiting up to {@link #WAIT_MILLIS}; or null. */
    private PartitionHistory.Round await(int from, Predicate<PartitionHistory.Round> test) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
        while (System.nanoTime() < deadline) {
            PartitionHistory.Round r = history.first(from, test);
            if (r != null) {
                return r;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return null;
    }

    /** The index of a running member that is not the primary, the primary being one all running nodes name. */
    private int nonPrimary() throws InterruptedException {
        String primary = awaitPrimary();
        for (int i = NODES - 1; i >= 0; i--) {
            if (cluster.alive(i) && !id(i).equals(primary)) {
                return i;
            }
        }
        throw new IllegalStateException("no running member besides the primary " + primary);
    }

    /** Waits until every running node names the same primary; returns its id. */
    private String awaitPrimary() throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
        while (System.nanoTime() < deadline) {
            ClusterInfo[] infos = cluster.poll(500);
            Set<String> named = new LinkedHashSet<>();
            boolean all = true;
            for (int i = 0; i < infos.length; i++) {
                if (cluster.alive(i)) {
                    all &= infos[i] != null;
                    named.add(infos[i] == null ? null : infos[i].leaderId());
                }
            }
            if (all && named.size() == 1 && named.iterator().next() != null) {
                return named.iterator().next();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no primary named by every running node within " + WAIT_MILLIS / 1000 + " s");
    }

    /**
     * The poller: a round asks every running node at once and waits for all answers. A node that
     * does not answer holds nothing in that round: unheld times err long, never short, and an answer
     * that did not come cannot make a second holder.
     */
    private void poll() {
        while (polling) {
            long start = System.nanoTime();
            Map<String, CompletableFuture<List<Integer>>> asked = new LinkedHashMap<>();
            for (int i = 0; i < NODES; i++) {
                ChildProcess process = cluster.process(i);
                if (process != null && process.isAlive()) {
                    asked.put(id(i), owned(cluster.nodes().get(i)));
                }
            }
            Map<String, List<Integer>> owned = new TreeMap<>();
            asked.forEach((id, answer) -> {
                List<Integer> said = answer.join();
                if (said != null) {
                    owned.put(id, said);
                }
            });
            long end = System.nanoTime();
            history.add(new PartitionHistory.Round(start, end, owned));
            long sleep = POLL_MILLIS - (end - start) / 1_000_000;
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** The node's own held partitions, or null when it did not answer well within a round. */
    private static CompletableFuture<List<Integer>> owned(ClusterProcesses.Node node) {
        HttpRequest request = HttpRequest.newBuilder(node.uri("/cluster/partitions/" + GROUP))
                .timeout(Duration.ofMillis(250)).build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> r.statusCode() == 200 ? Json.read(r.body(), ClusterInfo.Partitions.class).owned() : null)
                .exceptionally(e -> null);
    }
}
