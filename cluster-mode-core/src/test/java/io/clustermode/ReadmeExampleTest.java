package io.clustermode;

import io.clustermode.transport.InMemoryNetwork;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The README's Java example, as written there (with an in-memory network), so the README stays true. */
class ReadmeExampleTest {

    // A replicated state machine: every node applies the same commands in the same order.
    static final class Counter implements StateMachine<Long> {
        long value;
        public Long apply(long index, byte[] command) { return value += Long.parseLong(new String(command, UTF_8)); }
        public byte[] snapshot() { return Long.toString(value).getBytes(UTF_8); }
        public void restore(byte[] snapshot) { value = Long.parseLong(new String(snapshot, UTF_8)); }
    }

    @Test
    void the_readme_example_runs_as_written() throws Exception {
        InMemoryNetwork network = new InMemoryNetwork();
        java.nio.file.Path secretFile = java.nio.file.Files.createTempFile("cluster-secret", "");
        java.nio.file.Files.writeString(secretFile, "0123456789abcdef0123456789abcdef\n");
        secretFile.toFile().deleteOnExit();
        List<String> seeds = List.of("10.0.0.1:7600", "10.0.0.2:7600", "10.0.0.3:7600");
        List<Cluster<Long, Counter>> nodes = new ArrayList<>();
        List<Long> tokens = new CopyOnWriteArrayList<>();
        try {
            for (String seed : seeds) {
                Cluster<Long, Counter> cluster = Cluster.start(ClusterConfig.builder()
                        .bind(seed)
                        .seeds(seeds)
                        .clusterSecretFile(secretFile)
                        .nodeId(NodeId.of("n-" + seed))
                        .electionTimeout(Duration.ofMillis(300))
                        .heartbeatInterval(Duration.ofMillis(50))
                        .updateInterval(Duration.ofMillis(100))
                        .transportFactory(settings -> network.transport(settings.self(), settings.advertise()))
                        .build(), new Counter());
                // React to becoming primary; fence outside resources with the term.
                cluster.addListener(new ClusterListener() {
                    @Override public void onRoleChange(RoleChange change) {
                        change.fencingToken().ifPresent(tokens::add);
                    }
                });
                nodes.add(cluster);
            }
            Cluster<Long, Counter> cluster = await().atMost(Duration.ofSeconds(30))
                    .until(() -> nodes.stream().filter(Cluster::isPrimary).findFirst().orElse(null), c -> c != null);
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.members().size() == 3);
            assertThat(cluster.serviceInstance().transportAddress("cluster")).isPresent();

            // Work that must run only on the primary, interrupted the moment primacy is lost:
            long token = cluster.primaryExecutor().submit(() -> cluster.primaryExecutor().fencingToken().orElseThrow())
                    .get(5, TimeUnit.SECONDS);
            assertThat(token).isEqualTo(cluster.fencingToken().orElseThrow());

            // Replicate a command from any member (a secondary hands it to the primary).
            Committed<Long> done = cluster.submit("5".getBytes(UTF_8)).get();   // index, term, result
            long now = cluster.read(counter -> counter.value, Consistency.LINEARIZABLE).get();
            assertThat(done.result()).isEqualTo(5L);
            assertThat(now).isEqualTo(5L);
            Cluster<Long, Counter> secondary = nodes.stream().filter(Cluster::isSecondary).findFirst().orElseThrow();
            assertThat(secondary.submit("2".getBytes(UTF_8)).get(5, TimeUnit.SECONDS).result()).isEqualTo(7L);
            assertThat(secondary.read(counter -> counter.value, Consistency.LINEARIZABLE).get(5, TimeUnit.SECONDS))
                    .isEqualTo(7L);
            assertThat(cluster.read(counter -> counter.value, Consistency.LINEARIZABLE).get(5, TimeUnit.SECONDS))
                    .isEqualTo(7L);
            await().until(() -> tokens.contains(token));
        } finally {
            nodes.forEach(Cluster::close);   // a primary hands over first: a rolling restart costs a round trip
        }
    }
}
