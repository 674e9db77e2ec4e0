package io.clustermode.spring;

import io.clustermode.spring.PrimaryOnly.OnGrant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.KotlinDetector;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.scheduling.SchedulingAwareRunnable;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.annotation.Schedules;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.scheduling.support.ScheduledMethodRunnable;
import org.springframework.util.StringValueResolver;

import java.lang.reflect.Method;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;

/**
 * The {@code @Scheduled} {@link PrimaryOnly} methods that run once at once when this node is
 * granted primacy ({@link PrimaryOnly#onGrant()}), and those runs: each goes to the scheduler of
 * Spring's {@code @Scheduled} processing, as a tick of the method would.
 *
 * <p>The methods are recorded as beans are proxied (by {@link PrimaryOnlyPostProcessor}, before
 * Spring's own processor schedules them through the same proxy); the scheduler becomes known
 * when Spring's processing hands its registrar to the {@code SchedulingConfigurer}s, as the
 * context finishes starting. A grant before that has nothing to run: the schedule's first ticks
 * come right after. Thread-safe.
 */
final class GrantRuns {

    private static final Logger LOG = LoggerFactory.getLogger(GrantRuns.class);

    /** Set on the thread of a grant's run until the first {@link PrimaryOnly} call takes it: that call is the run. */
    private static final ThreadLocal<Boolean> GRANT_RUN = new ThreadLocal<>();

    /** One method of one bean (the proxy Spring schedules) to run at a grant. */
    private record Job(Object bean, Method invocable, String qualifier) {
    }

    /** A method as called on a bean of a class: the unit whose answer is cached. */
    private record Called(Method method, Class<?> targetClass) {
    }

    private final List<Job> jobs = new CopyOnWriteArrayList<>();
    private final Map<Called, Boolean> runsOnGrant = new ConcurrentHashMap<>();
    private volatile StringValueResolver placeholders = value -> value;
    private volatile ScheduledTaskRegistrar registrar;

    /** Resolves {@code ${...}} in cron expressions, as Spring's processing does (a cron of "-" schedules nothing). */
    void resolveWith(StringValueResolver resolver) {
        this.placeholders = Objects.requireNonNull(resolver, "resolver");
    }

    /**
     * Records the methods of {@code bean}, a proxy whose target is of {@code targetClass}, that
     * run on grant.
     *
     * @throws IllegalStateException when a method asks for {@link OnGrant#RUN} and cannot run on grant
     */
    void register(Object bean, Class<?> targetClass) {
        Map<Method, PrimaryOnly> annotated = MethodIntrospector.selectMethods(targetClass,
                (MethodIntrospector.MetadataLookup<PrimaryOnly>) method ->
                        AnnotatedElementUtils.findMergedAnnotation(method, PrimaryOnly.class));
        annotated.forEach((method, primaryOnly) -> {
            String refusal = refusal(method, primaryOnly);
            if (refusal != null) {
                throw new IllegalStateException("@PrimaryOnly(onGrant = RUN) on " + name(method) + ": " + refusal);
            }
            List<Scheduled> schedules = schedulesToRunOnGrant(method, primaryOnly.onGrant());
            if (schedules.isEmpty()) {
                return;
            }
            Method invocable;
            try {
                invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
            } catch (IllegalStateException notOnTheProxy) {
                return; // Spring's processing of @Scheduled reports it, in its own words
            }
            jobs.add(new Job(bean, invocable, schedules.get(0).scheduler()));
            LOG.debug("@PrimaryOnly {} runs at once when primacy is granted", name(method));
        });
    }

    /** Whether {@code method}, called on a bean of {@code targetClass}, is one that runs on grant. */
    boolean runsOnGrant(Method method, Class<?> targetClass) {
        return runsOnGrant.computeIfAbsent(new Called(method, targetClass), called -> {
            Method specific = AopUtils.getMostSpecificMethod(called.method(), called.targetClass());
            PrimaryOnly primaryOnly = AnnotatedElementUtils.findMergedAnnotation(specific, PrimaryOnly.class);
            return primaryOnly != null && !schedulesToRunOnGrant(specific, primaryOnly.onGrant()).isEmpty();
        });
    }

    /** Spring's {@code @Scheduled} processing is set up: from now on grants run the jobs on its scheduler. */
    void scheduling(ScheduledTaskRegistrar spring) {
        this.registrar = spring;
    }

    /**
     * This node was granted primacy in {@code term} (just now: the grant is in effect in
     * {@code runs}): each job is handed to the scheduler of its ticks, to run at once; it runs if
     * that grant is still in effect by then.
     */
    void granted(long term, PrimaryRuns runs) {
        ScheduledTaskRegistrar spring = registrar;
        TaskScheduler scheduler = spring == null ? null : spring.getScheduler();
        long grant = runs.grantNumber();
        if (scheduler == null || jobs.isEmpty() || grant == PrimaryRuns.NONE) {
            return;
        }
        for (Job job : jobs) {
            ScheduledMethodRunnable tick = new ScheduledMethodRunnable(job.bean(), job.invocable(), job.qualifier(),
                    spring::getObservationRegistry);
            try {
                scheduler.schedule(new GrantRun(tick, term, grant, runs), Instant.now());
            } catch (RejectedExecutionException stopping) {
                // The scheduler stops with the context; the grant's run is no loss then.
                LOG.debug("@PrimaryOnly {} not run at the grant of term {}: the scheduler refused it ({})",
                        name(job.invocable()), term, stopping.toString());
            }
        }
    }

    /** Whether the calling thread is a grant's run not yet taken; takes it (the first call of the run is the run). */
    static boolean takeGrantRun() {
        if (GRANT_RUN.get() == null) {
            return false;
        }
        GRANT_RUN.remove();
        return true;
    }

    /** The method's schedules for which it runs on grant: empty when it does not. */
    private List<Scheduled> schedulesToRunOnGrant(Method method, OnGrant onGrant) {
        if (onGrant == OnGrant.WAIT || isReactive(method)) {
            return List.of();
        }
        Predicate<Scheduled> which = onGrant == OnGrant.RUN ? this::isScheduled : GrantRuns::isPeriodic;
        return schedules(method).stream().filter(which).toList();
    }

    /** Why {@code method} cannot have what {@code primaryOnly} asks for; null when it can. */
    private String refusal(Method method, PrimaryOnly primaryOnly) {
        if (primaryOnly.onGrant() != OnGrant.RUN) {
            return null;
        }
        if (schedules(method).isEmpty()) {
            // A cron of "-" is a job switched off (often by a property): it stays off, no error.
            return "only a @Scheduled method runs when primacy is granted";
        }
        if (isReactive(method)) {
            return "a reactive or Kotlin suspending @Scheduled method does not run when primacy is granted";
        }
        return null;
    }

    /** The method's {@code @Scheduled} annotations, found as Spring's processing finds them. */
    private static Set<Scheduled> schedules(Method method) {
        return AnnotatedElementUtils.getMergedRepeatableAnnotations(method, Scheduled.class, Schedules.class);
    }

    private static boolean isPeriodic(Scheduled scheduled) {
        return scheduled.fixedRate() >= 0 || !scheduled.fixedRateString().isEmpty()
                || scheduled.fixedDelay() >= 0 || !scheduled.fixedDelayString().isEmpty();
    }

    /** Whether Spring schedules anything for it: everything but a cron that resolves to "-". */
    private boolean isScheduled(Scheduled scheduled) {
        if (scheduled.cron().isEmpty() || isPeriodic(scheduled)) {
            return true;
        }
        String cron = placeholders.resolveStringValue(scheduled.cron());
        return !Scheduled.CRON_DISABLED.equals(cron);
    }

    /** As Spring's processing tells a method whose return value it subscribes to from one it just calls. */
    private static boolean isReactive(Method method) {
        if (KotlinDetector.isSuspendingFunction(method)) {
            return true;
        }
        ReactiveAdapterRegistry registry = ReactiveAdapterRegistry.getSharedInstance();
        return registry.hasAdapters() && registry.getAdapter(method.getReturnType()) != null;
    }

    private static String name(Method method) {
        return method.getDeclaringClass().getSimpleName() + "." + method.getName() + "()";
    }

    /** A grant's run of one job, on the scheduler its ticks run on (which reads the qualifier). */
    private static final class GrantRun implements SchedulingAwareRunnable {
        private final ScheduledMethodRunnable tick;
        private final long term;
        private final long grant;
        private final PrimaryRuns runs;

        GrantRun(ScheduledMethodRunnable tick, long term, long grant, PrimaryRuns runs) {
            this.tick = tick;
            this.term = term;
            this.grant = grant;
            this.runs = runs;
        }

        @Override
        public void run() {
            if (runs.grantNumber() != grant) {
                return; // revoked, or granted anew (whose own run follows), before the scheduler got to it
            }
            GRANT_RUN.set(Boolean.TRUE);
            try {
                tick.run();
            } finally {
                GRANT_RUN.remove();
            }
        }

        @Override
        public String getQualifier() {
            return tick.getQualifier();
        }

        @Override
        public String toString() {
            return "the grant's run of " + tick + " in term " + term;
        }
    }
}
