package io.clustermode.membership;

import io.clustermode.NodeId;
import io.clustermode.codec.HandshakeReply;
import io.clustermode.membership.MemberDirectory.Entry;
import io.clustermode.membership.MemberDirectory.Origin;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Properties of {@link MemberDirectory}: round trips, and bytes from the network that are anything at all. */
class MemberDirectoryPropertiesTest {

    private static final byte[] STATUS = MemberDirectoryTest.STATUS;

    @Property(tries = 2000)
    void garbage_after_a_status_is_never_more_than_no_directory(@ForAll @Size(max = 200) byte[] garbage,
                                                                 @ForAll boolean withFormat) {
        byte[] description = Arrays.copyOf(STATUS, STATUS.length + garbage.length + 1);
        description[STATUS.length] = (byte) (withFormat ? 1 : 0);
        System.arraycopy(garbage, 0, description, STATUS.length + 1, garbage.length);
        MemberDirectory read = MemberDirectory.readFrom(description); // never throws
        assertThat(read.entries()).hasSizeLessThanOrEqualTo(MemberDirectory.MAX_ENTRIES);
        read.entries().forEach(entry -> io.clustermode.transport.HostPort.parse("address", entry.address()));
        assertThat(MemberDirectory.readFrom(garbage)).isNotNull();
    }

    @Provide
    Arbitrary<MemberDirectory> directories() {
        Arbitrary<NodeId> ids = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12)
                .map(NodeId::of);
        Arbitrary<String> addresses = Combinators.combine(Arbitraries.strings().withCharRange('a', 'z')
                .ofMinLength(1).ofMaxLength(20), Arbitraries.integers().between(1, 65_535))
                .as((host, port) -> host + ":" + port);
        Arbitrary<Entry> entries = Combinators.combine(ids, addresses, Arbitraries.of(Origin.class)).as(Entry::new);
        return Combinators.combine(ids.injectNull(0.3), Arbitraries.of(true, false),
                entries.list().ofMaxSize(20).uniqueElements(Entry::id)).as(MemberDirectory::new);
    }

    @Property(tries = 300)
    void a_directory_survives_a_round_trip(@ForAll("directories") MemberDirectory directory) {
        assertThat(MemberDirectory.readFrom(directory.appendTo(STATUS, HandshakeReply.MAX_STATUS_BYTES)))
                .isEqualTo(directory);
    }

}
