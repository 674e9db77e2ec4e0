package io.clustermode.raft;

import io.clustermode.NodeId;
import io.clustermode.raft.Message.ForwardRequest;
import io.clustermode.raft.Message.ForwardResponse;
import io.clustermode.raft.Message.ReadIndexRequest;
import io.clustermode.raft.Message.ReadIndexResponse;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A follower's requests to its leader: proposals it forwards (thesis §6.2) and read indexes it
 * asks for (thesis §6.4.1), from sending until the answer. A request ends without an answer
 * when the leader or term changes, or after an election timeout: a write then has an unknown
 * fate, a read fails. An answer from another node, another term or for a request already ended
 * is ignored: it cannot be matched to anything this node is waiting for.
 */
final class Forwarding {

    private record Pending(NodeId leader, long term, boolean read, long sentAt) {
    }

    private final NodeId self;
    private final RaftConfig config;
    private final Output output;
    private final int timeoutTicks;
    /** By id; ids grow, so iteration meets the oldest first. */
    private final Map<Long, Pending> pending = new LinkedHashMap<>();
    private long now;

    Forwarding(NodeId self, RaftConfig config, Output output) {
        this.self = self;
        this.config = config;
        this.output = output;
        this.timeoutTicks = config.electionTicks();
    }

    /**
     * Hands {@code commands} to {@code leader}, the leader of {@code term}.
     *
     * @return false, nothing sent, when no leader is known
     */
    boolean forward(long id, List<byte[]> commands, long term, NodeId leader) {
        if (leader == null) {
            return false;
        }
        pending.put(id, new Pending(leader, term, false, now));
        output.send(new ForwardRequest(self, leader, term, id, commands));
        return true;
    }

    /**
     * Asks {@code leader}, the leader of {@code term}, for a read index.
     *
     * @param commitIndex this follower's own commit index, which only a broken rule would use
     * @return false, nothing sent, when no leader is known
     */
    boolean read(long id, long term, NodeId leader, long commitIndex) {
        if (leader == null) {
            return false;
        }
        if (config.broken(Canary.FOLLOWER_READ_WITHOUT_LEADER)) {
            output.readStates().add(new ReadState(id, commitIndex, true));
            return true;
        }
        pending.put(id, new Pending(leader, term, true, now));
        output.send(new ReadIndexRequest(self, leader, term, id));
        return true;
    }

    void answered(ForwardResponse response) {
        Pending request = take(response.id(), response.from(), response.term(), false);
        if (request != null) {
            output.forwardResults().add(response.firstIndex() > 0
                    ? new ForwardResult(response.id(), response.firstIndex(), response.term(),
                    ForwardResult.Outcome.APPENDED)
                    : new ForwardResult(response.id(), 0, 0, ForwardResult.Outcome.REFUSED));
        }
    }

    void answered(ReadIndexResponse response) {
        Pending request = take(response.id(), response.from(), response.term(), true);
        if (request != null) {
            boolean confirmed = response.index() > 0;
            output.readStates().add(new ReadState(response.id(), confirmed ? response.index() : -1, confirmed));
        }
    }

    private Pending take(long id, NodeId from, long term, boolean read) {
        Pending request = pending.get(id);
        if (request == null || request.read() != read || !request.leader().equals(from) || request.term() != term) {
            return null;
        }
        return pending.remove(id);
    }

    /** One tick passed: requests older than an election timeout end unanswered. */
    void tick() {
        now++;
        Iterator<Map.Entry<Long, Pending>> oldestFirst = pending.entrySet().iterator();
        while (oldestFirst.hasNext()) {
            Map.Entry<Long, Pending> entry = oldestFirst.next();
            if (now - entry.getValue().sentAt() < timeoutTicks) {
                return;
            }
            oldestFirst.remove();
            end(entry.getKey(), entry.getValue());
        }
    }

    /** Ticks until the oldest request times out; {@code Integer.MAX_VALUE} when none waits. */
    int ticksUntilTimeout() {
        if (pending.isEmpty()) {
            return Integer.MAX_VALUE;
        }
        return (int) Math.max(1, timeoutTicks - (now - pending.values().iterator().next().sentAt()));
    }

    /** The node now follows {@code leader} in {@code term} (or leads, or knows no leader): older requests end. */
    void leaderChanged(long term, NodeId leader) {
        if (pending.isEmpty()) {
            return;
        }
        Iterator<Map.Entry<Long, Pending>> all = pending.entrySet().iterator();
        while (all.hasNext()) {
            Map.Entry<Long, Pending> entry = all.next();
            Pending request = entry.getValue();
            if (request.term() != term || !request.leader().equals(leader)) {
                all.remove();
                end(entry.getKey(), request);
            }
        }
    }

    private void end(long id, Pending request) {
        if (request.read()) {
            output.readStates().add(new ReadState(id, -1, false));
        } else {
            output.forwardResults().add(new ForwardResult(id, 0, 0, ForwardResult.Outcome.UNKNOWN));
        }
    }
}
