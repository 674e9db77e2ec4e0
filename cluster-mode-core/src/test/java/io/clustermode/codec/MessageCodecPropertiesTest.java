package io.clustermode.codec;

import io.clustermode.raft.Message;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Properties of {@link MessageCodec}: every message survives a round trip, and no input makes
 * decoding fail with anything but {@link MalformedInputException}.
 */
class MessageCodecPropertiesTest {

    @Provide
    Arbitrary<Message> messages() {
        return MessageArbitraries.messages();
    }

    @Property(tries = 1000)
    void everyMessageSurvivesARoundTrip(@ForAll("messages") Message message) throws Exception {
        byte[] bytes = MessageCodec.encode(message);
        assertThat(bytes).hasSize(MessageCodec.sizeOf(message));
        assertThat(bytes[0]).isEqualTo((byte) MessageCodec.VERSION);
        assertThat(bytes[1]).isEqualTo(MessageCodec.typeOf(message));

        ByteBuffer in = ByteBuffer.wrap(bytes);
        Message decoded = MessageCodec.decode(in);

        assertThat(in.hasRemaining()).isFalse();
        assertThat(decoded).isInstanceOf(message.getClass());
        // Recursive comparison compares the byte arrays inside by content.
        assertThat(decoded).usingRecursiveComparison().isEqualTo(message);
        assertThat(MessageCodec.encode(decoded)).isEqualTo(bytes);
    }

    @Property(tries = 500)
    void everyTypeIsGenerated(@ForAll("messages") Message message) {
        // Guards the generator itself: the type byte is in range for all fifteen types.
        assertThat(MessageCodec.typeOf(message)).isBetween((byte) 1, (byte) 15);
    }

    @Provide
    Arbitrary<byte[]> truncations() {
        return MessageArbitraries.messages().map(MessageCodec::encode).flatMap(bytes ->
                Arbitraries.integers().between(0, bytes.length - 1).map(cut -> Arrays.copyOf(bytes, cut)));
    }

    @Property(tries = 1000)
    void aTruncatedMessageIsRejected(@ForAll("truncations") byte[] truncated) {
        assertThatThrownBy(() -> MessageCodec.decode(ByteBuffer.wrap(truncated)))
                .isInstanceOf(MalformedInputException.class);
    }

    @Provide
    Arbitrary<byte[]> paddings() {
        return Combinators.combine(MessageArbitraries.messages().map(MessageCodec::encode),
                        Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(8))
                .as((bytes, tail) -> {
                    byte[] padded = Arrays.copyOf(bytes, bytes.length + tail.length);
                    System.arraycopy(tail, 0, padded, bytes.length, tail.length);
                    return padded;
                });
    }

    @Property(tries = 300)
    void trailingBytesAreRejected(@ForAll("paddings") byte[] padded) {
        assertThatThrownBy(() -> MessageCodec.decode(ByteBuffer.wrap(padded)))
                .isInstanceOf(MalformedInputException.class)
                .hasMessageContaining("trailing");
    }

    @Provide
    Arbitrary<byte[]> bitFlips() {
        return MessageArbitraries.messages().map(MessageCodec::encode).flatMap(bytes ->
                Arbitraries.integers().between(0, bytes.length * 8 - 1).list().ofMinSize(1).ofMaxSize(4)
                        .map(bits -> flip(bytes, bits)));
    }

    private static byte[] flip(byte[] bytes, List<Integer> bits) {
        byte[] copy = bytes.clone();
        for (int bit : bits) {
            copy[bit / 8] ^= (byte) (1 << (bit % 8));
        }
        return copy;
    }

    @Property(tries = 2000)
    void aBitFlippedMessageDecodesOrIsRejected(@ForAll("bitFlips") byte[] damaged) {
        decodesOrIsRejected(damaged);
    }

    @Property(tries = 3000)
    void randomBytesDecodeOrAreRejected(@ForAll @Size(max = 300) byte[] garbage) {
        decodesOrIsRejected(garbage);
    }

    @Provide
    Arbitrary<byte[]> garbageAfterAValidHeader() {
        // Random bodies behind a valid version and type get past the first checks, into the fields.
        return Combinators.combine(Arbitraries.bytes().between((byte) 1, (byte) 9),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(200))
                .as((type, body) -> {
                    byte[] bytes = new byte[body.length + 2];
                    bytes[0] = (byte) MessageCodec.VERSION;
                    bytes[1] = type;
                    System.arraycopy(body, 0, bytes, 2, body.length);
                    return bytes;
                });
    }

    @Property(tries = 3000)
    void garbageBehindAValidHeaderDecodesOrIsRejected(@ForAll("garbageAfterAValidHeader") byte[] bytes) {
        decodesOrIsRejected(bytes);
    }

    /** Fails the property on any exception but {@link MalformedInputException}. */
    private static void decodesOrIsRejected(byte[] bytes) {
        Message decoded;
        try {
            decoded = MessageCodec.decode(ByteBuffer.wrap(bytes));
        } catch (MalformedInputException expected) {
            return;
        }
        // Whatever was accepted is a message that encodes again.
        assertThat(MessageCodec.encode(decoded)).isNotEmpty();
    }
}
