package io.clustermode.faults;

import io.clustermode.linearizability.History;
import io.clustermode.linearizability.Operation;
import io.clustermode.linearizability.Outcome;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The cluster recovers: after every fault is healed, a primary appears and a write succeeds
 * within a bound (a few election timeouts). Also measures the time without a primary after a
 * heal, which a long run reports.
 */
public final class RecoveryChecker {

    private RecoveryChecker() {
    }

    /**
     * @param healNanos         when the last heal was done
     * @param firstOkWriteNanos when the first write acknowledged after it completed, if any
     * @param bound             how long recovery may take
     */
    public static CheckerResult check(long healNanos, Optional<Long> firstOkWriteNanos, Duration bound) {
        List<String> problems = new ArrayList<>();
        if (firstOkWriteNanos.isEmpty()) {
            problems.add("no write succeeded after the heal");
        } else {
            Duration took = Duration.ofNanos(firstOkWriteNanos.get() - healNanos);
            if (took.compareTo(bound) > 0) {
                problems.add("the first write after the heal succeeded after " + took.toMillis() + " ms, more than "
                        + bound.toMillis() + " ms");
            }
        }
        return CheckerResult.of("recovers within " + bound.toMillis() + " ms", problems);
    }

    /** As above, taking the first write invoked after the heal and acknowledged from the history. */
    public static CheckerResult check(long healNanos, History history, Duration bound) {
        return check(healNanos, firstAcknowledgedWriteAfter(healNanos, history), bound);
    }

    /** The completion time of the first write invoked at or after {@code nanos} that was acknowledged. */
    public static Optional<Long> firstAcknowledgedWriteAfter(long nanos, History history) {
        Optional<Long> first = Optional.empty();
        for (Operation op : history.operations()) {
            if (op.kind().isWrite() && op.outcome() == Outcome.OK && op.invokeNanos() >= nanos
                    && (first.isEmpty() || op.completeNanos() < first.get())) {
                first = Optional.of(op.completeNanos());
            }
        }
        return first;
    }

    /**
     * How long after {@code healNanos} the first sample saying PRIMARY came: the time without
     * a primary after a heal, as far as polling can see. Empty when no sample did.
     */
    public static Optional<Duration> timeWithoutPrimary(long healNanos, Collection<InfoSample> samples) {
        Optional<Duration> first = Optional.empty();
        for (InfoSample s : samples) {
            if (s.isPrimary() && s.atNanos() >= healNanos) {
                Duration d = Duration.ofNanos(s.atNanos() - healNanos);
                if (first.isEmpty() || d.compareTo(first.get()) < 0) {
                    first = Optional.of(d);
                }
            }
        }
        return first;
    }
}
