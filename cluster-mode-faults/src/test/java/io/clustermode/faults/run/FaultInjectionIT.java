package io.clustermode.faults.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.clustermode.faults.nemesis.NetworkNamespace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The short fault-injection suite of {@code ./mvnw verify}: five real node processes
 * ({@code cluster-mode-cli}'s packaged jar) in a private network namespace, a workload, and
 * the nemesis on a fixed set of seeds, 45 seconds of faults each; every checker must pass.
 * Longer runs: {@code bin/fault-injection --duration 10m --seed S}. A failing seed keeps its
 * history and logs under {@code cluster-mode-faults/target/fault-runs/} and names the folder.
 */
class FaultInjectionIT {

    private static final Duration FAULTS = Duration.ofSeconds(45);

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2})
    void a_short_run_finds_no_violation(long seed) {
        Assumptions.assumeTrue(NetworkNamespace.available(), FaultInjection.NEEDS + "; skipped");
        RunOptions options = FaultInjection.options(seed, FAULTS, Path.of("target/fault-runs").toAbsolutePath());
        List<String> lines = new ArrayList<>();
        long start = System.nanoTime();
        int code = FaultInjection.run(options, line -> {
            lines.add(line);
            System.out.println(line);
        });
        System.out.printf("fault injection, seed %d: %d s wall time%n", seed, (System.nanoTime() - start) / 1_000_000_000);
        String summary = lines.stream().filter(l -> l.startsWith("faults: seed ")).reduce((a, b) -> b).orElse("(none)");
        assertThat(code).as("exit code of " + FaultInjection.describe(options) + "; summary: " + summary
                + "\nlast lines:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())))
                .isZero();
        assertThat(summary).contains(" 0 violations").doesNotContain("undecided");
        assertThat(summary).matches("faults: seed " + seed + ": \\d+ ops .* [1-9]\\d* faults .*");
    }
}
