package io.clustermode.faults;

import io.clustermode.linearizability.Verdict;

import java.util.List;

/**
 * The verdict of one of the simple checkers, with a line per problem found.
 *
 * @param checker  which checker
 * @param verdict  {@link Verdict#LINEARIZABLE} stands for "holds"
 * @param problems one line per problem; empty when it holds
 */
public record CheckerResult(String checker, Verdict verdict, List<String> problems) {

    static CheckerResult of(String checker, List<String> problems) {
        return new CheckerResult(checker, problems.isEmpty() ? Verdict.LINEARIZABLE : Verdict.VIOLATION,
                List.copyOf(problems));
    }

    /** Whether the property held. */
    public boolean holds() {
        return verdict == Verdict.LINEARIZABLE;
    }

    /** One line: the checker, ok or the number of problems, and the first problem. */
    public String summary() {
        return checker + ": " + (holds() ? "ok" : problems.size() + " problem(s); first: " + problems.get(0));
    }
}
