package io.clustermode;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How far each member's log matches the primary's, as the primary knows it at one moment: for
 * monitoring replication lag ({@link Cluster#replicationProgress()}). A member's match index
 * only grows while one primary leads; it is what the member acknowledged, so it may trail what
 * the member already holds by one round trip.
 *
 * @param primary      the primary these figures are from
 * @param term         its term
 * @param lastIndex    the last index of the primary's log
 * @param commitIndex  the highest index the primary knows is committed
 * @param matchIndexes every member (the primary itself at its {@code lastIndex}) to the highest
 *                     index known to match the primary's log (0 when nothing is known yet),
 *                     sorted by id
 * @param silence      every other member the primary has heard from (since this process started)
 *                     to how long ago it last did: a member that stopped answering shows here
 *                     long before discovery and the membership notice it; sorted by id
 */
public record ReplicationProgress(NodeId primary, long term, long lastIndex, long commitIndex,
                                  Map<NodeId, Long> matchIndexes, Map<NodeId, Duration> silence) {

    /** @throws NullPointerException when {@code primary}, {@code matchIndexes} or {@code silence} is null */
    public ReplicationProgress {
        Objects.requireNonNull(primary, "primary");
        matchIndexes = java.util.Collections.unmodifiableMap(new TreeMap<>(matchIndexes));
        silence = java.util.Collections.unmodifiableMap(new TreeMap<>(silence));
    }

    /**
     * How many entries of the primary's log {@code member} is not known to hold:
     * {@code lastIndex - matchIndex}; the whole log for a node that is not a member.
     */
    public long lag(NodeId member) {
        return Math.max(0, lastIndex - matchIndexes.getOrDefault(member, 0L));
    }
}
