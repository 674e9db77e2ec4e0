package io.clustermode.linearizability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The linearizability search for one key: a register with put, get, compare-and-set and
 * delete. Wing &amp; Gong's search, with Lowe's just-in-time linearization (the history is a
 * doubly linked list of call and return events; only an operation whose call comes before
 * the first remaining return may go next, and a linearized operation is lifted out of the
 * list, dancing-links style, so backtracking is O(1)) and Horn &amp; Kroening's memoization
 * of (set of linearized operations, register value): a configuration reached once and
 * abandoned can never succeed later, so it is never explored twice. Porcupine (Go) is the
 * same algorithm.
 *
 * <p>Outcomes: a {@link Outcome#FAILED} operation took no effect and is left out. An
 * {@link Outcome#UNKNOWN} read constrains nothing and is left out. An UNKNOWN write gets an
 * infinite completion time: it may be linearized anywhere after its invocation, and need not
 * be linearized at all, because success only asks that every OK operation is linearized.
 * UNKNOWN writes whose value nobody observes (no OK read returns it, no CAS expects it) are
 * left out too: linearizing one puts the register in a state from which only a blind write
 * moves on, so any linearization using it stays one without it. That matters, because every
 * kept unknown write doubles the configurations near it.
 *
 * <p>Not thread-safe; one instance per key and check.
 */
final class RegisterSearch {

    /** How many operations of the deepest partial linearization a violation report shows. */
    private static final int REPORT_TAIL = 8;
    /** At most this many pending operations in a violation report. */
    private static final int REPORT_PENDING = 20;

    private final String key;
    private final Operation[] ops;
    private final boolean[] required;
    private final int[] kind;     // OpKind ordinal
    private final int[] arg;      // value id written, or read
    private final int[] expect;   // CAS expected value id
    private final int[] observes; // the value id op i needs the register to hold (get, cas), else -1
    private final String[] values; // id -> value; 0 is absent (null)
    private final int initial;

    // The event list: entry e in [0, 2n) is the call (even) or return (odd) of op e/2; HEAD = 2n.
    private final int[] next;
    private final int[] prev;
    private final int head;
    private final long[] zobrist;

    private final int dropped;
    /** When op i must have taken effect by: its completion, or for an unknown write see below. */
    private final long[] deadline;
    /** For a still-optional op: its class of identical optional ops, and its rank there by invocation; else -1. */
    private final int[] sameClass;
    private final int[] rankInClass;
    private final int classes;

    RegisterSearch(String key, List<Operation> history, String initialValue) {
        this.key = key;
        Set<String> observed = new HashSet<>();
        for (Operation op : history) {
            if (op.kind() == OpKind.GET && op.outcome() == Outcome.OK) {
                observed.add(absentAware(op.value()));
            }
            if (op.kind() == OpKind.CAS && op.outcome() != Outcome.FAILED) {
                observed.add(absentAware(op.expected()));
            }
        }
        List<Operation> kept = new ArrayList<>();
        for (Operation op : history) {
            if (op.outcome() == Outcome.FAILED) {
                continue;
            }
            if (op.outcome() == Outcome.UNKNOWN
                    && (op.kind() == OpKind.GET || !observed.contains(absentAware(op.value())))) {
                continue;
            }
            kept.add(op);
        }
        this.dropped = history.size() - kept.size();
        int n = kept.size();
        this.ops = kept.toArray(new Operation[0]);
        this.required = new boolean[n];
        this.kind = new int[n];
        this.arg = new int[n];
        this.expect = new int[n];
        this.observes = new int[n];
        Map<String, Integer> ids = new HashMap<>();
        List<String> names = new ArrayList<>();
        names.add(null);
        this.initial = intern(initialValue, ids, names);
        for (int i = 0; i < n; i++) {
            Operation op = ops[i];
            required[i] = op.outcome() == Outcome.OK;
            kind[i] = op.kind().ordinal();
            arg[i] = intern(op.value(), ids, names);
            expect[i] = op.kind() == OpKind.CAS ? intern(op.expected(), ids, names) : 0;
            observes[i] = op.kind() == OpKind.GET ? arg[i] : op.kind() == OpKind.CAS ? expect[i] : -1;
        }
        this.values = names.toArray(new String[0]);

        // An unknown write that is the only source of its value (the workload writes unique
        // values), and whose value an acknowledged operation observed, did take effect, and
        // before that observer took effect: it is as good as acknowledged, with the observer's
        // completion as its own. Without this, such a write would stay "maybe" until its last
        // observer, doubling the configurations all along.
        this.deadline = new long[n];
        int[] writers = new int[values.length];
        writers[initial]++;
        long[] firstObserverDone = new long[values.length];
        Arrays.fill(firstObserverDone, Long.MAX_VALUE);
        for (int i = 0; i < n; i++) {
            if (ops[i].kind().isWrite()) {
                writers[arg[i]]++;
            }
            if (required[i] && observes[i] >= 0) {
                firstObserverDone[observes[i]] = Math.min(firstObserverDone[observes[i]], ops[i].completeNanos());
            }
        }
        for (int i = 0; i < n; i++) {
            if (required[i]) {
                deadline[i] = ops[i].completeNanos();
            } else if (writers[arg[i]] == 1 && firstObserverDone[arg[i]] != Long.MAX_VALUE) {
                required[i] = true;
                deadline[i] = Math.max(ops[i].invokeNanos(), firstObserverDone[arg[i]]);
            } else {
                deadline[i] = Long.MAX_VALUE;
            }
        }

        // Optional writes with the same effect (unknown deletes, unknown puts of one value) are
        // interchangeable: a linearization using some of them can use the earliest-invoked
        // ones instead. So only the earliest not yet linearized of a class is ever tried, and k
        // pending identical writes make k + 1 configurations, not 2^k.
        this.sameClass = new int[n];
        this.rankInClass = new int[n];
        Map<List<Integer>, Integer> classIds = new HashMap<>();
        List<Integer> classSizes = new ArrayList<>();
        for (int i = 0; i < n; i++) { // ops are in invocation order
            if (required[i]) {
                sameClass[i] = -1;
                continue;
            }
            int c = classIds.computeIfAbsent(List.of(kind[i], arg[i], expect[i]), x -> {
                classSizes.add(0);
                return classSizes.size() - 1;
            });
            sameClass[i] = c;
            rankInClass[i] = classSizes.get(c);
            classSizes.set(c, rankInClass[i] + 1);
        }
        this.classes = classSizes.size();

        // Sort events by time; at equal times calls go first, which makes the two operations
        // concurrent: the permissive reading, so clock granularity never invents a violation.
        Integer[] events = new Integer[2 * n];
        for (int e = 0; e < 2 * n; e++) {
            events[e] = e;
        }
        Arrays.sort(events, (a, b) -> {
            int c = Long.compare(time(a), time(b));
            if (c != 0) {
                return c;
            }
            return Integer.compare(a & 1, b & 1);
        });
        this.head = 2 * n;
        this.next = new int[2 * n + 1];
        this.prev = new int[2 * n + 1];
        int last = head;
        for (int e : events) {
            next[last] = e;
            prev[e] = last;
            last = e;
        }
        next[last] = -1;
        prev[head] = -1;
        java.util.SplittableRandom random = new java.util.SplittableRandom(0x5eed);
        this.zobrist = new long[n];
        for (int i = 0; i < n; i++) {
            zobrist[i] = random.nextLong();
        }
    }

    private long time(int event) {
        return (event & 1) == 0 ? ops[event >> 1].invokeNanos() : deadline[event >> 1];
    }

    /** A set key for a value where absent cannot collide with any string a client wrote. */
    private static String absentAware(String v) {
        return v == null ? "\u0000absent" : "=" + v;
    }

    private static int intern(String v, Map<String, Integer> ids, List<String> names) {
        if (v == null) {
            return 0;
        }
        return ids.computeIfAbsent(v, x -> {
            names.add(x);
            return names.size() - 1;
        });
    }

    /** The register's value after op i, or -1 when op i cannot take effect in state s. */
    private int step(int s, int i) {
        switch (kind[i]) {
            case 0: // PUT
                return arg[i];
            case 1: // GET
                return s == arg[i] ? s : -1;
            case 2: // CAS
                return s == expect[i] ? arg[i] : -1;
            default: // DELETE
                return 0;
        }
    }

    /**
     * The memo holds a copy of the linearized-set bitset per configuration: at most this many
     * 64-bit words (384 MB), so a long history on one key gets a smaller node budget rather
     * than an OutOfMemoryError.
     */
    private static final long MEMO_WORDS = 48L << 20;

    KeyResult run(long requestedBudget) {
        long words = Math.max(1, (ops.length + 63) >>> 6);
        long nodeBudget = Math.min(requestedBudget, Math.max(10_000, MEMO_WORDS / words));
        int n = ops.length;
        int requiredTotal = 0;
        for (boolean r : required) {
            if (r) {
                requiredTotal++;
            }
        }
        long[] done = new long[(n + 63) >>> 6];
        long hash = 0;
        Set<Config> seen = new HashSet<>();
        int[] stackEntry = new int[n];
        int[] stackState = new int[n];
        int depth = 0;
        int state = initial;
        int requiredDone = 0;
        long nodes = 0;

        int best = -1;
        int[] bestStack = new int[0];
        int bestState = initial;

        // Per value, how many unlinearized operations still need the register to hold it. An
        // unknown write of a value nobody needs any more is useless (same argument as for the
        // unobserved ones above), so it is not tried: this keeps late, pending unknown writes
        // from multiplying the configurations.
        int[] classUsed = new int[classes];
        int[] observersLeft = new int[values.length];
        for (int o : observes) {
            if (o >= 0) {
                observersLeft[o]++;
            }
        }

        int entry = next[head];
        while (true) {
            if (requiredDone == requiredTotal) {
                return new KeyResult(key, Verdict.LINEARIZABLE, ops.length + dropped, nodes, null, null);
            }
            if (requiredDone > best) {
                best = requiredDone;
                bestStack = Arrays.copyOf(stackEntry, depth);
                bestState = state;
            }
            if (entry < 0 || (entry & 1) == 1) {
                // A return (or the end): the op it belongs to must have gone by now. Backtrack.
                if (depth == 0) {
                    Violation v = explain(bestStack, bestState);
                    return new KeyResult(key, Verdict.VIOLATION, ops.length + dropped, nodes, v, null);
                }
                depth--;
                int call = stackEntry[depth];
                int i = call >> 1;
                state = stackState[depth];
                done[i >>> 6] &= ~(1L << i);
                hash ^= zobrist[i];
                if (required[i]) {
                    requiredDone--;
                }
                if (observes[i] >= 0) {
                    observersLeft[observes[i]]++;
                }
                if (sameClass[i] >= 0) {
                    classUsed[sameClass[i]]--;
                }
                unlift(call);
                entry = next[call];
                continue;
            }
            int i = entry >> 1;
            int after = step(state, i);
            if (after >= 0 && !required[i]
                    && (observersLeft[after] == 0 || rankInClass[i] != classUsed[sameClass[i]])) {
                after = -1;
            }
            if (after >= 0) {
                done[i >>> 6] |= 1L << i;
                long h = hash ^ zobrist[i];
                if (seen.add(new Config(done.clone(), after, h))) {
                    if (++nodes > nodeBudget) {
                        return new KeyResult(key, Verdict.UNDECIDED, ops.length + dropped, nodes, null,
                                "gave up after " + nodeBudget + " search nodes"
                                        + (nodeBudget < requestedBudget ? " (memory bound)" : "") + " (" + ops.length
                                        + " operations kept, " + requiredDone + " of " + requiredTotal
                                        + " acknowledged ones linearized at the time)");
                    }
                    stackEntry[depth] = entry;
                    stackState[depth] = state;
                    depth++;
                    state = after;
                    hash = h;
                    if (required[i]) {
                        requiredDone++;
                    }
                    if (observes[i] >= 0) {
                        observersLeft[observes[i]]--;
                    }
                    if (sameClass[i] >= 0) {
                        classUsed[sameClass[i]]++;
                    }
                    lift(entry);
                    entry = next[head];
                    continue;
                }
                done[i >>> 6] &= ~(1L << i);
            }
            entry = next[entry];
        }
    }

    private void lift(int call) {
        unlink(call);
        unlink(call | 1);
    }

    private void unlift(int call) {
        relink(call | 1);
        relink(call);
    }

    private void unlink(int e) {
        next[prev[e]] = next[e];
        if (next[e] >= 0) {
            prev[next[e]] = prev[e];
        }
    }

    private void relink(int e) {
        next[prev[e]] = e;
        if (next[e] >= 0) {
            prev[next[e]] = e;
        }
    }

    /**
     * The window around where the search got stuck: the end of the deepest partial
     * linearization, and the operations pending when the earliest unlinearized acknowledged
     * operation returned — one of them had to take effect by then, and none could.
     */
    private Violation explain(int[] bestStack, int bestState) {
        boolean[] linearized = new boolean[ops.length];
        List<Operation> order = new ArrayList<>();
        for (int call : bestStack) {
            linearized[call >> 1] = true;
            order.add(ops[call >> 1]);
        }
        int blocker = -1;
        for (int i = 0; i < ops.length; i++) {
            if (!linearized[i] && required[i]
                    && (blocker < 0 || deadline[i] < deadline[blocker])) {
                blocker = i;
            }
        }
        List<Operation> pending = new ArrayList<>();
        int more = 0;
        for (int i = 0; i < ops.length; i++) {
            if (!linearized[i] && ops[i].invokeNanos() <= deadline[blocker]) {
                if (pending.size() < REPORT_PENDING) {
                    pending.add(ops[i]);
                } else {
                    more++;
                }
            }
        }
        List<Operation> tail = order.subList(Math.max(0, order.size() - REPORT_TAIL), order.size());
        String register = values[bestState] == null ? "absent" : values[bestState];
        StringBuilder why = new StringBuilder();
        why.append("key ").append(key).append(": after ").append(order.size()).append(" operations linearized (register = ")
                .append(register).append("), none of the ").append(pending.size() + more)
                .append(" operations pending when ").append(ops[blocker].describe())
                .append(" returned can take effect next");
        if (more > 0) {
            why.append(" (").append(more).append(" not shown)");
        }
        return new Violation(key, values[bestState], List.copyOf(tail), List.copyOf(pending), why.toString());
    }

    /** A configuration of the search: which operations are linearized, and the register value. */
    private static final class Config {
        private final long[] done;
        private final int state;
        private final int hash;

        Config(long[] done, int state, long zobristHash) {
            this.done = done;
            this.state = state;
            long h = zobristHash * 31 + state;
            this.hash = (int) (h ^ (h >>> 32));
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Config)) {
                return false;
            }
            Config c = (Config) o;
            return state == c.state && hash == c.hash && Arrays.equals(done, c.done);
        }
    }
}
