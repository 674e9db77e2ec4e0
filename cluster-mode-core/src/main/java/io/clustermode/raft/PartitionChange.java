package io.clustermode.raft;

import io.clustermode.NodeId;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One change of the partition table, decided by the leader and committed through the log (a
 * {@link EntryType#PARTITIONS} entry carries a list of them). Every node applies them in log
 * order with the same rules ({@link PartitionTable#apply}), so every node's table at an index is
 * the same.
 */
public sealed interface PartitionChange {

    /** The largest number of partitions in one group. */
    int MAX_COUNT = 4096;
    /** The largest number of groups in one cluster. */
    int MAX_GROUPS = 64;
    /** A group's name: what {@code --partitions NAME:COUNT} accepts. */
    Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** The group this change is about. */
    String group();

    /** {@code node} takes part in {@code group}, which has {@code count} partitions (the first member fixes it). */
    record Join(String group, int count, NodeId node) implements PartitionChange {
    }

    /** {@code node} no longer takes part in {@code group}; what it holds is revoked as usual. */
    record Leave(String group, NodeId node) implements PartitionChange {
    }

    /**
     * Partition {@code partition}, unowned, goes to {@code node}; the entry's index is its epoch.
     * {@code node} becomes the partition's home ({@link PartitionTable#home}) unless the grant only
     * {@code cover}s for its home's absence.
     */
    record Grant(String group, int partition, NodeId node, boolean cover) implements PartitionChange {

        /** A grant that makes {@code node} the partition's home. */
        public Grant(String group, int partition, NodeId node) {
            this(group, partition, node, false);
        }
    }

    /** The holder of {@code partition} under {@code epoch} is asked to give it up (drain). */
    record Revoke(String group, int partition, long epoch) implements PartitionChange {
    }

    /**
     * The grant {@code epoch} of {@code partition} is over: its holder gave it up, or it cannot
     * hold it any more (its lease surely lapsed). The partition is unowned until the next grant.
     */
    record Release(String group, int partition, long epoch) implements PartitionChange {
    }

    /**
     * Checks a group's name and count as a member declares them.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static void check(String group, int count) {
        if (!validName(group)) {
            throw new IllegalArgumentException("a partition group is named by 1 to 64 letters, digits, '.', '_' or '-'"
                    + " (starting with a letter or digit): '" + group + "'");
        }
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("partition group " + group + ": count " + count + " is outside 1.."
                    + MAX_COUNT);
        }
    }

    /** Whether {@code name} may name a group. */
    static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    // ------------------------------------------------------------------ encoding (an entry's data)

    /** The bytes of a {@link EntryType#PARTITIONS} entry. */
    static byte[] encode(List<PartitionChange> changes) {
        int size = 4;
        for (PartitionChange change : changes) {
            NodeId node = change instanceof Join c ? c.node() : change instanceof Leave c ? c.node()
                    : change instanceof Grant c ? c.node() : null;
            size += 1 + 2 + utf8(change.group()) + 12 + (node == null ? 0 : 2 + utf8(node.value()));
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(changes.size());
        for (PartitionChange change : changes) {
            if (change instanceof Join c) {
                out.put((byte) 1);
                putString(out, c.group());
                out.putInt(c.count());
                putString(out, c.node().value());
            } else if (change instanceof Leave c) {
                out.put((byte) 2);
                putString(out, c.group());
                putString(out, c.node().value());
            } else if (change instanceof Grant c) {
                out.put((byte) (c.cover() ? 6 : 3));
                putString(out, c.group());
                out.putInt(c.partition());
                putString(out, c.node().value());
            } else if (change instanceof Revoke c) {
                out.put((byte) 4);
                putString(out, c.group());
                out.putInt(c.partition());
                out.putLong(c.epoch());
            } else if (change instanceof Release c) {
                out.put((byte) 5);
                putString(out, c.group());
                out.putInt(c.partition());
                out.putLong(c.epoch());
            }
        }
        byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    /**
     * The changes in an entry's bytes.
     *
     * @throws IllegalArgumentException when the bytes are not such a list
     */
    static List<PartitionChange> decode(byte[] data) {
        try {
            ByteBuffer in = ByteBuffer.wrap(data);
            int size = in.getInt();
            if (size < 0 || size > data.length) {
                throw new IllegalArgumentException("a list of " + size + " partition changes in " + data.length + " bytes");
            }
            List<PartitionChange> changes = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                byte op = in.get();
                String group = getString(in);
                changes.add(switch (op) {
                    case 1 -> new Join(group, in.getInt(), nodeId(getString(in)));
                    case 2 -> new Leave(group, nodeId(getString(in)));
                    case 3 -> new Grant(group, in.getInt(), nodeId(getString(in)), false);
                    case 6 -> new Grant(group, in.getInt(), nodeId(getString(in)), true);
                    case 4 -> new Revoke(group, in.getInt(), in.getLong());
                    case 5 -> new Release(group, in.getInt(), in.getLong());
                    default -> throw new IllegalArgumentException("unknown partition change " + op);
                });
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes after the partition changes");
            }
            return changes;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("partition changes cut short");
        }
    }

    private static int utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8).length;
    }

    static void putString(ByteBuffer out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.putShort((short) bytes.length).put(bytes);
    }

    static String getString(ByteBuffer in) {
        int length = Short.toUnsignedInt(in.getShort());
        if (length > in.remaining()) {
            throw new IllegalArgumentException("a string of " + length + " bytes with " + in.remaining() + " left");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static NodeId nodeId(String value) {
        return NodeId.of(value); // throws IllegalArgumentException for what is not a node id
    }
}
