package io.clustermode.raft;

import io.clustermode.NodeId;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The replicated partition table: its rules ignore what does not fit (so every node's table at an
 * index is the same), it survives its encoding, and hostile bytes are refused with
 * {@link IllegalArgumentException} only.
 */
class PartitionTableTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private static PartitionTable table() {
        PartitionTable table = new PartitionTable();
        table.apply(List.of(new PartitionChange.Join("orders", 4, A), new PartitionChange.Join("orders", 4, B),
                new PartitionChange.Grant("orders", 0, A), new PartitionChange.Grant("orders", 1, B)), 10);
        return table;
    }

    @Test
    void a_grant_takes_the_entry_index_as_its_epoch_and_only_an_unowned_partition() {
        PartitionTable table = table();
        assertThat(table.owner("orders", 0)).isEqualTo(A);
        assertThat(table.epoch("orders", 0)).isEqualTo(10);
        // Owned: a second grant changes nothing, on every node alike.
        assertThat(table.apply(List.of(new PartitionChange.Grant("orders", 0, B)), 11)).isFalse();
        assertThat(table.owner("orders", 0)).isEqualTo(A);
        // A release of another epoch changes nothing; of this one, frees it; the next grant's epoch is larger.
        assertThat(table.apply(List.of(new PartitionChange.Release("orders", 0, 9)), 12)).isFalse();
        assertThat(table.apply(List.of(new PartitionChange.Revoke("orders", 0, 10)), 12)).isTrue();
        assertThat(table.revoking("orders", 0)).isTrue();
        assertThat(table.apply(List.of(new PartitionChange.Release("orders", 0, 10)), 13)).isTrue();
        assertThat(table.owner("orders", 0)).isNull();
        assertThat(table.lastOwner("orders", 0)).isEqualTo(A);
        assertThat(table.apply(List.of(new PartitionChange.Grant("orders", 0, B)), 14)).isTrue();
        assertThat(table.epoch("orders", 0)).isEqualTo(14);
    }

    @Test
    void a_grant_makes_its_holder_the_home_unless_it_only_covers_for_the_home() {
        PartitionTable table = table();
        NodeId c = NodeId.of("c");
        table.apply(List.of(new PartitionChange.Join("orders", 4, c)), 11);
        assertThat(table.home("orders", 0)).isEqualTo(A);
        // A is away: B, then C cover for it; the home stays A however many cover.
        table.apply(List.of(new PartitionChange.Release("orders", 0, 10),
                new PartitionChange.Grant("orders", 0, B, true)), 12);
        table.apply(List.of(new PartitionChange.Release("orders", 0, 12),
                new PartitionChange.Grant("orders", 0, c, true)), 13);
        assertThat(table.owner("orders", 0)).isEqualTo(c);
        assertThat(table.lastOwner("orders", 0)).isEqualTo(c);
        assertThat(table.home("orders", 0)).isEqualTo(A);
        // Moved for balance: the new holder is its home.
        table.apply(List.of(new PartitionChange.Release("orders", 0, 13),
                new PartitionChange.Grant("orders", 0, B)), 14);
        assertThat(table.home("orders", 0)).isEqualTo(B);
        // A first grant that covers (nobody's home yet) makes a home all the same.
        table.apply(List.of(new PartitionChange.Grant("orders", 2, c, true)), 15);
        assertThat(table.home("orders", 2)).isEqualTo(c);
    }

    @Test
    void joins_with_another_count_grants_to_non_members_and_bad_names_change_nothing() {
        PartitionTable table = table();
        assertThat(table.apply(List.of(new PartitionChange.Join("orders", 5, NodeId.of("c"))), 20)).isFalse();
        assertThat(table.apply(List.of(new PartitionChange.Grant("orders", 2, NodeId.of("c"))), 20)).isFalse();
        assertThat(table.apply(List.of(new PartitionChange.Grant("orders", 4, A)), 20)).isFalse();
        assertThat(table.apply(List.of(new PartitionChange.Join("bad name", 2, A)), 20)).isFalse();
        assertThat(table.apply(List.of(new PartitionChange.Join("big", PartitionChange.MAX_COUNT + 1, A)), 20)).isFalse();
        assertThat(table.groups()).containsExactly("orders");
    }

    @Test
    void the_table_and_the_changes_survive_their_encodings() {
        PartitionTable table = table();
        table.apply(List.of(new PartitionChange.Revoke("orders", 1, 10)), 11);
        assertThat(PartitionTable.decode(table.encode())).isEqualTo(table);
        assertThat(PartitionTable.decode(table.encode()).toString()).isEqualTo(table.toString());
        List<PartitionChange> changes = List.of(new PartitionChange.Join("orders", 4, A),
                new PartitionChange.Leave("orders", B), new PartitionChange.Grant("orders", 3, A),
                new PartitionChange.Grant("orders", 2, B, true),
                new PartitionChange.Revoke("orders", 3, 99), new PartitionChange.Release("orders", 3, 99));
        assertThat(PartitionChange.decode(PartitionChange.encode(changes))).isEqualTo(changes);
    }

    @Test
    void hostile_bytes_are_refused_as_such_and_nothing_else() {
        byte[] table = table().encode();
        byte[] changes = PartitionChange.encode(List.of(new PartitionChange.Grant("orders", 3, A)));
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] source = i % 2 == 0 ? table : changes;
            byte[] bytes = java.util.Arrays.copyOf(source, random.nextInt(source.length + 8));
            for (int flips = random.nextInt(4); flips > 0 && bytes.length > 0; flips--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            try {
                if (i % 2 == 0) {
                    PartitionTable.decode(bytes);
                } else {
                    PartitionChange.decode(bytes);
                }
            } catch (IllegalArgumentException refused) {
                // the one way to refuse
            }
        }
        assertThatThrownBy(() -> PartitionTable.decode(new byte[] {0, 0, 0, 1})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PartitionChange.decode(new byte[] {0x7f, 0, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
