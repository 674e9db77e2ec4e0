package io.clustermode.faults.nemesis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Network partitions between the nodes of one {@link NetworkNamespace}, as iptables rules
 * inside that namespace only, in a chain of their own ({@value #CHAIN}) so that healing flushes
 * exactly what was added.
 *
 * <p>A rule drops packets from one node address to another on INPUT. On loopback every
 * packet passes OUTPUT then INPUT in the same namespace; dropping on INPUT makes the packet
 * vanish silently, as on a real broken link, whereas dropping on OUTPUT would hand the sender
 * an immediate EPERM, which no real network does. Every address is checked with
 * {@link NetworkNamespace#requireOwnLoopback}: no rule can ever name anything but this
 * namespace's own 127.x node addresses.
 *
 * <p>A one-way rule drops one direction only. TCP needs both directions, so a connection
 * from either side fails to open across it; what still gets through are datagrams, and
 * segments of the other direction (which then go unanswered), as with real asymmetric loss.
 */
public final class Partitions implements NetworkFaults {

    /** The chain holding this class's rules, jumped to from INPUT. */
    public static final String CHAIN = "cmf-faults";

    private final NetworkNamespace ns;
    /** The (from, to) pairs dropped now, in install order. */
    private final Set<List<String>> dropped = new LinkedHashSet<>();

    /**
     * Creates the chain in the namespace's filter table and hooks it into INPUT, unless that
     * was done already (by another process of the run: the creator, or a driver inside).
     */
    public Partitions(NetworkNamespace ns) {
        this.ns = ns;
        boolean exists;
        try {
            ns.exec("iptables", "-n", "-L", CHAIN);
            exists = true;
        } catch (IllegalStateException e) {
            exists = false;
        }
        if (!exists) {
            ns.execWithInput("*filter\n:" + CHAIN + " - [0:0]\n-I INPUT -j " + CHAIN + "\nCOMMIT\n",
                    "iptables-restore", "--noflush");
        }
    }

    /** Drops packets from {@code from} to {@code to}, one direction only. */
    public synchronized void oneWay(String from, String to) {
        install(List.of(List.of(from, to)));
    }

    /** Cuts both directions between every node of {@code a} and every node of {@code b}. */
    public synchronized void split(Collection<String> a, Collection<String> b) {
        List<List<String>> pairs = new ArrayList<>();
        for (String x : a) {
            for (String y : b) {
                if (x.equals(y)) {
                    throw new IllegalArgumentException(x + " is on both sides");
                }
                pairs.add(List.of(x, y));
                pairs.add(List.of(y, x));
            }
        }
        install(pairs);
    }

    /** Majority/minority: {@code minority} cut off from every other node of the namespace. */
    public synchronized void isolate(Collection<String> minority) {
        List<String> rest = new ArrayList<>(ns.addresses());
        rest.removeAll(minority);
        split(minority, rest);
    }

    /** One node cut off from all others. */
    public synchronized void isolate(String node) {
        isolate(List.of(node));
    }

    /**
     * Two halves that cannot reach each other, and a bridge node that reaches both: each half
     * plus the bridge may be a majority, so two leaders may be tried for.
     */
    public synchronized void bridge(Collection<String> a, String bridge, Collection<String> b) {
        if (a.contains(bridge) || b.contains(bridge)) {
            throw new IllegalArgumentException("the bridge " + bridge + " must be on neither side");
        }
        split(a, b);
    }

    /**
     * Installs a scheduled network fault, node {@code i} being the namespace's address
     * {@code i}, and {@code primary} the index of the current primary (-1: none known).
     */
    @Override
    public synchronized void apply(Fault.NetworkFault fault, int primary) {
        List<String> nodes = ns.addresses();
        List<List<String>> pairs = new ArrayList<>();
        for (int[] cut : fault.cuts(primary, nodes.size())) {
            pairs.add(List.of(nodes.get(cut[0]), nodes.get(cut[1])));
        }
        install(pairs);
    }

    /** Removes every rule this class added (flushes its chain). */
    @Override
    public synchronized void heal() {
        ns.exec("iptables", "-F", CHAIN);
        dropped.clear();
    }

    /** The (from, to) address pairs whose packets are dropped now. */
    public synchronized List<List<String>> dropped() {
        return List.copyOf(dropped);
    }

    private void install(List<List<String>> pairs) {
        StringBuilder rules = new StringBuilder("*filter\n");
        List<List<String>> added = new ArrayList<>();
        for (List<String> pair : pairs) {
            String from = ns.requireOwnLoopback(pair.get(0));
            String to = ns.requireOwnLoopback(pair.get(1));
            if (from.equals(to)) {
                throw new IllegalArgumentException("a node is never cut off from itself: " + from);
            }
            if (!dropped.contains(pair) && !added.contains(pair)) {
                rules.append("-A ").append(CHAIN).append(" -s ").append(from).append("/32 -d ").append(to)
                        .append("/32 -j DROP\n");
                added.add(pair);
            }
        }
        rules.append("COMMIT\n");
        // One iptables-restore call: the whole partition appears at once, not rule by rule.
        ns.execWithInput(rules.toString(), "iptables-restore", "--noflush");
        dropped.addAll(added);
    }
}
