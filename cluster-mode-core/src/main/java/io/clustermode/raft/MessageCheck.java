package io.clustermode.raft;

import io.clustermode.raft.Message.AppendRequest;
import io.clustermode.raft.Message.AppendResponse;
import io.clustermode.raft.Message.Heartbeat;
import io.clustermode.raft.Message.HeartbeatResponse;
import io.clustermode.raft.Message.InstallSnapshot;
import io.clustermode.raft.Message.InstallSnapshotResponse;
import io.clustermode.raft.Message.VoteRequest;

import java.util.List;

/**
 * What a message must satisfy on its own, whatever the receiver's state: values an honest core
 * never sends. Checked before a message touches the core, because even an authenticated peer
 * may be buggy or taken over, and one value out of range must not stop the cluster for good: a
 * term of {@code Long.MAX_VALUE}, once adopted and persisted, made every later campaign's
 * {@code term + 1} overflow.
 */
final class MessageCheck {

    /**
     * The largest term a message may carry. 2^32 short of the maximum: a cluster that held an
     * election every millisecond would need 136 years to use up that margin, and until then no
     * term arithmetic can overflow.
     */
    static final long MAX_TERM = Long.MAX_VALUE - (1L << 32);
    /** The largest log index a message may carry; the same margin, so index arithmetic cannot overflow. */
    static final long MAX_INDEX = Long.MAX_VALUE - (1L << 32);

    private MessageCheck() {
    }

    /** Why {@code message} cannot come from an honest core; null when nothing is wrong with it on its own. */
    static String refusal(Message message) {
        if (message.term() < 0 || message.term() > MAX_TERM) {
            return "term " + message.term() + " is outside 0.." + MAX_TERM;
        }
        if (message instanceof VoteRequest m) {
            return lastLogOf(m);
        } else if (message instanceof AppendRequest m) {
            return appendOf(m);
        } else if (message instanceof AppendResponse m) {
            return firstOf(index("prevLogIndex", m.prevLogIndex()), index("matchIndex", m.matchIndex()),
                    index("conflictIndex", m.conflictIndex()), termAtMost("conflictTerm", m.conflictTerm(), m.term()));
        } else if (message instanceof Heartbeat m) {
            return firstOf(index("commit", m.commit()), index("sequence", m.sequence()));
        } else if (message instanceof HeartbeatResponse m) {
            return index("sequence", m.sequence());
        } else if (message instanceof InstallSnapshot m) {
            return firstOf(index("snapshot index", m.meta().index()),
                    termAtMost("snapshot term", m.meta().term(), m.term()), index("offset", m.offset()),
                    m.meta().index() == 0 ? "a snapshot at index 0" : null,
                    !m.done() || SnapshotMeta.readablePartitions(m.meta().partitions()) ? null
                            : "an unreadable partition table");
        } else if (message instanceof InstallSnapshotResponse m) {
            return firstOf(index("snapshotIndex", m.snapshotIndex()), index("nextOffset", m.nextOffset()));
        } else if (message instanceof Message.ForwardRequest m) {
            return index("id", m.id());
        } else if (message instanceof Message.ForwardResponse m) {
            return firstOf(index("id", m.id()), index("firstIndex", m.firstIndex()));
        } else if (message instanceof Message.ReadIndexRequest m) {
            return index("id", m.id());
        } else if (message instanceof Message.ReadIndexResponse m) {
            return firstOf(index("id", m.id()), index("index", m.index()));
        } else if (message instanceof Message.PartitionReport m) {
            return partitionReport(m);
        } else if (message instanceof Message.PartitionReportAck m) {
            return firstOf(index("sequence", m.sequence()), index("index", m.index()));
        }
        return null;
    }

    /** The sender, when {@code message} says it leads its term (only a leader sends it); else null. */
    static io.clustermode.NodeId leaderClaimedBy(Message message) {
        boolean leads = message instanceof AppendRequest || message instanceof Heartbeat
                || message instanceof InstallSnapshot
                || (message instanceof Message.ForwardResponse m && m.firstIndex() > 0)
                || (message instanceof Message.ReadIndexResponse m && m.index() > 0)
                || message instanceof Message.PartitionReportAck;
        return leads ? message.from() : null;
    }

    private static String partitionReport(Message.PartitionReport m) {
        String refusal = index("sequence", m.sequence());
        if (refusal == null && m.groups().size() > PartitionChange.MAX_GROUPS) {
            refusal = m.groups().size() + " partition groups";
        }
        for (var group : m.groups().entrySet()) {
            if (refusal == null && (!PartitionChange.validName(group.getKey()) || group.getValue() < 1
                    || group.getValue() > PartitionChange.MAX_COUNT)) {
                refusal = "partition group '" + group.getKey() + "' of " + group.getValue();
            }
        }
        for (Message.PartitionReport.Released r : m.released()) {
            if (refusal == null && (r.partition() < 0 || r.partition() >= PartitionChange.MAX_COUNT
                    || r.epoch() < 1 || r.epoch() > MAX_INDEX)) {
                refusal = "released partition " + r.group() + "/" + r.partition() + " of epoch " + r.epoch();
            }
        }
        return refusal;
    }

    private static String lastLogOf(VoteRequest m) {
        return firstOf(index("lastLogIndex", m.lastLogIndex()), termAtMost("lastLogTerm", m.lastLogTerm(), m.term()));
    }

    private static String appendOf(AppendRequest m) {
        String refusal = firstOf(index("prevLogIndex", m.prevLogIndex()), index("leaderCommit", m.leaderCommit()),
                termAtMost("prevLogTerm", m.prevLogTerm(), m.term()));
        if (refusal != null) {
            return refusal;
        }
        // §5.3: consecutive entries after prevLogIndex, with terms that never decrease and never
        // exceed the leader's own (Log Matching relies on both).
        List<Entry> entries = m.entries();
        if (m.prevLogIndex() > MAX_INDEX - entries.size()) {
            return "entries beyond index " + MAX_INDEX;
        }
        long previousTerm = m.prevLogTerm();
        for (int i = 0; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            if (entry.index() != m.prevLogIndex() + 1 + i) {
                return "entry " + i + " has index " + entry.index() + ", expected " + (m.prevLogIndex() + 1 + i);
            }
            if (entry.term() < previousTerm || entry.term() > m.term()) {
                return "entry " + entry.index() + " has term " + entry.term() + ", outside " + previousTerm + ".."
                        + m.term();
            }
            previousTerm = entry.term();
        }
        return null;
    }

    private static String index(String field, long value) {
        return value < 0 || value > MAX_INDEX ? field + " " + value + " is outside 0.." + MAX_INDEX : null;
    }

    private static String termAtMost(String field, long value, long messageTerm) {
        return value < 0 || value > messageTerm ? field + " " + value + " is outside 0.." + messageTerm
                + " (the message's term)" : null;
    }

    private static String firstOf(String... refusals) {
        for (String refusal : refusals) {
            if (refusal != null) {
                return refusal;
            }
        }
        return null;
    }
}
