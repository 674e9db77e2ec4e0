package io.clustermode.faults;

import io.clustermode.linearizability.History;
import io.clustermode.linearizability.Verdict;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class OtherCheckersTest {

    @Nested
    class PrimaryPerTerm {

        @Test
        void one_primary_per_term_across_elections_holds() {
            var result = PrimaryPerTermChecker.check(List.of(
                    new InfoSample("n1", "PRIMARY", 1, 10), new InfoSample("n2", "SECONDARY", 1, 11),
                    new InfoSample("n1", "PRIMARY", 1, 20), new InfoSample("n2", "PRIMARY", 2, 30),
                    new InfoSample("n1", "PRIMARY", 1, 31), // a deposed primary that has not heard yet: term 1
                    new InfoSample("n3", "INACTIVE", 0, 5)));
            assertThat(result.holds()).isTrue();
            assertThat(result.summary()).endsWith(": ok");
        }

        @Test
        void two_nodes_primary_in_one_term_is_a_violation_even_at_different_times() {
            var result = PrimaryPerTermChecker.check(List.of(
                    new InfoSample("n1", "PRIMARY", 4, 10), new InfoSample("n3", "PRIMARY", 4, 9_000)));
            assertThat(result.verdict()).isEqualTo(Verdict.VIOLATION);
            assertThat(result.problems()).containsExactly("term 4 had 2 primaries: n1, n3");
        }
    }

    @Nested
    class LostWrites {

        private final History history = new Hist()
                .key("a").put(1, "a1", 0, 10).put(2, "a2", 20, 30).put(3, "a3", 25, 35)
                .key("b").put(1, "b1", 0, 10).putUnknown(2, "b2", 20, 30).putFailed(3, "b3", 40, 50)
                .key("c").put(1, "c1", 0, 10).delete(2, 20, 30)
                .key("d").putFailed(1, "d1", 0, 10)
                .build();

        @Test
        void final_values_from_writes_that_could_be_last_hold() {
            for (String a : new String[] {"a2", "a3"}) {
                for (String b : new String[] {"b1", "b2"}) {
                    Map<String, String> fin = new HashMap<>();
                    fin.put("a", a);
                    fin.put("b", b);
                    fin.put("c", null);
                    fin.put("d", null);
                    assertThat(LostWriteChecker.check(history, fin).holds()).as("%s %s", a, b).isTrue();
                }
            }
        }

        @Test
        void an_overwritten_value_a_failed_write_or_absent_means_a_lost_write() {
            assertThat(LostWriteChecker.check(history, Map.of("a", "a1")).problems())
                    .singleElement().asString().contains("key a reads a1", "put(a2)", "put(a3)");
            assertThat(LostWriteChecker.check(history, Map.of("b", "b3")).holds()).isFalse();
            Map<String, String> absent = new HashMap<>();
            absent.put("a", null);
            assertThat(LostWriteChecker.check(history, absent).holds()).isFalse();
            assertThat(LostWriteChecker.check(history, Map.of("c", "c1")).holds()).isFalse();
        }
    }

    @Nested
    class Recovery {

        private final History history = new Hist()
                .put(1, "before", 0, 10)
                .putUnknown(1, "x", 1_000, 2_000)
                .put(2, "late", 1_500, 3_000_000)
                .put(3, "soon", 1_600, 900_000)
                .build();

        @Test
        void the_first_acknowledged_write_after_the_heal_within_the_bound_holds() {
            assertThat(RecoveryChecker.firstAcknowledgedWriteAfter(1_000, history)).contains(900_000L);
            assertThat(RecoveryChecker.check(1_000, history, Duration.ofMillis(1)).holds()).isTrue();
        }

        @Test
        void too_slow_or_no_write_at_all_is_a_violation() {
            assertThat(RecoveryChecker.check(1_000, history, Duration.ofNanos(500_000)).problems())
                    .singleElement().asString().contains("more than");
            assertThat(RecoveryChecker.check(5_000_000, history, Duration.ofSeconds(10)).problems())
                    .containsExactly("no write succeeded after the heal");
            assertThat(RecoveryChecker.check(0, Optional.empty(), Duration.ofSeconds(1)).holds()).isFalse();
        }

        @Test
        void time_without_a_primary_is_measured_from_the_heal() {
            var samples = List.of(new InfoSample("n1", "PRIMARY", 1, 100), new InfoSample("n2", "SECONDARY", 2, 1_000),
                    new InfoSample("n2", "PRIMARY", 3, 4_000), new InfoSample("n3", "PRIMARY", 4, 9_000));
            assertThat(RecoveryChecker.timeWithoutPrimary(500, samples)).contains(Duration.ofNanos(3_500));
            assertThat(RecoveryChecker.timeWithoutPrimary(10_000, samples)).isEmpty();
        }
    }
}
