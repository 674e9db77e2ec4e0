package io.clustermode.faults;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Election safety, seen from outside: in any one term at most one node ever says it is the
 * primary. Polls miss short-lived primaries, so this can only find violations, never prove
 * their absence; but two primaries seen in one term are certainly one too many (Raft's
 * election safety), whatever the timing of the samples.
 */
public final class PrimaryPerTermChecker {

    private PrimaryPerTermChecker() {
    }

    /** Checks every sample polled during a run, in any order. */
    public static CheckerResult check(Collection<InfoSample> samples) {
        Map<Long, Set<String>> primaries = new TreeMap<>();
        for (InfoSample s : samples) {
            if (s.isPrimary()) {
                primaries.computeIfAbsent(s.term(), t -> new TreeSet<>()).add(s.nodeId());
            }
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<Long, Set<String>> term : primaries.entrySet()) {
            if (term.getValue().size() > 1) {
                problems.add("term " + term.getKey() + " had " + term.getValue().size() + " primaries: "
                        + String.join(", ", term.getValue()));
            }
        }
        return CheckerResult.of("at most one primary per term", problems);
    }
}
