package io.clustermode.testkit;

import io.clustermode.StateMachine;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * The JUnit 5 extension behind {@link ClusterTest}: one invocation per seed, the seed (or a
 * {@link TestCluster} built from it) as the method's parameter, and a failure message that
 * starts with the seed and the line that replays it. Registered by the annotation; not meant
 * to be used directly.
 */
public final class ClusterTestExtension implements TestTemplateInvocationContextProvider {

    /** System property: run only this seed of every {@code @ClusterTest}. */
    public static final String SEED_PROPERTY = "cluster-mode.testkit.seed";
    /** System property: run this many seeds instead of the annotation's {@code seeds}. */
    public static final String SEEDS_PROPERTY = "cluster-mode.testkit.seeds";

    /** Made by JUnit, through the annotation. */
    public ClusterTestExtension() {
    }

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(ClusterTest.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        ClusterTest settings = context.getRequiredTestMethod().getAnnotation(ClusterTest.class);
        return seeds(settings).mapToObj(seed -> new SeedContext(seed, settings));
    }

    static LongStream seeds(ClusterTest settings) {
        String only = System.getProperty(SEED_PROPERTY);
        if (only != null && !only.isBlank()) {
            try {
                return LongStream.of(Long.parseLong(only.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + SEED_PROPERTY + " must be a number, was '" + only + "'");
            }
        }
        if (settings.seed().length > 0) {
            return LongStream.of(settings.seed());
        }
        int count = settings.seeds();
        String override = System.getProperty(SEEDS_PROPERTY);
        if (override != null && !override.isBlank()) {
            try {
                count = Integer.parseInt(override.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + SEEDS_PROPERTY + " must be a number, was '" + override + "'");
            }
        }
        if (count < 1) {
            throw new IllegalArgumentException("@ClusterTest needs at least one seed, was " + count);
        }
        return LongStream.range(settings.firstSeed(), settings.firstSeed() + count);
    }

    /** The line that replays one seed, as a failure message gives it. */
    static String replayLine(long seed) {
        return "replay: @ClusterTest(seed = " + seed + ") or -D" + SEED_PROPERTY + "=" + seed;
    }

    private record SeedContext(long seed, ClusterTest settings) implements TestTemplateInvocationContext {

        @Override
        public String getDisplayName(int invocationIndex) {
            return "seed " + seed;
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            List<Extension> extensions = new ArrayList<>();
            extensions.add(new SeedParameter(seed, settings));
            extensions.add(new SeedInFailure(seed));
            return extensions;
        }
    }

    private record SeedParameter(long seed, ClusterTest settings) implements ParameterResolver {

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            Class<?> type = parameter.getParameter().getType();
            return type == long.class || type == Long.class || type == TestCluster.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            Class<?> type = parameter.getParameter().getType();
            if (type != TestCluster.class) {
                return seed;
            }
            @SuppressWarnings("rawtypes")
            Class<? extends StateMachine> machine = settings.stateMachine();
            if (machine == StateMachine.class) {
                throw new ParameterResolutionException("a TestCluster parameter needs "
                        + "@ClusterTest(stateMachine = MyMachine.class); or take 'long seed' and build the cluster");
            }
            Constructor<?> constructor;
            try {
                constructor = machine.getDeclaredConstructor();
                constructor.setAccessible(true);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new ParameterResolutionException(machine.getName() + " needs a constructor without arguments"
                        + " for @ClusterTest to make it", e);
            }
            return TestCluster.builder().nodes(settings.nodes()).seed(seed)
                    .stateMachine(() -> newMachine(constructor)).build();
        }

        private static StateMachine<Object> newMachine(Constructor<?> constructor) {
            try {
                @SuppressWarnings("unchecked")
                StateMachine<Object> made = (StateMachine<Object>) constructor.newInstance();
                return made;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("could not make " + constructor.getDeclaringClass().getName() + ": "
                        + e.getCause(), e);
            }
        }
    }

    /** Puts the seed and the replay line in front of whatever the run threw. */
    private record SeedInFailure(long seed) implements TestExecutionExceptionHandler {

        @Override
        public void handleTestExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
            if (thrown instanceof org.opentest4j.TestAbortedException) {
                throw thrown;
            }
            AssertionError withSeed = new AssertionError("seed " + seed + " failed (" + replayLine(seed) + "): "
                    + thrown.getMessage(), thrown);
            throw withSeed;
        }
    }
}
