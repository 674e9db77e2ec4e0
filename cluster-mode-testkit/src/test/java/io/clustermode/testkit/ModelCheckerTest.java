package io.clustermode.testkit;

import io.clustermode.Committed;
import io.clustermode.IndeterminateOutcomeException;
import io.clustermode.NodeId;
import io.clustermode.NotPrimaryException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/** The general check against hand-made counter histories, with times in virtual milliseconds. */
class ModelCheckerTest {

    private static final NodeId N1 = NodeId.of("n1");
    private final List<Call<?>> history = new ArrayList<>();

    private void add(long amount, long from, long to, Long result) {
        Call<Committed<Long>> call = new Call<>(history.size(), Call.Kind.COMMAND, N1,
                Long.toString(amount).getBytes(UTF_8), null, null, from);
        call.complete(to, result == null ? null : new Committed<>(history.size() + 1L, 1, result),
                result == null ? new IndeterminateOutcomeException("lost primacy") : null);
        history.add(call);
    }

    private void read(long from, long to, long value) {
        Function<Counter, Long> query = counter -> counter.value;
        Call<Long> call = new Call<>(history.size(), Call.Kind.READ, N1, null, query, null, from);
        call.complete(to, value, null);
        history.add(call);
    }

    private ModelChecker.Result check() {
        return new ModelChecker<>(Counter::new, history, 100_000).check();
    }

    @Test
    void concurrent_adds_in_either_order_are_linearizable() {
        add(5, 0, 10, 12L); // took effect second
        add(7, 1, 9, 7L);
        read(11, 12, 12);
        assertThat(check().linearizable()).isTrue();
    }

    @Test
    void a_read_that_misses_a_write_acknowledged_before_it_began_is_not() {
        add(5, 0, 10, 5L);
        read(11, 12, 0); // stale
        ModelChecker.Result result = check();
        assertThat(result.linearizable()).isFalse();
        assertThat(result.undecided()).isFalse();
        assertThat(result.explanation()).contains("not linearizable").contains("read");
    }

    @Test
    void results_must_fit_one_order() {
        add(5, 0, 10, 5L);
        add(7, 20, 30, 7L); // should have been 12
        assertThat(check().linearizable()).isFalse();
    }

    @Test
    void a_write_of_unknown_outcome_may_have_happened_or_not() {
        add(5, 0, 10, null);
        read(20, 21, 5);
        assertThat(check().linearizable()).isTrue();
        history.clear();
        add(5, 0, 10, null);
        read(20, 21, 0);
        assertThat(check().linearizable()).isTrue();
        read(22, 23, 5); // but not first absent, then present... it may still take effect late
        assertThat(check().linearizable()).isTrue();
        read(24, 25, 0); // ...and cannot be undone
        assertThat(check().linearizable()).isFalse();
    }

    @Test
    void a_refused_write_took_no_effect() {
        Call<Committed<Long>> refused = new Call<>(0, Call.Kind.COMMAND, N1, "5".getBytes(UTF_8), null, null, 0);
        refused.complete(1, null, new NotPrimaryException(N1, null));
        history.add(refused);
        read(2, 3, 5);
        assertThat(check().linearizable()).isFalse();
    }
}
