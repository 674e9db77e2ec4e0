package io.clustermode.faults.nemesis;

import io.clustermode.cli.launch.ChildProcess;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A private Linux network namespace for one fault-injection run: its own loopback interface
 * with the addresses {@code 127.0.0.2} to {@code 127.0.0.(n+1)} (one per node; {@code 127.0.0.1}
 * is left to the clients, so partitions between nodes never cut the clients off), its own
 * iptables, and the processes started in it. Partitions are installed only here, so the
 * host's network is never touched.
 *
 * <p>Needs root and {@code ip} (iproute2). {@link #close()} kills every process left in the
 * namespace and deletes it; a JVM shutdown hook does the same if the run dies first.
 */
public final class NetworkNamespace implements AutoCloseable {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String name;
    private final List<String> addresses;
    private final List<ChildProcess> processes = new CopyOnWriteArrayList<>();
    private final Thread shutdownHook;
    /** Created by this JVM (deleted on close), or joined from inside (only its processes are ours). */
    private final boolean owned;
    private volatile boolean closed;

    private NetworkNamespace(String name, List<String> addresses, boolean owned) {
        this.name = name;
        this.addresses = List.copyOf(addresses);
        this.owned = owned;
        this.shutdownHook = new Thread(this::destroy, (owned ? "delete netns " : "leave netns ") + name);
    }

    /**
     * Whether this machine can run namespaces and partitions: running as root, with {@code ip}
     * and {@code iptables} present. Tests use it to skip with "needs root and iptables".
     */
    public static boolean available() {
        return Commands.succeeds(List.of("id", "-u")) && Commands.run(List.of("id", "-u")).strip().equals("0")
                && Commands.succeeds(List.of("ip", "netns", "list"))
                && Commands.succeeds(List.of("iptables", "--version"))
                && Commands.succeeds(List.of("iptables-restore", "--version"));
    }

    /** Creates a namespace with a unique name and {@code nodes} loopback addresses, from 127.0.0.2 on. */
    public static NetworkNamespace create(int nodes) {
        if (nodes < 1 || nodes > 250) {
            throw new IllegalArgumentException("1 to 250 node addresses, not " + nodes);
        }
        // Unique per process and call, and random, so a leftover of a killed run never clashes.
        String name = String.format(Locale.ROOT, "cmf-%d-%d-%04x", ProcessHandle.current().pid(),
                COUNTER.incrementAndGet(), ThreadLocalRandom.current().nextInt(1 << 16));
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            addresses.add("127.0.0." + (i + 2));
        }
        Commands.run(List.of("ip", "netns", "add", name));
        NetworkNamespace ns = new NetworkNamespace(name, addresses, true);
        Runtime.getRuntime().addShutdownHook(ns.shutdownHook);
        try {
            ns.exec("ip", "link", "set", "lo", "up");
            for (String a : addresses) {
                ns.exec("ip", "addr", "add", a + "/8", "dev", "lo");
            }
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /**
     * The namespace {@code name}, created by a parent process with {@link #create}, seen from a
     * JVM that runs inside it (the run's driver: clients must be inside to reach the nodes'
     * loopback addresses). Fails unless this JVM's network namespace is that one and its node
     * addresses are there, so faults still only ever reach that namespace. Closing it stops the
     * processes this JVM started and leaves the namespace to its creator.
     */
    public static NetworkNamespace joinFromInside(String name, int nodes) {
        try {
            Object self = java.nio.file.Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino");
            Object named = java.nio.file.Files.getAttribute(Path.of("/run/netns", name), "unix:ino");
            if (!self.equals(named)) {
                throw new IllegalStateException("this JVM is not inside network namespace " + name);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("no network namespace " + name + ": " + e.getMessage(), e);
        }
        List<String> addresses = new ArrayList<>();
        String lo = Commands.run(List.of("ip", "-4", "addr", "show", "lo"));
        for (int i = 0; i < nodes; i++) {
            String a = "127.0.0." + (i + 2);
            if (!lo.contains(" " + a + "/8")) {
                throw new IllegalStateException("namespace " + name + " has no node address " + a);
            }
            addresses.add(a);
        }
        NetworkNamespace ns = new NetworkNamespace(name, addresses, false);
        Runtime.getRuntime().addShutdownHook(ns.shutdownHook);
        return ns;
    }

    /** The namespace's name, as {@code ip netns} knows it. */
    public String name() {
        return name;
    }

    /** The node addresses, 127.0.0.2 onwards. */
    public List<String> addresses() {
        return addresses;
    }

    /**
     * Fails unless {@code address} is one of this namespace's own loopback node addresses: the
     * guard that keeps every fault inside the namespace this run created.
     */
    public String requireOwnLoopback(String address) {
        if (closed) {
            throw new IllegalStateException("namespace " + name + " is closed");
        }
        if (address == null || !address.startsWith("127.") || !addresses.contains(address)) {
            throw new IllegalArgumentException("refusing a fault on " + address + ": only the loopback addresses "
                    + addresses + " of namespace " + name + " may be targets");
        }
        return address;
    }

    /** The command line that runs {@code command} inside the namespace. */
    public List<String> inside(List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(command);
        return full;
    }

    /** Runs a short command inside the namespace, returning its output; fails on a non-zero exit. */
    public String exec(String... command) {
        return Commands.run(inside(List.of(command)));
    }

    String execWithInput(String input, String... command) {
        return Commands.run(inside(List.of(command)), input);
    }

    /**
     * Starts a long-running process inside the namespace, its output (both streams) appended
     * to {@code log}. {@code ip netns exec} execs the command in place, so the process's pid is
     * the command's own: signals from the {@link ChildProcess} reach the command.
     */
    public ChildProcess start(List<String> command, Path log) {
        if (closed) {
            throw new IllegalStateException("namespace " + name + " is closed");
        }
        try {
            return track(ChildProcess.start(inside(command), log));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot start " + command + ": " + e.getMessage(), e);
        }
    }

    /** Starts a process inside the namespace with its streams as pipes, for the caller to read. */
    public Process start(List<String> command) {
        return start(new ProcessBuilder(inside(command)));
    }

    /** Starts a process inside the namespace, its stderr merged into the stdout that the caller reads. */
    public Process startMerged(List<String> command) {
        return start(new ProcessBuilder(inside(command)).redirectErrorStream(true));
    }

    private Process start(ProcessBuilder pb) {
        if (closed) {
            throw new IllegalStateException("namespace " + name + " is closed");
        }
        try {
            return track(ChildProcess.start(pb)).process();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot start " + pb.command() + ": " + e.getMessage(), e);
        }
    }

    private ChildProcess track(ChildProcess child) {
        processes.add(child);
        return child;
    }

    /**
     * Kills every process in the namespace and deletes it; for a joined namespace, only the
     * processes this JVM started. Idempotent.
     */
    @Override
    public void close() {
        destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // Already running the hooks; ours has done or will do the same.
        }
    }

    private synchronized void destroy() {
        if (closed) {
            return;
        }
        closed = true;
        if (!owned) {
            ChildProcess.killAll(processes);
            return;
        }
        processes.forEach(ChildProcess::kill9);
        // Anything else left inside (grandchildren): the namespace is ours, so all of it is ours.
        try {
            for (String pid : Commands.run(List.of("ip", "netns", "pids", name)).split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        } catch (RuntimeException e) {
            // Best effort: deleting the name below still frees it.
        }
        ChildProcess.killAll(processes);
        try {
            Commands.run(List.of("ip", "netns", "del", name));
        } catch (RuntimeException e) {
            System.err.println("could not delete network namespace " + name + ": " + e.getMessage());
        }
    }

    /** Names of the namespaces on this machine (for tests that check nothing is left behind). */
    static Set<String> existing() {
        Set<String> names = new java.util.TreeSet<>();
        for (String line : Commands.run(List.of("ip", "netns", "list")).split("\n")) {
            if (!line.isBlank()) {
                names.add(line.strip().split("\\s+")[0]);
            }
        }
        return names;
    }
}
