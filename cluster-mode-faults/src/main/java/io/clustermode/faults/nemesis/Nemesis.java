package io.clustermode.faults.nemesis;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Carries out a {@link NemesisSchedule}: resolves each fault against who is primary at that
 * moment, applies it, and remembers what it must undo (killed nodes to restart, paused nodes
 * to resume), so that {@link Fault.HealAll} leaves a whole cluster whatever happened before.
 * Each action is logged with its resolved target, which is what a reader of a failing run
 * needs next to the history.
 */
public final class Nemesis {

    private final NodeControl nodes;
    private final NetworkFaults network;
    private final Consumer<String> log;
    private final Set<Integer> killed = new LinkedHashSet<>();
    private final Set<Integer> paused = new LinkedHashSet<>();
    private int faults;
    private int errors;
    private final Map<String, Integer> byKind = new TreeMap<>();
    private long lastHealNanos = -1;
    private final List<Long> undoNanos = new ArrayList<>();

    /**
     * @param nodes   the node processes
     * @param network where partitions go
     * @param log     one line per action
     */
    public Nemesis(NodeControl nodes, NetworkFaults network, Consumer<String> log) {
        this.nodes = nodes;
        this.network = network;
        this.log = log;
    }

    /**
     * Runs the schedule from now, sleeping until each event's time; returns early (after
     * healing everything) when interrupted.
     */
    public void run(List<NemesisSchedule.Event> events) {
        long start = System.nanoTime();
        try {
            for (NemesisSchedule.Event e : events) {
                long wait = start + e.at().toNanos() - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                try {
                    execute(e.fault());
                } catch (RuntimeException failed) {
                    // A node that died on its own cannot be signalled, a command may fail: the
                    // schedule goes on (the runner's checks notice dead nodes).
                    synchronized (this) {
                        errors++;
                    }
                    log.accept("could not " + e.fault().describe() + ": " + failed.getMessage());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            execute(new Fault.HealAll());
        }
    }

    /** Applies one fault now. */
    public synchronized void execute(Fault fault) {
        int primary = nodes.primary();
        if (fault instanceof Fault.NetworkFault) {
            network.apply((Fault.NetworkFault) fault, primary);
            count(fault, fault.describe() + " (primary: " + name(primary) + ")");
        } else if (fault instanceof Fault.Heal) {
            healNetwork();
        } else if (fault instanceof Fault.Kill) {
            Fault.Kill k = (Fault.Kill) fault;
            int node = k.target().resolve(primary, nodes.nodes(), k.salt());
            if (usable(node, fault)) {
                nodes.process(node).kill9();
                killed.add(node);
                count(fault, fault.describe() + ": " + name(node));
            }
        } else if (fault instanceof Fault.RestartKilled) {
            restartKilled();
        } else if (fault instanceof Fault.Pause) {
            Fault.Pause p = (Fault.Pause) fault;
            int node = p.target().resolve(primary, nodes.nodes(), p.salt());
            if (usable(node, fault)) {
                nodes.process(node).pause();
                paused.add(node);
                count(fault, fault.describe() + ": " + name(node));
            }
        } else if (fault instanceof Fault.ResumePaused) {
            resumePaused();
        } else if (fault instanceof Fault.TransferLeadership) {
            nodes.transferLeadership();
            count(fault, fault.describe() + " (from " + name(primary) + ")");
        } else if (fault instanceof Fault.GracefulRestart) {
            Fault.GracefulRestart g = (Fault.GracefulRestart) fault;
            int node = g.target().resolve(primary, nodes.nodes(), g.salt());
            if (usable(node, fault)) {
                nodes.gracefulRestart(node);
                count(fault, fault.describe() + ": " + name(node));
            }
        } else if (fault instanceof Fault.HealAll) {
            healNetwork();
            resumePaused();
            restartKilled();
            undone();
            log.accept("healed everything");
        } else {
            throw new IllegalArgumentException("unknown fault " + fault);
        }
    }

    /** Faults injected so far (undos and heals not counted). */
    public synchronized int faultsInjected() {
        return faults;
    }

    /** Scheduled actions that failed (and were skipped) so far. */
    public synchronized int errors() {
        return errors;
    }

    /** Faults injected so far by {@link Fault#kind()}, in name order. */
    public synchronized Map<String, Integer> faultsByKind() {
        return new TreeMap<>(byKind);
    }

    /**
     * {@link System#nanoTime()} of every undo so far (a network heal, a restart of killed nodes,
     * a resume of paused ones, the final heal), after which the cluster should recover.
     */
    public synchronized List<Long> undoTimes() {
        return List.copyOf(undoNanos);
    }

    /** {@link System#nanoTime()} of the last network heal, or -1. */
    public synchronized long lastHealNanos() {
        return lastHealNanos;
    }

    private boolean usable(int node, Fault fault) {
        if (killed.contains(node) || paused.contains(node)) {
            log.accept("skipped " + fault.describe() + ": " + name(node) + " is already down");
            return false;
        }
        return true;
    }

    private void healNetwork() {
        network.heal();
        lastHealNanos = System.nanoTime();
        undone();
        log.accept("healed the network");
    }

    private void resumePaused() {
        for (int node : paused) {
            nodes.process(node).resume();
            log.accept("resumed " + name(node));
        }
        if (!paused.isEmpty()) {
            undone();
        }
        paused.clear();
    }

    private void restartKilled() {
        for (int node : killed) {
            nodes.restart(node);
            log.accept("restarted " + name(node));
        }
        if (!killed.isEmpty()) {
            undone();
        }
        killed.clear();
    }

    private void count(Fault fault, String what) {
        faults++;
        byKind.merge(fault.kind(), 1, Integer::sum);
        log.accept(what);
    }

    private void undone() {
        undoNanos.add(System.nanoTime());
    }

    private String name(int node) {
        return node < 0 ? "none" : nodes.name(node);
    }
}
