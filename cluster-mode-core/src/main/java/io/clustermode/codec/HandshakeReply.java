package io.clustermode.codec;

import io.clustermode.NodeId;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The accepting side's answer to a {@link Handshake}: accepted, or refused with a reason. It
 * carries the accepting node's id either way, so a connecting node learns who listens at an
 * address.
 *
 * <h2>Layout</h2>
 * Big-endian, frozen for every protocol version like the handshake's:
 * <pre>
 *   u32 magic = {@link #MAGIC} ("CMRA")
 *   u16 protocol version of the accepting node
 *   node id of the accepting node
 *   u8  1 = accepted, 0 = refused
 *   string reason (u16 length + UTF-8; empty when accepted)
 *   u32 status length, then the status bytes (added in the same version; a reply that ends
 *       before it has an empty status)
 *   u8 nonce length, then the nonce; u8 proof length, then the proof (added in the same
 *       version; a reply that ends before them has neither): the cluster-secret challenge
 *   ... later versions may append fields; readers ignore bytes after these
 * </pre>
 *
 * <h2>With a cluster secret</h2>
 * The accepting node answers a hello twice. First with a challenge: accepted, no status, its
 * own {@link #nonce()} and a {@link #proof()} that it holds the secret. The connecting node
 * checks the proof and answers with a {@link HandshakeProof}. Then the verdict: a second reply,
 * accepted with the status, or refused. Without a secret there is one reply, the verdict.
 *
 * @param protocolVersion the accepting node's protocol version; 0 to 65535
 * @param nodeId          the accepting node's id
 * @param refusal         why the connection is refused; null when it is accepted. At most
 *                        {@link #MAX_REASON_BYTES} bytes of UTF-8 are kept on the wire.
 * @param status          what the accepting node says of itself to the layer above the transport
 *                        (membership, for bootstrap); empty when nothing. At most
 *                        {@link #MAX_STATUS_BYTES}.
 * @param nonce           the accepting node's challenge nonce; empty without a cluster secret
 * @param proof           the accepting node's proof that it holds the cluster secret; empty
 *                        without one
 */
public record HandshakeReply(int protocolVersion, NodeId nodeId, String refusal, byte[] status, byte[] nonce,
                             byte[] proof) {

    /** The first four bytes of a reply: "CMRA". */
    public static final int MAGIC = 0x434D5241;

    /** The longest refusal reason sent, in bytes of UTF-8; longer ones are cut. */
    public static final int MAX_REASON_BYTES = 1024;

    /** The longest status accepted, in bytes. */
    public static final int MAX_STATUS_BYTES = 4096;

    /**
     * @throws IllegalArgumentException when a value is out of range (the message names it)
     */
    public HandshakeReply {
        Handshake.checkProtocolVersion(protocolVersion);
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(status, "status");
        if (status.length > MAX_STATUS_BYTES) {
            throw new IllegalArgumentException("status must be at most " + MAX_STATUS_BYTES + " bytes, was "
                    + status.length);
        }
        status = status.clone();
        nonce = Handshake.checkNonce("nonce", nonce);
        proof = Handshake.checkNonce("proof", proof);
    }

    /** A reply without a challenge. */
    public HandshakeReply(int protocolVersion, NodeId nodeId, String refusal, byte[] status) {
        this(protocolVersion, nodeId, refusal, status, new byte[0], new byte[0]);
    }

    /** A reply without a status or a challenge. */
    public HandshakeReply(int protocolVersion, NodeId nodeId, String refusal) {
        this(protocolVersion, nodeId, refusal, new byte[0]);
    }

    @Override
    public byte[] status() {
        return status.clone();
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    @Override
    public byte[] proof() {
        return proof.clone();
    }

    /** Whether this reply is a cluster-secret challenge (it carries a proof). */
    public boolean isChallenge() {
        return proof.length > 0;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HandshakeReply r && protocolVersion == r.protocolVersion && nodeId.equals(r.nodeId)
                && Objects.equals(refusal, r.refusal) && java.util.Arrays.equals(status, r.status)
                && java.util.Arrays.equals(nonce, r.nonce) && java.util.Arrays.equals(proof, r.proof);
    }

    @Override
    public int hashCode() {
        return Objects.hash(protocolVersion, nodeId, refusal, java.util.Arrays.hashCode(status),
                java.util.Arrays.hashCode(nonce), java.util.Arrays.hashCode(proof));
    }

    @Override
    public String toString() {
        return "HandshakeReply[version=" + protocolVersion + ", nodeId=" + nodeId + ", refusal=" + refusal
                + ", status=" + status.length + "B, nonce=" + nonce.length + "B, proof=" + proof.length + "B]";
    }

    /** An acceptance from {@code nodeId}, speaking {@link Handshake#PROTOCOL_VERSION}. */
    public static HandshakeReply accept(NodeId nodeId) {
        return new HandshakeReply(Handshake.PROTOCOL_VERSION, nodeId, null);
    }

    /** An acceptance from {@code nodeId} that also tells {@code status}. */
    public static HandshakeReply accept(NodeId nodeId, byte[] status) {
        return new HandshakeReply(Handshake.PROTOCOL_VERSION, nodeId, null, status);
    }

    /** A cluster-secret challenge from {@code nodeId}: accepted so far, its nonce and its proof. */
    public static HandshakeReply challenge(NodeId nodeId, byte[] nonce, byte[] proof) {
        return new HandshakeReply(Handshake.PROTOCOL_VERSION, nodeId, null, new byte[0], nonce, proof);
    }

    /** A refusal from {@code nodeId}, speaking {@link Handshake#PROTOCOL_VERSION}. */
    public static HandshakeReply refuse(NodeId nodeId, String reason) {
        return new HandshakeReply(Handshake.PROTOCOL_VERSION, nodeId, Objects.requireNonNull(reason, "reason"));
    }

    /** Whether the connection was accepted. */
    public boolean accepted() {
        return refusal == null;
    }

    /** The encoded reply: a fresh array. */
    public byte[] encode() {
        byte[] reason = refusal == null ? new byte[0] : truncate(refusal.getBytes(StandardCharsets.UTF_8));
        ByteBuffer out = ByteBuffer.allocate(4 + 2 + Wire.sizeOf(nodeId) + 1 + 2 + reason.length + 4 + status.length
                + 1 + nonce.length + 1 + proof.length);
        out.putInt(MAGIC);
        out.putShort((short) protocolVersion);
        Wire.putNodeId(out, nodeId);
        out.put((byte) (accepted() ? 1 : 0));
        out.putShort((short) reason.length);
        out.put(reason);
        out.putInt(status.length);
        out.put(status);
        out.put((byte) nonce.length);
        out.put(nonce);
        out.put((byte) proof.length);
        out.put(proof);
        return out.array();
    }

    private static byte[] truncate(byte[] utf8) {
        if (utf8.length <= MAX_REASON_BYTES) {
            return utf8;
        }
        // Cut on a character boundary: never before a UTF-8 continuation byte.
        int end = MAX_REASON_BYTES;
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
            end--;
        }
        byte[] cut = new byte[end];
        System.arraycopy(utf8, 0, cut, 0, end);
        return cut;
    }

    /**
     * Reads a reply from the remaining bytes of {@code in}, ignoring any bytes after its
     * fields, and moves the position to the limit.
     *
     * @throws MalformedInputException when the bytes are not a reply; never another exception
     */
    public static HandshakeReply decode(ByteBuffer in) throws MalformedInputException {
        ByteBuffer buf = in.duplicate().order(ByteOrder.BIG_ENDIAN);
        int magic = Wire.getInt(buf);
        if (magic != MAGIC) {
            throw new MalformedInputException(String.format("not a cluster-mode handshake reply (magic 0x%08x)",
                    magic));
        }
        int version = Wire.getShort(buf) & 0xFFFF;
        NodeId id = Wire.getNodeId(buf);
        boolean accepted = Wire.getBoolean(buf);
        String reason = Wire.getString(buf);
        if (accepted && !reason.isEmpty()) {
            throw new MalformedInputException("an accepting reply with a reason");
        }
        byte[] status = new byte[0];
        if (buf.remaining() >= 4) {
            int length = Wire.getInt(buf);
            if (length < 0 || length > MAX_STATUS_BYTES) {
                throw new MalformedInputException("status length " + length + " outside 0.." + MAX_STATUS_BYTES);
            }
            status = Wire.getBytes(buf, length);
        }
        byte[] nonce = buf.hasRemaining() ? Handshake.getNonce(buf, "nonce") : new byte[0];
        byte[] proof = buf.hasRemaining() ? Handshake.getNonce(buf, "proof") : new byte[0];
        in.position(in.limit());
        return new HandshakeReply(version, id, accepted ? null : reason, status, nonce, proof);
    }
}
