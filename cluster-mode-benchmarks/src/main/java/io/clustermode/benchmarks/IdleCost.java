package io.clustermode.benchmarks;

import io.clustermode.cli.ClusterInfo;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cost of a formed, idle cluster of three node processes: CPU per node (user + system
 * time from {@code /proc/PID/stat}), resident memory ({@code VmRSS} of {@code /proc/PID/status})
 * and the bytes each node sends to the others per second (the {@code cluster_mode_transport_bytes}
 * counter of its {@code /metrics}: encoded Raft messages, without framing and TCP/IP headers).
 */
public final class IdleCost {

    /**
     * One node's cost.
     *
     * @param nodeId         the node
     * @param role           its role at the end
     * @param cpuPercent     percent of one core over the measured interval
     * @param jitPercent     the part of it spent by the JIT compiler threads (start-up work that
     *                       is not finished after the settling time: code run ten times a second
     *                       takes minutes to become hot)
     * @param rssMiB         resident memory at the end, MiB
     * @param sentPerSecond  Raft message bytes it sent per second
     */
    public record Row(String nodeId, String role, double cpuPercent, double jitPercent, double rssMiB,
                      double sentPerSecond) {
    }

    /**
     * How long the formed cluster is left alone before measuring: a fresh JVM spends its first
     * minutes compiling hot code (at ten heartbeats a second, code takes that long to become
     * hot), which is start-up cost, not cost at rest. Measured by hand: 0.88-1.45 % of a core
     * (0.12-0.55 of it JIT) three minutes after start, 0.55-0.73 % (0.07-0.08 JIT) after ten.
     */
    public static final int SETTLE_SECONDS = 600;

    /** The measurement: how long the cluster settled, how long it was measured, one row per node. */
    public record Result(int settleSeconds, int seconds, List<Row> rows) {
    }

    private static final Pattern SENT = Pattern.compile(
            "(?m)^cluster_mode_transport_bytes_total\\{[^}]*direction=\"sent\"[^}]*}\\s+(\\S+)");
    /** Clock ticks per second of /proc/PID/stat; 100 on every Linux this runs on (USER_HZ). */
    private static final double TICKS = 100;

    private IdleCost() {
    }

    /** Forms a cluster, lets it settle for {@code settleSeconds}, then measures {@code seconds}. */
    public static Result run(int settleSeconds, int seconds, Path dir, List<String> hosts)
            throws IOException, InterruptedException {
        try (ClusterProcesses cluster = new ClusterProcesses(3, Timeouts.DEFAULT, dir, hosts)) {
            cluster.startAll();
            if (new ClusterWatch(cluster).awaitHealthy(120_000, 500) == null) {
                throw new IllegalStateException("the idle cluster formed no healthy primary within 120 s");
            }
            Thread.sleep(settleSeconds * 1000L);
            int n = cluster.size();
            long[] ticks = new long[n];
            long[] jitTicks = new long[n];
            double[] sent = new double[n];
            for (int i = 0; i < n; i++) {
                ticks[i] = cpuTicks(cluster.pid(i));
                jitTicks[i] = jitTicks(cluster.pid(i));
                sent[i] = sentBytes(cluster.metrics(i));
            }
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double elapsed = (System.nanoTime() - start) / 1e9;
            ClusterInfo[] infos = cluster.poll(1000);
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double cpu = (cpuTicks(cluster.pid(i)) - ticks[i]) / TICKS / elapsed * 100;
                double jit = (jitTicks(cluster.pid(i)) - jitTicks[i]) / TICKS / elapsed * 100;
                double bytes = (sentBytes(cluster.metrics(i)) - sent[i]) / elapsed;
                Row row = new Row(cluster.nodes().get(i).id(), infos[i] == null ? "?" : infos[i].role(), cpu, jit,
                        rssKiB(cluster.pid(i)) / 1024.0, bytes);
                System.out.printf(Locale.ROOT, "  idle %s (%s): %.2f%% of a core (JIT %.2f%%), %.0f MiB resident,"
                        + " %.0f bytes/s sent%n", row.nodeId(), row.role(), row.cpuPercent(), row.jitPercent(), row.rssMiB(),
                        row.sentPerSecond());
                rows.add(row);
            }
            return new Result(settleSeconds, seconds, rows);
        }
    }

    /** utime + stime of a process, in clock ticks (fields 14 and 15, after the command in parentheses). */
    static long cpuTicks(long pid) throws IOException {
        return cpuTicks(Path.of("/proc/" + pid + "/stat"));
    }

    private static long cpuTicks(Path statFile) throws IOException {
        String stat = Files.readString(statFile);
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** utime + stime of the JIT compiler threads ({@code C1/C2 CompilerThread*}) of a process, in clock ticks. */
    static long jitTicks(long pid) throws IOException {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                try {
                    // comm is cut to 15 characters: "C2 CompilerThre"
                    if (Files.readString(task.resolve("comm")).contains("CompilerThre")) {
                        sum += cpuTicks(task.resolve("stat"));
                    }
                } catch (IOException gone) {
                    // a thread that ended meanwhile
                }
            }
        }
        return sum;
    }

    static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    /** The sum of a node's sent-bytes counters (all message types); NaN when it did not answer. */
    static double sentBytes(String metrics) {
        if (metrics == null) {
            return Double.NaN;
        }
        double sum = 0;
        Matcher m = SENT.matcher(metrics);
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }
}
