package io.clustermode.spring;

import org.springframework.core.Ordered;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * Runs {@code @Scheduled} {@link PrimaryOnly @PrimaryOnly} methods once, at once, when this node
 * is granted primacy, on the scheduler that runs their ticks ({@link PrimaryOnly#onGrant()} says
 * which methods). A bean of the auto-configuration.
 *
 * <p>It is a {@link SchedulingConfigurer}: Spring's {@code @Scheduled} processing
 * ({@code @EnableScheduling}) hands it its {@link ScheduledTaskRegistrar} as the context finishes
 * starting, and the registrar's scheduler — by default Spring's router to the application's
 * {@code TaskScheduler}, or to the one a {@code @Scheduled(scheduler = ...)} qualifier names — is
 * where each grant's run goes. It configures nothing itself, and without
 * {@code @EnableScheduling} it does nothing.
 */
public final class PrimaryOnlyScheduling implements SchedulingConfigurer, Ordered {

    private final GrantRuns grantRuns;

    /**
     * @param postProcessor the post-processor that proxied the {@code @PrimaryOnly} beans (it knows their methods)
     * @param lifecycle     the lifecycle whose grants start the runs
     */
    public PrimaryOnlyScheduling(PrimaryOnlyPostProcessor postProcessor, ClusterLifecycle lifecycle) {
        this.grantRuns = postProcessor.grantRuns();
        PrimaryRuns runs = lifecycle.runs();
        lifecycle.afterGrant(term -> grantRuns.granted(term, runs));
    }

    /** Notes the registrar, whose scheduler is read at each grant (the application's configurers may set it). */
    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        grantRuns.scheduling(registrar);
    }

    /** {@link Ordered#LOWEST_PRECEDENCE}: after the application's own configurers. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
