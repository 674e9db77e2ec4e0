package io.clustermode.membership;

import io.clustermode.NodeId;
import io.clustermode.codec.HandshakeReply;
import io.clustermode.membership.MemberDirectory.Entry;
import io.clustermode.membership.MemberDirectory.Origin;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The directory a member appends to its self-description, and how a reader that gets anything else copes. */
class MemberDirectoryTest {

    private static final NodeId P = NodeId.of("p");
    static final byte[] STATUS = new BootstrapGuard.Status(true, Set.of(P, NodeId.of("s"))).encode();

    private static MemberDirectory sample() {
        return new MemberDirectory(P, false, List.of(new Entry(NodeId.of("s"), "10.0.0.2:7600", Origin.DISCOVERY),
                new Entry(NodeId.of("j"), "[fd00::4]:7600", Origin.CONTACT),
                new Entry(P, "10.0.0.1:7600", Origin.BOOTSTRAP)));
    }

    @Test
    void it_follows_the_status_which_older_readers_still_read_alone() {
        byte[] description = sample().appendTo(STATUS, HandshakeReply.MAX_STATUS_BYTES);
        assertThat(Arrays.copyOf(description, STATUS.length)).isEqualTo(STATUS);
        assertThat(BootstrapGuard.Status.decode(description)).isEqualTo(BootstrapGuard.Status.decode(STATUS));
        MemberDirectory read = MemberDirectory.readFrom(description);
        assertThat(read).isEqualTo(sample());
        // The primary's entry comes first, then by id.
        assertThat(read.entries()).extracting(Entry::id).containsExactly(P, NodeId.of("j"), NodeId.of("s"));
        assertThat(read.primaryAddress()).hasValue("10.0.0.1:7600");
        assertThat(read.names(NodeId.of("j"))).isTrue();
    }

    @Test
    void a_status_of_an_older_node_or_none_at_all_has_an_empty_directory() {
        assertThat(MemberDirectory.readFrom(STATUS)).isEqualTo(MemberDirectory.EMPTY);
        assertThat(MemberDirectory.readFrom(new byte[0])).isEqualTo(MemberDirectory.EMPTY);
        assertThat(MemberDirectory.EMPTY.primaryAddress()).isEmpty();
    }

    @Test
    void entries_beyond_the_byte_budget_are_left_out_the_primary_first_kept() {
        List<Entry> many = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            many.add(new Entry(NodeId.of("node-with-a-long-name-" + i + "-".repeat(60)),
                    "a-rather-long-host-name-" + i + ".cluster.example.internal:7600", Origin.DISCOVERY));
        }
        many.add(new Entry(P, "10.0.0.1:7600", Origin.BOOTSTRAP));
        MemberDirectory big = new MemberDirectory(P, true, many);
        assertThat(big.entries()).hasSize(MemberDirectory.MAX_ENTRIES);
        byte[] description = big.appendTo(STATUS, 4096);
        assertThat(description.length).isLessThanOrEqualTo(4096);
        MemberDirectory read = MemberDirectory.readFrom(description);
        assertThat(read.full()).isTrue();
        assertThat(read.entries()).isNotEmpty().hasSizeLessThan(64);
        assertThat(read.entries().get(0).id()).isEqualTo(P);
        // Not even the header fits: the status alone.
        assertThat(big.appendTo(STATUS, STATUS.length + 3)).isEqualTo(STATUS);
    }

    @Test
    void anything_malformed_is_no_directory_at_all() {
        byte[] good = sample().appendTo(STATUS, 4096);
        for (int cut = STATUS.length + 1; cut < good.length; cut++) {
            assertThat(MemberDirectory.readFrom(Arrays.copyOf(good, cut))).as("cut at " + cut)
                    .isEqualTo(MemberDirectory.EMPTY);
        }
        byte[] otherFormat = good.clone();
        otherFormat[STATUS.length] = 2;
        assertThat(MemberDirectory.readFrom(otherFormat)).isEqualTo(MemberDirectory.EMPTY);
        byte[] badOrigin = good.clone();
        badOrigin[badOrigin.length - 1] = 9;
        assertThat(MemberDirectory.readFrom(badOrigin)).isEqualTo(MemberDirectory.EMPTY);
        // An address no node can connect to: the whole directory is dropped, not only the entry.
        assertThat(MemberDirectory.readFrom(forged("h:99")).entries()).extracting(Entry::address)
                .containsExactly("h:99");
        for (String bad : List.of("h:0", "h", "fd00::1:7600", "h :1", "")) {
            assertThat(MemberDirectory.readFrom(forged(bad))).as(bad).isEqualTo(MemberDirectory.EMPTY);
        }
        assertThatThrownBy(() -> new Entry(P, "no-port", Origin.UNKNOWN)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A status, then a directory of one entry naming "x" at {@code address}, written by hand. */
    private static byte[] forged(String address) {
        byte[] text = address.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(STATUS.length + 100);
        out.put(STATUS).put((byte) 1).put((byte) 0).put((byte) 0).putShort((short) 1);
        out.putShort((short) 1).put((byte) 'x').putShort((short) text.length).put(text).put((byte) 0);
        return Arrays.copyOf(out.array(), out.position());
    }
}
