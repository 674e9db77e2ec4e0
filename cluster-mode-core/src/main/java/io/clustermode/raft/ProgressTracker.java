package io.clustermode.raft;

import io.clustermode.NodeId;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * A leader's knowledge of its followers, after etcd's tracker package: one {@link Progress} per
 * other member (thesis §3.5, nextIndex and matchIndex, plus etcd's flow-control states), and
 * every change of one. The core reads progress; only this class writes it, so each transition
 * of a follower's state is in one place. The map is sorted by id: the core sends to followers
 * in that order, and the output must not depend on hashing.
 */
final class ProgressTracker {

    private final NodeId self;
    private final Map<NodeId, Progress> progress = new TreeMap<>();
    /** The core's ticks so far: when followers were last heard from is counted in them. */
    private long ticks;

    ProgressTracker(NodeId self) {
        this.self = self;
    }

    /** The progress of {@code peer}; null when it is not tracked (not a member, or this node does not lead). */
    Progress get(NodeId peer) {
        return progress.get(peer);
    }

    /** Calls {@code action} for every follower, in id order. */
    void forEach(BiConsumer<NodeId, Progress> action) {
        progress.forEach(action);
    }

    /** Each follower's match index (thesis §3.5), sorted by id; empty when this node does not lead. */
    Map<NodeId, Long> matchIndexes() {
        Map<NodeId, Long> out = new TreeMap<>();
        progress.forEach((peer, p) -> out.put(peer, p.match));
        return out;
    }

    /** Leadership ended, or begins: nothing known of anyone. */
    void clear() {
        progress.clear();
    }

    /**
     * Follows {@code configuration} (thesis §4.1: in effect once appended): forgets removed
     * members and starts to track new ones, optimistically just past the leader's last entry.
     */
    void sync(Configuration configuration, long lastIndex) {
        progress.keySet().removeIf(peer -> !configuration.contains(peer));
        for (NodeId member : configuration.members()) {
            if (!member.equals(self)) {
                progress.computeIfAbsent(member, m -> new Progress(lastIndex + 1, ticks));
            }
        }
    }

    /** A voter that holds the leader's whole log, the first by id; null when none. */
    NodeId caughtUpVoter(Configuration configuration, long lastIndex) {
        for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
            if (configuration.isVoter(e.getKey()) && e.getValue().match == lastIndex) {
                return e.getKey();
            }
        }
        return null;
    }

    /** {@code peer} said in a heartbeat answer whether it is healthy, or a transfer to it failed (false). */
    void healthReported(NodeId peer, boolean healthy) {
        Progress p = progress.get(peer);
        if (p != null) {
            p.healthy = healthy;
        }
    }

    /**
     * The voter an unhealthy leader should hand over to: a healthy one that holds the whole log,
     * else the healthy one that holds the most (a transfer brings it up to date first); the first
     * by id among equals; null when no voter is known to be healthy.
     */
    NodeId healthySuccessor(Configuration configuration) {
        NodeId best = null;
        long bestMatch = -1;
        for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
            Progress p = e.getValue();
            if (configuration.isVoter(e.getKey()) && p.healthy && p.match > bestMatch) {
                best = e.getKey();
                bestMatch = p.match;
            }
        }
        return best;
    }

    // ------------------------------------------------------------------ quorum questions

    /**
     * The highest index {@code quorum} voters hold (§5.3), counting the leader's own log up to
     * {@code ownDurable}; a voter not tracked yet holds nothing.
     */
    long committed(Configuration configuration, int quorum, long ownDurable) {
        return Quorum.agreed(configuration.voters(), quorum, voter -> {
            if (voter.equals(self)) {
                return ownDurable;
            }
            Progress p = progress.get(voter);
            return p == null ? 0 : p.match;
        });
    }

    /** The latest heartbeat round a majority of voters answered (thesis §6.4); the leader has answered {@code ownRound}. */
    long confirmedRound(Configuration configuration, long ownRound) {
        return Quorum.agreed(configuration.voters(), configuration.quorum(), voter -> {
            if (voter.equals(self)) {
                return ownRound;
            }
            Progress p = progress.get(voter);
            return p == null ? 0 : p.ackedSequence;
        });
    }

    /** One tick of the core's clock. */
    void tick() {
        ticks++;
    }

    /** The core's ticks so far. */
    long ticks() {
        return ticks;
    }

    /**
     * The latest tick by which a majority of voters, the leader included, had been heard from:
     * the quorum-th most recent contact (check-quorum, thesis §6.2). Followers count as heard
     * when they begin to be tracked.
     */
    long quorumContact(Configuration configuration) {
        return Quorum.agreed(configuration.voters(), configuration.quorum(), voter -> {
            if (voter.equals(self)) {
                return ticks;
            }
            Progress p = progress.get(voter);
            return p == null ? 0 : p.lastHeard;
        });
    }

    // ------------------------------------------------------------------ replication

    /** {@code peer} answered: it is alive for check-quorum. Its progress; null when not tracked. */
    Progress heardFrom(NodeId peer) {
        Progress p = progress.get(peer);
        if (p != null) {
            p.lastHeard = ticks;
        }
        return p;
    }

    /** An append after {@code prevIndex} with {@code entries} went to the follower of {@code p}. */
    void appendSent(Progress p, long prevIndex, List<Entry> entries) {
        p.sent(prevIndex + entries.size());
        if (p.state == Progress.State.REPLICATE) {
            if (!entries.isEmpty()) {
                long last = entries.get(entries.size() - 1).index();
                p.next = last + 1;
                p.inflight.add(last);
            }
        } else {
            p.probeSent = true;
        }
    }

    /**
     * A chunk of the snapshot at {@code snapshotIndex} goes to the follower of {@code p};
     * returns the offset it starts at: where the follower left off, or 0 for a snapshot it has
     * not been sent yet.
     */
    long snapshotChunkSending(Progress p, long snapshotIndex) {
        if (p.state != Progress.State.SNAPSHOT || p.snapshotIndex != snapshotIndex) {
            p.becomeSnapshot(snapshotIndex);
        }
        p.sent(snapshotIndex);
        return p.snapshotOffset;
    }

    /**
     * The follower of {@code p} acknowledged its log up to {@code matchIndex}. Returns whether
     * that is news; if not, a probe was merely answered and the next one may go.
     */
    boolean acknowledged(Progress p, long matchIndex) {
        if (matchIndex <= p.match) {
            if (p.state == Progress.State.PROBE) {
                p.probeSent = false;
            }
            return false;
        }
        p.match = matchIndex;
        p.next = Math.max(p.next, p.match + 1);
        p.freeInflightUpTo(p.match);
        if (p.state == Progress.State.PROBE) {
            p.becomeReplicate(); // the logs meet: pipeline from here
        } else if (p.state == Progress.State.SNAPSHOT && p.match >= p.snapshotIndex) {
            p.becomeProbe(p.match + 1);
        }
        return true;
    }

    /** The logs do not meet where the leader thought: probe again, from {@code next} at the earliest. */
    void probeFrom(Progress p, long next) {
        p.becomeProbe(next);
    }

    /**
     * The follower of {@code p} answered heartbeat round {@code sequence}. Returns whether it
     * needs an append now: a probe answered with entries outstanding, or in replicate state no
     * progress for a whole heartbeat round while entries are outstanding — appends were lost,
     * so it is probed again from what it surely holds.
     */
    boolean heartbeatAnswered(Progress p, long sequence, long lastIndex) {
        p.ackedSequence = Math.max(p.ackedSequence, sequence);
        long matchBefore = p.matchAtLastHeartbeat;
        p.matchAtLastHeartbeat = p.match;
        return switch (p.state) {
            case PROBE -> {
                p.probeSent = false;
                yield p.match < lastIndex;
            }
            case REPLICATE -> {
                boolean stalled = p.match < lastIndex && p.match == matchBefore;
                if (stalled) {
                    p.becomeProbe(p.match + 1);
                }
                yield stalled;
            }
            case SNAPSHOT -> false; // the leader resends the chunk: the last one may have been lost
        };
    }

    /** The follower of {@code p} installed a snapshot reaching {@code index}. */
    void snapshotInstalled(Progress p, long index) {
        if (index > p.match) {
            p.match = index;
        }
        if (p.state == Progress.State.SNAPSHOT) {
            p.becomeProbe(p.match + 1);
        }
    }

    /**
     * The follower of {@code p} took the chunks of the snapshot at {@code index} up to
     * {@code nextOffset}. Returns whether that is the snapshot being sent, so the next chunk
     * may go.
     */
    boolean snapshotChunkTaken(Progress p, long index, long nextOffset) {
        if (p.state != Progress.State.SNAPSHOT || index != p.snapshotIndex) {
            return false;
        }
        p.snapshotOffset = nextOffset;
        return true;
    }
}
