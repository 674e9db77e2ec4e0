package io.clustermode.faults;

import io.clustermode.linearizability.History;
import io.clustermode.linearizability.LinearizabilityChecker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {

    @Test
    void a_clean_run_prints_its_summary_and_keeps_nothing(@TempDir Path dir) {
        History h = new Hist().put(1, "a", 0, 10).putUnknown(2, "b", 5, 20).putFailed(3, "c", 5, 8).get(1, "a", 30, 40).build();
        RunReport report = new RunReport(7, h, 3, "nemesis schedule, seed 7\n",
                new LinearizabilityChecker().check(h), List.of(PrimaryPerTermChecker.check(List.of())));
        assertThat(report.summaryLine()).isEqualTo("faults: seed 7: 4 ops (ok 2, failed 1, unknown 1), 3 faults, 0 violations");
        assertThat(report.keepIfNotClean(dir, List.of())).isEmpty();
    }

    @Test
    void a_real_run_also_counts_faults_by_kind_and_the_longest_time_without_a_primary() {
        History h = new Hist().put(1, "a", 0, 10).build();
        RunReport report = new RunReport(5, h, 3, "", new LinearizabilityChecker().check(h), List.of(),
                java.util.Map.of("kill-primary", 2, "bridge", 1), java.util.Optional.of(java.time.Duration.ofMillis(1234)));
        assertThat(report.summaryLine()).isEqualTo("faults: seed 5: 1 ops (ok 1, failed 0, unknown 0), 3 faults"
                + " (bridge 1, kill-primary 2), 0 violations, longest without a primary after a heal 1234 ms");
    }

    @Test
    void a_violation_keeps_history_schedule_summary_and_logs_in_a_folder_named_by_seed(@TempDir Path dir) throws Exception {
        History h = new Hist().put(1, "a", 0, 10).put(2, "b", 20, 30).get(3, "a", 40, 50).build();
        Path log = Files.writeString(dir.resolve("node-1.log"), "started\n");
        RunReport report = new RunReport(11, h, 1, "nemesis schedule, seed 11\n",
                new LinearizabilityChecker().check(h),
                List.of(PrimaryPerTermChecker.check(List.of(new InfoSample("n1", "PRIMARY", 3, 0),
                        new InfoSample("n2", "PRIMARY", 3, 1)))));
        assertThat(report.violations()).isEqualTo(2);
        Path kept = report.keepIfNotClean(dir.resolve("runs"), List.of(log)).orElseThrow();
        assertThat(kept.getFileName().toString()).startsWith("seed-11-");
        assertThat(History.load(kept.resolve("history.txt")).operations()).isEqualTo(h.operations());
        assertThat(Files.readString(kept.resolve("summary.txt"))).contains("2 violations", "key k", "term 3 had 2 primaries");
        assertThat(kept.resolve("schedule.txt")).content().contains("seed 11");
        assertThat(kept.resolve("logs/node-1.log")).exists();
    }
}
