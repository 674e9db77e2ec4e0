package io.clustermode.testkit;

import io.clustermode.Committed;
import io.clustermode.StateMachine;
import io.clustermode.linearizability.Outcome;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Linearizability of a history against the application's own state machine as the
 * sequential model: Wing &amp; Gong's search with Lowe's just-in-time rule (only a call invoked
 * before the earliest pending acknowledged call returned may take effect next) and
 * memoization of (calls taken, model state) — the model state being the machine's snapshot
 * bytes, which is also how the search backtracks: a fresh machine restores them.
 *
 * <p>Acknowledged commands must return what the model returns at their place; acknowledged
 * reads must see what the query sees there. A command of unknown outcome may take effect at
 * any time after it was made, or never. Calls that certainly failed, and reads without an
 * answer, constrain nothing. The model applies commands at indexes 1, 2, 3, ...: a machine
 * whose results depend on the log index itself cannot be checked this way.
 */
final class ModelChecker<M extends StateMachine<?>> {

    /** What the search found. */
    record Result(boolean linearizable, boolean undecided, String explanation) {
    }

    private record Op(Call<?> call, boolean write, boolean required, long invoke, long deadline) {
    }

    private record Seen(BitSet done, ByteBuffer state) {
    }

    private final Supplier<M> factory;
    private final List<Op> ops = new ArrayList<>();
    private final long budget;
    private final Set<Seen> seen = new HashSet<>();
    private long nodes;
    private int bestDepth = -1;
    private List<Op> bestPath = List.of();
    private final List<Op> path = new ArrayList<>();

    ModelChecker(Supplier<M> factory, List<Call<?>> history, long budget) {
        this.factory = factory;
        this.budget = budget;
        for (Call<?> call : history) {
            Outcome outcome = call.outcome();
            boolean write = call.kind() == Call.Kind.COMMAND;
            if (outcome == Outcome.FAILED || (!write && outcome != Outcome.OK)) {
                continue;
            }
            boolean required = outcome == Outcome.OK;
            long deadline = required ? call.completedAt().orElseThrow() : Long.MAX_VALUE;
            ops.add(new Op(call, write, required, call.invokedAt(), deadline));
        }
    }

    Result check() {
        M initial = factory.get();
        byte[] state = initial.snapshot();
        int required = 0;
        for (Op op : ops) {
            if (op.required()) {
                required++;
            }
        }
        try {
            if (search(state, new BitSet(ops.size()), required)) {
                return new Result(true, false, "linearizable (" + ops.size() + " calls)");
            }
        } catch (BudgetExceeded e) {
            return new Result(false, true, "undecided: gave up after " + budget + " search steps over " + ops.size()
                    + " calls");
        }
        return new Result(false, false, explain());
    }

    private static final class BudgetExceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BudgetExceeded() {
            super(null, null, false, false);
        }
    }

    private boolean search(byte[] state, BitSet done, int requiredLeft) {
        if (requiredLeft == 0) {
            return true;
        }
        if (path.size() > bestDepth) {
            bestDepth = path.size();
            bestPath = List.copyOf(path);
        }
        long horizon = Long.MAX_VALUE;
        for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
            Op op = ops.get(i);
            if (op.required()) {
                horizon = Math.min(horizon, op.deadline());
            }
        }
        for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
            Op op = ops.get(i);
            if (op.invoke() > horizon) {
                continue; // it began after an acknowledged call ended that has not taken effect yet
            }
            byte[] after = take(op, state, path.size() + 1);
            if (after == null) {
                continue;
            }
            done.set(i);
            if (seen.add(new Seen((BitSet) done.clone(), ByteBuffer.wrap(after)))) {
                if (++nodes > budget) {
                    throw new BudgetExceeded();
                }
                path.add(op);
                if (search(after, done, requiredLeft - (op.required() ? 1 : 0))) {
                    return true;
                }
                path.remove(path.size() - 1);
            }
            done.clear(i);
        }
        return false;
    }

    /** The model's state after {@code op} takes effect in {@code state}; null when its answer would differ. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private byte[] take(Op op, byte[] state, long index) {
        M model = factory.get();
        model.restore(state);
        Call<?> call = op.call();
        if (op.write()) {
            Object result = model.apply(index, call.commandBytes());
            if (op.required() && !Objects.deepEquals(result, ((Committed<?>) call.value()).result())) {
                return null;
            }
            return model.snapshot();
        }
        Object seenByModel = ((Function) call.query()).apply(model);
        return Objects.deepEquals(seenByModel, call.value()) ? state : null;
    }

    private String explain() {
        StringBuilder out = new StringBuilder("not linearizable: no order of the ").append(ops.size())
                .append(" calls gives every acknowledged answer; the longest explained order has ")
                .append(bestPath.size()).append(" calls");
        List<Op> tail = bestPath.subList(Math.max(0, bestPath.size() - 6), bestPath.size());
        if (!tail.isEmpty()) {
            out.append(", ending with:");
            tail.forEach(op -> out.append("\n    ").append(op.call()));
        }
        Set<Call<?>> placed = new HashSet<>();
        bestPath.forEach(op -> placed.add(op.call()));
        Op stuck = null;
        for (Op op : ops) {
            if (op.required() && !placed.contains(op.call()) && (stuck == null || op.deadline() < stuck.deadline())) {
                stuck = op;
            }
        }
        if (stuck != null) {
            out.append("\n  and then none of the calls made before this one returned can take effect:\n    ")
                    .append(stuck.call());
        }
        return out.toString();
    }
}
