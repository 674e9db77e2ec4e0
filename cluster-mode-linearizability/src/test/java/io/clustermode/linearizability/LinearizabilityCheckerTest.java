package io.clustermode.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {

    @Nested
    class Linearizable {

        @Test
        void empty_history() {
            assertThat(new Hist().check()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void reading_a_missing_key_before_any_write() {
            assertThat(new Hist().get(1, null, 0, 5).put(2, "a", 10, 20).get(1, "a", 30, 40).check())
                    .isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void concurrent_puts_may_take_effect_in_either_order() {
            assertThat(new Hist().put(1, "a", 0, 10).put(2, "b", 5, 15).get(3, "a", 20, 30).check())
                    .isEqualTo(Verdict.LINEARIZABLE);
            assertThat(new Hist().put(1, "a", 0, 10).put(2, "b", 5, 15).get(3, "b", 20, 30).check())
                    .isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void reads_concurrent_with_a_put_may_see_either_value_in_order() {
            assertThat(new Hist().put(1, "a", 0, 10).put(2, "b", 20, 40)
                    .get(3, "a", 25, 35).get(4, "b", 26, 36).get(3, "b", 37, 45).check())
                    .isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void a_cas_chain() {
            assertThat(new Hist().put(1, "a", 0, 10).cas(2, "a", "b", 11, 20).cas(3, "b", "c", 21, 30)
                    .casFailed(1, "a", "x", 31, 40).get(2, "c", 41, 50).check())
                    .isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void concurrent_cas_from_one_value_where_only_one_succeeds() {
            assertThat(new Hist().put(1, "a", 0, 10).cas(2, "a", "b", 20, 30).casFailed(3, "a", "c", 20, 30)
                    .get(1, "b", 40, 50).check())
                    .isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void an_unknown_write_that_took_effect_after_the_client_gave_up() {
            assertThat(new Hist().put(1, "a", 0, 10).putUnknown(2, "b", 20, 30)
                    .get(3, "a", 40, 50).get(3, "b", 100, 110).get(1, "b", 120, 130).check())
                    .isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void an_unknown_write_that_never_took_effect() {
            assertThat(new Hist().put(1, "a", 0, 10).putUnknown(2, "b", 20, 30).get(3, "a", 100, 110).check())
                    .isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void an_unknown_cas_that_took_effect() {
            assertThat(new Hist().put(1, "a", 0, 10).casUnknown(2, "a", "b", 20, 30).get(3, "b", 100, 110).check())
                    .isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void two_unknown_writes_of_one_value_may_take_effect_at_different_times() {
            assertThat(new Hist().put(1, "a", 0, 10).putUnknown(2, "b", 20, 30).putUnknown(3, "b", 21, 31)
                    .get(4, "b", 100, 110).put(4, "a", 120, 130).get(4, "b", 140, 150).check())
                    .isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void unknown_reads_and_failed_writes_constrain_nothing() {
            assertThat(new Hist().put(1, "a", 0, 10).getUnknown(2, 20, 30).putFailed(3, "z", 20, 30)
                    .get(1, "a", 40, 50).check())
                    .isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void a_delete_makes_the_key_absent() {
            assertThat(new Hist().put(1, "a", 0, 10).delete(2, 20, 30).get(3, null, 40, 50).check())
                    .isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void keys_are_independent_registers() {
            assertThat(new Hist().key("x").put(1, "a", 0, 10).key("y").put(2, "b", 0, 10)
                    .key("x").get(3, "a", 20, 30).key("y").get(3, "b", 31, 40).check())
                    .isEqualTo(Verdict.LINEARIZABLE);
        }
    }

    @Nested
    class Broken {

        @Test
        void a_stale_read_after_an_acknowledged_write() {
            assertThat(new Hist().put(1, "a", 0, 10).put(2, "b", 20, 30).get(3, "a", 40, 50).check())
                    .isEqualTo(Verdict.VIOLATION);
        }

        @Test
        void a_read_of_a_value_never_written() {
            assertThat(new Hist().put(1, "a", 0, 10).get(2, "z", 20, 30).check())
                    .isEqualTo(Verdict.VIOLATION);
        }

        @Test
        void a_read_of_a_value_only_written_by_a_failed_put() {
            assertThat(new Hist().put(1, "a", 0, 10).putFailed(2, "z", 15, 18).get(2, "z", 20, 30).check())
                    .isEqualTo(Verdict.VIOLATION);
        }

        @Test
        void two_successful_cas_from_the_same_expected_value() {
            assertThat(new Hist().put(1, "a", 0, 10).cas(2, "a", "b", 20, 30).cas(3, "a", "c", 20, 30).check())
                    .isEqualTo(Verdict.VIOLATION);
        }

        @Test
        void a_lost_acknowledged_write() {
            assertThat(new Hist().put(1, "a", 0, 10).put(2, "b", 20, 30)
                    .get(3, "b", 35, 40).get(1, "a", 50, 60).check())
                    .isEqualTo(Verdict.VIOLATION);
        }

        @Test
        void reads_going_back_in_time() {
            assertThat(new Hist().put(1, "a", 0, 10).put(2, "b", 20, 40)
                    .get(3, "b", 25, 30).get(4, "a", 31, 35).check())
                    .isEqualTo(Verdict.VIOLATION);
        }

        @Test
        void an_unknown_write_seen_and_then_undone() {
            assertThat(new Hist().put(1, "a", 0, 10).putUnknown(2, "b", 20, 30)
                    .get(3, "b", 100, 110).get(3, "a", 120, 130).check())
                    .isEqualTo(Verdict.VIOLATION);
        }

        @Test
        void an_unknown_write_seen_before_it_was_invoked() {
            assertThat(new Hist().put(1, "a", 0, 10).get(3, "b", 20, 30).putUnknown(2, "b", 40, 50).check())
                    .isEqualTo(Verdict.VIOLATION);
        }

        @Test
        void a_cas_acknowledged_on_a_value_the_register_did_not_hold() {
            assertThat(new Hist().put(1, "a", 0, 10).cas(2, "z", "b", 20, 30).check())
                    .isEqualTo(Verdict.VIOLATION);
        }

        @Test
        void a_read_of_the_old_value_after_a_delete() {
            assertThat(new Hist().put(1, "a", 0, 10).delete(2, 20, 30).get(3, "a", 40, 50).check())
                    .isEqualTo(Verdict.VIOLATION);
        }

        @Test
        void one_broken_key_among_good_ones() {
            var result = new LinearizabilityChecker().check(new Hist()
                    .key("good").put(1, "a", 0, 10).get(2, "a", 20, 30)
                    .key("bad").put(1, "a", 0, 10).put(2, "b", 20, 30).get(3, "a", 40, 50)
                    .build());
            assertThat(result.verdict()).isEqualTo(Verdict.VIOLATION);
            assertThat(result.violations()).extracting(Violation::key).containsExactly("bad");
        }
    }

    @Test
    void many_pending_unknown_deletes_do_not_blow_up_the_search() {
        // Thirty unknown deletes stay "maybe" to the end, and absent is read all along: as
        // subsets that would be 2^30 configurations; as interchangeable ops, 31.
        Hist h = new Hist();
        for (int i = 0; i < 30; i++) {
            h.add(100 + i, OpKind.DELETE, null, null, Outcome.UNKNOWN, i, i + 1);
        }
        long t = 100;
        for (int i = 0; i < 60; i++, t += 20) {
            h.put(1, "v" + i, t, t + 10).get(2, null, t + 12, t + 18);
        }
        h.get(3, "v0", t, t + 10); // v0 was overwritten long ago
        var result = new LinearizabilityChecker().withNodeBudget(200_000).check(h.build());
        assertThat(result.verdict()).isEqualTo(Verdict.VIOLATION);
    }

    @Test
    void a_violation_names_the_key_and_the_window_where_the_search_failed() {
        History h = new Hist().key("color")
                .put(1, "red", 0, 10).put(2, "green", 20, 30).put(1, "blue", 40, 50)
                .get(3, "green", 60, 70) // stale: blue was acknowledged before this read began
                .put(2, "pink", 80, 90)
                .build();
        var result = new LinearizabilityChecker().check(h);
        assertThat(result.verdict()).isEqualTo(Verdict.VIOLATION);
        Violation v = result.violations().get(0);
        assertThat(v.key()).isEqualTo("color");
        assertThat(v.register()).isEqualTo("blue");
        assertThat(v.pending()).extracting(Operation::id).containsExactly(3);
        assertThat(v.linearizedTail()).extracting(Operation::value).containsExactly("red", "green", "blue");
        assertThat(result.describe()).contains("color", "get->green", "register = blue");
    }

    @Test
    void when_the_budget_runs_out_then_the_verdict_is_undecided_not_a_hang() {
        // Many concurrent writes then a read of a value that no order gives: to refute it the
        // search must try every subset, far more than 100 nodes.
        Hist h = new Hist();
        for (int i = 0; i < 16; i++) {
            h.put(i, "v" + i, 0, 100);
        }
        h.get(99, "nope", 200, 210);
        var result = new LinearizabilityChecker().withNodeBudget(100).check(h.build());
        assertThat(result.verdict()).isEqualTo(Verdict.UNDECIDED);
        assertThat(result.keys().get(0).undecidedReason()).contains("gave up after 100 search nodes");
    }
}
