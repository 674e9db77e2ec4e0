package io.clustermode.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes {@code benchmarks.md} and its plots ({@code benchmarks/*.png} beside it) from one
 * run's {@link BenchmarkResults}. Everything above {@link #MARKER} is regenerated; what an
 * existing file has below it (hand-written sections on storage, codec, simulation) is kept.
 * A run of the HTTP throughput, the spring-failover or the partitions part alone (or several of them) replaces
 * only their sections ({@link HttpThroughputSection}, {@link SpringFailoverSection},
 * {@link PartitionOwnershipSection}).
 */
public final class ReportWriter {

    /** The line below which the existing file is kept as it is. */
    public static final String MARKER = "<!-- Generated above this line by io.clustermode.benchmarks.BenchmarkReport;"
            + " kept as written below it. -->";

    /** Parts whose sections a run of them alone replaces in an existing report. */
    static final Set<String> SECTION_PARTS = Set.of("http-throughput", "spring-failover", "partitions");

    private final BenchmarkOptions options;
    private final MachineInfo machine;
    private final BenchmarkResults results;
    private final StringBuilder md = new StringBuilder();

    /** A writer for one run. */
    public ReportWriter(BenchmarkOptions options, MachineInfo machine, BenchmarkResults results) {
        this.options = options;
        this.machine = machine;
        this.results = results;
    }

    /**
     * Draws the plots and writes the report into {@code options.out()}; returns the report's path,
     * or null when the report was left as it was (a run of parts with sections of their own alone
     * that measured nothing).
     */
    public Path write() throws IOException {
        Path report = options.out().resolve("benchmarks.md");
        Path plots = options.out().resolve("benchmarks");
        if (onlySections() && Files.exists(report) && Files.readString(report).contains(MARKER)) {
            // These parts alone: their sections are replaced, the sections of earlier runs stay as they were.
            if (results.httpThroughput == null && results.springFailover == null && results.partitions == null) {
                return null;
            }
            String text = Files.readString(report);
            if (results.httpThroughput != null) {
                text = HttpThroughputSection.splice(text, httpThroughputSection(), MARKER);
            }
            if (results.springFailover != null) {
                text = SpringFailoverSection.splice(text, springFailoverSection(), MARKER);
            }
            if (results.partitions != null) {
                text = PartitionOwnershipSection.splice(text, partitionsSection(), MARKER);
            }
            Files.writeString(report, text);
            return report;
        }
        String kept = keptPart(report);
        header();
        aims();
        failover(plots);
        handoff();
        coldStart();
        replication(plots);
        idle();
        // Last before the method, where a run of these parts alone puts them too.
        if (results.httpThroughput != null) {
            md.append(httpThroughputSection()).append('\n');
        }
        if (results.springFailover != null) {
            md.append(springFailoverSection()).append('\n');
        }
        if (results.partitions != null) {
            md.append(partitionsSection()).append('\n');
        }
        method();
        md.append('\n').append(MARKER).append('\n');
        md.append(kept);
        Files.createDirectories(options.out());
        Files.writeString(report, md.toString());
        return report;
    }

    /** Whether only parts with sections of their own ran: they replace those in an existing report. */
    private boolean onlySections() {
        return !options.parts().isEmpty() && SECTION_PARTS.containsAll(options.parts());
    }

    private String httpThroughputSection() {
        return HttpThroughputSection.markdown(results.httpThroughput, machine,
                "bin/benchmarks " + String.join(" ", options.args()), options.quick(), results.loadAverageAtEnd);
    }

    private String springFailoverSection() {
        return SpringFailoverSection.markdown(results.springFailover, machine,
                "bin/benchmarks " + String.join(" ", options.args()), options.quick(), results.loadAverageAtEnd);
    }

    private String partitionsSection() {
        return PartitionOwnershipSection.markdown(results.partitions, machine,
                "bin/benchmarks " + String.join(" ", options.args()), options.quick(), results.loadAverageAtEnd);
    }

    private static String keptPart(Path report) throws IOException {
        if (!Files.exists(report)) {
            return "";
        }
        String old = Files.readString(report);
        int at = old.indexOf(MARKER);
        return at < 0 ? "" : old.substring(at + MARKER.length()).replaceFirst("^\n", "");
    }

    private void header() {
        md.append("# Benchmarks\n\n");
        if (options.quick()) {
            md.append("> **A `--quick` smoke run**: a few trials per configuration and short loads, to show the program"
                    + " works. Its figures are not the project's measurements; run the full command below on a quiet"
                    + " machine for those.\n\n");
        }
        md.append("Generated by `bin/benchmarks ").append(String.join(" ", options.args()))
                .append("` (`io.clustermode.benchmarks.BenchmarkReport`, module `cluster-mode-benchmarks`) in ")
                .append(fmt("%.0f", results.minutes)).append(" minutes. The full report: `bin/benchmarks --busy`"
                        + " (as root, for the network cut-off).\n\n");
        md.append("| | |\n| --- | --- |\n");
        row("date", machine.date());
        row("commit", "`" + machine.commit() + "`");
        row("CPU", machine.cpu() + ", " + machine.cores() + " cores (as the JVM sees them)");
        row("memory", machine.memory());
        row("OS, kernel", machine.os() + ", Linux " + machine.kernel());
        row("JDK", machine.jdk() + "; node JVMs with default flags");
        row("load average (1/5/15 min)", "at the start " + machine.loadAverage() + ", at the end "
                + results.loadAverageAtEnd);
        row("parts run", String.join(", ", options.parts()) + (options.busy() ? " (failover also busy)" : ""));
        row("network", results.netns ? "a private network namespace; node i on 127.0.0.(i+1), ports 7600/8600"
                : "host loopback, free ports (no namespace: no cut-off trials)");
        md.append('\n');
        for (String note : results.notes) {
            md.append("- **Note:** ").append(note).append('\n');
        }
        if (!results.notes.isEmpty()) {
            md.append('\n');
        }
    }

    private void aims() {
        md.append("## The aims of the benchmark issue\n\n| aim | measured | met |\n| --- | --- | :---: |\n");
        for (FailoverResult r : results.failover) {
            if (r.disruption() != Disruption.HANDOFF && r.stats().count() > 0) {
                double limit = 2.0 * r.timeouts().election();
                double p99 = r.stats().percentile(0.99);
                aim("failover p99 < 2 × min election timeout (" + fmt("%.0f", limit) + " ms): " + r.label() + ", "
                        + r.timeouts().name() + ", " + r.load(), fmt("%,.0f ms", p99) + failedSuffix(r.stats()),
                        p99 < limit && r.stats().failed() == 0);
            }
        }
        for (FailoverResult r : results.failover) {
            if (r.disruption() == Disruption.HANDOFF && r.stats().count() > 0) {
                double p99 = r.stats().percentile(0.99);
                aim("handoff p99 < 100 ms: N=" + r.nodes() + ", " + r.timeouts().name(),
                        fmt("%,.1f ms", p99) + failedSuffix(r.stats()), p99 < 100 && r.stats().failed() == 0);
            }
        }
        for (LoadRow row : results.load) {
            if (row.api().equals("Java") && row.clients() == 256) {
                aim("> 50,000 durable writes/s through the Java API with 256 clients", fmt("%,.0f/s", row.perSecond()),
                        row.perSecond() > 50_000);
            }
        }
        if (results.idle != null) {
            double worst = results.idle.rows().stream().mapToDouble(IdleCost.Row::cpuPercent).max().orElse(Double.NaN);
            aim("idle node < 1% of a core", fmt("%.2f%% (the busiest node)", worst), worst < 1.0);
        }
        md.append('\n');
    }

    private static String failedSuffix(Stats s) {
        return s.failed() == 0 ? "" : ", " + s.failed() + " failed";
    }

    private void aim(String aim, String measured, boolean met) {
        md.append("| ").append(aim).append(" | ").append(measured).append(" | ").append(met ? "yes" : "**no**")
                .append(" |\n");
    }

    private void failover(Path plots) throws IOException {
        List<FailoverResult> faults = results.failover.stream().filter(r -> r.disruption() != Disruption.HANDOFF)
                .toList();
        if (faults.isEmpty()) {
            return;
        }
        md.append("## Failover: the primary fails\n\n");
        md.append("N node processes with durable data dirs. Before each trial the cluster is healthy (every node names"
                + " one primary, all commit indexes equal, all nodes voters). Then the primary is killed with"
                + " SIGKILL (the kernel resets its connections) or cut off by iptables DROP of everything from and to"
                + " its address (no signal at all); the time runs from the signal (sent by the benchmark JVM itself) or from the"
                + " moment the iptables rules are in force, until every surviving node's `/cluster/info` names"
                + " the same new primary, every node polled every " + ClusterWatch.POLL_MILLIS + " ms (all at once"
                + " per round; a time errs long by at most one round). A killed node restarts from its data dir, a"
                + " cut one is healed and must follow the new primary before the next trial. A trial with no new"
                + " primary within " + FailoverTrials.BOUND_MILLIS / 1000 + " s is failed: counted, never dropped."
                + " *Busy*: two threads spinning in another process at normal priority, on "
                + machine.cores() + " cores; *quiet*: no such hog (the load averages above say how quiet the"
                + " machine was otherwise).\n\n");
        stateTable(faults, true);
        Map<String, List<FailoverResult>> groups = new LinkedHashMap<>();
        for (FailoverResult r : faults) {
            groups.computeIfAbsent(r.timeouts().name() + "-" + r.load(), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<FailoverResult>> g : groups.entrySet()) {
            FailoverResult first = g.getValue().get(0);
            String file = "failover-" + g.getKey().toLowerCase(Locale.ROOT) + ".png";
            String title = "Failover, " + first.timeouts().label() + ", " + first.load() + " machine";
            Charts.failoverCdf(title, g.getValue(), plots.resolve(file));
            md.append("![").append(title).append("](benchmarks/").append(file).append(")\n\n");
        }
        md.append("For comparison, other systems measured on this machine with the kill -9 method, 3 nodes, their"
                + " default settings (figures from the benchmark issue):\n\n"
                + "| system | p50 | p99 | note |\n| --- | ---: | ---: | --- |\n"
                + "| Hazelcast 5.7 | 0.49 s | 0.56 s | |\n"
                + "| Apache Ratis 3.2 | 0.55 s | 0.95 s | a 12 s tail when the cores are busy |\n"
                + "| JGroups 5.5 | 1.6 s | 1.7 s | |\n"
                + "| Curator 5.9 on ZooKeeper | 38 s | 39 s | |\n\n");
    }

    private void stateTable(List<FailoverResult> rows, boolean withLoad) {
        md.append("| N | event | timeouts (heartbeat/election) | ").append(withLoad ? "machine | " : "")
                .append("trials | failed | p50 ms | p90 ms | p99 ms | max ms | p50 / min election timeout"
                        + " | p99 / min election timeout | mean poll round ms |\n");
        md.append("| ---: | --- | --- | ").append(withLoad ? "--- | " : "")
                .append("---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (FailoverResult r : rows) {
            Stats s = r.stats();
            double e = r.timeouts().election();
            md.append("| ").append(r.nodes()).append(" | ").append(r.disruption().label()).append(" | ")
                    .append(r.timeouts().label()).append(" | ").append(withLoad ? r.load() + " | " : "")
                    .append(s.trials()).append(" | ").append(s.failed()).append(" | ")
                    .append(ms(s.percentile(0.5))).append(" | ").append(ms(s.percentile(0.9))).append(" | ")
                    .append(ms(s.percentile(0.99))).append(" | ").append(ms(s.max())).append(" | ")
                    .append(ratio(s.percentile(0.5), e)).append(" | ")
                    .append(ratio(s.percentile(0.99), e)).append(" | ").append(fmt("%.1f", r.pollMillis()))
                    .append(" |\n");
        }
        md.append('\n');
    }

    private void handoff() {
        List<FailoverResult> handoffs = results.failover.stream().filter(r -> r.disruption() == Disruption.HANDOFF)
                .toList();
        if (handoffs.isEmpty()) {
            return;
        }
        md.append("## Planned handoff: SIGTERM to the primary\n\n");
        md.append("As above, but the primary gets SIGTERM: it hands leadership to an up-to-date secondary, then exits."
                + " Time until every surviving node names the new primary; the stopped node restarts before the"
                + " next trial.\n\n");
        stateTable(handoffs, false);
    }

    private void coldStart() {
        if (results.coldStarts.isEmpty()) {
            return;
        }
        md.append("## Cold start\n\n");
        md.append("N processes started at once on fresh data dirs (the JVMs start in parallel on " + machine.cores()
                + " cores). *Listening*: from the start until the last node answers on its HTTP port (JVM start);"
                + " *primary known by all*: until every node names the same primary. A trial without one within "
                + ColdStart.BOUND_MILLIS / 1000 + " s is failed.\n\n");
        md.append("| N | timeouts | trials | failed | listening p50 ms | listening max ms | primary known by all:"
                + " p50 ms | p90 ms | p99 ms | max ms | p50 / min election timeout |\n");
        md.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (ColdStart.Result r : results.coldStarts) {
            Stats s = r.elected();
            md.append("| ").append(r.nodes()).append(" | ").append(r.timeouts().label()).append(" | ")
                    .append(s.trials()).append(" | ").append(s.failed()).append(" | ")
                    .append(ms(r.listening().percentile(0.5))).append(" | ").append(ms(r.listening().max()))
                    .append(" | ").append(ms(s.percentile(0.5))).append(" | ").append(ms(s.percentile(0.9)))
                    .append(" | ").append(ms(s.percentile(0.99))).append(" | ").append(ms(s.max())).append(" | ")
                    .append(ratio(s.percentile(0.5), r.timeouts().election())).append(" |\n");
        }
        md.append('\n');
    }

    private void replication(Path plots) throws IOException {
        if (results.load.isEmpty()) {
            return;
        }
        md.append("## Replication: committed writes\n\n");
        md.append("Three nodes, durable data dirs (fsync per group commit), 100-byte values; each client keeps one"
                + " write in flight. *HTTP*: three node processes, `PUT /kv/{key}` to the primary from asynchronous"
                + " `java.net.http` clients in the benchmark JVM, latency measured at the client. *Java*: three"
                + " `RaftNode`s in the benchmark JVM over loopback TCP (Netty) with `FileStorage`, `propose` on the"
                + " leader, latency until the leader applied it. " + options.loadSeconds() + " s measured per row"
                + " after a warm-up; clients, nodes and all share the " + machine.cores() + " cores.\n\n");
        md.append("| API | clients | committed writes/s | p50 ms | p99 ms | p99.9 ms | failed |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (LoadRow r : results.load) {
            md.append("| ").append(r.api()).append(" | ").append(r.clients()).append(" | ")
                    .append(fmt("%,.0f", r.perSecond())).append(" | ").append(fmt("%.2f", r.p50Millis()))
                    .append(" | ").append(fmt("%.2f", r.p99Millis())).append(" | ").append(fmt("%.2f", r.p999Millis()))
                    .append(" | ").append(r.failed()).append(" |\n");
        }
        md.append('\n');
        Charts.throughput(results.load, plots.resolve("replication-throughput.png"));
        md.append("![throughput](benchmarks/replication-throughput.png)\n\n");
        for (String api : results.load.stream().map(LoadRow::api).distinct().collect(Collectors.toList())) {
            String file = "replication-latency-" + api.toLowerCase(Locale.ROOT) + ".png";
            Charts.latency(api, results.load, plots.resolve(file));
            md.append("![").append(api).append(" latency](benchmarks/").append(file).append(")\n\n");
        }
    }

    private void idle() {
        if (results.idle == null) {
            return;
        }
        md.append("## Cost at rest\n\n");
        md.append("Three node processes at the default timeouts, formed, left idle for " + results.idle.settleSeconds()
                + " s (the JIT compiler's start-up work), then measured over "
                + results.idle.seconds() + " s: CPU from `/proc/PID/stat` (user + system; *of which JIT*: the"
                + " compiler threads, whose start-up work goes on for minutes at this pace), resident memory"
                + " (`VmRSS`), and the bytes of Raft messages each node sent (its `cluster_mode_transport_bytes_total"
                + "{direction=\"sent\"}`: encoded messages, without framing and TCP/IP headers).\n\n");
        md.append("| node | role | CPU, % of a core | of which JIT | resident MiB | bytes/s sent |\n"
                + "| --- | --- | ---: | ---: | ---: | ---: |\n");
        double sent = 0;
        for (IdleCost.Row r : results.idle.rows()) {
            sent += r.sentPerSecond();
            md.append("| ").append(r.nodeId()).append(" | ").append(r.role()).append(" | ")
                    .append(fmt("%.2f", r.cpuPercent())).append(" | ").append(fmt("%.2f", r.jitPercent())).append(" | ")
                    .append(fmt("%.0f", r.rssMiB())).append(" | ")
                    .append(fmt("%,.0f", r.sentPerSecond())).append(" |\n");
        }
        md.append("\nBetween the three idle nodes: ").append(fmt("%,.0f", sent)).append(" bytes/s in all.\n\n");
    }

    private void method() {
        md.append("## Reproducing it\n\n");
        md.append("`bin/benchmarks` builds what it needs and runs `io.clustermode.benchmarks.BenchmarkReport`;"
                + " `bin/benchmarks --help` lists the options. As root (with `ip` and `iptables`) it makes a private"
                + " network namespace with the addresses 127.0.0.2 onwards, runs itself inside it, and deletes it at"
                + " the end; the host's network and iptables are never touched. Without root, the cut-off trials are"
                + " left out and said to be. Percentiles are nearest-rank: with 30 trials, p99 is the largest.\n");
    }

    private void row(String key, String value) {
        md.append("| ").append(key).append(" | ").append(value).append(" |\n");
    }

    private static String ratio(double millis, double electionTimeout) {
        return Double.isNaN(millis) ? "–" : fmt("%.2f", millis / electionTimeout);
    }

    private static String ms(double millis) {
        if (Double.isNaN(millis)) {
            return "–";
        }
        return millis < 100 ? fmt("%.1f", millis) : fmt("%,.0f", millis);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
