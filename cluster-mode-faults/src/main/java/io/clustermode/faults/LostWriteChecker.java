package io.clustermode.faults;

import io.clustermode.linearizability.History;
import io.clustermode.linearizability.Operation;
import io.clustermode.linearizability.Outcome;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * No acknowledged write is lost: after the faults are healed and every operation has ended,
 * each key is read once more, and the value found must be the value of some write that could
 * be the last one — an acknowledged or unknown write (put, successful CAS, delete) not
 * followed in real time by an acknowledged write (one invoked after it completed). A
 * never-written key may also read as absent, its initial state.
 *
 * <p>The linearizability checker would find this too if the final reads were added to the
 * history; this checker says it in the terms an operator asks about ("which write was lost?")
 * and works even when the full search is undecided.
 */
public final class LostWriteChecker {

    private LostWriteChecker() {
    }

    /**
     * @param history     the workload's history
     * @param finalValues every key's value read after healing; a {@code null} value: absent
     */
    public static CheckerResult check(History history, Map<String, String> finalValues) {
        Map<String, List<Operation>> byKey = history.byKey();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> fin : finalValues.entrySet()) {
            List<Operation> ops = byKey.getOrDefault(fin.getKey(), List.of());
            List<Operation> writes = new ArrayList<>();
            long lastAckInvoke = Long.MIN_VALUE;
            for (Operation op : ops) {
                if (op.kind().isWrite() && op.outcome() != Outcome.FAILED) {
                    writes.add(op);
                    if (op.outcome() == Outcome.OK) {
                        lastAckInvoke = Math.max(lastAckInvoke, op.invokeNanos());
                    }
                }
            }
            boolean initialCouldBeLast = lastAckInvoke == Long.MIN_VALUE;
            if (fin.getValue() == null && initialCouldBeLast) {
                continue;
            }
            List<Operation> couldBeLast = new ArrayList<>();
            boolean explained = false;
            for (Operation w : writes) {
                // An unknown write may take effect at any time, so it can always be last.
                boolean last = w.outcome() == Outcome.UNKNOWN || w.completeNanos() >= lastAckInvoke;
                if (last) {
                    couldBeLast.add(w);
                    explained |= Objects.equals(w.value(), fin.getValue());
                }
            }
            if (!explained) {
                List<String> acked = new ArrayList<>();
                for (Operation w : couldBeLast) {
                    if (w.outcome() == Outcome.OK) {
                        acked.add(w.describe());
                    }
                }
                problems.add("key " + fin.getKey() + " reads " + (fin.getValue() == null ? "absent" : fin.getValue())
                        + " after healing, but the last write must be one of " + couldBeLast.size()
                        + " (acknowledged: " + String.join("; ", acked) + ")");
            }
        }
        return CheckerResult.of("no acknowledged write lost", problems);
    }
}
