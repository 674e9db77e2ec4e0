package io.clustermode.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The checker against the definition itself: on small random histories — most of them not
 * linearizable, values repeated, every outcome — it must agree with a brute-force search over
 * every subset of unknown writes and every order. This is what shows the search's reductions
 * of unknown writes are sound and complete.
 */
class BruteForceComparisonTest {

    private static final String[] VALUES = {"a", "b", "c"};

    @Test
    void the_checker_agrees_with_brute_force_on_thousands_of_small_random_histories() {
        int linearizable = 0;
        int total = 4000;
        for (int seed = 0; seed < total; seed++) {
            Random random = new Random(seed);
            List<Operation> ops = randomHistory(random, 2 + random.nextInt(6));
            boolean expected = bruteForce(ops);
            Verdict verdict = new LinearizabilityChecker().check(new History(ops)).verdict();
            assertThat(verdict).as("seed %d\n%s", seed, new History(ops).toText())
                    .isEqualTo(expected ? Verdict.LINEARIZABLE : Verdict.VIOLATION);
            linearizable += expected ? 1 : 0;
        }
        // Both answers must be common, or the comparison proves little.
        assertThat(linearizable).isBetween(total / 5, total * 4 / 5);
    }

    private static List<Operation> randomHistory(Random random, int n) {
        List<Operation> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long invoke = random.nextInt(20);
            long complete = invoke + random.nextInt(10);
            int k = random.nextInt(10);
            OpKind kind = k < 3 ? OpKind.PUT : k < 6 ? OpKind.GET : k < 9 ? OpKind.CAS : OpKind.DELETE;
            int o = random.nextInt(10);
            Outcome outcome = o < 6 ? Outcome.OK : o < 8 ? Outcome.UNKNOWN : Outcome.FAILED;
            String value = kind == OpKind.DELETE ? null
                    : kind == OpKind.GET && random.nextInt(4) == 0 ? null : VALUES[random.nextInt(VALUES.length)];
            if (kind == OpKind.GET && outcome != Outcome.OK) {
                value = null;
            }
            String expected = kind == OpKind.CAS ? VALUES[random.nextInt(VALUES.length)] : null;
            ops.add(new Operation(i, i, "k", kind, value, expected, outcome, invoke, complete));
        }
        return ops;
    }

    /** Is there a subset of the unknown writes and an order of them plus the ok operations that works? */
    static boolean bruteForce(List<Operation> all) {
        List<Operation> required = new ArrayList<>();
        List<Operation> optional = new ArrayList<>();
        for (Operation op : all) {
            if (op.outcome() == Outcome.OK) {
                required.add(op);
            } else if (op.outcome() == Outcome.UNKNOWN && op.kind().isWrite()) {
                optional.add(op);
            }
        }
        for (int mask = 0; mask < 1 << optional.size(); mask++) {
            List<Operation> chosen = new ArrayList<>(required);
            for (int i = 0; i < optional.size(); i++) {
                if ((mask & 1 << i) != 0) {
                    chosen.add(optional.get(i));
                }
            }
            if (permute(chosen, new ArrayList<>(), new boolean[chosen.size()])) {
                return true;
            }
        }
        return false;
    }

    private static boolean permute(List<Operation> ops, List<Operation> order, boolean[] used) {
        if (order.size() == ops.size()) {
            return valid(order);
        }
        for (int i = 0; i < ops.size(); i++) {
            if (!used[i]) {
                used[i] = true;
                order.add(ops.get(i));
                if (respectsRealTime(order) && permute(ops, order, used)) {
                    return true;
                }
                order.remove(order.size() - 1);
                used[i] = false;
            }
        }
        return false;
    }

    /** The last one placed may not have been invoked after an earlier-placed one's... reverse: no op placed before it may start after it completed. */
    private static boolean respectsRealTime(List<Operation> order) {
        Operation last = order.get(order.size() - 1);
        for (Operation earlier : order) {
            if (earlier != last && completion(last) < earlier.invokeNanos()) {
                return false;
            }
        }
        return true;
    }

    private static long completion(Operation op) {
        return op.outcome() == Outcome.UNKNOWN ? Long.MAX_VALUE : op.completeNanos();
    }

    private static boolean valid(List<Operation> order) {
        String state = null;
        for (Operation op : order) {
            switch (op.kind()) {
                case PUT:
                    state = op.value();
                    break;
                case GET:
                    if (!Objects.equals(state, op.value())) {
                        return false;
                    }
                    break;
                case CAS:
                    if (!Objects.equals(state, op.expected())) {
                        return false;
                    }
                    state = op.value();
                    break;
                default:
                    state = null;
            }
        }
        return true;
    }
}
