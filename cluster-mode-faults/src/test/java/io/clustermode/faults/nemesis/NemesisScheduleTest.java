package io.clustermode.faults.nemesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NemesisScheduleTest {

    private static final Duration ELECTION = Duration.ofMillis(1000);
    private static final NemesisSchedule.Timing TIMING = NemesisSchedule.Timing.forElectionTimeout(ELECTION);
    private static final Duration LENGTH = Duration.ofMinutes(3);

    @Test
    void the_same_seed_gives_the_same_schedule_and_another_seed_another() {
        var a = NemesisSchedule.generate(42, 5, LENGTH, TIMING);
        assertThat(NemesisSchedule.generate(42, 5, LENGTH, TIMING)).isEqualTo(a);
        assertThat(NemesisSchedule.generate(43, 5, LENGTH, TIMING)).isNotEqualTo(a);
        assertThat(NemesisSchedule.describe(42, a)).startsWith("nemesis schedule, seed 42\n").contains("heal everything");
    }

    @Test
    void every_schedule_is_ordered_undoes_each_fault_before_the_next_and_ends_healing_everything() {
        for (long seed = 0; seed < 200; seed++) {
            var events = NemesisSchedule.generate(seed, 5, LENGTH, TIMING);
            assertThat(events.get(events.size() - 1).fault()).isInstanceOf(Fault.HealAll.class);
            assertThat(events.get(events.size() - 1).at()).isGreaterThanOrEqualTo(LENGTH);
            Duration last = Duration.ZERO;
            Fault open = null;
            Duration openedAt = null;
            for (var e : events.subList(0, events.size() - 1)) {
                assertThat(e.at()).isGreaterThanOrEqualTo(last);
                last = e.at();
                Fault f = e.fault();
                if (open == null) {
                    assertThat(f).isNotInstanceOfAny(Fault.Heal.class, Fault.RestartKilled.class, Fault.ResumePaused.class);
                    if (f instanceof Fault.NetworkFault || f instanceof Fault.Kill || f instanceof Fault.Pause) {
                        open = f;
                        openedAt = e.at();
                    }
                } else {
                    Class<?> undo = open instanceof Fault.NetworkFault ? Fault.Heal.class
                            : open instanceof Fault.Kill ? Fault.RestartKilled.class : Fault.ResumePaused.class;
                    assertThat(f).as("seed %d: after %s", seed, open.describe()).isInstanceOf(undo);
                    if (open instanceof Fault.Pause) {
                        assertThat(e.at().minus(openedAt)).isGreaterThan(ELECTION.multipliedBy(2));
                    }
                    open = null;
                }
            }
            assertThat(open).as("seed %d ends with a fault still open", seed).isNull();
        }
    }

    @Test
    void over_a_few_seeds_every_kind_of_fault_appears_with_the_primary_on_either_side() {
        Set<String> seen = new HashSet<>();
        for (long seed = 0; seed < 30; seed++) {
            for (var e : NemesisSchedule.generate(seed, 5, LENGTH, TIMING)) {
                seen.add(e.fault().describe());
            }
        }
        assertThat(seen).contains(
                "partition majority/minority, primary in the minority",
                "partition majority/minority, primary in the majority",
                "partition: primary isolated",
                "partition: bridge node between two halves",
                "one-way loss: primary -> others dropped",
                "one-way loss: others -> primary dropped",
                "kill -9 the primary", "kill -9 a random node",
                "kill -STOP the primary", "kill -STOP a random node",
                "leadership transfer",
                "graceful restart of the primary", "graceful restart of a random node",
                "heal everything");
    }

    @Test
    void a_majority_minority_split_puts_the_primary_where_it_says() {
        int primary = 3;
        List<int[]> minorityCuts = new Fault.Split(true, 7).cuts(primary, 5);
        List<int[]> majorityCuts = new Fault.Split(false, 7).cuts(primary, 5);
        assertThat(minorityCuts).hasSize(2 * 3 * 2);
        assertThat(sideOf(primary, minorityCuts)).hasSize(2);
        assertThat(sideOf(primary, majorityCuts)).hasSize(3);
    }

    @Test
    void the_isolated_primary_is_cut_from_everyone_both_ways() {
        List<int[]> cuts = new Fault.IsolatePrimary(1).cuts(0, 5);
        assertThat(cuts).hasSize(8).allMatch(c -> c[0] == 0 || c[1] == 0);
    }

    @Test
    void a_bridge_is_never_the_primary_and_reaches_both_halves() {
        for (long salt = 0; salt < 50; salt++) {
            List<int[]> cuts = new Fault.Bridge(salt).cuts(2, 5);
            Set<Integer> cut = new HashSet<>();
            for (int[] c : cuts) {
                cut.add(c[0]);
                cut.add(c[1]);
            }
            assertThat(cut).hasSize(4).contains(2);
            assertThat(cuts).hasSize(2 * 2 * 2);
        }
    }

    @Test
    void one_way_loss_drops_one_direction_around_the_primary() {
        assertThat(new Fault.OneWay(true, 1).cuts(4, 5)).hasSize(4).allMatch(c -> c[0] == 4);
        assertThat(new Fault.OneWay(false, 1).cuts(4, 5)).hasSize(4).allMatch(c -> c[1] == 4);
    }

    @Test
    void without_a_known_primary_the_salt_picks_a_stand_in_reproducibly() {
        assertThat(flatten(new Fault.IsolatePrimary(9).cuts(-1, 5))).isEqualTo(flatten(new Fault.IsolatePrimary(9).cuts(-1, 5)));
        assertThat(Fault.Target.PRIMARY.resolve(-1, 5, 9)).isEqualTo(Fault.Target.RANDOM_NODE.resolve(3, 5, 9));
        assertThat(Fault.Target.PRIMARY.resolve(3, 5, 9)).isEqualTo(3);
    }

    /** The nodes on the primary's side: those never cut from it. */
    private static Set<Integer> sideOf(int primary, List<int[]> cuts) {
        Set<Integer> side = new HashSet<>(List.of(0, 1, 2, 3, 4));
        for (int[] c : cuts) {
            if (c[0] == primary) {
                side.remove(c[1]);
            }
        }
        return side;
    }

    private static List<String> flatten(List<int[]> cuts) {
        List<String> out = new ArrayList<>();
        for (int[] c : cuts) {
            out.add(c[0] + ">" + c[1]);
        }
        return out;
    }
}
