package io.clustermode.testkit;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TraceTest {

    private static byte[] traceOf(long seed) {
        return KeyValueWorkload.run(seed, 5, true).trace().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void the_same_seed_twice_gives_the_same_trace_byte_for_byte() throws Exception {
        byte[] first = traceOf(1234);
        byte[] second = traceOf(1234);
        assertThat(second).isEqualTo(first);
        assertThat(first.length).isGreaterThan(10_000); // a whole run: messages, ticks, calls, faults
        System.out.printf("testkit: seed 1234 traced %d bytes twice, sha-256 %s both times%n", first.length,
                java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(first), 0, 8));
    }

    @Test
    void different_seeds_give_different_traces() {
        assertThat(traceOf(1)).isNotEqualTo(traceOf(2));
    }

    @Test
    void the_trace_names_faults_calls_and_steps() {
        String trace = new String(traceOf(3), StandardCharsets.UTF_8);
        assertThat(trace).contains("SUBMIT", "QUERY", "tick", "HEAL", "VoteRequest");
    }

    @Test
    void a_cluster_without_a_trace_says_how_to_get_one() {
        TestCluster<Long, Counter> cluster = TestCluster.builder().stateMachine(Counter::new).recordTrace(false).build();
        assertThatThrownBy(cluster::trace).isInstanceOf(IllegalStateException.class).hasMessageContaining("recordTrace(true)");
    }
}
