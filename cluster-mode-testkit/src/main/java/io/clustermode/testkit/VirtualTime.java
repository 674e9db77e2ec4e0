package io.clustermode.testkit;

import io.clustermode.runtime.NodeRuntime;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * The clock and the one scheduler of a {@link ClusterSimulation}: every task of every node's
 * {@link VirtualRuntime} and every turn of every node's event loop runs here, on the test's
 * thread, one at a time, in the order of virtual time. Tasks due at the same instant run in an
 * order drawn from the seed (a task's own executor still runs its tasks in the order given), so
 * the same seed gives the same order, and another seed another one.
 *
 * <p>A task may wait ({@link VirtualRuntime#await}): the scheduler then runs on, nested, until
 * what it waits for happened or its time ran out. Nested waits end innermost first.
 */
final class VirtualTime {

    /** One task at one instant; {@code order} breaks ties as the seed says, {@code seq} keeps it total. */
    private record Event(long at, long order, long seq, VirtualRuntime owner, Runnable task) {
    }

    /** An event loop of a node, and whose it is. */
    private static final class Loop {
        final VirtualRuntime owner;
        final NodeRuntime.EventLoop loop;
        boolean turning;

        Loop(VirtualRuntime owner, NodeRuntime.EventLoop loop) {
            this.owner = owner;
            this.loop = loop;
        }
    }

    private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
            : a.order != b.order ? Long.compare(a.order, b.order) : Long.compare(a.seq, b.seq));
    private final List<Loop> loops = new ArrayList<>();
    private final Random random;
    private long now;
    private long seq;
    /** Events run and loop turns taken: how much work the simulation did. */
    private long steps;

    VirtualTime(long seed) {
        this.random = new Random(seed);
    }

    /** Virtual time, nanoseconds since the simulation began. */
    long now() {
        return now;
    }

    Random random() {
        return random;
    }

    long steps() {
        return steps;
    }

    /** Runs {@code task} for {@code owner}, {@code delayNanos} from now (never before now). */
    void post(VirtualRuntime owner, long delayNanos, Runnable task) {
        events.add(new Event(now + Math.max(0, delayNanos), random.nextInt(1 << 16), seq++, owner, task));
    }

    void addLoop(VirtualRuntime owner, NodeRuntime.EventLoop loop) {
        loops.add(new Loop(owner, loop));
    }

    /**
     * Runs tasks and loop turns in time order until {@code done} holds (checked between steps) or
     * virtual time would pass {@code until}; then the clock stands at {@code until} (if not done).
     *
     * @return whether {@code done} held
     */
    boolean runUntil(long until, BooleanSupplier done) {
        while (true) {
            if (done.getAsBoolean()) {
                return true;
            }
            if (turnLoopsWithInput()) {
                continue;
            }
            long nextLoop = Long.MAX_VALUE;
            Loop due = null;
            for (Loop loop : loops) {
                long wake = wakeOf(loop);
                if (wake < nextLoop) {
                    nextLoop = wake;
                    due = loop;
                }
            }
            Event next = events.peek();
            long at = Math.min(nextLoop, next == null ? Long.MAX_VALUE : next.at);
            if (at > until) {
                now = Math.max(now, until);
                return false;
            }
            now = Math.max(now, at);
            if (next != null && next.at <= nextLoop) {
                events.poll();
                run(next);
            } else {
                turn(due, true);
            }
        }
    }

    private void run(Event event) {
        VirtualRuntime owner = event.owner; // null: the simulation's own, never held up
        if (owner != null && !owner.alive()) {
            return; // its process is gone, and with it what it had planned
        }
        if (owner != null && owner.pausedUntil() > now) {
            events.add(new Event(owner.pausedUntil(), event.order, event.seq, owner, event.task));
            return;
        }
        steps++;
        event.task.run();
    }

    /** Turns, in order, every loop that has input now; true when one did. */
    private boolean turnLoopsWithInput() {
        boolean turned = false;
        loops.removeIf(loop -> !loop.owner.alive() || !loop.loop.running());
        for (int i = 0; i < loops.size(); i++) {
            Loop loop = loops.get(i);
            if (!loop.turning && loop.owner.pausedUntil() <= now && loop.loop.hasWork()) {
                turn(loop, false);
                turned = true;
            }
        }
        return turned;
    }

    private long wakeOf(Loop loop) {
        if (loop.turning || !loop.owner.alive() || !loop.loop.running()) {
            return Long.MAX_VALUE;
        }
        return Math.max(loop.loop.wakeAt(), loop.owner.pausedUntil());
    }

    private void turn(Loop loop, boolean timer) {
        steps++;
        loop.turning = true;
        try {
            loop.loop.turn();
        } finally {
            loop.turning = false;
        }
        loop.owner.turned(timer);
    }
}
