package io.clustermode.raft;

import io.clustermode.NodeId;
import io.clustermode.raft.Message.VoteRequest;
import io.clustermode.raft.Message.VoteResponse;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Leader election as one node takes part in it: the election timer and the lease it gives a
 * leader (§5.2, thesis §4.2.3), the vote rule (§5.2, §5.4.1) with pre-vote (thesis §9.6), the
 * pre-votes a follower defers while its leader's lease holds, and the count of a campaign's
 * votes. Term, vote and role stay the core's: this class decides and keeps its own books, the
 * core changes state.
 */
final class Elections {

    private final NodeId self;
    private final RaftConfig config;
    private final Random random;
    private final RaftLog log;

    /**
     * Ticks since the leader was last heard from, a vote was granted or a campaign began; for a
     * leader, since its last lease round.
     */
    private int elapsed;
    /** §5.2: the ticks of silence after which this node campaigns, drawn anew at random. */
    private int timeout;
    /**
     * Ticks since a leader was last heard from or a vote granted. Unlike {@link #elapsed}, a new
     * term does not reset it: other nodes' failed campaigns are no leader, and must not keep an
     * unhealthy node that is the only one able to win from ever campaigning.
     */
    private int silent;
    /**
     * Whether this node is unhealthy: then it campaigns only once {@link #silent} reaches three
     * timeouts, so that healthy nodes win first and a cluster of only unhealthy nodes still
     * elects one of them.
     */
    private boolean slowly;
    /** Votes received in the current (pre-)campaign. */
    private final Map<NodeId, Boolean> votes = new TreeMap<>();
    /**
     * Pre-votes a follower ignored while its leader's lease held (thesis §4.2.3), answered if the
     * lease ends in silence: by a reset hint or by an election timeout without word from the
     * leader. Without this, a pre-candidate that asked a moment before the others noticed the
     * same dead leader waits a whole election timeout for its next try.
     */
    private final Map<NodeId, VoteRequest> deferredPreVotes = new TreeMap<>();

    Elections(NodeId self, RaftConfig config, Random random, RaftLog log) {
        this.self = self;
        this.config = config;
        this.random = random;
        this.log = log;
        newTimeout();
    }

    // ------------------------------------------------------------------ the timer and the lease

    /**
     * §5.2: a timeout in [electionTicks, 2·electionTicks), at random, so that nodes seldom
     * campaign at once and split the vote. The only draw from the core's {@link Random}.
     */
    void newTimeout() {
        timeout = config.electionTicks() + random.nextInt(config.electionTicks());
    }

    /** The leader was heard from, a vote granted or a term begun: the silence starts over. */
    void resetTimer() {
        elapsed = 0;
        silent = 0;
    }

    /**
     * A new term or leader: the silence starts over and lasts a new random timeout; any campaign
     * is over. The silence an unhealthy node counts goes on (see {@link #silent}).
     */
    void restart() {
        elapsed = 0;
        newTimeout();
        votes.clear();
    }

    /** Campaign after {@code ticks} more ticks, instead of a whole timeout. */
    void timeOutIn(int ticks) {
        elapsed = Math.max(0, timeout - ticks);
    }

    /**
     * Thesis §4.2.3: whether this node heard from {@code leader} within an election timeout.
     * While it did, it ignores vote requests, so a removed or partitioned node cannot depose a
     * healthy leader.
     */
    boolean inLease(NodeId leader) {
        return leader != null && elapsed < config.electionTicks();
    }

    /** One tick for a node that does not lead. */
    void tick() {
        elapsed++;
        if (silent < Integer.MAX_VALUE) {
            silent++;
        }
    }

    /** Whether the leader's lease ended with the last tick. */
    boolean leaseEndedNow() {
        return elapsed == config.electionTicks();
    }

    /** An unhealthy node campaigns only after three timeouts of silence; a healthy one after one. */
    void campaignSlowly(boolean slowly) {
        this.slowly = slowly;
    }

    /** Whether the timeout has passed; if so, the timer starts over with a new random timeout. */
    boolean timedOut() {
        if (elapsed < timeout || (slowly && silent < 3 * timeout)) {
            return false;
        }
        elapsed = 0;
        newTimeout();
        return true;
    }

    /**
     * One tick for a leader: whether a lease round ends with it. Every election timeout the
     * leader renews its own partition lease if it still has a quorum; check-quorum itself is
     * {@code RaftCore.lostQuorum}, a sliding window.
     */
    boolean tickLeader() {
        if (++elapsed < config.electionTicks()) {
            return false;
        }
        elapsed = 0;
        return true;
    }

    /** For a leader: the ticks until its next lease round ends. */
    int ticksUntilLeaseRound() {
        return config.electionTicks() - elapsed;
    }

    /** For a node that does not lead: the ticks until it campaigns, or its leader's lease ends with pre-votes deferred. */
    int ticksUntilTimeout() {
        int ticks = timeout - elapsed;
        if (slowly) {
            ticks = Math.max(ticks, 3 * timeout - silent);
        }
        if (!deferredPreVotes.isEmpty() && elapsed < config.electionTicks()) {
            ticks = Math.min(ticks, config.electionTicks() - elapsed);
        }
        return ticks;
    }

    /**
     * The leader {@code gone} is probably dead, and every voter saw it at about the same moment.
     * Random delays collide often enough (two candidates in one term split the vote and cost a
     * whole election timeout), so the survivors take turns by rank instead: the first campaigns
     * after a tick, each next one a tenth of the election timeout later, by which time it has
     * normally voted for the first and reset its timer.
     */
    void takeTurnAfter(NodeId gone, Configuration configuration) {
        int rank = 0;
        for (NodeId voter : configuration.voters()) {
            if (!voter.equals(gone) && voter.compareTo(self) < 0) {
                rank++;
            }
        }
        int spacing = Math.max(1, config.electionTicks() / 10);
        timeOutIn(1 + rank * spacing);
    }

    // ------------------------------------------------------------------ deferred pre-votes

    void defer(VoteRequest preVote) {
        deferredPreVotes.put(preVote.from(), preVote);
    }

    /** The leader is alive: its lease goes on, and the pre-votes deferred under it stay unanswered. */
    void leaderHeard() {
        resetTimer();
        deferredPreVotes.clear();
    }

    /** The deferred pre-votes, to be answered now; none are kept. */
    List<VoteRequest> takeDeferredPreVotes() {
        List<VoteRequest> waiting = new ArrayList<>(deferredPreVotes.values());
        deferredPreVotes.clear();
        return waiting;
    }

    // ------------------------------------------------------------------ campaigning

    /**
     * Whether this node may start an election: it votes in its latest configuration, or it
     * voted in the one before and the change that removed it is not committed yet. Thesis
     * §4.2.2: such a node "might still be needed until the new configuration is committed";
     * it campaigns, but does not count its own vote.
     */
    boolean promotable(Configuration configuration, long configurationIndex) {
        if (configuration.isVoter(self)) {
            return true;
        }
        return configurationIndex > log.commitIndex()
                && log.configurationAt(configurationIndex - 1).isVoter(self);
    }

    /**
     * A (pre-)campaign for {@code campaignTerm} begins: this node votes for itself and answers
     * requests as they come. Returns the vote requests to send, one to every other voter.
     */
    List<VoteRequest> campaign(Configuration configuration, long campaignTerm, boolean preVote, boolean transfer) {
        deferredPreVotes.clear();
        votes.clear();
        votes.put(self, true);
        List<VoteRequest> requests = new ArrayList<>();
        for (NodeId voter : electorate(configuration)) {
            if (!voter.equals(self)) {
                requests.add(new VoteRequest(self, voter, campaignTerm, log.lastIndex(), log.lastTerm(), preVote,
                        transfer));
            }
        }
        return requests;
    }

    /** Counts {@code response}, an answer to this node's current campaign. */
    Quorum.VoteResult count(VoteResponse response, Configuration configuration) {
        votes.put(response.from(), response.granted());
        return result(configuration);
    }

    /** §5.2: a majority of the voters elects; the learner-votes canary lets learners into the count. */
    Quorum.VoteResult result(Configuration configuration) {
        return Quorum.voteResult(electorate(configuration), configuration.quorum(), votes);
    }

    private Collection<NodeId> electorate(Configuration configuration) {
        return config.broken(Canary.LEARNER_VOTES) ? configuration.members() : configuration.voters();
    }

    // ------------------------------------------------------------------ voting

    /**
     * This node's answer to {@code request}, in {@code term}, having voted for {@code votedFor}
     * (null when for nobody) and following {@code leader} (null when none) as {@code role}.
     * When the vote is granted, the caller records it as this node's vote for the term.
     */
    VoteResponse answer(VoteRequest request, long term, NodeId votedFor, NodeId leader, Role role) {
        // §5.2: at most one vote per term, first come first served; a pre-vote binds nothing.
        boolean canVote = request.from().equals(votedFor)
                || (votedFor == null && leader == null)
                || (request.preVote() && request.term() > term && yieldsTo(request, role))
                || (!request.preVote() && config.broken(Canary.VOTE_TWICE));
        // §5.4.1: only for a candidate whose log holds everything this one has.
        boolean granted = canVote && (log.isUpToDate(request.lastLogIndex(), request.lastLogTerm())
                || config.broken(Canary.IGNORE_LOG_IN_VOTE));
        if (granted && !request.preVote()) {
            resetTimer(); // §5.2: granting a vote resets the election timer
        } else if (granted && role == Role.FOLLOWER) {
            // A follower about to campaign that backs another's pre-vote gives it a moment to
            // win its real election first; both campaigning would split the vote. The timeout
            // moves, not the elapsed time: that would put the follower back under the old
            // leader's lease, and it would ignore the very election it backed.
            int backoff = Math.max(2, config.electionTicks() / 5);
            timeout = Math.max(timeout, elapsed + backoff);
        }
        long answerTerm = granted && request.preVote() ? request.term() : term;
        return new VoteResponse(self, request.from(), answerTerm, request.preVote(), granted);
    }

    /**
     * Whether a pre-vote may go to {@code request}'s sender. Two pre-candidates that grant each
     * other's pre-vote both go on to a real election in the same term and split the vote;
     * between two pre-candidates only the one with the better log, or the smaller id on equal
     * logs, gets the other's pre-vote. A pre-vote binds nothing, so this is about liveness
     * only; the other voters still answer both.
     */
    private boolean yieldsTo(VoteRequest request, Role role) {
        if (role != Role.PRE_CANDIDATE) {
            return true;
        }
        boolean sameLog = request.lastLogTerm() == log.lastTerm() && request.lastLogIndex() == log.lastIndex();
        return !sameLog || request.from().compareTo(self) < 0;
    }
}
