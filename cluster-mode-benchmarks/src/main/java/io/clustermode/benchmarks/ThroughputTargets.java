package io.clustermode.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The targets of issue 12 ("Fast") for the HTTP API, checked against what was measured:
 * no errors; at least {@value #WRITES_PER_SECOND} writes/s straight to the primary; writes
 * through a secondary at least 70 % of that; linearizable reads at least twice the writes on
 * the same path; and every row at least twice etcd's.
 */
public final class ThroughputTargets {

    /** Writes per second straight to the primary the issue asks for. */
    public static final int WRITES_PER_SECOND = 20_000;
    static final double SECONDARY_SHARE = 0.70;
    static final double READS_OVER_WRITES = 2.0;
    static final double OVER_ETCD = 2.0;

    /**
     * One target: what it asks, what was measured, whether it was met (null: it could not be
     * judged, a row is missing).
     */
    public record Target(String target, String measured, Boolean met) {

        /** {@code met}, {@code not met} or {@code not measured}, for the console and the report. */
        public String verdict() {
            return met == null ? "not measured" : met ? "met" : "not met";
        }
    }

    private ThroughputTargets() {
    }

    /** Every target, in the order. */
    public static List<Target> evaluate(HttpThroughput.Result r) {
        Map<ThroughputCase, HttpLoadResult> ours = r.ours();
        List<Target> targets = new ArrayList<>();
        targets.add(noErrors(ours));
        HttpLoadResult primaryWrites = ours.get(ThroughputCase.PUT_TO_PRIMARY);
        HttpLoadResult secondaryWrites = ours.get(ThroughputCase.PUT_THROUGH_SECONDARY);
        targets.add(primaryWrites == null ? missing("≥ 20,000 writes/s straight to the primary")
                : new Target("≥ " + fmt("%,d", WRITES_PER_SECOND) + " writes/s straight to the primary",
                        fmt("%,.0f writes/s", primaryWrites.perSecond()),
                        primaryWrites.perSecond() >= WRITES_PER_SECOND));
        targets.add(share("writes through a secondary ≥ 70 % of those straight to the primary", secondaryWrites,
                primaryWrites, SECONDARY_SHARE, "%.0f %%", 100));
        targets.add(share("linearizable reads at the primary ≥ 2 × the writes to the primary",
                ours.get(ThroughputCase.GET_AT_PRIMARY), primaryWrites, READS_OVER_WRITES, "%.2f ×", 1));
        targets.add(share("linearizable reads through a secondary ≥ 2 × the writes through a secondary",
                ours.get(ThroughputCase.GET_THROUGH_SECONDARY), secondaryWrites, READS_OVER_WRITES, "%.2f ×", 1));
        for (ThroughputCase c : ThroughputCase.values()) {
            targets.add(share(c.label() + " ≥ 2 × etcd's", ours.get(c), r.etcd().get(c), OVER_ETCD, "%.2f ×", 1));
        }
        return targets;
    }

    private static Target noErrors(Map<ThroughputCase, HttpLoadResult> ours) {
        if (ours.size() < ThroughputCase.values().length) {
            return missing("0 errors");
        }
        long errors = 0;
        List<String> where = new ArrayList<>();
        for (Map.Entry<ThroughputCase, HttpLoadResult> e : ours.entrySet()) {
            errors += e.getValue().errorCount();
            if (e.getValue().errorCount() > 0) {
                where.add(e.getKey().label() + ": " + e.getValue().errorsText());
            }
        }
        return new Target("0 errors", errors == 0 ? "0 in all four rows" : String.join("; ", where), errors == 0);
    }

    /** {@code part / whole ≥ factor}, measured as both rates and their ratio (shown × {@code scale} in {@code format}). */
    private static Target share(String target, HttpLoadResult part, HttpLoadResult whole, double factor,
                                String format, double scale) {
        if (part == null || whole == null || whole.perSecond() == 0) {
            return missing(target);
        }
        double ratio = part.perSecond() / whole.perSecond();
        return new Target(target, fmt("%,.0f/s against %,.0f/s: ", part.perSecond(), whole.perSecond())
                + fmt(format, ratio * scale), ratio >= factor);
    }

    private static Target missing(String target) {
        return new Target(target, "not measured", null);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
