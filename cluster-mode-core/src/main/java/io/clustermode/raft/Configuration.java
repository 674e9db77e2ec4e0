package io.clustermode.raft;

import io.clustermode.NodeId;
import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The members of a cluster: voters, who elect leaders and form majorities, and learners, who
 * receive the log but do not vote. A node is at most one of the two. Sets are sorted, so any
 * iteration over members is deterministic.
 *
 * <p>Configurations change one member at a time through the log (thesis §4.1, 4.2); see
 * {@link ConfigChange}.
 *
 * @param voters   the voting members
 * @param learners the non-voting members
 */
public record Configuration(SortedSet<NodeId> voters, SortedSet<NodeId> learners) {

    /** No members: the configuration of a node that has not joined a cluster yet. */
    public static final Configuration EMPTY = new Configuration(new TreeSet<>(), new TreeSet<>());

    public Configuration {
        voters = Collections.unmodifiableSortedSet(new TreeSet<>(Objects.requireNonNull(voters, "voters")));
        learners = Collections.unmodifiableSortedSet(new TreeSet<>(Objects.requireNonNull(learners, "learners")));
        for (NodeId learner : learners) {
            if (voters.contains(learner)) {
                throw new IllegalArgumentException(learner + " cannot be both a voter and a learner");
            }
        }
    }

    /** A configuration of voters only. */
    public static Configuration ofVoters(Collection<NodeId> voters) {
        return new Configuration(new TreeSet<>(voters), new TreeSet<>());
    }

    /** A configuration of voters only. */
    public static Configuration ofVoters(NodeId... voters) {
        return ofVoters(java.util.List.of(voters));
    }

    public boolean isVoter(NodeId node) {
        return voters.contains(node);
    }

    public boolean isLearner(NodeId node) {
        return learners.contains(node);
    }

    public boolean contains(NodeId node) {
        return isVoter(node) || isLearner(node);
    }

    /** Whether there are no members at all (a node that has not joined a cluster). */
    public boolean isEmpty() {
        return voters.isEmpty() && learners.isEmpty();
    }

    /** Voters and learners, in id order (a new set on every call). */
    public SortedSet<NodeId> members() {
        TreeSet<NodeId> all = new TreeSet<>(voters);
        all.addAll(learners);
        return Collections.unmodifiableSortedSet(all);
    }

    /** The number of votes that make a majority of the voters. */
    public int quorum() {
        return voters.size() / 2 + 1;
    }

    /**
     * The configuration after {@code change}.
     *
     * @throws IllegalArgumentException when the change does not fit this configuration
     */
    public Configuration apply(ConfigChange change) {
        NodeId node = change.node();
        TreeSet<NodeId> newVoters = new TreeSet<>(voters);
        TreeSet<NodeId> newLearners = new TreeSet<>(learners);
        switch (change.type()) {
            case ADD_LEARNER -> {
                if (contains(node)) {
                    throw new IllegalArgumentException(node + " is already a member");
                }
                newLearners.add(node);
            }
            case PROMOTE -> {
                if (!isLearner(node)) {
                    throw new IllegalArgumentException(node + " is not a learner");
                }
                newLearners.remove(node);
                newVoters.add(node);
            }
            case REMOVE -> {
                if (!contains(node)) {
                    throw new IllegalArgumentException(node + " is not a member");
                }
                if (isVoter(node) && voters.size() == 1) {
                    throw new IllegalArgumentException("cannot remove " + node + ", the last voter");
                }
                newVoters.remove(node);
                newLearners.remove(node);
            }
        }
        return new Configuration(newVoters, newLearners);
    }

    @Override
    public String toString() {
        return "voters=" + voters + (learners.isEmpty() ? "" : " learners=" + learners);
    }
}
