package io.clustermode.raft;

import io.clustermode.NodeId;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Who owns which partition of which group, as of an applied log index: the replicated state of
 * partition ownership (CONTRACT.md, "Partitions"). Changed only by {@link PartitionChange}s
 * applied in log order, so every node's table at an index is the same; captured whole in a
 * snapshot's meta. A partition's epoch is the log index of the entry that granted it, so epochs
 * only grow — across partitions and groups too — and serve as fencing tokens.
 *
 * <p>Mutable inside the core; others get {@link #copy()}s.
 */
public final class PartitionTable {

    /** The empty table. */
    static final byte[] EMPTY_BYTES = new PartitionTable().encode();

    private final TreeMap<String, Group> groups = new TreeMap<>();

    private static final class Group {
        final int count;
        final TreeSet<NodeId> members = new TreeSet<>();
        final NodeId[] owners;
        final long[] epochs;
        final boolean[] revoking;
        /** Who held each partition last (also after it was released): where it goes back to, for stickiness. */
        final NodeId[] lastOwners;
        /**
         * Where each partition belongs: the member the leader last placed it with for balance. A
         * grant that only covers for an absent home keeps it, so the partition goes back there when
         * its home returns — however many holders covered meanwhile.
         */
        final NodeId[] homes;

        Group(int count) {
            this.count = count;
            this.owners = new NodeId[count];
            this.epochs = new long[count];
            this.revoking = new boolean[count];
            this.lastOwners = new NodeId[count];
            this.homes = new NodeId[count];
        }

        Group copy() {
            Group copy = new Group(count);
            copy.members.addAll(members);
            System.arraycopy(owners, 0, copy.owners, 0, count);
            System.arraycopy(epochs, 0, copy.epochs, 0, count);
            System.arraycopy(revoking, 0, copy.revoking, 0, count);
            System.arraycopy(lastOwners, 0, copy.lastOwners, 0, count);
            System.arraycopy(homes, 0, copy.homes, 0, count);
            return copy;
        }
    }

    PartitionTable() {
    }

    /** An independent copy. */
    public PartitionTable copy() {
        PartitionTable copy = new PartitionTable();
        groups.forEach((name, group) -> copy.groups.put(name, group.copy()));
        return copy;
    }

    // ------------------------------------------------------------------ reading

    /** The groups, by name. */
    public Set<String> groups() {
        return Collections.unmodifiableSet(groups.keySet());
    }

    public boolean isEmpty() {
        return groups.isEmpty();
    }

    /** The number of partitions of {@code group}; 0 when there is no such group. */
    public int count(String group) {
        Group g = groups.get(group);
        return g == null ? 0 : g.count;
    }

    /** The nodes that take part in {@code group}, in order. */
    public NavigableSet<NodeId> members(String group) {
        Group g = groups.get(group);
        return g == null ? Collections.emptyNavigableSet() : Collections.unmodifiableNavigableSet(g.members);
    }

    /** The node granted {@code partition}; null when it is unowned (or there is no such partition). */
    public NodeId owner(String group, int partition) {
        Group g = groups.get(group);
        return g == null || partition < 0 || partition >= g.count ? null : g.owners[partition];
    }

    /** The epoch of the last grant of {@code partition}: 0 when it was never granted. */
    public long epoch(String group, int partition) {
        Group g = groups.get(group);
        return g == null || partition < 0 || partition >= g.count ? 0 : g.epochs[partition];
    }

    /** Whether the holder of {@code partition} was asked to give it up and has not yet. */
    public boolean revoking(String group, int partition) {
        Group g = groups.get(group);
        return g != null && partition >= 0 && partition < g.count && g.revoking[partition];
    }

    /** Who held {@code partition} last, also once released; null when nobody ever did. */
    public NodeId lastOwner(String group, int partition) {
        Group g = groups.get(group);
        return g == null || partition < 0 || partition >= g.count ? null : g.lastOwners[partition];
    }

    /**
     * Where {@code partition} belongs: the member it was last granted to for balance, which it goes
     * back to while another only covers for that member's absence; null before its first grant.
     */
    public NodeId home(String group, int partition) {
        Group g = groups.get(group);
        return g == null || partition < 0 || partition >= g.count ? null : g.homes[partition];
    }

    /** How many partitions of {@code group} are granted to {@code node}. */
    public int ownedBy(String group, NodeId node) {
        Group g = groups.get(group);
        int owned = 0;
        for (int p = 0; g != null && p < g.count; p++) {
            owned += node.equals(g.owners[p]) ? 1 : 0;
        }
        return owned;
    }

    /**
     * One group's arrays, for the leader's loops over partitions (a lookup by name per partition
     * adds up): live views, changed in place by {@link #apply}; never to be written through.
     */
    record GroupView(NodeId[] owners, long[] epochs, boolean[] revoking, NodeId[] lastOwners, NodeId[] homes) {
    }

    /** {@code group}'s arrays; null when there is no such group. */
    GroupView view(String group) {
        Group g = groups.get(group);
        return g == null ? null : new GroupView(g.owners, g.epochs, g.revoking, g.lastOwners, g.homes);
    }

    // ------------------------------------------------------------------ changing

    /**
     * Applies the changes of the entry at {@code index}, in order. A change that does not fit the
     * table — a grant of an owned partition, a release of an older epoch, a join with another
     * count — changes nothing: every node decides the same, so the tables stay equal.
     *
     * @return whether the table changed
     */
    boolean apply(List<PartitionChange> changes, long index) {
        boolean changed = false;
        for (PartitionChange change : changes) {
            changed |= apply(change, index);
        }
        return changed;
    }

    private boolean apply(PartitionChange change, long index) {
        Group g = groups.get(change.group());
        if (change instanceof PartitionChange.Join c) {
            if (g == null) {
                if (!PartitionChange.validName(c.group()) || c.count() < 1 || c.count() > PartitionChange.MAX_COUNT
                        || groups.size() >= PartitionChange.MAX_GROUPS) {
                    return false;
                }
                g = new Group(c.count());
                groups.put(c.group(), g);
            }
            return g.count == c.count() && g.members.add(c.node());
        }
        if (g == null) {
            return false;
        }
        if (change instanceof PartitionChange.Leave c) {
            return g.members.remove(c.node());
        }
        if (change instanceof PartitionChange.Grant c) {
            int p = c.partition();
            if (p < 0 || p >= g.count || g.owners[p] != null || !g.members.contains(c.node())) {
                return false;
            }
            g.owners[p] = c.node();
            if (!c.cover() || g.homes[p] == null) {
                g.homes[p] = c.node();
            }
            g.lastOwners[p] = c.node();
            g.epochs[p] = index;
            g.revoking[p] = false;
            return true;
        }
        if (change instanceof PartitionChange.Revoke c) {
            int p = c.partition();
            if (p < 0 || p >= g.count || g.owners[p] == null || g.epochs[p] != c.epoch() || g.revoking[p]) {
                return false;
            }
            g.revoking[p] = true;
            return true;
        }
        PartitionChange.Release c = (PartitionChange.Release) change;
        int p = c.partition();
        if (p < 0 || p >= g.count || g.owners[p] == null || g.epochs[p] != c.epoch()) {
            return false;
        }
        g.owners[p] = null;
        g.revoking[p] = false;
        return true;
    }

    // ------------------------------------------------------------------ encoding (a snapshot's meta)

    /** The table as bytes, for a snapshot's meta. */
    byte[] encode() {
        int size = 4;
        for (var e : groups.entrySet()) {
            Group g = e.getValue();
            size += 2 + e.getKey().length() * 3 + 8 + 4;
            for (NodeId m : g.members) {
                size += 2 + m.value().length() * 3;
            }
            for (int p = 0; p < g.count; p++) {
                size += 8 + 1 + nodeSize(g.owners[p]) + nodeSize(g.lastOwners[p]) + nodeSize(g.homes[p]);
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(groups.size());
        for (var e : groups.entrySet()) {
            Group g = e.getValue();
            PartitionChange.putString(out, e.getKey());
            out.putInt(g.count);
            out.putInt(g.members.size());
            for (NodeId m : g.members) {
                PartitionChange.putString(out, m.value());
            }
            for (int p = 0; p < g.count; p++) {
                out.putLong(g.epochs[p]);
                out.put((byte) (g.revoking[p] ? 1 : 0));
                putOptional(out, g.owners[p]);
                putOptional(out, g.lastOwners[p]);
                putOptional(out, g.homes[p]);
            }
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    private static int nodeSize(NodeId id) {
        return 1 + (id == null ? 0 : 2 + id.value().length() * 3);
    }

    private static void putOptional(ByteBuffer out, NodeId id) {
        out.put((byte) (id == null ? 0 : 1));
        if (id != null) {
            PartitionChange.putString(out, id.value());
        }
    }

    /**
     * The table in {@code bytes} (from {@link #encode()}).
     *
     * @throws IllegalArgumentException when the bytes are not a table
     */
    static PartitionTable decode(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            int groupCount = in.getInt();
            if (groupCount < 0 || groupCount > PartitionChange.MAX_GROUPS) {
                throw new IllegalArgumentException(groupCount + " partition groups");
            }
            PartitionTable table = new PartitionTable();
            for (int i = 0; i < groupCount; i++) {
                String name = PartitionChange.getString(in);
                int count = in.getInt();
                if (!PartitionChange.validName(name) || count < 1 || count > PartitionChange.MAX_COUNT) {
                    throw new IllegalArgumentException("partition group '" + name + "' of " + count);
                }
                Group g = new Group(count);
                int members = in.getInt();
                if (members < 0 || members > in.remaining()) {
                    throw new IllegalArgumentException(members + " members of partition group " + name);
                }
                for (int m = 0; m < members; m++) {
                    g.members.add(PartitionChange.nodeId(PartitionChange.getString(in)));
                }
                for (int p = 0; p < count; p++) {
                    g.epochs[p] = in.getLong();
                    g.revoking[p] = in.get() != 0;
                    g.owners[p] = getOptional(in);
                    g.lastOwners[p] = getOptional(in);
                    g.homes[p] = getOptional(in);
                    if (g.epochs[p] < 0 || (g.revoking[p] && g.owners[p] == null)) {
                        throw new IllegalArgumentException("partition " + name + "/" + p + " is inconsistent");
                    }
                }
                table.groups.put(name, g);
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes after the partition table");
            }
            return table;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("partition table cut short");
        }
    }

    private static NodeId getOptional(ByteBuffer in) {
        return in.get() == 0 ? null : PartitionChange.nodeId(PartitionChange.getString(in));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PartitionTable t && Arrays.equals(encode(), t.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("PartitionTable{");
        groups.forEach((name, g) -> {
            out.append(name).append('/').append(g.count).append(' ').append(g.members).append(" [");
            for (int p = 0; p < g.count; p++) {
                out.append(p == 0 ? "" : " ").append(Objects.toString(g.owners[p], "-"))
                        .append(g.revoking[p] ? "!" : "").append('@').append(g.epochs[p]);
            }
            out.append("] ");
        });
        return out.append('}').toString();
    }
}
