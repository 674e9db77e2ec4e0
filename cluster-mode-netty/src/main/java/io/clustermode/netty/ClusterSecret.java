package io.clustermode.netty;

import io.clustermode.codec.Handshake;
import io.clustermode.NodeId;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The cluster's shared secret, and the mutual challenge–response that proves it in the
 * handshake. Each side sends a fresh random nonce; each proves it holds the secret with an
 * HMAC-SHA256 over a label naming its role, the cluster name, both node ids and both nonces.
 * Fresh nonces on both sides make a recorded proof useless on another connection, the role
 * label makes one side's proof useless as the other's, and the ids bind the proof to who
 * claims to be speaking. The secret itself never crosses the wire and never appears in a log
 * or an exception.
 *
 * <p>What it does not do: encrypt, or protect a connection after its handshake from an
 * attacker on the network path who can inject into the TCP stream. For that, use mutual TLS
 * (with which the secret may be combined).
 *
 * <p>Immutable and thread-safe.
 */
public final class ClusterSecret {

    /** The shortest secret accepted, in bytes: 128 bits. */
    public static final int MIN_BYTES = 16;
    private static final String ALGORITHM = "HmacSHA256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;

    private ClusterSecret(byte[] key) {
        this.key = key;
    }

    /**
     * The secret in {@code file}: its bytes, without trailing white space (so a file written
     * by {@code echo} or an editor works as one written by {@code head -c}).
     *
     * @throws IOException when the file cannot be read or holds fewer than {@link #MIN_BYTES}
     *                     bytes; the message names the file, never its content
     */
    public static ClusterSecret read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("cannot read the cluster secret file " + file + ": " + e.getMessage(), e);
        }
        int end = bytes.length;
        while (end > 0 && Character.isWhitespace(bytes[end - 1])) {
            end--;
        }
        byte[] key = Arrays.copyOf(bytes, end);
        Arrays.fill(bytes, (byte) 0);
        if (key.length < MIN_BYTES) {
            throw new IOException("the cluster secret file " + file + " holds " + key.length
                    + " bytes; at least " + MIN_BYTES + " are needed (for example: head -c 32 /dev/urandom | base64 > "
                    + file.getFileName() + ")");
        }
        return new ClusterSecret(key);
    }

    /** A secret of these bytes (for tests and embedding applications); at least {@link #MIN_BYTES}. */
    public static ClusterSecret of(byte[] secret) {
        if (secret.length < MIN_BYTES) {
            throw new IllegalArgumentException("a cluster secret needs at least " + MIN_BYTES + " bytes, was "
                    + secret.length);
        }
        return new ClusterSecret(secret.clone());
    }

    /** Fresh random bytes for a challenge. */
    static byte[] nonce() {
        byte[] nonce = new byte[Handshake.NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /** The accepting node's proof. */
    byte[] serverProof(String cluster, NodeId client, NodeId server, byte[] clientNonce, byte[] serverNonce) {
        return proof("server", cluster, client, server, clientNonce, serverNonce);
    }

    /** The connecting node's proof. */
    byte[] clientProof(String cluster, NodeId client, NodeId server, byte[] clientNonce, byte[] serverNonce) {
        return proof("client", cluster, client, server, clientNonce, serverNonce);
    }

    /** Compares two proofs in time that does not depend on where they differ. */
    static boolean matches(byte[] expected, byte[] actual) {
        return MessageDigest.isEqual(expected, actual);
    }

    private byte[] proof(String role, String cluster, NodeId client, NodeId server, byte[] clientNonce,
                         byte[] serverNonce) {
        ByteArrayOutputStream input = new ByteArrayOutputStream(256);
        field(input, ("cluster-mode handshake v1 " + role).getBytes(StandardCharsets.UTF_8));
        field(input, cluster.getBytes(StandardCharsets.UTF_8));
        field(input, client.value().getBytes(StandardCharsets.UTF_8));
        field(input, server.value().getBytes(StandardCharsets.UTF_8));
        field(input, clientNonce);
        field(input, serverNonce);
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac.doFinal(input.toByteArray());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** Length-prefixed, so that no two different inputs give the same bytes. */
    private static void field(ByteArrayOutputStream out, byte[] value) {
        out.write(value.length >>> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    @Override
    public String toString() {
        return "ClusterSecret[hidden]";
    }
}
