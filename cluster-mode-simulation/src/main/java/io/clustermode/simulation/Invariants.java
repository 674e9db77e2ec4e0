package io.clustermode.simulation;

import io.clustermode.raft.Entry;
import io.clustermode.raft.HardState;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import io.clustermode.raft.RaftCore;
import io.clustermode.raft.Ready;
import io.clustermode.raft.Role;
import io.clustermode.raft.Snapshot;
import io.clustermode.raft.StateChange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The safety properties of Raft (Figure 3 of the paper), checked as the run goes, from what
 * the nodes persist, apply and announce. Each check is incremental, so checking after every
 * step stays cheap. A broken property throws {@link InvariantViolation}.
 */
final class Invariants {

    /** What one (index, term) of any log holds, and the term before it (for log matching). */
    private record Fingerprint(long term, int content, long previousTerm) {
    }

    private final Map<Long, NodeId> leaderOfTerm = new HashMap<>();
    private final Map<Long, List<Fingerprint>> entries = new HashMap<>();
    /** Index to the entry's term, and a term at or after the one in which it was committed. */
    private final Map<Long, long[]> committed = new HashMap<>();
    private final Map<Long, Long> hashAfter = new HashMap<>();
    /** The largest epoch under which each partition ("group/partition") was held. */
    private final Map<String, Long> partitionEpochs = new HashMap<>();
    long maxCommitted;

    /** Log matching (§5.3): one (index, term) is one entry, with one history before it. */
    void onPersisted(SimNode node, Ready ready) {
        List<Entry> persisted = ready.entries();
        for (int e = 0; e < persisted.size(); e++) {
            Entry entry = persisted.get(e);
            long previousTerm = entry.index() == 1 ? 0 : node.core.termAt(entry.index() - 1);
            Fingerprint seen = new Fingerprint(entry.term(), content(entry), previousTerm);
            List<Fingerprint> atIndex = entries.computeIfAbsent(entry.index(), i -> new ArrayList<>(2));
            Fingerprint known = null;
            for (Fingerprint f : atIndex) {
                if (f.term() == entry.term()) {
                    known = f;
                }
            }
            if (known == null) {
                atIndex.add(seen);
            } else if (known.content() != seen.content()
                    || (known.previousTerm() >= 0 && seen.previousTerm() >= 0
                    && known.previousTerm() != seen.previousTerm())) {
                throw new InvariantViolation("log matching", node.id + " holds entry " + entry.index() + "@"
                        + entry.term() + " unlike another log's entry with the same index and term");
            }
        }
    }

    /**
     * Figure 2, "updated on stable storage before responding to RPCs": a granted vote and an
     * acknowledged append are promises about the disk, so what they promise must be on the
     * sender's disk when they leave. This is the driver's order under test: a driver that sends
     * before it persists breaks it at once, even when no crash follows to expose the loss.
     */
    void onSent(SimNode node, Message message) {
        if (message instanceof Message.VoteResponse vote && vote.granted() && !vote.preVote()) {
            HardState durable = node.disk.hardState;
            if (durable.term() != vote.term() || !vote.to().equals(durable.votedFor())) {
                throw new InvariantViolation("durable before sent", node.id + " granted its vote in term " + vote.term()
                        + " to " + vote.to() + " while its disk holds term " + durable.term() + ", vote "
                        + durable.votedFor());
            }
        } else if (message instanceof Message.AppendResponse append && append.success()) {
            long durable = node.disk.lastIndex();
            if (append.matchIndex() > durable) {
                throw new InvariantViolation("durable before sent", node.id + " acknowledged entries up to "
                        + append.matchIndex() + " while its disk holds them up to " + durable);
            }
        }
    }

    /** State machine safety (§5.4.3): every node applies the same entry at an index, and reaches the same state. */
    void onApplied(SimNode node, Entry entry, long hash) {
        long[] known = committed.putIfAbsent(entry.index(), new long[] {entry.term(), node.core.term()});
        if (known != null && known[0] != entry.term()) {
            throw new InvariantViolation("state machine safety", node.id + " applied " + entry.index() + "@"
                    + entry.term() + " where another node applied " + entry.index() + "@" + known[0]);
        }
        checkHash(node, entry.index(), hash);
        maxCommitted = Math.max(maxCommitted, entry.index());
    }

    void onRestored(SimNode node, Snapshot snapshot, long hash) {
        checkHash(node, snapshot.index(), hash);
    }

    private void checkHash(SimNode node, long index, long hash) {
        Long known = hashAfter.putIfAbsent(index, hash);
        if (known != null && known != hash) {
            throw new InvariantViolation("state machine safety", node.id + " reached a different state at index "
                    + index + " than another node");
        }
    }

    /** Election safety (§5.2) and leader completeness (§5.4.1), checked when a node becomes leader. */
    void onStateChange(SimNode node, StateChange change) {
        if (change.role() != Role.LEADER) {
            return;
        }
        NodeId other = leaderOfTerm.putIfAbsent(change.term(), node.id);
        if (other != null && !other.equals(node.id)) {
            throw new InvariantViolation("election safety", "both " + other + " and " + node.id
                    + " became leader in term " + change.term());
        }
        // Only entries committed before this term must be in its leader's log; the term the
        // applying node was in bounds the commit term from above, so this checks a safe subset.
        RaftCore core = node.core;
        for (Map.Entry<Long, long[]> entry : committed.entrySet()) {
            long index = entry.getKey();
            long term = entry.getValue()[0];
            boolean committedBefore = entry.getValue()[1] < change.term();
            if (committedBefore && index > core.snapshotIndex() && core.termAt(index) != term) {
                throw new InvariantViolation("leader completeness", node.id + " became leader in term "
                        + change.term() + " without committed entry " + index + "@" + term
                        + " (it has term " + core.termAt(index) + " there)");
            }
        }
    }

    /** A node's commit index never moves back while it runs; checked after each step of the node. */
    void afterStep(SimNode node) {
        if (node.core == null) {
            return;
        }
        long commit = node.core.commitIndex();
        if (commit < node.commitSeen) {
            throw new InvariantViolation("commit monotonic", node.id + " moved its commit index back from "
                    + node.commitSeen + " to " + commit);
        }
        node.commitSeen = commit;
    }

    /**
     * Partitions (CONTRACT.md): no two nodes hold one partition at the same time, and a partition
     * is held only under an epoch larger than every earlier holding's. Checked as each node's
     * driver is told — the moment its application begins or stops work on a partition.
     */
    void onPartitionEvents(SimNode node, List<io.clustermode.raft.PartitionEvent> events, List<SimNode> all) {
        for (io.clustermode.raft.PartitionEvent event : events) {
            String key = event.group() + "/" + event.partition();
            if (!event.held()) {
                Long epoch = node.held.remove(key);
                if (epoch == null || epoch != event.epoch()) {
                    throw new InvariantViolation("partition events", node.id + " gave up " + key + "@" + event.epoch()
                            + " which it held " + (epoch == null ? "not at all" : "under epoch " + epoch));
                }
                continue;
            }
            for (SimNode other : all) {
                Long theirs = other == node ? null : other.held.get(key);
                if (theirs != null) {
                    throw new InvariantViolation("one holder per partition", node.id + " holds " + key + "@"
                            + event.epoch() + " while " + other.id + " holds it under epoch " + theirs);
                }
            }
            Long before = partitionEpochs.get(key);
            if (before != null && event.epoch() <= before) {
                throw new InvariantViolation("partition epochs grow", node.id + " holds " + key + " under epoch "
                        + event.epoch() + ", not above the earlier " + before);
            }
            partitionEpochs.put(key, event.epoch());
            node.held.put(key, event.epoch());
        }
    }

    /** Linearizable reads (thesis §6.4): a read sees every write acknowledged before it began. */
    /**
     * A leader ready to be primary in {@code term} has applied {@code appliedIndex}; every write
     * acknowledged in an earlier term, up to {@code mustHave}, was committed before its election.
     */
    void onLeaderReady(SimNode node, long term, long appliedIndex, long mustHave) {
        if (appliedIndex < mustHave) {
            throw new InvariantViolation("primary behind acknowledged writes", node.id + " is ready to lead term "
                    + term + " with index " + appliedIndex + " applied, but a write at index " + mustHave
                    + " was acknowledged in an earlier term");
        }
    }

    void onReadServed(SimNode node, long appliedIndex, long mustSee) {
        if (appliedIndex < mustSee) {
            throw new InvariantViolation("linearizable read", node.id + " answered a read at index " + appliedIndex
                    + " although a write at index " + mustSee + " was acknowledged before the read began");
        }
    }

    private static int content(Entry entry) {
        return Objects.hash(entry.type(), Arrays.hashCode(entry.data()), entry.configuration());
    }
}
