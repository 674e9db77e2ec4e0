package io.clustermode.faults.nemesis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A nemesis schedule decided entirely by a seed: the same seed, node count, length and timing
 * give the same list of timed faults, so a failing run is reproduced by its seed (as far as
 * real processes allow: the faults and their times repeat; thread timing does not).
 *
 * <p>One fault at a time: each fault is followed by its undo (a heal, a restart, a resume)
 * after a hold, then a quiet gap in which the cluster may recover, so every violation can be
 * attributed to one fault. The schedule always ends with {@link Fault.HealAll}.
 */
public final class NemesisSchedule {

    /**
     * How long faults last and the gaps between them.
     *
     * @param quiet           minimum gap after a fault is undone (a random gap up to twice this)
     * @param minHold         shortest fault
     * @param maxHold         longest fault
     * @param electionTimeout the nodes' base election timeout: pauses last longer than twice it
     */
    public record Timing(Duration quiet, Duration minHold, Duration maxHold, Duration electionTimeout) {

        public Timing {
            if (minHold.compareTo(maxHold) > 0 || quiet.isNegative() || minHold.isNegative()) {
                throw new IllegalArgumentException("bad timing " + quiet + " " + minHold + " " + maxHold);
            }
        }

        /** Faults of 2 to 8 election timeouts, quiet gaps of 2 to 4. */
        public static Timing forElectionTimeout(Duration electionTimeout) {
            return new Timing(electionTimeout.multipliedBy(2), electionTimeout.multipliedBy(2),
                    electionTimeout.multipliedBy(8), electionTimeout);
        }
    }

    /**
     * A fault at a time from the start of the run.
     *
     * @param at    offset from the start of the nemesis
     * @param fault what to do
     */
    public record Event(Duration at, Fault fault) {
        /** One line: the time in milliseconds and the fault. */
        public String describe() {
            return String.format(java.util.Locale.ROOT, "%8d ms  %s", at.toMillis(), fault.describe());
        }
    }

    private static final int KINDS = 10;

    private NemesisSchedule() {
    }

    /** The schedule for {@code seed}: faults until about {@code length}, then heal everything. */
    public static List<Event> generate(long seed, int nodes, Duration length, Timing timing) {
        if (nodes < 3) {
            throw new IllegalArgumentException("fault schedules need at least 3 nodes");
        }
        Random random = new Random(seed);
        List<Event> events = new ArrayList<>();
        long t = timing.quiet().toNanos();
        long end = length.toNanos();
        while (t + timing.maxHold().toNanos() <= end) {
            long hold = between(random, timing.minHold().toNanos(), timing.maxHold().toNanos());
            long salt = random.nextLong();
            Fault start;
            Fault undo;
            switch (random.nextInt(KINDS)) {
                case 0:
                    start = new Fault.Split(false, salt);
                    undo = new Fault.Heal();
                    break;
                case 1:
                    start = new Fault.Split(true, salt);
                    undo = new Fault.Heal();
                    break;
                case 2:
                    start = new Fault.IsolatePrimary(salt);
                    undo = new Fault.Heal();
                    break;
                case 3:
                    start = new Fault.Bridge(salt);
                    undo = new Fault.Heal();
                    break;
                case 4:
                    start = new Fault.OneWay(random.nextBoolean(), salt);
                    undo = new Fault.Heal();
                    break;
                case 5:
                    start = new Fault.Kill(Fault.Target.PRIMARY, salt);
                    undo = new Fault.RestartKilled();
                    break;
                case 6:
                    start = new Fault.Kill(Fault.Target.RANDOM_NODE, salt);
                    undo = new Fault.RestartKilled();
                    break;
                case 7:
                    // Longer than the longest randomized election timeout (twice the base), so
                    // the others elect a new primary and the paused one wakes up deposed.
                    start = new Fault.Pause(random.nextBoolean() ? Fault.Target.PRIMARY : Fault.Target.RANDOM_NODE, salt);
                    hold = Math.max(hold, timing.electionTimeout().multipliedBy(3).toNanos());
                    undo = new Fault.ResumePaused();
                    break;
                case 8:
                    start = new Fault.TransferLeadership();
                    undo = null;
                    break;
                default:
                    start = new Fault.GracefulRestart(random.nextBoolean() ? Fault.Target.PRIMARY : Fault.Target.RANDOM_NODE, salt);
                    undo = null;
            }
            events.add(new Event(Duration.ofNanos(t), start));
            if (undo != null) {
                t += hold;
                events.add(new Event(Duration.ofNanos(t), undo));
            }
            t += between(random, timing.quiet().toNanos(), 2 * timing.quiet().toNanos());
        }
        events.add(new Event(Duration.ofNanos(Math.max(t, end)), new Fault.HealAll()));
        return events;
    }

    /** The schedule as text, one event a line, headed by what reproduces it. */
    public static String describe(long seed, List<Event> events) {
        StringBuilder out = new StringBuilder("nemesis schedule, seed ").append(seed).append('\n');
        for (Event e : events) {
            out.append(e.describe()).append('\n');
        }
        return out.toString();
    }

    private static long between(Random random, long min, long max) {
        return min == max ? min : min + (long) (random.nextDouble() * (max - min));
    }
}
