package io.clustermode.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.clustermode.cli.ClusterInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure pieces of the benchmark program: parsing node answers, percentiles, options. */
class ReportPiecesTest {

    private static final String INFO = "{\"nodeId\":\"n2\",\"clusterName\":\"cluster-mode\",\"role\":\"SECONDARY\","
            + "\"term\":7,\"leaderId\":\"n1\",\"commitIndex\":42,\"appliedIndex\":42,\"members\":["
            + "{\"nodeId\":\"n1\",\"address\":\"127.0.0.2:7600\",\"voter\":true,\"role\":\"PRIMARY\",\"http\":null},"
            + "{\"nodeId\":\"n2\",\"address\":\"127.0.0.3:7600\",\"voter\":true,\"role\":\"SECONDARY\",\"http\":null},"
            + "{\"nodeId\":\"n3\",\"address\":\"127.0.0.4:7600\",\"voter\":false,\"role\":\"SECONDARY\",\"http\":null}],"
            + "\"address\":\"127.0.0.3:7600\"}";

    @Test
    void when_a_node_answers_then_its_own_fields_are_read_not_its_members() {
        ClusterInfo info = ClusterInfo.read(INFO);
        assertThat(info.nodeId()).isEqualTo("n2");
        assertThat(info.role()).isEqualTo("SECONDARY");
        assertThat(info.term()).isEqualTo(7);
        assertThat(info.leaderId()).isEqualTo("n1");
        assertThat(info.commitIndex()).isEqualTo(42);
        assertThat(info.voterCount()).isEqualTo(2);
        assertThat(info.isPrimary()).isFalse();
    }

    @Test
    void when_no_primary_is_known_then_the_leader_is_null() {
        ClusterInfo info = ClusterInfo.read(INFO.replace("\"leaderId\":\"n1\"", "\"leaderId\":null"));
        assertThat(info.leaderId()).isNull();
    }

    @Test
    void percentiles_are_nearest_rank_and_failed_trials_count_apart() {
        Stats stats = Stats.of(List.of(5.0, 1.0, 4.0, 2.0, 3.0, 6.0, 7.0, 8.0, 9.0, 10.0), 2);
        assertThat(stats.percentile(0.5)).isEqualTo(5.0);
        assertThat(stats.percentile(0.9)).isEqualTo(9.0);
        assertThat(stats.percentile(0.99)).isEqualTo(10.0);
        assertThat(stats.max()).isEqualTo(10.0);
        assertThat(stats.trials()).isEqualTo(12);
        assertThat(Stats.of(List.of(), 3).percentile(0.5)).isNaN();
    }

    @Test
    void sent_bytes_add_up_every_message_type_and_ignore_received() {
        String metrics = "# TYPE cluster_mode_transport_bytes_total counter\n"
                + "cluster_mode_transport_bytes_total{direction=\"sent\",type=\"append\"} 1200.0\n"
                + "cluster_mode_transport_bytes_total{direction=\"received\",type=\"append\"} 999.0\n"
                + "cluster_mode_transport_bytes_total{direction=\"sent\",type=\"vote\"} 1.5E3\n";
        assertThat(IdleCost.sentBytes(metrics)).isEqualTo(2700.0);
        assertThat(IdleCost.sentBytes(null)).isNaN();
    }

    @Test
    void quick_means_few_trials_unless_told_otherwise() {
        java.nio.file.Path root = java.nio.file.Path.of("/repo");
        BenchmarkOptions quick = BenchmarkOptions.parse(new String[] {"--quick", "--only", "idle,failover"}, root);
        assertThat(quick.trials()).isEqualTo(3);
        assertThat(quick.runs("idle")).isTrue();
        assertThat(quick.runs("replication")).isFalse();
        assertThat(quick.out()).isEqualTo(root.resolve("docs"));
        assertThat(BenchmarkOptions.parse(new String[] {"--trials", "50"}, root).trials()).isEqualTo(50);
        assertThat(BenchmarkOptions.parse(new String[0], root).coldTrials()).isEqualTo(10);
    }
}
