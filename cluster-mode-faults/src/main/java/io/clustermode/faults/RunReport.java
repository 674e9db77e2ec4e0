package io.clustermode.faults;

import io.clustermode.linearizability.History;
import io.clustermode.linearizability.KeyResult;
import io.clustermode.linearizability.LinearizabilityChecker;
import io.clustermode.linearizability.Outcome;
import io.clustermode.linearizability.Verdict;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The end of a fault-injection run: one summary line, and on a violation (or an undecided
 * check) a folder with everything needed to look at it again — the history, the checkers'
 * reports, the schedule with its seed, the nodes' logs.
 */
public final class RunReport {

    private final long seed;
    private final History history;
    private final int faults;
    private final String schedule;
    private final LinearizabilityChecker.LinearizabilityResult linearizability;
    private final List<CheckerResult> checks;
    private final Map<String, Integer> faultsByKind;
    private final Optional<Duration> longestWithoutPrimary;

    /**
     * @param seed            the run's seed
     * @param history         the workload's history
     * @param faults          faults injected
     * @param schedule        the schedule as text ({@code NemesisSchedule.describe})
     * @param linearizability the linearizability verdict
     * @param checks          the other checkers' verdicts
     */
    public RunReport(long seed, History history, int faults, String schedule,
                     LinearizabilityChecker.LinearizabilityResult linearizability, List<CheckerResult> checks) {
        this(seed, history, faults, schedule, linearizability, checks, Map.of(), Optional.empty());
    }

    /**
     * As above, with what a real run also reports.
     *
     * @param faultsByKind          faults injected, by kind ({@code Fault.kind()}); shown in the summary when not empty
     * @param longestWithoutPrimary the longest time from a heal (or restart, or resume) until a
     *                              node was seen as primary; shown when present
     */
    public RunReport(long seed, History history, int faults, String schedule,
                     LinearizabilityChecker.LinearizabilityResult linearizability, List<CheckerResult> checks,
                     Map<String, Integer> faultsByKind, Optional<Duration> longestWithoutPrimary) {
        this.faultsByKind = new TreeMap<>(faultsByKind);
        this.longestWithoutPrimary = longestWithoutPrimary;
        this.seed = seed;
        this.history = history;
        this.faults = faults;
        this.schedule = schedule;
        this.linearizability = linearizability;
        this.checks = List.copyOf(checks);
    }

    /** Violations found: one per violating key, plus one per problem of the other checkers. */
    public int violations() {
        int v = linearizability.violations().size();
        for (CheckerResult c : checks) {
            v += c.problems().size();
        }
        return v;
    }

    /** Keys whose linearizability search ran out of budget. */
    public int undecided() {
        int u = 0;
        for (KeyResult k : linearizability.keys()) {
            u += k.verdict() == Verdict.UNDECIDED ? 1 : 0;
        }
        return u;
    }

    /** The line every run prints, e.g. {@code faults: seed 7: 5123 ops (ok 4800, failed 200, unknown 123), 31 faults, 0 violations}. */
    public String summaryLine() {
        Map<Outcome, Integer> counts = history.countByOutcome();
        return "faults: seed " + seed + ": " + history.size() + " ops (ok " + counts.get(Outcome.OK) + ", failed "
                + counts.get(Outcome.FAILED) + ", unknown " + counts.get(Outcome.UNKNOWN) + "), " + faults
                + " faults" + kinds() + ", " + violations() + " violations"
                + (undecided() > 0 ? ", " + undecided() + " keys undecided" : "")
                + longestWithoutPrimary.map(d -> ", longest without a primary after a heal " + d.toMillis() + " ms")
                        .orElse("");
    }

    private String kinds() {
        if (faultsByKind.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder(" (");
        faultsByKind.forEach((kind, n) -> out.append(out.length() > 2 ? ", " : "").append(kind).append(' ').append(n));
        return out.append(')').toString();
    }

    /** Everything the checkers said. */
    public String details() {
        StringBuilder out = new StringBuilder(summaryLine()).append("\n\n").append(linearizability.describe()).append('\n');
        for (CheckerResult c : checks) {
            out.append(c.summary()).append('\n');
            for (String p : c.problems()) {
                out.append("  ").append(p).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * When the run found a violation or could not decide, keeps it in a new folder under
     * {@code parent} ({@code seed-S-yyyyMMdd-HHmmss}): {@code summary.txt}, {@code history.txt},
     * {@code schedule.txt} and a copy of each node log. Returns the folder, or empty for a
     * clean run.
     */
    public Optional<Path> keepIfNotClean(Path parent, List<Path> nodeLogs) {
        if (violations() == 0 && undecided() == 0) {
            return Optional.empty();
        }
        return Optional.of(keep(parent, nodeLogs));
    }

    /**
     * Keeps the run in a new folder under {@code parent} whatever its outcome: summary,
     * history, schedule and the nodes' logs; returns the folder.
     */
    public Path keep(Path parent, List<Path> nodeLogs) {
        try {
            Path dir = parent.resolve("seed-" + seed + "-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("summary.txt"), details(), StandardCharsets.UTF_8);
            history.save(dir.resolve("history.txt"));
            Files.writeString(dir.resolve("schedule.txt"), schedule, StandardCharsets.UTF_8);
            Path logs = Files.createDirectories(dir.resolve("logs"));
            for (Path log : nodeLogs) {
                if (Files.exists(log)) {
                    Files.copy(log, logs.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
