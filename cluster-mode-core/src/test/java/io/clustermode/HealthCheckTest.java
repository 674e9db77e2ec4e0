package io.clustermode;

import io.clustermode.transport.InMemoryNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Health-gated primacy ({@link Cluster#addHealthCheck}) on three in-memory nodes: the primary's
 * check fails and primacy moves to a healthy node; a check that throws or hangs fails too, logged
 * once, without a stack trace.
 */
class HealthCheckTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration CHECK_INTERVAL = Duration.ofMillis(500);

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<String, Cluster<Void, StateMachine<Void>>> clusters = new LinkedHashMap<>();
    private final Map<String, AtomicBoolean> passing = new HashMap<>();

    @AfterEach
    void stop() {
        clusters.values().forEach(Cluster::closeNow);
    }

    private void startThree() throws Exception {
        List<String> names = List.of("a", "b", "c");
        List<String> addresses = names.stream().map(n -> n + ":7600").collect(Collectors.toList());
        for (String name : names) {
            MutableDiscovery discovery = new MutableDiscovery();
            discovery.show(addresses);
            ClusterConfig config = ClusterConfig.builder()
                    .nodeId(NodeId.of(name))
                    .advertise(name + ":7600")
                    .bind("127.0.0.1:0")
                    .discovery(discovery)
                    .minNodes(3)
                    .voters(3)
                    .heartbeatInterval(Duration.ofMillis(30))
                    .electionTimeout(Duration.ofMillis(200))
                    .updateInterval(Duration.ofMillis(100))
                    .connectionTimeout(Duration.ofMillis(500))
                    .healthCheckInterval(CHECK_INTERVAL)
                    .transportFactory(settings -> network.transport(settings.self(), settings.advertise()))
                    .build();
            Cluster<Void, StateMachine<Void>> cluster = Cluster.start(config);
            AtomicBoolean ok = new AtomicBoolean(true);
            passing.put(name, ok);
            cluster.addHealthCheck("database", ok::get);
            clusters.put(name, cluster);
        }
        await().atMost(WAIT).until(() -> clusters.values().stream().anyMatch(c -> c.isPrimary()
                && c.members().stream().filter(Member::voter).count() == 3));
    }

    private String primary() {
        return clusters.entrySet().stream().filter(e -> e.getValue().isPrimary()).map(Map.Entry::getKey)
                .findFirst().orElse(null);
    }

    @Test
    void when_the_primarys_check_fails_primacy_moves_to_a_healthy_node_and_stays_there() throws Exception {
        startThree();
        String old = primary();
        // Every follower's heartbeat answers have said "healthy" by now.
        Thread.sleep(3 * CHECK_INTERVAL.toMillis());
        long start = System.nanoTime();
        passing.get(old).set(false);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(1)).until(() -> {
            String now = primary();
            return now != null && !now.equals(old);
        });
        long millis = (System.nanoTime() - start) / 1_000_000;
        String successor = primary();
        System.out.printf("primary's check failing -> new primary %s: %d ms (check interval %d ms; aim: interval"
                + " + 100 ms)%n", successor, millis, CHECK_INTERVAL.toMillis());
        assertThat(millis).as("a generous bound").isLessThan(CHECK_INTERVAL.toMillis() + 5_000);
        assertThat(clusters.get(old).healthy()).isFalse();
        assertThat(clusters.get(successor).healthy()).isTrue();

        // The check passes again, but the old primary is not healthy for the recovery time (30 s):
        // primacy does not bounce back.
        passing.get(old).set(true);
        Thread.sleep(4 * CHECK_INTERVAL.toMillis());
        assertThat(primary()).isEqualTo(successor);
        assertThat(clusters.get(old).healthy()).isFalse();
    }

    @Test
    void a_check_that_throws_or_hangs_fails_and_is_logged_once_without_a_stack_trace() throws Exception {
        startThree();
        String old = primary();
        Cluster<Void, StateMachine<Void>> cluster = clusters.get(old);
        try (LogCapture log = new LogCapture()) {
            cluster.addHealthCheck("broken", () -> {
                throw new IllegalStateException("connection refused");
            });
            await().atMost(WAIT).until(() -> !cluster.healthy());
            await().atMost(WAIT).until(() -> primary() != null && !old.equals(primary()));
            Thread.sleep(3 * CHECK_INTERVAL.toMillis()); // more failing rounds: no more lines
            List<String> lines = log.lines("WARN").stream().filter(l -> l.contains("health check 'broken'"))
                    .collect(Collectors.toList());
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0)).contains("node " + old).contains("connection refused");
            assertThat(log.lines("at io.clustermode")).isEmpty();
            assertThat(cluster.removeHealthCheck("broken")).isTrue();

            AtomicBoolean release = new AtomicBoolean();
            String other = primary();
            clusters.get(other).addHealthCheck("slow", () -> {
                while (!release.get()) {
                    Thread.onSpinWait();
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return true;
                    }
                }
                return true;
            });
            await().atMost(WAIT).until(() -> !clusters.get(other).healthy());
            assertThat(log.lines("WARN")).anyMatch(l -> l.contains("health check 'slow'")
                    && l.contains("takes longer than the check interval"));
            release.set(true);
        }
    }

    @Test
    void health_checks_are_validated_by_name() throws Exception {
        startThree();
        Cluster<Void, StateMachine<Void>> cluster = clusters.get("a");
        assertThatThrownBy(() -> cluster.addHealthCheck("database", () -> true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has a health check");
        assertThatThrownBy(() -> cluster.addHealthCheck(" ", () -> true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
        assertThat(cluster.removeHealthCheck("nothing")).isFalse();
        assertThatThrownBy(() -> ClusterConfig.builder().healthCheckInterval(Duration.ZERO).build())
                .hasMessageContaining("healthCheckInterval");
        assertThatThrownBy(() -> ClusterConfig.builder().healthRecovery(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("healthRecovery");
    }
}
