package io.clustermode.linearizability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operations of a workload run, with a compact text form to keep them next to the nodes'
 * logs when a checker finds a violation, and to load them again to re-check.
 *
 * <p>Text form: a header line {@value #HEADER}, then one line per operation,
 * {@code id client kind key value expected outcome invokeNanos completeNanos}, separated by
 * single spaces; strings are URL-encoded (so contain no spaces) and {@code ~} stands for
 * {@code null} (URL encoding never leaves a bare {@code ~}). Lines starting with {@code #} are
 * comments.
 */
public final class History {

    /** First line of the text form. */
    public static final String HEADER = "# cluster-mode history v1: id client kind key value expected outcome invokeNanos completeNanos";

    private final List<Operation> operations;

    /** A history of these operations, kept in invocation order. */
    public History(List<Operation> operations) {
        List<Operation> sorted = new ArrayList<>(operations);
        sorted.sort(Comparator.comparingLong(Operation::invokeNanos).thenComparingInt(Operation::id));
        this.operations = List.copyOf(sorted);
    }

    /** The operations in invocation order. */
    public List<Operation> operations() {
        return operations;
    }

    public int size() {
        return operations.size();
    }

    /** The history split by key (keys in order of first appearance): keys are independent registers. */
    public Map<String, List<Operation>> byKey() {
        Map<String, List<Operation>> keys = new LinkedHashMap<>();
        for (Operation op : operations) {
            keys.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        return keys;
    }

    /** How many operations ended in each outcome, for the run's summary line. */
    public Map<Outcome, Integer> countByOutcome() {
        Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) {
            counts.put(o, 0);
        }
        for (Operation op : operations) {
            counts.merge(op.outcome(), 1, Integer::sum);
        }
        return counts;
    }

    /** The text form described above. */
    public String toText() {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        for (Operation op : operations) {
            out.append(op.id()).append(' ')
                    .append(op.client()).append(' ')
                    .append(op.kind().name().toLowerCase(Locale.ROOT)).append(' ')
                    .append(encode(op.key())).append(' ')
                    .append(encode(op.value())).append(' ')
                    .append(encode(op.expected())).append(' ')
                    .append(op.outcome().name().toLowerCase(Locale.ROOT)).append(' ')
                    .append(op.invokeNanos()).append(' ')
                    .append(op.completeNanos()).append('\n');
        }
        return out.toString();
    }

    /** Parses the text form; a malformed line fails with its line number. */
    public static History fromText(String text) {
        List<Operation> ops = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(" ");
            if (f.length != 9) {
                throw new IllegalArgumentException("history line " + (i + 1) + ": expected 9 fields, got " + f.length);
            }
            try {
                ops.add(new Operation(Integer.parseInt(f[0]), Integer.parseInt(f[1]),
                        decode(f[3]), OpKind.valueOf(f[2].toUpperCase(Locale.ROOT)), decode(f[4]), decode(f[5]),
                        Outcome.valueOf(f[6].toUpperCase(Locale.ROOT)), Long.parseLong(f[7]), Long.parseLong(f[8])));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("history line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new History(ops);
    }

    /** Writes the text form to a file. */
    public void save(Path file) {
        try {
            Files.writeString(file, toText(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a file written by {@link #save}. */
    public static History load(Path file) {
        try {
            return fromText(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String encode(String s) {
        return s == null ? "~" : URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String decode(String s) {
        return s.equals("~") ? null : URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /**
     * Records operations as concurrent clients run them. Thread-safe; one {@link Pending} per
     * request in flight.
     */
    public static final class Recorder {
        private final AtomicInteger nextId = new AtomicInteger();
        private final List<Operation> done = new ArrayList<>();

        /** Call just before sending the request. */
        public Pending invoke(int client, OpKind kind, String key, String value, String expected) {
            return new Pending(nextId.getAndIncrement(), client, kind, key, value, expected, System.nanoTime());
        }

        /** The history of every completed operation so far. */
        public synchronized History history() {
            return new History(done);
        }

        synchronized void add(Operation op) {
            done.add(op);
        }

        /** An operation whose answer has not come yet; complete it exactly once. */
        public final class Pending {
            private final int id;
            private final int client;
            private final OpKind kind;
            private final String key;
            private final String value;
            private final String expected;
            private final long invokeNanos;

            Pending(int id, int client, OpKind kind, String key, String value, String expected, long invokeNanos) {
                this.id = id;
                this.client = client;
                this.kind = kind;
                this.key = key;
                this.value = value;
                this.expected = expected;
                this.invokeNanos = invokeNanos;
            }

            /** What was asked. */
            public OpKind kind() {
                return kind;
            }

            /** A 200 (or a read's 404: pass {@code null}); {@code readValue} is ignored for writes. */
            public Operation ok(String readValue) {
                return finish(Outcome.OK, kind == OpKind.GET ? readValue : value);
            }

            /** A 409 or 503: certainly not applied. */
            public Operation failed() {
                return finish(Outcome.FAILED, kind == OpKind.GET ? null : value);
            }

            /** A 504, a timeout, a reset: maybe applied, maybe later. */
            public Operation unknown() {
                return finish(Outcome.UNKNOWN, kind == OpKind.GET ? null : value);
            }

            private Operation finish(Outcome outcome, String v) {
                Operation op = new Operation(id, client, key, kind, v, expected, outcome, invokeNanos, System.nanoTime());
                add(op);
                return op;
            }
        }
    }
}
