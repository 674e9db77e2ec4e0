package io.clustermode.cli;

import io.clustermode.kv.KvStore;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class LimitsTest {

    @Test
    void kv_quota_counts_what_is_stored_and_what_is_on_its_way() {
        KvQuota quota = new KvQuota(100);
        KvQuota.Reservation first = quota.reserve(60, 0);
        assertThat(first).isNotNull();
        assertThat(quota.reserve(41, 0)).as("60 on their way + 41 > 100").isNull();
        KvQuota.Reservation second = quota.reserve(40, 0);
        assertThat(second).isNotNull();
        first.release();
        first.release(); // only the first release counts
        assertThat(quota.reserved()).isEqualTo(40);
        assertThat(quota.reserve(30, 60)).as("60 stored + 40 on their way + 30 > 100").isNull();
        second.release();
        assertThat(quota.reserve(40, 60)).isNotNull();
    }

    @Test
    void kv_quota_default_is_256_mib_or_a_quarter_of_the_heap() {
        assertThat(KvQuota.defaultFor(4L << 30)).isEqualTo(256L << 20);
        assertThat(KvQuota.defaultFor(256L << 20)).isEqualTo(64L << 20);
    }

    @Test
    void kv_store_counts_the_bytes_of_keys_and_values_through_puts_deletes_and_snapshots() {
        KvStore store = new KvStore();
        store.apply(1, KvStore.put("ké", new byte[10])); // "ké" is 3 bytes of UTF-8
        assertThat(store.bytes()).isEqualTo(13);
        store.apply(2, KvStore.put("ké", new byte[4]));
        assertThat(store.bytes()).isEqualTo(7);
        store.apply(3, KvStore.compareAndSet("other", "x".getBytes(StandardCharsets.UTF_8), new byte[5]));
        assertThat(store.bytes()).as("a failed compare-and-set stores nothing").isEqualTo(7);
        store.apply(4, KvStore.put("b", new byte[1]));
        KvStore copy = new KvStore();
        copy.restore(store.snapshot());
        assertThat(copy.bytes()).isEqualTo(9);
        store.apply(5, KvStore.delete("ké"));
        store.apply(6, KvStore.delete("missing"));
        assertThat(store.bytes()).isEqualTo(2);
    }

    @Test
    void transfers_one_in_flight_per_node_and_one_start_per_election_timeout() {
        AtomicLong now = new AtomicLong(1_000);
        TransferRateLimit limit = new TransferRateLimit(Duration.ofMillis(1000), now::get);
        assertThat(limit.enter()).isTrue();
        assertThat(limit.enter()).isFalse();
        assertThat(limit.startOrWait()).isZero();
        limit.exit();
        assertThat(limit.enter()).isTrue();
        now.addAndGet(Duration.ofMillis(400).toNanos());
        assertThat(limit.startOrWait()).isEqualTo(Duration.ofMillis(600).toNanos());
        now.addAndGet(Duration.ofMillis(600).toNanos());
        assertThat(limit.startOrWait()).isZero();
    }
}
