package io.clustermode.benchmarks;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a poller saw of one partition group: rounds, each with every answering node's own list of
 * the partitions it holds (its {@code owned}), and the figures of the partitions part computed from
 * them. A round is bounded by when its requests went out and when its last answer came in; an
 * observation happened somewhere in between, so a duration taken from the outer bounds errs long.
 * The poller adds rounds while the benchmark thread reads them: every method is synchronized.
 */
final class PartitionHistory {

    /**
     * One poll of every live node.
     *
     * @param startNanos when the requests went out ({@link System#nanoTime()})
     * @param endNanos   when the last answer came in
     * @param owned      node id to the partitions it says it holds; no entry for a node that did not answer
     */
    record Round(long startNanos, long endNanos, Map<String, List<Integer>> owned) {

        /** The nodes that say they hold partition {@code p}. */
        Set<String> holders(int p) {
            Set<String> holders = new HashSet<>();
            owned.forEach((node, list) -> {
                if (list.contains(p)) {
                    holders.add(node);
                }
            });
            return holders;
        }

        /** How many partitions each node holds (nodes holding none included), by node id. */
        Map<String, Integer> counts() {
            Map<String, Integer> counts = new TreeMap<>();
            owned.forEach((node, list) -> counts.put(node, list.size()));
            return counts;
        }

        /**
         * Whether each of the {@code count} partitions is held by exactly one node, the holders are
         * exactly {@code members}, and their counts differ by at most one.
         */
        boolean balanced(int count, Set<String> members) {
            for (int p = 0; p < count; p++) {
                if (holders(p).size() != 1) {
                    return false;
                }
            }
            Map<String, Integer> counts = counts();
            counts.values().removeIf(n -> n == 0);
            if (!counts.keySet().equals(members)) {
                return false;
            }
            int min = counts.values().stream().mapToInt(Integer::intValue).min().orElse(0);
            int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            return max - min <= 1;
        }
    }

    private final int count;
    private final List<Round> rounds = new ArrayList<>();

    /** A history of a group of {@code count} partitions. */
    PartitionHistory(int count) {
        this.count = count;
    }

    synchronized void add(Round round) {
        rounds.add(round);
    }

    /** How many rounds so far: a mark that later figures start from. */
    synchronized int size() {
        return rounds.size();
    }

    /** The latest round, or null before the first. */
    synchronized Round last() {
        return rounds.isEmpty() ? null : rounds.get(rounds.size() - 1);
    }

    /** What {@code node} said it held in the latest round it answered, or an empty list. */
    synchronized List<Integer> lastSaid(String node) {
        for (int i = rounds.size() - 1; i >= 0; i--) {
            List<Integer> said = rounds.get(i).owned().get(node);
            if (said != null) {
                return said;
            }
        }
        return List.of();
    }

    /** The mean time from one round's start to the next's, in milliseconds. */
    synchronized double meanRoundMillis() {
        if (rounds.size() < 2) {
            return Double.NaN;
        }
        return (rounds.get(rounds.size() - 1).startNanos() - rounds.get(0).startNanos()) / 1e6 / (rounds.size() - 1);
    }

    /**
     * Moves per partition among the rounds from index {@code from} on: a move is a holder followed by
     * another one; a partition held by A, then by nobody, then by A again did not move. The holder
     * before {@code from} counts as the first. A round where two nodes say they hold a partition counts
     * as held by the one that is not the previous holder.
     */
    synchronized int[] moves(int from) {
        int[] moves = new int[count];
        String[] holder = new String[count];
        for (int i = 0; i < rounds.size(); i++) {
            for (int p = 0; p < count; p++) {
                Set<String> now = rounds.get(i).holders(p);
                if (now.isEmpty()) {
                    continue;
                }
                String previous = holder[p];
                String next = now.stream().filter(h -> !h.equals(previous)).findFirst().orElse(previous);
                if (previous != null && !next.equals(previous) && i >= from) {
                    moves[p]++;
                }
                holder[p] = next;
            }
        }
        return moves;
    }

    /**
     * How often, among the rounds from index {@code from} on, a partition was held again by the node
     * that held it last after a time held by nobody (A, nobody, A): no move, but its work stopped and
     * started again under a new epoch.
     */
    synchronized int returns(int from) {
        int returns = 0;
        for (int p = 0; p < count; p++) {
            String last = null;
            boolean gap = false;
            for (int i = 0; i < rounds.size(); i++) {
                Set<String> now = rounds.get(i).holders(p);
                if (now.isEmpty()) {
                    gap = last != null;
                    continue;
                }
                if (gap && now.contains(last) && i >= from) {
                    returns++;
                }
                gap = false;
                String previous = last;
                last = now.stream().filter(h -> !h.equals(previous)).findFirst().orElse(previous);
            }
        }
        return returns;
    }

    /**
     * The longest time, in milliseconds, a partition was held by nobody, among the stretches that
     * ended (or are still going on) at or after round {@code from}: from the start of the last round
     * that saw it held to the end of the first that saw it held again (or of the latest round).
     */
    synchronized double longestUnheldMillis(int from) {
        long longest = 0;
        for (int p = 0; p < count; p++) {
            Round lastHeld = null;
            boolean unheld = false;
            for (int i = 0; i < rounds.size(); i++) {
                Round r = rounds.get(i);
                boolean held = !r.holders(p).isEmpty();
                if (held) {
                    if (unheld && lastHeld != null && i >= from) {
                        longest = Math.max(longest, r.endNanos() - lastHeld.startNanos());
                    }
                    lastHeld = r;
                    unheld = false;
                } else {
                    unheld = true;
                }
            }
            if (unheld && lastHeld != null && !rounds.isEmpty()) {
                longest = Math.max(longest, last().endNanos() - lastHeld.startNanos());
            }
        }
        return longest / 1e6;
    }

    /** How many (round, partition) pairs from round {@code from} on had two or more nodes saying they held it. */
    synchronized int doubleHeld(int from) {
        int n = 0;
        for (int i = from; i < rounds.size(); i++) {
            for (int p = 0; p < count; p++) {
                if (rounds.get(i).holders(p).size() > 1) {
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * The first round from index {@code from} on that {@code test} accepts, or null.
     */
    synchronized Round first(int from, java.util.function.Predicate<Round> test) {
        for (int i = from; i < rounds.size(); i++) {
            if (test.test(rounds.get(i))) {
                return rounds.get(i);
            }
        }
        return null;
    }

    /** Whether some node other than {@code node} says it holds every one of {@code partitions}. */
    static boolean heldByOthers(Round r, String node, Set<Integer> partitions) {
        return partitions.stream().allMatch(p -> r.holders(p).stream().anyMatch(h -> !h.equals(node)));
    }

    /** Whether some node other than {@code node} says it holds any of {@code partitions}. */
    static boolean anyHeldByOthers(Round r, String node, Set<Integer> partitions) {
        return partitions.stream().anyMatch(p -> r.holders(p).stream().anyMatch(h -> !h.equals(node)));
    }

    /** Whether {@code node} answered and says it holds none of {@code partitions}. */
    static boolean revoked(Round r, String node, Set<Integer> partitions) {
        List<Integer> own = r.owned().get(node);
        return own != null && own.stream().noneMatch(partitions::contains);
    }
}
