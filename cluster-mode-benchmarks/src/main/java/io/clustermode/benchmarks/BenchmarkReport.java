package io.clustermode.benchmarks;

import io.clustermode.cli.launch.ChildProcess;
import io.clustermode.cli.launch.NodeLauncher;
import io.clustermode.faults.nemesis.NetworkNamespace;
import io.clustermode.faults.nemesis.Partitions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The benchmark program of the project: runs the chosen parts (failover, handoff, cold start,
 * replication, the HTTP API's throughput beside etcd, the Spring Boot example through kill -9 and SIGTERM,
 * partition ownership through a join, kill -9, a rolling restart and a cut-off, idle cost) on real node processes and writes {@code docs/benchmarks.md} with
 * its plots. {@code bin/benchmarks --help} shows the options ({@link BenchmarkOptions}).
 *
 * <p>As root with {@code ip} and {@code iptables}, it creates a private network namespace
 * ({@link NetworkNamespace}) and runs itself inside it, so that a primary can be cut off with
 * iptables without touching the host's network; the namespace, and every process in it, is
 * deleted when the run ends. Otherwise it runs on the host's loopback without the cut-off
 * trials, and the report says so. Figures are printed and written, never asserted.
 */
public final class BenchmarkReport {

    /** Node addresses the namespace gets: enough for the largest cluster. */
    private static final int NAMESPACE_NODES = PartitionOwnership.NODES;
    private static final int[] SIZES = {3, 5};
    private static final List<Timeouts> TIMEOUTS = List.of(Timeouts.DEFAULT, Timeouts.LAN);
    private static final int[] CLIENTS = {1, 16, 64, 256};

    private final BenchmarkOptions options;
    private final BenchmarkResults results = new BenchmarkResults();
    private List<String> hosts;
    private Partitions partitions;
    private Path work;

    private BenchmarkReport(BenchmarkOptions options) {
        this.options = options;
    }

    /** Runs the benchmarks; see {@link BenchmarkOptions#usage()}. */
    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        // The in-process nodes of the Java API load would log every election; the figures are what matter.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // Netty's channel ids want a hardware address, which a network namespace lacks (it warns); any fixed id does.
        System.setProperty("io.netty.machineId", "02:00:00:00:00:01");
        if (List.of(args).contains("--help")) {
            System.out.println(BenchmarkOptions.usage());
            return;
        }
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args, repositoryRoot());
        } catch (IllegalArgumentException e) {
            System.err.println("benchmarks: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (options.netns() == null && !options.noNetns() && NetworkNamespace.available()) {
            System.exit(runInsideNamespace(args));
        }
        new BenchmarkReport(options).run();
        System.exit(0);
    }

    /** Creates the namespace, runs this program inside it, deletes it; returns the inner run's exit code. */
    private static int runInsideNamespace(String[] args) throws IOException, InterruptedException {
        try (NetworkNamespace ns = NetworkNamespace.create(NAMESPACE_NODES)) {
            List<String> inner = new ArrayList<>(List.of(args));
            inner.add("--netns");
            inner.add(ns.name());
            List<String> command = ns.inside(NodeLauncher.javaCommand(BenchmarkReport.class.getName(), inner));
            System.out.println("benchmarks: running inside network namespace " + ns.name());
            Process run = new ProcessBuilder(command).inheritIO().start();
            return run.waitFor();
        }
    }

    private void run() throws Exception {
        long start = System.nanoTime();
        Path root = repositoryRoot();
        MachineInfo machine = MachineInfo.now(root);
        NetworkNamespace ns = null;
        if (options.netns() != null) {
            ns = NetworkNamespace.joinFromInside(options.netns(), NAMESPACE_NODES);
            hosts = ns.addresses();
            partitions = new Partitions(ns);
            results.netns = true;
        } else if (options.runs("failover") || options.runs("partitions")) {
            results.notes.add("no network namespace (not root, no ip/iptables, or --no-netns): the network cut-off"
                    + " trials (failover, partitions) were not run.");
        }
        work = Files.createTempDirectory("cluster-mode-benchmarks");
        System.out.println("benchmarks: " + String.join(",", options.parts()) + ", work dir " + work);
        try {
            if (options.runs("failover") || options.runs("handoff")) {
                failover();
            }
            part("coldstart", this::coldStart);
            part("replication", this::replication);
            part("http-throughput", () -> results.httpThroughput = HttpThroughput.run(options.httpThreads(),
                    options.httpWarmup(), options.httpSeconds(), work.resolve("http-throughput"), hosts));
            part("spring-failover", () -> results.springFailover = SpringFailover.run(options.trials(),
                    work.resolve("spring-failover"), hosts));
            part("partitions", () -> results.partitions = PartitionOwnership.run(work.resolve("partitions"), hosts,
                    partitions));
            part("idle", () -> results.idle = IdleCost.run(options.quick() ? 2 : IdleCost.SETTLE_SECONDS, options.idleSeconds(),
                    work.resolve("idle"), hosts));
        } finally {
            if (partitions != null) {
                partitions.heal();
            }
            if (ns != null) {
                ns.close();
            }
        }
        results.minutes = (System.nanoTime() - start) / 60e9;
        results.loadAverageAtEnd = MachineInfo.currentLoadAverage();
        Path report = new ReportWriter(options, machine, results).write();
        System.out.println(report != null ? "benchmarks: wrote " + report
                : "benchmarks: nothing measured; the report was left as it was");
        if (options.keepWork() || results.notes.stream().anyMatch(n -> n.contains("failed with"))
                || springFailoverTroubled()) {
            System.out.println("benchmarks: node logs kept in " + work);
        } else {
            deleteRecursively(work);
        }
    }

    /** Whether the spring-failover part had failed trials, an overlap, or trials it could not run: its logs tell why. */
    private boolean springFailoverTroubled() {
        SpringFailover.Result r = results.springFailover;
        return r != null && (!r.notes().isEmpty() || !r.analysis().overlap().passed()
                || r.analysis().trials().stream().anyMatch(SchedulerRuns.Trial::failed));
    }

    /** A part that may fail without losing the others: its failure becomes a note in the report. */
    private interface Part {
        void run() throws Exception;
    }

    private void part(String name, Part part) {
        if (!options.runs(name)) {
            return;
        }
        System.out.println("benchmarks: " + name);
        try {
            part.run();
        } catch (Exception e) {
            e.printStackTrace();
            results.notes.add("part " + name + " failed with " + e);
        }
    }

    private void failover() {
        for (Timeouts timeouts : TIMEOUTS) {
            for (int n : SIZES) {
                String name = "failover N=" + n + " " + timeouts.name();
                part(options.runs("failover") ? "failover" : "handoff", () -> failoverConfiguration(n, timeouts, name));
            }
        }
    }

    private void failoverConfiguration(int n, Timeouts timeouts, String name) throws Exception {
        System.out.println("benchmarks: " + name);
        Path dir = work.resolve("failover-" + n + "-" + timeouts.name());
        try (ClusterProcesses cluster = new ClusterProcesses(n, timeouts, dir, hosts)) {
            cluster.startAll();
            FailoverTrials trials = new FailoverTrials(cluster, partitions);
            if (options.runs("failover")) {
                faults(trials, n, timeouts, false);
            }
            if (options.runs("handoff")) {
                Stats stats = trials.run(Disruption.HANDOFF, options.trials(), "N=" + n + " " + timeouts.name() + " SIGTERM");
                results.failover.add(new FailoverResult(n, Disruption.HANDOFF, timeouts, false, stats,
                        trials.meanRoundMillis()));
            }
            if (options.runs("failover") && options.busy()) {
                ChildProcess hog = CpuHog.start(2);
                try {
                    faults(trials, n, timeouts, true);
                } finally {
                    ChildProcess.killAll(List.of(hog));
                }
            }
        }
    }

    private void faults(FailoverTrials trials, int n, Timeouts timeouts, boolean busy) throws Exception {
        List<Disruption> kinds = partitions == null ? List.of(Disruption.KILL) : List.of(Disruption.KILL, Disruption.CUT);
        for (Disruption kind : kinds) {
            String label = "N=" + n + " " + timeouts.name() + " " + kind.label() + (busy ? " busy" : "");
            Stats stats = trials.run(kind, options.trials(), label);
            results.failover.add(new FailoverResult(n, kind, timeouts, busy, stats, trials.meanRoundMillis()));
        }
    }

    private void coldStart() throws Exception {
        for (Timeouts timeouts : TIMEOUTS) {
            for (int n : SIZES) {
                results.coldStarts.add(ColdStart.run(n, timeouts, options.coldTrials(),
                        work.resolve("cold-" + n + "-" + timeouts.name()), hosts));
            }
        }
    }

    private void replication() throws Exception {
        results.load.addAll(ReplicationLoad.http(CLIENTS, options.quick() ? 1 : 3, options.loadSeconds(),
                work.resolve("http"), hosts));
        results.load.addAll(ReplicationLoad.java(CLIENTS, options.loadSeconds(), work.resolve("java")));
    }

    /**
     * The repository's root (the node processes run its packaged program): the system property
     * {@code cluster-mode.root}, else the nearest directory at or above the working directory
     * with {@code bin/cluster-mode}, else the working directory.
     */
    static Path repositoryRoot() {
        String given = System.getProperty("cluster-mode.root");
        if (given != null) {
            return Path.of(given).toAbsolutePath();
        }
        try {
            return NodeLauncher.findRoot();
        } catch (IllegalStateException none) {
            return Path.of("").toAbsolutePath();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
