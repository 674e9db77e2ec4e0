package io.clustermode.runtime;

import io.clustermode.Committed;
import io.clustermode.IndeterminateOutcomeException;
import io.clustermode.NotPrimaryException;
import io.clustermode.raft.Configuration;
import io.clustermode.NodeId;
import io.clustermode.raft.Role;
import io.clustermode.raft.StateChange;
import io.clustermode.storage.MemoryStorage;
import io.clustermode.transport.InMemoryNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The runtime on the in-memory transport: real threads and clocks, fast and deterministic enough. */
class RaftNodeTest {

    private static final List<NodeId> IDS = List.of(NodeId.of("a"), NodeId.of("b"), NodeId.of("c"));

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<NodeId, RaftNode<Integer>> nodes = new LinkedHashMap<>();
    private final Map<NodeId, MemoryStorage> disks = new LinkedHashMap<>();
    private final Map<NodeId, CountingMachine> machines = new LinkedHashMap<>();

    @AfterEach
    void stop() {
        nodes.values().forEach(RaftNode::close);
    }

    private static NodeSettings settings(NodeId id) {
        return NodeSettings.defaults(id)
                .withTimeouts(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(150))
                .withSnapshotEvery(50);
    }

    private RaftNode<Integer> start(NodeId id) throws Exception {
        CountingMachine machine = new CountingMachine();
        machines.put(id, machine);
        RaftNode<Integer> node = RaftNode.start(settings(id), disks.computeIfAbsent(id, i -> new MemoryStorage()),
                network.transport(id), machine);
        nodes.put(id, node);
        return node;
    }

    private void startCluster() throws Exception {
        for (NodeId id : IDS) {
            start(id).bootstrap(Configuration.ofVoters(IDS)).get(5, TimeUnit.SECONDS);
        }
    }

    private RaftNode<Integer> awaitLeader() {
        return await().atMost(Duration.ofSeconds(20)).until(this::leader, leader -> leader != null);
    }

    private RaftNode<Integer> leader() {
        for (RaftNode<Integer> node : nodes.values()) {
            NodeStatus status = node.status();
            if (status.running() && status.role() == Role.LEADER) {
                return node;
            }
        }
        return null;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void three_nodes_elect_a_leader_replicate_and_apply_in_order() throws Exception {
        startCluster();
        RaftNode<Integer> leader = awaitLeader();
        List<CompletableFuture<Committed<Integer>>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            futures.add(leader.propose(bytes("cmd-" + i)));
        }
        long previous = 0;
        for (int i = 0; i < futures.size(); i++) {
            Committed<Integer> committed = futures.get(i).get(10, TimeUnit.SECONDS);
            assertThat(committed.index()).isGreaterThan(previous);
            assertThat(committed.result()).isEqualTo(i + 1);
            assertThat(committed.term()).isEqualTo(leader.status().term());
            previous = committed.index();
        }
        long last = previous;
        await().atMost(Duration.ofSeconds(10)).until(() -> nodes.values().stream()
                .allMatch(n -> n.status().appliedIndex() >= last));
        for (RaftNode<Integer> node : nodes.values()) {
            List<String> applied = node.readStale(machine -> List.copyOf(((CountingMachine) machine).applied))
                    .get(5, TimeUnit.SECONDS);
            assertThat(applied).hasSize(200).startsWith("cmd-0").endsWith("cmd-199");
        }
    }

    @Test
    void a_listener_told_a_leader_is_ready_finds_the_status_saying_so() throws Exception {
        // The application, told PRIMARY, asks the node whether it is primary: the answer must
        // not be the status of before the change (a Spring grant run was once skipped as stale).
        List<StateChange> ready = new CopyOnWriteArrayList<>();
        List<NodeStatus> statusThen = new CopyOnWriteArrayList<>();
        for (NodeId id : IDS) {
            RaftNode<Integer> node = start(id);
            node.addListener(change -> {
                if (change.leaderReady()) {
                    ready.add(change);
                    statusThen.add(node.status());
                }
            });
            node.bootstrap(Configuration.ofVoters(IDS)).get(5, TimeUnit.SECONDS);
        }
        awaitLeader();
        await().atMost(Duration.ofSeconds(20)).until(() -> !ready.isEmpty());
        for (int i = 0; i < ready.size(); i++) {
            assertThat(statusThen.get(i).leaderReady()).as("status when told %s", ready.get(i)).isTrue();
            assertThat(statusThen.get(i).term()).isEqualTo(ready.get(i).term());
        }
    }

    @Test
    void a_follower_hands_proposals_to_the_primary_and_reads_what_was_acknowledged_before() throws Exception {
        startCluster();
        RaftNode<Integer> leader = awaitLeader();
        await().until(() -> nodes.values().stream().allMatch(n -> leader.id().equals(n.status().leader())));
        RaftNode<Integer> follower = nodes.values().stream().filter(n -> n != leader).findFirst().orElseThrow();
        for (int i = 0; i < 20; i++) {
            Committed<Integer> committed = follower.propose(bytes("via follower " + i)).get(5, TimeUnit.SECONDS);
            assertThat(committed.result()).as("the follower's own state machine's result").isEqualTo(i + 1);
            assertThat(committed.term()).isEqualTo(leader.status().term());
            // Acknowledged through the leader: a linearizable read at the follower sees it.
            int seen = follower.read(machine -> ((CountingMachine) machine).applied.size()).get(5, TimeUnit.SECONDS);
            assertThat(seen).isEqualTo(i + 1);
        }
        // ... and a write acknowledged by the leader is seen by the next read at the follower.
        leader.propose(bytes("at the leader")).get(5, TimeUnit.SECONDS);
        assertThat(follower.read(machine -> ((CountingMachine) machine).applied.size()).get(5, TimeUnit.SECONDS))
                .isEqualTo(21);
    }

    @Test
    void a_linearizable_read_sees_every_write_acknowledged_before_it() throws Exception {
        startCluster();
        RaftNode<Integer> leader = awaitLeader();
        for (int i = 0; i < 20; i++) {
            leader.propose(bytes("w" + i)).get(5, TimeUnit.SECONDS);
            int seen = leader.read(machine -> ((CountingMachine) machine).applied.size()).get(5, TimeUnit.SECONDS);
            assertThat(seen).isEqualTo(i + 1);
        }
    }

    @Test
    void a_leader_cut_off_fails_its_pending_proposals_as_indeterminate_and_a_new_leader_takes_over()
            throws Exception {
        startCluster();
        RaftNode<Integer> old = awaitLeader();
        old.propose(bytes("before")).get(5, TimeUnit.SECONDS);
        network.isolate(old.id());
        CompletableFuture<Committed<Integer>> stranded = old.propose(bytes("stranded"));
        assertThatThrownBy(() -> stranded.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(IndeterminateOutcomeException.class);
        RaftNode<Integer> fresh = await().atMost(Duration.ofSeconds(20)).until(this::leader,
                l -> l != null && l != old);
        assertThat(fresh.status().term()).isGreaterThan(old.status().term() - 1);
        Committed<Integer> after = fresh.propose(bytes("after")).get(5, TimeUnit.SECONDS);
        network.heal();
        await().atMost(Duration.ofSeconds(10)).until(() -> old.status().appliedIndex() >= after.index());
        List<String> applied = old.readStale(m -> List.copyOf(((CountingMachine) m).applied)).get(5, TimeUnit.SECONDS);
        assertThat(applied).contains("before", "after").doesNotContain("stranded");
    }

    @Test
    void a_stopped_leader_is_replaced_and_every_acknowledged_command_survives() throws Exception {
        startCluster();
        RaftNode<Integer> old = awaitLeader();
        List<Committed<Integer>> acknowledged = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            acknowledged.add(old.propose(bytes("ack-" + i)).get(5, TimeUnit.SECONDS));
        }
        old.close();
        RaftNode<Integer> fresh = await().atMost(Duration.ofSeconds(20)).until(this::leader,
                l -> l != null && l != old);
        int count = fresh.read(m -> ((CountingMachine) m).applied.size()).get(5, TimeUnit.SECONDS);
        assertThat(count).isGreaterThanOrEqualTo(acknowledged.size());
        List<String> applied = fresh.readStale(m -> List.copyOf(((CountingMachine) m).applied))
                .get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 30; i++) {
            assertThat(applied).contains("ack-" + i);
        }
    }

    @Test
    void a_restarted_follower_catches_up_through_snapshots_and_the_log_stays_bounded() throws Exception {
        startCluster();
        RaftNode<Integer> leader = awaitLeader();
        RaftNode<Integer> follower = nodes.values().stream().filter(n -> n != leader).findFirst().orElseThrow();
        follower.close();
        Committed<Integer> last = null;
        for (int i = 0; i < 300; i++) {
            last = leader.propose(bytes("n" + i)).get(5, TimeUnit.SECONDS);
        }
        MemoryStorage leaderDisk = disks.get(leader.id());
        assertThat(leader.readStale(m -> 0).thenApply(x -> leaderDisk.load().entries().size())
                .get(5, TimeUnit.SECONDS)).as("entries kept after snapshots").isLessThan(120);
        RaftNode<Integer> restarted = start(follower.id());
        long target = last.index();
        await().atMost(Duration.ofSeconds(20)).until(() -> restarted.status().appliedIndex() >= target);
        List<String> applied = restarted.readStale(m -> List.copyOf(((CountingMachine) m).applied))
                .get(5, TimeUnit.SECONDS);
        assertThat(applied).hasSize(300).endsWith("n299");
    }

    @Test
    void large_commands_bring_a_snapshot_before_snapshotEvery_of_them_are_applied() throws Exception {
        NodeId id = NodeId.of("big");
        MemoryStorage disk = new MemoryStorage();
        RaftNode<Integer> node = RaftNode.start(NodeSettings.defaults(id)
                        .withTimeouts(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(150))
                        .withSnapshotEveryBytes(1 << 20), disk, network.transport(id), new CountingMachine());
        nodes.put(id, node);
        node.bootstrap(Configuration.ofVoters(List.of(id))).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> node.status().role() == Role.LEADER);
        byte[] large = new byte[300 * 1024];
        for (int i = 0; i < 8; i++) {
            node.propose(large).get(5, TimeUnit.SECONDS);
        }
        // 2.4 MiB applied with snapshotEveryBytes = 1 MiB: the log holds at most the last few.
        assertThat(node.readStale(m -> disk.load()).get(5, TimeUnit.SECONDS).snapshot()).isNotNull();
        assertThat(node.readStale(m -> disk.load().entries().size()).get(5, TimeUnit.SECONDS)).isLessThan(5);
    }

    @Test
    void requests_after_close_fail_as_shut_down() throws Exception {
        startCluster();
        RaftNode<Integer> node = nodes.get(IDS.get(0));
        node.close();
        assertThatThrownBy(() -> node.propose(bytes("late")).get(5, TimeUnit.SECONDS)).cause()
                .isInstanceOf(io.clustermode.ClusterClosedException.class);
        assertThat(node.status().running()).isFalse();
    }
}
