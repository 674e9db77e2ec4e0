package io.clustermode.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The connecting node's answer to a cluster-secret challenge (see {@link HandshakeReply}): its
 * proof that it holds the secret, over both nodes' nonces. Sent after the challenge and before
 * any message.
 *
 * <h2>Layout</h2>
 * Big-endian, frozen like the handshake's:
 * <pre>
 *   u32 magic = {@link #MAGIC} ("CMRP")
 *   u8 proof length ({@link Handshake#NONCE_BYTES}), then the proof
 *   ... later versions may append fields; readers ignore bytes after these
 * </pre>
 *
 * @param proof the proof, {@link Handshake#NONCE_BYTES} bytes
 */
public record HandshakeProof(byte[] proof) {

    /** The first four bytes: "CMRP". */
    public static final int MAGIC = 0x434D5250;

    /** @throws IllegalArgumentException when the proof is not {@link Handshake#NONCE_BYTES} long */
    public HandshakeProof {
        Objects.requireNonNull(proof, "proof");
        if (proof.length != Handshake.NONCE_BYTES) {
            throw new IllegalArgumentException("proof must be " + Handshake.NONCE_BYTES + " bytes, was " + proof.length);
        }
        proof = proof.clone();
    }

    @Override
    public byte[] proof() {
        return proof.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HandshakeProof p && java.util.Arrays.equals(proof, p.proof);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(proof);
    }

    @Override
    public String toString() {
        return "HandshakeProof[" + proof.length + "B]";
    }

    /** The encoded proof: a fresh array. */
    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(4 + 1 + proof.length);
        out.putInt(MAGIC);
        out.put((byte) proof.length);
        out.put(proof);
        return out.array();
    }

    /**
     * Reads a proof from the remaining bytes of {@code in}, ignoring bytes after its fields.
     *
     * @throws MalformedInputException when the bytes are not a proof; never another exception
     */
    public static HandshakeProof decode(ByteBuffer in) throws MalformedInputException {
        ByteBuffer buf = in.duplicate().order(ByteOrder.BIG_ENDIAN);
        int magic = Wire.getInt(buf);
        if (magic != MAGIC) {
            throw new MalformedInputException(String.format("not a cluster-secret proof (magic 0x%08x)", magic));
        }
        byte[] proof = Handshake.getNonce(buf, "proof");
        if (proof.length == 0) {
            throw new MalformedInputException("an empty cluster-secret proof");
        }
        in.position(in.limit());
        return new HandshakeProof(proof);
    }
}
