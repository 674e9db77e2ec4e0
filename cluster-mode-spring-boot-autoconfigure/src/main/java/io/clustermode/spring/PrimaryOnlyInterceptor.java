package io.clustermode.spring;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;

import java.lang.reflect.Method;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Runs a {@link PrimaryOnly} method only on the primary, and a method that runs on grant one run
 * at a time ({@link OneRunAtATime}); see there for what a skipped or interrupted call returns.
 */
final class PrimaryOnlyInterceptor implements MethodInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(PrimaryOnlyInterceptor.class);

    private final ObjectProvider<ClusterLifecycle> lifecycle;
    private final GrantRuns grantRuns;
    private final OneRunAtATime oneAtATime = new OneRunAtATime();
    private volatile PrimaryRuns runs;

    PrimaryOnlyInterceptor(ObjectProvider<ClusterLifecycle> lifecycle, GrantRuns grantRuns) {
        this.lifecycle = lifecycle;
        this.grantRuns = grantRuns;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Method method = invocation.getMethod();
        boolean grantRun = GrantRuns.takeGrantRun(); // this outermost call is the grant's run
        PrimaryRuns book = runs();
        PrimaryRuns.Run run = book == null ? null : book.begin();
        if (run == null) {
            skippedBecause(method, "this node is not the primary");
            return skipped(method.getReturnType());
        }
        Object target = invocation.getThis();
        boolean single = target != null && grantRuns.runsOnGrant(method, AopUtils.getTargetClass(target));
        if (single) {
            String busy = oneAtATime.enter(target, method, run.grant, grantRun);
            if (busy != null) {
                book.end(run);
                skippedBecause(method, busy);
                return skipped(method.getReturnType());
            }
        }
        try {
            return invocation.proceed();
        } catch (Throwable failure) {
            if (!run.interrupted) {
                throw failure;
            }
            LOG.info("@PrimaryOnly {}.{} was interrupted, primacy of term {} having ended: {}",
                    method.getDeclaringClass().getSimpleName(), method.getName(), run.token, failure.toString());
            return skipped(method.getReturnType());
        } finally {
            if (single) {
                oneAtATime.exit(target, method);
            }
            book.end(run);
        }
    }

    private static void skippedBecause(Method method, String reason) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("@PrimaryOnly {}.{} skipped: {}", method.getDeclaringClass().getSimpleName(), method.getName(),
                    reason);
        }
    }

    /** The book of runs; null while there is no cluster lifecycle (the call is then skipped). */
    private PrimaryRuns runs() {
        PrimaryRuns known = runs;
        if (known == null) {
            ClusterLifecycle available = lifecycle.getIfAvailable();
            if (available != null) {
                known = available.runs();
                runs = known;
            }
        }
        return known;
    }

    /** What a call that did not run returns, for a method returning {@code type}. */
    static Object skipped(Class<?> type) {
        if (type == void.class) {
            return null;
        }
        if (type.isPrimitive()) {
            return primitiveZero(type);
        }
        if (type == Optional.class) {
            return Optional.empty();
        }
        if (type == OptionalInt.class) {
            return OptionalInt.empty();
        }
        if (type == OptionalLong.class) {
            return OptionalLong.empty();
        }
        if (type == OptionalDouble.class) {
            return OptionalDouble.empty();
        }
        if (type == List.class || type == Collection.class || type == Iterable.class) {
            return List.of();
        }
        if (type == Set.class) {
            return Set.of();
        }
        if (type == Map.class) {
            return Map.of();
        }
        if (type == Stream.class) {
            return Stream.empty();
        }
        if (type == CompletableFuture.class || type == CompletionStage.class || type == Future.class) {
            return CompletableFuture.completedFuture(null);
        }
        return null;
    }

    private static Object primitiveZero(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == char.class) {
            return '\0';
        }
        if (type == byte.class) {
            return (byte) 0;
        }
        if (type == short.class) {
            return (short) 0;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        if (type == float.class) {
            return 0f;
        }
        return 0d;
    }
}
