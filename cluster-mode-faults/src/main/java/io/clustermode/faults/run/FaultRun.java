package io.clustermode.faults.run;

import io.clustermode.linearizability.History;
import io.clustermode.linearizability.LinearizabilityChecker;
import io.clustermode.linearizability.Verdict;

import io.clustermode.cli.launch.NodeLauncher;
import io.clustermode.faults.CheckerResult;
import io.clustermode.faults.InfoPoller;
import io.clustermode.faults.InfoSample;
import io.clustermode.faults.LostWriteChecker;
import io.clustermode.faults.PrimaryPerTermChecker;
import io.clustermode.faults.RecoveryChecker;
import io.clustermode.faults.RunReport;
import io.clustermode.faults.Workload;
import io.clustermode.faults.nemesis.Nemesis;
import io.clustermode.faults.nemesis.NemesisSchedule;
import io.clustermode.faults.nemesis.NetworkNamespace;
import io.clustermode.faults.nemesis.Partitions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The driver of one fault-injection run, run inside the run's network namespace (started there
 * by {@link FaultInjection}): starts the node processes, waits for a cluster, runs the workload,
 * the poller and the nemesis on the seeded schedule, heals everything, checks recovery, reads
 * every key, runs every checker and prints one summary line. On a violation it keeps the
 * history, the schedule, the checkers' reports and the logs in a folder and names it.
 *
 * <p>Exit code 0 for a clean run, 1 for a violation or an undecided check, 2 when the run
 * could not be done (no cluster formed, bad options); then the work dir is left in place.
 */
public final class FaultRun {

    /** Exit codes. */
    static final int CLEAN = 0;
    static final int VIOLATION = 1;
    static final int CANNOT_RUN = 2;

    private static final Duration FORM_TIMEOUT = Duration.ofMinutes(2);
    /** Workload after the final heal, so that the histories end with the healed cluster at work. */
    private static final Duration AFTER_HEAL = Duration.ofSeconds(3);

    private final RunOptions options;
    private final PrintStream console;

    FaultRun(RunOptions options, PrintStream console) {
        this.options = options;
        this.console = console;
    }

    /** Entry point inside the namespace: {@code --namespace NAME} and the options of {@link RunOptions}. */
    public static void main(String[] args) {
        int code;
        try {
            RunOptions options = RunOptions.parse(args, null);
            if (options.namespace() == null) {
                throw new IllegalArgumentException("--namespace is needed: the driver runs inside the run's namespace");
            }
            code = new FaultRun(options, System.out).run();
        } catch (RuntimeException e) {
            // A broken environment or a bug of the runner, not a finding about the nodes.
            System.out.println("faults: cannot run: " + e);
            code = CANNOT_RUN;
        }
        System.out.flush();
        System.exit(code);
    }

    /** How long a recovery may take after the final heal: a few election timeouts, plus one request timeout. */
    Duration recoveryBound() {
        return Duration.ofMillis(5 * options.electionTimeoutMs() + requestTimeoutMs());
    }

    private long requestTimeoutMs() {
        return Math.max(2000, 3 * options.electionTimeoutMs());
    }

    int run() {
        Path work;
        try {
            work = Files.createTempDirectory("cluster-mode-faults-seed" + options.seed() + "-");
        } catch (IOException e) {
            throw new IllegalStateException("no temp dir: " + e.getMessage(), e);
        }
        int code = CANNOT_RUN;
        try (NetworkNamespace ns = NetworkNamespace.joinFromInside(options.namespace(), options.nodes());
             RunLog log = new RunLog(work.resolve("nemesis.log"), console)) {
            NodeCluster cluster = new NodeCluster(ns, settings(), work, log);
            try {
                code = run(ns, cluster, log);
            } finally {
                cluster.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            console.println("faults: interrupted");
        } finally {
            if (code == CANNOT_RUN) {
                console.println("faults: the run's data dirs and logs are left in " + work);
            } else {
                delete(work);
            }
        }
        return code;
    }

    private int run(NetworkNamespace ns, NodeCluster cluster, RunLog log) throws InterruptedException {
        Partitions partitions = new Partitions(ns);
        partitions.heal();
        log.accept("seed " + options.seed() + ": starting " + options.nodes() + " nodes in namespace " + ns.name());
        long startNanos = System.nanoTime();
        cluster.startAll();
        if (!cluster.awaitFormed(FORM_TIMEOUT)) {
            log.accept("no cluster of " + options.nodes() + " voters with a primary within " + FORM_TIMEOUT.toSeconds() + " s");
            return CANNOT_RUN;
        }
        int first = cluster.primary();
        log.accept("cluster formed in " + (System.nanoTime() - startNanos) / 1_000_000 + " ms; primary "
                + (first < 0 ? "none (just lost)" : cluster.name(first)));

        Duration clientTimeout = Duration.ofMillis(requestTimeoutMs() + 2000);
        History.Recorder recorder = new History.Recorder();
        Workload.Config mix = Workload.Config.defaults(clientTimeout);
        if (RunOptions.STALE_READS.equals(options.canary())) {
            log.accept("canary " + RunOptions.STALE_READS + ": the workload reads with ?consistency=stale; violations expected");
            mix = mix.withStaleReads();
        }
        Workload workload = new Workload(cluster.httpUris(), mix, options.seed(), recorder);
        Nemesis nemesis = new Nemesis(cluster, partitions, log);
        List<NemesisSchedule.Event> events = NemesisSchedule.generate(options.seed(), options.nodes(),
                options.duration(), NemesisSchedule.Timing.forElectionTimeout(Duration.ofMillis(options.electionTimeoutMs())));
        String schedule = NemesisSchedule.describe(options.seed(), events);
        AfterHeal afterHeal = new AfterHeal(cluster.httpUris(), clientTimeout);
        List<InfoSample> samples;
        long healed;
        Optional<Long> recovered;
        try (InfoPoller poller = new InfoPoller(cluster.httpUris(), Duration.ofMillis(100), Duration.ofMillis(500))) {
            workload.start();
            nemesis.run(events);
            List<Long> undos = nemesis.undoTimes();
            healed = undos.isEmpty() ? System.nanoTime() : undos.get(undos.size() - 1);
            recovered = afterHeal.probeWrites(recorder, recoveryBound().multipliedBy(3));
            Thread.sleep(AFTER_HEAL.toMillis());
            workload.stop();
            samples = poller.samples();
        }
        cluster.checkAllRunning();
        History history = recorder.history();
        AfterHeal.FinalReads finals = afterHeal.readAll(history.byKey().keySet(), Duration.ofSeconds(60));
        log.accept("workload stopped: " + history.size() + " operations; recovery probe "
                + recovered.map(t -> "acknowledged " + (t - healed) / 1_000_000 + " ms after the heal").orElse("never acknowledged")
                + "; checking");

        RunReport report = report(history, samples, healed, finals, cluster, nemesis, schedule);
        console.println(report.summaryLine());
        boolean clean = report.violations() == 0 && report.undecided() == 0;
        if (!clean || options.keepAlways()) {
            Path dir = report.keep(options.keepDir(), keptLogs(cluster, log));
            console.println("faults: " + (clean ? "clean" : "not clean") + ": history, schedule, reports and logs kept in "
                    + dir);
        }
        return report.violations() > 0 || report.undecided() > 0 ? VIOLATION : CLEAN;
    }

    private RunReport report(History history, List<InfoSample> samples, long healed, AfterHeal.FinalReads finals,
                             NodeCluster cluster, Nemesis nemesis, String schedule) {
        LinearizabilityChecker.LinearizabilityResult linearizability = new LinearizabilityChecker().check(history);
        List<CheckerResult> checks = new ArrayList<>();
        checks.add(PrimaryPerTermChecker.check(samples));
        checks.add(LostWriteChecker.check(history, finals.values()));
        checks.add(RecoveryChecker.check(healed, history, recoveryBound()));
        List<String> unreadable = new ArrayList<>();
        for (String key : finals.unreadable()) {
            unreadable.add("key " + key + " could not be read after the heal");
        }
        checks.add(result("every key readable after the heal", unreadable));
        checks.add(result("node processes stay up and stop when asked", cluster.problems()));
        Optional<Duration> longest = Optional.empty();
        for (long undo : nemesis.undoTimes()) {
            Optional<Duration> d = RecoveryChecker.timeWithoutPrimary(undo, samples);
            if (d.isPresent() && (longest.isEmpty() || d.get().compareTo(longest.get()) > 0)) {
                longest = d;
            }
        }
        return new RunReport(options.seed(), history, nemesis.faultsInjected(), schedule, linearizability, checks,
                nemesis.faultsByKind(), longest);
    }

    private static CheckerResult result(String checker, List<String> problems) {
        return new CheckerResult(checker, problems.isEmpty() ? Verdict.LINEARIZABLE : Verdict.VIOLATION,
                List.copyOf(problems));
    }

    private static List<Path> keptLogs(NodeCluster cluster, RunLog log) {
        List<Path> logs = new ArrayList<>(cluster.logFiles());
        logs.add(log.file());
        return logs;
    }

    private NodeCluster.Settings settings() {
        // Quick start-up and little CPU: five node JVMs share the machine with the driver.
        List<String> jvm = new ArrayList<>(NodeLauncher.SMALL_JVM);
        jvm.add("-Xss512k");
        long heartbeat = Math.max(10, options.electionTimeoutMs() / 10);
        return new NodeCluster.Settings(NodeLauncher.builtJars(options.root(), jvm), heartbeat,
                options.electionTimeoutMs(), requestTimeoutMs());
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temp dir left behind is not worth failing the run for.
        }
    }
}
