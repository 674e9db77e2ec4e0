package io.clustermode.testkit;

import io.clustermode.StateMachine;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a test method once per seed, each run a test of its own named by its seed. The method
 * takes the seed ({@code long seed}) and builds its {@link TestCluster} with it, or takes a
 * {@link TestCluster} built for it (with {@link #stateMachine()}, {@link #nodes()} and the seed).
 *
 * <pre>{@code
 * @ClusterTest(seeds = 200)
 * void counts_every_acknowledged_add(long seed) {
 *     TestCluster<Long, Counter> cluster = TestCluster.builder().seed(seed).nodes(5)
 *             .stateMachine(Counter::new).build();
 *     ...
 * }
 * }</pre>
 *
 * A run that fails says its seed and how to replay just that one: the line
 * {@code @ClusterTest(seed = S)}, or {@code -Dcluster-mode.testkit.seed=S} on the command line
 * (which runs only seed S of every {@code @ClusterTest}). {@code -Dcluster-mode.testkit.seeds=N}
 * runs N seeds instead of {@link #seeds()}, to search longer.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ExtendWith(ClusterTestExtension.class)
public @interface ClusterTest {

    /** How many seeds: {@link #firstSeed()}, {@code firstSeed + 1}, ... (default 10). */
    int seeds() default 10;

    /** The first seed of {@link #seeds()} (default 1). */
    long firstSeed() default 1;

    /** Exactly these seeds, for replaying a failure; overrides {@link #seeds()} when not empty. */
    long[] seed() default {};

    /** Nodes of the {@link TestCluster} a method parameter receives (default 3). */
    int nodes() default 3;

    /**
     * The state machine of the {@link TestCluster} a method parameter receives: a class with a
     * constructor without arguments. Not needed by a method that takes the seed.
     */
    @SuppressWarnings("rawtypes")
    Class<? extends StateMachine> stateMachine() default StateMachine.class;
}
