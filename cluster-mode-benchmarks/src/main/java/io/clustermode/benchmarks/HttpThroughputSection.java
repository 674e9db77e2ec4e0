package io.clustermode.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's section on the HTTP API's throughput beside etcd ({@link HttpThroughput}): method,
 * the generator's ceiling, the table, CPU per process, the targets. The section carries its own
 * date, commit and load averages and sits between two comment lines, so that a run of this part
 * alone ({@code --only http-throughput}) can replace it in an existing report and leave the
 * other sections as they were ({@link #splice}).
 */
public final class HttpThroughputSection {

    /** The line that opens the section. */
    public static final String BEGIN = "<!-- http-throughput: begin (replaced by bin/benchmarks --only http-throughput) -->";
    /** The line that closes it. */
    public static final String END = "<!-- http-throughput: end -->";
    /** Other work beyond this many cores in a row's window is pointed out: a disturbed measurement. */
    static final double DISTURBED_CORES = 0.25;

    private final StringBuilder md = new StringBuilder();

    private HttpThroughputSection() {
    }

    /**
     * The section, from {@link #BEGIN} to {@link #END} (with a newline after each line).
     *
     * @param r         what was measured
     * @param machine   where and when (at the start of the run)
     * @param command   how it was run, e.g. {@code bin/benchmarks --only http-throughput}
     * @param quick     whether it was a {@code --quick} smoke run (said in the section)
     * @param loadAtEnd the load average when the run ended
     */
    public static String markdown(HttpThroughput.Result r, MachineInfo machine, String command, boolean quick,
                                  String loadAtEnd) {
        HttpThroughputSection s = new HttpThroughputSection();
        s.write(r, machine, command, quick, loadAtEnd);
        return s.md.toString();
    }

    /**
     * An existing report with {@code section} in place of its own (between {@link #BEGIN} and
     * {@link #END}), or inserted before {@link ReportSections#BEFORE} (else before {@code marker}, else at the
     * end) when it has none.
     */
    public static String splice(String report, String section, String marker) {
        return ReportSections.splice(report, BEGIN, END, section, marker);
    }

    private void write(HttpThroughput.Result r, MachineInfo machine, String command, boolean quick, String loadAtEnd) {
        md.append(BEGIN).append('\n');
        md.append("## HTTP API throughput, beside etcd\n\n");
        if (quick) {
            md.append("> **A `--quick` smoke run**: loads of a few seconds, to show the program works; not the"
                    + " project's figures.\n\n");
        }
        md.append(machine.measured(command, loadAtEnd)).append("\n\n");
        method(r);
        ceiling(r.ceiling());
        table(r);
        cpu(r);
        targets(r);
        for (String note : r.notes()) {
            md.append("- **Note:** ").append(note).append('\n');
        }
        if (!r.notes().isEmpty()) {
            md.append('\n');
        }
        md.append(END).append('\n');
    }

    private void method(HttpThroughput.Result r) {
        String etcd = r.etcdVersion() == null ? "etcd" : "etcd " + r.etcdVersion();
        md.append("Three `cluster-mode node` processes with durable data dirs (fsync before a write is acknowledged),"
                + " on loopback, default timeouts; then, with those stopped, three ").append(etcd)
                .append(" members (Debian's `etcd-server`, default settings, so its WAL is fsynced too) on loopback."
                        + " One load generator drives both: ").append(r.connections())
                .append(" kept-alive HTTP/1.1 connections with one request outstanding each, on ")
                .append(r.threads()).append(r.threads() == 1 ? " Netty event-loop thread" : " Netty event-loop threads")
                .append(" in the benchmark JVM, requests encoded beforehand, ").append(HttpThroughput.VALUE_BYTES)
                .append("-byte values, each connection cycling over its own ").append(HttpRequests.KEYS_PER_CONNECTION)
                .append(" keys (the reads ask for keys the writes wrote). cluster-mode: `PUT /kv/{key}` and"
                        + " `GET /kv/{key}` (linearizable, the default). etcd: its HTTP/JSON gateway, `POST /v3/kv/put`"
                        + " with `{\"key\": base64, \"value\": base64}` and `POST /v3/kv/range` with `{\"key\": base64}`"
                        + " (linearizable: `serializable` is false by default). *Primary* is etcd's leader,"
                        + " *secondary* one follower. Both followers hand what needs the leader on: cluster-mode's"
                        + " secondary passes writes to the primary as Raft messages (batched) and answers once it has"
                        + " applied them itself, and answers a linearizable read from its own copy after asking the"
                        + " primary for a read index (thesis §6.4.1); etcd's follower forwards writes to its leader"
                        + " and asks it for a read index too. Each row: a warm-up (")
                .append(r.warmupSeconds()).append(" s for the ceiling and the first write row on each cluster, ")
                .append(Math.min(r.warmupSeconds(), HttpThroughput.LATER_WARMUP_SECONDS))
                .append(" s for the others), then ").append(r.seconds())
                .append(" s measured: the rate counts 2xx answers completed in that window; latency runs from a"
                        + " request's write to the end of its answer; *errors* are every non-2xx answer, lost"
                        + " connection and timeout (")
                .append(HttpThroughput.REQUEST_TIMEOUT_MILLIS / 1000)
                .append(" s) from the first request of the warm-up on. The generator, the nodes and everything else"
                        + " share the machine's cores.\n\n");
    }

    private void ceiling(HttpLoadResult c) {
        if (c == null) {
            return;
        }
        md.append("**The generator's ceiling:** `GET /health` at cluster-mode's primary (answered by its HTTP layer"
                + " alone, no Raft): ").append(fmt("%,.0f", c.perSecond())).append(" requests/s, p50 ")
                .append(ms(c.p50Millis())).append(" ms, p99 ").append(ms(c.p99Millis())).append(" ms, errors ")
                .append(c.errorsText()).append("; the benchmark JVM used ")
                .append(fmt("%.2f", c.cpuCores().getOrDefault("generator", Double.NaN)))
                .append(" cores, the primary ").append(fmt("%.2f", c.cpuCores().getOrDefault("leader", Double.NaN)))
                .append(", the rest of the machine ").append(fmt("%.2f", c.otherCores()))
                .append(". The generator spends ").append(fmt("%.1f", generatorMicros(c)))
                .append(" µs of CPU per request, so one core of it drives about ")
                .append(fmt("%,.0f", 1e6 / generatorMicros(c))).append(" requests/s; with the node beside it on"
                        + " these cores, no row below can go faster than the figure above.\n\n");
    }

    private static double generatorMicros(HttpLoadResult c) {
        return c.cpuCores().getOrDefault("generator", Double.NaN) * 1e6 / c.perSecond();
    }

    private void table(HttpThroughput.Result r) {
        String etcd = r.etcdVersion() == null ? "etcd" : "etcd " + r.etcdVersion();
        md.append("| request | cluster-mode | p50 ms | p99 ms | errors | ").append(etcd)
                .append(" | p50 ms | p99 ms | errors | cluster-mode / etcd |\n");
        md.append("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: |\n");
        for (ThroughputCase c : ThroughputCase.values()) {
            HttpLoadResult ours = r.ours().get(c);
            HttpLoadResult theirs = r.etcd().get(c);
            md.append("| ").append(c.label()).append(" | ").append(cells(ours, c)).append(" | ")
                    .append(cells(theirs, c)).append(" | ")
                    .append(ours == null || theirs == null ? "–" : fmt("%.2f", ours.perSecond() / theirs.perSecond()))
                    .append(" |\n");
        }
        md.append('\n');
    }

    private static String cells(HttpLoadResult r, ThroughputCase c) {
        if (r == null) {
            return "– | – | – | –";
        }
        return fmt("%,.0f ", r.perSecond()) + c.unit() + " | " + ms(r.p50Millis()) + " | " + ms(r.p99Millis())
                + " | " + r.errorsText();
    }

    private void cpu(HttpThroughput.Result r) {
        md.append("CPU used in each measured window, in cores (from `/proc/PID/stat`; *follower 1* is the node asked"
                + " in the rows through a secondary; *rest of the machine*: all CPUs' non-idle time in `/proc/stat`"
                + " beyond these four processes, that is kernel work not charged to them and any other program that"
                + " ran meanwhile on this shared machine), and the CPU the four spent per successful request:\n\n");
        md.append("| row | system |");
        HttpThroughput.PROCESSES.forEach(p -> md.append(' ').append(p).append(" |"));
        md.append(" these four | rest of the machine | µs of CPU per request |\n| --- | --- |");
        HttpThroughput.PROCESSES.forEach(p -> md.append(" ---: |"));
        md.append(" ---: | ---: | ---: |\n");
        if (r.ceiling() != null) {
            cpuRow("GET /health (ceiling)", "cluster-mode", r.ceiling());
        }
        for (ThroughputCase c : ThroughputCase.values()) {
            if (r.ours().containsKey(c)) {
                cpuRow(c.label(), "cluster-mode", r.ours().get(c));
            }
            if (r.etcd().containsKey(c)) {
                cpuRow(c.label(), "etcd", r.etcd().get(c));
            }
        }
        md.append('\n');
        disturbed(r);
    }

    private void cpuRow(String row, String system, HttpLoadResult load) {
        md.append("| ").append(row).append(" | ").append(system).append(" |");
        for (String p : HttpThroughput.PROCESSES) {
            md.append(' ').append(fmt("%.2f", load.cpuCores().getOrDefault(p, Double.NaN))).append(" |");
        }
        md.append(' ').append(fmt("%.2f", load.processCores())).append(" | ").append(fmt("%.2f", load.otherCores()))
                .append(" | ").append(fmt("%.0f", load.cpuMicrosPerRequest())).append(" |\n");
    }

    /** Rows in which other work took a noticeable share of the machine: said, not hidden. */
    private void disturbed(HttpThroughput.Result r) {
        List<String> rows = new ArrayList<>();
        disturbed(rows, "the ceiling", r.ceiling());
        for (ThroughputCase c : ThroughputCase.values()) {
            disturbed(rows, "cluster-mode " + c.label(), r.ours().get(c));
            disturbed(rows, "etcd " + c.label(), r.etcd().get(c));
        }
        if (!rows.isEmpty()) {
            md.append("Other work took more than ").append(fmt("%.2f", DISTURBED_CORES))
                    .append(" cores of the machine in these rows (cores in brackets), whose figures are lower than"
                            + " a quiet machine would give: ").append(String.join(", ", rows)).append(".\n\n");
        }
    }

    private static void disturbed(List<String> rows, String name, HttpLoadResult load) {
        if (load != null && load.otherCores() > DISTURBED_CORES) {
            rows.add(name + " (" + fmt("%.2f", load.otherCores()) + ")");
        }
    }

    private void targets(HttpThroughput.Result r) {
        List<ThroughputTargets.Target> targets = ThroughputTargets.evaluate(r);
        md.append("The targets of issue 12 (\"Fast\"):\n\n| target | measured | met |\n| --- | --- | :---: |\n");
        for (ThroughputTargets.Target t : targets) {
            md.append("| ").append(t.target()).append(" | ").append(t.measured()).append(" | ")
                    .append(t.met() == null ? "not measured" : t.met() ? "yes" : "**no**").append(" |\n");
        }
        md.append('\n');
    }

    private static String ms(double millis) {
        if (Double.isNaN(millis)) {
            return "–";
        }
        return millis < 10 ? fmt("%.2f", millis) : millis < 100 ? fmt("%.1f", millis) : fmt("%,.0f", millis);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
