package io.clustermode.codec;

import io.clustermode.raft.NodeId;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The first frame on every connection, sent by the connecting side: who is speaking, in which
 * cluster, and which protocol version. The accepting side answers with a
 * {@link HandshakeReply}.
 *
 * <h2>Layout</h2>
 * Big-endian. Unlike messages, this layout is frozen for every protocol version, so a node can
 * always read a newer node's handshake far enough to refuse it with a clear reason:
 * <pre>
 *   u32 magic = {@link #MAGIC} ("CMRH")
 *   u16 protocol version
 *   string cluster name (u16 length + UTF-8)
 *   node id of the sender (u16 length + UTF-8)
 *   ... later versions may append fields; readers ignore bytes after these
 * </pre>
 *
 * @param protocolVersion the version of the frames the sender will write; 0 to 65535
 * @param clusterName     the name of the sender's cluster; 1 to {@link #MAX_CLUSTER_NAME_LENGTH}
 *                        characters, not blank
 * @param nodeId          the sender's id
 */
public record Handshake(int protocolVersion, String clusterName, NodeId nodeId) {

    /** The protocol version of this code: frames after the handshake are {@link MessageCodec} messages of this version. */
    public static final int PROTOCOL_VERSION = MessageCodec.VERSION;

    /** The first four bytes of a handshake: "CMRH". */
    public static final int MAGIC = 0x434D5248;

    /** The longest cluster name, in characters. */
    public static final int MAX_CLUSTER_NAME_LENGTH = 128;

    /**
     * @throws IllegalArgumentException when a value is out of range (the message names it)
     */
    public Handshake {
        checkProtocolVersion(protocolVersion);
        checkClusterName(clusterName);
        Objects.requireNonNull(nodeId, "nodeId");
    }

    /** A handshake of this code's {@link #PROTOCOL_VERSION}. */
    public static Handshake current(String clusterName, NodeId nodeId) {
        return new Handshake(PROTOCOL_VERSION, clusterName, nodeId);
    }

    /**
     * Checks a cluster name against the rules of the handshake.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static void checkClusterName(String clusterName) {
        Objects.requireNonNull(clusterName, "clusterName");
        if (clusterName.isBlank() || clusterName.length() > MAX_CLUSTER_NAME_LENGTH) {
            throw new IllegalArgumentException("clusterName must be 1 to " + MAX_CLUSTER_NAME_LENGTH
                    + " characters, not blank: '" + clusterName + "'");
        }
    }

    static void checkProtocolVersion(int protocolVersion) {
        if (protocolVersion < 0 || protocolVersion > 0xFFFF) {
            throw new IllegalArgumentException("protocolVersion must be 0 to 65535, was " + protocolVersion);
        }
    }

    /** The encoded handshake: a fresh array. */
    public byte[] encode() {
        byte[] name = clusterName.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(4 + 2 + 2 + name.length + Wire.sizeOf(nodeId));
        out.putInt(MAGIC);
        out.putShort((short) protocolVersion);
        out.putShort((short) name.length);
        out.put(name);
        Wire.putNodeId(out, nodeId);
        return out.array();
    }

    /**
     * Reads a handshake from the remaining bytes of {@code in}, ignoring any bytes after its
     * fields (room for later versions), and moves the position to the limit.
     *
     * @throws MalformedInputException when the bytes are not a handshake (wrong magic,
     *                                 truncated, or a value out of range); never another exception
     */
    public static Handshake decode(ByteBuffer in) throws MalformedInputException {
        ByteBuffer buf = in.duplicate().order(ByteOrder.BIG_ENDIAN);
        int magic = Wire.getInt(buf);
        if (magic != MAGIC) {
            throw new MalformedInputException(String.format("not a cluster-mode handshake (magic 0x%08x)", magic));
        }
        int version = Wire.getShort(buf) & 0xFFFF;
        String name = Wire.getString(buf);
        NodeId id = Wire.getNodeId(buf);
        try {
            checkClusterName(name);
        } catch (IllegalArgumentException e) {
            throw new MalformedInputException(e.getMessage());
        }
        in.position(in.limit());
        return new Handshake(version, name, id);
    }
}
