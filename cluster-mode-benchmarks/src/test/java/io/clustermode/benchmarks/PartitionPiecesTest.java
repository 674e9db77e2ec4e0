package io.clustermode.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure pieces of the partitions part: the poller's rounds read into moves, unheld times, timestamps; the section. */
class PartitionPiecesTest {

    private static final MachineInfo MACHINE = new MachineInfo("Test CPU", 2, "24.0 GiB", "6.1", "Debian", "JDK 17",
            "2026-12-05 10:00 UTC", "abc123", "0.10 0.20 0.30");

    /** A history of 4 partitions; each round is 10 ms long and starts 20 ms after the previous one. */
    private static PartitionHistory history(List<Map<String, List<Integer>>> rounds) {
        PartitionHistory h = new PartitionHistory(4);
        long t = 0;
        for (Map<String, List<Integer>> owned : rounds) {
            h.add(new PartitionHistory.Round(t * 1_000_000, (t + 10) * 1_000_000, new TreeMap<>(owned)));
            t += 20;
        }
        return h;
    }

    @Test
    void a_move_is_a_new_holder_and_a_partition_that_comes_back_to_its_holder_did_not_move() {
        PartitionHistory h = history(List.of(
                Map.of("n1", List.of(0, 1), "n2", List.of(2, 3)),
                Map.of("n1", List.of(1), "n2", List.of(2, 3)),          // 0 unheld
                Map.of("n1", List.of(0, 1), "n2", List.of(2)),           // 0 back to n1; 3 unheld
                Map.of("n1", List.of(0, 1), "n2", List.of(2), "n3", List.of(3)),   // 3 moved to n3
                Map.of("n1", List.of(0), "n2", List.of(2), "n3", List.of(1, 3))));  // 1 moved to n3 at once

        assertThat(h.moves(0)).containsExactly(0, 1, 0, 1);
        assertThat(h.moves(4)).containsExactly(0, 1, 0, 0);
        assertThat(h.returns(0)).isEqualTo(1);   // partition 0: n1, nobody, n1
        assertThat(h.returns(3)).isZero();
        // partition 0: from the start of round 0 (0 ms) to the end of round 2 (50 ms); partition 3: 20 ms → 70 ms
        assertThat(h.longestUnheldMillis(0)).isEqualTo(50.0);
        assertThat(h.longestUnheldMillis(3)).isEqualTo(50.0);
        assertThat(h.longestUnheldMillis(4)).isEqualTo(0.0);
        assertThat(h.doubleHeld(0)).isZero();
        assertThat(h.meanRoundMillis()).isEqualTo(20.0);
    }

    @Test
    void a_partition_still_unheld_counts_until_the_latest_round_and_two_holders_are_counted() {
        PartitionHistory h = history(List.of(
                Map.of("n1", List.of(0, 1, 2, 3)),
                Map.of("n1", List.of(0, 1, 2), "n2", List.of(2)),
                Map.of("n1", List.of(0, 1), "n2", List.of(2))));
        assertThat(h.longestUnheldMillis(0)).isEqualTo(50.0);   // partition 3: 0 ms → end of the latest round
        assertThat(h.doubleHeld(0)).isEqualTo(1);
        assertThat(h.moves(0)).containsExactly(0, 0, 1, 0);    // 2: n1 and n2 at once counts as held by n2
    }

    @Test
    void balance_wants_every_partition_held_once_by_exactly_the_members_with_counts_one_apart() {
        PartitionHistory.Round even = new PartitionHistory.Round(0, 1, Map.of("n1", List.of(0, 1), "n2", List.of(2, 3)));
        assertThat(even.balanced(4, Set.of("n1", "n2"))).isTrue();
        assertThat(even.balanced(4, Set.of("n1", "n2", "n3"))).isFalse();
        assertThat(new PartitionHistory.Round(0, 1, Map.of("n1", List.of(0, 1, 2), "n2", List.of(3), "n3", List.of()))
                .balanced(4, Set.of("n1", "n2", "n3"))).isFalse();
        assertThat(new PartitionHistory.Round(0, 1, Map.of("n1", List.of(0, 1), "n2", List.of(3)))
                .balanced(4, Set.of("n1", "n2"))).isFalse();
        assertThat(even.counts()).containsExactly(Map.entry("n1", 2), Map.entry("n2", 2));
    }

    @Test
    void the_cut_members_revoke_and_the_others_holding_are_found_in_their_rounds() {
        Set<Integer> victims = Set.of(2, 3);
        PartitionHistory h = history(List.of(
                Map.of("n1", List.of(0, 1), "n2", List.of(2, 3)),
                Map.of("n1", List.of(0, 1), "n2", List.of()),
                Map.of("n1", List.of(0, 1, 2), "n2", List.of()),
                Map.of("n1", List.of(0, 1, 2, 3), "n2", List.of())));
        assertThat(h.first(0, r -> PartitionHistory.revoked(r, "n2", victims)).startNanos()).isEqualTo(20_000_000);
        assertThat(h.first(0, r -> PartitionHistory.anyHeldByOthers(r, "n2", victims)).startNanos())
                .isEqualTo(40_000_000);
        assertThat(h.first(0, r -> PartitionHistory.heldByOthers(r, "n2", victims)).startNanos()).isEqualTo(60_000_000);
        assertThat(h.first(0, r -> PartitionHistory.revoked(r, "n3", victims))).isNull();   // n3 never answered
    }

    private static PartitionOwnership.Result result(PartitionOwnership.Cut cut) {
        int[] rolling = new int[64];
        rolling[0] = 2;
        rolling[1] = 1;
        return new PartitionOwnership.Result(Timeouts.DEFAULT, 17.5, List.of(
                new PartitionOwnership.Step("5 nodes started", Map.of("n1", 13, "n2", 13, "n3", 13, "n4", 13, "n5", 12),
                        true, 0, 0, 0, 0),
                new PartitionOwnership.Step("n6 joined", new TreeMap<>(Map.of("n1", 11, "n2", 11, "n3", 11, "n4", 11,
                        "n5", 10, "n6", 10)), true, 10, 3, 1, 42)),
                10, "n5", 1480, rolling, 2100, cut, 0, 9000);
    }

    @Test
    void the_section_gives_the_aims_the_steps_and_the_cut() {
        String md = PartitionOwnershipSection.markdown(result(new PartitionOwnership.Cut("n4", 11, 1010, 1320, 1400,
                true)), MACHINE, "bin/benchmarks --only partitions", false, "1 2 3");
        assertThat(md).startsWith(PartitionOwnershipSection.BEGIN + "\n").endsWith(PartitionOwnershipSection.END + "\n")
                .contains("at commit `abc123`").contains("at the end 1 2 3").contains("mean 17.5 ms")
                .contains("| join of a 6th node moves at most ⌈64/6⌉ = 11 partitions | 10 moved | yes |")
                .contains("within lease + election timeout (2,000 ms) | 1,480 ms | yes |")
                .contains("each partition moves at most twice | at most 2; partitions by moves: 0 moves: 62,"
                        + " 1 moves: 1, 2 moves: 1 | yes |")
                .contains("| longest 2,100 ms | **no** |")
                .contains("revoked by 1,010 ms, first held elsewhere at 1,320 ms after the cut | yes |")
                .contains("| n6 joined | n1 11, n2 11, n3 11, n4 11, n5 10, n6 10 | yes | 10 | 3 | 1 | 42 |")
                .contains("| 2 of 2 balanced | yes |")
                .doesNotContain("--quick");
        assertThat(PartitionOwnershipSection.markdown(result(null), MACHINE, "x", true, "1 2 3"))
                .contains("not run (no network namespace: run as root) | – |").contains("--quick");
    }

    @Test
    void a_run_of_this_part_alone_replaces_its_section_and_keeps_the_others(@TempDir Path dir) throws IOException {
        String marker = ReportWriter.MARKER;
        String old = "# Benchmarks\n\n## Failover\n\nfigures\n\n" + SpringFailoverSection.BEGIN + "\nspring\n"
                + SpringFailoverSection.END + "\n\n## Reproducing it\n\nhow\n\n" + marker + "\nby hand\n";
        Files.writeString(dir.resolve("benchmarks.md"), old);
        BenchmarkOptions only = BenchmarkOptions.parse(new String[] {"--only", "partitions", "--out", dir.toString()},
                Path.of("/repo"));
        BenchmarkResults results = new BenchmarkResults();
        results.partitions = result(null);
        new ReportWriter(only, MACHINE, results).write();
        String inserted = Files.readString(dir.resolve("benchmarks.md"));
        String section = PartitionOwnershipSection.markdown(results.partitions, MACHINE,
                "bin/benchmarks --only partitions --out " + dir, false, results.loadAverageAtEnd);
        assertThat(inserted).isEqualTo(old.replace("## Reproducing it", section + "\n## Reproducing it"));

        results.partitions = result(new PartitionOwnership.Cut("n4", 11, 1010, 1320, 1400, true));
        new ReportWriter(only, MACHINE, results).write();
        String replaced = Files.readString(dir.resolve("benchmarks.md"));
        assertThat(replaced).contains("revoked by 1,010 ms").doesNotContain("not run (no network namespace")
                .contains(SpringFailoverSection.BEGIN + "\nspring\n").endsWith(marker + "\nby hand\n");
        assertThat(replaced.split(java.util.regex.Pattern.quote(PartitionOwnershipSection.BEGIN), -1)).hasSize(2);
        assertThat(BenchmarkOptions.PARTS).contains("partitions");
    }
}
