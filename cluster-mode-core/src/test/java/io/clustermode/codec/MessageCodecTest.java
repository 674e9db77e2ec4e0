package io.clustermode.codec;

import io.clustermode.raft.Configuration;
import io.clustermode.raft.Entry;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import io.clustermode.raft.SnapshotMeta;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageCodecTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    static List<Message> oneOfEach() {
        Configuration conf = new Configuration(new java.util.TreeSet<>(List.of(A, B)),
                new java.util.TreeSet<>(List.of(NodeId.of("c"))));
        return List.of(
                new Message.VoteRequest(A, B, 3, 10, 2, true, false),
                new Message.VoteResponse(B, A, 3, true, true),
                new Message.AppendRequest(A, B, 3, 10, 2, List.of(
                        Entry.command(11, 3, new byte[]{1, 2, 3}),
                        Entry.noop(12, 3),
                        Entry.configuration(13, 3, conf)), 9),
                new Message.AppendResponse(B, A, 3, false, 10, 0, 7, 2),
                new Message.Heartbeat(A, B, 3, 9, 42),
                new Message.HeartbeatResponse(B, A, 3, 42, false),
                new Message.InstallSnapshot(A, B, 3, new SnapshotMeta(100, 2, conf), 4096, new byte[]{9, 8}, true),
                new Message.InstallSnapshotResponse(B, A, 3, 100, 4098, true),
                new Message.TimeoutNow(A, B, 3),
                new Message.PartitionReport(B, A, 3, 7, java.util.Map.of("orders", 64, "mail", 8),
                        List.of(new Message.PartitionReport.Released("orders", 5, 40))),
                new Message.PartitionReportAck(A, B, 3, 7, 120));
    }

    @Test
    void everyTypeRoundTrips() throws Exception {
        for (Message message : oneOfEach()) {
            Message decoded = MessageCodec.decode(ByteBuffer.wrap(MessageCodec.encode(message)));
            assertThat(decoded).usingRecursiveComparison().isEqualTo(message);
        }
    }

    @Test
    void theLayoutIsPinned() {
        // Changing these bytes breaks every node of the previous release: bump VERSION instead.
        assertThat(HexFormat.of().formatHex(MessageCodec.encode(new Message.Heartbeat(A, B, 3, 9, 42))))
                .isEqualTo("0205" + "000161" + "000162" + "0000000000000003" + "0000000000000009"
                        + "000000000000002a");
        assertThat(HexFormat.of().formatHex(MessageCodec.encode(new Message.VoteResponse(B, A, 7, false, true))))
                .isEqualTo("0202" + "000162" + "000161" + "0000000000000007" + "00" + "01");
    }

    @Test
    void encodesIntoABufferAtItsPositionWhateverItsOrder() throws Exception {
        Message message = oneOfEach().get(2);
        int size = MessageCodec.sizeOf(message);
        ByteBuffer out = ByteBuffer.allocate(size + 7).order(ByteOrder.LITTLE_ENDIAN);
        out.position(4);
        MessageCodec.encode(message, out);
        assertThat(out.position()).isEqualTo(4 + size);

        ByteBuffer in = ByteBuffer.wrap(out.array(), 4, size).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(MessageCodec.decode(in)).usingRecursiveComparison().isEqualTo(message);
        assertThat(in.position()).isEqualTo(4 + size);
    }

    @Test
    void anotherFormatVersionIsRejected() {
        byte[] bytes = MessageCodec.encode(oneOfEach().get(0));
        bytes[0] = 1;
        assertThatThrownBy(() -> MessageCodec.decode(ByteBuffer.wrap(bytes)))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("version 1");
    }

    @Test
    void anUnknownTypeIsRejected() {
        byte[] bytes = MessageCodec.encode(new Message.TimeoutNow(A, B, 1));
        bytes[1] = 16;
        assertThatThrownBy(() -> MessageCodec.decode(ByteBuffer.wrap(bytes)))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("unknown message type 16");
    }

    @Test
    void emptyInputIsRejected() {
        assertThatThrownBy(() -> MessageCodec.decode(ByteBuffer.allocate(0)))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("truncated");
    }

    @Test
    void aNegativeTermIsRejected() {
        ByteBuffer bytes = ByteBuffer.wrap(MessageCodec.encode(new Message.TimeoutNow(A, B, 1)));
        bytes.putLong(2 + 3 + 3, -1);
        assertThatThrownBy(() -> MessageCodec.decode(bytes))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("term is negative");
    }

    @Test
    void entriesMustFollowThePreviousIndex() {
        Message gap = new Message.AppendRequest(A, B, 3, 10, 2,
                List.of(Entry.noop(11, 3), Entry.noop(13, 3)), 0);
        assertThatThrownBy(() -> MessageCodec.decode(ByteBuffer.wrap(MessageCodec.encode(gap))))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("expected 12");
        Message wrongStart = new Message.AppendRequest(A, B, 3, 10, 2, List.of(Entry.noop(10, 3)), 0);
        assertThatThrownBy(() -> MessageCodec.decode(ByteBuffer.wrap(MessageCodec.encode(wrongStart))))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("expected 11");
    }

    @Test
    void aHugeEntryCountIsRejectedBeforeAnythingIsAllocated() {
        ByteBuffer bytes = ByteBuffer.wrap(MessageCodec.encode(new Message.AppendRequest(A, B, 1, 0, 0, List.of(), 0)));
        int countAt = bytes.capacity() - 4;
        for (int claim : new int[]{Integer.MAX_VALUE, 1 << 20, 1, -1}) {
            bytes.putInt(countAt, claim);
            assertThatThrownBy(() -> MessageCodec.decode(bytes.duplicate()))
                    .isInstanceOf(MalformedInputException.class).hasMessageContaining("entry count");
        }
    }

    @Test
    void aHugeBlobLengthIsRejectedBeforeAnythingIsAllocated() {
        Message snapshot = new Message.InstallSnapshot(A, B, 1, new SnapshotMeta(1, 1, Configuration.ofVoters(A)), 0,
                new byte[0], false);
        ByteBuffer bytes = ByteBuffer.wrap(MessageCodec.encode(snapshot));
        int lengthAt = bytes.capacity() - 4;
        bytes.putInt(lengthAt, Integer.MAX_VALUE);
        assertThatThrownBy(() -> MessageCodec.decode(bytes.duplicate()))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("blob length");
        // Within the blob limit but beyond the input: refused as truncated, not allocated.
        bytes.putInt(lengthAt, Wire.MAX_BLOB);
        assertThatThrownBy(() -> MessageCodec.decode(bytes.duplicate()))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("truncated");
    }

    @Test
    void aHugeMemberCountIsRejected() {
        Message snapshot = new Message.InstallSnapshot(A, B, 1, new SnapshotMeta(1, 1, Configuration.EMPTY), 0,
                new byte[0], false);
        ByteBuffer bytes = ByteBuffer.wrap(MessageCodec.encode(snapshot));
        int votersAt = 2 + 3 + 3 + 8 + 16;
        bytes.putInt(votersAt, Integer.MAX_VALUE);
        assertThatThrownBy(() -> MessageCodec.decode(bytes.duplicate()))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("member count");
    }

    @Test
    void aBlankNodeIdIsRejected() {
        ByteBuffer bytes = ByteBuffer.wrap(MessageCodec.encode(new Message.TimeoutNow(A, B, 1)));
        bytes.put(4, (byte) ' ');
        assertThatThrownBy(() -> MessageCodec.decode(bytes))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("node id");
    }

    @Test
    void aBadBooleanIsRejected() {
        byte[] bytes = MessageCodec.encode(new Message.VoteResponse(B, A, 7, false, true));
        bytes[bytes.length - 1] = 2;
        assertThatThrownBy(() -> MessageCodec.decode(ByteBuffer.wrap(bytes)))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("bad boolean");
    }
}
