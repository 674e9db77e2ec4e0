package io.clustermode.raft;

import io.clustermode.NodeId;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * The core's only majority arithmetic, after etcd's quorum package. Every decision that needs
 * "a majority of the voters" — commit (§5.3, §5.4.2), ReadIndex confirmation (thesis §6.4),
 * check-quorum (thesis §6.2) and elections (§5.2) — asks one question: what value have
 * {@code size} of the voters reached? Written once, a rule cannot count differently from the
 * others; the callers choose {@code size}, so a canary that breaks a count breaks it at the
 * decision it names.
 */
final class Quorum {

    /** Where a (pre-)campaign stands. */
    enum VoteResult {
        /** A quorum granted its vote. */
        WON,
        /** So many refused that the votes still missing cannot make a quorum. */
        LOST,
        /** Neither, yet. */
        PENDING
    }

    private static final long REFUSED = 0;
    private static final long UNANSWERED = 1;
    private static final long GRANTED = 2;

    private Quorum() {
    }

    /**
     * The largest value that at least {@code size} of {@code voters} have reached: the
     * {@code size}-th largest of their values. Values must not be negative; with fewer than
     * {@code size} voters the answer is 0, as if the missing ones had reached nothing.
     */
    static long agreed(Collection<NodeId> voters, int size, ToLongFunction<NodeId> valueOf) {
        if (size <= 0) {
            throw new IllegalArgumentException("a quorum of " + size);
        }
        long[] values = new long[Math.max(size, voters.size())];
        int i = 0;
        for (NodeId voter : voters) {
            long value = valueOf.applyAsLong(voter);
            if (value < 0) {
                throw new IllegalArgumentException(voter + " has a negative value " + value);
            }
            values[i++] = value;
        }
        Arrays.sort(values);
        return values[values.length - size];
    }

    /** Whether at least {@code size} of {@code voters} satisfy {@code test}. */
    static boolean reached(Collection<NodeId> voters, int size, Predicate<NodeId> test) {
        return agreed(voters, size, voter -> test.test(voter) ? 1 : 0) == 1;
    }

    /**
     * Where a campaign stands among {@code electorate}, given the answers in {@code votes}
     * (absent: no answer yet). Each voter counts as refused, unanswered or granted, in that
     * order: if {@code size} voters granted, the campaign is won; if not even {@code size}
     * voters reach "unanswered", too many refused for it ever to be won.
     */
    static VoteResult voteResult(Collection<NodeId> electorate, int size, Map<NodeId, Boolean> votes) {
        long agreed = agreed(electorate, size, voter -> {
            Boolean vote = votes.get(voter);
            return vote == null ? UNANSWERED : vote ? GRANTED : REFUSED;
        });
        return agreed == GRANTED ? VoteResult.WON : agreed == REFUSED ? VoteResult.LOST : VoteResult.PENDING;
    }
}
