package io.clustermode.faults.nemesis;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One thing the nemesis does to the cluster. Faults name nodes by role ("the primary", "a
 * random node") because who is primary is only known when the fault happens; the runner
 * resolves them then, with the fault's {@code salt} making every other choice reproducible
 * from the seed. Nodes are indices {@code 0..nodes-1}; {@code primary} is the index of the
 * node that says it is primary at that moment, or -1 when there is none (then a node chosen by
 * the salt stands in for it).
 */
public sealed interface Fault {

    /** One line for the run's log. */
    String describe();

    /**
     * A short name of the kind of fault, for counting faults by kind in the run's summary
     * (e.g. {@code kill-primary}, {@code split-primary-in-minority}).
     */
    default String kind() {
        return getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** Who a process fault hits. */
    enum Target {
        PRIMARY, RANDOM_NODE;

        /** The node index this target means now. */
        public int resolve(int primary, int nodes, long salt) {
            if (this == PRIMARY && primary >= 0) {
                return primary;
            }
            return new Random(salt).nextInt(nodes);
        }
    }

    /** A network fault: packets from the first to the second node of each pair are dropped. */
    sealed interface NetworkFault extends Fault {
        /** The (from, to) node-index pairs to drop, given who is primary now. */
        List<int[]> cuts(int primary, int nodes);
    }

    /** Majority/minority split (a minority of ⌊(n-1)/2⌋ nodes), the primary on the side named. */
    record Split(boolean primaryInMinority, long salt) implements NetworkFault {
        @Override
        public List<int[]> cuts(int primary, int nodes) {
            List<Integer> order = othersShuffled(primary, nodes, salt);
            int p = order.remove(0);
            int minoritySize = Math.max(1, (nodes - 1) / 2);
            List<Integer> minority = new ArrayList<>();
            List<Integer> majority = new ArrayList<>();
            (primaryInMinority ? minority : majority).add(p);
            for (int node : order) {
                (minority.size() < minoritySize ? minority : majority).add(node);
            }
            return both(minority, majority);
        }

        @Override
        public String describe() {
            return "partition majority/minority, primary in the " + (primaryInMinority ? "minority" : "majority");
        }

        @Override
        public String kind() {
            return primaryInMinority ? "split-primary-in-minority" : "split-primary-in-majority";
        }
    }

    /** The primary alone on one side, everyone else on the other. */
    record IsolatePrimary(long salt) implements NetworkFault {
        @Override
        public List<int[]> cuts(int primary, int nodes) {
            List<Integer> order = othersShuffled(primary, nodes, salt);
            int p = order.remove(0);
            return both(List.of(p), order);
        }

        @Override
        public String describe() {
            return "partition: primary isolated";
        }
    }

    /**
     * Two halves that cannot reach each other and a bridge node (never the primary) that
     * reaches both, the primary in one half.
     */
    record Bridge(long salt) implements NetworkFault {
        @Override
        public List<int[]> cuts(int primary, int nodes) {
            List<Integer> order = othersShuffled(primary, nodes, salt);
            int p = order.remove(0);
            order.remove(0); // the bridge: cut from nobody
            List<Integer> a = new ArrayList<>(List.of(p));
            List<Integer> b = new ArrayList<>();
            for (int node : order) {
                (a.size() <= b.size() ? a : b).add(node);
            }
            return both(a, b);
        }

        @Override
        public String describe() {
            return "partition: bridge node between two halves";
        }
    }

    /**
     * Asymmetric loss around the primary: its packets to every other node are dropped
     * ({@code fromPrimary}: it cannot be heard, but hears), or theirs to it.
     */
    record OneWay(boolean fromPrimary, long salt) implements NetworkFault {
        @Override
        public List<int[]> cuts(int primary, int nodes) {
            List<Integer> order = othersShuffled(primary, nodes, salt);
            int p = order.remove(0);
            List<int[]> cuts = new ArrayList<>();
            for (int node : order) {
                cuts.add(fromPrimary ? new int[] {p, node} : new int[] {node, p});
            }
            return cuts;
        }

        @Override
        public String describe() {
            return "one-way loss: " + (fromPrimary ? "primary -> others" : "others -> primary") + " dropped";
        }

        @Override
        public String kind() {
            return fromPrimary ? "one-way-from-primary" : "one-way-to-primary";
        }
    }

    /** Removes every network fault. */
    record Heal() implements Fault {
        @Override
        public String describe() {
            return "heal the network";
        }
    }

    /** {@code kill -9} of one node. */
    record Kill(Target target, long salt) implements Fault {
        @Override
        public String describe() {
            return "kill -9 " + (target == Target.PRIMARY ? "the primary" : "a random node");
        }

        @Override
        public String kind() {
            return target == Target.PRIMARY ? "kill-primary" : "kill-random";
        }
    }

    /** Restarts the nodes killed so far, from their data dirs. */
    record RestartKilled() implements Fault {
        @Override
        public String describe() {
            return "restart the killed node(s) from their data dirs";
        }
    }

    /** {@code kill -STOP} of one node, for longer than an election timeout. */
    record Pause(Target target, long salt) implements Fault {
        @Override
        public String describe() {
            return "kill -STOP " + (target == Target.PRIMARY ? "the primary" : "a random node");
        }

        @Override
        public String kind() {
            return target == Target.PRIMARY ? "pause-primary" : "pause-random";
        }
    }

    /** {@code kill -CONT} of the paused nodes. */
    record ResumePaused() implements Fault {
        @Override
        public String describe() {
            return "kill -CONT the paused node(s)";
        }
    }

    /** The primary hands leadership to another node (a graceful stop of a primary does this too). */
    record TransferLeadership() implements Fault {
        @Override
        public String describe() {
            return "leadership transfer";
        }
    }

    /** SIGTERM, wait for the exit, start again from the same data dir. */
    record GracefulRestart(Target target, long salt) implements Fault {
        @Override
        public String describe() {
            return "graceful restart of " + (target == Target.PRIMARY ? "the primary" : "a random node");
        }

        @Override
        public String kind() {
            return target == Target.PRIMARY ? "graceful-restart-primary" : "graceful-restart-random";
        }
    }

    /** The end of every schedule: heal the network, resume paused nodes, restart killed ones. */
    record HealAll() implements Fault {
        @Override
        public String describe() {
            return "heal everything";
        }
    }

    /** The primary (or a stand-in chosen by the salt) first, then the others in an order chosen by the salt. */
    private static List<Integer> othersShuffled(int primary, int nodes, long salt) {
        if (nodes < 2) {
            throw new IllegalArgumentException("a partition needs at least 2 nodes");
        }
        Random random = new Random(salt);
        int p = primary >= 0 ? primary : random.nextInt(nodes);
        List<Integer> others = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            if (i != p) {
                others.add(i);
            }
        }
        java.util.Collections.shuffle(others, random);
        others.add(0, p);
        return others;
    }

    private static List<int[]> both(List<Integer> a, List<Integer> b) {
        List<int[]> cuts = new ArrayList<>();
        for (int x : a) {
            for (int y : b) {
                cuts.add(new int[] {x, y});
                cuts.add(new int[] {y, x});
            }
        }
        return cuts;
    }
}
