package io.clustermode.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KvStoreTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void put_cas_and_delete_do_what_they_say() {
        KvStore store = new KvStore();
        assertThat(store.apply(1, KvStore.put("a", bytes("1")))).isEqualTo(KvStore.Result.OK);
        assertThat(store.get("a")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("1")));
        assertThat(store.apply(2, KvStore.compareAndSet("a", bytes("0"), bytes("2")))).isEqualTo(KvStore.Result.MISMATCH);
        assertThat(store.apply(3, KvStore.compareAndSet("a", bytes("1"), bytes("2")))).isEqualTo(KvStore.Result.OK);
        assertThat(store.get("a")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("2")));
        assertThat(store.apply(4, KvStore.compareAndSet("missing", bytes(""), bytes("x"))))
                .isEqualTo(KvStore.Result.MISMATCH);
        assertThat(store.apply(5, KvStore.delete("a"))).isEqualTo(KvStore.Result.OK);
        assertThat(store.apply(6, KvStore.delete("a"))).isEqualTo(KvStore.Result.OK);
        assertThat(store.get("a")).isEmpty();
        assertThat(store.get("missing")).isEmpty();
    }

    @Test
    void snapshot_restores_the_whole_map_and_is_the_same_for_the_same_state() {
        KvStore one = new KvStore();
        KvStore two = new KvStore();
        one.apply(1, KvStore.put("x", bytes("1")));
        one.apply(2, KvStore.put("ü", new byte[KvStore.MAX_VALUE_BYTES]));
        two.apply(1, KvStore.put("ü", new byte[KvStore.MAX_VALUE_BYTES]));
        two.apply(2, KvStore.put("x", bytes("1")));
        assertThat(one.snapshot()).isEqualTo(two.snapshot());

        KvStore restored = new KvStore();
        restored.apply(1, KvStore.put("gone", bytes("soon")));
        restored.restore(one.snapshot());
        assertThat(restored.size()).isEqualTo(2);
        assertThat(restored.get("gone")).isEmpty();
        assertThat(restored.get("ü")).hasValueSatisfying(v -> assertThat(v).hasSize(KvStore.MAX_VALUE_BYTES));
        restored.restore(new byte[0]);
        assertThat(restored.size()).isZero();
    }

    @Test
    void limits_are_checked_when_commands_are_built() {
        String longest = "k".repeat(KvStore.MAX_KEY_BYTES);
        assertThat(KvStore.validKey(longest)).isTrue();
        assertThat(KvStore.validKey(longest + "k")).isFalse();
        assertThat(KvStore.validKey("")).isFalse();
        assertThatThrownBy(() -> KvStore.put(longest + "k", bytes("v"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KvStore.put("k", new byte[KvStore.MAX_VALUE_BYTES + 1]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void undecodable_commands_change_nothing() {
        KvStore store = new KvStore();
        store.apply(1, KvStore.put("a", bytes("1")));
        byte[] snapshot = store.snapshot();
        byte[] put = KvStore.put("a", bytes("2"));
        assertThat(store.apply(2, Arrays.copyOf(put, put.length - 1))).isEqualTo(KvStore.Result.MALFORMED);
        assertThat(store.apply(3, new byte[0])).isEqualTo(KvStore.Result.MALFORMED);
        assertThat(store.apply(4, new byte[] {'X', 0, 1, 'a'})).isEqualTo(KvStore.Result.MALFORMED);
        assertThat(store.apply(5, Arrays.copyOf(put, put.length + 1))).isEqualTo(KvStore.Result.MALFORMED);
        assertThat(store.snapshot()).isEqualTo(snapshot);
    }
}
