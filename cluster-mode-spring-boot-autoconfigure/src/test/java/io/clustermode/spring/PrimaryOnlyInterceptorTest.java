package io.clustermode.spring;

import org.junit.jupiter.api.Test;

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

import static org.assertj.core.api.Assertions.assertThat;

/** What a skipped {@code @PrimaryOnly} call returns, as its Javadoc promises. */
class PrimaryOnlyInterceptorTest {

    @Test
    void a_skipped_call_returns_nothing_zero_or_empty() throws Exception {
        assertThat(PrimaryOnlyInterceptor.skipped(void.class)).isNull();
        assertThat(PrimaryOnlyInterceptor.skipped(boolean.class)).isEqualTo(false);
        assertThat(PrimaryOnlyInterceptor.skipped(char.class)).isEqualTo('\0');
        assertThat(PrimaryOnlyInterceptor.skipped(byte.class)).isEqualTo((byte) 0);
        assertThat(PrimaryOnlyInterceptor.skipped(short.class)).isEqualTo((short) 0);
        assertThat(PrimaryOnlyInterceptor.skipped(int.class)).isEqualTo(0);
        assertThat(PrimaryOnlyInterceptor.skipped(long.class)).isEqualTo(0L);
        assertThat(PrimaryOnlyInterceptor.skipped(float.class)).isEqualTo(0f);
        assertThat(PrimaryOnlyInterceptor.skipped(double.class)).isEqualTo(0d);
        assertThat(PrimaryOnlyInterceptor.skipped(Optional.class)).isEqualTo(Optional.empty());
        assertThat(PrimaryOnlyInterceptor.skipped(OptionalInt.class)).isEqualTo(OptionalInt.empty());
        assertThat(PrimaryOnlyInterceptor.skipped(OptionalLong.class)).isEqualTo(OptionalLong.empty());
        assertThat(PrimaryOnlyInterceptor.skipped(OptionalDouble.class)).isEqualTo(OptionalDouble.empty());
        assertThat(PrimaryOnlyInterceptor.skipped(List.class)).isEqualTo(List.of());
        assertThat(PrimaryOnlyInterceptor.skipped(Collection.class)).isEqualTo(List.of());
        assertThat(PrimaryOnlyInterceptor.skipped(Iterable.class)).isEqualTo(List.of());
        assertThat(PrimaryOnlyInterceptor.skipped(Set.class)).isEqualTo(Set.of());
        assertThat(PrimaryOnlyInterceptor.skipped(Map.class)).isEqualTo(Map.of());
        assertThat((Stream<?>) PrimaryOnlyInterceptor.skipped(Stream.class)).isEmpty();
        for (Class<?> future : List.of(CompletableFuture.class, CompletionStage.class, Future.class)) {
            assertThat(((CompletableFuture<?>) PrimaryOnlyInterceptor.skipped(future)).get()).isNull();
        }
        assertThat(PrimaryOnlyInterceptor.skipped(String.class)).isNull();
        assertThat(PrimaryOnlyInterceptor.skipped(Integer.class)).isNull();
    }
}
