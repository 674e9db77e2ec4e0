package io.clustermode.raft;

import io.clustermode.NodeId;
import java.util.List;

/**
 * A message between two cores. The runtime carries them; the core never learns how.
 *
 * <p>Every message carries the sender's term; the rules for a term that differs from the
 * receiver's are in {@link RaftCore#step(Message)}.
 */
public sealed interface Message {

    /** The sender. */
    NodeId from();

    /** The receiver. */
    NodeId to();

    /** The sender's term (for a pre-vote request: the term it would campaign in). */
    long term();

    /**
     * A request for a vote (§5.2), or for a pre-vote (thesis §9.6) when {@code preVote}.
     *
     * @param lastLogIndex the candidate's last log index (§5.4.1)
     * @param lastLogTerm  the term of that entry
     * @param preVote      true for a pre-vote: nobody's term or vote changes
     * @param transfer     true when the leader asked for this election (thesis §3.10): voters
     *                     do not ignore it even while they hear from a leader
     */
    record VoteRequest(NodeId from, NodeId to, long term, long lastLogIndex, long lastLogTerm,
                       boolean preVote, boolean transfer) implements Message {
    }

    /** The answer to a {@link VoteRequest}. */
    record VoteResponse(NodeId from, NodeId to, long term, boolean preVote, boolean granted) implements Message {
    }

    /**
     * Log entries to append after {@code (prevLogIndex, prevLogTerm)} (§5.3).
     *
     * @param entries      consecutive entries from {@code prevLogIndex + 1}; may be empty
     * @param leaderCommit the leader's commit index
     */
    record AppendRequest(NodeId from, NodeId to, long term, long prevLogIndex, long prevLogTerm,
                         List<Entry> entries, long leaderCommit) implements Message {
        public AppendRequest {
            entries = List.copyOf(entries);
        }
    }

    /**
     * The answer to an {@link AppendRequest}.
     *
     * @param success       whether the log matched at the request's previous entry
     * @param prevLogIndex  the request's {@code prevLogIndex}, so the leader can tell stale answers
     * @param matchIndex    on success, the index up to which the follower's log is known to match
     * @param conflictIndex on failure, where the leader should look next: the first index of
     *                      {@code conflictTerm} in the follower's log, or its last index + 1
     * @param conflictTerm  on failure, the follower's term at {@code prevLogIndex}; 0 when it
     *                      has no entry there
     */
    record AppendResponse(NodeId from, NodeId to, long term, boolean success, long prevLogIndex,
                          long matchIndex, long conflictIndex, long conflictTerm) implements Message {
    }

    /**
     * The leader's heartbeat. It carries no entries, so it can never move a follower's commit
     * index past what that follower holds: {@code commit} is at most the follower's match.
     *
     * @param commit   the commit index the follower may adopt
     * @param sequence a round number; a majority answering round n confirms leadership for
     *                 every read that arrived before round n was sent (thesis §6.4)
     */
    record Heartbeat(NodeId from, NodeId to, long term, long commit, long sequence) implements Message {
    }

    /**
     * The answer to a {@link Heartbeat}, echoing its round.
     *
     * @param healthy whether the follower passes its health checks (RaftCore#reportHealth), so
     *                that an unhealthy leader can hand over to a healthy follower
     */
    record HeartbeatResponse(NodeId from, NodeId to, long term, long sequence, boolean healthy) implements Message {
    }

    /**
     * One chunk of a snapshot (§7).
     *
     * @param meta   what the whole snapshot covers
     * @param offset where {@code chunk} starts in the snapshot's data
     * @param chunk  the bytes
     * @param done   whether this is the last chunk
     */
    record InstallSnapshot(NodeId from, NodeId to, long term, SnapshotMeta meta, long offset, byte[] chunk,
                           boolean done) implements Message {
        @Override
        public boolean equals(Object other) {
            return other instanceof InstallSnapshot m && from.equals(m.from) && to.equals(m.to) && term == m.term
                    && meta.equals(m.meta) && offset == m.offset && java.util.Arrays.equals(chunk, m.chunk)
                    && done == m.done;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(from, to, term, meta, offset, java.util.Arrays.hashCode(chunk), done);
        }

        @Override
        public String toString() {
            return "InstallSnapshot[from=" + from + ", to=" + to + ", term=" + term + ", meta=" + meta + ", offset="
                    + offset + ", chunk=" + chunk.length + "B, done=" + done + "]";
        }
    }

    /**
     * The answer to an {@link InstallSnapshot}.
     *
     * @param snapshotIndex the snapshot's index
     * @param nextOffset    the offset the follower expects next
     * @param installed     whether the snapshot (or something newer) is now in place
     */
    record InstallSnapshotResponse(NodeId from, NodeId to, long term, long snapshotIndex, long nextOffset,
                                   boolean installed) implements Message {
    }

    /** Tells a caught-up voter to campaign at once: the last step of a leadership transfer (thesis §3.10). */
    record TimeoutNow(NodeId from, NodeId to, long term) implements Message {
    }

    /**
     * Commands a follower's clients proposed, handed to the leader (thesis §6.2: servers other
     * than the leader forward client requests to it). The leader appends them, in order, as
     * consecutive entries of its term.
     *
     * @param id       the follower's number for this batch, echoed in the answer
     * @param commands the commands, in the order they are to be appended
     */
    record ForwardRequest(NodeId from, NodeId to, long term, long id, List<byte[]> commands) implements Message {
        public ForwardRequest {
            commands = List.copyOf(commands);
        }

        @Override
        public boolean equals(Object other) {
            if (!(other instanceof ForwardRequest m) || !from.equals(m.from) || !to.equals(m.to) || term != m.term
                    || id != m.id || commands.size() != m.commands.size()) {
                return false;
            }
            for (int i = 0; i < commands.size(); i++) {
                if (!java.util.Arrays.equals(commands.get(i), m.commands.get(i))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            int hash = java.util.Objects.hash(from, to, term, id);
            for (byte[] command : commands) {
                hash = 31 * hash + java.util.Arrays.hashCode(command);
            }
            return hash;
        }

        @Override
        public String toString() {
            return "ForwardRequest[from=" + from + ", to=" + to + ", term=" + term + ", id=" + id + ", commands="
                    + commands.size() + "]";
        }
    }

    /**
     * The leader's answer to a {@link ForwardRequest}.
     *
     * @param id         the request's id
     * @param firstIndex where the first command was appended, in this message's term (the others
     *                   follow it one by one); 0 when nothing was appended (the receiver is not
     *                   the leader, or a leadership transfer is under way)
     */
    record ForwardResponse(NodeId from, NodeId to, long term, long id, long firstIndex) implements Message {
    }

    /**
     * A follower asks the leader for a read index (thesis §6.4.1: reads served by followers).
     *
     * @param id the follower's number for this request, echoed in the answer
     */
    record ReadIndexRequest(NodeId from, NodeId to, long term, long id) implements Message {
    }

    /**
     * The leader's answer to a {@link ReadIndexRequest}, once a majority confirmed its leadership.
     *
     * @param id    the request's id
     * @param index the commit index the follower must apply before it answers the read; 0 when
     *              refused (the sender is not, or no longer, the leader). A confirmed index is
     *              never 0: a leader serves reads only after committing an entry of its term
     */
    record ReadIndexResponse(NodeId from, NodeId to, long term, long id, long index) implements Message {
    }

    /**
     * A member tells its leader which partition groups it takes part in (name → partition count)
     * and which of its grants it has given up; also its lease's heartbeat: the leader's
     * {@link PartitionReportAck} renews the member's lease from the moment this report was sent.
     *
     * @param sequence the member's number for this report, echoed in the acknowledgement
     * @param groups   every group the member takes part in, with its partition count
     * @param released grants the member no longer holds: group, partition and epoch of each
     */
    record PartitionReport(NodeId from, NodeId to, long term, long sequence, java.util.Map<String, Integer> groups,
                           List<Released> released) implements Message {
        public PartitionReport {
            groups = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(groups));
            released = List.copyOf(released);
        }

        /** One grant given up. */
        public record Released(String group, int partition, long epoch) {
        }
    }

    /**
     * The leader received a {@link PartitionReport}: the member's lease runs from the report's sending.
     *
     * @param sequence the report's sequence
     * @param index    the leader's last log index: a member whose lease had lapsed holds no grant
     *                 up to it (any of them may have been released while it was not heard)
     */
    record PartitionReportAck(NodeId from, NodeId to, long term, long sequence, long index) implements Message {
    }
}
