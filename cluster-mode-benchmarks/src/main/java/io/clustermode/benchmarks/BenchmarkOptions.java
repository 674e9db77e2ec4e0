package io.clustermode.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The options of {@link BenchmarkReport}.
 *
 * @param parts       which parts run: {@code failover, handoff, coldstart, replication, http-throughput,
 *                    spring-failover, partitions, idle}
 * @param trials      failover and handoff trials per configuration, and spring-failover trials per signal (default 30)
 * @param coldTrials  cold-start trials per configuration (default 10)
 * @param httpWarmup  http-throughput: warm-up seconds of its first loads (default 10)
 * @param httpSeconds http-throughput: measured seconds per row (default 20)
 * @param httpThreads http-throughput: the load generator's event-loop threads (default 1)
 * @param quick       a smoke run: few trials, short loads
 * @param busy        also run the failover trials with a CPU hog
 * @param out         the directory of {@code benchmarks.md} (default {@code docs/})
 * @param netns       set inside the private network namespace made by the parent run
 * @param noNetns     run without a network namespace (no cut-off trials)
 * @param keepWork    keep the work dir (node logs, data dirs, the example's runs file) after the run
 * @param args        the arguments as given, for the report
 */
public record BenchmarkOptions(Set<String> parts, int trials, int coldTrials, int httpWarmup, int httpSeconds,
                               int httpThreads, boolean quick, boolean busy, Path out, String netns, boolean noNetns,
                               boolean keepWork, List<String> args) {

    /** Every part, in the order they run. */
    public static final List<String> PARTS = List.of("failover", "handoff", "coldstart", "replication",
            "http-throughput", "spring-failover", "partitions", "idle");

    /** Parses the command line; an unknown option or part is an {@link IllegalArgumentException}. */
    public static BenchmarkOptions parse(String[] args, Path repository) {
        Set<String> parts = new LinkedHashSet<>(PARTS);
        Integer trials = null;
        Integer coldTrials = null;
        Integer httpWarmup = null;
        Integer httpSeconds = null;
        int httpThreads = 1;
        boolean quick = false;
        boolean busy = false;
        Path out = repository.resolve("docs");
        String netns = null;
        boolean noNetns = false;
        boolean keepWork = false;
        List<String> given = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.equals("--netns")) {
                given.add(a);
            }
            switch (a) {
                case "--only":
                    parts = new LinkedHashSet<>(Arrays.asList(value(args, ++i, a).split(",")));
                    given.add(args[i]);
                    if (!PARTS.containsAll(parts)) {
                        throw new IllegalArgumentException("--only takes some of " + PARTS + ", not " + parts);
                    }
                    break;
                case "--trials":
                    trials = Integer.parseInt(value(args, ++i, a));
                    given.add(args[i]);
                    break;
                case "--cold-trials":
                    coldTrials = Integer.parseInt(value(args, ++i, a));
                    given.add(args[i]);
                    break;
                case "--http-warmup":
                    httpWarmup = Integer.parseInt(value(args, ++i, a));
                    given.add(args[i]);
                    break;
                case "--http-seconds":
                    httpSeconds = Integer.parseInt(value(args, ++i, a));
                    given.add(args[i]);
                    break;
                case "--http-threads":
                    httpThreads = Integer.parseInt(value(args, ++i, a));
                    given.add(args[i]);
                    if (httpThreads < 1 || httpThreads > 2) {
                        throw new IllegalArgumentException("--http-threads takes 1 or 2, not " + httpThreads);
                    }
                    break;
                case "--out":
                    out = Path.of(value(args, ++i, a)).toAbsolutePath();
                    given.add(args[i]);
                    break;
                case "--netns":
                    netns = value(args, ++i, a);
                    break;
                case "--quick":
                    quick = true;
                    break;
                case "--busy":
                    busy = true;
                    break;
                case "--no-netns":
                    noNetns = true;
                    break;
                case "--keep-work":
                    keepWork = true;
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + a + "\n" + usage());
            }
        }
        int t = trials != null ? trials : quick ? 3 : 30;
        int c = coldTrials != null ? coldTrials : quick ? 2 : 10;
        int w = httpWarmup != null ? httpWarmup : quick ? 2 : 10;
        int s = httpSeconds != null ? httpSeconds : quick ? 3 : 20;
        return new BenchmarkOptions(parts, t, c, w, s, httpThreads, quick, busy, out, netns, noNetns,
                keepWork, List.copyOf(given));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** Whether {@code part} runs. */
    public boolean runs(String part) {
        return parts.contains(part);
    }

    /** Seconds each replication row is measured (after a warm-up). */
    public int loadSeconds() {
        return quick ? 2 : 10;
    }

    /** Seconds the idle cluster is measured. */
    public int idleSeconds() {
        return quick ? 10 : 60;
    }

    /** The usage text. */
    public static String usage() {
        return String.join("\n",
                "usage: bin/benchmarks [--only failover,handoff,coldstart,replication,http-throughput,spring-failover,",
                "                             partitions,idle]",
                "                      [--trials N] [--cold-trials N] [--http-warmup S] [--http-seconds S]",
                "                      [--http-threads 1|2] [--quick] [--busy] [--out DIR] [--no-netns] [--keep-work]",
                "  --trials N       failover and handoff trials per configuration, spring-failover trials per signal",
                "                   (default 30; 3 with --quick)",
                "  --cold-trials N  cold starts per configuration (default 10; 2 with --quick)",
                "  --http-warmup S  http-throughput: warm-up of the ceiling and of each cluster's first write row",
                "                   (default 10; 2 with --quick); the other rows warm up at most 5 s",
                "  --http-seconds S http-throughput: seconds measured per row (default 20; 3 with --quick)",
                "  --http-threads N http-throughput: the load generator's event-loop threads, 1 or 2 (default 1)",
                "  --quick          a smoke run: few trials, short loads, 10 s idle",
                "  --busy           also run the failover trials with 2 busy-spinning threads in another process",
                "  --out DIR        where benchmarks.md and benchmarks/*.png go (default docs/)",
                "  --no-netns       no network namespace even as root: the cut-off trials are skipped",
                "  --keep-work      keep the work dir (node logs, data dirs, runs file) instead of deleting it",
                "The report is rewritten with the parts of this run only (what is below its marker line is kept);",
                "--only http-throughput, --only spring-failover, --only partitions (or several of them) replace just their",
                "own sections of an existing report. partitions: one run of six nodes with 64 partitions through a join,",
                "kill -9, a rolling restart and (as root) a cut-off; --quick does not shorten it.",
                "spring-failover runs the example examples/spring-scheduler (bin/benchmarks builds its jar).",
                "http-throughput compares with etcd when `etcd` is on the PATH (Debian: apt-get install etcd-server;",
                "bin/benchmarks installs it when run as root).",
                "Run as root for the network cut-off: the run then happens inside a private network namespace.");
    }
}
