package io.clustermode.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cluster-mode simulate} as CONTRACT.md specifies it: options, last line, exit codes. */
class SimulateCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @BeforeEach
    void capture() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    private List<String> lines() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void clean_schedules_end_with_the_exact_summary_line_and_exit_zero() {
        int code = Main.execute("simulate", "--seeds", "25");
        assertThat(code).isZero();
        assertThat(lines()).last().isEqualTo("simulate: 25 schedules, 0 violations");
        assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("simulate: 25 schedules, 0 violations"
                + System.lineSeparator());
    }

    @Test
    void a_single_seed_runs_one_schedule() {
        assertThat(Main.execute("simulate", "--seed", "77")).isZero();
        assertThat(lines()).last().isEqualTo("simulate: 1 schedules, 0 violations");
    }

    @Test
    void a_canary_is_reported_with_its_seed_and_invariant_and_exits_one() {
        int code = Main.execute("simulate", "--canary", "vote-twice", "--seeds", "200");
        assertThat(code).isEqualTo(1);
        assertThat(lines()).anyMatch(line -> line.startsWith("violation: seed ") && line.contains("election safety"));
        assertThat(lines()).anyMatch(line -> line.contains("replay: bin/cluster-mode simulate --seed"));
        assertThat(lines().get(lines().size() - 1)).matches("simulate: 200 schedules, [1-9][0-9]* violations");
    }

    @Test
    void canaries_are_listed_by_name() {
        assertThat(Main.execute("simulate", "--list-canaries")).isZero();
        assertThat(lines()).contains("vote-twice", "forget-vote", "read-without-quorum");
    }

    @Test
    void bad_options_exit_two_with_a_one_line_reason() {
        assertThat(Main.execute("simulate", "--seeds", "0")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--seeds must be positive");
        err.reset();
        assertThat(Main.execute("simulate", "--canary", "nonsense")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown canary 'nonsense'");
        err.reset();
        assertThat(Main.execute("simulate", "--seeds", "many")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).lines().count()).isEqualTo(1);
        assertThat(Main.execute("simulate", "--no-such-option")).isEqualTo(2);
    }
}
