package io.clustermode.faults.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clustermode.faults.nemesis.Fault;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RunOptionsTest {

    @Test
    void durations_read_as_an_operator_writes_them() {
        assertThat(RunOptions.duration("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(RunOptions.duration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(RunOptions.duration("1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(RunOptions.duration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(RunOptions.duration("45")).isEqualTo(Duration.ofSeconds(45));
        assertThatThrownBy(() -> RunOptions.duration("soon")).hasMessageContaining("not a duration");
    }

    @Test
    void the_driver_gets_the_same_options_and_its_namespace() {
        RunOptions o = RunOptions.parse(new String[] {"--duration", "10m", "--keep", "--seed", "42", "--nodes", "3"},
                Path.of("/repo"));
        assertThat(o.seed()).isEqualTo(42);
        assertThat(o.nodes()).isEqualTo(3);
        RunOptions driver = RunOptions.parse(o.driverArgs("cmf-1").toArray(new String[0]), null);
        assertThat(driver).isEqualTo(new RunOptions(42, Duration.ofMinutes(10), 3, 1000, Path.of("/repo"), o.keepDir(), "cmf-1", null,
                true));
    }

    @Test
    void bad_options_are_refused_with_a_reason() {
        assertThatThrownBy(() -> RunOptions.parse(new String[] {"--sed", "1"}, Path.of("/r"))).hasMessageContaining("unknown option --sed");
        assertThatThrownBy(() -> RunOptions.parse(new String[] {"--seed"}, Path.of("/r"))).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> RunOptions.parse(new String[] {"--nodes", "2"}, Path.of("/r"))).hasMessageContaining("3 to 9");
        assertThatThrownBy(() -> RunOptions.parse(new String[] {"--seed", "x"}, Path.of("/r"))).hasMessageContaining("not a number");
        assertThatThrownBy(() -> RunOptions.parse(new String[] {"--canary", "x"}, Path.of("/r"))).hasMessageContaining("stale-reads");
        RunOptions canary = RunOptions.parse(new String[] {"--canary", "stale-reads"}, Path.of("/r"));
        assertThat(RunOptions.parse(canary.driverArgs("n").toArray(new String[0]), null).canary()).isEqualTo("stale-reads");
    }

    @Test
    void fault_kinds_name_the_variant() {
        assertThat(new Fault.Kill(Fault.Target.PRIMARY, 1).kind()).isEqualTo("kill-primary");
        assertThat(new Fault.Split(true, 1).kind()).isEqualTo("split-primary-in-minority");
        assertThat(new Fault.IsolatePrimary(1).kind()).isEqualTo("isolate-primary");
        assertThat(new Fault.TransferLeadership().kind()).isEqualTo("transfer-leadership");
    }
}
