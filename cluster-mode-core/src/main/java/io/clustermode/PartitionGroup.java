package io.clustermode;

import io.clustermode.raft.PartitionEvent;
import io.clustermode.raft.PartitionTable;
import io.clustermode.runtime.NodeRuntime;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;

/**
 * A partition group this node takes part in ({@link Cluster#partitions(String, int)}): work
 * split into {@link #count()} partitions numbered 0..count-1, each held by one member at a
 * time. The primary assigns them through the Raft log — balanced (the counts of any two
 * active members differ by at most one) and sticky (a member joining takes only what balance
 * needs; a member leaving gives up only its own) — and moves one only after its holder gave it
 * up, or after the holder's lease surely lapsed when it cannot be heard. Every holding has an
 * epoch, larger than every earlier one of that partition: its fencing token.
 *
 * <p>Thread-safe. {@link #owner(int)} and {@link #epoch(int)} are this node's view of the
 * table, which may trail the primary's by a round trip; {@link #owned()} is exact for this node.
 */
public final class PartitionGroup {

    private final NodeId self;
    private final String name;
    private final int count;
    private final Executor events;
    private final CopyOnWriteArrayList<PartitionListener> listeners = new CopyOnWriteArrayList<>();
    private volatile NodeId[] owners;
    private volatile long[] epochs;
    /** Partition to the epoch this node holds it under, and the thread its work runs on. */
    private final TreeMap<Integer, Long> held = new TreeMap<>();
    private final TreeMap<Integer, ExecutorService> executors = new TreeMap<>();
    /** For {@link #moves()} and {@link #unownedTime()}: each partition's last holder, and since when it has none. */
    private final NodeId[] lastHolders;
    private final long[] unownedSince;
    private long moves;
    private long unownedNanos;

    private final NodeRuntime runtime;

    PartitionGroup(NodeId self, String name, int count, Executor events, NodeRuntime runtime) {
        this.runtime = runtime;
        this.self = self;
        this.name = name;
        this.count = count;
        this.events = events;
        this.owners = new NodeId[count];
        this.epochs = new long[count];
        this.lastHolders = new NodeId[count];
        this.unownedSince = new long[count];
    }

    /**
     * Checks a group's name and count as {@link Cluster#partitions} would, without taking part:
     * for configuration read before the cluster starts.
     *
     * @param group a name of 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit
     * @param count 1 to 4096
     * @throws IllegalArgumentException naming what is wrong
     */
    public static void check(String group, int count) {
        io.clustermode.raft.PartitionChange.check(group, count);
    }

    /** The group's name. */
    public String name() {
        return name;
    }

    /** The number of partitions. */
    public int count() {
        return count;
    }

    /** The member that holds {@code partition}, as far as this node knows; empty when none does. */
    public Optional<NodeId> owner(int partition) {
        check(partition);
        return Optional.ofNullable(owners[partition]);
    }

    /** The epoch of {@code partition}'s latest grant, as far as this node knows; 0 when it was never granted. */
    public long epoch(int partition) {
        check(partition);
        return epochs[partition];
    }

    /** The partitions this node holds now. */
    public synchronized SortedSet<Integer> owned() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(held.keySet()));
    }

    /** The epoch this node holds {@code partition} under — its fencing token; empty when it does not hold it. */
    public synchronized OptionalLong heldEpoch(int partition) {
        check(partition);
        Long epoch = held.get(partition);
        return epoch == null ? OptionalLong.empty() : OptionalLong.of(epoch);
    }

    /**
     * The partition {@code key} belongs to: CRC-32C of the bytes, modulo the count. Stable
     * across nodes, restarts and versions.
     */
    public int partitionOf(byte[] key) {
        CRC32C crc = new CRC32C();
        crc.update(key);
        return (int) (crc.getValue() % count);
    }

    /** {@link #partitionOf(byte[])} of the key's UTF-8 bytes. */
    public int partitionOf(String key) {
        return partitionOf(key.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * How many times, as this node saw it, a partition was granted to another member than its
     * last holder (a partition handed back to the same member is no move).
     */
    public synchronized long moves() {
        return moves;
    }

    /**
     * How long partitions were without a holder, summed over the partitions, as this node saw it
     * (from a holder's release to the next grant; the time before a partition's first grant
     * does not count).
     */
    public synchronized java.time.Duration unownedTime() {
        long now = runtime.nanoTime();
        long total = unownedNanos;
        for (long since : unownedSince) {
            total += since == 0 ? 0 : now - since;
        }
        return java.time.Duration.ofNanos(total);
    }

    /** Tells {@code listener} of every partition this node begins or stops holding from now on. */
    public void addListener(PartitionListener listener) {
        listeners.add(listener);
    }

    public void removeListener(PartitionListener listener) {
        listeners.remove(listener);
    }

    /**
     * Runs {@code task} while this node holds {@code partition}: one thread per holding, in the
     * order submitted; when the partition is revoked the running task is interrupted and the
     * queued ones are dropped (their futures cancelled).
     *
     * @throws PartitionNotHeldException when this node does not hold the partition now
     */
    public synchronized <T> Future<T> submit(int partition, Callable<T> task) {
        check(partition);
        ExecutorService executor = executors.get(partition);
        if (executor == null) {
            throw new PartitionNotHeldException(self, name, partition);
        }
        return executor.submit(task);
    }

    /** As {@link #submit(int, Callable)}, for work without a result. */
    public Future<?> submit(int partition, Runnable task) {
        return submit(partition, () -> {
            task.run();
            return null;
        });
    }

    private void check(int partition) {
        if (partition < 0 || partition >= count) {
            throw new IndexOutOfBoundsException("partition " + partition + " of group " + name + " (0.." + (count - 1) + ")");
        }
    }

    // ------------------------------------------------------------------ from the node's event loop

    /** The table as applied changed. */
    synchronized void tableChanged(PartitionTable table) {
        NodeId[] newOwners = new NodeId[count];
        long[] newEpochs = new long[count];
        if (table.count(name) == count) {
            for (int p = 0; p < count; p++) {
                newOwners[p] = table.owner(name, p);
                newEpochs[p] = table.epoch(name, p);
            }
        }
        long now = runtime.nanoTime();
        List<Integer> changed = new java.util.ArrayList<>();
        for (int p = 0; p < count; p++) {
            NodeId after = newOwners[p];
            if (!java.util.Objects.equals(after, owners[p]) || newEpochs[p] != epochs[p]) {
                changed.add(p);
            }
            if (after == null && owners[p] != null) {
                unownedSince[p] = now == 0 ? 1 : now;
            } else if (after != null) {
                if (unownedSince[p] != 0) {
                    unownedNanos += now - unownedSince[p];
                    unownedSince[p] = 0;
                }
                if (lastHolders[p] != null && !lastHolders[p].equals(after)) {
                    moves++;
                }
                lastHolders[p] = after;
            }
        }
        owners = newOwners;
        epochs = newEpochs;
        if (!changed.isEmpty() && !listeners.isEmpty()) {
            List<PartitionListener> toTell = List.copyOf(listeners);
            events.execute(() -> {
                for (int p : changed) {
                    for (PartitionListener listener : toTell) {
                        try {
                            listener.onOwnerChanged(p, Optional.ofNullable(newOwners[p]), newEpochs[p]);
                        } catch (RuntimeException e) {
                            org.slf4j.LoggerFactory.getLogger(PartitionGroup.class).warn("node {}: a partition"
                                    + " listener of {} failed: {}", self, name, e.toString());
                        }
                    }
                }
            });
        }
    }

    /**
     * This node began or stopped holding a partition. A revocation interrupts the partition's
     * work before this returns: the core reports the partition released only afterwards.
     */
    synchronized void event(PartitionEvent event) {
        int partition = event.partition();
        if (event.held()) {
            held.put(partition, event.epoch());
            executors.put(partition, runtime.newSerialExecutor(
                    "cluster-mode-" + self + "-" + name + "-" + partition + "-" + event.epoch()));
        } else {
            held.remove(partition);
            ExecutorService executor = executors.remove(partition);
            if (executor != null) {
                for (Runnable queued : executor.shutdownNow()) {
                    if (queued instanceof Future<?> future) {
                        future.cancel(false);
                    }
                }
            }
        }
        List<PartitionListener> toTell = List.copyOf(listeners);
        events.execute(() -> {
            for (PartitionListener listener : toTell) {
                try {
                    if (event.held()) {
                        listener.onAssigned(partition, event.epoch());
                    } else {
                        listener.onRevoked(partition, event.epoch());
                    }
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(PartitionGroup.class).warn("node {}: a partition listener of {}"
                            + " failed: {}", self, name, e.toString());
                }
            }
        });
    }

    /** The node stopped: nothing is held any more. */
    synchronized void stopped() {
        for (var entry : List.copyOf(held.entrySet())) {
            event(new PartitionEvent(name, entry.getKey(), entry.getValue(), false, "the node stopped"));
        }
    }
}
