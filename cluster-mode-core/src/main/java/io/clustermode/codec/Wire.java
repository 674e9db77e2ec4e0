package io.clustermode.codec;

import io.clustermode.raft.Configuration;
import io.clustermode.raft.Entry;
import io.clustermode.raft.EntryType;
import io.clustermode.raft.HardState;
import io.clustermode.NodeId;
import io.clustermode.raft.SnapshotMeta;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.TreeSet;

/**
 * The binary encoding of the core's values, shared by the wire format and the file storage:
 * big-endian, length-prefixed, every length checked against a limit before anything is
 * allocated, so a hostile or damaged input fails with {@link MalformedInputException} and
 * never with an out-of-memory error.
 */
public final class Wire {

    /** The largest command or snapshot chunk accepted, in bytes. */
    public static final int MAX_BLOB = 64 << 20;
    /** The most members a configuration may have on the wire. */
    public static final int MAX_MEMBERS = 10_000;

    private Wire() {
    }

    // ------------------------------------------------------------------ writing

    public static void putNodeId(ByteBuffer out, NodeId id) {
        putString(out, id.value());
    }

    /** Writes a possibly null node id. */
    public static void putOptionalNodeId(ByteBuffer out, NodeId id) {
        out.put((byte) (id == null ? 0 : 1));
        if (id != null) {
            putNodeId(out, id);
        }
    }

    public static void putString(ByteBuffer out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.putShort((short) bytes.length);
        out.put(bytes);
    }

    public static void putBlob(ByteBuffer out, byte[] blob) {
        out.putInt(blob.length);
        out.put(blob);
    }

    public static void putConfiguration(ByteBuffer out, Configuration configuration) {
        out.putInt(configuration.voters().size());
        configuration.voters().forEach(id -> putNodeId(out, id));
        out.putInt(configuration.learners().size());
        configuration.learners().forEach(id -> putNodeId(out, id));
    }

    public static void putEntry(ByteBuffer out, Entry entry) {
        out.putLong(entry.index());
        out.putLong(entry.term());
        out.put((byte) entry.type().ordinal());
        if (entry.type() == EntryType.CONFIGURATION) {
            putConfiguration(out, entry.configuration());
        } else {
            putBlob(out, entry.data());
        }
    }

    public static void putHardState(ByteBuffer out, HardState state) {
        out.putLong(state.term());
        putOptionalNodeId(out, state.votedFor());
        out.putLong(state.commit());
    }

    public static void putSnapshotMeta(ByteBuffer out, SnapshotMeta meta) {
        out.putLong(meta.index());
        out.putLong(meta.term());
        putConfiguration(out, meta.configuration());
        putBlob(out, meta.partitions());
    }

    // ------------------------------------------------------------------ sizes

    public static int sizeOf(NodeId id) {
        return 2 + id.value().getBytes(StandardCharsets.UTF_8).length;
    }

    public static int sizeOfOptional(NodeId id) {
        return 1 + (id == null ? 0 : sizeOf(id));
    }

    public static int sizeOf(Configuration configuration) {
        int size = 8;
        for (NodeId id : configuration.members()) {
            size += sizeOf(id);
        }
        return size;
    }

    public static int sizeOf(Entry entry) {
        return 17 + (entry.type() == EntryType.CONFIGURATION ? sizeOf(entry.configuration()) : 4 + entry.data().length);
    }

    public static int sizeOf(HardState state) {
        return 16 + sizeOfOptional(state.votedFor());
    }

    public static int sizeOf(SnapshotMeta meta) {
        return 16 + sizeOf(meta.configuration()) + 4 + meta.partitions().length;
    }

    public static int sizeOf(String value) {
        return 2 + value.getBytes(StandardCharsets.UTF_8).length;
    }

    // ------------------------------------------------------------------ reading

    public static NodeId getNodeId(ByteBuffer in) throws MalformedInputException {
        String value = getString(in);
        try {
            return new NodeId(value);
        } catch (IllegalArgumentException e) {
            throw new MalformedInputException(e.getMessage());
        }
    }

    public static NodeId getOptionalNodeId(ByteBuffer in) throws MalformedInputException {
        byte present = getByte(in);
        if (present != 0 && present != 1) {
            throw new MalformedInputException("bad presence flag " + present);
        }
        return present == 0 ? null : getNodeId(in);
    }

    public static String getString(ByteBuffer in) throws MalformedInputException {
        int length = getShort(in) & 0xFFFF;
        byte[] bytes = getBytes(in, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public static byte[] getBlob(ByteBuffer in) throws MalformedInputException {
        int length = getInt(in);
        if (length < 0 || length > MAX_BLOB) {
            throw new MalformedInputException("blob length " + length + " outside 0.." + MAX_BLOB);
        }
        return getBytes(in, length);
    }

    public static Configuration getConfiguration(ByteBuffer in) throws MalformedInputException {
        TreeSet<NodeId> voters = getNodeIds(in);
        TreeSet<NodeId> learners = getNodeIds(in);
        try {
            return new Configuration(voters, learners);
        } catch (IllegalArgumentException e) {
            throw new MalformedInputException(e.getMessage());
        }
    }

    private static TreeSet<NodeId> getNodeIds(ByteBuffer in) throws MalformedInputException {
        int count = getInt(in);
        if (count < 0 || count > MAX_MEMBERS) {
            throw new MalformedInputException("member count " + count + " outside 0.." + MAX_MEMBERS);
        }
        TreeSet<NodeId> ids = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            ids.add(getNodeId(in));
        }
        return ids;
    }

    public static Entry getEntry(ByteBuffer in) throws MalformedInputException {
        long index = getLong(in);
        long term = getLong(in);
        if (index < 1 || term < 0) {
            throw new MalformedInputException("entry index " + index + " or term " + term + " out of range");
        }
        byte type = getByte(in);
        if (type < 0 || type >= EntryType.values().length) {
            throw new MalformedInputException("unknown entry type " + type);
        }
        EntryType entryType = EntryType.values()[type];
        return switch (entryType) {
            case CONFIGURATION -> Entry.configuration(index, term, getConfiguration(in));
            case NOOP -> {
                byte[] data = getBlob(in);
                if (data.length != 0) {
                    throw new MalformedInputException("a no-op entry with data");
                }
                yield Entry.noop(index, term);
            }
            case COMMAND -> Entry.command(index, term, getBlob(in));
            case PARTITIONS -> {
                byte[] data = getBlob(in);
                try {
                    io.clustermode.raft.PartitionChange.decode(data);
                } catch (IllegalArgumentException malformed) {
                    throw new MalformedInputException("a partitions entry: " + malformed.getMessage());
                }
                yield new Entry(index, term, EntryType.PARTITIONS, data, null);
            }
        };
    }

    public static HardState getHardState(ByteBuffer in) throws MalformedInputException {
        long term = getLong(in);
        NodeId vote = getOptionalNodeId(in);
        long commit = getLong(in);
        if (term < 0 || commit < 0) {
            throw new MalformedInputException("negative term or commit");
        }
        return new HardState(term, vote, commit);
    }

    public static SnapshotMeta getSnapshotMeta(ByteBuffer in) throws MalformedInputException {
        long index = getLong(in);
        long term = getLong(in);
        if (index < 0 || term < 0) {
            throw new MalformedInputException("negative snapshot index or term");
        }
        Configuration configuration = getConfiguration(in);
        // A snapshot file of a version before partition groups ends with the configuration.
        byte[] partitions = in.hasRemaining() ? getBlob(in) : new byte[0];
        if (!SnapshotMeta.readablePartitions(partitions)) {
            throw new MalformedInputException("the snapshot's partition table is malformed");
        }
        return new SnapshotMeta(index, term, configuration, partitions);
    }

    public static byte getByte(ByteBuffer in) throws MalformedInputException {
        try {
            return in.get();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    public static short getShort(ByteBuffer in) throws MalformedInputException {
        try {
            return in.getShort();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    public static int getInt(ByteBuffer in) throws MalformedInputException {
        try {
            return in.getInt();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    public static long getLong(ByteBuffer in) throws MalformedInputException {
        try {
            return in.getLong();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    public static boolean getBoolean(ByteBuffer in) throws MalformedInputException {
        byte value = getByte(in);
        if (value != 0 && value != 1) {
            throw new MalformedInputException("bad boolean " + value);
        }
        return value == 1;
    }

    public static byte[] getBytes(ByteBuffer in, int length) throws MalformedInputException {
        if (length > in.remaining()) {
            throw truncated();
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    private static MalformedInputException truncated() {
        return new MalformedInputException("truncated input");
    }
}
