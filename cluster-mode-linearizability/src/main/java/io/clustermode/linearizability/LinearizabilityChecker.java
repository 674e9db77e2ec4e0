package io.clustermode.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks that a history of a key-value store is linearizable, each key being a register with
 * put, get, compare-and-set and delete, all keys starting absent (or at a given value).
 *
 * <p>Linearizability is compositional (Herlihy &amp; Wing), so each key is checked on its own,
 * which keeps the exponential part of the search small. Each key's search is bounded by a
 * node budget: past it the key is {@link Verdict#UNDECIDED}, never a hang. See
 * {@code RegisterSearch} for the algorithm and how unknown outcomes are treated.
 */
public final class LinearizabilityChecker {

    /**
     * Default search budget per key: on a 2-core machine, about 10 s at worst. The memo's
     * memory bounds it further for long histories on one key (384 MB of bitsets at most).
     */
    public static final long DEFAULT_NODE_BUDGET = 1_000_000;

    private final long nodeBudget;
    private final String initialValue;

    /** A checker with the default budget; keys start absent. */
    public LinearizabilityChecker() {
        this(DEFAULT_NODE_BUDGET, null);
    }

    private LinearizabilityChecker(long nodeBudget, String initialValue) {
        if (nodeBudget <= 0) {
            throw new IllegalArgumentException("node budget must be positive");
        }
        this.nodeBudget = nodeBudget;
        this.initialValue = initialValue;
    }

    /** The same checker with another search budget per key. */
    public LinearizabilityChecker withNodeBudget(long budget) {
        return new LinearizabilityChecker(budget, initialValue);
    }

    /** The same checker with every key starting at {@code value} ({@code null}: absent). */
    public LinearizabilityChecker withInitialValue(String value) {
        return new LinearizabilityChecker(nodeBudget, value);
    }

    /** Checks every key of the history. */
    public LinearizabilityResult check(History history) {
        List<KeyResult> results = new ArrayList<>();
        for (Map.Entry<String, List<Operation>> key : history.byKey().entrySet()) {
            results.add(new RegisterSearch(key.getKey(), key.getValue(), initialValue).run(nodeBudget));
        }
        return new LinearizabilityResult(results);
    }

    /** The verdict over all keys, and each key's. */
    public static final class LinearizabilityResult {
        private final List<KeyResult> keys;

        LinearizabilityResult(List<KeyResult> keys) {
            this.keys = List.copyOf(keys);
        }

        /** VIOLATION if any key has one, else UNDECIDED if any key is, else LINEARIZABLE. */
        public Verdict verdict() {
            Verdict v = Verdict.LINEARIZABLE;
            for (KeyResult k : keys) {
                if (k.verdict() == Verdict.VIOLATION) {
                    return Verdict.VIOLATION;
                }
                if (k.verdict() == Verdict.UNDECIDED) {
                    v = Verdict.UNDECIDED;
                }
            }
            return v;
        }

        public List<KeyResult> keys() {
            return keys;
        }

        /** The violations found, one per violating key. */
        public List<Violation> violations() {
            List<Violation> out = new ArrayList<>();
            for (KeyResult k : keys) {
                if (k.violation() != null) {
                    out.add(k.violation());
                }
            }
            return out;
        }

        /** A report: the verdict, then a line per key, with each violation's window. */
        public String describe() {
            StringBuilder out = new StringBuilder("linearizability: ").append(verdict()).append('\n');
            for (KeyResult k : keys) {
                out.append("  ").append(k.key()).append(": ").append(k.verdict())
                        .append(" (").append(k.operations()).append(" ops, ").append(k.searchNodes()).append(" search nodes)");
                if (k.undecidedReason() != null) {
                    out.append(": ").append(k.undecidedReason());
                }
                out.append('\n');
                if (k.violation() != null) {
                    out.append(k.violation().describe().indent(4));
                }
            }
            return out.toString();
        }
    }
}
