package io.clustermode.faults.run;

import io.clustermode.cli.launch.NodeLauncher;
import io.clustermode.faults.nemesis.NetworkNamespace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one fault-injection run ({@code bin/fault-injection}, and the suite's test): creates a
 * private network namespace, starts the run's driver ({@link FaultRun}) inside it, relays the
 * driver's output line by line, and deletes the namespace afterwards — also when the driver
 * fails or this JVM is stopped (the namespace's shutdown hook kills everything left in it).
 *
 * <p>Needs root, {@code ip} (iproute2) and {@code iptables}; without them it says so and exits
 * with 3. Otherwise its exit code is the driver's: 0 clean, 1 violation, 2 could not run.
 */
public final class FaultInjection {

    /** Exit code when the machine cannot run namespaces and partitions. */
    public static final int UNAVAILABLE = 3;
    /** What is needed, as every skip and refusal says it. */
    public static final String NEEDS = "needs root and iptables (iproute2's ip and iptables, run as root)";

    private FaultInjection() {
    }

    /** {@code bin/fault-injection [--duration 10m] [--seed 1] [--nodes 5] ...}: see {@link RunOptions#USAGE}. */
    public static void main(String[] args) {
        RunOptions options;
        try {
            options = RunOptions.parse(args, findRoot());
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("fault-injection: " + e.getMessage());
            System.exit(FaultRun.CANNOT_RUN);
            return;
        }
        System.exit(run(options, System.out::println));
    }

    /**
     * Runs one run and returns its exit code; every line of the driver's output goes to
     * {@code out} as it comes (the last one starting with {@code faults: seed} is the summary).
     */
    public static int run(RunOptions options, Consumer<String> out) {
        if (!NetworkNamespace.available()) {
            out.accept("faults: skipped: " + NEEDS);
            return UNAVAILABLE;
        }
        // The driver's own limit: the schedule, then recovery, final reads and the checks.
        Duration limit = options.duration().plus(Duration.ofMinutes(10));
        try (NetworkNamespace ns = NetworkNamespace.create(options.nodes())) {
            Process driver = ns.startMerged(NodeLauncher.javaCommand(FaultRun.class.getName(),
                    options.driverArgs(ns.name())));
            Thread relay = new Thread(() -> relay(driver, out), "fault-run-output");
            relay.setDaemon(true);
            relay.start();
            if (!driver.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                out.accept("faults: the run did not end within " + limit.toMinutes() + " min; stopped");
                driver.destroyForcibly();
                driver.waitFor(10, TimeUnit.SECONDS);
                return FaultRun.CANNOT_RUN;
            }
            relay.join(5_000);
            return driver.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.accept("faults: interrupted");
            return FaultRun.CANNOT_RUN;
        }
    }

    private static void relay(Process driver, Consumer<String> out) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                out.accept(line);
            }
        } catch (IOException e) {
            out.accept("faults: lost the driver's output: " + e.getMessage());
        }
    }

    /** The repository root: the nearest directory above the working directory with {@code bin/cluster-mode}. */
    public static Path findRoot() {
        try {
            return NodeLauncher.findRoot();
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "; pass --root", e);
        }
    }

    /** For tests: the options of a run with these values and the defaults otherwise. */
    static RunOptions options(long seed, Duration duration, Path keepDir) {
        return new RunOptions(seed, duration, 5, 1000, findRoot(), keepDir, null, null, false);
    }

    /** The options' command-line form, for messages. */
    static String describe(RunOptions o) {
        return String.join(" ", List.of("--seed", Long.toString(o.seed()), "--duration", o.duration().toSeconds() + "s",
                "--nodes", Integer.toString(o.nodes())));
    }
}
