package io.clustermode.membership;

import io.clustermode.raft.ConfigChange;
import io.clustermode.raft.Configuration;
import io.clustermode.NodeId;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The primary's membership rules, as a pure decision: given the configuration, what discovery
 * names now and how long ago each member was heard from, the one change to make next, if any.
 * Time is whatever unit the caller uses ({@code now}, the grace period and the ages must agree):
 * nanoseconds in the cluster, simulated time units in the simulation.
 *
 * <p>In order: <b>remove</b> a member missing from discovery <em>and</em> not heard from for the
 * grace period; <b>add</b> a discovered node as a learner unless {@code maxNodes} members are
 * reached, and after the discovered ones a <em>contact</em> (a node that reached a member through
 * its own discovery, asked to be added, and was found at the address it gave) under the same
 * rule; <b>promote</b> a learner heard from within {@code liveWithin} while there are fewer
 * voters than wanted ({@code voters} capped by the member count, rounded down to odd).
 *
 * <p>A member that came in as a contact is removed like any other: when it is missing from
 * discovery (which, not being discovered, it always is once it no longer asks) <em>and</em> has
 * not been heard from for the grace period. A live member answers the primary's heartbeats, so
 * it is never removed, whichever way it came in.
 *
 * <p>Not thread-safe: one membership thread owns it. Not an application API.
 */
public final class MembershipPolicy {

    private final NodeId self;
    private final int voters;
    private final int maxNodes;
    private final long removalGrace;
    private final long liveWithin;
    private final Map<NodeId, Long> missingSince = new HashMap<>();

    /**
     * @param voters       how many voters are wanted at most
     * @param maxNodes     members beyond this are refused
     * @param removalGrace how long a member must be missing and silent before removal
     * @param liveWithin   a learner heard from within this is live enough to promote
     */
    public MembershipPolicy(NodeId self, int voters, int maxNodes, long removalGrace, long liveWithin) {
        this.self = self;
        this.voters = voters;
        this.maxNodes = maxNodes;
        this.removalGrace = removalGrace;
        this.liveWithin = liveWithin;
    }

    /**
     * The next change, if any.
     *
     * @param configuration the configuration in effect
     * @param discovered    the nodes discovery names now; null when discovery failed (then
     *                      nothing is added or removed)
     * @param now           the current time
     * @param age           how long ago a node was heard from; empty when never
     * @param refused       told about a node refused because {@code maxNodes} members are reached
     */
    public Optional<ConfigChange> next(Configuration configuration, Set<NodeId> discovered, long now,
                                       Function<NodeId, OptionalLong> age, Consumer<NodeId> refused) {
        return next(configuration, discovered, Set.of(), now, age, refused);
    }

    /**
     * The next change, if any, with contacts besides discovery.
     *
     * @param configuration the configuration in effect
     * @param discovered    the nodes discovery names now; null when discovery failed (then
     *                      nothing is removed, and only contacts are added)
     * @param contacts      nodes that asked to be added and were found at the address they gave
     *                      (see {@link JoinCandidates}); added after the discovered ones
     * @param now           the current time
     * @param age           how long ago a node was heard from; empty when never
     * @param refused       told about a node refused because {@code maxNodes} members are reached
     */
    public Optional<ConfigChange> next(Configuration configuration, Set<NodeId> discovered, Set<NodeId> contacts,
                                       long now, Function<NodeId, OptionalLong> age, Consumer<NodeId> refused) {
        return removal(configuration, discovered, contacts, now, age)
                .or(() -> addition(configuration, discovered, refused))
                .or(() -> addition(configuration, contacts, refused))
                .or(() -> promotion(configuration, age));
    }

    private Optional<ConfigChange> removal(Configuration configuration, Set<NodeId> discovered, Set<NodeId> contacts,
                                           long now, Function<NodeId, OptionalLong> age) {
        if (discovered == null) {
            return Optional.empty(); // a failed lookup must not read as "everybody left"
        }
        missingSince.keySet().removeIf(id -> !configuration.contains(id) || discovered.contains(id)
                || contacts.contains(id));
        for (NodeId member : configuration.members()) {
            if (member.equals(self) || discovered.contains(member) || contacts.contains(member)) {
                continue;
            }
            long since = missingSince.computeIfAbsent(member, id -> now);
            OptionalLong heard = age.apply(member);
            boolean silent = heard.isEmpty() || heard.getAsLong() >= removalGrace;
            if (now - since >= removalGrace && silent) {
                return Optional.of(ConfigChange.remove(member));
            }
        }
        return Optional.empty();
    }

    private Optional<ConfigChange> addition(Configuration configuration, Set<NodeId> discovered,
                                            Consumer<NodeId> refused) {
        if (discovered == null) {
            return Optional.empty();
        }
        for (NodeId candidate : discovered) {
            if (candidate.equals(self) || configuration.contains(candidate)) {
                continue;
            }
            if (configuration.members().size() >= maxNodes) {
                refused.accept(candidate);
                return Optional.empty();
            }
            return Optional.of(ConfigChange.addLearner(candidate));
        }
        return Optional.empty();
    }

    /** Whether the configuration has fewer voters than wanted and a learner that could fill the gap. */
    public boolean promotionWanted(Configuration configuration) {
        return !configuration.learners().isEmpty() && configuration.voters().size() < wantedVoters(configuration);
    }

    private int wantedVoters(Configuration configuration) {
        int wanted = Math.min(voters, configuration.members().size());
        if (wanted % 2 == 0) {
            wanted--; // an odd count tolerates as many failures as the even count above it
        }
        return Math.max(1, wanted);
    }

    private Optional<ConfigChange> promotion(Configuration configuration, Function<NodeId, OptionalLong> age) {
        if (configuration.voters().size() >= wantedVoters(configuration)) {
            return Optional.empty();
        }
        for (NodeId learner : configuration.learners()) {
            OptionalLong heard = age.apply(learner);
            if (heard.isPresent() && heard.getAsLong() < liveWithin) {
                return Optional.of(ConfigChange.promote(learner));
            }
        }
        return Optional.empty();
    }
}
