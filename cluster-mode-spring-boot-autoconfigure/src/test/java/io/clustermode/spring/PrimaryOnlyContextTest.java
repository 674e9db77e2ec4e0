package io.clustermode.spring;

import io.clustermode.Cluster;
import io.clustermode.ClusterRole;
import io.clustermode.StateMachine;
import io.clustermode.spring.autoconfigure.ClusterModeAutoConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real node, a cluster of its own, in an application context: it is granted primacy, its
 * {@code @PrimaryOnly} methods run (a {@code @Scheduled} job among them) with the fencing token,
 * and when the context closes — or the node fails — a run in progress is interrupted and the
 * revocation follows the grant. A node that is not primary skips every call.
 */
class PrimaryOnlyContextTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ClusterModeAutoConfiguration.class))
            .withUserConfiguration(App.class);
    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        callers.shutdownNow();
    }

    /** Something the job's bean implements: it must still be proxied by class, for {@code @Scheduled}. */
    public interface Job {
        /** Unrelated to the job. */
        String name();
    }

    /** What the work did; a bean of its own, since the work itself is a proxy (whose fields are not the work's). */
    public static class Log {
        final List<Long> tickTokens = new CopyOnWriteArrayList<>();
        final CountDownLatch blockStarted = new CountDownLatch(1);
        final AtomicReference<OptionalLong> blockToken = new AtomicReference<>();
        final AtomicBoolean blockInterrupted = new AtomicBoolean();
        final AtomicInteger inProgress = new AtomicInteger();
    }

    /** The application's primary-only work. */
    public static class Work implements Job {
        private final ClusterFencing fencing;
        private final Log log;

        public Work(ClusterFencing fencing, Log log) {
            this.fencing = fencing;
            this.log = log;
        }

        @Override
        public String name() {
            return "work";
        }

        @Scheduled(fixedDelay = 20)
        @PrimaryOnly
        public void tick() {
            log.tickTokens.add(fencing.currentToken().orElseThrow());
        }

        @PrimaryOnly
        public String block() throws InterruptedException {
            log.inProgress.incrementAndGet();
            try {
                log.blockToken.set(fencing.currentToken());
                log.blockStarted.countDown();
                Thread.sleep(60_000);
                return "finished";
            } catch (InterruptedException e) {
                log.blockInterrupted.set(true);
                Thread.sleep(300); // cleaning up takes a while: the revocation must wait for it
                throw e;
            } finally {
                log.inProgress.decrementAndGet();
            }
        }

        @PrimaryOnly
        public int count() {
            return 7;
        }

        @PrimaryOnly
        public Optional<String> maybe() {
            return Optional.of("x");
        }

        @PrimaryOnly
        public List<String> list() {
            return List.of("x");
        }
    }

    /** Every cluster event, and what was true when the revocation came. */
    public static class Events implements ApplicationListener<ClusterEvent> {
        final List<ClusterEvent> seen = new CopyOnWriteArrayList<>();
        final AtomicInteger runsWhenRevoked = new AtomicInteger(-1);
        final AtomicReference<ClusterRole> roleWhenRevoked = new AtomicReference<>();
        private final Log log;

        Events(Log log) {
            this.log = log;
        }

        @Override
        public void onApplicationEvent(ClusterEvent event) {
            if (event instanceof PrimaryRevokedEvent) {
                runsWhenRevoked.set(log.inProgress.get());
                roleWhenRevoked.set(event.cluster().role());
            }
            seen.add(event);
        }

        List<ClusterEvent> primacy() {
            return seen.stream().filter(e -> !(e instanceof MembershipChangedEvent)).collect(Collectors.toList());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    static class App {
        @Bean
        Log log() {
            return new Log();
        }

        @Bean
        Work work(ClusterFencing fencing, Log log) {
            return new Work(fencing, log);
        }

        @Bean
        Events events(Log log) {
            return new Events(log);
        }
    }

    @Test
    void the_primary_runs_its_work_and_closing_the_context_interrupts_it_before_the_revocation() {
        runner.withPropertyValues(TestNodes.alone()).run(context -> {
            Work work = context.getBean(Work.class);
            Log log = context.getBean(Log.class);
            Events events = context.getBean(Events.class);
            Cluster<?, ?> cluster = context.getBean(Cluster.class);
            ClusterFencing fencing = context.getBean(ClusterFencing.class);
            assertThat(AopUtils.isCglibProxy(work)).isTrue();
            await().atMost(TestNodes.WAIT).until(() -> !events.primacy().isEmpty());
            PrimaryGrantedEvent granted = (PrimaryGrantedEvent) events.primacy().get(0);
            long term = granted.term();
            assertThat(granted.fencingToken()).isEqualTo(term);
            assertThat(granted.nodeId()).isEqualTo(cluster.id());
            await().atMost(TestNodes.WAIT).until(() -> log.tickTokens.size() >= 3);
            assertThat(log.tickTokens).containsOnly(term);
            assertThat(fencing.nodeToken()).hasValue(term);
            assertThat(fencing.isCurrent(term)).isTrue();
            assertThat(fencing.currentToken()).as("outside a run").isEmpty();
            assertThat(work.count()).isEqualTo(7);
            assertThat(work.maybe()).hasValue("x");
            assertThat(events.seen).anyMatch(e -> e instanceof MembershipChangedEvent
                    && ((MembershipChangedEvent) e).members().size() == 1);

            AtomicBoolean callerInterruptedAfter = new AtomicBoolean(true);
            Future<String> call = callers.submit(() -> {
                String result = work.block();
                callerInterruptedAfter.set(Thread.currentThread().isInterrupted());
                return result;
            });
            assertThat(log.blockStarted.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(log.blockToken.get()).hasValue(term);

            context.close();

            assertThat(call.get(10, TimeUnit.SECONDS)).as("an interrupted run returns as a skipped one").isNull();
            assertThat(log.blockInterrupted).isTrue();
            assertThat(callerInterruptedAfter).as("the interrupt is cleared for the caller").isFalse();
            List<ClusterEvent> primacy = events.primacy();
            assertThat(primacy).hasSize(2);
            PrimaryRevokedEvent revoked = (PrimaryRevokedEvent) primacy.get(1);
            assertThat(revoked.term()).isEqualTo(term);
            assertThat(revoked.reason()).isEqualTo("the application context is closing");
            assertThat(events.runsWhenRevoked).as("runs ended before the revocation").hasValue(0);
            assertThat(events.roleWhenRevoked).as("revoked before the node left").hasValue(ClusterRole.PRIMARY);
            assertThat(cluster.status().running()).isFalse();
            assertThat(fencing.isCurrent(term)).isFalse();
            int ticks = log.tickTokens.size();
            assertThat(work.count()).as("after the context closed").isZero();
            assertThat(log.tickTokens).hasSize(ticks);
        });
    }

    @Test
    void a_node_that_is_not_primary_skips_every_call() {
        runner.withPropertyValues(TestNodes.waiting()).run(context -> {
            Work work = context.getBean(Work.class);
            Log log = context.getBean(Log.class);
            Events events = context.getBean(Events.class);
            assertThat(work.count()).isZero();
            assertThat(work.maybe()).isEmpty();
            assertThat(work.list()).isEmpty();
            assertThat(callers.submit(work::block).get(10, TimeUnit.SECONDS)).isNull();
            assertThat(log.blockStarted.getCount()).as("never ran").isEqualTo(1);
            assertThat(context.getBean(ClusterFencing.class).nodeToken()).isEmpty();
            Thread.sleep(300); // a few scheduled calls come and are skipped
            assertThat(log.tickTokens).isEmpty();
            assertThat(events.primacy()).isEmpty();
            context.close();
            assertThat(events.primacy()).as("no revocation without a grant").isEmpty();
        });
    }

    /** A state machine that fails the node on the command "fail", as a broken one would. */
    public static class Failing implements StateMachine<String> {
        @Override
        public String apply(long index, byte[] command) {
            if ("fail".equals(new String(command, StandardCharsets.UTF_8))) {
                throw new IllegalStateException("cannot apply " + index);
            }
            return "ok";
        }

        @Override
        public byte[] snapshot() {
            return new byte[0];
        }

        @Override
        public void restore(byte[] snapshot) {
        }
    }

    @Test
    void a_node_that_cannot_go_on_revokes_and_interrupts_its_work() {
        runner.withPropertyValues(TestNodes.alone()).withBean(Failing.class).run(context -> {
            Work work = context.getBean(Work.class);
            Log log = context.getBean(Log.class);
            Events events = context.getBean(Events.class);
            Cluster<?, ?> cluster = context.getBean(Cluster.class);
            await().atMost(TestNodes.WAIT).until(() -> !events.primacy().isEmpty());
            assertThat(cluster.submit("fine".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS).result())
                    .isEqualTo("ok");
            Future<String> call = callers.submit(work::block);
            assertThat(log.blockStarted.await(10, TimeUnit.SECONDS)).isTrue();

            cluster.submit("fail".getBytes(StandardCharsets.UTF_8));

            assertThat(call.get(10, TimeUnit.SECONDS)).isNull();
            assertThat(log.blockInterrupted).isTrue();
            await().atMost(TestNodes.WAIT).until(() -> events.primacy().size() == 2);
            PrimaryRevokedEvent revoked = (PrimaryRevokedEvent) events.primacy().get(1);
            assertThat(revoked.term()).isEqualTo(((PrimaryGrantedEvent) events.primacy().get(0)).term());
            assertThat(revoked.reason()).contains("cannot apply");
            assertThat(cluster.failure()).isPresent();
            assertThat(work.count()).isZero();
            context.close();
            assertThat(events.primacy()).hasSize(2);
        });
    }
}
