package io.clustermode.codec;

import io.clustermode.NodeId;

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
 *   u8 nonce length, then the nonce (added in the same version; a hello that ends before it
 *      has no nonce): fresh random bytes for the cluster-secret challenge, empty without a secret
 *   u8 cluster id length, then the id in UTF-8 (appended likewise; a hello that ends before it
 *      has none): the id the sender's cluster chose at bootstrap, empty while it knows none
 *   u16 advertised address length, then the address in ASCII (appended likewise; a hello that
 *      ends before it has none): the {@code host:port} where the sender's transport listens, so
 *      that a node it contacts can reach it back (a node asking to join a cluster); empty when
 *      the sender does not say
 *   ... later versions may append fields; readers ignore bytes after these
 * </pre>
 *
 * <p>The codec checks the address's shape only as far as bytes go (length, printable ASCII);
 * whether it is a usable {@code host:port} is the transport's to check, with its {@code HostPort},
 * before anyone relies on it.
 *
 * @param protocolVersion the version of the frames the sender will write; 0 to 65535
 * @param clusterName     the name of the sender's cluster; 1 to {@link #MAX_CLUSTER_NAME_LENGTH}
 *                        characters, not blank
 * @param nodeId          the sender's id
 * @param nonce           the sender's challenge for the cluster secret: {@link #NONCE_BYTES} fresh
 *                        random bytes, or empty when the sender has no secret
 * @param clusterId       the id the sender's cluster chose when it was bootstrapped; empty when
 *                        the sender knows none yet (a node that has not joined)
 * @param advertisedAddress where the sender's transport listens ({@code host:port}, at most
 *                        {@link #MAX_ADDRESS_BYTES} printable ASCII characters); empty when the
 *                        sender does not say (a hello of an older version)
 */
public record Handshake(int protocolVersion, String clusterName, NodeId nodeId, byte[] nonce, String clusterId,
                        String advertisedAddress) {

    /** The protocol version of this code: frames after the handshake are {@link MessageCodec} messages of this version. */
    public static final int PROTOCOL_VERSION = MessageCodec.VERSION;

    /** The first four bytes of a handshake: "CMRH". */
    public static final int MAGIC = 0x434D5248;

    /** The longest cluster name, in characters. */
    public static final int MAX_CLUSTER_NAME_LENGTH = 128;

    /** The length of a challenge nonce, in bytes. */
    public static final int NONCE_BYTES = 32;

    /** The longest cluster id, in bytes of UTF-8. */
    public static final int MAX_CLUSTER_ID_BYTES = 64;

    /** The longest advertised address, in bytes (a DNS name of 253 characters, a port, and room). */
    public static final int MAX_ADDRESS_BYTES = 300;

    /**
     * @throws IllegalArgumentException when a value is out of range (the message names it)
     */
    public Handshake {
        checkProtocolVersion(protocolVersion);
        checkClusterName(clusterName);
        Objects.requireNonNull(nodeId, "nodeId");
        nonce = checkNonce("nonce", nonce);
        checkClusterId(clusterId);
        checkAdvertisedAddress(advertisedAddress);
    }

    /** A handshake without an advertised address. */
    public Handshake(int protocolVersion, String clusterName, NodeId nodeId, byte[] nonce, String clusterId) {
        this(protocolVersion, clusterName, nodeId, nonce, clusterId, "");
    }

    /** A handshake without a cluster id. */
    public Handshake(int protocolVersion, String clusterName, NodeId nodeId, byte[] nonce) {
        this(protocolVersion, clusterName, nodeId, nonce, "");
    }

    /** A handshake without a nonce or a cluster id. */
    public Handshake(int protocolVersion, String clusterName, NodeId nodeId) {
        this(protocolVersion, clusterName, nodeId, new byte[0]);
    }

    /** A handshake of this code's {@link #PROTOCOL_VERSION}, without a nonce. */
    public static Handshake current(String clusterName, NodeId nodeId) {
        return new Handshake(PROTOCOL_VERSION, clusterName, nodeId);
    }

    /** A handshake of this code's {@link #PROTOCOL_VERSION} with a challenge nonce. */
    public static Handshake current(String clusterName, NodeId nodeId, byte[] nonce) {
        return new Handshake(PROTOCOL_VERSION, clusterName, nodeId, nonce);
    }

    /** A handshake of this code's {@link #PROTOCOL_VERSION} with a challenge nonce and a cluster id. */
    public static Handshake current(String clusterName, NodeId nodeId, byte[] nonce, String clusterId) {
        return new Handshake(PROTOCOL_VERSION, clusterName, nodeId, nonce, clusterId);
    }

    /**
     * A handshake of this code's {@link #PROTOCOL_VERSION} with a challenge nonce, a cluster id and
     * the sender's advertised address.
     */
    public static Handshake current(String clusterName, NodeId nodeId, byte[] nonce, String clusterId,
                                    String advertisedAddress) {
        return new Handshake(PROTOCOL_VERSION, clusterName, nodeId, nonce, clusterId, advertisedAddress);
    }

    /**
     * Checks an advertised address as far as bytes go: empty, or 1 to {@link #MAX_ADDRESS_BYTES}
     * printable ASCII characters. (Whether it is a usable {@code host:port} the transport checks.)
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static void checkAdvertisedAddress(String address) {
        Objects.requireNonNull(address, "advertisedAddress");
        if (address.length() > MAX_ADDRESS_BYTES || !address.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new IllegalArgumentException("advertisedAddress must be at most " + MAX_ADDRESS_BYTES
                    + " printable ASCII characters: '" + printable(address) + "'");
        }
    }

    /** The text with anything outside printable ASCII shown as '?', at most 80 characters: for messages. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.chars().limit(80).forEach(c -> out.append(c > 0x20 && c < 0x7F ? (char) c : '?'));
        return text.length() > 80 ? out + "..." : out.toString();
    }

    /**
     * Checks a cluster id: empty, or 1 to {@link #MAX_CLUSTER_ID_BYTES} bytes of printable ASCII.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static void checkClusterId(String clusterId) {
        Objects.requireNonNull(clusterId, "clusterId");
        if (clusterId.length() > MAX_CLUSTER_ID_BYTES || !clusterId.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new IllegalArgumentException("clusterId must be at most " + MAX_CLUSTER_ID_BYTES
                    + " printable ASCII characters: '" + clusterId + "'");
        }
    }

    /** Checks a nonce (empty, or {@link #NONCE_BYTES} long) and returns a copy. */
    static byte[] checkNonce(String field, byte[] nonce) {
        Objects.requireNonNull(nonce, field);
        if (nonce.length != 0 && nonce.length != NONCE_BYTES) {
            throw new IllegalArgumentException(field + " must be empty or " + NONCE_BYTES + " bytes, was "
                    + nonce.length);
        }
        return nonce.clone();
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Handshake h && protocolVersion == h.protocolVersion
                && clusterName.equals(h.clusterName) && nodeId.equals(h.nodeId)
                && java.util.Arrays.equals(nonce, h.nonce) && clusterId.equals(h.clusterId)
                && advertisedAddress.equals(h.advertisedAddress);
    }

    @Override
    public int hashCode() {
        return Objects.hash(protocolVersion, clusterName, nodeId, java.util.Arrays.hashCode(nonce), clusterId,
                advertisedAddress);
    }

    @Override
    public String toString() {
        return "Handshake[version=" + protocolVersion + ", cluster=" + clusterName + ", nodeId=" + nodeId
                + ", nonce=" + nonce.length + "B" + (clusterId.isEmpty() ? "" : ", clusterId=" + clusterId)
                + (advertisedAddress.isEmpty() ? "" : ", advertised=" + advertisedAddress) + "]";
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
        byte[] id = clusterId.getBytes(StandardCharsets.US_ASCII);
        byte[] address = advertisedAddress.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(4 + 2 + 2 + name.length + Wire.sizeOf(nodeId) + 1 + nonce.length
                + 1 + id.length + 2 + address.length);
        out.putInt(MAGIC);
        out.putShort((short) protocolVersion);
        out.putShort((short) name.length);
        out.put(name);
        Wire.putNodeId(out, nodeId);
        out.put((byte) nonce.length);
        out.put(nonce);
        out.put((byte) id.length);
        out.put(id);
        out.putShort((short) address.length);
        out.put(address);
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
        byte[] nonce = buf.hasRemaining() ? getNonce(buf, "nonce") : new byte[0];
        String clusterId = buf.hasRemaining()
                ? new String(Wire.getBytes(buf, Wire.getByte(buf) & 0xFF), StandardCharsets.US_ASCII) : "";
        String address = "";
        if (buf.hasRemaining()) {
            int length = Wire.getShort(buf) & 0xFFFF;
            if (length > MAX_ADDRESS_BYTES) {
                throw new MalformedInputException("advertised address of " + length + " bytes (at most "
                        + MAX_ADDRESS_BYTES + ")");
            }
            address = new String(Wire.getBytes(buf, length), StandardCharsets.US_ASCII);
        }
        try {
            checkClusterName(name);
            checkClusterId(clusterId);
            checkAdvertisedAddress(address);
        } catch (IllegalArgumentException e) {
            throw new MalformedInputException(e.getMessage());
        }
        in.position(in.limit());
        return new Handshake(version, name, id, nonce, clusterId, address);
    }

    /** Reads a u8 length and that many bytes: empty or {@link #NONCE_BYTES}. */
    static byte[] getNonce(ByteBuffer buf, String field) throws MalformedInputException {
        int length = Wire.getByte(buf) & 0xFF;
        if (length != 0 && length != NONCE_BYTES) {
            throw new MalformedInputException(field + " of " + length + " bytes (expected 0 or " + NONCE_BYTES + ")");
        }
        return Wire.getBytes(buf, length);
    }
}
