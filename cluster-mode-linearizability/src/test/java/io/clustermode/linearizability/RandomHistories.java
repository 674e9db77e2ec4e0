package io.clustermode.linearizability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Histories that are linearizable by construction: clients invoke operations with random
 * durations, each operation takes effect on a real sequential register at a random point
 * inside its window (an unknown write: at a random point after its invocation, possibly long
 * after the client gave up, or never), and the read values and CAS outcomes are what that
 * register gave.
 */
final class RandomHistories {

    private RandomHistories() {
    }

    private static final class Planned {
        int client;
        String key;
        OpKind kind;
        String value;
        String expected;
        Outcome outcome;
        long invoke;
        long complete;
        long effect; // Long.MAX_VALUE: never
    }

    static History generate(Random random, int clients, int opsPerClient, int keys, double unknownRate) {
        List<Planned> plan = new ArrayList<>();
        int written = 0;
        for (int c = 0; c < clients; c++) {
            long t = random.nextInt(20);
            for (int i = 0; i < opsPerClient; i++) {
                Planned p = new Planned();
                p.client = c;
                p.key = "k" + random.nextInt(keys);
                int dice = random.nextInt(100);
                p.kind = dice < 35 ? OpKind.PUT : dice < 75 ? OpKind.GET : dice < 97 ? OpKind.CAS : OpKind.DELETE;
                p.invoke = t + 1 + random.nextInt(10);
                p.complete = p.invoke + 1 + random.nextInt(40);
                boolean unknown = random.nextDouble() < unknownRate;
                if (unknown) {
                    p.outcome = Outcome.UNKNOWN;
                    p.effect = p.kind.isWrite() && random.nextBoolean()
                            ? p.invoke + random.nextInt(200) : Long.MAX_VALUE;
                } else {
                    p.outcome = Outcome.OK;
                    p.effect = p.invoke + random.nextInt((int) (p.complete - p.invoke + 1));
                }
                if (p.kind == OpKind.PUT || p.kind == OpKind.CAS) {
                    p.value = "v" + (written++);
                }
                t = p.complete;
                plan.add(p);
            }
        }
        // The real register, with each operation taking effect at its point.
        List<Planned> byEffect = new ArrayList<>(plan);
        byEffect.sort(Comparator.comparingLong(p -> p.effect));
        Map<String, String> register = new HashMap<>();
        Map<String, List<String>> history = new HashMap<>();
        for (Planned p : byEffect) {
            String current = register.get(p.key);
            if (p.kind == OpKind.CAS) {
                // Half the time the expected value is right, else an older value of the key.
                List<String> seen = history.getOrDefault(p.key, List.of());
                p.expected = current != null && random.nextBoolean() ? current
                        : seen.isEmpty() ? "never" : seen.get(random.nextInt(seen.size()));
            }
            if (p.effect == Long.MAX_VALUE) {
                continue;
            }
            switch (p.kind) {
                case GET:
                    p.value = current;
                    break;
                case PUT:
                    register.put(p.key, p.value);
                    history.computeIfAbsent(p.key, k -> new ArrayList<>()).add(p.value);
                    break;
                case CAS:
                    if (p.expected.equals(current)) {
                        register.put(p.key, p.value);
                        history.computeIfAbsent(p.key, k -> new ArrayList<>()).add(p.value);
                    } else if (p.outcome == Outcome.OK) {
                        p.outcome = Outcome.FAILED; // a 409
                    }
                    break;
                default:
                    register.remove(p.key);
            }
        }
        List<Operation> ops = new ArrayList<>();
        plan.sort(Comparator.comparingLong(p -> p.invoke));
        for (Planned p : plan) {
            ops.add(new Operation(ops.size(), p.client, p.key, p.kind, p.kind == OpKind.DELETE ? null : p.value,
                    p.expected, p.outcome, p.invoke, p.complete));
        }
        return new History(ops);
    }

    /**
     * The same history with one successful read changed to return another value the key had
     * (or absent): mostly a violation, though not always (the new value may be explainable).
     * Returns null when the history has no successful read.
     */
    static History mutateOneRead(History h, Random random) {
        List<Operation> ops = new ArrayList<>(h.operations());
        List<Integer> reads = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).kind() == OpKind.GET && ops.get(i).outcome() == Outcome.OK) {
                reads.add(i);
            }
        }
        if (reads.isEmpty()) {
            return null;
        }
        int at = reads.get(random.nextInt(reads.size()));
        Operation read = ops.get(at);
        List<String> candidates = new ArrayList<>();
        candidates.add(null);
        for (Operation op : ops) {
            if (op.key().equals(read.key()) && op.kind().isWrite() && op.value() != null && op.outcome() == Outcome.OK) {
                candidates.add(op.value());
            }
        }
        candidates.remove(read.value());
        if (candidates.isEmpty()) {
            candidates.add("never-written");
        }
        String other = candidates.get(random.nextInt(candidates.size()));
        ops.set(at, new Operation(read.id(), read.client(), read.key(), read.kind(), other, null, read.outcome(),
                read.invokeNanos(), read.completeNanos()));
        return new History(ops);
    }
}
