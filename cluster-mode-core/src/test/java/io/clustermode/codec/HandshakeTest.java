package io.clustermode.codec;

import io.clustermode.NodeId;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HandshakeTest {

    @Test
    void theLayoutIsPinned() {
        // Frozen for every protocol version: a node must always be able to read a newer one's hello.
        assertThat(HexFormat.of().formatHex(new Handshake(1, "prod", NodeId.of("n1")).encode()))
                .isEqualTo("434d5248" + "0001" + "0004" + "70726f64" + "0002" + "6e31" + "00" + "00" + "0000");
        assertThat(HexFormat.of().formatHex(HandshakeReply.accept(NodeId.of("n2")).encode()))
                .isEqualTo("434d5241" + "0002" + "0002" + "6e32" + "01" + "0000" + "00000000" + "00" + "00");
        assertThat(HexFormat.of().formatHex(HandshakeReply.accept(NodeId.of("n2"), new byte[] {7}).encode()))
                .isEqualTo("434d5241" + "0002" + "0002" + "6e32" + "01" + "0000" + "00000001" + "07" + "00" + "00");
        assertThat(HexFormat.of().formatHex(new HandshakeProof(new byte[32]).encode()))
                .isEqualTo("434d5250" + "20" + "00".repeat(32));
    }

    @Test
    void aHelloAndAReplyFromBeforeTheChallengeReadAsHavingNone() throws Exception {
        Handshake hello = Handshake.decode(ByteBuffer.wrap(HexFormat.of().parseHex(
                "434d5248" + "0001" + "0004" + "70726f64" + "0002" + "6e31")));
        assertThat(hello.nonce()).isEmpty();
        HandshakeReply reply = HandshakeReply.decode(ByteBuffer.wrap(HexFormat.of().parseHex(
                "434d5241" + "0001" + "0002" + "6e32" + "01" + "0000" + "00000001" + "07")));
        assertThat(reply.isChallenge()).isFalse();
        assertThat(reply.status()).containsExactly(7);
    }

    @Test
    void aNonceOfAnotherLengthIsMalformed() {
        assertThatThrownBy(() -> Handshake.decode(ByteBuffer.wrap(HexFormat.of().parseHex(
                "434d5248" + "0001" + "0004" + "70726f64" + "0002" + "6e31" + "03" + "010203"))))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("nonce of 3 bytes");
    }

    @Test
    void aReplyFromBeforeTheStatusFieldReadsAsAnEmptyStatus() throws Exception {
        byte[] old = HexFormat.of().parseHex("434d5241" + "0001" + "0002" + "6e32" + "01" + "0000");
        HandshakeReply decoded = HandshakeReply.decode(ByteBuffer.wrap(old));
        assertThat(decoded.accepted()).isTrue();
        assertThat(decoded.status()).isEmpty();
        HandshakeReply withStatus = HandshakeReply.accept(NodeId.of("n2"), new byte[] {1, 2});
        assertThat(HandshakeReply.decode(ByteBuffer.wrap(withStatus.encode()))).isEqualTo(withStatus);
    }

    @Test
    void aRefusalCarriesItsReason() throws Exception {
        HandshakeReply reply = HandshakeReply.refuse(NodeId.of("n2"), "cluster name 'a' is not 'b'");
        HandshakeReply decoded = HandshakeReply.decode(ByteBuffer.wrap(reply.encode()));
        assertThat(decoded.accepted()).isFalse();
        assertThat(decoded.refusal()).isEqualTo("cluster name 'a' is not 'b'");
        assertThat(decoded.nodeId()).isEqualTo(NodeId.of("n2"));
    }

    @Test
    void aLongReasonIsCutOnACharacterBoundary() throws Exception {
        String reason = "\u00e9".repeat(HandshakeReply.MAX_REASON_BYTES); // two bytes each
        HandshakeReply decoded = HandshakeReply.decode(ByteBuffer.wrap(
                HandshakeReply.refuse(NodeId.of("n"), reason).encode()));
        assertThat(decoded.refusal().getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(
                HandshakeReply.MAX_REASON_BYTES);
        assertThat(decoded.refusal()).matches("\u00e9+");
    }

    @Test
    void aNewerVersionIsStillReadable() throws Exception {
        Handshake newer = new Handshake(7, "prod", NodeId.of("n1"));
        assertThat(Handshake.decode(ByteBuffer.wrap(newer.encode())).protocolVersion()).isEqualTo(7);
    }

    @Test
    void otherProtocolsAreRejected() {
        byte[] http = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> Handshake.decode(ByteBuffer.wrap(http)))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("not a cluster-mode handshake");
        assertThatThrownBy(() -> HandshakeReply.decode(ByteBuffer.wrap(http)))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("not a cluster-mode handshake reply");
    }

    @Test
    void valuesAreValidated() {
        assertThatThrownBy(() -> new Handshake(1, " ", NodeId.of("n"))).hasMessageContaining("clusterName");
        assertThatThrownBy(() -> new Handshake(1, "x".repeat(129), NodeId.of("n"))).hasMessageContaining("clusterName");
        assertThatThrownBy(() -> new Handshake(70_000, "c", NodeId.of("n"))).hasMessageContaining("protocolVersion");
        assertThatThrownBy(() -> new Handshake(1, "c", null)).hasMessageContaining("nodeId");
    }

    @Test
    void aBlankClusterNameOnTheWireIsMalformed() {
        byte[] bytes = new Handshake(1, "c", NodeId.of("n")).encode();
        bytes[8] = ' ';
        assertThatThrownBy(() -> Handshake.decode(ByteBuffer.wrap(bytes)))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("clusterName");
    }

    @Test
    void a_cluster_id_travels_after_the_nonce_and_a_hello_without_one_reads_as_none() throws Exception {
        Handshake withId = Handshake.current("prod", NodeId.of("n1"), new byte[0], "8c0e2a4e-2b1f-4d9a-9a3f-0b6d1c2e3f40");
        assertThat(Handshake.decode(java.nio.ByteBuffer.wrap(withId.encode()))).isEqualTo(withId);
        Handshake without = Handshake.current("prod", NodeId.of("n1"));
        assertThat(Handshake.decode(java.nio.ByteBuffer.wrap(without.encode())).clusterId()).isEmpty();
        byte[] earlier = without.encode(); // as earlier code wrote it: ending after the nonce
        assertThat(Handshake.decode(java.nio.ByteBuffer.wrap(java.util.Arrays.copyOf(earlier, earlier.length - 3)))
                .clusterId()).isEmpty();
        byte[] bad = withId.encode();
        bad[bad.length - 3] = 0x07; // a control character in the id (its last byte; the empty address follows)
        assertThatThrownBy(() -> Handshake.decode(java.nio.ByteBuffer.wrap(bad)))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("clusterId");
        assertThatThrownBy(() -> Handshake.current("prod", NodeId.of("n1"), new byte[0], "x".repeat(65)))
                .hasMessageContaining("clusterId");
    }

    @Test
    void the_advertised_address_travels_after_the_cluster_id_and_a_hello_without_it_reads_as_none() throws Exception {
        Handshake withAddress = Handshake.current("prod", NodeId.of("n4"), new byte[0], "", "10.0.0.4:7600");
        assertThat(HexFormat.of().formatHex(withAddress.encode())).endsWith("00" + "00" + "000d"
                + HexFormat.of().formatHex("10.0.0.4:7600".getBytes(StandardCharsets.US_ASCII)));
        assertThat(Handshake.decode(ByteBuffer.wrap(withAddress.encode()))).isEqualTo(withAddress);
        Handshake both = Handshake.current("prod", NodeId.of("n4"), new byte[32], "8c0e2a4e", "[fd00::4]:7600");
        assertThat(Handshake.decode(ByteBuffer.wrap(both.encode()))).isEqualTo(both);

        // The hello of the version before, which ends after the cluster id: no address.
        Handshake older = Handshake.decode(ByteBuffer.wrap(HexFormat.of().parseHex(
                "434d5248" + "0001" + "0004" + "70726f64" + "0002" + "6e31" + "00" + "03" + "616263")));
        assertThat(older.clusterId()).isEqualTo("abc");
        assertThat(older.advertisedAddress()).isEmpty();
        // And later versions may append more after it.
        byte[] longer = java.util.Arrays.copyOf(withAddress.encode(), withAddress.encode().length + 3);
        assertThat(Handshake.decode(ByteBuffer.wrap(longer))).isEqualTo(withAddress);
    }

    @Test
    void an_advertised_address_that_is_not_printable_ascii_or_too_long_is_malformed() {
        byte[] good = Handshake.current("prod", NodeId.of("n4"), new byte[0], "", "host:7600").encode();
        byte[] control = good.clone();
        control[control.length - 1] = 0x0a;
        assertThatThrownBy(() -> Handshake.decode(ByteBuffer.wrap(control)))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("advertisedAddress");
        byte[] latin = good.clone();
        latin[latin.length - 1] = (byte) 0xe9;
        assertThatThrownBy(() -> Handshake.decode(ByteBuffer.wrap(latin)))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("advertisedAddress");
        // A length beyond the limit is refused before anything is read, whatever follows.
        byte[] huge = java.util.Arrays.copyOf(good, good.length);
        huge[huge.length - 11] = (byte) 0xff;
        huge[huge.length - 10] = (byte) 0xff;
        assertThatThrownBy(() -> Handshake.decode(ByteBuffer.wrap(huge)))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("advertised address of 65535 bytes");
        // Cut inside the address: truncated.
        assertThatThrownBy(() -> Handshake.decode(ByteBuffer.wrap(java.util.Arrays.copyOf(good, good.length - 2))))
                .isInstanceOf(MalformedInputException.class);
        assertThatThrownBy(() -> Handshake.current("prod", NodeId.of("n1"), new byte[0], "",
                "h".repeat(Handshake.MAX_ADDRESS_BYTES - 4) + ":7600")).hasMessageContaining("advertisedAddress");
        assertThatThrownBy(() -> Handshake.current("prod", NodeId.of("n1"), new byte[0], "", "a b:1"))
                .hasMessageContaining("advertisedAddress");
    }
}
