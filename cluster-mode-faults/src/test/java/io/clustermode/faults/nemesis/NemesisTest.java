package io.clustermode.faults.nemesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.clustermode.cli.launch.ChildProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The nemesis against stand-in nodes: real child processes ({@code sleep}), a recording network. */
class NemesisTest {

    /** Three "nodes" that are sleep processes; node 1 is primary until a transfer. */
    static final class SleepNodes implements NodeControl {
        final List<ChildProcess> processes = new ArrayList<>();
        volatile int primary = 1;
        int restarts;

        SleepNodes(int n) {
            for (int i = 0; i < n; i++) {
                processes.add(start());
            }
        }

        private static ChildProcess start() {
            try {
                return ChildProcess.start(new ProcessBuilder("sleep", "60"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int nodes() {
            return processes.size();
        }

        @Override
        public int primary() {
            return primary;
        }

        @Override
        public ChildProcess process(int node) {
            return processes.get(node);
        }

        @Override
        public void restart(int node) {
            // SIGKILL is delivered asynchronously: on a loaded machine the process may take a moment to go.
            processes.get(node).awaitExit(Duration.ofSeconds(5));
            assertThat(processes.get(node).isAlive()).as("restarting a live node").isFalse();
            processes.set(node, start());
            restarts++;
        }

        @Override
        public void gracefulRestart(int node) {
            process(node).terminate();
            assertThat(process(node).awaitExit(Duration.ofSeconds(5))).isPresent();
            processes.set(node, start());
        }

        @Override
        public void transferLeadership() {
            primary = (primary + 1) % processes.size();
        }

        void destroy() {
            ChildProcess.killAll(processes);
        }
    }

    /** Records what the nemesis asked of the network. */
    static final class RecordingNetwork implements NetworkFaults {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile boolean cut;

        @Override
        public void apply(Fault.NetworkFault fault, int primary) {
            assertThat(fault.cuts(primary, 3)).isNotEmpty();
            calls.add("apply " + fault.describe());
            cut = true;
        }

        @Override
        public void heal() {
            calls.add("heal");
            cut = false;
        }
    }

    private final SleepNodes nodes = new SleepNodes(3);
    private final RecordingNetwork network = new RecordingNetwork();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Nemesis nemesis = new Nemesis(nodes, network, log::add);

    @AfterEach
    void stop() {
        nodes.destroy();
    }

    @Test
    void killing_the_primary_kills_its_process_and_restart_starts_a_new_one() throws Exception {
        ChildProcess primary = nodes.processes.get(1);
        nemesis.execute(new Fault.Kill(Fault.Target.PRIMARY, 5));
        assertThat(primary.awaitExit(Duration.ofSeconds(5))).hasValue(137);
        nemesis.execute(new Fault.RestartKilled());
        assertThat(nodes.processes.get(1).isAlive()).isTrue();
        assertThat(nodes.processes.get(1)).isNotSameAs(primary);
        assertThat(log).containsExactly("kill -9 the primary: node 1", "restarted node 1");
        assertThat(nemesis.faultsInjected()).isEqualTo(1);
    }

    @Test
    void heal_everything_resumes_paused_nodes_restarts_killed_ones_and_heals_the_network() throws Exception {
        nemesis.execute(new Fault.Split(true, 3));
        nemesis.execute(new Fault.Pause(Fault.Target.PRIMARY, 1));
        assertThat(state(nodes.process(1).pid())).isEqualTo('T');
        nemesis.execute(new Fault.Kill(Fault.Target.PRIMARY, 1)); // already paused: skipped, not doubled
        long salt = 0;
        while (Fault.Target.RANDOM_NODE.resolve(1, 3, salt) == 1) {
            salt++; // a random node other than the paused one
        }
        nemesis.execute(new Fault.Kill(Fault.Target.RANDOM_NODE, salt));
        nemesis.execute(new Fault.HealAll());
        assertThat(network.cut).isFalse();
        assertThat(nodes.processes).allMatch(ChildProcess::isAlive);
        for (int i = 0; i < 3; i++) {
            assertThat(state(nodes.process(i).pid())).isIn('S', 'R');
        }
        assertThat(nodes.restarts).isEqualTo(1);
        assertThat(log).anyMatch(l -> l.startsWith("skipped kill -9 the primary"));
        assertThat(nemesis.lastHealNanos()).isPositive();
    }

    @Test
    void a_whole_short_schedule_runs_in_time_and_ends_with_everything_whole() {
        var timing = new NemesisSchedule.Timing(Duration.ofMillis(20), Duration.ofMillis(20), Duration.ofMillis(40),
                Duration.ofMillis(10));
        var events = NemesisSchedule.generate(3, 3, Duration.ofMillis(1_500), timing);
        long start = System.nanoTime();
        nemesis.run(events);
        long took = (System.nanoTime() - start) / 1_000_000;
        assertThat(took).isBetween(1_400L, 5_000L);
        assertThat(network.cut).isFalse();
        assertThat(nodes.processes).allMatch(ChildProcess::isAlive);
        assertThat(nemesis.faultsInjected()).isGreaterThan(5);
        assertThat(log.get(log.size() - 1)).isEqualTo("healed everything");
    }

    private static char state(long pid) throws Exception {
        char s = '?';
        for (int i = 0; i < 50; i++) {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            s = stat.charAt(stat.lastIndexOf(')') + 2);
            if (s != 'R') {
                return s;
            }
            Thread.sleep(10);
        }
        return s;
    }
}
