package io.clustermode.codec;

import io.clustermode.raft.Entry;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A rough timing of {@link MessageCodec} on the typical heavy message: an AppendRequest with 64
 * entries of 100 bytes. Not a test and not run by the build; run it by hand after
 * {@code ./mvnw -pl cluster-mode-core test-compile}:
 * <pre>
 * java -cp cluster-mode-core/target/classes:cluster-mode-core/target/test-classes \
 *     io.clustermode.codec.MessageCodecTiming [seconds per round, default 2]
 * </pre>
 * Each round runs for a fixed time after a warm-up and prints messages and megabytes per second
 * of one thread. No JMH: expect a few percent of noise, more on a busy machine.
 */
public final class MessageCodecTiming {

    private MessageCodecTiming() {
    }

    /** Runs the timing; the only argument is the seconds per round. */
    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        Message message = appendRequest();
        byte[] encoded = MessageCodec.encode(message);
        System.out.printf("AppendRequest, 64 entries x 100 B: %d bytes encoded%n", encoded.length);

        // Warm-up, so that the rounds measure compiled code.
        round("warm-up encode", seconds, () -> MessageCodec.encode(message).length, encoded.length);
        round("warm-up decode", seconds, () -> decode(encoded), encoded.length);

        for (int i = 1; i <= 3; i++) {
            round("encode #" + i, seconds, () -> MessageCodec.encode(message).length, encoded.length);
            round("decode #" + i, seconds, () -> decode(encoded), encoded.length);
        }
    }

    private static int decode(byte[] encoded) {
        try {
            return ((Message.AppendRequest) MessageCodec.decode(ByteBuffer.wrap(encoded))).entries().size();
        } catch (MalformedInputException e) {
            throw new IllegalStateException(e);
        }
    }

    static Message appendRequest() {
        Random random = new Random(1);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            byte[] data = new byte[100];
            random.nextBytes(data);
            entries.add(Entry.command(1001 + i, 7, data));
        }
        return new Message.AppendRequest(NodeId.of("node-1"), NodeId.of("node-2"), 7, 1000, 7, entries, 990);
    }

    interface Op {
        int run();
    }

    private static void round(String name, double seconds, Op op, int bytesPerOp) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long ops = 0;
        long sink = 0;
        long start = System.nanoTime();
        long now;
        do {
            for (int i = 0; i < 256; i++) {
                sink += op.run();
            }
            ops += 256;
            now = System.nanoTime();
        } while (now < deadline);
        double elapsed = (now - start) / 1e9;
        double perSecond = ops / elapsed;
        System.out.printf("%-15s %,12.0f msg/s  %8.1f MB/s  %6.2f us/msg  (sink %d)%n", name, perSecond,
                perSecond * bytesPerOp / 1e6, 1e6 / perSecond, sink % 10);
    }
}
