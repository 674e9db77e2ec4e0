package io.clustermode.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure pieces of the spring-failover part: the runs file and logs read into figures, the overlap check, the section. */
class SpringFailoverPiecesTest {

    private static final long BOUND = 30_000;
    private static final MachineInfo MACHINE = new MachineInfo("Test CPU", 2, "24.0 GiB", "6.1", "Debian", "JDK 17",
            "2026-12-05 10:00 UTC", "abc123", "0.10 0.20 0.30");

    /** A starter log line as Spring Boot's default pattern writes it. */
    private static String granted(String time, String node, long term) {
        return time + "  INFO 12133 --- [spring-scheduler] [-mode-" + node + "-events] io.clustermode.spring.ClusterLifecycle"
                + "   : cluster-mode: node " + node + " is the primary in term " + term
                + ": @PrimaryOnly methods run here";
    }

    private static String elected(String time, String node, long term) {
        return time + "  INFO 12133 --- [spring-scheduler] [cluster-mode-" + node + "] io.clustermode.runtime.RaftNode"
                + "          : node " + node + " term " + term + ": LEADER (leader " + node + ") - won the election";
    }

    private static String revoked(String time, String node, long term) {
        return time + "  INFO 12133 --- [spring-scheduler] [ionShutdownHook] io.clustermode.spring.ClusterLifecycle"
                + "   : cluster-mode: node " + node + " is no longer the primary of term " + term
                + " (the application context is closing): @PrimaryOnly methods stop";
    }

    /** Epoch milliseconds of 2026-12-05T09:08:00.000Z, and the ISO time {@code millis} after it. */
    private static final long T0 = java.time.Instant.parse("2026-12-05T09:08:00Z").toEpochMilli();

    private static String at(long millis) {
        return java.time.Instant.ofEpochMilli(T0 + millis).toString();
    }

    private static String run(long token, String node, long millis) {
        return token + " " + node + " " + (T0 + millis);
    }

    @Test
    void when_the_primary_is_killed_then_the_time_runs_from_the_signal_to_the_first_run_of_another_node() {
        List<String> runs = List.of(run(3, "n1", 1000), run(3, "n1", 1100), run(3, "n1", 1200), run(4, "n2", 1370),
                run(4, "n2", 1470));
        SchedulerRuns.Signal kill = new SchedulerRuns.Signal(Disruption.KILL, "n1", T0 + 1250);
        SchedulerRuns.Analysis a = SchedulerRuns.analyze(runs, List.of(kill),
                List.of("some other line", granted(at(1310), "n2", 4), elected(at(1300), "n2", 4)), BOUND);

        SchedulerRuns.Trial trial = a.trials().get(0);
        assertThat(trial.failed()).isFalse();
        assertThat(trial.victimToken()).isEqualTo(3);
        assertThat(trial.taken().node()).isEqualTo("n2");
        assertThat(trial.takeoverMillis()).isEqualTo(120.0);
        assertThat(trial.electionMillis()).isEqualTo(50.0);
        assertThat(trial.notifyMillis()).isEqualTo(10.0);
        assertThat(trial.tickMillis()).isEqualTo(60.0);
        assertThat(trial.revokedMillis()).isNaN();
        assertThat(trial.describe()).isEqualTo("n1 -> n2 in 120 ms (token 3 -> 4; n2 elected at 50 ms, granted at 60"
                + " ms, first run at 120 ms)");
        assertThat(a.takeover(Disruption.KILL).percentile(0.5)).isEqualTo(120.0);
        assertThat(a.takeover(Disruption.HANDOFF).trials()).isZero();
        assertThat(a.overlap().passed()).isTrue();
        assertThat(a.overlap().shortestGapMillis()).isEqualTo(170.0);
    }

    @Test
    void after_sigterm_the_stopping_primarys_own_late_runs_do_not_count_and_the_hand_over_is_read_from_the_logs() {
        List<String> runs = List.of(run(4, "n2", 900), run(4, "n2", 1005), run(5, "n3", 1080), run(5, "n3", 1180));
        SchedulerRuns.Signal term = new SchedulerRuns.Signal(Disruption.HANDOFF, "n2", T0 + 1000);
        SchedulerRuns.Trial trial = SchedulerRuns.analyze(runs, List.of(term),
                List.of(revoked(at(1015), "n2", 4), elected(at(1040), "n3", 5), granted(at(1050), "n3", 5),
                        granted(at(10), "n2", 4), elected(at(5), "n2", 4)), BOUND).trials().get(0);

        assertThat(trial.takeoverMillis()).isEqualTo(80.0);
        assertThat(trial.revokedMillis()).isEqualTo(15.0);
        assertThat(trial.electionMillis()).as("the hand-over: stopped -> elected").isEqualTo(25.0);
        assertThat(trial.notifyMillis()).isEqualTo(10.0);
        assertThat(trial.tickMillis()).isEqualTo(30.0);
        assertThat(trial.describe()).isEqualTo("n2 -> n3 in 80 ms (token 4 -> 5; n2 stopped its job after 15 ms; n3"
                + " elected at 40 ms, granted at 50 ms, first run at 80 ms)");
    }

    @Test
    void a_trial_without_a_run_elsewhere_before_the_next_signal_or_the_bound_is_failed_and_counted() {
        List<String> runs = List.of(run(3, "n1", 1000), run(3, "n1", 1100), run(4, "n2", 40_000), run(4, "n2", 40_100));
        List<SchedulerRuns.Signal> signals = List.of(new SchedulerRuns.Signal(Disruption.KILL, "n1", T0 + 1150),
                new SchedulerRuns.Signal(Disruption.KILL, "n1", T0 + 50_000));
        SchedulerRuns.Analysis a = SchedulerRuns.analyze(runs, signals, List.of(), BOUND);

        assertThat(a.trials()).extracting(SchedulerRuns.Trial::failure).containsExactly(
                "no run elsewhere within 30000 ms", "the job last ran at n2, not at n1");
        Stats kill = a.takeover(Disruption.KILL);
        assertThat(kill.trials()).isEqualTo(2);
        assertThat(kill.failed()).isEqualTo(2);
        assertThat(kill.count()).isZero();
    }

    @Test
    void the_next_signal_ends_the_search_so_a_later_run_is_not_taken_for_this_trials() {
        List<String> runs = List.of(run(3, "n1", 1000), run(4, "n2", 2000), run(5, "n3", 3000));
        List<SchedulerRuns.Signal> signals = List.of(new SchedulerRuns.Signal(Disruption.KILL, "n1", T0 + 1500),
                new SchedulerRuns.Signal(Disruption.KILL, "n2", T0 + 2500));
        SchedulerRuns.Analysis a = SchedulerRuns.analyze(runs, signals, List.of(), BOUND);
        assertThat(a.trials()).extracting(SchedulerRuns.Trial::takeoverMillis).containsExactly(500.0, 500.0);
        assertThat(a.trials().get(1).taken().node()).isEqualTo("n3");
    }

    @Test
    void a_token_that_goes_back_in_the_file_is_found() {
        SchedulerRuns.Overlap o = SchedulerRuns.analyze(List.of(run(5, "n1", 1000), run(6, "n2", 1100),
                run(5, "n1", 1050)), List.of(), List.of(), BOUND).overlap();
        assertThat(o.tokensBack()).isEqualTo(1);
        assertThat(o.passed()).isFalse();
        assertThat(o.examples().get(0)).startsWith("token went back: line 3 '5 n1 ");
    }

    @Test
    void a_token_written_by_two_nodes_is_found() {
        SchedulerRuns.Overlap o = SchedulerRuns.analyze(List.of(run(5, "n1", 1000), run(5, "n2", 1100)),
                List.of(), List.of(), BOUND).overlap();
        assertThat(o.sharedTokens()).isEqualTo(1);
        assertThat(o.tokensBack()).isZero();
        assertThat(o.passed()).isFalse();
        assertThat(o.examples()).contains("token 5 written by n1 and n2");
    }

    @Test
    void periods_that_overlap_in_time_are_found_even_when_the_tokens_are_in_order_in_the_file() {
        // n1 still ran at 1200 while n2 had run since 1100: appended in token order, but at once.
        SchedulerRuns.Overlap o = SchedulerRuns.analyze(List.of(run(5, "n1", 1000), run(5, "n1", 1200),
                run(6, "n2", 1100), run(6, "n2", 1300)), List.of(), List.of(), BOUND).overlap();
        assertThat(o.tokensBack()).isZero();
        assertThat(o.sharedTokens()).isZero();
        assertThat(o.overlaps()).isEqualTo(1);
        assertThat(o.passed()).isFalse();
    }

    @Test
    void periods_that_touch_at_one_millisecond_do_not_overlap_and_one_node_twice_is_no_overlap() {
        SchedulerRuns.Overlap o = SchedulerRuns.analyze(List.of(run(5, "n1", 1000), run(5, "n1", 1200),
                run(6, "n2", 1200), run(6, "n2", 1300), run(7, "n2", 1400), run(8, "n1", 1450)), List.of(), List.of(),
                BOUND).overlap();
        assertThat(o.passed()).isTrue();
        assertThat(o.runs()).isEqualTo(6);
        assertThat(o.tokens()).isEqualTo(4);
        assertThat(o.nodes()).isEqualTo(2);
        assertThat(o.shortestGapMillis()).isEqualTo(0.0);
    }

    @Test
    void lines_that_are_no_run_are_kept_apart_and_shown() {
        SchedulerRuns.Analysis a = SchedulerRuns.analyze(List.of(run(5, "n1", 1000), "5 n1", "garbage here now", ""),
                List.of(), List.of(), BOUND);
        assertThat(a.overlap().runs()).isEqualTo(1);
        assertThat(a.unreadable()).containsExactly("5 n1", "garbage here now");
    }

    @Test
    void log_lines_are_read_with_their_offset_and_other_lines_are_passed_over() {
        assertThat(SchedulerRuns.logEvent(granted("2026-12-05T10:08:12.754+01:00", "n1", 2)))
                .contains(new SchedulerRuns.LogEvent("n1", SchedulerRuns.Happened.GRANTED, 2, T0 + 12_754));
        assertThat(SchedulerRuns.logEvent(revoked("2026-12-05T09:08:42.936Z", "n2", 3)))
                .contains(new SchedulerRuns.LogEvent("n2", SchedulerRuns.Happened.REVOKED, 3, T0 + 42_936));
        assertThat(SchedulerRuns.logEvent(elected("2026-12-05T09:08:28.105Z", "n2", 3)))
                .contains(new SchedulerRuns.LogEvent("n2", SchedulerRuns.Happened.ELECTED, 3, T0 + 28_105));
        assertThat(SchedulerRuns.logEvent("2026-12-05T09:08:28.103Z  INFO 12134 --- [spring-scheduler]"
                + " [cluster-mode-n3] io.clustermode.runtime.RaftNode : node n3 term 3: FOLLOWER (leader unknown)"
                + " - saw term 3 from n2")).isEmpty();
        assertThat(SchedulerRuns.logEvent("  at cluster-mode: node n1 is the primary in term 2: x")).isEmpty();
    }

    @Test
    void the_three_agree_when_they_name_one_primary_of_one_term_with_three_voters_and_it_ran_the_job_last() {
        SchedulerProcesses.View[] views = {
            new SchedulerProcesses.View("n1", "SECONDARY", 7, "n2", 3),
            new SchedulerProcesses.View("n2", "PRIMARY", 7, "n2", 3),
            new SchedulerProcesses.View("n3", "SECONDARY", 7, "n2", 3)};
        assertThat(SpringFailover.agreement(views, new SchedulerRuns.Run(7, "n2", 1))).isEqualTo("n2 7");
        assertThat(SpringFailover.agreement(views, new SchedulerRuns.Run(6, "n1", 1))).isNull();
        assertThat(SpringFailover.agreement(views, null)).isNull();
        SchedulerProcesses.View[] back = views.clone();
        back[0] = new SchedulerProcesses.View("n1", "SECONDARY", 7, "n2", 2);
        assertThat(SpringFailover.agreement(back, new SchedulerRuns.Run(7, "n2", 1))).isNull();
        back[0] = null;
        assertThat(SpringFailover.agreement(back, new SchedulerRuns.Run(7, "n2", 1))).isNull();
    }

    @Test
    void the_actuator_view_is_read_with_its_voters() {
        String json = "{\"nodeId\":\"n1\",\"clusterName\":\"cluster-mode\",\"clusterId\":\"58f7\",\"role\":\"SECONDARY\","
                + "\"term\":3,\"primary\":\"n2\",\"fencingToken\":null,\"commitIndex\":7,\"appliedIndex\":7,\"members\":["
                + "{\"nodeId\":\"n1\",\"address\":\"127.0.0.1:17601\",\"voter\":true,\"role\":\"SECONDARY\"},"
                + "{\"nodeId\":\"n2\",\"address\":\"127.0.0.1:17602\",\"voter\":true,\"role\":\"PRIMARY\"},"
                + "{\"nodeId\":\"n3\",\"address\":\"127.0.0.1:17603\",\"voter\":false,\"role\":\"SECONDARY\"}]}";
        assertThat(SchedulerProcesses.read(json)).isEqualTo(new SchedulerProcesses.View("n1", "SECONDARY", 3, "n2", 2));
        assertThat(SchedulerProcesses.read(json.replace("\"primary\":\"n2\"", "\"primary\":null")).primary()).isNull();
        assertThat(SchedulerProcesses.read("not json")).isNull();
    }

    @Test
    void the_section_gives_the_figures_the_check_and_the_aims_honestly() {
        String md = SpringFailoverSection.markdown(result(List.of(120L, 90L, 1400L), List.of(80L, 130L, 95L)), MACHINE,
                "bin/benchmarks --only spring-failover", false, "1 2 3");
        assertThat(md).startsWith(SpringFailoverSection.BEGIN + "\n").endsWith(SpringFailoverSection.END + "\n")
                .contains("at commit `abc123`").contains("at the end 1 2 3")
                .contains("    java -jar examples/spring-scheduler/target/spring-scheduler.jar --server.port=8080")
                .contains("| kill -9 | 3 | 0 | 120 | 1,400 | 1,400 | 1,400 | 90 |")
                .contains("| SIGTERM | 3 | 0 | 95 | 130 | 130 | 130 | 80 |")
                .contains("| `kill -9` of the primary → the job runs on another instance within 1 s (median), default"
                        + " timeouts | p50 120 ms | yes |")
                .contains("| SIGTERM → within 100 ms (median) | p50 95 ms | yes |")
                .contains("| SIGTERM → within 100 ms (every trial) | max 130 ms | **no** |")
                // six failovers are fewer than the thirty
                .contains("| across 30 failovers no two instances run the job in overlapping periods | 6 failovers:"
                        + " no overlap, tokens never back, one node per token | **no** |")
                .contains("| the tokens never go back, in the order the lines were appended | yes |")
                .contains("- kill -9: 120, 90, 1,400\n- SIGTERM: 80, 130, 95\n")
                .contains("exit code 143 (128 + SIGTERM) × 3")
                .contains("closed its connections) p50 45 ms, max 50 ms after the signal.")
                .contains("| kill -9 | – (killed) | – | – | – | – |") // no logs here: the steps are unknown
                .doesNotContain("--quick");
    }

    @Test
    void a_run_of_this_part_alone_replaces_its_section_and_keeps_the_others(@TempDir Path dir) throws IOException {
        String marker = ReportWriter.MARKER;
        String old = "# Benchmarks\n\n## Failover\n\nfigures\n\n" + HttpThroughputSection.BEGIN + "\nhttp\n"
                + HttpThroughputSection.END + "\n\n## Reproducing it\n\nhow\n\n" + marker + "\nby hand\n";
        Files.writeString(dir.resolve("benchmarks.md"), old);
        BenchmarkOptions only = BenchmarkOptions.parse(new String[] {"--only", "spring-failover", "--out",
                dir.toString()}, Path.of("/repo"));
        BenchmarkResults results = new BenchmarkResults();
        results.springFailover = result(List.of(120L), List.of(80L));
        new ReportWriter(only, MACHINE, results).write();

        String inserted = Files.readString(dir.resolve("benchmarks.md"));
        String section = SpringFailoverSection.markdown(results.springFailover, MACHINE,
                "bin/benchmarks --only spring-failover --out " + dir, false, results.loadAverageAtEnd);
        assertThat(inserted).isEqualTo(old.replace("## Reproducing it", section + "\n## Reproducing it"));

        results.springFailover = result(List.of(150L), List.of(70L));
        new ReportWriter(only, MACHINE, results).write();
        String replaced = Files.readString(dir.resolve("benchmarks.md"));
        assertThat(replaced).contains("- kill -9: 150\n").doesNotContain("- kill -9: 120\n")
                .contains(HttpThroughputSection.BEGIN + "\nhttp\n").endsWith(marker + "\nby hand\n");
        assertThat(replaced.split(java.util.regex.Pattern.quote(SpringFailoverSection.BEGIN), -1)).hasSize(2);
    }

    @Test
    void the_part_has_its_name_and_its_trials() {
        Path root = Path.of("/repo");
        assertThat(BenchmarkOptions.PARTS).contains("spring-failover");
        BenchmarkOptions only = BenchmarkOptions.parse(new String[] {"--only", "spring-failover"}, root);
        assertThat(only.parts()).containsExactly("spring-failover");
        assertThat(only.trials()).isEqualTo(30);
        assertThat(only.keepWork()).isFalse();
        assertThat(BenchmarkOptions.parse(new String[] {"--quick", "--keep-work"}, root).trials()).isEqualTo(3);
        assertThat(BenchmarkOptions.parse(new String[] {"--keep-work"}, root).keepWork()).isTrue();
    }

    /** A result with one trial per figure given, each a clean handover from one node to the next. */
    private static SpringFailover.Result result(List<Long> kills, List<Long> terms) {
        List<String> runs = new java.util.ArrayList<>();
        List<SchedulerRuns.Signal> signals = new java.util.ArrayList<>();
        long token = 1;
        long now = 0;
        String node = "n1";
        runs.add(run(token, node, now));
        for (Disruption d : List.of(Disruption.KILL, Disruption.HANDOFF)) {
            for (long millis : d == Disruption.KILL ? kills : terms) {
                now += 10_000;
                signals.add(new SchedulerRuns.Signal(d, node, T0 + now));
                node = node.equals("n1") ? "n2" : "n1";
                runs.add(run(++token, node, now + millis));
            }
        }
        SchedulerRuns.Analysis a = SchedulerRuns.analyze(runs, signals, List.of(), BOUND);
        return new SpringFailover.Result(a, kills.size(), "java -jar examples/spring-scheduler/target/spring-scheduler.jar"
                + " --server.port=8080 --cluster-mode.node-id=n1", 31.5, Stats.of(List.of(40.0, 50.0, 45.0), 0),
                Stats.of(List.of(400.0, 500.0, 450.0), 0),
                Map.of(143, terms.size()), 1.5, 3.25, List.of());
    }
}
