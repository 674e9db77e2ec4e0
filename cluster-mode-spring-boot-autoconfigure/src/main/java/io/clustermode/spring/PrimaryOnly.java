package io.clustermode.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The annotated method runs only while this node is the cluster's primary; a run in progress is
 * interrupted the moment primacy is lost. For {@code @Scheduled} jobs, event listeners, or any
 * method of a Spring bean:
 *
 * <pre>{@code
 * @Scheduled(fixedRate = 100)
 * @PrimaryOnly
 * public void sendInvoices() {
 *     long token = fencing.currentToken().orElseThrow();   // ClusterFencing, injected
 *     invoices.sendDue(token);                             // the outside resource refuses older tokens
 * }
 * }</pre>
 *
 * <h2>When it runs</h2>
 * A call runs the method when this node holds primacy as the application was told it (a
 * {@link PrimaryGrantedEvent} was published and no {@link PrimaryRevokedEvent} after it) and the
 * node's own state agrees. Otherwise the call is <em>skipped</em>: the method does not run and the
 * call returns at once with
 * <ul>
 *   <li>nothing, for {@code void};</li>
 *   <li>{@code 0}, {@code false} or {@code '\0'} for a primitive type;</li>
 *   <li>an empty {@code Optional}, {@code OptionalInt}, {@code OptionalLong}, {@code OptionalDouble},
 *       {@code List}, {@code Set}, {@code Map}, {@code Collection}, {@code Iterable} or {@code Stream};</li>
 *   <li>a completed {@code CompletableFuture} (of null) for {@code CompletableFuture},
 *       {@code CompletionStage} or {@code Future};</li>
 *   <li>{@code null} for every other type.</li>
 * </ul>
 * Skips are logged at DEBUG only: on a secondary, every call of a job is one.
 *
 * <h2>Losing primacy</h2>
 * When primacy ends — another node takes over, this node loses its quorum, the application
 * context closes, or the node cannot go on — every run in progress is interrupted
 * ({@link Thread#interrupt()}) before the {@link PrimaryRevokedEvent} is published. The method
 * should end promptly when interrupted: blocking calls throw {@link InterruptedException} (or
 * {@link java.nio.channels.ClosedByInterruptException}), loops should check
 * {@link Thread#isInterrupted()}. If the run then ends with an exception, the exception is
 * logged at INFO and the call returns as a skipped one; if it returns normally, its result is
 * returned. The interrupt this caused is cleared before the call returns, so the caller's thread
 * (a scheduler's, a web server's) goes on clean. At context shutdown primacy is handed over only
 * after the interrupted runs have ended (up to 10 s), so an orderly shutdown never lets two nodes
 * run primary-only work at once.
 *
 * <p>Interrupting a run is how this node stops itself; it cannot stop a node that is paused or
 * cut off from the others, which learns late that it lost primacy. Outside resources that must
 * never accept work from a former primary should check the fencing token
 * ({@link ClusterFencing#currentToken()}), which grows with every new primary.
 *
 * <h2>Granted primacy: a {@code @Scheduled} job runs at once</h2>
 * A {@code @Scheduled} job ticks on every node, and its ticks are skipped on the secondaries; a
 * node that becomes primary would then wait up to a whole period for its next tick. So when this
 * node is granted primacy, a {@code @Scheduled} {@code @PrimaryOnly} method with a fixed rate or
 * fixed delay runs once at once — right after the {@link PrimaryGrantedEvent} is published — and
 * its schedule goes on unchanged. A cron or one-time schedule names its times: by default such a
 * method waits for them. {@link #onGrant()} says otherwise: {@link OnGrant#RUN} also for cron and
 * one-time schedules, {@link OnGrant#WAIT} never.
 * <ul>
 *   <li>The run goes to the scheduler that runs the method's ticks, as a tick would (the same
 *       threads, error handling and observation; a {@code @Scheduled(scheduler = ...)} qualifier
 *       is followed), so the method never sees a thread its ticks would not. With Spring Boot's
 *       single scheduler thread it therefore waits for a job of another method that is running.</li>
 *   <li>It is a run like every other: skipped unless this node is still primary in the granted
 *       term, interrupted when primacy ends, awaited at shutdown.</li>
 *   <li>One run at a time: a method that runs on grant never runs twice at once on a node. A call
 *       that comes while a run of it (on the same bean) is in progress is skipped as above, and
 *       the grant's run is skipped when a tick of the term already ran it: the grant's run and a
 *       tick never overlap, and the method runs once at the grant, not twice.</li>
 *   <li>So, cluster-wide, the first run after a hand-over can come sooner than one period after
 *       the former primary's last run: that is the point. A job that needs a minimum distance
 *       between runs across nodes takes {@link OnGrant#WAIT}.</li>
 *   <li>A grant that comes while the context is still starting (before the schedule has begun)
 *       is served by the schedule's first tick. Reactive and Kotlin suspending {@code @Scheduled}
 *       methods do not run on grant.</li>
 * </ul>
 *
 * <h2>How it works</h2>
 * Beans with such methods are proxied (by class, as Spring Boot does by default), so the method
 * must be public or protected and not final, and the call must come through the bean (a call
 * from the same object bypasses the proxy, as with {@code @Transactional}). A run happens on the
 * caller's thread; for an {@code @Async} method, on the executor's thread.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PrimaryOnly {

    /**
     * Whether a {@code @Scheduled} method runs once at once when this node is granted primacy
     * (see "Granted primacy" above); {@link OnGrant#RUN_IF_PERIODIC} by default. Only
     * {@code @Scheduled} methods run on grant: {@link OnGrant#RUN} on any other method, or on a
     * reactive or Kotlin suspending one, stops the application at start with an error that names
     * the method.
     */
    OnGrant onGrant() default OnGrant.RUN_IF_PERIODIC;

    /** What a {@code @Scheduled} {@link PrimaryOnly} method does when this node is granted primacy. */
    enum OnGrant {
        /**
         * Runs at once when one of the method's schedules is a fixed rate or a fixed delay; a
         * method with only cron or one-time schedules waits for their times. The default.
         */
        RUN_IF_PERIODIC,
        /**
         * Runs at once, whatever the schedule: also a cron or one-time one (but not a cron of
         * {@code "-"}, which switches the method's schedule off).
         */
        RUN,
        /** Waits for the schedule's next time. */
        WAIT
    }
}
