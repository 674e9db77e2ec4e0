package io.clustermode.raft;

import io.clustermode.NodeId;
import io.clustermode.raft.Message.ReadIndexResponse;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A leader's linearizable reads (thesis §6.4), its own and those its followers asked for
 * (§6.4.1), and the heartbeat rounds that confirm them. A read is answered at the commit index
 * it saw when it arrived, once a majority has answered a heartbeat round sent after it arrived;
 * reads that arrive before the leader committed an entry of its own term wait for that first,
 * since only then is its commit index known to be current. A follower's read is answered with
 * a {@link ReadIndexResponse}; the follower then waits until it has applied that index itself.
 * When the asking follower and the leader make a majority (three voters), the follower's
 * request serves as its answer to the round and none is sent ({@link #completesQuorum}).
 */
final class ReadIndexQueue {

    /** One read; {@code requester} is null for the leader's own. */
    private record Pending(long requestId, NodeId requester, long index, long sequence) {
    }

    private final NodeId self;
    private final RaftConfig config;
    private final RaftLog log;
    private final ProgressTracker tracker;
    private final Replication replication;
    private final Output output;
    private final ArrayDeque<Pending> awaitingTermCommit = new ArrayDeque<>();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** The last heartbeat round begun; rounds start at 1, so a round of 0 confirms nothing. */
    private long sequence;

    ReadIndexQueue(NodeId self, RaftConfig config, RaftLog log, ProgressTracker tracker, Replication replication,
                   Output output) {
        this.self = self;
        this.config = config;
        this.log = log;
        this.tracker = tracker;
        this.replication = replication;
        this.output = output;
    }

    /** The last heartbeat round begun: heartbeats carry it, and no answer may name a later one. */
    long sequence() {
        return sequence;
    }

    /** A follower asks for a read index: started when this node leads {@code term}, else refused. */
    void requested(Message.ReadIndexRequest request, boolean leading, long term, Configuration configuration) {
        if (leading) {
            start(request.id(), request.from(), term, configuration);
        } else {
            output.send(new ReadIndexResponse(self, request.from(), term, request.id(), 0));
        }
    }

    /** The leader of {@code term} starts a read: its own ({@code requester} null) or a follower's. */
    void start(long requestId, NodeId requester, long term, Configuration configuration) {
        if (config.broken(Canary.READ_WITHOUT_QUORUM)) {
            answer(new Pending(requestId, requester, log.commitIndex(), 0), term, true);
            return;
        }
        if (log.term(log.commitIndex()) != term) {
            // Until an entry of its own term is committed, a new leader's commit index may be
            // behind what earlier leaders committed.
            awaitingTermCommit.add(new Pending(requestId, requester, 0, 0));
            return;
        }
        if (requester != null && completesQuorum(requester, configuration)) {
            // The follower's request counts as its answer to a round begun after its reads
            // arrived; with this leader's own, that is a majority: answered without a round.
            answer(new Pending(requestId, requester, log.commitIndex(), 0), term, true);
            return;
        }
        pending.add(new Pending(requestId, requester, log.commitIndex(), ++sequence));
        confirm(term, configuration);
        replication.heartbeatForRound(term, sequence, configuration);
    }

    /**
     * Whether this leader and {@code requester}, a voter that asked for a read index in this
     * term, make a majority of the voters (three voters: yes; five: no).
     *
     * <p>Why their word is enough: the requester sent its request in this leader's term after
     * the reads it asks for had arrived, and this leader still leads the term now. A write
     * acknowledged before those reads began was committed either in a term up to this one —
     * then this leader's commit index covers it (it has committed an entry of its own term,
     * see {@link #start}) — or in a later term, by a majority that had moved past this term
     * before the reads began. Any majority meets these two nodes, and neither had moved past
     * this term then: the requester was still in it when it sent, and this leader is in it
     * now (terms never go back). So no such later write exists, as a heartbeat round would
     * show, one round trip later and with a message to every follower. The same intersection
     * argument as the round's (thesis §6.4), with the request as one of the answers.
     */
    private boolean completesQuorum(NodeId requester, Configuration configuration) {
        if (!configuration.isVoter(requester)) {
            return false;
        }
        return Quorum.reached(configuration.voters(), configuration.quorum(),
                voter -> voter.equals(self) || voter.equals(requester));
    }

    /** The leader of {@code term} committed: reads that waited for the term's first commit start. */
    void committed(long term, Configuration configuration) {
        if (awaitingTermCommit.isEmpty() || log.term(log.commitIndex()) != term) {
            return;
        }
        sequence++;
        while (!awaitingTermCommit.isEmpty()) {
            Pending read = awaitingTermCommit.poll();
            pending.add(new Pending(read.requestId(), read.requester(), log.commitIndex(), sequence));
        }
        confirm(term, configuration);
        replication.broadcastHeartbeat(term, sequence);
    }

    /** Answers every read whose round a majority of the voters has answered. */
    void confirm(long term, Configuration configuration) {
        if (pending.isEmpty()) {
            return; // most heartbeat answers: nothing to confirm, no quorum to compute
        }
        long quorumSequence = tracker.confirmedRound(configuration, sequence);
        while (!pending.isEmpty() && pending.peekFirst().sequence() <= quorumSequence) {
            answer(pending.poll(), term, true);
        }
    }

    /** Leadership of {@code term} is gone: every waiting read fails. */
    void failAll(long term) {
        List<Pending> all = new ArrayList<>(awaitingTermCommit);
        all.addAll(pending);
        awaitingTermCommit.clear();
        pending.clear();
        all.forEach(read -> answer(read, term, false));
    }

    private void answer(Pending read, long term, boolean confirmed) {
        if (read.requester() == null) {
            output.readStates().add(new ReadState(read.requestId(), confirmed ? read.index() : -1, confirmed));
        } else {
            output.send(new ReadIndexResponse(self, read.requester(), term, read.requestId(),
                    confirmed ? read.index() : 0));
        }
    }
}
