package io.clustermode.spring;

import io.clustermode.Cluster;
import io.clustermode.Member;
import io.clustermode.spring.actuate.ClusterEndpoint;
import io.clustermode.spring.actuate.ClusterEndpointWebExtension;
import io.clustermode.spring.autoconfigure.ClusterModeAutoConfiguration;
import io.clustermode.spring.autoconfigure.ClusterModeEndpointAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three applications in one JVM form a cluster; the primary's job runs, and a hand-over through
 * the endpoint moves it: the old primary's work stops (revoked) before the new primary's begins
 * (granted in a higher term), so the tokens of all the runs, in the order they happened, never go
 * back and each belongs to one node. A job whose ticks never come in the test runs at once on the
 * node granted primacy, and on no other.
 */
class ThreeNodesTest {

    /** Every run of every node's job, and every node's primacy events, in the order they happened. */
    static final class Runs {
        final List<String> all = new CopyOnWriteArrayList<>();
        final List<ClusterEvent> events = new CopyOnWriteArrayList<>();
        /** Runs of the job whose ticks never come here: each one a grant's run. */
        final List<String> onGrant = new CopyOnWriteArrayList<>();
    }

    /** The job: records its token and node. */
    public static class Job {
        private final ClusterFencing fencing;
        private final Runs runs;
        private final String node;

        public Job(ClusterFencing fencing, Runs runs, Cluster<?, ?> cluster) {
            this.fencing = fencing;
            this.runs = runs;
            this.node = cluster.id().value();
        }

        @Scheduled(fixedDelay = 10)
        @PrimaryOnly
        public void run() {
            synchronized (runs) {
                runs.all.add(fencing.currentToken().orElseThrow() + " " + node);
            }
        }

        /** Ticks an hour apart, the first an hour after the start: it runs when primacy is granted, if at all. */
        @Scheduled(fixedRate = 3_600_000, initialDelay = 3_600_000)
        @PrimaryOnly
        public void hourly() {
            runs.onGrant.add(fencing.currentToken().orElseThrow() + " " + node);
        }
    }

    /** One node's primacy events. */
    static final class Primacy implements ApplicationListener<ClusterEvent> {
        final List<ClusterEvent> seen = new CopyOnWriteArrayList<>();
        private final Runs runs;

        Primacy(Runs runs) {
            this.runs = runs;
        }

        @Override
        public void onApplicationEvent(ClusterEvent event) {
            if (!(event instanceof MembershipChangedEvent)) {
                seen.add(event);
                runs.events.add(event);
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    static class App {
        @Bean
        Job job(ClusterFencing fencing, Runs runs, Cluster<?, ?> cluster) {
            return new Job(fencing, runs, cluster);
        }

        @Bean
        Primacy primacy(Runs runs) {
            return new Primacy(runs);
        }
    }

    @Test
    void a_hand_over_through_the_endpoint_stops_the_old_primarys_work_before_the_new_one_begins() {
        Runs runs = new Runs();
        List<Integer> ports = List.of(TestNodes.freePort(), TestNodes.freePort(), TestNodes.freePort());
        String seeds = ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        List<ApplicationContextRunner> runners = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runners.add(new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(ClusterModeAutoConfiguration.class,
                            ClusterModeEndpointAutoConfiguration.class))
                    .withUserConfiguration(App.class)
                    .withBean(Runs.class, () -> runs)
                    .withPropertyValues("cluster-mode.node-id=n" + (i + 1), "cluster-mode.bind=127.0.0.1:" + ports.get(i),
                            "cluster-mode.seeds=" + seeds, "cluster-mode.min-nodes=3",
                            "cluster-mode.heartbeat-interval=30", "cluster-mode.election-timeout=300",
                            "cluster-mode.update-interval=200", "management.endpoints.web.exposure.include=cluster"));
        }
        runners.get(0).run(one -> runners.get(1).run(two -> runners.get(2).run(three -> {
            List<AssertableApplicationContext> contexts = List.of(one, two, three);
            await().atMost(TestNodes.WAIT).until(() -> primary(contexts) != null
                    && cluster(primary(contexts)).members().stream().filter(Member::voter).count() == 3
                    && runs.all.size() >= 5);
            // Ask the primary to hand over; should an election have moved primacy just before (a
            // busy machine), ask the primary there is then.
            AtomicReference<AssertableApplicationContext> asked = new AtomicReference<>();
            AtomicLong askedTerm = new AtomicLong();
            AtomicReference<WebEndpointResponse<ClusterEndpoint.TransferResult>> answered = new AtomicReference<>();
            await().atMost(TestNodes.WAIT).until(() -> {
                AssertableApplicationContext primary = primary(contexts);
                if (primary == null) {
                    return false;
                }
                List<ClusterEvent> seen = primary.getBean(Primacy.class).seen;
                asked.set(primary);
                askedTerm.set(((PrimaryGrantedEvent) seen.get(seen.size() - 1)).term());
                answered.set(primary.getBean(ClusterEndpointWebExtension.class).transferPrimacy(null));
                return answered.get().getStatus() == 200;
            });
            AssertableApplicationContext old = asked.get();
            Primacy oldEvents = old.getBean(Primacy.class);
            long oldTerm = askedTerm.get();
            WebEndpointResponse<ClusterEndpoint.TransferResult> answer = answered.get();
            String successor = answer.getBody().primary();
            assertThat(successor).isNotEqualTo(cluster(old).id().value());
            AssertableApplicationContext next = contexts.stream()
                    .filter(c -> cluster(c).id().value().equals(successor)).findFirst().orElseThrow();
            await().atMost(TestNodes.WAIT).until(() -> next.getBean(Primacy.class).seen.stream()
                    .anyMatch(e -> e instanceof PrimaryGrantedEvent && ((PrimaryGrantedEvent) e).term() > oldTerm));
            int before = runs.all.size();
            await().atMost(TestNodes.WAIT).until(() -> runs.all.size() >= before + 5);

            ClusterEvent last = oldEvents.seen.get(oldEvents.seen.size() - 1);
            assertThat(last).isInstanceOf(PrimaryRevokedEvent.class);
            assertThat(((PrimaryRevokedEvent) last).term()).isEqualTo(oldTerm);
            assertThat(((PrimaryRevokedEvent) last).reason()).isEqualTo("handing primacy over");
            assertThat(runs.all).anyMatch(r -> r.endsWith(" " + successor));
            int revoked = runs.events.indexOf(last);
            int granted = runs.events.indexOf(next.getBean(Primacy.class).seen.stream()
                    .filter(e -> e instanceof PrimaryGrantedEvent && ((PrimaryGrantedEvent) e).term() > oldTerm)
                    .findFirst().orElseThrow());
            assertThat(revoked).as("the old primary's revocation comes before the new one's grant: %s", runs.events)
                    .isLessThan(granted);
            assertSequential(runs.all);

            // The hourly job ran at once on the new primary, and on no secondary ever.
            await().atMost(TestNodes.WAIT).until(() -> runs.onGrant.stream()
                    .anyMatch(r -> r.endsWith(" " + successor) && Long.parseLong(r.split(" ")[0]) > oldTerm));
            Map<Long, String> grantedTo = new HashMap<>();
            for (AssertableApplicationContext context : contexts) {
                context.getBean(Primacy.class).seen.stream().filter(e -> e instanceof PrimaryGrantedEvent)
                        .forEach(e -> grantedTo.put(((PrimaryGrantedEvent) e).term(), e.nodeId().value()));
            }
            for (String run : runs.onGrant) {
                assertThat(run).as("granted: %s", grantedTo)
                        .isEqualTo(Long.parseLong(run.split(" ")[0]) + " " + grantedTo.get(Long.parseLong(run.split(" ")[0])));
            }
        })));
        assertSequential(runs.all);
    }

    /** Tokens never go back, and each token belongs to one node. */
    private static void assertSequential(List<String> runs) {
        Map<Long, String> owner = new HashMap<>();
        long previous = 0;
        for (String run : runs) {
            long token = Long.parseLong(run.split(" ")[0]);
            String node = run.split(" ")[1];
            assertThat(token).as("after %d: %s", previous, run).isGreaterThanOrEqualTo(previous);
            assertThat(owner.computeIfAbsent(token, t -> node)).as("token %d", token).isEqualTo(node);
            previous = token;
        }
    }

    private static Cluster<?, ?> cluster(AssertableApplicationContext context) {
        return context.getBean(Cluster.class);
    }

    private static AssertableApplicationContext primary(List<AssertableApplicationContext> contexts) {
        return contexts.stream().filter(c -> cluster(c).isPrimary()
                        && !c.getBean(Primacy.class).seen.isEmpty()
                        && c.getBean(Primacy.class).seen.get(c.getBean(Primacy.class).seen.size() - 1)
                        instanceof PrimaryGrantedEvent)
                .findFirst().orElse(null);
    }
}
