package io.clustermode.faults.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The options of one fault-injection run, as {@code bin/fault-injection} takes them and as the
 * launcher hands them to the driver inside the namespace.
 *
 * @param seed              decides the nemesis schedule and the workload's choices
 * @param duration          how long faults are injected (then everything is healed)
 * @param nodes             node processes (at least 3)
 * @param electionTimeoutMs the nodes' {@code --election-timeout}; fault lengths scale with it
 * @param root              the repository root (where {@code cluster-mode-cli/target} is)
 * @param keepDir           where a run with a violation is kept
 * @param namespace         the namespace to join (driver only; null for the launcher)
 * @param canary            null, or {@value #STALE_READS}: the workload reads stale, so the run
 *                          must find violations (proof that the whole run can fail)
 * @param keepAlways        keep the run's folder even when it is clean ({@code --keep}), to study
 *                          its logs
 */
public record RunOptions(long seed, Duration duration, int nodes, long electionTimeoutMs, Path root, Path keepDir,
                         String namespace, String canary, boolean keepAlways) {

    /** The one canary: reads with {@code ?consistency=stale}. */
    public static final String STALE_READS = "stale-reads";

    /** The usage text. */
    public static final String USAGE = "usage: fault-injection [--duration 10m] [--seed 1] [--nodes 5]"
            + " [--election-timeout 1000] [--keep-dir fault-runs] [--keep] [--canary stale-reads]";

    public RunOptions {
        if (nodes < 3 || nodes > 9) {
            throw new IllegalArgumentException("--nodes: 3 to 9, not " + nodes);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("--duration must be positive");
        }
        if (electionTimeoutMs < 100) {
            throw new IllegalArgumentException("--election-timeout: at least 100 ms");
        }
        if (canary != null && !canary.equals(STALE_READS)) {
            throw new IllegalArgumentException("--canary: the one canary is " + STALE_READS + ", not " + canary);
        }
    }

    /** Parses {@code --name value} pairs; unknown names and bad values fail with a message. */
    public static RunOptions parse(String[] args, Path defaultRoot) {
        long seed = 1;
        Duration duration = Duration.ofMinutes(1);
        int nodes = 5;
        long electionTimeout = 1000;
        Path root = defaultRoot;
        Path keep = null;
        String namespace = null;
        String canary = null;
        boolean keepAlways = false;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--keep")) {
                keepAlways = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value; " + USAGE);
            }
            String value = args[++i];
            try {
                switch (name) {
                    case "--seed":
                        seed = Long.parseLong(value);
                        break;
                    case "--duration":
                        duration = duration(value);
                        break;
                    case "--nodes":
                        nodes = Integer.parseInt(value);
                        break;
                    case "--election-timeout":
                        electionTimeout = Long.parseLong(value);
                        break;
                    case "--root":
                        root = Path.of(value).toAbsolutePath();
                        break;
                    case "--keep-dir":
                        keep = Path.of(value).toAbsolutePath();
                        break;
                    case "--namespace":
                        namespace = value;
                        break;
                    case "--canary":
                        canary = value;
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option " + name + "; " + USAGE);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": not a number: " + value);
            }
        }
        if (root == null) {
            throw new IllegalArgumentException("--root: the repository root is needed");
        }
        return new RunOptions(seed, duration, nodes, electionTimeout, root,
                keep == null ? Path.of("fault-runs").toAbsolutePath() : keep, namespace, canary, keepAlways);
    }

    /** {@code 90s}, {@code 10m}, {@code 1h}, {@code 500ms}, or plain seconds. */
    static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--duration: not a duration: " + text + " (e.g. 90s, 10m)");
        }
    }

    /** The same options for the driver, which joins {@code ns}. */
    public List<String> driverArgs(String ns) {
        List<String> out = new ArrayList<>(List.of("--seed", Long.toString(seed), "--duration",
                duration.toMillis() + "ms", "--nodes", Integer.toString(nodes), "--election-timeout",
                Long.toString(electionTimeoutMs), "--root", root.toString(), "--keep-dir", keepDir.toString(),
                "--namespace", ns));
        if (canary != null) {
            out.addAll(List.of("--canary", canary));
        }
        if (keepAlways) {
            out.add("--keep");
        }
        return out;
    }
}
