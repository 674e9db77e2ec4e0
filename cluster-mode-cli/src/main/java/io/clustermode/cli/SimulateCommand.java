package io.clustermode.cli;

import io.clustermode.raft.Canary;
import io.clustermode.simulation.Schedule;
import io.clustermode.simulation.Simulator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code cluster-mode simulate}: the deterministic simulation of the Raft core. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        header = "Runs the deterministic simulation of the Raft core and reports violations.",
        description = {"Runs the deterministic simulation of the Raft core: seeded schedules of partitions,",
                "message loss, crashes and torn writes under a workload, with Raft's invariants checked",
                "after every step. The last line is 'simulate: <N> schedules, <V> violations'.",
                "Exit code 0 when there are no violations, 1 when there are, 2 for bad options."})
final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--seeds", paramLabel = "N", description = "run N schedules, seeds 1 to N (default: 1000)")
    Integer seeds;

    @Option(names = "--seed", paramLabel = "S", description = "run the single schedule of seed S")
    Long seed;

    @Option(names = "--canary", paramLabel = "NAME",
            description = "break one safety rule on purpose, to show the simulation catches it (see --list-canaries)")
    String canary;

    @Option(names = "--list-canaries", description = "name the canaries and exit")
    boolean listCanaries;

    @Option(names = "--trace", description = "with --seed: print every step of the schedule")
    boolean trace;

    @Option(names = "--hashes", description = "print a hash of every step of each schedule, one line per seed"
            + " ('seed S <hash>'): two builds that print the same lines ran the same schedules step for step")
    boolean hashes;

    @Option(names = "--threads", paramLabel = "T", description = "worker threads (default: the number of cores)")
    Integer threads;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        if (listCanaries) {
            for (Canary c : Canary.values()) {
                out.println(canaryName(c));
            }
            return 0;
        }
        if (seeds != null && seed != null) {
            throw usage("--seeds and --seed exclude each other");
        }
        if (seeds != null && seeds <= 0) {
            throw usage("--seeds must be positive, was " + seeds);
        }
        if (trace && seed == null) {
            throw usage("--trace needs --seed");
        }
        if (trace && hashes) {
            throw usage("--trace and --hashes exclude each other");
        }
        if (threads != null && threads <= 0) {
            throw usage("--threads must be positive, was " + threads);
        }
        Set<Canary> canaries = canary == null ? Set.of() : EnumSet.of(parseCanary(canary));
        long first = seed != null ? seed : Simulator.FIRST_SEED;
        int count = seed != null ? 1 : seeds != null ? seeds : 1000;
        Simulator.Summary summary;
        if (trace) {
            Schedule.Result result = Schedule.run(seed, canaries, out::println);
            summary = new Simulator.Summary(1, result.failed() ? java.util.List.of(result) : java.util.List.of(),
                    result.writesAcknowledged(), result.readsServed(), result.messages(), result.faults(), 0,
                    java.util.List.of());
        } else {
            int workers = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            summary = Simulator.run(first, count, canaries, workers, hashes);
        }
        summary.hashes().forEach(out::println);
        report(summary, out);
        return summary.violations().isEmpty() ? 0 : 1;
    }

    private void report(Simulator.Summary summary, PrintStream out) {
        boolean first = true;
        for (Schedule.Result violation : summary.violations()) {
            out.println("violation: seed " + violation.seed() + ": " + violation.detail());
            if (first) {
                out.println("  last steps (time, node, input | node status after it):");
                violation.trace().forEach(line -> out.println("    " + line));
                out.println("  nodes at the violation:");
                violation.status().forEach(line -> out.println("    " + line));
                out.println("  replay: bin/cluster-mode simulate --seed " + violation.seed()
                        + (canary == null ? "" : " --canary " + canary) + " --trace");
                first = false;
            }
        }
        double seconds = Math.max(summary.elapsedMillis(), 1) / 1000.0;
        out.printf(Locale.ROOT, "ran %d schedules in %.1f s (%.0f schedules/s): %d writes acknowledged, %d reads "
                        + "served, %d messages, %d faults injected%n", summary.schedules(), seconds,
                summary.schedules() / seconds, summary.writesAcknowledged(), summary.readsServed(),
                summary.messages(), summary.faults());
        out.println("simulate: " + summary.schedules() + " schedules, " + summary.violations().size() + " violations");
    }

    static String canaryName(Canary canary) {
        return canary.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private Canary parseCanary(String name) {
        String normalized = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return Canary.valueOf(normalized);
        } catch (IllegalArgumentException e) {
            throw usage("unknown canary '" + name + "'; known: "
                    + Arrays.stream(Canary.values()).map(SimulateCommand::canaryName).collect(Collectors.joining(", ")));
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
