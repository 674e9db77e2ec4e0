package io.clustermode.simulation;

import io.clustermode.raft.Canary;
import io.clustermode.raft.ConfigChange;
import io.clustermode.raft.Configuration;
import io.clustermode.NodeId;
import io.clustermode.raft.ProposeResult;
import io.clustermode.raft.RaftConfig;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One random run of a simulated cluster, entirely decided by its seed (TigerBeetle's VOPR
 * is the model): a safety phase of faults — partitions of every shape, message loss,
 * duplication and reordering, crashes (some in the middle of a write), restarts — under a
 * workload of proposals, linearizable reads, membership changes and leadership transfers;
 * then a liveness phase, in which every fault is healed and a leader must appear and commit a
 * new proposal on every member within a bounded time.
 */
public final class Schedule {

    /** Time units of the safety phase. */
    static final int SAFETY_UNITS = 3_000;
    /** How long the healed cluster may take to elect a leader and commit, in time units (30 election timeouts). */
    static final int LIVENESS_UNITS = 3_000;
    private static final int MAX_MEMBERS = 7;

    /** What a run did, and the first invariant it broke, if any. */
    public record Result(long seed, String invariant, String detail, List<String> trace, List<String> status,
                         long writesAcknowledged, long readsServed, long messages, long faults) {
        /** Whether an invariant was broken. */
        public boolean failed() {
            return invariant != null;
        }
    }

    private final long seed;
    private final SimCluster cluster;
    /** Discovery mode: nodes start without a cluster and the membership layer forms and grows it. */
    private final DiscoveryChurn churn;
    private final Random random;
    private int nextNodeNumber;
    private long faults;
    /** Makes every client command unique, so an acknowledgement can be checked against its entry. */
    private long commandNumber;
    /** Nodes crashed by a "bounce", and when they come back: a supervisor restarting a process at once. */
    /** Chance per time unit of a wrong "connection to X broke" hint to a random node. */
    private double falseAlarmRate;
    private final List<SimNode> bounced = new ArrayList<>();
    private final List<Long> bounceEnds = new ArrayList<>();
    /** Chance per time unit that one node's health check flips (fails, or passes again); 0 without health checks. */
    private final double healthFlipRate;
    /**
     * Draws the health flips, apart from the cluster's random: the faults and the workload of a
     * schedule with health checks stay those of the same seed without them, until health changes
     * what the nodes do.
     */
    private final Random healthRandom;

    private Schedule(long seed, Set<Canary> canaries) {
        this.seed = seed;
        Random setup = new Random(seed);
        // Health is drawn apart, so the schedules without it are the runs they were before it came.
        Random healthSetup = new Random(seed * 0x9E3779B97F4A7C15L + 16);
        boolean healthChecks = healthSetup.nextInt(3) == 0;
        this.healthFlipRate = healthChecks ? 0.002 + healthSetup.nextDouble() * 0.01 : 0;
        this.healthRandom = new Random(healthSetup.nextLong());
        RaftConfig config = RaftConfig.defaults()
                .withHealthRecoveryTicks(5 + healthSetup.nextInt(100))
                .withElectionTicks(10)
                .withHeartbeatTicks(1 + setup.nextInt(3))
                .withBatching(1 + setup.nextInt(8), 1 + setup.nextInt(8), 64 + setup.nextInt(4096))
                .withSnapshotChunkBytes(8 + setup.nextInt(64))
                .withPreVote(setup.nextInt(3) != 0)
                .withCanaries(canaries);
        this.cluster = new SimCluster(setup.nextLong(), config);
        this.random = cluster.random;
        if (healthChecks) {
            cluster.healthCheckEvery = SimCluster.TICK * (1 + healthSetup.nextInt(20));
        }
        // A crash right after a vote is cast, with a quick restart: the moment when a vote that
        // was not made durable would be cast twice.
        double bounceAfterVote = setup.nextDouble() * 0.5;
        cluster.afterVoteGranted = node -> {
            if (random.nextDouble() < bounceAfterVote) {
                bounce(node, 1 + random.nextInt(5));
            }
        };
        SimNetwork network = cluster.network;
        network.maxDelay = 2 + setup.nextInt(14);
        network.dropRate = setup.nextInt(3) == 0 ? 0 : setup.nextDouble() * 0.1;
        network.duplicateRate = setup.nextDouble() * 0.05;
        network.longDelayRate = setup.nextDouble() * 0.05;
        cluster.compactEvery = setup.nextInt(4) == 0 ? 0 : 5 + setup.nextInt(40);
        cluster.resetNoticeRate = setup.nextInt(4) == 0 ? 0 : setup.nextDouble();
        falseAlarmRate = setup.nextInt(2) == 0 ? 0 : setup.nextDouble() * 0.01;
        cluster.snapshotPadding = setup.nextInt(200);
        if (setup.nextInt(3) != 0) {
            // Partition groups: most nodes take part in each, some do not.
            int groups = 1 + setup.nextInt(2);
            for (int g = 0; g < groups; g++) {
                cluster.partitionGroups.put("group" + g, 1 + setup.nextInt(24));
            }
            int salt = setup.nextInt();
            cluster.clockDrift = setup.nextBoolean();
            cluster.declares = (node, group) -> Math.floorMod((node.value() + group).hashCode() ^ salt, 5) != 0;
        }
        int size = new int[] {1, 3, 3, 5, 5}[setup.nextInt(5)];
        List<NodeId> voters = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            voters.add(newNodeId());
        }
        if (setup.nextInt(3) == 0) {
            churn = new DiscoveryChurn(cluster, Math.min(3, size));
            for (NodeId id : voters) {
                cluster.addNode(id);
            }
            cluster.nodes().forEach(churn::shuffleView);
        } else {
            churn = null;
            cluster.bootstrap(voters);
        }
    }

    /** Runs the schedule of {@code seed} with these rules broken on purpose (none for a real check). */
    public static Result run(long seed, Set<Canary> canaries) {
        return run(seed, canaries, null);
    }

    /** As {@link #run(long, Set)}, printing every step to {@code tracePrinter} when it is not null. */
    public static Result run(long seed, Set<Canary> canaries, Consumer<String> tracePrinter) {
        Schedule schedule = new Schedule(seed, canaries);
        if (tracePrinter != null) {
            schedule.cluster.onEveryStep(tracePrinter);
        }
        return schedule.run();
    }

    private Result run() {
        try {
            safetyPhase();
            livenessPhase();
            return result(null, null);
        } catch (InvariantViolation violation) {
            return result(violation.invariant(), violation.getMessage());
        }
    }

    private Result result(String invariant, String detail) {
        return new Result(seed, invariant, detail, invariant == null ? List.of() : cluster.trace.lines(),
                invariant == null ? List.of() : cluster.statusLines(), cluster.writesAcknowledged,
                cluster.readsServed, cluster.network.sent, faults);
    }

    private void safetyPhase() {
        for (int unit = 0; unit < SAFETY_UNITS; unit++) {
            if (random.nextInt(150) == 0) {
                injectFault();
            }
            if (random.nextInt(12) == 0) {
                clientRequest();
            }
            restartBounced();
            if (healthFlipRate > 0 && healthRandom.nextDouble() < healthFlipRate) {
                // A node's check starts failing, or passes again: fail and pass periods at random.
                List<SimNode> nodes = cluster.nodes();
                SimNode node = nodes.get(healthRandom.nextInt(nodes.size()));
                node.checkPassing = !node.checkPassing;
            }
            if (falseAlarmRate > 0 && random.nextDouble() < falseAlarmRate) {
                List<SimNode> nodes = cluster.nodes();
                SimNode to = nodes.get(random.nextInt(nodes.size()));
                SimNode leader = cluster.leader();
                cluster.peerUnreachable(to, leader != null && random.nextBoolean() ? leader.id
                        : nodes.get(random.nextInt(nodes.size())).id);
            }
            if (churn != null) {
                if (random.nextInt(100) == 0) {
                    List<SimNode> nodes = cluster.nodes();
                    churn.shuffleView(nodes.get(random.nextInt(nodes.size())));
                }
                churn.tick();
            }
            cluster.runOneUnit();
        }
    }

    private void livenessPhase() {
        cluster.heal();
        cluster.network.quiet();
        cluster.afterVoteGranted = node -> { };
        bounced.clear();
        bounceEnds.clear();
        for (SimNode node : cluster.nodes()) {
            node.disk.tearNextWrite = null;
            cluster.restart(node);
        }
        if (churn != null) {
            churn.showEveryone();
        }
        long deadline = cluster.now + LIVENESS_UNITS;
        byte[] probe = "liveness-probe".getBytes(StandardCharsets.UTF_8);
        SimNode proposer = null;
        long probeIndex = 0;
        long probeTerm = 0;
        while (cluster.now < deadline) {
            SimNode leader = cluster.leader();
            if (leader != null && (proposer != leader || leader.core.term() != probeTerm)) {
                if (cluster.propose(leader, probe) instanceof ProposeResult.Accepted accepted) {
                    proposer = leader;
                    probeIndex = accepted.index();
                    probeTerm = accepted.term();
                }
            }
            if (proposer != null && committedEverywhere(proposer, probeIndex, probeTerm)) {
                awaitPartitionsHeld(deadline + LIVENESS_UNITS);
                return;
            }
            if (churn != null) {
                churn.tick();
            }
            cluster.runOneUnit();
        }
        throw new InvariantViolation("liveness", "no leader committed a new entry on every member within "
                + LIVENESS_UNITS / SimCluster.TICK + " ticks after every fault was healed");
    }

    /**
     * Liveness of partitions: once the cluster is healed and has a leader, every partition of a
     * group that a member of the configuration takes part in is held by a node, in bounded time.
     */
    private void awaitPartitionsHeld(long deadline) {
        while (cluster.now < deadline) {
            // Looked at once a tick: the table is copied for each look.
            if (cluster.now % SimCluster.TICK == 0 && unheldPartition() == null) {
                return;
            }
            if (churn != null) {
                churn.tick();
            }
            cluster.runOneUnit();
        }
        throw new InvariantViolation("partition liveness", "partition " + unheldPartition() + " was not held within "
                + LIVENESS_UNITS / SimCluster.TICK + " ticks after the healed cluster committed");
    }

    /** A partition that should be held and is not ("group/partition"); null when every one is. */
    private String unheldPartition() {
        SimNode leader = cluster.leader();
        if (leader == null) {
            return "(any: no leader)";
        }
        Configuration configuration = leader.core.configuration();
        for (var group : cluster.partitionGroups.entrySet()) {
            boolean anyMember = configuration.members().stream()
                    .anyMatch(id -> cluster.declares.test(id, group.getKey()));
            var table = leader.core.partitionTable();
            int fewest = Integer.MAX_VALUE;
            int most = 0;
            for (NodeId member : configuration.members()) {
                if (cluster.declares.test(member, group.getKey())) {
                    int owned = table.ownedBy(group.getKey(), member);
                    fewest = Math.min(fewest, owned);
                    most = Math.max(most, owned);
                }
            }
            if (anyMember && most - fewest > 1) {
                return "(balance: " + group.getKey() + " members hold " + fewest + " to " + most + " partitions: " + table + ")";
            }
            for (int p = 0; anyMember && p < group.getValue(); p++) {
                String key = group.getKey() + "/" + p;
                if (cluster.nodes().stream().noneMatch(node -> node.held.containsKey(key))) {
                    return key + " (the leader's table: owner " + table.owner(group.getKey(), p) + ", epoch "
                            + table.epoch(group.getKey(), p) + (table.revoking(group.getKey(), p) ? ", revoking" : "")
                            + ", members " + table.members(group.getKey()) + ")";
                }
            }
        }
        return null;
    }

    private boolean committedEverywhere(SimNode proposer, long index, long term) {
        // A leader never overwrites its own log within its term: while the proposer still leads
        // in the probe's term, the entry at the probe's index is the probe, even once compacted.
        if (!proposer.isUp() || proposer.core.role() != io.clustermode.raft.Role.LEADER
                || proposer.core.term() != term) {
            return false;
        }
        for (NodeId member : proposer.core.configuration().members()) {
            SimNode node = cluster.node(member);
            if (!node.isUp() || node.core.appliedIndex() < index) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ nemesis

    private void injectFault() {
        faults++;
        List<SimNode> nodes = cluster.nodes();
        SimNode victim = nodes.get(random.nextInt(nodes.size()));
        SimNode leader = cluster.leader();
        switch (random.nextInt(12)) {
            case 0 -> {
                List<NodeId> side = new ArrayList<>();
                for (SimNode node : nodes) {
                    if (random.nextBoolean()) {
                        side.add(node.id);
                    }
                }
                cluster.partition(side);
            }
            case 1 -> cluster.isolate(leader != null ? leader.id : victim.id);
            case 2 -> cluster.isolate(victim.id);
            case 3 -> {
                SimNode other = nodes.get(random.nextInt(nodes.size()));
                if (other != victim) {
                    cluster.blockOneWay(victim.id, other.id);
                }
            }
            case 4, 5 -> cluster.heal();
            case 6 -> {
                if (random.nextBoolean()) {
                    cluster.crash(victim);
                } else {
                    cluster.crashDuringNextWrite(victim);
                }
            }
            case 7 -> {
                if (leader != null) {
                    if (random.nextBoolean()) {
                        cluster.crash(leader);
                    } else {
                        cluster.crashDuringNextWrite(leader);
                    }
                }
            }
            case 8, 9 -> {
                // A bounce: the process dies and its supervisor starts it again within a few
                // ticks, sometimes mid-election — where a forgotten vote would count twice.
                bounce(random.nextBoolean() || leader == null ? victim : leader, 1 + random.nextInt(3 * SimCluster.TICK));
            }
            default -> {
                for (SimNode node : nodes) {
                    if (!node.isUp()) {
                        cluster.restart(node);
                        break;
                    }
                }
            }
        }
    }

    private void bounce(SimNode node, int downFor) {
        if (node.isUp()) {
            cluster.crash(node);
            bounced.add(node);
            bounceEnds.add(cluster.now + downFor);
        }
    }

    private void restartBounced() {
        for (int i = bounced.size() - 1; i >= 0; i--) {
            if (bounceEnds.get(i) <= cluster.now) {
                cluster.restart(bounced.remove(i));
                bounceEnds.remove(i);
            }
        }
    }

    // ------------------------------------------------------------------ workload

    private void clientRequest() {
        SimNode target = clientTarget();
        if (target == null) {
            return;
        }
        int choice = random.nextInt(100);
        if (choice < 60) {
            cluster.submit(target, ("cmd-" + seed + "-" + cluster.now + "-" + commandNumber++)
                    .getBytes(StandardCharsets.UTF_8));
        } else if (choice < 88) {
            cluster.read(target);
        } else if (choice < 96) {
            if (churn == null) {
                changeMembership(target); // with discovery, the membership layer changes members
            }
        } else {
            List<NodeId> voters = new ArrayList<>(target.core.configuration().voters());
            if (!voters.isEmpty()) {
                cluster.transferLeadership(target, voters.get(random.nextInt(voters.size())));
            }
        }
    }

    /**
     * A client picks a random node; half the time it stays there (a follower forwards writes and
     * asks the leader for read indexes), else it follows the node to the leader it names, if
     * that one is up.
     */
    private SimNode clientTarget() {
        List<SimNode> up = new ArrayList<>();
        for (SimNode node : cluster.nodes()) {
            if (node.isUp()) {
                up.add(node);
            }
        }
        if (up.isEmpty()) {
            return null;
        }
        SimNode first = up.get(random.nextInt(up.size()));
        if (random.nextBoolean()) {
            return first;
        }
        NodeId named = first.core.leader();
        SimNode leader = named == null ? null : cluster.node(named);
        return leader != null && leader.isUp() ? leader : first;
    }

    private void changeMembership(SimNode target) {
        Configuration configuration = target.core.configuration();
        List<NodeId> members = new ArrayList<>(configuration.members());
        List<NodeId> learners = new ArrayList<>(configuration.learners());
        int choice = random.nextInt(3);
        if (choice == 0 && members.size() < MAX_MEMBERS) {
            NodeId id = newNodeId();
            if (cluster.changeConfiguration(target, ConfigChange.addLearner(id)).accepted()) {
                cluster.addNode(id); // messages sent to it before it starts are lost, and sent again
            }
        } else if (choice == 1 && !learners.isEmpty()) {
            cluster.changeConfiguration(target, ConfigChange.promote(learners.get(random.nextInt(learners.size()))));
        } else if (!members.isEmpty()) {
            cluster.changeConfiguration(target, ConfigChange.remove(members.get(random.nextInt(members.size()))));
        }
    }

    private NodeId newNodeId() {
        return NodeId.of("n" + (++nextNodeNumber));
    }
}
