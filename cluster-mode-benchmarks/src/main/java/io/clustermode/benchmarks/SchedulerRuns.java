package io.clustermode.benchmarks;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figures of the spring-failover part ({@link SpringFailover}), read from what the example
 * {@code examples/spring-scheduler} leaves behind: its runs file (one line {@code <fencing token>
 * <node id> <epoch ms>} per run of its job, every instance appending to one file), the signals the
 * benchmark sent to the primary, and the instances' logs (when a node was elected, and when its
 * application was granted and lost primacy). Pure: lines in, figures out; no clock, no files.
 *
 * <p>A trial's time runs from its signal to the first run of the job by another instance in
 * the runs file. The overlap check covers every run: the tokens never go back in the order the
 * lines were appended, each token was written by one node, and no two nodes' periods (a token's
 * first run to its last) overlap in time.
 */
public final class SchedulerRuns {

    /** Violations shown by example; the rest are counted. */
    static final int EXAMPLES = 5;

    private SchedulerRuns() {
    }

    /** One line of the runs file: a run of the job, by {@code node}, under {@code token}, at {@code millis}. */
    public record Run(long token, String node, long millis) {
        @Override
        public String toString() {
            return token + " " + node + " " + millis;
        }
    }

    /**
     * A signal the benchmark sent to the primary.
     *
     * @param disruption {@link Disruption#KILL} or {@link Disruption#HANDOFF} (SIGTERM)
     * @param victim     the node that got it: the primary, the one running the job
     * @param millis     when it was sent, epoch ms (the clock of the runs file)
     */
    public record Signal(Disruption disruption, String victim, long millis) {
    }

    /** What a log line says happened to a node in a term; each is found by its line's words (node, then term). */
    public enum Happened {
        /** Raft elected it leader: the runtime's {@code RaftNode} logs it. */
        ELECTED("node (\\S+) term (\\d+): LEADER "),
        /** Its application was told it is primary ({@code @PrimaryOnly} methods run): the starter's {@code ClusterLifecycle}. */
        GRANTED("cluster-mode: node (\\S+) is the primary in term (\\d+): "),
        /** Its application's primary-only work stopped: the starter's {@code ClusterLifecycle}. */
        REVOKED("cluster-mode: node (\\S+) is no longer the primary of term (\\d+) ");

        private final Pattern words;

        Happened(String words) {
            this.words = Pattern.compile(words);
        }
    }

    /** A line of an instance's log that says {@code what} happened to {@code node} in {@code term}, at {@code millis}. */
    public record LogEvent(String node, Happened what, long term, long millis) {
    }

    /**
     * One trial. The times from the logs are from the signal, NaN when the line was not found.
     *
     * @param signal        what was sent to whom and when
     * @param victimToken   the token of the victim's last run before the signal; -1 when none
     * @param taken         the first run by another node after the signal; null when none came
     * @param revokedMillis signal → the victim's application stopped its primary-only work (SIGTERM only)
     * @param electedMillis signal → the taker was elected in the term of its token
     * @param grantedMillis signal → the taker's application was granted primacy
     * @param failure       why the trial gave no figure; null when it did
     */
    public record Trial(Signal signal, long victimToken, Run taken, double revokedMillis, double electedMillis,
                        double grantedMillis, String failure) {

        /** Signal → the first run elsewhere, ms; NaN for a failed trial. */
        public double takeoverMillis() {
            return taken == null ? Double.NaN : taken.millis() - signal.millis();
        }

        /**
         * Until the taker was elected: from the signal after kill -9 (the others notice, pre-vote,
         * vote), from the victim's revocation after SIGTERM (the hand-over); ms, NaN when unknown.
         */
        public double electionMillis() {
            return signal.disruption() == Disruption.KILL ? electedMillis : electedMillis - revokedMillis;
        }

        /** The taker's election → its application was granted primacy (the notification), ms; NaN when unknown. */
        public double notifyMillis() {
            return grantedMillis - electedMillis;
        }

        /** The taker's grant → its first run (the wait for its scheduler's next tick), ms; NaN when unknown. */
        public double tickMillis() {
            return takeoverMillis() - grantedMillis;
        }

        /** Whether the trial gave no figure. */
        public boolean failed() {
            return failure != null;
        }

        /** One line for the console. */
        public String describe() {
            if (failed()) {
                return "FAILED (" + failure + ")";
            }
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s -> %s in %.0f ms (token %d -> %d",
                    signal.victim(), taken.node(), takeoverMillis(), victimToken, taken.token()));
            if (!Double.isNaN(revokedMillis)) {
                s.append(String.format(Locale.ROOT, "; %s stopped its job after %.0f ms", signal.victim(),
                        revokedMillis));
            }
            s.append("; ").append(taken.node());
            step(s, " elected", electedMillis);
            step(s, ", granted", grantedMillis);
            return s.append(String.format(Locale.ROOT, ", first run at %.0f ms)", takeoverMillis())).toString();
        }

        private static void step(StringBuilder s, String what, double millis) {
            s.append(what).append(Double.isNaN(millis) ? " at ? ms" : String.format(Locale.ROOT, " at %.0f ms", millis));
        }
    }

    /**
     * The check that no two instances ran the job at once.
     *
     * @param runs              runs read
     * @param tokens            distinct tokens
     * @param nodes             distinct nodes that ran the job
     * @param tokensBack        lines whose token is below the line before
     * @param sharedTokens      tokens written by more than one node
     * @param overlaps          pairs of periods of different nodes that overlap in time
     * @param shortestGapMillis the least time from one node's last run to the next node's first; NaN with one period
     * @param examples          the first violations, described
     */
    public record Overlap(int runs, int tokens, int nodes, int tokensBack, int sharedTokens, int overlaps,
                          double shortestGapMillis, List<String> examples) {

        /** Whether nothing was found. */
        public boolean passed() {
            return tokensBack == 0 && sharedTokens == 0 && overlaps == 0;
        }
    }

    /**
     * Everything read.
     *
     * @param trials     the trials, in the order of their signals
     * @param overlap    the overlap check over every run
     * @param unreadable lines of the runs file that are not a run (shown, not used)
     */
    public record Analysis(List<Trial> trials, Overlap overlap, List<String> unreadable) {

        /** The trials of one kind. */
        public List<Trial> of(Disruption disruption) {
            return trials.stream().filter(t -> t.signal().disruption() == disruption).toList();
        }

        /** Signal → first run elsewhere, for the trials of one kind; failed trials counted apart. */
        public Stats takeover(Disruption disruption) {
            List<Trial> kind = of(disruption);
            return Stats.of(values(kind, Trial::takeoverMillis), (int) kind.stream().filter(Trial::failed).count());
        }

        /** One of a trial's figures over the successful trials of one kind where it is known. */
        public Stats figure(Disruption disruption, ToDoubleFunction<Trial> figure) {
            return Stats.of(values(of(disruption), figure), 0);
        }

        private static List<Double> values(List<Trial> trials, ToDoubleFunction<Trial> figure) {
            List<Double> values = new ArrayList<>();
            for (Trial t : trials) {
                double v = t.failed() ? Double.NaN : figure.applyAsDouble(t);
                if (!Double.isNaN(v)) {
                    values.add(v);
                }
            }
            return values;
        }
    }

    /**
     * Reads it all.
     *
     * @param runLines    the runs file's lines, in the order they were appended
     * @param signals     the signals sent, in the order sent
     * @param logLines    the instances' log lines (any order, any instance; lines that say
     *                    none of {@link Happened} are passed over)
     * @param boundMillis a trial with no run elsewhere within this long of its signal is failed
     */
    public static Analysis analyze(List<String> runLines, List<Signal> signals, List<String> logLines,
                                   long boundMillis) {
        List<Run> runs = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (String line : runLines) {
            Optional<Run> run = run(line);
            if (run.isPresent()) {
                runs.add(run.get());
            } else if (!line.isBlank()) {
                unreadable.add(line);
            }
        }
        List<LogEvent> events = new ArrayList<>();
        for (String line : logLines) {
            logEvent(line).ifPresent(events::add);
        }
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < signals.size(); i++) {
            long until = i + 1 < signals.size() ? signals.get(i + 1).millis() : Long.MAX_VALUE;
            trials.add(trial(signals.get(i), until, runs, events, boundMillis));
        }
        return new Analysis(trials, overlap(runs), unreadable);
    }

    /** A line of the runs file as a run; empty when it is not one. */
    public static Optional<Run> run(String line) {
        String[] f = line.strip().split(" ");
        if (f.length != 3 || f[1].isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Run(Long.parseLong(f[0]), f[1], Long.parseLong(f[2])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * A log line that says a node was elected (the runtime's {@code RaftNode}), or that its
     * application was granted or lost primacy (the starter's {@code ClusterLifecycle}), with the
     * time it was logged (Spring Boot's ISO-8601 timestamp that begins the line); empty for any
     * other line.
     */
    public static Optional<LogEvent> logEvent(String line) {
        for (Happened what : Happened.values()) {
            Matcher m = what.words.matcher(line);
            if (m.find()) {
                int space = line.indexOf(' ');
                try {
                    long millis = OffsetDateTime.parse(space < 0 ? line : line.substring(0, space)).toInstant()
                            .toEpochMilli();
                    return Optional.of(new LogEvent(m.group(1), what, Long.parseLong(m.group(2)), millis));
                } catch (DateTimeParseException | NumberFormatException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    private static Trial trial(Signal signal, long until, List<Run> runs, List<LogEvent> events, long boundMillis) {
        Run before = null;
        Run taken = null;
        for (Run run : runs) {
            if (run.millis() < signal.millis()) {
                before = run;
            } else if (taken == null && run.millis() < until && !run.node().equals(signal.victim())) {
                taken = run;
            }
        }
        long victimToken = before != null && before.node().equals(signal.victim()) ? before.token() : -1;
        if (victimToken < 0) {
            return new Trial(signal, -1, null, Double.NaN, Double.NaN, Double.NaN, before == null
                    ? "no run before the signal" : "the job last ran at " + before.node() + ", not at " + signal.victim());
        }
        if (taken == null || taken.millis() - signal.millis() > boundMillis) {
            return new Trial(signal, victimToken, null, Double.NaN, Double.NaN, Double.NaN,
                    "no run elsewhere within " + boundMillis + " ms");
        }
        return new Trial(signal, victimToken, taken,
                event(events, signal.victim(), Happened.REVOKED, victimToken, signal.millis()),
                event(events, taken.node(), Happened.ELECTED, taken.token(), signal.millis()),
                event(events, taken.node(), Happened.GRANTED, taken.token(), signal.millis()), null);
    }

    /**
     * The time from {@code from} to the log event of {@code node} that says {@code what} happened
     * in {@code term} (one per term and node; the earliest should there be more); NaN when there is none.
     */
    private static double event(List<LogEvent> events, String node, Happened what, long term, long from) {
        long at = Long.MAX_VALUE;
        for (LogEvent e : events) {
            if (e.node().equals(node) && e.what() == what && e.term() == term) {
                at = Math.min(at, e.millis());
            }
        }
        return at == Long.MAX_VALUE ? Double.NaN : at - from;
    }

    /** One node's runs under one token: from its first run to its last. */
    private record Period(long token, String node, long first, long last) {
    }

    private static Overlap overlap(List<Run> runs) {
        List<String> examples = new ArrayList<>();
        int back = 0;
        for (int i = 1; i < runs.size(); i++) {
            if (runs.get(i).token() < runs.get(i - 1).token()) {
                back++;
                example(examples, "token went back: line " + (i + 1) + " '" + runs.get(i) + "' after '"
                        + runs.get(i - 1) + "'");
            }
        }
        Map<Long, String> owner = new HashMap<>();
        Map<String, Period> periods = new HashMap<>();
        List<Long> shared = new ArrayList<>();
        for (Run run : runs) {
            String first = owner.putIfAbsent(run.token(), run.node());
            if (first != null && !first.equals(run.node()) && !shared.contains(run.token())) {
                shared.add(run.token());
                example(examples, "token " + run.token() + " written by " + first + " and " + run.node());
            }
            periods.merge(run.token() + " " + run.node(), new Period(run.token(), run.node(), run.millis(), run.millis()),
                    (a, b) -> new Period(a.token(), a.node(), Math.min(a.first(), b.first()),
                            Math.max(a.last(), b.last())));
        }
        List<Period> inTime = periods.values().stream()
                .sorted(Comparator.comparingLong(Period::first).thenComparingLong(Period::last)).toList();
        int overlaps = 0;
        for (int i = 0; i < inTime.size(); i++) {
            for (int j = i + 1; j < inTime.size(); j++) {
                Period a = inTime.get(i);
                Period b = inTime.get(j);
                if (!a.node().equals(b.node()) && a.first() < b.last() && b.first() < a.last()) {
                    overlaps++;
                    example(examples, "periods overlap: " + a.node() + " (token " + a.token() + ") " + a.first() + "–"
                            + a.last() + " and " + b.node() + " (token " + b.token() + ") " + b.first() + "–" + b.last());
                }
            }
        }
        double gap = Double.NaN;
        for (int i = 1; i < inTime.size(); i++) {
            Period a = inTime.get(i - 1);
            Period b = inTime.get(i);
            if (!a.node().equals(b.node())) {
                double g = b.first() - a.last();
                gap = Double.isNaN(gap) ? g : Math.min(gap, g);
            }
        }
        return new Overlap(runs.size(), owner.size(), (int) runs.stream().map(Run::node).distinct().count(), back,
                shared.size(), overlaps, gap, List.copyOf(examples));
    }

    private static void example(List<String> examples, String example) {
        if (examples.size() < EXAMPLES) {
            examples.add(example);
        }
    }
}
