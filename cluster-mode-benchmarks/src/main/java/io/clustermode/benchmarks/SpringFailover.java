package io.clustermode.benchmarks;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The spring-failover part: issue 14's measured figures. Three instances of the example
 * {@code examples/spring-scheduler} ({@link SchedulerProcesses}) at the default timeouts; its job
 * runs every 100 ms on the primary only and appends a line to a runs file. Then {@code trials}
 * times: {@code kill -9} of the primary, and the time from the signal to the job's first run at
 * another instance (read from the runs file, whose lines carry the epoch milliseconds of the run);
 * the killed instance is started again and the next trial waits until the three agree on one
 * primary again. Then as many trials with SIGTERM (a graceful stop: the primary stops its job and
 * hands over). At the end the runs file and the instances' logs are read into the figures and
 * the overlap check ({@link SchedulerRuns}). One line per trial is printed while it runs.
 */
public final class SpringFailover {

    /** A trial with no run elsewhere within this long is failed: counted, never dropped. */
    public static final long BOUND_MILLIS = 30_000;
    /** How long the three may take to agree on a primary: at the start (three Spring JVMs at once) and after a restart. */
    public static final long AGREE_MILLIS = 240_000;
    /** How long the three must have agreed before a trial begins. */
    public static final long STEADY_MILLIS = 3_000;
    /** How long a SIGTERMed instance may take to exit before it is killed. */
    public static final long EXIT_MILLIS = 30_000;
    private static final long RUNS_POLL_MILLIS = 10;
    private static final long VIEW_POLL_MILLIS = 50;

    /**
     * What the part measured.
     *
     * @param analysis     the trials' figures and the overlap check
     * @param trials       trials asked per signal
     * @param command      the first instance's command line, as a reader would type it
     * @param startSeconds from starting the three at once to their agreeing on a primary
     * @param killExit     kill -9 → the killed instance's process was gone (reaped: the kernel had torn it down), ms
     * @param termExit     SIGTERM → the stopped instance's process exited, ms
     * @param exitCodes    the stopped instances' exit codes after SIGTERM, and how often each
     * @param loadMin      the lowest 1-minute load average seen at a trial's signal
     * @param loadMax      the highest
     * @param notes        what the reader must know: trials not run, instances that did not exit
     */
    public record Result(SchedulerRuns.Analysis analysis, int trials, String command, double startSeconds,
                         Stats killExit, Stats termExit, Map<Integer, Integer> exitCodes, double loadMin, double loadMax,
                         List<String> notes) {
    }

    private final SchedulerProcesses apps;
    private final int trials;
    private final RunsTail runs;
    private final List<SchedulerRuns.Signal> signals = new ArrayList<>();
    private final List<Double> killExit = new ArrayList<>();
    private final List<Double> termExit = new ArrayList<>();
    private final Map<Integer, Integer> exitCodes = new TreeMap<>();
    private final List<String> notes = new ArrayList<>();
    private double loadMin = Double.NaN;
    private double loadMax = Double.NaN;

    private SpringFailover(SchedulerProcesses apps, int trials) {
        this.apps = apps;
        this.trials = trials;
        this.runs = new RunsTail(apps.runsFile());
    }

    /**
     * Runs the part in {@code dir} (the instances' data dirs, logs and runs file).
     *
     * @param hosts one loopback address per instance, or null for 127.0.0.1 and free ports
     */
    public static Result run(int trials, Path dir, List<String> hosts) throws IOException, InterruptedException {
        Path root = BenchmarkReport.repositoryRoot();
        try (SchedulerProcesses apps = new SchedulerProcesses(root, dir, hosts)) {
            return new SpringFailover(apps, trials).measure(root, dir);
        }
    }

    private Result measure(Path root, Path dir) throws IOException, InterruptedException {
        long begin = System.nanoTime();
        apps.startAll();
        String primary = awaitSteady();
        if (primary == null) {
            throw new IllegalStateException("the three instances did not agree on a primary running the job within "
                    + AGREE_MILLIS / 1000 + " s of their start; logs in " + dir);
        }
        double startSeconds = (System.nanoTime() - begin) / 1e9 - STEADY_MILLIS / 1000.0;
        System.out.printf(Locale.ROOT, "  spring-failover: three instances, %s the primary, %.1f s after the start%n",
                primary, startSeconds);
        boolean whole = true;
        for (Disruption kind : List.of(Disruption.KILL, Disruption.HANDOFF)) {
            for (int t = 1; t <= trials && whole; t++) {
                whole = trial(kind, t);
            }
        }
        Thread.sleep(500); // the last primary's runs after the last restart belong to the check too
        apps.close();
        SchedulerRuns.Analysis analysis = SchedulerRuns.analyze(readLines(apps.runsFile()), signals, logLines(),
                BOUND_MILLIS);
        String command = String.join(" ", apps.command(0))
                .replace(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "java")
                .replace(root.resolve(SchedulerProcesses.JAR).toString(), SchedulerProcesses.JAR)
                .replace(dir.toString(), "$WORK");
        return new Result(analysis, trials, command, startSeconds, Stats.of(killExit, 0),
                Stats.of(termExit, 0), exitCodes, loadMin,
                loadMax, notes);
    }

    /** One trial; false when the instances did not come together again, and no trial can follow. */
    private boolean trial(Disruption kind, int t) throws IOException, InterruptedException {
        String primary = awaitSteady();
        if (primary == null) {
            notes.add("before " + kind.label() + " trial " + t + " the instances did not agree on a primary running"
                    + " the job within " + AGREE_MILLIS / 1000 + " s; the trials after it were not run");
            System.out.println("  spring-failover: " + notes.get(notes.size() - 1));
            return false;
        }
        int victim = apps.indexOf(primary);
        double load = load();
        CompletableFuture<Long> exited = apps.exitNanos(victim);
        long sentNanos = System.nanoTime();
        long sent = System.currentTimeMillis();
        if (kind == Disruption.KILL) {
            apps.kill9(victim);
        } else {
            apps.terminate(victim);
        }
        SchedulerRuns.Signal signal = new SchedulerRuns.Signal(kind, primary, sent);
        signals.add(signal);
        awaitRunElsewhere(signal);
        OptionalInt code = apps.awaitExit(victim, EXIT_MILLIS);
        if (code.isEmpty()) {
            notes.add(primary + " did not exit within " + EXIT_MILLIS / 1000 + " s of " + kind.label() + " (trial " + t
                    + "); it was killed");
            apps.killNow(victim);
        } else if (kind == Disruption.KILL) {
            killExit.add((exited.join() - sentNanos) / 1e6);
        } else {
            exitCodes.merge(code.getAsInt(), 1, Integer::sum);
            termExit.add((exited.join() - sentNanos) / 1e6);
        }
        SchedulerRuns.Trial trial = SchedulerRuns.analyze(runs.lines(), List.of(signal), logLines(),
                BOUND_MILLIS).trials().get(0);
        System.out.printf(Locale.ROOT, "  spring-failover %s trial %d/%d: %s, load %.2f%n", kind.label(), t, trials,
                trial.describe(), load);
        apps.start(victim);
        return true;
    }

    /** Waits until a node other than the victim has run the job after the signal, or the bound has passed. */
    private void awaitRunElsewhere(SchedulerRuns.Signal signal) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + BOUND_MILLIS * 1_000_000L;
        while (System.nanoTime() < deadline) {
            for (String line : runs.read()) {
                SchedulerRuns.Run run = SchedulerRuns.run(line).orElse(null);
                if (run != null && !run.node().equals(signal.victim()) && run.millis() >= signal.millis()) {
                    return;
                }
            }
            Thread.sleep(RUNS_POLL_MILLIS);
        }
    }

    /**
     * Waits until all three instances answer, name the same primary in the same term, know three
     * voters, the primary says it is one, and the job's last run was the primary's in that term —
     * all of it unchanged for {@link #STEADY_MILLIS}. Returns the primary, or null after
     * {@link #AGREE_MILLIS}.
     */
    private String awaitSteady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + AGREE_MILLIS * 1_000_000L;
        String agreed = null;
        long since = 0;
        while (System.nanoTime() < deadline) {
            runs.read();
            String now = agreement(apps.views(), runs.last());
            if (now == null || !now.equals(agreed)) {
                agreed = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= STEADY_MILLIS * 1_000_000L) {
                return agreed.substring(0, agreed.indexOf(' '));
            }
            Thread.sleep(VIEW_POLL_MILLIS);
        }
        return null;
    }

    /** {@code "<primary> <term>"} when the views and the last run agree as {@link #awaitSteady} wants; else null. */
    static String agreement(SchedulerProcesses.View[] views, SchedulerRuns.Run last) {
        String primary = null;
        long term = -1;
        for (SchedulerProcesses.View v : views) {
            if (v == null || v.primary() == null || v.voters() != views.length) {
                return null;
            }
            if (primary == null) {
                primary = v.primary();
                term = v.term();
            } else if (!primary.equals(v.primary()) || term != v.term()) {
                return null;
            }
        }
        String leader = primary;
        boolean saysSo = Arrays.stream(views)
                .anyMatch(v -> v.nodeId().equals(leader) && v.role().equals("PRIMARY"));
        if (!saysSo || last == null || !last.node().equals(primary) || last.token() != term) {
            return null;
        }
        return primary + " " + term;
    }

    private List<String> logLines() throws IOException {
        List<String> logs = new ArrayList<>();
        for (int i = 0; i < apps.instances().size(); i++) {
            logs.addAll(readLines(apps.log(i)));
        }
        return logs;
    }

    private static List<String> readLines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    }

    /** The 1-minute load average now, also kept as the part's lowest and highest. */
    private double load() {
        double load;
        try {
            load = Double.parseDouble(MachineInfo.currentLoadAverage().split(" ")[0]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
        loadMin = Double.isNaN(loadMin) ? load : Math.min(loadMin, load);
        loadMax = Double.isNaN(loadMax) ? load : Math.max(loadMax, load);
        return load;
    }

    /**
     * The runs file as it grows: complete lines only, each read once from where the last read
     * ended (a line being written has no newline yet and waits for the next read).
     */
    private static final class RunsTail {
        private final Path file;
        private final List<String> lines = new ArrayList<>();
        private long position;
        private byte[] partial = new byte[0];

        RunsTail(Path file) {
            this.file = file;
        }

        /** The complete lines appended since the last read. */
        List<String> read() throws IOException {
            if (!Files.exists(file)) {
                return List.of();
            }
            byte[] fresh;
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                long length = f.length();
                if (length <= position) {
                    return List.of();
                }
                fresh = new byte[(int) (length - position)];
                f.seek(position);
                f.readFully(fresh);
                position = length;
            }
            byte[] all = new byte[partial.length + fresh.length];
            System.arraycopy(partial, 0, all, 0, partial.length);
            System.arraycopy(fresh, 0, all, partial.length, fresh.length);
            int end = all.length;
            while (end > 0 && all[end - 1] != '\n') {
                end--;
            }
            partial = Arrays.copyOfRange(all, end, all.length);
            if (end == 0) {
                return List.of();
            }
            List<String> added = List.of(new String(all, 0, end - 1, StandardCharsets.UTF_8).split("\n", -1));
            lines.addAll(added);
            return added;
        }

        /** Every complete line read so far. */
        List<String> lines() {
            return lines;
        }

        /** The last run read so far; null when none. */
        SchedulerRuns.Run last() {
            for (int i = lines.size() - 1; i >= 0; i--) {
                SchedulerRuns.Run run = SchedulerRuns.run(lines.get(i)).orElse(null);
                if (run != null) {
                    return run;
                }
            }
            return null;
        }
    }
}
