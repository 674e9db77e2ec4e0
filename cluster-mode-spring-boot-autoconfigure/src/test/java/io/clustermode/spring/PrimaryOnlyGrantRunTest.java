package io.clustermode.spring;

import io.clustermode.LeadershipTransferException;
import io.clustermode.spring.PrimaryOnly.OnGrant;
import io.clustermode.spring.autoconfigure.ClusterModeAutoConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A {@code @Scheduled} {@code @PrimaryOnly} method runs once, at once, when the node is granted
 * primacy, on the scheduler of its ticks — by default only for a fixed rate or delay — and never
 * alongside another run of itself. A node alone is granted primacy again, in the same term, when
 * a hand-over finds no one to take it ({@link ClusterLifecycle#transferPrimacy}): a grant the test
 * makes when it likes, long after the context started. The jobs' own ticks never come during a
 * test (an hour's delay), so every run they record is a grant's.
 */
class PrimaryOnlyGrantRunTest {

    private static final long HOUR = 3_600_000;
    private static final String NEVER_IN_A_TEST = "0 0 0 1 1 *"; // New Year's midnight

    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        callers.shutdownNow();
    }

    /** What ran, on which thread, with which token. */
    public static class Log {
        final List<String> periodic = new CopyOnWriteArrayList<>();
        final List<String> cron = new CopyOnWriteArrayList<>();
        final List<String> cronRun = new CopyOnWriteArrayList<>();
        final List<String> waiting = new CopyOnWriteArrayList<>();
        final List<String> switchedOff = new CopyOnWriteArrayList<>();
        final List<Long> grants = new CopyOnWriteArrayList<>();
    }

    /** Jobs whose ticks never come in a test, one of each kind. */
    public static class Jobs {
        private final ClusterFencing fencing;
        private final Log log;

        public Jobs(ClusterFencing fencing, Log log) {
            this.fencing = fencing;
            this.log = log;
        }

        @Scheduled(fixedRate = HOUR, initialDelay = HOUR)
        @PrimaryOnly
        public void periodic() {
            log.periodic.add(Thread.currentThread().getName() + " " + fencing.currentToken().orElseThrow());
        }

        @Scheduled(cron = NEVER_IN_A_TEST)
        @PrimaryOnly
        public void cron() {
            log.cron.add(Thread.currentThread().getName());
        }

        @Scheduled(cron = NEVER_IN_A_TEST)
        @PrimaryOnly(onGrant = OnGrant.RUN)
        public void cronRunOnGrant() {
            log.cronRun.add(Thread.currentThread().getName());
        }

        @Scheduled(fixedDelay = HOUR, initialDelay = HOUR)
        @PrimaryOnly(onGrant = OnGrant.WAIT)
        public void waiting() {
            log.waiting.add(Thread.currentThread().getName());
        }

        /** Switched off by a property, as Spring lets a cron be: it stays off, and the application starts. */
        @Scheduled(cron = "${test.job.cron}")
        @PrimaryOnly(onGrant = OnGrant.RUN)
        public void switchedOff() {
            log.switchedOff.add(Thread.currentThread().getName());
        }
    }

    /** Counts the grants, as an application listener would see them. */
    public static class Grants implements ApplicationListener<PrimaryGrantedEvent> {
        private final Log log;

        public Grants(Log log) {
            this.log = log;
        }

        @Override
        public void onApplicationEvent(PrimaryGrantedEvent event) {
            log.grants.add(event.term());
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
        Jobs jobs(ClusterFencing fencing, Log log) {
            return new Jobs(fencing, log);
        }

        @Bean
        Grants grants(Log log) {
            return new Grants(log);
        }

        /** The application's scheduler, with a name of its own to tell its threads by. */
        @Bean
        ThreadPoolTaskScheduler taskScheduler() {
            ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
            scheduler.setThreadNamePrefix("jobs-");
            scheduler.setPoolSize(2);
            return scheduler;
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ClusterModeAutoConfiguration.class))
            .withUserConfiguration(App.class)
            .withPropertyValues(TestNodes.alone())
            .withPropertyValues("test.job.cron=-");

    @Test
    void a_periodic_job_runs_once_at_once_on_the_scheduler_when_primacy_is_granted_and_cron_waits() {
        runner.run(context -> {
            Log log = context.getBean(Log.class);
            await().atMost(TestNodes.WAIT).until(() -> !log.grants.isEmpty());
            // The first grant may come before the schedule began (then its first tick serves it).
            int before = log.periodic.size();
            long term = log.grants.get(0);

            grantAgain(context);

            await().atMost(TestNodes.WAIT).until(() -> log.periodic.size() == before + 1 && log.cronRun.size() >= 1);
            assertThat(log.periodic.get(before)).as("on the application's scheduler, with the token")
                    .startsWith("jobs-").endsWith(" " + term);
            assertThat(log.cronRun).allMatch(thread -> thread.startsWith("jobs-"));
            Thread.sleep(300); // a second run, were there one, would come now
            assertThat(log.periodic).as("once per grant").hasSize(before + 1);
            assertThat(log.cron).as("a cron job waits for its time by default").isEmpty();
            assertThat(log.waiting).as("onGrant = WAIT").isEmpty();
            assertThat(log.switchedOff).as("a cron of -").isEmpty();

            grantAgain(context);

            await().atMost(TestNodes.WAIT).until(() -> log.periodic.size() == before + 2);
            assertThat(log.grants).hasSize(3).containsOnly(term);
        });
    }

    @Test
    void a_node_that_is_not_primary_runs_nothing_on_grant() {
        runner.withPropertyValues(TestNodes.waiting()).run(context -> {
            Log log = context.getBean(Log.class);
            Thread.sleep(500);
            assertThat(log.grants).isEmpty();
            assertThat(log.periodic).isEmpty();
            assertThat(log.cronRun).isEmpty();
        });
    }

    /** The node hands over to no one (it is alone), so primacy is granted to the application again. */
    private static void grantAgain(AssertableApplicationContext context) throws InterruptedException {
        Log log = context.getBean(Log.class);
        int grants = log.grants.size();
        assertThatThrownBy(() -> context.getBean(ClusterLifecycle.class).transferPrimacy(null).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(LeadershipTransferException.class);
        await().atMost(TestNodes.WAIT).until(() -> log.grants.size() == grants + 1);
    }

    // ------------------------------------------------------------------ one run at a time

    /** What the slow job saw; a bean of its own, since the job is a proxy (whose fields are not the job's). */
    public static class Seen {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger inProgress = new AtomicInteger();
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final AtomicInteger freeInProgress = new AtomicInteger();
        final AtomicInteger freeOverlaps = new AtomicInteger();
    }

    /** A job that holds its run a while (until the test lets it go), and notes any run beside another. */
    public static class Slow {
        private final Seen seen;

        public Slow(Seen seen) {
            this.seen = seen;
        }

        @Scheduled(fixedDelay = 5)
        @PrimaryOnly
        public void tick() throws InterruptedException {
            if (seen.inProgress.incrementAndGet() > 1) {
                seen.overlaps.incrementAndGet();
            }
            try {
                seen.runs.incrementAndGet();
                seen.started.countDown();
                if (!seen.release.await(20, TimeUnit.MILLISECONDS)) {
                    Thread.sleep(15); // a run takes a while, longer than the delay between ticks
                }
            } finally {
                seen.inProgress.decrementAndGet();
            }
        }

        /** Not scheduled: any number of calls at once. */
        @PrimaryOnly
        public void free() throws InterruptedException {
            if (seen.freeInProgress.incrementAndGet() > 1) {
                seen.freeOverlaps.incrementAndGet();
            }
            try {
                Thread.sleep(200);
            } finally {
                seen.freeInProgress.decrementAndGet();
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    static class SlowApp {
        @Bean
        Seen seen() {
            return new Seen();
        }

        @Bean
        Slow slow(Seen seen) {
            return new Slow(seen);
        }

        @Bean
        Log log() {
            return new Log();
        }

        @Bean
        Grants grants(Log log) {
            return new Grants(log);
        }

        @Bean
        ThreadPoolTaskScheduler taskScheduler() {
            ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
            scheduler.setThreadNamePrefix("jobs-");
            scheduler.setPoolSize(4); // room for a grant's run beside a tick: only the guard keeps them apart
            return scheduler;
        }
    }

    @Test
    void a_job_that_runs_on_grant_never_runs_twice_at_once_on_a_node() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ClusterModeAutoConfiguration.class))
                .withUserConfiguration(SlowApp.class)
                .withPropertyValues(TestNodes.alone())
                .run(context -> {
                    Slow slow = context.getBean(Slow.class);
                    Seen seen = context.getBean(Seen.class);
                    Log log = context.getBean(Log.class);
                    await().atMost(TestNodes.WAIT).until(() -> !log.grants.isEmpty());
                    assertThat(seen.started.await(30, TimeUnit.SECONDS)).isTrue();

                    // A call of its own while ticks run: skipped whenever a tick is in progress.
                    for (int i = 0; i < 20; i++) {
                        callers.submit(() -> {
                            slow.tick();
                            return null;
                        }).get(10, TimeUnit.SECONDS);
                    }
                    // Grants while ticks run every 5 ms on a pool of four threads.
                    for (int i = 0; i < 5; i++) {
                        grantAgain(context);
                    }
                    int runs = seen.runs.get();
                    await().atMost(TestNodes.WAIT).until(() -> seen.runs.get() > runs + 3);
                    seen.release.countDown();

                    assertThat(seen.overlaps).as("runs beside another run of the same method").hasValue(0);
                    // A method that does not run on grant keeps running as often as it is called.
                    callers.invokeAll(List.of(() -> {
                        slow.free();
                        return null;
                    }, () -> {
                        slow.free();
                        return null;
                    }));
                    assertThat(seen.freeOverlaps).as("free() is not kept to one at a time").hasPositiveValue();
                });
    }

    // ------------------------------------------------------------------ bad input

    /** Asks to run on grant, but nothing schedules it. */
    public static class Unscheduled {
        @PrimaryOnly(onGrant = OnGrant.RUN)
        public void notAJob() {
        }
    }

    @Test
    void run_on_grant_for_a_method_that_is_not_scheduled_stops_the_application_naming_it() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ClusterModeAutoConfiguration.class))
                .withPropertyValues(TestNodes.waiting())
                .withBean(Unscheduled.class)
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("@PrimaryOnly(onGrant = RUN) on Unscheduled.notAJob():"
                                + " only a @Scheduled method runs when primacy is granted"));
    }
}
