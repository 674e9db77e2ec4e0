package io.clustermode.faults.nemesis;

import io.clustermode.cli.launch.ChildProcess;
import io.clustermode.cli.launch.NodeLauncher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The nemesis primitives on the real kernel: a namespace, partitions in it, and signals. Runs
 * only as root with ip and iptables; one namespace and one probe JVM for the whole class, so
 * it takes seconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NemesisPrimitivesTest {

    private static final String A = "127.0.0.2";
    private static final String B = "127.0.0.3";
    private static final String C = "127.0.0.4";
    private static final int PORT = 7600;
    /** Short: on a dropped SYN, connect waits this long; on loopback a working connect takes microseconds. */
    private static final String TIMEOUT_MS = "300";

    private NetworkNamespace ns;
    private Partitions partitions;
    private Process probe;
    private PrintWriter toProbe;
    private BufferedReader fromProbe;

    private boolean available;

    @BeforeAll
    void start() throws Exception {
        // Checked here and assumed per test, so each test shows as skipped with the reason.
        available = NetworkNamespace.available();
        if (!available) {
            return;
        }
        ns = NetworkNamespace.create(3);
        partitions = new Partitions(ns);
        probe = ns.start(NodeLauncher.javaCommand(NetProbe.class.getName(), List.of()));
        toProbe = new PrintWriter(probe.getOutputStream(), true, StandardCharsets.UTF_8);
        fromProbe = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8));
        assertThat(fromProbe.readLine()).isEqualTo("ready");
        for (String address : List.of(A, B, C)) {
            assertThat(ask("listen " + address + " " + PORT)).isEqualTo("ok");
        }
    }

    @AfterAll
    void stop() {
        if (ns != null) {
            String name = ns.name();
            ns.close();
            assertThat(NetworkNamespace.existing()).doesNotContain(name);
        }
    }

    @BeforeEach
    void healed() {
        Assumptions.assumeTrue(available, "needs root and iptables");
        partitions.heal();
    }

    private String ask(String command) throws Exception {
        toProbe.println(command);
        String answer = fromProbe.readLine();
        assertThat(answer).as("probe answer to " + command).isNotNull();
        return answer;
    }

    private boolean tcp(String from, String to) throws Exception {
        return ask("tcp " + from + " " + to + " " + PORT + " " + TIMEOUT_MS).equals("ok");
    }

    private boolean udp(String from, String to) throws Exception {
        return ask("udp " + from + " " + to + " " + PORT + " " + TIMEOUT_MS).equals("ok");
    }

    @Test
    void the_namespace_has_its_own_loopback_addresses() {
        assertThat(NetworkNamespace.existing()).contains(ns.name());
        assertThat(ns.exec("ip", "-4", "addr", "show", "lo")).contains("127.0.0.2/8", "127.0.0.3/8", "127.0.0.4/8");
        assertThat(ns.addresses()).containsExactly(A, B, C);
    }

    @Test
    void an_isolated_node_cannot_connect_or_be_connected_and_heal_restores_it() throws Exception {
        assertThat(tcp(A, B)).isTrue();
        assertThat(tcp(B, A)).isTrue();

        partitions.isolate(B);
        assertThat(tcp(A, B)).isFalse();
        assertThat(tcp(B, A)).isFalse();
        assertThat(tcp(B, C)).isFalse();
        assertThat(tcp(A, C)).as("the rest still talk").isTrue();

        partitions.heal();
        assertThat(partitions.dropped()).isEmpty();
        assertThat(tcp(A, B)).isTrue();
        assertThat(tcp(B, C)).isTrue();
    }

    @Test
    void a_one_way_rule_drops_one_direction_only() throws Exception {
        partitions.oneWay(A, B);
        assertThat(udp(A, B)).isFalse();
        assertThat(udp(B, A)).isTrue();
        // TCP needs both ways: A's SYN is lost, and B's SYN-ACK to A would be lost too.
        assertThat(tcp(A, B)).isFalse();
        assertThat(tcp(A, C)).isTrue();

        partitions.heal();
        assertThat(udp(A, B)).isTrue();
    }

    @Test
    void a_bridge_node_sees_both_halves_that_do_not_see_each_other() throws Exception {
        partitions.bridge(List.of(A), B, List.of(C));
        assertThat(tcp(A, C)).isFalse();
        assertThat(tcp(C, A)).isFalse();
        assertThat(tcp(A, B)).isTrue();
        assertThat(tcp(B, C)).isTrue();
    }

    @Test
    void a_majority_minority_split() throws Exception {
        partitions.isolate(List.of(A));
        partitions.split(List.of(B), List.of(C)); // adding to a partition keeps what is there
        assertThat(partitions.dropped()).hasSize(6);
        assertThat(tcp(A, B)).isFalse();
        assertThat(tcp(B, C)).isFalse();
    }

    @Test
    void a_scheduled_fault_is_applied_to_the_namespaces_addresses() throws Exception {
        partitions.apply(new Fault.IsolatePrimary(1), 1); // node 1 is B
        assertThat(tcp(A, B)).isFalse();
        assertThat(tcp(C, B)).isFalse();
        assertThat(tcp(A, C)).isTrue();
    }

    @Test
    void a_jvm_inside_the_namespace_can_join_it_and_cut_links_and_one_outside_cannot() throws Exception {
        assertThatThrownBy(() -> NetworkNamespace.joinFromInside(ns.name(), 3)).hasMessageContaining("not inside");
        Process driver = ns.start(NodeLauncher.javaCommand(JoinProbe.class.getName(), List.of(ns.name())));
        String out = new String(driver.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(driver.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo("joined 127.0.0.2,127.0.0.3,127.0.0.4\ncut\nrefused\n");
        assertThat(udp(A, B)).isFalse();
        assertThat(udp(B, A)).isTrue();
        assertThat(NetworkNamespace.existing()).as("the namespace stays its creator's").contains(ns.name());
    }

    @Test
    void only_the_namespaces_own_loopback_node_addresses_may_be_targets() {
        assertThatThrownBy(() -> partitions.oneWay(A, "10.0.0.1")).hasMessageContaining("refusing a fault on 10.0.0.1");
        assertThatThrownBy(() -> partitions.oneWay("127.0.0.1", A)).hasMessageContaining("refusing");
        assertThatThrownBy(() -> partitions.oneWay(A, "127.0.0.99")).hasMessageContaining("refusing");
        assertThatThrownBy(() -> partitions.split(List.of("192.168.1.1"), List.of(A))).hasMessageContaining("refusing");
        assertThatThrownBy(() -> partitions.oneWay(A, A)).isInstanceOf(IllegalArgumentException.class);
        assertThat(partitions.dropped()).isEmpty();
        assertThat(ns.exec("iptables", "-S", Partitions.CHAIN)).doesNotContain("DROP");
    }

    @Test
    void kill_stop_and_cont_reach_a_child_process_in_the_namespace() throws Exception {
        Path log = Files.createTempFile("sleeper", ".log");
        ChildProcess sleeper = ns.start(List.of("sleep", "60"), log);
        long pid = sleeper.pid();

        sleeper.pause();
        assertThat(stateOf(pid)).isEqualTo('T');
        sleeper.resume();
        assertThat(stateOf(pid)).isIn('S', 'R');

        sleeper.kill9();
        assertThat(sleeper.awaitExit(Duration.ofSeconds(5))).hasValue(137);
        assertThatThrownBy(sleeper::pause).hasMessageContaining("does not run");
        Files.deleteIfExists(log);
    }

    /** The state letter of /proc/PID/stat, waiting briefly for a signal to land (past R and D). */
    private static char stateOf(long pid) throws Exception {
        char state = '?';
        for (int i = 0; i < 50; i++) {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            state = stat.charAt(stat.lastIndexOf(')') + 2);
            if (state != 'R' && state != 'D') { // running, or briefly in uninterruptible I/O (a loaded machine)
                return state;
            }
            Thread.sleep(10);
        }
        return state;
    }
}
