package io.clustermode.codec;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Properties of {@link Handshake} and {@link HandshakeReply}. */
class HandshakePropertiesTest {

    @Provide
    Arbitrary<Handshake> handshakes() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').withChars('-', '\u00e9', '\u4e2d')
                .ofMinLength(1).ofMaxLength(Handshake.MAX_CLUSTER_NAME_LENGTH);
        Arbitrary<String> clusterIds = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.strings()
                .withCharRange('!', '~').ofMinLength(1).ofMaxLength(Handshake.MAX_CLUSTER_ID_BYTES));
        Arbitrary<String> addresses = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.strings()
                .withCharRange('!', '~').ofMinLength(1).ofMaxLength(Handshake.MAX_ADDRESS_BYTES));
        return Combinators.combine(Arbitraries.integers().between(0, 0xFFFF), names, MessageArbitraries.nodeIds(),
                nonces(), clusterIds, addresses).as(Handshake::new);
    }

    /** Empty, or the length of a nonce. */
    @Provide
    Arbitrary<byte[]> nonces() {
        return Arbitraries.oneOf(Arbitraries.just(new byte[0]),
                Arbitraries.bytes().array(byte[].class).ofSize(Handshake.NONCE_BYTES));
    }

    @Provide
    Arbitrary<HandshakeReply> replies() {
        Arbitrary<String> reasons = Arbitraries.strings().withCharRange(' ', '~').withChars('\u00e9').ofMaxLength(200)
                .injectNull(0.5);
        return Combinators.combine(Arbitraries.integers().between(0, 0xFFFF), MessageArbitraries.nodeIds(), reasons,
                nonces(), nonces()).as((version, id, reason, nonce, proof) -> new HandshakeReply(version, id, reason,
                new byte[0], nonce, proof));
    }

    @Property(tries = 500)
    void aHandshakeSurvivesARoundTrip(@ForAll("handshakes") Handshake handshake) throws Exception {
        assertThat(Handshake.decode(ByteBuffer.wrap(handshake.encode()))).isEqualTo(handshake);
    }

    @Property(tries = 500)
    void aReplySurvivesARoundTrip(@ForAll("replies") HandshakeReply reply) throws Exception {
        HandshakeReply decoded = HandshakeReply.decode(ByteBuffer.wrap(reply.encode()));
        assertThat(decoded).isEqualTo(reply);
        assertThat(decoded.accepted()).isEqualTo(reply.refusal() == null);
    }

    @Property(tries = 500)
    void aTruncatedHandshakeIsRejected(@ForAll("handshakes") Handshake handshake,
                                       @ForAll("cutFractions") double fraction) {
        byte[] bytes = handshake.encode();
        byte[] cut = Arrays.copyOf(bytes, (int) (bytes.length * fraction));
        // Cut right before the nonce's length it is a hello from before the nonce: valid, without one;
        // cut right before the cluster id's length, a hello from before the cluster id; cut right
        // before the address's length, a hello from before the address: valid too.
        int addressField = 2 + handshake.advertisedAddress().length();
        int idField = 1 + handshake.clusterId().length();
        int nonceField = 1 + handshake.nonce().length;
        net.jqwik.api.Assume.that(cut.length != bytes.length - addressField - idField - nonceField
                && cut.length != bytes.length - addressField - idField
                && cut.length != bytes.length - addressField);
        assertThatThrownBy(() -> Handshake.decode(ByteBuffer.wrap(cut))).isInstanceOf(MalformedInputException.class);
    }

    @Provide
    Arbitrary<Double> cutFractions() {
        return Arbitraries.doubles().between(0, 0.99);
    }

    @Property(tries = 2000)
    void garbageIsOnlyEverMalformed(@ForAll @Size(max = 100) byte[] garbage, @ForAll boolean withMagic) {
        for (int magic : new int[]{Handshake.MAGIC, HandshakeReply.MAGIC}) {
            ByteBuffer bytes = ByteBuffer.allocate(garbage.length + 4);
            if (withMagic) {
                bytes.putInt(magic);
            }
            bytes.put(garbage).flip();
            try {
                Handshake.decode(bytes.duplicate());
            } catch (MalformedInputException expected) {
                // fine
            }
            try {
                HandshakeReply.decode(bytes.duplicate());
            } catch (MalformedInputException expected) {
                // fine
            }
            try {
                HandshakeProof.decode(bytes.duplicate());
            } catch (MalformedInputException expected) {
                // fine
            }
        }
    }

    @Property(tries = 200)
    void laterVersionsMayAppendFields(@ForAll("handshakes") Handshake handshake, @ForAll @Size(max = 20) byte[] tail)
            throws Exception {
        byte[] bytes = handshake.encode();
        byte[] longer = Arrays.copyOf(bytes, bytes.length + tail.length);
        System.arraycopy(tail, 0, longer, bytes.length, tail.length);
        assertThat(Handshake.decode(ByteBuffer.wrap(longer))).isEqualTo(handshake);
    }
}
