package io.clustermode.codec;

import io.clustermode.raft.Entry;
import io.clustermode.raft.Message;
import io.clustermode.raft.Message.AppendRequest;
import io.clustermode.raft.Message.AppendResponse;
import io.clustermode.raft.Message.Heartbeat;
import io.clustermode.raft.Message.HeartbeatResponse;
import io.clustermode.raft.Message.InstallSnapshot;
import io.clustermode.raft.Message.InstallSnapshotResponse;
import io.clustermode.raft.Message.TimeoutNow;
import io.clustermode.raft.Message.ForwardRequest;
import io.clustermode.raft.Message.ForwardResponse;
import io.clustermode.raft.Message.ReadIndexRequest;
import io.clustermode.raft.Message.ReadIndexResponse;
import io.clustermode.raft.Message.VoteRequest;
import io.clustermode.raft.Message.VoteResponse;
import io.clustermode.NodeId;
import io.clustermode.raft.SnapshotMeta;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The versioned binary encoding of every Raft {@link Message}, as carried in one frame of a
 * transport.
 *
 * <h2>Layout (format version 1)</h2>
 * Big-endian. Every message starts with a common header, then the fields of its type in the
 * order below; the values of the core ({@link Entry}, {@link SnapshotMeta}, node ids, blobs)
 * use the encoding of {@link Wire}.
 * <pre>
 *   u8  format version (= {@link #VERSION})
 *   u8  type (see the {@code TYPE_} constants)
 *   node id from, node id to, i64 term
 *   VoteRequest             i64 lastLogIndex, i64 lastLogTerm, bool preVote, bool transfer
 *   VoteResponse            bool preVote, bool granted
 *   AppendRequest           i64 prevLogIndex, i64 prevLogTerm, i64 leaderCommit, i32 count, count x entry
 *   AppendResponse          bool success, i64 prevLogIndex, i64 matchIndex, i64 conflictIndex, i64 conflictTerm
 *   Heartbeat               i64 commit, i64 sequence
 *   HeartbeatResponse       i64 sequence, bool healthy
 *   InstallSnapshot         snapshot meta, i64 offset, bool done, blob chunk
 *   InstallSnapshotResponse i64 snapshotIndex, i64 nextOffset, bool installed
 *   TimeoutNow              (nothing)
 *   ForwardRequest          i64 id, i32 count, count x blob command
 *   ForwardResponse         i64 id, i64 firstIndex
 *   ReadIndexRequest        i64 id
 *   ReadIndexResponse       i64 id, i64 index
 * </pre>
 * A boolean is one byte, 0 or 1. An encoded message is exactly as long as its fields: decoding
 * rejects trailing bytes, so a frame that was cut or padded never passes as another message.
 *
 * <h2>Decoding untrusted input</h2>
 * {@link #decode} accepts any bytes: it either returns a message or throws
 * {@link MalformedInputException}, never another exception. Every count and length is checked
 * against the bytes that remain before anything is allocated, so the memory it takes is
 * proportional to the input, never to a number the input claims. It also rejects values Raft
 * never sends (negative terms, indices, offsets or rounds; entries of an append that do not
 * follow its previous index one by one), so the core never sees them.
 *
 * <h2>Threading</h2>
 * Stateless; every method may be called from any thread.
 */
public final class MessageCodec {

    /**
     * The format version this codec writes and the only one it reads. 2: partition reports
     * (types 14 and 15), PARTITIONS entries, a partition table in snapshot metas, and the health
     * flag in heartbeat answers. A node of version 1 and one of version 2 refuse each other's
     * messages as such (rather than misreading a heartbeat answer): upgrade a cluster across this
     * change all at once, not one node at a time.
     */
    public static final int VERSION = 2;

    /** Type byte of {@link VoteRequest}. */
    public static final byte TYPE_VOTE_REQUEST = 1;
    /** Type byte of {@link VoteResponse}. */
    public static final byte TYPE_VOTE_RESPONSE = 2;
    /** Type byte of {@link AppendRequest}. */
    public static final byte TYPE_APPEND_REQUEST = 3;
    /** Type byte of {@link AppendResponse}. */
    public static final byte TYPE_APPEND_RESPONSE = 4;
    /** Type byte of {@link Heartbeat}. */
    public static final byte TYPE_HEARTBEAT = 5;
    /** Type byte of {@link HeartbeatResponse}. */
    public static final byte TYPE_HEARTBEAT_RESPONSE = 6;
    /** Type byte of {@link InstallSnapshot}. */
    public static final byte TYPE_INSTALL_SNAPSHOT = 7;
    /** Type byte of {@link InstallSnapshotResponse}. */
    public static final byte TYPE_INSTALL_SNAPSHOT_RESPONSE = 8;
    /** Type byte of {@link TimeoutNow}. */
    public static final byte TYPE_TIMEOUT_NOW = 9;
    /** Type byte of {@link ForwardRequest}. */
    public static final byte TYPE_FORWARD_REQUEST = 10;
    /** Type byte of {@link ForwardResponse}. */
    public static final byte TYPE_FORWARD_RESPONSE = 11;
    /** Type byte of {@link ReadIndexRequest}. */
    public static final byte TYPE_READ_INDEX_REQUEST = 12;
    /** Type byte of {@link ReadIndexResponse}. */
    public static final byte TYPE_READ_INDEX_RESPONSE = 13;
    /** {@link Message.PartitionReport}. */
    public static final byte TYPE_PARTITION_REPORT = 14;
    /** {@link Message.PartitionReportAck}. */
    public static final byte TYPE_PARTITION_REPORT_ACK = 15;

    /** The fewest bytes one encoded entry takes: index, term, type and an empty blob. */
    private static final int MIN_ENTRY_BYTES = 8 + 8 + 1 + 4;

    private MessageCodec() {
    }

    // ------------------------------------------------------------------ encoding

    /**
     * The exact number of bytes {@link #encode(Message, ByteBuffer)} writes for {@code message}.
     *
     * @throws IllegalArgumentException when the message is too large to encode (more than 2 GiB)
     */
    public static int sizeOf(Message message) {
        Objects.requireNonNull(message, "message");
        long size = 2L + Wire.sizeOf(message.from()) + Wire.sizeOf(message.to()) + 8;
        if (message instanceof VoteRequest) {
            size += 8 + 8 + 1 + 1;
        } else if (message instanceof VoteResponse) {
            size += 1 + 1;
        } else if (message instanceof AppendRequest m) {
            size += 8 + 8 + 8 + 4;
            for (Entry entry : m.entries()) {
                size += Wire.sizeOf(entry);
            }
        } else if (message instanceof AppendResponse) {
            size += 1 + 8 + 8 + 8 + 8;
        } else if (message instanceof Heartbeat) {
            size += 8 + 8;
        } else if (message instanceof HeartbeatResponse) {
            size += 8 + 1;
        } else if (message instanceof InstallSnapshot m) {
            size += Wire.sizeOf(m.meta()) + 8 + 1 + 4 + m.chunk().length;
        } else if (message instanceof InstallSnapshotResponse) {
            size += 8 + 8 + 1;
        } else if (message instanceof TimeoutNow) {
            size += 0;
        } else if (message instanceof ForwardRequest m) {
            size += 8 + 4;
            for (byte[] command : m.commands()) {
                size += 4 + command.length;
            }
        } else if (message instanceof ForwardResponse || message instanceof ReadIndexResponse) {
            size += 8 + 8;
        } else if (message instanceof ReadIndexRequest) {
            size += 8;
        } else if (message instanceof Message.PartitionReportAck) {
            size += 8 + 8;
        } else if (message instanceof Message.PartitionReport m) {
            size += 8 + 4 + 4;
            for (String group : m.groups().keySet()) {
                size += Wire.sizeOf(group) + 4;
            }
            for (Message.PartitionReport.Released r : m.released()) {
                size += Wire.sizeOf(r.group()) + 4 + 8;
            }
        } else {
            throw new IllegalArgumentException("unknown message type " + message.getClass().getName());
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("message of " + size + " bytes is too large to encode");
        }
        return (int) size;
    }

    /**
     * Encodes {@code message} into a new array of exactly {@link #sizeOf} bytes.
     *
     * @throws IllegalArgumentException when the message is too large to encode
     */
    public static byte[] encode(Message message) {
        byte[] bytes = new byte[sizeOf(message)];
        encode(message, ByteBuffer.wrap(bytes));
        return bytes;
    }

    /**
     * Writes {@code message} at the position of {@code out} (big-endian whatever the buffer's
     * order) and advances the position by {@link #sizeOf} bytes. This lets a transport encode
     * straight into its own buffer, after its frame header.
     *
     * @throws java.nio.BufferOverflowException when {@code out} has less room than {@link #sizeOf}
     */
    public static void encode(Message message, ByteBuffer out) {
        ByteBuffer buf = out.duplicate().order(ByteOrder.BIG_ENDIAN);
        buf.put((byte) VERSION);
        buf.put(typeOf(message));
        Wire.putNodeId(buf, message.from());
        Wire.putNodeId(buf, message.to());
        buf.putLong(message.term());
        if (message instanceof VoteRequest m) {
            buf.putLong(m.lastLogIndex());
            buf.putLong(m.lastLogTerm());
            putBoolean(buf, m.preVote());
            putBoolean(buf, m.transfer());
        } else if (message instanceof VoteResponse m) {
            putBoolean(buf, m.preVote());
            putBoolean(buf, m.granted());
        } else if (message instanceof AppendRequest m) {
            buf.putLong(m.prevLogIndex());
            buf.putLong(m.prevLogTerm());
            buf.putLong(m.leaderCommit());
            buf.putInt(m.entries().size());
            for (Entry entry : m.entries()) {
                Wire.putEntry(buf, entry);
            }
        } else if (message instanceof AppendResponse m) {
            putBoolean(buf, m.success());
            buf.putLong(m.prevLogIndex());
            buf.putLong(m.matchIndex());
            buf.putLong(m.conflictIndex());
            buf.putLong(m.conflictTerm());
        } else if (message instanceof Heartbeat m) {
            buf.putLong(m.commit());
            buf.putLong(m.sequence());
        } else if (message instanceof HeartbeatResponse m) {
            buf.putLong(m.sequence());
            putBoolean(buf, m.healthy());
        } else if (message instanceof InstallSnapshot m) {
            Wire.putSnapshotMeta(buf, m.meta());
            buf.putLong(m.offset());
            putBoolean(buf, m.done());
            Wire.putBlob(buf, m.chunk());
        } else if (message instanceof InstallSnapshotResponse m) {
            buf.putLong(m.snapshotIndex());
            buf.putLong(m.nextOffset());
            putBoolean(buf, m.installed());
        } else if (message instanceof ForwardRequest m) {
            buf.putLong(m.id());
            buf.putInt(m.commands().size());
            for (byte[] command : m.commands()) {
                Wire.putBlob(buf, command);
            }
        } else if (message instanceof ForwardResponse m) {
            buf.putLong(m.id());
            buf.putLong(m.firstIndex());
        } else if (message instanceof ReadIndexRequest m) {
            buf.putLong(m.id());
        } else if (message instanceof ReadIndexResponse m) {
            buf.putLong(m.id());
            buf.putLong(m.index());
        } else if (message instanceof Message.PartitionReport m) {
            buf.putLong(m.sequence());
            buf.putInt(m.groups().size());
            m.groups().forEach((group, count) -> {
                Wire.putString(buf, group);
                buf.putInt(count);
            });
            buf.putInt(m.released().size());
            for (Message.PartitionReport.Released r : m.released()) {
                Wire.putString(buf, r.group());
                buf.putInt(r.partition());
                buf.putLong(r.epoch());
            }
        } else if (message instanceof Message.PartitionReportAck m) {
            buf.putLong(m.sequence());
            buf.putLong(m.index());
        }
        // TimeoutNow has no fields beyond the header.
        out.position(buf.position());
    }

    /** The type byte {@code message} is encoded with. */
    public static byte typeOf(Message message) {
        if (message instanceof VoteRequest) {
            return TYPE_VOTE_REQUEST;
        } else if (message instanceof VoteResponse) {
            return TYPE_VOTE_RESPONSE;
        } else if (message instanceof AppendRequest) {
            return TYPE_APPEND_REQUEST;
        } else if (message instanceof AppendResponse) {
            return TYPE_APPEND_RESPONSE;
        } else if (message instanceof Heartbeat) {
            return TYPE_HEARTBEAT;
        } else if (message instanceof HeartbeatResponse) {
            return TYPE_HEARTBEAT_RESPONSE;
        } else if (message instanceof InstallSnapshot) {
            return TYPE_INSTALL_SNAPSHOT;
        } else if (message instanceof InstallSnapshotResponse) {
            return TYPE_INSTALL_SNAPSHOT_RESPONSE;
        } else if (message instanceof TimeoutNow) {
            return TYPE_TIMEOUT_NOW;
        } else if (message instanceof ForwardRequest) {
            return TYPE_FORWARD_REQUEST;
        } else if (message instanceof ForwardResponse) {
            return TYPE_FORWARD_RESPONSE;
        } else if (message instanceof ReadIndexRequest) {
            return TYPE_READ_INDEX_REQUEST;
        } else if (message instanceof ReadIndexResponse) {
            return TYPE_READ_INDEX_RESPONSE;
        }
        if (message instanceof Message.PartitionReport) {
            return TYPE_PARTITION_REPORT;
        }
        if (message instanceof Message.PartitionReportAck) {
            return TYPE_PARTITION_REPORT_ACK;
        }
        throw new IllegalArgumentException("unknown message type " + message.getClass().getName());
    }

    private static void putBoolean(ByteBuffer out, boolean value) {
        out.put((byte) (value ? 1 : 0));
    }

    // ------------------------------------------------------------------ decoding

    /**
     * Decodes one message from all the bytes remaining in {@code in} (read big-endian whatever
     * the buffer's order), and moves its position to its limit.
     *
     * @throws MalformedInputException when the bytes are not exactly one valid message of
     *                                 format version {@link #VERSION}; the position of
     *                                 {@code in} is then unspecified
     */
    public static Message decode(ByteBuffer in) throws MalformedInputException {
        ByteBuffer buf = in.duplicate().order(ByteOrder.BIG_ENDIAN);
        Message message = decodeBody(buf);
        if (buf.hasRemaining()) {
            throw new MalformedInputException(buf.remaining() + " trailing bytes after a "
                    + message.getClass().getSimpleName());
        }
        in.position(in.limit());
        return message;
    }

    private static Message decodeBody(ByteBuffer in) throws MalformedInputException {
        int version = Wire.getByte(in) & 0xFF;
        if (version != VERSION) {
            throw new MalformedInputException("unsupported message format version " + version
                    + " (this node reads " + VERSION + ")");
        }
        byte type = Wire.getByte(in);
        NodeId from = Wire.getNodeId(in);
        NodeId to = Wire.getNodeId(in);
        long term = nonNegative("term", Wire.getLong(in));
        switch (type) {
            case TYPE_VOTE_REQUEST: {
                long lastLogIndex = nonNegative("lastLogIndex", Wire.getLong(in));
                long lastLogTerm = nonNegative("lastLogTerm", Wire.getLong(in));
                boolean preVote = Wire.getBoolean(in);
                boolean transfer = Wire.getBoolean(in);
                return new VoteRequest(from, to, term, lastLogIndex, lastLogTerm, preVote, transfer);
            }
            case TYPE_VOTE_RESPONSE: {
                boolean preVote = Wire.getBoolean(in);
                boolean granted = Wire.getBoolean(in);
                return new VoteResponse(from, to, term, preVote, granted);
            }
            case TYPE_APPEND_REQUEST: {
                long prevLogIndex = nonNegative("prevLogIndex", Wire.getLong(in));
                long prevLogTerm = nonNegative("prevLogTerm", Wire.getLong(in));
                long leaderCommit = nonNegative("leaderCommit", Wire.getLong(in));
                List<Entry> entries = getEntries(in, prevLogIndex);
                return new AppendRequest(from, to, term, prevLogIndex, prevLogTerm, entries, leaderCommit);
            }
            case TYPE_APPEND_RESPONSE: {
                boolean success = Wire.getBoolean(in);
                long prevLogIndex = nonNegative("prevLogIndex", Wire.getLong(in));
                long matchIndex = nonNegative("matchIndex", Wire.getLong(in));
                long conflictIndex = nonNegative("conflictIndex", Wire.getLong(in));
                long conflictTerm = nonNegative("conflictTerm", Wire.getLong(in));
                return new AppendResponse(from, to, term, success, prevLogIndex, matchIndex, conflictIndex,
                        conflictTerm);
            }
            case TYPE_HEARTBEAT: {
                long commit = nonNegative("commit", Wire.getLong(in));
                long sequence = nonNegative("sequence", Wire.getLong(in));
                return new Heartbeat(from, to, term, commit, sequence);
            }
            case TYPE_HEARTBEAT_RESPONSE: {
                long sequence = nonNegative("sequence", Wire.getLong(in));
                return new HeartbeatResponse(from, to, term, sequence, Wire.getBoolean(in));
            }
            case TYPE_INSTALL_SNAPSHOT: {
                SnapshotMeta meta = Wire.getSnapshotMeta(in);
                long offset = nonNegative("offset", Wire.getLong(in));
                boolean done = Wire.getBoolean(in);
                byte[] chunk = Wire.getBlob(in);
                return new InstallSnapshot(from, to, term, meta, offset, chunk, done);
            }
            case TYPE_INSTALL_SNAPSHOT_RESPONSE: {
                long snapshotIndex = nonNegative("snapshotIndex", Wire.getLong(in));
                long nextOffset = nonNegative("nextOffset", Wire.getLong(in));
                boolean installed = Wire.getBoolean(in);
                return new InstallSnapshotResponse(from, to, term, snapshotIndex, nextOffset, installed);
            }
            case TYPE_TIMEOUT_NOW:
                return new TimeoutNow(from, to, term);
            case TYPE_FORWARD_REQUEST: {
                long id = nonNegative("id", Wire.getLong(in));
                return new ForwardRequest(from, to, term, id, getCommands(in));
            }
            case TYPE_FORWARD_RESPONSE: {
                long id = nonNegative("id", Wire.getLong(in));
                return new ForwardResponse(from, to, term, id, nonNegative("firstIndex", Wire.getLong(in)));
            }
            case TYPE_READ_INDEX_REQUEST:
                return new ReadIndexRequest(from, to, term, nonNegative("id", Wire.getLong(in)));
            case TYPE_READ_INDEX_RESPONSE: {
                long id = nonNegative("id", Wire.getLong(in));
                return new ReadIndexResponse(from, to, term, id, nonNegative("index", Wire.getLong(in)));
            }
            case TYPE_PARTITION_REPORT:
                return getPartitionReport(in, from, to, term);
            case TYPE_PARTITION_REPORT_ACK: {
                long sequence = nonNegative("sequence", Wire.getLong(in));
                return new Message.PartitionReportAck(from, to, term, sequence, nonNegative("index", Wire.getLong(in)));
            }
            default:
                throw new MalformedInputException("unknown message type " + type);
        }
    }

    private static Message getPartitionReport(ByteBuffer in, NodeId from, NodeId to, long term)
            throws MalformedInputException {
        long sequence = nonNegative("sequence", Wire.getLong(in));
        int groupCount = Wire.getInt(in);
        if (groupCount < 0 || groupCount > io.clustermode.raft.PartitionChange.MAX_GROUPS) {
            throw new MalformedInputException(groupCount + " partition groups (at most "
                    + io.clustermode.raft.PartitionChange.MAX_GROUPS + ")");
        }
        java.util.Map<String, Integer> groups = new java.util.TreeMap<>();
        for (int i = 0; i < groupCount; i++) {
            String group = Wire.getString(in);
            groups.put(group, Wire.getInt(in));
        }
        int releasedCount = Wire.getInt(in);
        if (releasedCount < 0 || releasedCount > in.remaining() / (2 + 1 + 4 + 8)) {
            throw new MalformedInputException("released count " + releasedCount + " does not fit in the "
                    + in.remaining() + " bytes left");
        }
        List<Message.PartitionReport.Released> released = new ArrayList<>(releasedCount);
        for (int i = 0; i < releasedCount; i++) {
            String group = Wire.getString(in);
            int partition = Wire.getInt(in);
            released.add(new Message.PartitionReport.Released(group, partition, nonNegative("epoch", Wire.getLong(in))));
        }
        return new Message.PartitionReport(from, to, term, sequence, groups, released);
    }

    private static List<Entry> getEntries(ByteBuffer in, long prevLogIndex) throws MalformedInputException {
        int count = Wire.getInt(in);
        // The bound makes the list's capacity proportional to the input, not to the claim.
        if (count < 0 || count > in.remaining() / MIN_ENTRY_BYTES) {
            throw new MalformedInputException("entry count " + count + " does not fit in the "
                    + in.remaining() + " bytes left");
        }
        List<Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Entry entry = Wire.getEntry(in);
            // Both are non-negative, so the difference cannot overflow.
            if (entry.index() - prevLogIndex != i + 1) {
                throw new MalformedInputException("entry " + i + " has index " + entry.index()
                        + ", expected " + (prevLogIndex + 1 + i));
            }
            entries.add(entry);
        }
        return entries;
    }

    private static List<byte[]> getCommands(ByteBuffer in) throws MalformedInputException {
        int count = Wire.getInt(in);
        // Each command takes at least its 4-byte length: the list's capacity follows the input.
        if (count < 0 || count > in.remaining() / 4) {
            throw new MalformedInputException("command count " + count + " does not fit in the "
                    + in.remaining() + " bytes left");
        }
        List<byte[]> commands = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            commands.add(Wire.getBlob(in));
        }
        return commands;
    }

    private static long nonNegative(String field, long value) throws MalformedInputException {
        if (value < 0) {
            throw new MalformedInputException(field + " is negative: " + value);
        }
        return value;
    }
}
