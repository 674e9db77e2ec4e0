package io.clustermode;

import io.clustermode.transport.InMemoryNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A node that cannot go on — here its state machine throws — says so and leaves: its listeners
 * hear INACTIVE naming the cause and then {@code onFailure}, its primary-only work is
 * interrupted, its fencing token is gone, and the others elect a new primary with every
 * acknowledged write.
 */
class NodeFailureTest {

    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<String, Cluster<Integer, ?>> nodes = new LinkedHashMap<>();
    private final Map<String, Fragile> machines = new LinkedHashMap<>();

    /** Counts commands; once armed, throws on the next one, as a buggy application would. */
    static final class Fragile implements StateMachine<Integer> {
        final AtomicBoolean armed = new AtomicBoolean();
        final List<String> applied = new CopyOnWriteArrayList<>();

        @Override
        public Integer apply(long index, byte[] command) {
            if (armed.get()) {
                throw new IllegalStateException("the application's bug");
            }
            applied.add(new String(command, StandardCharsets.UTF_8));
            return applied.size();
        }

        @Override
        public byte[] snapshot() {
            return new byte[0];
        }

        @Override
        public void restore(byte[] snapshot) {
        }
    }

    @AfterEach
    void stop() {
        nodes.values().forEach(Cluster::closeNow);
    }

    @Test
    void when_the_primarys_state_machine_throws_then_it_leaves_and_the_others_carry_on() throws Exception {
        List<String> names = List.of("f1", "f2", "f3");
        MutableDiscovery discovery = new MutableDiscovery();
        discovery.show(names.stream().map(n -> n + ":7600").toList());
        for (String name : names) {
            Fragile machine = new Fragile();
            machines.put(name, machine);
            nodes.put(name, Cluster.start(ClusterConfig.builder()
                    .nodeId(NodeId.of(name)).advertise(name + ":7600").bind("127.0.0.1:0")
                    .dataDir(dir.resolve(name)).discovery(discovery)
                    .heartbeatInterval(Duration.ofMillis(30)).electionTimeout(Duration.ofMillis(200))
                    .updateInterval(Duration.ofMillis(100))
                    .transportFactory(settings -> network.transport(settings.self(), settings.advertise()))
                    .build(), machine));
        }
        await().atMost(WAIT).until(() -> primary() != null && primary().members().stream()
                .filter(Member::voter).count() == 3);
        Cluster<Integer, ?> primary = primary();
        String name = primary.id().value();
        List<String> heard = new CopyOnWriteArrayList<>();
        primary.addListener(new ClusterListener() {
            @Override
            public void onRoleChange(RoleChange change) {
                heard.add("role " + change.role() + " " + change.reason());
            }

            @Override
            public void onFailure(Throwable cause) {
                heard.add("failure " + cause.getMessage());
            }
        });
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            primary.submit(("w" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            acknowledged.add("w" + i);
        }
        AtomicBoolean interrupted = new AtomicBoolean();
        primary.primaryExecutor().submit(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
            return null;
        });

        machines.get(name).armed.set(true);
        assertThatThrownBy(() -> primary.submit("poison".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class);
        // Only this node's machine was armed: the others apply the command; this one leaves.
        await().atMost(WAIT).until(() -> heard.size() >= 2);
        assertThat(heard).containsExactly("role INACTIVE stopped: java.lang.IllegalStateException: the application's bug",
                "failure the application's bug");
        assertThat(primary.role()).isEqualTo(ClusterRole.INACTIVE);
        assertThat(primary.fencingToken()).isEmpty();
        assertThat(primary.failure()).get().extracting(Throwable::getMessage).isEqualTo("the application's bug");
        await().atMost(WAIT).until(interrupted::get);

        await().atMost(WAIT).until(() -> primary() != null && primary() != primary);
        Cluster<Integer, ?> successor = primary();
        successor.submit("after".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        assertThat(machines.get(successor.id().value()).applied).containsAll(acknowledged).contains("after");
    }

    private Cluster<Integer, ?> primary() {
        return nodes.values().stream().filter(Cluster::isPrimary).findFirst().orElse(null);
    }
}
