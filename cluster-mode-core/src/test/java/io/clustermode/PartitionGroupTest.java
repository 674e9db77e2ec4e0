package io.clustermode;

import io.clustermode.transport.InMemoryNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Partition groups as an application uses them ({@link Cluster#partitions}), on the in-memory
 * transport: every partition held once, balanced, moved at a graceful stop and after a crash,
 * sticky when a node joins, work interrupted at revocation; epochs only grow.
 */
class PartitionGroupTest {

    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final int COUNT = 12;

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<String, Cluster<Void, StateMachine<Void>>> clusters = new LinkedHashMap<>();
    private final Map<String, MutableDiscovery> discoveries = new HashMap<>();
    /** Every holding any node was told of, per partition: epochs and holders, in order. */
    private final Map<Integer, List<long[]>> grants = new ConcurrentHashMap<>();

    @AfterEach
    void stop() {
        clusters.values().forEach(Cluster::closeNow);
    }

    private Cluster<Void, StateMachine<Void>> start(String name) throws Exception {
        MutableDiscovery discovery = discoveries.computeIfAbsent(name, n -> new MutableDiscovery());
        ClusterConfig config = ClusterConfig.builder()
                .nodeId(NodeId.of(name))
                .advertise(name + ":7600")
                .bind("127.0.0.1:0")
                .dataDir(dir.resolve(name))
                .discovery(discovery)
                .minNodes(3)
                .voters(3)
                .heartbeatInterval(Duration.ofMillis(30))
                .electionTimeout(Duration.ofMillis(200))
                .updateInterval(Duration.ofMillis(100))
                .connectionTimeout(Duration.ofMillis(500))
                .removalGrace(Duration.ofSeconds(30))
                .transportFactory(settings -> network.transport(settings.self(), settings.advertise()))
                .build();
        Cluster<Void, StateMachine<Void>> cluster = Cluster.start(config);
        clusters.put(name, cluster);
        PartitionGroup orders = cluster.partitions("orders", COUNT);
        orders.addListener(new PartitionListener() {
            @Override
            public void onAssigned(int partition, long epoch) {
                grants.computeIfAbsent(partition, p -> new CopyOnWriteArrayList<>()).add(new long[] {epoch});
            }

        });
        return cluster;
    }

    private void showEveryone(List<String> names) {
        List<String> addresses = names.stream().map(n -> n + ":7600").collect(Collectors.toList());
        names.forEach(n -> discoveries.computeIfAbsent(n, x -> new MutableDiscovery()).show(addresses));
    }

    /** Partition to holder, from each running node's own {@link PartitionGroup#owned()}. */
    private Map<Integer, String> owned() {
        Map<Integer, String> owned = new TreeMap<>();
        clusters.forEach((name, cluster) -> {
            if (cluster.status().running()) {
                for (int p : cluster.partitionGroup("orders").orElseThrow().owned()) {
                    // Read node after node, not at one instant: a double holding here may be a move
                    // seen half-way. That no two hold at once is the simulation's to check.
                    owned.put(p, name);
                }
            }
        });
        return owned;
    }

    private Map<String, Integer> counts(Map<Integer, String> owned) {
        Map<String, Integer> counts = new TreeMap<>();
        owned.values().forEach(name -> counts.merge(name, 1, Integer::sum));
        return counts;
    }

    private void awaitBalanced(int members) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> {
            Map<Integer, String> owned = owned();
            Map<String, Integer> counts = counts(owned);
            return owned.size() == COUNT && counts.size() == members
                    && counts.values().stream().mapToInt(i -> i).max().getAsInt()
                    - counts.values().stream().mapToInt(i -> i).min().getAsInt() <= 1;
        });
    }

    private void startThree() throws Exception {
        for (String name : List.of("a", "b", "c")) {
            start(name);
        }
        showEveryone(List.of("a", "b", "c"));
        // Three voters first: a node failed while the second is still a learner would leave no majority.
        await().atMost(WAIT).until(() -> clusters.values().stream().anyMatch(c -> c.isPrimary()
                && c.members().stream().filter(Member::voter).count() == 3));
        awaitBalanced(3);
    }

    @Test
    void every_partition_is_held_by_one_member_and_the_counts_differ_by_at_most_one() throws Exception {
        startThree();
        Map<String, Integer> counts = counts(owned());
        assertThat(counts).containsOnlyKeys("a", "b", "c");
        assertThat(counts.values()).containsOnly(COUNT / 3);
        // Every node sees the same owners, and the epochs of what it holds.
        for (Cluster<Void, StateMachine<Void>> cluster : clusters.values()) {
            PartitionGroup group = cluster.partitionGroup("orders").orElseThrow();
            for (int p : group.owned()) {
                assertThat(group.heldEpoch(p)).hasValue(group.epoch(p));
                assertThat(group.owner(p)).contains(cluster.id());
            }
        }
    }

    @Test
    void work_runs_only_on_the_holder_and_is_interrupted_when_the_partition_moves() throws Exception {
        startThree();
        Cluster<Void, StateMachine<Void>> a = clusters.get("a");
        PartitionGroup group = a.partitionGroup("orders").orElseThrow();
        int mine = group.owned().first();
        int notMine = new TreeSet<>(owned().entrySet().stream().filter(e -> !e.getValue().equals("a"))
                .map(Map.Entry::getKey).collect(Collectors.toSet())).first();
        assertThatThrownBy(() -> group.submit(notMine, () -> { }))
                .isInstanceOf(PartitionNotHeldException.class).hasMessageContaining("orders/" + notMine);

        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        Future<?> work = group.submit(mine, () -> {
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        a.close(); // graceful: gives its partitions up, the primary moves them at once
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("the work on a revoked partition was interrupted").isTrue();
        assertThat(work.isDone()).isTrue();
        awaitBalanced(2);
    }

    @Test
    void a_crashed_members_partitions_are_held_again_once_its_lease_surely_lapsed() throws Exception {
        startThree();
        Cluster<Void, StateMachine<Void>> victim = clusters.values().stream().filter(c -> !c.isPrimary())
                .findFirst().orElseThrow();
        Set<Integer> itsPartitions = victim.partitionGroup("orders").orElseThrow().owned();
        long crashedAt = System.nanoTime();
        victim.closeNow(); // as a crash: no word to anyone
        discoveries.get(victim.id().value()).show(List.of()); // it stays a member: not removed within the test
        await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).failFast(() -> false)
                .conditionEvaluationListener(condition -> {
                    if (condition.getRemainingTimeInMS() < 10) {
                        System.out.println("partitions of " + victim.id() + ": " + itsPartitions + "; " + state());
                    }
                })
                .until(() -> owned().keySet().containsAll(itsPartitions));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashedAt);
        System.out.printf("partitions of a crashed member held again after %d ms (election timeout 200 ms)%n", millis);
        assertEpochsGrow();
    }

    @Test
    void a_fourth_member_takes_only_what_balance_needs() throws Exception {
        startThree();
        Map<Integer, String> before = owned();
        start("d");
        showEveryone(List.of("a", "b", "c", "d"));
        awaitBalanced(4);
        Map<Integer, String> after = owned();
        List<Integer> moved = new ArrayList<>();
        after.forEach((p, holder) -> {
            if (!holder.equals(before.get(p))) {
                moved.add(p);
            }
        });
        assertThat(moved).as("moved: every one of them to the newcomer").hasSize(COUNT / 4)
                .allMatch(p -> after.get(p).equals("d"));
        assertEpochsGrow();
    }

    @Test
    void names_and_counts_are_checked() throws Exception {
        startThree();
        Cluster<Void, StateMachine<Void>> a = clusters.get("a");
        assertThat(a.partitions("orders", COUNT)).isSameAs(a.partitionGroup("orders").orElseThrow());
        assertThatThrownBy(() -> a.partitions("orders", COUNT + 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("orders has 12 partitions, not 13");
        assertThatThrownBy(() -> a.partitions("bad name", 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'bad name'");
        assertThatThrownBy(() -> a.partitions("big", 5000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside 1..4096");
        PartitionGroup group = a.partitionGroup("orders").orElseThrow();
        assertThat(group.partitionOf("customer-17")).isEqualTo(group.partitionOf("customer-17".getBytes()))
                .isBetween(0, COUNT - 1);
    }

    /** Each running node's role, holdings and view of the owners, for a failure's message. */
    private String state() {
        StringBuilder out = new StringBuilder();
        clusters.forEach((name, cluster) -> {
            if (cluster.status().running()) {
                PartitionGroup group = cluster.partitionGroup("orders").orElseThrow();
                cluster.failure().ifPresent(failure -> {
                    java.io.StringWriter trace = new java.io.StringWriter();
                    failure.printStackTrace(new java.io.PrintWriter(trace));
                    out.append(name).append(" FAILED: ").append(trace).append('\n');
                });
                out.append(name).append(' ').append(cluster.role()).append(" t").append(cluster.status().term())
                        .append(" owns ").append(group.owned()).append(" sees");
                for (int p = 0; p < COUNT; p++) {
                    out.append(' ').append(p).append('=').append(group.owner(p).map(NodeId::value).orElse("-"))
                            .append('@').append(group.epoch(p));
                }
                out.append("; ");
            }
        });
        return out.toString();
    }

    private void assertEpochsGrow() {
        grants.forEach((partition, epochs) -> {
            for (int i = 1; i < epochs.size(); i++) {
                assertThat(epochs.get(i)[0]).as("epochs of partition " + partition).isGreaterThan(epochs.get(i - 1)[0]);
            }
        });
    }
}
